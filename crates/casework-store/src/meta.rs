//! Facts about the installation itself: loaded service definitions, and markers such as
//! "this is a demo database".

use crate::convert::micros;
use crate::{Backend, Connection, Result};
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

/// A stored version of a service definition.
#[derive(Debug, Clone)]
pub struct StoredDefinition {
    pub service: String,
    pub version: u32,
    pub text: String,
}

/// Records a definition as the service's current one. The same text as the latest version
/// changes nothing; different text becomes the next version. Returns the current version.
pub async fn register_definition(
    conn: &mut Connection,
    definition: &ServiceDefinition,
    text: &str,
    digest: &str,
    at: Timestamp,
) -> Result<u32> {
    let code = definition.code().as_str();
    let latest: Option<(i64, String)> =
        sqlx::query_as("SELECT version, digest FROM service_versions WHERE service = $1 ORDER BY version DESC LIMIT 1")
            .bind(code)
            .fetch_optional(&mut *conn)
            .await?;
    let version = match latest {
        Some((version, latest_digest)) if latest_digest == digest => version,
        Some((version, _)) => version + 1,
        None => 1,
    };
    sqlx::query(
        "INSERT INTO services (code, name, reference_prefix, current_version) VALUES ($1, $2, $3, $4)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, reference_prefix = excluded.reference_prefix,
            current_version = excluded.current_version",
    )
    .bind(code)
    .bind(&definition.service.name)
    .bind(&definition.service.reference_prefix)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO service_versions (service, version, definition, digest, loaded_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (service, version) DO NOTHING",
    )
    .bind(code)
    .bind(version)
    .bind(text)
    .bind(digest)
    .bind(micros(at))
    .execute(conn)
    .await?;
    u32::try_from(version).map_err(|_| crate::StoreError::Corrupt(format!("service version {version}")))
}

/// Every stored definition version, oldest first.
pub async fn definitions(conn: &mut Connection) -> Result<Vec<StoredDefinition>> {
    let rows: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT service, version, definition FROM service_versions ORDER BY service, version")
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(service, version, text)| {
            let version = u32::try_from(version).map_err(|_| crate::StoreError::Corrupt(format!("service version {version}")))?;
            Ok(StoredDefinition { service, version, text })
        })
        .collect()
}

/// The name of every table of the schema, in name order (the migrations' bookkeeping aside).
pub async fn tables(conn: &mut Connection) -> Result<Vec<String>> {
    let query = match Backend::of(conn) {
        // FTS5's own tables (search_index and its shadows) are the index, not data.
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' \
             AND name NOT LIKE 'search_index%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE '_sqlx%' \
             ORDER BY tablename"
        }
    };
    Ok(sqlx::query_scalar(query).fetch_all(conn).await?)
}

/// The rows in one table of the schema, or -1 for a name that is not one of its tables.
pub async fn count(conn: &mut Connection, table: &str) -> Result<i64> {
    // Only a name read back from the schema itself is ever put into the query.
    if !tables(conn).await?.iter().any(|t| t == table) {
        return Ok(-1);
    }
    Ok(sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(conn).await?)
}

/// Stores imported holidays; those already stored are left alone. Returns how many were new.
pub async fn import_holidays(
    conn: &mut Connection,
    holidays: &[(casework_domain::calendar::Nation, casework_domain::calendar::Holiday)],
) -> Result<u64> {
    let mut added = 0;
    for (nation, holiday) in holidays {
        let done = sqlx::query("INSERT INTO imported_holidays (nation, date, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(nation.as_str())
            .bind(holiday.date.to_string())
            .bind(&holiday.name)
            .execute(&mut *conn)
            .await?;
        added += done.rows_affected();
    }
    Ok(added)
}

/// Every imported holiday.
pub async fn imported_holidays(
    conn: &mut Connection,
) -> Result<Vec<(casework_domain::calendar::Nation, casework_domain::calendar::Holiday)>> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT nation, date, name FROM imported_holidays ORDER BY date").fetch_all(conn).await?;
    rows.into_iter()
        .map(|(nation, date, name)| {
            let nation =
                casework_domain::calendar::Nation::parse(&nation).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
            Ok((nation, casework_domain::calendar::Holiday::new(crate::convert::date(&date)?, name)))
        })
        .collect()
}
