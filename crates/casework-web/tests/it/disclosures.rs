//! Sharing on a recorded basis: every share, referral out, transfer and export is checked
//! against its basis and recorded with it, or refused with the reason at the field and
//! nothing written; withdrawing consent flags what was shared under it and tells the worker
//! at once; an export is the case's bundle, logged before it is served.

use crate::harness::{Client, TestServer, spawn};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Read;

fn disclosure(kind: &str, basis: &str) -> Value {
    json!({
        "kind": kind,
        "recipient_organisation": "Local authority children's services",
        "recipient_person": "Duty social worker",
        "sent_how": "Secure email",
        "summary": "Safety plan and the latest assessment",
        "basis": basis,
        "reason": "So the child is kept safe at home",
    })
}

async fn consent(client: &Client, case: &str, kind: &str, given_by: &str, until: Option<&str>) -> String {
    let answer = client
        .post(
            &format!("/api/v1/cases/{case}/consents"),
            json!({ "kind": kind, "given_by": given_by, "relationship": "mother", "scope": "Safety plan",
                    "with_whom": "Children's services", "how": "written", "given_on": "2026-03-01", "until": until }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    format!("consent:{}", answer.body["id"].as_str().unwrap())
}

/// Unzips a bundle into its files by name.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut files = std::collections::BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        files.insert(file.name().unwrap().to_string(), text);
    }
    files
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn each_kind_is_recorded_on_a_consent_and_on_a_statutory_basis_that_allows_it() {
    let server = spawn().await;
    let manager = server.user("manager", &["family-court:service-manager"]).await;
    let case = manager.open_case("family-court", "Shared").await;
    let id = case["id"].as_str().unwrap();
    let on_consent = consent(&manager, id, "consent", "Jo Bloggs", None).await;
    let statutory = [
        ("share", "statutory:court-direction"),
        ("referral-out", "statutory:child-protection-referral"),
        ("transfer", "statutory:court-direction"),
        ("export", "statutory:court-direction"),
    ];
    for (kind, basis) in statutory {
        for basis in [on_consent.as_str(), basis] {
            let path = format!("/api/v1/cases/{id}/disclosures");
            if kind == "export" {
                let (status, headers, bytes) = manager.post_for_bytes(&path, disclosure(kind, basis)).await;
                assert_eq!(status, StatusCode::OK, "export on {basis}");
                assert_eq!(headers["content-type"], "application/zip");
                assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"FCSW-"));
                assert!(unzip(&bytes).contains_key("case.json"));
            } else {
                let answer = manager.post(&path, disclosure(kind, basis)).await;
                assert_eq!(answer.status, StatusCode::CREATED, "{kind} on {basis}: {answer:?}");
                assert_eq!(answer.body["kind"], kind);
                assert_eq!(answer.body["basis"], basis);
                assert_eq!(answer.body["recipient"]["person"], "Duty social worker");
            }
        }
    }
    let listed = manager.get(&format!("/api/v1/cases/{id}/disclosures")).await;
    let items = listed.body.as_array().unwrap();
    assert_eq!(items.len(), 8);
    assert!(items.iter().all(|d| d["consent_withdrawn"].is_null()));
    assert_eq!(items.iter().filter(|d| d["export_sha256"].is_string()).count(), 2, "each export keeps its checksum");
    let history = manager.get(&format!("/api/v1/cases/{id}/history")).await;
    let recorded = history.body["items"].as_array().unwrap().iter().filter(|e| e["kind"] == "disclosure-recorded").count();
    assert_eq!(recorded, 8);

    // The statutory bases are part of the service's published definition.
    let services = manager.get("/api/v1/services").await;
    let ombudsman = services.body.as_array().unwrap().iter().find(|s| s["code"] == "ombudsman").unwrap().clone();
    let bases = ombudsman["definition"]["statutory_bases"].as_array().unwrap();
    assert_eq!(bases[0]["code"], "ombudsmen-consultation");
    assert!(bases[0]["law"].as_str().unwrap().contains("Local Government Act 1974, section 33"));
    assert_eq!(bases[0]["allows"], json!(["share"]));
}

/// Posts a disclosure that must be refused at `basis` with `message` in it, and checks that
/// nothing at all was written (the access log included, for exports).
async fn refused(server: &TestServer, client: &Client, case: &str, kind: &str, basis: &str, message: &str) {
    let before = server.counts().await;
    let logged = server.count("access_log").await;
    let answer = client.post(&format!("/api/v1/cases/{case}/disclosures"), disclosure(kind, basis)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{kind} on {basis:?}: {answer:?}");
    assert_eq!(answer.fields(), ["basis"]);
    let said = answer.body["errors"][0]["message"].as_str().unwrap();
    assert!(said.contains(message), "{said}");
    assert_eq!(server.counts().await, before, "{kind} on {basis:?} wrote nothing");
    assert_eq!(server.count("access_log").await, logged, "{kind} on {basis:?} logged nothing");
}

#[tokio::test]
async fn a_disclosure_without_a_valid_basis_is_refused_with_the_reason_and_nothing_written() {
    let server = spawn().await;
    let manager = server.user("manager", &["family-court:service-manager"]).await;
    let case = manager.open_case("family-court", "Guarded").await;
    let id = case["id"].as_str().unwrap();
    let other_case = manager.open_case("family-court", "Other").await;
    let elsewhere = consent(&manager, other_case["id"].as_str().unwrap(), "consent", "Someone Else", None).await;
    let withdrawn = consent(&manager, id, "consent", "Jo Bloggs", None).await;
    let expiring = consent(&manager, id, "consent", "Ann Carer", Some("2026-03-10")).await;
    let assent = consent(&manager, id, "assent", "Sam", None).await;
    let path = format!("/api/v1/cases/{id}/consents/{}/withdrawal", withdrawn.trim_start_matches("consent:"));
    assert_eq!(manager.post(&path, json!({ "reason": "Phoned to withdraw" })).await.status, StatusCode::OK);

    for kind in ["share", "export"] {
        refused(&server, &manager, id, kind, "", "choose the basis for this disclosure").await;
        refused(
            &server,
            &manager,
            id,
            kind,
            &withdrawn,
            "Consent given by Jo Bloggs was withdrawn on 10 March 2026; choose a statutory basis or record new consent",
        )
        .await;
        refused(&server, &manager, id, kind, &elsewhere, "that consent is not recorded on this case").await;
        refused(&server, &manager, id, kind, &assent, "Sam's assent is not consent on its own").await;
        refused(
            &server,
            &manager,
            id,
            kind,
            "statutory:ombudsmen-consultation",
            "'ombudsmen-consultation' is not a statutory basis of Family-court social work",
        )
        .await;
    }
    refused(
        &server,
        &manager,
        id,
        "referral-out",
        "statutory:court-direction",
        "does not allow a referral out, only: share, transfer, export",
    )
    .await;
    refused(&server, &manager, id, "transfer", "statutory:child-protection-referral", "does not allow a transfer").await;

    // A consent holds through its last day and not a day more.
    let answer = manager.post(&format!("/api/v1/cases/{id}/disclosures"), disclosure("share", &expiring)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "on its last day: {answer:?}");
    server.advance(jiff::SignedDuration::from_hours(24));
    let manager = server.sign_in("manager").await;
    refused(&server, &manager, id, "share", &expiring, "Consent given by Ann Carer ran out on 10 March 2026").await;
}

#[tokio::test]
async fn withdrawing_consent_flags_the_disclosures_made_under_it_and_tells_the_worker_at_once() {
    let server = spawn().await;
    let manager = server.user("manager", &["family-court:service-manager"]).await;
    let worker = server.user("worker", &["family-court:family-court-adviser"]).await;
    let case = manager.open_case("family-court", "Withdrawing").await;
    let id = case["id"].as_str().unwrap();
    let allocated = manager
        .post(&format!("/api/v1/cases/{id}/allocation"), json!({ "version": case["version"], "worker": worker.id() }))
        .await;
    assert_eq!(allocated.status, StatusCode::OK, "{allocated:?}");
    let given = consent(&manager, id, "consent", "Jo Bloggs", None).await;
    let kept = consent(&manager, id, "consent", "Ann Carer", None).await;
    let path = format!("/api/v1/cases/{id}/disclosures");
    for basis in [given.as_str(), given.as_str(), kept.as_str(), "statutory:court-direction"] {
        assert_eq!(manager.post(&path, disclosure("share", basis)).await.status, StatusCode::CREATED);
    }
    assert!(worker.get("/api/v1/alerts").await.body["items"].as_array().unwrap().is_empty());

    let withdrawal = format!("/api/v1/cases/{id}/consents/{}/withdrawal", given.trim_start_matches("consent:"));
    assert_eq!(manager.post(&withdrawal, json!({ "reason": "Phoned the office" })).await.status, StatusCode::OK);

    // In the same request: both shares under it are flagged, the others are not…
    let listed = worker.get(&path).await;
    let items = listed.body.as_array().unwrap();
    let flagged: Vec<&Value> = items.iter().filter(|d| !d["consent_withdrawn"].is_null()).collect();
    assert_eq!(flagged.len(), 2);
    assert!(flagged.iter().all(|d| d["basis"] == given.as_str()));
    assert_eq!(flagged[0]["consent_withdrawn"]["consent"], given.trim_start_matches("consent:"));
    // …and the worker has an alert saying so.
    let alerts = worker.get("/api/v1/alerts").await;
    let messages: Vec<&str> = alerts.body["items"].as_array().unwrap().iter().filter_map(|a| a["message"].as_str()).collect();
    assert_eq!(
        messages,
        ["Consent given by Jo Bloggs was withdrawn: 2 disclosures made under it are flagged; tell the recipients"]
    );
    let history = manager.get(&format!("/api/v1/cases/{id}/history")).await;
    let kinds: Vec<&str> = history.body["items"].as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "disclosure-flagged").count(), 2);

    // The page marks them.
    let page = server.page_user("worker").await;
    let (status, html) = page.get(&format!("/cases/{id}/sharing")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("cw-consent-withdrawn").count(), 2, "{html}");

    // Not even the database lets a disclosure or its flag be changed.
    let mut direct = server.raw_connection().await;
    for statement in [
        "UPDATE disclosures SET summary = 'nothing'",
        "DELETE FROM disclosures",
        "UPDATE disclosure_flags SET withdrawn_at = 0",
        "DELETE FROM disclosure_flags",
    ] {
        assert!(sqlx::query(statement).execute(&mut direct).await.is_err(), "{statement} was allowed");
    }
}

#[tokio::test]
async fn roles_without_case_share_are_refused_and_those_who_cannot_see_the_case_are_told_nothing() {
    let server = spawn().await;
    let lead = server.user("lead", &["recovery:care-coordinator"]).await;
    let auditor = server.user("auditor", &["recovery:auditor"]).await;
    let peer = server.user("peer", &["recovery:recovery-peer"]).await;
    let court = server.user("court", &["family-court:service-manager"]).await;
    let case = lead.open_case("recovery", "Private").await;
    let id = case["id"].as_str().unwrap();
    let path = format!("/api/v1/cases/{id}/disclosures");
    let before = server.counts().await;
    let answer = auditor.post(&path, disclosure("share", "statutory:risk-of-serious-harm")).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "the auditor sees the case but may not share it");
    let (status, _, _) = auditor.post_for_bytes(&path, disclosure("export", "statutory:risk-of-serious-harm")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for outsider in [&peer, &court] {
        assert_eq!(
            outsider.post(&path, disclosure("share", "statutory:risk-of-serious-harm")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(outsider.get(&path).await.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(server.counts().await, before);
    assert_eq!(auditor.get(&path).await.status, StatusCode::OK, "reading what was shared needs only sight of the case");

    // The same through the pages.
    let auditor_page = server.page_user("auditor").await;
    let (_, html) = auditor_page.get(&format!("/cases/{id}/sharing")).await;
    assert!(!html.contains("action=\"/cases/{id}/disclosures\""), "no form for those who may not share");
    let body = "kind=share&basis=statutory:risk-of-serious-harm&recipient_organisation=GP&sent_how=post&summary=Plan&reason=Risk";
    assert_eq!(auditor_page.post(&format!("/cases/{id}/disclosures"), body).await.status(), StatusCode::FORBIDDEN);
    let peer_page = server.page_user("peer").await;
    assert_eq!(peer_page.post(&format!("/cases/{id}/disclosures"), body).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(server.counts().await, before);
}

#[tokio::test]
async fn an_export_is_the_cases_bundle_logged_before_it_is_served_and_nothing_is_served_if_it_cannot_be_logged() {
    let server = spawn().await;
    let lead = server.user("lead", &["recovery:care-coordinator"]).await;
    let case = lead.open_case("recovery", "Exported").await;
    let id = case["id"].as_str().unwrap();
    let note = lead
        .post(
            &format!("/api/v1/cases/{id}/notes"),
            json!({ "kind": "contact", "body": "Seen on the wing <script>alert(1)</script>" }),
        )
        .await;
    let note_id = note.body["id"].as_str().unwrap();
    lead.post(&format!("/api/v1/cases/{id}/notes/{note_id}/addenda"), json!({ "body": "Correction: seen in healthcare" })).await;
    lead.post(
        &format!("/api/v1/cases/{id}/tasks"),
        json!({ "title": "Book the review", "assignee": { "type": "role", "id": "support-worker" } }),
    )
    .await;
    let agreed = consent(&lead, id, "consent", "Sam Exported", None).await;
    let other = lead.open_case("recovery", "Elsewhere").await;
    lead.post(
        &format!("/api/v1/cases/{}/notes", other["id"].as_str().unwrap()),
        json!({ "kind": "contact", "body": "Another client's secret" }),
    )
    .await;

    let path = format!("/api/v1/cases/{id}/disclosures");
    let (status, _, bytes) = lead.post_for_bytes(&path, disclosure("export", &agreed)).await;
    assert_eq!(status, StatusCode::OK);
    let files = unzip(&bytes);
    assert_eq!(files.keys().collect::<Vec<_>>(), ["case.html", "case.json"]);
    let document: Value = serde_json::from_str(&files["case.json"]).unwrap();
    assert_eq!(document["case"]["case"]["reference"], case["reference"]);
    assert_eq!(document["notes"][0]["body"], "Seen on the wing <script>alert(1)</script>");
    assert_eq!(document["notes"][0]["addenda"][0]["body"], "Correction: seen in healthcare");
    assert_eq!(document["tasks"][0]["title"], "Book the review");
    assert_eq!(document["consents"][0]["given_by"], "Sam Exported");
    let html = &files["case.html"];
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Seen on the wing &lt;script&gt;"), "{html}");
    assert!(html.contains("Correction: seen in healthcare") && !html.contains("<script>"));
    for text in [&files["case.json"], html] {
        assert!(!text.contains("Another client's secret") && !text.contains("Another client&#39;s secret"));
    }
    // The record keeps the checksum of exactly what was served, and the access log has it.
    let listed = lead.get(&path).await;
    assert_eq!(listed.body[0]["export_sha256"], hex_sha256(&bytes));
    let mut conn = server.app.store.read().await.unwrap();
    let exports: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM access_log WHERE case_id = $1 AND what = 'export'")
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(exports, 1);

    // When the access log cannot be written, nothing is recorded and nothing is served.
    server.refuse_access_log_writes().await;
    let before = server.counts().await;
    let (status, headers, bytes) = lead.post_for_bytes(&path, disclosure("export", &agreed)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_ne!(headers["content-type"], "application/zip");
    assert!(zip::ZipArchive::new(std::io::Cursor::new(&bytes)).is_err(), "no bundle in the answer");
    assert_eq!(server.counts().await, before, "no disclosure recorded");
    let page = server.page_user("lead").await;
    let body = format!("kind=export&basis={agreed}&recipient_organisation=GP&sent_how=download&summary=All&reason=Asked");
    let body = body.as_str();
    let answer = page.post(&format!("/cases/{id}/disclosures"), body).await;
    assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_ne!(answer.headers()["content-type"], "application/zip");
    server.allow_access_log_writes().await;
    let answer = page.post(&format!("/cases/{id}/disclosures"), body).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["content-type"], "application/zip");
}

#[tokio::test]
async fn the_sharing_page_records_a_share_and_shows_a_refusal_at_the_basis() {
    let server = spawn().await;
    let lead = server.user("lead", &["ombudsman:team-coordinator"]).await;
    let case = lead.open_case("ombudsman", "Complainant").await;
    let id = case["id"].as_str().unwrap();
    let page = server.page_user("lead").await;
    let (status, html) = page.get(&format!("/cases/{id}/sharing")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("aria-current=\"page\" href=\"/cases/{id}/sharing\"".replace("{id}", id).as_str()));
    assert!(html.contains("value=\"statutory:ombudsmen-consultation\""), "the consultation allows a share");
    let (_, transfer) = page.get(&format!("/cases/{id}/sharing?kind=transfer")).await;
    assert!(!transfer.contains("value=\"statutory:ombudsmen-consultation\""), "but not a transfer");

    let before = server.counts().await;
    let body = "kind=share&basis=&recipient_organisation=PHSO&sent_how=Secure+email&summary=The+complaint&reason=Initial+look";
    let answer = page.post(&format!("/cases/{id}/disclosures"), body).await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = answer.text().await.unwrap();
    assert!(html.contains("href=\"#disclosure-basis\"") && html.contains("id=\"disclosure-basis-error\""), "{html}");
    assert!(html.contains("value=\"PHSO\""), "what was typed is kept");
    assert_eq!(server.counts().await, before);

    let body = body.replace("basis=&", "basis=statutory:ombudsmen-consultation&");
    let answer = page.post(&format!("/cases/{id}/disclosures"), &body).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let (_, html) = page.get(&format!("/cases/{id}/sharing?done=disclosure")).await;
    assert!(html.contains("The disclosure was recorded with its basis"));
    assert!(html.contains("Statutory consultation between the ombudsmen") && html.contains("PHSO"));
}
