//! Forms: checked against the service's definition, scored, and deciding referral validity.

use crate::harness::spawn;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_trainee_referral_is_valid_only_with_form_2_and_form_1_or_form_e() {
    let server = spawn().await;
    let tpd = server.user("tpd", &["deanery:training-programme-director"]).await;
    let dean = server.user("ddean", &["deanery:deputy-dean"]).await;
    let person = dean.post("/api/v1/people", json!({ "given_name": "Ola", "family_name": "Adeyemi" })).await;
    let person_id = person.body["id"].as_str().unwrap();
    let base = json!({ "person": person_id, "service": "deanery", "source": "form", "summary": "Altercation with a consultant" });

    let mut bad = base.clone();
    bad["forms"] = json!([
        { "form": "form-9", "answers": {} },
        { "form": "form-1", "answers": { "summary": "" , "colour": "red" } },
        { "form": "form-e", "answers": { "examination": "MRCS" }, "completed_by": "dean" }
    ]);
    let before = server.counts().await;
    let refused = tpd.post("/api/v1/referrals", bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = refused.fields();
    fields.sort();
    fields.dedup();
    assert_eq!(fields, ["forms/0/form", "forms/1/answers", "forms/1/answers/summary", "forms/2/completed_by"], "{refused:?}");
    assert_eq!(server.counts().await, before);

    let mut with_form_1 = base.clone();
    with_form_1["forms"] = json!([{ "form": "form-1", "answers": { "summary": "Raised voices on the ward; no patient harm" } }]);
    let referral = tpd.post("/api/v1/referrals", with_form_1).await;
    assert_eq!(referral.status, StatusCode::CREATED, "{referral:?}");
    assert_eq!(referral.body["forms"][0]["completed_by"], "training-programme-director");
    assert_eq!(referral.body["validity"], json!({ "valid": false, "missing": [["form-2"], ["form-e", "form-2"]] }));
    let id = referral.body["id"].as_str().unwrap();

    let early = dean.post(&format!("/api/v1/referrals/{id}/acceptance"), json!({ "level": "level-2" })).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(early.fields(), ["forms"]);
    assert!(early.body["errors"][0]["message"].as_str().unwrap().contains("Form 2"), "{early:?}");
    assert_eq!(server.count("cases").await, 0);

    let form_2 = tpd
        .post(
            &format!("/api/v1/referrals/{id}/forms"),
            json!({ "form": "form-2", "answers": { "team_working": "Avoids handovers" } }),
        )
        .await;
    assert_eq!(form_2.status, StatusCode::OK, "{form_2:?}");
    assert_eq!(form_2.body["validity"]["valid"], true);
    let accepted = dean.post(&format!("/api/v1/referrals/{id}/acceptance"), json!({ "level": "level-2" })).await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{accepted:?}");
    let late =
        tpd.post(&format!("/api/v1/referrals/{id}/forms"), json!({ "form": "form-2", "answers": { "team_working": "x" } })).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "a decided referral takes no more forms");

    // Form E is the trainee's own and stands in for Form 1.
    let mut exam = base.clone();
    exam["forms"] = json!([
        { "form": "form-e", "answers": { "examination": "MRCP Part 2", "attempts": "3" } },
        { "form": "form-2", "answers": { "training_progression": "Extension needed" } }
    ]);
    let exam = tpd.post("/api/v1/referrals", exam).await;
    assert_eq!(exam.status, StatusCode::CREATED, "{exam:?}");
    assert_eq!(exam.body["forms"][0]["completed_by"], "subject");
    assert_eq!(exam.body["validity"]["valid"], true);
}

#[tokio::test]
async fn an_assessment_on_a_case_is_scored_into_its_band_and_kept_as_filled_in() {
    let server = spawn().await;
    let practitioner = server.user("prac", &["recovery:recovery-practitioner"]).await;
    let admin = server.user("admin", &["recovery:administrator"]).await;
    let case = admin.open_case("recovery", "Screened").await;
    let id = case["id"].as_str().unwrap();
    admin.post(&format!("/api/v1/cases/{id}/allocation"), json!({ "version": 1, "worker": practitioner.id() })).await;
    let answers = |q1: i64| json!({ "q1": q1, "q2": 2, "q3": 2, "q4": 1, "q5": 1, "q6": 0, "q7": 1, "q8": 1, "q9": 2, "q10": 2 });
    let invalid = practitioner
        .post(&format!("/api/v1/cases/{id}/forms"), json!({ "form": "alcohol-screening", "answers": answers(7) }))
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid.fields(), ["answers/q1"]);
    let scored = practitioner
        .post(&format!("/api/v1/cases/{id}/forms"), json!({ "form": "alcohol-screening", "answers": answers(3) }))
        .await;
    assert_eq!(scored.status, StatusCode::CREATED, "{scored:?}");
    assert_eq!(scored.body["score"], json!({ "total": 15, "band": "increasing-risk" }));
    assert_eq!(scored.body["completed_by"], "recovery-practitioner");
    let again = practitioner
        .post(&format!("/api/v1/cases/{id}/forms"), json!({ "form": "alcohol-screening", "answers": answers(4) }))
        .await;
    assert_eq!(again.body["score"], json!({ "total": 16, "band": "higher-risk" }));
    let listed = practitioner.get(&format!("/api/v1/cases/{id}/forms")).await;
    let totals: Vec<i64> =
        listed.body["items"].as_array().unwrap().iter().map(|f| f["score"]["total"].as_i64().unwrap()).collect();
    assert_eq!(totals, [16, 15], "both kept, newest first");
    let history = admin.get(&format!("/api/v1/cases/{id}/history")).await;
    assert_eq!(history.status, StatusCode::FORBIDDEN, "an administrator does not read history");
}

#[tokio::test]
async fn a_service_takes_referrals_only_from_its_own_sources() {
    let server = spawn().await;
    let tpd = server.user("tpd", &["deanery:training-programme-director"]).await;
    let dean = server.user("ddean", &["deanery:deputy-dean"]).await;
    let person = dean.post("/api/v1/people", json!({ "given_name": "Ola", "family_name": "Source" })).await;
    let refused = tpd
        .post(
            "/api/v1/referrals",
            json!({ "person": person.body["id"], "service": "deanery", "source": "automatic", "summary": "x" }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.fields(), ["source"]);
    assert!(refused.body["errors"][0]["message"].as_str().unwrap().contains("form, email, staff, self-referral"));
}
