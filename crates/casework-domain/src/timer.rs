//! Timers: the deadlines a service promises ("initial assessment within 5 working days of
//! referral", "seen within 72 hours", "triage within 10 working days of the initial
//! assessment"), started, paused, resumed and stopped by what happens on a case, and shown
//! with how much time is left.
//!
//! A service defines its timers ([`TimerDefinition`]) in its TOML file. [`react`] applies
//! one [`CaseEvent`] to a case's timers and says what changed; [`sweep`] marks the timers
//! whose time has run out as breached. Nothing here reads a clock: every instant is passed in.
//!
//! The rules, in short:
//! - a timer is **met** when its stop event comes at or before its due time;
//! - it is **breached** once it is found past its due time while still running, and stays
//!   breached when its stop event comes later (it is then *completed late*, never met);
//! - while **paused** (e.g. waiting for information) its clock stands still, and on resuming
//!   it gets what it had left, counted from the resume;
//! - an **extension** moves the due time on, with a reason, but cannot undo a breach.

use crate::calendar::Calendar;
use crate::text::{Code, ShortText};
use crate::time::{day_of, service_zone};
use crate::{FieldError, Invalid};
use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Span, Timestamp};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeSet, VecDeque};

// ---------------------------------------------------------------------------------------
// Definitions
// ---------------------------------------------------------------------------------------

/// A deadline a service keeps, as written in its definition file:
///
/// ```toml
/// [[timers]]
/// code = "initial-assessment"
/// name = "Initial assessment"
/// start = { on = "referral-received" }
/// target = { working_days = 5 }
/// stop = { on = "form-submitted", form = "initial-assessment" }
/// pause = { on = "flag-set", flag = "awaiting-information" }
/// resume = { on = "flag-removed", flag = "awaiting-information" }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimerDefinition {
    pub code: Code,
    pub name: String,
    /// What starts the clock.
    pub start: Trigger,
    /// How long the service allows.
    pub target: Target,
    /// What stops the clock: the work the deadline is for has been done.
    pub stop: Trigger,
    /// What stops the clock for a while (e.g. waiting for information). Needs `resume`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause: Option<Trigger>,
    /// What starts a paused clock again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<Trigger>,
}

impl TimerDefinition {
    /// The stages, flags, forms and timers this definition names, as `(kind, code)` with
    /// kind one of `"stage"`, `"flag"`, `"form"`, `"timer"`, so the service definition can
    /// check that each exists.
    pub fn references(&self) -> Vec<(&'static str, &Code)> {
        [Some(&self.start), Some(&self.stop), self.pause.as_ref(), self.resume.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(Trigger::reference)
            .collect()
    }

    /// Checks that the definition makes sense on its own; errors are named
    /// `timers.<code>.<field>`. (Whether the codes it names exist is for the service
    /// definition to check, with [`TimerDefinition::references`].)
    pub fn check(&self) -> Result<(), Invalid> {
        let mut problems = Invalid::new();
        let field = |part: &str| format!("timers.{}.{part}", self.code);
        if self.name.trim().is_empty() {
            problems.push(FieldError::new(field("name"), "must not be empty"));
        }
        if self.target == Target::Hours(0) {
            problems.push(FieldError::new(field("target"), "a timer of 0 hours would be due the moment it starts"));
        }
        match (&self.pause, &self.resume) {
            (Some(_), None) => {
                problems.push(FieldError::new(field("resume"), "a timer that can be paused needs a resume trigger"))
            }
            (None, Some(_)) => problems.push(FieldError::new(field("pause"), "a resume trigger needs a pause trigger")),
            (Some(pause), Some(resume)) if pause == resume => {
                problems.push(FieldError::new(field("resume"), "must not be the same as the pause trigger"))
            }
            _ => {}
        }
        let own_stop = Trigger::TimerStopped { timer: self.code.clone() };
        if self.start == own_stop {
            problems.push(FieldError::new(field("start"), "a timer cannot be started by its own stop"));
        }
        if self.stop == own_stop {
            problems.push(FieldError::new(field("stop"), "a timer cannot be stopped by its own stop"));
        }
        problems.into_result()
    }
}

/// Something that happens on a case and starts, stops, pauses or resumes a timer. Written
/// `{ on = "referral-received" }`, `{ on = "stage-entered", stage = "triage" }`,
/// `{ on = "flag-set", flag = "awaiting-information" }`, `{ on = "form-submitted", form =
/// "initial-assessment" }`, `{ on = "timer-stopped", timer = "initial-assessment" }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(tag = "on", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Trigger {
    ReferralReceived,
    CaseOpened,
    Allocated,
    CaseClosed,
    StageEntered {
        stage: Code,
    },
    StageLeft {
        stage: Code,
    },
    FlagSet {
        flag: Code,
    },
    FlagRemoved {
        flag: Code,
    },
    FormSubmitted {
        form: Code,
    },
    /// Another timer was stopped (met or late): for deadlines counted from the last one.
    TimerStopped {
        timer: Code,
    },
}

/// [`Trigger`] as read: the same, but with the events that name nothing as empty struct
/// variants, so that serde refuses a stray key on them too (`{ on = "case-opened", flag =
/// "x" }` is a mistake, not a case-opened trigger).
#[derive(Deserialize)]
#[serde(tag = "on", rename_all = "kebab-case", deny_unknown_fields)]
enum StrictTrigger {
    ReferralReceived {},
    CaseOpened {},
    Allocated {},
    CaseClosed {},
    StageEntered { stage: Code },
    StageLeft { stage: Code },
    FlagSet { flag: Code },
    FlagRemoved { flag: Code },
    FormSubmitted { form: Code },
    TimerStopped { timer: Code },
}

impl<'de> Deserialize<'de> for Trigger {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match StrictTrigger::deserialize(deserializer)? {
            StrictTrigger::ReferralReceived {} => Trigger::ReferralReceived,
            StrictTrigger::CaseOpened {} => Trigger::CaseOpened,
            StrictTrigger::Allocated {} => Trigger::Allocated,
            StrictTrigger::CaseClosed {} => Trigger::CaseClosed,
            StrictTrigger::StageEntered { stage } => Trigger::StageEntered { stage },
            StrictTrigger::StageLeft { stage } => Trigger::StageLeft { stage },
            StrictTrigger::FlagSet { flag } => Trigger::FlagSet { flag },
            StrictTrigger::FlagRemoved { flag } => Trigger::FlagRemoved { flag },
            StrictTrigger::FormSubmitted { form } => Trigger::FormSubmitted { form },
            StrictTrigger::TimerStopped { timer } => Trigger::TimerStopped { timer },
        })
    }
}

impl Trigger {
    /// Whether `event` is what this trigger waits for.
    pub fn matches(&self, event: &CaseEvent) -> bool {
        match (self, event) {
            (Trigger::ReferralReceived, CaseEvent::ReferralReceived)
            | (Trigger::CaseOpened, CaseEvent::CaseOpened)
            | (Trigger::Allocated, CaseEvent::Allocated)
            | (Trigger::CaseClosed, CaseEvent::CaseClosed) => true,
            (Trigger::StageEntered { stage }, CaseEvent::StageEntered(code))
            | (Trigger::StageLeft { stage }, CaseEvent::StageLeft(code)) => stage == code,
            (Trigger::FlagSet { flag }, CaseEvent::FlagSet(code))
            | (Trigger::FlagRemoved { flag }, CaseEvent::FlagRemoved(code)) => flag == code,
            (Trigger::FormSubmitted { form }, CaseEvent::FormSubmitted(code)) => form == code,
            (Trigger::TimerStopped { timer }, CaseEvent::TimerStopped(code)) => timer == code,
            _ => false,
        }
    }

    /// The code this trigger names, with its kind (`"stage"`, `"flag"`, `"form"`, `"timer"`).
    pub fn reference(&self) -> Option<(&'static str, &Code)> {
        match self {
            Trigger::ReferralReceived | Trigger::CaseOpened | Trigger::Allocated | Trigger::CaseClosed => None,
            Trigger::StageEntered { stage } | Trigger::StageLeft { stage } => Some(("stage", stage)),
            Trigger::FlagSet { flag } | Trigger::FlagRemoved { flag } => Some(("flag", flag)),
            Trigger::FormSubmitted { form } => Some(("form", form)),
            Trigger::TimerStopped { timer } => Some(("timer", timer)),
        }
    }
}

/// How long a timer allows, written `{ working_days = 5 }`, `{ calendar_days = 3 }` or
/// `{ hours = 72 }`.
///
/// From a start instant, a day-based target is due at the very end (23:59:59.999999 UK
/// time) of the day that many working or calendar days after the start's UK day; an
/// hour-based target is due exactly that many hours after the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Target {
    WorkingDays(u32),
    CalendarDays(u32),
    Hours(u32),
}

impl Target {
    /// The number of days or hours.
    pub fn amount(self) -> u32 {
        match self {
            Target::WorkingDays(n) | Target::CalendarDays(n) | Target::Hours(n) => n,
        }
    }

    /// When a timer with this target started at `start` is due. Saturates at the end of
    /// representable time.
    pub fn due_from(self, calendar: &Calendar, start: Timestamp) -> Timestamp {
        match self {
            Target::Hours(n) => plus_hours(start, n),
            Target::WorkingDays(n) | Target::CalendarDays(n) => end_of_day(self.day_after(calendar, day_of(start), n)),
        }
    }

    /// `instant` moved on by this amount, as an extension moves a due time: by so many hours
    /// exactly, or to the same UK wall-clock time so many working or calendar days later.
    pub fn moved_on(self, calendar: &Calendar, instant: Timestamp) -> Timestamp {
        match self {
            Target::Hours(n) => plus_hours(instant, n),
            Target::WorkingDays(n) | Target::CalendarDays(n) => {
                let wall = instant.to_zoned(service_zone());
                at_wall_time(self.day_after(calendar, wall.date(), n), wall.time())
            }
        }
    }

    /// The day `n` of this target's days after `day` (hours count as calendar days here).
    fn day_after(self, calendar: &Calendar, day: Date, n: u32) -> Date {
        match self {
            Target::WorkingDays(_) => calendar.add_working_days(day, n),
            Target::CalendarDays(_) | Target::Hours(_) => plus_days(day, n),
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (n, one, many) = match *self {
            Target::WorkingDays(n) => (n, "working day", "working days"),
            Target::CalendarDays(n) => (n, "calendar day", "calendar days"),
            Target::Hours(n) => (n, "hour", "hours"),
        };
        write!(f, "{n} {}", if n == 1 { one } else { many })
    }
}

// ---------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------

/// Something that happened on a case, matched against the timers' triggers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "event", content = "code", rename_all = "kebab-case")]
pub enum CaseEvent {
    ReferralReceived,
    CaseOpened,
    Allocated,
    CaseClosed,
    StageEntered(Code),
    StageLeft(Code),
    FlagSet(Code),
    FlagRemoved(Code),
    FormSubmitted(Code),
    /// Produced by [`react`] for each timer it stops.
    TimerStopped(Code),
}

// ---------------------------------------------------------------------------------------
// Running timers
// ---------------------------------------------------------------------------------------

/// One run of a deadline on a case. A case keeps every run (a re-referral starts a new run
/// of a timer that was stopped), at most one of each code open at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    pub code: Code,
    /// The target it was started with (extensions are listed separately).
    pub target: Target,
    pub started_at: Timestamp,
    /// When it is due. While paused, the due time as it stood when the pause began (it is
    /// worked out again on resuming); extensions while paused move it on.
    pub due_at: Timestamp,
    pub state: TimerState,
    #[serde(default)]
    pub extensions: Vec<Extension>,
}

/// Where a timer stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum TimerState {
    /// The clock is running.
    Running,
    /// The clock stands still; `remaining` is what was left when it stopped.
    Paused { since: Timestamp, remaining: Remaining },
    /// Stopped at or before its due time.
    Met { at: Timestamp },
    /// Found past its due time while running, at `at` (the breach itself happened at
    /// `due_at`); the work is still to be done, so the timer is still open.
    Breached { at: Timestamp },
    /// Breached, and then stopped at `at`: done, but late. Never counts as met.
    CompletedLate { breached_at: Timestamp, at: Timestamp },
    /// No longer needed because the case closed before it was met: neither met nor breached.
    Cancelled { at: Timestamp },
}

impl TimerState {
    pub fn name(&self) -> &'static str {
        match self {
            TimerState::Running => "running",
            TimerState::Paused { .. } => "paused",
            TimerState::Met { .. } => "met",
            TimerState::Breached { .. } => "breached",
            TimerState::CompletedLate { .. } => "completed-late",
            TimerState::Cancelled { .. } => "cancelled",
        }
    }

    /// Running, paused or breached: the work the timer is for is still to be done, so a stop
    /// event still stops it and a start event does not start another.
    pub fn is_open(&self) -> bool {
        matches!(self, TimerState::Running | TimerState::Paused { .. } | TimerState::Breached { .. })
    }
}

/// What a paused timer has left: whole working or calendar days for day-based targets
/// (counted from the day of the pause to the due day), the exact time for hour-based ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Remaining {
    WorkingDays(u32),
    CalendarDays(u32),
    Time(SignedDuration),
}

/// More time given to a timer, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub by: Target,
    pub reason: ShortText,
    pub at: Timestamp,
}

/// What happened to a timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimerChangeKind {
    /// Ended unmet because the case closed.
    Cancelled,
    Started,
    Paused,
    Resumed,
    Extended,
    /// Stopped in time.
    Met,
    /// Found past its due time.
    Breached,
    /// Stopped after its due time.
    CompletedLate,
}

impl TimerChangeKind {
    pub fn name(self) -> &'static str {
        match self {
            TimerChangeKind::Started => "started",
            TimerChangeKind::Paused => "paused",
            TimerChangeKind::Resumed => "resumed",
            TimerChangeKind::Extended => "extended",
            TimerChangeKind::Met => "met",
            TimerChangeKind::Breached => "breached",
            TimerChangeKind::CompletedLate => "completed-late",
            TimerChangeKind::Cancelled => "cancelled",
        }
    }
}

/// A change to one timer, with the timer as it was before and after (`null` before a
/// start), ready to be recorded in the case's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimerChange {
    pub kind: TimerChangeKind,
    pub code: Code,
    pub before: Value,
    pub after: Value,
}

impl Timer {
    /// A new run of a timer, started at `at`.
    pub fn start(code: Code, target: Target, calendar: &Calendar, at: Timestamp) -> (Timer, TimerChange) {
        let timer = Timer {
            code,
            target,
            started_at: at,
            due_at: target.due_from(calendar, at),
            state: TimerState::Running,
            extensions: vec![],
        };
        let change = TimerChange {
            kind: TimerChangeKind::Started,
            code: timer.code.clone(),
            before: Value::Null,
            after: timer.snapshot(),
        };
        (timer, change)
    }

    pub fn is_open(&self) -> bool {
        self.state.is_open()
    }

    /// Stops the clock of a running timer that is not yet past due. Anything else is left
    /// alone: a paused or stopped timer, and a running one past due (it is breached, which
    /// a pause cannot undo).
    pub fn pause(&mut self, calendar: &Calendar, at: Timestamp) -> Option<TimerChange> {
        if self.state != TimerState::Running || at > self.due_at {
            return None;
        }
        let before = self.snapshot();
        self.state = TimerState::Paused { since: at, remaining: self.remaining(calendar, at) };
        Some(self.change(TimerChangeKind::Paused, before))
    }

    /// Starts a paused timer's clock again with what it had left, counted from `at`: so
    /// the time spent paused never counts. For day-based targets the days left are counted
    /// from the UK day of the resume, keeping the due time of day; resuming on the day of
    /// the pause leaves the due time as it was. Anything but a paused timer is left alone.
    pub fn resume(&mut self, calendar: &Calendar, at: Timestamp) -> Option<TimerChange> {
        let TimerState::Paused { since, remaining } = self.state else {
            return None;
        };
        let at = at.max(since);
        let before = self.snapshot();
        let due_wall = self.due_at.to_zoned(service_zone());
        let resume_day = day_of(at);
        self.due_at = match remaining {
            Remaining::Time(left) => at.checked_add(left).unwrap_or(Timestamp::MAX),
            Remaining::WorkingDays(_) | Remaining::CalendarDays(_) if resume_day == day_of(since) => self.due_at,
            Remaining::WorkingDays(days) => at_wall_time(calendar.add_working_days(resume_day, days), due_wall.time()),
            Remaining::CalendarDays(days) => at_wall_time(plus_days(resume_day, days), due_wall.time()),
        };
        self.state = TimerState::Running;
        Some(self.change(TimerChangeKind::Resumed, before))
    }

    /// Stops an open timer because the work it was for has been done at `at`: met if
    /// running at or before its due time, or paused; completed late if breached or past
    /// due. A stopped timer is left alone.
    pub fn stop(&mut self, at: Timestamp) -> Option<TimerChange> {
        let before = self.snapshot();
        let (state, kind) = match self.state {
            TimerState::Running if at <= self.due_at => (TimerState::Met { at }, TimerChangeKind::Met),
            TimerState::Paused { .. } => (TimerState::Met { at }, TimerChangeKind::Met),
            TimerState::Running => (TimerState::CompletedLate { breached_at: at, at }, TimerChangeKind::CompletedLate),
            TimerState::Breached { at: breached_at } => {
                (TimerState::CompletedLate { breached_at, at }, TimerChangeKind::CompletedLate)
            }
            TimerState::Met { .. } | TimerState::CompletedLate { .. } | TimerState::Cancelled { .. } => return None,
        };
        self.state = state;
        Some(self.change(kind, before))
    }

    /// Marks a running timer breached if `now` is past its due time. Paused and stopped
    /// timers, and timers already breached, are left alone, so a breach is reported once.
    /// Ends a running or paused timer that is no longer needed (its case closed). A breach
    /// stays on record: a breached timer is not cancelled.
    pub fn cancel(&mut self, at: Timestamp) -> Option<TimerChange> {
        if !matches!(self.state, TimerState::Running | TimerState::Paused { .. }) {
            return None;
        }
        let before = self.snapshot();
        self.state = TimerState::Cancelled { at };
        Some(self.change(TimerChangeKind::Cancelled, before))
    }

    pub fn breach_if_due(&mut self, now: Timestamp) -> Option<TimerChange> {
        if self.state != TimerState::Running || now <= self.due_at {
            return None;
        }
        let before = self.snapshot();
        self.state = TimerState::Breached { at: now };
        Some(self.change(TimerChangeKind::Breached, before))
    }

    /// Gives a running or paused timer more time (see [`Target::moved_on`]), for a reason.
    /// A paused timer gets it on resuming. Refused for a timer already stopped, breached
    /// or past its due time: an extension cannot undo a breach.
    pub fn extend(
        &mut self,
        by: Target,
        reason: ShortText,
        calendar: &Calendar,
        at: Timestamp,
    ) -> Result<TimerChange, FieldError> {
        if by.amount() == 0 {
            return Err(FieldError::new("by", "an extension must give at least one day or hour"));
        }
        match self.state {
            TimerState::Running if at > self.due_at => {
                return Err(FieldError::new("", "the timer is already past its due time: an extension cannot undo a breach"));
            }
            TimerState::Breached { at: breached } => {
                return Err(FieldError::new(
                    "",
                    format!("the timer was breached on {}: an extension cannot undo a breach", day_of(breached)),
                ));
            }
            TimerState::Met { .. } | TimerState::CompletedLate { .. } | TimerState::Cancelled { .. } => {
                return Err(FieldError::new("", "the timer has stopped: there is nothing left to extend"));
            }
            TimerState::Running | TimerState::Paused { .. } => {}
        }
        let before = self.snapshot();
        self.due_at = by.moved_on(calendar, self.due_at);
        if let TimerState::Paused { since, .. } = self.state {
            self.state = TimerState::Paused { since, remaining: self.remaining(calendar, since) };
        }
        let extension = Extension { by, reason, at };
        let mut change = self.change(TimerChangeKind::Extended, before);
        if let Value::Object(after) = &mut change.after {
            after.insert("extension".to_owned(), json!(extension));
        }
        self.extensions.push(extension);
        Ok(change)
    }

    /// How much time the timer has left at `now`, in its target's unit, for pages and work
    /// lists. An open timer past its due time (breached or not yet swept) is overdue; one
    /// completed late shows as breached.
    pub fn left(&self, calendar: &Calendar, now: Timestamp) -> TimeLeft {
        match self.state {
            TimerState::Paused { .. } => return TimeLeft::Paused,
            TimerState::Met { .. } => return TimeLeft::Met,
            TimerState::CompletedLate { .. } => return TimeLeft::Breached,
            TimerState::Cancelled { .. } => return TimeLeft::Cancelled,
            TimerState::Running | TimerState::Breached { .. } => {}
        }
        let overdue = now > self.due_at || matches!(self.state, TimerState::Breached { .. });
        if let Target::Hours(_) = self.target {
            return if overdue {
                TimeLeft::OverdueHours { hours: whole_hours_up(now.duration_since(self.due_at)) }
            } else {
                TimeLeft::DueInHours { hours: whole_hours_up(self.due_at.duration_since(now)) }
            };
        }
        let (today, due_day) = (day_of(now), day_of(self.due_at));
        let working = matches!(self.target, Target::WorkingDays(_));
        let count = |a, b| if working { calendar.working_days_between(a, b) } else { days_from(a, b) };
        if overdue {
            let late = count(due_day, today).max(0);
            if working { TimeLeft::Overdue { working_days: late } } else { TimeLeft::OverdueDays { days: late } }
        } else if today >= due_day {
            TimeLeft::DueToday
        } else if working {
            TimeLeft::DueIn { working_days: count(today, due_day) }
        } else {
            TimeLeft::DueInDays { days: count(today, due_day) }
        }
    }

    /// What is left from `at` to the due time, in the target's unit.
    fn remaining(&self, calendar: &Calendar, at: Timestamp) -> Remaining {
        let days = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
        match self.target {
            Target::WorkingDays(_) => {
                Remaining::WorkingDays(days(calendar.working_days_between(day_of(at), day_of(self.due_at))))
            }
            Target::CalendarDays(_) => Remaining::CalendarDays(days(days_from(day_of(at), day_of(self.due_at)))),
            Target::Hours(_) => Remaining::Time(self.due_at.duration_since(at).max(SignedDuration::ZERO)),
        }
    }

    /// The timer as recorded in a change's before and after.
    fn snapshot(&self) -> Value {
        json!({
            "code": self.code,
            "target": self.target,
            "started_at": self.started_at,
            "due_at": self.due_at,
            "state": self.state,
        })
    }

    fn change(&self, kind: TimerChangeKind, before: Value) -> TimerChange {
        TimerChange { kind, code: self.code.clone(), before, after: self.snapshot() }
    }
}

/// How much time a timer has left, as pages and work lists show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "left", rename_all = "kebab-case")]
pub enum TimeLeft {
    /// Due on a later day (working-day targets): working days after today up to the due day.
    DueIn {
        working_days: i64,
    },
    /// Due on a later day (calendar-day targets).
    DueInDays {
        days: i64,
    },
    /// Hour-based targets, rounded up: "due in 1 hour" means within the hour.
    DueInHours {
        hours: i64,
    },
    /// Day-based targets due by the end of today.
    DueToday,
    /// Working-day targets past due: working days after the due day up to today (0 when
    /// none has passed yet, e.g. on the weekend after).
    Overdue {
        working_days: i64,
    },
    OverdueDays {
        days: i64,
    },
    /// Rounded up.
    OverdueHours {
        hours: i64,
    },
    Paused,
    Met,
    /// Done, but late.
    Breached,
    /// Ended unmet because the case closed.
    Cancelled,
}

impl TimeLeft {
    /// An open timer past its due time.
    pub fn is_overdue(self) -> bool {
        matches!(self, TimeLeft::Overdue { .. } | TimeLeft::OverdueDays { .. } | TimeLeft::OverdueHours { .. })
    }
}

impl std::fmt::Display for TimeLeft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: i64, one: &'static str, many: &'static str| if n == 1 { one } else { many };
        match *self {
            TimeLeft::DueIn { working_days: n } if n <= 0 => f.write_str("due before the next working day"),
            TimeLeft::DueIn { working_days: n } => write!(f, "due in {n} {}", plural(n, "working day", "working days")),
            TimeLeft::DueInDays { days: n } => write!(f, "due in {n} {}", plural(n, "day", "days")),
            TimeLeft::DueInHours { hours: n } => write!(f, "due in {n} {}", plural(n, "hour", "hours")),
            TimeLeft::DueToday => f.write_str("due today"),
            TimeLeft::Overdue { working_days: n } if n <= 0 => f.write_str("overdue"),
            TimeLeft::Overdue { working_days: n } => write!(f, "overdue by {n} {}", plural(n, "working day", "working days")),
            TimeLeft::OverdueDays { days: n } if n <= 0 => f.write_str("overdue"),
            TimeLeft::OverdueDays { days: n } => write!(f, "overdue by {n} {}", plural(n, "day", "days")),
            TimeLeft::OverdueHours { hours: n } => write!(f, "overdue by {n} {}", plural(n, "hour", "hours")),
            TimeLeft::Paused => f.write_str("paused"),
            TimeLeft::Met => f.write_str("met"),
            TimeLeft::Breached => f.write_str("breached"),
            TimeLeft::Cancelled => f.write_str("cancelled"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The reaction engine
// ---------------------------------------------------------------------------------------

/// Applies `event`, which happened at `at`, to a case's `timers` and says what changed, in
/// order.
///
/// First any running timer already past its due time at `at` is marked breached (as
/// [`sweep`] would), so a stop after the due time is never met. Then, for each definition
/// in turn, the event
/// 1. stops the open run of a timer whose stop trigger it matches;
/// 2. starts a new run of a timer whose start trigger it matches, unless a run of that
///    timer is still open (running, paused or breached);
/// 3. pauses or resumes the open run whose pause or resume trigger it matches.
///
/// A stop comes before a start, so an event can end one run and begin the next (a review
/// submitted stops this review's timer and starts the next one's). Each stop produces a
/// [`CaseEvent::TimerStopped`], applied in turn, so timers can be chained. Loops are cut:
/// a timer is never started by its own stop, and starts at most once per reaction.
pub fn react(
    definitions: &[TimerDefinition],
    timers: &mut Vec<Timer>,
    event: &CaseEvent,
    calendar: &Calendar,
    at: Timestamp,
) -> Vec<TimerChange> {
    let mut changes = sweep(timers, at);
    let mut started: BTreeSet<&Code> = BTreeSet::new();
    let mut pending = VecDeque::from([event.clone()]);
    while let Some(event) = pending.pop_front() {
        for definition in definitions {
            let code = &definition.code;
            if definition.stop.matches(&event) {
                for timer in timers.iter_mut().filter(|t| &t.code == code) {
                    if let Some(change) = timer.stop(at) {
                        changes.push(change);
                        pending.push_back(CaseEvent::TimerStopped(code.clone()));
                    }
                }
            }
            let own_stop = matches!(&event, CaseEvent::TimerStopped(stopped) if stopped == code);
            if definition.start.matches(&event)
                && !own_stop
                && !started.contains(code)
                && !timers.iter().any(|t| &t.code == code && t.is_open())
            {
                let (timer, change) = Timer::start(code.clone(), definition.target, calendar, at);
                timers.push(timer);
                changes.push(change);
                started.insert(code);
            }
            if definition.pause.as_ref().is_some_and(|t| t.matches(&event)) {
                changes.extend(timers.iter_mut().filter(|t| &t.code == code).filter_map(|t| t.pause(calendar, at)));
            }
            if definition.resume.as_ref().is_some_and(|t| t.matches(&event)) {
                changes.extend(timers.iter_mut().filter(|t| &t.code == code).filter_map(|t| t.resume(calendar, at)));
            }
        }
        // A closed case needs no more deadlines: what its own definitions did not stop ends unmet.
        if event == CaseEvent::CaseClosed {
            changes.extend(timers.iter_mut().filter_map(|t| t.cancel(at)));
        }
    }
    changes
}

/// Marks every running timer past its due time at `now` as breached, and says which. A
/// timer is reported once: a breached timer is not running any more.
pub fn sweep(timers: &mut [Timer], now: Timestamp) -> Vec<TimerChange> {
    timers.iter_mut().filter_map(|timer| timer.breach_if_due(now)).collect()
}

// ---------------------------------------------------------------------------------------
// Time arithmetic
// ---------------------------------------------------------------------------------------

/// The last microsecond of a day (instants are stored to the microsecond).
const END_OF_DAY: Time = Time::constant(23, 59, 59, 999_999_000);

/// The last instant of `day` in the United Kingdom.
fn end_of_day(day: Date) -> Timestamp {
    at_wall_time(day, END_OF_DAY)
}

/// The instant the UK clock shows `time` on `day` (the later reading when the clocks go
/// forward past it, the earlier when they go back). Saturates at the end of time.
fn at_wall_time(day: Date, time: Time) -> Timestamp {
    day.to_datetime(time).to_zoned(service_zone()).map(|zoned| zoned.timestamp()).unwrap_or(Timestamp::MAX)
}

fn plus_hours(instant: Timestamp, hours: u32) -> Timestamp {
    instant.checked_add(SignedDuration::from_hours(i64::from(hours))).unwrap_or(Timestamp::MAX)
}

fn plus_days(day: Date, days: u32) -> Date {
    Span::new().try_days(i64::from(days)).ok().and_then(|span| day.checked_add(span).ok()).unwrap_or(Date::MAX)
}

/// Whole days from `a` to `b` (negative if `b` is earlier).
fn days_from(a: Date, b: Date) -> i64 {
    b.duration_since(a).as_secs() / 86_400
}

/// A duration in hours, rounded up, at least 1.
fn whole_hours_up(duration: SignedDuration) -> i64 {
    let secs = duration.as_secs() + i64::from(duration.subsec_nanos() > 0);
    ((secs + 3_599) / 3_600).max(1)
}

/// The events a recorded change means for timers (a stage change leaves one stage and
/// enters another; a form submission names its form…). Changes timers do not listen for
/// mean nothing.
pub fn events_of(change: &crate::history::Change) -> Vec<CaseEvent> {
    use crate::history::EventKind;
    let code_at = |value: &Value, key: &str| value.get(key).and_then(Value::as_str).and_then(|raw| Code::parse(raw).ok());
    match change.kind {
        // A case opened with a worker is allocated as it opens.
        EventKind::CaseOpened if change.after.get("worker").is_some_and(|w| !w.is_null()) => {
            vec![CaseEvent::CaseOpened, CaseEvent::Allocated]
        }
        EventKind::CaseOpened => vec![CaseEvent::CaseOpened],
        EventKind::CaseClosed => vec![CaseEvent::CaseClosed],
        EventKind::CaseAllocated if change.after.get("worker").is_some_and(|w| !w.is_null()) => vec![CaseEvent::Allocated],
        EventKind::StageChanged => code_at(&change.before, "stage")
            .map(CaseEvent::StageLeft)
            .into_iter()
            .chain(code_at(&change.after, "stage").map(CaseEvent::StageEntered))
            .collect(),
        EventKind::FlagSet => code_at(&change.after, "flag").map(CaseEvent::FlagSet).into_iter().collect(),
        EventKind::FlagRemoved => code_at(&change.before, "flag").map(CaseEvent::FlagRemoved).into_iter().collect(),
        EventKind::FormSubmitted => code_at(&change.after, "form").map(CaseEvent::FormSubmitted).into_iter().collect(),
        _ => Vec::new(),
    }
}

impl TimerChangeKind {
    /// The history event this change is recorded as.
    pub fn event_kind(self) -> crate::history::EventKind {
        use crate::history::EventKind;
        match self {
            TimerChangeKind::Cancelled => EventKind::TimerCancelled,
            TimerChangeKind::Started => EventKind::TimerStarted,
            TimerChangeKind::Paused => EventKind::TimerPaused,
            TimerChangeKind::Resumed => EventKind::TimerResumed,
            TimerChangeKind::Extended => EventKind::TimerExtended,
            TimerChangeKind::Met => EventKind::TimerMet,
            TimerChangeKind::Breached => EventKind::TimerBreached,
            TimerChangeKind::CompletedLate => EventKind::TimerCompletedLate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Nation;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn england() -> Calendar {
        Calendar::new(Nation::EnglandAndWales)
    }

    fn reason(s: &str) -> ShortText {
        ShortText::parse(s).unwrap()
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        timers: Vec<TimerDefinition>,
    }

    fn parse(toml_text: &str) -> Result<Vec<TimerDefinition>, toml::de::Error> {
        toml::from_str::<File>(toml_text).map(|file| file.timers)
    }

    const BRIEF: &str = r#"
[[timers]]
code = "initial-assessment"
name = "Initial assessment"
start = { on = "referral-received" }
target = { working_days = 5 }
stop = { on = "form-submitted", form = "initial-assessment" }
pause = { on = "flag-set", flag = "awaiting-information" }
resume = { on = "flag-removed", flag = "awaiting-information" }
"#;

    /// The recovery service's deadlines (DOMAIN.md §3).
    const RECOVERY: &str = r#"
[[timers]]
code = "initial-assessment"
name = "Initial assessment"
start = { on = "referral-received" }
target = { working_days = 5 }
stop = { on = "form-submitted", form = "initial-assessment" }
pause = { on = "flag-set", flag = "awaiting-information" }
resume = { on = "flag-removed", flag = "awaiting-information" }

[[timers]]
code = "triage-assessment"
name = "Triage assessment"
start = { on = "timer-stopped", timer = "initial-assessment" }
target = { working_days = 10 }
stop = { on = "form-submitted", form = "triage-assessment" }

[[timers]]
code = "illicit-use-seen"
name = "Seen after illicit use"
start = { on = "flag-set", flag = "illicit-use" }
target = { hours = 72 }
stop = { on = "stage-left", stage = "illicit-use-pathway" }

[[timers]]
code = "review"
name = "Care plan review"
start = { on = "form-submitted", form = "review" }
target = { calendar_days = 28 }
stop = { on = "form-submitted", form = "review" }
"#;

    fn recovery() -> Vec<TimerDefinition> {
        parse(RECOVERY).unwrap()
    }

    fn open<'a>(timers: &'a [Timer], name: &str) -> &'a Timer {
        timers.iter().find(|t| t.code.as_str() == name && t.is_open()).unwrap()
    }

    fn kinds(changes: &[TimerChange]) -> Vec<(TimerChangeKind, &str)> {
        changes.iter().map(|c| (c.kind, c.code.as_str())).collect()
    }

    #[test]
    fn the_brief_definition_parses_and_names_what_it_refers_to() {
        let timers = parse(BRIEF).unwrap();
        let timer = &timers[0];
        assert_eq!(timer.code.as_str(), "initial-assessment");
        assert_eq!(timer.start, Trigger::ReferralReceived);
        assert_eq!(timer.target, Target::WorkingDays(5));
        assert_eq!(timer.stop, Trigger::FormSubmitted { form: code("initial-assessment") });
        assert_eq!(timer.pause, Some(Trigger::FlagSet { flag: code("awaiting-information") }));
        assert_eq!(
            timer.references(),
            vec![
                ("form", &code("initial-assessment")),
                ("flag", &code("awaiting-information")),
                ("flag", &code("awaiting-information"))
            ]
        );
        assert!(timer.check().is_ok());
        let defs = recovery();
        assert_eq!(defs[1].references(), vec![("timer", &code("initial-assessment")), ("form", &code("triage-assessment"))]);
        assert_eq!(defs[2].target, Target::Hours(72));
        assert_eq!(defs[3].target, Target::CalendarDays(28));
        assert!(defs.iter().all(|d| d.check().is_ok()));
    }

    #[test]
    fn typos_in_definitions_are_refused() {
        for (from, to) in [
            ("form = \"initial-assessment\" }", "from = \"initial-assessment\" }"),
            ("{ on = \"referral-received\" }", "{ on = \"referral-received\", flag = \"x\" }"),
            ("{ on = \"referral-received\" }", "{ on = \"referal-received\" }"),
            ("{ working_days = 5 }", "{ weeks = 5 }"),
            ("{ working_days = 5 }", "{ working_days = -5 }"),
            ("{ working_days = 5 }", "{ working_days = 5, hours = 2 }"),
            ("name = \"Initial assessment\"", "name = \"Initial assessment\"\ncolour = \"red\""),
            ("code = \"initial-assessment\"", "code = \"Initial Assessment\""),
        ] {
            let broken = BRIEF.replacen(from, to, 1);
            assert_ne!(broken, BRIEF);
            assert!(parse(&broken).is_err(), "accepted: {to}");
        }
    }

    #[test]
    fn definitions_that_make_no_sense_are_reported() {
        let mut timer = parse(BRIEF).unwrap().remove(0);
        timer.resume = None;
        timer.target = Target::Hours(0);
        timer.start = Trigger::TimerStopped { timer: code("initial-assessment") };
        let fields: Vec<String> = timer.check().unwrap_err().errors.into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["timers.initial-assessment.target", "timers.initial-assessment.resume", "timers.initial-assessment.start"]
        );
        timer.resume = timer.pause.clone();
        assert!(timer.check().unwrap_err().errors.iter().any(|e| e.message.contains("same as the pause")));
    }

    #[test]
    fn triggers_match_only_their_own_event() {
        let flag = Trigger::FlagSet { flag: code("awaiting-information") };
        assert!(flag.matches(&CaseEvent::FlagSet(code("awaiting-information"))));
        assert!(!flag.matches(&CaseEvent::FlagSet(code("risk"))));
        assert!(!flag.matches(&CaseEvent::FlagRemoved(code("awaiting-information"))));
        assert!(Trigger::ReferralReceived.matches(&CaseEvent::ReferralReceived));
        assert!(!Trigger::ReferralReceived.matches(&CaseEvent::CaseOpened));
        let stage = Trigger::StageLeft { stage: code("triage") };
        assert!(stage.matches(&CaseEvent::StageLeft(code("triage"))));
        assert!(!stage.matches(&CaseEvent::StageEntered(code("triage"))));
    }

    #[test]
    fn working_days_skip_christmas_and_new_year() {
        // Wednesday 23 December 2026: Christmas Day (Fri), Boxing Day's substitute (Mon 28)
        // and New Year's Day (Fri) are not working days.
        let start = at("2026-12-23T10:00:00Z");
        let due = Target::WorkingDays(5).due_from(&england(), start);
        assert_eq!(day_of(due), date(2027, 1, 4));
        assert_eq!(due, at("2027-01-04T23:59:59.999999Z"));
    }

    #[test]
    fn day_targets_end_at_the_end_of_the_uk_day() {
        // 23:30 UTC on 30 June is 1 July in London: five working days from Wednesday 1 July.
        let due = Target::WorkingDays(5).due_from(&england(), at("2026-06-30T23:30:00Z"));
        assert_eq!(due, at("2026-07-08T22:59:59.999999Z"));
        // A referral on a Saturday is due by the Friday after.
        let due = Target::WorkingDays(5).due_from(&england(), at("2026-03-07T12:00:00Z"));
        assert_eq!(day_of(due), date(2026, 3, 13));
        // Calendar days run over weekends and the clocks going forward (29 March 2026).
        let due = Target::CalendarDays(3).due_from(&england(), at("2026-03-27T12:00:00Z"));
        assert_eq!(due, at("2026-03-30T22:59:59.999999Z"));
        // The same working day: today if it is one, else the next.
        assert_eq!(day_of(Target::WorkingDays(0).due_from(&england(), at("2026-03-07T12:00:00Z"))), date(2026, 3, 9));
    }

    #[test]
    fn hours_are_exact() {
        let due = Target::Hours(72).due_from(&england(), at("2026-03-10T10:00:00Z"));
        assert_eq!(due, at("2026-03-13T10:00:00Z"));
        // Across the clocks going forward, 72 hours are still 72 hours.
        let due = Target::Hours(72).due_from(&england(), at("2026-03-28T10:00:00Z"));
        assert_eq!(due, at("2026-03-31T10:00:00Z"));
    }

    #[test]
    fn a_met_initial_assessment_starts_the_triage_timer_from_that_instant() {
        let (defs, calendar) = (recovery(), england());
        let mut timers = Vec::new();
        let changes = react(&defs, &mut timers, &CaseEvent::ReferralReceived, &calendar, at("2026-03-02T09:00:00Z"));
        assert_eq!(kinds(&changes), [(TimerChangeKind::Started, "initial-assessment")]);
        assert_eq!(changes[0].before, Value::Null);
        assert_eq!(changes[0].after["due_at"], json!("2026-03-09T23:59:59.999999Z"));

        let done = at("2026-03-05T15:00:00Z");
        let changes = react(&defs, &mut timers, &CaseEvent::FormSubmitted(code("initial-assessment")), &calendar, done);
        assert_eq!(
            kinds(&changes),
            [(TimerChangeKind::Met, "initial-assessment"), (TimerChangeKind::Started, "triage-assessment")]
        );
        assert_eq!(changes[0].before["state"], json!({"state": "running"}));
        assert_eq!(changes[0].after["state"], json!({"state": "met", "at": "2026-03-05T15:00:00Z"}));
        let triage = open(&timers, "triage-assessment");
        assert_eq!(triage.started_at, done);
        assert_eq!(triage.due_at, at("2026-03-19T23:59:59.999999Z"));
        assert_eq!(timers[0].state, TimerState::Met { at: done });
        // Submitting the form again changes nothing: the initial assessment is stopped.
        assert!(react(&defs, &mut timers, &CaseEvent::FormSubmitted(code("initial-assessment")), &calendar, done).is_empty());
    }

    #[test]
    fn a_start_does_not_restart_an_open_timer_but_a_re_referral_starts_a_new_run() {
        let (defs, calendar) = (recovery(), england());
        let mut timers = Vec::new();
        react(&defs, &mut timers, &CaseEvent::ReferralReceived, &calendar, at("2026-03-02T09:00:00Z"));
        assert!(react(&defs, &mut timers, &CaseEvent::ReferralReceived, &calendar, at("2026-03-03T09:00:00Z")).is_empty());
        assert_eq!(timers.len(), 1);
        react(&defs, &mut timers, &CaseEvent::FormSubmitted(code("initial-assessment")), &calendar, at("2026-03-04T09:00:00Z"));
        // (The triage assessment, started when the initial one was met, is found breached.)
        let changes = react(&defs, &mut timers, &CaseEvent::ReferralReceived, &calendar, at("2026-04-01T09:00:00Z"));
        assert_eq!(
            kinds(&changes),
            [(TimerChangeKind::Breached, "triage-assessment"), (TimerChangeKind::Started, "initial-assessment")]
        );
        assert_eq!(timers.iter().filter(|t| t.code.as_str() == "initial-assessment").count(), 2);
    }

    #[test]
    fn a_review_ends_one_review_period_and_starts_the_next() {
        let (defs, calendar) = (recovery(), england());
        let mut timers = Vec::new();
        let review = CaseEvent::FormSubmitted(code("review"));
        react(&defs, &mut timers, &review, &calendar, at("2026-03-02T09:00:00Z"));
        let changes = react(&defs, &mut timers, &review, &calendar, at("2026-03-20T09:00:00Z"));
        assert_eq!(kinds(&changes), [(TimerChangeKind::Met, "review"), (TimerChangeKind::Started, "review")]);
        assert_eq!(open(&timers, "review").due_at, at("2026-04-17T22:59:59.999999Z"));
    }

    #[test]
    fn chains_that_loop_stop_after_one_round() {
        let calendar = england();
        let def = |name: &str, start: Trigger| TimerDefinition {
            code: code(name),
            name: name.to_owned(),
            start,
            target: Target::WorkingDays(1),
            stop: Trigger::FormSubmitted { form: code("done") },
            pause: None,
            resume: None,
        };
        // Each of a and b starts when the other stops, and c when it stops itself.
        let defs = vec![
            def("a", Trigger::TimerStopped { timer: code("b") }),
            def("b", Trigger::TimerStopped { timer: code("a") }),
            def("c", Trigger::TimerStopped { timer: code("c") }),
        ];
        let t0 = at("2026-03-02T09:00:00Z");
        let mut timers: Vec<Timer> =
            ["a", "b", "c"].iter().map(|n| Timer::start(code(n), Target::WorkingDays(1), &calendar, t0).0).collect();
        let changes = react(&defs, &mut timers, &CaseEvent::FormSubmitted(code("done")), &calendar, at("2026-03-02T10:00:00Z"));
        assert_eq!(
            kinds(&changes),
            [
                (TimerChangeKind::Met, "a"),
                (TimerChangeKind::Met, "b"),
                (TimerChangeKind::Met, "c"),
                (TimerChangeKind::Started, "b"),
                (TimerChangeKind::Started, "a"),
            ]
        );
        assert!(!timers.iter().any(|t| t.code.as_str() == "c" && t.is_open()));
    }

    #[test]
    fn pausing_for_three_working_days_moves_the_due_date_by_three_working_days() {
        let (defs, calendar) = (recovery(), england());
        let mut timers = Vec::new();
        let waiting = code("awaiting-information");
        // Referred Monday 2 March: due by the end of Monday 9 March.
        react(&defs, &mut timers, &CaseEvent::ReferralReceived, &calendar, at("2026-03-02T09:00:00Z"));
        assert_eq!(timers[0].due_at, at("2026-03-09T23:59:59.999999Z"));
        // Paused on Tuesday with Wednesday to Monday (4 working days) left...
        let changes = react(&defs, &mut timers, &CaseEvent::FlagSet(waiting.clone()), &calendar, at("2026-03-03T10:00:00Z"));
        assert_eq!(kinds(&changes), [(TimerChangeKind::Paused, "initial-assessment")]);
        assert_eq!(
            timers[0].state,
            TimerState::Paused { since: at("2026-03-03T10:00:00Z"), remaining: Remaining::WorkingDays(4) }
        );
        assert_eq!(timers[0].left(&calendar, at("2026-03-20T10:00:00Z")), TimeLeft::Paused);
        // ...pausing again changes nothing, nor does a sweep long after the due date...
        assert!(
            react(&defs, &mut timers, &CaseEvent::FlagSet(waiting.clone()), &calendar, at("2026-03-04T10:00:00Z")).is_empty()
        );
        assert!(sweep(&mut timers, at("2026-03-05T10:00:00Z")).is_empty());
        // ...and resumed on Friday: the 4 days count from Friday, so Thursday 12 March.
        let changes = react(&defs, &mut timers, &CaseEvent::FlagRemoved(waiting.clone()), &calendar, at("2026-03-06T10:00:00Z"));
        assert_eq!(kinds(&changes), [(TimerChangeKind::Resumed, "initial-assessment")]);
        assert_eq!(timers[0].due_at, at("2026-03-12T23:59:59.999999Z"));
        assert_eq!(calendar.working_days_between(date(2026, 3, 9), date(2026, 3, 12)), 3);
        // Resuming a running timer changes nothing.
        assert!(react(&defs, &mut timers, &CaseEvent::FlagRemoved(waiting), &calendar, at("2026-03-09T10:00:00Z")).is_empty());
    }

    #[test]
    fn hour_targets_keep_the_exact_time_left_while_paused() {
        let calendar = england();
        let (mut timer, _) = Timer::start(code("seen"), Target::Hours(72), &calendar, at("2026-03-10T10:00:00Z"));
        timer.pause(&calendar, at("2026-03-11T10:00:00Z")).unwrap();
        assert_eq!(
            timer.state,
            TimerState::Paused { since: at("2026-03-11T10:00:00Z"), remaining: Remaining::Time(SignedDuration::from_hours(48)) }
        );
        timer.resume(&calendar, at("2026-03-12T16:00:00Z")).unwrap();
        assert_eq!(timer.due_at, at("2026-03-14T16:00:00Z"));
        // A stop while paused is met: the clock was not running.
        timer.pause(&calendar, at("2026-03-13T10:00:00Z")).unwrap();
        assert_eq!(timer.stop(at("2026-03-20T10:00:00Z")).unwrap().kind, TimerChangeKind::Met);
    }

    #[test]
    fn met_at_the_due_time_late_after_it() {
        let calendar = england();
        let start = at("2026-03-10T10:00:00Z");
        let due = at("2026-03-13T10:00:00Z");
        let (mut on_time, _) = Timer::start(code("seen"), Target::Hours(72), &calendar, start);
        assert_eq!(on_time.stop(due).unwrap().kind, TimerChangeKind::Met);
        assert_eq!(on_time.state, TimerState::Met { at: due });
        assert_eq!(on_time.left(&calendar, due), TimeLeft::Met);
        assert_eq!(on_time.stop(due), None);

        // Stopped a microsecond late, with no sweep in between: found breached as it stops.
        let late = due.checked_add(SignedDuration::from_micros(1)).unwrap();
        let defs = recovery();
        let mut timers = vec![Timer::start(code("illicit-use-seen"), Target::Hours(72), &calendar, start).0];
        let changes = react(&defs, &mut timers, &CaseEvent::StageLeft(code("illicit-use-pathway")), &calendar, late);
        assert_eq!(
            kinds(&changes),
            [(TimerChangeKind::Breached, "illicit-use-seen"), (TimerChangeKind::CompletedLate, "illicit-use-seen")]
        );
        assert_eq!(timers[0].state, TimerState::CompletedLate { breached_at: late, at: late });
        assert_eq!(timers[0].left(&calendar, late), TimeLeft::Breached);
        assert_eq!(timers[0].left(&calendar, late).to_string(), "breached");

        // Swept first, then stopped: breached when swept, completed when stopped.
        let swept = at("2026-03-14T02:00:00Z");
        let stopped = at("2026-03-16T09:00:00Z");
        let (mut timer, _) = Timer::start(code("seen"), Target::Hours(72), &calendar, start);
        assert_eq!(sweep(std::slice::from_mut(&mut timer), swept).len(), 1);
        assert!(timer.is_open());
        assert_eq!(timer.left(&calendar, swept), TimeLeft::OverdueHours { hours: 16 });
        let change = timer.stop(stopped).unwrap();
        assert_eq!(change.kind, TimerChangeKind::CompletedLate);
        assert_eq!(timer.state, TimerState::CompletedLate { breached_at: swept, at: stopped });
        assert_eq!(timer.stop(stopped), None);
    }

    #[test]
    fn a_sweep_reports_each_breach_once() {
        let calendar = england();
        let (timer, _) = Timer::start(code("seen"), Target::Hours(72), &calendar, at("2026-03-10T10:00:00Z"));
        let mut timers = vec![timer];
        assert!(sweep(&mut timers, at("2026-03-13T10:00:00Z")).is_empty(), "due at that instant: not late yet");
        let changes = sweep(&mut timers, at("2026-03-13T10:00:01Z"));
        assert_eq!(kinds(&changes), [(TimerChangeKind::Breached, "seen")]);
        assert_eq!(changes[0].after["state"], json!({"state": "breached", "at": "2026-03-13T10:00:01Z"}));
        assert!(sweep(&mut timers, at("2026-03-13T10:00:02Z")).is_empty());
        assert!(sweep(&mut timers, at("2026-04-13T10:00:00Z")).is_empty());
    }

    #[test]
    fn extensions_move_the_due_time_but_cannot_undo_a_breach() {
        let calendar = england();
        let (mut timer, _) =
            Timer::start(code("initial-assessment"), Target::WorkingDays(5), &calendar, at("2026-03-02T09:00:00Z"));
        let change =
            timer.extend(Target::WorkingDays(2), reason("Interpreter needed"), &calendar, at("2026-03-04T09:00:00Z")).unwrap();
        assert_eq!(change.kind, TimerChangeKind::Extended);
        assert_eq!(change.after["extension"]["reason"], json!("Interpreter needed"));
        assert_eq!(timer.due_at, at("2026-03-11T23:59:59.999999Z"));
        assert_eq!(timer.extensions.len(), 1);

        // While paused, the extension is kept for the resume.
        timer.pause(&calendar, at("2026-03-05T09:00:00Z")).unwrap();
        timer.extend(Target::WorkingDays(1), reason("Client in hospital"), &calendar, at("2026-03-06T09:00:00Z")).unwrap();
        assert!(matches!(timer.state, TimerState::Paused { remaining: Remaining::WorkingDays(5), .. }));
        timer.resume(&calendar, at("2026-03-09T09:00:00Z")).unwrap();
        assert_eq!(timer.due_at, at("2026-03-16T23:59:59.999999Z"));

        // Nothing for nothing.
        assert_eq!(timer.extend(Target::Hours(0), reason("x"), &calendar, at("2026-03-09T10:00:00Z")).unwrap_err().field, "by");

        // Past due (swept or not), breached, or stopped: refused, and nothing changes.
        let late = at("2026-03-17T09:00:00Z");
        let before = timer.clone();
        let error = timer.extend(Target::WorkingDays(5), reason("Too late"), &calendar, late).unwrap_err();
        assert!(error.message.contains("cannot undo a breach"), "{error}");
        sweep(std::slice::from_mut(&mut timer), late);
        let error = timer.extend(Target::WorkingDays(5), reason("Too late"), &calendar, late).unwrap_err();
        assert!(error.message.contains("breached on 2026-03-17"), "{error}");
        assert_eq!((timer.due_at, &timer.extensions), (before.due_at, &before.extensions));
        timer.stop(late).unwrap();
        assert!(timer.extend(Target::WorkingDays(5), reason("Done"), &calendar, late).unwrap_err().message.contains("stopped"));
    }

    #[test]
    fn time_left_reads_as_a_person_would_say_it() {
        let calendar = england();
        // Due by the end of Monday 9 March.
        let (timer, _) = Timer::start(code("initial-assessment"), Target::WorkingDays(5), &calendar, at("2026-03-02T09:00:00Z"));
        let shown = |now: &str| timer.left(&calendar, at(now)).to_string();
        assert_eq!(shown("2026-03-04T09:00:00Z"), "due in 3 working days");
        assert_eq!(shown("2026-03-06T09:00:00Z"), "due in 1 working day");
        assert_eq!(shown("2026-03-07T09:00:00Z"), "due in 1 working day");
        assert_eq!(shown("2026-03-09T23:59:59Z"), "due today");
        assert_eq!(shown("2026-03-11T09:00:00Z"), "overdue by 2 working days");
        assert!(timer.left(&calendar, at("2026-03-11T09:00:00Z")).is_overdue());

        let (seen, _) = Timer::start(code("seen"), Target::Hours(72), &calendar, at("2026-03-10T10:00:00Z"));
        assert_eq!(seen.left(&calendar, at("2026-03-13T05:30:00Z")).to_string(), "due in 5 hours");
        assert_eq!(seen.left(&calendar, at("2026-03-13T09:59:00Z")).to_string(), "due in 1 hour");
        assert_eq!(seen.left(&calendar, at("2026-03-13T11:00:00Z")).to_string(), "overdue by 1 hour");

        let (review, _) = Timer::start(code("review"), Target::CalendarDays(28), &calendar, at("2026-03-02T09:00:00Z"));
        assert_eq!(review.left(&calendar, at("2026-03-27T09:00:00Z")).to_string(), "due in 3 days");
        assert_eq!(review.left(&calendar, at("2026-04-01T09:00:00Z")).to_string(), "overdue by 2 days");
        assert_eq!(TimeLeft::Paused.to_string(), "paused");
        assert_eq!(TimeLeft::Met.to_string(), "met");
        assert_eq!(json!(TimeLeft::DueIn { working_days: 3 }), json!({"left": "due-in", "working_days": 3}));
    }

    #[test]
    fn timers_round_trip_through_json() {
        let calendar = england();
        let (mut timer, _) = Timer::start(code("seen"), Target::Hours(72), &calendar, at("2026-03-10T10:00:00Z"));
        timer.pause(&calendar, at("2026-03-11T10:30:00Z")).unwrap();
        timer.extend(Target::CalendarDays(1), reason("Lockdown on the wing"), &calendar, at("2026-03-11T11:00:00Z")).unwrap();
        let text = serde_json::to_string(&timer).unwrap();
        assert_eq!(serde_json::from_str::<Timer>(&text).unwrap(), timer);
        let event = CaseEvent::FlagSet(code("risk"));
        assert_eq!(serde_json::to_value(&event).unwrap(), json!({"event": "flag-set", "code": "risk"}));
        assert_eq!(serde_json::from_value::<CaseEvent>(json!({"event": "case-opened"})).unwrap(), CaseEvent::CaseOpened);
    }

    #[test]
    fn the_schema_describes_timer_definitions() {
        let schema = schemars::schema_for!(TimerDefinition).to_value();
        let text = schema.to_string();
        for word in ["referral-received", "timer-stopped", "working_days", "calendar_days", "hours"] {
            assert!(text.contains(word), "{word} missing from {text}");
        }
    }

    // -----------------------------------------------------------------------------------
    // Properties
    // -----------------------------------------------------------------------------------

    fn any_nation() -> impl Strategy<Value = Nation> {
        prop::sample::select(Nation::ALL.to_vec())
    }

    /// Instants from 2000 to 2099, to the microsecond.
    fn any_instant() -> impl Strategy<Value = Timestamp> {
        (946_684_800_000_000i64..4_102_444_800_000_000).prop_map(|micros| Timestamp::from_microsecond(micros).unwrap())
    }

    fn any_target() -> impl Strategy<Value = Target> {
        prop_oneof![
            (0u32..400).prop_map(Target::WorkingDays),
            (0u32..400).prop_map(Target::CalendarDays),
            (1u32..2_000).prop_map(Target::Hours),
        ]
    }

    fn any_code() -> impl Strategy<Value = Code> {
        prop::sample::select(vec!["a", "b", "c", "triage", "awaiting-information"]).prop_map(code)
    }

    fn any_trigger() -> impl Strategy<Value = Trigger> {
        prop_oneof![
            Just(Trigger::ReferralReceived),
            Just(Trigger::CaseOpened),
            Just(Trigger::Allocated),
            Just(Trigger::CaseClosed),
            any_code().prop_map(|stage| Trigger::StageEntered { stage }),
            any_code().prop_map(|stage| Trigger::StageLeft { stage }),
            any_code().prop_map(|flag| Trigger::FlagSet { flag }),
            any_code().prop_map(|flag| Trigger::FlagRemoved { flag }),
            any_code().prop_map(|form| Trigger::FormSubmitted { form }),
            any_code().prop_map(|timer| Trigger::TimerStopped { timer }),
        ]
    }

    fn any_definition() -> impl Strategy<Value = TimerDefinition> {
        (any_code(), any_trigger(), any_target(), any_trigger(), prop::option::of((any_trigger(), any_trigger()))).prop_map(
            |(code, start, target, stop, pause)| TimerDefinition {
                name: format!("Timer {code}"),
                code,
                start,
                target,
                stop,
                pause: pause.as_ref().map(|(p, _)| p.clone()),
                resume: pause.map(|(_, r)| r),
            },
        )
    }

    fn any_event() -> impl Strategy<Value = CaseEvent> {
        prop_oneof![
            Just(CaseEvent::ReferralReceived),
            Just(CaseEvent::CaseOpened),
            Just(CaseEvent::Allocated),
            Just(CaseEvent::CaseClosed),
            any_code().prop_map(CaseEvent::StageEntered),
            any_code().prop_map(CaseEvent::StageLeft),
            any_code().prop_map(CaseEvent::FlagSet),
            any_code().prop_map(CaseEvent::FlagRemoved),
            any_code().prop_map(CaseEvent::FormSubmitted),
            any_code().prop_map(CaseEvent::TimerStopped),
        ]
    }

    proptest! {
        #[test]
        fn due_is_never_before_the_start(nation in any_nation(), target in any_target(), start in any_instant()) {
            let due = target.due_from(&Calendar::new(nation), start);
            prop_assert!(due >= start);
            if target.amount() > 0 {
                prop_assert!(due > start);
            }
        }

        #[test]
        fn working_day_targets_fall_due_at_the_end_of_a_working_day(
            nation in any_nation(),
            n in 0u32..400,
            start in any_instant(),
        ) {
            let calendar = Calendar::new(nation);
            let due = Target::WorkingDays(n).due_from(&calendar, start);
            let wall = due.to_zoned(service_zone());
            prop_assert!(calendar.is_working_day(wall.date()));
            prop_assert_eq!(wall.time(), END_OF_DAY);
            prop_assert!(due.checked_add(SignedDuration::from_micros(1)).map(day_of).unwrap() > wall.date());
            if n > 0 {
                prop_assert_eq!(calendar.working_days_between(day_of(start), wall.date()), i64::from(n));
            }
        }

        #[test]
        fn pausing_and_resuming_at_once_changes_nothing(
            nation in any_nation(),
            target in any_target(),
            start in any_instant(),
            permille in 0i64..=1000,
            extension in prop::option::of(any_target()),
        ) {
            let calendar = Calendar::new(nation);
            let (mut timer, _) = Timer::start(code("t"), target, &calendar, start);
            if let Some(by) = extension.filter(|by| by.amount() > 0) {
                timer.extend(by, reason("More time"), &calendar, start).unwrap();
            }
            let span = timer.due_at.as_microsecond() - start.as_microsecond();
            let pause_at = Timestamp::from_microsecond(start.as_microsecond() + span / 1000 * permille).unwrap();
            let due = timer.due_at;
            prop_assert!(timer.pause(&calendar, pause_at).is_some());
            prop_assert!(timer.resume(&calendar, pause_at).is_some());
            prop_assert_eq!(timer.due_at, due);
            prop_assert_eq!(timer.state, TimerState::Running);
        }

        #[test]
        fn a_pause_moves_a_working_day_deadline_by_the_working_days_paused(
            nation in any_nation(),
            n in 1u32..60,
            start in any_instant(),
            paused_after in 0u32..40,
            paused_for in 0u32..40,
        ) {
            let calendar = Calendar::new(nation);
            let (mut timer, _) = Timer::start(code("t"), Target::WorkingDays(n), &calendar, start);
            let due_day = day_of(timer.due_at);
            // Pause some days in, before the due day; resume some days later.
            let pause_day = plus_days(day_of(start), paused_after);
            prop_assume!(pause_day < due_day);
            let pause_at = end_of_day(pause_day).checked_sub(SignedDuration::from_hours(12)).unwrap().max(start);
            let resume_at = pause_at.checked_add(SignedDuration::from_hours(24 * i64::from(paused_for))).unwrap();
            timer.pause(&calendar, pause_at).unwrap();
            timer.resume(&calendar, resume_at).unwrap();
            let paused = u32::try_from(calendar.working_days_between(day_of(pause_at), day_of(resume_at))).unwrap();
            prop_assert_eq!(day_of(timer.due_at), calendar.add_working_days(due_day, paused));
            prop_assert_eq!(timer.due_at.to_zoned(service_zone()).time(), END_OF_DAY);
        }

        #[test]
        fn definitions_round_trip_through_toml(definitions in prop::collection::vec(any_definition(), 1..5)) {
            let file = File { timers: definitions };
            let text = toml::to_string(&file).unwrap();
            prop_assert_eq!(parse(&text).unwrap(), file.timers);
        }

        #[test]
        fn reactions_keep_one_open_run_per_timer_and_report_breaches_once(
            definitions in prop::collection::vec(any_definition(), 1..6),
            events in prop::collection::vec((any_event(), 0i64..200_000), 0..40),
            nation in any_nation(),
        ) {
            let calendar = Calendar::new(nation);
            let mut timers = Vec::new();
            let mut now = at("2026-01-05T09:00:00Z");
            let mut breached = BTreeSet::new();
            for (event, seconds) in events {
                now = now.checked_add(SignedDuration::from_secs(seconds)).unwrap();
                let changes = react(&definitions, &mut timers, &event, &calendar, now);
                for change in &changes {
                    if change.kind == TimerChangeKind::Breached {
                        // Runs are told apart by when they started.
                        prop_assert!(breached.insert((change.code.clone(), change.after["started_at"].to_string())));
                    }
                }
                let codes: Vec<&Code> = timers.iter().filter(|t| t.is_open()).map(|t| &t.code).collect();
                let distinct: BTreeSet<&Code> = codes.iter().copied().collect();
                prop_assert_eq!(codes.len(), distinct.len());
                for timer in &timers {
                    prop_assert!(timer.due_at >= timer.started_at);
                    if timer.state == TimerState::Running {
                        prop_assert!(timer.due_at >= now, "running past due after a reaction");
                    }
                }
                prop_assert!(sweep(&mut timers, now).is_empty());
            }
        }
    }

    #[test]
    fn closing_a_case_cancels_its_open_deadlines_but_keeps_breaches() {
        let calendar = Calendar::new(crate::calendar::Nation::EnglandAndWales);
        let start: Timestamp = "2026-03-02T09:00:00Z".parse().unwrap();
        let code = |s: &str| Code::parse(s).unwrap();
        let (running, _) = Timer::start(code("a"), Target::Hours(10), &calendar, start);
        let (late, _) = Timer::start(code("b"), Target::Hours(1), &calendar, start);
        let mut timers = vec![running, late];
        let at: Timestamp = "2026-03-02T12:00:00Z".parse().unwrap();
        let changes = react(&[], &mut timers, &CaseEvent::CaseClosed, &calendar, at);
        let kinds: Vec<&str> = changes.iter().map(|c| c.kind.name()).collect();
        assert_eq!(kinds, ["breached", "cancelled"]);
        assert_eq!(timers[0].state, TimerState::Cancelled { at });
        assert!(matches!(timers[1].state, TimerState::Breached { .. }));
        assert_eq!(timers[0].left(&calendar, at).to_string(), "cancelled");
    }
}
