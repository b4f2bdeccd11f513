//! Notes and addenda. Only inserts: the database refuses updates and deletes.

use crate::convert::Flag;
use crate::convert::{instant, micros, named, parse};
use crate::{Connection, Result, StoreError};
use casework_domain::ids::{CaseId, NoteId};
use casework_domain::note::{Note, NoteKind};
use casework_domain::text::LongText;

pub async fn insert(conn: &mut Connection, note: &Note) -> Result<()> {
    sqlx::query(
        "INSERT INTO notes (id, case_id, kind, body, contact_at, recorded_at, author_id, addendum_to, late_entry)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(note.id.to_string())
    .bind(note.case.to_string())
    .bind(note.kind.name())
    .bind(note.body.as_str())
    .bind(micros(note.contact_at))
    .bind(micros(note.recorded_at))
    .bind(note.author.to_string())
    .bind(note.addendum_to.map(|n| n.to_string()))
    .bind(Flag(note.late_entry))
    .execute(conn)
    .await?;
    Ok(())
}

type Row = (String, String, String, String, i64, i64, String, Option<String>, Flag);
const COLUMNS: &str = "id, case_id, kind, body, contact_at, recorded_at, author_id, addendum_to, late_entry";

fn note((id, case, kind, body, contact, recorded, author, addendum_to, late): Row) -> Result<Note> {
    Ok(Note {
        id: parse("note id", &id)?,
        case: parse("case id", &case)?,
        kind: named::<NoteKind>(&kind)?,
        body: LongText::parse(&body).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        contact_at: instant(contact)?,
        recorded_at: instant(recorded)?,
        author: parse("user id", &author)?,
        addendum_to: addendum_to.as_deref().map(|a| parse("note id", a)).transpose()?,
        late_entry: late.0,
    })
}

pub async fn get(conn: &mut Connection, id: NoteId) -> Result<Option<Note>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM notes WHERE id = $1")).bind(id.to_string()).fetch_optional(conn).await?;
    row.map(note).transpose()
}

/// A case's notes, newest first, continuing before `before`.
pub async fn list(conn: &mut Connection, case: CaseId, before: Option<NoteId>, limit: i64) -> Result<Vec<Note>> {
    let rows: Vec<Row> = match before {
        Some(before) => {
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM notes WHERE case_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"))
                .bind(case.to_string())
                .bind(before.to_string())
                .bind(limit)
                .fetch_all(conn)
                .await?
        }
        None => {
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM notes WHERE case_id = $1 ORDER BY id DESC LIMIT $2"))
                .bind(case.to_string())
                .bind(limit)
                .fetch_all(conn)
                .await?
        }
    };
    rows.into_iter().map(note).collect()
}
