//! The pages: server-rendered HTML from askama templates that emit the GOV.UK and MoJ
//! design-system markup. Every page works without JavaScript. Signed-in pages are never
//! cached; every response carries a Content-Security-Policy without inline code.

use crate::extract::{from_our_pages, session_cookie, session_token_in};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use casework_app::{App, AppError};
use casework_domain::access::{Actor, Permission};
use casework_domain::ids::CaseId;
use serde::Deserialize;

const CSS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/casework.css"));
const GOVUK_JS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/govuk-frontend.min.js"));
const INIT_JS: &[u8] = include_bytes!("../assets/init.js");
const START_JS: &[u8] = include_bytes!("../assets/start.js");
const TIMEOUT_JS: &[u8] = include_bytes!("../assets/timeout.js");

pub fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/", get(home))
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/cases/{id}", get(case_page))
        .route("/cases/{id}/tasks", get(case_tasks_page))
        .route("/cases/{id}/history", get(case_history_page))
        .route("/cases/{id}/record", get(case_record_page))
        .route("/cases/{id}/notes", post(add_note))
        .route("/work-lists/{service}/{list}", get(work_list_page))
        .route("/caseload/print", get(print_caseload))
        .route("/admin", get(admin_page))
        .route("/referrals/new", get(new_referral_page))
        .route("/referrals", post(record_referral))
        .route("/referrals/{id}", get(referral_page))
        .route("/meetings", post(hold_meeting))
        .route("/meetings/{id}", get(meeting_page))
        .route("/meetings/{id}/items/{position}", post(decide_item))
        .route("/assets/casework.css", get(|| async { asset("text/css", CSS) }))
        .route("/assets/govuk-frontend.min.js", get(|| async { asset("text/javascript", GOVUK_JS) }))
        .route("/assets/init.js", get(|| async { asset("text/javascript", INIT_JS) }))
        .route("/assets/start.js", get(|| async { asset("text/javascript", START_JS) }))
        .route("/assets/timeout.js", get(|| async { asset("text/javascript", TIMEOUT_JS) }))
        .route("/session/keep-alive", post(keep_alive))
}

fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

/// Security headers for every page.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Who the page is for, as the header shows it.
#[derive(Debug, Clone)]
struct SignedIn {
    name: String,
    administrator: bool,
}

impl SignedIn {
    fn of(actor: &Actor) -> SignedIn {
        SignedIn { name: actor.username.clone(), administrator: actor.administrator }
    }
}

fn render(template: &impl Template, status: StatusCode) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "page did not render");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "problem.html")]
struct ProblemPage<'a> {
    signed_in: Option<SignedIn>,
    title: &'a str,
    detail: &'a str,
}

fn problem(error: AppError, signed_in: Option<SignedIn>) -> Response {
    let (status, title, detail) = match &error {
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "Page not found", "There is nothing here, or you may not see it."),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "You cannot do this", "Your role does not allow it."),
        AppError::Store(_) | AppError::Internal(_) => {
            tracing::error!(%error, "page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "Nothing was changed. Please try again.")
        }
        _ => (StatusCode::BAD_REQUEST, "That did not work", "Please go back and try again."),
    };
    render(&ProblemPage { signed_in, title, detail }, status)
}

/// The signed-in actor, or a redirect to the sign-in page.
async fn signed_in(app: &App, headers: &HeaderMap) -> Result<Actor, Response> {
    let Some(token) = session_token_in(headers) else { return Err(Redirect::to("/sign-in").into_response()) };
    match app.session_actor(&token).await {
        Ok(Some(actor)) => Ok(actor),
        Ok(None) => Err(Redirect::to("/sign-in").into_response()),
        Err(error) => Err(problem(error, None)),
    }
}

/// Keeps a session alive from the time-out warning: the request itself counts as activity.
async fn keep_alive(State(app): State<App>, headers: HeaderMap) -> Response {
    if !from_our_pages(&headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    match signed_in(&app, &headers).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => StatusCode::UNAUTHORIZED.into_response(),
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    signed_in: Option<SignedIn>,
    username: String,
    error: Option<String>,
}

async fn sign_in_page() -> Response {
    render(&SignInPage { signed_in: None, username: String::new(), error: None }, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
struct SignInForm {
    username: String,
    password: String,
}

async fn sign_in(State(app): State<App>, headers: HeaderMap, Form(form): Form<SignInForm>) -> Response {
    if !from_our_pages(&headers) {
        return problem(AppError::Forbidden("sign in from another site"), None);
    }
    if let Some(old) = session_token_in(&headers) {
        let _ = app.sign_out(&old).await;
    }
    match app.sign_in(&form.username, &form.password).await {
        Ok(session) => {
            let mut response = Redirect::to("/").into_response();
            response.headers_mut().insert(header::SET_COOKIE, session_cookie(&session.token, None));
            response
        }
        Err(AppError::TooManyAttempts { minutes }) => {
            let error = format!("Too many failed attempts: wait {minutes} minutes and try again");
            render(&SignInPage { signed_in: None, username: form.username, error: Some(error) }, StatusCode::TOO_MANY_REQUESTS)
        }
        Err(AppError::Unauthenticated) => {
            let error = "Enter a correct username and password".to_owned();
            render(&SignInPage { signed_in: None, username: form.username, error: Some(error) }, StatusCode::UNAUTHORIZED)
        }
        Err(error) => problem(error, None),
    }
}

async fn sign_out(State(app): State<App>, headers: HeaderMap) -> Response {
    if !from_our_pages(&headers) {
        return problem(AppError::Forbidden("sign out from another site"), None);
    }
    if let Some(token) = session_token_in(&headers) {
        let _ = app.sign_out(&token).await;
    }
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie("", Some(0)));
    response
}

struct CaseRow {
    id: String,
    reference: String,
    person_name: String,
    stage: String,
    level: String,
}

struct AlertRow {
    case: String,
    case_reference: String,
    message: String,
}

struct WorkListRow {
    name: String,
    service: String,
    code: String,
    count: i64,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    signed_in: Option<SignedIn>,
    /// Code and name of each service the user may refer to.
    referral_services: Vec<(String, String)>,
    /// Service, meeting code and name of each meeting the user chairs.
    meetings: Vec<(String, String, String)>,
    caseload: Vec<CaseRow>,
    alerts: Vec<AlertRow>,
    work_lists: Vec<WorkListRow>,
}

/// The open cases allocated to the actor.
fn my_caseload(actor: &Actor, limit: i64) -> casework_app::cases::CaseQuery {
    casework_app::cases::CaseQuery { worker: Some(actor.user), status: Some("open".into()), limit, ..Default::default() }
}

async fn home(State(app): State<App>, headers: HeaderMap) -> Response {
    let actor = match signed_in(&app, &headers).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let name = Some(SignedIn::of(&actor));
    let query = my_caseload(&actor, 200);
    let page = async {
        let caseload = app.list_cases(&actor, &query).await?;
        let alerts = app.my_alerts(&actor, None, 50).await?;
        let work_lists = app.work_lists(&actor).await?;
        Ok::<_, AppError>(HomePage {
            signed_in: name.clone(),
            referral_services: app
                .services
                .all()
                .filter(|d| actor.may_in_service(Permission::ReferralCreate, d.code()))
                .map(|d| (d.code().to_string(), d.service.name.clone()))
                .collect(),
            meetings: app
                .services
                .all()
                .flat_map(|d| {
                    d.meetings
                        .iter()
                        .filter(|m| actor.memberships.iter().any(|r| &r.service == d.code() && r.role.code == m.chaired_by))
                        .map(|m| (d.code().to_string(), m.code.to_string(), m.name.to_lowercase()))
                })
                .collect(),
            caseload: caseload
                .into_iter()
                .map(|c| CaseRow {
                    id: c.id.to_string(),
                    reference: c.reference,
                    person_name: c.person_name,
                    stage: c.stage.to_string(),
                    level: c.level.map(|l| l.to_string()).unwrap_or_default(),
                })
                .collect(),
            alerts: alerts
                .into_iter()
                .map(|a| AlertRow { case: a.case.to_string(), case_reference: a.case_reference, message: a.message })
                .collect(),
            work_lists: work_lists
                .into_iter()
                .map(|w| WorkListRow {
                    name: w.list.name,
                    service: w.service.to_string(),
                    code: w.list.code.to_string(),
                    count: w.count,
                })
                .collect(),
        })
    };
    match page.await {
        Ok(page) => render(&page, StatusCode::OK),
        Err(error) => problem(error, name),
    }
}

struct NoteRow {
    kind: String,
    contact: String,
    late: bool,
    addendum: bool,
    body: String,
}

struct EventRow {
    what: String,
    who: String,
    at: String,
    when: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    signed_in: Option<SignedIn>,
    id: String,
    section: &'static str,
    error: Option<String>,
    person: String,
    reference: String,
    stage: String,
    level_label: String,
    level: String,
    worker: String,
    status: String,
    flags: Vec<String>,
    /// Name, time left, tag class.
    deadlines: Vec<(String, String, &'static str)>,
    may_write_notes: bool,
    notes: Vec<NoteRow>,
    /// Title, status, tag class.
    tasks: Vec<(String, String, &'static str)>,
    events: Vec<EventRow>,
    /// Form name, when, score and band.
    forms: Vec<(String, String, String)>,
    /// Description, measure, target date, status.
    objectives: Vec<(String, String, String, String)>,
    next_review: String,
    /// Outcome, reason, when.
    decisions: Vec<(String, String, String)>,
}

fn uk_time(at: jiff::Timestamp) -> String {
    at.to_zoned(casework_domain::time::service_zone()).strftime("%-d %B %Y %H:%M").to_string()
}

async fn case_page(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    case_section(&app, &headers, &id, "overview", None).await
}

async fn case_tasks_page(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    case_section(&app, &headers, &id, "tasks", None).await
}

async fn case_record_page(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    case_section(&app, &headers, &id, "record", None).await
}

async fn case_history_page(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    case_section(&app, &headers, &id, "history", None).await
}

#[derive(Debug, Deserialize)]
struct NoteForm {
    kind: String,
    body: String,
}

async fn add_note(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>, Form(form): Form<NoteForm>) -> Response {
    if !from_our_pages(&headers) {
        return problem(AppError::Forbidden("write notes from another site"), None);
    }
    let actor = match signed_in(&app, &headers).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let Ok(case) = id.parse::<CaseId>() else { return problem(AppError::NotFound("case"), Some(SignedIn::of(&actor))) };
    let kind = serde_json::from_value::<casework_domain::note::NoteKind>(serde_json::Value::String(form.kind));
    let body = casework_domain::text::LongText::parse(&form.body);
    let (Ok(kind), Ok(body)) = (kind, body) else {
        return case_section(&app, &headers, &id, "overview", Some("Enter the note".to_owned())).await;
    };
    match app.add_note(&actor, case, kind, body, None, None).await {
        Ok(_) => Redirect::to(&format!("/cases/{case}#notes")).into_response(),
        Err(AppError::Invalid(invalid)) => {
            let message = invalid.errors.first().map_or_else(|| "The note could not be saved".to_owned(), |e| e.message.clone());
            case_section(&app, &headers, &id, "overview", Some(message)).await
        }
        Err(error) => problem(error, Some(SignedIn::of(&actor))),
    }
}

async fn case_section(app: &App, headers: &HeaderMap, id: &str, section: &'static str, error: Option<String>) -> Response {
    let actor = match signed_in(app, headers).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let name = Some(SignedIn::of(&actor));
    let Ok(id) = id.parse::<CaseId>() else { return problem(AppError::NotFound("case"), name) };
    let status_code = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = async {
        let view = app.get_case(&actor, id).await?;
        let definition = app.services.version(&view.case.service, view.case.service_version);
        let label = |code: &casework_domain::text::Code, list: &str| {
            definition
                .as_ref()
                .and_then(|d| match list {
                    "stage" => d.stage(code).map(|s| s.name.clone()),
                    _ => d.levels.iter().find(|l| &l.code == code).map(|l| l.name.clone()),
                })
                .unwrap_or_else(|| code.to_string())
        };
        let mut page = CasePage {
            signed_in: name.clone(),
            id: id.to_string(),
            section,
            error: error.clone(),
            person: view.person.display_name(),
            reference: view.case.reference.to_string(),
            stage: label(&view.case.stage, "stage"),
            level_label: definition.as_ref().map_or_else(|| "Level".to_owned(), |d| d.service.level_label.clone()),
            level: view.case.level.as_ref().map(|l| label(l, "level")).unwrap_or_else(|| "not set".into()),
            worker: match view.case.worker {
                Some(worker) => app.display_names(&[worker]).await?.remove(&worker).unwrap_or_else(|| "allocated".into()),
                None => "not allocated".into(),
            },
            status: if view.case.is_open() { "Open".into() } else { "Closed".into() },
            flags: view.case.flags.iter().map(|f| f.code.to_string()).collect(),
            deadlines: Vec::new(),
            may_write_notes: view.case.is_open() && actor.may(Permission::NoteAdd, view.case.scope()),
            notes: Vec::new(),
            tasks: Vec::new(),
            events: Vec::new(),
            forms: Vec::new(),
            objectives: Vec::new(),
            next_review: String::new(),
            decisions: Vec::new(),
        };
        match section {
            "tasks" => {
                page.tasks = app
                    .case_tasks(&actor, id, None, 200)
                    .await?
                    .into_iter()
                    .map(|t| {
                        let class = match t.status.name() {
                            "completed" => "govuk-tag--green",
                            "cancelled" => "govuk-tag--grey",
                            _ => "govuk-tag--blue",
                        };
                        (t.title.to_string(), t.status.name().to_owned(), class)
                    })
                    .collect();
            }
            "history" if actor.may(Permission::HistoryRead, view.case.scope()) => {
                let events = app.case_history(&actor, id, None, 200).await?;
                let actors: Vec<casework_domain::ids::UserId> = events.iter().map(|e| e.actor).collect();
                let names = app.display_names(&actors).await?;
                page.events = events
                    .into_iter()
                    .rev()
                    .map(|e| EventRow {
                        what: e.kind.name().replace('-', " "),
                        who: names.get(&e.actor).cloned().unwrap_or_else(|| "Casework".into()),
                        at: e.at.to_string(),
                        when: uk_time(e.at),
                    })
                    .collect();
            }
            "history" => return Err(AppError::Forbidden("read this case's history")),
            "record" => {
                let name_of = |code: &casework_domain::text::Code| {
                    definition.as_ref().and_then(|d| d.form(code)).map_or_else(|| code.to_string(), |f| f.name.clone())
                };
                page.forms = app
                    .case_forms(&actor, id, None, 100)
                    .await?
                    .into_iter()
                    .map(|s| {
                        let score = s
                            .form
                            .score
                            .map(|score| format!("{}{}", score.total, score.band.map(|b| format!(", {b}")).unwrap_or_default()))
                            .unwrap_or_default();
                        (name_of(&s.form.form), uk_time(s.form.submitted_at), score)
                    })
                    .collect();
                let plan = app.plan(&actor, id).await?;
                page.next_review = plan
                    .dates
                    .and_then(|d| d.next_review_on)
                    .map_or_else(|| "not scheduled".into(), |d| d.strftime("%-d %B %Y").to_string());
                page.objectives = plan
                    .objectives
                    .into_iter()
                    .map(|o| {
                        let status =
                            serde_json::to_value(o.status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                        (
                            o.description.to_string(),
                            o.measure.to_string(),
                            o.target_date.strftime("%-d %B %Y").to_string(),
                            status,
                        )
                    })
                    .collect();
                page.decisions = app
                    .case_decisions(&actor, id, None, 100)
                    .await?
                    .into_iter()
                    .map(|d| (d.outcome.to_string(), d.reason.to_string(), uk_time(d.decided_at)))
                    .collect();
            }
            _ => {
                page.deadlines = app
                    .case_deadlines(&actor, id)
                    .await?
                    .into_iter()
                    .filter(|d| d.timer.state.name() != "cancelled")
                    .map(|d| {
                        let class = if d.left.is_overdue() {
                            "cw-deadline--overdue"
                        } else if d.timer.is_open() {
                            "cw-deadline--due"
                        } else {
                            "cw-deadline--met"
                        };
                        (d.name, d.left.to_string(), class)
                    })
                    .collect();
                page.notes = app
                    .case_notes(&actor, id, None, 50)
                    .await?
                    .into_iter()
                    .map(|n| NoteRow {
                        kind: n.kind.name().to_owned(),
                        contact: uk_time(n.contact_at),
                        late: n.late_entry,
                        addendum: n.addendum_to.is_some(),
                        body: n.body.to_string(),
                    })
                    .collect();
            }
        }
        Ok::<_, AppError>(page)
    };
    match page.await {
        Ok(page) => render(&page, status_code),
        Err(error) => problem(error, name),
    }
}

struct ListRow {
    id: String,
    reference: String,
    person_name: String,
    stage: String,
    level: String,
    flags: Vec<String>,
}

#[derive(Template)]
#[template(path = "work_list.html")]
struct WorkListPage {
    signed_in: Option<SignedIn>,
    service: String,
    name: String,
    rows: Vec<ListRow>,
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ListPosition {
    cursor: Option<String>,
}

const PAGE_ROWS: i64 = 25;

async fn work_list_page(
    State(app): State<App>,
    headers: HeaderMap,
    Path((service, list)): Path<(String, String)>,
    axum::extract::Query(position): axum::extract::Query<ListPosition>,
) -> Response {
    let actor = match signed_in(&app, &headers).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let name = Some(SignedIn::of(&actor));
    let (Ok(service), Ok(list)) = (casework_domain::text::Code::parse(&service), casework_domain::text::Code::parse(&list))
    else {
        return problem(AppError::NotFound("work list"), name);
    };
    let before = position.cursor.as_deref().and_then(|c| c.parse::<CaseId>().ok());
    let page = async {
        let definition = app.services.get(&service).ok_or(AppError::NotFound("work list"))?;
        let title = definition
            .work_lists
            .iter()
            .find(|l| l.code == list)
            .map(|l| l.name.clone())
            .ok_or(AppError::NotFound("work list"))?;
        let mut rows = app.work_list(&actor, &service, &list, before, PAGE_ROWS + 1).await?;
        let next = if rows.len() > usize::try_from(PAGE_ROWS).unwrap_or(25) {
            rows.truncate(usize::try_from(PAGE_ROWS).unwrap_or(25));
            rows.last().map(|r| r.id.to_string())
        } else {
            None
        };
        Ok::<_, AppError>(WorkListPage {
            signed_in: name.clone(),
            service: definition.service.name.clone(),
            name: title,
            rows: rows
                .into_iter()
                .map(|c| ListRow {
                    id: c.id.to_string(),
                    reference: c.reference,
                    person_name: c.person_name,
                    stage: definition.stage(&c.stage).map_or_else(|| c.stage.to_string(), |s| s.name.clone()),
                    level: c.level.map(|l| l.to_string()).unwrap_or_default(),
                    flags: c.flags.iter().map(ToString::to_string).collect(),
                })
                .collect(),
            next,
        })
    };
    match page.await {
        Ok(page) => render(&page, StatusCode::OK),
        Err(error) => problem(error, name),
    }
}

struct PrintRow {
    reference: String,
    person: String,
    born: String,
    stage: String,
    level: String,
    flags: String,
    deadlines: String,
}

#[derive(Template)]
#[template(path = "print_caseload.html")]
struct PrintCaseload {
    signed_in: Option<SignedIn>,
    owner: String,
    printed: String,
    rows: Vec<PrintRow>,
}

/// The signed-in user's caseload on paper, for when systems are down (every case shown is
/// logged as viewed, as on screen).
async fn print_caseload(State(app): State<App>, headers: HeaderMap) -> Response {
    let actor = match signed_in(&app, &headers).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let name = Some(SignedIn::of(&actor));
    let query = my_caseload(&actor, 500);
    let page = async {
        let mut rows = Vec::new();
        for summary in app.list_cases(&actor, &query).await? {
            let view = app.get_case(&actor, summary.id).await?;
            let deadlines: Vec<String> = app
                .case_deadlines(&actor, summary.id)
                .await?
                .into_iter()
                .filter(|d| d.timer.is_open())
                .map(|d| format!("{}: {}", d.name, d.left))
                .collect();
            rows.push(PrintRow {
                reference: summary.reference,
                person: view.person.display_name(),
                born: view
                    .person
                    .date_of_birth
                    .map(|d| d.strftime("%-d %B %Y").to_string())
                    .unwrap_or_else(|| "date of birth not recorded".into()),
                stage: summary.stage.to_string(),
                level: summary.level.map(|l| l.to_string()).unwrap_or_default(),
                flags: summary.flags.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                deadlines: deadlines.join("; "),
            });
        }
        Ok::<_, AppError>(PrintCaseload {
            signed_in: name.clone(),
            owner: actor.username.clone(),
            printed: uk_time(app.now()),
            rows,
        })
    };
    match page.await {
        Ok(page) => render(&page, StatusCode::OK),
        Err(error) => problem(error, name),
    }
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    signed_in: Option<SignedIn>,
    /// Name, code, version, reference prefix, roles.
    services: Vec<(String, String, u32, String, String)>,
    /// Username, name, roles, disabled.
    users: Vec<(String, String, String, bool)>,
}

/// Services and user accounts, for administrators only (read-only here; changes go through
/// the API or the command line).
async fn admin_page(State(app): State<App>, headers: HeaderMap) -> Response {
    let actor = match signed_in(&app, &headers).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let name = Some(SignedIn::of(&actor));
    let page = async {
        let accounts = app.list_users(&actor, None, 1000).await?;
        Ok::<_, AppError>(AdminPage {
            signed_in: name.clone(),
            services: app
                .services
                .all()
                .map(|d| {
                    let roles: Vec<&str> = d.roles.iter().map(|r| r.name.as_str()).collect();
                    (
                        d.service.name.clone(),
                        d.code().to_string(),
                        app.services.current_version(d.code()),
                        d.service.reference_prefix.clone(),
                        roles.join(", "),
                    )
                })
                .collect(),
            users: accounts
                .into_iter()
                .filter(|u| u.username.as_str() != "system")
                .map(|u| {
                    let roles: Vec<String> = u.roles.iter().map(|r| format!("{} in {}", r.role, r.service)).collect();
                    let roles = if u.administrator { format!("administrator {}", roles.join(", ")) } else { roles.join(", ") };
                    (u.username.to_string(), u.display_name.to_string(), roles, u.disabled)
                })
                .collect(),
        })
    };
    match page.await {
        Ok(page) => render(&page, StatusCode::OK),
        Err(error) => problem(error, name),
    }
}

struct FieldView {
    id: String,
    name: String,
    label: String,
    hint: Option<String>,
    value: String,
    error: Option<String>,
}

struct FormView {
    name: String,
    fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "referral_new.html")]
struct NewReferralPage {
    signed_in: Option<SignedIn>,
    service: String,
    service_name: String,
    rules: String,
    /// Anchor and message of every problem.
    errors: Vec<(String, String)>,
    person_fields: Vec<FieldView>,
    sources: Vec<String>,
    chosen_source: String,
    summary: String,
    summary_error: Option<String>,
    forms: Vec<FormView>,
}

#[derive(Debug, Deserialize)]
struct ServiceQuery {
    service: String,
}

/// The forms that can make a referral of this service valid, in the order first named.
fn referral_forms(definition: &casework_domain::service::ServiceDefinition) -> Vec<&casework_domain::form::FormDefinition> {
    let mut forms: Vec<&casework_domain::form::FormDefinition> = Vec::new();
    for code in definition.referrals.valid_when.iter().flatten() {
        if let Some(form) = definition.form(code)
            && !forms.iter().any(|f| f.code == form.code)
        {
            forms.push(form);
        }
    }
    forms
}

fn form_properties(form: &casework_domain::form::FormDefinition) -> Vec<(String, String)> {
    form.schema
        .get("properties")
        .and_then(serde_json::Value::as_object)
        .map(|properties| {
            properties
                .iter()
                .map(|(key, spec)| (key.clone(), spec.get("title").and_then(serde_json::Value::as_str).unwrap_or(key).to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn new_referral_view(
    actor: &Actor,
    definition: &casework_domain::service::ServiceDefinition,
    values: &std::collections::BTreeMap<String, String>,
    errors: &[(String, String)],
) -> NewReferralPage {
    let value = |name: &str| values.get(name).cloned().unwrap_or_default();
    let error_for = |id: &str| errors.iter().find(|(anchor, _)| anchor == id).map(|(_, message)| message.clone());
    let person_fields = [
        ("given_name", "Given name", None),
        ("family_name", "Family name", None),
        ("date_of_birth", "Date of birth", Some("For example, 2009-04-27")),
    ]
    .into_iter()
    .map(|(field, label, hint)| {
        let id = format!("person-{field}");
        FieldView {
            error: error_for(&id),
            value: value(&format!("person.{field}")),
            name: format!("person.{field}"),
            label: label.to_owned(),
            hint: hint.map(str::to_owned),
            id,
        }
    })
    .collect();
    let forms = referral_forms(definition)
        .into_iter()
        .map(|form| FormView {
            name: form.name.clone(),
            fields: form_properties(form)
                .into_iter()
                .map(|(key, label)| {
                    let id = format!("form-{}-{key}", form.code);
                    FieldView {
                        error: error_for(&id),
                        value: value(&format!("form.{}.{key}", form.code)),
                        name: format!("form.{}.{key}", form.code),
                        label,
                        hint: None,
                        id,
                    }
                })
                .collect(),
        })
        .collect();
    let rules: Vec<String> = definition
        .referrals
        .valid_when
        .iter()
        .map(|set| {
            set.iter()
                .map(|f| definition.form(f).map_or_else(|| f.to_string(), |d| d.name.clone()))
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect();
    let sources: Vec<String> = if definition.referrals.sources.is_empty() {
        ["self-referral", "staff", "agency", "form", "email", "phone", "automatic"].iter().map(|s| (*s).to_owned()).collect()
    } else {
        definition.referrals.sources.iter().map(|s| s.name().to_owned()).collect()
    };
    NewReferralPage {
        signed_in: Some(SignedIn::of(actor)),
        service: definition.code().to_string(),
        service_name: definition.service.name.clone(),
        rules: rules.join(", or "),
        errors: errors.to_vec(),
        person_fields,
        chosen_source: values.get("source").cloned().unwrap_or_else(|| sources.first().cloned().unwrap_or_default()),
        sources,
        summary: value("summary"),
        summary_error: error_for("summary"),
        forms,
    }
}

async fn new_referral_page(
    State(app): State<App>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<ServiceQuery>,
) -> Response {
    let actor = match signed_in(&app, &headers).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let name = Some(SignedIn::of(&actor));
    let Some(definition) = casework_domain::text::Code::parse(&query.service).ok().and_then(|c| app.services.get(&c).cloned())
    else {
        return problem(AppError::NotFound("service"), name);
    };
    if !actor.may_in_service(Permission::ReferralCreate, definition.code()) {
        return problem(AppError::Forbidden("record referrals for this service"), name);
    }
    render(&new_referral_view(&actor, &definition, &Default::default(), &[]), StatusCode::OK)
}

/// Turns an API-style field path into the id of the field on the page.
fn anchor(field: &str, form_codes: &[String]) -> String {
    let parts: Vec<&str> = field.split('/').collect();
    match parts.as_slice() {
        ["person", rest @ ..] => format!("person-{}", rest.first().copied().unwrap_or("given_name")),
        ["forms", index, "answers", key, ..] => {
            let code = index.parse::<usize>().ok().and_then(|i| form_codes.get(i)).cloned().unwrap_or_default();
            format!("form-{code}-{key}")
        }
        ["forms", index, ..] => {
            let code = index.parse::<usize>().ok().and_then(|i| form_codes.get(i)).cloned().unwrap_or_default();
            format!("form-{code}")
        }
        [first, ..] if !first.is_empty() => (*first).to_owned(),
        _ => "summary".to_owned(),
    }
}

async fn record_referral(State(app): State<App>, headers: HeaderMap, Form(fields): Form<Vec<(String, String)>>) -> Response {
    if !from_our_pages(&headers) {
        return problem(AppError::Forbidden("record referrals from another site"), None);
    }
    let actor = match signed_in(&app, &headers).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let name = Some(SignedIn::of(&actor));
    let values: std::collections::BTreeMap<String, String> = fields.into_iter().collect();
    let Some(definition) = values
        .get("service")
        .and_then(|s| casework_domain::text::Code::parse(s).ok())
        .and_then(|c| app.services.get(&c).cloned())
    else {
        return problem(AppError::NotFound("service"), name);
    };
    let value = |key: &str| values.get(key).map(|v| v.trim().to_owned()).unwrap_or_default();
    let today = casework_domain::time::day_of(app.now());
    let dob = value("person.date_of_birth");
    let person = casework_domain::person::NewPerson::parse(
        &value("person.given_name"),
        &value("person.family_name"),
        None,
        (!dob.is_empty()).then_some(dob.as_str()),
        &[],
        today,
    );
    let mut form_codes = Vec::new();
    let mut entries = Vec::new();
    for form in referral_forms(&definition) {
        let answers: serde_json::Map<String, serde_json::Value> = form_properties(form)
            .into_iter()
            .filter_map(|(key, _)| {
                let answer = value(&format!("form.{}.{key}", form.code));
                (!answer.is_empty()).then_some((key, serde_json::Value::String(answer)))
            })
            .collect();
        if !answers.is_empty() {
            form_codes.push(form.code.to_string());
            entries.push(casework_app::forms::FormEntry { form: form.code.clone(), answers, completed_by: None });
        }
    }
    let mut invalid = casework_domain::Invalid::new();
    let source = invalid.check("source", casework_domain::referral::ReferralSource::parse(&value("source")));
    let summary = invalid.check("summary", casework_domain::text::LongText::parse(&value("summary")));
    let result = match (person, source, summary) {
        (Ok(person), Some(source), Some(summary)) if invalid.is_empty() => {
            let new = casework_app::referrals::NewReferral {
                service: definition.code().clone(),
                person: casework_domain::ids::PersonId::new(),
                source,
                received_at: None,
                summary,
                forms: entries,
                previous: None,
            };
            app.refer_new_person(&actor, person, new).await
        }
        (person, _, _) => {
            if let Err(errors) = person {
                invalid.absorb("person", errors);
            }
            Err(AppError::Invalid(invalid))
        }
    };
    match result {
        Ok(referral) => Redirect::to(&format!("/referrals/{}", referral.id)).into_response(),
        Err(AppError::Invalid(invalid)) => {
            let errors: Vec<(String, String)> =
                invalid.errors.iter().map(|e| (anchor(&e.field, &form_codes), e.message.clone())).collect();
            render(&new_referral_view(&actor, &definition, &values, &errors), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(error) => problem(error, name),
    }
}

#[derive(Template)]
#[template(path = "referral.html")]
struct ReferralPage {
    signed_in: Option<SignedIn>,
    service_name: String,
    person: String,
    valid: bool,
    validity: String,
    outcome: String,
    source: String,
    received: String,
    summary: String,
    forms: String,
}

async fn referral_page(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let actor = match signed_in(&app, &headers).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let name = Some(SignedIn::of(&actor));
    let Ok(id) = id.parse() else { return problem(AppError::NotFound("referral"), name) };
    let page = async {
        let (referral, validity, person) = app.referral_with_person(&actor, id).await?;
        let definition = app.services.get(&referral.service).cloned().ok_or(AppError::NotFound("service"))?;
        let form_name =
            |code: &casework_domain::text::Code| definition.form(code).map_or_else(|| code.to_string(), |f| f.name.clone());
        let message = if validity.valid {
            "The referral has the forms it needs.".to_owned()
        } else {
            let ways: Vec<String> =
                validity.missing.iter().map(|set| set.iter().map(&form_name).collect::<Vec<_>>().join(" and ")).collect();
            format!("It still needs {}.", ways.join(", or "))
        };
        Ok::<_, AppError>(ReferralPage {
            signed_in: name.clone(),
            service_name: definition.service.name.clone(),
            person,
            valid: validity.valid,
            validity: message,
            outcome: referral.outcome.name().replace('-', " "),
            source: referral.source.name().to_owned(),
            received: uk_time(referral.received_at),
            summary: referral.summary.to_string(),
            forms: if referral.forms.is_empty() {
                "None yet".to_owned()
            } else {
                referral.forms.iter().map(|f| form_name(&f.form)).collect::<Vec<_>>().join(", ")
            },
        })
    };
    match page.await {
        Ok(page) => render(&page, StatusCode::OK),
        Err(error) => problem(error, name),
    }
}

struct ItemView {
    position: u32,
    person: String,
    summary: String,
    outcome: Option<String>,
    minute: String,
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    signed_in: Option<SignedIn>,
    id: String,
    title: String,
    service_name: String,
    held_on: String,
    level_label: String,
    levels: Vec<(String, String)>,
    workers: Vec<(String, String)>,
    items: Vec<ItemView>,
    error: Option<String>,
    error_item: u32,
}

#[derive(Debug, Deserialize)]
struct HoldForm {
    service: String,
    meeting: String,
}

async fn hold_meeting(State(app): State<App>, headers: HeaderMap, Form(form): Form<HoldForm>) -> Response {
    if !from_our_pages(&headers) {
        return problem(AppError::Forbidden("hold meetings from another site"), None);
    }
    let actor = match signed_in(&app, &headers).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let (Ok(service), Ok(meeting)) =
        (casework_domain::text::Code::parse(&form.service), casework_domain::text::Code::parse(&form.meeting))
    else {
        return problem(AppError::NotFound("meeting"), Some(SignedIn::of(&actor)));
    };
    let today = casework_domain::time::day_of(app.now());
    match app.hold_meeting(&actor, &service, &meeting, today).await {
        Ok(held) => Redirect::to(&format!("/meetings/{}", held.id)).into_response(),
        Err(error) => problem(error, Some(SignedIn::of(&actor))),
    }
}

async fn meeting_page(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    meeting_view(&app, &headers, &id, None, 0).await
}

async fn meeting_view(app: &App, headers: &HeaderMap, id: &str, error: Option<String>, error_item: u32) -> Response {
    let actor = match signed_in(app, headers).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let name = Some(SignedIn::of(&actor));
    let Ok(id) = id.parse() else { return problem(AppError::NotFound("meeting"), name) };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = async {
        let meeting = app.meeting(&actor, id).await?;
        let definition = app.services.get(&meeting.service).cloned().ok_or(AppError::NotFound("service"))?;
        let mut items = Vec::new();
        for item in &meeting.items {
            let (person, summary) = match item.referral {
                Some(referral) => {
                    let (referral, _, person) = app.referral_with_person(&actor, referral).await?;
                    (person, referral.summary.to_string())
                }
                None => (item.case.map(|c| c.to_string()).unwrap_or_default(), String::new()),
            };
            items.push(ItemView {
                position: item.position,
                person,
                summary,
                outcome: item.outcome.as_ref().map(|o| o.replace('-', " ")),
                minute: item.minute.clone().unwrap_or_default(),
            });
        }
        Ok::<_, AppError>(MeetingPage {
            signed_in: name.clone(),
            id: meeting.id.to_string(),
            title: definition
                .meetings
                .iter()
                .find(|m| m.code == meeting.kind)
                .map_or_else(|| meeting.kind.to_string(), |m| m.name.clone()),
            service_name: definition.service.name.clone(),
            held_on: meeting.held_on.strftime("%-d %B %Y").to_string(),
            level_label: definition.service.level_label.clone(),
            levels: definition.levels.iter().map(|l| (l.code.to_string(), l.name.clone())).collect(),
            workers: app
                .case_holders(&actor, &meeting.service)
                .await?
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect(),
            items,
            error: error.clone(),
            error_item,
        })
    };
    match page.await {
        Ok(page) => render(&page, status),
        Err(error) => problem(error, name),
    }
}

#[derive(Debug, Deserialize)]
struct ItemForm {
    outcome: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    worker: String,
    #[serde(default)]
    minute: String,
}

async fn decide_item(
    State(app): State<App>,
    headers: HeaderMap,
    Path((id, position)): Path<(String, u32)>,
    Form(form): Form<ItemForm>,
) -> Response {
    if !from_our_pages(&headers) {
        return problem(AppError::Forbidden("record decisions from another site"), None);
    }
    let actor = match signed_in(&app, &headers).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let Ok(meeting) = id.parse() else { return problem(AppError::NotFound("meeting"), Some(SignedIn::of(&actor))) };
    let Ok(minute) = casework_domain::text::LongText::parse(&form.minute) else {
        return meeting_view(&app, &headers, &id, Some(format!("Write the minute for item {position}")), position).await;
    };
    let decision = match form.outcome.as_str() {
        "file" => casework_app::referrals::Decision::KeepOnFile { explanation: Some(minute.clone()) },
        _ => casework_app::referrals::Decision::Accept(casework_app::cases::Allocation {
            level: casework_domain::text::Code::parse(&form.level).ok(),
            worker: form.worker.parse().ok(),
            team: None,
        }),
    };
    match app
        .decide_meeting_item(&actor, meeting, position, casework_app::meetings::ItemDecision::Referral(decision), minute)
        .await
    {
        Ok(_) => Redirect::to(&format!("/meetings/{id}#item-{position}")).into_response(),
        Err(AppError::Invalid(invalid)) => {
            let message =
                invalid.errors.first().map_or_else(|| "The decision could not be recorded".to_owned(), |e| e.message.clone());
            meeting_view(&app, &headers, &id, Some(message), position).await
        }
        Err(error) => problem(error, Some(SignedIn::of(&actor))),
    }
}
