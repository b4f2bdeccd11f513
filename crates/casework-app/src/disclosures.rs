//! Sharing on a recorded basis: every share, referral out, transfer and export of a case is
//! checked against its basis (a consent of the case in force today, or a statutory basis of
//! the service that allows that kind) and recorded with it, or refused with nothing written.
//! An export's bundle is built and logged in the access log on the same transaction as its
//! record, so nothing leaves Casework unlogged. When a consent is withdrawn, every
//! disclosure made under it is flagged and the case's worker is told at once.

use crate::export::sha256_hex;
use crate::{App, Result};
use casework_domain::access::{Actor, Permission};
use casework_domain::case::Case;
use casework_domain::consent::Consent;
use casework_domain::disclosure::{Basis, Disclosure, DisclosureFlag, DisclosureInput, DisclosureKind};
use casework_domain::history::EventKind;
use casework_domain::ids::{CaseId, UserId};
use casework_domain::task::Assignee;
use casework_store::disclosures::{self, StoredDisclosure};
use casework_store::{Connection, consents, events};
use jiff::Timestamp;
use serde_json::json;

/// An export's zip, to be handed to the person who made it.
#[derive(Debug, Clone)]
pub struct ExportFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A recorded disclosure, and for an export the bundle it disclosed.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub disclosure: Disclosure,
    pub export: Option<ExportFile>,
}

impl App {
    /// Records a share, referral out, transfer or export on its basis, or refuses it with
    /// the reason at the field and writes nothing. An export is logged in the access log on
    /// the same transaction; if that cannot be written, nothing is recorded or returned.
    pub async fn record_disclosure(&self, actor: &Actor, case: CaseId, input: &DisclosureInput) -> Result<Recorded> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let found = self.case_for(&mut tx, actor, case, Permission::CaseShare, "share this case's information").await?;
        let service = self.definition_of(&found)?;
        let consent = match Basis::parse(&input.basis) {
            Some(Basis::Consent { consent }) => consents::get(&mut tx, consent).await?,
            _ => None,
        };
        let mut disclosure = Disclosure::new(case, input, consent.as_ref(), &service, actor.user, now)?;
        let mut export = None;
        if disclosure.kind == DisclosureKind::Export {
            let contents = self.case_export(&mut tx, actor, found, now).await?;
            let bytes = contents.bundle()?.zip(now)?;
            disclosure.export_sha256 = Some(sha256_hex(&bytes));
            let day = casework_domain::time::day_of(now);
            export = Some(ExportFile { file_name: format!("{}-export-{day}.zip", contents.case.reference), bytes });
            events::log_access(&mut tx, actor.user, case, "export", now).await?;
        }
        disclosures::insert(&mut tx, &disclosure).await?;
        self.record(&mut tx, actor, Some(case), [disclosure.change()], now).await?;
        tx.commit().await?;
        Ok(Recorded { disclosure, export })
    }

    /// A case's disclosures, newest first, each with its flag if its consent was withdrawn.
    /// Reading them is logged.
    pub async fn case_disclosures(&self, actor: &Actor, case: CaseId) -> Result<Vec<StoredDisclosure>> {
        self.log_read(actor, case, Permission::CaseRead, "disclosures").await?;
        let mut conn = self.store.read().await?;
        Ok(disclosures::for_case(&mut conn, case).await?)
    }

    /// Flags every disclosure made under a consent just withdrawn and tells the case's worker
    /// (or, with none allocated, whoever made them) at once, on the withdrawal's transaction.
    pub(crate) async fn flag_disclosures_under(
        &self,
        conn: &mut Connection,
        actor: &Actor,
        case: &Case,
        consent: &Consent,
        withdrawn_at: Timestamp,
    ) -> Result<usize> {
        let relying = disclosures::relying_on(conn, consent.id).await?;
        if relying.is_empty() {
            return Ok(0);
        }
        let mut changes = Vec::new();
        for (disclosure, _) in &relying {
            let (flag, change) = DisclosureFlag::for_withdrawal(*disclosure, consent.id, withdrawn_at);
            if disclosures::insert_flag(conn, &flag).await? {
                changes.push(change);
            }
        }
        self.record(conn, actor, Some(case.id), changes, withdrawn_at).await?;
        let mut told: Vec<UserId> = match case.worker {
            Some(worker) => vec![worker],
            None => relying.iter().map(|(_, by)| *by).collect(),
        };
        told.sort_unstable();
        told.dedup();
        let count = relying.len();
        let message = format!(
            "Consent given by {} was withdrawn: {} made under it {} flagged; tell the recipients",
            consent.given_by,
            if count == 1 { "1 disclosure".to_owned() } else { format!("{count} disclosures") },
            if count == 1 { "is" } else { "are" },
        );
        for user in told {
            let about = json!({ "consent": consent.id });
            let recipient = Assignee::User(user);
            self.raise_alert(
                conn,
                case,
                recipient,
                message.clone(),
                withdrawn_at,
                EventKind::AlertRaised,
                about,
                actor.user,
                withdrawn_at,
            )
            .await?;
        }
        Ok(count)
    }
}
