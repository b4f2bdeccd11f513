//! Care plans: objectives, reviews, and the next review date, which follows the case's
//! level or risk tier and moves when the tier changes.

use crate::{App, Result};
use casework_domain::access::{Actor, Permission};
use casework_domain::case::Case;
use casework_domain::history::{Change, EventKind, Subject};
use casework_domain::ids::{CaseId, EventId, UserId};
use casework_domain::plan::{Objective, ObjectiveStatus, Review, ReviewOutcome};
use casework_domain::text::LongText;
use casework_domain::{FieldError, Invalid};
use casework_store::plans::{self, PlanDates};
use casework_store::{Connection, events};
use jiff::Timestamp;
use serde_json::{Value, json};

/// A case's plan as shown.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub dates: Option<PlanDates>,
    /// e.g. "every 2 weeks", from the service's rules for the case's current level.
    pub review_interval: Option<casework_domain::alert::Period>,
    pub objectives: Vec<Objective>,
    pub reviews: Vec<Review>,
}

impl App {
    pub async fn plan(&self, actor: &Actor, case: CaseId) -> Result<PlanView> {
        let found = self.log_read(actor, case, Permission::CaseRead, "plan").await?;
        let definition = self.definition_of(&found)?;
        let mut conn = self.store.read().await?;
        Ok(PlanView {
            dates: plans::dates(&mut conn, case).await?,
            review_interval: definition.plan_reviews.interval(found.level.as_ref()),
            objectives: plans::objectives(&mut conn, case).await?,
            reviews: plans::reviews(&mut conn, case).await?,
        })
    }

    async fn open_case_for_plan(&self, conn: &mut Connection, actor: &Actor, case: CaseId) -> Result<Case> {
        let found = self.case_for(conn, actor, case, Permission::CaseUpdate, "change this case's plan").await?;
        if !found.is_open() {
            return Err(FieldError::new("", "the case is closed; reopen it to change its plan").into());
        }
        Ok(found)
    }

    /// Adds a SMART objective. The first one starts the plan and its review cycle.
    pub async fn add_objective(
        &self,
        actor: &Actor,
        case: CaseId,
        description: &str,
        measure: &str,
        target_date: &str,
    ) -> Result<Objective> {
        let now = self.now();
        let today = casework_domain::time::day_of(now);
        let mut tx = self.store.begin().await?;
        let found = self.open_case_for_plan(&mut tx, actor, case).await?;
        let objective = Objective::new(case, description, measure, target_date, actor.user, now, today)?;
        if plans::dates(&mut tx, case).await?.is_none() {
            let definition = self.definition_of(&found)?;
            let next = definition.plan_reviews.next_review(today, found.level.as_ref());
            plans::save_dates(&mut tx, case, &PlanDates { started_on: today, last_review_on: None, next_review_on: next })
                .await?;
        }
        plans::insert_objective(&mut tx, &objective).await?;
        let change = Change::new(
            EventKind::ObjectiveAdded,
            Subject::Case(case),
            Value::Null,
            json!({ "objective": objective.id, "description": objective.description, "measure": objective.measure, "target_date": objective.target_date }),
        );
        events::insert(&mut tx, &change.into_event(Some(case), actor.user, now)).await?;
        tx.commit().await?;
        Ok(objective)
    }

    /// Records a review: an outcome for every open objective, and the next review date
    /// from the case's current tier.
    pub async fn review_plan(
        &self,
        actor: &Actor,
        case: CaseId,
        summary: LongText,
        outcomes: Vec<(EventId, ReviewOutcome)>,
    ) -> Result<Review> {
        let now = self.now();
        let today = casework_domain::time::day_of(now);
        let mut tx = self.store.begin().await?;
        let found = self.open_case_for_plan(&mut tx, actor, case).await?;
        let Some(dates) = plans::dates(&mut tx, case).await? else {
            return Err(FieldError::new("", "the case has no plan yet: add an objective first").into());
        };
        let mut objectives = plans::objectives(&mut tx, case).await?;
        let mut invalid = Invalid::new();
        for (i, (id, _)) in outcomes.iter().enumerate() {
            if !objectives.iter().any(|o| &o.id == id && o.status == ObjectiveStatus::Open) {
                invalid.push(FieldError::new(format!("outcomes/{i}/objective"), "not an open objective of this plan"));
            }
        }
        for objective in objectives.iter().filter(|o| o.status == ObjectiveStatus::Open) {
            if !outcomes.iter().any(|(id, _)| *id == objective.id) {
                invalid.push(FieldError::new("outcomes", format!("no outcome given for the objective '{}'", objective.measure)));
            }
        }
        invalid.into_result()?;
        for objective in &mut objectives {
            if let Some((_, outcome)) = outcomes.iter().find(|(id, _)| *id == objective.id) {
                objective.status = outcome.status();
                plans::set_objective_status(&mut tx, objective).await?;
            }
        }
        let definition = self.definition_of(&found)?;
        let next = definition.plan_reviews.next_review(today, found.level.as_ref());
        let review = Review {
            id: EventId::new(),
            case,
            summary,
            outcomes,
            reviewed_by: actor.user,
            reviewed_at: now,
            next_review_on: next,
        };
        plans::insert_review(&mut tx, &review).await?;
        plans::save_dates(&mut tx, case, &PlanDates { last_review_on: Some(today), next_review_on: next, ..dates }).await?;
        let change = Change::new(
            EventKind::PlanReviewed,
            Subject::Case(case),
            json!({ "next_review_on": dates.next_review_on }),
            json!({ "review": review.id, "outcomes": review.outcomes, "next_review_on": next }),
        );
        events::insert(&mut tx, &change.into_event(Some(case), actor.user, now)).await?;
        tx.commit().await?;
        Ok(review)
    }

    /// Moves the next review date when the case's tier changes (called from `record`).
    pub(crate) async fn reschedule_review(&self, conn: &mut Connection, actor: UserId, case: &Case, at: Timestamp) -> Result<()> {
        let Some(dates) = plans::dates(conn, case.id).await? else { return Ok(()) };
        let definition = self.definition_of(case)?;
        let from = dates.last_review_on.unwrap_or(dates.started_on);
        let next = definition.plan_reviews.next_review(from, case.level.as_ref());
        if next == dates.next_review_on {
            return Ok(());
        }
        plans::save_dates(conn, case.id, &PlanDates { next_review_on: next, ..dates }).await?;
        let change = Change::new(
            EventKind::ReviewDateChanged,
            Subject::Case(case.id),
            json!({ "next_review_on": dates.next_review_on }),
            json!({ "next_review_on": next, "level": case.level }),
        );
        events::insert(conn, &change.into_event(Some(case.id), actor, at)).await?;
        Ok(())
    }
}
