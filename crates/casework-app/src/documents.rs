//! Documents on a case. A file is checked (size, type read from its content), written whole
//! to the document storage under a generated name, and only then recorded, in one
//! transaction with its history event; if that transaction fails, the file is removed, and
//! the orphan sweep removes any a crash left behind. A file is served only after its size
//! and SHA-256 match its record and the download is in the access log.

use crate::{App, AppError, Result};
use bytes::Bytes;
use casework_domain::FieldError;
use casework_domain::access::{Actor, Permission};
use casework_domain::document::{self, Document, DocumentInput, PaperInput, StoredFile, Upload, check_upload, clean_file_name};
use casework_domain::ids::{CaseId, DocumentId};
use casework_store::{Connection, documents, events};
use futures_util::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The largest file accepted when nothing else is configured: 20 MiB.
pub const DEFAULT_MAX_SIZE: u64 = 20 * 1024 * 1024;

/// How long a stored file may go without a record before the sweep removes it: longer than
/// any upload can take between writing the file and committing its record.
const ORPHAN_AGE: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

/// Where document files are kept: a local folder, or an S3-compatible bucket.
#[derive(Debug, Clone)]
pub struct DocumentStorage {
    objects: Arc<dyn ObjectStore>,
    /// Where it is, for the log (never with credentials).
    pub place: String,
    /// The largest file accepted, in bytes.
    pub max_size: u64,
    /// The folder, for local storage: where a crash can leave a half-written temporary file.
    folder: Option<std::path::PathBuf>,
}

impl DocumentStorage {
    /// A folder on local disk (created if missing). Each file is written to a temporary file,
    /// synced to disk and renamed into place, so a file is either whole or absent, and whole
    /// on disk before its record is committed.
    pub fn local(dir: &std::path::Path) -> Result<DocumentStorage> {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::Internal(format!("cannot create the document folder {}: {e}", dir.display())))?;
        let objects = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| AppError::Internal(format!("cannot use the document folder {}: {e}", dir.display())))?
            .with_fsync(true);
        Ok(DocumentStorage {
            objects: Arc::new(objects),
            place: dir.display().to_string(),
            max_size: DEFAULT_MAX_SIZE,
            folder: Some(dir.to_owned()),
        })
    }

    /// An S3-compatible bucket, `s3://bucket/prefix`, configured from the standard AWS
    /// environment variables (credentials, region, `AWS_ENDPOINT` for other than AWS,
    /// `AWS_ALLOW_HTTP` for a plain-HTTP endpoint on a private network).
    pub fn s3(url: &str) -> Result<DocumentStorage> {
        let rest = url.strip_prefix("s3://").ok_or_else(|| AppError::Internal(format!("not an s3:// address: {url}")))?;
        let prefix = rest.split_once('/').map(|(_, prefix)| prefix.trim_matches('/')).unwrap_or_default().to_owned();
        let bucket = object_store::aws::AmazonS3Builder::from_env()
            .with_url(url)
            .build()
            .map_err(|e| AppError::Internal(format!("cannot use the document bucket {url}: {e}")))?;
        let objects: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(bucket)
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(bucket, prefix.as_str()))
        };
        Ok(DocumentStorage { objects, place: url.to_owned(), max_size: DEFAULT_MAX_SIZE, folder: None })
    }

    /// `s3://…` for a bucket, anything else a local folder.
    pub fn open(setting: &str) -> Result<DocumentStorage> {
        if setting.starts_with("s3://") { Self::s3(setting) } else { Self::local(std::path::Path::new(setting)) }
    }

    pub fn with_max_size(mut self, bytes: u64) -> DocumentStorage {
        self.max_size = bytes;
        self
    }

    async fn put(&self, object: &str, content: Bytes) -> Result<()> {
        self.objects
            .put(&ObjectPath::from(object), content.into())
            .await
            .map(|_| ())
            .map_err(|e| AppError::Internal(format!("could not store document file {object}: {e}")))
    }

    async fn get(&self, object: &str) -> Result<Bytes> {
        let read = async { self.objects.get(&ObjectPath::from(object)).await?.bytes().await };
        read.await.map_err(|e| AppError::Internal(format!("could not read document file {object}: {e}")))
    }

    /// A document's file, checked against its record (size and SHA-256): none for a paper
    /// document, an error for a file that is missing or does not match.
    pub(crate) async fn checked_content(&self, document: &Document) -> Result<Option<Bytes>> {
        let Some(file) = &document.file else { return Ok(None) };
        let content = self.get(&file.object).await?;
        if content.len() as u64 != file.size || sha256_hex(&content) != file.sha256 {
            return Err(AppError::Internal(format!("the stored file of document {} does not match its record", document.id)));
        }
        Ok(Some(content))
    }

    pub(crate) async fn remove(&self, object: &str) {
        if let Err(error) = self.objects.delete(&ObjectPath::from(object)).await {
            tracing::warn!(%error, object, "could not remove a document file without a record; the sweep will");
        }
    }
}

/// A file as it was uploaded: the name the client gave (kept only as data) and its content.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub file_name: String,
    pub content: Bytes,
}

/// The media type of a file, read from its content: its signature, or plain text when it is
/// all UTF-8 without control characters. None for anything else.
pub fn detect_type(content: &[u8]) -> Option<&'static str> {
    if let Some(kind) = infer::get(content) {
        return Some(kind.mime_type());
    }
    let text = std::str::from_utf8(content).ok()?;
    text.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\u{c}')).then_some("text/plain")
}

fn sha256_hex(content: &[u8]) -> String {
    Sha256::digest(content).iter().map(|b| format!("{b:02x}")).collect()
}

/// The document a new upload is made from, if any.
#[derive(Debug, Clone, Copy)]
enum MadeFrom {
    RedactionOf(DocumentId),
    ScanOf(DocumentId),
}

impl App {
    /// Where document files are kept.
    pub fn with_documents(mut self, storage: DocumentStorage) -> App {
        self.documents = Some(Arc::new(storage));
        self
    }

    pub fn document_storage(&self) -> Result<&DocumentStorage> {
        self.documents.as_deref().ok_or_else(|| AppError::Internal("no document storage is configured".into()))
    }

    /// Uploads a document to a case.
    pub async fn add_document(
        &self,
        actor: &Actor,
        case: CaseId,
        input: &DocumentInput,
        file: Option<NewFile>,
    ) -> Result<Document> {
        self.store_upload(actor, case, None, input, file).await
    }

    /// Uploads a redacted copy of a document; the original stays as it was.
    pub async fn add_redacted_copy(
        &self,
        actor: &Actor,
        case: CaseId,
        original: DocumentId,
        input: &DocumentInput,
        file: Option<NewFile>,
    ) -> Result<Document> {
        self.store_upload(actor, case, Some(MadeFrom::RedactionOf(original)), input, file).await
    }

    /// Uploads the scan of a paper document; from then the paper original counts down to its
    /// destruction under the service's rule for scanned paper.
    pub async fn add_scan(
        &self,
        actor: &Actor,
        case: CaseId,
        paper: DocumentId,
        input: &DocumentInput,
        file: Option<NewFile>,
    ) -> Result<Document> {
        self.store_upload(actor, case, Some(MadeFrom::ScanOf(paper)), input, file).await
    }

    /// The case the actor may add documents to, and the document a new one is made from.
    async fn document_target(
        &self,
        conn: &mut Connection,
        actor: &Actor,
        case: CaseId,
        made_from: Option<MadeFrom>,
        classification: &str,
    ) -> Result<()> {
        let found = self.case_for(conn, actor, case, Permission::DocumentAdd, "add documents to this case").await?;
        if !found.is_open() {
            return Err(FieldError::new("", "the case is closed; reopen it to add documents").into());
        }
        // Filing a document one could not then see would hide it from its own author.
        if classification == "restricted" && !actor.may(Permission::DocumentRestricted, found.scope()) {
            return Err(FieldError::new(
                "classification",
                "only those who may read restricted documents may file one as restricted: choose another classification or ask a manager",
            )
            .into());
        }
        let restricted = actor.may(Permission::DocumentRestricted, found.scope());
        match made_from {
            None => {}
            Some(MadeFrom::RedactionOf(original)) => match documents::get(conn, case, original, restricted).await? {
                Some(document) if document.file.is_some() && document.redacts.is_none() => {}
                _ => return Err(AppError::NotFound("document")),
            },
            Some(MadeFrom::ScanOf(paper)) => {
                let Some(Document { paper: Some(original), .. }) = documents::get(conn, case, paper, restricted).await? else {
                    return Err(AppError::NotFound("document"));
                };
                if original.destroyed.is_some() {
                    return Err(FieldError::new("file", "this paper original has been destroyed").into());
                }
                if documents::scan_of(conn, paper).await?.is_some() {
                    return Err(FieldError::new("file", "this paper document has already been scanned").into());
                }
            }
        }
        Ok(())
    }

    async fn store_upload(
        &self,
        actor: &Actor,
        case: CaseId,
        made_from: Option<MadeFrom>,
        input: &DocumentInput,
        file: Option<NewFile>,
    ) -> Result<Document> {
        let storage = self.document_storage()?;
        {
            let mut conn = self.store.read().await?;
            self.document_target(&mut conn, actor, case, made_from, &input.classification).await?;
        }
        let max_mib = storage.max_size / (1024 * 1024);
        let detected = file.as_ref().and_then(|f| detect_type(&f.content));
        let file_problem = match &file {
            None => Some(FieldError::new("file", "choose a file to upload")),
            Some(f) if f.content.is_empty() => Some(FieldError::new("file", "the file is empty")),
            Some(f) if f.content.len() as u64 > storage.max_size => {
                Some(FieldError::new("file", format!("the file must be {max_mib} MiB or smaller")))
            }
            Some(_) if detected.and_then(document::type_name).is_none() => Some(FieldError::new(
                "file",
                "this kind of file cannot be kept: upload a PDF, a PNG, JPEG or TIFF image, a Word or OpenDocument document, or plain text",
            )),
            Some(_) => None,
        };
        let (title, classification) = check_upload(input, file_problem)?;
        let (Some(file), Some(media_type)) = (file, detected) else {
            return Err(FieldError::new("file", "choose a file to upload").into());
        };
        let id = DocumentId::new();
        let object = id.to_string();
        let stored = StoredFile {
            object: object.clone(),
            media_type: media_type.to_owned(),
            size: file.content.len() as u64,
            sha256: sha256_hex(&file.content),
            file_name: clean_file_name(&file.file_name)?,
        };
        let (redacts, scans) = match made_from {
            Some(MadeFrom::RedactionOf(original)) => (Some(original), None),
            Some(MadeFrom::ScanOf(paper)) => (None, Some(paper)),
            None => (None, None),
        };
        let upload = Upload { id, title, classification, third_party: input.third_party, redacts, scans, file: stored };
        storage.put(&object, file.content).await?;
        match self.record_upload(actor, case, made_from, upload).await {
            Ok(document) => Ok(document),
            Err(error) => {
                storage.remove(&object).await;
                Err(error)
            }
        }
    }

    async fn record_upload(&self, actor: &Actor, case: CaseId, made_from: Option<MadeFrom>, upload: Upload) -> Result<Document> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let classification = if upload.classification == document::Classification::Restricted { "restricted" } else { "" };
        self.document_target(&mut tx, actor, case, made_from, classification).await?;
        let (document, change) = Document::upload(case, upload, actor.user, now);
        documents::insert(&mut tx, &document).await?;
        self.record(&mut tx, actor, Some(case), [change], now).await?;
        tx.commit().await?;
        Ok(document)
    }

    /// Records a paper document and where it is kept.
    pub async fn record_paper_document(&self, actor: &Actor, case: CaseId, input: &PaperInput) -> Result<Document> {
        let now = self.now();
        let today = casework_domain::time::day_of(now);
        let mut tx = self.store.begin().await?;
        self.document_target(&mut tx, actor, case, None, &input.document.classification).await?;
        let (document, change) = Document::paper(case, input, actor.user, now, today)?;
        documents::insert(&mut tx, &document).await?;
        self.record(&mut tx, actor, Some(case), [change], now).await?;
        tx.commit().await?;
        Ok(document)
    }

    /// A case's documents the actor may see, oldest first. Reading the list is logged.
    pub async fn case_documents(&self, actor: &Actor, case: CaseId) -> Result<Vec<Document>> {
        let found = self.log_read(actor, case, Permission::CaseRead, "documents").await?;
        let mut conn = self.store.read().await?;
        Ok(documents::for_case(&mut conn, case, actor.may(Permission::DocumentRestricted, found.scope())).await?)
    }

    /// The documents of a case that may leave the service, as far as the actor may see them:
    /// no do-not-disclose or third-party material, and redacted copies in place of their
    /// originals. For sharing and subject-access exports.
    pub async fn disclosable_documents(&self, actor: &Actor, case: CaseId) -> Result<Vec<Document>> {
        let all = self.case_documents(actor, case).await?;
        Ok(document::disclosable(&all).into_iter().cloned().collect())
    }

    /// A document the actor may see, with the access logged as `what` in the same transaction.
    async fn logged_document(&self, actor: &Actor, case: CaseId, id: DocumentId, what: &str) -> Result<Document> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let found = self.case_for(&mut tx, actor, case, Permission::CaseRead, "read this case's documents").await?;
        let restricted = actor.may(Permission::DocumentRestricted, found.scope());
        let document = documents::get(&mut tx, case, id, restricted).await?.ok_or(AppError::NotFound("document"))?;
        events::log_access(&mut tx, actor.user, case, what, now).await?;
        tx.commit().await?;
        Ok(document)
    }

    /// A document's record (not its content). Logged.
    pub async fn case_document(&self, actor: &Actor, case: CaseId, id: DocumentId) -> Result<Document> {
        self.logged_document(actor, case, id, &format!("document details {id}")).await
    }

    /// A document's content, checked against its record (size and SHA-256) and logged as a
    /// download before it is returned. A file that is missing or does not match is an
    /// error: nothing of it is returned.
    pub async fn document_content(&self, actor: &Actor, case: CaseId, id: DocumentId) -> Result<(Document, Bytes)> {
        let storage = self.document_storage()?;
        let document = {
            let mut conn = self.store.read().await?;
            let found = self.case_for(&mut conn, actor, case, Permission::CaseRead, "read this case's documents").await?;
            let restricted = actor.may(Permission::DocumentRestricted, found.scope());
            documents::get(&mut conn, case, id, restricted).await?.ok_or(AppError::NotFound("document"))?
        };
        let Some(content) = storage.checked_content(&document).await? else {
            return Err(AppError::NotFound("document file"));
        };
        self.logged_document(actor, case, id, &format!("document {id}")).await?;
        Ok((document, content))
    }

    /// Removes stored files that have had no record for a day: what a crash between writing
    /// a file and committing its record leaves behind. Returns how many were removed.
    pub async fn sweep_orphan_documents(&self) -> Result<usize> {
        let storage = self.document_storage()?;
        let cutoff = casework_domain::time::to_micros(self.now() - ORPHAN_AGE);
        let mut listed = storage.objects.list(None);
        let mut removed = 0;
        while let Some(meta) = listed.next().await {
            let meta = meta.map_err(|e| AppError::Internal(format!("could not list document files: {e}")))?;
            if meta.last_modified.timestamp_micros() > cutoff {
                continue;
            }
            let object = meta.location.to_string();
            let mut conn = self.store.read().await?;
            if !documents::has_object(&mut conn, &object).await? {
                storage.remove(&object).await;
                removed += 1;
            }
        }
        if let Some(folder) = &storage.folder {
            removed += remove_stale_temporary_files(folder, cutoff);
        }
        Ok(removed)
    }
}

/// Removes the temporary files (`<name>#<digits>`) that a crash during a local write left,
/// once they are older than `cutoff`: the object store does not list them.
fn remove_stale_temporary_files(folder: &std::path::Path, cutoff: i64) -> usize {
    let Ok(entries) = std::fs::read_dir(folder) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let temporary = name.split_once('#').is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        let modified = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| jiff::Timestamp::try_from(t).ok())
            .map(casework_domain::time::to_micros);
        if temporary && modified.is_some_and(|m| m <= cutoff) && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}
