//! Retention: legal holds, the disposal review, approvals, and destroying a case.

use crate::cases::push_visibility;
use crate::convert::Flag;
use crate::convert::{date, instant, micros, parse};
use crate::sql::Sql;
use crate::{Connection, Result, StoreError};
use casework_domain::access::CaseFilter;
use casework_domain::ids::{CaseId, DestructionId, DocumentId, LegalHoldId, PersonId, ReferralId, UserId};
use casework_domain::retention::{HoldLifting, LegalHold};
use casework_domain::text::{Code, LongText};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

fn long_text(raw: &str) -> Result<LongText> {
    LongText::parse(raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub async fn insert_hold(conn: &mut Connection, hold: &LegalHold) -> Result<()> {
    sqlx::query("INSERT INTO legal_holds (id, case_id, reason, placed_by, placed_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(hold.id.to_string())
        .bind(hold.case.to_string())
        .bind(hold.reason.as_str())
        .bind(hold.placed_by.to_string())
        .bind(micros(hold.placed_at))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_lifting(conn: &mut Connection, hold: LegalHoldId, lifting: &HoldLifting) -> Result<()> {
    sqlx::query("INSERT INTO legal_hold_liftings (hold_id, lifted_by, lifted_at, reason) VALUES ($1, $2, $3, $4)")
        .bind(hold.to_string())
        .bind(lifting.by.to_string())
        .bind(micros(lifting.at))
        .bind(lifting.reason.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

type HoldRow = (String, String, String, String, i64, Option<String>, Option<i64>, Option<String>);

const HOLD_COLUMNS: &str = "SELECT h.id, h.case_id, h.reason, h.placed_by, h.placed_at, l.lifted_by, l.lifted_at, l.reason
     FROM legal_holds h LEFT JOIN legal_hold_liftings l ON l.hold_id = h.id";

fn hold((id, case, reason, by, at, lifted_by, lifted_at, lifted_reason): HoldRow) -> Result<LegalHold> {
    let lifted = match (lifted_by, lifted_at, lifted_reason) {
        (Some(by), Some(at), Some(reason)) => {
            Some(HoldLifting { by: parse("user id", &by)?, at: instant(at)?, reason: long_text(&reason)? })
        }
        _ => None,
    };
    Ok(LegalHold {
        id: parse("legal hold id", &id)?,
        case: parse("case id", &case)?,
        reason: long_text(&reason)?,
        placed_by: parse("user id", &by)?,
        placed_at: instant(at)?,
        lifted,
    })
}

/// A case's legal holds, oldest first, lifted ones included.
pub async fn holds_of_case(conn: &mut Connection, case: CaseId) -> Result<Vec<LegalHold>> {
    let rows: Vec<HoldRow> = sqlx::query_as(&format!("{HOLD_COLUMNS} WHERE h.case_id = $1 ORDER BY h.id"))
        .bind(case.to_string())
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(hold).collect()
}

/// The closed cases of a service that are due for disposal review, as the reviewer may see
/// them, oldest closure first.
#[derive(Debug, Clone, Serialize)]
pub struct DueCase {
    pub id: CaseId,
    pub reference: String,
    pub person_name: String,
    pub born_on: Option<Date>,
    pub closed_at: Timestamp,
    pub on_hold: bool,
    pub approved: bool,
}

/// What makes a case due: closed before `closed_before` and, when `born_on_or_before` is
/// given and the birth date is known, born on or before it.
#[derive(Debug, Clone)]
pub struct DueQuery {
    pub service: Code,
    pub closed_before: Timestamp,
    pub born_on_or_before: Option<Date>,
    pub limit: i64,
}

fn push_due<'a>(query: &mut Sql<'a>, due: &'a DueQuery, visible: &[CaseFilter]) {
    query.push(" AND c.status = 'closed' AND c.service = ").push_bind(due.service.as_str());
    query.push(" AND c.closed_at < ").push_bind(micros(due.closed_before));
    if let Some(born) = due.born_on_or_before {
        query.push(" AND (p.date_of_birth IS NULL OR p.date_of_birth <= ").push_bind(born.to_string()).push(")");
    }
    push_visibility(query, visible);
}

pub async fn due_for_review(conn: &mut Connection, due: &DueQuery, visible: &[CaseFilter]) -> Result<Vec<DueCase>> {
    let mut query = Sql::new(
        "SELECT c.id, c.reference, p.given_name, p.family_name, p.date_of_birth, c.closed_at,
            EXISTS (SELECT 1 FROM legal_holds h WHERE h.case_id = c.id
                    AND NOT EXISTS (SELECT 1 FROM legal_hold_liftings l WHERE l.hold_id = h.id)),
            EXISTS (SELECT 1 FROM disposal_approvals a WHERE a.case_id = c.id)
         FROM cases c JOIN people p ON p.id = c.person_id WHERE TRUE",
    );
    push_due(&mut query, due, visible);
    query.push(" ORDER BY c.closed_at, c.id LIMIT ").push_bind(due.limit);
    type Row = (String, String, String, String, Option<String>, Option<i64>, Flag, Flag);
    let rows: Vec<Row> = query.build_query_as()?.fetch_all(conn).await?;
    rows.into_iter()
        .map(|(id, reference, given, family, born, closed, on_hold, approved)| {
            Ok(DueCase {
                id: parse("case id", &id)?,
                reference,
                person_name: format!("{given} {family}"),
                born_on: born.as_deref().map(date).transpose()?,
                closed_at: instant(closed.ok_or_else(|| StoreError::Corrupt(format!("closed case {id} has no closure time")))?)?,
                on_hold: on_hold.0,
                approved: approved.0,
            })
        })
        .collect()
}

/// A paper original whose scan has been kept past the service's period, as the reviewer
/// may see it, not yet recorded as destroyed.
#[derive(Debug, Clone, Serialize)]
pub struct DuePaper {
    pub document: DocumentId,
    pub case: CaseId,
    pub reference: String,
    pub title: String,
    pub location: String,
    pub received_on: Date,
    pub scanned_at: Timestamp,
    pub on_hold: bool,
}

/// What makes a paper original due: scanned before `scanned_before`, in the service, not yet
/// destroyed; restricted documents only for those who may see them; one document if given.
#[derive(Debug, Clone)]
pub struct DuePaperQuery {
    pub service: Code,
    pub scanned_before: Timestamp,
    pub with_restricted: bool,
    pub document: Option<DocumentId>,
    pub limit: i64,
}

pub async fn scanned_paper_due(conn: &mut Connection, due: &DuePaperQuery, visible: &[CaseFilter]) -> Result<Vec<DuePaper>> {
    let mut query = Sql::new(
        "SELECT d.id, c.id, c.reference, d.title, d.location, d.received_on, s.added_at,
            EXISTS (SELECT 1 FROM legal_holds h WHERE h.case_id = c.id
                    AND NOT EXISTS (SELECT 1 FROM legal_hold_liftings l WHERE l.hold_id = h.id))
         FROM documents d JOIN documents s ON s.scans = d.id JOIN cases c ON c.id = d.case_id
         WHERE d.location IS NOT NULL AND NOT EXISTS (SELECT 1 FROM paper_destructions x WHERE x.document_id = d.id)",
    );
    query.push(" AND c.service = ").push_bind(due.service.as_str());
    query.push(" AND s.added_at < ").push_bind(micros(due.scanned_before));
    if !due.with_restricted {
        query.push(" AND d.classification <> 'restricted'");
    }
    if let Some(document) = due.document {
        query.push(" AND d.id = ").push_bind(document.to_string());
    }
    push_visibility(&mut query, visible);
    query.push(" ORDER BY s.added_at, d.id LIMIT ").push_bind(due.limit);
    type Row = (String, String, String, String, String, String, i64, Flag);
    let rows: Vec<Row> = query.build_query_as()?.fetch_all(conn).await?;
    rows.into_iter()
        .map(|(document, case, reference, title, location, received_on, scanned_at, on_hold)| {
            Ok(DuePaper {
                document: parse("document id", &document)?,
                case: parse("case id", &case)?,
                reference,
                title,
                location,
                received_on: date(&received_on)?,
                scanned_at: instant(scanned_at)?,
                on_hold: on_hold.0,
            })
        })
        .collect()
}

pub async fn has_standing_hold(conn: &mut Connection, case: CaseId) -> Result<bool> {
    let held: Flag = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM legal_holds h WHERE h.case_id = $1
            AND NOT EXISTS (SELECT 1 FROM legal_hold_liftings l WHERE l.hold_id = h.id))",
    )
    .bind(case.to_string())
    .fetch_one(conn)
    .await?;
    Ok(held.0)
}

pub async fn approve(conn: &mut Connection, case: CaseId, by: UserId, at: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO disposal_approvals (case_id, approved_by, approved_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(case.to_string())
        .bind(by.to_string())
        .bind(micros(at))
        .execute(conn)
        .await?;
    Ok(())
}

/// Cases approved for destruction, oldest approval first: (case, approved by, approved at).
pub async fn approvals(conn: &mut Connection, limit: i64) -> Result<Vec<(CaseId, UserId, Timestamp)>> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT case_id, approved_by, approved_at FROM disposal_approvals ORDER BY approved_at, case_id LIMIT $1")
            .bind(limit)
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(|(c, u, at)| Ok((parse("case id", &c)?, parse("user id", &u)?, instant(at)?))).collect()
}

pub async fn withdraw_approval(conn: &mut Connection, case: CaseId) -> Result<()> {
    sqlx::query("DELETE FROM disposal_approvals WHERE case_id = $1").bind(case.to_string()).execute(conn).await?;
    Ok(())
}

/// The record a destruction leaves: what, when and under which rule; nothing about the person.
#[derive(Debug, Clone, Serialize)]
pub struct DestructionRecord {
    pub id: DestructionId,
    pub service: Code,
    pub reference: String,
    pub record: String,
    pub kept_for: String,
    pub basis: String,
    pub closed_on: Date,
    pub due_on: Date,
    pub approved_by: UserId,
    pub approved_at: Timestamp,
    pub destroyed_at: Timestamp,
    /// How many history events the case had, and the hash its chain ended in.
    pub history_events: i64,
    pub history_head: String,
    /// Rows removed, by table.
    pub removed: BTreeMap<String, u64>,
}

pub async fn insert_destruction(conn: &mut Connection, record: &DestructionRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO destruction_records (id, service, reference, record, kept_for, basis, closed_on, due_on, approved_by,
            approved_at, destroyed_at, history_events, history_head, removed)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(record.id.to_string())
    .bind(record.service.as_str())
    .bind(&record.reference)
    .bind(&record.record)
    .bind(&record.kept_for)
    .bind(&record.basis)
    .bind(record.closed_on.to_string())
    .bind(record.due_on.to_string())
    .bind(record.approved_by.to_string())
    .bind(micros(record.approved_at))
    .bind(micros(record.destroyed_at))
    .bind(record.history_events)
    .bind(&record.history_head)
    .bind(crate::convert::to_json(&record.removed))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn destructions(conn: &mut Connection, service: &Code, limit: i64) -> Result<Vec<DestructionRecord>> {
    type Row = (String, String, String, String, String, String, String, String, String, i64, i64, i64, String, String);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, service, reference, record, kept_for, basis, closed_on, due_on, approved_by, approved_at, destroyed_at,
            history_events, history_head, removed
         FROM destruction_records WHERE service = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(service.as_str())
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(
            |(
                id,
                service,
                reference,
                record,
                kept_for,
                basis,
                closed_on,
                due_on,
                by,
                approved_at,
                destroyed_at,
                events,
                head,
                removed,
            )| {
                Ok(DestructionRecord {
                    id: parse("destruction id", &id)?,
                    service: crate::convert::code(&service)?,
                    reference,
                    record,
                    kept_for,
                    basis,
                    closed_on: date(&closed_on)?,
                    due_on: date(&due_on)?,
                    approved_by: parse("user id", &by)?,
                    approved_at: instant(approved_at)?,
                    destroyed_at: instant(destroyed_at)?,
                    history_events: events,
                    history_head: head,
                    removed: crate::convert::json(&removed)?,
                })
            },
        )
        .collect()
}

/// The length of a case's history chain and the hash it ends in.
pub async fn history_head(conn: &mut Connection, case: CaseId) -> Result<(i64, String)> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT position, hash FROM event_chain WHERE chain = $1 ORDER BY position DESC LIMIT 1")
            .bind(case.to_string())
            .fetch_optional(conn)
            .await?;
    Ok(last.unwrap_or((0, String::new())))
}

/// Removes a case and everything recorded on it; the person and the referral too when
/// nothing else refers to them, with the person's details erased from the history outside
/// the case. Must run in the transaction that then writes the destruction record
/// `destruction`. Returns the rows removed by table, and the stored files of the case's
/// documents, for the caller to remove once the transaction has committed.
pub async fn destroy_case(
    conn: &mut Connection,
    case: CaseId,
    destruction: DestructionId,
) -> Result<(BTreeMap<String, u64>, Vec<String>)> {
    let id = case.to_string();
    let (person, referral): (String, String) = sqlx::query_as("SELECT person_id, referral_id FROM cases WHERE id = $1")
        .bind(&id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("case {id} to destroy is missing")))?;
    let person: PersonId = parse("person id", &person)?;
    let referral: ReferralId = parse("referral id", &referral)?;
    sqlx::query("INSERT INTO disposals_in_progress (case_id) VALUES ($1)").bind(&id).execute(&mut *conn).await?;
    let files: Vec<String> =
        sqlx::query_scalar("SELECT object FROM documents WHERE case_id = $1 AND object IS NOT NULL ORDER BY id")
            .bind(&id)
            .fetch_all(&mut *conn)
            .await?;

    let mut removed = BTreeMap::new();
    // Children before parents, so every foreign key holds at each step.
    let by_case = [
        ("alerts", "DELETE FROM alerts WHERE case_id = $1"),
        ("alert_schedules", "DELETE FROM alert_schedules WHERE case_id = $1"),
        ("case_timers", "DELETE FROM case_timers WHERE case_id = $1"),
        ("tasks", "DELETE FROM tasks WHERE case_id = $1"),
        ("meeting_items", "DELETE FROM meeting_items WHERE case_id = $1"),
        ("plan_reviews", "DELETE FROM plan_reviews WHERE case_id = $1"),
        ("plan_objectives", "DELETE FROM plan_objectives WHERE case_id = $1"),
        ("plans", "DELETE FROM plans WHERE case_id = $1"),
        ("paper_destructions", "DELETE FROM paper_destructions WHERE case_id = $1"),
        ("documents", "DELETE FROM documents WHERE case_id = $1 AND redacts IS NOT NULL"),
        ("documents", "DELETE FROM documents WHERE case_id = $1 AND scans IS NOT NULL"),
        ("documents", "DELETE FROM documents WHERE case_id = $1"),
        ("case_access", "DELETE FROM case_access WHERE case_id = $1"),
        ("break_glass", "DELETE FROM break_glass WHERE case_id = $1"),
        ("case_flags", "DELETE FROM case_flags WHERE case_id = $1"),
        ("case_key_dates", "DELETE FROM case_key_dates WHERE case_id = $1"),
        ("case_links", "DELETE FROM case_links WHERE case_id = $1 OR other_case_id = $1"),
        (
            "disclosure_flags",
            "DELETE FROM disclosure_flags WHERE disclosure_id IN (SELECT id FROM disclosures WHERE case_id = $1)",
        ),
        ("disclosures", "DELETE FROM disclosures WHERE case_id = $1"),
        (
            "consent_withdrawals",
            "DELETE FROM consent_withdrawals WHERE consent_id IN (SELECT id FROM consents WHERE case_id = $1)",
        ),
        ("consents", "DELETE FROM consents WHERE case_id = $1"),
        ("form_submissions", "DELETE FROM form_submissions WHERE case_id = $1"),
        ("case_file_audits", "DELETE FROM case_file_audits WHERE case_id = $1"),
        ("case_file_audit_samples", "DELETE FROM case_file_audit_samples WHERE case_id = $1"),
        ("notes", "DELETE FROM notes WHERE case_id = $1 AND addendum_to IS NOT NULL"),
        ("notes", "DELETE FROM notes WHERE case_id = $1"),
        ("decisions", "DELETE FROM decisions WHERE case_id = $1"),
        ("access_log", "DELETE FROM access_log WHERE case_id = $1"),
        (
            "legal_hold_liftings",
            "DELETE FROM legal_hold_liftings WHERE hold_id IN (SELECT id FROM legal_holds WHERE case_id = $1)",
        ),
        ("legal_holds", "DELETE FROM legal_holds WHERE case_id = $1"),
        ("disposal_approvals", "DELETE FROM disposal_approvals WHERE case_id = $1"),
        ("event_chain", "DELETE FROM event_chain WHERE chain = $1"),
        ("events", "DELETE FROM events WHERE case_id = $1"),
        ("cases", "DELETE FROM cases WHERE id = $1"),
    ];
    for (table, statement) in by_case {
        let done = sqlx::query(statement).bind(&id).execute(&mut *conn).await?;
        *removed.entry(table.to_owned()).or_insert(0) += done.rows_affected();
    }

    // The referral goes with its case unless a later referral names it as the one before.
    let mut erase: Vec<String> = Vec::new();
    let Flag(referral_kept) = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM referrals WHERE previous_id = $1)")
        .bind(referral.to_string())
        .fetch_one(&mut *conn)
        .await?;
    if !referral_kept {
        for (table, statement) in [
            ("subject_form_links", "DELETE FROM subject_form_links WHERE referral_id = $1"),
            ("meeting_items", "DELETE FROM meeting_items WHERE referral_id = $1"),
            ("referrals", "DELETE FROM referrals WHERE id = $1"),
        ] {
            let done = sqlx::query(statement).bind(referral.to_string()).execute(&mut *conn).await?;
            *removed.entry(table.to_owned()).or_insert(0) += done.rows_affected();
        }
        erase.push(referral.to_string());
    }

    // The person goes when no other case, referral or subject access request is about them
    // (a request is kept as the record of how it was answered, and names them).
    let Flag(person_kept) = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM cases WHERE person_id = $1) OR EXISTS (SELECT 1 FROM referrals WHERE person_id = $1)
            OR EXISTS (SELECT 1 FROM subject_access_requests WHERE person_id = $1)",
    )
    .bind(person.to_string())
    .fetch_one(&mut *conn)
    .await?;
    if !person_kept {
        for (table, statement) in [
            ("person_identifiers", "DELETE FROM person_identifiers WHERE person_id = $1"),
            ("person_relationships", "DELETE FROM person_relationships WHERE person_id = $1 OR related_person_id = $1"),
            ("people", "DELETE FROM people WHERE id = $1"),
        ] {
            let done = sqlx::query(statement).bind(person.to_string()).execute(&mut *conn).await?;
            *removed.entry(table.to_owned()).or_insert(0) += done.rows_affected();
        }
        erase.push(person.to_string());
    }

    // Answers kept for retried requests may hold the record too.
    let mut stale_answers = 0;
    for record in [id.clone(), referral.to_string(), person.to_string()] {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE response LIKE '%' || $1 || '%'")
            .bind(&record)
            .execute(&mut *conn)
            .await?;
        stale_answers += done.rows_affected();
    }
    removed.insert("idempotency_keys".to_owned(), stale_answers);

    let mut erased = 0;
    for subject in erase {
        let events: Vec<(String,)> = sqlx::query_as("SELECT id FROM events WHERE subject_id = $1 AND case_id IS NULL")
            .bind(&subject)
            .fetch_all(&mut *conn)
            .await?;
        for (event,) in events {
            sqlx::query("INSERT INTO erased_events (event_id, destruction_id) VALUES ($1, $2)")
                .bind(&event)
                .bind(destruction.to_string())
                .execute(&mut *conn)
                .await?;
            sqlx::query("UPDATE events SET before = 'null', after = 'null' WHERE id = $1")
                .bind(&event)
                .execute(&mut *conn)
                .await?;
            erased += 1;
        }
    }
    removed.insert("events erased".to_owned(), erased);
    removed.retain(|_, rows| *rows > 0);

    sqlx::query("DELETE FROM disposals_in_progress WHERE case_id = $1").bind(&id).execute(&mut *conn).await?;
    Ok((removed, files))
}
