//! Management alerts and reminders from the family-court service's own rules, with the
//! test's clock: each fires once, to the right role, and is acknowledged with a note.

use crate::harness::{Client, TestServer, spawn};
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn weeks(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * 7 * n)
}

async fn inbox(client: &Client) -> Vec<Value> {
    let answer = client.get("/api/v1/alerts?limit=200").await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    answer.body["items"].as_array().unwrap().clone()
}

fn rules(alerts: &[Value]) -> Vec<String> {
    let mut rules: Vec<String> =
        alerts.iter().map(|a| format!("{}#{}", a["rule"].as_str().unwrap_or("reminder"), a["occurrence"])).collect();
    rules.sort();
    rules
}

async fn open_public_law_case(server: &TestServer) -> (Client, String) {
    let manager = server.user("sm", &["family-court:service-manager"]).await;
    server.make_user("hop", &["family-court:head-of-practice"], false).await;
    let opened = manager
        .post(
            "/api/v1/cases",
            json!({ "service": "family-court", "source": "agency", "summary": "Care proceedings issued", "level": "public-law-s31",
                "person": { "given_name": "Mia", "family_name": "Brennan" },
                "forms": [{ "form": "court-application", "answers": { "application": "C110A: care order (section 31)" } }] }),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{opened:?}");
    (manager, opened.body["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_public_law_case_alerts_the_service_manager_at_38_weeks_then_every_3_and_the_head_of_practice_at_45() {
    let server = spawn().await;
    let (_, id) = open_public_law_case(&server).await;
    server.advance(weeks(38) - SignedDuration::from_mins(1));
    assert_eq!(server.app.sweep_alerts().await.unwrap(), 0);
    server.advance(SignedDuration::from_mins(1));
    assert_eq!(server.app.sweep_alerts().await.unwrap(), 1);
    assert_eq!(server.app.sweep_alerts().await.unwrap(), 0, "each occurrence fires once");
    let (manager, head) = (server.sign_in("sm").await, server.sign_in("hop").await);
    let raised = inbox(&manager).await;
    assert_eq!(rules(&raised), ["public-law-38-weeks#1"]);
    assert_eq!(raised[0]["case"], id.as_str());
    assert!(raised[0]["case_reference"].as_str().unwrap().starts_with("FCSW-"));
    assert_eq!(inbox(&head).await, Vec::<Value>::new());

    for _ in 0..7 {
        server.advance(weeks(1));
        server.app.sweep_alerts().await.unwrap();
    }
    // Now at 45 weeks: the manager had 38 and 41 (44 too), the head of practice 45.
    let (manager, head) = (server.sign_in("sm").await, server.sign_in("hop").await);
    assert_eq!(rules(&inbox(&manager).await), ["public-law-38-weeks#1", "public-law-38-weeks#2", "public-law-38-weeks#3"]);
    assert_eq!(rules(&inbox(&head).await), ["public-law-45-weeks#1"]);
    // Rules for other case types never fired.
    let all = manager.get(&format!("/api/v1/cases/{id}/alerts")).await;
    assert!(all.body.as_array().unwrap().iter().all(|a| a["rule"].as_str().unwrap().starts_with("public-law")));
}

#[tokio::test]
async fn after_a_clock_jump_only_the_latest_missed_occurrence_fires() {
    let server = spawn().await;
    let (_, _) = open_public_law_case(&server).await;
    server.advance(weeks(52));
    // The manager's rule is at its 5th occurrence (38, 41, 44, 47, 50), the head's at its 2nd (45, 50).
    assert_eq!(server.app.sweep_alerts().await.unwrap(), 2);
    let manager = server.sign_in("sm").await;
    assert_eq!(rules(&inbox(&manager).await), ["public-law-38-weeks#5"]);
}

#[tokio::test]
async fn a_risk_flag_alerts_at_once_then_every_10_weeks_until_removed_and_is_acknowledged_with_a_note() {
    let server = spawn().await;
    let (manager, id) = open_public_law_case(&server).await;
    let flagged = manager.post(&format!("/api/v1/cases/{id}/flags"), json!({ "version": 1, "flag": "risk-cse" })).await;
    assert_eq!(flagged.status, StatusCode::OK, "{flagged:?}");
    let raised = inbox(&manager).await;
    assert_eq!(rules(&raised), ["risk-cse-flag#1"], "at once, without waiting for a sweep");
    let alert = raised[0]["id"].as_str().unwrap().to_owned();

    let adviser = server.user("fca", &["family-court:family-court-adviser"]).await;
    let not_theirs = adviser.post(&format!("/api/v1/alerts/{alert}/acknowledgement"), json!({ "note": "x" })).await;
    assert_eq!(not_theirs.status, StatusCode::NOT_FOUND);
    let empty = manager.post(&format!("/api/v1/alerts/{alert}/acknowledgement"), json!({ "note": " " })).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let acknowledged = manager
        .post(
            &format!("/api/v1/alerts/{alert}/acknowledgement"),
            json!({ "note": "Discussed with the FCA; CSE screening booked." }),
        )
        .await;
    assert_eq!(acknowledged.status, StatusCode::OK, "{acknowledged:?}");
    assert_eq!(acknowledged.body["acknowledged_by"], manager.id());
    assert_eq!(inbox(&manager).await, Vec::<Value>::new());
    let again = manager.post(&format!("/api/v1/alerts/{alert}/acknowledgement"), json!({ "note": "again" })).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let notes = manager.get(&format!("/api/v1/cases/{id}/notes")).await;
    assert_eq!(notes.body["items"][0]["id"], acknowledged.body["acknowledgement"]);
    assert_eq!(notes.body["items"][0]["body"], "Discussed with the FCA; CSE screening booked.");

    server.advance(weeks(10));
    assert_eq!(server.app.sweep_alerts().await.unwrap(), 1);
    let manager = server.sign_in("sm").await;
    let case = manager.get(&format!("/api/v1/cases/{id}")).await;
    let version = case.body["version"].as_i64().unwrap();
    assert_eq!(manager.delete(&format!("/api/v1/cases/{id}/flags/risk-cse?version={version}")).await.status, StatusCode::OK);
    server.advance(weeks(30));
    server.app.sweep_alerts().await.unwrap();
    let manager = server.sign_in("sm").await;
    let flag_alerts: Vec<String> = rules(&inbox(&manager).await).into_iter().filter(|r| r.starts_with("risk-cse")).collect();
    assert_eq!(flag_alerts, ["risk-cse-flag#2"], "nothing after the flag was removed");
}

#[tokio::test]
async fn a_practitioner_asks_for_a_review_on_a_chosen_day() {
    let server = spawn().await;
    let (manager, id) = open_public_law_case(&server).await;
    let adviser = server.user("fca", &["family-court:family-court-adviser"]).await;
    manager.post(&format!("/api/v1/cases/{id}/allocation"), json!({ "version": 1, "worker": adviser.id() })).await;
    let bad = adviser
        .post(
            &format!("/api/v1/cases/{id}/reminders"),
            json!({ "to": { "type": "role", "id": "wizard" }, "on": "yesterday", "message": "" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = bad.fields();
    fields.sort();
    assert_eq!(fields, ["message", "on"]);
    let set = adviser
        .post(&format!("/api/v1/cases/{id}/reminders"), json!({ "to": { "type": "role", "id": "service-manager" }, "on": "2026-03-20", "message": "Please review before the hearing" }))
        .await;
    assert_eq!(set.status, StatusCode::CREATED, "{set:?}");
    assert_eq!(inbox(&manager).await.iter().filter(|a| a["rule"].is_null()).count(), 0, "not before its day");
    server.clock.set("2026-03-20T08:00:00Z".parse().unwrap());
    let manager = server.sign_in("sm").await;
    let due: Vec<Value> = inbox(&manager).await.into_iter().filter(|a| a["rule"].is_null()).collect();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0]["message"], "Please review before the hearing");
    assert_eq!(due[0]["created_by"], adviser.id());
}
