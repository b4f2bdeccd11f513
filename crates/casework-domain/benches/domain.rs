//! Micro-benchmarks of the rules every request leans on: the working-day calendar, the
//! timer sweep, the access check and form validation, on inputs made from the shipped
//! service definitions (`services/*.toml`). Run with `cargo bench -p casework-domain`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use casework_domain::access::{Actor, BreakGlassWindow, CaseScope, Membership, Permission, Reach, Restriction, RestrictionLevel};
use casework_domain::calendar::{Calendar, Nation};
use casework_domain::ids::{TeamId, UserId};
use casework_domain::service::ServiceDefinition;
use casework_domain::text::Code;
use casework_domain::timer::{Timer, sweep};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::hint::black_box;

/// The shipped service definitions, read as the tests read them.
fn shipped() -> Vec<ServiceDefinition> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../services");
    let mut definitions: Vec<ServiceDefinition> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .map(|path| ServiceDefinition::from_toml(&std::fs::read_to_string(&path).unwrap()).unwrap())
        .collect();
    definitions.sort_by(|a, b| a.code().cmp(b.code()));
    assert!(!definitions.is_empty(), "no service definitions in {dir}");
    definitions
}

/// A small, fixed sequence of numbers, so every run times the same inputs.
struct Sequence(u64);

impl Sequence {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound.max(1)
    }
}

fn calendar(c: &mut Criterion) {
    let definitions = shipped();
    let calendars: Vec<Calendar> = definitions.iter().map(ServiceDefinition::calendar).collect();
    let england = Calendar::new(Nation::EnglandAndWales);
    // Start days spread over two years, through Christmas, Easter and the May holidays.
    let mut sequence = Sequence(8);
    let starts: Vec<Date> =
        (0..1_000).map(|_| date(2026, 1, 1).checked_add(jiff::Span::new().days(sequence.below(730) as i64)).unwrap()).collect();

    let mut group = c.benchmark_group("calendar");
    group.bench_function("add 10 working days over Christmas", |b| {
        b.iter(|| england.add_working_days(black_box(date(2026, 12, 21)), black_box(10)));
    });
    group.bench_function("add 20 working days, 1000 starts, each service's calendar", |b| {
        b.iter(|| {
            for calendar in &calendars {
                for start in &starts {
                    black_box(calendar.add_working_days(*start, 20));
                }
            }
        });
    });
    group.bench_function("add 120 working days, 1000 starts", |b| {
        b.iter(|| {
            for start in &starts {
                black_box(england.add_working_days(*start, 120));
            }
        });
    });
    group.bench_function("working days between, 1000 pairs up to a year apart", |b| {
        b.iter(|| {
            for (i, start) in starts.iter().enumerate() {
                let end = starts[(i * 7 + 3) % starts.len()];
                black_box(england.working_days_between(*start, end));
            }
        });
    });
    group.finish();
}

/// Timers of every shipped definition, started at moments spread over a year, each counted
/// in its service's calendar: `count` of them.
fn started_timers(definitions: &[ServiceDefinition], count: usize) -> Vec<(usize, Timer)> {
    let definitions_with_timers: Vec<(usize, &ServiceDefinition)> =
        definitions.iter().enumerate().filter(|(_, d)| !d.timers.is_empty()).collect();
    assert!(!definitions_with_timers.is_empty(), "no shipped service has deadlines");
    let calendars: Vec<Calendar> = definitions.iter().map(ServiceDefinition::calendar).collect();
    let first: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
    let mut sequence = Sequence(2026);
    (0..count)
        .map(|i| {
            let (service, definition) = definitions_with_timers[i % definitions_with_timers.len()];
            let timer = &definition.timers[sequence.below(definition.timers.len() as u64) as usize];
            let at = first + SignedDuration::from_mins(sequence.below(365 * 24 * 60) as i64);
            (service, Timer::start(timer.code.clone(), timer.target, &calendars[service], at).0)
        })
        .collect()
}

fn timer_sweep(c: &mut Criterion) {
    let definitions = shipped();
    let calendars: Vec<Calendar> = definitions.iter().map(ServiceDefinition::calendar).collect();
    let started = started_timers(&definitions, 10_000);
    let timers: Vec<Timer> = started.iter().map(|(_, t)| t.clone()).collect();
    // An instant at which about half of them are past due.
    let mut due: Vec<Timestamp> = timers.iter().map(|t| t.due_at).collect();
    due.sort();
    let now = due[due.len() / 2];

    let mut group = c.benchmark_group("timer sweep");
    group.bench_function("sweep 10000 running timers, half past due", |b| {
        b.iter_batched_ref(
            || timers.clone(),
            |timers| {
                let breached = sweep(timers, black_box(now));
                assert_eq!(breached.len(), due.iter().filter(|d| **d < now).count());
            },
            BatchSize::LargeInput,
        );
    });
    group.bench_function("time left on 10000 timers (work lists, case pages)", |b| {
        b.iter(|| {
            for (service, timer) in &started {
                black_box(timer.left(&calendars[*service], now));
            }
        });
    });
    group.bench_function("start 1000 timers from the shipped definitions", |b| {
        b.iter(|| black_box(started_timers(&definitions, 1_000)));
    });
    group.finish();
}

/// A caseworker in every shipped service with a role of team reach (or the first role that
/// reads cases), in two teams of each.
fn caseworker(definitions: &[ServiceDefinition], teams: &[TeamId]) -> Actor {
    let memberships = definitions
        .iter()
        .filter_map(|definition| {
            let reads = |role: &&casework_domain::access::Role| role.permissions.contains(&Permission::CaseRead);
            let role = definition
                .roles
                .iter()
                .filter(reads)
                .find(|role| role.reach == Reach::Team)
                .or_else(|| definition.roles.iter().find(reads))?;
            Some(Membership {
                service: definition.code().clone(),
                role: role.clone(),
                teams: teams[..2].iter().copied().collect(),
            })
        })
        .collect();
    Actor { user: UserId::new(), username: "bench.worker".into(), administrator: false, memberships, as_of: Timestamp::now() }
}

/// The facts deciding access to `count` cases across the services: team, worker, and a
/// restriction on a few (some naming the actor's role, some with a break-glass grant).
struct Cases {
    services: Vec<Code>,
    rows: Vec<CaseFacts>,
}

/// What decides access to one case: its service (an index into `Cases::services`), team,
/// worker, restriction and break-glass grants.
type CaseFacts = (usize, Option<TeamId>, Option<UserId>, Restriction, Vec<BreakGlassWindow>);

fn cases(definitions: &[ServiceDefinition], teams: &[TeamId], actor: &Actor, count: usize) -> Cases {
    let services: Vec<Code> = definitions.iter().map(|d| d.code().clone()).collect();
    let others: Vec<UserId> = (0..20).map(|_| UserId::new()).collect();
    let mut sequence = Sequence(7);
    let rows = (0..count)
        .map(|i| {
            let service = i % services.len();
            let team = (sequence.below(10) > 0).then(|| teams[sequence.below(teams.len() as u64) as usize]);
            let worker = match sequence.below(20) {
                0 => Some(actor.user),
                1..=15 => Some(others[sequence.below(others.len() as u64) as usize]),
                _ => None,
            };
            let mut restriction = Restriction { level: RestrictionLevel::None, users: BTreeSet::new(), roles: BTreeSet::new() };
            let mut break_glass = Vec::new();
            match sequence.below(100) {
                0..=2 => {
                    restriction.level = RestrictionLevel::Restricted;
                    restriction.users.insert(others[0]);
                    if let Some(m) = actor.memberships.iter().find(|m| m.service == services[service]) {
                        restriction.roles.insert(m.role.code.clone());
                    }
                }
                3 => {
                    restriction.level = RestrictionLevel::Restricted;
                    break_glass.push(BreakGlassWindow {
                        user: actor.user,
                        reason: Code::parse("emergency").unwrap(),
                        until: actor.as_of + SignedDuration::from_hours(1),
                    });
                }
                4 => restriction.level = RestrictionLevel::Shielded,
                _ => {}
            }
            (service, team, worker, restriction, break_glass)
        })
        .collect();
    Cases { services, rows }
}

fn access(c: &mut Criterion) {
    let definitions = shipped();
    let teams: Vec<TeamId> = (0..8).map(|_| TeamId::new()).collect();
    let actor = caseworker(&definitions, &teams);
    let cases = cases(&definitions, &teams, &actor, 10_000);
    let scopes: Vec<CaseScope<'_>> = cases
        .rows
        .iter()
        .map(|(service, team, worker, restriction, break_glass)| CaseScope {
            service: &cases.services[*service],
            team: *team,
            worker: *worker,
            restriction,
            break_glass,
        })
        .collect();

    let mut group = c.benchmark_group("access");
    group.bench_function("may read, 10000 cases", |b| {
        b.iter(|| scopes.iter().filter(|scope| actor.may(Permission::CaseRead, **scope)).count());
    });
    group.bench_function("case filter built once, matched against 10000 cases", |b| {
        b.iter(|| {
            let filter = actor.case_filter(Permission::CaseRead);
            scopes.iter().filter(|scope| filter.iter().any(|f| f.matches(**scope))).count()
        });
    });
    group.bench_function("case filter built (once per list or search)", |b| {
        b.iter(|| black_box(actor.case_filter(black_box(Permission::CaseRead))));
    });
    group.finish();
}

/// Answers a form accepts: every property, the first choice of a list, the least number
/// allowed, a short text within its length.
fn valid_answers(schema: &Value) -> Map<String, Value> {
    let mut answers = Map::new();
    for (name, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        answers.insert(name.clone(), answer(property));
    }
    answers
}

fn answer(property: &Value) -> Value {
    if let Some(first) = property.get("enum").and_then(Value::as_array).and_then(|choices| choices.first()) {
        return first.clone();
    }
    if let Some(constant) = property.get("const") {
        return constant.clone();
    }
    match property.get("type").and_then(Value::as_str) {
        Some("integer" | "number") => property.get("minimum").cloned().unwrap_or(Value::from(0)),
        Some("boolean") => Value::Bool(true),
        Some("array") => Value::Array(Vec::new()),
        Some("object") => Value::Object(valid_answers(property)),
        _ if property.get("format").and_then(Value::as_str) == Some("date") => Value::from("2026-11-27"),
        _ => {
            let limit = property.get("maxLength").and_then(Value::as_u64).unwrap_or(200) as usize;
            Value::from("Seen at home; engaged well and agreed the next steps.".chars().take(limit.max(1)).collect::<String>())
        }
    }
}

fn form_validation(c: &mut Criterion) {
    let definitions = shipped();
    let forms: Vec<(&casework_domain::form::FormDefinition, Map<String, Value>)> = definitions
        .iter()
        .flat_map(|d| &d.forms)
        .map(|form| (form, valid_answers(&form.schema)))
        .filter(|(form, answers)| form.check_answers(answers).is_ok())
        .collect();
    assert!(!forms.is_empty(), "no shipped form accepts the answers made for it");
    let (largest, largest_answers) = forms
        .iter()
        .max_by_key(|(form, _)| form.schema.get("properties").and_then(Value::as_object).map_or(0, Map::len))
        .unwrap();
    // Wrong answers: every property given as a list, which no shipped field accepts.
    let wrong: Map<String, Value> = largest_answers.keys().map(|k| (k.clone(), Value::Array(vec![]))).collect();

    let mut group = c.benchmark_group("form validation");
    group.bench_function(format!("check answers, {} shipped forms", forms.len()), |b| {
        b.iter(|| {
            for (form, answers) in &forms {
                black_box(form.check_answers(answers).is_ok());
            }
        });
    });
    group.bench_function(format!("check answers, largest form ({})", largest.code), |b| {
        b.iter(|| black_box(largest.check_answers(black_box(largest_answers)).is_ok()));
    });
    group.bench_function(format!("check wrong answers, largest form ({})", largest.code), |b| {
        b.iter(|| black_box(largest.check_answers(black_box(&wrong)).is_err()));
    });
    group.bench_function(format!("compile the schema only, largest form ({})", largest.code), |b| {
        b.iter(|| black_box(jsonschema::validator_for(black_box(&largest.schema)).is_ok()));
    });
    group.finish();
}

criterion_group!(benches, calendar, timer_sweep, access, form_validation);
criterion_main!(benches);
