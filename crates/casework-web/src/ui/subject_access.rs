//! Subject access pages: a service's requests by due date with the form that records one,
//! and a request's page with what can be done next (confirm identity, extend, download the
//! bundle, record the response sent, refuse) and its history.

use super::case_actions::{Fields, Posted};
use super::schema_form::{Control, FieldView};
use super::*;
use axum::extract::Query;
use casework_app::subject_access::{SubjectAccessView, status_words};
use casework_domain::ids::SubjectAccessId;
use casework_domain::subject_access::{Status, SubjectAccessInput};
use casework_domain::text::Code;
use std::collections::BTreeMap;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/services/{code}/subject-access", get(list_page).post(record))
        .route("/subject-access/{id}", get(request_page))
        .route("/subject-access/{id}/identity", post(confirm_identity))
        .route("/subject-access/{id}/extension", post(extend))
        .route("/subject-access/{id}/export", post(export))
        .route("/subject-access/{id}/response", post(record_response))
        .route("/subject-access/{id}/refusal", post(refuse))
}

/// A request as a row of the list.
struct Row {
    id: String,
    reference: String,
    person: String,
    received: String,
    due: String,
    /// Time left in words, and the tag class.
    left: Option<(String, &'static str)>,
    status: &'static str,
}

fn left_tag(view: &SubjectAccessView) -> Option<(String, &'static str)> {
    view.left.map(|left| (left.to_string(), cases::deadline_class(&left, !view.request.status.is_closed())))
}

fn row(view: &SubjectAccessView) -> Row {
    Row {
        id: view.request.id.to_string(),
        reference: view.request.reference.clone(),
        person: view.person_name.clone(),
        received: cases::day(view.request.received_on),
        due: view.due_on.map_or_else(|| "when identity is confirmed".to_owned(), cases::day),
        left: left_tag(view),
        status: status_words(&view.request.status),
    }
}

#[derive(Template)]
#[template(path = "subject_access_list.html")]
struct ListPage {
    signed_in: Option<SignedIn>,
    code: String,
    service_name: String,
    rows: Vec<Row>,
    closed: bool,
    /// The person search: what was typed, and whether a search was made.
    find: String,
    find_error: Option<String>,
    searched: bool,
    /// The fields of the form that records a request, once people were found.
    person: Option<FieldView>,
    fields: Vec<FieldView>,
    include_access_log: bool,
    errors: Vec<(String, String)>,
    banner: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    find: String,
    closed: Option<String>,
}

async fn list_page(
    State(app): State<App>,
    session: Session,
    Path(code): Path<String>,
    Query(query): Query<ListQuery>,
) -> Response {
    let closed = query.closed.is_some_and(|c| !c.is_empty());
    let values = BTreeMap::from([("find".to_owned(), query.find.trim().to_owned())]);
    show_list(&app, &session, &code, closed, &values, Vec::new(), StatusCode::OK).await
}

async fn show_list(
    app: &App,
    session: &Session,
    code: &str,
    closed: bool,
    values: &BTreeMap<String, String>,
    mut errors: Vec<(String, String)>,
    status: StatusCode,
) -> Response {
    let Session { actor, header } = session;
    let Ok(service) = Code::parse(code) else { return problem(AppError::NotFound("service"), header.clone()) };
    let views = match app.subject_access_requests(actor, &service, closed).await {
        Ok(views) => views,
        Err(error) => return problem(error, header.clone()),
    };
    let value = |name: &str| values.get(name).cloned().unwrap_or_default();
    let find = value("find");
    let searched = !find.is_empty();
    let mut find_error = None;
    let mut people = Vec::new();
    if searched {
        match app.subject_access_people(actor, &service, &find).await {
            Ok(found) => people = found,
            Err(AppError::Invalid(invalid)) => {
                let message = invalid.errors.first().map(|e| sentence(&e.message)).unwrap_or_default();
                errors.insert(0, ("find".to_owned(), message.clone()));
                find_error = Some(message);
            }
            Err(error) => return problem(error, header.clone()),
        }
    }
    let error_at = |anchor: &str| errors.iter().find(|(at, _)| at == anchor).map(|(_, message)| message.clone());
    let person = (!people.is_empty()).then(|| {
        let mut field = FieldView::text("person", "person", "Who the request is about", value("person"), error_at("person"));
        field.control = Control::Choice;
        field.options = people
            .iter()
            .map(|p| {
                let born = p
                    .date_of_birth
                    .map_or_else(|| "date of birth not recorded".to_owned(), |d| format!("born {}", cases::day(d)));
                let identifiers: Vec<String> = p.identifiers.iter().map(|i| i.value.clone()).collect();
                let label = if identifiers.is_empty() {
                    format!("{}, {born}", p.display_name())
                } else {
                    format!("{}, {born} ({})", p.display_name(), identifiers.join(", "))
                };
                (p.id.to_string(), label)
            })
            .collect();
        field
    });
    let field = |id: &str, label: &str, control: Control, hint: Option<&str>, required: bool| {
        let mut view = FieldView::text(id, id, label, value(id), error_at(id));
        view.control = control;
        view.hint = hint.map(str::to_owned);
        view.required = required;
        view
    };
    let today = casework_domain::time::day_of(app.now());
    let fields = vec![
        field(
            "representative",
            "Who asked on the person's behalf, and on what authority",
            Control::Text,
            Some("For example: Jo Smith, solicitor, with the person's signed authority. Leave empty if they asked themselves."),
            false,
        ),
        field("received_on", "The day the request was received", Control::Date, Some(&format!("For example, {today}")), true),
        field(
            "identity_confirmed_on",
            "The day their identity was confirmed",
            Control::Date,
            Some("Leave empty while it is still to be confirmed: the clock starts when it is."),
            false,
        ),
        field("details", "What they asked for, in their words", Control::LongText, None, false),
    ];
    let page = ListPage {
        signed_in: header.clone(),
        code: service.to_string(),
        service_name: app.services.get(&service).map(|d| d.service.name.clone()).unwrap_or_default(),
        rows: views.iter().map(row).collect(),
        closed,
        find,
        find_error,
        searched,
        person,
        fields,
        include_access_log: !value("include_access_log").is_empty(),
        errors,
        banner: None,
    };
    render(&page, status)
}

/// The anchor on the page of a field the use case named.
fn anchor_of(field: &str) -> String {
    match field {
        "" => "received_on".to_owned(),
        other => other.split('/').next().unwrap_or(other).to_owned(),
    }
}

async fn record(State(app): State<App>, session: Session, Path(code): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let Ok(service) = Code::parse(&code) else { return problem(AppError::NotFound("service"), session.header.clone()) };
    let optional = |name: &str| Some(posted.get(name).to_owned()).filter(|v| !v.is_empty());
    let input = SubjectAccessInput {
        representative: optional("representative"),
        received_on: posted.get("received_on").to_owned(),
        identity_confirmed_on: optional("identity_confirmed_on"),
        include_access_log: !posted.get("include_access_log").is_empty(),
        details: optional("details"),
    };
    match app.record_subject_access(&session.actor, &service, posted.get("person"), &input, None).await {
        Ok(view) => see_other(&format!("/subject-access/{}?done=recorded", view.request.id)),
        Err(AppError::Invalid(invalid)) => {
            let errors = invalid.errors.iter().map(|e| (anchor_of(&e.field), sentence(&e.message))).collect();
            let values = posted.0.clone();
            show_list(&app, &session, &code, false, &values, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => problem(error, session.header.clone()),
    }
}

struct HistoryRow {
    what: String,
    who: String,
    at: String,
    when: String,
}

#[derive(Template)]
#[template(path = "subject_access.html")]
struct RequestPage {
    signed_in: Option<SignedIn>,
    id: String,
    code: String,
    service_name: String,
    reference: String,
    person: String,
    status: &'static str,
    version: i64,
    /// Label and value of each line of the summary.
    summary: Vec<(String, String)>,
    left: Option<(String, &'static str)>,
    awaiting_identity: bool,
    open: bool,
    extendable: bool,
    exports: usize,
    /// Today, for the examples in hints.
    today: String,
    history: Vec<HistoryRow>,
    values: BTreeMap<String, String>,
    errors: Vec<(String, String)>,
    banner: Option<String>,
}

impl RequestPage {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    fn error(&self, anchor: &str) -> Option<&str> {
        self.errors.iter().find(|(at, _)| at == anchor).map(|(_, message)| message.as_str())
    }
}

#[derive(Debug, Deserialize)]
struct Done {
    done: Option<String>,
}

async fn request_page(State(app): State<App>, session: Session, Path(id): Path<String>, Query(done): Query<Done>) -> Response {
    let banner = match done.done.as_deref() {
        Some("recorded") => Some("The request is recorded"),
        Some("identity") => Some("Identity is confirmed: the clock has started"),
        Some("extended") => Some("The deadline is extended"),
        Some("response") => Some("The response is recorded as sent: the request is completed"),
        Some("refused") => Some("The request is refused"),
        _ => None,
    };
    show_request(&app, &session, &id, BTreeMap::new(), Vec::new(), banner.map(str::to_owned), StatusCode::OK).await
}

async fn show_request(
    app: &App,
    session: &Session,
    id: &str,
    values: BTreeMap<String, String>,
    errors: Vec<(String, String)>,
    banner: Option<String>,
    status: StatusCode,
) -> Response {
    let Session { actor, header } = session;
    let Ok(id) = id.parse::<SubjectAccessId>() else {
        return problem(AppError::NotFound("subject access request"), header.clone());
    };
    let page = async {
        let view = app.subject_access(actor, id).await?;
        let events = app.subject_access_history(actor, id).await?;
        let mut people: Vec<_> = events.iter().map(|e| e.actor).collect();
        people.extend(view.request.exports.iter().map(|e| e.by));
        let names = app.display_names(&people).await?;
        let name = |user| names.get(&user).cloned().unwrap_or_else(|| "a former user".into());
        let request = &view.request;
        let mut summary = vec![
            ("Person".to_owned(), view.person_name.clone()),
            (
                "Asked by".to_owned(),
                request.representative.as_ref().map_or_else(|| "The person themselves".to_owned(), ToString::to_string),
            ),
            ("Received".to_owned(), cases::day(request.received_on)),
            (
                "Identity confirmed".to_owned(),
                request.identity_confirmed_on.map_or_else(|| "Not yet: the clock has not started".to_owned(), cases::day),
            ),
            ("Due".to_owned(), view.due_on.map_or_else(|| "One month from when identity is confirmed".to_owned(), cases::day)),
            (
                "Who has looked at the records".to_owned(),
                if request.include_access_log { "Asked for" } else { "Not asked for" }.to_owned(),
            ),
        ];
        if let Some(details) = &request.details {
            summary.push(("What they asked for".to_owned(), details.to_string()));
        }
        if let Some(extension) = &request.extension {
            summary.push(("Extended".to_owned(), format!("On {}: {}", cases::day(extension.on), extension.reason)));
        }
        if let Some(latest) = request.exports.last() {
            summary.push((
                "Bundles made".to_owned(),
                format!(
                    "{}; the latest {} by {}, SHA-256 {}",
                    request.exports.len(),
                    uk_time(latest.at),
                    name(latest.by),
                    latest.sha256
                ),
            ));
        }
        match &request.status {
            Status::Completed { sent_on, bundle_sha256 } => summary
                .push(("Response sent".to_owned(), format!("{}, the bundle with SHA-256 {bundle_sha256}", cases::day(*sent_on)))),
            Status::Refused { reason, on } => summary.push(("Refused".to_owned(), format!("{}: {reason}", cases::day(*on)))),
            Status::AwaitingIdentity | Status::Open => {}
        }
        let today = casework_domain::time::day_of(app.now());
        let open = request.status == Status::Open;
        let extendable = open && request.extension.is_none() && view.due_on.is_some_and(|due| today <= due);
        let history = events
            .iter()
            .rev()
            .map(|e| HistoryRow {
                what: sentence(&e.kind.name().replace('-', " ")),
                who: name(e.actor),
                at: e.at.to_string(),
                when: uk_time(e.at),
            })
            .collect();
        Ok::<_, AppError>(RequestPage {
            signed_in: header.clone(),
            id: request.id.to_string(),
            code: request.service.to_string(),
            service_name: view.service_name.clone(),
            reference: request.reference.clone(),
            person: view.person_name.clone(),
            status: status_words(&request.status),
            version: request.version,
            summary,
            left: left_tag(&view),
            awaiting_identity: request.status == Status::AwaitingIdentity,
            open,
            extendable,
            exports: request.exports.len(),
            today: today.to_string(),
            history,
            values,
            errors,
            banner,
        })
    };
    match page.await {
        Ok(page) => render(&page, status),
        Err(error) => problem(error, header.clone()),
    }
}

/// Where a form of the request page shows its problems: its main field, and the field each
/// problem names when it names one of the form's own.
struct ActionForm {
    anchor: &'static str,
    /// The use case's field names and the ids of their inputs on the page.
    fields: &'static [(&'static str, &'static str)],
    done: &'static str,
}

async fn finish(
    app: &App,
    session: &Session,
    id: &str,
    form: &ActionForm,
    posted: Posted,
    result: Result<SubjectAccessView, AppError>,
) -> Response {
    let (errors, status) = match result {
        Ok(_) => return see_other(&format!("/subject-access/{id}?done={}", form.done)),
        Err(AppError::Invalid(invalid)) => {
            let errors = invalid
                .errors
                .iter()
                .map(|e| {
                    let anchor = form.fields.iter().find(|(field, _)| *field == e.field).map_or(form.anchor, |(_, at)| *at);
                    (anchor.to_owned(), sentence(&e.message))
                })
                .collect();
            (errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AppError::Conflict(message)) => (vec![(form.anchor.to_owned(), sentence(&message))], StatusCode::CONFLICT),
        Err(error) => return problem(error, session.header.clone()),
    };
    // The values typed are shown again under the ids of their inputs.
    let values = posted
        .0
        .iter()
        .map(|(name, value)| {
            let at = form.fields.iter().find(|(field, _)| field == name).map_or(name.as_str(), |(_, at)| *at);
            (at.to_owned(), value.clone())
        })
        .collect();
    show_request(app, session, id, values, errors, None, status).await
}

fn request_id(id: &str) -> Result<SubjectAccessId, AppError> {
    id.parse().map_err(|_| AppError::NotFound("subject access request"))
}

fn version(posted: &Posted) -> i64 {
    posted.get("version").parse().unwrap_or(-1)
}

async fn confirm_identity(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let form = ActionForm { anchor: "confirmed_on", fields: &[("confirmed_on", "confirmed_on")], done: "identity" };
    let result = async {
        app.confirm_subject_identity(&session.actor, request_id(&id)?, version(&posted), posted.get("confirmed_on")).await
    }
    .await;
    finish(&app, &session, &id, &form, posted, result).await
}

async fn extend(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let form = ActionForm { anchor: "extension-reason", fields: &[("reason", "extension-reason")], done: "extended" };
    let result =
        async { app.extend_subject_access(&session.actor, request_id(&id)?, version(&posted), posted.get("reason")).await }.await;
    finish(&app, &session, &id, &form, posted, result).await
}

async fn record_response(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let form = ActionForm { anchor: "sent_on", fields: &[("sent_on", "sent_on")], done: "response" };
    let result = async {
        app.record_subject_access_response(&session.actor, request_id(&id)?, version(&posted), posted.get("sent_on"), None).await
    }
    .await;
    finish(&app, &session, &id, &form, posted, result).await
}

async fn refuse(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let form = ActionForm { anchor: "refusal-reason", fields: &[("reason", "refusal-reason")], done: "refused" };
    let result =
        async { app.refuse_subject_access(&session.actor, request_id(&id)?, version(&posted), posted.get("reason")).await }.await;
    finish(&app, &session, &id, &form, posted, result).await
}

/// The bundle, as a download; a request that may not be exported now shows why instead.
async fn export(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let result = async { app.export_subject_access(&session.actor, request_id(&id)?).await }.await;
    match result {
        Ok(file) => crate::api::disclosures::download(file),
        Err(AppError::Conflict(message)) => {
            show_request(
                &app,
                &session,
                &id,
                posted.0,
                vec![("export".to_owned(), sentence(&message))],
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(error) => problem(error, session.header.clone()),
    }
}
