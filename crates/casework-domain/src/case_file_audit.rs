//! Case-file audits: a manager draws a random sample of each worker's open cases and audits
//! each case file on a form the service defines. The form's overall grade decides whether a
//! file passes; its yes/no (or graded) questions show where files fall short.
//!
//! Results are counted per month, team and worker:
//! - each sampled case counts **once**, by its latest audit (a correction takes the place of
//!   the audit it corrects), in the month the case was **first** audited, so correcting an
//!   audit never moves it to another month;
//! - it counts under the worker and team the case was with when it was drawn, because the
//!   audit is of that worker's file;
//! - *% passing* is passed ÷ audited; a month with no audits has no percentage rather than 0 %.

use crate::ids::{AuditRoundId, CaseFileAuditId, CaseId, TeamId, UserId};
use crate::service::ServiceDefinition;
use crate::text::Code;
use crate::timeliness::{Month, Period};
use crate::{FieldError, Invalid};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The most cases drawn per worker in one round.
pub const MAX_SAMPLE_SIZE: u32 = 50;

/// How a service audits its case files: `[reports.case_file_audit]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseFileAudit {
    /// The form an auditor fills in: one of the service's `forms`, filled by the roles that
    /// audit.
    pub form: Code,
    /// How many open cases are drawn per worker when whoever draws a round does not say
    /// (1 to 50). A worker with fewer open cases has all of them drawn.
    pub sample_size: u32,
    /// The form's answer holding the overall grade: a required field with a list of values
    /// (`enum`).
    pub grade: String,
    /// The grades with which a case file passes, e.g. `["good", "requires-improvement"]`.
    pub pass_grades: Vec<String>,
    /// The form's questions reported one by one, in the order shown: fields of the form.
    pub questions: Vec<String>,
    /// The answers that count as falling short on a question, e.g. `["no", "inadequate"]`.
    pub poor_answers: Vec<String>,
}

impl CaseFileAudit {
    /// Problems with these rules against the service's forms, for `ServiceDefinition::check`.
    pub fn problems(&self, definition: &ServiceDefinition) -> Vec<FieldError> {
        let place = "reports.case_file_audit";
        let mut problems = Vec::new();
        if !(1..=MAX_SAMPLE_SIZE).contains(&self.sample_size) {
            problems.push(FieldError::new(format!("{place}.sample_size"), format!("must be 1 to {MAX_SAMPLE_SIZE}")));
        }
        let Some(form) = definition.form(&self.form) else {
            problems.push(FieldError::new(format!("{place}.form"), format!("'{}' is not one of the forms", self.form)));
            return problems;
        };
        let properties = form.schema.get("properties").and_then(Value::as_object);
        let field = |name: &str| properties.and_then(|p| p.get(name));
        let required = form.schema.get("required").and_then(Value::as_array);
        let grades = field(&self.grade).and_then(|g| g.get("enum")).and_then(Value::as_array);
        match grades {
            None => problems.push(FieldError::new(
                format!("{place}.grade"),
                format!("'{}' is not a field of {} with a list of values (enum)", self.grade, form.name),
            )),
            Some(grades) => {
                if !required.is_some_and(|r| r.iter().any(|f| f.as_str() == Some(&self.grade))) {
                    problems.push(FieldError::new(
                        format!("{place}.grade"),
                        format!("'{}' must be a required field of {}", self.grade, form.name),
                    ));
                }
                if self.pass_grades.is_empty() {
                    problems.push(FieldError::new(format!("{place}.pass_grades"), "name the grades that pass"));
                }
                for pass in &self.pass_grades {
                    if !grades.iter().any(|g| g.as_str() == Some(pass)) {
                        problems.push(FieldError::new(
                            format!("{place}.pass_grades"),
                            format!("'{pass}' is not one of the values of '{}'", self.grade),
                        ));
                    }
                }
            }
        }
        for question in &self.questions {
            if field(question).is_none() {
                problems
                    .push(FieldError::new(format!("{place}.questions"), format!("'{question}' is not a field of {}", form.name)));
            }
        }
        problems
    }

    /// Does a completed audit form pass? Its grade is one of the pass grades.
    pub fn passes(&self, answers: &Map<String, Value>) -> bool {
        self.grade_of(answers).is_some_and(|grade| self.pass_grades.iter().any(|p| p == grade))
    }

    /// The overall grade given (answers are checked against the form first, and the grade
    /// is required, so a stored audit always has one).
    pub fn grade_of<'a>(&self, answers: &'a Map<String, Value>) -> Option<&'a str> {
        answers.get(&self.grade).and_then(Value::as_str)
    }

    /// Does the answer to a question fall short?
    pub fn is_poor(&self, answer: &Value) -> bool {
        answer.as_str().is_some_and(|a| self.poor_answers.iter().any(|p| p == a))
    }
}

/// The name of a form's field as its schema titles it, else the field's own name.
pub fn field_title(definition: &ServiceDefinition, form: &Code, field: &str) -> String {
    definition
        .form(form)
        .and_then(|f| f.schema.get("properties"))
        .and_then(|p| p.get(field))
        .and_then(|p| p.get("title"))
        .and_then(Value::as_str)
        .map_or_else(|| field.to_owned(), str::to_owned)
}

/// A sampled case's audit as it counts: its latest audit, and where it counts.
#[derive(Debug, Clone)]
pub struct AuditFact {
    pub audit: CaseFileAuditId,
    pub round: AuditRoundId,
    pub case: CaseId,
    /// The worker and team the case was with when drawn.
    pub worker: UserId,
    pub team: Option<TeamId>,
    /// The month the case was first audited.
    pub month: Month,
    pub passed: bool,
    pub answers: Map<String, Value>,
}

/// Audits completed and passed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditTally {
    pub audited: u32,
    pub passed: u32,
}

impl AuditTally {
    pub fn add(&mut self, passed: bool) {
        self.audited += 1;
        self.passed += u32::from(passed);
    }

    pub fn failed(&self) -> u32 {
        self.audited - self.passed
    }

    /// Passed ÷ audited as a percentage to one decimal place; `None` when nothing was audited.
    pub fn passing_percent(&self) -> Option<f64> {
        percent(self.passed, self.audited)
    }
}

/// How one question was answered across the audits counted.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionTally {
    pub field: String,
    /// Audits that answered it (a question may be optional).
    pub answered: u32,
    /// Answers that fell short.
    pub poor: u32,
}

impl QuestionTally {
    /// Poor ÷ answered as a percentage to one decimal place; `None` when none answered.
    pub fn poor_percent(&self) -> Option<f64> {
        percent(self.poor, self.answered)
    }
}

fn percent(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| (f64::from(part) * 1000.0 / f64::from(whole)).round() / 10.0)
}

/// The results of a service's case-file audits over a period.
#[derive(Debug, Clone)]
pub struct AuditReport {
    pub period: Period,
    pub total: AuditTally,
    /// Every month of the period, in order, including those with no audits.
    pub months: Vec<(Month, AuditTally)>,
    pub by_team: BTreeMap<Option<TeamId>, AuditTally>,
    pub by_worker: BTreeMap<UserId, AuditTally>,
    /// The questions of the rules, in their order.
    pub questions: Vec<QuestionTally>,
}

/// Counts the audits of the period (`facts` may hold others; they are left out).
pub fn report(rules: &CaseFileAudit, period: Period, facts: &[AuditFact]) -> AuditReport {
    let mut months: BTreeMap<Month, AuditTally> = period.months().into_iter().map(|m| (m, AuditTally::default())).collect();
    let mut total = AuditTally::default();
    let mut by_team: BTreeMap<Option<TeamId>, AuditTally> = BTreeMap::new();
    let mut by_worker: BTreeMap<UserId, AuditTally> = BTreeMap::new();
    let mut questions: Vec<QuestionTally> =
        rules.questions.iter().map(|q| QuestionTally { field: q.clone(), answered: 0, poor: 0 }).collect();
    for fact in facts.iter().filter(|f| period.contains(f.month)) {
        total.add(fact.passed);
        months.entry(fact.month).or_default().add(fact.passed);
        by_team.entry(fact.team).or_default().add(fact.passed);
        by_worker.entry(fact.worker).or_default().add(fact.passed);
        for question in &mut questions {
            if let Some(answer) = fact.answers.get(&question.field).filter(|a| !a.is_null()) {
                question.answered += 1;
                question.poor += u32::from(rules.is_poor(answer));
            }
        }
    }
    AuditReport { period, total, months: months.into_iter().collect(), by_team, by_worker, questions }
}

/// Reads a result filter: `passed` or `failed`.
pub fn parse_result(text: &str) -> Result<bool, Invalid> {
    match text {
        "passed" => Ok(true),
        "failed" => Ok(false),
        _ => Err(Invalid::one("result", "must be passed or failed")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules() -> CaseFileAudit {
        CaseFileAudit {
            form: Code::parse("file-audit").unwrap(),
            sample_size: 2,
            grade: "grade".into(),
            pass_grades: vec!["good".into(), "requires-improvement".into()],
            questions: vec!["risk_current".into(), "notes_on_time".into()],
            poor_answers: vec!["no".into()],
        }
    }

    fn fact(month: &str, worker: UserId, team: Option<TeamId>, answers: Value) -> AuditFact {
        let answers = answers.as_object().unwrap().clone();
        AuditFact {
            audit: CaseFileAuditId::new(),
            round: AuditRoundId::new(),
            case: CaseId::new(),
            worker,
            team,
            month: Month::parse(month).unwrap(),
            passed: rules().passes(&answers),
            answers,
        }
    }

    const SERVICE: &str = r#"
initial_stage = "open"

[service]
code = "demo"
name = "Demo"
reference_prefix = "DEMO"
closes_cases = false

[[roles]]
code = "manager"
name = "Manager"
permissions = ["case.read", "audit.conduct"]
reach = "service"

[[stages]]
code = "open"
name = "Open"
next = []

[[forms]]
code = "file-audit"
name = "File audit"
filled_by = ["manager"]
[forms.schema]
type = "object"
required = ["grade"]
[forms.schema.properties.risk_current]
type = "string"
enum = ["yes", "no"]
[forms.schema.properties.grade]
type = "string"
enum = ["good", "requires-improvement", "inadequate"]

[reports.case_file_audit]
form = "file-audit"
sample_size = 2
grade = "grade"
pass_grades = ["good"]
questions = ["risk_current"]
poor_answers = ["no"]
"#;

    #[test]
    fn the_rules_must_name_the_services_form_its_grade_and_questions() {
        assert!(ServiceDefinition::from_toml(SERVICE).is_ok());
        let fields = |text: &str| {
            let errors = ServiceDefinition::from_toml(text).unwrap_err();
            errors.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>()
        };
        assert_eq!(
            fields(&SERVICE.replace("form = \"file-audit\"", "form = \"nope\"")),
            ["reports.case_file_audit.form: 'nope' is not one of the forms"]
        );
        let broken = SERVICE
            .replace("sample_size = 2", "sample_size = 0")
            .replace("pass_grades = [\"good\"]", "pass_grades = [\"great\"]")
            .replace("questions = [\"risk_current\"]", "questions = [\"risk\"]");
        let problems = fields(&broken);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("reports.case_file_audit.sample_size"));
        assert!(problems[1].contains("'great' is not one of the values of 'grade'"));
        assert!(problems[2].contains("'risk' is not a field of File audit"));
        let optional_grade = SERVICE.replace("required = [\"grade\"]", "required = []");
        assert_eq!(fields(&optional_grade), ["reports.case_file_audit.grade: 'grade' must be a required field of File audit"]);
    }

    #[test]
    fn a_file_passes_on_its_overall_grade() {
        let rules = rules();
        let answers = |grade: &str| json!({ "grade": grade }).as_object().unwrap().clone();
        assert!(rules.passes(&answers("good")));
        assert!(rules.passes(&answers("requires-improvement")));
        assert!(!rules.passes(&answers("inadequate")));
        assert!(!rules.passes(&Map::new()));
    }

    #[test]
    fn audits_are_counted_by_month_team_worker_and_question() {
        let (ann, bob) = (UserId::new(), UserId::new());
        let north = Some(TeamId::new());
        let facts = vec![
            fact("2027-01", ann, north, json!({ "grade": "good", "risk_current": "yes", "notes_on_time": "no" })),
            fact("2027-01", bob, None, json!({ "grade": "inadequate", "risk_current": "no", "notes_on_time": "no" })),
            fact("2027-02", ann, north, json!({ "grade": "requires-improvement", "risk_current": "yes" })),
            // Outside the period: left out.
            fact("2027-03", bob, None, json!({ "grade": "inadequate", "risk_current": "no" })),
        ];
        let period = Period::parse("2026-12", "2027-02").unwrap();
        let report = report(&rules(), period, &facts);
        assert_eq!(report.total, AuditTally { audited: 3, passed: 2 });
        assert_eq!(report.total.passing_percent(), Some(66.7));
        let months: Vec<(String, u32, u32)> = report.months.iter().map(|(m, t)| (m.to_string(), t.audited, t.failed())).collect();
        assert_eq!(months, [("2026-12".into(), 0, 0), ("2027-01".into(), 2, 1), ("2027-02".into(), 1, 0)]);
        assert_eq!(report.months[0].1.passing_percent(), None, "no audits is no percentage, not 0 %");
        assert_eq!(report.by_worker[&ann], AuditTally { audited: 2, passed: 2 });
        assert_eq!(report.by_team[&None], AuditTally { audited: 1, passed: 0 });
        // Risk current: 1 "no" of 3 answers; notes on time: 2 of 2 (one audit left it out).
        assert_eq!(report.questions[0], QuestionTally { field: "risk_current".into(), answered: 3, poor: 1 });
        assert_eq!(report.questions[0].poor_percent(), Some(33.3));
        assert_eq!(report.questions[1].poor_percent(), Some(100.0));
    }
}
