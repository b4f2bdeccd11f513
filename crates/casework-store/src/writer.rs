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
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

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

/// Begins a database transaction on `conn` under the write lock: on SQLite `BEGIN IMMEDIATE`
/// (waiting for another process's writer if need be: a deferred transaction that read first
/// could not wait, and would fail when another process had written since); on PostgreSQL a
/// transaction-level advisory lock, so writes run one at a time across every instance exactly
/// as on SQLite, and a use case that reads, decides and writes (numbering a reference, firing
/// an alert once) needs no retry logic. Batches begin this way, and so does work that takes
/// the connection to itself (a bulk load).
pub(crate) async fn begin_alone(conn: &mut Connection, backend: Backend) -> Result<()> {
    let began = match backend {
        Backend::Sqlite => conn.execute("BEGIN IMMEDIATE").await,
        Backend::Postgres => conn.execute("BEGIN; SELECT 1 FROM pg_advisory_xact_lock(7215143)").await,
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
        let batch = state.batch.as_mut().expect("a batch is open");
        if let Err(error) = batch.conn.execute("SAVEPOINT write").await {
            let error = StoreError::from(error);
            end_batch(&mut state, Err(Failure::of(&error))).await;
            return Err(error);
        }
        batch.savepoint_open = true;
        Ok(Tx { writer: self.clone(), state: Some(state) })
    }

    async fn lock(&self) -> Result<OwnedMutexGuard<State>> {
        tokio::time::timeout(self.wait, self.state.clone().lock_owned())
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::PoolTimedOut))
    }
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back.
#[derive(Debug)]
pub struct Tx {
    writer: Writer,
    /// Held from `begin` until commit or drop: no other transaction runs meanwhile.
    state: Option<OwnedMutexGuard<State>>,
}

impl Tx {
    /// Commits: returns once the transaction is on disk, together with any others that
    /// joined its batch.
    pub async fn commit(mut self) -> Result<()> {
        let mut state = self.state.take().expect("a transaction holds the writer until it ends");
        let batch = state.batch.as_mut().expect("a transaction runs in a batch");
        if let Err(error) = batch.conn.execute("RELEASE SAVEPOINT write").await {
            let error = StoreError::from(error);
            settle(&mut state).await;
            end_if_idle(&mut state).await;
            return Err(error);
        }
        batch.savepoint_open = false;
        batch.members += 1;
        let number = batch.number;
        let mut outcome = batch.outcome.subscribe();
        drop(state);
        // Queue for the writer behind everyone already waiting; whoever of the batch gets
        // there first commits it for all.
        let writer = self.writer.clone();
        tokio::spawn(async move {
            let mut state = writer.state.clone().lock_owned().await;
            settle(&mut state).await;
            if state.batch.as_ref().is_some_and(|batch| batch.number == number) {
                let committed = match state.batch.as_mut() {
                    Some(batch) => batch.conn.execute("COMMIT").await.map(drop).map_err(StoreError::from),
                    None => Ok(()),
                };
                end_batch(&mut state, committed.map_err(|error| Failure::of(&error))).await;
            }
        });
        match outcome.wait_for(Option::is_some).await {
            Ok(result) => result.clone().expect("waited for an outcome").map_err(StoreError::from),
            Err(_) => Err(StoreError::CommitFailed { message: "the commit was abandoned".to_owned(), unavailable: true }),
        }
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        let Some(mut state) = self.state.take() else { return };
        // Undoing the savepoint needs the database; the next holder of the writer does it
        // (`settle`) if no task can be started here.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                settle(&mut state).await;
                end_if_idle(&mut state).await;
            });
        }
    }
}

impl std::ops::Deref for Tx {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.state.as_ref().and_then(|state| state.batch.as_ref()).expect("a transaction runs in a batch").conn
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.state.as_mut().and_then(|state| state.batch.as_mut()).expect("a transaction runs in a batch").conn
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
