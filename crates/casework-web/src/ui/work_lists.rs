//! Work lists: a service's saved filters over its cases.

use super::*;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new().route("/work-lists/{service}/{list}", get(work_list_page))
}

struct ListRow {
    id: String,
    reference: String,
    person_name: String,
    stage: String,
    level: String,
    flags: Vec<String>,
}

#[derive(Template)]
#[template(path = "work_list.html")]
struct WorkListPage {
    signed_in: Option<SignedIn>,
    service: String,
    name: String,
    rows: Vec<ListRow>,
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ListPosition {
    cursor: Option<String>,
}

const PAGE_ROWS: i64 = 25;

async fn work_list_page(
    State(app): State<App>,
    session: Session,
    Path((service, list)): Path<(String, String)>,
    axum::extract::Query(position): axum::extract::Query<ListPosition>,
) -> Response {
    let Session { actor, header: name } = session;
    let (Ok(service), Ok(list)) = (casework_domain::text::Code::parse(&service), casework_domain::text::Code::parse(&list))
    else {
        return problem(AppError::NotFound("work list"), name);
    };
    let before = position.cursor.as_deref().and_then(|c| c.parse::<CaseId>().ok());
    let page = async {
        let definition = app.services.get(&service).ok_or(AppError::NotFound("work list"))?;
        let title = definition
            .work_lists
            .iter()
            .find(|l| l.code == list)
            .map(|l| l.name.clone())
            .ok_or(AppError::NotFound("work list"))?;
        let mut rows = app.work_list(&actor, &service, &list, before, PAGE_ROWS + 1).await?;
        let next = if rows.len() > usize::try_from(PAGE_ROWS).unwrap_or(25) {
            rows.truncate(usize::try_from(PAGE_ROWS).unwrap_or(25));
            rows.last().map(|r| r.id.to_string())
        } else {
            None
        };
        Ok::<_, AppError>(WorkListPage {
            signed_in: name.clone(),
            service: definition.service.name.clone(),
            name: title,
            rows: rows
                .into_iter()
                .map(|c| ListRow {
                    id: c.id.to_string(),
                    reference: c.reference,
                    person_name: c.person_name,
                    stage: definition.stage(&c.stage).map_or_else(|| c.stage.to_string(), |s| s.name.clone()),
                    level: c.level.map(|l| l.to_string()).unwrap_or_default(),
                    flags: c.flags.iter().map(ToString::to_string).collect(),
                })
                .collect(),
            next,
        })
    };
    match page.await {
        Ok(page) => render(&page, StatusCode::OK),
        Err(error) => problem(error, name),
    }
}
