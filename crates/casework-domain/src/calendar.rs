//! Working days: the days a service counts when a rule says "within 5 working days".
//!
//! A working day is a Monday to Friday that is neither a bank holiday of the service's
//! nation nor a day its organisation is closed. Bank holidays differ between England and
//! Wales, Scotland and Northern Ireland, so a calendar always belongs to one nation.
//!
//! Bank holidays are computed by rule for any year, not read from a list, because
//! deadlines run into years nobody has published yet. The handful of changes no rule
//! gives (a holiday moved for a jubilee, an extra one for a funeral or a coronation) are
//! kept in a table here; holidays announced after this was written can be imported from
//! GOV.UK's published data with [`parse_published_holidays`].

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound::{Excluded, Included};
use std::ops::RangeInclusive;

use jiff::Span;
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

use crate::FieldError;

/// The parts of the United Kingdom with their own bank holidays. Wales shares England's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Nation {
    EnglandAndWales,
    Scotland,
    NorthernIreland,
}

impl Nation {
    pub const ALL: [Nation; 3] = [Nation::EnglandAndWales, Nation::Scotland, Nation::NorthernIreland];

    /// The name used in configuration and by GOV.UK (`england-and-wales`, `scotland`,
    /// `northern-ireland`).
    pub fn as_str(self) -> &'static str {
        match self {
            Nation::EnglandAndWales => "england-and-wales",
            Nation::Scotland => "scotland",
            Nation::NorthernIreland => "northern-ireland",
        }
    }

    /// Reads a nation's name as written in configuration. Case and surrounding spaces are
    /// forgiven; nothing else is, so a typo cannot quietly give a service England's holidays.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let wanted = raw.trim();
        Self::ALL.into_iter().find(|nation| nation.as_str().eq_ignore_ascii_case(wanted)).ok_or_else(|| {
            FieldError::new("", format!("'{wanted}' is not a nation: use england-and-wales, scotland or northern-ireland"))
        })
    }
}

impl std::fmt::Display for Nation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A day off with its name, as a person would look for it in a list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Holiday {
    pub date: Date,
    pub name: String,
}

impl Holiday {
    pub fn new(date: Date, name: impl Into<String>) -> Self {
        Self { date, name: name.into() }
    }
}

/// What [`Calendar::holidays_in`] calls a day the organisation itself is closed.
pub const CLOSURE_DAY_NAME: &str = "Organisation closure day";

/// The bank holidays of `nation` in `year`, sorted by date: the days actually taken off,
/// so a holiday that falls on a weekend appears only as its substitute weekday (named
/// "… (substitute day)"), as GOV.UK lists them.
///
/// The rules are today's, applied to every year. For years before 2007, when St Andrew's
/// Day became a Scottish bank holiday, they may not be what was observed then; one-off
/// changes are recorded from 2011 on.
pub fn bank_holidays(nation: Nation, year: i16) -> Vec<Holiday> {
    rule_holidays(nation, year).into_iter().map(RuleHoliday::into_holiday).collect()
}

/// The holidays that give a calendar's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    NewYearsDay,
    SecondJanuary,
    StPatricksDay,
    GoodFriday,
    EasterMonday,
    EarlyMay,
    Spring,
    BattleOfTheBoyne,
    Summer,
    StAndrewsDay,
    ChristmasDay,
    BoxingDay,
}

impl Rule {
    const ALL: [Rule; 12] = [
        Rule::NewYearsDay,
        Rule::SecondJanuary,
        Rule::StPatricksDay,
        Rule::GoodFriday,
        Rule::EasterMonday,
        Rule::EarlyMay,
        Rule::Spring,
        Rule::BattleOfTheBoyne,
        Rule::Summer,
        Rule::StAndrewsDay,
        Rule::ChristmasDay,
        Rule::BoxingDay,
    ];

    /// The name GOV.UK gives the holiday, typographic apostrophes and all, so that the
    /// computed and the published lists read the same.
    fn name(self) -> &'static str {
        match self {
            Rule::NewYearsDay => "New Year’s Day",
            Rule::SecondJanuary => "2nd January",
            Rule::StPatricksDay => "St Patrick’s Day",
            Rule::GoodFriday => "Good Friday",
            Rule::EasterMonday => "Easter Monday",
            Rule::EarlyMay => "Early May bank holiday",
            Rule::Spring => "Spring bank holiday",
            Rule::BattleOfTheBoyne => "Battle of the Boyne (Orangemen’s Day)",
            Rule::Summer => "Summer bank holiday",
            Rule::StAndrewsDay => "St Andrew’s Day",
            Rule::ChristmasDay => "Christmas Day",
            Rule::BoxingDay => "Boxing Day",
        }
    }

    fn observed_in(self, nation: Nation) -> bool {
        match self {
            Rule::SecondJanuary | Rule::StAndrewsDay => nation == Nation::Scotland,
            Rule::StPatricksDay | Rule::BattleOfTheBoyne => nation == Nation::NorthernIreland,
            Rule::EasterMonday => nation != Nation::Scotland,
            _ => true,
        }
    }

    /// Whether the holiday is on a fixed day of the year, and so moves to a substitute
    /// weekday when that day is a Saturday or Sunday. The others fall on a Monday or on a
    /// Friday by construction.
    fn on_fixed_date(self) -> bool {
        matches!(
            self,
            Rule::NewYearsDay
                | Rule::SecondJanuary
                | Rule::StPatricksDay
                | Rule::BattleOfTheBoyne
                | Rule::StAndrewsDay
                | Rule::ChristmasDay
                | Rule::BoxingDay
        )
    }

    /// The day the rule names, before any weekend substitution.
    fn date(self, nation: Nation, year: i16, easter: Date) -> Option<Date> {
        let day = |month, day| Date::new(year, month, day).ok();
        let monday_of = |month, nth| Date::new(year, month, 1).and_then(|d| d.nth_weekday_of_month(nth, Weekday::Monday)).ok();
        match self {
            Rule::NewYearsDay => day(1, 1),
            Rule::SecondJanuary => day(1, 2),
            Rule::StPatricksDay => day(3, 17),
            Rule::GoodFriday => add_days(easter, -2),
            Rule::EasterMonday => add_days(easter, 1),
            Rule::EarlyMay => monday_of(5, 1),
            Rule::Spring => monday_of(5, -1),
            Rule::BattleOfTheBoyne => day(7, 12),
            Rule::Summer if nation == Nation::Scotland => monday_of(8, 1),
            Rule::Summer => monday_of(8, -1),
            Rule::StAndrewsDay => day(11, 30),
            Rule::ChristmasDay => day(12, 25),
            Rule::BoxingDay => day(12, 26),
        }
    }
}

/// A change to one year's bank holidays made by proclamation, which no rule predicts.
#[derive(Debug, Clone, Copy)]
struct OneOff {
    year: i16,
    nations: &'static [Nation],
    change: Change,
}

#[derive(Debug, Clone, Copy)]
enum Change {
    /// A rule's holiday taken on another day that year instead.
    Moved { rule: Rule, month: i8, day: i8, name: &'static str },
    /// A holiday in addition to the usual ones.
    Extra { month: i8, day: i8, name: &'static str },
}

const EVERYWHERE: &[Nation] = &Nation::ALL;

/// Every one-off change since 2011, with GOV.UK's names. 2020–2023 and 2026 are as
/// GOV.UK publishes them for each nation, and 2012 as it published England and Wales's
/// (the Diamond Jubilee proclamation covered the whole United Kingdom); 2011 predates
/// GOV.UK's lists. A change announced later must be added here, or imported.
const ONE_OFFS: &[OneOff] = &[
    OneOff { year: 2011, nations: EVERYWHERE, change: Change::Extra { month: 4, day: 29, name: "Royal wedding" } },
    // Diamond Jubilee: the Spring bank holiday moved from Monday 28 May to Monday 4 June,
    // with an extra day on Tuesday 5 June.
    OneOff {
        year: 2012,
        nations: EVERYWHERE,
        change: Change::Moved { rule: Rule::Spring, month: 6, day: 4, name: "Spring bank holiday" },
    },
    OneOff { year: 2012, nations: EVERYWHERE, change: Change::Extra { month: 6, day: 5, name: "Queen’s Diamond Jubilee" } },
    // 75th anniversary of VE Day: the Early May bank holiday moved from Monday 4 May to
    // Friday 8 May.
    OneOff {
        year: 2020,
        nations: EVERYWHERE,
        change: Change::Moved { rule: Rule::EarlyMay, month: 5, day: 8, name: "Early May bank holiday (VE day)" },
    },
    // Platinum Jubilee: the Spring bank holiday moved from Monday 30 May to Thursday 2
    // June, with an extra day on Friday 3 June.
    OneOff {
        year: 2022,
        nations: EVERYWHERE,
        change: Change::Moved { rule: Rule::Spring, month: 6, day: 2, name: "Spring bank holiday" },
    },
    OneOff { year: 2022, nations: EVERYWHERE, change: Change::Extra { month: 6, day: 3, name: "Platinum Jubilee bank holiday" } },
    OneOff {
        year: 2022,
        nations: EVERYWHERE,
        change: Change::Extra { month: 9, day: 19, name: "Bank Holiday for the State Funeral of Queen Elizabeth II" },
    },
    OneOff {
        year: 2023,
        nations: EVERYWHERE,
        change: Change::Extra { month: 5, day: 8, name: "Bank holiday for the coronation of King Charles III" },
    },
    // Appointed by Royal Proclamation of 3 February 2026 for Scotland only, the Monday
    // after the men's team's first World Cup finals match since 1998.
    OneOff {
        year: 2026,
        nations: &[Nation::Scotland],
        change: Change::Extra { month: 6, day: 15, name: "World Cup bank holiday" },
    },
];

/// One computed bank holiday, before it is given an owned name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RuleHoliday {
    date: Date,
    name: &'static str,
    substitute: bool,
}

impl RuleHoliday {
    fn into_holiday(self) -> Holiday {
        let name = if self.substitute { format!("{} (substitute day)", self.name) } else { self.name.to_owned() };
        Holiday { date: self.date, name }
    }
}

/// The days off given by the rules and the one-off table, sorted, one per date.
fn rule_holidays(nation: Nation, year: i16) -> Vec<RuleHoliday> {
    let Some(easter) = easter_sunday(year) else {
        return Vec::new();
    };
    let one_offs: Vec<Change> =
        ONE_OFFS.iter().filter(|o| o.year == year && o.nations.contains(&nation)).map(|o| o.change).collect();

    // Everything that is not a weekend day of a fixed-date holiday is taken where it falls.
    let mut taken: Vec<RuleHoliday> = Vec::new();
    let mut on_weekend: Vec<RuleHoliday> = Vec::new();
    for rule in Rule::ALL.into_iter().filter(|rule| rule.observed_in(nation)) {
        let moved = one_offs.iter().find_map(|change| match *change {
            Change::Moved { rule: moved, month, day, name } if moved == rule => Some((month, day, name)),
            _ => None,
        });
        let holiday = match moved {
            Some((month, day, name)) => {
                Date::new(year, month, day).ok().map(|date| RuleHoliday { date, name, substitute: false })
            }
            None => rule.date(nation, year, easter).map(|date| RuleHoliday { date, name: rule.name(), substitute: false }),
        };
        let Some(holiday) = holiday else { continue };
        if moved.is_none() && rule.on_fixed_date() && is_weekend(holiday.date) {
            on_weekend.push(holiday);
        } else {
            taken.push(holiday);
        }
    }
    for change in &one_offs {
        if let Change::Extra { month, day, name } = *change
            && let Ok(date) = Date::new(year, month, day)
        {
            taken.push(RuleHoliday { date, name, substitute: false });
        }
    }

    // A weekend holiday is taken on the next weekday that is not already a holiday, in
    // date order: so Christmas on a Saturday and Boxing Day on a Sunday give Monday and
    // Tuesday, and Christmas on a Sunday gives Tuesday because Boxing Day has the Monday.
    on_weekend.sort_by_key(|h| h.date);
    for holiday in on_weekend {
        let mut day = holiday.date;
        while is_weekend(day) || taken.iter().any(|h| h.date == day) {
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        taken.push(RuleHoliday { date: day, name: holiday.name, substitute: true });
    }
    taken.sort_by_key(|h| h.date);
    taken.dedup_by_key(|h| h.date);
    taken
}

/// Easter Sunday in the Gregorian calendar, by the anonymous algorithm published by Meeus
/// (also credited to Jones and Butcher). Euclidean division keeps it total for every year
/// a `Date` can hold, though before 1583 the answer is only a proleptic curiosity.
fn easter_sunday(year: i16) -> Option<Date> {
    let y = i32::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn add_days(date: Date, days: i64) -> Option<Date> {
    date.checked_add(Span::new().try_days(days).ok()?).ok()
}

/// Whole days from `a` to `b` (negative if `b` is earlier).
fn days_from(a: Date, b: Date) -> i64 {
    b.duration_since(a).as_secs() / 86_400
}

/// Mondays to Fridays after `a` up to and including `b`, for `a <= b`.
fn weekdays_after(a: Date, b: Date) -> i64 {
    let days = days_from(a, b);
    let first = i64::from(a.weekday().to_monday_zero_offset());
    let part_week = (1..=days % 7).filter(|i| (first + i) % 7 < 5).count();
    (days / 7) * 5 + i64::try_from(part_week).unwrap_or(0)
}

fn year_span(year: i16) -> Option<RangeInclusive<Date>> {
    Some(Date::new(year, 1, 1).ok()?..=Date::new(year, 12, 31).ok()?)
}

/// The years whose bank holidays a [`Calendar`] works out when it is made. Any date a
/// service will hold, and any deadline from one, falls in it; outside it the answers are
/// the same, only worked out again on each call.
const CACHED_YEARS: RangeInclusive<i16> = 2000..=2100;

/// The working-day calendar of one service: its nation's bank holidays, holidays imported
/// since, and the days its organisation is closed.
///
/// Built once from configuration and then only read, so it can be shared between threads
/// and asked about thousands of deadlines a second.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    nation: Nation,
    /// Days the organisation is closed, of any year.
    closures: BTreeSet<Date>,
    /// Bank holidays the rules don't give (announced later, imported), of any year.
    extra_holidays: BTreeMap<Date, String>,
    /// Every day off: the bank holidays of `CACHED_YEARS` plus every closure and extra
    /// holiday. The one set the arithmetic consults.
    days_off: BTreeSet<Date>,
}

impl Calendar {
    /// The calendar of `nation`'s bank holidays, with no closures or extras yet.
    pub fn new(nation: Nation) -> Self {
        let days_off = CACHED_YEARS.flat_map(|year| rule_holidays(nation, year)).map(|h| h.date).collect();
        Self { nation, closures: BTreeSet::new(), extra_holidays: BTreeMap::new(), days_off }
    }

    /// Adds days the organisation is closed (from its configuration). A closure on a
    /// weekend or a bank holiday changes nothing, but is still listed.
    #[must_use]
    pub fn with_closures(mut self, days: impl IntoIterator<Item = Date>) -> Self {
        for day in days {
            self.closures.insert(day);
            self.days_off.insert(day);
        }
        self
    }

    /// Adds bank holidays the rules don't know of, such as one announced after this code
    /// was written. A date that is already a holiday keeps its first name.
    #[must_use]
    pub fn with_extra_holidays(mut self, holidays: impl IntoIterator<Item = Holiday>) -> Self {
        for holiday in holidays {
            self.days_off.insert(holiday.date);
            self.extra_holidays.entry(holiday.date).or_insert(holiday.name);
        }
        self
    }

    /// Takes from published holiday lists (see [`parse_published_holidays`]) those of this
    /// calendar's nation that the rules don't give, as extra holidays.
    ///
    /// Published data only ever adds days: a holiday the rules give but the list leaves
    /// out stays a holiday, so a holiday moved by a future proclamation must also be added
    /// to the one-off table here.
    #[must_use]
    pub fn with_published_holidays(self, published: impl IntoIterator<Item = (Nation, Holiday)>) -> Self {
        let nation = self.nation;
        let mut rule_dates: BTreeMap<i16, Vec<Date>> = BTreeMap::new();
        let extras: Vec<Holiday> = published
            .into_iter()
            .filter(|(n, _)| *n == nation)
            .map(|(_, holiday)| holiday)
            .filter(|holiday| {
                let known = rule_dates
                    .entry(holiday.date.year())
                    .or_insert_with(|| rule_holidays(nation, holiday.date.year()).iter().map(|h| h.date).collect());
                !known.contains(&holiday.date)
            })
            .collect();
        self.with_extra_holidays(extras)
    }

    pub fn nation(&self) -> Nation {
        self.nation
    }

    /// Monday to Friday, and neither a holiday nor a closure day.
    pub fn is_working_day(&self, date: Date) -> bool {
        !is_weekend(date) && !self.is_day_off(date)
    }

    /// The first working day strictly after `date`, whatever `date` is. (For "this day if
    /// it is a working day, else the next", use [`Calendar::add_working_days`] with 0.)
    ///
    /// Saturates at `Date::MAX` at the far end of the representable calendar.
    pub fn next_working_day(&self, date: Date) -> Date {
        self.add_working_days(date, 1)
    }

    /// The day on which `n` working days after `start` have passed: the `n`th working day
    /// after `start`, not counting `start` itself. So a referral on Wednesday whose
    /// assessment is due "within 5 working days" is due by the following Wednesday, and a
    /// referral on a Saturday by the Friday after.
    ///
    /// With `n = 0` the answer is `start` if it is a working day, otherwise the next working
    /// day: "due the same day" never lands on a day nobody is at work. (That is the one
    /// case where `working_days_between(start, add_working_days(start, n))` is not `n`: it
    /// is 1 when `start` is not a working day.)
    ///
    /// Saturates at `Date::MAX` at the far end of the representable calendar.
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        if n == 0 {
            return if self.is_working_day(start) { start } else { self.add_working_days(start, 1) };
        }
        // The answer is always the `left`th working day after `at`.
        let mut at = start;
        let mut left = i64::from(n);
        // A run of whole weeks holds at most five working days a week, so jumping
        // (left - 1) / 5 weeks can't pass the answer, and counting what was jumped keeps
        // long spans to a few range counts instead of a walk day by day.
        while left > 5 {
            let weeks_to_end = days_from(at, Date::MAX) / 7;
            let weeks = ((left - 1) / 5).min(weeks_to_end);
            let Some(to) = add_days(at, weeks * 7).filter(|_| weeks > 0) else { break };
            left -= self.working_days_between(at, to);
            at = to;
        }
        loop {
            let Ok(next) = at.tomorrow() else { return Date::MAX };
            at = next;
            if self.is_working_day(at) {
                left -= 1;
                if left == 0 {
                    return at;
                }
            }
        }
    }

    /// The number of working days after `a` up to and including `b`: how many working days
    /// a deadline of `b` allows from `a`. Zero when they are the same day, and negative
    /// (the count from `b` to `a`, negated) when `b` is earlier.
    pub fn working_days_between(&self, a: Date, b: Date) -> i64 {
        if b < a {
            return -self.working_days_between(b, a);
        }
        weekdays_after(a, b) - self.weekdays_off_after(a, b)
    }

    /// Every day off in `year`, sorted, one per date: bank holidays, extra holidays, and
    /// closure days (named [`CLOSURE_DAY_NAME`]). Where a closure or an extra falls on a
    /// bank holiday, the bank holiday's name is the one shown.
    pub fn holidays_in(&self, year: i16) -> Vec<Holiday> {
        let Some(span) = year_span(year) else {
            return Vec::new();
        };
        let mut days: BTreeMap<Date, String> =
            rule_holidays(self.nation, year).into_iter().map(|h| (h.date, h.into_holiday().name)).collect();
        for (date, name) in self.extra_holidays.range(span.clone()) {
            days.entry(*date).or_insert_with(|| name.clone());
        }
        for date in self.closures.range(span) {
            days.entry(*date).or_insert_with(|| CLOSURE_DAY_NAME.to_owned());
        }
        days.into_iter().map(|(date, name)| Holiday { date, name }).collect()
    }

    fn is_day_off(&self, date: Date) -> bool {
        self.days_off.contains(&date)
            || (!CACHED_YEARS.contains(&date.year()) && rule_holidays(self.nation, date.year()).iter().any(|h| h.date == date))
    }

    /// Days off that fall on a weekday after `a` up to and including `b`, for `a <= b`.
    fn weekdays_off_after(&self, a: Date, b: Date) -> i64 {
        let in_range = |date: &Date| *date > a && *date <= b && !is_weekend(*date);
        let mut count = self.days_off.range((Excluded(a), Included(b))).filter(|d| !is_weekend(**d)).count();
        for year in a.year()..=b.year() {
            if !CACHED_YEARS.contains(&year) {
                count += rule_holidays(self.nation, year)
                    .iter()
                    .filter(|h| in_range(&h.date) && !self.days_off.contains(&h.date))
                    .count();
            }
        }
        i64::try_from(count).unwrap_or(i64::MAX)
    }
}

/// One division of GOV.UK's `bank-holidays.json`.
#[derive(Debug, Deserialize)]
struct PublishedDivision {
    events: Vec<PublishedEvent>,
}

/// One event of a division. `notes` ("Substitute day") and `bunting` are read past.
#[derive(Debug, Deserialize)]
struct PublishedEvent {
    title: String,
    date: String,
}

/// Reads the document GOV.UK publishes at <https://www.gov.uk/bank-holidays.json>:
///
/// ```json
/// {"england-and-wales": {"division": "england-and-wales",
///    "events": [{"title": "New Year’s Day", "date": "2026-01-01", "notes": "", "bunting": true}]},
///  "scotland": {...}, "northern-ireland": {...}}
/// ```
///
/// into its holidays, sorted by nation and date. Fetching it is someone else's job: this
/// crate does no I/O. A division other than the three nations is refused rather than
/// skipped, so a change in the format is noticed instead of silently dropping holidays.
pub fn parse_published_holidays(json: &str) -> Result<Vec<(Nation, Holiday)>, FieldError> {
    let divisions: BTreeMap<String, PublishedDivision> =
        serde_json::from_str(json).map_err(|e| FieldError::new("", format!("is not GOV.UK's bank holiday data: {e}")))?;
    let mut holidays = Vec::new();
    for (key, division) in divisions {
        let nation = Nation::parse(&key).map_err(|e| e.within(&key))?;
        for (index, event) in division.events.into_iter().enumerate() {
            let at = format!("{key}/events/{index}");
            let date: Date = event
                .date
                .trim()
                .parse()
                .map_err(|_| FieldError::new("date", format!("'{}' is not a date (YYYY-MM-DD)", event.date)).within(&at))?;
            let name = event.title.trim();
            if name.is_empty() {
                return Err(FieldError::new("title", "must not be empty").within(&at));
            }
            holidays.push((nation, Holiday { date, name: name.to_owned() }));
        }
    }
    holidays.sort_by_key(|(nation, holiday)| (*nation, holiday.date));
    Ok(holidays)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn dates(holidays: &[Holiday]) -> Vec<Date> {
        holidays.iter().map(|h| h.date).collect()
    }

    /// GOV.UK's published bank holidays, as listed at https://www.gov.uk/bank-holidays
    /// (and its `.json`). 2018–2027 are copied from published lists; 2028–2030 are written
    /// out by hand from the rules (GOV.UK had not published them when this was written),
    /// so they check the code, not the rules. 2026 Scotland includes the World Cup bank
    /// holiday added in February 2026.
    const PUBLISHED: &[(Nation, i16, &[&str])] = &[
        (Nation::EnglandAndWales, 2018, &["01-01", "03-30", "04-02", "05-07", "05-28", "08-27", "12-25", "12-26"]),
        (Nation::EnglandAndWales, 2019, &["01-01", "04-19", "04-22", "05-06", "05-27", "08-26", "12-25", "12-26"]),
        (Nation::EnglandAndWales, 2020, &["01-01", "04-10", "04-13", "05-08", "05-25", "08-31", "12-25", "12-28"]),
        (Nation::EnglandAndWales, 2021, &["01-01", "04-02", "04-05", "05-03", "05-31", "08-30", "12-27", "12-28"]),
        (
            Nation::EnglandAndWales,
            2022,
            &["01-03", "04-15", "04-18", "05-02", "06-02", "06-03", "08-29", "09-19", "12-26", "12-27"],
        ),
        (Nation::EnglandAndWales, 2023, &["01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"]),
        (Nation::EnglandAndWales, 2024, &["01-01", "03-29", "04-01", "05-06", "05-27", "08-26", "12-25", "12-26"]),
        (Nation::EnglandAndWales, 2025, &["01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"]),
        (Nation::EnglandAndWales, 2026, &["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"]),
        (Nation::EnglandAndWales, 2027, &["01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"]),
        (Nation::EnglandAndWales, 2028, &["01-03", "04-14", "04-17", "05-01", "05-29", "08-28", "12-25", "12-26"]),
        (Nation::EnglandAndWales, 2029, &["01-01", "03-30", "04-02", "05-07", "05-28", "08-27", "12-25", "12-26"]),
        (Nation::EnglandAndWales, 2030, &["01-01", "04-19", "04-22", "05-06", "05-27", "08-26", "12-25", "12-26"]),
        (Nation::Scotland, 2018, &["01-01", "01-02", "03-30", "05-07", "05-28", "08-06", "11-30", "12-25", "12-26"]),
        (Nation::Scotland, 2019, &["01-01", "01-02", "04-19", "05-06", "05-27", "08-05", "12-02", "12-25", "12-26"]),
        (Nation::Scotland, 2020, &["01-01", "01-02", "04-10", "05-08", "05-25", "08-03", "11-30", "12-25", "12-28"]),
        (Nation::Scotland, 2021, &["01-01", "01-04", "04-02", "05-03", "05-31", "08-02", "11-30", "12-27", "12-28"]),
        (
            Nation::Scotland,
            2022,
            &["01-03", "01-04", "04-15", "05-02", "06-02", "06-03", "08-01", "09-19", "11-30", "12-26", "12-27"],
        ),
        (Nation::Scotland, 2023, &["01-02", "01-03", "04-07", "05-01", "05-08", "05-29", "08-07", "11-30", "12-25", "12-26"]),
        (Nation::Scotland, 2024, &["01-01", "01-02", "03-29", "05-06", "05-27", "08-05", "12-02", "12-25", "12-26"]),
        (Nation::Scotland, 2025, &["01-01", "01-02", "04-18", "05-05", "05-26", "08-04", "12-01", "12-25", "12-26"]),
        (Nation::Scotland, 2026, &["01-01", "01-02", "04-03", "05-04", "05-25", "06-15", "08-03", "11-30", "12-25", "12-28"]),
        (Nation::Scotland, 2027, &["01-01", "01-04", "03-26", "05-03", "05-31", "08-02", "11-30", "12-27", "12-28"]),
        (Nation::Scotland, 2028, &["01-03", "01-04", "04-14", "05-01", "05-29", "08-07", "11-30", "12-25", "12-26"]),
        (Nation::Scotland, 2029, &["01-01", "01-02", "03-30", "05-07", "05-28", "08-06", "11-30", "12-25", "12-26"]),
        (Nation::Scotland, 2030, &["01-01", "01-02", "04-19", "05-06", "05-27", "08-05", "12-02", "12-25", "12-26"]),
        (
            Nation::NorthernIreland,
            2018,
            &["01-01", "03-19", "03-30", "04-02", "05-07", "05-28", "07-12", "08-27", "12-25", "12-26"],
        ),
        (
            Nation::NorthernIreland,
            2019,
            &["01-01", "03-18", "04-19", "04-22", "05-06", "05-27", "07-12", "08-26", "12-25", "12-26"],
        ),
        (
            Nation::NorthernIreland,
            2020,
            &["01-01", "03-17", "04-10", "04-13", "05-08", "05-25", "07-13", "08-31", "12-25", "12-28"],
        ),
        (
            Nation::NorthernIreland,
            2021,
            &["01-01", "03-17", "04-02", "04-05", "05-03", "05-31", "07-12", "08-30", "12-27", "12-28"],
        ),
        (
            Nation::NorthernIreland,
            2022,
            &["01-03", "03-17", "04-15", "04-18", "05-02", "06-02", "06-03", "07-12", "08-29", "09-19", "12-26", "12-27"],
        ),
        (
            Nation::NorthernIreland,
            2023,
            &["01-02", "03-17", "04-07", "04-10", "05-01", "05-08", "05-29", "07-12", "08-28", "12-25", "12-26"],
        ),
        (
            Nation::NorthernIreland,
            2024,
            &["01-01", "03-18", "03-29", "04-01", "05-06", "05-27", "07-12", "08-26", "12-25", "12-26"],
        ),
        (
            Nation::NorthernIreland,
            2025,
            &["01-01", "03-17", "04-18", "04-21", "05-05", "05-26", "07-14", "08-25", "12-25", "12-26"],
        ),
        (
            Nation::NorthernIreland,
            2026,
            &["01-01", "03-17", "04-03", "04-06", "05-04", "05-25", "07-13", "08-31", "12-25", "12-28"],
        ),
        (
            Nation::NorthernIreland,
            2027,
            &["01-01", "03-17", "03-26", "03-29", "05-03", "05-31", "07-12", "08-30", "12-27", "12-28"],
        ),
        (
            Nation::NorthernIreland,
            2028,
            &["01-03", "03-17", "04-14", "04-17", "05-01", "05-29", "07-12", "08-28", "12-25", "12-26"],
        ),
        (
            Nation::NorthernIreland,
            2029,
            &["01-01", "03-19", "03-30", "04-02", "05-07", "05-28", "07-12", "08-27", "12-25", "12-26"],
        ),
        (
            Nation::NorthernIreland,
            2030,
            &["01-01", "03-18", "04-19", "04-22", "05-06", "05-27", "07-12", "08-26", "12-25", "12-26"],
        ),
    ];

    #[test]
    fn bank_holidays_match_the_published_lists_2018_to_2030() {
        for nation in Nation::ALL {
            let years: Vec<i16> = PUBLISHED.iter().filter(|(n, _, _)| *n == nation).map(|(_, y, _)| *y).collect();
            assert_eq!(years, (2018..=2030).collect::<Vec<_>>(), "{nation}: table covers every year once");
        }
        for (nation, year, published) in PUBLISHED {
            let expected: Vec<Date> = published.iter().map(|md| format!("{year}-{md}").parse().unwrap()).collect();
            assert_eq!(dates(&bank_holidays(*nation, *year)), expected, "{nation} {year}");
            // And the calendar, cached or not, agrees on every day of the year.
            let calendar = Calendar::new(*nation);
            for holiday in &expected {
                assert!(!calendar.is_working_day(*holiday), "{nation} {holiday}");
            }
        }
    }

    #[test]
    fn easter_is_right_including_the_extremes() {
        for (year, month, day) in
            [(1818, 3, 22), (1886, 4, 25), (1943, 4, 25), (2000, 4, 23), (2008, 3, 23), (2011, 4, 24), (2019, 4, 21)]
        {
            assert_eq!(easter_sunday(year), Some(date(year, month, day)), "{year}");
        }
        for (year, month, day) in [(2024, 3, 31), (2025, 4, 20), (2038, 4, 25), (2285, 3, 22)] {
            assert_eq!(easter_sunday(year), Some(date(year, month, day)), "{year}");
        }
        // Every year a date can hold gives a Sunday in March or April.
        for year in (-9999..=9999).step_by(7) {
            let easter = easter_sunday(year).unwrap();
            assert_eq!(easter.weekday(), Weekday::Sunday, "{year}");
            assert!(matches!(easter.month(), 3 | 4), "{year}");
        }
    }

    #[test]
    fn christmas_and_boxing_day_both_on_a_weekend_take_monday_and_tuesday() {
        for year in [2021, 2027] {
            assert_eq!(date(year, 12, 25).weekday(), Weekday::Saturday);
            let holidays = bank_holidays(Nation::EnglandAndWales, year);
            let christmas: Vec<&Holiday> = holidays.iter().filter(|h| h.date.month() == 12).collect();
            assert_eq!(
                christmas,
                [
                    &Holiday::new(date(year, 12, 27), "Christmas Day (substitute day)"),
                    &Holiday::new(date(year, 12, 28), "Boxing Day (substitute day)"),
                ]
            );
        }
        // Christmas on a Sunday: Boxing Day keeps its Monday, Christmas moves to Tuesday.
        assert_eq!(date(2022, 12, 25).weekday(), Weekday::Sunday);
        let holidays = bank_holidays(Nation::NorthernIreland, 2022);
        assert!(holidays.contains(&Holiday::new(date(2022, 12, 26), "Boxing Day")));
        assert!(holidays.contains(&Holiday::new(date(2022, 12, 27), "Christmas Day (substitute day)")));
    }

    #[test]
    fn new_year_substitutes_including_scotlands_second_of_january() {
        // 2022: 1 January a Saturday, 2 January a Sunday.
        assert_eq!(date(2022, 1, 1).weekday(), Weekday::Saturday);
        let england = bank_holidays(Nation::EnglandAndWales, 2022);
        assert_eq!(england[0], Holiday::new(date(2022, 1, 3), "New Year’s Day (substitute day)"));
        assert_ne!(england[1].date.month(), 1);
        let scotland = bank_holidays(Nation::Scotland, 2022);
        assert_eq!(
            scotland[..2],
            [
                Holiday::new(date(2022, 1, 3), "New Year’s Day (substitute day)"),
                Holiday::new(date(2022, 1, 4), "2nd January (substitute day)"),
            ]
        );
        // 2023: 1 January a Sunday; 2 January is a holiday anyway, so New Year's substitute
        // is the Tuesday. (GOV.UK names these two the other way round; the dates agree.)
        assert_eq!(dates(&bank_holidays(Nation::Scotland, 2023))[..2], [date(2023, 1, 2), date(2023, 1, 3)]);
        // 2021 and 2027: only 2 January (a Saturday) moves, to Monday 4 January.
        for year in [2021, 2027] {
            assert_eq!(dates(&bank_holidays(Nation::Scotland, year))[..2], [date(year, 1, 1), date(year, 1, 4)]);
        }
    }

    #[test]
    fn scottish_and_northern_irish_days_have_substitutes_too() {
        let scotland = bank_holidays(Nation::Scotland, 2025);
        assert!(scotland.contains(&Holiday::new(date(2025, 12, 1), "St Andrew’s Day (substitute day)")));
        let ni = bank_holidays(Nation::NorthernIreland, 2025);
        assert!(ni.contains(&Holiday::new(date(2025, 7, 14), "Battle of the Boyne (Orangemen’s Day) (substitute day)")));
        let ni = bank_holidays(Nation::NorthernIreland, 2024);
        assert!(ni.contains(&Holiday::new(date(2024, 3, 18), "St Patrick’s Day (substitute day)")));
        // Scotland has no Easter Monday and an early Summer bank holiday; the others no St
        // Andrew's Day.
        assert!(!dates(&scotland).contains(&date(2025, 4, 21)));
        assert!(dates(&scotland).contains(&date(2025, 8, 4)));
        assert!(!dates(&bank_holidays(Nation::EnglandAndWales, 2023)).contains(&date(2023, 11, 30)));
    }

    #[test]
    fn one_off_changes_are_named_as_published() {
        let h2020 = bank_holidays(Nation::Scotland, 2020);
        assert!(h2020.contains(&Holiday::new(date(2020, 5, 8), "Early May bank holiday (VE day)")));
        assert!(!dates(&h2020).contains(&date(2020, 5, 4)));
        let h2022 = bank_holidays(Nation::EnglandAndWales, 2022);
        assert!(!dates(&h2022).contains(&date(2022, 5, 30)));
        assert!(h2022.contains(&Holiday::new(date(2022, 6, 2), "Spring bank holiday")));
        assert!(h2022.contains(&Holiday::new(date(2022, 6, 3), "Platinum Jubilee bank holiday")));
        assert!(h2022.contains(&Holiday::new(date(2022, 9, 19), "Bank Holiday for the State Funeral of Queen Elizabeth II")));
        assert_eq!(dates(&bank_holidays(Nation::EnglandAndWales, 2012))[4..6], [date(2012, 6, 4), date(2012, 6, 5)]);
        assert!(!dates(&bank_holidays(Nation::EnglandAndWales, 2026)).contains(&date(2026, 6, 15)));
    }

    #[test]
    fn christmas_2026_five_working_days_from_the_twenty_third() {
        // Wed 23 Dec; Thu 24 is a working day; Fri 25 Christmas; Sat 26 and Sun 27; Mon 28
        // Boxing Day's substitute; Tue 29, Wed 30, Thu 31 working; Fri 1 Jan New Year; the
        // weekend; Mon 4 Jan.
        assert_eq!(date(2026, 12, 23).weekday(), Weekday::Wednesday);
        assert_eq!(date(2026, 12, 28).weekday(), Weekday::Monday);
        assert_eq!(date(2027, 1, 4).weekday(), Weekday::Monday);
        let england = Calendar::new(Nation::EnglandAndWales);
        assert_eq!(england.add_working_days(date(2026, 12, 23), 5), date(2027, 1, 4));
        assert_eq!(england.working_days_between(date(2026, 12, 23), date(2027, 1, 4)), 5);
        assert_eq!(england.working_days_between(date(2027, 1, 4), date(2026, 12, 23)), -5);
        // In Scotland Saturday 2 January gives Monday 4 January off as well.
        let scotland = Calendar::new(Nation::Scotland);
        assert_eq!(scotland.add_working_days(date(2026, 12, 23), 5), date(2027, 1, 5));
        // With the office shut between Christmas and New Year it is later still.
        let closed = Calendar::new(Nation::EnglandAndWales).with_closures([date(2026, 12, 29), date(2026, 12, 30)]);
        assert_eq!(closed.add_working_days(date(2026, 12, 23), 5), date(2027, 1, 6));
    }

    #[test]
    fn adding_working_days_counts_from_the_day_after() {
        let calendar = Calendar::new(Nation::EnglandAndWales);
        // Friday 22 May 2026, then Spring bank holiday on Monday 25 May.
        assert_eq!(calendar.add_working_days(date(2026, 5, 22), 1), date(2026, 5, 26));
        assert_eq!(calendar.add_working_days(date(2026, 5, 22), 5), date(2026, 6, 1));
        // A Saturday referral: five working days is the Friday after.
        assert_eq!(calendar.add_working_days(date(2026, 6, 6), 5), date(2026, 6, 12));
        // n = 0: the day itself if it's a working day, else the next one.
        assert_eq!(calendar.add_working_days(date(2026, 6, 3), 0), date(2026, 6, 3));
        assert_eq!(calendar.add_working_days(date(2026, 6, 6), 0), date(2026, 6, 8));
        assert_eq!(calendar.add_working_days(date(2026, 12, 25), 0), date(2026, 12, 29));
        // next_working_day is always strictly after.
        assert_eq!(calendar.next_working_day(date(2026, 6, 3)), date(2026, 6, 4));
        assert_eq!(calendar.next_working_day(date(2026, 12, 24)), date(2026, 12, 29));
        assert_eq!(calendar.working_days_between(date(2026, 6, 3), date(2026, 6, 3)), 0);
        // A year: 52 weeks and a day, less 8 bank holidays on weekdays.
        assert_eq!(calendar.working_days_between(date(2025, 12, 31), date(2026, 12, 31)), 261 - 8);
    }

    #[test]
    fn years_outside_the_cache_behave_the_same() {
        let calendar = Calendar::new(Nation::EnglandAndWales);
        for year in [1999, 2101, 2500] {
            for holiday in bank_holidays(Nation::EnglandAndWales, year) {
                assert!(!calendar.is_working_day(holiday.date), "{}", holiday.date);
            }
        }
        // Christmas 2101 is a Sunday: Boxing Day Monday, Christmas substitute Tuesday.
        assert_eq!(date(2101, 12, 25).weekday(), Weekday::Sunday);
        assert_eq!(calendar.add_working_days(date(2101, 12, 23), 1), date(2101, 12, 28));
        // Friday 31 December 2100 to Saturday 31 December 2101: 52 weeks and a Saturday.
        assert_eq!(calendar.working_days_between(date(2100, 12, 31), date(2101, 12, 31)), 260 - 8);
        // The far end saturates instead of failing.
        assert_eq!(calendar.add_working_days(date(9999, 12, 30), 5), Date::MAX);
        assert_eq!(calendar.add_working_days(date(2026, 1, 1), u32::MAX), Date::MAX);
    }

    #[test]
    fn holidays_in_lists_extras_and_closures() {
        let calendar = Calendar::new(Nation::EnglandAndWales)
            .with_closures([date(2026, 12, 24), date(2026, 12, 25), date(2027, 1, 2)])
            .with_extra_holidays([Holiday::new(date(2026, 7, 1), "Made-up day")]);
        let holidays = calendar.holidays_in(2026);
        assert_eq!(holidays.len(), 10);
        assert!(holidays.windows(2).all(|w| w[0].date < w[1].date));
        assert!(holidays.contains(&Holiday::new(date(2026, 7, 1), "Made-up day")));
        assert!(holidays.contains(&Holiday::new(date(2026, 12, 24), CLOSURE_DAY_NAME)));
        assert!(holidays.contains(&Holiday::new(date(2026, 12, 25), "Christmas Day")));
        assert!(!calendar.is_working_day(date(2026, 7, 1)));
        assert!(!calendar.is_working_day(date(2026, 12, 24)));
        assert_eq!(
            calendar.holidays_in(2027)[..2],
            [Holiday::new(date(2027, 1, 1), "New Year’s Day"), Holiday::new(date(2027, 1, 2), CLOSURE_DAY_NAME),]
        );
    }

    #[test]
    fn nations_parse_and_serialise_by_their_published_names() {
        for nation in Nation::ALL {
            assert_eq!(Nation::parse(nation.as_str()), Ok(nation));
            assert_eq!(serde_json::to_string(&nation).unwrap(), format!("\"{}\"", nation.as_str()));
            assert_eq!(serde_json::from_str::<Nation>(&format!("\"{nation}\"")).unwrap(), nation);
        }
        assert_eq!(Nation::parse(" Scotland "), Ok(Nation::Scotland));
        for bad in ["", "england", "wales", "uk", "northern_ireland"] {
            assert!(Nation::parse(bad).is_err(), "{bad}");
        }
    }

    const SAMPLE: &str = r#"{
        "england-and-wales": {"division": "england-and-wales", "events": [
            {"title": "New Year’s Day", "date": "2026-01-01", "notes": "", "bunting": true},
            {"title": "Boxing Day", "date": "2026-12-28", "notes": "Substitute day", "bunting": true},
            {"title": "Bank holiday for something new", "date": "2031-06-20", "notes": "", "bunting": true}
        ]},
        "scotland": {"division": "scotland", "events": [
            {"title": "World Cup bank holiday", "date": "2026-06-15", "notes": "", "bunting": true},
            {"title": "2nd January", "date": "2026-01-02", "notes": "", "bunting": true}
        ]},
        "northern-ireland": {"division": "northern-ireland", "events": []}
    }"#;

    #[test]
    fn published_holidays_are_read_and_only_new_ones_become_extras() {
        let published = parse_published_holidays(SAMPLE).unwrap();
        assert_eq!(published.len(), 5);
        assert_eq!(published[0], (Nation::EnglandAndWales, Holiday::new(date(2026, 1, 1), "New Year’s Day")));
        assert_eq!(published[4], (Nation::Scotland, Holiday::new(date(2026, 6, 15), "World Cup bank holiday")));

        let england = Calendar::new(Nation::EnglandAndWales).with_published_holidays(published.clone());
        assert!(!england.is_working_day(date(2031, 6, 20)));
        assert_eq!(england.extra_holidays.len(), 1);
        assert!(england.holidays_in(2031).contains(&Holiday::new(date(2031, 6, 20), "Bank holiday for something new")));
        // Scotland's already known from the table, and not a holiday anywhere else.
        let scotland = Calendar::new(Nation::Scotland).with_published_holidays(published);
        assert!(scotland.extra_holidays.is_empty());
        assert!(!scotland.is_working_day(date(2026, 6, 15)));
        assert!(Calendar::new(Nation::EnglandAndWales).is_working_day(date(2026, 6, 15)));
    }

    #[test]
    fn bad_published_data_says_where() {
        let bad_date = r#"{"scotland": {"events": [{"title": "x", "date": "2026-02-30"}]}}"#;
        assert_eq!(parse_published_holidays(bad_date).unwrap_err().field, "scotland/events/0/date");
        let no_title = r#"{"scotland": {"events": [{"title": " ", "date": "2026-02-03"}]}}"#;
        assert_eq!(parse_published_holidays(no_title).unwrap_err().field, "scotland/events/0/title");
        let unknown = r#"{"wales": {"events": []}}"#;
        assert_eq!(parse_published_holidays(unknown).unwrap_err().field, "wales");
        assert!(parse_published_holidays("[]").is_err());
        assert!(parse_published_holidays(r#"{"scotland": {}}"#).is_err());
    }

    /// The slow, obviously right count, to check the fast one against.
    fn counted_by_walking(calendar: &Calendar, a: Date, b: Date) -> i64 {
        let (from, to, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let mut day = from;
        let mut count = 0;
        while day < to {
            day = day.tomorrow().unwrap();
            if calendar.is_working_day(day) {
                count += 1;
            }
        }
        sign * count
    }

    fn walked_forward(calendar: &Calendar, start: Date, n: u32) -> Date {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day = day.tomorrow().unwrap();
            if calendar.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    fn any_nation() -> impl Strategy<Value = Nation> {
        prop::sample::select(Nation::ALL.to_vec())
    }

    /// Days from 1995 to 2105, straddling both ends of the cached years.
    fn any_day() -> impl Strategy<Value = Date> {
        (0i64..40_500).prop_map(|offset| add_days(date(1995, 1, 1), offset).unwrap())
    }

    proptest! {
        #[test]
        fn the_answer_is_always_a_working_day(nation in any_nation(), start in any_day(), n in 1u32..400) {
            let calendar = Calendar::new(nation);
            let due = calendar.add_working_days(start, n);
            prop_assert!(calendar.is_working_day(due));
            prop_assert!(due > start);
            prop_assert!(calendar.is_working_day(calendar.add_working_days(start, 0)));
        }

        #[test]
        fn more_working_days_is_strictly_later(nation in any_nation(), start in any_day(), n in 1u32..300) {
            let calendar = Calendar::new(nation);
            prop_assert!(calendar.add_working_days(start, n) < calendar.add_working_days(start, n + 1));
            prop_assert!(calendar.add_working_days(start, 0) <= calendar.add_working_days(start, 1));
        }

        #[test]
        fn counting_undoes_adding(nation in any_nation(), start in any_day(), n in 1u32..2_000) {
            let calendar = Calendar::new(nation);
            let due = calendar.add_working_days(start, n);
            prop_assert_eq!(calendar.working_days_between(start, due), i64::from(n));
            prop_assert_eq!(calendar.working_days_between(due, start), -i64::from(n));
        }

        #[test]
        fn fast_arithmetic_agrees_with_walking(nation in any_nation(), a in any_day(), span in -800i64..800, n in 0u32..600) {
            let calendar = Calendar::new(nation);
            let b = add_days(a, span).unwrap();
            prop_assert_eq!(calendar.working_days_between(a, b), counted_by_walking(&calendar, a, b));
            if n > 0 {
                prop_assert_eq!(calendar.add_working_days(a, n), walked_forward(&calendar, a, n));
            }
        }

        #[test]
        fn closure_days_are_never_worked(
            nation in any_nation(),
            start in any_day(),
            closed in prop::collection::vec(0i64..60, 0..15),
            n in 1u32..30,
        ) {
            let closures: BTreeSet<Date> = closed.iter().map(|d| add_days(start, *d).unwrap()).collect();
            let plain = Calendar::new(nation);
            let calendar = Calendar::new(nation).with_closures(closures.clone());
            let due = calendar.add_working_days(start, n);
            prop_assert!(!closures.contains(&due));
            prop_assert!(due >= plain.add_working_days(start, n));
            for day in &closures {
                prop_assert!(!calendar.is_working_day(*day));
            }
            // Exactly the closures that would have been working days are skipped.
            let new_closures = closures.iter().filter(|d| **d > start && **d <= due && plain.is_working_day(**d)).count();
            prop_assert_eq!(
                plain.working_days_between(start, due) - i64::try_from(new_closures).unwrap(),
                i64::from(n)
            );
        }
    }
}
