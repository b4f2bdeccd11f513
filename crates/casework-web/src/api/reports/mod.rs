//! Reports on a service, for its managers, with the cases behind each figure.

mod case_file_audits;
mod timeliness;

pub use case_file_audits::*;
pub use timeliness::*;

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
