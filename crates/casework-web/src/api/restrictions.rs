//! Restricted and shielded cases and break-glass. Reading a restricted case one is not named
//! on answers 403 with the problem type `/problems/break-glass-possible` when one may open it
//! by break-glass, and 404 otherwise.

use super::views::instant;
use super::{field_code, path_id};
use crate::extract::{CurrentActor, JsonBody};
use crate::problem::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use casework_app::App;
use casework_domain::access::{Restriction, RestrictionLevel};
use casework_domain::case::Case;
use casework_domain::ids::{CaseId, UserId};
use casework_domain::{FieldError, Invalid};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A case's restriction and its access list.
#[derive(Debug, Serialize, ToSchema)]
pub struct RestrictionOut {
    /// none, restricted or shielded.
    pub restriction: String,
    /// Ids of the users named on the access list.
    pub users: Vec<String>,
    /// Codes of the service's roles named on the access list.
    pub roles: Vec<String>,
    /// The case's version, to send back with a change.
    pub version: i64,
}

impl From<Case> for RestrictionOut {
    fn from(case: Case) -> Self {
        RestrictionOut {
            restriction: case.restriction.level.name().into(),
            users: case.restriction.users.iter().map(ToString::to_string).collect(),
            roles: case.restriction.roles.iter().map(ToString::to_string).collect(),
            version: case.version,
        }
    }
}

/// A change of restriction: the whole new access list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestrictionIn {
    /// The case version this change is based on.
    pub version: i64,
    /// none, restricted or shielded.
    pub restriction: String,
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub roles: Vec<String>,
}

impl RestrictionIn {
    pub fn parse(&self) -> ApiResult<Restriction> {
        let mut invalid = Invalid::new();
        let level = RestrictionLevel::parse(&self.restriction);
        if level.is_none() {
            invalid.push(FieldError::new("restriction", "use none, restricted or shielded"));
        }
        let mut users = std::collections::BTreeSet::new();
        for (i, user) in self.users.iter().enumerate() {
            match user.parse::<UserId>() {
                Ok(user) => {
                    users.insert(user);
                }
                Err(_) => invalid.push(FieldError::new(format!("users/{i}"), "is not a valid id")),
            }
        }
        let mut roles = std::collections::BTreeSet::new();
        for (i, role) in self.roles.iter().enumerate() {
            match field_code(role, &format!("roles/{i}")) {
                Ok(role) => {
                    roles.insert(role);
                }
                Err(_) => invalid.push(FieldError::new(format!("roles/{i}"), "is not a role code")),
            }
        }
        invalid.into_result().map_err(ApiError::invalid)?;
        Ok(Restriction { level: level.unwrap_or_default(), users, roles })
    }
}

fn case_id(raw: &str) -> ApiResult<CaseId> {
    path_id(raw, "case")
}

/// The case's restriction and who is named on it, for anyone who may see the case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/restriction", tag = "cases", params(("id" = String, Path)),
    responses((status = 200, body = RestrictionOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn get_restriction(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<RestrictionOut>> {
    Ok(Json(app.case_restriction(&actor, case_id(&id)?).await?.into()))
}

/// Restricts, shields or lifts the case and sets its access list (`case.restrict`). Refused
/// with 422 when the caller, the case's worker or someone with an open task on it would no
/// longer see the case.
#[utoipa::path(put, path = "/api/v1/cases/{id}/restriction", tag = "cases", params(("id" = String, Path)), request_body = RestrictionIn,
    responses((status = 200, body = RestrictionOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn set_restriction(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<RestrictionIn>,
) -> ApiResult<Json<RestrictionOut>> {
    let restriction = body.parse()?;
    Ok(Json(app.restrict_case(&actor, case_id(&id)?, body.version, restriction).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakGlassIn {
    /// The code of one of the service's break-glass reasons.
    pub reason: String,
    /// Why the case must be opened now.
    pub details: String,
}

/// Break-glass access to a restricted case, until it expires.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakGlassOut {
    pub id: String,
    pub case: String,
    pub reason: String,
    pub details: String,
    pub granted_at: String,
    pub expires_at: String,
}

/// Opens a restricted case one is not named on (`case.break-glass`, with reach to the case),
/// for the hours the service allows. The case's worker and the service's managers are
/// alerted at once, and every access-log entry made under it records why. A shielded case,
/// or one the caller's reach does not cover, answers 404.
#[utoipa::path(post, path = "/api/v1/cases/{id}/break-glass", tag = "cases", params(("id" = String, Path)), request_body = BreakGlassIn,
    responses((status = 201, body = BreakGlassOut), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn break_glass(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<BreakGlassIn>,
) -> ApiResult<(StatusCode, Json<BreakGlassOut>)> {
    let grant = app.break_glass(&actor, case_id(&id)?, &body.reason, &body.details).await?;
    Ok((
        StatusCode::CREATED,
        Json(BreakGlassOut {
            id: grant.id.to_string(),
            case: grant.case.to_string(),
            reason: grant.reason.to_string(),
            details: grant.details,
            granted_at: instant(grant.granted_at),
            expires_at: instant(grant.expires_at),
        }),
    ))
}
