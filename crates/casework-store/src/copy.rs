//! Moving a whole installation from one database to another (SQLite to PostgreSQL when it
//! outgrows one machine, or back, or SQLite to SQLite), history included, and proving that
//! nothing was lost or changed on the way.
//!
//! The copy reads the source in one snapshot and writes the target in one transaction:
//! all of it, or nothing. It refuses a target that holds anything beyond what the
//! migrations themselves put there, and two databases at different schema versions. Every
//! table the schema has is copied, in an order its foreign keys allow, row by row as stored
//! (ids included), in batches of bound values, streamed so memory does not grow with the
//! database. Afterwards every table is read back from both sides in key order and hashed
//! the same way, by the same code, so a missing, extra or changed value shows as a
//! different row count or checksum, named with its table.

use crate::sql::Sql;
use crate::{Backend, Connection, Store, StoreError, meta};
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Why a copy did not happen, or did not come out the same.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Nothing was written: the target is not empty, or the two schemas differ.
    #[error("{0}")]
    Refused(String),
    /// The copy was committed, but one table does not read back as in the source.
    #[error("{table}: {problem}; the copy does not match its source and must not be used")]
    Mismatch { table: String, problem: String },
}

impl From<sqlx::Error> for CopyError {
    fn from(error: sqlx::Error) -> CopyError {
        CopyError::Store(error.into())
    }
}

pub type Result<T> = std::result::Result<T, CopyError>;

/// One table, copied and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopied {
    pub table: String,
    /// The rows in the table, on both sides.
    pub rows: u64,
    /// SHA-256 (hex) of every row in key order, the same on both sides.
    pub checksum: String,
}

/// What has happened so far, for a progress display.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// A table's rows are written (not yet committed).
    Copied { table: &'a str, rows: u64 },
    /// After the commit: a table reads back with the source's row count and checksum.
    Verified(&'a TableCopied),
}

/// Every table, copied and checked, in name order.
#[derive(Debug, Clone, Default)]
pub struct CopyReport {
    pub tables: Vec<TableCopied>,
}

impl CopyReport {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// Tables that triggers fill from other tables as those are written (the search texts of
/// notes, forms and names; the moves of cases, from their history). Copying the records makes the target's triggers write their
/// own rows, with new ids, and from the target's reading of the records; so these go last:
/// what the triggers made is deleted, then the source's rows are copied as they are, and
/// the table ends row for row as in the source.
const DERIVED: &[&str] = &["search_documents", "case_moves"];

/// At most this many bound values in one statement (PostgreSQL takes 65535, SQLite 32766).
const MAX_PARAMETERS: usize = 30_000;
/// At most this many rows in one statement, so a batch of long texts stays small.
const MAX_ROWS: usize = 500;

/// Copies everything in `from` into `to`. Both are opened with [`Store::open`], which has
/// brought each to the schema of this build; `to` must be empty. Calls `progress` as each
/// table is copied and then as each is verified.
pub async fn copy(from: &Store, to: &Store, mut progress: impl FnMut(Progress<'_>)) -> Result<CopyReport> {
    // One snapshot of the source throughout, the verification included: a server still
    // writing to it changes neither what is copied nor what the copy is checked against.
    let mut reader = from.read().await?;
    let mut source = sqlx::Acquire::begin(&mut *reader).await?;
    if from.backend() == Backend::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *source).await?;
    }
    let mut target = to.begin().await?;

    let (here, there) = (migrations(&mut source).await?, migrations(&mut target).await?);
    if here != there {
        return Err(CopyError::Refused(format!(
            "the two databases are at different schema versions (migrations {} in the source, {} in the target): \
             open both with the same version of Casework",
            list(&here),
            list(&there)
        )));
    }
    let names = meta::tables(&mut source).await?;
    let target_names = meta::tables(&mut target).await?;
    if names != target_names {
        return Err(CopyError::Refused(format!(
            "the two databases have different tables (source: {}; target: {})",
            names.join(", "),
            target_names.join(", ")
        )));
    }
    let mut tables = BTreeMap::new();
    for name in &names {
        let table = table_of(&mut source, name).await?;
        let theirs = table_of(&mut target, name).await?;
        let (mut a, mut b) = (table.columns.clone(), theirs.columns.clone());
        a.sort_by(|x, y| x.name.cmp(&y.name));
        b.sort_by(|x, y| x.name.cmp(&y.name));
        if a != b {
            return Err(CopyError::Refused(format!(
                "table {name} has different columns in the two databases (source: {}; target: {})",
                columns(&a),
                columns(&b)
            )));
        }
        tables.insert(name.clone(), table);
    }

    // The target must be empty, but the migrations themselves insert a few rows (the
    // account command-line administration acts as). Which those are is learnt by migrating
    // a new in-memory SQLite database, rather than written down here, so a future migration
    // that seeds a row needs no change; the PostgreSQL migrations seed the same values.
    // The target may hold those rows and nothing else; they are deleted in the copy's
    // transaction and the source's own rows copied in their place, so the copy holds
    // exactly the source's rows even where the source changed one of them.
    let seeded = seeded_rows(&tables).await?;
    let mut found = Vec::new();
    let mut to_clear = Vec::new();
    for (name, table) in &tables {
        let held = count(&mut target, name).await?;
        if held == 0 {
            continue;
        }
        let allowed = seeded.get(name);
        let only_seeded = match allowed {
            Some(allowed) if usize::try_from(held).is_ok_and(|held| held <= allowed.len()) => {
                rows(&mut target, table).await?.iter().all(|row| allowed.contains(row))
            }
            _ => false,
        };
        if only_seeded {
            to_clear.push(name.clone());
        } else {
            found.push(format!("{name} ({held} rows)"));
        }
    }
    if !found.is_empty() {
        let more = found.len().saturating_sub(5);
        found.truncate(5);
        if more > 0 {
            found.push(format!("and {more} more tables"));
        }
        return Err(CopyError::Refused(format!(
            "the target database is not empty: {}. Copy into a new, empty database",
            found.join(", ")
        )));
    }

    // Foreign keys the target checks as each statement ends decide the order; the rest
    // wait for the commit. SQLite can defer every check, PostgreSQL the keys declared
    // DEFERRABLE. The graph is read from the target, whose constraints are the ones checked
    // (the two schemas are the same, as compared above).
    let mut keys = BTreeMap::new();
    for name in &names {
        keys.insert(name.clone(), foreign_keys(&mut target, name).await?);
    }
    match to.backend() {
        Backend::Sqlite => {
            sqlx::query("PRAGMA defer_foreign_keys = ON").execute(&mut *target).await?;
            keys.values_mut().flatten().for_each(|key| key.deferrable = true);
        }
        Backend::Postgres => {
            sqlx::query("SET CONSTRAINTS ALL DEFERRED").execute(&mut *target).await?;
        }
    }
    for name in &to_clear {
        sqlx::query(&format!("DELETE FROM {}", quote(name))).execute(&mut *target).await?;
    }
    let mut copied = HashMap::new();
    for name in insertion_order(&names, &keys) {
        let table = &tables[&name];
        if DERIVED.contains(&name.as_str()) {
            sqlx::query(&format!("DELETE FROM {}", quote(&name))).execute(&mut *target).await?;
        }
        let rows = copy_table(&mut source, &mut target, table, &keys[&name]).await?;
        progress(Progress::Copied { table: &name, rows });
        copied.insert(name, rows);
    }
    if to.backend() == Backend::Postgres {
        reset_sequences(&mut target, &names).await?;
    }
    target.commit().await?;

    // Read back what was committed, through a new connection, and compare every table with
    // the source's snapshot.
    let mut check = to.read().await?;
    let mut report = CopyReport::default();
    for (name, table) in &tables {
        let (rows, checksum) = digest(&mut source, table).await?;
        let (their_rows, their_checksum) = digest(&mut check, table).await?;
        let written = copied.get(name).copied().unwrap_or_default();
        if rows != their_rows || rows != written {
            return Err(CopyError::Mismatch {
                table: name.clone(),
                problem: format!("{rows} rows in the source, {written} written, {their_rows} in the copy"),
            });
        }
        if checksum != their_checksum {
            return Err(CopyError::Mismatch {
                table: name.clone(),
                problem: format!("the rows differ (checksum {checksum} in the source, {their_checksum} in the copy)"),
            });
        }
        let done = TableCopied { table: name.clone(), rows, checksum };
        progress(Progress::Verified(&done));
        report.tables.push(done);
    }
    drop(check);
    source.rollback().await?;
    Ok(report)
}

/// The row count and checksum of one table of the schema, computed as [`copy`] verifies
/// them: SHA-256 over the column names and then every row in primary-key order (byte order
/// for text, on both engines), each value written with its kind and, for text and bytes, its
/// length, so no two different tables of values hash alike by accident of where one value
/// ends and the next begins.
pub async fn checksum(conn: &mut Connection, table: &str) -> Result<(u64, String)> {
    // Only a name read back from the schema itself is ever put into a query.
    if !meta::tables(conn).await?.iter().any(|t| t == table) {
        return Err(CopyError::Refused(format!("there is no table {table}")));
    }
    let table = table_of(conn, table).await?;
    digest(conn, &table).await
}

/// How a column's values are read, bound and hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Real,
    Text,
    Blob,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    name: String,
    kind: Kind,
}

/// A table as the copy sees it: its stored columns (not those the database derives) and
/// the positions of its primary key's columns among them.
#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<Column>,
    key: Vec<usize>,
}

impl Table {
    fn position(&self, column: &str) -> Result<usize> {
        self.columns.iter().position(|c| c.name == column).ok_or_else(|| {
            CopyError::Refused(format!("table {} has no stored column {column}, which a foreign key names", self.name))
        })
    }
}

/// One stored value, as the Any driver reads it. A float is kept as its bits, so values
/// can be compared and hashed exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Value {
    Null,
    Integer(i64),
    Real(u64),
    Text(String),
    Blob(Vec<u8>),
}

#[derive(Debug, Clone)]
struct ForeignKey {
    parent: String,
    columns: Vec<String>,
    parent_columns: Vec<String>,
    /// Checked at commit rather than as each statement ends.
    deferrable: bool,
}

async fn migrations(conn: &mut Connection) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version").fetch_all(conn).await?)
}

fn list(versions: &[i64]) -> String {
    versions.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

fn columns(columns: &[Column]) -> String {
    columns.iter().map(|c| format!("{} {:?}", c.name, c.kind)).collect::<Vec<_>>().join(", ")
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A table of the schema, as this connection's engine describes it.
async fn table_of(conn: &mut Connection, name: &str) -> Result<Table> {
    let unknown = |column: &str, declared: &str| {
        CopyError::Refused(format!("column {name}.{column} is of type {declared}, which the copy does not know"))
    };
    let mut columns = Vec::new();
    let mut key = Vec::new();
    match Backend::of(conn) {
        Backend::Sqlite => {
            // Generated columns are not listed by table_info.
            let rows: Vec<(String, String, i64)> =
                sqlx::query_as("SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid")
                    .bind(name)
                    .fetch_all(conn)
                    .await?;
            let mut keyed = Vec::new();
            for (column, declared, pk) in rows {
                let kind = sqlite_kind(&declared).ok_or_else(|| unknown(&column, &declared))?;
                if pk > 0 {
                    keyed.push((pk, columns.len()));
                }
                columns.push(Column { name: column, kind });
            }
            keyed.sort();
            key = keyed.into_iter().map(|(_, i)| i).collect();
        }
        Backend::Postgres => {
            let rows: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT column_name::text, data_type::text, is_generated::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(name)
            .fetch_all(&mut *conn)
            .await?;
            for (column, declared, generated) in rows {
                // Derived by the database from other columns: a generated column, or the
                // search words a trigger computes from the text (SQLite keeps those in its
                // FTS5 index instead).
                if generated == "ALWAYS" || declared == "tsvector" {
                    continue;
                }
                let kind = postgres_kind(&declared).ok_or_else(|| unknown(&column, &declared))?;
                columns.push(Column { name: column, kind });
            }
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT k.column_name::text FROM information_schema.table_constraints c
                 JOIN information_schema.key_column_usage k ON k.constraint_schema = c.constraint_schema
                    AND k.constraint_name = c.constraint_name AND k.table_name = c.table_name
                 WHERE c.table_schema = current_schema() AND c.table_name = $1 AND c.constraint_type = 'PRIMARY KEY'
                 ORDER BY k.ordinal_position",
            )
            .bind(name)
            .fetch_all(conn)
            .await?;
            for column in names {
                if let Some(i) = columns.iter().position(|c| c.name == column) {
                    key.push(i);
                }
            }
        }
    }
    if columns.is_empty() {
        return Err(CopyError::Refused(format!("table {name} has no columns the copy can read")));
    }
    if key.is_empty() {
        // No primary key: every column, in order, still gives one order on both sides.
        key = (0..columns.len()).collect();
    }
    Ok(Table { name: name.to_owned(), columns, key })
}

/// SQLite's column affinity, by its rules for the declared type.
fn sqlite_kind(declared: &str) -> Option<Kind> {
    let declared = declared.to_ascii_uppercase();
    if declared.contains("INT") {
        Some(Kind::Integer)
    } else if ["CHAR", "CLOB", "TEXT"].iter().any(|t| declared.contains(t)) {
        Some(Kind::Text)
    } else if declared.is_empty() || declared.contains("BLOB") {
        Some(Kind::Blob)
    } else if ["REAL", "FLOA", "DOUB"].iter().any(|t| declared.contains(t)) {
        Some(Kind::Real)
    } else {
        None
    }
}

fn postgres_kind(declared: &str) -> Option<Kind> {
    match declared {
        "bigint" | "integer" | "smallint" => Some(Kind::Integer),
        "double precision" | "real" => Some(Kind::Real),
        "text" | "character varying" | "character" => Some(Kind::Text),
        "bytea" => Some(Kind::Blob),
        _ => None,
    }
}

async fn foreign_keys(conn: &mut Connection, name: &str) -> Result<Vec<ForeignKey>> {
    match Backend::of(conn) {
        Backend::Sqlite => {
            let rows: Vec<(i64, String, String, Option<String>)> =
                sqlx::query_as(r#"SELECT id, "table", "from", "to" FROM pragma_foreign_key_list($1) ORDER BY id, seq"#)
                    .bind(name)
                    .fetch_all(&mut *conn)
                    .await?;
            let mut keys: BTreeMap<i64, ForeignKey> = BTreeMap::new();
            for (id, parent, column, parent_column) in rows {
                let key = keys.entry(id).or_insert_with(|| ForeignKey {
                    parent,
                    columns: Vec::new(),
                    parent_columns: Vec::new(),
                    deferrable: false,
                });
                key.columns.push(column);
                key.parent_columns.extend(parent_column);
            }
            let mut found = Vec::new();
            for mut key in keys.into_values() {
                // A key naming no columns refers to the parent's primary key.
                if key.parent_columns.is_empty() {
                    let parent = table_of(conn, &key.parent).await?;
                    key.parent_columns = parent.key.iter().map(|&i| parent.columns[i].name.clone()).collect();
                }
                found.push(key);
            }
            Ok(found)
        }
        Backend::Postgres => {
            let rows: Vec<(String, String, String, bool)> = sqlx::query_as(
                "SELECT p.relname::text,
                    (SELECT string_agg(a.attname::text, ',' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k (attnum, n)
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum),
                    (SELECT string_agg(a.attname::text, ',' ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY k (attnum, n)
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum),
                    c.condeferrable
                 FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class p ON p.oid = c.confrelid
                 JOIN pg_namespace n ON n.oid = t.relnamespace
                 WHERE c.contype = 'f' AND n.nspname = current_schema() AND t.relname = $1
                 ORDER BY c.conname",
            )
            .bind(name)
            .fetch_all(conn)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(parent, columns, parent_columns, deferrable)| ForeignKey {
                    parent,
                    columns: columns.split(',').map(str::to_owned).collect(),
                    parent_columns: parent_columns.split(',').map(str::to_owned).collect(),
                    deferrable,
                })
                .collect())
        }
    }
}

/// The tables in an order in which every key checked at once finds its parent table
/// already copied (name order among equals), the derived tables last.
fn insertion_order(names: &[String], keys: &BTreeMap<String, Vec<ForeignKey>>) -> Vec<String> {
    let mut left: BTreeSet<&String> = names.iter().filter(|n| !DERIVED.contains(&n.as_str())).collect();
    let mut order: Vec<String> = Vec::new();
    while !left.is_empty() {
        let ready: Vec<&String> = left
            .iter()
            .filter(|name| {
                keys.get(**name)
                    .into_iter()
                    .flatten()
                    .all(|key| key.deferrable || &key.parent == **name || !left.contains(&key.parent))
            })
            .copied()
            .collect();
        if ready.is_empty() {
            // A cycle of keys checked at once: no order satisfies it, and the database will
            // say which row it refuses (the whole copy is then rolled back).
            order.extend(left.iter().map(|n| (*n).clone()));
            break;
        }
        for name in ready {
            left.remove(name);
            order.push(name.clone());
        }
    }
    order.extend(names.iter().filter(|n| DERIVED.contains(&n.as_str())).cloned());
    order
}

/// `SELECT` of the table's stored columns in key order. Text keys are ordered by their
/// bytes on both engines (PostgreSQL would otherwise use the database's collation).
fn select(backend: Backend, table: &Table) -> String {
    let columns: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
    let order: Vec<String> = table
        .key
        .iter()
        .map(|&i| {
            let column = &table.columns[i];
            match (column.kind, backend) {
                (Kind::Text, Backend::Sqlite) => format!("{} COLLATE BINARY", quote(&column.name)),
                (Kind::Text, Backend::Postgres) => format!("{} COLLATE \"C\"", quote(&column.name)),
                _ => quote(&column.name),
            }
        })
        .collect();
    format!("SELECT {} FROM {} ORDER BY {}", columns.join(", "), quote(&table.name), order.join(", "))
}

fn values(row: &AnyRow, table: &Table) -> Result<Vec<Value>> {
    let mut values = Vec::with_capacity(table.columns.len());
    for (i, column) in table.columns.iter().enumerate() {
        let unreadable = |error: sqlx::Error| {
            CopyError::Store(StoreError::Corrupt(format!("a value in {}.{}: {error}", table.name, column.name)))
        };
        let value = match column.kind {
            Kind::Integer => row.try_get::<Option<i64>, _>(i).map_err(unreadable)?.map(Value::Integer),
            Kind::Real => row.try_get::<Option<f64>, _>(i).map_err(unreadable)?.map(|r| Value::Real(r.to_bits())),
            Kind::Text => row.try_get::<Option<String>, _>(i).map_err(unreadable)?.map(Value::Text),
            Kind::Blob => row.try_get::<Option<Vec<u8>>, _>(i).map_err(unreadable)?.map(Value::Blob),
        };
        values.push(value.unwrap_or(Value::Null));
    }
    Ok(values)
}

/// Every row of a (small) table.
async fn rows(conn: &mut Connection, table: &Table) -> Result<Vec<Vec<Value>>> {
    let text = select(Backend::of(conn), table);
    let found = sqlx::query(&text).fetch_all(conn).await?;
    found.iter().map(|row| values(row, table)).collect()
}

async fn count(conn: &mut Connection, name: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", quote(name))).fetch_one(conn).await?)
}

/// The rows a newly migrated database holds, by table.
async fn seeded_rows(tables: &BTreeMap<String, Table>) -> Result<HashMap<String, HashSet<Vec<Value>>>> {
    use sqlx::Connection as _;
    let mut fresh = sqlx::AnyConnection::connect("sqlite::memory:").await?;
    crate::MIGRATE_SQLITE.run(&mut fresh).await.map_err(StoreError::from)?;
    let mut seeded = HashMap::new();
    for (name, table) in tables {
        if count(&mut fresh, name).await? > 0 {
            seeded.insert(name.clone(), rows(&mut fresh, table).await?.into_iter().collect());
        }
    }
    fresh.close().await?;
    Ok(seeded)
}

/// A self-reference the target checks as each statement ends: the positions of the
/// referring columns and of the columns they refer to.
struct SelfReference {
    columns: Vec<usize>,
    parent_columns: Vec<usize>,
}

/// Copies one table's rows; returns how many.
async fn copy_table(source: &mut Connection, target: &mut Connection, table: &Table, keys: &[ForeignKey]) -> Result<u64> {
    let per_batch = (MAX_PARAMETERS / table.columns.len()).clamp(1, MAX_ROWS);
    let mut own = Vec::new();
    for key in keys.iter().filter(|k| !k.deferrable && k.parent == table.name) {
        own.push(SelfReference {
            columns: key.columns.iter().map(|c| table.position(c)).collect::<Result<_>>()?,
            parent_columns: key.parent_columns.iter().map(|c| table.position(c)).collect::<Result<_>>()?,
        });
    }
    let text = select(Backend::of(source), table);
    let mut stream = sqlx::query(&text).fetch(&mut *source);
    let mut batch = Vec::with_capacity(per_batch);
    let mut waiting = Vec::new();
    let mut copied = 0;
    while let Some(row) = stream.try_next().await? {
        batch.push(values(&row, table)?);
        if batch.len() == per_batch {
            copied += write(target, table, &own, std::mem::take(&mut batch), &mut waiting).await?;
        }
    }
    drop(stream);
    copied += write(target, table, &own, batch, &mut waiting).await?;
    // Rows whose parent row (in the same table) came later in key order.
    while !waiting.is_empty() {
        let before = waiting.len();
        let mut again = Vec::new();
        for chunk in std::mem::take(&mut waiting).chunks(per_batch) {
            copied += write(target, table, &own, chunk.to_vec(), &mut again).await?;
        }
        if again.len() == before {
            return Err(CopyError::Store(StoreError::Corrupt(format!(
                "{}: {before} rows refer to rows of the same table that are not there",
                table.name
            ))));
        }
        waiting = again;
    }
    Ok(copied)
}

/// Writes a batch of rows in one statement. Where the target checks a self-reference as
/// the statement ends, a row whose parent is neither in the target yet nor in this batch
/// waits in `waiting` instead; returns how many rows were written.
async fn write(
    target: &mut Connection,
    table: &Table,
    own: &[SelfReference],
    rows: Vec<Vec<Value>>,
    waiting: &mut Vec<Vec<Value>>,
) -> Result<u64> {
    let mut rows = rows;
    if !own.is_empty() {
        // For each row: the parents it needs that the target does not hold yet.
        let mut needs: Vec<Vec<(usize, Vec<Value>)>> = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut missing = Vec::new();
            for (k, reference) in own.iter().enumerate() {
                let wanted: Vec<Value> = reference.columns.iter().map(|&i| row[i].clone()).collect();
                if wanted.contains(&Value::Null) || holds(target, table, &reference.parent_columns, &wanted).await? {
                    continue;
                }
                missing.push((k, wanted));
            }
            needs.push(missing);
        }
        // Keep the rows whose parents are all among the rows kept; repeat until settled.
        let mut kept = vec![true; rows.len()];
        loop {
            let present: Vec<HashSet<Vec<&Value>>> = own
                .iter()
                .map(|reference| {
                    rows.iter()
                        .zip(&kept)
                        .filter(|(_, kept)| **kept)
                        .map(|(row, _)| reference.parent_columns.iter().map(|&i| &row[i]).collect())
                        .collect()
                })
                .collect();
            let mut changed = false;
            for (i, missing) in needs.iter().enumerate() {
                if kept[i] && !missing.iter().all(|(k, wanted)| present[*k].contains(&wanted.iter().collect::<Vec<_>>())) {
                    kept[i] = false;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let (now, later): (Vec<_>, Vec<_>) = rows.into_iter().zip(kept).partition(|(_, kept)| *kept);
        waiting.extend(later.into_iter().map(|(row, _)| row));
        rows = now.into_iter().map(|(row, _)| row).collect();
    }
    if rows.is_empty() {
        return Ok(0);
    }
    let written = rows.len() as u64;
    let names: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
    let mut sql = Sql::new(format!("INSERT INTO {} ({}) VALUES ", quote(&table.name), names.join(", ")));
    for (r, row) in rows.into_iter().enumerate() {
        sql.push(if r == 0 { "(" } else { ", (" });
        for (c, (value, column)) in row.into_iter().zip(&table.columns).enumerate() {
            if c > 0 {
                sql.push(", ");
            }
            bind(&mut sql, value, column.kind);
        }
        sql.push(")");
    }
    sql.build()?.execute(target).await?;
    Ok(written)
}

/// Does the target hold a row with these values in these columns?
async fn holds(target: &mut Connection, table: &Table, columns: &[usize], values: &[Value]) -> Result<bool> {
    let mut sql = Sql::new(format!("SELECT COUNT(*) FROM {} WHERE ", quote(&table.name)));
    for (n, (&i, value)) in columns.iter().zip(values).enumerate() {
        if n > 0 {
            sql.push(" AND ");
        }
        sql.push(format_args!("{} = ", quote(&table.columns[i].name)));
        bind(&mut sql, value.clone(), table.columns[i].kind);
    }
    let found: i64 = sql.build_query_scalar()?.fetch_one(target).await?;
    Ok(found > 0)
}

/// Binds a value; a NULL is bound with its column's type, as PostgreSQL wants.
fn bind(sql: &mut Sql<'_>, value: Value, kind: Kind) {
    match (value, kind) {
        (Value::Null, Kind::Integer) => sql.push_bind(None::<i64>),
        (Value::Null, Kind::Real) => sql.push_bind(None::<f64>),
        (Value::Null, Kind::Text) => sql.push_bind(None::<String>),
        (Value::Null, Kind::Blob) => sql.push_bind(None::<Vec<u8>>),
        (Value::Integer(i), _) => sql.push_bind(i),
        (Value::Real(bits), _) => sql.push_bind(f64::from_bits(bits)),
        (Value::Text(text), _) => sql.push_bind(text),
        (Value::Blob(bytes), _) => sql.push_bind(bytes),
    };
}

/// After rows were copied with their ids, PostgreSQL's id sequences start after the
/// largest, so the next row made there gets a new one.
async fn reset_sequences(target: &mut Connection, names: &[String]) -> Result<()> {
    for name in names {
        let columns: Vec<String> = sqlx::query_scalar(
            "SELECT column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')",
        )
        .bind(name)
        .fetch_all(&mut *target)
        .await?;
        for column in columns {
            let text = format!(
                "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX({}), 0) + 1, false) FROM {}",
                quote(&column),
                quote(name)
            );
            sqlx::query(&text).bind(quote(name)).bind(&column).execute(&mut *target).await?;
        }
    }
    Ok(())
}

/// The row count and checksum of a table, read through `conn` with the given columns.
async fn digest(conn: &mut Connection, table: &Table) -> Result<(u64, String)> {
    let text = select(Backend::of(conn), table);
    let mut hash = Sha256::new();
    let header: Vec<Value> =
        std::iter::once(&table.name).chain(table.columns.iter().map(|c| &c.name)).map(|n| Value::Text(n.clone())).collect();
    feed(&mut hash, &header);
    let mut rows = 0;
    let mut stream = sqlx::query(&text).fetch(conn);
    while let Some(row) = stream.try_next().await? {
        feed(&mut hash, &values(&row, table)?);
        rows += 1;
    }
    Ok((rows, hex(&hash.finalize())))
}

/// Writes one row into the hash: each value as a kind letter, then an integer in decimal
/// ended by ';', a float's 8 bytes, or a length, ':' and the bytes of text (UTF-8) or a
/// blob; NULL is the letter alone. The row ends with a newline.
fn feed(hash: &mut Sha256, row: &[Value]) {
    for value in row {
        match value {
            Value::Null => hash.update(b"N"),
            Value::Integer(i) => {
                hash.update(b"I");
                hash.update(i.to_string());
                hash.update(b";");
            }
            Value::Real(bits) => {
                hash.update(b"R");
                hash.update(bits.to_be_bytes());
            }
            Value::Text(text) => {
                hash.update(format!("T{}:", text.len()));
                hash.update(text);
            }
            Value::Blob(bytes) => {
                hash.update(format!("B{}:", bytes.len()));
                hash.update(bytes);
            }
        }
    }
    hash.update(b"\n");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::{Value, checksum, feed, hex};
    use crate::{Store, meta, testing};
    use sha2::{Digest, Sha256};

    fn sum(rows: &[&[Value]]) -> String {
        let mut hash = Sha256::new();
        for row in rows {
            feed(&mut hash, row);
        }
        hex(&hash.finalize())
    }

    #[test]
    fn copy_checksums_tell_apart_values_that_print_alike() {
        let text = |t: &str| Value::Text(t.to_owned());
        assert_ne!(sum(&[&[text("ab"), text("c")]]), sum(&[&[text("a"), text("bc")]]));
        assert_ne!(sum(&[&[Value::Null]]), sum(&[&[text("")]]));
        assert_ne!(sum(&[&[text("1")]]), sum(&[&[Value::Integer(1)]]));
        assert_ne!(sum(&[&[Value::Integer(1), Value::Integer(2)]]), sum(&[&[Value::Integer(12)]]));
        assert_ne!(sum(&[&[text("a")], &[text("b")]]), sum(&[&[text("a"), text("b")]]));
        assert_ne!(sum(&[&[Value::Blob(b"x".to_vec())]]), sum(&[&[text("x")]]));
        assert_eq!(sum(&[&[text("a"), Value::Null]]), sum(&[&[text("a"), Value::Null]]));
    }

    #[tokio::test]
    async fn copy_checksum_differs_when_one_value_differs() {
        let dir = tempfile::tempdir().unwrap();
        let a = Store::open(&testing::fresh_database(dir.path(), "a.db").await.unwrap()).await.unwrap();
        let b = Store::open(&testing::fresh_database(dir.path(), "b.db").await.unwrap()).await.unwrap();
        for (store, value) in [(&a, "the same"), (&b, "the same")] {
            let mut tx = store.begin().await.unwrap();
            meta::set(&mut tx, "marker", value).await.unwrap();
            meta::set(&mut tx, "other", "kept").await.unwrap();
            tx.commit().await.unwrap();
        }
        let of = |store: &Store| {
            let store = store.clone();
            async move { checksum(&mut store.read().await.unwrap(), "meta").await.unwrap() }
        };
        let (rows, same) = of(&a).await;
        assert_eq!(rows, 2);
        assert_eq!(of(&b).await, (rows, same.clone()), "the same rows hash alike, on either engine");

        let mut tx = b.begin().await.unwrap();
        meta::set(&mut tx, "marker", "the samE").await.unwrap();
        tx.commit().await.unwrap();
        let (rows_after, changed) = of(&b).await;
        assert_eq!(rows_after, rows);
        assert_ne!(changed, same, "one changed letter changes the checksum");
        assert!(checksum(&mut a.read().await.unwrap(), "no_such_table").await.is_err());
        a.close().await;
        b.close().await;
    }
}
