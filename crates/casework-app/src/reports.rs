//! Reports for a service's managers, derived from its definition alone: the timeliness of
//! every timer it defines (see `casework_domain::timeliness` for how runs are counted).
//!
//! Only those holding `reports.read` in the service may ask (someone with another role
//! there is refused; anyone else is told there is no such service). Figures count, and the
//! lists behind them show, only the cases the reader may both report on and read, filtered
//! in the query itself. A list behind a figure is a list of references, as a work list is,
//! not a view of any case record, so like a work list it is not written to the access log.

use crate::{App, AppError, Result};
use casework_domain::access::{Actor, Permission};
use casework_domain::ids::{CaseId, TeamId, UserId};
use casework_domain::service::ServiceDefinition;
use casework_domain::text::Code;
use casework_domain::timeliness::{self, Month, Outcome, Period, TimelinessReport, TimerFact};
use casework_domain::timer::TimerState;
use casework_domain::user::Team;
use casework_domain::{FieldError, Invalid};
use casework_store::timers::{self, ReportedTimer, TimelinessQuery};
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A timeliness report with the names a page needs to show it.
#[derive(Debug, Clone)]
pub struct TimelinessView {
    pub service: Code,
    pub service_name: String,
    pub report: TimelinessReport,
    /// The team asked for, if any.
    pub team: Option<TeamId>,
    /// The service's teams, for the filter and the by-team figures.
    pub teams: Vec<Team>,
    /// The display names of the workers in the by-worker figures.
    pub workers: BTreeMap<UserId, String>,
}

impl TimelinessView {
    pub fn team_name(&self, team: Option<TeamId>) -> String {
        match team {
            None => "No team".to_owned(),
            Some(id) => self.teams.iter().find(|t| t.id == id).map_or_else(|| id.to_string(), |t| t.name.to_string()),
        }
    }

    pub fn worker_name(&self, worker: Option<UserId>) -> String {
        match worker {
            None => "Not allocated".to_owned(),
            Some(id) => self.workers.get(&id).cloned().unwrap_or_else(|| id.to_string()),
        }
    }
}

/// Which figure's cases a reader asks for.
#[derive(Debug, Clone)]
pub struct FigureQuery {
    pub period: Period,
    pub team: Option<TeamId>,
    pub timer: Code,
    pub outcome: Outcome,
    /// One month of the period, or the whole period.
    pub month: Option<Month>,
}

/// A case behind a figure.
#[derive(Debug, Clone)]
pub struct CaseBehind {
    pub case: CaseId,
    pub reference: String,
    pub person_name: String,
    pub worker: Option<UserId>,
    pub worker_name: Option<String>,
    pub due_at: Timestamp,
    /// When the run was stopped (met or met late).
    pub ended_at: Option<Timestamp>,
    pub outcome: Outcome,
    pub month: Month,
}

impl App {
    /// The service, if the actor may read its reports: not found for those with no role in
    /// it (as if it did not exist), forbidden for those whose role does not allow it.
    fn reportable(&self, actor: &Actor, service: &Code) -> Result<Arc<ServiceDefinition>> {
        let definition = self.services.get(service).ok_or(AppError::NotFound("service"))?;
        if actor.may_in_service(Permission::ReportsRead, service) {
            Ok(definition.clone())
        } else if actor.is_member_of(service) {
            Err(AppError::Forbidden("read this service's reports"))
        } else {
            Err(AppError::NotFound("service"))
        }
    }

    /// The runs of the service's timers that may count in the period, on the cases the
    /// actor may both report on and read.
    async fn reported_timers(
        &self,
        actor: &Actor,
        service: &Code,
        period: Period,
        team: Option<TeamId>,
        timer: Option<Code>,
    ) -> Result<(Vec<Team>, Vec<ReportedTimer>)> {
        let mut conn = self.store.read().await?;
        let teams = casework_store::users::teams_of_service(&mut conn, service).await?;
        if team.is_some_and(|wanted| !teams.iter().any(|t| t.id == wanted)) {
            return Err(FieldError::new("team", "is not a team of this service").into());
        }
        let reporting = actor.case_filter(Permission::ReportsRead);
        let reading = actor.case_filter(Permission::CaseRead);
        let (from, until) = period.bounds();
        let asked = TimelinessQuery { service: service.clone(), from, until, team, timer };
        let found = timers::for_timeliness(&mut conn, &asked, &[&reporting, &reading]).await?;
        Ok((teams, found))
    }

    /// How well each of the service's timers was kept over the period, by month, team and
    /// worker, counting only the cases the actor may see (of one team, if asked).
    pub async fn timeliness_report(
        &self,
        actor: &Actor,
        service: &Code,
        period: Period,
        team: Option<TeamId>,
    ) -> Result<TimelinessView> {
        let definition = self.reportable(actor, service)?;
        let (teams, found) = self.reported_timers(actor, service, period, team, None).await?;
        let workers =
            found.iter().filter_map(|r| Some((r.fact.worker?, r.worker_name.clone()?))).collect::<BTreeMap<UserId, String>>();
        let facts: Vec<TimerFact> = found.into_iter().map(|r| r.fact).collect();
        let report = timeliness::timeliness(&definition.timers, period, &facts, self.now());
        Ok(TimelinessView {
            service: service.clone(),
            service_name: definition.service.name.clone(),
            report,
            team,
            teams,
            workers,
        })
    }

    /// The cases behind one figure of the timeliness report, by reference: only cases the
    /// actor may see, exactly those the figure counts.
    pub async fn timeliness_cases(&self, actor: &Actor, service: &Code, asked: &FigureQuery) -> Result<Vec<CaseBehind>> {
        let definition = self.reportable(actor, service)?;
        if !definition.timers.iter().any(|t| t.code == asked.timer) {
            return Err(Invalid::from(FieldError::new("timer", "is not a timer of this service")).into());
        }
        if asked.month.is_some_and(|m| !asked.period.contains(m)) {
            return Err(FieldError::new("month", "must be within the period").into());
        }
        let (_, found) = self.reported_timers(actor, service, asked.period, asked.team, Some(asked.timer.clone())).await?;
        let now = self.now();
        Ok(found
            .into_iter()
            .filter_map(|r| {
                if !timeliness::is_behind(&r.fact.timer, now, asked.outcome, asked.period, asked.month) {
                    return None;
                }
                let (outcome, month) = timeliness::placement(&r.fact.timer, now)?;
                Some(CaseBehind {
                    case: r.fact.case,
                    reference: r.case_reference,
                    person_name: r.person_name,
                    worker: r.fact.worker,
                    worker_name: r.worker_name,
                    due_at: r.fact.timer.due_at,
                    ended_at: match r.fact.timer.state {
                        TimerState::Met { at } | TimerState::CompletedLate { at, .. } => Some(at),
                        _ => None,
                    },
                    outcome,
                    month,
                })
            })
            .collect())
    }
}

impl App {
    /// The period a reader asked for, `YYYY-MM` to `YYYY-MM`; either left out means the
    /// three months up to this one (or the one given).
    pub fn report_period(&self, from: Option<&str>, to: Option<&str>) -> Result<Period> {
        match (given(from), given(to)) {
            (Some(from), Some(to)) => Ok(Period::parse(from, to)?),
            (None, None) => Ok(Period::ending(Month::of_instant(self.now()), 3)),
            (Some(from), None) => {
                let this_month = Month::of_instant(self.now()).to_string();
                Ok(Period::parse(from, &this_month)?)
            }
            (None, Some(to)) => {
                let last =
                    Month::parse(to).ok_or_else(|| FieldError::new("to", "must be a month written YYYY-MM, e.g. 2026-12"))?;
                Ok(Period::ending(last, 3))
            }
        }
    }
}

/// What was typed, unless it was nothing.
fn given(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|s| !s.is_empty())
}
