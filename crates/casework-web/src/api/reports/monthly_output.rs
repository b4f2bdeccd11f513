//! The monthly output report: the lines the service's definition names, each a figure of
//! another report, by month and over the period.

use super::{TimelinessParams, service_code, team_id};
use crate::extract::CurrentActor;
use crate::problem::ApiResult;
use axum::Json;
use axum::extract::{Path, Query, State};
use casework_app::App;
use casework_app::reports::MonthlyOutputView;
use casework_domain::monthly_output::OutputValue;
use serde::Serialize;
use utoipa::ToSchema;

/// A figure's value: a count, or a share in per cent (absent when there was nothing to take
/// a share of).
#[derive(Debug, Serialize, ToSchema)]
pub struct OutputValueOut {
    /// `count` or `percent`.
    pub kind: &'static str,
    pub value: Option<f64>,
}

impl From<OutputValue> for OutputValueOut {
    fn from(value: OutputValue) -> Self {
        match value {
            OutputValue::Count(n) => OutputValueOut { kind: "count", value: Some(f64::from(n)) },
            OutputValue::Percent(p) => OutputValueOut { kind: "percent", value: p },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthValueOut {
    /// `YYYY-MM`.
    pub month: String,
    #[serde(flatten)]
    pub value: OutputValueOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutputLineOut {
    pub name: String,
    /// Which report's figure the line shows, as the definition writes it (e.g.
    /// `{"of": "deadlines-within-target", "timer": "initial-assessment"}`).
    #[schema(value_type = Object)]
    pub figure: serde_json::Value,
    /// Every month of the period, in order.
    pub months: Vec<MonthValueOut>,
    /// Over the whole period: counts summed, shares taken over the period, and a level at a
    /// month's end (the waiting list) as at the last month's end.
    pub period: OutputValueOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthlyOutputOut {
    pub service: String,
    /// `YYYY-MM`.
    pub from: String,
    /// `YYYY-MM`.
    pub to: String,
    pub team: Option<String>,
    pub lines: Vec<OutputLineOut>,
}

impl From<MonthlyOutputView> for MonthlyOutputOut {
    fn from(view: MonthlyOutputView) -> Self {
        MonthlyOutputOut {
            service: view.service.to_string(),
            from: view.period.from.to_string(),
            to: view.period.to.to_string(),
            team: view.team.map(|t| t.to_string()),
            lines: view
                .rows
                .into_iter()
                .map(|row| OutputLineOut {
                    name: row.line.name.clone(),
                    figure: serde_json::to_value(&row.line.figure).unwrap_or_default(),
                    months: row
                        .months
                        .into_iter()
                        .map(|(month, value)| MonthValueOut { month: month.to_string(), value: value.into() })
                        .collect(),
                    period: row.period.into(),
                })
                .collect(),
        }
    }
}

/// The service's monthly output report: each line its definition names, by month and over
/// the period, counting only the cases the caller may see, exactly as the report each line
/// is taken from. Needs `reports.read` in the service.
#[utoipa::path(get, path = "/api/v1/services/{code}/reports/monthly-output", tag = "reports",
    params(("code" = String, Path, description = "The service's code"), TimelinessParams),
    responses((status = 200, body = MonthlyOutputOut), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn monthly_output(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    Query(params): Query<TimelinessParams>,
) -> ApiResult<Json<MonthlyOutputOut>> {
    let service = service_code(&code)?;
    let period = app.report_period(params.from.as_deref(), params.to.as_deref())?;
    let team = team_id(params.team.as_deref())?;
    Ok(Json(app.monthly_output_report(&actor, &service, period, team).await?.into()))
}
