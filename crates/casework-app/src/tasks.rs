//! Tasks on a case: created, completed, cancelled with a reason, or reassigned. Each
//! command names the task version it saw, like case commands do.

use crate::idempotency::{parse_id, remember, replayed};
use crate::{App, AppError, Idempotency, Result};
use casework_domain::FieldError;
use casework_domain::access::{Actor, Permission};
use casework_domain::case::Case;
use casework_domain::ids::{CaseId, TaskId};
use casework_domain::service::ServiceDefinition;
use casework_domain::task::{Assignee, Task};
use casework_domain::text::{LongText, ShortText};
use casework_store::{Connection, tasks};
use jiff::civil::Date;

/// How an open task ends or moves on.
#[derive(Debug, Clone)]
pub enum TaskCommand {
    Complete { outcome: Option<LongText> },
    Cancel { reason: ShortText },
    Reassign { to: Assignee, due_on: Option<Date> },
}

impl App {
    /// A task goes to someone who can do it: a user who can see and work on the case, or a
    /// role or queue of the case's service.
    async fn check_assignee(&self, case: &Case, service: &ServiceDefinition, assignee: &Assignee) -> Result<()> {
        let ok = match assignee {
            Assignee::User(user) => self.could_keep(*user, case, Permission::TaskManage).await?,
            Assignee::Role(role) => service.role(role).is_some(),
            Assignee::Queue(queue) => service.has_queue(queue),
        };
        if ok {
            Ok(())
        } else {
            Err(FieldError::new("assignee", "no such role or queue in this service, or a user who cannot work on this case")
                .into())
        }
    }

    pub async fn create_task(
        &self,
        actor: &Actor,
        case: CaseId,
        title: ShortText,
        assignee: Assignee,
        due_on: Option<Date>,
        idempotency: Option<&Idempotency>,
    ) -> Result<Task> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let found = self.case_for(&mut tx, actor, case, Permission::TaskManage, "manage tasks on this case").await?;
        if let Some(id) = replayed(&mut tx, actor, idempotency).await? {
            return tasks::get(&mut tx, parse_id(&id)?).await?.ok_or(AppError::NotFound("task"));
        }
        if !found.is_open() {
            return Err(FieldError::new("", "the case is closed; reopen it to add tasks").into());
        }
        let service = self.definition_of(&found)?;
        self.check_assignee(&found, &service, &assignee).await?;
        let (task, change) = Task::create(case, title, assignee, due_on, actor.user, now);
        tasks::insert(&mut tx, &task).await?;
        self.record(&mut tx, actor, Some(case), [change], now).await?;
        remember(&mut tx, actor, idempotency, &task.id.to_string(), now).await?;
        tx.commit().await?;
        Ok(task)
    }

    async fn task_of_case(&self, conn: &mut Connection, case: CaseId, id: TaskId) -> Result<Task> {
        match tasks::get(conn, id).await? {
            Some(task) if task.case == case => Ok(task),
            _ => Err(AppError::NotFound("task")),
        }
    }

    pub async fn change_task(
        &self,
        actor: &Actor,
        case: CaseId,
        id: TaskId,
        seen_version: i64,
        command: TaskCommand,
    ) -> Result<Task> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let found = self.case_for(&mut tx, actor, case, Permission::TaskManage, "manage tasks on this case").await?;
        let mut task = self.task_of_case(&mut tx, case, id).await?;
        if task.version != seen_version {
            return Err(AppError::Conflict(format!(
                "the task was changed by someone else (you saw version {seen_version}, it is now {}); reload it and try again",
                task.version
            )));
        }
        let change = match command {
            TaskCommand::Complete { outcome } => task.complete(actor.user, now, outcome)?,
            TaskCommand::Cancel { reason } => task.cancel(actor.user, now, reason)?,
            TaskCommand::Reassign { to, due_on } => {
                let service = self.definition_of(&found)?;
                self.check_assignee(&found, &service, &to).await?;
                task.reassign(to, due_on)?
            }
        };
        if !tasks::update(&mut tx, &task, seen_version).await? {
            return Err(AppError::Conflict("the task was changed by someone else; reload it and try again".into()));
        }
        self.record(&mut tx, actor, Some(case), [change], now).await?;
        let saved = self.task_of_case(&mut tx, case, id).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// The open tasks waiting for the actor: given to them, or to a role they hold, on the
    /// cases they may see; soonest due first.
    pub async fn my_tasks(&self, actor: &Actor, limit: i64) -> Result<Vec<tasks::OpenTask>> {
        let roles: Vec<_> = actor.memberships.iter().map(|m| (m.service.clone(), m.role.code.clone())).collect();
        let visible = actor.case_filter(Permission::CaseRead);
        let mut conn = self.store.read().await?;
        Ok(tasks::open_for(&mut conn, actor.user, &roles, &visible, limit).await?)
    }

    pub async fn case_tasks(&self, actor: &Actor, case: CaseId, after: Option<TaskId>, limit: i64) -> Result<Vec<Task>> {
        self.log_read(actor, case, Permission::CaseRead, "tasks").await?;
        let mut conn = self.store.read().await?;
        Ok(tasks::list(&mut conn, case, after, limit).await?)
    }
}
