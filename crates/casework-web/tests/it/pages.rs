//! The pages over plain HTTP: sign-in required, forms refused from other sites, headers.

use crate::harness::{PASSWORD, session_cookie, spawn};
use reqwest::{Method, StatusCode};

async fn form(server: &crate::harness::TestServer, path: &str, body: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut request = client
        .request(Method::POST, format!("{}{path}", server.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn pages_need_a_session_and_forms_from_other_sites_are_refused() {
    let server = spawn().await;
    server.make_user("jo", &["recovery:administrator"], false).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let home = client.get(format!("{}/", server.base)).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::SEE_OTHER);
    assert_eq!(home.headers()["location"], "/sign-in");
    let sign_in = client.get(format!("{}/sign-in", server.base)).send().await.unwrap();
    for (name, value) in [("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer"), ("x-frame-options", "DENY")]
    {
        assert_eq!(sign_in.headers()[name], value);
    }
    assert!(!sign_in.headers()["content-security-policy"].to_str().unwrap().contains("unsafe-inline"));
    assert!(sign_in.headers()["strict-transport-security"].to_str().unwrap().starts_with("max-age="));

    let body = format!("username=jo&password={}", PASSWORD.replace(' ', "+"));
    let before = server.count("users").await;
    for headers in [[("origin", "https://evil.example")].as_slice(), &[("sec-fetch-site", "cross-site")]] {
        let refused = form(&server, "/sign-in", &body, headers).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert!(session_cookie(refused.headers()).is_none());
    }
    let signed_in = form(&server, "/sign-in", &body, &[("sec-fetch-site", "same-origin")]).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert!(session_cookie(signed_in.headers()).is_some());
    let jo = server.page_user("jo").await;
    let refused = jo.post_with("/sign-out", &format!("csrf={}", jo.csrf), &[("origin", "https://evil.example")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let refused = jo.post_with("/sign-out", "", &[("sec-fetch-site", "same-origin")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "no form token");
    let home = client.get(format!("{}/", server.base)).header("cookie", &jo.cookie).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK, "the session survived the forged sign-out");
    assert_eq!(home.headers()["cache-control"], "no-store");
    assert!(home.text().await.unwrap().contains("Your work"));
    // Writing a note from a page.
    let api = server.sign_in("jo").await;
    let case = api.open_case("recovery", "Paged").await;
    let case_id = case["id"].as_str().unwrap();
    let notes_before = server.count("notes").await;
    let empty = jo.post(&format!("/cases/{case_id}/notes"), "kind=contact&body=+").await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.unwrap().contains("govuk-error-summary"));
    let written = jo.post(&format!("/cases/{case_id}/notes"), "kind=phone&body=Called+the+wing").await;
    assert_eq!(written.status(), StatusCode::SEE_OTHER);
    assert_eq!(server.count("notes").await, notes_before + 1);
    let (_, html) = jo.get(&format!("/cases/{case_id}")).await;
    assert!(html.contains("Called the wing"));
    // What users write is shown as text, never run.
    let script = "<script>alert('x')</script>";
    api.post(&format!("/api/v1/cases/{case_id}/notes"), serde_json::json!({ "kind": "analysis", "body": script })).await;
    let (_, html) = jo.get(&format!("/cases/{case_id}")).await;
    assert!(!html.contains(script), "the note is escaped");
    assert!(html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"), "and still shown");

    let alive = jo.post_with("/session/keep-alive", "", &[("sec-fetch-site", "same-origin"), ("x-csrf-token", &jo.csrf)]).await;
    assert_eq!(alive.status(), StatusCode::NO_CONTENT);
    let forged = jo.post_with("/session/keep-alive", "", &[("sec-fetch-site", "same-origin"), ("x-csrf-token", "guess")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(form(&server, "/session/keep-alive", "", &[]).await.status(), StatusCode::UNAUTHORIZED);

    let out = jo.post("/sign-out", "").await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = client.get(format!("{}/", server.base)).header("cookie", &jo.cookie).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "signed out");
    assert_eq!(server.count("users").await, before);
}

#[tokio::test]
async fn referral_intake_from_a_page_is_refused_from_other_sites_and_for_roles_that_cannot_refer() {
    let server = spawn().await;
    server.make_user("tpd", &["deanery:training-programme-director"], false).await;
    server.make_user("worker", &["recovery:recovery-practitioner"], false).await;
    let tpd = server.page_user("tpd").await;
    let body =
        "service=deanery&person.given_name=Ann&person.family_name=Lee&source=form&summary=Concern&form.form-1.summary=Incident";
    let before = server.counts().await;
    let forged = tpd.post_with("/referrals", body, &[("origin", "https://evil.example")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(server.counts().await, before);
    let recorded = tpd.post("/referrals", body).await;
    assert_eq!(recorded.status(), StatusCode::SEE_OTHER);
    assert_eq!(server.count("referrals").await, 1);
    assert_eq!(server.count("people").await, 1);
    let location = recorded.headers()["location"].to_str().unwrap().to_owned();
    let (status, page) = tpd.get(&location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("It still needs Form 2"));
    let worker = server.page_user("worker").await;
    assert_eq!(worker.get(&location).await.0, StatusCode::NOT_FOUND, "another service's referral is not there for them");
    assert_eq!(worker.get("/referrals/new?service=deanery").await.0, StatusCode::FORBIDDEN);
    let bad = tpd.post("/referrals", "service=deanery&person.given_name=&person.family_name=Lee&source=form&summary=").await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    assert!(html.contains("href=\"#person-given_name\"") && html.contains("href=\"#summary\""), "each error links to its field");
    assert_eq!(server.count("referrals").await, 1, "nothing written for a bad form");
}

#[tokio::test]
async fn the_home_page_lists_my_tasks_soonest_first_with_overdue_marked_and_each_cases_next_deadline() {
    let server = spawn().await;
    server.make_user("lead", &["recovery:care-coordinator"], false).await;
    let worker = server.user("sw", &["recovery:support-worker"]).await;
    let lead = server.sign_in("lead").await;
    let mine = lead.open_case("recovery", "Mine").await;
    let theirs = lead.open_case("recovery", "Theirs").await;
    let (mine, theirs) = (mine["id"].as_str().unwrap(), theirs["id"].as_str().unwrap());
    let allocated =
        lead.post(&format!("/api/v1/cases/{mine}/allocation"), serde_json::json!({ "version": 1, "worker": worker.id() })).await;
    assert!(allocated.status.is_success(), "{allocated:?}");
    let task = |case: &str, title: &str, assignee: serde_json::Value, due: &str| {
        let (lead, case, title, due) = (&lead, case.to_owned(), title.to_owned(), due.to_owned());
        async move {
            let body = if due.is_empty() {
                serde_json::json!({ "title": title, "assignee": assignee })
            } else {
                serde_json::json!({ "title": title, "assignee": assignee, "due_on": due })
            };
            let answer = lead.post(&format!("/api/v1/cases/{case}/tasks"), body).await;
            assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
        }
    };
    task(mine, "Undated follow-up", serde_json::json!({ "type": "user", "id": worker.id() }), "").await;
    task(mine, "Book the induction", serde_json::json!({ "type": "role", "id": "support-worker" }), "2026-03-20").await;
    task(mine, "Call the wing", serde_json::json!({ "type": "user", "id": worker.id() }), "2026-03-09").await;
    task(theirs, "Hidden from the worker", serde_json::json!({ "type": "role", "id": "support-worker" }), "2026-03-01").await;

    let page = server.page_user("sw").await;
    let (status, home) = page.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("My tasks (3, 1 overdue)"), "{home}");
    let order: Vec<usize> =
        ["Call the wing", "Book the induction", "Undated follow-up"].iter().map(|t| home.find(t).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "soonest due first, undated last");
    assert!(home.contains("overdue since 9 March 2026"));
    assert!(!home.contains("Hidden from the worker"), "a task on a case the worker may not see is not listed");
    assert!(home.contains("cw-deadline--"), "the caseload shows the case's next deadline: {home}");
}
