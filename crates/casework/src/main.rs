//! The `casework` command: runs the server, makes a demo installation, applies migrations
//! and manages user accounts.

mod bench;
mod services;

use anyhow::{Context, Result, bail};
use casework_app::audit::Soundness;
use casework_app::jobs::{Housekeeping, holder_id};
use casework_app::users::{NewUser, system_actor};
use casework_app::{App, Clock, DocumentStorage, FileClock, Location, ServiceCatalog, Store, SystemClock};
use clap::{Parser, Subcommand};
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// glibc's allocator keeps an arena per thread that has allocated and seldom gives their
/// memory back; with a worker thread per database connection that alone took the server
/// from about 170 to 230 MiB under load. mimalloc returns freed memory to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "casework",
    version,
    about = "Case management for services that support people through a process with rules, deadlines and sensitive records."
)]
struct Cli {
    /// Log as JSON lines instead of text.
    #[arg(long, global = true)]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Args)]
struct DatabaseArg {
    /// The database: a SQLite file (a path, or sqlite:PATH), or a PostgreSQL database
    /// (postgres://user:password@host:port/name) that several instances can share.
    #[arg(long, global = true, env = "CASEWORK_DATABASE", default_value = "./casework.db")]
    database: Location,
}

#[derive(Debug, clap::Args)]
struct ServicesArg {
    /// A folder of service definitions (*.toml) to load instead of the five shipped ones.
    #[arg(long, global = true, env = "CASEWORK_SERVICES")]
    services: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
struct DocumentsArg {
    /// Where document files are kept: a folder, or s3://bucket/prefix for S3-compatible
    /// storage configured from the standard AWS environment variables (AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT, AWS_ALLOW_HTTP…). By default, a
    /// folder beside the database: casework.db keeps its documents in casework-documents/.
    #[arg(long, env = "CASEWORK_DOCUMENTS")]
    documents: Option<String>,
    /// The largest document file accepted, in MiB.
    #[arg(long, env = "CASEWORK_DOCUMENT_MAX_MIB", default_value_t = 20)]
    document_max_mib: u64,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        #[command(flatten)]
        database: DatabaseArg,
        #[command(flatten)]
        services: ServicesArg,
        #[command(flatten)]
        documents: DocumentsArg,
        /// Address to listen on.
        #[arg(long, env = "CASEWORK_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// How often background work runs (deadlines, alerts; the rarer jobs every tenth
        /// or sixtieth time): a duration such as 60s, 2s or 200ms, or milliseconds.
        #[arg(long, env = "CASEWORK_HOUSEKEEPING_EVERY", default_value = "60s", value_parser = parse_interval)]
        housekeeping_every: jiff::SignedDuration,
        /// For tests and drills only: read the time from this file (one RFC 3339 instant,
        /// replaced whole to move it) at every use instead of the system clock, so the
        /// time of several instances can be moved at once.
        #[arg(long, value_name = "FILE", hide = true)]
        clock_file: Option<PathBuf>,
    },
    /// Who runs each background job and its latest runs (for instances sharing a database).
    Jobs {
        #[command(flatten)]
        database: DatabaseArg,
        /// How many of the latest runs to list.
        #[arg(long, default_value_t = 20)]
        runs: i64,
    },
    /// Make a fresh demo installation with users for every role and sample cases for all
    /// five reference services, print how to sign in, and run the server on it.
    Demo {
        /// The demo database file. An existing file is replaced only if it is a demo database.
        #[arg(long, env = "CASEWORK_DATABASE", default_value = "./casework-demo.db")]
        database: PathBuf,
        #[command(flatten)]
        documents: DocumentsArg,
        #[arg(long, env = "CASEWORK_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Build the demo database and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Apply pending database migrations (they are also applied when the server starts).
    Migrate {
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Walk every case's hash-chained history and name the first break in each; exits with
    /// an error when any chain is broken.
    Verify {
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Back up an installation, running or not: a consistent copy of the database taken
    /// while it is in use, checked, and a copy of the document files when they are kept on
    /// disk. The backup is a folder holding casework.db and documents/.
    Backup {
        #[command(flatten)]
        database: DatabaseArg,
        /// Where the document files are, as for `serve` (a folder, or s3://… which this
        /// command does not copy: keep S3 objects with the storage's own versioning).
        #[arg(long, env = "CASEWORK_DOCUMENTS")]
        documents: Option<String>,
        /// The backup folder to make; it must not exist or be empty.
        #[arg(long, value_name = "FOLDER")]
        to: PathBuf,
    },
    /// Restore a backup made by `casework backup` as a new installation: checks it, then
    /// copies the database and the document files into place. Never overwrites a database.
    Restore {
        /// The backup folder.
        #[arg(long, value_name = "FOLDER")]
        from: PathBuf,
        #[command(flatten)]
        database: DatabaseArg,
        /// Where to put the document files (a folder); by default beside the database.
        #[arg(long, env = "CASEWORK_DOCUMENTS")]
        documents: Option<String>,
    },
    /// Copy a whole installation into a new, empty database, e.g. from SQLite to PostgreSQL
    /// when it outgrows one machine: every table, history included, in one transaction, then
    /// every table checked against the source (row count and checksum). Document files are
    /// not copied: they stay where they are.
    Copy {
        /// The installation's database: a SQLite file (a path, or sqlite:PATH) or
        /// postgres://user:password@host:port/name.
        #[arg(long, value_name = "LOCATION")]
        from: Location,
        /// The new database, migrated here if it is not yet; it must hold no data.
        #[arg(long, value_name = "LOCATION")]
        to: Location,
    },
    /// Check service definition files and report every problem with its place.
    Check {
        /// The files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Check working-day deadlines by hand: a year's bank holidays, or the date some working
    /// days after another.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Service definitions: their versions, and moving open cases to the current one.
    Services {
        #[command(flatten)]
        database: DatabaseArg,
        #[command(flatten)]
        services: ServicesArg,
        #[command(subcommand)]
        command: ServicesCommand,
    },
    /// Benchmarks: build a large installation, drive a running server, measure the database.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Manage user accounts.
    User {
        #[command(flatten)]
        database: DatabaseArg,
        #[command(flatten)]
        services: ServicesArg,
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Debug, clap::Args)]
struct CalendarArgs {
    /// england-and-wales, scotland or northern-ireland.
    #[arg(long, default_value = "england-and-wales")]
    nation: String,
    /// Published holiday data (GOV.UK's bank-holidays.json) adding one-off days the rules
    /// do not give.
    #[arg(long, value_name = "FILE")]
    published: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum CalendarCommand {
    /// List a year's bank holidays.
    Holidays {
        #[command(flatten)]
        calendar: CalendarArgs,
        #[arg(long)]
        year: i16,
    },
    /// Import one-off holidays from published data (GOV.UK's bank-holidays.json) into the
    /// database, for every service's deadlines (from the next server start).
    Import {
        #[command(flatten)]
        database: DatabaseArg,
        file: PathBuf,
    },
    /// Print the date a number of working days after a date.
    Add {
        #[command(flatten)]
        calendar: CalendarArgs,
        /// The start date, YYYY-MM-DD.
        date: String,
        /// How many working days after it.
        days: u32,
    },
}

#[derive(Debug, Subcommand)]
enum ServicesCommand {
    /// Print the JSON Schema of service definition files, for editors.
    Schema,
    /// List the services, their current definition version and how many open cases follow
    /// an older one.
    List,
    /// Move every open case of a service to its current definition version. All move, or
    /// none does.
    Migrate {
        #[arg(long)]
        service: String,
        /// A stage that was renamed or removed, and the stage its cases go to, as OLD=NEW
        /// (repeatable).
        #[arg(long = "stage-map", value_name = "OLD=NEW")]
        stage_map: Vec<String>,
        /// Show what would change and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Fill a new, empty database with a realistic installation over the five reference
    /// services: accounts and teams, people, referrals, cases in every stage with their
    /// notes (ten a case on average), forms, tasks, timers, alerts, plans, history and access
    /// log, dated over the three years before --as-of. The same seed and --as-of give the same
    /// records (only the accounts' ids differ). SQLite's commits skip the disk flush while
    /// it loads (PostgreSQL's do not wait for the WAL); both are put back at the end.
    Seed {
        #[command(flatten)]
        database: DatabaseArg,
        #[command(flatten)]
        services: ServicesArg,
        /// How many cases.
        #[arg(long)]
        cases: u64,
        /// The seed of the random choices.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Cases written per transaction.
        #[arg(long, default_value_t = 10_000)]
        batch: u64,
        /// The day the history runs up to (YYYY-MM-DD, midnight UTC); today by default.
        #[arg(long, value_name = "DATE")]
        as_of: Option<jiff::civil::Date>,
    },
    /// Time computing every report on a service's reports index for a whole year, as a
    /// manager reading the whole service would have them, several runs each; prints a table
    /// (report, min/median/max ms, rows). Only reads.
    Reports {
        #[command(flatten)]
        database: DatabaseArg,
        #[command(flatten)]
        services: ServicesArg,
        #[arg(long)]
        service: String,
        /// The year the reports cover, January to December; this year by default.
        #[arg(long)]
        year: Option<i16>,
        /// How many times each report is computed.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// The account to compute them for; the service's first role reading the whole
        /// service's reports (`SERVICE.ROLE`, as the seed names accounts) by default.
        #[arg(long = "as", value_name = "USERNAME")]
        reader: Option<String>,
    },
    /// Time one sweep of deadlines and alerts (what `casework serve` runs at every round),
    /// with the clock moved to --at or to when --due deadlines are past due. The sweep
    /// writes its breaches, alerts and history events into the database for real.
    Sweep {
        #[command(flatten)]
        database: DatabaseArg,
        #[command(flatten)]
        services: ServicesArg,
        /// The instant to sweep at (RFC 3339, e.g. 2027-01-15T09:00:00Z).
        #[arg(long, conflicts_with = "due")]
        at: Option<jiff::Timestamp>,
        /// Sweep at the first instant by which this many items are due: deadlines past due
        /// and alert rule schedules due.
        #[arg(long, default_value_t = 10_000)]
        due: u64,
        /// How many due items each transaction of the sweep handles (the server's own
        /// batch, 500, if not given).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        batch: Option<u32>,
    },
    /// Drive a running server (`casework serve` or `casework demo`) and print a table of each
    /// operation's latency (p50/p95/p99), rate and errors, with the server's memory after each
    /// phase. The workload, through the JSON API, as one user: a) open cases, one client;
    /// b) add notes to them; c) open a case with its notes; d) the first page of a work list;
    /// e) search for a word put in 1% of the cases of a); f) a) again, and b) again, from each
    /// number of --clients above one. Then a caseworker's session through the HTML pages (home,
    /// work list, case page, add a note, tasks page, complete a task) from each number of
    /// --clients. Each client signs in once and keeps one connection alive. The defaults suit
    /// a `bench seed` database; for the demo give --password demo-password-2026
    /// --caseworkers recovery.recovery-practitioner.
    Http(Box<bench::http::Options>),
    /// Put Casework beside the peers (Request Tracker, django-helpdesk), operation by
    /// operation, from the JSON results of the runs: each system's p50/p95/p99, rate and
    /// server memory, then the faster peer of each operation, Casework's throughput as a
    /// multiple of it and its p99 as a fraction of it, against the targets (at least 50
    /// times the throughput, at most a twentieth of the p99). Only reads the files.
    Compare(bench::compare::Options),
    /// The raw commit rate of a database: durable transactions of one small row each, from
    /// each number of --clients at once, with the settings the store writes with (SQLite: WAL,
    /// synchronous=FULL, one writer; PostgreSQL: the write lock). The rows go to a scratch
    /// table, dropped afterwards. Run it with the server stopped.
    CommitRate {
        #[command(flatten)]
        database: DatabaseArg,
        /// Numbers of concurrent clients, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,8")]
        clients: Vec<u64>,
        /// Commits from each client.
        #[arg(long, default_value_t = 500)]
        commits: u64,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Make an account. The password is read from standard input with --password-stdin,
    /// else from CASEWORK_PASSWORD, else a random one is made and printed once.
    Add {
        username: String,
        /// The name shown to other users.
        #[arg(long)]
        name: String,
        /// May manage users and teams (gives no access to case records).
        #[arg(long)]
        admin: bool,
        #[arg(long)]
        password_stdin: bool,
        /// Give the user a role in a service, as SERVICE:ROLE (repeatable).
        #[arg(long = "role", value_name = "SERVICE:ROLE")]
        roles: Vec<String>,
    },
    /// List accounts.
    List,
    /// Disable an account; its sessions end at once.
    Disable { username: String },
    /// Enable a disabled account.
    Enable { username: String },
    /// Set a new password (same sources as `add`); ends the user's sessions.
    ResetPassword {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Give a user a role in a service.
    Grant {
        username: String,
        #[arg(long)]
        service: String,
        #[arg(long)]
        role: String,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    init_logging(cli.log_json);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(cli.command))
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CASEWORK_LOG").unwrap_or_else(|_| "info,sqlx=warn".into());
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(colour);
    if json { builder.json().init() } else { builder.init() }
}

async fn run(command: Command) -> Result<()> {
    match command {
        Command::Serve { database, services, documents, listen, housekeeping_every, clock_file } => {
            let clock: Arc<dyn Clock> = match &clock_file {
                Some(file) => {
                    let clock = FileClock::new(file).with_context(|| format!("reading the clock file {}", file.display()))?;
                    tracing::warn!(file = %file.display(), "the time is read from a clock file, for tests and drills only");
                    Arc::new(clock)
                }
                None => Arc::new(SystemClock),
            };
            let app = open_app_with_clock(&database.database, &services, clock).await?;
            let app = app.with_documents(document_storage(&database.database, &documents)?);
            serve(app, listen, housekeeping_every).await
        }
        Command::Jobs { database, runs } => {
            let app = open_app(&database.database, &ServicesArg { services: None }).await?;
            jobs_command(&app, runs).await
        }
        Command::Demo { database, documents, listen, no_serve } => {
            let app = make_demo(&database, &documents).await?;
            if no_serve { Ok(()) } else { serve(app, listen, jiff::SignedDuration::from_secs(60)).await }
        }
        Command::Migrate { database } => {
            let applied = Store::migrate(&database.database).await.context("applying migrations")?;
            println!("{}: {applied} migrations applied, schema up to date", database.database);
            Ok(())
        }
        Command::Verify { database } => {
            let app = open_app(&database.database, &ServicesArg { services: None }).await?;
            let (report, breaks) = app.verify_history().await.map_err(describe)?;
            for found in &breaks {
                println!(
                    "case {}: {}{}",
                    found.case,
                    found.problem,
                    found.event.as_ref().map(|e| format!(" (event {e})")).unwrap_or_default()
                );
            }
            if breaks.is_empty() {
                println!("{} history chains, {} events: every chain intact", report.chains, report.events);
                Ok(())
            } else {
                anyhow::bail!("the history is broken in {} places ({} chains checked)", breaks.len(), report.chains)
            }
        }
        Command::Backup { database, documents, to } => backup(&database.database, documents.as_deref(), &to).await,
        Command::Restore { from, database, documents } => restore(&from, &database.database, documents.as_deref()).await,
        Command::Copy { from, to } => copy(&from, &to).await,
        Command::Check { files } => check(&files),
        Command::Calendar { command: CalendarCommand::Import { database, file } } => {
            let app = open_app(&database.database, &ServicesArg { services: None }).await?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let added = app.import_holidays(&system_actor(), &text).await.map_err(describe)?;
            println!("{added} one-off holidays added beyond the rules");
            Ok(())
        }
        Command::Calendar { command } => calendar_command(command),
        Command::Services { command: ServicesCommand::Schema, .. } => {
            println!("{}", serde_json::to_string_pretty(&casework_domain::service::json_schema())?);
            Ok(())
        }
        Command::Services { database, services, command } => {
            let app = open_app(&database.database, &services).await?;
            services_command(&app, command).await
        }
        Command::Bench { command: BenchCommand::Seed { database, services, cases, seed, batch, as_of } } => {
            let day = as_of.unwrap_or_else(|| jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date());
            let as_of = day.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp();
            let options = bench::SeedOptions { cases, seed, batch, as_of };
            bench::seed(&database.database, load_catalog(&services)?, &options).await
        }
        Command::Bench { command: BenchCommand::Reports { database, services, service, year, runs, reader } } => {
            let app = open_app(&database.database, &services).await?;
            let year = year.unwrap_or_else(|| jiff::Zoned::now().year());
            let options = bench::reports::ReportsOptions { service, year, runs, reader };
            let done = bench::reports::reports(&app, &options).await;
            app.store.close().await;
            done
        }
        Command::Bench { command: BenchCommand::Sweep { database, services, at, due, batch } } => {
            let at = at.map_or(bench::sweep::SweepAt::Due(due), bench::sweep::SweepAt::Instant);
            bench::sweep::sweep(&database.database, &services, at, batch).await
        }
        Command::Bench { command: BenchCommand::Http(options) } => bench::http::run_bench(&options).await,
        Command::Bench { command: BenchCommand::Compare(options) } => bench::compare::compare(&options),
        Command::Bench { command: BenchCommand::CommitRate { database, clients, commits } } => {
            bench::commit_rate(&database.database, &clients, commits).await
        }
        Command::User { database, services, command } => {
            let app = open_app(&database.database, &services).await?;
            user_command(&app, command).await
        }
    }
}

fn load_catalog(services: &ServicesArg) -> Result<ServiceCatalog> {
    let files: Vec<(String, String)> = match &services.services {
        None => services::SHIPPED.iter().map(|(name, text)| ((*name).to_owned(), (*text).to_owned())).collect(),
        Some(dir) => {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
                let path = entry?.path();
                if path.extension().is_some_and(|e| e == "toml") {
                    files.push((path.display().to_string(), std::fs::read_to_string(&path)?));
                }
            }
            files
        }
    };
    ServiceCatalog::from_texts(files.iter().map(|(n, t)| (n.as_str(), t.as_str()))).map_err(|invalid| {
        let problems: Vec<String> = invalid.errors.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("the service definitions are not valid:\n  {}", problems.join("\n  "))
    })
}

async fn open_app(database: &Location, services: &ServicesArg) -> Result<App> {
    open_app_with_clock(database, services, Arc::new(SystemClock)).await
}

async fn open_app_with_clock(database: &Location, services: &ServicesArg, clock: Arc<dyn Clock>) -> Result<App> {
    let catalog = load_catalog(services)?;
    let store = Store::open(database).await.with_context(|| format!("opening {database}"))?;
    let app = App::new(store, catalog, clock);
    app.register_services().await?;
    Ok(app)
}

/// The document storage named on the command line, or the folder beside the database.
fn document_storage(database: &Location, documents: &DocumentsArg) -> Result<DocumentStorage> {
    let storage = match (&documents.documents, database.file()) {
        (Some(setting), _) => DocumentStorage::open(setting)?,
        (None, Some(file)) => DocumentStorage::local(&beside(file))?,
        (None, None) => bail!(
            "with PostgreSQL, name where document files are kept with --documents: a folder every instance shares, or s3://…"
        ),
    };
    tracing::info!(place = %storage.place, "document storage");
    Ok(storage.with_max_size(documents.document_max_mib.saturating_mul(1024 * 1024)))
}

/// The folder document files are kept in, when they are kept on disk.
fn documents_folder(database: &Path, documents: Option<&str>) -> Option<PathBuf> {
    match documents {
        Some(setting) if setting.starts_with("s3://") => None,
        Some(folder) => Some(PathBuf::from(folder)),
        None => Some(beside(database)),
    }
}

/// Checks a database file as a backup or restore must: SQLite's integrity check and every
/// history chain. Returns what it holds.
async fn check_copy(database: &Path) -> Result<Soundness> {
    // Opened without registering the service definitions, so checking changes nothing.
    let store =
        Store::open(&Location::Sqlite(database.to_owned())).await.with_context(|| format!("opening {}", database.display()))?;
    let app = App::new(store, load_catalog(&ServicesArg { services: None })?, Arc::new(SystemClock));
    let found = app.soundness().await.map_err(describe);
    app.store.close().await;
    let found = found?;
    if !found.integrity_problems.is_empty() {
        bail!("{} fails SQLite's integrity check: {}", database.display(), found.integrity_problems.join("; "));
    }
    if !found.breaks.is_empty() {
        bail!("{} has a broken history in {} places; run `casework verify` on it", database.display(), found.breaks.len());
    }
    Ok(found)
}

/// Copies every file of `from` into `to` (made if missing); returns how many.
fn copy_files(from: &Path, to: &Path) -> Result<usize> {
    std::fs::create_dir_all(to).with_context(|| format!("making {}", to.display()))?;
    let mut copied = 0;
    if !from.exists() {
        return Ok(0);
    }
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))
                .with_context(|| format!("copying {}", entry.path().display()))?;
            copied += 1;
        }
    }
    Ok(copied)
}

fn is_empty_or_missing(folder: &Path) -> Result<bool> {
    Ok(!folder.exists() || std::fs::read_dir(folder).with_context(|| format!("reading {}", folder.display()))?.next().is_none())
}

async fn backup(database: &Location, documents: Option<&str>, to: &Path) -> Result<()> {
    let Some(database) = database.file() else {
        bail!("back up a PostgreSQL database with pg_dump (see the README); `casework backup` copies SQLite installations");
    };
    if !database.exists() {
        bail!("{} does not exist: name the installation's database with --database", database.display());
    }
    if !is_empty_or_missing(to)? {
        bail!("{} is not empty: back up into a new folder", to.display());
    }
    std::fs::create_dir_all(to).with_context(|| format!("making {}", to.display()))?;
    let copy = to.join("casework.db");
    let store =
        Store::open(&Location::Sqlite(database.to_owned())).await.with_context(|| format!("opening {}", database.display()))?;
    let taken = store.backup_into(&copy).await.with_context(|| format!("copying the database into {}", copy.display()));
    store.close().await;
    taken?;
    let found = check_copy(&copy).await?;
    println!(
        "database: {} cases, {} history events; integrity and every history chain checked",
        found.cases, found.chains.events
    );
    let named = found.stored_files;
    // Files are only ever added or, by the destruction job, removed; copied after the
    // snapshot, every file it names is there unless destroyed in between.
    match documents_folder(database, documents) {
        Some(folder) => {
            let copied = copy_files(&folder, &to.join("documents"))?;
            let missing: Vec<&String> = named.iter().filter(|f| !to.join("documents").join(f).exists()).collect();
            println!("documents: {copied} files copied from {}", folder.display());
            if !missing.is_empty() {
                println!("note: {} files named in the copy were removed meanwhile (destroyed records)", missing.len());
            }
        }
        None => println!(
            "documents: {} files are kept in S3-compatible storage and are not copied; keep them with the storage's versioning",
            named.len()
        ),
    }
    println!("backup written to {}", to.display());
    Ok(())
}

async fn restore(from: &Path, database: &Location, documents: Option<&str>) -> Result<()> {
    let Some(database) = database.file() else {
        bail!("restore a PostgreSQL database with pg_restore (see the README); `casework restore` makes SQLite installations");
    };
    let copy = from.join("casework.db");
    if !copy.exists() {
        bail!("{} holds no casework.db: name a folder made by `casework backup`", from.display());
    }
    if database.exists() {
        bail!("{} exists; restore into a new database file, never over one", database.display());
    }
    let folder = documents_folder(database, documents)
        .ok_or_else(|| anyhow::anyhow!("restore document files into a folder; copy them to S3 with its own tools"))?;
    if !is_empty_or_missing(&folder)? {
        bail!("{} is not empty: restore the document files into a new folder", folder.display());
    }
    let found = check_copy(&copy).await?;
    std::fs::copy(&copy, database).with_context(|| format!("copying the database to {}", database.display()))?;
    let copied = copy_files(&from.join("documents"), &folder)?;
    let missing = found.stored_files.iter().filter(|f| !folder.join(f).exists()).count();
    println!("restored {} cases and {} history events into {}", found.cases, found.chains.events, database.display());
    println!("documents: {copied} files into {}", folder.display());
    if missing > 0 {
        println!("warning: {missing} document files named in the database are not in the backup");
    }
    Ok(())
}

/// `casework.db` → `casework-documents`, in the same folder.
fn beside(database: &Path) -> PathBuf {
    let stem = database.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "casework".into());
    database.with_file_name(format!("{stem}-documents"))
}

/// `60s`, `2s`, `200ms` (or `1m`, `1 minute`…), or a number of milliseconds; never zero.
fn parse_interval(text: &str) -> std::result::Result<jiff::SignedDuration, String> {
    let text = text.trim();
    let every = match text.parse::<i64>() {
        Ok(millis) => jiff::SignedDuration::from_millis(millis),
        Err(_) => {
            text.parse::<jiff::SignedDuration>().map_err(|e| format!("{text:?} is not a duration such as 60s or 200ms: {e}"))?
        }
    };
    if every <= jiff::SignedDuration::ZERO {
        return Err("the interval must be longer than nothing".into());
    }
    Ok(every)
}

async fn serve(app: App, listen: SocketAddr, housekeeping_every: jiff::SignedDuration) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
    let settings = Arc::new(Housekeeping::new(holder_id(), housekeeping_every));
    tracing::info!(holder = %settings.holder, every = %format!("{:#}", settings.every), "background jobs run under leases as this holder");
    tracing::info!(address = %listener.local_addr()?, "Casework is listening");
    let store = app.store.clone();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut housekeeping = tokio::spawn(housekeeping(app.clone(), settings.clone(), stopped));
    casework_web::serve(app.clone(), listener, shutdown_signal(), Duration::from_secs(20)).await?;
    // Let a job that is running finish (for a while), then hand the leases on at once.
    let _ = stop.send(true);
    if tokio::time::timeout(Duration::from_secs(20), &mut housekeeping).await.is_err() {
        housekeeping.abort();
        tracing::warn!("background work was cut off at shutdown; the next slot will cover it");
    }
    match app.release_leases(&settings).await {
        Ok(released) if released > 0 => tracing::info!(released, "background job leases released"),
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "could not release the background job leases; they will expire"),
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Background work, a round every `settings.every`: each job runs here only while this
/// instance holds its lease (see `casework_app::jobs`), so instances sharing a database run
/// each once.
async fn housekeeping(app: App, settings: Arc<Housekeeping>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let every = Duration::try_from(settings.every).unwrap_or(Duration::from_secs(60));
    let mut rounds = tokio::time::interval(every);
    rounds.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = rounds.tick() => {}
            _ = stop.changed() => return,
        }
        match app.housekeeping_round(&settings).await {
            Ok(runs) => {
                for run in runs {
                    if let Err(error) = run.outcome {
                        tracing::warn!(job = run.job.name(), slot = run.slot, %error, "a background job failed");
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "could not run background jobs"),
        }
    }
}

/// `casework jobs`: the leases and the latest runs.
async fn jobs_command(app: &App, runs: i64) -> Result<()> {
    let now = jiff::Timestamp::now();
    let leases = app.job_leases().await.map_err(describe)?;
    if leases.is_empty() {
        println!("No instance holds a job lease.");
    }
    for lease in leases {
        let state = if lease.expires_at > now { "until" } else { "expired" };
        println!("{:<18} {}  since {}  {state} {}", lease.job, lease.holder, lease.taken_at, lease.expires_at);
    }
    println!();
    for run in app.job_runs(runs).await.map_err(describe)? {
        let finished = match (&run.finished_at, &run.outcome) {
            (Some(at), Some(outcome)) => format!("finished {at}: {outcome}"),
            (Some(at), None) => format!("finished {at}"),
            (None, _) => "never finished (cut off, or still running)".to_owned(),
        };
        println!("{:<18} {} started {} by {}, {finished}", run.job, run.slot, run.started_at, run.holder);
    }
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        if let Ok(mut terminate) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            tokio::select! {
                _ = interrupt => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = interrupt.await;
}

const DEMO_MARKER: &str = "demo";

async fn make_demo(database: &Path, documents: &DocumentsArg) -> Result<App> {
    let location = Location::Sqlite(database.to_owned());
    if database.exists() {
        let store = Store::open(&location).await.with_context(|| format!("opening {}", database.display()))?;
        let mut conn = store.read().await?;
        let is_demo = casework_store_marker(&mut conn).await?;
        drop(conn);
        store.close().await;
        if !is_demo {
            bail!(
                "{} exists and is not a demo database; refusing to overwrite it. Choose another file with --database.",
                database.display()
            );
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut path = database.as_os_str().to_owned();
            path.push(suffix);
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e).context("removing the old demo database"),
                _ => {}
            }
        }
        if documents.documents.is_none() {
            match std::fs::remove_dir_all(beside(database)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e).context("removing the old demo documents"),
                _ => {}
            }
        }
    }
    let app = open_app(&location, &ServicesArg { services: None }).await?;
    let app = app.with_documents(document_storage(&location, documents)?);
    app.mark_demo(DEMO_MARKER).await?;
    let summary = casework_app::demo::populate(&app).await?;
    println!("Demo database: {}", database.display());
    println!(
        "{} cases, {} referrals, {} notes across {} services.",
        summary.cases,
        summary.referrals,
        summary.notes,
        app.services.all().count()
    );
    println!("Sign in with any of these usernames and the password '{}':", casework_app::demo::DEMO_PASSWORD);
    for user in &summary.users {
        if user.service.is_empty() {
            println!("  {:<48} administrator (users and teams; no case records)", user.username);
        } else {
            println!("  {:<48} {} in {}", user.username, user.role, user.service);
        }
    }
    Ok(app)
}

async fn casework_store_marker(conn: &mut casework_app::store::Connection) -> Result<bool> {
    Ok(casework_app::store::meta::get(conn, DEMO_MARKER).await?.is_some())
}

fn check(files: &[PathBuf]) -> Result<()> {
    let mut failed = false;
    for file in files {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        match casework_domain::service::ServiceDefinition::from_toml(&text) {
            Ok(definition) => println!("{}: ok (service '{}')", file.display(), definition.code()),
            Err(invalid) => {
                failed = true;
                for error in &invalid.errors {
                    eprintln!("{}: {}: {}", file.display(), error.field, error.message);
                }
            }
        }
    }
    if failed { bail!("some service definitions are not valid") } else { Ok(()) }
}

fn calendar(args: &CalendarArgs) -> Result<casework_domain::calendar::Calendar> {
    use casework_domain::calendar::{Calendar, Nation, parse_published_holidays};
    let nation = Nation::parse(&args.nation).map_err(|e| anyhow::anyhow!("--nation: {}", e.message))?;
    let mut calendar = Calendar::new(nation);
    if let Some(file) = &args.published {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let published = parse_published_holidays(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        calendar = calendar.with_published_holidays(published);
    }
    Ok(calendar)
}

fn calendar_command(command: CalendarCommand) -> Result<()> {
    match command {
        CalendarCommand::Import { .. } => {}
        CalendarCommand::Holidays { calendar: args, year } => {
            for holiday in calendar(&args)?.holidays_in(year) {
                println!("{} {}  {}", holiday.date, holiday.date.strftime("%a"), holiday.name);
            }
        }
        CalendarCommand::Add { calendar: args, date, days } => {
            let start: jiff::civil::Date =
                date.parse().with_context(|| format!("'{date}' is not a date written as YYYY-MM-DD"))?;
            let due = calendar(&args)?.add_working_days(start, days);
            println!("{} {}", due, due.strftime("%A"));
        }
    }
    Ok(())
}

fn read_password(from_stdin: bool) -> Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false));
    }
    if let Ok(password) = std::env::var("CASEWORK_PASSWORD") {
        return Ok((password, false));
    }
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 18];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    Ok((base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes), true))
}

fn parse_code(raw: &str, what: &str) -> Result<casework_domain::text::Code> {
    casework_domain::text::Code::parse(raw).map_err(|e| anyhow::anyhow!("{what}: {}", e.message))
}

async fn user_command(app: &App, command: UserCommand) -> Result<()> {
    let admin = system_actor();
    match command {
        UserCommand::Add { username, name, admin: administrator, password_stdin, roles } => {
            let (password, generated) = read_password(password_stdin)?;
            let mut grants = Vec::new();
            for role in &roles {
                let (service, role) = role.split_once(':').with_context(|| format!("'{role}' is not SERVICE:ROLE"))?;
                grants.push((parse_code(service, "service")?, parse_code(role, "role")?));
            }
            let new = NewUser::parse(&username, &name, &password, administrator).map_err(describe)?;
            let account = app.create_user(&admin, new).await.map_err(describe)?;
            for (service, role) in grants {
                app.grant_role(&admin, account.id, &service, &role).await.map_err(describe)?;
            }
            println!("created {} ({})", account.username, account.id);
            if generated {
                println!("password: {password}");
                println!("(shown once; give it to the user and ask them to keep it safe)");
            }
        }
        UserCommand::List => {
            let mut after: Option<String> = None;
            loop {
                let page = app.list_users(&admin, after.as_deref(), 200).await.map_err(describe)?;
                for user in &page {
                    let roles: Vec<String> = user.roles.iter().map(|r| format!("{}:{}", r.service, r.role)).collect();
                    let state = if user.disabled { "disabled" } else { "active" };
                    let kind = if user.administrator { "administrator" } else { "" };
                    println!("{:<40} {:<8} {:<13} {}", user.username, state, kind, roles.join(" "));
                }
                match page.last() {
                    Some(last) if page.len() == 200 => after = Some(last.username.to_string()),
                    _ => break,
                }
            }
        }
        UserCommand::Disable { username } => {
            let user = app.find_user(&admin, &username).await.map_err(describe)?;
            app.set_user_disabled(&admin, user.id, true).await.map_err(describe)?;
            println!("disabled {username}; their sessions have ended");
        }
        UserCommand::Enable { username } => {
            let user = app.find_user(&admin, &username).await.map_err(describe)?;
            app.set_user_disabled(&admin, user.id, false).await.map_err(describe)?;
            println!("enabled {username}");
        }
        UserCommand::ResetPassword { username, password_stdin } => {
            let user = app.find_user(&admin, &username).await.map_err(describe)?;
            let (password, generated) = read_password(password_stdin)?;
            app.reset_password(&admin, user.id, &password).await.map_err(describe)?;
            println!("password reset for {username}; their sessions have ended");
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::Grant { username, service, role } => {
            let user = app.find_user(&admin, &username).await.map_err(describe)?;
            app.grant_role(&admin, user.id, &parse_code(&service, "service")?, &parse_code(&role, "role")?)
                .await
                .map_err(describe)?;
            println!("{username} is now {role} in {service}");
        }
    }
    Ok(())
}

async fn services_command(app: &App, command: ServicesCommand) -> Result<()> {
    let admin = system_actor();
    match command {
        ServicesCommand::Schema => {}
        ServicesCommand::List => {
            for definition in app.services.all() {
                let code = definition.code();
                let plan = app.move_cases_to_current_version(&admin, code, &Default::default(), true).await.map_err(describe)?;
                println!(
                    "{:<16} version {:<3} {:<60} {} open cases on older versions",
                    code.as_str(),
                    app.services.current_version(code),
                    definition.service.name,
                    plan.len()
                );
            }
        }
        ServicesCommand::Migrate { service, stage_map, dry_run } => {
            let service = parse_code(&service, "service")?;
            let mut map = std::collections::BTreeMap::new();
            for pair in &stage_map {
                let (old, new) = pair.split_once('=').with_context(|| format!("'{pair}' is not OLD=NEW"))?;
                map.insert(parse_code(old, "stage")?, parse_code(new, "stage")?);
            }
            let plan = app.move_cases_to_current_version(&admin, &service, &map, dry_run).await.map_err(describe)?;
            let blocked = plan.iter().filter(|step| !step.obstacles.is_empty()).count();
            for step in &plan {
                let mut line = format!("{} version {} -> {}", step.reference, step.from, step.to);
                for change in &step.changes {
                    line.push_str(&format!("; {change}"));
                }
                for obstacle in &step.obstacles {
                    line.push_str(&format!("; cannot move: {obstacle}"));
                }
                println!("{line}");
            }
            match (plan.len(), blocked, dry_run) {
                (0, _, _) => println!("no open case of '{service}' follows an older version"),
                (n, 0, true) => println!("dry run: {n} cases would move; nothing was changed"),
                (n, 0, false) => println!("{n} cases moved to version {}", app.services.current_version(&service)),
                (_, b, true) => println!("dry run: {b} cases cannot move as things stand; nothing was changed"),
                (_, b, false) => bail!("{b} cases cannot move as things stand; nothing was moved"),
            }
        }
    }
    Ok(())
}

async fn copy(from: &Location, to: &Location) -> Result<()> {
    use casework_app::store::copy::{CopyError, Progress};
    if from == to {
        bail!("--from and --to name the same database");
    }
    if let Some(file) = from.file().filter(|file| !file.exists()) {
        bail!("{} does not exist: name the installation's database with --from", file.display());
    }
    // A SQLite file made here is removed again if the copy does not succeed.
    let made = to.file().filter(|file| !file.exists()).map(Path::to_owned);
    let copied = async {
        let source = Store::open(from).await.with_context(|| format!("opening {from}"))?;
        let target = Store::open(to).await.with_context(|| format!("opening {to}"));
        let target = match target {
            Ok(target) => target,
            Err(error) => {
                source.close().await;
                return Err(error);
            }
        };
        let copied = casework_app::store::copy::copy(&source, &target, |step| match step {
            Progress::Copied { table, rows } => eprintln!("copied {table}: {rows} rows"),
            Progress::Verified(table) => println!("{}: {} rows, checksum ok", table.table, table.rows),
        })
        .await;
        source.close().await;
        target.close().await;
        match copied {
            Ok(report) => Ok(report),
            Err(CopyError::Refused(why)) => bail!("nothing was copied: {why}"),
            Err(error) => bail!("copying {from} to {to}: {error}"),
        }
    }
    .await;
    let report = match copied {
        Ok(report) => report,
        Err(error) => {
            if let Some(file) = &made {
                for suffix in ["", "-wal", "-shm"] {
                    let mut path = file.as_os_str().to_owned();
                    path.push(suffix);
                    let _ = std::fs::remove_file(&path);
                }
            }
            return Err(error);
        }
    };
    println!(
        "copied {} rows in {} tables from {from} to {to}: every table has the source's row count and checksum",
        report.rows(),
        report.tables.len()
    );
    let folder = from.file().map(|file| format!(" (for this one, by default {})", beside(file).display())).unwrap_or_default();
    println!(
        "documents: not copied; the files stay where they are. Serve the new database with --documents naming the \
         same place: the same s3://… or, for a folder, the old folder{folder} or a copy of it."
    );
    Ok(())
}

/// Turns an application error into a message for the terminal, with each field's problem.
fn describe(error: casework_app::AppError) -> anyhow::Error {
    match error {
        casework_app::AppError::Invalid(invalid) => {
            let lines: Vec<String> = invalid.errors.iter().map(ToString::to_string).collect();
            anyhow::anyhow!("{}", lines.join("\n"))
        }
        other => anyhow::anyhow!("{other}"),
    }
}
