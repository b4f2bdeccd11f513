//! The monthly output report: one table, a row per line the service's definition names and
//! a column per month, each figure the same as in the report it is taken from (which the
//! page links to, for its charts and the cases behind each figure).

use super::super::*;
use super::chart::{PageTable, page_table};
use super::referrals::Heading;
use super::{Asked, Filters, asked_report};

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new().route("/services/{code}/reports/monthly-output", get(report_page))
}

#[derive(Template)]
#[template(path = "report_monthly_output.html")]
struct ReportPage {
    signed_in: Option<SignedIn>,
    heading: Heading,
    table: Option<PageTable>,
}

async fn report_page(
    State(app): State<App>,
    session: Session,
    Path(code): Path<String>,
    axum::extract::Query(filters): axum::extract::Query<Filters>,
) -> Response {
    let (app, actor) = (&app, &session.actor);
    let asked = asked_report(app, &session, &code, &filters, |service, period, team| async move {
        app.monthly_output_report(actor, &service, period, team).await
    });
    let Asked { service, period, view, errors } = match asked.await {
        Ok(asked) => asked,
        Err(response) => return response,
    };
    let heading =
        Heading::new(&service, &view.service_name, "monthly-output", &filters, period, (view.team, &view.teams), errors);
    let table = view.tables().first().map(|table| page_table(table, |_, _| None));
    let page = ReportPage { signed_in: session.header.clone(), heading, table };
    render(&page, StatusCode::OK)
}
