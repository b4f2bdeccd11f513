//! Subject access requests: recorded per service, worked like a case, answered with a
//! bundle of everything the service holds about the person. All of it needs `person.export`
//! across the request's service.

use super::{field_code, path_id};
use crate::extract::{CurrentActor, IdempotencyKey, JsonBody};
use crate::problem::ApiResult;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use casework_app::App;
use casework_app::subject_access::SubjectAccessView;
use casework_domain::ids::SubjectAccessId;
use casework_domain::subject_access::{Status, SubjectAccessInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectAccessIn {
    /// The id of the person the request is about (a recorded person).
    pub person: String,
    /// Who asked on the person's behalf and on what authority; leave out when they asked
    /// themselves.
    pub representative: Option<String>,
    /// The day the request was received (YYYY-MM-DD).
    pub received_on: String,
    /// The day the person's identity was confirmed, if it already has been.
    pub identity_confirmed_on: Option<String>,
    /// Whether they asked who has looked at their records.
    #[serde(default)]
    pub include_access_log: bool,
    /// What they asked for, in their words.
    pub details: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectAccessIdentityIn {
    /// The version of the request this is based on.
    pub version: i64,
    /// The day identity was confirmed (YYYY-MM-DD).
    pub confirmed_on: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectAccessReasonIn {
    pub version: i64,
    pub reason: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectAccessResponseIn {
    pub version: i64,
    /// The day the response was sent (YYYY-MM-DD).
    pub sent_on: String,
    /// The SHA-256 of the bundle sent; the latest bundle when left out.
    pub bundle_sha256: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectAccessPersonOut {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectAccessExtensionOut {
    pub reason: String,
    pub on: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectAccessResponseOut {
    pub sent_on: String,
    pub bundle_sha256: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectAccessRefusalOut {
    pub reason: String,
    pub on: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectAccessExportOut {
    pub sha256: String,
    pub cases: u32,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectAccessOut {
    pub id: String,
    /// `SAR-<service prefix>-<year>-<number>`.
    pub reference: String,
    pub service: String,
    pub person: SubjectAccessPersonOut,
    /// Who asked on the person's behalf; absent when they asked themselves.
    pub representative: Option<String>,
    pub received_on: String,
    pub identity_confirmed_on: Option<String>,
    pub include_access_log: bool,
    pub details: Option<String>,
    /// awaiting-identity, open, completed or refused.
    pub status: String,
    /// The day the clock started: absent until identity is confirmed.
    pub clock_started_on: Option<String>,
    /// The day the response is due: absent until identity is confirmed.
    pub due_on: Option<String>,
    /// The time left in words ("due in 12 days", "overdue by 3 days", "met").
    pub time_left: Option<String>,
    pub overdue: bool,
    pub extension: Option<SubjectAccessExtensionOut>,
    pub response: Option<SubjectAccessResponseOut>,
    pub refusal: Option<SubjectAccessRefusalOut>,
    /// Every bundle made for the request, oldest first.
    pub exports: Vec<SubjectAccessExportOut>,
    pub recorded_by: String,
    pub recorded_at: String,
    /// Name it in every change, to be told if someone else changed the request meanwhile.
    pub version: i64,
}

impl From<SubjectAccessView> for SubjectAccessOut {
    fn from(view: SubjectAccessView) -> Self {
        let r = view.request;
        let (response, refusal) = match &r.status {
            Status::Completed { sent_on, bundle_sha256 } => {
                (Some(SubjectAccessResponseOut { sent_on: sent_on.to_string(), bundle_sha256: bundle_sha256.clone() }), None)
            }
            Status::Refused { reason, on } => {
                (None, Some(SubjectAccessRefusalOut { reason: reason.to_string(), on: on.to_string() }))
            }
            Status::AwaitingIdentity | Status::Open => (None, None),
        };
        SubjectAccessOut {
            id: r.id.to_string(),
            reference: r.reference.clone(),
            service: r.service.to_string(),
            person: SubjectAccessPersonOut { id: r.person.to_string(), name: view.person_name },
            representative: r.representative.as_ref().map(ToString::to_string),
            received_on: r.received_on.to_string(),
            identity_confirmed_on: r.identity_confirmed_on.map(|d| d.to_string()),
            include_access_log: r.include_access_log,
            details: r.details.as_ref().map(ToString::to_string),
            status: r.status.name().to_owned(),
            clock_started_on: r.clock_started_on().map(|d| d.to_string()),
            due_on: view.due_on.map(|d| d.to_string()),
            time_left: view.left.map(|l| l.to_string()),
            overdue: view.left.is_some_and(|l| l.is_overdue()),
            extension: r
                .extension
                .as_ref()
                .map(|e| SubjectAccessExtensionOut { reason: e.reason.to_string(), on: e.on.to_string() }),
            response,
            refusal,
            exports: r
                .exports
                .iter()
                .map(|e| SubjectAccessExportOut {
                    sha256: e.sha256.clone(),
                    cases: e.cases,
                    by: e.by.to_string(),
                    at: e.at.to_string(),
                })
                .collect(),
            recorded_by: r.recorded_by.to_string(),
            recorded_at: r.recorded_at.to_string(),
            version: r.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectAccessListOut {
    pub items: Vec<SubjectAccessOut>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubjectAccessQuery {
    /// Also list completed and refused requests (newest first, after the open ones).
    #[serde(default)]
    pub include_closed: bool,
}

/// The service's subject access requests still being worked, soonest due first (those
/// awaiting identity last); with `include_closed`, the completed and refused ones after them.
#[utoipa::path(get, path = "/api/v1/services/{code}/subject-access-requests", tag = "subject access",
    params(("code" = String, Path), SubjectAccessQuery),
    responses((status = 200, body = SubjectAccessListOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn list_requests(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    Query(query): Query<SubjectAccessQuery>,
) -> ApiResult<Json<SubjectAccessListOut>> {
    let service = field_code(&code, "service")?;
    let views = app.subject_access_requests(&actor, &service, query.include_closed).await?;
    Ok(Json(SubjectAccessListOut { items: views.into_iter().map(Into::into).collect() }))
}

/// Records a subject access request to the service. The deadline runs from the day received,
/// or from the day identity is confirmed if that is later: one calendar month, moved to the
/// next working day.
#[utoipa::path(post, path = "/api/v1/services/{code}/subject-access-requests", tag = "subject access",
    params(("code" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key returns the same request")),
    request_body = SubjectAccessIn,
    responses((status = 201, body = SubjectAccessOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn record_request(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    key: IdempotencyKey,
    JsonBody(body): JsonBody<SubjectAccessIn>,
) -> ApiResult<(StatusCode, Json<SubjectAccessOut>)> {
    let service = field_code(&code, "service")?;
    let input = SubjectAccessInput {
        representative: body.representative.clone(),
        received_on: body.received_on.clone(),
        identity_confirmed_on: body.identity_confirmed_on.clone(),
        include_access_log: body.include_access_log,
        details: body.details.clone(),
    };
    let view = app.record_subject_access(&actor, &service, &body.person, &input, key.with(&body).as_ref()).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

fn request_id(raw: &str) -> ApiResult<SubjectAccessId> {
    path_id(raw, "subject access request")
}

#[utoipa::path(get, path = "/api/v1/subject-access-requests/{id}", tag = "subject access", params(("id" = String, Path)),
    responses((status = 200, body = SubjectAccessOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn get_request(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<SubjectAccessOut>> {
    Ok(Json(app.subject_access(&actor, request_id(&id)?).await?.into()))
}

/// Records the day the person's identity was confirmed: the clock starts then, if that is
/// after the day the request was received.
#[utoipa::path(post, path = "/api/v1/subject-access-requests/{id}/identity", tag = "subject access",
    params(("id" = String, Path)), request_body = SubjectAccessIdentityIn,
    responses((status = 200, body = SubjectAccessOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn confirm_identity(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SubjectAccessIdentityIn>,
) -> ApiResult<Json<SubjectAccessOut>> {
    Ok(Json(app.confirm_subject_identity(&actor, request_id(&id)?, body.version, &body.confirmed_on).await?.into()))
}

/// Extends the deadline by two further months (three from the start of the clock), once,
/// with a reason, and only before it has passed.
#[utoipa::path(post, path = "/api/v1/subject-access-requests/{id}/extension", tag = "subject access",
    params(("id" = String, Path)), request_body = SubjectAccessReasonIn,
    responses((status = 200, body = SubjectAccessOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn extend(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SubjectAccessReasonIn>,
) -> ApiResult<Json<SubjectAccessOut>> {
    Ok(Json(app.extend_subject_access(&actor, request_id(&id)?, body.version, &body.reason).await?.into()))
}

/// A subject access bundle: a zip holding index.html and subject-access.json (the request,
/// the contents and what was withheld, by why, with counts) and, for every case of the
/// person in the service, cases/<reference>/case.html, case.json and the documents that may
/// leave the service; with the access log of those cases when it was asked for.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct SubjectAccessBundle(pub Vec<u8>);

/// Makes the bundle answering the request and returns it. Each case included is in the
/// access log, and the bundle's SHA-256 in the request's history, before it is sent; if
/// either cannot be written, nothing is. Refused (409) before identity is confirmed and
/// once the request is completed or refused.
#[utoipa::path(post, path = "/api/v1/subject-access-requests/{id}/export", tag = "subject access",
    params(("id" = String, Path)),
    responses((status = 200, description = "The bundle, logged", content_type = "application/zip", body = SubjectAccessBundle),
        (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 409, body = crate::problem::Problem)))]
pub async fn export(State(app): State<App>, CurrentActor(actor): CurrentActor, Path(id): Path<String>) -> ApiResult<Response> {
    let file = app.export_subject_access(&actor, request_id(&id)?).await?;
    Ok(super::disclosures::download(file))
}

/// Records that the response was sent, on a day, as the bundle with the SHA-256 given (the
/// latest when left out). Only after a bundle has been exported.
#[utoipa::path(post, path = "/api/v1/subject-access-requests/{id}/response", tag = "subject access",
    params(("id" = String, Path)), request_body = SubjectAccessResponseIn,
    responses((status = 200, body = SubjectAccessOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn record_response(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SubjectAccessResponseIn>,
) -> ApiResult<Json<SubjectAccessOut>> {
    let view = app
        .record_subject_access_response(&actor, request_id(&id)?, body.version, &body.sent_on, body.bundle_sha256.as_deref())
        .await?;
    Ok(Json(view.into()))
}

/// Refuses the request with a reason (for instance, manifestly unfounded or excessive).
#[utoipa::path(post, path = "/api/v1/subject-access-requests/{id}/refusal", tag = "subject access",
    params(("id" = String, Path)), request_body = SubjectAccessReasonIn,
    responses((status = 200, body = SubjectAccessOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn refuse(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SubjectAccessReasonIn>,
) -> ApiResult<Json<SubjectAccessOut>> {
    Ok(Json(app.refuse_subject_access(&actor, request_id(&id)?, body.version, &body.reason).await?.into()))
}
