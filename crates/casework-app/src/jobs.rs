//! Background work shared by every instance on one database: finding breached deadlines and
//! due alerts, removing document files a crash left without a record, destroying cases
//! approved for destruction, tidying expired sessions and keeping the query planner's
//! statistics up to date.
//!
//! Each kind of job has a lease (`job_leases`): only the instance holding it runs the job,
//! and it renews the lease at every round, so the lease outlives several rounds. When the
//! holder stops (killed, cut off from the database), its leases expire and another instance
//! takes them at its next round; on a clean shutdown it releases them at once. Each run
//! claims its slot (the interval of the clock it covers) in `job_runs` first, so a slot runs
//! once whoever holds the lease, and an operator can see who ran what, when, and any run
//! that was cut off (started, never finished). The jobs themselves stay safe to run
//! anywhere at once (compare-and-set updates, one alert per occurrence): the lease saves
//! the work and keeps it in order; the unique keys are what make it correct.
//!
//! Every time here is the app's clock, never the database's.

use crate::{App, Result};
use casework_store::leases::{self, Lease, Run};
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeSet;
use std::sync::Mutex;

/// A kind of background job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Job {
    Timers,
    Alerts,
    OrphanDocuments,
    Destruction,
    ExpiredSessions,
    Statistics,
}

impl Job {
    /// Every job, in the order a round runs them.
    pub const ALL: [Job; 6] =
        [Job::Timers, Job::Alerts, Job::OrphanDocuments, Job::Destruction, Job::ExpiredSessions, Job::Statistics];

    /// Its name in `job_leases`, `job_runs` and the log.
    pub fn name(self) -> &'static str {
        match self {
            Job::Timers => "timers",
            Job::Alerts => "alerts",
            Job::OrphanDocuments => "orphan-documents",
            Job::Destruction => "destruction",
            Job::ExpiredSessions => "expired-sessions",
            Job::Statistics => "planner-statistics",
        }
    }

    /// How many housekeeping intervals apart its runs are: deadlines and alerts at every
    /// one, destruction and sessions at every tenth, document files and statistics at every
    /// sixtieth.
    pub fn intervals(self) -> i64 {
        match self {
            Job::Timers | Job::Alerts => 1,
            Job::Destruction | Job::ExpiredSessions => 10,
            Job::OrphanDocuments | Job::Statistics => 60,
        }
    }
}

/// How many runs of each job `job_runs` keeps (a week of minutes).
const RUNS_KEPT: i64 = 10_080;

/// One instance's part in the background work.
#[derive(Debug)]
pub struct Housekeeping {
    /// Who this instance is in `job_leases` and `job_runs`.
    pub holder: String,
    /// The time between rounds.
    pub every: SignedDuration,
    /// How long a lease lasts after each renewal: several rounds.
    pub lease: SignedDuration,
    /// The jobs whose lease this instance held at its last round, to log changes.
    held: Mutex<BTreeSet<Job>>,
}

impl Housekeeping {
    /// A round every `every`; a lease lasts five rounds, and at least five minutes.
    pub fn new(holder: String, every: SignedDuration) -> Housekeeping {
        let lease = (every * 5).max(SignedDuration::from_mins(5));
        Housekeeping { holder, every, lease, held: Mutex::new(BTreeSet::new()) }
    }

    /// The slot of the job an instant falls in: the instant divided by the job's period.
    pub fn slot(&self, job: Job, at: Timestamp) -> i64 {
        let period = self.every.as_micros().saturating_mul(i128::from(job.intervals())).max(1);
        let at = i128::from(at.as_microsecond());
        i64::try_from(at.div_euclid(period)).unwrap_or(i64::MAX)
    }
}

/// This instance's name as a lease holder: the host, the process and a random part (so a
/// restarted process with a reused pid is someone else).
pub fn holder_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "casework".into());
    format!("{host}:{}:{:08x}", std::process::id(), rand::random::<u32>())
}

/// What a round did with one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    pub job: Job,
    pub slot: i64,
    /// What the run did, or why it failed.
    pub outcome: std::result::Result<String, String>,
}

impl App {
    /// One round of background work on this instance: takes or renews the lease of every
    /// job (one transaction), then runs, in order, each job whose lease it holds and whose
    /// current slot nobody has run yet, recording each run's end. Returns the runs.
    pub async fn housekeeping_round(&self, settings: &Housekeeping) -> Result<Vec<JobRun>> {
        let now = self.now();
        let until = now.checked_add(settings.lease).unwrap_or(now);
        let mut held = BTreeSet::new();
        let mut claimed = Vec::new();
        let mut tx = self.store.begin().await?;
        for job in Job::ALL {
            if !leases::take(&mut tx, job.name(), &settings.holder, now, until).await? {
                continue;
            }
            held.insert(job);
            let slot = settings.slot(job, now);
            if leases::claim_run(&mut tx, job.name(), slot, &settings.holder, now).await? {
                leases::forget_old_runs(&mut tx, job.name(), RUNS_KEPT).await?;
                claimed.push((job, slot));
            }
        }
        tx.commit().await?;
        self.log_lease_changes(settings, &held);

        let mut runs = Vec::new();
        for (job, slot) in claimed {
            let outcome = self.run_job(job).await.map_err(|e| e.to_string());
            let text = match &outcome {
                Ok(done) => done.clone(),
                Err(error) => format!("failed: {error}"),
            };
            let mut tx = self.store.begin().await?;
            leases::finish_run(&mut tx, job.name(), slot, &settings.holder, self.now(), &text).await?;
            tx.commit().await?;
            runs.push(JobRun { job, slot, outcome });
        }
        Ok(runs)
    }

    fn log_lease_changes(&self, settings: &Housekeeping, now_held: &BTreeSet<Job>) {
        let mut held = settings.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for job in now_held.difference(&held) {
            tracing::info!(job = job.name(), holder = %settings.holder, "this instance now runs the job");
        }
        for job in held.difference(now_held) {
            tracing::info!(job = job.name(), holder = %settings.holder, "another instance has taken the job over");
        }
        *held = now_held.clone();
    }

    /// Runs one job now; says what it did.
    async fn run_job(&self, job: Job) -> Result<String> {
        let done = match job {
            Job::Timers => {
                let breached = self.sweep_timers().await?;
                if breached > 0 {
                    tracing::info!(breached, "deadlines breached");
                }
                format!("{breached} deadlines breached")
            }
            Job::Alerts => {
                let raised = self.sweep_alerts().await?;
                if raised > 0 {
                    tracing::info!(raised, "alerts raised");
                }
                format!("{raised} alerts raised")
            }
            Job::OrphanDocuments => {
                let removed = self.sweep_orphan_documents().await?;
                if removed > 0 {
                    tracing::info!(removed, "document files without a record removed");
                }
                format!("{removed} document files without a record removed")
            }
            Job::Destruction => {
                let destroyed = self.run_destruction().await?;
                if destroyed > 0 {
                    tracing::info!(destroyed, "cases destroyed at the end of their retention");
                }
                format!("{destroyed} cases destroyed")
            }
            Job::ExpiredSessions => {
                let removed = self.purge_expired_sessions().await?;
                if removed > 0 {
                    tracing::info!(removed, "expired sessions removed");
                }
                format!("{removed} expired sessions removed")
            }
            Job::Statistics => {
                self.store.refresh_statistics().await?;
                "planner statistics refreshed where tables had changed".to_owned()
            }
        };
        Ok(done)
    }

    /// Gives up this instance's leases (on a clean shutdown), so another instance takes the
    /// jobs over at its next round.
    pub async fn release_leases(&self, settings: &Housekeeping) -> Result<u64> {
        let mut tx = self.store.begin().await?;
        let released = leases::release(&mut tx, &settings.holder).await?;
        tx.commit().await?;
        Ok(released)
    }

    /// Who holds each job's lease, and until when.
    pub async fn job_leases(&self) -> Result<Vec<Lease>> {
        let mut conn = self.store.read().await?;
        Ok(leases::all(&mut conn).await?)
    }

    /// The latest runs of every job, newest first.
    pub async fn job_runs(&self, limit: i64) -> Result<Vec<Run>> {
        let mut conn = self.store.read().await?;
        Ok(leases::recent_runs(&mut conn, limit).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::{Housekeeping, Job};
    use jiff::{SignedDuration, Timestamp};

    #[test]
    fn slots_follow_the_clock_and_the_job_period() {
        let settings = Housekeeping::new("h".into(), SignedDuration::from_secs(60));
        assert_eq!(settings.lease, SignedDuration::from_mins(5));
        let at: Timestamp = "2027-03-01T09:00:30Z".parse().unwrap();
        let later = at + SignedDuration::from_secs(60);
        assert_eq!(settings.slot(Job::Alerts, later), settings.slot(Job::Alerts, at) + 1);
        assert_eq!(settings.slot(Job::Destruction, at), settings.slot(Job::Alerts, at) / 10);
        let slow = Housekeeping::new("h".into(), SignedDuration::from_mins(10));
        assert_eq!(slow.lease, SignedDuration::from_mins(50), "a lease outlives several rounds");
    }
}
