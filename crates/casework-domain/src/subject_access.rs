//! Subject access requests: a person's right to a copy of everything a service holds about
//! them (UK GDPR article 15). A request is run like a case: it is received, the person's
//! identity is confirmed, and it is answered within a calendar month (extendable once, by
//! two more) by sending them a bundle of their records, or refused with a reason. Each
//! command checks its rule and returns the change for the history; a refused command
//! changes nothing.
//!
//! The deadline, as UK GDPR article 12(3) and the ICO's guidance set it: the clock starts on
//! the day the request is received, or on the day the person's identity is confirmed if
//! that is later. The response is due on the corresponding calendar date one month later,
//! or on the last day of that month when it has no such date (31 January gives 28 or 29
//! February); when that day is not a working day of the service, on the next working day.
//! The one extension makes it three months from the same start, worked out the same way.

use crate::calendar::Calendar;
use crate::history::{Change, EventKind, Subject};
use crate::ids::{PersonId, SubjectAccessId, UserId};
use crate::invalid::{FieldError, Invalid};
use crate::text::{Code, LongText, ShortText};
use crate::timer::TimeLeft;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Months from the start of the clock to the deadline, without and with the extension.
pub const MONTHS: i8 = 1;
pub const EXTENDED_MONTHS: i8 = 3;

/// The day a response is due when the clock started on `start`: the corresponding date
/// `months` later (the month's last day when it has no such date), moved on to the next
/// working day of `calendar` when it is not one.
pub fn deadline(start: Date, months: i8, calendar: &Calendar) -> Date {
    // jiff keeps the day of the month and, in a shorter month, takes its last day instead:
    // exactly "the corresponding calendar date, or the last day of that month".
    let corresponding = start.checked_add(i64::from(months).months()).unwrap_or(Date::MAX);
    calendar.add_working_days(corresponding, 0)
}

/// Where a request stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Status {
    /// Received; the clock starts once the person's identity is confirmed.
    AwaitingIdentity,
    /// The clock is running.
    Open,
    /// The response was sent on `sent_on`: the bundle whose SHA-256 is `bundle_sha256`.
    Completed { sent_on: Date, bundle_sha256: String },
    /// Refused, for instance as manifestly unfounded or excessive.
    Refused { reason: LongText, on: Date },
}

impl Status {
    /// The name used in the database and the API.
    pub fn name(&self) -> &'static str {
        match self {
            Status::AwaitingIdentity => "awaiting-identity",
            Status::Open => "open",
            Status::Completed { .. } => "completed",
            Status::Refused { .. } => "refused",
        }
    }

    /// Completed or refused: nothing more is done on the request.
    pub fn is_closed(&self) -> bool {
        matches!(self, Status::Completed { .. } | Status::Refused { .. })
    }
}

/// The one extension of the deadline, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    pub reason: LongText,
    pub on: Date,
}

/// A bundle made for the request: what was exported, by whom and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Export {
    /// Lowercase hex SHA-256 of the zip served.
    pub sha256: String,
    /// How many cases it held.
    pub cases: u32,
    pub by: UserId,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectAccessRequest {
    pub id: SubjectAccessId,
    /// `SAR-<service prefix>-<year>-<number>`, e.g. `SAR-DARS-2026-0001`.
    pub reference: String,
    /// The service that holds the records asked for.
    pub service: Code,
    pub person: PersonId,
    /// Who asked on the person's behalf and on what authority; none when they asked themselves.
    pub representative: Option<ShortText>,
    pub received_on: Date,
    pub identity_confirmed_on: Option<Date>,
    /// Whether they asked who has looked at their records.
    pub include_access_log: bool,
    /// What they asked for, in their words.
    pub details: Option<LongText>,
    pub status: Status,
    pub extension: Option<Extension>,
    /// Oldest first.
    pub exports: Vec<Export>,
    pub recorded_by: UserId,
    pub recorded_at: Timestamp,
    /// Bumped by every change; a write must name the version it saw.
    pub version: i64,
}

/// A request as given on a form or through the API, before it is checked (the person is
/// checked by the caller, who can look them up).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SubjectAccessInput {
    pub representative: Option<String>,
    pub received_on: String,
    pub identity_confirmed_on: Option<String>,
    pub include_access_log: bool,
    pub details: Option<String>,
}

/// A checked request, ready to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubjectAccess {
    pub representative: Option<ShortText>,
    pub received_on: Date,
    pub identity_confirmed_on: Option<Date>,
    pub include_access_log: bool,
    pub details: Option<LongText>,
}

/// Why a command on a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubjectAccessError {
    #[error("the request was changed by someone else (you saw version {seen}, it is now {current}); reload it and try again")]
    StaleVersion { seen: i64, current: i64 },
    /// Where the request stands does not allow it (an export before identity is confirmed,
    /// an extension after the deadline, anything once it is closed).
    #[error("{0}")]
    NotNow(String),
    #[error(transparent)]
    Invalid(#[from] Invalid),
}

fn not_now(message: impl Into<String>) -> SubjectAccessError {
    SubjectAccessError::NotNow(message.into())
}

fn invalid(field: &str, message: impl Into<String>) -> SubjectAccessError {
    SubjectAccessError::Invalid(Invalid::one(field, message))
}

fn words(date: Date) -> String {
    date.strftime("%-d %B %Y").to_string()
}

/// A day given as `YYYY-MM-DD`, not after `today` and not before `earliest` (with what that is).
fn day(raw: &str, what: &str, today: Date, earliest: Option<(Date, &str)>) -> Result<Date, FieldError> {
    let Ok(day) = raw.trim().parse::<Date>() else {
        return Err(FieldError::new("", format!("enter the day {what}, for example {today}")));
    };
    if day > today {
        return Err(FieldError::new("", "cannot be in the future"));
    }
    if let Some((earliest, which)) = earliest
        && day < earliest
    {
        return Err(FieldError::new("", format!("cannot be before {which} ({})", words(earliest))));
    }
    Ok(day)
}

/// Optional text: absent or blank is none.
fn optional<T>(raw: Option<&str>, parse: impl Fn(&str) -> Result<T, FieldError>) -> Result<Option<T>, FieldError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        Some(text) => parse(text).map(Some),
        None => Ok(None),
    }
}

impl NewSubjectAccess {
    /// Checks a request as given, reporting every problem under its field.
    pub fn parse(input: &SubjectAccessInput, today: Date) -> Result<NewSubjectAccess, Invalid> {
        let mut problems = Invalid::new();
        let representative = problems.check("representative", optional(input.representative.as_deref(), ShortText::parse));
        let details = problems.check("details", optional(input.details.as_deref(), LongText::parse));
        let received_on = problems.check("received_on", day(&input.received_on, "the request was received", today, None));
        let confirmed = input.identity_confirmed_on.as_deref().map(str::trim).filter(|r| !r.is_empty());
        let identity_confirmed_on = match (confirmed, received_on) {
            (Some(raw), Some(received)) => problems
                .check(
                    "identity_confirmed_on",
                    day(raw, "identity was confirmed", today, Some((received, "the request was received"))),
                )
                .map(Some),
            (Some(raw), None) => {
                problems.check("identity_confirmed_on", day(raw, "identity was confirmed", today, None)).map(Some)
            }
            (None, _) => Some(None),
        };
        match (representative, details, received_on, identity_confirmed_on) {
            (Some(representative), Some(details), Some(received_on), Some(identity_confirmed_on)) if problems.is_empty() => {
                Ok(NewSubjectAccess {
                    representative,
                    received_on,
                    identity_confirmed_on,
                    include_access_log: input.include_access_log,
                    details,
                })
            }
            _ => Err(problems),
        }
    }
}

impl SubjectAccessRequest {
    /// A new request, awaiting identity unless it was confirmed on receipt or since.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        id: SubjectAccessId,
        reference: String,
        service: Code,
        person: PersonId,
        new: NewSubjectAccess,
        calendar: &Calendar,
        by: UserId,
        at: Timestamp,
    ) -> (SubjectAccessRequest, Change) {
        let status = if new.identity_confirmed_on.is_some() { Status::Open } else { Status::AwaitingIdentity };
        let request = SubjectAccessRequest {
            id,
            reference,
            service,
            person,
            representative: new.representative,
            received_on: new.received_on,
            identity_confirmed_on: new.identity_confirmed_on,
            include_access_log: new.include_access_log,
            details: new.details,
            status,
            extension: None,
            exports: Vec::new(),
            recorded_by: by,
            recorded_at: at,
            version: 1,
        };
        let change = Change::new(EventKind::SubjectAccessRequested, request.subject(), Value::Null, request.snapshot(calendar));
        (request, change)
    }

    fn subject(&self) -> Subject {
        Subject::SubjectAccess(self.id)
    }

    /// The request as the history keeps it before and after a change.
    fn snapshot(&self, calendar: &Calendar) -> Value {
        json!({
            "reference": self.reference,
            "person": self.person,
            "representative": self.representative,
            "received_on": self.received_on,
            "identity_confirmed_on": self.identity_confirmed_on,
            "include_access_log": self.include_access_log,
            "details": self.details,
            "status": self.status,
            "due_on": self.due_on(calendar),
            "extension": self.extension,
        })
    }

    /// Refuses a write based on an older version of the request.
    pub fn check_version(&self, seen: i64) -> Result<(), SubjectAccessError> {
        if seen == self.version { Ok(()) } else { Err(SubjectAccessError::StaleVersion { seen, current: self.version }) }
    }

    /// The day the clock started: none until identity is confirmed.
    pub fn clock_started_on(&self) -> Option<Date> {
        self.identity_confirmed_on.map(|confirmed| confirmed.max(self.received_on))
    }

    /// The day the response is due: none until the clock starts.
    pub fn due_on(&self, calendar: &Calendar) -> Option<Date> {
        let months = if self.extension.is_some() { EXTENDED_MONTHS } else { MONTHS };
        self.clock_started_on().map(|start| deadline(start, months, calendar))
    }

    /// How the request stands against its deadline on `today`, in calendar days: none while
    /// the clock has not started, or once refused.
    pub fn time_left(&self, calendar: &Calendar, today: Date) -> Option<TimeLeft> {
        let due = self.due_on(calendar)?;
        match &self.status {
            Status::AwaitingIdentity | Status::Refused { .. } => None,
            Status::Completed { sent_on, .. } => Some(if *sent_on <= due { TimeLeft::Met } else { TimeLeft::Breached }),
            Status::Open if today > due => Some(TimeLeft::OverdueDays { days: days_from(due, today) }),
            Status::Open if today == due => Some(TimeLeft::DueToday),
            Status::Open => Some(TimeLeft::DueInDays { days: days_from(today, due) }),
        }
    }

    fn require_open(&self, what: &str) -> Result<(), SubjectAccessError> {
        match &self.status {
            Status::Open => Ok(()),
            Status::AwaitingIdentity => Err(not_now(format!("confirm the person's identity before you {what}"))),
            Status::Completed { sent_on, .. } => {
                Err(not_now(format!("the request was completed on {}: there is nothing left to do", words(*sent_on))))
            }
            Status::Refused { on, .. } => Err(not_now(format!("the request was refused on {}", words(*on)))),
        }
    }

    /// Records that the person's identity was confirmed on the day given; the clock starts
    /// then (or on the day received, if that is later).
    pub fn confirm_identity(&mut self, on: &str, calendar: &Calendar, today: Date) -> Result<Change, SubjectAccessError> {
        match &self.status {
            Status::AwaitingIdentity => {}
            Status::Open => return Err(not_now("the person's identity has already been confirmed")),
            Status::Completed { .. } | Status::Refused { .. } => self.require_open("confirm identity")?,
        }
        let on = day(on, "identity was confirmed", today, Some((self.received_on, "the request was received")))
            .map_err(|e| SubjectAccessError::Invalid(e.within("confirmed_on").into()))?;
        let before = self.snapshot(calendar);
        self.identity_confirmed_on = Some(on);
        self.status = Status::Open;
        Ok(self.change(EventKind::SubjectAccessIdentityConfirmed, before, calendar))
    }

    /// Extends the deadline to three months from the start of the clock, once, for a
    /// reason, and only before the deadline has passed.
    pub fn extend(&mut self, reason: &str, calendar: &Calendar, today: Date) -> Result<Change, SubjectAccessError> {
        self.require_open("extend the deadline")?;
        if let Some(extension) = &self.extension {
            return Err(not_now(format!(
                "the deadline was already extended on {}; it can be extended only once",
                words(extension.on)
            )));
        }
        if let Some(due) = self.due_on(calendar)
            && today > due
        {
            return Err(not_now(format!("the deadline passed on {}: it can be extended only before it passes", words(due))));
        }
        let reason = LongText::parse(reason)
            .map_err(|_| invalid("reason", "say why more time is needed (for instance, the request is complex)"))?;
        let before = self.snapshot(calendar);
        self.extension = Some(Extension { reason, on: today });
        Ok(self.change(EventKind::SubjectAccessExtended, before, calendar))
    }

    /// May a bundle be made now? Only while the clock runs: not before identity is
    /// confirmed, nor once the request is closed.
    pub fn check_exportable(&self) -> Result<(), SubjectAccessError> {
        self.require_open("export what is held about them")
    }

    /// Records a bundle made for the request; `summary` says what it held (cases, what was
    /// withheld) for the history.
    pub fn record_export(&mut self, export: Export, summary: Value) -> Result<Change, SubjectAccessError> {
        self.check_exportable()?;
        let before = json!({ "exports": self.exports.len() });
        let mut after = json!({ "exports": self.exports.len() + 1, "sha256": export.sha256, "cases": export.cases });
        if let (Value::Object(after), Value::Object(summary)) = (&mut after, summary) {
            after.extend(summary);
        }
        self.exports.push(export);
        Ok(Change::new(EventKind::SubjectAccessExported, self.subject(), before, after))
    }

    /// Records that the response was sent on the day given: a bundle exported for this
    /// request (the latest, unless `bundle_sha256` names another).
    pub fn complete(
        &mut self,
        sent_on: &str,
        bundle_sha256: Option<&str>,
        calendar: &Calendar,
        today: Date,
    ) -> Result<Change, SubjectAccessError> {
        self.require_open("record the response")?;
        let Some(latest) = self.exports.last() else {
            return Err(not_now("make the bundle first: a response can be recorded only after it has been exported"));
        };
        let mut problems = Invalid::new();
        let wanted = bundle_sha256.map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
        let export = match &wanted {
            None => Some(latest),
            Some(sha256) => {
                let found = self.exports.iter().find(|e| &e.sha256 == sha256);
                if found.is_none() {
                    problems.push(FieldError::new("bundle_sha256", "is not the SHA-256 of a bundle exported for this request"));
                }
                found
            }
        };
        let made_on = export.map(|e| crate::time::day_of(e.at));
        let sent_on =
            problems.check("sent_on", day(sent_on, "the response was sent", today, made_on.map(|d| (d, "the bundle was made"))));
        let (Some(export), Some(sent_on)) = (export, sent_on) else { return Err(problems.into()) };
        let bundle_sha256 = export.sha256.clone();
        let before = self.snapshot(calendar);
        self.status = Status::Completed { sent_on, bundle_sha256 };
        Ok(self.change(EventKind::SubjectAccessResponded, before, calendar))
    }

    /// Refuses the request, for a reason (manifestly unfounded or excessive, say).
    pub fn refuse(&mut self, reason: &str, calendar: &Calendar, today: Date) -> Result<Change, SubjectAccessError> {
        if self.status.is_closed() {
            self.require_open("refuse it")?;
        }
        let reason = LongText::parse(reason)
            .map_err(|_| invalid("reason", "say why the request is refused (for instance, manifestly unfounded)"))?;
        let before = self.snapshot(calendar);
        self.status = Status::Refused { reason, on: today };
        Ok(self.change(EventKind::SubjectAccessRefused, before, calendar))
    }

    fn change(&self, kind: EventKind, before: Value, calendar: &Calendar) -> Change {
        Change::new(kind, self.subject(), before, self.snapshot(calendar))
    }
}

/// Whole days from `a` to `b` (negative if `b` is earlier).
fn days_from(a: Date, b: Date) -> i64 {
    b.duration_since(a).as_secs() / 86_400
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Nation;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn england() -> Calendar {
        Calendar::new(Nation::EnglandAndWales)
    }

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn input(received: &str, confirmed: Option<&str>) -> SubjectAccessInput {
        SubjectAccessInput {
            representative: None,
            received_on: received.into(),
            identity_confirmed_on: confirmed.map(Into::into),
            include_access_log: false,
            details: Some("Everything you hold about me".into()),
        }
    }

    fn request(received: &str, confirmed: Option<&str>, today: Date) -> SubjectAccessRequest {
        let new = NewSubjectAccess::parse(&input(received, confirmed), today).unwrap();
        let at = Timestamp::UNIX_EPOCH;
        SubjectAccessRequest::record(
            SubjectAccessId::new(),
            "SAR-DARS-2026-0001".into(),
            code("recovery"),
            PersonId::new(),
            new,
            &england(),
            UserId::new(),
            at,
        )
        .0
    }

    fn export(sha256: &str, on: Date) -> Export {
        let at = on.to_zoned(crate::time::service_zone()).unwrap().timestamp();
        Export { sha256: sha256.into(), cases: 1, by: UserId::new(), at }
    }

    #[test]
    fn the_deadline_is_the_corresponding_date_or_the_last_day_of_a_shorter_month() {
        let calendar = england();
        // 10 March 2026 is a Tuesday; 10 April a Friday, and a working day.
        assert_eq!(deadline(date(2026, 3, 10), 1, &calendar), date(2026, 4, 10));
        // 31 January 2024: February has 29 days that year, and the 29th is a Thursday.
        assert_eq!(deadline(date(2024, 1, 31), 1, &calendar), date(2024, 2, 29));
        // 31 January 2026: 28 February is a Saturday, so Monday 2 March.
        assert_eq!(deadline(date(2026, 1, 31), 1, &calendar), date(2026, 3, 2));
        // 31 March: April has 30 days (30 April 2026 is a Thursday).
        assert_eq!(deadline(date(2026, 3, 31), 1, &calendar), date(2026, 4, 30));
    }

    #[test]
    fn a_deadline_on_a_bank_holiday_moves_to_the_next_working_day_of_the_services_nation() {
        // 6 April 2026 is Easter Monday: a bank holiday in England and Wales, not in Scotland.
        assert_eq!(deadline(date(2026, 3, 6), 1, &england()), date(2026, 4, 7));
        assert_eq!(deadline(date(2026, 3, 6), 1, &Calendar::new(Nation::Scotland)), date(2026, 4, 6));
        // Christmas: 25 December 2027 is a Saturday, with substitute days on the 27th and 28th.
        assert_eq!(deadline(date(2027, 11, 25), 1, &england()), date(2027, 12, 29));
    }

    #[test]
    fn the_clock_starts_when_identity_is_confirmed_if_that_is_later() {
        let today = date(2026, 3, 20);
        let awaiting = request("2026-03-02", None, today);
        assert_eq!(awaiting.status, Status::AwaitingIdentity);
        assert_eq!(awaiting.due_on(&england()), None, "no clock before identity");
        assert_eq!(awaiting.time_left(&england(), today), None);

        let mut confirmed = awaiting.clone();
        let change = confirmed.confirm_identity("2026-03-20", &england(), today).unwrap();
        assert_eq!(change.kind, EventKind::SubjectAccessIdentityConfirmed);
        assert_eq!(change.after["due_on"], "2026-04-20");
        assert_eq!(confirmed.status, Status::Open);
        assert_eq!(confirmed.clock_started_on(), Some(date(2026, 3, 20)));
        assert_eq!(confirmed.due_on(&england()), Some(date(2026, 4, 20)));
        assert_eq!(confirmed.time_left(&england(), today), Some(TimeLeft::DueInDays { days: 31 }));
        assert_eq!(confirmed.time_left(&england(), date(2026, 4, 20)), Some(TimeLeft::DueToday));
        assert_eq!(confirmed.time_left(&england(), date(2026, 4, 23)), Some(TimeLeft::OverdueDays { days: 3 }));

        let on_receipt = request("2026-03-02", Some("2026-03-02"), today);
        assert_eq!(on_receipt.status, Status::Open);
        assert_eq!(on_receipt.due_on(&england()), Some(date(2026, 4, 2)));
    }

    #[test]
    fn bad_input_names_every_field_at_fault() {
        let today = date(2026, 3, 10);
        let bad = SubjectAccessInput {
            representative: Some("a\nb".into()),
            received_on: "2026-03-11".into(),
            identity_confirmed_on: Some("yesterday".into()),
            include_access_log: true,
            details: None,
        };
        let fields: Vec<String> = NewSubjectAccess::parse(&bad, today).unwrap_err().errors.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["representative", "received_on", "identity_confirmed_on"]);
        let early = input("2026-03-05", Some("2026-03-04"));
        let problems = NewSubjectAccess::parse(&early, today).unwrap_err();
        assert_eq!(problems.errors[0].field, "identity_confirmed_on");
        assert!(problems.errors[0].message.contains("before the request was received"), "{problems}");
        assert!(NewSubjectAccess::parse(&input("", None), today).is_err());
    }

    #[test]
    fn one_extension_to_three_months_only_before_the_deadline_passes() {
        let calendar = england();
        let mut sar = request("2026-01-31", Some("2026-01-31"), date(2026, 2, 1));
        assert_eq!(sar.due_on(&calendar), Some(date(2026, 3, 2)));
        let unchanged = sar.clone();
        assert!(matches!(sar.extend(" ", &calendar, date(2026, 2, 10)), Err(SubjectAccessError::Invalid(_))));
        assert_eq!(sar, unchanged, "a refused command changes nothing");
        let late = sar.extend("Complex", &calendar, date(2026, 3, 3));
        assert!(matches!(late, Err(SubjectAccessError::NotNow(ref m)) if m.contains("passed on 2 March 2026")), "{late:?}");
        assert_eq!(sar, unchanged);

        let change = sar.extend("Many records across services", &calendar, date(2026, 3, 2)).unwrap();
        assert_eq!(change.kind, EventKind::SubjectAccessExtended);
        assert_eq!(change.before["due_on"], "2026-03-02");
        // Three months from 31 January: 30 April 2026, a Thursday.
        assert_eq!(sar.due_on(&calendar), Some(date(2026, 4, 30)));
        assert_eq!(change.after["due_on"], "2026-04-30");
        let again = sar.clone();
        assert!(matches!(sar.extend("More", &calendar, date(2026, 3, 3)), Err(SubjectAccessError::NotNow(_))));
        assert_eq!(sar, again);
    }

    #[test]
    fn nothing_is_exported_before_identity_is_confirmed_and_a_response_needs_a_bundle() {
        let calendar = england();
        let today = date(2026, 3, 12);
        let mut sar = request("2026-03-10", None, today);
        assert!(matches!(sar.check_exportable(), Err(SubjectAccessError::NotNow(ref m)) if m.contains("identity")));
        assert!(sar.record_export(export("aa", today), json!({})).is_err());
        assert!(sar.extend("Complex", &calendar, today).is_err(), "no clock to extend");
        sar.confirm_identity("2026-03-11", &calendar, today).unwrap();
        assert!(matches!(sar.confirm_identity("2026-03-11", &calendar, today), Err(SubjectAccessError::NotNow(_))));

        let unchanged = sar.clone();
        assert!(matches!(sar.complete("2026-03-12", None, &calendar, today), Err(SubjectAccessError::NotNow(_))));
        assert_eq!(sar, unchanged);

        let change = sar.record_export(export("aa", date(2026, 3, 11)), json!({ "cases": ["DARS-2026-000001"] })).unwrap();
        assert_eq!(change.kind, EventKind::SubjectAccessExported);
        assert_eq!(change.after["sha256"], "aa");
        assert_eq!(change.after["cases"], json!(["DARS-2026-000001"]));
        sar.record_export(export("bb", today), json!({})).unwrap();

        let unknown = sar.complete("2026-03-12", Some("cc"), &calendar, today);
        assert!(matches!(unknown, Err(SubjectAccessError::Invalid(ref i)) if i.errors[0].field == "bundle_sha256"));
        let before_made = sar.complete("2026-03-11", None, &calendar, today);
        assert!(matches!(before_made, Err(SubjectAccessError::Invalid(ref i)) if i.errors[0].field == "sent_on"));
        let future = sar.complete("2026-03-13", None, &calendar, today);
        assert!(matches!(future, Err(SubjectAccessError::Invalid(ref i)) if i.errors[0].field == "sent_on"));

        sar.complete("2026-03-11", Some("AA"), &calendar, today).unwrap();
        assert_eq!(sar.status, Status::Completed { sent_on: date(2026, 3, 11), bundle_sha256: "aa".into() });
        assert_eq!(sar.time_left(&calendar, date(2026, 6, 1)), Some(TimeLeft::Met));
        let done = sar.clone();
        assert!(sar.check_exportable().is_err());
        assert!(sar.refuse("Changed our mind", &calendar, today).is_err());
        assert!(sar.complete("2026-03-12", None, &calendar, today).is_err());
        assert_eq!(sar, done);
    }

    #[test]
    fn a_response_after_the_deadline_is_late_and_a_refusal_ends_the_clock() {
        let calendar = england();
        let mut late = request("2026-01-05", Some("2026-01-05"), date(2026, 1, 5));
        late.record_export(export("aa", date(2026, 2, 9)), json!({})).unwrap();
        late.complete("2026-02-09", None, &calendar, date(2026, 2, 10)).unwrap();
        assert_eq!(late.time_left(&calendar, date(2026, 2, 10)), Some(TimeLeft::Breached));

        let mut refused = request("2026-01-05", None, date(2026, 1, 5));
        let change = refused.refuse("Manifestly unfounded: the fourth identical request this month", &calendar, date(2026, 1, 6));
        assert_eq!(change.unwrap().after["status"]["status"], "refused");
        assert_eq!(refused.status.name(), "refused");
        assert_eq!(refused.time_left(&calendar, date(2026, 1, 6)), None);
        assert!(refused.confirm_identity("2026-01-06", &calendar, date(2026, 1, 6)).is_err());
    }

    #[test]
    fn a_stale_version_is_refused() {
        let sar = request("2026-03-10", None, date(2026, 3, 10));
        assert!(sar.check_version(1).is_ok());
        assert_eq!(sar.check_version(0), Err(SubjectAccessError::StaleVersion { seen: 0, current: 1 }));
    }

    fn any_nation() -> impl Strategy<Value = Nation> {
        prop::sample::select(Nation::ALL.to_vec())
    }

    fn any_day() -> impl Strategy<Value = Date> {
        (0i64..20_000).prop_map(|n| date(2000, 1, 1).saturating_add(n.days()))
    }

    proptest! {
        /// The deadline is never before the corresponding date (or the month's last day), is
        /// the first working day from it, and so lands 28 to 31 days after the start, or a
        /// few days more when holidays and a weekend follow.
        #[test]
        fn the_deadline_is_the_first_working_day_from_the_corresponding_date(
            nation in any_nation(), start in any_day(), extended in any::<bool>(),
        ) {
            let calendar = Calendar::new(nation);
            let months = if extended { EXTENDED_MONTHS } else { MONTHS };
            let due = deadline(start, months, &calendar);
            let corresponding = start.checked_add(i64::from(months).months()).unwrap();
            prop_assert!(calendar.is_working_day(due));
            prop_assert!(due >= corresponding);
            // The same day of the month, or the last day of a month too short to have it.
            prop_assert!(
                corresponding.day() == start.day()
                    || (corresponding.day() < start.day() && corresponding.last_of_month() == corresponding)
            );
            let mut day = corresponding;
            while day < due {
                prop_assert!(!calendar.is_working_day(day), "{} was a working day before {}", day, due);
                day = day.tomorrow().unwrap();
            }
            let days = days_from(start, due);
            if extended {
                prop_assert!((89..=92 + 7).contains(&days), "{} days", days);
            } else {
                prop_assert!((28..=31 + 7).contains(&days), "{} days", days);
            }
        }
    }
}
