//! Care plans: the plan's dates, its objectives and its reviews.

use crate::convert::{date, instant, json, micros, named, parse, to_json};
use crate::{Connection, Result, StoreError};
use casework_domain::ids::CaseId;
use casework_domain::plan::{Objective, ObjectiveStatus, Review};
use casework_domain::text::{LongText, ShortText};
use jiff::civil::Date;

/// The plan's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanDates {
    pub started_on: Date,
    pub last_review_on: Option<Date>,
    pub next_review_on: Option<Date>,
}

pub async fn dates(conn: &mut Connection, case: CaseId) -> Result<Option<PlanDates>> {
    let row: Option<(String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT started_on, last_review_on, next_review_on FROM plans WHERE case_id = $1")
            .bind(case.to_string())
            .fetch_optional(conn)
            .await?;
    row.map(|(started, last, next)| {
        Ok(PlanDates {
            started_on: date(&started)?,
            last_review_on: last.as_deref().map(date).transpose()?,
            next_review_on: next.as_deref().map(date).transpose()?,
        })
    })
    .transpose()
}

pub async fn save_dates(conn: &mut Connection, case: CaseId, dates: &PlanDates) -> Result<()> {
    sqlx::query(
        "INSERT INTO plans (case_id, started_on, last_review_on, next_review_on) VALUES ($1, $2, $3, $4)
         ON CONFLICT (case_id) DO UPDATE SET last_review_on = excluded.last_review_on, next_review_on = excluded.next_review_on",
    )
    .bind(case.to_string())
    .bind(dates.started_on.to_string())
    .bind(dates.last_review_on.map(|d| d.to_string()))
    .bind(dates.next_review_on.map(|d| d.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) fn status_name(status: ObjectiveStatus) -> String {
    serde_json::to_value(status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

pub async fn insert_objective(conn: &mut Connection, objective: &Objective) -> Result<()> {
    sqlx::query(
        "INSERT INTO plan_objectives (id, case_id, description, measure, target_date, status, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(objective.id.to_string())
    .bind(objective.case.to_string())
    .bind(objective.description.as_str())
    .bind(objective.measure.as_str())
    .bind(objective.target_date.to_string())
    .bind(status_name(objective.status))
    .bind(objective.created_by.to_string())
    .bind(micros(objective.created_at))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_objective_status(conn: &mut Connection, objective: &Objective) -> Result<()> {
    sqlx::query("UPDATE plan_objectives SET status = $1 WHERE id = $2")
        .bind(status_name(objective.status))
        .bind(objective.id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

type ObjectiveRow = (String, String, String, String, String, String, String, i64);

pub async fn objectives(conn: &mut Connection, case: CaseId) -> Result<Vec<Objective>> {
    let rows: Vec<ObjectiveRow> = sqlx::query_as(
        "SELECT id, case_id, description, measure, target_date, status, created_by, created_at FROM plan_objectives
         WHERE case_id = $1 ORDER BY id",
    )
    .bind(case.to_string())
    .fetch_all(conn)
    .await?;
    let corrupt = |e: casework_domain::FieldError| StoreError::Corrupt(e.to_string());
    rows.into_iter()
        .map(|(id, case, description, measure, target, status, by, at)| {
            Ok(Objective {
                id: parse("objective id", &id)?,
                case: parse("case id", &case)?,
                description: LongText::parse(&description).map_err(corrupt)?,
                measure: ShortText::parse(&measure).map_err(corrupt)?,
                target_date: date(&target)?,
                status: named(&status)?,
                created_by: parse("user id", &by)?,
                created_at: instant(at)?,
            })
        })
        .collect()
}

pub async fn insert_review(conn: &mut Connection, review: &Review) -> Result<()> {
    sqlx::query(
        "INSERT INTO plan_reviews (id, case_id, summary, outcomes, reviewed_by, reviewed_at, next_review_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(review.id.to_string())
    .bind(review.case.to_string())
    .bind(review.summary.as_str())
    .bind(to_json(&review.outcomes))
    .bind(review.reviewed_by.to_string())
    .bind(micros(review.reviewed_at))
    .bind(review.next_review_on.map(|d| d.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn reviews(conn: &mut Connection, case: CaseId) -> Result<Vec<Review>> {
    type Row = (String, String, String, String, String, i64, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, case_id, summary, outcomes, reviewed_by, reviewed_at, next_review_on FROM plan_reviews
         WHERE case_id = $1 ORDER BY id DESC",
    )
    .bind(case.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, case, summary, outcomes, by, at, next)| {
            Ok(Review {
                id: parse("review id", &id)?,
                case: parse("case id", &case)?,
                summary: LongText::parse(&summary).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                outcomes: json(&outcomes)?,
                reviewed_by: parse("user id", &by)?,
                reviewed_at: instant(at)?,
                next_review_on: next.as_deref().map(date).transpose()?,
            })
        })
        .collect()
}
