//! Case commands: validation with nothing written, stale versions refused, history written
//! with each change, closure and reopening, flags, key dates and links.

use crate::harness::spawn;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_bad_case_names_every_bad_field_and_writes_nothing() {
    let server = spawn().await;
    let admin = server.user("admin", &["recovery:administrator"]).await;
    let before = server.counts().await;
    let answer = admin
        .post(
            "/api/v1/cases",
            json!({
                "service": "recovery",
                "source": "carrier-pigeon",
                "summary": "  ",
                "received_at": "yesterday",
                "person": {
                    "given_name": "",
                    "family_name": "Okafor",
                    "date_of_birth": "2090-01-01",
                    "identifiers": [{ "kind": "prison-number", "value": "12345" }, { "kind": "passport", "value": "x" }]
                },
                "worker": "not-an-id"
            }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.headers["content-type"], "application/problem+json");
    let mut fields = answer.fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "person/date_of_birth",
            "person/given_name",
            "person/identifiers/0/value",
            "person/identifiers/1/kind",
            "received_at",
            "source",
            "summary",
            "worker"
        ]
    );
    assert_eq!(server.counts().await, before);

    // Malformed JSON and unknown fields are reported with their place too.
    let unknown = admin
        .post(
            "/api/v1/cases",
            json!({ "service": "recovery", "source": "staff", "summary": "x", "person_id": "x", "colour": "red" }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body["errors"][0]["message"].as_str().unwrap().contains("colour"), "{unknown:?}");
    let wrong_type =
        admin.post("/api/v1/cases/0190c7e0-0000-7000-8000-000000000000/stage", json!({ "version": "one", "stage": "x" })).await;
    assert_eq!(wrong_type.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong_type.fields(), ["version"]);
    // A service that does not exist is a field error, not a crash.
    let no_service = admin.post("/api/v1/cases", json!({ "service": "astrology", "source": "staff", "summary": "x", "person": { "given_name": "A", "family_name": "B" } })).await;
    assert_eq!(no_service.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_service.fields(), ["service"]);
    assert_eq!(server.counts().await, before);
}

#[tokio::test]
async fn opening_a_case_records_person_referral_case_and_history_together() {
    let server = spawn().await;
    let admin = server.user("admin", &["recovery:administrator"]).await;
    let manager = server.user("manager", &["recovery:service-manager"]).await;
    let case = admin.open_case("recovery", "Nowak").await;
    assert_eq!(case["reference"], "DARS-2026-000001");
    assert_eq!(case["stage"], "waiting-list");
    assert_eq!(case["status"], "open");
    assert_eq!(case["version"], 1);
    assert_eq!(case["subject"]["family_name"], "Nowak");
    let second = admin.open_case("recovery", "Second").await;
    assert_eq!(second["reference"], "DARS-2026-000002");
    let id = case["id"].as_str().unwrap();
    let referral = admin.get(&format!("/api/v1/cases/{id}/referral")).await;
    assert_eq!(referral.body["outcome"], "accepted");
    assert_eq!(referral.body["case"], id);
    let history = manager.get(&format!("/api/v1/cases/{id}/history")).await;
    let kinds: Vec<&str> = history.body["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["case-opened", "timer-started", "referral-accepted"],
        "the initial-assessment deadline starts with the case"
    );
    assert_eq!(history.body["items"][0]["actor"], admin.id());
}

#[tokio::test]
async fn a_change_based_on_a_stale_version_is_refused_and_overwrites_nothing() {
    let server = spawn().await;
    let admin = server.user("admin", &["recovery:administrator"]).await;
    let other = server.user("other", &["recovery:administrator"]).await;
    let case = admin.open_case("recovery", "Race").await;
    let id = case["id"].as_str().unwrap();
    let first = admin.post(&format!("/api/v1/cases/{id}/stage"), json!({ "version": 1, "stage": "initial-assessment" })).await;
    assert_eq!(first.status, StatusCode::OK, "{first:?}");
    assert_eq!(first.body["version"], 2);
    let events_before = server.count("events").await;
    let stale = other.post(&format!("/api/v1/cases/{id}/level"), json!({ "version": 1, "level": "high-risk" })).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(server.count("events").await, events_before, "a refused change leaves no history");
    let now = admin.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(now.body["level"], json!(null));
    assert_eq!(now.body["stage"], "initial-assessment");
    let fresh = other.post(&format!("/api/v1/cases/{id}/level"), json!({ "version": 2, "level": "high-risk" })).await;
    assert_eq!(fresh.status, StatusCode::OK);
}

#[tokio::test]
async fn stage_moves_follow_the_service_and_every_change_has_before_and_after() {
    let server = spawn().await;
    let manager = server.user("manager", &["recovery:service-manager"]).await;
    let case = manager.open_case("recovery", "Moves").await;
    let id = case["id"].as_str().unwrap();
    let skip = manager.post(&format!("/api/v1/cases/{id}/stage"), json!({ "version": 1, "stage": "care-plan" })).await;
    assert_eq!(skip.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(skip.fields(), ["stage"]);
    let mut version = 1;
    for stage in ["initial-assessment", "waiting-list", "initial-assessment"] {
        let moved = manager.post(&format!("/api/v1/cases/{id}/stage"), json!({ "version": version, "stage": stage })).await;
        assert_eq!(moved.status, StatusCode::OK, "{moved:?}");
        version = moved.body["version"].as_i64().unwrap();
    }
    let history = manager.get(&format!("/api/v1/cases/{id}/history")).await;
    let moves: Vec<(String, String)> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "stage-changed")
        .map(|e| (e["before"]["stage"].as_str().unwrap().to_owned(), e["after"]["stage"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        moves,
        [
            ("waiting-list".to_owned(), "initial-assessment".to_owned()),
            ("initial-assessment".to_owned(), "waiting-list".to_owned()),
            ("waiting-list".to_owned(), "initial-assessment".to_owned())
        ]
    );
}

#[tokio::test]
async fn flags_key_dates_links_closure_and_reopening() {
    let server = spawn().await;
    let manager = server.user("manager", &["recovery:service-manager"]).await;
    let case = manager.open_case("recovery", "Full").await;
    let other = manager.open_case("recovery", "Other").await;
    let id = case["id"].as_str().unwrap();
    let flagged = manager.post(&format!("/api/v1/cases/{id}/flags"), json!({ "version": 1, "flag": "safeguarding" })).await;
    assert_eq!(flagged.status, StatusCode::OK, "{flagged:?}");
    assert_eq!(flagged.body["flags"][0]["flag"], "safeguarding");
    assert_eq!(flagged.body["flags"][0]["set_by"], manager.id());
    let listed = manager.get("/api/v1/cases?flag=safeguarding").await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed.body["items"][0]["flags"], json!(["safeguarding"]));
    let dated = manager
        .post(&format!("/api/v1/cases/{id}/key-dates"), json!({ "version": 2, "key_date": "release-date", "date": "2026-09-01" }))
        .await;
    assert_eq!(dated.body["key_dates"], json!([{ "key_date": "release-date", "date": "2026-09-01" }]));
    let linked =
        manager.post(&format!("/api/v1/cases/{id}/links"), json!({ "version": 3, "kind": "related", "case": other["id"] })).await;
    assert_eq!(linked.status, StatusCode::OK);
    let other_view = manager.get(&format!("/api/v1/cases/{}", other["id"].as_str().unwrap())).await;
    assert_eq!(other_view.body["linked_from"], json!([{ "kind": "related", "case": id }]));
    let unflagged = manager.delete(&format!("/api/v1/cases/{id}/flags/safeguarding?version=4")).await;
    assert_eq!(unflagged.status, StatusCode::OK);
    assert_eq!(unflagged.body["flags"], json!([]));
    let bad_reason = manager.post(&format!("/api/v1/cases/{id}/closure"), json!({ "version": 5, "reason": "bored" })).await;
    assert_eq!(bad_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let exit =
        json!({ "form": "exit-dataset", "answers": { "exit_reason": "Completed treatment" }, "completed_by": "administrator" });
    assert_eq!(manager.post(&format!("/api/v1/cases/{id}/forms"), exit).await.status, StatusCode::CREATED);
    let closed = manager.post(&format!("/api/v1/cases/{id}/closure"), json!({ "version": 5, "reason": "positive-exit" })).await;
    assert_eq!(closed.status, StatusCode::OK);
    assert_eq!(closed.body["status"], "closed");
    assert_eq!(closed.body["closure_reason"], "positive-exit");
    let note = manager.post(&format!("/api/v1/cases/{id}/notes"), json!({ "kind": "contact", "body": "after closure" })).await;
    assert_eq!(note.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(manager.get("/api/v1/cases?status=closed").await.body["items"].as_array().unwrap().len(), 1);
    for (path, body) in [
        ("flags", json!({ "version": 6, "flag": "parole" })),
        ("key-dates", json!({ "version": 6, "key_date": "release-date", "date": "2026-10-01" })),
        ("decisions", json!({ "outcome": "suitable-for-service", "reason_list": "dars", "reason": "client-choice" })),
        ("tasks", json!({ "title": "x", "assignee": { "type": "role", "id": "administrator" } })),
    ] {
        let refused = manager.post(&format!("/api/v1/cases/{id}/{path}"), body).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{path} on a closed case: {refused:?}");
    }
    let reopened =
        manager.post(&format!("/api/v1/cases/{id}/reopening"), json!({ "version": 6, "reason": "Returned on recall" })).await;
    assert_eq!(reopened.status, StatusCode::OK);
    assert_eq!(reopened.body["status"], "open");
    let history = manager.get(&format!("/api/v1/cases/{id}/history")).await;
    let kinds: Vec<&str> = history.body["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "case-opened",
            "timer-started",
            "referral-accepted",
            "flag-set",
            "key-date-set",
            "case-linked",
            "flag-removed",
            "form-submitted",
            "case-closed",
            "timer-cancelled",
            "case-reopened"
        ]
    );
}

#[tokio::test]
async fn a_service_that_never_closes_cases_refuses_closure() {
    let server = spawn().await;
    let dean = server.user("dd", &["deanery:deputy-dean"]).await;
    let opened = dean
        .post(
            "/api/v1/cases",
            json!({ "service": "deanery", "source": "form", "summary": "Exam failure", "person": { "given_name": "Sam", "family_name": "Quiet" },
                "forms": [{ "form": "form-e", "answers": { "examination": "MRCP Part 1" } },
                          { "form": "form-2", "answers": { "training_progression": "Behind after two attempts" }, "completed_by": "training-programme-director" }] }),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{opened:?}");
    let case = opened.body;
    let id = case["id"].as_str().unwrap();
    let closed = dean.post(&format!("/api/v1/cases/{id}/closure"), json!({ "version": 1, "reason": "anything" })).await;
    assert!(matches!(closed.status, StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY), "{closed:?}");
    assert_eq!(dean.get(&format!("/api/v1/cases/{id}")).await.body["status"], "open");
}

#[tokio::test]
async fn every_view_of_a_case_record_is_logged() {
    let server = spawn().await;
    let manager = server.user("manager", &["recovery:service-manager"]).await;
    let case = manager.open_case("recovery", "Watched").await;
    let id = case["id"].as_str().unwrap();
    let before = server.count("access_log").await;
    for part in ["", "/notes", "/tasks", "/decisions", "/history", "/referral"] {
        manager.get(&format!("/api/v1/cases/{id}{part}")).await;
    }
    assert_eq!(server.count("access_log").await, before + 6);
    let mut conn = server.app.store.read().await.unwrap();
    let accesses = casework_store::events::accesses_of_case(&mut conn, id.parse().unwrap()).await.unwrap();
    let what: Vec<&str> = accesses.iter().skip(usize::try_from(before).unwrap()).map(|a| a.what.as_str()).collect();
    assert_eq!(what, ["case", "notes", "tasks", "decisions", "history", "referral"]);
    assert!(accesses.iter().all(|a| a.user.to_string() == manager.id()));
}

#[tokio::test]
async fn history_and_notes_cannot_be_changed_even_directly_in_the_database() {
    let server = spawn().await;
    let manager = server.user("manager", &["recovery:service-manager"]).await;
    let case = manager.open_case("recovery", "Immutable").await;
    let id = case["id"].as_str().unwrap();
    manager.post(&format!("/api/v1/cases/{id}/notes"), json!({ "kind": "contact", "body": "Original" })).await;
    let mut direct = server.raw_connection().await;
    for statement in [
        "UPDATE notes SET body = 'changed'",
        "DELETE FROM notes",
        "UPDATE events SET kind = 'x'",
        "DELETE FROM events",
        "UPDATE access_log SET what = 'x'",
        "DELETE FROM access_log",
    ] {
        let refused = sqlx::query(statement).execute(&mut direct).await;
        assert!(refused.is_err(), "{statement} was allowed");
    }
    let body: String = sqlx::query_scalar("SELECT body FROM notes").fetch_one(&mut direct).await.unwrap();
    assert_eq!(body, "Original");
}

#[tokio::test]
async fn a_release_closes_only_once_the_harm_reduction_session_and_for_clinical_clients_the_cdt_referral_are_recorded() {
    let server = spawn().await;
    let manager = server.user("manager", &["recovery:service-manager"]).await;
    let case = manager.open_case("recovery", "Release").await;
    let id = case["id"].as_str().unwrap();
    let flagged = manager.post(&format!("/api/v1/cases/{id}/flags"), json!({ "version": 1, "flag": "clinical-client" })).await;
    assert_eq!(flagged.status, StatusCode::OK);
    let form = |code: &str, answers: serde_json::Value| json!({ "form": code, "answers": answers, "completed_by": "recovery-practitioner" });
    let before = server.count("events").await;
    let refused = manager.post(&format!("/api/v1/cases/{id}/closure"), json!({ "version": 2, "reason": "release" })).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = refused.body["errors"][0]["message"].as_str().unwrap().to_owned();
    for step in
        ["Treatment-monitoring dataset: exit", "Harm-reduction session before release", "Referral to the community drug team"]
    {
        assert!(message.contains(step), "{step} missing from: {message}");
    }
    assert_eq!(server.count("events").await, before, "a refused closure writes nothing");
    for (code, answers) in [
        ("exit-dataset", json!({ "exit_reason": "Released" })),
        ("harm-reduction-session", json!({ "delivered": "yes", "naloxone_offered": "yes" })),
    ] {
        assert_eq!(manager.post(&format!("/api/v1/cases/{id}/forms"), form(code, answers)).await.status, StatusCode::CREATED);
    }
    let still = manager.post(&format!("/api/v1/cases/{id}/closure"), json!({ "version": 2, "reason": "release" })).await;
    assert_eq!(still.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = still.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("community drug team") && !message.contains("Harm-reduction"), "{message}");
    let cdt = form("cdt-referral", json!({ "community_team": "Kestrel CDAS" }));
    assert_eq!(manager.post(&format!("/api/v1/cases/{id}/forms"), cdt).await.status, StatusCode::CREATED);
    let closed = manager.post(&format!("/api/v1/cases/{id}/closure"), json!({ "version": 2, "reason": "release" })).await;
    assert_eq!(closed.status, StatusCode::OK, "{closed:?}");
    assert_eq!(closed.body["closure_reason"], "release");
}

#[tokio::test]
async fn work_lists_show_and_count_only_what_the_reader_may_see() {
    let server = spawn().await;
    server.clock.set("2026-06-01T09:00:00Z".parse().unwrap());
    let admin = server.user("admin", &["recovery:administrator"]).await;
    let practitioner = server.user("prac", &["recovery:recovery-practitioner"]).await;
    let soon = admin.open_case("recovery", "Soon").await;
    let later = admin.open_case("recovery", "Later").await;
    let mine = admin.open_case("recovery", "Mine").await;
    for (case, date) in [(&soon, "2026-08-01"), (&later, "2026-12-01"), (&mine, "2026-07-01")] {
        let id = case["id"].as_str().unwrap();
        let dated = admin
            .post(&format!("/api/v1/cases/{id}/key-dates"), json!({ "version": 1, "key_date": "release-date", "date": date }))
            .await;
        assert_eq!(dated.status, StatusCode::OK, "{dated:?}");
    }
    let mine_id = mine["id"].as_str().unwrap();
    admin.post(&format!("/api/v1/cases/{mine_id}/allocation"), json!({ "version": 2, "worker": practitioner.id() })).await;

    let lists = admin.get("/api/v1/work-lists").await;
    let count = |lists: &serde_json::Value, code: &str| {
        lists
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["service"] == "recovery" && l["code"] == code)
            .map(|l| l["count"].as_i64().unwrap())
    };
    assert_eq!(count(&lists.body, "release-due"), Some(2), "12 weeks from 1 June reaches 24 August");
    assert_eq!(count(&lists.body, "awaiting-allocation"), Some(2));
    assert!(lists.body.as_array().unwrap().iter().all(|l| l["service"] == "recovery"), "only the services one works in");
    let due = admin.get("/api/v1/work-lists/recovery/release-due").await;
    let names: Vec<&str> = due.body["items"].as_array().unwrap().iter().map(|c| c["person_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Sam Mine", "Sam Soon"]);
    // The practitioner sees only their own case, in lists and counts alike.
    let theirs = practitioner.get("/api/v1/work-lists").await;
    assert_eq!(count(&theirs.body, "release-due"), Some(1));
    assert_eq!(practitioner.get("/api/v1/work-lists/recovery/release-due").await.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(admin.get("/api/v1/work-lists/recovery/no-such-list").await.status, StatusCode::NOT_FOUND);
    let deanery = server.user("tpd", &["deanery:training-programme-director"]).await;
    assert_eq!(deanery.get("/api/v1/work-lists").await.body, json!([]), "a role that reaches no cases has no work lists");
}

#[tokio::test]
async fn shadow_cases_are_kept_out_of_the_statistics_list() {
    let server = spawn().await;
    let manager = server.user("ao", &["ombudsman:assistant-ombudsman"]).await;
    let original = manager.open_case("ombudsman", "Original").await;
    let shadow = manager.open_case("ombudsman", "Shadow").await;
    let id = shadow["id"].as_str().unwrap();
    manager
        .post(&format!("/api/v1/cases/{id}/links"), json!({ "version": 1, "kind": "shadow-of", "case": original["id"] }))
        .await;
    let flagged = manager.post(&format!("/api/v1/cases/{id}/flags"), json!({ "version": 2, "flag": "shadow-case" })).await;
    assert_eq!(flagged.status, StatusCode::OK, "{flagged:?}");
    let counted = manager.get("/api/v1/work-lists/ombudsman/counted-in-statistics").await;
    let ids: Vec<&str> = counted.body["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [original["id"].as_str().unwrap()]);
}
