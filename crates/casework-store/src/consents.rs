//! Consents and their withdrawals.

use crate::convert::{date, instant, micros, parse};
use crate::{Connection, Result, StoreError};
use casework_domain::consent::{Consent, ConsentKind, GivenHow, Withdrawal};
use casework_domain::ids::{CaseId, ConsentId};
use casework_domain::text::ShortText;

fn name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn named<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned())).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn text(raw: &str) -> Result<ShortText> {
    ShortText::parse(raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub async fn insert(conn: &mut Connection, consent: &Consent) -> Result<()> {
    sqlx::query(
        "INSERT INTO consents (id, case_id, kind, given_by, relationship, scope, with_whom, how, given_on, until, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(consent.id.to_string())
    .bind(consent.case.to_string())
    .bind(name(&consent.kind))
    .bind(consent.given_by.as_str())
    .bind(consent.relationship.as_str())
    .bind(consent.scope.as_str())
    .bind(consent.with_whom.as_str())
    .bind(name(&consent.how))
    .bind(consent.given_on.to_string())
    .bind(consent.until.map(|d| d.to_string()))
    .bind(consent.recorded_by.to_string())
    .bind(micros(consent.recorded_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a withdrawal; false when the consent was already withdrawn (the first stands).
pub async fn insert_withdrawal(conn: &mut Connection, consent: ConsentId, withdrawal: &Withdrawal) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO consent_withdrawals (consent_id, withdrawn_by, withdrawn_at, reason) VALUES ($1, $2, $3, $4)
         ON CONFLICT (consent_id) DO NOTHING",
    )
    .bind(consent.to_string())
    .bind(withdrawal.by.to_string())
    .bind(micros(withdrawal.at))
    .bind(withdrawal.reason.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    case_id: String,
    kind: String,
    given_by: String,
    relationship: String,
    scope: String,
    with_whom: String,
    how: String,
    given_on: String,
    until: Option<String>,
    recorded_by: String,
    recorded_at: i64,
    withdrawn_by: Option<String>,
    withdrawn_at: Option<i64>,
    reason: Option<String>,
}

fn consent(row: Row) -> Result<Consent> {
    let withdrawn = match (row.withdrawn_by, row.withdrawn_at, row.reason) {
        (Some(by), Some(at), Some(reason)) => {
            Some(Withdrawal { at: instant(at)?, by: parse("user id", &by)?, reason: text(&reason)? })
        }
        _ => None,
    };
    Ok(Consent {
        id: parse("consent id", &row.id)?,
        case: parse("case id", &row.case_id)?,
        kind: named::<ConsentKind>(&row.kind)?,
        given_by: text(&row.given_by)?,
        relationship: text(&row.relationship)?,
        scope: text(&row.scope)?,
        with_whom: text(&row.with_whom)?,
        how: named::<GivenHow>(&row.how)?,
        given_on: date(&row.given_on)?,
        until: row.until.as_deref().map(date).transpose()?,
        withdrawn,
        recorded_by: parse("user id", &row.recorded_by)?,
        recorded_at: instant(row.recorded_at)?,
    })
}

const SELECT: &str =
    "SELECT c.id, c.case_id, c.kind, c.given_by, c.relationship, c.scope, c.with_whom, c.how, c.given_on, c.until,
    c.recorded_by, c.recorded_at, w.withdrawn_by, w.withdrawn_at, w.reason
    FROM consents c LEFT JOIN consent_withdrawals w ON w.consent_id = c.id";

/// A case's consents, oldest first.
pub async fn for_case(conn: &mut Connection, case: CaseId) -> Result<Vec<Consent>> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE c.case_id = $1 ORDER BY c.id")).bind(case.to_string()).fetch_all(conn).await?;
    rows.into_iter().map(consent).collect()
}

pub async fn get(conn: &mut Connection, id: ConsentId) -> Result<Option<Consent>> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE c.id = $1")).bind(id.to_string()).fetch_optional(conn).await?;
    row.map(consent).transpose()
}
