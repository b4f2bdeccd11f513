//! Reports: the timeliness of a service's deadlines, checked against figures counted by
//! hand on a small fixed set of cases, with the test's clock, over a December whose
//! bank holidays move the due dates.

use crate::harness::{TestServer, spawn_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A service written for this test: one working-day deadline that can be paused, a manager
/// across the service, a team leader who sees their team's cases and a worker who sees only
/// their own and reads no reports.
pub(crate) const OUTREACH: &str = r#"
initial_stage = "contact"

[service]
code = "outreach"
name = "Outreach"
reference_prefix = "OUT"
closes_cases = false

[[roles]]
code = "manager"
name = "Manager"
permissions = ["referral.create", "referral.read", "referral.decide", "case.create", "case.read", "case.update", "case.allocate",
  "person.read", "person.write", "reports.read"]
reach = "service"

[[roles]]
code = "team-leader"
name = "Team leader"
permissions = ["case.read", "case.update", "reports.read"]
reach = "team"

[[roles]]
code = "auditor"
name = "Auditor"
permissions = ["audit.read"]
reach = "service"

[[roles]]
code = "worker"
name = "Outreach worker"
permissions = ["case.read", "case.update"]
reach = "allocated"

[[stages]]
code = "contact"
name = "First contact"
next = ["assessed"]

[[stages]]
code = "assessed"
name = "Assessed"
next = ["contact"]

[[flags]]
code = "awaiting-information"
name = "Awaiting information"

[[work_lists]]
code = "open"
name = "Open cases"

[[timers]]
code = "first-assessment"
name = "Assessed within 5 working days"
start = { on = "case-opened" }
target = { working_days = 5 }
stop = { on = "stage-entered", stage = "assessed" }
pause = { on = "flag-set", flag = "awaiting-information" }
resume = { on = "flag-removed", flag = "awaiting-information" }
"#;

pub(crate) const TIMER: &str = "first-assessment";

pub(crate) fn at(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

pub(crate) struct Scene {
    pub(crate) server: TestServer,
    pub(crate) north: String,
    pub(crate) references: std::collections::BTreeMap<&'static str, String>,
}

/// Seven cases, named A to G, opened and worked at fixed times (comments give the due days,
/// England and Wales):
/// - A (North) opened Wed 2 Dec, due Wed 9 Dec, assessed Fri 4 Dec: met in December;
/// - B (North) opened Wed 23 Dec, due Mon 4 Jan (Christmas, Boxing Day in lieu on Mon 28
///   and New Year's Day do not count; without them it would be due Wed 30 Dec), assessed
///   Thu 31 Dec: met in December;
/// - C (South) opened Fri 18 Dec, due Tue 29 Dec (21–24 and 29 Dec), assessed Wed 6 Jan:
///   met late, in January;
/// - D (South) opened Mon 4 Jan, due Mon 11 Jan, never assessed: breached in January;
/// - E (North) opened Wed 23 Dec, due Mon 4 Jan, never assessed: breached in January;
/// - F (North) opened Mon 18 Jan, due Mon 25 Jan, paused Tue 19 Jan: paused, January;
/// - G (South) opened Tue 19 Jan, due Tue 26 Jan: running, January.
///
/// The report is read on Wed 20 Jan 2027 after the sweep.
pub(crate) async fn scene() -> Scene {
    let server = spawn_with(&[OUTREACH]).await;
    server.clock.set(at("2026-12-01T09:00:00Z"));
    server.make_user("manager", &["outreach:manager"], false).await;
    let north_worker = server.user("north-worker", &["outreach:worker"]).await;
    let south_worker = server.user("south-worker", &["outreach:worker"]).await;
    let north = server.team("outreach", "North", &[&north_worker]).await.to_string();
    let south = server.team("outreach", "South", &[&south_worker]).await.to_string();
    let mut ids = std::collections::BTreeMap::new();
    let mut references = std::collections::BTreeMap::new();
    let mut versions = std::collections::BTreeMap::new();

    let steps: Vec<(&str, &'static str, &'static str)> = vec![
        ("open", "A", "2026-12-02T09:00:00Z"),
        ("assess", "A", "2026-12-04T10:00:00Z"),
        ("open", "C", "2026-12-18T10:00:00Z"),
        ("open", "B", "2026-12-23T10:00:00Z"),
        ("open", "E", "2026-12-23T10:30:00Z"),
        ("assess", "B", "2026-12-31T10:00:00Z"),
        ("open", "D", "2027-01-04T09:00:00Z"),
        ("assess", "C", "2027-01-06T10:00:00Z"),
        ("open", "F", "2027-01-18T10:00:00Z"),
        ("pause", "F", "2027-01-19T10:00:00Z"),
        ("open", "G", "2027-01-19T11:00:00Z"),
    ];
    for (step, name, when) in steps {
        server.clock.set(at(when));
        let manager = server.sign_in("manager").await;
        match step {
            "open" => {
                let case = manager.open_case("outreach", &format!("Person{name}")).await;
                let id = case["id"].as_str().unwrap().to_owned();
                let (worker, team) =
                    if ["A", "B", "E", "F"].contains(&name) { (&north_worker, &north) } else { (&south_worker, &south) };
                let allocated = manager
                    .post(
                        &format!("/api/v1/cases/{id}/allocation"),
                        json!({ "version": case["version"], "worker": worker.id(), "team": team }),
                    )
                    .await;
                assert_eq!(allocated.status, StatusCode::OK, "{allocated:?}");
                versions.insert(name, allocated.body["version"].clone());
                references.insert(name, case["reference"].as_str().unwrap().to_owned());
                ids.insert(name, id);
            }
            "assess" => {
                let moved = manager
                    .post(
                        &format!("/api/v1/cases/{}/stage", ids[name]),
                        json!({ "version": versions[name], "stage": "assessed" }),
                    )
                    .await;
                assert_eq!(moved.status, StatusCode::OK, "{moved:?}");
            }
            _ => {
                let flagged = manager
                    .post(
                        &format!("/api/v1/cases/{}/flags", ids[name]),
                        json!({ "version": versions[name], "flag": "awaiting-information" }),
                    )
                    .await;
                assert_eq!(flagged.status, StatusCode::OK, "{flagged:?}");
            }
        }
    }
    server.clock.set(at("2027-01-20T12:00:00Z"));
    assert_eq!(server.app.sweep_timers().await.unwrap(), 2, "D and E are breached; C was stopped late already");
    Scene { server, north, references }
}

/// Met, met late, breached, paused, running, and the percentage within target.
type Figures = (u64, u64, u64, u64, u64, Value);

fn tally(row: &Value) -> Figures {
    let n = |k: &str| row[k].as_u64().unwrap_or_else(|| panic!("{k} in {row}"));
    (n("met"), n("met_late"), n("breached"), n("paused"), n("running"), row["within_target_percent"].clone())
}

#[tokio::test]
async fn timeliness_reports_count_met_late_breached_and_paused_deadlines_by_month_team_and_worker() {
    let Scene { server, north, references } = scene().await;
    let manager = server.sign_in("manager").await;
    let report = manager.get("/api/v1/services/outreach/reports/timeliness?from=2026-12&to=2027-01").await;
    assert_eq!(report.status, StatusCode::OK, "{report:?}");
    assert_eq!((report.body["from"].as_str(), report.body["to"].as_str()), (Some("2026-12"), Some("2027-01")));
    let timer = &report.body["timers"][0];
    assert_eq!(timer["code"], TIMER);
    assert_eq!(timer["target"], "5 working days");
    // December: A and B met (2 of 2 = 100 %). January: C late, D and E breached, F paused,
    // G running (0 of 3 decided). The period: 2 of 5 decided = 40 %.
    assert_eq!(timer["months"][0]["month"], "2026-12");
    assert_eq!(tally(&timer["months"][0]), (2, 0, 0, 0, 0, json!(100.0)));
    assert_eq!(timer["months"][1]["month"], "2027-01");
    assert_eq!(tally(&timer["months"][1]), (0, 1, 2, 1, 1, json!(0.0)));
    assert_eq!(tally(&timer["total"]), (2, 1, 2, 1, 1, json!(40.0)));
    // North: A, B met, E breached, F paused: 2 of 3 = 66.7 %. South: C late, D breached, G running.
    let teams: Vec<(String, Figures)> =
        timer["by_team"].as_array().unwrap().iter().map(|t| (t["name"].as_str().unwrap().to_owned(), tally(t))).collect();
    assert!(teams.contains(&("North".to_owned(), (2, 0, 1, 1, 0, json!(66.7)))), "{teams:?}");
    assert!(teams.contains(&("South".to_owned(), (0, 1, 1, 0, 1, json!(0.0)))), "{teams:?}");
    let workers: Vec<(String, Figures)> =
        timer["by_worker"].as_array().unwrap().iter().map(|t| (t["name"].as_str().unwrap().to_owned(), tally(t))).collect();
    assert!(workers.contains(&("Test north-worker".to_owned(), (2, 0, 1, 1, 0, json!(66.7)))), "{workers:?}");

    // One month only, and one team only.
    let december = manager.get("/api/v1/services/outreach/reports/timeliness?from=2026-12&to=2026-12").await;
    assert_eq!(tally(&december.body["timers"][0]["total"]), (2, 0, 0, 0, 0, json!(100.0)));
    let north_only =
        manager.get(&format!("/api/v1/services/outreach/reports/timeliness?from=2026-12&to=2027-01&team={north}")).await;
    assert_eq!(tally(&north_only.body["timers"][0]["total"]), (2, 0, 1, 1, 0, json!(66.7)));

    // The cases behind a figure: exactly the breached ones.
    let breached = manager
        .get(&format!(
            "/api/v1/services/outreach/reports/timeliness/cases?timer={TIMER}&outcome=breached&from=2026-12&to=2027-01"
        ))
        .await;
    assert_eq!(breached.status, StatusCode::OK, "{breached:?}");
    let mut listed: Vec<&str> = breached.body.as_array().unwrap().iter().map(|c| c["reference"].as_str().unwrap()).collect();
    listed.sort_unstable();
    let mut expected = vec![references["D"].as_str(), references["E"].as_str()];
    expected.sort_unstable();
    assert_eq!(listed, expected);
    let late = manager
        .get(&format!("/api/v1/services/outreach/reports/timeliness/cases?timer={TIMER}&outcome=met-late&month=2027-01&from=2026-12&to=2027-01"))
        .await;
    assert_eq!(late.body.as_array().unwrap().len(), 1);
    assert_eq!(late.body[0]["reference"], references["C"].as_str());
    assert_eq!(late.body[0]["due_at"], "2026-12-29T23:59:59.999999Z");
    assert_eq!(late.body[0]["ended_at"], "2027-01-06T10:00:00Z");
    // A worker's figure: of North's worker's cases, only E breached.
    let north_worker = timer["by_worker"].as_array().unwrap().iter().find(|w| w["name"] == "Test north-worker").unwrap();
    let theirs = manager
        .get(&format!(
            "/api/v1/services/outreach/reports/timeliness/cases?timer={TIMER}&outcome=breached&from=2026-12&to=2027-01&worker={}",
            north_worker["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(theirs.status, StatusCode::OK, "{theirs:?}");
    let listed: Vec<&str> = theirs.body.as_array().unwrap().iter().map(|c| c["reference"].as_str().unwrap()).collect();
    assert_eq!(listed, [references["E"].as_str()]);
    let bad = manager
        .get(&format!("/api/v1/services/outreach/reports/timeliness/cases?timer={TIMER}&outcome=breached&worker=someone"))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.fields(), ["worker"]);

    // Bad filters are named.
    let bad = manager.get("/api/v1/services/outreach/reports/timeliness?from=2027-02&to=2026-12").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.fields(), ["to"]);
    let bad = manager.get("/api/v1/services/outreach/reports/timeliness/cases?timer=nope&outcome=met").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.fields(), ["timer"]);
    let bad = manager.get(&format!("/api/v1/services/outreach/reports/timeliness/cases?timer={TIMER}&outcome=late")).await;
    assert_eq!(bad.fields(), ["outcome"]);
}

#[tokio::test]
async fn reports_are_for_those_who_may_read_them_and_count_only_the_cases_they_may_see() {
    let Scene { server, north, references } = scene().await;
    // A worker of the service without reports.read is refused; someone of another service
    // is told there is no such service.
    let worker = server.sign_in("north-worker").await;
    let refused = worker.get("/api/v1/services/outreach/reports/timeliness").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{refused:?}");
    let refused = worker.get(&format!("/api/v1/services/outreach/reports/timeliness/cases?timer={TIMER}&outcome=breached")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let stranger = server.user("stranger", &["recovery:support-worker"]).await;
    assert_eq!(stranger.get("/api/v1/services/outreach/reports/timeliness").await.status, StatusCode::NOT_FOUND);
    assert_eq!(stranger.get("/api/v1/services/recovery/reports/timeliness").await.status, StatusCode::FORBIDDEN);
    assert_eq!(stranger.get("/api/v1/services/nowhere/reports/timeliness").await.status, StatusCode::NOT_FOUND);
    for page in ["/services/outreach/reports", "/services/outreach/reports/timeliness"] {
        let (status, _) = server.page_user("north-worker").await.get(page).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    }

    // A team leader of North sees North's cases only: A, B met, E breached, F paused.
    let leader = server.user("north-leader", &["outreach:team-leader"]).await;
    let system = casework_app::users::system_actor();
    server.app.add_team_member(&system, north.parse().unwrap(), leader.id().parse().unwrap()).await.unwrap();
    let leader = server.sign_in("north-leader").await;
    let report = leader.get("/api/v1/services/outreach/reports/timeliness?from=2026-12&to=2027-01").await;
    assert_eq!(report.status, StatusCode::OK, "{report:?}");
    let timer = &report.body["timers"][0];
    assert_eq!(tally(&timer["months"][0]), (2, 0, 0, 0, 0, json!(100.0)));
    assert_eq!(tally(&timer["months"][1]), (0, 0, 1, 1, 0, json!(0.0)));
    assert_eq!(tally(&timer["total"]), (2, 0, 1, 1, 0, json!(66.7)));
    let breached = leader
        .get(&format!(
            "/api/v1/services/outreach/reports/timeliness/cases?timer={TIMER}&outcome=breached&from=2026-12&to=2027-01"
        ))
        .await;
    let listed: Vec<&str> = breached.body.as_array().unwrap().iter().map(|c| c["reference"].as_str().unwrap()).collect();
    assert_eq!(listed, [references["E"].as_str()], "D is South's");
}

#[tokio::test]
async fn the_reports_page_draws_each_timer_as_svg_with_its_table_and_links_to_the_breached_cases() {
    let Scene { server, references, .. } = scene().await;
    let manager = server.page_user("manager").await;
    let (status, home) = manager.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("href=\"/services/outreach/reports\""), "the home page links to the reports");

    let (status, index) = manager.get("/services/outreach/reports").await;
    assert_eq!(status, StatusCode::OK, "{index}");
    assert!(index.contains("href=\"/services/outreach/reports/timeliness\""), "the index lists the timeliness report");

    let (status, page) = manager.get("/services/outreach/reports/timeliness?from=2026-12&to=2027-01").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<svg class=\"cw-chart\""), "{page}");
    assert!(page.contains("role=\"img\""));
    assert!(page.contains("aria-labelledby=\"timer-first-assessment-title timer-first-assessment-desc\""));
    assert!(page.contains("<title id=\"timer-first-assessment-title\">"));
    assert!(page.contains("<caption class=\"govuk-table__caption govuk-table__caption--s\">Assessed within 5 working days: figures by month</caption>"));
    assert!(page.contains("<th scope=\"row\" class=\"govuk-table__header\">January 2027</th>"));
    assert!(page.contains("40.0%"), "the period's share within target");
    assert!(!page.contains("<script>"), "no inline script");

    // January's breached figure (2) links to the cases behind it.
    let link = "/services/outreach/reports/timeliness/cases?timer=first-assessment&#38;outcome=breached&#38;from=2026-12&#38;to=2027-01&#38;month=2027-01";
    assert!(page.contains(&format!("<a class=\"govuk-link\" href=\"{link}\">2</a>")), "{page}");
    let (status, cases) = manager.get(&link.replace("&#38;", "&")).await;
    assert_eq!(status, StatusCode::OK, "{cases}");
    for name in ["D", "E"] {
        assert!(cases.contains(&format!(">{}</a>", references[name])), "{name} is listed");
    }
    for name in ["A", "B", "C", "F", "G"] {
        assert!(!cases.contains(&format!(">{}</a>", references[name])), "{name} is not listed");
    }
    assert!(cases.contains("2 cases"));
    // Each worker's figures link to their cases too.
    assert!(page.contains("&#38;worker="), "worker figures are links: {page}");
    let worker_link = page.split("&#38;worker=").nth(1).and_then(|rest| rest.split('"').next()).unwrap();
    assert!(worker_link == "none" || worker_link.len() > 10, "a user id or none: {worker_link}");

    // A bad period is shown as a problem on the page, not an error page.
    let (status, page) = manager.get("/services/outreach/reports/timeliness?from=2027-13&to=2027-01").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("govuk-error-summary"));
}
