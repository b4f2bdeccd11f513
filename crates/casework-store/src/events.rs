//! The history and the access log: both append-only, both refused updates and deletes by
//! the database itself.

use crate::convert::Flag;
use crate::convert::{instant, json, micros, named, parse, to_json};
use crate::sql::{insert_rows, row};
use crate::{Connection, Result};
use casework_domain::history::{Event, EventKind, Subject};
use casework_domain::ids::{CaseId, EventId, UserId};
use jiff::Timestamp;

/// An event as it is stored: the values of its columns, which are also what its hash covers.
pub(crate) fn stored_row(event: &Event) -> Row {
    let subject = serde_json::to_value(event.subject).unwrap_or_default();
    (
        event.id.to_string(),
        event.case.map(|c| c.to_string()),
        event.actor.to_string(),
        micros(event.at),
        event.kind.name(),
        subject["type"].as_str().unwrap_or_default().to_owned(),
        subject["id"].as_str().unwrap_or_default().to_owned(),
        to_json(&event.before),
        to_json(&event.after),
    )
}

/// The chain an event belongs to: its case's, or the one of events about no case.
pub(crate) fn chain_of(row: &Row) -> &str {
    row.1.as_deref().unwrap_or_default()
}

/// Appends an event to the history and its chain. A trigger keeps `case_moves` (the stage
/// moves, closings and reopenings the reports read) in step, in the same transaction.
pub async fn insert(conn: &mut Connection, event: &Event) -> Result<()> {
    let row = stored_row(event);
    sqlx::query(
        "INSERT INTO events (id, case_id, actor_id, at, kind, subject_type, subject_id, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&row.0)
    .bind(&row.1)
    .bind(&row.2)
    .bind(row.3)
    .bind(&row.4)
    .bind(&row.5)
    .bind(&row.6)
    .bind(&row.7)
    .bind(&row.8)
    .execute(&mut *conn)
    .await?;
    let chain = chain_of(&row).to_owned();
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT position, hash FROM event_chain WHERE chain = $1 ORDER BY position DESC LIMIT 1")
            .bind(&chain)
            .fetch_optional(&mut *conn)
            .await?;
    let (position, previous) = last.map_or((1, GENESIS.to_owned()), |(p, h)| (p + 1, h));
    sqlx::query("INSERT INTO event_chain (event_id, chain, position, hash) VALUES ($1, $2, $3, $4)")
        .bind(&row.0)
        .bind(&chain)
        .bind(position)
        .bind(chain_hash(&previous, &row))
        .execute(conn)
        .await?;
    Ok(())
}

/// Inserts many events at once, each appended to its chain as [`insert`] does: the last
/// link of every chain touched is read in one query, the events and their links are
/// written with a few multi-row statements. Events of one chain are chained in the order
/// given.
pub async fn insert_many(conn: &mut Connection, batch: &[Event]) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let rows: Vec<Row> = batch.iter().map(stored_row).collect();
    let chains: std::collections::BTreeSet<&str> = rows.iter().map(chain_of).collect();
    let mut tails: std::collections::HashMap<String, (i64, String)> = std::collections::HashMap::new();
    let chains: Vec<&str> = chains.into_iter().collect();
    for part in chains.chunks(crate::sql::rows_per_statement(crate::Backend::of(conn), 1)) {
        let mut query = crate::sql::Sql::new(
            "SELECT c.chain, c.position, c.hash FROM event_chain c
             JOIN (SELECT chain, MAX(position) AS position FROM event_chain WHERE chain IN (",
        );
        let mut list = query.separated(", ");
        for chain in part {
            list.push_bind(chain.to_string());
        }
        query.push(") GROUP BY chain) latest ON latest.chain = c.chain AND latest.position = c.position");
        let found: Vec<(String, i64, String)> = query.build_query_as()?.fetch_all(&mut *conn).await?;
        tails.extend(found.into_iter().map(|(chain, position, hash)| (chain, (position, hash))));
    }
    let mut links = Vec::with_capacity(rows.len());
    for row in &rows {
        let chain = chain_of(row);
        let (position, previous) = tails.get(chain).cloned().unwrap_or_else(|| (0, GENESIS.to_owned()));
        let hash = chain_hash(&previous, row);
        links.push(row![row.0.clone(), chain, position + 1, hash.clone()]);
        tails.insert(chain.to_owned(), (position + 1, hash));
    }
    insert_rows(
        conn,
        "events",
        &["id", "case_id", "actor_id", "at", "kind", "subject_type", "subject_id", "before", "after"],
        rows.into_iter().map(|(id, case, actor, at, kind, subject_type, subject_id, before, after)| {
            row![id, case, actor, at, kind, subject_type, subject_id, before, after]
        }),
    )
    .await?;
    insert_rows(conn, "event_chain", &["event_id", "chain", "position", "hash"], links).await?;
    Ok(())
}

/// The hash before the first event of a chain.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of an event as stored, chained to the one before it. Fields are length-prefixed
/// so no two different events can run together into the same bytes.
pub(crate) fn chain_hash(previous: &str, (id, case, actor, at, kind, subject_type, subject_id, before, after): &Row) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let at = at.to_string();
    let case = case.as_deref().unwrap_or_default();
    let mut hasher = Sha256::new();
    for field in [previous, id, case, actor, &at, kind, subject_type, subject_id, before, after] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    // Written into one string: a seeded installation hashes millions of events.
    let mut hex = String::with_capacity(64);
    for byte in hasher.finalize() {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Where a history chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The case whose history it is (none for the chain of events about no case).
    pub case: Option<CaseId>,
    /// The first event found wrong, when there is one to name.
    pub event: Option<EventId>,
    pub problem: String,
}

/// What a walk over every chain found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainReport {
    pub chains: u64,
    pub events: u64,
    /// Events whose details were erased when the person's records were destroyed.
    pub erased: u64,
    pub breaks: Vec<ChainBreak>,
}

/// A link of a chain with its event as stored (all empty when the event is gone).
type ChainLink = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Flag,
);

/// Walks every chain from its start and names the first break in each: an event changed
/// since it was written, one missing from the chain, or a position skipped.
pub async fn verify_chains(conn: &mut Connection) -> Result<ChainReport> {
    let mut report = ChainReport::default();
    let chains: Vec<(String,)> =
        sqlx::query_as("SELECT DISTINCT chain FROM event_chain ORDER BY chain").fetch_all(&mut *conn).await?;
    for (chain,) in chains {
        report.chains += 1;
        let case = if chain.is_empty() { None } else { Some(parse::<CaseId>("case id", &chain)?) };
        let links: Vec<ChainLink> =
            sqlx::query_as(
                "SELECT c.position, c.hash, c.event_id, e.case_id, e.actor_id, e.at, e.kind, e.subject_type, e.subject_id, e.before, e.after,
                    x.event_id IS NOT NULL
                 FROM event_chain c LEFT JOIN events e ON e.id = c.event_id LEFT JOIN erased_events x ON x.event_id = c.event_id
                 WHERE c.chain = $1 ORDER BY c.position",
            )
            .bind(&chain)
            .fetch_all(&mut *conn)
            .await?;
        let mut previous = GENESIS.to_owned();
        for (expected, (position, hash, event_id, case_id, actor, at, kind, subject_type, subject_id, before, after, erased)) in
            (1_i64..).zip(links)
        {
            report.events += 1;
            let event = parse::<EventId>("event id", &event_id).ok();
            let broken = |problem: String| ChainBreak { case, event, problem };
            if position != expected {
                report.breaks.push(broken(format!("position {expected} is missing: an event was removed")));
                break;
            }
            let (Some(actor), Some(at), Some(kind), Some(subject_type), Some(subject_id), Some(before), Some(after)) =
                (actor, at, kind, subject_type, subject_id, before, after)
            else {
                report.breaks.push(broken(format!("the event at position {position} is gone")));
                break;
            };
            if erased.0 {
                // The person's details were erased at the end of their retention; the erasure
                // is recorded, and the chain goes on from the hash the event had.
                report.erased += 1;
                previous = hash;
                continue;
            }
            let row: Row = (event_id, case_id, actor, at, kind, subject_type, subject_id, before, after);
            if row.1.clone().unwrap_or_default() != chain || chain_hash(&previous, &row) != hash {
                report.breaks.push(broken(format!("the event at position {position} was changed after it was written")));
                break;
            }
            previous = hash;
        }
    }
    let outside: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT e.id, e.case_id FROM events e LEFT JOIN event_chain c ON c.event_id = e.id WHERE c.event_id IS NULL ORDER BY e.id LIMIT 100",
    )
    .fetch_all(conn)
    .await?;
    for (id, case) in outside {
        report.breaks.push(ChainBreak {
            case: case.as_deref().map(|c| parse("case id", c)).transpose()?,
            event: Some(parse("event id", &id)?),
            problem: "the event is not in its chain: it was added around the history's own writes".into(),
        });
    }
    Ok(report)
}

pub(crate) type Row = (String, Option<String>, String, i64, String, String, String, String, String);

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

/// Records that `user` looked at `what` of a case (its record, notes, history…). When they
/// look at a restricted case by break-glass, the entry says why: the reason and details of
/// their latest grant that has not expired.
pub async fn log_access(conn: &mut Connection, user: UserId, case: CaseId, what: &str, at: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO access_log (id, user_id, case_id, at, what, why) VALUES ($1, $2, $3, $4, $5,
            (SELECT 'break-glass: ' || bg.reason || ': ' || bg.details FROM break_glass bg JOIN cases c ON c.id = bg.case_id
             WHERE bg.case_id = $3 AND bg.user_id = $2 AND bg.expires_at > $4 AND c.restriction = 'restricted'
             ORDER BY bg.expires_at DESC LIMIT 1))",
    )
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
    /// Why, for a look by break-glass.
    pub why: Option<String>,
}

pub async fn accesses_of_case(conn: &mut Connection, case: CaseId) -> Result<Vec<Access>> {
    let rows: Vec<(String, String, i64, String, Option<String>)> =
        sqlx::query_as("SELECT user_id, case_id, at, what, why FROM access_log WHERE case_id = $1 ORDER BY id")
            .bind(case.to_string())
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(user, case, at, what, why)| {
            Ok(Access { user: parse("user id", &user)?, case: parse("case id", &case)?, at: instant(at)?, what, why })
        })
        .collect()
}

/// One entry of the access log, with the names an auditor reads it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub id: EventId,
    pub at: Timestamp,
    pub user: UserId,
    pub username: String,
    pub case: CaseId,
    pub case_reference: String,
    pub what: String,
    /// Why, for a look by break-glass.
    pub why: Option<String>,
}

/// Which entries of the access log an auditor asks for: those on the cases `visible` lets
/// them see, about one case, by one user or about one person's cases (any combination),
/// newest first.
#[derive(Debug, Clone, Default)]
pub struct AccessQuery {
    pub visible: Vec<casework_domain::access::CaseFilter>,
    pub case: Option<CaseId>,
    pub user: Option<UserId>,
    pub person: Option<casework_domain::ids::PersonId>,
    pub before: Option<EventId>,
    pub limit: i64,
}

pub async fn access_log(conn: &mut Connection, query_for: &AccessQuery) -> Result<Vec<AccessEntry>> {
    let mut query = crate::sql::Sql::new(
        "SELECT a.id, a.at, a.user_id, u.username, a.case_id, c.reference, a.what, a.why
         FROM access_log a JOIN cases c ON c.id = a.case_id JOIN users u ON u.id = a.user_id WHERE TRUE",
    );
    crate::cases::push_visibility(&mut query, &query_for.visible);
    if let Some(case) = query_for.case {
        query.push(" AND a.case_id = ").push_bind(case.to_string());
    }
    if let Some(user) = query_for.user {
        query.push(" AND a.user_id = ").push_bind(user.to_string());
    }
    if let Some(person) = query_for.person {
        query.push(" AND c.person_id = ").push_bind(person.to_string());
    }
    if let Some(before) = query_for.before {
        query.push(" AND a.id < ").push_bind(before.to_string());
    }
    query.push(" ORDER BY a.id DESC LIMIT ").push_bind(query_for.limit);
    type Row = (String, i64, String, String, String, String, String, Option<String>);
    let rows: Vec<Row> = query.build_query_as()?.fetch_all(conn).await?;
    rows.into_iter()
        .map(|(id, at, user, username, case, case_reference, what, why)| {
            Ok(AccessEntry {
                id: parse("access id", &id)?,
                at: instant(at)?,
                user: parse("user id", &user)?,
                username,
                case: parse("case id", &case)?,
                case_reference,
                what,
                why,
            })
        })
        .collect()
}
