//! Subject access requests and the bundles made for them.

use crate::convert::Flag;
use crate::convert::{code, date, instant, micros, parse};
use crate::{Connection, Result, StoreError};
use casework_domain::ids::{EventId, SubjectAccessId};
use casework_domain::subject_access::{Export, Extension, Status, SubjectAccessRequest};
use casework_domain::text::{Code, LongText, ShortText};

fn short(raw: &str) -> Result<ShortText> {
    ShortText::parse(raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn long(raw: &str) -> Result<LongText> {
    LongText::parse(raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The next number of a service's request references in a year. The writer is single, so
/// counting inside the transaction that inserts cannot hand out a number twice (and the
/// reference is unique besides).
pub async fn next_number(conn: &mut Connection, service: &Code, year: i16) -> Result<u32> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM subject_access_requests WHERE service = $1 AND received_on >= $2 AND received_on <= $3",
    )
    .bind(service.as_str())
    .bind(format!("{year:04}-01-01"))
    .bind(format!("{year:04}-12-31"))
    .fetch_one(conn)
    .await?;
    u32::try_from(count + 1).map_err(|_| StoreError::Corrupt(format!("request number {count}")))
}

/// The columns that change as a request is worked, in the order `insert` and `update` bind them.
struct Worked {
    identity_confirmed_on: Option<String>,
    status: &'static str,
    extended_on: Option<String>,
    extension_reason: Option<String>,
    response_sent_on: Option<String>,
    response_sha256: Option<String>,
    refused_on: Option<String>,
    refusal_reason: Option<String>,
}

fn worked(request: &SubjectAccessRequest) -> Worked {
    let (response_sent_on, response_sha256, refused_on, refusal_reason) = match &request.status {
        Status::Completed { sent_on, bundle_sha256 } => (Some(sent_on.to_string()), Some(bundle_sha256.clone()), None, None),
        Status::Refused { reason, on } => (None, None, Some(on.to_string()), Some(reason.to_string())),
        Status::AwaitingIdentity | Status::Open => (None, None, None, None),
    };
    Worked {
        identity_confirmed_on: request.identity_confirmed_on.map(|d| d.to_string()),
        status: request.status.name(),
        extended_on: request.extension.as_ref().map(|e| e.on.to_string()),
        extension_reason: request.extension.as_ref().map(|e| e.reason.to_string()),
        response_sent_on,
        response_sha256,
        refused_on,
        refusal_reason,
    }
}

pub async fn insert(conn: &mut Connection, request: &SubjectAccessRequest) -> Result<()> {
    let w = worked(request);
    sqlx::query(
        "INSERT INTO subject_access_requests (id, reference, service, person_id, representative, received_on,
            include_access_log, details, recorded_by, recorded_at, version,
            identity_confirmed_on, status, extended_on, extension_reason, response_sent_on, response_sha256,
            refused_on, refusal_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
    )
    .bind(request.id.to_string())
    .bind(&request.reference)
    .bind(request.service.as_str())
    .bind(request.person.to_string())
    .bind(request.representative.as_ref().map(ShortText::as_str))
    .bind(request.received_on.to_string())
    .bind(Flag(request.include_access_log))
    .bind(request.details.as_ref().map(LongText::as_str))
    .bind(request.recorded_by.to_string())
    .bind(micros(request.recorded_at))
    .bind(request.version)
    .bind(w.identity_confirmed_on)
    .bind(w.status)
    .bind(w.extended_on)
    .bind(w.extension_reason)
    .bind(w.response_sent_on)
    .bind(w.response_sha256)
    .bind(w.refused_on)
    .bind(w.refusal_reason)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes how the request stands if nobody changed it since `seen_version`, and moves it to
/// the next version. `false` means someone else got there first: nothing was written.
pub async fn update(conn: &mut Connection, request: &SubjectAccessRequest, seen_version: i64) -> Result<bool> {
    let w = worked(request);
    let done = sqlx::query(
        "UPDATE subject_access_requests SET identity_confirmed_on = $1, status = $2, extended_on = $3,
            extension_reason = $4, response_sent_on = $5, response_sha256 = $6, refused_on = $7, refusal_reason = $8,
            version = version + 1
         WHERE id = $9 AND version = $10",
    )
    .bind(w.identity_confirmed_on)
    .bind(w.status)
    .bind(w.extended_on)
    .bind(w.extension_reason)
    .bind(w.response_sent_on)
    .bind(w.response_sha256)
    .bind(w.refused_on)
    .bind(w.refusal_reason)
    .bind(request.id.to_string())
    .bind(seen_version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_export(conn: &mut Connection, request: SubjectAccessId, export: &Export) -> Result<()> {
    sqlx::query(
        "INSERT INTO subject_access_exports (id, request_id, sha256, cases, exported_by, exported_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(EventId::new().to_string())
    .bind(request.to_string())
    .bind(&export.sha256)
    .bind(i64::from(export.cases))
    .bind(export.by.to_string())
    .bind(micros(export.at))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    reference: String,
    service: String,
    person_id: String,
    representative: Option<String>,
    received_on: String,
    identity_confirmed_on: Option<String>,
    include_access_log: Flag,
    details: Option<String>,
    status: String,
    extended_on: Option<String>,
    extension_reason: Option<String>,
    response_sent_on: Option<String>,
    response_sha256: Option<String>,
    refused_on: Option<String>,
    refusal_reason: Option<String>,
    recorded_by: String,
    recorded_at: i64,
    version: i64,
    person_name: String,
}

const SELECT: &str = "SELECT r.id, r.reference, r.service, r.person_id, r.representative, r.received_on,
        r.identity_confirmed_on, r.include_access_log, r.details, r.status, r.extended_on, r.extension_reason,
        r.response_sent_on, r.response_sha256, r.refused_on, r.refusal_reason, r.recorded_by, r.recorded_at, r.version,
        p.given_name || ' ' || p.family_name AS person_name
     FROM subject_access_requests r JOIN people p ON p.id = r.person_id";

async fn request(conn: &mut Connection, row: Row) -> Result<(SubjectAccessRequest, String)> {
    let status = match row.status.as_str() {
        "awaiting-identity" => Status::AwaitingIdentity,
        "open" => Status::Open,
        "completed" => match (&row.response_sent_on, &row.response_sha256) {
            (Some(on), Some(sha256)) => Status::Completed { sent_on: date(on)?, bundle_sha256: sha256.clone() },
            _ => return Err(StoreError::Corrupt(format!("completed request {} has no response", row.id))),
        },
        "refused" => match (&row.refused_on, &row.refusal_reason) {
            (Some(on), Some(reason)) => Status::Refused { reason: long(reason)?, on: date(on)? },
            _ => return Err(StoreError::Corrupt(format!("refused request {} has no reason", row.id))),
        },
        other => return Err(StoreError::Corrupt(format!("request status {other:?}"))),
    };
    let extension = match (&row.extended_on, &row.extension_reason) {
        (Some(on), Some(reason)) => Some(Extension { reason: long(reason)?, on: date(on)? }),
        _ => None,
    };
    let exports: Vec<(String, i64, String, i64)> = sqlx::query_as(
        "SELECT sha256, cases, exported_by, exported_at FROM subject_access_exports WHERE request_id = $1 ORDER BY id",
    )
    .bind(&row.id)
    .fetch_all(&mut *conn)
    .await?;
    let exports = exports
        .into_iter()
        .map(|(sha256, cases, by, at)| {
            Ok(Export {
                sha256,
                cases: u32::try_from(cases).map_err(|_| StoreError::Corrupt(format!("export of {cases} cases")))?,
                by: parse("user id", &by)?,
                at: instant(at)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let request = SubjectAccessRequest {
        id: parse("subject access id", &row.id)?,
        reference: row.reference,
        service: code(&row.service)?,
        person: parse("person id", &row.person_id)?,
        representative: row.representative.as_deref().map(short).transpose()?,
        received_on: date(&row.received_on)?,
        identity_confirmed_on: row.identity_confirmed_on.as_deref().map(date).transpose()?,
        include_access_log: row.include_access_log.0,
        details: row.details.as_deref().map(long).transpose()?,
        status,
        extension,
        exports,
        recorded_by: parse("user id", &row.recorded_by)?,
        recorded_at: instant(row.recorded_at)?,
        version: row.version,
    };
    Ok((request, row.person_name))
}

/// A request with its exports, and the name of the person it is about.
pub async fn get(conn: &mut Connection, id: SubjectAccessId) -> Result<Option<(SubjectAccessRequest, String)>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE r.id = $1")).bind(id.to_string()).fetch_optional(&mut *conn).await?;
    match row {
        Some(row) => Ok(Some(request(conn, row).await?)),
        None => Ok(None),
    }
}

/// A service's requests still being worked (awaiting identity or open) and, with
/// `closed`, up to `limit` of those completed or refused too, newest first. Each comes with
/// the name of the person it is about.
pub async fn for_service(
    conn: &mut Connection,
    service: &Code,
    closed: bool,
    limit: i64,
) -> Result<Vec<(SubjectAccessRequest, String)>> {
    let mut rows: Vec<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE r.service = $1 AND r.status IN ('awaiting-identity', 'open') ORDER BY r.id"))
            .bind(service.as_str())
            .fetch_all(&mut *conn)
            .await?;
    if closed {
        let done: Vec<Row> = sqlx::query_as(&format!(
            "{SELECT} WHERE r.service = $1 AND r.status IN ('completed', 'refused') ORDER BY r.id DESC LIMIT $2"
        ))
        .bind(service.as_str())
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
        rows.extend(done);
    }
    let mut requests = Vec::with_capacity(rows.len());
    for row in rows {
        requests.push(request(conn, row).await?);
    }
    Ok(requests)
}
