//! The "Download CSV" and "Download spreadsheet (XLSX)" links of every report and work list
//! page: the same files as the JSON API's exports, with the page's filters and permissions.

use super::*;
use crate::api::exports::{ListExportParams, ReportExportParams, download};
use casework_app::downloads::Format;
use casework_domain::text::Code;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/services/{code}/reports/{report}/export", get(export_report))
        .route("/work-lists/{service}/{list}/export", get(export_work_list))
}

fn format(name: Option<&str>) -> Result<Format, AppError> {
    name.and_then(Format::parse).ok_or_else(|| casework_domain::FieldError::new("format", "must be csv or xlsx").into())
}

async fn export_report(
    State(app): State<App>,
    session: Session,
    Path((code, report)): Path<(String, String)>,
    axum::extract::Query(params): axum::extract::Query<ReportExportParams>,
) -> Response {
    let exported = async {
        let service = Code::parse(&code).map_err(|_| AppError::NotFound("service"))?;
        let format = format(params.format.as_deref())?;
        let period = app.report_period(params.from.as_deref(), params.to.as_deref())?;
        let team = match params.team.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(team) => Some(team.parse().map_err(|_| casework_domain::FieldError::new("team", "is not a team id"))?),
        };
        app.export_report(&session.actor, &service, &report, period, team, format).await
    };
    match exported.await {
        Ok(file) => download(file),
        Err(error) => problem(error, session.header.clone()),
    }
}

async fn export_work_list(
    State(app): State<App>,
    session: Session,
    Path((service, list)): Path<(String, String)>,
    axum::extract::Query(params): axum::extract::Query<ListExportParams>,
) -> Response {
    let exported = async {
        let service = Code::parse(&service).map_err(|_| AppError::NotFound("work list"))?;
        let list = Code::parse(&list).map_err(|_| AppError::NotFound("work list"))?;
        let format = format(params.format.as_deref())?;
        app.export_work_list(&session.actor, &service, &list, &params.request(), format).await
    };
    match exported.await {
        Ok(file) => download(file),
        Err(error) => problem(error, session.header.clone()),
    }
}
