//! Care plans: SMART objectives (each with a measure and a target date) and reviews on a
//! schedule that depends on the case's level or risk tier, e.g. every 2 weeks for high
//! risk and every 12 for low risk. When the tier changes, so does the next review date.

use crate::alert::Period;
use crate::ids::{CaseId, UserId};
use crate::text::{Code, LongText, ShortText};
use crate::{FieldError, Invalid};
use jiff::civil::Date;
use jiff::{Span, Timestamp};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How often a service reviews plans: by level where given, else the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRules {
    /// The review interval for levels not listed (no scheduled reviews if absent).
    #[serde(default)]
    pub every: Option<Period>,
    #[serde(default)]
    pub by_level: Vec<LevelInterval>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelInterval {
    pub level: Code,
    pub every: Period,
}

impl ReviewRules {
    /// The interval for a case at this level.
    pub fn interval(&self, level: Option<&Code>) -> Option<Period> {
        level.and_then(|l| self.by_level.iter().find(|i| &i.level == l)).map(|i| i.every).or(self.every)
    }

    /// The review due one interval after `from`, for a case at `level`.
    pub fn next_review(&self, from: Date, level: Option<&Code>) -> Option<Date> {
        let days = match self.interval(level)? {
            Period::Weeks(n) => i64::from(n) * 7,
            Period::Days(n) => i64::from(n),
            Period::Hours(n) => i64::from(n).div_euclid(24).max(1),
        };
        from.checked_add(Span::new().days(days)).ok()
    }

    pub fn references(&self) -> Vec<(&'static str, &Code)> {
        self.by_level.iter().map(|i| ("level", &i.level)).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObjectiveStatus {
    Open,
    Achieved,
    NotAchieved,
    Dropped,
}

/// What a review found for one objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewOutcome {
    Achieved,
    Progressing,
    NotAchieved,
    Dropped,
}

impl ReviewOutcome {
    /// The status an objective has after a review with this outcome.
    pub fn status(self) -> ObjectiveStatus {
        match self {
            ReviewOutcome::Achieved => ObjectiveStatus::Achieved,
            ReviewOutcome::Progressing => ObjectiveStatus::Open,
            ReviewOutcome::NotAchieved => ObjectiveStatus::NotAchieved,
            ReviewOutcome::Dropped => ObjectiveStatus::Dropped,
        }
    }
}

/// A SMART objective: what (specific), how it will be measured, and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objective {
    pub id: crate::ids::EventId,
    pub case: CaseId,
    pub description: LongText,
    pub measure: ShortText,
    pub target_date: Date,
    pub status: ObjectiveStatus,
    pub created_by: UserId,
    pub created_at: Timestamp,
}

impl Objective {
    /// Checks a new objective: all three parts are needed, and the target is not in the past.
    pub fn new(
        case: CaseId,
        description: &str,
        measure: &str,
        target_date: &str,
        by: UserId,
        at: Timestamp,
        today: Date,
    ) -> Result<Objective, Invalid> {
        let mut invalid = Invalid::new();
        let description = invalid.check("description", LongText::parse(description));
        let measure = invalid.check("measure", ShortText::parse(measure));
        let target_date = invalid.check(
            "target_date",
            target_date
                .parse::<Date>()
                .map_err(|_| FieldError::new("", "must be a date written as YYYY-MM-DD"))
                .and_then(|d| if d < today { Err(FieldError::new("", "must not be in the past")) } else { Ok(d) }),
        );
        match (description, measure, target_date) {
            (Some(description), Some(measure), Some(target_date)) => Ok(Objective {
                id: crate::ids::EventId::new(),
                case,
                description,
                measure,
                target_date,
                status: ObjectiveStatus::Open,
                created_by: by,
                created_at: at,
            }),
            _ => Err(invalid),
        }
    }
}

/// A review of the plan: an outcome for each open objective and the next review date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub id: crate::ids::EventId,
    pub case: CaseId,
    pub summary: LongText,
    pub outcomes: Vec<(crate::ids::EventId, ReviewOutcome)>,
    pub reviewed_by: UserId,
    pub reviewed_at: Timestamp,
    pub next_review_on: Option<Date>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    #[test]
    fn the_review_interval_follows_the_tier() {
        let rules = ReviewRules {
            every: Some(Period::Weeks(12)),
            by_level: vec![
                LevelInterval { level: code("high-risk"), every: Period::Weeks(2) },
                LevelInterval { level: code("dependence"), every: Period::Weeks(6) },
            ],
        };
        let from = date(2026, 3, 2);
        assert_eq!(rules.next_review(from, Some(&code("high-risk"))), Some(date(2026, 3, 16)));
        assert_eq!(rules.next_review(from, Some(&code("dependence"))), Some(date(2026, 4, 13)));
        assert_eq!(rules.next_review(from, Some(&code("low-risk"))), Some(date(2026, 5, 25)));
        assert_eq!(rules.next_review(from, None), Some(date(2026, 5, 25)));
        assert_eq!(ReviewRules::default().next_review(from, None), None);
    }

    #[test]
    fn an_objective_needs_all_of_its_smart_parts() {
        let today = date(2026, 3, 2);
        let err = Objective::new(CaseId::new(), "", "", "2026-03-01", UserId::new(), Timestamp::UNIX_EPOCH, today).unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["description", "measure", "target_date"]);
        assert!(
            Objective::new(
                CaseId::new(),
                "Reduce drinking",
                "Units a week (diary)",
                "2026-06-01",
                UserId::new(),
                Timestamp::UNIX_EPOCH,
                today
            )
            .is_ok()
        );
    }
}
