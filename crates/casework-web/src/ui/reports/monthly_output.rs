//! The monthly output report: one table, a row per line the service's definition names and
//! a column per month, each figure the same as in the report it is taken from (which the
//! page links to, for its charts and the cases behind each figure).

use super::super::*;
use super::chart::{PageTable, page_table};
use super::referrals::Heading;
use super::{Filters, Read, as_asked_or_whole, read_filters};
use casework_domain::text::Code;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new().route("/services/{code}/reports/monthly-output", get(report_page))
}

#[derive(Template)]
#[template(path = "report_monthly_output.html")]
struct ReportPage {
    signed_in: Option<SignedIn>,
    heading: Heading,
    // Askama's included filter form reads these names.
    filter_action: String,
    from: String,
    to: String,
    team: String,
    teams: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    table: Option<PageTable>,
}

async fn report_page(
    State(app): State<App>,
    session: Session,
    Path(code): Path<String>,
    axum::extract::Query(filters): axum::extract::Query<Filters>,
) -> Response {
    let Ok(service) = Code::parse(&code) else {
        return problem(AppError::NotFound("service"), session.header.clone());
    };
    let Read { period, team, mut errors } = match read_filters(&app, &filters) {
        Ok(read) => read,
        Err(error) => return problem(error, session.header.clone()),
    };
    let view = match as_asked_or_whole(&mut errors, |as_asked| {
        app.monthly_output_report(&session.actor, &service, period, team.filter(|_| as_asked))
    })
    .await
    {
        Ok(view) => view,
        Err(error) => return problem(error, session.header.clone()),
    };
    let heading = Heading::new(&service, &view.service_name, "monthly-output", filters, period, (view.team, &view.teams), errors);
    let table = view.tables().first().map(|table| page_table(table, |_, _| None));
    let page = ReportPage {
        signed_in: session.header.clone(),
        filter_action: heading.filter_action.clone(),
        from: heading.from.clone(),
        to: heading.to.clone(),
        team: heading.team.clone(),
        teams: heading.teams.clone(),
        errors: heading.errors.clone(),
        heading,
        table,
    };
    render(&page, StatusCode::OK)
}
