//! A service's definition: its roles, stages, levels, flags and reason lists, read from a
//! TOML file. The rules of each service live in its definition, not in code, so the core
//! knows only the general concepts.

use crate::access::{Permission, Role};
use crate::alert::AlertRule;
use crate::calendar::{Calendar, Nation};
use crate::disclosure::StatutoryBasis;
use crate::form::{FormDefinition, ReferralRules, SUBJECT};
use crate::text::Code;
use crate::timer::TimerDefinition;
use crate::{FieldError, Invalid};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A named entry of one of the definition's lists (a level, a flag, a reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub code: Code,
    pub name: String,
}

/// A reason a case may be closed for, and what must be on the case record before it can be
/// (e.g. a release needs the harm-reduction session recorded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosureReason {
    pub code: Code,
    pub name: String,
    #[serde(default)]
    pub requires: Vec<ClosureStep>,
}

/// A form that must have been filled in on the case, perhaps only when it carries a flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosureStep {
    pub form: Code,
    /// Only for cases with this flag (e.g. the community drug team referral for clinical clients).
    #[serde(default)]
    pub when_flag: Option<Code>,
}

/// A step of the service's process and the steps a case may move to from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub code: Code,
    pub name: String,
    /// The stages a case may move to next (backwards as well as forwards).
    #[serde(default)]
    pub next: Vec<Code>,
}

/// A list of reasons for decisions, belonging to one kind of decision-making body
/// (e.g. each ombudsman has its own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonList {
    pub code: Code,
    pub name: String,
    pub reasons: Vec<Choice>,
}

/// The service's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceHeader {
    pub code: Code,
    pub name: String,
    /// Upper-case letters that start every case reference, e.g. `DARS` in `DARS-2026-000123`.
    pub reference_prefix: String,
    /// Some services never close a case formally: support goes quiet instead.
    #[serde(default = "yes")]
    pub closes_cases: bool,
    /// What this service calls a level (e.g. "Level", "Risk tier").
    #[serde(default = "level_label")]
    pub level_label: String,
    /// Whose bank holidays count when deadlines are in working days.
    #[serde(default = "default_nation")]
    pub nation: Nation,
    /// The organisation's own closure days (YYYY-MM-DD), which are not working days either.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub closure_days: Vec<jiff::civil::Date>,
}

fn default_nation() -> Nation {
    Nation::EnglandAndWales
}

fn yes() -> bool {
    true
}

fn level_label() -> String {
    "Level".to_owned()
}

/// A whole service definition as written in its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceDefinition {
    pub service: ServiceHeader,
    pub roles: Vec<Role>,
    /// The stage a new case starts in.
    pub initial_stage: Code,
    pub stages: Vec<Stage>,
    #[serde(default)]
    pub levels: Vec<Choice>,
    #[serde(default)]
    pub flags: Vec<Choice>,
    /// Key dates a case may carry (release date, hearing date, …).
    #[serde(default)]
    pub key_dates: Vec<Choice>,
    /// Why a referral may be rejected.
    #[serde(default)]
    pub rejection_reasons: Vec<Choice>,
    #[serde(default)]
    pub closure_reasons: Vec<ClosureReason>,
    /// Outcomes a decision may record.
    #[serde(default)]
    pub decision_outcomes: Vec<Choice>,
    /// Reason lists for decisions, one per kind of deciding body.
    #[serde(default)]
    pub decision_reasons: Vec<ReasonList>,
    /// Queues that tasks may be assigned to.
    #[serde(default)]
    pub queues: Vec<Choice>,
    /// The forms of the service: referral forms, assessments, screening tools.
    #[serde(default)]
    pub forms: Vec<FormDefinition>,
    /// What makes a referral valid.
    #[serde(default)]
    pub referrals: ReferralRules,
    /// The deadlines the service keeps.
    #[serde(default)]
    pub timers: Vec<TimerDefinition>,
    /// Who is told about which cases, when.
    #[serde(default)]
    pub alerts: Vec<AlertRule>,
    /// Saved views of the service's cases (unallocated, waiting list, release due…).
    #[serde(default)]
    pub work_lists: Vec<WorkList>,
    /// How often care plans are reviewed, by level or risk tier.
    #[serde(default)]
    pub plan_reviews: crate::plan::ReviewRules,
    /// Regular meetings that decide cases or referrals in one sitting (e.g. weekly triage).
    #[serde(default)]
    pub meetings: Vec<MeetingDefinition>,
    /// How long records are kept before they are reviewed for disposal, and on what authority.
    #[serde(default)]
    pub retention: crate::retention::RetentionRules,
    /// Opening a restricted case one is not named on. Without it, nobody can.
    #[serde(default)]
    pub break_glass: Option<BreakGlassRules>,
    /// The laws and rules that allow the service to disclose without consent, and for
    /// which kinds of disclosure.
    #[serde(default)]
    pub statutory_bases: Vec<StatutoryBasis>,
    /// What the service's reports count and leave out.
    #[serde(default)]
    pub reports: crate::report_rules::ReportRules,
}

/// How break-glass works in the service: for how long it opens a restricted case, the
/// reasons one may give, and who is told at once besides the case's worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakGlassRules {
    /// How many hours the access lasts.
    pub hours: u32,
    pub reasons: Vec<Choice>,
    /// The roles (the service's managers) alerted whenever someone breaks glass.
    pub notify_roles: Vec<Code>,
}

/// A regular meeting: who chairs it and what is on its agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingDefinition {
    pub code: Code,
    pub name: String,
    /// The role that holds the meeting and records its decisions.
    pub chaired_by: Code,
    pub agenda: Agenda,
}

/// Where a meeting's agenda comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "of", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Agenda {
    /// The service's pending referrals that are valid (their forms complete).
    PendingReferrals,
    /// The cases of one of the service's work lists.
    WorkList { work_list: Code },
}

/// A saved filter of a service's cases. Each list shows only the cases its reader may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkList {
    pub code: Code,
    pub name: String,
    #[serde(default)]
    pub filter: WorkListFilter,
}

/// What a work list shows. Every part given narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkListFilter {
    /// Open (the default) or closed cases.
    #[serde(default)]
    pub closed: bool,
    #[serde(default)]
    pub stages: Vec<Code>,
    #[serde(default)]
    pub levels: Vec<Code>,
    /// Cases carrying every one of these flags.
    #[serde(default)]
    pub flags: Vec<Code>,
    /// Cases carrying none of these flags (e.g. shadow cases kept out of statistics).
    #[serde(default)]
    pub without_flags: Vec<Code>,
    /// Only cases without a worker.
    #[serde(default)]
    pub unallocated: bool,
    /// Only cases whose key date falls between today and this many days ahead.
    #[serde(default)]
    pub key_date_within: Option<KeyDateWindow>,
    /// Only cases whose plan review is due within this many days (0: due today or overdue).
    #[serde(default)]
    pub review_due_within_days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyDateWindow {
    pub key_date: Code,
    pub days: u32,
}

impl WorkListFilter {
    fn references(&self) -> Vec<(&'static str, &Code)> {
        self.stages
            .iter()
            .map(|c| ("stage", c))
            .chain(self.levels.iter().map(|c| ("level", c)))
            .chain(self.flags.iter().chain(&self.without_flags).map(|c| ("flag", c)))
            .chain(self.key_date_within.iter().map(|w| ("key date", &w.key_date)))
            .collect()
    }
}

impl ServiceDefinition {
    /// Reads a definition and checks that it hangs together. TOML errors carry the line and
    /// column; consistency errors name the entry at fault.
    pub fn from_toml(text: &str) -> Result<Self, Invalid> {
        let definition: ServiceDefinition = toml::from_str(text).map_err(|error| {
            let place = error
                .span()
                .map(|span| {
                    let (line, column) = line_and_column(text, span.start);
                    format!("line {line}, column {column}")
                })
                .unwrap_or_default();
            Invalid::one(place, error.message().to_owned())
        })?;
        definition.check()?;
        Ok(definition)
    }

    fn check(&self) -> Result<(), Invalid> {
        let mut problems = Invalid::new();
        let prefix = &self.service.reference_prefix;
        if prefix.is_empty() || prefix.len() > 8 || !prefix.chars().all(|c| c.is_ascii_uppercase()) {
            problems.push(FieldError::new("service.reference_prefix", "must be 1 to 8 upper-case letters"));
        }
        for (list, codes) in [
            ("roles", self.roles.iter().map(|r| &r.code).collect::<Vec<_>>()),
            ("stages", self.stages.iter().map(|s| &s.code).collect()),
            ("levels", self.levels.iter().map(|c| &c.code).collect()),
            ("flags", self.flags.iter().map(|c| &c.code).collect()),
            ("key_dates", self.key_dates.iter().map(|c| &c.code).collect()),
            ("rejection_reasons", self.rejection_reasons.iter().map(|c| &c.code).collect()),
            ("closure_reasons", self.closure_reasons.iter().map(|c| &c.code).collect()),
            ("decision_outcomes", self.decision_outcomes.iter().map(|c| &c.code).collect()),
            ("decision_reasons", self.decision_reasons.iter().map(|c| &c.code).collect()),
            ("queues", self.queues.iter().map(|c| &c.code).collect()),
            ("forms", self.forms.iter().map(|f| &f.code).collect()),
            ("timers", self.timers.iter().map(|t| &t.code).collect()),
            ("alerts", self.alerts.iter().map(|a| &a.code).collect()),
            ("work_lists", self.work_lists.iter().map(|w| &w.code).collect()),
            ("meetings", self.meetings.iter().map(|m| &m.code).collect()),
            ("statutory_bases", self.statutory_bases.iter().map(|b| &b.code).collect()),
        ] {
            let mut seen = BTreeSet::new();
            for code in codes {
                if !seen.insert(code) {
                    problems.push(FieldError::new(list, format!("'{code}' is defined twice")));
                }
            }
        }
        if self.stages.is_empty() {
            problems.push(FieldError::new("stages", "a service needs at least one stage"));
        }
        if self.roles.is_empty() {
            problems.push(FieldError::new("roles", "a service needs at least one role"));
        }
        if self.stage(&self.initial_stage).is_none() {
            problems.push(FieldError::new("initial_stage", format!("'{}' is not one of the stages", self.initial_stage)));
        }
        for stage in &self.stages {
            for next in &stage.next {
                if self.stage(next).is_none() {
                    problems.push(FieldError::new(
                        format!("stages.{}.next", stage.code),
                        format!("'{next}' is not one of the stages"),
                    ));
                }
            }
        }
        for form in &self.forms {
            for problem in form.problems() {
                problems.push(problem);
            }
            for completer in &form.filled_by {
                if completer.as_str() != SUBJECT && self.role(completer).is_none() {
                    problems.push(FieldError::new(
                        format!("forms.{}.filled_by", form.code),
                        format!("'{completer}' is neither a role of this service nor 'subject'"),
                    ));
                }
            }
        }
        for timer in &self.timers {
            if let Err(invalid) = timer.check() {
                problems.errors.extend(invalid.errors);
            }
            self.check_references(&format!("timers.{}", timer.code), timer.references(), &mut problems);
        }
        for alert in &self.alerts {
            self.check_references(&format!("alerts.{}", alert.code), alert.references(), &mut problems);
            if alert.code.as_str() == crate::activity::BY_HAND_KEY {
                let why = "names alerts raised by hand in reports: give the rule another code";
                problems.push(FieldError::new(format!("alerts.{}.code", alert.code), why));
            }
            if self.role(&alert.to).is_none() {
                problems.push(FieldError::new(
                    format!("alerts.{}.to", alert.code),
                    format!("'{}' is not one of the roles", alert.to),
                ));
            }
        }
        self.check_references("plan_reviews", self.plan_reviews.references(), &mut problems);
        for meeting in &self.meetings {
            if self.role(&meeting.chaired_by).is_none() {
                problems.push(FieldError::new(
                    format!("meetings.{}.chaired_by", meeting.code),
                    format!("'{}' is not one of the roles", meeting.chaired_by),
                ));
            }
            if let Agenda::WorkList { work_list } = &meeting.agenda
                && !self.work_lists.iter().any(|w| &w.code == work_list)
            {
                problems.push(FieldError::new(
                    format!("meetings.{}.agenda", meeting.code),
                    format!("'{work_list}' is not one of the work lists"),
                ));
            }
        }
        for list in &self.work_lists {
            self.check_references(&format!("work_lists.{}", list.code), list.filter.references(), &mut problems);
        }
        for set in &self.referrals.valid_when {
            for form in set {
                if self.form(form).is_none() {
                    problems.push(FieldError::new("referrals.valid_when", format!("'{form}' is not one of the forms")));
                }
            }
        }
        for reason in &self.closure_reasons {
            let steps = reason
                .requires
                .iter()
                .flat_map(|step| std::iter::once(("form", &step.form)).chain(step.when_flag.iter().map(|flag| ("flag", flag))));
            self.check_references(&format!("closure_reasons.{}", reason.code), steps.collect(), &mut problems);
        }
        if self.retention.scanned_paper.as_ref().is_some_and(|rule| rule.until_age.is_some()) {
            problems.push(FieldError::new(
                "retention.scanned_paper.until_age",
                "paper is kept for a period after its scan, not until an age",
            ));
        }
        if let Some(rules) = &self.break_glass {
            if !(1..=72).contains(&rules.hours) {
                problems.push(FieldError::new("break_glass.hours", "must be 1 to 72 hours"));
            }
            if rules.reasons.is_empty() {
                problems.push(FieldError::new("break_glass.reasons", "list at least one reason"));
            }
            let mut seen = BTreeSet::new();
            for reason in &rules.reasons {
                if !seen.insert(&reason.code) {
                    problems.push(FieldError::new("break_glass.reasons", format!("'{}' is defined twice", reason.code)));
                }
            }
            if rules.notify_roles.is_empty() {
                problems.push(FieldError::new("break_glass.notify_roles", "name the roles to tell"));
            }
            for role in &rules.notify_roles {
                if self.role(role).is_none() {
                    problems.push(FieldError::new("break_glass.notify_roles", format!("'{role}' is not one of the roles")));
                }
            }
        }
        if self.service.closes_cases && self.closure_reasons.is_empty() {
            problems.push(FieldError::new("closure_reasons", "a service that closes cases needs closure reasons"));
        }
        for list in &self.decision_reasons {
            let mut seen = BTreeSet::new();
            for reason in &list.reasons {
                if !seen.insert(&reason.code) {
                    problems.push(FieldError::new(
                        format!("decision_reasons.{}", list.code),
                        format!("'{}' is defined twice", reason.code),
                    ));
                }
            }
        }
        for basis in &self.statutory_bases {
            let place = format!("statutory_bases.{}", basis.code);
            if basis.name.trim().is_empty() || basis.law.trim().is_empty() {
                problems.push(FieldError::new(place.clone(), "name the basis and the law or rule it rests on"));
            }
            if basis.allows.is_empty() {
                problems.push(FieldError::new(format!("{place}.allows"), "name at least one kind of disclosure it allows"));
            }
        }
        self.reports.check(self, &mut problems);
        if let Some(audit) = &self.reports.case_file_audit {
            problems.errors.extend(audit.problems(self));
        }
        problems.into_result()
    }

    pub fn code(&self) -> &Code {
        &self.service.code
    }

    /// Reports each stage, level, flag, form or timer that `place` names but the service lacks.
    fn check_references(&self, place: &str, references: Vec<(&'static str, &Code)>, problems: &mut Invalid) {
        for (kind, code) in references {
            let exists = match kind {
                "stage" => self.stage(code).is_some(),
                "flag" => self.has_flag(code),
                "level" => self.has_level(code),
                "form" => self.form(code).is_some(),
                "key date" => self.has_key_date(code),
                _ => self.timers.iter().any(|t| &t.code == code),
            };
            if !exists {
                problems.push(FieldError::new(place, format!("'{code}' is not one of the {kind}s")));
            }
        }
    }

    pub fn role(&self, code: &Code) -> Option<&Role> {
        self.roles.iter().find(|r| &r.code == code)
    }

    pub fn stage(&self, code: &Code) -> Option<&Stage> {
        self.stages.iter().find(|s| &s.code == code)
    }

    /// May a case move from `from` to `to`? Staying put is not a move.
    pub fn allows_move(&self, from: &Code, to: &Code) -> bool {
        self.stage(from).is_some_and(|s| s.next.contains(to))
    }

    pub fn form(&self, code: &Code) -> Option<&FormDefinition> {
        self.forms.iter().find(|f| &f.code == code)
    }

    /// The working-day calendar deadlines of this service are counted in.
    pub fn calendar(&self) -> Calendar {
        Calendar::new(self.service.nation).with_closures(self.service.closure_days.iter().copied())
    }

    pub fn has_level(&self, code: &Code) -> bool {
        self.levels.iter().any(|c| &c.code == code)
    }

    pub fn has_flag(&self, code: &Code) -> bool {
        self.flags.iter().any(|c| &c.code == code)
    }

    pub fn has_key_date(&self, code: &Code) -> bool {
        self.key_dates.iter().any(|c| &c.code == code)
    }

    pub fn has_rejection_reason(&self, code: &Code) -> bool {
        self.rejection_reasons.iter().any(|c| &c.code == code)
    }

    pub fn closure_reason(&self, code: &Code) -> Option<&ClosureReason> {
        self.closure_reasons.iter().find(|c| &c.code == code)
    }

    pub fn has_decision_outcome(&self, code: &Code) -> bool {
        self.decision_outcomes.iter().any(|c| &c.code == code)
    }

    pub fn has_decision_reason(&self, list: &Code, reason: &Code) -> bool {
        self.decision_reasons.iter().any(|l| &l.code == list && l.reasons.iter().any(|r| &r.code == reason))
    }

    pub fn statutory_basis(&self, code: &Code) -> Option<&StatutoryBasis> {
        self.statutory_bases.iter().find(|b| &b.code == code)
    }

    pub fn has_queue(&self, code: &Code) -> bool {
        self.queues.iter().any(|c| &c.code == code)
    }

    /// The permissions any role of this service holds, for documentation and admin views.
    pub fn permissions_in_use(&self) -> BTreeSet<Permission> {
        self.roles.iter().flat_map(|r| r.permissions.iter().copied()).collect()
    }
}

/// The JSON Schema of a service definition file, for editors (TOML editors such as Taplo
/// read it through a `#:schema` comment at the top of the file).
pub fn json_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(ServiceDefinition);
    schema.insert("title".into(), "Casework service definition".into());
    schema.to_value()
}

/// 1-based line and column of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
initial_stage = "open"

[service]
code = "demo"
name = "Demo"
reference_prefix = "DEMO"
closes_cases = false

[[roles]]
code = "worker"
name = "Worker"
permissions = ["case.read"]
reach = "allocated"

[[stages]]
code = "open"
name = "Open"
next = ["waiting"]

[[stages]]
code = "waiting"
name = "Waiting"
next = ["open"]
"#;

    #[test]
    fn a_minimal_definition_parses() {
        let definition = ServiceDefinition::from_toml(MINIMAL).unwrap();
        assert_eq!(definition.code().as_str(), "demo");
        let open = Code::parse("open").unwrap();
        let waiting = Code::parse("waiting").unwrap();
        assert!(definition.allows_move(&open, &waiting));
        assert!(definition.allows_move(&waiting, &open));
        assert!(!definition.allows_move(&open, &open));
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let broken = MINIMAL.replace("reach = \"allocated\"", "reach = \"everywhere\"");
        let error = ServiceDefinition::from_toml(&broken).unwrap_err();
        assert!(error.errors[0].field.starts_with("line 14, column 9"), "{error}");
    }

    #[test]
    fn dangling_stage_references_are_reported() {
        let broken = MINIMAL.replace("next = [\"open\"]", "next = [\"closed\"]");
        let error = ServiceDefinition::from_toml(&broken).unwrap_err();
        assert_eq!(error.errors[0].field, "stages.waiting.next");
    }

    #[test]
    fn break_glass_rules_name_roles_of_the_service_and_a_sensible_time() {
        let rules = "\n[break_glass]\nhours = 0\nnotify_roles = [\"manager\"]\nreasons = [{ code = \"x\", name = \"X\" }, { code = \"x\", name = \"Y\" }]\n";
        let error = ServiceDefinition::from_toml(&format!("{MINIMAL}{rules}")).unwrap_err();
        let fields: Vec<&str> = error.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["break_glass.hours", "break_glass.reasons", "break_glass.notify_roles"]);
        let rules = "\n[break_glass]\nhours = 4\nnotify_roles = [\"worker\"]\nreasons = [{ code = \"x\", name = \"X\" }]\n";
        let definition = ServiceDefinition::from_toml(&format!("{MINIMAL}{rules}")).unwrap();
        assert_eq!(definition.break_glass.map(|b| b.hours), Some(4));
    }

    #[test]
    fn no_alert_rule_takes_the_name_reports_give_alerts_raised_by_hand() {
        let rule = "\n[[alerts]]\ncode = \"by-hand\"\nname = \"Stale\"\nstart = { on = \"case-opened\" }\nto = \"worker\"\n";
        let error = ServiceDefinition::from_toml(&format!("{MINIMAL}{rule}")).unwrap_err();
        assert_eq!(error.errors[0].field, "alerts.by-hand.code");
        let definition = ServiceDefinition::from_toml(&format!("{MINIMAL}{}", rule.replace("by-hand", "stale"))).unwrap();
        assert_eq!(definition.alerts.len(), 1);
    }

    /// Every definition shipped in `services/` parses, is named after its file, and gives
    /// some role each of the permissions the service's cases need.
    #[test]
    fn shipped_service_definitions_are_valid() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../services");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let definition = ServiceDefinition::from_toml(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap();
            assert_eq!(definition.code().as_str(), stem, "{}", path.display());
            let in_use = definition.permissions_in_use();
            let mut needed = vec![
                Permission::CaseRead,
                Permission::CaseUpdate,
                Permission::CaseAllocate,
                Permission::DecisionRecord,
                Permission::HistoryRead,
            ];
            if definition.service.closes_cases {
                needed.extend([Permission::CaseClose, Permission::CaseReopen]);
            }
            for permission in needed {
                assert!(in_use.contains(&permission), "{}: no role has {}", path.display(), permission.name());
            }
            assert!(definition.break_glass.is_some(), "{}: no break-glass rules", path.display());
            checked += 1;
        }
        assert!(checked > 0, "no service definitions found in {dir}");
    }
}
