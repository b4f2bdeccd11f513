//! What the API returns: its own types, so the published contract changes only when we
//! mean it to, whatever happens inside the domain. Instants are RFC 3339 strings in UTC,
//! dates are `YYYY-MM-DD`, ids are UUIDs.

use casework_app::cases::CaseSummary;
use casework_app::cases::CaseView;
use casework_domain as d;
use serde::Serialize;
use utoipa::ToSchema;

pub(crate) fn instant(t: jiff::Timestamp) -> String {
    t.to_string()
}

fn date(d: jiff::civil::Date) -> String {
    d.to_string()
}

/// A page of a list. Pass `next_cursor` back as `cursor` for the next page; it is absent on the last.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IdentifierOut {
    /// gmc-number, nhs-number, prison-number or external-reference.
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RelationshipOut {
    /// carer, parent, representative, referrer or other.
    pub kind: String,
    pub person: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonOut {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub known_as: Option<String>,
    pub date_of_birth: Option<String>,
    pub identifiers: Vec<IdentifierOut>,
    pub relationships: Vec<RelationshipOut>,
}

impl From<d::person::Person> for PersonOut {
    fn from(p: d::person::Person) -> Self {
        PersonOut {
            id: p.id.to_string(),
            given_name: p.given_name.to_string(),
            family_name: p.family_name.to_string(),
            known_as: p.known_as.map(|k| k.to_string()),
            date_of_birth: p.date_of_birth.map(date),
            identifiers: p
                .identifiers
                .into_iter()
                .map(|i| IdentifierOut { kind: i.kind.name().into(), value: i.value })
                .collect(),
            relationships: p
                .relationships
                .into_iter()
                .map(|r| RelationshipOut { kind: r.kind.name().into(), person: r.person.to_string() })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationOut {
    pub id: String,
    pub name: String,
    /// partner-agency, body-complained-about, prison, employer or other.
    pub kind: String,
}

impl From<d::person::Organisation> for OrganisationOut {
    fn from(o: d::person::Organisation) -> Self {
        OrganisationOut { id: o.id.to_string(), name: o.name.to_string(), kind: o.kind.name().into() }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreOut {
    pub total: i64,
    /// The band of the service's scoring the total falls in.
    pub band: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FormOut {
    pub form: String,
    #[schema(value_type = Object)]
    pub answers: serde_json::Map<String, serde_json::Value>,
    /// Who completed it: a role of the service, or `subject` for the person themselves.
    pub completed_by: String,
    pub score: Option<ScoreOut>,
    pub submitted_by: String,
    pub submitted_at: String,
}

impl From<d::referral::AttachedForm> for FormOut {
    fn from(f: d::referral::AttachedForm) -> Self {
        FormOut {
            form: f.form.to_string(),
            answers: f.answers,
            completed_by: f.completed_by.to_string(),
            score: f.score.map(|s| ScoreOut { total: s.total, band: s.band.map(|b| b.to_string()) }),
            submitted_by: f.submitted_by.to_string(),
            submitted_at: instant(f.submitted_at),
        }
    }
}

/// A form filled in on a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionOut {
    pub id: String,
    pub case: String,
    #[serde(flatten)]
    pub form: FormOut,
}

impl From<casework_app::store::forms::Submission> for SubmissionOut {
    fn from(s: casework_app::store::forms::Submission) -> Self {
        SubmissionOut { id: s.id.to_string(), case: s.case.to_string(), form: s.form.into() }
    }
}

/// Whether a referral's forms make it valid.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidityOut {
    pub valid: bool,
    /// For each set of forms that would make it valid, the forms still missing.
    pub missing: Vec<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralOut {
    pub id: String,
    pub service: String,
    pub person: String,
    /// self-referral, staff, agency, form, email, phone or automatic.
    pub source: String,
    pub received_at: String,
    pub summary: String,
    pub forms: Vec<FormOut>,
    pub previous: Option<String>,
    /// pending, accepted, rejected or kept-on-file.
    pub outcome: String,
    /// The case opened for it, when accepted.
    pub case: Option<String>,
    /// The rejection reason, when rejected.
    pub reason: Option<String>,
    pub explanation: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub recorded_by: String,
    pub validity: ValidityOut,
}

impl From<(d::referral::Referral, d::form::Validity)> for ReferralOut {
    fn from((r, validity): (d::referral::Referral, d::form::Validity)) -> Self {
        use d::referral::ReferralOutcome as O;
        let outcome = r.outcome.name().to_owned();
        let (case, reason, explanation, decided_by, decided_at) = match r.outcome {
            O::Pending => (None, None, None, None, None),
            O::Accepted { case, by, at } => (Some(case.to_string()), None, None, Some(by), Some(at)),
            O::Rejected { reason, explanation, by, at } => (None, Some(reason.to_string()), explanation, Some(by), Some(at)),
            O::KeptOnFile { explanation, by, at } => (None, None, explanation, Some(by), Some(at)),
        };
        ReferralOut {
            id: r.id.to_string(),
            service: r.service.to_string(),
            person: r.person.to_string(),
            source: r.source.name().into(),
            received_at: instant(r.received_at),
            summary: r.summary.to_string(),
            forms: r.forms.into_iter().map(FormOut::from).collect(),
            previous: r.previous.map(|p| p.to_string()),
            outcome,
            case,
            reason,
            explanation: explanation.map(|e| e.to_string()),
            decided_by: decided_by.map(|u| u.to_string()),
            decided_at: decided_at.map(instant),
            recorded_by: r.recorded_by.to_string(),
            validity: ValidityOut {
                valid: validity.valid,
                missing: validity.missing.into_iter().map(|set| set.into_iter().map(|f| f.to_string()).collect()).collect(),
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FlagOut {
    pub flag: String,
    pub set_by: String,
    pub set_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkOut {
    /// related, shadow-of or transferred-from.
    pub kind: String,
    pub case: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyDateOut {
    pub key_date: String,
    pub date: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseOut {
    pub id: String,
    /// The service's own reference, e.g. DARS-2026-000123.
    pub reference: String,
    pub service: String,
    /// The version of the service definition the case follows.
    pub service_version: u32,
    pub person: String,
    pub referral: String,
    pub stage: String,
    pub level: Option<String>,
    /// open or closed.
    pub status: String,
    pub closure_reason: Option<String>,
    pub closed_at: Option<String>,
    pub closed_by: Option<String>,
    pub worker: Option<String>,
    pub team: Option<String>,
    pub flags: Vec<FlagOut>,
    pub key_dates: Vec<KeyDateOut>,
    pub links: Vec<LinkOut>,
    pub opened_at: String,
    /// none, restricted or shielded (who is named: `GET /api/v1/cases/{id}/restriction`).
    pub restriction: String,
    /// Send this back with any change: a change based on an older version is refused with 409.
    pub version: i64,
}

impl From<d::case::Case> for CaseOut {
    fn from(c: d::case::Case) -> Self {
        let (status, closure_reason, closed_at, closed_by) = match c.status {
            d::case::CaseStatus::Open => ("open", None, None, None),
            d::case::CaseStatus::Closed { reason, at, by } => {
                ("closed", Some(reason.to_string()), Some(instant(at)), Some(by.to_string()))
            }
        };
        CaseOut {
            id: c.id.to_string(),
            reference: c.reference.to_string(),
            service: c.service.to_string(),
            service_version: c.service_version,
            person: c.person.to_string(),
            referral: c.referral.to_string(),
            stage: c.stage.to_string(),
            level: c.level.map(|l| l.to_string()),
            status: status.into(),
            closure_reason,
            closed_at,
            closed_by,
            worker: c.worker.map(|w| w.to_string()),
            team: c.team.map(|t| t.to_string()),
            flags: c
                .flags
                .into_iter()
                .map(|f| FlagOut { flag: f.code.to_string(), set_by: f.set_by.to_string(), set_at: instant(f.set_at) })
                .collect(),
            key_dates: c.key_dates.into_iter().map(|(k, v)| KeyDateOut { key_date: k.to_string(), date: date(v) }).collect(),
            links: c.links.into_iter().map(|l| LinkOut { kind: l.kind.name().into(), case: l.other.to_string() }).collect(),
            opened_at: instant(c.opened_at),
            restriction: c.restriction.level.name().into(),
            version: c.version,
        }
    }
}

/// A case record with its subject and the cases that link to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseRecordOut {
    #[serde(flatten)]
    pub case: CaseOut,
    pub subject: PersonOut,
    pub linked_from: Vec<LinkOut>,
}

impl From<CaseView> for CaseRecordOut {
    fn from(v: CaseView) -> Self {
        CaseRecordOut {
            case: v.case.into(),
            subject: v.person.into(),
            linked_from: v
                .linked_from
                .into_iter()
                .map(|l| LinkOut { kind: l.kind.name().into(), case: l.case.to_string() })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummaryOut {
    pub id: String,
    pub reference: String,
    pub service: String,
    pub person: String,
    pub person_name: String,
    pub stage: String,
    pub level: Option<String>,
    pub status: String,
    pub worker: Option<String>,
    pub team: Option<String>,
    pub flags: Vec<String>,
    pub opened_at: String,
    pub version: i64,
}

impl From<CaseSummary> for CaseSummaryOut {
    fn from(s: CaseSummary) -> Self {
        CaseSummaryOut {
            id: s.id.to_string(),
            reference: s.reference,
            service: s.service.to_string(),
            person: s.person.to_string(),
            person_name: s.person_name,
            stage: s.stage.to_string(),
            level: s.level.map(|l| l.to_string()),
            status: s.status,
            worker: s.worker.map(|w| w.to_string()),
            team: s.team.map(|t| t.to_string()),
            flags: s.flags.into_iter().map(|f| f.to_string()).collect(),
            opened_at: instant(s.opened_at),
            version: s.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteOut {
    pub id: String,
    pub case: String,
    /// contact, phone, email, meeting, supervision or analysis.
    pub kind: String,
    pub body: String,
    pub contact_at: String,
    pub recorded_at: String,
    pub author: String,
    /// For an addendum: the note it adds to.
    pub addendum_to: Option<String>,
    /// Recorded on a later day than the contact.
    pub late_entry: bool,
}

impl From<d::note::Note> for NoteOut {
    fn from(n: d::note::Note) -> Self {
        NoteOut {
            id: n.id.to_string(),
            case: n.case.to_string(),
            kind: n.kind.name().into(),
            body: n.body.to_string(),
            contact_at: instant(n.contact_at),
            recorded_at: instant(n.recorded_at),
            author: n.author.to_string(),
            addendum_to: n.addendum_to.map(|a| a.to_string()),
            late_entry: n.late_entry,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssigneeOut {
    /// user, role or queue.
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

impl From<&d::task::Assignee> for AssigneeOut {
    fn from(a: &d::task::Assignee) -> Self {
        match a {
            d::task::Assignee::User(u) => AssigneeOut { kind: "user".into(), id: u.to_string() },
            d::task::Assignee::Role(r) => AssigneeOut { kind: "role".into(), id: r.to_string() },
            d::task::Assignee::Queue(q) => AssigneeOut { kind: "queue".into(), id: q.to_string() },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskOut {
    pub id: String,
    pub case: String,
    pub title: String,
    pub assignee: AssigneeOut,
    pub due_on: Option<String>,
    /// open, completed or cancelled.
    pub status: String,
    /// Who completed or cancelled it, and when.
    pub ended_by: Option<String>,
    pub ended_at: Option<String>,
    /// The outcome of completed work.
    pub outcome: Option<String>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub version: i64,
}

impl From<d::task::Task> for TaskOut {
    fn from(t: d::task::Task) -> Self {
        use d::task::TaskStatus as S;
        let status = t.status.name().to_owned();
        let (ended_by, ended_at, outcome, cancel_reason) = match t.status {
            S::Open => (None, None, None, None),
            S::Completed { by, at, outcome } => (Some(by.to_string()), Some(instant(at)), outcome.map(|o| o.to_string()), None),
            S::Cancelled { by, at, reason } => (Some(by.to_string()), Some(instant(at)), None, Some(reason.to_string())),
        };
        TaskOut {
            id: t.id.to_string(),
            case: t.case.to_string(),
            title: t.title.to_string(),
            assignee: (&t.assignee).into(),
            due_on: t.due_on.map(date),
            status,
            ended_by,
            ended_at,
            outcome,
            cancel_reason,
            created_by: t.created_by.to_string(),
            created_at: instant(t.created_at),
            version: t.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionOut {
    pub id: String,
    pub case: String,
    pub outcome: String,
    /// The organisation the decision is about, where several bodies are involved.
    pub body: Option<String>,
    pub reason_list: String,
    pub reason: String,
    pub rationale: Option<String>,
    pub decided_by: String,
    pub decided_at: String,
}

impl From<d::decision::Decision> for DecisionOut {
    fn from(x: d::decision::Decision) -> Self {
        DecisionOut {
            id: x.id.to_string(),
            case: x.case.to_string(),
            outcome: x.outcome.to_string(),
            body: x.body.map(|b| b.to_string()),
            reason_list: x.reason_list.to_string(),
            reason: x.reason.to_string(),
            rationale: x.rationale.map(|r| r.to_string()),
            decided_by: x.decided_by.to_string(),
            decided_at: instant(x.decided_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventOut {
    pub id: String,
    pub case: Option<String>,
    pub actor: String,
    pub at: String,
    /// What happened, e.g. stage-changed, note-added, task-cancelled.
    pub kind: String,
    /// The kind of record the event is about (case, note, task, referral…).
    pub subject_type: String,
    pub subject_id: String,
    #[schema(value_type = Object)]
    pub before: serde_json::Value,
    #[schema(value_type = Object)]
    pub after: serde_json::Value,
}

impl From<d::history::Event> for EventOut {
    fn from(e: d::history::Event) -> Self {
        let subject = serde_json::to_value(e.subject).unwrap_or_default();
        EventOut {
            id: e.id.to_string(),
            case: e.case.map(|c| c.to_string()),
            actor: e.actor.to_string(),
            at: instant(e.at),
            kind: e.kind.name(),
            subject_type: subject["type"].as_str().unwrap_or_default().to_owned(),
            subject_id: subject["id"].as_str().unwrap_or_default().to_owned(),
            before: e.before,
            after: e.after,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleGrantOut {
    pub service: String,
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub administrator: bool,
    pub disabled: bool,
    pub created_at: String,
    pub roles: Vec<RoleGrantOut>,
    pub teams: Vec<String>,
}

impl From<d::user::UserAccount> for UserOut {
    fn from(u: d::user::UserAccount) -> Self {
        UserOut {
            id: u.id.to_string(),
            username: u.username.to_string(),
            display_name: u.display_name.to_string(),
            administrator: u.administrator,
            disabled: u.disabled,
            created_at: instant(u.created_at),
            roles: u
                .roles
                .into_iter()
                .map(|r| RoleGrantOut { service: r.service.to_string(), role: r.role.to_string() })
                .collect(),
            teams: u.teams.into_iter().map(|t| t.to_string()).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamOut {
    pub id: String,
    pub service: String,
    pub name: String,
}

impl From<d::user::Team> for TeamOut {
    fn from(t: d::user::Team) -> Self {
        TeamOut { id: t.id.to_string(), service: t.service.to_string(), name: t.name.to_string() }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipOut {
    pub service: String,
    pub role: String,
    pub role_name: String,
    /// service, team, allocated or none: which cases the role's permissions reach.
    pub reach: String,
    pub permissions: Vec<String>,
    pub teams: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeOut {
    pub id: String,
    pub username: String,
    pub administrator: bool,
    pub memberships: Vec<MembershipOut>,
}

impl From<&d::access::Actor> for MeOut {
    fn from(a: &d::access::Actor) -> Self {
        MeOut {
            id: a.user.to_string(),
            username: a.username.clone(),
            administrator: a.administrator,
            memberships: a
                .memberships
                .iter()
                .map(|m| MembershipOut {
                    service: m.service.to_string(),
                    role: m.role.code.to_string(),
                    role_name: m.role.name.clone(),
                    reach: serde_json::to_value(m.role.reach)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    permissions: m.role.permissions.iter().map(|p| p.name().to_owned()).collect(),
                    teams: m.teams.iter().map(ToString::to_string).collect(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenOut {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<casework_app::auth::ApiToken> for ApiTokenOut {
    fn from(t: casework_app::auth::ApiToken) -> Self {
        ApiTokenOut {
            id: t.id,
            name: t.name,
            created_at: instant(t.created_at),
            expires_at: t.expires_at.map(instant),
            revoked_at: t.revoked_at.map(instant),
        }
    }
}

/// A new API token. The token itself is shown only in this answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewApiTokenOut {
    pub id: String,
    pub name: String,
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceOut {
    pub code: String,
    pub name: String,
    pub reference_prefix: String,
    pub closes_cases: bool,
    pub level_label: String,
    /// The whole definition as loaded.
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedReferralOut {
    pub referral: ReferralOut,
    /// The case opened for it.
    pub case: Option<CaseOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionOut {
    /// e.g. "5 working days".
    pub by: String,
    pub reason: String,
    pub at: String,
}

/// A deadline on a case, with the time it has left.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineOut {
    pub id: String,
    /// The timer's code in the service definition.
    pub code: String,
    pub name: String,
    /// running, paused, met, breached or completed-late.
    pub state: String,
    /// e.g. "5 working days" or "72 hours".
    pub target: String,
    pub started_at: String,
    pub due_at: String,
    /// In words: "due in 3 working days", "due today", "overdue by 2 working days", "paused", "met", "breached".
    pub left: String,
    pub overdue: bool,
    pub extensions: Vec<ExtensionOut>,
}

impl From<casework_app::timers::Deadline> for DeadlineOut {
    fn from(d: casework_app::timers::Deadline) -> Self {
        DeadlineOut {
            id: d.id.to_string(),
            code: d.timer.code.to_string(),
            name: d.name,
            state: d.timer.state.name().to_owned(),
            target: d.timer.target.to_string(),
            started_at: instant(d.timer.started_at),
            due_at: instant(d.timer.due_at),
            left: d.left.to_string(),
            overdue: d.left.is_overdue(),
            extensions: d
                .timer
                .extensions
                .into_iter()
                .map(|e| ExtensionOut { by: e.by.to_string(), reason: e.reason.to_string(), at: instant(e.at) })
                .collect(),
        }
    }
}

/// An alert or reminder about a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertOut {
    pub id: String,
    pub case: String,
    pub case_reference: String,
    pub service: String,
    /// The rule that raised it; absent for a reminder someone set.
    pub rule: Option<String>,
    /// Which firing of the rule this is (1 for the first).
    pub occurrence: u32,
    pub to: AssigneeOut,
    pub message: String,
    /// When it fired (or, for a reminder, the day it is for).
    pub fire_at: String,
    pub created_by: String,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<String>,
    /// The note on the case that acknowledged it.
    pub acknowledgement: Option<String>,
}

impl From<casework_app::store::alerts::Alert> for AlertOut {
    fn from(a: casework_app::store::alerts::Alert) -> Self {
        AlertOut {
            id: a.id.to_string(),
            case: a.case.to_string(),
            case_reference: a.case_reference,
            service: a.service.to_string(),
            rule: a.rule.map(|r| r.to_string()),
            occurrence: a.occurrence,
            to: (&a.recipient).into(),
            message: a.message,
            fire_at: instant(a.fire_at),
            created_by: a.created_by.to_string(),
            acknowledged_by: a.acknowledged.as_ref().map(|k| k.by.to_string()),
            acknowledged_at: a.acknowledged.as_ref().map(|k| instant(k.at)),
            acknowledgement: a.acknowledged.as_ref().map(|k| k.note.to_string()),
        }
    }
}

/// A work list of a service, with how many cases the reader would see in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkListOut {
    pub service: String,
    pub code: String,
    pub name: String,
    pub count: i64,
}

impl From<casework_app::work_lists::WorkListCount> for WorkListOut {
    fn from(w: casework_app::work_lists::WorkListCount) -> Self {
        WorkListOut { service: w.service.to_string(), code: w.list.code.to_string(), name: w.list.name, count: w.count }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectiveOut {
    pub id: String,
    pub description: String,
    /// How progress is measured.
    pub measure: String,
    pub target_date: String,
    /// open, achieved, not-achieved or dropped.
    pub status: String,
    pub created_by: String,
    pub created_at: String,
}

impl From<d::plan::Objective> for ObjectiveOut {
    fn from(o: d::plan::Objective) -> Self {
        ObjectiveOut {
            id: o.id.to_string(),
            description: o.description.to_string(),
            measure: o.measure.to_string(),
            target_date: date(o.target_date),
            status: serde_json::to_value(o.status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
            created_by: o.created_by.to_string(),
            created_at: instant(o.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewOutcomeOut {
    pub objective: String,
    /// achieved, progressing, not-achieved or dropped.
    pub outcome: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewOut {
    pub id: String,
    pub summary: String,
    pub outcomes: Vec<ReviewOutcomeOut>,
    pub reviewed_by: String,
    pub reviewed_at: String,
    pub next_review_on: Option<String>,
}

impl From<d::plan::Review> for ReviewOut {
    fn from(r: d::plan::Review) -> Self {
        ReviewOut {
            id: r.id.to_string(),
            summary: r.summary.to_string(),
            outcomes: r
                .outcomes
                .into_iter()
                .map(|(objective, outcome)| ReviewOutcomeOut {
                    objective: objective.to_string(),
                    outcome: serde_json::to_value(outcome).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
                })
                .collect(),
            reviewed_by: r.reviewed_by.to_string(),
            reviewed_at: instant(r.reviewed_at),
            next_review_on: r.next_review_on.map(date),
        }
    }
}

/// A case's care plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanOut {
    pub started_on: Option<String>,
    pub last_review_on: Option<String>,
    /// When the next review is due, from the service's interval for the case's current level.
    pub next_review_on: Option<String>,
    /// The review interval for the case's current level, e.g. {"weeks": 2}.
    #[schema(value_type = Option<Object>)]
    pub review_every: Option<serde_json::Value>,
    pub objectives: Vec<ObjectiveOut>,
    /// Newest first.
    pub reviews: Vec<ReviewOut>,
}

impl From<casework_app::plans::PlanView> for PlanOut {
    fn from(p: casework_app::plans::PlanView) -> Self {
        PlanOut {
            started_on: p.dates.map(|d| date(d.started_on)),
            last_review_on: p.dates.and_then(|d| d.last_review_on).map(date),
            next_review_on: p.dates.and_then(|d| d.next_review_on).map(date),
            review_every: p.review_interval.and_then(|i| serde_json::to_value(i).ok()),
            objectives: p.objectives.into_iter().map(Into::into).collect(),
            reviews: p.reviews.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingItemOut {
    pub position: u32,
    pub referral: Option<String>,
    pub case: Option<String>,
    /// accepted, rejected, kept-on-file or discussed; absent until decided.
    pub outcome: Option<String>,
    pub minute: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

/// A meeting with its agenda and the decisions taken so far.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingOut {
    pub id: String,
    pub service: String,
    pub meeting: String,
    pub held_on: String,
    pub chaired_by: String,
    pub items: Vec<MeetingItemOut>,
}

impl From<casework_app::store::meetings::Meeting> for MeetingOut {
    fn from(m: casework_app::store::meetings::Meeting) -> Self {
        MeetingOut {
            id: m.id.to_string(),
            service: m.service.to_string(),
            meeting: m.kind.to_string(),
            held_on: date(m.held_on),
            chaired_by: m.chaired_by.to_string(),
            items: m
                .items
                .into_iter()
                .map(|i| MeetingItemOut {
                    position: i.position,
                    referral: i.referral.map(|r| r.to_string()),
                    case: i.case.map(|c| c.to_string()),
                    outcome: i.outcome,
                    minute: i.minute,
                    decided_by: i.decided_by.map(|u| u.to_string()),
                    decided_at: i.decided_at.map(instant),
                })
                .collect(),
        }
    }
}

/// The cases a search found, best match first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub items: Vec<SearchResultOut>,
}

/// A case a search found, with the text of it that matched best.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResultOut {
    /// The case's id.
    pub case: String,
    pub reference: String,
    pub service: String,
    pub person_name: String,
    /// What matched best: note (a note or an addendum), form (a form's answers) or person
    /// (the person's name).
    pub kind: String,
    /// The id of that note, form submission or person.
    pub record: String,
    /// A few words of that text around the matches, in order; the matched words are the
    /// parts with `marked` true. Plain text: show it escaped, as any text.
    pub snippet: Vec<SnippetPartOut>,
}

/// A piece of a snippet, `marked` where it matched the search.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnippetPartOut {
    pub text: String,
    pub marked: bool,
}

impl From<casework_app::search::SearchHit> for SearchResultOut {
    fn from(hit: casework_app::search::SearchHit) -> Self {
        SearchResultOut {
            case: hit.case.to_string(),
            reference: hit.reference,
            service: hit.service.to_string(),
            person_name: hit.person_name,
            kind: hit.kind.name().to_owned(),
            record: hit.record,
            snippet: hit.snippet.into_iter().map(|p| SnippetPartOut { text: p.text, marked: p.marked }).collect(),
        }
    }
}
