//! Full-text search over notes, form answers and names (migration `0011_search`), with the
//! reader's visibility in the same query, so a case they may not see is never matched,
//! ranked or counted.
//!
//! This is the one module whose SQL belongs to SQLite alone (FTS5's `MATCH`, `bm25` and
//! `snippet`); a PostgreSQL version sits beside it over the same `search_documents` table
//! (`tsvector`, `ts_rank`, `ts_headline`). The rest of the query keeps to the shared shape.
//!
//! Matching is per case: a case matches when each term is found somewhere in its texts (a
//! name in the person's record and a word in a note will do). Cases are ranked by their best
//! single text scored by `bm25` against all the terms, so a note holding every term comes
//! before a case whose terms are spread over several.

use crate::cases::push_visibility;
use crate::convert::{code, parse};
use crate::{Connection, Result, StoreError};
use casework_domain::access::CaseFilter;
use casework_domain::ids::CaseId;
use casework_domain::search::{SearchKind, SearchQuery, SnippetPart, snippet_parts};
use casework_domain::text::Code;
use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite};
use std::collections::BTreeMap;

/// A case found, with the text of it that matched best.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchHit {
    pub case: CaseId,
    pub reference: String,
    pub service: Code,
    pub person_name: String,
    /// What the best-matching text is, and the id of its record (the note, the form
    /// submission or the person).
    pub kind: SearchKind,
    pub record: String,
    /// A few words around the matches in that text.
    pub snippet: Vec<SnippetPart>,
}

/// Where `snippet()` marks a match: control characters, which no stored text holds (notes
/// and names refuse them; the index takes them out of form answers).
const MARK_OPEN: char = '\u{2}';
const MARK_CLOSE: char = '\u{3}';
/// Words of context in a snippet (FTS5 allows up to 64).
const SNIPPET_TOKENS: i64 = 20;

/// The cases the reader may see (`visible`) that match `query`, best first, at most `limit`;
/// only those of `service` when given.
pub async fn search(
    conn: &mut Connection,
    query: &SearchQuery,
    service: Option<&Code>,
    visible: &[CaseFilter],
    limit: i64,
) -> Result<Vec<SearchHit>> {
    let any = query.fts5_any();
    let mut sql = QueryBuilder::<Sqlite>::new(
        "WITH hits AS (
            SELECT d.id AS document, d.case_id, d.kind, d.record_id, bm25(search_index) AS score
            FROM search_index JOIN search_documents d ON d.id = search_index.rowid
            WHERE search_index MATCH ",
    );
    sql.push_bind(any.clone());
    sql.push(
        "),
        best AS (
            SELECT h.document, h.case_id, h.kind, h.record_id, h.score,
                ROW_NUMBER() OVER (PARTITION BY h.case_id ORDER BY h.score, h.document) AS nth
            FROM hits h JOIN cases c ON c.id = h.case_id
            WHERE TRUE",
    );
    push_visibility(&mut sql, visible);
    if let Some(service) = service {
        sql.push(" AND c.service = ").push_bind(service.as_str());
    }
    // With one term, matching any term is matching every term.
    if query.terms().len() > 1 {
        for term in query.terms() {
            sql.push(
                " AND c.id IN (SELECT t.case_id FROM search_documents t WHERE t.id IN
                    (SELECT rowid FROM search_index WHERE search_index MATCH ",
            );
            sql.push_bind(term.fts5()).push("))");
        }
    }
    sql.push(
        ")
        SELECT b.document, c.id, c.reference, c.service, p.given_name, p.family_name, p.known_as, b.kind, b.record_id
        FROM best b JOIN cases c ON c.id = b.case_id JOIN people p ON p.id = c.person_id
        WHERE b.nth = 1
        ORDER BY b.score, c.id
        LIMIT ",
    );
    sql.push_bind(limit);
    type Row = (i64, String, String, String, String, String, Option<String>, String, String);
    let rows: Vec<Row> = sql.build_query_as().fetch_all(&mut *conn).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }

    let mut snippets = snippets(conn, &any, rows.iter().map(|row| row.0)).await?;
    rows.into_iter()
        .map(|(document, case, reference, service, given, family, known_as, kind, record)| {
            Ok(SearchHit {
                case: parse("case id", &case)?,
                reference,
                service: code(&service)?,
                person_name: format!("{} {family}", known_as.unwrap_or(given)),
                kind: SearchKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("search kind {kind:?}")))?,
                record,
                snippet: snippets.remove(&document).unwrap_or_default(),
            })
        })
        .collect()
}

/// The snippets of the chosen texts, marked where they match `any`, by text.
async fn snippets(
    conn: &mut Connection,
    any: &str,
    documents: impl Iterator<Item = i64>,
) -> Result<BTreeMap<i64, Vec<SnippetPart>>> {
    let mut sql = QueryBuilder::<Sqlite>::new("SELECT rowid, snippet(search_index, 0, ");
    sql.push_bind(MARK_OPEN.to_string()).push(", ").push_bind(MARK_CLOSE.to_string());
    sql.push(", '…', ").push_bind(SNIPPET_TOKENS).push(") FROM search_index WHERE search_index MATCH ").push_bind(any);
    sql.push(" AND rowid IN (");
    let mut list = sql.separated(", ");
    for document in documents {
        list.push_bind(document);
    }
    sql.push(")");
    let rows: Vec<(i64, String)> = sql.build_query_as().fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(document, text)| (document, snippet_parts(&text, MARK_OPEN, MARK_CLOSE))).collect())
}
