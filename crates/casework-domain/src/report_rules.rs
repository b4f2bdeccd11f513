//! What a service's reports need to know that its process alone does not say: which
//! cases statistics leave out, what counts as waiting, how heavy a case is, which figures
//! go in its monthly output report, and how its case files are audited.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `[reports]` table of a service definition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRules {
    /// How the service's case files are audited; no audits without it.
    #[serde(default)]
    pub case_file_audit: Option<crate::case_file_audit::CaseFileAudit>,
}
