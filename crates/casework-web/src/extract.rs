//! Request extractors: the signed-in actor (with the CSRF check for cookie sessions), JSON
//! bodies whose errors name the field, and the idempotency key.

use crate::problem::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{Method, StatusCode, header, request::Parts};
use casework_app::{App, Idempotency};
use casework_domain::access::Actor;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// The session cookie. `__Host-` makes browsers insist on Secure, Path=/ and no Domain, so
/// no other site or sub-domain can set or read it.
pub const SESSION_COOKIE: &str = "__Host-casework_session";

/// The value of the session cookie in the request, if any.
pub fn session_token(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// Did this request come from our own pages? Browsers say where a request comes from
/// (`Sec-Fetch-Site`, `Origin`); a request from another site is refused whenever it would
/// change something with the user's cookie. Clients that are not browsers send neither
/// header and cannot be tricked into sending a victim's cookie.
pub fn from_our_pages(headers: &axum::http::HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match (headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()), headers.get(header::HOST).and_then(|v| v.to_str().ok())) {
        (Some(origin), Some(host)) => origin.split_once("://").is_some_and(|(_, rest)| rest == host),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// A safe method changes nothing, so it may come from anywhere.
fn same_origin(parts: &Parts) -> bool {
    matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) || from_our_pages(&parts.headers)
}

/// The session cookie to set (or, with a max age of 0, to clear).
pub fn session_cookie(value: &str, max_age: Option<i64>) -> axum::http::HeaderValue {
    let age = max_age.map(|s| format!("; Max-Age={s}")).unwrap_or_default();
    axum::http::HeaderValue::from_str(&format!("{SESSION_COOKIE}={value}; Path=/; Secure; HttpOnly; SameSite=Strict{age}"))
        .unwrap_or_else(|_| axum::http::HeaderValue::from_static(""))
}

/// The session cookie's value among a request's headers.
pub fn session_token_in(headers: &axum::http::HeaderMap) -> Option<String> {
    let mut parts = axum::http::Request::new(()).into_parts().0;
    parts.headers = headers.clone();
    session_token(&parts)
}

/// The signed-in user. Endpoints that take it refuse anonymous requests with 401.
#[derive(Debug, Clone)]
pub struct CurrentActor(pub Actor);

impl FromRequestParts<App> for CurrentActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let actor = if let Some(token) = bearer {
            app.token_actor(token).await?
        } else if let Some(token) = session_token(parts) {
            if !same_origin(parts) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "Cross-site request refused",
                    "this request did not come from Casework's own pages",
                ));
            }
            app.session_actor(&token).await?
        } else {
            None
        };
        actor.map(CurrentActor).ok_or_else(ApiError::unauthenticated)
    }
}

/// The client's `Idempotency-Key` header, if it sent one.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match parts.headers.get("idempotency-key") {
            None => Ok(IdempotencyKey(None)),
            Some(value) => match value.to_str() {
                Ok(key) if (1..=200).contains(&key.len()) => Ok(IdempotencyKey(Some(format!("{} {}", parts.uri.path(), key)))),
                _ => Err(ApiError::field("Idempotency-Key", "must be 1 to 200 visible characters")),
            },
        }
    }
}

impl IdempotencyKey {
    /// Ties the key to the request body it came with.
    pub fn with<T: Serialize>(&self, body: &T) -> Option<Idempotency> {
        let key = self.0.clone()?;
        let digest = Sha256::digest(serde_json::to_vec(body).unwrap_or_default());
        Some(Idempotency { key, fingerprint: digest.iter().map(|b| format!("{b:02x}")).collect() })
    }
}

/// A JSON body. Errors name the field at fault, like validation errors do.
#[derive(Debug, Clone)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
                "send the body as application/json",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request too large", "the body is larger than 1 MiB"))?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(&mut deserializer) {
            Ok(value) => Ok(JsonBody(value)),
            Err(error) => {
                let path = error.path().to_string();
                let field = if path == "." { String::new() } else { path.replace('[', ".").replace(']', "").replace('.', "/") };
                Err(ApiError::field(field, error.into_inner().to_string()))
            }
        }
    }
}
