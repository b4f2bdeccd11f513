//! Decisions. Only inserts: the database refuses updates and deletes.

use crate::convert::{code, instant, micros, parse};
use crate::{Connection, Result, StoreError};
use casework_domain::decision::Decision;
use casework_domain::ids::{CaseId, DecisionId};
use casework_domain::text::LongText;

pub async fn insert(conn: &mut Connection, decision: &Decision) -> Result<()> {
    sqlx::query(
        "INSERT INTO decisions (id, case_id, outcome, body_id, reason_list, reason, rationale, decided_by, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(decision.id.to_string())
    .bind(decision.case.to_string())
    .bind(decision.outcome.as_str())
    .bind(decision.body.map(|b| b.to_string()))
    .bind(decision.reason_list.as_str())
    .bind(decision.reason.as_str())
    .bind(decision.rationale.as_ref().map(LongText::as_str))
    .bind(decision.decided_by.to_string())
    .bind(micros(decision.decided_at))
    .execute(conn)
    .await?;
    Ok(())
}

type Row = (String, String, String, Option<String>, String, String, Option<String>, String, i64);
const COLUMNS: &str = "id, case_id, outcome, body_id, reason_list, reason, rationale, decided_by, decided_at";

pub async fn get(conn: &mut Connection, id: DecisionId) -> Result<Option<Decision>> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM decisions WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(decision).transpose()
}

/// A case's decisions, oldest first, continuing after `after`.
pub async fn list(conn: &mut Connection, case: CaseId, after: Option<DecisionId>, limit: i64) -> Result<Vec<Decision>> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM decisions WHERE case_id = $1 AND id > $2 ORDER BY id LIMIT $3"))
            .bind(case.to_string())
            .bind(after.map(|a| a.to_string()).unwrap_or_default())
            .bind(limit)
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(decision).collect()
}

fn decision((id, case, outcome, body, list, reason, rationale, by, at): Row) -> Result<Decision> {
    Ok(Decision {
        id: parse("decision id", &id)?,
        case: parse("case id", &case)?,
        outcome: code(&outcome)?,
        body: body.as_deref().map(|b| parse("organisation id", b)).transpose()?,
        reason_list: code(&list)?,
        reason: code(&reason)?,
        rationale: rationale.as_deref().map(LongText::parse).transpose().map_err(|e| StoreError::Corrupt(e.to_string()))?,
        decided_by: parse("user id", &by)?,
        decided_at: instant(at)?,
    })
}
