//! The timeliness of every timer a service defines, and the cases behind each figure.

use super::{service_code, team_id};
use crate::extract::CurrentActor;
use crate::problem::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use casework_app::App;
use casework_app::reports::{CaseBehind, FigureQuery, TimelinessView};
use casework_domain::text::Code;
use casework_domain::timeliness::{Month, Outcome, Tally};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelinessParams {
    /// The first month, `YYYY-MM` (the three months up to this one when neither is given).
    pub from: Option<String>,
    /// The last month, `YYYY-MM`; at most 24 months after `from`.
    pub to: Option<String>,
    /// Only the cases of this team (a team id of the service).
    pub team: Option<String>,
}

/// How many runs of a timer came to each outcome, and the share kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct TallyOut {
    /// Stopped at or before the due time.
    pub met: u32,
    /// Stopped after the due time.
    pub met_late: u32,
    /// Past the due time and still open.
    pub breached: u32,
    pub paused: u32,
    /// Open and within time.
    pub running: u32,
    /// met ÷ (met + met_late + breached) × 100, to one decimal place; absent when none of
    /// the three happened.
    pub within_target_percent: Option<f64>,
}

impl From<&Tally> for TallyOut {
    fn from(tally: &Tally) -> Self {
        TallyOut {
            met: tally.met,
            met_late: tally.met_late,
            breached: tally.breached,
            paused: tally.paused,
            running: tally.running,
            within_target_percent: tally.within_target_percent(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthTallyOut {
    /// `YYYY-MM`.
    pub month: String,
    #[serde(flatten)]
    pub tally: TallyOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupTallyOut {
    /// The team or worker id; absent for cases with no team, or not allocated.
    pub id: Option<String>,
    pub name: String,
    #[serde(flatten)]
    pub tally: TallyOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimerTimelinessOut {
    pub code: String,
    pub name: String,
    /// The target in words, e.g. "5 working days".
    pub target: String,
    pub total: TallyOut,
    /// Every month of the period, in order.
    pub months: Vec<MonthTallyOut>,
    pub by_team: Vec<GroupTallyOut>,
    pub by_worker: Vec<GroupTallyOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelinessOut {
    pub service: String,
    /// `YYYY-MM`.
    pub from: String,
    /// `YYYY-MM`.
    pub to: String,
    pub team: Option<String>,
    /// How runs are counted, in a sentence.
    pub rule: String,
    /// The cases left out for carrying a flag the service excludes from statistics.
    pub excluded: Vec<super::ExclusionOut>,
    pub timers: Vec<TimerTimelinessOut>,
}

/// How each run is placed, as the report states it.
pub const COUNTING_RULE: &str = "Each run of a timer counts once: met or met late in the month it was stopped; breached in \
the month it fell due; running or paused in the month it is due. Cancelled runs are not counted. Within target is met \
divided by met, met late and breached.";

impl From<TimelinessView> for TimelinessOut {
    fn from(view: TimelinessView) -> Self {
        let timers = view
            .report
            .timers
            .iter()
            .map(|timer| TimerTimelinessOut {
                code: timer.code.to_string(),
                name: timer.name.clone(),
                target: timer.target.to_string(),
                total: (&timer.total).into(),
                months: timer.months.iter().map(|(m, t)| MonthTallyOut { month: m.to_string(), tally: t.into() }).collect(),
                by_team: timer
                    .by_team
                    .iter()
                    .map(|(id, t)| GroupTallyOut { id: id.map(|i| i.to_string()), name: view.team_name(*id), tally: t.into() })
                    .collect(),
                by_worker: timer
                    .by_worker
                    .iter()
                    .map(|(id, t)| GroupTallyOut { id: id.map(|i| i.to_string()), name: view.worker_name(*id), tally: t.into() })
                    .collect(),
            })
            .collect();
        TimelinessOut {
            service: view.service.to_string(),
            from: view.report.period.from.to_string(),
            to: view.report.period.to.to_string(),
            team: view.team.map(|t| t.to_string()),
            rule: COUNTING_RULE.to_owned(),
            excluded: super::exclusions(&view.excluded),
            timers,
        }
    }
}

/// How well each of the service's timers was kept over a period, by month, team and
/// worker, counting only the cases the caller may see. Needs `reports.read` in the service.
#[utoipa::path(get, path = "/api/v1/services/{code}/reports/timeliness", tag = "reports",
    params(("code" = String, Path, description = "The service's code"), TimelinessParams),
    responses((status = 200, body = TimelinessOut), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn timeliness(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    Query(params): Query<TimelinessParams>,
) -> ApiResult<Json<TimelinessOut>> {
    let service = service_code(&code)?;
    let period = app.report_period(params.from.as_deref(), params.to.as_deref())?;
    let team = team_id(params.team.as_deref())?;
    Ok(Json(app.timeliness_report(&actor, &service, period, team).await?.into()))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FigureParams {
    /// The timer's code.
    pub timer: String,
    /// One of `met`, `met-late`, `breached`, `paused`, `running`.
    pub outcome: String,
    /// One month of the period, `YYYY-MM`; the whole period when not given.
    pub month: Option<String>,
    /// The period's first month, as for the report.
    pub from: Option<String>,
    /// The period's last month, as for the report.
    pub to: Option<String>,
    /// Only the cases of this team.
    pub team: Option<String>,
    /// Only the cases of this worker (a user id), or `none` for the unallocated ones.
    pub worker: Option<String>,
}

/// A case behind a figure.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseBehindOut {
    pub case: String,
    pub reference: String,
    pub person_name: String,
    pub worker: Option<String>,
    pub worker_name: Option<String>,
    pub due_at: String,
    /// When the deadline was met (on time or late).
    pub ended_at: Option<String>,
    pub outcome: String,
    /// The month it counts in, `YYYY-MM`.
    pub month: String,
}

impl From<CaseBehind> for CaseBehindOut {
    fn from(case: CaseBehind) -> Self {
        CaseBehindOut {
            case: case.case.to_string(),
            reference: case.reference,
            person_name: case.person_name,
            worker: case.worker.map(|w| w.to_string()),
            worker_name: case.worker_name,
            due_at: case.due_at.to_string(),
            ended_at: case.ended_at.map(|e| e.to_string()),
            outcome: case.outcome.name().to_owned(),
            month: case.month.to_string(),
        }
    }
}

/// Reads what a reader asked for a figure's cases.
pub fn figure_query(app: &App, params: &FigureParams) -> ApiResult<FigureQuery> {
    let period = app.report_period(params.from.as_deref(), params.to.as_deref())?;
    let timer = Code::parse(params.timer.trim()).map_err(|_| ApiError::field("timer", "is not a timer of this service"))?;
    let outcome = Outcome::parse(params.outcome.trim())
        .ok_or_else(|| ApiError::field("outcome", "must be one of met, met-late, breached, paused, running"))?;
    let month = params
        .month
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(|m| Month::parse(m).ok_or_else(|| ApiError::field("month", "must be a month written YYYY-MM")))
        .transpose()?;
    let worker = super::caseload::holder(params.worker.as_deref())?;
    Ok(FigureQuery { period, team: team_id(params.team.as_deref())?, timer, outcome, month, worker })
}

/// The cases behind one figure of the timeliness report (e.g. the breached runs of a timer
/// in a month), by reference: only the cases the caller may see, exactly those the figure
/// counts. Needs `reports.read` in the service.
#[utoipa::path(get, path = "/api/v1/services/{code}/reports/timeliness/cases", tag = "reports",
    params(("code" = String, Path, description = "The service's code"), FigureParams),
    responses((status = 200, body = Vec<CaseBehindOut>), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn timeliness_cases(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    Query(params): Query<FigureParams>,
) -> ApiResult<Json<Vec<CaseBehindOut>>> {
    let service = service_code(&code)?;
    let asked = figure_query(&app, &params)?;
    Ok(Json(app.timeliness_cases(&actor, &service, &asked).await?.into_iter().map(Into::into).collect()))
}
