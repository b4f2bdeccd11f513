//! Casework's use cases. Each command is one transaction: it loads what it needs, asks the
//! domain whether the change is allowed, writes the change and its history events, and
//! commits, or changes nothing at all. Every command takes the [`Actor`] doing it and
//! checks their permission first; a case they may not see is reported as not found.

pub mod alerts;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod catalog;
pub mod clock;
pub mod consents;
pub mod demo;
pub mod disclosures;
pub mod documents;
pub mod downloads;
pub mod error;
pub mod export;
pub mod forms;
pub mod idempotency;
pub mod jobs;
pub mod meetings;
pub mod notes;
pub mod people;
pub mod plans;
pub mod referrals;
pub mod reports;
pub mod restrictions;
pub mod retention;
pub mod search;
pub mod service_versions;
pub mod subject_access;
pub mod subject_forms;
pub mod tasks;
pub mod timers;
pub mod users;
pub mod work_lists;

pub use casework_domain as domain;
pub use casework_store as store;
pub use casework_store::{Location, Store, StoreError};
pub use catalog::ServiceCatalog;
pub use clock::{Clock, FileClock, ManualClock, SystemClock};
pub use documents::DocumentStorage;
pub use error::{AppError, Result};
pub use idempotency::Idempotency;

use casework_domain::access::Actor;
use casework_domain::history::Change;
use casework_domain::ids::CaseId;
use std::sync::Arc;

/// Everything a use case needs: the store, the service definitions and the clock.
#[derive(Debug, Clone)]
pub struct App {
    pub store: Store,
    pub services: Arc<ServiceCatalog>,
    clock: Arc<dyn Clock>,
    auth: Arc<auth::AuthSettings>,
    documents: Option<Arc<documents::DocumentStorage>>,
}

impl App {
    pub fn new(store: Store, services: ServiceCatalog, clock: Arc<dyn Clock>) -> App {
        App { store, services: Arc::new(services), clock, auth: Arc::new(auth::AuthSettings::default()), documents: None }
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    /// Writes the changes as history events stamped with the actor and the time, and moves
    /// the case's deadlines on accordingly, all on the caller's transaction.
    async fn record(
        &self,
        conn: &mut casework_store::Connection,
        actor: &Actor,
        case: Option<CaseId>,
        changes: impl IntoIterator<Item = Change>,
        at: jiff::Timestamp,
    ) -> Result<()> {
        let changes: Vec<Change> = changes.into_iter().collect();
        for change in &changes {
            casework_store::events::insert(conn, &change.clone().into_event(case, actor.user, at)).await?;
        }
        if let Some(case) = case {
            self.react_to_changes(conn, actor.user, case, &changes, at).await?;
        }
        Ok(())
    }
}

/// Page sizes: a client may ask for up to 200 rows; 25 when it does not say.
pub fn page_size(requested: Option<u32>) -> i64 {
    i64::from(requested.unwrap_or(25).clamp(1, 200))
}
