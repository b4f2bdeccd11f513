//! Referrals: recorded, decided once, and made again after a decline.

use crate::harness::spawn;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_referral_is_accepted_rejected_or_filed_once_and_can_be_made_again() {
    let server = spawn().await;
    let admin = server.user("admin", &["recovery:administrator"]).await;
    let peer = server.user("peer", &["recovery:recovery-peer"]).await;
    let practitioner = server.user("prac", &["recovery:recovery-practitioner"]).await;
    let person = admin
        .post(
            "/api/v1/people",
            json!({ "given_name": "Dan", "family_name": "Reilly", "date_of_birth": "1990-05-04",
            "identifiers": [{ "kind": "prison-number", "value": "a1234bc" }] }),
        )
        .await;
    assert_eq!(person.status, StatusCode::CREATED, "{person:?}");
    assert_eq!(person.body["identifiers"][0]["value"], "A1234BC");
    let person_id = person.body["id"].as_str().unwrap().to_owned();
    let duplicate = admin.post("/api/v1/people", json!({ "given_name": "Daniel", "family_name": "Reilly", "identifiers": [{ "kind": "prison-number", "value": "A1234BC" }] })).await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(duplicate.fields(), ["identifiers/0/value"]);

    // A peer can pass on a self-referral but cannot see it afterwards (no referral.read).
    let referral = peer
        .post(
            "/api/v1/referrals",
            json!({ "person": person_id, "service": "recovery", "source": "self-referral", "summary": "Wants help with alcohol",
            "forms": [{ "form": "self-referral-form", "answers": { "wing": "B wing", "handed_in_by": "recovery peer" } }] }),
        )
        .await;
    assert_eq!(referral.status, StatusCode::CREATED, "{referral:?}");
    let first = referral.body["id"].as_str().unwrap().to_owned();
    assert_eq!(referral.body["outcome"], "pending");
    assert_eq!(referral.body["forms"][0]["answers"]["wing"], "B wing");
    assert_eq!(referral.body["forms"][0]["completed_by"], "subject", "a self-referral form is the person's own");
    assert_eq!(peer.get(&format!("/api/v1/referrals/{first}")).await.status, StatusCode::NOT_FOUND);

    let bad = admin.post(&format!("/api/v1/referrals/{first}/rejection"), json!({ "reason": "not-a-reason" })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.fields(), ["reason"]);
    let rejected = admin
        .post(
            &format!("/api/v1/referrals/{first}/rejection"),
            json!({ "reason": "declined-referral", "explanation": "Did not want to engage today" }),
        )
        .await;
    assert_eq!(rejected.status, StatusCode::OK, "{rejected:?}");
    assert_eq!(rejected.body["outcome"], "rejected");
    let twice = admin.post(&format!("/api/v1/referrals/{first}/filing"), json!({})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // Self-referral is allowed again at any time after a decline.
    let again = peer
        .post("/api/v1/referrals", json!({ "person": person_id, "service": "recovery", "source": "self-referral", "summary": "Ready now", "previous": first }))
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "{again:?}");
    assert_eq!(again.body["previous"], first.as_str());
    let second = again.body["id"].as_str().unwrap().to_owned();
    let pending = admin.get("/api/v1/referrals?outcome=pending").await;
    assert_eq!(pending.body["items"].as_array().unwrap().len(), 1);
    let accepted = admin
        .post(&format!("/api/v1/referrals/{second}/acceptance"), json!({ "level": "dependence", "worker": practitioner.id() }))
        .await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{accepted:?}");
    let case = &accepted.body["case"];
    assert_eq!(case["level"], "dependence");
    assert_eq!(case["worker"], practitioner.id());
    assert_eq!(accepted.body["referral"]["case"], case["id"]);
    let case_id = case["id"].as_str().unwrap();
    assert_eq!(practitioner.get(&format!("/api/v1/cases/{case_id}")).await.status, StatusCode::OK);
    // A filed referral can be remade too; an accepted one cannot.
    let remade_accepted = peer
        .post(
            "/api/v1/referrals",
            json!({ "person": person_id, "service": "recovery", "source": "self-referral", "summary": "x", "previous": second }),
        )
        .await;
    assert_eq!(remade_accepted.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(remade_accepted.fields(), ["previous"]);
}

#[tokio::test]
async fn allocation_to_someone_outside_the_service_is_refused() {
    let server = spawn().await;
    let admin = server.user("admin", &["recovery:administrator"]).await;
    let stranger = server.user("stranger", &["deanery:deputy-dean"]).await;
    let case = admin.open_case("recovery", "Alloc").await;
    let id = case["id"].as_str().unwrap();
    let before = server.counts().await;
    let answer = admin.post(&format!("/api/v1/cases/{id}/allocation"), json!({ "version": 1, "worker": stranger.id() })).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.fields(), ["worker"]);
    assert_eq!(server.counts().await, before);
}
