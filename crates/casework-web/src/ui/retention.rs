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
    match app.place_legal_hold(&session.actor, case, &form.reason).await {
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
    destroyed: Vec<DestroyedRow>,
    errors: Vec<(String, String)>,
    banner: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Approved {
    approved: Option<usize>,
}

async fn review_page(
    State(app): State<App>,
    session: Session,
    Path(code): Path<String>,
    Query(approved): Query<Approved>,
) -> Response {
    let banner = approved.approved.map(|n| {
        format!(
            "{n} case{} approved for destruction; the destruction job will remove {} within ten minutes",
            plural(n),
            if n == 1 { "it" } else { "them" }
        )
    });
    show_review(&app, &session, &code, Vec::new(), &[], banner, StatusCode::OK).await
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

async fn show_review(
    app: &App,
    session: &Session,
    code: &str,
    errors: Vec<(String, String)>,
    selected: &[String],
    banner: Option<String>,
    status: StatusCode,
) -> Response {
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
            show_review(&app, &session, &code, errors, &sent, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => problem(error, session.header.clone()),
    }
}
