//! Demonstration data for the five reference services: an administrator, one user for every
//! role of every service, teams, and for each service invented people, organisations,
//! referrals and cases that follow the service's own process (see `services/*.toml`).
//!
//! Everything is made through the use cases, acting as the demo users themselves, so every
//! record and its history reads as if staff had done the work, and every rule (permissions,
//! allowed stage moves, reason lists) is checked as it would be for them.
//!
//! Nobody here is a real person: names are invented, NHS numbers come from the 999 range
//! that is never issued (with a valid check digit), and the organisations are made up.
//!
//! The clock cannot be turned back, so every record is made now; what happened earlier is
//! carried by the dates the use cases take (when a referral was received, when a contact
//! took place, key dates). Notes about earlier contacts are therefore late entries.

use crate::cases::{Allocation, CasePerson, NewCase};
use crate::referrals::{Decision as ReferralDecision, NewReferral};
use crate::tasks::TaskCommand;
use crate::users::{NewUser, system_actor};
use crate::{App, AppError, Result};
use casework_domain::access::Actor;
use casework_domain::case::LinkKind;
use casework_domain::document::{DocumentInput, PaperInput};
use casework_domain::ids::{CaseId, NoteId, OrganisationId, PersonId, ReferralId, TaskId, TeamId, UserId};
use casework_domain::note::NoteKind;
use casework_domain::person::{IdentifierKind, NewPerson, OrganisationKind, RelationshipKind, nhs_number_is_valid};
use casework_domain::referral::ReferralSource;
use casework_domain::task::Assignee;
use casework_domain::text::{Code, LongText, ShortText};
use jiff::civil::{Date, Time};
use jiff::{Span, Timestamp};
use std::collections::BTreeMap;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-password-2026";

/// A demo account, for telling people how to sign in. The administrator has no service and
/// the role `administrator`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    pub username: String,
    pub display_name: String,
    pub service: String,
    pub role: String,
}

/// What [`populate`] made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub users: Vec<DemoUser>,
    pub cases: usize,
    pub referrals: usize,
    /// Notes and addenda.
    pub notes: usize,
}

/// Fills a fresh database (migrated, services registered) with the demo accounts and data.
/// Services that are not loaded are left out; running it twice fails (usernames are taken).
pub async fn populate(app: &App) -> Result<DemoSummary> {
    let system = system_actor();
    let mut users = Vec::new();
    let mut ids = BTreeMap::new();

    let admin = NewUser::parse("admin", ADMINISTRATOR_NAME, DEMO_PASSWORD, true)?;
    app.create_user(&system, admin).await?;
    users.push(DemoUser {
        username: "admin".into(),
        display_name: ADMINISTRATOR_NAME.into(),
        service: String::new(),
        role: "administrator".into(),
    });

    for definition in app.services.all() {
        for role in &definition.roles {
            let username = format!("{}.{}", definition.code(), role.code);
            let display_name = display_name(&username).map_or_else(|| format!("{} (demo)", role.name), str::to_owned);
            let account = app.create_user(&system, NewUser::parse(&username, &display_name, DEMO_PASSWORD, false)?).await?;
            app.grant_role(&system, account.id, definition.code(), &role.code).await?;
            ids.insert(username.clone(), account.id);
            users.push(DemoUser { username, display_name, service: definition.code().to_string(), role: role.code.to_string() });
        }
    }

    let demos: Vec<&ServiceDemo> =
        SERVICES.iter().filter(|d| Code::parse(d.service).is_ok_and(|c| app.services.get(&c).is_some())).collect();

    let mut teams = BTreeMap::new();
    for demo in &demos {
        let service = Code::parse(demo.service)?;
        for (name, members) in demo.teams {
            let team = app.create_team(&system, &service, name).await?;
            for role in *members {
                let user = ids.get(&format!("{}.{role}", demo.service)).copied().ok_or_else(|| missing("user", role))?;
                app.add_team_member(&system, team.id, user).await?;
            }
            teams.insert(format!("{}/{name}", demo.service), team.id);
        }
    }

    let mut actors = BTreeMap::new();
    for (username, id) in &ids {
        let actor = app.actor(*id).await?.ok_or_else(|| missing("actor", username))?;
        actors.insert(username.clone(), actor);
    }

    let now = app.now();
    let mut seeder = Seeder {
        app,
        now,
        today: casework_domain::time::day_of(now),
        service: "",
        actors,
        teams,
        organisations: BTreeMap::new(),
        cases: BTreeMap::new(),
        counts: Counts::default(),
    };
    for demo in demos {
        seeder.service(demo).await?;
    }
    for spec in SUBJECT_ACCESS {
        seeder
            .subject_access(spec)
            .await
            .map_err(|e| internal(format!("demo subject access request about '{}': {e}", spec.case)))?;
    }
    Ok(DemoSummary { users, cases: seeder.counts.cases, referrals: seeder.counts.referrals, notes: seeder.counts.notes })
}

// ---------------------------------------------------------------------------------------
// The shape of the demo data
// ---------------------------------------------------------------------------------------

/// One service's demo data. Roles are named by their code in the service; the user holding
/// a role is `<service>.<role>`.
#[derive(Debug)]
struct ServiceDemo {
    service: &'static str,
    /// The role that records the people and organisations.
    recorder: &'static str,
    teams: &'static [(&'static str, &'static [&'static str])],
    organisations: &'static [(&'static str, &'static str, OrganisationKind)],
    cases: &'static [CaseSpec],
    /// Referrals that did not (or not yet) become a case.
    referrals: &'static [ReferralOnly],
}

#[derive(Debug)]
enum Id {
    Gmc(&'static str),
    /// A 9-digit stem; the first valid NHS number from it (check digit appended) is used.
    Nhs(u32),
    Prison(&'static str),
    External(&'static str),
}

#[derive(Debug)]
struct PersonSpec {
    given: &'static str,
    family: &'static str,
    known_as: Option<&'static str>,
    /// Age in years and birthday (month, day); the date of birth follows from today.
    born: Option<(i16, i8, i8)>,
    ids: &'static [Id],
    /// People around them: how related, given name, family name.
    related: &'static [(RelationshipKind, &'static str, &'static str)],
}

const fn person(given: &'static str, family: &'static str, born: (i16, i8, i8), ids: &'static [Id]) -> PersonSpec {
    PersonSpec { given, family, known_as: None, born: Some(born), ids, related: &[] }
}

/// Who a case or referral is about.
#[derive(Debug)]
enum Who {
    New(PersonSpec),
    /// The person of an earlier case (by its key).
    SameAs(&'static str),
}

#[derive(Debug)]
struct Ref {
    by: &'static str,
    source: ReferralSource,
    days_ago: i64,
    summary: &'static str,
    forms: &'static [(&'static str, &'static [(&'static str, &'static str)])],
}

const fn referral(by: &'static str, source: ReferralSource, days_ago: i64, summary: &'static str) -> Ref {
    Ref { by, source, days_ago, summary, forms: &[] }
}

/// What became of a referral that did not open a case.
#[derive(Debug)]
enum Outcome {
    Pending,
    Reject { by: &'static str, reason: &'static str, why: &'static str },
    File { by: &'static str, why: &'static str },
}

#[derive(Debug)]
struct ReferralOnly {
    who: Who,
    /// Referrals in order; each after the first re-makes the one before it.
    chain: &'static [(Ref, Outcome)],
}

/// How the case is opened: its referral accepted by a role, or opened directly by the
/// referral's author.
#[derive(Debug)]
enum Open {
    Decided(&'static str),
    Direct,
}

#[derive(Debug)]
struct CaseSpec {
    /// For links and for later referrals about the same person.
    key: &'static str,
    who: Who,
    /// Earlier referrals of the person (declined or filed) that this one re-makes.
    earlier: &'static [(Ref, Outcome)],
    referral: Ref,
    open: Open,
    level: Option<&'static str>,
    worker: Option<&'static str>,
    team: Option<&'static str>,
    /// What happens to the case, in order. The first actor is whoever opened it.
    steps: &'static [Step],
}

#[derive(Debug)]
enum Step {
    /// The following steps are done by this role.
    As(&'static str),
    Move(&'static str),
    Level(&'static str),
    Flag(&'static str),
    /// A key date, in days from today (negative: in the past).
    Date(&'static str, i64),
    /// Worker role and team name (either may be none).
    Allocate(Option<&'static str>, Option<&'static str>),
    /// A note about a contact this many days ago (0: just now).
    Note(NoteKind, i64, &'static str),
    /// An addendum to the last note written on the case.
    Addendum(&'static str),
    Task(T),
    /// Ends the last task created on the case (by the current actor).
    EndTask(End),
    Decide(D),
    Link(LinkKind, &'static str),
    /// A form filled in on the case: code and answers.
    Form(&'static str, &'static [(&'static str, &'static str)]),
    Close(&'static str),
    Reopen(&'static str),
    /// Restricts the case: "restricted" or "shielded", the roles of the demo users named on
    /// it, and the roles named.
    Restrict(&'static str, &'static [&'static str], &'static [&'static str]),
    /// Consent to share: who gave it, who they are to the person, what, with whom; written.
    Consent(&'static str, &'static str, &'static str, &'static str),
    /// Withdraws the last consent recorded on the case, for this reason.
    WithdrawConsent(&'static str),
    Disclose(Di),
    /// A document uploaded (as a small PDF holding the text): title, classification,
    /// third-party material or not, and its text.
    Document(&'static str, &'static str, bool, &'static str),
    /// A redacted copy of the last document uploaded on the case: title and text.
    Redacted(&'static str, &'static str),
    /// A paper document: title, where it is kept, received this many days ago.
    Paper(&'static str, &'static str, i64),
}

/// A disclosure: kind, organisation, how sent, what, the basis and why.
#[derive(Debug)]
struct Di {
    kind: &'static str,
    to: &'static str,
    how: &'static str,
    what: &'static str,
    basis: DemoBasis,
    why: &'static str,
}

#[derive(Debug)]
enum DemoBasis {
    /// The last consent recorded on the case.
    LastConsent,
    Statutory(&'static str),
}

/// A task: title, assignee, due in days from today, and how it ends.
#[derive(Debug)]
struct T {
    title: &'static str,
    to: To,
    due: Option<i64>,
    end: End,
}

#[derive(Debug)]
enum To {
    /// The current actor.
    Me,
    User(&'static str),
    Role(&'static str),
    Queue(&'static str),
}

#[derive(Debug)]
enum End {
    Open,
    Done(&'static str),
    Cancel(&'static str),
    Reassign(To, Option<i64>),
}

/// A decision: outcome, the body it is about (organisation key), reason list, reason, why.
#[derive(Debug)]
struct D {
    outcome: &'static str,
    body: Option<&'static str>,
    list: &'static str,
    reason: &'static str,
    why: &'static str,
}

/// A subject access request about the person of a demo case, recorded by `handler` (a role
/// with `person.export` across the service).
#[derive(Debug)]
struct SubjectAccessSpec {
    service: &'static str,
    case: &'static str,
    handler: &'static str,
    received_days_ago: i64,
    /// When identity was confirmed; none while it is still awaited.
    identity_days_ago: Option<i64>,
    representative: Option<&'static str>,
    details: &'static str,
    include_access_log: bool,
}

/// One request whose response is due within the week, and one awaiting proof of identity.
const SUBJECT_ACCESS: &[SubjectAccessSpec] = &[
    SubjectAccessSpec {
        service: "deanery",
        case: "hartley",
        handler: "deputy-dean",
        received_days_ago: 26,
        identity_days_ago: Some(26),
        representative: None,
        details: "A copy of everything the deanery holds about me and my support since the incident on the ward, \
                  and who has looked at it.",
        include_access_log: true,
    },
    SubjectAccessSpec {
        service: "recovery",
        case: "dawson",
        handler: "service-manager",
        received_days_ago: 3,
        identity_days_ago: None,
        representative: Some("Priya Shah, solicitor at Shah & Co, with Mr Dawson's signed authority"),
        details: "All records of Mr Dawson's contact with the recovery service during this sentence.",
        include_access_log: false,
    },
];

// ---------------------------------------------------------------------------------------
// Making it
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Counts {
    cases: usize,
    referrals: usize,
    notes: usize,
}

/// Where a case's steps have got to.
#[derive(Debug)]
struct CaseState {
    id: CaseId,
    version: i64,
    by: &'static str,
    last_note: Option<NoteId>,
    last_task: Option<(TaskId, i64)>,
    last_consent: Option<casework_domain::ids::ConsentId>,
    last_document: Option<casework_domain::ids::DocumentId>,
}

#[derive(Debug)]
struct Seeder<'a> {
    app: &'a App,
    now: Timestamp,
    today: Date,
    /// The service being populated.
    service: &'static str,
    actors: BTreeMap<String, Actor>,
    /// By "service/name".
    teams: BTreeMap<String, TeamId>,
    organisations: BTreeMap<&'static str, OrganisationId>,
    cases: BTreeMap<&'static str, (CaseId, PersonId)>,
    counts: Counts,
}

fn missing(what: &str, name: &str) -> AppError {
    AppError::Internal(format!("demo data: no {what} '{name}'"))
}

fn internal(error: impl std::fmt::Display) -> AppError {
    AppError::Internal(error.to_string())
}

fn code(raw: &str) -> Result<Code> {
    Ok(Code::parse(raw)?)
}

fn long(raw: &str) -> Result<LongText> {
    Ok(LongText::parse(raw)?)
}

/// The first valid NHS number at or after `stem` (9 digits), with its check digit.
fn nhs_number(stem: u32) -> Result<String> {
    (stem..stem.saturating_add(20))
        .flat_map(|s| (0..10).map(move |check| format!("{s:09}{check}")))
        .find(|candidate| nhs_number_is_valid(candidate))
        .ok_or_else(|| internal(format!("no valid NHS number near {stem}")))
}

impl Seeder<'_> {
    fn actor(&self, role: &str) -> Result<&Actor> {
        let username = format!("{}.{role}", self.service);
        self.actors.get(&username).ok_or_else(|| missing("user", &username))
    }

    fn user(&self, role: &str) -> Result<UserId> {
        Ok(self.actor(role)?.user)
    }

    fn team(&self, name: &str) -> Result<TeamId> {
        self.teams.get(&format!("{}/{name}", self.service)).copied().ok_or_else(|| missing("team", name))
    }

    fn organisation(&self, key: &str) -> Result<OrganisationId> {
        self.organisations.get(key).copied().ok_or_else(|| missing("organisation", key))
    }

    fn case(&self, key: &str) -> Result<(CaseId, PersonId)> {
        self.cases.get(key).copied().ok_or_else(|| missing("case", key))
    }

    /// The date `offset` days from today.
    fn day(&self, offset: i64) -> Result<Date> {
        self.today.checked_add(Span::new().try_days(offset).map_err(internal)?).map_err(internal)
    }

    /// A time during the working day `days_ago` days back (never later than now); `salt`
    /// varies the hour so that records do not all share one time.
    fn at(&self, days_ago: i64, salt: usize) -> Result<Timestamp> {
        let hour = i8::try_from(9 + salt % 8).unwrap_or(10);
        let minute = i8::try_from((salt * 7) % 60).unwrap_or(0);
        let time = Time::new(hour, minute, 0, 0).map_err(internal)?;
        let zoned = self.day(-days_ago)?.to_datetime(time).to_zoned(casework_domain::time::service_zone()).map_err(internal)?;
        Ok(zoned.timestamp().min(self.now))
    }

    fn past(&self, days_ago: i64, salt: usize) -> Result<Option<Timestamp>> {
        if days_ago > 0 { self.at(days_ago, salt).map(Some) } else { Ok(None) }
    }

    async fn subject_access(&mut self, spec: &SubjectAccessSpec) -> Result<()> {
        let service = code(spec.service)?;
        if self.app.services.get(&service).is_none() {
            return Ok(());
        }
        self.service = spec.service;
        let (_, person) = self.case(spec.case)?;
        let input = casework_domain::subject_access::SubjectAccessInput {
            representative: spec.representative.map(str::to_owned),
            received_on: self.day(-spec.received_days_ago)?.to_string(),
            identity_confirmed_on: spec.identity_days_ago.map(|d| self.day(-d)).transpose()?.map(|d| d.to_string()),
            include_access_log: spec.include_access_log,
            details: Some(spec.details.to_owned()),
        };
        self.app.record_subject_access(self.actor(spec.handler)?, &service, &person.to_string(), &input, None).await?;
        Ok(())
    }

    async fn service(&mut self, demo: &'static ServiceDemo) -> Result<()> {
        self.service = demo.service;
        for (key, name, kind) in demo.organisations {
            let organisation = self.app.record_organisation(self.actor(demo.recorder)?, name, *kind).await?;
            self.organisations.insert(*key, organisation.id);
        }
        for spec in demo.cases {
            self.open_case(demo.recorder, spec).await.map_err(|e| internal(format!("demo case '{}': {e}", spec.key)))?;
        }
        for (i, only) in demo.referrals.iter().enumerate() {
            let person = self.person(demo.recorder, &only.who).await?;
            self.chain(person, only.chain).await.map_err(|e| internal(format!("demo referral {i} of {}: {e}", demo.service)))?;
        }
        Ok(())
    }

    async fn person(&mut self, recorder: &str, who: &Who) -> Result<PersonId> {
        let spec = match who {
            Who::SameAs(key) => return Ok(self.case(key)?.1),
            Who::New(spec) => spec,
        };
        let actor = self.actor(recorder)?;
        let mut identifiers = Vec::new();
        for id in spec.ids {
            identifiers.push(match id {
                Id::Gmc(value) => (IdentifierKind::GmcNumber, (*value).to_owned()),
                Id::Nhs(stem) => (IdentifierKind::NhsNumber, nhs_number(*stem)?),
                Id::Prison(value) => (IdentifierKind::PrisonNumber, (*value).to_owned()),
                Id::External(value) => (IdentifierKind::ExternalReference, (*value).to_owned()),
            });
        }
        let born = match spec.born {
            Some((age, month, day)) => Some(Date::new(self.today.year() - age, month, day).map_err(internal)?.to_string()),
            None => None,
        };
        let new = NewPerson::parse(spec.given, spec.family, spec.known_as, born.as_deref(), &identifiers, self.today)?;
        let subject = self.app.record_person(actor, new, None).await?;
        for (kind, given, family) in spec.related {
            let new = NewPerson::parse(given, family, None, None, &[], self.today)?;
            let related = self.app.record_person(actor, new, None).await?;
            self.app.relate_people(actor, subject.id, *kind, related.id).await?;
        }
        Ok(subject.id)
    }

    fn new_referral(&self, person: PersonId, r: &Ref, previous: Option<ReferralId>) -> Result<NewReferral> {
        let forms = r
            .forms
            .iter()
            .map(|(form, answers)| {
                let answers =
                    answers.iter().map(|(k, v)| ((*k).to_owned(), serde_json::Value::String((*v).to_owned()))).collect();
                code(form).map(|form| crate::forms::FormEntry { form, answers, completed_by: None })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(NewReferral {
            service: code(self.service)?,
            person,
            source: r.source,
            received_at: self.past(r.days_ago, r.summary.len())?,
            summary: long(r.summary)?,
            forms,
            previous,
        })
    }

    async fn refer(&mut self, person: PersonId, r: &Ref, previous: Option<ReferralId>) -> Result<ReferralId> {
        let new = self.new_referral(person, r, previous)?;
        let referral = self.app.record_referral(self.actor(r.by)?, new, None).await?;
        self.counts.referrals += 1;
        Ok(referral.id)
    }

    async fn settle(&self, id: ReferralId, outcome: &Outcome) -> Result<()> {
        let (by, decision) = match outcome {
            Outcome::Pending => return Ok(()),
            Outcome::Reject { by, reason, why } => {
                (by, ReferralDecision::Reject { reason: code(reason)?, explanation: Some(long(why)?) })
            }
            Outcome::File { by, why } => (by, ReferralDecision::KeepOnFile { explanation: Some(long(why)?) }),
        };
        self.app.decide_referral(self.actor(by)?, id, decision).await?;
        Ok(())
    }

    /// Records a chain of referrals, each re-making the one before; returns the last.
    async fn chain(&mut self, person: PersonId, chain: &[(Ref, Outcome)]) -> Result<Option<ReferralId>> {
        let mut previous = None;
        for (r, outcome) in chain {
            let id = self.refer(person, r, previous).await?;
            self.settle(id, outcome).await?;
            previous = Some(id);
        }
        Ok(previous)
    }

    async fn open_case(&mut self, recorder: &str, spec: &'static CaseSpec) -> Result<()> {
        let person = self.person(recorder, &spec.who).await?;
        let previous = self.chain(person, spec.earlier).await?;
        let allocation = Allocation {
            level: spec.level.map(code).transpose()?,
            worker: spec.worker.map(|role| self.user(role)).transpose()?,
            team: spec.team.map(|name| self.team(name)).transpose()?,
        };
        let (case, first_actor) = match spec.open {
            Open::Decided(by) => {
                let referral = self.refer(person, &spec.referral, previous).await?;
                let (_, case) = self.app.decide_referral(self.actor(by)?, referral, ReferralDecision::Accept(allocation)).await?;
                (case.ok_or_else(|| internal("an accepted referral opened no case"))?, by)
            }
            Open::Direct => {
                let new = NewCase {
                    person: CasePerson::Existing(person),
                    referral: self.new_referral(person, &spec.referral, previous)?,
                    allocation,
                };
                let view = self.app.open_case(self.actor(spec.referral.by)?, new, None).await?;
                self.counts.referrals += 1;
                (view.case, spec.referral.by)
            }
        };
        self.counts.cases += 1;
        self.cases.insert(spec.key, (case.id, person));
        let mut state = CaseState {
            id: case.id,
            version: case.version,
            by: first_actor,
            last_note: None,
            last_task: None,
            last_consent: None,
            last_document: None,
        };
        for (i, step) in spec.steps.iter().enumerate() {
            self.step(&mut state, step).await.map_err(|e| internal(format!("step {i} ({step:?}): {e}")))?;
        }
        Ok(())
    }

    fn assignee(&self, to: &To, actor: &Actor) -> Result<Assignee> {
        Ok(match to {
            To::Me => Assignee::User(actor.user),
            To::User(role) => Assignee::User(self.user(role)?),
            To::Role(role) => Assignee::Role(code(role)?),
            To::Queue(queue) => Assignee::Queue(code(queue)?),
        })
    }

    async fn step(&mut self, state: &mut CaseState, step: &'static Step) -> Result<()> {
        let app = self.app;
        let (id, seen) = (state.id, state.version);
        let actor = self.actor(state.by)?;
        let changed = match step {
            Step::As(role) => {
                state.by = *role;
                None
            }
            Step::Move(stage) => Some(app.move_case_to_stage(actor, id, seen, code(stage)?).await?),
            Step::Level(level) => Some(app.set_case_level(actor, id, seen, Some(code(level)?)).await?),
            Step::Flag(flag) => Some(app.set_case_flag(actor, id, seen, code(flag)?).await?),
            Step::Date(key, offset) => Some(app.set_case_key_date(actor, id, seen, code(key)?, Some(self.day(*offset)?)).await?),
            Step::Allocate(worker, team) => {
                let worker = worker.map(|role| self.user(role)).transpose()?;
                let team = team.map(|name| self.team(name)).transpose()?;
                Some(app.allocate_case(actor, id, seen, worker, team).await?)
            }
            Step::Note(kind, days_ago, body) => {
                let note = app.add_note(actor, id, *kind, long(body)?, self.past(*days_ago, body.len())?, None).await?;
                state.last_note = Some(note.id);
                self.counts.notes += 1;
                None
            }
            Step::Addendum(body) => {
                let to = state.last_note.ok_or_else(|| internal("an addendum needs a note before it"))?;
                app.add_addendum(actor, id, to, long(body)?, None).await?;
                self.counts.notes += 1;
                None
            }
            Step::Task(task) => {
                let due = task.due.map(|d| self.day(d)).transpose()?;
                let created =
                    app.create_task(actor, id, ShortText::parse(task.title)?, self.assignee(&task.to, actor)?, due, None).await?;
                state.last_task = Some((created.id, created.version));
                self.end_task(state, &task.end).await?;
                None
            }
            Step::EndTask(end) => {
                self.end_task(state, end).await?;
                None
            }
            Step::Decide(d) => {
                let body = d.body.map(|key| self.organisation(key)).transpose()?;
                app.record_decision(actor, id, code(d.outcome)?, body, code(d.list)?, code(d.reason)?, Some(long(d.why)?), None)
                    .await?;
                None
            }
            Step::Link(kind, other) => Some(app.link_case(actor, id, seen, *kind, self.case(other)?.0).await?),
            Step::Form(form, answers) => {
                let answers =
                    answers.iter().map(|(k, v)| ((*k).to_owned(), serde_json::Value::String((*v).to_owned()))).collect();
                let entry = crate::forms::FormEntry { form: code(form)?, answers, completed_by: None };
                app.submit_case_form(actor, id, entry).await?;
                None
            }
            Step::Close(reason) => Some(app.close_case(actor, id, seen, code(reason)?).await?),
            Step::Reopen(why) => Some(app.reopen_case(actor, id, seen, long(why)?).await?),
            Step::Restrict(level, users, roles) => {
                let restriction = casework_domain::access::Restriction {
                    level: casework_domain::access::RestrictionLevel::parse(level)
                        .ok_or_else(|| missing("restriction", level))?,
                    users: users.iter().map(|role| self.user(role)).collect::<Result<_>>()?,
                    roles: roles.iter().map(|role| code(role)).collect::<Result<_>>()?,
                };
                Some(app.restrict_case(actor, id, seen, restriction).await?)
            }
            Step::Consent(given_by, relationship, scope, with_whom) => {
                let input = casework_domain::consent::ConsentInput {
                    kind: Some("consent".into()),
                    given_by: (*given_by).into(),
                    relationship: (*relationship).into(),
                    scope: (*scope).into(),
                    with_whom: (*with_whom).into(),
                    how: Some("written".into()),
                    given_on: self.today.to_string(),
                    until: None,
                };
                state.last_consent = Some(app.record_consent(actor, id, &input, None).await?.id);
                None
            }
            Step::WithdrawConsent(reason) => {
                let consent = state.last_consent.ok_or_else(|| internal("a withdrawal needs a consent before it"))?;
                app.withdraw_consent(actor, id, consent, ShortText::parse(reason)?).await?;
                None
            }
            Step::Disclose(d) => {
                let basis = match d.basis {
                    DemoBasis::LastConsent => {
                        format!("consent:{}", state.last_consent.ok_or_else(|| internal("no consent to rely on"))?)
                    }
                    DemoBasis::Statutory(code) => format!("statutory:{code}"),
                };
                let input = casework_domain::disclosure::DisclosureInput {
                    kind: d.kind.into(),
                    recipient_organisation: d.to.into(),
                    recipient_person: None,
                    sent_how: d.how.into(),
                    summary: d.what.into(),
                    basis,
                    reason: d.why.into(),
                };
                app.record_disclosure(actor, id, &input).await?;
                None
            }
            Step::Document(title, classification, third_party, text) => {
                let input = DocumentInput {
                    title: (*title).to_owned(),
                    classification: (*classification).to_owned(),
                    third_party: *third_party,
                };
                let document = app.add_document(actor, id, &input, Some(pdf_file(title, text))).await?;
                state.last_document = Some(document.id);
                None
            }
            Step::Redacted(title, text) => {
                let original = state.last_document.ok_or_else(|| internal("a redacted copy needs a document before it"))?;
                let input = DocumentInput { title: (*title).to_owned(), classification: "normal".into(), third_party: false };
                app.add_redacted_copy(actor, id, original, &input, Some(pdf_file(title, text))).await?;
                None
            }
            Step::Paper(title, location, days_ago) => {
                let input = PaperInput {
                    document: DocumentInput { title: (*title).to_owned(), classification: "normal".into(), third_party: false },
                    location: (*location).to_owned(),
                    received_on: self.day(-days_ago)?.to_string(),
                };
                app.record_paper_document(actor, id, &input).await?;
                None
            }
        };
        if let Some(case) = changed {
            state.version = case.version;
        }
        Ok(())
    }

    async fn end_task(&self, state: &mut CaseState, end: &End) -> Result<()> {
        let actor = self.actor(state.by)?;
        let (task, version) = state.last_task.ok_or_else(|| internal("no task to end"))?;
        let command = match end {
            End::Open => return Ok(()),
            End::Done(outcome) => TaskCommand::Complete { outcome: Some(long(outcome)?) },
            End::Cancel(reason) => TaskCommand::Cancel { reason: ShortText::parse(reason)? },
            End::Reassign(to, due) => {
                TaskCommand::Reassign { to: self.assignee(to, actor)?, due_on: due.map(|d| self.day(d)).transpose()? }
            }
        };
        let changed = self.app.change_task(actor, state.id, task, version, command).await?;
        state.last_task = Some((changed.id, changed.version));
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Who the demo users are
// ---------------------------------------------------------------------------------------

const ADMINISTRATOR_NAME: &str = "Neil Armitage";

/// Invented names for the demo users, by username. A role added to a service later gets a
/// user named after the role.
const USER_NAMES: &[(&str, &str)] = &[
    ("deanery.non-clinical-case-manager", "Helen Cartwright"),
    ("deanery.clinical-case-manager", "Dr Rajesh Menon"),
    ("deanery.training-programme-director", "Dr Fiona Galbraith"),
    ("deanery.head-of-school", "Dr Alistair Penrose"),
    ("deanery.deputy-dean", "Dr Catherine Ashworth"),
    ("deanery.dean", "Professor Malcolm Ridley"),
    ("deanery.admin", "Joanne Pickering"),
    ("child-survivor.caseworker", "Aisha Rahman"),
    ("child-survivor.supervisor", "Bethan Morgan"),
    ("child-survivor.focal-point", "Grace Oduya"),
    ("child-survivor.admin", "Peter Linwood"),
    ("recovery.support-worker", "Danny Hollis"),
    ("recovery.recovery-practitioner", "Sarah Kinsella"),
    ("recovery.administrator", "Lorraine Booth"),
    ("recovery.care-coordinator", "Marcus Ellington"),
    ("recovery.service-manager", "Yvonne Clarke"),
    ("recovery.recovery-peer", "Tony Rafferty"),
    ("ombudsman.team-coordinator", "Nadia Sorensen"),
    ("ombudsman.investigator", "Owen Prydderch"),
    ("ombudsman.assessment-coordinator", "Claire Hetherington"),
    ("ombudsman.intake-officer", "Jamal Bakari"),
    ("ombudsman.assistant-ombudsman", "Elizabeth Carrow"),
    ("family-court.family-court-adviser", "Rachel Osborne"),
    ("family-court.practice-supervisor", "Kevin Mallory"),
    ("family-court.service-manager", "Priya Chandran"),
    ("family-court.head-of-practice", "Angela Forsyth"),
    ("family-court.business-support", "Shona McBride"),
];

fn display_name(username: &str) -> Option<&'static str> {
    USER_NAMES.iter().find(|(u, _)| *u == username).map(|(_, name)| *name)
}

// ---------------------------------------------------------------------------------------
// The data, service by service
// ---------------------------------------------------------------------------------------

// Short names for the tables below.
use LinkKind::ShadowOf;
use NoteKind::{Analysis, Contact, Meeting, Phone, Supervision};
use OrganisationKind::{BodyComplainedAbout, Employer, PartnerAgency, Prison};
use ReferralSource::{Agency, Automatic, Form, SelfReferral, Staff};
use RelationshipKind::{Carer, Parent, Representative};
use Step as S;

const EMAIL_NOTE: NoteKind = NoteKind::Email;
const BY_EMAIL: ReferralSource = ReferralSource::Email;
const BY_PHONE: ReferralSource = ReferralSource::Phone;

static SERVICES: [ServiceDemo; 5] = [DEANERY, CHILD_SURVIVOR, RECOVERY, OMBUDSMAN, FAMILY_COURT];

// --- Trainee support at a postgraduate deanery -----------------------------------------

const CLINICAL: &str = "Clinical case management";
const NON_CLINICAL: &str = "Non-clinical case management";

const FORM_1: (&str, &[(&str, &str)]) = (
    "form-1",
    &[
        ("completed_by", "Training programme director"),
        ("summary", "Brief details of the incident or concern, as reported to the TPD."),
    ],
);
const FORM_2: (&str, &[(&str, &str)]) = (
    "form-2",
    &[
        ("clinical_practice", "No concerns about clinical knowledge."),
        ("professional_behaviour", "See summary."),
        ("communication", "Some difficulty with colleagues under pressure."),
        ("team_working", "Well regarded by the nursing team."),
        ("health_and_wellbeing", "Tired; has not yet seen occupational health."),
        ("personal_circumstances", "Shared in confidence with the trainer."),
        ("training_progression", "On track at last ARCP."),
    ],
);
const FORM_E: (&str, &[(&str, &str)]) = (
    "form-e",
    &[
        ("completed_by", "The trainee"),
        ("examination", "See summary"),
        ("attempts", "2"),
        ("support_requested", "Study planning and exam support"),
    ],
);

const DEANERY: ServiceDemo = ServiceDemo {
    service: "deanery",
    recorder: "admin",
    teams: &[(CLINICAL, &["clinical-case-manager"]), (NON_CLINICAL, &["non-clinical-case-manager"])],
    organisations: &[
        ("northfield", "Northfield Teaching Hospitals NHS Foundation Trust", Employer),
        ("calder", "Calder Valley Hospitals NHS Trust", Employer),
        ("fenwick", "Fenwick and Dale Mental Health NHS Trust", Employer),
        ("health-service", "Confidential Doctors' Health Service (East)", PartnerAgency),
    ],
    cases: &[
        CaseSpec {
            key: "hartley",
            who: Who::New(person("Amelia", "Hartley", (31, 3, 14), &[Id::Gmc("7214583")])),
            earlier: &[],
            referral: Ref {
                forms: &[FORM_1, FORM_2],
                ..referral(
                    "training-programme-director",
                    Form,
                    16,
                    "Dr Hartley (ST3 obstetrics and gynaecology, Northfield) was the registrar on the labour ward during a serious incident that is now under the trust's patient safety investigation. She has been tearful on shift and has asked for support. Forms 1 and 2 attached.",
                )
            },
            open: Open::Decided("deputy-dean"),
            level: Some("level-2"),
            worker: Some("clinical-case-manager"),
            team: Some(CLINICAL),
            steps: &[
                S::Decide(D {
                    outcome: "level-2-case-manager",
                    body: None,
                    list: "triage",
                    reason: "clinical-input-needed",
                    why: "Agreed at weekly triage: clinical case manager to meet Dr Hartley within two weeks. She stays in post with day shifts only while the investigation runs.",
                }),
                S::Flag("trigger-serious-incident"),
                S::Date("incident-date", -21),
                S::Date("triage-meeting", -7),
                S::Date("training-end", 760),
                S::As("clinical-case-manager"),
                S::Note(
                    Phone,
                    6,
                    "Introductory call with Dr Hartley. Explained the role of the trainee support team and what is shared with her TPD (outcomes only, not details). Agreed to meet face to face next week.",
                ),
                S::Move("meeting"),
                S::Note(
                    Meeting,
                    2,
                    "Met Dr Hartley at the education centre for an hour. She described the impact of the incident and of giving a statement to the investigation. Sleeping poorly and has not yet seen her GP. Offered a referral to the confidential doctors' health service and to the deanery coaching scheme; she accepted both.",
                ),
                S::Addendum(
                    "Correction: the meeting took place at the Northfield education centre, not at the deanery offices as first written.",
                ),
                S::Decide(D {
                    outcome: "onward-referral-agreed",
                    body: None,
                    list: "case-manager",
                    reason: "trainee-agreed",
                    why: "Referral to the confidential doctors' health service and the coaching scheme, at Dr Hartley's request.",
                }),
                S::Move("support"),
                S::Task(T {
                    title: "Send coaching scheme referral",
                    to: To::Me,
                    due: Some(3),
                    end: End::Done("Referral sent; a coach has been allocated and will contact Dr Hartley directly."),
                }),
                S::Task(T {
                    title: "Update TPD on agreed actions (outline only)",
                    to: To::Me,
                    due: Some(5),
                    end: End::Done("Emailed Dr Galbraith; see note."),
                }),
                S::Decide(D {
                    outcome: "follow-up-interval-set",
                    body: None,
                    list: "case-manager",
                    reason: "complexity",
                    why: "Fortnightly follow-up while the patient safety investigation is ongoing.",
                }),
                S::Date("next-follow-up", 14),
                S::Note(
                    EMAIL_NOTE,
                    0,
                    "Emailed the TPD: support plan agreed with the trainee, no change to her rota needed beyond the current adjustment. Next review in two weeks.",
                ),
                S::Document(
                    "Form 2: support needs",
                    "normal",
                    false,
                    "Completed by Dr Hartley. Support requested: time to meet the trust's patient safety team with a supporter present; day shifts only while the investigation runs; a coach outside her specialty.",
                ),
                S::Document(
                    "Occupational health report",
                    "restricted",
                    true,
                    "Report from the trust's occupational health service on Dr Hartley's fitness for night duties, with health details shared in confidence.",
                ),
                S::Document(
                    "Patient safety investigation: draft findings",
                    "do-not-disclose",
                    true,
                    "Draft findings of the trust's patient safety investigation, shared with the deanery in confidence before publication. Names of the staff and the family involved.",
                ),
                S::Redacted(
                    "Patient safety investigation: draft findings (redacted)",
                    "Draft findings of the trust's patient safety investigation. [Names of staff and family removed.]",
                ),
                S::Paper("Signed consent to share with the health service", "Deanery office, Leeds, cabinet 3", 2),
            ],
        },
        CaseSpec {
            key: "nowicki",
            who: Who::New(PersonSpec {
                known_as: Some("Tom"),
                ..person("Tomasz", "Nowicki", (28, 11, 2), &[Id::Gmc("7436102")])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[FORM_1, FORM_2],
                ..referral(
                    "admin",
                    BY_EMAIL,
                    13,
                    "Forms received in the case management inbox. Dr Nowicki (CT2 psychiatry, Fenwick and Dale) told his educational supervisor that he has felt undermined and belittled by a senior colleague over several months. Form 1 from the educational supervisor, Form 2 from his trainer.",
                )
            },
            open: Open::Decided("deputy-dean"),
            level: Some("level-2"),
            worker: Some("non-clinical-case-manager"),
            team: Some(NON_CLINICAL),
            steps: &[
                S::Decide(D {
                    outcome: "level-2-case-manager",
                    body: None,
                    list: "triage",
                    reason: "support-needed",
                    why: "Wellbeing and retention concern; no clinical input needed. Non-clinical case manager to meet the trainee.",
                }),
                S::Flag("trigger-bullying"),
                S::Date("triage-meeting", -9),
                S::As("non-clinical-case-manager"),
                S::Move("meeting"),
                S::Note(
                    Meeting,
                    3,
                    "Met Dr Nowicki online. He wants the behaviour to stop but is worried about repercussions at his ARCP. Explained the trust's Freedom to Speak Up route and the option of an early placement change. He would like to speak to the guardian first.",
                ),
                S::Decide(D {
                    outcome: "onward-referral-agreed",
                    body: None,
                    list: "case-manager",
                    reason: "trainee-agreed",
                    why: "Referral to the trust's Freedom to Speak Up guardian.",
                }),
                S::Decide(D {
                    outcome: "onward-referral-declined",
                    body: None,
                    list: "case-manager",
                    reason: "trainee-declined",
                    why: "Offered an early move of placement; Dr Nowicki prefers to stay until the end of the rotation.",
                }),
                S::Move("support"),
                S::Task(T {
                    title: "Check meeting with the Freedom to Speak Up guardian has taken place",
                    to: To::Me,
                    due: Some(7),
                    end: End::Reassign(To::Queue("non-clinical-case-managers"), Some(10)),
                }),
                S::Note(
                    Analysis,
                    0,
                    "Risk to training progression is low; the main risk is to wellbeing and retention. Two other trainees in the same department have raised similar concerns (anonymised). Raised with the deputy dean for a possible quality visit.",
                ),
                S::Date("next-follow-up", 21),
            ],
        },
        CaseSpec {
            key: "okafor",
            who: Who::New(person("Chiamaka", "Okafor", (26, 7, 23), &[Id::Gmc("7598241")])),
            earlier: &[],
            referral: Ref {
                forms: &[FORM_1, FORM_2],
                ..referral(
                    "training-programme-director",
                    Form,
                    11,
                    "Dr Okafor (FY2, Calder Valley) lost her father last month. She returned after compassionate leave and is finding full-time on-call difficult. She has asked about less-than-full-time training. Forms 1 and 2 attached.",
                )
            },
            open: Open::Decided("deputy-dean"),
            level: Some("level-2"),
            worker: Some("non-clinical-case-manager"),
            team: Some(NON_CLINICAL),
            steps: &[
                S::Decide(D {
                    outcome: "level-2-case-manager",
                    body: None,
                    list: "triage",
                    reason: "support-needed",
                    why: "Bereavement and request for LTFT: non-clinical case manager.",
                }),
                S::Flag("trigger-bereavement"),
                S::Flag("trigger-ltft"),
                S::As("non-clinical-case-manager"),
                S::Move("meeting"),
                S::Note(
                    Phone,
                    1,
                    "Call with Dr Okafor. Offered condolences and explained how LTFT applications work and how long they take; she wishes to apply at 80%. Signposted to bereavement support through her GP and the employee assistance programme.",
                ),
                S::Decide(D {
                    outcome: "actions-agreed",
                    body: None,
                    list: "case-manager",
                    reason: "trainee-agreed",
                    why: "Support the LTFT application at 80%, with a temporary adjustment to on-call while it is processed.",
                }),
                S::Task(T {
                    title: "Ask rota coordinator for a temporary on-call adjustment",
                    to: To::Me,
                    due: Some(2),
                    end: End::Cancel("Dr Okafor arranged this directly with the rota coordinator"),
                }),
                S::Task(T { title: "Check LTFT application has been submitted", to: To::Me, due: Some(10), end: End::Open }),
                S::Move("follow-up"),
                S::Date("next-follow-up", 28),
                S::Note(
                    EMAIL_NOTE,
                    0,
                    "Email from Dr Okafor: LTFT application submitted today. She thanked the team and will get in touch if things become difficult again.",
                ),
            ],
        },
        CaseSpec {
            key: "fraser",
            who: Who::New(person("Callum", "Fraser", (34, 5, 9), &[Id::Gmc("7081537")])),
            earlier: &[],
            referral: Ref {
                forms: &[FORM_1, FORM_2],
                ..referral(
                    "training-programme-director",
                    Form,
                    27,
                    "Verbal altercation between Dr Fraser (ST5 anaesthetics, Northfield) and a theatre colleague in front of a patient's family. The trust has started an informal process. Dr Fraser accepts that he raised his voice and has asked for help. Forms 1 and 2 attached.",
                )
            },
            open: Open::Decided("deputy-dean"),
            level: Some("level-3"),
            worker: Some("deputy-dean"),
            team: Some(CLINICAL),
            steps: &[
                S::Decide(D {
                    outcome: "level-3-senior-team",
                    body: None,
                    list: "triage",
                    reason: "serious-concern",
                    why: "Second concern about conduct in theatre this year. Handled by the deputy dean together with the trust's director of medical education.",
                }),
                S::Flag("trigger-altercation"),
                S::Flag("trigger-communication"),
                S::Date("incident-date", -25),
                S::Move("meeting"),
                S::Note(
                    Meeting,
                    4,
                    "Met Dr Fraser with his educational supervisor. He was reflective and apologetic, and described a run of night shifts before the incident. Agreed actions: communication skills course, a reflective piece for his portfolio, and a review of his on-call pattern with the rota lead.",
                ),
                S::Decide(D {
                    outcome: "actions-agreed",
                    body: None,
                    list: "case-manager",
                    reason: "complexity",
                    why: "Course, reflection and rota review agreed; outcome to be shared with the TPD.",
                }),
                S::Move("support"),
                S::Task(T {
                    title: "Book place on communication skills course",
                    to: To::Queue("admin"),
                    due: Some(10),
                    end: End::Done("Booked on next month's course."),
                }),
                S::Note(
                    Supervision,
                    0,
                    "Discussed with the clinical case manager: no further concerns from the trust since the meeting. Keep at level 3 until the course is completed and the rota review is done.",
                ),
                S::Date("next-follow-up", 30),
            ],
        },
        CaseSpec {
            key: "whitlock",
            who: Who::New(person("Harriet", "Whitlock", (37, 1, 28), &[Id::Gmc("6993402")])),
            earlier: &[],
            referral: Ref {
                forms: &[FORM_1, FORM_2],
                ..referral(
                    "head-of-school",
                    Form,
                    19,
                    "Repeated serious concerns from two consecutive placements about Dr Whitlock's (ST6 medicine) attendance and her handover of unwell patients. The employing trust's Responsible Officer is aware. Forms 1 and 2 attached by the head of school.",
                )
            },
            open: Open::Decided("deputy-dean"),
            level: Some("level-3"),
            worker: Some("dean"),
            team: None,
            steps: &[
                S::Decide(D {
                    outcome: "level-3-senior-team",
                    body: None,
                    list: "triage",
                    reason: "very-serious",
                    why: "Serious and repeated concerns across placements.",
                }),
                S::Decide(D {
                    outcome: "refer-to-dean",
                    body: None,
                    list: "triage",
                    reason: "very-serious",
                    why: "Possible fitness to practise implications: referred up to the Postgraduate Dean.",
                }),
                S::Flag("referred-to-dean"),
                S::Flag("trigger-serious-incident"),
                S::As("dean"),
                S::Move("meeting"),
                S::Note(
                    Meeting,
                    1,
                    "Met Dr Whitlock with the deputy dean. She shared that health issues have been affecting her attendance and agreed to an occupational health assessment. No decision about her training until the report is received; she stays in training with close supervision.",
                ),
                S::Task(T { title: "Chase occupational health report", to: To::Me, due: Some(15), end: End::Open }),
                S::Date("next-follow-up", 21),
            ],
        },
        CaseSpec {
            key: "begum",
            who: Who::New(person("Nasreen", "Begum", (29, 9, 5), &[Id::Gmc("7650918")])),
            earlier: &[],
            referral: Ref {
                forms: &[FORM_E, FORM_2],
                ..referral(
                    "admin",
                    Form,
                    8,
                    "Dr Begum (GP ST1) has not passed the Applied Knowledge Test at her second attempt and completed Form E herself. Her trainer's Form 2 notes that she is caring for a family member. She would like help planning a third attempt.",
                )
            },
            open: Open::Decided("deputy-dean"),
            level: Some("level-2"),
            worker: Some("non-clinical-case-manager"),
            team: Some(NON_CLINICAL),
            steps: &[
                S::Decide(D {
                    outcome: "level-2-case-manager",
                    body: None,
                    list: "triage",
                    reason: "support-needed",
                    why: "Exam failure with caring responsibilities: not purely academic.",
                }),
                S::Flag("trigger-exam-failure"),
                S::As("non-clinical-case-manager"),
                S::Move("meeting"),
                S::Note(
                    Contact,
                    0,
                    "Met Dr Begum at the deanery. Talked through study planning, the exam support sessions and the effect of her caring responsibilities. She asked whether her training time can be extended; explained that this is decided at ARCP and offered to help her prepare the evidence.",
                ),
                S::Task(T {
                    title: "Send exam support programme details",
                    to: To::Me,
                    due: Some(2),
                    end: End::Done("Sent, with the dates of the next revision sessions."),
                }),
            ],
        },
        CaseSpec {
            key: "lloyd",
            who: Who::New(person("Gareth", "Lloyd", (27, 12, 19), &[Id::Gmc("7722064")])),
            earlier: &[],
            referral: Ref {
                forms: &[FORM_1, FORM_2],
                ..referral(
                    "training-programme-director",
                    Form,
                    9,
                    "A nurse raised a concern about Dr Lloyd's (FY1, Calder Valley) brusque manner on a busy ward round. Single incident; Dr Lloyd apologised the same day. Forms 1 and 2 attached.",
                )
            },
            open: Open::Decided("deputy-dean"),
            level: Some("level-1"),
            worker: None,
            team: None,
            steps: &[
                S::Decide(D {
                    outcome: "level-1-refer-to-trust",
                    body: None,
                    list: "triage",
                    reason: "low-impact",
                    why: "Single low-impact concern, already resolved locally. Referred back to the trust's foundation programme director; no case manager needed.",
                }),
                S::Flag("trigger-communication"),
                S::Move("quiet"),
                S::Note(
                    EMAIL_NOTE,
                    0,
                    "Emailed the foundation programme director at Calder Valley with the triage outcome. The trust will give local feedback and offer its communication workshop.",
                ),
            ],
        },
        CaseSpec {
            key: "marchetti",
            who: Who::New(person("Sofia", "Marchetti", (32, 6, 30), &[Id::Gmc("7345871")])),
            earlier: &[],
            referral: Ref {
                forms: &[FORM_1, FORM_2],
                ..referral(
                    "training-programme-director",
                    Form,
                    6,
                    "Dr Marchetti's (ST4 paediatrics) nursery has closed at short notice and she has no childcare for early starts. She has asked for a temporary change of rota and about less-than-full-time training. Forms 1 and 2 attached.",
                )
            },
            open: Open::Decided("deputy-dean"),
            level: Some("level-2"),
            worker: None,
            team: Some(NON_CLINICAL),
            steps: &[
                S::Decide(D {
                    outcome: "level-2-case-manager",
                    body: None,
                    list: "triage",
                    reason: "support-needed",
                    why: "Personal circumstances (childcare). To be picked up by the next available non-clinical case manager.",
                }),
                S::Flag("trigger-childcare"),
                S::Flag("trigger-ltft"),
                S::Date("triage-meeting", -2),
                S::Task(T {
                    title: "Allocate to a non-clinical case manager",
                    to: To::Queue("non-clinical-case-managers"),
                    due: Some(3),
                    end: End::Open,
                }),
            ],
        },
        CaseSpec {
            key: "pemberton",
            who: Who::New(person("Jonathan", "Pemberton", (35, 4, 17), &[Id::Gmc("6871149")])),
            earlier: &[],
            referral: Ref {
                forms: &[FORM_1, FORM_2],
                ..referral(
                    "training-programme-director",
                    Form,
                    45,
                    "Dr Pemberton (ST7 cardiology) has struggled with communication in multidisciplinary meetings since returning from a long period of sick leave. Forms 1 and 2 attached.",
                )
            },
            open: Open::Decided("deputy-dean"),
            level: Some("level-2"),
            worker: Some("clinical-case-manager"),
            team: Some(CLINICAL),
            steps: &[
                S::Decide(D {
                    outcome: "level-2-case-manager",
                    body: None,
                    list: "triage",
                    reason: "clinical-input-needed",
                    why: "Return to work after sick leave: clinical case manager.",
                }),
                S::Flag("trigger-communication"),
                S::As("clinical-case-manager"),
                S::Move("meeting"),
                S::Move("support"),
                S::Note(
                    Meeting,
                    5,
                    "Review meeting: the return-to-work plan is complete and feedback from the MDT lead is positive. Dr Pemberton feels settled and more confident in meetings.",
                ),
                S::Move("follow-up"),
                S::Decide(D {
                    outcome: "follow-up-interval-set",
                    body: None,
                    list: "case-manager",
                    reason: "progress-made",
                    why: "No active support needed; check in before his next ARCP.",
                }),
                S::Move("quiet"),
                S::Note(
                    Analysis,
                    0,
                    "Moved to quiet: the aims of support are met. The case is not closed; Dr Pemberton knows he can contact the team at any time before he completes training.",
                ),
                S::Date("training-end", 300),
            ],
        },
    ],
    referrals: &[
        ReferralOnly {
            who: Who::New(person("Ruth", "Adebayo", (30, 2, 11), &[Id::Gmc("7419235")])),
            chain: &[(
                Ref {
                    forms: &[FORM_1, FORM_2],
                    ..referral(
                        "training-programme-director",
                        Form,
                        3,
                        "Dr Adebayo (ST2 general surgery) was involved in a disagreement with a consultant about a patient's care that escalated on the ward. Forms 1 and 2 attached for the next triage meeting.",
                    )
                },
                Outcome::Pending,
            )],
        },
        ReferralOnly {
            who: Who::New(person("Imran", "Siddiqui", (28, 8, 3), &[Id::Gmc("7561340")])),
            chain: &[(
                Ref {
                    forms: &[FORM_E, FORM_2],
                    ..referral(
                        "admin",
                        Form,
                        2,
                        "Dr Siddiqui (CT1 medicine) has not passed MRCP Part 1 at his third attempt and completed Form E. His trainer notes that he is also managing a long-term health condition.",
                    )
                },
                Outcome::Pending,
            )],
        },
        ReferralOnly {
            who: Who::New(person("Eleanor", "Wragg", (33, 10, 21), &[Id::Gmc("7288406")])),
            chain: &[(
                Ref {
                    forms: &[FORM_1],
                    ..referral(
                        "training-programme-director",
                        Form,
                        1,
                        "Dr Wragg (ST3 emergency medicine) told me she is being left out of the rota group and of teaching by senior trainees. Form 1 attached; Form 2 requested from her trainer.",
                    )
                },
                Outcome::Pending,
            )],
        },
        ReferralOnly {
            who: Who::New(person("Mark", "Ellery", (29, 5, 26), &[Id::Gmc("7503317")])),
            chain: &[(
                referral(
                    "head-of-school",
                    Form,
                    20,
                    "Dr Ellery's portfolio is behind ahead of his ARCP. No other concern raised.",
                ),
                Outcome::Reject {
                    by: "deputy-dean",
                    reason: "academic-performance-only",
                    why: "Purely academic progress: for the TPD to handle through the ARCP process.",
                },
            )],
        },
        ReferralOnly {
            who: Who::New(person("Oliver", "Bates", (26, 3, 8), &[Id::Gmc("7790052")])),
            chain: &[(
                Ref {
                    forms: &[FORM_1, FORM_2],
                    ..referral(
                        "training-programme-director",
                        Form,
                        12,
                        "Dr Bates (FY2) arrived late to clinic twice in one week because of a childcare problem that is now resolved. Forms attached for information.",
                    )
                },
                Outcome::File { by: "deputy-dean", why: "Level 1 concern, already resolved. Kept on file; no further action." },
            )],
        },
        ReferralOnly {
            who: Who::New(person("Hannah", "Stokes", (31, 9, 14), &[Id::Gmc("7167729")])),
            chain: &[
                (
                    Ref {
                        forms: &[FORM_1],
                        ..referral(
                            "training-programme-director",
                            Form,
                            18,
                            "Dr Stokes (ST4 anaesthetics) has had a difficult return from maternity leave and has raised concerns about her rota. Form 1 attached.",
                        )
                    },
                    Outcome::Reject {
                        by: "deputy-dean",
                        reason: "forms-incomplete",
                        why: "Form 2 not received. TPD asked to resubmit once the trainer has completed it.",
                    },
                ),
                (
                    Ref {
                        forms: &[FORM_1, FORM_2],
                        ..referral(
                            "admin",
                            Form,
                            4,
                            "Resubmitted with Form 2 from Dr Stokes's trainer, for the next triage meeting.",
                        )
                    },
                    Outcome::Pending,
                ),
            ],
        },
    ],
};

// --- Child-survivor case management ----------------------------------------------------

const CSCM: &str = "Child survivor case management team";

const CS_REFERRAL_FORM: (&str, &[(&str, &str)]) = (
    "referral-form",
    &[
        ("consent", "Caregiver consented to the referral; child told about it in words suited to their age"),
        ("needs", "Case management and coordination of services"),
    ],
);

const CHILD_SURVIVOR: ServiceDemo = ServiceDemo {
    service: "child-survivor",
    recorder: "admin",
    teams: &[(CSCM, &["supervisor", "caseworker"])],
    organisations: &[
        ("sarc", "Larkfield Sexual Assault Referral Centre", PartnerAgency),
        ("camhs", "Hollins Cross Child and Adolescent Mental Health Service", PartnerAgency),
        ("social-care", "Ashdown County Council Children's Social Care", PartnerAgency),
        ("advocacy", "Brightwater Children's Independent Advocacy Service", PartnerAgency),
        ("legal", "Ashdown Children's Legal Advice Centre", PartnerAgency),
    ],
    cases: &[
        CaseSpec {
            key: "ellis",
            who: Who::New(PersonSpec {
                related: &[(Parent, "Donna", "Ellis")],
                ..person("Maisie", "Ellis", (12, 4, 2), &[Id::Nhs(999_100_100)])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[CS_REFERRAL_FORM],
                ..referral(
                    "admin",
                    Agency,
                    10,
                    "Referral from Ashdown Children's Social Care. Maisie told her school's safeguarding lead that an adult known to the family sexually abused her. Police and social care are investigating and the adult has no contact with Maisie. Her mother consents to the referral.",
                )
            },
            open: Open::Decided("supervisor"),
            level: Some("high"),
            worker: Some("caseworker"),
            team: Some(CSCM),
            steps: &[
                S::As("caseworker"),
                S::Note(
                    Contact,
                    8,
                    "First visit to Maisie and her mother at home. Introduced myself and the service in words Maisie could follow, and explained what I write down and who can see it. Maisie chose to sit with her mother and said I could come back.",
                ),
                S::Move("intake-assessment"),
                S::Flag("assent-only"),
                S::Flag("mandatory-reporting"),
                S::Note(
                    Meeting,
                    6,
                    "Intake and assessment with Maisie, her mother present for part. Maisie did not have to tell her story again: I used the social care referral. Needs: health follow-up at the SARC, someone to talk to, support at school. Safety: the adult has bail conditions and her mother knows what to do if contact is attempted.",
                ),
                S::Addendum("Clarification: the bail conditions were confirmed today by the police liaison officer by phone."),
                S::As("supervisor"),
                S::Decide(D {
                    outcome: "mandatory-report-made",
                    body: None,
                    list: "case-conference",
                    reason: "mandatory-reporting",
                    why: "The school had already reported to children's social care and the police; our record is cross-referenced. No further report needed.",
                }),
                S::As("caseworker"),
                S::Move("action-planning"),
                S::Note(
                    Meeting,
                    3,
                    "Case conference with my supervisor, Maisie's mother and the social worker. Maisie's views were shared through a note she wrote: she wants to stay at her school and keep playing football.",
                ),
                S::As("supervisor"),
                S::Decide(D {
                    outcome: "plan-agreed",
                    body: None,
                    list: "case-conference",
                    reason: "child-wishes",
                    why: "Plan built around Maisie's wish to keep her routine: SARC follow-up, CAMHS referral, support plan at school.",
                }),
                S::Decide(D {
                    outcome: "refer-medical",
                    body: None,
                    list: "case-conference",
                    reason: "best-interests",
                    why: "Follow-up health appointment at Larkfield SARC.",
                }),
                S::Decide(D {
                    outcome: "refer-psychosocial",
                    body: None,
                    list: "case-conference",
                    reason: "best-interests",
                    why: "Referral to Hollins Cross CAMHS for therapeutic support.",
                }),
                S::As("caseworker"),
                S::Move("implementation"),
                S::Task(T {
                    title: "Accompany Maisie and her mother to the SARC follow-up",
                    to: To::Me,
                    due: Some(-1),
                    end: End::Done("Attended with them; no further medical follow-up needed."),
                }),
                S::Task(T { title: "Chase CAMHS for an appointment date", to: To::Me, due: Some(5), end: End::Open }),
                S::Level("medium"),
                S::Date("next-case-conference", 21),
                S::Note(
                    Phone,
                    0,
                    "Call with Maisie's mother: Maisie has had a good week and the school has given her a quiet space she can use at break. Her mother mentioned that Maisie is happiest at the family's allotment and asked whether my next visit could be there; agreed. CAMHS waiting time is about six weeks; I will keep chasing.",
                ),
            ],
        },
        CaseSpec {
            key: "haddad",
            who: Who::New(PersonSpec {
                related: &[(Carer, "Samira", "Haddad")],
                ..person("Yusuf", "Haddad", (14, 10, 16), &[Id::Nhs(999_100_200)])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[CS_REFERRAL_FORM],
                ..referral(
                    "admin",
                    BY_PHONE,
                    5,
                    "Phone referral from the school nurse. Yusuf (14) told the nurse that an older relative has sexually abused him. The relative still visits the home. Yusuf lives with his aunt, who is his carer.",
                )
            },
            open: Open::Decided("supervisor"),
            level: Some("high"),
            worker: Some("caseworker"),
            team: Some(CSCM),
            steps: &[
                S::As("caseworker"),
                S::Note(
                    Contact,
                    4,
                    "Met Yusuf at school with the school nurse present, at his request. Explained confidentiality and its limits: I must share information if he is at risk. He agreed that I could talk to his aunt.",
                ),
                S::Flag("perpetrator-has-access"),
                S::Flag("safeguarding"),
                S::Flag("mandatory-reporting"),
                S::Move("intake-assessment"),
                S::Note(
                    Phone,
                    3,
                    "Spoke with Yusuf's aunt. She did not know and is supportive; she has agreed that the relative will not visit while this is looked into.",
                ),
                S::As("supervisor"),
                S::Decide(D {
                    outcome: "mandatory-report-made",
                    body: None,
                    list: "supervision",
                    reason: "safety-risk",
                    why: "Reported to children's social care and the police the same day; a strategy discussion has been arranged.",
                }),
                S::Decide(D {
                    outcome: "refer-safety",
                    body: None,
                    list: "case-conference",
                    reason: "safety-risk",
                    why: "Safety plan agreed with the aunt; social care to assess the home.",
                }),
                S::Task(T { title: "Attend the strategy discussion", to: To::User("caseworker"), due: Some(1), end: End::Open }),
                S::As("caseworker"),
                S::EndTask(End::Done("Attended; social care have started child-protection enquiries.")),
                S::Note(
                    Analysis,
                    0,
                    "Risk stays high until the relative's access is managed formally. Yusuf's own safety plan: trusted adults at home and at school, and the number to call. No action plan until the social care assessment is known.",
                ),
                S::Date("next-case-conference", 7),
            ],
        },
        CaseSpec {
            key: "brennan",
            who: Who::New(person("Kayleigh", "Brennan", (15, 2, 27), &[Id::Nhs(999_100_300)])),
            earlier: &[],
            referral: Ref {
                forms: &[CS_REFERRAL_FORM],
                ..referral(
                    "admin",
                    Agency,
                    34,
                    "Referral from Brightwater advocacy service. Kayleigh (15) has disclosed abuse and does not want her stepfather to know; she lives with her mother and stepfather. She wants help but is worried about being moved from home.",
                )
            },
            open: Open::Decided("supervisor"),
            level: Some("medium"),
            worker: Some("caseworker"),
            team: Some(CSCM),
            steps: &[
                S::As("caseworker"),
                S::Move("intake-assessment"),
                S::Move("action-planning"),
                S::Flag("caregiver-not-involved"),
                S::As("supervisor"),
                S::Decide(D {
                    outcome: "plan-agreed",
                    body: None,
                    list: "case-conference",
                    reason: "best-interests",
                    why: "Caregivers not involved at this stage, in Kayleigh's best interests. To be reviewed at every conference.",
                }),
                S::Decide(D {
                    outcome: "refer-legal",
                    body: None,
                    list: "case-conference",
                    reason: "child-wishes",
                    why: "Referral to the children's legal advice centre so that Kayleigh understands her options if the matter goes to court.",
                }),
                S::As("caseworker"),
                S::Move("implementation"),
                S::Move("follow-up"),
                S::Note(
                    Supervision,
                    2,
                    "Supervision with Bethan: discussed whether Kayleigh's mother should now be involved. Kayleigh still says no. Agreed to revisit in four weeks and to record the reasons each time.",
                ),
                S::Note(
                    Contact,
                    0,
                    "Follow-up visit at school. Kayleigh goes to counselling every week and says it helps. She is sleeping better. No new safety concerns.",
                ),
                S::Date("next-follow-up", 14),
                S::Task(T {
                    title: "Review the decision on caregiver involvement",
                    to: To::Role("supervisor"),
                    due: Some(28),
                    end: End::Open,
                }),
            ],
        },
        CaseSpec {
            key: "osei",
            who: Who::New(PersonSpec {
                related: &[(Carer, "Comfort", "Osei")],
                ..person("Ama", "Osei", (9, 8, 12), &[Id::Nhs(999_100_400)])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[CS_REFERRAL_FORM],
                ..referral(
                    "admin",
                    Agency,
                    14,
                    "Referral from children's social care. Ama (9) lives with her grandmother, who is her carer. Ama made a disclosure to her teacher; the investigation is complete. Her grandmother would like help for Ama.",
                )
            },
            open: Open::Decided("supervisor"),
            level: Some("medium"),
            worker: Some("caseworker"),
            team: Some(CSCM),
            steps: &[
                S::As("caseworker"),
                S::Flag("assent-only"),
                S::Note(
                    Contact,
                    12,
                    "Introduction visit. Ama showed me her drawings and her room. Her grandmother gave consent; Ama gave her assent after I explained, with pictures, what I do.",
                ),
                S::Move("intake-assessment"),
                S::Move("action-planning"),
                S::Note(
                    Contact,
                    5,
                    "Play-based session with Ama at home. She talked about school, her friends and the allotment where she helps her grandmother. She becomes quiet when bedtime is mentioned; I shared this with her grandmother afterwards.",
                ),
                S::As("supervisor"),
                S::Decide(D {
                    outcome: "plan-agreed",
                    body: None,
                    list: "case-conference",
                    reason: "caregiver-wishes",
                    why: "Plan agreed with Ama's grandmother: play therapy through CAMHS and a support plan at school.",
                }),
                S::Decide(D {
                    outcome: "plan-revised",
                    body: None,
                    list: "case-conference",
                    reason: "resources-available",
                    why: "The play therapy waiting list is long; sessions with the school counsellor added in the meantime.",
                }),
                S::As("caseworker"),
                S::Date("next-case-conference", 10),
                S::Task(T {
                    title: "Send plan summary to Ama's grandmother in large print",
                    to: To::Me,
                    due: Some(3),
                    end: End::Done("Posted first class."),
                }),
            ],
        },
        CaseSpec {
            key: "walsh",
            who: Who::New(PersonSpec {
                related: &[(Parent, "Declan", "Walsh")],
                ..person("Liam", "Walsh", (13, 1, 6), &[Id::Nhs(999_100_500)])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[CS_REFERRAL_FORM],
                ..referral(
                    "admin",
                    Agency,
                    200,
                    "Referral from Larkfield SARC after Liam (then 12) was seen there. His father wants support for Liam and for himself as his carer.",
                )
            },
            open: Open::Decided("supervisor"),
            level: Some("low"),
            worker: Some("caseworker"),
            team: Some(CSCM),
            steps: &[
                S::As("caseworker"),
                S::Move("intake-assessment"),
                S::Move("action-planning"),
                S::Move("implementation"),
                S::Move("follow-up"),
                S::Note(
                    Contact,
                    20,
                    "Follow-up visit. Liam has finished his counselling sessions and says he feels 'back to normal'. He is back at football training. His father agrees the plan's goals are met.",
                ),
                S::Move("closure"),
                S::Note(
                    Meeting,
                    7,
                    "Closure meeting with Liam and his father. Went through what has been done and what to do if worries return. Liam chose to keep my leaflet with the service's number.",
                ),
                S::Move("evaluation"),
                S::Note(
                    Phone,
                    0,
                    "Evaluation call with Liam's father: both said the service helped and that not having to repeat his story mattered to Liam. Feedback recorded for the quarterly review.",
                ),
                S::As("supervisor"),
                S::Decide(D {
                    outcome: "close-case",
                    body: None,
                    list: "supervision",
                    reason: "closure-criteria-met",
                    why: "Goals met, Liam safe, no open referrals.",
                }),
                S::Close("needs-met"),
            ],
        },
        CaseSpec {
            key: "price",
            who: Who::New(person("Jade", "Price", (16, 11, 30), &[Id::Nhs(999_100_600)])),
            earlier: &[],
            referral: Ref {
                forms: &[CS_REFERRAL_FORM],
                ..referral(
                    "admin",
                    Agency,
                    60,
                    "Referral from Ashdown Children's Social Care for Jade (16). The family is about to move out of the area.",
                )
            },
            open: Open::Decided("supervisor"),
            level: Some("medium"),
            worker: Some("caseworker"),
            team: Some(CSCM),
            steps: &[
                S::As("caseworker"),
                S::Move("intake-assessment"),
                S::Note(
                    Meeting,
                    30,
                    "Assessment meeting with Jade and her mother. The family moves to Northshire next month for her mother's work. Jade agreed that her information can be shared with a service there.",
                ),
                S::Move("closure"),
                S::As("supervisor"),
                S::Decide(D {
                    outcome: "close-case",
                    body: None,
                    list: "supervision",
                    reason: "best-interests",
                    why: "Transferred to the child case management service in Northshire with Jade's agreement, so she does not have to start again.",
                }),
                S::Close("transferred"),
                S::As("caseworker"),
                S::Addendum(
                    "The Northshire service confirmed today that they have received the transfer summary and have met Jade.",
                ),
            ],
        },
        CaseSpec {
            key: "kowalski",
            who: Who::New(PersonSpec {
                related: &[(Parent, "Agnieszka", "Kowalski")],
                ..person("Zofia", "Kowalski", (11, 6, 7), &[Id::Nhs(999_100_700)])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[CS_REFERRAL_FORM],
                ..referral(
                    "admin",
                    Agency,
                    50,
                    "Referral from children's social care. Zofia (11) and her mother have left the family home; Zofia made a disclosure to the family's support worker.",
                )
            },
            open: Open::Decided("supervisor"),
            level: Some("medium"),
            worker: Some("caseworker"),
            team: Some(CSCM),
            steps: &[
                S::As("caseworker"),
                S::Note(
                    Phone,
                    40,
                    "Third attempt to contact Zofia's mother by phone; number not in service. Letter sent to the last known address.",
                ),
                S::Move("closure"),
                S::As("supervisor"),
                S::Decide(D {
                    outcome: "close-case",
                    body: None,
                    list: "supervision",
                    reason: "closure-criteria-met",
                    why: "No contact for four weeks despite phone calls, letters and a check with social care.",
                }),
                S::Close("lost-contact"),
                S::Reopen(
                    "Zofia's mother phoned: the family had moved to a refuge and lost their phone. They would like to re-engage, and Zofia asked for the same worker.",
                ),
                S::As("caseworker"),
                S::Move("action-planning"),
                S::Note(
                    Phone,
                    0,
                    "Spoke with Zofia's mother. They are safe at the refuge; Zofia has started at a new school. Visit arranged for next week to go through the plan again.",
                ),
                S::Date("next-follow-up", 6),
            ],
        },
        CaseSpec {
            key: "harris",
            who: Who::New(PersonSpec {
                related: &[(Parent, "Natalie", "Harris")],
                ..person("Tyler", "Harris", (10, 3, 22), &[Id::Nhs(999_100_800)])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[CS_REFERRAL_FORM],
                ..referral(
                    "admin",
                    Agency,
                    3,
                    "Referral from Larkfield SARC. Tyler (10) was seen there with his mother, who asked for case management support.",
                )
            },
            open: Open::Decided("focal-point"),
            level: Some("medium"),
            worker: None,
            team: Some(CSCM),
            steps: &[
                S::Task(T {
                    title: "Allocate a caseworker and arrange the introduction visit",
                    to: To::Queue("intake"),
                    due: Some(2),
                    end: End::Open,
                }),
                S::Note(
                    Phone,
                    0,
                    "Called Tyler's mother to let her know the referral has been accepted and that a caseworker will contact her this week.",
                ),
            ],
        },
        CaseSpec {
            key: "nguyen",
            who: Who::New(person("Linh", "Nguyen", (13, 9, 9), &[Id::Nhs(999_100_900)])),
            earlier: &[],
            referral: referral(
                "caseworker",
                Staff,
                0,
                "Linh spoke to me after a school group session I was running and made a disclosure. Case opened at first contact.",
            ),
            open: Open::Direct,
            level: Some("high"),
            worker: Some("caseworker"),
            team: Some(CSCM),
            steps: &[
                S::Note(
                    Contact,
                    0,
                    "Linh stayed behind after the group session and told me she had been hurt by someone she knows. I listened, did not ask for details, and explained what happens next and who I must tell. The school's safeguarding lead joined us with Linh's agreement.",
                ),
                S::Flag("safeguarding"),
                S::Flag("mandatory-reporting"),
                S::Task(T {
                    title: "Review new case opened at first contact",
                    to: To::Role("supervisor"),
                    due: Some(1),
                    end: End::Open,
                }),
            ],
        },
        // A child whose abuser works in the service's partner agencies: restricted to the
        // caseworker and the focal points; the supervisor may open it only by break-glass.
        CaseSpec {
            key: "quinn",
            who: Who::New(person("Rowan", "Quinn", (13, 7, 21), &[Id::Nhs(999_108_100)])),
            earlier: &[],
            referral: Ref {
                forms: &[CS_REFERRAL_FORM],
                ..referral(
                    "admin",
                    Agency,
                    6,
                    "Referral from Larkfield SARC. Rowan disclosed abuse by an adult who works for one of the agencies we refer children to. The police asked that as few people as possible can see the record while they investigate.",
                )
            },
            open: Open::Decided("supervisor"),
            level: Some("high"),
            worker: Some("caseworker"),
            team: Some(CSCM),
            steps: &[
                S::As("focal-point"),
                S::Restrict("restricted", &["caseworker"], &["focal-point"]),
                S::As("caseworker"),
                S::Note(
                    Contact,
                    4,
                    "Met Rowan and their father at the SARC. Explained that only a few named people can read what I write, and that anyone else who opens it has to say why and is reported.",
                ),
                S::Flag("safeguarding"),
            ],
        },
        // A child in a protected placement whose whereabouts must not be known: shielded,
        // with no break-glass at all.
        CaseSpec {
            key: "marsh",
            who: Who::New(person("Ivy", "Marsh", (9, 2, 11), &[Id::Nhs(999_108_200)])),
            earlier: &[],
            referral: Ref {
                forms: &[CS_REFERRAL_FORM],
                ..referral(
                    "admin",
                    Agency,
                    4,
                    "Referral from Ashdown Children's Social Care. Ivy has moved to a protected placement under a court order; nobody beyond the named workers may know where she lives or which school she attends.",
                )
            },
            open: Open::Decided("supervisor"),
            level: Some("high"),
            worker: Some("caseworker"),
            team: Some(CSCM),
            steps: &[
                S::As("focal-point"),
                S::Restrict("shielded", &["caseworker"], &["focal-point"]),
                S::As("caseworker"),
                S::Note(
                    Phone,
                    2,
                    "Call with Ivy's social worker to agree how we contact Ivy without revealing the placement: through the social worker only.",
                ),
            ],
        },
    ],
    referrals: &[
        ReferralOnly {
            who: Who::New(person("Ella", "Fairbairn", (8, 5, 19), &[Id::Nhs(999_101_000)])),
            chain: &[(
                Ref {
                    forms: &[CS_REFERRAL_FORM],
                    ..referral(
                        "admin",
                        Agency,
                        2,
                        "Referral from children's social care for Ella (8). Investigation under way; her mother asks for support.",
                    )
                },
                Outcome::Pending,
            )],
        },
        ReferralOnly {
            who: Who::New(person("Mohammed", "Rahimi", (15, 12, 1), &[Id::Nhs(999_101_100)])),
            chain: &[(
                referral(
                    "admin",
                    BY_EMAIL,
                    1,
                    "Email from a school counsellor: Mohammed (15) made a disclosure and asked to see someone outside school.",
                ),
                Outcome::Pending,
            )],
        },
        ReferralOnly {
            who: Who::New(person("Chloe", "Denton", (19, 7, 4), &[])),
            chain: &[(
                referral(
                    "admin",
                    SelfReferral,
                    9,
                    "Self-referral by phone from a young woman of 19 about abuse in her childhood.",
                ),
                Outcome::Reject {
                    by: "supervisor",
                    reason: "not-a-child",
                    why: "Chloe is 19: with her agreement, referred to the adult independent sexual violence adviser service.",
                },
            )],
        },
        ReferralOnly {
            who: Who::SameAs("ellis"),
            chain: &[(
                referral("admin", BY_EMAIL, 4, "Referral from Maisie's GP."),
                Outcome::Reject {
                    by: "supervisor",
                    reason: "duplicate",
                    why: "Maisie already has an open case; the GP's information has been passed to her caseworker.",
                },
            )],
        },
        ReferralOnly {
            who: Who::New(person("Harvey", "Lang", (12, 2, 15), &[Id::Nhs(999_101_200)])),
            chain: &[(
                referral(
                    "admin",
                    BY_EMAIL,
                    7,
                    "The school shared a concern for information: Harvey's behaviour has changed. No disclosure. The family is already supported by early help.",
                ),
                Outcome::File {
                    by: "focal-point",
                    why: "No disclosure and no request for case management. Kept on file; the school knows how to refer again.",
                },
            )],
        },
        ReferralOnly {
            who: Who::New(person("Poppy", "Sinclair", (14, 4, 25), &[Id::Nhs(999_101_300)])),
            chain: &[
                (
                    referral("admin", Agency, 25, "Referral from the SARC for Poppy (14)."),
                    Outcome::Reject {
                        by: "supervisor",
                        reason: "consent-not-given",
                        why: "Poppy did not want to meet a caseworker at this time. She knows she can ask again whenever she wants.",
                    },
                ),
                (referral("admin", SelfReferral, 3, "Poppy phoned herself to ask for a caseworker now."), Outcome::Pending),
            ],
        },
    ],
};

// --- Drug and alcohol recovery service in a prison --------------------------------------

const WING: &str = "DARS wing team";
const TC: &str = "Therapeutic community team";

const INDUCTION: (&str, &[(&str, &str)]) =
    ("induction-record", &[("harm_reduction_advice", "given"), ("recovery_peer_present", "yes"), ("referral_offered", "yes")]);
const SELF_REFERRAL_FORM: (&str, &[(&str, &str)]) =
    ("self-referral-form", &[("handed_in_by", "recovery peer"), ("wing", "B wing")]);

const RECOVERY: ServiceDemo = ServiceDemo {
    service: "recovery",
    recorder: "support-worker",
    teams: &[(WING, &["support-worker", "recovery-practitioner"]), (TC, &["recovery-practitioner"])],
    organisations: &[
        ("thornmoor", "HMP Thornmoor", Prison),
        ("saltmarsh", "HMP Saltmarsh", Prison),
        ("cdt", "Kestrel Community Drug and Alcohol Service", PartnerAgency),
        ("housing", "Harbour Lane Supported Housing", PartnerAgency),
        ("healthcare", "Prison healthcare: clinical substance misuse team", PartnerAgency),
    ],
    cases: &[
        CaseSpec {
            key: "dawson",
            who: Who::New(person("Craig", "Dawson", (34, 2, 3), &[Id::Prison("A4821DK")])),
            earlier: &[],
            referral: Ref {
                forms: &[INDUCTION],
                ..referral(
                    "support-worker",
                    Staff,
                    2,
                    "Induction visit on arrival from court. Mr Dawson reports daily cannabis use and occasional cocaine use in the community. He accepted a referral. Harm reduction advice given.",
                )
            },
            open: Open::Decided("support-worker"),
            level: None,
            worker: None,
            team: Some(WING),
            steps: &[S::Task(T {
                title: "Initial assessment (within 5 working days of referral)",
                to: To::Queue("waiting-list"),
                due: Some(5),
                end: End::Open,
            })],
        },
        CaseSpec {
            key: "mcgregor",
            who: Who::New(person("Stuart", "McGregor", (41, 7, 19), &[Id::Prison("A7390FH")])),
            earlier: &[],
            referral: referral(
                "administrator",
                Automatic,
                1,
                "Illicit-use pathway: wing staff found Mr McGregor under the influence of a suspected psychoactive substance yesterday evening. Healthcare checked him overnight. To be seen within 72 hours.",
            ),
            open: Open::Decided("support-worker"),
            level: Some("high-risk"),
            worker: None,
            team: Some(WING),
            steps: &[
                S::Flag("illicit-use"),
                S::Task(T {
                    title: "See within 72 hours (illicit-use pathway)",
                    to: To::Me,
                    due: Some(2),
                    end: End::Done("Seen on the wing this morning."),
                }),
                S::Move("initial-assessment"),
                S::Note(
                    Contact,
                    0,
                    "Seen on the wing with a recovery peer. Mr McGregor was alert and apologetic. Harm reduction advice given on psychoactive substances and the risks of using alone. Consent to share signed. He wants to engage and asked about groups.",
                ),
                S::Consent(
                    "Stuart McGregor",
                    "self",
                    "Substance use, assessment and care plan",
                    "Prison healthcare and the community drug team",
                ),
                S::Disclose(Di {
                    kind: "referral-out",
                    to: "Prison healthcare substance misuse team",
                    how: "Secure email",
                    what: "Initial assessment and his current psychoactive substance use",
                    basis: DemoBasis::LastConsent,
                    why: "Clinical review of his use; he agreed to healthcare being told when he signed consent to share.",
                }),
                S::Decide(D {
                    outcome: "suitable-for-service",
                    body: None,
                    list: "dars",
                    reason: "substance-use-need",
                    why: "Current psychoactive substance use; wants support.",
                }),
                S::Flag("acct-open"),
                S::Task(T {
                    title: "Attend ACCT case review",
                    to: To::Role("recovery-practitioner"),
                    due: Some(2),
                    end: End::Open,
                }),
                S::Disclose(Di {
                    kind: "share",
                    to: "Safer custody team",
                    how: "Secure email",
                    what: "His current psychoactive substance use and that he has been using alone",
                    basis: DemoBasis::Statutory("risk-of-serious-harm"),
                    why: "An ACCT is open and he has been using alone: a risk of serious harm the ACCT review must know of.",
                }),
                S::WithdrawConsent("Told the support worker he no longer wants healthcare told about his use"),
            ],
        },
        CaseSpec {
            key: "okoro",
            who: Who::New(person("Daniel", "Okoro", (29, 10, 8), &[Id::Prison("A2256LP")])),
            earlier: &[],
            referral: Ref {
                forms: &[SELF_REFERRAL_FORM],
                ..referral(
                    "recovery-peer",
                    SelfReferral,
                    8,
                    "Paper self-referral handed in through the recovery peer on B wing. Mr Okoro wants help to stop using spice and to keep busy.",
                )
            },
            open: Open::Decided("support-worker"),
            level: Some("dependence"),
            worker: None,
            team: Some(WING),
            steps: &[
                S::Move("initial-assessment"),
                S::Note(
                    Contact,
                    5,
                    "Initial assessment completed: NDTMS form, alcohol screening (low score), harm reduction advice. Mr Okoro does not want his information shared with his offender manager; this is recorded clearly. Initial care plan: Monday group and a workbook on triggers.",
                ),
                S::Flag("no-consent-to-share"),
                S::Decide(D {
                    outcome: "suitable-for-service",
                    body: None,
                    list: "dars",
                    reason: "substance-use-need",
                    why: "Regular spice use; motivated to change.",
                }),
                S::Move("awaiting-allocation"),
                S::Task(T {
                    title: "Allocate to a recovery practitioner",
                    to: To::Queue("unallocated"),
                    due: Some(2),
                    end: End::Open,
                }),
            ],
        },
        CaseSpec {
            key: "harrison",
            who: Who::New(person("Lee", "Harrison", (38, 12, 12), &[Id::Prison("A9014RT"), Id::Nhs(999_200_100)])),
            earlier: &[],
            referral: referral(
                "administrator",
                BY_EMAIL,
                30,
                "Email from the offender management unit: Mr Harrison is on an opiate substitution prescription and has asked for psychosocial support alongside it.",
            ),
            open: Open::Decided("support-worker"),
            level: Some("dependence"),
            worker: None,
            team: Some(WING),
            steps: &[
                S::Move("initial-assessment"),
                S::Note(
                    Contact,
                    27,
                    "Initial assessment: consent to share signed, NDTMS completed, alcohol screening not needed. Harm reduction advice given. Initial care plan started.",
                ),
                S::Decide(D {
                    outcome: "suitable-for-service",
                    body: None,
                    list: "dars",
                    reason: "substance-use-need",
                    why: "Opiate dependence on a clinical prescription; wants psychosocial support.",
                }),
                S::Move("awaiting-allocation"),
                S::As("administrator"),
                S::Allocate(Some("recovery-practitioner"), Some(WING)),
                S::As("recovery-practitioner"),
                S::Move("triage-assessment"),
                S::Note(
                    Contact,
                    20,
                    "Triage assessment: asset-based assessment, wellbeing scale 38, readiness ruler 7 out of 10. Family: wants to rebuild contact with his daughter. Objectives agreed: weekly 1:1, a mutual aid meeting each week, and a family engagement session.",
                ),
                S::Flag("clinical-client"),
                S::Move("care-plan"),
                S::Note(
                    Meeting,
                    6,
                    "Joint review with the healthcare clinical team. Prescription stable; Mr Harrison attends groups and has started the recovery workbook. Copy of the updated care plan offered and accepted.",
                ),
                S::Date("next-review", 28),
                S::Date("clinical-joint-review", 63),
                S::Date("release-date", 400),
                S::Task(T { title: "Book a family engagement session", to: To::Me, due: Some(14), end: End::Open }),
                S::As("care-coordinator"),
                S::Decide(D {
                    outcome: "complaint-resolved-informally",
                    body: None,
                    list: "complaints",
                    reason: "resolved-with-client",
                    why: "Mr Harrison complained that his 1:1 was cancelled twice at short notice. Apologised; his sessions now have a fixed weekly slot. He was satisfied.",
                }),
            ],
        },
        CaseSpec {
            key: "byrne",
            who: Who::New(PersonSpec {
                known_as: Some("Tony"),
                ..person("Anthony", "Byrne", (45, 3, 29), &[Id::Prison("A3348NC"), Id::Nhs(999_200_200)])
            }),
            earlier: &[],
            referral: referral(
                "support-worker",
                Staff,
                70,
                "Referred by his wing officer: Mr Byrne asked for help with alcohol and heroin use before release.",
            ),
            open: Open::Decided("support-worker"),
            level: Some("dependence"),
            worker: Some("recovery-practitioner"),
            team: Some(WING),
            steps: &[
                S::As("recovery-practitioner"),
                S::Move("initial-assessment"),
                S::Move("awaiting-allocation"),
                S::Move("triage-assessment"),
                S::Move("care-plan"),
                S::Flag("clinical-client"),
                S::Date("release-date", 45),
                S::Move("release-preparation"),
                S::Decide(D {
                    outcome: "refer-community-drug-team",
                    body: None,
                    list: "dars",
                    reason: "clinical-client",
                    why: "Referral to Kestrel community drug team, mandatory for clinical clients; appointment needed on the day of release.",
                }),
                S::Decide(D {
                    outcome: "refer-rehab-or-accommodation",
                    body: None,
                    list: "dars",
                    reason: "release-planning",
                    why: "Referral to Harbour Lane Supported Housing: Mr Byrne has nowhere to live on release.",
                }),
                S::Task(T {
                    title: "Book CDT appointment for the day of release",
                    to: To::Me,
                    due: Some(14),
                    end: End::Done("Appointment confirmed for release day at 2pm."),
                }),
                S::Task(T {
                    title: "Harm reduction 1:1 before release (tolerance, naloxone)",
                    to: To::Me,
                    due: Some(35),
                    end: End::Open,
                }),
                S::Note(
                    Phone,
                    1,
                    "Call with Harbour Lane: a room is likely to be available; they will confirm two weeks before release.",
                ),
                S::Note(
                    Analysis,
                    0,
                    "Release risk: lower tolerance after custody and no settled address yet. Plan: CDT appointment on release day, naloxone training, housing referral. Mr Byrne agreed to each part.",
                ),
            ],
        },
        CaseSpec {
            key: "patel",
            who: Who::New(person("Ravi", "Patel", (33, 8, 21), &[Id::Prison("A6672WS")])),
            earlier: &[],
            referral: referral("support-worker", Staff, 90, "Mr Patel asked for a place on the therapeutic community."),
            open: Open::Decided("support-worker"),
            level: Some("tc-connect"),
            worker: Some("recovery-practitioner"),
            team: Some(TC),
            steps: &[
                S::As("recovery-practitioner"),
                S::Move("initial-assessment"),
                S::Move("awaiting-allocation"),
                S::Move("triage-assessment"),
                S::Move("care-plan"),
                S::Note(
                    Meeting,
                    3,
                    "Therapeutic community review: Mr Patel has completed the Connect stage, takes part in groups and has started peer mentoring. Community vote in favour of moving him on.",
                ),
                S::Level("tc-dependence"),
                S::Decide(D {
                    outcome: "tier-changed",
                    body: None,
                    list: "dars",
                    reason: "risk-reduced",
                    why: "Moved from Connect to the Dependence stage of the therapeutic community.",
                }),
                S::Flag("parole"),
                S::Date("parole-hearing", 70),
                S::Task(T { title: "Write DARS contribution to the parole report", to: To::Me, due: Some(30), end: End::Open }),
                S::Date("next-review", 28),
                S::Note(
                    Supervision,
                    0,
                    "Supervision with the care coordinator: agreed what the parole report will say about Mr Patel's progress and that he will see it before it is sent.",
                ),
            ],
        },
        CaseSpec {
            key: "jones",
            who: Who::New(person("Kieran", "Jones", (27, 6, 13), &[Id::Prison("A5120JB")])),
            earlier: &[],
            referral: referral("support-worker", Staff, 80, "Induction referral: cannabis use in the community."),
            open: Open::Decided("support-worker"),
            level: Some("low-risk"),
            worker: Some("recovery-practitioner"),
            team: Some(WING),
            steps: &[
                S::As("recovery-practitioner"),
                S::Move("initial-assessment"),
                S::Move("awaiting-allocation"),
                S::Move("triage-assessment"),
                S::Move("care-plan"),
                S::Move("transfer-preparation"),
                S::Date("transfer-date", -1),
                S::Note(
                    Meeting,
                    3,
                    "Transition meeting: Mr Jones is transferring to HMP Thornmoor. He agreed to his care plan being shared with the recovery team there and was given a copy.",
                ),
                S::Task(T {
                    title: "Send transfer notice and care plan to HMP Thornmoor recovery team",
                    to: To::User("administrator"),
                    due: Some(-1),
                    end: End::Open,
                }),
                S::As("administrator"),
                S::EndTask(End::Done("Emailed to the Thornmoor recovery team mailbox.")),
                S::As("recovery-practitioner"),
                S::Task(T {
                    title: "Complete NDTMS discharge form",
                    to: To::Me,
                    due: Some(0),
                    end: End::Done("Given to the administrator for input."),
                }),
                S::Form("exit-dataset", &[("exit_reason", "Transferred")]),
                S::Form("transfer-notice", &[("receiving_prison", "HMP Thornmoor"), ("sent_by", "email")]),
                S::Close("transfer"),
            ],
        },
        CaseSpec {
            key: "ward",
            who: Who::New(person("Martin", "Ward", (52, 11, 5), &[Id::Prison("A8807KE"), Id::Nhs(999_200_300)])),
            earlier: &[],
            referral: referral(
                "administrator",
                BY_PHONE,
                150,
                "Phone call from healthcare: Mr Ward is starting a clinical prescription and needs psychosocial support.",
            ),
            open: Open::Decided("support-worker"),
            level: Some("dependence"),
            worker: Some("recovery-practitioner"),
            team: Some(WING),
            steps: &[
                S::As("recovery-practitioner"),
                S::Move("initial-assessment"),
                S::Move("awaiting-allocation"),
                S::Move("triage-assessment"),
                S::Move("care-plan"),
                S::Flag("clinical-client"),
                S::Move("release-preparation"),
                S::Decide(D {
                    outcome: "refer-community-drug-team",
                    body: None,
                    list: "dars",
                    reason: "clinical-client",
                    why: "Mandatory CDT referral for a clinical client.",
                }),
                S::Task(T {
                    title: "Harm reduction 1:1 before release",
                    to: To::Me,
                    due: Some(-3),
                    end: End::Done("Done; naloxone kit and training given."),
                }),
                S::Note(
                    Contact,
                    2,
                    "Final session before release. Went through the release plan, the CDT appointment and the naloxone kit. Mr Ward thanked the team.",
                ),
                S::Date("release-date", -1),
                S::Form("exit-dataset", &[("exit_reason", "Released")]),
                S::Form("harm-reduction-session", &[("delivered", "yes"), ("naloxone_offered", "yes")]),
                S::Form("cdt-referral", &[("community_team", "Kestrel Community Drug and Alcohol Service")]),
                S::Close("release"),
                S::As("administrator"),
                S::Addendum(
                    "NDTMS discharge entered and the CDT confirmed that Mr Ward attended his appointment on the day of release.",
                ),
            ],
        },
        CaseSpec {
            key: "fletcher",
            who: Who::New(person("Shane", "Fletcher", (23, 4, 1), &[Id::Prison("A1473GM")])),
            earlier: &[],
            referral: Ref {
                forms: &[INDUCTION],
                ..referral("support-worker", Staff, 6, "Induction referral: alcohol use in the community.")
            },
            open: Open::Decided("support-worker"),
            level: None,
            worker: None,
            team: Some(WING),
            steps: &[
                S::Move("initial-assessment"),
                S::Note(
                    Contact,
                    0,
                    "Saw Mr Fletcher for his initial assessment. He said he no longer wants support and does not see his drinking as a problem. Harm reduction advice given; made aware he can self-refer at any time.",
                ),
                S::Close("declined-service"),
            ],
        },
        CaseSpec {
            key: "hughes",
            who: Who::New(person("Paul", "Hughes", (48, 9, 17), &[Id::Prison("A3961TB")])),
            earlier: &[],
            referral: referral(
                "support-worker",
                Staff,
                100,
                "Referral by the education department: Mr Hughes asked about help with his drinking.",
            ),
            open: Open::Decided("support-worker"),
            level: Some("low-risk"),
            worker: Some("recovery-practitioner"),
            team: Some(WING),
            steps: &[
                S::As("recovery-practitioner"),
                S::Move("initial-assessment"),
                S::Move("awaiting-allocation"),
                S::Move("triage-assessment"),
                S::Move("care-plan"),
                S::Note(
                    Contact,
                    10,
                    "Mr Hughes said he no longer wishes to engage. Feedback: the groups clash with his education classes. Told about self-referral and that he is welcome back.",
                ),
                S::Form("exit-dataset", &[("exit_reason", "Withdrew from the service")]),
                S::Form("withdrawal-feedback", &[("feedback", "Felt the groups were not for him; may come back.")]),
                S::Close("service-withdrawal"),
                S::As("care-coordinator"),
                S::Reopen(
                    "Mr Hughes asked his wing officer to pass on that he wants to come back. His education timetable has changed and groups no longer clash. Reopened rather than starting again, as his care plan is only a few weeks old.",
                ),
                S::As("recovery-practitioner"),
                S::Note(Contact, 0, "Met Mr Hughes to restart his care plan. Booked onto the Wednesday group."),
                S::Date("next-review", 14),
            ],
        },
        CaseSpec {
            key: "connolly",
            who: Who::New(person("Jamie", "Connolly", (31, 5, 24), &[Id::Prison("A2718PQ")])),
            earlier: &[(
                Ref {
                    forms: &[INDUCTION],
                    ..referral("support-worker", Staff, 25, "Induction visit: Mr Connolly reports heroin use in the community.")
                },
                Outcome::Reject {
                    by: "support-worker",
                    reason: "declined-referral",
                    why: "Declined the referral at induction; told about the self-referral route.",
                },
            )],
            referral: Ref {
                forms: &[SELF_REFERRAL_FORM],
                ..referral(
                    "recovery-peer",
                    SelfReferral,
                    3,
                    "Self-referral through the recovery peer: Mr Connolly declined at induction but now wants support after a difficult family visit.",
                )
            },
            open: Open::Decided("support-worker"),
            level: None,
            worker: None,
            team: Some(WING),
            steps: &[
                S::Note(
                    Contact,
                    0,
                    "Brief contact on the wing to acknowledge Mr Connolly's self-referral. Initial assessment booked for Thursday.",
                ),
                S::Task(T { title: "Initial assessment", to: To::Queue("waiting-list"), due: Some(4), end: End::Open }),
            ],
        },
    ],
    referrals: &[
        ReferralOnly {
            who: Who::New(person("Wayne", "Pickford", (36, 1, 9), &[Id::Prison("A4409XN")])),
            chain: &[(
                Ref {
                    forms: &[SELF_REFERRAL_FORM],
                    ..referral(
                        "recovery-peer",
                        SelfReferral,
                        1,
                        "Paper self-referral through the peer on C wing: wants help with his drinking.",
                    )
                },
                Outcome::Pending,
            )],
        },
        ReferralOnly {
            who: Who::New(person("Ashley", "Turner", (26, 10, 30), &[Id::Prison("A5583DV")])),
            chain: &[(
                referral(
                    "administrator",
                    BY_PHONE,
                    0,
                    "Phone call from Safer Custody: concerns that Mr Turner has been giving away his prescribed medication; they ask DARS to see him.",
                ),
                Outcome::Pending,
            )],
        },
        ReferralOnly {
            who: Who::SameAs("harrison"),
            chain: &[(
                referral("administrator", BY_EMAIL, 4, "Email from wing staff referring Mr Harrison."),
                Outcome::Reject {
                    by: "administrator",
                    reason: "already-on-caseload",
                    why: "Already open to DARS; his practitioner has been told of the wing's concern.",
                },
            )],
        },
        ReferralOnly {
            who: Who::New(person("Neil", "Brammer", (40, 8, 2), &[Id::Prison("A6034HL")])),
            chain: &[(
                referral("support-worker", Staff, 9, "Wing referral: Mr Brammer asked for help with cocaine use."),
                Outcome::Reject {
                    by: "support-worker",
                    reason: "left-establishment",
                    why: "Released on home detention curfew before his initial assessment. Kestrel CDT details given to the resettlement team.",
                },
            )],
        },
        ReferralOnly {
            who: Who::New(person("Gary", "Moffat", (44, 3, 3), &[Id::Prison("A7751CS")])),
            chain: &[(
                referral(
                    "administrator",
                    BY_EMAIL,
                    6,
                    "OMU asked whether Mr Moffat needs DARS support: past alcohol use is noted in his sentence plan.",
                ),
                Outcome::File {
                    by: "support-worker",
                    why: "Seen briefly: no current use and he does not want a referral. Kept on file; told about self-referral.",
                },
            )],
        },
    ],
};

// --- Joint complaints team of two ombudsmen ----------------------------------------------

const JWA: &str = "Joint working assessment (JWA)";
const JWI: &str = "Joint working investigation (JWI)";

const PHSO_REFERRAL: (&str, &[(&str, &str)]) = (
    "phso-referral",
    &[
        ("complaint_form", "attached"),
        ("reason", "Health and social care complaint about linked events"),
        ("consent_to_joint_working", "given"),
    ],
);
const JW_SCREEN: (&str, &[(&str, &str)]) =
    ("jw-screen", &[("consent_to_share_with_phso", "verbal consent given"), ("contact_method", "phone")]);

const OMBUDSMAN: ServiceDemo = ServiceDemo {
    service: "ombudsman",
    recorder: "team-coordinator",
    teams: &[(JWA, &["investigator"]), (JWI, &["investigator"])],
    organisations: &[
        ("westbrook-council", "Westbrook Metropolitan Borough Council", BodyComplainedAbout),
        ("marlow-council", "Marlow Vale County Council", BodyComplainedAbout),
        ("st-brides", "St Bride's Hospital NHS Foundation Trust", BodyComplainedAbout),
        ("riverside", "Riverside Community Health NHS Trust", BodyComplainedAbout),
        ("calder-icb", "Calder Valley Integrated Care Board", BodyComplainedAbout),
        ("sunnyside", "Sunnyside Lodge Care Home Ltd", BodyComplainedAbout),
        ("crescent-dental", "Crescent Dental Studio Ltd (private practice)", OrganisationKind::Other),
    ],
    cases: &[
        CaseSpec {
            key: "whitfield",
            who: Who::New(PersonSpec {
                related: &[(Representative, "Susan", "Whitfield")],
                ..person("Margaret", "Whitfield", (84, 6, 2), &[Id::External("PHSO C-418203")])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[PHSO_REFERRAL],
                ..referral(
                    "team-coordinator",
                    BY_EMAIL,
                    20,
                    "Email from PHSO with the complaint form. Mrs Whitfield's daughter complains about her mother's discharge from St Bride's Hospital to a care home arranged by Westbrook Council without a care assessment, and about the fees charged. The daughter acts as representative and consents to joint working.",
                )
            },
            open: Open::Decided("team-coordinator"),
            level: None,
            worker: Some("investigator"),
            team: Some(JWA),
            steps: &[
                S::Date("phso-received", -24),
                S::As("investigator"),
                S::Note(
                    Analysis,
                    18,
                    "Initial look: both bodies are in jurisdiction and the discharge and the placement are linked, so the complaint is suitable for joint working. Written consent needed before PHSO sends documents.",
                ),
                S::Move("awaiting-consent"),
                S::Task(T {
                    title: "Request written consent from Mrs Whitfield's representative",
                    to: To::Me,
                    due: Some(-12),
                    end: End::Done("Signed consent received."),
                }),
                S::Date("written-consent-received", -10),
                S::Move("assessment-unallocated"),
                S::As("team-coordinator"),
                S::Date("allocated-for-assessment", -8),
                S::Move("assessment"),
                S::As("investigator"),
                S::Note(
                    Analysis,
                    2,
                    "Assessment. Bodies in jurisdiction: St Bride's (PHSO) and Westbrook Council (LGSCO). Could we: yes, both complaints completed local procedures. Should we: there is evidence of a possible failure to assess before discharge and a financial injustice. Jointly: yes, one set of events.",
                ),
                S::Decide(D {
                    outcome: "forward-for-investigation",
                    body: Some("st-brides"),
                    list: "phso",
                    reason: "forwarded-to-investigation",
                    why: "Discharge without a proper assessment of Mrs Whitfield's care needs.",
                }),
                S::Decide(D {
                    outcome: "forward-for-investigation",
                    body: Some("westbrook-council"),
                    list: "lgsco",
                    reason: "forwarded-to-investigation",
                    why: "Placement and fees arranged without a care needs assessment.",
                }),
                S::Move("investigation"),
                S::As("team-coordinator"),
                S::Allocate(Some("investigator"), Some(JWI)),
                S::Flag("temporary-copy-outside-system"),
                S::Date("temporary-copy-review", 91),
                S::As("investigator"),
                S::Task(T {
                    title: "Send enquiry letters to St Bride's and Westbrook Council",
                    to: To::Me,
                    due: Some(5),
                    end: End::Open,
                }),
                S::Task(T {
                    title: "Request written clinical advice from the clinical advice team (20 days)",
                    to: To::Me,
                    due: Some(20),
                    end: End::Open,
                }),
                S::Task(T {
                    title: "Review temporary copy of records held for the clinical adviser",
                    to: To::Queue("team-coordinator"),
                    due: Some(91),
                    end: End::Open,
                }),
                S::Note(
                    EMAIL_NOTE,
                    0,
                    "Sent the notification letters with the scope of the investigation to Mrs Whitfield's representative, St Bride's and Westbrook Council.",
                ),
            ],
        },
        CaseSpec {
            key: "adeyemi",
            who: Who::New(person("Grace", "Adeyemi", (67, 9, 30), &[Id::External("LGSCO 25 011 482")])),
            earlier: &[],
            referral: Ref {
                forms: &[JW_SCREEN],
                ..referral(
                    "intake-officer",
                    BY_PHONE,
                    25,
                    "Phone complaint to LGSCO Intake. Mrs Adeyemi complains that Marlow Vale County Council reduced her home care without a reassessment, and that district nurses from Riverside Community Health missed visits to dress her leg. Verbal consent to share with PHSO given.",
                )
            },
            open: Open::Decided("team-coordinator"),
            level: None,
            worker: Some("investigator"),
            team: Some(JWA),
            steps: &[
                S::As("investigator"),
                S::Move("awaiting-consent"),
                S::Date("written-consent-received", -15),
                S::Move("assessment-unallocated"),
                S::Move("assessment"),
                S::Date("allocated-for-assessment", -12),
                S::Note(
                    Analysis,
                    3,
                    "Assessment: the council's complaints procedure is complete; the trust has not yet had the chance to respond to Mrs Adeyemi's complaint.",
                ),
                S::Decide(D {
                    outcome: "separated-lgsco-investigated",
                    body: Some("marlow-council"),
                    list: "lgsco",
                    reason: "forwarded-to-investigation",
                    why: "The council's part is forwarded for LGSCO investigation on its own.",
                }),
                S::Decide(D {
                    outcome: "separated-lgsco-investigated",
                    body: Some("riverside"),
                    list: "phso",
                    reason: "premature",
                    why: "The trust has not yet responded at local resolution; the health complaint goes back to PHSO.",
                }),
                S::Note(
                    EMAIL_NOTE,
                    1,
                    "Letter to Mrs Adeyemi explaining that her two complaints will be looked at separately, and why.",
                ),
                S::Task(T {
                    title: "Complete the case transfer form for PHSO business support",
                    to: To::Me,
                    due: Some(0),
                    end: End::Done("Transfer form sent with a summary."),
                }),
                S::Close("referred-back-to-phso"),
            ],
        },
        CaseSpec {
            key: "pritchard",
            who: Who::New(person("Derek", "Pritchard", (58, 2, 14), &[Id::External("PHSO C-402977")])),
            earlier: &[],
            referral: Ref {
                forms: &[PHSO_REFERRAL],
                ..referral(
                    "team-coordinator",
                    BY_EMAIL,
                    120,
                    "Email from PHSO: Mr Pritchard complains about the withdrawal of his continuing healthcare funding by Calder Valley ICB and Westbrook Council's handling of his care charges that followed.",
                )
            },
            open: Open::Decided("team-coordinator"),
            level: None,
            worker: Some("investigator"),
            team: Some(JWA),
            steps: &[
                S::Flag("continuing-healthcare"),
                S::As("investigator"),
                S::Move("awaiting-consent"),
                S::Move("assessment-unallocated"),
                S::Move("assessment"),
                S::Decide(D {
                    outcome: "forward-for-investigation",
                    body: Some("calder-icb"),
                    list: "phso",
                    reason: "forwarded-to-investigation",
                    why: "Possible failings in the continuing healthcare review.",
                }),
                S::Decide(D {
                    outcome: "forward-for-investigation",
                    body: Some("westbrook-council"),
                    list: "lgsco",
                    reason: "forwarded-to-investigation",
                    why: "Charges raised while the funding review was unresolved.",
                }),
                S::Move("investigation"),
                S::Move("draft-decision"),
                S::Note(
                    EMAIL_NOTE,
                    9,
                    "Draft decision sent to Mr Pritchard, Calder Valley ICB and Westbrook Council for comments within two weeks.",
                ),
                S::Note(
                    Phone,
                    4,
                    "Mr Pritchard called about the draft. He disagrees with the conclusion but has no new evidence; his comments will be considered and noted in the final decision.",
                ),
                S::Move("final-decision"),
                S::Decide(D {
                    outcome: "not-upheld",
                    body: Some("calder-icb"),
                    list: "phso",
                    reason: "body-put-things-right",
                    why: "The ICB had already apologised, reviewed the decision and reinstated funding with back-payment.",
                }),
                S::Decide(D {
                    outcome: "not-upheld",
                    body: Some("westbrook-council"),
                    list: "lgsco",
                    reason: "remedy-already-provided",
                    why: "The council had already refunded the charges in full.",
                }),
                S::Task(T {
                    title: "Send a copy of the final decision to the NHS England regional office",
                    to: To::Me,
                    due: Some(0),
                    end: End::Done("Sent by secure email."),
                }),
                S::Note(
                    Analysis,
                    0,
                    "Final decision issued to Mr Pritchard and both bodies. No recommendations to send to regulators.",
                ),
                S::Close("final-decision-issued"),
            ],
        },
        CaseSpec {
            key: "kapoor",
            who: Who::New(PersonSpec {
                related: &[(Representative, "Vikram", "Kapoor")],
                ..person("Anita", "Kapoor", (45, 12, 3), &[Id::External("LGSCO 24 019 335")])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[JW_SCREEN],
                ..referral(
                    "intake-officer",
                    Form,
                    35,
                    "Letter to LGSCO from Mrs Kapoor's husband on her behalf: complaint about the aftercare arranged by Westbrook Council and St Bride's after her discharge from a mental health ward.",
                )
            },
            open: Open::Decided("team-coordinator"),
            level: None,
            worker: Some("investigator"),
            team: Some(JWA),
            steps: &[
                S::As("investigator"),
                S::Move("awaiting-consent"),
                S::Date("written-consent-received", -20),
                S::Move("assessment-unallocated"),
                S::Move("assessment"),
                S::Date("allocated-for-assessment", -18),
                S::Note(
                    Phone,
                    5,
                    "Allocation call to Mr Kapoor: explained the assessment and the 20 working day target. Mrs Kapoor is happy for him to speak for her.",
                ),
                S::Flag("hard-copy-documents"),
                S::Date("hard-copy-review", 182),
                S::Note(
                    Analysis,
                    1,
                    "Hard-copy documents (Mrs Kapoor's handwritten diary of appointments) are held in Intake, cabinet 3. They cannot be scanned; to be returned or destroyed after six months.",
                ),
                S::As("assessment-coordinator"),
                S::Task(T {
                    title: "Six-month review of hard-copy documents held in Intake",
                    to: To::Queue("intake"),
                    due: Some(182),
                    end: End::Open,
                }),
            ],
        },
        CaseSpec {
            key: "kapoor-shadow",
            who: Who::SameAs("kapoor"),
            earlier: &[],
            referral: referral(
                "team-coordinator",
                Staff,
                0,
                "Shadow case for LGSCO Investigation: the IU investigator asks whether the health part of Mrs Kapoor's complaint can be investigated jointly. Contact method: JW assessment case. Notes and documents stay on the original case; excluded from the annual statistics.",
            ),
            open: Open::Direct,
            level: None,
            worker: Some("investigator"),
            team: Some(JWA),
            steps: &[
                S::Flag("urgent"),
                S::Flag("shadow-case"),
                S::Link(ShadowOf, "kapoor"),
                S::Task(T {
                    title: "Decide whether the IU case is accepted for JWI",
                    to: To::User("investigator"),
                    due: Some(5),
                    end: End::Open,
                }),
            ],
        },
        CaseSpec {
            key: "morris",
            who: Who::New(PersonSpec {
                related: &[(Representative, "Linda", "Morris")],
                ..person("Brian", "Morris", (79, 10, 11), &[])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[JW_SCREEN],
                ..referral(
                    "intake-officer",
                    BY_PHONE,
                    0,
                    "Phone complaint from Mrs Morris on behalf of her husband about Sunnyside Lodge care home (council-funded placement) and the community mental health team. Consent to share with PHSO given. NHS body: Riverside Community Health NHS Trust.",
                )
            },
            open: Open::Direct,
            level: None,
            worker: None,
            team: None,
            steps: &[
                S::Note(
                    Phone,
                    0,
                    "Took the complaint by phone from Mrs Morris. Mr Morris is elderly and in poor health; she asked that we act quickly. Explained the initial look and that we will be in touch within five working days.",
                ),
                S::Task(T { title: "Initial look", to: To::Queue("initial-look-unallocated"), due: Some(5), end: End::Open }),
                S::As("team-coordinator"),
                S::Flag("urgent"),
                S::Disclose(Di {
                    kind: "share",
                    to: "Parliamentary and Health Service Ombudsman (PHSO)",
                    how: "Secure email",
                    what: "The complaint, the care home and the NHS trust complained about, for the initial look",
                    basis: DemoBasis::Statutory("ombudsmen-consultation"),
                    why: "Initial look: consultation with the health ombudsman about the NHS part of the complaint.",
                }),
            ],
        },
        CaseSpec {
            key: "hussain",
            who: Who::New(person("Farah", "Hussain", (39, 7, 7), &[Id::External("PHSO C-420118")])),
            earlier: &[],
            referral: Ref {
                forms: &[PHSO_REFERRAL],
                ..referral(
                    "team-coordinator",
                    BY_EMAIL,
                    12,
                    "Email from PHSO: Ms Hussain complains about support for her son, involving Marlow Vale County Council's school transport and a health service she does not name.",
                )
            },
            open: Open::Decided("team-coordinator"),
            level: None,
            worker: Some("investigator"),
            team: Some(JWA),
            steps: &[
                S::As("investigator"),
                S::Note(
                    Analysis,
                    8,
                    "Initial look: not clear which NHS body Ms Hussain is complaining about, so joint working cannot be decided yet.",
                ),
                S::Move("more-information"),
                S::Task(T {
                    title: "Write to Ms Hussain asking which NHS body her complaint is about",
                    to: To::Me,
                    due: Some(-7),
                    end: End::Done("Letter sent."),
                }),
                S::Task(T {
                    title: "Chase reply from Ms Hussain",
                    to: To::Me,
                    due: Some(3),
                    end: End::Reassign(To::Queue("team-coordinator"), Some(5)),
                }),
            ],
        },
        CaseSpec {
            key: "lambert",
            who: Who::New(person("Trevor", "Lambert", (61, 3, 19), &[Id::External("PHSO C-421560")])),
            earlier: &[],
            referral: Ref {
                forms: &[PHSO_REFERRAL],
                ..referral(
                    "team-coordinator",
                    BY_EMAIL,
                    9,
                    "Email from PHSO: Mr Lambert complains about dental treatment at Crescent Dental Studio and about Marlow Vale County Council's handling of his blue badge renewal.",
                )
            },
            open: Open::Decided("team-coordinator"),
            level: None,
            worker: Some("investigator"),
            team: Some(JWA),
            steps: &[
                S::As("investigator"),
                S::Decide(D {
                    outcome: "ilt-not-for-joint-working",
                    body: Some("crescent-dental"),
                    list: "phso",
                    reason: "not-a-body-in-jurisdiction",
                    why: "The treatment was private, not NHS-funded, so the practice is not a body in jurisdiction for this complaint.",
                }),
                S::Flag("signposting-needed"),
                S::Note(
                    EMAIL_NOTE,
                    2,
                    "Wrote to Mr Lambert explaining the decision. Signposted to the dental complaints service for private treatment, and to LGSCO for his blue badge complaint.",
                ),
                S::Close("not-a-body-in-jurisdiction"),
            ],
        },
        CaseSpec {
            key: "gallagher",
            who: Who::New(PersonSpec {
                related: &[(Representative, "Sean", "Gallagher")],
                ..person("Maureen", "Gallagher", (72, 8, 28), &[Id::External("LGSCO 25 003 917")])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[JW_SCREEN],
                ..referral(
                    "intake-officer",
                    BY_PHONE,
                    40,
                    "Phone complaint from Mrs Gallagher about her reablement care after a hip operation at St Bride's, arranged with Westbrook Council. Consent to share with PHSO given.",
                )
            },
            open: Open::Decided("team-coordinator"),
            level: None,
            worker: Some("investigator"),
            team: Some(JWA),
            steps: &[
                S::As("investigator"),
                S::Move("awaiting-consent"),
                S::Note(
                    Phone,
                    14,
                    "Call from Mrs Gallagher's son saying that his mother no longer wants the complaint looked at jointly.",
                ),
                S::Close("consent-withdrawn"),
                S::As("assistant-ombudsman"),
                S::Reopen(
                    "Mrs Gallagher wrote herself to say she does want joint working and that her son misunderstood. Her signed consent was received today.",
                ),
                S::Flag("consent-capacity-issues"),
                S::As("investigator"),
                S::Date("written-consent-received", 0),
                S::Move("assessment-unallocated"),
                S::Task(T {
                    title: "Check whom Mrs Gallagher wants as her representative",
                    to: To::Queue("assessment-coordinator"),
                    due: Some(5),
                    end: End::Open,
                }),
                S::As("assessment-coordinator"),
                S::Note(
                    Phone,
                    0,
                    "Spoke with Mrs Gallagher. She is clear that she wants to continue and would like her son kept informed, but all decisions are hers. No capacity concerns.",
                ),
                S::EndTask(End::Done("Mrs Gallagher represents herself; son to be copied in with her agreement.")),
            ],
        },
        CaseSpec {
            key: "coombes",
            who: Who::New(person("Janet", "Coombes", (55, 5, 5), &[Id::External("PHSO C-421911")])),
            earlier: &[],
            referral: Ref {
                forms: &[PHSO_REFERRAL],
                ..referral(
                    "team-coordinator",
                    BY_EMAIL,
                    7,
                    "Email from PHSO: Mrs Coombes complains about her late husband's care at St Bride's and the council's support at home before he was admitted.",
                )
            },
            open: Open::Decided("team-coordinator"),
            level: None,
            worker: Some("investigator"),
            team: Some(JWA),
            steps: &[
                S::As("investigator"),
                S::Decide(D {
                    outcome: "ilt-premature",
                    body: Some("st-brides"),
                    list: "phso",
                    reason: "premature",
                    why: "The trust has not yet had the chance to respond at local resolution.",
                }),
                S::Decide(D {
                    outcome: "ilt-premature",
                    body: Some("westbrook-council"),
                    list: "lgsco",
                    reason: "premature",
                    why: "The council's complaints procedure has not been used.",
                }),
                S::Task(T {
                    title: "Premature referral: advise Mrs Coombes how to complain to both bodies first",
                    to: To::Queue("assessment-coordinator"),
                    due: Some(5),
                    end: End::Open,
                }),
                S::As("assessment-coordinator"),
                S::EndTask(End::Done(
                    "Letter sent to Mrs Coombes with both bodies' complaint contacts, offering condolences and explaining she can come back to us afterwards.",
                )),
                S::As("investigator"),
                S::Close("premature"),
            ],
        },
    ],
    referrals: &[
        ReferralOnly {
            who: Who::New(person("Stephen", "Oakes", (50, 11, 23), &[Id::External("PHSO C-422034")])),
            chain: &[(
                Ref {
                    forms: &[PHSO_REFERRAL],
                    ..referral(
                        "team-coordinator",
                        BY_EMAIL,
                        1,
                        "Email from PHSO: complaint about a GP practice's referral and the council's occupational therapy assessment.",
                    )
                },
                Outcome::Pending,
            )],
        },
        ReferralOnly {
            who: Who::New(person("Patricia", "Nolan", (70, 4, 16), &[])),
            chain: &[(
                Ref {
                    forms: &[JW_SCREEN],
                    ..referral(
                        "intake-officer",
                        BY_PHONE,
                        0,
                        "Phone complaint about hospital discharge and a delayed care package.",
                    )
                },
                Outcome::Pending,
            )],
        },
        ReferralOnly {
            who: Who::New(person("Keith", "Barraclough", (63, 1, 31), &[])),
            chain: &[(
                referral("intake-officer", BY_PHONE, 15, "Complaint about Westbrook Council's adult social care charges."),
                Outcome::Reject {
                    by: "team-coordinator",
                    reason: "no-health-body",
                    why: "No NHS body involved: LGSCO complaint only, forwarded to the LGSCO assessment queue.",
                },
            )],
        },
        ReferralOnly {
            who: Who::New(person("Deborah", "Quinn", (48, 6, 20), &[Id::External("PHSO C-419774")])),
            chain: &[(
                Ref {
                    forms: &[PHSO_REFERRAL],
                    ..referral(
                        "team-coordinator",
                        BY_EMAIL,
                        11,
                        "Email from PHSO about a complaint involving a mental health trust and a council.",
                    )
                },
                Outcome::Reject {
                    by: "team-coordinator",
                    reason: "complainant-declined-joint-working",
                    why: "Ms Quinn only wants the health part considered; returned to PHSO.",
                },
            )],
        },
        ReferralOnly {
            who: Who::New(person("Rita", "Ferreira", (66, 9, 9), &[])),
            chain: &[(
                referral(
                    "intake-officer",
                    Form,
                    7,
                    "Letter from Mrs Ferreira asking about complaining about her mother's care home and the hospital; she is still waiting for the trust's reply.",
                ),
                Outcome::File {
                    by: "team-coordinator",
                    why: "Enquiry only; no complaint made yet. Kept on file and she has been told how to complain when ready.",
                },
            )],
        },
    ],
};

// --- Family-court social work ----------------------------------------------------------

const KINGSMERE: &str = "Kingsmere family court team";

const C100: (&str, &[(&str, &str)]) =
    ("court-application", &[("application", "C100: child arrangements order"), ("court", "Family Court at Kingsmere")]);
const CARE_APPLICATION: (&str, &[(&str, &str)]) =
    ("court-application", &[("application", "C110A: care order (section 31)"), ("court", "Family Court at Kingsmere")]);

const FAMILY_COURT: ServiceDemo = ServiceDemo {
    service: "family-court",
    recorder: "business-support",
    teams: &[(KINGSMERE, &["practice-supervisor", "business-support", "family-court-adviser"])],
    organisations: &[
        ("children-services", "Kingsmere City Council Children's Services", PartnerAgency),
        ("court", "Family Court at Kingsmere", OrganisationKind::Other),
        ("school", "Hollybrook Primary School", OrganisationKind::Other),
    ],
    cases: &[
        CaseSpec {
            key: "thompson",
            who: Who::New(PersonSpec {
                related: &[(Parent, "Laura", "Thompson"), (Parent, "Mark", "Thompson")],
                ..person("Ellie", "Thompson", (10, 7, 1), &[Id::Nhs(999_300_100)])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[C100],
                ..referral(
                    "business-support",
                    Agency,
                    70,
                    "Order from the court making Ellie a party to the proceedings under rule 16.4 and appointing a children's guardian. Long-running dispute between her parents about where she lives; Ellie has said she wants to be heard.",
                )
            },
            open: Open::Decided("service-manager"),
            level: Some("private-law-r16-4"),
            worker: Some("family-court-adviser"),
            team: Some(KINGSMERE),
            steps: &[
                S::As("business-support"),
                S::Date("proceedings-issued", -75),
                S::Date("next-hearing", 21),
                S::Date("report-due", 10),
                S::As("family-court-adviser"),
                S::Disclose(Di {
                    kind: "share",
                    to: "Family Court",
                    how: "Court e-filing",
                    what: "The guardian's case analysis and Ellie's wishes and feelings",
                    basis: DemoBasis::Statutory("court-direction"),
                    why: "The court directed the case analysis to be filed before the next hearing.",
                }),
                S::Move("allocated"),
                S::Note(
                    Analysis,
                    60,
                    "Case plan. What Ellie needs: to be listened to, and for the adults to stop arguing in front of her. Work: see Ellie three times (school, each home), speak to both parents, school information, local authority checks. Analysis due ten days before the hearing.",
                ),
                S::Move("enquiries"),
                S::Note(
                    Contact,
                    5,
                    "Saw Ellie at school. She used the 'three houses' tool: she wants to spend more time with her dad but worries about upsetting her mum. She asked me to tell the judge that she loves them both.",
                ),
                S::Note(
                    Phone,
                    3,
                    "Spoke with Ellie's mother. She is worried about the effect of change on Ellie's schooling; open to a trial of more weekend time.",
                ),
                S::Addendum("The school confirmed by email today that Ellie's attendance has improved this term."),
                S::Task(T {
                    title: "Request school information (attendance and pastoral notes)",
                    to: To::Me,
                    due: Some(-2),
                    end: End::Done("Received from Hollybrook Primary."),
                }),
                S::As("practice-supervisor"),
                S::Note(
                    Supervision,
                    2,
                    "Situational supervision at Rachel's request. Discussed Ellie's wishes and her parents' positions. Actions: 1) see Ellie at her father's home within a week; 2) draft the analysis within two weeks and share it with me first.",
                ),
                S::Decide(D {
                    outcome: "supervision-actions-agreed",
                    body: None,
                    list: "situational-supervision",
                    reason: "practitioner-request",
                    why: "Two actions with timescales; I will review on the date set.",
                }),
                S::Date("manager-review", 14),
                S::As("family-court-adviser"),
                S::Move("reporting"),
                S::Task(T { title: "File the guardian's analysis with the court", to: To::Me, due: Some(10), end: End::Open }),
            ],
        },
        CaseSpec {
            key: "bennett",
            who: Who::New(PersonSpec {
                related: &[(Parent, "Kelly", "Bennett"), (Carer, "Sandra", "Bennett")],
                ..person("Noah", "Bennett", (4, 2, 18), &[Id::Nhs(999_300_200)])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[CARE_APPLICATION],
                ..referral(
                    "business-support",
                    Agency,
                    40,
                    "Care proceedings issued by Kingsmere City Council Children's Services (section 31): concerns about neglect and domestic abuse at home. Noah is placed with his maternal grandparents under an interim care order.",
                )
            },
            open: Open::Decided("service-manager"),
            level: Some("public-law-s31"),
            worker: None,
            team: Some(KINGSMERE),
            steps: &[
                S::As("business-support"),
                S::Move("safeguarding-checks"),
                S::Date("proceedings-issued", -42),
                S::Date("next-hearing", 35),
                S::As("service-manager"),
                S::Allocate(Some("family-court-adviser"), Some(KINGSMERE)),
                S::Move("allocated"),
                S::Flag("risk-marac"),
                S::Decide(D {
                    outcome: "supervision-actions-agreed",
                    body: None,
                    list: "situational-supervision",
                    reason: "risk-flag-added",
                    why: "MARAC flag added: the FCA will get the MARAC minutes and update the risk analysis within ten working days.",
                }),
                S::Date("manager-review", 14),
                S::As("family-court-adviser"),
                S::Move("enquiries"),
                S::Note(
                    Contact,
                    1,
                    "Visited Noah at his grandparents' home. He played happily with his cars and went to his grandmother for comfort when he bumped his knee. The grandparents are tired but committed; they asked about support with nursery costs.",
                ),
                S::Note(
                    Meeting,
                    0,
                    "Attended Noah's looked-after child review. Contact with his mother is going well; the local authority's assessment of the grandparents is due in four weeks.",
                ),
                S::Task(T { title: "Obtain the MARAC minutes", to: To::Me, due: Some(10), end: End::Open }),
            ],
        },
        CaseSpec {
            key: "morgan",
            who: Who::New(person("Chantelle", "Morgan", (15, 11, 14), &[Id::Nhs(999_300_300)])),
            earlier: &[],
            referral: referral(
                "business-support",
                Agency,
                5,
                "Application by Kingsmere City Council for a secure accommodation order (section 25). Chantelle has been missing from her placement several times and there are concerns that she is being exploited.",
            ),
            open: Open::Decided("service-manager"),
            level: Some("secure-accommodation-s25"),
            worker: Some("family-court-adviser"),
            team: Some(KINGSMERE),
            steps: &[
                S::As("family-court-adviser"),
                S::Move("allocated"),
                S::Flag("risk-cse"),
                S::Flag("risk-gangs"),
                S::Note(
                    Contact,
                    2,
                    "Met Chantelle at her placement. She was angry about the application and said nobody listens to her. We agreed that I would put her views to the judge in her own words.",
                ),
                S::Move("reporting"),
                S::Note(
                    Analysis,
                    1,
                    "Analysis: the risks are serious and current, but Chantelle has a good relationship with one residential worker. Recommend the court considers whether a shorter order with an intensive support plan is the least restrictive option.",
                ),
                S::Move("awaiting-hearing"),
                S::As("service-manager"),
                S::Decide(D {
                    outcome: "supervision-actions-agreed",
                    body: None,
                    list: "situational-supervision",
                    reason: "risk-flag-added",
                    why: "CSE and gangs flags: reviewed the analysis with the FCA; agreed to share the safety plan with the police missing persons coordinator.",
                }),
                S::Date("manager-review", 7),
                S::As("business-support"),
                S::Date("proceedings-issued", -5),
                S::Date("next-hearing", 2),
            ],
        },
        CaseSpec {
            key: "whitmore",
            who: Who::New(PersonSpec {
                related: &[(Parent, "Gemma", "Whitmore"), (Parent, "Robert", "Whitmore")],
                ..person("Oscar", "Whitmore", (8, 5, 27), &[Id::Nhs(999_300_400)])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[C100],
                ..referral(
                    "business-support",
                    Agency,
                    20,
                    "Child arrangements application. One of the parties is related to a member of staff in this area.",
                )
            },
            open: Open::Decided("head-of-practice"),
            level: Some("private-law"),
            worker: Some("family-court-adviser"),
            team: None,
            steps: &[
                S::Flag("shielded"),
                S::Decide(D {
                    outcome: "case-shielded",
                    body: None,
                    list: "shielding",
                    reason: "staff-connection",
                    why: "A party is related to a member of staff in the Kingsmere team. Shielded: allocated outside the local team, seen only by the allocated FCA and managers.",
                }),
                S::Date("next-hearing", 28),
                S::As("family-court-adviser"),
                S::Move("allocated"),
                S::Move("enquiries"),
                S::Note(
                    Contact,
                    4,
                    "Saw Oscar at his mother's home. He showed me his Lego models and talked about his dad's new flat. He would like to stay over at his dad's at weekends.",
                ),
                S::Note(EMAIL_NOTE, 0, "Emailed both parents' solicitors to arrange the father's interview next week."),
            ],
        },
        CaseSpec {
            key: "robinson",
            who: Who::New(PersonSpec {
                related: &[(Parent, "Amy", "Robinson"), (Parent, "Jason", "Robinson")],
                ..person("Leah", "Robinson", (7, 12, 9), &[Id::Nhs(999_300_500)])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[C100],
                ..referral(
                    "business-support",
                    Agency,
                    30,
                    "Child arrangements application by Leah's father; her mother opposes overnight stays.",
                )
            },
            open: Open::Decided("service-manager"),
            level: Some("private-law"),
            worker: Some("family-court-adviser"),
            team: Some(KINGSMERE),
            steps: &[
                S::As("family-court-adviser"),
                S::Move("allocated"),
                S::Move("enquiries"),
                S::Note(
                    Contact,
                    2,
                    "Saw Leah at school. She told me something about a visit to her father's home that raises a child-protection concern. I explained that I would need to tell people whose job is to keep her safe.",
                ),
                S::Note(
                    Phone,
                    2,
                    "Phoned Kingsmere Children's Services and made a child-protection referral. Told Leah's mother the same afternoon.",
                ),
                S::As("practice-supervisor"),
                S::Decide(D {
                    outcome: "s47-referral-made",
                    body: None,
                    list: "situational-supervision",
                    reason: "new-risk-information",
                    why: "Referral made after Leah's comments; the local authority has started enquiries under section 47.",
                }),
                S::Flag("s47-referral"),
                S::Date("s47-referral", -2),
                S::Note(
                    Supervision,
                    1,
                    "Situational supervision after the s.47 referral. Actions: FCA to follow up the outcome of the enquiry within a week and tell the court in writing before the next hearing.",
                ),
                S::Task(T {
                    title: "Follow up the outcome of the s.47 enquiry with Children's Services",
                    to: To::User("family-court-adviser"),
                    due: Some(5),
                    end: End::Open,
                }),
            ],
        },
        CaseSpec {
            key: "clarke",
            who: Who::New(PersonSpec {
                related: &[(Parent, "Jodie", "Clarke")],
                ..person("Aiden", "Clarke", (6, 9, 3), &[Id::Nhs(999_300_600)])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[C100],
                ..referral(
                    "business-support",
                    Agency,
                    3,
                    "New C100 application: the mother applies for a child arrangements order. First hearing in four weeks. Safeguarding checks with the police and the local authority are needed before the hearing.",
                )
            },
            open: Open::Direct,
            level: Some("private-law"),
            worker: None,
            team: Some(KINGSMERE),
            steps: &[
                S::Move("safeguarding-checks"),
                S::Date("proceedings-issued", -3),
                S::Date("next-hearing", 26),
                S::Task(T {
                    title: "Send safeguarding check requests to the police and the local authority",
                    to: To::Me,
                    due: Some(1),
                    end: End::Done("Requests sent."),
                }),
                S::Task(T {
                    title: "Allocate an FCA for the safeguarding interviews",
                    to: To::Queue("unallocated"),
                    due: Some(3),
                    end: End::Open,
                }),
            ],
        },
        CaseSpec {
            key: "grant",
            who: Who::New(PersonSpec {
                related: &[(Parent, "Fiona", "Grant")],
                ..person("Isla", "Grant", (11, 4, 4), &[Id::Nhs(999_300_700)])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[C100],
                ..referral(
                    "business-support",
                    Agency,
                    160,
                    "Order making Isla a party under rule 16.4 in her parents' dispute about where she lives.",
                )
            },
            open: Open::Decided("service-manager"),
            level: Some("private-law-r16-4"),
            worker: Some("family-court-adviser"),
            team: Some(KINGSMERE),
            steps: &[
                S::As("family-court-adviser"),
                S::Move("allocated"),
                S::Move("reporting"),
                S::Note(
                    Analysis,
                    10,
                    "Final analysis filed: recommend Isla lives with her mother and spends alternate weekends and half of the holidays with her father, as she wished.",
                ),
                S::Move("awaiting-hearing"),
                S::Note(
                    Meeting,
                    1,
                    "Final hearing: the court made a child arrangements order in line with the recommendation. I wrote to Isla to explain the outcome in words she will understand.",
                ),
                S::As("practice-supervisor"),
                S::Decide(D {
                    outcome: "case-plan-reviewed",
                    body: None,
                    list: "situational-supervision",
                    reason: "review-date-reached",
                    why: "Final order made; closing summary and letter to Isla checked.",
                }),
                S::Close("final-order"),
            ],
        },
        CaseSpec {
            key: "hale",
            who: Who::New(PersonSpec {
                related: &[(Parent, "Daniel", "Hale")],
                ..person("Jacob", "Hale", (9, 10, 22), &[Id::Nhs(999_300_800)])
            }),
            earlier: &[],
            referral: Ref {
                forms: &[C100],
                ..referral("business-support", Agency, 90, "Child arrangements application by Jacob's father.")
            },
            open: Open::Decided("service-manager"),
            level: Some("private-law"),
            worker: Some("family-court-adviser"),
            team: Some(KINGSMERE),
            steps: &[
                S::As("business-support"),
                S::Date("proceedings-issued", -95),
                S::As("family-court-adviser"),
                S::Move("allocated"),
                S::Note(
                    Phone,
                    20,
                    "Jacob's father told me he is withdrawing his application because the parents have agreed arrangements between them.",
                ),
                S::As("practice-supervisor"),
                S::Close("application-withdrawn"),
                S::As("head-of-practice"),
                S::Reopen(
                    "The father has made a fresh application in the same court after the agreement broke down, and the judge asked for the same FCA. Reopened so that the earlier work stays together.",
                ),
                S::As("family-court-adviser"),
                S::Move("enquiries"),
                S::Note(
                    Contact,
                    0,
                    "Saw Jacob at home. He remembered me and said things were better when his parents agreed. He wants to see his dad every Saturday.",
                ),
            ],
        },
    ],
    referrals: &[
        ReferralOnly {
            who: Who::New(person("Freddie", "Lowe", (5, 1, 12), &[Id::Nhs(999_301_000)])),
            chain: &[(
                Ref {
                    forms: &[C100],
                    ..referral("business-support", Agency, 1, "New C100 application received from the court.")
                },
                Outcome::Pending,
            )],
        },
        ReferralOnly {
            who: Who::New(person("Maya", "Fenton", (12, 6, 6), &[Id::Nhs(999_301_100)])),
            chain: &[(
                Ref {
                    forms: &[C100],
                    ..referral(
                        "business-support",
                        Agency,
                        0,
                        "Application to vary a child arrangements order; the court asks for a safeguarding letter.",
                    )
                },
                Outcome::Pending,
            )],
        },
        ReferralOnly {
            who: Who::New(person("Harry", "Sutton", (9, 3, 15), &[Id::Nhs(999_301_200)])),
            chain: &[(
                Ref { forms: &[C100], ..referral("business-support", Agency, 6, "C100 application sent to us in error.") },
                Outcome::Reject {
                    by: "service-manager",
                    reason: "outside-area",
                    why: "Issued at a court outside our area; returned to the court to send to the local team.",
                },
            )],
        },
        ReferralOnly {
            who: Who::SameAs("thompson"),
            chain: &[(
                referral(
                    "business-support",
                    BY_EMAIL,
                    8,
                    "Second notification from the court about Ellie Thompson's proceedings.",
                ),
                Outcome::Reject {
                    by: "service-manager",
                    reason: "duplicate",
                    why: "Ellie is already open to us in these proceedings.",
                },
            )],
        },
        ReferralOnly {
            who: Who::New(person("Lily", "Mercer", (6, 8, 8), &[Id::Nhs(999_301_300)])),
            chain: &[(
                referral(
                    "business-support",
                    Form,
                    10,
                    "Letter from Lily's grandmother about seeing Lily; no application issued.",
                ),
                Outcome::File {
                    by: "service-manager",
                    why: "No proceedings. Kept on file; the grandmother was told about mediation and how to apply.",
                },
            )],
        },
    ],
};

/// A one-page PDF holding `text`, as a demo upload.
fn pdf_file(title: &str, text: &str) -> crate::documents::NewFile {
    let escape = |line: &str| line.replace('\\', "\\\\").replace('(', "\\(").replace(')', "\\)");
    let mut lines = vec![escape(title), String::new()];
    let mut line = String::new();
    for word in text.split_whitespace() {
        if line.len() + word.len() > 85 {
            lines.push(escape(&line));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(escape(&line));
    let content: String = std::iter::once("BT /F1 11 Tf 14 TL 56 780 Td".to_owned())
        .chain(lines.iter().map(|l| format!("({l}) Tj T*")))
        .chain(std::iter::once("ET".to_owned()))
        .collect::<Vec<_>>()
        .join("\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{object}\nendobj\n", i + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for offset in offsets {
        pdf.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.push_str(&format!("trailer << /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1));
    let file_name = format!("{}.pdf", title.to_lowercase().replace(' ', "-"));
    crate::documents::NewFile { file_name, content: pdf.into_bytes().into() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::CaseQuery;
    use crate::{ServiceCatalog, Store, SystemClock};
    use casework_domain::access::{Permission, Reach};
    use casework_domain::task::TaskStatus;
    use std::sync::Arc;

    async fn fresh_app(dir: &std::path::Path) -> App {
        let store = Store::open(&casework_store::testing::fresh_database(dir, "demo.sqlite").await.unwrap()).await.unwrap();
        let services = concat!(env!("CARGO_MANIFEST_DIR"), "/../../services");
        let mut files = Vec::new();
        for entry in std::fs::read_dir(services).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
            }
        }
        let catalog = ServiceCatalog::from_texts(files.iter().map(|(n, t)| (n.as_str(), t.as_str()))).unwrap();
        let documents = crate::DocumentStorage::local(&dir.join("documents")).unwrap();
        App::new(store, catalog, Arc::new(SystemClock)).with_documents(documents)
    }

    /// A user who may read every case of every service (through each service's widest role).
    async fn reader(app: &App) -> Actor {
        let system = system_actor();
        let account =
            app.create_user(&system, NewUser::parse("test.reader", "Test Reader", DEMO_PASSWORD, false).unwrap()).await.unwrap();
        for definition in app.services.all() {
            let role = definition
                .roles
                .iter()
                .find(|r| r.reach == Reach::Service && r.permissions.contains(&Permission::CaseRead))
                .unwrap_or_else(|| panic!("{} has no service-wide reader", definition.code()));
            app.grant_role(&system, account.id, definition.code(), &role.code).await.unwrap();
        }
        app.actor(account.id).await.unwrap().unwrap()
    }

    #[tokio::test]
    async fn the_demo_covers_every_service_role_and_kind_of_record() {
        let dir = tempfile::tempdir().unwrap();
        let app = fresh_app(dir.path()).await;
        app.register_services().await.unwrap();
        let summary = populate(&app).await.unwrap();

        let system = system_actor();
        assert!(summary.users.iter().any(|u| u.username == "admin"));
        assert!(app.find_user(&system, "admin").await.unwrap().administrator);
        for definition in app.services.all() {
            for role in &definition.roles {
                let username = format!("{}.{}", definition.code(), role.code);
                let account = app.find_user(&system, &username).await.unwrap();
                assert!(account.roles.iter().any(|g| &g.service == definition.code() && g.role == role.code), "{username}");
                assert!(summary.users.iter().any(|u| u.username == username));
            }
        }

        let reader = reader(&app).await;
        let (mut total, mut late, mut addenda, mut cancelled, mut closed, mut shadows, mut remade) = (0, 0, 0, 0, 0, 0, 0);
        let (mut disclosures, mut flagged, mut statutory) = (0, 0, 0);
        for definition in app.services.all() {
            let query = CaseQuery { service: Some(definition.code().clone()), limit: 200, ..Default::default() };
            let cases = app.list_cases(&reader, &query).await.unwrap();
            assert!(cases.len() >= 5, "{} has {} cases", definition.code(), cases.len());
            total += cases.len();
            for summary in &cases {
                closed += usize::from(summary.status == "closed");
                let notes = app.case_notes(&reader, summary.id, None, 200).await.unwrap();
                late += notes.iter().filter(|n| n.late_entry).count();
                addenda += notes.iter().filter(|n| n.addendum_to.is_some()).count();
                let tasks = app.case_tasks(&reader, summary.id, None, 200).await.unwrap();
                cancelled += tasks.iter().filter(|t| matches!(t.status, TaskStatus::Cancelled { .. })).count();
                let case = app.get_case(&reader, summary.id).await.unwrap().case;
                shadows += case.links.iter().filter(|l| l.kind == LinkKind::ShadowOf).count();
                let shared = app.case_disclosures(&reader, summary.id).await.unwrap();
                disclosures += shared.len();
                flagged += shared.iter().filter(|d| d.flag.is_some()).count();
                statutory += shared
                    .iter()
                    .filter(|d| matches!(d.disclosure.basis, casework_domain::disclosure::Basis::Statutory { .. }))
                    .count();
            }
            let referrals = app.list_referrals(&reader, Some(definition.code()), None, None, None, 200).await.unwrap();
            for outcome in ["pending", "accepted", "rejected", "kept-on-file"] {
                assert!(referrals.iter().any(|r| r.outcome.name() == outcome), "{} has no {outcome} referral", definition.code());
            }
            remade += referrals.iter().filter(|r| r.previous.is_some()).count();
            if !definition.service.closes_cases {
                assert!(cases.iter().all(|c| c.status == "open"), "{} closed a case", definition.code());
            }
        }
        assert_eq!(total, summary.cases);
        assert!(late >= 1, "no late entry");
        assert!(addenda >= 1, "no addendum");
        assert!(cancelled >= 1, "no cancelled task");
        assert!(closed >= 1, "no closed case");
        assert!(shadows >= 1, "no shadow case");
        assert!(remade >= 1, "no referral made again after a decline");
        assert!(disclosures >= 4 && statutory >= 3, "{disclosures} disclosures, {statutory} on a statutory basis");
        assert!(flagged >= 1, "no disclosure flagged by a withdrawn consent");
        assert!(summary.referrals > summary.cases, "some referrals should not have become cases");
        assert!(summary.notes >= total);

        // One restricted and one shielded case: the caseworker named on them sees both, the
        // supervisor (not named) neither, and may open only the restricted one by break-glass.
        let as_user = |username: &'static str| {
            let (app, system) = (&app, &system);
            async move {
                let id = app.find_user(system, username).await.unwrap().id;
                app.actor(id).await.unwrap().unwrap()
            }
        };
        let query = CaseQuery { service: Some(Code::parse("child-survivor").unwrap()), limit: 200, ..Default::default() };
        let caseworker = as_user("child-survivor.caseworker").await;
        let supervisor = as_user("child-survivor.supervisor").await;
        let theirs = app.list_cases(&caseworker, &query).await.unwrap();
        let restricted: Vec<_> =
            theirs.iter().filter(|c| c.person_name.ends_with("Quinn") || c.person_name.ends_with("Marsh")).collect();
        assert_eq!(restricted.len(), 2);
        let seen = app.list_cases(&supervisor, &query).await.unwrap();
        assert!(restricted.iter().all(|r| seen.iter().all(|c| c.id != r.id)));
        let mut answers: Vec<String> = Vec::new();
        for case in &restricted {
            answers.push(match app.get_case(&supervisor, case.id).await {
                Err(AppError::BreakGlassPossible) => "break-glass".into(),
                Err(AppError::NotFound(_)) => "not found".into(),
                other => format!("{other:?}"),
            });
        }
        answers.sort();
        assert_eq!(answers, ["break-glass", "not found"]);
        // Documents of every kind: restricted, do not disclose with a redacted copy, paper.
        let mut documents = Vec::new();
        let mut conn = app.store.read().await.unwrap();
        for definition in app.services.all() {
            let query = CaseQuery { service: Some(definition.code().clone()), limit: 200, ..Default::default() };
            for case in app.list_cases(&reader, &query).await.unwrap() {
                documents.extend(casework_store::documents::for_case(&mut conn, case.id, true).await.unwrap());
            }
        }
        use casework_domain::document::Classification;
        assert!(documents.iter().any(|d| d.classification == Classification::Restricted), "no restricted document");
        assert!(documents.iter().any(|d| d.classification == Classification::DoNotDisclose), "no do-not-disclose document");
        assert!(documents.iter().any(|d| d.redacts.is_some()), "no redacted copy");
        assert!(documents.iter().any(|d| d.paper.is_some()), "no paper document");
        assert!(documents.iter().all(|d| d.file.as_ref().is_none_or(|f| f.media_type == "application/pdf")));
        drop(conn);

        // Subject access: one request due within the week, one awaiting proof of identity.
        let dean = as_user("deanery.deputy-dean").await;
        let deanery = app.subject_access_requests(&dean, &Code::parse("deanery").unwrap(), false).await.unwrap();
        assert_eq!(deanery.len(), 1);
        let today = casework_domain::time::day_of(app.now());
        let due = deanery[0].due_on.unwrap();
        assert!(due >= today && due <= today.checked_add(Span::new().days(8)).unwrap(), "due {due}, today {today}");
        let manager = as_user("recovery.service-manager").await;
        let recovery = app.subject_access_requests(&manager, &Code::parse("recovery").unwrap(), false).await.unwrap();
        assert_eq!(recovery.len(), 1);
        assert_eq!(recovery[0].request.status, casework_domain::subject_access::Status::AwaitingIdentity);
    }
}
