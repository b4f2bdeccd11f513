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
