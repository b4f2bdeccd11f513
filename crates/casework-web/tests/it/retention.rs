//! Retention: closed cases come up for disposal review when their service's period ends;
//! legal holds stop destruction; the destruction job removes the case and the person,
//! leaves a destruction record without personal data, and the history still verifies.

use crate::harness::{Client, spawn};
use reqwest::StatusCode;
use serde_json::{Value, json};

const YEAR_HOURS: i64 = 24 * 365;

/// Opens and closes a family-court case for a child born on `born`.
async fn closed_case(manager: &Client, family_name: &str, born: &str) -> Value {
    let made = manager
        .post(
            "/api/v1/cases",
            json!({
                "service": "family-court", "source": "staff", "summary": "Section 7 report",
                "person": { "given_name": "Robin", "family_name": family_name, "date_of_birth": born },
            }),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{made:?}");
    let id = made.body["id"].as_str().unwrap().to_owned();
    let note = manager
        .post(
            &format!("/api/v1/cases/{id}/notes"),
            json!({ "kind": "contact", "body": format!("Visited {family_name} at home") }),
        )
        .await;
    assert_eq!(note.status, StatusCode::CREATED);
    let letter = reqwest::multipart::Form::new()
        .text("title", "Letter from school")
        .part("file", reqwest::multipart::Part::bytes(format!("About {family_name}").into_bytes()).file_name("letter.txt"));
    let uploaded = manager.upload(&format!("/api/v1/cases/{id}/documents"), letter).await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{uploaded:?}");
    let paper = manager
        .post(
            &format!("/api/v1/cases/{id}/paper-documents"),
            json!({ "title": "Court bundle", "location": "Court office", "received_on": "2026-01-05" }),
        )
        .await;
    assert_eq!(paper.status, StatusCode::CREATED, "{paper:?}");
    let scan = reqwest::multipart::Form::new()
        .text("title", "Court bundle (scan)")
        .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("bundle.pdf"));
    let scan_path = format!("/api/v1/cases/{id}/documents/{}/scans", paper.body["id"].as_str().unwrap());
    let scanned = manager.upload(&scan_path, scan).await;
    assert_eq!(scanned.status, StatusCode::CREATED, "{scanned:?}");
    let version = manager.get(&format!("/api/v1/cases/{id}")).await.body["version"].clone();
    let closed =
        manager.post(&format!("/api/v1/cases/{id}/closure"), json!({ "version": version, "reason": "final-order" })).await;
    assert_eq!(closed.status, StatusCode::OK, "{closed:?}");
    closed.body
}

fn references(review: &Value) -> Vec<String> {
    review["items"].as_array().unwrap().iter().map(|c| c["reference"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_closed_case_comes_up_for_review_when_its_period_ends_and_is_destroyed_without_trace() {
    let server = spawn().await;
    let manager = server.user("manager", &["family-court:service-manager"]).await;
    // An adult's case: kept six years. A child's: until their 25th birthday, which is later.
    let adult = closed_case(&manager, "Adultcase", "1990-05-01").await;
    let child = closed_case(&manager, "Childcase", "2020-05-01").await;
    let (adult_id, adult_reference) = (adult["id"].as_str().unwrap(), adult["reference"].as_str().unwrap());

    let review = manager.get("/api/v1/services/family-court/disposal-review").await;
    assert_eq!(review.status, StatusCode::OK, "{review:?}");
    assert!(review.body["items"].as_array().unwrap().is_empty(), "nothing is due on the day of closure");
    assert_eq!(review.body["rule"]["keep"], "6 years");
    assert_eq!(review.body["rule"]["until_age"], 25);

    server.advance(jiff::SignedDuration::from_hours(6 * YEAR_HOURS + 3 * 24));
    let manager = server.sign_in("manager").await;
    let review = manager.get("/api/v1/services/family-court/disposal-review").await;
    assert_eq!(references(&review.body), [adult_reference], "the child's record is kept until they are 25");
    assert_eq!(review.body["items"][0]["closed_on"], "2026-03-10");
    assert_eq!(review.body["items"][0]["due_on"], "2032-03-10");

    // A legal hold stops approval; nothing is written by the refusal.
    let hold =
        manager.post(&format!("/api/v1/cases/{adult_id}/legal-holds"), json!({ "reason": "Claim against the service" })).await;
    assert_eq!(hold.status, StatusCode::CREATED, "{hold:?}");
    let before = server.counts().await;
    let refused = manager.post("/api/v1/services/family-court/disposal-review/approvals", json!({ "cases": [adult_id] })).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.fields(), ["cases/0"]);
    assert!(refused.body.to_string().contains("legal hold"));
    let not_due =
        manager.post("/api/v1/services/family-court/disposal-review/approvals", json!({ "cases": [child["id"].clone()] })).await;
    assert_eq!(not_due.status, StatusCode::UNPROCESSABLE_ENTITY, "a case not on the list cannot be approved");
    assert_eq!(server.counts().await, before);

    let hold_id = hold.body["id"].as_str().unwrap();
    let lifted = manager
        .post(&format!("/api/v1/cases/{adult_id}/legal-holds/{hold_id}/lifting"), json!({ "reason": "Claim settled" }))
        .await;
    assert_eq!(lifted.status, StatusCode::OK);
    assert_eq!(lifted.body["stands"], false);
    let approved = manager.post("/api/v1/services/family-court/disposal-review/approvals", json!({ "cases": [adult_id] })).await;
    assert_eq!(approved.status, StatusCode::OK, "{approved:?}");
    assert_eq!(server.stored_files().len(), 4, "a letter and a scan on each case");
    let moves_of_adult = || async {
        let mut conn = server.app.store.read().await.unwrap();
        let moves: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_moves WHERE case_id = $1")
            .bind(adult_id)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        moves
    };
    assert_eq!(moves_of_adult().await, 2, "opened in a stage, closed");
    assert_eq!(server.app.run_destruction().await.unwrap(), 1);
    assert_eq!(moves_of_adult().await, 0, "the case's moves go with its history");
    assert_eq!(server.app.run_destruction().await.unwrap(), 0, "each approval is carried out once");
    assert_eq!(server.stored_files().len(), 2, "the destroyed case's document files are gone, the other case's kept");

    assert_eq!(manager.get(&format!("/api/v1/cases/{adult_id}")).await.status, StatusCode::NOT_FOUND);
    let records = manager.get("/api/v1/services/family-court/destructions").await;
    assert_eq!(records.status, StatusCode::OK);
    let record = &records.body["items"][0];
    assert_eq!(record["reference"], adult_reference);
    assert_eq!(record["kept_for"], "6 years");
    assert_eq!(record["closed_on"], "2026-03-10");
    assert!(record["removed"]["notes"].as_u64().unwrap() >= 1 && record["removed"]["people"] == 1, "{record}");
    assert_eq!(record["removed"]["documents"], 3, "the letter, the paper record and its scan: {record}");
    assert!(record["history_events"].as_i64().unwrap() > 3);

    // Nothing about the person is left anywhere: not in the record, nor in any table.
    let mut conn = server.app.store.read().await.unwrap();
    let left: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM people WHERE family_name = 'Adultcase')
              + (SELECT COUNT(*) FROM notes WHERE body LIKE '%Adultcase%')
              + (SELECT COUNT(*) FROM search_documents WHERE body LIKE '%Adultcase%')
              + (SELECT COUNT(*) FROM events WHERE before LIKE '%Adultcase%' OR after LIKE '%Adultcase%')
              + (SELECT COUNT(*) FROM referrals WHERE summary LIKE '%Adultcase%')
              + (SELECT COUNT(*) FROM idempotency_keys WHERE response LIKE '%Adultcase%')
              + (SELECT COUNT(*) FROM destruction_records WHERE removed LIKE '%Adultcase%' OR basis LIKE '%Adultcase%')",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(left, 0, "the person's details are gone");
    let child_left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE family_name = 'Childcase'").fetch_one(&mut *conn).await.unwrap();
    assert_eq!(child_left, 1, "the other case is untouched");
    drop(conn);

    // The history still verifies: the erased events are accounted for, not broken.
    let (report, breaks) = server.app.verify_history().await.unwrap();
    assert!(breaks.is_empty(), "{breaks:?}");
    assert!(report.erased >= 1, "the person's own record event was erased, not removed");
    let mut conn = server.app.store.read().await.unwrap();
    let destroyed: Vec<(Option<String>, String)> =
        sqlx::query_as("SELECT case_id, after FROM events WHERE kind = 'record-destroyed'").fetch_all(&mut *conn).await.unwrap();
    assert_eq!(destroyed.len(), 1, "the destruction is in the history");
    assert_eq!(destroyed[0].0, None);
    assert!(destroyed[0].1.contains(adult_reference) && !destroyed[0].1.contains("Adultcase"));
}

#[tokio::test]
async fn an_approval_lapses_when_the_case_is_reopened_or_put_on_hold() {
    let server = spawn().await;
    let manager = server.user("manager", &["family-court:service-manager"]).await;
    let reopened = closed_case(&manager, "Reopened", "1980-01-01").await;
    let held = closed_case(&manager, "Heldcase", "1980-01-01").await;
    server.advance(jiff::SignedDuration::from_hours(7 * YEAR_HOURS));
    let manager = server.sign_in("manager").await;
    let ids = [reopened["id"].clone(), held["id"].clone()];
    let approved = manager.post("/api/v1/services/family-court/disposal-review/approvals", json!({ "cases": ids })).await;
    assert_eq!(approved.body["approved"], 2, "{approved:?}");
    let review = manager.get("/api/v1/services/family-court/disposal-review").await;
    assert!(review.body["items"].as_array().unwrap().iter().all(|c| c["approved"] == true));

    let id = reopened["id"].as_str().unwrap();
    let version = manager.get(&format!("/api/v1/cases/{id}")).await.body["version"].clone();
    let again =
        manager.post(&format!("/api/v1/cases/{id}/reopening"), json!({ "version": version, "reason": "New application" })).await;
    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    let held_id = held["id"].as_str().unwrap();
    manager.post(&format!("/api/v1/cases/{held_id}/legal-holds"), json!({ "reason": "Inquiry" })).await;

    assert_eq!(server.app.run_destruction().await.unwrap(), 0);
    assert_eq!(manager.get(&format!("/api/v1/cases/{id}")).await.status, StatusCode::OK);
    assert_eq!(manager.get(&format!("/api/v1/cases/{held_id}")).await.status, StatusCode::OK);
    assert_eq!(server.count("disposal_approvals").await, 0, "the approvals lapsed and must be given again");
}

#[tokio::test]
async fn only_those_who_hold_records_dispose_review_hold_or_approve() {
    let server = spawn().await;
    let manager = server.user("manager", &["family-court:service-manager"]).await;
    let adviser = server.user("adviser", &["family-court:family-court-adviser"]).await;
    let outsider = server.user("outsider", &["recovery:service-manager"]).await;
    let case = manager.open_case("family-court", "Guarded").await;
    let id = case["id"].as_str().unwrap();
    let before = server.counts().await;
    assert_eq!(adviser.get("/api/v1/services/family-court/disposal-review").await.status, StatusCode::FORBIDDEN);
    assert_eq!(outsider.get("/api/v1/services/family-court/disposal-review").await.status, StatusCode::FORBIDDEN);
    assert_eq!(adviser.get("/api/v1/services/family-court/destructions").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        outsider.post(&format!("/api/v1/cases/{id}/legal-holds"), json!({ "reason": "x" })).await.status,
        StatusCode::NOT_FOUND,
        "a case of another service does not exist for them"
    );
    assert_eq!(
        adviser.post("/api/v1/services/family-court/disposal-review/approvals", json!({ "cases": [id] })).await.status,
        StatusCode::FORBIDDEN
    );
    let empty = manager.post(&format!("/api/v1/cases/{id}/legal-holds"), json!({ "reason": "" })).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty.fields(), ["reason"]);
    assert_eq!(server.counts().await, before);
}

/// Outside a destruction, the database itself still refuses to delete a case's facts.
#[tokio::test]
async fn facts_cannot_be_deleted_outside_the_destruction_job() {
    let server = spawn().await;
    let manager = server.user("manager", &["family-court:service-manager"]).await;
    let case = closed_case(&manager, "Kept", "1980-01-01").await;
    let id = case["id"].as_str().unwrap().to_owned();
    let mut tx = server.app.store.begin().await.unwrap();
    for statement in [
        "DELETE FROM notes WHERE case_id = $1",
        "DELETE FROM events WHERE case_id = $1",
        "DELETE FROM access_log WHERE case_id = $1",
        "DELETE FROM event_chain WHERE chain = $1",
    ] {
        let refused = sqlx::query(statement).bind(&id).execute(&mut *tx).await;
        assert!(refused.is_err(), "{statement} was allowed");
    }
    let refused = sqlx::query("UPDATE events SET after = 'null' WHERE case_id = $1").bind(&id).execute(&mut *tx).await;
    assert!(refused.is_err(), "erasing without a recorded erasure");
}

#[tokio::test]
async fn the_pages_review_hold_and_approve() {
    let server = spawn().await;
    let manager = server.user("manager", &["family-court:service-manager"]).await;
    let held = closed_case(&manager, "Heldpage", "1980-01-01").await;
    let due = closed_case(&manager, "Duepage", "1980-01-01").await;
    server.advance(jiff::SignedDuration::from_hours(7 * YEAR_HOURS));
    let pages = server.page_user("manager").await;
    let (held_id, due_id) = (held["id"].as_str().unwrap(), due["id"].as_str().unwrap());

    let (_, home) = pages.get("/").await;
    assert!(home.contains("href=\"/services/family-court/disposal-review\""));
    let empty = pages.post(&format!("/cases/{held_id}/legal-holds"), "reason=").await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.unwrap().contains("href=\"#reason\""));
    let placed = pages.post(&format!("/cases/{held_id}/legal-holds"), "reason=Inquiry+into+the+service").await;
    assert_eq!(placed.status(), StatusCode::SEE_OTHER);
    let (_, holds) = pages.get(&format!("/cases/{held_id}/legal-holds")).await;
    assert!(holds.contains("Inquiry into the service") && holds.contains("Stands"));

    let (status, review) = pages.get("/services/family-court/disposal-review").await;
    assert_eq!(status, StatusCode::OK);
    assert!(review.contains("Heldpage") && review.contains("Legal hold") && review.contains("Duepage"));
    assert!(!review.contains(&format!("value=\"{held_id}\"")), "a held case cannot be ticked");
    let refused = pages.post("/services/family-court/disposal-review", &format!("case={held_id}")).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains(&format!("href=\"#case-{held_id}\"")));
    let approved = pages.post("/services/family-court/disposal-review", &format!("case={due_id}")).await;
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    server.app.run_destruction().await.unwrap();
    let (_, review) = pages.get("/services/family-court/disposal-review?approved=1").await;
    assert!(
        review.contains(due["reference"].as_str().unwrap()) && !review.contains("Duepage"),
        "destroyed, named by reference only"
    );

    server.make_user("adviser", &["family-court:family-court-adviser"], false).await;
    let adviser = server.page_user("adviser").await;
    assert_eq!(adviser.get("/services/family-court/disposal-review").await.0, StatusCode::FORBIDDEN);
}

/// Records a paper document on an ombudsman case and uploads its scan; returns the paper's id.
async fn scanned_paper(intake: &Client, case: &str, title: &str) -> String {
    let paper = intake
        .post(
            &format!("/api/v1/cases/{case}/paper-documents"),
            json!({ "title": title, "location": "Intake storage, Coventry", "received_on": "2026-01-05" }),
        )
        .await;
    assert_eq!(paper.status, StatusCode::CREATED, "{paper:?}");
    let paper_id = paper.body["id"].as_str().unwrap().to_owned();
    let scan = reqwest::multipart::Form::new()
        .text("title", format!("{title} (scan)"))
        .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("scan.pdf"));
    let scanned = intake.upload(&format!("/api/v1/cases/{case}/documents/{paper_id}/scans"), scan).await;
    assert_eq!(scanned.status, StatusCode::CREATED, "{scanned:?}");
    assert_eq!(scanned.body["scans"], paper_id.as_str());
    paper_id
}

fn paper_titles(review: &Value) -> Vec<String> {
    review["paper_originals"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_scanned_paper_original_is_listed_for_destruction_twelve_weeks_after_its_scan_and_recorded_once() {
    let server = spawn().await;
    let intake = server.user("intake", &["ombudsman:intake-officer"]).await;
    let assistant = server.user("assistant", &["ombudsman:assistant-ombudsman"]).await;
    let case = intake.open_case("ombudsman", "Papers").await;
    let case_id = case["id"].as_str().unwrap();
    let letter = scanned_paper(&intake, case_id, "Letter from the hospital").await;
    let bundle = scanned_paper(&intake, case_id, "Bundle of medical records").await;
    let unscanned = intake
        .post(
            &format!("/api/v1/cases/{case_id}/paper-documents"),
            json!({ "title": "X-ray films", "location": "Intake storage, Coventry", "received_on": "2026-01-05" }),
        )
        .await;
    assert_eq!(unscanned.status, StatusCode::CREATED);

    // A paper document is scanned once; a file cannot be "scanned"; nothing else changes.
    let again = reqwest::multipart::Form::new()
        .text("title", "Second scan")
        .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("again.pdf"));
    let refused = intake.upload(&format!("/api/v1/cases/{case_id}/documents/{letter}/scans"), again).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{refused:?}");
    assert!(refused.body.to_string().contains("already been scanned"), "{refused:?}");

    let review = assistant.get("/api/v1/services/ombudsman/disposal-review").await;
    assert_eq!(review.status, StatusCode::OK, "{review:?}");
    assert_eq!(review.body["scanned_paper_rule"]["keep"], "12 weeks", "{review:?}");
    assert!(paper_titles(&review.body).is_empty(), "nothing is due on the day of the scan");

    server.advance(jiff::SignedDuration::from_hours(24 * 7 * 12 - 24));
    // Sessions do not last a day: sign in again.
    let assistant = server.sign_in("assistant").await;
    let review = assistant.get("/api/v1/services/ombudsman/disposal-review").await;
    assert!(paper_titles(&review.body).is_empty(), "a day short of twelve weeks: still kept");
    server.advance(jiff::SignedDuration::from_hours(24));
    let (intake, assistant) = (server.sign_in("intake").await, server.sign_in("assistant").await);
    let review = assistant.get("/api/v1/services/ombudsman/disposal-review").await;
    assert_eq!(paper_titles(&review.body), ["Letter from the hospital", "Bundle of medical records"], "never the unscanned one");
    let due_on = review.body["paper_originals"][0]["due_on"].as_str().unwrap().to_owned();
    assert_eq!(review.body["paper_originals"][0]["location"], "Intake storage, Coventry");

    // Only records.dispose holders record destructions; a bad day or no method is refused
    // at its field and writes nothing.
    let destroy = |who: &Client, document: &str, on: &str, method: &str| {
        let (who, body) = (who.clone(), json!({ "document": document, "destroyed_on": on, "method": method }));
        async move { who.post("/api/v1/services/ombudsman/paper-destructions", body).await }
    };
    assert_eq!(destroy(&intake, &letter, &due_on, "Shredded").await.status, StatusCode::FORBIDDEN);
    let before = server.counts().await;
    let early = destroy(&assistant, &letter, "2026-01-06", "Shredded").await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(early.body["errors"][0]["field"], "destroyed_on", "{early:?}");
    let unsaid = destroy(&assistant, &letter, &due_on, " ").await;
    assert_eq!(unsaid.body["errors"][0]["field"], "method", "{unsaid:?}");
    let kept = destroy(&assistant, unscanned.body["id"].as_str().unwrap(), &due_on, "Shredded").await;
    assert_eq!(kept.body["errors"][0]["field"], "document", "an unscanned original is kept: {kept:?}");
    assert_eq!(server.counts().await, before);

    // A legal hold on the case stops it.
    let hold = assistant.post(&format!("/api/v1/cases/{case_id}/legal-holds"), json!({ "reason": "Judicial review" })).await;
    assert_eq!(hold.status, StatusCode::CREATED, "{hold:?}");
    let held = destroy(&assistant, &letter, &due_on, "Confidential shredding").await;
    assert!(held.body.to_string().contains("legal hold"), "{held:?}");
    let hold_id = hold.body["id"].as_str().unwrap();
    let lifted = assistant
        .post(&format!("/api/v1/cases/{case_id}/legal-holds/{hold_id}/lifting"), json!({ "reason": "Review concluded" }))
        .await;
    assert_eq!(lifted.status, StatusCode::OK, "{lifted:?}");

    let done = destroy(&assistant, &letter, &due_on, "Confidential shredding").await;
    assert_eq!(done.status, StatusCode::CREATED, "{done:?}");
    assert_eq!(server.events_about(&letter).await, ["paper-document-recorded", "paper-original-destroyed"]);
    let again = destroy(&assistant, &letter, &due_on, "Confidential shredding").await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "recorded once: {again:?}");
    let review = assistant.get("/api/v1/services/ombudsman/disposal-review").await;
    assert_eq!(paper_titles(&review.body), ["Bundle of medical records"]);
    let documents = intake.get(&format!("/api/v1/cases/{case_id}/documents")).await;
    let original = documents.body["items"].as_array().unwrap().iter().find(|d| d["id"] == letter.as_str()).unwrap().clone();
    assert_eq!(original["destroyed_on"], due_on.as_str());
    assert_eq!(original["destruction_method"], "Confidential shredding");
    let rescan = reqwest::multipart::Form::new()
        .text("title", "Late scan")
        .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("late.pdf"));
    let late = intake.upload(&format!("/api/v1/cases/{case_id}/documents/{bundle}/scans"), rescan).await;
    assert!(late.body.to_string().contains("already been scanned"), "{late:?}");

    // The database refuses to change or drop the record of it.
    let mut conn = server.raw_connection().await;
    for sql in ["UPDATE paper_destructions SET method = 'kept'", "DELETE FROM paper_destructions"] {
        assert!(sqlx::query(sql).execute(&mut conn).await.is_err(), "{sql}");
    }

    // The page lists the other original with its form, and records it.
    let page = server.page_user("assistant").await;
    let (status, html) = page.get("/services/ombudsman/disposal-review").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Scanned paper originals") && html.contains("Bundle of medical records"), "{html}");
    assert!(!html.contains("Letter from the hospital"));
    let refused = page.post(&format!("/services/ombudsman/disposal-review/paper/{bundle}"), "destroyed_on=soon&method=").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains(&format!("href=\"#paper-{bundle}-destroyed_on\"")) && html.contains("Say how it was destroyed"),
        "{html}"
    );
    let recorded = page
        .post(&format!("/services/ombudsman/disposal-review/paper/{bundle}"), &format!("destroyed_on={due_on}&method=Shredded"))
        .await;
    assert_eq!(recorded.status(), StatusCode::SEE_OTHER);
    let (_, html) = page.get(recorded.headers()["location"].to_str().unwrap()).await;
    assert!(html.contains("The destruction of a paper original of") && html.contains("No paper original is due"), "{html}");
}
