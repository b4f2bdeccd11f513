//! Cases: opening, reading, work lists and the commands that change a case record. Every
//! command body carries the `version` of the case it was based on.

use super::people::PersonIn;
use super::referrals::{AllocationIn, ReferralDetails};
use super::views::{CaseOut, CaseRecordOut, CaseSummaryOut, EventOut, Page, ReferralOut, WorkListOut};
use super::{Paging, field_code, field_id, path_id};
use crate::extract::{CurrentActor, IdempotencyKey, JsonBody};
use crate::problem::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use casework_app::App;
use casework_app::cases::{CasePerson, CaseQuery, NewCase};
use casework_domain::case::LinkKind;
use casework_domain::ids::{CaseId, PersonId};
use casework_domain::text::LongText;
use casework_domain::{FieldError, Invalid};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCaseIn {
    /// The id of a person already recorded…
    pub person_id: Option<String>,
    /// …or the details of a new person (give one or the other).
    pub person: Option<PersonIn>,
    #[serde(flatten)]
    pub referral: ReferralDetails,
    pub level: Option<String>,
    pub worker: Option<String>,
    pub team: Option<String>,
}

/// Opens a case directly. The referral behind it is recorded as accepted, and a new person
/// is recorded too, all in one transaction.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCaseIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key returns the same case")),
    responses((status = 201, body = CaseRecordOut), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn open_case(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    key: IdempotencyKey,
    JsonBody(body): JsonBody<NewCaseIn>,
) -> ApiResult<(StatusCode, Json<CaseRecordOut>)> {
    let mut invalid = Invalid::new();
    let today = casework_domain::time::day_of(app.now());
    let person = match (&body.person_id, &body.person) {
        (Some(id), None) => invalid
            .check("person_id", id.parse::<PersonId>().map_err(|_| FieldError::new("", "is not a valid id")))
            .map(CasePerson::Existing),
        (None, Some(person)) => match person.parse(today) {
            Ok(person) => Some(CasePerson::New(person)),
            Err(errors) => {
                invalid.absorb("person", errors);
                None
            }
        },
        _ => {
            invalid.push(FieldError::new("person", "give either person_id or person"));
            None
        }
    };
    let referral = body.referral.parse(PersonId::default(), &mut invalid);
    let allocation =
        AllocationIn { level: body.level.clone(), worker: body.worker.clone(), team: body.team.clone() }.parse(&mut invalid);
    let (Some(person), Some(referral)) = (person, referral) else { return Err(ApiError::invalid(invalid)) };
    invalid.into_result().map_err(ApiError::invalid)?;
    let view = app.open_case(&actor, NewCase { person, referral, allocation }, key.with(&body).as_ref()).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseListQuery {
    pub service: Option<String>,
    /// open or closed.
    pub status: Option<String>,
    pub stage: Option<String>,
    pub level: Option<String>,
    /// Cases allocated to this user id.
    pub worker: Option<String>,
    pub team: Option<String>,
    /// Only cases with no worker.
    #[serde(default)]
    pub unallocated: bool,
    pub flag: Option<String>,
    pub person: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// A work list: the cases the caller may see that match every filter given, newest first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseListQuery),
    responses((status = 200, body = Page<CaseSummaryOut>), (status = 422, body = crate::problem::Problem)))]
pub async fn list_cases(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Query(q): Query<CaseListQuery>,
) -> ApiResult<Json<Page<CaseSummaryOut>>> {
    if let Some(status) = &q.status
        && status != "open"
        && status != "closed"
    {
        return Err(ApiError::field("status", "use open or closed"));
    }
    let paging = Paging { limit: q.limit, cursor: q.cursor.clone() };
    let query = CaseQuery {
        service: q.service.as_deref().map(|s| field_code(s, "service")).transpose()?,
        status: q.status.clone(),
        stages: q.stage.as_deref().map(|s| field_code(s, "stage")).transpose()?.into_iter().collect(),
        levels: q.level.as_deref().map(|s| field_code(s, "level")).transpose()?.into_iter().collect(),
        worker: field_id(q.worker.as_deref(), "worker")?,
        team: field_id(q.team.as_deref(), "team")?,
        unallocated: q.unallocated,
        flags: q.flag.as_deref().map(|s| field_code(s, "flag")).transpose()?.into_iter().collect(),
        without_flags: Vec::new(),
        key_date_between: None,
        review_due_by: None,
        person: field_id(q.person.as_deref(), "person")?,
        prefix: None,
        before: paging.position()?,
        order: None,
        offset: 0,
        limit: paging.fetch(),
    };
    let rows = app.list_cases(&actor, &query).await?;
    Ok(Json(paging.page(rows, |c| c.id.to_string(), CaseSummaryOut::from)))
}

/// A case record. Every view is written to the access log before the answer is sent. A
/// restricted case the caller may open only by break-glass answers 403 with the problem type
/// `/problems/break-glass-possible`.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = String, Path)),
    responses((status = 200, body = CaseRecordOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn get_case(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<CaseRecordOut>> {
    Ok(Json(app.get_case(&actor, path_id(&id, "case")?).await?.into()))
}

/// The referral the case was opened from, with its forms.
#[utoipa::path(get, path = "/api/v1/cases/{id}/referral", tag = "cases", params(("id" = String, Path)),
    responses((status = 200, body = ReferralOut), (status = 404, body = crate::problem::Problem)))]
pub async fn case_referral(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<ReferralOut>> {
    Ok(Json(super::referrals::referral_out(&app, app.case_referral(&actor, path_id(&id, "case")?).await?)))
}

fn case_id(raw: &str) -> ApiResult<CaseId> {
    path_id(raw, "case")
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationChange {
    /// The case version this change is based on.
    pub version: i64,
    /// The worker's user id; absent to leave the case without a worker.
    pub worker: Option<String>,
    pub team: Option<String>,
}

/// Allocates the case to a worker and team.
#[utoipa::path(post, path = "/api/v1/cases/{id}/allocation", tag = "cases", params(("id" = String, Path)), request_body = AllocationChange,
    responses((status = 200, body = CaseOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn allocate(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<AllocationChange>,
) -> ApiResult<Json<CaseOut>> {
    let worker = field_id(body.worker.as_deref(), "worker")?;
    let team = field_id(body.team.as_deref(), "team")?;
    Ok(Json(app.allocate_case(&actor, case_id(&id)?, body.version, worker, team).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageChange {
    pub version: i64,
    pub stage: String,
}

/// Moves the case to another stage, if the service allows that move.
#[utoipa::path(post, path = "/api/v1/cases/{id}/stage", tag = "cases", params(("id" = String, Path)), request_body = StageChange,
    responses((status = 200, body = CaseOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn change_stage(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<StageChange>,
) -> ApiResult<Json<CaseOut>> {
    let stage = field_code(&body.stage, "stage")?;
    Ok(Json(app.move_case_to_stage(&actor, case_id(&id)?, body.version, stage).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelChange {
    pub version: i64,
    /// The new level or risk tier; absent to clear it.
    pub level: Option<String>,
}

/// Sets the case's level or risk tier.
#[utoipa::path(post, path = "/api/v1/cases/{id}/level", tag = "cases", params(("id" = String, Path)), request_body = LevelChange,
    responses((status = 200, body = CaseOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn change_level(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<LevelChange>,
) -> ApiResult<Json<CaseOut>> {
    let level = body.level.as_deref().map(|l| field_code(l, "level")).transpose()?;
    Ok(Json(app.set_case_level(&actor, case_id(&id)?, body.version, level).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagChange {
    pub version: i64,
    pub flag: String,
}

/// Sets a flag on the case; who set it and when are kept.
#[utoipa::path(post, path = "/api/v1/cases/{id}/flags", tag = "cases", params(("id" = String, Path)), request_body = FlagChange,
    responses((status = 200, body = CaseOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn set_flag(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<FlagChange>,
) -> ApiResult<Json<CaseOut>> {
    let flag = field_code(&body.flag, "flag")?;
    Ok(Json(app.set_case_flag(&actor, case_id(&id)?, body.version, flag).await?.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// The case version this change is based on.
    pub version: i64,
}

/// Removes a flag from the case (the history keeps who set it).
#[utoipa::path(delete, path = "/api/v1/cases/{id}/flags/{flag}", tag = "cases", params(("id" = String, Path), ("flag" = String, Path), VersionQuery),
    responses((status = 200, body = CaseOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn remove_flag(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((id, flag)): Path<(String, String)>,
    Query(version): Query<VersionQuery>,
) -> ApiResult<Json<CaseOut>> {
    let flag = field_code(&flag, "flag")?;
    Ok(Json(app.remove_case_flag(&actor, case_id(&id)?, version.version, flag).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyDateChange {
    pub version: i64,
    pub key_date: String,
    /// YYYY-MM-DD; absent to clear it.
    pub date: Option<String>,
}

/// Sets or clears one of the case's key dates (release date, hearing date…).
#[utoipa::path(post, path = "/api/v1/cases/{id}/key-dates", tag = "cases", params(("id" = String, Path)), request_body = KeyDateChange,
    responses((status = 200, body = CaseOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn set_key_date(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<KeyDateChange>,
) -> ApiResult<Json<CaseOut>> {
    let key_date = field_code(&body.key_date, "key_date")?;
    let date = body
        .date
        .as_deref()
        .map(|d| d.parse().map_err(|_| ApiError::field("date", "must be a date written as YYYY-MM-DD")))
        .transpose()?;
    Ok(Json(app.set_case_key_date(&actor, case_id(&id)?, body.version, key_date, date).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkIn {
    pub version: i64,
    /// related, shadow-of or transferred-from.
    pub kind: String,
    /// The other case's id.
    pub case: String,
}

/// Links the case to another case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/links", tag = "cases", params(("id" = String, Path)), request_body = LinkIn,
    responses((status = 200, body = CaseOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn link(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<LinkIn>,
) -> ApiResult<Json<CaseOut>> {
    let kind: LinkKind = serde_json::from_value(serde_json::Value::String(body.kind.clone()))
        .map_err(|_| ApiError::field("kind", "use related, shadow-of or transferred-from"))?;
    let other = body.case.parse().map_err(|_| ApiError::field("case", "is not a valid id"))?;
    Ok(Json(app.link_case(&actor, case_id(&id)?, body.version, kind, other).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosureIn {
    pub version: i64,
    /// A closure reason of the service.
    pub reason: String,
}

/// Closes the case with a reason from the service's list.
#[utoipa::path(post, path = "/api/v1/cases/{id}/closure", tag = "cases", params(("id" = String, Path)), request_body = ClosureIn,
    responses((status = 200, body = CaseOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn close(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ClosureIn>,
) -> ApiResult<Json<CaseOut>> {
    let reason = field_code(&body.reason, "reason")?;
    Ok(Json(app.close_case(&actor, case_id(&id)?, body.version, reason).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopeningIn {
    pub version: i64,
    /// Why the case is reopened.
    pub reason: String,
}

/// Reopens a closed case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/reopening", tag = "cases", params(("id" = String, Path)), request_body = ReopeningIn,
    responses((status = 200, body = CaseOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn reopen(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReopeningIn>,
) -> ApiResult<Json<CaseOut>> {
    let why = LongText::parse(&body.reason).map_err(|e| ApiError::invalid(e.within("reason").into()))?;
    Ok(Json(app.reopen_case(&actor, case_id(&id)?, body.version, why).await?.into()))
}

/// The case's history, oldest first: who did what, when, with the state before and after.
#[utoipa::path(get, path = "/api/v1/cases/{id}/history", tag = "cases", params(("id" = String, Path), Paging),
    responses((status = 200, body = Page<EventOut>), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn history(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    Query(paging): Query<Paging>,
) -> ApiResult<Json<Page<EventOut>>> {
    let rows = app.case_history(&actor, case_id(&id)?, paging.position()?, paging.fetch()).await?;
    Ok(Json(paging.page(rows, |e| e.id.to_string(), EventOut::from)))
}

/// The work lists of every service in which the caller reads cases, with counts of the
/// cases the caller may see in each.
#[utoipa::path(get, path = "/api/v1/work-lists", tag = "cases", responses((status = 200, body = Vec<WorkListOut>)))]
pub async fn work_lists(State(app): State<App>, CurrentActor(actor): CurrentActor) -> ApiResult<Json<Vec<WorkListOut>>> {
    Ok(Json(app.work_lists(&actor).await?.into_iter().map(Into::into).collect()))
}

/// One work list: its cases that the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/work-lists/{service}/{list}", tag = "cases", params(("service" = String, Path), ("list" = String, Path), Paging),
    responses((status = 200, body = Page<CaseSummaryOut>), (status = 404, body = crate::problem::Problem)))]
pub async fn work_list(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((service, list)): Path<(String, String)>,
    Query(paging): Query<Paging>,
) -> ApiResult<Json<Page<CaseSummaryOut>>> {
    let not_found = |_| ApiError::not_found("work list");
    let service = casework_domain::text::Code::parse(&service).map_err(not_found)?;
    let list = casework_domain::text::Code::parse(&list).map_err(not_found)?;
    let rows = app.work_list(&actor, &service, &list, paging.position()?, paging.fetch()).await?;
    Ok(Json(paging.page(rows, |c| c.id.to_string(), CaseSummaryOut::from)))
}
