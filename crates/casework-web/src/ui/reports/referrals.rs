//! Referrals and closures: referrals by month stacked by outcome, closures by month stacked
//! by reason, drawn as SVG, each followed by the report's tables, whose figures link to the
//! referrals and cases behind them.

use super::super::*;
use super::chart::{Chart, PageTable, link, page_table, stacked};
use super::{Asked, Filters, asked_report};
use casework_app::reports::{REFERRALS_RULE, ReferralsView, source_label};
use casework_domain::Invalid;
use casework_domain::activity::{ActivityFigure, CaseActivity, Fate, OutcomeFigure};
use casework_domain::text::Code;
use casework_domain::timeliness::Period;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/services/{code}/reports/referrals", get(report_page))
        .route("/services/{code}/reports/referrals/referrals", get(referrals_page))
        .route("/services/{code}/reports/referrals/cases", get(cases_page))
}

/// What every report page shows above its figures: the service, the filter and the period.
pub(super) struct Heading {
    pub code: String,
    pub service_name: String,
    /// Where the period and team filter is sent.
    pub filter_action: String,
    pub from: String,
    pub to: String,
    pub team: String,
    pub teams: Vec<(String, String)>,
    pub errors: Vec<(String, String)>,
    pub period_name: String,
}

pub(super) fn period_name(period: Period) -> String {
    if period.from == period.to { period.from.name() } else { format!("{} to {}", period.from.name(), period.to.name()) }
}

impl Heading {
    pub(super) fn new(
        service: &Code,
        service_name: &str,
        slug: &str,
        filters: &Filters,
        period: Period,
        (team, teams): (Option<casework_domain::ids::TeamId>, &[casework_domain::user::Team]),
        errors: Vec<(String, String)>,
    ) -> Heading {
        Heading {
            code: service.to_string(),
            service_name: service_name.to_owned(),
            filter_action: format!("/services/{service}/reports/{slug}"),
            from: filters.from.clone().filter(|f| !f.trim().is_empty()).unwrap_or_else(|| period.from.to_string()),
            to: filters.to.clone().filter(|t| !t.trim().is_empty()).unwrap_or_else(|| period.to.to_string()),
            team: team.map(|t| t.to_string()).unwrap_or_default(),
            teams: teams.iter().map(|t| (t.id.to_string(), t.name.to_string())).collect(),
            errors,
            period_name: period_name(period),
        }
    }

    /// The query a list behind a figure is asked with: the period and team shown.
    pub(super) fn query(&self, period: Period) -> Vec<(&'static str, String)> {
        vec![("from", period.from.to_string()), ("to", period.to.to_string()), ("team", self.team.clone())]
    }
}

#[derive(Template)]
#[template(path = "report_referrals.html")]
struct ReportPage {
    signed_in: Option<SignedIn>,
    heading: Heading,
    rule: &'static str,
    referrals_chart: Chart,
    closures_chart: Chart,
    by_source: PageTable,
    by_outcome: PageTable,
    cases: PageTable,
    excluded: Vec<String>,
}

fn charts(view: &ReferralsView) -> (Chart, Chart) {
    let report = &view.report;
    let total = &report.total.referrals;
    let mut outcomes = vec!["Accepted".to_owned()];
    outcomes.extend(report.rejection_reasons.iter().map(|r| format!("Rejected: {}", view.rejection_names.name(r))));
    outcomes.extend(["Kept on file".to_owned(), "Still pending".to_owned()]);
    let bars: Vec<(String, Vec<u32>)> = report
        .months
        .iter()
        .map(|m| {
            let r = &m.referrals;
            let counts = [vec![r.accepted], r.rejected.clone(), vec![r.kept_on_file, r.pending]].concat();
            (m.month.first_day().strftime("%b %Y").to_string(), counts)
        })
        .collect();
    let referrals = stacked(
        "referrals-chart",
        "Referrals received by month and what became of them",
        format!(
            "Referrals received each month, stacked by outcome. Over the period: {} received, {} accepted, {} rejected, {} kept on file, {} still pending.",
            total.received,
            total.accepted,
            total.rejected_total(),
            total.kept_on_file,
            total.pending
        ),
        &outcomes,
        &bars,
    );
    let reasons: Vec<String> = report.closure_reasons.iter().map(|r| view.closure_names.name(r)).collect();
    let bars: Vec<(String, Vec<u32>)> =
        report.months.iter().map(|m| (m.month.first_day().strftime("%b %Y").to_string(), m.cases.closed.clone())).collect();
    let cases = &report.total.cases;
    let closures = stacked(
        "closures-chart",
        "Cases closed by month and reason",
        format!(
            "Cases closed each month, stacked by closure reason. Over the period: {} opened, {} closed, {} reopened.",
            cases.opened,
            cases.closed_total(),
            cases.reopened
        ),
        &reasons,
        &bars,
    );
    (referrals, closures)
}

async fn report_page(
    State(app): State<App>,
    session: Session,
    Path(code): Path<String>,
    axum::extract::Query(filters): axum::extract::Query<Filters>,
) -> Response {
    let (app, actor) = (&app, &session.actor);
    let asked = asked_report(app, &session, &code, &filters, |service, period, team| async move {
        app.referrals_report(actor, &service, period, team).await
    });
    let Asked { service, period, view, errors } = match asked.await {
        Ok(asked) => asked,
        Err(response) => return response,
    };
    let heading = Heading::new(&service, &view.service_name, "referrals", &filters, period, (view.team, &view.teams), errors);
    let report = &view.report;
    let base = heading.query(period);
    // A row is a month of the period, or the whole period (the last row).
    let month = |row: usize| report.months.get(row).map(|m| m.month.to_string()).unwrap_or_default();
    let referrals_path = format!("/services/{service}/reports/referrals/referrals");
    let referrals_link = |row: usize, extra: Vec<(&'static str, String)>| {
        Some(link(&referrals_path, &[base.clone(), vec![("month", month(row))], extra].concat()))
    };
    let tables = view.tables();
    let by_source = page_table(&tables[0], |row, column| match column {
        1 => referrals_link(row, vec![]),
        c => referrals_link(row, vec![("source", report.sources.get(c - 2)?.name().to_owned())]),
    });
    let reasons = report.rejection_reasons.len();
    let by_outcome = page_table(&tables[1], |row, column| {
        let outcome = |name: &str| vec![("outcome", name.to_owned())];
        match column {
            1 => referrals_link(row, outcome("accepted")),
            c if c < 2 + reasons => {
                referrals_link(row, [outcome("rejected"), vec![("reason", report.rejection_reasons[c - 2].to_string())]].concat())
            }
            c if c == 2 + reasons => referrals_link(row, outcome("kept-on-file")),
            _ => referrals_link(row, outcome("pending")),
        }
    });
    let closures = report.closure_reasons.len();
    let cases_path = format!("/services/{service}/reports/referrals/cases");
    let cases = page_table(&tables[2], |row, column| {
        let activity = |name: &str| vec![("activity", name.to_owned())];
        let extra = match column {
            1 => activity("opened"),
            c if c < 2 + closures => [activity("closed"), vec![("reason", report.closure_reasons[c - 2].to_string())]].concat(),
            c if c == 2 + closures => activity("closed"),
            _ => activity("reopened"),
        };
        Some(link(&cases_path, &[base.clone(), vec![("month", month(row))], extra].concat()))
    });
    let (referrals_chart, closures_chart) = charts(&view);
    let page = ReportPage {
        signed_in: session.header.clone(),
        heading,
        rule: REFERRALS_RULE,
        referrals_chart,
        closures_chart,
        by_source,
        by_outcome,
        cases,
        excluded: view.excluded.iter().map(|e| e.sentence()).collect(),
    };
    render(&page, StatusCode::OK)
}

type ListCell = (String, Option<String>);

/// A list of the referrals or cases behind a figure.
#[derive(Template)]
#[template(path = "report_list.html")]
pub(super) struct ListPage {
    pub signed_in: Option<SignedIn>,
    pub service_name: String,
    pub title: String,
    pub back: String,
    /// The singular and plural of what is listed.
    pub noun: (&'static str, &'static str),
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<ListCell>>,
}

/// Where a list goes back to: its report, for the same period and team.
pub(super) fn back(service: &Code, slug: &str, period: Period, team: Option<casework_domain::ids::TeamId>) -> String {
    let query = [
        ("from", period.from.to_string()),
        ("to", period.to.to_string()),
        ("team", team.map(|t| t.to_string()).unwrap_or_default()),
    ];
    link(&format!("/services/{service}/reports/{slug}"), &query)
}

/// "December 2026", or the period when no month was asked for.
fn when(period: Period, month: Option<casework_domain::timeliness::Month>) -> String {
    month.map_or_else(|| period_name(period), |m| m.name())
}

async fn referrals_page(
    State(app): State<App>,
    session: Session,
    Path(code): Path<String>,
    axum::extract::Query(params): axum::extract::Query<crate::api::reports::ReferralFigureParams>,
) -> Response {
    let Ok(service) = Code::parse(&code) else {
        return problem(AppError::NotFound("service"), session.header.clone());
    };
    let Ok(asked) = crate::api::reports::referral_figure(&app, &params) else {
        return problem(AppError::Invalid(Invalid::new()), session.header.clone());
    };
    let found = match app.referrals_behind(&session.actor, &service, &asked).await {
        Ok(found) => found,
        Err(error) => return problem(error, session.header.clone()),
    };
    let Some(definition) = app.services.get(&service) else {
        return problem(AppError::NotFound("service"), session.header.clone());
    };
    let rejection = |reason: &Code| {
        definition.rejection_reasons.iter().find(|r| &r.code == reason).map_or_else(|| reason.to_string(), |r| r.name.clone())
    };
    let figure = &asked.figure;
    let mut what = vec![format!("Referrals received, {}", when(asked.period, figure.month))];
    if let Some(source) = figure.source {
        what.push(format!("from {}", source_label(source).to_lowercase()));
    }
    match &figure.outcome {
        None => {}
        Some(OutcomeFigure::Accepted) => what.push("accepted".to_owned()),
        Some(OutcomeFigure::Pending) => what.push("still pending".to_owned()),
        Some(OutcomeFigure::KeptOnFile) => what.push("kept on file".to_owned()),
        Some(OutcomeFigure::Rejected(None)) => what.push("rejected".to_owned()),
        Some(OutcomeFigure::Rejected(Some(reason))) => what.push(format!("rejected: {}", rejection(reason))),
    }
    let rows = found
        .into_iter()
        .map(|r| {
            let outcome = match &r.fate {
                Fate::Pending => "Still pending".to_owned(),
                Fate::Accepted => "Accepted".to_owned(),
                Fate::KeptOnFile => "Kept on file".to_owned(),
                Fate::Rejected(reason) => format!("Rejected: {}", rejection(reason)),
            };
            let case = r.case.map_or((String::new(), None), |(id, reference)| (reference, Some(format!("/cases/{id}"))));
            vec![
                (uk_time(r.received_at), Some(format!("/referrals/{}", r.referral))),
                (r.person_name, None),
                (source_label(r.source).to_owned(), None),
                (outcome, None),
                case,
            ]
        })
        .collect();
    let page = ListPage {
        signed_in: session.header.clone(),
        service_name: definition.service.name.clone(),
        title: what.join(", "),
        back: back(&service, "referrals", asked.period, asked.team),
        noun: ("referral", "referrals"),
        columns: vec!["Received", "Name", "Source", "Outcome", "Case"],
        rows,
    };
    render(&page, StatusCode::OK)
}

async fn cases_page(
    State(app): State<App>,
    session: Session,
    Path(code): Path<String>,
    axum::extract::Query(params): axum::extract::Query<crate::api::reports::CaseFigureParams>,
) -> Response {
    let Ok(service) = Code::parse(&code) else {
        return problem(AppError::NotFound("service"), session.header.clone());
    };
    let Ok(asked) = crate::api::reports::case_figure(&app, &params) else {
        return problem(AppError::Invalid(Invalid::new()), session.header.clone());
    };
    let found = match app.activity_cases(&session.actor, &service, &asked).await {
        Ok(found) => found,
        Err(error) => return problem(error, session.header.clone()),
    };
    let Some(definition) = app.services.get(&service) else {
        return problem(AppError::NotFound("service"), session.header.clone());
    };
    let closure = |reason: &Code| definition.closure_reason(reason).map_or_else(|| reason.to_string(), |r| r.name.clone());
    let what = match &asked.figure.activity {
        ActivityFigure::Opened => "Cases opened".to_owned(),
        ActivityFigure::Reopened => "Cases reopened".to_owned(),
        ActivityFigure::Closed(None) => "Cases closed".to_owned(),
        ActivityFigure::Closed(Some(reason)) => format!("Cases closed: {}", closure(reason)),
    };
    let rows = found
        .into_iter()
        .map(|c| {
            let activity = match &c.activity {
                CaseActivity::Opened => "Opened".to_owned(),
                CaseActivity::Reopened => "Reopened".to_owned(),
                CaseActivity::Closed(reason) => format!("Closed: {}", closure(reason)),
            };
            vec![
                (c.reference, Some(format!("/cases/{}", c.case))),
                (c.person_name, None),
                (c.worker_name.unwrap_or_else(|| "Not allocated".to_owned()), None),
                (uk_time(c.at), None),
                (activity, None),
            ]
        })
        .collect();
    let page = ListPage {
        signed_in: session.header.clone(),
        service_name: definition.service.name.clone(),
        title: format!("{what}, {}", when(asked.period, asked.figure.month)),
        back: back(&service, "referrals", asked.period, asked.team),
        noun: ("case", "cases"),
        columns: vec!["Reference", "Name", "Worker", "When", "What"],
        rows,
    };
    render(&page, StatusCode::OK)
}
