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

/// A value bound into a statement of many rows.
pub(crate) enum Cell {
    Text(String),
    MaybeText(Option<String>),
    Int(i64),
    MaybeInt(Option<i64>),
}

impl From<String> for Cell {
    fn from(value: String) -> Cell {
        Cell::Text(value)
    }
}

impl From<&str> for Cell {
    fn from(value: &str) -> Cell {
        Cell::Text(value.to_owned())
    }
}

impl From<Option<String>> for Cell {
    fn from(value: Option<String>) -> Cell {
        Cell::MaybeText(value)
    }
}

impl From<i64> for Cell {
    fn from(value: i64) -> Cell {
        Cell::Int(value)
    }
}

impl From<Option<i64>> for Cell {
    fn from(value: Option<i64>) -> Cell {
        Cell::MaybeInt(value)
    }
}

impl From<crate::convert::Flag> for Cell {
    fn from(value: crate::convert::Flag) -> Cell {
        Cell::Int(i64::from(value.0))
    }
}

/// One row of values for [`many_rows`]: `row![a, b, c]`.
macro_rules! row {
    ($($value:expr),* $(,)?) => { vec![$($crate::sql::Cell::from($value)),*] };
}
pub(crate) use row;

/// PostgreSQL accepts 65,535 bound values in a statement.
const POSTGRES_VALUES_PER_STATEMENT: usize = 30_000;
/// sqlx's SQLite driver finds each numbered parameter by searching the statement's parameter
/// names, so binding costs grow with the square of their number: a few hundred values per
/// statement is the fastest.
const SQLITE_VALUES_PER_STATEMENT: usize = 300;
const ROWS_PER_STATEMENT: usize = 1_000;

/// How many rows of `width` values one statement takes on this backend.
pub(crate) fn rows_per_statement(backend: crate::Backend, width: usize) -> usize {
    let values = match backend {
        crate::Backend::Sqlite => SQLITE_VALUES_PER_STATEMENT,
        crate::Backend::Postgres => POSTGRES_VALUES_PER_STATEMENT,
    };
    (values / width.max(1)).clamp(1, ROWS_PER_STATEMENT)
}

/// Statements of the shape `head (row), (row), … tail`, as few as the backend's limit on
/// bound values allows: a multi-row `INSERT … VALUES`, or `UPDATE … FROM (VALUES …) AS v`,
/// whose columns both engines name `column1`, `column2`, …
pub(crate) fn many_rows(
    backend: crate::Backend,
    head: &str,
    tail: &str,
    width: usize,
    rows: impl IntoIterator<Item = Vec<Cell>>,
) -> Vec<Sql<'static>> {
    let per_statement = rows_per_statement(backend, width);
    let mut statements = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut sql = Sql::new(head);
        for (count, row) in rows.by_ref().take(per_statement).enumerate() {
            sql.push(if count == 0 { "(" } else { ", (" });
            for (index, cell) in row.into_iter().enumerate() {
                if index > 0 {
                    sql.push(", ");
                }
                match cell {
                    Cell::Text(value) => sql.push_bind(value),
                    Cell::MaybeText(value) => sql.push_bind(value),
                    Cell::Int(value) => sql.push_bind(value),
                    Cell::MaybeInt(value) => sql.push_bind(value),
                };
            }
            sql.push(")");
        }
        sql.push(tail);
        statements.push(sql);
    }
    statements
}

/// Inserts rows into a table, many per statement; returns how many went in.
pub(crate) async fn insert_rows(
    conn: &mut crate::Connection,
    table: &str,
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<Cell>>,
) -> crate::Result<u64> {
    let head = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut written = 0;
    for mut statement in many_rows(crate::Backend::of(conn), &head, "", columns.len(), rows) {
        written += statement.build()?.execute(&mut *conn).await?.rows_affected();
    }
    Ok(written)
}

/// Runs statements made by [`many_rows`] whose tail returns one text column (`RETURNING
/// id`), and collects what they return.
pub(crate) async fn returned_texts(conn: &mut crate::Connection, statements: Vec<Sql<'static>>) -> crate::Result<Vec<String>> {
    let mut returned = Vec::new();
    for mut statement in statements {
        returned.extend(statement.build_query_scalar::<String>()?.fetch_all(&mut *conn).await?);
    }
    Ok(returned)
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

    #[test]
    fn many_rows_are_split_into_statements_the_backend_accepts() {
        let rows = (0..250_i64).map(|n| row![n, format!("{n}")]);
        let statements = super::many_rows(crate::Backend::Sqlite, "INSERT INTO t (a, b) VALUES ", " RETURNING a", 2, rows);
        assert_eq!(statements.len(), 2, "150 rows of two values each, then the other 100");
        assert!(statements[0].text.starts_with("INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"));
        assert!(statements[0].text.ends_with("($299, $300) RETURNING a"));
        assert!(statements[1].text.ends_with("($199, $200) RETURNING a"));
    }
}
