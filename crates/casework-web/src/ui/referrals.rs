//! Referral intake per service and the referral page.

use super::schema_form::{self, FieldView, FormView, form_view};
use super::*;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/referrals/new", get(new_referral_page))
        .route("/referrals", post(record_referral))
        .route("/referrals/{id}", get(referral_page))
        .route("/referrals/{id}/subject-links", post(make_subject_link))
}

#[derive(Template)]
#[template(path = "referral_new.html")]
struct NewReferralPage {
    signed_in: Option<SignedIn>,
    service: String,
    service_name: String,
    rules: String,
    /// Anchor and message of every problem.
    problems: Vec<(String, String)>,
    person_fields: Vec<FieldView>,
    sources: Vec<String>,
    chosen_source: String,
    summary: String,
    summary_error: Option<String>,
    /// Each form with who completes it.
    forms: Vec<(FormView, String)>,
}

#[derive(Debug, Deserialize)]
struct ServiceQuery {
    service: String,
}

/// The forms that can make a referral of this service valid, in the order first named.
fn referral_forms(definition: &casework_domain::service::ServiceDefinition) -> Vec<&casework_domain::form::FormDefinition> {
    let mut forms: Vec<&casework_domain::form::FormDefinition> = Vec::new();
    for code in definition.referrals.valid_when.iter().flatten() {
        if let Some(form) = definition.form(code)
            && !forms.iter().any(|f| f.code == form.code)
        {
            forms.push(form);
        }
    }
    forms
}

fn new_referral_view(
    session: &Session,
    definition: &casework_domain::service::ServiceDefinition,
    values: &std::collections::BTreeMap<String, String>,
    errors: &[(String, String)],
) -> NewReferralPage {
    let value = |name: &str| values.get(name).cloned().unwrap_or_default();
    let error_for = |id: &str| errors.iter().find(|(anchor, _)| anchor == id).map(|(_, message)| message.clone());
    let person_fields = [
        ("given_name", "Given name", None),
        ("family_name", "Family name", None),
        ("date_of_birth", "Date of birth", Some("For example, 2009-04-27")),
    ]
    .into_iter()
    .map(|(field, label, hint)| {
        let id = format!("person-{field}");
        let name = format!("person.{field}");
        let mut view = FieldView::text(&id, &name, label, value(&name), error_for(&id));
        view.hint = hint.map(str::to_owned);
        view.required = field != "date_of_birth";
        view
    })
    .collect();
    let forms = referral_forms(definition)
        .into_iter()
        .map(|form| (form_view(form, values, errors), completed_by_words(definition, form)))
        .collect();
    let rules: Vec<String> = definition
        .referrals
        .valid_when
        .iter()
        .map(|set| {
            set.iter()
                .map(|f| definition.form(f).map_or_else(|| f.to_string(), |d| d.name.clone()))
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect();
    let sources: Vec<String> = if definition.referrals.sources.is_empty() {
        ["self-referral", "staff", "agency", "form", "email", "phone", "automatic"].iter().map(|s| (*s).to_owned()).collect()
    } else {
        definition.referrals.sources.iter().map(|s| s.name().to_owned()).collect()
    };
    NewReferralPage {
        signed_in: session.header.clone(),
        service: definition.code().to_string(),
        service_name: definition.service.name.clone(),
        rules: rules.join(", or "),
        problems: errors.to_vec(),
        person_fields,
        chosen_source: values.get("source").cloned().unwrap_or_else(|| sources.first().cloned().unwrap_or_default()),
        sources,
        summary: value("summary"),
        summary_error: error_for("summary"),
        forms,
    }
}

async fn new_referral_page(
    State(app): State<App>,
    session: Session,
    axum::extract::Query(query): axum::extract::Query<ServiceQuery>,
) -> Response {
    let Session { actor, header: name } = &session;
    let Some(definition) = casework_domain::text::Code::parse(&query.service).ok().and_then(|c| app.services.get(&c).cloned())
    else {
        return problem(AppError::NotFound("service"), name.clone());
    };
    if !actor.may_in_service(Permission::ReferralCreate, definition.code()) {
        return problem(AppError::Forbidden("record referrals for this service"), name.clone());
    }
    render(&new_referral_view(&session, &definition, &Default::default(), &[]), StatusCode::OK)
}

/// Who completes a form, in words for its heading.
fn completed_by_words(
    definition: &casework_domain::service::ServiceDefinition,
    form: &casework_domain::form::FormDefinition,
) -> String {
    let names: Vec<String> = form
        .filled_by
        .iter()
        .map(|code| {
            if code.as_str() == "subject" {
                "the person referred".to_owned()
            } else {
                definition.role(code).map_or_else(|| code.to_string(), |r| r.name.to_lowercase())
            }
        })
        .collect();
    names.join(" or ")
}

/// Turns an API-style field path into the id of the field on the page.
fn anchor(field: &str, form_codes: &[String]) -> String {
    let parts: Vec<&str> = field.split('/').collect();
    match parts.as_slice() {
        ["person", rest @ ..] => format!("person-{}", rest.first().copied().unwrap_or("given_name")),
        ["forms", index, ..] => {
            let code = index.parse::<usize>().ok().and_then(|i| form_codes.get(i)).cloned().unwrap_or_default();
            schema_form::anchor_of(&code, field)
        }
        [first, ..] if !first.is_empty() => (*first).to_owned(),
        _ => "summary".to_owned(),
    }
}

async fn record_referral(State(app): State<App>, session: Session, Form(fields): Form<Vec<(String, String)>>) -> Response {
    let Session { actor, header: name } = &session;
    let values: std::collections::BTreeMap<String, String> = fields.into_iter().collect();
    let Some(definition) = values
        .get("service")
        .and_then(|s| casework_domain::text::Code::parse(s).ok())
        .and_then(|c| app.services.get(&c).cloned())
    else {
        return problem(AppError::NotFound("service"), name.clone());
    };
    let value = |key: &str| values.get(key).map(|v| v.trim().to_owned()).unwrap_or_default();
    let today = casework_domain::time::day_of(app.now());
    let dob = value("person.date_of_birth");
    let person = casework_domain::person::NewPerson::parse(
        &value("person.given_name"),
        &value("person.family_name"),
        None,
        (!dob.is_empty()).then_some(dob.as_str()),
        &[],
        today,
    );
    let mut form_codes = Vec::new();
    let mut entries = Vec::new();
    for form in referral_forms(&definition) {
        let answers = schema_form::answers(form, &values);
        if !answers.is_empty() {
            form_codes.push(form.code.to_string());
            entries.push(casework_app::forms::FormEntry { form: form.code.clone(), answers, completed_by: None });
        }
    }
    let mut invalid = casework_domain::Invalid::new();
    let source = invalid.check("source", casework_domain::referral::ReferralSource::parse(&value("source")));
    let summary = invalid.check("summary", casework_domain::text::LongText::parse(&value("summary")));
    let result = match (person, source, summary) {
        (Ok(person), Some(source), Some(summary)) if invalid.is_empty() => {
            let new = casework_app::referrals::NewReferral {
                service: definition.code().clone(),
                person: casework_domain::ids::PersonId::new(),
                source,
                received_at: None,
                summary,
                forms: entries,
                previous: None,
            };
            app.refer_new_person(actor, person, new).await
        }
        (person, _, _) => {
            if let Err(errors) = person {
                invalid.absorb("person", errors);
            }
            Err(AppError::Invalid(invalid))
        }
    };
    match result {
        Ok(referral) => Redirect::to(&format!("/referrals/{}", referral.id)).into_response(),
        Err(AppError::Invalid(invalid)) => {
            let errors: Vec<(String, String)> =
                invalid.errors.iter().map(|e| (anchor(&e.field, &form_codes), e.message.clone())).collect();
            render(&new_referral_view(&session, &definition, &values, &errors), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(error) => problem(error, name.clone()),
    }
}

/// A link made for the person referred: form name, when made, until when, and whether used.
struct LinkRow {
    form: String,
    made: String,
    expires: String,
    used: bool,
}

#[derive(Template)]
#[template(path = "referral.html")]
struct ReferralPage {
    signed_in: Option<SignedIn>,
    id: String,
    service_name: String,
    person: String,
    valid: bool,
    validity: String,
    pending: bool,
    outcome: String,
    source: String,
    received: String,
    summary: String,
    forms: String,
    /// Code and name of each form the person fills in themselves that the referral lacks.
    subject_forms: Vec<(String, String)>,
    links: Vec<LinkRow>,
    /// A link just made, shown this once.
    new_link: Option<String>,
    may_ask: bool,
}

async fn referral_page(State(app): State<App>, session: Session, Path(id): Path<String>) -> Response {
    show_referral(&app, &session, &id, None).await
}

async fn show_referral(app: &App, session: &Session, id: &str, new_link: Option<String>) -> Response {
    let Session { actor, header: name } = session;
    let Ok(id) = id.parse() else { return problem(AppError::NotFound("referral"), name.clone()) };
    let page = async {
        let (referral, validity, person) = app.referral_with_person(actor, id).await?;
        let definition = app.services.get(&referral.service).cloned().ok_or(AppError::NotFound("service"))?;
        let form_name =
            |code: &casework_domain::text::Code| definition.form(code).map_or_else(|| code.to_string(), |f| f.name.clone());
        let message = if validity.valid {
            "The referral has the forms it needs.".to_owned()
        } else {
            let ways: Vec<String> =
                validity.missing.iter().map(|set| set.iter().map(&form_name).collect::<Vec<_>>().join(" and ")).collect();
            format!("It still needs {}.", ways.join(", or "))
        };
        let pending = referral.outcome == casework_domain::referral::ReferralOutcome::Pending;
        let subject_forms = definition
            .forms
            .iter()
            .filter(|f| f.filled_by.iter().any(|c| c.as_str() == "subject"))
            .filter(|f| !referral.forms.iter().any(|given| given.form == f.code))
            .map(|f| (f.code.to_string(), f.name.clone()))
            .collect();
        let links = app
            .subject_form_links(actor, id)
            .await?
            .into_iter()
            .map(|l| LinkRow {
                form: form_name(&l.form),
                made: uk_time(l.created_at),
                expires: uk_time(l.expires_at),
                used: l.used_at.is_some(),
            })
            .collect();
        Ok::<_, AppError>(ReferralPage {
            signed_in: name.clone(),
            id: id.to_string(),
            service_name: definition.service.name.clone(),
            person,
            valid: validity.valid,
            validity: message,
            pending,
            outcome: referral.outcome.name().replace('-', " "),
            source: referral.source.name().to_owned(),
            received: uk_time(referral.received_at),
            summary: referral.summary.to_string(),
            forms: if referral.forms.is_empty() {
                "None yet".to_owned()
            } else {
                referral
                    .forms
                    .iter()
                    .map(|f| {
                        if f.completed_by.as_str() == "subject" {
                            format!("{} (by the person)", form_name(&f.form))
                        } else {
                            form_name(&f.form)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            subject_forms,
            links,
            new_link: new_link.clone(),
            may_ask: pending && actor.may_in_service(Permission::ReferralCreate, &referral.service),
        })
    };
    match page.await {
        Ok(page) => render(&page, if new_link.is_some() { StatusCode::CREATED } else { StatusCode::OK }),
        Err(error) => problem(error, name.clone()),
    }
}

#[derive(Debug, Deserialize)]
struct LinkForm {
    form: String,
}

/// Makes a link for the person to fill in their form, and shows it once.
async fn make_subject_link(
    State(app): State<App>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<LinkForm>,
) -> Response {
    let Ok(referral) = id.parse() else { return problem(AppError::NotFound("referral"), session.header.clone()) };
    let Ok(code) = casework_domain::text::Code::parse(&form.form) else {
        return problem(AppError::NotFound("form"), session.header.clone());
    };
    match app.request_subject_form(&session.actor, referral, code).await {
        Ok((_, secret)) => show_referral(&app, &session, &id, Some(format!("{}/forms/{secret}", origin_of(&headers)))).await,
        Err(error) => problem(error, session.header.clone()),
    }
}

/// Where this server is, as the browser reached it, to write a whole link to send on.
fn origin_of(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let loopback = host.starts_with("127.0.0.1") || host.starts_with("localhost") || host.starts_with("[::1]");
    let scheme =
        headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).unwrap_or(if loopback { "http" } else { "https" });
    format!("{scheme}://{host}")
}
