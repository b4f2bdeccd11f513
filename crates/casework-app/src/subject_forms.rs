//! Forms the person referred fills in themselves (the trainee's Form 2, a self-referral
//! form): a worker asks for one and gets a link to send them; the person opens it without an
//! account, fills in only that form, once, before it expires. The form lands on the referral
//! as completed by the person, recorded by the system on their behalf.

use crate::auth::{new_secret, secret_hash};
use crate::forms::{FormEntry, check_form};
use crate::users::system_actor;
use crate::{App, AppError, Result};
use casework_domain::access::{Actor, Permission};
use casework_domain::form::FormDefinition;
use casework_domain::history::{Change, EventKind, Subject};
use casework_domain::ids::{EventId, ReferralId};
use casework_domain::referral::ReferralOutcome;
use casework_domain::text::Code;
use casework_store::referrals;
use casework_store::subject_forms::{self, SubjectFormLink};
use serde_json::{Map, Value, json};

/// How long a link works: long enough for post and holidays, short enough not to linger.
const LINK_LIFETIME: jiff::SignedDuration = jiff::SignedDuration::from_hours(14 * 24);

/// What the person sees when they open their link: which service asks, and the form.
#[derive(Debug, Clone)]
pub struct SubjectFormRequest {
    pub link: SubjectFormLink,
    pub service_name: String,
    pub form: FormDefinition,
}

impl App {
    /// Makes a link for the person referred to fill in one of their forms. The secret is
    /// returned once, to be sent to them; only its hash is kept.
    pub async fn request_subject_form(
        &self,
        actor: &Actor,
        referral: ReferralId,
        form: Code,
    ) -> Result<(SubjectFormLink, String)> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let found = self.visible_referral(&mut tx, actor, referral).await?;
        if !actor.may_in_service(Permission::ReferralCreate, &found.service) {
            return Err(AppError::Forbidden("ask for forms on referrals of this service"));
        }
        if found.outcome != ReferralOutcome::Pending {
            return Err(AppError::Conflict(format!("the referral was already decided ({})", found.outcome.name())));
        }
        let definition = self.services.get(&found.service).cloned().ok_or(AppError::NotFound("service"))?;
        let subject = Code::parse("subject").map_err(|e| AppError::Internal(e.to_string()))?;
        if !definition.form(&form).is_some_and(|f| f.completed_by_allowed(&subject)) {
            return Err(casework_domain::FieldError::new("form", "the person referred does not fill in this form").into());
        }
        let (secret, hash) = new_secret("cwf_");
        let link = SubjectFormLink {
            id: EventId::new(),
            referral,
            form: form.clone(),
            created_by: actor.user,
            created_at: now,
            expires_at: now + LINK_LIFETIME,
            used_at: None,
        };
        subject_forms::insert(&mut tx, &link, &hash).await?;
        let change = Change::new(
            EventKind::SubjectFormRequested,
            Subject::Referral(referral),
            Value::Null,
            json!({ "form": form, "link": link.id, "expires_at": link.expires_at }),
        );
        self.record(&mut tx, actor, None, [change], now).await?;
        tx.commit().await?;
        Ok((link, secret))
    }

    /// The links made for a referral, newest first (never their secrets).
    pub async fn subject_form_links(&self, actor: &Actor, referral: ReferralId) -> Result<Vec<SubjectFormLink>> {
        let mut conn = self.store.read().await?;
        self.visible_referral(&mut conn, actor, referral).await?;
        Ok(subject_forms::for_referral(&mut conn, referral).await?)
    }

    /// The form behind a link, while it can still be used. An unknown secret and a used or
    /// expired link are told apart only as "not found" and "no longer works", so a link says
    /// nothing about any referral.
    pub async fn subject_form(&self, secret: &str) -> Result<SubjectFormRequest> {
        let mut conn = self.store.read().await?;
        let link = subject_forms::by_token_hash(&mut conn, &secret_hash(secret)).await?.ok_or(AppError::NotFound("link"))?;
        if link.used_at.is_some() || link.expires_at <= self.now() {
            return Err(AppError::Conflict("this link has been used or has expired".into()));
        }
        let referral = referrals::get(&mut conn, link.referral).await?.ok_or(AppError::NotFound("link"))?;
        if referral.outcome != ReferralOutcome::Pending {
            return Err(AppError::Conflict("this link has been used or has expired".into()));
        }
        let definition = self.services.get(&referral.service).cloned().ok_or(AppError::NotFound("service"))?;
        let form = definition.form(&link.form).cloned().ok_or(AppError::NotFound("form"))?;
        Ok(SubjectFormRequest { link, service_name: definition.service.name.clone(), form })
    }

    /// The person's answers: checked against the form, added to the referral as completed by
    /// them, and the link used up, in one transaction.
    pub async fn complete_subject_form(&self, secret: &str, answers: Map<String, Value>) -> Result<()> {
        let request = self.subject_form(secret).await?;
        let now = self.now();
        let system = system_actor();
        let mut tx = self.store.begin().await?;
        let mut referral = referrals::get(&mut tx, request.link.referral).await?.ok_or(AppError::NotFound("link"))?;
        let definition = self.services.get(&referral.service).cloned().ok_or(AppError::NotFound("service"))?;
        let entry = FormEntry {
            form: request.form.code.clone(),
            answers,
            completed_by: Some(Code::parse("subject").map_err(|e| AppError::Internal(e.to_string()))?),
        };
        let form = check_form(&system, &definition, &entry, now)?;
        if !subject_forms::mark_used(&mut tx, request.link.id, now).await? {
            return Err(AppError::Conflict("this link has been used or has expired".into()));
        }
        let change = Change::new(
            EventKind::ReferralFormAdded,
            Subject::Referral(referral.id),
            Value::Null,
            json!({ "form": form.form, "completed_by": form.completed_by, "score": form.score, "link": request.link.id }),
        );
        referral.forms.push(form);
        if !referrals::set_forms(&mut tx, referral.id, &referral.forms).await? {
            return Err(AppError::Conflict("this link has been used or has expired".into()));
        }
        self.record(&mut tx, &system, None, [change], now).await?;
        tx.commit().await?;
        Ok(())
    }
}
