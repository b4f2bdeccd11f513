//! The cases a report left out for carrying an excluded flag, as every report states them.

use casework_domain::report_rules::Exclusion;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct ExclusionOut {
    /// The flag's code.
    pub flag: String,
    pub name: String,
    /// How many of the cases the caller may see carry it.
    pub cases: u32,
    /// In words, e.g. "3 cases flagged “Shadow case” left out".
    pub statement: String,
}

impl From<&Exclusion> for ExclusionOut {
    fn from(exclusion: &Exclusion) -> Self {
        ExclusionOut {
            flag: exclusion.flag.to_string(),
            name: exclusion.name.clone(),
            cases: exclusion.cases,
            statement: exclusion.sentence(),
        }
    }
}

pub fn exclusions(excluded: &[Exclusion]) -> Vec<ExclusionOut> {
    excluded.iter().map(Into::into).collect()
}
