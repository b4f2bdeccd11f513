//! The waiting list of a service, and the cases on it now or at the end of a month.

use super::{ExclusionOut, exclusions, service_code, team_id};
use crate::extract::CurrentActor;
use crate::problem::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use casework_app::App;
use casework_app::reports::{WaitingCase, WaitingQuery, WaitingView};
use casework_domain::timeliness::Month;
use casework_domain::waiting::Figures;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaitingParams {
    /// The first month, `YYYY-MM` (the three months up to this one when neither is given).
    pub from: Option<String>,
    /// The last month, `YYYY-MM`; at most 24 months after `from`.
    pub to: Option<String>,
    /// Only the cases of this team (a team id of the service).
    pub team: Option<String>,
}

/// One month's movement on the waiting list.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingMonthOut {
    /// `YYYY-MM`.
    pub month: String,
    /// Cases waiting at the end of the month (now, for the month under way).
    pub size_at_end: u32,
    /// Cases that joined the list in the month.
    pub joined: u32,
    /// Cases that left it in the month (moved on, or closed).
    pub left: u32,
}

/// The waiting list as it stands now.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingNowOut {
    pub size: u32,
    /// The median wait so far, in whole days; absent when nobody is waiting.
    pub median_days: Option<f64>,
    /// The longest wait so far, in whole days; absent when nobody is waiting.
    pub longest_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingFiguresOut {
    /// Every month of the period, in order.
    pub months: Vec<WaitingMonthOut>,
    pub now: WaitingNowOut,
}

impl From<&Figures> for WaitingFiguresOut {
    fn from(figures: &Figures) -> Self {
        WaitingFiguresOut {
            months: figures
                .months
                .iter()
                .map(|(month, flow)| WaitingMonthOut {
                    month: month.to_string(),
                    size_at_end: flow.size_at_end,
                    joined: flow.joined,
                    left: flow.left,
                })
                .collect(),
            now: WaitingNowOut {
                size: figures.now.size,
                median_days: figures.now.median_days,
                longest_days: figures.now.longest_days,
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceWaitingOut {
    /// Where the referral came from, e.g. "Self-referral"; "Direct" when it names none.
    pub source: String,
    #[serde(flatten)]
    pub figures: WaitingFiguresOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingListOut {
    pub service: String,
    /// `YYYY-MM`.
    pub from: String,
    /// `YYYY-MM`.
    pub to: String,
    pub team: Option<String>,
    /// The names of the stages that count as waiting.
    pub waiting_stages: Vec<String>,
    /// How the list is counted, in a sentence.
    pub rule: String,
    /// The cases left out for carrying a flag the service excludes from statistics.
    pub excluded: Vec<ExclusionOut>,
    /// Every case the caller may see.
    #[serde(flatten)]
    pub all: WaitingFiguresOut,
    /// The same figures by referral source, for the sources of cases that waited.
    pub by_source: Vec<SourceWaitingOut>,
}

/// How the waiting list is counted, as the report states it.
pub const WAITING_RULE: &str = "A case is waiting while it is open in one of the waiting stages; moving between two of them \
is one wait. The size at the end of a month counts the cases waiting then (now, for this month). Waits are whole days \
from the day the case joined the list.";

impl From<WaitingView> for WaitingListOut {
    fn from(view: WaitingView) -> Self {
        WaitingListOut {
            service: view.service.to_string(),
            from: view.report.period.from.to_string(),
            to: view.report.period.to.to_string(),
            team: view.team.map(|t| t.to_string()),
            waiting_stages: view.stages.clone(),
            rule: WAITING_RULE.to_owned(),
            excluded: exclusions(&view.excluded),
            all: (&view.report.all).into(),
            by_source: view
                .report
                .by_source
                .iter()
                .map(|(source, figures)| SourceWaitingOut { source: source.clone(), figures: figures.into() })
                .collect(),
        }
    }
}

/// The waiting list over a period: its size at the end of each month, how many joined and
/// left, and the median and longest wait now, in all and by referral source, counting only
/// the cases the caller may see. Needs `reports.read` in the service.
#[utoipa::path(get, path = "/api/v1/services/{code}/reports/waiting-list", tag = "reports",
    params(("code" = String, Path, description = "The service's code"), WaitingParams),
    responses((status = 200, body = WaitingListOut), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn waiting_list(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    Query(params): Query<WaitingParams>,
) -> ApiResult<Json<WaitingListOut>> {
    let service = service_code(&code)?;
    let period = app.report_period(params.from.as_deref(), params.to.as_deref())?;
    let team = team_id(params.team.as_deref())?;
    Ok(Json(app.waiting_list_report(&actor, &service, period, team).await?.into()))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaitingCasesParams {
    /// The cases waiting at the end of this month, `YYYY-MM`; those waiting now when not given.
    pub month: Option<String>,
    /// Only cases referred from this source, as the report names it (e.g. "Direct").
    pub source: Option<String>,
    /// Only the cases of this team.
    pub team: Option<String>,
}

/// A case on the waiting list.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingCaseOut {
    pub case: String,
    pub reference: String,
    pub person_name: String,
    pub worker_name: Option<String>,
    pub source: String,
    /// When it joined the list.
    pub joined_at: String,
    /// Whole days waited, by today or by the last day of the month asked about.
    pub wait_days: u32,
}

impl From<WaitingCase> for WaitingCaseOut {
    fn from(case: WaitingCase) -> Self {
        WaitingCaseOut {
            case: case.case.to_string(),
            reference: case.reference,
            person_name: case.person_name,
            worker_name: case.worker_name,
            source: case.source,
            joined_at: case.joined.to_string(),
            wait_days: case.wait_days,
        }
    }
}

/// Reads what a reader asked for the waiting cases.
pub fn waiting_query(params: &WaitingCasesParams) -> ApiResult<WaitingQuery> {
    let given = |text: &Option<String>| text.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
    let month = given(&params.month)
        .map(|m| Month::parse(&m).ok_or_else(|| ApiError::field("month", "must be a month written YYYY-MM")))
        .transpose()?;
    Ok(WaitingQuery { team: team_id(params.team.as_deref())?, month, source: given(&params.source) })
}

/// The cases on the waiting list now (or at the end of a month), longest wait first: only
/// the cases the caller may see, exactly those the report counts. Needs `reports.read`.
#[utoipa::path(get, path = "/api/v1/services/{code}/reports/waiting-list/cases", tag = "reports",
    params(("code" = String, Path, description = "The service's code"), WaitingCasesParams),
    responses((status = 200, body = Vec<WaitingCaseOut>), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn waiting_list_cases(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    Query(params): Query<WaitingCasesParams>,
) -> ApiResult<Json<Vec<WaitingCaseOut>>> {
    let service = service_code(&code)?;
    let asked = waiting_query(&params)?;
    Ok(Json(app.waiting_list_cases(&actor, &service, &asked).await?.into_iter().map(Into::into).collect()))
}
