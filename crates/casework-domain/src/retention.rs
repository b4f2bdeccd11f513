//! How long records are kept, and what stops them being destroyed. Each service says in its
//! definition how long a closed case is kept and on what authority (a records code, an
//! inquiry's recommendation), optionally not before the person reaches an age. A case falls
//! due for disposal review on a day worked out from those; a legal hold stops it being
//! destroyed whatever its date. Destruction leaves a record of what was destroyed, when and
//! under which rule, and nothing about the person.

use crate::history::{Change, EventKind, Subject};
use crate::ids::{CaseId, LegalHoldId, UserId};
use crate::invalid::FieldError;
use crate::text::LongText;
use jiff::civil::Date;
use jiff::{Span, Timestamp, ToSpan};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A length of time for keeping records: `{ weeks = 12 }`, `{ months = 6 }`, `{ years = 75 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeepFor {
    Weeks(u16),
    Months(u16),
    Years(u16),
}

impl KeepFor {
    fn span(self) -> Span {
        match self {
            KeepFor::Weeks(n) => i64::from(n).weeks(),
            KeepFor::Months(n) => i64::from(n).months(),
            KeepFor::Years(n) => i64::from(n).years(),
        }
    }

    /// In words, for pages: "75 years".
    pub fn describe(self) -> String {
        let (n, unit) = match self {
            KeepFor::Weeks(n) => (n, "week"),
            KeepFor::Months(n) => (n, "month"),
            KeepFor::Years(n) => (n, "year"),
        };
        if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") }
    }
}

/// How long a kind of record is kept after it ends, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionRule {
    /// Kept for this long after it ends (a case: after its closure).
    pub keep: KeepFor,
    /// And in any case until the person reaches this age, when their date of birth is known
    /// (children's records).
    #[serde(default)]
    pub until_age: Option<u8>,
    /// The authority for the period, as the service's records policy names it.
    pub basis: String,
}

/// The service's retention rules, one per kind of record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionRules {
    /// Closed cases with everything recorded on them. Without a rule they are kept for good.
    #[serde(default)]
    pub closed_cases: Option<RetentionRule>,
    /// Paper originals once they have been scanned onto the case: kept this long after the
    /// scan, then destroyed (the scan stays as the record). Without a rule they are kept.
    #[serde(default)]
    pub scanned_paper: Option<RetentionRule>,
}

/// The latest closure day and date of birth for which a record is due for disposal review
/// on `today`: a case is due when it closed on or before the first and, if the rule has an
/// age and the person's birth date is known, they were born on or before the second. The
/// store's query and [`due_on`] both rest on this, so a list and a case page never disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueCutoffs {
    pub closed_on_or_before: Date,
    pub born_on_or_before: Option<Date>,
}

impl RetentionRule {
    pub fn cutoffs(&self, today: Date) -> DueCutoffs {
        DueCutoffs {
            closed_on_or_before: today.saturating_sub(self.keep.span()),
            born_on_or_before: self.until_age.map(|age| today.saturating_sub(i64::from(age).years())),
        }
    }

    pub fn is_due(&self, closed_on: Date, born_on: Option<Date>, today: Date) -> bool {
        let cutoffs = self.cutoffs(today);
        closed_on <= cutoffs.closed_on_or_before
            && match (cutoffs.born_on_or_before, born_on) {
                (Some(latest), Some(born)) => born <= latest,
                _ => true,
            }
    }

    /// The first day on which the record is due for disposal review.
    pub fn due_on(&self, closed_on: Date, born_on: Option<Date>) -> Date {
        let mut day = closed_on.saturating_add(self.keep.span());
        if let (Some(age), Some(born)) = (self.until_age, born_on) {
            day = day.max(born.saturating_add(i64::from(age).years()));
        }
        // Adding months or years near the end of a month is not the inverse of taking them
        // away, so find the first day near it that the cutoff rule agrees with.
        let mut first = day.saturating_sub(4.days());
        while first < day.saturating_add(4.days()) && !self.is_due(closed_on, born_on, first) {
            first = first.saturating_add(1.day());
        }
        first
    }
}

/// A legal hold: while it stands, the case is not destroyed whatever its retention date
/// (litigation, an inquiry, a complaint about the service).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegalHold {
    pub id: LegalHoldId,
    pub case: CaseId,
    pub reason: LongText,
    pub placed_by: UserId,
    pub placed_at: Timestamp,
    pub lifted: Option<HoldLifting>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HoldLifting {
    pub by: UserId,
    pub at: Timestamp,
    pub reason: LongText,
}

impl LegalHold {
    pub fn place(case: CaseId, reason: LongText, by: UserId, at: Timestamp) -> (LegalHold, Change) {
        let hold = LegalHold { id: LegalHoldId::new(), case, reason, placed_by: by, placed_at: at, lifted: None };
        let change = Change::new(
            EventKind::LegalHoldPlaced,
            Subject::LegalHold(hold.id),
            json!(null),
            json!({ "reason": hold.reason.as_str() }),
        );
        (hold, change)
    }

    pub fn lift(&mut self, reason: LongText, by: UserId, at: Timestamp) -> Result<Change, FieldError> {
        if self.lifted.is_some() {
            return Err(FieldError::new("hold", "this legal hold has already been lifted"));
        }
        let change = Change::new(
            EventKind::LegalHoldLifted,
            Subject::LegalHold(self.id),
            json!({ "reason": self.reason.as_str() }),
            json!({ "lifted_because": reason.as_str() }),
        );
        self.lifted = Some(HoldLifting { by, at, reason });
        Ok(change)
    }

    pub fn stands(&self) -> bool {
        self.lifted.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn rule(keep: KeepFor, until_age: Option<u8>) -> RetentionRule {
        RetentionRule { keep, until_age, basis: "test".into() }
    }

    #[test]
    fn a_case_is_due_the_day_its_period_ends_and_not_before() {
        let eight_years = rule(KeepFor::Years(8), None);
        let closed = date(2018, 3, 10);
        assert_eq!(eight_years.due_on(closed, None), date(2026, 3, 10));
        assert!(!eight_years.is_due(closed, None, date(2026, 3, 9)));
        assert!(eight_years.is_due(closed, None, date(2026, 3, 10)));
        let twelve_weeks = rule(KeepFor::Weeks(12), None);
        assert_eq!(twelve_weeks.due_on(date(2026, 1, 5), None), date(2026, 3, 30));
    }

    #[test]
    fn a_childs_record_is_kept_until_the_age_when_that_is_later() {
        let children = rule(KeepFor::Years(6), Some(25));
        let closed = date(2020, 6, 1);
        assert_eq!(children.due_on(closed, Some(date(2010, 9, 15))), date(2035, 9, 15), "the 25th birthday is later");
        assert_eq!(children.due_on(closed, Some(date(1980, 1, 1))), date(2026, 6, 1), "six years is later");
        assert_eq!(children.due_on(closed, None), date(2026, 6, 1), "no birth date: the period alone");
        assert!(!children.is_due(closed, Some(date(2010, 9, 15)), date(2030, 1, 1)));
    }

    #[test]
    fn leap_days_fall_due_on_a_real_day() {
        let one_year = rule(KeepFor::Years(1), None);
        let due = one_year.due_on(date(2024, 2, 29), None);
        assert!(one_year.is_due(date(2024, 2, 29), None, due));
        assert!(!one_year.is_due(date(2024, 2, 29), None, due.yesterday().unwrap()));
    }

    #[test]
    fn a_hold_is_lifted_once() {
        let reason = LongText::parse("Claim against the council").unwrap();
        let (mut hold, _) = LegalHold::place(CaseId::new(), reason.clone(), UserId::new(), Timestamp::UNIX_EPOCH);
        assert!(hold.stands());
        assert!(hold.lift(reason.clone(), UserId::new(), Timestamp::UNIX_EPOCH).is_ok());
        assert!(!hold.stands());
        assert!(hold.lift(reason, UserId::new(), Timestamp::UNIX_EPOCH).is_err());
    }

    fn arb_keep() -> impl Strategy<Value = KeepFor> {
        prop_oneof![
            (1u16..60).prop_map(KeepFor::Weeks),
            (1u16..30).prop_map(KeepFor::Months),
            (1u16..80).prop_map(KeepFor::Years)
        ]
    }

    fn arb_date() -> impl Strategy<Value = Date> {
        (0i64..40_000).prop_map(|n| date(1940, 1, 1).saturating_add(n.days()))
    }

    proptest! {
        /// The day shown as "due on" is exactly the first day the list counts the case as due.
        #[test]
        fn due_on_agrees_with_is_due(
            keep in arb_keep(), age in proptest::option::of(1u8..30), closed in arb_date(), born in proptest::option::of(arb_date()),
        ) {
            let rule = rule(keep, age);
            let due = rule.due_on(closed, born);
            prop_assert!(rule.is_due(closed, born, due));
            prop_assert!(!rule.is_due(closed, born, due.yesterday().unwrap()));
            prop_assert!(rule.is_due(closed, born, due.saturating_add(400.days())));
        }
    }
}
