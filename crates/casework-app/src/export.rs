//! The export bundle of a case: a zip holding `case.json` (every part, machine-readable) and
//! `case.html` (the same, readable in any browser with nothing to fetch). It is built from
//! what the exporter may see, on the transaction that records the export, so what was
//! disclosed is exactly what the record says and its checksum is kept beside it.
//!
//! Each part of the case is one [`Part`]; a new kind of record is one more part in
//! `CaseExport::parts` and, if it brings files, more entries in [`Bundle`]. Documents are
//! such a part: those that may leave the service are listed and their files are in the
//! bundle under `documents/`; those that may not are counted by why, never named.
//!
//! Disclosure exports (`disclosures`) and subject access bundles (`subject_access`) are both
//! built from [`App::case_export`], so a case leaves Casework one way.

use crate::{App, AppError, Result};
use bytes::Bytes;
use casework_domain::access::{Actor, Permission};
use casework_domain::case::{Case, CaseStatus};
use casework_domain::consent::Consent;
use casework_domain::decision::Decision;
use casework_domain::document::{self, Document, Withheld};
use casework_domain::ids::UserId;
use casework_domain::note::Note;
use casework_domain::person::Person;
use casework_domain::plan::{Objective, Review};
use casework_domain::service::ServiceDefinition;
use casework_domain::task::Task;
use casework_domain::time::service_zone;
use casework_store::forms::Submission;
use casework_store::plans::PlanDates;
use casework_store::{Connection, consents, decisions, documents, forms, notes, people, plans, tasks};
use jiff::Timestamp;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

/// Far more than any case holds: an export carries the whole record, never a page of it.
const EVERYTHING: i64 = 1_000_000;

/// A document that leaves the service with its case.
#[derive(Debug, Clone)]
pub struct ExportedDocument {
    pub document: Document,
    /// Where its file is in the case's bundle (`documents/<name>`); none for a paper document.
    pub path: Option<String>,
    pub content: Option<Bytes>,
}

/// Everything of a case that goes into its export.
#[derive(Debug, Clone)]
pub struct CaseExport {
    pub case: Case,
    pub person: Person,
    pub service: std::sync::Arc<ServiceDefinition>,
    /// Notes oldest first; addenda are listed under the note they add to.
    pub notes: Vec<Note>,
    pub decisions: Vec<Decision>,
    pub forms: Vec<Submission>,
    pub plan: Option<PlanDates>,
    pub objectives: Vec<Objective>,
    pub reviews: Vec<Review>,
    pub tasks: Vec<Task>,
    pub consents: Vec<Consent>,
    /// The documents that may leave the service, oldest first, with their files.
    pub documents: Vec<ExportedDocument>,
    /// How many documents were left out, by why.
    pub withheld: BTreeMap<Withheld, usize>,
    /// Display names of everyone named in the record.
    pub names: BTreeMap<UserId, String>,
    pub exported_by: UserId,
    pub exported_at: Timestamp,
}

/// One section of the export: its key in `case.json`, its heading in `case.html`, its
/// machine-readable value and its readable rows.
struct Part {
    key: &'static str,
    heading: &'static str,
    value: Value,
    rows: Vec<String>,
}

/// The files of a bundle, in the order they are written.
#[derive(Debug, Default)]
pub struct Bundle {
    entries: Vec<(String, Vec<u8>)>,
}

impl Bundle {
    pub fn add(&mut self, name: impl Into<String>, bytes: Vec<u8>) {
        self.entries.push((name.into(), bytes));
    }

    /// Adds every file of `other` under the folder `folder` (e.g. `cases/DARS-2026-000001`).
    pub fn add_folder(&mut self, folder: &str, other: Bundle) {
        for (name, bytes) in other.entries {
            self.entries.push((format!("{folder}/{name}"), bytes));
        }
    }

    /// The zip of every entry.
    pub fn zip(&self, at: Timestamp) -> Result<Vec<u8>> {
        let failed = |e: zip::result::ZipError| AppError::Internal(format!("export bundle: {e}"));
        let local = at.to_zoned(service_zone());
        let modified = zip::DateTime::from_date_and_time(
            u16::try_from(local.year()).unwrap_or(1980),
            u8::try_from(local.month()).unwrap_or(1),
            u8::try_from(local.day()).unwrap_or(1),
            u8::try_from(local.hour()).unwrap_or(0),
            u8::try_from(local.minute()).unwrap_or(0),
            u8::try_from(local.second()).unwrap_or(0),
        )
        .unwrap_or_default();
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(modified);
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in &self.entries {
            writer.start_file(name.as_str(), options).map_err(failed)?;
            writer.write_all(bytes).map_err(|e| AppError::Internal(format!("export bundle: {e}")))?;
        }
        Ok(writer.finish().map_err(failed)?.into_inner())
    }
}

/// The hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

pub(crate) fn when(at: Timestamp) -> String {
    at.to_zoned(service_zone()).strftime("%-d %B %Y %H:%M").to_string()
}

pub(crate) fn day(date: jiff::civil::Date) -> String {
    date.strftime("%-d %B %Y").to_string()
}

fn value<T: serde::Serialize>(item: &T) -> Value {
    serde_json::to_value(item).unwrap_or(Value::Null)
}

impl CaseExport {
    fn name(&self, user: UserId) -> String {
        self.names.get(&user).cloned().unwrap_or_else(|| user.to_string())
    }

    fn label(list: &[casework_domain::service::Choice], code: &casework_domain::text::Code) -> String {
        list.iter().find(|c| &c.code == code).map_or_else(|| code.to_string(), |c| c.name.clone())
    }

    fn parts(&self) -> Vec<Part> {
        let service = &self.service;
        let case = &self.case;
        let status = match &case.status {
            CaseStatus::Open => "open".to_owned(),
            CaseStatus::Closed { reason, at, .. } => format!("closed on {} ({reason})", when(*at)),
        };
        let mut identity = vec![
            format!("Reference: {}", case.reference),
            format!("Service: {}", service.service.name),
            format!("Person: {}", self.person.display_name()),
            format!("Born: {}", self.person.date_of_birth.map_or_else(|| "not recorded".into(), day)),
            format!("Stage: {}", service.stage(&case.stage).map_or_else(|| case.stage.to_string(), |s| s.name.clone())),
            format!(
                "{}: {}",
                service.service.level_label,
                case.level.as_ref().map_or_else(|| "not set".into(), |l| Self::label(&service.levels, l))
            ),
            format!("Status: {status}"),
            format!("Opened: {}", when(case.opened_at)),
            format!("Worker: {}", case.worker.map_or_else(|| "not allocated".into(), |w| self.name(w))),
        ];
        identity.extend(
            self.person.identifiers.iter().map(|i| format!("{}: {}", value(&i.kind).as_str().unwrap_or("identifier"), i.value)),
        );
        identity.extend(case.flags.iter().map(|f| format!("Flag: {}", Self::label(&service.flags, &f.code))));
        let key_dates: Vec<String> = case
            .key_dates
            .iter()
            .map(|(code, date)| format!("{}: {}", Self::label(&service.key_dates, code), day(*date)))
            .collect();

        let mut notes = Vec::new();
        let mut note_values = Vec::new();
        for note in self.notes.iter().filter(|n| n.addendum_to.is_none()) {
            let addenda: Vec<&Note> = self.notes.iter().filter(|a| a.addendum_to == Some(note.id)).collect();
            let mut row = format!(
                "<strong>{}</strong>, contact {}, written {} by {}{}<br>{}",
                escape(value(&note.kind).as_str().unwrap_or("note")),
                escape(&when(note.contact_at)),
                escape(&when(note.recorded_at)),
                escape(&self.name(note.author)),
                if note.late_entry { " (late entry)" } else { "" },
                escape(note.body.as_str())
            );
            for addendum in &addenda {
                row.push_str(&format!(
                    "<br><em>Addendum, {} by {}:</em> {}",
                    escape(&when(addendum.recorded_at)),
                    escape(&self.name(addendum.author)),
                    escape(addendum.body.as_str())
                ));
            }
            notes.push(row);
            let mut entry = value(note);
            entry["addenda"] = Value::Array(addenda.iter().map(|a| value(*a)).collect());
            note_values.push(entry);
        }

        let decisions = self
            .decisions
            .iter()
            .map(|d| {
                format!(
                    "{}: {} ({}){} — {} by {}",
                    escape(&Self::label(&service.decision_outcomes, &d.outcome)),
                    escape(d.reason.as_str()),
                    escape(d.reason_list.as_str()),
                    d.rationale.as_ref().map(|r| format!(": {}", escape(r.as_str()))).unwrap_or_default(),
                    escape(&when(d.decided_at)),
                    escape(&self.name(d.decided_by))
                )
            })
            .collect();
        let forms = self
            .forms
            .iter()
            .map(|s| {
                let name = service.form(&s.form.form).map_or_else(|| s.form.form.to_string(), |f| f.name.clone());
                let answers: Vec<String> =
                    s.form.answers.iter().map(|(k, v)| format!("{}: {}", escape(k), escape(&answer(v)))).collect();
                format!(
                    "<strong>{}</strong>, {} by {}<br>{}",
                    escape(&name),
                    escape(&when(s.form.submitted_at)),
                    escape(&self.name(s.form.submitted_by)),
                    answers.join("<br>")
                )
            })
            .collect();
        let form_values = self
            .forms
            .iter()
            .map(|s| {
                json!({ "id": s.id, "form": s.form.form, "answers": s.form.answers,
                "completed_by": s.form.completed_by, "score": s.form.score, "submitted_by": s.form.submitted_by,
                "submitted_at": s.form.submitted_at })
            })
            .collect();
        let mut plan = Vec::new();
        if let Some(dates) = &self.plan {
            plan.push(format!(
                "Started {}; last review {}; next review {}",
                day(dates.started_on),
                dates.last_review_on.map_or_else(|| "none".into(), day),
                dates.next_review_on.map_or_else(|| "none".into(), day)
            ));
        }
        plan.extend(self.objectives.iter().map(|o| {
            format!(
                "Objective: {} (measure: {}; by {}; {})",
                escape(o.description.as_str()),
                escape(o.measure.as_str()),
                day(o.target_date),
                escape(value(&o.status).as_str().unwrap_or(""))
            )
        }));
        plan.extend(
            self.reviews.iter().map(|r| format!("Review {}: {}", escape(&when(r.reviewed_at)), escape(r.summary.as_str()))),
        );
        let plan_value = json!({
            "started_on": self.plan.map(|d| d.started_on),
            "last_review_on": self.plan.and_then(|d| d.last_review_on),
            "next_review_on": self.plan.and_then(|d| d.next_review_on),
            "objectives": self.objectives,
            "reviews": self.reviews,
        });
        let tasks = self
            .tasks
            .iter()
            .map(|t| {
                format!(
                    "{} ({}){}",
                    escape(t.title.as_str()),
                    t.status.name(),
                    t.due_on.map(|d| format!(", due {}", day(d))).unwrap_or_default()
                )
            })
            .collect();
        let consents = self
            .consents
            .iter()
            .map(|c| {
                format!(
                    "{} by {} ({}) to share {} with {}, {}, given {}{}{}",
                    if c.kind == casework_domain::consent::ConsentKind::Assent { "Assent" } else { "Consent" },
                    escape(c.given_by.as_str()),
                    escape(c.relationship.as_str()),
                    escape(c.scope.as_str()),
                    escape(c.with_whom.as_str()),
                    value(&c.how).as_str().unwrap_or(""),
                    day(c.given_on),
                    c.until.map(|u| format!(", until {}", day(u))).unwrap_or_default(),
                    c.withdrawn.as_ref().map(|w| format!(", withdrawn {}", escape(&when(w.at)))).unwrap_or_default()
                )
            })
            .collect();
        let mut documents = Vec::new();
        let mut document_values = Vec::new();
        for exported in &self.documents {
            let d = &exported.document;
            let added = format!("added {} by {}", when(d.added_at), self.name(d.added_by));
            documents.push(match (&exported.path, &d.file, &d.paper) {
                (Some(path), Some(file), _) => format!(
                    "<a href=\"{}\">{}</a> ({}, {} bytes), {}{}",
                    escape(path),
                    escape(d.title.as_str()),
                    document::type_name(&file.media_type).unwrap_or("file"),
                    file.size,
                    escape(&added),
                    if d.redacts.is_some() { ", a redacted copy" } else { "" }
                ),
                (_, _, Some(paper)) => format!(
                    "{}: held on paper, received {}, {}; not in this bundle",
                    escape(d.title.as_str()),
                    day(paper.received_on),
                    escape(&added)
                ),
                _ => escape(d.title.as_str()),
            });
            document_values.push(json!({
                "id": d.id, "title": d.title, "redacted_copy_of": d.redacts, "added_by": d.added_by, "added_at": d.added_at,
                "file": exported.path, "media_type": d.file.as_ref().map(|f| &f.media_type),
                "size": d.file.as_ref().map(|f| f.size), "sha256": d.file.as_ref().map(|f| &f.sha256),
                "uploaded_as": d.file.as_ref().map(|f| &f.file_name),
                "paper_received_on": d.paper.as_ref().map(|p| p.received_on),
            }));
        }
        let withheld = self.withheld.iter().map(|(why, count)| escape(&why.describe(*count))).collect();
        let withheld_values = self
            .withheld
            .iter()
            .map(|(why, count)| json!({ "why": why, "count": count, "description": why.describe(*count) }))
            .collect();
        vec![
            Part {
                key: "case",
                heading: "The case",
                value: json!({ "case": value(case), "service": service.service.name, "person": value(&self.person) }),
                rows: identity.iter().map(|r| escape(r)).collect(),
            },
            Part {
                key: "key_dates",
                heading: "Key dates",
                value: value(&case.key_dates),
                rows: key_dates.iter().map(|r| escape(r)).collect(),
            },
            Part { key: "notes", heading: "Notes", value: Value::Array(note_values), rows: notes },
            Part { key: "decisions", heading: "Decisions", value: value(&self.decisions), rows: decisions },
            Part { key: "forms", heading: "Forms", value: Value::Array(form_values), rows: forms },
            Part { key: "plan", heading: "Plan", value: plan_value, rows: plan },
            Part { key: "tasks", heading: "Tasks", value: value(&self.tasks), rows: tasks },
            Part { key: "consents", heading: "Consents", value: value(&self.consents), rows: consents },
            Part { key: "documents", heading: "Documents", value: Value::Array(document_values), rows: documents },
            Part { key: "withheld", heading: "Documents withheld", value: Value::Array(withheld_values), rows: withheld },
        ]
    }

    /// The bundle's files: `case.json`, `case.html` and the documents' files.
    pub fn bundle(&self) -> Result<Bundle> {
        let parts = self.parts();
        let mut document = serde_json::Map::new();
        document.insert(
            "exported".into(),
            json!({ "by": self.exported_by, "by_name": self.name(self.exported_by), "at": self.exported_at }),
        );
        for part in &parts {
            document.insert(part.key.into(), part.value.clone());
        }
        let json = serde_json::to_vec_pretty(&Value::Object(document)).map_err(|e| AppError::Internal(e.to_string()))?;
        let title = format!("{} — {}", self.case.reference, self.person.display_name());
        let mut html = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n\
             <style>body{{font-family:system-ui,sans-serif;max-width:50em;margin:2em auto;padding:0 1em;line-height:1.5}}\
             li{{margin-bottom:.75em}}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p>Exported {} by {}.</p>\n",
            escape(&title),
            escape(&title),
            escape(&when(self.exported_at)),
            escape(&self.name(self.exported_by))
        );
        for part in &parts {
            html.push_str(&format!("<h2>{}</h2>\n", part.heading));
            if part.rows.is_empty() {
                html.push_str("<p>None.</p>\n");
            } else {
                html.push_str("<ul>\n");
                for row in &part.rows {
                    html.push_str(&format!("<li>{row}</li>\n"));
                }
                html.push_str("</ul>\n");
            }
        }
        html.push_str("</body>\n</html>\n");
        let mut bundle = Bundle::default();
        bundle.add("case.json", json);
        bundle.add("case.html", html.into_bytes());
        for exported in &self.documents {
            if let (Some(path), Some(content)) = (&exported.path, &exported.content) {
                bundle.add(path.clone(), content.to_vec());
            }
        }
        Ok(bundle)
    }
}

/// A form answer as text.
fn answer(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `name`, or `name` with `-2`, `-3`… before its extension, whichever is not yet `taken`.
fn unique_name(name: String, taken: &mut BTreeSet<String>) -> String {
    let (stem, extension) = name.rsplit_once('.').map_or((name.clone(), String::new()), |(s, e)| (s.to_owned(), format!(".{e}")));
    let mut candidate = name;
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{stem}-{n}{extension}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

impl App {
    /// Everything of the case that the exporter may see, read on the export's transaction:
    /// its record, and the documents that may leave the service with their files (checked
    /// against their records), the others counted by why they stay.
    pub(crate) async fn case_export(
        &self,
        conn: &mut Connection,
        actor: &Actor,
        case: Case,
        now: Timestamp,
    ) -> Result<CaseExport> {
        let service = self.definition_of(&case)?;
        let person = people::get(conn, case.person).await?.ok_or(AppError::NotFound("person"))?;
        let mut notes = notes::list(conn, case.id, None, EVERYTHING).await?;
        notes.reverse();
        let decisions = decisions::list(conn, case.id, None, EVERYTHING).await?;
        let mut forms = forms::for_case(conn, case.id, None, EVERYTHING).await?;
        forms.reverse();
        let plan = plans::dates(conn, case.id).await?;
        let objectives = plans::objectives(conn, case.id).await?;
        let reviews = plans::reviews(conn, case.id).await?;
        let tasks = tasks::list(conn, case.id, None, EVERYTHING).await?;
        let consents = consents::for_case(conn, case.id).await?;
        let all_documents = documents::for_case(conn, case.id, actor.may(Permission::DocumentRestricted, case.scope())).await?;
        let mut withheld = BTreeMap::new();
        for (_, why) in document::withheld(&all_documents) {
            *withheld.entry(why).or_insert(0) += 1;
        }
        let mut exported = Vec::new();
        let mut taken = BTreeSet::new();
        for d in document::disclosable(&all_documents) {
            let content = match &d.file {
                Some(_) => self.document_storage()?.checked_content(d).await?,
                None => None,
            };
            let path = content.as_ref().map(|_| format!("documents/{}", unique_name(d.download_name(), &mut taken)));
            exported.push(ExportedDocument { document: d.clone(), path, content });
        }
        let mut people: Vec<UserId> = vec![actor.user];
        people.extend(case.worker);
        people.extend(notes.iter().map(|n| n.author));
        people.extend(decisions.iter().map(|d| d.decided_by));
        people.extend(forms.iter().map(|f| f.form.submitted_by));
        people.extend(exported.iter().map(|d| d.document.added_by));
        let names = self.display_names(&people).await?;
        Ok(CaseExport {
            case,
            person,
            service,
            notes,
            decisions,
            forms,
            plan,
            objectives,
            reviews,
            tasks,
            consents,
            documents: exported,
            withheld,
            names,
            exported_by: actor.user,
            exported_at: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_a_bundle_folder_never_collide() {
        let mut taken = BTreeSet::new();
        assert_eq!(unique_name("Letter.pdf".into(), &mut taken), "Letter.pdf");
        assert_eq!(unique_name("Letter.pdf".into(), &mut taken), "Letter-2.pdf");
        assert_eq!(unique_name("Letter.pdf".into(), &mut taken), "Letter-3.pdf");
        assert_eq!(unique_name("Letter-2.pdf".into(), &mut taken), "Letter-2-2.pdf");
    }
}
