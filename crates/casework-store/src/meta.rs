//! Facts about the installation itself: loaded service definitions, and markers such as
//! "this is a demo database".

use crate::convert::micros;
use crate::{Connection, Result};
use casework_domain::service::ServiceDefinition;
use jiff::Timestamp;

pub async fn get(conn: &mut Connection, key: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = $1").bind(key).fetch_optional(conn).await?)
}

pub async fn set(conn: &mut Connection, key: &str, value: &str) -> Result<()> {
    sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(key)
        .bind(value)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records a service definition as loaded (cases and teams refer to its code).
pub async fn upsert_service(conn: &mut Connection, definition: &ServiceDefinition, text: &str, at: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO services (code, name, reference_prefix, definition, loaded_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, reference_prefix = excluded.reference_prefix,
            definition = excluded.definition, loaded_at = excluded.loaded_at",
    )
    .bind(definition.code().as_str())
    .bind(&definition.service.name)
    .bind(&definition.service.reference_prefix)
    .bind(text)
    .bind(micros(at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Row counts of every table that holds case work, for checks and tests.
pub async fn count(conn: &mut Connection, table: &str) -> Result<i64> {
    const TABLES: [&str; 12] = [
        "people",
        "referrals",
        "cases",
        "case_flags",
        "case_key_dates",
        "case_links",
        "notes",
        "tasks",
        "decisions",
        "events",
        "access_log",
        "users",
    ];
    if !TABLES.contains(&table) {
        return Ok(-1);
    }
    Ok(sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(conn).await?)
}
