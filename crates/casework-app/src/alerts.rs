//! Alerts and reminders. A service's alert rules start on a case when something happens
//! (the case opens, a flag is set), fire after a delay and then repeat, to a role; a
//! person can set a reminder for a date. Each lands in the recipients' alert list with a
//! link to the case until someone acknowledges it with a note.

use crate::{App, AppError, Result};
use casework_domain::FieldError;
use casework_domain::access::{Actor, Permission};
use casework_domain::alert::{AlertRule, Occurrence};
use casework_domain::case::Case;
use casework_domain::history::{Change, EventKind, Subject};
use casework_domain::ids::{CaseId, EventId, UserId};
use casework_domain::note::{NewNote, Note, NoteKind};
use casework_domain::service::ServiceDefinition;
use casework_domain::task::Assignee;
use casework_domain::text::{LongText, ShortText};
use casework_domain::timer::CaseEvent;
use casework_store::alerts::{self, Alert, Recipient, StoredSchedule};
use casework_store::{Connection, Tx, cases, events, notes};
use jiff::Timestamp;
use serde_json::{Value, json};
use std::collections::HashSet;

/// The alert `rule` raises on `case` for an occurrence of its schedule, and what the
/// history event of its raising records.
fn raised(
    case: &Case,
    rule: &AlertRule,
    schedule: EventId,
    occurrence: &Occurrence,
    by: UserId,
    now: Timestamp,
) -> (Alert, Value) {
    let alert = Alert {
        id: EventId::new(),
        case: case.id,
        case_reference: case.reference.to_string(),
        service: case.service.clone(),
        rule: Some(rule.code.clone()),
        schedule: Some(schedule),
        occurrence: occurrence.number,
        recipient: Assignee::Role(rule.to.clone()),
        message: rule.name.clone(),
        fire_at: occurrence.due_at,
        created_by: by,
        created_at: now,
        acknowledged: None,
    };
    let after = json!({ "alert": alert.id, "rule": rule.code, "occurrence": occurrence.number, "to": rule.to });
    (alert, after)
}

/// How many due schedules one sweep transaction handles; the sweep repeats until none are left.
const SWEEP_BATCH: usize = 500;

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
        let (alert, after) = raised(case, rule, stored.id, &occurrence, actor, now);
        if alerts::insert(conn, &alert).await? {
            events::insert(conn, &event(EventKind::AlertRaised, case.id, after, actor, now)).await?;
        }
        Ok(true)
    }

    /// Fires every alert rule that is due. Returns how many alerts were raised. Each
    /// occurrence is stored under a unique key, so a second sweep, or one on another
    /// instance, raises nothing twice.
    pub async fn sweep_alerts(&self) -> Result<usize> {
        self.sweep_alerts_in_batches(SWEEP_BATCH).await
    }

    /// [`App::sweep_alerts`], `batch` due schedules per transaction. Each batch is read with
    /// one query for the schedules and one per table for their cases, and written with a few
    /// statements (one `UPDATE` of the schedules, multi-row `INSERT`s of the alerts, their
    /// events and chain links). A batch that fails is swept again one schedule per
    /// transaction, so one that cannot be swept is logged and passed over (until the next
    /// sweep) without holding the others back.
    pub async fn sweep_alerts_in_batches(&self, batch: usize) -> Result<usize> {
        let batch = batch.max(1);
        let now = self.now();
        let mut raised = 0;
        // Due schedules this sweep has already dealt with and that are still due: not read
        // again by this sweep.
        let mut passed_over: HashSet<EventId> = HashSet::new();
        loop {
            let mut tx = self.store.begin().await?;
            let limit = i64::try_from(batch + passed_over.len()).unwrap_or(i64::MAX);
            let read = alerts::due_schedules(&mut tx, now, limit).await?;
            let last_batch = read.len() < usize::try_from(limit).unwrap_or(usize::MAX);
            let due: Vec<StoredSchedule> = read.into_iter().filter(|s| !passed_over.contains(&s.id)).take(batch).collect();
            if due.is_empty() {
                break;
            }
            match self.fire_batch(tx, &due, now).await {
                Ok((done, unchanged)) => {
                    raised += done;
                    passed_over.extend(unchanged);
                }
                Err(error) => {
                    tracing::warn!(%error, schedules = due.len(), "a batch of due alert schedules failed; sweeping them one at a time");
                    for stored in &due {
                        match self.fire_alone(stored.case, stored.id, now).await {
                            Ok(done) => raised += usize::from(done),
                            Err(error) => {
                                tracing::error!(%error, schedule = %stored.id, case = %stored.case, rule = %stored.rule,
                                    "this alert schedule could not be swept");
                                passed_over.insert(stored.id);
                            }
                        }
                    }
                }
            }
            if last_batch {
                break;
            }
        }
        Ok(raised)
    }

    /// Fires a batch of due schedules in one transaction, as [`App::fire_due`] fires one:
    /// each schedule moves on only if no other sweep moved it first, and its alert (when
    /// the rule's condition holds of the case) is stored with its history event. A schedule
    /// whose rule is gone from its case's definition, or whose case is closed, stops.
    /// Returns how many alerts were raised and the schedules left unchanged.
    async fn fire_batch(&self, mut tx: Tx, due: &[StoredSchedule], now: Timestamp) -> Result<(usize, Vec<EventId>)> {
        let system = crate::users::system_actor().user;
        let ids: Vec<CaseId> = due.iter().map(|s| s.case).collect();
        let found = cases::get_many(&mut tx, &ids).await?;
        let mut moved = Vec::with_capacity(due.len());
        let mut firing = Vec::new();
        for stored in due {
            let case = found.get(&stored.case).ok_or(AppError::NotFound("case"))?;
            let definition = self.definition_of(case)?;
            let seen = stored.schedule.occurrences;
            let mut next = stored.clone();
            match definition.alerts.iter().find(|r| r.code == stored.rule) {
                Some(rule) if case.is_open() => {
                    let Some(occurrence) = next.schedule.take_due(rule, now) else { continue };
                    if rule.when.holds(case) {
                        firing.push(raised(case, rule, stored.id, &occurrence, system, now));
                    }
                }
                // The rule is gone from the case's definition, or the case is closed.
                _ => next.schedule.next_at = None,
            }
            moved.push((next, seen));
        }
        let saved = alerts::update_schedules(&mut tx, &moved).await?;
        firing.retain(|(alert, _)| alert.schedule.is_some_and(|s| saved.contains(&s)));
        let (firing, afters): (Vec<Alert>, Vec<Value>) = firing.into_iter().unzip();
        let stored = alerts::insert_many(&mut tx, &firing).await?;
        let raised: Vec<casework_domain::history::Event> = firing
            .iter()
            .zip(afters)
            .filter(|(alert, _)| stored.contains(&alert.id))
            .map(|(alert, after)| event(EventKind::AlertRaised, alert.case, after, system, now))
            .collect();
        events::insert_many(&mut tx, &raised).await?;
        tx.commit().await?;
        let unchanged = due.iter().map(|s| s.id).filter(|id| !saved.contains(id)).collect();
        Ok((raised.len(), unchanged))
    }

    /// Fires one schedule, read again, if it is still due, in a transaction of its own.
    async fn fire_alone(&self, case: CaseId, id: EventId, now: Timestamp) -> Result<bool> {
        let system = crate::users::system_actor().user;
        let mut tx = self.store.begin().await?;
        let Some(mut stored) = alerts::active_schedules(&mut tx, case).await?.into_iter().find(|s| s.id == id) else {
            return Ok(false);
        };
        let case = cases::get(&mut tx, case).await?.ok_or(AppError::NotFound("case"))?;
        let definition = self.definition_of(&case)?;
        let raised = match definition.alerts.iter().find(|r| r.code == stored.rule) {
            Some(rule) if case.is_open() => self.fire_due(&mut tx, &case, rule, &mut stored, system, now).await?,
            // The rule is gone from the case's definition, or the case is closed.
            _ => {
                let seen = stored.schedule.occurrences;
                stored.schedule.next_at = None;
                alerts::update_schedule(&mut tx, &stored, seen).await?;
                false
            }
        };
        tx.commit().await?;
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
