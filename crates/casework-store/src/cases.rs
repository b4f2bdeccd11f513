//! Cases, with their flags, key dates and links.

use crate::convert::{code, date, instant, micros, named, parse};
use crate::sql::Sql;
use crate::{Connection, Result, StoreError};
use casework_domain::access::{BreakGlassWindow, CaseFilter, FilterReach, Restriction, RestrictionLevel};
use casework_domain::case::{Case, CaseLink, CaseReference, CaseStatus, Flag, LinkKind};
use casework_domain::ids::{CaseId, PersonId, TeamId, UserId};
use casework_domain::text::Code;
use jiff::Timestamp;
use serde::Serialize;
use std::collections::BTreeMap;

/// The next number in a service's reference sequence for a year.
pub async fn next_reference_number(conn: &mut Connection, service: &Code, year: i16) -> Result<u32> {
    let number: i64 = sqlx::query_scalar(
        "INSERT INTO reference_counters (service, year, last_number) VALUES ($1, $2, 1)
         ON CONFLICT (service, year) DO UPDATE SET last_number = reference_counters.last_number + 1
         RETURNING last_number",
    )
    .bind(service.as_str())
    .bind(i64::from(year))
    .fetch_one(conn)
    .await?;
    u32::try_from(number).map_err(|_| StoreError::Corrupt(format!("reference number {number}")))
}

pub async fn insert(conn: &mut Connection, case: &Case) -> Result<()> {
    sqlx::query(
        "INSERT INTO cases (id, reference, service, service_version, person_id, referral_id, stage, level, status,
            worker_id, team_id, opened_at, updated_at, version)
         VALUES ($1, $2, $3, $12, $4, $5, $6, $7, 'open', $8, $9, $10, $10, $11)",
    )
    .bind(case.id.to_string())
    .bind(case.reference.as_str())
    .bind(case.service.as_str())
    .bind(case.person.to_string())
    .bind(case.referral.to_string())
    .bind(case.stage.as_str())
    .bind(case.level.as_ref().map(Code::as_str))
    .bind(case.worker.map(|w| w.to_string()))
    .bind(case.team.map(|t| t.to_string()))
    .bind(micros(case.opened_at))
    .bind(case.version)
    .bind(i64::from(case.service_version))
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes the case record's own fields if nobody changed it since `seen_version`, and
/// moves it to the next version. `false` means someone else got there first: the caller
/// must roll back.
pub async fn update_record(conn: &mut Connection, case: &Case, seen_version: i64, at: Timestamp) -> Result<bool> {
    let (closure_reason, closed_at, closed_by) = match &case.status {
        CaseStatus::Open => (None, None, None),
        CaseStatus::Closed { reason, at, by } => (Some(reason.as_str()), Some(micros(*at)), Some(by.to_string())),
    };
    let done = sqlx::query(
        "UPDATE cases SET stage = $1, level = $2, status = $3, closure_reason = $4, closed_at = $5, closed_by = $6,
            worker_id = $7, team_id = $8, updated_at = $9, service_version = $12, restriction = $13, version = version + 1
         WHERE id = $10 AND version = $11",
    )
    .bind(case.stage.as_str())
    .bind(case.level.as_ref().map(Code::as_str))
    .bind(if case.is_open() { "open" } else { "closed" })
    .bind(closure_reason)
    .bind(closed_at)
    .bind(closed_by)
    .bind(case.worker.map(|w| w.to_string()))
    .bind(case.team.map(|t| t.to_string()))
    .bind(micros(at))
    .bind(case.id.to_string())
    .bind(seen_version)
    .bind(i64::from(case.service_version))
    .bind(case.restriction.level.name())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the case's access list with the one in `restriction`.
pub async fn set_access_list(conn: &mut Connection, case: CaseId, restriction: &Restriction) -> Result<()> {
    sqlx::query("DELETE FROM case_access WHERE case_id = $1").bind(case.to_string()).execute(&mut *conn).await?;
    let users = restriction.users.iter().map(|u| ("user", u.to_string()));
    let roles = restriction.roles.iter().map(|r| ("role", r.to_string()));
    for (kind, name) in users.chain(roles) {
        sqlx::query("INSERT INTO case_access (case_id, kind, name) VALUES ($1, $2, $3)")
            .bind(case.to_string())
            .bind(kind)
            .bind(name)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A break-glass grant as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlassGrant {
    pub id: casework_domain::ids::EventId,
    pub case: CaseId,
    pub user: UserId,
    pub reason: Code,
    pub details: String,
    pub granted_at: Timestamp,
    pub expires_at: Timestamp,
}

pub async fn insert_break_glass(conn: &mut Connection, grant: &BreakGlassGrant) -> Result<()> {
    sqlx::query(
        "INSERT INTO break_glass (id, case_id, user_id, reason, details, granted_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(grant.id.to_string())
    .bind(grant.case.to_string())
    .bind(grant.user.to_string())
    .bind(grant.reason.as_str())
    .bind(&grant.details)
    .bind(micros(grant.granted_at))
    .bind(micros(grant.expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// The user's latest break-glass grant on the case that has not expired at `now`.
pub async fn active_break_glass(
    conn: &mut Connection,
    case: CaseId,
    user: UserId,
    now: Timestamp,
) -> Result<Option<BreakGlassGrant>> {
    let row: Option<(String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, reason, details, granted_at, expires_at FROM break_glass
         WHERE case_id = $1 AND user_id = $2 AND expires_at > $3 ORDER BY expires_at DESC LIMIT 1",
    )
    .bind(case.to_string())
    .bind(user.to_string())
    .bind(micros(now))
    .fetch_optional(conn)
    .await?;
    row.map(|(id, reason, details, granted, expires)| {
        Ok(BreakGlassGrant {
            id: parse("break-glass id", &id)?,
            case,
            user,
            reason: code(&reason)?,
            details,
            granted_at: instant(granted)?,
            expires_at: instant(expires)?,
        })
    })
    .transpose()
}

pub async fn insert_flag(conn: &mut Connection, case: CaseId, flag: &Flag) -> Result<()> {
    sqlx::query("INSERT INTO case_flags (case_id, flag, set_by, set_at) VALUES ($1, $2, $3, $4)")
        .bind(case.to_string())
        .bind(flag.code.as_str())
        .bind(flag.set_by.to_string())
        .bind(micros(flag.set_at))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_flag(conn: &mut Connection, case: CaseId, flag: &Code) -> Result<()> {
    sqlx::query("DELETE FROM case_flags WHERE case_id = $1 AND flag = $2")
        .bind(case.to_string())
        .bind(flag.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_key_date(conn: &mut Connection, case: CaseId, key_date: &Code, value: Option<jiff::civil::Date>) -> Result<()> {
    match value {
        Some(value) => {
            sqlx::query(
                "INSERT INTO case_key_dates (case_id, key_date, date) VALUES ($1, $2, $3)
                 ON CONFLICT (case_id, key_date) DO UPDATE SET date = excluded.date",
            )
            .bind(case.to_string())
            .bind(key_date.as_str())
            .bind(value.to_string())
            .execute(conn)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM case_key_dates WHERE case_id = $1 AND key_date = $2")
                .bind(case.to_string())
                .bind(key_date.as_str())
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

pub async fn insert_link(conn: &mut Connection, case: CaseId, link: &CaseLink) -> Result<()> {
    sqlx::query("INSERT INTO case_links (case_id, other_case_id, kind, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(case.to_string())
        .bind(link.other.to_string())
        .bind(link.kind.name())
        .bind(link.created_by.to_string())
        .bind(micros(link.created_at))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: String,
    reference: String,
    service: String,
    service_version: i64,
    person_id: String,
    referral_id: String,
    stage: String,
    level: Option<String>,
    status: String,
    closure_reason: Option<String>,
    closed_at: Option<i64>,
    closed_by: Option<String>,
    worker_id: Option<String>,
    team_id: Option<String>,
    opened_at: i64,
    version: i64,
    restriction: String,
}

const CASE_COLUMNS: &str =
    "id, reference, service, service_version, person_id, referral_id, stage, level, status, closure_reason,
    closed_at, closed_by, worker_id, team_id, opened_at, version, restriction";

fn status(row: &CaseRow) -> Result<CaseStatus> {
    match row.status.as_str() {
        "open" => Ok(CaseStatus::Open),
        "closed" => Ok(CaseStatus::Closed {
            reason: code(row.closure_reason.as_deref().unwrap_or_default())?,
            at: instant(row.closed_at.unwrap_or_default())?,
            by: parse("user id", row.closed_by.as_deref().unwrap_or_default())?,
        }),
        other => Err(StoreError::Corrupt(format!("case status {other:?}"))),
    }
}

/// A case with its flags, key dates and the links it makes.
pub async fn get(conn: &mut Connection, id: CaseId) -> Result<Option<Case>> {
    Ok(get_many(conn, &[id]).await?.remove(&id))
}

/// What a case is read with besides its own row, each in the order it is shown.
#[derive(Default)]
struct CaseParts {
    flags: Vec<(String, String, i64)>,
    key_dates: Vec<(String, String)>,
    links: Vec<(String, String, String, i64)>,
    access: Vec<(String, String)>,
    grants: Vec<(String, String, i64)>,
}

/// Many cases with their flags, key dates and links, as [`get`] reads one, in one query per
/// table for up to a few hundred cases; a case that does not exist is not in the answer.
pub async fn get_many(conn: &mut Connection, ids: &[CaseId]) -> Result<BTreeMap<CaseId, Case>> {
    let mut found = BTreeMap::new();
    let ids: Vec<String> = ids.iter().map(CaseId::to_string).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    for part in ids.chunks(crate::sql::rows_per_statement(crate::Backend::of(conn), 1)) {
        let in_list = |head: &str, tail: &str| {
            let mut query = Sql::new(head);
            let mut list = query.separated(", ");
            for id in part {
                list.push_bind(id.clone());
            }
            query.push(")").push(tail);
            query
        };
        let rows: Vec<CaseRow> = in_list(&format!("SELECT {CASE_COLUMNS} FROM cases WHERE id IN ("), "")
            .build_query_as()?
            .fetch_all(&mut *conn)
            .await?;
        if rows.is_empty() {
            continue;
        }
        let mut parts: BTreeMap<String, CaseParts> = BTreeMap::new();
        for (case, kind, a, b, c, n) in case_parts(conn, part).await? {
            let entry = parts.entry(case).or_default();
            match kind.as_str() {
                "flag" => entry.flags.push((a, b, n)),
                "key-date" => entry.key_dates.push((a, b)),
                "link" => entry.links.push((a, b, c.unwrap_or_default(), n)),
                "access" => entry.access.push((a, b)),
                _ => entry.grants.push((a, b, n)),
            }
        }
        for row in rows {
            let case_parts = parts.remove(&row.id).unwrap_or_default();
            let case = assemble(row, case_parts)?;
            found.insert(case.id, case);
        }
    }
    Ok(found)
}

/// A row of [`case_parts`]: the case, which part, and the part's values.
type PartRow = (String, String, String, String, Option<String>, i64);

/// The flags, key dates, links, access list and break-glass windows of some cases in one
/// statement (each statement is a round trip, and every request that touches a case reads
/// them), each part in the order it is shown: flags by when they were set, links by when
/// they were made, windows by when they were granted.
async fn case_parts(conn: &mut Connection, ids: &[String]) -> Result<Vec<PartRow>> {
    let mut query = Sql::new("WITH wanted (id) AS (VALUES ");
    for (i, id) in ids.iter().enumerate() {
        query.push(if i == 0 { "(" } else { ", (" }).push_bind(id.clone()).push(")");
    }
    query.push(
        ") SELECT case_id, part, a, b, c, n FROM (
           SELECT case_id, 'flag' AS part, flag AS a, set_by AS b, NULL AS c, set_at AS n,
                  set_at AS first_by, flag AS then_by
             FROM case_flags WHERE case_id IN (SELECT id FROM wanted)
           UNION ALL SELECT case_id, 'key-date', key_date, date, NULL, 0, 0, key_date
             FROM case_key_dates WHERE case_id IN (SELECT id FROM wanted)
           UNION ALL SELECT case_id, 'link', other_case_id, kind, created_by, created_at, created_at, ''
             FROM case_links WHERE case_id IN (SELECT id FROM wanted)
           UNION ALL SELECT case_id, 'access', kind, name, NULL, 0, 0, name
             FROM case_access WHERE case_id IN (SELECT id FROM wanted)
           UNION ALL SELECT case_id, 'grant', user_id, reason, NULL, expires_at, granted_at, id
             FROM break_glass WHERE case_id IN (SELECT id FROM wanted)
         ) parts ORDER BY first_by, then_by",
    );
    Ok(query.build_query_as()?.fetch_all(&mut *conn).await?)
}

fn assemble(row: CaseRow, CaseParts { flags, key_dates, links, access, grants }: CaseParts) -> Result<Case> {
    let mut restriction = Restriction {
        level: RestrictionLevel::parse(&row.restriction)
            .ok_or_else(|| StoreError::Corrupt(format!("case restriction {:?}", row.restriction)))?,
        ..Restriction::default()
    };
    for (kind, name) in &access {
        match kind.as_str() {
            "user" => {
                restriction.users.insert(parse("user id", name)?);
            }
            _ => {
                restriction.roles.insert(code(name)?);
            }
        }
    }
    let break_glass = grants
        .iter()
        .map(|(user, reason, until)| {
            Ok(BreakGlassWindow { user: parse("user id", user)?, reason: code(reason)?, until: instant(*until)? })
        })
        .collect::<Result<_>>()?;
    Ok(Case {
        id: parse("case id", &row.id)?,
        reference: CaseReference::parse(&row.reference).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        service: code(&row.service)?,
        service_version: u32::try_from(row.service_version)
            .map_err(|_| StoreError::Corrupt(format!("service version {}", row.service_version)))?,
        person: parse("person id", &row.person_id)?,
        referral: parse("referral id", &row.referral_id)?,
        stage: code(&row.stage)?,
        level: row.level.as_deref().map(code).transpose()?,
        status: status(&row)?,
        worker: row.worker_id.as_deref().map(|w| parse("user id", w)).transpose()?,
        team: row.team_id.as_deref().map(|t| parse("team id", t)).transpose()?,
        flags: flags
            .iter()
            .map(|(flag, by, at)| Ok(Flag { code: code(flag)?, set_by: parse("user id", by)?, set_at: instant(*at)? }))
            .collect::<Result<_>>()?,
        key_dates: key_dates.iter().map(|(k, d)| Ok((code(k)?, date(d)?))).collect::<Result<BTreeMap<_, _>>>()?,
        links: links
            .iter()
            .map(|(other, kind, by, at)| {
                Ok(CaseLink {
                    other: parse("case id", other)?,
                    kind: named::<LinkKind>(kind)?,
                    created_by: parse("user id", by)?,
                    created_at: instant(*at)?,
                })
            })
            .collect::<Result<_>>()?,
        opened_at: instant(row.opened_at)?,
        version: row.version,
        restriction,
        break_glass,
    })
}

/// The case with this reference, if there is one.
pub async fn id_by_reference(conn: &mut Connection, reference: &str) -> Result<Option<CaseId>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id FROM cases WHERE reference = $1").bind(reference).fetch_optional(conn).await?;
    row.map(|(id,)| parse("case id", &id)).transpose()
}

/// Links other cases make to this one (e.g. the shadow cases of an original).
pub async fn links_to(conn: &mut Connection, id: CaseId) -> Result<Vec<(CaseId, LinkKind)>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT case_id, kind FROM case_links WHERE other_case_id = $1 ORDER BY created_at")
            .bind(id.to_string())
            .fetch_all(conn)
            .await?;
    rows.iter().map(|(c, k)| Ok((parse("case id", c)?, named::<LinkKind>(k)?))).collect()
}

/// A row of a work list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseSummary {
    pub id: CaseId,
    pub reference: String,
    pub service: Code,
    pub person: PersonId,
    pub person_name: String,
    pub stage: Code,
    pub level: Option<Code>,
    pub status: String,
    pub worker: Option<UserId>,
    /// The worker's display name, read with the row so a page needs no look-up per row.
    pub worker_name: Option<String>,
    pub team: Option<TeamId>,
    pub flags: Vec<Code>,
    pub opened_at: Timestamp,
    pub version: i64,
}

/// What a list can be sorted by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKey {
    Reference,
    /// Family name, then the name the person goes by.
    Person,
    /// Stages in the order given (the service's workflow order); others after them.
    Stage(Vec<Code>),
    /// Levels in the order given; cases without a level first.
    Level(Vec<Code>),
    Opened,
    /// The worker's display name; unallocated cases first.
    Worker,
}

/// A sort order for a list. Rows that tie are ordered by id in the same direction, so
/// pages never overlap or skip a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseOrder {
    pub key: SortKey,
    pub descending: bool,
}

/// What a work list asks for. Every field narrows the list.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub service: Option<Code>,
    /// "open" or "closed".
    pub status: Option<String>,
    /// In any of these stages (any stage when empty).
    pub stages: Vec<Code>,
    /// At any of these levels (any level when empty).
    pub levels: Vec<Code>,
    pub worker: Option<UserId>,
    pub team: Option<TeamId>,
    /// Only cases with no worker.
    pub unallocated: bool,
    /// Carrying every one of these flags.
    pub flags: Vec<Code>,
    /// Carrying none of these flags (e.g. shadow cases kept out of statistics).
    pub without_flags: Vec<Code>,
    /// With this key date between these two dates, inclusive (e.g. release in the next 12 weeks).
    pub key_date_between: Option<(Code, jiff::civil::Date, jiff::civil::Date)>,
    /// With a plan review due on or before this date.
    pub review_due_by: Option<jiff::civil::Date>,
    pub person: Option<PersonId>,
    /// Whose reference or family name starts with this (any case).
    pub prefix: Option<String>,
    /// Newest first, continuing before this id (when `order` is not given).
    pub before: Option<CaseId>,
    /// Sorted this way and paged by `offset` instead of `before`.
    pub order: Option<CaseOrder>,
    pub offset: i64,
    pub limit: i64,
}

/// Appends the visibility rules as one predicate: a case is listed only if one of the
/// filters lets the user see it (its reach covers the case and the case's restriction
/// admits the user, as `CaseFilter::matches` says). No filters means nothing is visible.
/// Break-glass expiry is compared with the filter's bound instant, not the database's clock.
pub(crate) fn push_visibility(query: &mut Sql<'_>, visible: &[CaseFilter]) {
    query.push(" AND (");
    if visible.is_empty() {
        query.push("FALSE");
    }
    for (i, filter) in visible.iter().enumerate() {
        if i > 0 {
            query.push(" OR ");
        }
        let user = filter.user.to_string();
        query.push("(c.service = ").push_bind(filter.service.to_string());
        match &filter.reach {
            FilterReach::WholeService => {}
            FilterReach::TeamsOrAllocated { teams } => {
                query.push(" AND (c.worker_id = ").push_bind(user.clone());
                if !teams.is_empty() {
                    query.push(" OR c.team_id IN (");
                    let mut list = query.separated(", ");
                    for team in teams {
                        list.push_bind(team.to_string());
                    }
                    query.push(")");
                }
                query.push(")");
            }
            FilterReach::Allocated => {
                query.push(" AND c.worker_id = ").push_bind(user.clone());
            }
        }
        query.push(" AND (c.restriction = 'none'");
        query.push(" OR EXISTS (SELECT 1 FROM case_access ca WHERE ca.case_id = c.id AND ((ca.kind = 'user' AND ca.name = ");
        query.push_bind(user.clone()).push(")");
        if !filter.roles.is_empty() {
            query.push(" OR (ca.kind = 'role' AND ca.name IN (");
            let mut list = query.separated(", ");
            for role in &filter.roles {
                list.push_bind(role.to_string());
            }
            query.push("))");
        }
        query.push("))");
        query.push(" OR (c.restriction = 'restricted' AND EXISTS (SELECT 1 FROM break_glass bg WHERE bg.case_id = c.id");
        query.push(" AND bg.user_id = ").push_bind(user).push(" AND bg.expires_at > ").push_bind(micros(filter.as_of));
        query.push("))))");
    }
    query.push(")");
}

/// Appends every filter of the query but the paging.
fn push_filters<'a>(query: &mut Sql<'a>, query_for: &'a CaseQuery, visible: &[CaseFilter]) {
    push_visibility(query, visible);
    if let Some(service) = &query_for.service {
        query.push(" AND c.service = ").push_bind(service.as_str());
    }
    if let Some(status) = &query_for.status {
        query.push(" AND c.status = ").push_bind(status.as_str());
    }
    for (column, values) in [("c.stage", &query_for.stages), ("c.level", &query_for.levels)] {
        if !values.is_empty() {
            query.push(format!(" AND {column} IN ("));
            let mut list = query.separated(", ");
            for value in values {
                list.push_bind(value.as_str());
            }
            query.push(")");
        }
    }
    if let Some(worker) = query_for.worker {
        query.push(" AND c.worker_id = ").push_bind(worker.to_string());
    }
    if let Some(team) = query_for.team {
        query.push(" AND c.team_id = ").push_bind(team.to_string());
    }
    if query_for.unallocated {
        query.push(" AND c.worker_id IS NULL");
    }
    for flag in &query_for.flags {
        query.push(" AND EXISTS (SELECT 1 FROM case_flags f WHERE f.case_id = c.id AND f.flag = ").push_bind(flag.as_str());
        query.push(")");
    }
    for flag in &query_for.without_flags {
        query.push(" AND NOT EXISTS (SELECT 1 FROM case_flags f WHERE f.case_id = c.id AND f.flag = ").push_bind(flag.as_str());
        query.push(")");
    }
    if let Some((key_date, from, to)) = &query_for.key_date_between {
        query
            .push(" AND EXISTS (SELECT 1 FROM case_key_dates k WHERE k.case_id = c.id AND k.key_date = ")
            .push_bind(key_date.as_str());
        query.push(" AND k.date BETWEEN ").push_bind(from.to_string()).push(" AND ").push_bind(to.to_string()).push(")");
    }
    if let Some(by) = query_for.review_due_by {
        query
            .push(" AND EXISTS (SELECT 1 FROM plans pl WHERE pl.case_id = c.id AND pl.next_review_on <= ")
            .push_bind(by.to_string());
        query.push(")");
    }
    if let Some(person) = query_for.person {
        query.push(" AND c.person_id = ").push_bind(person.to_string());
    }
    if let Some(prefix) = &query_for.prefix {
        // lower() on both sides rather than SQLite's case-blind LIKE, so PostgreSQL agrees;
        // ASCII only, as SQLite's lower() is.
        let pattern = format!("{}%", prefix.to_ascii_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        query.push(" AND (lower(c.reference) LIKE ").push_bind(pattern.clone()).push(" ESCAPE '\\'");
        query.push(" OR lower(p.family_name) LIKE ").push_bind(pattern).push(" ESCAPE '\\')");
    }
}

/// Appends the position of a column's value in `codes` (NULL first, unknown codes last).
fn push_rank<'a>(query: &mut Sql<'a>, column: &str, codes: &'a [Code]) {
    query.push(format!("CASE WHEN {column} IS NULL THEN 0"));
    for (i, code) in codes.iter().enumerate() {
        query.push(format!(" WHEN {column} = ")).push_bind(code.as_str()).push(format!(" THEN {}", i + 1));
    }
    query.push(format!(" ELSE {} END", codes.len() + 1));
}

/// Appends `ORDER BY` for a sort, ending with the id as the tie-break.
fn push_order<'a>(query: &mut Sql<'a>, order: &'a CaseOrder) {
    let direction = if order.descending { " DESC" } else { " ASC" };
    query.push(" ORDER BY ");
    match &order.key {
        SortKey::Reference => {
            query.push("c.reference").push(direction);
        }
        SortKey::Person => {
            query.push("lower(p.family_name)").push(direction);
            query.push(", lower(COALESCE(p.known_as, p.given_name))").push(direction);
        }
        SortKey::Stage(codes) => {
            push_rank(query, "c.stage", codes);
            query.push(direction).push(", c.stage").push(direction);
        }
        SortKey::Level(codes) => {
            push_rank(query, "c.level", codes);
            query.push(direction).push(", COALESCE(c.level, '')").push(direction);
        }
        SortKey::Opened => {
            query.push("c.opened_at").push(direction);
        }
        SortKey::Worker => {
            query.push("lower(COALESCE(u.display_name, ''))").push(direction);
        }
    }
    query.push(", c.id").push(direction);
}

/// How many cases match the query (paging aside) among those the user may see.
pub async fn count(conn: &mut Connection, query_for: &CaseQuery, visible: &[CaseFilter]) -> Result<i64> {
    // Every case has its person, so the join changes no count; it is made only when the
    // name filter needs it, as it costs a look-up for every case counted.
    let mut query = Sql::new(if query_for.prefix.is_some() {
        "SELECT COUNT(*) FROM cases c JOIN people p ON p.id = c.person_id WHERE TRUE"
    } else {
        "SELECT COUNT(*) FROM cases c WHERE TRUE"
    });
    push_filters(&mut query, query_for, visible);
    Ok(query.build_query_scalar()?.fetch_one(conn).await?)
}

pub async fn list(conn: &mut Connection, query_for: &CaseQuery, visible: &[CaseFilter]) -> Result<Vec<CaseSummary>> {
    let mut query = Sql::new(
        "SELECT c.id, c.reference, c.service, c.person_id, p.given_name, p.family_name, p.known_as, c.stage, c.level,
            c.status, c.worker_id, u.display_name, c.team_id, c.opened_at, c.version
         FROM cases c JOIN people p ON p.id = c.person_id LEFT JOIN users u ON u.id = c.worker_id WHERE TRUE",
    );
    push_filters(&mut query, query_for, visible);
    match &query_for.order {
        Some(order) => {
            push_order(&mut query, order);
            query.push(" LIMIT ").push_bind(query_for.limit).push(" OFFSET ").push_bind(query_for.offset);
        }
        None => {
            if let Some(before) = query_for.before {
                query.push(" AND c.id < ").push_bind(before.to_string());
            }
            query.push(" ORDER BY c.id DESC LIMIT ").push_bind(query_for.limit);
        }
    }

    type Row = (
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
        i64,
    );
    let rows: Vec<Row> = query.build_query_as()?.fetch_all(&mut *conn).await?;
    let mut summaries = Vec::with_capacity(rows.len());
    for (
        id,
        reference,
        service,
        person,
        given,
        family,
        known_as,
        stage,
        level,
        status,
        worker,
        worker_name,
        team,
        opened,
        version,
    ) in rows
    {
        summaries.push(CaseSummary {
            id: parse("case id", &id)?,
            reference,
            service: code(&service)?,
            person: parse("person id", &person)?,
            person_name: format!("{} {family}", known_as.unwrap_or(given)),
            stage: code(&stage)?,
            level: level.as_deref().map(code).transpose()?,
            status,
            worker: worker.as_deref().map(|w| parse("user id", w)).transpose()?,
            worker_name,
            team: team.as_deref().map(|t| parse("team id", t)).transpose()?,
            flags: Vec::new(),
            opened_at: instant(opened)?,
            version,
        });
    }
    if !summaries.is_empty() {
        let mut flags_query = Sql::new("SELECT case_id, flag FROM case_flags WHERE case_id IN (");
        let mut ids = flags_query.separated(", ");
        for summary in &summaries {
            ids.push_bind(summary.id.to_string());
        }
        flags_query.push(") ORDER BY flag");
        let flags: Vec<(String, String)> = flags_query.build_query_as()?.fetch_all(conn).await?;
        for (case, flag) in flags {
            if let Some(summary) = summaries.iter_mut().find(|s| s.id.to_string() == case) {
                summary.flags.push(code(&flag)?);
            }
        }
    }
    Ok(summaries)
}

/// How many open cases of a service each worker holds, in one query (workers with none
/// are left out).
pub async fn open_caseloads(conn: &mut Connection, service: &Code) -> Result<BTreeMap<UserId, i64>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT worker_id, COUNT(*) FROM cases WHERE service = $1 AND status = 'open' AND worker_id IS NOT NULL
         GROUP BY worker_id",
    )
    .bind(service.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter().map(|(worker, count)| Ok((parse("user id", worker)?, *count))).collect()
}

/// Open cases of a service that follow an older version of its definition than `current`.
pub async fn open_on_older_version(conn: &mut Connection, service: &Code, current: u32) -> Result<Vec<CaseId>> {
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM cases WHERE service = $1 AND status = 'open' AND service_version < $2 ORDER BY id")
            .bind(service.as_str())
            .bind(i64::from(current))
            .fetch_all(conn)
            .await?;
    ids.iter().map(|id| parse("case id", id)).collect()
}
