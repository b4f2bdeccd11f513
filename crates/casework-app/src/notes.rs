//! Notes and addenda. Writing a note needs `note.add` on an open case; an addendum may be
//! added to a closed case too, since correcting the record must always be possible.

use crate::idempotency::{parse_id, remember, replayed};
use crate::{App, AppError, Idempotency, Result};
use casework_domain::FieldError;
use casework_domain::access::{Actor, Permission};
use casework_domain::history::{Change, EventKind, Subject};
use casework_domain::ids::{CaseId, NoteId};
use casework_domain::note::{NewNote, Note, NoteKind};
use casework_domain::text::LongText;
use casework_store::notes;
use jiff::Timestamp;
use serde_json::json;

fn note_change(note: &Note, kind: EventKind) -> Change {
    Change::new(
        kind,
        Subject::Note(note.id),
        json!(null),
        json!({ "kind": note.kind, "contact_at": note.contact_at, "late_entry": note.late_entry, "addendum_to": note.addendum_to }),
    )
}

impl App {
    pub async fn add_note(
        &self,
        actor: &Actor,
        case: CaseId,
        kind: NoteKind,
        body: LongText,
        contact_at: Option<Timestamp>,
        idempotency: Option<&Idempotency>,
    ) -> Result<Note> {
        let now = self.now();
        let new = NewNote::new(kind, body, contact_at.unwrap_or(now), now)?;
        let mut tx = self.store.begin().await?;
        let found = self.case_for(&mut tx, actor, case, Permission::NoteAdd, "write notes on this case").await?;
        if let Some(id) = replayed(&mut tx, actor, idempotency).await? {
            return crate::idempotency::answer_replay(notes::get(&mut tx, parse_id(&id)?).await?, tx, "note").await;
        }
        if !found.is_open() {
            return Err(FieldError::new("", "the case is closed; reopen it to add notes, or add an addendum").into());
        }
        let note = Note::record(case, new, actor.user, now);
        notes::insert(&mut tx, &note).await?;
        self.record(&mut tx, actor, Some(case), [note_change(&note, EventKind::NoteAdded)], now).await?;
        remember(&mut tx, actor, idempotency, &note.id.to_string(), now).await?;
        tx.commit().await?;
        Ok(note)
    }

    pub async fn add_addendum(
        &self,
        actor: &Actor,
        case: CaseId,
        to: NoteId,
        body: LongText,
        idempotency: Option<&Idempotency>,
    ) -> Result<Note> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.case_for(&mut tx, actor, case, Permission::NoteAdd, "write notes on this case").await?;
        if let Some(id) = replayed(&mut tx, actor, idempotency).await? {
            return crate::idempotency::answer_replay(notes::get(&mut tx, parse_id(&id)?).await?, tx, "note").await;
        }
        let original = match notes::get(&mut tx, to).await? {
            Some(note) if note.case == case => note,
            _ => return Err(AppError::NotFound("note")),
        };
        let addendum = original.addendum(body, actor.user, now);
        notes::insert(&mut tx, &addendum).await?;
        self.record(&mut tx, actor, Some(case), [note_change(&addendum, EventKind::AddendumAdded)], now).await?;
        remember(&mut tx, actor, idempotency, &addendum.id.to_string(), now).await?;
        tx.commit().await?;
        Ok(addendum)
    }

    /// A case's notes and addenda, newest first. Reading them is logged.
    pub async fn case_notes(&self, actor: &Actor, case: CaseId, before: Option<NoteId>, limit: i64) -> Result<Vec<Note>> {
        self.log_read(actor, case, Permission::CaseRead, "notes").await?;
        let mut conn = self.store.read().await?;
        Ok(notes::list(&mut conn, case, before, limit).await?)
    }
}
