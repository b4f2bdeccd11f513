//! People (subjects of cases and those around them) and organisations.

use crate::ids::{OrganisationId, PersonId};
use crate::text::ShortText;
use crate::{FieldError, Invalid};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A kind of identifier a person may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentifierKind {
    /// General Medical Council reference number (7 digits).
    GmcNumber,
    /// NHS number (10 digits with a check digit).
    NhsNumber,
    /// Prison number (e.g. A1234BC).
    PrisonNumber,
    /// A reference given by another organisation (an ombudsman's case reference, say).
    ExternalReference,
}

impl IdentifierKind {
    pub fn name(self) -> &'static str {
        match self {
            IdentifierKind::GmcNumber => "gmc-number",
            IdentifierKind::NhsNumber => "nhs-number",
            IdentifierKind::PrisonNumber => "prison-number",
            IdentifierKind::ExternalReference => "external-reference",
        }
    }
}

/// An identifier whose format has been checked for its kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Identifier {
    pub kind: IdentifierKind,
    pub value: String,
}

impl Identifier {
    pub fn parse(kind: IdentifierKind, raw: &str) -> Result<Self, FieldError> {
        let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let value = match kind {
            IdentifierKind::GmcNumber => {
                if compact.len() != 7 || !compact.chars().all(|c| c.is_ascii_digit()) {
                    return Err(FieldError::new("value", "a GMC number is 7 digits"));
                }
                compact
            }
            IdentifierKind::NhsNumber => {
                if !nhs_number_is_valid(&compact) {
                    return Err(FieldError::new("value", "an NHS number is 10 digits with a valid check digit"));
                }
                compact
            }
            IdentifierKind::PrisonNumber => {
                let upper = compact.to_ascii_uppercase();
                let b = upper.as_bytes();
                let shaped = b.len() == 7
                    && b[0].is_ascii_uppercase()
                    && b[1..5].iter().all(u8::is_ascii_digit)
                    && b[5..].iter().all(u8::is_ascii_uppercase);
                if !shaped {
                    return Err(FieldError::new("value", "a prison number is a letter, 4 digits and 2 letters (A1234BC)"));
                }
                upper
            }
            IdentifierKind::ExternalReference => ShortText::parse(raw).map_err(|e| e.within("value"))?.to_string(),
        };
        Ok(Self { kind, value })
    }
}

/// The modulus-11 check of an NHS number.
pub fn nhs_number_is_valid(digits: &str) -> bool {
    let Some(values) = digits.chars().map(|c| c.to_digit(10)).collect::<Option<Vec<u32>>>() else {
        return false;
    };
    if values.len() != 10 {
        return false;
    }
    let sum: u32 = values[..9].iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
    let check = 11 - (sum % 11);
    match check {
        11 => values[9] == 0,
        10 => false,
        c => values[9] == c,
    }
}

/// How someone is related to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RelationshipKind {
    Carer,
    Parent,
    Representative,
    Referrer,
    Other,
}

impl RelationshipKind {
    pub fn name(self) -> &'static str {
        match self {
            RelationshipKind::Carer => "carer",
            RelationshipKind::Parent => "parent",
            RelationshipKind::Representative => "representative",
            RelationshipKind::Referrer => "referrer",
            RelationshipKind::Other => "other",
        }
    }
}

/// A checked request to record a new person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    pub given_name: ShortText,
    pub family_name: ShortText,
    pub known_as: Option<ShortText>,
    pub date_of_birth: Option<Date>,
    pub identifiers: Vec<Identifier>,
}

impl NewPerson {
    /// Checks a person's details; `today` bounds the date of birth.
    pub fn parse(
        given_name: &str,
        family_name: &str,
        known_as: Option<&str>,
        date_of_birth: Option<&str>,
        identifiers: &[(IdentifierKind, String)],
        today: Date,
    ) -> Result<Self, Invalid> {
        let mut invalid = Invalid::new();
        let given_name = invalid.check("given_name", ShortText::parse(given_name));
        let family_name = invalid.check("family_name", ShortText::parse(family_name));
        let known_as = match known_as {
            Some(raw) if !raw.trim().is_empty() => invalid.check("known_as", ShortText::parse(raw)).map(Some),
            _ => Some(None),
        };
        let date_of_birth = match date_of_birth {
            None => Some(None),
            Some(raw) => invalid.check("date_of_birth", parse_date_of_birth(raw, today)).map(Some),
        };
        let mut parsed_identifiers = Vec::new();
        for (i, (kind, value)) in identifiers.iter().enumerate() {
            if let Some(id) = invalid.check(&format!("identifiers/{i}"), Identifier::parse(*kind, value)) {
                if parsed_identifiers.iter().any(|p: &Identifier| p.kind == id.kind) {
                    invalid.push(FieldError::new(format!("identifiers/{i}/kind"), "this kind of identifier is given twice"));
                }
                parsed_identifiers.push(id);
            }
        }
        match (given_name, family_name, known_as, date_of_birth) {
            (Some(given_name), Some(family_name), Some(known_as), Some(date_of_birth)) if invalid.is_empty() => {
                Ok(Self { given_name, family_name, known_as, date_of_birth, identifiers: parsed_identifiers })
            }
            _ => Err(invalid),
        }
    }
}

/// A date of birth: a real date, not in the future, not more than 130 years ago.
pub fn parse_date_of_birth(raw: &str, today: Date) -> Result<Date, FieldError> {
    let date: Date = raw.parse().map_err(|_| FieldError::new("", "must be a date written as YYYY-MM-DD"))?;
    if date > today {
        return Err(FieldError::new("", "must not be in the future"));
    }
    if today.year() - date.year() > 130 {
        return Err(FieldError::new("", "must be within the last 130 years"));
    }
    Ok(date)
}

/// A recorded person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: PersonId,
    pub given_name: ShortText,
    pub family_name: ShortText,
    pub known_as: Option<ShortText>,
    pub date_of_birth: Option<Date>,
    pub identifiers: Vec<Identifier>,
    pub relationships: Vec<Relationship>,
}

impl Person {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.known_as.as_ref().unwrap_or(&self.given_name), self.family_name)
    }
}

/// Someone related to a person, in a given way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Relationship {
    pub kind: RelationshipKind,
    pub person: PersonId,
}

/// A kind of organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrganisationKind {
    /// A partner agency cases are referred to or from.
    PartnerAgency,
    /// A body a complaint is about (an NHS trust, a council).
    BodyComplainedAbout,
    /// A prison (e.g. the receiving prison on transfer).
    Prison,
    /// An employer (e.g. a trainee's employing trust).
    Employer,
    Other,
}

impl OrganisationKind {
    pub fn name(self) -> &'static str {
        match self {
            OrganisationKind::PartnerAgency => "partner-agency",
            OrganisationKind::BodyComplainedAbout => "body-complained-about",
            OrganisationKind::Prison => "prison",
            OrganisationKind::Employer => "employer",
            OrganisationKind::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: ShortText,
    pub kind: OrganisationKind,
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn nhs_numbers_are_checked() {
        assert!(nhs_number_is_valid("9434765919"));
        assert!(!nhs_number_is_valid("9434765918"));
        assert!(!nhs_number_is_valid("943476591"));
        assert!(Identifier::parse(IdentifierKind::NhsNumber, "943 476 5919").is_ok());
    }

    #[test]
    fn prison_numbers_are_normalised() {
        let id = Identifier::parse(IdentifierKind::PrisonNumber, "a1234bc").unwrap();
        assert_eq!(id.value, "A1234BC");
        assert!(Identifier::parse(IdentifierKind::PrisonNumber, "1234ABC").is_err());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let today = date(2026, 11, 26);
        let err =
            NewPerson::parse(" ", "", None, Some("2030-01-01"), &[(IdentifierKind::GmcNumber, "12".into())], today).unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["given_name", "family_name", "date_of_birth", "identifiers/0/value"]);
    }
}
