//! `casework bench compare`: Casework beside the peers, operation by operation, from the
//! JSON the runs wrote. The peers' files come from the shared driver
//! (`../shared/bench/peers/workload.py --out`); Casework's from the same driver through
//! `benches/peers/casework_workload.py`, or from `casework bench http --json`. The targets
//! are those of the performance issue: at least 50 times the throughput of the faster peer,
//! and at most a twentieth of its p99.

use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Casework's throughput must be at least this many times the faster peer's.
const THROUGHPUT_TARGET: f64 = 50.0;
/// Casework's p99 must be at most this fraction of the faster peer's.
const P99_TARGET: f64 = 1.0 / 20.0;

/// Which results to put side by side.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// A peer's results, as the shared driver writes them with --out (repeat for each peer).
    #[arg(long = "peer", value_name = "FILE", required = true)]
    pub peers: Vec<PathBuf>,
    /// A run of Casework: the shared driver's results through the Casework adapter, or
    /// `casework bench http --json` (repeat for each run).
    #[arg(long = "casework", value_name = "FILE", required = true)]
    pub casework: Vec<PathBuf>,
}

/// One operation's figures in one run.
#[derive(Debug, Clone)]
struct Figures {
    n: u64,
    errors: u64,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    ops_per_s: f64,
    /// The server's memory after the operation, where the run measured it there.
    rss_mib: Option<String>,
}

/// One system's run: its figures by operation key (`a_create_seq` … `f_create_8threads`,
/// the shared driver's names, which sort in the workload's order).
#[derive(Debug)]
struct Run {
    system: String,
    operations: BTreeMap<String, Figures>,
}

pub fn compare(options: &Options) -> Result<()> {
    let peers = options.peers.iter().map(|path| read_run(path)).collect::<Result<Vec<_>>>()?;
    let caseworks = options.casework.iter().map(|path| read_run(path)).collect::<Result<Vec<_>>>()?;
    let mut keys: Vec<&String> = peers.iter().chain(&caseworks).flat_map(|run| run.operations.keys()).collect();
    keys.sort();
    keys.dedup();

    println!("| operation | system | n | errors | p50 ms | p95 ms | p99 ms | ops/s | server RSS MiB |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---|");
    for key in &keys {
        for run in peers.iter().chain(&caseworks) {
            let Some(f) = run.operations.get(*key) else { continue };
            println!(
                "| {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.1} | {} |",
                label(key),
                run.system,
                f.n,
                f.errors,
                f.p50_ms,
                f.p95_ms,
                f.p99_ms,
                f.ops_per_s,
                f.rss_mib.as_deref().unwrap_or("–")
            );
        }
    }

    println!();
    println!(
        "| operation | faster peer | its ops/s | its p99 ms | Casework run | ops/s | × the peer's | 50× target | p99 ms | of the peer's p99 | 1/20 target |"
    );
    println!("|---|---|---:|---:|---|---:|---:|---|---:|---:|---|");
    for key in &keys {
        let faster = peers
            .iter()
            .filter_map(|run| run.operations.get(*key).map(|f| (run, f)))
            .max_by(|a, b| a.1.ops_per_s.total_cmp(&b.1.ops_per_s));
        let Some((peer, theirs)) = faster else { continue };
        for run in &caseworks {
            let Some(ours) = run.operations.get(*key) else { continue };
            let ratio = ours.ops_per_s / theirs.ops_per_s;
            let fraction = ours.p99_ms / theirs.p99_ms;
            println!(
                "| {} | {} | {:.1} | {:.2} | {} | {:.1} | {:.1} | {} | {:.2} | {} | {} |",
                label(key),
                peer.system,
                theirs.ops_per_s,
                theirs.p99_ms,
                run.system,
                ours.ops_per_s,
                ratio,
                throughput_verdict(ratio),
                ours.p99_ms,
                as_fraction(fraction),
                p99_verdict(fraction)
            );
        }
    }
    Ok(())
}

/// "met (×1.6 the target)" or "missed: ×3.1 short of it".
fn throughput_verdict(ratio: f64) -> String {
    if ratio >= THROUGHPUT_TARGET {
        format!("met (×{:.1} the target)", ratio / THROUGHPUT_TARGET)
    } else {
        format!("missed: ×{:.1} short", THROUGHPUT_TARGET / ratio)
    }
}

/// "met (×2.0 under the target)" or "missed: ×1.6 over".
fn p99_verdict(fraction: f64) -> String {
    if fraction <= P99_TARGET {
        format!("met (×{:.1} under)", P99_TARGET / fraction)
    } else {
        format!("missed: ×{:.1} over", fraction / P99_TARGET)
    }
}

/// A fraction as "1/N" (N rounded) when it is at most a half, else as a multiple ("×0.82"),
/// which a rounded "1/1" would hide.
fn as_fraction(fraction: f64) -> String {
    if fraction > 0.5 { format!("×{fraction:.2}") } else { format!("1/{:.0}", 1.0 / fraction) }
}

/// What an operation key stands for, in the table.
fn label(key: &str) -> String {
    match key {
        "a_create_seq" => "a) create, 1 client".to_owned(),
        "b_add_note" => "b) add a note".to_owned(),
        "c_get_with_notes" => "c) get with its notes".to_owned(),
        "d_list_open_25" => "d) list open, 25 rows".to_owned(),
        "e_search" => "e) search".to_owned(),
        other => match other.strip_prefix("f_create_").and_then(|rest| rest.strip_suffix("threads")) {
            Some(clients) => format!("f) create, {clients} clients"),
            None => other.to_owned(),
        },
    }
}

fn read_run(path: &Path) -> Result<Run> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let report: Value = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let run = if let Some(kind) = report["kind"].as_str() { from_shared_driver(kind, &report) } else { from_bench_http(&report) };
    let run = run.with_context(|| format!("reading the results in {}", path.display()))?;
    if run.operations.is_empty() {
        bail!("{} holds no results of the shared workload", path.display());
    }
    Ok(run)
}

fn number(entry: &Value, field: &str) -> Result<f64> {
    entry[field].as_f64().with_context(|| format!("no number '{field}' in {entry}"))
}

fn figures(entry: &Value, rss_mib: Option<String>) -> Result<Figures> {
    Ok(Figures {
        n: entry["n"].as_u64().context("no 'n'")?,
        errors: entry["errors"].as_u64().context("no 'errors'")?,
        p50_ms: number(entry, "p50_ms")?,
        p95_ms: number(entry, "p95_ms")?,
        p99_ms: number(entry, "p99_ms")?,
        ops_per_s: number(entry, "ops_per_s")?,
        rss_mib,
    })
}

/// The shared driver's file: `{"kind", "results": [{"op", …}], "memory": {"rss_mib",
/// "pss_mib", "pids"}}`. Memory is read once, after the run: it goes on the last operation.
fn from_shared_driver(kind: &str, report: &Value) -> Result<Run> {
    let system = if kind == "casework" { "casework (shared driver)".to_owned() } else { kind.to_owned() };
    let results = report["results"].as_array().context("no 'results'")?;
    let memory = report["memory"].as_object().map(|m| {
        let processes = m.get("pids").and_then(Value::as_array).map_or(0, Vec::len);
        format!(
            "{:.0} (PSS {:.0}), {processes} proc. (after the run)",
            m.get("rss_mib").and_then(Value::as_f64).unwrap_or_default(),
            m.get("pss_mib").and_then(Value::as_f64).unwrap_or_default()
        )
    });
    let mut operations = BTreeMap::new();
    let measured: Vec<&Value> = results.iter().filter(|r| r.get("unsupported").is_none()).collect();
    for (index, entry) in measured.iter().enumerate() {
        let key = entry["op"].as_str().context("a result without 'op'")?;
        let rss = if index + 1 == measured.len() { memory.clone() } else { None };
        operations.insert(key.to_owned(), figures(entry, rss)?);
    }
    Ok(Run { system, operations })
}

/// `casework bench http --json`: its operations of the shared workload (a to f), not its
/// further ones (notes from several clients, the session mix).
fn from_bench_http(report: &Value) -> Result<Run> {
    let results = report["results"].as_array().context("neither 'kind' nor 'results': not a known results file")?;
    let mut operations = BTreeMap::new();
    for entry in results {
        let operation = entry["operation"].as_str().context("a result without 'operation'")?;
        let clients = entry["clients"].as_u64().context("a result without 'clients'")?;
        let key = match (operation.split(')').next().unwrap_or_default(), clients) {
            ("a", 1) => "a_create_seq".to_owned(),
            ("b", 1) => "b_add_note".to_owned(),
            ("c", 1) => "c_get_with_notes".to_owned(),
            ("d", 1) => "d_list_open_25".to_owned(),
            ("e", 1) => "e_search".to_owned(),
            ("f", clients) => format!("f_create_{clients}threads"),
            _ => continue,
        };
        let rss = entry["server_rss_mib"].as_f64().map(|mib| format!("{mib:.0}"));
        operations.insert(key, figures(entry, rss)?);
    }
    Ok(Run { system: "casework (bench http, kept alive)".to_owned(), operations })
}
