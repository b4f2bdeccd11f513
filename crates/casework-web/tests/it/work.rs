//! Notes, addenda, late entries, tasks, decisions, idempotent retries and paging.

use crate::harness::spawn;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn notes_are_marked_late_when_recorded_after_the_day_of_contact_and_corrected_by_addenda() {
    let server = spawn().await;
    let manager = server.user("manager", &["recovery:service-manager"]).await;
    let case = manager.open_case("recovery", "Notes").await;
    let id = case["id"].as_str().unwrap();
    // The clock says 2026-03-10 10:00 UTC.
    let same_day = manager
        .post(
            &format!("/api/v1/cases/{id}/notes"),
            json!({ "kind": "contact", "body": "Met on the wing", "contact_at": "2026-03-10T08:00:00Z" }),
        )
        .await;
    assert_eq!(same_day.status, StatusCode::CREATED, "{same_day:?}");
    assert_eq!(same_day.body["late_entry"], false);
    let late = manager
        .post(
            &format!("/api/v1/cases/{id}/notes"),
            json!({ "kind": "phone", "body": "Called his sister", "contact_at": "2026-03-09T16:30:00Z" }),
        )
        .await;
    assert_eq!(late.body["late_entry"], true);
    let future = manager
        .post(&format!("/api/v1/cases/{id}/notes"), json!({ "kind": "phone", "body": "x", "contact_at": "2026-03-11T09:00:00Z" }))
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(future.fields(), ["contact_at"]);
    let bad_kind = manager.post(&format!("/api/v1/cases/{id}/notes"), json!({ "kind": "gossip", "body": "" })).await;
    let mut fields = bad_kind.fields();
    fields.sort();
    assert_eq!(fields, ["body", "kind"]);

    let original = same_day.body["id"].as_str().unwrap();
    let addendum = manager
        .post(&format!("/api/v1/cases/{id}/notes/{original}/addenda"), json!({ "body": "Correction: it was B wing" }))
        .await;
    assert_eq!(addendum.status, StatusCode::CREATED);
    assert_eq!(addendum.body["addendum_to"], original);
    let notes = manager.get(&format!("/api/v1/cases/{id}/notes")).await;
    let items = notes.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let kept = items.iter().find(|n| n["id"] == original).unwrap();
    assert_eq!(kept["body"], "Met on the wing", "the original is never changed");
    // There is no way to edit a note through the API.
    for method in [Method::PUT, Method::PATCH, Method::DELETE] {
        let answer = manager
            .request(method.clone(), &format!("/api/v1/cases/{id}/notes/{original}"), Some(json!({ "body": "x" })), &[])
            .await;
        assert!(
            answer.status == StatusCode::METHOD_NOT_ALLOWED || answer.status == StatusCode::NOT_FOUND,
            "{method}: {answer:?}"
        );
    }
}

#[tokio::test]
async fn a_retried_create_with_the_same_key_makes_one_record() {
    let server = spawn().await;
    let manager = server.user("manager", &["recovery:service-manager"]).await;
    let case = manager.open_case("recovery", "Retry").await;
    let id = case["id"].as_str().unwrap();
    let body = json!({ "kind": "contact", "body": "Weekly 1:1" });
    let path = format!("/api/v1/cases/{id}/notes");
    let first = manager.request(Method::POST, &path, Some(body.clone()), &[("idempotency-key", "note-1")]).await;
    let notes_after_first = server.count("notes").await;
    let events_after_first = server.count("events").await;
    let retry = manager.request(Method::POST, &path, Some(body.clone()), &[("idempotency-key", "note-1")]).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(first.body["id"], retry.body["id"]);
    assert_eq!(server.count("notes").await, notes_after_first);
    assert_eq!(server.count("events").await, events_after_first);
    let misuse = manager
        .request(
            Method::POST,
            &path,
            Some(json!({ "kind": "contact", "body": "Something else" })),
            &[("idempotency-key", "note-1")],
        )
        .await;
    assert_eq!(misuse.status, StatusCode::CONFLICT);
    assert_eq!(server.count("notes").await, notes_after_first);

    let case_body = json!({ "service": "recovery", "source": "staff", "summary": "x", "person": { "given_name": "Once", "family_name": "Only" } });
    let a = manager.request(Method::POST, "/api/v1/cases", Some(case_body.clone()), &[("idempotency-key", "case-1")]).await;
    let cases = server.count("cases").await;
    let people = server.count("people").await;
    let b = manager.request(Method::POST, "/api/v1/cases", Some(case_body), &[("idempotency-key", "case-1")]).await;
    assert_eq!(a.body["id"], b.body["id"]);
    assert_eq!(a.body["reference"], b.body["reference"]);
    assert_eq!((server.count("cases").await, server.count("people").await), (cases, people));
}

#[tokio::test]
async fn lists_page_with_cursors_without_gaps_or_repeats() {
    let server = spawn().await;
    let manager = server.user("manager", &["recovery:service-manager"]).await;
    let case = manager.open_case("recovery", "Pages").await;
    let id = case["id"].as_str().unwrap();
    for i in 0..23 {
        let answer =
            manager.post(&format!("/api/v1/cases/{id}/notes"), json!({ "kind": "contact", "body": format!("note {i}") })).await;
        assert_eq!(answer.status, StatusCode::CREATED);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/cases/{id}/notes?limit=10&cursor={c}"),
            None => format!("/api/v1/cases/{id}/notes?limit=10"),
        };
        let page = manager.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        pages += 1;
        for note in page.body["items"].as_array().unwrap() {
            seen.push(note["body"].as_str().unwrap().to_owned());
        }
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..23).rev().map(|i| format!("note {i}")).collect();
    assert_eq!(seen, expected, "newest first, each once");
    let bad = manager.get(&format!("/api/v1/cases/{id}/notes?cursor=garbage")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.fields(), ["cursor"]);

    for i in 0..4 {
        manager.open_case("recovery", &format!("More{i}")).await;
    }
    let first = manager.get("/api/v1/cases?limit=2").await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 2);
    let next = first.body["next_cursor"].as_str().unwrap();
    let second = manager.get(&format!("/api/v1/cases?limit=2&cursor={next}")).await;
    assert_ne!(first.body["items"][0]["id"], second.body["items"][0]["id"]);
}

#[tokio::test]
async fn cancelled_and_reassigned_tasks_never_look_completed() {
    let server = spawn().await;
    let manager = server.user("manager", &["recovery:service-manager"]).await;
    let practitioner = server.user("prac", &["recovery:recovery-practitioner"]).await;
    let case = manager.open_case("recovery", "Tasks").await;
    let id = case["id"].as_str().unwrap();
    let allocated =
        manager.post(&format!("/api/v1/cases/{id}/allocation"), json!({ "version": 1, "worker": practitioner.id() })).await;
    assert_eq!(allocated.status, StatusCode::OK);
    let task = manager
        .post(&format!("/api/v1/cases/{id}/tasks"), json!({ "title": "Initial assessment", "assignee": { "type": "role", "id": "recovery-practitioner" }, "due_on": "2026-03-17" }))
        .await;
    assert_eq!(task.status, StatusCode::CREATED, "{task:?}");
    let task_id = task.body["id"].as_str().unwrap();
    let bad = manager
        .post(
            &format!("/api/v1/cases/{id}/tasks"),
            json!({ "title": "", "assignee": { "type": "queue", "id": "no-such-queue" } }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reassigned = manager
        .post(
            &format!("/api/v1/cases/{id}/tasks/{task_id}/reassignment"),
            json!({ "version": 1, "assignee": { "type": "user", "id": practitioner.id() } }),
        )
        .await;
    assert_eq!(reassigned.status, StatusCode::OK, "{reassigned:?}");
    assert_eq!(reassigned.body["status"], "open");
    assert_eq!(reassigned.body["due_on"], json!(null));
    let cancelled = manager
        .post(
            &format!("/api/v1/cases/{id}/tasks/{task_id}/cancellation"),
            json!({ "version": 2, "reason": "Client transferred" }),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(cancelled.body["cancel_reason"], "Client transferred");
    assert_eq!(cancelled.body["ended_by"], manager.id());
    assert_eq!(cancelled.body["outcome"], json!(null));
    let complete = manager.post(&format!("/api/v1/cases/{id}/tasks/{task_id}/completion"), json!({ "version": 3 })).await;
    assert_eq!(complete.status, StatusCode::UNPROCESSABLE_ENTITY);
    let stale = manager.post(&format!("/api/v1/cases/{id}/tasks/{task_id}/completion"), json!({ "version": 1 })).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let listed = manager.get(&format!("/api/v1/cases/{id}/tasks")).await;
    assert_eq!(listed.body["items"][0]["status"], "cancelled");
    let history = manager.get(&format!("/api/v1/cases/{id}/history")).await;
    let reassignment = history.body["items"].as_array().unwrap().iter().find(|e| e["kind"] == "task-reassigned").unwrap();
    assert_eq!(reassignment["before"]["assignee"]["type"], "role");
    assert_eq!(reassignment["after"]["assignee"]["id"], practitioner.id());
}

#[tokio::test]
async fn decisions_take_a_reason_from_each_bodys_own_list() {
    let server = spawn().await;
    let manager = server.user("manager", &["ombudsman:assistant-ombudsman"]).await;
    let case = manager.open_case("ombudsman", "Complainant").await;
    let id = case["id"].as_str().unwrap();
    let trust = manager
        .post("/api/v1/organisations", json!({ "name": "Riverside NHS Foundation Trust", "kind": "body-complained-about" }))
        .await;
    assert_eq!(trust.status, StatusCode::CREATED, "{trust:?}");
    let service = manager.get("/api/v1/services").await;
    let ombudsman = service.body.as_array().unwrap().iter().find(|s| s["code"] == "ombudsman").unwrap().clone();
    let outcome = ombudsman["definition"]["decision_outcomes"][0]["code"].as_str().unwrap().to_owned();
    let list = ombudsman["definition"]["decision_reasons"][0]["code"].as_str().unwrap().to_owned();
    let reason = ombudsman["definition"]["decision_reasons"][0]["reasons"][0]["code"].as_str().unwrap().to_owned();
    let other_list_reason = ombudsman["definition"]["decision_reasons"][1]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .find(|code| {
            !ombudsman["definition"]["decision_reasons"][0]["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["code"] == code.as_str())
        })
        .unwrap();
    let wrong = manager
        .post(
            &format!("/api/v1/cases/{id}/decisions"),
            json!({ "outcome": outcome, "reason_list": list, "reason": other_list_reason, "body": trust.body["id"] }),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.fields(), ["reason"]);
    let decided = manager
        .post(&format!("/api/v1/cases/{id}/decisions"), json!({ "outcome": outcome, "reason_list": list, "reason": reason, "body": trust.body["id"], "rationale": "Within jurisdiction" }))
        .await;
    assert_eq!(decided.status, StatusCode::CREATED, "{decided:?}");
    assert_eq!(decided.body["body"], trust.body["id"]);
    let listed = manager.get(&format!("/api/v1/cases/{id}/decisions")).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_high_risk_clients_review_is_due_in_2_weeks_and_moves_to_12_when_the_tier_drops() {
    let server = spawn().await;
    server.clock.set("2026-03-02T10:00:00Z".parse().unwrap());
    let manager = server.user("manager", &["recovery:service-manager"]).await;
    let opened = manager
        .post(
            "/api/v1/cases",
            json!({ "service": "recovery", "source": "staff", "summary": "x", "level": "high-risk",
            "person": { "given_name": "Lee", "family_name": "Plan" } }),
        )
        .await;
    let id = opened.body["id"].as_str().unwrap();
    let bad = manager
        .post(
            &format!("/api/v1/cases/{id}/plan/objectives"),
            json!({ "description": "Cut down", "measure": "", "target_date": "2026-01-01" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = bad.fields();
    fields.sort();
    assert_eq!(fields, ["measure", "target_date"]);
    let objective = manager
        .post(
            &format!("/api/v1/cases/{id}/plan/objectives"),
            json!({ "description": "Reduce heroin use to stop on the wing",
            "measure": "Negative drug tests", "target_date": "2026-06-01" }),
        )
        .await;
    assert_eq!(objective.status, StatusCode::CREATED, "{objective:?}");
    let plan = manager.get(&format!("/api/v1/cases/{id}/plan")).await;
    assert_eq!(plan.body["next_review_on"], "2026-03-16");
    assert_eq!(plan.body["review_every"], json!({ "weeks": 2 }));
    assert_eq!(manager.get("/api/v1/work-lists/recovery/due-for-review").await.body["items"].as_array().unwrap().len(), 0);

    let lowered = manager.post(&format!("/api/v1/cases/{id}/level"), json!({ "version": 1, "level": "low-risk" })).await;
    assert_eq!(lowered.status, StatusCode::OK);
    let plan = manager.get(&format!("/api/v1/cases/{id}/plan")).await;
    assert_eq!(plan.body["next_review_on"], "2026-05-25", "12 weeks from the start of the plan");

    server.clock.set("2026-05-20T10:00:00Z".parse().unwrap());
    let manager = server.sign_in("manager").await;
    let due = manager.get("/api/v1/work-lists/recovery/due-for-review").await;
    assert_eq!(due.body["items"].as_array().unwrap().len(), 1, "due within the week");
    let objective_id = objective.body["id"].as_str().unwrap();
    let missing = manager
        .post(&format!("/api/v1/cases/{id}/plan/reviews"), json!({ "summary": "Reviewed with client", "outcomes": [] }))
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.fields(), ["outcomes"]);
    let reviewed = manager
        .post(
            &format!("/api/v1/cases/{id}/plan/reviews"),
            json!({ "summary": "Three negative tests; keeps going to groups.",
            "outcomes": [{ "objective": objective_id, "outcome": "progressing" }] }),
        )
        .await;
    assert_eq!(reviewed.status, StatusCode::CREATED, "{reviewed:?}");
    assert_eq!(reviewed.body["next_review_on"], "2026-08-12");
    let plan = manager.get(&format!("/api/v1/cases/{id}/plan")).await;
    assert_eq!(plan.body["last_review_on"], "2026-05-20");
    assert_eq!(plan.body["objectives"][0]["status"], "open");
    let history = manager.get(&format!("/api/v1/cases/{id}/history?limit=100")).await;
    let kinds: Vec<&str> = history.body["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(
        kinds.contains(&"review-date-changed") && kinds.contains(&"plan-reviewed") && kinds.contains(&"objective-added"),
        "{kinds:?}"
    );
}
