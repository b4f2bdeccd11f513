//! The waiting list of a service (see `casework_domain::waiting` for how it is counted),
//! and the cases on it now or at the end of a month.

use super::exclusions::scope;
use crate::{App, Result};
use casework_domain::FieldError;
use casework_domain::access::{Actor, Permission};
use casework_domain::ids::{CaseId, TeamId};
use casework_domain::report_rules::Exclusion;
use casework_domain::service::ServiceDefinition;
use casework_domain::table::{Cell, Table};
use casework_domain::text::Code;
use casework_domain::timeliness::{Month, Period};
use casework_domain::user::Team;
use casework_domain::waiting::{self, Figures, WaitingFact, WaitingReport};
use casework_store::Connection;
use casework_store::reports::{self as store, StageHistory};
use jiff::Timestamp;

/// A waiting-list report with the names a page needs to show it.
#[derive(Debug, Clone)]
pub struct WaitingView {
    pub service: Code,
    pub service_name: String,
    pub report: WaitingReport,
    pub team: Option<TeamId>,
    pub teams: Vec<Team>,
    /// The stages that count as waiting, by name, in the definition's order.
    pub stages: Vec<String>,
    pub excluded: Vec<Exclusion>,
}

fn longest(days: Option<u32>) -> Cell {
    days.map_or(Cell::Empty, Cell::from)
}

impl WaitingView {
    /// The report as plain tables, saying what its page says.
    pub fn tables(&self) -> Vec<Table> {
        let mut months = Table::new("Waiting list by month", &["Month", "Waiting at the end of the month", "Joined", "Left"]);
        for (month, flow) in &self.report.all.months {
            months.push(vec![month.name().into(), flow.size_at_end.into(), flow.joined.into(), flow.left.into()]);
        }
        let mut now = Table::new(
            "Waiting now by referral source",
            &["Referral source", "Waiting now", "Median wait (days)", "Longest wait (days)"],
        );
        let mut row = |source: &str, figures: &Figures| {
            now.push(vec![
                source.into(),
                figures.now.size.into(),
                Cell::decimal(figures.now.median_days),
                longest(figures.now.longest_days),
            ]);
        };
        for (source, figures) in &self.report.by_source {
            row(source, figures);
        }
        row("All sources", &self.report.all);
        let mut by_source = Table::new(
            "Waiting list by referral source and month",
            &["Referral source", "Month", "Waiting at the end of the month", "Joined", "Left"],
        );
        for (source, figures) in &self.report.by_source {
            for (month, flow) in &figures.months {
                by_source.push(vec![
                    source.as_str().into(),
                    month.name().into(),
                    flow.size_at_end.into(),
                    flow.joined.into(),
                    flow.left.into(),
                ]);
            }
        }
        [months, now, by_source].into_iter().chain(super::exclusions::table(&self.excluded)).collect()
    }
}

/// Which of the waiting cases a reader asks for.
#[derive(Debug, Clone, Default)]
pub struct WaitingQuery {
    pub team: Option<TeamId>,
    /// Waiting at the end of this month; now when `None`.
    pub month: Option<Month>,
    /// Only cases referred from this source (its label, e.g. "Self-referral" or "Direct").
    pub source: Option<String>,
}

/// A case on the waiting list.
#[derive(Debug, Clone)]
pub struct WaitingCase {
    pub case: CaseId,
    pub reference: String,
    pub person_name: String,
    pub worker_name: Option<String>,
    pub source: String,
    /// When it joined the list (this stay on it).
    pub joined: Timestamp,
    /// Whole days waited by the day asked about.
    pub wait_days: u32,
}

/// The service's teams, checking that the one asked for is among them.
pub(super) async fn teams_checked(conn: &mut Connection, service: &Code, team: Option<TeamId>) -> Result<Vec<Team>> {
    let teams = casework_store::users::teams_of_service(conn, service).await?;
    if team.is_some_and(|wanted| !teams.iter().any(|t| t.id == wanted)) {
        return Err(FieldError::new("team", "is not a team of this service").into());
    }
    Ok(teams)
}

impl App {
    /// Every case in scope with its stays on the waiting list up to `until`.
    async fn waiting_histories(
        &self,
        conn: &mut Connection,
        actor: &Actor,
        definition: &ServiceDefinition,
        team: Option<TeamId>,
        since: Timestamp,
    ) -> Result<Vec<(StageHistory, WaitingFact)>> {
        // Everything that has happened, up to and including this instant.
        let now = self.now();
        let until = now.checked_add(jiff::SignedDuration::from_micros(1)).unwrap_or(now);
        let reporting = actor.case_filter(Permission::ReportsRead);
        let reading = actor.case_filter(Permission::CaseRead);
        let histories = store::stage_histories(conn, &scope(definition, team), since, until, &[&reporting, &reading]).await?;
        Ok(histories
            .into_iter()
            .map(|history| {
                let fact = WaitingFact {
                    case: history.case.case,
                    source: history.source.clone(),
                    spells: waiting::spells(&history.moves, &definition.reports.waiting_stages),
                };
                (history, fact)
            })
            .collect())
    }

    /// The waiting list over the period: its size at the end of each month, who joined and
    /// left, and the waits now, by referral source, over the cases the actor may see.
    pub async fn waiting_list_report(
        &self,
        actor: &Actor,
        service: &Code,
        period: Period,
        team: Option<TeamId>,
    ) -> Result<WaitingView> {
        let definition = self.reportable(actor, service)?;
        let mut conn = self.store.read().await?;
        let teams = teams_checked(&mut conn, service, team).await?;
        let now = self.now();
        let facts: Vec<WaitingFact> = self
            .waiting_histories(&mut conn, actor, &definition, team, period.bounds().0.min(now))
            .await?
            .into_iter()
            .map(|(_, f)| f)
            .collect();
        let report = waiting::waiting_list(period, &facts, now);
        let excluded = self.exclusions(&mut conn, actor, &definition, team, false).await?;
        let stages =
            definition.stages.iter().filter(|s| definition.reports.is_waiting_stage(&s.code)).map(|s| s.name.clone()).collect();
        Ok(WaitingView {
            service: service.clone(),
            service_name: definition.service.name.clone(),
            report,
            team,
            teams,
            stages,
            excluded,
        })
    }

    /// The cases waiting now, or at the end of a month, longest wait first: only cases the
    /// actor may see, exactly those the report's figure counts.
    pub async fn waiting_list_cases(&self, actor: &Actor, service: &Code, asked: &WaitingQuery) -> Result<Vec<WaitingCase>> {
        let definition = self.reportable(actor, service)?;
        let mut conn = self.store.read().await?;
        teams_checked(&mut conn, service, asked.team).await?;
        let now = self.now();
        let on = asked.month.map_or(now, |month| waiting::end_of(month, now));
        let started = asked.month.is_none_or(|month| on > month.starts_at());
        // A month that has ended is judged on its last day, not the first of the next.
        let judged = if on < now { on.checked_sub(jiff::SignedDuration::from_micros(1)).unwrap_or(on) } else { on };
        let histories = self.waiting_histories(&mut conn, actor, &definition, asked.team, on).await?;
        let mut cases: Vec<WaitingCase> = histories
            .into_iter()
            .filter(|(_, fact)| asked.source.as_ref().is_none_or(|source| &fact.source_label() == source))
            .filter_map(|(history, fact)| {
                let joined = fact.waiting_since(on).filter(|_| started)?;
                Some(WaitingCase {
                    case: history.case.case,
                    reference: history.case.reference,
                    person_name: history.case.person_name,
                    worker_name: history.case.worker_name,
                    source: fact.source_label(),
                    joined,
                    wait_days: waiting::wait_days(joined, judged),
                })
            })
            .collect();
        cases.sort_by(|a, b| a.joined.cmp(&b.joined).then_with(|| a.reference.cmp(&b.reference)));
        Ok(cases)
    }
}
