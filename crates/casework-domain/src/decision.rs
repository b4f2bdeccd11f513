//! Decisions: what was decided, about which body, for which reason from the service's list.

use crate::history::{Change, EventKind, Subject};
use crate::ids::{CaseId, DecisionId, OrganisationId, UserId};
use crate::service::ServiceDefinition;
use crate::text::{Code, LongText};
use crate::{FieldError, Invalid};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

/// A checked decision, ready to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub id: DecisionId,
    pub case: CaseId,
    pub outcome: Code,
    /// The body the decision is about, where several are involved (lead body, each joint body).
    pub body: Option<OrganisationId>,
    /// The reason list (each deciding body kind has its own) and the reason chosen from it.
    pub reason_list: Code,
    pub reason: Code,
    pub rationale: Option<LongText>,
    pub decided_by: UserId,
    pub decided_at: Timestamp,
}

impl Decision {
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        service: &ServiceDefinition,
        case: CaseId,
        outcome: Code,
        body: Option<OrganisationId>,
        reason_list: Code,
        reason: Code,
        rationale: Option<LongText>,
        by: UserId,
        at: Timestamp,
    ) -> Result<(Decision, Change), Invalid> {
        let mut invalid = Invalid::new();
        if !service.has_decision_outcome(&outcome) {
            invalid.push(FieldError::new("outcome", format!("'{outcome}' is not a decision outcome of this service")));
        }
        if !service.decision_reasons.iter().any(|l| l.code == reason_list) {
            invalid.push(FieldError::new("reason_list", format!("'{reason_list}' is not a reason list of this service")));
        } else if !service.has_decision_reason(&reason_list, &reason) {
            invalid.push(FieldError::new("reason", format!("'{reason}' is not a reason in the list '{reason_list}'")));
        }
        invalid.into_result()?;
        let decision = Decision {
            id: DecisionId::new(),
            case,
            outcome,
            body,
            reason_list,
            reason,
            rationale,
            decided_by: by,
            decided_at: at,
        };
        let change = Change::new(
            EventKind::DecisionRecorded,
            Subject::Decision(decision.id),
            json!(null),
            json!({ "outcome": decision.outcome, "body": decision.body, "reason_list": decision.reason_list, "reason": decision.reason }),
        );
        Ok((decision, change))
    }
}
