//! Referrals.

use crate::convert::{code, instant, json, micros, named, parse, to_json};
use crate::{Connection, Result, StoreError};
use casework_domain::ids::{PersonId, ReferralId};
use casework_domain::referral::{Referral, ReferralOutcome, ReferralSource};
use casework_domain::text::{Code, LongText};

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    service: String,
    person_id: String,
    source: String,
    received_at: i64,
    summary: String,
    forms: String,
    previous_id: Option<String>,
    outcome: String,
    case_id: Option<String>,
    reason: Option<String>,
    explanation: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<i64>,
    recorded_by: String,
}

const COLUMNS: &str = "id, service, person_id, source, received_at, summary, forms, previous_id, outcome, case_id,
    reason, explanation, decided_by, decided_at, recorded_by";

fn long_text(raw: &str) -> Result<LongText> {
    LongText::parse(raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn referral(row: Row) -> Result<Referral> {
    let decided = || -> Result<_> {
        let by = parse("user id", row.decided_by.as_deref().unwrap_or_default())?;
        let at = instant(row.decided_at.unwrap_or_default())?;
        Ok((by, at))
    };
    let explanation = row.explanation.as_deref().map(long_text).transpose()?;
    let outcome = match row.outcome.as_str() {
        "pending" => ReferralOutcome::Pending,
        "accepted" => {
            let (by, at) = decided()?;
            ReferralOutcome::Accepted { case: parse("case id", row.case_id.as_deref().unwrap_or_default())?, by, at }
        }
        "rejected" => {
            let (by, at) = decided()?;
            ReferralOutcome::Rejected { reason: code(row.reason.as_deref().unwrap_or_default())?, explanation, by, at }
        }
        "kept-on-file" => {
            let (by, at) = decided()?;
            ReferralOutcome::KeptOnFile { explanation, by, at }
        }
        other => return Err(StoreError::Corrupt(format!("referral outcome {other:?}"))),
    };
    Ok(Referral {
        id: parse("referral id", &row.id)?,
        service: code(&row.service)?,
        person: parse("person id", &row.person_id)?,
        source: named::<ReferralSource>(&row.source)?,
        received_at: instant(row.received_at)?,
        summary: long_text(&row.summary)?,
        forms: json(&row.forms)?,
        previous: row.previous_id.as_deref().map(|p| parse("referral id", p)).transpose()?,
        outcome,
        recorded_by: parse("user id", &row.recorded_by)?,
    })
}

pub async fn insert(conn: &mut Connection, referral: &Referral, recorded_at: jiff::Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO referrals (id, service, person_id, source, received_at, summary, forms, previous_id, outcome,
            recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10)",
    )
    .bind(referral.id.to_string())
    .bind(referral.service.as_str())
    .bind(referral.person.to_string())
    .bind(referral.source.name())
    .bind(micros(referral.received_at))
    .bind(referral.summary.as_str())
    .bind(to_json(&referral.forms))
    .bind(referral.previous.map(|p| p.to_string()))
    .bind(referral.recorded_by.to_string())
    .bind(micros(recorded_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces the forms of a referral that is still pending; `false` once it is decided.
pub async fn set_forms(conn: &mut Connection, id: ReferralId, forms: &[casework_domain::referral::AttachedForm]) -> Result<bool> {
    let done = sqlx::query("UPDATE referrals SET forms = $1 WHERE id = $2 AND outcome = 'pending'")
        .bind(to_json(&forms))
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Writes a decision on a referral that is still pending; `false` when it was decided
/// meanwhile (the caller must not go on as if it had decided it).
pub async fn record_outcome(conn: &mut Connection, id: ReferralId, outcome: &ReferralOutcome) -> Result<bool> {
    let (case, reason, explanation, by, at) = match outcome {
        ReferralOutcome::Pending => return Ok(false),
        ReferralOutcome::Accepted { case, by, at } => (Some(case.to_string()), None, None, by, at),
        ReferralOutcome::Rejected { reason, explanation, by, at } => {
            (None, Some(reason.as_str()), explanation.as_ref().map(LongText::as_str), by, at)
        }
        ReferralOutcome::KeptOnFile { explanation, by, at } => (None, None, explanation.as_ref().map(LongText::as_str), by, at),
    };
    let done = sqlx::query(
        "UPDATE referrals SET outcome = $1, case_id = $2, reason = $3, explanation = $4, decided_by = $5, decided_at = $6
         WHERE id = $7 AND outcome = 'pending'",
    )
    .bind(outcome.name())
    .bind(case)
    .bind(reason)
    .bind(explanation)
    .bind(by.to_string())
    .bind(micros(*at))
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get(conn: &mut Connection, id: ReferralId) -> Result<Option<Referral>> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM referrals WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(referral).transpose()
}

/// Filters for the referral list.
#[derive(Debug, Clone, Default)]
pub struct ReferralFilter {
    /// Services whose every referral the user may see.
    pub services: Vec<Code>,
    /// Services where the user may see only the referrals they recorded themselves.
    pub own_services: Vec<Code>,
    pub recorded_by: Option<casework_domain::ids::UserId>,
    pub outcome: Option<String>,
    pub person: Option<PersonId>,
    /// Newest first, continuing before this id.
    pub before: Option<ReferralId>,
    pub limit: i64,
}

pub async fn list(conn: &mut Connection, filter: &ReferralFilter) -> Result<Vec<Referral>> {
    if filter.services.is_empty() && filter.own_services.is_empty() {
        return Ok(Vec::new());
    }
    // '' matches no service; it keeps each list valid SQL when empty.
    let mut query = crate::sql::Sql::new(format!("SELECT {COLUMNS} FROM referrals WHERE (service IN (''"));
    for service in &filter.services {
        query.push(", ").push_bind(service.as_str());
    }
    query.push(") OR (recorded_by = ").push_bind(filter.recorded_by.map(|u| u.to_string()).unwrap_or_default());
    query.push(" AND service IN (''");
    for service in &filter.own_services {
        query.push(", ").push_bind(service.as_str());
    }
    query.push(")))");
    if let Some(outcome) = &filter.outcome {
        query.push(" AND outcome = ").push_bind(outcome);
    }
    if let Some(person) = filter.person {
        query.push(" AND person_id = ").push_bind(person.to_string());
    }
    if let Some(before) = filter.before {
        query.push(" AND id < ").push_bind(before.to_string());
    }
    query.push(" ORDER BY id DESC LIMIT ").push_bind(filter.limit);
    let rows: Vec<Row> = query.build_query_as()?.fetch_all(conn).await?;
    rows.into_iter().map(referral).collect()
}
