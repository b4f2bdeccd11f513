//! The case page and its sections, and what can be recorded from them.

use super::*;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/cases/{id}", get(case_page))
        .route("/cases/{id}/tasks", get(case_tasks_page))
        .route("/cases/{id}/history", get(case_history_page))
        .route("/cases/{id}/record", get(case_record_page))
        .route("/cases/{id}/notes", post(add_note))
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
    may_allocate: bool,
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

async fn case_page(State(app): State<App>, session: Session, Path(id): Path<String>) -> Response {
    case_section(&app, &session, &id, "overview", None).await
}

async fn case_tasks_page(State(app): State<App>, session: Session, Path(id): Path<String>) -> Response {
    case_section(&app, &session, &id, "tasks", None).await
}

async fn case_record_page(State(app): State<App>, session: Session, Path(id): Path<String>) -> Response {
    case_section(&app, &session, &id, "record", None).await
}

async fn case_history_page(State(app): State<App>, session: Session, Path(id): Path<String>) -> Response {
    case_section(&app, &session, &id, "history", None).await
}

#[derive(Debug, Deserialize)]
struct NoteForm {
    kind: String,
    body: String,
}

async fn add_note(State(app): State<App>, session: Session, Path(id): Path<String>, Form(form): Form<NoteForm>) -> Response {
    let Session { actor, header: name } = &session;
    let Ok(case) = id.parse::<CaseId>() else { return problem(AppError::NotFound("case"), name.clone()) };
    let kind = serde_json::from_value::<casework_domain::note::NoteKind>(serde_json::Value::String(form.kind));
    let body = casework_domain::text::LongText::parse(&form.body);
    let (Ok(kind), Ok(body)) = (kind, body) else {
        return case_section(&app, &session, &id, "overview", Some("Enter the note".to_owned())).await;
    };
    match app.add_note(actor, case, kind, body, None, None).await {
        Ok(_) => Redirect::to(&format!("/cases/{case}#notes")).into_response(),
        Err(AppError::Invalid(invalid)) => {
            let message = invalid.errors.first().map_or_else(|| "The note could not be saved".to_owned(), |e| e.message.clone());
            case_section(&app, &session, &id, "overview", Some(message)).await
        }
        Err(error) => problem(error, name.clone()),
    }
}

async fn case_section(app: &App, session: &Session, id: &str, section: &'static str, error: Option<String>) -> Response {
    let Session { actor, header: name } = session;
    let Ok(id) = id.parse::<CaseId>() else { return problem(AppError::NotFound("case"), name.clone()) };
    let status_code = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = async {
        let view = app.get_case(actor, id).await?;
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
            may_allocate: view.case.is_open() && actor.may(Permission::CaseAllocate, view.case.scope()),
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
                    .case_tasks(actor, id, None, 200)
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
                let events = app.case_history(actor, id, None, 200).await?;
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
                    .case_forms(actor, id, None, 100)
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
                let plan = app.plan(actor, id).await?;
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
                    .case_decisions(actor, id, None, 100)
                    .await?
                    .into_iter()
                    .map(|d| (d.outcome.to_string(), d.reason.to_string(), uk_time(d.decided_at)))
                    .collect();
            }
            _ => {
                page.deadlines = app
                    .case_deadlines(actor, id)
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
                    .case_notes(actor, id, None, 50)
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
        Err(error) => problem(error, name.clone()),
    }
}
