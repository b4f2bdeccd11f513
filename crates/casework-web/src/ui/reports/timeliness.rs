//! The timeliness of every timer: one bar chart per timer drawn on the server as SVG (no
//! script), each followed by its data tables, whose figures link to the cases behind them.

use super::super::*;
use super::chart::{Chart, PageTable, link, page_table, stacked_in, text};
use super::referrals::Heading;
use super::{Asked, Filters, asked_report};
use casework_app::reports::TimelinessView;
use casework_domain::table::Cell;
use casework_domain::text::Code;
use casework_domain::timeliness::{Outcome, Tally, TimerTimeliness};

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/services/{code}/reports/timeliness", get(reports_page))
        .route("/services/{code}/reports/timeliness/cases", get(cases_page))
}

/// The colour of each outcome as the chart stacks them (in `Outcome::ALL`'s order, bottom
/// up): from the design system's palette, each distinct from its neighbours, a breach in red.
fn colour(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Met => "#00703c",
        Outcome::MetLate => "#f47738",
        Outcome::Breached => "#d4351c",
        Outcome::Paused => "#505a5f",
        Outcome::Running => "#1d70b8",
    }
}

struct TimerSection {
    id: String,
    name: String,
    target: String,
    /// The share of the period's runs met within target.
    within: String,
    chart: Chart,
    by_month: PageTable,
    by_team: PageTable,
    by_worker: PageTable,
}

#[derive(Template)]
#[template(path = "report_timeliness.html")]
struct ReportsPage {
    signed_in: Option<SignedIn>,
    heading: Heading,
    rule: &'static str,
    excluded: Vec<String>,
    timers: Vec<TimerSection>,
}

fn percent_words(tally: &Tally) -> String {
    tally.within_target_percent().map_or_else(|| "no outcome yet".to_owned(), |p| format!("{p:.1}% within target"))
}

fn chart(id: &str, timer: &TimerTimeliness) -> Chart {
    let bars: Vec<(String, Vec<u32>)> = timer
        .months
        .iter()
        .map(|(month, tally)| {
            let counts = Outcome::ALL.iter().map(|o| tally.count(*o)).collect();
            (month.first_day().strftime("%b %Y").to_string(), counts)
        })
        .collect();
    let total = &timer.total;
    stacked_in(
        id,
        &format!("{}: runs by month and outcome", timer.name),
        format!(
            "Runs of this deadline by month. Over the period: {} met within target, {} met late, {} breached, {} paused, {} running; {}.",
            total.met,
            total.met_late,
            total.breached,
            total.paused,
            total.running,
            percent_words(total)
        ),
        Outcome::ALL.iter().map(|o| (o.label().to_owned(), colour(*o))).collect(),
        &bars,
    )
}

/// The timers' sections; `base` is the period and team shown, which every list behind a
/// figure is asked with.
fn sections(view: &TimelinessView, base: &[(&'static str, String)]) -> Vec<TimerSection> {
    let tables = view.tables();
    let path = format!("/services/{}/reports/timeliness/cases", view.service);
    view.report
        .timers
        .iter()
        .zip(tables.chunks(3))
        .map(|(timer, tables)| {
            // The columns after the row's heading are the outcomes, then the share within target.
            let figure = |column: usize, filters: Vec<(&'static str, String)>| {
                let outcome = Outcome::ALL.get(column.checked_sub(1)?)?;
                let asked = [("timer", timer.code.to_string()), ("outcome", outcome.name().to_owned())];
                Some(link(&path, &[asked.to_vec(), filters].concat()))
            };
            // The period and team shown, with one of them set or one more added.
            let with = |(name, value): (&'static str, String)| -> Vec<(&'static str, String)> {
                base.iter().filter(|(k, _)| *k != name).cloned().chain([(name, value)]).collect()
            };
            // The last row is the whole period, asked for with no month.
            let mut by_month = page_table(&tables[0], |row, column| {
                let month = timer.months.get(row).map(|(m, _)| m.to_string()).unwrap_or_default();
                figure(column, with(("month", month)))
            });
            by_month.caption = format!("{}: figures by month", timer.name);
            let mut by_team = page_table(&tables[1], |row, column| {
                // Cases with no team cannot be asked for by team, so their figures are not links.
                let team = timer.by_team.get(row)?.0?;
                figure(column, with(("team", team.to_string())))
            });
            by_team.caption = format!("{}: by team, whole period", timer.name);
            let mut by_worker = page_table(&tables[2], |row, column| {
                let worker = timer.by_worker.get(row)?.0.map_or_else(|| "none".to_owned(), |id| id.to_string());
                figure(column, with(("worker", worker)))
            });
            by_worker.caption = format!("{}: by worker, whole period", timer.name);
            let id = format!("timer-{}", timer.code);
            TimerSection {
                chart: chart(&id, timer),
                id,
                name: timer.name.clone(),
                target: timer.target.to_string(),
                within: text(&Cell::from(timer.total.within_target_percent())),
                by_month,
                by_team,
                by_worker,
            }
        })
        .collect()
}

async fn reports_page(
    State(app): State<App>,
    session: Session,
    Path(code): Path<String>,
    axum::extract::Query(filters): axum::extract::Query<Filters>,
) -> Response {
    let (app, actor) = (&app, &session.actor);
    let asked = asked_report(app, &session, &code, &filters, |service, period, team| async move {
        app.timeliness_report(actor, &service, period, team).await
    });
    let Asked { service, period, view, errors } = match asked.await {
        Ok(asked) => asked,
        Err(response) => return response,
    };
    let heading = Heading::new(&service, &view.service_name, "timeliness", &filters, period, (view.team, &view.teams), errors);
    let timers = sections(&view, &heading.query(period));
    let page = ReportsPage {
        signed_in: session.header.clone(),
        heading,
        rule: crate::api::reports::COUNTING_RULE,
        excluded: view.excluded.iter().map(|e| e.sentence()).collect(),
        timers,
    };
    render(&page, StatusCode::OK)
}

struct CaseRow {
    id: String,
    reference: String,
    person_name: String,
    worker: String,
    due: String,
    ended: String,
}

#[derive(Template)]
#[template(path = "report_cases.html")]
struct CasesPage {
    signed_in: Option<SignedIn>,
    service_name: String,
    title: String,
    back: String,
    rows: Vec<CaseRow>,
}

async fn cases_page(
    State(app): State<App>,
    session: Session,
    Path(code): Path<String>,
    axum::extract::Query(params): axum::extract::Query<crate::api::reports::FigureParams>,
) -> Response {
    let Ok(service) = Code::parse(&code) else {
        return problem(AppError::NotFound("service"), session.header.clone());
    };
    let asked = match crate::api::reports::figure_query(&app, &params) {
        Ok(asked) => asked,
        Err(_) => return problem(AppError::Invalid(casework_domain::Invalid::new()), session.header.clone()),
    };
    let cases = match app.timeliness_cases(&session.actor, &service, &asked).await {
        Ok(cases) => cases,
        Err(error) => return problem(error, session.header.clone()),
    };
    let Some(definition) = app.services.get(&service) else {
        return problem(AppError::NotFound("service"), session.header.clone());
    };
    let timer_name =
        definition.timers.iter().find(|t| t.code == asked.timer).map_or_else(|| asked.timer.to_string(), |t| t.name.clone());
    let when = match asked.month {
        Some(month) => month.name(),
        None if asked.period.from == asked.period.to => asked.period.from.name(),
        None => format!("{} to {}", asked.period.from.name(), asked.period.to.name()),
    };
    let whose = match asked.worker {
        casework_app::reports::Holder::Anyone => String::new(),
        casework_app::reports::Holder::Unallocated => ", not allocated".to_owned(),
        casework_app::reports::Holder::Worker(_) => {
            cases.first().and_then(|c| c.worker_name.clone()).map(|name| format!(", {name}")).unwrap_or_default()
        }
    };
    let mut back = vec![("from", asked.period.from.to_string()), ("to", asked.period.to.to_string())];
    if let Some(team) = asked.team {
        back.push(("team", team.to_string()));
    }
    let page = CasesPage {
        signed_in: session.header.clone(),
        service_name: definition.service.name.clone(),
        title: format!("{}: {}{whose}, {when}", timer_name, asked.outcome.label().to_lowercase()),
        back: format!("/services/{service}/reports/timeliness?{}", serde_urlencoded::to_string(&back).unwrap_or_default()),
        rows: cases
            .into_iter()
            .map(|c| CaseRow {
                id: c.case.to_string(),
                reference: c.reference,
                person_name: c.person_name,
                worker: c.worker_name.unwrap_or_else(|| "Not allocated".to_owned()),
                due: uk_time(c.due_at),
                ended: c.ended_at.map(uk_time).unwrap_or_default(),
            })
            .collect(),
    };
    render(&page, StatusCode::OK)
}
