//! Subject access requests: recorded and worked like a case with a one-month deadline on
//! the service's working days; answered with a bundle of the person's cases that holds only
//! what may leave the service, says what was withheld, and is in the access log before it is
//! served; only for those who hold `person.export` across the service.

use crate::harness::{Client, PageUser, TestServer, spawn};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Unzips a bundle into its files by name.
fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        files.insert(file.name().unwrap().to_string(), content);
    }
    files
}

fn text(files: &BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(files.get(name).unwrap_or_else(|| panic!("{name} is in the bundle")).clone()).unwrap()
}

/// Records a request and returns it; `body` is completed with sensible details.
async fn record(client: &Client, service: &str, body: Value) -> Value {
    let answer = client.post(&format!("/api/v1/services/{service}/subject-access-requests"), body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    answer.body
}

fn path(request: &Value, rest: &str) -> String {
    format!("/api/v1/subject-access-requests/{}{rest}", request["id"].as_str().unwrap())
}

/// How many access-log entries a case has for `what`.
async fn logged(server: &TestServer, case: &str, what: &str) -> i64 {
    let mut conn = server.app.store.read().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM access_log WHERE case_id = $1 AND what = $2")
        .bind(case)
        .bind(what)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_deadline_is_a_calendar_month_from_identity_on_working_days_and_one_extension_makes_it_three() {
    let server = spawn().await;
    let handler = server.user("handler", &["recovery:service-manager"]).await;
    let person = handler.open_case("recovery", "Deadline").await["subject"]["id"].clone();

    // Received with proof of identity on Friday 6 March 2026: a month later is Easter
    // Monday, a bank holiday in England, so the response is due the day after.
    let on_receipt = record(
        &handler,
        "recovery",
        json!({ "person": person, "received_on": "2026-03-06", "identity_confirmed_on": "2026-03-06" }),
    )
    .await;
    assert!(on_receipt["reference"].as_str().unwrap().starts_with("SAR-DARS-2026-"), "{on_receipt}");
    assert_eq!(on_receipt["status"], "open");
    assert_eq!(on_receipt["clock_started_on"], "2026-03-06");
    assert_eq!(on_receipt["due_on"], "2026-04-07");
    assert_eq!(on_receipt["time_left"], "due in 28 days");
    assert_eq!(on_receipt["representative"], Value::Null);

    // Received on 2 March by a solicitor; no clock until identity is confirmed.
    let awaiting = record(
        &handler,
        "recovery",
        json!({ "person": person, "received_on": "2026-03-02", "representative": "Jo Smith, solicitor, signed authority",
                "details": "Everything about my time in the programme", "include_access_log": true }),
    )
    .await;
    assert_eq!(awaiting["status"], "awaiting-identity");
    assert_eq!(awaiting["due_on"], Value::Null);
    assert_eq!(awaiting["time_left"], Value::Null);
    assert_eq!(awaiting["representative"], "Jo Smith, solicitor, signed authority");
    let later = record(&handler, "recovery", json!({ "person": person, "received_on": "2026-03-09" })).await;

    // A change based on an old version is refused and writes nothing.
    let before = server.counts().await;
    let stale = handler.post(&path(&awaiting, "/identity"), json!({ "version": 0, "confirmed_on": "2026-03-10" })).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{stale:?}");
    assert_eq!(server.counts().await, before);

    // Identity confirmed on 10 March: the clock starts then, a month later is Friday 10 April.
    let confirmed = handler.post(&path(&awaiting, "/identity"), json!({ "version": 1, "confirmed_on": "2026-03-10" })).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{confirmed:?}");
    assert_eq!(confirmed.body["status"], "open");
    assert_eq!(confirmed.body["clock_started_on"], "2026-03-10");
    assert_eq!(confirmed.body["due_on"], "2026-04-10");
    assert_eq!(confirmed.body["time_left"], "due in 31 days");

    // Extended once, before it is due: three months from the start of the clock.
    let extended =
        handler.post(&path(&awaiting, "/extension"), json!({ "version": 2, "reason": "Records in several teams" })).await;
    assert_eq!(extended.status, StatusCode::OK, "{extended:?}");
    assert_eq!(extended.body["due_on"], "2026-06-10");
    assert_eq!(extended.body["extension"]["reason"], "Records in several teams");
    let before = server.counts().await;
    let again = handler.post(&path(&awaiting, "/extension"), json!({ "version": 3, "reason": "More" })).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{again:?}");
    assert!(again.body["detail"].as_str().unwrap().contains("only once"), "{again:?}");
    assert_eq!(server.counts().await, before);

    // Open requests soonest due first; the one whose clock has not started after them.
    let listed = handler.get("/api/v1/services/recovery/subject-access-requests").await;
    assert_eq!(listed.status, StatusCode::OK);
    let order: Vec<&Value> = listed.body["items"].as_array().unwrap().iter().map(|r| &r["id"]).collect();
    assert_eq!(order, [&on_receipt["id"], &awaiting["id"], &later["id"]]);
    assert_eq!(
        server.events_about(awaiting["id"].as_str().unwrap()).await,
        ["subject-access-requested", "subject-access-identity-confirmed", "subject-access-extended"]
    );

    // Once the deadline has passed it shows as overdue and can no longer be extended.
    server.advance(jiff::SignedDuration::from_hours(24 * 30));
    let handler = server.sign_in("handler").await;
    let overdue = handler.get(&path(&on_receipt, "")).await;
    assert_eq!(overdue.body["time_left"], "overdue by 2 days");
    assert_eq!(overdue.body["overdue"], true);
    let late = handler.post(&path(&on_receipt, "/extension"), json!({ "version": 1, "reason": "Complex" })).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(late.body["detail"].as_str().unwrap().contains("passed on 7 April 2026"), "{late:?}");
}

#[tokio::test]
async fn only_those_with_person_export_across_the_service_may_see_or_work_requests() {
    let server = spawn().await;
    let handler = server.user("handler", &["recovery:service-manager"]).await;
    let caseworker = server.user("caseworker", &["recovery:care-coordinator"]).await;
    let auditor = server.user("auditor", &["recovery:auditor"]).await;
    let elsewhere = server.user("elsewhere", &["deanery:deputy-dean"]).await;
    let nobody = server.user("nobody", &[]).await;
    let person = handler.open_case("recovery", "Guarded").await["subject"]["id"].clone();
    let request = record(
        &handler,
        "recovery",
        json!({ "person": person, "received_on": "2026-03-09", "identity_confirmed_on": "2026-03-09" }),
    )
    .await;
    let id = request["id"].as_str().unwrap();

    let writes = [
        (
            "/api/v1/services/recovery/subject-access-requests".to_owned(),
            json!({ "person": person, "received_on": "2026-03-09" }),
        ),
        (path(&request, "/identity"), json!({ "version": 1, "confirmed_on": "2026-03-09" })),
        (path(&request, "/extension"), json!({ "version": 1, "reason": "Complex" })),
        (path(&request, "/export"), json!({})),
        (path(&request, "/response"), json!({ "version": 1, "sent_on": "2026-03-10" })),
        (path(&request, "/refusal"), json!({ "version": 1, "reason": "Excessive" })),
    ];
    for (who, username, expected) in [
        (&caseworker, "caseworker", StatusCode::FORBIDDEN),
        (&auditor, "auditor", StatusCode::FORBIDDEN),
        (&elsewhere, "elsewhere", StatusCode::NOT_FOUND),
        (&nobody, "nobody", StatusCode::NOT_FOUND),
    ] {
        let list = who.get("/api/v1/services/recovery/subject-access-requests").await;
        assert_eq!(list.status, expected, "{username} lists: {list:?}");
        assert_eq!(who.get(&path(&request, "")).await.status, expected, "{username} reads the request");
        let before = server.counts().await;
        let looks = server.count("access_log").await;
        for (target, body) in &writes {
            let answer = who.post(target, body.clone()).await;
            assert_eq!(answer.status, expected, "{username} posts to {target}: {answer:?}");
        }
        assert_eq!(server.counts().await, before, "{username} changed nothing");
        assert_eq!(server.count("access_log").await, looks, "{username} was shown nothing");
        let page = server.page_user(username).await;
        assert_eq!(page.get("/services/recovery/subject-access").await.0, expected, "{username}'s work list page");
        assert_eq!(page.get(&format!("/subject-access/{id}")).await.0, expected, "{username}'s request page");
        let (_, home) = page.get("/").await;
        assert!(!home.contains("/services/recovery/subject-access"), "no link for {username}");
    }
    // A service one has no role in is not there at all; one's own is.
    assert_eq!(elsewhere.get("/api/v1/services/deanery/subject-access-requests").await.status, StatusCode::OK);
    assert_eq!(handler.get("/api/v1/services/deanery/subject-access-requests").await.status, StatusCode::NOT_FOUND);
    assert_eq!(handler.get(&path(&request, "")).await.status, StatusCode::OK);
    let (_, home) = server.page_user("handler").await.get("/").await;
    assert!(home.contains("href=\"/services/recovery/subject-access\""), "the handler has the link");
}

/// A person with two recovery cases, one case in another service, and someone else's case:
/// notes, a scored form and three documents (one normal, one do-not-disclose, one from a
/// third party) on the first.
struct Subject {
    server: TestServer,
    handler: Client,
    person: Value,
    first: Value,
    second: Value,
}

async fn subject() -> Subject {
    let server = spawn().await;
    let lead = server.user("lead", &["recovery:care-coordinator"]).await;
    let handler = server.user("handler", &["recovery:service-manager", "family-court:service-manager"]).await;
    let first = lead.open_case("recovery", "Subjectperson").await;
    let person = first["subject"]["id"].clone();
    let id = first["id"].as_str().unwrap();
    // Looking at the case puts the lead in its access log.
    assert_eq!(lead.get(&format!("/api/v1/cases/{id}")).await.status, StatusCode::OK);
    let note = lead
        .post(&format!("/api/v1/cases/{id}/notes"), json!({ "kind": "contact", "body": "Met on the wing about the programme" }))
        .await;
    assert_eq!(note.status, StatusCode::CREATED);
    let answers = json!({ "q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q6": 1, "q7": 1, "q8": 1, "q9": 2, "q10": 2 });
    let form = lead
        .post(
            &format!("/api/v1/cases/{id}/forms"),
            json!({ "form": "alcohol-screening", "answers": answers, "completed_by": "support-worker" }),
        )
        .await;
    assert_eq!(form.status, StatusCode::CREATED, "{form:?}");
    let upload = |title: &str, file: &str, content: &[u8], extra: &[(&str, &str)]| {
        let mut form = reqwest::multipart::Form::new()
            .text("title", title.to_owned())
            .part("file", reqwest::multipart::Part::bytes(content.to_vec()).file_name(file.to_owned()));
        for (name, value) in extra {
            form = form.text((*name).to_owned(), (*value).to_owned());
        }
        form
    };
    for form in [
        upload("Care plan", "plan.pdf", PDF, &[]),
        upload("Police intelligence", "intel.txt", b"Intelligence about the wing", &[("classification", "do-not-disclose")]),
        upload("Neighbour's letter", "letter.txt", b"A letter from next door", &[("third_party", "true")]),
    ] {
        let answer = lead.upload(&format!("/api/v1/cases/{id}/documents"), form).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    }
    let again =
        |service: &str, summary: &str| json!({ "service": service, "source": "staff", "summary": summary, "person_id": person });
    let second = handler.post("/api/v1/cases", again("recovery", "Back for support")).await;
    assert_eq!(second.status, StatusCode::CREATED, "{second:?}");
    let second = second.body;
    handler
        .post(
            &format!("/api/v1/cases/{}/notes", second["id"].as_str().unwrap()),
            json!({ "kind": "contact", "body": "Second episode" }),
        )
        .await;
    let elsewhere = handler.post("/api/v1/cases", again("family-court", "A court report")).await;
    assert_eq!(elsewhere.status, StatusCode::CREATED, "{elsewhere:?}");
    handler
        .post(
            &format!("/api/v1/cases/{}/notes", elsewhere.body["id"].as_str().unwrap()),
            json!({ "kind": "contact", "body": "Court note" }),
        )
        .await;
    let other = lead.open_case("recovery", "Otherperson").await;
    lead.post(
        &format!("/api/v1/cases/{}/notes", other["id"].as_str().unwrap()),
        json!({ "kind": "contact", "body": "Another client's secret" }),
    )
    .await;
    Subject { server, handler, person, first, second }
}

impl Subject {
    async fn request(&self, include_access_log: bool) -> Value {
        record(
            &self.handler,
            "recovery",
            json!({ "person": self.person, "received_on": "2026-03-09", "identity_confirmed_on": "2026-03-09",
                    "include_access_log": include_access_log }),
        )
        .await
    }
}

#[tokio::test]
async fn the_bundle_holds_every_case_with_what_may_leave_and_says_what_was_withheld() {
    let s = subject().await;
    let request = s.request(false).await;
    let (first, second) = (s.first["reference"].as_str().unwrap(), s.second["reference"].as_str().unwrap());

    let (status, headers, bytes) = s.handler.post_for_bytes(&path(&request, "/export"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/zip");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with(&format!("attachment; filename=\"{}-", request["reference"].as_str().unwrap())),
        "{disposition}"
    );
    let files = unzip(&bytes);
    let expected = [
        format!("cases/{first}/case.html"),
        format!("cases/{first}/case.json"),
        format!("cases/{first}/documents/Care-plan.pdf"),
        format!("cases/{second}/case.html"),
        format!("cases/{second}/case.json"),
        "index.html".to_owned(),
        "subject-access.json".to_owned(),
    ];
    assert_eq!(files.keys().cloned().collect::<Vec<_>>(), expected);
    assert_eq!(files[&format!("cases/{first}/documents/Care-plan.pdf")], PDF, "the document byte for byte");

    let record: Value = serde_json::from_slice(&files[&format!("cases/{first}/case.json")]).unwrap();
    assert_eq!(record["notes"][0]["body"], "Met on the wing about the programme");
    assert_eq!(record["forms"][0]["form"], "alcohol-screening");
    assert_eq!(record["documents"].as_array().unwrap().len(), 1);
    assert_eq!(record["documents"][0]["title"], "Care plan");
    assert_eq!(record["documents"][0]["file"], "documents/Care-plan.pdf");
    assert_eq!(record["documents"][0]["sha256"], sha256(PDF));
    let html = text(&files, &format!("cases/{first}/case.html"));
    assert!(html.contains("href=\"documents/Care-plan.pdf\""), "{html}");
    let second_record: Value = serde_json::from_slice(&files[&format!("cases/{second}/case.json")]).unwrap();
    assert_eq!(second_record["notes"][0]["body"], "Second episode");

    // The requester is told what was withheld and why, by count; never what it was.
    let index = text(&files, "index.html");
    assert!(index.starts_with("<!DOCTYPE html>"));
    assert!(index.contains("1 document withheld as third-party material"), "{index}");
    assert!(index.contains("1 document withheld as not for disclosure"), "{index}");
    assert!(
        index.contains(&format!("href=\"cases/{first}/case.html\""))
            && index.contains(&format!("href=\"cases/{second}/case.html\""))
    );
    assert!(!index.contains("Who has looked at these records"), "the access log was not asked for");
    let summary: Value = serde_json::from_slice(&files["subject-access.json"]).unwrap();
    assert_eq!(summary["request"]["reference"], request["reference"]);
    assert_eq!(summary["person"]["family_name"], "Subjectperson");
    assert_eq!(summary["cases"].as_array().unwrap().len(), 2);
    assert_eq!(summary["withheld"].as_array().unwrap().len(), 2);
    assert_eq!(summary["access_log"], Value::Null);
    for (name, content) in &files {
        let content = String::from_utf8_lossy(content);
        for secret in
            ["Police intelligence", "Intelligence about the wing", "Neighbour", "next door", "Another client", "Court note"]
        {
            assert!(!content.contains(secret), "{name} holds {secret:?}");
        }
    }

    // Each case included was logged before the bundle was served, and the request keeps the
    // bundle's checksum in its history.
    assert_eq!(logged(&s.server, s.first["id"].as_str().unwrap(), "subject-access").await, 1);
    assert_eq!(logged(&s.server, s.second["id"].as_str().unwrap(), "subject-access").await, 1);
    let kept = s.handler.get(&path(&request, "")).await;
    assert_eq!(kept.body["exports"][0]["sha256"], sha256(&bytes));
    assert_eq!(kept.body["exports"][0]["cases"], 2);
    let mut conn = s.server.app.store.read().await.unwrap();
    let after: String = sqlx::query_scalar("SELECT after FROM events WHERE subject_id = $1 AND kind = 'subject-access-exported'")
        .bind(request["id"].as_str().unwrap())
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    assert!(after.contains(&sha256(&bytes)) && after.contains(first), "{after}");

    // Asked for, the access log of those cases comes too: who by name, when, what.
    let with_log = s.request(true).await;
    let (status, _, bytes) = s.handler.post_for_bytes(&path(&with_log, "/export"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let files = unzip(&bytes);
    let index = text(&files, "index.html");
    assert!(index.contains("Who has looked at these records"), "{index}");
    assert!(index.contains("Test lead") && index.contains("Test handler") && index.contains("subject-access"), "{index}");
    let summary: Value = serde_json::from_slice(&files["subject-access.json"]).unwrap();
    let entries = summary["access_log"][0]["entries"].as_array().unwrap();
    assert!(entries.iter().any(|e| e["who"] == "Test handler" && e["what"] == "subject-access"), "{entries:?}");
}

#[tokio::test]
async fn nothing_is_served_when_the_access_log_cannot_be_written() {
    let s = subject().await;
    let request = s.request(false).await;
    s.server.refuse_access_log_writes().await;
    let before = s.server.counts().await;
    let (status, headers, bytes) = s.handler.post_for_bytes(&path(&request, "/export"), json!({})).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_ne!(headers["content-type"], "application/zip");
    assert!(zip::ZipArchive::new(std::io::Cursor::new(&bytes)).is_err(), "no bundle in the answer");
    let page = s.server.page_user("handler").await;
    let id = request["id"].as_str().unwrap();
    let answer = page.post(&format!("/subject-access/{id}/export"), "").await;
    assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_ne!(answer.headers()["content-type"], "application/zip");
    assert_eq!(s.server.counts().await, before, "no export recorded");
    assert!(s.handler.get(&path(&request, "")).await.body["exports"].as_array().unwrap().is_empty());

    s.server.allow_access_log_writes().await;
    let answer = page.post(&format!("/subject-access/{id}/export"), "").await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["content-type"], "application/zip");
}

#[tokio::test]
async fn a_bundle_needs_confirmed_identity_and_a_response_needs_a_bundle() {
    let s = subject().await;
    let request = record(&s.handler, "recovery", json!({ "person": s.person, "received_on": "2026-03-09" })).await;
    let before = s.server.counts().await;
    let looks = s.server.count("access_log").await;
    let early = s.handler.post(&path(&request, "/export"), json!({})).await;
    assert_eq!(s.server.counts().await, before);
    assert_eq!(early.status, StatusCode::CONFLICT, "{early:?}");
    assert!(early.body["detail"].as_str().unwrap().contains("identity"), "{early:?}");
    assert_eq!(s.server.count("access_log").await, looks, "nothing was looked at");
    let confirmed = s.handler.post(&path(&request, "/identity"), json!({ "version": 1, "confirmed_on": "2026-03-10" })).await;
    assert_eq!(confirmed.status, StatusCode::OK);
    let unsent = s.handler.post(&path(&request, "/response"), json!({ "version": 2, "sent_on": "2026-03-10" })).await;
    assert_eq!(unsent.status, StatusCode::CONFLICT, "{unsent:?}");
    assert!(unsent.body["detail"].as_str().unwrap().contains("bundle"), "{unsent:?}");
    assert_eq!(s.server.count("subject_access_exports").await, 0);

    let (status, _, bytes) = s.handler.post_for_bytes(&path(&request, "/export"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let done = s.handler.post(&path(&request, "/response"), json!({ "version": 2, "sent_on": "2026-03-10" })).await;
    assert_eq!(done.status, StatusCode::OK, "{done:?}");
    assert_eq!(done.body["status"], "completed");
    assert_eq!(done.body["response"]["bundle_sha256"], sha256(&bytes));
    assert_eq!(done.body["time_left"], "met");
    let listed = |query: &'static str| {
        let handler = s.handler.clone();
        async move {
            let answer = handler.get(&format!("/api/v1/services/recovery/subject-access-requests{query}")).await;
            answer.body["items"].as_array().unwrap().iter().map(|r| r["id"].clone()).collect::<Vec<_>>()
        }
    };
    assert!(listed("").await.is_empty(), "a completed request is no longer being worked");
    assert_eq!(listed("?include_closed=true").await, [request["id"].clone()]);

    let before = s.server.counts().await;
    let looks = s.server.count("access_log").await;
    let after = s.handler.post(&path(&request, "/export"), json!({})).await;
    assert_eq!(after.status, StatusCode::CONFLICT, "{after:?}");
    let refused = s.handler.post(&path(&request, "/refusal"), json!({ "version": 3, "reason": "Excessive" })).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{refused:?}");
    assert_eq!(s.server.counts().await, before);
    assert_eq!(s.server.count("access_log").await, looks);
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let s = subject().await;
    let before = s.server.counts().await;
    let bad = s
        .handler
        .post(
            "/api/v1/services/recovery/subject-access-requests",
            json!({ "person": "somebody", "representative": "Two\nlines", "received_on": "2026-03-11", "identity_confirmed_on": "soon" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
    assert_eq!(bad.fields(), ["person", "representative", "received_on", "identity_confirmed_on"]);
    let unknown = s
        .handler
        .post(
            "/api/v1/services/recovery/subject-access-requests",
            json!({ "person": "0190b8c5-0000-7000-8000-000000000000", "received_on": "2026-03-09" }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.fields(), ["person"]);
    let early = s
        .handler
        .post(
            "/api/v1/services/recovery/subject-access-requests",
            json!({ "person": s.person, "received_on": "2026-03-09", "identity_confirmed_on": "2026-03-08" }),
        )
        .await;
    assert_eq!(early.fields(), ["identity_confirmed_on"]);
    assert!(early.body["errors"][0]["message"].as_str().unwrap().contains("before the request was received"));
    assert_eq!(s.server.counts().await, before);

    let request = record(&s.handler, "recovery", json!({ "person": s.person, "received_on": "2026-03-09" })).await;
    let before = s.server.counts().await;
    for (rest, body, field) in [
        ("/identity", json!({ "version": 1, "confirmed_on": "next week" }), "confirmed_on"),
        ("/refusal", json!({ "version": 1, "reason": " " }), "reason"),
    ] {
        let answer = s.handler.post(&path(&request, rest), body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{rest}: {answer:?}");
        assert_eq!(answer.fields(), [field], "{rest}");
    }
    assert_eq!(s.server.counts().await, before);

    // On the page: the form comes back with the message at the field, linked from the summary.
    let page = s.server.page_user("handler").await;
    let person = s.person.as_str().unwrap();
    let answer = page
        .post("/services/recovery/subject-access", &format!("find=Subjectperson&person={person}&received_on=2026-03-11"))
        .await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = answer.text().await.unwrap();
    assert!(html.contains("href=\"#received_on\"") && html.contains("Cannot be in the future"), "{html}");
    assert!(html.contains("id=\"received_on-error\""), "{html}");
    let id = request["id"].as_str().unwrap();
    let answer = page.post(&format!("/subject-access/{id}/identity"), "version=1&confirmed_on=someday").await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = answer.text().await.unwrap();
    assert!(html.contains("href=\"#confirmed_on\"") && html.contains("id=\"confirmed_on-error\""), "{html}");
    assert_eq!(s.server.counts().await, before);
}

fn location(answer: &reqwest::Response) -> String {
    answer.headers()["location"].to_str().unwrap().to_owned()
}

async fn page_text(page: &PageUser, path: &str) -> String {
    let (status, html) = page.get(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {html}");
    html
}

#[tokio::test]
async fn a_request_is_recorded_and_answered_from_its_pages() {
    let s = subject().await;
    let page = s.server.page_user("handler").await;
    let html = page_text(&page, "/services/recovery/subject-access").await;
    assert!(html.contains("No request is being worked"), "{html}");

    // The person is found by a case reference, then chosen.
    let first = s.first["reference"].as_str().unwrap();
    let html = page_text(&page, &format!("/services/recovery/subject-access?find={first}")).await;
    let person = s.person.as_str().unwrap();
    assert!(html.contains(&format!("value=\"{person}\"")), "{html}");
    let recorded = page
        .post(
            "/services/recovery/subject-access",
            &format!(
                "find={first}&person={person}&received_on=2026-03-06&identity_confirmed_on=2026-03-06&include_access_log=yes"
            ),
        )
        .await;
    assert_eq!(recorded.status(), StatusCode::SEE_OTHER);
    let request_page = location(&recorded);
    let id = request_page.trim_start_matches("/subject-access/").split('?').next().unwrap().to_owned();
    let html = page_text(&page, "/services/recovery/subject-access").await;
    assert!(html.contains("Subjectperson") && html.contains("7 April 2026") && html.contains("due in 28 days"), "{html}");

    let html = page_text(&page, &request_page).await;
    assert!(html.contains("The request is recorded") && html.contains("Download the bundle"), "{html}");
    let export = page.post(&format!("/subject-access/{id}/export"), "").await;
    assert_eq!(export.status(), StatusCode::OK);
    assert_eq!(export.headers()["content-type"], "application/zip");
    let sent = page.post(&format!("/subject-access/{id}/response"), "version=1&sent_on=2026-03-10").await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER, "{:?}", sent.text().await);
    let html = page_text(&page, &location(&sent)).await;
    assert!(html.contains("Completed") && html.contains("Subject access responded"), "{html}");
    assert!(!html.contains("Download the bundle"), "nothing more to do");
}

#[tokio::test]
async fn a_person_with_a_request_is_kept_when_their_case_is_destroyed() {
    let server = spawn().await;
    let manager = server.user("manager", &["family-court:service-manager"]).await;
    let made = manager
        .post(
            "/api/v1/cases",
            json!({ "service": "family-court", "source": "staff", "summary": "Section 7 report",
                    "person": { "given_name": "Robin", "family_name": "Keptperson", "date_of_birth": "1990-05-01" } }),
        )
        .await;
    let id = made.body["id"].as_str().unwrap().to_owned();
    let person = made.body["subject"]["id"].clone();
    let closed = manager
        .post(&format!("/api/v1/cases/{id}/closure"), json!({ "version": made.body["version"], "reason": "final-order" }))
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{closed:?}");
    let request = record(&manager, "family-court", json!({ "person": person, "received_on": "2026-03-10" })).await;

    server.advance(jiff::SignedDuration::from_hours(24 * (6 * 365 + 3)));
    let manager = server.sign_in("manager").await;
    let approved = manager.post("/api/v1/services/family-court/disposal-review/approvals", json!({ "cases": [id] })).await;
    assert_eq!(approved.status, StatusCode::OK, "{approved:?}");
    assert_eq!(server.app.run_destruction().await.unwrap(), 1);
    assert_eq!(manager.get(&format!("/api/v1/cases/{id}")).await.status, StatusCode::NOT_FOUND, "the case is gone");
    let kept = manager.get(&path(&request, "")).await;
    assert_eq!(kept.status, StatusCode::OK, "{kept:?}");
    assert_eq!(kept.body["person"]["name"], "Robin Keptperson");
    let records = manager.get("/api/v1/services/family-court/destructions").await;
    assert_eq!(records.body["items"][0]["removed"]["people"], Value::Null, "the person was not removed");
}
