//! Signing in and out, and keeping a session alive from the time-out warning.

use super::*;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/session/keep-alive", post(keep_alive))
}

/// Keeps a session alive from the time-out warning: the request itself counts as activity.
async fn keep_alive(session: Result<Session, Response>) -> Response {
    match session {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => StatusCode::UNAUTHORIZED.into_response(),
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    signed_in: Option<SignedIn>,
    username: String,
    error: Option<String>,
}

async fn sign_in_page() -> Response {
    render(&SignInPage { signed_in: None, username: String::new(), error: None }, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
struct SignInForm {
    username: String,
    password: String,
}

async fn sign_in(State(app): State<App>, headers: HeaderMap, Form(form): Form<SignInForm>) -> Response {
    if let Some(old) = session_token_in(&headers) {
        let _ = app.sign_out(&old).await;
    }
    match app.sign_in(&form.username, &form.password).await {
        Ok(session) => {
            let mut response = Redirect::to("/").into_response();
            response.headers_mut().insert(header::SET_COOKIE, session_cookie(&session.token, None));
            response
        }
        Err(AppError::TooManyAttempts { minutes }) => {
            let error = format!("Too many failed attempts: wait {minutes} minutes and try again");
            render(&SignInPage { signed_in: None, username: form.username, error: Some(error) }, StatusCode::TOO_MANY_REQUESTS)
        }
        Err(AppError::Unauthenticated) => {
            let error = "Enter a correct username and password".to_owned();
            render(&SignInPage { signed_in: None, username: form.username, error: Some(error) }, StatusCode::UNAUTHORIZED)
        }
        Err(error) => problem(error, None),
    }
}

async fn sign_out(State(app): State<App>, headers: HeaderMap) -> Response {
    if let Some(token) = session_token_in(&headers) {
        let _ = app.sign_out(&token).await;
    }
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie("", Some(0)));
    response
}
