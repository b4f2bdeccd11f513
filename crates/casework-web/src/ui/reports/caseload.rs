//! Caseload now: the weighted caseload of each worker as horizontal bars drawn on the
//! server (no script), followed by the data tables, whose figures link to the cases.

use super::super::*;
use super::chart::{self, BarChart};
use super::{as_asked_or_whole, read_team};
use casework_app::reports::{CaseloadView, Holder};
use casework_domain::caseload::Load;
use casework_domain::text::Code;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/services/{code}/reports/caseload", get(report_page))
        .route("/services/{code}/reports/caseload/cases", get(cases_page))
}

/// A figure in a table: the count and the link to the cases behind it (none for zero).
struct Figure {
    count: u32,
    link: Option<String>,
}

struct LoadRow {
    label: String,
    cases: Figure,
    weighted: u32,
    high_risk: Figure,
}

#[derive(Debug, Default, Deserialize)]
struct TeamFilter {
    team: Option<String>,
}

#[derive(Template)]
#[template(path = "report_caseload.html")]
struct ReportPage {
    signed_in: Option<SignedIn>,
    code: String,
    service_name: String,
    team: String,
    teams: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    weights: String,
    high_risk: String,
    excluded: Vec<String>,
    chart: BarChart,
    chart_id: &'static str,
    chart_title: String,
    chart_desc: String,
    workers: Vec<LoadRow>,
    unallocated: LoadRow,
    by_team: Vec<LoadRow>,
    total: LoadRow,
}

/// The link to the cases behind a figure: `worker` is a user id or `none`.
fn link(service: &Code, worker: Option<&str>, high_risk: bool, team: &str, count: u32) -> Figure {
    let mut query = Vec::new();
    if let Some(worker) = worker {
        query.push(("worker", worker.to_owned()));
    }
    if high_risk {
        query.push(("high_risk", "true".to_owned()));
    }
    if !team.is_empty() {
        query.push(("team", team.to_owned()));
    }
    let link = (count > 0).then(|| {
        let query = serde_urlencoded::to_string(&query).unwrap_or_default();
        let separator = if query.is_empty() { "" } else { "?" };
        format!("/services/{service}/reports/caseload/cases{separator}{query}")
    });
    Figure { count, link }
}

fn row(view: &CaseloadView, label: String, load: &Load, worker: Option<&str>, team: &str) -> LoadRow {
    LoadRow {
        label,
        cases: link(&view.service, worker, false, team, load.cases),
        weighted: load.weighted,
        high_risk: link(&view.service, worker, true, team, load.high_risk),
    }
}

async fn report_page(
    State(app): State<App>,
    session: Session,
    Path(code): Path<String>,
    axum::extract::Query(filter): axum::extract::Query<TeamFilter>,
) -> Response {
    let Ok(service) = Code::parse(&code) else {
        return problem(AppError::NotFound("service"), session.header.clone());
    };
    let mut errors = Vec::new();
    let team = read_team(filter.team.as_deref(), &mut errors);
    let view =
        match as_asked_or_whole(&mut errors, |as_asked| app.caseload_report(&session.actor, &service, team.filter(|_| as_asked)))
            .await
        {
            Ok(view) => view,
            Err(error) => return problem(error, session.header.clone()),
        };
    let team_value = view.team.map(|t| t.to_string()).unwrap_or_default();
    let workers = view.by_worker();
    let chart_desc = if workers.is_empty() {
        "No worker holds an open case.".to_owned()
    } else {
        format!(
            "Weighted caseload per worker, heaviest first: {}.",
            workers.iter().map(|(_, name, load)| format!("{name} {}", load.weighted)).collect::<Vec<_>>().join(", ")
        )
    };
    let weights = if view.weights.is_empty() {
        "Every open case weighs 1.".to_owned()
    } else {
        format!(
            "Weights by level: {}; any other level, or none, weighs 1.",
            view.weights.iter().map(|(name, weight)| format!("{name} {weight}")).collect::<Vec<_>>().join(", ")
        )
    };
    let high_risk = if view.high_risk.is_empty() {
        "This service names nothing that makes a case high risk.".to_owned()
    } else {
        format!("High risk: a case at or flagged {}.", view.high_risk.join(" or "))
    };
    let page = ReportPage {
        signed_in: session.header.clone(),
        code: service.to_string(),
        service_name: view.service_name.clone(),
        team: team_value.clone(),
        teams: view.teams.iter().map(|t| (t.id.to_string(), t.name.to_string())).collect(),
        errors,
        weights,
        high_risk,
        excluded: view.excluded.iter().map(|e| e.sentence()).collect(),
        chart: chart::bars(&workers.iter().map(|(_, name, load)| (name.clone(), load.weighted)).collect::<Vec<_>>()),
        chart_id: "caseload-weighted",
        chart_title: "Weighted caseload per worker".to_owned(),
        chart_desc,
        workers: workers
            .iter()
            .map(|(id, name, load)| row(&view, name.clone(), load, Some(&id.to_string()), &team_value))
            .collect(),
        unallocated: row(&view, "Not allocated".to_owned(), &view.report.unallocated, Some("none"), &team_value),
        by_team: view
            .report
            .by_team
            .iter()
            .map(|(id, load)| match id {
                Some(id) => row(&view, view.team_name(Some(*id)), load, None, &id.to_string()),
                // Cases with no team cannot be asked for by team, so their figures are not links.
                None => LoadRow {
                    label: view.team_name(None),
                    cases: Figure { count: load.cases, link: None },
                    weighted: load.weighted,
                    high_risk: Figure { count: load.high_risk, link: None },
                },
            })
            .collect(),
        total: row(&view, "All open cases".to_owned(), &view.report.total, None, &team_value),
    };
    render(&page, StatusCode::OK)
}

struct CaseRow {
    id: String,
    reference: String,
    person_name: String,
    worker: String,
    level: String,
    weight: u32,
    high_risk: bool,
}

#[derive(Template)]
#[template(path = "report_caseload_cases.html")]
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
    axum::extract::Query(params): axum::extract::Query<crate::api::reports::CaseloadCasesParams>,
) -> Response {
    let Ok(service) = Code::parse(&code) else {
        return problem(AppError::NotFound("service"), session.header.clone());
    };
    let Ok(asked) = crate::api::reports::caseload_query(&params) else {
        return problem(AppError::Invalid(casework_domain::Invalid::new()), session.header.clone());
    };
    let cases = match app.caseload_cases(&session.actor, &service, &asked).await {
        Ok(cases) => cases,
        Err(error) => return problem(error, session.header.clone()),
    };
    let Some(definition) = app.services.get(&service) else {
        return problem(AppError::NotFound("service"), session.header.clone());
    };
    let whose = match asked.holder {
        Holder::Anyone => "All open cases".to_owned(),
        Holder::Unallocated => "Open cases not allocated".to_owned(),
        Holder::Worker(_) => {
            format!(
                "Open cases of {}",
                cases.first().and_then(|c| c.worker_name.clone()).unwrap_or_else(|| "the worker".to_owned())
            )
        }
    };
    let back = asked.team.map(|t| format!("?team={t}")).unwrap_or_default();
    let page = CasesPage {
        signed_in: session.header.clone(),
        service_name: definition.service.name.clone(),
        title: if asked.high_risk_only { format!("{whose}: high risk") } else { whose },
        back: format!("/services/{service}/reports/caseload{back}"),
        rows: cases
            .into_iter()
            .map(|c| CaseRow {
                id: c.case.to_string(),
                reference: c.reference,
                person_name: c.person_name,
                worker: c.worker_name.unwrap_or_else(|| "Not allocated".to_owned()),
                level: c.level.unwrap_or_default(),
                weight: c.weight,
                high_risk: c.high_risk,
            })
            .collect(),
    };
    render(&page, StatusCode::OK)
}
