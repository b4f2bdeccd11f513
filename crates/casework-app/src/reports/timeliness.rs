//! The timeliness of every timer a service defines (see `casework_domain::timeliness` for
//! how runs are counted), and the cases behind each figure.

use crate::{App, Result};
use casework_domain::access::{Actor, Permission};
use casework_domain::ids::{CaseId, TeamId, UserId};
use casework_domain::table::{Cell, Table};
use casework_domain::text::Code;
use casework_domain::timeliness::{self, Month, Outcome, Period, Tally, TimelinessReport, TimerFact};
use casework_domain::timer::TimerState;
use casework_domain::user::Team;
use casework_domain::{FieldError, Invalid};
use casework_store::timers::{self, ReportedTimer, TimelinessQuery};
use jiff::Timestamp;
use std::collections::BTreeMap;

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
    /// The cases left out for carrying an excluded flag.
    pub excluded: Vec<casework_domain::report_rules::Exclusion>,
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
    /// Only the runs on the cases of one worker, or on the unallocated ones.
    pub worker: super::Holder,
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
        let excluded_flags = self.services.get(service).map(|d| d.reports.excluded_flags.clone()).unwrap_or_default();
        let asked = TimelinessQuery { service: service.clone(), from, until, team, timer, excluded_flags };
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
        let excluded = self.exclusions(&mut *self.store.read().await?, actor, &definition, team, false).await?;
        Ok(TimelinessView {
            service: service.clone(),
            service_name: definition.service.name.clone(),
            report,
            team,
            teams,
            workers,
            excluded,
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
                if !asked.worker.holds(r.fact.worker)
                    || !timeliness::is_behind(&r.fact.timer, now, asked.outcome, asked.period, asked.month)
                {
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

impl TimelinessView {
    /// The report as its page shows it: for each timer, its figures by month (with the
    /// whole period), by team and by worker.
    pub fn tables(&self) -> Vec<Table> {
        let mut tables = Vec::new();
        for timer in &self.report.timers {
            let columns = |first: &'static str| {
                let mut columns = vec![first];
                columns.extend(Outcome::ALL.iter().map(|o| o.label()));
                columns.push("Within target");
                columns
            };
            let row = |label: String, tally: &Tally| {
                let mut row = vec![Cell::Text(label)];
                row.extend(Outcome::ALL.iter().map(|o| Cell::from(tally.count(*o))));
                row.push(tally.within_target_percent().into());
                row
            };
            let mut months = Table::new(format!("{}: by month", timer.name), &columns("Month"));
            for (month, tally) in &timer.months {
                months.push(row(month.name(), tally));
            }
            months.push(row("Whole period".to_owned(), &timer.total));
            tables.push(months);
            let mut teams = Table::new(format!("{}: by team", timer.name), &columns("Team"));
            for (team, tally) in &timer.by_team {
                teams.push(row(self.team_name(*team), tally));
            }
            tables.push(teams);
            let mut workers = Table::new(format!("{}: by worker", timer.name), &columns("Worker"));
            for (worker, tally) in &timer.by_worker {
                workers.push(row(self.worker_name(*worker), tally));
            }
            tables.push(workers);
        }
        tables.extend(super::exclusions::table(&self.excluded));
        tables
    }
}
