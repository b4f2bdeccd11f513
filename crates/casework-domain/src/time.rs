//! Time as the services reckon it: instants are stored in UTC; "the day" of something is
//! its date in the United Kingdom (Europe/London), whatever the server's zone.

use jiff::{Timestamp, civil::Date, tz::TimeZone};

/// The zone in which a service's days begin and end.
pub fn service_zone() -> TimeZone {
    // The bundled database always has Europe/London; UTC is only a guard against a broken
    // build and would shift late-entry marks by at most an hour in summer.
    TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC)
}

/// The calendar day (in the service's zone) on which an instant falls.
pub fn day_of(instant: Timestamp) -> Date {
    instant.to_zoned(service_zone()).date()
}

/// Microseconds since the Unix epoch: how instants are stored.
pub fn to_micros(instant: Timestamp) -> i64 {
    instant.as_microsecond()
}

/// The instant `micros` after the Unix epoch, or `None` outside the supported range.
pub fn from_micros(micros: i64) -> Option<Timestamp> {
    Timestamp::from_microsecond(micros).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_is_the_uk_day_not_the_utc_day() {
        // 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
        let instant: Timestamp = "2026-06-30T23:30:00Z".parse().unwrap();
        assert_eq!(day_of(instant), jiff::civil::date(2026, 7, 1));
        // In winter London is on UTC.
        let instant: Timestamp = "2026-12-31T23:30:00Z".parse().unwrap();
        assert_eq!(day_of(instant), jiff::civil::date(2026, 12, 31));
    }
}
