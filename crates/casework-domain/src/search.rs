//! Full-text search: what a user types, made into a query that can only ever mean "records
//! containing these words".
//!
//! Users type words, `"quoted phrases"` and prefixes (`allot*`, at least two letters before
//! the star). Nothing they type is ever query syntax: the full-text engine's operators
//! (`AND`, `OR`, `NOT`, `NEAR`, column filters `col:`, parentheses, `^`, `+`, `-`) and stray
//! quotes become plain words or are dropped, and every term must match. A word is a run of
//! letters and digits; punctuation inside a word (o'brien, follow-up) keeps its parts
//! together as a phrase, as the index splits them the same way.
//!
//! [`SearchQuery::fts5`] renders the query for SQLite FTS5 with every term double-quoted,
//! so the engine reads each as a string, never as an operator.

use crate::FieldError;
use serde::Serialize;

/// A checked search: one or more terms, all of which must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    terms: Vec<Term>,
}

/// A word, a phrase (words that must appear together and in order), or either with its
/// last word taken as a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    words: Vec<String>,
    prefix: bool,
}

impl SearchQuery {
    /// More terms than this is not a search anyone types; each term costs the query a look-up.
    pub const MAX_TERMS: usize = 12;

    /// Shortest prefix, so `a*` does not match half the index.
    pub const MIN_PREFIX_CHARS: usize = 2;

    /// Reads what the user typed. The error names no field (the caller says which).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let mut terms = Vec::new();
        let segments: Vec<&str> = raw.split('"').collect();
        let last = segments.len() - 1;
        for (i, segment) in segments.iter().enumerate() {
            // Odd segments lie between a pair of quotes; the text after an unpaired quote
            // is read as plain words.
            if i % 2 == 1 && i != last {
                terms.extend(Term::phrase(segment));
            } else {
                terms.extend(segment.split(is_separator).filter_map(Term::chunk));
            }
        }
        if terms.is_empty() {
            return Err(FieldError::new("", "enter a word to search for"));
        }
        if terms.len() > Self::MAX_TERMS {
            return Err(FieldError::new("", format!("use at most {} words or phrases", Self::MAX_TERMS)));
        }
        Ok(SearchQuery { terms })
    }

    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// The query for FTS5: records containing every term.
    pub fn fts5(&self) -> String {
        self.terms.iter().map(Term::fts5).collect::<Vec<_>>().join(" ")
    }

    /// The query for FTS5: records containing any of the terms (for ranking records against
    /// the whole search when the terms are spread over a case's records).
    pub fn fts5_any(&self) -> String {
        self.terms.iter().map(Term::fts5).collect::<Vec<_>>().join(" OR ")
    }
}

/// Where plain text breaks into chunks: spaces, control characters and the characters that
/// FTS5 gives a meaning outside quotes (groups, column filters, boosts). A hyphen or an
/// apostrophe inside a chunk joins its words instead.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || c.is_control() || matches!(c, '(' | ')' | '{' | '}' | ':' | '^' | '+' | ',')
}

/// The words of some text: its runs of letters and digits.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

impl Term {
    /// A quoted phrase; `None` when it holds no word.
    fn phrase(text: &str) -> Option<Term> {
        let words = words(text);
        (!words.is_empty()).then_some(Term { words, prefix: false })
    }

    /// One chunk of unquoted text: a word (or words joined by punctuation), a prefix when
    /// it ends in `*`. The engine's operators typed bare are dropped: every term must match
    /// anyway, so `mother AND allotment` means what it says.
    fn chunk(text: &str) -> Option<Term> {
        if matches!(text, "AND" | "OR" | "NOT" | "NEAR") {
            return None;
        }
        let words = words(text);
        let last = words.last()?;
        let prefix = text.ends_with('*') && last.chars().count() >= SearchQuery::MIN_PREFIX_CHARS;
        Some(Term { words, prefix })
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }

    pub fn is_prefix(&self) -> bool {
        self.prefix
    }

    /// The term as an FTS5 string (`"follow up"`, `"allot"*`). Words hold only letters and
    /// digits, but any quote is doubled all the same, as FTS5 escapes it.
    pub fn fts5(&self) -> String {
        let quoted = format!("\"{}\"", self.words.join(" ").replace('"', "\"\""));
        if self.prefix { quoted + "*" } else { quoted }
    }
}

/// What an indexed text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchKind {
    /// A note or an addendum.
    Note,
    /// The answers of a form filled in on the case.
    Form,
    /// The name of the person the case is about.
    Person,
}

impl SearchKind {
    pub fn name(self) -> &'static str {
        match self {
            SearchKind::Note => "note",
            SearchKind::Form => "form",
            SearchKind::Person => "person",
        }
    }

    pub fn parse(name: &str) -> Option<SearchKind> {
        [SearchKind::Note, SearchKind::Form, SearchKind::Person].into_iter().find(|k| k.name() == name)
    }
}

/// A piece of a result's snippet: text as stored, `marked` where it matched the search.
/// Kept as data, never as markup, so every page and client escapes it as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnippetPart {
    pub text: String,
    pub marked: bool,
}

/// Splits a snippet whose matches are between `open` and `close` into parts, with every
/// run of white space (line breaks included) made one space.
pub fn snippet_parts(snippet: &str, open: char, close: char) -> Vec<SnippetPart> {
    let mut parts: Vec<SnippetPart> = Vec::new();
    let mut text = String::new();
    let mut marked = false;
    let mut in_space = false;
    let mut flush = |text: &mut String, marked: bool| {
        if !text.is_empty() {
            parts.push(SnippetPart { text: std::mem::take(text), marked });
        }
    };
    for c in snippet.trim().chars() {
        if c == open || c == close {
            flush(&mut text, marked);
            marked = c == open;
        } else if c.is_whitespace() {
            if !in_space {
                text.push(' ');
            }
            in_space = true;
            continue;
        } else {
            text.push(c);
        }
        in_space = false;
    }
    flush(&mut text, marked);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rendered(raw: &str) -> String {
        SearchQuery::parse(raw).map(|q| q.fts5()).unwrap_or_default()
    }

    #[test]
    fn words_phrases_and_prefixes() {
        assert_eq!(rendered("mother allotment"), r#""mother" "allotment""#);
        assert_eq!(rendered(r#""mother mentioned" allotment"#), r#""mother mentioned" "allotment""#);
        assert_eq!(rendered("allot*"), r#""allot"*"#);
        assert_eq!(rendered("  Zoë   O'Brien "), r#""Zoë" "O Brien""#);
        assert_eq!(rendered("follow-up 10:30"), r#""follow up" "10" "30""#);
    }

    #[test]
    fn a_prefix_needs_two_letters() {
        assert_eq!(rendered("a*"), r#""a""#);
        assert_eq!(rendered("ab*"), r#""ab"*"#);
        assert_eq!(rendered("*"), "");
        assert_eq!(rendered("al*ot"), r#""al ot""#);
    }

    #[test]
    fn the_engines_syntax_becomes_plain_words() {
        assert_eq!(rendered("allotment OR 1"), r#""allotment" "1""#);
        assert_eq!(rendered("mother AND allotment"), r#""mother" "allotment""#);
        assert_eq!(rendered("mother or allotment"), r#""mother" "or" "allotment""#, "lower case is a word");
        assert_eq!(rendered("body:x"), r#""body" "x""#);
        assert_eq!(rendered("NEAR(a b)"), r#""a" "b""#);
        assert_eq!(rendered("-x +y ^z"), r#""x" "y" "z""#);
        assert_eq!(rendered("{body title}: secret"), r#""body" "title" "secret""#);
        assert_eq!(rendered(r#""unterminated phrase"#), r#""unterminated" "phrase""#);
        assert_eq!(rendered(r#"a "b c" "d"#), r#""a" "b c" "d""#);
        assert_eq!(rendered(r#""""#), "");
        assert_eq!(rendered("tab\tand\u{7}bell"), r#""tab" "and" "bell""#);
    }

    #[test]
    fn nothing_to_search_for_is_an_error() {
        for raw in ["", "   ", "*", "\"\"", "- + ^", "AND OR NOT", "(((", "\u{0}"] {
            let error = SearchQuery::parse(raw).unwrap_err();
            assert_eq!(error.message, "enter a word to search for", "{raw:?}");
        }
        let many = "word ".repeat(SearchQuery::MAX_TERMS + 1);
        assert_eq!(SearchQuery::parse(&many).unwrap_err().message, "use at most 12 words or phrases");
        assert!(SearchQuery::parse(&"word ".repeat(SearchQuery::MAX_TERMS)).is_ok());
    }

    #[test]
    fn any_of_the_terms() {
        let query = SearchQuery::parse(r#"mother "allot ment" gar*"#).unwrap();
        assert_eq!(query.fts5_any(), r#""mother" OR "allot ment" OR "gar"*"#);
    }

    #[test]
    fn snippets_become_parts() {
        let parts = snippet_parts("…the \u{2}mother\u{3} said\n\nher \u{2}allotment\u{3}", '\u{2}', '\u{3}');
        let part = |text: &str, marked| SnippetPart { text: text.into(), marked };
        assert_eq!(parts, [part("…the ", false), part("mother", true), part(" said her ", false), part("allotment", true)]);
        assert_eq!(snippet_parts("", '\u{2}', '\u{3}'), []);
    }

    /// Checks that `fts5` is made of double-quoted strings (quotes inside doubled), each
    /// perhaps followed by `*`, separated by single spaces or ` OR `: nothing else reaches
    /// the engine unquoted.
    fn only_quoted_terms(fts5: &str, separator: &str) -> Result<(), String> {
        let mut rest = fts5;
        let mut first = true;
        while !rest.is_empty() {
            if !first {
                rest = rest.strip_prefix(separator).ok_or_else(|| format!("no separator before {rest:?}"))?;
            }
            first = false;
            rest = rest.strip_prefix('"').ok_or_else(|| format!("an unquoted term at {rest:?}"))?;
            loop {
                let end = rest.find('"').ok_or("an unterminated string")?;
                let after = &rest[end + 1..];
                if let Some(escaped) = after.strip_prefix('"') {
                    rest = escaped;
                } else {
                    rest = after.strip_prefix('*').unwrap_or(after);
                    break;
                }
            }
        }
        Ok(())
    }

    fn fts5_flavoured() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("\"".to_owned()),
            Just("*".to_owned()),
            Just(" ".to_owned()),
            Just("AND".to_owned()),
            Just("OR".to_owned()),
            Just("NOT".to_owned()),
            Just("NEAR".to_owned()),
            Just("(".to_owned()),
            Just(")".to_owned()),
            Just(":".to_owned()),
            Just("^".to_owned()),
            Just("-".to_owned()),
            Just("+".to_owned()),
            "[a-zA-Z0-9]{1,6}",
            any::<char>().prop_map(String::from),
        ];
        proptest::collection::vec(piece, 0..16).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn any_input_renders_as_quoted_terms_only(raw in prop_oneof![any::<String>(), fts5_flavoured()]) {
            match SearchQuery::parse(&raw) {
                Ok(query) => {
                    prop_assert!(!query.terms().is_empty() && query.terms().len() <= SearchQuery::MAX_TERMS);
                    prop_assert!(query.terms().iter().all(|t| t.words().iter().all(|w| w.chars().all(char::is_alphanumeric))));
                    prop_assert_eq!(only_quoted_terms(&query.fts5(), " "), Ok(()), "{}", query.fts5());
                    prop_assert_eq!(only_quoted_terms(&query.fts5_any(), " OR "), Ok(()), "{}", query.fts5_any());
                }
                Err(error) => prop_assert!(error.message.starts_with("enter a word") || error.message.starts_with("use at most")),
            }
        }
    }
}
