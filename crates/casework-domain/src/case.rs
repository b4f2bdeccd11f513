//! Cases: one person's episode with one service, and the commands that change a case.
//! Each command checks its rule against the service definition and returns the change to
//! record in the history; nothing is changed when a rule says no.

use crate::FieldError;
use crate::access::{BreakGlassWindow, CaseScope, Restriction, RestrictionLevel};
use crate::history::{Change, EventKind, Subject};
use crate::ids::{CaseId, PersonId, ReferralId, TeamId, UserId};
use crate::service::ServiceDefinition;
use crate::text::{Code, LongText};
use jiff::{Timestamp, civil::Date};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// A case's human-readable reference: the service's prefix, the year it was opened and a
/// number counted per service and year, e.g. `DARS-2026-000123`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseReference(String);

impl CaseReference {
    pub fn new(prefix: &str, year: i16, number: u32) -> Self {
        Self(format!("{prefix}-{year:04}-{number:06}"))
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let parts: Vec<&str> = raw.split('-').collect();
        let ok = matches!(parts.as_slice(), [prefix, year, number]
            if !prefix.is_empty() && prefix.len() <= 8 && prefix.chars().all(|c| c.is_ascii_uppercase())
            && year.len() == 4 && year.chars().all(|c| c.is_ascii_digit())
            && number.len() >= 6 && number.chars().all(|c| c.is_ascii_digit()));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new("", format!("'{raw}' is not a case reference such as DARS-2026-000123")))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CaseReference {
    type Error = FieldError;
    fn try_from(raw: String) -> Result<Self, FieldError> {
        Self::parse(&raw)
    }
}

impl From<CaseReference> for String {
    fn from(value: CaseReference) -> String {
        value.0
    }
}

impl std::fmt::Display for CaseReference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Open or closed. A closed case records why and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum CaseStatus {
    Open,
    Closed { reason: Code, at: Timestamp, by: UserId },
}

/// A flag on a case, with who set it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub code: Code,
    pub set_by: UserId,
    pub set_at: Timestamp,
}

/// How two cases are connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkKind {
    /// About the same matter or family.
    Related,
    /// This case shadows the linked original (kept out of statistics; records stay on the original).
    ShadowOf,
    /// This case continues the linked one after a transfer.
    TransferredFrom,
}

impl LinkKind {
    pub fn name(self) -> &'static str {
        match self {
            LinkKind::Related => "related",
            LinkKind::ShadowOf => "shadow-of",
            LinkKind::TransferredFrom => "transferred-from",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseLink {
    pub kind: LinkKind,
    pub other: CaseId,
    pub created_by: UserId,
    pub created_at: Timestamp,
}

/// A case as the domain sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    pub id: CaseId,
    pub reference: CaseReference,
    pub service: Code,
    /// The version of the service definition the case follows: the one it was opened
    /// under, until it is moved to a newer one on purpose.
    pub service_version: u32,
    pub person: PersonId,
    pub referral: ReferralId,
    pub stage: Code,
    pub level: Option<Code>,
    pub status: CaseStatus,
    pub worker: Option<UserId>,
    pub team: Option<TeamId>,
    pub flags: Vec<Flag>,
    pub key_dates: BTreeMap<Code, Date>,
    pub links: Vec<CaseLink>,
    pub opened_at: Timestamp,
    /// Bumped by every change to the case record; a write must name the version it saw.
    pub version: i64,
    /// Who beyond role and reach may see it (see `access`).
    pub restriction: Restriction,
    /// Break-glass access given on the case, expired or not, oldest first.
    pub break_glass: Vec<BreakGlassWindow>,
}

/// Why a command on a case was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("the case was changed by someone else (you saw version {seen}, it is now {current}); reload it and try again")]
    StaleVersion { seen: i64, current: i64 },
    #[error("{0}")]
    Rule(FieldError),
}

fn rule(field: &str, message: impl Into<String>) -> CaseError {
    CaseError::Rule(FieldError::new(field, message))
}

impl Case {
    pub fn scope(&self) -> CaseScope<'_> {
        CaseScope {
            service: &self.service,
            team: self.team,
            worker: self.worker,
            restriction: &self.restriction,
            break_glass: &self.break_glass,
        }
    }

    pub fn is_open(&self) -> bool {
        self.status == CaseStatus::Open
    }

    pub fn has_flag(&self, code: &Code) -> bool {
        self.flags.iter().any(|f| &f.code == code)
    }

    /// Refuses a write based on an older version of the case.
    pub fn check_version(&self, seen: i64) -> Result<(), CaseError> {
        if seen == self.version { Ok(()) } else { Err(CaseError::StaleVersion { seen, current: self.version }) }
    }

    fn require_open(&self) -> Result<(), CaseError> {
        if self.is_open() { Ok(()) } else { Err(rule("", "the case is closed; reopen it first")) }
    }

    fn change(&self, kind: EventKind, before: serde_json::Value, after: serde_json::Value) -> Change {
        Change::new(kind, Subject::Case(self.id), before, after)
    }

    /// Restricts, shields or lifts the case and sets its access list. Named roles must be
    /// roles of the service; the caller checks the named users exist and that nobody who
    /// must keep the case (the one changing it, its worker) would lose it.
    pub fn restrict(&mut self, service: &ServiceDefinition, restriction: Restriction) -> Result<Change, CaseError> {
        if let Some(role) = restriction.roles.iter().find(|r| service.role(r).is_none()) {
            return Err(rule("roles", format!("'{role}' is not a role of this service")));
        }
        if restriction.level == RestrictionLevel::None && !(restriction.users.is_empty() && restriction.roles.is_empty()) {
            return Err(rule("level", "an access list needs the case to be restricted or shielded"));
        }
        if restriction.is_restricted() && restriction.users.is_empty() && restriction.roles.is_empty() {
            return Err(rule("users", "name at least one user or role who may see the case"));
        }
        // Those told of a break-glass must be able to open the case to review it.
        if restriction.level == RestrictionLevel::Restricted
            && let Some(rules) = &service.break_glass
            && !rules.notify_roles.iter().any(|role| restriction.roles.contains(role))
        {
            let names: Vec<String> = rules
                .notify_roles
                .iter()
                .map(|code| service.role(code).map_or_else(|| code.to_string(), |role| role.name.clone()))
                .collect();
            return Err(rule(
                "roles",
                format!(
                    "name the role told when someone breaks glass ({}), so that they can open the case and review it",
                    names.join(" or ")
                ),
            ));
        }
        if restriction == self.restriction {
            return Err(rule("level", "this is the case's restriction already"));
        }
        let before = json!(self.restriction);
        self.restriction = restriction;
        Ok(self.change(EventKind::RestrictionChanged, before, json!(self.restriction)))
    }

    /// Opens the restricted case to `user` by break-glass until the service's hours are
    /// up, for one of the service's reasons and the details given. The caller decides
    /// whether the user may (see [`crate::access::Actor::may_break_glass`]).
    pub fn break_glass(
        &mut self,
        service: &ServiceDefinition,
        user: UserId,
        reason: &str,
        details: &str,
        now: Timestamp,
    ) -> Result<Change, crate::Invalid> {
        let mut problems = crate::Invalid::new();
        let Some(rules) = &service.break_glass else {
            return Err(crate::Invalid::one("reason", "this service has no break-glass access"));
        };
        let reason = rules.reasons.iter().find(|r| r.code.as_str() == reason);
        if reason.is_none() {
            problems.push(FieldError::new("reason", "Choose why you need to open this case"));
        }
        let details = problems.check(
            "details",
            LongText::parse(details).map_err(|error| {
                if details.trim().is_empty() { FieldError::new("", "Say why you need to open this case now") } else { error }
            }),
        );
        let (Some(reason), Some(details)) = (reason, details) else { return Err(problems) };
        let until = now
            .checked_add(jiff::SignedDuration::from_hours(i64::from(rules.hours)))
            .map_err(|_| crate::Invalid::one("reason", "the expiry is out of range"))?;
        self.break_glass.push(BreakGlassWindow { user, reason: reason.code.clone(), until });
        Ok(self.change(
            EventKind::BreakGlass,
            json!(null),
            json!({ "user": user, "reason": reason.code, "details": details, "until": until }),
        ))
    }

    /// Moves the case to another stage, if the service allows that move from where it is.
    pub fn move_to_stage(&mut self, service: &ServiceDefinition, stage: Code) -> Result<Change, CaseError> {
        self.require_open()?;
        if service.stage(&stage).is_none() {
            return Err(rule("stage", format!("'{stage}' is not a stage of this service")));
        }
        if !service.allows_move(&self.stage, &stage) {
            let allowed: Vec<&str> =
                service.stage(&self.stage).map(|s| s.next.iter().map(Code::as_str).collect()).unwrap_or_default();
            return Err(rule(
                "stage",
                format!("a case cannot move from '{}' to '{stage}'; allowed: {}", self.stage, allowed.join(", ")),
            ));
        }
        let before = json!({ "stage": self.stage });
        self.stage = stage;
        Ok(self.change(EventKind::StageChanged, before, json!({ "stage": self.stage })))
    }

    pub fn set_level(&mut self, service: &ServiceDefinition, level: Option<Code>) -> Result<Change, CaseError> {
        self.require_open()?;
        if let Some(code) = &level
            && !service.has_level(code)
        {
            return Err(rule(
                "level",
                format!("'{code}' is not a {} of this service", service.service.level_label.to_lowercase()),
            ));
        }
        let before = json!({ "level": self.level });
        self.level = level;
        Ok(self.change(EventKind::LevelChanged, before, json!({ "level": self.level })))
    }

    /// Allocates the case to a worker and/or team (either may be cleared).
    pub fn allocate(&mut self, worker: Option<UserId>, team: Option<TeamId>) -> Result<Change, CaseError> {
        self.require_open()?;
        let before = json!({ "worker": self.worker, "team": self.team });
        self.worker = worker;
        self.team = team;
        Ok(self.change(EventKind::CaseAllocated, before, json!({ "worker": self.worker, "team": self.team })))
    }

    pub fn set_flag(&mut self, service: &ServiceDefinition, code: Code, by: UserId, at: Timestamp) -> Result<Change, CaseError> {
        self.require_open()?;
        if !service.has_flag(&code) {
            return Err(rule("flag", format!("'{code}' is not a flag of this service")));
        }
        if self.has_flag(&code) {
            return Err(rule("flag", format!("the case already has the flag '{code}'")));
        }
        self.flags.push(Flag { code: code.clone(), set_by: by, set_at: at });
        Ok(self.change(EventKind::FlagSet, json!(null), json!({ "flag": code })))
    }

    pub fn remove_flag(&mut self, code: &Code) -> Result<Change, CaseError> {
        self.require_open()?;
        let Some(position) = self.flags.iter().position(|f| &f.code == code) else {
            return Err(rule("flag", format!("the case has no flag '{code}'")));
        };
        let removed = self.flags.remove(position);
        Ok(self.change(
            EventKind::FlagRemoved,
            json!({ "flag": removed.code, "set_by": removed.set_by, "set_at": removed.set_at }),
            json!(null),
        ))
    }

    pub fn set_key_date(&mut self, service: &ServiceDefinition, code: Code, date: Option<Date>) -> Result<Change, CaseError> {
        self.require_open()?;
        if !service.has_key_date(&code) {
            return Err(rule("key_date", format!("'{code}' is not a key date of this service")));
        }
        let before = json!({ "key_date": code, "date": self.key_dates.get(&code) });
        match date {
            Some(date) => self.key_dates.insert(code.clone(), date),
            None => self.key_dates.remove(&code),
        };
        Ok(self.change(EventKind::KeyDateSet, before, json!({ "key_date": code, "date": date })))
    }

    pub fn link(&mut self, kind: LinkKind, other: CaseId, by: UserId, at: Timestamp) -> Result<Change, CaseError> {
        self.require_open()?;
        if other == self.id {
            return Err(rule("case", "a case cannot be linked to itself"));
        }
        if self.links.iter().any(|l| l.other == other && l.kind == kind) {
            return Err(rule("case", "the cases are already linked this way"));
        }
        if kind == LinkKind::ShadowOf && self.links.iter().any(|l| l.kind == LinkKind::ShadowOf) {
            return Err(rule("kind", "a case can shadow only one original"));
        }
        self.links.push(CaseLink { kind, other, created_by: by, created_at: at });
        Ok(self.change(EventKind::CaseLinked, json!(null), json!({ "kind": kind, "case": other })))
    }

    /// Closes the case with a reason from the service's list, once the steps that reason
    /// requires are on the record (`forms_done`: the forms filled in on the case).
    pub fn close(
        &mut self,
        service: &ServiceDefinition,
        reason: Code,
        by: UserId,
        at: Timestamp,
        forms_done: &[Code],
    ) -> Result<Change, CaseError> {
        if !service.service.closes_cases {
            return Err(rule("", "this service does not close cases: support goes quiet instead"));
        }
        self.require_open()?;
        let Some(closure) = service.closure_reason(&reason) else {
            return Err(rule("reason", format!("'{reason}' is not a closure reason of this service")));
        };
        let missing: Vec<String> = closure
            .requires
            .iter()
            .filter(|step| step.when_flag.as_ref().is_none_or(|flag| self.has_flag(flag)))
            .filter(|step| !forms_done.contains(&step.form))
            .map(|step| service.form(&step.form).map_or_else(|| step.form.to_string(), |f| f.name.clone()))
            .collect();
        if !missing.is_empty() {
            return Err(rule("reason", format!("closing for '{}' needs first: {}", closure.name, missing.join("; "))));
        }
        self.status = CaseStatus::Closed { reason: reason.clone(), at, by };
        Ok(self.change(EventKind::CaseClosed, json!({ "status": "open" }), json!({ "status": "closed", "reason": reason })))
    }

    /// Reopens a closed case; why is recorded with the change.
    pub fn reopen(&mut self, why: &LongText) -> Result<Change, CaseError> {
        let CaseStatus::Closed { reason, .. } = &self.status else {
            return Err(rule("", "the case is open already"));
        };
        let before = json!({ "status": "closed", "reason": reason });
        self.status = CaseStatus::Open;
        Ok(self.change(EventKind::CaseReopened, before, json!({ "status": "open", "why": why })))
    }
}

impl Case {
    /// Moves the case to another version of its service's definition. Everything the case
    /// holds must exist in the new version; a stage that was renamed or removed is moved
    /// through `stage_map` (old → new). Reports every obstacle at once.
    pub fn move_to_version(
        &mut self,
        definition: &ServiceDefinition,
        version: u32,
        stage_map: &BTreeMap<Code, Code>,
    ) -> Result<Change, Vec<String>> {
        let mut obstacles = Vec::new();
        let stage = stage_map.get(&self.stage).unwrap_or(&self.stage).clone();
        if definition.stage(&stage).is_none() {
            obstacles.push(format!("stage '{stage}' does not exist in version {version}; map it with --stage-map {stage}=NEW"));
        }
        if let Some(level) = self.level.as_ref().filter(|level| !definition.has_level(level)) {
            obstacles.push(format!("level '{level}' does not exist in version {version}"));
        }
        for flag in &self.flags {
            if !definition.has_flag(&flag.code) {
                obstacles.push(format!("flag '{}' does not exist in version {version}", flag.code));
            }
        }
        for key_date in self.key_dates.keys() {
            if !definition.has_key_date(key_date) {
                obstacles.push(format!("key date '{key_date}' does not exist in version {version}"));
            }
        }
        if !obstacles.is_empty() {
            return Err(obstacles);
        }
        let before = json!({ "service_version": self.service_version, "stage": self.stage });
        self.service_version = version;
        self.stage = stage;
        Ok(self.change(EventKind::ServiceVersionChanged, before, json!({ "service_version": version, "stage": self.stage })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    const SERVICE: &str = r#"
initial_stage = "intake"
[service]
code = "demo"
name = "Demo"
reference_prefix = "DEMO"
[[roles]]
code = "worker"
name = "Worker"
permissions = ["case.read"]
reach = "allocated"
[[stages]]
code = "intake"
name = "Intake"
next = ["plan"]
[[stages]]
code = "plan"
name = "Plan"
next = ["intake", "review"]
[[stages]]
code = "review"
name = "Review"
next = ["plan"]
[[levels]]
code = "high"
name = "High"
[[flags]]
code = "urgent"
name = "Urgent"
[[closure_reasons]]
code = "done"
name = "Done"
[break_glass]
hours = 4
notify_roles = ["worker"]
reasons = [{ code = "emergency", name = "Emergency" }]
"#;

    fn service() -> ServiceDefinition {
        ServiceDefinition::from_toml(SERVICE).unwrap()
    }

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn new_case() -> Case {
        Case {
            id: CaseId::new(),
            reference: CaseReference::new("DEMO", 2026, 1),
            service: code("demo"),
            service_version: 1,
            person: PersonId::new(),
            referral: ReferralId::new(),
            stage: code("intake"),
            level: None,
            status: CaseStatus::Open,
            worker: None,
            team: None,
            flags: vec![],
            key_dates: BTreeMap::new(),
            restriction: Restriction::default(),
            break_glass: vec![],
            links: vec![],
            opened_at: Timestamp::UNIX_EPOCH,
            version: 1,
        }
    }

    #[test]
    fn references_look_like_the_services_own() {
        assert_eq!(CaseReference::new("DARS", 2026, 123).as_str(), "DARS-2026-000123");
        assert!(CaseReference::parse("DARS-2026-000123").is_ok());
        assert!(CaseReference::parse("dars-2026-1").is_err());
    }

    #[test]
    fn stages_move_only_as_the_service_allows_and_can_go_back() {
        let service = service();
        let mut case = new_case();
        assert!(case.move_to_stage(&service, code("review")).is_err());
        assert_eq!(case.stage, code("intake"), "a refused move changes nothing");
        let change = case.move_to_stage(&service, code("plan")).unwrap();
        assert_eq!(change.before, json!({"stage": "intake"}));
        assert_eq!(change.after, json!({"stage": "plan"}));
        case.move_to_stage(&service, code("intake")).unwrap();
        assert!(case.move_to_stage(&service, code("nowhere")).is_err());
    }

    #[test]
    fn a_closed_case_takes_no_changes_until_reopened() {
        let service = service();
        let mut case = new_case();
        assert!(case.close(&service, code("unknown"), UserId::new(), Timestamp::UNIX_EPOCH, &[]).is_err());
        case.close(&service, code("done"), UserId::new(), Timestamp::UNIX_EPOCH, &[]).unwrap();
        assert!(case.move_to_stage(&service, code("plan")).is_err());
        assert!(case.set_level(&service, Some(code("high"))).is_err());
        assert!(case.allocate(Some(UserId::new()), None).is_err());
        assert!(case.set_flag(&service, code("urgent"), UserId::new(), Timestamp::UNIX_EPOCH).is_err());
        assert!(case.link(LinkKind::Related, CaseId::new(), UserId::new(), Timestamp::UNIX_EPOCH).is_err());
        assert!(case.close(&service, code("done"), UserId::new(), Timestamp::UNIX_EPOCH, &[]).is_err());
        case.reopen(&LongText::parse("new concerns").unwrap()).unwrap();
        assert!(case.is_open());
        assert!(case.reopen(&LongText::parse("again").unwrap()).is_err());
    }

    #[test]
    fn services_that_never_close_refuse_closure() {
        let text = SERVICE.replace("reference_prefix = \"DEMO\"", "reference_prefix = \"DEMO\"\ncloses_cases = false");
        let service = ServiceDefinition::from_toml(&text).unwrap();
        let mut case = new_case();
        assert!(case.close(&service, code("done"), UserId::new(), Timestamp::UNIX_EPOCH, &[]).is_err());
    }

    #[test]
    fn stale_versions_are_refused() {
        let case = new_case();
        assert!(case.check_version(1).is_ok());
        assert_eq!(case.check_version(0), Err(CaseError::StaleVersion { seen: 0, current: 1 }));
    }

    #[test]
    fn flags_and_links_keep_their_invariants() {
        let service = service();
        let mut case = new_case();
        let by = UserId::new();
        case.set_flag(&service, code("urgent"), by, Timestamp::UNIX_EPOCH).unwrap();
        assert!(case.set_flag(&service, code("urgent"), by, Timestamp::UNIX_EPOCH).is_err());
        assert!(case.set_flag(&service, code("made-up"), by, Timestamp::UNIX_EPOCH).is_err());
        let removed = case.remove_flag(&code("urgent")).unwrap();
        assert_eq!(removed.before["set_by"], json!(by));
        assert!(case.remove_flag(&code("urgent")).is_err());
        assert!(case.link(LinkKind::Related, case.id, by, Timestamp::UNIX_EPOCH).is_err());
        case.link(LinkKind::ShadowOf, CaseId::new(), by, Timestamp::UNIX_EPOCH).unwrap();
        assert!(case.link(LinkKind::ShadowOf, CaseId::new(), by, Timestamp::UNIX_EPOCH).is_err());
    }

    #[test]
    fn moving_to_a_new_version_needs_everything_the_case_holds() {
        let service = service();
        let mut case = new_case();
        case.set_flag(&service, code("urgent"), UserId::new(), Timestamp::UNIX_EPOCH).unwrap();
        let renamed = SERVICE
            .replace("code = \"intake\"", "code = \"first-contact\"")
            .replace("\"intake\"", "\"first-contact\"")
            .replace("code = \"urgent\"", "code = \"priority\"");
        let next = ServiceDefinition::from_toml(&renamed).unwrap();
        let obstacles = case.move_to_version(&next, 2, &BTreeMap::new()).unwrap_err();
        assert_eq!(obstacles.len(), 2, "{obstacles:?}");
        assert_eq!(case.service_version, 1, "a refused move changes nothing");
        case.remove_flag(&code("urgent")).unwrap();
        let map = [(code("intake"), code("first-contact"))].into_iter().collect();
        let change = case.move_to_version(&next, 2, &map).unwrap();
        assert_eq!((case.service_version, case.stage.as_str()), (2, "first-contact"));
        assert_eq!(change.before["stage"], "intake");
    }

    proptest! {
        /// Whatever sequence of moves is tried, the case is always in a stage of the service,
        /// and every accepted move was one the service allows.
        #[test]
        fn a_case_is_always_in_a_defined_stage(moves in proptest::collection::vec(0usize..4, 0..30)) {
            let service = service();
            let names = ["intake", "plan", "review", "elsewhere"];
            let mut case = new_case();
            for m in moves {
                let from = case.stage.clone();
                let to = code(names[m]);
                match case.move_to_stage(&service, to.clone()) {
                    Ok(_) => prop_assert!(service.allows_move(&from, &to)),
                    Err(_) => prop_assert_eq!(&case.stage, &from),
                }
                prop_assert!(service.stage(&case.stage).is_some());
            }
        }
    }

    #[test]
    fn restricting_names_only_roles_of_the_service_and_records_before_and_after() {
        let mut case = new_case();
        let user = UserId::new();
        let bad = Restriction {
            level: RestrictionLevel::Restricted,
            users: BTreeSet::new(),
            roles: [code("nobody")].into_iter().collect(),
        };
        assert!(case.restrict(&service(), bad).is_err());
        let empty = Restriction { level: RestrictionLevel::Shielded, ..Default::default() };
        assert!(case.restrict(&service(), empty).is_err(), "a shielded case nobody may see");
        assert_eq!(case.restriction, Restriction::default());
        let good = Restriction { level: RestrictionLevel::Shielded, users: [user].into_iter().collect(), roles: BTreeSet::new() };
        let change = case.restrict(&service(), good.clone()).unwrap();
        assert_eq!(change.kind, EventKind::RestrictionChanged);
        assert_eq!(change.before["level"], "none");
        assert_eq!(change.after["level"], "shielded");
        assert_eq!(change.after["users"][0], json!(user));
        assert!(case.restrict(&service(), good).is_err(), "no change");
        let lifted = case.restrict(&service(), Restriction::default()).unwrap();
        assert_eq!(lifted.after["level"], "none");
    }

    #[test]
    fn break_glass_needs_a_listed_reason_and_details_and_lasts_the_service_hours() {
        let mut case = new_case();
        let user = UserId::new();
        let now: Timestamp = "2026-03-10T10:00:00Z".parse().unwrap();
        let refused = case.break_glass(&service(), user, "boredom", " ", now).unwrap_err();
        let fields: Vec<_> = refused.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["reason", "details"]);
        assert!(case.break_glass.is_empty());
        let change = case.break_glass(&service(), user, "emergency", "Child at risk tonight", now).unwrap();
        assert_eq!(change.kind, EventKind::BreakGlass);
        assert_eq!(case.break_glass[0].until, "2026-03-10T14:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(change.after["details"], "Child at risk tonight");
    }
}
