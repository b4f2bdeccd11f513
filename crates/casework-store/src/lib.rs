//! Casework's storage: the only place with SQL.
//!
//! One module per aggregate; each function takes the connection it runs on, so a use case
//! can put several of them (the change, its history events, its access-log entry) in one
//! transaction. SQLite runs in WAL mode with `synchronous=FULL`: a commit that returned is on
//! disk. Writes go through a single connection (SQLite has one writer anyway), reads through
//! a pool, so readers never wait for writers; a write transaction takes SQLite's write lock
//! as it begins, so processes sharing one file wait their turn instead of failing. On
//! PostgreSQL, writes take one advisory lock per transaction, so they are serialised across
//! every instance the same way.
//!
//! Query text uses `$1` placeholders and no SQL time functions (the clock is the caller's),
//! so the PostgreSQL backend can share it.

pub mod activity;
pub mod alerts;
pub mod bulk;
pub mod case_file_audits;
pub mod cases;
pub mod commit_rate;
pub mod consents;
pub mod copy;
pub mod decisions;
pub mod disclosures;
pub mod documents;
pub mod events;
pub mod exports;
pub mod forms;
pub mod idempotency;
pub mod leases;
pub mod meetings;
pub mod meta;
pub mod notes;
pub mod people;
pub mod plans;
pub mod referrals;
pub mod reports;
pub mod retention;
pub mod search;
pub mod subject_access;
pub mod subject_forms;
pub mod tasks;
pub mod testing;
pub mod timers;
pub mod users;

mod convert;
mod sql;
mod writer;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

pub use sqlx::AnyConnection as Connection;
pub use writer::Tx;
use writer::Writer;

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
    /// Something only one of the backends can do.
    #[error("{0}")]
    Unsupported(&'static str),
    /// The commit of a batch of transactions failed (see the `writer` module): every
    /// transaction in it reports this.
    #[error("the commit failed: {message}")]
    CommitFailed { message: String, unavailable: bool },
}

impl StoreError {
    /// A write that broke a uniqueness rule (a username taken, an identifier already recorded).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }

    /// The database could not be reached or went away mid-request (a restart, a failover,
    /// a network fault): worth trying again shortly, unlike a fault in the request.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed) => true,
            StoreError::CommitFailed { unavailable, .. } => *unavailable,
            // PostgreSQL's classes 08 (connection exception) and 57P (operator intervention:
            // shut down, crashed, starting up).
            StoreError::Database(sqlx::Error::Database(e)) => {
                e.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P"))
            }
            _ => false,
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Where the data lives: an embedded SQLite file, or a PostgreSQL database shared by any
/// number of Casework instances.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Location {
    /// `postgres://…` (or `postgresql://…`) names a PostgreSQL database; `sqlite:PATH` or a
    /// plain path names a SQLite file.
    pub fn parse(text: &str) -> Location {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Location::Postgres(text.to_owned())
        } else {
            Location::Sqlite(PathBuf::from(text.strip_prefix("sqlite:").unwrap_or(text)))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Location::Sqlite(_) => Backend::Sqlite,
            Location::Postgres(_) => Backend::Postgres,
        }
    }

    /// The SQLite file, if this is one.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Location::Sqlite(path) => Some(path),
            Location::Postgres(_) => None,
        }
    }
}

impl FromStr for Location {
    type Err = std::convert::Infallible;
    fn from_str(text: &str) -> std::result::Result<Location, Self::Err> {
        Ok(Location::parse(text))
    }
}

/// Shown in logs and messages: a PostgreSQL password never is.
impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => match url.split_once('@').zip(url.split_once("://")) {
                Some(((_, host), (scheme, _))) => write!(f, "{scheme}://…@{host}"),
                None => f.write_str(url),
            },
        }
    }
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Location({self})")
    }
}

/// Which database engine a store runs on. Query text is shared; only the schema, full-text
/// search and a few housekeeping statements differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The engine a connection talks to.
    pub fn of(conn: &Connection) -> Backend {
        if conn.backend_name().eq_ignore_ascii_case("sqlite") { Backend::Sqlite } else { Backend::Postgres }
    }
}

/// The database.
#[derive(Debug, Clone)]
pub struct Store {
    writer: Writer,
    reader: AnyPool,
    backend: Backend,
    /// Where the database is, for a bulk load's own connection (see the `bulk` module).
    location: Location,
}

/// A pooled read connection.
pub type Reader = sqlx::pool::PoolConnection<Any>;

/// SQLite: a commit that returned is on disk (WAL, synchronous=FULL), and a writer waits for
/// another instead of failing. The analysis limit makes refreshing the planner's statistics
/// sample each index instead of reading all of it, so it stays quick on a national database.
const SQLITE_SETTINGS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
     PRAGMA busy_timeout = 10000; PRAGMA temp_store = memory; PRAGMA cache_size = -16000; PRAGMA analysis_limit = 1000;";
const SQLITE_READER_SETTINGS: &str =
    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA temp_store = memory; PRAGMA cache_size = -16000;";
/// PostgreSQL: the reader pool can never write, by accident or otherwise.
const POSTGRES_READER_SETTINGS: &str = "SET default_transaction_read_only = on";

static MIGRATE_SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static MIGRATE_POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Opens the database (creating a SQLite file if needed) and applies pending migrations.
    pub async fn open(location: &Location) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let store = match location {
            Location::Sqlite(path) => {
                let path = path.to_str().ok_or_else(|| StoreError::Corrupt(format!("{} is not a UTF-8 path", path.display())))?;
                let url = |mode: &str| format!("sqlite://{}?mode={mode}", path.replace('?', "%3F"));
                let writer = AnyPoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _| Box::pin(async move { conn.execute(SQLITE_SETTINGS).await.map(drop) }))
                    .connect_with(AnyConnectOptions::from_str(&url("rwc"))?)
                    .await?;
                MIGRATE_SQLITE.run(&writer).await?;
                // Statistics for any table that has none or has grown out of them (a new or
                // freshly loaded database): without them SQLite reads a whole service's cases
                // where an index on the worker or the team would read a caseload.
                writer.execute("PRAGMA optimize = 0x10002").await?;
                let reader = AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _| Box::pin(async move { conn.execute(SQLITE_READER_SETTINGS).await.map(drop) }))
                    .connect_with(AnyConnectOptions::from_str(&url("ro"))?)
                    .await?;
                Store {
                    writer: Writer::new(writer, Backend::Sqlite, Duration::from_secs(30)),
                    reader,
                    backend: Backend::Sqlite,
                    location: location.clone(),
                }
            }
            Location::Postgres(url) => {
                let options = AnyConnectOptions::from_str(url)?;
                // While the server is away (a restart, a failover) a request waits this long
                // for it, then is answered "unavailable"; the pool reconnects by itself.
                let writer = AnyPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options.clone())
                    .await?;
                MIGRATE_POSTGRES.run(&writer).await?;
                let reader = AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(5))
                    .after_connect(|conn, _| Box::pin(async move { conn.execute(POSTGRES_READER_SETTINGS).await.map(drop) }))
                    .connect_with(options)
                    .await?;
                Store {
                    writer: Writer::new(writer, Backend::Postgres, Duration::from_secs(5)),
                    reader,
                    backend: Backend::Postgres,
                    location: location.clone(),
                }
            }
        };
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies pending migrations only (they also run on every open); returns how many exist.
    pub async fn migrate(location: &Location) -> Result<usize> {
        let store = Store::open(location).await?;
        let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(&store.reader).await?;
        store.close().await;
        Ok(usize::try_from(applied).unwrap_or_default())
    }

    /// Starts a write transaction (see the `writer` module for how transactions share a
    /// commit).
    pub async fn begin(&self) -> Result<Tx> {
        self.writer.begin().await
    }

    /// Refreshes the query planner's statistics of tables that have changed much since they
    /// were last gathered (SQLite's `PRAGMA optimize`, sampled). PostgreSQL's autovacuum
    /// keeps its own statistics, so there it does nothing.
    pub async fn refresh_statistics(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            let mut tx = self.begin().await?;
            sqlx::query("PRAGMA optimize = 0x10002").execute(&mut *tx).await?;
            tx.commit().await?;
        }
        Ok(())
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

    /// The engine's own consistency check; `Ok` holds the problems found (empty when sound).
    /// On PostgreSQL: every table read through (pages are checked as they are read, against
    /// data checksums if the cluster has them), and every B-tree index checked by `amcheck`
    /// when the database has that extension.
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        match self.backend {
            Backend::Sqlite => {
                let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&self.reader).await?;
                Ok(rows.into_iter().filter(|r| r != "ok").collect())
            }
            Backend::Postgres => {
                let mut conn = self.read().await?;
                let mut problems = Vec::new();
                for table in meta::tables(&mut conn).await? {
                    if let Err(error) = meta::count(&mut conn, &table).await {
                        problems.push(format!("{table}: {error}"));
                    }
                }
                let amcheck: Option<i64> =
                    sqlx::query_scalar("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'").fetch_optional(&mut *conn).await?;
                if amcheck.is_some() {
                    let indexes: Vec<String> = sqlx::query_scalar(
                        "SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                         JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE a.amname = 'btree' AND n.nspname = current_schema() ORDER BY c.relname",
                    )
                    .fetch_all(&mut *conn)
                    .await?;
                    for index in indexes {
                        let checked = sqlx::query("SELECT bt_index_check(to_regclass($1), true)::text")
                            .bind(&index)
                            .execute(&mut *conn)
                            .await;
                        if let Err(error) = checked {
                            problems.push(format!("{index}: {error}"));
                        }
                    }
                }
                Ok(problems)
            }
        }
    }

    /// Writes a consistent copy of the whole database to `path`, which must not exist yet,
    /// while the store stays in use: SQLite's `VACUUM INTO` copies one read snapshot, so
    /// writers carry on and the copy holds every transaction committed before it began.
    /// PostgreSQL is backed up with its own tools (`pg_dump`).
    pub async fn backup_into(&self, path: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Unsupported("back up a PostgreSQL database with pg_dump"));
        }
        let target = path.to_str().ok_or_else(|| StoreError::Corrupt(format!("{} is not a UTF-8 path", path.display())))?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(&self.reader).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.pool().close().await;
    }
}
