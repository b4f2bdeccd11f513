//! The case page: the identity bar and one section at a time (overview with deadlines and
//! notes, tasks, forms/plan/decisions, case details with closure, history), each with the
//! forms that record what can be done there. The forms post to `case_actions`.

use super::case_actions;
use super::*;
use axum::extract::Query;
use casework_domain::service::ServiceDefinition;
use casework_domain::text::Code;
use std::collections::BTreeMap;
use std::sync::Arc;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route(
            "/cases/{id}",
            get(|State(app), session, Path(id), Query(done)| section(app, session, id, done, Section::Overview)),
        )
        .route(
            "/cases/{id}/tasks",
            get(|State(app), session, Path(id), Query(done)| section(app, session, id, done, Section::Tasks)),
        )
        .route(
            "/cases/{id}/record",
            get(|State(app), session, Path(id), Query(done)| section(app, session, id, done, Section::Record)),
        )
        .route(
            "/cases/{id}/details",
            get(|State(app), session, Path(id), Query(done)| section(app, session, id, done, Section::Details)),
        )
        .route("/cases/{id}/sharing", get(sharing_section))
        .route(
            "/cases/{id}/history",
            get(|State(app), session, Path(id), Query(done)| section(app, session, id, done, Section::History)),
        )
        .route(
            "/cases/{id}/documents",
            get(|State(app), session, Path(id), Query(done)| section(app, session, id, done, Section::Documents)),
        )
        .merge(case_actions::routes())
        .merge(super::restrictions::routes())
        .merge(super::documents::routes())
}

/// The sections of the case page, each at its own address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Section {
    Overview,
    Tasks,
    Record,
    Details,
    Sharing,
    History,
    Documents,
}

impl Section {
    pub(super) fn path(self, case: CaseId) -> String {
        match self {
            Section::Overview => format!("/cases/{case}"),
            Section::Tasks => format!("/cases/{case}/tasks"),
            Section::Record => format!("/cases/{case}/record"),
            Section::Details => format!("/cases/{case}/details"),
            Section::Sharing => format!("/cases/{case}/sharing"),
            Section::History => format!("/cases/{case}/history"),
            Section::Documents => format!("/cases/{case}/documents"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Section::Overview => "overview",
            Section::Tasks => "tasks",
            Section::Record => "record",
            Section::Details => "details",
            Section::Sharing => "sharing",
            Section::History => "history",
            Section::Documents => "documents",
        }
    }
}

/// What a re-shown section says about a form that did not go through: each problem with
/// the id of its field, and what was typed, so nothing has to be typed again.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    pub problems: Vec<(String, String)>,
    pub values: BTreeMap<String, String>,
    pub status: Option<StatusCode>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Done {
    done: Option<String>,
}

/// The Sharing section's address names the kind of disclosure its form records.
#[derive(Debug, Deserialize)]
pub(super) struct SharingQuery {
    done: Option<String>,
    kind: Option<String>,
}

/// Fixed confirmations after a form went through; nothing from the request is echoed.
fn confirmation(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "note" => "The note was saved",
        "addendum" => "The addendum was saved",
        "task" => "The task was added",
        "task-completed" => "The task was completed",
        "task-cancelled" => "The task was cancelled",
        "form" => "The form was saved",
        "objective" => "The objective was added to the plan",
        "review" => "The review was recorded",
        "decision" => "The decision was recorded",
        "stage" => "The stage was changed",
        "level" => "The level was changed",
        "flag" => "The flag was set",
        "unflag" => "The flag was removed",
        "key-date" => "The date was saved",
        "link" => "The cases were linked",
        "closed" => "The case was closed",
        "reopened" => "The case was reopened",
        "extended" => "The deadline was extended",
        "consent" => "The consent was recorded",
        "consent-withdrawn" => "The consent was withdrawn: it no longer holds",
        "restriction" => "The case's restriction was changed",
        "disclosure" => "The disclosure was recorded with its basis",
        "document" => "The document was uploaded",
        "redacted-copy" => "The redacted copy was uploaded; the original is kept as it was",
        "paper-document" => "The paper document was recorded",
        "scan" => "The scan was uploaded; the paper original is listed for destruction once the service's period has passed",
        _ => return None,
    })
}

struct NoteRow {
    id: String,
    kind: String,
    contact: String,
    recorded: String,
    author: String,
    late: bool,
    addendum: bool,
    body: String,
}

struct EventRow {
    what: String,
    who: String,
    at: String,
    when: String,
}

struct DeadlineRow {
    id: String,
    name: String,
    left: String,
    class: &'static str,
    extendable: bool,
}

struct TaskRow {
    id: String,
    title: String,
    assignee: String,
    due: String,
    status: String,
    detail: String,
    class: &'static str,
    open: bool,
    version: i64,
}

struct FormRow {
    name: String,
    when: String,
    completed_by: String,
    score: String,
}

struct ObjectiveRow {
    id: String,
    description: String,
    measure: String,
    target: String,
    status: String,
    open: bool,
}

struct DecisionRow {
    list: String,
    outcome: String,
    reason: String,
    rationale: String,
    when: String,
    who: String,
}

struct ClosureRow {
    code: String,
    name: String,
    /// Each step the reason requires, and whether it is done.
    steps: Vec<(String, bool)>,
}

struct ConsentRow {
    id: String,
    what: String,
    detail: String,
    in_force: bool,
    withdrawn: String,
}

struct LinkRow {
    id: String,
    reference: String,
    how: String,
}

/// What the signed-in user may do on this case, to show only the forms that would work.
#[derive(Default)]
struct Abilities {
    notes: bool,
    tasks: bool,
    update: bool,
    allocate: bool,
    decide: bool,
    close: bool,
    reopen: bool,
    documents: bool,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    signed_in: Option<SignedIn>,
    id: String,
    section: &'static str,
    version: i64,
    problems: Vec<(String, String)>,
    values: BTreeMap<String, String>,
    confirmation: Option<&'static str>,
    person: String,
    born: String,
    reference: String,
    service_name: String,
    stage: String,
    level_label: String,
    level: String,
    worker: String,
    open: bool,
    closure: String,
    consent: String,
    consent_class: &'static str,
    consents: Vec<ConsentRow>,
    flags: Vec<(String, String)>,
    links: Vec<LinkRow>,
    may: Abilities,
    deadlines: Vec<DeadlineRow>,
    notes: Vec<NoteRow>,
    note_kinds: Vec<(&'static str, &'static str)>,
    tasks: Vec<TaskRow>,
    /// Value and label of everyone and everything a task can go to.
    assignees: Vec<(String, String)>,
    forms: Vec<FormRow>,
    /// Code and name of the forms that can be filled in on this case.
    fillable: Vec<(String, String)>,
    objectives: Vec<ObjectiveRow>,
    /// Name, label and hint of the fields of a new objective.
    objective_fields: [(&'static str, &'static str, &'static str); 3],
    review_outcomes: [(&'static str, &'static str); 4],
    /// Name, label and hint of the text fields of a new consent.
    consent_fields: [(&'static str, &'static str, &'static str); 6],
    next_review: String,
    review_interval: String,
    /// When and summary of each review, newest first.
    reviews: Vec<(String, String)>,
    decisions: Vec<DecisionRow>,
    outcomes: Vec<(String, String)>,
    /// Each reason list (a body, or a kind of decision) with its reasons as `list:reason`.
    reason_lists: Vec<(String, Vec<(String, String)>)>,
    stages: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    unset_flags: Vec<(String, String)>,
    /// Code, name and date (as written) of each key date.
    key_dates: Vec<(String, String, String)>,
    closure_reasons: Vec<ClosureRow>,
    events: Vec<EventRow>,
    /// "Restricted" or "Shielded" for the identity bar; empty for other cases.
    restriction_tag: &'static str,
    /// The reason and the end of the reader's break-glass access, while they are in by it.
    break_glass: Option<(String, String)>,
    /// The restriction and its change form, for those who may restrict the case.
    restriction_panel: Option<super::restrictions::RestrictionPanel>,
    sharing: super::sharing::SharingView,
    documents: Vec<super::documents::DocumentRow>,
    classifications: [(&'static str, &'static str, &'static str); 3],
}

impl CasePage {
    fn problem_for(&self, id: &str) -> Option<&str> {
        self.problems.iter().find(|(anchor, _)| anchor == id).map(|(_, message)| message.as_str())
    }

    fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// Was this choice sent (or, when nothing was sent, is it the default)?
    fn chosen(&self, name: &str, value: &str, default: bool) -> bool {
        self.values.get(name).map_or(default, |sent| sent == value)
    }
}

/// The Sharing section, its form set to record the kind of disclosure the address names.
async fn sharing_section(
    State(app): State<App>,
    session: Session,
    Path(id): Path<String>,
    Query(query): Query<SharingQuery>,
) -> Response {
    let mut outcome = Outcome::default();
    outcome.values.insert("kind".into(), query.kind.unwrap_or_default());
    show(&app, &session, &id, Section::Sharing, confirmation(query.done.as_deref()), outcome).await
}

/// A section of the case, with the confirmation of what the user just did there.
async fn section(app: App, session: Session, id: String, done: Done, section: Section) -> Response {
    show(&app, &session, &id, section, confirmation(done.done.as_deref()), Outcome::default()).await
}

fn every(period: casework_domain::alert::Period) -> String {
    use casework_domain::alert::Period;
    let (n, one, many) = match period {
        Period::Weeks(n) => (n, "week", "weeks"),
        Period::Days(n) => (n, "day", "days"),
        Period::Hours(n) => (n, "hour", "hours"),
    };
    if n == 1 { format!("every {one}") } else { format!("every {n} {many}") }
}

pub(super) fn day(date: jiff::civil::Date) -> String {
    date.strftime("%-d %B %Y").to_string()
}

fn label_in(choices: &[casework_domain::service::Choice], code: &Code) -> String {
    choices.iter().find(|c| &c.code == code).map_or_else(|| code.to_string(), |c| c.name.clone())
}

/// Shows a section of the case, with what a form that did not go through needs to say.
pub(super) async fn show(
    app: &App,
    session: &Session,
    id: &str,
    section: Section,
    confirmation: Option<&'static str>,
    outcome: Outcome,
) -> Response {
    let Session { actor, header } = session;
    let Ok(id) = id.parse::<CaseId>() else { return problem(AppError::NotFound("case"), header.clone()) };
    let status =
        outcome.status.unwrap_or(if outcome.problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY });
    match page(app, actor, header.clone(), id, section, confirmation, outcome).await {
        Ok(page) => render(&page, status),
        Err(AppError::BreakGlassPossible) => super::restrictions::break_glass_page(app, session, id, Outcome::default()).await,
        Err(error) => problem(error, header.clone()),
    }
}

async fn page(
    app: &App,
    actor: &Actor,
    header: Option<SignedIn>,
    id: CaseId,
    section: Section,
    confirmation: Option<&'static str>,
    outcome: Outcome,
) -> Result<CasePage, AppError> {
    // The history is read (and its permission checked) before anything else of the case, so
    // a reader without history.read is refused before any view is logged: a view that is
    // logged must be a view that was served.
    let history = match section {
        Section::History => Some(app.case_history(actor, id, None, 500).await?),
        _ => None,
    };
    let view = app.get_case(actor, id).await?;
    let case = &view.case;
    let definition: Arc<ServiceDefinition> =
        app.services.version(&case.service, case.service_version).ok_or(AppError::NotFound("service"))?;
    let scope = case.scope();
    let open = case.is_open();
    let may = Abilities {
        notes: open && actor.may(Permission::NoteAdd, scope),
        tasks: open && actor.may(Permission::TaskManage, scope),
        update: open && actor.may(Permission::CaseUpdate, scope),
        allocate: open && actor.may(Permission::CaseAllocate, scope),
        decide: open && actor.may(Permission::DecisionRecord, scope),
        close: open && definition.service.closes_cases && actor.may(Permission::CaseClose, scope),
        reopen: !open && actor.may(Permission::CaseReopen, scope),
        documents: open && actor.may(Permission::DocumentAdd, scope),
    };
    let worker = match case.worker {
        Some(worker) => app.display_names(&[worker]).await?.remove(&worker).unwrap_or_else(|| "allocated".into()),
        None => "not allocated".into(),
    };
    // Links both ways, named by reference only when the reader may see the other case.
    let outgoing = case.links.iter().map(|link| {
        let how = match link.kind {
            casework_domain::case::LinkKind::Related => "related",
            casework_domain::case::LinkKind::ShadowOf => "this case shadows",
            casework_domain::case::LinkKind::TransferredFrom => "transferred from",
        };
        (link.other, how)
    });
    let incoming = view.linked_from.iter().map(|link| {
        let how = match link.kind {
            casework_domain::case::LinkKind::Related => "related",
            casework_domain::case::LinkKind::ShadowOf => "shadowed by",
            casework_domain::case::LinkKind::TransferredFrom => "transferred to",
        };
        (link.case, how)
    });
    let mut links = Vec::new();
    for (other, how) in outgoing.chain(incoming).collect::<Vec<_>>() {
        if let Some(reference) = app.case_reference(actor, other).await? {
            links.push(LinkRow { id: other.to_string(), reference, how: how.into() });
        }
    }
    let mut page = CasePage {
        signed_in: header,
        id: id.to_string(),
        section: section.name(),
        version: case.version,
        problems: outcome.problems,
        values: outcome.values,
        confirmation,
        person: view.person.display_name(),
        born: view.person.date_of_birth.map(day).unwrap_or_else(|| "not recorded".into()),
        reference: case.reference.to_string(),
        service_name: definition.service.name.clone(),
        stage: definition.stage(&case.stage).map_or_else(|| case.stage.to_string(), |s| s.name.clone()),
        level_label: definition.service.level_label.clone(),
        level: case.level.as_ref().map_or_else(|| "not set".into(), |l| label_in(&definition.levels, l)),
        worker,
        open,
        closure: String::new(),
        consent: String::new(),
        consent_class: "govuk-tag--grey",
        consents: Vec::new(),
        flags: case.flags.iter().map(|f| (f.code.to_string(), label_in(&definition.flags, &f.code))).collect(),
        links,
        may,
        deadlines: Vec::new(),
        notes: Vec::new(),
        note_kinds: vec![
            ("contact", "Face-to-face contact"),
            ("phone", "Phone call"),
            ("email", "Email"),
            ("meeting", "Meeting"),
            ("supervision", "Supervision"),
            ("analysis", "Analysis"),
        ],
        tasks: Vec::new(),
        assignees: Vec::new(),
        forms: Vec::new(),
        fillable: Vec::new(),
        objectives: Vec::new(),
        objective_fields: [
            ("description", "What the person will achieve", ""),
            ("measure", "How you will know", ""),
            ("target_date", "By when", "For example, 2027-01-31"),
        ],
        consent_fields: [
            ("given_by", "Who agreed", "The person themselves, or their carer, by name"),
            ("relationship", "Who they are to the person", "For example, self, mother, guardian"),
            ("scope", "What may be shared", ""),
            ("with_whom", "Who it may be shared with", ""),
            ("given_on", "The day it was given", "For example, 2027-01-31"),
            ("until", "The last day it holds (optional)", "Leave empty if it holds until withdrawn"),
        ],
        review_outcomes: [
            ("achieved", "Achieved"),
            ("progressing", "Progressing"),
            ("not-achieved", "Not achieved"),
            ("dropped", "Dropped"),
        ],
        next_review: String::new(),
        review_interval: String::new(),
        reviews: Vec::new(),
        decisions: Vec::new(),
        outcomes: Vec::new(),
        reason_lists: Vec::new(),
        stages: Vec::new(),
        levels: Vec::new(),
        unset_flags: Vec::new(),
        key_dates: Vec::new(),
        closure_reasons: Vec::new(),
        events: Vec::new(),
        restriction_tag: match case.restriction.level {
            casework_domain::access::RestrictionLevel::None => "",
            casework_domain::access::RestrictionLevel::Restricted => "Restricted",
            casework_domain::access::RestrictionLevel::Shielded => "Shielded",
        },
        break_glass: None,
        restriction_panel: None,
        sharing: Default::default(),
        documents: Vec::new(),
        classifications: super::documents::CLASSIFICATIONS,
    };
    if case.restriction.is_restricted()
        && !actor.is_named(scope)
        && let Some(window) = actor.broke_glass(scope)
    {
        let reason = definition
            .break_glass
            .as_ref()
            .and_then(|rules| rules.reasons.iter().find(|r| r.code == window.reason))
            .map_or_else(|| window.reason.to_string(), |r| r.name.clone());
        page.break_glass = Some((reason, uk_time(window.until)));
    }
    if let casework_domain::case::CaseStatus::Closed { reason, at, .. } = &case.status {
        page.closure = format!(
            "Closed on {}: {}",
            uk_time(*at),
            definition.closure_reasons.iter().find(|r| &r.code == reason).map_or_else(|| reason.to_string(), |r| r.name.clone())
        );
    }
    let (consents, standing) = app.case_consents(actor, id).await?;
    page.consent = standing.to_string();
    page.consent_class = match standing {
        casework_domain::consent::ConsentStatus::Given { .. } => "govuk-tag--green",
        casework_domain::consent::ConsentStatus::NoneInForce { .. } => "govuk-tag--red",
        casework_domain::consent::ConsentStatus::NotRecorded => "govuk-tag--grey",
    };
    if section == Section::Details && actor.may(Permission::CaseRestrict, scope) {
        page.restriction_panel = Some(super::restrictions::panel(app, actor, case, &definition, &page.values).await?);
    }
    if section == Section::Details {
        let today = casework_domain::time::day_of(app.now());
        page.consents = consents
            .iter()
            .map(|c| ConsentRow {
                id: c.id.to_string(),
                what: format!(
                    "{} by {} ({}) to share {} with {}",
                    if c.kind == casework_domain::consent::ConsentKind::Assent { "Assent" } else { "Consent" },
                    c.given_by,
                    c.relationship,
                    c.scope,
                    c.with_whom
                ),
                detail: format!(
                    "{}, given {}{}",
                    if c.how == casework_domain::consent::GivenHow::Written { "written" } else { "verbal" },
                    day(c.given_on),
                    c.until.map(|u| format!(", until {}", day(u))).unwrap_or_default()
                ),
                in_force: c.in_force(today),
                withdrawn: c.withdrawn.as_ref().map(|w| format!("withdrawn {}: {}", uk_time(w.at), w.reason)).unwrap_or_default(),
            })
            .collect();
    }
    match section {
        Section::Overview => overview_section(app, actor, &mut page, id).await?,
        Section::Tasks => tasks_section(app, actor, &mut page, &definition, &view.case).await?,
        Section::Record => record_section(app, actor, &mut page, &definition, &view.case).await?,
        Section::Details => details_section(app, actor, &mut page, &definition, &view.case).await?,
        Section::Sharing => {
            let kind = page.value("kind").to_owned();
            page.sharing = super::sharing::sharing_view(app, actor, &definition, &view.case, &consents, &kind).await?;
        }
        Section::Documents => page.documents = super::documents::rows(app, actor, id).await?,
        Section::History => {
            let events = history.unwrap_or_default();
            let names = app.display_names(&events.iter().map(|e| e.actor).collect::<Vec<_>>()).await?;
            page.events = events
                .into_iter()
                .rev()
                .map(|e| EventRow {
                    what: e.kind.name().replace('-', " "),
                    who: names.get(&e.actor).cloned().unwrap_or_else(|| "Casework".into()),
                    at: e.at.to_string(),
                    when: uk_time(e.at),
                })
                .collect();
        }
    }
    Ok(page)
}

/// How a deadline looks at a glance: overdue and breached in red, paused in grey.
pub(super) fn deadline_class(left: &casework_domain::timer::TimeLeft, open: bool) -> &'static str {
    use casework_domain::timer::TimeLeft;
    match left {
        TimeLeft::Breached => "cw-deadline--overdue",
        _ if left.is_overdue() => "cw-deadline--overdue",
        TimeLeft::Paused => "cw-deadline--paused",
        _ if open => "cw-deadline--due",
        _ => "cw-deadline--met",
    }
}

async fn overview_section(app: &App, actor: &Actor, page: &mut CasePage, id: CaseId) -> Result<(), AppError> {
    page.deadlines = app
        .case_deadlines(actor, id)
        .await?
        .into_iter()
        .filter(|d| d.timer.state.name() != "cancelled")
        .map(|d| DeadlineRow {
            id: d.id.to_string(),
            class: deadline_class(&d.left, d.timer.is_open()),
            extendable: page.may.update && d.timer.is_open() && !d.left.is_overdue(),
            name: d.name,
            left: d.left.to_string(),
        })
        .collect();
    let notes = app.case_notes(actor, id, None, 100).await?;
    let names = app.display_names(&notes.iter().map(|n| n.author).collect::<Vec<_>>()).await?;
    page.notes = notes
        .into_iter()
        .map(|n| NoteRow {
            id: n.id.to_string(),
            kind: n.kind.name().to_owned(),
            contact: uk_time(n.contact_at),
            recorded: uk_time(n.recorded_at),
            author: names.get(&n.author).cloned().unwrap_or_default(),
            late: n.late_entry,
            addendum: n.addendum_to.is_some(),
            body: n.body.to_string(),
        })
        .collect();
    Ok(())
}

async fn tasks_section(
    app: &App,
    actor: &Actor,
    page: &mut CasePage,
    definition: &ServiceDefinition,
    case: &casework_domain::case::Case,
) -> Result<(), AppError> {
    let tasks = app.case_tasks(actor, case.id, None, 500).await?;
    let mut people: Vec<casework_domain::ids::UserId> = tasks
        .iter()
        .filter_map(|t| match t.assignee {
            casework_domain::task::Assignee::User(user) => Some(user),
            _ => None,
        })
        .collect();
    people.push(actor.user);
    let names = app.display_names(&people).await?;
    let today = casework_domain::time::day_of(app.now());
    page.tasks = tasks
        .into_iter()
        .map(|t| {
            let assignee = match &t.assignee {
                casework_domain::task::Assignee::User(user) => names.get(user).cloned().unwrap_or_default(),
                casework_domain::task::Assignee::Role(role) => {
                    definition.role(role).map_or_else(|| role.to_string(), |r| format!("any {}", r.name.to_lowercase()))
                }
                casework_domain::task::Assignee::Queue(queue) => format!("{} queue", label_in(&definition.queues, queue)),
            };
            let open = matches!(t.status, casework_domain::task::TaskStatus::Open);
            let (status, class) = match &t.status {
                casework_domain::task::TaskStatus::Open if t.due_on.is_some_and(|d| d < today) => ("overdue", "govuk-tag--red"),
                casework_domain::task::TaskStatus::Open => ("open", "govuk-tag--blue"),
                casework_domain::task::TaskStatus::Completed { .. } => ("completed", "govuk-tag--green"),
                casework_domain::task::TaskStatus::Cancelled { .. } => ("cancelled", "govuk-tag--grey"),
            };
            let detail = match &t.status {
                casework_domain::task::TaskStatus::Completed { at, outcome, .. } => {
                    format!("Completed {}{}", uk_time(*at), outcome.as_ref().map(|o| format!(": {o}")).unwrap_or_default())
                }
                casework_domain::task::TaskStatus::Cancelled { at, reason, .. } => {
                    format!("Cancelled {}: {reason}", uk_time(*at))
                }
                casework_domain::task::TaskStatus::Open => String::new(),
            };
            TaskRow {
                id: t.id.to_string(),
                title: t.title.to_string(),
                assignee,
                due: t.due_on.map(day).unwrap_or_default(),
                status: status.to_owned(),
                detail,
                class,
                open,
                version: t.version,
            }
        })
        .collect();
    if page.may.tasks {
        page.assignees = std::iter::once((format!("user:{}", actor.user), "Me".to_owned()))
            .chain(definition.roles.iter().map(|r| (format!("role:{}", r.code), format!("Any {}", r.name.to_lowercase()))))
            .chain(definition.queues.iter().map(|q| (format!("queue:{}", q.code), format!("{} queue", q.name))))
            .collect();
    }
    Ok(())
}

async fn record_section(
    app: &App,
    actor: &Actor,
    page: &mut CasePage,
    definition: &ServiceDefinition,
    case: &casework_domain::case::Case,
) -> Result<(), AppError> {
    let form_name = |code: &Code| definition.form(code).map_or_else(|| code.to_string(), |f| f.name.clone());
    let completer = |code: &Code| {
        if code.as_str() == "subject" {
            "the person".to_owned()
        } else {
            definition.role(code).map_or_else(|| code.to_string(), |r| r.name.to_lowercase())
        }
    };
    page.forms = app
        .case_forms(actor, case.id, None, 200)
        .await?
        .into_iter()
        .map(|s| FormRow {
            name: form_name(&s.form.form),
            when: uk_time(s.form.submitted_at),
            completed_by: completer(&s.form.completed_by),
            score: s
                .form
                .score
                .map(|score| format!("{}{}", score.total, score.band.map(|b| format!(", {b}")).unwrap_or_default()))
                .unwrap_or_default(),
        })
        .collect();
    if page.may.notes {
        // The case-file audit form is filled through an audit round, never on the case itself.
        let audit_form = definition.reports.case_file_audit.as_ref().map(|a| &a.form);
        page.fillable = definition
            .forms
            .iter()
            .filter(|f| audit_form != Some(&f.code))
            .map(|f| (f.code.to_string(), f.name.clone()))
            .collect();
    }
    let plan = app.plan(actor, case.id).await?;
    page.next_review = plan.dates.as_ref().and_then(|d| d.next_review_on).map_or_else(|| "not scheduled".into(), day);
    page.review_interval = plan.review_interval.map(every).unwrap_or_default();
    page.objectives = plan
        .objectives
        .into_iter()
        .map(|o| ObjectiveRow {
            id: o.id.to_string(),
            open: o.status == casework_domain::plan::ObjectiveStatus::Open,
            status: serde_json::to_value(o.status).ok().and_then(|v| v.as_str().map(|s| s.replace('-', " "))).unwrap_or_default(),
            description: o.description.to_string(),
            measure: o.measure.to_string(),
            target: day(o.target_date),
        })
        .collect();
    page.reviews = plan.reviews.into_iter().rev().map(|r| (uk_time(r.reviewed_at), r.summary.to_string())).collect();
    let decisions = app.case_decisions(actor, case.id, None, 200).await?;
    let names = app.display_names(&decisions.iter().map(|d| d.decided_by).collect::<Vec<_>>()).await?;
    page.decisions = decisions
        .into_iter()
        .map(|d| {
            let list = definition.decision_reasons.iter().find(|l| l.code == d.reason_list);
            DecisionRow {
                list: list.map_or_else(|| d.reason_list.to_string(), |l| l.name.clone()),
                outcome: label_in(&definition.decision_outcomes, &d.outcome),
                reason: list.map_or_else(|| d.reason.to_string(), |l| label_in(&l.reasons, &d.reason)),
                rationale: d.rationale.map(|r| r.to_string()).unwrap_or_default(),
                when: uk_time(d.decided_at),
                who: names.get(&d.decided_by).cloned().unwrap_or_default(),
            }
        })
        .collect();
    page.outcomes = definition.decision_outcomes.iter().map(|c| (c.code.to_string(), c.name.clone())).collect();
    page.reason_lists = definition
        .decision_reasons
        .iter()
        .map(|list| {
            (list.name.clone(), list.reasons.iter().map(|r| (format!("{}:{}", list.code, r.code), r.name.clone())).collect())
        })
        .collect();
    Ok(())
}

async fn details_section(
    app: &App,
    actor: &Actor,
    page: &mut CasePage,
    definition: &ServiceDefinition,
    case: &casework_domain::case::Case,
) -> Result<(), AppError> {
    page.stages = definition
        .stage(&case.stage)
        .map(|current| {
            current
                .next
                .iter()
                .map(|code| (code.to_string(), definition.stage(code).map_or(code.to_string(), |s| s.name.clone())))
        })
        .into_iter()
        .flatten()
        .collect();
    page.levels = definition.levels.iter().map(|c| (c.code.to_string(), c.name.clone())).collect();
    page.unset_flags = definition
        .flags
        .iter()
        .filter(|f| !case.flags.iter().any(|set| set.code == f.code))
        .map(|c| (c.code.to_string(), c.name.clone()))
        .collect();
    page.key_dates = definition
        .key_dates
        .iter()
        .map(|k| (k.code.to_string(), k.name.clone(), case.key_dates.get(&k.code).map(ToString::to_string).unwrap_or_default()))
        .collect();
    if page.may.close {
        let done: Vec<Code> = app.case_forms(actor, case.id, None, 500).await?.into_iter().map(|s| s.form.form).collect();
        page.closure_reasons = definition
            .closure_reasons
            .iter()
            .map(|reason| ClosureRow {
                code: reason.code.to_string(),
                name: reason.name.clone(),
                steps: reason
                    .requires
                    .iter()
                    .filter(|step| step.when_flag.as_ref().is_none_or(|flag| case.flags.iter().any(|f| &f.code == flag)))
                    .map(|step| {
                        (
                            definition.form(&step.form).map_or_else(|| step.form.to_string(), |f| f.name.clone()),
                            done.contains(&step.form),
                        )
                    })
                    .collect(),
            })
            .collect();
    }
    Ok(())
}
