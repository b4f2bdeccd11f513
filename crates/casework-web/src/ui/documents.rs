//! The case's Documents section: the list (redacted copies under their original, scans under
//! their paper document), downloads, and the forms to upload a file, a redacted copy or a
//! scan, or record a paper document.

use super::case_actions::{Fields, PageForm, Posted, case_id, finish};
use super::cases::{Section, day};
use super::*;
use crate::upload::read_upload;
use axum::extract::{DefaultBodyLimit, Multipart};
use casework_domain::document::{Classification, Document, DocumentInput, PaperInput, type_name};
use casework_domain::ids::DocumentId;

pub(super) fn routes() -> axum::Router<App> {
    // Uploads read their own body up to the configured file size, not a byte past it.
    let uploads = axum::Router::new()
        .route("/cases/{id}/documents", post(upload))
        .route("/cases/{id}/documents/{document}/redacted-copies", post(upload_copy))
        .route("/cases/{id}/documents/{document}/scans", post(upload_scan))
        .layer(DefaultBodyLimit::disable());
    axum::Router::new()
        .merge(uploads)
        .route("/cases/{id}/documents/{document}/content", get(download))
        .route("/cases/{id}/paper-documents", post(record_paper))
}

/// Value, label and hint of each classification, as the forms offer them.
pub(super) const CLASSIFICATIONS: [(&str, &str, &str); 3] = [
    ("normal", "Normal", "Everyone who may read the case may see it"),
    ("restricted", "Restricted", "Only people allowed to see restricted documents will know it exists"),
    ("do-not-disclose", "Do not disclose", "Case readers see it, but it is never shared or disclosed"),
];

/// A document as the list shows it.
pub(super) struct DocumentRow {
    pub id: String,
    pub title: String,
    pub classification: &'static str,
    /// The classification's form value, for the forms that copy it.
    pub classification_value: &'static str,
    pub tag_class: &'static str,
    /// "Redacted copy" or "Scan" for a document made from another; empty otherwise.
    pub copy_tag: &'static str,
    pub third_party: bool,
    /// "PDF, 1.2 MB" for a file; empty for paper.
    pub file: String,
    /// Where a paper document is kept, and since when.
    pub paper: String,
    pub added: String,
    pub is_file: bool,
    /// A paper document still kept and not yet scanned.
    pub may_scan: bool,
    pub copies: Vec<DocumentRow>,
}

fn size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{:.1} KB", bytes as f64 / 1_000.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_000_000.0),
    }
}

fn row(document: &Document, names: &std::collections::BTreeMap<casework_domain::ids::UserId, String>) -> DocumentRow {
    let (classification, tag_class) = match document.classification {
        Classification::Normal => ("", ""),
        Classification::Restricted => ("Restricted", "govuk-tag--purple"),
        Classification::DoNotDisclose => ("Do not disclose", "govuk-tag--red"),
    };
    DocumentRow {
        id: document.id.to_string(),
        title: document.title.to_string(),
        classification,
        classification_value: document.classification.name(),
        tag_class,
        copy_tag: match (document.redacts, document.scans) {
            (Some(_), _) => "Redacted copy",
            (None, Some(_)) => "Scan",
            (None, None) => "",
        },
        third_party: document.third_party,
        file: document
            .file
            .as_ref()
            .map(|f| format!("{}, {}", type_name(&f.media_type).unwrap_or("File"), size(f.size)))
            .unwrap_or_default(),
        paper: document
            .paper
            .as_ref()
            .map(|p| match &p.destroyed {
                None => format!("Paper, kept at {}; received {}", p.location, day(p.received_on)),
                Some(gone) => format!(
                    "Paper original destroyed {} ({}); it was kept at {} and received {}",
                    day(gone.destroyed_on),
                    gone.method,
                    p.location,
                    day(p.received_on)
                ),
            })
            .unwrap_or_default(),
        added: format!(
            "Added {} by {}",
            uk_time(document.added_at),
            names.get(&document.added_by).map_or("someone", String::as_str)
        ),
        is_file: document.file.is_some(),
        may_scan: false,
        copies: Vec::new(),
    }
}

/// The case's documents, each original with its redacted copies or its scan under it.
pub(super) async fn rows(app: &App, actor: &Actor, case: CaseId) -> Result<Vec<DocumentRow>, AppError> {
    let documents = app.case_documents(actor, case).await?;
    let names = app.display_names(&documents.iter().map(|d| d.added_by).collect::<Vec<_>>()).await?;
    let shown = |id: DocumentId| documents.iter().any(|d| d.id == id);
    let made_from = |d: &Document| d.redacts.or(d.scans).filter(|original| shown(*original));
    let mut rows: Vec<DocumentRow> = documents
        .iter()
        .filter(|d| made_from(d).is_none())
        .map(|d| {
            let mut row = row(d, &names);
            let scanned = documents.iter().any(|other| other.scans == Some(d.id));
            row.may_scan = d.paper.as_ref().is_some_and(|p| p.destroyed.is_none()) && !scanned;
            row
        })
        .collect();
    for copy in &documents {
        let Some(original) = made_from(copy) else { continue };
        if let Some(parent) = rows.iter_mut().find(|r| r.id == original.to_string()) {
            parent.copies.push(row(copy, &names));
        }
    }
    Ok(rows)
}

const UPLOAD: PageForm = PageForm {
    section: Section::Documents,
    prefix: "document",
    fields: &["file", "title", "classification"],
    done: "document",
    anchor: "documents",
};

const COPY: PageForm = PageForm {
    section: Section::Documents,
    prefix: "copy",
    fields: &["file", "title", "classification"],
    done: "redacted-copy",
    anchor: "documents",
};

const SCAN: PageForm = PageForm {
    section: Section::Documents,
    prefix: "scan",
    fields: &["file", "title", "classification"],
    done: "scan",
    anchor: "documents",
};

const PAPER: PageForm = PageForm {
    section: Section::Documents,
    prefix: "paper",
    fields: &["title", "location", "received_on", "classification"],
    done: "paper-document",
    anchor: "documents",
};

/// Reads an upload form and hands it to `make`; a form that cannot be read at all is shown
/// again with the problem at the file field.
async fn handle_upload(
    app: &App,
    session: &Session,
    id: &str,
    form: &PageForm,
    multipart: Multipart,
    make: impl AsyncFnOnce(CaseId, &DocumentInput, Option<casework_app::documents::NewFile>) -> Result<Document, AppError>,
) -> Response {
    let limit = match app.document_storage() {
        Ok(storage) => storage.max_size,
        Err(error) => return problem(error, session.header.clone()),
    };
    let read = read_upload(multipart, limit).await;
    let result = match (&read, case_id(id)) {
        (_, Err(error)) => Err(error),
        (Err(error), _) => Err(casework_domain::FieldError::new("file", error.to_string()).into()),
        (Ok(upload), Ok(case)) => make(case, &upload.input, upload.file.clone()).await,
    };
    let values = read.map(|u| u.values.into_iter().collect()).unwrap_or_default();
    finish(app, session, id, form, Posted(values), result).await
}

async fn upload(State(app): State<App>, session: Session, Path(id): Path<String>, multipart: Multipart) -> Response {
    let actor = session.actor.clone();
    handle_upload(&app, &session, &id, &UPLOAD, multipart, async |case, input, file| {
        app.add_document(&actor, case, input, file).await
    })
    .await
}

async fn upload_copy(
    State(app): State<App>,
    session: Session,
    Path((id, document)): Path<(String, String)>,
    multipart: Multipart,
) -> Response {
    let actor = session.actor.clone();
    handle_upload(&app, &session, &id, &COPY, multipart, async |case, input, file| {
        let original: DocumentId = document.parse().map_err(|_| AppError::NotFound("document"))?;
        app.add_redacted_copy(&actor, case, original, input, file).await
    })
    .await
}

async fn upload_scan(
    State(app): State<App>,
    session: Session,
    Path((id, document)): Path<(String, String)>,
    multipart: Multipart,
) -> Response {
    let actor = session.actor.clone();
    handle_upload(&app, &session, &id, &SCAN, multipart, async |case, input, file| {
        let paper: DocumentId = document.parse().map_err(|_| AppError::NotFound("document"))?;
        app.add_scan(&actor, case, paper, input, file).await
    })
    .await
}

async fn record_paper(State(app): State<App>, session: Session, Path(id): Path<String>, fields: Fields) -> Response {
    let posted = Posted::of(fields);
    let result = async {
        let case = case_id(&id)?;
        let input = PaperInput {
            document: DocumentInput {
                title: posted.get("title").to_owned(),
                classification: posted.get("classification").to_owned(),
                third_party: posted.get("third_party") == "yes",
            },
            location: posted.get("location").to_owned(),
            received_on: posted.get("received_on").to_owned(),
        };
        app.record_paper_document(&session.actor, case, &input).await
    }
    .await;
    finish(&app, &session, &id, &PAPER, posted, result).await
}

async fn download(State(app): State<App>, session: Session, Path((id, document)): Path<(String, String)>) -> Response {
    let ids =
        case_id(&id).and_then(|case| Ok((case, document.parse::<DocumentId>().map_err(|_| AppError::NotFound("document"))?)));
    let result = match ids {
        Ok((case, document)) => app.document_content(&session.actor, case, document).await,
        Err(error) => Err(error),
    };
    match result {
        Ok((document, content)) => crate::api::documents::attachment(&document, content),
        Err(error) => problem(error, session.header.clone()),
    }
}
