//! Referrals: recording them, and deciding each one (accept into a case, reject with a
//! reason, or keep on file). A person may be referred again after a decline.

use crate::cases::Allocation;
use crate::idempotency::{parse_id, remember, replayed};
use crate::{App, AppError, Idempotency, Result};
use casework_domain::FieldError;
use casework_domain::access::{Actor, Permission, Reach};
use casework_domain::case::Case;
use casework_domain::form::Validity;
use casework_domain::history::{Change, EventKind, Subject};
use casework_domain::ids::{PersonId, ReferralId};
use casework_domain::referral::{Referral, ReferralOutcome, ReferralSource};
use casework_domain::text::{Code, LongText};
use casework_store::{Connection, people, referrals};
use jiff::Timestamp;
use serde_json::json;

/// A checked request to record a referral.
#[derive(Debug, Clone)]
pub struct NewReferral {
    pub service: Code,
    pub person: PersonId,
    pub source: ReferralSource,
    pub received_at: Option<Timestamp>,
    pub summary: LongText,
    pub forms: Vec<crate::forms::FormEntry>,
    pub previous: Option<ReferralId>,
}

/// How a referral is decided.
#[derive(Debug, Clone)]
pub enum Decision {
    Accept(Allocation),
    Reject { reason: Code, explanation: Option<LongText> },
    KeepOnFile { explanation: Option<LongText> },
}

/// Whether the actor may see this referral: all of a service's referrals with `referral.read`
/// in a role that reaches cases, or only their own with a role that reaches none.
fn may_see(actor: &Actor, referral: &Referral) -> bool {
    actor.memberships.iter().any(|m| {
        m.service == referral.service
            && m.role.permissions.contains(&Permission::ReferralRead)
            && (m.role.reach != Reach::None || referral.recorded_by == actor.user)
    })
}

impl App {
    pub async fn record_referral(&self, actor: &Actor, new: NewReferral, idempotency: Option<&Idempotency>) -> Result<Referral> {
        let service = self
            .services
            .get(&new.service)
            .ok_or_else(|| FieldError::new("service", format!("there is no service '{}'", new.service)))?;
        if !actor.may_in_service(Permission::ReferralCreate, &new.service) {
            return Err(AppError::Forbidden("record referrals for this service"));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if let Some(id) = replayed(&mut tx, actor, idempotency).await? {
            return crate::idempotency::answer_replay(referrals::get(&mut tx, parse_id(&id)?).await?, tx, "referral").await;
        }
        let referral = self.insert_referral(&mut tx, actor, &new, service.code(), now).await?;
        remember(&mut tx, actor, idempotency, &referral.id.to_string(), now).await?;
        tx.commit().await?;
        Ok(referral)
    }

    /// Records a referral for someone not yet recorded: the person and the referral are
    /// written together, or neither is.
    pub async fn refer_new_person(
        &self,
        actor: &Actor,
        person: casework_domain::person::NewPerson,
        new: NewReferral,
    ) -> Result<Referral> {
        if !actor.may_in_service(Permission::ReferralCreate, &new.service) {
            return Err(AppError::Forbidden("record referrals for this service"));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let person = self.insert_person(&mut tx, actor, &person, now).await.map_err(|e| match e {
            AppError::Invalid(invalid) => {
                let mut nested = casework_domain::Invalid::new();
                nested.absorb("person", invalid);
                AppError::Invalid(nested)
            }
            other => other,
        })?;
        let service = new.service.clone();
        let referral = self.insert_referral(&mut tx, actor, &NewReferral { person, ..new }, &service, now).await?;
        tx.commit().await?;
        Ok(referral)
    }

    /// The part of recording a referral shared with opening a case directly.
    pub(crate) async fn insert_referral(
        &self,
        conn: &mut Connection,
        actor: &Actor,
        new: &NewReferral,
        service: &Code,
        now: Timestamp,
    ) -> Result<Referral> {
        let received_at = new.received_at.unwrap_or(now);
        if received_at > now {
            return Err(FieldError::new("received_at", "cannot be in the future").into());
        }
        if people::get(conn, new.person).await?.is_none() {
            return Err(FieldError::new("person", "no such person").into());
        }
        if let Some(previous) = new.previous {
            let earlier = referrals::get(conn, previous).await?;
            match earlier {
                Some(earlier) if earlier.person == new.person && &earlier.service == service => {
                    if !earlier.may_be_remade() {
                        return Err(FieldError::new("previous", "only a rejected or filed referral can be made again").into());
                    }
                }
                _ => return Err(FieldError::new("previous", "no such referral for this person and service").into()),
            }
        }
        let definition = self.services.get(service).cloned().ok_or(AppError::NotFound("service"))?;
        let sources = &definition.referrals.sources;
        if !sources.is_empty() && !sources.contains(&new.source) {
            let names: Vec<&str> = sources.iter().map(|s| s.name()).collect();
            return Err(FieldError::new("source", format!("this service takes referrals from: {}", names.join(", "))).into());
        }
        let forms = crate::forms::check_forms(actor, &definition, &new.forms, now)?;
        let referral = Referral {
            id: ReferralId::new(),
            service: service.clone(),
            person: new.person,
            source: new.source,
            received_at,
            summary: new.summary.clone(),
            forms,
            previous: new.previous,
            outcome: ReferralOutcome::Pending,
            recorded_by: actor.user,
        };
        referrals::insert(conn, &referral, now).await?;
        let change = Change::new(
            EventKind::ReferralReceived,
            Subject::Referral(referral.id),
            json!(null),
            json!({ "service": referral.service, "person": referral.person, "source": referral.source, "forms": referral.forms.len() }),
        );
        self.record(conn, actor, None, [change], now).await?;
        Ok(referral)
    }

    /// A referral the actor may see, or not found.
    pub(crate) async fn visible_referral(&self, conn: &mut Connection, actor: &Actor, id: ReferralId) -> Result<Referral> {
        match referrals::get(conn, id).await? {
            Some(referral) if may_see(actor, &referral) => Ok(referral),
            _ => Err(AppError::NotFound("referral")),
        }
    }

    /// A referral with its validity and the name of the person referred (a referrer who may
    /// not search people still sees who they referred).
    pub async fn referral_with_person(&self, actor: &Actor, id: ReferralId) -> Result<(Referral, Validity, String)> {
        let (referral, validity) = self.get_referral(actor, id).await?;
        let mut conn = self.store.read().await?;
        let name = people::get(&mut conn, referral.person).await?.map(|p| p.display_name()).unwrap_or_default();
        Ok((referral, validity, name))
    }

    /// A referral with what its forms still lack before it is valid.
    pub async fn get_referral(&self, actor: &Actor, id: ReferralId) -> Result<(Referral, Validity)> {
        let mut conn = self.store.read().await?;
        let referral = self.visible_referral(&mut conn, actor, id).await?;
        let validity = self.referral_validity(&referral);
        Ok((referral, validity))
    }

    /// Whether a referral's forms make it valid under its service's current rules.
    pub fn referral_validity(&self, referral: &Referral) -> Validity {
        match self.services.get(&referral.service) {
            Some(definition) => crate::forms::referral_validity(definition, referral),
            None => Validity { valid: false, missing: Vec::new() },
        }
    }

    pub async fn list_referrals(
        &self,
        actor: &Actor,
        service: Option<&Code>,
        outcome: Option<&str>,
        person: Option<PersonId>,
        before: Option<ReferralId>,
        limit: i64,
    ) -> Result<Vec<Referral>> {
        let mut filter = referrals::ReferralFilter {
            outcome: outcome.map(str::to_owned),
            person,
            before,
            limit,
            recorded_by: Some(actor.user),
            ..Default::default()
        };
        for m in &actor.memberships {
            if !m.role.permissions.contains(&Permission::ReferralRead) || service.is_some_and(|s| s != &m.service) {
                continue;
            }
            if m.role.reach == Reach::None {
                filter.own_services.push(m.service.clone())
            } else {
                filter.services.push(m.service.clone())
            }
        }
        let mut conn = self.store.read().await?;
        Ok(referrals::list(&mut conn, &filter).await?)
    }

    /// Decides a pending referral. Accepting it opens the case in the same transaction.
    pub async fn decide_referral(&self, actor: &Actor, id: ReferralId, decision: Decision) -> Result<(Referral, Option<Case>)> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let decided = self.decide_referral_on(&mut tx, actor, id, decision, now).await?;
        tx.commit().await?;
        Ok(decided)
    }

    /// Decides a referral on the caller's transaction (a triage meeting writes its minute
    /// in the same one).
    pub(crate) async fn decide_referral_on(
        &self,
        tx: &mut Connection,
        actor: &Actor,
        id: ReferralId,
        decision: Decision,
        now: Timestamp,
    ) -> Result<(Referral, Option<Case>)> {
        let referral = self.visible_referral(&mut *tx, actor, id).await?;
        if !actor.may_in_service(Permission::ReferralDecide, &referral.service) {
            return Err(AppError::Forbidden("decide referrals"));
        }
        let service = self.services.get(&referral.service).ok_or(AppError::NotFound("service"))?.clone();
        let mut decided = referral.clone();
        let (outcome, kind, opened) = match decision {
            Decision::Accept(allocation) => {
                crate::forms::require_valid(&service, &referral.forms)?;
                let case = self.insert_case(&mut *tx, actor, &service, &referral, allocation, now).await?;
                (ReferralOutcome::Accepted { case: case.id, by: actor.user, at: now }, EventKind::ReferralAccepted, Some(case))
            }
            Decision::Reject { reason, explanation } => {
                if !service.has_rejection_reason(&reason) {
                    return Err(FieldError::new("reason", format!("'{reason}' is not a rejection reason of this service")).into());
                }
                (ReferralOutcome::Rejected { reason, explanation, by: actor.user, at: now }, EventKind::ReferralRejected, None)
            }
            Decision::KeepOnFile { explanation } => {
                (ReferralOutcome::KeptOnFile { explanation, by: actor.user, at: now }, EventKind::ReferralKeptOnFile, None)
            }
        };
        decided.decide(outcome).map_err(|e| AppError::Conflict(e.to_string()))?;
        if !referrals::record_outcome(&mut *tx, id, &decided.outcome).await? {
            return Err(AppError::Conflict("this referral was decided by someone else meanwhile".into()));
        }
        let change = Change::new(kind, Subject::Referral(id), json!({ "outcome": "pending" }), json!(decided.outcome));
        self.record(&mut *tx, actor, opened.as_ref().map(|c| c.id), [change], now).await?;
        Ok((decided, opened))
    }
}
