//! The one writer, with group commit.
//!
//! Every write transaction runs on one connection, one at a time, as SQLite requires and as
//! the PostgreSQL write lock makes it there too. A durable commit costs a flush to disk, and
//! the disk flushes only so many times a second; so instead of one flush per transaction, the
//! transactions that are already waiting when one finishes share the next flush.
//!
//! Each [`Tx`] is a savepoint inside a database transaction (a *batch*). When a `Tx`
//! commits, its savepoint is released and it queues for the writer again, behind every
//! transaction already waiting: those join the same batch. Whichever member of the batch
//! reaches the writer first once the queue before it has drained commits the batch, and every
//! member learns the outcome. So [`Tx::commit`] returns only once its changes are on disk,
//! exactly as before, and one that fails to commit never returns success: a failed batch
//! commit fails every transaction in it. A lone writer pays no more than one extra hand-over.
//!
//! A `Tx` dropped without committing rolls back to its savepoint; the other members of its
//! batch are not affected. The batch's commit runs in a task of its own, so a request
//! abandoned mid-commit (a client that went away) cannot leave the database locked.

use crate::{Backend, Connection, Result, StoreError};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Executor};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard, watch};

/// The outcome of a batch's commit, shared by every member.
type Outcome = std::result::Result<(), Failure>;

/// Why a batch did not commit, as each member reports it.
#[derive(Debug, Clone)]
struct Failure {
    message: String,
    unavailable: bool,
}

impl Failure {
    fn of(error: &StoreError) -> Failure {
        Failure { message: error.to_string(), unavailable: error.is_unavailable() }
    }
}

impl From<Failure> for StoreError {
    fn from(failure: Failure) -> StoreError {
        StoreError::CommitFailed { message: failure.message, unavailable: failure.unavailable }
    }
}

/// The writing side of a store: the connection pool it draws its one connection from, and
/// the batch in progress.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    pool: AnyPool,
    backend: Backend,
    state: Arc<Mutex<State>>,
    wait: Duration,
}

#[derive(Debug, Default)]
struct State {
    /// The open batch, with its connection; `None` between batches.
    batch: Option<Batch>,
    /// Numbers the batches, so a member can tell whether its own batch is still open.
    batches_begun: u64,
}

#[derive(Debug)]
struct Batch {
    number: u64,
    conn: PoolConnection<Any>,
    /// Members whose savepoint was released and who wait for the commit.
    members: usize,
    /// A member's savepoint is open (a `Tx` is at work, or was dropped and not yet undone).
    savepoint_open: bool,
    outcome: watch::Sender<Option<Outcome>>,
}

/// The statements [`begin_alone`] runs.
pub(crate) const SQLITE_BEGIN: &str = "BEGIN IMMEDIATE";
pub(crate) const POSTGRES_BEGIN: &str = "BEGIN; SELECT 1 FROM pg_advisory_xact_lock(7215143)";

/// Begins a database transaction on `conn` under the write lock: on SQLite `BEGIN IMMEDIATE`
/// (waiting for another process's writer if need be: a deferred transaction that read first
/// could not wait, and would fail when another process had written since); on PostgreSQL a
/// transaction-level advisory lock, so writes run one at a time across every instance exactly
/// as on SQLite, and a use case that reads, decides and writes (numbering a reference, firing
/// an alert once) needs no retry logic. Batches begin this way, and so does work that takes
/// the connection to itself (a bulk load).
pub(crate) async fn begin_alone(conn: &mut Connection, backend: Backend) -> Result<()> {
    let began = match backend {
        Backend::Sqlite => conn.execute(SQLITE_BEGIN).await,
        Backend::Postgres => conn.execute(POSTGRES_BEGIN).await,
    };
    if let Err(error) = began {
        let _ = conn.execute("ROLLBACK").await;
        return Err(error.into());
    }
    Ok(())
}

impl Writer {
    pub(crate) fn new(pool: AnyPool, backend: Backend, wait: Duration) -> Writer {
        Writer { pool, backend, state: Arc::new(Mutex::new(State::default())), wait }
    }

    /// The pool behind the writer, for work that takes the connection to itself (a bulk
    /// load, the raw commit-rate measurement) while no batch is open.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction: joins the open batch, or begins one ([`begin_alone`]).
    pub(crate) async fn begin(&self) -> Result<Tx> {
        let mut state = self.lock().await?;
        settle(&mut state).await;
        if state.batch.is_none() {
            let mut conn = self.pool.acquire().await?;
            begin_alone(&mut conn, self.backend).await?;
            state.batches_begun += 1;
            let number = state.batches_begun;
            let (outcome, _) = watch::channel(None);
            state.batch = Some(Batch { number, conn, members: 0, savepoint_open: false, outcome });
        }
        let savepoint = match state.batch.as_mut() {
            Some(batch) => batch.conn.execute("SAVEPOINT write").await.map_err(StoreError::from),
            None => Err(lost_batch()),
        };
        if let Err(error) = savepoint {
            end_batch(&mut state, Err(Failure::of(&error))).await;
            return Err(error);
        }
        let mut batch = OwnedMutexGuard::try_map(state, |state| state.batch.as_mut()).map_err(|_| lost_batch())?;
        batch.savepoint_open = true;
        Ok(Tx { writer: self.clone(), batch, handed_back: false })
    }

    async fn lock(&self) -> Result<OwnedMutexGuard<State>> {
        tokio::time::timeout(self.wait, self.state.clone().lock_owned())
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::PoolTimedOut))
    }

    /// Takes the writer once the transactions queued before have had it, and tidies up after
    /// a transaction that ended without committing: its savepoint undone, and the batch
    /// rolled back if nobody else is in it.
    async fn tidy(self) {
        let mut state = self.state.clone().lock_owned().await;
        settle(&mut state).await;
        end_if_idle(&mut state).await;
    }

    /// Takes the writer once the transactions queued before have had it (they joined the
    /// batch meanwhile) and commits batch `number`, unless another member already has.
    async fn commit_batch(self, number: u64) {
        let mut state = self.state.clone().lock_owned().await;
        settle(&mut state).await;
        let Some(batch) = state.batch.as_mut().filter(|batch| batch.number == number) else { return };
        let committed = batch.conn.execute("COMMIT").await.map(drop).map_err(|error| Failure::of(&error.into()));
        end_batch(&mut state, committed).await;
    }
}

/// Should not happen: the writer holds no batch where one was just begun.
fn lost_batch() -> StoreError {
    StoreError::CommitFailed { message: "the write batch was lost".to_owned(), unavailable: true }
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back.
#[derive(Debug)]
pub struct Tx {
    writer: Writer,
    /// Held from `begin` until commit or drop: no other transaction runs meanwhile.
    batch: OwnedMappedMutexGuard<State, Batch>,
    /// The savepoint was released into the batch, to be committed with it.
    handed_back: bool,
}

impl Tx {
    /// Commits: returns once the transaction is on disk, together with any others that
    /// joined its batch.
    pub async fn commit(mut self) -> Result<()> {
        self.batch.conn.execute("RELEASE SAVEPOINT write").await?;
        self.batch.savepoint_open = false;
        self.batch.members += 1;
        let number = self.batch.number;
        let mut outcome = self.batch.outcome.subscribe();
        self.handed_back = true;
        let writer = self.writer.clone();
        drop(self);
        // In a task of its own, so a caller that goes away cannot leave the batch open.
        tokio::spawn(writer.commit_batch(number));
        let outcome = outcome.wait_for(Option::is_some).await;
        match outcome.as_deref() {
            Ok(Some(Ok(()))) => Ok(()),
            Ok(Some(Err(failure))) => Err(failure.clone().into()),
            Ok(None) | Err(_) => {
                Err(StoreError::CommitFailed { message: "the commit was abandoned".to_owned(), unavailable: true })
            }
        }
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if self.handed_back {
            return;
        }
        // Undoing the savepoint needs the database, so a task does it once this releases
        // the writer; if no task can be started, the next holder of the writer does it.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(self.writer.clone().tidy());
        }
    }
}

impl std::ops::Deref for Tx {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.batch.conn
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.batch.conn
    }
}

/// Undoes the savepoint of a transaction that was dropped without committing. If even that
/// fails, the connection is not to be trusted: the batch ends, failing its members.
async fn settle(state: &mut State) {
    let Some(batch) = state.batch.as_mut().filter(|batch| batch.savepoint_open) else { return };
    match batch.conn.execute("ROLLBACK TO SAVEPOINT write; RELEASE SAVEPOINT write").await {
        Ok(_) => batch.savepoint_open = false,
        Err(error) => end_batch(state, Err(Failure::of(&StoreError::from(error)))).await,
    }
}

/// Ends a batch nobody is waiting on (its only transaction rolled back), so the write lock
/// is not held between requests.
async fn end_if_idle(state: &mut State) {
    if state.batch.as_ref().is_some_and(|batch| batch.members == 0 && !batch.savepoint_open) {
        end_batch(state, Err(Failure { message: "rolled back".to_owned(), unavailable: false })).await;
    }
}

/// Closes the batch with `outcome` (rolling back unless it committed) and tells its members.
async fn end_batch(state: &mut State, outcome: Outcome) {
    let Some(mut batch) = state.batch.take() else { return };
    let unusable = outcome.is_err() && batch.conn.execute("ROLLBACK").await.is_err();
    batch.outcome.send_replace(Some(outcome));
    if unusable {
        // A connection that cannot even roll back is closed rather than handed out again.
        drop(batch.conn.detach());
    }
}
