//! A fresh, empty database for each test, on the backend the test run asks for: a SQLite
//! file in the test's folder, or, when `CASEWORK_TEST_POSTGRES` names a PostgreSQL server
//! (as `scripts/with-postgres` sets it), a new database of its own on that server.

use crate::{Location, Result};
use sqlx::{Connection as _, Executor as _};
use std::path::Path;

/// The variable naming the PostgreSQL server tests run against; unset means SQLite.
pub const POSTGRES_VARIABLE: &str = "CASEWORK_TEST_POSTGRES";

/// The server tests run against, if any.
pub fn postgres_server() -> Option<String> {
    std::env::var(POSTGRES_VARIABLE).ok().filter(|url| !url.is_empty())
}

/// A new empty database: `name` (a file name) in `dir` on SQLite, a new database on the
/// test server otherwise.
pub async fn fresh_database(dir: &Path, name: &str) -> Result<Location> {
    match postgres_server() {
        Some(server) => Ok(Location::Postgres(create_database(&server).await?)),
        None => Ok(Location::Sqlite(dir.join(name))),
    }
}

/// Makes a new database on the server `server_url` names and returns its URL.
pub async fn create_database(server_url: &str) -> Result<String> {
    sqlx::any::install_default_drivers();
    let name = format!("casework_test_{}", uuid::Uuid::now_v7().simple());
    let mut admin = sqlx::AnyConnection::connect(server_url).await?;
    admin.execute(format!("CREATE DATABASE {name}").as_str()).await?;
    admin.close().await?;
    Ok(with_database(server_url, &name))
}

/// The same server URL naming another database.
pub fn with_database(server_url: &str, database: &str) -> String {
    let (scheme, rest) = server_url.split_once("://").unwrap_or(("postgres", server_url));
    let (rest, query) = rest.split_once('?').map_or((rest, None), |(r, q)| (r, Some(q)));
    let host = rest.split_once('/').map_or(rest, |(host, _)| host);
    match query {
        Some(query) => format!("{scheme}://{host}/{database}?{query}"),
        None => format!("{scheme}://{host}/{database}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn another_database_on_the_same_server() {
        assert_eq!(with_database("postgres://u@h:5/postgres", "x"), "postgres://u@h:5/x");
        assert_eq!(with_database("postgres://u@h:5", "x"), "postgres://u@h:5/x");
        assert_eq!(with_database("postgresql://u:p@h/db?sslmode=disable", "x"), "postgresql://u:p@h/x?sslmode=disable");
    }
}
