//! `casework bench http`: a load driver for a running server. It runs the shared workload
//! of the peer comparison (open a case, add a note, open a case with its notes, a work list's
//! first page, a full-text search, opening cases from several clients at once) through the
//! JSON API, then a caseworker's session through the HTML pages as a browser would, and
//! prints each operation's latency, rate and errors, with the server's memory after each
//! phase. Every client signs in once and keeps one connection alive.

use anyhow::{Context, Result, bail};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What to run, and against what.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Where the server answers, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    pub base_url: String,
    /// The server's process id: the memory of it and its children is read after each phase.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Numbers of concurrent clients, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,8")]
    pub clients: Vec<usize>,
    /// The service the cases are opened in.
    #[arg(long, default_value = "recovery")]
    pub service: String,
    /// The work list of phase d) and of the session mix (a list of the service).
    #[arg(long, default_value = "waiting-list")]
    pub work_list: String,
    /// Who runs the workload: a role that may open cases in the service.
    #[arg(long, default_value = "recovery.care-coordinator")]
    pub user: String,
    /// The password of --user and of every caseworker.
    #[arg(long, default_value = super::BENCH_PASSWORD)]
    pub password: String,
    /// The caseworkers of the session mix, comma-separated; its clients take them in turn.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "recovery.worker-1,recovery.worker-2,recovery.worker-3,recovery.worker-4"
    )]
    pub caseworkers: Vec<String>,
    /// The word searched for in e); the driver puts it in 1% of the cases it opens (a
    /// `bench seed` database already has "kestrel" in 1% of its notes).
    #[arg(long, default_value = "kerberos")]
    pub word: String,
    /// Cases opened in a), and again in f).
    #[arg(long, default_value_t = 1000)]
    pub cases: usize,
    /// Notes added in b) by one client.
    #[arg(long, default_value_t = 500)]
    pub notes: usize,
    /// Notes added in b) by several clients at once.
    #[arg(long, default_value_t = 2000)]
    pub concurrent_notes: usize,
    /// Cases opened with their notes in c).
    #[arg(long, default_value_t = 200)]
    pub views: usize,
    /// Work list pages in d).
    #[arg(long, default_value_t = 100)]
    pub lists: usize,
    /// Searches in e).
    #[arg(long, default_value_t = 50)]
    pub searches: usize,
    /// Rounds of the session mix for each caseworker.
    #[arg(long, default_value_t = 50)]
    pub mix_rounds: usize,
    /// The seed of the random choices.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Also write the raw results (and the ids of the cases opened) to this JSON file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// One measured operation.
#[derive(Debug)]
struct Measured {
    operation: String,
    clients: usize,
    latencies: Vec<Duration>,
    errors: usize,
    wall: Duration,
    rss_kib: Option<u64>,
    /// What the answers held, where it says whether the figure means anything (rows of a
    /// work list, search hits), or what could not be done.
    remark: String,
}

impl Measured {
    fn percentile(&self, p: f64) -> Option<f64> {
        percentile(&self.latencies, p)
    }

    fn ops_per_second(&self) -> f64 {
        let wall = self.wall.as_secs_f64();
        if wall > 0.0 { self.latencies.len() as f64 / wall } else { 0.0 }
    }
}

/// The p-th percentile in milliseconds, interpolated between the two nearest samples (as
/// the peers' driver computes it, so the figures compare).
fn percentile(latencies: &[Duration], p: f64) -> Option<f64> {
    let mut ms: Vec<f64> = latencies.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    if ms.is_empty() {
        return None;
    }
    ms.sort_by(f64::total_cmp);
    let k = (ms.len() - 1) as f64 * p / 100.0;
    let low = k.floor() as usize;
    let high = (low + 1).min(ms.len() - 1);
    Some(ms[low] + (ms[high] - ms[low]) * (k - low as f64))
}

/// What a phase gave back: each success's latency and output, the errors, the wall time.
struct Outcome<T> {
    latencies: Vec<Duration>,
    outputs: Vec<T>,
    errors: usize,
    wall: Duration,
}

/// Runs `op` over `items` from every client at once: client k takes items k, k+n, k+2n…
/// one after another. Errors are counted, and the first few printed.
async fn run<C, I, T, F, Fut>(label: &str, clients: &[C], items: Vec<I>, op: F) -> Outcome<T>
where
    C: Clone + Send + 'static,
    I: Send + 'static,
    T: Send + 'static,
    F: Fn(C, I) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T>> + Send,
{
    let mut shares: Vec<Vec<I>> = clients.iter().map(|_| Vec::new()).collect();
    for (index, item) in items.into_iter().enumerate() {
        shares[index % clients.len()].push(item);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (client, share) in clients.iter().cloned().zip(shares) {
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let mut done = Vec::new();
            let mut failures = Vec::new();
            for item in share {
                let began = Instant::now();
                match op(client.clone(), item).await {
                    Ok(output) => done.push((began.elapsed(), output)),
                    Err(error) => failures.push(format!("{error:#}")),
                }
            }
            (done, failures)
        }));
    }
    let mut outcome = Outcome { latencies: Vec::new(), outputs: Vec::new(), errors: 0, wall: Duration::ZERO };
    for task in tasks {
        let (done, failures) = match task.await {
            Ok(finished) => finished,
            Err(error) => (Vec::new(), vec![format!("a client stopped: {error}")]),
        };
        for (latency, output) in done {
            outcome.latencies.push(latency);
            outcome.outputs.push(output);
        }
        for failure in failures {
            if outcome.errors < 3 {
                eprintln!("  {label}: {failure}");
            }
            outcome.errors += 1;
        }
    }
    outcome.wall = started.elapsed();
    outcome
}

/// A client of the JSON API, signed in with its own session.
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
}

/// The answer if it is a success (2xx), else an error naming the request and the answer.
async fn success(what: &str, answer: reqwest::Response) -> Result<reqwest::Response> {
    let status = answer.status();
    if status.is_success() {
        return Ok(answer);
    }
    let body = answer.text().await.unwrap_or_default();
    bail!("{what} answered {status}: {}", body.chars().take(200).collect::<String>())
}

impl Api {
    /// Signs in for a session cookie. The API asks no form token of a client that sends no
    /// `Origin` or `Sec-Fetch-Site` header (one that is not a browser): the cookie is enough.
    async fn sign_in(base: &str, username: &str, password: &str) -> Result<Api> {
        let http = reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(120)).build()?;
        let api = Api { http, base: base.trim_end_matches('/').to_owned() };
        let answer = api
            .http
            .post(format!("{}/api/v1/session", api.base))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await?;
        success(&format!("signing in as {username}"), answer).await?;
        Ok(api)
    }

    /// a) Opens a case (its referral recorded as accepted) for a new person.
    async fn open_case(self, service: String, case: NewCase) -> Result<String> {
        let mut person = json!({ "given_name": case.given_name, "family_name": case.family_name });
        if let Some(known_as) = case.known_as {
            person["known_as"] = json!(known_as);
        }
        let body = json!({ "service": service, "source": "staff", "summary": case.summary, "person": person });
        let answer = self.http.post(format!("{}/api/v1/cases", self.base)).json(&body).send().await?;
        let opened: Value = success("POST /api/v1/cases", answer).await?.json().await?;
        opened["id"].as_str().map(str::to_owned).context("the opened case has no id")
    }

    /// b) Adds a contact note to a case.
    async fn add_note(self, case: String, body: String) -> Result<()> {
        let answer = self
            .http
            .post(format!("{}/api/v1/cases/{case}/notes", self.base))
            .json(&json!({ "kind": "contact", "body": body }))
            .send()
            .await?;
        success("POST /api/v1/cases/{id}/notes", answer).await?;
        Ok(())
    }

    /// c) A case and its notes: what a client shows as the case's page.
    async fn case_with_notes(self, case: String) -> Result<()> {
        let record = self.http.get(format!("{}/api/v1/cases/{case}", self.base)).send().await?;
        success("GET /api/v1/cases/{id}", record).await?.bytes().await?;
        let notes = self.http.get(format!("{}/api/v1/cases/{case}/notes", self.base)).send().await?;
        success("GET /api/v1/cases/{id}/notes", notes).await?.bytes().await?;
        Ok(())
    }

    /// d) The first page (25 rows) of a work list; returns the rows.
    async fn work_list(self, service: String, list: String) -> Result<usize> {
        let answer = self.http.get(format!("{}/api/v1/work-lists/{service}/{list}?limit=25", self.base)).send().await?;
        let page: Value = success("GET /api/v1/work-lists/{service}/{list}", answer).await?.json().await?;
        Ok(page["items"].as_array().map_or(0, Vec::len))
    }

    /// e) Full-text search; returns the hits (at most a page of 25).
    async fn search(self, word: String) -> Result<usize> {
        let answer = self.http.get(format!("{}/api/v1/search", self.base)).query(&[("q", word.as_str())]).send().await?;
        let found: Value = success("GET /api/v1/search", answer).await?.json().await?;
        Ok(found["items"].as_array().map_or(0, Vec::len))
    }
}

/// The details of a case the driver opens.
#[derive(Debug, Clone)]
struct NewCase {
    given_name: &'static str,
    family_name: &'static str,
    /// The searched-for word, on 1% of cases. The full-text index holds notes, form answers
    /// and people's names (not the referral's summary), so the word goes in as the name the
    /// person is known by.
    known_as: Option<String>,
    summary: &'static str,
}

const GIVEN_NAMES: &[&str] = &["Alex", "Sam", "Jordan", "Priya", "Tomasz", "Aisha", "Connor", "Mei", "Grace", "Oluwaseun"];
const FAMILY_NAMES: &[&str] = &["Hughes", "Okafor", "Nowak", "Patel", "Murray", "Chen", "Evans", "Begum", "Walsh", "Kowalski"];
const SUMMARIES: &[&str] = &[
    "Asked for support after a relapse; wants help to stay on the programme.",
    "Referred by the wing officer: misses appointments and seems withdrawn.",
    "Self-referral handed in on the wing, asking about a recovery peer.",
    "Transferred from another prison with an open care plan to continue.",
    "Health care asked us to see them before their release date.",
];
const NOTES: &[&str] = &[
    "Met on the wing; talked through the plan and agreed to meet again next week.",
    "Phoned health care to check the prescription; they will call back tomorrow.",
    "Attended the group session and took part; asked about peer mentoring.",
];

fn new_case(index: usize, word: &str, rng: &mut StdRng) -> NewCase {
    NewCase {
        given_name: GIVEN_NAMES.choose(rng).copied().unwrap_or("Alex"),
        family_name: FAMILY_NAMES.choose(rng).copied().unwrap_or("Hughes"),
        known_as: (index % 100 == 7).then(|| word.to_owned()),
        summary: SUMMARIES.choose(rng).copied().unwrap_or(SUMMARIES[0]),
    }
}

fn note_text(rng: &mut StdRng) -> String {
    NOTES.choose(rng).copied().unwrap_or(NOTES[0]).to_owned()
}

/// The memory of the server's process and all its descendants (KiB of VmRSS, summed).
fn tree_rss_kib(root: u32) -> Option<u64> {
    let mut children: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // The command name is in parentheses and may hold spaces: the parent is the second
        // field after it.
        let parent = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
        if let Some(parent) = parent {
            children.entry(parent).or_default().push(pid);
        }
    }
    let mut total = 0;
    let mut found = false;
    let mut stack = vec![root];
    while let Some(pid) = stack.pop() {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            let rss = status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok());
            if let Some(rss) = rss {
                total += rss;
                found = true;
            }
        }
        stack.extend(children.get(&pid).into_iter().flatten());
    }
    found.then_some(total)
}

/// Signs in `count` clients of the API.
async fn api_clients(options: &Options, count: usize) -> Result<Vec<Api>> {
    let mut clients = Vec::new();
    for _ in 0..count {
        clients.push(Api::sign_in(&options.base_url, &options.user, &options.password).await?);
    }
    Ok(clients)
}

pub async fn run_bench(options: &Options) -> Result<()> {
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut results: Vec<Measured> = Vec::new();
    let rss = || options.server_pid.and_then(tree_rss_kib);
    let measured = |operation: &str, clients: usize, latencies, errors, wall, remark: String| Measured {
        operation: operation.to_owned(),
        clients,
        latencies,
        errors,
        wall,
        rss_kib: options.server_pid.and_then(tree_rss_kib),
        remark,
    };
    let one = api_clients(options, 1).await?;
    let (service, list) = (options.service.clone(), options.work_list.clone());

    // Warm-up, not measured.
    for _ in 0..4 {
        let _ = one[0].clone().work_list(service.clone(), list.clone()).await;
    }

    eprintln!("a) opening {} cases, one client", options.cases);
    let items: Vec<NewCase> = (0..options.cases).map(|i| new_case(i, &options.word, &mut rng)).collect();
    let marked = items.iter().filter(|c| c.known_as.is_some()).count();
    let s = service.clone();
    let opened = run("a", &one, items, move |api: Api, case| api.open_case(s.clone(), case)).await;
    let mut created = opened.outputs.clone();
    results.push(measured("a) open a case", 1, opened.latencies, opened.errors, opened.wall, String::new()));
    if created.is_empty() {
        bail!("no case could be opened, so nothing else can be measured: is {} allowed to open {service} cases?", options.user);
    }

    eprintln!("b) adding {} notes, one client", options.notes);
    let mut notes_added = 0;
    let items: Vec<(String, String)> =
        (0..options.notes).map(|_| (created.choose(&mut rng).cloned().unwrap_or_default(), note_text(&mut rng))).collect();
    let added = run("b", &one, items, |api: Api, (case, body)| api.add_note(case, body)).await;
    notes_added += added.outputs.len();
    results.push(measured("b) add a note", 1, added.latencies, added.errors, added.wall, String::new()));

    eprintln!("c) opening {} cases with their notes", options.views);
    let items: Vec<String> = (0..options.views).map(|_| created.choose(&mut rng).cloned().unwrap_or_default()).collect();
    let viewed = run("c", &one, items, |api: Api, case| api.case_with_notes(case)).await;
    results.push(measured("c) case with its notes", 1, viewed.latencies, viewed.errors, viewed.wall, String::new()));

    eprintln!("d) {} work list pages", options.lists);
    let items: Vec<(String, String)> = (0..options.lists).map(|_| (service.clone(), list.clone())).collect();
    let listed = run("d", &one, items, |api: Api, (service, list)| api.work_list(service, list)).await;
    let rows = listed.outputs.iter().min().map_or_else(|| "no page".to_owned(), |r| format!("{r} rows a page"));
    results.push(measured(&format!("d) work list {service}/{list}"), 1, listed.latencies, listed.errors, listed.wall, rows));

    eprintln!("e) {} searches for '{}'", options.searches, options.word);
    let items: Vec<String> = (0..options.searches).map(|_| options.word.clone()).collect();
    let searched = run("e", &one, items, |api: Api, word| api.search(word)).await;
    let hits = searched
        .outputs
        .first()
        .map_or_else(|| "no answer".to_owned(), |h| format!("{h} hits (first page); {marked} cases opened in a) hold the word"));
    results.push(measured(&format!("e) search '{}'", options.word), 1, searched.latencies, searched.errors, searched.wall, hits));

    for &count in options.clients.iter().filter(|&&c| c > 1) {
        let clients = api_clients(options, count).await?;
        eprintln!("f) opening {} cases, {count} clients", options.cases);
        let items: Vec<NewCase> = (0..options.cases).map(|i| new_case(i, &options.word, &mut rng)).collect();
        let s = service.clone();
        let opened = run("f", &clients, items, move |api: Api, case| api.open_case(s.clone(), case)).await;
        created.extend(opened.outputs.iter().cloned());
        results.push(measured("f) open a case", count, opened.latencies, opened.errors, opened.wall, String::new()));

        eprintln!("b) adding {} notes, {count} clients", options.concurrent_notes);
        let items: Vec<(String, String)> = (0..options.concurrent_notes)
            .map(|_| (created.choose(&mut rng).cloned().unwrap_or_default(), note_text(&mut rng)))
            .collect();
        let added = run("b", &clients, items, |api: Api, (case, body)| api.add_note(case, body)).await;
        notes_added += added.outputs.len();
        results.push(measured("b) add a note", count, added.latencies, added.errors, added.wall, String::new()));
    }

    for &count in &options.clients {
        eprintln!("session mix: {} rounds for each of {count} caseworkers", options.mix_rounds);
        let (mix, wall) = session_mix(options, count, &mut rng).await?;
        notes_added += mix.notes_added;
        let memory = rss();
        for (page, tally) in mix.pages() {
            let remark = if tally.skipped > 0 { format!("{} rounds had nothing to open", tally.skipped) } else { String::new() };
            results.push(Measured {
                operation: format!("mix: {page}"),
                clients: count,
                latencies: tally.latencies,
                errors: tally.errors,
                wall,
                rss_kib: memory,
                remark,
            });
        }
    }

    print_table(&results);
    let errors: usize = results.iter().map(|r| r.errors).sum();
    if let Some(path) = &options.json {
        let report = json!({
            "base_url": options.base_url,
            "when": jiff::Timestamp::now().to_string(),
            "results": results.iter().map(|r| json!({
                "operation": r.operation, "clients": r.clients, "n": r.latencies.len(), "errors": r.errors,
                "p50_ms": r.percentile(50.0), "p95_ms": r.percentile(95.0), "p99_ms": r.percentile(99.0),
                "ops_per_s": r.ops_per_second(), "wall_s": r.wall.as_secs_f64(),
                "server_rss_mib": r.rss_kib.map(|k| k as f64 / 1024.0), "remark": r.remark,
            })).collect::<Vec<_>>(),
            "created_cases": created,
            "notes_added": notes_added,
        });
        std::fs::write(path, serde_json::to_string_pretty(&report)?).with_context(|| format!("writing {}", path.display()))?;
    }
    if errors > 0 {
        eprintln!("{errors} requests failed (see the errors column)");
    }
    Ok(())
}

fn print_table(results: &[Measured]) {
    let ms = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| format!("{v:.2}"));
    println!("| operation | clients | n | errors | p50 ms | p95 ms | p99 ms | ops/s | server RSS MiB | notes |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for r in results {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.0} | {} | {} |",
            r.operation,
            r.clients,
            r.latencies.len(),
            r.errors,
            ms(r.percentile(50.0)),
            ms(r.percentile(95.0)),
            ms(r.percentile(99.0)),
            r.ops_per_second(),
            r.rss_kib.map_or_else(|| "–".to_owned(), |k| format!("{:.0}", k as f64 / 1024.0)),
            r.remark
        );
    }
}

/// A browser: its own session cookie, one kept-alive connection, redirects not followed (a
/// form's answer is a redirect, which counts as its success).
#[derive(Clone)]
struct Browser {
    http: reqwest::Client,
    base: String,
}

impl Browser {
    async fn sign_in(base: &str, username: &str, password: &str) -> Result<Browser> {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(120))
            .build()?;
        let browser = Browser { http, base: base.trim_end_matches('/').to_owned() };
        browser.page("/sign-in").await?;
        let answer = browser.post("/sign-in", &[("username", username), ("password", password)]).await?;
        if answer.status() != reqwest::StatusCode::SEE_OTHER {
            bail!("signing in as {username} answered {}", answer.status());
        }
        Ok(browser)
    }

    async fn page(&self, path: &str) -> Result<String> {
        let answer = self.http.get(format!("{}{path}", self.base)).header("Sec-Fetch-Site", "same-origin").send().await?;
        Ok(success(&format!("GET {path}"), answer).await?.text().await?)
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Result<reqwest::Response> {
        Ok(self.http.post(format!("{}{path}", self.base)).header("Sec-Fetch-Site", "same-origin").form(fields).send().await?)
    }

    /// Posts a form; success is the redirect back to the page with a confirmation.
    async fn submit(&self, path: &str, fields: &[(&str, &str)]) -> Result<()> {
        let answer = self.post(path, fields).await?;
        if answer.status() == reqwest::StatusCode::SEE_OTHER {
            return Ok(());
        }
        let status = answer.status();
        bail!("POST {path} answered {status}, not a redirect (the form was refused)")
    }
}

/// The latencies of one page type in the session mix.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: usize,
    skipped: usize,
}

/// What a page links to: case pages and task pages (`/cases/ID` and `/cases/ID/tasks`).
fn case_links(html: &str) -> (Vec<String>, Vec<String>) {
    let (mut cases, mut tasks) = (Vec::new(), Vec::new());
    for piece in html.split("href=\"/cases/").skip(1) {
        let link = piece.split('"').next().unwrap_or_default();
        match link.split_once('/') {
            None if !link.contains('?') => cases.push(link.to_owned()),
            Some((case, "tasks")) => tasks.push(case.to_owned()),
            _ => {}
        }
    }
    (cases, tasks)
}

/// The value of the first hidden field of that name on a page.
fn hidden(html: &str, name: &str) -> Option<String> {
    let after = html.split(&format!("name=\"{name}\" value=\"")).nth(1)?;
    after.split('"').next().map(str::to_owned)
}

/// The open tasks' completion forms on a tasks page: (action, version).
fn completion_forms(html: &str) -> Vec<(String, String)> {
    html.split("<form method=\"post\" action=\"")
        .skip(1)
        .filter_map(|form| {
            let action = form.split('"').next()?;
            if !action.ends_with("/completion") {
                return None;
            }
            Some((action.to_owned(), hidden(form, "version")?))
        })
        .collect()
}

/// Times one step of the mix into its tally; returns its output if it worked.
async fn step<T>(tally: &mut Tally, label: &str, work: impl Future<Output = Result<T>>) -> Option<T> {
    let began = Instant::now();
    match work.await {
        Ok(output) => {
            tally.latencies.push(began.elapsed());
            Some(output)
        }
        Err(error) => {
            if tally.errors < 3 {
                eprintln!("  mix {label}: {error:#}");
            }
            tally.errors += 1;
            None
        }
    }
}

/// The session mix's tallies, one per page type.
#[derive(Default)]
struct Mix {
    home: Tally,
    work_list: Tally,
    case_page: Tally,
    add_note: Tally,
    tasks_page: Tally,
    complete_task: Tally,
    notes_added: usize,
}

impl Mix {
    fn add(&mut self, other: Mix) {
        self.notes_added += other.notes_added;
        for (total, part) in self.pages_mut().into_iter().zip(other.pages()) {
            total.latencies.extend(part.1.latencies);
            total.errors += part.1.errors;
            total.skipped += part.1.skipped;
        }
    }

    fn pages_mut(&mut self) -> [&mut Tally; 6] {
        [
            &mut self.home,
            &mut self.work_list,
            &mut self.case_page,
            &mut self.add_note,
            &mut self.tasks_page,
            &mut self.complete_task,
        ]
    }

    fn pages(self) -> [(&'static str, Tally); 6] {
        [
            ("home", self.home),
            ("work list", self.work_list),
            ("case page", self.case_page),
            ("add a note", self.add_note),
            ("tasks page", self.tasks_page),
            ("complete a task", self.complete_task),
        ]
    }
}

/// A caseworker's rounds: the home page, a work list, a case from either, a note on it, and
/// one of their tasks completed from its case's tasks page.
async fn caseworker(browser: Browser, service: String, list: String, rounds: usize, seed: u64) -> Mix {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut mix = Mix::default();
    for _ in 0..rounds {
        let Some(home) = step(&mut mix.home, "home", browser.page("/")).await else { continue };
        let (mut cases, tasks) = case_links(&home);
        let listed = step(&mut mix.work_list, "work list", browser.page(&format!("/work-lists/{service}/{list}"))).await;
        cases.extend(listed.map(|page| case_links(&page).0).unwrap_or_default());

        if let Some(case) = cases.choose(&mut rng).cloned() {
            let path = format!("/cases/{case}");
            if let Some(page) = step(&mut mix.case_page, "case page", browser.page(&path)).await {
                let csrf = hidden(&page, "csrf").unwrap_or_default();
                let body = note_text(&mut rng);
                let fields = [("csrf", csrf.as_str()), ("kind", "contact"), ("contact_at", ""), ("body", body.as_str())];
                if step(&mut mix.add_note, "add a note", browser.submit(&format!("{path}/notes"), &fields)).await.is_some() {
                    mix.notes_added += 1;
                }
            }
        } else {
            mix.case_page.skipped += 1;
            mix.add_note.skipped += 1;
        }

        let Some(case) = tasks.choose(&mut rng).cloned() else {
            mix.tasks_page.skipped += 1;
            mix.complete_task.skipped += 1;
            continue;
        };
        let path = format!("/cases/{case}/tasks");
        let Some(page) = step(&mut mix.tasks_page, "tasks page", browser.page(&path)).await else { continue };
        let csrf = hidden(&page, "csrf").unwrap_or_default();
        let Some((action, version)) = completion_forms(&page).choose(&mut rng).cloned() else {
            mix.complete_task.skipped += 1;
            continue;
        };
        let fields = [("csrf", csrf.as_str()), ("version", version.as_str())];
        step(&mut mix.complete_task, "complete a task", browser.submit(&action, &fields)).await;
    }
    mix
}

/// Runs the session mix from `count` caseworkers at once; returns the tallies and the wall time.
async fn session_mix(options: &Options, count: usize, rng: &mut StdRng) -> Result<(Mix, Duration)> {
    if options.caseworkers.is_empty() {
        bail!("name at least one caseworker for the session mix");
    }
    let mut browsers = Vec::new();
    for index in 0..count {
        let username = &options.caseworkers[index % options.caseworkers.len()];
        browsers.push(Browser::sign_in(&options.base_url, username, &options.password).await?);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for browser in browsers {
        let seed = rng.r#gen::<u64>();
        tasks.push(tokio::spawn(caseworker(
            browser,
            options.service.clone(),
            options.work_list.clone(),
            options.mix_rounds,
            seed,
        )));
    }
    let mut mix = Mix::default();
    for task in tasks {
        mix.add(task.await.context("a caseworker's client stopped")?);
    }
    Ok((mix, started.elapsed()))
}
