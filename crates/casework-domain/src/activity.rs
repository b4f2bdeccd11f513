//! Activity: what came into a service and what went out of it, month by month, for a
//! manager's report. Nothing here is particular to a service: the sources, rejection
//! reasons, closure reasons and alert rules are those of its definition.
//!
//! - A **referral** counts once, in the month it was received, under its source and under
//!   what has become of it since (accepted, rejected for a reason, kept on file, or still
//!   pending), so each month's referrals add up across outcomes.
//! - A case counts as **opened** in the month it was opened; as **closed** each time it was
//!   closed, in that month, under that closure's reason; as **reopened** each time it was
//!   reopened after closing. A case closed, reopened and closed again counts twice as closed.
//! - An **alert** (from a rule, or raised or set as a reminder by hand) counts once, in the
//!   month it fired, if it has fired by now. It is acknowledged or still unacknowledged as
//!   it stands now; its wait is from firing to acknowledgement.

use crate::referral::ReferralSource;
use crate::text::Code;
use crate::timeliness::{Month, Period};
use jiff::Timestamp;
use serde::Serialize;
use std::collections::BTreeMap;

/// What has become of a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "reason", rename_all = "kebab-case")]
pub enum Fate {
    Pending,
    /// A case was opened for it.
    Accepted,
    /// Declined, with a rejection reason of the service.
    Rejected(Code),
    KeptOnFile,
}

/// A referral as the report counts it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferralFact {
    pub source: ReferralSource,
    pub received_at: Timestamp,
    pub fate: Fate,
}

/// How many referrals were received and what became of them. The per-source and
/// per-reason counts follow the report's `sources` and `rejection_reasons`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReferralTally {
    pub received: u32,
    pub by_source: Vec<u32>,
    pub accepted: u32,
    /// By rejection reason.
    pub rejected: Vec<u32>,
    pub kept_on_file: u32,
    pub pending: u32,
}

impl ReferralTally {
    fn sized(sources: usize, reasons: usize) -> Self {
        ReferralTally { by_source: vec![0; sources], rejected: vec![0; reasons], ..Default::default() }
    }

    pub fn rejected_total(&self) -> u32 {
        self.rejected.iter().sum()
    }
}

/// What happened to a case, as the report counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseActivity {
    Opened,
    /// Closed for this closure reason.
    Closed(Code),
    /// Reopened after it was closed.
    Reopened,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseFact {
    pub at: Timestamp,
    pub activity: CaseActivity,
}

/// Cases opened, closed (by the report's `closure_reasons`) and reopened.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CaseTally {
    pub opened: u32,
    /// By closure reason.
    pub closed: Vec<u32>,
    pub reopened: u32,
}

impl CaseTally {
    pub fn closed_total(&self) -> u32 {
        self.closed.iter().sum()
    }
}

/// One month's referrals and cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthActivity {
    pub month: Month,
    pub referrals: ReferralTally,
    pub cases: CaseTally,
}

/// Referrals and closures over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityReport {
    pub period: Period,
    /// The sources counted: the service's, then any others its referrals came from.
    pub sources: Vec<ReferralSource>,
    /// The service's rejection reasons, then any others found (from an earlier definition).
    pub rejection_reasons: Vec<Code>,
    /// The service's closure reasons, then any others found.
    pub closure_reasons: Vec<Code>,
    /// Every month of the period, in order, empty months included.
    pub months: Vec<MonthActivity>,
    pub total: MonthActivity,
}

/// Every referral source, for a service that does not list its own.
pub const ALL_SOURCES: [ReferralSource; 7] = [
    ReferralSource::SelfReferral,
    ReferralSource::Staff,
    ReferralSource::Agency,
    ReferralSource::Form,
    ReferralSource::Email,
    ReferralSource::Phone,
    ReferralSource::Automatic,
];

/// The columns a report counts under: those given, then any others found, in the order found.
fn columns<T: Clone + PartialEq>(given: &[T], found: impl Iterator<Item = T>) -> Vec<T> {
    let mut all = given.to_vec();
    for item in found {
        if !all.contains(&item) {
            all.push(item);
        }
    }
    all
}

/// Referrals received, cases opened, closed and reopened, per month of `period`, from the
/// facts (already narrowed to what the reader may see). `sources` are the service's
/// sources (every source when it lists none); facts outside the period are left out.
pub fn activity(
    period: Period,
    sources: &[ReferralSource],
    rejection_reasons: &[Code],
    closure_reasons: &[Code],
    referrals: &[ReferralFact],
    cases: &[CaseFact],
) -> ActivityReport {
    let given_sources = if sources.is_empty() { &ALL_SOURCES[..] } else { sources };
    let sources = columns(given_sources, referrals.iter().map(|r| r.source));
    let rejection_reasons = columns(
        rejection_reasons,
        referrals.iter().filter_map(|r| match &r.fate {
            Fate::Rejected(reason) => Some(reason.clone()),
            _ => None,
        }),
    );
    let closure_reasons = columns(
        closure_reasons,
        cases.iter().filter_map(|c| match &c.activity {
            CaseActivity::Closed(reason) => Some(reason.clone()),
            _ => None,
        }),
    );
    let empty = |month| MonthActivity {
        month,
        referrals: ReferralTally::sized(sources.len(), rejection_reasons.len()),
        cases: CaseTally { closed: vec![0; closure_reasons.len()], ..Default::default() },
    };
    let mut months: BTreeMap<Month, MonthActivity> = period.months().into_iter().map(|m| (m, empty(m))).collect();
    let mut total = empty(period.from);
    for referral in referrals {
        let Some(month) = months.get_mut(&Month::of_instant(referral.received_at)) else { continue };
        for tally in [&mut month.referrals, &mut total.referrals] {
            tally.received += 1;
            if let Some(i) = sources.iter().position(|s| *s == referral.source) {
                tally.by_source[i] += 1;
            }
            match &referral.fate {
                Fate::Pending => tally.pending += 1,
                Fate::Accepted => tally.accepted += 1,
                Fate::KeptOnFile => tally.kept_on_file += 1,
                Fate::Rejected(reason) => {
                    if let Some(i) = rejection_reasons.iter().position(|r| r == reason) {
                        tally.rejected[i] += 1;
                    }
                }
            }
        }
    }
    for case in cases {
        let Some(month) = months.get_mut(&Month::of_instant(case.at)) else { continue };
        for tally in [&mut month.cases, &mut total.cases] {
            match &case.activity {
                CaseActivity::Opened => tally.opened += 1,
                CaseActivity::Reopened => tally.reopened += 1,
                CaseActivity::Closed(reason) => {
                    if let Some(i) = closure_reasons.iter().position(|r| r == reason) {
                        tally.closed[i] += 1;
                    }
                }
            }
        }
    }
    ActivityReport { period, sources, rejection_reasons, closure_reasons, months: months.into_values().collect(), total }
}

/// Which referrals a figure of the report counts: received in the period (in one month of
/// it if given), from a source and with an outcome if given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralFigure {
    pub month: Option<Month>,
    pub source: Option<ReferralSource>,
    pub outcome: Option<OutcomeFigure>,
}

/// An outcome column of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutcomeFigure {
    Pending,
    Accepted,
    /// Rejected for any reason, or for this one.
    Rejected(Option<Code>),
    KeptOnFile,
}

impl OutcomeFigure {
    /// Reads `pending`, `accepted`, `rejected` (with a reason, or none for all) or `kept-on-file`.
    pub fn parse(outcome: &str, reason: Option<Code>) -> Option<OutcomeFigure> {
        match (outcome, reason) {
            ("pending", None) => Some(OutcomeFigure::Pending),
            ("accepted", None) => Some(OutcomeFigure::Accepted),
            ("kept-on-file", None) => Some(OutcomeFigure::KeptOnFile),
            ("rejected", reason) => Some(OutcomeFigure::Rejected(reason)),
            _ => None,
        }
    }

    fn counts(&self, fate: &Fate) -> bool {
        match (self, fate) {
            (OutcomeFigure::Pending, Fate::Pending)
            | (OutcomeFigure::Accepted, Fate::Accepted)
            | (OutcomeFigure::KeptOnFile, Fate::KeptOnFile) => true,
            (OutcomeFigure::Rejected(wanted), Fate::Rejected(reason)) => wanted.as_ref().is_none_or(|w| w == reason),
            _ => false,
        }
    }
}

impl ReferralFigure {
    /// Whether `referral` is one of those behind the figure.
    pub fn counts(&self, period: Period, referral: &ReferralFact) -> bool {
        let month = Month::of_instant(referral.received_at);
        period.contains(month)
            && self.month.is_none_or(|m| m == month)
            && self.source.is_none_or(|s| s == referral.source)
            && self.outcome.as_ref().is_none_or(|o| o.counts(&referral.fate))
    }
}

/// Which case events a figure counts: in the period (in one month of it if given), of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFigure {
    pub month: Option<Month>,
    pub activity: ActivityFigure,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityFigure {
    Opened,
    /// Closed for any reason, or for this one.
    Closed(Option<Code>),
    Reopened,
}

impl ActivityFigure {
    /// Reads `opened`, `closed` (with a reason, or none for all) or `reopened`.
    pub fn parse(activity: &str, reason: Option<Code>) -> Option<ActivityFigure> {
        match (activity, reason) {
            ("opened", None) => Some(ActivityFigure::Opened),
            ("reopened", None) => Some(ActivityFigure::Reopened),
            ("closed", reason) => Some(ActivityFigure::Closed(reason)),
            _ => None,
        }
    }
}

impl CaseFigure {
    pub fn counts(&self, period: Period, case: &CaseFact) -> bool {
        let month = Month::of_instant(case.at);
        period.contains(month)
            && self.month.is_none_or(|m| m == month)
            && match (&self.activity, &case.activity) {
                (ActivityFigure::Opened, CaseActivity::Opened) | (ActivityFigure::Reopened, CaseActivity::Reopened) => true,
                (ActivityFigure::Closed(wanted), CaseActivity::Closed(reason)) => wanted.as_ref().is_none_or(|w| w == reason),
                _ => false,
            }
    }
}

/// An alert as the report counts it. `recipient` is whom it was for (a role or a user), as
/// a key the caller names.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertFact {
    /// The rule that raised it; `None` for alerts raised and reminders set by hand.
    pub rule: Option<Code>,
    pub recipient: String,
    pub fire_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
}

/// Alerts raised, acknowledged and not, and how long the acknowledged ones waited.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AlertTally {
    pub raised: u32,
    pub acknowledged: u32,
    pub unacknowledged: u32,
    /// Seconds from firing to acknowledgement, in order.
    #[serde(skip)]
    waits: Vec<i64>,
}

impl AlertTally {
    fn add(&mut self, alert: &AlertFact) {
        self.raised += 1;
        match alert.acknowledged_at {
            Some(at) => {
                self.acknowledged += 1;
                let wait = at.as_second() - alert.fire_at.as_second();
                let place = self.waits.partition_point(|w| *w <= wait);
                self.waits.insert(place, wait.max(0));
            }
            None => self.unacknowledged += 1,
        }
    }

    /// The median wait of the acknowledged alerts, in hours to one decimal place (the mean
    /// of the middle two when there is an even number); `None` when none was acknowledged.
    pub fn median_wait_hours(&self) -> Option<f64> {
        let n = self.waits.len();
        if n == 0 {
            return None;
        }
        #[allow(clippy::cast_precision_loss)] // waits are far below 2^52 seconds
        let seconds =
            if n % 2 == 1 { self.waits[n / 2] as f64 } else { (self.waits[n / 2 - 1] + self.waits[n / 2]) as f64 / 2.0 };
        Some(hours(seconds))
    }

    /// The longest wait of the acknowledged alerts, in hours to one decimal place.
    pub fn longest_wait_hours(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)]
        self.waits.last().map(|w| hours(*w as f64))
    }
}

fn hours(seconds: f64) -> f64 {
    (seconds / 360.0).round() / 10.0
}

/// The alerts of one rule (or those raised by hand).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleAlerts {
    /// `None`: alerts raised and reminders set by hand.
    pub rule: Option<Code>,
    pub name: String,
    /// Every month of the period, in order.
    pub months: Vec<(Month, AlertTally)>,
    pub total: AlertTally,
    /// By recipient, in the order of their keys.
    pub by_recipient: Vec<(String, AlertTally)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertReport {
    pub period: Period,
    /// One entry per rule of the definition, in its order, then those raised by hand.
    pub rules: Vec<RuleAlerts>,
}

/// How links and the API name alerts raised and reminders set by hand, in place of a rule's
/// code (no rule may have it).
pub const BY_HAND_KEY: &str = "by-hand";

/// What the report calls alerts raised and reminders set by hand.
pub const BY_HAND: &str = "Raised or set by hand";

/// The alerts of each rule in `rules` (code and name) and those raised by hand, per month
/// of `period`, from the facts (narrowed to what the reader may see), as they stand at `now`.
pub fn alerts(period: Period, rules: &[(Code, String)], facts: &[AlertFact], now: Timestamp) -> AlertReport {
    let entries = rules.iter().map(|(code, name)| (Some(code.clone()), name.clone())).chain([(None, BY_HAND.to_owned())]);
    let rules = entries
        .map(|(rule, name)| {
            let mut months: BTreeMap<Month, AlertTally> =
                period.months().into_iter().map(|m| (m, AlertTally::default())).collect();
            let mut total = AlertTally::default();
            let mut by_recipient: BTreeMap<String, AlertTally> = BTreeMap::new();
            for alert in facts.iter().filter(|a| a.rule == rule && a.fire_at <= now) {
                let Some(month) = months.get_mut(&Month::of_instant(alert.fire_at)) else { continue };
                month.add(alert);
                total.add(alert);
                by_recipient.entry(alert.recipient.clone()).or_default().add(alert);
            }
            RuleAlerts {
                rule,
                name,
                months: months.into_iter().collect(),
                total,
                by_recipient: by_recipient.into_iter().collect(),
            }
        })
        .collect();
    AlertReport { period, rules }
}

/// Which alerts a figure counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertFigure {
    /// `None`: those raised by hand.
    pub rule: Option<Code>,
    pub month: Option<Month>,
    pub recipient: Option<String>,
    pub state: AlertState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertState {
    Raised,
    Acknowledged,
    Unacknowledged,
}

impl AlertState {
    pub fn parse(name: &str) -> Option<AlertState> {
        match name {
            "raised" => Some(AlertState::Raised),
            "acknowledged" => Some(AlertState::Acknowledged),
            "unacknowledged" => Some(AlertState::Unacknowledged),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AlertState::Raised => "raised",
            AlertState::Acknowledged => "acknowledged",
            AlertState::Unacknowledged => "unacknowledged",
        }
    }
}

impl AlertFigure {
    pub fn counts(&self, period: Period, now: Timestamp, alert: &AlertFact) -> bool {
        let month = Month::of_instant(alert.fire_at);
        alert.fire_at <= now
            && alert.rule == self.rule
            && period.contains(month)
            && self.month.is_none_or(|m| m == month)
            && self.recipient.as_ref().is_none_or(|r| *r == alert.recipient)
            && match self.state {
                AlertState::Raised => true,
                AlertState::Acknowledged => alert.acknowledged_at.is_some(),
                AlertState::Unacknowledged => alert.acknowledged_at.is_none(),
            }
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

    fn month(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn referral(source: ReferralSource, received: &str, fate: Fate) -> ReferralFact {
        ReferralFact { source, received_at: at(received), fate }
    }

    #[test]
    fn referrals_count_once_in_the_month_received_under_source_and_outcome() {
        use ReferralSource::{Agency, Phone, SelfReferral};
        let period = Period::parse("2026-12", "2027-01").unwrap();
        let facts = [
            referral(SelfReferral, "2026-12-01T09:00:00Z", Fate::Accepted),
            referral(Agency, "2026-12-02T09:00:00Z", Fate::Rejected(code("outside-area"))),
            referral(Agency, "2026-12-31T23:30:00Z", Fate::Pending), // still December in London
            referral(SelfReferral, "2027-01-04T09:00:00Z", Fate::Rejected(code("duplicate"))),
            referral(SelfReferral, "2027-01-05T09:00:00Z", Fate::KeptOnFile),
            // A source the definition no longer lists, and a reason it no longer has.
            referral(Phone, "2027-01-06T09:00:00Z", Fate::Rejected(code("withdrawn-reason"))),
            referral(Agency, "2026-11-30T09:00:00Z", Fate::Accepted), // before the period
        ];
        let report = activity(period, &[SelfReferral, Agency], &[code("outside-area"), code("duplicate")], &[], &facts, &[]);
        assert_eq!(report.sources, [SelfReferral, Agency, Phone]);
        assert_eq!(report.rejection_reasons, [code("outside-area"), code("duplicate"), code("withdrawn-reason")]);
        let december = &report.months[0].referrals;
        assert_eq!(
            december,
            &ReferralTally {
                received: 3,
                by_source: vec![1, 2, 0],
                accepted: 1,
                rejected: vec![1, 0, 0],
                kept_on_file: 0,
                pending: 1
            }
        );
        let january = &report.months[1].referrals;
        assert_eq!(
            january,
            &ReferralTally {
                received: 3,
                by_source: vec![2, 0, 1],
                accepted: 0,
                rejected: vec![0, 1, 1],
                kept_on_file: 1,
                pending: 0
            }
        );
        assert_eq!(report.total.referrals.received, 6);
        assert_eq!(report.total.referrals.rejected_total(), 3);

        let behind = |figure: ReferralFigure| facts.iter().filter(|f| figure.counts(period, f)).count();
        let rejected = |reason: Option<&str>| Some(OutcomeFigure::Rejected(reason.map(code)));
        assert_eq!(behind(ReferralFigure { month: None, source: None, outcome: rejected(None) }), 3);
        assert_eq!(
            behind(ReferralFigure { month: Some(month("2027-01")), source: None, outcome: rejected(Some("duplicate")) }),
            1
        );
        assert_eq!(behind(ReferralFigure { month: None, source: Some(Agency), outcome: None }), 2, "November's is outside");
        assert_eq!(
            behind(ReferralFigure { month: Some(month("2026-12")), source: None, outcome: Some(OutcomeFigure::Pending) }),
            1
        );
    }

    #[test]
    fn a_service_listing_no_sources_is_counted_under_every_source() {
        let period = Period::parse("2026-12", "2026-12").unwrap();
        let report = activity(period, &[], &[], &[], &[], &[]);
        assert_eq!(report.sources, ALL_SOURCES);
        assert_eq!(report.months[0].referrals.by_source, [0; 7]);
    }

    #[test]
    fn every_closure_and_reopening_counts_in_its_month() {
        let period = Period::parse("2026-12", "2027-01").unwrap();
        let (done, moved) = (code("needs-met"), code("moved-away"));
        let case = |when: &str, activity| CaseFact { at: at(when), activity };
        let facts = [
            case("2026-12-01T09:00:00Z", CaseActivity::Opened),
            case("2026-12-02T09:00:00Z", CaseActivity::Opened),
            case("2026-12-20T09:00:00Z", CaseActivity::Closed(done.clone())),
            case("2027-01-05T09:00:00Z", CaseActivity::Reopened),
            case("2027-01-20T09:00:00Z", CaseActivity::Closed(done.clone())),
            case("2027-01-21T09:00:00Z", CaseActivity::Closed(moved.clone())),
            case("2027-02-01T09:00:00Z", CaseActivity::Opened),
        ];
        let report = activity(period, &[], &[], &[done.clone(), moved.clone()], &[], &facts);
        assert_eq!(report.months[0].cases, CaseTally { opened: 2, closed: vec![1, 0], reopened: 0 });
        assert_eq!(report.months[1].cases, CaseTally { opened: 0, closed: vec![1, 1], reopened: 1 });
        assert_eq!(report.total.cases, CaseTally { opened: 2, closed: vec![2, 1], reopened: 1 });
        assert_eq!(report.total.cases.closed_total(), 3);
        let behind = |month: Option<&str>, activity| {
            let figure = CaseFigure { month: month.map(|m| Month::parse(m).unwrap()), activity };
            facts.iter().filter(|f| figure.counts(period, f)).count()
        };
        assert_eq!(behind(None, ActivityFigure::Closed(Some(done))), 2);
        assert_eq!(behind(None, ActivityFigure::Closed(None)), 3);
        assert_eq!(behind(Some("2027-01"), ActivityFigure::Reopened), 1);
        assert_eq!(behind(None, ActivityFigure::Opened), 2, "February is outside");
        assert_eq!(ActivityFigure::parse("opened", Some(code("x"))), None);
        assert_eq!(OutcomeFigure::parse("accepted", None), Some(OutcomeFigure::Accepted));
    }

    #[test]
    fn alerts_count_in_the_month_they_fired_with_median_and_longest_wait() {
        let period = Period::parse("2026-12", "2027-01").unwrap();
        let now = at("2027-01-20T12:00:00Z");
        let rule = code("stale");
        let alert = |fired: &str, acknowledged: Option<&str>, to: &str| AlertFact {
            rule: Some(rule.clone()),
            recipient: to.to_owned(),
            fire_at: at(fired),
            acknowledged_at: acknowledged.map(at),
        };
        let facts = [
            // December: waits of 2 h, 10 h and 30 h 30 min; one not acknowledged.
            alert("2026-12-01T09:00:00Z", Some("2026-12-01T11:00:00Z"), "role:manager"),
            alert("2026-12-02T09:00:00Z", Some("2026-12-02T19:00:00Z"), "role:manager"),
            alert("2026-12-03T09:00:00Z", Some("2026-12-04T15:30:00Z"), "user:ann"),
            alert("2026-12-04T09:00:00Z", None, "user:ann"),
            // January: one waiting; one yet to fire (not counted).
            alert("2027-01-10T09:00:00Z", None, "role:manager"),
            alert("2027-01-25T09:00:00Z", None, "role:manager"),
            // By hand.
            AlertFact {
                rule: None,
                recipient: "user:ann".to_owned(),
                fire_at: at("2027-01-02T09:00:00Z"),
                acknowledged_at: None,
            },
        ];
        let report = alerts(period, &[(rule.clone(), "Stale case".to_owned())], &facts, now);
        assert_eq!(report.rules.len(), 2);
        let stale = &report.rules[0];
        let counts = |t: &AlertTally| (t.raised, t.acknowledged, t.unacknowledged, t.median_wait_hours(), t.longest_wait_hours());
        assert_eq!(counts(&stale.months[0].1), (4, 3, 1, Some(10.0), Some(30.5)));
        assert_eq!(counts(&stale.months[1].1), (1, 0, 1, None, None));
        assert_eq!(counts(&stale.total), (5, 3, 2, Some(10.0), Some(30.5)));
        assert_eq!(
            stale.by_recipient.iter().map(|(r, t)| (r.as_str(), counts(t))).collect::<Vec<_>>(),
            [("role:manager", (3, 2, 1, Some(6.0), Some(10.0))), ("user:ann", (2, 1, 1, Some(30.5), Some(30.5)))]
        );
        assert_eq!(report.rules[1].rule, None);
        assert_eq!(counts(&report.rules[1].total), (1, 0, 1, None, None));

        let behind = |figure: AlertFigure| facts.iter().filter(|f| figure.counts(period, now, f)).count();
        let figure = |state, month: Option<&str>, recipient: Option<&str>| AlertFigure {
            rule: Some(rule.clone()),
            month: month.map(|m| Month::parse(m).unwrap()),
            recipient: recipient.map(str::to_owned),
            state,
        };
        assert_eq!(behind(figure(AlertState::Unacknowledged, None, None)), 2, "the one yet to fire is not behind a figure");
        assert_eq!(behind(figure(AlertState::Acknowledged, Some("2026-12"), Some("role:manager"))), 2);
        assert_eq!(behind(figure(AlertState::Raised, Some("2027-01"), None)), 1);
    }
}
