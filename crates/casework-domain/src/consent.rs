//! Consent to share, and a child's assent beside it: who agreed, for whom, to share what
//! with whom, how and when, until when or until withdrawn. A record is never changed: a
//! withdrawal is a separate fact that takes effect at once.

use crate::history::{Change, EventKind, Subject};
use crate::ids::{CaseId, ConsentId, UserId};
use crate::invalid::{FieldError, Invalid};
use crate::text::ShortText;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Consent from someone able to give it, or a child's assent given beside a carer's
/// consent (by age and development).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConsentKind {
    Consent,
    Assent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GivenHow {
    Written,
    Verbal,
}

/// The end of a consent by withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Withdrawal {
    pub at: Timestamp,
    pub by: UserId,
    pub reason: ShortText,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consent {
    pub id: ConsentId,
    pub case: CaseId,
    pub kind: ConsentKind,
    /// Who agreed: the person themselves, or a carer by name.
    pub given_by: ShortText,
    /// Who they are to the person the case is about ("self", "mother", "guardian").
    pub relationship: ShortText,
    /// What may be shared.
    pub scope: ShortText,
    /// Who it may be shared with.
    pub with_whom: ShortText,
    pub how: GivenHow,
    pub given_on: Date,
    /// The last day it holds, when it was given for a time.
    pub until: Option<Date>,
    pub withdrawn: Option<Withdrawal>,
    pub recorded_by: UserId,
    pub recorded_at: Timestamp,
}

/// A consent as it arrives from a form or the API, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConsentInput {
    pub kind: Option<String>,
    pub given_by: String,
    pub relationship: String,
    pub scope: String,
    pub with_whom: String,
    pub how: Option<String>,
    pub given_on: String,
    #[serde(default)]
    pub until: Option<String>,
}

/// Where consent stands on a case today, for the record's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentStatus {
    NotRecorded,
    /// At least one consent holds today.
    Given {
        count: usize,
    },
    /// Some were recorded, none holds today (withdrawn or run out).
    NoneInForce {
        withdrawn: usize,
    },
}

impl std::fmt::Display for ConsentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConsentStatus::NotRecorded => f.write_str("not recorded"),
            ConsentStatus::Given { count: 1 } => f.write_str("given"),
            ConsentStatus::Given { count } => write!(f, "given ({count} in force)"),
            ConsentStatus::NoneInForce { withdrawn: 0 } => f.write_str("expired"),
            ConsentStatus::NoneInForce { .. } => f.write_str("withdrawn"),
        }
    }
}

impl Consent {
    /// Checks a consent, reporting every problem under its field.
    pub fn new(
        case: CaseId,
        input: &ConsentInput,
        by: UserId,
        now: Timestamp,
        today: Date,
    ) -> Result<(Consent, Change), Invalid> {
        let mut invalid = Invalid::new();
        let kind = match input.kind.as_deref().unwrap_or("consent") {
            "consent" => Some(ConsentKind::Consent),
            "assent" => Some(ConsentKind::Assent),
            _ => {
                invalid.push(FieldError::new("kind", "choose consent or a child's assent"));
                None
            }
        };
        let how = match input.how.as_deref() {
            Some("written") => Some(GivenHow::Written),
            Some("verbal") => Some(GivenHow::Verbal),
            _ => {
                invalid.push(FieldError::new("how", "say whether it was given in writing or verbally"));
                None
            }
        };
        let given_by = invalid.check("given_by", ShortText::parse(&input.given_by));
        let relationship = invalid.check("relationship", ShortText::parse(&input.relationship));
        let scope = invalid.check("scope", ShortText::parse(&input.scope));
        let with_whom = invalid.check("with_whom", ShortText::parse(&input.with_whom));
        let given_on = match input.given_on.trim().parse::<Date>() {
            Ok(day) if day > today => {
                invalid.push(FieldError::new("given_on", "cannot be in the future"));
                None
            }
            Ok(day) => Some(day),
            Err(_) => {
                invalid.push(FieldError::new("given_on", "enter the day it was given, for example 2027-01-31"));
                None
            }
        };
        let until = match input.until.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            None => None,
            Some(raw) => match raw.parse::<Date>() {
                Ok(day) if given_on.is_some_and(|g| day < g) => {
                    invalid.push(FieldError::new("until", "must not be before the day it was given"));
                    None
                }
                Ok(day) => Some(day),
                Err(_) => {
                    invalid.push(FieldError::new("until", "enter a real date, for example 2027-01-31"));
                    None
                }
            },
        };
        let (Some(kind), Some(how), Some(given_by), Some(relationship), Some(scope), Some(with_whom), Some(given_on)) =
            (kind, how, given_by, relationship, scope, with_whom, given_on)
        else {
            return Err(invalid);
        };
        invalid.into_result()?;
        let consent = Consent {
            id: ConsentId::new(),
            case,
            kind,
            given_by,
            relationship,
            scope,
            with_whom,
            how,
            given_on,
            until,
            withdrawn: None,
            recorded_by: by,
            recorded_at: now,
        };
        let change = Change::new(
            EventKind::ConsentRecorded,
            Subject::Consent(consent.id),
            Value::Null,
            json!({
                "consent": consent.id, "kind": consent.kind, "given_by": consent.given_by, "relationship": consent.relationship,
                "scope": consent.scope, "with_whom": consent.with_whom, "how": consent.how,
                "given_on": consent.given_on, "until": consent.until,
            }),
        );
        Ok((consent, change))
    }

    /// Does it hold on `day`?
    pub fn in_force(&self, day: Date) -> bool {
        self.withdrawn.is_none() && self.given_on <= day && self.until.is_none_or(|until| day <= until)
    }

    /// Ends it from now on. Withdrawing twice is refused: the first withdrawal stands.
    pub fn withdraw(&mut self, reason: ShortText, by: UserId, at: Timestamp) -> Result<Change, FieldError> {
        if self.withdrawn.is_some() {
            return Err(FieldError::new("", "this consent was already withdrawn"));
        }
        self.withdrawn = Some(Withdrawal { at, by, reason: reason.clone() });
        Ok(Change::new(
            EventKind::ConsentWithdrawn,
            Subject::Consent(self.id),
            json!({ "consent": self.id, "in_force": true }),
            json!({ "consent": self.id, "in_force": false, "reason": reason }),
        ))
    }
}

/// Where consent stands on `day` over all of a case's records.
pub fn status(consents: &[Consent], day: Date) -> ConsentStatus {
    if consents.is_empty() {
        return ConsentStatus::NotRecorded;
    }
    match consents.iter().filter(|c| c.in_force(day)).count() {
        0 => ConsentStatus::NoneInForce { withdrawn: consents.iter().filter(|c| c.withdrawn.is_some()).count() },
        count => ConsentStatus::Given { count },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ConsentInput {
        ConsentInput {
            kind: Some("consent".into()),
            given_by: "Jo Bloggs".into(),
            relationship: "mother".into(),
            scope: "Assessment and plan".into(),
            with_whom: "School nurse".into(),
            how: Some("written".into()),
            given_on: "2026-03-02".into(),
            until: Some("2026-06-30".into()),
        }
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn a_consent_holds_from_the_day_given_until_its_last_day_or_its_withdrawal() {
        let now: Timestamp = "2026-03-10T10:00:00Z".parse().unwrap();
        let by = UserId::new();
        let (mut consent, change) = Consent::new(CaseId::new(), &input(), by, now, day("2026-03-10")).unwrap();
        assert_eq!(change.kind, EventKind::ConsentRecorded);
        assert!(!consent.in_force(day("2026-03-01")));
        assert!(consent.in_force(day("2026-03-02")) && consent.in_force(day("2026-06-30")));
        assert!(!consent.in_force(day("2026-07-01")));
        assert_eq!(status(std::slice::from_ref(&consent), day("2026-04-01")), ConsentStatus::Given { count: 1 });
        assert_eq!(status(std::slice::from_ref(&consent), day("2026-07-01")).to_string(), "expired");
        consent.withdraw(ShortText::parse("Changed her mind").unwrap(), by, now).unwrap();
        assert!(!consent.in_force(day("2026-04-01")), "withdrawal takes effect at once");
        assert_eq!(status(std::slice::from_ref(&consent), day("2026-04-01")).to_string(), "withdrawn");
        assert!(consent.withdraw(ShortText::parse("again").unwrap(), by, now).is_err());
        assert_eq!(status(&[], day("2026-04-01")).to_string(), "not recorded");
    }

    #[test]
    fn every_problem_of_a_consent_is_named() {
        let now: Timestamp = "2026-03-10T10:00:00Z".parse().unwrap();
        let bad = ConsentInput {
            kind: Some("maybe".into()),
            how: None,
            given_on: "2026-03-11".into(),
            until: Some("soon".into()),
            given_by: " ".into(),
            ..input()
        };
        let errors = Consent::new(CaseId::new(), &bad, UserId::new(), now, day("2026-03-10")).unwrap_err();
        let mut fields: Vec<&str> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["given_by", "given_on", "how", "kind", "until"]);
    }
}
