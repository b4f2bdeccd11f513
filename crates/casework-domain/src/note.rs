//! Notes: the contemporaneous record of contacts and events. A saved note never changes;
//! a correction is an addendum that points at the note it corrects.

use crate::FieldError;
use crate::ids::{CaseId, NoteId, UserId};
use crate::text::LongText;
use crate::time::day_of;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteKind {
    /// A face-to-face contact.
    Contact,
    Phone,
    Email,
    Meeting,
    Supervision,
    /// The worker's analysis or reasoning.
    Analysis,
}

impl NoteKind {
    pub fn name(self) -> &'static str {
        match self {
            NoteKind::Contact => "contact",
            NoteKind::Phone => "phone",
            NoteKind::Email => "email",
            NoteKind::Meeting => "meeting",
            NoteKind::Supervision => "supervision",
            NoteKind::Analysis => "analysis",
        }
    }
}

/// A checked request to write a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNote {
    pub kind: NoteKind,
    pub body: LongText,
    /// When the contact happened.
    pub contact_at: Timestamp,
}

impl NewNote {
    /// A contact cannot be in the future of its recording.
    pub fn new(kind: NoteKind, body: LongText, contact_at: Timestamp, recorded_at: Timestamp) -> Result<Self, FieldError> {
        if contact_at > recorded_at {
            return Err(FieldError::new("contact_at", "the contact cannot be later than now"));
        }
        Ok(Self { kind, body, contact_at })
    }
}

/// A saved note. There is no way to change one: it has no setters, and the store refuses
/// updates to the notes table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub id: NoteId,
    pub case: CaseId,
    pub kind: NoteKind,
    pub body: LongText,
    pub contact_at: Timestamp,
    pub recorded_at: Timestamp,
    pub author: UserId,
    /// For an addendum, the note it adds to or corrects.
    pub addendum_to: Option<NoteId>,
    /// Recorded after the day of the contact.
    pub late_entry: bool,
}

/// A note is a late entry when it is recorded on a later day (UK time) than the contact.
pub fn is_late_entry(contact_at: Timestamp, recorded_at: Timestamp) -> bool {
    day_of(recorded_at) > day_of(contact_at)
}

impl Note {
    pub fn record(case: CaseId, new: NewNote, author: UserId, recorded_at: Timestamp) -> Self {
        Note {
            id: NoteId::new(),
            case,
            kind: new.kind,
            late_entry: is_late_entry(new.contact_at, recorded_at),
            body: new.body,
            contact_at: new.contact_at,
            recorded_at,
            author,
            addendum_to: None,
        }
    }

    /// An addendum to this note. Addenda attach to the original note, never to another
    /// addendum, so a note's corrections read as one list.
    pub fn addendum(&self, body: LongText, author: UserId, recorded_at: Timestamp) -> Note {
        Note {
            id: NoteId::new(),
            case: self.case,
            kind: self.kind,
            body,
            contact_at: recorded_at,
            recorded_at,
            author,
            addendum_to: Some(self.addendum_to.unwrap_or(self.id)),
            late_entry: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn late_entry_is_about_the_day_not_the_hours() {
        assert!(!is_late_entry(at("2026-03-02T09:00:00Z"), at("2026-03-02T22:59:00Z")));
        assert!(is_late_entry(at("2026-03-02T09:00:00Z"), at("2026-03-03T00:01:00Z")));
        // In summer, 23:30 UTC is already the next day in the UK.
        assert!(is_late_entry(at("2026-07-02T09:00:00Z"), at("2026-07-02T23:30:00Z")));
    }

    #[test]
    fn contacts_cannot_be_in_the_future() {
        let body = LongText::parse("met").unwrap();
        assert!(NewNote::new(NoteKind::Contact, body, at("2026-03-02T10:00:00Z"), at("2026-03-02T09:00:00Z")).is_err());
    }

    #[test]
    fn addenda_point_at_the_original() {
        let now = at("2026-03-02T10:00:00Z");
        let new = NewNote::new(NoteKind::Phone, LongText::parse("call").unwrap(), now, now).unwrap();
        let note = Note::record(CaseId::new(), new, UserId::new(), now);
        let first = note.addendum(LongText::parse("fix").unwrap(), UserId::new(), now);
        let second = first.addendum(LongText::parse("fix 2").unwrap(), UserId::new(), now);
        assert_eq!(first.addendum_to, Some(note.id));
        assert_eq!(second.addendum_to, Some(note.id));
    }

    proptest! {
        #[test]
        fn late_entry_iff_recorded_on_a_later_uk_day(contact in 0i64..4_000_000_000, delay in 0i64..400_000) {
            let contact_at = Timestamp::from_second(contact).unwrap();
            let recorded_at = Timestamp::from_second(contact + delay).unwrap();
            let late = is_late_entry(contact_at, recorded_at);
            prop_assert_eq!(late, day_of(recorded_at) != day_of(contact_at));
            if delay >= 90_000 { prop_assert!(late); } // more than 25 hours is always another day
        }
    }
}
