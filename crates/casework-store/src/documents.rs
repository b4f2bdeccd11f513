//! Documents: the record of each file (its content lives in the document storage, under
//! `object`), redacted copy and paper document. Append-only.

use crate::convert::Flag;
use crate::convert::{date, instant, micros, named, parse};
use crate::{Connection, Result, StoreError};
use casework_domain::document::{Classification, Document, Paper, PaperDestruction, StoredFile};
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
            file_name, location, received_on, added_by, added_at, scans)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(document.id.to_string())
    .bind(document.case.to_string())
    .bind(document.title.as_str())
    .bind(document.classification.name())
    .bind(Flag(document.third_party))
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
    .bind(document.scans.map(|p| p.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert_paper_destruction(conn: &mut Connection, destruction: &PaperDestruction) -> Result<()> {
    sqlx::query(
        "INSERT INTO paper_destructions (document_id, case_id, destroyed_on, method, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(destruction.document.to_string())
    .bind(destruction.case.to_string())
    .bind(destruction.destroyed_on.to_string())
    .bind(destruction.method.as_str())
    .bind(destruction.recorded_by.to_string())
    .bind(micros(destruction.recorded_at))
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
    third_party: Flag,
    redacts: Option<String>,
    scans: Option<String>,
    object: Option<String>,
    media_type: Option<String>,
    size: Option<i64>,
    sha256: Option<String>,
    file_name: Option<String>,
    location: Option<String>,
    received_on: Option<String>,
    added_by: String,
    added_at: i64,
    destroyed_on: Option<String>,
    destruction_method: Option<String>,
    destruction_recorded_by: Option<String>,
    destruction_recorded_at: Option<i64>,
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
    let id: DocumentId = parse("document id", &row.id)?;
    let case: CaseId = parse("case id", &row.case_id)?;
    let destroyed = match (row.destroyed_on, row.destruction_method, row.destruction_recorded_by, row.destruction_recorded_at) {
        (Some(on), Some(method), Some(by), Some(at)) => Some(PaperDestruction {
            document: id,
            case,
            destroyed_on: date(&on)?,
            method: text(&method)?,
            recorded_by: parse("user id", &by)?,
            recorded_at: instant(at)?,
        }),
        _ => None,
    };
    let paper = match (row.location, row.received_on) {
        (Some(location), Some(received_on)) => {
            Some(Paper { location: text(&location)?, received_on: date(&received_on)?, destroyed })
        }
        _ => None,
    };
    Ok(Document {
        id,
        case,
        title: text(&row.title)?,
        classification: named::<Classification>(&row.classification)?,
        third_party: row.third_party.0,
        redacts: row.redacts.as_deref().map(|r| parse("document id", r)).transpose()?,
        scans: row.scans.as_deref().map(|r| parse("document id", r)).transpose()?,
        file,
        paper,
        added_by: parse("user id", &row.added_by)?,
        added_at: instant(row.added_at)?,
    })
}

const SELECT: &str = "SELECT d.id, d.case_id, d.title, d.classification, d.third_party, d.redacts, d.scans, d.object,
    d.media_type, d.size, d.sha256, d.file_name, d.location, d.received_on, d.added_by, d.added_at,
    x.destroyed_on, x.method AS destruction_method, x.recorded_by AS destruction_recorded_by,
    x.recorded_at AS destruction_recorded_at
    FROM documents d LEFT JOIN paper_destructions x ON x.document_id = d.id";

/// A case's documents, oldest first. Restricted ones are left out in the query itself unless
/// the reader may see them.
pub async fn for_case(conn: &mut Connection, case: CaseId, with_restricted: bool) -> Result<Vec<Document>> {
    let hide = if with_restricted { "" } else { " AND d.classification <> 'restricted'" };
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} WHERE d.case_id = $1{hide} ORDER BY d.id"))
        .bind(case.to_string())
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(document).collect()
}

/// One document of a case (None when it belongs to another case, or is restricted and the
/// reader may not see it).
pub async fn get(conn: &mut Connection, case: CaseId, id: DocumentId, with_restricted: bool) -> Result<Option<Document>> {
    let hide = if with_restricted { "" } else { " AND d.classification <> 'restricted'" };
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE d.id = $1 AND d.case_id = $2{hide}"))
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

/// The scan of a paper document, if it has been scanned.
pub async fn scan_of(conn: &mut Connection, paper: DocumentId) -> Result<Option<DocumentId>> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM documents WHERE scans = $1").bind(paper.to_string()).fetch_optional(conn).await?;
    found.as_deref().map(|id| parse("document id", id)).transpose()
}

/// The storage name of every stored file, for checking a backup against its files.
pub async fn stored_objects(conn: &mut Connection) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT object FROM documents WHERE object IS NOT NULL ORDER BY object").fetch_all(conn).await?)
}
