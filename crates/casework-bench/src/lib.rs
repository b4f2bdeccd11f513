//! A realistic installation to measure against: people, referrals and cases over the
//! services' own definitions, with their contact logs, forms, tasks, timers, alerts, plans,
//! history and access log, dated over the three years before a given instant.
//!
//! Everything here is pure: it makes records and hands them to the store in batches
//! (`casework_store::bulk`). Each case is made from its own random stream, seeded from the
//! run's seed and the case's number, so the same seed, instant and staff give the same
//! records however they are batched. Record ids are UUIDv7 stamped with the record's own
//! time, so lists ordered by id read in time order as they would in real use.
//!
//! Changes to a case go through the domain's own commands (`Case::move_to_stage`,
//! `Case::close`, `Timer::start`, …), so only moves the service allows are made and every
//! history event carries the before and after those commands give.

pub mod forms;
pub mod text;

use casework_domain::alert::AlertRule;
use casework_domain::calendar::Calendar;
use casework_domain::case::{Case, CaseReference, CaseStatus};
use casework_domain::history::{Change, Event, EventKind, Subject};
use casework_domain::ids::{CaseId, EventId, NoteId, PersonId, ReferralId, TaskId, TeamId, UserId};
use casework_domain::note::{Note, NoteKind, is_late_entry};
use casework_domain::plan::Objective;
use casework_domain::referral::{AttachedForm, Referral, ReferralOutcome, ReferralSource};
use casework_domain::service::ServiceDefinition;
use casework_domain::task::{Assignee, Task, TaskStatus};
use casework_domain::text::{Code, LongText, ShortText};
use casework_domain::time::{day_of, from_micros, to_micros};
use casework_domain::timer::{Timer, TimerChange, Trigger};
use casework_store::alerts::{Alert, StoredSchedule};
use casework_store::bulk::{AccessRecord, Batch, PersonRecord};
use casework_store::forms::Submission;
use casework_store::plans::PlanDates;
use casework_store::timers::StoredTimer;
use jiff::Timestamp;
use jiff::civil::Date;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use uuid::Uuid;

const MINUTE: i64 = 60_000_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// How far back the installation's cases were opened.
const HISTORY: i64 = 3 * 365 * DAY;
/// Notes per case are drawn evenly from this range: ten on average.
const NOTES_PER_CASE: std::ops::RangeInclusive<usize> = 5..=15;
/// A share of cases is closed, in services that close cases.
const CLOSED_SHARE: f64 = 0.3;
/// One case in this many comes with a referral about someone else that was not accepted.
const UNACCEPTED_REFERRAL_ONE_IN: u32 = 20;
/// Alerts fired per rule and case at most; later ones would fire at the next sweep.
const ALERTS_PER_SCHEDULE: u32 = 12;

/// A team of the service and the workers in it.
#[derive(Debug, Clone)]
pub struct Team {
    pub id: TeamId,
    pub workers: Vec<UserId>,
}

/// Who works in a service: its teams, and one user for each of its roles.
#[derive(Debug, Clone)]
pub struct ServiceStaff {
    pub definition: Arc<ServiceDefinition>,
    /// The version of the definition the service's cases follow.
    pub version: u32,
    pub teams: Vec<Team>,
    pub role_users: BTreeMap<Code, UserId>,
}

/// The role a service's caseworkers hold: one that writes notes on the cases of their team
/// or their own, else one that writes notes at all.
pub fn worker_role(definition: &ServiceDefinition) -> Option<&Code> {
    use casework_domain::access::{Permission, Reach};
    let writes = |role: &&casework_domain::access::Role| {
        role.permissions.contains(&Permission::NoteAdd) && role.permissions.contains(&Permission::CaseUpdate)
    };
    definition
        .roles
        .iter()
        .filter(writes)
        .find(|role| matches!(role.reach, Reach::Team | Reach::Allocated))
        .or_else(|| definition.roles.iter().find(writes))
        .map(|role| &role.code)
}

/// A service ready to make cases for.
struct Prepared {
    staff: ServiceStaff,
    calendar: Calendar,
    /// Subjects of the service's own, for note texts.
    topics: Vec<String>,
    /// Who records referrals and opens cases.
    intake: UserId,
    /// Who allocates cases.
    allocator: UserId,
    /// For each stage a case can reach, the moves from the initial stage to it.
    paths: Vec<Vec<Code>>,
}

/// Makes cases one at a time into batches.
#[derive(Debug)]
pub struct Generator {
    services: Vec<Prepared>,
    seed: u64,
    now: Timestamp,
    last_numbers: BTreeMap<(Code, i16), u32>,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Prepared({})", self.staff.definition.code())
    }
}

impl Generator {
    /// Cases are shared evenly among `services`, in their order, and dated before `now`.
    pub fn new(services: Vec<ServiceStaff>, seed: u64, now: Timestamp) -> Generator {
        let services = services.into_iter().map(prepare).collect();
        Generator { services, seed, now, last_numbers: BTreeMap::new() }
    }

    /// The highest reference number given in each service and year so far.
    pub fn last_numbers(&self) -> &BTreeMap<(Code, i16), u32> {
        &self.last_numbers
    }

    /// When case number `index` opens, without making it: a load that makes its cases in
    /// this order gives the database ids that arrive nearly in order (they are UUIDv7s of
    /// when each record was made), and reference numbers that grow with the date.
    pub fn opened_at(&self, index: u64) -> Timestamp {
        instant(self.draw_opened_at(&mut self.choices_of(index)))
    }

    /// The random choices of case number `index`: its own, so cases can be made in any order.
    fn choices_of(&self, index: u64) -> StdRng {
        StdRng::seed_from_u64(self.seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// A case's first choice: how long before now it opened.
    fn draw_opened_at(&self, rng: &mut StdRng) -> i64 {
        to_micros(self.now) - rng.gen_range(2 * DAY..HISTORY)
    }

    /// Makes case number `index` (from 0) with everything recorded about it, into `batch`.
    pub fn case(&mut self, index: u64, batch: &mut Batch) {
        if self.services.is_empty() {
            return;
        }
        let mut rng = self.choices_of(index);
        let service_index = usize::try_from(index % self.services.len() as u64).unwrap_or_default();
        let now = to_micros(self.now);
        let opened_at = self.draw_opened_at(&mut rng);
        let year = instant(opened_at).to_zoned(jiff::tz::TimeZone::UTC).year();
        let service = &self.services[service_index];
        let number = self.last_numbers.entry((service.staff.definition.code().clone(), year)).or_insert(0);
        *number += 1;
        let reference = CaseReference::new(&service.staff.definition.service.reference_prefix, year, *number);
        let mut maker = CaseMaker { service, rng: &mut rng, now, batch, changes: Vec::new() };
        maker.make(reference, opened_at);
        if maker.rng.gen_ratio(1, UNACCEPTED_REFERRAL_ONE_IN) {
            maker.unaccepted_referral(opened_at);
        }
    }
}

fn prepare(staff: ServiceStaff) -> Prepared {
    use casework_domain::access::Permission;
    let definition = staff.definition.clone();
    let holder = |permission: Permission| {
        definition
            .roles
            .iter()
            .filter(|role| role.permissions.contains(&permission))
            .find_map(|role| staff.role_users.get(&role.code).copied())
            .unwrap_or_else(system)
    };
    let intake = holder(Permission::CaseCreate);
    let allocator = holder(Permission::CaseAllocate);
    // Stage names without their numbering ("iii. Case action planning").
    let mut topics: Vec<String> =
        definition.stages.iter().map(|s| s.name.rsplit(". ").next().unwrap_or(&s.name).to_lowercase()).collect();
    topics.extend(definition.forms.iter().map(|f| f.name.to_lowercase()));
    // Breadth first from the initial stage, so each stage is reached by its shortest way.
    let mut paths: BTreeMap<Code, Vec<Code>> = BTreeMap::new();
    paths.insert(definition.initial_stage.clone(), Vec::new());
    let mut queue = VecDeque::from([definition.initial_stage.clone()]);
    while let Some(stage) = queue.pop_front() {
        let path = paths.get(&stage).cloned().unwrap_or_default();
        for next in definition.stage(&stage).map(|s| s.next.clone()).unwrap_or_default() {
            if !paths.contains_key(&next) {
                let mut longer = path.clone();
                longer.push(next.clone());
                paths.insert(next.clone(), longer);
                queue.push_back(next);
            }
        }
    }
    let paths = definition.stages.iter().filter_map(|s| paths.get(&s.code).cloned()).collect();
    Prepared { calendar: definition.calendar(), staff, topics, intake, allocator, paths }
}

/// The account the server's own work (timer and alert sweeps) is recorded as.
fn system() -> UserId {
    UserId::from_uuid(Uuid::nil())
}

fn instant(micros: i64) -> Timestamp {
    from_micros(micros).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A UUIDv7 for a record made at `micros`.
fn uuid_at(rng: &mut StdRng, micros: i64) -> Uuid {
    let bytes: [u8; 10] = rng.r#gen();
    uuid::Builder::from_unix_timestamp_millis(u64::try_from(micros / 1000).unwrap_or_default(), &bytes).into_uuid()
}

/// A UUIDv7 for the `sequence`th event of a case: the sequence sits in the bits after the
/// time, so events of the same millisecond still sort in the order they happened.
fn uuid_in_sequence(rng: &mut StdRng, micros: i64, sequence: usize) -> Uuid {
    let mut bytes: [u8; 10] = rng.r#gen();
    let sequence = u16::try_from(sequence.min(0x0FFF)).unwrap_or_default();
    bytes[0] = u8::try_from(sequence >> 8).unwrap_or_default();
    bytes[1] = u8::try_from(sequence & 0xFF).unwrap_or_default();
    uuid::Builder::from_unix_timestamp_millis(u64::try_from(micros / 1000).unwrap_or_default(), &bytes).into_uuid()
}

fn short(raw: &str) -> ShortText {
    ShortText::parse(raw).unwrap_or_else(|_| short("Note"))
}

fn long(raw: &str) -> LongText {
    LongText::parse(raw).unwrap_or_else(|_| long("Note"))
}

/// The making of one case.
struct CaseMaker<'a> {
    service: &'a Prepared,
    rng: &'a mut StdRng,
    now: i64,
    batch: &'a mut Batch,
    /// The case's history so far, stamped and ordered at the end.
    changes: Vec<(i64, UserId, Change)>,
}

/// When things happened on a case, for the triggers of timers and alert rules.
#[derive(Default)]
struct Moments {
    received: i64,
    opened: i64,
    allocated: Option<i64>,
    closed: Option<i64>,
    entered: BTreeMap<Code, i64>,
    flagged: BTreeMap<Code, i64>,
    submitted: BTreeMap<Code, i64>,
    timers_stopped: BTreeMap<Code, i64>,
}

impl Moments {
    fn of(&self, trigger: &Trigger) -> Option<i64> {
        match trigger {
            Trigger::ReferralReceived => Some(self.received),
            Trigger::CaseOpened => Some(self.opened),
            Trigger::Allocated => self.allocated,
            Trigger::CaseClosed => self.closed,
            Trigger::StageEntered { stage } => self.entered.get(stage).copied(),
            Trigger::FlagSet { flag } => self.flagged.get(flag).copied(),
            Trigger::FormSubmitted { form } => self.submitted.get(form).copied(),
            Trigger::TimerStopped { timer } => self.timers_stopped.get(timer).copied(),
            Trigger::StageLeft { .. } | Trigger::FlagRemoved { .. } => None,
        }
    }
}

impl<'a> CaseMaker<'a> {
    fn definition(&self) -> &ServiceDefinition {
        &self.service.staff.definition
    }

    fn record(&mut self, at: i64, actor: UserId, change: Change) {
        self.changes.push((at, actor, change));
    }

    fn between(&mut self, from: i64, to: i64) -> i64 {
        if to > from { self.rng.gen_range(from..=to) } else { from }
    }

    fn person(&mut self, at: i64) -> (PersonId, String) {
        let id = PersonId::from_uuid(uuid_at(self.rng, at));
        let given = text::GIVEN_NAMES.choose(self.rng).copied().unwrap_or("Alex");
        let family = text::FAMILY_NAMES.choose(self.rng).copied().unwrap_or("Smith");
        // The services of children have younger people.
        let children = matches!(self.definition().code().as_str(), "child-survivor" | "family-court");
        let born = if children { self.rng.gen_range(2008..=2021) } else { self.rng.gen_range(1955..=2002) };
        let date_of_birth = Date::new(born, self.rng.gen_range(1..=12), self.rng.gen_range(1..=28)).ok();
        let known_as =
            self.rng.gen_ratio(1, 10).then(|| short(&given[..given.char_indices().nth(3).map_or(given.len(), |(i, _)| i)]));
        self.batch.people.push(PersonRecord {
            id,
            given_name: short(given),
            family_name: short(family),
            known_as,
            date_of_birth,
            created_by: self.service.intake,
            created_at: instant(at),
        });
        (id, given.to_owned())
    }

    fn topics(&self) -> Vec<&'a str> {
        self.service.topics.iter().map(String::as_str).collect()
    }

    fn form_answers(&mut self, form: &Code, by: UserId, at: i64) -> Option<AttachedForm> {
        let definition = self.service.staff.definition.clone();
        let form_definition = definition.form(form)?;
        let topics = self.topics();
        let answers = forms::answers(self.rng, &form_definition.schema, &topics);
        // Only scored forms are checked here, for their score; the answers are made to fit.
        let score = if form_definition.scoring.is_some() { form_definition.check_answers(&answers).ok().flatten() } else { None };
        Some(AttachedForm {
            form: form.clone(),
            answers,
            completed_by: form_definition.filled_by.first().cloned()?,
            score,
            submitted_by: by,
            submitted_at: instant(at),
        })
    }

    fn referral(&mut self, person: PersonId, received_at: i64, outcome: ReferralOutcome) -> Referral {
        let definition = self.service.staff.definition.clone();
        let intake = self.service.intake;
        let source = if definition.referrals.sources.is_empty() {
            *[
                ReferralSource::SelfReferral,
                ReferralSource::Staff,
                ReferralSource::Agency,
                ReferralSource::Email,
                ReferralSource::Phone,
            ]
            .choose(self.rng)
            .unwrap_or(&ReferralSource::Staff)
        } else {
            *definition.referrals.sources.choose(self.rng).unwrap_or(&ReferralSource::Staff)
        };
        let forms: Vec<AttachedForm> = definition
            .referrals
            .valid_when
            .choose(self.rng)
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|form| self.form_answers(form, intake, received_at))
            .collect();
        let topics = self.topics();
        let summary = long(&text::phrase(self.rng, &topics));
        Referral {
            id: ReferralId::from_uuid(uuid_at(self.rng, received_at)),
            service: definition.code().clone(),
            person,
            source,
            received_at: instant(received_at),
            summary,
            forms,
            previous: None,
            outcome,
            recorded_by: intake,
        }
    }

    fn make(&mut self, reference: CaseReference, opened_at: i64) {
        let prepared: &Prepared = self.service;
        let definition = prepared.staff.definition.clone();
        let staff = &prepared.staff;
        let intake = self.service.intake;
        let allocator = self.service.allocator;
        let received_at = opened_at - self.rng.gen_range(0..4 * DAY);
        let (person, name) = self.person(received_at);
        let case_id = CaseId::from_uuid(uuid_at(self.rng, opened_at));
        let mut referral = self.referral(person, received_at, ReferralOutcome::Pending);
        referral.outcome = ReferralOutcome::Accepted { case: case_id, by: intake, at: instant(opened_at) };
        let mut moments = Moments { received: received_at, opened: opened_at, ..Moments::default() };

        let closes = definition.service.closes_cases && !definition.closure_reasons.is_empty();
        let closed_at = (closes && self.rng.gen_bool(CLOSED_SHARE)).then(|| {
            let lived = self.now - opened_at;
            opened_at + self.rng.gen_range(lived / 3..=lived.max(lived / 3 + 1))
        });
        let end = closed_at.unwrap_or(self.now);

        let mut case = Case {
            id: case_id,
            reference,
            service: definition.code().clone(),
            service_version: staff.version,
            person,
            referral: referral.id,
            stage: definition.initial_stage.clone(),
            level: None,
            status: CaseStatus::Open,
            worker: None,
            team: None,
            flags: Vec::new(),
            key_dates: BTreeMap::new(),
            links: Vec::new(),
            opened_at: instant(opened_at),
            version: 1,
            restriction: Default::default(),
            break_glass: Vec::new(),
        };
        let referral_forms = referral.forms.len();
        self.record(
            received_at,
            intake,
            Change::new(
                EventKind::ReferralReceived,
                Subject::Referral(referral.id),
                Value::Null,
                json!({ "service": referral.service, "person": person, "source": referral.source, "forms": referral_forms }),
            ),
        );
        self.record(
            opened_at,
            intake,
            Change::new(
                EventKind::CaseOpened,
                Subject::Case(case_id),
                Value::Null,
                json!({ "reference": case.reference, "referral": referral.id, "stage": case.stage, "level": case.level,
                        "worker": case.worker, "team": case.team }),
            ),
        );
        self.record(
            opened_at,
            intake,
            Change::new(
                EventKind::ReferralAccepted,
                Subject::Referral(referral.id),
                json!({ "outcome": "pending" }),
                json!(referral.outcome),
            ),
        );

        // The stage it has reached: every reachable stage is as likely.
        let path = self.service.paths.choose(self.rng).cloned().unwrap_or_default();
        // A case waiting at the start is sometimes not allocated yet.
        let allocate = !path.is_empty() || self.rng.gen_bool(0.6);
        let mut worker = intake;
        let mut updates = 0;
        if let Some(level) = definition.levels.choose(self.rng).map(|l| l.code.clone()).filter(|_| self.rng.gen_bool(0.8))
            && let Ok(change) = case.set_level(&definition, Some(level))
        {
            updates += 1;
            self.record(opened_at + MINUTE, allocator, change);
        }
        let mut from = opened_at;
        if allocate && let Some(team) = staff.teams.choose(self.rng) {
            let chosen = team.workers.choose(self.rng).copied();
            let at = self.between(opened_at + HOUR, (opened_at + 3 * DAY).min(end));
            if let Ok(change) = case.allocate(chosen, Some(team.id)) {
                updates += 1;
                self.record(at, allocator, change);
                moments.allocated = Some(at);
                worker = chosen.unwrap_or(intake);
                from = at;
            }
        }
        let steps = i64::try_from(path.len()).unwrap_or(1) + 1;
        for (step, stage) in (1_i64..).zip(&path) {
            let at = from + (end - from) * step / steps / 2 + self.rng.gen_range(0..HOUR);
            if let Ok(change) = case.move_to_stage(&definition, stage.clone()) {
                updates += 1;
                self.record(at, worker, change);
                moments.entered.insert(stage.clone(), at);
            }
        }
        if let Some(flag) = definition.flags.choose(self.rng).map(|f| f.code.clone()).filter(|_| self.rng.gen_ratio(3, 20)) {
            let at = self.between(opened_at, end);
            if let Ok(change) = case.set_flag(&definition, flag.clone(), worker, instant(at)) {
                updates += 1;
                self.record(at, worker, change);
                moments.flagged.insert(flag, at);
            }
        }
        if let Some(key_date) = definition.key_dates.choose(self.rng).map(|k| k.code.clone()).filter(|_| self.rng.gen_ratio(1, 4))
        {
            let at = self.between(opened_at, end);
            let date = day_of(instant(end)).checked_add(jiff::Span::new().days(self.rng.gen_range(-30..120))).ok();
            if let Ok(change) = case.set_key_date(&definition, key_date, date) {
                updates += 1;
                self.record(at, worker, change);
            }
        }

        self.notes(case_id, &name, worker, opened_at, end);
        let mut forms_done = self.timers(case_id, &mut moments, worker, end, closed_at);
        // A form or two beyond the deadlines' own; referral forms come with the referral and the
        // audit form is answered by auditors about a case, never on it.
        let audit_form = definition.reports.case_file_audit.as_ref().map(|audit| &audit.form);
        let case_forms: Vec<Code> = definition
            .forms
            .iter()
            .filter(|f| !definition.referrals.valid_when.iter().flatten().any(|r| r == &f.code))
            .filter(|f| Some(&f.code) != audit_form)
            .map(|f| f.code.clone())
            .collect();
        for _ in 0..self.rng.gen_range(0..=2) {
            if let Some(form) = case_forms.choose(self.rng).cloned() {
                let at = self.between(opened_at, end);
                self.submit(case_id, &form, worker, at, &mut moments);
                forms_done.push(form);
            }
        }
        self.tasks(case_id, worker, opened_at, end, closed_at.is_some());
        self.plan(case_id, &case, worker, &moments, end);
        if let Some(closed_at) = closed_at
            && let Some(reason) = definition.closure_reasons.choose(self.rng).cloned()
        {
            for step in &reason.requires {
                if step.when_flag.as_ref().is_none_or(|flag| case.has_flag(flag)) && !forms_done.contains(&step.form) {
                    self.submit(case_id, &step.form, worker, closed_at - HOUR, &mut moments);
                    forms_done.push(step.form.clone());
                }
            }
            if let Ok(change) = case.close(&definition, reason.code.clone(), worker, instant(closed_at), &forms_done) {
                updates += 1;
                self.record(closed_at, worker, change);
                moments.closed = Some(closed_at);
            }
        }
        self.alerts(&case, &moments, end);
        self.accesses(case_id, worker, opened_at, end);

        case.version = 1 + updates;
        let updated_at = self.changes.iter().filter(|(_, _, c)| c.subject == Subject::Case(case_id)).map(|(at, _, _)| *at).max();
        self.batch.referrals.push((referral, instant(received_at)));
        self.batch.cases.push((case, instant(updated_at.unwrap_or(opened_at))));
        self.stamp(Some(case_id));
    }

    /// The case's history, in the order it happened.
    fn stamp(&mut self, case: Option<CaseId>) {
        let mut changes = std::mem::take(&mut self.changes);
        changes.sort_by_key(|(at, _, _)| *at);
        for (sequence, (at, actor, change)) in changes.into_iter().enumerate() {
            self.batch.events.push(Event {
                id: EventId::from_uuid(uuid_in_sequence(self.rng, at, sequence)),
                case,
                actor,
                at: instant(at),
                kind: change.kind,
                subject: change.subject,
                before: change.before,
                after: change.after,
            });
        }
    }

    fn notes(&mut self, case: CaseId, name: &str, worker: UserId, from: i64, to: i64) {
        let count = self.rng.gen_range(NOTES_PER_CASE);
        let mut times: Vec<i64> = (0..count).map(|_| self.between(from, to)).collect();
        times.sort_unstable();
        let topics = self.topics();
        for contact_at in times {
            let late = self.rng.gen_ratio(1, 12);
            let delay = if late { self.rng.gen_range(DAY..3 * DAY) } else { self.rng.gen_range(5 * MINUTE..4 * HOUR) };
            let recorded_at = (contact_at + delay).min(self.now).max(contact_at);
            let kind = *[
                NoteKind::Contact,
                NoteKind::Phone,
                NoteKind::Email,
                NoteKind::Meeting,
                NoteKind::Supervision,
                NoteKind::Analysis,
            ]
            .choose(self.rng)
            .unwrap_or(&NoteKind::Contact);
            let note = Note {
                id: NoteId::from_uuid(uuid_at(self.rng, recorded_at)),
                case,
                kind,
                body: long(&text::note(self.rng, name, &topics)),
                contact_at: instant(contact_at),
                recorded_at: instant(recorded_at),
                author: worker,
                addendum_to: None,
                late_entry: is_late_entry(instant(contact_at), instant(recorded_at)),
            };
            self.record(recorded_at, worker, note_change(&note, EventKind::NoteAdded));
            // Now and then a correction follows.
            let addendum = self.rng.gen_ratio(1, 50).then(|| {
                let at = (recorded_at + self.rng.gen_range(HOUR..2 * DAY)).min(self.now);
                let mut addendum =
                    note.addendum(long(&format!("Correction: {}", text::phrase(self.rng, &topics))), worker, instant(at));
                addendum.id = NoteId::from_uuid(uuid_at(self.rng, at));
                (at, addendum)
            });
            self.batch.notes.push(note);
            if let Some((at, addendum)) = addendum {
                self.record(at, worker, note_change(&addendum, EventKind::AddendumAdded));
                self.batch.notes.push(addendum);
            }
        }
    }

    fn submit(&mut self, case: CaseId, form: &Code, by: UserId, at: i64, moments: &mut Moments) {
        let Some(answers) = self.form_answers(form, by, at) else { return };
        let submission = Submission { id: EventId::from_uuid(uuid_at(self.rng, at)), case, form: answers };
        self.record(
            at,
            by,
            Change::new(
                EventKind::FormSubmitted,
                Subject::Case(case),
                Value::Null,
                json!({ "form": submission.form.form, "submission": submission.id, "completed_by": submission.form.completed_by,
                        "score": submission.form.score }),
            ),
        );
        moments.submitted.entry(form.clone()).or_insert(at);
        self.batch.forms.push(submission);
    }

    /// The service's deadlines on the case: started by what started them, most stopped in
    /// time, some late, the rest running, breached or (on a closed case) cancelled. Returns
    /// the forms submitted to stop them.
    fn timers(&mut self, case: CaseId, moments: &mut Moments, worker: UserId, end: i64, closed_at: Option<i64>) -> Vec<Code> {
        let definition = self.service.staff.definition.clone();
        let mut forms_done = Vec::new();
        for timer_definition in &definition.timers {
            let Some(start) = moments.of(&timer_definition.start).filter(|start| *start < end) else { continue };
            let (mut timer, started) =
                Timer::start(timer_definition.code.clone(), timer_definition.target, &self.service.calendar, instant(start));
            let mut last_change = start;
            self.timer_change(case, start, worker, started);
            let due = to_micros(timer.due_at);
            let stop_at = start + (due - start) * self.rng.gen_range(3..14) / 10;
            let breach_noticed = due + MINUTE;
            if stop_at <= end && self.rng.gen_bool(0.85) {
                if stop_at > breach_noticed
                    && let Some(change) = timer.breach_if_due(instant(breach_noticed))
                {
                    self.timer_change(case, breach_noticed, system(), change);
                }
                if let Some(change) = timer.stop(instant(stop_at)) {
                    self.timer_change(case, stop_at, worker, change);
                    last_change = stop_at;
                    moments.timers_stopped.insert(timer_definition.code.clone(), stop_at);
                    if let Trigger::FormSubmitted { form } = &timer_definition.stop {
                        self.submit(case, form, worker, stop_at, moments);
                        forms_done.push(form.clone());
                    }
                }
            } else {
                if breach_noticed <= end
                    && let Some(change) = timer.breach_if_due(instant(breach_noticed))
                {
                    self.timer_change(case, breach_noticed, system(), change);
                    last_change = breach_noticed;
                }
                if let Some(closed_at) = closed_at
                    && let Some(change) = timer.cancel(instant(closed_at))
                {
                    self.timer_change(case, closed_at, worker, change);
                    last_change = closed_at;
                }
            }
            let stored = StoredTimer { id: EventId::from_uuid(uuid_at(self.rng, start)), case, timer };
            self.batch.timers.push((stored, instant(last_change)));
        }
        forms_done
    }

    fn timer_change(&mut self, case: CaseId, at: i64, actor: UserId, change: TimerChange) {
        self.record(at, actor, Change::new(change.kind.event_kind(), Subject::Case(case), change.before, change.after));
    }

    fn tasks(&mut self, case: CaseId, worker: UserId, from: i64, end: i64, closed: bool) {
        let definition = self.service.staff.definition.clone();
        let today = day_of(instant(self.now));
        for _ in 0..self.rng.gen_range(1..=3) {
            let created_at = self.between(from, end);
            let due_on = day_of(instant(created_at)).checked_add(jiff::Span::new().days(self.rng.gen_range(3..21))).ok();
            let assignee = match (self.rng.gen_range(0..4), definition.queues.choose(self.rng)) {
                (0, Some(queue)) => Assignee::Queue(queue.code.clone()),
                _ => Assignee::User(worker),
            };
            let mut task = Task {
                id: TaskId::from_uuid(uuid_at(self.rng, created_at)),
                case,
                title: short(&text::action(self.rng)),
                assignee,
                due_on,
                status: TaskStatus::Open,
                created_by: worker,
                created_at: instant(created_at),
                version: 1,
            };
            self.record(
                created_at,
                worker,
                Change::new(
                    EventKind::TaskCreated,
                    Subject::Task(task.id),
                    Value::Null,
                    json!({ "title": task.title, "assignee": task.assignee, "due_on": task.due_on }),
                ),
            );
            let past_due = due_on.is_some_and(|due| due < today);
            let ended_at = self.between(created_at, end);
            let ending = if past_due && self.rng.gen_bool(0.85) {
                task.complete(worker, instant(ended_at), None).ok()
            } else if closed {
                task.cancel(worker, instant(end), short("The case was closed")).ok()
            } else {
                None
            };
            if let Some(change) = ending {
                task.version += 1;
                let at = if matches!(task.status, TaskStatus::Cancelled { .. }) { end } else { ended_at };
                self.record(at, worker, change);
            }
            self.batch.tasks.push(task);
        }
    }

    fn plan(&mut self, case: CaseId, record: &Case, worker: UserId, moments: &Moments, end: i64) {
        let definition = self.service.staff.definition.clone();
        let rules = &definition.plan_reviews;
        if rules.every.is_none() && rules.by_level.is_empty() {
            return;
        }
        let Some(started) = moments.entered.values().min().copied() else { return };
        let started_on = day_of(instant(started));
        // Reviews kept up: the next one falls due around now.
        let mut next = rules.next_review(started_on, record.level.as_ref());
        let horizon = day_of(instant(end)).checked_sub(jiff::Span::new().days(self.rng.gen_range(0..21))).unwrap_or(started_on);
        for _ in 0..200 {
            match next {
                Some(date) if date < horizon => next = rules.next_review(date, record.level.as_ref()),
                _ => break,
            }
        }
        self.batch.plans.push((case, PlanDates { started_on, last_review_on: None, next_review_on: next }));
        for _ in 0..self.rng.gen_range(1..=3) {
            let target = started_on.checked_add(jiff::Span::new().days(self.rng.gen_range(14..120))).unwrap_or(started_on);
            let description = format!("{} and agree the next steps", text::action(self.rng));
            let Ok(mut objective) = Objective::new(
                case,
                &description,
                "Recorded at the next review",
                &target.to_string(),
                worker,
                instant(started),
                started_on,
            ) else {
                continue;
            };
            objective.id = EventId::from_uuid(uuid_at(self.rng, started));
            self.record(
                started,
                worker,
                Change::new(
                    EventKind::ObjectiveAdded,
                    Subject::Case(case),
                    Value::Null,
                    json!({ "objective": objective.id, "description": objective.description, "measure": objective.measure,
                            "target_date": objective.target_date }),
                ),
            );
            self.batch.objectives.push(objective);
        }
    }

    /// The alert rules running on the case and what they fired, as the sweep would have.
    fn alerts(&mut self, case: &Case, moments: &Moments, end: i64) {
        let definition = self.service.staff.definition.clone();
        for rule in &definition.alerts {
            let Some(start) = moments.of(&rule.start).filter(|start| *start < end) else { continue };
            let mut schedule = rule.schedule(instant(start));
            let schedule_id = EventId::from_uuid(uuid_at(self.rng, start));
            while schedule.occurrences < ALERTS_PER_SCHEDULE {
                let Some(due) = schedule.next_at.map(to_micros).filter(|due| *due <= end) else { break };
                let Some(occurrence) = schedule.take_due(rule, instant(due)) else { break };
                if rule.when.holds(case) {
                    self.alert(case, rule, schedule_id, occurrence.number, due);
                }
            }
            if moments.closed.is_some() {
                schedule.next_at = None;
            }
            self.batch.alert_schedules.push(StoredSchedule { id: schedule_id, case: case.id, rule: rule.code.clone(), schedule });
        }
    }

    fn alert(&mut self, case: &Case, rule: &AlertRule, schedule: EventId, occurrence: u32, due: i64) {
        let created_at = (due + MINUTE).min(self.now);
        let alert = Alert {
            id: EventId::from_uuid(uuid_at(self.rng, created_at)),
            case: case.id,
            case_reference: case.reference.to_string(),
            service: case.service.clone(),
            rule: Some(rule.code.clone()),
            schedule: Some(schedule),
            occurrence,
            recipient: Assignee::Role(rule.to.clone()),
            message: rule.name.clone(),
            fire_at: instant(due),
            created_by: system(),
            created_at: instant(created_at),
            acknowledged: None,
        };
        self.record(
            created_at,
            system(),
            Change::new(
                EventKind::AlertRaised,
                Subject::Case(case.id),
                Value::Null,
                json!({ "alert": alert.id, "rule": rule.code, "occurrence": occurrence, "to": rule.to }),
            ),
        );
        self.batch.alerts.push(alert);
    }

    /// Looks at the case by its worker and colleagues, for the access log.
    fn accesses(&mut self, case: CaseId, worker: UserId, from: i64, end: i64) {
        let colleagues: Vec<UserId> = self.service.staff.role_users.values().copied().collect();
        for _ in 0..self.rng.gen_range(3..=7) {
            let at = self.between(from, end);
            let user = if self.rng.gen_bool(0.7) { worker } else { colleagues.choose(self.rng).copied().unwrap_or(worker) };
            let what = *["case", "notes", "case", "history", "forms"].choose(self.rng).unwrap_or(&"case");
            self.batch.accesses.push(AccessRecord {
                id: EventId::from_uuid(uuid_at(self.rng, at)),
                user,
                case,
                at: instant(at),
                what,
            });
        }
    }

    /// A referral about someone else that did not become a case: declined with one of the
    /// service's reasons, or kept on file.
    fn unaccepted_referral(&mut self, around: i64) {
        let definition = self.service.staff.definition.clone();
        let intake = self.service.intake;
        let received_at = around - self.rng.gen_range(0..30 * DAY);
        let decided_at = received_at + self.rng.gen_range(HOUR..5 * DAY);
        let (person, _) = self.person(received_at);
        let outcome = match definition.rejection_reasons.choose(self.rng) {
            Some(reason) if self.rng.gen_bool(0.7) => {
                ReferralOutcome::Rejected { reason: reason.code.clone(), explanation: None, by: intake, at: instant(decided_at) }
            }
            _ => ReferralOutcome::KeptOnFile {
                explanation: Some(long("No further action at this time.")),
                by: intake,
                at: instant(decided_at),
            },
        };
        let mut referral = self.referral(person, received_at, ReferralOutcome::Pending);
        let kind = match outcome {
            ReferralOutcome::Rejected { .. } => EventKind::ReferralRejected,
            _ => EventKind::ReferralKeptOnFile,
        };
        referral.outcome = outcome;
        self.record(
            received_at,
            intake,
            Change::new(
                EventKind::ReferralReceived,
                Subject::Referral(referral.id),
                Value::Null,
                json!({ "service": referral.service, "person": person, "source": referral.source, "forms": referral.forms.len() }),
            ),
        );
        self.record(
            decided_at,
            intake,
            Change::new(kind, Subject::Referral(referral.id), json!({ "outcome": "pending" }), json!(referral.outcome)),
        );
        self.batch.referrals.push((referral, instant(received_at)));
        self.stamp(None);
    }
}

fn note_change(note: &Note, kind: EventKind) -> Change {
    Change::new(
        kind,
        Subject::Note(note.id),
        Value::Null,
        json!({ "kind": note.kind, "contact_at": note.contact_at, "late_entry": note.late_entry, "addendum_to": note.addendum_to }),
    )
}

#[cfg(test)]
mod tests;
