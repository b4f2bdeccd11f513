//! Tasks.

use crate::convert::{code, date, instant, micros, parse};
use crate::{Connection, Result, StoreError};
use casework_domain::ids::{CaseId, TaskId};
use casework_domain::task::{Assignee, Task, TaskStatus};
use casework_domain::text::{LongText, ShortText};
use jiff::Timestamp;

/// An assignee (of a task, or the recipient of an alert) as its two columns store it.
pub(crate) fn assignee_columns(assignee: &Assignee) -> (&'static str, String) {
    match assignee {
        Assignee::User(user) => ("user", user.to_string()),
        Assignee::Role(role) => ("role", role.to_string()),
        Assignee::Queue(queue) => ("queue", queue.to_string()),
    }
}

/// The assignee that [`assignee_columns`] stored as `kind` and `value`.
pub(crate) fn assignee(kind: &str, value: &str) -> Result<Assignee> {
    match kind {
        "user" => Ok(Assignee::User(parse("user id", value)?)),
        "role" => Ok(Assignee::Role(code(value)?)),
        "queue" => Ok(Assignee::Queue(code(value)?)),
        other => Err(StoreError::Corrupt(format!("assignee type {other:?}"))),
    }
}

fn end_columns(status: &TaskStatus) -> (Option<String>, Option<i64>, Option<&str>) {
    match status {
        TaskStatus::Open => (None, None, None),
        TaskStatus::Completed { by, at, outcome } => {
            (Some(by.to_string()), Some(micros(*at)), outcome.as_ref().map(LongText::as_str))
        }
        TaskStatus::Cancelled { by, at, reason } => (Some(by.to_string()), Some(micros(*at)), Some(reason.as_str())),
    }
}

pub async fn insert(conn: &mut Connection, task: &Task) -> Result<()> {
    let (assignee_type, assignee) = assignee_columns(&task.assignee);
    sqlx::query(
        "INSERT INTO tasks (id, case_id, title, assignee_type, assignee, due_on, status, created_by, created_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9)",
    )
    .bind(task.id.to_string())
    .bind(task.case.to_string())
    .bind(task.title.as_str())
    .bind(assignee_type)
    .bind(assignee)
    .bind(task.due_on.map(|d| d.to_string()))
    .bind(task.created_by.to_string())
    .bind(micros(task.created_at))
    .bind(task.version)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes the task if it is still at `seen_version`; `false` when someone changed it meanwhile.
pub async fn update(conn: &mut Connection, task: &Task, seen_version: i64) -> Result<bool> {
    let (assignee_type, assignee) = assignee_columns(&task.assignee);
    let (ended_by, ended_at, end_note) = end_columns(&task.status);
    let done = sqlx::query(
        "UPDATE tasks SET assignee_type = $1, assignee = $2, due_on = $3, status = $4, ended_by = $5, ended_at = $6,
            end_note = $7, version = version + 1
         WHERE id = $8 AND version = $9",
    )
    .bind(assignee_type)
    .bind(assignee)
    .bind(task.due_on.map(|d| d.to_string()))
    .bind(task.status.name())
    .bind(ended_by)
    .bind(ended_at)
    .bind(end_note)
    .bind(task.id.to_string())
    .bind(seen_version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    case_id: String,
    title: String,
    assignee_type: String,
    assignee: String,
    due_on: Option<String>,
    status: String,
    ended_by: Option<String>,
    ended_at: Option<i64>,
    end_note: Option<String>,
    created_by: String,
    created_at: i64,
    version: i64,
}

const COLUMNS: &str =
    "id, case_id, title, assignee_type, assignee, due_on, status, ended_by, ended_at, end_note, created_by, created_at, version";

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn task(row: Row) -> Result<Task> {
    let ended = || -> Result<(casework_domain::ids::UserId, Timestamp)> {
        Ok((parse("user id", row.ended_by.as_deref().unwrap_or_default())?, instant(row.ended_at.unwrap_or_default())?))
    };
    let status = match row.status.as_str() {
        "open" => TaskStatus::Open,
        "completed" => {
            let (by, at) = ended()?;
            TaskStatus::Completed { by, at, outcome: row.end_note.as_deref().map(LongText::parse).transpose().map_err(corrupt)? }
        }
        "cancelled" => {
            let (by, at) = ended()?;
            TaskStatus::Cancelled {
                by,
                at,
                reason: ShortText::parse(row.end_note.as_deref().unwrap_or_default()).map_err(corrupt)?,
            }
        }
        other => return Err(StoreError::Corrupt(format!("task status {other:?}"))),
    };
    let assignee = assignee(&row.assignee_type, &row.assignee)?;
    Ok(Task {
        id: parse("task id", &row.id)?,
        case: parse("case id", &row.case_id)?,
        title: ShortText::parse(&row.title).map_err(corrupt)?,
        assignee,
        due_on: row.due_on.as_deref().map(date).transpose()?,
        status,
        created_by: parse("user id", &row.created_by)?,
        created_at: instant(row.created_at)?,
        version: row.version,
    })
}

pub async fn get(conn: &mut Connection, id: TaskId) -> Result<Option<Task>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM tasks WHERE id = $1")).bind(id.to_string()).fetch_optional(conn).await?;
    row.map(task).transpose()
}

/// A case's tasks, oldest first, continuing after `after`.
pub async fn list(conn: &mut Connection, case: CaseId, after: Option<TaskId>, limit: i64) -> Result<Vec<Task>> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM tasks WHERE case_id = $1 AND id > $2 ORDER BY id LIMIT $3"))
            .bind(case.to_string())
            .bind(after.map(|a| a.to_string()).unwrap_or_default())
            .bind(limit)
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(task).collect()
}

/// An open task on someone's list, with the reference of its case.
#[derive(Debug, Clone)]
pub struct OpenTask {
    pub task: Task,
    pub case_reference: String,
}

/// The open tasks for a user: those given to them and those given to a role they hold in
/// the case's service, on cases they may see (the visibility rules are part of the query),
/// soonest due first and undated last.
pub async fn open_for(
    conn: &mut Connection,
    user: casework_domain::ids::UserId,
    roles: &[(casework_domain::text::Code, casework_domain::text::Code)],
    visible: &[casework_domain::access::CaseFilter],
    limit: i64,
) -> Result<Vec<OpenTask>> {
    let columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("t.{c}")).collect();
    let mut query = crate::sql::Sql::new(format!(
        "SELECT {}, c.reference AS case_reference FROM tasks t JOIN cases c ON c.id = t.case_id WHERE t.status = 'open' AND ((t.assignee_type = 'user' AND t.assignee = ",
        columns.join(", ")
    ));
    query.push_bind(user.to_string()).push(")");
    for (service, role) in roles {
        query.push(" OR (t.assignee_type = 'role' AND c.service = ").push_bind(service.to_string());
        query.push(" AND t.assignee = ").push_bind(role.to_string()).push(")");
    }
    query.push(")");
    crate::cases::push_visibility(&mut query, visible);
    query.push(" ORDER BY t.due_on IS NULL, t.due_on, t.id LIMIT ").push_bind(limit);
    let rows: Vec<(Row, String)> = query
        .build()?
        .try_map(|row: sqlx::any::AnyRow| {
            use sqlx::{FromRow, Row as _};
            Ok((Row::from_row(&row)?, row.try_get("case_reference")?))
        })
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(|(row, case_reference)| Ok(OpenTask { task: task(row)?, case_reference })).collect()
}
