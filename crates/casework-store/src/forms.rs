//! Forms filled in on a case. Only inserts: the database refuses updates and deletes.

use crate::convert::{code, instant, json, micros, parse, to_json};
use crate::{Connection, Result};
use casework_domain::form::Score;
use casework_domain::ids::{CaseId, EventId};
use casework_domain::referral::AttachedForm;

/// A form on a case, with the id it was stored under.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub id: EventId,
    pub case: CaseId,
    pub form: AttachedForm,
}

pub async fn insert(conn: &mut Connection, submission: &Submission) -> Result<()> {
    sqlx::query(
        "INSERT INTO form_submissions (id, case_id, form, answers, completed_by, score, band, submitted_by, submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(submission.id.to_string())
    .bind(submission.case.to_string())
    .bind(submission.form.form.as_str())
    .bind(to_json(&submission.form.answers))
    .bind(submission.form.completed_by.as_str())
    .bind(submission.form.score.as_ref().map(|s| s.total))
    .bind(submission.form.score.as_ref().and_then(|s| s.band.as_ref()).map(|b| b.to_string()))
    .bind(submission.form.submitted_by.to_string())
    .bind(micros(submission.form.submitted_at))
    .execute(conn)
    .await?;
    Ok(())
}

type Row = (String, String, String, String, String, Option<i64>, Option<String>, String, i64);

/// A case's forms, newest first, continuing before `before`.
pub async fn for_case(conn: &mut Connection, case: CaseId, before: Option<EventId>, limit: i64) -> Result<Vec<Submission>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, case_id, form, answers, completed_by, score, band, submitted_by, submitted_at FROM form_submissions
         WHERE case_id = $1 AND ($2 = '' OR id < $2) ORDER BY id DESC LIMIT $3",
    )
    .bind(case.to_string())
    .bind(before.map(|b| b.to_string()).unwrap_or_default())
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, case, form, answers, completed_by, score, band, by, at)| {
            Ok(Submission {
                id: parse("submission id", &id)?,
                case: parse("case id", &case)?,
                form: AttachedForm {
                    form: code(&form)?,
                    answers: json(&answers)?,
                    completed_by: code(&completed_by)?,
                    score: score
                        .map(|total| Ok::<_, crate::StoreError>(Score { total, band: band.as_deref().map(code).transpose()? }))
                        .transpose()?,
                    submitted_by: parse("user id", &by)?,
                    submitted_at: instant(at)?,
                },
            })
        })
        .collect()
}
