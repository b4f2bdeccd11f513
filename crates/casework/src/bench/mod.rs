//! `casework bench seed`: a large, realistic installation to measure, in a new database.
//!
//! The accounts and teams are made through the use cases, like any others; the cases and
//! everything recorded on them are made by `casework_bench` and written by the store's bulk
//! load, a batch of cases per transaction, in the order the cases opened, while the next
//! batch is being made on another thread.
//!
//! `casework bench http` (in [`http`]) drives a running server with a workload, and
//! `casework bench commit-rate` measures the database's own ceiling for durable writes, and
//! `casework bench compare` (in [`compare`]) puts Casework's figures beside the peers'.

pub mod compare;
pub mod http;
pub mod reports;
pub mod sweep;
mod table;

use anyhow::{Context, Result, bail};
use casework_app::store::bulk::Batch;
use casework_app::users::{NewUser, system_actor};
use casework_app::{App, Location, ServiceCatalog, Store, SystemClock};
use casework_bench::{Generator, ServiceStaff, Team};
use casework_domain::user::RoleGrant;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

/// The password of every account the seed makes.
pub const BENCH_PASSWORD: &str = "bench-password-2026";

/// What to make.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub cases: u64,
    pub seed: u64,
    /// Cases per transaction.
    pub batch: u64,
    /// The instant the installation's history runs up to.
    pub as_of: jiff::Timestamp,
}

pub async fn seed(database: &Location, catalog: ServiceCatalog, options: &SeedOptions) -> Result<()> {
    let started = Instant::now();
    let store = Store::open(database).await.with_context(|| format!("opening {database}"))?;
    let held = store.records_held().await?;
    if !held.is_empty() {
        store.close().await;
        bail!("{database} is not empty: it holds {}. Seed into a new, empty database; nothing was changed", held.join(", "));
    }
    let app = App::new(store, catalog, Arc::new(SystemClock));
    app.register_services().await?;
    let workers_per_team = usize::try_from((options.cases / 20_000).clamp(2, 25)).unwrap_or(2);
    let (staff, usernames) = make_staff(&app, workers_per_team).await?;
    println!("{} accounts made, each with the password '{BENCH_PASSWORD}'", usernames.len());

    let (sender, mut batches) = tokio::sync::mpsc::channel::<(u64, Batch)>(2);
    let (cases, batch_size, seed, as_of) = (options.cases, options.batch.max(1), options.seed, options.as_of);
    let making = tokio::task::spawn_blocking(move || {
        let mut generator = Generator::new(staff, seed, as_of);
        // Cases are made in the order they opened, so each index of the database takes its
        // keys nearly in order instead of all over its range.
        let mut order: Vec<(jiff::Timestamp, u64)> = (0..cases).map(|case| (generator.opened_at(case), case)).collect();
        order.sort_unstable();
        let mut done = 0;
        for chunk in order.chunks(usize::try_from(batch_size).unwrap_or(usize::MAX)) {
            let mut batch = Batch::default();
            for (_, case) in chunk {
                generator.case(*case, &mut batch);
            }
            done += chunk.len() as u64;
            if sender.blocking_send((done, batch)).is_err() {
                break; // the writer stopped on an error, which it reports
            }
        }
        generator.last_numbers().clone()
    });

    let mut load = app.store.bulk_load().await?;
    let mut written = Ok(());
    while let Some((done, batch)) = batches.recv().await {
        written = load.write(&batch).await;
        if written.is_err() {
            break;
        }
        let notes = load.written().get("notes").copied().unwrap_or_default();
        eprintln!("{done} of {cases} cases, {notes} notes, {:.1}s", started.elapsed().as_secs_f64());
    }
    drop(batches);
    let last_numbers = making.await.context("making the cases")?;
    if written.is_ok() {
        written = load.set_reference_counters(&last_numbers).await;
    }
    let counts: BTreeMap<&'static str, u64> = load.written().clone();
    // Durability is put back whatever happened.
    let finished = load.finish().await;
    written.context("writing the cases")?;
    finished.context("restoring the database's settings after the load")?;

    let mut conn = app.store.read().await?;
    let search_rows = casework_app::store::meta::count(&mut conn, "search_documents").await?;
    drop(conn);
    app.store.close().await;
    println!("Sign in as any of these, with the password '{BENCH_PASSWORD}':");
    for username in usernames.iter().filter(|u| !u.contains(".worker-")) {
        println!("  {username}");
    }
    println!("  (and {} caseworkers named SERVICE.worker-N)", usernames.iter().filter(|u| u.contains(".worker-")).count());
    let mut summary: Vec<String> = counts.iter().map(|(table, rows)| format!("{table} {rows}")).collect();
    summary.push(format!("search_documents {search_rows}"));
    println!("seeded {database} in {:.1}s: {}", started.elapsed().as_secs_f64(), summary.join(", "));
    Ok(())
}

/// One account for every role of every service (`SERVICE.ROLE`, as in the demo), and two
/// teams per service of `workers_per_team` caseworkers each (`SERVICE.worker-N`).
async fn make_staff(app: &App, workers_per_team: usize) -> Result<(Vec<ServiceStaff>, Vec<String>)> {
    let system = system_actor();
    let mut staff = Vec::new();
    let mut usernames = Vec::new();
    let definitions: Vec<_> = app.services.all().cloned().collect();
    for definition in definitions {
        let service = definition.code().clone();
        let mut role_users = BTreeMap::new();
        for role in &definition.roles {
            let username = format!("{service}.{}", role.code);
            let account = make_account(app, &username, &format!("{} (bench)", role.name), &service, &role.code).await?;
            role_users.insert(role.code.clone(), account);
            usernames.push(username);
        }
        let mut teams = Vec::new();
        if let Some(worker_role) = casework_bench::worker_role(&definition).cloned() {
            for team_number in 1..=2 {
                let team = app.create_team(&system, &service, &format!("Team {team_number}")).await.map_err(crate::describe)?;
                let mut workers = Vec::new();
                if team_number == 1
                    && let Some(user) = role_users.get(&worker_role)
                {
                    workers.push(*user);
                }
                for number in 1..=workers_per_team {
                    let username = format!("{service}.worker-{}", (team_number - 1) * workers_per_team + number);
                    let name = format!("Caseworker {} (bench)", (team_number - 1) * workers_per_team + number);
                    workers.push(make_account(app, &username, &name, &service, &worker_role).await?);
                    usernames.push(username);
                }
                for worker in &workers {
                    app.add_team_member(&system, team.id, *worker).await.map_err(crate::describe)?;
                }
                teams.push(Team { id: team.id, workers });
            }
        }
        let version = app.services.current_version(&service);
        staff.push(ServiceStaff { definition, version, teams, role_users });
    }
    Ok((staff, usernames))
}

async fn make_account(
    app: &App,
    username: &str,
    name: &str,
    service: &casework_domain::text::Code,
    role: &casework_domain::text::Code,
) -> Result<casework_domain::ids::UserId> {
    let new = NewUser::parse(username, name, BENCH_PASSWORD, false).map_err(crate::describe)?;
    let grant = RoleGrant { service: service.clone(), role: role.clone() };
    let account = app.create_user_with_roles(&system_actor(), new, &[grant]).await.map_err(crate::describe)?;
    Ok(account.id)
}

/// The raw commit rate of `database`: for each number of clients, `commits` durable
/// transactions of one small row from each client at once, through the store as the server
/// uses it. Prints a table of the rate for each.
pub async fn commit_rate(database: &Location, clients: &[u64], commits: u64) -> Result<()> {
    let store = Store::open(database).await.with_context(|| format!("opening {database}"))?;
    let measured = measure_commit_rate(&store, clients, commits).await;
    store.close().await;
    let rows = measured?;
    println!("| clients | commits | wall s | commits/s |");
    println!("|---:|---:|---:|---:|");
    for (count, committed, wall) in rows {
        let rate = if wall > 0.0 { committed as f64 / wall } else { 0.0 };
        println!("| {count} | {committed} | {wall:.2} | {rate:.0} |");
    }
    Ok(())
}

async fn measure_commit_rate(store: &Store, clients: &[u64], commits: u64) -> Result<Vec<(u64, i64, f64)>> {
    use casework_app::store::commit_rate;
    let mut rows = Vec::new();
    for &count in clients {
        commit_rate::prepare(store).await?;
        let started = Instant::now();
        let mut tasks = Vec::new();
        for client in 0..count {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for n in 0..commits {
                    commit_rate::commit_one(&store, i64::try_from(client)?, i64::try_from(n)?).await?;
                }
                anyhow::Ok(())
            }));
        }
        let mut outcome = Ok(());
        for task in tasks {
            let finished = task.await.context("a client stopped");
            if outcome.is_ok() {
                outcome = finished.and_then(|f| f);
            }
        }
        let wall = started.elapsed().as_secs_f64();
        let committed = commit_rate::finish(store).await?;
        outcome?;
        rows.push((count, committed, wall));
    }
    Ok(rows)
}
