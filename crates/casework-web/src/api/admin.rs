//! Services, teams and user accounts. Managing accounts and teams needs an administrator;
//! being one gives no access to case records.

use super::views::{Page, ServiceOut, TeamOut, UserOut};
use super::{Paging, field_code, path_id};
use crate::extract::{CurrentActor, JsonBody};
use crate::problem::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use casework_app::App;
use casework_app::users::NewUser;
use casework_domain::ids::{TeamId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The service definitions loaded.
#[utoipa::path(get, path = "/api/v1/services", tag = "services", responses((status = 200, body = Vec<ServiceOut>)))]
pub async fn list_services(State(app): State<App>, CurrentActor(_): CurrentActor) -> Json<Vec<ServiceOut>> {
    Json(
        app.services
            .all()
            .map(|d| ServiceOut {
                code: d.code().to_string(),
                name: d.service.name.clone(),
                reference_prefix: d.service.reference_prefix.clone(),
                closes_cases: d.service.closes_cases,
                level_label: d.service.level_label.clone(),
                definition: serde_json::to_value(d.as_ref()).unwrap_or_default(),
            })
            .collect(),
    )
}

/// The teams of every service, oldest first.
#[utoipa::path(get, path = "/api/v1/teams", tag = "services", params(Paging), responses((status = 200, body = Page<TeamOut>)))]
pub async fn list_teams(
    State(app): State<App>,
    CurrentActor(_): CurrentActor,
    Query(paging): Query<Paging>,
) -> ApiResult<Json<Page<TeamOut>>> {
    let rows = app.list_teams(paging.position()?, paging.fetch()).await?;
    Ok(Json(paging.page(rows, |t| t.id.to_string(), TeamOut::from)))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    pub service: String,
    pub name: String,
}

/// Makes a team in a service (administrators).
#[utoipa::path(post, path = "/api/v1/teams", tag = "services", request_body = NewTeam,
    responses((status = 201, body = TeamOut), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn create_team(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    JsonBody(body): JsonBody<NewTeam>,
) -> ApiResult<(StatusCode, Json<TeamOut>)> {
    let service = field_code(&body.service, "service")?;
    Ok((StatusCode::CREATED, Json(app.create_team(&actor, &service, &body.name).await?.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub user: String,
}

/// Adds a user to a team (administrators).
#[utoipa::path(post, path = "/api/v1/teams/{id}/members", tag = "services", params(("id" = String, Path)), request_body = NewMember,
    responses((status = 204), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn add_team_member(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<NewMember>,
) -> ApiResult<StatusCode> {
    let team: TeamId = path_id(&id, "team")?;
    let user: UserId = body.user.parse().map_err(|_| ApiError::field("user", "is not a valid id"))?;
    app.add_team_member(&actor, team, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// User accounts in username order (administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(Paging), responses((status = 200, body = Page<UserOut>), (status = 403, body = crate::problem::Problem)))]
pub async fn list_users(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Query(paging): Query<Paging>,
) -> ApiResult<Json<Page<UserOut>>> {
    let after: Option<String> = paging.position()?;
    let rows = app.list_users(&actor, after.as_deref(), paging.fetch()).await?;
    Ok(Json(paging.page(rows, |u| u.username.to_string(), UserOut::from)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    pub username: String,
    pub display_name: String,
    /// At least 12 characters.
    pub password: String,
    #[serde(default)]
    pub administrator: bool,
}

/// Makes a user account (administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserBody,
    responses((status = 201, body = UserOut), (status = 403, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn create_user(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    JsonBody(body): JsonBody<NewUserBody>,
) -> ApiResult<(StatusCode, Json<UserOut>)> {
    if !actor.administrator {
        return Err(casework_app::AppError::Forbidden("manage users and teams").into());
    }
    let new = NewUser::parse(&body.username, &body.display_name, &body.password, body.administrator)?;
    Ok((StatusCode::CREATED, Json(app.create_user(&actor, new).await?.into())))
}

/// One user account (administrators).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = UserOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn get_user(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<UserOut>> {
    if !actor.administrator {
        return Err(casework_app::AppError::Forbidden("manage users and teams").into());
    }
    Ok(Json(app.get_user(&actor, path_id(&id, "user")?).await?.into()))
}

/// Disables an account; its sessions end at once (administrators).
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = UserOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn disable_user(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<UserOut>> {
    Ok(Json(app.set_user_disabled(&actor, path_id(&id, "user")?, true).await?.into()))
}

/// Enables a disabled account (administrators).
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = UserOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn enable_user(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<UserOut>> {
    Ok(Json(app.set_user_disabled(&actor, path_id(&id, "user")?, false).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    pub password: String,
}

/// Sets a new password and ends the user's sessions (administrators).
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", params(("id" = String, Path)), request_body = NewPassword,
    responses((status = 204), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn reset_password(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<NewPassword>,
) -> ApiResult<StatusCode> {
    app.reset_password(&actor, path_id(&id, "user")?, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGrant {
    pub service: String,
    pub role: String,
}

/// Gives a user a role in a service (administrators).
#[utoipa::path(post, path = "/api/v1/users/{id}/roles", tag = "users", params(("id" = String, Path)), request_body = NewGrant,
    responses((status = 200, body = UserOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn grant_role(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<NewGrant>,
) -> ApiResult<Json<UserOut>> {
    let service = field_code(&body.service, "service")?;
    let role = field_code(&body.role, "role")?;
    Ok(Json(app.grant_role(&actor, path_id(&id, "user")?, &service, &role).await?.into()))
}
