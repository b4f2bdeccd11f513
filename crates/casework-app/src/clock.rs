//! The time, injected so tests (and drills, through a clock file) can control it.

use jiff::Timestamp;
use std::sync::Mutex;

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> Timestamp;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that stands still until moved.
#[derive(Debug)]
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    pub fn new(at: Timestamp) -> Self {
        Self(Mutex::new(at))
    }

    pub fn set(&self, at: Timestamp) {
        if let Ok(mut now) = self.0.lock() {
            *now = at;
        }
    }

    pub fn advance(&self, by: jiff::SignedDuration) {
        if let Ok(mut now) = self.0.lock() {
            *now = now.checked_add(by).unwrap_or(*now);
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        self.0.lock().map(|now| *now).unwrap_or_else(|poisoned| *poisoned.into_inner())
    }
}

/// A clock read from a file holding one instant (RFC 3339, e.g. `2027-03-01T09:00:00Z`) at
/// every `now()`, for tests and drills: writing the file moves the time of every process
/// that reads it at once. While the file cannot be read or does not hold an instant, the
/// last instant read stands, and the problem is logged once.
#[derive(Debug)]
pub struct FileClock {
    path: std::path::PathBuf,
    /// The last instant read, and whether the latest read failed.
    last: Mutex<(Timestamp, bool)>,
}

impl FileClock {
    /// A clock reading `path`, which must hold an instant now.
    pub fn new(path: impl Into<std::path::PathBuf>) -> std::io::Result<FileClock> {
        let path = path.into();
        let at = Self::read(&path)?;
        Ok(FileClock { path, last: Mutex::new((at, false)) })
    }

    fn read(path: &std::path::Path) -> std::io::Result<Timestamp> {
        let text = std::fs::read_to_string(path)?;
        text.trim().parse().map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", path.display())))
    }
}

impl Clock for FileClock {
    fn now(&self) -> Timestamp {
        let mut last = self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match Self::read(&self.path) {
            Ok(at) => *last = (at, false),
            Err(error) if !last.1 => {
                tracing::warn!(%error, "could not read the clock file; the time stands still until it can");
                last.1 = true;
            }
            Err(_) => {}
        }
        last.0
    }
}

#[cfg(test)]
mod tests {
    use super::{Clock, FileClock};

    #[test]
    fn a_file_clock_reads_the_file_at_every_call_and_keeps_the_last_good_instant() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("now");
        assert!(FileClock::new(&path).is_err(), "the file must hold an instant at the start");
        std::fs::write(&path, "2027-03-01T09:00:00Z\n").unwrap();
        let clock = FileClock::new(&path).unwrap();
        assert_eq!(clock.now().to_string(), "2027-03-01T09:00:00Z");
        std::fs::write(&path, "2027-03-08T10:30:00+01:00").unwrap();
        assert_eq!(clock.now().to_string(), "2027-03-08T09:30:00Z");
        std::fs::write(&path, "half past nine").unwrap();
        assert_eq!(clock.now().to_string(), "2027-03-08T09:30:00Z", "a bad file leaves the time where it was");
        std::fs::write(&path, "2027-03-09T09:30:00Z").unwrap();
        assert_eq!(clock.now().to_string(), "2027-03-09T09:30:00Z");
    }
}
