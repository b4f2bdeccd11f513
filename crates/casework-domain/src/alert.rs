//! Alert rules: a service's standing instructions to tell a role about a case, e.g. "a
//! public-law case open 38 weeks: tell the service manager, then every 3 weeks", or "a
//! risk flag added: tell the service manager at once and every 10 weeks after". A rule is
//! started by something that happens on a case (the same triggers as deadlines), fires first
//! after a delay, then repeats, for as long as its condition holds and until it is stopped.

use crate::case::Case;
use crate::text::Code;
use crate::timer::Trigger;
use jiff::{SignedDuration, Timestamp};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A length of time for alerts, as written in a definition: `{ weeks = 20 }`, `{ days = 10 }`
/// or `{ hours = 24 }`. Weeks and days are whole 24-hour days: alerts are about the age of
/// a case, not about working time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Weeks(u32),
    Days(u32),
    Hours(u32),
}

impl Period {
    pub fn duration(self) -> SignedDuration {
        match self {
            Period::Weeks(n) => SignedDuration::from_hours(i64::from(n) * 24 * 7),
            Period::Days(n) => SignedDuration::from_hours(i64::from(n) * 24),
            Period::Hours(n) => SignedDuration::from_hours(i64::from(n)),
        }
    }
}

/// What must hold of the case when the alert fires. Every part given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The case's level (or case type, risk tier) is one of these.
    #[serde(default)]
    pub level: Vec<Code>,
    /// The case carries this flag.
    #[serde(default)]
    pub flag: Option<Code>,
    /// The case is in one of these stages.
    #[serde(default)]
    pub stage: Vec<Code>,
}

impl Condition {
    pub fn holds(&self, case: &Case) -> bool {
        case.is_open()
            && (self.level.is_empty() || case.level.as_ref().is_some_and(|l| self.level.contains(l)))
            && self.flag.as_ref().is_none_or(|f| case.has_flag(f))
            && (self.stage.is_empty() || self.stage.contains(&case.stage))
    }

    pub fn references(&self) -> Vec<(&'static str, &Code)> {
        self.level
            .iter()
            .map(|c| ("level", c))
            .chain(self.flag.iter().map(|c| ("flag", c)))
            .chain(self.stage.iter().map(|c| ("stage", c)))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertRule {
    pub code: Code,
    pub name: String,
    /// What starts the rule's clock on a case.
    pub start: Trigger,
    /// What ends it (closing the case always does).
    #[serde(default)]
    pub stop: Option<Trigger>,
    /// What must hold when it fires; an occurrence when it does not is skipped.
    #[serde(default)]
    pub when: Condition,
    /// How long after the start it first fires (at once if absent).
    #[serde(default)]
    pub first_after: Option<Period>,
    /// How often it fires again after that (once only if absent).
    #[serde(default)]
    pub every: Option<Period>,
    /// The role told.
    pub to: Code,
}

/// A rule running on one case: when it fires next and how often it has fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub started_at: Timestamp,
    /// `None` once the rule has nothing more to fire.
    pub next_at: Option<Timestamp>,
    /// Occurrences fired so far (skipped ones included), which numbers the next one.
    pub occurrences: u32,
}

impl AlertRule {
    pub fn schedule(&self, at: Timestamp) -> Schedule {
        let first = self.first_after.map_or(at, |p| at.saturating_add(p.duration()).unwrap_or(Timestamp::MAX));
        Schedule { started_at: at, next_at: Some(first), occurrences: 0 }
    }

    pub fn references(&self) -> Vec<(&'static str, &Code)> {
        let mut all: Vec<(&'static str, &Code)> = self.start.reference().into_iter().collect();
        all.extend(self.stop.iter().filter_map(Trigger::reference));
        all.extend(self.when.references());
        all
    }
}

/// One firing of a rule: its number (1 for the first) and when it was due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub number: u32,
    pub due_at: Timestamp,
}

impl Schedule {
    /// The occurrence due at `now`, if any, moving the schedule past `now`. After a long
    /// gap (a clock jump, a stopped server) the missed occurrences are passed over and only
    /// the latest fires: an alert is news, not a backlog.
    pub fn take_due(&mut self, rule: &AlertRule, now: Timestamp) -> Option<Occurrence> {
        let due_at = self.next_at.filter(|next| *next <= now)?;
        let mut latest = Occurrence { number: self.occurrences + 1, due_at };
        self.occurrences += 1;
        self.next_at = match rule.every {
            None => None,
            Some(period) => {
                let step = period.duration();
                let mut next = due_at.saturating_add(step).unwrap_or(Timestamp::MAX);
                while next <= now {
                    self.occurrences += 1;
                    latest = Occurrence { number: self.occurrences, due_at: next };
                    next = next.saturating_add(step).unwrap_or(Timestamp::MAX);
                }
                Some(next)
            }
        };
        Some(latest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(first_weeks: Option<u32>, every_weeks: Option<u32>) -> AlertRule {
        AlertRule {
            code: Code::parse("age").unwrap(),
            name: "Age".into(),
            start: Trigger::CaseOpened,
            stop: None,
            when: Condition::default(),
            first_after: first_weeks.map(Period::Weeks),
            every: every_weeks.map(Period::Weeks),
            to: Code::parse("service-manager").unwrap(),
        }
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn weeks(n: i64) -> SignedDuration {
        SignedDuration::from_hours(24 * 7 * n)
    }

    #[test]
    fn a_rule_fires_first_after_its_delay_then_every_period() {
        let rule = rule(Some(38), Some(3));
        let opened = at("2026-01-05T09:00:00Z");
        let mut schedule = rule.schedule(opened);
        assert_eq!(schedule.take_due(&rule, opened + weeks(38) - SignedDuration::from_secs(1)), None);
        let first = schedule.take_due(&rule, opened + weeks(38)).unwrap();
        assert_eq!((first.number, first.due_at), (1, opened + weeks(38)));
        assert_eq!(schedule.take_due(&rule, opened + weeks(40)), None, "fires once per occurrence");
        assert_eq!(schedule.take_due(&rule, opened + weeks(41)).unwrap().number, 2);
        assert_eq!(schedule.next_at, Some(opened + weeks(44)));
    }

    #[test]
    fn after_a_jump_only_the_latest_missed_occurrence_fires() {
        let rule = rule(Some(20), Some(5));
        let opened = at("2026-01-05T09:00:00Z");
        let mut schedule = rule.schedule(opened);
        let jumped = opened + weeks(36);
        let latest = schedule.take_due(&rule, jumped).unwrap();
        assert_eq!((latest.number, latest.due_at), (4, opened + weeks(35)));
        assert_eq!(schedule.take_due(&rule, jumped), None);
        assert_eq!(schedule.next_at, Some(opened + weeks(40)));
    }

    #[test]
    fn a_rule_without_repeat_fires_once_and_one_without_delay_at_once() {
        let rule = rule(None, None);
        let now = at("2026-01-05T09:00:00Z");
        let mut schedule = rule.schedule(now);
        assert_eq!(schedule.take_due(&rule, now).unwrap().number, 1);
        assert_eq!(schedule.next_at, None);
        assert_eq!(schedule.take_due(&rule, now + weeks(100)), None);
    }
}
