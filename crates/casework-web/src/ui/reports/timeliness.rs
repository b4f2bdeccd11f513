//! The timeliness of every timer: one bar chart per timer drawn on the server as SVG (no
//! script), each followed by its data table, whose figures link to the cases behind them.

use super::super::*;
use super::{Asked, Filters, asked_report};
use casework_app::reports::TimelinessView;
use casework_domain::text::Code;
use casework_domain::timeliness::{Month, Outcome, Tally};

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/services/{code}/reports/timeliness", get(reports_page))
        .route("/services/{code}/reports/timeliness/cases", get(cases_page))
}

/// The outcomes as the chart stacks them, bottom up, with their colours (from the design
/// system's palette, each distinct from its neighbours and named in the legend and table).
const SERIES: [(Outcome, &str); 5] = [
    (Outcome::Met, "#00703c"),
    (Outcome::MetLate, "#f47738"),
    (Outcome::Breached, "#d4351c"),
    (Outcome::Paused, "#505a5f"),
    (Outcome::Running, "#1d70b8"),
];

const CHART_WIDTH: u32 = 640;
const PLOT_LEFT: u32 = 48;
const PLOT_TOP: u32 = 16;
const PLOT_BOTTOM: u32 = 216;

struct Segment {
    y: u32,
    height: u32,
    fill: &'static str,
}

struct Bar {
    x: u32,
    width: u32,
    /// Where the month's label is centred.
    label_x: u32,
    label: String,
    segments: Vec<Segment>,
}

struct Tick {
    y: u32,
    value: u32,
}

/// A figure in a table: the count and the link to the cases behind it (none for zero).
struct Figure {
    count: u32,
    link: Option<String>,
}

struct TableRow {
    label: String,
    figures: Vec<Figure>,
    within: String,
}

struct TimerSection {
    id: String,
    name: String,
    target: String,
    bars: Vec<Bar>,
    ticks: Vec<Tick>,
    /// The chart's description for screen readers: the period's totals in words.
    summary: String,
    months: Vec<TableRow>,
    total: TableRow,
    by_team: Vec<TableRow>,
    by_worker: Vec<TableRow>,
}

#[derive(Template)]
#[template(path = "report_timeliness.html")]
struct ReportsPage {
    signed_in: Option<SignedIn>,
    code: String,
    service_name: String,
    /// Where the period and team filter is sent.
    filter_action: String,
    from: String,
    to: String,
    team: String,
    teams: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    period_name: String,
    rule: &'static str,
    excluded: Vec<String>,
    legend: Vec<(&'static str, &'static str)>,
    headings: Vec<&'static str>,
    timers: Vec<TimerSection>,
}

fn within(tally: &Tally) -> String {
    tally.within_target_percent().map_or_else(|| "–".to_owned(), |p| format!("{p:.1}%"))
}

fn percent_words(tally: &Tally) -> String {
    tally.within_target_percent().map_or_else(|| "no outcome yet".to_owned(), |p| format!("{p:.1}% within target"))
}

/// Scales counts to the plot: a round maximum so the ticks read as whole numbers.
fn scale_max(largest: u32) -> u32 {
    let largest = largest.max(1);
    let step = if largest <= 5 { 1 } else { largest.div_ceil(5) };
    step * largest.div_ceil(step)
}

fn chart(months: &[(Month, Tally)]) -> (Vec<Bar>, Vec<Tick>) {
    let max = scale_max(months.iter().map(|(_, t)| t.total()).max().unwrap_or(0));
    let plot_height = PLOT_BOTTOM - PLOT_TOP;
    let slots = u32::try_from(months.len()).unwrap_or(1).max(1);
    let slot = (CHART_WIDTH - PLOT_LEFT - 8) / slots;
    let width = (slot * 3 / 5).max(4);
    let bars = months
        .iter()
        .zip(0u32..)
        .map(|((month, tally), i)| {
            let x = PLOT_LEFT + i * slot + (slot - width) / 2;
            let mut top = PLOT_BOTTOM;
            let segments = SERIES
                .iter()
                .filter_map(|(outcome, fill)| {
                    let height = tally.count(*outcome) * plot_height / max;
                    (height > 0).then(|| {
                        top -= height;
                        Segment { y: top, height, fill }
                    })
                })
                .collect();
            Bar { x, width, label_x: x + width / 2, label: month.first_day().strftime("%b %Y").to_string(), segments }
        })
        .collect();
    let step = if max <= 5 { 1 } else { max / 5 };
    let ticks = (0..=max / step).map(|k| Tick { y: PLOT_BOTTOM - k * step * plot_height / max, value: k * step }).collect();
    (bars, ticks)
}

fn section(view: &TimelinessView, index: usize, filters: &(String, String, String)) -> Option<TimerSection> {
    let timer = view.report.timers.get(index)?;
    let (from, to, team) = filters;
    let link = |outcome: Outcome, month: Option<Month>, team: &str, worker: &str, count: u32| {
        (count > 0).then(|| {
            let mut query = vec![
                ("timer", timer.code.to_string()),
                ("outcome", outcome.name().to_owned()),
                ("from", from.clone()),
                ("to", to.clone()),
            ];
            if let Some(month) = month {
                query.push(("month", month.to_string()));
            }
            if !team.is_empty() {
                query.push(("team", team.to_owned()));
            }
            if !worker.is_empty() {
                query.push(("worker", worker.to_owned()));
            }
            format!(
                "/services/{}/reports/timeliness/cases?{}",
                view.service,
                serde_urlencoded::to_string(&query).unwrap_or_default()
            )
        })
    };
    let row = |label: String, tally: &Tally, month: Option<Month>, (team, worker): (&str, &str), linked: bool| TableRow {
        label,
        figures: SERIES
            .iter()
            .map(|(outcome, _)| {
                let count = tally.count(*outcome);
                Figure { count, link: if linked { link(*outcome, month, team, worker, count) } else { None } }
            })
            .collect(),
        within: within(tally),
    };
    let (bars, ticks) = chart(&timer.months);
    let total = &timer.total;
    Some(TimerSection {
        id: format!("timer-{}", timer.code),
        name: timer.name.clone(),
        target: timer.target.to_string(),
        bars,
        ticks,
        summary: format!(
            "Runs of this deadline by month. Over the period: {} met within target, {} met late, {} breached, {} paused, {} running; {}.",
            total.met,
            total.met_late,
            total.breached,
            total.paused,
            total.running,
            percent_words(total)
        ),
        months: timer.months.iter().map(|(m, t)| row(m.name(), t, Some(*m), (team, ""), true)).collect(),
        total: row("Whole period".to_owned(), total, None, (team, ""), true),
        by_team: timer
            .by_team
            .iter()
            .map(|(id, t)| {
                let team_value = id.map(|i| i.to_string()).unwrap_or_default();
                // Cases with no team cannot be asked for by team, so their figures are not links.
                row(view.team_name(*id), t, None, (&team_value, ""), id.is_some())
            })
            .collect(),
        by_worker: timer
            .by_worker
            .iter()
            .map(|(id, t)| {
                let worker = id.map_or_else(|| "none".to_owned(), |i| i.to_string());
                row(view.worker_name(*id), t, None, (team, &worker), true)
            })
            .collect(),
    })
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
    let (from, to) = (period.from.to_string(), period.to.to_string());
    let team_value = view.team.map(|t| t.to_string()).unwrap_or_default();
    let link_filters = (from.clone(), to.clone(), team_value.clone());
    let timers = (0..view.report.timers.len()).filter_map(|i| section(&view, i, &link_filters)).collect();
    let page = ReportsPage {
        signed_in: session.header.clone(),
        code: service.to_string(),
        service_name: view.service_name.clone(),
        filter_action: format!("/services/{service}/reports/timeliness"),
        period_name: if period.from == period.to {
            period.from.name()
        } else {
            format!("{} to {}", period.from.name(), period.to.name())
        },
        from: filters.from.filter(|f| !f.trim().is_empty()).unwrap_or(from),
        to: filters.to.filter(|t| !t.trim().is_empty()).unwrap_or(to),
        team: team_value,
        teams: view.teams.iter().map(|t| (t.id.to_string(), t.name.to_string())).collect(),
        errors,
        rule: crate::api::reports::COUNTING_RULE,
        excluded: view.excluded.iter().map(|e| e.sentence()).collect(),
        legend: SERIES.iter().map(|(o, fill)| (o.label(), *fill)).collect(),
        headings: SERIES.iter().map(|(o, _)| o.label()).collect(),
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
