//! Cases: opening, reading (every read is logged), work lists, and the commands that change
//! a case record. Commands name the version of the case they were based on; if someone
//! changed the case since, the command is refused and nothing is written.

use crate::idempotency::{parse_id, remember, replayed};
use crate::referrals::NewReferral;
use crate::{App, AppError, Idempotency, Result};
use casework_domain::FieldError;
use casework_domain::access::{Actor, Permission};
use casework_domain::case::{Case, CaseReference, CaseStatus, LinkKind};
use casework_domain::decision::Decision;
use casework_domain::history::{Change, Event, EventKind, Subject};
use casework_domain::ids::{CaseId, DecisionId, EventId, OrganisationId, PersonId, TeamId, UserId};
use casework_domain::person::{NewPerson, Person};
use casework_domain::referral::{Referral, ReferralOutcome};
use casework_domain::service::ServiceDefinition;
use casework_domain::text::{Code, LongText};
pub use casework_store::cases::{CaseQuery, CaseSummary};
use casework_store::{Connection, cases, decisions, events, people, referrals, users};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::json;

/// Level, worker and team to give a case as it opens or is (re)allocated.
#[derive(Debug, Clone, Default)]
pub struct Allocation {
    pub level: Option<Code>,
    pub worker: Option<UserId>,
    pub team: Option<TeamId>,
}

/// Who a directly opened case is for: someone already recorded, or someone new.
#[derive(Debug, Clone)]
pub enum CasePerson {
    Existing(PersonId),
    New(NewPerson),
}

/// A checked request to open a case directly (its referral is recorded as accepted at once).
#[derive(Debug, Clone)]
pub struct NewCase {
    pub person: CasePerson,
    pub referral: NewReferral,
    pub allocation: Allocation,
}

/// A case as shown to someone who may see it.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    #[serde(flatten)]
    pub case: Case,
    pub person: Person,
    /// Links other cases make to this one (e.g. its shadow cases).
    pub linked_from: Vec<IncomingLink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncomingLink {
    pub case: CaseId,
    pub kind: LinkKind,
}

/// A change to one of the case's own tables, beside the case record itself.
enum Extra {
    None,
    Flag(casework_domain::case::Flag),
    Unflag(Code),
    KeyDate(Code, Option<Date>),
    Link(casework_domain::case::CaseLink),
    AccessList,
}

impl App {
    /// The definition a case follows: the version it was opened under, or moved to.
    pub(crate) fn definition_of(&self, case: &Case) -> Result<std::sync::Arc<ServiceDefinition>> {
        self.services.version(&case.service, case.service_version).ok_or_else(|| {
            AppError::Internal(format!("version {} of service '{}' is not loaded", case.service_version, case.service))
        })
    }

    /// Loads a case the actor may see, or reports it as not found (or, for a restricted
    /// case they may open by break-glass, says that they may).
    pub(crate) async fn visible_case(&self, conn: &mut Connection, actor: &Actor, id: CaseId) -> Result<Case> {
        match cases::get(conn, id).await? {
            Some(case) if actor.may(Permission::CaseRead, case.scope()) => Ok(case),
            Some(case) if actor.may_break_glass(case.scope()) => Err(AppError::BreakGlassPossible),
            _ => Err(AppError::NotFound("case")),
        }
    }

    /// Could `user` keep seeing the case for good (break-glass aside)? Nobody may be given
    /// a case, or a task on it, that they cannot see.
    pub(crate) async fn could_keep(&self, user: UserId, case: &Case, permission: Permission) -> Result<bool> {
        Ok(self.actor(user).await?.is_some_and(|a| a.may(permission, case.scope().lasting())))
    }

    /// The case with this reference, when the actor may see it (a reference alone never
    /// reveals that a hidden case exists).
    pub async fn case_by_reference(&self, actor: &Actor, reference: &str) -> Result<Option<CaseId>> {
        let mut conn = self.store.read().await?;
        let Some(id) = cases::id_by_reference(&mut conn, reference.trim()).await? else { return Ok(None) };
        Ok(self.visible_case(&mut conn, actor, id).await.ok().map(|case| case.id))
    }

    /// The reference of a case the actor may see, to name it beside another (as a list
    /// would: naming a case is not reading its record, so nothing is logged).
    pub async fn case_reference(&self, actor: &Actor, id: CaseId) -> Result<Option<String>> {
        let mut conn = self.store.read().await?;
        Ok(self.visible_case(&mut conn, actor, id).await.ok().map(|case| case.reference.to_string()))
    }

    /// The service of a case the actor may see (naming it reads nothing of the record).
    pub async fn case_service(&self, actor: &Actor, id: CaseId) -> Result<Code> {
        let mut conn = self.store.read().await?;
        Ok(self.visible_case(&mut conn, actor, id).await?.service)
    }

    /// Loads a case the actor may see and checks they may do `permission` to it.
    pub(crate) async fn case_for(
        &self,
        conn: &mut Connection,
        actor: &Actor,
        id: CaseId,
        permission: Permission,
        what: &'static str,
    ) -> Result<Case> {
        let case = self.visible_case(conn, actor, id).await?;
        if actor.may(permission, case.scope()) { Ok(case) } else { Err(AppError::Forbidden(what)) }
    }

    /// Checks that a worker and team may carry a case of this service.
    async fn check_allocation(&self, conn: &mut Connection, service: &ServiceDefinition, allocation: &Allocation) -> Result<()> {
        if let Some(level) = &allocation.level
            && !service.has_level(level)
        {
            return Err(FieldError::new(
                "level",
                format!("'{level}' is not a {} of this service", service.service.level_label.to_lowercase()),
            )
            .into());
        }
        if let Some(team) = allocation.team {
            match users::get_team(conn, team).await? {
                Some(t) if &t.service == service.code() => {}
                _ => return Err(FieldError::new("team", "no such team in this service").into()),
            }
        }
        if let Some(worker) = allocation.worker {
            let may_carry = match self.actor(worker).await? {
                Some(w) => w
                    .memberships
                    .iter()
                    .any(|m| &m.service == service.code() && m.role.permissions.contains(&Permission::CaseRead)),
                None => false,
            };
            if !may_carry {
                return Err(FieldError::new("worker", "this user cannot hold cases in this service").into());
            }
        }
        Ok(())
    }

    /// Opens the case for an accepted referral (the caller records the referral's outcome).
    pub(crate) async fn insert_case(
        &self,
        conn: &mut Connection,
        actor: &Actor,
        service: &ServiceDefinition,
        referral: &Referral,
        allocation: Allocation,
        now: Timestamp,
    ) -> Result<Case> {
        self.check_allocation(conn, service, &allocation).await?;
        let year = casework_domain::time::day_of(now).year();
        let number = cases::next_reference_number(conn, service.code(), year).await?;
        let case = Case {
            id: CaseId::new(),
            reference: CaseReference::new(&service.service.reference_prefix, year, number),
            service: service.code().clone(),
            service_version: self.services.current_version(service.code()),
            person: referral.person,
            referral: referral.id,
            stage: service.initial_stage.clone(),
            level: allocation.level,
            status: CaseStatus::Open,
            worker: allocation.worker,
            team: allocation.team,
            flags: Vec::new(),
            key_dates: Default::default(),
            links: Vec::new(),
            opened_at: now,
            version: 1,
            restriction: Default::default(),
            break_glass: Vec::new(),
        };
        cases::insert(conn, &case).await?;
        let change = Change::new(
            EventKind::CaseOpened,
            Subject::Case(case.id),
            json!(null),
            json!({ "reference": case.reference, "referral": referral.id, "stage": case.stage, "level": case.level,
                    "worker": case.worker, "team": case.team }),
        );
        self.record(conn, actor, Some(case.id), [change], now).await?;
        // Deadlines that run from the referral count from when it was received, not from now.
        let received = [casework_domain::timer::CaseEvent::ReferralReceived];
        self.react_to_events(conn, actor.user, case.id, &received, referral.received_at).await?;
        Ok(case)
    }

    /// Opens a case directly: records the person if new, the referral as accepted, and the
    /// case, all in one transaction.
    pub async fn open_case(&self, actor: &Actor, new: NewCase, idempotency: Option<&Idempotency>) -> Result<CaseView> {
        let service = self
            .services
            .get(&new.referral.service)
            .cloned()
            .ok_or_else(|| FieldError::new("service", format!("there is no service '{}'", new.referral.service)))?;
        if !actor.may_in_service(Permission::CaseCreate, service.code()) {
            return Err(AppError::Forbidden("open cases in this service"));
        }
        if matches!(new.person, CasePerson::New(_)) && !actor.may_in_service(Permission::PersonWrite, service.code()) {
            return Err(AppError::Forbidden("record people in this service"));
        }
        // Whoever opens a case must be able to see it afterwards, or the case would vanish
        // from under them: say so before anything is written.
        let unrestricted = casework_domain::access::Restriction::default();
        let scope = casework_domain::access::CaseScope {
            service: service.code(),
            team: new.allocation.team,
            worker: new.allocation.worker,
            restriction: &unrestricted,
            break_glass: &[],
        };
        if !actor.may(Permission::CaseRead, scope) {
            return Err(FieldError::new(
                "worker",
                "you would not be able to see this case: allocate it to yourself or to one of your teams",
            )
            .into());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let case_id = match replayed(&mut tx, actor, idempotency).await? {
            Some(id) => parse_id::<CaseId>(&id)?,
            None => {
                let person = match &new.person {
                    CasePerson::Existing(id) => *id,
                    CasePerson::New(person) => {
                        self.insert_person(&mut tx, actor, person, now).await.map_err(|e| within(e, "person"))?
                    }
                };
                let referral_request = NewReferral { person, ..new.referral.clone() };
                let mut referral = self.insert_referral(&mut tx, actor, &referral_request, service.code(), now).await?;
                crate::forms::require_valid(&service, &referral.forms)?;
                let case = self.insert_case(&mut tx, actor, &service, &referral, new.allocation.clone(), now).await?;
                let outcome = ReferralOutcome::Accepted { case: case.id, by: actor.user, at: now };
                referral.decide(outcome).map_err(|e| AppError::Conflict(e.to_string()))?;
                referrals::record_outcome(&mut tx, referral.id, &referral.outcome).await?;
                let change = Change::new(
                    EventKind::ReferralAccepted,
                    Subject::Referral(referral.id),
                    json!({ "outcome": "pending" }),
                    json!(referral.outcome),
                );
                self.record(&mut tx, actor, Some(case.id), [change], now).await?;
                remember(&mut tx, actor, idempotency, &case.id.to_string(), now).await?;
                case.id
            }
        };
        let view = self.case_view(&mut tx, actor, case_id, now).await?;
        tx.commit().await?;
        Ok(view)
    }

    async fn case_view(&self, conn: &mut Connection, actor: &Actor, id: CaseId, now: Timestamp) -> Result<CaseView> {
        let case = self.visible_case(conn, actor, id).await?;
        let person = people::get(conn, case.person).await?.ok_or(AppError::NotFound("person"))?;
        let linked_from = cases::links_to(conn, id).await?.into_iter().map(|(case, kind)| IncomingLink { case, kind }).collect();
        events::log_access(conn, actor.user, id, "case", now).await?;
        Ok(CaseView { case, person, linked_from })
    }

    /// A case record. The view is logged before it is returned; if the log cannot be
    /// written, nothing is shown.
    pub async fn get_case(&self, actor: &Actor, id: CaseId) -> Result<CaseView> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let view = self.case_view(&mut tx, actor, id, now).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Logs that the actor read part of a case (notes, history…) after checking they may.
    pub(crate) async fn log_read(&self, actor: &Actor, id: CaseId, permission: Permission, what: &'static str) -> Result<Case> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let case = self.case_for(&mut tx, actor, id, permission, "read this part of the case").await?;
        events::log_access(&mut tx, actor.user, id, what, now).await?;
        tx.commit().await?;
        Ok(case)
    }

    /// A work list: the cases matching the query that the actor may see, and no others.
    pub async fn list_cases(&self, actor: &Actor, query: &CaseQuery) -> Result<Vec<CaseSummary>> {
        let visible = actor.case_filter(Permission::CaseRead);
        let mut conn = self.store.read().await?;
        let rows = cases::list(&mut conn, query, &visible).await?;
        drop(conn);
        self.log_search_results(actor, query, &rows).await?;
        Ok(rows)
    }

    /// A search by name or reference says who turned up, so each case it returned is in
    /// the access log ("search") before the results are shown; if the log cannot be
    /// written, no results are. Plain work lists are not searches and are not logged.
    pub(crate) async fn log_search_results(&self, actor: &Actor, query: &CaseQuery, rows: &[CaseSummary]) -> Result<()> {
        if query.prefix.is_none() || rows.is_empty() {
            return Ok(());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        for row in rows {
            events::log_access(&mut tx, actor.user, row.id, "search", now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The shared shape of every command on a case record.
    async fn change_case(
        &self,
        actor: &Actor,
        id: CaseId,
        seen_version: i64,
        permission: Permission,
        what: &'static str,
        command: impl FnOnce(&mut Case, &ServiceDefinition, Timestamp) -> Result<(Change, Extra)>,
    ) -> Result<Case> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut case = self.case_for(&mut tx, actor, id, permission, what).await?;
        case.check_version(seen_version)?;
        let service = self.definition_of(&case)?;
        let (change, extra) = command(&mut case, &service, now)?;
        match extra {
            Extra::None => {}
            Extra::Flag(flag) => cases::insert_flag(&mut tx, id, &flag).await?,
            Extra::Unflag(code) => cases::delete_flag(&mut tx, id, &code).await?,
            Extra::KeyDate(code, date) => cases::set_key_date(&mut tx, id, &code, date).await?,
            Extra::Link(link) => cases::insert_link(&mut tx, id, &link).await?,
            Extra::AccessList => cases::set_access_list(&mut tx, id, &case.restriction).await?,
        }
        if !cases::update_record(&mut tx, &case, seen_version, now).await? {
            return Err(AppError::Conflict("the case was changed by someone else; reload it and try again".into()));
        }
        self.record(&mut tx, actor, Some(id), [change], now).await?;
        let saved = cases::get(&mut tx, id).await?.ok_or(AppError::NotFound("case"))?;
        tx.commit().await?;
        Ok(saved)
    }

    pub async fn allocate_case(
        &self,
        actor: &Actor,
        id: CaseId,
        seen_version: i64,
        worker: Option<UserId>,
        team: Option<TeamId>,
    ) -> Result<Case> {
        {
            let mut conn = self.store.read().await?;
            let case = self.case_for(&mut conn, actor, id, Permission::CaseAllocate, "allocate this case").await?;
            let service = self.definition_of(&case)?;
            self.check_allocation(&mut conn, &service, &Allocation { level: None, worker, team }).await?;
            let allocated = Case { worker, team, ..case };
            if let Some(worker) = worker
                && !self.could_keep(worker, &allocated, Permission::CaseRead).await?
            {
                return Err(FieldError::new("worker", "this user may not see this restricted case: name them on it first").into());
            }
        }
        self.change_case(actor, id, seen_version, Permission::CaseAllocate, "allocate this case", |case, _, _| {
            Ok((case.allocate(worker, team)?, Extra::None))
        })
        .await
    }

    /// Allocates several cases of a service to one worker in one transaction: each case
    /// as `allocate_case` would (same command, same history), keeping its team. If any
    /// case cannot be allocated (not visible, not allowed, closed, or changed since the
    /// version the caller saw) nothing is written and every such case is named.
    pub async fn allocate_cases(
        &self,
        actor: &Actor,
        service: &Code,
        selected: &[(CaseId, i64)],
        worker: UserId,
    ) -> Result<usize> {
        if !actor.may_in_service(Permission::CaseAllocate, service) {
            return Err(AppError::Forbidden("allocate cases in this service"));
        }
        let definition = self.services.get(service).cloned().ok_or(AppError::NotFound("service"))?;
        if selected.is_empty() {
            return Err(FieldError::new("cases", "Select the cases to allocate").into());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.check_allocation(&mut tx, &definition, &Allocation { level: None, worker: Some(worker), team: None }).await?;
        let mut problems = casework_domain::Invalid::new();
        let mut problem = |message: String| problems.push(FieldError::new("cases", message));
        for &(id, seen_version) in selected {
            let mut case = match cases::get(&mut tx, id).await? {
                Some(case) if &case.service == service && actor.may(Permission::CaseRead, case.scope()) => case,
                _ => {
                    problem("One of the selected cases was not found, or you may not see it".into());
                    continue;
                }
            };
            if !actor.may(Permission::CaseAllocate, case.scope()) {
                problem(format!("You may not allocate {}", case.reference));
                continue;
            }
            if case.check_version(seen_version).is_err() {
                problem(format!("{} was changed by someone else since the list was shown", case.reference));
                continue;
            }
            let team = case.team;
            let change = match case.allocate(Some(worker), team) {
                Ok(change) => change,
                Err(error) => {
                    let message = match AppError::from(error) {
                        AppError::Invalid(invalid) => invalid.errors.first().map(|e| e.message.clone()).unwrap_or_default(),
                        other => other.to_string(),
                    };
                    problem(format!("{}: {message}", case.reference));
                    continue;
                }
            };
            if !self.could_keep(worker, &case, Permission::CaseRead).await? {
                problem(format!("{}: the worker may not see this restricted case", case.reference));
                continue;
            }
            if !cases::update_record(&mut tx, &case, seen_version, now).await? {
                problem(format!("{} was changed by someone else since the list was shown", case.reference));
                continue;
            }
            self.record(&mut tx, actor, Some(id), [change], now).await?;
        }
        if !problems.is_empty() {
            // Dropping the transaction rolls back the cases already allocated.
            return Err(problems.into());
        }
        tx.commit().await?;
        Ok(selected.len())
    }

    /// Sets the case's restriction and access list; `restrict_case` checks who would lose it first.
    pub(crate) async fn change_case_restriction(
        &self,
        actor: &Actor,
        id: CaseId,
        seen_version: i64,
        restriction: casework_domain::access::Restriction,
    ) -> Result<Case> {
        self.change_case(actor, id, seen_version, Permission::CaseRestrict, "restrict this case", |case, service, _| {
            Ok((case.restrict(service, restriction)?, Extra::AccessList))
        })
        .await
    }

    pub async fn move_case_to_stage(&self, actor: &Actor, id: CaseId, seen_version: i64, stage: Code) -> Result<Case> {
        self.change_case(actor, id, seen_version, Permission::CaseUpdate, "change this case", |case, service, _| {
            Ok((case.move_to_stage(service, stage)?, Extra::None))
        })
        .await
    }

    pub async fn set_case_level(&self, actor: &Actor, id: CaseId, seen_version: i64, level: Option<Code>) -> Result<Case> {
        self.change_case(actor, id, seen_version, Permission::CaseUpdate, "change this case", |case, service, _| {
            Ok((case.set_level(service, level)?, Extra::None))
        })
        .await
    }

    pub async fn set_case_flag(&self, actor: &Actor, id: CaseId, seen_version: i64, flag: Code) -> Result<Case> {
        let by = actor.user;
        self.change_case(actor, id, seen_version, Permission::CaseUpdate, "change this case", |case, service, now| {
            let change = case.set_flag(service, flag.clone(), by, now)?;
            let set =
                case.flags.iter().find(|f| f.code == flag).cloned().ok_or_else(|| AppError::Internal("flag vanished".into()))?;
            Ok((change, Extra::Flag(set)))
        })
        .await
    }

    pub async fn remove_case_flag(&self, actor: &Actor, id: CaseId, seen_version: i64, flag: Code) -> Result<Case> {
        self.change_case(actor, id, seen_version, Permission::CaseUpdate, "change this case", |case, _, _| {
            Ok((case.remove_flag(&flag)?, Extra::Unflag(flag)))
        })
        .await
    }

    pub async fn set_case_key_date(
        &self,
        actor: &Actor,
        id: CaseId,
        seen_version: i64,
        key_date: Code,
        date: Option<Date>,
    ) -> Result<Case> {
        self.change_case(actor, id, seen_version, Permission::CaseUpdate, "change this case", |case, service, _| {
            Ok((case.set_key_date(service, key_date.clone(), date)?, Extra::KeyDate(key_date, date)))
        })
        .await
    }

    /// Links the case to another case the actor may also see.
    pub async fn link_case(&self, actor: &Actor, id: CaseId, seen_version: i64, kind: LinkKind, other: CaseId) -> Result<Case> {
        {
            let mut conn = self.store.read().await?;
            if self.visible_case(&mut conn, actor, other).await.is_err() {
                return Err(FieldError::new("case", "no such case").into());
            }
        }
        let by = actor.user;
        self.change_case(actor, id, seen_version, Permission::CaseUpdate, "change this case", |case, _, now| {
            let change = case.link(kind, other, by, now)?;
            let link = case.links.last().cloned().ok_or_else(|| AppError::Internal("link vanished".into()))?;
            Ok((change, Extra::Link(link)))
        })
        .await
    }

    pub async fn close_case(&self, actor: &Actor, id: CaseId, seen_version: i64, reason: Code) -> Result<Case> {
        let by = actor.user;
        let forms_done: Vec<Code> = {
            let mut conn = self.store.read().await?;
            casework_store::forms::for_case(&mut conn, id, None, i64::MAX).await?.into_iter().map(|s| s.form.form).collect()
        };
        self.change_case(actor, id, seen_version, Permission::CaseClose, "close this case", |case, service, now| {
            Ok((case.close(service, reason, by, now, &forms_done)?, Extra::None))
        })
        .await
    }

    pub async fn reopen_case(&self, actor: &Actor, id: CaseId, seen_version: i64, why: LongText) -> Result<Case> {
        self.change_case(actor, id, seen_version, Permission::CaseReopen, "reopen this case", |case, _, _| {
            Ok((case.reopen(&why)?, Extra::None))
        })
        .await
    }

    /// The case's history, oldest first. Reading it is logged.
    pub async fn case_history(&self, actor: &Actor, id: CaseId, after: Option<EventId>, limit: i64) -> Result<Vec<Event>> {
        self.log_read(actor, id, Permission::HistoryRead, "history").await?;
        let mut conn = self.store.read().await?;
        Ok(events::for_case(&mut conn, id, after, limit).await?)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn record_decision(
        &self,
        actor: &Actor,
        id: CaseId,
        outcome: Code,
        body: Option<OrganisationId>,
        reason_list: Code,
        reason: Code,
        rationale: Option<LongText>,
        idempotency: Option<&Idempotency>,
    ) -> Result<Decision> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let case = self.case_for(&mut tx, actor, id, Permission::DecisionRecord, "record decisions on this case").await?;
        if let Some(previous) = replayed(&mut tx, actor, idempotency).await? {
            return crate::idempotency::answer_replay(decisions::get(&mut tx, parse_id(&previous)?).await?, tx, "decision").await;
        }
        if !case.is_open() {
            return Err(FieldError::new("", "the case is closed; reopen it to record decisions").into());
        }
        if let Some(body) = body
            && people::get_organisation(&mut tx, body).await?.is_none()
        {
            return Err(FieldError::new("body", "no such organisation").into());
        }
        let service = self.definition_of(&case)?;
        let (decision, change) = Decision::record(&service, id, outcome, body, reason_list, reason, rationale, actor.user, now)?;
        decisions::insert(&mut tx, &decision).await?;
        self.record(&mut tx, actor, Some(id), [change], now).await?;
        remember(&mut tx, actor, idempotency, &decision.id.to_string(), now).await?;
        tx.commit().await?;
        Ok(decision)
    }

    pub async fn case_decisions(
        &self,
        actor: &Actor,
        id: CaseId,
        after: Option<DecisionId>,
        limit: i64,
    ) -> Result<Vec<Decision>> {
        self.log_read(actor, id, Permission::CaseRead, "decisions").await?;
        let mut conn = self.store.read().await?;
        Ok(decisions::list(&mut conn, id, after, limit).await?)
    }

    /// The referral behind a case, for whoever may see the case.
    pub async fn case_referral(&self, actor: &Actor, id: CaseId) -> Result<Referral> {
        let case = self.log_read(actor, id, Permission::CaseRead, "referral").await?;
        let mut conn = self.store.read().await?;
        referrals::get(&mut conn, case.referral).await?.ok_or(AppError::NotFound("referral"))
    }
}

/// Reports the errors of a nested input under its field name.
fn within(error: AppError, prefix: &str) -> AppError {
    match error {
        AppError::Invalid(invalid) => {
            let mut nested = casework_domain::Invalid::new();
            nested.absorb(prefix, invalid);
            AppError::Invalid(nested)
        }
        other => other,
    }
}

/// What the allocation page of a case offers.
#[derive(Debug, Clone)]
pub struct AllocationChoices {
    pub case: Case,
    pub person_name: String,
    pub holders: Vec<crate::work_lists::CaseHolder>,
    pub teams: Vec<casework_domain::user::Team>,
}

impl App {
    /// The case, whom it can be allocated to (with their open caseloads) and the service's
    /// teams, for someone who may allocate it. Logged as a read of the case.
    pub async fn allocation_choices(&self, actor: &Actor, id: CaseId) -> Result<AllocationChoices> {
        let case = self.log_read(actor, id, Permission::CaseAllocate, "allocation").await?;
        let holders = self.case_holders_with_caseloads(actor, &case.service).await?;
        let mut conn = self.store.read().await?;
        let person = people::get(&mut conn, case.person).await?.ok_or(AppError::NotFound("person"))?;
        let mut teams = Vec::new();
        let mut after = None;
        loop {
            let page = users::list_teams(&mut conn, after, 500).await?;
            after = page.last().map(|t| t.id);
            let full = page.len() == 500;
            teams.extend(page.into_iter().filter(|t| t.service == case.service));
            if !full {
                break;
            }
        }
        Ok(AllocationChoices { case, person_name: person.display_name(), holders, teams })
    }
}
