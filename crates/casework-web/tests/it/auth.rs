//! Signing in, sessions, tokens, throttling, CSRF and deny-by-default.

use crate::harness::{PASSWORD, session_cookie, spawn};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn sign_in_sets_a_host_only_secure_cookie_and_me_answers() {
    let server = spawn().await;
    server.make_user("ada", &["recovery:administrator"], false).await;
    let answer = server.anonymous().post("/api/v1/session", json!({ "username": "Ada", "password": PASSWORD })).await;
    assert_eq!(answer.status, StatusCode::OK);
    let cookie = answer.headers.get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-casework_session="), "{cookie}");
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    let client = server.sign_in("ada").await;
    let me = client.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["username"], "ada");
    assert_eq!(me.body["memberships"][0]["service"], "recovery");
    assert_eq!(me.body["memberships"][0]["reach"], "service");
}

#[tokio::test]
async fn unknown_disabled_and_wrong_password_get_the_same_answer() {
    let server = spawn().await;
    let admin = server.admin("boss").await;
    let gone = server.make_user("gone", &[], false).await;
    server.make_user("real", &[], false).await;
    assert_eq!(admin.post(&format!("/api/v1/users/{gone}/disable"), json!({})).await.status, StatusCode::OK);
    let anonymous = server.anonymous();
    let mut answers = Vec::new();
    for (username, password) in [("nobody", PASSWORD), ("gone", PASSWORD), ("real", "not the right password")] {
        let answer = anonymous.post("/api/v1/session", json!({ "username": username, "password": password })).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert!(session_cookie(&answer.headers).is_none());
        answers.push((answer.body["title"].clone(), answer.body["detail"].clone()));
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
}

#[tokio::test]
async fn repeated_failures_are_throttled_even_for_the_right_password() {
    let server = spawn().await;
    server.make_user("target", &[], false).await;
    let anonymous = server.anonymous();
    for _ in 0..5 {
        let answer = anonymous.post("/api/v1/session", json!({ "username": "target", "password": "guess guess guess" })).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let blocked = anonymous.post("/api/v1/session", json!({ "username": "target", "password": PASSWORD })).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.headers.get("retry-after").is_some());
    // Unknown names are throttled the same way, so throttling does not reveal who exists.
    for _ in 0..5 {
        anonymous.post("/api/v1/session", json!({ "username": "ghost", "password": "guess guess guess" })).await;
    }
    assert_eq!(
        anonymous.post("/api/v1/session", json!({ "username": "ghost", "password": "x" })).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    server.advance(jiff::SignedDuration::from_mins(16));
    assert_eq!(
        anonymous.post("/api/v1/session", json!({ "username": "target", "password": PASSWORD })).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_session_changes_at_sign_in_and_ends_at_sign_out() {
    let server = spawn().await;
    let first = server.user("sam", &["recovery:administrator"]).await;
    let second = server.sign_in("sam").await;
    assert_ne!(format!("{:?}", first.credentials), format!("{:?}", second.credentials));
    // Signing in again from the first browser ends its old session.
    let again = first.post("/api/v1/session", json!({ "username": "sam", "password": PASSWORD })).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(first.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(second.get("/api/v1/me").await.status, StatusCode::OK);
    let out = second.delete("/api/v1/session").await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(second.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sessions_end_after_idle_and_absolute_time_outs() {
    let server = spawn().await;
    let idle = server.user("idle", &[]).await;
    server.advance(jiff::SignedDuration::from_mins(29));
    assert_eq!(idle.get("/api/v1/me").await.status, StatusCode::OK);
    server.advance(jiff::SignedDuration::from_mins(29));
    assert_eq!(idle.get("/api/v1/me").await.status, StatusCode::OK, "activity keeps the session alive");
    let _other_browser = server.sign_in("idle").await;
    server.advance(jiff::SignedDuration::from_mins(31));
    assert_eq!(server.app.purge_expired_sessions().await.unwrap(), 2, "both idle sessions are removed");
    assert_eq!(idle.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);

    let busy = server.sign_in("idle").await;
    for _ in 0..26 {
        server.advance(jiff::SignedDuration::from_mins(28));
        let _ = busy.get("/api/v1/me").await;
    }
    assert_eq!(busy.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED, "12 hours is the limit however busy");
}

#[tokio::test]
async fn api_tokens_authenticate_until_revoked() {
    let server = spawn().await;
    let user = server.user("robot", &["recovery:administrator"]).await;
    let made = user.post("/api/v1/me/tokens", json!({ "name": "nightly export" })).await;
    assert_eq!(made.status, StatusCode::CREATED);
    let token = made.body["token"].as_str().unwrap().to_owned();
    let bot = user.with_token(&token);
    assert_eq!(bot.get("/api/v1/me").await.body["username"], "robot");
    let listed = user.get("/api/v1/me/tokens").await;
    assert!(listed.body.to_string().find(&token).is_none(), "the token itself is never shown again");
    let id = made.body["id"].as_str().unwrap();
    assert_eq!(user.delete(&format!("/api/v1/me/tokens/{id}")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(bot.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(user.with_token("cw_made_up").get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_cookie_request_from_another_site_is_refused_and_changes_nothing() {
    let server = spawn().await;
    let user = server.user("victim", &["recovery:administrator"]).await;
    let before = server.counts().await;
    let body =
        json!({ "service": "recovery", "source": "staff", "summary": "x", "person": { "given_name": "A", "family_name": "B" } });
    for headers in
        [[("origin", "https://evil.example")].as_slice(), &[("sec-fetch-site", "cross-site")], &[("sec-fetch-site", "same-site")]]
    {
        let answer = user.request(Method::POST, "/api/v1/cases", Some(body.clone()), headers).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{headers:?}");
    }
    assert_eq!(server.counts().await, before);
    let host = server.base.trim_start_matches("http://").to_owned();
    let origin = format!("http://{host}");
    let same = user
        .request(Method::POST, "/api/v1/cases", Some(body), &[("origin", origin.as_str()), ("sec-fetch-site", "same-origin")])
        .await;
    assert_eq!(same.status, StatusCode::CREATED);
}

/// Deny by default: every route in the API document refuses an anonymous caller, except
/// signing in itself.
#[tokio::test]
async fn every_route_refuses_anonymous_callers() {
    let server = spawn().await;
    let spec = casework_web::openapi();
    let anonymous = server.anonymous();
    let id = "0190c7e0-0000-7000-8000-000000000000";
    let mut checked = 0;
    for (path, item) in &spec.paths.paths {
        let concrete = path.replace("{id}", id).replace("{note}", id).replace("{task}", id).replace("{flag}", "urgent");
        for (method, operation) in [(Method::GET, &item.get), (Method::POST, &item.post), (Method::DELETE, &item.delete)] {
            if operation.is_none() || (path == "/api/v1/session" && method != Method::DELETE) {
                continue;
            }
            let answer = anonymous.request(method.clone(), &concrete, Some(json!({})), &[]).await;
            if path == "/api/v1/session" {
                assert_eq!(answer.status, StatusCode::NO_CONTENT, "signing out is always allowed");
            } else {
                assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method} {path}: {answer:?}");
                assert_eq!(answer.headers["content-type"], "application/problem+json");
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} routes checked");
}

#[tokio::test]
async fn problems_carry_the_request_id_and_health_checks_answer() {
    let server = spawn().await;
    let answer = server.anonymous().get("/api/v1/cases").await;
    let header = answer.headers["x-request-id"].to_str().unwrap().to_owned();
    assert!(!header.is_empty());
    assert_eq!(answer.body["request_id"], header);
    assert_eq!(server.anonymous().get("/healthz").await.status, StatusCode::OK);
    assert_eq!(server.anonymous().get("/readyz").await.status, StatusCode::OK);
    assert_eq!(server.anonymous().get("/no/such/page").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_administrators_manage_users_and_that_gives_no_case_access() {
    let server = spawn().await;
    let admin = server.admin("root").await;
    let worker = server.user("worker", &["recovery:administrator"]).await;
    let case = worker.open_case("recovery", "Hidden").await;
    let made = admin.post("/api/v1/users", json!({ "username": "newbie", "display_name": "New Bie", "password": "short" })).await;
    assert_eq!(made.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(made.fields(), ["password"]);
    let made =
        admin.post("/api/v1/users", json!({ "username": "newbie", "display_name": "New Bie", "password": PASSWORD })).await;
    assert_eq!(made.status, StatusCode::CREATED);
    let again = admin.post("/api/v1/users", json!({ "username": "NEWBIE", "display_name": "Other", "password": PASSWORD })).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(worker.get("/api/v1/users").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        worker.post("/api/v1/users", json!({ "username": "x1", "display_name": "X", "password": PASSWORD })).await.status,
        StatusCode::FORBIDDEN
    );
    let id = case["id"].as_str().unwrap();
    assert_eq!(admin.get(&format!("/api/v1/cases/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(admin.get("/api/v1/cases").await.body["items"], json!([]));
    let users = admin.get("/api/v1/users?limit=2").await;
    assert_eq!(users.body["items"].as_array().unwrap().len(), 2);
    assert!(users.body["next_cursor"].is_string());
}

#[tokio::test]
async fn common_guessable_or_self_named_passwords_are_refused_and_nothing_is_written() {
    let server = spawn().await;
    let admin = server.admin("root").await;
    let before = server.counts().await;
    for weak in ["password1234", "qwertyuiop123", "123456789012", "kim.okafor.2026"] {
        let made = admin
            .post("/api/v1/users", json!({ "username": "kim.okafor", "display_name": "Kim Okafor", "password": weak }))
            .await;
        assert_eq!(made.status, StatusCode::UNPROCESSABLE_ENTITY, "{weak}");
        assert_eq!(made.fields(), ["password"], "{weak}");
        assert!(made.body.to_string().contains("hard to guess"), "{weak}: {}", made.body);
    }
    assert_eq!(server.counts().await, before);

    let id = server.make_user("kim.okafor", &[], false).await;
    for weak in ["iloveyou2026", "kim.okafor.2026"] {
        let reset = admin.post(&format!("/api/v1/users/{id}/password"), json!({ "password": weak })).await;
        assert_eq!(reset.status, StatusCode::UNPROCESSABLE_ENTITY, "{weak}");
        assert_eq!(reset.fields(), ["password"]);
    }
    let reset = admin.post(&format!("/api/v1/users/{id}/password"), json!({ "password": "ferry lantern orchard quietly" })).await;
    assert!(reset.status.is_success(), "{reset:?}");
}

/// Disabling a user or taking a role away counts from their very next request, whatever
/// cookie or token they still hold.
#[tokio::test]
async fn disabling_a_user_or_revoking_a_role_takes_effect_on_the_next_request() {
    let server = spawn().await;
    let admin = server.admin("root").await;
    let worker = server.user("worker", &["recovery:service-manager"]).await;
    let case = worker.open_case("recovery", "Revoked").await;
    let case_path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
    let token = worker.post("/api/v1/me/tokens", json!({ "name": "laptop" })).await.body["token"].as_str().unwrap().to_owned();
    let robot = worker.with_token(&token);
    let pages = server.page_user("worker").await;
    assert_eq!(worker.get(&case_path).await.status, StatusCode::OK);
    assert_eq!(robot.get(&case_path).await.status, StatusCode::OK);
    assert_eq!(pages.get("/").await.0, StatusCode::OK);

    let worker_id = worker.get("/api/v1/me").await.body["id"].as_str().unwrap().to_owned();
    server.make_user("root.pages", &[], true).await;
    let admin_pages = server.page_user("root.pages").await;
    let revoked = admin_pages.post(&format!("/admin/users/{worker_id}/roles/revoke"), "role=recovery%3Aservice-manager").await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert_eq!(worker.get(&case_path).await.status, StatusCode::NOT_FOUND, "the role is gone at once");
    assert_eq!(robot.get(&case_path).await.status, StatusCode::NOT_FOUND);

    assert_eq!(admin.post(&format!("/api/v1/users/{worker_id}/disable"), json!({})).await.status, StatusCode::OK);
    assert_eq!(worker.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED, "the old cookie no longer works");
    assert_eq!(robot.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED, "nor the token");
    let (status, _) = pages.get("/").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the page session is over: back to sign in");
    // Enabling the account again does not bring old sessions back to life.
    assert_eq!(admin.post(&format!("/api/v1/users/{worker_id}/enable"), json!({})).await.status, StatusCode::OK);
    assert_eq!(worker.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
}

/// Every answer, page or API, success or error, carries the same protective headers.
#[tokio::test]
async fn security_headers_are_on_every_kind_of_answer() {
    let server = spawn().await;
    let user = server.user("reader", &["recovery:service-manager"]).await;
    let pages = server.page_user("reader").await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut answers = Vec::new();
    for path in ["/sign-in", "/no/such/page", "/api/v1/cases"] {
        answers.push((path.to_owned(), http.get(format!("{}{path}", server.base)).send().await.unwrap().headers().clone()));
    }
    answers.push(("/api/v1/me (signed in)".into(), user.get("/api/v1/me").await.headers));
    let home = http.get(format!("{}/", server.base)).header("cookie", &pages.cookie).send().await.unwrap();
    answers.push(("/ (signed in)".into(), home.headers().clone()));
    for (path, headers) in answers {
        let csp = headers.get("content-security-policy").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        for directive in ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert!(headers["strict-transport-security"].to_str().unwrap().contains("max-age=31536000"), "{path}");
        assert_eq!(headers["cache-control"], "no-store", "{path}: personal data is never cached");
    }
}
