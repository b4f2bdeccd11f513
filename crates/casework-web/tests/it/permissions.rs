//! Who sees what: each role sees exactly the cases its reach allows; a case one may not
//! see answers 404 and never appears in a list; a visible case one may not change answers 403.

use crate::harness::spawn;
use reqwest::StatusCode;
use serde_json::json;

fn ids(answer: &serde_json::Value) -> Vec<String> {
    answer["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn each_role_sees_exactly_the_cases_its_reach_allows() {
    let server = spawn().await;
    let admin = server.user("admin1", &["recovery:administrator"]).await;
    let practitioner = server.user("prac", &["recovery:recovery-practitioner"]).await;
    let colleague = server.user("colleague", &["recovery:recovery-practitioner"]).await;
    let outsider = server.user("outsider", &["recovery:recovery-practitioner"]).await;
    let peer = server.user("peer", &["recovery:recovery-peer"]).await;
    let other_service = server.user("deanery", &["deanery:deputy-dean"]).await;
    let team = server.team("recovery", "Wing A", &[&practitioner, &colleague]).await;

    let mine = admin.open_case("recovery", "Mine").await;
    let teams = admin.open_case("recovery", "Teams").await;
    let nobodys = admin.open_case("recovery", "Nobody").await;
    let allocate = |case: &serde_json::Value, body: serde_json::Value| {
        let admin = admin.clone();
        let id = case["id"].as_str().unwrap().to_owned();
        async move {
            let answer = admin.post(&format!("/api/v1/cases/{id}/allocation"), body).await;
            assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
        }
    };
    allocate(&mine, json!({ "version": 1, "worker": practitioner.id() })).await;
    allocate(&teams, json!({ "version": 1, "team": team.to_string() })).await;

    let id = |c: &serde_json::Value| c["id"].as_str().unwrap().to_owned();
    let mut all = vec![id(&mine), id(&teams), id(&nobodys)];
    all.sort();
    let listed = |client: &crate::harness::Client| {
        let client = client.clone();
        async move {
            let mut found = ids(&client.get("/api/v1/cases?service=recovery").await.body);
            found.sort();
            found
        }
    };
    let mut expected_practitioner = vec![id(&mine), id(&teams)];
    expected_practitioner.sort();
    assert_eq!(listed(&admin).await, all);
    assert_eq!(listed(&practitioner).await, expected_practitioner);
    assert_eq!(listed(&colleague).await, vec![id(&teams)]);
    assert_eq!(listed(&outsider).await, Vec::<String>::new());
    assert_eq!(listed(&peer).await, Vec::<String>::new());
    assert_eq!(listed(&other_service).await, Vec::<String>::new());

    for (client, case, visible) in [
        (&practitioner, &nobodys, false),
        (&practitioner, &mine, true),
        (&colleague, &mine, false),
        (&colleague, &teams, true),
        (&outsider, &teams, false),
        (&peer, &mine, false),
        (&other_service, &mine, false),
    ] {
        let case_id = id(case);
        let expected = if visible { StatusCode::OK } else { StatusCode::NOT_FOUND };
        for part in ["", "/notes", "/tasks", "/decisions", "/referral"] {
            let answer = client.get(&format!("/api/v1/cases/{case_id}{part}")).await;
            assert_eq!(answer.status, expected, "{} {part}", client.id());
        }
        if !visible {
            // Writing to a hidden case answers the same as reading it: it does not exist.
            let note = client.post(&format!("/api/v1/cases/{case_id}/notes"), json!({ "kind": "contact", "body": "x" })).await;
            assert_eq!(note.status, StatusCode::NOT_FOUND);
            let stage = client
                .post(&format!("/api/v1/cases/{case_id}/stage"), json!({ "version": 2, "stage": "initial-assessment" }))
                .await;
            assert_eq!(stage.status, StatusCode::NOT_FOUND);
        }
    }
    // A hidden case and a case that never existed are told apart by nothing.
    let hidden = practitioner.get(&format!("/api/v1/cases/{}", id(&nobodys))).await;
    let missing = practitioner.get("/api/v1/cases/0190c7e0-0000-7000-8000-000000000000").await;
    assert_eq!(
        (hidden.body["title"].clone(), hidden.body["detail"].clone()),
        (missing.body["title"].clone(), missing.body["detail"].clone())
    );
}

#[tokio::test]
async fn a_visible_case_the_role_may_not_change_answers_403_and_changes_nothing() {
    let server = spawn().await;
    let admin = server.user("admin2", &["recovery:administrator"]).await;
    let practitioner = server.user("prac2", &["recovery:recovery-practitioner"]).await;
    let case = admin.open_case("recovery", "Allocated").await;
    let id = case["id"].as_str().unwrap();
    admin.post(&format!("/api/v1/cases/{id}/allocation"), json!({ "version": 1, "worker": practitioner.id() })).await;
    let before = server.counts().await;
    // Practitioners may not allocate, reopen, or open cases directly.
    let allocation = practitioner.post(&format!("/api/v1/cases/{id}/allocation"), json!({ "version": 2 })).await;
    assert_eq!(allocation.status, StatusCode::FORBIDDEN);
    let reopen = practitioner.post(&format!("/api/v1/cases/{id}/reopening"), json!({ "version": 2, "reason": "x" })).await;
    assert_eq!(reopen.status, StatusCode::FORBIDDEN);
    let open = practitioner
        .post("/api/v1/cases", json!({ "service": "recovery", "source": "staff", "summary": "x", "person": { "given_name": "A", "family_name": "B" } }))
        .await;
    assert_eq!(open.status, StatusCode::FORBIDDEN);
    // The administrator may not read history (no history.read in that role).
    assert_eq!(admin.get(&format!("/api/v1/cases/{id}/history")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(server.counts().await, before);
}

#[tokio::test]
async fn a_referrer_without_case_access_sees_only_their_own_referrals() {
    let server = spawn().await;
    let tpd = server.user("tpd", &["deanery:training-programme-director"]).await;
    let other_tpd = server.user("tpd2", &["deanery:training-programme-director"]).await;
    let dean = server.user("ddean", &["deanery:deputy-dean"]).await;
    let person = dean.post("/api/v1/people", json!({ "given_name": "Priya", "family_name": "Shah", "identifiers": [{ "kind": "gmc-number", "value": "7654321" }] })).await;
    assert_eq!(person.status, StatusCode::CREATED);
    let person_id = person.body["id"].as_str().unwrap();
    let referral = tpd
        .post(
            "/api/v1/referrals",
            json!({ "person": person_id, "service": "deanery", "source": "form", "summary": "Trainee struggling after a serious incident",
                "forms": [{ "form": "form-1", "answers": { "summary": "Serious incident on nights" } },
                          { "form": "form-2", "answers": { "communication": "Withdrawn since the incident" } }] }),
        )
        .await;
    assert_eq!(referral.status, StatusCode::CREATED, "{referral:?}");
    let referral_id = referral.body["id"].as_str().unwrap();
    assert_eq!(tpd.get(&format!("/api/v1/referrals/{referral_id}")).await.status, StatusCode::OK);
    assert_eq!(other_tpd.get(&format!("/api/v1/referrals/{referral_id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other_tpd.get("/api/v1/referrals").await.body["items"], json!([]));
    assert_eq!(dean.get("/api/v1/referrals?service=deanery&outcome=pending").await.body["items"].as_array().unwrap().len(), 1);
    // Accepted into a case, the referrer still cannot open the case record.
    let accepted = dean.post(&format!("/api/v1/referrals/{referral_id}/acceptance"), json!({ "level": "level-2" })).await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{accepted:?}");
    let case_id = accepted.body["case"]["id"].as_str().unwrap();
    assert_eq!(tpd.get(&format!("/api/v1/cases/{case_id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(dean.get(&format!("/api/v1/cases/{case_id}")).await.status, StatusCode::OK);
    // The TPD cannot decide referrals.
    let second = tpd
        .post(
            "/api/v1/referrals",
            json!({ "person": person_id, "service": "deanery", "source": "form", "summary": "Another concern" }),
        )
        .await;
    let second_id = second.body["id"].as_str().unwrap();
    assert_eq!(tpd.post(&format!("/api/v1/referrals/{second_id}/filing"), json!({})).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn nobody_opens_a_case_they_could_not_see_or_hands_work_to_someone_who_cannot() {
    let server = spawn().await;
    let caseworker = server.user("cw", &["child-survivor:caseworker"]).await;
    let supervisor = server.user("sup", &["child-survivor:supervisor"]).await;
    let focal_point = server.user("focal", &["child-survivor:focal-point"]).await;
    let stranger = server.user("stranger", &["recovery:recovery-practitioner"]).await;
    let before = server.counts().await;
    let body = json!({ "service": "child-survivor", "source": "self-referral", "summary": "Disclosed at first contact",
        "person": { "given_name": "Ama", "family_name": "Mensah" } });
    let unseen = caseworker.post("/api/v1/cases", body.clone()).await;
    assert_eq!(unseen.status, StatusCode::UNPROCESSABLE_ENTITY, "{unseen:?}");
    assert_eq!(unseen.fields(), ["worker"]);
    assert_eq!(server.counts().await, before);
    let mut mine = body.clone();
    mine["worker"] = json!(caseworker.id());
    let opened = caseworker.post("/api/v1/cases", mine).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{opened:?}");
    let id = opened.body["id"].as_str().unwrap();
    let task = json!({ "title": "Safety plan", "assignee": { "type": "user", "id": stranger.id() } });
    let refused = caseworker.post(&format!("/api/v1/cases/{id}/tasks"), task).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.fields(), ["assignee"]);
    // A supervisor reaches the cases of their teams; this case is in none of them.
    let to_supervisor = json!({ "title": "Review the safety plan", "assignee": { "type": "user", "id": supervisor.id() } });
    assert_eq!(
        caseworker.post(&format!("/api/v1/cases/{id}/tasks"), to_supervisor).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let to_focal_point = json!({ "title": "Review the safety plan", "assignee": { "type": "user", "id": focal_point.id() } });
    assert_eq!(caseworker.post(&format!("/api/v1/cases/{id}/tasks"), to_focal_point).await.status, StatusCode::CREATED);
}
