//! User accounts, roles, teams, sessions, API tokens and login throttling.

use crate::convert::Flag;
use crate::convert::{code, instant, micros, parse};
use crate::{Connection, Result};
use casework_domain::ids::{TeamId, UserId};
use casework_domain::text::{Code, ShortText};
use casework_domain::user::{RoleGrant, Team, UserAccount, Username};
use jiff::Timestamp;

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub id: UserId,
    pub password_hash: String,
    pub disabled: bool,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    username: String,
    display_name: String,
    administrator: Flag,
    disabled: Flag,
    created_at: i64,
}

pub async fn insert(
    conn: &mut Connection,
    id: UserId,
    username: &Username,
    display_name: &ShortText,
    password_hash: &str,
    administrator: bool,
    at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO users (id, username, display_name, password_hash, administrator, disabled, created_at, password_changed_at)
         VALUES ($1, $2, $3, $4, $5, 0, $6, $6)",
    )
    .bind(id.to_string())
    .bind(username.as_str())
    .bind(display_name.as_str())
    .bind(password_hash)
    .bind(Flag(administrator))
    .bind(micros(at))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn credentials(conn: &mut Connection, username: &str) -> Result<Option<Credentials>> {
    let row: Option<(String, String, Flag)> = sqlx::query_as("SELECT id, password_hash, disabled FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(conn)
        .await?;
    row.map(|(id, password_hash, disabled)| Ok(Credentials { id: parse("user id", &id)?, password_hash, disabled: disabled.0 }))
        .transpose()
}

pub async fn get(conn: &mut Connection, id: UserId) -> Result<Option<UserAccount>> {
    let row: Option<UserRow> =
        sqlx::query_as("SELECT id, username, display_name, administrator, disabled, created_at FROM users WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    match row {
        Some(row) => Ok(Some(account(conn, row).await?)),
        None => Ok(None),
    }
}

pub async fn get_by_username(conn: &mut Connection, username: &str) -> Result<Option<UserAccount>> {
    let row: Option<UserRow> =
        sqlx::query_as("SELECT id, username, display_name, administrator, disabled, created_at FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&mut *conn)
            .await?;
    match row {
        Some(row) => Ok(Some(account(conn, row).await?)),
        None => Ok(None),
    }
}

/// Accounts in username order, `limit` at a time after `after`.
pub async fn list(conn: &mut Connection, after: Option<&str>, limit: i64) -> Result<Vec<UserAccount>> {
    let rows: Vec<UserRow> = sqlx::query_as(
        "SELECT id, username, display_name, administrator, disabled, created_at FROM users
         WHERE username > $1 ORDER BY username LIMIT $2",
    )
    .bind(after.unwrap_or(""))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut accounts = Vec::with_capacity(rows.len());
    for row in rows {
        accounts.push(account(conn, row).await?);
    }
    Ok(accounts)
}

async fn account(conn: &mut Connection, row: UserRow) -> Result<UserAccount> {
    let id: UserId = parse("user id", &row.id)?;
    let (roles, teams) = roles_and_teams_of(conn, id).await?;
    Ok(UserAccount {
        id,
        username: Username::parse(&row.username).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?,
        display_name: ShortText::parse(&row.display_name).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?,
        administrator: row.administrator.0,
        disabled: row.disabled.0,
        created_at: instant(row.created_at)?,
        roles,
        teams: teams.into_iter().map(|t| t.id).collect(),
    })
}

pub async fn set_disabled(conn: &mut Connection, id: UserId, disabled: bool) -> Result<bool> {
    let done = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
        .bind(Flag(disabled))
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    if disabled {
        delete_sessions_of(conn, id).await?;
    }
    Ok(done.rows_affected() == 1)
}

pub async fn set_password(conn: &mut Connection, id: UserId, password_hash: &str, at: Timestamp) -> Result<bool> {
    let done = sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(micros(at))
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    delete_sessions_of(conn, id).await?;
    Ok(done.rows_affected() == 1)
}

pub async fn grant_role(conn: &mut Connection, user: UserId, service: &Code, role: &Code, at: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO user_roles (user_id, service, role, granted_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(user.to_string())
        .bind(service.as_str())
        .bind(role.as_str())
        .bind(micros(at))
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether the user held the role (and no longer does).
pub async fn revoke_role(conn: &mut Connection, user: UserId, service: &Code, role: &Code) -> Result<bool> {
    let done = sqlx::query("DELETE FROM user_roles WHERE user_id = $1 AND service = $2 AND role = $3")
        .bind(user.to_string())
        .bind(service.as_str())
        .bind(role.as_str())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_team(conn: &mut Connection, team: &Team, at: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO teams (id, service, name, created_at) VALUES ($1, $2, $3, $4)")
        .bind(team.id.to_string())
        .bind(team.service.as_str())
        .bind(team.name.as_str())
        .bind(micros(at))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get_team(conn: &mut Connection, id: TeamId) -> Result<Option<Team>> {
    let row: Option<(String, String, String)> =
        sqlx::query_as("SELECT id, service, name FROM teams WHERE id = $1").bind(id.to_string()).fetch_optional(conn).await?;
    row.map(|r| team(&r)).transpose()
}

/// Teams in the order they were made, `limit` at a time after `after`.
pub async fn list_teams(conn: &mut Connection, after: Option<TeamId>, limit: i64) -> Result<Vec<Team>> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, service, name FROM teams WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after.map(|a| a.to_string()).unwrap_or_default())
            .bind(limit)
            .fetch_all(conn)
            .await?;
    rows.iter().map(team).collect()
}

/// The teams of one service, by name.
pub async fn teams_of_service(conn: &mut Connection, service: &Code) -> Result<Vec<Team>> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, service, name FROM teams WHERE service = $1 ORDER BY name, id")
            .bind(service.as_str())
            .fetch_all(conn)
            .await?;
    rows.iter().map(team).collect()
}

fn team((id, service, name): &(String, String, String)) -> Result<Team> {
    Ok(Team {
        id: parse("team id", id)?,
        service: code(service)?,
        name: ShortText::parse(name).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?,
    })
}

pub async fn add_team_member(conn: &mut Connection, team: TeamId, user: UserId, at: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO team_members (team_id, user_id, added_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(team.to_string())
        .bind(user.to_string())
        .bind(micros(at))
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether the user was a member (and no longer is).
pub async fn remove_team_member(conn: &mut Connection, team: TeamId, user: UserId) -> Result<bool> {
    let done = sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND user_id = $2")
        .bind(team.to_string())
        .bind(user.to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The roles a user holds (by service, then role) and the teams they belong to (by
/// service, then name), in one statement: every request reads them.
pub async fn roles_and_teams_of(conn: &mut Connection, user: UserId) -> Result<(Vec<RoleGrant>, Vec<Team>)> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT 'role' AS part, service, role AS id, '' AS name FROM user_roles WHERE user_id = $1
         UNION ALL
         SELECT 'team', t.service, t.id, t.name FROM teams t JOIN team_members m ON m.team_id = t.id
         WHERE m.user_id = $1
         ORDER BY part, service, name, id",
    )
    .bind(user.to_string())
    .fetch_all(conn)
    .await?;
    let (mut roles, mut teams) = (Vec::new(), Vec::new());
    for (part, service, id, name) in rows {
        if part == "role" {
            roles.push(RoleGrant { service: code(&service)?, role: code(&id)? });
        } else {
            teams.push(team(&(id, service, name))?);
        }
    }
    Ok((roles, teams))
}

/// Members of a team, for checking an allocation.
pub async fn is_team_member(conn: &mut Connection, team: TeamId, user: UserId) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM team_members WHERE team_id = $1 AND user_id = $2")
        .bind(team.to_string())
        .bind(user.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

// --- sessions ---

/// A stored session: whose it is and its age.
#[derive(Debug, Clone, Copy)]
pub struct SessionRecord {
    pub user: UserId,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

pub async fn insert_session(conn: &mut Connection, token_hash: &str, user: UserId, at: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)")
        .bind(token_hash)
        .bind(user.to_string())
        .bind(micros(at))
        .execute(conn)
        .await?;
    Ok(())
}

/// Who a session belongs to: what an actor is made of besides roles and teams.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: UserId,
    pub username: String,
    pub administrator: bool,
    pub disabled: bool,
}

/// A session and the account it belongs to, read in one statement: this runs at every request.
pub async fn find_session(conn: &mut Connection, token_hash: &str) -> Result<Option<(SessionRecord, Principal)>> {
    let row: Option<(String, i64, i64, String, Flag, Flag)> = sqlx::query_as(
        "SELECT s.user_id, s.created_at, s.last_seen_at, u.username, u.administrator, u.disabled
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    row.map(|(user, created, seen, username, administrator, disabled)| {
        let user = parse("user id", &user)?;
        let session = SessionRecord { user, created_at: instant(created)?, last_seen_at: instant(seen)? };
        Ok((session, Principal { user, username, administrator: administrator.0, disabled: disabled.0 }))
    })
    .transpose()
}

pub async fn principal(conn: &mut Connection, id: UserId) -> Result<Option<Principal>> {
    let row: Option<(String, Flag, Flag)> = sqlx::query_as("SELECT username, administrator, disabled FROM users WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|(username, administrator, disabled)| Principal {
        user: id,
        username,
        administrator: administrator.0,
        disabled: disabled.0,
    }))
}

pub async fn touch_session(conn: &mut Connection, token_hash: &str, at: Timestamp) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
        .bind(micros(at))
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_session(conn: &mut Connection, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(conn).await?;
    Ok(())
}

pub async fn delete_sessions_of(conn: &mut Connection, user: UserId) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.to_string()).execute(conn).await?;
    Ok(())
}

/// Removes sessions idle since before `idle_before` or started before `started_before`.
pub async fn delete_expired_sessions(conn: &mut Connection, idle_before: Timestamp, started_before: Timestamp) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(micros(idle_before))
        .bind(micros(started_before))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

// --- API tokens ---

#[derive(Debug, Clone, serde::Serialize)]
pub struct ApiToken {
    pub id: String,
    pub user: UserId,
    pub name: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

pub async fn insert_token(
    conn: &mut Connection,
    id: &str,
    user: UserId,
    name: &str,
    token_hash: &str,
    at: Timestamp,
    expires_at: Option<Timestamp>,
) -> Result<()> {
    sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(user.to_string())
        .bind(name)
        .bind(token_hash)
        .bind(micros(at))
        .bind(expires_at.map(micros))
        .execute(conn)
        .await?;
    Ok(())
}

/// The user of a live token (not revoked, not expired at `now`).
pub async fn token_user(conn: &mut Connection, token_hash: &str, now: Timestamp) -> Result<Option<UserId>> {
    let user: Option<String> = sqlx::query_scalar(
        "SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
    )
    .bind(token_hash)
    .bind(micros(now))
    .fetch_optional(conn)
    .await?;
    user.map(|u| parse("user id", &u)).transpose()
}

pub async fn tokens_of(conn: &mut Connection, user: UserId) -> Result<Vec<ApiToken>> {
    type Row = (String, String, i64, Option<i64>, Option<i64>);
    let rows: Vec<Row> =
        sqlx::query_as("SELECT id, name, created_at, expires_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id")
            .bind(user.to_string())
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(id, name, created, expires, revoked)| {
            Ok(ApiToken {
                id,
                user,
                name,
                created_at: instant(created)?,
                expires_at: expires.map(instant).transpose()?,
                revoked_at: revoked.map(instant).transpose()?,
            })
        })
        .collect()
}

pub async fn revoke_token(conn: &mut Connection, user: UserId, id: &str, at: Timestamp) -> Result<bool> {
    let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
        .bind(micros(at))
        .bind(id)
        .bind(user.to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

// --- login throttling ---

pub async fn record_login_failure(conn: &mut Connection, username: &str, at: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO login_failures (username, at) VALUES ($1, $2)")
        .bind(username)
        .bind(micros(at))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn login_failures_since(conn: &mut Connection, username: &str, since: Timestamp) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at >= $2")
        .bind(username)
        .bind(micros(since))
        .fetch_one(conn)
        .await?)
}

pub async fn delete_login_failures_before(conn: &mut Connection, before: Timestamp) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(micros(before)).execute(conn).await?;
    Ok(())
}

pub async fn clear_login_failures(conn: &mut Connection, username: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1").bind(username).execute(conn).await?;
    Ok(())
}
