//! Turning stored values back into domain values. A value that does not parse means the
//! database was changed outside Casework: it is reported, never guessed at.

use crate::{Result, StoreError};
use casework_domain::text::Code;
use casework_domain::time::{from_micros, to_micros};
use jiff::{Timestamp, civil::Date};
use std::str::FromStr;

pub(crate) fn instant(micros: i64) -> Result<Timestamp> {
    from_micros(micros).ok_or_else(|| StoreError::Corrupt(format!("instant out of range: {micros}")))
}

pub(crate) fn micros(instant: Timestamp) -> i64 {
    to_micros(instant)
}

pub(crate) fn parse<T: FromStr>(what: &str, raw: &str) -> Result<T> {
    raw.parse().map_err(|_| StoreError::Corrupt(format!("{what}: {raw:?}")))
}

pub(crate) fn code(raw: &str) -> Result<Code> {
    Code::parse(raw).map_err(|_| StoreError::Corrupt(format!("code: {raw:?}")))
}

pub(crate) fn date(raw: &str) -> Result<Date> {
    parse("date", raw)
}

/// A value stored by its serde name (enums such as note kinds).
pub(crate) fn named<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned())).map_err(|_| StoreError::Corrupt(format!("name: {raw:?}")))
}

pub(crate) fn json<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T> {
    serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(format!("json: {e}")))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Serialising our own plain data types cannot fail; "null" keeps the write honest if it did.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// A yes/no value. Stored as 0 or 1 on every backend, so query text can say `disabled = 0`;
/// read back from a column or from an expression such as `EXISTS (…)`, which PostgreSQL
/// answers with a boolean and SQLite with an integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flag(pub bool);

impl sqlx::Type<sqlx::Any> for Flag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <i64 as sqlx::Type<sqlx::Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <i64 as sqlx::Type<sqlx::Any>>::compatible(ty) || <bool as sqlx::Type<sqlx::Any>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Any> for Flag {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> std::result::Result<Flag, sqlx::error::BoxDynError> {
        match <bool as sqlx::Decode<sqlx::Any>>::decode(value.clone()) {
            Ok(flag) => Ok(Flag(flag)),
            Err(_) => Ok(Flag(<i64 as sqlx::Decode<sqlx::Any>>::decode(value)? != 0)),
        }
    }
}

impl<'q> sqlx::Encode<'q, sqlx::Any> for Flag {
    fn encode_by_ref(
        &self,
        buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> std::result::Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <i64 as sqlx::Encode<sqlx::Any>>::encode(i64::from(self.0), buf)
    }
}
