//! Documents on a case: uploaded files, redacted copies of them, and paper documents that
//! are only recorded with where they are kept. A document is never changed: a redacted copy
//! is a document of its own, linked to the original, which stays as it was; so is the scan
//! of a paper document, and the paper original's destruction, once its keeping period after
//! the scan has passed, is a fact recorded beside it.

use crate::history::{Change, EventKind, Subject};
use crate::ids::{CaseId, DocumentId, UserId};
use crate::invalid::{FieldError, Invalid};
use crate::text::ShortText;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Who may see a document, and whether it may ever leave the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Classification {
    Normal,
    /// Seen only by holders of `document.restricted`; to everyone else it does not exist.
    Restricted,
    /// Seen by the case's readers, but never shared, exported or disclosed.
    DoNotDisclose,
}

impl Classification {
    pub fn parse(raw: &str) -> Result<Classification, FieldError> {
        match raw.trim() {
            "" | "normal" => Ok(Classification::Normal),
            "restricted" => Ok(Classification::Restricted),
            "do-not-disclose" => Ok(Classification::DoNotDisclose),
            _ => Err(FieldError::new("", "choose normal, restricted or do not disclose")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Classification::Normal => "normal",
            Classification::Restricted => "restricted",
            Classification::DoNotDisclose => "do-not-disclose",
        }
    }
}

/// The kinds of file a case may hold, by the media type read from their content. Anything
/// else (programs, archives, scripts, web pages) is refused.
pub const ALLOWED_TYPES: &[(&str, &str)] = &[
    ("application/pdf", "PDF"),
    ("image/png", "PNG image"),
    ("image/jpeg", "JPEG image"),
    ("image/tiff", "TIFF image"),
    ("application/msword", "Word document"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"),
    ("application/vnd.oasis.opendocument.text", "OpenDocument text"),
    ("text/plain", "Text"),
];

/// What a media type is called on a page, or None when it is not allowed.
pub fn type_name(media_type: &str) -> Option<&'static str> {
    ALLOWED_TYPES.iter().find(|(t, _)| *t == media_type).map(|(_, name)| *name)
}

/// The usual file extension for an allowed media type.
fn extension(media_type: &str) -> &'static str {
    match media_type {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/tiff" => "tif",
        "application/msword" => "doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.oasis.opendocument.text" => "odt",
        _ => "txt",
    }
}

/// An uploaded file as stored: under a name Casework made, with what it was checked to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredFile {
    /// The storage name (never the uploaded one).
    pub object: String,
    /// Detected from the content.
    pub media_type: String,
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
    /// The name it was uploaded under: kept as data, never used to store or serve it.
    pub file_name: ShortText,
}

/// A checked upload, its file already stored under `id`.
#[derive(Debug, Clone)]
pub struct Upload {
    pub id: DocumentId,
    pub title: ShortText,
    pub classification: Classification,
    pub third_party: bool,
    pub redacts: Option<DocumentId>,
    pub scans: Option<DocumentId>,
    pub file: StoredFile,
}

/// Where a paper document is kept, and when it was destroyed if it has been.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paper {
    pub location: ShortText,
    pub received_on: Date,
    pub destroyed: Option<PaperDestruction>,
}

/// The destruction of a paper original after its scan was kept long enough.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaperDestruction {
    pub document: DocumentId,
    pub case: CaseId,
    pub destroyed_on: Date,
    /// How: "confidential shredding", "returned to the sender".
    pub method: ShortText,
    pub recorded_by: UserId,
    pub recorded_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    pub id: DocumentId,
    pub case: CaseId,
    pub title: ShortText,
    pub classification: Classification,
    /// Supplied by someone else about the person (a report from another agency, a letter
    /// from a neighbour): never disclosed to the person without that party's agreement.
    pub third_party: bool,
    /// The document this is a redacted copy of.
    pub redacts: Option<DocumentId>,
    /// The paper document this file is the scan of.
    pub scans: Option<DocumentId>,
    pub file: Option<StoredFile>,
    pub paper: Option<Paper>,
    pub added_by: UserId,
    pub added_at: Timestamp,
}

/// What every document is given on a form or through the API, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DocumentInput {
    pub title: String,
    pub classification: String,
    pub third_party: bool,
}

/// A paper document as it arrives, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PaperInput {
    #[serde(flatten)]
    pub document: DocumentInput,
    pub location: String,
    pub received_on: String,
}

impl DocumentInput {
    fn check(&self, invalid: &mut Invalid) -> (Option<ShortText>, Option<Classification>) {
        let title = invalid.check("title", ShortText::parse(&self.title));
        let classification = invalid.check("classification", Classification::parse(&self.classification));
        (title, classification)
    }
}

/// Checks what was given for a file before it is stored, reporting every problem under its
/// field; `file` is the problem with the file itself (its type or size), if there is one.
pub fn check_upload(input: &DocumentInput, file: Option<FieldError>) -> Result<(ShortText, Classification), Invalid> {
    let mut invalid = Invalid::new();
    let (title, classification) = input.check(&mut invalid);
    if let Some(problem) = file {
        invalid.push(problem);
    }
    match (title, classification) {
        (Some(title), Some(classification)) if invalid.is_empty() => Ok((title, classification)),
        _ => Err(invalid),
    }
}

/// The uploaded name as data: a name with no path, control characters or excess length,
/// or "unnamed".
pub fn clean_file_name(raw: &str) -> Result<ShortText, FieldError> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(ShortText::MAX_CHARS).collect();
    ShortText::parse(&cleaned).or_else(|_| ShortText::parse("unnamed")).map_err(|e| e.within("file"))
}

impl Document {
    /// A new uploaded file (or a redacted copy of another), after its content was checked.
    pub fn upload(case: CaseId, upload: Upload, by: UserId, now: Timestamp) -> (Document, Change) {
        let Upload { id, title, classification, third_party, redacts, scans, file } = upload;
        let document = Document {
            id,
            case,
            title,
            classification,
            third_party,
            redacts,
            scans,
            file: Some(file),
            paper: None,
            added_by: by,
            added_at: now,
        };
        let kind = match (redacts, scans) {
            (Some(_), _) => EventKind::RedactedCopyAdded,
            (None, Some(_)) => EventKind::ScanAdded,
            (None, None) => EventKind::DocumentAdded,
        };
        let change = Change::new(kind, Subject::Document(document.id), Value::Null, document.summary());
        (document, change)
    }

    /// A paper document, recorded with where it is kept.
    pub fn paper(
        case: CaseId,
        input: &PaperInput,
        by: UserId,
        now: Timestamp,
        today: Date,
    ) -> Result<(Document, Change), Invalid> {
        let mut invalid = Invalid::new();
        let (title, classification) = input.document.check(&mut invalid);
        let location =
            invalid.check("location", ShortText::parse(&input.location).map_err(|_| FieldError::new("", "say where it is kept")));
        let received_on = match input.received_on.trim().parse::<Date>() {
            Ok(day) if day > today => {
                invalid.push(FieldError::new("received_on", "cannot be in the future"));
                None
            }
            Ok(day) => Some(day),
            Err(_) => {
                invalid.push(FieldError::new("received_on", "enter the day it was received, for example 2027-01-31"));
                None
            }
        };
        let (Some(title), Some(classification), Some(location), Some(received_on)) =
            (title, classification, location, received_on)
        else {
            return Err(invalid);
        };
        let document = Document {
            id: DocumentId::new(),
            case,
            title,
            classification,
            third_party: input.document.third_party,
            redacts: None,
            scans: None,
            file: None,
            paper: Some(Paper { location, received_on, destroyed: None }),
            added_by: by,
            added_at: now,
        };
        let change =
            Change::new(EventKind::PaperDocumentRecorded, Subject::Document(document.id), Value::Null, document.summary());
        Ok((document, change))
    }

    /// Records that this paper original was destroyed, once its scan has been kept for the
    /// service's period: `due_on` is the first day that allows it (None when the original was
    /// never scanned, or the service keeps scanned paper for good).
    pub fn destroy_original(
        &self,
        due_on: Option<Date>,
        destroyed_on: &str,
        method: &str,
        today: Date,
        by: UserId,
        now: Timestamp,
    ) -> Result<(PaperDestruction, Change), Invalid> {
        let Some(paper) = &self.paper else {
            return Err(Invalid::one("document", "only a paper original is destroyed this way"));
        };
        if paper.destroyed.is_some() {
            return Err(Invalid::one("document", "this paper original has already been recorded as destroyed"));
        }
        let Some(due_on) = due_on else {
            return Err(Invalid::one(
                "document",
                "keep this paper original: it has not been scanned, or the service keeps scanned paper",
            ));
        };
        let mut invalid = Invalid::new();
        let day = match destroyed_on.trim().parse::<Date>() {
            Ok(day) if day > today => Err(FieldError::new("destroyed_on", "cannot be in the future")),
            Ok(day) if day < due_on => Err(FieldError::new(
                "destroyed_on",
                format!("the original had to be kept until {}", due_on.strftime("%-d %B %Y")),
            )),
            Ok(day) => Ok(day),
            Err(_) => Err(FieldError::new("destroyed_on", "enter the day it was destroyed, for example 2027-01-31")),
        };
        let day = match day {
            Ok(day) => Some(day),
            Err(problem) => {
                invalid.push(problem);
                None
            }
        };
        let method =
            invalid.check("method", ShortText::parse(method).map_err(|_| FieldError::new("", "say how it was destroyed")));
        let (Some(destroyed_on), Some(method)) = (day, method) else { return Err(invalid) };
        let destruction =
            PaperDestruction { document: self.id, case: self.case, destroyed_on, method, recorded_by: by, recorded_at: now };
        let change = Change::new(
            EventKind::PaperOriginalDestroyed,
            Subject::Document(self.id),
            json!({ "location": paper.location }),
            json!({ "destroyed_on": destruction.destroyed_on, "method": destruction.method }),
        );
        Ok((destruction, change))
    }

    /// What the history keeps of a document: never its content.
    fn summary(&self) -> Value {
        json!({
            "document": self.id, "title": self.title, "classification": self.classification, "third_party": self.third_party,
            "redacts": self.redacts, "scans": self.scans,
            "media_type": self.file.as_ref().map(|f| &f.media_type), "size": self.file.as_ref().map(|f| f.size),
            "sha256": self.file.as_ref().map(|f| &f.sha256), "file_name": self.file.as_ref().map(|f| &f.file_name),
            "location": self.paper.as_ref().map(|p| &p.location), "received_on": self.paper.as_ref().map(|p| p.received_on),
        })
    }

    /// Who may see it: everyone who may read the case, except for restricted documents.
    pub fn visible_to(&self, may_read_restricted: bool) -> bool {
        self.classification != Classification::Restricted || may_read_restricted
    }

    /// The name it is downloaded under: the title in safe characters, with the extension of
    /// its real type, so no header or file system can be tricked by what someone typed.
    pub fn download_name(&self) -> String {
        let stem: String = self
            .title
            .as_str()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let stem: String = stem.chars().take(80).collect();
        let stem = if stem.is_empty() { "document".to_owned() } else { stem };
        let media_type = self.file.as_ref().map_or("text/plain", |f| f.media_type.as_str());
        format!("{stem}.{}", extension(media_type))
    }
}

/// The documents of a case that may leave the service (for sharing and subject access):
/// never do-not-disclose or third-party material, and for a document that has a redacted
/// copy, the copy instead of the original (the newest copy, when there are several).
/// Restricted documents are included only if the caller passed them in.
pub fn disclosable(documents: &[Document]) -> Vec<&Document> {
    let may_leave = |d: &Document| d.classification != Classification::DoNotDisclose && !d.third_party;
    let newest_copy = |original: DocumentId| {
        documents.iter().filter(|d| d.redacts == Some(original)).max_by_key(|d| (d.added_at, d.id)).map(|d| d.id)
    };
    documents
        .iter()
        .filter(|d| match d.redacts {
            Some(original) => newest_copy(original) == Some(d.id) && may_leave(d),
            None => newest_copy(d.id).is_none() && may_leave(d),
        })
        .collect()
}

/// Why a document does not leave the service with the rest of the record, as the person
/// who receives an export is told (by count, never by title).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Withheld {
    /// Classified do-not-disclose.
    DoNotDisclose,
    /// Supplied by someone else about the person.
    ThirdParty,
    /// An original given only as its redacted copy.
    GivenRedacted,
    /// A redacted copy replaced by a later one.
    EarlierRedactedCopy,
}

impl Withheld {
    /// "2 documents withheld as third-party material".
    pub fn describe(self, count: usize) -> String {
        let documents = if count == 1 { "1 document".to_owned() } else { format!("{count} documents") };
        let copies = if count == 1 { "1 earlier redacted copy".to_owned() } else { format!("{count} earlier redacted copies") };
        match self {
            Withheld::DoNotDisclose => format!("{documents} withheld as not for disclosure"),
            Withheld::ThirdParty => format!("{documents} withheld as third-party material"),
            Withheld::GivenRedacted => format!("{documents} given only as a redacted copy"),
            Withheld::EarlierRedactedCopy => format!("{copies} left out: a later redacted copy is given"),
        }
    }
}

/// The documents [`disclosable`] leaves out, each with why; together the two account for
/// every document passed in.
pub fn withheld(documents: &[Document]) -> Vec<(&Document, Withheld)> {
    let given: Vec<DocumentId> = disclosable(documents).into_iter().map(|d| d.id).collect();
    documents
        .iter()
        .filter(|d| !given.contains(&d.id))
        .map(|d| {
            let copy_given = documents.iter().any(|c| c.redacts == Some(d.id) && given.contains(&c.id));
            let why = if d.classification == Classification::DoNotDisclose {
                Withheld::DoNotDisclose
            } else if d.third_party {
                Withheld::ThirdParty
            } else if copy_given {
                Withheld::GivenRedacted
            } else {
                Withheld::EarlierRedactedCopy
            };
            (d, why)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_document_left_out_is_counted_with_why() {
        let secret = doc("Police intelligence", Classification::DoNotDisclose, true, None);
        let neighbour = doc("Neighbour's letter", Classification::Normal, true, None);
        let report = doc("School report", Classification::Normal, false, None);
        let mut first = doc("School report, first redaction", Classification::Normal, false, Some(report.id));
        first.added_at = Timestamp::UNIX_EPOCH;
        let mut second = doc("School report, second redaction", Classification::Normal, false, Some(report.id));
        second.added_at = Timestamp::from_second(60).unwrap();
        let letter = doc("Letter", Classification::Normal, false, None);
        let all = vec![secret.clone(), neighbour.clone(), report.clone(), first.clone(), second.clone(), letter];
        let out: Vec<(DocumentId, Withheld)> = withheld(&all).into_iter().map(|(d, w)| (d.id, w)).collect();
        assert_eq!(
            out,
            vec![
                (secret.id, Withheld::DoNotDisclose),
                (neighbour.id, Withheld::ThirdParty),
                (report.id, Withheld::GivenRedacted),
                (first.id, Withheld::EarlierRedactedCopy),
            ]
        );
        assert_eq!(disclosable(&all).len() + out.len(), all.len());
        assert_eq!(Withheld::ThirdParty.describe(2), "2 documents withheld as third-party material");
        assert_eq!(Withheld::DoNotDisclose.describe(1), "1 document withheld as not for disclosure");
    }

    fn doc(title: &str, classification: Classification, third_party: bool, redacts: Option<DocumentId>) -> Document {
        Document {
            id: DocumentId::new(),
            case: CaseId::new(),
            title: ShortText::parse(title).unwrap(),
            classification,
            third_party,
            redacts,
            scans: None,
            file: None,
            paper: None,
            added_by: UserId::new(),
            added_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn only_what_may_leave_is_disclosable_and_redacted_copies_stand_in_for_their_originals() {
        let normal = doc("Letter", Classification::Normal, false, None);
        let secret = doc("Police intelligence", Classification::DoNotDisclose, false, None);
        let neighbour = doc("Neighbour's letter", Classification::Normal, true, None);
        let report = doc("School report", Classification::Normal, false, None);
        let redacted = doc("School report (redacted)", Classification::Normal, false, Some(report.id));
        let all = vec![normal.clone(), secret, neighbour, report, redacted.clone()];
        let out: Vec<DocumentId> = disclosable(&all).into_iter().map(|d| d.id).collect();
        assert_eq!(out, vec![normal.id, redacted.id]);
    }

    #[test]
    fn a_redacted_copy_of_third_party_material_may_leave_when_it_is_not_marked_so_itself() {
        let original = doc("Health visitor's report", Classification::DoNotDisclose, true, None);
        let copy = doc("Report, third-party parts removed", Classification::Normal, false, Some(original.id));
        let held_back = doc("Another copy", Classification::Normal, true, Some(original.id));
        let out: Vec<DocumentId> = disclosable(&[original.clone(), copy.clone()]).into_iter().map(|d| d.id).collect();
        assert_eq!(out, vec![copy.id]);
        assert!(disclosable(&[original, held_back]).is_empty(), "a copy marked third-party stays in");
    }

    #[test]
    fn download_names_are_safe_whatever_the_title() {
        let mut document = doc("../../etc/passwd\"; evil=1 résumé", Classification::Normal, false, None);
        document.file = Some(StoredFile {
            object: "x".into(),
            media_type: "application/pdf".into(),
            size: 1,
            sha256: String::new(),
            file_name: clean_file_name("C:\\Users\\me\\report.pdf").unwrap(),
        });
        let name = document.download_name();
        assert_eq!(name, "etc-passwd-evil-1-r-sum.pdf");
        assert_eq!(document.file.unwrap().file_name.as_str(), "report.pdf");
    }

    #[test]
    fn classification_is_one_of_three() {
        assert_eq!(Classification::parse("").unwrap(), Classification::Normal);
        assert_eq!(Classification::parse("do-not-disclose").unwrap(), Classification::DoNotDisclose);
        assert!(Classification::parse("secret").is_err());
    }

    #[test]
    fn a_paper_original_is_destroyed_only_once_on_or_after_its_due_day_and_never_in_the_future() {
        let mut paper = doc("Hospital letter", Classification::Normal, false, None);
        let received_on = jiff::civil::date(2026, 1, 5);
        paper.paper = Some(Paper { location: ShortText::parse("Intake store").unwrap(), received_on, destroyed: None });
        let due = jiff::civil::date(2026, 4, 6);
        let today = jiff::civil::date(2026, 5, 1);
        let by = UserId::new();
        let fields = |r: Result<(PaperDestruction, Change), Invalid>| {
            r.unwrap_err().errors.iter().map(|e| e.field.clone()).collect::<Vec<_>>()
        };
        assert_eq!(
            fields(paper.destroy_original(Some(due), "2026-04-05", "shredded", today, by, Timestamp::UNIX_EPOCH)),
            ["destroyed_on"]
        );
        assert_eq!(
            fields(paper.destroy_original(Some(due), "2026-05-02", "shredded", today, by, Timestamp::UNIX_EPOCH)),
            ["destroyed_on"]
        );
        assert_eq!(fields(paper.destroy_original(Some(due), "2026-04-06", " ", today, by, Timestamp::UNIX_EPOCH)), ["method"]);
        assert_eq!(
            fields(paper.destroy_original(None, "2026-04-06", "shredded", today, by, Timestamp::UNIX_EPOCH)),
            ["document"]
        );
        let (destruction, change) =
            paper.destroy_original(Some(due), "2026-04-06", "Confidential shredding", today, by, Timestamp::UNIX_EPOCH).unwrap();
        assert_eq!(destruction.destroyed_on, due);
        assert_eq!(change.kind, EventKind::PaperOriginalDestroyed);
        paper.paper.as_mut().unwrap().destroyed = Some(destruction);
        assert_eq!(
            fields(paper.destroy_original(Some(due), "2026-04-07", "shredded", today, by, Timestamp::UNIX_EPOCH)),
            ["document"]
        );
        let file = doc("Scan", Classification::Normal, false, None);
        assert_eq!(
            fields(file.destroy_original(Some(due), "2026-04-07", "shredded", today, by, Timestamp::UNIX_EPOCH)),
            ["document"]
        );
    }
}
