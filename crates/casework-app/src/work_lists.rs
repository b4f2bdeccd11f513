//! Work lists: the saved views of cases a service defines, each shown to a reader with
//! only the cases they may see, and counted the same way.

use crate::{App, AppError, Result};
use casework_domain::access::{Actor, Permission};
use casework_domain::ids::{CaseId, UserId};
use casework_domain::service::WorkList;
use casework_domain::table::{Cell, Table};
use casework_domain::text::Code;
use casework_domain::{FieldError, Invalid};
use casework_store::cases::{self, CaseOrder, CaseQuery, CaseSummary, SortKey};

/// A work list with how many cases the reader would see in it.
#[derive(Debug, Clone)]
pub struct WorkListCount {
    pub service: Code,
    pub list: WorkList,
    pub count: i64,
}

impl App {
    fn work_list_query(&self, service: &Code, list: &WorkList, before: Option<CaseId>, limit: i64) -> CaseQuery {
        let filter = &list.filter;
        let today = casework_domain::time::day_of(self.now());
        CaseQuery {
            service: Some(service.clone()),
            status: Some(if filter.closed { "closed" } else { "open" }.to_owned()),
            stages: filter.stages.clone(),
            levels: filter.levels.clone(),
            unallocated: filter.unallocated,
            flags: filter.flags.clone(),
            without_flags: filter.without_flags.clone(),
            key_date_between: filter.key_date_within.as_ref().map(|window| {
                let last = today.checked_add(jiff::Span::new().days(i64::from(window.days))).unwrap_or(today);
                (window.key_date.clone(), today, last)
            }),
            review_due_by: filter
                .review_due_within_days
                .map(|days| today.checked_add(jiff::Span::new().days(i64::from(days))).unwrap_or(today)),
            before,
            limit,
            ..CaseQuery::default()
        }
    }

    /// The work lists of every service in which the actor may read cases, with counts.
    pub async fn work_lists(&self, actor: &Actor) -> Result<Vec<WorkListCount>> {
        let visible = actor.case_filter(Permission::CaseRead);
        let mut conn = self.store.read().await?;
        let mut lists = Vec::new();
        for definition in self.services.all() {
            if !visible.iter().any(|f| f.service() == definition.code()) {
                continue;
            }
            for list in &definition.work_lists {
                let query = self.work_list_query(definition.code(), list, None, 0);
                let count = cases::count(&mut conn, &query, &visible).await?;
                lists.push(WorkListCount { service: definition.code().clone(), list: list.clone(), count });
            }
        }
        Ok(lists)
    }

    /// One page of a work list.
    pub async fn work_list(
        &self,
        actor: &Actor,
        service: &Code,
        code: &Code,
        before: Option<CaseId>,
        limit: i64,
    ) -> Result<Vec<CaseSummary>> {
        let list = self
            .services
            .get(service)
            .and_then(|d| d.work_lists.iter().find(|l| &l.code == code))
            .ok_or(AppError::NotFound("work list"))?;
        let visible = actor.case_filter(Permission::CaseRead);
        let query = self.work_list_query(service, list, before, limit);
        let mut conn = self.store.read().await?;
        Ok(cases::list(&mut conn, &query, &visible).await?)
    }
}

/// What the reader asked of a work list page, exactly as sent (the query string); checked
/// by [`App::work_list_view`].
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    pub stage: Option<String>,
    pub level: Option<String>,
    pub flag: Option<String>,
    /// A user id, or `none` for cases not allocated.
    pub worker: Option<String>,
    /// The start of a reference or family name.
    pub text: Option<String>,
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub order: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// The columns a work list can be sorted by, with the names used in links.
pub const SORT_COLUMNS: [&str; 6] = ["reference", "person", "stage", "level", "opened", "worker"];
pub const DEFAULT_PER_PAGE: i64 = 25;
const MAX_PER_PAGE: i64 = 100;
const MAX_TEXT: usize = 100;

/// A choice offered by the filter panel: the value sent and what the reader sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListOption {
    pub value: String,
    pub label: String,
}

/// Someone who may hold cases of a service, with how many open cases they hold now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseHolder {
    pub id: UserId,
    pub name: String,
    pub open_cases: i64,
}

/// One page of a work list as the reader asked for it, with what they may choose from.
#[derive(Debug, Clone)]
pub struct WorkListView {
    pub service_name: String,
    pub title: String,
    pub level_label: String,
    pub stages: Vec<ListOption>,
    pub levels: Vec<ListOption>,
    pub flags: Vec<ListOption>,
    pub workers: Vec<ListOption>,
    /// The request with every value that passed its check (the rest left out).
    pub chosen: ListRequest,
    pub sort: &'static str,
    pub descending: bool,
    pub page: i64,
    pub per_page: i64,
    /// What was wrong with the request; when not empty, no rows are shown.
    pub problems: Invalid,
    pub rows: Vec<CaseSummary>,
    /// The most pressing open deadline of each row's case.
    pub deadlines: std::collections::BTreeMap<casework_domain::ids::CaseId, crate::timers::Deadline>,
    pub total: i64,
    /// The case holders to allocate to, when the reader may allocate in this service.
    pub holders: Option<Vec<CaseHolder>>,
}

fn options<'a>(choices: impl IntoIterator<Item = (&'a Code, &'a str)>) -> Vec<ListOption> {
    choices.into_iter().map(|(code, name)| ListOption { value: code.to_string(), label: name.to_owned() }).collect()
}

/// A value chosen from a list of options, or a problem under `field`.
fn chosen(problems: &mut Invalid, field: &str, sent: Option<&str>, offered: &[ListOption], what: &str) -> Option<String> {
    let sent = sent.map(str::trim).filter(|s| !s.is_empty())?;
    if offered.iter().any(|o| o.value == sent) {
        Some(sent.to_owned())
    } else {
        problems.push(FieldError::new(field, format!("Choose a {what} from the list")));
        None
    }
}

fn number(
    problems: &mut Invalid,
    field: &str,
    sent: Option<&str>,
    range: std::ops::RangeInclusive<i64>,
    message: &str,
) -> Option<i64> {
    let sent = sent.map(str::trim).filter(|s| !s.is_empty())?;
    match sent.parse::<i64>() {
        Ok(n) if range.contains(&n) => Some(n),
        _ => {
            problems.push(FieldError::new(field, message));
            None
        }
    }
}

impl App {
    /// A work list page: the saved list narrowed by the reader's filters, sorted and paged
    /// in the query itself, with the total the same query counts. Bad values are reported
    /// as problems of the request rather than errors, so the page can say what to change.
    pub async fn work_list_view(
        &self,
        actor: &Actor,
        service: &Code,
        code: &Code,
        request: &ListRequest,
    ) -> Result<WorkListView> {
        let (mut view, query) = self.checked_work_list(actor, service, code, request).await?;
        let Some(query) = query else { return Ok(view) };
        let (page, per_page) = (view.page, view.per_page);
        let visible = actor.case_filter(Permission::CaseRead);
        let mut conn = self.store.read().await?;
        view.total = cases::count(&mut conn, &query, &visible).await?;
        view.rows = cases::list(&mut conn, &query, &visible).await?;
        drop(conn);
        self.log_search_results(actor, &query, &view.rows).await?;
        view.deadlines = self.next_deadlines(&view.rows.iter().map(|c| (c.id, c.service.clone())).collect::<Vec<_>>()).await?;
        let pages = (view.total + per_page - 1) / per_page;
        if page > 1 && page > pages {
            view.problems.push(FieldError::new("page", format!("There is no page {page}: the list has {} pages", pages.max(1))));
        }
        Ok(view)
    }

    /// Every case of a work list the reader may see, with their filters and in their order
    /// (the page and page size asked for are ignored), for an export. A request with
    /// problems, or a list longer than an export may be, is refused saying what to change.
    pub async fn work_list_export(
        &self,
        actor: &Actor,
        service: &Code,
        code: &Code,
        request: &ListRequest,
    ) -> Result<WorkListView> {
        let request = ListRequest { page: None, per_page: None, ..request.clone() };
        let (mut view, query) = self.checked_work_list(actor, service, code, &request).await?;
        let Some(mut query) = query else { return Err(view.problems.into()) };
        let visible = actor.case_filter(Permission::CaseRead);
        let mut conn = self.store.read().await?;
        view.total = cases::count(&mut conn, &query, &visible).await?;
        let most = crate::downloads::MAX_EXPORT_ROWS;
        if view.total > most {
            return Err(FieldError::new(
                "list",
                format!("has {} cases; an export holds at most {most}: narrow it with the filters", view.total),
            )
            .into());
        }
        query.limit = most;
        query.offset = 0;
        view.rows = cases::list(&mut conn, &query, &visible).await?;
        drop(conn);
        self.log_search_results(actor, &query, &view.rows).await?;
        view.deadlines = self.next_deadlines(&view.rows.iter().map(|c| (c.id, c.service.clone())).collect::<Vec<_>>()).await?;
        view.page = 1;
        view.per_page = most;
        Ok(view)
    }

    /// The view of a work list before its cases are fetched, with the query that fetches
    /// them, or with the problems of the request and no query.
    async fn checked_work_list(
        &self,
        actor: &Actor,
        service: &Code,
        code: &Code,
        request: &ListRequest,
    ) -> Result<(WorkListView, Option<CaseQuery>)> {
        let definition = self.services.get(service).cloned().ok_or(AppError::NotFound("work list"))?;
        let list = definition.work_lists.iter().find(|l| &l.code == code).ok_or(AppError::NotFound("work list"))?;
        if !actor.case_filter(Permission::CaseRead).iter().any(|f| f.service() == service) {
            return Err(AppError::NotFound("work list"));
        }
        // A saved list of some stages or levels can only be narrowed to one of those.
        let stages = options(
            definition
                .stages
                .iter()
                .filter(|s| list.filter.stages.is_empty() || list.filter.stages.contains(&s.code))
                .map(|s| (&s.code, s.name.as_str())),
        );
        let levels = options(
            definition
                .levels
                .iter()
                .filter(|l| list.filter.levels.is_empty() || list.filter.levels.contains(&l.code))
                .map(|l| (&l.code, l.name.as_str())),
        );
        let flags = options(definition.flags.iter().map(|f| (&f.code, f.name.as_str())));
        let may_allocate = actor.may_in_service(Permission::CaseAllocate, service);
        let holders = if may_allocate { Some(self.case_holders_with_caseloads(actor, service).await?) } else { None };
        let mut workers = vec![ListOption { value: "none".into(), label: "Not allocated".into() }];
        match &holders {
            Some(holders) => {
                workers.extend(holders.iter().map(|h| ListOption { value: h.id.to_string(), label: h.name.clone() }));
            }
            None => workers.push(ListOption { value: actor.user.to_string(), label: "You".into() }),
        }

        let mut problems = Invalid::new();
        let stage = chosen(&mut problems, "stage", request.stage.as_deref(), &stages, "stage");
        let level =
            chosen(&mut problems, "level", request.level.as_deref(), &levels, &definition.service.level_label.to_lowercase());
        let flag = chosen(&mut problems, "flag", request.flag.as_deref(), &flags, "flag");
        let worker = chosen(&mut problems, "worker", request.worker.as_deref(), &workers, "worker");
        let text = request.text.as_deref().map(str::trim).filter(|t| !t.is_empty()).and_then(|t| {
            if t.chars().count() > MAX_TEXT {
                problems.push(FieldError::new("text", format!("Enter at most {MAX_TEXT} characters")));
                None
            } else {
                Some(t.to_owned())
            }
        });
        let sort = match request.sort.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(sent) => match SORT_COLUMNS.iter().find(|c| **c == sent) {
                Some(column) => Some(*column),
                None => {
                    problems.push(FieldError::new("sort", "Sort by one of the columns of the table"));
                    None
                }
            },
        };
        let descending = match request.order.as_deref().map(str::trim) {
            None | Some("") => sort.is_none(),
            Some("asc") => false,
            Some("desc") => true,
            Some(_) => {
                problems.push(FieldError::new("order", "Sort in ascending or descending order"));
                sort.is_none()
            }
        };
        let page = number(&mut problems, "page", request.page.as_deref(), 1..=1_000_000, "Choose a page from the list of pages");
        let per_page = number(
            &mut problems,
            "per_page",
            request.per_page.as_deref(),
            1..=MAX_PER_PAGE,
            &format!("Show between 1 and {MAX_PER_PAGE} cases a page"),
        );
        // Newest first unless the reader chose otherwise.
        let sort = sort.unwrap_or("opened");
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
        let chosen = ListRequest {
            stage: stage.clone(),
            level: level.clone(),
            flag: flag.clone(),
            worker: worker.clone(),
            text: text.clone(),
            sort: request.sort.as_ref().map(|_| sort.to_owned()),
            order: request.order.as_ref().map(|_| if descending { "desc" } else { "asc" }.to_owned()),
            page: Some(page.to_string()),
            per_page: request.per_page.as_ref().map(|_| per_page.to_string()),
        };

        let mut view = WorkListView {
            service_name: definition.service.name.clone(),
            title: list.name.clone(),
            level_label: definition.service.level_label.clone(),
            stages,
            levels,
            flags,
            workers,
            chosen,
            sort,
            descending,
            page,
            per_page,
            problems: Invalid::new(),
            rows: Vec::new(),
            deadlines: std::collections::BTreeMap::new(),
            total: 0,
            holders,
        };
        if !problems.is_empty() {
            view.problems = problems;
            return Ok((view, None));
        }

        let mut query = self.work_list_query(service, list, None, per_page);
        query.stages = stage.map(parse_code).transpose()?.map_or(query.stages, |s| vec![s]);
        query.levels = level.map(parse_code).transpose()?.map_or(query.levels, |l| vec![l]);
        query.flags.extend(flag.map(parse_code).transpose()?);
        match worker.as_deref() {
            Some("none") => query.unallocated = true,
            Some(id) => query.worker = Some(id.parse().map_err(|_| AppError::Internal("a worker offered is not an id".into()))?),
            None => {}
        }
        query.prefix = text;
        let key = match sort {
            "reference" => SortKey::Reference,
            "person" => SortKey::Person,
            "stage" => SortKey::Stage(definition.stages.iter().map(|s| s.code.clone()).collect()),
            "level" => SortKey::Level(definition.levels.iter().map(|l| l.code.clone()).collect()),
            "worker" => SortKey::Worker,
            _ => SortKey::Opened,
        };
        query.order = Some(CaseOrder { key, descending });
        query.offset = (page - 1).saturating_mul(per_page);
        Ok((view, Some(query)))
    }

    /// The people who can hold cases in a service, each with their open caseload, counted
    /// in one query. For those who allocate or decide referrals there.
    pub async fn case_holders_with_caseloads(&self, actor: &Actor, service: &Code) -> Result<Vec<CaseHolder>> {
        let holders = self.case_holders(actor, service).await?;
        let mut conn = self.store.read().await?;
        let caseloads = cases::open_caseloads(&mut conn, service).await?;
        Ok(holders
            .into_iter()
            .map(|(id, name)| CaseHolder { id, name, open_cases: caseloads.get(&id).copied().unwrap_or(0) })
            .collect())
    }
}

fn parse_code(raw: String) -> Result<Code> {
    Code::parse(&raw).map_err(|_| AppError::Internal(format!("an offered code does not parse: {raw}")))
}

impl WorkListView {
    /// The list as its page shows it, one row per case: the page's columns, then the flags
    /// and the most pressing deadline with when it is due (a time left would be out of date
    /// as soon as the file is saved).
    pub fn tables(&self) -> Vec<Table> {
        let label = |options: &[ListOption], code: &Code| {
            options.iter().find(|o| o.value == code.as_str()).map_or_else(|| code.to_string(), |o| o.label.clone())
        };
        let mut table = Table::new(
            self.title.clone(),
            &["Reference", "Person", "Stage", &self.level_label, "Opened", "Worker", "Flags", "Next deadline", "Due"],
        );
        for case in &self.rows {
            let deadline = self.deadlines.get(&case.id);
            table.push(vec![
                case.reference.clone().into(),
                case.person_name.clone().into(),
                label(&self.stages, &case.stage).into(),
                case.level.as_ref().map_or(Cell::Empty, |level| label(&self.levels, level).into()),
                Cell::Date(casework_domain::time::day_of(case.opened_at)),
                case.worker_name
                    .clone()
                    .map_or_else(|| if case.worker.is_some() { "Allocated" } else { "Not allocated" }.into(), Cell::Text),
                case.flags.iter().map(|f| label(&self.flags, f)).collect::<Vec<_>>().join(", ").into(),
                deadline.map_or(Cell::Empty, |d| d.name.clone().into()),
                deadline.map_or(Cell::Empty, |d| Cell::Time(d.timer.due_at)),
            ]);
        }
        vec![table]
    }
}
