//! The access log, for auditors.

use crate::extract::CurrentActor;
use crate::problem::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Query, State};
use casework_app::App;
use casework_app::audit::AccessLogQuery;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessLogParams {
    /// Only views of the case with this reference.
    pub case: Option<String>,
    /// Only views by this user (username).
    pub user: Option<String>,
    /// Only views of this person's cases (person id).
    pub person: Option<String>,
    /// Continue before this entry (the last id of the previous page).
    pub before: Option<String>,
    /// At most this many entries (1–500, default 100).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessEntryOut {
    pub id: String,
    pub at: String,
    pub user: String,
    pub username: String,
    pub case: String,
    pub case_reference: String,
    /// Which part of the record was read: case, notes, tasks, history…
    pub what: String,
    /// For a look at a restricted case by break-glass: the reason and the details given.
    pub why: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogOut {
    pub items: Vec<AccessEntryOut>,
    /// Pass as `before` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// Who looked at which case and when, newest first, on the cases of the services where the
/// caller holds `audit.read`.
#[utoipa::path(get, path = "/api/v1/access-log", tag = "audit", params(AccessLogParams),
    responses((status = 200, body = AccessLogOut), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn access_log(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<AccessLogParams>,
) -> ApiResult<Json<AccessLogOut>> {
    let limit = params.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::field("limit", "must be from 1 to 500"));
    }
    let person =
        params.person.as_deref().map(|p| p.parse().map_err(|_| ApiError::field("person", "is not a person id"))).transpose()?;
    let before =
        params.before.as_deref().map(|b| b.parse().map_err(|_| ApiError::field("before", "is not an entry id"))).transpose()?;
    let query = AccessLogQuery { case_reference: params.case, username: params.user, person, before, limit };
    let entries = app.access_log(&actor, &query).await?;
    let next = if i64::try_from(entries.len()).unwrap_or(0) == limit { entries.last().map(|e| e.id.to_string()) } else { None };
    Ok(Json(AccessLogOut {
        items: entries
            .into_iter()
            .map(|e| AccessEntryOut {
                id: e.id.to_string(),
                at: e.at.to_string(),
                user: e.user.to_string(),
                username: e.username,
                case: e.case.to_string(),
                case_reference: e.case_reference,
                what: e.what,
                why: e.why,
            })
            .collect(),
        next,
    }))
}
