//! What can be recorded from the case page: each form posts here, goes through one use case
//! (one transaction), and comes back to its section with a confirmation, or with the problems
//! at their fields and what was typed kept. A case changed by someone else meanwhile is said
//! so, and nothing is written.

use super::cases::{Outcome, Section, show};
use super::schema_form::{self, FormView, form_view};
use super::*;
use casework_domain::ids::{EventId, NoteId, TaskId};
use casework_domain::text::{Code, LongText, ShortText};
use std::collections::BTreeMap;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/cases/{id}/notes", post(add_note))
        .route("/cases/{id}/notes/{note}/addenda", post(add_addendum))
        .route("/cases/{id}/tasks", post(add_task))
        .route("/cases/{id}/tasks/{task}/completion", post(complete_task))
        .route("/cases/{id}/tasks/{task}/cancellation", post(cancel_task))
        .route("/cases/{id}/deadlines/{deadline}/extension", post(extend_deadline))
        .route("/cases/{id}/forms/new", get(new_form_page))
        .route("/cases/{id}/forms", post(submit_form))
        .route("/cases/{id}/plan/objectives", post(add_objective))
        .route("/cases/{id}/plan/reviews", post(review_plan))
        .route("/cases/{id}/decisions", post(record_decision))
        .route("/cases/{id}/stage", post(change_stage))
        .route("/cases/{id}/level", post(change_level))
        .route("/cases/{id}/flags", post(set_flag))
        .route("/cases/{id}/flags/{flag}/removal", post(remove_flag))
        .route("/cases/{id}/key-dates", post(set_key_date))
        .route("/cases/{id}/links", post(link_case))
        .route("/cases/{id}/consents", post(record_consent))
        .route("/cases/{id}/consents/{consent}/withdrawal", post(withdraw_consent))
        .route("/cases/{id}/disclosures", post(record_disclosure))
        .route("/cases/{id}/closure", post(close_case))
        .route("/cases/{id}/reopening", post(reopen_case))
}

pub(super) type Fields = Form<Vec<(String, String)>>;

/// A posted form: its fields by name (the form token is not among what is kept).
pub(super) struct Posted(pub(super) BTreeMap<String, String>);

impl Posted {
    pub(super) fn of(Form(fields): Fields) -> Posted {
        Posted(fields.into_iter().filter(|(name, _)| name != "csrf").collect())
    }

    pub(super) fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", |v| v.trim())
    }

    fn version(&self) -> i64 {
        self.get("version").parse().unwrap_or(-1)
    }
}

/// Where a form of the page sends the user back, and how its fields are named there.
pub(super) struct PageForm {
    pub(super) section: Section,
    /// Page ids are `<prefix>-<field>`; the first field takes problems that name none.
    pub(super) prefix: &'static str,
    pub(super) fields: &'static [&'static str],
    pub(super) done: &'static str,
    /// Where on the section the user lands afterwards.
    pub(super) anchor: &'static str,
}

impl PageForm {
    fn anchor_for(&self, field: &str) -> String {
        let first = field.split('/').next().unwrap_or_default();
        let name = if self.fields.contains(&first) { first } else { self.fields.first().copied().unwrap_or_default() };
        format!("{}-{name}", self.prefix)
    }
}

/// Sends the user on after a use case: back to the section with a confirmation, or the
/// section again with what went wrong.
pub(super) async fn finish<T>(
    app: &App,
    session: &Session,
    case: &str,
    form: &PageForm,
    posted: Posted,
    result: Result<T, AppError>,
) -> Response {
    let Ok(id) = case.parse::<CaseId>() else { return problem(AppError::NotFound("case"), session.header.clone()) };
    let problems = match result {
        Ok(_) => {
            return Redirect::to(&format!("{}?done={}#{}", form.section.path(id), form.done, form.anchor)).into_response();
        }
        Err(AppError::Invalid(invalid)) => {
            invalid.errors.iter().map(|e| (form.anchor_for(&e.field), sentence(&e.message))).collect::<Vec<_>>()
        }
        Err(AppError::Conflict(message)) => {
            let outcome = Outcome {
                problems: vec![(form.anchor_for(""), sentence(&message))],
                values: posted.0,
                status: Some(StatusCode::CONFLICT),
            };
            return show(app, session, case, form.section, None, outcome).await;
        }
        Err(error) => return problem(error, session.header.clone()),
    };
    show(app, session, case, form.section, None, Outcome { problems, values: posted.0, status: None }).await
}

pub(super) fn case_id(id: &str) -> Result<CaseId, AppError> {
    id.parse().map_err(|_| AppError::NotFound("case"))
}

/// A required text field, or the problem of it being empty.
fn long_text(field: &str, value: &str, what: &str) -> Result<LongText, AppError> {
    LongText::parse(value).map_err(|_| casework_domain::FieldError::new(field, format!("enter {what}")).into())
}

fn short_text(field: &str, value: &str, what: &str) -> Result<ShortText, AppError> {
    ShortText::parse(value).map_err(|_| casework_domain::FieldError::new(field, format!("enter {what}")).into())
}

fn code(field: &str, value: &str, what: &str) -> Result<Code, AppError> {
    Code::parse(value).map_err(|_| casework_domain::FieldError::new(field, format!("choose {what}")).into())
}

fn optional_date(field: &str, value: &str) -> Result<Option<jiff::civil::Date>, AppError> {
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse()
        .map(Some)
        .map_err(|_| casework_domain::FieldError::new(field, "enter a real date, for example 2027-01-31").into())
}

const NOTE: PageForm = PageForm {
    section: Section::Overview,
    prefix: "note",
    fields: &["body", "kind", "contact_at"],
    done: "note",
    anchor: "notes",
};

async fn add_note(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let result = async {
        let case = case_id(&id)?;
        let kind =
            serde_json::from_value::<casework_domain::note::NoteKind>(serde_json::Value::String(posted.get("kind").into()))
                .map_err(|_| casework_domain::FieldError::new("kind", "choose the kind of note"))?;
        let body = long_text("body", posted.get("body"), "the note")?;
        let contact_at = match posted.get("contact_at") {
            "" => None,
            given => Some(contact_time(given)?),
        };
        app.add_note(&session.actor, case, kind, body, contact_at, None).await
    }
    .await;
    finish(&app, &session, &id, &NOTE, posted, result).await
}

/// A contact time typed on the page (`2027-01-31 14:30` or a day), read as UK time.
fn contact_time(given: &str) -> Result<jiff::Timestamp, AppError> {
    let problem = || casework_domain::FieldError::new("contact_at", "enter when the contact was, for example 2027-01-31 14:30");
    let civil: jiff::civil::DateTime = match given.parse::<jiff::civil::DateTime>() {
        Ok(at) => at,
        Err(_) => given.parse::<jiff::civil::Date>().map_err(|_| problem())?.to_datetime(jiff::civil::Time::midnight()),
    };
    civil.to_zoned(casework_domain::time::service_zone()).map(|z| z.timestamp()).map_err(|_| problem().into())
}

async fn add_addendum(
    State(app): State<App>,
    session: Session,
    Path((id, note)): Path<(String, String)>,
    fields: Fields,
) -> Response {
    let posted = Posted::of(fields);
    let form = PageForm { section: Section::Overview, prefix: "addendum", fields: &["body"], done: "addendum", anchor: "notes" };
    let result = async {
        let case = case_id(&id)?;
        let note: NoteId = note.parse().map_err(|_| AppError::NotFound("note"))?;
        let body = long_text("body", posted.get("body"), "the addendum")?;
        app.add_addendum(&session.actor, case, note, body, None).await
    }
    .await;
    finish(&app, &session, &id, &form, posted, result).await
}

const TASK: PageForm =
    PageForm { section: Section::Tasks, prefix: "task", fields: &["title", "assignee", "due_on"], done: "task", anchor: "tasks" };

async fn add_task(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let result = async {
        let case = case_id(&id)?;
        let title = short_text("title", posted.get("title"), "what needs doing")?;
        let assignee = match posted.get("assignee").split_once(':') {
            Some(("user", user)) => user.parse().ok().map(casework_domain::task::Assignee::User),
            Some(("role", role)) => Code::parse(role).ok().map(casework_domain::task::Assignee::Role),
            Some(("queue", queue)) => Code::parse(queue).ok().map(casework_domain::task::Assignee::Queue),
            _ => None,
        }
        .ok_or_else(|| casework_domain::FieldError::new("assignee", "choose who the task is for"))?;
        let due_on = optional_date("due_on", posted.get("due_on"))?;
        app.create_task(&session.actor, case, title, assignee, due_on, None).await
    }
    .await;
    finish(&app, &session, &id, &TASK, posted, result).await
}

async fn complete_task(
    State(app): State<App>,
    session: Session,
    Path((id, task)): Path<(String, String)>,
    fields: Fields,
) -> Response {
    let posted = Posted::of(fields);
    let form = PageForm { section: Section::Tasks, prefix: "task", fields: &["title"], done: "task-completed", anchor: "tasks" };
    let result = async {
        let case = case_id(&id)?;
        let task: TaskId = task.parse().map_err(|_| AppError::NotFound("task"))?;
        let outcome = LongText::parse(posted.get("outcome")).ok();
        let command = casework_app::tasks::TaskCommand::Complete { outcome };
        app.change_task(&session.actor, case, task, posted.version(), command).await
    }
    .await;
    finish(&app, &session, &id, &form, posted, result).await
}

async fn cancel_task(
    State(app): State<App>,
    session: Session,
    Path((id, task)): Path<(String, String)>,
    fields: Fields,
) -> Response {
    let posted = Posted::of(fields);
    let form =
        PageForm { section: Section::Tasks, prefix: "cancel", fields: &["reason"], done: "task-cancelled", anchor: "tasks" };
    let result = async {
        let case = case_id(&id)?;
        let task: TaskId = task.parse().map_err(|_| AppError::NotFound("task"))?;
        let reason = short_text("reason", posted.get("reason"), "why the task is cancelled")?;
        let command = casework_app::tasks::TaskCommand::Cancel { reason };
        app.change_task(&session.actor, case, task, posted.version(), command).await
    }
    .await;
    finish(&app, &session, &id, &form, posted, result).await
}

async fn extend_deadline(
    State(app): State<App>,
    session: Session,
    Path((id, deadline)): Path<(String, String)>,
    fields: Fields,
) -> Response {
    let posted = Posted::of(fields);
    let form = PageForm {
        section: Section::Overview,
        prefix: "extend",
        fields: &["amount", "reason"],
        done: "extended",
        anchor: "deadlines",
    };
    let result = async {
        let case = case_id(&id)?;
        let deadline: EventId = deadline.parse().map_err(|_| AppError::NotFound("deadline"))?;
        let amount: u32 = posted
            .get("amount")
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| casework_domain::FieldError::new("amount", "enter how much more time, as a whole number"))?;
        let by = match posted.get("unit") {
            "calendar-days" => casework_domain::timer::Target::CalendarDays(amount),
            "hours" => casework_domain::timer::Target::Hours(amount),
            _ => casework_domain::timer::Target::WorkingDays(amount),
        };
        let reason = short_text("reason", posted.get("reason"), "why more time is needed")?;
        app.extend_deadline(&session.actor, case, deadline, by, reason).await
    }
    .await;
    finish(&app, &session, &id, &form, posted, result).await
}

#[derive(Template)]
#[template(path = "case_form.html")]
struct CaseFormPage {
    signed_in: Option<SignedIn>,
    id: String,
    reference: String,
    person: String,
    form: FormView,
    /// Who may have completed it: value and words.
    completers: Vec<(String, String)>,
    completed_by: String,
    problems: Vec<(String, String)>,
}

impl CaseFormPage {
    fn completed_by_problem(&self) -> Option<&str> {
        self.problems.iter().find(|(anchor, _)| anchor == "completed_by").map(|(_, message)| message.as_str())
    }
}

#[derive(Debug, Deserialize)]
struct WhichForm {
    form: String,
}

async fn new_form_page(
    State(app): State<App>,
    session: Session,
    Path(id): Path<String>,
    axum::extract::Query(which): axum::extract::Query<WhichForm>,
) -> Response {
    form_page(&app, &session, &id, &which.form, &BTreeMap::new(), Vec::new()).await
}

async fn form_page(
    app: &App,
    session: &Session,
    id: &str,
    form: &str,
    values: &BTreeMap<String, String>,
    problems: Vec<(String, String)>,
) -> Response {
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = async {
        let case = case_id(id)?;
        let view = app.get_case(&session.actor, case).await?;
        if !view.case.is_open() || !session.actor.may(Permission::NoteAdd, view.case.scope()) {
            return Err(AppError::Forbidden("fill in forms on this case"));
        }
        let definition =
            app.services.version(&view.case.service, view.case.service_version).ok_or(AppError::NotFound("service"))?;
        let form = Code::parse(form).ok().and_then(|code| definition.form(&code).cloned()).ok_or(AppError::NotFound("form"))?;
        let completers = form
            .filled_by
            .iter()
            .map(|code| {
                let words = if code.as_str() == "subject" {
                    format!("{} (on paper or by email)", view.person.display_name())
                } else {
                    definition.role(code).map_or_else(|| code.to_string(), |r| r.name.clone())
                };
                (code.to_string(), words)
            })
            .collect::<Vec<_>>();
        Ok(CaseFormPage {
            signed_in: session.header.clone(),
            id: case.to_string(),
            reference: view.case.reference.to_string(),
            person: view.person.display_name(),
            form: form_view(&form, values, &problems),
            completed_by: values.get("completed_by").cloned().unwrap_or_default(),
            completers,
            problems,
        })
    };
    match page.await {
        Ok(page) => render(&page, status),
        Err(error) => problem(error, session.header.clone()),
    }
}

async fn submit_form(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let form_code = posted.get("form").to_owned();
    let result = async {
        let case = case_id(&id)?;
        let view = app.get_case(&session.actor, case).await?;
        let definition =
            app.services.version(&view.case.service, view.case.service_version).ok_or(AppError::NotFound("service"))?;
        let form =
            Code::parse(&form_code).ok().and_then(|code| definition.form(&code).cloned()).ok_or(AppError::NotFound("form"))?;
        let entry = casework_app::forms::FormEntry {
            form: form.code.clone(),
            answers: schema_form::answers(&form, &posted.0),
            completed_by: Code::parse(posted.get("completed_by")).ok(),
        };
        app.submit_case_form(&session.actor, case, entry).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/cases/{id}/record?done=form#forms")).into_response(),
        Err(AppError::Invalid(invalid)) => {
            let problems = invalid
                .errors
                .iter()
                .map(|e| {
                    let anchor = if e.field.starts_with("completed_by") {
                        "completed_by".to_owned()
                    } else {
                        schema_form::anchor_of(&form_code, &e.field)
                    };
                    (anchor, sentence(&e.message))
                })
                .collect();
            form_page(&app, &session, &id, &form_code, &posted.0, problems).await
        }
        Err(error) => problem(error, session.header.clone()),
    }
}

const OBJECTIVE: PageForm = PageForm {
    section: Section::Record,
    prefix: "objective",
    fields: &["description", "measure", "target_date"],
    done: "objective",
    anchor: "plan",
};

async fn add_objective(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let result = async {
        let case = case_id(&id)?;
        app.add_objective(&session.actor, case, posted.get("description"), posted.get("measure"), posted.get("target_date")).await
    }
    .await;
    finish(&app, &session, &id, &OBJECTIVE, posted, result).await
}

async fn review_plan(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let form =
        PageForm { section: Section::Record, prefix: "review", fields: &["summary", "outcomes"], done: "review", anchor: "plan" };
    let result = async {
        let case = case_id(&id)?;
        let summary = long_text("summary", posted.get("summary"), "a summary of the review")?;
        let mut outcomes = Vec::new();
        for (name, value) in &posted.0 {
            let Some(objective) = name.strip_prefix("outcome.") else { continue };
            let objective: EventId = objective.parse().map_err(|_| AppError::NotFound("objective"))?;
            let outcome = serde_json::from_value(serde_json::Value::String(value.clone()))
                .map_err(|_| casework_domain::FieldError::new("outcomes", "choose an outcome for every objective"))?;
            outcomes.push((objective, outcome));
        }
        app.review_plan(&session.actor, case, summary, outcomes).await
    }
    .await;
    finish(&app, &session, &id, &form, posted, result).await
}

const DECISION: PageForm = PageForm {
    section: Section::Record,
    prefix: "decision",
    fields: &["outcome", "reason", "rationale"],
    done: "decision",
    anchor: "decisions",
};

async fn record_decision(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let result = async {
        let case = case_id(&id)?;
        let outcome = code("outcome", posted.get("outcome"), "the outcome")?;
        let (list, reason) = posted
            .get("reason")
            .split_once(':')
            .and_then(|(list, reason)| Some((Code::parse(list).ok()?, Code::parse(reason).ok()?)))
            .ok_or_else(|| casework_domain::FieldError::new("reason", "choose the reason"))?;
        let rationale = LongText::parse(posted.get("rationale")).ok();
        app.record_decision(&session.actor, case, outcome, None, list, reason, rationale, None).await
    }
    .await;
    finish(&app, &session, &id, &DECISION, posted, result).await
}

async fn change_stage(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let form = PageForm { section: Section::Details, prefix: "stage", fields: &["stage"], done: "stage", anchor: "stage" };
    let result = async {
        let case = case_id(&id)?;
        let stage = code("stage", posted.get("stage"), "the stage to move to")?;
        app.move_case_to_stage(&session.actor, case, posted.version(), stage).await
    }
    .await;
    finish(&app, &session, &id, &form, posted, result).await
}

async fn change_level(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let form = PageForm { section: Section::Details, prefix: "level", fields: &["level"], done: "level", anchor: "level" };
    let result = async {
        let case = case_id(&id)?;
        let level = match posted.get("level") {
            "" | "none" => None,
            given => Some(code("level", given, "the level")?),
        };
        app.set_case_level(&session.actor, case, posted.version(), level).await
    }
    .await;
    finish(&app, &session, &id, &form, posted, result).await
}

async fn set_flag(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let form = PageForm { section: Section::Details, prefix: "flag", fields: &["flag"], done: "flag", anchor: "flags" };
    let result = async {
        let case = case_id(&id)?;
        let flag = code("flag", posted.get("flag"), "the flag")?;
        app.set_case_flag(&session.actor, case, posted.version(), flag).await
    }
    .await;
    finish(&app, &session, &id, &form, posted, result).await
}

async fn remove_flag(
    State(app): State<App>,
    session: Session,
    Path((id, flag)): Path<(String, String)>,
    fields: Fields,
) -> Response {
    let posted = Posted::of(fields);
    let form = PageForm { section: Section::Details, prefix: "flag", fields: &["flag"], done: "unflag", anchor: "flags" };
    let result = async {
        let case = case_id(&id)?;
        let flag = code("flag", &flag, "the flag")?;
        app.remove_case_flag(&session.actor, case, posted.version(), flag).await
    }
    .await;
    finish(&app, &session, &id, &form, posted, result).await
}

async fn set_key_date(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let key = posted.get("key_date").to_owned();
    let form =
        PageForm { section: Section::Details, prefix: "key-date", fields: &["date"], done: "key-date", anchor: "key-dates" };
    let result = async {
        let case = case_id(&id)?;
        let key_date = code("date", &key, "the date to set")?;
        let date = optional_date("date", posted.get("date"))?;
        app.set_case_key_date(&session.actor, case, posted.version(), key_date, date).await
    }
    .await;
    finish(&app, &session, &id, &form, posted, result).await
}

async fn link_case(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let form = PageForm { section: Section::Details, prefix: "link", fields: &["case", "kind"], done: "link", anchor: "links" };
    let result = async {
        let case = case_id(&id)?;
        let kind = match posted.get("kind") {
            "shadow-of" => casework_domain::case::LinkKind::ShadowOf,
            "transferred-from" => casework_domain::case::LinkKind::TransferredFrom,
            _ => casework_domain::case::LinkKind::Related,
        };
        let other = app
            .case_by_reference(&session.actor, posted.get("case"))
            .await?
            .ok_or_else(|| casework_domain::FieldError::new("case", "no case you can see has that reference"))?;
        app.link_case(&session.actor, case, posted.version(), kind, other).await
    }
    .await;
    finish(&app, &session, &id, &form, posted, result).await
}

async fn close_case(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let form = PageForm { section: Section::Details, prefix: "closure", fields: &["reason"], done: "closed", anchor: "closure" };
    let result = async {
        let case = case_id(&id)?;
        let reason = code("reason", posted.get("reason"), "why the case is closing")?;
        app.close_case(&session.actor, case, posted.version(), reason).await
    }
    .await;
    finish(&app, &session, &id, &form, posted, result).await
}

async fn reopen_case(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let form = PageForm { section: Section::Details, prefix: "reopen", fields: &["why"], done: "reopened", anchor: "closure" };
    let result = async {
        let case = case_id(&id)?;
        let why = long_text("why", posted.get("why"), "why the case is reopened")?;
        app.reopen_case(&session.actor, case, posted.version(), why).await
    }
    .await;
    finish(&app, &session, &id, &form, posted, result).await
}

async fn record_consent(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let form = PageForm {
        section: Section::Details,
        prefix: "consent",
        fields: &["given_by", "relationship", "scope", "with_whom", "how", "given_on", "until", "kind"],
        done: "consent",
        anchor: "consent",
    };
    let result = async {
        let case = case_id(&id)?;
        let input = casework_domain::consent::ConsentInput {
            kind: Some(posted.get("kind").to_owned()).filter(|k| !k.is_empty()),
            given_by: posted.get("given_by").to_owned(),
            relationship: posted.get("relationship").to_owned(),
            scope: posted.get("scope").to_owned(),
            with_whom: posted.get("with_whom").to_owned(),
            how: Some(posted.get("how").to_owned()).filter(|h| !h.is_empty()),
            given_on: posted.get("given_on").to_owned(),
            until: Some(posted.get("until").to_owned()),
        };
        app.record_consent(&session.actor, case, &input, None).await
    }
    .await;
    finish(&app, &session, &id, &form, posted, result).await
}

async fn withdraw_consent(
    State(app): State<App>,
    session: Session,
    Path((id, consent)): Path<(String, String)>,
    fields: Fields,
) -> Response {
    let posted = Posted::of(fields);
    let form = PageForm {
        section: Section::Details,
        prefix: "withdraw",
        fields: &["reason"],
        done: "consent-withdrawn",
        anchor: "consent",
    };
    let result = async {
        let case = case_id(&id)?;
        let consent: casework_domain::ids::ConsentId = consent.parse().map_err(|_| AppError::NotFound("consent"))?;
        let reason = short_text("reason", posted.get("reason"), "why, or how they said so")?;
        app.withdraw_consent(&session.actor, case, consent, reason).await
    }
    .await;
    finish(&app, &session, &id, &form, posted, result).await
}

/// Records a share, referral out, transfer or export. An export answers with its zip, which
/// the browser downloads; the others come back to the Sharing section.
async fn record_disclosure(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let form = PageForm {
        section: Section::Sharing,
        prefix: "disclosure",
        fields: &["basis", "recipient_organisation", "recipient_person", "sent_how", "summary", "reason", "kind"],
        done: "disclosure",
        anchor: "disclosures",
    };
    let result = async {
        let case = case_id(&id)?;
        let input = casework_domain::disclosure::DisclosureInput {
            kind: posted.get("kind").to_owned(),
            recipient_organisation: posted.get("recipient_organisation").to_owned(),
            recipient_person: Some(posted.get("recipient_person").to_owned()),
            sent_how: posted.get("sent_how").to_owned(),
            summary: posted.get("summary").to_owned(),
            basis: posted.get("basis").to_owned(),
            reason: posted.get("reason").to_owned(),
        };
        app.record_disclosure(&session.actor, case, &input).await
    }
    .await;
    match result {
        Ok(casework_app::disclosures::Recorded { export: Some(file), .. }) => crate::api::disclosures::download(file),
        other => finish(&app, &session, &id, &form, posted, other).await,
    }
}
