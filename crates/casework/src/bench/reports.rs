//! `casework bench reports`: how long a service's reports for a whole year take, computed as
//! a manager asking for the whole service would have them: every report on the service's
//! reports index, through the same use case the pages, the API and the downloads call.

use super::table::{Timings, print_table};
use anyhow::{Context, Result, anyhow, bail};
use casework_app::App;
use casework_app::users::system_actor;
use casework_domain::access::{Actor, Permission, Reach};
use casework_domain::text::Code;
use casework_domain::timeliness::{Month, Period};
use std::time::Instant;

/// What to time.
#[derive(Debug, Clone)]
pub struct ReportsOptions {
    pub service: String,
    /// The calendar year the reports cover, January to December.
    pub year: i16,
    /// How many times each report is computed.
    pub runs: usize,
    /// The account the reports are computed for; by default the service's first role that
    /// reads reports across the whole service, as the seed names it (`SERVICE.ROLE`).
    pub reader: Option<String>,
}

/// Times every report of the service and prints a table: report, min/median/max ms, rows.
pub async fn reports(app: &App, options: &ReportsOptions) -> Result<()> {
    let service = Code::parse(&options.service).map_err(|_| anyhow!("{} is not a service code", options.service))?;
    let definition = app.services.get(&service).cloned().ok_or_else(|| anyhow!("there is no service {service}"))?;
    let reader = match &options.reader {
        Some(username) => username.clone(),
        None => {
            let role = definition
                .roles
                .iter()
                .find(|role| role.reach == Reach::Service && role.permissions.contains(&Permission::ReportsRead))
                .ok_or_else(|| anyhow!("no role of {service} reads the whole service's reports; name an account with --as"))?;
            format!("{service}.{}", role.code)
        }
    };
    let actor = actor_named(app, &reader).await?;
    let period = year_period(options.year)?;
    let slugs = casework_web::ui::report_slugs(&definition);
    let runs = options.runs.max(1);
    println!("{} reports of {service} for {}, as {reader}, {runs} runs each", slugs.len(), options.year);

    let mut table = Vec::new();
    let mut total = Timings::default();
    for slug in slugs {
        let mut timings = Timings::default();
        let mut rows = 0;
        for _ in 0..runs {
            let started = Instant::now();
            let tables = app
                .report_tables(&actor, &service, slug, period, None)
                .await
                .map_err(crate::describe)
                .with_context(|| format!("computing the {slug} report"))?;
            timings.push(started.elapsed());
            rows = tables.iter().map(|t| t.rows.len()).sum::<usize>();
        }
        total.add_runs(&timings);
        table.push((slug.to_owned(), timings, rows));
    }
    let rows: usize = table.iter().map(|(_, _, rows)| rows).sum();
    table.push(("all (one run of each, summed)".to_owned(), total, rows));
    print_table("report", &table);
    Ok(())
}

/// The actor of an account, with its roles and teams as a sign-in would load them.
async fn actor_named(app: &App, username: &str) -> Result<Actor> {
    let account = app.find_user(&system_actor(), username).await.map_err(crate::describe).with_context(|| {
        format!("finding the account {username} (the seed makes SERVICE.ROLE accounts; name another with --as)")
    })?;
    app.actor(account.id).await.map_err(crate::describe)?.ok_or_else(|| anyhow!("the account {username} is disabled"))
}

/// January to December of a year.
fn year_period(year: i16) -> Result<Period> {
    let (Some(from), Some(to)) = (Month::parse(&format!("{year:04}-01")), Month::parse(&format!("{year:04}-12"))) else {
        bail!("{year} is not a year a report can cover");
    };
    Ok(Period { from, to })
}
