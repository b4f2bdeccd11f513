//! The service definitions in force. The files give each service's current definition; the
//! database keeps every version a service has had, because a case follows the version it
//! was opened under until it is moved on explicitly.

use casework_domain::calendar::{Calendar, Holiday, Nation};
use casework_domain::service::ServiceDefinition;
use casework_domain::text::Code;
use casework_domain::{FieldError, Invalid};
use jiff::civil::Date;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

#[derive(Debug, Default)]
pub struct ServiceCatalog {
    files: BTreeMap<Code, (Arc<ServiceDefinition>, String)>,
    /// Every stored version, filled in when the definitions are registered with the store.
    versions: RwLock<Versions>,
    /// Calendars already built, by the nation and closure days they are built from: working
    /// out a century of bank holidays is far dearer than the arithmetic a page asks of it.
    /// Emptied whenever the imported holidays may have changed.
    calendars: RwLock<BTreeMap<CalendarKey, Arc<Calendar>>>,
}

/// What a service's calendar is built from, besides the imported holidays.
type CalendarKey = (Nation, Vec<Date>);

#[derive(Debug, Default, Clone)]
struct Versions {
    all: BTreeMap<(Code, u32), Arc<ServiceDefinition>>,
    current: BTreeMap<Code, u32>,
    /// One-off holidays imported from published data, for every service's calendar.
    imported: Vec<(Nation, Holiday)>,
}

impl ServiceCatalog {
    /// Reads definitions from `(file name, text)` pairs; every problem in every file is reported.
    pub fn from_texts<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, Invalid> {
        let mut catalog = ServiceCatalog::default();
        let mut problems = Invalid::new();
        for (name, text) in files {
            match ServiceDefinition::from_toml(text) {
                Ok(definition) => {
                    let code = definition.code().clone();
                    if catalog.files.insert(code.clone(), (Arc::new(definition), text.to_owned())).is_some() {
                        problems.push(FieldError::new(name, format!("service '{code}' is defined twice")));
                    }
                }
                Err(invalid) => problems.absorb(name, invalid),
            }
        }
        problems.into_result()?;
        Ok(catalog)
    }

    /// The current definition of a service: the one new cases get.
    pub fn get(&self, code: &Code) -> Option<&Arc<ServiceDefinition>> {
        self.files.get(code).map(|(definition, _)| definition)
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<ServiceDefinition>> {
        self.files.values().map(|(definition, _)| definition)
    }

    /// Each current definition with its text and the digest that identifies the version.
    pub(crate) fn files(&self) -> impl Iterator<Item = (&Arc<ServiceDefinition>, &str, String)> {
        self.files.values().map(|(definition, text)| {
            let digest: String = Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
            (definition, text.as_str(), digest)
        })
    }

    /// The version number of a service's current definition (0 before registration).
    pub fn current_version(&self, code: &Code) -> u32 {
        self.versions.read().map(|v| v.current.get(code).copied().unwrap_or(0)).unwrap_or(0)
    }

    /// A given version of a service's definition.
    pub fn version(&self, code: &Code, version: u32) -> Option<Arc<ServiceDefinition>> {
        self.versions.read().ok().and_then(|v| v.all.get(&(code.clone(), version)).cloned())
    }

    pub(crate) fn install(
        &self,
        all: BTreeMap<(Code, u32), Arc<ServiceDefinition>>,
        current: BTreeMap<Code, u32>,
        imported: Vec<(Nation, Holiday)>,
    ) {
        if let Ok(mut versions) = self.versions.write() {
            *versions = Versions { all, current, imported };
        }
        if let Ok(mut calendars) = self.calendars.write() {
            calendars.clear();
        }
    }

    /// The working-day calendar of a service: its nation's bank holidays, its own closure
    /// days, and any imported one-off holidays.
    pub fn calendar(&self, definition: &ServiceDefinition) -> Arc<Calendar> {
        let key = (definition.service.nation, definition.service.closure_days.clone());
        if let Some(built) = self.calendars.read().ok().and_then(|calendars| calendars.get(&key).cloned()) {
            return built;
        }
        let imported = self.versions.read().map(|v| v.imported.clone()).unwrap_or_default();
        let calendar = Arc::new(definition.calendar().with_published_holidays(imported));
        if let Ok(mut calendars) = self.calendars.write() {
            calendars.insert(key, Arc::clone(&calendar));
        }
        calendar
    }
}
