//! The `casework` command as an operator uses it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn casework(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_casework"));
    command.args(args).env_remove("CASEWORK_DATABASE").env_remove("CASEWORK_PASSWORD").env("CASEWORK_LOG", "warn");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// A new database for a test: a SQLite file in `dir`, or a database of its own on the
/// PostgreSQL server the test run names (`scripts/with-postgres`).
fn db(dir: &Path) -> String {
    match casework_app::store::testing::postgres_server() {
        Some(server) => {
            tokio::runtime::Runtime::new().unwrap().block_on(casework_app::store::testing::create_database(&server)).unwrap()
        }
        None => dir.join("casework.db").display().to_string(),
    }
}

fn is_postgres(database: &str) -> bool {
    database.starts_with("postgres")
}

/// A connection to the database for a test to look at directly.
async fn connect(database: &str) -> sqlx::AnyConnection {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let url = if is_postgres(database) { database.to_owned() } else { format!("sqlite:{database}?mode=ro") };
    sqlx::AnyConnection::connect(&url).await.unwrap()
}

#[test]
fn help_describes_every_command() {
    let output = casework(&["--help"], &[]);
    assert!(output.status.success());
    let help = text(&output);
    for command in ["serve", "demo", "migrate", "check", "user"] {
        assert!(help.contains(command), "{command} missing from\n{help}");
    }
    for sub in [&["serve", "--help"][..], &["demo", "--help"], &["user", "add", "--help"], &["user", "reset-password", "--help"]]
    {
        let output = casework(sub, &[]);
        assert!(output.status.success(), "{sub:?}");
        assert!(text(&output).contains("--database") || sub[0] == "user", "{sub:?}");
    }
}

#[test]
fn migrate_creates_the_schema_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let database = db(dir.path());
    for _ in 0..2 {
        let output = casework(&["migrate", "--database", &database], &[]);
        assert!(output.status.success(), "{}", text(&output));
        assert!(text(&output).contains("schema up to date"));
    }
    // The environment variable works as well as the flag.
    let output = casework(&["migrate"], &[("CASEWORK_DATABASE", &database)]);
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
fn users_are_added_listed_granted_and_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let database = db(dir.path());
    let add = casework(
        &["user", "add", "jo.bloggs", "--name", "Jo Bloggs", "--role", "recovery:service-manager", "--database", &database],
        &[("CASEWORK_PASSWORD", "a long enough password")],
    );
    assert!(add.status.success(), "{}", text(&add));
    assert!(!text(&add).contains("password:"), "a given password is not echoed");
    let generated = casework(&["user", "add", "it.admin", "--name", "IT Admin", "--admin", "--database", &database], &[]);
    assert!(generated.status.success(), "{}", text(&generated));
    assert!(text(&generated).contains("password: "), "a made-up password is shown once");
    let duplicate = casework(
        &["user", "add", "JO.BLOGGS", "--name", "Again", "--database", &database],
        &[("CASEWORK_PASSWORD", "a long enough password")],
    );
    assert!(!duplicate.status.success());
    assert!(text(&duplicate).contains("taken"), "{}", text(&duplicate));
    let short = casework(&["user", "add", "x.y", "--name", "X", "--database", &database], &[("CASEWORK_PASSWORD", "short")]);
    assert!(!short.status.success());
    assert!(text(&short).contains("password: a password must be at least 12 characters"), "{}", text(&short));
    let bad_role =
        casework(&["user", "grant", "jo.bloggs", "--service", "recovery", "--role", "wizard", "--database", &database], &[]);
    assert!(!bad_role.status.success());
    assert!(text(&bad_role).contains("no role 'wizard'"), "{}", text(&bad_role));
    let grant =
        casework(&["user", "grant", "jo.bloggs", "--service", "deanery", "--role", "deputy-dean", "--database", &database], &[]);
    assert!(grant.status.success(), "{}", text(&grant));
    let disable = casework(&["user", "disable", "it.admin", "--database", &database], &[]);
    assert!(disable.status.success(), "{}", text(&disable));
    let list = text(&casework(&["user", "list", "--database", &database], &[]));
    let jo = list.lines().find(|l| l.starts_with("jo.bloggs")).unwrap();
    assert!(jo.contains("active") && jo.contains("recovery:service-manager") && jo.contains("deanery:deputy-dean"), "{jo}");
    let admin = list.lines().find(|l| l.starts_with("it.admin")).unwrap();
    assert!(admin.contains("disabled") && admin.contains("administrator"), "{admin}");
    let missing = casework(&["user", "disable", "nobody", "--database", &database], &[]);
    assert!(!missing.status.success());
    let reset = casework(&["user", "reset-password", "jo.bloggs", "--password-stdin", "--database", &database], &[]);
    assert!(!reset.status.success(), "an empty password from stdin is refused");
}

#[test]
fn check_reports_problems_with_their_place() {
    let services = concat!(env!("CARGO_MANIFEST_DIR"), "/../../services");
    let shipped: Vec<String> = std::fs::read_dir(services)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.display().to_string())
        .collect();
    let mut args = vec!["check"];
    args.extend(shipped.iter().map(String::as_str));
    let output = casework(&args, &[]);
    assert!(output.status.success(), "{}", text(&output));
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        "initial_stage = \"open\"\n[service]\ncode = \"x\"\nname = \"X\"\nreference_prefix = \"X\"\nclosed_cases = true\n",
    )
    .unwrap();
    let output = casework(&["check", broken.to_str().unwrap()], &[]);
    assert!(!output.status.success());
    let message = text(&output);
    assert!(message.contains("broken.toml: line 6, column 1"), "{message}");
    assert!(message.contains("closed_cases"), "{message}");
}

#[test]
fn demo_builds_a_demo_database_and_never_overwrites_a_real_one() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("demo.db").display().to_string();
    let output = casework(&["demo", "--no-serve", "--database", &database], &[]);
    assert!(output.status.success(), "{}", text(&output));
    let printed = text(&output);
    assert!(printed.contains("demo-password-2026"), "{printed}");
    for user in [
        "admin",
        "recovery.recovery-practitioner",
        "deanery.training-programme-director",
        "ombudsman.investigator",
        "family-court.service-manager",
        "child-survivor.caseworker",
    ] {
        assert!(printed.lines().any(|l| l.trim_start().starts_with(&format!("{user} "))), "{user} missing:\n{printed}");
    }
    // A demo database may be remade.
    let again = casework(&["demo", "--no-serve", "--database", &database], &[]);
    assert!(again.status.success(), "{}", text(&again));
    // A real one may not (the demo is a SQLite file).
    let real = dir.path().join("casework.db").display().to_string();
    assert!(casework(&["migrate", "--database", &real], &[]).status.success());
    let refused = casework(&["demo", "--no-serve", "--database", &real], &[]);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("not a demo database"), "{}", text(&refused));
}

struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(database: &str) -> Server {
        Server::start_with(database, &[])
    }

    /// A server with more arguments for `serve`.
    fn start_with(database: &str, arguments: &[&str]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_casework"));
        command.args(["serve", "--listen", "127.0.0.1:0", "--database", database]).args(arguments);
        if is_postgres(database) {
            // No folder beside a PostgreSQL database: name one, as an operator must, where
            // `scripts/with-postgres` removes it with the cluster.
            let name = database.rsplit('/').next().unwrap();
            let scratch = std::env::var_os("CASEWORK_TEST_SCRATCH").map_or_else(std::env::temp_dir, Into::into);
            command.arg("--documents").arg(scratch.join(format!("{name}-documents")));
        }
        let mut child = command
            .env("CASEWORK_LOG", "info")
            .env_remove("CASEWORK_DATABASE")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let deadline = Instant::now() + Duration::from_secs(30);
        let address = loop {
            assert!(Instant::now() < deadline, "the server did not start");
            let line = lines.next().unwrap().unwrap();
            if let Some(rest) = line.split("address=").nth(1) {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        // The server's problems are shown with a failing test's output.
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok).filter(|line| line.contains("ERROR") || line.contains("WARN")) {
                eprintln!("server {line}");
            }
        });
        Server { child, address }
    }

    fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn get(address: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn serve_answers_health_checks_and_finishes_requests_in_flight_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let database = db(dir.path());
    let mut server = Server::start(&database);
    assert!(get(&server.address, "/healthz").starts_with("HTTP/1.1 200"));
    assert!(get(&server.address, "/readyz").starts_with("HTTP/1.1 200"));
    // Start a request, send only half its body, then ask the server to stop.
    let body = r#"{"username":"nobody","password":"not a real password"}"#;
    let mut stream = TcpStream::connect(&server.address).unwrap();
    write!(
        stream,
        "POST /api/v1/session HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        server.address,
        body.len(),
        &body[..10]
    )
    .unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    server.terminate();
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(&body.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "the request in flight was answered: {answer}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    assert!(TcpStream::connect(&server.address).is_err(), "no new connections after shutdown");
}

#[test]
fn a_changed_definition_is_a_new_version_and_open_cases_move_only_when_told() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("demo.db").display().to_string();
    assert!(casework(&["demo", "--no-serve", "--database", &database], &[]).status.success());
    let services = dir.path().join("services");
    std::fs::create_dir(&services).unwrap();
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../../services");
    for entry in std::fs::read_dir(shipped).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        // Version 2 of the recovery service renames its first stage.
        let text = if path.ends_with("recovery.toml") { text.replace("\"waiting-list\"", "\"waiting\"") } else { text };
        std::fs::write(services.join(path.file_name().unwrap()), text).unwrap();
    }
    let dir_arg = services.display().to_string();
    let with = |args: &[&str]| {
        let mut all = vec!["services"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--database", &database, "--services", &dir_arg]);
        casework(&all, &[])
    };
    let listed = text(&with(&["list"]));
    let recovery = listed.lines().find(|l| l.starts_with("recovery")).unwrap();
    assert!(recovery.contains("version 2"), "{recovery}");
    assert!(!recovery.contains(" 0 open cases"), "{recovery}");
    let deanery = listed.lines().find(|l| l.starts_with("deanery")).unwrap();
    assert!(deanery.contains("version 1") && deanery.contains(" 0 open cases"), "{deanery}");

    let dry = with(&["migrate", "--service", "recovery", "--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry));
    assert!(text(&dry).contains("cannot move: stage 'waiting-list' does not exist in version 2"), "{}", text(&dry));
    let refused = with(&["migrate", "--service", "recovery"]);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("nothing was moved"), "{}", text(&refused));
    let mapped_dry = with(&["migrate", "--service", "recovery", "--stage-map", "waiting-list=waiting", "--dry-run"]);
    assert!(text(&mapped_dry).contains("would move"), "{}", text(&mapped_dry));
    let moved = with(&["migrate", "--service", "recovery", "--stage-map", "waiting-list=waiting"]);
    assert!(moved.status.success(), "{}", text(&moved));
    assert!(text(&moved).contains("stage 'waiting-list' becomes 'waiting'"), "{}", text(&moved));
    let after = text(&with(&["list"]));
    assert!(after.lines().find(|l| l.starts_with("recovery")).unwrap().contains(" 0 open cases"), "{after}");
    // Serving the shipped definitions again makes them version 3: nothing is lost or renumbered.
    let back = casework(&["services", "list", "--database", &database], &[]);
    assert!(text(&back).lines().find(|l| l.starts_with("recovery")).unwrap().contains("version 3"), "{}", text(&back));
}

#[test]
fn the_published_schema_is_the_one_the_code_reads_and_every_shipped_file_names_it() {
    let output = casework(&["services", "schema"], &[]);
    assert!(output.status.success(), "{}", text(&output));
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let services = concat!(env!("CARGO_MANIFEST_DIR"), "/../../services");
    let published: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{services}/schema.json")).unwrap()).unwrap();
    assert_eq!(printed, published, "services/schema.json is stale: run `casework services schema > services/schema.json`");
    assert_eq!(printed["title"], "Casework service definition");
    assert!(printed["properties"]["stages"].is_object());
    for entry in std::fs::read_dir(services).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let first = std::fs::read_to_string(&path).unwrap().lines().next().unwrap_or_default().to_owned();
            assert_eq!(first, "#:schema ./schema.json", "{}", path.display());
        }
    }
}

#[test]
fn the_calendar_can_be_checked_by_hand() {
    let output = casework(&["calendar", "holidays", "--nation", "scotland", "--year", "2027"], &[]);
    assert!(output.status.success(), "{}", text(&output));
    let listed = text(&output);
    for line in ["2027-01-01 Fri", "2027-01-04 Mon", "2027-08-02 Mon", "2027-11-30 Tue", "2027-12-27 Mon", "2027-12-28 Tue"] {
        assert!(listed.contains(line), "{line} missing:\n{listed}");
    }
    assert!(!listed.contains("2027-03-29"), "no Easter Monday in Scotland");
    let added = casework(&["calendar", "add", "--nation", "england-and-wales", "2026-12-23", "5"], &[]);
    assert_eq!(String::from_utf8_lossy(&added.stdout).trim(), "2027-01-04 Monday");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bank-holidays.json");
    std::fs::write(
        &file,
        r#"{"england-and-wales":{"division":"england-and-wales","events":[{"title":"Extra day","date":"2027-06-01","notes":"","bunting":true}]},
            "scotland":{"division":"scotland","events":[]},"northern-ireland":{"division":"northern-ireland","events":[]}}"#,
    )
    .unwrap();
    let database = db(dir.path());
    let imported = casework(&["calendar", "import", file.to_str().unwrap(), "--database", &database], &[]);
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(text(&imported).contains("1 one-off holidays added"), "{}", text(&imported));
    let bad = casework(&["calendar", "add", "--nation", "wales", "2026-12-23", "5"], &[]);
    assert!(!bad.status.success());
    assert!(text(&bad).contains("--nation"), "{}", text(&bad));
}

/// Runs SQL straight on the database file, as someone with the file but not the program might.
fn tamper(database: &str, statements: &[&str]) -> Vec<(String, String)> {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::Connection;
        let mut direct = sqlx::SqliteConnection::connect(&format!("sqlite:{database}")).await.unwrap();
        let picked: Vec<(String, String)> = sqlx::query_as(
            "SELECT e.id, c.reference FROM events e JOIN cases c ON c.id = e.case_id ORDER BY e.id LIMIT 1 OFFSET 5",
        )
        .fetch_all(&mut direct)
        .await
        .unwrap();
        for statement in statements {
            let statement = statement.replace("$EVENT", &picked[0].0);
            sqlx::query(&statement).execute(&mut direct).await.unwrap();
        }
        picked
    })
}

#[test]
fn verify_walks_every_history_chain_and_names_the_first_break() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("demo.db").display().to_string();
    assert!(casework(&["demo", "--no-serve", "--database", &database], &[]).status.success());
    let intact = casework(&["verify", "--database", &database], &[]);
    assert!(intact.status.success(), "{}", text(&intact));
    assert!(text(&intact).contains("every chain intact"), "{}", text(&intact));

    // Someone with the file drops the guard and rewrites one event.
    let picked = tamper(
        &database,
        &["DROP TRIGGER events_are_never_updated", "UPDATE events SET after = '{\"note\":\"rewritten\"}' WHERE id = '$EVENT'"],
    );
    let (event, reference) = &picked[0];
    let broken = casework(&["verify", "--database", &database], &[]);
    assert!(!broken.status.success(), "a changed event fails the check");
    let said = text(&broken);
    assert!(
        said.contains(&format!("case {reference}: the event at position")) && said.contains("was changed after it was written"),
        "{said}"
    );
    assert!(said.contains(event.as_str()), "the event is named: {said}");
    assert_eq!(said.lines().filter(|l| l.starts_with("case ")).count(), 1, "only the broken chain is reported: {said}");

    // An event slipped in around the program is outside every chain.
    tamper(
        &database,
        &["INSERT INTO events (id, case_id, actor_id, at, kind, subject_type, subject_id, before, after)
           SELECT '01900000-0000-7000-8000-000000000001', case_id, actor_id, at, kind, subject_type, subject_id, before, after
           FROM events WHERE id = '$EVENT'"],
    );
    let slipped = casework(&["verify", "--database", &database], &[]);
    assert!(text(&slipped).contains("is not in its chain"), "{}", text(&slipped));
}

/// An HTTP client signed in to a running server as `username`.
async fn signed_in(address: &str, username: &str, password: &str) -> reqwest::Client {
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let answer = client
        .post(format!("http://{address}/api/v1/session"))
        .json(&serde_json::json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{username} signs in: {}", answer.status());
    client
}

const PASSWORD: &str = "granite lantern orchard 1987 kettle";

/// Adds the recovery service manager these tests sign in as.
fn add_keeper(database: &str) {
    let add = casework(
        &["user", "add", "sam.keeper", "--name", "Sam Keeper", "--role", "recovery:service-manager", "--database", database],
        &[("CASEWORK_PASSWORD", PASSWORD)],
    );
    assert!(add.status.success(), "{}", text(&add));
}

/// Opens a recovery case for a person of that family name; returns its id.
/// Sends a contact note to a case, under an idempotency key when one is given.
async fn send_note(
    client: &reqwest::Client,
    address: &str,
    case: &str,
    body: &str,
    key: Option<&str>,
) -> reqwest::Result<reqwest::Response> {
    let mut request = client
        .post(format!("http://{address}/api/v1/cases/{case}/notes"))
        .json(&serde_json::json!({ "kind": "contact", "body": body }));
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await
}

async fn open_case(client: &reqwest::Client, address: &str, family_name: &str) -> String {
    let case: serde_json::Value = client
        .post(format!("http://{address}/api/v1/cases"))
        .json(&serde_json::json!({ "service": "recovery", "source": "staff", "summary": "Asked for support",
            "person": { "given_name": "Alex", "family_name": family_name } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    case["id"].as_str().unwrap().to_owned()
}

#[test]
fn a_backup_taken_while_the_server_writes_restores_to_a_working_installation() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db").display().to_string();
    add_keeper(&live);
    let server = Server::start(&live);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let address = server.address.clone();
    let content = b"%PDF-1.4\nA letter kept on the case\n%%EOF\n".to_vec();
    let (case, document, client) = runtime.block_on(async {
        let client = signed_in(&address, "sam.keeper", PASSWORD).await;
        let id = open_case(&client, &address, "Backup").await;
        let form = reqwest::multipart::Form::new()
            .text("title", "Letter")
            .part("file", reqwest::multipart::Part::bytes(content.clone()).file_name("letter.pdf"));
        let document: serde_json::Value = client
            .post(format!("http://{address}/api/v1/cases/{id}/documents"))
            .multipart(form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (id, document["id"].as_str().unwrap().to_owned(), client)
    });

    // Notes keep arriving while the backup is taken; every note acknowledged before it
    // started must be in it.
    let writing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(Instant, String)>::new()));
    let writer = {
        let (writing, acknowledged, address, case) = (writing.clone(), acknowledged.clone(), address.clone(), case.clone());
        runtime.spawn(async move {
            let mut n = 0;
            // At most one page of notes, so the restored case shows them all on one.
            while writing.load(std::sync::atomic::Ordering::SeqCst) && n < 150 {
                n += 1;
                let answer = send_note(&client, &address, &case, &format!("Contact number {n}"), None).await.unwrap();
                assert_eq!(answer.status(), reqwest::StatusCode::CREATED);
                let note: serde_json::Value = answer.json().await.unwrap();
                acknowledged.lock().unwrap().push((Instant::now(), note["id"].as_str().unwrap().to_owned()));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let backup_dir = dir.path().join("backup").display().to_string();
    let started = Instant::now();
    let backup = casework(&["backup", "--database", &live, "--to", &backup_dir], &[]);
    assert!(backup.status.success(), "{}", text(&backup));
    writing.store(false, std::sync::atomic::Ordering::SeqCst);
    runtime.block_on(writer).unwrap();
    assert!(
        text(&backup).contains("every history chain checked") && text(&backup).contains("1 files copied"),
        "{}",
        text(&backup)
    );
    let before_backup: Vec<String> =
        acknowledged.lock().unwrap().iter().filter(|(at, _)| *at < started).map(|(_, id)| id.clone()).collect();
    assert!(!before_backup.is_empty());

    let again = casework(&["backup", "--database", &live, "--to", &backup_dir], &[]);
    assert!(!again.status.success() && text(&again).contains("not empty"), "{}", text(&again));
    drop(server);

    let restored = dir.path().join("restored.db").display().to_string();
    let restore = casework(&["restore", "--from", &backup_dir, "--database", &restored], &[]);
    assert!(restore.status.success(), "{}", text(&restore));
    let over = casework(&["restore", "--from", &backup_dir, "--database", &restored], &[]);
    assert!(!over.status.success() && text(&over).contains("never over one"), "{}", text(&over));
    let verify = casework(&["verify", "--database", &restored], &[]);
    assert!(verify.status.success(), "{}", text(&verify));

    // The restored installation serves the case, every note acknowledged before the backup,
    // and the document byte for byte.
    let server = Server::start(&restored);
    runtime.block_on(async {
        let address = &server.address;
        let client = signed_in(address, "sam.keeper", PASSWORD).await;
        let notes: serde_json::Value = client
            .get(format!("http://{address}/api/v1/cases/{case}/notes?limit=200"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let held: Vec<&str> = notes["items"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
        for id in &before_backup {
            assert!(held.contains(&id.as_str()), "note {id} acknowledged before the backup is in it");
        }
        let file = client.get(format!("http://{address}/api/v1/cases/{case}/documents/{document}/content")).send().await.unwrap();
        assert_eq!(file.status(), reqwest::StatusCode::OK);
        assert_eq!(file.bytes().await.unwrap().to_vec(), content);
    });
}

/// What one client knows of its writes: acknowledged ones with the note made, and the one
/// whose answer never came (the server was killed), to be sent again with the same key.
#[derive(Default)]
struct ClientWrites {
    acknowledged: Vec<(String, String)>,
    unanswered: Option<String>,
}

/// Writes notes with idempotency keys until the server stops answering.
async fn write_until_killed(
    client: reqwest::Client,
    address: String,
    case: String,
    name: String,
    writes: &mut ClientWrites,
    made: std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    let mut n = writes.acknowledged.len();
    loop {
        let key = writes.unanswered.take().unwrap_or_else(|| {
            n += 1;
            format!("{name}-{n}")
        });
        let sent = send_note(&client, &address, &case, &format!("Note {key}"), Some(&key)).await;
        let answer = match sent {
            Ok(answer) => answer,
            Err(_) => {
                writes.unanswered = Some(key);
                return;
            }
        };
        let status = answer.status();
        match answer.json::<serde_json::Value>().await {
            Ok(note) if status == reqwest::StatusCode::CREATED || status == reqwest::StatusCode::OK => {
                writes.acknowledged.push((key, note["id"].as_str().unwrap().to_owned()));
                made.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            Ok(other) => panic!("a write was refused with {status}: {other}"),
            Err(_) => {
                writes.unanswered = Some(key);
                return;
            }
        }
    }
}

/// Every acknowledged note (`Note <key>`) is there with its history event, nothing is there
/// twice, no note is without its event, and the engine's integrity check passes.
async fn assert_each_acknowledged_note_once(database: &str, acknowledged: &[(String, String)]) {
    let mut conn = connect(database).await;
    for (key, id) in acknowledged {
        let body: Option<String> =
            sqlx::query_scalar("SELECT body FROM notes WHERE id = $1").bind(id).fetch_optional(&mut conn).await.unwrap();
        assert_eq!(body.as_deref(), Some(format!("Note {key}").as_str()), "acknowledged note {key} is there");
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE subject_id = $1 AND kind = 'note-added'")
            .bind(id)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(events, 1, "note {key} has its history event");
    }
    let twice: Vec<(String, i64)> =
        sqlx::query_as("SELECT body, COUNT(*) FROM notes GROUP BY body HAVING COUNT(*) > 1").fetch_all(&mut conn).await.unwrap();
    assert!(twice.is_empty(), "nothing is there twice: {twice:?}");
    let orphans: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM notes n WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.subject_id = n.id)")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(orphans, 0, "no note without its event");
    assert_sound(database, &mut conn).await;
}

/// The engine's own integrity check passes: SQLite's, or on PostgreSQL amcheck over every
/// B-tree index (which also reads every table the index points into).
async fn assert_sound(database: &str, conn: &mut sqlx::AnyConnection) {
    if is_postgres(database) {
        sqlx::query("CREATE EXTENSION IF NOT EXISTS amcheck").execute(&mut *conn).await.unwrap();
        let checked: i64 = sqlx::query_scalar(
            "SELECT COUNT(bt_index_check(c.oid, true)::text) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE a.amname = 'btree' AND n.nspname = current_schema()",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        assert!(checked > 20, "every index was checked: {checked}");
    } else {
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&mut *conn).await.unwrap();
        assert_eq!(integrity, ["ok"]);
    }
}

#[test]
fn nothing_acknowledged_is_lost_when_the_server_is_killed_under_write_load() {
    const ROUNDS: usize = 20;
    const CLIENTS: usize = 8;
    let dir = tempfile::tempdir().unwrap();
    let database = db(dir.path());
    add_keeper(&database);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut writes: Vec<ClientWrites> = (0..CLIENTS).map(|_| ClientWrites::default()).collect();
    let mut case = String::new();
    for round in 0..ROUNDS {
        let mut server = Server::start(&database);
        let address = server.address.clone();
        writes = runtime.block_on(async {
            let client = signed_in(&address, "sam.keeper", PASSWORD).await;
            if case.is_empty() {
                case = open_case(&client, &address, "Crash").await;
            }
            let made = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let mut running = Vec::new();
            for (i, mut mine) in writes.into_iter().enumerate() {
                let (client, address, case, made) = (client.clone(), address.clone(), case.clone(), made.clone());
                running.push(tokio::spawn(async move {
                    write_until_killed(client, address, case, format!("client{i}"), &mut mine, made).await;
                    mine
                }));
            }
            // Under load first (however busy the machine), then killed at a different
            // moment each round, mid-write.
            let deadline = Instant::now() + Duration::from_secs(60);
            while made.load(std::sync::atomic::Ordering::SeqCst) < CLIENTS * 2 {
                assert!(Instant::now() < deadline, "no writes got through in round {round}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            tokio::time::sleep(Duration::from_millis(20 + 37 * (round as u64 % 9))).await;
            server.child.kill().unwrap();
            server.child.wait().unwrap();
            let mut back = Vec::new();
            for task in running {
                back.push(task.await.unwrap());
            }
            back
        });
    }

    // Once more, to send the last unanswered writes again: each makes at most one note.
    let server = Server::start(&database);
    runtime.block_on(async {
        let client = signed_in(&server.address, "sam.keeper", PASSWORD).await;
        for (i, mine) in writes.iter_mut().enumerate() {
            if let Some(key) = mine.unanswered.take() {
                let answer = send_note(&client, &server.address, &case, &format!("Note {key}"), Some(&key)).await.unwrap();
                assert!(answer.status().is_success(), "client {i}: {}", answer.status());
                let note: serde_json::Value = answer.json().await.unwrap();
                mine.acknowledged.push((key, note["id"].as_str().unwrap().to_owned()));
            }
        }
    });
    drop(server);

    let acknowledged: Vec<(String, String)> = writes.into_iter().flat_map(|w| w.acknowledged).collect();
    assert!(acknowledged.len() > ROUNDS * CLIENTS, "load was put on every round: {} writes", acknowledged.len());
    runtime.block_on(assert_each_acknowledged_note_once(&database, &acknowledged));
    let verify = casework(&["verify", "--database", &database], &[]);
    assert!(verify.status.success(), "{}", text(&verify));
}

/// A PostgreSQL server of one test's own, so it can be stopped hard and started again
/// without disturbing the server the other tests share. `None` when the test run has no
/// PostgreSQL (`scripts/with-postgres` names its binaries).
struct OwnPostgres {
    dir: tempfile::TempDir,
    bin: String,
    user: String,
    url: String,
}

impl OwnPostgres {
    fn start() -> Option<OwnPostgres> {
        let bin = std::env::var("CASEWORK_TEST_PGBIN").ok()?;
        let user = std::env::var("CASEWORK_TEST_PGUSER").ok()?;
        // In /tmp so the server's user can reach it and the socket path stays short.
        let dir = tempfile::Builder::new().prefix("casework-pg-").tempdir_in("/tmp").unwrap();
        assert!(Command::new("chown").arg(format!("{user}:")).arg(dir.path()).status().unwrap().success());
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let server = OwnPostgres { url: format!("postgres://casework@127.0.0.1:{port}/postgres"), dir, bin, user };
        let data = server.data();
        assert!(server.run("initdb", &["-D", &data, "--auth=trust", "--username=casework", "--encoding=UTF8", "--locale=C"]));
        let settings = format!(
            "listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{}'\nfsync = on\nsynchronous_commit = on\n",
            server.dir.path().display()
        );
        std::fs::OpenOptions::new()
            .append(true)
            .open(format!("{data}/postgresql.conf"))
            .unwrap()
            .write_all(settings.as_bytes())
            .unwrap();
        server.start_again();
        Some(server)
    }

    fn data(&self) -> String {
        format!("{}/data", self.dir.path().display())
    }

    fn run(&self, program: &str, args: &[&str]) -> bool {
        Command::new("runuser")
            .current_dir(self.dir.path())
            .args(["-u", &self.user, "--", &format!("{}/{program}", self.bin)])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .success()
    }

    /// As a power cut or a killed server: no checkpoint, in-flight transactions lost.
    fn stop_immediately(&self) {
        assert!(self.run("pg_ctl", &["-D", &self.data(), "-m", "immediate", "-w", "stop"]));
    }

    fn start_again(&self) {
        let log = format!("{}/server.log", self.dir.path().display());
        assert!(self.run("pg_ctl", &["-D", &self.data(), "-l", &log, "-w", "-t", "60", "start"]));
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }
}

/// What one client saw while the database went away and came back.
#[derive(Default)]
struct OutageWrites {
    acknowledged: Vec<(String, String)>,
    unavailable: usize,
    after_restart: usize,
}

#[test]
fn a_postgresql_crash_under_load_gives_clean_errors_loses_nothing_acknowledged_and_casework_recovers_by_itself() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU8, Ordering};
    const CLIENTS: usize = 8;
    let Some(postgres) = OwnPostgres::start() else {
        eprintln!("skipped: this test run has no PostgreSQL (run it under scripts/with-postgres)");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let database = runtime.block_on(casework_app::store::testing::create_database(&postgres.url)).unwrap();
    add_keeper(&database);
    let server = Server::start(&database);
    let address = server.address.clone();
    // 0: database up; 1: stopped; 2: started again; 3: time to finish.
    let phase = Arc::new(AtomicU8::new(0));
    let writes: Vec<OutageWrites> = runtime.block_on(async {
        let client = signed_in(&address, "sam.keeper", PASSWORD).await;
        let case = open_case(&client, &address, "Outage").await;
        let mut running = Vec::new();
        for i in 0..CLIENTS {
            let (client, address, case, phase) = (client.clone(), address.clone(), case.clone(), phase.clone());
            running.push(tokio::spawn(async move {
                let mut mine = OutageWrites::default();
                let mut n = 0;
                let mut key = format!("client{i}-0");
                while phase.load(Ordering::SeqCst) < 3 {
                    let answer = send_note(&client, &address, &case, &format!("Note {key}"), Some(&key))
                        .await
                        .expect("Casework itself keeps answering while the database is away");
                    let status = answer.status();
                    let body: serde_json::Value = answer.json().await.expect("every answer is a JSON document");
                    if status.is_success() {
                        mine.acknowledged.push((key.clone(), body["id"].as_str().unwrap().to_owned()));
                        if phase.load(Ordering::SeqCst) == 2 {
                            mine.after_restart += 1;
                        }
                        n += 1;
                        key = format!("client{i}-{n}");
                    } else {
                        // A clean refusal to try again later, never a half-answer; the same
                        // key is sent again.
                        assert_eq!(status, reqwest::StatusCode::SERVICE_UNAVAILABLE, "{body}");
                        assert!(body["title"].is_string() && body["detail"].is_string(), "{body}");
                        mine.unavailable += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
                mine
            }));
        }
        tokio::time::sleep(Duration::from_millis(800)).await;
        postgres.stop_immediately();
        phase.store(1, Ordering::SeqCst);
        let ready = reqwest::get(format!("http://{address}/readyz")).await.unwrap();
        assert_eq!(ready.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE, "not ready without the database");
        tokio::time::sleep(Duration::from_secs(2)).await;
        postgres.start_again();
        phase.store(2, Ordering::SeqCst);
        // Recovered by itself: every client gets writes through again, with no restart of
        // Casework. (A generous deadline; this is not a measure of speed.)
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let ready = reqwest::get(format!("http://{address}/readyz")).await.unwrap();
            if ready.status().is_success() {
                break;
            }
            assert!(Instant::now() < deadline, "Casework did not recover");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        phase.store(3, Ordering::SeqCst);
        let mut back = Vec::new();
        for task in running {
            back.push(task.await.unwrap());
        }
        back
    });
    drop(server);

    let unavailable: usize = writes.iter().map(|w| w.unavailable).sum();
    eprintln!("{unavailable} answers of 'unavailable' during the outage");
    assert!(unavailable > 0, "the outage was met");
    assert!(writes.iter().all(|w| w.after_restart > 0), "every client wrote again after the restart");
    let acknowledged: Vec<(String, String)> = writes.into_iter().flat_map(|w| w.acknowledged).collect();
    runtime.block_on(assert_each_acknowledged_note_once(&database, &acknowledged));
    let verify = casework(&["verify", "--database", &database], &[]);
    assert!(verify.status.success(), "{}", text(&verify));
}

#[test]
fn a_postgresql_installation_restored_from_pg_dump_serves_what_it_held() {
    let (Some(server_url), Ok(bin)) = (casework_app::store::testing::postgres_server(), std::env::var("CASEWORK_TEST_PGBIN"))
    else {
        eprintln!("skipped: this test run has no PostgreSQL (run it under scripts/with-postgres)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let database = db(dir.path());
    add_keeper(&database);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = Server::start(&database);
    let (case, note) = runtime.block_on(async {
        let client = signed_in(&server.address, "sam.keeper", PASSWORD).await;
        let case = open_case(&client, &server.address, "Dumped").await;
        let note: serde_json::Value = send_note(&client, &server.address, &case, "Said the allotment was flooded", None)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (case, note["id"].as_str().unwrap().to_owned())
    });

    // As the README says: pg_dump's custom format, taken while the server runs, restored
    // into a new empty database.
    let dump = dir.path().join("casework.dump");
    let dumped = Command::new(format!("{bin}/pg_dump"))
        .args(["--format=custom", "--file", dump.to_str().unwrap(), "--dbname", &database])
        .output()
        .unwrap();
    assert!(dumped.status.success(), "{}", text(&dumped));
    drop(server);
    let restored = runtime.block_on(casework_app::store::testing::create_database(&server_url)).unwrap();
    let loaded = Command::new(format!("{bin}/pg_restore"))
        .args(["--exit-on-error", "--no-owner", "--dbname", &restored, dump.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(loaded.status.success(), "{}", text(&loaded));

    let verify = casework(&["verify", "--database", &restored], &[]);
    assert!(verify.status.success(), "{}", text(&verify));
    let server = Server::start(&restored);
    runtime.block_on(async {
        let client = signed_in(&server.address, "sam.keeper", PASSWORD).await;
        let notes: serde_json::Value = client
            .get(format!("http://{}/api/v1/cases/{case}/notes", server.address))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(notes["items"][0]["id"], note.as_str());
        let found: serde_json::Value =
            client.get(format!("http://{}/api/v1/search?q=flooded", server.address)).send().await.unwrap().json().await.unwrap();
        assert_eq!(found["items"][0]["case"], case.as_str(), "the search index came back too: {found}");
    });
}

/// The rows in every table of the database, for seeing what changed.
fn table_counts(database: &str) -> Vec<(String, i64)> {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        use casework_app::store::meta;
        let mut conn = connect(database).await;
        let mut counts = Vec::new();
        for table in meta::tables(&mut conn).await.unwrap() {
            let rows = meta::count(&mut conn, &table).await.unwrap();
            counts.push((table, rows));
        }
        counts
    })
}

/// The cases a full-text search finds, in id order.
async fn found(client: &reqwest::Client, address: &str, query: &str) -> Vec<String> {
    let answer =
        client.get(format!("http://{address}/api/v1/search")).query(&[("q", query), ("limit", "100")]).send().await.unwrap();
    assert_eq!(answer.status(), reqwest::StatusCode::OK);
    let results: serde_json::Value = answer.json().await.unwrap();
    let mut cases: Vec<String> =
        results["items"].as_array().unwrap().iter().map(|r| r["case"].as_str().unwrap().to_owned()).collect();
    cases.sort();
    cases
}

#[test]
fn copy_moves_a_whole_installation_into_an_empty_database_and_checks_every_table() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("demo.db").display().to_string();
    let demo = casework(&["demo", "--no-serve", "--database", &source], &[]);
    assert!(demo.status.success(), "{}", text(&demo));
    // A new PostgreSQL database when the run names a server, else a new SQLite file.
    let target = db(dir.path());

    let copied = casework(&["copy", "--from", &source, "--to", &target], &[]);
    assert!(copied.status.success(), "{}", text(&copied));
    let said = text(&copied);
    let counts = table_counts(&source);
    for (table, rows) in &counts {
        let line = format!("{table}: {rows} rows, checksum ok");
        assert!(said.lines().any(|l| l == line), "'{line}' missing:\n{said}");
    }
    for table in ["cases", "events", "event_chain", "notes", "search_documents", "users", "access_log"] {
        assert!(counts.iter().any(|(t, rows)| t == table && *rows > 0), "the demo has {table}: {counts:?}");
    }
    assert!(said.contains("documents: not copied"), "{said}");
    assert_eq!(table_counts(&target), counts, "the copy holds as many rows as the source in every table");

    let verified = |database: &str| {
        let verify = casework(&["verify", "--database", database], &[]);
        assert!(verify.status.success(), "{}", text(&verify));
        text(&verify).lines().find(|l| l.contains("every chain intact")).unwrap().to_owned()
    };
    assert_eq!(verified(&target), verified(&source), "the same chains and events, every one intact");

    // Copying again onto what is now a full database is refused and changes nothing.
    let before = table_counts(&target);
    let again = casework(&["copy", "--from", &source, "--to", &target], &[]);
    assert!(!again.status.success());
    assert!(text(&again).contains("nothing was copied: the target database is not empty"), "{}", text(&again));
    assert_eq!(table_counts(&target), before);

    // And back again, into a new SQLite file (from PostgreSQL, when the copy is there).
    let back = dir.path().join("back.db").display().to_string();
    let returned = casework(&["copy", "--from", &target, "--to", &back], &[]);
    assert!(returned.status.success(), "{}", text(&returned));
    assert_eq!(table_counts(&back), counts);

    // The new installation serves the source's cases and its search finds what the old one does.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (case, reference, family_name, word) = runtime.block_on(async {
        let mut conn = connect(&source).await;
        let (case, reference, family_name): (String, String, String) = sqlx::query_as(
            "SELECT c.id, c.reference, p.family_name FROM cases c JOIN people p ON p.id = c.person_id
             WHERE c.service = 'recovery' AND c.restriction = 'none' ORDER BY c.reference LIMIT 1",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT n.body FROM notes n JOIN cases c ON c.id = n.case_id
             WHERE c.service = 'recovery' ORDER BY n.id",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let word = bodies
            .iter()
            .flat_map(|b| b.split_whitespace())
            .find(|w| w.len() > 6 && w.chars().all(|c| c.is_ascii_alphabetic()))
            .unwrap()
            .to_owned();
        (case, reference, family_name, word)
    });
    let old = Server::start(&source);
    let new = Server::start(&target);
    runtime.block_on(async {
        let password = "demo-password-2026";
        let on_old = signed_in(&old.address, "recovery.service-manager", password).await;
        let on_new = signed_in(&new.address, "recovery.service-manager", password).await;
        let answer = on_new.get(format!("http://{}/api/v1/cases/{case}", new.address)).send().await.unwrap();
        assert_eq!(answer.status(), reqwest::StatusCode::OK);
        let shown: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(shown["reference"], reference.as_str());
        for query in [family_name.as_str(), word.as_str()] {
            let there = found(&on_old, &old.address, query).await;
            assert!(!there.is_empty(), "'{query}' finds something on the source");
            assert_eq!(found(&on_new, &new.address, query).await, there, "'{query}' finds the same cases");
        }
        // New records take new ids after the copied ones (PostgreSQL's sequences were moved on).
        let note = send_note(&on_new, &new.address, &case, "Talked about the harpsichord lessons", None).await.unwrap();
        assert_eq!(note.status(), reqwest::StatusCode::CREATED);
        assert_eq!(found(&on_new, &new.address, "harpsichord").await, vec![case.clone()]);
    });
}

/// Moves the time of every server reading the clock file: written beside it and renamed
/// over it, so a reader never sees half an instant.
fn set_clock(file: &Path, at: jiff::Timestamp) {
    let next = file.with_extension("next");
    std::fs::write(&next, at.to_string()).unwrap();
    std::fs::rename(&next, file).unwrap();
}

/// A number the database answers with.
async fn number(conn: &mut sqlx::AnyConnection, query: &str) -> i64 {
    sqlx::query_scalar(query).fetch_one(&mut *conn).await.unwrap()
}

/// Waits (polling, with a generous deadline) until the query answers `want`.
async fn wait_for(conn: &mut sqlx::AnyConnection, what: &str, query: &str, want: i64) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let got = number(conn, query).await;
        if got == want {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: {got}, not {want}, after two minutes ({query})");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `'a', 'b'` for an `IN (…)` of ids the test made.
fn quoted(ids: &[String]) -> String {
    ids.iter().map(|id| format!("'{id}'")).collect::<Vec<_>>().join(", ")
}

/// The holder of a job's lease, if any.
async fn lease_holder(conn: &mut sqlx::AnyConnection, job: &str) -> Option<String> {
    sqlx::query_scalar("SELECT holder FROM job_leases WHERE job = $1").bind(job).fetch_optional(&mut *conn).await.unwrap()
}

/// The process a lease holder names (`host:pid:random`).
fn holder_pid(holder: &str) -> u32 {
    holder.split(':').nth(1).unwrap().parse().unwrap()
}

/// Opens a public-law family-court case (alerts the service manager at 38 weeks, then
/// every 3); returns its id.
async fn open_public_law_case(client: &reqwest::Client, address: &str, family_name: &str) -> String {
    let answer = client
        .post(format!("http://{address}/api/v1/cases"))
        .json(&serde_json::json!({ "service": "family-court", "source": "agency", "summary": "Care proceedings issued",
            "level": "public-law-s31", "person": { "given_name": "Mia", "family_name": family_name },
            "forms": [{ "form": "court-application", "answers": { "application": "C110A: care order (section 31)" } }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), reqwest::StatusCode::CREATED);
    answer.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

/// Writes notes with idempotency keys until told to stop or the server stops answering.
async fn write_until_stopped(
    client: reqwest::Client,
    address: String,
    case: String,
    name: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> ClientWrites {
    let mut writes = ClientWrites::default();
    for n in 1.. {
        if stop.load(std::sync::atomic::Ordering::SeqCst) {
            break;
        }
        let key = format!("{name}-{n}");
        let sent = send_note(&client, &address, &case, &format!("Note {key}"), Some(&key)).await;
        let Ok(answer) = sent else {
            writes.unanswered = Some(key);
            break;
        };
        let status = answer.status();
        match answer.json::<serde_json::Value>().await {
            Ok(note) if status.is_success() => writes.acknowledged.push((key, note["id"].as_str().unwrap().to_owned())),
            Ok(other) => panic!("a write through {address} was refused with {status}: {other}"),
            Err(_) => {
                writes.unanswered = Some(key);
                break;
            }
        }
    }
    writes
}

#[test]
fn instances_on_one_database_share_sessions_and_writes_and_run_each_job_once_taking_over_from_a_killed_one() {
    const CLIENTS_PER_INSTANCE: usize = 2;
    const CASES_PER_CLIENT: usize = 2;
    let dir = tempfile::tempdir().unwrap();
    let database = db(dir.path());
    let add = casework(
        &[
            "user",
            "add",
            "fay.manager",
            "--name",
            "Fay Manager",
            "--role",
            "family-court:service-manager",
            "--role",
            "recovery:service-manager",
            "--database",
            &database,
        ],
        &[("CASEWORK_PASSWORD", PASSWORD)],
    );
    assert!(add.status.success(), "{}", text(&add));
    let week = jiff::SignedDuration::from_hours(24 * 7);
    let minute = jiff::SignedDuration::from_mins(1);
    let t0: jiff::Timestamp = "2027-01-04T09:00:00Z".parse().unwrap(); // a Monday
    let clock = dir.path().join("clock");
    set_clock(&clock, t0);
    let arguments = ["--clock-file", clock.to_str().unwrap(), "--housekeeping-every", "200ms"];
    let mut servers: Vec<Server> = (0..3).map(|_| Server::start_with(&database, &arguments)).collect();
    let addresses: Vec<String> = servers.iter().map(|s| s.address.clone()).collect();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut conn = runtime.block_on(connect(&database));
    let micros = |at: jiff::Timestamp| at.as_microsecond();
    let runs_at = |at: jiff::Timestamp| {
        format!(
            "SELECT COUNT(*) FROM job_runs WHERE job IN ('timers', 'alerts') AND started_at = {} AND finished_at IS NOT NULL",
            micros(at)
        )
    };

    // A session made on one instance works on the others; a write through one is seen at
    // once through the others.
    let mut recovery_cases = Vec::new();
    let mut family_cases = Vec::new();
    runtime.block_on(async {
        let client = signed_in(&addresses[0], "fay.manager", PASSWORD).await;
        let stranger = reqwest::Client::new();
        for address in &addresses {
            let me = client.get(format!("http://{address}/api/v1/me")).send().await.unwrap();
            assert_eq!(me.status(), reqwest::StatusCode::OK, "the session made on the first instance works on {address}");
            let refused = stranger.get(format!("http://{address}/api/v1/me")).send().await.unwrap();
            assert_eq!(refused.status(), reqwest::StatusCode::UNAUTHORIZED);
        }
        let case = open_case(&client, &addresses[0], "Shared").await;
        for (i, address) in addresses.iter().enumerate() {
            let note = send_note(&client, address, &case, &format!("Written through instance {i}"), None).await.unwrap();
            assert_eq!(note.status(), reqwest::StatusCode::CREATED);
            let note: serde_json::Value = note.json().await.unwrap();
            for other in &addresses {
                let notes: serde_json::Value =
                    client.get(format!("http://{other}/api/v1/cases/{case}/notes")).send().await.unwrap().json().await.unwrap();
                assert!(
                    notes["items"].as_array().unwrap().iter().any(|n| n["id"] == note["id"]),
                    "a note written through instance {i} is seen at once through {other}"
                );
            }
        }
        recovery_cases.push(case);

        // Load through all three: several clients each opening cases whose deadlines and
        // alerts fall due later.
        let mut opening = Vec::new();
        for (i, address) in addresses.iter().enumerate() {
            for c in 0..CLIENTS_PER_INSTANCE {
                let address = address.clone();
                opening.push(tokio::spawn(async move {
                    let client = signed_in(&address, "fay.manager", PASSWORD).await;
                    let (mut family, mut recovery) = (Vec::new(), Vec::new());
                    for k in 0..CASES_PER_CLIENT {
                        family.push(open_public_law_case(&client, &address, &format!("Family{i}x{c}x{k}")).await);
                        recovery.push(open_case(&client, &address, &format!("Recovery{i}x{c}x{k}")).await);
                    }
                    (family, recovery)
                }));
            }
        }
        for task in opening {
            let (family, recovery) = task.await.unwrap();
            family_cases.extend(family);
            recovery_cases.extend(recovery);
        }
        wait_for(&mut conn, "the first round ran at the start", &runs_at(t0), 2).await;
    });
    let family = i64::try_from(family_cases.len()).unwrap();
    let first_recovery = recovery_cases.clone();

    // Deadlines fall due; the 38-week alerts not yet. Whoever holds the leases does the work.
    let ta = t0 + week * 38 - minute;
    set_clock(&clock, ta);
    let breaches_of = |cases: &[String]| {
        format!("SELECT COUNT(*) FROM events WHERE kind = 'timer-breached' AND case_id IN ({})", quoted(cases))
    };
    let alerts_at =
        |occurrence: i64| format!("SELECT COUNT(*) FROM alerts WHERE rule = 'public-law-38-weeks' AND occurrence = {occurrence}");
    let (killed, killed_jobs, mut writes) = runtime.block_on(async {
        wait_for(&mut conn, "every first deadline breached", &breaches_of(&first_recovery), first_recovery.len() as i64).await;
        wait_for(&mut conn, "timers and alerts ran once at this time", &runs_at(ta), 2).await;
        assert_eq!(number(&mut conn, &alerts_at(1)).await, 0, "no alert before its time");

        // Kill the holder of the alerts lease with SIGKILL just as the alerts fall due (mid-job
        // or not), while clients write through every instance.
        let holder = lease_holder(&mut conn, "alerts").await.unwrap();
        let killed_jobs: Vec<String> =
            sqlx::query_scalar("SELECT job FROM job_leases WHERE holder = $1").bind(&holder).fetch_all(&mut conn).await.unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut writing = Vec::new();
        for (i, address) in addresses.iter().enumerate() {
            let client = signed_in(address, "fay.manager", PASSWORD).await;
            let (address, case, stop) = (address.clone(), recovery_cases[0].clone(), stop.clone());
            writing.push(tokio::spawn(write_until_stopped(client, address, case, format!("writer{i}"), stop)));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let victim = servers.iter_mut().find(|s| s.child.id() == holder_pid(&holder)).unwrap();
        set_clock(&clock, t0 + week * 38 + minute);
        victim.child.kill().unwrap();
        victim.child.wait().unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut writes = Vec::new();
        for task in writing {
            writes.push(task.await.unwrap());
        }
        (holder, killed_jobs, writes)
    });
    let killed_pid = holder_pid(&killed);
    servers.retain(|s| s.child.id() != killed_pid);
    let survivors: Vec<String> = servers.iter().map(|s| s.address.clone()).collect();
    let tb = t0 + week * 38 + minute;
    let cut_off: i64 = runtime
        .block_on(number(&mut conn, &format!("SELECT COUNT(*) FROM job_runs WHERE holder = '{killed}' AND finished_at IS NULL")));
    println!("killed {killed}, which held {killed_jobs:?}; runs it left unfinished: {cut_off}");

    let second_recovery = runtime.block_on(async {
        // More work through the survivors; a write the killed instance never answered is sent
        // again through another, with the same key: it makes at most one note.
        let client = signed_in(&survivors[0], "fay.manager", PASSWORD).await;
        let mut opened = Vec::new();
        for (i, address) in survivors.iter().enumerate() {
            for k in 0..CASES_PER_CLIENT * 2 {
                opened.push(open_case(&client, address, &format!("Later{i}x{k}")).await);
            }
        }
        for (i, mine) in writes.iter_mut().enumerate() {
            if let Some(key) = mine.unanswered.take() {
                let answer =
                    send_note(&client, &survivors[i % survivors.len()], &recovery_cases[0], &format!("Note {key}"), Some(&key))
                        .await
                        .unwrap();
                assert!(answer.status().is_success(), "{key} sent again: {}", answer.status());
                let note: serde_json::Value = answer.json().await.unwrap();
                mine.acknowledged.push((key, note["id"].as_str().unwrap().to_owned()));
            }
        }

        // Until the killed holder's leases expire nobody else runs its jobs.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        for job in &killed_jobs {
            assert_eq!(lease_holder(&mut conn, job).await.as_deref(), Some(killed.as_str()), "{job} is not taken early");
            let others = number(
                &mut conn,
                &format!(
                    "SELECT COUNT(*) FROM job_runs WHERE job = '{job}' AND started_at = {} AND holder <> '{killed}'",
                    micros(tb)
                ),
            )
            .await;
            assert_eq!(others, 0, "nobody else ran {job} while the lease held");
        }

        // Past the expiry, another instance takes the jobs over and finishes the work.
        let tc = ta + minute * 10;
        set_clock(&clock, tc);
        for job in &killed_jobs {
            wait_for(
                &mut conn,
                &format!("{job} taken over"),
                &format!("SELECT COUNT(*) FROM job_leases WHERE job = '{job}' AND holder <> '{killed}'"),
                1,
            )
            .await;
        }
        wait_for(&mut conn, "each family case alerted at 38 weeks", &alerts_at(1), family).await;
        wait_for(&mut conn, "timers and alerts ran once after the takeover", &runs_at(tc), 2).await;

        // Three weeks on, the next alerts and the later deadlines fall due.
        let td = t0 + week * 41 + jiff::SignedDuration::from_hours(1);
        set_clock(&clock, td);
        wait_for(&mut conn, "each family case alerted at 41 weeks", &alerts_at(2), family).await;
        wait_for(&mut conn, "every later deadline breached", &breaches_of(&opened), opened.len() as i64).await;
        wait_for(&mut conn, "timers and alerts ran once at 41 weeks", &runs_at(td), 2).await;
        opened
    });

    // A clean shutdown hands the leases on at once.
    let stopping = servers.iter().position(|s| {
        runtime.block_on(number(&mut conn, &format!("SELECT COUNT(*) FROM job_leases WHERE holder LIKE '%:{}:%'", s.child.id())))
            > 0
    });
    if let Some(index) = stopping {
        let mut server = servers.remove(index);
        server.terminate();
        assert!(server.child.wait().unwrap().success());
        let left = runtime.block_on(number(
            &mut conn,
            &format!("SELECT COUNT(*) FROM job_leases WHERE holder LIKE '%:{}:%'", server.child.id()),
        ));
        assert_eq!(left, 0, "a stopped instance holds no lease");
    }
    drop(servers);

    let acknowledged: Vec<(String, String)> = writes.into_iter().flat_map(|w| w.acknowledged).collect();
    assert!(acknowledged.len() > 3, "writes went through every instance: {}", acknowledged.len());
    runtime.block_on(async {
        // Each alert occurrence exactly once, and only those due.
        let twice = number(
            &mut conn,
            "SELECT COUNT(*) FROM (SELECT schedule_id, occurrence FROM alerts WHERE schedule_id IS NOT NULL
             GROUP BY schedule_id, occurrence HAVING COUNT(*) > 1) twice",
        )
        .await;
        assert_eq!(twice, 0, "no alert occurrence twice");
        assert_eq!(number(&mut conn, "SELECT COUNT(*) FROM alerts WHERE rule = 'public-law-38-weeks'").await, 2 * family);
        for occurrence in [1, 2] {
            let cases = number(
                &mut conn,
                &format!(
                    "SELECT COUNT(DISTINCT case_id) FROM alerts WHERE rule = 'public-law-38-weeks' AND occurrence = {occurrence}"
                ),
            )
            .await;
            assert_eq!(cases, family, "occurrence {occurrence} of every family case");
        }
        assert_eq!(number(&mut conn, "SELECT COUNT(*) FROM alerts WHERE rule = 'public-law-45-weeks'").await, 0);

        // Each breached deadline has exactly one breach event.
        let all_recovery: Vec<String> = recovery_cases.iter().chain(&second_recovery).cloned().collect();
        let per_case: Vec<(String, i64)> =
            sqlx::query_as("SELECT case_id, COUNT(*) FROM events WHERE kind = 'timer-breached' GROUP BY case_id")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        assert_eq!(per_case.len(), all_recovery.len(), "{per_case:?}");
        for (case, breaches) in &per_case {
            assert!(all_recovery.contains(case), "only recovery deadlines were breached");
            assert_eq!(*breaches, 1, "case {case} breached once");
        }

        // Each slot of each job ran once; the killed instance's runs stop at the kill.
        let slots_twice = number(
            &mut conn,
            "SELECT COUNT(*) FROM (SELECT job, slot FROM job_runs GROUP BY job, slot HAVING COUNT(*) > 1) twice",
        )
        .await;
        assert_eq!(slots_twice, 0);
        let unfinished =
            number(&mut conn, &format!("SELECT COUNT(*) FROM job_runs WHERE finished_at IS NULL AND holder <> '{killed}'")).await;
        assert_eq!(unfinished, 0, "every run of a live instance finished");
        let late = number(
            &mut conn,
            &format!("SELECT COUNT(*) FROM job_runs WHERE holder = '{killed}' AND started_at > {}", micros(tb)),
        )
        .await;
        assert_eq!(late, 0);

        // Every acknowledged write is there, once.
        let all_cases: Vec<String> = all_recovery.iter().chain(&family_cases).cloned().collect();
        let cases = number(&mut conn, &format!("SELECT COUNT(*) FROM cases WHERE id IN ({})", quoted(&all_cases))).await;
        assert_eq!(cases, all_cases.len() as i64, "every case opened is there");
        for (key, id) in &acknowledged {
            let body: Option<String> =
                sqlx::query_scalar("SELECT body FROM notes WHERE id = $1").bind(id).fetch_optional(&mut conn).await.unwrap();
            assert_eq!(body.as_deref(), Some(format!("Note {key}").as_str()), "acknowledged note {key} is there");
        }
        let twice: Vec<(String, i64)> = sqlx::query_as("SELECT body, COUNT(*) FROM notes GROUP BY body HAVING COUNT(*) > 1")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        assert!(twice.is_empty(), "nothing is there twice: {twice:?}");
        assert_sound(&database, &mut conn).await;
    });
    let verify = casework(&["verify", "--database", &database], &[]);
    assert!(verify.status.success(), "{}", text(&verify));
    let jobs = casework(&["jobs", "--database", &database], &[]);
    assert!(jobs.status.success(), "{}", text(&jobs));
    assert!(text(&jobs).contains("alerts"), "{}", text(&jobs));
}

/// The shipped service definitions, as the tests read them.
fn shipped_definitions() -> Vec<casework_domain::service::ServiceDefinition> {
    let services = concat!(env!("CARGO_MANIFEST_DIR"), "/../../services");
    let mut definitions: Vec<_> = std::fs::read_dir(services)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| casework_domain::service::ServiceDefinition::from_toml(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect();
    definitions.sort_by(|a, b| a.code().cmp(b.code()));
    definitions
}

/// The account the seed made for a service's manager: the role that reads and writes every
/// case of the service with the most permissions.
fn seeded_manager(definition: &casework_domain::service::ServiceDefinition) -> String {
    use casework_domain::access::{Permission, Reach};
    let role = definition
        .roles
        .iter()
        .filter(|r| r.reach == Reach::Service && r.permissions.contains(&Permission::HistoryRead))
        .filter(|r| r.permissions.contains(&Permission::NoteAdd))
        .max_by_key(|r| r.permissions.len())
        .unwrap();
    format!("{}.{}", definition.code(), role.code)
}

#[test]
fn bench_seed_builds_an_installation_that_verifies_serves_and_searches() {
    let dir = tempfile::tempdir().unwrap();
    let database = db(dir.path());
    let seed = ["bench", "seed", "--cases", "200", "--batch", "64", "--as-of", "2026-11-01", "--database", &database];
    let output = casework(&seed, &[]);
    assert!(output.status.success(), "{}", text(&output));
    let printed = text(&output);
    assert!(printed.contains("bench-password-2026") && printed.contains("recovery.service-manager"), "{printed}");
    assert!(printed.lines().any(|l| l.starts_with("seeded ") && l.contains("cases 200")), "{printed}");

    let verify = casework(&["verify", "--database", &database], &[]);
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(text(&verify).contains("every chain intact"), "{}", text(&verify));

    let definitions = shipped_definitions();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (cases, notes, marked, stages) = runtime.block_on(async {
        let mut conn = connect(&database).await;
        let cases = number(&mut conn, "SELECT COUNT(*) FROM cases").await;
        let notes = number(&mut conn, "SELECT COUNT(*) FROM notes").await;
        let marked = number(&mut conn, "SELECT COUNT(*) FROM notes WHERE body LIKE '%kestrel%'").await;
        let stages: Vec<(String, String)> =
            sqlx::query_as("SELECT DISTINCT service, stage FROM cases").fetch_all(&mut conn).await.unwrap();
        for table in ["people", "referrals", "form_submissions", "tasks", "case_timers", "alerts", "plans", "access_log"] {
            assert!(number(&mut conn, &format!("SELECT COUNT(*) FROM {table}")).await > 0, "{table} is empty");
        }
        let closed = number(&mut conn, "SELECT COUNT(*) FROM cases WHERE status = 'closed'").await;
        assert!(closed > 0 && closed < cases / 2, "{closed} of {cases} closed");
        let searchable = number(&mut conn, "SELECT COUNT(*) FROM search_documents WHERE kind = 'note'").await;
        assert_eq!(searchable, notes, "every note is searchable");
        // The moves the reports read are kept as the loader writes the history.
        let closings = "SELECT COUNT(*) FROM events WHERE kind IN ('case-closed', 'case-reopened')";
        let kept = "SELECT COUNT(*) FROM case_moves WHERE kind IN ('closed', 'reopened')";
        assert_eq!(number(&mut conn, kept).await, number(&mut conn, closings).await);
        let staged = number(&mut conn, "SELECT COUNT(DISTINCT case_id) FROM case_moves WHERE kind = 'stage'").await;
        assert_eq!(staged, cases, "every case entered a stage");
        if !is_postgres(&database) {
            // The load builds SQLite's indexes at its end: afterwards the database has every
            // index and trigger a new one has, and the full-text index holds exactly the
            // search rows (FTS5's integrity check compares it with them).
            let fresh = format!("{}/fresh.db", dir.path().display());
            assert!(casework(&["verify", "--database", &fresh], &[]).status.success());
            let schema = "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY type, name";
            let seeded: Vec<(String, String, Option<String>)> = sqlx::query_as(schema).fetch_all(&mut conn).await.unwrap();
            let made: Vec<(String, String, Option<String>)> =
                sqlx::query_as(schema).fetch_all(&mut connect(&fresh).await).await.unwrap();
            assert!(seeded.iter().filter(|(kind, _, _)| kind == "index").count() > 20);
            assert_eq!(seeded, made);
            let mut writable = {
                use sqlx::Connection;
                sqlx::AnyConnection::connect(&format!("sqlite:{database}")).await.unwrap()
            };
            sqlx::query("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)")
                .execute(&mut writable)
                .await
                .unwrap();
        }
        (cases, notes, marked, stages)
    });
    assert_eq!(cases, 200);
    // Ten notes a case on average, and a few addenda.
    assert!((9 * cases..=12 * cases).contains(&notes), "{notes} notes for {cases} cases");
    // The marker word is in about one note in a hundred.
    assert!((notes / 250..=notes / 40).contains(&marked), "{marked} of {notes} notes hold the marker word");
    for definition in &definitions {
        for stage in &definition.stages {
            let present = stages.iter().any(|(s, st)| s == definition.code().as_str() && st == stage.code.as_str());
            assert!(present, "no {} case in stage {}", definition.code(), stage.code);
        }
    }

    // A database that holds anything is refused, and left as it was.
    let before = table_counts(&database);
    let again = casework(&seed, &[]);
    assert!(!again.status.success());
    assert!(text(&again).contains("is not empty"), "{}", text(&again));
    assert_eq!(table_counts(&database), before);

    let server = Server::start(&database);
    let address = server.address.clone();
    runtime.block_on(async {
        for definition in &definitions {
            let client = signed_in(&address, &seeded_manager(definition), "bench-password-2026").await;
            let code = definition.code().as_str();
            // Each work list of the service lists, and some list the seeded cases.
            let mut listed = Vec::new();
            for list in &definition.work_lists {
                let answer = client.get(format!("http://{address}/api/v1/work-lists/{code}/{}", list.code)).send().await.unwrap();
                assert_eq!(answer.status(), reqwest::StatusCode::OK, "{code} work list {}", list.code);
                let page: serde_json::Value = answer.json().await.unwrap();
                listed.extend(page["items"].as_array().unwrap().iter().filter_map(|i| i["id"].as_str().map(str::to_owned)));
            }
            assert!(!listed.is_empty(), "the work lists of {code} show no case");
            // A case opens with everything recorded on it.
            let case = &listed[0];
            for part in ["", "/notes", "/forms", "/deadlines", "/tasks", "/alerts", "/history", "/referral"] {
                let answer = client.get(format!("http://{address}/api/v1/cases/{case}{part}")).send().await.unwrap();
                assert_eq!(answer.status(), reqwest::StatusCode::OK, "{code} case{part}");
            }
            let notes: serde_json::Value =
                client.get(format!("http://{address}/api/v1/cases/{case}/notes")).send().await.unwrap().json().await.unwrap();
            assert!(notes["items"].as_array().unwrap().len() >= 5, "{notes}");
            let page = client.get(format!("http://{address}/cases/{case}")).send().await.unwrap();
            assert_eq!(page.status(), reqwest::StatusCode::OK, "{code} case page");
        }
        // The marker word is found, in cases whose notes hold it.
        let client = signed_in(&address, "recovery.service-manager", "bench-password-2026").await;
        let hits = found(&client, &address, "kestrel").await;
        assert!(!hits.is_empty(), "the search finds the marker word");
        let mut conn = connect(&database).await;
        for case in &hits {
            let holding =
                number(&mut conn, &format!("SELECT COUNT(*) FROM notes WHERE case_id = '{case}' AND body LIKE '%kestrel%'"))
                    .await;
            assert!(holding > 0, "case {case} was found without the word");
        }
    });
}

/// A 200-case installation seeded for a benchmark command's test.
fn seeded_for_bench(dir: &Path) -> String {
    let database = db(dir);
    let seed = ["bench", "seed", "--cases", "200", "--batch", "100", "--as-of", "2026-11-01", "--database", &database];
    let output = casework(&seed, &[]);
    assert!(output.status.success(), "{}", text(&output));
    database
}

#[test]
fn bench_reports_times_every_report_on_each_services_index() {
    let dir = tempfile::tempdir().unwrap();
    let database = seeded_for_bench(dir.path());
    for definition in shipped_definitions() {
        let code = definition.code().as_str();
        let args = ["bench", "reports", "--service", code, "--year", "2026", "--runs", "2", "--database", &database];
        let output = casework(&args, &[]);
        assert!(output.status.success(), "{code}: {}", text(&output));
        let printed = String::from_utf8_lossy(&output.stdout).to_string();
        let mut expected = vec!["timeliness", "caseload", "referrals", "alerts"];
        if !definition.reports.monthly_output.is_empty() {
            expected.push("monthly-output");
        }
        if !definition.reports.waiting_stages.is_empty() {
            expected.push("waiting-list");
        }
        if definition.reports.case_file_audit.is_some() {
            expected.push("case-file-audits");
        }
        // One line per report: name, three timings and the rows it holds; then the total.
        let lines: Vec<Vec<&str>> = printed
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| report "))
            .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
            .collect();
        let names: Vec<&str> = lines.iter().map(|cells| cells[0]).collect();
        let mut wanted = expected.clone();
        wanted.push("all (one run of each, summed)");
        assert_eq!(names.len(), wanted.len(), "{code}: {printed}");
        for report in &wanted {
            assert!(names.contains(report), "{code}: {report} missing from\n{printed}");
        }
        for cells in &lines {
            assert_eq!(cells.len(), 5, "{code}: {printed}");
            for timing in &cells[1..4] {
                assert!(timing.parse::<f64>().is_ok(), "{code}: {timing} in {printed}");
            }
            assert!(cells[4].parse::<u64>().is_ok(), "{code}: {printed}");
        }
        // A year of 200 cases fills the caseload and referrals tables.
        for report in ["caseload", "referrals"] {
            let rows: u64 = lines.iter().find(|cells| cells[0] == report).unwrap()[4].parse().unwrap();
            assert!(rows > 0, "{code}: no rows in {report}: {printed}");
        }
    }

    // An account that may not read the service's reports is refused.
    let output =
        casework(&["bench", "reports", "--service", "recovery", "--as", "recovery.recovery-peer", "--database", &database], &[]);
    assert!(!output.status.success(), "{}", text(&output));
}

#[test]
fn bench_sweep_breaches_the_deadlines_due_and_leaves_the_history_intact() {
    let dir = tempfile::tempdir().unwrap();
    let database = seeded_for_bench(dir.path());
    let breached_events = "SELECT COUNT(*) FROM events WHERE kind = 'timer-breached'";
    let running = "SELECT COUNT(*) FROM case_timers WHERE running_due_at IS NOT NULL";
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (events_before, running_before) = runtime.block_on(async {
        let mut conn = connect(&database).await;
        (number(&mut conn, breached_events).await, number(&mut conn, running).await)
    });
    assert!(running_before > 0, "the seed leaves no deadline running");

    // The clock moved to when ten items are due (deadlines past due and alert schedules
    // due): at least ten are, and the sweep leaves no deadline due.
    let output = casework(&["bench", "sweep", "--due", "10", "--database", &database], &[]);
    assert!(output.status.success(), "{}", text(&output));
    let printed = String::from_utf8_lossy(&output.stdout).to_string();
    let due: i64 = count_before(&printed, " items due").unwrap_or_else(|| panic!("no count of items due in {printed}"));
    assert!(due >= 10, "{printed}");
    assert!(printed.lines().any(|l| l.starts_with(&format!("| sweep | {due} |"))), "{printed}");
    assert!(printed.lines().any(|l| l.starts_with("| alerts |")), "{printed}");
    assert!(printed.contains("0 deadlines and "), "{printed}");

    // Years later every running deadline is past due, and each is breached once, with its
    // history event.
    let running_now = runtime.block_on(async { number(&mut connect(&database).await, running).await });
    let output = casework(&["bench", "sweep", "--at", "2031-01-01T00:00:00Z", "--database", &database], &[]);
    assert!(output.status.success(), "{}", text(&output));
    let printed = String::from_utf8_lossy(&output.stdout).to_string();
    assert_eq!(count_before(&printed, " deadlines past due"), Some(running_now), "{printed}");
    let breached_row = format!("| timers | {running_now} | {running_now} deadlines breached |");
    assert!(printed.lines().any(|l| l.starts_with(&breached_row)), "{printed}");
    let (events_after, running_after) = runtime.block_on(async {
        let mut conn = connect(&database).await;
        (number(&mut conn, breached_events).await, number(&mut conn, running).await)
    });
    assert_eq!(running_after, 0);
    assert_eq!(events_after - events_before, running_before, "one history event per breach, over both sweeps");
    let verify = casework(&["verify", "--database", &database], &[]);
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(text(&verify).contains("every chain intact"), "{}", text(&verify));

    // Asking for more deadlines than are running is refused.
    let output = casework(&["bench", "sweep", "--due", "100000000", "--database", &database], &[]);
    assert!(!output.status.success());
    assert!(text(&output).contains("fewer than 100000000 deadlines and alert schedules"), "{}", text(&output));
}

/// A copy of an installation in a new database (a SQLite file in `dir`, or a new PostgreSQL
/// database), made with `casework copy`.
fn copy_of(source: &str, dir: &Path) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let target = db(dir);
    let copied = casework(&["copy", "--from", source, "--to", &target], &[]);
    assert!(copied.status.success(), "{}", text(&copied));
    target
}

/// Runs SQL on the database as someone with direct access to it might.
fn execute(database: &str, statement: &str) {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let url = if is_postgres(database) { database.to_owned() } else { format!("sqlite:{database}") };
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        sqlx::query(statement).execute(&mut conn).await.unwrap();
    });
}

/// What a `casework bench sweep` printed it did: (deadlines breached, alerts raised).
fn swept(printed: &str) -> (i64, i64) {
    let done = |job: &str| -> i64 {
        let line =
            printed.lines().find(|l| l.starts_with(&format!("| {job} |"))).unwrap_or_else(|| panic!("no {job} in {printed}"));
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        cells[2].split(' ').next().unwrap().parse().unwrap()
    };
    (done("timers"), done("alerts"))
}

/// What the deadlines and alerts of an installation are, case by case (by reference, since
/// ids differ between copies): every timer, every rule schedule, every alert of a rule and
/// how many history events of each kind each case has.
#[derive(Debug, PartialEq)]
struct SweptState {
    timers: Vec<(String, String, String, i64)>,
    schedules: Vec<(String, String, Option<i64>, i64)>,
    alerts: Vec<(String, String, i64, String, i64, i64)>,
    events: Vec<(String, String, i64)>,
}

impl SweptState {
    async fn of(database: &str) -> SweptState {
        let mut conn = connect(database).await;
        SweptState {
            timers: sqlx::query_as(
                "SELECT c.reference, t.code, t.state, t.due_at FROM case_timers t JOIN cases c ON c.id = t.case_id
                 ORDER BY c.reference, t.code, t.due_at, t.state",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap(),
            schedules: sqlx::query_as(
                "SELECT c.reference, s.rule, s.next_at, CAST(s.occurrences AS BIGINT) FROM alert_schedules s
                 JOIN cases c ON c.id = s.case_id ORDER BY c.reference, s.rule, s.started_at, s.next_at, s.occurrences",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap(),
            alerts: sqlx::query_as(
                "SELECT c.reference, a.rule, CAST(a.occurrence AS BIGINT), a.recipient, a.fire_at, a.created_at
                 FROM alerts a JOIN cases c ON c.id = a.case_id WHERE a.schedule_id IS NOT NULL
                 ORDER BY c.reference, a.rule, a.occurrence, a.fire_at, a.created_at, a.recipient",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap(),
            events: sqlx::query_as(
                "SELECT c.reference, e.kind, COUNT(*) FROM events e JOIN cases c ON c.id = e.case_id
                 GROUP BY c.reference, e.kind ORDER BY c.reference, e.kind",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap(),
        }
    }

    /// The same without one case.
    fn without(mut self, reference: &str) -> SweptState {
        self.timers.retain(|row| row.0 != reference);
        self.schedules.retain(|row| row.0 != reference);
        self.alerts.retain(|row| row.0 != reference);
        self.events.retain(|row| row.0 != reference);
        self
    }
}

/// `casework bench sweep` started in the background, its output collected by the caller.
fn sweep_started(database: &str, at: &str, batch: Option<&str>) -> Child {
    let mut args = vec!["bench", "sweep", "--at", at, "--database", database];
    if let Some(batch) = batch {
        args.extend(["--batch", batch]);
    }
    Command::new(env!("CARGO_BIN_EXE_casework"))
        .args(args)
        .env_remove("CASEWORK_DATABASE")
        .env("CASEWORK_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

const SWEPT_AT: &str = "2031-01-01T00:00:00Z";

#[test]
fn a_sweep_in_many_small_batches_or_two_sweeps_at_once_fire_each_due_item_once_as_one_sweep_does() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = seeded_for_bench(dir.path());
    let (one, two) = (copy_of(&seeded, &dir.path().join("one")), copy_of(&seeded, &dir.path().join("two")));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let at: jiff::Timestamp = SWEPT_AT.parse().unwrap();
    let (timers_due, schedules_due, events_before) = runtime.block_on(async {
        let mut conn = connect(&one).await;
        let micros = at.as_microsecond();
        (
            number(
                &mut conn,
                &format!("SELECT COUNT(*) FROM case_timers WHERE running_due_at IS NOT NULL AND running_due_at < {micros}"),
            )
            .await,
            number(&mut conn, &format!("SELECT COUNT(*) FROM alert_schedules WHERE next_at IS NOT NULL AND next_at <= {micros}"))
                .await,
            SweptState::of(&one).await.events,
        )
    });
    assert!(timers_due > 2 && schedules_due > 3 * 2, "the work takes several batches: {timers_due} + {schedules_due}");

    // One sweep, two items per transaction: every deadline past due is breached, every
    // due schedule moves on, each with one history event.
    let output = casework(&["bench", "sweep", "--at", SWEPT_AT, "--batch", "2", "--database", &one], &[]);
    assert!(output.status.success(), "{}", text(&output));
    let printed = String::from_utf8_lossy(&output.stdout).to_string();
    let (breached, raised) = swept(&printed);
    assert_eq!(breached, timers_due, "{printed}");
    assert!(raised > 0, "{printed}");
    assert!(printed.contains("0 deadlines and 0 alert schedules still due after the sweep"), "{printed}");
    let after = runtime.block_on(SweptState::of(&one));
    let count = |events: &[(String, String, i64)], kind: &str| -> i64 {
        events.iter().filter(|(_, k, _)| k == kind).map(|(_, _, n)| n).sum()
    };
    assert_eq!(count(&after.events, "timer-breached") - count(&events_before, "timer-breached"), breached);
    assert_eq!(count(&after.events, "alert-raised") - count(&events_before, "alert-raised"), raised);
    let raised_now = after.alerts.iter().filter(|alert| alert.5 == at.as_microsecond()).count();
    assert_eq!(i64::try_from(raised_now).unwrap(), raised, "one alert stored for each raised");

    // A second sweep at the same instant finds nothing to do.
    let again = casework(&["bench", "sweep", "--at", SWEPT_AT, "--batch", "2", "--database", &one], &[]);
    assert!(again.status.success(), "{}", text(&again));
    assert_eq!(swept(&String::from_utf8_lossy(&again.stdout)), (0, 0), "{}", text(&again));
    assert_eq!(runtime.block_on(SweptState::of(&one)), after, "the second sweep changed nothing");

    // Two sweeps at once on the other copy, in batches of different sizes: between them
    // they do exactly what the one did, item by item.
    let first = sweep_started(&two, SWEPT_AT, Some("1"));
    let second = sweep_started(&two, SWEPT_AT, None);
    let (first, second) = (first.wait_with_output().unwrap(), second.wait_with_output().unwrap());
    assert!(first.status.success() && second.status.success(), "{}\n{}", text(&first), text(&second));
    let ((b1, r1), (b2, r2)) = (swept(&String::from_utf8_lossy(&first.stdout)), swept(&String::from_utf8_lossy(&second.stdout)));
    assert_eq!((b1 + b2, r1 + r2), (breached, raised), "{}\n{}", text(&first), text(&second));
    assert_eq!(runtime.block_on(SweptState::of(&two)), after);

    for database in [&one, &two] {
        let verify = casework(&["verify", "--database", database], &[]);
        assert!(verify.status.success(), "{}", text(&verify));
        assert!(text(&verify).contains("every chain intact"), "{}", text(&verify));
    }
}

#[test]
fn an_item_the_sweep_cannot_handle_is_logged_and_holds_back_none_of_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = seeded_for_bench(dir.path());
    let (healthy, broken) = (copy_of(&seeded, &dir.path().join("healthy")), copy_of(&seeded, &dir.path().join("broken")));
    let at: jiff::Timestamp = SWEPT_AT.parse().unwrap();
    // The case of the first schedule due names a version of its service that is not loaded,
    // so its alerts cannot be worked out: the first batch fails as a whole.
    let (case, reference, its_due): (String, String, i64) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let mut conn = connect(&broken).await;
        let (case, reference): (String, String) = sqlx::query_as(
            "SELECT c.id, c.reference FROM alert_schedules s JOIN cases c ON c.id = s.case_id
             WHERE s.next_at IS NOT NULL ORDER BY s.next_at LIMIT 1",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        let due = format!(
            "SELECT COUNT(*) FROM alert_schedules WHERE next_at IS NOT NULL AND next_at <= {} AND case_id = '{case}'",
            at.as_microsecond()
        );
        let its_due = number(&mut conn, &due).await;
        (case, reference, its_due)
    });
    assert!(its_due > 0);
    execute(&broken, &format!("UPDATE cases SET service_version = 999 WHERE id = '{case}'"));

    let sweep = |database: &str| casework(&["bench", "sweep", "--at", SWEPT_AT, "--batch", "7", "--database", database], &[]);
    let healthy_sweep = sweep(&healthy);
    assert!(healthy_sweep.status.success(), "{}", text(&healthy_sweep));
    let output = sweep(&broken);
    assert!(output.status.success(), "the sweep goes on past what it cannot do: {}", text(&output));
    let said = text(&output);
    assert!(said.contains("this alert schedule could not be swept"), "{said}");
    assert!(said.contains(&case), "the case is named: {said}");
    assert!(said.contains(&format!("0 deadlines and {its_due} alert schedules still due after the sweep")), "{said}");

    // Everything else was done exactly as on the healthy copy, the broken case's
    // deadlines included.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (healthy_state, broken_state) =
        runtime.block_on(async { (SweptState::of(&healthy).await, SweptState::of(&broken).await) });
    assert_eq!(broken_state.timers, healthy_state.timers);
    assert_eq!(broken_state.without(&reference), healthy_state.without(&reference));
    let verify = casework(&["verify", "--database", &broken], &[]);
    assert!(verify.status.success(), "{}", text(&verify));
}

/// The number printed just before `label` (as in "… 12 items due").
fn count_before(printed: &str, label: &str) -> Option<i64> {
    let (head, _) = printed.split_once(label)?;
    head.rsplit(' ').next()?.parse().ok()
}

#[test]
fn bench_http_drives_a_server_and_what_it_reports_as_written_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let database = db(dir.path());
    let seed = ["bench", "seed", "--cases", "100", "--batch", "50", "--as-of", "2026-11-01", "--database", &database];
    let seeded = casework(&seed, &[]);
    assert!(seeded.status.success(), "{}", text(&seeded));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (cases_before, notes_before) = runtime.block_on(async {
        let mut conn = connect(&database).await;
        (number(&mut conn, "SELECT COUNT(*) FROM cases").await, number(&mut conn, "SELECT COUNT(*) FROM notes").await)
    });

    let server = Server::start(&database);
    let results = dir.path().join("results.json");
    let base_url = format!("http://{}", server.address);
    let pid = server.child.id().to_string();
    let run = casework(
        &[
            "bench",
            "http",
            "--base-url",
            &base_url,
            "--server-pid",
            &pid,
            "--clients",
            "1,3",
            "--cases",
            "12",
            "--notes",
            "6",
            "--concurrent-notes",
            "9",
            "--views",
            "4",
            "--lists",
            "3",
            "--searches",
            "2",
            "--mix-rounds",
            "3",
            "--json",
            results.to_str().unwrap(),
        ],
        &[],
    );
    assert!(run.status.success(), "{}", text(&run));
    let table = String::from_utf8_lossy(&run.stdout).to_string();
    let row = |operation: &str, clients: &str| -> Vec<String> {
        let line = table
            .lines()
            .find(|l| l.starts_with(&format!("| {operation} | {clients} |")))
            .unwrap_or_else(|| panic!("no row for {operation} with {clients} clients:\n{table}"));
        line.split('|').map(|cell| cell.trim().to_owned()).collect()
    };
    let expected = [
        ("a) open a case", "1", Some("12")),
        ("b) add a note", "1", Some("6")),
        ("c) case with its notes", "1", Some("4")),
        ("d) work list recovery/waiting-list", "1", Some("3")),
        ("e) search 'kerberos'", "1", Some("2")),
        ("f) open a case", "3", Some("12")),
        ("b) add a note", "3", Some("9")),
        ("mix: home", "1", Some("3")),
        ("mix: work list", "1", Some("3")),
        ("mix: case page", "1", None),
        ("mix: add a note", "1", None),
        ("mix: home", "3", Some("9")),
        ("mix: work list", "3", Some("9")),
        ("mix: case page", "3", None),
        ("mix: add a note", "3", None),
        ("mix: tasks page", "3", None),
        ("mix: complete a task", "3", None),
    ];
    for (operation, clients, count) in expected {
        let cells = row(operation, clients);
        assert_eq!(cells[4], "0", "{operation} with {clients} clients had errors:\n{table}\n{}", text(&run));
        match count {
            Some(count) => assert_eq!(cells[3], count, "{operation}:\n{table}"),
            None => assert!(cells[3].parse::<u32>().unwrap() > 0, "{operation} never ran:\n{table}"),
        }
        // The server's memory is read after each phase.
        assert!(cells[9].parse::<u32>().unwrap() > 0, "{operation}: no server memory:\n{table}");
    }
    // The one case in a hundred opened with the word is found by searching for it.
    assert!(row("e) search 'kerberos'", "1")[10].starts_with("1 hits"), "{table}");

    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&results).unwrap()).unwrap();
    let created: Vec<String> =
        report["created_cases"].as_array().unwrap().iter().map(|id| id.as_str().unwrap().to_owned()).collect();
    assert_eq!(created.len(), 24);
    let notes_added = report["notes_added"].as_i64().unwrap();
    // Those of b), with one client and three, and at least one from the session mix.
    assert!(notes_added > 6 + 9, "{report}");
    runtime.block_on(async {
        let mut conn = connect(&database).await;
        let found = number(&mut conn, &format!("SELECT COUNT(*) FROM cases WHERE id IN ({})", quoted(&created))).await;
        assert_eq!(found, 24, "every case the driver opened is stored");
        assert_eq!(number(&mut conn, "SELECT COUNT(*) FROM cases").await, cases_before + 24);
        assert_eq!(number(&mut conn, "SELECT COUNT(*) FROM notes").await, notes_before + notes_added, "every note is stored");
    });
}

#[test]
fn bench_commit_rate_measures_durable_commits_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let database = db(dir.path());
    assert!(casework(&["migrate", "--database", &database], &[]).status.success());
    let before = table_counts(&database);
    let output = casework(&["bench", "commit-rate", "--clients", "1,4", "--commits", "5", "--database", &database], &[]);
    assert!(output.status.success(), "{}", text(&output));
    let printed = text(&output);
    assert!(printed.lines().any(|l| l.starts_with("| 1 | 5 |")), "{printed}");
    assert!(printed.lines().any(|l| l.starts_with("| 4 | 20 |")), "{printed}");
    assert_eq!(table_counts(&database), before, "the scratch table is gone");
}

/// Results files for `casework bench compare`, with figures picked so that the ratios are
/// easy to work out by hand (and two land exactly on a target).
fn comparison_fixtures(dir: &Path) -> [String; 4] {
    let write = |name: &str, value: serde_json::Value| {
        let path = dir.join(name);
        std::fs::write(&path, value.to_string()).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let op = |op: &str, n: u64, ops: f64, p99: f64| serde_json::json!({ "op": op, "n": n, "errors": 0, "p50_ms": p99 / 4.0, "p95_ms": p99 / 2.0, "p99_ms": p99, "ops_per_s": ops });
    let alpha = write(
        "alpha.json",
        serde_json::json!({ "kind": "alpha", "results": [
            op("a_create_seq", 100, 20.0, 100.0),
            { "op": "e_search", "unsupported": "no search" },
            op("f_create_8threads", 100, 10.0, 400.0),
        ], "memory": { "pids": [1, 2, 3], "rss_mib": 100.0, "pss_mib": 80.0 } }),
    );
    let beta = write(
        "beta.json",
        serde_json::json!({ "kind": "beta", "results": [
            op("a_create_seq", 100, 10.0, 40.0),
            op("c_get_with_notes", 10, 10.0, 100.0),
            op("e_search", 10, 5.0, 200.0),
            op("f_create_8threads", 100, 40.0, 1000.0),
        ], "memory": null }),
    );
    let shared = write(
        "casework.json",
        serde_json::json!({ "kind": "casework", "results": [
            op("a_create_seq", 100, 1500.0, 1.0),
            op("c_get_with_notes", 10, 100.0, 82.0),
            op("e_search", 10, 100.0, 20.0),
            op("f_create_8threads", 100, 2000.0, 50.0),
        ], "memory": { "pids": [9], "rss_mib": 60.0, "pss_mib": 58.0 } }),
    );
    let http = |operation: &str, clients: u64, ops: f64, p99: f64| {
        serde_json::json!({ "operation": operation, "clients": clients, "n": 100, "errors": 0, "p50_ms": p99 / 4.0,
            "p95_ms": p99 / 2.0, "p99_ms": p99, "ops_per_s": ops, "server_rss_mib": 70.2, "remark": "" })
    };
    let kept_alive = write(
        "http.json",
        serde_json::json!({ "base_url": "http://127.0.0.1:1", "results": [
            http("a) open a case", 1, 3000.0, 0.5),
            http("f) open a case", 8, 500.0, 100.0),
            http("b) add a note", 8, 9000.0, 1.0),
            http("mix: home", 1, 9000.0, 1.0),
        ], "created_cases": [], "notes_added": 0 }),
    );
    [alpha, beta, shared, kept_alive]
}

#[test]
fn bench_compare_puts_casework_beside_the_faster_peer_and_says_which_targets_are_met() {
    let dir = tempfile::tempdir().unwrap();
    let [alpha, beta, shared, kept_alive] = comparison_fixtures(dir.path());
    let args = ["bench", "compare", "--peer", &alpha, "--peer", &beta, "--casework", &shared, "--casework", &kept_alive];
    let output = casework(&args, &[]);
    assert!(output.status.success(), "{}", text(&output));
    let printed = String::from_utf8_lossy(&output.stdout).to_string();
    let expected = [
        // Each system's figures, the shared driver's memory on the last operation.
        "| a) create, 1 client | beta | 100 | 0 | 10.00 | 20.00 | 40.00 | 10.0 | – |",
        "| f) create, 8 clients | alpha | 100 | 0 | 100.00 | 200.00 | 400.00 | 10.0 | 100 (PSS 80), 3 proc. (after the run) |",
        "| f) create, 8 clients | casework (bench http, kept alive) | 100 | 0 | 25.00 | 50.00 | 100.00 | 500.0 | 70 |",
        // a): alpha is faster (20/s). 1500/20 = 75 = 1.5 × 50; p99 1/100 = 5 × under 1/20.
        "| a) create, 1 client | alpha | 20.0 | 100.00 | casework (shared driver) | 1500.0 | 75.0 | met (×1.5 the target) | 1.00 | 1/100 | met (×5.0 under) |",
        // c): 100/10 = 10, 5 × short; p99 82/100 = 0.82 (not a rounded "1/1"), 16.4 × 1/20.
        "| c) get with its notes | beta | 10.0 | 100.00 | casework (shared driver) | 100.0 | 10.0 | missed: ×5.0 short | 82.00 | ×0.82 | missed: ×16.4 over |",
        // e): only beta searches. 100/5 = 20, 2.5 × short of 50; p99 20/200 = 1/10, twice 1/20.
        "| e) search | beta | 5.0 | 200.00 | casework (shared driver) | 100.0 | 20.0 | missed: ×2.5 short | 20.00 | 1/10 | missed: ×2.0 over |",
        // f): beta is faster (40/s). 2000/40 = 50 and 50/1000 = 1/20: both exactly on target.
        "| f) create, 8 clients | beta | 40.0 | 1000.00 | casework (shared driver) | 2000.0 | 50.0 | met (×1.0 the target) | 50.00 | 1/20 | met (×1.0 under) |",
        // The kept-alive run: 3000/20 = 150 = 3 × 50, 0.5/100 = 1/200; 500/40 = 12.5, 100/1000 = 1/10.
        "| a) create, 1 client | alpha | 20.0 | 100.00 | casework (bench http, kept alive) | 3000.0 | 150.0 | met (×3.0 the target) | 0.50 | 1/200 | met (×10.0 under) |",
        "| f) create, 8 clients | beta | 40.0 | 1000.00 | casework (bench http, kept alive) | 500.0 | 12.5 | missed: ×4.0 short | 100.00 | 1/10 | missed: ×2.0 over |",
    ];
    for line in expected {
        assert!(printed.lines().any(|l| l == line), "no line\n{line}\nin\n{printed}");
    }
    // bench http's operations beyond the shared workload are left out.
    assert!(!printed.contains("mix") && !printed.contains("add a note"), "{printed}");
    // One verdict line per operation and Casework run: a and f from both runs, c and e from one.
    assert_eq!(printed.lines().filter(|l| l.contains("target) |") || l.contains("short |")).count(), 6, "{printed}");

    let not_results = dir.path().join("other.json");
    std::fs::write(&not_results, "{\"hello\": 1}").unwrap();
    let output = casework(&["bench", "compare", "--peer", &alpha, "--casework", not_results.to_str().unwrap()], &[]);
    assert!(!output.status.success());
    assert!(text(&output).contains("other.json"), "{}", text(&output));
}
