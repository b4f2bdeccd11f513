//! Full-text search over notes, form answers and names (migration `0011_search`), with the
//! reader's visibility in the same query, so a case they may not see is never matched,
//! ranked or counted.
//!
//! The matching differs per backend and sits side by side below: SQLite's FTS5 (`MATCH`,
//! `bm25`, `snippet`) and PostgreSQL's full-text search over the `terms` tsvector of the same
//! `search_documents` rows (`@@`, `ts_rank_cd`, `ts_headline`). Both are fed the parsed terms
//! as bound values, never as query text. The rest of the query is shared.
//!
//! Matching is per case: a case matches when each term is found somewhere in its texts (a
//! name in the person's record and a word in a note will do). Cases are ranked by their best
//! single text scored against all the terms, so a note holding every term comes
//! before a case whose terms are spread over several.

use crate::cases::push_visibility;
use crate::convert::{code, parse};
use crate::sql::Sql;
use crate::{Backend, Connection, Result, StoreError};
use casework_domain::access::CaseFilter;
use casework_domain::ids::CaseId;
use casework_domain::search::{SearchKind, SearchQuery, SnippetPart, snippet_parts};
use casework_domain::text::Code;
use serde::Serialize;
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
const SNIPPET_WORDS: i64 = 20;

/// The cases the reader may see (`visible`) that match `query`, best first, at most `limit`;
/// only those of `service` when given.
pub async fn search(
    conn: &mut Connection,
    query: &SearchQuery,
    service: Option<&Code>,
    visible: &[CaseFilter],
    limit: i64,
) -> Result<Vec<SearchHit>> {
    let backend = Backend::of(conn);
    // Texts matching any term, each with a score where lower is better.
    let mut sql = Sql::new("WITH hits AS (");
    match backend {
        Backend::Sqlite => sqlite::push_hits(&mut sql, query),
        Backend::Postgres => postgres::push_hits(&mut sql, query),
    }
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
            sql.push(" AND c.id IN (");
            match backend {
                Backend::Sqlite => sqlite::push_cases_with(&mut sql, term),
                Backend::Postgres => postgres::push_cases_with(&mut sql, term),
            }
            sql.push(")");
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
    let rows: Vec<Row> = sql.build_query_as()?.fetch_all(&mut *conn).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }

    let mut sql = Sql::new("");
    let documents = rows.iter().map(|row| row.0);
    match backend {
        Backend::Sqlite => sqlite::push_snippets(&mut sql, query, documents),
        Backend::Postgres => postgres::push_snippets(&mut sql, query, documents),
    }
    let found: Vec<(i64, String)> = sql.build_query_as()?.fetch_all(conn).await?;
    let mut snippets: BTreeMap<i64, Vec<SnippetPart>> =
        found.into_iter().map(|(document, text)| (document, snippet_parts(&text, MARK_OPEN, MARK_CLOSE))).collect();
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

/// SQLite: the FTS5 index `search_index` over `search_documents`; terms go in as FTS5 strings,
/// every one double-quoted (`"follow up"`, `"allot"*`), so nothing typed is an operator.
mod sqlite {
    use super::{MARK_CLOSE, MARK_OPEN, SNIPPET_WORDS};
    use crate::sql::Sql;
    use casework_domain::search::{SearchQuery, Term};

    pub(super) fn push_hits(sql: &mut Sql<'_>, query: &SearchQuery) {
        sql.push(
            "SELECT d.id AS document, d.case_id, d.kind, d.record_id, bm25(search_index) AS score
             FROM search_index JOIN search_documents d ON d.id = search_index.rowid
             WHERE search_index MATCH ",
        );
        sql.push_bind(query.fts5_any());
    }

    pub(super) fn push_cases_with(sql: &mut Sql<'_>, term: &Term) {
        sql.push(
            "SELECT t.case_id FROM search_documents t WHERE t.id IN (SELECT rowid FROM search_index WHERE search_index MATCH ",
        );
        sql.push_bind(term.fts5()).push(")");
    }

    pub(super) fn push_snippets(sql: &mut Sql<'_>, query: &SearchQuery, documents: impl Iterator<Item = i64>) {
        sql.push("SELECT rowid, snippet(search_index, 0, ");
        sql.push_bind(MARK_OPEN.to_string()).push(", ").push_bind(MARK_CLOSE.to_string());
        sql.push(", '…', ").push_bind(SNIPPET_WORDS).push(") FROM search_index WHERE search_index MATCH ");
        sql.push_bind(query.fts5_any());
        sql.push(" AND rowid IN (");
        let mut list = sql.separated(", ");
        for document in documents {
            list.push_bind(document);
        }
        sql.push(")");
    }
}

/// PostgreSQL: the `terms` tsvector of `search_documents` (configuration `casework`: English
/// stems, accents removed, no stop words, as on SQLite). Each term becomes a tsquery built
/// from bound words: `phraseto_tsquery` for words and phrases, and a quoted lexeme with `:*`
/// for a prefix, so nothing typed is tsquery syntax.
mod postgres {
    use super::{MARK_CLOSE, MARK_OPEN, SNIPPET_WORDS};
    use crate::sql::Sql;
    use casework_domain::search::{SearchQuery, Term};

    /// The term as a tsquery expression.
    fn push_term(sql: &mut Sql<'_>, term: &Term) {
        let words = term.words();
        let (whole, last) = match (term.is_prefix(), words.split_last()) {
            (true, Some((last, whole))) => (whole, Some(last)),
            _ => (words, None),
        };
        match (whole.is_empty(), last) {
            (false, None) => {
                sql.push("phraseto_tsquery('casework', ").push_bind(whole.join(" ")).push(")");
            }
            (true, Some(last)) => {
                sql.push("to_tsquery('casework', quote_literal(").push_bind(last.clone()).push(") || ':*')");
            }
            (false, Some(last)) => {
                sql.push("tsquery_phrase(phraseto_tsquery('casework', ").push_bind(whole.join(" "));
                sql.push("), to_tsquery('casework', quote_literal(").push_bind(last.clone()).push(") || ':*'))");
            }
            // A term always has a word; an empty one matches nothing.
            (true, None) => {
                sql.push("''::tsquery");
            }
        }
    }

    /// Texts holding any of the terms.
    fn push_any(sql: &mut Sql<'_>, query: &SearchQuery) {
        sql.push("(");
        for (i, term) in query.terms().iter().enumerate() {
            if i > 0 {
                sql.push(" || ");
            }
            push_term(sql, term);
        }
        sql.push(")");
    }

    pub(super) fn push_hits(sql: &mut Sql<'_>, query: &SearchQuery) {
        sql.push("SELECT d.id AS document, d.case_id, d.kind, d.record_id, -ts_rank_cd(d.terms, q.query) AS score FROM search_documents d, (SELECT ");
        push_any(sql, query);
        sql.push(" AS query) q WHERE d.terms @@ q.query");
    }

    pub(super) fn push_cases_with(sql: &mut Sql<'_>, term: &Term) {
        sql.push("SELECT t.case_id FROM search_documents t WHERE t.terms @@ ");
        push_term(sql, term);
    }

    pub(super) fn push_snippets(sql: &mut Sql<'_>, query: &SearchQuery, documents: impl Iterator<Item = i64>) {
        // A short text is shown whole, as FTS5's snippet does; a long one as its best fragments.
        let marks = format!("StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}");
        sql.push("SELECT d.id, CASE WHEN cardinality(regexp_split_to_array(btrim(d.body), '\\s+')) <= ");
        sql.push_bind(SNIPPET_WORDS).push(" THEN ts_headline('casework', d.body, ");
        push_any(sql, query);
        sql.push(", ").push_bind(format!("{marks}, HighlightAll=true"));
        sql.push(") ELSE ts_headline('casework', d.body, ");
        push_any(sql, query);
        sql.push(", ").push_bind(format!(
            "{marks}, MaxWords={SNIPPET_WORDS}, MinWords={}, ShortWord=0, MaxFragments=2, FragmentDelimiter=\" … \"",
            SNIPPET_WORDS / 2
        ));
        sql.push(") END FROM search_documents d WHERE d.id IN (");
        let mut list = sql.separated(", ");
        for document in documents {
            list.push_bind(document);
        }
        sql.push(")");
    }
}
