//! The waiting list: its size at the end of each month as a bar chart drawn on the server
//! (no script), followed by its data tables, whose figures link to the cases behind them.

use super::super::*;
use super::chart::{self, ColumnChart};
use super::referrals::Heading;
use super::{Asked, Filters, asked_report};
use casework_app::reports::WaitingView;
use casework_domain::text::Code;
use casework_domain::timeliness::Month;
use casework_domain::waiting::Figures;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/services/{code}/reports/waiting-list", get(report_page))
        .route("/services/{code}/reports/waiting-list/cases", get(cases_page))
}

/// A figure in a table: the count and the link to the cases behind it (none for zero).
struct Figure {
    count: u32,
    link: Option<String>,
}

struct MonthRow {
    label: String,
    size: Figure,
    joined: u32,
    left: u32,
}

struct SourceRow {
    label: String,
    waiting: Figure,
    median: String,
    longest: String,
}

struct SourceMonths {
    source: String,
    months: Vec<MonthRow>,
}

#[derive(Template)]
#[template(path = "report_waiting_list.html")]
struct ReportPage {
    signed_in: Option<SignedIn>,
    heading: Heading,
    rule: &'static str,
    stages: String,
    excluded: Vec<String>,
    now: SourceRow,
    chart: ColumnChart,
    chart_id: &'static str,
    chart_title: String,
    chart_desc: String,
    months: Vec<MonthRow>,
    sources: Vec<SourceRow>,
    source_months: Vec<SourceMonths>,
}

fn median(days: Option<f64>) -> String {
    days.map_or_else(|| "–".to_owned(), |d| format!("{d:.1}"))
}

/// The cases behind a figure; the report's period rides along so the list can lead back to it.
fn cases_link(view: &WaitingView, team: &str, month: Option<Month>, source: Option<&str>, count: u32) -> Figure {
    let service = &view.service;
    let period = view.report.period;
    let mut query = vec![("from", period.from.to_string()), ("to", period.to.to_string())];
    if let Some(month) = month {
        query.push(("month", month.to_string()));
    }
    if let Some(source) = source {
        query.push(("source", source.to_owned()));
    }
    if !team.is_empty() {
        query.push(("team", team.to_owned()));
    }
    let link = (count > 0).then(|| {
        format!("/services/{service}/reports/waiting-list/cases?{}", serde_urlencoded::to_string(&query).unwrap_or_default())
    });
    Figure { count, link }
}

fn month_rows(view: &WaitingView, figures: &Figures, source: Option<&str>, team: &str) -> Vec<MonthRow> {
    figures
        .months
        .iter()
        .map(|(month, flow)| MonthRow {
            label: month.name(),
            size: cases_link(view, team, Some(*month), source, flow.size_at_end),
            joined: flow.joined,
            left: flow.left,
        })
        .collect()
}

fn source_row(view: &WaitingView, label: &str, figures: &Figures, source: Option<&str>, team: &str) -> SourceRow {
    SourceRow {
        label: label.to_owned(),
        waiting: cases_link(view, team, None, source, figures.now.size),
        median: median(figures.now.median_days),
        longest: figures.now.longest_days.map_or_else(|| "–".to_owned(), |d| d.to_string()),
    }
}

async fn report_page(
    State(app): State<App>,
    session: Session,
    Path(code): Path<String>,
    axum::extract::Query(filters): axum::extract::Query<Filters>,
) -> Response {
    let (app, actor) = (&app, &session.actor);
    let asked = asked_report(app, &session, &code, &filters, |service, period, team| async move {
        app.waiting_list_report(actor, &service, period, team).await
    });
    let Asked { service, period, view, errors } = match asked.await {
        Ok(asked) => asked,
        Err(response) => return response,
    };
    let heading = Heading::new(&service, &view.service_name, "waiting-list", &filters, period, (view.team, &view.teams), errors);
    let team_value = heading.team.clone();
    let all = &view.report.all;
    let sizes: Vec<(String, u32)> =
        all.months.iter().map(|(m, f)| (m.first_day().strftime("%b %Y").to_string(), f.size_at_end)).collect();
    let chart_desc = format!(
        "Cases waiting at the end of each month: {}. Waiting now: {}.",
        all.months.iter().map(|(m, f)| format!("{} {}", m.name(), f.size_at_end)).collect::<Vec<_>>().join(", "),
        all.now.size
    );
    let page = ReportPage {
        signed_in: session.header.clone(),
        heading,
        rule: crate::api::reports::WAITING_RULE,
        stages: view.stages.join(", "),
        excluded: view.excluded.iter().map(|e| e.sentence()).collect(),
        now: source_row(&view, "All sources", all, None, &team_value),
        chart: chart::columns(&sizes),
        chart_id: "waiting-size",
        chart_title: "Cases waiting at the end of each month".to_owned(),
        chart_desc,
        months: month_rows(&view, all, None, &team_value),
        sources: view
            .report
            .by_source
            .iter()
            .map(|(source, figures)| source_row(&view, source, figures, Some(source), &team_value))
            .chain(std::iter::once(source_row(&view, "All sources", all, None, &team_value)))
            .collect(),
        source_months: view
            .report
            .by_source
            .iter()
            .map(|(source, figures)| SourceMonths {
                source: source.clone(),
                months: month_rows(&view, figures, Some(source), &team_value),
            })
            .collect(),
    };
    render(&page, StatusCode::OK)
}

struct CaseRow {
    id: String,
    reference: String,
    person_name: String,
    worker: String,
    source: String,
    joined: String,
    wait_days: u32,
}

#[derive(Template)]
#[template(path = "report_waiting_cases.html")]
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
    axum::extract::Query(params): axum::extract::Query<crate::api::reports::WaitingCasesParams>,
    axum::extract::Query(report): axum::extract::Query<Filters>,
) -> Response {
    let Ok(service) = Code::parse(&code) else {
        return problem(AppError::NotFound("service"), session.header.clone());
    };
    let Ok(asked) = crate::api::reports::waiting_query(&params) else {
        return problem(AppError::Invalid(casework_domain::Invalid::new()), session.header.clone());
    };
    let cases = match app.waiting_list_cases(&session.actor, &service, &asked).await {
        Ok(cases) => cases,
        Err(error) => return problem(error, session.header.clone()),
    };
    let Some(definition) = app.services.get(&service) else {
        return problem(AppError::NotFound("service"), session.header.clone());
    };
    let when = asked.month.map_or_else(|| "now".to_owned(), |m| format!("at the end of {}", m.name()));
    let from = asked.source.as_deref().map(|s| format!(", referred by {s}")).unwrap_or_default();
    let back = [("from", report.from), ("to", report.to), ("team", asked.team.map(|t| t.to_string()))];
    let back: Vec<(&str, String)> = back.into_iter().filter_map(|(k, v)| Some((k, v?))).collect();
    let page = CasesPage {
        signed_in: session.header.clone(),
        service_name: definition.service.name.clone(),
        title: format!("Waiting {when}{from}"),
        back: chart::link(&format!("/services/{service}/reports/waiting-list"), &back),
        rows: cases
            .into_iter()
            .map(|c| CaseRow {
                id: c.case.to_string(),
                reference: c.reference,
                person_name: c.person_name,
                worker: c.worker_name.unwrap_or_else(|| "Not allocated".to_owned()),
                source: c.source,
                joined: uk_time(c.joined),
                wait_days: c.wait_days,
            })
            .collect(),
    };
    render(&page, StatusCode::OK)
}
