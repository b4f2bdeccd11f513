//! A service's monthly output report: the figures its own process documents say are
//! reported each month to its board or commissioners, each one named in the service
//! definition and drawn from one of the other reports, so the output report can never
//! disagree with them.

use crate::FieldError;
use crate::service::ServiceDefinition;
use crate::text::Code;
use crate::timeliness::Month;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One line of the monthly output report, as the definition writes it:
/// `{ name = "Initial assessments within 5 working days", figure = { of = "deadlines-within-target", timer = "initial-assessment" } }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputLine {
    pub name: String,
    pub figure: OutputFigure,
}

/// Which figure of which report a line shows, month by month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "of", rename_all = "kebab-case", deny_unknown_fields)]
pub enum OutputFigure {
    /// Referrals received in the month (referrals report).
    ReferralsReceived,
    /// Referrals received in the month and accepted.
    ReferralsAccepted,
    /// Referrals received in the month and rejected, for any reason.
    ReferralsRejected,
    /// Cases opened in the month.
    CasesOpened,
    /// Cases closed in the month, for one reason or any.
    CasesClosed {
        #[serde(default)]
        reason: Option<Code>,
    },
    /// Cases reopened in the month.
    CasesReopened,
    /// Cases on the waiting list at the end of the month (waiting-list report).
    WaitingAtMonthEnd,
    /// Cases that joined the waiting list in the month.
    JoinedWaitingList,
    /// Share of a deadline's runs met within target in the month, in per cent (timeliness report).
    DeadlinesWithinTarget { timer: Code },
    /// Runs of a deadline that were met, late or not, in the month.
    DeadlinesMet { timer: Code },
    /// Runs of a deadline that fell due in the month and were breached.
    DeadlinesBreached { timer: Code },
    /// Alerts and reminders raised in the month (alerts report).
    AlertsRaised,
    /// Case-file audits completed in the month.
    AuditsCompleted,
    /// Share of the month's case-file audits that passed, in per cent.
    AuditsPassing,
}

/// A figure's value in one month or over the period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum OutputValue {
    Count(u32),
    /// `None` when there was nothing to take a share of.
    Percent(Option<f64>),
}

/// A line of the report with its value for every month of the period and for the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputRow {
    pub line: OutputLine,
    pub months: Vec<(Month, OutputValue)>,
    pub period: OutputValue,
}

/// Everything a definition's output lines refer to that it does not define.
pub fn problems(lines: &[OutputLine], definition: &ServiceDefinition) -> Vec<FieldError> {
    let mut problems = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let field = format!("reports.monthly_output[{i}]");
        if line.name.trim().is_empty() {
            problems.push(FieldError::new(format!("{field}.name"), "must not be empty"));
        }
        match &line.figure {
            OutputFigure::CasesClosed { reason: Some(reason) }
                if !definition.closure_reasons.iter().any(|r| &r.code == reason) =>
            {
                problems.push(FieldError::new(
                    format!("{field}.figure.reason"),
                    format!("'{reason}' is not one of the closure reasons"),
                ));
            }
            OutputFigure::DeadlinesWithinTarget { timer }
            | OutputFigure::DeadlinesMet { timer }
            | OutputFigure::DeadlinesBreached { timer }
                if !definition.timers.iter().any(|t| &t.code == timer) =>
            {
                problems.push(FieldError::new(format!("{field}.figure.timer"), format!("'{timer}' is not one of the timers")));
            }
            OutputFigure::WaitingAtMonthEnd | OutputFigure::JoinedWaitingList if definition.reports.waiting_stages.is_empty() => {
                problems.push(FieldError::new(format!("{field}.figure"), "the service names no waiting stages"));
            }
            OutputFigure::AuditsCompleted | OutputFigure::AuditsPassing if definition.reports.case_file_audit.is_none() => {
                problems.push(FieldError::new(format!("{field}.figure"), "the service does not audit case files"));
            }
            _ => {}
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(figure: OutputFigure) -> OutputLine {
        OutputLine { name: "A figure".to_owned(), figure }
    }

    #[test]
    fn a_line_naming_what_the_service_does_not_define_is_refused_with_its_place() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../services/recovery.toml")).unwrap();
        let recovery = ServiceDefinition::from_toml(&text).unwrap();
        let timer = Code::parse("nowhere").unwrap();
        let reason = Code::parse("escaped").unwrap();
        let lines = [
            line(OutputFigure::ReferralsReceived),
            line(OutputFigure::DeadlinesWithinTarget { timer: timer.clone() }),
            line(OutputFigure::CasesClosed { reason: Some(reason) }),
            line(OutputFigure::DeadlinesWithinTarget { timer: Code::parse("initial-assessment").unwrap() }),
        ];
        let found: Vec<(String, String)> = problems(&lines, &recovery).into_iter().map(|p| (p.field, p.message)).collect();
        assert_eq!(
            found,
            [
                ("reports.monthly_output[1].figure.timer".to_owned(), "'nowhere' is not one of the timers".to_owned()),
                ("reports.monthly_output[2].figure.reason".to_owned(), "'escaped' is not one of the closure reasons".to_owned()),
            ]
        );
    }
}
