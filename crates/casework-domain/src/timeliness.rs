//! Timeliness: how well a service keeps the deadlines its definition promises, counted from
//! the timers as they stand, for a manager's report. Nothing here is particular to a
//! service: every timer of the definition gets the same figures.
//!
//! Each run of a timer counts **once**, in one month of the UK calendar:
//! - stopped in time (**met**) or stopped after its due time (**met late**): the month it
//!   was stopped, because that is when the work was done;
//! - **breached** and still open (or still running past its due time, not yet swept): the
//!   month it fell due, because that is when the promise was broken;
//! - still **running** or **paused** within its time: the month it is due (for a paused
//!   timer, as its due time stood when it was paused). These are open, not yet an outcome,
//!   so they are shown but do not count for or against the target;
//! - **cancelled** (the case closed before it was met or breached): not counted at all.
//!
//! *Within target* is met ÷ (met + met late + breached): of the deadlines that reached an
//! outcome, the share kept. A month with no outcome has no percentage rather than 0 %.
//!
//! Cases are counted under their current worker and team, as the work lists show them.

use crate::ids::{CaseId, TeamId, UserId};
use crate::time::{day_of, service_zone};
use crate::timer::{Target, Timer, TimerDefinition, TimerState};
use crate::{FieldError, Invalid};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// The longest period a report covers, so one request cannot ask for decades.
pub const MAX_MONTHS: u32 = 24;

/// A calendar month, written `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct Month {
    year: i16,
    month: i8,
}

impl Month {
    /// Reads `YYYY-MM` (years 2000 to 2099 are plenty for a case's deadlines).
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.split_once('-')?;
        if year.len() != 4 || month.len() != 2 || !(year.bytes().chain(month.bytes())).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (year, month): (i16, i8) = (year.parse().ok()?, month.parse().ok()?);
        ((2000..=2099).contains(&year) && (1..=12).contains(&month)).then_some(Month { year, month })
    }

    /// The month a day falls in.
    pub fn of(day: Date) -> Month {
        Month { year: day.year(), month: day.month() }
    }

    /// The month an instant falls in, in the UK.
    pub fn of_instant(instant: Timestamp) -> Month {
        Month::of(day_of(instant))
    }

    pub fn first_day(self) -> Date {
        Date::constant(self.year, self.month, 1)
    }

    pub fn next(self) -> Month {
        if self.month == 12 { Month { year: self.year + 1, month: 1 } } else { Month { year: self.year, month: self.month + 1 } }
    }

    /// The instant this month begins in the UK (midnight of its first day, London time).
    pub fn starts_at(self) -> Timestamp {
        self.first_day().to_zoned(service_zone()).map_or(Timestamp::MIN, |z| z.timestamp())
    }

    /// Months from `self` to `other`, both counted (0 when `other` is earlier).
    fn months_to(self, other: Month) -> u32 {
        let count = (i32::from(other.year) - i32::from(self.year)) * 12 + i32::from(other.month) - i32::from(self.month) + 1;
        u32::try_from(count).unwrap_or(0)
    }

    /// "December 2026".
    pub fn name(self) -> String {
        self.first_day().strftime("%B %Y").to_string()
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl From<Month> for String {
    fn from(month: Month) -> String {
        month.to_string()
    }
}

/// The months a report covers, from one month to another, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: Month,
    pub to: Month,
}

impl Period {
    /// Checks what a reader asked for: two months, `from` not after `to`, at most
    /// [`MAX_MONTHS`] apart. Problems name the fields `from` and `to`.
    pub fn parse(from: &str, to: &str) -> Result<Period, Invalid> {
        let mut problems = Invalid::new();
        let read = |field: &str, text: &str, problems: &mut Invalid| {
            let month = Month::parse(text.trim());
            if month.is_none() {
                problems.push(FieldError::new(field, "must be a month written YYYY-MM, e.g. 2026-12"));
            }
            month
        };
        let (from, to) = (read("from", from, &mut problems), read("to", to, &mut problems));
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                problems.push(FieldError::new("to", "must not be before the first month"));
            } else if from.months_to(to) > MAX_MONTHS {
                problems.push(FieldError::new("to", format!("a report covers at most {MAX_MONTHS} months")));
            }
        }
        problems.into_result()?;
        match (from, to) {
            (Some(from), Some(to)) => Ok(Period { from, to }),
            // Both were reported as problems above.
            _ => Err(Invalid::from(FieldError::new("from", "must be a month"))),
        }
    }

    /// The `months` months up to and including `last`.
    pub fn ending(last: Month, months: u32) -> Period {
        let mut from = last;
        for _ in 1..months.clamp(1, MAX_MONTHS) {
            from = if from.month == 1 {
                Month { year: from.year - 1, month: 12 }
            } else {
                Month { year: from.year, month: from.month - 1 }
            };
        }
        Period { from, to: last }
    }

    pub fn months(self) -> Vec<Month> {
        std::iter::successors(Some(self.from), |m| Some(m.next())).take_while(|m| *m <= self.to).collect()
    }

    pub fn contains(self, month: Month) -> bool {
        self.from <= month && month <= self.to
    }

    /// When the period begins and ends in the UK (the end is the first instant after it).
    pub fn bounds(self) -> (Timestamp, Timestamp) {
        (self.from.starts_at(), self.to.next().starts_at())
    }
}

/// Where a run of a timer stands for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Stopped at or before its due time.
    Met,
    /// Stopped after its due time.
    MetLate,
    /// Past its due time and still open.
    Breached,
    /// Open, its clock standing still.
    Paused,
    /// Open, within its time.
    Running,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [Outcome::Met, Outcome::MetLate, Outcome::Breached, Outcome::Paused, Outcome::Running];

    /// The name used in links and the API.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Met => "met",
            Outcome::MetLate => "met-late",
            Outcome::Breached => "breached",
            Outcome::Paused => "paused",
            Outcome::Running => "running",
        }
    }

    pub fn parse(name: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.name() == name)
    }

    /// As a column heading reads.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Met => "Met within target",
            Outcome::MetLate => "Met late",
            Outcome::Breached => "Breached, still open",
            Outcome::Paused => "Paused",
            Outcome::Running => "Running",
        }
    }
}

/// The outcome of a run of a timer at `now` and the month it counts in, or `None` for a
/// cancelled run (see the module's rules).
pub fn placement(timer: &Timer, now: Timestamp) -> Option<(Outcome, Month)> {
    match timer.state {
        TimerState::Met { at } => Some((Outcome::Met, Month::of_instant(at))),
        TimerState::CompletedLate { at, .. } => Some((Outcome::MetLate, Month::of_instant(at))),
        TimerState::Breached { .. } => Some((Outcome::Breached, Month::of_instant(timer.due_at))),
        TimerState::Running if now > timer.due_at => Some((Outcome::Breached, Month::of_instant(timer.due_at))),
        TimerState::Running => Some((Outcome::Running, Month::of_instant(timer.due_at))),
        TimerState::Paused { .. } => Some((Outcome::Paused, Month::of_instant(timer.due_at))),
        TimerState::Cancelled { .. } => None,
    }
}

/// How many runs of a timer came to each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub met: u32,
    pub met_late: u32,
    pub breached: u32,
    pub paused: u32,
    pub running: u32,
}

impl Tally {
    pub fn add(&mut self, outcome: Outcome) {
        *self.count_mut(outcome) += 1;
    }

    pub fn count(&self, outcome: Outcome) -> u32 {
        match outcome {
            Outcome::Met => self.met,
            Outcome::MetLate => self.met_late,
            Outcome::Breached => self.breached,
            Outcome::Paused => self.paused,
            Outcome::Running => self.running,
        }
    }

    fn count_mut(&mut self, outcome: Outcome) -> &mut u32 {
        match outcome {
            Outcome::Met => &mut self.met,
            Outcome::MetLate => &mut self.met_late,
            Outcome::Breached => &mut self.breached,
            Outcome::Paused => &mut self.paused,
            Outcome::Running => &mut self.running,
        }
    }

    /// Runs that reached an outcome: met, met late or breached.
    pub fn decided(&self) -> u32 {
        self.met + self.met_late + self.breached
    }

    /// Every run counted.
    pub fn total(&self) -> u32 {
        self.decided() + self.paused + self.running
    }

    /// Met ÷ (met + met late + breached) as a percentage to one decimal place; `None` when
    /// nothing reached an outcome.
    pub fn within_target_percent(&self) -> Option<f64> {
        let decided = self.decided();
        (decided > 0).then(|| (f64::from(self.met) * 1000.0 / f64::from(decided)).round() / 10.0)
    }
}

/// A run of a timer on a case, with who the case is with now: what the report is made from.
#[derive(Debug, Clone)]
pub struct TimerFact {
    pub case: CaseId,
    pub worker: Option<UserId>,
    pub team: Option<TeamId>,
    pub timer: Timer,
}

/// The figures for one timer of the service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimerTimeliness {
    pub code: crate::text::Code,
    pub name: String,
    pub target: Target,
    /// Every month of the period, in order, empty months included.
    pub months: Vec<(Month, Tally)>,
    /// The whole period.
    pub total: Tally,
    /// By the case's team (`None`: cases with no team), in team order.
    pub by_team: Vec<(Option<TeamId>, Tally)>,
    /// By the case's worker (`None`: unallocated cases), in worker order.
    pub by_worker: Vec<(Option<UserId>, Tally)>,
}

/// A service's timeliness over a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelinessReport {
    pub period: Period,
    /// One entry per timer of the definition, in the definition's order.
    pub timers: Vec<TimerTimeliness>,
}

/// The timeliness of every timer in `definitions` over `period`, from the runs in `facts`
/// (already narrowed to the cases the reader may see), judged at `now`. Runs of timers the
/// definition no longer has, cancelled runs and runs counting outside the period are left out.
pub fn timeliness(definitions: &[TimerDefinition], period: Period, facts: &[TimerFact], now: Timestamp) -> TimelinessReport {
    let timers = definitions
        .iter()
        .map(|definition| {
            let mut months: BTreeMap<Month, Tally> = period.months().into_iter().map(|m| (m, Tally::default())).collect();
            let mut total = Tally::default();
            let mut by_team: BTreeMap<Option<TeamId>, Tally> = BTreeMap::new();
            let mut by_worker: BTreeMap<Option<UserId>, Tally> = BTreeMap::new();
            for fact in facts.iter().filter(|f| f.timer.code == definition.code) {
                let Some((outcome, month)) = placement(&fact.timer, now) else { continue };
                let Some(in_month) = months.get_mut(&month) else { continue };
                in_month.add(outcome);
                total.add(outcome);
                by_team.entry(fact.team).or_default().add(outcome);
                by_worker.entry(fact.worker).or_default().add(outcome);
            }
            TimerTimeliness {
                code: definition.code.clone(),
                name: definition.name.clone(),
                target: definition.target,
                months: months.into_iter().collect(),
                total,
                by_team: by_team.into_iter().collect(),
                by_worker: by_worker.into_iter().collect(),
            }
        })
        .collect();
    TimelinessReport { period, timers }
}

/// Whether a run of a timer is one of those behind a figure: its outcome at `now` is
/// `outcome` and it counts in `month` (any month of the period when `None`).
pub fn is_behind(timer: &Timer, now: Timestamp, outcome: Outcome, period: Period, month: Option<Month>) -> bool {
    placement(timer, now).is_some_and(|(o, m)| o == outcome && period.contains(m) && month.is_none_or(|wanted| wanted == m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Calendar, Nation};
    use crate::text::Code;
    use crate::timer::{Target, Timer, Trigger};

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn month(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn definition(name: &str, target: Target) -> TimerDefinition {
        TimerDefinition {
            code: code(name),
            name: format!("Timer {name}"),
            start: Trigger::ReferralReceived,
            target,
            stop: Trigger::CaseClosed,
            pause: None,
            resume: None,
        }
    }

    /// A run of `initial` (5 working days, England and Wales) started at `start`.
    fn started(start: &str) -> Timer {
        Timer::start(code("initial"), Target::WorkingDays(5), &Calendar::new(Nation::EnglandAndWales), at(start)).0
    }

    fn fact(timer: Timer, worker: Option<UserId>, team: Option<TeamId>) -> TimerFact {
        TimerFact { case: CaseId::new(), worker, team, timer }
    }

    #[test]
    fn months_and_periods_read_and_reject_as_a_reader_types_them() {
        assert_eq!(month("2026-12").to_string(), "2026-12");
        assert_eq!(month("2026-12").name(), "December 2026");
        assert_eq!(month("2026-12").next(), month("2027-01"));
        for bad in ["2026-13", "2026-00", "26-12", "2026-1", "2026/12", "", "1999-12", "２０２６-12"] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
        let period = Period::parse("2026-11", "2027-02").unwrap();
        assert_eq!(
            period.months().iter().map(Month::to_string).collect::<Vec<_>>(),
            ["2026-11", "2026-12", "2027-01", "2027-02"]
        );
        assert_eq!(Period::parse("2026-12", "2026-11").unwrap_err().errors[0].field, "to");
        assert_eq!(Period::parse("2024-01", "2026-01").unwrap_err().errors[0].field, "to");
        let both = Period::parse("x", "y").unwrap_err();
        assert_eq!(both.errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["from", "to"]);
        assert_eq!(Period::ending(month("2027-01"), 3), Period { from: month("2026-11"), to: month("2027-01") });
        // A month begins at UK midnight: in summer that is 23:00 UTC the day before.
        assert_eq!(month("2026-07").starts_at(), at("2026-06-30T23:00:00Z"));
        assert_eq!(month("2026-12").starts_at(), at("2026-12-01T00:00:00Z"));
    }

    #[test]
    fn each_run_counts_once_in_the_month_it_ended_or_fell_due() {
        let now = at("2027-01-20T12:00:00Z");
        // Started Wed 23 Dec 2026: due Mon 4 Jan 2027 (Christmas, Boxing Day in lieu on the
        // 28th and New Year's Day do not count), so it belongs to January unless it ended earlier.
        let mut met_in_december = started("2026-12-23T10:00:00Z");
        met_in_december.stop(at("2026-12-30T11:00:00Z"));
        assert_eq!(placement(&met_in_december, now), Some((Outcome::Met, month("2026-12"))));

        let mut late = started("2026-12-23T10:00:00Z");
        late.breach_if_due(at("2027-01-05T09:00:00Z"));
        late.stop(at("2027-01-06T09:00:00Z"));
        assert_eq!(placement(&late, now), Some((Outcome::MetLate, month("2027-01"))));

        let mut breached = started("2026-12-23T10:00:00Z");
        breached.breach_if_due(at("2027-02-01T09:00:00Z"));
        assert_eq!(placement(&breached, now), Some((Outcome::Breached, month("2027-01"))), "the month it fell due, not found");
        let unswept = started("2026-12-23T10:00:00Z");
        assert_eq!(placement(&unswept, now), Some((Outcome::Breached, month("2027-01"))), "past due counts as breached");
        assert_eq!(placement(&unswept, at("2027-01-04T12:00:00Z")), Some((Outcome::Running, month("2027-01"))));

        let calendar = Calendar::new(Nation::EnglandAndWales);
        let mut paused = started("2027-01-18T10:00:00Z");
        paused.pause(&calendar, at("2027-01-19T10:00:00Z"));
        assert_eq!(placement(&paused, now), Some((Outcome::Paused, month("2027-01"))));

        let mut cancelled = started("2026-12-23T10:00:00Z");
        cancelled.cancel(at("2026-12-24T10:00:00Z"));
        assert_eq!(placement(&cancelled, now), None);
    }

    #[test]
    fn figures_by_month_team_and_worker_match_a_hand_count() {
        let calendar = Calendar::new(Nation::EnglandAndWales);
        let now = at("2027-01-20T12:00:00Z");
        let (ann, bob) = (UserId::new(), UserId::new());
        let (north, south) = (TeamId::new(), TeamId::new());
        let mut facts = Vec::new();
        // December: 3 met on time (ann, ann, bob), 1 met late (bob).
        for (start, stop, worker, team) in [
            ("2026-12-01T09:00:00Z", "2026-12-03T09:00:00Z", ann, north),
            ("2026-12-07T09:00:00Z", "2026-12-10T09:00:00Z", ann, north),
            ("2026-12-14T09:00:00Z", "2026-12-18T09:00:00Z", bob, south),
        ] {
            let mut timer = started(start);
            timer.stop(at(stop));
            facts.push(fact(timer, Some(worker), Some(team)));
        }
        // Started Tue 1 Dec, due Tue 8 Dec, done Fri 11 Dec: late.
        let mut late = started("2026-12-01T09:00:00Z");
        late.breach_if_due(at("2026-12-09T09:00:00Z"));
        late.stop(at("2026-12-11T09:00:00Z"));
        facts.push(fact(late, Some(bob), Some(south)));
        // January: 1 met (ann), 2 breached (bob swept; unallocated not yet swept), 1 paused,
        // 1 running (due 25 Jan).
        let mut met = started("2027-01-05T09:00:00Z");
        met.stop(at("2027-01-07T09:00:00Z"));
        facts.push(fact(met, Some(ann), Some(north)));
        let mut breached = started("2026-12-23T10:00:00Z"); // due Mon 4 Jan
        breached.breach_if_due(at("2027-01-05T09:00:00Z"));
        facts.push(fact(breached, Some(bob), Some(south)));
        facts.push(fact(started("2027-01-05T09:00:00Z"), None, None)); // due Tue 12 Jan, unswept
        let mut paused = started("2027-01-15T09:00:00Z");
        paused.pause(&calendar, at("2027-01-18T09:00:00Z"));
        facts.push(fact(paused, Some(ann), Some(north)));
        facts.push(fact(started("2027-01-18T09:00:00Z"), Some(ann), Some(north)));
        // Outside the period (met in November) and cancelled: left out.
        let mut november = started("2026-11-02T09:00:00Z");
        november.stop(at("2026-11-03T09:00:00Z"));
        facts.push(fact(november, Some(ann), Some(north)));
        let mut cancelled = started("2027-01-05T09:00:00Z");
        cancelled.cancel(at("2027-01-06T09:00:00Z"));
        facts.push(fact(cancelled, Some(ann), Some(north)));
        // Another timer's run is counted under that timer only.
        let mut other = Timer::start(code("seen"), Target::Hours(72), &calendar, at("2027-01-04T09:00:00Z")).0;
        other.stop(at("2027-01-05T09:00:00Z"));
        facts.push(fact(other, Some(ann), Some(north)));

        let definitions = [definition("initial", Target::WorkingDays(5)), definition("seen", Target::Hours(72))];
        let report = timeliness(&definitions, Period::parse("2026-12", "2027-01").unwrap(), &facts, now);
        let initial = &report.timers[0];
        let tally = |met, met_late, breached, paused, running| Tally { met, met_late, breached, paused, running };
        assert_eq!(initial.months, [(month("2026-12"), tally(3, 1, 0, 0, 0)), (month("2027-01"), tally(1, 0, 2, 1, 1))]);
        assert_eq!(initial.total, tally(4, 1, 2, 1, 1));
        // December: 3 of 4 decided = 75 %; January: 1 of 3 = 33.3 %; both: 4 of 7 = 57.1 %.
        assert_eq!(initial.months[0].1.within_target_percent(), Some(75.0));
        assert_eq!(initial.months[1].1.within_target_percent(), Some(33.3));
        assert_eq!(initial.total.within_target_percent(), Some(57.1));
        assert_eq!(Tally::default().within_target_percent(), None);

        let mut teams = BTreeMap::new();
        teams.insert(Some(north), tally(3, 0, 0, 1, 1));
        teams.insert(Some(south), tally(1, 1, 1, 0, 0));
        teams.insert(None, tally(0, 0, 1, 0, 0));
        assert_eq!(initial.by_team, teams.into_iter().collect::<Vec<_>>());
        let mut workers = BTreeMap::new();
        workers.insert(Some(ann), tally(3, 0, 0, 1, 1));
        workers.insert(Some(bob), tally(1, 1, 1, 0, 0));
        workers.insert(None, tally(0, 0, 1, 0, 0));
        assert_eq!(initial.by_worker, workers.into_iter().collect::<Vec<_>>());

        assert_eq!(report.timers[1].total, tally(1, 0, 0, 0, 0));
        assert_eq!(report.timers[1].months[0].1, Tally::default(), "empty months are kept");

        let period = report.period;
        let behind = |outcome, month: Option<&str>| {
            facts
                .iter()
                .filter(|f| f.timer.code == code("initial"))
                .filter(|f| is_behind(&f.timer, now, outcome, period, month.map(|m| Month::parse(m).unwrap())))
                .count()
        };
        assert_eq!(behind(Outcome::Breached, None), 2);
        assert_eq!(behind(Outcome::Breached, Some("2026-12")), 0);
        assert_eq!(behind(Outcome::Met, Some("2026-12")), 3);
        assert_eq!(behind(Outcome::Met, None), 4, "November's is outside the period");
    }
}
