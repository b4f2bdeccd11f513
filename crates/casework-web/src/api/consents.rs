//! Consent to share on a case, and its withdrawal.

use super::path_id;
use crate::extract::{CurrentActor, IdempotencyKey, JsonBody};
use crate::problem::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use casework_app::App;
use casework_domain::consent::{Consent, ConsentInput};
use casework_domain::ids::{CaseId, ConsentId};
use casework_domain::text::ShortText;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentIn {
    /// consent, or assent (a child's, beside a carer's consent). Consent if absent.
    pub kind: Option<String>,
    /// Who agreed: the person themselves or a carer, by name.
    pub given_by: String,
    /// Who they are to the person the case is about: self, mother, guardian…
    pub relationship: String,
    /// What may be shared.
    pub scope: String,
    /// Who it may be shared with.
    pub with_whom: String,
    /// written or verbal.
    pub how: String,
    /// The day it was given (YYYY-MM-DD).
    pub given_on: String,
    /// The last day it holds, if given for a time (YYYY-MM-DD).
    pub until: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WithdrawalOut {
    pub at: String,
    pub by: String,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentOut {
    pub id: String,
    pub case: String,
    pub kind: String,
    pub given_by: String,
    pub relationship: String,
    pub scope: String,
    pub with_whom: String,
    pub how: String,
    pub given_on: String,
    pub until: Option<String>,
    pub withdrawn: Option<WithdrawalOut>,
    pub recorded_by: String,
    pub recorded_at: String,
}

fn name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

impl From<Consent> for ConsentOut {
    fn from(c: Consent) -> Self {
        ConsentOut {
            id: c.id.to_string(),
            case: c.case.to_string(),
            kind: name(&c.kind),
            given_by: c.given_by.to_string(),
            relationship: c.relationship.to_string(),
            scope: c.scope.to_string(),
            with_whom: c.with_whom.to_string(),
            how: name(&c.how),
            given_on: c.given_on.to_string(),
            until: c.until.map(|d| d.to_string()),
            withdrawn: c.withdrawn.map(|w| WithdrawalOut {
                at: w.at.to_string(),
                by: w.by.to_string(),
                reason: w.reason.to_string(),
            }),
            recorded_by: c.recorded_by.to_string(),
            recorded_at: c.recorded_at.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentsOut {
    /// not recorded, given, withdrawn or expired: where consent stands today.
    pub status: String,
    pub items: Vec<ConsentOut>,
}

/// Records consent (or a child's assent) to share.
#[utoipa::path(post, path = "/api/v1/cases/{id}/consents", tag = "consent", params(("id" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key returns the same consent")),
    request_body = ConsentIn,
    responses((status = 201, body = ConsentOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn record_consent(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    key: IdempotencyKey,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ConsentIn>,
) -> ApiResult<(StatusCode, Json<ConsentOut>)> {
    let case: CaseId = path_id(&id, "case")?;
    let idempotency = key.with(&body);
    let input = ConsentInput {
        kind: body.kind,
        given_by: body.given_by,
        relationship: body.relationship,
        scope: body.scope,
        with_whom: body.with_whom,
        how: Some(body.how),
        given_on: body.given_on,
        until: body.until,
    };
    let consent = app.record_consent(&actor, case, &input, idempotency.as_ref()).await?;
    Ok((StatusCode::CREATED, Json(consent.into())))
}

/// The case's consents, oldest first, with where they stand today. Reading them is logged.
#[utoipa::path(get, path = "/api/v1/cases/{id}/consents", tag = "consent", params(("id" = String, Path)),
    responses((status = 200, body = ConsentsOut), (status = 404, body = crate::problem::Problem)))]
pub async fn list_consents(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<ConsentsOut>> {
    let case: CaseId = path_id(&id, "case")?;
    let (items, status) = app.case_consents(&actor, case).await?;
    Ok(Json(ConsentsOut { status: status.to_string(), items: items.into_iter().map(Into::into).collect() }))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalIn {
    pub reason: String,
}

/// Withdraws a consent: it stops holding at once; the record of it stays.
#[utoipa::path(post, path = "/api/v1/cases/{id}/consents/{consent}/withdrawal", tag = "consent",
    params(("id" = String, Path), ("consent" = String, Path)), request_body = WithdrawalIn,
    responses((status = 200, body = ConsentOut), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn withdraw_consent(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((id, consent)): Path<(String, String)>,
    JsonBody(body): JsonBody<WithdrawalIn>,
) -> ApiResult<Json<ConsentOut>> {
    let case: CaseId = path_id(&id, "case")?;
    let consent: ConsentId = path_id(&consent, "consent")?;
    let reason = ShortText::parse(&body.reason).map_err(|e| ApiError::invalid(e.within("reason").into()))?;
    Ok(Json(app.withdraw_consent(&actor, case, consent, reason).await?.into()))
}
