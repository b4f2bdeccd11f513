//! The history and the access log: both append-only, both refused updates and deletes by
//! the database itself.

use crate::convert::{instant, json, micros, named, parse, to_json};
use crate::{Connection, Result};
use casework_domain::history::{Event, EventKind, Subject};
use casework_domain::ids::{CaseId, EventId, UserId};
use jiff::Timestamp;

pub async fn insert(conn: &mut Connection, event: &Event) -> Result<()> {
    let subject = serde_json::to_value(event.subject).unwrap_or_default();
    sqlx::query(
        "INSERT INTO events (id, case_id, actor_id, at, kind, subject_type, subject_id, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(event.id.to_string())
    .bind(event.case.map(|c| c.to_string()))
    .bind(event.actor.to_string())
    .bind(micros(event.at))
    .bind(event.kind.name())
    .bind(subject["type"].as_str().unwrap_or_default())
    .bind(subject["id"].as_str().unwrap_or_default())
    .bind(to_json(&event.before))
    .bind(to_json(&event.after))
    .execute(conn)
    .await?;
    Ok(())
}

type Row = (String, Option<String>, String, i64, String, String, String, String, String);

fn event((id, case, actor, at, kind, subject_type, subject_id, before, after): Row) -> Result<Event> {
    let subject: Subject = json(&serde_json::json!({ "type": subject_type, "id": subject_id }).to_string())?;
    Ok(Event {
        id: parse("event id", &id)?,
        case: case.as_deref().map(|c| parse("case id", c)).transpose()?,
        actor: parse("user id", &actor)?,
        at: instant(at)?,
        kind: named::<EventKind>(&kind)?,
        subject,
        before: json(&before)?,
        after: json(&after)?,
    })
}

/// A case's history, oldest first, continuing after `after`.
pub async fn for_case(conn: &mut Connection, case: CaseId, after: Option<EventId>, limit: i64) -> Result<Vec<Event>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, case_id, actor_id, at, kind, subject_type, subject_id, before, after
         FROM events WHERE case_id = $1 AND id > $2 ORDER BY id LIMIT $3",
    )
    .bind(case.to_string())
    .bind(after.map(|a| a.to_string()).unwrap_or_default())
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(event).collect()
}

/// Events about one record (a user, a referral…), oldest first.
pub async fn for_subject(conn: &mut Connection, subject_id: &str, limit: i64) -> Result<Vec<Event>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, case_id, actor_id, at, kind, subject_type, subject_id, before, after
         FROM events WHERE subject_id = $1 ORDER BY id LIMIT $2",
    )
    .bind(subject_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(event).collect()
}

/// Records that `user` looked at `what` of a case (its record, notes, history…).
pub async fn log_access(conn: &mut Connection, user: UserId, case: CaseId, what: &str, at: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO access_log (id, user_id, case_id, at, what) VALUES ($1, $2, $3, $4, $5)")
        .bind(EventId::new().to_string())
        .bind(user.to_string())
        .bind(case.to_string())
        .bind(micros(at))
        .bind(what)
        .execute(conn)
        .await?;
    Ok(())
}

/// An access-log entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Access {
    pub user: UserId,
    pub case: CaseId,
    pub at: Timestamp,
    pub what: String,
}

pub async fn accesses_of_case(conn: &mut Connection, case: CaseId) -> Result<Vec<Access>> {
    let rows: Vec<(String, String, i64, String)> =
        sqlx::query_as("SELECT user_id, case_id, at, what FROM access_log WHERE case_id = $1 ORDER BY id")
            .bind(case.to_string())
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(user, case, at, what)| {
            Ok(Access { user: parse("user id", &user)?, case: parse("case id", &case)?, at: instant(at)?, what })
        })
        .collect()
}
