//! Leases on background jobs and the record of their runs, so that several instances on one
//! database run each job once: only the instance holding a job's lease runs it, and each
//! slot of a job (the interval of the clock a run covers) is claimed once. Times are the
//! caller's clock, never the database's.

use crate::convert::{instant, micros};
use crate::{Connection, Result};
use jiff::Timestamp;

/// Who holds a job's lease, since when and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub job: String,
    pub holder: String,
    pub taken_at: Timestamp,
    pub expires_at: Timestamp,
}

/// One run of a job: the slot it covers, who ran it, when it started and finished (never,
/// if the instance was cut off), and what it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub job: String,
    pub slot: i64,
    pub holder: String,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub outcome: Option<String>,
}

/// Takes the job's lease for `holder` until `expires_at`, or renews it when `holder` has it
/// already. Returns false when another holder's lease has not expired at `now`. One upsert,
/// so two instances taking the same lease at once cannot both succeed.
pub async fn take(conn: &mut Connection, job: &str, holder: &str, now: Timestamp, expires_at: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO job_leases (job, holder, taken_at, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (job) DO UPDATE SET
            holder = excluded.holder,
            taken_at = CASE WHEN job_leases.holder = excluded.holder THEN job_leases.taken_at ELSE excluded.taken_at END,
            expires_at = excluded.expires_at
         WHERE job_leases.expires_at <= excluded.taken_at OR job_leases.holder = excluded.holder",
    )
    .bind(job)
    .bind(holder)
    .bind(micros(now))
    .bind(micros(expires_at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives up every lease `holder` has (on a clean shutdown), so another instance takes them
/// at its next run instead of waiting for them to expire. Returns how many there were.
pub async fn release(conn: &mut Connection, holder: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM job_leases WHERE holder = $1").bind(holder).execute(conn).await?;
    Ok(done.rows_affected())
}

/// Every lease, by job.
pub async fn all(conn: &mut Connection) -> Result<Vec<Lease>> {
    let rows: Vec<(String, String, i64, i64)> =
        sqlx::query_as("SELECT job, holder, taken_at, expires_at FROM job_leases ORDER BY job").fetch_all(conn).await?;
    rows.into_iter()
        .map(|(job, holder, taken_at, expires_at)| {
            Ok(Lease { job, holder, taken_at: instant(taken_at)?, expires_at: instant(expires_at)? })
        })
        .collect()
}

/// Claims a slot of a job for `holder`: true the first time, false if it was claimed already
/// (by this instance or another).
pub async fn claim_run(conn: &mut Connection, job: &str, slot: i64, holder: &str, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO job_runs (job, slot, holder, started_at) VALUES ($1, $2, $3, $4) ON CONFLICT (job, slot) DO NOTHING",
    )
    .bind(job)
    .bind(slot)
    .bind(holder)
    .bind(micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records how a claimed run ended.
pub async fn finish_run(conn: &mut Connection, job: &str, slot: i64, holder: &str, now: Timestamp, outcome: &str) -> Result<()> {
    sqlx::query("UPDATE job_runs SET finished_at = $1, outcome = $2 WHERE job = $3 AND slot = $4 AND holder = $5")
        .bind(micros(now))
        .bind(outcome)
        .bind(job)
        .bind(slot)
        .bind(holder)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets all but the latest `keep` runs of a job. Returns how many went.
pub async fn forget_old_runs(conn: &mut Connection, job: &str, keep: i64) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM job_runs WHERE job = $1
         AND slot < (SELECT slot FROM job_runs WHERE job = $1 ORDER BY slot DESC LIMIT 1 OFFSET $2)",
    )
    .bind(job)
    .bind(keep - 1)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// A row of `job_runs`: job, slot, holder, started, finished, outcome.
type RunRow = (String, i64, String, i64, Option<i64>, Option<String>);

/// The latest runs, newest first (by start), at most `limit`.
pub async fn recent_runs(conn: &mut Connection, limit: i64) -> Result<Vec<Run>> {
    let rows: Vec<RunRow> = sqlx::query_as(
        "SELECT job, slot, holder, started_at, finished_at, outcome FROM job_runs ORDER BY started_at DESC, job LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(job, slot, holder, started_at, finished_at, outcome)| {
            Ok(Run {
                job,
                slot,
                holder,
                started_at: instant(started_at)?,
                finished_at: finished_at.map(instant).transpose()?,
                outcome,
            })
        })
        .collect()
}
