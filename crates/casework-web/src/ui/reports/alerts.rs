//! Alerts and reminders: for each alert rule of the service (and those raised by hand), a
//! chart of the alerts fired each month, acknowledged or not, drawn as SVG, followed by the
//! report's tables by month and by recipient, whose figures link to the cases behind them.

use super::super::*;
use super::chart::{Chart, PageTable, link, page_table, stacked};
use super::referrals::{Heading, ListPage, back, period_name};
use super::{Asked, Filters, asked_report};
use casework_app::reports::{ALERTS_RULE, AlertsView, rule_key};
use casework_domain::Invalid;
use casework_domain::activity::AlertState;
use casework_domain::text::Code;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/services/{code}/reports/alerts", get(report_page))
        .route("/services/{code}/reports/alerts/cases", get(cases_page))
}

struct RuleSection {
    id: String,
    name: String,
    chart: Chart,
    by_month: PageTable,
    by_recipient: PageTable,
}

#[derive(Template)]
#[template(path = "report_alerts.html")]
struct ReportPage {
    signed_in: Option<SignedIn>,
    heading: Heading,
    rule: &'static str,
    rules: Vec<RuleSection>,
    excluded: Vec<String>,
}

/// The table columns whose counts link to alerts in a state.
fn state_of(column: usize) -> Option<AlertState> {
    match column {
        1 => Some(AlertState::Raised),
        2 => Some(AlertState::Acknowledged),
        3 => Some(AlertState::Unacknowledged),
        _ => None,
    }
}

fn sections(view: &AlertsView, base: &[(&'static str, String)]) -> Vec<RuleSection> {
    let tables = view.tables();
    let path = format!("/services/{}/reports/alerts/cases", view.service);
    view.report
        .rules
        .iter()
        .zip(tables.chunks(2))
        .map(|(rule, tables)| {
            let key = rule_key(rule.rule.as_ref());
            let figure = |state: AlertState, extra: (&'static str, String)| {
                let query = [base.to_vec(), vec![("rule", key.clone()), ("state", state.name().to_owned()), extra]].concat();
                link(&path, &query)
            };
            let by_month = page_table(&tables[0], |row, column| {
                let month = rule.months.get(row).map(|(m, _)| m.to_string()).unwrap_or_default();
                Some(figure(state_of(column)?, ("month", month)))
            });
            let by_recipient = page_table(&tables[1], |row, column| {
                let recipient = rule.by_recipient.get(row)?.0.clone();
                Some(figure(state_of(column)?, ("recipient", recipient)))
            });
            let bars: Vec<(String, Vec<u32>)> = rule
                .months
                .iter()
                .map(|(m, t)| (m.first_day().strftime("%b %Y").to_string(), vec![t.acknowledged, t.unacknowledged]))
                .collect();
            let total = &rule.total;
            let id = format!("alerts-{key}");
            let chart = stacked(
                &format!("{id}-chart"),
                &format!("{}: alerts fired by month", rule.name),
                format!(
                    "Alerts fired each month, acknowledged or not yet. Over the period: {} raised, {} acknowledged, {} not yet acknowledged.",
                    total.raised, total.acknowledged, total.unacknowledged
                ),
                &["Acknowledged".to_owned(), "Not yet acknowledged".to_owned()],
                &bars,
            );
            RuleSection { id, name: rule.name.clone(), chart, by_month, by_recipient }
        })
        .collect()
}

async fn report_page(
    State(app): State<App>,
    session: Session,
    Path(code): Path<String>,
    axum::extract::Query(filters): axum::extract::Query<Filters>,
) -> Response {
    let (app, actor) = (&app, &session.actor);
    let asked = asked_report(app, &session, &code, &filters, |service, period, team| async move {
        app.alerts_report(actor, &service, period, team).await
    });
    let Asked { service, period, view, errors } = match asked.await {
        Ok(asked) => asked,
        Err(response) => return response,
    };
    let heading = Heading::new(&service, &view.service_name, "alerts", &filters, period, (view.team, &view.teams), errors);
    let rules = sections(&view, &heading.query(period));
    let page = ReportPage {
        signed_in: session.header.clone(),
        heading,
        rule: ALERTS_RULE,
        rules,
        excluded: view.excluded.iter().map(|e| e.sentence()).collect(),
    };
    render(&page, StatusCode::OK)
}

async fn cases_page(
    State(app): State<App>,
    session: Session,
    Path(code): Path<String>,
    axum::extract::Query(params): axum::extract::Query<crate::api::reports::AlertFigureParams>,
) -> Response {
    let Ok(service) = Code::parse(&code) else {
        return problem(AppError::NotFound("service"), session.header.clone());
    };
    let Ok(asked) = crate::api::reports::alert_figure(&app, &params) else {
        return problem(AppError::Invalid(Invalid::new()), session.header.clone());
    };
    let found = match app.alerts_behind(&session.actor, &service, &asked).await {
        Ok(found) => found,
        Err(error) => return problem(error, session.header.clone()),
    };
    let Some(definition) = app.services.get(&service) else {
        return problem(AppError::NotFound("service"), session.header.clone());
    };
    let figure = &asked.figure;
    let rule_name = match &figure.rule {
        None => casework_domain::activity::BY_HAND.to_owned(),
        Some(rule) => definition.alerts.iter().find(|r| &r.code == rule).map_or_else(|| rule.to_string(), |r| r.name.clone()),
    };
    let state = match figure.state {
        AlertState::Raised => "raised",
        AlertState::Acknowledged => "acknowledged",
        AlertState::Unacknowledged => "not yet acknowledged",
    };
    let when = figure.month.map_or_else(|| period_name(asked.period), |m| m.name());
    let mut title = format!("{rule_name}: {state}, {when}");
    let rows: Vec<Vec<(String, Option<String>)>> = found
        .into_iter()
        .map(|a| {
            vec![
                (a.reference, Some(format!("/cases/{}", a.case))),
                (a.person_name, None),
                (a.recipient_name, None),
                (uk_time(a.fire_at), None),
                (a.acknowledged_at.map(uk_time).unwrap_or_else(|| "Not yet".to_owned()), None),
            ]
        })
        .collect();
    if figure.recipient.is_some()
        && let Some(first) = rows.first()
    {
        title = format!("{title}, for {}", first[2].0);
    }
    let page = ListPage {
        signed_in: session.header.clone(),
        service_name: definition.service.name.clone(),
        title,
        back: back(&service, "alerts", asked.period, asked.team),
        noun: ("alert", "alerts"),
        columns: vec!["Case", "Name", "For", "Fired", "Acknowledged"],
        rows,
    };
    render(&page, StatusCode::OK)
}
