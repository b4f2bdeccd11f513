//! A service's monthly output report: the lines its definition names, each taken from the
//! report it belongs to (referrals, waiting list, timeliness, alerts, case-file audits), so
//! the output report always agrees with them. Only the reports a line needs are read.

use super::AuditDrill;
use crate::{App, Result};
use casework_domain::access::Actor;
use casework_domain::ids::TeamId;
use casework_domain::monthly_output::{OutputFigure, OutputRow, OutputValue};
use casework_domain::table::{Cell, Table};
use casework_domain::text::Code;
use casework_domain::timeliness::{Month, Period};
use casework_domain::user::Team;

/// The monthly output report with the names a page needs to show it.
#[derive(Debug, Clone)]
pub struct MonthlyOutputView {
    pub service: Code,
    pub service_name: String,
    pub period: Period,
    pub team: Option<TeamId>,
    pub teams: Vec<Team>,
    pub rows: Vec<OutputRow>,
}

/// A value as a table writes it.
fn cell(value: OutputValue) -> Cell {
    match value {
        OutputValue::Count(n) => n.into(),
        OutputValue::Percent(p) => p.into(),
    }
}

impl MonthlyOutputView {
    /// The report as one table: a row per line, a column per month and one for the period.
    pub fn tables(&self) -> Vec<Table> {
        let months = self.period.months();
        let mut columns = vec!["Figure".to_owned()];
        columns.extend(months.iter().map(|m| m.name()));
        columns.push("Whole period".to_owned());
        let mut table = Table { title: format!("{}: monthly output", self.service_name), columns, rows: Vec::new() };
        for row in &self.rows {
            let mut cells = vec![Cell::from(row.line.name.clone())];
            cells.extend(row.months.iter().map(|(_, value)| cell(*value)));
            cells.push(cell(row.period));
            table.push(cells);
        }
        vec![table]
    }
}

impl App {
    /// The lines of the service's monthly output report over the period, counting only the
    /// cases the actor may see (of one team, if asked), exactly as the reports they come from.
    pub async fn monthly_output_report(
        &self,
        actor: &Actor,
        service: &Code,
        period: Period,
        team: Option<TeamId>,
    ) -> Result<MonthlyOutputView> {
        let definition = self.reportable(actor, service)?;
        let lines = &definition.reports.monthly_output;
        let needs = |wanted: fn(&OutputFigure) -> bool| lines.iter().any(|l| wanted(&l.figure));
        let referrals = if needs(|f| {
            matches!(
                f,
                OutputFigure::ReferralsReceived
                    | OutputFigure::ReferralsAccepted
                    | OutputFigure::ReferralsRejected
                    | OutputFigure::CasesOpened
                    | OutputFigure::CasesClosed { .. }
                    | OutputFigure::CasesReopened
            )
        }) {
            Some(self.referrals_report(actor, service, period, team).await?)
        } else {
            None
        };
        let waiting = if needs(|f| matches!(f, OutputFigure::WaitingAtMonthEnd | OutputFigure::JoinedWaitingList)) {
            Some(self.waiting_list_report(actor, service, period, team).await?)
        } else {
            None
        };
        let timeliness = if needs(|f| {
            matches!(
                f,
                OutputFigure::DeadlinesWithinTarget { .. }
                    | OutputFigure::DeadlinesMet { .. }
                    | OutputFigure::DeadlinesBreached { .. }
            )
        }) {
            Some(self.timeliness_report(actor, service, period, team).await?)
        } else {
            None
        };
        let alerts = if needs(|f| matches!(f, OutputFigure::AlertsRaised)) {
            Some(self.alerts_report(actor, service, period, team).await?)
        } else {
            None
        };
        let audits = if needs(|f| matches!(f, OutputFigure::AuditsCompleted | OutputFigure::AuditsPassing)) {
            Some(self.case_file_audit_report(actor, service, period, team, AuditDrill::default()).await?)
        } else {
            None
        };
        let mut conn = self.store.read().await?;
        let teams = casework_store::users::teams_of_service(&mut conn, service).await?;
        drop(conn);

        let months = period.months();
        let rows = lines
            .iter()
            .map(|line| {
                let figure = &line.figure;
                // The figure's value in a month, or over the period when `month` is None.
                let value = |month: Option<Month>| -> OutputValue {
                    let in_month = |m: &Month| month.is_none_or(|wanted| *m == wanted);
                    let count = |n: u32| OutputValue::Count(n);
                    match figure {
                        OutputFigure::ReferralsReceived
                        | OutputFigure::ReferralsAccepted
                        | OutputFigure::ReferralsRejected
                        | OutputFigure::CasesOpened
                        | OutputFigure::CasesClosed { .. }
                        | OutputFigure::CasesReopened => {
                            let Some(view) = &referrals else { return count(0) };
                            let report = &view.report;
                            count(
                                report
                                    .months
                                    .iter()
                                    .filter(|m| in_month(&m.month))
                                    .map(|m| match figure {
                                        OutputFigure::ReferralsReceived => m.referrals.received,
                                        OutputFigure::ReferralsAccepted => m.referrals.accepted,
                                        OutputFigure::ReferralsRejected => m.referrals.rejected_total(),
                                        OutputFigure::CasesOpened => m.cases.opened,
                                        OutputFigure::CasesClosed { reason: None } => m.cases.closed_total(),
                                        OutputFigure::CasesClosed { reason: Some(reason) } => report
                                            .closure_reasons
                                            .iter()
                                            .position(|r| r == reason)
                                            .and_then(|i| m.cases.closed.get(i).copied())
                                            .unwrap_or(0),
                                        _ => m.cases.reopened,
                                    })
                                    .sum(),
                            )
                        }
                        OutputFigure::WaitingAtMonthEnd => {
                            let Some(view) = &waiting else { return count(0) };
                            // A level, not a flow: over the period it is the last month's.
                            let wanted = month.unwrap_or(period.to);
                            count(view.report.all.months.iter().find(|(m, _)| *m == wanted).map_or(0, |(_, f)| f.size_at_end))
                        }
                        OutputFigure::JoinedWaitingList => {
                            let Some(view) = &waiting else { return count(0) };
                            count(view.report.all.months.iter().filter(|(m, _)| in_month(m)).map(|(_, f)| f.joined).sum())
                        }
                        OutputFigure::DeadlinesWithinTarget { timer }
                        | OutputFigure::DeadlinesMet { timer }
                        | OutputFigure::DeadlinesBreached { timer } => {
                            let found = timeliness.as_ref().and_then(|v| v.report.timers.iter().find(|t| &t.code == timer));
                            let Some(timer) = found else { return count(0) };
                            let tally = match month {
                                None => timer.total,
                                Some(wanted) => {
                                    timer.months.iter().find(|(m, _)| *m == wanted).map(|(_, t)| *t).unwrap_or_default()
                                }
                            };
                            match figure {
                                OutputFigure::DeadlinesWithinTarget { .. } => OutputValue::Percent(tally.within_target_percent()),
                                OutputFigure::DeadlinesMet { .. } => count(tally.met + tally.met_late),
                                _ => count(tally.breached),
                            }
                        }
                        OutputFigure::AlertsRaised => {
                            let Some(view) = &alerts else { return count(0) };
                            count(
                                view.report
                                    .rules
                                    .iter()
                                    .flat_map(|r| &r.months)
                                    .filter(|(m, _)| in_month(m))
                                    .map(|(_, t)| t.raised)
                                    .sum(),
                            )
                        }
                        OutputFigure::AuditsCompleted | OutputFigure::AuditsPassing => {
                            let Some(view) = &audits else { return count(0) };
                            let tally = match month {
                                None => view.report.total,
                                Some(wanted) => {
                                    view.report.months.iter().find(|(m, _)| *m == wanted).map(|(_, t)| *t).unwrap_or_default()
                                }
                            };
                            if matches!(figure, OutputFigure::AuditsPassing) {
                                OutputValue::Percent(tally.passing_percent())
                            } else {
                                count(tally.audited)
                            }
                        }
                    }
                };
                OutputRow {
                    line: line.clone(),
                    months: months.iter().map(|m| (*m, value(Some(*m)))).collect(),
                    period: value(None),
                }
            })
            .collect();
        Ok(MonthlyOutputView {
            service: service.clone(),
            service_name: definition.service.name.clone(),
            period,
            team,
            teams,
            rows,
        })
    }
}
