//! Moving open cases to the current version of their service's definition. A new version
//! applies to new cases by itself; existing cases move only when an operator says so, after
//! a dry run has shown what would change.

use crate::{App, AppError, Result};
use casework_domain::access::Actor;
use casework_domain::ids::CaseId;
use casework_domain::text::Code;
use casework_store::cases;
use serde::Serialize;
use std::collections::BTreeMap;

/// What moving one case would do, or why it cannot move.
#[derive(Debug, Clone, Serialize)]
pub struct VersionMove {
    pub case: CaseId,
    pub reference: String,
    pub from: u32,
    pub to: u32,
    /// What changes beside the version number (e.g. a mapped stage).
    pub changes: Vec<String>,
    /// Why the case cannot move as things stand.
    pub obstacles: Vec<String>,
}

impl App {
    /// Plans (and unless `dry_run`, makes) the move of every open case of `service` to its
    /// current definition version. All cases move in one transaction, or none does: if any
    /// case has an obstacle, nothing is written.
    pub async fn move_cases_to_current_version(
        &self,
        actor: &Actor,
        service: &Code,
        stage_map: &BTreeMap<Code, Code>,
        dry_run: bool,
    ) -> Result<Vec<VersionMove>> {
        if !actor.administrator {
            return Err(AppError::Forbidden("move cases between service versions"));
        }
        let current = self.services.current_version(service);
        let definition = self
            .services
            .version(service, current)
            .ok_or_else(|| casework_domain::FieldError::new("service", format!("there is no service '{service}'")))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut plan = Vec::new();
        let mut changes = Vec::new();
        for id in cases::open_on_older_version(&mut tx, service, current).await? {
            let mut case = cases::get(&mut tx, id).await?.ok_or(AppError::NotFound("case"))?;
            let (from, seen, stage) = (case.service_version, case.version, case.stage.clone());
            let mut step = VersionMove {
                case: id,
                reference: case.reference.to_string(),
                from,
                to: current,
                changes: vec![],
                obstacles: vec![],
            };
            match case.move_to_version(&definition, current, stage_map) {
                Ok(change) => {
                    if case.stage != stage {
                        step.changes.push(format!("stage '{stage}' becomes '{}'", case.stage));
                    }
                    changes.push((case, seen, change));
                }
                Err(obstacles) => step.obstacles = obstacles,
            }
            plan.push(step);
        }
        if dry_run || plan.iter().any(|step| !step.obstacles.is_empty()) {
            return Ok(plan);
        }
        for (case, seen, change) in changes {
            if !cases::update_record(&mut tx, &case, seen, now).await? {
                return Err(AppError::Conflict(format!("case {} changed during the move; run it again", case.reference)));
            }
            self.record(&mut tx, actor, Some(case.id), [change], now).await?;
        }
        tx.commit().await?;
        Ok(plan)
    }
}
