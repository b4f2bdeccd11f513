//! Each reference service's process walked through the API, as its own documents tell it.

use crate::harness::spawn;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_child_survivors_case_moves_back_and_forth_and_records_why_at_each_step() {
    let server = spawn().await;
    let supervisor = server.user("sup", &["child-survivor:supervisor"]).await;
    let caseworker = server.user("cw", &["child-survivor:caseworker"]).await;
    let team = server.team("child-survivor", "Case management", &[&supervisor, &caseworker]).await;
    let opened = caseworker
        .post(
            "/api/v1/cases",
            json!({ "service": "child-survivor", "source": "self-referral", "summary": "Disclosed at the drop-in", "worker": caseworker.id(),
                "team": team.to_string(), "level": "high",
                "person": { "given_name": "Nia", "family_name": "Okoro", "date_of_birth": "2013-05-01" },
                "forms": [{ "form": "referral-form", "answers": { "consent": "Caregiver consented; Nia assented in her own words", "needs": "Medical, safety" } }] }),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{opened:?}");
    let id = opened.body["id"].as_str().unwrap();
    let mut version = 1;
    // Urgent medical care starts before the plan, then the assessment is completed and the plan agreed.
    for stage in ["intake-assessment", "implementation", "intake-assessment", "action-planning", "implementation", "follow-up"] {
        let moved = caseworker.post(&format!("/api/v1/cases/{id}/stage"), json!({ "version": version, "stage": stage })).await;
        assert_eq!(moved.status, StatusCode::OK, "to {stage}: {moved:?}");
        version = moved.body["version"].as_i64().unwrap();
    }
    let skipped =
        caseworker.post(&format!("/api/v1/cases/{id}/stage"), json!({ "version": version, "stage": "evaluation" })).await;
    assert_eq!(skipped.status, StatusCode::UNPROCESSABLE_ENTITY, "evaluation comes after closure");
    let decided = supervisor
        .post(
            &format!("/api/v1/cases/{id}/decisions"),
            json!({ "outcome": "refer-medical", "reason_list": "case-conference", "reason": "best-interests",
            "rationale": "Nia and her mother agreed at the case conference." }),
        )
        .await;
    assert_eq!(decided.status, StatusCode::CREATED, "{decided:?}");
    // The referral, with its consent, is there for everyone who works on the case: the child need not repeat it.
    let referral = supervisor.get(&format!("/api/v1/cases/{id}/referral")).await;
    assert_eq!(referral.body["forms"][0]["answers"]["consent"], "Caregiver consented; Nia assented in her own words");
    let closed =
        supervisor.post(&format!("/api/v1/cases/{id}/closure"), json!({ "version": version, "reason": "needs-met" })).await;
    assert_eq!(closed.status, StatusCode::OK, "{closed:?}");
}

#[tokio::test]
async fn a_joint_working_assessment_is_decided_within_20_working_days_of_allocation() {
    let server = spawn().await;
    server.clock.set("2026-05-04T09:00:00Z".parse().unwrap()); // early May bank holiday
    let manager = server.user("ao", &["ombudsman:assistant-ombudsman"]).await;
    let case = manager.open_case("ombudsman", "Joint").await;
    let id = case["id"].as_str().unwrap();
    let mut version = 1;
    for stage in ["assessment-unallocated", "assessment"] {
        let moved = manager.post(&format!("/api/v1/cases/{id}/stage"), json!({ "version": version, "stage": stage })).await;
        assert_eq!(moved.status, StatusCode::OK, "{moved:?}");
        version = moved.body["version"].as_i64().unwrap();
    }
    let deadlines = manager.get(&format!("/api/v1/cases/{id}/deadlines")).await;
    let decision = deadlines.body.as_array().unwrap().iter().find(|d| d["code"] == "assessment-decision").unwrap();
    // From Monday 4 May (a bank holiday): 20 working days, skipping the spring bank holiday on 25 May, is 2 June.
    assert_eq!(decision["due_at"], "2026-06-02T22:59:59.999999Z");
    let moved = manager.post(&format!("/api/v1/cases/{id}/stage"), json!({ "version": version, "stage": "investigation" })).await;
    assert_eq!(moved.status, StatusCode::OK);
    let deadlines = manager.get(&format!("/api/v1/cases/{id}/deadlines")).await;
    let states: Vec<&str> = deadlines.body.as_array().unwrap().iter().map(|d| d["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["met", "met"], "the initial look and the assessment decision");
}
