//! The printable case summary for the emergency protocol: what a worker needs to carry on
//! with a case on paper when systems are down. Printing reads the record like the screen
//! does, so every part of it is logged as viewed.

use super::cases::{day, deadline_class};
use super::*;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new().route("/cases/{id}/print", get(case_summary))
}

#[derive(Template)]
#[template(path = "print_case.html")]
struct CaseSummary {
    signed_in: Option<SignedIn>,
    id: String,
    printed: String,
    printed_by: String,
    reference: String,
    service: String,
    person: String,
    born: String,
    stage: String,
    level: String,
    worker: String,
    status: String,
    flags: String,
    /// Name and date.
    key_dates: Vec<(String, String)>,
    /// Name, time left and tag class.
    deadlines: Vec<(String, String, &'static str)>,
    /// Title and due day.
    tasks: Vec<(String, String)>,
    /// Description, measure and target.
    objectives: Vec<(String, String, String)>,
    next_review: String,
    /// When, kind, late entry and text.
    notes: Vec<(String, String, bool, String)>,
    /// Outcome, reason and when.
    decisions: Vec<(String, String, String)>,
}

const NOTES_ON_PAPER: i64 = 20;

async fn case_summary(State(app): State<App>, session: Session, Path(id): Path<String>) -> Response {
    let Session { actor, header } = &session;
    let Ok(id) = id.parse::<CaseId>() else { return problem(AppError::NotFound("case"), header.clone()) };
    let page = async {
        let view = app.get_case(actor, id).await?;
        let case = &view.case;
        let definition = app.services.version(&case.service, case.service_version).ok_or(AppError::NotFound("service"))?;
        let name_in = |choices: &[casework_domain::service::Choice], code: &casework_domain::text::Code| {
            choices.iter().find(|c| &c.code == code).map_or_else(|| code.to_string(), |c| c.name.clone())
        };
        let worker = match case.worker {
            Some(worker) => app.display_names(&[worker]).await?.remove(&worker).unwrap_or_default(),
            None => "not allocated".into(),
        };
        let deadlines = app
            .case_deadlines(actor, id)
            .await?
            .into_iter()
            .filter(|d| d.timer.is_open())
            .map(|d| (d.name.clone(), d.left.to_string(), deadline_class(&d.left, true)))
            .collect();
        let tasks = app
            .case_tasks(actor, id, None, 500)
            .await?
            .into_iter()
            .filter(|t| matches!(t.status, casework_domain::task::TaskStatus::Open))
            .map(|t| (t.title.to_string(), t.due_on.map(day).unwrap_or_default()))
            .collect();
        let plan = app.plan(actor, id).await?;
        let notes = app
            .case_notes(actor, id, None, NOTES_ON_PAPER)
            .await?
            .into_iter()
            .map(|n| (uk_time(n.contact_at), n.kind.name().to_owned(), n.late_entry, n.body.to_string()))
            .collect();
        let decisions = app
            .case_decisions(actor, id, None, 100)
            .await?
            .into_iter()
            .map(|d| {
                let reason = definition
                    .decision_reasons
                    .iter()
                    .find(|l| l.code == d.reason_list)
                    .map_or_else(|| d.reason.to_string(), |l| name_in(&l.reasons, &d.reason));
                (name_in(&definition.decision_outcomes, &d.outcome), reason, uk_time(d.decided_at))
            })
            .collect();
        Ok::<_, AppError>(CaseSummary {
            signed_in: header.clone(),
            id: id.to_string(),
            printed: uk_time(app.now()),
            printed_by: actor.username.clone(),
            reference: case.reference.to_string(),
            service: definition.service.name.clone(),
            person: view.person.display_name(),
            born: view.person.date_of_birth.map(day).unwrap_or_else(|| "not recorded".into()),
            stage: definition.stage(&case.stage).map_or_else(|| case.stage.to_string(), |s| s.name.clone()),
            level: case.level.as_ref().map_or_else(|| "not set".into(), |l| name_in(&definition.levels, l)),
            worker,
            status: if case.is_open() { "Open".into() } else { "Closed".into() },
            flags: case.flags.iter().map(|f| name_in(&definition.flags, &f.code)).collect::<Vec<_>>().join(", "),
            key_dates: case.key_dates.iter().map(|(code, date)| (name_in(&definition.key_dates, code), day(*date))).collect(),
            deadlines,
            tasks,
            objectives: plan
                .objectives
                .into_iter()
                .filter(|o| o.status == casework_domain::plan::ObjectiveStatus::Open)
                .map(|o| (o.description.to_string(), o.measure.to_string(), day(o.target_date)))
                .collect(),
            next_review: plan.dates.and_then(|d| d.next_review_on).map(day).unwrap_or_default(),
            notes,
            decisions,
        })
    };
    match page.await {
        Ok(page) => render(&page, StatusCode::OK),
        Err(error) => problem(error, header.clone()),
    }
}
