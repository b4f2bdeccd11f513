//! Referrals and their decisions.

use super::views::{AcceptedReferralOut, MeetingOut, Page, ReferralOut};
use super::{Paging, field_code, field_id, path_id};
use crate::extract::{CurrentActor, IdempotencyKey, JsonBody};
use crate::problem::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use casework_app::App;
use casework_app::cases::Allocation;
use casework_app::forms::FormEntry;
use casework_app::meetings::ItemDecision;
use casework_app::referrals::{Decision, NewReferral};
use casework_domain::ids::PersonId;
use casework_domain::referral::ReferralSource;
use casework_domain::text::{Code, LongText};
use casework_domain::{FieldError, Invalid};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormIn {
    /// The form's code in the service definition.
    pub form: String,
    /// The answers, as the form's fields define them.
    #[schema(value_type = Object)]
    pub answers: serde_json::Map<String, serde_json::Value>,
    /// Who completed it (a role code, or `subject`) when it was not the person entering it.
    pub completed_by: Option<String>,
}

impl FormIn {
    pub fn parse(&self, invalid: &mut Invalid, prefix: &str) -> Option<FormEntry> {
        let form = invalid.check(&format!("{prefix}form"), Code::parse(&self.form));
        let completed_by = match &self.completed_by {
            None => Some(None),
            Some(raw) => invalid.check(&format!("{prefix}completed_by"), Code::parse(raw)).map(Some),
        };
        Some(FormEntry { form: form?, answers: self.answers.clone(), completed_by: completed_by? })
    }
}

/// A referral as the API shows it, with what it still lacks to be valid.
pub fn referral_out(app: &App, referral: casework_domain::referral::Referral) -> ReferralOut {
    let validity = app.referral_validity(&referral);
    ReferralOut::from((referral, validity))
}

/// The parts of a referral common to recording one and opening a case directly.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct ReferralDetails {
    pub service: String,
    /// self-referral, staff, agency, form, email, phone or automatic.
    pub source: String,
    /// When it was received (RFC 3339); now if absent.
    pub received_at: Option<String>,
    /// What the referral asks for and why.
    pub summary: String,
    #[serde(default)]
    pub forms: Vec<FormIn>,
    /// The earlier, declined referral this one makes again.
    pub previous: Option<String>,
}

impl ReferralDetails {
    pub fn parse(&self, person: PersonId, invalid: &mut Invalid) -> Option<NewReferral> {
        let service = invalid.check("service", Code::parse(&self.service));
        let source = invalid.check("source", ReferralSource::parse(&self.source));
        let received_at = match &self.received_at {
            None => Some(None),
            Some(raw) => invalid
                .check(
                    "received_at",
                    raw.parse::<jiff::Timestamp>()
                        .map_err(|_| FieldError::new("", "must be an RFC 3339 instant such as 2026-11-26T09:30:00Z")),
                )
                .map(Some),
        };
        let summary = invalid.check("summary", LongText::parse(&self.summary));
        let mut forms = Vec::new();
        for (i, form) in self.forms.iter().enumerate() {
            if let Some(entry) = form.parse(invalid, &format!("forms/{i}/")) {
                forms.push(entry);
            }
        }
        let previous = match &self.previous {
            None => Some(None),
            Some(raw) => invalid.check("previous", raw.parse().map_err(|_| FieldError::new("", "is not a valid id"))).map(Some),
        };
        Some(NewReferral {
            service: service?,
            person,
            source: source?,
            received_at: received_at?,
            summary: summary?,
            forms,
            previous: previous?,
        })
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralIn {
    /// The person referred (record them first with POST /api/v1/people).
    pub person: String,
    #[serde(flatten)]
    pub details: ReferralDetails,
}

/// Records a referral for a service.
#[utoipa::path(post, path = "/api/v1/referrals", tag = "referrals", request_body = ReferralIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key returns the same referral")),
    responses((status = 201, body = ReferralOut), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn record_referral(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    key: IdempotencyKey,
    JsonBody(body): JsonBody<ReferralIn>,
) -> ApiResult<(StatusCode, Json<ReferralOut>)> {
    let mut invalid = Invalid::new();
    let person = invalid.check("person", body.person.parse::<PersonId>().map_err(|_| FieldError::new("", "is not a valid id")));
    let details = body.details.parse(person.unwrap_or_default(), &mut invalid);
    let new = match details {
        Some(new) if invalid.is_empty() => new,
        _ => return Err(ApiError::invalid(invalid)),
    };
    let referral = app.record_referral(&actor, new, key.with(&body).as_ref()).await?;
    Ok((StatusCode::CREATED, Json(referral_out(&app, referral))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    pub service: Option<String>,
    /// pending, accepted, rejected or kept-on-file.
    pub outcome: Option<String>,
    pub person: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Referrals the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/referrals", tag = "referrals", params(ReferralQuery),
    responses((status = 200, body = Page<ReferralOut>), (status = 422, body = crate::problem::Problem)))]
pub async fn list_referrals(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ReferralQuery>,
) -> ApiResult<Json<Page<ReferralOut>>> {
    let service = query.service.as_deref().map(|s| field_code(s, "service")).transpose()?;
    if let Some(outcome) = &query.outcome
        && !["pending", "accepted", "rejected", "kept-on-file"].contains(&outcome.as_str())
    {
        return Err(ApiError::field("outcome", "use pending, accepted, rejected or kept-on-file"));
    }
    let person = field_id(query.person.as_deref(), "person")?;
    let paging = Paging { limit: query.limit, cursor: query.cursor };
    let rows = app
        .list_referrals(&actor, service.as_ref(), query.outcome.as_deref(), person, paging.position()?, paging.fetch())
        .await?;
    Ok(Json(paging.page(rows, |r| r.id.to_string(), |r| referral_out(&app, r))))
}

/// One referral.
#[utoipa::path(get, path = "/api/v1/referrals/{id}", tag = "referrals", params(("id" = String, Path)),
    responses((status = 200, body = ReferralOut), (status = 404, body = crate::problem::Problem)))]
pub async fn get_referral(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<ReferralOut>> {
    Ok(Json(app.get_referral(&actor, path_id(&id, "referral")?).await?.into()))
}

/// Adds a form to a pending referral (e.g. Form 2 arriving after Form 1). The answer says
/// whether the referral is now valid, and what it still lacks if not.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/forms", tag = "referrals", params(("id" = String, Path)), request_body = FormIn,
    responses((status = 200, body = ReferralOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn add_form(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<FormIn>,
) -> ApiResult<Json<ReferralOut>> {
    let id = path_id(&id, "referral")?;
    let mut invalid = Invalid::new();
    let entry = body.parse(&mut invalid, "");
    let Some(entry) = entry.filter(|_| invalid.is_empty()) else { return Err(ApiError::invalid(invalid)) };
    let referral = app.add_referral_form(&actor, id, entry).await?;
    Ok(Json(referral_out(&app, referral)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationIn {
    pub level: Option<String>,
    pub worker: Option<String>,
    pub team: Option<String>,
}

impl AllocationIn {
    pub fn parse(&self, invalid: &mut Invalid) -> Allocation {
        let level = self.level.as_deref().and_then(|l| invalid.check("level", Code::parse(l)));
        let worker = self
            .worker
            .as_deref()
            .and_then(|w| invalid.check("worker", w.parse().map_err(|_| FieldError::new("", "is not a valid id"))));
        let team = self
            .team
            .as_deref()
            .and_then(|t| invalid.check("team", t.parse().map_err(|_| FieldError::new("", "is not a valid id"))));
        Allocation { level, worker, team }
    }
}

/// Accepts a pending referral: the case opens at once, with the level and allocation given.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/acceptance", tag = "referrals", params(("id" = String, Path)), request_body = AllocationIn,
    responses((status = 201, body = AcceptedReferralOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn accept_referral(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<AllocationIn>,
) -> ApiResult<(StatusCode, Json<AcceptedReferralOut>)> {
    let id = path_id(&id, "referral")?;
    let mut invalid = Invalid::new();
    let allocation = body.parse(&mut invalid);
    invalid.into_result().map_err(ApiError::invalid)?;
    let (referral, case) = app.decide_referral(&actor, id, Decision::Accept(allocation)).await?;
    Ok((StatusCode::CREATED, Json(AcceptedReferralOut { referral: referral_out(&app, referral), case: case.map(Into::into) })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectionIn {
    /// A rejection reason of the service.
    pub reason: String,
    pub explanation: Option<String>,
}

fn explanation(raw: Option<&str>) -> ApiResult<Option<LongText>> {
    raw.map(|e| LongText::parse(e).map_err(|e| ApiError::invalid(e.within("explanation").into()))).transpose()
}

/// Rejects a pending referral with a reason. The person can be referred again later.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/rejection", tag = "referrals", params(("id" = String, Path)), request_body = RejectionIn,
    responses((status = 200, body = ReferralOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn reject_referral(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<RejectionIn>,
) -> ApiResult<Json<ReferralOut>> {
    let id = path_id(&id, "referral")?;
    let decision =
        Decision::Reject { reason: field_code(&body.reason, "reason")?, explanation: explanation(body.explanation.as_deref())? };
    Ok(Json(referral_out(&app, app.decide_referral(&actor, id, decision).await?.0)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilingIn {
    pub explanation: Option<String>,
}

/// Keeps a pending referral on file with no further action.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/filing", tag = "referrals", params(("id" = String, Path)), request_body = FilingIn,
    responses((status = 200, body = ReferralOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem)))]
pub async fn file_referral(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<FilingIn>,
) -> ApiResult<Json<ReferralOut>> {
    let id = path_id(&id, "referral")?;
    let decision = Decision::KeepOnFile { explanation: explanation(body.explanation.as_deref())? };
    Ok(Json(referral_out(&app, app.decide_referral(&actor, id, decision).await?.0)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeetingIn {
    pub service: String,
    /// The meeting's code in the service definition, e.g. "triage".
    pub meeting: String,
    /// YYYY-MM-DD; today if absent.
    pub held_on: Option<String>,
}

/// Opens a meeting of a service with its agenda as it stands now (for the triage: the
/// valid pending referrals, oldest first). Only the role that chairs it may.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "meetings", request_body = NewMeetingIn,
    responses((status = 201, body = MeetingOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn hold_meeting(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    JsonBody(body): JsonBody<NewMeetingIn>,
) -> ApiResult<(StatusCode, Json<MeetingOut>)> {
    let service = field_code(&body.service, "service")?;
    let meeting = field_code(&body.meeting, "meeting")?;
    let held_on = match &body.held_on {
        Some(raw) => raw.parse().map_err(|_| ApiError::field("held_on", "must be a date written as YYYY-MM-DD"))?,
        None => casework_domain::time::day_of(app.now()),
    };
    Ok((StatusCode::CREATED, Json(app.hold_meeting(&actor, &service, &meeting, held_on).await?.into())))
}

/// A meeting, its agenda and the decisions taken so far.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings", params(("id" = String, Path)),
    responses((status = 200, body = MeetingOut), (status = 404, body = crate::problem::Problem)))]
pub async fn get_meeting(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<MeetingOut>> {
    Ok(Json(app.meeting(&actor, path_id(&id, "meeting")?).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemDecisionIn {
    /// accept, reject or file for a referral; discussed for a case.
    pub outcome: String,
    /// For accept: the level, worker and team of the new case.
    pub level: Option<String>,
    pub worker: Option<String>,
    pub team: Option<String>,
    /// For reject: a rejection reason of the service.
    pub reason: Option<String>,
    /// What the meeting said; kept with the item and, where there is a case, as a note on it.
    pub minute: String,
}

/// Records the meeting's decision on one agenda item and writes it back to the referral or case.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/items/{position}/decision", tag = "meetings",
    params(("id" = String, Path), ("position" = u32, Path)), request_body = ItemDecisionIn,
    responses((status = 200, body = MeetingOut), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem),
              (status = 422, body = crate::problem::Problem)))]
pub async fn decide_meeting_item(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((id, position)): Path<(String, String)>,
    JsonBody(body): JsonBody<ItemDecisionIn>,
) -> ApiResult<Json<MeetingOut>> {
    let id = path_id(&id, "meeting")?;
    let position: u32 = path_id(&position, "agenda item")?;
    let mut invalid = Invalid::new();
    let minute = invalid.check("minute", LongText::parse(&body.minute));
    let decision = match body.outcome.as_str() {
        "accept" => Some(ItemDecision::Referral(Decision::Accept(
            AllocationIn { level: body.level.clone(), worker: body.worker.clone(), team: body.team.clone() }.parse(&mut invalid),
        ))),
        "reject" => match &body.reason {
            Some(reason) => invalid
                .check("reason", Code::parse(reason))
                .map(|reason| ItemDecision::Referral(Decision::Reject { reason, explanation: minute.clone() })),
            None => {
                invalid.push(FieldError::new("reason", "a rejection needs a reason"));
                None
            }
        },
        "file" => Some(ItemDecision::Referral(Decision::KeepOnFile { explanation: minute.clone() })),
        "discussed" => Some(ItemDecision::Discussed),
        _ => {
            invalid.push(FieldError::new("outcome", "use accept, reject, file or discussed"));
            None
        }
    };
    let (Some(decision), Some(minute)) = (decision, minute) else { return Err(ApiError::invalid(invalid)) };
    invalid.into_result().map_err(ApiError::invalid)?;
    Ok(Json(app.decide_meeting_item(&actor, id, position, decision, minute).await?.into()))
}
