//! Reports on a service, for its managers, with the cases behind each figure.

mod alerts;
mod case_file_audits;
mod caseload;
mod exclusions;
mod monthly_output;
mod referrals;
mod timeliness;
mod waiting;

pub use alerts::*;
pub use case_file_audits::*;
pub use caseload::*;
pub use exclusions::*;
pub use monthly_output::*;
pub use referrals::*;
pub use timeliness::*;
pub use waiting::*;

use crate::problem::{ApiError, ApiResult};
use casework_domain::ids::TeamId;
use casework_domain::text::Code;

pub(crate) fn service_code(code: &str) -> ApiResult<Code> {
    Code::parse(code).map_err(|_| ApiError::not_found("service"))
}

pub(crate) fn team_id(team: Option<&str>) -> ApiResult<Option<TeamId>> {
    team.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().map_err(|_| ApiError::field("team", "is not a team id")))
        .transpose()
}
