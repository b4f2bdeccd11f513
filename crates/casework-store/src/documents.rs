//! Documents: the record of each file (its content lives in the document storage, under
//! `object`), redacted copy and paper document. Append-only.

use crate::convert::{date, instant, micros, named, parse};
use crate::{Connection, Result, StoreError};
use casework_domain::document::{Classification, Document, Paper, StoredFile};
use casework_domain::ids::{CaseId, DocumentId};
use casework_domain::text::ShortText;

fn text(raw: &str) -> Result<ShortText> {
    ShortText::parse(raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub async fn insert(conn: &mut Connection, document: &Document) -> Result<()> {
    let file = document.file.as_ref();
    let paper = document.paper.as_ref();
    sqlx::query(
        "INSERT INTO documents (id, case_id, title, classification, third_party, redacts, object, media_type, size, sha256,
            file_name, location, received_on, added_by, added_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(document.id.to_string())
    .bind(document.case.to_string())
    .bind(document.title.as_str())
    .bind(document.classification.name())
    .bind(document.third_party)
    .bind(document.redacts.map(|r| r.to_string()))
    .bind(file.map(|f| f.object.clone()))
    .bind(file.map(|f| f.media_type.clone()))
    .bind(file.map(|f| i64::try_from(f.size).unwrap_or(i64::MAX)))
    .bind(file.map(|f| f.sha256.clone()))
    .bind(file.map(|f| f.file_name.to_string()))
    .bind(paper.map(|p| p.location.to_string()))
    .bind(paper.map(|p| p.received_on.to_string()))
    .bind(document.added_by.to_string())
    .bind(micros(document.added_at))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    case_id: String,
    title: String,
    classification: String,
    third_party: bool,
    redacts: Option<String>,
    object: Option<String>,
    media_type: Option<String>,
    size: Option<i64>,
    sha256: Option<String>,
    file_name: Option<String>,
    location: Option<String>,
    received_on: Option<String>,
    added_by: String,
    added_at: i64,
}

fn document(row: Row) -> Result<Document> {
    let file = match (row.object, row.media_type, row.size, row.sha256, row.file_name) {
        (Some(object), Some(media_type), Some(size), Some(sha256), Some(file_name)) => Some(StoredFile {
            object,
            media_type,
            size: u64::try_from(size).map_err(|_| StoreError::Corrupt(format!("document size {size}")))?,
            sha256,
            file_name: text(&file_name)?,
        }),
        _ => None,
    };
    let paper = match (row.location, row.received_on) {
        (Some(location), Some(received_on)) => Some(Paper { location: text(&location)?, received_on: date(&received_on)? }),
        _ => None,
    };
    Ok(Document {
        id: parse("document id", &row.id)?,
        case: parse("case id", &row.case_id)?,
        title: text(&row.title)?,
        classification: named::<Classification>(&row.classification)?,
        third_party: row.third_party,
        redacts: row.redacts.as_deref().map(|r| parse("document id", r)).transpose()?,
        file,
        paper,
        added_by: parse("user id", &row.added_by)?,
        added_at: instant(row.added_at)?,
    })
}

const SELECT: &str = "SELECT id, case_id, title, classification, third_party, redacts, object, media_type, size, sha256,
    file_name, location, received_on, added_by, added_at FROM documents";

/// A case's documents, oldest first. Restricted ones are left out in the query itself unless
/// the reader may see them.
pub async fn for_case(conn: &mut Connection, case: CaseId, with_restricted: bool) -> Result<Vec<Document>> {
    let hide = if with_restricted { "" } else { " AND classification <> 'restricted'" };
    let rows: Vec<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE case_id = $1{hide} ORDER BY id")).bind(case.to_string()).fetch_all(conn).await?;
    rows.into_iter().map(document).collect()
}

/// One document of a case (None when it belongs to another case, or is restricted and the
/// reader may not see it).
pub async fn get(conn: &mut Connection, case: CaseId, id: DocumentId, with_restricted: bool) -> Result<Option<Document>> {
    let hide = if with_restricted { "" } else { " AND classification <> 'restricted'" };
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE id = $1 AND case_id = $2{hide}"))
        .bind(id.to_string())
        .bind(case.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(document).transpose()
}

/// Does a document record name this stored object?
pub async fn has_object(conn: &mut Connection, object: &str) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM documents WHERE object = $1").bind(object).fetch_optional(conn).await?;
    Ok(found.is_some())
}
