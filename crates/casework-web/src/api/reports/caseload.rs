//! The caseload of a service now, and the cases behind each figure.

use super::{ExclusionOut, exclusions, service_code, team_id};
use crate::extract::CurrentActor;
use crate::problem::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use casework_app::App;
use casework_app::reports::{CaseloadCase, CaseloadQuery, CaseloadView, Holder};
use casework_domain::caseload::Load;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseloadParams {
    /// Only the cases of this team (a team id of the service).
    pub team: Option<String>,
}

/// What a worker, a team or the service carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoadOut {
    pub cases: u32,
    /// The sum of the cases' weights by level (1 unless the service says otherwise).
    pub weighted: u32,
    pub high_risk: u32,
}

impl From<&Load> for LoadOut {
    fn from(load: &Load) -> Self {
        LoadOut { cases: load.cases, weighted: load.weighted, high_risk: load.high_risk }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupLoadOut {
    /// The worker or team id; absent for cases with no team.
    pub id: Option<String>,
    pub name: String,
    #[serde(flatten)]
    pub load: LoadOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LevelWeightOut {
    pub level: String,
    pub weight: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseloadOut {
    pub service: String,
    pub team: Option<String>,
    /// The weights the service gives its levels; others, and no level, weigh 1.
    pub weights: Vec<LevelWeightOut>,
    /// The levels and flags that make a case high risk, by name.
    pub high_risk: Vec<String>,
    /// The cases left out for carrying a flag the service excludes from statistics.
    pub excluded: Vec<ExclusionOut>,
    /// Every open case counted.
    pub total: LoadOut,
    /// Allocated cases by worker, heaviest weighted caseload first.
    pub by_worker: Vec<GroupLoadOut>,
    /// The open cases no worker holds, counted apart from the workers'.
    pub unallocated: LoadOut,
    /// All open cases by team, allocated or not.
    pub by_team: Vec<GroupLoadOut>,
}

impl From<CaseloadView> for CaseloadOut {
    fn from(view: CaseloadView) -> Self {
        CaseloadOut {
            service: view.service.to_string(),
            team: view.team.map(|t| t.to_string()),
            weights: view
                .weights
                .iter()
                .map(|(level, weight)| LevelWeightOut { level: level.clone(), weight: *weight })
                .collect(),
            high_risk: view.high_risk.clone(),
            excluded: exclusions(&view.excluded),
            total: (&view.report.total).into(),
            by_worker: view
                .by_worker()
                .into_iter()
                .map(|(id, name, load)| GroupLoadOut { id: Some(id.to_string()), name, load: (&load).into() })
                .collect(),
            unallocated: (&view.report.unallocated).into(),
            by_team: view
                .report
                .by_team
                .iter()
                .map(|(id, load)| GroupLoadOut { id: id.map(|i| i.to_string()), name: view.team_name(*id), load: load.into() })
                .collect(),
        }
    }
}

/// The open cases each worker and team of the service holds now, weighted by level, with
/// the high-risk ones counted and the unallocated counted apart: only the cases the caller
/// may see. Needs `reports.read` in the service.
#[utoipa::path(get, path = "/api/v1/services/{code}/reports/caseload", tag = "reports",
    params(("code" = String, Path, description = "The service's code"), CaseloadParams),
    responses((status = 200, body = CaseloadOut), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn caseload(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    Query(params): Query<CaseloadParams>,
) -> ApiResult<Json<CaseloadOut>> {
    let service = service_code(&code)?;
    let team = team_id(params.team.as_deref())?;
    Ok(Json(app.caseload_report(&actor, &service, team).await?.into()))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseloadCasesParams {
    /// A worker's user id, or `none` for the unallocated cases; every open case when not given.
    pub worker: Option<String>,
    /// `true` for the high-risk cases only.
    pub high_risk: Option<bool>,
    /// Only the cases of this team.
    pub team: Option<String>,
}

/// An open case in a caseload.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseloadCaseOut {
    pub case: String,
    pub reference: String,
    pub person_name: String,
    pub worker_name: Option<String>,
    /// The level's name.
    pub level: Option<String>,
    pub weight: u32,
    pub high_risk: bool,
}

impl From<CaseloadCase> for CaseloadCaseOut {
    fn from(case: CaseloadCase) -> Self {
        CaseloadCaseOut {
            case: case.case.to_string(),
            reference: case.reference,
            person_name: case.person_name,
            worker_name: case.worker_name,
            level: case.level,
            weight: case.weight,
            high_risk: case.high_risk,
        }
    }
}

/// Reads whose cases were asked for: a user id, `none` for the unallocated, or anyone's.
pub fn holder(worker: Option<&str>) -> ApiResult<Holder> {
    Ok(match worker.map(str::trim).filter(|w| !w.is_empty()) {
        None => Holder::Anyone,
        Some("none") => Holder::Unallocated,
        Some(worker) => Holder::Worker(
            worker.parse().map_err(|_| ApiError::field("worker", "must be a user id, or none for the unallocated"))?,
        ),
    })
}

/// Reads what a reader asked for a caseload's cases.
pub fn caseload_query(params: &CaseloadCasesParams) -> ApiResult<CaseloadQuery> {
    let holder = holder(params.worker.as_deref())?;
    Ok(CaseloadQuery { team: team_id(params.team.as_deref())?, holder, high_risk_only: params.high_risk.unwrap_or(false) })
}

/// The open cases behind a caseload figure: a worker's, the unallocated, or all, the
/// high-risk ones only if asked; heaviest first. Only the cases the caller may see. Needs
/// `reports.read` in the service.
#[utoipa::path(get, path = "/api/v1/services/{code}/reports/caseload/cases", tag = "reports",
    params(("code" = String, Path, description = "The service's code"), CaseloadCasesParams),
    responses((status = 200, body = Vec<CaseloadCaseOut>), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn caseload_cases(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    Query(params): Query<CaseloadCasesParams>,
) -> ApiResult<Json<Vec<CaseloadCaseOut>>> {
    let service = service_code(&code)?;
    let asked = caseload_query(&params)?;
    Ok(Json(app.caseload_cases(&actor, &service, &asked).await?.into_iter().map(Into::into).collect()))
}
