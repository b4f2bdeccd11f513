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
}
