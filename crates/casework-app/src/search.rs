//! Full-text search of the cases a user may read: their notes and addenda, the answers of
//! forms filled in on them, and the names of the people they are about. Whoever may read a
//! case may read all three, so the case's visibility is the whole filter, and it is applied
//! in the search query itself.

use crate::{App, AppError, Result};
use casework_domain::FieldError;
use casework_domain::access::{Actor, Permission};
use casework_domain::search::SearchQuery;
use casework_domain::text::Code;
pub use casework_store::search::SearchHit;
use casework_store::{events, search};

impl App {
    /// The cases matching `query` that the actor may read, best first, at most `limit`; only
    /// those of `service` when given. Each case returned is in the access log ("search")
    /// before the results are: the search runs on the transaction that logs them, so the log
    /// names exactly the cases returned, and if it cannot be written nothing is returned.
    pub async fn search(&self, actor: &Actor, query: &SearchQuery, service: Option<&Code>, limit: i64) -> Result<Vec<SearchHit>> {
        let visible = actor.case_filter(Permission::CaseRead);
        if visible.is_empty() {
            return Err(AppError::Forbidden("search cases"));
        }
        if let Some(service) = service
            && self.services.get(service).is_none()
        {
            return Err(FieldError::new("service", format!("there is no service '{service}'")).into());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let hits = search::search(&mut tx, query, service, &visible, limit).await?;
        for hit in &hits {
            events::log_access(&mut tx, actor.user, hit.case, "search", now).await?;
        }
        tx.commit().await?;
        Ok(hits)
    }
}
