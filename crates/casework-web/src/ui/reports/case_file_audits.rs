//! Case-file audit pages: the rounds of a service and a form to draw one, a round's cases
//! with their status, the audit of one case, and the report of results over time (the share
//! passing by month as an SVG chart, followed by its data table).

use super::super::case_actions::{Fields, Posted};
use super::super::schema_form::{self, FormView, form_view};
use super::super::*;
use super::chart::{self, ColumnChart};
use super::referrals::{Heading, period_name};
use super::{Filters, Read, as_asked_or_whole, read_filters};
use casework_app::reports::{AuditDrill, AuditEntry, AuditReportView, DrawRequest, SampleAuditView};
use casework_domain::case_file_audit::AuditTally;
use casework_domain::ids::AuditRoundId;
use casework_domain::text::Code;
use casework_domain::timeliness::Month;
use std::collections::BTreeMap;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/services/{code}/reports/case-file-audits", get(report_page))
        .route("/services/{code}/case-file-audits", get(rounds_page).post(draw_round))
        .route("/services/{code}/case-file-audits/rounds/{round}", get(round_page))
        .route("/services/{code}/case-file-audits/rounds/{round}/cases/{case}", get(audit_page).post(complete_audit))
}

fn service_of(code: &str) -> Result<Code, AppError> {
    Code::parse(code).map_err(|_| AppError::NotFound("service"))
}

fn round_of(raw: &str) -> Result<AuditRoundId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound("audit round"))
}

// ----- Rounds -----

struct RoundRow {
    link: String,
    drawn_at: String,
    drawn_by: String,
    team: String,
    sample_size: u32,
}

#[derive(Template)]
#[template(path = "case_file_audit_rounds.html")]
struct RoundsPage {
    signed_in: Option<SignedIn>,
    code: String,
    service_name: String,
    problems: Vec<(String, String)>,
    may_draw: bool,
    teams: Vec<(String, String)>,
    team: String,
    sample_size: String,
    sample_size_error: Option<String>,
    rounds: Vec<RoundRow>,
}

async fn rounds_view(
    app: &App,
    session: &Session,
    code: &str,
    posted: &BTreeMap<String, String>,
    problems: Vec<(String, String)>,
) -> Result<RoundsPage, AppError> {
    let service = service_of(code)?;
    let rounds = app.audit_rounds(&session.actor, &service).await?;
    let definition = app.services.get(&service).ok_or(AppError::NotFound("service"))?;
    let mut conn = app.store.read().await?;
    let teams = casework_app::store::users::teams_of_service(&mut conn, &service).await?;
    let team_name = |id: Option<casework_domain::ids::TeamId>| match id {
        None => "Whole service".to_owned(),
        Some(id) => teams.iter().find(|t| t.id == id).map_or_else(|| id.to_string(), |t| t.name.to_string()),
    };
    let default_size = definition.reports.case_file_audit.as_ref().map_or(0, |r| r.sample_size);
    Ok(RoundsPage {
        signed_in: session.header.clone(),
        code: service.to_string(),
        service_name: definition.service.name.clone(),
        may_draw: session.actor.may_in_service(Permission::AuditConduct, &service),
        team: posted.get("team").cloned().unwrap_or_default(),
        sample_size: posted.get("sample_size").cloned().unwrap_or_else(|| default_size.to_string()),
        sample_size_error: problems.iter().find(|(field, _)| field == "sample_size").map(|(_, message)| message.clone()),
        rounds: rounds
            .iter()
            .map(|r| RoundRow {
                link: format!("/services/{service}/case-file-audits/rounds/{}", r.round.id),
                drawn_at: uk_time(r.round.drawn_at),
                drawn_by: r.drawn_by_name.clone(),
                team: team_name(r.round.team),
                sample_size: r.round.sample_size,
            })
            .collect(),
        teams: teams.iter().map(|t| (t.id.to_string(), t.name.to_string())).collect(),
        problems,
    })
}

async fn rounds_page(State(app): State<App>, session: Session, Path(code): Path<String>) -> Response {
    match rounds_view(&app, &session, &code, &BTreeMap::new(), Vec::new()).await {
        Ok(page) => render(&page, StatusCode::OK),
        Err(error) => problem(error, session.header.clone()),
    }
}

async fn draw_round(State(app): State<App>, session: Session, Path(code): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let mut problems = Vec::new();
    let team = match posted.get("team") {
        "" => None,
        text => text.parse().ok().or_else(|| {
            problems.push(("team".to_owned(), "Choose a team from the list".to_owned()));
            None
        }),
    };
    let sample_size = match posted.get("sample_size") {
        "" => None,
        text => text.parse().ok().or_else(|| {
            problems.push(("sample_size".to_owned(), "Enter the number of cases per worker, for example 2".to_owned()));
            None
        }),
    };
    if problems.is_empty() {
        let result = async {
            let service = service_of(&code)?;
            app.draw_audit_round(&session.actor, &service, &DrawRequest { team, sample_size, seed: None }).await
        }
        .await;
        match result {
            Ok(round) => return see_other(&format!("/services/{code}/case-file-audits/rounds/{}", round.round.round.id)),
            Err(AppError::Invalid(invalid)) => {
                problems.extend(invalid.errors.iter().map(|e| (e.field.clone(), sentence(&e.message))));
            }
            Err(error) => return problem(error, session.header.clone()),
        }
    }
    match rounds_view(&app, &session, &code, &posted.0, problems).await {
        Ok(page) => render(&page, StatusCode::UNPROCESSABLE_ENTITY),
        Err(error) => problem(error, session.header.clone()),
    }
}

struct SampleRow {
    link: String,
    reference: String,
    person_name: String,
    worker: String,
    status: String,
}

#[derive(Template)]
#[template(path = "case_file_audit_round.html")]
struct RoundPage {
    signed_in: Option<SignedIn>,
    code: String,
    service_name: String,
    drawn: String,
    cases: Vec<SampleRow>,
}

async fn round_page(State(app): State<App>, session: Session, Path((code, round)): Path<(String, String)>) -> Response {
    let result = async {
        let service = service_of(&code)?;
        app.audit_round(&session.actor, &service, round_of(&round)?).await
    }
    .await;
    let view = match result {
        Ok(view) => view,
        Err(error) => return problem(error, session.header.clone()),
    };
    let summary = &view.round;
    let page = RoundPage {
        signed_in: session.header.clone(),
        code: view.service.to_string(),
        service_name: view.service_name.clone(),
        drawn: format!(
            "Drawn by {} on {}: up to {} open cases per worker of {}.",
            summary.drawn_by_name,
            uk_time(summary.round.drawn_at),
            summary.round.sample_size,
            view.team_name.clone().unwrap_or_else(|| "the whole service".to_owned())
        ),
        cases: view
            .cases
            .iter()
            .map(|c| SampleRow {
                link: format!("/services/{}/case-file-audits/rounds/{}/cases/{}", view.service, summary.round.id, c.sample.case),
                reference: c.reference.clone(),
                person_name: c.person_name.clone(),
                worker: c.worker_name.clone(),
                status: match &c.audit {
                    None => "To audit".to_owned(),
                    Some((_, grade, passed)) => {
                        format!("{}: {}", if *passed { "Passed" } else { "Failed" }, grade.replace(['-', '_'], " "))
                    }
                },
            })
            .collect(),
    };
    render(&page, StatusCode::OK)
}

// ----- One case's audit -----

struct EarlierAudit {
    when: String,
    result: String,
    answers: Vec<(String, String)>,
    corrected: bool,
}

#[derive(Template)]
#[template(path = "case_file_audit_form.html")]
struct AuditPage {
    signed_in: Option<SignedIn>,
    service_name: String,
    round_link: String,
    action: String,
    case_id: String,
    reference: String,
    person_name: String,
    worker: String,
    audits: Vec<EarlierAudit>,
    /// The audit a new one would correct, if the case was audited already.
    corrects: String,
    may_audit: bool,
    form: FormView,
    problems: Vec<(String, String)>,
}

fn audit_page_of(
    session: &Session,
    view: &SampleAuditView,
    values: &BTreeMap<String, String>,
    problems: Vec<(String, String)>,
) -> AuditPage {
    let titles = |answers: &serde_json::Map<String, serde_json::Value>| {
        answers
            .iter()
            .map(|(field, answer)| {
                let title = view.form.schema["properties"][field]["title"].as_str().unwrap_or(field).to_owned();
                (title, answer.as_str().map_or_else(|| answer.to_string(), |a| a.replace(['-', '_'], " ")))
            })
            .collect()
    };
    let corrected: Vec<_> = view.audits.iter().filter_map(|a| a.corrects).collect();
    let round = view.round.round.id;
    AuditPage {
        signed_in: session.header.clone(),
        service_name: view.service_name.clone(),
        round_link: format!("/services/{}/case-file-audits/rounds/{round}", view.service),
        action: format!("/services/{}/case-file-audits/rounds/{round}/cases/{}", view.service, view.case.sample.case),
        case_id: view.case.sample.case.to_string(),
        reference: view.case.reference.clone(),
        person_name: view.case.person_name.clone(),
        worker: view.case.worker_name.clone(),
        audits: view
            .audits
            .iter()
            .map(|a| EarlierAudit {
                when: uk_time(a.audited_at),
                result: if a.passed { "Passed" } else { "Failed" }.to_owned(),
                answers: titles(&a.answers),
                corrected: corrected.contains(&a.id),
            })
            .collect(),
        corrects: view.audits.last().map(|a| a.id.to_string()).unwrap_or_default(),
        may_audit: session.actor.may_in_service(Permission::AuditConduct, &view.service),
        form: form_view(&view.form, values, &problems),
        problems,
    }
}

async fn audit_page(
    State(app): State<App>,
    session: Session,
    Path((code, round, case)): Path<(String, String, String)>,
) -> Response {
    let result = async {
        let service = service_of(&code)?;
        let case = case.parse().map_err(|_| AppError::NotFound("case"))?;
        app.open_sampled_case(&session.actor, &service, round_of(&round)?, case).await
    }
    .await;
    match result {
        Ok(view) => render(&audit_page_of(&session, &view, &BTreeMap::new(), Vec::new()), StatusCode::OK),
        Err(error) => problem(error, session.header.clone()),
    }
}

async fn complete_audit(
    State(app): State<App>,
    session: Session,
    Path((code, round, case)): Path<(String, String, String)>,
    fields: Fields,
) -> Response {
    let posted = Posted::of(fields);
    let opened = async {
        let service = service_of(&code)?;
        let case = case.parse().map_err(|_| AppError::NotFound("case"))?;
        let round = round_of(&round)?;
        Ok::<_, AppError>((service.clone(), round, case, app.open_sampled_case(&session.actor, &service, round, case).await?))
    }
    .await;
    let (service, round, case, view) = match opened {
        Ok(opened) => opened,
        Err(error) => return problem(error, session.header.clone()),
    };
    let entry =
        AuditEntry { answers: schema_form::answers(&view.form, &posted.0), corrects: posted.get("corrects").parse().ok() };
    match app.complete_audit(&session.actor, &service, round, case, &entry).await {
        Ok(_) => see_other(&format!("/services/{service}/case-file-audits/rounds/{round}")),
        Err(AppError::Invalid(invalid)) => {
            let code = view.form.code.to_string();
            let problems =
                invalid.errors.iter().map(|e| (schema_form::anchor_of(&code, &e.field), sentence(&e.message))).collect();
            render(&audit_page_of(&session, &view, &posted.0, problems), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(error) => problem(error, session.header.clone()),
    }
}

// ----- The report -----

/// A row of figures; each count links to the audited cases behind it (none for zero).
struct TallyRow {
    label: String,
    /// Audited, passed and failed.
    figures: [(u32, Option<String>); 3],
    audited: u32,
    percent: String,
}

struct QuestionRow {
    title: String,
    answered: u32,
    poor: u32,
    percent: String,
}

struct AuditedRow {
    audit_link: String,
    reference: String,
    person_name: String,
    worker: String,
    month: String,
    grade: String,
    result: &'static str,
}

#[derive(Template)]
#[template(path = "case_file_audit_report.html")]
struct ReportPage {
    signed_in: Option<SignedIn>,
    heading: Heading,
    rule: &'static str,
    chart: ColumnChart,
    chart_id: &'static str,
    chart_title: &'static str,
    chart_desc: String,
    months: Vec<TallyRow>,
    total: TallyRow,
    by_team: Vec<TallyRow>,
    by_worker: Vec<TallyRow>,
    questions: Vec<QuestionRow>,
    cases_title: String,
    cases: Vec<AuditedRow>,
    excluded: Vec<String>,
}

fn percent_text(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |p| format!("{p:.1}%"))
}

async fn report_page(
    State(app): State<App>,
    session: Session,
    Path(code): Path<String>,
    axum::extract::Query(filters): axum::extract::Query<Filters>,
    axum::extract::Query(drill): axum::extract::Query<DrillParams>,
) -> Response {
    let Ok(service) = Code::parse(&code) else {
        return problem(AppError::NotFound("service"), session.header.clone());
    };
    let Read { period, team, mut errors } = match read_filters(&app, &filters) {
        Ok(read) => read,
        Err(error) => return problem(error, session.header.clone()),
    };
    let drill = match crate::api::reports::audit_drill(drill.month.as_deref(), drill.worker.as_deref(), drill.result.as_deref()) {
        Ok(drill) => drill,
        Err(_) => {
            errors.push(("month".to_owned(), "Choose the audited cases from a figure of the report".to_owned()));
            AuditDrill::default()
        }
    };
    let view = match as_asked_or_whole(&mut errors, |as_asked| {
        app.case_file_audit_report(
            &session.actor,
            &service,
            period,
            team.filter(|_| as_asked),
            if as_asked { drill } else { AuditDrill::default() },
        )
    })
    .await
    {
        Ok(view) => view,
        Err(error) => return problem(error, session.header.clone()),
    };
    render(&report_of(&session, &view, &filters, errors), StatusCode::OK)
}

/// Which audited cases the page lists: those behind the figure followed.
#[derive(Debug, Default, Deserialize)]
struct DrillParams {
    month: Option<String>,
    worker: Option<String>,
    result: Option<String>,
}

fn report_of(session: &Session, view: &AuditReportView, filters: &Filters, errors: Vec<(String, String)>) -> ReportPage {
    let period = view.report.period;
    let (from, to) = (period.from.to_string(), period.to.to_string());
    let team_value = view.team.map(|t| t.to_string()).unwrap_or_default();
    let link = |month: Option<Month>, worker: Option<String>, team: &str, result: Option<&str>, count: u32| {
        (count > 0).then(|| {
            let mut query = vec![("from", from.clone()), ("to", to.clone())];
            if !team.is_empty() {
                query.push(("team", team.to_owned()));
            }
            if let Some(month) = month {
                query.push(("month", month.to_string()));
            }
            if let Some(worker) = worker {
                query.push(("worker", worker));
            }
            if let Some(result) = result {
                query.push(("result", result.to_owned()));
            }
            format!(
                "/services/{}/reports/case-file-audits?{}#audited-cases",
                view.service,
                serde_urlencoded::to_string(&query).unwrap_or_default()
            )
        })
    };
    let row = |label: String, tally: &AuditTally, month: Option<Month>, worker: Option<String>, team: &str, linked: bool| {
        let figure = |result: Option<&str>, count: u32| {
            (count, if linked { link(month, worker.clone(), team, result, count) } else { None })
        };
        TallyRow {
            label,
            figures: [figure(None, tally.audited), figure(Some("passed"), tally.passed), figure(Some("failed"), tally.failed())],
            audited: tally.audited,
            percent: percent_text(tally.passing_percent()),
        }
    };
    let total = &view.report.total;
    let drill = view.drill;
    let mut cases_title = "Audited cases".to_owned();
    if let Some(result) = drill.result {
        cases_title = format!("{cases_title} that {}", if result { "passed" } else { "failed" });
    }
    if let Some(worker) = drill.worker {
        cases_title = format!("{cases_title}, {}", view.worker_name(worker));
    }
    cases_title = format!("{cases_title}, {}", drill.month.map_or_else(|| period_name(period), Month::name));
    ReportPage {
        signed_in: session.header.clone(),
        heading: Heading::new(
            &view.service,
            &view.service_name,
            "case-file-audits",
            filters,
            period,
            (view.team, &view.teams),
            errors,
        ),
        rule: crate::api::reports::AUDIT_COUNTING_RULE,
        excluded: view.excluded.iter().map(|e| e.sentence()).collect(),
        chart: chart::shares(
            &view
                .report
                .months
                .iter()
                .map(|(m, t)| (m.first_day().strftime("%b %Y").to_string(), t.passing_percent()))
                .collect::<Vec<_>>(),
        ),
        chart_id: "audits",
        chart_title: "Case files passing audit, by month",
        chart_desc: format!(
            "Share of audited case files passing, by month. Over the period: {} audited, {} passed, {} failed; {} passing.",
            total.audited,
            total.passed,
            total.failed(),
            percent_text(total.passing_percent())
        ),
        months: view.report.months.iter().map(|(m, t)| row(m.name(), t, Some(*m), None, &team_value, true)).collect(),
        total: row("Whole period".to_owned(), total, None, None, &team_value, true),
        by_team: view
            .report
            .by_team
            .iter()
            .map(|(id, t)| {
                let value = id.map(|i| i.to_string()).unwrap_or_default();
                // Cases with no team cannot be asked for by team, so their figures are not links.
                row(view.team_name(*id), t, None, None, &value, id.is_some())
            })
            .collect(),
        by_worker: view
            .report
            .by_worker
            .iter()
            .map(|(id, t)| row(view.worker_name(*id), t, None, Some(id.to_string()), &team_value, true))
            .collect(),
        questions: view
            .report
            .questions
            .iter()
            .zip(&view.question_titles)
            .map(|(q, title)| QuestionRow {
                title: title.clone(),
                answered: q.answered,
                poor: q.poor,
                percent: percent_text(q.poor_percent()),
            })
            .collect(),
        cases_title,
        cases: view
            .audits
            .iter()
            .map(|a| AuditedRow {
                audit_link: format!("/services/{}/case-file-audits/rounds/{}/cases/{}", view.service, a.fact.round, a.fact.case),
                reference: a.reference.clone(),
                person_name: a.person_name.clone(),
                worker: a.worker_name.clone(),
                month: a.fact.month.name(),
                grade: view.rules.grade_of(&a.fact.answers).unwrap_or_default().replace(['-', '_'], " "),
                result: if a.fact.passed { "Passed" } else { "Failed" },
            })
            .collect(),
    }
}
