//! Consent to share: recorded with who, for whom, what, with whom, how and when; a child's
//! assent beside a carer's consent; withdrawal at once; the status on the case header; never
//! changed in place.

use crate::harness::spawn;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn consent_is_recorded_shown_in_the_header_and_withdrawn_at_once() {
    let server = spawn().await;
    let worker = server.user("worker", &["recovery:care-coordinator"]).await;
    server.make_user("other", &["child-survivor:supervisor"], false).await;
    let case = worker.open_case("recovery", "Consenting").await;
    let id = case["id"].as_str().unwrap();
    let page = server.page_user("worker").await;

    let (_, html) = page.get(&format!("/cases/{id}")).await;
    assert!(html.contains("Consent: <a") && html.contains(">not recorded<"), "the header says no consent is recorded");

    // A bad consent names every field and writes nothing.
    let before = server.counts().await;
    let bad = worker
        .post(&format!("/api/v1/cases/{id}/consents"), json!({ "given_by": "", "relationship": "mother", "scope": "Plan", "with_whom": "School", "how": "by pigeon", "given_on": "2099-01-01" }))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = bad.fields();
    fields.sort();
    assert_eq!(fields, ["given_by", "given_on", "how"]);
    let refused = page
        .post(
            &format!("/cases/{id}/consents"),
            "kind=consent&given_by=&relationship=mother&scope=Plan&with_whom=School&given_on=2026-03-01",
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("href=\"#consent-given_by\"") && html.contains("href=\"#consent-how\""), "{html}");
    assert_eq!(server.counts().await, before);

    // The carer's written consent and the child's verbal assent, from the page.
    let given = page
        .post(&format!("/cases/{id}/consents"), "kind=consent&given_by=Jo+Bloggs&relationship=mother&scope=Assessment+and+safety+plan&with_whom=School+nurse&how=written&given_on=2026-03-01")
        .await;
    assert_eq!(given.status(), StatusCode::SEE_OTHER);
    let assent = page
        .post(&format!("/cases/{id}/consents"), "kind=assent&given_by=Sam&relationship=self&scope=Safety+plan&with_whom=School+nurse&how=verbal&given_on=2026-03-02&until=2026-06-30")
        .await;
    assert_eq!(assent.status(), StatusCode::SEE_OTHER);
    let (_, html) = page.get(&format!("/cases/{id}/details")).await;
    assert!(html.contains("Consent by Jo Bloggs (mother) to share Assessment and safety plan with School nurse"));
    assert!(html.contains("Assent by Sam (self)") && html.contains("until 30 June 2026"));
    assert!(html.contains(">given (2 in force)<"), "{html}");

    // Withdrawing: at once, the record stays, and only once.
    let listed = worker.get(&format!("/api/v1/cases/{id}/consents")).await;
    assert_eq!(listed.body["status"], "given (2 in force)");
    let items = listed.body["items"].as_array().unwrap().clone();
    for item in &items {
        let path = format!("/api/v1/cases/{id}/consents/{}/withdrawal", item["id"].as_str().unwrap());
        let withdrawn = worker.post(&path, json!({ "reason": "Changed their mind on the phone" })).await;
        assert_eq!(withdrawn.status, StatusCode::OK, "{withdrawn:?}");
        assert!(withdrawn.body["withdrawn"]["at"].is_string());
        let again = worker.post(&path, json!({ "reason": "Again" })).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
    }
    let (_, html) = page.get(&format!("/cases/{id}")).await;
    assert!(html.contains(">withdrawn<"), "the header shows the withdrawal at once");
    let listed = worker.get(&format!("/api/v1/cases/{id}/consents")).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2, "withdrawn consents stay on the record");
    let history = worker.get(&format!("/api/v1/cases/{id}/history")).await;
    let kinds: Vec<&str> = history.body["items"].as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "consent-recorded").count(), 2);
    assert_eq!(kinds.iter().filter(|k| **k == "consent-withdrawn").count(), 2);

    // Someone from another service sees none of it.
    let other = server.sign_in("other").await;
    assert_eq!(other.get(&format!("/api/v1/cases/{id}/consents")).await.status, StatusCode::NOT_FOUND);

    // Not even the database lets a consent or its withdrawal be changed.
    let mut direct = server.raw_connection().await;
    for statement in [
        "UPDATE consents SET scope = 'everything'",
        "DELETE FROM consents",
        "UPDATE consent_withdrawals SET reason = 'x'",
        "DELETE FROM consent_withdrawals",
    ] {
        assert!(sqlx::query(statement).execute(&mut direct).await.is_err(), "{statement} was allowed");
    }
}

#[tokio::test]
async fn a_consent_or_legal_hold_sent_again_with_its_idempotency_key_is_recorded_once() {
    let server = spawn().await;
    let manager = server.user("manager", &["recovery:service-manager"]).await;
    let case = manager.open_case("recovery", "Retried").await;
    let id = case["id"].as_str().unwrap();
    let consent = json!({ "kind": "consent", "given_by": "Jo Bloggs", "relationship": "self", "scope": "Care plan",
        "with_whom": "GP", "how": "written", "given_on": "2026-03-01" });
    let hold = json!({ "reason": "Claim against the service" });
    for (path, body, table, field) in [
        (format!("/api/v1/cases/{id}/consents"), consent, "consents", "given_by"),
        (format!("/api/v1/cases/{id}/legal-holds"), hold, "legal_holds", "reason"),
    ] {
        let before = server.count(table).await;
        let send = |body: serde_json::Value| {
            let (manager, path) = (manager.clone(), path.clone());
            async move { manager.request(reqwest::Method::POST, &path, Some(body), &[("idempotency-key", "retry-1")]).await }
        };
        let first = send(body.clone()).await;
        assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
        let again = send(body.clone()).await;
        assert!(again.status.is_success(), "{again:?}");
        assert_eq!(again.body["id"], first.body["id"], "{path}: the same record comes back");
        assert_eq!(server.count(table).await, before + 1, "{path}: recorded once");
        let mut changed = body.clone();
        changed[field] = json!("Something else");
        let reused = send(changed).await;
        assert_eq!(reused.status, StatusCode::CONFLICT, "{path}: a key reused for another request is refused: {reused:?}");
        assert_eq!(server.count(table).await, before + 1);
    }
}
