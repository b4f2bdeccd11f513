//! Statistics exclusions: the cases every report leaves out because they carry one of the
//! flags the service's definition names (`[reports] excluded_flags`), and how many there were.

use crate::{App, Result};
use casework_domain::access::{Actor, Permission};
use casework_domain::ids::TeamId;
use casework_domain::report_rules::Exclusion;
use casework_domain::service::ServiceDefinition;
use casework_domain::table::Table;
use casework_store::Connection;
use casework_store::reports::{self, ReportScope};

/// What a report counts: the service's cases, of one team if asked, less the excluded ones.
pub(crate) fn scope(definition: &ServiceDefinition, team: Option<TeamId>) -> ReportScope {
    ReportScope { service: definition.code().clone(), team, excluded_flags: definition.reports.excluded_flags.clone() }
}

/// The table a report ends with when it left cases out: how many each excluded flag kept out.
pub(crate) fn table(excluded: &[Exclusion]) -> Option<Table> {
    if excluded.is_empty() {
        return None;
    }
    let mut table = Table::new("Left out of the figures", &["Flag", "Cases"]);
    for exclusion in excluded {
        table.push(vec![exclusion.name.as_str().into(), exclusion.cases.into()]);
    }
    Some(table)
}

impl App {
    /// How many of the cases the actor may see (open ones only, if asked) each excluded
    /// flag kept out of a report; flags no such case carries are not mentioned.
    pub(crate) async fn exclusions(
        &self,
        conn: &mut Connection,
        actor: &Actor,
        definition: &ServiceDefinition,
        team: Option<TeamId>,
        open_only: bool,
    ) -> Result<Vec<Exclusion>> {
        let reporting = actor.case_filter(Permission::ReportsRead);
        let reading = actor.case_filter(Permission::CaseRead);
        let counts = reports::excluded_counts(conn, &scope(definition, team), open_only, &[&reporting, &reading]).await?;
        Ok(counts
            .into_iter()
            .map(|(flag, cases)| {
                let name = definition.flags.iter().find(|f| f.code == flag).map_or_else(|| flag.to_string(), |f| f.name.clone());
                Exclusion { flag, name, cases }
            })
            .collect())
    }
}
