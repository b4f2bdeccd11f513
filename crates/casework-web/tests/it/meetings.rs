//! The deanery's weekly triage: an agenda of the valid referrals, decided in one sitting,
//! each decision written back to its referral and the minute to the new case.

use crate::harness::spawn;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_weekly_triage_decides_each_valid_referral_and_writes_it_back() {
    let server = spawn().await;
    let tpd = server.user("tpd", &["deanery:training-programme-director"]).await;
    let chair = server.user("ddean", &["deanery:deputy-dean"]).await;
    let manager = server.user("cm", &["deanery:clinical-case-manager"]).await;
    let team = server.team("deanery", "Clinical case management", &[&manager]).await;
    let mut referrals = Vec::new();
    for (name, forms) in [
        (
            "Ahmed",
            json!([{ "form": "form-1", "answers": { "summary": "Altercation" } }, { "form": "form-2", "answers": { "communication": "Abrupt" } }]),
        ),
        ("Brook", json!([{ "form": "form-1", "answers": { "summary": "Bereavement" } }])),
        (
            "Chen",
            json!([{ "form": "form-e", "answers": { "examination": "MRCPsych" } }, { "form": "form-2", "answers": { "training_progression": "Delayed" } }]),
        ),
    ] {
        let person = chair.post("/api/v1/people", json!({ "given_name": "Dr", "family_name": name })).await;
        let referral = tpd
            .post("/api/v1/referrals", json!({ "person": person.body["id"], "service": "deanery", "source": "form", "summary": format!("Concern about Dr {name}"), "forms": forms }))
            .await;
        assert_eq!(referral.status, StatusCode::CREATED, "{referral:?}");
        referrals.push(referral.body["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        tpd.post("/api/v1/meetings", json!({ "service": "deanery", "meeting": "triage" })).await.status,
        StatusCode::FORBIDDEN
    );
    let meeting =
        chair.post("/api/v1/meetings", json!({ "service": "deanery", "meeting": "triage", "held_on": "2026-03-10" })).await;
    assert_eq!(meeting.status, StatusCode::CREATED, "{meeting:?}");
    let agenda: Vec<&str> = meeting.body["items"].as_array().unwrap().iter().map(|i| i["referral"].as_str().unwrap()).collect();
    assert_eq!(agenda, [referrals[0].as_str(), referrals[2].as_str()], "only valid referrals, oldest first");
    let id = meeting.body["id"].as_str().unwrap();

    let accepted = chair
        .post(
            &format!("/api/v1/meetings/{id}/items/1/decision"),
            json!({ "outcome": "accept", "level": "level-2", "worker": manager.id(),
            "team": team.to_string(), "minute": "Level 2: clinical case manager to meet the trainee within two weeks." }),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{accepted:?}");
    assert_eq!(accepted.body["items"][0]["outcome"], "accepted");
    let filed = chair
        .post(
            &format!("/api/v1/meetings/{id}/items/2/decision"),
            json!({ "outcome": "file", "minute": "Level 1: back to the trust." }),
        )
        .await;
    assert_eq!(filed.body["items"][1]["outcome"], "kept-on-file");
    let again = chair.post(&format!("/api/v1/meetings/{id}/items/2/decision"), json!({ "outcome": "file", "minute": "x" })).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let wrong = chair.post(&format!("/api/v1/meetings/{id}/items/9/decision"), json!({ "outcome": "file", "minute": "x" })).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);

    let first = chair.get(&format!("/api/v1/referrals/{}", referrals[0])).await;
    assert_eq!(first.body["outcome"], "accepted");
    let case = first.body["case"].as_str().unwrap();
    let view = manager.get(&format!("/api/v1/cases/{case}")).await;
    assert_eq!(view.status, StatusCode::OK, "the allocated case manager sees the new case");
    assert_eq!(view.body["level"], "level-2");
    let notes = manager.get(&format!("/api/v1/cases/{case}/notes")).await;
    assert_eq!(notes.body["items"][0]["kind"], "meeting");
    assert!(notes.body["items"][0]["body"].as_str().unwrap().starts_with("Level 2"));
    assert_eq!(chair.get(&format!("/api/v1/referrals/{}", referrals[2])).await.body["outcome"], "kept-on-file");
    assert_eq!(
        manager.get(&format!("/api/v1/meetings/{id}")).await.status,
        StatusCode::NOT_FOUND,
        "only the chair's role sees the meeting"
    );
    assert_eq!(chair.get(&format!("/api/v1/meetings/{id}")).await.body["items"][1]["minute"], "Level 1: back to the trust.");
}
