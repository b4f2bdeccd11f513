//! The home page (my caseload, alerts, work lists) and the printable caseload.

use super::*;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new().route("/", get(home)).route("/caseload/print", get(print_caseload))
}

struct CaseRow {
    id: String,
    reference: String,
    person_name: String,
    stage: String,
    level: String,
    /// The most pressing deadline: name, time left and tag class.
    deadline: Option<(String, String, &'static str)>,
}

struct TaskRow {
    case: String,
    case_reference: String,
    title: String,
    due: String,
    class: &'static str,
}

struct AlertRow {
    case: String,
    case_reference: String,
    message: String,
}

struct WorkListRow {
    name: String,
    service: String,
    code: String,
    count: i64,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    signed_in: Option<SignedIn>,
    /// Code and name of each service the user may refer to.
    referral_services: Vec<(String, String)>,
    /// Service, meeting code and name of each meeting the user chairs.
    meetings: Vec<(String, String, String)>,
    caseload: Vec<CaseRow>,
    tasks: Vec<TaskRow>,
    overdue_tasks: usize,
    alerts: Vec<AlertRow>,
    work_lists: Vec<WorkListRow>,
    /// Whether the user audits a service (and so has the access log).
    auditor: bool,
    /// Whether the user may read some cases, and so search them.
    searcher: bool,
    /// Code and name of each service whose records the user reviews for disposal.
    disposal_reviews: Vec<(String, String)>,
    /// Code and name of each service whose subject access requests the user handles.
    subject_access: Vec<(String, String)>,
    /// Code and name of each service whose reports the user reads.
    reports: Vec<(String, String)>,
}

/// The open cases allocated to the actor.
fn my_caseload(actor: &Actor, limit: i64) -> casework_app::cases::CaseQuery {
    casework_app::cases::CaseQuery { worker: Some(actor.user), status: Some("open".into()), limit, ..Default::default() }
}

async fn home(State(app): State<App>, session: Session) -> Response {
    let Session { actor, header: name } = session;
    let query = my_caseload(&actor, 200);
    let page = async {
        let caseload = app.list_cases(&actor, &query).await?;
        let deadlines = app.next_deadlines(&caseload.iter().map(|c| (c.id, c.service.clone())).collect::<Vec<_>>()).await?;
        let tasks = app.my_tasks(&actor, 100).await?;
        let today = casework_domain::time::day_of(app.now());
        let tasks: Vec<TaskRow> = tasks
            .into_iter()
            .map(|open| {
                let (due, class) = match open.task.due_on {
                    Some(day) if day < today => (format!("overdue since {}", super::cases::day(day)), "govuk-tag--red"),
                    Some(day) if day == today => ("due today".to_owned(), "govuk-tag--yellow"),
                    Some(day) => (format!("due {}", super::cases::day(day)), "govuk-tag--blue"),
                    None => ("no due date".to_owned(), "govuk-tag--grey"),
                };
                TaskRow {
                    case: open.task.case.to_string(),
                    case_reference: open.case_reference,
                    title: open.task.title.to_string(),
                    due,
                    class,
                }
            })
            .collect();
        let alerts = app.my_alerts(&actor, None, 50).await?;
        let work_lists = app.work_lists(&actor).await?;
        Ok::<_, AppError>(HomePage {
            signed_in: name.clone(),
            referral_services: app
                .services
                .all()
                .filter(|d| actor.may_in_service(Permission::ReferralCreate, d.code()))
                .map(|d| (d.code().to_string(), d.service.name.clone()))
                .collect(),
            meetings: app
                .services
                .all()
                .flat_map(|d| {
                    d.meetings
                        .iter()
                        .filter(|m| actor.memberships.iter().any(|r| &r.service == d.code() && r.role.code == m.chaired_by))
                        .map(|m| (d.code().to_string(), m.code.to_string(), m.name.to_lowercase()))
                })
                .collect(),
            caseload: caseload
                .into_iter()
                .map(|c| CaseRow {
                    id: c.id.to_string(),
                    reference: c.reference,
                    person_name: c.person_name,
                    stage: c.stage.to_string(),
                    level: c.level.map(|l| l.to_string()).unwrap_or_default(),
                    deadline: deadlines
                        .get(&c.id)
                        .map(|d| (d.name.clone(), d.left.to_string(), super::cases::deadline_class(&d.left, d.timer.is_open()))),
                })
                .collect(),
            overdue_tasks: tasks.iter().filter(|t| t.class == "govuk-tag--red").count(),
            tasks,
            auditor: !actor.services_with(Permission::AuditRead).is_empty(),
            searcher: !actor.case_filter(Permission::CaseRead).is_empty(),
            disposal_reviews: actor
                .services_with(Permission::RecordsDispose)
                .into_iter()
                .map(|code| (code.to_string(), app.services.get(code).map(|d| d.service.name.clone()).unwrap_or_default()))
                .collect(),
            subject_access: app
                .services
                .all()
                .filter(|d| actor.may_across_service(Permission::PersonExport, d.code()))
                .map(|d| (d.code().to_string(), d.service.name.clone()))
                .collect(),
            reports: app
                .services
                .all()
                .filter(|d| actor.may_in_service(Permission::ReportsRead, d.code()))
                .map(|d| (d.code().to_string(), d.service.name.clone()))
                .collect(),
            alerts: alerts
                .into_iter()
                .map(|a| AlertRow { case: a.case.to_string(), case_reference: a.case_reference, message: a.message })
                .collect(),
            work_lists: work_lists
                .into_iter()
                .map(|w| WorkListRow {
                    name: w.list.name,
                    service: w.service.to_string(),
                    code: w.list.code.to_string(),
                    count: w.count,
                })
                .collect(),
        })
    };
    match page.await {
        Ok(page) => render(&page, StatusCode::OK),
        Err(error) => problem(error, name),
    }
}

struct PrintRow {
    reference: String,
    person: String,
    born: String,
    stage: String,
    level: String,
    flags: String,
    deadlines: String,
}

#[derive(Template)]
#[template(path = "print_caseload.html")]
struct PrintCaseload {
    signed_in: Option<SignedIn>,
    owner: String,
    printed: String,
    rows: Vec<PrintRow>,
}

/// The signed-in user's caseload on paper, for when systems are down (every case shown is
/// logged as viewed, as on screen).
async fn print_caseload(State(app): State<App>, session: Session) -> Response {
    let Session { actor, header: name } = session;
    let query = my_caseload(&actor, 500);
    let page = async {
        let mut rows = Vec::new();
        for summary in app.list_cases(&actor, &query).await? {
            let view = app.get_case(&actor, summary.id).await?;
            let deadlines: Vec<String> = app
                .case_deadlines(&actor, summary.id)
                .await?
                .into_iter()
                .filter(|d| d.timer.is_open())
                .map(|d| format!("{}: {}", d.name, d.left))
                .collect();
            rows.push(PrintRow {
                reference: summary.reference,
                person: view.person.display_name(),
                born: view
                    .person
                    .date_of_birth
                    .map(|d| d.strftime("%-d %B %Y").to_string())
                    .unwrap_or_else(|| "date of birth not recorded".into()),
                stage: summary.stage.to_string(),
                level: summary.level.map(|l| l.to_string()).unwrap_or_default(),
                flags: summary.flags.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                deadlines: deadlines.join("; "),
            });
        }
        Ok::<_, AppError>(PrintCaseload {
            signed_in: name.clone(),
            owner: actor.username.clone(),
            printed: uk_time(app.now()),
            rows,
        })
    };
    match page.await {
        Ok(page) => render(&page, StatusCode::OK),
        Err(error) => problem(error, name),
    }
}
