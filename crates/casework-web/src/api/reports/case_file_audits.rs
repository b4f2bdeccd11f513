//! Case-file audits: drawing rounds, auditing the cases drawn, and the results over time.

use super::{service_code, team_id};
use crate::api::{field_id, path_id};
use crate::extract::{CurrentActor, JsonBody};
use crate::problem::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use casework_app::App;
use casework_app::reports::{AuditDrill, AuditEntry, AuditReportView, DrawRequest, RoundView, SampleAuditView};
use casework_app::store::case_file_audits::{RoundSummary, SampledCase, StoredAudit};
use casework_domain::case_file_audit::{AuditTally, parse_result};
use casework_domain::ids::{AuditRoundId, CaseId};
use casework_domain::timeliness::Month;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What to draw: every worker's open cases of the service, or of one team.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawIn {
    /// Only the cases of this team's workers (a team id of the service).
    pub team: Option<String>,
    /// Cases per worker (1 to 50); the service's default when not given.
    pub sample_size: Option<u32>,
    /// The seed of the random draw, to repeat an earlier draw over the same cases; a random
    /// seed when not given. Every round records its seed.
    pub seed: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundSummaryOut {
    pub id: String,
    pub service: String,
    pub team: Option<String>,
    pub sample_size: u32,
    pub seed: u32,
    pub drawn_by: String,
    pub drawn_by_name: String,
    pub drawn_at: String,
}

impl From<&RoundSummary> for RoundSummaryOut {
    fn from(summary: &RoundSummary) -> Self {
        let round = &summary.round;
        RoundSummaryOut {
            id: round.id.to_string(),
            service: round.service.to_string(),
            team: round.team.map(|t| t.to_string()),
            sample_size: round.sample_size,
            seed: round.seed,
            drawn_by: round.drawn_by.to_string(),
            drawn_by_name: summary.drawn_by_name.clone(),
            drawn_at: round.drawn_at.to_string(),
        }
    }
}

/// A case drawn for audit and its audit as it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct SampledCaseOut {
    pub case: String,
    pub reference: String,
    pub person_name: String,
    /// The worker the case was with when drawn.
    pub worker: String,
    pub worker_name: String,
    pub team: Option<String>,
    /// `to-audit` or `audited`.
    pub status: String,
    /// The audit that counts (the latest), once audited.
    pub audit: Option<String>,
    pub grade: Option<String>,
    pub passed: Option<bool>,
}

impl From<&SampledCase> for SampledCaseOut {
    fn from(case: &SampledCase) -> Self {
        SampledCaseOut {
            case: case.sample.case.to_string(),
            reference: case.reference.clone(),
            person_name: case.person_name.clone(),
            worker: case.sample.worker.to_string(),
            worker_name: case.worker_name.clone(),
            team: case.sample.team.map(|t| t.to_string()),
            status: if case.audit.is_some() { "audited" } else { "to-audit" }.to_owned(),
            audit: case.audit.as_ref().map(|(id, _, _)| id.to_string()),
            grade: case.audit.as_ref().map(|(_, grade, _)| grade.clone()),
            passed: case.audit.as_ref().map(|(_, _, passed)| *passed),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundOut {
    #[serde(flatten)]
    pub round: RoundSummaryOut,
    /// The cases drawn that the caller may read, by reference.
    pub cases: Vec<SampledCaseOut>,
}

impl From<RoundView> for RoundOut {
    fn from(view: RoundView) -> Self {
        RoundOut { round: (&view.round).into(), cases: view.cases.iter().map(Into::into).collect() }
    }
}

/// A completed audit form.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditIn {
    /// The answers, as the service's audit form defines them.
    #[schema(value_type = Object)]
    pub answers: serde_json::Map<String, serde_json::Value>,
    /// For a correction: the id of the audit it corrects (the latest of the case in the round).
    pub corrects: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditOut {
    pub id: String,
    pub round: String,
    pub case: String,
    pub form: String,
    #[schema(value_type = Object)]
    pub answers: serde_json::Map<String, serde_json::Value>,
    pub grade: String,
    pub passed: bool,
    pub corrects: Option<String>,
    pub audited_by: String,
    pub audited_at: String,
}

impl From<&StoredAudit> for AuditOut {
    fn from(audit: &StoredAudit) -> Self {
        AuditOut {
            id: audit.id.to_string(),
            round: audit.round.to_string(),
            case: audit.case.to_string(),
            form: audit.form.to_string(),
            answers: audit.answers.clone(),
            grade: audit.grade.clone(),
            passed: audit.passed,
            corrects: audit.corrects.map(|c| c.to_string()),
            audited_by: audit.audited_by.to_string(),
            audited_at: audit.audited_at.to_string(),
        }
    }
}

/// A sampled case's audits so far, oldest first (the last one counts).
#[derive(Debug, Serialize, ToSchema)]
pub struct SampleAuditsOut {
    pub case: SampledCaseOut,
    /// The code of the service's audit form.
    pub form: String,
    pub audits: Vec<AuditOut>,
}

impl From<SampleAuditView> for SampleAuditsOut {
    fn from(view: SampleAuditView) -> Self {
        SampleAuditsOut {
            case: (&view.case).into(),
            form: view.form.code.to_string(),
            audits: view.audits.iter().map(Into::into).collect(),
        }
    }
}

fn round_id(raw: &str) -> ApiResult<AuditRoundId> {
    path_id(raw, "audit round")
}

/// Draws a round of case-file audits: up to the sample size of each worker's open cases,
/// at random, among the cases the caller may audit and read (a worker with fewer gives all
/// of them). Needs `audit.conduct` in the service.
#[utoipa::path(post, path = "/api/v1/services/{code}/case-file-audits/rounds", tag = "reports",
    params(("code" = String, Path, description = "The service's code")), request_body = DrawIn,
    responses((status = 201, body = RoundOut), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn draw_round(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    JsonBody(body): JsonBody<DrawIn>,
) -> ApiResult<(StatusCode, Json<RoundOut>)> {
    let service = service_code(&code)?;
    let request = DrawRequest { team: team_id(body.team.as_deref())?, sample_size: body.sample_size, seed: body.seed };
    Ok((StatusCode::CREATED, Json(app.draw_audit_round(&actor, &service, &request).await?.into())))
}

/// The service's rounds of case-file audits, newest first. Needs `audit.conduct` or
/// `reports.read` in the service.
#[utoipa::path(get, path = "/api/v1/services/{code}/case-file-audits/rounds", tag = "reports",
    params(("code" = String, Path, description = "The service's code")),
    responses((status = 200, body = Vec<RoundSummaryOut>), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem)))]
pub async fn list_rounds(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<RoundSummaryOut>>> {
    let service = service_code(&code)?;
    Ok(Json(app.audit_rounds(&actor, &service).await?.iter().map(Into::into).collect()))
}

/// A round and the cases drawn in it that the caller may read, each with its status.
/// Needs `audit.conduct` or `reports.read` in the service.
#[utoipa::path(get, path = "/api/v1/services/{code}/case-file-audits/rounds/{round}", tag = "reports",
    params(("code" = String, Path, description = "The service's code"), ("round" = String, Path)),
    responses((status = 200, body = RoundOut), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem)))]
pub async fn get_round(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((code, round)): Path<(String, String)>,
) -> ApiResult<Json<RoundOut>> {
    let service = service_code(&code)?;
    Ok(Json(app.audit_round(&actor, &service, round_id(&round)?).await?.into()))
}

/// A sampled case's audits, oldest first. Opening a case through its audit is a view of the
/// case, written to the access log. Needs `audit.conduct` or `reports.read` in the service.
#[utoipa::path(get, path = "/api/v1/services/{code}/case-file-audits/rounds/{round}/cases/{case}", tag = "reports",
    params(("code" = String, Path, description = "The service's code"), ("round" = String, Path), ("case" = String, Path)),
    responses((status = 200, body = SampleAuditsOut), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem)))]
pub async fn get_sampled_case(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((code, round, case)): Path<(String, String, String)>,
) -> ApiResult<Json<SampleAuditsOut>> {
    let service = service_code(&code)?;
    let case: CaseId = path_id(&case, "case")?;
    Ok(Json(app.open_sampled_case(&actor, &service, round_id(&round)?, case).await?.into()))
}

/// Records a completed audit of a sampled case. The answers are checked against the
/// service's audit form, each problem named by its answer (`answers/overall_grade`). An
/// audit is never changed: a case audited already takes only a correction naming the audit
/// it corrects (409 otherwise), which then counts in its place. Needs `audit.conduct`.
#[utoipa::path(post, path = "/api/v1/services/{code}/case-file-audits/rounds/{round}/cases/{case}", tag = "reports",
    params(("code" = String, Path, description = "The service's code"), ("round" = String, Path), ("case" = String, Path)),
    request_body = AuditIn,
    responses((status = 201, body = AuditOut), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn complete_audit(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((code, round, case)): Path<(String, String, String)>,
    JsonBody(body): JsonBody<AuditIn>,
) -> ApiResult<(StatusCode, Json<AuditOut>)> {
    let service = service_code(&code)?;
    let case: CaseId = path_id(&case, "case")?;
    let entry = AuditEntry { answers: body.answers, corrects: field_id(body.corrects.as_deref(), "corrects")? };
    let audit = app.complete_audit(&actor, &service, round_id(&round)?, case, &entry).await?;
    Ok((StatusCode::CREATED, Json((&audit).into())))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditReportParams {
    /// The first month, `YYYY-MM` (the three months up to this one when neither is given).
    pub from: Option<String>,
    /// The last month, `YYYY-MM`; at most 24 months after `from`.
    pub to: Option<String>,
    /// Only the cases that were with this team when drawn.
    pub team: Option<String>,
    /// List only the audited cases of this month of the period, `YYYY-MM`.
    pub month: Option<String>,
    /// List only the audited cases of this worker (a user id).
    pub worker: Option<String>,
    /// List only the audited cases that `passed` or `failed`.
    pub result: Option<String>,
}

/// Audits counted and passed, and the share passing.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditTallyOut {
    pub audited: u32,
    pub passed: u32,
    pub failed: u32,
    /// passed ÷ audited × 100, to one decimal place; absent when nothing was audited.
    pub passing_percent: Option<f64>,
}

impl From<&AuditTally> for AuditTallyOut {
    fn from(tally: &AuditTally) -> Self {
        AuditTallyOut {
            audited: tally.audited,
            passed: tally.passed,
            failed: tally.failed(),
            passing_percent: tally.passing_percent(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthAuditsOut {
    /// `YYYY-MM`.
    pub month: String,
    #[serde(flatten)]
    pub tally: AuditTallyOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupAuditsOut {
    /// The team or worker id; absent for cases with no team.
    pub id: Option<String>,
    pub name: String,
    #[serde(flatten)]
    pub tally: AuditTallyOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionOut {
    /// The field of the audit form.
    pub field: String,
    pub title: String,
    pub answered: u32,
    /// Answers that fell short (the service's poor answers, e.g. "no").
    pub poor: u32,
    pub poor_percent: Option<f64>,
}

/// An audited case behind the figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditedCaseOut {
    pub audit: String,
    pub round: String,
    pub case: String,
    pub reference: String,
    pub person_name: String,
    pub worker: String,
    pub worker_name: String,
    /// The month it counts in, `YYYY-MM`.
    pub month: String,
    pub grade: String,
    pub passed: bool,
    pub audited_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditReportOut {
    pub service: String,
    /// `YYYY-MM`.
    pub from: String,
    /// `YYYY-MM`.
    pub to: String,
    pub team: Option<String>,
    /// How audits are counted, in a sentence.
    pub rule: String,
    pub total: AuditTallyOut,
    /// Every month of the period, in order.
    pub months: Vec<MonthAuditsOut>,
    pub by_team: Vec<GroupAuditsOut>,
    pub by_worker: Vec<GroupAuditsOut>,
    pub questions: Vec<QuestionOut>,
    /// The audited cases behind the figures, narrowed by `month`, `worker` and `result`.
    pub cases: Vec<AuditedCaseOut>,
    /// The cases left out for carrying a flag the service excludes from statistics.
    pub excluded: Vec<super::ExclusionOut>,
}

/// How audits are counted, as the report states it.
pub const AUDIT_COUNTING_RULE: &str = "Each sampled case counts once, by its latest audit (a correction replaces the audit it \
corrects), in the month it was first audited, under the worker and team it was with when drawn. A case file passes when \
its overall grade is one of the service's pass grades.";

impl From<AuditReportView> for AuditReportOut {
    fn from(view: AuditReportView) -> Self {
        let report = &view.report;
        AuditReportOut {
            service: view.service.to_string(),
            from: report.period.from.to_string(),
            to: report.period.to.to_string(),
            team: view.team.map(|t| t.to_string()),
            rule: AUDIT_COUNTING_RULE.to_owned(),
            excluded: super::exclusions(&view.excluded),
            total: (&report.total).into(),
            months: report.months.iter().map(|(m, t)| MonthAuditsOut { month: m.to_string(), tally: t.into() }).collect(),
            by_team: report
                .by_team
                .iter()
                .map(|(id, t)| GroupAuditsOut { id: id.map(|i| i.to_string()), name: view.team_name(*id), tally: t.into() })
                .collect(),
            by_worker: report
                .by_worker
                .iter()
                .map(|(id, t)| GroupAuditsOut { id: Some(id.to_string()), name: view.worker_name(*id), tally: t.into() })
                .collect(),
            questions: report
                .questions
                .iter()
                .zip(&view.question_titles)
                .map(|(q, title)| QuestionOut {
                    field: q.field.clone(),
                    title: title.clone(),
                    answered: q.answered,
                    poor: q.poor,
                    poor_percent: q.poor_percent(),
                })
                .collect(),
            cases: view
                .audits
                .iter()
                .map(|a| AuditedCaseOut {
                    audit: a.fact.audit.to_string(),
                    round: a.fact.round.to_string(),
                    case: a.fact.case.to_string(),
                    reference: a.reference.clone(),
                    person_name: a.person_name.clone(),
                    worker: a.fact.worker.to_string(),
                    worker_name: a.worker_name.clone(),
                    month: a.fact.month.to_string(),
                    grade: view.rules.grade_of(&a.fact.answers).unwrap_or_default().to_owned(),
                    passed: a.fact.passed,
                    audited_at: a.audited_at.to_string(),
                })
                .collect(),
        }
    }
}

/// Reads which audited cases a reader asks to see listed.
pub fn audit_drill(month: Option<&str>, worker: Option<&str>, result: Option<&str>) -> ApiResult<AuditDrill> {
    fn given(text: Option<&str>) -> Option<&str> {
        text.map(str::trim).filter(|t| !t.is_empty())
    }
    let month = given(month)
        .map(|m| Month::parse(m).ok_or_else(|| ApiError::field("month", "must be a month written YYYY-MM")))
        .transpose()?;
    let worker = field_id(given(worker), "worker")?;
    let result = given(result).map(parse_result).transpose().map_err(ApiError::invalid)?;
    Ok(AuditDrill { month, worker, result })
}

/// The results of the service's case-file audits over a period: per month, team and worker,
/// audits completed, passed and failed and the share passing; per question the share of
/// answers that fell short; and the audited cases behind them. Counts only the cases the
/// caller may see. Needs `reports.read` in the service.
#[utoipa::path(get, path = "/api/v1/services/{code}/reports/case-file-audits", tag = "reports",
    params(("code" = String, Path, description = "The service's code"), AuditReportParams),
    responses((status = 200, body = AuditReportOut), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn case_file_audits(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    Query(params): Query<AuditReportParams>,
) -> ApiResult<Json<AuditReportOut>> {
    let service = service_code(&code)?;
    let period = app.report_period(params.from.as_deref(), params.to.as_deref())?;
    let team = team_id(params.team.as_deref())?;
    let drill = audit_drill(params.month.as_deref(), params.worker.as_deref(), params.result.as_deref())?;
    Ok(Json(app.case_file_audit_report(&actor, &service, period, team, drill).await?.into()))
}
