//! Text values with their limits checked once, at the edge.

use crate::FieldError;
use serde::{Deserialize, Serialize};

/// A one-line label: a name, a title, a reason. Trimmed, 1 to 200 characters, no line
/// breaks or control characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ShortText(String);

impl ShortText {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new("", "must not be empty"));
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new("", format!("must be at most {} characters", Self::MAX_CHARS)));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(FieldError::new("", "must be a single line without control characters"));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free text: the body of a note, a rationale. Up to 100,000 characters; line breaks and
/// tabs are kept as written, other control characters are refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LongText(String);

impl LongText {
    pub const MAX_CHARS: usize = 100_000;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        if raw.trim().is_empty() {
            return Err(FieldError::new("", "must not be empty"));
        }
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new("", format!("must be at most {} characters", Self::MAX_CHARS)));
        }
        if raw.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err(FieldError::new("", "must not contain control characters"));
        }
        Ok(Self(raw.trim_end().to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A machine name from a service definition: a stage, a level, a flag, a role, a reason.
/// Lower-case letters, digits and single hyphens, 1 to 64 characters, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Code(String);

impl Code {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let ok_chars = raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        let starts_with_letter = raw.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        if raw.is_empty() || raw.len() > 64 || !ok_chars || !starts_with_letter || raw.ends_with('-') || raw.contains("--") {
            return Err(FieldError::new(
                "",
                format!("'{raw}' is not a valid code: use lower-case letters, digits and single hyphens, starting with a letter"),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl schemars::JsonSchema for Code {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Code".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
            "maxLength": 64,
            "description": "Lower-case letters, digits and single hyphens, starting with a letter."
        })
    }
}

macro_rules! string_newtype_impls {
    ($($name:ident),*) => {$(
        impl TryFrom<String> for $name {
            type Error = FieldError;
            fn try_from(raw: String) -> Result<Self, FieldError> {
                Self::parse(&raw)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    )*};
}
string_newtype_impls!(ShortText, LongText, Code);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn short_text_is_trimmed_and_bounded() {
        assert_eq!(ShortText::parse("  Ada  ").unwrap().as_str(), "Ada");
        assert!(ShortText::parse("   ").is_err());
        assert!(ShortText::parse("a\nb").is_err());
        assert!(ShortText::parse(&"x".repeat(201)).is_err());
        assert!(ShortText::parse(&"é".repeat(200)).is_ok());
    }

    #[test]
    fn codes_are_slugs() {
        for good in ["a", "level-1", "s31", "risk-cse"] {
            assert!(Code::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "1a", "A", "a--b", "a-", "a b", "a_b", &"a".repeat(65)] {
            assert!(Code::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn any_parsed_short_text_respects_its_rules(raw in "\\PC{0,250}") {
            if let Ok(text) = ShortText::parse(&raw) {
                prop_assert!(!text.as_str().is_empty());
                prop_assert!(text.as_str().chars().count() <= ShortText::MAX_CHARS);
                prop_assert_eq!(text.as_str().trim(), text.as_str());
                prop_assert!(!text.as_str().chars().any(char::is_control));
            }
        }

        #[test]
        fn any_parsed_code_reparses_to_itself(raw in "[a-z0-9-]{0,70}") {
            if let Ok(code) = Code::parse(&raw) {
                prop_assert_eq!(Code::parse(code.as_str()).unwrap(), code);
            }
        }
    }
}
