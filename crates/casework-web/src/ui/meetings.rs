//! Meetings: the weekly triage with a decision per referral.

use super::*;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/meetings", post(hold_meeting))
        .route("/meetings/{id}", get(meeting_page))
        .route("/meetings/{id}/items/{position}", post(decide_item))
}

struct ItemView {
    position: u32,
    person: String,
    summary: String,
    outcome: Option<String>,
    minute: String,
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    signed_in: Option<SignedIn>,
    id: String,
    title: String,
    service_name: String,
    held_on: String,
    level_label: String,
    levels: Vec<(String, String)>,
    workers: Vec<(String, String)>,
    items: Vec<ItemView>,
    error: Option<String>,
    error_item: u32,
}

#[derive(Debug, Deserialize)]
struct HoldForm {
    service: String,
    meeting: String,
}

async fn hold_meeting(State(app): State<App>, session: Session, Form(form): Form<HoldForm>) -> Response {
    let Session { actor, header: name } = session;
    let (Ok(service), Ok(meeting)) =
        (casework_domain::text::Code::parse(&form.service), casework_domain::text::Code::parse(&form.meeting))
    else {
        return problem(AppError::NotFound("meeting"), name.clone());
    };
    let today = casework_domain::time::day_of(app.now());
    match app.hold_meeting(&actor, &service, &meeting, today).await {
        Ok(held) => Redirect::to(&format!("/meetings/{}", held.id)).into_response(),
        Err(error) => problem(error, name.clone()),
    }
}

async fn meeting_page(State(app): State<App>, session: Session, Path(id): Path<String>) -> Response {
    meeting_view(&app, &session, &id, None, 0).await
}

async fn meeting_view(app: &App, session: &Session, id: &str, error: Option<String>, error_item: u32) -> Response {
    let Session { actor, header: name } = session;
    let Ok(id) = id.parse() else { return problem(AppError::NotFound("meeting"), name.clone()) };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = async {
        let meeting = app.meeting(actor, id).await?;
        let definition = app.services.get(&meeting.service).cloned().ok_or(AppError::NotFound("service"))?;
        let mut items = Vec::new();
        for item in &meeting.items {
            let (person, summary) = match item.referral {
                Some(referral) => {
                    let (referral, _, person) = app.referral_with_person(actor, referral).await?;
                    (person, referral.summary.to_string())
                }
                None => (item.case.map(|c| c.to_string()).unwrap_or_default(), String::new()),
            };
            items.push(ItemView {
                position: item.position,
                person,
                summary,
                outcome: item.outcome.as_ref().map(|o| o.replace('-', " ")),
                minute: item.minute.clone().unwrap_or_default(),
            });
        }
        Ok::<_, AppError>(MeetingPage {
            signed_in: name.clone(),
            id: meeting.id.to_string(),
            title: definition
                .meetings
                .iter()
                .find(|m| m.code == meeting.kind)
                .map_or_else(|| meeting.kind.to_string(), |m| m.name.clone()),
            service_name: definition.service.name.clone(),
            held_on: meeting.held_on.strftime("%-d %B %Y").to_string(),
            level_label: definition.service.level_label.clone(),
            levels: definition.levels.iter().map(|l| (l.code.to_string(), l.name.clone())).collect(),
            workers: app
                .case_holders(actor, &meeting.service)
                .await?
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect(),
            items,
            error: error.clone(),
            error_item,
        })
    };
    match page.await {
        Ok(page) => render(&page, status),
        Err(error) => problem(error, name.clone()),
    }
}

#[derive(Debug, Deserialize)]
struct ItemForm {
    outcome: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    worker: String,
    #[serde(default)]
    minute: String,
}

async fn decide_item(
    State(app): State<App>,
    session: Session,
    Path((id, position)): Path<(String, u32)>,
    Form(form): Form<ItemForm>,
) -> Response {
    let Session { actor, header: name } = &session;
    let Ok(meeting) = id.parse() else { return problem(AppError::NotFound("meeting"), name.clone()) };
    let Ok(minute) = casework_domain::text::LongText::parse(&form.minute) else {
        return meeting_view(&app, &session, &id, Some(format!("Write the minute for item {position}")), position).await;
    };
    let decision = match form.outcome.as_str() {
        "file" => casework_app::referrals::Decision::KeepOnFile { explanation: Some(minute.clone()) },
        _ => casework_app::referrals::Decision::Accept(casework_app::cases::Allocation {
            level: casework_domain::text::Code::parse(&form.level).ok(),
            worker: form.worker.parse().ok(),
            team: None,
        }),
    };
    match app
        .decide_meeting_item(actor, meeting, position, casework_app::meetings::ItemDecision::Referral(decision), minute)
        .await
    {
        Ok(_) => Redirect::to(&format!("/meetings/{id}#item-{position}")).into_response(),
        Err(AppError::Invalid(invalid)) => {
            let message =
                invalid.errors.first().map_or_else(|| "The decision could not be recorded".to_owned(), |e| e.message.clone());
            meeting_view(&app, &session, &id, Some(message), position).await
        }
        Err(error) => problem(error, name.clone()),
    }
}
