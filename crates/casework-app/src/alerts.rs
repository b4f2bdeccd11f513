//! Alerts and reminders. A service's alert rules start on a case when something happens
//! (the case opens, a flag is set), fire after a delay and then repeat, to a role; a
//! person can set a reminder for a date. Each lands in the recipients' alert list with a
//! link to the case until someone acknowledges it with a note.

use crate::{App, AppError, Result};
use casework_domain::FieldError;
use casework_domain::access::{Actor, Permission};
use casework_domain::alert::AlertRule;
use casework_domain::case::Case;
use casework_domain::history::{Change, EventKind, Subject};
use casework_domain::ids::{CaseId, EventId, UserId};
use casework_domain::note::{NewNote, Note, NoteKind};
use casework_domain::service::ServiceDefinition;
use casework_domain::task::Assignee;
use casework_domain::text::{LongText, ShortText};
use casework_domain::timer::CaseEvent;
use casework_store::alerts::{self, Alert, Recipient, StoredSchedule};
use casework_store::{Connection, cases, events, notes};
use jiff::Timestamp;
use serde_json::{Value, json};

const SWEEP_BATCH: i64 = 500;

fn event(kind: EventKind, case: CaseId, after: Value, actor: UserId, at: Timestamp) -> casework_domain::history::Event {
    Change::new(kind, Subject::Case(case), Value::Null, after).into_event(Some(case), actor, at)
}

impl App {
    /// Starts and stops the case's alert rules on what happened, and fires at once what is due.
    pub(crate) async fn react_alerts(
        &self,
        conn: &mut Connection,
        actor: UserId,
        case: &Case,
        definition: &ServiceDefinition,
        happened: &[CaseEvent],
        at: Timestamp,
    ) -> Result<()> {
        if definition.alerts.is_empty() {
            return Ok(());
        }
        let mut active = alerts::active_schedules(conn, case.id).await?;
        for happening in happened {
            for rule in &definition.alerts {
                let stopped = *happening == CaseEvent::CaseClosed || rule.stop.as_ref().is_some_and(|t| t.matches(happening));
                if stopped {
                    for stored in active.iter_mut().filter(|s| s.rule == rule.code && s.schedule.next_at.is_some()) {
                        let seen = stored.schedule.occurrences;
                        stored.schedule.next_at = None;
                        alerts::update_schedule(conn, stored, seen).await?;
                    }
                }
                let running = active.iter().any(|s| s.rule == rule.code && s.schedule.next_at.is_some());
                if rule.start.matches(happening) && !running {
                    let stored = StoredSchedule {
                        id: EventId::new(),
                        case: case.id,
                        rule: rule.code.clone(),
                        schedule: rule.schedule(at),
                    };
                    alerts::insert_schedule(conn, &stored).await?;
                    active.push(stored);
                }
            }
        }
        for stored in &mut active {
            if let Some(rule) = definition.alerts.iter().find(|r| r.code == stored.rule) {
                self.fire_due(conn, case, rule, stored, actor, at).await?;
            }
        }
        Ok(())
    }

    /// Fires the schedule's due occurrence, if any and if the rule's condition holds.
    async fn fire_due(
        &self,
        conn: &mut Connection,
        case: &Case,
        rule: &AlertRule,
        stored: &mut StoredSchedule,
        actor: UserId,
        now: Timestamp,
    ) -> Result<bool> {
        let seen = stored.schedule.occurrences;
        let Some(occurrence) = stored.schedule.take_due(rule, now) else { return Ok(false) };
        if !alerts::update_schedule(conn, stored, seen).await? {
            return Ok(false); // another sweep fired it
        }
        if !rule.when.holds(case) {
            return Ok(false);
        }
        let alert = Alert {
            id: EventId::new(),
            case: case.id,
            case_reference: case.reference.to_string(),
            service: case.service.clone(),
            rule: Some(rule.code.clone()),
            schedule: Some(stored.id),
            occurrence: occurrence.number,
            recipient: Assignee::Role(rule.to.clone()),
            message: rule.name.clone(),
            fire_at: occurrence.due_at,
            created_by: actor,
            created_at: now,
            acknowledged: None,
        };
        if alerts::insert(conn, &alert).await? {
            let after = json!({ "alert": alert.id, "rule": rule.code, "occurrence": occurrence.number, "to": rule.to });
            events::insert(conn, &event(EventKind::AlertRaised, case.id, after, actor, now)).await?;
        }
        Ok(true)
    }

    /// Fires every alert rule that is due. Returns how many alerts were raised. Each
    /// occurrence is stored under a unique key, so a second sweep, or one on another
    /// instance, raises nothing twice.
    pub async fn sweep_alerts(&self) -> Result<usize> {
        let now = self.now();
        let system = crate::users::system_actor().user;
        let mut raised = 0;
        loop {
            let mut tx = self.store.begin().await?;
            let due = alerts::due_schedules(&mut tx, now, SWEEP_BATCH).await?;
            let batch = due.len();
            for mut stored in due {
                let Some(case) = cases::get(&mut tx, stored.case).await? else { continue };
                let definition = self.definition_of(&case)?;
                match definition.alerts.iter().find(|r| r.code == stored.rule) {
                    Some(rule) if case.is_open() => {
                        if self.fire_due(&mut tx, &case, rule, &mut stored, system, now).await? {
                            raised += 1;
                        }
                    }
                    // The rule is gone from the case's definition, or the case is closed.
                    _ => {
                        let seen = stored.schedule.occurrences;
                        stored.schedule.next_at = None;
                        alerts::update_schedule(&mut tx, &stored, seen).await?;
                    }
                }
            }
            tx.commit().await?;
            if i64::try_from(batch).unwrap_or(i64::MAX) < SWEEP_BATCH {
                break;
            }
        }
        Ok(raised)
    }

    /// How many alert rule schedules a sweep at `at` would look at.
    pub async fn alert_schedules_due(&self, at: Timestamp) -> Result<u64> {
        let mut conn = self.store.read().await?;
        Ok(alerts::count_due_schedules(&mut conn, at).await?)
    }

    /// The actor's alerts and reminders that have fired and wait for acknowledgement, on
    /// cases they may see.
    pub async fn my_alerts(&self, actor: &Actor, before: Option<EventId>, limit: i64) -> Result<Vec<Alert>> {
        let recipient = Recipient {
            user: actor.user,
            roles: actor.memberships.iter().map(|m| (m.service.clone(), m.role.code.clone())).collect(),
        };
        let visible = actor.case_filter(Permission::CaseRead);
        let mut conn = self.store.read().await?;
        Ok(alerts::inbox(&mut conn, &recipient, &visible, self.now(), before, limit).await?)
    }

    /// Acknowledges an alert with a note on its case, saying what was done about it.
    pub async fn acknowledge_alert(&self, actor: &Actor, id: EventId, text: LongText) -> Result<Alert> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let alert = alerts::get(&mut tx, id).await?.ok_or(AppError::NotFound("alert"))?;
        let addressed = match &alert.recipient {
            Assignee::User(user) => *user == actor.user,
            Assignee::Role(role) => actor.memberships.iter().any(|m| m.service == alert.service && &m.role.code == role),
            Assignee::Queue(_) => false,
        };
        let case = match cases::get(&mut tx, alert.case).await? {
            Some(case) if addressed && alert.fire_at <= now && actor.may(Permission::CaseRead, case.scope()) => case,
            _ => return Err(AppError::NotFound("alert")),
        };
        if alert.acknowledged.is_some() {
            return Err(AppError::Conflict("this alert was already acknowledged".into()));
        }
        let note = Note::record(case.id, NewNote::new(NoteKind::Analysis, text, now, now)?, actor.user, now);
        notes::insert(&mut tx, &note).await?;
        let note_change = Change::new(
            EventKind::NoteAdded,
            Subject::Note(note.id),
            Value::Null,
            json!({ "kind": note.kind, "contact_at": note.contact_at, "late_entry": note.late_entry, "acknowledges": alert.id }),
        );
        events::insert(&mut tx, &note_change.into_event(Some(case.id), actor.user, now)).await?;
        if !alerts::acknowledge(&mut tx, id, actor.user, now, note.id).await? {
            return Err(AppError::Conflict("this alert was already acknowledged".into()));
        }
        events::insert(
            &mut tx,
            &event(EventKind::AlertAcknowledged, case.id, json!({ "alert": id, "note": note.id }), actor.user, now),
        )
        .await?;
        let saved = alerts::get(&mut tx, id).await?.ok_or(AppError::NotFound("alert"))?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Raises a one-off alert about a case (not from a rule) to one recipient, with its
    /// history event, on the caller's transaction. `about` adds what the alert is about to
    /// the event (the break-glass grant, the withdrawn consent, the reminder's day).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn raise_alert(
        &self,
        conn: &mut Connection,
        case: &Case,
        recipient: Assignee,
        message: String,
        fire_at: Timestamp,
        kind: EventKind,
        about: Value,
        by: UserId,
        now: Timestamp,
    ) -> Result<Alert> {
        let alert = Alert {
            id: EventId::new(),
            case: case.id,
            case_reference: case.reference.to_string(),
            service: case.service.clone(),
            rule: None,
            schedule: None,
            occurrence: 0,
            recipient,
            message,
            fire_at,
            created_by: by,
            created_at: now,
            acknowledged: None,
        };
        alerts::insert(conn, &alert).await?;
        let mut after = json!({ "alert": alert.id, "to": alert.recipient, "message": alert.message });
        if let (Some(after), Value::Object(about)) = (after.as_object_mut(), about) {
            after.extend(about);
        }
        events::insert(conn, &event(kind, case.id, after, by, now)).await?;
        Ok(alert)
    }

    /// Sets a reminder about a case for a date: a manager's review date, or a
    /// practitioner asking their manager to review. It shows from the start of that day.
    pub async fn set_reminder(
        &self,
        actor: &Actor,
        case_id: CaseId,
        to: Assignee,
        on: jiff::civil::Date,
        message: ShortText,
    ) -> Result<Alert> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let case = self.case_for(&mut tx, actor, case_id, Permission::NoteAdd, "set reminders on this case").await?;
        let definition = self.definition_of(&case)?;
        let reaches = match &to {
            Assignee::User(user) => self.could_keep(*user, &case, Permission::CaseRead).await?,
            Assignee::Role(role) => definition.role(role).is_some(),
            Assignee::Queue(_) => false,
        };
        if !reaches {
            return Err(FieldError::new("to", "no such role in this service, or a user who cannot see this case").into());
        }
        let fire_at =
            on.to_zoned(casework_domain::time::service_zone()).map_err(|e| AppError::Internal(e.to_string()))?.timestamp();
        if casework_domain::time::day_of(now) > on {
            return Err(FieldError::new("on", "must be today or later").into());
        }
        let after = json!({ "on": on });
        let alert = self
            .raise_alert(&mut tx, &case, to, message.to_string(), fire_at, EventKind::ReminderSet, after, actor.user, now)
            .await?;
        tx.commit().await?;
        Ok(alert)
    }

    /// Every alert and reminder of a case, acknowledged or not. Reading them is logged.
    pub async fn case_alerts(&self, actor: &Actor, case: CaseId) -> Result<Vec<Alert>> {
        self.log_read(actor, case, Permission::CaseRead, "alerts").await?;
        let mut conn = self.store.read().await?;
        Ok(alerts::for_case(&mut conn, case).await?)
    }
}
