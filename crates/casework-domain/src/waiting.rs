//! The waiting list: the open cases in one of the stages a service's definition says are
//! waiting (`[reports] waiting_stages`), counted from each case's history of stage changes,
//! so the size at the end of a past month is what it was then, not what it is today.
//!
//! - A case **joins** when it enters a waiting stage from elsewhere (or is opened in one, or
//!   reopened while in one) and **leaves** when it moves to a stage that is not waiting or
//!   is closed. Moving between two waiting stages is one continuous wait.
//! - The **size at the end of a month** counts the cases waiting at the first instant of the
//!   next month; for the month under way, those waiting now.
//! - A **wait** is counted in whole days, from the UK day the case joined to the UK day it is
//!   judged on (today, or the last day of the month). Joined today is 0 days.
//! - Everything is also broken down by where the case's referral came from.

use crate::ids::CaseId;
use crate::text::Code;
use crate::time::day_of;
use crate::timeliness::{Month, Period};
use jiff::Timestamp;
use serde::Serialize;
use std::collections::BTreeMap;

/// The label for cases whose referral names no source.
pub const DIRECT: &str = "Direct";

/// What a case's history says about its stage, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Move {
    /// Opened in, moved to, or mapped to this stage.
    Stage(Code),
    Closed,
    Reopened,
}

/// One unbroken stay on the waiting list: from when the case joined until it left (`None`:
/// still waiting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spell {
    pub joined: Timestamp,
    pub left: Option<Timestamp>,
}

impl Spell {
    /// Whether the case was waiting at `instant`.
    pub fn covers(&self, instant: Timestamp) -> bool {
        self.joined <= instant && self.left.is_none_or(|left| left > instant)
    }
}

/// The stays on the waiting list of one case, from its moves in time order.
pub fn spells(moves: &[(Timestamp, Move)], waiting_stages: &[Code]) -> Vec<Spell> {
    let mut spells: Vec<Spell> = Vec::new();
    let mut stage: Option<&Code> = None;
    for (at, change) in moves {
        let open = match change {
            Move::Stage(code) => {
                stage = Some(code);
                true
            }
            Move::Closed => false,
            Move::Reopened => true,
        };
        let waiting = open && stage.is_some_and(|s| waiting_stages.contains(s));
        let current = spells.last_mut().filter(|s| s.left.is_none());
        match (current, waiting) {
            (None, true) => spells.push(Spell { joined: *at, left: None }),
            (Some(spell), false) => spell.left = Some(*at),
            _ => {}
        }
    }
    spells
}

/// Whole UK calendar days from `joined` to `on`.
pub fn wait_days(joined: Timestamp, on: Timestamp) -> u32 {
    day_of(joined).until(day_of(on)).map_or(0, |span| u32::try_from(span.get_days()).unwrap_or(0))
}

/// The middle wait, or the mean of the two middle ones; `None` for no waits.
pub fn median(waits: &[u32]) -> Option<f64> {
    let mut sorted = waits.to_vec();
    sorted.sort_unstable();
    let middle = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(f64::from(sorted[middle])),
        _ => Some((f64::from(sorted[middle - 1]) + f64::from(sorted[middle])) / 2.0),
    }
}

/// A case's stays on the waiting list and where its referral came from.
#[derive(Debug, Clone)]
pub struct WaitingFact {
    pub case: CaseId,
    /// The referral's source (e.g. `self-referral`), or `None`.
    pub source: Option<String>,
    pub spells: Vec<Spell>,
}

impl WaitingFact {
    /// The source as a report groups by it.
    pub fn source_label(&self) -> String {
        self.source.as_deref().map_or_else(|| DIRECT.to_owned(), source_label)
    }

    /// When the case joined the stay it was in at `instant`, if it was waiting then.
    pub fn waiting_since(&self, instant: Timestamp) -> Option<Timestamp> {
        self.spells.iter().find(|s| s.covers(instant)).map(|s| s.joined)
    }
}

/// "self-referral" → "Self-referral".
pub fn source_label(source: &str) -> String {
    let mut chars = source.chars();
    chars.next().map_or_else(|| DIRECT.to_owned(), |first| first.to_uppercase().chain(chars).collect())
}

/// One month's movement on the list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MonthFlow {
    /// Waiting at the end of the month (now, for the month under way).
    pub size_at_end: u32,
    pub joined: u32,
    pub left: u32,
}

/// The list as it stands now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Now {
    pub size: u32,
    pub median_days: Option<f64>,
    pub longest_days: Option<u32>,
}

/// The figures for a set of cases: every month of the period, and now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub months: Vec<(Month, MonthFlow)>,
    pub now: Now,
}

/// The waiting list over a period, for all cases and by referral source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitingReport {
    pub period: Period,
    pub all: Figures,
    /// By source label, alphabetical; only sources with a case that waited.
    pub by_source: Vec<(String, Figures)>,
}

/// The instant a month's size is read at: its end, or `now` if it has not ended.
pub fn end_of(month: Month, now: Timestamp) -> Timestamp {
    month.next().starts_at().min(now)
}

fn figures(period: Period, facts: &[&WaitingFact], now: Timestamp) -> Figures {
    let months = period
        .months()
        .into_iter()
        .map(|month| {
            let (start, end) = (month.starts_at(), month.next().starts_at());
            let within = |at: Timestamp| start <= at && at < end;
            let at_end = end_of(month, now);
            let mut flow = MonthFlow::default();
            for spell in facts.iter().flat_map(|f| &f.spells) {
                flow.joined += u32::from(within(spell.joined));
                flow.left += u32::from(spell.left.is_some_and(within));
                flow.size_at_end += u32::from(spell.covers(at_end) && at_end > start);
            }
            (month, flow)
        })
        .collect();
    let waits: Vec<u32> = facts.iter().filter_map(|f| f.waiting_since(now)).map(|joined| wait_days(joined, now)).collect();
    Figures {
        months,
        now: Now {
            size: u32::try_from(waits.len()).unwrap_or(u32::MAX),
            median_days: median(&waits),
            longest_days: waits.iter().copied().max(),
        },
    }
}

/// The waiting list over `period`, judged at `now`, from `facts` (already narrowed to the
/// cases the reader may see). Cases that never waited are left out of the by-source figures.
pub fn waiting_list(period: Period, facts: &[WaitingFact], now: Timestamp) -> WaitingReport {
    let waited: Vec<&WaitingFact> = facts.iter().filter(|f| !f.spells.is_empty()).collect();
    let mut sources: BTreeMap<String, Vec<&WaitingFact>> = BTreeMap::new();
    for fact in &waited {
        sources.entry(fact.source_label()).or_default().push(fact);
    }
    WaitingReport {
        period,
        all: figures(period, &waited, now),
        by_source: sources.into_iter().map(|(source, facts)| (source.clone(), figures(period, &facts, now))).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn stage(s: &str) -> Move {
        Move::Stage(code(s))
    }

    fn month(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn waiting() -> Vec<Code> {
        vec![code("waiting-list"), code("awaiting-allocation")]
    }

    #[test]
    fn moving_between_waiting_stages_is_one_wait_and_closing_ends_it() {
        let moves = [
            (at("2026-12-01T09:00:00Z"), stage("waiting-list")),
            (at("2026-12-05T09:00:00Z"), stage("awaiting-allocation")),
            (at("2026-12-10T09:00:00Z"), stage("assessment")),
            (at("2026-12-12T09:00:00Z"), stage("awaiting-allocation")),
            (at("2026-12-15T09:00:00Z"), Move::Closed),
            (at("2026-12-20T09:00:00Z"), Move::Reopened),
        ];
        assert_eq!(
            spells(&moves, &waiting()),
            [
                Spell { joined: at("2026-12-01T09:00:00Z"), left: Some(at("2026-12-10T09:00:00Z")) },
                Spell { joined: at("2026-12-12T09:00:00Z"), left: Some(at("2026-12-15T09:00:00Z")) },
                Spell { joined: at("2026-12-20T09:00:00Z"), left: None },
            ]
        );
        assert_eq!(spells(&[(at("2026-12-01T09:00:00Z"), stage("assessment"))], &waiting()), []);
    }

    #[test]
    fn medians_and_waits_are_counted_in_whole_uk_days() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[7]), Some(7.0));
        assert_eq!(median(&[30, 2, 9]), Some(9.0));
        assert_eq!(median(&[30, 2, 9, 4]), Some(6.5));
        // Joined late on 31 May (UK time is 1 June 00:30), judged on 3 June: 2 days.
        assert_eq!(wait_days(at("2026-05-31T23:30:00Z"), at("2026-06-03T08:00:00Z")), 2);
        assert_eq!(wait_days(at("2026-06-03T07:00:00Z"), at("2026-06-03T18:00:00Z")), 0);
        assert_eq!(source_label("self-referral"), "Self-referral");
    }

    #[test]
    fn size_joined_and_left_by_month_and_source_match_a_hand_count() {
        let now = at("2027-01-20T12:00:00Z");
        let fact = |source: Option<&str>, moves: &[(&str, Move)]| WaitingFact {
            case: CaseId::new(),
            source: source.map(str::to_owned),
            spells: spells(&moves.iter().map(|(t, m)| (at(t), m.clone())).collect::<Vec<_>>(), &waiting()),
        };
        let facts = [
            // Joined 1 Dec, still waiting: 50 days on 20 Jan.
            fact(Some("agency"), &[("2026-12-01T10:00:00Z", stage("waiting-list"))]),
            // Joined 10 Dec, left 5 Jan.
            fact(
                Some("agency"),
                &[("2026-12-10T10:00:00Z", stage("waiting-list")), ("2027-01-05T10:00:00Z", stage("assessment"))],
            ),
            // Joined and left in December.
            fact(None, &[("2026-12-02T10:00:00Z", stage("awaiting-allocation")), ("2026-12-03T10:00:00Z", Move::Closed)]),
            // Joined 10 Jan: 10 days.
            fact(Some("self-referral"), &[("2027-01-10T10:00:00Z", stage("waiting-list"))]),
            // Never waited.
            fact(Some("staff"), &[("2026-12-01T10:00:00Z", stage("assessment"))]),
        ];
        let report = waiting_list(Period::parse("2026-12", "2027-01").unwrap(), &facts, now);
        let flow = |size_at_end, joined, left| MonthFlow { size_at_end, joined, left };
        assert_eq!(report.all.months, [(month("2026-12"), flow(2, 3, 1)), (month("2027-01"), flow(2, 1, 1))]);
        assert_eq!(report.all.now, Now { size: 2, median_days: Some(30.0), longest_days: Some(50) });
        let sources: Vec<&str> = report.by_source.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(sources, ["Agency", "Direct", "Self-referral"]);
        assert_eq!(report.by_source[0].1.months[0].1, flow(2, 2, 0));
        assert_eq!(report.by_source[0].1.now, Now { size: 1, median_days: Some(50.0), longest_days: Some(50) });
        assert_eq!(report.by_source[1].1.now, Now::default());
        // A month not yet begun has nobody at its end.
        let ahead = waiting_list(Period::parse("2027-02", "2027-02").unwrap(), &facts, now);
        assert_eq!(ahead.all.months[0].1, MonthFlow::default());
    }
}
