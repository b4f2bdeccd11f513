//! Alerts and reminders: per alert rule of the service (and for those raised or set by
//! hand), how many fired each month, how many were acknowledged and how long they waited,
//! by month and recipient (see `casework_domain::activity`), and the cases behind each figure.

use super::referrals::{ActivityQueryOf, Named, check_month};
use crate::{App, Result};
use casework_domain::access::{Actor, Permission};
use casework_domain::activity::{self, AlertFigure, AlertReport, AlertTally};
use casework_domain::ids::{CaseId, EventId, TeamId};
use casework_domain::report_rules::Exclusion;
use casework_domain::table::{Cell, Table};
use casework_domain::text::Code;
use casework_domain::timeliness::{Month, Period};
use casework_domain::user::Team;
use casework_domain::{FieldError, Invalid};
use casework_store::activity::{self as stored, ActivityQuery, ReportedAlert};
use jiff::Timestamp;
use std::collections::BTreeMap;

/// How the report counts, as it states it.
pub const ALERTS_RULE: &str = "Each alert or reminder counts once, in the month it fired, if it has fired by now. It is \
acknowledged or not as it stands now; its wait runs from firing to acknowledgement. Median and longest waits are of the \
acknowledged ones, in hours.";

pub use casework_domain::activity::BY_HAND_KEY;

/// The alerts report with the names a page needs to show it.
#[derive(Debug, Clone)]
pub struct AlertsView {
    pub service: Code,
    pub service_name: String,
    pub report: AlertReport,
    pub team: Option<TeamId>,
    pub teams: Vec<Team>,
    /// The names of the recipients in the report, by their keys (`role:<code>`, `user:<id>`).
    pub recipients: BTreeMap<String, String>,
    /// The cases left out for carrying an excluded flag.
    pub excluded: Vec<Exclusion>,
}

/// The key of a rule in links and the API: its code, or `by-hand`.
pub fn rule_key(rule: Option<&Code>) -> String {
    rule.map_or_else(|| BY_HAND_KEY.to_owned(), Code::to_string)
}

impl AlertsView {
    pub fn recipient_name(&self, key: &str) -> String {
        self.recipients.get(key).cloned().unwrap_or_else(|| key.to_owned())
    }

    /// The figures as tables, exactly as the page shows them: for each rule, by month and
    /// by recipient.
    pub fn tables(&self) -> Vec<Table> {
        const COLUMNS: [&str; 5] =
            ["Raised", "Acknowledged", "Not yet acknowledged", "Median wait (hours)", "Longest wait (hours)"];
        let figures = |tally: &AlertTally| {
            vec![
                Cell::from(tally.raised),
                tally.acknowledged.into(),
                tally.unacknowledged.into(),
                Cell::decimal(tally.median_wait_hours()),
                Cell::decimal(tally.longest_wait_hours()),
            ]
        };
        let mut tables = Vec::new();
        for rule in &self.report.rules {
            let mut by_month = Table::new(format!("{}: by month", rule.name), &[&["Month"][..], &COLUMNS].concat());
            for (month, tally) in &rule.months {
                by_month.push([vec![Cell::from(month.name())], figures(tally)].concat());
            }
            by_month.push([vec![Cell::from("Whole period")], figures(&rule.total)].concat());
            let mut by_recipient = Table::new(format!("{}: by recipient", rule.name), &[&["Recipient"][..], &COLUMNS].concat());
            for (recipient, tally) in &rule.by_recipient {
                by_recipient.push([vec![Cell::from(self.recipient_name(recipient))], figures(tally)].concat());
            }
            tables.extend([by_month, by_recipient]);
        }
        tables.extend(super::exclusions::table(&self.excluded));
        tables
    }
}

/// An alert behind a figure.
#[derive(Debug, Clone)]
pub struct AlertBehind {
    pub alert: EventId,
    pub case: CaseId,
    pub reference: String,
    pub person_name: String,
    pub recipient: String,
    pub recipient_name: String,
    pub fire_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub month: Month,
}

impl App {
    async fn reported_alerts(
        &self,
        actor: &Actor,
        service: &Code,
        period: Period,
        team: Option<TeamId>,
    ) -> Result<(Vec<Team>, Vec<ReportedAlert>)> {
        let mut conn = self.store.read().await?;
        let teams = casework_store::users::teams_of_service(&mut conn, service).await?;
        if team.is_some_and(|wanted| !teams.iter().any(|t| t.id == wanted)) {
            return Err(FieldError::new("team", "is not a team of this service").into());
        }
        let reporting = actor.case_filter(Permission::ReportsRead);
        let reading = actor.case_filter(Permission::CaseRead);
        let (from, until) = period.bounds();
        let excluded_flags = self.services.get(service).map(|d| d.reports.excluded_flags.clone()).unwrap_or_default();
        let asked = ActivityQuery { service: service.clone(), from, until, team, excluded_flags };
        let found = stored::alerts(&mut conn, &asked, self.now(), &[&reporting, &reading]).await?;
        Ok((teams, found))
    }

    /// The names of the recipients of `alerts`: a role by its name in the service, a user by
    /// their display name.
    fn recipient_names(&self, service: &Code, alerts: &[ReportedAlert]) -> BTreeMap<String, String> {
        let roles = self.services.get(service).map(|d| Named::of(d.roles.iter().map(|r| (&r.code, &r.name)))).unwrap_or_default();
        alerts
            .iter()
            .map(|a| {
                let key = &a.fact.recipient;
                let name = match (key.split_once(':'), &a.recipient_name) {
                    (Some(("user", _)), Some(name)) => name.clone(),
                    (Some(("role", role)), _) => Code::parse(role).map_or_else(|_| role.to_owned(), |c| roles.name(&c)),
                    _ => key.clone(),
                };
                (key.clone(), name)
            })
            .collect()
    }

    /// The alerts and reminders of the service per rule and month of the period, counting
    /// only those on cases the actor may see (of one team, if asked).
    pub async fn alerts_report(&self, actor: &Actor, service: &Code, period: Period, team: Option<TeamId>) -> Result<AlertsView> {
        let definition = self.reportable(actor, service)?;
        let (teams, found) = self.reported_alerts(actor, service, period, team).await?;
        let recipients = self.recipient_names(service, &found);
        let rules: Vec<(Code, String)> = definition.alerts.iter().map(|r| (r.code.clone(), r.name.clone())).collect();
        let facts: Vec<_> = found.into_iter().map(|a| a.fact).collect();
        let report = activity::alerts(period, &rules, &facts, self.now());
        let excluded = self.exclusions(&mut *self.store.read().await?, actor, &definition, team, false).await?;
        Ok(AlertsView {
            service: service.clone(),
            service_name: definition.service.name.clone(),
            report,
            team,
            teams,
            recipients,
            excluded,
        })
    }

    /// The alerts behind one figure of the report, with their cases: only those on cases the
    /// actor may see, exactly those the figure counts.
    pub async fn alerts_behind(
        &self,
        actor: &Actor,
        service: &Code,
        asked: &ActivityQueryOf<AlertFigure>,
    ) -> Result<Vec<AlertBehind>> {
        let definition = self.reportable(actor, service)?;
        let mut problems = Invalid::new();
        if let Some(rule) = &asked.figure.rule
            && !definition.alerts.iter().any(|r| &r.code == rule)
        {
            problems.push(FieldError::new("rule", format!("is not an alert rule of this service, nor {BY_HAND_KEY}")));
        }
        check_month(asked.period, asked.figure.month, &mut problems);
        problems.into_result()?;
        let (_, found) = self.reported_alerts(actor, service, asked.period, asked.team).await?;
        let names = self.recipient_names(service, &found);
        let now = self.now();
        Ok(found
            .into_iter()
            .filter(|a| asked.figure.counts(asked.period, now, &a.fact))
            .map(|a| AlertBehind {
                alert: a.id,
                case: a.case,
                reference: a.reference,
                person_name: a.person_name,
                recipient_name: names.get(&a.fact.recipient).cloned().unwrap_or_else(|| a.fact.recipient.clone()),
                recipient: a.fact.recipient,
                fire_at: a.fact.fire_at,
                acknowledged_at: a.fact.acknowledged_at,
                month: Month::of_instant(a.fact.fire_at),
            })
            .collect())
    }
}
