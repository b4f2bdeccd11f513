//! Referrals by source and outcome, cases opened, closed by reason and reopened, and the
//! referrals and cases behind each figure.

use super::{service_code, team_id};
use crate::extract::CurrentActor;
use crate::problem::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use casework_app::App;
use casework_app::reports::{ActivityCaseBehind, ActivityQueryOf, REFERRALS_RULE, ReferralBehind, ReferralsView, source_label};
use casework_domain::activity::{ActivityFigure, CaseActivity, CaseFigure, Fate, MonthActivity, OutcomeFigure, ReferralFigure};
use casework_domain::referral::ReferralSource;
use casework_domain::text::Code;
use casework_domain::timeliness::Month;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityParams {
    /// The first month, `YYYY-MM` (the three months up to this one when neither is given).
    pub from: Option<String>,
    /// The last month, `YYYY-MM`; at most 24 months after `from`.
    pub to: Option<String>,
    /// Only what concerns this team's cases (a team id of the service).
    pub team: Option<String>,
}

/// A source, reason or other code with its name.
#[derive(Debug, Serialize, ToSchema)]
pub struct NamedOut {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountOut {
    /// A source or reason code, as listed in the report.
    pub code: String,
    pub count: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralTallyOut {
    pub received: u32,
    pub by_source: Vec<CountOut>,
    pub accepted: u32,
    /// By rejection reason.
    pub rejected: Vec<CountOut>,
    pub rejected_total: u32,
    pub kept_on_file: u32,
    /// Not decided yet.
    pub pending: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseTallyOut {
    pub opened: u32,
    /// By closure reason.
    pub closed: Vec<CountOut>,
    pub closed_total: u32,
    /// Reopened after closing.
    pub reopened: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthActivityOut {
    /// `YYYY-MM`; absent for the whole period.
    pub month: Option<String>,
    pub referrals: ReferralTallyOut,
    pub cases: CaseTallyOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralsOut {
    pub service: String,
    /// `YYYY-MM`.
    pub from: String,
    /// `YYYY-MM`.
    pub to: String,
    pub team: Option<String>,
    /// How referrals and cases are counted, in a sentence.
    pub rule: String,
    pub sources: Vec<NamedOut>,
    pub rejection_reasons: Vec<NamedOut>,
    pub closure_reasons: Vec<NamedOut>,
    /// Every month of the period, in order.
    pub months: Vec<MonthActivityOut>,
    pub total: MonthActivityOut,
    /// The cases left out for carrying a flag the service excludes from statistics.
    pub excluded: Vec<super::ExclusionOut>,
}

fn month_out(view: &ReferralsView, activity: &MonthActivity, month: Option<Month>) -> MonthActivityOut {
    let report = &view.report;
    let counts = |codes: Vec<String>, counts: &[u32]| {
        codes.into_iter().zip(counts).map(|(code, count)| CountOut { code, count: *count }).collect()
    };
    let (referrals, cases) = (&activity.referrals, &activity.cases);
    MonthActivityOut {
        month: month.map(|m| m.to_string()),
        referrals: ReferralTallyOut {
            received: referrals.received,
            by_source: counts(report.sources.iter().map(|s| s.name().to_owned()).collect(), &referrals.by_source),
            accepted: referrals.accepted,
            rejected: counts(report.rejection_reasons.iter().map(Code::to_string).collect(), &referrals.rejected),
            rejected_total: referrals.rejected_total(),
            kept_on_file: referrals.kept_on_file,
            pending: referrals.pending,
        },
        cases: CaseTallyOut {
            opened: cases.opened,
            closed: counts(report.closure_reasons.iter().map(Code::to_string).collect(), &cases.closed),
            closed_total: cases.closed_total(),
            reopened: cases.reopened,
        },
    }
}

impl From<ReferralsView> for ReferralsOut {
    fn from(view: ReferralsView) -> Self {
        let report = &view.report;
        ReferralsOut {
            service: view.service.to_string(),
            from: report.period.from.to_string(),
            to: report.period.to.to_string(),
            team: view.team.map(|t| t.to_string()),
            rule: REFERRALS_RULE.to_owned(),
            sources: report
                .sources
                .iter()
                .map(|s| NamedOut { code: s.name().to_owned(), name: source_label(*s).to_owned() })
                .collect(),
            rejection_reasons: report
                .rejection_reasons
                .iter()
                .map(|c| NamedOut { code: c.to_string(), name: view.rejection_names.name(c) })
                .collect(),
            closure_reasons: report
                .closure_reasons
                .iter()
                .map(|c| NamedOut { code: c.to_string(), name: view.closure_names.name(c) })
                .collect(),
            months: report.months.iter().map(|m| month_out(&view, m, Some(m.month))).collect(),
            total: month_out(&view, &report.total, None),
            excluded: super::exclusions(&view.excluded),
        }
    }
}

/// Referrals received per month by source and by what became of them, and cases opened,
/// closed by reason and reopened, counting only what the caller may see. Needs
/// `reports.read` and `referral.read` in the service.
#[utoipa::path(get, path = "/api/v1/services/{code}/reports/referrals", tag = "reports",
    params(("code" = String, Path, description = "The service's code"), ActivityParams),
    responses((status = 200, body = ReferralsOut), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn referrals(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    Query(params): Query<ActivityParams>,
) -> ApiResult<Json<ReferralsOut>> {
    let service = service_code(&code)?;
    let period = app.report_period(params.from.as_deref(), params.to.as_deref())?;
    let team = team_id(params.team.as_deref())?;
    Ok(Json(app.referrals_report(&actor, &service, period, team).await?.into()))
}

/// Which figure of the referrals report to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralFigureParams {
    /// One of `accepted`, `rejected`, `kept-on-file`, `pending`; every outcome when not given.
    pub outcome: Option<String>,
    /// With `outcome=rejected`: one rejection reason of the service.
    pub reason: Option<String>,
    /// One source (e.g. `self-referral`); every source when not given.
    pub source: Option<String>,
    /// One month of the period, `YYYY-MM`; the whole period when not given.
    pub month: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub team: Option<String>,
}

/// Which figure of opened, closed and reopened cases to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseFigureParams {
    /// One of `opened`, `closed`, `reopened`.
    pub activity: String,
    /// With `activity=closed`: one closure reason of the service.
    pub reason: Option<String>,
    /// One month of the period, `YYYY-MM`; the whole period when not given.
    pub month: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub team: Option<String>,
}

fn given(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

pub(crate) fn month_param(month: Option<&str>) -> ApiResult<Option<Month>> {
    given(month).map(|m| Month::parse(m).ok_or_else(|| ApiError::field("month", "must be a month written YYYY-MM"))).transpose()
}

fn reason_param(reason: Option<&str>, what: &str) -> ApiResult<Option<Code>> {
    given(reason)
        .map(|r| Code::parse(r).map_err(|_| ApiError::field("reason", format!("is not a {what} of this service"))))
        .transpose()
}

/// Reads what a reader asked for a referrals figure.
pub fn referral_figure(app: &App, params: &ReferralFigureParams) -> ApiResult<ActivityQueryOf<ReferralFigure>> {
    let period = app.report_period(params.from.as_deref(), params.to.as_deref())?;
    let reason = reason_param(params.reason.as_deref(), "rejection reason")?;
    let outcome = match given(params.outcome.as_deref()) {
        None if reason.is_some() => return Err(ApiError::field("reason", "goes with outcome=rejected")),
        None => None,
        Some(outcome) => Some(OutcomeFigure::parse(outcome, reason).ok_or_else(|| {
            ApiError::field("outcome", "must be one of accepted, rejected, kept-on-file, pending (a reason only with rejected)")
        })?),
    };
    let source = given(params.source.as_deref())
        .map(|s| ReferralSource::parse(s).map_err(|e| ApiError::field("source", e.message)))
        .transpose()?;
    let figure = ReferralFigure { month: month_param(params.month.as_deref())?, source, outcome };
    Ok(ActivityQueryOf { period, team: team_id(params.team.as_deref())?, figure })
}

/// Reads what a reader asked for a cases figure.
pub fn case_figure(app: &App, params: &CaseFigureParams) -> ApiResult<ActivityQueryOf<CaseFigure>> {
    let period = app.report_period(params.from.as_deref(), params.to.as_deref())?;
    let reason = reason_param(params.reason.as_deref(), "closure reason")?;
    let activity = ActivityFigure::parse(params.activity.trim(), reason)
        .ok_or_else(|| ApiError::field("activity", "must be one of opened, closed, reopened (a reason only with closed)"))?;
    let figure = CaseFigure { month: month_param(params.month.as_deref())?, activity };
    Ok(ActivityQueryOf { period, team: team_id(params.team.as_deref())?, figure })
}

/// A referral behind a figure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralBehindOut {
    pub referral: String,
    pub received_at: String,
    /// The month it counts in, `YYYY-MM`.
    pub month: String,
    pub source: String,
    /// `accepted`, `rejected`, `kept-on-file` or `pending`.
    pub outcome: String,
    /// The rejection reason, for a rejected referral.
    pub reason: Option<String>,
    pub person_name: String,
    /// The case opened for it.
    pub case: Option<String>,
    pub case_reference: Option<String>,
}

impl From<ReferralBehind> for ReferralBehindOut {
    fn from(r: ReferralBehind) -> Self {
        let (outcome, reason) = match &r.fate {
            Fate::Pending => ("pending", None),
            Fate::Accepted => ("accepted", None),
            Fate::Rejected(reason) => ("rejected", Some(reason.to_string())),
            Fate::KeptOnFile => ("kept-on-file", None),
        };
        ReferralBehindOut {
            referral: r.referral.to_string(),
            received_at: r.received_at.to_string(),
            month: Month::of_instant(r.received_at).to_string(),
            source: r.source.name().to_owned(),
            outcome: outcome.to_owned(),
            reason,
            person_name: r.person_name,
            case: r.case.as_ref().map(|(id, _)| id.to_string()),
            case_reference: r.case.map(|(_, reference)| reference),
        }
    }
}

/// The referrals behind one figure of the referrals report (e.g. those received in a month
/// and rejected for a reason): only those the caller may see, exactly those the figure counts.
#[utoipa::path(get, path = "/api/v1/services/{code}/reports/referrals/referrals", tag = "reports",
    params(("code" = String, Path, description = "The service's code"), ReferralFigureParams),
    responses((status = 200, body = Vec<ReferralBehindOut>), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn referrals_behind(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    Query(params): Query<ReferralFigureParams>,
) -> ApiResult<Json<Vec<ReferralBehindOut>>> {
    let service = service_code(&code)?;
    let asked = referral_figure(&app, &params)?;
    Ok(Json(app.referrals_behind(&actor, &service, &asked).await?.into_iter().map(Into::into).collect()))
}

/// A case behind a figure of opened, closed or reopened cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityCaseOut {
    pub case: String,
    pub reference: String,
    pub person_name: String,
    pub worker_name: Option<String>,
    /// When it was opened, closed or reopened.
    pub at: String,
    /// The month it counts in, `YYYY-MM`.
    pub month: String,
    /// `opened`, `closed` or `reopened`.
    pub activity: String,
    /// The closure reason, for a closing.
    pub reason: Option<String>,
}

impl From<ActivityCaseBehind> for ActivityCaseOut {
    fn from(c: ActivityCaseBehind) -> Self {
        let (activity, reason) = match &c.activity {
            CaseActivity::Opened => ("opened", None),
            CaseActivity::Closed(reason) => ("closed", Some(reason.to_string())),
            CaseActivity::Reopened => ("reopened", None),
        };
        ActivityCaseOut {
            case: c.case.to_string(),
            reference: c.reference,
            person_name: c.person_name,
            worker_name: c.worker_name,
            at: c.at.to_string(),
            month: Month::of_instant(c.at).to_string(),
            activity: activity.to_owned(),
            reason,
        }
    }
}

/// The cases behind one figure of cases opened, closed (by reason) or reopened: only those
/// the caller may see, exactly those the figure counts (a case closed twice is listed twice).
#[utoipa::path(get, path = "/api/v1/services/{code}/reports/referrals/cases", tag = "reports",
    params(("code" = String, Path, description = "The service's code"), CaseFigureParams),
    responses((status = 200, body = Vec<ActivityCaseOut>), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn referrals_cases(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    Query(params): Query<CaseFigureParams>,
) -> ApiResult<Json<Vec<ActivityCaseOut>>> {
    let service = service_code(&code)?;
    let asked = case_figure(&app, &params)?;
    Ok(Json(app.activity_cases(&actor, &service, &asked).await?.into_iter().map(Into::into).collect()))
}
