//! Disclosures and the flags added beside them when the consent they relied on is withdrawn.

use crate::convert::{code, instant, micros, named, parse};
use crate::{Connection, Result, StoreError};
use casework_domain::disclosure::{Basis, Disclosure, DisclosureFlag, Recipient};
use casework_domain::ids::{CaseId, ConsentId, DisclosureId, UserId};
use casework_domain::text::{LongText, ShortText};

fn short(raw: &str) -> Result<ShortText> {
    ShortText::parse(raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn long(raw: &str) -> Result<LongText> {
    LongText::parse(raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub async fn insert(conn: &mut Connection, disclosure: &Disclosure) -> Result<()> {
    let (consent, statutory) = match &disclosure.basis {
        Basis::Consent { consent } => (Some(consent.to_string()), None),
        Basis::Statutory { code } => (None, Some(code.to_string())),
    };
    sqlx::query(
        "INSERT INTO disclosures (id, case_id, kind, recipient_organisation, recipient_person, sent_how, summary,
            consent_id, statutory_basis, reason, export_sha256, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(disclosure.id.to_string())
    .bind(disclosure.case.to_string())
    .bind(disclosure.kind.code())
    .bind(disclosure.recipient.organisation.as_str())
    .bind(disclosure.recipient.person.as_ref().map(ShortText::as_str))
    .bind(disclosure.recipient.sent_how.as_str())
    .bind(disclosure.summary.as_str())
    .bind(consent)
    .bind(statutory)
    .bind(disclosure.reason.as_str())
    .bind(disclosure.export_sha256.as_deref())
    .bind(disclosure.recorded_by.to_string())
    .bind(micros(disclosure.recorded_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Flags a disclosure; false when it was already flagged (the first flag stands).
pub async fn insert_flag(conn: &mut Connection, flag: &DisclosureFlag) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO disclosure_flags (disclosure_id, consent_id, withdrawn_at) VALUES ($1, $2, $3)
         ON CONFLICT (disclosure_id) DO NOTHING",
    )
    .bind(flag.disclosure.to_string())
    .bind(flag.consent.to_string())
    .bind(micros(flag.withdrawn_at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The disclosures that relied on a consent, oldest first, with who made each.
pub async fn relying_on(conn: &mut Connection, consent: ConsentId) -> Result<Vec<(DisclosureId, UserId)>> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, recorded_by FROM disclosures WHERE consent_id = $1 ORDER BY id")
        .bind(consent.to_string())
        .fetch_all(conn)
        .await?;
    rows.iter().map(|(id, by)| Ok((parse("disclosure id", id)?, parse("user id", by)?))).collect()
}

/// A disclosure as stored, with its flag if the consent it relied on was withdrawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDisclosure {
    pub disclosure: Disclosure,
    pub flag: Option<DisclosureFlag>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    case_id: String,
    kind: String,
    recipient_organisation: String,
    recipient_person: Option<String>,
    sent_how: String,
    summary: String,
    consent_id: Option<String>,
    statutory_basis: Option<String>,
    reason: String,
    export_sha256: Option<String>,
    recorded_by: String,
    recorded_at: i64,
    flag_consent: Option<String>,
    withdrawn_at: Option<i64>,
}

fn stored(row: Row) -> Result<StoredDisclosure> {
    let id: DisclosureId = parse("disclosure id", &row.id)?;
    let basis = match (row.consent_id, row.statutory_basis) {
        (Some(consent), None) => Basis::Consent { consent: parse("consent id", &consent)? },
        (None, Some(basis)) => Basis::Statutory { code: code(&basis)? },
        _ => return Err(StoreError::Corrupt(format!("disclosure {id} has no single basis"))),
    };
    let flag = match (row.flag_consent, row.withdrawn_at) {
        (Some(consent), Some(at)) => {
            Some(DisclosureFlag { disclosure: id, consent: parse("consent id", &consent)?, withdrawn_at: instant(at)? })
        }
        _ => None,
    };
    let disclosure = Disclosure {
        id,
        case: parse("case id", &row.case_id)?,
        kind: named(&row.kind)?,
        recipient: Recipient {
            organisation: short(&row.recipient_organisation)?,
            person: row.recipient_person.as_deref().map(short).transpose()?,
            sent_how: short(&row.sent_how)?,
        },
        summary: long(&row.summary)?,
        basis,
        reason: long(&row.reason)?,
        export_sha256: row.export_sha256,
        recorded_by: parse("user id", &row.recorded_by)?,
        recorded_at: instant(row.recorded_at)?,
    };
    Ok(StoredDisclosure { disclosure, flag })
}

/// A case's disclosures, newest first.
pub async fn for_case(conn: &mut Connection, case: CaseId) -> Result<Vec<StoredDisclosure>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT d.id, d.case_id, d.kind, d.recipient_organisation, d.recipient_person, d.sent_how, d.summary, d.consent_id,
            d.statutory_basis, d.reason, d.export_sha256, d.recorded_by, d.recorded_at,
            f.consent_id AS flag_consent, f.withdrawn_at
         FROM disclosures d LEFT JOIN disclosure_flags f ON f.disclosure_id = d.id
         WHERE d.case_id = $1 ORDER BY d.id DESC",
    )
    .bind(case.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(stored).collect()
}
