//! The pages: server-rendered HTML from askama templates that emit the GOV.UK and MoJ
//! design-system markup. Every page works without JavaScript. Signed-in pages are never
//! cached; every response carries a Content-Security-Policy without inline code.

mod admin;
mod allocation;
mod audit;
mod case_actions;
mod case_summary;
mod cases;
mod documents;
mod exports;
mod home;
mod meetings;
mod referrals;
mod reports;
pub use reports::report_slugs;
mod restrictions;
mod retention;
mod schema_form;
mod search;
mod session;
mod sharing;
mod subject_access;
mod subject_forms;
mod work_lists;

use crate::extract::{from_our_pages, session_cookie, session_token_in};
use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use casework_app::{App, AppError};
use casework_domain::access::{Actor, Permission};
use casework_domain::ids::CaseId;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const CSS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/casework.css"));
const GOVUK_JS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/govuk-frontend.min.js"));
const INIT_JS: &[u8] = include_bytes!("../../assets/init.js");
const START_JS: &[u8] = include_bytes!("../../assets/start.js");
const TIMEOUT_JS: &[u8] = include_bytes!("../../assets/timeout.js");

pub fn routes() -> axum::Router<App> {
    axum::Router::new()
        .merge(session::routes())
        .merge(home::routes())
        .merge(cases::routes())
        .merge(case_summary::routes())
        .merge(work_lists::routes())
        .merge(referrals::routes())
        .merge(meetings::routes())
        .merge(admin::routes())
        .merge(audit::routes())
        .merge(subject_forms::routes())
        .merge(allocation::routes())
        .merge(retention::routes())
        .merge(subject_access::routes())
        .merge(search::routes())
        .merge(reports::routes())
        .merge(exports::routes())
        .route("/assets/casework.css", get(|| async { asset("text/css", CSS) }))
        .route("/assets/govuk-frontend.min.js", get(|| async { asset("text/javascript", GOVUK_JS) }))
        .route("/assets/init.js", get(|| async { asset("text/javascript", INIT_JS) }))
        .route("/assets/start.js", get(|| async { asset("text/javascript", START_JS) }))
        .route("/assets/timeout.js", get(|| async { asset("text/javascript", TIMEOUT_JS) }))
        .route_layer(middleware::from_fn(csrf_guard))
}

fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

/// Security headers for every page.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Who the page is for, as the header shows it, and the token its forms carry.
#[derive(Debug, Clone)]
struct SignedIn {
    name: String,
    administrator: bool,
    /// May read some cases, and so search them.
    searcher: bool,
    csrf: String,
}

/// A signed-in user on a page: the actor for the use cases and the header for the layout.
/// Without a live session the page answers with a redirect to the sign-in page.
struct Session {
    actor: Actor,
    header: Option<SignedIn>,
}

impl FromRequestParts<App> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let Some(token) = session_token_in(&parts.headers) else { return Err(Redirect::to("/sign-in").into_response()) };
        match app.session_actor(&token).await {
            Ok(Some(actor)) => {
                let header = SignedIn {
                    name: actor.username.clone(),
                    administrator: actor.administrator,
                    searcher: !actor.case_filter(Permission::CaseRead).is_empty(),
                    csrf: csrf_token(&token),
                };
                Ok(Session { actor, header: Some(header) })
            }
            Ok(None) => Err(Redirect::to("/sign-in").into_response()),
            Err(error) => Err(problem(error, None)),
        }
    }
}

/// The token every form of a session carries: derived from the session's secret, so another
/// site can neither read nor guess it, and it ends with the session.
fn csrf_token(session: &str) -> String {
    let digest = Sha256::new().chain_update(b"casework form token\0").chain_update(session.as_bytes()).finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a form may come from: every request that could change something must come from
/// our own pages (the browser says so) and, once signed in, carry the session's form token
/// (a hidden `csrf` field, or the `x-csrf-token` header for scripts). Anything else is
/// refused before a handler runs, so nothing is written.
async fn csrf_guard(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    if !from_our_pages(request.headers()) {
        return refused("This form came from another site");
    }
    let Some(session) = session_token_in(request.headers()) else { return next.run(request).await };
    if request.uri().path() == "/sign-in" || request.uri().path().starts_with("/forms/") {
        // Signing in starts a new session whatever cookie came with the form, and the form
        // behind a link is keyed by the link alone: neither uses the session.
        return next.run(request).await;
    }
    let expected = csrf_token(&session);
    if let Some(sent) = request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return if bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) {
            next.run(request).await
        } else {
            refused("The form token is missing or out of date")
        };
    }
    if let Some(boundary) = multipart_boundary(request.headers()) {
        return guard_multipart(request, &boundary, &expected, next).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else { return refused("The form is too large") };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let sent = fields.iter().find(|(name, _)| name == "csrf").map(|(_, value)| value.as_str()).unwrap_or_default();
    if !bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) {
        return refused("The form token is missing or out of date");
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await
}

const FORM_LIMIT: usize = 1024 * 1024;

/// How far into a multipart form its first part, the form token, must have ended.
const MULTIPART_TOKEN_LIMIT: usize = 8 * 1024;

fn multipart_boundary(headers: &HeaderMap) -> Option<String> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (name, value) = p.trim().split_once('=')?;
        name.trim().eq_ignore_ascii_case("boundary").then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// A multipart form (a file upload) must carry the form token as its first part, so it is
/// checked from the first few kilobytes without holding the file: the part is read, checked,
/// and put back in front of the rest of the body, which streams on to the handler.
async fn guard_multipart(request: Request, boundary: &str, expected: &str, next: Next) -> Response {
    use futures_util::StreamExt;
    let (parts, body) = request.into_parts();
    let mut stream = body.into_data_stream();
    let mut head = bytes::BytesMut::new();
    let sent = loop {
        if let Some(token) = first_part_token(&head, boundary) {
            break token;
        }
        if head.len() > MULTIPART_TOKEN_LIMIT {
            return refused("The form token is missing or out of date");
        }
        match stream.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            _ => return refused("The form token is missing or out of date"),
        }
    };
    if !bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) {
        return refused("The form token is missing or out of date");
    }
    let head = head.freeze();
    let body = axum::body::Body::from_stream(futures_util::stream::once(async move { Ok(head) }).chain(stream));
    next.run(Request::from_parts(parts, body)).await
}

/// The value of the first part of a multipart body when that part is the `csrf` field and
/// has ended within `head`: `Some("")` (never matching) when the first part is anything else.
fn first_part_token(head: &[u8], boundary: &str) -> Option<String> {
    let opening = format!("--{boundary}\r\n");
    let closing = format!("\r\n--{boundary}");
    if head.len() < opening.len() {
        return None;
    }
    let Some(rest) = head.strip_prefix(opening.as_bytes()) else { return Some(String::new()) };
    let headers_end = rest.windows(4).position(|w| w == b"\r\n\r\n")?;
    let headers = String::from_utf8_lossy(&rest[..headers_end]).to_ascii_lowercase();
    let value = &rest[headers_end + 4..];
    let end = value.windows(closing.len()).position(|w| w == closing.as_bytes())?;
    let is_token = headers
        .lines()
        .any(|line| line.starts_with("content-disposition:") && line.contains("name=\"csrf\"") && !line.contains("filename"));
    Some(if is_token { String::from_utf8_lossy(&value[..end]).into_owned() } else { String::new() })
}

fn refused(detail: &'static str) -> Response {
    render(&ProblemPage { signed_in: None, title: "This form was refused", detail }, StatusCode::FORBIDDEN)
}

fn render(template: &impl Template, status: StatusCode) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "page did not render");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "problem.html")]
struct ProblemPage<'a> {
    signed_in: Option<SignedIn>,
    title: &'a str,
    detail: &'a str,
}

fn problem(error: AppError, signed_in: Option<SignedIn>) -> Response {
    let (status, title, detail) = match &error {
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "Page not found", "There is nothing here, or you may not see it."),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "You cannot do this", "Your role does not allow it."),
        AppError::BreakGlassPossible => {
            (StatusCode::FORBIDDEN, "This case is restricted", "Open the case itself to ask for break-glass access.")
        }
        AppError::Store(store) if store.is_unavailable() => {
            tracing::warn!(%error, "the database is not answering");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The database is not answering",
                "Please wait a moment, then look at the case to see whether your change was saved before sending it again.",
            )
        }
        AppError::Store(_) | AppError::Internal(_) => {
            tracing::error!(%error, "page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "Nothing was changed. Please try again.")
        }
        _ => (StatusCode::BAD_REQUEST, "That did not work", "Please go back and try again."),
    };
    render(&ProblemPage { signed_in, title, detail }, status)
}

/// Messages from the use cases start in lower case to read well after a field name; on a
/// page each stands alone.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

fn uk_time(at: jiff::Timestamp) -> String {
    at.to_zoned(casework_domain::time::service_zone()).strftime("%-d %B %Y %H:%M").to_string()
}
