//! Referrals: requests for support, and what was decided about them.

use crate::FieldError;
use crate::ids::{CaseId, PersonId, ReferralId, UserId};
use crate::text::{Code, LongText};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Where a referral came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReferralSource {
    /// The person asked for support themselves.
    SelfReferral,
    /// A member of staff referred them.
    Staff,
    /// Another agency or department referred them.
    Agency,
    /// A form was submitted.
    Form,
    Email,
    Phone,
    /// Made by a rule (e.g. someone found under the influence).
    Automatic,
}

impl ReferralSource {
    pub fn name(self) -> &'static str {
        match self {
            ReferralSource::SelfReferral => "self-referral",
            ReferralSource::Staff => "staff",
            ReferralSource::Agency => "agency",
            ReferralSource::Form => "form",
            ReferralSource::Email => "email",
            ReferralSource::Phone => "phone",
            ReferralSource::Automatic => "automatic",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        serde_json::from_value(serde_json::Value::String(raw.to_owned())).map_err(|_| {
            FieldError::new(
                "",
                format!("'{raw}' is not a referral source: use self-referral, staff, agency, form, email, phone or automatic"),
            )
        })
    }
}

/// A form submitted with a referral. Its fields are defined by the service; here they are
/// kept as the JSON object that was submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttachedForm {
    pub form: Code,
    pub answers: serde_json::Map<String, serde_json::Value>,
    /// Who completed it: a role of the service, or `subject` for the person themselves.
    pub completed_by: Code,
    /// The score and band, for scored forms.
    pub score: Option<crate::form::Score>,
    /// Who entered it in Casework, and when.
    pub submitted_by: UserId,
    pub submitted_at: Timestamp,
}

/// What became of a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum ReferralOutcome {
    /// Not decided yet.
    Pending,
    /// Accepted: a case was opened for it.
    Accepted { case: CaseId, by: UserId, at: Timestamp },
    /// Declined, with a reason from the service's list.
    Rejected { reason: Code, explanation: Option<LongText>, by: UserId, at: Timestamp },
    /// Kept on file with no further action.
    KeptOnFile { explanation: Option<LongText>, by: UserId, at: Timestamp },
}

impl ReferralOutcome {
    pub fn name(&self) -> &'static str {
        match self {
            ReferralOutcome::Pending => "pending",
            ReferralOutcome::Accepted { .. } => "accepted",
            ReferralOutcome::Rejected { .. } => "rejected",
            ReferralOutcome::KeptOnFile { .. } => "kept-on-file",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Referral {
    pub id: ReferralId,
    pub service: Code,
    pub person: PersonId,
    pub source: ReferralSource,
    pub received_at: Timestamp,
    pub summary: LongText,
    pub forms: Vec<AttachedForm>,
    /// The earlier referral this one re-makes after a decline, if any.
    pub previous: Option<ReferralId>,
    pub outcome: ReferralOutcome,
    pub recorded_by: UserId,
}

/// Why a referral cannot be decided now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferralError {
    #[error("this referral was already decided ({0}); record a new referral instead")]
    AlreadyDecided(&'static str),
}

impl Referral {
    /// Decides a pending referral. A decided referral stays decided: a person declined
    /// before is referred again with a new referral that points back to this one.
    pub fn decide(&mut self, outcome: ReferralOutcome) -> Result<(), ReferralError> {
        if self.outcome != ReferralOutcome::Pending {
            return Err(ReferralError::AlreadyDecided(self.outcome.name()));
        }
        self.outcome = outcome;
        Ok(())
    }

    /// A referral may be made again after it was rejected or kept on file.
    pub fn may_be_remade(&self) -> bool {
        matches!(self.outcome, ReferralOutcome::Rejected { .. } | ReferralOutcome::KeptOnFile { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> Referral {
        Referral {
            id: ReferralId::new(),
            service: Code::parse("recovery").unwrap(),
            person: PersonId::new(),
            source: ReferralSource::SelfReferral,
            received_at: Timestamp::UNIX_EPOCH,
            summary: LongText::parse("asks for help").unwrap(),
            forms: vec![],
            previous: None,
            outcome: ReferralOutcome::Pending,
            recorded_by: UserId::new(),
        }
    }

    #[test]
    fn a_referral_is_decided_once() {
        let mut referral = pending();
        assert!(!referral.may_be_remade());
        let by = UserId::new();
        referral
            .decide(ReferralOutcome::Rejected {
                reason: Code::parse("not-eligible").unwrap(),
                explanation: None,
                by,
                at: Timestamp::UNIX_EPOCH,
            })
            .unwrap();
        assert!(referral.may_be_remade());
        let again = referral.decide(ReferralOutcome::KeptOnFile { explanation: None, by, at: Timestamp::UNIX_EPOCH });
        assert_eq!(again, Err(ReferralError::AlreadyDecided("rejected")));
    }

    #[test]
    fn sources_parse_by_name() {
        assert_eq!(ReferralSource::parse("self-referral").unwrap(), ReferralSource::SelfReferral);
        assert!(ReferralSource::parse("pigeon").is_err());
        for s in ["self-referral", "staff", "agency", "form", "email", "phone", "automatic"] {
            assert_eq!(ReferralSource::parse(s).unwrap().name(), s);
        }
    }
}
