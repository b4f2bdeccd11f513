//! Reports: referrals by source and outcome, cases opened, closed by reason and reopened,
//! and alerts raised and acknowledged, checked against figures counted by hand on a small
//! fixed set of referrals and cases worked over December and January with the test's clock.

use crate::harness::{Client, TestServer, spawn_with};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A service written for this test: three referral sources, two rejection reasons, two
/// closure reasons and an alert rule that tells the manager about a case two days after it
/// opens. A manager across the service, a team leader who sees their team's cases and a
/// worker who sees only their own and reads no reports.
const INTAKE: &str = r#"
initial_stage = "open"

[service]
code = "intake"
name = "Intake"
reference_prefix = "INT"
closes_cases = true

[[roles]]
code = "manager"
name = "Intake manager"
permissions = ["referral.create", "referral.read", "referral.decide", "case.create", "case.read", "case.update", "case.allocate",
  "case.close", "case.reopen", "note.add", "person.read", "person.write", "reports.read"]
reach = "service"

[[roles]]
code = "team-leader"
name = "Team leader"
permissions = ["referral.read", "case.read", "reports.read"]
reach = "team"

[[roles]]
code = "worker"
name = "Intake worker"
permissions = ["referral.read", "case.read", "case.update", "note.add"]
reach = "allocated"

[[stages]]
code = "open"
name = "Open"
next = []

[referrals]
sources = ["self-referral", "agency", "staff"]

[[rejection_reasons]]
code = "outside-area"
name = "Outside the area"

[[rejection_reasons]]
code = "duplicate"
name = "Duplicate referral"

[[closure_reasons]]
code = "support-complete"
name = "Support complete"

[[closure_reasons]]
code = "moved-away"
name = "Moved away"

[[alerts]]
code = "first-contact"
name = "No first contact after two days"
start = { on = "case-opened" }
first_after = { days = 2 }
to = "manager"
"#;

const PERIOD: &str = "from=2026-12&to=2027-01";

fn at(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

struct Scene {
    server: TestServer,
    north: String,
    /// Referral ids by name (R1 to R8).
    referrals: BTreeMap<&'static str, String>,
    /// Case references by name (A, B, C).
    cases: BTreeMap<&'static str, String>,
}

/// Eight referrals, three of which became cases, worked at fixed times (London is on UTC
/// in winter):
/// - R1 self-referral, Tue 1 Dec, accepted: case A (North);
/// - R2 agency, Wed 2 Dec, rejected (outside the area);
/// - R3 agency, Thu 10 Dec, accepted: case B (South);
/// - R4 self-referral, Wed 23 Dec, still pending over Christmas and after;
/// - R5 staff, Mon 4 Jan, accepted: case C (North);
/// - R6 self-referral, Tue 5 Jan, rejected (duplicate);
/// - R7 agency, Wed 6 Jan, kept on file;
/// - R8 self-referral, Thu 7 Jan, rejected (outside the area).
///
/// Case A is closed (support complete) on 18 Dec, reopened on 5 Jan and closed again
/// (moved away) on 15 Jan; B is closed (support complete) on 12 Jan; C stays open.
///
/// The alert rule fires two days after each case opens: A's on 3 Dec 09:00, acknowledged
/// at 15:00 (6 hours); B's on 12 Dec 09:00, acknowledged 14 Dec 09:00 (48 hours); C's on
/// 6 Jan 09:00, never acknowledged. The manager also sets a reminder on B for themselves
/// for Fri 8 Jan, not acknowledged. The report is read on Wed 20 Jan 2027.
async fn scene() -> Scene {
    let server = spawn_with(&[INTAKE]).await;
    server.clock.set(at("2026-12-01T08:00:00Z"));
    server.make_user("manager", &["intake:manager"], false).await;
    let north_worker = server.user("north-worker", &["intake:worker"]).await;
    let south_worker = server.user("south-worker", &["intake:worker"]).await;
    let north = server.team("intake", "North", &[&north_worker]).await.to_string();
    let south = server.team("intake", "South", &[&south_worker]).await.to_string();
    let mut referrals = BTreeMap::new();
    let mut case_ids: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut cases = BTreeMap::new();

    let steps: Vec<(&'static str, &'static str, &'static str)> = vec![
        ("R1 self-referral", "accept A", "2026-12-01T09:00:00Z"),
        ("R2 agency", "reject outside-area", "2026-12-02T09:00:00Z"),
        ("", "sweep", "2026-12-03T09:00:00Z"),
        ("A", "acknowledge", "2026-12-03T15:00:00Z"),
        ("R3 agency", "accept B", "2026-12-10T09:00:00Z"),
        ("", "sweep", "2026-12-12T09:00:00Z"),
        ("B", "acknowledge", "2026-12-14T09:00:00Z"),
        ("A", "close support-complete", "2026-12-18T09:00:00Z"),
        ("R4 self-referral", "leave", "2026-12-23T09:00:00Z"),
        ("R5 staff", "accept C", "2027-01-04T09:00:00Z"),
        ("R6 self-referral", "reject duplicate", "2027-01-05T09:00:00Z"),
        ("A", "reopen", "2027-01-05T10:00:00Z"),
        ("B", "remind", "2027-01-05T11:00:00Z"),
        ("R7 agency", "file", "2027-01-06T09:00:00Z"),
        ("", "sweep", "2027-01-06T09:00:00Z"),
        ("R8 self-referral", "reject outside-area", "2027-01-07T09:00:00Z"),
        ("", "sweep", "2027-01-08T00:00:00Z"),
        ("B", "close support-complete", "2027-01-12T09:00:00Z"),
        ("A", "close moved-away", "2027-01-15T09:00:00Z"),
    ];
    for (subject, step, when) in steps {
        server.clock.set(at(when));
        let manager = server.sign_in("manager").await;
        let (verb, argument) = step.split_once(' ').unwrap_or((step, ""));
        match verb {
            "sweep" => {
                server.app.sweep_alerts().await.unwrap();
            }
            "acknowledge" => {
                let inbox = manager.get("/api/v1/alerts?limit=200").await;
                let alert = inbox.body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|a| a["case"] == case_ids[subject].as_str())
                    .unwrap_or_else(|| panic!("{subject}'s alert in {inbox:?}"));
                let acknowledged = manager
                    .post(
                        &format!("/api/v1/alerts/{}/acknowledgement", alert["id"].as_str().unwrap()),
                        json!({ "note": "Called" }),
                    )
                    .await;
                assert_eq!(acknowledged.status, StatusCode::OK, "{acknowledged:?}");
            }
            "close" | "reopen" => {
                let id = &case_ids[subject];
                let version = manager.get(&format!("/api/v1/cases/{id}")).await.body["version"].clone();
                let (path, reason) = if verb == "close" { ("closure", argument) } else { ("reopening", "Asked to come back") };
                let done =
                    manager.post(&format!("/api/v1/cases/{id}/{path}"), json!({ "version": version, "reason": reason })).await;
                assert_eq!(done.status, StatusCode::OK, "{done:?}");
            }
            "remind" => {
                let me = manager.get("/api/v1/me").await.body["id"].as_str().unwrap().to_owned();
                let set = manager
                    .post(
                        &format!("/api/v1/cases/{}/reminders", case_ids[subject]),
                        json!({ "to": { "type": "user", "id": me }, "on": "2027-01-08", "message": "Review the plan" }),
                    )
                    .await;
                assert_eq!(set.status, StatusCode::CREATED, "{set:?}");
            }
            _ => {
                let (name, source) = subject.split_once(' ').unwrap();
                let person = manager.post("/api/v1/people", json!({ "given_name": "Sam", "family_name": name })).await;
                assert_eq!(person.status, StatusCode::CREATED, "{person:?}");
                let referral = manager
                    .post(
                        "/api/v1/referrals",
                        json!({ "person": person.body["id"], "service": "intake", "source": source, "summary": "Asks for help" }),
                    )
                    .await;
                assert_eq!(referral.status, StatusCode::CREATED, "{referral:?}");
                let id = referral.body["id"].as_str().unwrap().to_owned();
                let decided = match verb {
                    "accept" => {
                        let (worker, team) = if argument == "B" { (&south_worker, &south) } else { (&north_worker, &north) };
                        let accepted = manager
                            .post(&format!("/api/v1/referrals/{id}/acceptance"), json!({ "worker": worker.id(), "team": team }))
                            .await;
                        let case = &accepted.body["case"];
                        let name: &'static str = if argument == "A" {
                            "A"
                        } else if argument == "B" {
                            "B"
                        } else {
                            "C"
                        };
                        case_ids.insert(name, case["id"].as_str().unwrap_or_default().to_owned());
                        cases.insert(name, case["reference"].as_str().unwrap_or_default().to_owned());
                        Some(accepted)
                    }
                    "reject" => {
                        Some(manager.post(&format!("/api/v1/referrals/{id}/rejection"), json!({ "reason": argument })).await)
                    }
                    "file" => Some(manager.post(&format!("/api/v1/referrals/{id}/filing"), json!({})).await),
                    _ => None, // left pending
                };
                if let Some(decided) = decided {
                    assert!(decided.status.is_success(), "{decided:?}");
                }
                referrals.insert(name, id);
            }
        }
    }
    server.clock.set(at("2027-01-20T12:00:00Z"));
    Scene { server, north, referrals, cases }
}

/// The counts of a list of `{ code, count }`, in order.
fn counts(list: &Value) -> Vec<(String, u64)> {
    list.as_array().unwrap().iter().map(|c| (c["code"].as_str().unwrap().to_owned(), c["count"].as_u64().unwrap())).collect()
}

fn pairs(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|(c, n)| ((*c).to_owned(), *n)).collect()
}

/// Received, accepted, rejected in all, kept on file, pending.
fn referral_figures(tally: &Value) -> (u64, u64, u64, u64, u64) {
    let n = |k: &str| tally[k].as_u64().unwrap_or_else(|| panic!("{k} in {tally}"));
    (n("received"), n("accepted"), n("rejected_total"), n("kept_on_file"), n("pending"))
}

/// Opened, closed in all, reopened.
fn case_figures(tally: &Value) -> (u64, u64, u64) {
    let n = |k: &str| tally[k].as_u64().unwrap_or_else(|| panic!("{k} in {tally}"));
    (n("opened"), n("closed_total"), n("reopened"))
}

fn listed(answer: &Value, key: &str) -> Vec<String> {
    let mut all: Vec<String> = answer.as_array().unwrap().iter().map(|r| r[key].as_str().unwrap().to_owned()).collect();
    all.sort_unstable();
    all
}

fn sorted(items: &[&String]) -> Vec<String> {
    let mut all: Vec<String> = items.iter().map(|s| (*s).clone()).collect();
    all.sort_unstable();
    all
}

#[tokio::test]
async fn referrals_are_counted_by_source_and_outcome_and_cases_by_closure_reason_and_reopening() {
    let Scene { server, north, referrals, cases } = scene().await;
    let manager = server.sign_in("manager").await;
    let report = manager.get(&format!("/api/v1/services/intake/reports/referrals?{PERIOD}")).await;
    assert_eq!(report.status, StatusCode::OK, "{report:?}");
    let body = &report.body;
    assert_eq!(
        body["sources"].as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap()).collect::<Vec<_>>(),
        ["self-referral", "agency", "staff"]
    );
    assert_eq!(body["closure_reasons"][1]["name"], "Moved away");
    let (december, january) = (&body["months"][0], &body["months"][1]);
    assert_eq!((december["month"].as_str(), january["month"].as_str()), (Some("2026-12"), Some("2027-01")));

    // December: R1, R2, R3, R4 (self, agency, agency, self); R1 and R3 accepted, R2
    // rejected (outside the area), R4 still pending.
    assert_eq!(referral_figures(&december["referrals"]), (4, 2, 1, 0, 1));
    assert_eq!(counts(&december["referrals"]["by_source"]), pairs(&[("self-referral", 2), ("agency", 2), ("staff", 0)]));
    assert_eq!(counts(&december["referrals"]["rejected"]), pairs(&[("outside-area", 1), ("duplicate", 0)]));
    // January: R5 staff accepted, R6 self duplicate, R7 agency kept on file, R8 self outside the area.
    assert_eq!(referral_figures(&january["referrals"]), (4, 1, 2, 1, 0));
    assert_eq!(counts(&january["referrals"]["by_source"]), pairs(&[("self-referral", 2), ("agency", 1), ("staff", 1)]));
    assert_eq!(counts(&january["referrals"]["rejected"]), pairs(&[("outside-area", 1), ("duplicate", 1)]));
    assert_eq!(referral_figures(&body["total"]["referrals"]), (8, 3, 3, 1, 1));

    // Cases: A and B opened in December, A closed (support complete); in January C opened,
    // A reopened and closed again (moved away), B closed (support complete).
    assert_eq!(case_figures(&december["cases"]), (2, 1, 0));
    assert_eq!(counts(&december["cases"]["closed"]), pairs(&[("support-complete", 1), ("moved-away", 0)]));
    assert_eq!(case_figures(&january["cases"]), (1, 2, 1));
    assert_eq!(counts(&january["cases"]["closed"]), pairs(&[("support-complete", 1), ("moved-away", 1)]));
    assert_eq!(counts(&body["total"]["cases"]["closed"]), pairs(&[("support-complete", 2), ("moved-away", 1)]));

    // One team: only the referrals that became North's cases (R1, R5), and North's cases.
    let north_only = manager.get(&format!("/api/v1/services/intake/reports/referrals?{PERIOD}&team={north}")).await;
    assert_eq!(referral_figures(&north_only.body["total"]["referrals"]), (2, 2, 0, 0, 0));
    assert_eq!(case_figures(&north_only.body["total"]["cases"]), (2, 2, 1));

    // The referrals behind figures.
    let base = "/api/v1/services/intake/reports/referrals/referrals";
    let rejected = manager.get(&format!("{base}?{PERIOD}&outcome=rejected&reason=outside-area")).await;
    assert_eq!(rejected.status, StatusCode::OK, "{rejected:?}");
    assert_eq!(listed(&rejected.body, "referral"), sorted(&[&referrals["R2"], &referrals["R8"]]));
    let pending = manager.get(&format!("{base}?{PERIOD}&outcome=pending&month=2026-12")).await;
    assert_eq!(listed(&pending.body, "referral"), [referrals["R4"].clone()]);
    assert_eq!(pending.body[0]["received_at"], "2026-12-23T09:00:00Z");
    let agency = manager.get(&format!("{base}?{PERIOD}&source=agency&month=2026-12")).await;
    assert_eq!(listed(&agency.body, "referral"), sorted(&[&referrals["R2"], &referrals["R3"]]));
    let accepted = manager.get(&format!("{base}?{PERIOD}&outcome=accepted&month=2027-01")).await;
    assert_eq!(accepted.body.as_array().unwrap().len(), 1);
    assert_eq!(accepted.body[0]["case_reference"], cases["C"].as_str());

    // The cases behind figures: a case closed twice is listed once per closing.
    let base = "/api/v1/services/intake/reports/referrals/cases";
    let closed = manager.get(&format!("{base}?{PERIOD}&activity=closed")).await;
    assert_eq!(closed.status, StatusCode::OK, "{closed:?}");
    assert_eq!(listed(&closed.body, "reference"), sorted(&[&cases["A"], &cases["A"], &cases["B"]]));
    let support = manager.get(&format!("{base}?{PERIOD}&activity=closed&reason=support-complete&month=2027-01")).await;
    assert_eq!(listed(&support.body, "reference"), [cases["B"].clone()]);
    assert_eq!(support.body[0]["at"], "2027-01-12T09:00:00Z");
    let reopened = manager.get(&format!("{base}?{PERIOD}&activity=reopened")).await;
    assert_eq!(listed(&reopened.body, "reference"), [cases["A"].clone()]);
    let opened = manager.get(&format!("{base}?{PERIOD}&activity=opened&month=2026-12")).await;
    assert_eq!(listed(&opened.body, "reference"), sorted(&[&cases["A"], &cases["B"]]));

    // Bad filters are named, and change nothing.
    for (query, field) in [
        ("outcome=declined", "outcome"),
        ("outcome=rejected&reason=nope", "reason"),
        ("outcome=accepted&reason=duplicate", "outcome"),
        ("source=pigeon", "source"),
        ("month=2027-03", "month"),
    ] {
        let bad = manager.get(&format!("/api/v1/services/intake/reports/referrals/referrals?{PERIOD}&{query}")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {bad:?}");
        assert_eq!(bad.fields(), [field], "{query}");
    }
    let bad = manager.get(&format!("/api/v1/services/intake/reports/referrals/cases?{PERIOD}&activity=closed&reason=nope")).await;
    assert_eq!(bad.fields(), ["reason"]);
    let bad = manager.get(&format!("/api/v1/services/intake/reports/referrals/cases?{PERIOD}&activity=merged")).await;
    assert_eq!(bad.fields(), ["activity"]);
    let bad = manager.get("/api/v1/services/intake/reports/referrals?from=2027-02&to=2026-12").await;
    assert_eq!(bad.fields(), ["to"]);
}

/// Raised, acknowledged, unacknowledged, median and longest wait in hours.
type AlertFigures = (u64, u64, u64, Value, Value);

fn alert_figures(tally: &Value) -> AlertFigures {
    let n = |k: &str| tally[k].as_u64().unwrap_or_else(|| panic!("{k} in {tally}"));
    (n("raised"), n("acknowledged"), n("unacknowledged"), tally["median_wait_hours"].clone(), tally["longest_wait_hours"].clone())
}

#[tokio::test]
async fn alerts_are_counted_per_rule_month_and_recipient_with_how_long_they_waited() {
    let Scene { server, cases, .. } = scene().await;
    let manager = server.sign_in("manager").await;
    let report = manager.get(&format!("/api/v1/services/intake/reports/alerts?{PERIOD}")).await;
    assert_eq!(report.status, StatusCode::OK, "{report:?}");
    let rules = report.body["rules"].as_array().unwrap();
    assert_eq!(rules.iter().map(|r| r["rule"].as_str().unwrap()).collect::<Vec<_>>(), ["first-contact", "by-hand"]);
    let rule = &rules[0];
    // December: A's (6 h) and B's (48 h) acknowledged: median 27 h, longest 48 h.
    assert_eq!(alert_figures(&rule["months"][0]), (2, 2, 0, json!(27.0), json!(48.0)));
    // January: C's, not acknowledged.
    assert_eq!(alert_figures(&rule["months"][1]), (1, 0, 1, Value::Null, Value::Null));
    assert_eq!(alert_figures(&rule["total"]), (3, 2, 1, json!(27.0), json!(48.0)));
    assert_eq!(rule["by_recipient"].as_array().unwrap().len(), 1);
    assert_eq!(rule["by_recipient"][0]["recipient"], "role:manager");
    assert_eq!(rule["by_recipient"][0]["name"], "Intake manager");
    assert_eq!(alert_figures(&rule["by_recipient"][0]), (3, 2, 1, json!(27.0), json!(48.0)));
    // The reminder on B for 8 January, to the manager themselves.
    let by_hand = &rules[1];
    assert_eq!(alert_figures(&by_hand["months"][0]), (0, 0, 0, Value::Null, Value::Null));
    assert_eq!(alert_figures(&by_hand["months"][1]), (1, 0, 1, Value::Null, Value::Null));
    assert_eq!(by_hand["by_recipient"][0]["name"], "Test manager");

    // The cases behind figures.
    let base = "/api/v1/services/intake/reports/alerts/cases";
    let waiting = manager.get(&format!("{base}?{PERIOD}&rule=first-contact&state=unacknowledged")).await;
    assert_eq!(waiting.status, StatusCode::OK, "{waiting:?}");
    assert_eq!(listed(&waiting.body, "reference"), [cases["C"].clone()]);
    assert_eq!(waiting.body[0]["fire_at"], "2027-01-06T09:00:00Z");
    let acknowledged = manager.get(&format!("{base}?{PERIOD}&rule=first-contact&state=acknowledged&month=2026-12")).await;
    assert_eq!(listed(&acknowledged.body, "reference"), sorted(&[&cases["A"], &cases["B"]]));
    let to_manager = manager.get(&format!("{base}?{PERIOD}&rule=first-contact&state=raised&recipient=role:manager")).await;
    assert_eq!(to_manager.body.as_array().unwrap().len(), 3);
    let reminders = manager.get(&format!("{base}?{PERIOD}&rule=by-hand&state=raised")).await;
    assert_eq!(listed(&reminders.body, "reference"), [cases["B"].clone()]);

    for (query, field) in [("rule=nope&state=raised", "rule"), ("rule=first-contact&state=seen", "state")] {
        let bad = manager.get(&format!("{base}?{PERIOD}&{query}")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {bad:?}");
        assert_eq!(bad.fields(), [field], "{query}");
    }
}

async fn north_leader(server: &TestServer, north: &str) -> Client {
    let leader = server.user("north-leader", &["intake:team-leader"]).await;
    let system = casework_app::users::system_actor();
    server.app.add_team_member(&system, north.parse().unwrap(), leader.id().parse().unwrap()).await.unwrap();
    server.sign_in("north-leader").await
}

#[tokio::test]
async fn activity_reports_are_for_those_who_may_read_them_and_count_only_what_they_may_see() {
    let Scene { server, north, referrals, cases } = scene().await;
    // A worker of the service without reports.read is refused; someone of another service
    // is told there is no such service.
    let worker = server.sign_in("north-worker").await;
    for path in [
        "/api/v1/services/intake/reports/referrals",
        "/api/v1/services/intake/reports/referrals/referrals?outcome=pending",
        "/api/v1/services/intake/reports/referrals/cases?activity=opened",
        "/api/v1/services/intake/reports/alerts",
        "/api/v1/services/intake/reports/alerts/cases?rule=first-contact&state=raised",
    ] {
        assert_eq!(worker.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let stranger = server.user("stranger", &["recovery:support-worker"]).await;
    for path in ["/api/v1/services/intake/reports/referrals", "/api/v1/services/intake/reports/alerts"] {
        assert_eq!(stranger.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    for page in [
        "/services/intake/reports/referrals",
        "/services/intake/reports/alerts",
        "/services/intake/reports/referrals/cases?activity=opened",
    ] {
        let (status, _) = server.page_user("north-worker").await.get(page).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    }

    // North's team leader: only R1 and R5, the referrals that became North's cases A and C
    // (the others are no team's, or South's), and A's and C's closings and alerts.
    let leader = north_leader(&server, &north).await;
    let report = leader.get(&format!("/api/v1/services/intake/reports/referrals?{PERIOD}")).await;
    assert_eq!(report.status, StatusCode::OK, "{report:?}");
    assert_eq!(referral_figures(&report.body["months"][0]["referrals"]), (1, 1, 0, 0, 0));
    assert_eq!(referral_figures(&report.body["months"][1]["referrals"]), (1, 1, 0, 0, 0));
    assert_eq!(case_figures(&report.body["months"][0]["cases"]), (1, 1, 0));
    assert_eq!(case_figures(&report.body["months"][1]["cases"]), (1, 1, 1));
    assert_eq!(counts(&report.body["total"]["cases"]["closed"]), pairs(&[("support-complete", 1), ("moved-away", 1)]));
    let received = leader.get(&format!("/api/v1/services/intake/reports/referrals/referrals?{PERIOD}")).await;
    assert_eq!(listed(&received.body, "referral"), sorted(&[&referrals["R1"], &referrals["R5"]]));
    let closed = leader.get(&format!("/api/v1/services/intake/reports/referrals/cases?{PERIOD}&activity=closed")).await;
    assert_eq!(listed(&closed.body, "reference"), [cases["A"].clone(), cases["A"].clone()], "B is South's");

    let alerts = leader.get(&format!("/api/v1/services/intake/reports/alerts?{PERIOD}")).await;
    assert_eq!(alerts.status, StatusCode::OK, "{alerts:?}");
    assert_eq!(alert_figures(&alerts.body["rules"][0]["total"]), (2, 1, 1, json!(6.0), json!(6.0)));
    assert_eq!(alert_figures(&alerts.body["rules"][1]["total"]), (0, 0, 0, Value::Null, Value::Null), "the reminder is on B");
    let raised =
        leader.get(&format!("/api/v1/services/intake/reports/alerts/cases?{PERIOD}&rule=first-contact&state=raised")).await;
    assert_eq!(listed(&raised.body, "reference"), sorted(&[&cases["A"], &cases["C"]]));
}

#[tokio::test]
async fn the_activity_pages_draw_svg_charts_with_captioned_tables_linked_to_what_is_behind_them() {
    let Scene { server, cases, .. } = scene().await;
    let manager = server.page_user("manager").await;
    let (status, index) = manager.get("/services/intake/reports").await;
    assert_eq!(status, StatusCode::OK, "{index}");
    assert!(index.contains("href=\"/services/intake/reports/referrals\""));
    assert!(index.contains("href=\"/services/intake/reports/alerts\""));

    let (status, page) = manager.get(&format!("/services/intake/reports/referrals?{PERIOD}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("role=\"img\" aria-labelledby=\"referrals-chart-title referrals-chart-desc\""), "{page}");
    assert!(page.contains("role=\"img\" aria-labelledby=\"closures-chart-title closures-chart-desc\""));
    assert!(page.contains("<title id=\"closures-chart-title\">Cases closed by month and reason</title>"));
    for caption in ["Referrals by source", "Referrals by outcome", "Cases opened, closed and reopened"] {
        assert!(page.contains(&format!("<caption class=\"govuk-table__caption govuk-table__caption--s\">{caption}</caption>")));
    }
    assert!(page.contains(
        "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Rejected: Outside the area</th>"
    ));
    assert!(!page.contains("<script>"), "no inline script");
    // January's closures for support complete (1: B) link to the case behind it.
    let link = "/services/intake/reports/referrals/cases?from=2026-12&#38;to=2027-01&#38;month=2027-01&#38;activity=closed&#38;reason=support-complete";
    assert!(page.contains(&format!("<a class=\"govuk-link\" href=\"{link}\">1</a>")), "{page}");
    let (status, list) = manager.get(&link.replace("&#38;", "&")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(list.contains(&format!(">{}</a>", cases["B"])));
    assert!(!list.contains(&format!(">{}</a>", cases["A"])));
    assert!(list.contains("1 case<"));
    // The whole period's pending referrals (R4).
    let link = "/services/intake/reports/referrals/referrals?from=2026-12&#38;to=2027-01&#38;outcome=pending";
    assert!(page.contains(&format!("<a class=\"govuk-link\" href=\"{link}\">1</a>")), "{page}");
    let (status, list) = manager.get(&link.replace("&#38;", "&")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(list.contains("23 December 2026 09:00"));

    let (status, page) = manager.get(&format!("/services/intake/reports/alerts?{PERIOD}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("role=\"img\" aria-labelledby=\"alerts-first-contact-chart-title alerts-first-contact-chart-desc\""));
    assert!(page.contains(
        "<caption class=\"govuk-table__caption govuk-table__caption--s\">No first contact after two days: by month</caption>"
    ));
    assert!(page.contains("27.0"), "December's median wait");
    let link = "/services/intake/reports/alerts/cases?from=2026-12&#38;to=2027-01&#38;rule=first-contact&#38;state=unacknowledged&#38;month=2027-01";
    assert!(page.contains(&format!("<a class=\"govuk-link\" href=\"{link}\">1</a>")), "{page}");
    let (status, list) = manager.get(&link.replace("&#38;", "&")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(list.contains(&format!(">{}</a>", cases["C"])));
    assert!(list.contains("Not yet"));

    // A bad period is shown as a problem on the page.
    let (status, page) = manager.get("/services/intake/reports/alerts?from=2027-13&to=2027-01").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("govuk-error-summary"));
}
