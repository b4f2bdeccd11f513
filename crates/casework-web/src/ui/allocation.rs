//! Allocating one case: whom it can go to, with how many open cases each holds now.

use super::*;
use casework_domain::ids::{TeamId, UserId};

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new().route("/cases/{id}/allocation", get(allocation_page).post(allocate))
}

struct HolderRow {
    id: String,
    name: String,
    open_cases: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "allocation.html")]
struct AllocationPage {
    signed_in: Option<SignedIn>,
    id: String,
    reference: String,
    person: String,
    current: String,
    version: i64,
    /// Anchor and message of every problem.
    errors: Vec<(String, String)>,
    worker_error: Option<String>,
    team_error: Option<String>,
    holders: Vec<HolderRow>,
    /// Id, name, selected.
    teams: Vec<(String, String, bool)>,
}

/// What the form sent back, shown again when it cannot be saved.
#[derive(Debug, Default)]
struct Chosen {
    worker: Option<String>,
    team: Option<String>,
}

async fn allocation_page(State(app): State<App>, session: Session, Path(id): Path<String>) -> Response {
    show(&app, &session, &id, None, Vec::new(), StatusCode::OK).await
}

async fn show(
    app: &App,
    session: &Session,
    id: &str,
    chosen: Option<Chosen>,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Response {
    let Session { actor, header } = session;
    let Ok(case_id) = id.parse::<CaseId>() else { return problem(AppError::NotFound("case"), header.clone()) };
    let choices = match app.allocation_choices(actor, case_id).await {
        Ok(choices) => choices,
        Err(error) => return problem(error, header.clone()),
    };
    let case = &choices.case;
    let chosen =
        chosen.unwrap_or_else(|| Chosen { worker: case.worker.map(|w| w.to_string()), team: case.team.map(|t| t.to_string()) });
    let current = match case.worker {
        Some(worker) => choices
            .holders
            .iter()
            .find(|h| h.id == worker)
            .map(|h| h.name.clone())
            .or(app.display_names(&[worker]).await.ok().and_then(|mut names| names.remove(&worker)))
            .unwrap_or_else(|| "someone who can no longer hold cases".into()),
        None => "Not allocated".into(),
    };
    let error_for = |field: &str| errors.iter().find(|(anchor, _)| anchor.starts_with(field)).map(|(_, m)| m.clone());
    let page = AllocationPage {
        signed_in: header.clone(),
        id: case.id.to_string(),
        reference: case.reference.to_string(),
        person: choices.person_name.clone(),
        current,
        version: case.version,
        worker_error: error_for("worker"),
        team_error: error_for("team"),
        errors: errors.clone(),
        holders: choices
            .holders
            .iter()
            .map(|h| HolderRow {
                id: h.id.to_string(),
                name: h.name.clone(),
                open_cases: if h.open_cases == 1 { "1 open case".into() } else { format!("{} open cases", h.open_cases) },
                checked: chosen.worker.as_deref() == Some(h.id.to_string().as_str()),
            })
            .collect(),
        teams: choices
            .teams
            .iter()
            .map(|t| (t.id.to_string(), t.name.to_string(), chosen.team.as_deref() == Some(t.id.to_string().as_str())))
            .collect(),
    };
    render(&page, status)
}

#[derive(Debug, Deserialize)]
struct AllocationForm {
    #[serde(default)]
    worker: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    version: String,
}

async fn allocate(
    State(app): State<App>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<AllocationForm>,
) -> Response {
    let Ok(case_id) = id.parse::<CaseId>() else { return problem(AppError::NotFound("case"), session.header.clone()) };
    let chosen = Chosen {
        worker: Some(form.worker.clone()).filter(|w| !w.is_empty()),
        team: Some(form.team.clone()).filter(|t| !t.is_empty()),
    };
    let mut errors = Vec::new();
    let worker = form.worker.trim().parse::<UserId>().ok();
    if worker.is_none() {
        errors.push(("worker-1".to_owned(), "Choose who to allocate the case to".to_owned()));
    }
    let team = match form.team.trim() {
        "" => Some(None),
        team => team.parse::<TeamId>().ok().map(Some),
    };
    if team.is_none() {
        errors.push(("team".to_owned(), "Choose a team from the list".to_owned()));
    }
    let (Some(worker), Some(team), Ok(version)) = (worker, team, form.version.trim().parse::<i64>()) else {
        if errors.is_empty() {
            errors.push(("worker-1".to_owned(), "The page was out of date: choose again".to_owned()));
        }
        return show(&app, &session, &id, Some(chosen), errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match app.allocate_case(&session.actor, case_id, version, Some(worker), team).await {
        Ok(_) => Redirect::to(&format!("/cases/{case_id}")).into_response(),
        Err(AppError::Conflict(_)) => {
            let message =
                "The case was changed by someone else since this page was shown. Check its allocation now and choose again.";
            show(&app, &session, &id, None, vec![("worker-1".to_owned(), message.to_owned())], StatusCode::CONFLICT).await
        }
        Err(AppError::Invalid(invalid)) => {
            let errors = invalid
                .errors
                .into_iter()
                .map(|e| (if e.field == "team" { "team".to_owned() } else { "worker-1".to_owned() }, e.message))
                .collect();
            show(&app, &session, &id, Some(chosen), errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => problem(error, session.header.clone()),
    }
}
