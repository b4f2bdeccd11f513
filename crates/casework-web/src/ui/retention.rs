//! Retention pages: a case's legal holds, and a service's disposal review where closed
//! cases past their retention are approved for destruction, with what was destroyed.

use super::*;
use axum::extract::Query;
use casework_domain::FieldError;
use casework_domain::ids::LegalHoldId;
use casework_domain::text::Code;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/cases/{id}/legal-holds", get(holds_page).post(place_hold))
        .route("/cases/{id}/legal-holds/{hold}/lifting", post(lift_hold))
        .route("/services/{code}/disposal-review", get(review_page).post(approve))
        .route("/services/{code}/disposal-review/paper/{document}", post(record_paper_destroyed))
}

struct HoldRow {
    id: String,
    reason: String,
    placed: String,
    lifted: Option<String>,
    /// What was wrong with the lifting form of this hold.
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "legal_holds.html")]
struct HoldsPage {
    signed_in: Option<SignedIn>,
    id: String,
    reference: String,
    holds: Vec<HoldRow>,
    may_change: bool,
    errors: Vec<(String, String)>,
    reason: String,
    reason_error: Option<String>,
    banner: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Done {
    done: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn holds_page(State(app): State<App>, session: Session, Path(id): Path<String>, Query(done): Query<Done>) -> Response {
    let banner = match done.done.as_deref() {
        Some("placed") => Some("The legal hold is in place: the case will not be destroyed while it stands".to_owned()),
        Some("lifted") => Some("The legal hold was lifted".to_owned()),
        _ => None,
    };
    show_holds(&app, &session, &id, Vec::new(), String::new(), banner, StatusCode::OK).await
}

async fn show_holds(
    app: &App,
    session: &Session,
    id: &str,
    errors: Vec<(String, String)>,
    reason: String,
    banner: Option<String>,
    status: StatusCode,
) -> Response {
    let Session { actor, header } = session;
    let Ok(case) = id.parse::<CaseId>() else { return problem(AppError::NotFound("case"), header.clone()) };
    let holds = match app.legal_holds(actor, case).await {
        Ok(holds) => holds,
        Err(error) => return problem(error, header.clone()),
    };
    let reference = app.case_reference(actor, case).await.ok().flatten().unwrap_or_default();
    let mut people: Vec<_> = holds.iter().map(|h| h.placed_by).collect();
    people.extend(holds.iter().filter_map(|h| h.lifted.as_ref().map(|l| l.by)));
    let names = app.display_names(&people).await.unwrap_or_default();
    let name = |user| names.get(&user).cloned().unwrap_or_else(|| "a former user".into());
    let service = match app.case_service(actor, case).await {
        Ok(service) => service,
        Err(error) => return problem(error, header.clone()),
    };
    let error_at = |anchor: &str| errors.iter().find(|(at, _)| at == anchor).map(|(_, message)| message.clone());
    let page = HoldsPage {
        signed_in: header.clone(),
        id: case.to_string(),
        reference,
        holds: holds
            .iter()
            .rev()
            .map(|h| HoldRow {
                id: h.id.to_string(),
                reason: h.reason.to_string(),
                placed: format!("{} by {}", uk_time(h.placed_at), name(h.placed_by)),
                lifted: h.lifted.as_ref().map(|l| format!("Lifted {} by {}: {}", uk_time(l.at), name(l.by), l.reason)),
                error: error_at(&format!("lift-{}", h.id)),
            })
            .collect(),
        may_change: actor.may_in_service(Permission::RecordsDispose, &service),
        reason_error: error_at("reason"),
        errors,
        reason,
        banner,
    };
    render(&page, status)
}

async fn place_hold(State(app): State<App>, session: Session, Path(id): Path<String>, Form(form): Form<ReasonForm>) -> Response {
    let Ok(case) = id.parse::<CaseId>() else { return problem(AppError::NotFound("case"), session.header.clone()) };
    match app.place_legal_hold(&session.actor, case, &form.reason, None).await {
        Ok(_) => see_other(&format!("/cases/{case}/legal-holds?done=placed")),
        Err(AppError::Invalid(_)) => {
            let errors = vec![("reason".to_owned(), "Say why the case must be kept".to_owned())];
            show_holds(&app, &session, &id, errors, form.reason, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => problem(error, session.header.clone()),
    }
}

async fn lift_hold(
    State(app): State<App>,
    session: Session,
    Path((id, hold)): Path<(String, String)>,
    Form(form): Form<ReasonForm>,
) -> Response {
    let (Ok(case), Ok(hold)) = (id.parse::<CaseId>(), hold.parse::<LegalHoldId>()) else {
        return problem(AppError::NotFound("legal hold"), session.header.clone());
    };
    match app.lift_legal_hold(&session.actor, case, hold, &form.reason).await {
        Ok(_) => see_other(&format!("/cases/{case}/legal-holds?done=lifted")),
        Err(AppError::Invalid(_)) => {
            let errors = vec![(format!("lift-{hold}"), "Say why the hold no longer applies".to_owned())];
            show_holds(&app, &session, &id, errors, String::new(), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => problem(error, session.header.clone()),
    }
}

struct DueRow {
    id: String,
    reference: String,
    person: String,
    closed: String,
    due: String,
    on_hold: bool,
    approved: bool,
    selected: bool,
}

/// A paper original due for destruction, with its form's values and problems.
struct PaperRow {
    document: String,
    case: String,
    reference: String,
    title: String,
    location: String,
    scanned: String,
    due: String,
    on_hold: bool,
    destroyed_on: String,
    method: String,
    /// Problems by field: "document", "destroyed_on", "method".
    problems: Vec<(String, String)>,
}

/// One field of a paper original's form.
struct PaperField<'a> {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    anchor: String,
    value: &'a str,
    problem: Option<&'a str>,
}

impl PaperRow {
    fn problem_for(&self, field: &str) -> Option<&str> {
        self.problems.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    fn fields(&self) -> Vec<PaperField<'_>> {
        [
            ("destroyed_on", "The day it was destroyed", "For example, 2027-01-31", self.destroyed_on.as_str()),
            ("method", "How it was destroyed", "For example, confidential shredding", self.method.as_str()),
        ]
        .into_iter()
        .map(|(name, label, hint, value)| PaperField {
            name,
            label,
            hint,
            anchor: format!("paper-{}-{name}", self.document),
            value,
            problem: self.problem_for(name),
        })
        .collect()
    }
}

/// What a refused form sent, to show the page again with it: the problems (anchor and
/// message), the cases ticked, or one paper original's form.
#[derive(Default)]
struct Sent {
    errors: Vec<(String, String)>,
    selected: Vec<String>,
    paper: Option<PaperPosted>,
}

/// What was sent for one paper original, to show it again with its problems.
struct PaperPosted {
    document: String,
    destroyed_on: String,
    method: String,
    problems: Vec<(String, String)>,
}

struct DestroyedRow {
    reference: String,
    closed: String,
    destroyed: String,
    kept_for: String,
}

#[derive(Template)]
#[template(path = "disposal_review.html")]
struct ReviewPage {
    signed_in: Option<SignedIn>,
    code: String,
    service_name: String,
    /// How long, until what age, on what authority; none when cases are kept for good.
    rule: Option<(String, Option<u8>, String)>,
    rows: Vec<DueRow>,
    /// How long scanned paper originals are kept, and on what authority.
    paper_rule: Option<(String, String)>,
    paper: Vec<PaperRow>,
    destroyed: Vec<DestroyedRow>,
    errors: Vec<(String, String)>,
    banner: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Approved {
    approved: Option<usize>,
    paper: Option<String>,
}

async fn review_page(
    State(app): State<App>,
    session: Session,
    Path(code): Path<String>,
    Query(approved): Query<Approved>,
) -> Response {
    let banner = approved
        .approved
        .map(|n| {
            format!(
                "{n} case{} approved for destruction; the destruction job will remove {} within ten minutes",
                plural(n),
                if n == 1 { "it" } else { "them" }
            )
        })
        .or(approved.paper.map(|reference| format!("The destruction of a paper original of {reference} was recorded")));
    show_review(&app, &session, &code, Sent::default(), banner, StatusCode::OK).await
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

async fn show_review(
    app: &App,
    session: &Session,
    code: &str,
    sent: Sent,
    banner: Option<String>,
    status: StatusCode,
) -> Response {
    let Sent { errors, selected, paper: paper_posted } = sent;
    let Session { actor, header } = session;
    let Ok(service) = Code::parse(code) else { return problem(AppError::NotFound("service"), header.clone()) };
    let review = match app.disposal_review(actor, &service, 500).await {
        Ok(review) => review,
        Err(error) => return problem(error, header.clone()),
    };
    let destroyed = match app.destructions(actor, &service, 50).await {
        Ok(records) => records,
        Err(error) => return problem(error, header.clone()),
    };
    let service_name = app.services.get(&service).map(|d| d.service.name.clone()).unwrap_or_default();
    let page = ReviewPage {
        signed_in: header.clone(),
        code: service.to_string(),
        service_name,
        rule: review.rule.map(|r| (r.keep.describe(), r.until_age, r.basis)),
        rows: review
            .cases
            .into_iter()
            .map(|(case, due)| DueRow {
                selected: selected.contains(&case.id.to_string()),
                id: case.id.to_string(),
                reference: case.reference,
                person: case.person_name,
                closed: cases::day(casework_domain::time::day_of(case.closed_at)),
                due: cases::day(due),
                on_hold: case.on_hold,
                approved: case.approved,
            })
            .collect(),
        paper_rule: review.paper_rule.map(|r| (r.keep.describe(), r.basis)),
        paper: review
            .paper
            .into_iter()
            .map(|(original, due)| {
                let document = original.document.to_string();
                let posted = paper_posted.as_ref().filter(|p| p.document == document);
                PaperRow {
                    case: original.case.to_string(),
                    reference: original.reference,
                    title: original.title,
                    location: original.location,
                    scanned: cases::day(casework_domain::time::day_of(original.scanned_at)),
                    due: cases::day(due),
                    on_hold: original.on_hold,
                    destroyed_on: posted.map_or_else(|| review.today.to_string(), |p| p.destroyed_on.clone()),
                    method: posted.map_or_else(String::new, |p| p.method.clone()),
                    problems: posted.map_or_else(Vec::new, |p| p.problems.clone()),
                    document,
                }
            })
            .collect(),
        destroyed: destroyed
            .into_iter()
            .map(|r| DestroyedRow {
                reference: r.reference,
                closed: cases::day(r.closed_on),
                destroyed: uk_time(r.destroyed_at),
                kept_for: format!("{}: {}", r.kept_for, r.basis),
            })
            .collect(),
        errors,
        banner,
    };
    render(&page, status)
}

async fn approve(
    State(app): State<App>,
    session: Session,
    Path(code): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let Ok(service) = Code::parse(&code) else { return problem(AppError::NotFound("service"), session.header.clone()) };
    let sent: Vec<String> = form.iter().filter(|(k, _)| k == "case").map(|(_, v)| v.clone()).collect();
    let cases: Vec<CaseId> = sent.iter().filter_map(|v| v.parse().ok()).collect();
    let result = if cases.len() == sent.len() {
        app.approve_disposal(&session.actor, &service, &cases).await
    } else {
        Err(AppError::Invalid(casework_domain::Invalid {
            errors: vec![FieldError::new("cases", "One of the selected cases was not found, or you may not see it")],
        }))
    };
    match result {
        Ok(count) => see_other(&format!("/services/{service}/disposal-review?approved={count}")),
        Err(AppError::Invalid(invalid)) => {
            let errors = invalid
                .errors
                .into_iter()
                .map(|e| {
                    let anchor = e
                        .field
                        .strip_prefix("cases/")
                        .and_then(|i| i.parse::<usize>().ok())
                        .and_then(|i| cases.get(i))
                        .map_or_else(|| "cases".to_owned(), |case| format!("case-{case}"));
                    (anchor, sentence(&e.message))
                })
                .collect();
            show_review(
                &app,
                &session,
                &code,
                Sent { errors, selected: sent, paper: None },
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => problem(error, session.header.clone()),
    }
}

async fn record_paper_destroyed(
    State(app): State<App>,
    session: Session,
    Path((code, document)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let Ok(service) = Code::parse(&code) else { return problem(AppError::NotFound("service"), session.header.clone()) };
    let Ok(id) = document.parse::<casework_domain::ids::DocumentId>() else {
        return problem(AppError::NotFound("document"), session.header.clone());
    };
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let (destroyed_on, method) = (field("destroyed_on"), field("method"));
    match app.record_paper_destroyed(&session.actor, &service, id, &destroyed_on, &method).await {
        Ok(due) => see_other(&format!("/services/{service}/disposal-review?paper={}", due.reference)),
        Err(AppError::Invalid(invalid)) => {
            let problems: Vec<(String, String)> =
                invalid.errors.into_iter().map(|e| (e.field.clone(), sentence(&e.message))).collect();
            let errors = problems.iter().map(|(f, m)| (format!("paper-{document}-{f}"), m.clone())).collect();
            let posted = PaperPosted { document, destroyed_on, method, problems };
            let sent = Sent { errors, selected: Vec::new(), paper: Some(posted) };
            show_review(&app, &session, &code, sent, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => problem(error, session.header.clone()),
    }
}
