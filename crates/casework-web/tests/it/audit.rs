//! The access log for auditors: every view is there, with who, which case, what and when;
//! queried per case, per user and per person, only on the services the auditor audits.

use crate::harness::spawn;
use reqwest::StatusCode;

#[tokio::test]
async fn an_auditor_sees_who_viewed_which_case_per_case_user_and_person_in_their_services_only() {
    let server = spawn().await;
    let lead = server.user("lead", &["recovery:care-coordinator"]).await;
    let other = server.user("other", &["family-court:service-manager"]).await;
    let auditor = server.user("auditor", &["recovery:auditor"]).await;
    let court_auditor = server.user("court-auditor", &["family-court:auditor"]).await;
    let case = lead.open_case("recovery", "Watched").await;
    let (id, reference, person) =
        (case["id"].as_str().unwrap(), case["reference"].as_str().unwrap(), case["person"].as_str().unwrap());
    let court_case = other.open_case("family-court", "Elsewhere").await;
    lead.get(&format!("/api/v1/cases/{id}")).await;
    lead.get(&format!("/api/v1/cases/{id}/notes")).await;
    other.get(&format!("/api/v1/cases/{}", court_case["id"].as_str().unwrap())).await;

    let by_case = auditor.get(&format!("/api/v1/access-log?case={reference}")).await;
    assert_eq!(by_case.status, StatusCode::OK, "{by_case:?}");
    let items = by_case.body["items"].as_array().unwrap();
    let seen: Vec<(&str, &str)> = items.iter().map(|e| (e["username"].as_str().unwrap(), e["what"].as_str().unwrap())).collect();
    assert!(seen.starts_with(&[("lead", "notes"), ("lead", "case")]), "newest first, each view with what was read: {seen:?}");
    assert!(items.iter().all(|e| e["case_reference"] == reference));

    let by_user = auditor.get("/api/v1/access-log?user=lead").await;
    assert!(by_user.body["items"].as_array().unwrap().iter().all(|e| e["username"] == "lead"));
    let by_person = auditor.get(&format!("/api/v1/access-log?person={person}")).await;
    assert_eq!(by_person.body["items"].as_array().unwrap().len(), items.len());
    let everyone = auditor.get("/api/v1/access-log").await;
    assert!(
        everyone.body["items"].as_array().unwrap().iter().all(|e| e["case_reference"].as_str().unwrap().starts_with("DARS-")),
        "only the services the auditor audits"
    );
    let paged = auditor.get(&format!("/api/v1/access-log?case={reference}&limit=1")).await;
    let next = paged.body["next"].as_str().unwrap();
    let rest = auditor.get(&format!("/api/v1/access-log?case={reference}&limit=100&before={next}")).await;
    assert_eq!(rest.body["items"].as_array().unwrap().len(), items.len() - 1, "pages continue where they stopped");

    let elsewhere = court_auditor.get(&format!("/api/v1/access-log?case={reference}")).await;
    assert_eq!(elsewhere.body["items"].as_array().unwrap().len(), 0, "another service's auditor learns nothing of the case");
    assert_eq!(lead.get("/api/v1/access-log").await.status, StatusCode::FORBIDDEN, "a worker is not an auditor");
    assert_eq!(auditor.get("/api/v1/access-log?limit=0").await.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The page shows the same, and only to auditors.
    let page = server.page_user("auditor").await;
    let (_, home) = page.get("/").await;
    assert!(home.contains("href=\"/audit\""));
    let (status, html) = page.get(&format!("/audit?case={reference}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(reference) && html.contains(">lead<") && html.contains(">notes<"), "{html}");
    let worker = server.page_user("lead").await;
    assert_eq!(worker.get("/audit").await.0, StatusCode::FORBIDDEN);

    // Naming a linked case on a case page is not a view of the linked case.
    let linked = lead.open_case("recovery", "Sibling").await;
    let linked_reference = linked["reference"].as_str().unwrap();
    let version = lead.get(&format!("/api/v1/cases/{id}")).await.body["version"].clone();
    let link = lead
        .post(
            &format!("/api/v1/cases/{id}/links"),
            serde_json::json!({ "version": version, "kind": "related", "case": linked["id"] }),
        )
        .await;
    assert_eq!(link.status, StatusCode::OK, "{link:?}");
    let views_of_linked = || async {
        auditor.get(&format!("/api/v1/access-log?case={linked_reference}")).await.body["items"].as_array().unwrap().len()
    };
    let before = views_of_linked().await;
    let (_, html) = worker.get(&format!("/cases/{id}")).await;
    assert!(html.contains(linked_reference), "the link is named on the page");
    assert_eq!(views_of_linked().await, before, "and the linked case was not read");
}

/// A view is logged before it is served; when the log cannot be written, nothing of the
/// record leaves the server, on any route that shows it.
#[tokio::test]
async fn when_the_access_log_cannot_be_written_nothing_of_the_case_is_served() {
    let server = spawn().await;
    let lead = server.user("lead", &["recovery:care-coordinator"]).await;
    let case = lead.open_case("recovery", "Unlogged").await;
    let id = case["id"].as_str().unwrap();
    let note = lead
        .post(&format!("/api/v1/cases/{id}/notes"), serde_json::json!({ "kind": "contact", "body": "The allotment on Tuesday" }))
        .await;
    assert_eq!(note.status, StatusCode::CREATED);
    let pages = server.page_user("lead").await;

    server.refuse_access_log_writes().await;
    for path in ["", "/notes", "/tasks", "/history", "/deadlines", "/decisions"] {
        let answer = lead.get(&format!("/api/v1/cases/{id}{path}")).await;
        assert!(answer.status.is_server_error(), "{path}: {answer:?}");
        let body = answer.body.to_string();
        assert!(!body.contains("Unlogged") && !body.contains("allotment"), "{path} leaked: {body}");
    }
    for path in [
        format!("/cases/{id}"),
        format!("/cases/{id}/tasks"),
        format!("/cases/{id}/record"),
        format!("/cases/{id}/details"),
        format!("/cases/{id}/history"),
        format!("/cases/{id}/print"),
        "/work-lists/recovery/waiting-list?text=unlo".to_owned(),
    ] {
        let (status, html) = pages.get(&path).await;
        assert!(status.is_server_error(), "{path}: {status}");
        assert!(!html.contains("Unlogged") && !html.contains("allotment"), "{path} leaked");
    }

    server.allow_access_log_writes().await;
    let (status, html) = pages.get(&format!("/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Unlogged") && html.contains("allotment"));
}

/// A search by name or reference that turns up a case is logged as such; browsing a work
/// list is not a search.
#[tokio::test]
async fn a_search_that_returns_a_case_is_in_the_access_log() {
    let server = spawn().await;
    let lead = server.user("lead", &["recovery:care-coordinator"]).await;
    let auditor = server.user("auditor", &["recovery:auditor"]).await;
    let found = lead.open_case("recovery", "Findable").await;
    let missed = lead.open_case("recovery", "Elsewise").await;
    let pages = server.page_user("lead").await;
    let (status, html) = pages.get("/work-lists/recovery/waiting-list").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Findable") && html.contains("Elsewise"), "both are on the list");
    let log = auditor.get("/api/v1/access-log?user=lead").await;
    assert!(log.body["items"].as_array().unwrap().iter().all(|e| e["what"] != "search"), "browsing is not a search");

    let (_, html) = pages.get("/work-lists/recovery/waiting-list?text=findab").await;
    assert!(html.contains("Findable") && !html.contains("Elsewise"));
    let log = auditor.get("/api/v1/access-log?user=lead").await;
    let searches: Vec<&str> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["what"] == "search")
        .map(|e| e["case_reference"].as_str().unwrap())
        .collect();
    assert_eq!(searches, [found["reference"].as_str().unwrap()], "only the case the search returned");
    assert_ne!(found["reference"], missed["reference"]);
}
