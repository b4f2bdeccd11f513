//! Work lists: the saved views of cases a service defines, each shown to a reader with
//! only the cases they may see, and counted the same way.

use crate::{App, AppError, Result};
use casework_domain::access::{Actor, Permission};
use casework_domain::ids::CaseId;
use casework_domain::service::WorkList;
use casework_domain::text::Code;
use casework_store::cases::{self, CaseQuery, CaseSummary};

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
