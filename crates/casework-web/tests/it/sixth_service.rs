//! A sixth service needs no code: a tenancy-sustainment service, unlike the five, written
//! only for this test, runs a case from referral to closure on its definition alone.

use crate::harness::spawn_with;
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::json;

const TENANCY: &str = r#"
initial_stage = "engagement"

[service]
code = "tenancy"
name = "Tenancy sustainment"
reference_prefix = "TEN"
level_label = "Arrears band"
nation = "scotland"

[[roles]]
code = "officer"
name = "Tenancy sustainment officer"
permissions = ["referral.create", "referral.read", "case.read", "case.update", "note.add", "task.manage", "case.close", "person.read", "person.write"]
reach = "allocated"

[[roles]]
code = "team-leader"
name = "Team leader"
permissions = ["referral.create", "referral.read", "referral.decide", "case.create", "case.read", "case.update", "case.allocate",
  "note.add", "task.manage", "decision.record", "case.close", "case.reopen", "history.read", "person.read", "person.write"]
reach = "service"

[[stages]]
code = "engagement"
name = "Engagement"
next = ["income-maximisation"]

[[stages]]
code = "income-maximisation"
name = "Income maximisation"
next = ["engagement", "sustained"]

[[stages]]
code = "sustained"
name = "Tenancy sustained"
next = ["income-maximisation"]

[[levels]]
code = "high-arrears"
name = "Over 8 weeks' rent"

[[levels]]
code = "low-arrears"
name = "Under 8 weeks' rent"

[[flags]]
code = "notice-served"
name = "Notice of proceedings served"

[[closure_reasons]]
code = "sustained"
name = "Tenancy sustained"
requires = [{ form = "exit-survey" }]

[[forms]]
code = "landlord-referral"
name = "Referral from the landlord"
filled_by = ["team-leader"]
[forms.schema]
type = "object"
required = ["weeks_in_arrears"]
[forms.schema.properties.weeks_in_arrears]
type = "integer"
minimum = 0

[[forms]]
code = "benefits-check"
name = "Benefits check"
filled_by = ["officer"]
[forms.schema]
type = "object"
required = ["done"]
[forms.schema.properties.done]
type = "boolean"

[[forms]]
code = "exit-survey"
name = "Exit survey"
filled_by = ["subject"]
[forms.schema]
type = "object"
[forms.schema.properties.satisfaction]
type = "integer"
minimum = 1
maximum = 5

[referrals]
valid_when = [["landlord-referral"]]

[[timers]]
code = "first-contact"
name = "First contact within 3 working days"
start = { on = "case-opened" }
target = { working_days = 3 }
stop = { on = "stage-entered", stage = "income-maximisation" }

[[timers]]
code = "benefits-check"
name = "Benefits check within 10 calendar days of allocation"
start = { on = "allocated" }
target = { calendar_days = 10 }
stop = { on = "form-submitted", form = "benefits-check" }

[[alerts]]
code = "notice"
name = "Notice of proceedings served"
start = { on = "flag-set", flag = "notice-served" }
stop = { on = "flag-removed", flag = "notice-served" }
every = { weeks = 1 }
to = "team-leader"

[[work_lists]]
code = "high-arrears"
name = "High arrears"
filter = { levels = ["high-arrears"] }
"#;

#[tokio::test]
async fn a_service_unlike_the_five_runs_end_to_end_on_its_definition_alone() {
    let server = spawn_with(&[TENANCY]).await;
    server.clock.set("2026-11-26T10:00:00Z".parse().unwrap()); // a Thursday; St Andrew's Day (Mon 30 Nov) is a Scottish bank holiday
    let leader = server.user("leader", &["tenancy:team-leader"]).await;
    let officer = server.user("officer", &["tenancy:officer"]).await;
    let person = leader.post("/api/v1/people", json!({ "given_name": "Kirsty", "family_name": "Reid" })).await;
    let person_id = person.body["id"].as_str().unwrap();
    let unsupported = leader
        .post(
            "/api/v1/referrals",
            json!({ "person": person_id, "service": "tenancy", "source": "agency", "summary": "Arrears",
        "forms": [{ "form": "landlord-referral", "answers": { "weeks_in_arrears": -2 } }] }),
        )
        .await;
    assert_eq!(unsupported.fields(), ["forms/0/answers/weeks_in_arrears"]);
    let referral = leader
        .post(
            "/api/v1/referrals",
            json!({ "person": person_id, "service": "tenancy", "source": "agency", "summary": "Arrears after a change in hours",
        "forms": [{ "form": "landlord-referral", "answers": { "weeks_in_arrears": 9 } }] }),
        )
        .await;
    assert_eq!(referral.status, StatusCode::CREATED, "{referral:?}");
    assert_eq!(referral.body["validity"]["valid"], true);
    let accepted = leader
        .post(
            &format!("/api/v1/referrals/{}/acceptance", referral.body["id"].as_str().unwrap()),
            json!({ "level": "high-arrears", "worker": officer.id() }),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{accepted:?}");
    let case = &accepted.body["case"];
    assert_eq!(case["reference"], "TEN-2026-000001");
    let id = case["id"].as_str().unwrap();

    let deadlines = officer.get(&format!("/api/v1/cases/{id}/deadlines")).await;
    let first = deadlines.body.as_array().unwrap().iter().find(|d| d["code"] == "first-contact").unwrap().clone();
    // Friday 27, (St Andrew's Day Monday 30 is a holiday in Scotland), Tuesday 1, Wednesday 2 December.
    assert_eq!(first["due_at"], "2026-12-02T23:59:59.999999Z");
    assert_eq!(leader.get("/api/v1/work-lists/tenancy/high-arrears").await.body["items"].as_array().unwrap().len(), 1);

    let moved = officer.post(&format!("/api/v1/cases/{id}/stage"), json!({ "version": 1, "stage": "income-maximisation" })).await;
    assert_eq!(moved.status, StatusCode::OK, "{moved:?}");
    let flagged = officer.post(&format!("/api/v1/cases/{id}/flags"), json!({ "version": 2, "flag": "notice-served" })).await;
    assert_eq!(flagged.status, StatusCode::OK);
    let alerts = leader.get("/api/v1/alerts").await;
    assert_eq!(alerts.body["items"][0]["rule"], "notice");
    let checked = officer
        .post(&format!("/api/v1/cases/{id}/forms"), json!({ "form": "benefits-check", "answers": { "done": true } }))
        .await;
    assert_eq!(checked.status, StatusCode::CREATED);
    let deadlines = officer.get(&format!("/api/v1/cases/{id}/deadlines")).await;
    let states: Vec<(String, String)> = deadlines
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_owned(), d["state"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(states, [("first-contact".to_owned(), "met".to_owned()), ("benefits-check".to_owned(), "met".to_owned())]);

    server.advance(SignedDuration::from_hours(24 * 7));
    assert_eq!(server.app.sweep_alerts().await.unwrap(), 1, "the notice alert repeats weekly");
    let officer = server.sign_in("officer").await;
    let moved = officer.post(&format!("/api/v1/cases/{id}/stage"), json!({ "version": 3, "stage": "sustained" })).await;
    assert_eq!(moved.status, StatusCode::OK);
    let early = officer.post(&format!("/api/v1/cases/{id}/closure"), json!({ "version": 4, "reason": "sustained" })).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY, "the exit survey comes first");
    let survey = officer
        .post(&format!("/api/v1/cases/{id}/forms"), json!({ "form": "exit-survey", "answers": { "satisfaction": 5 } }))
        .await;
    assert_eq!(survey.body["completed_by"], "subject");
    let closed = officer.post(&format!("/api/v1/cases/{id}/closure"), json!({ "version": 4, "reason": "sustained" })).await;
    assert_eq!(closed.status, StatusCode::OK, "{closed:?}");
    server.advance(SignedDuration::from_hours(24 * 14));
    assert_eq!(server.app.sweep_alerts().await.unwrap(), 0, "a closed case raises no more alerts");
}
