//! User accounts.

use crate::FieldError;
use crate::ids::{TeamId, UserId};
use crate::text::{Code, ShortText};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A sign-in name: 2 to 64 characters of lower-case letters, digits, '.', '_' and '-'.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim().to_lowercase();
        let ok = (2..=64).contains(&name.len())
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        if ok { Ok(Self(name)) } else { Err(FieldError::new("", "a username is 2 to 64 letters, digits, '.', '_' or '-'")) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Username {
    type Error = FieldError;
    fn try_from(raw: String) -> Result<Self, FieldError> {
        Self::parse(&raw)
    }
}

impl From<Username> for String {
    fn from(value: Username) -> String {
        value.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed: at least 12 characters (long passphrases beat complexity rules),
/// at most 1,000, and not easy to guess: not a common password or a variation of one, not a
/// keyboard run or repeat, not built from the user's own name. Never stored or logged; only
/// its hash is.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// `about_the_user` holds what an attacker would try first: the username and the name.
    pub fn parse(raw: &str, about_the_user: &[&str]) -> Result<Self, FieldError> {
        let chars = raw.chars().count();
        if chars < 12 {
            return Err(FieldError::new("", "a password must be at least 12 characters"));
        }
        if chars > 1000 {
            return Err(FieldError::new("", "a password must be at most 1,000 characters"));
        }
        let estimate = zxcvbn::zxcvbn(raw, about_the_user);
        if estimate.score() < zxcvbn::Score::Three {
            let why = estimate.feedback().and_then(|f| f.warning()).map_or_else(
                || "it would be guessed too quickly".to_owned(),
                |warning| warning.to_string().trim_end_matches('.').to_lowercase(),
            );
            return Err(FieldError::new(
                "",
                format!("a password must be hard to guess, and this one is not: {why}; a few unrelated words make a good one"),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

/// A user account as shown to administrators (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserAccount {
    pub id: UserId,
    pub username: Username,
    pub display_name: ShortText,
    pub administrator: bool,
    pub disabled: bool,
    pub created_at: Timestamp,
    pub roles: Vec<RoleGrant>,
    pub teams: Vec<TeamId>,
}

/// A role held in a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleGrant {
    pub service: Code,
    pub role: Code,
}

/// A team within a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Team {
    pub id: TeamId,
    pub service: Code,
    pub name: ShortText,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_to_lower_case() {
        assert_eq!(Username::parse(" Ada.Lovelace ").unwrap().as_str(), "ada.lovelace");
        assert!(Username::parse("a").is_err());
        assert!(Username::parse("ada lovelace").is_err());
    }

    #[test]
    fn passwords_are_long_and_never_printed() {
        assert!(Password::parse("short", &[]).is_err());
        let p = Password::parse("correct horse battery", &[]).unwrap();
        assert_eq!(format!("{p:?}"), "Password(…)");
    }

    #[test]
    fn common_and_guessable_passwords_are_refused_however_long() {
        for weak in ["password1234", "qwertyuiop123", "123456789012", "iloveyou2026", "aaaaaaaaaaaa"] {
            let error = Password::parse(weak, &[]).err().unwrap_or_else(|| panic!("{weak} was accepted"));
            assert!(error.message.contains("hard to guess"), "{weak}: {}", error.message);
        }
        assert!(Password::parse("very common password", &[]).is_ok(), "a passphrase is fine even if it mentions passwords");
    }

    #[test]
    fn a_password_made_of_the_users_own_name_is_refused() {
        assert!(Password::parse("ada.lovelace2026", &[]).is_ok());
        assert!(Password::parse("ada.lovelace2026", &["ada.lovelace", "Ada Lovelace"]).is_err());
    }
}
