//! Writing many records at once, for building a large installation to measure (`casework
//! bench seed`). The records are the domain's own and are stored exactly as the one-at-a-time
//! functions of the other modules store them; only the writing differs: one transaction per
//! batch on a connection of the load's own, through the engine's concrete driver rather than
//! `Any` (which copies every value once more), with the database's durability relaxed on that
//! connection only. SQLite takes many rows per INSERT; PostgreSQL takes each table's rows of
//! a batch in one `COPY`.
//!
//! History events go into their case's hash chain with `events::chain_hash`, the function
//! `casework verify` checks them with. Search rows, and the case moves the reports read,
//! are made by the usual triggers.
//!
//! On SQLite the secondary indexes and the full-text index are built once, sorted, at the
//! end of the load rather than row by row: rows whose keys do not follow the load's order
//! (a note's own id, a worker, a word) otherwise change pages all over each index, and a
//! batch's changed pages grow with the file. A load that fails leaves a database to throw
//! away, as its relaxed durability already does.

use crate::alerts::{Alert, StoredSchedule};
use crate::convert::{Flag, micros, to_json};
use crate::events::{self, GENESIS};
use crate::forms::Submission;
use crate::plans::PlanDates;
use crate::sql::{Cell, row};
use crate::timers::StoredTimer;
use crate::{Location, Result, Store};
use casework_domain::case::{Case, CaseStatus};
use casework_domain::history::Event;
use casework_domain::ids::{CaseId, EventId, PersonId, UserId};
use casework_domain::note::Note;
use casework_domain::plan::Objective;
use casework_domain::referral::{Referral, ReferralOutcome};
use casework_domain::task::{Task, TaskStatus};
use casework_domain::text::{Code, LongText, ShortText};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Executor, PgConnection, SqliteConnection};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::str::FromStr;
use std::time::Duration;

/// A person as recorded, with who recorded them and when.
#[derive(Debug, Clone)]
pub struct PersonRecord {
    pub id: PersonId,
    pub given_name: ShortText,
    pub family_name: ShortText,
    pub known_as: Option<ShortText>,
    pub date_of_birth: Option<Date>,
    pub created_by: UserId,
    pub created_at: Timestamp,
}

/// One look at a case record, for the access log.
#[derive(Debug, Clone)]
pub struct AccessRecord {
    pub id: EventId,
    pub user: UserId,
    pub case: CaseId,
    pub at: Timestamp,
    pub what: &'static str,
}

/// Records to write together. Every record of a case is in the same batch as the case, and
/// a case's events are in the order they happened.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub people: Vec<PersonRecord>,
    /// Each referral with when it was recorded.
    pub referrals: Vec<(Referral, Timestamp)>,
    /// Each case with when its record last changed.
    pub cases: Vec<(Case, Timestamp)>,
    /// Notes and addenda; an addendum after the note it adds to.
    pub notes: Vec<Note>,
    pub forms: Vec<Submission>,
    pub tasks: Vec<Task>,
    /// Each timer run with when it last changed.
    pub timers: Vec<(StoredTimer, Timestamp)>,
    pub alert_schedules: Vec<StoredSchedule>,
    pub alerts: Vec<Alert>,
    pub plans: Vec<(CaseId, PlanDates)>,
    pub objectives: Vec<Objective>,
    pub events: Vec<Event>,
    pub accesses: Vec<AccessRecord>,
}

/// PostgreSQL while loading: commits do not wait for the WAL flush (the data stays
/// consistent; a crash may lose the last commits, and the load is started again).
const POSTGRES_LOADING: &str = "SET synchronous_commit = off";

/// SQLite values per INSERT on the load's connection. Its placeholders are `?`, numbered by
/// position: sqlx finds a `$n` by searching the statement's parameter names, a cost that grows
/// with the square of their number, which kept the store's shared statements to a few hundred.
const SQLITE_LOAD_VALUES: usize = 10_000;

/// A load in progress. It holds the store's writing connection, so nothing else of the store
/// writes meanwhile, and writes through a connection of its own. Call [`BulkLoad::finish`] at
/// the end, whatever happened.
#[derive(Debug)]
pub struct BulkLoad {
    held: sqlx::pool::PoolConnection<sqlx::Any>,
    conn: LoadConnection,
    /// The last position and hash of the chain of events about no case, continued by the load.
    caseless_tail: (i64, String),
    written: BTreeMap<&'static str, u64>,
    /// What puts back the indexes taken away for the load, run at its end.
    deferred: Vec<String>,
}

/// The load's own connection, through the engine's concrete driver.
#[derive(Debug)]
enum LoadConnection {
    /// Commits skip the disk flush (a crash loses the load, which is started again on a new
    /// file), and a large cache keeps the indexes in memory.
    Sqlite(SqliteConnection),
    /// Commits do not wait for the WAL flush (see [`POSTGRES_LOADING`]).
    Postgres(PgConnection),
}

/// The tables that show a database already holds an installation's records.
const RECORD_TABLES: [&str; 5] = ["people", "referrals", "cases", "teams", "notes"];

impl Store {
    /// What the database already holds, as "table (rows)": empty for a new database. The
    /// account command-line administration acts as is made by the migrations and is not counted.
    pub async fn records_held(&self) -> Result<Vec<String>> {
        let mut conn = self.read().await?;
        let mut held = Vec::new();
        for table in RECORD_TABLES {
            let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut *conn).await?;
            if rows > 0 {
                held.push(format!("{table} ({rows} rows)"));
            }
        }
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id <> $1")
            .bind(uuid::Uuid::nil().to_string())
            .fetch_one(&mut *conn)
            .await?;
        if users > 0 {
            held.push(format!("users ({users} accounts)"));
        }
        Ok(held)
    }

    /// Takes the writing connection for a bulk load and opens the load's own connection.
    pub async fn bulk_load(&self) -> Result<BulkLoad> {
        let mut held = self.writer.pool().acquire().await?;
        let tail: Option<(i64, String)> =
            sqlx::query_as("SELECT position, hash FROM event_chain WHERE chain = '' ORDER BY position DESC LIMIT 1")
                .fetch_optional(&mut *held)
                .await?;
        let (conn, deferred) = match &self.location {
            Location::Sqlite(path) => {
                let mut conn = SqliteConnectOptions::new()
                    .filename(path)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Off)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .pragma("cache_size", "-1000000")
                    .connect()
                    .await?;
                let deferred = defer_indexes(&mut conn).await?;
                (LoadConnection::Sqlite(conn), deferred)
            }
            Location::Postgres(url) => {
                let mut conn = sqlx::postgres::PgConnectOptions::from_str(url)?.connect().await?;
                conn.execute(POSTGRES_LOADING).await?;
                (LoadConnection::Postgres(conn), Vec::new())
            }
        };
        Ok(BulkLoad {
            held,
            conn,
            caseless_tail: tail.unwrap_or_else(|| (0, GENESIS.to_owned())),
            written: BTreeMap::new(),
            deferred,
        })
    }
}

/// The trigger that indexes each search row's words as it is written.
const SEARCH_TRIGGER: &str = "search_documents_are_indexed";

/// Drops the secondary indexes and the full-text indexing trigger for a SQLite load, and
/// returns what puts them back: each index made again, the full-text index rebuilt from the
/// search rows, the trigger made again. (The triggers that write search rows and case moves
/// look rows up by primary key only, so they need none of the indexes dropped.)
async fn defer_indexes(conn: &mut SqliteConnection) -> Result<Vec<String>> {
    let indexes: Vec<(String, String)> =
        sqlx::query_as("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
            .fetch_all(&mut *conn)
            .await?;
    let trigger: Option<String> = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = $1")
        .bind(SEARCH_TRIGGER)
        .fetch_optional(&mut *conn)
        .await?;
    let mut restore = Vec::new();
    for (name, sql) in indexes {
        conn.execute(format!("DROP INDEX \"{name}\"").as_str()).await?;
        restore.push(sql);
    }
    if let Some(sql) = trigger {
        conn.execute(format!("DROP TRIGGER {SEARCH_TRIGGER}").as_str()).await?;
        restore.push("INSERT INTO search_index (search_index) VALUES ('rebuild')".to_owned());
        restore.push(sql);
    }
    Ok(restore)
}

impl BulkLoad {
    /// Writes one batch in one transaction.
    pub async fn write(&mut self, batch: &Batch) -> Result<()> {
        self.execute(match self.conn {
            LoadConnection::Sqlite(_) => crate::writer::SQLITE_BEGIN,
            LoadConnection::Postgres(_) => crate::writer::POSTGRES_BEGIN,
        })
        .await?;
        match self.write_tables(batch).await {
            Ok(()) => self.execute("COMMIT").await,
            Err(error) => {
                let _ = self.execute("ROLLBACK").await;
                Err(error)
            }
        }
    }

    async fn execute(&mut self, statements: &str) -> Result<()> {
        match &mut self.conn {
            LoadConnection::Sqlite(conn) => {
                conn.execute(statements).await?;
            }
            LoadConnection::Postgres(conn) => {
                conn.execute(statements).await?;
            }
        }
        Ok(())
    }

    /// Sets each service's reference counters to the highest number used in each year, so
    /// the next case opened gets the number after them.
    pub async fn set_reference_counters(&mut self, last_numbers: &BTreeMap<(Code, i16), u32>) -> Result<()> {
        for ((service, year), number) in last_numbers {
            sqlx::query(
                "INSERT INTO reference_counters (service, year, last_number) VALUES ($1, $2, $3)
                 ON CONFLICT (service, year) DO UPDATE SET last_number = excluded.last_number",
            )
            .bind(service.as_str())
            .bind(i64::from(*year))
            .bind(i64::from(*number))
            .execute(&mut *self.held)
            .await?;
        }
        Ok(())
    }

    /// Rows written so far, by table (search rows are made by triggers and not counted here).
    pub fn written(&self) -> &BTreeMap<&'static str, u64> {
        &self.written
    }

    /// Closes the load's connection, makes sure everything it wrote is on disk, and gives
    /// the store's writing connection back.
    pub async fn finish(mut self) -> Result<()> {
        match self.conn {
            LoadConnection::Sqlite(mut conn) => {
                for statement in &self.deferred {
                    conn.execute(statement.as_str()).await?;
                }
                sqlx::Connection::close(conn).await?;
                // What was written with synchronous off reaches the database file, synced.
                self.held.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
            }
            LoadConnection::Postgres(conn) => {
                sqlx::Connection::close(conn).await?;
                // Flushes the WAL of the commits that did not wait for it.
                self.held.execute("CHECKPOINT").await?;
            }
        }
        Ok(())
    }

    async fn write_tables(&mut self, batch: &Batch) -> Result<()> {
        self.insert(
            "people",
            &["id", "given_name", "family_name", "known_as", "date_of_birth", "created_at", "created_by"],
            batch.people.iter().map(|p| {
                row![
                    p.id.to_string(),
                    p.given_name.as_str(),
                    p.family_name.as_str(),
                    p.known_as.as_ref().map(|k| k.as_str().to_owned()),
                    p.date_of_birth.map(|d| d.to_string()),
                    micros(p.created_at),
                    p.created_by.to_string(),
                ]
            }),
        )
        .await?;
        self.insert(
            "referrals",
            &[
                "id",
                "service",
                "person_id",
                "source",
                "received_at",
                "summary",
                "forms",
                "previous_id",
                "outcome",
                "case_id",
                "reason",
                "explanation",
                "decided_by",
                "decided_at",
                "recorded_by",
                "recorded_at",
            ],
            batch.referrals.iter().map(|(referral, recorded_at)| {
                let (case, reason, explanation, decided_by, decided_at) = decision_columns(&referral.outcome);
                row![
                    referral.id.to_string(),
                    referral.service.as_str(),
                    referral.person.to_string(),
                    referral.source.name(),
                    micros(referral.received_at),
                    referral.summary.as_str(),
                    to_json(&referral.forms),
                    referral.previous.map(|p| p.to_string()),
                    referral.outcome.name(),
                    case,
                    reason,
                    explanation,
                    decided_by,
                    decided_at,
                    referral.recorded_by.to_string(),
                    micros(*recorded_at),
                ]
            }),
        )
        .await?;
        self.insert(
            "cases",
            &[
                "id",
                "reference",
                "service",
                "service_version",
                "person_id",
                "referral_id",
                "stage",
                "level",
                "status",
                "closure_reason",
                "closed_at",
                "closed_by",
                "worker_id",
                "team_id",
                "opened_at",
                "updated_at",
                "version",
                "restriction",
            ],
            batch.cases.iter().map(|(case, updated_at)| {
                let (status, reason, closed_at, closed_by) = match &case.status {
                    CaseStatus::Open => ("open", None, None, None),
                    CaseStatus::Closed { reason, at, by } => {
                        ("closed", Some(reason.to_string()), Some(micros(*at)), Some(by.to_string()))
                    }
                };
                row![
                    case.id.to_string(),
                    case.reference.as_str(),
                    case.service.as_str(),
                    i64::from(case.service_version),
                    case.person.to_string(),
                    case.referral.to_string(),
                    case.stage.as_str(),
                    case.level.as_ref().map(Code::to_string),
                    status,
                    reason,
                    closed_at,
                    closed_by,
                    case.worker.map(|w| w.to_string()),
                    case.team.map(|t| t.to_string()),
                    micros(case.opened_at),
                    micros(*updated_at),
                    case.version,
                    case.restriction.level.name(),
                ]
            }),
        )
        .await?;
        self.insert(
            "case_flags",
            &["case_id", "flag", "set_by", "set_at"],
            batch.cases.iter().flat_map(|(case, _)| {
                case.flags
                    .iter()
                    .map(|flag| row![case.id.to_string(), flag.code.as_str(), flag.set_by.to_string(), micros(flag.set_at)])
            }),
        )
        .await?;
        self.insert(
            "case_key_dates",
            &["case_id", "key_date", "date"],
            batch.cases.iter().flat_map(|(case, _)| {
                case.key_dates.iter().map(|(code, date)| row![case.id.to_string(), code.as_str(), date.to_string()])
            }),
        )
        .await?;
        self.insert(
            "notes",
            &["id", "case_id", "kind", "body", "contact_at", "recorded_at", "author_id", "addendum_to", "late_entry"],
            batch.notes.iter().map(|note| {
                row![
                    note.id.to_string(),
                    note.case.to_string(),
                    note.kind.name(),
                    note.body.as_str(),
                    micros(note.contact_at),
                    micros(note.recorded_at),
                    note.author.to_string(),
                    note.addendum_to.map(|n| n.to_string()),
                    Flag(note.late_entry),
                ]
            }),
        )
        .await?;
        self.insert(
            "form_submissions",
            &["id", "case_id", "form", "answers", "completed_by", "score", "band", "submitted_by", "submitted_at"],
            batch.forms.iter().map(|submission| {
                let form = &submission.form;
                row![
                    submission.id.to_string(),
                    submission.case.to_string(),
                    form.form.as_str(),
                    to_json(&form.answers),
                    form.completed_by.as_str(),
                    form.score.as_ref().map(|s| s.total),
                    form.score.as_ref().and_then(|s| s.band.as_ref()).map(Code::to_string),
                    form.submitted_by.to_string(),
                    micros(form.submitted_at),
                ]
            }),
        )
        .await?;
        self.insert(
            "tasks",
            &[
                "id",
                "case_id",
                "title",
                "assignee_type",
                "assignee",
                "due_on",
                "status",
                "ended_by",
                "ended_at",
                "end_note",
                "created_by",
                "created_at",
                "version",
            ],
            batch.tasks.iter().map(|task| {
                let (assignee_type, assignee) = crate::tasks::assignee_columns(&task.assignee);
                let (ended_by, ended_at, end_note) = match &task.status {
                    TaskStatus::Open => (None, None, None),
                    TaskStatus::Completed { by, at, outcome } => {
                        (Some(by.to_string()), Some(micros(*at)), outcome.as_ref().map(LongText::to_string))
                    }
                    TaskStatus::Cancelled { by, at, reason } => {
                        (Some(by.to_string()), Some(micros(*at)), Some(reason.to_string()))
                    }
                };
                row![
                    task.id.to_string(),
                    task.case.to_string(),
                    task.title.as_str(),
                    assignee_type,
                    assignee,
                    task.due_on.map(|d| d.to_string()),
                    task.status.name(),
                    ended_by,
                    ended_at,
                    end_note,
                    task.created_by.to_string(),
                    micros(task.created_at),
                    task.version,
                ]
            }),
        )
        .await?;
        self.insert(
            "case_timers",
            &["id", "case_id", "code", "state", "due_at", "running_due_at", "timer", "updated_at"],
            batch.timers.iter().map(|(stored, updated_at)| {
                row![
                    stored.id.to_string(),
                    stored.case.to_string(),
                    stored.timer.code.as_str(),
                    stored.timer.state.name(),
                    micros(stored.timer.due_at),
                    crate::timers::running_due_at(&stored.timer),
                    to_json(&stored.timer),
                    micros(*updated_at),
                ]
            }),
        )
        .await?;
        self.insert(
            "alert_schedules",
            &["id", "case_id", "rule", "started_at", "next_at", "occurrences"],
            batch.alert_schedules.iter().map(|stored| {
                row![
                    stored.id.to_string(),
                    stored.case.to_string(),
                    stored.rule.as_str(),
                    micros(stored.schedule.started_at),
                    stored.schedule.next_at.map(micros),
                    i64::from(stored.schedule.occurrences),
                ]
            }),
        )
        .await?;
        self.insert("alerts", &crate::alerts::ROW_COLUMNS, batch.alerts.iter().map(crate::alerts::row)).await?;
        self.insert(
            "plans",
            &["case_id", "started_on", "last_review_on", "next_review_on"],
            batch.plans.iter().map(|(case, dates)| {
                row![
                    case.to_string(),
                    dates.started_on.to_string(),
                    dates.last_review_on.map(|d| d.to_string()),
                    dates.next_review_on.map(|d| d.to_string()),
                ]
            }),
        )
        .await?;
        self.insert(
            "plan_objectives",
            &["id", "case_id", "description", "measure", "target_date", "status", "created_by", "created_at"],
            batch.objectives.iter().map(|objective| {
                row![
                    objective.id.to_string(),
                    objective.case.to_string(),
                    objective.description.as_str(),
                    objective.measure.as_str(),
                    objective.target_date.to_string(),
                    crate::plans::status_name(objective.status),
                    objective.created_by.to_string(),
                    micros(objective.created_at),
                ]
            }),
        )
        .await?;
        self.write_events(&batch.events).await?;
        self.insert(
            "access_log",
            &["id", "user_id", "case_id", "at", "what"],
            batch.accesses.iter().map(|access| {
                row![access.id.to_string(), access.user.to_string(), access.case.to_string(), micros(access.at), access.what]
            }),
        )
        .await?;
        Ok(())
    }

    /// The events and their links in the hash chains. A case's chain starts in this batch
    /// (every event of a new case is in the batch of the case); the chain of events about no
    /// case goes on from where the database, or the previous batch, left it.
    async fn write_events(&mut self, batch: &[Event]) -> Result<()> {
        let rows: Vec<events::Row> = batch.iter().map(events::stored_row).collect();
        let mut tails: HashMap<String, (i64, String)> = HashMap::new();
        tails.insert(String::new(), self.caseless_tail.clone());
        let mut links = Vec::with_capacity(rows.len());
        for row in &rows {
            let chain = events::chain_of(row);
            let (position, previous) = tails.get(chain).cloned().unwrap_or_else(|| (0, GENESIS.to_owned()));
            let hash = events::chain_hash(&previous, row);
            links.push(row![row.0.clone(), chain, position + 1, hash.clone()]);
            tails.insert(chain.to_owned(), (position + 1, hash));
        }
        self.insert(
            "events",
            &["id", "case_id", "actor_id", "at", "kind", "subject_type", "subject_id", "before", "after"],
            rows.into_iter().map(|(id, case, actor, at, kind, subject_type, subject_id, before, after)| {
                row![id, case, actor, at, kind, subject_type, subject_id, before, after]
            }),
        )
        .await?;
        self.insert("event_chain", &["event_id", "chain", "position", "hash"], links.into_iter()).await?;
        if let Some(tail) = tails.remove("") {
            self.caseless_tail = tail;
        }
        Ok(())
    }

    /// Inserts rows into a table: many per statement on SQLite, one `COPY` on PostgreSQL.
    async fn insert(&mut self, table: &'static str, columns: &[&str], rows: impl Iterator<Item = Vec<Cell>>) -> Result<()> {
        let written = match &mut self.conn {
            LoadConnection::Sqlite(conn) => insert_sqlite(conn, table, columns, rows).await?,
            LoadConnection::Postgres(conn) => copy_postgres(conn, table, columns, rows).await?,
        };
        *self.written.entry(table).or_default() += written;
        Ok(())
    }
}

async fn insert_sqlite(
    conn: &mut SqliteConnection,
    table: &str,
    columns: &[&str],
    rows: impl Iterator<Item = Vec<Cell>>,
) -> Result<u64> {
    let head = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let one_row = format!("({})", vec!["?"; columns.len()].join(", "));
    let per_statement = (SQLITE_LOAD_VALUES / columns.len().max(1)).max(1);
    let mut rows = rows.peekable();
    let mut written = 0;
    while rows.peek().is_some() {
        let values: Vec<Vec<Cell>> = rows.by_ref().take(per_statement).collect();
        let text = format!("{head}{}", vec![one_row.as_str(); values.len()].join(", "));
        let mut query = sqlx::query::<sqlx::Sqlite>(&text);
        for cell in values.into_iter().flatten() {
            query = match cell {
                Cell::Text(value) => query.bind(value),
                Cell::MaybeText(value) => query.bind(value),
                Cell::Int(value) => query.bind(value),
                Cell::MaybeInt(value) => query.bind(value),
            };
        }
        written += query.execute(&mut *conn).await?.rows_affected();
    }
    Ok(written)
}

/// `COPY … FROM STDIN` in PostgreSQL's text format: a row a line, values between tabs,
/// `\N` for no value.
async fn copy_postgres(
    conn: &mut PgConnection,
    table: &str,
    columns: &[&str],
    rows: impl Iterator<Item = Vec<Cell>>,
) -> Result<u64> {
    let mut data = String::new();
    for row in rows {
        for (index, cell) in row.iter().enumerate() {
            if index > 0 {
                data.push('\t');
            }
            match cell {
                Cell::Text(value) | Cell::MaybeText(Some(value)) => push_copy_text(&mut data, value),
                Cell::Int(value) | Cell::MaybeInt(Some(value)) => {
                    let _ = write!(data, "{value}");
                }
                Cell::MaybeText(None) | Cell::MaybeInt(None) => data.push_str("\\N"),
            }
        }
        data.push('\n');
    }
    if data.is_empty() {
        return Ok(0);
    }
    let mut copy = conn.copy_in_raw(&format!("COPY {table} ({}) FROM STDIN", columns.join(", "))).await?;
    if let Err(error) = copy.send(data.as_bytes()).await {
        let _ = copy.abort("the rows could not be sent").await;
        return Err(error.into());
    }
    Ok(copy.finish().await?)
}

/// A text value as COPY's text format reads it back: backslash, tab, newline and carriage
/// return escaped.
fn push_copy_text(data: &mut String, value: &str) {
    for character in value.chars() {
        match character {
            '\\' => data.push_str("\\\\"),
            '\t' => data.push_str("\\t"),
            '\n' => data.push_str("\\n"),
            '\r' => data.push_str("\\r"),
            other => data.push(other),
        }
    }
}

type DecisionColumns = (Option<String>, Option<String>, Option<String>, Option<String>, Option<i64>);

fn decision_columns(outcome: &ReferralOutcome) -> DecisionColumns {
    match outcome {
        ReferralOutcome::Pending => (None, None, None, None, None),
        ReferralOutcome::Accepted { case, by, at } => {
            (Some(case.to_string()), None, None, Some(by.to_string()), Some(micros(*at)))
        }
        ReferralOutcome::Rejected { reason, explanation, by, at } => (
            None,
            Some(reason.to_string()),
            explanation.as_ref().map(LongText::to_string),
            Some(by.to_string()),
            Some(micros(*at)),
        ),
        ReferralOutcome::KeptOnFile { explanation, by, at } => {
            (None, None, explanation.as_ref().map(LongText::to_string), Some(by.to_string()), Some(micros(*at)))
        }
    }
}
