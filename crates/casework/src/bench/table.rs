//! The timings of repeated runs, and the table the benchmark commands print them in.

use std::time::Duration;

/// How long each run of one thing took.
#[derive(Debug, Clone, Default)]
pub struct Timings(Vec<Duration>);

impl Timings {
    pub fn push(&mut self, took: Duration) {
        self.0.push(took);
    }

    /// Adds another thing's runs to these, run by run (the total of several things done
    /// once each per run).
    pub fn add_runs(&mut self, other: &Timings) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), Duration::ZERO);
        }
        for (mine, theirs) in self.0.iter_mut().zip(&other.0) {
            *mine += *theirs;
        }
    }

    /// The fastest, the median and the slowest run, in milliseconds.
    pub fn min_median_max_ms(&self) -> (f64, f64, f64) {
        let mut sorted = self.0.clone();
        sorted.sort();
        let ms = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        (ms(sorted.first()), ms(sorted.get(sorted.len() / 2)), ms(sorted.last()))
    }
}

/// A Markdown table: one line per thing timed, with its min/median/max ms and row count.
pub fn print_table(what: &str, lines: &[(String, Timings, usize)]) {
    println!("| {what} | min ms | median ms | max ms | rows |");
    println!("|---|---:|---:|---:|---:|");
    for (name, timings, rows) in lines {
        let (min, median, max) = timings.min_median_max_ms();
        println!("| {name} | {min:.1} | {median:.1} | {max:.1} | {rows} |");
    }
}
