//! Reading a document upload (`multipart/form-data`): the file, read only up to one byte past
//! the size limit so an oversized upload is refused without reading the rest, and the few
//! short text fields beside it.

use axum::extract::Multipart;
use bytes::BytesMut;
use casework_app::documents::NewFile;
use casework_domain::document::DocumentInput;

/// The most any text field of an upload form may hold.
const TEXT_LIMIT: usize = 16 * 1024;
/// The most parts an upload form may have.
const PART_LIMIT: usize = 16;

/// An upload form as read.
#[derive(Debug, Default)]
pub struct UploadForm {
    pub input: DocumentInput,
    pub file: Option<NewFile>,
    /// The file was larger than the limit; `file` then holds only its first `limit + 1` bytes.
    pub too_large: bool,
    /// The text fields as sent, to show a form again with what was typed.
    pub values: Vec<(String, String)>,
}

/// Why an upload could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the upload is not a valid multipart form: {0}")]
    Malformed(String),
    #[error("the upload has a field that is too long or too many fields")]
    TooMuch,
}

/// Reads an upload form whose file may be at most `limit` bytes. The form token field, if
/// any, is skipped (the form guard has checked it); unknown fields are refused.
pub async fn read_upload(mut multipart: Multipart, limit: u64) -> Result<UploadForm, UploadError> {
    let mut form = UploadForm::default();
    let mut parts = 0;
    let keep = usize::try_from(limit).unwrap_or(usize::MAX).saturating_add(1);
    while let Some(mut field) = multipart.next_field().await.map_err(|e| UploadError::Malformed(e.body_text()))? {
        parts += 1;
        if parts > PART_LIMIT {
            return Err(UploadError::TooMuch);
        }
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let mut content = BytesMut::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| UploadError::Malformed(e.body_text()))? {
                let room = keep - content.len();
                content.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if content.len() >= keep {
                    form.too_large = true;
                    break;
                }
            }
            // A form sent without choosing a file has an empty part with no name.
            if !(file_name.is_empty() && content.is_empty()) {
                form.file = Some(NewFile { file_name, content: content.freeze() });
            }
            if form.too_large {
                // Stop here: nothing past the limit is read.
                return Ok(form);
            }
            continue;
        }
        let mut value = BytesMut::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| UploadError::Malformed(e.body_text()))? {
            if value.len() + chunk.len() > TEXT_LIMIT {
                return Err(UploadError::TooMuch);
            }
            value.extend_from_slice(&chunk);
        }
        let value = String::from_utf8_lossy(&value).trim().to_owned();
        match name.as_str() {
            "csrf" => continue,
            "title" => form.input.title = value.clone(),
            "classification" => form.input.classification = value.clone(),
            "third_party" => form.input.third_party = matches!(value.as_str(), "true" | "yes" | "on" | "1"),
            other => return Err(UploadError::Malformed(format!("unknown field '{other}'"))),
        }
        form.values.push((name, value));
    }
    Ok(form)
}
