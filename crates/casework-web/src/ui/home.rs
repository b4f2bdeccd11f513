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
    alerts: Vec<AlertRow>,
    work_lists: Vec<WorkListRow>,
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
                })
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
