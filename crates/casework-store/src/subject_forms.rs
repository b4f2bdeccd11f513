//! Links for the person referred to fill in their own form.

use crate::convert::{code, instant, micros, parse};
use crate::{Connection, Result};
use casework_domain::ids::{EventId, ReferralId, UserId};
use casework_domain::text::Code;
use jiff::Timestamp;

/// A link as stored: never the secret itself, only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectFormLink {
    pub id: EventId,
    pub referral: ReferralId,
    pub form: Code,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

pub async fn insert(conn: &mut Connection, link: &SubjectFormLink, token_hash: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO subject_form_links (id, token_hash, referral_id, form, created_by, created_at, expires_at, used_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
    )
    .bind(link.id.to_string())
    .bind(token_hash)
    .bind(link.referral.to_string())
    .bind(link.form.as_str())
    .bind(link.created_by.to_string())
    .bind(micros(link.created_at))
    .bind(micros(link.expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

type Row = (String, String, String, String, i64, i64, Option<i64>);

const COLUMNS: &str = "id, referral_id, form, created_by, created_at, expires_at, used_at";

fn link((id, referral, form, created_by, created_at, expires_at, used_at): Row) -> Result<SubjectFormLink> {
    Ok(SubjectFormLink {
        id: parse("link id", &id)?,
        referral: parse("referral id", &referral)?,
        form: code(&form)?,
        created_by: parse("user id", &created_by)?,
        created_at: instant(created_at)?,
        expires_at: instant(expires_at)?,
        used_at: used_at.map(instant).transpose()?,
    })
}

pub async fn by_token_hash(conn: &mut Connection, token_hash: &str) -> Result<Option<SubjectFormLink>> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM subject_form_links WHERE token_hash = $1"))
        .bind(token_hash)
        .fetch_optional(conn)
        .await?;
    row.map(link).transpose()
}

/// A referral's links, newest first.
pub async fn for_referral(conn: &mut Connection, referral: ReferralId) -> Result<Vec<SubjectFormLink>> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM subject_form_links WHERE referral_id = $1 ORDER BY created_at DESC"))
            .bind(referral.to_string())
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(link).collect()
}

/// Marks a link used, if it still was unused: the second of two racing submissions finds
/// it used and writes nothing.
pub async fn mark_used(conn: &mut Connection, id: EventId, at: Timestamp) -> Result<bool> {
    let done = sqlx::query("UPDATE subject_form_links SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
        .bind(micros(at))
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
