//! `casework bench sweep`: one housekeeping sweep of deadlines and alerts, the two jobs
//! `casework serve` runs at every round, timed against a database with the clock moved to
//! an instant where many deadlines are past due.
//!
//! The sweep writes for real (each breach, each alert and their history events), since the
//! writes are what costs: the database afterwards is what a server at that instant would
//! have made of it, consistent and verifiable, but moved on.

use crate::{ServicesArg, describe, open_app_with_clock};
use anyhow::{Result, bail};
use casework_app::{App, Location, ManualClock};
use jiff::Timestamp;
use std::sync::Arc;
use std::time::Instant;

/// The instant the sweep runs at.
#[derive(Debug, Clone, Copy)]
pub enum SweepAt {
    /// A given instant.
    Instant(Timestamp),
    /// The first instant by which this many items are due: running deadlines past due and
    /// alert rule schedules due (more when several fall due at the same instant, as
    /// working-day deadlines do at the end of a day).
    Due(u64),
}

/// Sweeps at `at`, `batch` due items per transaction (the server's batch if `None`).
pub async fn sweep(database: &Location, services: &ServicesArg, at: SweepAt, batch: Option<u32>) -> Result<()> {
    let clock = Arc::new(ManualClock::new(Timestamp::now()));
    let app = open_app_with_clock(database, services, clock.clone()).await?;
    let now = match at {
        SweepAt::Instant(at) => at,
        SweepAt::Due(count) => match instant_when_due(&app, count).await? {
            Some(at) => at,
            None => {
                bail!("fewer than {count} deadlines and alert schedules are due ever in {database}; ask for fewer with --due")
            }
        },
    };
    clock.set(now);
    let timers_due = app.timers_due(now).await.map_err(describe)?;
    let schedules_due = app.alert_schedules_due(now).await.map_err(describe)?;
    println!(
        "sweeping at {now}: {} items due: {timers_due} deadlines past due, {schedules_due} alert schedules due",
        timers_due + schedules_due
    );
    println!("(the sweep writes its breaches, alerts and history events into the database)");

    let batch = batch.map(|b| usize::try_from(b).unwrap_or(usize::MAX));
    let started = Instant::now();
    let breached = match batch {
        Some(batch) => app.sweep_timers_in_batches(batch).await,
        None => app.sweep_timers().await,
    }
    .map_err(describe)?;
    let timers_took = started.elapsed();
    let alerts_started = Instant::now();
    let raised = match batch {
        Some(batch) => app.sweep_alerts_in_batches(batch).await,
        None => app.sweep_alerts().await,
    }
    .map_err(describe)?;
    let alerts_took = alerts_started.elapsed();
    let total = started.elapsed();
    let timers_left = app.timers_due(now).await.map_err(describe)?;
    let schedules_left = app.alert_schedules_due(now).await.map_err(describe)?;

    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!("| job | items due | done | ms |");
    println!("|---|---:|---:|---:|");
    println!("| timers | {timers_due} | {breached} deadlines breached | {:.1} |", ms(timers_took));
    println!("| alerts | {schedules_due} | {raised} alerts raised | {:.1} |", ms(alerts_took));
    println!("| sweep | {} | {} | {:.1} |", timers_due + schedules_due, breached + raised, ms(total));
    println!("{timers_left} deadlines and {schedules_left} alert schedules still due after the sweep");
    app.store.close().await;
    Ok(())
}

/// The first instant (to the microsecond) by which at least `count` items are due, found by
/// halving the range of instants a deadline or schedule can take; `None` if even the last
/// instant has fewer.
async fn instant_when_due(app: &App, count: u64) -> Result<Option<Timestamp>> {
    let due_at = async |micros: i64| -> Result<u64> {
        let at = Timestamp::from_microsecond(micros)?;
        Ok(app.timers_due(at).await.map_err(describe)? + app.alert_schedules_due(at).await.map_err(describe)?)
    };
    let (mut early, mut late) = (Timestamp::UNIX_EPOCH.as_microsecond(), Timestamp::MAX.as_second() * 1_000_000);
    if due_at(late).await? < count {
        return Ok(None);
    }
    // Invariant: fewer than `count` are due at `early`, at least `count` at `late`.
    while late - early > 1 {
        let middle = early + (late - early) / 2;
        if due_at(middle).await? >= count {
            late = middle;
        } else {
            early = middle;
        }
    }
    Ok(Some(Timestamp::from_microsecond(late)?))
}
