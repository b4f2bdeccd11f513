//! Alert rules running on cases, and the alerts and reminders they produce.

use crate::convert::{code, instant, micros, parse};
use crate::sql::Sql;
use crate::{Connection, Result};
use casework_domain::access::CaseFilter;
use casework_domain::alert::Schedule;
use casework_domain::ids::{CaseId, EventId, NoteId, UserId};
use casework_domain::task::Assignee;
use casework_domain::text::Code;
use jiff::Timestamp;

/// A rule's schedule on a case.
#[derive(Debug, Clone)]
pub struct StoredSchedule {
    pub id: EventId,
    pub case: CaseId,
    pub rule: Code,
    pub schedule: Schedule,
}

pub async fn insert_schedule(conn: &mut Connection, stored: &StoredSchedule) -> Result<()> {
    sqlx::query(
        "INSERT INTO alert_schedules (id, case_id, rule, started_at, next_at, occurrences) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(stored.id.to_string())
    .bind(stored.case.to_string())
    .bind(stored.rule.as_str())
    .bind(micros(stored.schedule.started_at))
    .bind(stored.schedule.next_at.map(micros))
    .bind(i64::from(stored.schedule.occurrences))
    .execute(conn)
    .await?;
    Ok(())
}

/// Saves a schedule if it is still as `seen_occurrences` left it (so two sweeps cannot both
/// move it on).
pub async fn update_schedule(conn: &mut Connection, stored: &StoredSchedule, seen_occurrences: u32) -> Result<bool> {
    let done = sqlx::query("UPDATE alert_schedules SET next_at = $1, occurrences = $2 WHERE id = $3 AND occurrences = $4")
        .bind(stored.schedule.next_at.map(micros))
        .bind(i64::from(stored.schedule.occurrences))
        .bind(stored.id.to_string())
        .bind(i64::from(seen_occurrences))
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Saves many schedules, each only if it is still as its `seen_occurrences` left it (as
/// [`update_schedule`] guards one). Returns the ids of the schedules saved.
pub async fn update_schedules(
    conn: &mut Connection,
    changed: &[(StoredSchedule, u32)],
) -> Result<std::collections::HashSet<EventId>> {
    let rows = changed.iter().map(|(stored, seen_occurrences)| {
        crate::sql::row![
            stored.id.to_string(),
            stored.schedule.next_at.map(micros),
            i64::from(stored.schedule.occurrences),
            i64::from(*seen_occurrences),
        ]
    });
    let statements = crate::sql::many_rows(
        crate::Backend::of(conn),
        "UPDATE alert_schedules SET next_at = v.column2, occurrences = v.column3 FROM (VALUES ",
        ") AS v WHERE alert_schedules.id = v.column1 AND alert_schedules.occurrences = v.column4 RETURNING alert_schedules.id",
        4,
        rows,
    );
    crate::sql::returned_texts(conn, statements).await?.iter().map(|id| parse("schedule id", id)).collect()
}

type ScheduleRow = (String, String, String, i64, Option<i64>, i64);

fn schedule((id, case, rule, started, next, occurrences): ScheduleRow) -> Result<StoredSchedule> {
    Ok(StoredSchedule {
        id: parse("schedule id", &id)?,
        case: parse("case id", &case)?,
        rule: code(&rule)?,
        schedule: Schedule {
            started_at: instant(started)?,
            next_at: next.map(instant).transpose()?,
            occurrences: u32::try_from(occurrences).unwrap_or(u32::MAX),
        },
    })
}

/// The schedules of a case that still have something to fire.
pub async fn active_schedules(conn: &mut Connection, case: CaseId) -> Result<Vec<StoredSchedule>> {
    let rows: Vec<ScheduleRow> = sqlx::query_as(
        "SELECT id, case_id, rule, started_at, next_at, occurrences FROM alert_schedules
         WHERE case_id = $1 AND next_at IS NOT NULL ORDER BY id",
    )
    .bind(case.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(schedule).collect()
}

/// Schedules due at `now`, soonest first.
pub async fn due_schedules(conn: &mut Connection, now: Timestamp, limit: i64) -> Result<Vec<StoredSchedule>> {
    let rows: Vec<ScheduleRow> = sqlx::query_as(
        "SELECT id, case_id, rule, started_at, next_at, occurrences FROM alert_schedules
         WHERE next_at IS NOT NULL AND next_at <= $1 ORDER BY next_at LIMIT $2",
    )
    .bind(micros(now))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(schedule).collect()
}

/// How many rule schedules are due at `now` (what an alerts sweep at `now` would look at).
pub async fn count_due_schedules(conn: &mut Connection, now: Timestamp) -> Result<u64> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM alert_schedules WHERE next_at IS NOT NULL AND next_at <= $1")
        .bind(micros(now))
        .fetch_one(conn)
        .await?;
    Ok(u64::try_from(count).unwrap_or_default())
}

/// An alert or reminder.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Alert {
    pub id: EventId,
    pub case: CaseId,
    /// Filled in when read back, for lists.
    pub case_reference: String,
    pub service: Code,
    /// The rule that fired, or `None` for a reminder a person set.
    pub rule: Option<Code>,
    pub schedule: Option<EventId>,
    pub occurrence: u32,
    pub recipient: Assignee,
    pub message: String,
    pub fire_at: Timestamp,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub acknowledged: Option<Acknowledgement>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Acknowledgement {
    pub by: UserId,
    pub at: Timestamp,
    pub note: NoteId,
}

/// The columns of an alert's row, in the order [`row`] gives its values.
pub(crate) const ROW_COLUMNS: [&str; 15] = [
    "id",
    "case_id",
    "service",
    "schedule_id",
    "occurrence",
    "rule",
    "recipient_type",
    "recipient",
    "message",
    "fire_at",
    "created_by",
    "created_at",
    "acknowledged_by",
    "acknowledged_at",
    "acknowledgement",
];

/// An alert as its row in `alerts` holds it, under [`ROW_COLUMNS`].
pub(crate) fn row(alert: &Alert) -> Vec<crate::sql::Cell> {
    let (recipient_type, recipient) = crate::tasks::assignee_columns(&alert.recipient);
    let acknowledged = alert.acknowledged.as_ref();
    crate::sql::row![
        alert.id.to_string(),
        alert.case.to_string(),
        alert.service.as_str(),
        alert.schedule.map(|s| s.to_string()),
        i64::from(alert.occurrence),
        alert.rule.as_ref().map(Code::to_string),
        recipient_type,
        recipient,
        alert.message.as_str(),
        micros(alert.fire_at),
        alert.created_by.to_string(),
        micros(alert.created_at),
        acknowledged.map(|a| a.by.to_string()),
        acknowledged.map(|a| micros(a.at)),
        acknowledged.map(|a| a.note.to_string()),
    ]
}

/// Stores an alert; `false` if this occurrence of this schedule was already stored.
pub async fn insert(conn: &mut Connection, alert: &Alert) -> Result<bool> {
    Ok(!insert_many(conn, std::slice::from_ref(alert)).await?.is_empty())
}

/// Stores many alerts at once, each under its unique (schedule, occurrence) key. Returns the
/// ids of the alerts stored; an occurrence already stored is left out.
pub async fn insert_many(conn: &mut Connection, batch: &[Alert]) -> Result<std::collections::HashSet<EventId>> {
    let statements = crate::sql::many_rows(
        crate::Backend::of(conn),
        &format!("INSERT INTO alerts ({}) VALUES ", ROW_COLUMNS.join(", ")),
        " ON CONFLICT (schedule_id, occurrence) DO NOTHING RETURNING id",
        ROW_COLUMNS.len(),
        batch.iter().map(row),
    );
    crate::sql::returned_texts(conn, statements).await?.iter().map(|id| parse("alert id", id)).collect()
}

const COLUMNS: &str =
    "a.id, a.case_id, c.reference, a.service, a.rule, a.schedule_id, a.occurrence, a.recipient_type, a.recipient,
    a.message, a.fire_at, a.created_by, a.created_at, a.acknowledged_by, a.acknowledged_at, a.acknowledgement";

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    case_id: String,
    reference: String,
    service: String,
    rule: Option<String>,
    schedule_id: Option<String>,
    occurrence: i64,
    recipient_type: String,
    recipient: String,
    message: String,
    fire_at: i64,
    created_by: String,
    created_at: i64,
    acknowledged_by: Option<String>,
    acknowledged_at: Option<i64>,
    acknowledgement: Option<String>,
}

fn alert(row: Row) -> Result<Alert> {
    let recipient = crate::tasks::assignee(&row.recipient_type, &row.recipient)?;
    let acknowledged = match (row.acknowledged_by, row.acknowledged_at, row.acknowledgement) {
        (Some(by), Some(at), Some(note)) => {
            Some(Acknowledgement { by: parse("user id", &by)?, at: instant(at)?, note: parse("note id", &note)? })
        }
        _ => None,
    };
    Ok(Alert {
        id: parse("alert id", &row.id)?,
        case: parse("case id", &row.case_id)?,
        case_reference: row.reference,
        service: code(&row.service)?,
        rule: row.rule.as_deref().map(code).transpose()?,
        schedule: row.schedule_id.as_deref().map(|s| parse("schedule id", s)).transpose()?,
        occurrence: u32::try_from(row.occurrence).unwrap_or(u32::MAX),
        recipient,
        message: row.message,
        fire_at: instant(row.fire_at)?,
        created_by: parse("user id", &row.created_by)?,
        created_at: instant(row.created_at)?,
        acknowledged,
    })
}

pub async fn get(conn: &mut Connection, id: EventId) -> Result<Option<Alert>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM alerts a JOIN cases c ON c.id = a.case_id WHERE a.id = $1"))
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?;
    row.map(alert).transpose()
}

/// Who an alert list is for: a user, and the roles they hold in each service.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub user: UserId,
    pub roles: Vec<(Code, Code)>,
}

/// Unacknowledged alerts that have fired by `now` for the user or one of their roles, on
/// cases they may see, newest first.
pub async fn inbox(
    conn: &mut Connection,
    recipient: &Recipient,
    visible: &[CaseFilter],
    now: Timestamp,
    before: Option<EventId>,
    limit: i64,
) -> Result<Vec<Alert>> {
    let mut query = Sql::new(format!(
        "SELECT {COLUMNS} FROM alerts a JOIN cases c ON c.id = a.case_id WHERE a.acknowledged_at IS NULL AND a.fire_at <= "
    ));
    query.push_bind(micros(now));
    query.push(" AND ((a.recipient_type = 'user' AND a.recipient = ").push_bind(recipient.user.to_string()).push(")");
    for (service, role) in &recipient.roles {
        query.push(" OR (a.recipient_type = 'role' AND a.service = ").push_bind(service.to_string());
        query.push(" AND a.recipient = ").push_bind(role.to_string()).push(")");
    }
    query.push(")");
    crate::cases::push_visibility(&mut query, visible);
    if let Some(before) = before {
        query.push(" AND a.id < ").push_bind(before.to_string());
    }
    query.push(" ORDER BY a.id DESC LIMIT ").push_bind(limit);
    let rows: Vec<Row> = query.build_query_as()?.fetch_all(conn).await?;
    rows.into_iter().map(alert).collect()
}

/// Every alert and reminder of a case, newest first.
pub async fn for_case(conn: &mut Connection, case: CaseId) -> Result<Vec<Alert>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM alerts a JOIN cases c ON c.id = a.case_id WHERE a.case_id = $1 ORDER BY a.id DESC"
    ))
    .bind(case.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(alert).collect()
}

/// Marks an alert acknowledged with the note that answers it; `false` if it already was.
pub async fn acknowledge(conn: &mut Connection, id: EventId, by: UserId, at: Timestamp, note: NoteId) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE alerts SET acknowledged_by = $1, acknowledged_at = $2, acknowledgement = $3 WHERE id = $4 AND acknowledged_at IS NULL",
    )
    .bind(by.to_string())
    .bind(micros(at))
    .bind(note.to_string())
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
