//! Reports and work lists as CSV or XLSX files (`?format=csv` or `?format=xlsx`), with the
//! same filters and permissions as the report or list itself, and the log of exports for
//! auditors. The pages offer the same files at the same paths without `/api/v1`.

use super::reports::{service_code, team_id};
use crate::extract::CurrentActor;
use crate::problem::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use casework_app::App;
use casework_app::downloads::{Download, Format};
use casework_app::work_lists::ListRequest;
use casework_domain::text::Code;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The format asked for.
pub(crate) fn format(name: Option<&str>) -> ApiResult<Format> {
    name.and_then(Format::parse).ok_or_else(|| ApiError::field("format", "must be csv or xlsx"))
}

/// A file as an attachment under its own name, never sniffed or cached.
pub(crate) fn download(file: Download) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", file.filename);
    let mut response = file.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(file.content_type));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportExportParams {
    /// `csv` or `xlsx`.
    pub format: Option<String>,
    /// The first month, `YYYY-MM`, as for the report.
    pub from: Option<String>,
    /// The last month, `YYYY-MM`, as for the report.
    pub to: Option<String>,
    /// Only the cases of this team (a team id of the service).
    pub team: Option<String>,
}

/// One report of a service as a file: every table of the report (as its page shows them),
/// counting only the cases the caller may see. A CSV file holds them one after another, each
/// under a row with its title and with a blank line between (a report of one table is just
/// that table); a workbook holds one worksheet per table. UTF-8 with a byte order mark; text
/// that a spreadsheet would read as a formula is prefixed with `'`. Needs `reports.read` in
/// the service; every export is recorded in the export log.
#[utoipa::path(get, path = "/api/v1/services/{code}/reports/{report}/export", tag = "reports",
    params(("code" = String, Path, description = "The service's code"),
        ("report" = String, Path, description = "The report, e.g. `timeliness`"), ReportExportParams),
    responses((status = 200, description = "The report as an attachment", content((String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn export_report(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((code, report)): Path<(String, String)>,
    Query(params): Query<ReportExportParams>,
) -> ApiResult<Response> {
    let service = service_code(&code)?;
    let format = format(params.format.as_deref())?;
    let period = app.report_period(params.from.as_deref(), params.to.as_deref())?;
    let team = team_id(params.team.as_deref())?;
    Ok(download(app.export_report(&actor, &service, &report, period, team, format).await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListExportParams {
    /// `csv` or `xlsx`.
    pub format: Option<String>,
    /// Only cases at this stage (one of the list's stages).
    pub stage: Option<String>,
    /// Only cases at this level (one of the list's levels).
    pub level: Option<String>,
    /// Only cases with this flag.
    pub flag: Option<String>,
    /// Only the cases of this worker (a user id), or `none` for those not allocated.
    pub worker: Option<String>,
    /// Only cases whose reference or family name starts with this.
    pub text: Option<String>,
    /// One of `reference`, `person`, `stage`, `level`, `opened`, `worker` (newest first when not given).
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub order: Option<String>,
}

impl ListExportParams {
    pub(crate) fn request(&self) -> ListRequest {
        ListRequest {
            stage: self.stage.clone(),
            level: self.level.clone(),
            flag: self.flag.clone(),
            worker: self.worker.clone(),
            text: self.text.clone(),
            sort: self.sort.clone(),
            order: self.order.clone(),
            page: None,
            per_page: None,
        }
    }
}

/// A work list as a file: every case of it the caller may see (not one page), narrowed by
/// the same filters as the list's page and in the same order, at most 100,000 cases. One
/// table; CSV is UTF-8 with a byte order mark, and text that a spreadsheet would read as a
/// formula is prefixed with `'`. Every export is recorded in the export log.
#[utoipa::path(get, path = "/api/v1/work-lists/{service}/{list}/export", tag = "cases",
    params(("service" = String, Path), ("list" = String, Path), ListExportParams),
    responses((status = 200, description = "The list as an attachment", content((String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn export_work_list(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((service, list)): Path<(String, String)>,
    Query(params): Query<ListExportParams>,
) -> ApiResult<Response> {
    let not_found = |_| ApiError::not_found("work list");
    let service = Code::parse(&service).map_err(not_found)?;
    let list = Code::parse(&list).map_err(not_found)?;
    let format = format(params.format.as_deref())?;
    Ok(download(app.export_work_list(&actor, &service, &list, &params.request(), format).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportLogParams {
    /// Continue before this entry (the last id of the previous page).
    pub before: Option<String>,
    /// At most this many entries (1–500, default 100).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportEntryOut {
    pub id: String,
    pub at: String,
    pub user: String,
    pub username: String,
    pub service: String,
    /// Which report or work list, e.g. `report timeliness`, `work list unallocated`.
    pub what: String,
    /// The filters it was asked with, `name=value` pairs joined by `&`.
    pub filters: String,
    /// `csv` or `xlsx`.
    pub format: String,
    /// How many data rows the file held, over all its tables.
    pub rows: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportLogOut {
    pub items: Vec<ExportEntryOut>,
    /// Pass as `before` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// Who exported which report or work list, when, with which filters, newest first, from
/// the services where the caller holds `audit.read`.
#[utoipa::path(get, path = "/api/v1/export-log", tag = "audit", params(ExportLogParams),
    responses((status = 200, body = ExportLogOut), (status = 403, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn export_log(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Query(params): Query<ExportLogParams>,
) -> ApiResult<Json<ExportLogOut>> {
    let limit = params.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::field("limit", "must be from 1 to 500"));
    }
    let before =
        params.before.as_deref().map(|b| b.parse().map_err(|_| ApiError::field("before", "is not an entry id"))).transpose()?;
    let entries = app.export_log(&actor, before, limit).await?;
    let next = if i64::try_from(entries.len()).unwrap_or(0) == limit { entries.last().map(|e| e.id.to_string()) } else { None };
    Ok(Json(ExportLogOut {
        items: entries
            .into_iter()
            .map(|e| ExportEntryOut {
                id: e.id.to_string(),
                at: e.record.at.to_string(),
                user: e.record.user.to_string(),
                username: e.username,
                service: e.record.service.to_string(),
                what: e.record.what,
                filters: e.record.filters,
                format: e.record.format,
                rows: e.record.rows,
            })
            .collect(),
        next,
    }))
}
