//! Retention: legal holds on cases, the disposal review of closed cases past their
//! retention, approval for destruction, and the destruction job.
//!
//! Destruction is two steps on purpose: a person who holds `records.dispose` approves each
//! case from the review list, and the job destroys approved cases later, checking again that
//! each is still closed, still past its date and not under a legal hold.

use crate::{App, AppError, Result};
use casework_domain::FieldError;
use casework_domain::access::{Actor, Permission};
use casework_domain::history::{Change, EventKind, Subject};
use casework_domain::ids::DocumentId;
use casework_domain::ids::{CaseId, DestructionId, LegalHoldId};
use casework_domain::retention::{LegalHold, RetentionRule};
use casework_domain::text::{Code, LongText};
use casework_domain::time::{day_of, service_zone};
use casework_store::retention::{self, DuePaperQuery, DueQuery};
pub use casework_store::retention::{DestructionRecord, DueCase, DuePaper};
use jiff::civil::Date;
use serde_json::json;

/// The disposal review of one service: the rule for closed cases and the cases past it,
/// and the rule for scanned paper and the paper originals past it, each with its due day.
#[derive(Debug, Clone)]
pub struct DisposalReview {
    pub rule: Option<RetentionRule>,
    pub today: Date,
    pub cases: Vec<(DueCase, Date)>,
    pub paper_rule: Option<RetentionRule>,
    pub paper: Vec<(DuePaper, Date)>,
}

impl App {
    /// Places a legal hold: the case will not be destroyed while it stands.
    pub async fn place_legal_hold(
        &self,
        actor: &Actor,
        case: CaseId,
        reason: &str,
        idempotency: Option<&crate::Idempotency>,
    ) -> Result<LegalHold> {
        let reason = LongText::parse(reason).map_err(|e| e.within("reason"))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.case_for(&mut tx, actor, case, Permission::RecordsDispose, "place legal holds on this case").await?;
        if let Some(id) = crate::idempotency::replayed(&mut tx, actor, idempotency).await? {
            let id: LegalHoldId = crate::idempotency::parse_id(&id)?;
            let holds = retention::holds_of_case(&mut tx, case).await?;
            return holds.into_iter().find(|h| h.id == id).ok_or(AppError::NotFound("legal hold"));
        }
        let (hold, change) = LegalHold::place(case, reason, actor.user, now);
        retention::insert_hold(&mut tx, &hold).await?;
        // A case on hold must not stay approved for destruction.
        retention::withdraw_approval(&mut tx, case).await?;
        self.record(&mut tx, actor, Some(case), [change], now).await?;
        crate::idempotency::remember(&mut tx, actor, idempotency, &hold.id.to_string(), now).await?;
        tx.commit().await?;
        Ok(hold)
    }

    pub async fn lift_legal_hold(&self, actor: &Actor, case: CaseId, hold: LegalHoldId, reason: &str) -> Result<LegalHold> {
        let reason = LongText::parse(reason).map_err(|e| e.within("reason"))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.case_for(&mut tx, actor, case, Permission::RecordsDispose, "lift legal holds on this case").await?;
        let mut found = retention::holds_of_case(&mut tx, case)
            .await?
            .into_iter()
            .find(|h| h.id == hold)
            .ok_or(AppError::NotFound("legal hold"))?;
        let change = found.lift(reason, actor.user, now).map_err(|e| AppError::Conflict(e.message))?;
        let Some(lifting) = &found.lifted else { return Err(AppError::Internal("a lifting vanished".into())) };
        retention::insert_lifting(&mut tx, hold, lifting).await?;
        self.record(&mut tx, actor, Some(case), [change], now).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// A case's legal holds; reading them is reading the case, and is logged.
    pub async fn legal_holds(&self, actor: &Actor, case: CaseId) -> Result<Vec<LegalHold>> {
        self.log_read(actor, case, Permission::CaseRead, "legal holds").await?;
        let mut conn = self.store.read().await?;
        Ok(retention::holds_of_case(&mut conn, case).await?)
    }

    /// The closed cases of a service whose retention has ended, each with the day it fell
    /// due, for those who hold `records.dispose` there; only cases they may see.
    pub async fn disposal_review(&self, actor: &Actor, service: &Code, limit: i64) -> Result<DisposalReview> {
        if !actor.may_in_service(Permission::RecordsDispose, service) {
            return Err(AppError::Forbidden("review records for disposal in this service"));
        }
        let definition = self.services.get(service).ok_or(AppError::NotFound("service"))?;
        let today = day_of(self.now());
        let visible = actor.case_filter(Permission::RecordsDispose);
        let mut conn = self.store.read().await?;
        let rule = definition.retention.closed_cases.clone();
        let mut cases = Vec::new();
        if let Some(rule) = &rule {
            let query = due_query(service, rule, today, limit)?;
            for case in retention::due_for_review(&mut conn, &query, &visible).await? {
                let due_on = rule.due_on(day_of(case.closed_at), case.born_on);
                cases.push((case, due_on));
            }
        }
        let paper_rule = definition.retention.scanned_paper.clone();
        let mut paper = Vec::new();
        if let Some(paper_rule) = &paper_rule {
            let query = paper_query(actor, service, paper_rule, today, None, limit)?;
            for original in retention::scanned_paper_due(&mut conn, &query, &visible).await? {
                let due_on = paper_rule.due_on(day_of(original.scanned_at), None);
                paper.push((original, due_on));
            }
        }
        Ok(DisposalReview { rule, today, cases, paper_rule, paper })
    }

    /// Records that a paper original on the review list was destroyed (shredded, returned),
    /// on a day no earlier than its due day; refused while its case is under a legal hold.
    pub async fn record_paper_destroyed(
        &self,
        actor: &Actor,
        service: &Code,
        document: DocumentId,
        destroyed_on: &str,
        method: &str,
    ) -> Result<DuePaper> {
        if !actor.may_in_service(Permission::RecordsDispose, service) {
            return Err(AppError::Forbidden("record the destruction of paper in this service"));
        }
        let definition = self.services.get(service).ok_or(AppError::NotFound("service"))?;
        let rule = definition
            .retention
            .scanned_paper
            .clone()
            .ok_or_else(|| FieldError::new("document", "this service keeps its scanned paper"))?;
        let now = self.now();
        let today = day_of(now);
        let query = paper_query(actor, service, &rule, today, Some(document), 1)?;
        let visible = actor.case_filter(Permission::RecordsDispose);
        let mut tx = self.store.begin().await?;
        let due = retention::scanned_paper_due(&mut tx, &query, &visible).await?.pop().ok_or_else(|| {
            FieldError::new(
                "document",
                "this paper original is not due for destruction (not scanned, not yet past its period, already destroyed, or not yours to review)",
            )
        })?;
        if due.on_hold {
            return Err(
                FieldError::new("document", format!("{} is under a legal hold; lift the hold first", due.reference)).into()
            );
        }
        let original =
            casework_store::documents::get(&mut tx, due.case, document, true).await?.ok_or(AppError::NotFound("document"))?;
        let due_on = rule.due_on(day_of(due.scanned_at), None);
        let (destruction, change) = original.destroy_original(Some(due_on), destroyed_on, method, today, actor.user, now)?;
        casework_store::documents::insert_paper_destruction(&mut tx, &destruction).await?;
        self.record(&mut tx, actor, Some(due.case), [change], now).await?;
        tx.commit().await?;
        Ok(due)
    }

    /// Approves cases from the review list for destruction, all or none: each must be on
    /// the list today and not under a legal hold.
    pub async fn approve_disposal(&self, actor: &Actor, service: &Code, cases: &[CaseId]) -> Result<usize> {
        if cases.is_empty() {
            return Err(FieldError::new("cases", "select at least one case to approve for destruction").into());
        }
        if !actor.may_in_service(Permission::RecordsDispose, service) {
            return Err(AppError::Forbidden("approve records for destruction in this service"));
        }
        let definition = self.services.get(service).ok_or(AppError::NotFound("service"))?;
        let rule = definition
            .retention
            .closed_cases
            .clone()
            .ok_or_else(|| FieldError::new("cases", "this service keeps its closed cases for good"))?;
        let now = self.now();
        let today = day_of(now);
        let query = due_query(service, &rule, today, i64::MAX)?;
        let visible = actor.case_filter(Permission::RecordsDispose);
        let mut tx = self.store.begin().await?;
        let due = retention::due_for_review(&mut tx, &query, &visible).await?;
        let mut problems = casework_domain::Invalid::new();
        for (i, id) in cases.iter().enumerate() {
            match due.iter().find(|d| d.id == *id) {
                None => problems.push(FieldError::new(
                    format!("cases/{i}"),
                    "this case is not due for disposal (it is open, not yet past its retention, or not yours to review)",
                )),
                Some(case) if case.on_hold => problems.push(FieldError::new(
                    format!("cases/{i}"),
                    format!("{} is under a legal hold; lift the hold first", case.reference),
                )),
                Some(_) => {}
            }
        }
        if !problems.is_empty() {
            return Err(problems.into());
        }
        for id in cases {
            retention::approve(&mut tx, *id, actor.user, now).await?;
            let change = Change::new(
                EventKind::DisposalApproved,
                Subject::Case(*id),
                json!(null),
                json!({ "rule": rule.keep.describe(), "basis": rule.basis }),
            );
            self.record(&mut tx, actor, Some(*id), [change], now).await?;
        }
        tx.commit().await?;
        Ok(cases.len())
    }

    /// The destruction job: destroys the approved cases that are still closed, past their
    /// retention and free of legal holds, each in its own transaction, leaving a
    /// destruction record; approvals that no longer hold are withdrawn. Returns how many
    /// cases were destroyed.
    pub async fn run_destruction(&self) -> Result<usize> {
        let approvals = {
            let mut conn = self.store.read().await?;
            retention::approvals(&mut conn, 500).await?
        };
        let mut destroyed = 0;
        for (case_id, approved_by, approved_at) in approvals {
            let now = self.now();
            let today = day_of(now);
            let mut tx = self.store.begin().await?;
            let Some(case) = casework_store::cases::get(&mut tx, case_id).await? else { continue };
            let person = casework_store::people::get(&mut tx, case.person).await?;
            let rule = self.services.get(&case.service).and_then(|d| d.retention.closed_cases.clone());
            let closed_at = match &case.status {
                casework_domain::case::CaseStatus::Closed { at, .. } => Some(*at),
                casework_domain::case::CaseStatus::Open => None,
            };
            let born_on = person.as_ref().and_then(|p| p.date_of_birth);
            let still_due = match (&rule, closed_at) {
                (Some(rule), Some(closed_at)) => rule.is_due(day_of(closed_at), born_on, today),
                _ => false,
            };
            let (Some(rule), Some(closed_at), true) = (rule, closed_at, still_due) else {
                retention::withdraw_approval(&mut tx, case_id).await?;
                tx.commit().await?;
                continue;
            };
            if retention::has_standing_hold(&mut tx, case_id).await? {
                retention::withdraw_approval(&mut tx, case_id).await?;
                tx.commit().await?;
                continue;
            }
            let (history_events, history_head) = retention::history_head(&mut tx, case_id).await?;
            let id = DestructionId::new();
            let (removed, files) = retention::destroy_case(&mut tx, case_id, id).await?;
            let record = DestructionRecord {
                id,
                service: case.service.clone(),
                reference: case.reference.to_string(),
                record: "case".into(),
                kept_for: rule.keep.describe(),
                basis: rule.basis.clone(),
                closed_on: day_of(closed_at),
                due_on: rule.due_on(day_of(closed_at), born_on),
                approved_by,
                approved_at,
                destroyed_at: now,
                history_events,
                history_head,
                removed,
            };
            retention::insert_destruction(&mut tx, &record).await?;
            let change = Change::new(
                EventKind::RecordDestroyed,
                Subject::Destruction(id),
                json!(null),
                json!({ "service": record.service, "reference": record.reference, "kept_for": record.kept_for, "basis": record.basis }),
            );
            casework_store::events::insert(&mut tx, &change.into_event(None, approved_by, now)).await?;
            tx.commit().await?;
            // The files go after the records: a crash in between leaves files without a
            // record, which the orphan sweep removes, never a record without its file.
            if let Ok(storage) = self.document_storage() {
                for file in files {
                    storage.remove(&file).await;
                }
            }
            destroyed += 1;
        }
        Ok(destroyed)
    }

    /// The destruction records of a service, newest first.
    pub async fn destructions(&self, actor: &Actor, service: &Code, limit: i64) -> Result<Vec<DestructionRecord>> {
        if !actor.may_in_service(Permission::RecordsDispose, service) && !actor.may_in_service(Permission::AuditRead, service) {
            return Err(AppError::Forbidden("read the destruction records of this service"));
        }
        let mut conn = self.store.read().await?;
        Ok(retention::destructions(&mut conn, service, limit).await?)
    }
}

/// The first instant of the day after `day`, UK time: "on or before `day`" as an instant bound.
fn start_of_day_after(day: Date) -> Result<jiff::Timestamp> {
    let day_after = day.tomorrow().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(day_after.to_zoned(service_zone()).map_err(|e| AppError::Internal(e.to_string()))?.timestamp())
}

fn due_query(service: &Code, rule: &RetentionRule, today: Date, limit: i64) -> Result<DueQuery> {
    let cutoffs = rule.cutoffs(today);
    let closed_before = start_of_day_after(cutoffs.closed_on_or_before)?;
    Ok(DueQuery { service: service.clone(), closed_before, born_on_or_before: cutoffs.born_on_or_before, limit })
}

fn paper_query(
    actor: &Actor,
    service: &Code,
    rule: &RetentionRule,
    today: Date,
    document: Option<DocumentId>,
    limit: i64,
) -> Result<DuePaperQuery> {
    let scanned_before = start_of_day_after(rule.cutoffs(today).closed_on_or_before)?;
    let with_restricted = actor.may_in_service(Permission::DocumentRestricted, service);
    Ok(DuePaperQuery { service: service.clone(), scanned_before, with_restricted, document, limit })
}
