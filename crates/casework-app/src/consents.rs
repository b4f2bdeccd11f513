//! Consent to share on a case: recorded by those who may change the case, withdrawn at once
//! by the same, and read (and logged) like the rest of the record.

use crate::idempotency::{parse_id, remember, replayed};
use crate::{App, AppError, Idempotency, Result};
use casework_domain::access::{Actor, Permission};
use casework_domain::consent::{Consent, ConsentInput, ConsentStatus, status};
use casework_domain::ids::{CaseId, ConsentId};
use casework_domain::text::ShortText;
use casework_store::consents;

impl App {
    pub async fn record_consent(
        &self,
        actor: &Actor,
        case: CaseId,
        input: &ConsentInput,
        idempotency: Option<&Idempotency>,
    ) -> Result<Consent> {
        let now = self.now();
        let today = casework_domain::time::day_of(now);
        let mut tx = self.store.begin().await?;
        let found = self.case_for(&mut tx, actor, case, Permission::CaseUpdate, "record consent on this case").await?;
        if let Some(id) = replayed(&mut tx, actor, idempotency).await? {
            return crate::idempotency::answer_replay(consents::get(&mut tx, parse_id(&id)?).await?, tx, "consent").await;
        }
        if !found.is_open() {
            return Err(casework_domain::FieldError::new("", "the case is closed; reopen it to record consent").into());
        }
        let (consent, change) = Consent::new(case, input, actor.user, now, today)?;
        consents::insert(&mut tx, &consent).await?;
        self.record(&mut tx, actor, Some(case), [change], now).await?;
        remember(&mut tx, actor, idempotency, &consent.id.to_string(), now).await?;
        tx.commit().await?;
        Ok(consent)
    }

    /// Withdraws a consent from now on. Anyone who may see the case may record that it was
    /// withdrawn: a withdrawal must never wait for the right person to be at their desk.
    /// Disclosures made under it are flagged and the case's worker told, in the same
    /// transaction.
    pub async fn withdraw_consent(&self, actor: &Actor, case: CaseId, id: ConsentId, reason: ShortText) -> Result<Consent> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let found =
            self.case_for(&mut tx, actor, case, Permission::NoteAdd, "record a withdrawal of consent on this case").await?;
        let mut consent = match consents::get(&mut tx, id).await? {
            Some(consent) if consent.case == case => consent,
            _ => return Err(AppError::NotFound("consent")),
        };
        if consent.withdrawn.is_some() {
            return Err(AppError::Conflict("this consent was already withdrawn".into()));
        }
        let change = consent.withdraw(reason, actor.user, now)?;
        let Some(withdrawal) = consent.withdrawn.as_ref() else {
            return Err(AppError::Internal("a withdrawal vanished".into()));
        };
        if !consents::insert_withdrawal(&mut tx, id, withdrawal).await? {
            return Err(AppError::Conflict("this consent was already withdrawn".into()));
        }
        self.record(&mut tx, actor, Some(case), [change], now).await?;
        self.flag_disclosures_under(&mut tx, actor, &found, &consent, now).await?;
        tx.commit().await?;
        Ok(consent)
    }

    /// A case's consents, oldest first, and where they stand today. Reading them is logged.
    pub async fn case_consents(&self, actor: &Actor, case: CaseId) -> Result<(Vec<Consent>, ConsentStatus)> {
        self.log_read(actor, case, Permission::CaseRead, "consents").await?;
        let mut conn = self.store.read().await?;
        let all = consents::for_case(&mut conn, case).await?;
        let today = casework_domain::time::day_of(self.now());
        let standing = status(&all, today);
        Ok((all, standing))
    }
}
