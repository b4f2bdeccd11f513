//! Full-text search over the cases the caller may read.

use super::field_code;
use super::views::SearchResults;
use crate::extract::CurrentActor;
use crate::problem::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Query, State};
use casework_app::App;
use casework_domain::search::SearchQuery;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words, "quoted phrases" and prefixes (`allot*`, at least two letters before the
    /// star); every one must match. Anything else is read as plain words.
    #[param(required = true)]
    pub q: Option<String>,
    /// Only cases of this service.
    pub service: Option<String>,
    /// At most this many cases, 1 to 200 (25 when not given).
    pub limit: Option<u32>,
}

/// Finds the cases the caller may read whose notes (addenda included), form answers or
/// person's name hold every word searched for, best match first, each with a snippet of
/// the text that matched best. Every case returned is written to the access log ("search")
/// before the answer is sent.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, body = SearchResults), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn search(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<SearchParams>,
) -> ApiResult<Json<SearchResults>> {
    let query =
        SearchQuery::parse(params.q.as_deref().unwrap_or_default()).map_err(|e| ApiError::invalid(e.within("q").into()))?;
    let service = params.service.as_deref().map(|s| field_code(s, "service")).transpose()?;
    let hits = app.search(&actor, &query, service.as_ref(), casework_app::page_size(params.limit)).await?;
    Ok(Json(SearchResults { items: hits.into_iter().map(Into::into).collect() }))
}
