//! The use cases' errors. Each says what the caller may be told; storage failures are
//! carried for the log and shown to users only as "something went wrong".

use casework_domain::case::CaseError;
use casework_domain::{FieldError, Invalid};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not there, or not visible to this user: the two are never told apart.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Visible, but this user may not do this to it.
    #[error("you do not have permission to {0}")]
    Forbidden(&'static str),
    /// A restricted case the user is not named on but may open by break-glass: they are
    /// told so, and nothing of it is shown until they do.
    #[error("this case is restricted; you may open it by break-glass, giving a reason")]
    BreakGlassPossible,
    #[error("not signed in")]
    Unauthenticated,
    #[error("too many failed sign-in attempts; wait {minutes} minutes")]
    TooManyAttempts { minutes: i64 },
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The request conflicts with the current state (stale version, already decided, taken name).
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] casework_store::StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<FieldError> for AppError {
    fn from(error: FieldError) -> Self {
        AppError::Invalid(error.into())
    }
}

impl From<CaseError> for AppError {
    fn from(error: CaseError) -> Self {
        match error {
            CaseError::StaleVersion { .. } => AppError::Conflict(error.to_string()),
            CaseError::Rule(field) => AppError::Invalid(field.into()),
        }
    }
}

pub type Result<T> = std::result::Result<T, AppError>;
