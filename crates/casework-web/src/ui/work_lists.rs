//! Work lists: a service's saved filters over its cases, narrowed further by the reader's
//! filters, sorted and paged on the server, with bulk allocation for those who allocate.

use super::*;
use casework_app::work_lists::{ListRequest, SORT_COLUMNS, WorkListView};
use casework_domain::FieldError;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/work-lists/{service}/{list}", get(work_list_page))
        .route("/work-lists/{service}/{list}/allocation", post(allocate_selected))
}

struct ListRow {
    id: String,
    /// What the checkbox sends: the case and the version the reader saw.
    selection: String,
    selected: bool,
    reference: String,
    person_name: String,
    stage: String,
    level: String,
    opened: String,
    worker: String,
    flags: Vec<String>,
    /// The most pressing deadline: name, time left and tag class.
    deadline: Option<(String, String, &'static str)>,
}

struct SelectField {
    id: &'static str,
    label: String,
    /// Value, label, selected.
    options: Vec<(String, String, bool)>,
    error: Option<String>,
}

struct Column {
    label: String,
    /// The sort link and `aria-sort` of a sortable column.
    sort: Option<(String, &'static str)>,
}

/// A page link of the pagination (`None` for the gap between numbers).
struct PageLink {
    number: Option<i64>,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "work_list.html")]
struct WorkListPage {
    signed_in: Option<SignedIn>,
    action: String,
    service: String,
    name: String,
    errors: Vec<(String, String)>,
    allocated: Option<String>,
    filters: Vec<SelectField>,
    text: String,
    text_error: Option<String>,
    /// Hidden fields that keep the sort when filters change.
    keep: Vec<(&'static str, String)>,
    clear: String,
    columns: Vec<Column>,
    rows: Vec<ListRow>,
    total: i64,
    showing: String,
    previous: Option<String>,
    next: Option<String>,
    pages: Vec<PageLink>,
    /// Whom the selected cases can go to (value, label with caseload), when the reader allocates.
    holders: Option<Vec<(String, String, bool)>>,
    cases_error: Option<String>,
    holder_error: Option<String>,
    /// The query string of the page, so the allocation comes back to the same view.
    query: String,
}

/// The query string fields a work list understands, in the order links write them.
const LIST_FIELDS: [&str; 9] = ["stage", "level", "flag", "worker", "text", "sort", "order", "page", "per_page"];

/// The first value of each known field (a field sent twice counts once).
fn list_request(fields: &[(String, String)]) -> ListRequest {
    let value = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    ListRequest {
        stage: value("stage"),
        level: value("level"),
        flag: value("flag"),
        worker: value("worker"),
        text: value("text"),
        sort: value("sort"),
        order: value("order"),
        page: value("page"),
        per_page: value("per_page"),
    }
}

fn request_fields(request: &ListRequest) -> Vec<(&'static str, String)> {
    let values = [
        &request.stage,
        &request.level,
        &request.flag,
        &request.worker,
        &request.text,
        &request.sort,
        &request.order,
        &request.page,
        &request.per_page,
    ];
    LIST_FIELDS
        .iter()
        .zip(values)
        .filter_map(|(name, value)| value.as_ref().filter(|v| !v.is_empty()).map(|v| (*name, v.clone())))
        .collect()
}

fn query_string(fields: &[(&str, String)]) -> String {
    serde_urlencoded::to_string(fields).unwrap_or_default()
}

/// The page's own address with these changes to its query.
fn link(base: &str, request: &ListRequest, change: impl FnOnce(&mut ListRequest)) -> String {
    let mut request = request.clone();
    change(&mut request);
    let query = query_string(&request_fields(&request));
    if query.is_empty() { base.to_owned() } else { format!("{base}?{query}") }
}

/// Page numbers to show: the first, the last, and those next to the current one.
fn page_numbers(current: i64, last: i64) -> Vec<Option<i64>> {
    let mut numbers = Vec::new();
    for n in 1..=last {
        if n == 1 || n == last || (n - current).abs() <= 1 {
            numbers.push(Some(n));
        } else if numbers.last().is_some_and(Option::is_some) {
            numbers.push(None);
        }
    }
    numbers
}

fn error_for(errors: &[FieldError], field: &str) -> Option<String> {
    errors.iter().find(|e| e.field == field).map(|e| e.message.clone())
}

struct Shown {
    errors: Vec<FieldError>,
    selected: Vec<String>,
    holder: Option<String>,
    allocated: Option<u32>,
}

fn list_view(service_code: &str, list_code: &str, view: WorkListView, shown: Shown, signed_in: Option<SignedIn>) -> WorkListPage {
    let base = format!("/work-lists/{service_code}/{list_code}");
    let mut errors = view.problems.errors.clone();
    errors.extend(shown.errors);
    let chosen = &view.chosen;
    let select = |id: &'static str, label: String, options: &[casework_app::work_lists::ListOption], value: &Option<String>| {
        let mut all = vec![(String::new(), "Any".to_owned(), value.is_none())];
        all.extend(options.iter().map(|o| (o.value.clone(), o.label.clone(), value.as_deref() == Some(o.value.as_str()))));
        SelectField { id, label, options: all, error: error_for(&errors, id) }
    };
    let mut filters = vec![select("stage", "Stage".into(), &view.stages, &chosen.stage)];
    if !view.levels.is_empty() {
        filters.push(select("level", view.level_label.clone(), &view.levels, &chosen.level));
    }
    if !view.flags.is_empty() {
        filters.push(select("flag", "Flag".into(), &view.flags, &chosen.flag));
    }
    filters.push(select("worker", "Worker".into(), &view.workers, &chosen.worker));

    let columns = [
        ("Reference".to_owned(), "reference"),
        ("Person".to_owned(), "person"),
        ("Stage".to_owned(), "stage"),
        (view.level_label.clone(), "level"),
        ("Opened".to_owned(), "opened"),
        ("Worker".to_owned(), "worker"),
    ];
    let columns = columns
        .into_iter()
        .map(|(label, key)| {
            let current = view.sort == key;
            let aria = match (current, view.descending) {
                (true, true) => "descending",
                (true, false) => "ascending",
                _ => "none",
            };
            let href = link(&base, chosen, |r| {
                r.sort = Some(key.to_owned());
                r.order = Some(if current && !view.descending { "desc" } else { "asc" }.to_owned());
                r.page = None;
            });
            Column { label, sort: SORT_COLUMNS.contains(&key).then_some((href, aria)) }
        })
        .collect();

    let last = ((view.total + view.per_page - 1) / view.per_page).max(1);
    let page_href = |n: i64| link(&base, chosen, |r| r.page = (n > 1).then(|| n.to_string()));
    let pages = if last > 1 {
        page_numbers(view.page, last)
            .into_iter()
            .map(|n| PageLink { number: n, href: n.map(page_href).unwrap_or_default(), current: n == Some(view.page) })
            .collect()
    } else {
        Vec::new()
    };
    let first_row = (view.page - 1) * view.per_page + 1;
    let showing = if view.rows.is_empty() {
        String::new()
    } else {
        format!("Showing {} to {} of {} cases", first_row, first_row - 1 + view.rows.len() as i64, view.total)
    };
    let holders = view.holders.as_ref().map(|holders| {
        holders
            .iter()
            .map(|h| {
                let cases = if h.open_cases == 1 { "1 open case".to_owned() } else { format!("{} open cases", h.open_cases) };
                let value = h.id.to_string();
                let selected = shown.holder.as_deref() == Some(value.as_str());
                (value, format!("{} ({cases})", h.name), selected)
            })
            .collect()
    });
    let rows: Vec<ListRow> = view
        .rows
        .iter()
        .map(|c| {
            let selection = format!("{}@{}", c.id, c.version);
            ListRow {
                deadline: view
                    .deadlines
                    .get(&c.id)
                    .map(|d| (d.name.clone(), d.left.to_string(), super::cases::deadline_class(&d.left, d.timer.is_open()))),
                id: c.id.to_string(),
                selected: shown.selected.contains(&selection),
                selection,
                reference: c.reference.clone(),
                person_name: c.person_name.clone(),
                stage: view
                    .stages
                    .iter()
                    .find(|s| s.value == c.stage.as_str())
                    .map_or_else(|| c.stage.to_string(), |s| s.label.clone()),
                level: c
                    .level
                    .as_ref()
                    .map(|l| {
                        view.levels.iter().find(|o| o.value == l.as_str()).map_or_else(|| l.to_string(), |o| o.label.clone())
                    })
                    .unwrap_or_default(),
                opened: c.opened_at.to_zoned(casework_domain::time::service_zone()).strftime("%-d %b %Y").to_string(),
                worker: c
                    .worker_name
                    .clone()
                    .unwrap_or_else(|| if c.worker.is_some() { "Allocated".into() } else { "Not allocated".into() }),
                flags: c.flags.iter().map(ToString::to_string).collect(),
            }
        })
        .collect();
    // Each problem links to the control it is about.
    let anchors = errors
        .iter()
        .map(|e| {
            let anchor = match e.field.as_str() {
                "cases" if !rows.is_empty() => "case-1".to_owned(),
                "cases" => "main-content".to_owned(),
                "allocate_to" => "allocate-to".to_owned(),
                "sort" | "order" | "page" | "per_page" => "results".to_owned(),
                field => field.to_owned(),
            };
            (anchor, e.message.clone())
        })
        .collect();
    let keep = [("sort", &chosen.sort), ("order", &chosen.order), ("per_page", &chosen.per_page)]
        .into_iter()
        .filter_map(|(name, value)| value.clone().map(|v| (name, v)))
        .collect();
    WorkListPage {
        signed_in,
        action: format!("{base}/allocation"),
        service: view.service_name.clone(),
        name: view.title.clone(),
        cases_error: error_for(&errors, "cases"),
        holder_error: error_for(&errors, "allocate_to"),
        text_error: error_for(&errors, "text"),
        errors: anchors,
        allocated: shown.allocated.map(|n| if n == 1 { "1 case allocated".to_owned() } else { format!("{n} cases allocated") }),
        filters,
        text: chosen.text.clone().unwrap_or_default(),
        keep,
        clear: base.clone(),
        columns,
        rows,
        total: view.total,
        showing,
        previous: (view.page > 1 && view.page <= last).then(|| page_href(view.page - 1)),
        next: (view.page < last).then(|| page_href(view.page + 1)),
        pages,
        holders,
        query: query_string(&request_fields(chosen)),
    }
}

fn list_codes(service: &str, list: &str) -> Option<(casework_domain::text::Code, casework_domain::text::Code)> {
    Some((casework_domain::text::Code::parse(service).ok()?, casework_domain::text::Code::parse(list).ok()?))
}

async fn show_list(
    app: &App,
    session: &Session,
    (service, list): (&str, &str),
    fields: &[(String, String)],
    shown: Shown,
    status: StatusCode,
) -> Response {
    let Session { actor, header } = session;
    let Some((service_code, list_code)) = list_codes(service, list) else {
        return problem(AppError::NotFound("work list"), header.clone());
    };
    match app.work_list_view(actor, &service_code, &list_code, &list_request(fields)).await {
        Ok(view) => {
            let status = if view.problems.is_empty() { status } else { StatusCode::BAD_REQUEST };
            render(&list_view(service, list, view, shown, header.clone()), status)
        }
        Err(error) => problem(error, header.clone()),
    }
}

async fn work_list_page(
    State(app): State<App>,
    session: Session,
    Path((service, list)): Path<(String, String)>,
    axum::extract::Query(fields): axum::extract::Query<Vec<(String, String)>>,
) -> Response {
    let allocated = fields.iter().find(|(k, _)| k == "allocated").and_then(|(_, v)| v.parse::<u32>().ok());
    let shown = Shown { errors: Vec::new(), selected: Vec::new(), holder: None, allocated };
    show_list(&app, &session, (&service, &list), &fields, shown, StatusCode::OK).await
}

async fn allocate_selected(
    State(app): State<App>,
    session: Session,
    Path((service, list)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let header = session.header.clone();
    let Some((service_code, _)) = list_codes(&service, &list) else {
        return problem(AppError::NotFound("work list"), header);
    };
    if !session.actor.may_in_service(Permission::CaseAllocate, &service_code) {
        return problem(AppError::Forbidden("allocate cases in this service"), header);
    }
    let returned: Vec<(String, String)> =
        form.iter().find(|(k, _)| k == "query").and_then(|(_, q)| serde_urlencoded::from_str(q).ok()).unwrap_or_default();
    let sent: Vec<String> = form.iter().filter(|(k, _)| k == "case").map(|(_, v)| v.clone()).collect();
    let holder = form.iter().find(|(k, _)| k == "allocate_to").map(|(_, v)| v.trim().to_owned()).filter(|v| !v.is_empty());
    let mut errors = Vec::new();
    if sent.is_empty() {
        errors.push(FieldError::new("cases", "Select the cases to allocate"));
    }
    let worker = match holder.as_deref().map(str::parse::<casework_domain::ids::UserId>) {
        Some(Ok(worker)) => Some(worker),
        Some(Err(_)) | None => {
            errors.push(FieldError::new("allocate_to", "Choose whom to allocate the selected cases to"));
            None
        }
    };
    let mut selected: Vec<(CaseId, i64)> = Vec::new();
    for value in &sent {
        let parsed = value.split_once('@').and_then(|(id, version)| Some((id.parse().ok()?, version.parse().ok()?)));
        match parsed {
            Some(case) if !selected.contains(&case) => selected.push(case),
            Some(_) => {}
            None => errors.push(FieldError::new("cases", "One of the selected cases was not found, or you may not see it")),
        }
    }
    let result = match (worker, errors.is_empty()) {
        (Some(worker), true) => app.allocate_cases(&session.actor, &service_code, &selected, worker).await,
        _ => Err(AppError::Invalid(casework_domain::Invalid { errors })),
    };
    match result {
        Ok(count) => {
            let mut back: Vec<(&str, String)> = request_fields(&list_request(&returned));
            back.push(("allocated", count.to_string()));
            Redirect::to(&format!("/work-lists/{service}/{list}?{}", query_string(&back))).into_response()
        }
        Err(AppError::Invalid(invalid)) => {
            let errors = invalid
                .errors
                .into_iter()
                .map(|e| if e.field == "worker" { FieldError::new("allocate_to", e.message) } else { e })
                .collect();
            let shown = Shown { errors, selected: sent, holder, allocated: None };
            show_list(&app, &session, (&service, &list), &returned, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => problem(error, header),
    }
}
