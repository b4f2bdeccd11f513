//! Signing in and out, the signed-in user, and their API tokens.

use super::views::{ApiTokenOut, MeOut, NewApiTokenOut};
use crate::extract::{CurrentActor, JsonBody, session_cookie, session_token_in};
use crate::problem::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use casework_app::App;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignedIn {
    pub user: String,
}

/// Signs in with a username and password and sets the session cookie. Repeated failures
/// for a username are refused for a while (429), whether or not the user exists.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", security(()),
    request_body = SignIn,
    responses((status = 200, body = SignedIn, description = "Signed in; the session cookie is set"),
              (status = 401, body = crate::problem::Problem), (status = 429, body = crate::problem::Problem)))]
pub async fn sign_in(State(app): State<App>, headers: HeaderMap, JsonBody(body): JsonBody<SignIn>) -> ApiResult<Response> {
    // A new session id at every sign-in: any session this browser had is ended first.
    if let Some(old) = session_token_in(&headers) {
        app.sign_out(&old).await?;
    }
    let session = app.sign_in(&body.username, &body.password).await?;
    let mut response = Json(SignedIn { user: session.user.to_string() }).into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(&session.token, None));
    Ok(response)
}

/// Signs out: the session ends on the server and the cookie is cleared.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204)))]
pub async fn sign_out(State(app): State<App>, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = session_token_in(&headers) {
        app.sign_out(&token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie("", Some(0)));
    Ok(response)
}

/// The signed-in user, their roles in each service and their teams.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", responses((status = 200, body = MeOut), (status = 401, body = crate::problem::Problem)))]
pub async fn me(CurrentActor(actor): CurrentActor) -> Json<MeOut> {
    Json(MeOut::from(&actor))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. "nightly export".
    pub name: String,
    /// When it stops working (RFC 3339); never if absent.
    pub expires_at: Option<String>,
}

/// The signed-in user's API tokens (never the tokens themselves).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "session", responses((status = 200, body = Vec<ApiTokenOut>)))]
pub async fn list_tokens(State(app): State<App>, CurrentActor(actor): CurrentActor) -> ApiResult<Json<Vec<ApiTokenOut>>> {
    Ok(Json(app.api_tokens(&actor).await?.into_iter().map(Into::into).collect()))
}

/// Makes an API token for the signed-in user. The token is shown once, in this answer.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "session", request_body = NewToken,
    responses((status = 201, body = NewApiTokenOut), (status = 422, body = crate::problem::Problem)))]
pub async fn create_token(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    JsonBody(body): JsonBody<NewToken>,
) -> ApiResult<(StatusCode, Json<NewApiTokenOut>)> {
    let expires_at = body
        .expires_at
        .as_deref()
        .map(|raw| {
            raw.parse::<jiff::Timestamp>()
                .map_err(|_| ApiError::field("expires_at", "must be an RFC 3339 instant such as 2027-01-31T17:00:00Z"))
        })
        .transpose()?;
    let token = app.create_api_token(&actor, &body.name, expires_at).await?;
    Ok((StatusCode::CREATED, Json(NewApiTokenOut { id: token.id, name: token.name, token: token.token })))
}

/// Revokes one of the signed-in user's API tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "session", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::problem::Problem)))]
pub async fn revoke_token(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app.revoke_api_token(&actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
