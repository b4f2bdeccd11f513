//! Restricting a case (the panel on its "Case details" section) and break-glass: opening a
//! restricted case one is not named on shows the break-glass page instead, whose form opens
//! the case for a few hours once a reason is given.

use super::cases::{Outcome, Section, show};
use super::*;
use casework_domain::access::{Restriction, RestrictionLevel};
use casework_domain::case::Case;
use casework_domain::service::ServiceDefinition;
use casework_domain::text::Code;
use std::collections::BTreeMap;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/cases/{id}/restriction", post(change_restriction))
        .route("/cases/{id}/break-glass", post(break_glass))
}

/// The restriction panel: the case's restriction and access list and the form to change them.
pub(super) struct RestrictionPanel {
    pub level: &'static str,
    /// Names of the users and roles on the access list.
    pub named: Vec<String>,
    /// Code, name and whether it is chosen, for the level radios.
    pub levels: Vec<(&'static str, &'static str, bool)>,
    /// Code, name and whether it is named, for each role of the service.
    pub roles: Vec<(String, String, bool)>,
    /// Id, name and whether they are named, for each user who may hold the service's cases.
    pub users: Vec<(String, String, bool)>,
}

fn level_name(level: RestrictionLevel) -> &'static str {
    match level {
        RestrictionLevel::None => "Not restricted",
        RestrictionLevel::Restricted => "Restricted: named users and roles, others by break-glass",
        RestrictionLevel::Shielded => "Shielded: named users and roles only, no break-glass",
    }
}

/// Builds the panel, keeping what was chosen in a form that did not go through.
pub(super) async fn panel(
    app: &App,
    actor: &Actor,
    case: &Case,
    definition: &ServiceDefinition,
    typed: &BTreeMap<String, String>,
) -> Result<RestrictionPanel, AppError> {
    let holders = match app.case_holders(actor, &case.service).await {
        Ok(holders) => holders,
        Err(AppError::Forbidden(_)) => Vec::new(),
        Err(error) => return Err(error),
    };
    let names = app.display_names(&case.restriction.users.iter().copied().collect::<Vec<_>>()).await?;
    let chosen_level = typed.get("restriction").cloned().unwrap_or_else(|| case.restriction.level.name().to_owned());
    let typed_list = |name: &str| typed.get(name).map(|v| v.split(',').map(str::to_owned).collect::<Vec<_>>());
    let chosen_users = typed_list("users").unwrap_or_else(|| case.restriction.users.iter().map(ToString::to_string).collect());
    let chosen_roles = typed_list("roles").unwrap_or_else(|| case.restriction.roles.iter().map(ToString::to_string).collect());
    let mut named: Vec<String> =
        case.restriction.users.iter().map(|u| names.get(u).cloned().unwrap_or_else(|| u.to_string())).collect();
    named.extend(
        case.restriction.roles.iter().map(|r| {
            format!("anyone who is {}", definition.role(r).map_or_else(|| r.to_string(), |role| role.name.to_lowercase()))
        }),
    );
    Ok(RestrictionPanel {
        level: level_name(case.restriction.level),
        named,
        levels: RestrictionLevel::ALL.iter().map(|l| (l.name(), level_name(*l), l.name() == chosen_level)).collect(),
        roles: definition
            .roles
            .iter()
            .map(|r| (r.code.to_string(), r.name.clone(), chosen_roles.contains(&r.code.to_string())))
            .collect(),
        users: holders
            .into_iter()
            .map(|(id, name)| {
                let id = id.to_string();
                let chosen = chosen_users.contains(&id);
                (id, name, chosen)
            })
            .collect(),
    })
}

type Fields = Form<Vec<(String, String)>>;

fn anchor(field: &str) -> String {
    match field.split('/').next().unwrap_or_default() {
        "users" => "restriction-users".into(),
        "roles" => "restriction-roles".into(),
        _ => "restriction-level".into(),
    }
}

async fn change_restriction(State(app): State<App>, session: Session, Path(id): Path<String>, Form(fields): Fields) -> Response {
    let value = |name: &str| fields.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.trim());
    let all = |name: &str| fields.iter().filter(|(n, _)| n == name).map(|(_, v)| v.trim().to_owned()).collect::<Vec<_>>();
    let mut kept = BTreeMap::new();
    kept.insert("restriction".to_owned(), value("restriction").to_owned());
    kept.insert("users".to_owned(), all("users").join(","));
    kept.insert("roles".to_owned(), all("roles").join(","));
    let result = async {
        let case: CaseId = id.parse().map_err(|_| AppError::NotFound("case"))?;
        let level = RestrictionLevel::parse(value("restriction"))
            .ok_or_else(|| casework_domain::FieldError::new("level", "Choose how far the case is restricted"))?;
        let users = all("users")
            .iter()
            .map(|u| {
                u.parse().map_err(|_| AppError::from(casework_domain::FieldError::new("users", "Choose users from the list")))
            })
            .collect::<Result<_, _>>()?;
        let roles = all("roles")
            .iter()
            .map(|r| {
                Code::parse(r)
                    .map_err(|_| AppError::from(casework_domain::FieldError::new("roles", "Choose roles from the list")))
            })
            .collect::<Result<_, _>>()?;
        let version = value("version").parse().unwrap_or(-1);
        app.restrict_case(&session.actor, case, version, Restriction { level, users, roles }).await
    }
    .await;
    let problems = match result {
        Ok(case) => return Redirect::to(&format!("/cases/{}/details?done=restriction#restriction", case.id)).into_response(),
        Err(AppError::Invalid(invalid)) => invalid.errors.iter().map(|e| (anchor(&e.field), e.message.clone())).collect(),
        Err(AppError::Conflict(message)) => vec![("restriction-level".to_owned(), message)],
        Err(error) => return problem(error, session.header.clone()),
    };
    show(&app, &session, &id, Section::Details, None, Outcome { problems, values: kept, status: None }).await
}

#[derive(Template)]
#[template(path = "break_glass.html")]
struct BreakGlassPage {
    signed_in: Option<SignedIn>,
    id: String,
    hours: u32,
    reasons: Vec<(String, String)>,
    problems: Vec<(String, String)>,
    values: BTreeMap<String, String>,
}

impl BreakGlassPage {
    fn problem_for(&self, id: &str) -> Option<&str> {
        self.problems.iter().find(|(anchor, _)| anchor == id).map(|(_, message)| message.as_str())
    }

    fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }
}

/// The page shown instead of a restricted case one may open by break-glass (403, since the
/// case is not shown); with the problems of a form that did not go through.
pub(super) async fn break_glass_page(app: &App, session: &Session, id: CaseId, outcome: Outcome) -> Response {
    let terms = match app.break_glass_terms(&session.actor, id).await {
        Ok(terms) => terms,
        Err(error) => return problem(error, session.header.clone()),
    };
    let status = if outcome.problems.is_empty() { StatusCode::FORBIDDEN } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = BreakGlassPage {
        signed_in: session.header.clone(),
        id: id.to_string(),
        hours: terms.hours,
        reasons: terms.reasons.iter().map(|r| (r.code.to_string(), r.name.clone())).collect(),
        problems: outcome.problems,
        values: outcome.values,
    };
    render(&page, status)
}

async fn break_glass(State(app): State<App>, session: Session, Path(id): Path<String>, Form(fields): Fields) -> Response {
    let Ok(case) = id.parse::<CaseId>() else { return problem(AppError::NotFound("case"), session.header.clone()) };
    let value = |name: &str| fields.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str());
    match app.break_glass(&session.actor, case, value("reason").trim(), value("details")).await {
        Ok(_) => Redirect::to(&format!("/cases/{case}")).into_response(),
        Err(AppError::Invalid(invalid)) => {
            let problems = invalid
                .errors
                .iter()
                .map(|e| {
                    let field = if e.field == "details" { "break-glass-details" } else { "break-glass-reason" };
                    (field.to_owned(), e.message.clone())
                })
                .collect();
            let values = fields.into_iter().filter(|(name, _)| name == "reason" || name == "details").collect();
            break_glass_page(&app, &session, case, Outcome { problems, values, status: None }).await
        }
        Err(error) => problem(error, session.header.clone()),
    }
}
