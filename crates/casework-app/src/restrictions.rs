//! Restricting and shielding cases, and break-glass access (the rules are in the domain's
//! `access` module). Changing a case's restriction is a case command like any other: one
//! transaction, version-checked, with a history event holding the restriction before and
//! after. Breaking glass records the grant and its history event and alerts the case's
//! worker and the service's managers in the same transaction.

use crate::{App, AppError, Result};
use casework_domain::FieldError;
use casework_domain::access::{Actor, Permission, Restriction};
use casework_domain::case::Case;
use casework_domain::history::EventKind;
use casework_domain::ids::{CaseId, EventId};
use casework_domain::task::{Assignee, TaskStatus};
pub use casework_store::cases::BreakGlassGrant;
use casework_store::{cases, tasks, users};
use serde_json::json;

impl App {
    /// The case's restriction and access list, for whoever may see the case. Logged as a read.
    pub async fn case_restriction(&self, actor: &Actor, id: CaseId) -> Result<Case> {
        self.log_read(actor, id, Permission::CaseRead, "restriction").await
    }

    /// Restricts, shields or lifts the case and sets its access list. Refused when the one
    /// making the change would no longer see the case, or when its worker or someone with an
    /// open task on it would not (nobody may hold what they cannot see).
    pub async fn restrict_case(&self, actor: &Actor, id: CaseId, seen_version: i64, restriction: Restriction) -> Result<Case> {
        {
            let mut conn = self.store.read().await?;
            let case = self.case_for(&mut conn, actor, id, Permission::CaseRestrict, "restrict this case").await?;
            let service = self.definition_of(&case)?;
            for user in &restriction.users {
                if users::get(&mut conn, *user).await?.is_none() {
                    return Err(FieldError::new("users", format!("there is no user {user}")).into());
                }
            }
            let mut proposed = case.clone();
            proposed.restrict(&service, restriction.clone())?;
            if !actor.may(Permission::CaseRead, proposed.scope().lasting()) {
                return Err(FieldError::new(
                    "users",
                    "you would no longer be able to see this case: name yourself or one of your roles",
                )
                .into());
            }
            if let Some(worker) = proposed.worker
                && !self.could_keep(worker, &proposed, Permission::CaseRead).await?
            {
                return Err(FieldError::new(
                    "users",
                    "the case's worker would no longer be able to see it: name them, or allocate the case first",
                )
                .into());
            }
            for task in tasks::list(&mut conn, id, None, 10_000).await? {
                if let (TaskStatus::Open, Assignee::User(user)) = (&task.status, &task.assignee)
                    && !self.could_keep(*user, &proposed, Permission::TaskManage).await?
                {
                    return Err(FieldError::new(
                        "users",
                        format!("someone with the open task '{}' would no longer be able to see the case", task.title),
                    )
                    .into());
                }
            }
        }
        self.change_case_restriction(actor, id, seen_version, restriction).await
    }

    /// Opens a restricted case the actor is not named on, for the service's hours, for a
    /// reason from the service's list with details. The grant and its history event are
    /// written, and the case's worker and the service's managers alerted, in one transaction.
    pub async fn break_glass(&self, actor: &Actor, id: CaseId, reason: &str, details: &str) -> Result<BreakGlassGrant> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut case = cases::get(&mut tx, id).await?.ok_or(AppError::NotFound("case"))?;
        if !actor.may_break_glass(case.scope()) {
            return Err(if actor.may(Permission::CaseRead, case.scope()) {
                AppError::Conflict("you may see this case already".into())
            } else {
                AppError::NotFound("case")
            });
        }
        let definition = self.definition_of(&case)?;
        let change = case.break_glass(&definition, actor.user, reason, details, now)?;
        let window = case.break_glass.last().cloned().ok_or_else(|| AppError::Internal("grant vanished".into()))?;
        let grant = BreakGlassGrant {
            id: EventId::new(),
            case: id,
            user: actor.user,
            reason: window.reason.clone(),
            details: details.trim().to_owned(),
            granted_at: now,
            expires_at: window.until,
        };
        cases::insert_break_glass(&mut tx, &grant).await?;
        self.record(&mut tx, actor, Some(id), [change], now).await?;

        let rules = definition.break_glass.as_ref().ok_or_else(|| AppError::Internal("no break-glass rules".into()))?;
        let reason_name =
            rules.reasons.iter().find(|r| r.code == grant.reason).map_or_else(|| grant.reason.to_string(), |r| r.name.clone());
        let message = format!("{} opened {} by break-glass: {reason_name}", actor.username, case.reference);
        let owner = case.worker.filter(|w| *w != actor.user).map(Assignee::User);
        let managers = rules.notify_roles.iter().cloned().map(Assignee::Role);
        for recipient in owner.into_iter().chain(managers) {
            let about = json!({ "break_glass": grant.id });
            self.raise_alert(&mut tx, &case, recipient, message.clone(), now, EventKind::AlertRaised, about, actor.user, now)
                .await?;
        }
        tx.commit().await?;
        Ok(grant)
    }
}

impl App {
    /// What the break-glass page offers for a restricted case the actor may open by
    /// break-glass: the service's reasons and for how long. Anyone else is told it does not exist.
    pub async fn break_glass_terms(&self, actor: &Actor, id: CaseId) -> Result<casework_domain::service::BreakGlassRules> {
        let mut conn = self.store.read().await?;
        let case = cases::get(&mut conn, id).await?.ok_or(AppError::NotFound("case"))?;
        if !actor.may_break_glass(case.scope()) {
            return Err(AppError::NotFound("case"));
        }
        self.definition_of(&case)?.break_glass.clone().ok_or(AppError::NotFound("case"))
    }
}
