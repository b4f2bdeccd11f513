//! What a service's reports need to know that its process alone does not say: which
//! cases statistics leave out, what counts as waiting, how heavy a case is, which figures
//! go in its monthly output report, and how its case files are audited.

use crate::text::Code;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `[reports]` table of a service definition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRules {
    /// Flags that keep a case out of every report, e.g. a shadow case that duplicates
    /// another service's case and is "excluded from the annual statistics". A case carrying
    /// any of them is never counted; each report says how many were left out.
    #[serde(default)]
    pub excluded_flags: Vec<Code>,
    /// The stages in which a case is on the waiting list (waiting for a first assessment,
    /// for allocation). Moving between two of them is one continuous wait.
    #[serde(default)]
    pub waiting_stages: Vec<Code>,
    /// How heavy an open case at each level weighs in a worker's caseload, e.g.
    /// `{ high-risk = 3 }`. Levels not listed, and cases with no level, weigh 1.
    #[serde(default)]
    pub level_weights: BTreeMap<Code, u32>,
    /// What makes an open case high risk in the caseload report.
    #[serde(default)]
    pub high_risk: HighRisk,
    /// The lines of the service's monthly output report, in order, each a figure of one
    /// of the other reports.
    #[serde(default)]
    pub monthly_output: Vec<crate::monthly_output::OutputLine>,
    /// How the service's case files are audited; no audits without it.
    #[serde(default)]
    pub case_file_audit: Option<crate::case_file_audit::CaseFileAudit>,
}

/// A case is high risk when it is at one of these levels or carries one of these flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HighRisk {
    #[serde(default)]
    pub levels: Vec<Code>,
    #[serde(default)]
    pub flags: Vec<Code>,
}

impl ReportRules {
    /// Every stage, level and flag named here that the service does not define.
    pub fn check(&self, service: &crate::service::ServiceDefinition, problems: &mut crate::Invalid) {
        problems.errors.extend(crate::monthly_output::problems(&self.monthly_output, service));
        let mut unknown = |field: &str, code: &Code, what: &str| {
            problems.push(crate::FieldError::new(format!("reports.{field}"), format!("'{code}' is not one of the {what}")));
        };
        for flag in &self.excluded_flags {
            if !service.has_flag(flag) {
                unknown("excluded_flags", flag, "flags");
            }
        }
        for stage in &self.waiting_stages {
            if service.stage(stage).is_none() {
                unknown("waiting_stages", stage, "stages");
            }
        }
        for level in self.level_weights.keys() {
            if !service.has_level(level) {
                unknown("level_weights", level, "levels");
            }
        }
        for level in &self.high_risk.levels {
            if !service.has_level(level) {
                unknown("high_risk.levels", level, "levels");
            }
        }
        for flag in &self.high_risk.flags {
            if !service.has_flag(flag) {
                unknown("high_risk.flags", flag, "flags");
            }
        }
    }

    /// How heavy a case at `level` weighs (1 unless the definition says otherwise).
    pub fn weight(&self, level: Option<&Code>) -> u32 {
        level.and_then(|l| self.level_weights.get(l)).copied().unwrap_or(1)
    }

    /// Whether a case at `level` carrying `flags` is high risk.
    pub fn is_high_risk<'a>(&self, level: Option<&Code>, mut flags: impl Iterator<Item = &'a Code>) -> bool {
        level.is_some_and(|l| self.high_risk.levels.contains(l)) || flags.any(|f| self.high_risk.flags.contains(f))
    }

    pub fn is_waiting_stage(&self, stage: &Code) -> bool {
        self.waiting_stages.contains(stage)
    }
}

/// Cases a report left out because they carry an excluded flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exclusion {
    pub flag: Code,
    /// The flag's name in the definition.
    pub name: String,
    /// How many of the cases the reader may see carry it.
    pub cases: u32,
}

impl Exclusion {
    /// As a report states it: "3 cases flagged Shadow case left out".
    pub fn sentence(&self) -> String {
        let cases = if self.cases == 1 { "case" } else { "cases" };
        format!("{} {cases} flagged \u{201c}{}\u{201d} left out", self.cases, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    #[test]
    fn unlisted_levels_and_no_level_weigh_one() {
        let rules = ReportRules {
            level_weights: [(code("high-risk"), 3), (code("low-risk"), 0)].into_iter().collect(),
            ..ReportRules::default()
        };
        assert_eq!(rules.weight(Some(&code("high-risk"))), 3);
        assert_eq!(rules.weight(Some(&code("low-risk"))), 0);
        assert_eq!(rules.weight(Some(&code("dependence"))), 1);
        assert_eq!(rules.weight(None), 1);
    }

    #[test]
    fn a_high_risk_level_or_flag_makes_a_case_high_risk() {
        let rules = ReportRules {
            high_risk: HighRisk { levels: vec![code("high-risk")], flags: vec![code("acct-open")] },
            ..ReportRules::default()
        };
        assert!(rules.is_high_risk(Some(&code("high-risk")), [].iter()));
        assert!(rules.is_high_risk(None, [code("parole"), code("acct-open")].iter()));
        assert!(!rules.is_high_risk(Some(&code("low-risk")), [code("parole")].iter()));
        assert!(!rules.is_high_risk(None, [].iter()));
    }

    #[test]
    fn exclusions_are_stated_in_words() {
        let one = Exclusion { flag: code("shadow-case"), name: "Shadow case".into(), cases: 1 };
        assert_eq!(one.sentence(), "1 case flagged \u{201c}Shadow case\u{201d} left out");
        assert_eq!(Exclusion { cases: 3, ..one }.sentence(), "3 cases flagged \u{201c}Shadow case\u{201d} left out");
    }
}
