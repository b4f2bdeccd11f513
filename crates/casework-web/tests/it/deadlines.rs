//! Deadlines: started by what happens on a case, counted in the service's working days,
//! met or breached exactly once. The clock is the test's.

use crate::harness::spawn;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn at(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

fn deadline<'a>(list: &'a Value, code: &str) -> &'a Value {
    list.as_array().unwrap().iter().rev().find(|d| d["code"] == code).unwrap_or_else(|| panic!("no {code} in {list}"))
}

#[tokio::test]
async fn a_prison_referral_before_christmas_is_due_after_the_bank_holidays_and_triage_follows() {
    let server = spawn().await;
    server.clock.set(at("2026-12-23T10:00:00Z")); // the Wednesday before Christmas
    let admin = server.user("admin", &["recovery:administrator"]).await;
    let practitioner = server.user("prac", &["recovery:recovery-practitioner"]).await;
    server.make_user("manager", &["recovery:service-manager"], false).await;
    let case = admin.open_case("recovery", "Christmas").await;
    let id = case["id"].as_str().unwrap();
    admin.post(&format!("/api/v1/cases/{id}/allocation"), json!({ "version": 1, "worker": practitioner.id() })).await;

    let deadlines = practitioner.get(&format!("/api/v1/cases/{id}/deadlines")).await;
    assert_eq!(deadlines.status, StatusCode::OK);
    let initial = deadline(&deadlines.body, "initial-assessment");
    assert_eq!(initial["state"], "running");
    // 24, 29, 30, 31 December and 4 January: Christmas, Boxing Day (28th in lieu) and New Year's Day do not count.
    assert_eq!(initial["due_at"], "2027-01-04T23:59:59.999999Z");
    assert_eq!(initial["left"], "due in 5 working days");

    server.clock.set(at("2026-12-30T11:00:00Z"));
    let practitioner = server.sign_in("prac").await;
    let assessed = practitioner
        .post(
            &format!("/api/v1/cases/{id}/forms"),
            json!({ "form": "initial-assessment",
            "answers": { "consent_to_share": "given", "dataset_form_completed": true, "harm_reduction_advice": "given" } }),
        )
        .await;
    assert_eq!(assessed.status, StatusCode::CREATED, "{assessed:?}");
    let deadlines = practitioner.get(&format!("/api/v1/cases/{id}/deadlines")).await;
    assert_eq!(deadline(&deadlines.body, "initial-assessment")["state"], "met");
    let triage = deadline(&deadlines.body, "triage-assessment");
    assert_eq!(triage["state"], "running");
    assert_eq!(triage["started_at"], "2026-12-30T11:00:00Z");
    // 10 working days after 30 December: 31 Dec, 4–8 Jan, 11–14 Jan.
    assert_eq!(triage["due_at"], "2027-01-14T23:59:59.999999Z");

    // Nothing is breached before its time; after it, exactly once.
    server.clock.set(at("2027-01-14T23:00:00Z"));
    assert_eq!(server.app.sweep_timers().await.unwrap(), 0);
    server.clock.set(at("2027-01-15T09:00:00Z"));
    assert_eq!(server.app.sweep_timers().await.unwrap(), 1);
    assert_eq!(server.app.sweep_timers().await.unwrap(), 0, "a breach is reported once");
    let (practitioner, manager) = (server.sign_in("prac").await, server.sign_in("manager").await);
    let deadlines = practitioner.get(&format!("/api/v1/cases/{id}/deadlines")).await;
    let triage = deadline(&deadlines.body, "triage-assessment");
    assert_eq!(triage["state"], "breached");
    assert_eq!(triage["left"], "overdue by 1 working day");
    assert_eq!(triage["overdue"], true);
    // Extending cannot undo a breach; completing it late never makes it look met.
    let extension = manager
        .post(
            &format!("/api/v1/cases/{id}/deadlines/{}/extension", triage["id"].as_str().unwrap()),
            json!({ "by": { "working_days": 5 }, "reason": "Client in segregation" }),
        )
        .await;
    assert_eq!(extension.status, StatusCode::UNPROCESSABLE_ENTITY, "{extension:?}");
    practitioner
        .post(&format!("/api/v1/cases/{id}/forms"), json!({ "form": "triage-assessment", "answers": { "readiness": 6 } }))
        .await;
    let deadlines = practitioner.get(&format!("/api/v1/cases/{id}/deadlines")).await;
    assert_eq!(deadline(&deadlines.body, "triage-assessment")["state"], "completed-late");
    let history = manager.get(&format!("/api/v1/cases/{id}/history?limit=200")).await;
    let kinds: Vec<&str> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .filter(|k| k.starts_with("timer-"))
        .collect();
    assert_eq!(kinds, ["timer-started", "timer-met", "timer-started", "timer-breached", "timer-completed-late"]);
}

#[tokio::test]
async fn someone_found_under_the_influence_is_seen_within_72_hours_and_deadlines_can_be_extended_with_a_reason() {
    let server = spawn().await;
    server.clock.set(at("2026-03-06T20:00:00Z")); // a Friday evening
    let manager = server.user("manager", &["recovery:service-manager"]).await;
    let case = manager.open_case("recovery", "Flagged").await;
    let id = case["id"].as_str().unwrap();
    let flagged = manager.post(&format!("/api/v1/cases/{id}/flags"), json!({ "version": 1, "flag": "illicit-use" })).await;
    assert_eq!(flagged.status, StatusCode::OK);
    let deadlines = manager.get(&format!("/api/v1/cases/{id}/deadlines")).await;
    let response = deadline(&deadlines.body, "illicit-use-response");
    assert_eq!(response["due_at"], "2026-03-09T20:00:00Z", "72 hours, weekends included");
    assert_eq!(response["target"], "72 hours");

    let initial = deadline(&deadlines.body, "initial-assessment");
    let bad = manager
        .post(
            &format!("/api/v1/cases/{id}/deadlines/{}/extension", initial["id"].as_str().unwrap()),
            json!({ "by": { "fortnights": 1 }, "reason": "x" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.fields(), ["by"]);
    let extended = manager
        .post(
            &format!("/api/v1/cases/{id}/deadlines/{}/extension", initial["id"].as_str().unwrap()),
            json!({ "by": { "working_days": 2 }, "reason": "Client at court all week" }),
        )
        .await;
    assert_eq!(extended.status, StatusCode::OK, "{extended:?}");
    // Friday 6 March + 5 working days = Friday 13 March; + 2 more = Tuesday 17 March.
    assert_eq!(initial["due_at"], "2026-03-13T23:59:59.999999Z");
    assert_eq!(extended.body["due_at"], "2026-03-17T23:59:59.999999Z");
    assert_eq!(extended.body["extensions"][0]["reason"], "Client at court all week");

    server.clock.set(at("2026-03-07T10:00:00Z"));
    let manager = server.sign_in("manager").await;
    let seen = manager
        .post(
            &format!("/api/v1/cases/{id}/forms"),
            json!({ "form": "illicit-use-review", "answers": { "seen_at_location": "Healthcare" } }),
        )
        .await;
    assert_eq!(seen.status, StatusCode::UNPROCESSABLE_ENTITY, "a manager must say which worker saw him");
    assert_eq!(seen.fields(), ["completed_by"]);
    let seen = manager
        .post(
            &format!("/api/v1/cases/{id}/forms"),
            json!({ "form": "illicit-use-review", "answers": { "seen_at_location": "Healthcare" }, "completed_by": "support-worker" }),
        )
        .await;
    assert_eq!(seen.status, StatusCode::CREATED, "{seen:?}");
    let deadlines = manager.get(&format!("/api/v1/cases/{id}/deadlines")).await;
    assert_eq!(deadline(&deadlines.body, "illicit-use-response")["state"], "met");
    assert_eq!(deadline(&deadlines.body, "illicit-use-response")["left"], "met");
}

#[tokio::test]
async fn an_initial_look_is_due_in_5_working_days_and_met_by_any_decision_that_moves_it_on() {
    let server = spawn().await;
    server.clock.set(at("2026-04-01T09:00:00Z")); // Wednesday before Easter (3 and 6 April are bank holidays)
    let coordinator = server.user("coord", &["ombudsman:assistant-ombudsman"]).await;
    let case = coordinator.open_case("ombudsman", "Complainant").await;
    let id = case["id"].as_str().unwrap();
    let deadlines = coordinator.get(&format!("/api/v1/cases/{id}/deadlines")).await;
    // 2, 7, 8, 9 and 10 April (BST: the end of the UK day is 22:59:59 UTC).
    assert_eq!(deadline(&deadlines.body, "initial-look")["due_at"], "2026-04-10T22:59:59.999999Z");
    let moved =
        coordinator.post(&format!("/api/v1/cases/{id}/stage"), json!({ "version": 1, "stage": "more-information" })).await;
    assert_eq!(moved.status, StatusCode::OK, "{moved:?}");
    let deadlines = coordinator.get(&format!("/api/v1/cases/{id}/deadlines")).await;
    assert_eq!(deadline(&deadlines.body, "initial-look")["state"], "met");
}

#[tokio::test]
async fn a_sweep_reads_only_due_timers_and_other_services_are_untouched() {
    let server = spawn().await;
    let dean = server.user("dd", &["deanery:deputy-dean"]).await;
    let manager = server.user("manager", &["recovery:service-manager"]).await;
    for i in 0..3 {
        manager.open_case("recovery", &format!("Due{i}")).await;
    }
    let body = json!({ "service": "deanery", "source": "form", "summary": "x", "person": { "given_name": "A", "family_name": "B" },
        "forms": [{ "form": "form-e", "answers": { "examination": "MRCS" } }, { "form": "form-2", "answers": { "communication": "ok" } }] });
    let deanery_case = dean.post("/api/v1/cases", body).await;
    assert_eq!(deanery_case.status, StatusCode::CREATED);
    let deadlines = dean.get(&format!("/api/v1/cases/{}/deadlines", deanery_case.body["id"].as_str().unwrap())).await;
    assert_eq!(deadlines.body, json!([]), "the deanery keeps no timers");
    server.advance(jiff::SignedDuration::from_hours(24 * 30));
    assert_eq!(server.app.sweep_timers().await.unwrap(), 3);
    assert_eq!(server.app.sweep_timers().await.unwrap(), 0);
}

#[tokio::test]
async fn an_imported_one_off_holiday_moves_deadlines_from_the_next_start() {
    let server = spawn().await;
    server.clock.set(at("2027-05-27T09:00:00Z")); // a Thursday
    let published = r#"{
        "england-and-wales": { "division": "england-and-wales", "events": [
            { "title": "Spring bank holiday", "date": "2027-05-31", "notes": "", "bunting": true },
            { "title": "A one-off celebration", "date": "2027-06-01", "notes": "", "bunting": true } ] },
        "scotland": { "division": "scotland", "events": [] },
        "northern-ireland": { "division": "northern-ireland", "events": [] } }"#;
    let system = casework_app::users::system_actor();
    assert_eq!(server.app.import_holidays(&system, published).await.unwrap(), 1, "only the day the rules do not give");
    assert_eq!(server.app.import_holidays(&system, published).await.unwrap(), 0);
    assert!(server.app.import_holidays(&system, "{ not json").await.is_err());
    server.app.register_services().await.unwrap();
    let manager = server.user("manager", &["recovery:service-manager"]).await;
    let case = manager.open_case("recovery", "Holiday").await;
    let deadlines = manager.get(&format!("/api/v1/cases/{}/deadlines", case["id"].as_str().unwrap())).await;
    // Friday 28 May, (31 May and 1 June off), 2, 3, 4 and 7 June.
    assert_eq!(deadline(&deadlines.body, "initial-assessment")["due_at"], "2027-06-07T22:59:59.999999Z");
}
