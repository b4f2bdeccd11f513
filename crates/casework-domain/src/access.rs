//! Who may do what to which case. Deny by default: a user may act on a case only through
//! a role they hold in the case's service, whose permissions include the action and whose
//! reach covers the case (the whole service, the user's teams, or the cases allocated to
//! them). Holding a permission without reach to a case is the same as not holding it.

use crate::ids::{TeamId, UserId};
use crate::text::Code;
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
}

impl Permission {
    pub const ALL: [Permission; 23] = [
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

/// The facts about a case that decide who may see it.
#[derive(Debug, Clone, Copy)]
pub struct CaseScope<'a> {
    pub service: &'a Code,
    pub team: Option<TeamId>,
    pub worker: Option<UserId>,
}

/// A signed-in user with everything needed to decide access, loaded once per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    pub username: String,
    /// May manage user accounts and teams. Grants no access to case records by itself.
    pub administrator: bool,
    pub memberships: Vec<Membership>,
}

impl Actor {
    /// May this actor do `permission` to the case described by `scope`?
    pub fn may(&self, permission: Permission, scope: CaseScope<'_>) -> bool {
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
            .filter_map(|m| match m.role.reach {
                Reach::Service => Some(CaseFilter::WholeService { service: m.service.clone() }),
                Reach::Team => Some(CaseFilter::TeamsOrAllocated {
                    service: m.service.clone(),
                    teams: m.teams.iter().copied().collect(),
                    user: self.user,
                }),
                Reach::Allocated => Some(CaseFilter::Allocated { service: m.service.clone(), user: self.user }),
                Reach::None => None,
            })
            .collect()
    }
}

/// One disjunct of a visibility filter: a case matches when it matches any of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseFilter {
    WholeService { service: Code },
    TeamsOrAllocated { service: Code, teams: Vec<TeamId>, user: UserId },
    Allocated { service: Code, user: UserId },
}

impl CaseFilter {
    /// The service the rule is about.
    pub fn service(&self) -> &Code {
        match self {
            CaseFilter::WholeService { service }
            | CaseFilter::TeamsOrAllocated { service, .. }
            | CaseFilter::Allocated { service, .. } => service,
        }
    }

    /// The same rule evaluated in memory; the store's SQL must agree with it.
    pub fn matches(&self, scope: CaseScope<'_>) -> bool {
        match self {
            CaseFilter::WholeService { service } => service == scope.service,
            CaseFilter::TeamsOrAllocated { service, teams, user } => {
                service == scope.service && (scope.worker == Some(*user) || scope.team.is_some_and(|t| teams.contains(&t)))
            }
            CaseFilter::Allocated { service, user } => service == scope.service && scope.worker == Some(*user),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn role(reach: Reach, permissions: &[Permission]) -> Role {
        Role { code: Code::parse("r").unwrap(), name: "R".into(), permissions: permissions.iter().copied().collect(), reach }
    }

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    #[test]
    fn deny_by_default() {
        let actor = Actor { user: UserId::new(), username: "a".into(), administrator: true, memberships: vec![] };
        let service = code("dars");
        let scope = CaseScope { service: &service, team: None, worker: Some(actor.user) };
        for p in Permission::ALL {
            assert!(!actor.may(p, scope), "{p:?}");
        }
    }

    #[test]
    fn a_role_without_reach_sees_no_case_even_with_case_read() {
        let service = code("deanery");
        let actor = Actor {
            user: UserId::new(),
            username: "tpd".into(),
            administrator: false,
            memberships: vec![Membership {
                service: service.clone(),
                role: role(Reach::None, &[Permission::CaseRead, Permission::ReferralCreate]),
                teams: BTreeSet::new(),
            }],
        };
        let scope = CaseScope { service: &service, team: None, worker: Some(actor.user) };
        assert!(!actor.may(Permission::CaseRead, scope));
        assert!(actor.may_in_service(Permission::ReferralCreate, &service));
        assert!(actor.case_filter(Permission::CaseRead).is_empty());
    }

    fn arb_reach() -> impl Strategy<Value = Reach> {
        prop_oneof![Just(Reach::Service), Just(Reach::Team), Just(Reach::Allocated), Just(Reach::None)]
    }

    proptest! {
        /// The query filter and the per-case check must never disagree, or lists would show
        /// cases that cannot be opened (or hide ones that can).
        #[test]
        fn case_filter_agrees_with_may(
            reaches in proptest::collection::vec((arb_reach(), 0usize..2, 0usize..3), 0..4),
            case_service in 0usize..2,
            case_team in proptest::option::of(0usize..3),
            allocated_to_actor in any::<bool>(),
        ) {
            let services = [code("alpha"), code("beta")];
            let teams = [TeamId::new(), TeamId::new(), TeamId::new()];
            let user = UserId::new();
            let memberships = reaches.iter().map(|(reach, s, t)| Membership {
                service: services[*s].clone(),
                role: role(*reach, &[Permission::CaseRead]),
                teams: [teams[*t]].into_iter().collect(),
            }).collect();
            let actor = Actor { user, username: "u".into(), administrator: false, memberships };
            let worker = if allocated_to_actor { Some(user) } else { Some(UserId::new()) };
            let scope = CaseScope { service: &services[case_service], team: case_team.map(|t| teams[t]), worker };
            let by_filter = actor.case_filter(Permission::CaseRead).iter().any(|f| f.matches(scope));
            prop_assert_eq!(by_filter, actor.may(Permission::CaseRead, scope));
        }
    }
}
