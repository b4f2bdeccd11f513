//! Casework's storage: the only place with SQL.
//!
//! One module per aggregate; each function takes the connection it runs on, so a use case
//! can put several of them (the change, its history events, its access-log entry) in one
//! transaction. SQLite runs in WAL mode with `synchronous=FULL`: a commit that returned is on
//! disk. Writes go through a single connection (SQLite has one writer anyway), reads through
//! a pool, so readers never wait for writers.
//!
//! Query text uses `$1` placeholders and no SQL time functions (the clock is the caller's),
//! so the PostgreSQL backend can share it.

pub mod alerts;
pub mod cases;
pub mod consents;
pub mod decisions;
pub mod disclosures;
pub mod documents;
pub mod events;
pub mod forms;
pub mod idempotency;
pub mod meetings;
pub mod meta;
pub mod notes;
pub mod people;
pub mod plans;
pub mod referrals;
pub mod retention;
pub mod search;
pub mod subject_access;
pub mod subject_forms;
pub mod tasks;
pub mod timers;
pub mod users;

mod convert;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub use sqlx::SqliteConnection as Connection;

/// What went wrong in storage. Details are for the log, never for the user.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored value that does not parse: the database was changed outside Casework.
    #[error("stored data does not parse: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// A write that broke a uniqueness rule (a username taken, an identifier already recorded).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The database.
#[derive(Debug, Clone)]
pub struct Store {
    writer: SqlitePool,
    reader: SqlitePool,
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back.
#[derive(Debug)]
pub struct Tx(sqlx::Transaction<'static, Sqlite>);

impl Tx {
    pub async fn commit(self) -> Result<()> {
        self.0.commit().await?;
        Ok(())
    }
}

impl std::ops::Deref for Tx {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.0
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.0
    }
}

/// A pooled read connection.
pub type Reader = sqlx::pool::PoolConnection<Sqlite>;

impl Store {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub async fn open(path: &Path) -> Result<Store> {
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory")
            .pragma("cache_size", "-16000");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.read_only(true))
            .await?;
        Ok(Store { writer, reader })
    }

    /// Applies pending migrations only (they also run on every open); returns how many exist.
    pub async fn migrate(path: &Path) -> Result<usize> {
        let store = Store::open(path).await?;
        let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(&store.reader).await?;
        store.close().await;
        Ok(usize::try_from(applied).unwrap_or_default())
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(Tx(self.writer.begin().await?))
    }

    /// A connection for reading.
    pub async fn read(&self) -> Result<Reader> {
        Ok(self.reader.acquire().await?)
    }

    /// Is the database answering? (for `/readyz`)
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    /// SQLite's own consistency check; `Ok` holds the problems found (empty when sound).
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&self.reader).await?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }

    /// Writes a consistent copy of the whole database to `path`, which must not exist yet,
    /// while the store stays in use: SQLite's `VACUUM INTO` copies one read snapshot, so
    /// writers carry on and the copy holds every transaction committed before it began.
    pub async fn backup_into(&self, path: &Path) -> Result<()> {
        let target = path.to_str().ok_or_else(|| StoreError::Corrupt(format!("{} is not a UTF-8 path", path.display())))?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(&self.reader).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}
