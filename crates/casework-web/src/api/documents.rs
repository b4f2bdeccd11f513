//! Documents on a case: uploads, redacted copies, paper documents, and downloads that are
//! checked against their record and logged before a byte is sent.

use super::path_id;
use crate::extract::{CurrentActor, JsonBody};
use crate::problem::{ApiError, ApiResult};
use crate::upload::{UploadError, read_upload};
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use casework_app::{App, AppError};
use casework_domain::document::{Document, DocumentInput, PaperInput};
use casework_domain::ids::{CaseId, DocumentId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentOut {
    pub id: String,
    pub case: String,
    pub title: String,
    /// normal, restricted or do-not-disclose.
    pub classification: String,
    /// Supplied by someone else about the person.
    pub third_party: bool,
    /// The document this is a redacted copy of.
    pub redacts: Option<String>,
    /// The paper document this file is the scan of.
    pub scans: Option<String>,
    /// file or paper.
    pub kind: String,
    /// The media type read from the content when it was uploaded.
    pub media_type: Option<String>,
    pub size: Option<u64>,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: Option<String>,
    /// The name it was uploaded under (data only; downloads are named from the title).
    pub file_name: Option<String>,
    /// Where a paper document is kept.
    pub location: Option<String>,
    pub received_on: Option<String>,
    /// When a paper original was destroyed after its scan was kept long enough, and how.
    pub destroyed_on: Option<String>,
    pub destruction_method: Option<String>,
    pub added_by: String,
    pub added_at: String,
}

impl From<Document> for DocumentOut {
    fn from(d: Document) -> Self {
        DocumentOut {
            id: d.id.to_string(),
            case: d.case.to_string(),
            title: d.title.to_string(),
            classification: d.classification.name().to_owned(),
            third_party: d.third_party,
            redacts: d.redacts.map(|r| r.to_string()),
            scans: d.scans.map(|p| p.to_string()),
            kind: if d.file.is_some() { "file" } else { "paper" }.to_owned(),
            media_type: d.file.as_ref().map(|f| f.media_type.clone()),
            size: d.file.as_ref().map(|f| f.size),
            sha256: d.file.as_ref().map(|f| f.sha256.clone()),
            file_name: d.file.as_ref().map(|f| f.file_name.to_string()),
            location: d.paper.as_ref().map(|p| p.location.to_string()),
            received_on: d.paper.as_ref().map(|p| p.received_on.to_string()),
            destroyed_on: d.paper.as_ref().and_then(|p| p.destroyed.as_ref()).map(|x| x.destroyed_on.to_string()),
            destruction_method: d.paper.as_ref().and_then(|p| p.destroyed.as_ref()).map(|x| x.method.to_string()),
            added_by: d.added_by.to_string(),
            added_at: d.added_at.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentsOut {
    pub items: Vec<DocumentOut>,
}

/// The multipart form of an upload (for the OpenAPI document).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadIn {
    /// The file. Its type is read from its content; PDF, PNG, JPEG, TIFF, Word, OpenDocument
    /// text and plain UTF-8 text are accepted, up to the configured size (20 MiB by default).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    pub title: String,
    /// normal (the default), restricted or do-not-disclose.
    pub classification: Option<String>,
    /// true when the material was supplied by someone else about the person.
    pub third_party: Option<bool>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaperIn {
    pub title: String,
    /// normal (the default), restricted or do-not-disclose.
    pub classification: Option<String>,
    #[serde(default)]
    pub third_party: bool,
    /// Where it is kept, e.g. "Leeds office, cabinet 3".
    pub location: String,
    /// The day it was received (YYYY-MM-DD).
    pub received_on: String,
}

/// The case's documents the caller may see, oldest first (restricted ones only for holders
/// of document.restricted). Reading the list is logged.
#[utoipa::path(get, path = "/api/v1/cases/{id}/documents", tag = "documents", params(("id" = String, Path)),
    responses((status = 200, body = DocumentsOut), (status = 404, body = crate::problem::Problem)))]
pub async fn list_documents(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<DocumentsOut>> {
    let case: CaseId = path_id(&id, "case")?;
    let items = app.case_documents(&actor, case).await?;
    Ok(Json(DocumentsOut { items: items.into_iter().map(Into::into).collect() }))
}

async fn upload(
    app: &App,
    multipart: Multipart,
    make: impl AsyncFnOnce(&DocumentInput, Option<casework_app::documents::NewFile>) -> Result<Document, AppError>,
) -> ApiResult<(StatusCode, Json<DocumentOut>)> {
    let limit = app.document_storage()?.max_size;
    let form = read_upload(multipart, limit).await.map_err(|error| match error {
        UploadError::Malformed(detail) => ApiError::new(StatusCode::BAD_REQUEST, "Malformed upload", detail),
        UploadError::TooMuch => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request too large", error.to_string()),
    })?;
    match make(&form.input, form.file).await {
        Ok(document) => Ok((StatusCode::CREATED, Json(document.into()))),
        Err(AppError::Invalid(_)) if form.too_large => Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "File too large",
            format!("the file must be {} MiB or smaller", limit / (1024 * 1024)),
        )
        .with_field("file", format!("the file must be {} MiB or smaller", limit / (1024 * 1024)))),
        Err(error) => Err(error.into()),
    }
}

/// Uploads a document (multipart/form-data: file, title, classification, third_party). The
/// file is stored under a generated name; its type is read from its content.
#[utoipa::path(post, path = "/api/v1/cases/{id}/documents", tag = "documents", params(("id" = String, Path)),
    request_body(content = UploadIn, content_type = "multipart/form-data"),
    responses((status = 201, body = DocumentOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 413, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn upload_document(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<DocumentOut>)> {
    let case: CaseId = path_id(&id, "case")?;
    upload(&app, multipart, async |input, file| app.add_document(&actor, case, input, file).await).await
}

/// Uploads a redacted copy of a document (same form as an upload). The original is kept
/// unchanged; sharing and exports use the copy.
#[utoipa::path(post, path = "/api/v1/cases/{id}/documents/{document}/redacted-copies", tag = "documents",
    params(("id" = String, Path), ("document" = String, Path)),
    request_body(content = UploadIn, content_type = "multipart/form-data"),
    responses((status = 201, body = DocumentOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 413, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn add_redacted_copy(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((id, document)): Path<(String, String)>,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<DocumentOut>)> {
    let case: CaseId = path_id(&id, "case")?;
    let original: DocumentId = path_id(&document, "document")?;
    upload(&app, multipart, async |input, file| app.add_redacted_copy(&actor, case, original, input, file).await).await
}

/// Uploads the scan of a paper document (same form as an upload). From then the paper
/// original is listed for destruction once the service's period for scanned paper has passed.
#[utoipa::path(post, path = "/api/v1/cases/{id}/documents/{document}/scans", tag = "documents",
    params(("id" = String, Path), ("document" = String, Path)),
    request_body(content = UploadIn, content_type = "multipart/form-data"),
    responses((status = 201, body = DocumentOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 413, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn add_scan(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((id, document)): Path<(String, String)>,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<DocumentOut>)> {
    let case: CaseId = path_id(&id, "case")?;
    let paper: DocumentId = path_id(&document, "document")?;
    upload(&app, multipart, async |input, file| app.add_scan(&actor, case, paper, input, file).await).await
}

/// Records a paper document and where it is kept.
#[utoipa::path(post, path = "/api/v1/cases/{id}/paper-documents", tag = "documents", params(("id" = String, Path)),
    request_body = PaperIn,
    responses((status = 201, body = DocumentOut), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn record_paper_document(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PaperIn>,
) -> ApiResult<(StatusCode, Json<DocumentOut>)> {
    let case: CaseId = path_id(&id, "case")?;
    let input = PaperInput {
        document: DocumentInput {
            title: body.title,
            classification: body.classification.unwrap_or_default(),
            third_party: body.third_party,
        },
        location: body.location,
        received_on: body.received_on,
    };
    let document = app.record_paper_document(&actor, case, &input).await?;
    Ok((StatusCode::CREATED, Json(document.into())))
}

/// A document's record (not its content). Logged.
#[utoipa::path(get, path = "/api/v1/cases/{id}/documents/{document}", tag = "documents",
    params(("id" = String, Path), ("document" = String, Path)),
    responses((status = 200, body = DocumentOut), (status = 404, body = crate::problem::Problem)))]
pub async fn get_document(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((id, document)): Path<(String, String)>,
) -> ApiResult<Json<DocumentOut>> {
    let case: CaseId = path_id(&id, "case")?;
    let document: DocumentId = path_id(&document, "document")?;
    Ok(Json(app.case_document(&actor, case, document).await?.into()))
}

/// A document's content, as an attachment with its stored type. It is checked against its
/// record and the download logged before anything is sent; a file that is missing or does
/// not match answers 500 with nothing of it.
#[utoipa::path(get, path = "/api/v1/cases/{id}/documents/{document}/content", tag = "documents",
    params(("id" = String, Path), ("document" = String, Path)),
    responses((status = 200, description = "The file, as an attachment", content_type = "application/octet-stream"),
        (status = 404, body = crate::problem::Problem), (status = 500, body = crate::problem::Problem)))]
pub async fn download_document(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path((id, document)): Path<(String, String)>,
) -> ApiResult<Response> {
    let case: CaseId = path_id(&id, "case")?;
    let document: DocumentId = path_id(&document, "document")?;
    let (document, content) = app.document_content(&actor, case, document).await?;
    Ok(attachment(&document, content))
}

/// A checked file as a download: its stored type, a safe name, never sniffed or cached.
pub fn attachment(document: &Document, content: bytes::Bytes) -> Response {
    let media_type = document.file.as_ref().map_or("application/octet-stream", |f| f.media_type.as_str());
    let disposition = format!("attachment; filename=\"{}\"", document.download_name());
    let mut response = content.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(media_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
