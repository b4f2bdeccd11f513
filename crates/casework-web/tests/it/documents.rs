//! Documents: uploads checked by size and by the type their content shows, stored under
//! generated names with a checksum, written whole before their record; downloads checked
//! against the record and logged before a byte is sent; classification, third-party
//! material, redacted copies and paper documents.

use crate::harness::{Client, TestServer, spawn, spawn_storing_in};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
/// The start of a Linux program.
const ELF: &[u8] = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00\x01\x00\x00\x00";
/// The start of a Windows program.
const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00\x00\x00\x00\x00\x00\x00\x40\x00";

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn form(title: &str, file_name: &str, declared: &str, content: &[u8]) -> Form {
    Form::new()
        .text("title", title.to_owned())
        .part("file", Part::bytes(content.to_vec()).file_name(file_name.to_owned()).mime_str(declared).unwrap())
}

/// A case in the recovery service, with a care coordinator (who may see restricted
/// documents), an administrator (who may add documents but not see restricted ones), an
/// auditor (who may only read) and a recovery peer (who may not see the case).
struct Setting {
    server: TestServer,
    lead: Client,
    admin: Client,
    auditor: Client,
    peer: Client,
    case: String,
}

async fn setting() -> Setting {
    let server = spawn().await;
    let lead = server.user("lead", &["recovery:care-coordinator"]).await;
    let admin = server.user("admin", &["recovery:administrator"]).await;
    let auditor = server.user("auditor", &["recovery:auditor"]).await;
    let peer = server.user("peer", &["recovery:recovery-peer"]).await;
    let case = lead.open_case("recovery", "Documented").await["id"].as_str().unwrap().to_owned();
    Setting { server, lead, admin, auditor, peer, case }
}

impl Setting {
    fn path(&self, rest: &str) -> String {
        format!("/api/v1/cases/{}{rest}", self.case)
    }

    async fn upload(&self, who: &Client, form: Form) -> Value {
        let answer = who.upload(&self.path("/documents"), form).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
        answer.body
    }

    async fn listed(&self, who: &Client) -> Vec<String> {
        let answer = who.get(&self.path("/documents")).await;
        assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
        answer.body["items"].as_array().unwrap().iter().map(|d| d["title"].as_str().unwrap().to_owned()).collect()
    }
}

#[tokio::test]
async fn an_upload_is_stored_under_a_generated_name_and_comes_back_byte_for_byte_after_it_is_logged() {
    let s = setting().await;
    let document = s.upload(&s.lead, form("Assessment report", "../../secret plan.txt", "text/plain", PDF)).await;
    let id = document["id"].as_str().unwrap();
    assert_eq!(document["media_type"], "application/pdf", "the content says PDF, whatever the name and declared type");
    assert_eq!(document["size"], PDF.len());
    assert_eq!(document["sha256"], sha256(PDF));
    assert_eq!(document["file_name"], "secret plan.txt", "the name is kept as data, without its path");
    assert_eq!(document["classification"], "normal");
    assert_eq!(document["third_party"], false);
    assert_eq!(s.server.stored_files(), [id.to_owned()], "stored under its id, never the uploaded name");
    assert_eq!(s.server.events_about(id).await, ["document-added"]);

    let metadata = s.admin.get(&s.path(&format!("/documents/{id}"))).await;
    assert_eq!(metadata.status, StatusCode::OK);
    assert_eq!(metadata.body["title"], "Assessment report");

    let (status, headers, body) = s.admin.download(&s.path(&format!("/documents/{id}/content"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sha256(&body), sha256(PDF));
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["content-disposition"], "attachment; filename=\"Assessment-report.pdf\"");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-store");

    let mut conn = s.server.app.store.read().await.unwrap();
    let case = s.case.parse().unwrap();
    let log = casework_store::events::accesses_of_case(&mut conn, case).await.unwrap();
    let admin_id = s.admin.id();
    assert!(
        log.iter().any(|a| a.what == format!("document {id}") && a.user.to_string() == admin_id),
        "the download is in the access log: {log:?}"
    );
}

#[tokio::test]
async fn the_type_comes_from_the_content_and_programs_are_refused_whatever_they_are_called() {
    let s = setting().await;
    let text =
        s.upload(&s.lead, form("Letter", "letter.pdf", "application/pdf", "Dear Sam,\n\nSee you Tuesday.\n".as_bytes())).await;
    assert_eq!(text["media_type"], "text/plain");
    let before = s.server.counts().await;
    let files = s.server.stored_files();
    for (program, name) in [(ELF, "report.pdf"), (EXE, "minutes.docx"), (&b"\x00\x01\x02\x03binary"[..], "notes.txt")] {
        let answer = s.lead.upload(&s.path("/documents"), form("Not a document", name, "application/pdf", program)).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {answer:?}");
        assert_eq!(answer.fields(), ["file"]);
        assert_eq!(s.server.counts().await, before, "{name} wrote nothing");
        assert_eq!(s.server.stored_files(), files, "{name} left no file");
    }
    // Every problem is named at once: no title, no file, a classification that is not one.
    let answer = s.lead.upload(&s.path("/documents"), Form::new().text("title", "").text("classification", "secret")).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = answer.fields();
    fields.sort();
    assert_eq!(fields, ["classification", "file", "title"]);
    assert_eq!(s.server.counts().await, before);
}

#[tokio::test]
async fn a_file_over_the_size_limit_is_refused_and_nothing_is_written() {
    let s = setting().await;
    let before = s.server.counts().await;
    let mut big = PDF.to_vec();
    big.resize(20 * 1024 * 1024 + 1, b' ');
    let answer = s.lead.upload(&s.path("/documents"), form("Scanned bundle", "bundle.pdf", "application/pdf", &big)).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{answer:?}");
    assert_eq!(answer.fields(), ["file"]);
    assert!(answer.body["detail"].as_str().unwrap().contains("20 MiB"));
    assert_eq!(s.server.counts().await, before);
    assert!(s.server.stored_files().is_empty());
    // Exactly at the limit is fine.
    big.truncate(20 * 1024 * 1024);
    let document = s.upload(&s.lead, form("Scanned bundle", "bundle.pdf", "application/pdf", &big)).await;
    assert_eq!(document["size"], 20 * 1024 * 1024);
}

#[tokio::test]
async fn restricted_documents_do_not_exist_for_those_who_may_not_see_them_and_hidden_cases_have_none() {
    let s = setting().await;
    let open = s.upload(&s.lead, form("Care plan", "plan.pdf", "application/pdf", PDF)).await;
    let restricted = s
        .upload(
            &s.lead,
            form("Safeguarding referral", "referral.pdf", "application/pdf", PDF).text("classification", "restricted"),
        )
        .await;
    let id = restricted["id"].as_str().unwrap();
    assert_eq!(s.listed(&s.lead).await, ["Care plan", "Safeguarding referral"]);
    assert_eq!(s.listed(&s.admin).await, ["Care plan"], "not listed for those without document.restricted");
    for path in [format!("/documents/{id}"), format!("/documents/{id}/content"), format!("/documents/{id}/redacted-copies")] {
        let answer = if path.ends_with("copies") {
            s.admin.upload(&s.path(&path), form("Copy", "copy.pdf", "application/pdf", PDF)).await
        } else {
            s.admin.get(&s.path(&path)).await
        };
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _, _) = s.lead.download(&s.path(&format!("/documents/{id}/content"))).await;
    assert_eq!(status, StatusCode::OK, "holders download it");
    // Nobody files a document they could not then see.
    let before = s.server.counts().await;
    let refused = s
        .admin
        .upload(&s.path("/documents"), form("Hidden", "hidden.pdf", "application/pdf", PDF).text("classification", "restricted"))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{refused:?}");
    assert_eq!(refused.fields(), ["classification"]);
    let paper =
        json!({ "title": "Hidden", "classification": "restricted", "location": "Cabinet 3", "received_on": "2026-03-01" });
    assert_eq!(s.admin.post(&s.path("/paper-documents"), paper).await.fields(), ["classification"]);
    assert_eq!(s.server.counts().await, before);
    assert_eq!(s.server.stored_files().len(), 2, "the refused file was not kept");

    // Someone who may not see the case: nothing about it exists.
    let before = s.server.counts().await;
    let open_id = open["id"].as_str().unwrap();
    assert_eq!(s.peer.get(&s.path("/documents")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.peer.get(&s.path(&format!("/documents/{open_id}"))).await.status, StatusCode::NOT_FOUND);
    let (status, _, body) = s.peer.download(&s.path(&format!("/documents/{open_id}/content"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.starts_with(b"%PDF"));
    let answer = s.peer.upload(&s.path("/documents"), form("Mine", "x.pdf", "application/pdf", PDF)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    // A reader who may not add documents is told so.
    let answer = s.auditor.upload(&s.path("/documents"), form("Audit", "x.pdf", "application/pdf", PDF)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = s
        .auditor
        .post(&s.path("/paper-documents"), json!({ "title": "Audit", "location": "Desk", "received_on": "2026-03-01" }))
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(s.server.counts().await, before);
    assert_eq!(s.listed(&s.auditor).await, ["Care plan"]);
}

#[tokio::test]
async fn do_not_disclose_and_third_party_material_never_counts_as_disclosable_and_redacted_copies_stand_in() {
    let s = setting().await;
    s.upload(&s.lead, form("Care plan", "plan.pdf", "application/pdf", PDF)).await;
    let secret = s
        .upload(
            &s.lead,
            form("Police intelligence", "intel.pdf", "application/pdf", PDF).text("classification", "do-not-disclose"),
        )
        .await;
    s.upload(&s.lead, form("Neighbour's letter", "letter.txt", "text/plain", b"About Sam").text("third_party", "true")).await;
    let report = s.upload(&s.lead, form("Prison report", "report.pdf", "application/pdf", PDF)).await;
    let copy = s
        .lead
        .upload(
            &s.path(&format!("/documents/{}/redacted-copies", report["id"].as_str().unwrap())),
            form("Prison report (redacted)", "redacted.pdf", "application/pdf", PDF),
        )
        .await;
    assert_eq!(copy.status, StatusCode::CREATED);
    let restricted =
        s.upload(&s.lead, form("Restricted note", "r.txt", "text/plain", b"Hidden").text("classification", "restricted")).await;

    // Case readers see the do-not-disclose document, marked so.
    let listed = s.admin.get(&s.path("/documents")).await;
    let items = listed.body["items"].as_array().unwrap();
    assert!(items.iter().any(|d| d["id"] == secret["id"] && d["classification"] == "do-not-disclose"));

    let titles = |documents: Vec<casework_domain::document::Document>| {
        documents.into_iter().map(|d| d.title.to_string()).collect::<Vec<_>>()
    };
    let admin = s.server.app.actor(s.admin.id().parse().unwrap()).await.unwrap().unwrap();
    let lead = s.server.app.actor(s.lead.id().parse().unwrap()).await.unwrap().unwrap();
    let case = s.case.parse().unwrap();
    assert_eq!(
        titles(s.server.app.disclosable_documents(&admin, case).await.unwrap()),
        ["Care plan", "Prison report (redacted)"]
    );
    assert_eq!(
        titles(s.server.app.disclosable_documents(&lead, case).await.unwrap()),
        ["Care plan", "Prison report (redacted)", "Restricted note"],
        "restricted documents only for those who may see them"
    );
    let _ = restricted;
}

#[tokio::test]
async fn a_redacted_copy_is_linked_to_its_original_which_stays_unchanged() {
    let s = setting().await;
    let original = s.upload(&s.lead, form("Health report", "report.pdf", "application/pdf", PDF)).await;
    let original_id = original["id"].as_str().unwrap();
    let redacted = b"%PDF-1.4\n% the names are blacked out\n%%EOF\n";
    let copy = s
        .admin
        .upload(
            &s.path(&format!("/documents/{original_id}/redacted-copies")),
            form("Health report (redacted)", "report-redacted.pdf", "application/pdf", redacted),
        )
        .await;
    assert_eq!(copy.status, StatusCode::CREATED, "{copy:?}");
    assert_eq!(copy.body["redacts"], original_id);
    let copy_id = copy.body["id"].as_str().unwrap();
    assert_eq!(s.server.events_about(copy_id).await, ["redacted-copy-added"]);
    assert_eq!(s.listed(&s.admin).await, ["Health report", "Health report (redacted)"]);
    let (_, _, body) = s.admin.download(&s.path(&format!("/documents/{original_id}/content"))).await;
    assert_eq!(body, PDF, "the original is kept as it was");
    let (_, _, body) = s.admin.download(&s.path(&format!("/documents/{copy_id}/content"))).await;
    assert_eq!(body, redacted);

    // A copy needs an original file on this case.
    let other = s.lead.open_case("recovery", "Elsewhere").await;
    let before = s.server.counts().await;
    let paper = s
        .lead
        .post(&s.path("/paper-documents"), json!({ "title": "Letter", "location": "Cabinet 3", "received_on": "2026-03-01" }))
        .await;
    let after_paper = s.server.counts().await;
    assert_ne!(after_paper, before);
    for original in [paper.body["id"].as_str().unwrap(), copy_id, "not-an-id"] {
        let answer = s
            .lead
            .upload(&s.path(&format!("/documents/{original}/redacted-copies")), form("Copy", "c.pdf", "application/pdf", PDF))
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{original}");
    }
    let answer = s
        .lead
        .upload(
            &format!("/api/v1/cases/{}/documents/{original_id}/redacted-copies", other["id"].as_str().unwrap()),
            form("Copy", "c.pdf", "application/pdf", PDF),
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "the original belongs to another case");
    assert_eq!(s.server.counts().await, after_paper);
}

#[tokio::test]
async fn a_paper_document_is_recorded_with_where_it_is_kept() {
    let s = setting().await;
    let before = s.server.counts().await;
    let bad = s
        .lead
        .post(
            &s.path("/paper-documents"),
            json!({ "title": "", "location": "", "received_on": "2099-01-01", "classification": "secret" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = bad.fields();
    fields.sort();
    assert_eq!(fields, ["classification", "location", "received_on", "title"]);
    assert_eq!(s.server.counts().await, before);

    let paper = s
        .lead
        .post(
            &s.path("/paper-documents"),
            json!({ "title": "Signed consent form", "location": "Leeds office, cabinet 3", "received_on": "2026-03-09", "classification": "do-not-disclose", "third_party": true }),
        )
        .await;
    assert_eq!(paper.status, StatusCode::CREATED, "{paper:?}");
    assert_eq!(paper.body["kind"], "paper");
    assert_eq!(paper.body["location"], "Leeds office, cabinet 3");
    assert_eq!(paper.body["received_on"], "2026-03-09");
    assert_eq!(paper.body["third_party"], true);
    assert_eq!(paper.body["media_type"], Value::Null);
    let id = paper.body["id"].as_str().unwrap();
    assert_eq!(s.server.events_about(id).await, ["paper-document-recorded"]);
    let (status, _, _) = s.lead.download(&s.path(&format!("/documents/{id}/content"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "paper has no file to download");
    assert!(s.server.stored_files().is_empty());
}

#[tokio::test]
async fn a_stored_file_that_is_corrupted_truncated_or_missing_is_never_served() {
    let s = setting().await;
    let content = b"Session notes: Sam attended and agreed the plan.\n".repeat(50);
    let document = s.upload(&s.lead, form("Notes", "notes.txt", "text/plain", &content)).await;
    let id = document["id"].as_str().unwrap();
    let file = s.server.documents_dir().join(id);
    let path = s.path(&format!("/documents/{id}/content"));
    let logged = s.server.count("access_log").await;

    let mut corrupted = content.clone();
    corrupted[10] ^= 0x20;
    std::fs::write(&file, &corrupted).unwrap();
    let (status, _, body) = s.lead.download(&path).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "a changed byte");
    assert!(!String::from_utf8_lossy(&body).contains("Session notes"), "nothing of the file is served");

    std::fs::write(&file, &content[..content.len() / 2]).unwrap();
    let (status, _, body) = s.lead.download(&path).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "a truncated file");
    assert!(!String::from_utf8_lossy(&body).contains("Session notes"));

    std::fs::remove_file(&file).unwrap();
    let (status, _, _) = s.lead.download(&path).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "a missing file");
    assert_eq!(s.server.count("access_log").await, logged, "no download was logged, because none happened");

    std::fs::write(&file, &content).unwrap();
    let (status, _, body) = s.lead.download(&path).await;
    assert_eq!((status, body), (StatusCode::OK, content), "the right content is served again");
}

#[tokio::test]
async fn when_the_access_log_cannot_be_written_nothing_is_served() {
    let s = setting().await;
    let document = s.upload(&s.lead, form("Care plan", "plan.pdf", "application/pdf", PDF)).await;
    let path = s.path(&format!("/documents/{}/content", document["id"].as_str().unwrap()));
    s.server.refuse_access_log_writes().await;
    let (status, headers, body) = s.lead.download(&path).await;
    assert!(status.is_server_error(), "{status}");
    assert!(!body.windows(4).any(|w| w == b"%PDF"), "no file bytes");
    assert_ne!(headers["content-type"], "application/pdf");
    s.server.allow_access_log_writes().await;
    let (status, _, body) = s.lead.download(&path).await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, PDF));
}

#[tokio::test]
async fn a_record_that_cannot_be_written_leaves_no_file_and_the_sweep_removes_what_a_crash_left() {
    let s = setting().await;
    s.server.fail_inserts("documents", "disk full").await;
    let before = s.server.counts().await;
    let answer = s.lead.upload(&s.path("/documents"), form("Care plan", "plan.pdf", "application/pdf", PDF)).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(s.server.counts().await, before);
    assert!(s.server.stored_files().is_empty(), "the file written before the failed record is removed");
    s.server.allow_inserts("documents").await;

    // A crash between writing a file and recording it leaves a file no record names.
    let kept = s.upload(&s.lead, form("Care plan", "plan.pdf", "application/pdf", PDF)).await;
    let kept_id = kept["id"].as_str().unwrap().to_owned();
    std::fs::write(s.server.documents_dir().join("01900000-0000-7000-8000-000000000000"), PDF).unwrap();
    // And a crash during a write leaves the half-written temporary file.
    std::fs::write(s.server.documents_dir().join("01900000-0000-7000-8000-000000000001#1"), &PDF[..10]).unwrap();
    assert_eq!(s.server.stored_files().len(), 3);

    // Younger than a day, it may still be on its way to being recorded: it stays.
    s.server.clock.set(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(12));
    assert_eq!(s.server.app.sweep_orphan_documents().await.unwrap(), 0);
    assert_eq!(s.server.stored_files().len(), 3);
    // A day on, they go; the recorded file stays.
    s.server.clock.set(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(25));
    assert_eq!(s.server.app.sweep_orphan_documents().await.unwrap(), 2);
    assert_eq!(s.server.stored_files(), std::slice::from_ref(&kept_id));
    let lead = s.server.sign_in("lead").await;
    let (status, _, body) = lead.download(&s.path(&format!("/documents/{kept_id}/content"))).await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, PDF));
}

#[tokio::test]
async fn documents_are_append_only_in_the_database() {
    let s = setting().await;
    s.upload(&s.lead, form("Care plan", "plan.pdf", "application/pdf", PDF)).await;
    let mut conn = s.server.raw_connection().await;
    for statement in ["UPDATE documents SET title = 'Changed'", "DELETE FROM documents"] {
        let refused = sqlx::query(statement).execute(&mut conn).await;
        assert!(refused.is_err(), "{statement} is refused");
    }
    assert_eq!(s.listed(&s.lead).await, ["Care plan"]);
}

#[tokio::test]
async fn documents_are_uploaded_listed_and_recorded_from_the_case_page() {
    let s = setting().await;
    let page = s.server.page_user("lead").await;
    let case = &s.case;
    let (status, html) = page.get(&format!("/cases/{case}/documents")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No documents.") && html.contains("Upload a document"), "{html}");

    // A refused upload shows each problem at its field and writes nothing.
    let before = s.server.counts().await;
    let refused = page
        .post_multipart(
            &format!("/cases/{case}/documents"),
            vec![("title", Part::text("")), ("file", Part::bytes(ELF.to_vec()).file_name("plan.pdf"))],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("href=\"#document-title\"") && html.contains("href=\"#document-file\""), "{html}");
    assert!(html.contains("id=\"document-file-error\""));
    assert_eq!(s.server.counts().await, before);
    assert!(s.server.stored_files().is_empty());

    let uploaded = page
        .post_multipart(
            &format!("/cases/{case}/documents"),
            vec![
                ("title", Part::text("Intake letter")),
                ("classification", Part::text("do-not-disclose")),
                ("third_party", Part::text("yes")),
                ("file", Part::bytes(PDF.to_vec()).file_name("letter.pdf")),
            ],
        )
        .await;
    assert_eq!(uploaded.status(), StatusCode::SEE_OTHER);
    assert_eq!(uploaded.headers()["location"], format!("/cases/{case}/documents?done=document#documents").as_str());
    let recorded = page
        .post(
            &format!("/cases/{case}/paper-documents"),
            "title=Signed+plan&location=Leeds+office%2C+cabinet+3&received_on=2026-03-09",
        )
        .await;
    assert_eq!(recorded.status(), StatusCode::SEE_OTHER);
    let (_, html) = page.get(&format!("/cases/{case}/documents?done=paper-document")).await;
    assert!(html.contains("The paper document was recorded"));
    assert!(html.contains("Intake letter") && html.contains(">Do not disclose<") && html.contains(">Third party<"), "{html}");
    assert!(html.contains("PDF, ") && html.contains("Paper, kept at Leeds office, cabinet 3; received 9 March 2026"));
    let listed = s.lead.get(&s.path("/documents")).await;
    let letter = &listed.body["items"][0];
    let link = format!("/cases/{case}/documents/{}/content", letter["id"].as_str().unwrap());
    assert!(html.contains(&link));

    // The copy's form sits under its original; the copy is listed there.
    let copied = page
        .post_multipart(
            &format!("/cases/{case}/documents/{}/redacted-copies", letter["id"].as_str().unwrap()),
            vec![
                ("title", Part::text("Intake letter (redacted)")),
                ("classification", Part::text("normal")),
                ("file", Part::bytes(PDF.to_vec()).file_name("letter-redacted.pdf")),
            ],
        )
        .await;
    assert_eq!(copied.status(), StatusCode::SEE_OTHER);
    let (_, html) = page.get(&format!("/cases/{case}/documents")).await;
    let original_at = html.find("<strong>Intake letter</strong>").unwrap();
    let copy_at = html.find("<strong>Intake letter (redacted)</strong>").unwrap();
    let paper_at = html.find("<strong>Signed plan</strong>").unwrap();
    assert!(original_at < copy_at && copy_at < paper_at, "the copy is listed under its original");

    let (status, body) = page.get(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_bytes(), PDF);
}

/// S3-compatible storage, against a real S3 server: `scripts/test` starts one (s3s-fs, on
/// 127.0.0.1) and names a bucket in CASEWORK_TEST_S3 (with the AWS_* variables and, in
/// CASEWORK_TEST_S3_ROOT, the folder the server keeps its buckets in). Run without one, the
/// test says so and checks nothing.
#[tokio::test]
async fn documents_are_kept_in_s3_compatible_storage() {
    let (Ok(bucket), Ok(root)) = (std::env::var("CASEWORK_TEST_S3"), std::env::var("CASEWORK_TEST_S3_ROOT")) else {
        eprintln!("CASEWORK_TEST_S3 is not set: no S3-compatible server to test against (scripts/test starts one)");
        return;
    };
    let prefix = format!("run-{}", uuid::Uuid::now_v7());
    let url = format!("{bucket}/{prefix}");
    let (bucket_name, bucket_prefix) = bucket.trim_start_matches("s3://").split_once('/').unwrap_or((&bucket, ""));
    let folder = std::path::Path::new(&root).join(bucket_name).join(bucket_prefix).join(&prefix);
    let stored = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&folder)
            .map(|entries| entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        names.retain(|n| !n.starts_with('.'));
        names.sort();
        names
    };
    let server = spawn_storing_in(casework_app::DocumentStorage::s3(&url).unwrap()).await;
    let lead = server.user("lead", &["recovery:care-coordinator"]).await;
    let case = lead.open_case("recovery", "Bucketed").await["id"].as_str().unwrap().to_owned();

    let answer =
        lead.upload(&format!("/api/v1/cases/{case}/documents"), form("Care plan", "plan.pdf", "application/pdf", PDF)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    let id = answer.body["id"].as_str().unwrap().to_owned();
    assert_eq!(stored(), std::slice::from_ref(&id), "the file is in the bucket under its id");
    assert!(!server.documents_dir().exists(), "nothing is kept on local disk");
    let (status, headers, body) = lead.download(&format!("/api/v1/cases/{case}/documents/{id}/content")).await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, PDF));
    assert_eq!(headers["content-type"], "application/pdf");

    // A record that cannot be written leaves nothing in the bucket.
    server.fail_inserts("documents", "disk full").await;
    let answer = lead.upload(&format!("/api/v1/cases/{case}/documents"), form("Letter", "l.pdf", "application/pdf", PDF)).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(stored(), std::slice::from_ref(&id));
    server.allow_inserts("documents").await;

    // A changed object in the bucket is not served.
    std::fs::write(folder.join(&id), b"%PDF-1.4 something else entirely, same story\n").unwrap();
    let (status, _, body) = lead.download(&format!("/api/v1/cases/{case}/documents/{id}/content")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!body.starts_with(b"%PDF"));
    std::fs::write(folder.join(&id), PDF).unwrap();

    // An object no record names goes a day after it was written.
    std::fs::write(folder.join("01900000-0000-7000-8000-000000000000"), PDF).unwrap();
    assert_eq!(server.app.sweep_orphan_documents().await.unwrap(), 0, "the clock is at the test's start, before the files");
    server.clock.set(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(25));
    assert_eq!(server.app.sweep_orphan_documents().await.unwrap(), 1);
    assert_eq!(stored(), std::slice::from_ref(&id));
}
