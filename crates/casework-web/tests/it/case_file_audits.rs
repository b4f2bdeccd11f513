//! Case-file audits: rounds drawn at random per worker, audits on the service's audit form,
//! and the results over two months, checked against figures counted by hand on a small
//! fixed set of cases with the test's clock.

use crate::harness::{Client, TestServer, spawn_with};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// A service written for this test: a manager who audits across the service, a team
/// auditor who audits and reads reports only for their team, and workers who see only
/// their own cases and may do neither.
const FILE_AUDIT: &str = r#"
initial_stage = "open"

[service]
code = "fileaudit"
name = "File audit test service"
reference_prefix = "FAT"
closes_cases = true

[[roles]]
code = "manager"
name = "Manager"
permissions = ["referral.create", "referral.read", "referral.decide", "case.create", "case.read", "case.update",
  "case.allocate", "case.close", "note.add", "person.read", "person.write", "reports.read", "audit.conduct"]
reach = "service"

[[roles]]
code = "team-auditor"
name = "Team auditor"
permissions = ["case.read", "reports.read", "audit.conduct"]
reach = "team"

[[roles]]
code = "worker"
name = "Worker"
permissions = ["case.read", "case.update"]
reach = "allocated"

[[stages]]
code = "open"
name = "Open"
next = []

[[closure_reasons]]
code = "done"
name = "Work finished"

[[flags]]
code = "duplicate"
name = "Duplicate record"

[[forms]]
code = "file-audit"
name = "Case file audit"
filled_by = ["manager", "team-auditor"]
[forms.schema]
type = "object"
additionalProperties = false
required = ["risk_current", "overall_grade"]
[forms.schema.properties.risk_current]
title = "Is the risk assessment current?"
type = "string"
enum = ["yes", "no"]
[forms.schema.properties.notes_on_time]
title = "Are notes recorded within 24 hours?"
type = "string"
enum = ["yes", "no"]
[forms.schema.properties.overall_grade]
title = "Overall grade"
type = "string"
enum = ["good", "requires-improvement", "inadequate"]

[reports]
excluded_flags = ["duplicate"]

[reports.case_file_audit]
form = "file-audit"
sample_size = 2
grade = "overall_grade"
pass_grades = ["good", "requires-improvement"]
questions = ["risk_current", "notes_on_time"]
poor_answers = ["no"]
"#;

fn at(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

struct Scene {
    server: TestServer,
    north: String,
    south: String,
    /// Case ids by name; references by name.
    ids: BTreeMap<&'static str, String>,
    workers: BTreeMap<&'static str, String>,
}

/// On Tue 1 Dec 2026: Ann (North) has four open cases A1–A4, Bob (North) one open case B1
/// and one closed B2, Cat (South) two open cases C1 and C2, and U is open but allocated
/// to nobody.
async fn scene() -> Scene {
    let server = spawn_with(&[FILE_AUDIT]).await;
    server.clock.set(at("2026-12-01T09:00:00Z"));
    let manager = server.user("manager", &["fileaudit:manager"]).await;
    let mut workers = BTreeMap::new();
    let mut clients = BTreeMap::new();
    for name in ["ann", "bob", "cat"] {
        let client = server.user(name, &["fileaudit:worker"]).await;
        workers.insert(name, client.id());
        clients.insert(name, client);
    }
    let north = server.team("fileaudit", "North", &[&clients["ann"], &clients["bob"]]).await.to_string();
    let south = server.team("fileaudit", "South", &[&clients["cat"]]).await.to_string();
    let auditor = server.user("south-auditor", &["fileaudit:team-auditor"]).await;
    let system = casework_app::users::system_actor();
    server.app.add_team_member(&system, south.parse().unwrap(), auditor.id().parse().unwrap()).await.unwrap();

    let mut ids = BTreeMap::new();
    let cases: [(&'static str, Option<&str>); 8] = [
        ("A1", Some("ann")),
        ("A2", Some("ann")),
        ("A3", Some("ann")),
        ("A4", Some("ann")),
        ("B1", Some("bob")),
        ("B2", Some("bob")),
        ("C1", Some("cat")),
        ("C2", Some("cat")),
    ];
    for (name, worker) in cases.into_iter().chain([("U", None)]) {
        let case = manager.open_case("fileaudit", &format!("Person{name}")).await;
        let id = case["id"].as_str().unwrap().to_owned();
        let mut version = case["version"].clone();
        if let Some(worker) = worker {
            let team = if worker == "cat" { &south } else { &north };
            let allocated = manager
                .post(
                    &format!("/api/v1/cases/{id}/allocation"),
                    json!({ "version": version, "worker": workers[worker], "team": team }),
                )
                .await;
            assert_eq!(allocated.status, StatusCode::OK, "{allocated:?}");
            version = allocated.body["version"].clone();
        }
        if name == "B2" {
            let closed =
                manager.post(&format!("/api/v1/cases/{id}/closure"), json!({ "version": version, "reason": "done" })).await;
            assert_eq!(closed.status, StatusCode::OK, "{closed:?}");
        }
        ids.insert(name, id);
    }
    Scene { server, north, south, ids, workers }
}

/// The cases of a round, by worker id.
fn drawn(round: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut by_worker: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for case in round["cases"].as_array().unwrap() {
        by_worker
            .entry(case["worker"].as_str().unwrap().to_owned())
            .or_default()
            .insert(case["case"].as_str().unwrap().to_owned());
    }
    by_worker
}

async fn draw(client: &Client, body: Value) -> Value {
    let round = client.post("/api/v1/services/fileaudit/case-file-audits/rounds", body).await;
    assert_eq!(round.status, StatusCode::CREATED, "{round:?}");
    round.body
}

fn audit_path(round: &Value, case: &str) -> String {
    format!("/api/v1/services/fileaudit/case-file-audits/rounds/{}/cases/{case}", round["id"].as_str().unwrap())
}

#[tokio::test]
async fn a_round_draws_up_to_the_sample_size_of_each_workers_open_readable_cases_and_a_seed_repeats_it() {
    let Scene { server, north, ids, workers, .. } = scene().await;
    let manager = server.sign_in("manager").await;
    let round = draw(&manager, json!({ "seed": 42 })).await;
    assert_eq!(round["sample_size"], 2, "the service's default");
    assert_eq!(round["seed"], 42);
    assert_eq!(round["drawn_by_name"], "Test manager");
    let by_worker = drawn(&round);
    let name_of = |id: &str| ids.iter().find(|(_, v)| v.as_str() == id).map(|(k, _)| *k).unwrap();
    // Ann: 2 of her 4; Bob: his one open case (B2 is closed); Cat: both; U has no worker.
    assert_eq!(by_worker.len(), 3, "{by_worker:?}");
    let ann = &by_worker[&workers["ann"]];
    assert_eq!(ann.len(), 2);
    assert!(ann.iter().all(|c| name_of(c).starts_with('A')));
    assert_eq!(by_worker[&workers["bob"]], BTreeSet::from([ids["B1"].clone()]));
    assert_eq!(by_worker[&workers["cat"]], BTreeSet::from([ids["C1"].clone(), ids["C2"].clone()]));
    assert!(round["cases"].as_array().unwrap().iter().all(|c| c["status"] == "to-audit"));

    // The same seed over the same cases draws the same sample.
    let again = draw(&manager, json!({ "seed": 42 })).await;
    assert_ne!(again["id"], round["id"]);
    assert_eq!(drawn(&again), by_worker);

    // One case per worker, North only.
    let north_only = draw(&manager, json!({ "team": north, "sample_size": 1, "seed": 7 })).await;
    let by_worker = drawn(&north_only);
    assert_eq!(by_worker.keys().collect::<Vec<_>>().len(), 2);
    assert!(by_worker.values().all(|cases| cases.len() == 1));
    assert!(!by_worker.contains_key(&workers["cat"]));

    // A team auditor of South draws only from the cases they may read: Cat's.
    let auditor = server.sign_in("south-auditor").await;
    let south_round = draw(&auditor, json!({ "sample_size": 5 })).await;
    assert_eq!(drawn(&south_round).keys().collect::<Vec<_>>(), [&workers["cat"]]);

    // A round can be read back, and is listed.
    let read =
        manager.get(&format!("/api/v1/services/fileaudit/case-file-audits/rounds/{}", round["id"].as_str().unwrap())).await;
    assert_eq!(read.status, StatusCode::OK, "{read:?}");
    assert_eq!(drawn(&read.body), drawn(&round));
    let listed = manager.get("/api/v1/services/fileaudit/case-file-audits/rounds").await;
    assert_eq!(listed.body.as_array().unwrap().len(), 4);
    // The draw is in the history.
    assert_eq!(server.events_about(round["id"].as_str().unwrap()).await, ["audit-round-drawn"]);

    // Bad requests are named and draw nothing.
    let before = server.counts().await;
    let bad = manager.post("/api/v1/services/fileaudit/case-file-audits/rounds", json!({ "sample_size": 0 })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.fields(), ["sample_size"]);
    let bad = manager.post("/api/v1/services/fileaudit/case-file-audits/rounds", json!({ "team": "nope" })).await;
    assert_eq!(bad.fields(), ["team"]);
    assert_eq!(server.counts().await, before);
}

#[tokio::test]
async fn a_case_excluded_from_statistics_is_neither_drawn_nor_counted() {
    let Scene { server, ids, workers, .. } = scene().await;
    let manager = server.sign_in("manager").await;
    let round = draw(&manager, json!({ "sample_size": 5, "seed": 1 })).await;
    assert_eq!(drawn(&round)[&workers["cat"]], BTreeSet::from([ids["C1"].clone(), ids["C2"].clone()]));
    server.clock.set(at("2026-12-14T10:00:00Z"));
    let manager = server.sign_in("manager").await;
    for case in ["C1", "C2"] {
        let done = manager
            .post(&audit_path(&round, &ids[case]), json!({ "answers": { "risk_current": "yes", "overall_grade": "good" } }))
            .await;
        assert_eq!(done.status, StatusCode::CREATED, "{done:?}");
    }
    // C2 turns out to be a duplicate record after it was audited.
    let case = manager.get(&format!("/api/v1/cases/{}", ids["C2"])).await;
    let flagged = manager
        .post(&format!("/api/v1/cases/{}/flags", ids["C2"]), json!({ "version": case.body["version"], "flag": "duplicate" }))
        .await;
    assert_eq!(flagged.status, StatusCode::OK, "{flagged:?}");

    let report = manager.get("/api/v1/services/fileaudit/reports/case-file-audits?from=2026-12&to=2026-12").await;
    assert_eq!(report.status, StatusCode::OK, "{report:?}");
    assert_eq!(report.body["total"]["audited"], 1, "only C1 counts: {report:?}");
    let listed: Vec<&str> = report.body["cases"].as_array().unwrap().iter().map(|c| c["case"].as_str().unwrap()).collect();
    assert_eq!(listed, [ids["C1"].as_str()]);
    assert_eq!(report.body["excluded"][0]["statement"], "1 case flagged \u{201c}Duplicate record\u{201d} left out");
    let pages = server.page_user("manager").await;
    let (status, page) = pages.get("/services/fileaudit/reports/case-file-audits?from=2026-12&to=2026-12").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("1 case flagged \u{201c}Duplicate record\u{201d} left out"), "{page}");

    // A new draw leaves the duplicate out of Cat's cases.
    let again = draw(&manager, json!({ "sample_size": 5, "seed": 1 })).await;
    assert_eq!(drawn(&again)[&workers["cat"]], BTreeSet::from([ids["C1"].clone()]));
}

#[tokio::test]
async fn audits_are_refused_without_permission_checked_against_the_form_and_never_changed() {
    let Scene { server, ids, .. } = scene().await;
    let manager = server.sign_in("manager").await;
    let round = draw(&manager, json!({ "seed": 1 })).await;
    let b1 = audit_path(&round, &ids["B1"]);
    let good = json!({ "answers": { "risk_current": "yes", "overall_grade": "good" } });

    // A worker of the service may neither draw nor audit nor read the results; someone of
    // another service is told there is no such service.
    let stranger = server.user("stranger", &["recovery:support-worker"]).await;
    let before = server.counts().await;
    let bob = server.sign_in("bob").await;
    assert_eq!(bob.post("/api/v1/services/fileaudit/case-file-audits/rounds", json!({})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(bob.post(&b1, good.clone()).await.status, StatusCode::FORBIDDEN);
    assert_eq!(bob.get(&b1).await.status, StatusCode::FORBIDDEN);
    assert_eq!(bob.get("/api/v1/services/fileaudit/reports/case-file-audits").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        stranger.post("/api/v1/services/fileaudit/case-file-audits/rounds", json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(stranger.post(&b1, good.clone()).await.status, StatusCode::NOT_FOUND);
    assert_eq!(stranger.get("/api/v1/services/fileaudit/reports/case-file-audits").await.status, StatusCode::NOT_FOUND);
    // A South auditor cannot audit a North case; a case not drawn is not in the round.
    let auditor = server.sign_in("south-auditor").await;
    assert_eq!(auditor.post(&b1, good.clone()).await.status, StatusCode::NOT_FOUND);
    assert_eq!(manager.post(&audit_path(&round, &ids["U"]), good.clone()).await.status, StatusCode::NOT_FOUND);

    // Answers that the form does not allow are named, and nothing is written.
    let bad = manager.post(&b1, json!({ "answers": { "risk_current": "maybe", "comment": "x" } })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
    let mut fields = bad.fields();
    fields.sort();
    fields.dedup();
    assert_eq!(fields, ["answers", "answers/overall_grade", "answers/risk_current"], "{bad:?}");
    // Nor is the audit form filled on the case itself, outside a round.
    let on_case = manager
        .post(&format!("/api/v1/cases/{}/forms", ids["B1"]), json!({ "form": "file-audit", "answers": good["answers"] }))
        .await;
    assert_eq!(on_case.status, StatusCode::UNPROCESSABLE_ENTITY, "{on_case:?}");
    assert_eq!(on_case.fields(), ["form"]);
    assert_eq!(server.counts().await, before, "refused requests wrote nothing");

    // Opening the case through its audit is a view of the case, logged.
    let logged = server.count("access_log").await;
    let opened = manager.get(&b1).await;
    assert_eq!(opened.status, StatusCode::OK, "{opened:?}");
    assert_eq!(opened.body["audits"], json!([]));
    assert_eq!(server.count("access_log").await, logged + 1);

    let first = manager.post(&b1, good.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    assert_eq!((first.body["grade"].as_str(), first.body["passed"].as_bool()), (Some("good"), Some(true)));
    let first_id = first.body["id"].as_str().unwrap().to_owned();

    // A completed audit is never changed: saving again is refused, the first stands.
    let after_first = server.counts().await;
    let again = manager.post(&b1, json!({ "answers": { "risk_current": "no", "overall_grade": "inadequate" } })).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{again:?}");
    let wrong = manager
        .post(&b1, json!({ "answers": { "risk_current": "no", "overall_grade": "inadequate" }, "corrects": ids["B1"] }))
        .await;
    assert_eq!(wrong.fields(), ["corrects"]);
    assert_eq!(server.counts().await, after_first);
    let mut conn = server.raw_connection().await;
    let update = sqlx::query("UPDATE case_file_audits SET grade = 'inadequate'").execute(&mut conn).await;
    assert!(update.is_err(), "the database refuses to change an audit");

    // A correction is a new audit naming the one it corrects, and counts in its place.
    let correction = manager
        .post(&b1, json!({ "answers": { "risk_current": "no", "overall_grade": "inadequate" }, "corrects": first_id }))
        .await;
    assert_eq!(correction.status, StatusCode::CREATED, "{correction:?}");
    assert_eq!(correction.body["corrects"], first_id.as_str());
    let stale =
        manager.post(&b1, json!({ "answers": { "risk_current": "yes", "overall_grade": "good" }, "corrects": first_id })).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "the first audit was corrected already");
    let opened = manager.get(&b1).await;
    let audits = opened.body["audits"].as_array().unwrap();
    assert_eq!(audits.len(), 2);
    assert_eq!(audits[0]["id"], first_id.as_str());
    assert_eq!(audits[0]["grade"], "good", "the first audit is as it was");
    assert_eq!(opened.body["case"]["status"], "audited");
    assert_eq!(opened.body["case"]["passed"], false);
    let report = manager.get("/api/v1/services/fileaudit/reports/case-file-audits").await;
    assert_eq!((report.body["total"]["audited"].as_u64(), report.body["total"]["passed"].as_u64()), (Some(1), Some(0)));
}

/// Audited, passed, failed and the share passing.
fn tally(row: &Value) -> (u64, u64, u64, Value) {
    let n = |k: &str| row[k].as_u64().unwrap_or_else(|| panic!("{k} in {row}"));
    (n("audited"), n("passed"), n("failed"), row["passing_percent"].clone())
}

#[tokio::test]
async fn results_are_counted_by_month_team_worker_and_question_over_the_cases_the_reader_may_see() {
    let Scene { server, north, south, ids, workers } = scene().await;
    let manager = server.sign_in("manager").await;
    let round = draw(&manager, json!({ "seed": 3 })).await;
    let ann_cases: Vec<String> = drawn(&round)[&workers["ann"]].iter().cloned().collect();
    let answers = |risk: &str, notes: Option<&str>, grade: &str| {
        let mut answers = json!({ "risk_current": risk, "overall_grade": grade });
        if let Some(notes) = notes {
            answers["notes_on_time"] = json!(notes);
        }
        json!({ "answers": answers })
    };
    // Signed in afresh at each step, as the clock moves on by weeks.
    let audit = |case: String, body: Value| {
        let path = audit_path(&round, &case);
        let server = &server;
        async move {
            let done = server.sign_in("manager").await.post(&path, body).await;
            assert_eq!(done.status, StatusCode::CREATED, "{done:?}");
            done.body["id"].as_str().unwrap().to_owned()
        }
    };
    // December: Ann's first passes, her second fails (corrected in January to a pass; it
    // still counts in December), Bob's fails.
    server.clock.set(at("2026-12-14T10:00:00Z"));
    audit(ann_cases[0].clone(), answers("yes", Some("yes"), "good")).await;
    let ann_second = audit(ann_cases[1].clone(), answers("no", Some("no"), "inadequate")).await;
    audit(ids["B1"].clone(), answers("no", None, "inadequate")).await;
    // January: Cat's first passes, her second fails; Ann's second is corrected.
    server.clock.set(at("2027-01-12T10:00:00Z"));
    audit(ids["C1"].clone(), answers("yes", Some("yes"), "good")).await;
    audit(ids["C2"].clone(), answers("no", Some("no"), "inadequate")).await;
    let mut corrected = answers("yes", Some("no"), "requires-improvement");
    corrected["corrects"] = json!(ann_second);
    audit(ann_cases[1].clone(), corrected).await;

    let manager = server.sign_in("manager").await;
    let report = manager.get("/api/v1/services/fileaudit/reports/case-file-audits?from=2026-12&to=2027-01").await;
    assert_eq!(report.status, StatusCode::OK, "{report:?}");
    let body = &report.body;
    // December: 3 audited, 2 passed (Ann's two), 1 failed (Bob's): 66.7 %. January: Cat's
    // two, 1 passed: 50.0 %. The period: 3 of 5 = 60.0 %.
    assert_eq!(body["months"][0]["month"], "2026-12");
    assert_eq!(tally(&body["months"][0]), (3, 2, 1, json!(66.7)));
    assert_eq!(body["months"][1]["month"], "2027-01");
    assert_eq!(tally(&body["months"][1]), (2, 1, 1, json!(50.0)));
    assert_eq!(tally(&body["total"]), (5, 3, 2, json!(60.0)));
    let group = |list: &Value, id: &str| {
        tally(list.as_array().unwrap().iter().find(|g| g["id"] == id).unwrap_or_else(|| panic!("{id} in {list}")))
    };
    assert_eq!(group(&body["by_team"], &north), (3, 2, 1, json!(66.7)));
    assert_eq!(group(&body["by_team"], &south), (2, 1, 1, json!(50.0)));
    assert_eq!(group(&body["by_worker"], &workers["ann"]), (2, 2, 0, json!(100.0)));
    assert_eq!(group(&body["by_worker"], &workers["bob"]), (1, 0, 1, json!(0.0)));
    assert_eq!(group(&body["by_worker"], &workers["cat"]), (2, 1, 1, json!(50.0)));
    // Risk assessment current: "no" from Bob and Cat's second, of 5 answers (Ann's
    // second as corrected says yes): 40.0 %. Notes on time: "no" from Ann's second (as
    // corrected) and Cat's second, of 4 answers (Bob left it out): 50.0 %.
    let questions: Vec<(&str, u64, u64, Value)> = body["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["title"].as_str().unwrap(),
                q["answered"].as_u64().unwrap(),
                q["poor"].as_u64().unwrap(),
                q["poor_percent"].clone(),
            )
        })
        .collect();
    assert_eq!(
        questions,
        [("Is the risk assessment current?", 5, 2, json!(40.0)), ("Are notes recorded within 24 hours?", 4, 2, json!(50.0))]
    );
    assert_eq!(body["cases"].as_array().unwrap().len(), 5);

    // The cases behind a figure: those that failed in January.
    let failed = manager
        .get("/api/v1/services/fileaudit/reports/case-file-audits?from=2026-12&to=2027-01&month=2027-01&result=failed")
        .await;
    let listed: Vec<&str> = failed.body["cases"].as_array().unwrap().iter().map(|c| c["case"].as_str().unwrap()).collect();
    assert_eq!(listed, [ids["C2"].as_str()]);
    assert_eq!(tally(&failed.body["total"]), (5, 3, 2, json!(60.0)), "the figures stay those of the period");
    let bad = manager.get("/api/v1/services/fileaudit/reports/case-file-audits?result=maybe").await;
    assert_eq!(bad.fields(), ["result"]);

    // One month, one team.
    let december = manager.get("/api/v1/services/fileaudit/reports/case-file-audits?from=2026-12&to=2026-12").await;
    assert_eq!(tally(&december.body["total"]), (3, 2, 1, json!(66.7)));
    let south_only =
        manager.get(&format!("/api/v1/services/fileaudit/reports/case-file-audits?from=2026-12&to=2027-01&team={south}")).await;
    assert_eq!(tally(&south_only.body["total"]), (2, 1, 1, json!(50.0)));

    // A team auditor of South sees South's cases only: nothing in December.
    let auditor = server.sign_in("south-auditor").await;
    let theirs = auditor.get("/api/v1/services/fileaudit/reports/case-file-audits?from=2026-12&to=2027-01").await;
    assert_eq!(theirs.status, StatusCode::OK, "{theirs:?}");
    assert_eq!(tally(&theirs.body["months"][0]), (0, 0, 0, Value::Null));
    assert_eq!(tally(&theirs.body["total"]), (2, 1, 1, json!(50.0)));
    assert_eq!(theirs.body["by_worker"].as_array().unwrap().len(), 1);
    let round_seen =
        auditor.get(&format!("/api/v1/services/fileaudit/case-file-audits/rounds/{}", round["id"].as_str().unwrap())).await;
    assert_eq!(round_seen.body["cases"].as_array().unwrap().len(), 2, "only Cat's cases of the round");
}

#[tokio::test]
async fn a_manager_draws_a_round_fills_an_audit_and_sees_the_report_on_pages() {
    let Scene { server, .. } = scene().await;
    let manager = server.page_user("manager").await;
    let (status, index) = manager.get("/services/fileaudit/reports").await;
    assert_eq!(status, StatusCode::OK, "{index}");
    assert!(index.contains("href=\"/services/fileaudit/reports/case-file-audits\""));

    let (status, rounds) = manager.get("/services/fileaudit/case-file-audits").await;
    assert_eq!(status, StatusCode::OK, "{rounds}");
    assert!(rounds.contains("Draw the cases"));
    let refused = manager.post("/services/fileaudit/case-file-audits", "team=&sample_size=none").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("href=\"#sample_size\""), "the error summary links to the field");
    let drawn = manager.post("/services/fileaudit/case-file-audits", "team=&sample_size=1").await;
    assert_eq!(drawn.status(), StatusCode::SEE_OTHER);
    let round_page = drawn.headers()["location"].to_str().unwrap().to_owned();
    let (status, round) = manager.get(&round_page).await;
    assert_eq!(status, StatusCode::OK, "{round}");
    assert_eq!(round.matches("To audit").count(), 3, "one case for each of the three workers: {round}");

    let start = round.find(&format!("{round_page}/cases/")).unwrap();
    let audit_page = round[start..].split('"').next().unwrap().to_owned();
    let logged = server.count("access_log").await;
    let (status, form) = manager.get(&audit_page).await;
    assert_eq!(status, StatusCode::OK, "{form}");
    assert_eq!(server.count("access_log").await, logged + 1, "opening the case's audit is logged as a view");
    assert!(form.contains("Is the risk assessment current?"));

    let missing = manager.post(&audit_page, "form.file-audit.risk_current=yes").await;
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let missing = missing.text().await.unwrap();
    assert!(missing.contains("href=\"#form-file-audit-overall_grade\""), "{missing}");
    let saved =
        manager.post(&audit_page, "form.file-audit.risk_current=yes&form.file-audit.overall_grade=requires-improvement").await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, round) = manager.get(&round_page).await;
    assert_eq!(round.matches("To audit").count(), 2);
    assert!(round.contains("Passed: requires improvement"));
    let (_, form) = manager.get(&audit_page).await;
    assert!(form.contains("Correct the audit"), "an audited case offers a correction, not an edit");

    let (status, report) = manager.get("/services/fileaudit/reports/case-file-audits").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(report.contains("<svg class=\"cw-chart\""));
    assert!(report.contains("role=\"img\""));
    assert!(report.contains("<title id=\"audits-title\">"));
    assert!(report.contains("Audits by month</caption>"));
    assert!(report.contains("100.0%"));
    assert!(report.contains(&format!("href=\"{audit_page}\"")), "the audited case is listed with a link to its audit");
    assert!(!report.contains("<script>"));

    let (status, _) = server.page_user("bob").await.get("/services/fileaudit/case-file-audits").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
