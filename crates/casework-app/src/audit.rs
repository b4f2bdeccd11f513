//! Proving the history was not tampered with: every case's hash chain walked from its start.

use crate::{App, Result};
use casework_store::events::{self, ChainReport};

/// A break in a case's history, with the case's reference for people to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryBreak {
    /// The case's reference, or "no case" for the chain of events about no case.
    pub case: String,
    pub event: Option<String>,
    pub problem: String,
}

impl App {
    /// Walks every history chain and names the first break in each. Reads only.
    pub async fn verify_history(&self) -> Result<(ChainReport, Vec<HistoryBreak>)> {
        let mut conn = self.store.read().await?;
        let report = events::verify_chains(&mut conn).await?;
        let mut breaks = Vec::new();
        for found in &report.breaks {
            let case = match found.case {
                Some(id) => casework_store::cases::get(&mut conn, id)
                    .await?
                    .map_or_else(|| id.to_string(), |case| case.reference.to_string()),
                None => "no case".to_owned(),
            };
            breaks.push(HistoryBreak { case, event: found.event.map(|e| e.to_string()), problem: found.problem.clone() });
        }
        Ok((report, breaks))
    }

    /// Everything a backup or a restore checks of a whole store: SQLite's integrity check,
    /// every history chain, and what it holds (cases, and the stored files its documents
    /// name, to check against the copied files).
    pub async fn soundness(&self) -> Result<Soundness> {
        let integrity_problems = self.store.integrity_check().await?;
        let (chains, breaks) = self.verify_history().await?;
        let mut conn = self.store.read().await?;
        let cases = casework_store::meta::count(&mut conn, "cases").await?;
        let stored_files = casework_store::documents::stored_objects(&mut conn).await?;
        Ok(Soundness { integrity_problems, chains, breaks, cases, stored_files })
    }
}

/// What [`App::soundness`] found.
#[derive(Debug, Clone)]
pub struct Soundness {
    pub integrity_problems: Vec<String>,
    pub chains: ChainReport,
    pub breaks: Vec<HistoryBreak>,
    pub cases: i64,
    pub stored_files: Vec<String>,
}

/// What an auditor asks of the access log: any of a case (by reference), a user (by
/// username) and a person, on the cases of the services where they may audit.
#[derive(Debug, Clone, Default)]
pub struct AccessLogQuery {
    pub case_reference: Option<String>,
    pub username: Option<String>,
    pub person: Option<casework_domain::ids::PersonId>,
    pub before: Option<casework_domain::ids::EventId>,
    pub limit: i64,
}

impl App {
    /// Who looked at which case and when, for those who may audit a service; only the
    /// services they audit are searched. A reference or username that matches nothing in
    /// them gives no entries rather than saying whether it exists elsewhere.
    pub async fn access_log(
        &self,
        actor: &casework_domain::access::Actor,
        asked: &AccessLogQuery,
    ) -> Result<Vec<events::AccessEntry>> {
        if actor.services_with(casework_domain::access::Permission::AuditRead).is_empty() {
            return Err(crate::AppError::Forbidden("read the access log"));
        }
        let mut conn = self.store.read().await?;
        // Entries about a case the auditor may not see (a restricted case they are not named
        // on) are left out like the case itself.
        let mut query = events::AccessQuery {
            visible: actor.case_filter(casework_domain::access::Permission::AuditRead),
            person: asked.person,
            before: asked.before,
            limit: asked.limit,
            ..Default::default()
        };
        if let Some(reference) = asked.case_reference.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            match casework_store::cases::id_by_reference(&mut conn, reference).await? {
                Some(case) => query.case = Some(case),
                None => return Ok(Vec::new()),
            }
        }
        if let Some(username) = asked.username.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            match casework_store::users::get_by_username(&mut conn, username).await? {
                Some(user) => query.user = Some(user.id),
                None => return Ok(Vec::new()),
            }
        }
        Ok(events::access_log(&mut conn, &query).await?)
    }
}
