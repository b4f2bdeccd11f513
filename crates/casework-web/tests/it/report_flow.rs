//! Reports on the flow of cases: the waiting list (from each case's stage history) and the
//! caseload now, with statistics exclusions honoured everywhere, checked against figures
//! counted by hand on a small fixed set of cases moved through stages on the test's clock
//! over December 2026 and January 2027.

use crate::harness::{TestServer, spawn_with};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A service written for this test: two waiting stages, three levels of which two are
/// weighted, a high-risk level and flag, a flag that keeps a case out of the statistics, a
/// deadline (so timeliness can be checked too), a manager across the service, a team leader
/// who sees their team's cases and a worker who reads no reports.
const INTAKE: &str = r#"
initial_stage = "waiting"

[service]
code = "intake"
name = "Intake"
reference_prefix = "INT"

[[roles]]
code = "manager"
name = "Manager"
permissions = ["referral.create", "referral.read", "referral.decide", "case.create", "case.read", "case.update", "case.allocate",
  "case.close", "case.reopen", "person.read", "person.write", "reports.read"]
reach = "service"

[[roles]]
code = "team-leader"
name = "Team leader"
permissions = ["case.read", "case.update", "reports.read"]
reach = "team"

[[roles]]
code = "worker"
name = "Worker"
permissions = ["case.read", "case.update"]
reach = "allocated"

[[stages]]
code = "waiting"
name = "Waiting for a first assessment"
next = ["awaiting-worker", "active"]

[[stages]]
code = "awaiting-worker"
name = "Assessed, awaiting a worker"
next = ["active", "waiting"]

[[stages]]
code = "active"
name = "Active"
next = ["awaiting-worker"]

[[levels]]
code = "high"
name = "High need"

[[levels]]
code = "medium"
name = "Medium need"

[[levels]]
code = "low"
name = "Low need"

[[flags]]
code = "duplicate"
name = "Duplicate record"

[[flags]]
code = "self-harm"
name = "Self-harm risk"

[[closure_reasons]]
code = "done"
name = "Done"

[[timers]]
code = "first-contact"
name = "Seen within 5 working days"
start = { on = "case-opened" }
target = { working_days = 5 }
stop = { on = "stage-entered", stage = "active" }

[reports]
excluded_flags = ["duplicate"]
waiting_stages = ["waiting", "awaiting-worker"]
level_weights = { high = 3, medium = 2 }
high_risk = { levels = ["high"], flags = ["self-harm"] }

[[reports.monthly_output]]
name = "Cases opened"
figure = { of = "cases-opened" }

[[reports.monthly_output]]
name = "Waiting at the end of the month"
figure = { of = "waiting-at-month-end" }

[[reports.monthly_output]]
name = "Joined the waiting list"
figure = { of = "joined-waiting-list" }

[[reports.monthly_output]]
name = "Seen within 5 working days (%)"
figure = { of = "deadlines-within-target", timer = "first-contact" }

[[reports.monthly_output]]
name = "Seen"
figure = { of = "deadlines-met", timer = "first-contact" }

[[reports.monthly_output]]
name = "Not seen in time"
figure = { of = "deadlines-breached", timer = "first-contact" }

[[reports.monthly_output]]
name = "Closed, done"
figure = { of = "cases-closed", reason = "done" }

[[reports.monthly_output]]
name = "Reopened"
figure = { of = "cases-reopened" }
"#;

fn at(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

struct Scene {
    server: TestServer,
    manager: casework_domain::ids::UserId,
    north: String,
    south: String,
    ann: String,
    references: BTreeMap<&'static str, String>,
}

/// How a case of the scene is opened: referral source, team, worker and level.
type Opening<'a> = (&'a str, &'a String, Option<&'a String>, Option<&'a str>);

/// Seven cases, A to G (source, team, worker, level):
/// - A (agency, North, Ann, high) opened Tue 1 Dec, active Thu 10 Dec;
/// - B (self-referral, North, Ann, medium) opened Thu 3 Dec, awaiting a worker Tue 8 Dec
///   (still waiting: one wait), active Tue 5 Jan;
/// - C (agency, South, Bob, no level) opened Mon 14 Dec, still waiting;
/// - D (staff, South, nobody, high) opened Mon 28 Dec, closed Mon 4 Jan, reopened Mon 11 Jan:
///   waiting again;
/// - E (self-referral, North, Ann, low) opened Wed 6 Jan, flagged self-harm Thu 7 Jan, waiting;
/// - F (agency, North, Ann) opened Wed 2 Dec, flagged a duplicate: never counted;
/// - G (staff, South, Bob, medium) opened Tue 5 Jan 09:00, active the same day at 15:00.
///
/// The reports are read on Wed 20 Jan 2027 at noon.
async fn scene() -> Scene {
    let server = spawn_with(&[INTAKE]).await;
    server.clock.set(at("2026-12-01T08:00:00Z"));
    let manager_id = server.make_user("manager", &["intake:manager"], false).await;
    let ann = server.user("ann", &["intake:worker"]).await;
    let bob = server.user("bob", &["intake:worker"]).await;
    let north = server.team("intake", "North", &[&ann]).await.to_string();
    let south = server.team("intake", "South", &[&bob]).await.to_string();
    let mut ids = BTreeMap::new();
    let mut references = BTreeMap::new();
    let mut versions: BTreeMap<&str, Value> = BTreeMap::new();
    let (ann_id, bob_id) = (ann.id(), bob.id());
    let opened: BTreeMap<&str, Opening> = BTreeMap::from([
        ("A", ("agency", &north, Some(&ann_id), Some("high"))),
        ("B", ("self-referral", &north, Some(&ann_id), Some("medium"))),
        ("C", ("agency", &south, Some(&bob_id), None)),
        ("D", ("staff", &south, None, Some("high"))),
        ("E", ("self-referral", &north, Some(&ann_id), Some("low"))),
        ("F", ("agency", &north, Some(&ann_id), None)),
        ("G", ("staff", &south, Some(&bob_id), Some("medium"))),
    ]);
    let steps: Vec<(&str, &'static str, &str)> = vec![
        ("open", "A", "2026-12-01T09:00:00Z"),
        ("open", "F", "2026-12-02T09:00:00Z"),
        ("flag duplicate", "F", "2026-12-02T10:00:00Z"),
        ("open", "B", "2026-12-03T09:00:00Z"),
        ("awaiting-worker", "B", "2026-12-08T09:00:00Z"),
        ("active", "A", "2026-12-10T09:00:00Z"),
        ("open", "C", "2026-12-14T09:00:00Z"),
        ("open", "D", "2026-12-28T09:00:00Z"),
        ("close", "D", "2027-01-04T09:00:00Z"),
        ("open", "G", "2027-01-05T09:00:00Z"),
        ("active", "B", "2027-01-05T10:00:00Z"),
        ("active", "G", "2027-01-05T15:00:00Z"),
        ("open", "E", "2027-01-06T09:00:00Z"),
        ("flag self-harm", "E", "2027-01-07T09:00:00Z"),
        ("reopen", "D", "2027-01-11T09:00:00Z"),
    ];
    for (step, name, when) in steps {
        server.clock.set(at(when));
        let manager = server.sign_in("manager").await;
        let answer = match step {
            "open" => {
                let (source, team, worker, level) = opened[name];
                let answer = manager
                    .post(
                        "/api/v1/cases",
                        json!({ "service": "intake", "source": source, "summary": "Asked for support",
                                "person": { "given_name": "Sam", "family_name": format!("Person{name}") },
                                "team": team, "worker": worker, "level": level }),
                    )
                    .await;
                assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
                ids.insert(name, answer.body["id"].as_str().unwrap().to_owned());
                references.insert(name, answer.body["reference"].as_str().unwrap().to_owned());
                answer
            }
            "close" => {
                manager
                    .post(&format!("/api/v1/cases/{}/closure", ids[name]), json!({ "version": versions[name], "reason": "done" }))
                    .await
            }
            "reopen" => {
                manager
                    .post(
                        &format!("/api/v1/cases/{}/reopening", ids[name]),
                        json!({ "version": versions[name], "reason": "Back on the list" }),
                    )
                    .await
            }
            flag if flag.starts_with("flag ") => {
                manager
                    .post(
                        &format!("/api/v1/cases/{}/flags", ids[name]),
                        json!({ "version": versions[name], "flag": flag.trim_start_matches("flag ") }),
                    )
                    .await
            }
            stage => {
                manager
                    .post(&format!("/api/v1/cases/{}/stage", ids[name]), json!({ "version": versions[name], "stage": stage }))
                    .await
            }
        };
        assert!(answer.status.is_success(), "{step} {name}: {answer:?}");
        versions.insert(name, answer.body["version"].clone());
    }
    server.clock.set(at("2027-01-20T12:00:00Z"));
    Scene { server, manager: manager_id, north, south, ann: ann_id, references }
}

/// Size at the end of the month, joined, left.
fn flow(month: &Value) -> (u64, u64, u64) {
    let n = |k: &str| month[k].as_u64().unwrap_or_else(|| panic!("{k} in {month}"));
    (n("size_at_end"), n("joined"), n("left"))
}

/// Waiting now, median and longest wait.
fn now(figures: &Value) -> (u64, Value, Value) {
    let now = &figures["now"];
    (now["size"].as_u64().unwrap(), now["median_days"].clone(), now["longest_days"].clone())
}

fn listed(answer: &Value) -> Vec<(String, u64)> {
    answer
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["reference"].as_str().unwrap().to_owned(), c["wait_days"].as_u64().unwrap_or(0)))
        .collect()
}

const EXCLUDED: &str = "1 case flagged \u{201c}Duplicate record\u{201d} left out";

#[tokio::test]
async fn the_waiting_list_counts_size_joined_left_and_waits_by_month_and_source_from_stage_history() {
    let Scene { server, south, references, .. } = scene().await;
    let manager = server.sign_in("manager").await;
    let report = manager.get("/api/v1/services/intake/reports/waiting-list?from=2026-12&to=2027-01").await;
    assert_eq!(report.status, StatusCode::OK, "{report:?}");
    let body = &report.body;
    assert_eq!(body["waiting_stages"], json!(["Waiting for a first assessment", "Assessed, awaiting a worker"]));
    assert_eq!(body["excluded"][0]["statement"], EXCLUDED);
    assert_eq!(body["excluded"][0]["cases"], 1);
    // December: A, B, C, D joined; A left; B, C, D waiting at its end (F is excluded).
    // January: D (reopened), E, G joined; B, D (closed), G left; C, D, E waiting now.
    assert_eq!(body["months"][0]["month"], "2026-12");
    assert_eq!(flow(&body["months"][0]), (3, 4, 1));
    assert_eq!(flow(&body["months"][1]), (3, 3, 3));
    // Waits now: C 37 days (14 Dec), E 14 (6 Jan), D 9 (11 Jan): median 14, longest 37.
    assert_eq!(now(body), (3, json!(14.0), json!(37)));

    let sources: BTreeMap<&str, &Value> =
        body["by_source"].as_array().unwrap().iter().map(|s| (s["source"].as_str().unwrap(), s)).collect();
    assert_eq!(sources.keys().copied().collect::<Vec<_>>(), ["Agency", "Self-referral", "Staff"]);
    assert_eq!(flow(&sources["Agency"]["months"][0]), (1, 2, 1));
    assert_eq!(flow(&sources["Agency"]["months"][1]), (1, 0, 0));
    assert_eq!(now(sources["Agency"]), (1, json!(37.0), json!(37)));
    assert_eq!(flow(&sources["Self-referral"]["months"][1]), (1, 1, 1));
    assert_eq!(now(sources["Self-referral"]), (1, json!(14.0), json!(14)));
    assert_eq!(flow(&sources["Staff"]["months"][0]), (1, 1, 0));
    assert_eq!(flow(&sources["Staff"]["months"][1]), (1, 2, 2));
    assert_eq!(now(sources["Staff"]), (1, json!(9.0), json!(9)));

    // One team: South has C, D and G; waits now 37 and 9, a median of 23.
    let south_only =
        manager.get(&format!("/api/v1/services/intake/reports/waiting-list?from=2026-12&to=2027-01&team={south}")).await;
    assert_eq!(flow(&south_only.body["months"][0]), (2, 2, 0));
    assert_eq!(now(&south_only.body), (2, json!(23.0), json!(37)));

    // The cases behind the figures, longest wait first: now, and at the end of December
    // (waits counted to 31 December).
    let waiting = manager.get("/api/v1/services/intake/reports/waiting-list/cases").await;
    assert_eq!(waiting.status, StatusCode::OK, "{waiting:?}");
    let r = |name: &str| references[name].clone();
    assert_eq!(listed(&waiting.body), [(r("C"), 37), (r("E"), 14), (r("D"), 9)]);
    let december = manager.get("/api/v1/services/intake/reports/waiting-list/cases?month=2026-12").await;
    assert_eq!(listed(&december.body), [(r("B"), 28), (r("C"), 17), (r("D"), 3)]);
    assert_eq!(december.body[0]["joined_at"], "2026-12-03T09:00:00Z");
    let staff = manager.get("/api/v1/services/intake/reports/waiting-list/cases?source=Staff").await;
    assert_eq!(listed(&staff.body), [(r("D"), 9)]);

    // Bad filters are named.
    let bad = manager.get("/api/v1/services/intake/reports/waiting-list?from=2027-02&to=2026-12").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.fields(), ["to"]);
    let bad = manager.get("/api/v1/services/intake/reports/waiting-list/cases?month=December").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.fields(), ["month"]);
    let bad = manager
        .get(&format!("/api/v1/services/intake/reports/caseload?team={}", server.team("recovery", "Elsewhere", &[]).await))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.fields(), ["team"]);
}

/// Open cases, weighted caseload, high risk.
fn load(row: &Value) -> (u64, u64, u64) {
    let n = |k: &str| row[k].as_u64().unwrap_or_else(|| panic!("{k} in {row}"));
    (n("cases"), n("weighted"), n("high_risk"))
}

#[tokio::test]
async fn the_caseload_weighs_open_cases_by_level_counts_high_risk_and_the_unallocated_apart() {
    let Scene { server, north, ann, references, .. } = scene().await;
    let manager = server.sign_in("manager").await;
    let report = manager.get("/api/v1/services/intake/reports/caseload").await;
    assert_eq!(report.status, StatusCode::OK, "{report:?}");
    let body = &report.body;
    assert_eq!(body["excluded"][0]["statement"], EXCLUDED);
    assert_eq!(body["high_risk"], json!(["High need", "Self-harm risk"]));
    // Ann: A high (3, high risk), B medium (2), E low (1, self-harm). Bob: C none (1), G
    // medium (2). Not allocated: D high (3, high risk). F is excluded.
    let workers: Vec<(&str, (u64, u64, u64))> =
        body["by_worker"].as_array().unwrap().iter().map(|w| (w["name"].as_str().unwrap(), load(w))).collect();
    assert_eq!(workers, [("Test ann", (3, 6, 2)), ("Test bob", (2, 3, 0))]);
    assert_eq!(load(&body["unallocated"]), (1, 3, 1));
    assert_eq!(load(&body["total"]), (6, 12, 3));
    let teams: BTreeMap<&str, (u64, u64, u64)> =
        body["by_team"].as_array().unwrap().iter().map(|t| (t["name"].as_str().unwrap(), load(t))).collect();
    assert_eq!(teams["North"], (3, 6, 2));
    assert_eq!(teams["South"], (3, 6, 1));

    let north_only = manager.get(&format!("/api/v1/services/intake/reports/caseload?team={north}")).await;
    assert_eq!(load(&north_only.body["total"]), (3, 6, 2));
    assert_eq!(load(&north_only.body["unallocated"]), (0, 0, 0));

    // Drill-down: Ann's cases heaviest first, her high-risk ones, and the unallocated.
    let refs = |answer: &Value| -> Vec<String> {
        answer.as_array().unwrap().iter().map(|c| c["reference"].as_str().unwrap().to_owned()).collect()
    };
    let r = |name: &str| references[name].clone();
    let anns = manager.get(&format!("/api/v1/services/intake/reports/caseload/cases?worker={ann}")).await;
    assert_eq!(anns.status, StatusCode::OK, "{anns:?}");
    assert_eq!(refs(&anns.body), [r("A"), r("B"), r("E")]);
    assert_eq!(anns.body[0]["level"], "High need");
    assert_eq!(anns.body[0]["weight"], 3);
    let high = manager.get(&format!("/api/v1/services/intake/reports/caseload/cases?worker={ann}&high_risk=true")).await;
    assert_eq!(refs(&high.body), [r("A"), r("E")]);
    let nobody = manager.get("/api/v1/services/intake/reports/caseload/cases?worker=none").await;
    assert_eq!(refs(&nobody.body), [r("D")]);
    let bad = manager.get("/api/v1/services/intake/reports/caseload/cases?worker=ann").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.fields(), ["worker"]);
}

#[tokio::test]
async fn an_excluded_case_is_never_counted_in_timeliness_either() {
    let Scene { server, .. } = scene().await;
    let manager = server.sign_in("manager").await;
    let report = manager.get("/api/v1/services/intake/reports/timeliness?from=2026-12&to=2027-01").await;
    assert_eq!(report.status, StatusCode::OK, "{report:?}");
    assert_eq!(report.body["excluded"][0]["statement"], EXCLUDED);
    // Due five working days after opening: A (due 8 Dec) seen 10 Dec, late; B (due 10 Dec)
    // seen 5 Jan, late; C (due 21 Dec) and E (due 13 Jan) not seen, breached; G seen the
    // day it opened; D's run was cancelled when it closed. F (due 9 Dec) would be a third
    // breach, but it is excluded.
    let total = &report.body["timers"][0]["total"];
    let figures: Vec<u64> =
        ["met", "met_late", "breached", "paused", "running"].iter().map(|k| total[k].as_u64().unwrap()).collect();
    assert_eq!(figures, [1, 2, 2, 0, 0]);
    let breached = manager
        .get("/api/v1/services/intake/reports/timeliness/cases?timer=first-contact&outcome=breached&from=2026-12&to=2027-01")
        .await;
    assert_eq!(breached.body.as_array().unwrap().len(), 2);
    // The referrals and alerts reports say so as well.
    for report in ["referrals", "alerts"] {
        let answer = manager.get(&format!("/api/v1/services/intake/reports/{report}?from=2026-12&to=2027-01")).await;
        assert_eq!(answer.body["excluded"][0]["statement"], EXCLUDED, "{report}: {answer:?}");
    }
}

#[tokio::test]
async fn flow_reports_are_refused_to_those_without_reports_read_and_a_team_reader_sees_only_their_team() {
    let Scene { server, south, references, .. } = scene().await;
    let worker = server.sign_in("ann").await;
    let stranger = server.user("stranger", &["recovery:support-worker"]).await;
    for path in [
        "/api/v1/services/intake/reports/waiting-list",
        "/api/v1/services/intake/reports/waiting-list/cases",
        "/api/v1/services/intake/reports/caseload",
        "/api/v1/services/intake/reports/caseload/cases",
    ] {
        assert_eq!(worker.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(stranger.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(stranger.get(&path.replace("intake", "nowhere")).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    for page in [
        "/services/intake/reports/waiting-list",
        "/services/intake/reports/waiting-list/cases",
        "/services/intake/reports/caseload",
        "/services/intake/reports/caseload/cases",
    ] {
        let (status, _) = server.page_user("ann").await.get(page).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
        let (status, _) = server.page_user("stranger").await.get(page).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
    }

    // A team leader of South sees C, D and G only.
    let leader = server.user("south-leader", &["intake:team-leader"]).await;
    let system = casework_app::users::system_actor();
    server.app.add_team_member(&system, south.parse().unwrap(), leader.id().parse().unwrap()).await.unwrap();
    let leader = server.sign_in("south-leader").await;
    let waiting = leader.get("/api/v1/services/intake/reports/waiting-list?from=2026-12&to=2027-01").await;
    assert_eq!(waiting.status, StatusCode::OK, "{waiting:?}");
    assert_eq!(flow(&waiting.body["months"][0]), (2, 2, 0));
    assert_eq!(flow(&waiting.body["months"][1]), (2, 2, 2));
    assert_eq!(now(&waiting.body), (2, json!(23.0), json!(37)));
    assert_eq!(waiting.body["excluded"], json!([]), "the duplicate is North's, so not counted as left out either");
    let cases = leader.get("/api/v1/services/intake/reports/waiting-list/cases").await;
    let r = |name: &str| references[name].clone();
    assert_eq!(listed(&cases.body), [(r("C"), 37), (r("D"), 9)]);
    let caseload = leader.get("/api/v1/services/intake/reports/caseload").await;
    assert_eq!(load(&caseload.body["total"]), (3, 6, 1));
    let workers: Vec<&str> = caseload.body["by_worker"].as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap()).collect();
    assert_eq!(workers, ["Test bob"]);
    let all = leader.get("/api/v1/services/intake/reports/caseload/cases").await;
    let listed: Vec<&str> = all.body.as_array().unwrap().iter().map(|c| c["reference"].as_str().unwrap()).collect();
    assert_eq!(listed, [r("D").as_str(), r("G").as_str(), r("C").as_str()], "heaviest first");
}

#[tokio::test]
async fn the_flow_report_pages_draw_svg_charts_with_captioned_tables_and_link_to_the_cases() {
    let Scene { server, ann, references, .. } = scene().await;
    let manager = server.page_user("manager").await;
    let (status, index) = manager.get("/services/intake/reports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(index.contains("href=\"/services/intake/reports/waiting-list\""));
    assert!(index.contains("href=\"/services/intake/reports/caseload\""));

    let (status, page) = manager.get("/services/intake/reports/waiting-list?from=2026-12&to=2027-01").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("role=\"img\" aria-labelledby=\"waiting-size-title waiting-size-desc\""), "{page}");
    assert!(page.contains("<title id=\"waiting-size-title\">Cases waiting at the end of each month</title>"));
    assert!(page.contains("December 2026 3, January 2027 3"), "the chart's description gives its figures");
    assert!(page.contains("<caption class=\"govuk-table__caption govuk-table__caption--s\">Waiting list by month</caption>"));
    assert!(
        page.contains("<caption class=\"govuk-table__caption govuk-table__caption--s\">Waiting now by referral source</caption>")
    );
    assert!(page.contains(EXCLUDED));
    assert!(!page.contains("<script>"));
    let link = "/services/intake/reports/waiting-list/cases?from=2026-12&#38;to=2027-01&#38;month=2026-12";
    assert!(page.contains(&format!("<a class=\"govuk-link\" href=\"{link}\">3</a>")), "{page}");
    let (status, cases) = manager.get(&link.replace("&#38;", "&")).await;
    assert_eq!(status, StatusCode::OK, "{cases}");
    assert!(
        cases.contains("href=\"/services/intake/reports/waiting-list?from=2026-12&#38;to=2027-01\">Back to the waiting list"),
        "the list leads back to the report for the same period: {cases}"
    );
    for name in ["B", "C", "D"] {
        assert!(cases.contains(&format!(">{}</a>", references[name])), "{name} is listed");
    }
    for name in ["A", "E", "F", "G"] {
        assert!(!cases.contains(&format!(">{}</a>", references[name])), "{name} is not listed");
    }
    assert!(cases.contains("3 cases, longest wait first"));

    let (status, page) = manager.get("/services/intake/reports/caseload").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("role=\"img\" aria-labelledby=\"caseload-weighted-title caseload-weighted-desc\""), "{page}");
    assert!(page.contains("Weighted caseload per worker, heaviest first: Test ann 6, Test bob 3."));
    assert!(page.contains("<caption class=\"govuk-table__caption govuk-table__caption--s\">Caseload by worker</caption>"));
    assert!(page.contains("<caption class=\"govuk-table__caption govuk-table__caption--s\">Caseload by team</caption>"));
    assert!(page.contains(EXCLUDED));
    let link = format!("/services/intake/reports/caseload/cases?worker={ann}&#38;high_risk=true");
    assert!(page.contains(&format!("<a class=\"govuk-link\" href=\"{link}\">2</a>")), "{page}");
    let (status, cases) = manager.get(&link.replace("&#38;", "&")).await;
    assert_eq!(status, StatusCode::OK, "{cases}");
    for name in ["A", "E"] {
        assert!(cases.contains(&format!(">{}</a>", references[name])), "{name} is listed");
    }
    for name in ["B", "C", "D", "F", "G"] {
        assert!(!cases.contains(&format!(">{}</a>", references[name])), "{name} is not listed");
    }

    // Bad filters are shown as problems on the page, not an error page.
    for bad in
        ["/services/intake/reports/caseload?team=nonsense", "/services/intake/reports/waiting-list?from=2027-13&to=2027-01"]
    {
        let (status, page) = manager.get(bad).await;
        assert_eq!(status, StatusCode::OK, "{bad}");
        assert!(page.contains("govuk-error-summary"), "{bad}");
    }

    let (_, timeliness) = manager.get("/services/intake/reports/timeliness?from=2026-12&to=2027-01").await;
    assert!(timeliness.contains(EXCLUDED), "timeliness says what it left out");
}

#[tokio::test]
async fn the_monthly_output_takes_each_line_from_its_report_and_leaves_out_the_excluded_case() {
    let Scene { server, references, .. } = scene().await;
    let manager = server.sign_in("manager").await;
    let report = manager.get("/api/v1/services/intake/reports/monthly-output?from=2026-12&to=2027-01").await;
    assert_eq!(report.status, StatusCode::OK, "{report:?}");
    let values = |line: &Value| -> (Value, Value, Value) {
        (line["months"][0]["value"].clone(), line["months"][1]["value"].clone(), line["period"]["value"].clone())
    };
    let lines: BTreeMap<&str, (Value, Value, Value)> =
        report.body["lines"].as_array().unwrap().iter().map(|l| (l["name"].as_str().unwrap(), values(l))).collect();
    // Opened: A, B, C, D in December (F, a duplicate, is left out); E and G in January.
    assert_eq!(lines["Cases opened"], (json!(4.0), json!(2.0), json!(6.0)));
    // A level, not a flow: over the period it is January's end.
    assert_eq!(lines["Waiting at the end of the month"], (json!(3.0), json!(3.0), json!(3.0)));
    assert_eq!(lines["Joined the waiting list"], (json!(4.0), json!(3.0), json!(7.0)));
    // December: A seen late, C breached; January: G on time, B late, E breached.
    assert_eq!(lines["Seen within 5 working days (%)"], (json!(0.0), json!(33.3), json!(20.0)));
    assert_eq!(lines["Seen"], (json!(1.0), json!(2.0), json!(3.0)));
    assert_eq!(lines["Not seen in time"], (json!(1.0), json!(1.0), json!(2.0)));
    // D closed on 4 January and reopened on the 11th.
    assert_eq!(lines["Closed, done"], (json!(0.0), json!(1.0), json!(1.0)));
    assert_eq!(lines["Reopened"], (json!(0.0), json!(1.0), json!(1.0)));
    assert_eq!(report.body["lines"][3]["months"][0]["kind"], "percent");
    assert_eq!(report.body["lines"][0]["figure"], json!({ "of": "cases-opened" }));

    // The referrals report it draws on leaves the duplicate out too.
    let opened = manager.get("/api/v1/services/intake/reports/referrals/cases?activity=opened&from=2026-12&to=2027-01").await;
    assert_eq!(opened.status, StatusCode::OK, "{opened:?}");
    let listed: Vec<&str> = opened.body.as_array().unwrap().iter().map(|c| c["reference"].as_str().unwrap()).collect();
    assert_eq!(listed.len(), 6, "{listed:?}");
    assert!(!listed.contains(&references["F"].as_str()), "F is not listed");

    // The page shows the same table, and the report exports.
    let pages = server.page_user("manager").await;
    let (status, index) = pages.get("/services/intake/reports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(index.contains("href=\"/services/intake/reports/monthly-output\""));
    let (status, page) = pages.get("/services/intake/reports/monthly-output?from=2026-12&to=2027-01").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<th scope=\"row\" class=\"govuk-table__header\">Seen within 5 working days (%)</th>"), "{page}");
    assert!(page.contains("33.3%"));
    let (status, _, bytes) =
        manager.download("/api/v1/services/intake/reports/monthly-output/export?format=csv&from=2026-12&to=2027-01").await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(bytes).unwrap();
    assert!(csv.contains("Cases opened,4,2,6"), "{csv}");

    // Refused as every report is.
    let worker = server.sign_in("ann").await;
    assert_eq!(worker.get("/api/v1/services/intake/reports/monthly-output").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_tables_for_export_say_what_the_pages_say() {
    use casework_domain::table::Cell;
    let Scene { server, manager, .. } = scene().await;
    let actor = server.app.actor(manager).await.unwrap().unwrap();
    let service = casework_domain::text::Code::parse("intake").unwrap();
    let period = casework_domain::timeliness::Period::parse("2026-12", "2027-01").unwrap();
    let waiting = server.app.waiting_list_report(&actor, &service, period, None).await.unwrap().tables();
    let titles: Vec<&str> = waiting.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Waiting list by month",
            "Waiting now by referral source",
            "Waiting list by referral source and month",
            "Left out of the figures"
        ]
    );
    assert_eq!(waiting[0].rows[0], [Cell::Text("December 2026".into()), Cell::Count(3), Cell::Count(4), Cell::Count(1)]);
    assert_eq!(
        waiting[1].rows.last().unwrap(),
        &[Cell::Text("All sources".into()), Cell::Count(3), Cell::Decimal(14.0), Cell::Count(37)]
    );
    assert_eq!(waiting[3].rows, [[Cell::Text("Duplicate record".into()), Cell::Count(1)]]);

    let caseload = server.app.caseload_report(&actor, &service, None).await.unwrap().tables();
    assert_eq!(caseload[0].columns, ["Worker", "Open cases", "Weighted caseload", "High risk"]);
    assert_eq!(
        caseload[0].rows,
        [
            [Cell::Text("Test ann".into()), Cell::Count(3), Cell::Count(6), Cell::Count(2)],
            [Cell::Text("Test bob".into()), Cell::Count(2), Cell::Count(3), Cell::Count(0)],
            [Cell::Text("Not allocated".into()), Cell::Count(1), Cell::Count(3), Cell::Count(1)],
        ]
    );
    assert_eq!(
        caseload[1].rows.last().unwrap(),
        &[Cell::Text("All open cases".into()), Cell::Count(6), Cell::Count(12), Cell::Count(3)]
    );
}

/// A move as `case_moves` holds it: event, case, service, instant, kind, stage, reason.
type CaseMove = (String, String, String, i64, String, Option<String>, Option<String>);

/// The moves the history itself says, read from the events: a stage entered when an event
/// names one, each closing with its reason, each reopening.
async fn moves_in_history(conn: &mut sqlx::AnyConnection) -> Vec<CaseMove> {
    let events: Vec<(String, String, String, i64, String, String)> = sqlx::query_as(
        "SELECT e.id, e.case_id, c.service, e.at, e.kind, e.after FROM events e JOIN cases c ON c.id = e.case_id ORDER BY e.id",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let mut moves = Vec::new();
    for (event, case, service, at, kind, after) in events {
        let after: Value = serde_json::from_str(&after).unwrap();
        let text = |key: &str| after.get(key).and_then(Value::as_str).map(str::to_owned);
        let (kind, stage, reason) = match kind.as_str() {
            "case-opened" | "stage-changed" | "service-version-changed" if text("stage").is_some() => {
                ("stage", text("stage"), None)
            }
            "case-closed" => ("closed", None, text("reason")),
            "case-reopened" => ("reopened", None, None),
            _ => continue,
        };
        moves.push((event, case, service, at, kind.to_owned(), stage, reason));
    }
    moves
}

async fn kept_moves(conn: &mut sqlx::AnyConnection) -> Vec<CaseMove> {
    sqlx::query_as("SELECT event_id, case_id, service, at, kind, stage, reason FROM case_moves ORDER BY event_id")
        .fetch_all(&mut *conn)
        .await
        .unwrap()
}

/// The statement of migration 0015 that fills `case_moves` from the history written
/// before the table existed.
fn backfill_statement(location: &casework_app::Location) -> String {
    let backend = match location {
        casework_app::Location::Sqlite(_) => "sqlite",
        casework_app::Location::Postgres(_) => "postgres",
    };
    let path = format!("{}/../casework-store/migrations/{backend}/0015_case_moves.sql", env!("CARGO_MANIFEST_DIR"));
    let migration = std::fs::read_to_string(path).unwrap();
    let (_, backfill) = migration.split_once("-- The moves of the history written before this table existed.").unwrap();
    backfill.trim().to_owned()
}

/// Waiting list in December and January; cases opened, closed and reopened over both.
async fn moves_figures(manager: &crate::harness::Client) -> ((u64, u64, u64), (u64, u64, u64), (u64, u64, u64)) {
    let waiting = manager.get("/api/v1/services/intake/reports/waiting-list?from=2026-12&to=2027-01").await;
    assert_eq!(waiting.status, StatusCode::OK, "{waiting:?}");
    let referrals = manager.get("/api/v1/services/intake/reports/referrals?from=2026-12&to=2027-01").await;
    assert_eq!(referrals.status, StatusCode::OK, "{referrals:?}");
    let cases = &referrals.body["total"]["cases"];
    let n = |k: &str| cases[k].as_u64().unwrap_or_else(|| panic!("{k} in {cases}"));
    (flow(&waiting.body["months"][0]), flow(&waiting.body["months"][1]), (n("opened"), n("closed_total"), n("reopened")))
}

#[tokio::test]
async fn the_moves_reports_read_are_kept_as_history_is_written_and_rebuilt_from_it_by_the_migration() {
    let Scene { server, references, .. } = scene().await;
    let mut conn = server.raw_connection().await;
    let from_history = moves_in_history(&mut conn).await;
    // Seven openings and four stage changes enter a stage; D is closed once and reopened once.
    let count = |kind: &str| from_history.iter().filter(|m| m.4 == kind).count();
    assert_eq!((count("stage"), count("closed"), count("reopened")), (11, 1, 1), "{from_history:?}");
    assert!(from_history.iter().any(|m| m.4 == "closed" && m.6.as_deref() == Some("done")), "{from_history:?}");
    assert_eq!(kept_moves(&mut conn).await, from_history, "kept in step as the history was written");

    // The figures of report_flow's other tests, and of the referrals report for D.
    let manager = server.sign_in("manager").await;
    let expected = ((3, 4, 1), (3, 3, 3), (6, 1, 1));
    assert_eq!(moves_figures(&manager).await, expected);

    // With the moves gone the reports see none (they read nothing else for them) ...
    sqlx::query("DELETE FROM case_moves").execute(&mut conn).await.unwrap();
    assert_eq!(moves_figures(&manager).await, ((0, 0, 0), (0, 0, 0), (6, 0, 0)));
    // ... and the migration's statement for history written before the table existed
    // rebuilds them, row for row, with the same figures.
    sqlx::query(&backfill_statement(&server.location)).execute(&mut conn).await.unwrap();
    assert_eq!(kept_moves(&mut conn).await, from_history, "rebuilt from the history");
    assert_eq!(moves_figures(&manager).await, expected);
    let waiting = manager.get("/api/v1/services/intake/reports/waiting-list/cases").await;
    assert_eq!(
        listed(&waiting.body),
        [(references["C"].clone(), 37), (references["E"].clone(), 14), (references["D"].clone(), 9)]
    );
}
