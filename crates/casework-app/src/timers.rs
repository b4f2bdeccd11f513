//! Deadlines on cases: started, paused, resumed and stopped by what is recorded on a case,
//! in the same transaction as the change that moved them; found breached by a sweep that
//! reads only the timers that are due.

use crate::{App, AppError, Result};
use casework_domain::access::{Actor, Permission};
use casework_domain::calendar::Calendar;
use casework_domain::history::{Change, Subject};
use casework_domain::ids::{CaseId, EventId, UserId};
use casework_domain::text::{Code, ShortText};
use casework_domain::timer::{CaseEvent, Target, TimeLeft, Timer, TimerChange, events_of, react, sweep};
use casework_store::timers::{self, StoredTimer};
use casework_store::{Connection, Tx, cases, events};
use jiff::Timestamp;
use std::collections::HashSet;
use std::sync::Arc;

/// A deadline as shown on a case: the timer and how much time it has left now.
#[derive(Debug, Clone)]
pub struct Deadline {
    pub id: EventId,
    pub name: String,
    pub timer: Timer,
    pub left: TimeLeft,
}

/// How many due timers one sweep transaction handles; the sweep repeats until none are left.
const SWEEP_BATCH: usize = 500;

impl App {
    fn calendar_for(&self, case: &casework_domain::case::Case) -> Result<Arc<Calendar>> {
        Ok(self.services.calendar(&*self.definition_of(case)?))
    }

    /// Applies recorded changes of a case to its timers (called from `record`).
    pub(crate) async fn react_to_changes(
        &self,
        conn: &mut Connection,
        actor: UserId,
        case: CaseId,
        changes: &[Change],
        at: Timestamp,
    ) -> Result<()> {
        if changes.iter().any(|c| c.kind == casework_domain::history::EventKind::LevelChanged) {
            let case = cases::get(conn, case).await?.ok_or(AppError::NotFound("case"))?;
            self.reschedule_review(conn, actor, &case, at).await?;
        }
        let events: Vec<CaseEvent> = changes.iter().flat_map(events_of).collect();
        if events.is_empty() {
            return Ok(());
        }
        self.react_to_events(conn, actor, case, &events, at).await
    }

    /// Applies events to a case's timers and records what changed.
    pub(crate) async fn react_to_events(
        &self,
        conn: &mut Connection,
        actor: UserId,
        case_id: CaseId,
        happened: &[CaseEvent],
        at: Timestamp,
    ) -> Result<()> {
        let case = cases::get(conn, case_id).await?.ok_or(AppError::NotFound("case"))?;
        let definition = self.definition_of(&case)?;
        self.react_alerts(conn, actor, &case, &definition, happened, at).await?;
        if definition.timers.is_empty() {
            return Ok(());
        }
        let calendar = self.services.calendar(&definition);
        let stored = timers::for_case(conn, case_id).await?;
        let before: Vec<(EventId, String, Timer)> =
            stored.into_iter().map(|s| (s.id, s.timer.state.name().to_owned(), s.timer)).collect();
        let mut running: Vec<Timer> = before.iter().map(|(_, _, t)| t.clone()).collect();
        let mut changes = Vec::new();
        for event in happened {
            changes.extend(react(&definition.timers, &mut running, event, &calendar, at));
        }
        self.save_timers(conn, actor, case_id, &before, running, changes, at).await
    }

    /// Writes the timers that changed and a history event for each change.
    #[allow(clippy::too_many_arguments)]
    async fn save_timers(
        &self,
        conn: &mut Connection,
        actor: UserId,
        case: CaseId,
        before: &[(EventId, String, Timer)],
        after: Vec<Timer>,
        changes: Vec<TimerChange>,
        at: Timestamp,
    ) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        for (i, timer) in after.into_iter().enumerate() {
            match before.get(i) {
                Some((id, state, old)) if *old != timer => {
                    let stored = StoredTimer { id: *id, case, timer };
                    if !timers::update(conn, &stored, state, at).await? {
                        return Err(AppError::Conflict("a deadline of this case changed meanwhile; try again".into()));
                    }
                }
                Some(_) => {}
                None => timers::insert(conn, &StoredTimer { id: EventId::new(), case, timer }, at).await?,
            }
        }
        for change in changes {
            let event = Change::new(change.kind.event_kind(), Subject::Case(case), change.before, change.after).into_event(
                Some(case),
                actor,
                at,
            );
            events::insert(conn, &event).await?;
        }
        Ok(())
    }

    /// Marks every running timer past its due time as breached, once, and records it.
    /// Returns how many were breached. Safe to run from several places at once: a timer
    /// another sweep already marked is left alone.
    pub async fn sweep_timers(&self) -> Result<usize> {
        self.sweep_timers_in_batches(SWEEP_BATCH).await
    }

    /// [`App::sweep_timers`], `batch` due timers per transaction. Each batch is read with one
    /// query and written with a few statements (one `UPDATE` and multi-row `INSERT`s for its
    /// events and their chain links). A batch that fails is swept again one timer per
    /// transaction, so one timer that cannot be swept is logged and passed over (until the
    /// next sweep) without holding the others back.
    pub async fn sweep_timers_in_batches(&self, batch: usize) -> Result<usize> {
        let batch = batch.max(1);
        let now = self.now();
        let mut breached = 0;
        // Due timers this sweep has already dealt with and that are still due (one that
        // failed, or that another sweep changed first): not read again by this sweep.
        let mut passed_over: HashSet<EventId> = HashSet::new();
        loop {
            let mut tx = self.store.begin().await?;
            let limit = i64::try_from(batch + passed_over.len()).unwrap_or(i64::MAX);
            let read = timers::due(&mut tx, now, limit).await?;
            let last_batch = read.len() < usize::try_from(limit).unwrap_or(usize::MAX);
            let due: Vec<StoredTimer> = read.into_iter().filter(|t| !passed_over.contains(&t.id)).take(batch).collect();
            if due.is_empty() {
                break;
            }
            match self.breach_batch(tx, &due, now).await {
                Ok((done, unchanged)) => {
                    breached += done;
                    passed_over.extend(unchanged);
                }
                Err(error) => {
                    tracing::warn!(%error, timers = due.len(), "a batch of due deadlines failed; sweeping them one at a time");
                    for stored in &due {
                        match self.breach_alone(stored.case, stored.id, now).await {
                            Ok(done) => breached += done,
                            Err(error) => {
                                tracing::error!(%error, timer = %stored.id, case = %stored.case, "this deadline could not be swept");
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
        Ok(breached)
    }

    /// Breaches a batch of due timers and records each breach, in one transaction. Returns
    /// how many were breached and the timers left unchanged because another sweep had
    /// changed them first.
    async fn breach_batch(&self, mut tx: Tx, due: &[StoredTimer], now: Timestamp) -> Result<(usize, Vec<EventId>)> {
        let system = crate::users::system_actor().user;
        let mut changed = Vec::with_capacity(due.len());
        let mut changes = Vec::with_capacity(due.len());
        for stored in due {
            let mut timer = [stored.timer.clone()];
            let found = sweep(&mut timer, now);
            let [timer] = timer;
            if !found.is_empty() {
                changed.push((StoredTimer { id: stored.id, case: stored.case, timer }, stored.timer.state.name()));
                changes.push((stored.id, stored.case, found));
            }
        }
        let saved = timers::update_many(&mut tx, &changed, now).await?;
        let mut events = Vec::new();
        for (id, case, found) in changes {
            if saved.contains(&id) {
                events.extend(found.into_iter().map(|change| {
                    Change::new(change.kind.event_kind(), Subject::Case(case), change.before, change.after).into_event(
                        Some(case),
                        system,
                        now,
                    )
                }));
            }
        }
        events::insert_many(&mut tx, &events).await?;
        tx.commit().await?;
        let unchanged = due.iter().map(|t| t.id).filter(|id| !saved.contains(id)).collect();
        Ok((events.len(), unchanged))
    }

    /// Breaches one timer, read again, if it is still due, in a transaction of its own.
    async fn breach_alone(&self, case: CaseId, id: EventId, now: Timestamp) -> Result<usize> {
        let system = crate::users::system_actor().user;
        let mut tx = self.store.begin().await?;
        let Some(stored) = timers::for_case(&mut tx, case).await?.into_iter().find(|t| t.id == id) else {
            return Ok(0);
        };
        let state = stored.timer.state.name().to_owned();
        let mut timer = [stored.timer];
        let changes = sweep(&mut timer, now);
        let [timer] = timer;
        if changes.is_empty() || !timers::update(&mut tx, &StoredTimer { id, case, timer }, &state, now).await? {
            return Ok(0);
        }
        let breached = changes.len();
        for change in changes {
            let event = Change::new(change.kind.event_kind(), Subject::Case(case), change.before, change.after).into_event(
                Some(case),
                system,
                now,
            );
            events::insert(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(breached)
    }

    /// How many running timers a sweep at `at` would find breached.
    pub async fn timers_due(&self, at: Timestamp) -> Result<u64> {
        let mut conn = self.store.read().await?;
        Ok(timers::count_due(&mut conn, at).await?)
    }

    /// A case's deadlines with the time each has left.
    pub async fn case_deadlines(&self, actor: &Actor, case: CaseId) -> Result<Vec<Deadline>> {
        let found = self.log_read(actor, case, Permission::CaseRead, "deadlines").await?;
        let definition = self.definition_of(&found)?;
        let calendar = self.services.calendar(&definition);
        let now = self.now();
        let mut conn = self.store.read().await?;
        Ok(timers::for_case(&mut conn, case)
            .await?
            .into_iter()
            .map(|stored| Deadline {
                id: stored.id,
                name: definition
                    .timers
                    .iter()
                    .find(|t| t.code == stored.timer.code)
                    .map_or_else(|| stored.timer.code.to_string(), |t| t.name.clone()),
                left: stored.timer.left(&calendar, now),
                timer: stored.timer,
            })
            .collect())
    }

    /// The most pressing open deadline of each of these cases (already listed for the actor,
    /// so no further view is logged): breached first, then the soonest due, paused last.
    pub async fn next_deadlines(&self, cases: &[(CaseId, Code)]) -> Result<std::collections::BTreeMap<CaseId, Deadline>> {
        let now = self.now();
        let ids: Vec<CaseId> = cases.iter().map(|(id, _)| *id).collect();
        let stored = {
            let mut conn = self.store.read().await?;
            timers::open_for_cases(&mut conn, &ids).await?
        };
        let mut next: std::collections::BTreeMap<CaseId, Deadline> = std::collections::BTreeMap::new();
        let urgency = |timer: &casework_domain::timer::Timer| match timer.state {
            casework_domain::timer::TimerState::Breached { .. } => 0,
            casework_domain::timer::TimerState::Paused { .. } => 2,
            _ => 1,
        };
        for stored in stored {
            let Some((_, service)) = cases.iter().find(|(id, _)| *id == stored.case) else { continue };
            let Some(definition) = self.services.get(service).cloned() else { continue };
            if next.get(&stored.case).is_some_and(|d| urgency(&d.timer) <= urgency(&stored.timer)) {
                continue;
            }
            let calendar = self.services.calendar(&definition);
            let name = definition
                .timers
                .iter()
                .find(|t| t.code == stored.timer.code)
                .map_or_else(|| stored.timer.code.to_string(), |t| t.name.clone());
            next.insert(
                stored.case,
                Deadline { id: stored.id, name, left: stored.timer.left(&calendar, now), timer: stored.timer },
            );
        }
        Ok(next)
    }

    /// Gives a deadline more time, for a reason. Refused once it was breached.
    pub async fn extend_deadline(
        &self,
        actor: &Actor,
        case: CaseId,
        id: EventId,
        by: Target,
        reason: ShortText,
    ) -> Result<Deadline> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let found = self.case_for(&mut tx, actor, case, Permission::CaseUpdate, "extend deadlines on this case").await?;
        let calendar = self.calendar_for(&found)?;
        let stored =
            timers::for_case(&mut tx, case).await?.into_iter().find(|s| s.id == id).ok_or(AppError::NotFound("deadline"))?;
        let state = stored.timer.state.name().to_owned();
        let mut timer = stored.timer;
        let change = timer.extend(by, reason, &calendar, now)?;
        let saved = StoredTimer { id, case, timer };
        if !timers::update(&mut tx, &saved, &state, now).await? {
            return Err(AppError::Conflict("the deadline changed meanwhile; reload it and try again".into()));
        }
        let event = Change::new(change.kind.event_kind(), Subject::Case(case), change.before, change.after).into_event(
            Some(case),
            actor.user,
            now,
        );
        events::insert(&mut tx, &event).await?;
        tx.commit().await?;
        let definition = self.definition_of(&found)?;
        let name = definition
            .timers
            .iter()
            .find(|t| t.code == saved.timer.code)
            .map_or_else(|| saved.timer.code.to_string(), |t| t.name.clone());
        Ok(Deadline { id, name, left: saved.timer.left(&calendar, now), timer: saved.timer })
    }
}
