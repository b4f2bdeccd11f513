//! History: every change is an event with who, when, what, and the state before and after.
//! Events are produced by the domain's commands and stored in the same transaction as the
//! change they describe; they are never updated or deleted.

use crate::ids::{CaseId, EventId, UserId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    PersonRecorded,
    PersonRelated,
    OrganisationRecorded,
    ReferralReceived,
    ReferralAccepted,
    ReferralRejected,
    ReferralKeptOnFile,
    ReferralFormAdded,
    SubjectFormRequested,
    CaseOpened,
    CaseAllocated,
    StageChanged,
    LevelChanged,
    FlagSet,
    FlagRemoved,
    KeyDateSet,
    CaseLinked,
    RestrictionChanged,
    BreakGlass,
    ConsentRecorded,
    ConsentWithdrawn,
    LegalHoldPlaced,
    LegalHoldLifted,
    /// A closed case past its retention was approved for destruction.
    DisposalApproved,
    /// A case was destroyed; the event names the destruction record, not the person.
    RecordDestroyed,
    DisclosureRecorded,
    DisclosureFlagged,
    NoteAdded,
    AddendumAdded,
    TaskCreated,
    TaskCompleted,
    TaskCancelled,
    TaskReassigned,
    DecisionRecorded,
    FormSubmitted,
    CaseClosed,
    CaseReopened,
    ServiceVersionChanged,
    TimerStarted,
    TimerPaused,
    TimerResumed,
    TimerExtended,
    TimerMet,
    TimerBreached,
    TimerCompletedLate,
    TimerCancelled,
    AlertRaised,
    AlertAcknowledged,
    ReminderSet,
    ObjectiveAdded,
    PlanReviewed,
    ReviewDateChanged,
    UserCreated,
    UserDisabled,
    UserEnabled,
    PasswordReset,
    RoleGranted,
    RoleRevoked,
    TeamCreated,
    TeamMemberAdded,
    TeamMemberRemoved,
    ApiTokenCreated,
    ApiTokenRevoked,
    DocumentAdded,
    RedactedCopyAdded,
    PaperDocumentRecorded,
    ScanAdded,
    PaperOriginalDestroyed,
    SubjectAccessRequested,
    SubjectAccessIdentityConfirmed,
    SubjectAccessExtended,
    /// A subject access bundle was made; the event keeps its SHA-256.
    SubjectAccessExported,
    SubjectAccessResponded,
    SubjectAccessRefused,
    /// Cases were drawn at random for a round of case-file audits.
    AuditRoundDrawn,
    CaseFileAuditCompleted,
}

impl EventKind {
    pub fn name(self) -> String {
        // The serde name is the one stored and shown; keep a single spelling.
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }
}

/// A change described by a command, before it is stamped with who and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub kind: EventKind,
    /// The record the change is about (a case, note, task, referral, user…), by its kind and id.
    pub subject: Subject,
    pub before: Value,
    pub after: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "kebab-case")]
pub enum Subject {
    Person(crate::ids::PersonId),
    Organisation(crate::ids::OrganisationId),
    Referral(crate::ids::ReferralId),
    Case(CaseId),
    Note(crate::ids::NoteId),
    Task(crate::ids::TaskId),
    Decision(crate::ids::DecisionId),
    User(UserId),
    Team(crate::ids::TeamId),
    Consent(crate::ids::ConsentId),
    LegalHold(crate::ids::LegalHoldId),
    Destruction(crate::ids::DestructionId),
    Disclosure(crate::ids::DisclosureId),
    Document(crate::ids::DocumentId),
    SubjectAccess(crate::ids::SubjectAccessId),
    AuditRound(crate::ids::AuditRoundId),
    CaseFileAudit(crate::ids::CaseFileAuditId),
}

impl Change {
    pub fn new(kind: EventKind, subject: Subject, before: Value, after: Value) -> Self {
        Self { kind, subject, before, after }
    }

    /// Stamps the change as an event of `case` (if it belongs to one) by `actor` at `at`.
    pub fn into_event(self, case: Option<CaseId>, actor: UserId, at: Timestamp) -> Event {
        Event {
            id: EventId::new(),
            case,
            actor,
            at,
            kind: self.kind,
            subject: self.subject,
            before: self.before,
            after: self.after,
        }
    }
}

/// An entry of the history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: EventId,
    pub case: Option<CaseId>,
    pub actor: UserId,
    pub at: Timestamp,
    pub kind: EventKind,
    pub subject: Subject,
    pub before: Value,
    pub after: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_kind_names_are_kebab_case() {
        assert_eq!(EventKind::ReferralKeptOnFile.name(), "referral-kept-on-file");
        assert_eq!(EventKind::CaseOpened.name(), "case-opened");
    }
}
