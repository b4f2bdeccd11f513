//! Identifiers. Each kind of record has its own type so that a note id can never be
//! passed where a case id is wanted. All are UUIDv7: time-ordered, made in Rust, never by
//! the database.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new identifier, ordered after every one made before it.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type!(
    /// A person: the subject of a case or someone around them.
    PersonId,
    /// An organisation: partner agency, body complained about, receiving prison.
    OrganisationId,
    /// A referral: a request for support.
    ReferralId,
    /// One person's episode with one service.
    CaseId,
    /// A note in a case's contact log.
    NoteId,
    /// A piece of work for a user, role or queue.
    TaskId,
    /// A recorded decision.
    DecisionId,
    /// A user account.
    UserId,
    /// A team of users within a service.
    TeamId,
    /// An entry of the history.
    EventId,
    /// A record of consent (or a child's assent) to share.
    ConsentId,
    /// A legal hold that stops a case being destroyed.
    LegalHoldId,
    /// The record left when a case is destroyed at the end of its retention.
    DestructionId,
    /// A share, referral out, transfer or export of a case's information.
    DisclosureId,
    /// A document on a case: an uploaded file, a redacted copy of one, or a paper record.
    DocumentId,
    /// A subject access request: a person asking for everything a service holds about them.
    SubjectAccessId,
    /// A round of case-file audits: the cases drawn at random for auditing.
    AuditRoundId,
    /// One completed audit of a sampled case's file.
    CaseFileAuditId,
);

#[cfg(test)]
mod tests {
    use super::*;

    /// The history is read in id order, so ids made one after another must sort that way,
    /// even within one millisecond.
    #[test]
    fn ids_made_later_sort_later() {
        let ids: Vec<EventId> = (0..10_000).map(|_| EventId::new()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }
}
