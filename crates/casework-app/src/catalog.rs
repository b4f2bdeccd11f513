//! The service definitions in force, by code.

use casework_domain::service::ServiceDefinition;
use casework_domain::text::Code;
use casework_domain::{FieldError, Invalid};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct ServiceCatalog {
    services: BTreeMap<Code, (Arc<ServiceDefinition>, String)>,
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
                    if catalog.services.insert(code.clone(), (Arc::new(definition), text.to_owned())).is_some() {
                        problems.push(FieldError::new(name, format!("service '{code}' is defined twice")));
                    }
                }
                Err(invalid) => problems.absorb(name, invalid),
            }
        }
        problems.into_result()?;
        Ok(catalog)
    }

    pub fn get(&self, code: &Code) -> Option<&Arc<ServiceDefinition>> {
        self.services.get(code).map(|(definition, _)| definition)
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<ServiceDefinition>> {
        self.services.values().map(|(definition, _)| definition)
    }

    pub fn with_text(&self) -> impl Iterator<Item = (&Arc<ServiceDefinition>, &str)> {
        self.services.values().map(|(definition, text)| (definition, text.as_str()))
    }
}
