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
    let cookie = session_cookie(signed_in.headers()).unwrap();
    let cookie_header = format!("__Host-casework_session={cookie}");
    let refused = form(&server, "/sign-out", "", &[("cookie", &cookie_header), ("origin", "https://evil.example")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let home = client.get(format!("{}/", server.base)).header("cookie", &cookie_header).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK, "the session survived the forged sign-out");
    assert_eq!(home.headers()["cache-control"], "no-store");
    assert!(home.text().await.unwrap().contains("Your work"));
    // Writing a note from a page: refused from another site, accepted from our own.
    let api = server.sign_in("jo").await;
    let case = api.open_case("recovery", "Paged").await;
    let case_id = case["id"].as_str().unwrap();
    let notes_before = server.count("notes").await;
    let forged = form(
        &server,
        &format!("/cases/{case_id}/notes"),
        "kind=contact&body=forged",
        &[("cookie", &cookie_header), ("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(server.count("notes").await, notes_before);
    let empty = form(
        &server,
        &format!("/cases/{case_id}/notes"),
        "kind=contact&body=+",
        &[("cookie", &cookie_header), ("sec-fetch-site", "same-origin")],
    )
    .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.unwrap().contains("govuk-error-summary"));
    let written = form(
        &server,
        &format!("/cases/{case_id}/notes"),
        "kind=phone&body=Called+the+wing",
        &[("cookie", &cookie_header), ("sec-fetch-site", "same-origin")],
    )
    .await;
    assert_eq!(written.status(), StatusCode::SEE_OTHER);
    assert_eq!(server.count("notes").await, notes_before + 1);
    let page = client.get(format!("{}/cases/{case_id}", server.base)).header("cookie", &cookie_header).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("Called the wing"));
    // What users write is shown as text, never run.
    let script = "<script>alert('x')</script>";
    api.post(&format!("/api/v1/cases/{case_id}/notes"), serde_json::json!({ "kind": "analysis", "body": script })).await;
    let page = client.get(format!("{}/cases/{case_id}", server.base)).header("cookie", &cookie_header).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(!html.contains(script), "the note is escaped");
    assert!(html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"), "and still shown");

    let alive = form(&server, "/session/keep-alive", "", &[("cookie", &cookie_header), ("sec-fetch-site", "same-origin")]).await;
    assert_eq!(alive.status(), StatusCode::NO_CONTENT);
    let forged = form(&server, "/session/keep-alive", "", &[("cookie", &cookie_header), ("sec-fetch-site", "cross-site")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(form(&server, "/session/keep-alive", "", &[]).await.status(), StatusCode::UNAUTHORIZED);

    let out = form(&server, "/sign-out", "", &[("cookie", &cookie_header), ("sec-fetch-site", "same-origin")]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = client.get(format!("{}/", server.base)).header("cookie", &cookie_header).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "signed out");
    assert_eq!(server.count("users").await, before);
}

#[tokio::test]
async fn referral_intake_from_a_page_is_refused_from_other_sites_and_for_roles_that_cannot_refer() {
    let server = spawn().await;
    server.make_user("tpd", &["deanery:training-programme-director"], false).await;
    server.make_user("worker", &["recovery:recovery-practitioner"], false).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let cookie = |username: &'static str| {
        let server = &server;
        async move {
            let body = format!("username={username}&password={}", PASSWORD.replace(' ', "+"));
            let answer = form(server, "/sign-in", &body, &[("sec-fetch-site", "same-origin")]).await;
            format!("__Host-casework_session={}", session_cookie(answer.headers()).unwrap())
        }
    };
    let tpd = cookie("tpd").await;
    let body =
        "service=deanery&person.given_name=Ann&person.family_name=Lee&source=form&summary=Concern&form.form-1.summary=Incident";
    let before = server.counts().await;
    let forged = form(&server, "/referrals", body, &[("cookie", &tpd), ("origin", "https://evil.example")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(server.counts().await, before);
    let recorded = form(&server, "/referrals", body, &[("cookie", &tpd), ("sec-fetch-site", "same-origin")]).await;
    assert_eq!(recorded.status(), StatusCode::SEE_OTHER);
    assert_eq!(server.count("referrals").await, 1);
    assert_eq!(server.count("people").await, 1);
    let location = recorded.headers()["location"].to_str().unwrap().to_owned();
    let page = client.get(format!("{}{location}", server.base)).header("cookie", &tpd).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("It still needs Form 2"));
    let worker = cookie("worker").await;
    let hidden = client.get(format!("{}{location}", server.base)).header("cookie", &worker).send().await.unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND, "another service's referral is not there for them");
    let refused =
        client.get(format!("{}/referrals/new?service=deanery", server.base)).header("cookie", &worker).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let bad = form(
        &server,
        "/referrals",
        "service=deanery&person.given_name=&person.family_name=Lee&source=form&summary=",
        &[("cookie", &tpd), ("sec-fetch-site", "same-origin")],
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    assert!(html.contains("href=\"#person-given_name\"") && html.contains("href=\"#summary\""), "each error links to its field");
    assert_eq!(server.count("referrals").await, 1, "nothing written for a bad form");
}
