//! The work recorded on a case: notes and addenda, tasks, decisions.

use super::referrals::FormIn;
use super::views::{AlertOut, DeadlineOut, DecisionOut, NoteOut, ObjectiveOut, Page, PlanOut, ReviewOut, SubmissionOut, TaskOut};
use super::{Paging, field_code, field_id, path_id};
use crate::extract::{CurrentActor, IdempotencyKey, JsonBody};
use crate::problem::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use casework_app::App;
use casework_app::tasks::TaskCommand;
use casework_domain::ids::{CaseId, NoteId, TaskId};
use casework_domain::note::NoteKind;
use casework_domain::task::Assignee;
use casework_domain::text::{LongText, ShortText};
use casework_domain::{FieldError, Invalid};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn long_text(raw: &str, field: &str) -> ApiResult<LongText> {
    LongText::parse(raw).map_err(|e| ApiError::invalid(e.within(field).into()))
}

fn date(raw: Option<&str>, field: &str) -> ApiResult<Option<jiff::civil::Date>> {
    raw.map(|d| d.parse().map_err(|_| ApiError::field(field, "must be a date written as YYYY-MM-DD"))).transpose()
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteIn {
    /// contact, phone, email, meeting, supervision or analysis.
    pub kind: String,
    pub body: String,
    /// When the contact happened (RFC 3339); now if absent. A note recorded on a later day
    /// is marked as a late entry.
    pub contact_at: Option<String>,
}

/// Writes a note. Notes are never changed afterwards: correct them with an addendum.
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", tag = "notes", params(("id" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key returns the same note")),
    request_body = NoteIn,
    responses((status = 201, body = NoteOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn add_note(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    key: IdempotencyKey,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<NoteIn>,
) -> ApiResult<(StatusCode, Json<NoteOut>)> {
    let case: CaseId = path_id(&id, "case")?;
    let mut invalid = Invalid::new();
    let kind = invalid.check(
        "kind",
        serde_json::from_value::<NoteKind>(serde_json::Value::String(body.kind.clone()))
            .map_err(|_| FieldError::new("", "use contact, phone, email, meeting, supervision or analysis")),
    );
    let text = invalid.check("body", LongText::parse(&body.body));
    let contact_at = match &body.contact_at {
        None => Some(None),
        Some(raw) => invalid
            .check(
                "contact_at",
                raw.parse::<jiff::Timestamp>()
                    .map_err(|_| FieldError::new("", "must be an RFC 3339 instant such as 2026-11-26T09:30:00Z")),
            )
            .map(Some),
    };
    let (Some(kind), Some(text), Some(contact_at)) = (kind, text, contact_at) else { return Err(ApiError::invalid(invalid)) };
    let note = app.add_note(&actor, case, kind, text, contact_at, key.with(&body).as_ref()).await?;
    Ok((StatusCode::CREATED, Json(note.into())))
}

/// The case's notes and addenda, newest first. Reading them is logged.
#[utoipa::path(get, path = "/api/v1/cases/{id}/notes", tag = "notes", params(("id" = String, Path), Paging),
    responses((status = 200, body = Page<NoteOut>), (status = 404, body = crate::problem::Problem)))]
pub async fn list_notes(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    Query(paging): Query<Paging>,
) -> ApiResult<Json<Page<NoteOut>>> {
    let rows = app.case_notes(&actor, path_id(&id, "case")?, paging.position()?, paging.fetch()).await?;
    Ok(Json(paging.page(rows, |n| n.id.to_string(), NoteOut::from)))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddendumIn {
    pub body: String,
}

/// Adds an addendum to a note: the way to correct or complete it.
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes/{note}/addenda", tag = "notes", params(("id" = String, Path), ("note" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key returns the same addendum")),
    request_body = AddendumIn,
    responses((status = 201, body = NoteOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn add_addendum(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    key: IdempotencyKey,
    Path((id, note)): Path<(String, String)>,
    JsonBody(body): JsonBody<AddendumIn>,
) -> ApiResult<(StatusCode, Json<NoteOut>)> {
    let case: CaseId = path_id(&id, "case")?;
    let note: NoteId = path_id(&note, "note")?;
    let text = long_text(&body.body, "body")?;
    let addendum = app.add_addendum(&actor, case, note, text, key.with(&body).as_ref()).await?;
    Ok((StatusCode::CREATED, Json(addendum.into())))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssigneeIn {
    /// user, role or queue.
    #[serde(rename = "type")]
    pub kind: String,
    /// A user id, or a role or queue code of the service.
    pub id: String,
}

impl AssigneeIn {
    fn parse(&self, field: &str) -> Result<Assignee, FieldError> {
        let bad = |message: &str| FieldError::new(field, message);
        match self.kind.as_str() {
            "user" => self.id.parse().map(Assignee::User).map_err(|_| bad("is not a valid user id")),
            "role" => casework_domain::text::Code::parse(&self.id).map(Assignee::Role).map_err(|e| e.within(field)),
            "queue" => casework_domain::text::Code::parse(&self.id).map(Assignee::Queue).map_err(|e| e.within(field)),
            _ => Err(bad("type must be user, role or queue")),
        }
    }
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskIn {
    pub title: String,
    pub assignee: AssigneeIn,
    /// YYYY-MM-DD.
    pub due_on: Option<String>,
}

/// Creates a task on the case for a user, a role or a queue.
#[utoipa::path(post, path = "/api/v1/cases/{id}/tasks", tag = "tasks", params(("id" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key returns the same task")),
    request_body = TaskIn,
    responses((status = 201, body = TaskOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn create_task(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    key: IdempotencyKey,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<TaskIn>,
) -> ApiResult<(StatusCode, Json<TaskOut>)> {
    let case: CaseId = path_id(&id, "case")?;
    let mut invalid = Invalid::new();
    let title = invalid.check("title", ShortText::parse(&body.title));
    let assignee = invalid.check("assignee", body.assignee.parse(""));
    let due_on = invalid.check(
        "due_on",
        date(body.due_on.as_deref(), "").map_err(|_| FieldError::new("", "must be a date written as YYYY-MM-DD")),
    );
    let (Some(title), Some(assignee), Some(due_on)) = (title, assignee, due_on) else { return Err(ApiError::invalid(invalid)) };
    let task = app.create_task(&actor, case, title, assignee, due_on, key.with(&body).as_ref()).await?;
    Ok((StatusCode::CREATED, Json(task.into())))
}

/// The case's tasks, oldest first, with who completed or cancelled each and why.
#[utoipa::path(get, path = "/api/v1/cases/{id}/tasks", tag = "tasks", params(("id" = String, Path), Paging),
    responses((status = 200, body = Page<TaskOut>), (status = 404, body = crate::problem::Problem)))]
pub async fn list_tasks(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    Query(paging): Query<Paging>,
) -> ApiResult<Json<Page<TaskOut>>> {
    let rows = app.case_tasks(&actor, path_id(&id, "case")?, paging.position()?, paging.fetch()).await?;
    Ok(Json(paging.page(rows, |t| t.id.to_string(), TaskOut::from)))
}

fn task_ids(id: &str, task: &str) -> ApiResult<(CaseId, TaskId)> {
    Ok((path_id(id, "case")?, path_id(task, "task")?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletionIn {
    /// The task version this change is based on.
    pub version: i64,
    pub outcome: Option<String>,
}

/// Completes an open task.
#[utoipa::path(post, path = "/api/v1/cases/{id}/tasks/{task}/completion", tag = "tasks", params(("id" = String, Path), ("task" = String, Path)), request_body = CompletionIn,
    responses((status = 200, body = TaskOut), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn complete_task(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((id, task)): Path<(String, String)>,
    JsonBody(body): JsonBody<CompletionIn>,
) -> ApiResult<Json<TaskOut>> {
    let (case, task) = task_ids(&id, &task)?;
    let outcome = body.outcome.as_deref().map(|o| long_text(o, "outcome")).transpose()?;
    Ok(Json(app.change_task(&actor, case, task, body.version, TaskCommand::Complete { outcome }).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancellationIn {
    pub version: i64,
    /// Why the work is no longer needed.
    pub reason: String,
}

/// Cancels an open task with a reason. A cancelled task is never shown as completed.
#[utoipa::path(post, path = "/api/v1/cases/{id}/tasks/{task}/cancellation", tag = "tasks", params(("id" = String, Path), ("task" = String, Path)), request_body = CancellationIn,
    responses((status = 200, body = TaskOut), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn cancel_task(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((id, task)): Path<(String, String)>,
    JsonBody(body): JsonBody<CancellationIn>,
) -> ApiResult<Json<TaskOut>> {
    let (case, task) = task_ids(&id, &task)?;
    let reason = ShortText::parse(&body.reason).map_err(|e| ApiError::invalid(e.within("reason").into()))?;
    Ok(Json(app.change_task(&actor, case, task, body.version, TaskCommand::Cancel { reason }).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignmentIn {
    pub version: i64,
    pub assignee: AssigneeIn,
    pub due_on: Option<String>,
}

/// Gives an open task to someone else; it stays open.
#[utoipa::path(post, path = "/api/v1/cases/{id}/tasks/{task}/reassignment", tag = "tasks", params(("id" = String, Path), ("task" = String, Path)), request_body = ReassignmentIn,
    responses((status = 200, body = TaskOut), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn reassign_task(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((id, task)): Path<(String, String)>,
    JsonBody(body): JsonBody<ReassignmentIn>,
) -> ApiResult<Json<TaskOut>> {
    let (case, task) = task_ids(&id, &task)?;
    let to = body.assignee.parse("assignee").map_err(|e| ApiError::invalid(e.into()))?;
    let due_on = date(body.due_on.as_deref(), "due_on")?;
    Ok(Json(app.change_task(&actor, case, task, body.version, TaskCommand::Reassign { to, due_on }).await?.into()))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    /// A decision outcome of the service.
    pub outcome: String,
    /// The organisation the decision is about, where several bodies are involved.
    pub body: Option<String>,
    /// The reason list (one per deciding body kind) and the reason chosen from it.
    pub reason_list: String,
    pub reason: String,
    pub rationale: Option<String>,
}

/// Records a decision with its reason.
#[utoipa::path(post, path = "/api/v1/cases/{id}/decisions", tag = "decisions", params(("id" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key returns the same decision")),
    request_body = DecisionIn,
    responses((status = 201, body = DecisionOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn record_decision(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    key: IdempotencyKey,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<DecisionIn>,
) -> ApiResult<(StatusCode, Json<DecisionOut>)> {
    let case: CaseId = path_id(&id, "case")?;
    let outcome = field_code(&body.outcome, "outcome")?;
    let organisation = field_id(body.body.as_deref(), "body")?;
    let reason_list = field_code(&body.reason_list, "reason_list")?;
    let reason = field_code(&body.reason, "reason")?;
    let rationale = body.rationale.as_deref().map(|r| long_text(r, "rationale")).transpose()?;
    let decision = app
        .record_decision(&actor, case, outcome, organisation, reason_list, reason, rationale, key.with(&body).as_ref())
        .await?;
    Ok((StatusCode::CREATED, Json(decision.into())))
}

/// The case's decisions, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/decisions", tag = "decisions", params(("id" = String, Path), Paging),
    responses((status = 200, body = Page<DecisionOut>), (status = 404, body = crate::problem::Problem)))]
pub async fn list_decisions(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    Query(paging): Query<Paging>,
) -> ApiResult<Json<Page<DecisionOut>>> {
    let rows = app.case_decisions(&actor, path_id(&id, "case")?, paging.position()?, paging.fetch()).await?;
    Ok(Json(paging.page(rows, |d| d.id.to_string(), DecisionOut::from)))
}

/// Records a form filled in on the case (an assessment, a screening). Scored forms come back
/// with their total and band. Forms are never changed: filling one in again adds a new one.
#[utoipa::path(post, path = "/api/v1/cases/{id}/forms", tag = "forms", params(("id" = String, Path)), request_body = FormIn,
    responses((status = 201, body = SubmissionOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 422, body = crate::problem::Problem)))]
pub async fn submit_form(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<FormIn>,
) -> ApiResult<(StatusCode, Json<SubmissionOut>)> {
    let case: CaseId = path_id(&id, "case")?;
    let mut invalid = Invalid::new();
    let entry = body.parse(&mut invalid, "");
    let Some(entry) = entry.filter(|_| invalid.is_empty()) else { return Err(ApiError::invalid(invalid)) };
    Ok((StatusCode::CREATED, Json(app.submit_case_form(&actor, case, entry).await?.into())))
}

/// The forms filled in on the case, newest first. Reading them is logged.
#[utoipa::path(get, path = "/api/v1/cases/{id}/forms", tag = "forms", params(("id" = String, Path), Paging),
    responses((status = 200, body = Page<SubmissionOut>), (status = 404, body = crate::problem::Problem)))]
pub async fn list_forms(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    Query(paging): Query<Paging>,
) -> ApiResult<Json<Page<SubmissionOut>>> {
    let rows = app.case_forms(&actor, path_id(&id, "case")?, paging.position()?, paging.fetch()).await?;
    Ok(Json(paging.page(rows, |s| s.id.to_string(), SubmissionOut::from)))
}

/// The case's deadlines: every run of every timer of its service, with the time left.
#[utoipa::path(get, path = "/api/v1/cases/{id}/deadlines", tag = "deadlines", params(("id" = String, Path)),
    responses((status = 200, body = Vec<DeadlineOut>), (status = 404, body = crate::problem::Problem)))]
pub async fn list_deadlines(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<DeadlineOut>>> {
    Ok(Json(app.case_deadlines(&actor, path_id(&id, "case")?).await?.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionIn {
    /// How much more time: { "working_days": 5 }, { "calendar_days": 3 } or { "hours": 24 }.
    #[schema(value_type = Object)]
    pub by: casework_domain::timer::Target,
    /// Why (e.g. "complainant asked for time to send documents").
    pub reason: String,
}

/// Gives a deadline more time, with a reason. A breached deadline cannot be extended.
#[utoipa::path(post, path = "/api/v1/cases/{id}/deadlines/{deadline}/extension", tag = "deadlines",
    params(("id" = String, Path), ("deadline" = String, Path)), request_body = ExtensionIn,
    responses((status = 200, body = DeadlineOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 422, body = crate::problem::Problem)))]
pub async fn extend_deadline(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((id, deadline)): Path<(String, String)>,
    JsonBody(body): JsonBody<ExtensionIn>,
) -> ApiResult<Json<DeadlineOut>> {
    let case: CaseId = path_id(&id, "case")?;
    let deadline = path_id(&deadline, "deadline")?;
    let reason = ShortText::parse(&body.reason).map_err(|e| ApiError::invalid(e.within("reason").into()))?;
    Ok(Json(app.extend_deadline(&actor, case, deadline, body.by, reason).await?.into()))
}

/// The signed-in user's alerts and reminders (to them, or to a role they hold) that have
/// fired and wait for acknowledgement, newest first, on cases they may see.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", params(Paging), responses((status = 200, body = Page<AlertOut>)))]
pub async fn my_alerts(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Query(paging): Query<Paging>,
) -> ApiResult<Json<Page<AlertOut>>> {
    let rows = app.my_alerts(&actor, paging.position()?, paging.fetch()).await?;
    Ok(Json(paging.page(rows, |a| a.id.to_string(), AlertOut::from)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgementIn {
    /// What was done about it; kept as a note on the case.
    pub note: String,
}

/// Acknowledges an alert with a note on its case.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/acknowledgement", tag = "alerts", params(("id" = String, Path)), request_body = AcknowledgementIn,
    responses((status = 200, body = AlertOut), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem),
              (status = 422, body = crate::problem::Problem)))]
pub async fn acknowledge_alert(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<AcknowledgementIn>,
) -> ApiResult<Json<AlertOut>> {
    let note = long_text(&body.note, "note")?;
    Ok(Json(app.acknowledge_alert(&actor, path_id(&id, "alert")?, note).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderIn {
    /// A user who can see the case, or a role of the service.
    pub to: AssigneeIn,
    /// The day it is for, YYYY-MM-DD.
    pub on: String,
    pub message: String,
}

/// Sets a reminder about the case for a day (a review date, a request for review).
#[utoipa::path(post, path = "/api/v1/cases/{id}/reminders", tag = "alerts", params(("id" = String, Path)), request_body = ReminderIn,
    responses((status = 201, body = AlertOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 422, body = crate::problem::Problem)))]
pub async fn set_reminder(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReminderIn>,
) -> ApiResult<(StatusCode, Json<AlertOut>)> {
    let case: CaseId = path_id(&id, "case")?;
    let mut invalid = Invalid::new();
    let to = invalid.check("to", body.to.parse(""));
    let on = invalid.check(
        "on",
        body.on.parse::<jiff::civil::Date>().map_err(|_| FieldError::new("", "must be a date written as YYYY-MM-DD")),
    );
    let message = invalid.check("message", ShortText::parse(&body.message));
    let (Some(to), Some(on), Some(message)) = (to, on, message) else { return Err(ApiError::invalid(invalid)) };
    Ok((StatusCode::CREATED, Json(app.set_reminder(&actor, case, to, on, message).await?.into())))
}

/// Every alert and reminder of the case, acknowledged or not, newest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/alerts", tag = "alerts", params(("id" = String, Path)),
    responses((status = 200, body = Vec<AlertOut>), (status = 404, body = crate::problem::Problem)))]
pub async fn case_alerts(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<AlertOut>>> {
    Ok(Json(app.case_alerts(&actor, path_id(&id, "case")?).await?.into_iter().map(Into::into).collect()))
}

/// The case's care plan: objectives, reviews and when the next review is due.
#[utoipa::path(get, path = "/api/v1/cases/{id}/plan", tag = "plans", params(("id" = String, Path)),
    responses((status = 200, body = PlanOut), (status = 404, body = crate::problem::Problem)))]
pub async fn get_plan(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<PlanOut>> {
    Ok(Json(app.plan(&actor, path_id(&id, "case")?).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveIn {
    /// What is to be achieved (specific).
    pub description: String,
    /// How progress is measured.
    pub measure: String,
    /// By when, YYYY-MM-DD.
    pub target_date: String,
}

/// Adds a SMART objective to the case's plan; the first one starts the plan's review cycle.
#[utoipa::path(post, path = "/api/v1/cases/{id}/plan/objectives", tag = "plans", params(("id" = String, Path)), request_body = ObjectiveIn,
    responses((status = 201, body = ObjectiveOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 422, body = crate::problem::Problem)))]
pub async fn add_objective(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ObjectiveIn>,
) -> ApiResult<(StatusCode, Json<ObjectiveOut>)> {
    let objective = app.add_objective(&actor, path_id(&id, "case")?, &body.description, &body.measure, &body.target_date).await?;
    Ok((StatusCode::CREATED, Json(objective.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeIn {
    pub objective: String,
    /// achieved, progressing, not-achieved or dropped.
    pub outcome: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIn {
    pub summary: String,
    /// An outcome for every open objective.
    pub outcomes: Vec<OutcomeIn>,
}

/// Records a review of the plan; the next review date follows the case's current tier.
#[utoipa::path(post, path = "/api/v1/cases/{id}/plan/reviews", tag = "plans", params(("id" = String, Path)), request_body = ReviewIn,
    responses((status = 201, body = ReviewOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 422, body = crate::problem::Problem)))]
pub async fn review_plan(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReviewIn>,
) -> ApiResult<(StatusCode, Json<ReviewOut>)> {
    let case: CaseId = path_id(&id, "case")?;
    let mut invalid = Invalid::new();
    let summary = invalid.check("summary", LongText::parse(&body.summary));
    let mut outcomes = Vec::new();
    for (i, outcome) in body.outcomes.iter().enumerate() {
        let objective = invalid.check(
            &format!("outcomes/{i}/objective"),
            outcome.objective.parse().map_err(|_| FieldError::new("", "is not a valid id")),
        );
        let result = invalid.check(
            &format!("outcomes/{i}/outcome"),
            serde_json::from_value::<casework_domain::plan::ReviewOutcome>(serde_json::Value::String(outcome.outcome.clone()))
                .map_err(|_| FieldError::new("", "use achieved, progressing, not-achieved or dropped")),
        );
        if let (Some(objective), Some(result)) = (objective, result) {
            outcomes.push((objective, result));
        }
    }
    let Some(summary) = summary.filter(|_| invalid.is_empty()) else { return Err(ApiError::invalid(invalid)) };
    Ok((StatusCode::CREATED, Json(app.review_plan(&actor, case, summary, outcomes).await?.into())))
}
