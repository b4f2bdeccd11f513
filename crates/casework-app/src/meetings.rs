//! Meetings that decide many things in one sitting: the weekly triage of valid referrals
//! (level, outcome and allocation for each), or a review of a work list's cases. The agenda
//! is fixed when the meeting opens; each decision is written back to its referral or case,
//! with the minute, in one transaction.

use crate::referrals::Decision;
use crate::{App, AppError, Result};
use casework_domain::FieldError;
use casework_domain::access::{Actor, Permission};
use casework_domain::history::{Change, EventKind, Subject};
use casework_domain::ids::{CaseId, EventId};
use casework_domain::note::{NewNote, Note, NoteKind};
use casework_domain::service::{Agenda, MeetingDefinition};
use casework_domain::text::{Code, LongText};
use casework_store::meetings::{self, Item, Meeting};
use casework_store::{Connection, events, notes};
use jiff::Timestamp;
use serde_json::{Value, json};

/// What a meeting decided about one item.
#[derive(Debug, Clone)]
pub enum ItemDecision {
    /// For a referral: accept (with level and allocation), reject, or keep on file.
    Referral(Decision),
    /// For a case: discussed, with the minute as a note on the case.
    Discussed,
}

impl App {
    fn meeting_definition(&self, actor: &Actor, service: &Code, kind: &Code) -> Result<MeetingDefinition> {
        let definition = self
            .services
            .get(service)
            .and_then(|d| d.meetings.iter().find(|m| &m.code == kind))
            .cloned()
            .ok_or(AppError::NotFound("meeting"))?;
        let chairs = actor.memberships.iter().any(|m| &m.service == service && m.role.code == definition.chaired_by);
        if chairs { Ok(definition) } else { Err(AppError::Forbidden("hold this meeting")) }
    }

    /// Opens a meeting with its agenda as it stands now.
    pub async fn hold_meeting(&self, actor: &Actor, service: &Code, kind: &Code, held_on: jiff::civil::Date) -> Result<Meeting> {
        let definition = self.meeting_definition(actor, service, kind)?;
        let now = self.now();
        let (referrals, case_ids): (Vec<_>, Vec<CaseId>) = match &definition.agenda {
            Agenda::PendingReferrals => {
                let pending = self.list_referrals(actor, Some(service), Some("pending"), None, None, 1000).await?;
                let valid = pending.into_iter().filter(|r| self.referral_validity(r).valid).map(|r| r.id);
                // Oldest first: the order they came in.
                let mut valid: Vec<_> = valid.collect();
                valid.reverse();
                (valid, Vec::new())
            }
            Agenda::WorkList { work_list } => {
                let mut listed = self.work_list(actor, service, work_list, None, 1000).await?;
                listed.reverse();
                (Vec::new(), listed.into_iter().map(|c| c.id).collect())
            }
        };
        let items = referrals
            .into_iter()
            .map(|r| (Some(r), None))
            .chain(case_ids.into_iter().map(|c| (None, Some(c))))
            .enumerate()
            .map(|(i, (referral, case))| Item {
                position: u32::try_from(i + 1).unwrap_or(u32::MAX),
                referral,
                case,
                outcome: None,
                minute: None,
                decided_by: None,
                decided_at: None,
            })
            .collect();
        let meeting =
            Meeting { id: EventId::new(), service: service.clone(), kind: kind.clone(), held_on, chaired_by: actor.user, items };
        let mut tx = self.store.begin().await?;
        meetings::insert(&mut tx, &meeting, now).await?;
        tx.commit().await?;
        Ok(meeting)
    }

    /// A meeting and its decisions so far, for those who may hold it.
    pub async fn meeting(&self, actor: &Actor, id: EventId) -> Result<Meeting> {
        let mut conn = self.store.read().await?;
        let meeting = meetings::get(&mut conn, id).await?.ok_or(AppError::NotFound("meeting"))?;
        self.meeting_definition(actor, &meeting.service, &meeting.kind).map_err(|_| AppError::NotFound("meeting"))?;
        Ok(meeting)
    }

    /// Decides one item of the agenda and writes the decision back to its referral or case.
    pub async fn decide_meeting_item(
        &self,
        actor: &Actor,
        id: EventId,
        position: u32,
        decision: ItemDecision,
        minute: LongText,
    ) -> Result<Meeting> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let meeting = meetings::get(&mut tx, id).await?.ok_or(AppError::NotFound("meeting"))?;
        self.meeting_definition(actor, &meeting.service, &meeting.kind).map_err(|_| AppError::NotFound("meeting"))?;
        let item = meeting.items.iter().find(|i| i.position == position).ok_or(AppError::NotFound("agenda item"))?;
        if item.decided_at.is_some() {
            return Err(AppError::Conflict("this item was already decided".into()));
        }
        let (outcome, case) = match (decision, item.referral, item.case) {
            (ItemDecision::Referral(decision), Some(referral), None) => {
                let outcome = match &decision {
                    Decision::Accept(_) => "accepted",
                    Decision::Reject { .. } => "rejected",
                    Decision::KeepOnFile { .. } => "kept-on-file",
                };
                let (_, opened) = self.decide_referral_on(&mut tx, actor, referral, decision, now).await?;
                (outcome, opened.map(|c| c.id))
            }
            (ItemDecision::Discussed, None, Some(case)) => {
                self.case_for(&mut tx, actor, case, Permission::NoteAdd, "write notes on this case").await?;
                ("discussed", Some(case))
            }
            _ => {
                return Err(
                    FieldError::new("outcome", "a referral is accepted, rejected or kept on file; a case is discussed").into()
                );
            }
        };
        if let Some(case) = case {
            self.write_minute(&mut tx, actor, case, &meeting, minute.clone(), now).await?;
        }
        if !meetings::decide_item(&mut tx, id, position, outcome, minute.as_str(), actor.user, now).await? {
            return Err(AppError::Conflict("this item was decided meanwhile".into()));
        }
        let saved = meetings::get(&mut tx, id).await?.ok_or(AppError::NotFound("meeting"))?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn write_minute(
        &self,
        conn: &mut Connection,
        actor: &Actor,
        case: CaseId,
        meeting: &Meeting,
        minute: LongText,
        now: Timestamp,
    ) -> Result<()> {
        let note = Note::record(case, NewNote::new(NoteKind::Meeting, minute, now, now)?, actor.user, now);
        notes::insert(conn, &note).await?;
        let change = Change::new(
            EventKind::NoteAdded,
            Subject::Note(note.id),
            Value::Null,
            json!({ "kind": note.kind, "contact_at": note.contact_at, "late_entry": false, "meeting": meeting.id }),
        );
        events::insert(conn, &change.into_event(Some(case), actor.user, now)).await?;
        Ok(())
    }
}
