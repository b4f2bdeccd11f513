//! Deadlines running on cases.

use crate::convert::{json, micros, parse, to_json};
use crate::{Connection, Result};
use casework_domain::ids::{CaseId, EventId};
use casework_domain::timer::{Timer, TimerState};
use jiff::Timestamp;

/// One run of a deadline on a case.
#[derive(Debug, Clone)]
pub struct StoredTimer {
    pub id: EventId,
    pub case: CaseId,
    pub timer: Timer,
}

fn running_due_at(timer: &Timer) -> Option<i64> {
    matches!(timer.state, TimerState::Running).then(|| micros(timer.due_at))
}

pub async fn insert(conn: &mut Connection, stored: &StoredTimer, at: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_timers (id, case_id, code, state, due_at, running_due_at, timer, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(stored.id.to_string())
    .bind(stored.case.to_string())
    .bind(stored.timer.code.as_str())
    .bind(stored.timer.state.name())
    .bind(micros(stored.timer.due_at))
    .bind(running_due_at(&stored.timer))
    .bind(to_json(&stored.timer))
    .bind(micros(at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Saves a changed timer. `expected_state` guards against two sweeps both reporting the
/// same breach: the second finds the state already moved on and changes nothing.
pub async fn update(conn: &mut Connection, stored: &StoredTimer, expected_state: &str, at: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE case_timers SET state = $1, due_at = $2, running_due_at = $3, timer = $4, updated_at = $5
         WHERE id = $6 AND state = $7",
    )
    .bind(stored.timer.state.name())
    .bind(micros(stored.timer.due_at))
    .bind(running_due_at(&stored.timer))
    .bind(to_json(&stored.timer))
    .bind(micros(at))
    .bind(stored.id.to_string())
    .bind(expected_state)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

fn stored((id, case, timer): (String, String, String)) -> Result<StoredTimer> {
    Ok(StoredTimer { id: parse("timer id", &id)?, case: parse("case id", &case)?, timer: json(&timer)? })
}

/// Every run of every deadline of a case, oldest first.
pub async fn for_case(conn: &mut Connection, case: CaseId) -> Result<Vec<StoredTimer>> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, case_id, timer FROM case_timers WHERE case_id = $1 ORDER BY id")
            .bind(case.to_string())
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(stored).collect()
}

/// The deadlines still to be met (running, paused or breached) of these cases.
pub async fn open_for_cases(conn: &mut Connection, cases: &[CaseId]) -> Result<Vec<StoredTimer>> {
    if cases.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = crate::sql::Sql::new(
        "SELECT id, case_id, timer FROM case_timers WHERE state IN ('running', 'paused', 'breached') AND case_id IN (",
    );
    let mut list = query.separated(", ");
    for case in cases {
        list.push_bind(case.to_string());
    }
    query.push(") ORDER BY due_at");
    let rows: Vec<(String, String, String)> = query.build_query_as()?.fetch_all(conn).await?;
    rows.into_iter().map(stored).collect()
}

/// Running timers whose due time has passed at `now`, at most `limit`, soonest due first.
pub async fn due(conn: &mut Connection, now: Timestamp, limit: i64) -> Result<Vec<StoredTimer>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, case_id, timer FROM case_timers WHERE running_due_at IS NOT NULL AND running_due_at < $1
         ORDER BY running_due_at LIMIT $2",
    )
    .bind(micros(now))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(stored).collect()
}
