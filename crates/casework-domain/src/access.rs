//! Who may do what to which case. Deny by default: a user may act on a case only through
//! a role they hold in the case's service, whose permissions include the action and whose
//! reach covers the case (the whole service, the user's teams, or the cases allocated to
//! them). Holding a permission without reach to a case is the same as not holding it.
//!
//! Restricted and shielded cases. A case's restriction is `none` (the default),
//! `restricted` or `shielded`, with an access list of named users and named roles (role
//! codes of the case's service). Restriction only ever narrows what the rules above allow:
//! a user may act on a restricted or shielded case only if their role and reach already
//! let them *and* they are named on its access list or hold a role named there. Being
//! named never grants anything by itself.
//!
//! - Restricted: someone whose reach covers the case and who holds `case.break-glass` may
//!   open it by break-glass: they give a reason from the service's list and say why, and
//!   for the hours the service allows they may act on it as if named (their reach still
//!   decides what they may do). The case owner and the service's managers are told at
//!   once. Everyone else is told the case does not exist, and it appears in no list.
//! - Shielded: as restricted, without break-glass: for anyone not named it does not exist.
//!
//! A break-glass grant counts until its expiry; whether it has expired is judged at the
//! actor's `as_of` instant (when the request's access was decided), in [`Actor::may`] and in
//! the query filter alike.

use crate::ids::{TeamId, UserId};
use crate::text::Code;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One thing a role may do within its service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Permission {
    /// Record a referral (and the forms that come with it).
    #[serde(rename = "referral.create")]
    ReferralCreate,
    /// See pending and decided referrals of the service.
    #[serde(rename = "referral.read")]
    ReferralRead,
    /// Accept, reject or keep a referral on file.
    #[serde(rename = "referral.decide")]
    ReferralDecide,
    /// Open a case directly (the referral is recorded as accepted at once).
    #[serde(rename = "case.create")]
    CaseCreate,
    /// Open a case record: its details, notes, tasks, decisions.
    #[serde(rename = "case.read")]
    CaseRead,
    /// Change stage, level, flags, key dates and links.
    #[serde(rename = "case.update")]
    CaseUpdate,
    /// Allocate a case to a worker and team.
    #[serde(rename = "case.allocate")]
    CaseAllocate,
    /// Write notes and addenda.
    #[serde(rename = "note.add")]
    NoteAdd,
    /// Create, complete, cancel and reassign tasks.
    #[serde(rename = "task.manage")]
    TaskManage,
    /// Record decisions.
    #[serde(rename = "decision.record")]
    DecisionRecord,
    /// Close a case.
    #[serde(rename = "case.close")]
    CaseClose,
    /// Reopen a closed case.
    #[serde(rename = "case.reopen")]
    CaseReopen,
    /// Read a case's full history.
    #[serde(rename = "history.read")]
    HistoryRead,
    /// Find people and see their details.
    #[serde(rename = "person.read")]
    PersonRead,
    /// Record people and organisations.
    #[serde(rename = "person.write")]
    PersonWrite,
    /// Read the access log of the service's cases: who looked at which case, and when.
    #[serde(rename = "audit.read")]
    AuditRead,
    /// Restrict or shield a case and name who may see it.
    #[serde(rename = "case.restrict")]
    CaseRestrict,
    /// Open a restricted case one is not named on, for a limited time, giving a reason;
    /// the case owner and a manager are told at once.
    #[serde(rename = "case.break-glass")]
    CaseBreakGlass,
    /// Upload documents, record paper ones, and make redacted copies.
    #[serde(rename = "document.add")]
    DocumentAdd,
    /// Read documents classified as restricted.
    #[serde(rename = "document.restricted")]
    DocumentRestricted,
    /// Share a case's information, refer out, transfer or export, on a recorded basis.
    #[serde(rename = "case.share")]
    CaseShare,
    /// Place and lift legal holds, review records due for disposal and destroy them.
    #[serde(rename = "records.dispose")]
    RecordsDispose,
    /// Export everything held about a person for a subject access request.
    #[serde(rename = "person.export")]
    PersonExport,
    /// See the service's reports (e.g. how well its deadlines are kept), counted over the
    /// cases one may read, and the cases behind each figure.
    #[serde(rename = "reports.read")]
    ReportsRead,
    /// Draw random samples of the service's open cases and audit their case files on the
    /// service's audit form. The results are read with `reports.read`.
    #[serde(rename = "audit.conduct")]
    AuditConduct,
}

impl Permission {
    pub const ALL: [Permission; 25] = [
        Permission::ReferralCreate,
        Permission::ReferralRead,
        Permission::ReferralDecide,
        Permission::CaseCreate,
        Permission::CaseRead,
        Permission::CaseUpdate,
        Permission::CaseAllocate,
        Permission::NoteAdd,
        Permission::TaskManage,
        Permission::DecisionRecord,
        Permission::CaseClose,
        Permission::CaseReopen,
        Permission::HistoryRead,
        Permission::PersonRead,
        Permission::PersonWrite,
        Permission::AuditRead,
        Permission::CaseRestrict,
        Permission::CaseBreakGlass,
        Permission::DocumentAdd,
        Permission::DocumentRestricted,
        Permission::CaseShare,
        Permission::RecordsDispose,
        Permission::PersonExport,
        Permission::ReportsRead,
        Permission::AuditConduct,
    ];

    /// The name used in service definitions and the API.
    pub fn name(self) -> &'static str {
        match self {
            Permission::ReferralCreate => "referral.create",
            Permission::ReferralRead => "referral.read",
            Permission::ReferralDecide => "referral.decide",
            Permission::CaseCreate => "case.create",
            Permission::CaseRead => "case.read",
            Permission::CaseUpdate => "case.update",
            Permission::CaseAllocate => "case.allocate",
            Permission::NoteAdd => "note.add",
            Permission::TaskManage => "task.manage",
            Permission::DecisionRecord => "decision.record",
            Permission::CaseClose => "case.close",
            Permission::CaseReopen => "case.reopen",
            Permission::HistoryRead => "history.read",
            Permission::PersonRead => "person.read",
            Permission::PersonWrite => "person.write",
            Permission::AuditRead => "audit.read",
            Permission::CaseRestrict => "case.restrict",
            Permission::CaseBreakGlass => "case.break-glass",
            Permission::DocumentAdd => "document.add",
            Permission::DocumentRestricted => "document.restricted",
            Permission::CaseShare => "case.share",
            Permission::RecordsDispose => "records.dispose",
            Permission::PersonExport => "person.export",
            Permission::ReportsRead => "reports.read",
            Permission::AuditConduct => "audit.conduct",
        }
    }
}

/// Which of a service's cases a role's permissions apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Reach {
    /// Every case of the service (managers, administrators of the service).
    Service,
    /// Cases allocated to one of the user's teams in the service, and cases allocated to them.
    Team,
    /// Only cases allocated to the user.
    Allocated,
    /// No case at all: the role works on referrals only (e.g. a programme director who
    /// submits forms but may not see case records).
    None,
}

/// A role in a service: a name for a set of permissions with a reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub code: Code,
    pub name: String,
    pub permissions: BTreeSet<Permission>,
    pub reach: Reach,
}

/// What a user holds in one service: a role, and the teams they belong to there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub service: Code,
    pub role: Role,
    pub teams: BTreeSet<TeamId>,
}

/// How far a case is closed off from those whose reach covers it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RestrictionLevel {
    /// Anyone whose role and reach cover the case.
    #[default]
    None,
    /// Only those named on the access list, and others by break-glass.
    Restricted,
    /// Only those named on the access list.
    Shielded,
}

impl RestrictionLevel {
    pub const ALL: [RestrictionLevel; 3] = [RestrictionLevel::None, RestrictionLevel::Restricted, RestrictionLevel::Shielded];

    /// The name used in the database and the API.
    pub fn name(self) -> &'static str {
        match self {
            RestrictionLevel::None => "none",
            RestrictionLevel::Restricted => "restricted",
            RestrictionLevel::Shielded => "shielded",
        }
    }

    pub fn parse(name: &str) -> Option<RestrictionLevel> {
        RestrictionLevel::ALL.into_iter().find(|level| level.name() == name)
    }
}

/// A case's restriction and its access list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Restriction {
    pub level: RestrictionLevel,
    /// Users named on the access list.
    pub users: BTreeSet<UserId>,
    /// Roles of the case's service named on the access list: whoever holds one is named.
    pub roles: BTreeSet<Code>,
}

impl Restriction {
    pub fn is_restricted(&self) -> bool {
        self.level != RestrictionLevel::None
    }
}

/// Someone's break-glass access to a restricted case, until it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakGlassWindow {
    pub user: UserId,
    /// The reason's code, from the service's break-glass reasons.
    pub reason: Code,
    pub until: Timestamp,
}

/// The facts about a case that decide who may see it.
#[derive(Debug, Clone, Copy)]
pub struct CaseScope<'a> {
    pub service: &'a Code,
    pub team: Option<TeamId>,
    pub worker: Option<UserId>,
    pub restriction: &'a Restriction,
    /// Break-glass access given on the case, expired or not.
    pub break_glass: &'a [BreakGlassWindow],
}

impl<'a> CaseScope<'a> {
    /// The same case with break-glass left out: what someone may do on it for good, for
    /// deciding whom it may be given to (a grant runs out; an allocation does not).
    pub fn lasting(self) -> CaseScope<'a> {
        CaseScope { break_glass: &[], ..self }
    }
}

/// A signed-in user with everything needed to decide access, loaded once per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    pub username: String,
    /// May manage user accounts and teams. Grants no access to case records by itself.
    pub administrator: bool,
    pub memberships: Vec<Membership>,
    /// The instant access is decided at: a break-glass grant counts while it is before its expiry.
    pub as_of: Timestamp,
}

impl Actor {
    /// May this actor do `permission` to the case described by `scope`? Their role and
    /// reach must allow it, and a restricted or shielded case must admit them.
    pub fn may(&self, permission: Permission, scope: CaseScope<'_>) -> bool {
        self.reaches(permission, scope) && self.admitted(scope)
    }

    /// Does the case's restriction let this actor in: not restricted, named (in person or
    /// by role), or, for a restricted case, by break-glass that has not expired?
    pub fn admitted(&self, scope: CaseScope<'_>) -> bool {
        match scope.restriction.level {
            RestrictionLevel::None => true,
            RestrictionLevel::Restricted => self.is_named(scope) || self.broke_glass(scope).is_some(),
            RestrictionLevel::Shielded => self.is_named(scope),
        }
    }

    /// Is the actor on the case's access list, by name or by a role they hold in its service?
    pub fn is_named(&self, scope: CaseScope<'_>) -> bool {
        scope.restriction.users.contains(&self.user)
            || self.memberships.iter().any(|m| &m.service == scope.service && scope.restriction.roles.contains(&m.role.code))
    }

    /// The actor's break-glass access to the case that has not expired, if any.
    pub fn broke_glass<'a>(&self, scope: CaseScope<'a>) -> Option<&'a BreakGlassWindow> {
        scope.break_glass.iter().filter(|g| g.user == self.user && g.until > self.as_of).max_by_key(|g| g.until)
    }

    /// May the actor open this case by break-glass now? Only a restricted case that does
    /// not admit them, when they hold `case.break-glass` with reach to it.
    pub fn may_break_glass(&self, scope: CaseScope<'_>) -> bool {
        scope.restriction.level == RestrictionLevel::Restricted
            && !self.admitted(scope)
            && self.reaches(Permission::CaseBreakGlass, scope)
    }

    /// Do the actor's roles and reach allow `permission` on the case, restriction aside?
    fn reaches(&self, permission: Permission, scope: CaseScope<'_>) -> bool {
        self.memberships.iter().any(|m| {
            &m.service == scope.service
                && m.role.permissions.contains(&permission)
                && match m.role.reach {
                    Reach::Service => true,
                    Reach::Team => scope.worker == Some(self.user) || scope.team.is_some_and(|t| m.teams.contains(&t)),
                    Reach::Allocated => scope.worker == Some(self.user),
                    Reach::None => false,
                }
        })
    }

    /// May this actor do `permission` in `service` at all, regardless of a particular case
    /// (e.g. record a referral, or open the referral list)?
    pub fn may_in_service(&self, permission: Permission, service: &Code) -> bool {
        self.memberships.iter().any(|m| &m.service == service && m.role.permissions.contains(&permission))
    }

    /// Does the actor hold `permission` in `service` through a role whose reach is the whole
    /// service? For work about everything a service holds, not one case (a subject access
    /// request covers all of a person's cases, whoever they are allocated to).
    pub fn may_across_service(&self, permission: Permission, service: &Code) -> bool {
        self.memberships
            .iter()
            .any(|m| &m.service == service && m.role.reach == Reach::Service && m.role.permissions.contains(&permission))
    }

    /// Does the actor hold any role in `service`?
    pub fn is_member_of(&self, service: &Code) -> bool {
        self.memberships.iter().any(|m| &m.service == service)
    }

    /// The services in which the actor holds `permission`.
    pub fn services_with(&self, permission: Permission) -> BTreeSet<&Code> {
        self.memberships.iter().filter(|m| m.role.permissions.contains(&permission)).map(|m| &m.service).collect()
    }

    /// The rules by which the actor may `permission` cases, for building a query filter
    /// that gives the same answers as [`Actor::may`] for every case. Roles with no reach are left out.
    pub fn case_filter(&self, permission: Permission) -> Vec<CaseFilter> {
        self.memberships
            .iter()
            .filter(|m| m.role.permissions.contains(&permission))
            .filter_map(|m| {
                let reach = match m.role.reach {
                    Reach::Service => FilterReach::WholeService,
                    Reach::Team => FilterReach::TeamsOrAllocated { teams: m.teams.iter().copied().collect() },
                    Reach::Allocated => FilterReach::Allocated,
                    Reach::None => return None,
                };
                let roles = self.memberships.iter().filter(|o| o.service == m.service).map(|o| o.role.code.clone()).collect();
                Some(CaseFilter { service: m.service.clone(), reach, user: self.user, roles, as_of: self.as_of })
            })
            .collect()
    }
}

/// Which cases of the service a filter's reach covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterReach {
    WholeService,
    /// Cases of these teams, and cases allocated to the user.
    TeamsOrAllocated {
        teams: Vec<TeamId>,
    },
    Allocated,
}

/// One disjunct of a visibility filter: a case matches when it matches any of them. A
/// case matches one when it is of the service, within the reach, and its restriction
/// admits the user (as [`Actor::admitted`] decides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFilter {
    pub service: Code,
    pub reach: FilterReach,
    pub user: UserId,
    /// Every role the user holds in the service, for access lists that name roles.
    pub roles: Vec<Code>,
    /// Break-glass grants count while this instant is before their expiry.
    pub as_of: Timestamp,
}

impl CaseFilter {
    /// The service the rule is about.
    pub fn service(&self) -> &Code {
        &self.service
    }

    /// The same rule evaluated in memory; the store's SQL must agree with it.
    pub fn matches(&self, scope: CaseScope<'_>) -> bool {
        let reached = &self.service == scope.service
            && match &self.reach {
                FilterReach::WholeService => true,
                FilterReach::TeamsOrAllocated { teams } => {
                    scope.worker == Some(self.user) || scope.team.is_some_and(|t| teams.contains(&t))
                }
                FilterReach::Allocated => scope.worker == Some(self.user),
            };
        let named =
            || scope.restriction.users.contains(&self.user) || self.roles.iter().any(|r| scope.restriction.roles.contains(r));
        let broke_glass = || scope.break_glass.iter().any(|g| g.user == self.user && g.until > self.as_of);
        reached
            && match scope.restriction.level {
                RestrictionLevel::None => true,
                RestrictionLevel::Restricted => named() || broke_glass(),
                RestrictionLevel::Shielded => named(),
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn role(reach: Reach, permissions: &[Permission]) -> Role {
        role_named("r", reach, permissions)
    }

    fn role_named(name: &str, reach: Reach, permissions: &[Permission]) -> Role {
        Role { code: Code::parse(name).unwrap(), name: "R".into(), permissions: permissions.iter().copied().collect(), reach }
    }

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn at(hour: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + hour * 3600).unwrap()
    }

    fn actor_with(memberships: Vec<Membership>) -> Actor {
        Actor { user: UserId::new(), username: "u".into(), administrator: false, memberships, as_of: at(0) }
    }

    fn member(service: &Code, role: Role) -> Membership {
        Membership { service: service.clone(), role, teams: BTreeSet::new() }
    }

    fn scope<'a>(service: &'a Code, restriction: &'a Restriction, break_glass: &'a [BreakGlassWindow]) -> CaseScope<'a> {
        CaseScope { service, team: None, worker: None, restriction, break_glass }
    }

    const READER: &[Permission] = &[Permission::CaseRead, Permission::CaseBreakGlass];

    #[test]
    fn deny_by_default() {
        let actor = Actor { user: UserId::new(), username: "a".into(), administrator: true, memberships: vec![], as_of: at(0) };
        let service = code("dars");
        let open = Restriction::default();
        let scope = CaseScope { service: &service, team: None, worker: Some(actor.user), restriction: &open, break_glass: &[] };
        for p in Permission::ALL {
            assert!(!actor.may(p, scope), "{p:?}");
        }
    }

    #[test]
    fn a_role_without_reach_sees_no_case_even_with_case_read() {
        let service = code("deanery");
        let actor = actor_with(vec![member(&service, role(Reach::None, &[Permission::CaseRead, Permission::ReferralCreate]))]);
        let open = Restriction::default();
        let scope = CaseScope { service: &service, team: None, worker: Some(actor.user), restriction: &open, break_glass: &[] };
        assert!(!actor.may(Permission::CaseRead, scope));
        assert!(actor.may_in_service(Permission::ReferralCreate, &service));
        assert!(actor.case_filter(Permission::CaseRead).is_empty());
    }

    #[test]
    fn across_the_service_means_a_role_with_the_permission_and_service_reach_there() {
        let (alpha, beta) = (code("alpha"), code("beta"));
        let manager = actor_with(vec![member(&alpha, role(Reach::Service, &[Permission::PersonExport]))]);
        let team_lead = actor_with(vec![member(&alpha, role(Reach::Team, &[Permission::PersonExport]))]);
        let reader = actor_with(vec![member(&alpha, role(Reach::Service, &[Permission::CaseRead]))]);
        assert!(manager.may_across_service(Permission::PersonExport, &alpha));
        assert!(!manager.may_across_service(Permission::PersonExport, &beta), "another service");
        assert!(!team_lead.may_across_service(Permission::PersonExport, &alpha), "not the whole service");
        assert!(!reader.may_across_service(Permission::PersonExport, &alpha));
        assert!(reader.is_member_of(&alpha) && !reader.is_member_of(&beta));
    }

    #[test]
    fn naming_admits_only_those_whose_reach_already_covers_the_case() {
        let service = code("alpha");
        let manager = actor_with(vec![member(&service, role_named("manager", Reach::Service, READER))]);
        let worker = actor_with(vec![member(&service, role_named("worker", Reach::Allocated, READER))]);
        let restriction = Restriction {
            level: RestrictionLevel::Restricted,
            users: [worker.user].into_iter().collect(),
            roles: BTreeSet::new(),
        };
        let case = scope(&service, &restriction, &[]);
        // Named, but the case is not allocated to them: still nothing.
        assert!(!worker.may(Permission::CaseRead, case));
        assert!(!worker.may_break_glass(case));
        // Reach without being named: not in, but may break glass.
        assert!(!manager.may(Permission::CaseRead, case));
        assert!(manager.may_break_glass(case));
        let allocated = CaseScope { worker: Some(worker.user), ..case };
        assert!(worker.may(Permission::CaseRead, allocated));
    }

    #[test]
    fn a_named_role_admits_whoever_holds_it_in_the_case_service() {
        let service = code("alpha");
        let other = code("beta");
        let manager = actor_with(vec![member(&service, role_named("manager", Reach::Service, READER))]);
        let elsewhere = actor_with(vec![
            member(&other, role_named("manager", Reach::Service, READER)),
            member(&service, role_named("clerk", Reach::Service, READER)),
        ]);
        let restriction = Restriction {
            level: RestrictionLevel::Shielded,
            users: BTreeSet::new(),
            roles: [code("manager")].into_iter().collect(),
        };
        let case = scope(&service, &restriction, &[]);
        assert!(manager.may(Permission::CaseRead, case));
        // Holding a role of that name in another service names nobody here.
        assert!(!elsewhere.may(Permission::CaseRead, case));
    }

    #[test]
    fn break_glass_admits_until_it_expires_and_never_on_a_shielded_case() {
        let service = code("alpha");
        let mut manager = actor_with(vec![member(&service, role_named("manager", Reach::Service, READER))]);
        let grants = [BreakGlassWindow { user: manager.user, reason: code("emergency"), until: at(4) }];
        let restricted = Restriction { level: RestrictionLevel::Restricted, ..Default::default() };
        let case = scope(&service, &restricted, &grants);
        assert!(manager.may(Permission::CaseRead, case));
        assert!(!manager.may_break_glass(case), "already in");
        assert_eq!(manager.broke_glass(case).map(|g| g.until), Some(at(4)));
        manager.as_of = at(4);
        assert!(!manager.may(Permission::CaseRead, case), "expired");
        assert!(manager.may_break_glass(case));

        manager.as_of = at(0);
        let shielded = Restriction { level: RestrictionLevel::Shielded, ..Default::default() };
        let case = scope(&service, &shielded, &grants);
        assert!(!manager.may(Permission::CaseRead, case));
        assert!(!manager.may_break_glass(case));
    }

    #[test]
    fn break_glass_needs_the_permission_and_never_widens_reach() {
        let service = code("alpha");
        let reader = actor_with(vec![member(&service, role(Reach::Service, &[Permission::CaseRead]))]);
        let restricted = Restriction { level: RestrictionLevel::Restricted, ..Default::default() };
        assert!(!reader.may_break_glass(scope(&service, &restricted, &[])));
        let grants = [BreakGlassWindow { user: reader.user, reason: code("emergency"), until: at(4) }];
        let case = scope(&service, &restricted, &grants);
        assert!(reader.may(Permission::CaseRead, case));
        assert!(!reader.may(Permission::CaseUpdate, case), "break-glass is no more than the role allows");
        assert!(!reader.may(Permission::CaseRead, case.lasting()), "a grant does not last");
    }

    fn arb_reach() -> impl Strategy<Value = Reach> {
        prop_oneof![Just(Reach::Service), Just(Reach::Team), Just(Reach::Allocated), Just(Reach::None)]
    }

    fn arb_level() -> impl Strategy<Value = RestrictionLevel> {
        prop_oneof![Just(RestrictionLevel::None), Just(RestrictionLevel::Restricted), Just(RestrictionLevel::Shielded)]
    }

    proptest! {
        /// The query filter and the per-case check must never disagree, or lists would show
        /// cases that cannot be opened (or hide ones that can).
        #[test]
        fn case_filter_agrees_with_may(
            reaches in proptest::collection::vec((arb_reach(), 0usize..2, 0usize..3, 0usize..2), 0..4),
            case_service in 0usize..2,
            case_team in proptest::option::of(0usize..3),
            allocated_to_actor in any::<bool>(),
            level in arb_level(),
            actor_named in any::<bool>(),
            named_roles in proptest::collection::btree_set(0usize..3, 0..3),
            // Hours from the actor's instant to the expiry of a grant for the actor (none,
            // or expired when not after it) and of one for someone else.
            own_grant in proptest::option::of(-3i64..3),
            others_grant in proptest::option::of(-3i64..3),
        ) {
            let services = [code("alpha"), code("beta")];
            let role_codes = ["manager", "worker", "clerk"];
            let teams = [TeamId::new(), TeamId::new(), TeamId::new()];
            let user = UserId::new();
            let memberships = reaches.iter().map(|(reach, s, t, r)| Membership {
                service: services[*s].clone(),
                role: role_named(role_codes[*r], *reach, &[Permission::CaseRead]),
                teams: [teams[*t]].into_iter().collect(),
            }).collect();
            let actor = Actor { user, username: "u".into(), administrator: false, memberships, as_of: at(0) };
            let worker = if allocated_to_actor { Some(user) } else { Some(UserId::new()) };
            let restriction = Restriction {
                level,
                users: if actor_named { [user, UserId::new()].into_iter().collect() } else { [UserId::new()].into_iter().collect() },
                roles: named_roles.iter().map(|r| code(role_codes[*r])).collect(),
            };
            let grants: Vec<BreakGlassWindow> = own_grant
                .map(|h| BreakGlassWindow { user, reason: code("emergency"), until: at(h) })
                .into_iter()
                .chain(others_grant.map(|h| BreakGlassWindow { user: UserId::new(), reason: code("emergency"), until: at(h) }))
                .collect();
            let scope = CaseScope {
                service: &services[case_service],
                team: case_team.map(|t| teams[t]),
                worker,
                restriction: &restriction,
                break_glass: &grants,
            };
            let by_filter = actor.case_filter(Permission::CaseRead).iter().any(|f| f.matches(scope));
            prop_assert_eq!(by_filter, actor.may(Permission::CaseRead, scope));
        }
    }
}
