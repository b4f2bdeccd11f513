//! Query text built piece by piece with bound values, for queries whose shape depends on
//! the request (filters, visibility, lists). Values are bound as numbered parameters
//! (`$1`, `$2`, …), which both SQLite and PostgreSQL read, so built queries are shared
//! like the written ones. (sqlx's own builder writes `?` for the Any driver, which
//! PostgreSQL does not accept.)

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{Any, Arguments, Encode, FromRow, Type};
use std::fmt::{Display, Write};

pub(crate) struct Sql<'a> {
    text: String,
    arguments: AnyArguments<'a>,
    bound: usize,
    /// A value that could not be encoded: reported when the query is built.
    failed: Option<sqlx::error::BoxDynError>,
}

impl<'a> Sql<'a> {
    pub(crate) fn new(text: impl Into<String>) -> Sql<'a> {
        Sql { text: text.into(), arguments: AnyArguments::default(), bound: 0, failed: None }
    }

    pub(crate) fn push(&mut self, text: impl Display) -> &mut Self {
        // Writing to a String cannot fail.
        let _ = write!(self.text, "{text}");
        self
    }

    pub(crate) fn push_bind<T: 'a + Encode<'a, Any> + Type<Any>>(&mut self, value: T) -> &mut Self {
        if let Err(error) = self.arguments.add(value) {
            self.failed.get_or_insert(error);
        }
        self.bound += 1;
        let bound = self.bound;
        self.push(format_args!("${bound}"))
    }

    /// Bound values with `separator` between them, e.g. for `IN (…)`.
    pub(crate) fn separated<'s>(&'s mut self, separator: &'static str) -> Separated<'s, 'a> {
        Separated { sql: self, separator, first: true }
    }

    fn take(&mut self) -> sqlx::Result<AnyArguments<'a>> {
        match self.failed.take() {
            Some(error) => Err(sqlx::Error::Encode(error)),
            None => Ok(std::mem::take(&mut self.arguments)),
        }
    }

    pub(crate) fn build<'s>(&'s mut self) -> sqlx::Result<Query<'s, Any, AnyArguments<'s>>> {
        let arguments = self.take()?;
        Ok(sqlx::query_with(&self.text, arguments))
    }

    pub(crate) fn build_query_as<'s, O>(&'s mut self) -> sqlx::Result<QueryAs<'s, Any, O, AnyArguments<'s>>>
    where
        O: for<'r> FromRow<'r, AnyRow>,
    {
        let arguments = self.take()?;
        Ok(sqlx::query_as_with(&self.text, arguments))
    }

    pub(crate) fn build_query_scalar<'s, O>(&'s mut self) -> sqlx::Result<QueryScalar<'s, Any, O, AnyArguments<'s>>>
    where
        (O,): for<'r> FromRow<'r, AnyRow>,
    {
        let arguments = self.take()?;
        Ok(sqlx::query_scalar_with(&self.text, arguments))
    }
}

pub(crate) struct Separated<'s, 'a> {
    sql: &'s mut Sql<'a>,
    separator: &'static str,
    first: bool,
}

impl<'a> Separated<'_, 'a> {
    pub(crate) fn push_bind<T: 'a + Encode<'a, Any> + Type<Any>>(&mut self, value: T) -> &mut Self {
        if !self.first {
            self.sql.push(self.separator);
        }
        self.first = false;
        self.sql.push_bind(value);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::Sql;

    #[test]
    fn values_are_numbered_in_the_order_they_are_bound() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.push_bind(1_i64).push(" AND b IN (");
        let mut list = sql.separated(", ");
        list.push_bind("x").push_bind("y");
        sql.push(")");
        assert_eq!(sql.text, "SELECT 1 WHERE a = $1 AND b IN ($2, $3)");
    }
}
