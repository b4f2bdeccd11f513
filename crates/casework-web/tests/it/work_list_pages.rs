//! Work list pages over plain HTTP: filters, sorting and numbered pages done by the server,
//! bulk allocation and the allocation page of one case.

use crate::harness::{Client, TestServer, spawn};
use reqwest::StatusCode;
use serde_json::{Value, json};

const LIST: &str = "/work-lists/recovery/waiting-list";

/// Opens a case in recovery for each family name, as the manager.
async fn open_cases(manager: &Client, names: &[&str]) -> Vec<Value> {
    let mut cases = Vec::new();
    for name in names {
        cases.push(manager.open_case("recovery", name).await);
    }
    cases
}

/// The people named in the table, in the order it shows them.
fn people_in(html: &str, names: &[&str]) -> Vec<String> {
    let mut found: Vec<(usize, String)> =
        names.iter().filter_map(|n| html.find(&format!(">Sam {n}<")).map(|at| (at, (*n).to_owned()))).collect();
    found.sort();
    found.into_iter().map(|(_, n)| n).collect()
}

fn selection(case: &Value) -> String {
    format!("case={}%40{}", case["id"].as_str().unwrap(), case["version"].as_i64().unwrap())
}

async fn history_kinds(manager: &Client, case: &Value) -> Vec<String> {
    let id = case["id"].as_str().unwrap();
    let history = manager.get(&format!("/api/v1/cases/{id}/history")).await;
    history.body["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_owned()).collect()
}

async fn manager_and_worker(server: &TestServer) -> (Client, String) {
    let manager = server.user("boss", &["recovery:service-manager"]).await;
    let worker = server.make_user("pat", &["recovery:recovery-practitioner"], false).await;
    (manager, worker.to_string())
}

#[tokio::test]
async fn filters_narrow_the_list_and_sorting_and_pages_are_done_by_the_server() {
    let server = spawn().await;
    let (manager, pat) = manager_and_worker(&server).await;
    let names = ["Young", "Adams", "Brown", "Clark", "Evans"];
    let cases = open_cases(&manager, &names).await;
    let boss = server.page_user("boss").await;

    let (status, html) = boss.get(LIST).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(">5 cases<"), "the total is shown");
    assert_eq!(people_in(&html, &names), ["Evans", "Clark", "Brown", "Adams", "Young"], "newest first by default");
    assert_eq!(html.matches("cw-deadline--due").count(), 5, "each case's next deadline is shown at a glance: {html}");

    let (_, html) = boss.get(&format!("{LIST}?sort=person&order=asc")).await;
    assert_eq!(people_in(&html, &names), ["Adams", "Brown", "Clark", "Evans", "Young"]);
    assert!(html.contains("aria-sort=\"ascending\""));
    let (_, html) = boss.get(&format!("{LIST}?sort=person&order=desc")).await;
    assert_eq!(people_in(&html, &names), ["Young", "Evans", "Clark", "Brown", "Adams"]);
    assert!(html.contains("aria-sort=\"descending\""));

    let (status, html) = boss.get(&format!("{LIST}?sort=person&order=asc&per_page=2&page=2")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(people_in(&html, &names), ["Clark", "Evans"], "the second page holds the next rows");
    assert!(html.contains("Showing 3 to 4 of 5 cases"));
    assert!(html.contains("govuk-pagination__item--current"));
    assert!(html.contains("aria-label=\"Page 3\""), "there is a third page");
    assert!(html.contains("rel=\"prev\"") && html.contains("rel=\"next\""));
    let (_, html) = boss.get(&format!("{LIST}?sort=person&order=asc&per_page=2&page=3")).await;
    assert_eq!(people_in(&html, &names), ["Young"]);

    // Filters, alone and together.
    let (_, html) = boss.get(&format!("{LIST}?text=cla")).await;
    assert_eq!(people_in(&html, &names), ["Clark"]);
    let reference = cases[0]["reference"].as_str().unwrap();
    let (_, html) = boss.get(&format!("{LIST}?text={reference}")).await;
    assert_eq!(people_in(&html, &names), ["Young"], "a reference finds its case");
    let young = cases[0]["id"].as_str().unwrap();
    let allocated = manager.post(&format!("/api/v1/cases/{young}/allocation"), json!({ "version": 1, "worker": pat })).await;
    assert_eq!(allocated.status, StatusCode::OK, "{allocated:?}");
    let brown = cases[2]["id"].as_str().unwrap();
    let flagged = manager.post(&format!("/api/v1/cases/{brown}/flags"), json!({ "version": 1, "flag": "safeguarding" })).await;
    assert_eq!(flagged.status, StatusCode::OK, "{flagged:?}");
    let (_, html) = boss.get(&format!("{LIST}?worker={pat}")).await;
    assert_eq!(people_in(&html, &names), ["Young"]);
    assert!(html.contains(">1 case<"));
    let (_, html) = boss.get(&format!("{LIST}?worker=none&sort=person")).await;
    assert_eq!(people_in(&html, &names), ["Adams", "Brown", "Clark", "Evans"]);
    let (_, html) = boss.get(&format!("{LIST}?flag=safeguarding")).await;
    assert_eq!(people_in(&html, &names), ["Brown"]);
    let (_, html) = boss.get(&format!("{LIST}?flag=safeguarding&worker={pat}")).await;
    assert!(html.contains(">0 cases<"));
    let (_, html) = boss.get(&format!("{LIST}?stage=waiting-list&sort=worker&order=desc")).await;
    assert_eq!(people_in(&html, &names)[0], "Young", "the allocated case sorts after the unallocated ones");

    // Values the page does not offer are explained on the page.
    for (query, message) in [
        ("stage=nowhere", "Choose a stage from the list"),
        ("flag=%3Cb%3E", "Choose a flag from the list"),
        ("worker=someone", "Choose a worker from the list"),
        ("sort=shoe-size", "Sort by one of the columns"),
        ("sort=person&order=sideways", "Sort in ascending or descending order"),
        ("page=zero", "Choose a page from the list of pages"),
        ("per_page=100000", "Show between 1 and 100 cases a page"),
        ("page=9", "There is no page 9"),
    ] {
        let (status, html) = boss.get(&format!("{LIST}?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(html.contains("govuk-error-summary") && html.contains(message), "{query}: {html}");
    }
}

#[tokio::test]
async fn a_case_the_reader_may_not_see_is_neither_listed_nor_counted() {
    let server = spawn().await;
    let (manager, pat) = manager_and_worker(&server).await;
    let cases = open_cases(&manager, &["Hidden", "Shown", "Secret"]).await;
    let shown = cases[1]["id"].as_str().unwrap();
    manager.post(&format!("/api/v1/cases/{shown}/allocation"), json!({ "version": 1, "worker": pat })).await;
    let worker = server.page_user("pat").await;
    let (status, html) = worker.get(&format!("{LIST}?sort=person")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Sam Shown"));
    assert!(!html.contains("Sam Hidden") && !html.contains("Sam Secret"));
    assert!(html.contains(">1 case<"), "only the visible case is counted");
    let (_, html) = worker.get(&format!("{LIST}?text=sec")).await;
    assert!(html.contains(">0 cases<") && !html.contains("Sam Secret"), "a search does not find it either");
    let (_, html) = worker.get(&format!("{LIST}?worker=none")).await;
    assert!(html.contains(">0 cases<"));
}

#[tokio::test]
async fn bulk_allocation_allocates_every_selected_case_or_none() {
    let server = spawn().await;
    let (manager, pat) = manager_and_worker(&server).await;
    let cases = open_cases(&manager, &["Adams", "Brown", "Clark"]).await;
    let other = server.user("ombuds", &["ombudsman:team-coordinator"]).await;
    let elsewhere = other.open_case("ombudsman", "Elsewhere").await;
    let boss = server.page_user("boss").await;
    let path = format!("{LIST}/allocation");

    let (_, html) = boss.get(LIST).await;
    assert!(html.contains("Test pat (0 open cases)"), "each worker's caseload is shown");
    let reference = cases[0]["reference"].as_str().unwrap();
    assert!(html.contains(&format!("Select {reference}")), "each checkbox is labelled with its case");

    let before = server.counts().await;
    let none = boss.post(&path, &format!("allocate_to={pat}")).await;
    assert_eq!(none.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.text().await.unwrap().contains("Select the cases to allocate"));
    let nobody = boss.post(&path, &selection(&cases[0])).await;
    assert_eq!(nobody.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = nobody.text().await.unwrap();
    assert!(html.contains("govuk-error-summary") && html.contains("Choose whom to allocate the selected cases to"));
    // One case of another service: nothing is written, and the page says so.
    let mixed = boss.post(&path, &format!("{}&{}&allocate_to={pat}", selection(&cases[0]), selection(&elsewhere))).await;
    assert_eq!(mixed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mixed.text().await.unwrap().contains("One of the selected cases was not found"));
    // One case changed since the list was shown: named, and nothing is written.
    let stale = format!("case={}%400", cases[1]["id"].as_str().unwrap());
    let changed = boss.post(&path, &format!("{}&{stale}&allocate_to={pat}", selection(&cases[0]))).await;
    assert_eq!(changed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = changed.text().await.unwrap();
    let brown = cases[1]["reference"].as_str().unwrap();
    assert!(html.contains(&format!("{brown} was changed by someone else")), "{html}");
    // Without the form token.
    let body = format!("{}&{}&allocate_to={pat}", selection(&cases[0]), selection(&cases[1]));
    let forged = boss.post_with(&path, &body, &[("sec-fetch-site", "same-origin")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(server.counts().await, before, "nothing was written by any refused request");

    let done = boss.post(&path, &format!("{body}&query=sort%3Dperson%26order%3Ddesc")).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let location = done.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&format!("{LIST}?")) && location.contains("sort=person") && location.contains("order=desc"));
    let (_, html) = boss.get(&location).await;
    assert!(html.contains("2 cases allocated"));
    assert!(html.contains("Test pat (2 open cases)"));
    for case in &cases[..2] {
        let id = case["id"].as_str().unwrap();
        let record = manager.get(&format!("/api/v1/cases/{id}")).await;
        assert_eq!(record.body["worker"], pat.as_str());
        assert!(history_kinds(&manager, case).await.contains(&"case-allocated".to_owned()));
    }
    assert!(!history_kinds(&manager, &cases[2]).await.contains(&"case-allocated".to_owned()));
}

#[tokio::test]
async fn a_role_that_cannot_allocate_sees_no_checkboxes_and_is_refused() {
    let server = spawn().await;
    let (manager, pat) = manager_and_worker(&server).await;
    let cases = open_cases(&manager, &["Adams"]).await;
    let id = cases[0]["id"].as_str().unwrap();
    manager.post(&format!("/api/v1/cases/{id}/allocation"), json!({ "version": 1, "worker": pat })).await;
    let worker = server.page_user("pat").await;
    let (_, html) = worker.get(LIST).await;
    assert!(html.contains("Sam Adams"));
    assert!(!html.contains("type=\"checkbox\"") && !html.contains("Allocate selected cases"));
    let before = server.counts().await;
    let refused = worker.post(&format!("{LIST}/allocation"), &format!("case={id}%402&allocate_to={pat}")).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(worker.get(&format!("/cases/{id}/allocation")).await.0, StatusCode::FORBIDDEN);
    let refused = worker.post(&format!("/cases/{id}/allocation"), &format!("worker={pat}&version=2")).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(server.counts().await, before);
}

#[tokio::test]
async fn the_allocation_page_shows_caseloads_and_allocates_one_case() {
    let server = spawn().await;
    let (manager, pat) = manager_and_worker(&server).await;
    let sam = server.make_user("sam", &["recovery:support-worker"], false).await.to_string();
    let cases = open_cases(&manager, &["Adams", "Brown", "Clark"]).await;
    for case in &cases[..2] {
        let id = case["id"].as_str().unwrap();
        manager.post(&format!("/api/v1/cases/{id}/allocation"), json!({ "version": 1, "worker": pat })).await;
    }
    let id = cases[2]["id"].as_str().unwrap();
    let path = format!("/cases/{id}/allocation");
    let boss = server.page_user("boss").await;
    let (status, html) = boss.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Test pat") && html.contains("2 open cases"), "{html}");
    assert!(html.contains("Test sam") && html.contains("0 open cases"));
    assert!(html.contains("<caption"));

    let before = server.counts().await;
    let empty = boss.post(&path, "version=1").await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.unwrap().contains("Choose who to allocate the case to"));
    let stale = boss.post(&path, &format!("worker={sam}&version=7")).await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert!(stale.text().await.unwrap().contains("changed by someone else"));
    let forged = boss.post_with(&path, &format!("worker={sam}&version=1"), &[("sec-fetch-site", "same-origin")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(server.counts().await, before);

    let done = boss.post(&path, &format!("worker={sam}&team=&version=1")).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(done.headers()["location"], format!("/cases/{id}"));
    let record = manager.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(record.body["worker"], sam.as_str());
    assert!(history_kinds(&manager, &cases[2]).await.contains(&"case-allocated".to_owned()));
    let (_, html) = boss.get(&path).await;
    assert!(html.contains("1 open case<"));
}
