//! Reports for a service's managers, derived from its definition alone.
//!
//! Only those holding `reports.read` in the service may ask (someone with another role
//! there is refused; anyone else is told there is no such service). Figures count, and the
//! lists behind them show, only the cases the reader may both report on and read, filtered
//! in the query itself. A list behind a figure is a list of references, as a work list is,
//! not a view of any case record, so like a work list it is not written to the access log.

mod alerts;
mod case_file_audits;
mod caseload;
mod exclusions;
mod monthly_output;
mod referrals;
mod timeliness;
mod waiting;

pub use alerts::{ALERTS_RULE, AlertBehind, AlertsView, BY_HAND_KEY, rule_key};
pub use case_file_audits::{AuditDrill, AuditEntry, AuditReportView, DrawRequest, RoundView, SampleAuditView};
pub use caseload::{CaseloadCase, CaseloadQuery, CaseloadView, Holder};
pub use monthly_output::MonthlyOutputView;
pub use referrals::{ActivityCaseBehind, ActivityQueryOf, Named, REFERRALS_RULE, ReferralBehind, ReferralsView, source_label};
pub use timeliness::{CaseBehind, FigureQuery, TimelinessView};
pub use waiting::{WaitingCase, WaitingQuery, WaitingView};

use crate::{App, AppError, Result};
use casework_domain::FieldError;
use casework_domain::access::{Actor, Permission};
use casework_domain::service::ServiceDefinition;
use casework_domain::text::Code;
use casework_domain::timeliness::{Month, Period};
use std::sync::Arc;

impl App {
    /// The service, if the actor may read its reports: not found for those with no role in
    /// it (as if it did not exist), forbidden for those whose role does not allow it.
    pub fn reportable(&self, actor: &Actor, service: &Code) -> Result<Arc<ServiceDefinition>> {
        let definition = self.services.get(service).ok_or(AppError::NotFound("service"))?;
        if actor.may_in_service(Permission::ReportsRead, service) {
            Ok(definition.clone())
        } else if actor.is_member_of(service) {
            Err(AppError::Forbidden("read this service's reports"))
        } else {
            Err(AppError::NotFound("service"))
        }
    }
}

impl App {
    /// The period a reader asked for, `YYYY-MM` to `YYYY-MM`; either left out means the
    /// three months up to this one (or the one given).
    pub fn report_period(&self, from: Option<&str>, to: Option<&str>) -> Result<Period> {
        match (given(from), given(to)) {
            (Some(from), Some(to)) => Ok(Period::parse(from, to)?),
            (None, None) => Ok(Period::ending(Month::of_instant(self.now()), 3)),
            (Some(from), None) => {
                let this_month = Month::of_instant(self.now()).to_string();
                Ok(Period::parse(from, &this_month)?)
            }
            (None, Some(to)) => {
                let last =
                    Month::parse(to).ok_or_else(|| FieldError::new("to", "must be a month written YYYY-MM, e.g. 2026-12"))?;
                Ok(Period::ending(last, 3))
            }
        }
    }
}

/// What was typed, unless it was nothing.
fn given(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|s| !s.is_empty())
}
