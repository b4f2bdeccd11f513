//! Forms: checked against the service's definition, scored, and recorded with who completed
//! them. On a referral they decide whether it is valid; on a case they are the assessments.

use crate::{App, AppError, Result};
use casework_domain::access::{Actor, Permission};
use casework_domain::form::Validity;
use casework_domain::history::{Change, EventKind, Subject};
use casework_domain::ids::{CaseId, EventId, ReferralId};
use casework_domain::referral::{AttachedForm, Referral, ReferralOutcome};
use casework_domain::service::ServiceDefinition;
use casework_domain::text::Code;
use casework_domain::{FieldError, Invalid};
use casework_store::forms::Submission;
use casework_store::{forms, referrals};
use jiff::Timestamp;
use serde_json::{Map, Value, json};

/// A form as entered: which form, the answers, and (when the person entering it is not the
/// one who completed it) who did.
#[derive(Debug, Clone)]
pub struct FormEntry {
    pub form: Code,
    pub answers: Map<String, Value>,
    pub completed_by: Option<Code>,
}

/// Checks a form against the definition and says who completed it: the given completer,
/// else the actor's own role if it is one that completes this form, else the only role that
/// does. Errors are reported under the entry's fields.
pub(crate) fn check_form(
    actor: &Actor,
    definition: &ServiceDefinition,
    entry: &FormEntry,
    now: Timestamp,
) -> std::result::Result<AttachedForm, Invalid> {
    let Some(form) = definition.form(&entry.form) else {
        return Err(Invalid::one("form", format!("'{}' is not a form of this service", entry.form)));
    };
    let own_role = || {
        actor
            .memberships
            .iter()
            .filter(|m| &m.service == definition.code())
            .map(|m| &m.role.code)
            .find(|role| form.completed_by_allowed(role))
            .cloned()
    };
    let names = |codes: &[Code]| {
        codes
            .iter()
            .map(|code| {
                if code.as_str() == "subject" {
                    "the person themselves".to_owned()
                } else {
                    definition.role(code).map_or_else(|| code.to_string(), |r| r.name.to_lowercase())
                }
            })
            .collect::<Vec<_>>()
            .join(" or ")
    };
    let completed_by = match &entry.completed_by {
        Some(completer) if form.completed_by_allowed(completer) => Ok(completer.clone()),
        Some(completer) => Err(FieldError::new(
            "completed_by",
            format!("'{completer}' does not complete {}; it is completed by {}", form.name, names(&form.filled_by)),
        )),
        None => match (own_role(), form.filled_by.as_slice()) {
            (Some(role), _) => Ok(role),
            (None, [only]) => Ok(only.clone()),
            (None, all) => Err(FieldError::new("completed_by", format!("say who completed it: {}", names(all)))),
        },
    };
    // Both problems at once, so the person filling it in sees everything to put right.
    let score = form.check_answers(&entry.answers);
    let (completed_by, score) = match (completed_by, score) {
        (Ok(completed_by), Ok(score)) => (completed_by, score),
        (completed_by, score) => {
            let mut invalid = Invalid::new();
            if let Err(problem) = completed_by {
                invalid.push(problem);
            }
            if let Err(problems) = score {
                invalid.errors.extend(problems.errors);
            }
            return Err(invalid);
        }
    };
    Ok(AttachedForm {
        form: entry.form.clone(),
        answers: entry.answers.clone(),
        completed_by,
        score,
        submitted_by: actor.user,
        submitted_at: now,
    })
}

/// Checks every form of a request, reporting all problems under `forms/<i>/…`.
pub(crate) fn check_forms(
    actor: &Actor,
    definition: &ServiceDefinition,
    entries: &[FormEntry],
    now: Timestamp,
) -> std::result::Result<Vec<AttachedForm>, Invalid> {
    let mut invalid = Invalid::new();
    let mut checked = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        match check_form(actor, definition, entry, now) {
            Ok(form) => checked.push(form),
            Err(errors) => invalid.absorb(&format!("forms/{i}"), errors),
        }
    }
    invalid.into_result()?;
    Ok(checked)
}

/// Whether a referral's forms make it valid under its service's rules.
pub fn referral_validity(definition: &ServiceDefinition, referral: &Referral) -> Validity {
    definition.referrals.validity(referral.forms.iter().map(|f| &f.form).collect::<Vec<_>>())
}

/// Refuses to accept a referral that its forms do not make valid, saying what is missing.
pub(crate) fn require_valid(definition: &ServiceDefinition, forms: &[AttachedForm]) -> Result<()> {
    let validity = definition.referrals.validity(forms.iter().map(|f| &f.form).collect::<Vec<_>>());
    if validity.valid {
        return Ok(());
    }
    let ways: Vec<String> = validity
        .missing
        .iter()
        .map(|set| {
            set.iter().map(|f| definition.form(f).map_or(f.to_string(), |d| d.name.clone())).collect::<Vec<_>>().join(" and ")
        })
        .collect();
    Err(FieldError::new("forms", format!("the referral is not valid yet: it still needs {}", ways.join(", or "))).into())
}

impl App {
    /// Adds a form to a referral that is still pending (e.g. Form 2 arriving after Form 1).
    pub async fn add_referral_form(&self, actor: &Actor, id: ReferralId, entry: FormEntry) -> Result<Referral> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut referral = self.visible_referral(&mut tx, actor, id).await?;
        if !actor.may_in_service(Permission::ReferralCreate, &referral.service) {
            return Err(AppError::Forbidden("add forms to referrals of this service"));
        }
        if referral.outcome != ReferralOutcome::Pending {
            return Err(AppError::Conflict(format!("the referral was already decided ({})", referral.outcome.name())));
        }
        let definition = self.services.get(&referral.service).cloned().ok_or(AppError::NotFound("service"))?;
        let form = check_form(actor, &definition, &entry, now)?;
        let change = Change::new(
            EventKind::ReferralFormAdded,
            Subject::Referral(id),
            Value::Null,
            json!({ "form": form.form, "completed_by": form.completed_by, "score": form.score }),
        );
        referral.forms.push(form);
        if !referrals::set_forms(&mut tx, id, &referral.forms).await? {
            return Err(AppError::Conflict("the referral was decided meanwhile".into()));
        }
        self.record(&mut tx, actor, None, [change], now).await?;
        tx.commit().await?;
        Ok(referral)
    }

    /// Records a form filled in on an open case (an assessment, a screening…).
    pub async fn submit_case_form(&self, actor: &Actor, case: CaseId, entry: FormEntry) -> Result<Submission> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let found = self.case_for(&mut tx, actor, case, Permission::NoteAdd, "record forms on this case").await?;
        if !found.is_open() {
            return Err(FieldError::new("", "the case is closed; reopen it to record forms").into());
        }
        let definition = self.definition_of(&found)?;
        if definition.reports.case_file_audit.as_ref().is_some_and(|a| a.form == entry.form) {
            return Err(FieldError::new("form", "the case-file audit is completed through an audit round").into());
        }
        let submission = Submission { id: EventId::new(), case, form: check_form(actor, &definition, &entry, now)? };
        forms::insert(&mut tx, &submission).await?;
        let change = Change::new(
            EventKind::FormSubmitted,
            Subject::Case(case),
            Value::Null,
            json!({ "form": submission.form.form, "submission": submission.id, "completed_by": submission.form.completed_by,
                    "score": submission.form.score }),
        );
        self.record(&mut tx, actor, Some(case), [change], now).await?;
        tx.commit().await?;
        Ok(submission)
    }

    /// A case's forms, newest first. Reading them is logged.
    pub async fn case_forms(&self, actor: &Actor, case: CaseId, before: Option<EventId>, limit: i64) -> Result<Vec<Submission>> {
        self.log_read(actor, case, Permission::CaseRead, "forms").await?;
        let mut conn = self.store.read().await?;
        Ok(forms::for_case(&mut conn, case, before, limit).await?)
    }
}
