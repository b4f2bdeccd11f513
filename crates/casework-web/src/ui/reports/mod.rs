//! A service's reports for its managers, each on its own page under
//! `/services/{code}/reports/`, with charts drawn on the server as SVG (no script), each
//! followed by its data table, whose figures link to the cases behind them.

mod alerts;
mod case_file_audits;
mod caseload;
mod chart;
mod monthly_output;
mod referrals;
mod timeliness;
mod waiting;

use super::*;
use casework_domain::ids::TeamId;
use casework_domain::text::Code;
use casework_domain::timeliness::Period;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/services/{code}/reports", get(index_page))
        .merge(timeliness::routes())
        .merge(waiting::routes())
        .merge(caseload::routes())
        .merge(referrals::routes())
        .merge(alerts::routes())
        .merge(monthly_output::routes())
        .merge(case_file_audits::routes())
}

/// The slugs of the reports a service's index lists, in its order (what a manager asking
/// for every report of the service and period would open).
pub fn report_slugs(definition: &casework_domain::service::ServiceDefinition) -> Vec<&'static str> {
    REPORTS.iter().filter(|r| (r.applies)(definition)).map(|r| r.slug).collect()
}

/// A report as the index lists it; its page is at `/services/{code}/reports/{slug}`.
struct ReportEntry {
    slug: &'static str,
    name: &'static str,
    description: &'static str,
    /// Whether the service's definition gives the report anything to show.
    applies: fn(&casework_domain::service::ServiceDefinition) -> bool,
}

fn always(_: &casework_domain::service::ServiceDefinition) -> bool {
    true
}

const REPORTS: &[ReportEntry] = &[
    ReportEntry {
        slug: "monthly-output",
        name: "Monthly output",
        description: "The figures the service reports each month, each taken from the report it belongs to.",
        applies: |definition| !definition.reports.monthly_output.is_empty(),
    },
    ReportEntry {
        slug: "timeliness",
        name: "Timeliness of deadlines",
        description: "How many runs of each deadline were met, met late or breached, by month, team and worker.",
        applies: always,
    },
    ReportEntry {
        slug: "waiting-list",
        name: "Waiting list",
        description: "How many cases waited at the end of each month, who joined and left, and the median and longest wait now, by referral source.",
        applies: |definition| !definition.reports.waiting_stages.is_empty(),
    },
    ReportEntry {
        slug: "caseload",
        name: "Caseload",
        description: "Open cases per worker and team now, weighted by level, with the high-risk and unallocated cases.",
        applies: always,
    },
    ReportEntry {
        slug: "referrals",
        name: "Referrals and closures",
        description: "Referrals received by source and what became of them; cases opened, closed by reason and reopened, by month.",
        applies: always,
    },
    ReportEntry {
        slug: "alerts",
        name: "Alerts and reminders",
        description: "Alerts raised by each rule and by hand, how many were acknowledged and how long they waited, by month and recipient.",
        applies: always,
    },
    ReportEntry {
        slug: "case-file-audits",
        name: "Case-file audits",
        description: "Case files audited, passed and failed, by month, team and worker, and where files fall short.",
        applies: |definition| definition.reports.case_file_audit.is_some(),
    },
];

#[derive(Template)]
#[template(path = "reports.html")]
struct IndexPage {
    signed_in: Option<SignedIn>,
    code: String,
    service_name: String,
    reports: Vec<&'static ReportEntry>,
}

async fn index_page(State(app): State<App>, session: Session, Path(code): Path<String>) -> Response {
    let Ok(service) = Code::parse(&code) else {
        return problem(AppError::NotFound("service"), session.header.clone());
    };
    match app.reportable(&session.actor, &service) {
        Ok(definition) => render(
            &IndexPage {
                signed_in: session.header.clone(),
                code: service.to_string(),
                service_name: definition.service.name.clone(),
                reports: REPORTS.iter().filter(|r| (r.applies)(&definition)).collect(),
            },
            StatusCode::OK,
        ),
        Err(error) => problem(error, session.header.clone()),
    }
}

/// The period and team a report page was asked for, as typed.
#[derive(Debug, Default, Deserialize)]
struct Filters {
    from: Option<String>,
    to: Option<String>,
    team: Option<String>,
}

/// The filters read: a bad one still shows the page (with the default period, all teams)
/// and says what to fix, so the reader can correct it.
struct Read {
    period: Period,
    team: Option<TeamId>,
    errors: Vec<(String, String)>,
}

/// A report as asked, or, when what was asked is refused as invalid (a team that is not the
/// service's, say), the whole service's, with the problems added to the page's errors so
/// the reader sees the report and what to correct.
async fn as_asked_or_whole<V, Asked>(errors: &mut Vec<(String, String)>, report: impl Fn(bool) -> Asked) -> Result<V, AppError>
where
    Asked: std::future::Future<Output = Result<V, AppError>>,
{
    match report(true).await {
        Err(AppError::Invalid(invalid)) => {
            errors.extend(invalid.errors.iter().map(|e| (e.field.clone(), sentence(&e.message))));
            report(false).await
        }
        answer => answer,
    }
}

/// What a report page was asked for, and the report made for it.
struct Asked<V> {
    service: Code,
    period: Period,
    view: V,
    errors: Vec<(String, String)>,
}

/// How every report page starts: the service from the path, the period and team from the
/// query, then `report` for them (given the service, the period and the team, `None` for the
/// whole service), or for the whole service when what was asked is refused, with the
/// problems kept for the page. Anything else is answered with the problem page.
async fn asked_report<V, Made>(
    app: &App,
    session: &Session,
    code: &str,
    filters: &Filters,
    report: impl Fn(Code, Period, Option<TeamId>) -> Made,
) -> Result<Asked<V>, Response>
where
    Made: std::future::Future<Output = Result<V, AppError>>,
{
    let refused = |error| problem(error, session.header.clone());
    let service = Code::parse(code).map_err(|_| refused(AppError::NotFound("service")))?;
    let Read { period, team, mut errors } = read_filters(app, filters).map_err(refused)?;
    let view = as_asked_or_whole(&mut errors, |as_asked| report(service.clone(), period, team.filter(|_| as_asked)))
        .await
        .map_err(refused)?;
    Ok(Asked { service, period, view, errors })
}

fn read_filters(app: &App, filters: &Filters) -> Result<Read, AppError> {
    let mut errors = Vec::new();
    let period = match app.report_period(filters.from.as_deref(), filters.to.as_deref()) {
        Ok(period) => period,
        Err(AppError::Invalid(invalid)) => {
            errors.extend(invalid.errors.iter().map(|e| (e.field.clone(), sentence(&e.message))));
            app.report_period(None, None)?
        }
        Err(error) => return Err(error),
    };
    let team = read_team(filters.team.as_deref(), &mut errors);
    Ok(Read { period, team, errors })
}

/// The team a report was asked for (none: the whole service); one that does not parse is
/// left out and the page says so.
fn read_team(text: Option<&str>, errors: &mut Vec<(String, String)>) -> Option<TeamId> {
    let text = text.unwrap_or_default().trim();
    if text.is_empty() {
        return None;
    }
    let team = text.parse().ok();
    if team.is_none() {
        errors.push(("team".to_owned(), "Choose a team from the list".to_owned()));
    }
    team
}
