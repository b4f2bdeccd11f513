//! The search page: full-text search over the notes, form answers and names of the cases the
//! reader may see, with each result's snippet. The search form is a plain GET form, so a
//! search has an address and works without JavaScript.

use super::*;
use casework_domain::search::{SearchKind, SearchQuery, SnippetPart};
use casework_domain::text::Code;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new().route("/search", get(search_page))
}

/// How many cases the page shows: the best matches; more words narrow the search.
const SHOWN: i64 = 50;

struct ResultRow {
    case: String,
    reference: String,
    person_name: String,
    service: String,
    /// What matched best, in words.
    kind: &'static str,
    snippet: Vec<SnippetPart>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    signed_in: Option<SignedIn>,
    q: String,
    q_error: Option<String>,
    /// Value, name, selected: shown when the reader reads cases of more than one service.
    services: Vec<(String, String, bool)>,
    service_error: Option<String>,
    errors: Vec<(String, String)>,
    /// Whether a search was made (and so whether to say what it found).
    searched: bool,
    results: Vec<ResultRow>,
    shown: i64,
}

fn kind_label(kind: SearchKind) -> &'static str {
    match kind {
        SearchKind::Note => "Note",
        SearchKind::Form => "Form answers",
        SearchKind::Person => "Name",
    }
}

async fn search_page(
    State(app): State<App>,
    session: Session,
    axum::extract::Query(fields): axum::extract::Query<Vec<(String, String)>>,
) -> Response {
    let Session { actor, header } = session;
    let readable: std::collections::BTreeSet<Code> =
        actor.case_filter(Permission::CaseRead).into_iter().map(|filter| filter.service).collect();
    if readable.is_empty() {
        return problem(AppError::Forbidden("search cases"), header);
    }
    // The first value of each field counts, as on the work lists.
    let value = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let (q, service) = (value("q"), value("service").unwrap_or_default());
    let mut page = SearchPage {
        signed_in: header.clone(),
        q: q.clone().unwrap_or_default(),
        q_error: None,
        services: Vec::new(),
        service_error: None,
        errors: Vec::new(),
        searched: false,
        results: Vec::new(),
        shown: SHOWN,
    };
    if readable.len() > 1 {
        page.services = readable
            .iter()
            .map(|code| {
                let name = app.services.get(code).map_or_else(|| code.to_string(), |d| d.service.name.clone());
                (code.to_string(), name, code.as_str() == service)
            })
            .collect();
    }
    // The page without a search is just the form.
    let Some(q) = q else { return render(&page, StatusCode::OK) };

    let query = SearchQuery::parse(&q).map_err(|e| e.within("q"));
    let service = if service.is_empty() { Ok(None) } else { Code::parse(&service).map(Some).map_err(|e| e.within("service")) };
    let outcome = match (query, service) {
        (Ok(query), Ok(service)) => app.search(&actor, &query, service.as_ref(), SHOWN).await,
        (query, service) => Err(AppError::Invalid(casework_domain::Invalid {
            errors: [query.err(), service.err()].into_iter().flatten().collect(),
        })),
    };
    match outcome {
        Ok(hits) => {
            page.searched = true;
            page.results = hits
                .into_iter()
                .map(|hit| ResultRow {
                    case: hit.case.to_string(),
                    reference: hit.reference,
                    person_name: hit.person_name,
                    service: app.services.get(&hit.service).map_or_else(|| hit.service.to_string(), |d| d.service.name.clone()),
                    kind: kind_label(hit.kind),
                    snippet: hit.snippet,
                })
                .collect();
            render(&page, StatusCode::OK)
        }
        Err(AppError::Invalid(invalid)) => {
            for error in invalid.errors {
                let message = sentence(&error.message);
                if error.field == "service" {
                    page.service_error = Some(message.clone());
                } else {
                    page.q_error = Some(message.clone());
                }
                page.errors.push((if error.field == "service" { "service" } else { "q" }.to_owned(), message));
            }
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(error) => problem(error, header),
    }
}
