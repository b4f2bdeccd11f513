//! Alerts and reminders per rule: raised, acknowledged and how long they waited, by month
//! and recipient, and the cases behind each figure.

use super::referrals::{ActivityParams, month_param};
use super::{service_code, team_id};
use crate::extract::CurrentActor;
use crate::problem::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use casework_app::App;
use casework_app::reports::{ALERTS_RULE, ActivityQueryOf, AlertBehind, AlertsView, BY_HAND_KEY, rule_key};
use casework_domain::activity::{AlertFigure, AlertState, AlertTally};
use casework_domain::text::Code;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertTallyOut {
    /// Fired in the month (or period).
    pub raised: u32,
    pub acknowledged: u32,
    /// Still waiting for acknowledgement.
    pub unacknowledged: u32,
    /// The median time from firing to acknowledgement of those acknowledged, in hours to one
    /// decimal place; absent when none was.
    pub median_wait_hours: Option<f64>,
    /// The longest such time, in hours.
    pub longest_wait_hours: Option<f64>,
}

impl From<&AlertTally> for AlertTallyOut {
    fn from(t: &AlertTally) -> Self {
        AlertTallyOut {
            raised: t.raised,
            acknowledged: t.acknowledged,
            unacknowledged: t.unacknowledged,
            median_wait_hours: t.median_wait_hours(),
            longest_wait_hours: t.longest_wait_hours(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthAlertsOut {
    /// `YYYY-MM`.
    pub month: String,
    #[serde(flatten)]
    pub tally: AlertTallyOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecipientAlertsOut {
    /// `role:<code>` or `user:<id>`.
    pub recipient: String,
    pub name: String,
    #[serde(flatten)]
    pub tally: AlertTallyOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleAlertsOut {
    /// The alert rule's code, or `by-hand` for alerts raised and reminders set by hand.
    pub rule: String,
    pub name: String,
    pub total: AlertTallyOut,
    /// Every month of the period, in order.
    pub months: Vec<MonthAlertsOut>,
    pub by_recipient: Vec<RecipientAlertsOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertsOut {
    pub service: String,
    /// `YYYY-MM`.
    pub from: String,
    /// `YYYY-MM`.
    pub to: String,
    pub team: Option<String>,
    /// How alerts are counted, in a sentence.
    pub rule: String,
    /// One entry per alert rule of the service, in its order, then `by-hand`.
    pub rules: Vec<RuleAlertsOut>,
    /// The cases left out for carrying a flag the service excludes from statistics.
    pub excluded: Vec<super::ExclusionOut>,
}

impl From<AlertsView> for AlertsOut {
    fn from(view: AlertsView) -> Self {
        let rules = view
            .report
            .rules
            .iter()
            .map(|rule| RuleAlertsOut {
                rule: rule_key(rule.rule.as_ref()),
                name: rule.name.clone(),
                total: (&rule.total).into(),
                months: rule.months.iter().map(|(m, t)| MonthAlertsOut { month: m.to_string(), tally: t.into() }).collect(),
                by_recipient: rule
                    .by_recipient
                    .iter()
                    .map(|(key, t)| RecipientAlertsOut {
                        recipient: key.clone(),
                        name: view.recipient_name(key),
                        tally: t.into(),
                    })
                    .collect(),
            })
            .collect();
        AlertsOut {
            service: view.service.to_string(),
            from: view.report.period.from.to_string(),
            to: view.report.period.to.to_string(),
            team: view.team.map(|t| t.to_string()),
            rule: ALERTS_RULE.to_owned(),
            rules,
            excluded: super::exclusions(&view.excluded),
        }
    }
}

/// Alerts and reminders per alert rule of the service (and those raised by hand): raised,
/// acknowledged, still unacknowledged and how long they waited, by month and recipient,
/// counting only alerts on cases the caller may see. Needs `reports.read` in the service.
#[utoipa::path(get, path = "/api/v1/services/{code}/reports/alerts", tag = "reports",
    params(("code" = String, Path, description = "The service's code"), ActivityParams),
    responses((status = 200, body = AlertsOut), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn alerts(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    Query(params): Query<ActivityParams>,
) -> ApiResult<Json<AlertsOut>> {
    let service = service_code(&code)?;
    let period = app.report_period(params.from.as_deref(), params.to.as_deref())?;
    let team = team_id(params.team.as_deref())?;
    Ok(Json(app.alerts_report(&actor, &service, period, team).await?.into()))
}

/// Which figure of the alerts report to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertFigureParams {
    /// The alert rule's code, or `by-hand`.
    pub rule: String,
    /// One of `raised`, `acknowledged`, `unacknowledged`.
    pub state: String,
    /// One recipient, `role:<code>` or `user:<id>`; every recipient when not given.
    pub recipient: Option<String>,
    /// One month of the period, `YYYY-MM`; the whole period when not given.
    pub month: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub team: Option<String>,
}

/// Reads what a reader asked for an alerts figure.
pub fn alert_figure(app: &App, params: &AlertFigureParams) -> ApiResult<ActivityQueryOf<AlertFigure>> {
    let period = app.report_period(params.from.as_deref(), params.to.as_deref())?;
    let rule = match params.rule.trim() {
        BY_HAND_KEY => None,
        code => {
            Some(Code::parse(code).map_err(|_| ApiError::field("rule", "is not an alert rule of this service, nor by-hand"))?)
        }
    };
    let state = AlertState::parse(params.state.trim())
        .ok_or_else(|| ApiError::field("state", "must be one of raised, acknowledged, unacknowledged"))?;
    let recipient = params.recipient.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    let figure = AlertFigure { rule, month: month_param(params.month.as_deref())?, recipient, state };
    Ok(ActivityQueryOf { period, team: team_id(params.team.as_deref())?, figure })
}

/// An alert behind a figure, with its case.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertBehindOut {
    pub alert: String,
    pub case: String,
    pub reference: String,
    pub person_name: String,
    pub recipient: String,
    pub recipient_name: String,
    pub fire_at: String,
    pub acknowledged_at: Option<String>,
    /// The month it counts in, `YYYY-MM`.
    pub month: String,
}

impl From<AlertBehind> for AlertBehindOut {
    fn from(a: AlertBehind) -> Self {
        AlertBehindOut {
            alert: a.alert.to_string(),
            case: a.case.to_string(),
            reference: a.reference,
            person_name: a.person_name,
            recipient: a.recipient,
            recipient_name: a.recipient_name,
            fire_at: a.fire_at.to_string(),
            acknowledged_at: a.acknowledged_at.map(|t| t.to_string()),
            month: a.month.to_string(),
        }
    }
}

/// The alerts, with their cases, behind one figure of the alerts report (e.g. a rule's
/// alerts not yet acknowledged): only those on cases the caller may see, exactly those the
/// figure counts.
#[utoipa::path(get, path = "/api/v1/services/{code}/reports/alerts/cases", tag = "reports",
    params(("code" = String, Path, description = "The service's code"), AlertFigureParams),
    responses((status = 200, body = Vec<AlertBehindOut>), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn alerts_cases(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(code): Path<String>,
    Query(params): Query<AlertFigureParams>,
) -> ApiResult<Json<Vec<AlertBehindOut>>> {
    let service = service_code(&code)?;
    let asked = alert_figure(&app, &params)?;
    Ok(Json(app.alerts_behind(&actor, &service, &asked).await?.into_iter().map(Into::into).collect()))
}
