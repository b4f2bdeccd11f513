//! Tasks: work for a user, a role or a queue, with a due date. A task ends completed or
//! cancelled, and says who ended it and why; cancelled work never looks completed.

use crate::FieldError;
use crate::history::{Change, EventKind, Subject};
use crate::ids::{CaseId, TaskId, UserId};
use crate::text::{Code, LongText, ShortText};
use jiff::{Timestamp, civil::Date};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Who a task is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "kebab-case")]
pub enum Assignee {
    User(UserId),
    /// Anyone holding this role in the case's service.
    Role(Code),
    /// A work queue of the service.
    Queue(Code),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum TaskStatus {
    Open,
    Completed { by: UserId, at: Timestamp, outcome: Option<LongText> },
    Cancelled { by: UserId, at: Timestamp, reason: ShortText },
}

impl TaskStatus {
    pub fn name(&self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Completed { .. } => "completed",
            TaskStatus::Cancelled { .. } => "cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    pub id: TaskId,
    pub case: CaseId,
    pub title: ShortText,
    pub assignee: Assignee,
    pub due_on: Option<Date>,
    pub status: TaskStatus,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub version: i64,
}

fn rule(field: &str, message: &str) -> FieldError {
    FieldError::new(field, message)
}

impl Task {
    pub fn create(
        case: CaseId,
        title: ShortText,
        assignee: Assignee,
        due_on: Option<Date>,
        by: UserId,
        at: Timestamp,
    ) -> (Task, Change) {
        let task = Task {
            id: TaskId::new(),
            case,
            title,
            assignee,
            due_on,
            status: TaskStatus::Open,
            created_by: by,
            created_at: at,
            version: 1,
        };
        let change = Change::new(
            EventKind::TaskCreated,
            Subject::Task(task.id),
            json!(null),
            json!({ "title": task.title, "assignee": task.assignee, "due_on": task.due_on }),
        );
        (task, change)
    }

    fn require_open(&self) -> Result<(), FieldError> {
        match &self.status {
            TaskStatus::Open => Ok(()),
            done => Err(rule("", &format!("the task is already {}", done.name()))),
        }
    }

    pub fn complete(&mut self, by: UserId, at: Timestamp, outcome: Option<LongText>) -> Result<Change, FieldError> {
        self.require_open()?;
        self.status = TaskStatus::Completed { by, at, outcome };
        Ok(Change::new(EventKind::TaskCompleted, Subject::Task(self.id), json!({"status": "open"}), json!(self.status)))
    }

    pub fn cancel(&mut self, by: UserId, at: Timestamp, reason: ShortText) -> Result<Change, FieldError> {
        self.require_open()?;
        self.status = TaskStatus::Cancelled { by, at, reason };
        Ok(Change::new(EventKind::TaskCancelled, Subject::Task(self.id), json!({"status": "open"}), json!(self.status)))
    }

    /// Gives an open task to someone else; it stays open and its history keeps the old assignee.
    pub fn reassign(&mut self, to: Assignee, due_on: Option<Date>) -> Result<Change, FieldError> {
        self.require_open()?;
        if to == self.assignee && due_on == self.due_on {
            return Err(rule("assignee", "the task is already assigned so"));
        }
        let before = json!({ "assignee": self.assignee, "due_on": self.due_on });
        self.assignee = to;
        self.due_on = due_on;
        Ok(Change::new(
            EventKind::TaskReassigned,
            Subject::Task(self.id),
            before,
            json!({ "assignee": self.assignee, "due_on": self.due_on }),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task() -> Task {
        Task::create(
            CaseId::new(),
            ShortText::parse("Initial assessment").unwrap(),
            Assignee::Role(Code::parse("practitioner").unwrap()),
            None,
            UserId::new(),
            Timestamp::UNIX_EPOCH,
        )
        .0
    }

    #[test]
    fn cancelled_work_never_looks_completed() {
        let mut t = task();
        let by = UserId::new();
        t.cancel(by, Timestamp::UNIX_EPOCH, ShortText::parse("client transferred").unwrap()).unwrap();
        assert_eq!(t.status.name(), "cancelled");
        assert!(t.complete(by, Timestamp::UNIX_EPOCH, None).is_err());
        assert_eq!(t.status.name(), "cancelled");
        assert!(matches!(&t.status, TaskStatus::Cancelled { by: b, .. } if *b == by));
    }

    #[test]
    fn reassigning_keeps_the_task_open_and_the_old_assignee_in_history() {
        let mut t = task();
        let to = Assignee::User(UserId::new());
        let change = t.reassign(to.clone(), None).unwrap();
        assert_eq!(t.status, TaskStatus::Open);
        assert_eq!(change.before["assignee"]["type"], "role");
        assert!(t.reassign(to, None).is_err());
    }
}
