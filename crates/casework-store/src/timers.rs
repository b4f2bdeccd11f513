//! Deadlines running on cases.

use crate::cases::push_visibility;
use crate::convert::{json, micros, parse, to_json};
use crate::sql::Sql;
use crate::{Connection, Result};
use casework_domain::access::CaseFilter;
use casework_domain::ids::{CaseId, EventId, TeamId};
use casework_domain::text::Code;
use casework_domain::timeliness::TimerFact;
use casework_domain::timer::{Timer, TimerState};
use jiff::Timestamp;

/// One run of a deadline on a case.
#[derive(Debug, Clone)]
pub struct StoredTimer {
    pub id: EventId,
    pub case: CaseId,
    pub timer: Timer,
}

pub(crate) fn running_due_at(timer: &Timer) -> Option<i64> {
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

/// Saves many changed timers, each only if it is still in the state its caller saw (as
/// [`update`] guards one), with a few `UPDATE … FROM (VALUES …)` statements. Returns the
/// ids of the timers saved; the others had moved on meanwhile and are left as they are.
pub async fn update_many(
    conn: &mut Connection,
    changed: &[(StoredTimer, &str)],
    at: Timestamp,
) -> Result<std::collections::HashSet<EventId>> {
    let rows = changed.iter().map(|(stored, expected_state)| {
        crate::sql::row![
            stored.id.to_string(),
            stored.timer.state.name(),
            micros(stored.timer.due_at),
            running_due_at(&stored.timer),
            to_json(&stored.timer),
            micros(at),
            *expected_state,
        ]
    });
    let statements = crate::sql::many_rows(
        crate::Backend::of(conn),
        "UPDATE case_timers SET state = v.column2, due_at = v.column3, running_due_at = v.column4, timer = v.column5,
            updated_at = v.column6
         FROM (VALUES ",
        ") AS v WHERE case_timers.id = v.column1 AND case_timers.state = v.column7 RETURNING case_timers.id",
        7,
        rows,
    );
    crate::sql::returned_texts(conn, statements).await?.iter().map(|id| parse("timer id", id)).collect()
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

/// How many running timers are due before `now` (what a sweep at `now` would breach).
pub async fn count_due(conn: &mut Connection, now: Timestamp) -> Result<u64> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM case_timers WHERE running_due_at IS NOT NULL AND running_due_at < $1")
            .bind(micros(now))
            .fetch_one(conn)
            .await?;
    Ok(u64::try_from(count).unwrap_or_default())
}

/// What a timeliness report reads: the runs of a service's timers that may count in a
/// period, on the cases of a team or of one reference if asked.
#[derive(Debug, Clone)]
pub struct TimelinessQuery {
    pub service: Code,
    /// The period's first instant and the first instant after it.
    pub from: Timestamp,
    pub until: Timestamp,
    pub team: Option<TeamId>,
    /// Only runs of this timer.
    pub timer: Option<Code>,
    /// Cases carrying any of these flags are left out (statistics exclusions).
    pub excluded_flags: Vec<Code>,
}

/// A run of a timer with the case it is on, as a report lists it.
#[derive(Debug, Clone)]
pub struct ReportedTimer {
    pub fact: TimerFact,
    pub case_reference: String,
    pub person_name: String,
    pub worker_name: Option<String>,
}

/// The runs of the service's timers that may count in the period, on cases that pass
/// every one of `visible` (each a list of filters, any of which lets a case through).
///
/// Where a run counts is decided by the domain (`timeliness::placement`) from the run
/// itself; this reads a superset of them: stopped runs changed since the period began (a
/// stopped run is not changed again, so it was stopped no later than `updated_at`) and open
/// runs due within the period. Cancelled runs never count and are not read.
pub async fn for_timeliness(
    conn: &mut Connection,
    asked: &TimelinessQuery,
    visible: &[&[CaseFilter]],
) -> Result<Vec<ReportedTimer>> {
    let mut query = Sql::new(
        "SELECT t.case_id, t.timer, c.reference, c.worker_id, c.team_id, u.display_name,
            p.given_name, p.family_name, p.known_as
         FROM case_timers t JOIN cases c ON c.id = t.case_id JOIN people p ON p.id = c.person_id
            LEFT JOIN users u ON u.id = c.worker_id
         WHERE c.service = ",
    );
    query.push_bind(asked.service.to_string());
    query.push(" AND ((t.state IN ('met', 'completed-late') AND t.updated_at >= ").push_bind(micros(asked.from));
    query.push(") OR (t.state IN ('running', 'paused', 'breached') AND t.due_at >= ").push_bind(micros(asked.from));
    query.push(" AND t.due_at < ").push_bind(micros(asked.until)).push("))");
    if let Some(team) = asked.team {
        query.push(" AND c.team_id = ").push_bind(team.to_string());
    }
    if let Some(timer) = &asked.timer {
        query.push(" AND t.code = ").push_bind(timer.to_string());
    }
    crate::reports::push_exclusions(&mut query, &asked.excluded_flags);
    for filters in visible {
        push_visibility(&mut query, filters);
    }
    query.push(" ORDER BY c.reference, t.id");
    type Row = (String, String, String, Option<String>, Option<String>, Option<String>, String, String, Option<String>);
    let rows: Vec<Row> = query.build_query_as()?.fetch_all(conn).await?;
    rows.into_iter()
        .map(|(case, timer, reference, worker, team, worker_name, given, family, known_as)| {
            Ok(ReportedTimer {
                fact: TimerFact {
                    case: parse("case id", &case)?,
                    worker: worker.as_deref().map(|w| parse("user id", w)).transpose()?,
                    team: team.as_deref().map(|t| parse("team id", t)).transpose()?,
                    timer: json(&timer)?,
                },
                case_reference: reference,
                person_name: format!("{} {family}", known_as.unwrap_or(given)),
                worker_name,
            })
        })
        .collect()
}
