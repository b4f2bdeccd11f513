//! Retention: legal holds on a case, a service's disposal review and approvals, and the
//! records destruction leaves.

use super::{field_code, path_id};
use crate::extract::{CurrentActor, IdempotencyKey, JsonBody};
use crate::problem::ApiResult;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use casework_app::App;
use casework_app::retention::DestructionRecord;
use casework_app::retention::{DisposalReview, DuePaper};
use casework_domain::ids::{CaseId, DocumentId, LegalHoldId};
use casework_domain::retention::{LegalHold, RetentionRule};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldIn {
    /// Why the case must be kept: the claim, inquiry or complaint.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LiftingOut {
    pub by: String,
    pub at: String,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HoldOut {
    pub id: String,
    pub case: String,
    pub reason: String,
    pub placed_by: String,
    pub placed_at: String,
    /// Whether it still stops the case being destroyed.
    pub stands: bool,
    pub lifted: Option<LiftingOut>,
}

impl From<LegalHold> for HoldOut {
    fn from(hold: LegalHold) -> Self {
        HoldOut {
            id: hold.id.to_string(),
            case: hold.case.to_string(),
            reason: hold.reason.to_string(),
            placed_by: hold.placed_by.to_string(),
            placed_at: hold.placed_at.to_string(),
            stands: hold.stands(),
            lifted: hold.lifted.map(|l| LiftingOut { by: l.by.to_string(), at: l.at.to_string(), reason: l.reason.to_string() }),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HoldsOut {
    pub items: Vec<HoldOut>,
}

/// A case's legal holds, lifted ones included. Reading them is logged.
#[utoipa::path(get, path = "/api/v1/cases/{id}/legal-holds", tag = "retention", params(("id" = String, Path)),
    responses((status = 200, body = HoldsOut), (status = 404, body = crate::problem::Problem)))]
pub async fn list_holds(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<HoldsOut>> {
    let case: CaseId = path_id(&id, "case")?;
    let holds = app.legal_holds(&actor, case).await?;
    Ok(Json(HoldsOut { items: holds.into_iter().map(HoldOut::from).collect() }))
}

/// Places a legal hold: the case is not destroyed while it stands (`records.dispose`).
#[utoipa::path(post, path = "/api/v1/cases/{id}/legal-holds", tag = "retention", params(("id" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key returns the same hold")),
    request_body = HoldIn,
    responses((status = 201, body = HoldOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn place_hold(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    key: IdempotencyKey,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<HoldIn>,
) -> ApiResult<(StatusCode, Json<HoldOut>)> {
    let case: CaseId = path_id(&id, "case")?;
    let hold = app.place_legal_hold(&actor, case, &body.reason, key.with(&body).as_ref()).await?;
    Ok((StatusCode::CREATED, Json(hold.into())))
}

/// Lifts a legal hold, with the reason it no longer applies.
#[utoipa::path(post, path = "/api/v1/cases/{id}/legal-holds/{hold}/lifting", tag = "retention",
    params(("id" = String, Path), ("hold" = String, Path)), request_body = HoldIn,
    responses((status = 200, body = HoldOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn lift_hold(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((id, hold)): Path<(String, String)>,
    JsonBody(body): JsonBody<HoldIn>,
) -> ApiResult<Json<HoldOut>> {
    let case: CaseId = path_id(&id, "case")?;
    let hold: LegalHoldId = path_id(&hold, "legal hold")?;
    Ok(Json(app.lift_legal_hold(&actor, case, hold, &body.reason).await?.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleOut {
    /// How long closed cases are kept: "75 years".
    pub keep: String,
    pub until_age: Option<u8>,
    pub basis: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DueCaseOut {
    pub id: String,
    pub reference: String,
    pub person_name: String,
    pub closed_on: String,
    /// The first day the case was due for disposal.
    pub due_on: String,
    pub on_hold: bool,
    pub approved: bool,
}

/// A paper original whose scan has been kept past the service's period.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuePaperOut {
    pub document: String,
    pub case: String,
    pub reference: String,
    pub title: String,
    /// Where the original is kept.
    pub location: String,
    pub received_on: String,
    pub scanned_on: String,
    /// The first day the original could be destroyed.
    pub due_on: String,
    pub on_hold: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisposalReviewOut {
    /// The service's rule for closed cases; absent when it keeps them for good.
    pub rule: Option<RuleOut>,
    pub today: String,
    pub items: Vec<DueCaseOut>,
    /// The service's rule for paper originals once scanned; absent when it keeps them.
    pub scanned_paper_rule: Option<RuleOut>,
    /// Paper originals due for destruction, oldest scan first.
    pub paper_originals: Vec<DuePaperOut>,
}

fn rule_out(rule: RetentionRule) -> RuleOut {
    RuleOut { keep: rule.keep.describe(), until_age: rule.until_age, basis: rule.basis }
}

impl From<DisposalReview> for DisposalReviewOut {
    fn from(review: DisposalReview) -> Self {
        DisposalReviewOut {
            rule: review.rule.map(rule_out),
            today: review.today.to_string(),
            items: review
                .cases
                .into_iter()
                .map(|(case, due_on)| DueCaseOut {
                    id: case.id.to_string(),
                    reference: case.reference,
                    person_name: case.person_name,
                    closed_on: casework_domain::time::day_of(case.closed_at).to_string(),
                    due_on: due_on.to_string(),
                    on_hold: case.on_hold,
                    approved: case.approved,
                })
                .collect(),
            scanned_paper_rule: review.paper_rule.map(rule_out),
            paper_originals: review.paper.into_iter().map(|(paper, due_on)| due_paper_out(paper, due_on)).collect(),
        }
    }
}

fn due_paper_out(paper: DuePaper, due_on: jiff::civil::Date) -> DuePaperOut {
    DuePaperOut {
        document: paper.document.to_string(),
        case: paper.case.to_string(),
        reference: paper.reference,
        title: paper.title,
        location: paper.location,
        received_on: paper.received_on.to_string(),
        scanned_on: casework_domain::time::day_of(paper.scanned_at).to_string(),
        due_on: due_on.to_string(),
        on_hold: paper.on_hold,
    }
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaperDestructionIn {
    /// The paper document on the review list.
    pub document: String,
    /// The day it was destroyed: on or after its due day, not in the future.
    pub destroyed_on: String,
    /// How: "confidential shredding", "returned to the sender".
    pub method: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaperDestructionOut {
    pub document: String,
    pub reference: String,
}

/// Records that a paper original on the review list was destroyed (`records.dispose`).
/// Refused while its case is under a legal hold, before its due day, or in the future.
#[utoipa::path(post, path = "/api/v1/services/{code}/paper-destructions", tag = "retention",
    params(("code" = String, Path)), request_body = PaperDestructionIn,
    responses((status = 201, body = PaperDestructionOut), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn record_paper_destruction(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    JsonBody(body): JsonBody<PaperDestructionIn>,
) -> ApiResult<(StatusCode, Json<PaperDestructionOut>)> {
    let service = field_code(&code, "service")?;
    let document: DocumentId = body
        .document
        .parse()
        .map_err(|_| casework_app::AppError::from(casework_domain::FieldError::new("document", "not a document id")))?;
    let due = app.record_paper_destroyed(&actor, &service, document, &body.destroyed_on, &body.method).await?;
    Ok((StatusCode::CREATED, Json(PaperDestructionOut { document: due.document.to_string(), reference: due.reference })))
}

/// The service's closed cases past their retention (`records.dispose`), oldest first.
#[utoipa::path(get, path = "/api/v1/services/{code}/disposal-review", tag = "retention", params(("code" = String, Path)),
    responses((status = 200, body = DisposalReviewOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn disposal_review(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
) -> ApiResult<Json<DisposalReviewOut>> {
    let service = field_code(&code, "service")?;
    Ok(Json(app.disposal_review(&actor, &service, 500).await?.into()))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalIn {
    /// The ids of cases on the review list to destroy.
    pub cases: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalOut {
    pub approved: usize,
}

/// Approves cases from the review list for destruction, all or none. The destruction job
/// destroys them, checking each again first.
#[utoipa::path(post, path = "/api/v1/services/{code}/disposal-review/approvals", tag = "retention",
    params(("code" = String, Path)), request_body = ApprovalIn,
    responses((status = 200, body = ApprovalOut), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn approve(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    JsonBody(body): JsonBody<ApprovalIn>,
) -> ApiResult<Json<ApprovalOut>> {
    let service = field_code(&code, "service")?;
    let mut problems = casework_domain::Invalid::new();
    let mut cases = Vec::new();
    for (i, raw) in body.cases.iter().enumerate() {
        match raw.parse::<CaseId>() {
            Ok(id) => cases.push(id),
            Err(_) => problems.push(casework_domain::FieldError::new(format!("cases/{i}"), "not a case id")),
        }
    }
    if !problems.is_empty() {
        return Err(casework_app::AppError::from(problems).into());
    }
    Ok(Json(ApprovalOut { approved: app.approve_disposal(&actor, &service, &cases).await? }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DestructionOut {
    pub id: String,
    pub reference: String,
    pub record: String,
    pub kept_for: String,
    pub basis: String,
    pub closed_on: String,
    pub due_on: String,
    pub approved_by: String,
    pub approved_at: String,
    pub destroyed_at: String,
    pub history_events: i64,
    pub history_head: String,
    pub removed: BTreeMap<String, u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DestructionsOut {
    pub items: Vec<DestructionOut>,
}

impl From<DestructionRecord> for DestructionOut {
    fn from(r: DestructionRecord) -> Self {
        DestructionOut {
            id: r.id.to_string(),
            reference: r.reference,
            record: r.record,
            kept_for: r.kept_for,
            basis: r.basis,
            closed_on: r.closed_on.to_string(),
            due_on: r.due_on.to_string(),
            approved_by: r.approved_by.to_string(),
            approved_at: r.approved_at.to_string(),
            destroyed_at: r.destroyed_at.to_string(),
            history_events: r.history_events,
            history_head: r.history_head,
            removed: r.removed,
        }
    }
}

/// What the service has destroyed, newest first: what, when and under which rule.
#[utoipa::path(get, path = "/api/v1/services/{code}/destructions", tag = "retention", params(("code" = String, Path)),
    responses((status = 200, body = DestructionsOut), (status = 403, body = crate::problem::Problem)))]
pub async fn destructions(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
) -> ApiResult<Json<DestructionsOut>> {
    let service = field_code(&code, "service")?;
    let records = app.destructions(&actor, &service, 200).await?;
    Ok(Json(DestructionsOut { items: records.into_iter().map(DestructionOut::from).collect() }))
}
