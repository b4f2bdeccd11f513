//! Meetings and the decisions taken at them.

use crate::convert::{code, date, instant, micros, parse};
use crate::{Connection, Result};
use casework_domain::ids::{CaseId, EventId, ReferralId, UserId};
use casework_domain::text::Code;
use jiff::Timestamp;
use jiff::civil::Date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub id: EventId,
    pub service: Code,
    pub kind: Code,
    pub held_on: Date,
    pub chaired_by: UserId,
    pub items: Vec<Item>,
}

/// One item of the agenda: a referral or a case, and what was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub position: u32,
    pub referral: Option<ReferralId>,
    pub case: Option<CaseId>,
    pub outcome: Option<String>,
    pub minute: Option<String>,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<Timestamp>,
}

pub async fn insert(conn: &mut Connection, meeting: &Meeting, at: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO meetings (id, service, kind, held_on, chaired_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(meeting.id.to_string())
        .bind(meeting.service.as_str())
        .bind(meeting.kind.as_str())
        .bind(meeting.held_on.to_string())
        .bind(meeting.chaired_by.to_string())
        .bind(micros(at))
        .execute(&mut *conn)
        .await?;
    for item in &meeting.items {
        sqlx::query("INSERT INTO meeting_items (meeting_id, position, referral_id, case_id) VALUES ($1, $2, $3, $4)")
            .bind(meeting.id.to_string())
            .bind(i64::from(item.position))
            .bind(item.referral.map(|r| r.to_string()))
            .bind(item.case.map(|c| c.to_string()))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn get(conn: &mut Connection, id: EventId) -> Result<Option<Meeting>> {
    let row: Option<(String, String, String, String, String)> =
        sqlx::query_as("SELECT id, service, kind, held_on, chaired_by FROM meetings WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    let Some((id, service, kind, held_on, chaired_by)) = row else { return Ok(None) };
    type ItemRow = (i64, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<i64>);
    let items: Vec<ItemRow> = sqlx::query_as(
        "SELECT position, referral_id, case_id, outcome, minute, decided_by, decided_at FROM meeting_items
         WHERE meeting_id = $1 ORDER BY position",
    )
    .bind(&id)
    .fetch_all(conn)
    .await?;
    Ok(Some(Meeting {
        id: parse("meeting id", &id)?,
        service: code(&service)?,
        kind: code(&kind)?,
        held_on: date(&held_on)?,
        chaired_by: parse("user id", &chaired_by)?,
        items: items
            .into_iter()
            .map(|(position, referral, case, outcome, minute, by, at)| {
                Ok(Item {
                    position: u32::try_from(position).unwrap_or_default(),
                    referral: referral.as_deref().map(|r| parse("referral id", r)).transpose()?,
                    case: case.as_deref().map(|c| parse("case id", c)).transpose()?,
                    outcome,
                    minute,
                    decided_by: by.as_deref().map(|u| parse("user id", u)).transpose()?,
                    decided_at: at.map(instant).transpose()?,
                })
            })
            .collect::<Result<_>>()?,
    }))
}

/// Records the decision on an item not yet decided; `false` if it already was.
pub async fn decide_item(
    conn: &mut Connection,
    meeting: EventId,
    position: u32,
    outcome: &str,
    minute: &str,
    by: UserId,
    at: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE meeting_items SET outcome = $1, minute = $2, decided_by = $3, decided_at = $4
         WHERE meeting_id = $5 AND position = $6 AND decided_at IS NULL",
    )
    .bind(outcome)
    .bind(minute)
    .bind(by.to_string())
    .bind(micros(at))
    .bind(meeting.to_string())
    .bind(i64::from(position))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
