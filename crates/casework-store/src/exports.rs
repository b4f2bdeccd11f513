//! The export log: every report or work list taken away as a file. Append-only, like the
//! access log beside it in `events`.

use crate::convert::{code, instant, micros, parse};
use crate::{Connection, Result};
use casework_domain::ids::{EventId, UserId};
use casework_domain::text::Code;
use jiff::Timestamp;

/// One export, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRecord {
    pub user: UserId,
    pub service: Code,
    /// Which report or work list, e.g. `report timeliness`, `work list unallocated`.
    pub what: String,
    /// The filters it was asked with, as a query string.
    pub filters: String,
    /// `csv` or `xlsx`.
    pub format: String,
    pub rows: i64,
    pub at: Timestamp,
}

pub async fn log_export(conn: &mut Connection, record: &ExportRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO export_log (id, user_id, service, what, filters, format, row_count, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(EventId::new().to_string())
    .bind(record.user.to_string())
    .bind(record.service.to_string())
    .bind(&record.what)
    .bind(&record.filters)
    .bind(&record.format)
    .bind(record.rows)
    .bind(micros(record.at))
    .execute(conn)
    .await?;
    Ok(())
}

/// An entry of the export log, with the username an auditor reads it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportEntry {
    pub id: EventId,
    pub username: String,
    pub record: ExportRecord,
}

/// The exports from any of `services`, newest first, before the entry `before`.
pub async fn export_log(
    conn: &mut Connection,
    services: &[Code],
    before: Option<EventId>,
    limit: i64,
) -> Result<Vec<ExportEntry>> {
    if services.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = crate::sql::Sql::new(
        "SELECT e.id, e.user_id, u.username, e.service, e.what, e.filters, e.format, e.row_count, e.at
         FROM export_log e JOIN users u ON u.id = e.user_id WHERE e.service IN (",
    );
    let mut listed = query.separated(", ");
    for service in services {
        listed.push_bind(service.to_string());
    }
    query.push(")");
    if let Some(before) = before {
        query.push(" AND e.id < ").push_bind(before.to_string());
    }
    query.push(" ORDER BY e.id DESC LIMIT ").push_bind(limit);
    type Row = (String, String, String, String, String, String, String, i64, i64);
    let rows: Vec<Row> = query.build_query_as()?.fetch_all(conn).await?;
    rows.into_iter()
        .map(|(id, user, username, service, what, filters, format, rows, at)| {
            Ok(ExportEntry {
                id: parse("export id", &id)?,
                username,
                record: ExportRecord {
                    user: parse("user id", &user)?,
                    service: code(&service)?,
                    what,
                    filters,
                    format,
                    rows,
                    at: instant(at)?,
                },
            })
        })
        .collect()
}
