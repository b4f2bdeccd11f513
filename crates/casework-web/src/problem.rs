//! Errors as `application/problem+json` (RFC 9457). Every problem names the request id,
//! which is also in the log, so a user's report can be matched to what happened. Internal
//! details go to the log only.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use casework_app::AppError;
use casework_domain::{FieldError, Invalid};
use serde::Serialize;
use utoipa::ToSchema;

tokio::task_local! {
    /// The id of the request being handled, for problem bodies.
    pub static REQUEST_ID: String;
}

/// One field at fault.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// Path of the field in the request, e.g. `person/date_of_birth`.
    pub field: String,
    pub message: String,
}

/// A problem report.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    pub request_id: String,
}

/// The problem type of a restricted case the caller may open by break-glass (`POST
/// /api/v1/cases/{id}/break-glass`), so a client can offer to.
pub const BREAK_GLASS_POSSIBLE: &str = "/problems/break-glass-possible";

/// An error on its way to becoming a problem response.
#[derive(Debug)]
pub struct ApiError {
    kind: &'static str,
    status: StatusCode,
    title: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    retry_after: Option<i64>,
}

impl ApiError {
    pub fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Self {
        ApiError { kind: "about:blank", status, title, detail: detail.into(), errors: Vec::new(), retry_after: None }
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "Not found", format!("{what} not found"))
    }

    pub fn unauthenticated() -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "Not signed in", "sign in, or send an API token as 'Authorization: Bearer …'")
    }

    pub fn invalid(invalid: Invalid) -> Self {
        let detail = if invalid.errors.len() == 1 {
            "1 field is not valid".to_owned()
        } else {
            format!("{} fields are not valid", invalid.errors.len())
        };
        ApiError { errors: invalid.errors, ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "Invalid request", detail) }
    }

    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::invalid(Invalid::one(field, message))
    }

    /// The same problem, naming the field at fault.
    pub fn with_field(mut self, field: impl Into<String>, message: impl Into<String>) -> Self {
        self.errors.push(FieldError::new(field, message));
        self
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::NotFound(what) => ApiError::not_found(what),
            AppError::Forbidden(what) => {
                ApiError::new(StatusCode::FORBIDDEN, "Forbidden", format!("you do not have permission to {what}"))
            }
            AppError::BreakGlassPossible => ApiError {
                kind: BREAK_GLASS_POSSIBLE,
                ..ApiError::new(StatusCode::FORBIDDEN, "Restricted case", error.to_string())
            },
            AppError::Unauthenticated => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "Not signed in",
                "the username or password is not right, or the account is disabled",
            ),
            AppError::TooManyAttempts { minutes } => ApiError {
                retry_after: Some(minutes * 60),
                ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Too many attempts", error.to_string())
            },
            AppError::Invalid(invalid) => ApiError::invalid(invalid),
            AppError::Conflict(detail) => ApiError::new(StatusCode::CONFLICT, "Conflict", detail),
            AppError::Store(ref store) if store.is_unavailable() => {
                tracing::warn!(error = %error, "the database is not answering");
                ApiError {
                    retry_after: Some(5),
                    ..ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "The database is not answering",
                        "try again in a moment; a change sent again with the same Idempotency-Key is made only once",
                    )
                }
            }
            AppError::Store(_) | AppError::Internal(_) => {
                tracing::error!(error = %error, "request failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "the request was not completed and nothing was changed; please try again",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = REQUEST_ID.try_with(Clone::clone).unwrap_or_default();
        let problem = Problem {
            kind: self.kind.into(),
            title: self.title.into(),
            status: self.status.as_u16(),
            detail: self.detail,
            errors: self.errors.into_iter().map(|e| FieldProblem { field: e.field, message: e.message }).collect(),
            request_id,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
