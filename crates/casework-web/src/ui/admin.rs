//! Administration: services, user accounts, their roles, and teams. Only administrators get
//! past the `Administrator` extractor, before any form is read; the use cases check again,
//! so a page that forgot could still change nothing.

use super::*;
use axum::extract::Query;
use casework_app::users::NewUser;
use casework_domain::ids::{TeamId, UserId};
use casework_domain::text::Code;
use casework_domain::user::{Password, RoleGrant, Team, UserAccount, Username};
use casework_domain::{FieldError, Invalid};

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/admin", get(overview))
        .route("/admin/users/new", get(new_user_page))
        .route("/admin/users", post(create_user))
        .route("/admin/users/{id}", get(user_page))
        .route("/admin/users/{id}/roles", post(grant_role))
        .route("/admin/users/{id}/roles/revoke", post(revoke_role))
        .route("/admin/users/{id}/disable", post(disable_user))
        .route("/admin/users/{id}/enable", post(enable_user))
        .route("/admin/users/{id}/password", post(reset_password))
        .route("/admin/teams/new", get(new_team_page))
        .route("/admin/teams", post(create_team))
        .route("/admin/teams/{id}", get(team_page))
        .route("/admin/teams/{id}/members", post(add_member))
        .route("/admin/teams/{id}/members/remove", post(remove_member))
}

/// A signed-in administrator. Anyone else is refused here, so no handler below reads a
/// form from them.
struct Administrator {
    actor: Actor,
    header: Option<SignedIn>,
}

impl FromRequestParts<App> for Administrator {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let Session { actor, header } = Session::from_request_parts(parts, app).await?;
        if actor.administrator {
            Ok(Administrator { actor, header })
        } else {
            Err(problem(AppError::Forbidden("manage users and teams"), header))
        }
    }
}

/// The problems of a form, each with the id of the field it is about.
#[derive(Debug, Default)]
struct Problems(Vec<(String, String)>);

impl Problems {
    fn add(&mut self, anchor: &str, message: &str) {
        self.0.push((anchor.to_owned(), message.to_owned()));
    }

    /// The use case's own objections, placed at the field each one names.
    fn absorb(&mut self, invalid: &Invalid, anchor: impl Fn(&str) -> &'static str) {
        for error in &invalid.errors {
            self.add(anchor(&error.field), &sentence(&error.message));
        }
    }

    fn of(&self, anchor: &str) -> Option<&str> {
        self.0.iter().find(|(a, _)| a == anchor).map(|(_, message)| message.as_str())
    }

    fn iter(&self) -> std::slice::Iter<'_, (String, String)> {
        self.0.iter()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Debug, Deserialize)]
struct Done {
    done: Option<String>,
}

/// What a finished change says on the page it returns to. Only these fixed words are shown,
/// whatever the query holds, so a link cannot make the page say something else.
fn done_message(done: &Done) -> Option<&'static str> {
    Some(match done.done.as_deref()? {
        "user-created" => "The user was added",
        "role-granted" => "The role was granted",
        "role-revoked" => "The role was revoked",
        "disabled" => "The account was disabled and its sessions have ended",
        "enabled" => "The account was enabled",
        "password-reset" => "The password was reset and the user's sessions have ended",
        "team-created" => "The team was created",
        "member-added" => "The user was added to the team",
        "member-removed" => "The user was removed from the team",
        _ => return None,
    })
}

/// A role as a select offers it: its service and code in one value, `service:role`.
fn role_value(grant: &RoleGrant) -> String {
    format!("{}:{}", grant.service, grant.role)
}

/// The role a select chose, if the services define it.
fn chosen_role(app: &App, value: &str) -> Option<RoleGrant> {
    let (service, role) = value.split_once(':')?;
    let grant = RoleGrant { service: Code::parse(service).ok()?, role: Code::parse(role).ok()? };
    app.services.get(&grant.service)?.role(&grant.role)?;
    Some(grant)
}

/// The service's and the role's names, or their codes if a definition no longer has them.
fn role_names(app: &App, grant: &RoleGrant) -> (String, String) {
    match app.services.get(&grant.service) {
        Some(definition) => (
            definition.service.name.clone(),
            definition.role(&grant.role).map_or_else(|| grant.role.to_string(), |r| r.name.clone()),
        ),
        None => (grant.service.to_string(), grant.role.to_string()),
    }
}

fn service_name(app: &App, service: &Code) -> String {
    app.services.get(service).map_or_else(|| service.to_string(), |d| d.service.name.clone())
}

/// The roles of every service, grouped for a select.
struct RoleGroup {
    service: String,
    /// Value and role name.
    roles: Vec<(String, String)>,
}

fn role_groups(app: &App) -> Vec<RoleGroup> {
    app.services
        .all()
        .map(|d| RoleGroup {
            service: d.service.name.clone(),
            roles: d
                .roles
                .iter()
                .map(|r| (role_value(&RoleGrant { service: d.code().clone(), role: r.code.clone() }), r.name.clone()))
                .collect(),
        })
        .collect()
}

/// Every account but the one the command line acts as, in username order.
async fn all_accounts(app: &App, actor: &Actor) -> Result<Vec<UserAccount>, AppError> {
    const PAGE: i64 = 500;
    let mut accounts: Vec<UserAccount> = Vec::new();
    loop {
        let after = accounts.last().map(|u| u.username.to_string());
        let page = app.list_users(actor, after.as_deref(), PAGE).await?;
        let more = page.len() as i64 == PAGE;
        accounts.extend(page);
        if !more {
            break;
        }
    }
    accounts.retain(|u| u.username.as_str() != "system");
    Ok(accounts)
}

async fn all_teams(app: &App) -> Result<Vec<Team>, AppError> {
    const PAGE: i64 = 500;
    let mut teams: Vec<Team> = Vec::new();
    loop {
        let page = app.list_teams(teams.last().map(|t| t.id), PAGE).await?;
        let more = page.len() as i64 == PAGE;
        teams.extend(page);
        if !more {
            break;
        }
    }
    Ok(teams)
}

// --- the overview ---

struct UserRow {
    id: String,
    username: String,
    name: String,
    roles: String,
    disabled: bool,
}

struct TeamRow {
    id: String,
    service: String,
    name: String,
    members: String,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    signed_in: Option<SignedIn>,
    banner: Option<&'static str>,
    /// Name, code, version, reference prefix, roles.
    services: Vec<(String, String, u32, String, String)>,
    users: Vec<UserRow>,
    teams: Vec<TeamRow>,
}

/// Services, user accounts and teams.
async fn overview(State(app): State<App>, admin: Administrator, Query(done): Query<Done>) -> Response {
    let page = async {
        let accounts = all_accounts(&app, &admin.actor).await?;
        let mut teams = all_teams(&app).await?;
        teams.sort_by(|a, b| {
            (service_name(&app, &a.service), a.name.as_str()).cmp(&(service_name(&app, &b.service), b.name.as_str()))
        });
        Ok::<_, AppError>(AdminPage {
            signed_in: admin.header.clone(),
            banner: done_message(&done),
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
            teams: teams
                .iter()
                .map(|team| {
                    let members: Vec<&str> =
                        accounts.iter().filter(|u| u.teams.contains(&team.id)).map(|u| u.display_name.as_str()).collect();
                    TeamRow {
                        id: team.id.to_string(),
                        service: service_name(&app, &team.service),
                        name: team.name.to_string(),
                        members: members.join(", "),
                    }
                })
                .collect(),
            users: accounts
                .iter()
                .map(|u| {
                    let mut roles: Vec<String> = Vec::new();
                    if u.administrator {
                        roles.push("Administrator".to_owned());
                    }
                    roles.extend(u.roles.iter().map(|grant| {
                        let (service, role) = role_names(&app, grant);
                        format!("{role} ({service})")
                    }));
                    UserRow {
                        id: u.id.to_string(),
                        username: u.username.to_string(),
                        name: u.display_name.to_string(),
                        roles: roles.join(", "),
                        disabled: u.disabled,
                    }
                })
                .collect(),
        })
    };
    match page.await {
        Ok(page) => render(&page, StatusCode::OK),
        Err(error) => problem(error, admin.header),
    }
}

// --- adding a user ---

#[derive(Template)]
#[template(path = "admin_user_new.html")]
struct NewUserPage {
    signed_in: Option<SignedIn>,
    errors: Problems,
    form: NewUserForm,
    role_groups: Vec<RoleGroup>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewUserForm {
    username: String,
    display_name: String,
    password: String,
    /// `yes` or `no`.
    administrator: String,
    /// `service:role`, or empty for none yet.
    role: String,
}

async fn new_user_page(State(app): State<App>, admin: Administrator) -> Response {
    let form = NewUserForm { administrator: "no".to_owned(), ..NewUserForm::default() };
    let page = NewUserPage { signed_in: admin.header, errors: Problems::default(), form, role_groups: role_groups(&app) };
    render(&page, StatusCode::OK)
}

async fn create_user(State(app): State<App>, admin: Administrator, Form(form): Form<NewUserForm>) -> Response {
    let mut errors = Problems::default();
    let username = match Username::parse(&form.username) {
        Ok(username) => Some(username),
        Err(_) if form.username.trim().is_empty() => {
            errors.add("username", "Enter a username");
            None
        }
        Err(error) => {
            errors.add("username", &sentence(&error.message));
            None
        }
    };
    let display_name = match casework_domain::text::ShortText::parse(&form.display_name) {
        Ok(name) => Some(name),
        Err(_) if form.display_name.trim().is_empty() => {
            errors.add("display_name", "Enter the user's name");
            None
        }
        Err(error) => {
            errors.add("display_name", &format!("The name {}", error.message));
            None
        }
    };
    let password = password_from(&form.password, &[&form.username, &form.display_name], &mut errors);
    let administrator = match form.administrator.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.add("administrator", "Select whether the user is an administrator");
            None
        }
    };
    let roles = if form.role.is_empty() {
        Some(Vec::new())
    } else if let Some(grant) = chosen_role(&app, &form.role) {
        Some(vec![grant])
    } else {
        errors.add("role", "Select a role from the list");
        None
    };
    let result = match (username, display_name, password, administrator, roles) {
        (Some(username), Some(display_name), Some(password), Some(administrator), Some(roles)) if errors.is_empty() => {
            let new = NewUser { username, display_name, password, administrator };
            app.create_user_with_roles(&admin.actor, new, &roles).await
        }
        _ => Err(AppError::Invalid(Invalid::new())),
    };
    match result {
        Ok(account) => see_other(&format!("/admin/users/{}?done=user-created", account.id)),
        Err(AppError::Invalid(invalid)) => {
            errors.absorb(&invalid, |field| match field {
                "username" => "username",
                "display_name" => "display_name",
                "password" => "password",
                _ => "role",
            });
            new_user_again(&app, admin, errors, form)
        }
        Err(AppError::Conflict(_)) => {
            errors.add("username", "That username is already taken");
            new_user_again(&app, admin, errors, form)
        }
        Err(error) => problem(error, admin.header),
    }
}

fn new_user_again(app: &App, admin: Administrator, errors: Problems, form: NewUserForm) -> Response {
    // The password is never sent back to the browser.
    let form = NewUserForm { password: String::new(), ..form };
    let page = NewUserPage { signed_in: admin.header, errors, form, role_groups: role_groups(app) };
    render(&page, StatusCode::UNPROCESSABLE_ENTITY)
}

/// The password typed, checked by the same rule the use cases apply.
fn password_from(typed: &str, about_the_user: &[&str], errors: &mut Problems) -> Option<Password> {
    let anchor = "password";
    match Password::parse(typed, about_the_user) {
        Ok(password) => Some(password),
        Err(_) if typed.is_empty() => {
            errors.add(anchor, "Enter a password");
            None
        }
        Err(error) => {
            errors.add(anchor, &sentence(&error.message));
            None
        }
    }
}

// --- one user ---

struct RoleHeld {
    value: String,
    service: String,
    role: String,
}

struct TeamLink {
    id: String,
    name: String,
    service: String,
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    signed_in: Option<SignedIn>,
    banner: Option<&'static str>,
    errors: Problems,
    id: String,
    username: String,
    name: String,
    administrator: bool,
    disabled: bool,
    created: String,
    /// Administrators cannot disable themselves, so the page does not offer it.
    is_self: bool,
    roles: Vec<RoleHeld>,
    teams: Vec<TeamLink>,
    role_groups: Vec<RoleGroup>,
    chosen_role: String,
}

fn parse_id<T: std::str::FromStr>(raw: &str) -> Option<T> {
    raw.parse().ok()
}

async fn user_page(State(app): State<App>, admin: Administrator, Path(id): Path<String>, Query(done): Query<Done>) -> Response {
    let Some(id) = parse_id::<UserId>(&id) else { return problem(AppError::NotFound("user"), admin.header) };
    show_user(&app, admin, id, done_message(&done), Problems::default(), String::new(), StatusCode::OK).await
}

async fn show_user(
    app: &App,
    admin: Administrator,
    id: UserId,
    banner: Option<&'static str>,
    errors: Problems,
    chosen_role: String,
    status: StatusCode,
) -> Response {
    let page = async {
        let account = app.get_user(&admin.actor, id).await?;
        let mut teams = Vec::new();
        for team in &account.teams {
            let team = app.get_team(*team).await?;
            teams.push(TeamLink {
                id: team.id.to_string(),
                name: team.name.to_string(),
                service: service_name(app, &team.service),
            });
        }
        Ok::<_, AppError>(UserPage {
            signed_in: admin.header.clone(),
            banner,
            errors,
            id: account.id.to_string(),
            username: account.username.to_string(),
            name: account.display_name.to_string(),
            administrator: account.administrator,
            disabled: account.disabled,
            created: uk_time(account.created_at),
            is_self: account.id == admin.actor.user,
            roles: account
                .roles
                .iter()
                .map(|grant| {
                    let (service, role) = role_names(app, grant);
                    RoleHeld { value: role_value(grant), service, role }
                })
                .collect(),
            teams,
            role_groups: role_groups(app),
            chosen_role,
        })
    };
    match page.await {
        Ok(page) => render(&page, status),
        Err(error) => problem(error, admin.header),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RoleForm {
    /// `service:role`.
    role: String,
}

async fn grant_role(
    State(app): State<App>,
    admin: Administrator,
    Path(id): Path<String>,
    Form(form): Form<RoleForm>,
) -> Response {
    let Some(id) = parse_id::<UserId>(&id) else { return problem(AppError::NotFound("user"), admin.header) };
    let result = match chosen_role(&app, &form.role) {
        Some(grant) => app.grant_role(&admin.actor, id, &grant.service, &grant.role).await.map(drop),
        None if form.role.is_empty() => Err(FieldError::new("role", "select a role to grant").into()),
        None => Err(FieldError::new("role", "select a role from the list").into()),
    };
    after_user_change(&app, admin, id, result, "role-granted", |_| "role", form.role).await
}

async fn revoke_role(
    State(app): State<App>,
    admin: Administrator,
    Path(id): Path<String>,
    Form(form): Form<RoleForm>,
) -> Response {
    let Some(id) = parse_id::<UserId>(&id) else { return problem(AppError::NotFound("user"), admin.header) };
    // A role no longer in the definitions can still be revoked, so the codes are not
    // checked against them.
    let grant = form.role.split_once(':').and_then(|(service, role)| Some((Code::parse(service).ok()?, Code::parse(role).ok()?)));
    let result = match grant {
        Some((service, role)) => app.revoke_role(&admin.actor, id, &service, &role).await.map(drop),
        None => Err(FieldError::new("role", "the user does not hold this role").into()),
    };
    after_user_change(&app, admin, id, result, "role-revoked", |_| "roles", String::new()).await
}

async fn disable_user(State(app): State<App>, admin: Administrator, Path(id): Path<String>) -> Response {
    let Some(id) = parse_id::<UserId>(&id) else { return problem(AppError::NotFound("user"), admin.header) };
    let result = app.set_user_disabled(&admin.actor, id, true).await.map(drop);
    after_user_change(&app, admin, id, result, "disabled", |_| "status", String::new()).await
}

async fn enable_user(State(app): State<App>, admin: Administrator, Path(id): Path<String>) -> Response {
    let Some(id) = parse_id::<UserId>(&id) else { return problem(AppError::NotFound("user"), admin.header) };
    let result = app.set_user_disabled(&admin.actor, id, false).await.map(drop);
    after_user_change(&app, admin, id, result, "enabled", |_| "status", String::new()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    password: String,
}

async fn reset_password(
    State(app): State<App>,
    admin: Administrator,
    Path(id): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Response {
    let Some(id) = parse_id::<UserId>(&id) else { return problem(AppError::NotFound("user"), admin.header) };
    if form.password.is_empty() {
        let mut errors = Problems::default();
        errors.add("password", "Enter a password");
        return show_user(&app, admin, id, None, errors, String::new(), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    // The rule needs the user's own name, which the use case knows.
    let result = app.reset_password(&admin.actor, id, &form.password).await;
    after_user_change(&app, admin, id, result, "password-reset", |_| "password", String::new()).await
}

/// Back to the user's page: with the news after a change, or with what was wrong.
async fn after_user_change(
    app: &App,
    admin: Administrator,
    id: UserId,
    result: Result<(), AppError>,
    done: &str,
    anchor: impl Fn(&str) -> &'static str,
    chosen_role: String,
) -> Response {
    match result {
        Ok(()) => see_other(&format!("/admin/users/{id}?done={done}")),
        Err(AppError::Invalid(invalid)) => {
            let mut errors = Problems::default();
            errors.absorb(&invalid, anchor);
            show_user(app, admin, id, None, errors, chosen_role, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => problem(error, admin.header),
    }
}

// --- teams ---

#[derive(Template)]
#[template(path = "admin_team_new.html")]
struct NewTeamPage {
    signed_in: Option<SignedIn>,
    errors: Problems,
    /// Code and name.
    services: Vec<(String, String)>,
    form: NewTeamForm,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewTeamForm {
    service: String,
    name: String,
}

fn services_to_choose(app: &App) -> Vec<(String, String)> {
    app.services.all().map(|d| (d.code().to_string(), d.service.name.clone())).collect()
}

async fn new_team_page(State(app): State<App>, admin: Administrator) -> Response {
    let page = NewTeamPage {
        signed_in: admin.header,
        errors: Problems::default(),
        services: services_to_choose(&app),
        form: NewTeamForm::default(),
    };
    render(&page, StatusCode::OK)
}

async fn create_team(State(app): State<App>, admin: Administrator, Form(form): Form<NewTeamForm>) -> Response {
    let mut errors = Problems::default();
    let service = Code::parse(&form.service).ok().filter(|code| app.services.get(code).is_some());
    if service.is_none() {
        errors.add("service", "Select the service the team works in");
    }
    match casework_domain::text::ShortText::parse(&form.name) {
        Ok(_) => {}
        Err(_) if form.name.trim().is_empty() => errors.add("name", "Enter a name for the team"),
        Err(error) => errors.add("name", &format!("The name {}", error.message)),
    }
    let result = match service {
        Some(service) if errors.is_empty() => app.create_team(&admin.actor, &service, &form.name).await,
        _ => Err(AppError::Invalid(Invalid::new())),
    };
    let errors = match result {
        Ok(team) => return see_other(&format!("/admin/teams/{}?done=team-created", team.id)),
        Err(AppError::Invalid(invalid)) => {
            errors.absorb(&invalid, |field| if field == "service" { "service" } else { "name" });
            errors
        }
        Err(AppError::Conflict(_)) => {
            errors.add("name", "The service already has a team with that name");
            errors
        }
        Err(error) => return problem(error, admin.header),
    };
    let page = NewTeamPage { signed_in: admin.header, errors, services: services_to_choose(&app), form };
    render(&page, StatusCode::UNPROCESSABLE_ENTITY)
}

struct Member {
    id: String,
    username: String,
    name: String,
}

#[derive(Template)]
#[template(path = "admin_team.html")]
struct TeamPage {
    signed_in: Option<SignedIn>,
    banner: Option<&'static str>,
    errors: Problems,
    id: String,
    name: String,
    service: String,
    members: Vec<Member>,
    /// Those who could join: every enabled account not in the team yet.
    candidates: Vec<Member>,
    chosen_user: String,
}

async fn team_page(State(app): State<App>, admin: Administrator, Path(id): Path<String>, Query(done): Query<Done>) -> Response {
    let Some(id) = parse_id::<TeamId>(&id) else { return problem(AppError::NotFound("team"), admin.header) };
    show_team(&app, admin, id, done_message(&done), Problems::default(), String::new(), StatusCode::OK).await
}

async fn show_team(
    app: &App,
    admin: Administrator,
    id: TeamId,
    banner: Option<&'static str>,
    errors: Problems,
    chosen_user: String,
    status: StatusCode,
) -> Response {
    let page = async {
        let team = app.get_team(id).await?;
        let accounts = all_accounts(app, &admin.actor).await?;
        let as_member =
            |u: &UserAccount| Member { id: u.id.to_string(), username: u.username.to_string(), name: u.display_name.to_string() };
        let (members, others): (Vec<&UserAccount>, Vec<&UserAccount>) = accounts.iter().partition(|u| u.teams.contains(&id));
        let mut members: Vec<Member> = members.into_iter().map(as_member).collect();
        members.sort_by(|a, b| a.name.cmp(&b.name));
        Ok::<_, AppError>(TeamPage {
            signed_in: admin.header.clone(),
            banner,
            errors,
            id: team.id.to_string(),
            name: team.name.to_string(),
            service: service_name(app, &team.service),
            members,
            candidates: others.into_iter().filter(|u| !u.disabled).map(as_member).collect(),
            chosen_user,
        })
    };
    match page.await {
        Ok(page) => render(&page, status),
        Err(error) => problem(error, admin.header),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MemberForm {
    user: String,
}

async fn add_member(
    State(app): State<App>,
    admin: Administrator,
    Path(id): Path<String>,
    Form(form): Form<MemberForm>,
) -> Response {
    let Some(team) = parse_id::<TeamId>(&id) else { return problem(AppError::NotFound("team"), admin.header) };
    let not_offered = || Err(FieldError::new("user", "select a user from the list").into());
    let result = match parse_id::<UserId>(&form.user) {
        // Only what the list offers: the command line's own account and disabled ones are
        // not people who could work in a team.
        Some(user) => match app.get_user(&admin.actor, user).await {
            Ok(account) if account.disabled || account.username.as_str() == "system" => not_offered(),
            Ok(_) => app.add_team_member(&admin.actor, team, user).await,
            Err(AppError::NotFound(_)) => not_offered(),
            Err(error) => Err(error),
        },
        None if form.user.is_empty() => Err(FieldError::new("user", "select a user to add").into()),
        None => not_offered(),
    };
    after_team_change(&app, admin, team, result, "member-added", "user", form.user).await
}

async fn remove_member(
    State(app): State<App>,
    admin: Administrator,
    Path(id): Path<String>,
    Form(form): Form<MemberForm>,
) -> Response {
    let Some(team) = parse_id::<TeamId>(&id) else { return problem(AppError::NotFound("team"), admin.header) };
    let result = match parse_id::<UserId>(&form.user) {
        Some(user) => app.remove_team_member(&admin.actor, team, user).await,
        None => Err(FieldError::new("user", "the user is not a member of this team").into()),
    };
    after_team_change(&app, admin, team, result, "member-removed", "members", String::new()).await
}

/// Back to the team's page: with the news after a change, or with what was wrong.
async fn after_team_change(
    app: &App,
    admin: Administrator,
    team: TeamId,
    result: Result<(), AppError>,
    done: &str,
    anchor: &'static str,
    chosen_user: String,
) -> Response {
    match result {
        Ok(()) => see_other(&format!("/admin/teams/{team}?done={done}")),
        Err(AppError::Invalid(invalid)) => {
            let mut errors = Problems::default();
            errors.absorb(&invalid, |_| anchor);
            show_team(app, admin, team, None, errors, chosen_user, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => problem(error, admin.header),
    }
}
