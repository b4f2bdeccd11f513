//! The caseload of a service now (see `casework_domain::caseload` for how it is counted),
//! and the cases each worker holds.

use super::exclusions::scope;
use super::waiting::teams_checked;
use crate::{App, Result};
use casework_domain::access::{Actor, Permission};
use casework_domain::caseload::{self, CaseloadFact, CaseloadReport, Load};
use casework_domain::ids::{CaseId, TeamId, UserId};
use casework_domain::report_rules::Exclusion;
use casework_domain::service::ServiceDefinition;
use casework_domain::table::{Cell, Table};
use casework_domain::text::Code;
use casework_domain::user::Team;
use casework_store::Connection;
use casework_store::reports::{self as store, OpenCase};
use std::collections::BTreeMap;

/// A caseload report with the names a page needs to show it.
#[derive(Debug, Clone)]
pub struct CaseloadView {
    pub service: Code,
    pub service_name: String,
    pub report: CaseloadReport,
    pub team: Option<TeamId>,
    pub teams: Vec<Team>,
    /// The display names of the workers counted.
    pub workers: BTreeMap<UserId, String>,
    /// The weights the definition gives, by level name, in the definition's order.
    pub weights: Vec<(String, u32)>,
    /// What makes a case high risk, by name (levels, then flags).
    pub high_risk: Vec<String>,
    pub excluded: Vec<Exclusion>,
}

impl CaseloadView {
    pub fn team_name(&self, team: Option<TeamId>) -> String {
        match team {
            None => "No team".to_owned(),
            Some(id) => self.teams.iter().find(|t| t.id == id).map_or_else(|| id.to_string(), |t| t.name.to_string()),
        }
    }

    pub fn worker_name(&self, worker: UserId) -> String {
        self.workers.get(&worker).cloned().unwrap_or_else(|| worker.to_string())
    }

    /// The workers by weighted caseload, heaviest first, then by name.
    pub fn by_worker(&self) -> Vec<(UserId, String, Load)> {
        let mut workers: Vec<(UserId, String, Load)> =
            self.report.by_worker.iter().map(|(id, load)| (*id, self.worker_name(*id), *load)).collect();
        workers.sort_by(|a, b| b.2.weighted.cmp(&a.2.weighted).then_with(|| a.1.cmp(&b.1)));
        workers
    }

    /// The report as plain tables, saying what its page says.
    pub fn tables(&self) -> Vec<Table> {
        let columns = ["Open cases", "Weighted caseload", "High risk"];
        let row = |name: String, load: &Load| -> Vec<Cell> {
            vec![name.into(), load.cases.into(), load.weighted.into(), load.high_risk.into()]
        };
        let mut workers = Table::new("Caseload by worker", &[&["Worker"], &columns[..]].concat());
        for (_, name, load) in self.by_worker() {
            workers.push(row(name, &load));
        }
        workers.push(row("Not allocated".to_owned(), &self.report.unallocated));
        let mut teams = Table::new("Caseload by team", &[&["Team"], &columns[..]].concat());
        for (team, load) in &self.report.by_team {
            teams.push(row(self.team_name(*team), load));
        }
        teams.push(row("All open cases".to_owned(), &self.report.total));
        [workers, teams].into_iter().chain(super::exclusions::table(&self.excluded)).collect()
    }
}

/// Whose cases a reader asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Holder {
    #[default]
    Anyone,
    Worker(UserId),
    Unallocated,
}

impl Holder {
    /// Whether a case held by `worker` (or by no one) is one of those asked for.
    pub fn holds(self, worker: Option<UserId>) -> bool {
        match self {
            Holder::Anyone => true,
            Holder::Worker(asked) => worker == Some(asked),
            Holder::Unallocated => worker.is_none(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CaseloadQuery {
    pub team: Option<TeamId>,
    pub holder: Holder,
    /// Only the high-risk cases.
    pub high_risk_only: bool,
}

/// An open case in a caseload.
#[derive(Debug, Clone)]
pub struct CaseloadCase {
    pub case: CaseId,
    pub reference: String,
    pub person_name: String,
    pub worker_name: Option<String>,
    /// The level's name, if it has one.
    pub level: Option<String>,
    pub weight: u32,
    pub high_risk: bool,
}

impl App {
    async fn open_cases(
        &self,
        conn: &mut Connection,
        actor: &Actor,
        definition: &ServiceDefinition,
        team: Option<TeamId>,
    ) -> Result<Vec<(OpenCase, CaseloadFact)>> {
        let reporting = actor.case_filter(Permission::ReportsRead);
        let reading = actor.case_filter(Permission::CaseRead);
        let flags = &definition.reports.high_risk.flags;
        let found = store::open_cases(conn, &scope(definition, team), flags, &[&reporting, &reading]).await?;
        Ok(found
            .into_iter()
            .map(|open| {
                let fact = CaseloadFact {
                    case: open.case.case,
                    worker: open.case.worker,
                    team: open.case.team,
                    level: open.level.clone(),
                    flags: open.flags.clone(),
                };
                (open, fact)
            })
            .collect())
    }

    /// The open cases each worker and team holds now, weighted by level, with how many are
    /// high risk and how many no one holds, over the cases the actor may see.
    pub async fn caseload_report(&self, actor: &Actor, service: &Code, team: Option<TeamId>) -> Result<CaseloadView> {
        let definition = self.reportable(actor, service)?;
        let mut conn = self.store.read().await?;
        let teams = teams_checked(&mut conn, service, team).await?;
        let found = self.open_cases(&mut conn, actor, &definition, team).await?;
        let workers = found
            .iter()
            .filter_map(|(open, _)| Some((open.case.worker?, open.case.worker_name.clone()?)))
            .collect::<BTreeMap<UserId, String>>();
        let facts: Vec<CaseloadFact> = found.into_iter().map(|(_, fact)| fact).collect();
        let rules = &definition.reports;
        let report = caseload::caseload(rules, &facts);
        let excluded = self.exclusions(&mut conn, actor, &definition, team, true).await?;
        let weights = definition
            .levels
            .iter()
            .filter_map(|level| rules.level_weights.get(&level.code).map(|w| (level.name.clone(), *w)))
            .collect();
        let high_risk = definition
            .levels
            .iter()
            .filter(|l| rules.high_risk.levels.contains(&l.code))
            .chain(definition.flags.iter().filter(|f| rules.high_risk.flags.contains(&f.code)))
            .map(|choice| choice.name.clone())
            .collect();
        Ok(CaseloadView {
            service: service.clone(),
            service_name: definition.service.name.clone(),
            report,
            team,
            teams,
            workers,
            weights,
            high_risk,
            excluded,
        })
    }

    /// The open cases behind a caseload figure (a worker's, the unallocated, all; high-risk
    /// only if asked), heaviest first: only cases the actor may see.
    pub async fn caseload_cases(&self, actor: &Actor, service: &Code, asked: &CaseloadQuery) -> Result<Vec<CaseloadCase>> {
        let definition = self.reportable(actor, service)?;
        let mut conn = self.store.read().await?;
        teams_checked(&mut conn, service, asked.team).await?;
        let rules = &definition.reports;
        let found = self.open_cases(&mut conn, actor, &definition, asked.team).await?;
        let mut cases: Vec<CaseloadCase> = found
            .into_iter()
            .filter(|(_, fact)| asked.holder.holds(fact.worker))
            .filter(|(_, fact)| !asked.high_risk_only || fact.is_high_risk(rules))
            .map(|(open, fact)| CaseloadCase {
                case: open.case.case,
                reference: open.case.reference,
                person_name: open.case.person_name,
                worker_name: open.case.worker_name,
                level: fact.level.as_ref().map(|code| {
                    definition.levels.iter().find(|l| &l.code == code).map_or_else(|| code.to_string(), |l| l.name.clone())
                }),
                weight: fact.weight(rules),
                high_risk: fact.is_high_risk(rules),
            })
            .collect();
        cases.sort_by(|a, b| b.weight.cmp(&a.weight).then_with(|| a.reference.cmp(&b.reference)));
        Ok(cases)
    }
}
