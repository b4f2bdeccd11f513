//! The access matrix: every role of every reference service, against a case in each
//! relationship it can have to them, on every kind of route that shows, finds or counts a
//! case. The answer expected is worked out here, from the service definitions
//! (`services/*.toml`, read with this file's own small types) and the rules as
//! ARCHITECTURE.md and the domain's `access` module state them, never by asking the code
//! under test. Every answer that differs is collected and printed, and there must be none.
//! Beside it, the access log is held to account request by request: every case view served
//! is logged, nothing refused is, and a search logs exactly the cases it returned.
//!
//! The rules, as this file applies them:
//! 1. A role acts on a case only in its own service, only with the permission for the
//!    action, and only where its reach covers the case: `service` every case of the
//!    service; `team` the cases allocated to one of the user's teams or to them;
//!    `allocated` the cases allocated to them; `none` no case.
//! 2. A restricted or shielded case admits, on top of that, only users named on it in
//!    person or holding a named role.
//! 3. A restricted case may be opened by break-glass by a holder of `case.break-glass`
//!    whose reach covers it, for the service's hours; they are then admitted as if named.
//!    Anyone else who asks is refused: 409 if they may see it already, else 404.
//! 4. A case one may not read answers 404 and is in no list, count or search; a restricted
//!    case one could open by break-glass answers 403 (and is in no list either); a case one
//!    may read without the permission for the action answers 403.
//! 5. A restricted document is seen only by holders of `document.restricted`; "to everyone
//!    else it does not exist" (the domain's `document` module): 404.
//! 6. The access log is for holders of `audit.read` (403 for anyone else) and shows entries
//!    only about cases the auditor may read with `audit.read`.
//! 7. A service's reports answer 404 to those with no role in it and 403 to members without
//!    `reports.read`; what they count is only the cases the reader may both report on and
//!    read (rules 1 and 2), and reading them logs no case view.

use crate::harness::{Client, TestServer, spawn, start_time};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

// ---------------------------------------------------------------------------------------
// The service definitions, read on their own terms
// ---------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct Definition {
    service: Header,
    roles: Vec<RoleDef>,
    break_glass: Option<BreakGlassDef>,
}

#[derive(Debug, Deserialize)]
struct Header {
    code: String,
}

#[derive(Debug, Deserialize)]
struct RoleDef {
    code: String,
    permissions: BTreeSet<String>,
    reach: Reach,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Reach {
    Service,
    Team,
    Allocated,
    None,
}

#[derive(Debug, Deserialize)]
struct BreakGlassDef {
    hours: i64,
    notify_roles: Vec<String>,
    reasons: Vec<Coded>,
}

#[derive(Debug, Deserialize)]
struct Coded {
    code: String,
}

fn definitions() -> Vec<Definition> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../services");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

/// What the one who sets up a service's cases must hold: open, allocate and restrict cases,
/// record consent (`case.update`) and file documents of both classifications.
const SETUP_NEEDS: [&str; 6] =
    ["case.create", "case.allocate", "case.update", "case.restrict", "document.add", "document.restricted"];

/// How a case of each service is put on one of its work lists, so that one search of that
/// list can find every case of the service the reader may see: the list, the level a case
/// opens with and the stages it moves through. Each list's filter is in its service's file.
const ON_A_LIST: [(&str, &str, Option<&str>, &[&str]); 5] = [
    ("child-survivor", "follow-up", None, &["intake-assessment", "implementation", "follow-up"]),
    ("deanery", "level-3", Some("level-3"), &[]),
    ("family-court", "public-law", Some("public-law-s31"), &[]),
    ("ombudsman", "initial-look", None, &[]),
    ("recovery", "waiting-list", None, &[]),
];

/// The forms a referral to the service needs before it can be a case (only the deanery asks
/// for any: Form 1 and Form 2, as its `referrals.valid_when` says).
fn opening_forms(service: &str) -> Value {
    if service == "deanery" {
        json!([{ "form": "form-1", "answers": { "summary": "Incident on nights" }, "completed_by": "training-programme-director" },
               { "form": "form-2", "answers": { "communication": "Withdrawn" }, "completed_by": "training-programme-director" }])
    } else {
        json!([])
    }
}

fn on_a_list(service: &str) -> (&'static str, Option<&'static str>, &'static [&'static str]) {
    let (_, list, level, stages) =
        ON_A_LIST.iter().find(|(s, ..)| *s == service).expect("every service has a list for the matrix");
    (list, *level, stages)
}

// ---------------------------------------------------------------------------------------
// The routes, and what each needs (read from its handler)
// ---------------------------------------------------------------------------------------

/// What a route asks of its reader.
#[derive(Debug, Clone, Copy)]
enum Need {
    /// This permission on the case; `case.read` first, as a case one may not read does not exist.
    Permission(&'static str),
    /// A restricted document: `case.read`, and `document.restricted` or the document is hidden.
    RestrictedDocument,
    /// The access log: `audit.read` in some service; entries only about cases it covers.
    AccessLog,
}

/// What a served answer writes to the access log.
#[derive(Debug, Clone, Copy)]
enum Logs {
    /// Nothing: it is not a view of a case record.
    Nothing,
    /// Exactly one entry, by the reader, about the case, saying what was read.
    Exactly(&'static str),
    /// A page reads several parts of the record: at least the case itself, and nothing
    /// about any other case or by anyone else.
    Page,
}

#[derive(Debug, Clone, Copy)]
enum Send {
    Get,
    Download,
    /// The disclosure export: a POST answered with the case's bundle.
    Export,
}

struct CaseRoute {
    name: &'static str,
    /// With `{id}`, `{ref}`, `{doc}` (a normal document) and `{rdoc}` (a restricted one).
    path: &'static str,
    send: Send,
    needs: Need,
    logs: Logs,
}

/// Every route on one case, with the permission it needs. Confirmed against the handlers:
/// the case page's sections all load the case (`App::get_case`, case.read) and the parts
/// they show (case.read each); its History section and `/history` need history.read
/// (`App::case_history`); a download needs case.read, and document.restricted to see a
/// restricted document (`App::document_content`); an export is a disclosure, which needs
/// case.share (`App::record_disclosure`); the access log needs audit.read (`App::access_log`).
const CASE_ROUTES: [CaseRoute; 19] = [
    CaseRoute {
        name: "page: overview",
        path: "/cases/{id}",
        send: Send::Get,
        needs: Need::Permission("case.read"),
        logs: Logs::Page,
    },
    CaseRoute {
        name: "page: tasks",
        path: "/cases/{id}/tasks",
        send: Send::Get,
        needs: Need::Permission("case.read"),
        logs: Logs::Page,
    },
    CaseRoute {
        name: "page: record",
        path: "/cases/{id}/record",
        send: Send::Get,
        needs: Need::Permission("case.read"),
        logs: Logs::Page,
    },
    CaseRoute {
        name: "page: details",
        path: "/cases/{id}/details",
        send: Send::Get,
        needs: Need::Permission("case.read"),
        logs: Logs::Page,
    },
    CaseRoute {
        name: "page: sharing",
        path: "/cases/{id}/sharing",
        send: Send::Get,
        needs: Need::Permission("case.read"),
        logs: Logs::Page,
    },
    CaseRoute {
        name: "page: documents",
        path: "/cases/{id}/documents",
        send: Send::Get,
        needs: Need::Permission("case.read"),
        logs: Logs::Page,
    },
    CaseRoute {
        name: "page: history",
        path: "/cases/{id}/history",
        send: Send::Get,
        needs: Need::Permission("history.read"),
        logs: Logs::Page,
    },
    CaseRoute {
        name: "page: printed summary",
        path: "/cases/{id}/print",
        send: Send::Get,
        needs: Need::Permission("case.read"),
        logs: Logs::Page,
    },
    CaseRoute {
        name: "json: case",
        path: "/api/v1/cases/{id}",
        send: Send::Get,
        needs: Need::Permission("case.read"),
        logs: Logs::Exactly("case"),
    },
    CaseRoute {
        name: "json: notes",
        path: "/api/v1/cases/{id}/notes",
        send: Send::Get,
        needs: Need::Permission("case.read"),
        logs: Logs::Exactly("notes"),
    },
    CaseRoute {
        name: "json: tasks",
        path: "/api/v1/cases/{id}/tasks",
        send: Send::Get,
        needs: Need::Permission("case.read"),
        logs: Logs::Exactly("tasks"),
    },
    CaseRoute {
        name: "json: decisions",
        path: "/api/v1/cases/{id}/decisions",
        send: Send::Get,
        needs: Need::Permission("case.read"),
        logs: Logs::Exactly("decisions"),
    },
    CaseRoute {
        name: "json: history",
        path: "/api/v1/cases/{id}/history",
        send: Send::Get,
        needs: Need::Permission("history.read"),
        logs: Logs::Exactly("history"),
    },
    CaseRoute {
        name: "export",
        path: "/api/v1/cases/{id}/disclosures",
        send: Send::Export,
        needs: Need::Permission("case.share"),
        logs: Logs::Exactly("export"),
    },
    CaseRoute {
        name: "download",
        path: "/api/v1/cases/{id}/documents/{doc}/content",
        send: Send::Download,
        needs: Need::Permission("case.read"),
        logs: Logs::Exactly("document {doc}"),
    },
    CaseRoute {
        name: "download: restricted document",
        path: "/api/v1/cases/{id}/documents/{rdoc}/content",
        send: Send::Download,
        needs: Need::RestrictedDocument,
        logs: Logs::Exactly("document {rdoc}"),
    },
    CaseRoute {
        name: "page: download",
        path: "/cases/{id}/documents/{doc}/content",
        send: Send::Download,
        needs: Need::Permission("case.read"),
        logs: Logs::Exactly("document {doc}"),
    },
    CaseRoute {
        name: "json: access log",
        path: "/api/v1/access-log?case={ref}",
        send: Send::Get,
        needs: Need::AccessLog,
        logs: Logs::Nothing,
    },
    CaseRoute {
        name: "page: access log",
        path: "/audit?case={ref}",
        send: Send::Get,
        needs: Need::AccessLog,
        logs: Logs::Nothing,
    },
];

const RELATIONSHIPS: [&str; 8] = ["allocated", "team", "service", "other", "none", "restricted", "shielded", "break-glass"];

// ---------------------------------------------------------------------------------------
// The world as the test made it, and the rules applied to it
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Person {
    id: String,
    /// (service, role) pairs.
    roles: Vec<(String, String)>,
    teams: BTreeSet<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Unrestricted,
    Restricted,
    Shielded,
}

#[derive(Debug, Clone)]
struct CaseFacts {
    id: String,
    reference: String,
    service: String,
    worker: Option<String>,
    team: Option<String>,
    level: Level,
    named_users: BTreeSet<String>,
    named_roles: BTreeSet<String>,
    /// Break-glass grants: who, and when their window ends.
    grants: Vec<(String, jiff::Timestamp)>,
    consent: String,
    document: String,
    restricted_document: String,
}

struct Rules<'a> {
    definitions: &'a [Definition],
    now: jiff::Timestamp,
}

/// An answer: its status and, for a route that lists or finds cases, whether the case is in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Outcome {
    status: u16,
    shown: Option<bool>,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.shown {
            None => write!(f, "{}", self.status),
            Some(true) => write!(f, "{} shown", self.status),
            Some(false) => write!(f, "{} not shown", self.status),
        }
    }
}

impl Rules<'_> {
    fn definition(&self, service: &str) -> &Definition {
        self.definitions.iter().find(|d| d.service.code == service).unwrap()
    }

    fn roles<'p>(&'p self, who: &'p Person, service: &'p str) -> impl Iterator<Item = &'p RoleDef> + 'p {
        who.roles
            .iter()
            .filter(move |(s, _)| s == service)
            .map(move |(s, code)| self.definition(s).roles.iter().find(|r| &r.code == code).unwrap())
    }

    /// Rule 1: role, permission and reach, restriction aside.
    fn reaches(&self, who: &Person, permission: &str, case: &CaseFacts) -> bool {
        let allocated = case.worker.as_deref() == Some(who.id.as_str());
        self.roles(who, &case.service).any(|role| {
            role.permissions.contains(permission)
                && match role.reach {
                    Reach::Service => true,
                    Reach::Team => allocated || case.team.as_ref().is_some_and(|t| who.teams.contains(t)),
                    Reach::Allocated => allocated,
                    Reach::None => false,
                }
        })
    }

    /// Rules 2 and 3: does the case's restriction let them in?
    fn admitted(&self, who: &Person, case: &CaseFacts) -> bool {
        let named = case.named_users.contains(&who.id)
            || who.roles.iter().any(|(s, r)| s == &case.service && case.named_roles.contains(r));
        let broke_glass = case.grants.iter().any(|(user, until)| user == &who.id && *until > self.now);
        match case.level {
            Level::Unrestricted => true,
            Level::Restricted => named || broke_glass,
            Level::Shielded => named,
        }
    }

    fn may(&self, who: &Person, permission: &str, case: &CaseFacts) -> bool {
        self.reaches(who, permission, case) && self.admitted(who, case)
    }

    fn may_break_glass(&self, who: &Person, case: &CaseFacts) -> bool {
        case.level == Level::Restricted && !self.admitted(who, case) && self.reaches(who, "case.break-glass", case)
    }

    /// Reads some cases of the service: has its work lists (and its counts).
    fn reads_in(&self, who: &Person, service: &str) -> bool {
        self.roles(who, service).any(|r| r.permissions.contains("case.read") && r.reach != Reach::None)
    }

    /// Reads some cases of some service, and so may search.
    fn reads_anywhere(&self, who: &Person) -> bool {
        who.roles.iter().any(|(service, _)| self.reads_in(who, service))
    }

    /// Could be given a case of the service: nobody may hold a case they could not read.
    fn may_carry(&self, who: &Person, service: &str) -> bool {
        self.reads_in(who, service)
    }

    fn audits(&self, who: &Person) -> bool {
        who.roles.iter().any(|(s, _)| self.roles(who, s).any(|r| r.permissions.contains("audit.read")))
    }

    /// Rule 4, for a route on one case.
    fn on_case(&self, who: &Person, permission: &str, case: &CaseFacts) -> u16 {
        if self.may(who, "case.read", case) {
            if self.may(who, permission, case) { 200 } else { 403 }
        } else if self.may_break_glass(who, case) {
            403
        } else {
            404
        }
    }

    fn expect(&self, who: &Person, needs: Need, case: &CaseFacts) -> Outcome {
        match needs {
            Need::Permission(permission) => Outcome { status: self.on_case(who, permission, case), shown: None },
            Need::RestrictedDocument => match self.on_case(who, "case.read", case) {
                200 if !self.may(who, "document.restricted", case) => Outcome { status: 404, shown: None },
                status => Outcome { status, shown: None },
            },
            Need::AccessLog if self.audits(who) => Outcome { status: 200, shown: Some(self.may(who, "audit.read", case)) },
            Need::AccessLog => Outcome { status: 403, shown: None },
        }
    }
}

// ---------------------------------------------------------------------------------------
// The access log, read after every request
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    user: String,
    case: String,
    what: String,
}

struct Ledger {
    conn: sqlx::AnyConnection,
    /// Entry ids are UUIDv7, made in this process in increasing order.
    last: String,
    at_start: i64,
    entries: i64,
}

impl Ledger {
    async fn open(server: &TestServer) -> Ledger {
        let mut conn = server.raw_connection().await;
        let last: String = sqlx::query_scalar("SELECT COALESCE(MAX(id), '') FROM access_log").fetch_one(&mut conn).await.unwrap();
        Ledger { conn, last, at_start: server.count("access_log").await, entries: 0 }
    }

    /// The entries written since the last call (the access log is append-only).
    async fn since(&mut self) -> Vec<Entry> {
        let rows: Vec<(String, String, String, String)> =
            sqlx::query_as("SELECT id, user_id, case_id, what FROM access_log WHERE id > $1 ORDER BY id")
                .bind(&self.last)
                .fetch_all(&mut self.conn)
                .await
                .unwrap();
        if let Some((last, ..)) = rows.last() {
            self.last.clone_from(last);
        }
        self.entries += rows.len() as i64;
        rows.into_iter().map(|(_, user, case, what)| Entry { user, case, what }).collect()
    }
}

fn describe(entries: &[Entry]) -> String {
    if entries.is_empty() {
        return "nothing logged".into();
    }
    entries.iter().map(|e| e.what.as_str()).collect::<Vec<_>>().join(", ")
}

// ---------------------------------------------------------------------------------------
// One service's matrix
// ---------------------------------------------------------------------------------------

#[derive(Debug)]
struct Mismatch {
    service: String,
    role: String,
    relationship: String,
    route: String,
    expected: String,
    actual: String,
}

#[derive(Debug, Default)]
struct Report {
    mismatches: Vec<Mismatch>,
    /// Checks made, by role and relationship (or "counts").
    checked: BTreeMap<String, BTreeMap<&'static str, usize>>,
    views_served: i64,
    views_logged: i64,
    search_results: i64,
    search_entries: i64,
    /// Cases listed behind the caseload reports the matrix read.
    reported_cases: i64,
    /// Growth of the access_log table over the matrix, and the entries the ledger saw.
    growth: i64,
    accounted: i64,
}

#[derive(Clone)]
struct Who {
    client: Client,
    person: Person,
}

/// What one reader's lists show of one service: the case list, the work list (as JSON, as
/// a page, and searched on the page), the full-text search, and the totals the pages show.
#[derive(Debug, Clone)]
struct Listing {
    list_status: u16,
    listed: BTreeSet<String>,
    work_list_status: u16,
    on_work_list: BTreeSet<String>,
    /// The work list page's total, browsing; None when the page is not found.
    browse_total: Option<i64>,
    search_status: u16,
    found: BTreeSet<String>,
    search_total: Option<i64>,
    full_text_status: u16,
    found_by_full_text: BTreeSet<String>,
}

/// The home page: the reader's caseload, and each work list's count.
#[derive(Debug, Clone)]
struct Home {
    status: u16,
    caseload: BTreeSet<String>,
    counts: BTreeMap<(String, String), i64>,
}

struct Matrix<'a> {
    server: TestServer,
    rules: Rules<'a>,
    service: String,
    ledger: Ledger,
    cases: Vec<CaseFacts>,
    listings: BTreeMap<(String, String), Listing>,
    homes: BTreeMap<String, Home>,
    report: Report,
}

/// Every case id linked from a page (`href="/cases/{id}"`).
fn linked_cases(html: &str) -> BTreeSet<String> {
    html.split("href=\"/cases/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|id| !id.contains('/'))
        .map(str::to_owned)
        .collect()
}

fn fill(path: &str, case: &CaseFacts) -> String {
    path.replace("{id}", &case.id)
        .replace("{ref}", &case.reference)
        .replace("{rdoc}", &case.restricted_document)
        .replace("{doc}", &case.document)
}

fn export_body(case: &CaseFacts) -> Value {
    json!({
        "kind": "export",
        "recipient_organisation": "Records office",
        "recipient_person": "Records officer",
        "sent_how": "Download",
        "summary": "The whole record",
        "basis": format!("consent:{}", case.consent),
        "reason": "Asked for by the person",
    })
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

impl Matrix<'_> {
    fn tally(&mut self, role: &str, column: &'static str) {
        *self.report.checked.entry(role.to_owned()).or_default().entry(column).or_default() += 1;
    }

    fn compare(
        &mut self,
        role: &str,
        relationship: &'static str,
        route: &str,
        expected: impl fmt::Display,
        actual: impl fmt::Display,
    ) {
        self.tally(role, relationship);
        let (expected, actual) = (expected.to_string(), actual.to_string());
        if expected != actual {
            self.report.mismatches.push(Mismatch {
                service: self.service.clone(),
                role: role.to_owned(),
                relationship: relationship.to_owned(),
                route: route.to_owned(),
                expected,
                actual,
            });
        }
    }

    /// Holds the access log to the answer just received, which should have logged as
    /// `logs` says (`Logs::Nothing` for anything not served).
    async fn account(&mut self, role: &str, relationship: &'static str, route: &str, who: &Who, case: &CaseFacts, logs: Logs) {
        let entries = self.ledger.since().await;
        let expected = match logs {
            Logs::Exactly(what) => {
                vec![Entry { user: who.person.id.clone(), case: case.id.clone(), what: fill(what, case) }]
            }
            Logs::Page => {
                let ours = entries.iter().all(|e| e.user == who.person.id && e.case == case.id);
                if ours && entries.iter().any(|e| e.what == "case") {
                    entries.clone()
                } else {
                    vec![Entry { user: who.person.id.clone(), case: case.id.clone(), what: "case (and the parts shown)".into() }]
                }
            }
            Logs::Nothing => Vec::new(),
        };
        self.report.views_served += i64::from(!matches!(logs, Logs::Nothing));
        self.report.views_logged += i64::from(!entries.is_empty());
        if entries != expected {
            self.report.mismatches.push(Mismatch {
                service: self.service.clone(),
                role: role.to_owned(),
                relationship: relationship.to_owned(),
                route: format!("{route}: access log"),
                expected: describe(&expected),
                actual: describe(&entries),
            });
        }
    }

    async fn case_route(&mut self, role: &str, relationship: &'static str, who: &Who, case: &CaseFacts, route: &CaseRoute) {
        let path = fill(route.path, case);
        let expected = self.rules.expect(&who.person, route.needs, case);
        let (status, body) = match route.send {
            Send::Get => {
                let answer = who.client.get(&path).await;
                (answer.status, answer.body)
            }
            Send::Download => (who.client.download(&path).await.0, Value::Null),
            Send::Export => (who.client.post_for_bytes(&path, export_body(case)).await.0, Value::Null),
        };
        let shown = match (route.needs, status) {
            (Need::AccessLog, StatusCode::OK) => Some(match &body {
                Value::String(html) => linked_cases(html).contains(&case.id),
                json => json["items"]
                    .as_array()
                    .is_some_and(|items| items.iter().any(|e| e["case_reference"] == case.reference.as_str())),
            }),
            _ => None,
        };
        let actual = Outcome { status: status.as_u16(), shown };
        self.compare(role, relationship, route.name, expected, actual);
        let logs = if status.is_success() { route.logs } else { Logs::Nothing };
        self.account(role, relationship, route.name, who, case, logs).await;
    }

    /// Checks that the request just answered logged nothing: it showed no case record.
    async fn logged_nothing(&mut self, role: &str, relationship: &'static str, route: &str) {
        let entries = self.ledger.since().await;
        if !entries.is_empty() {
            self.report.views_logged += 1;
            self.report.mismatches.push(Mismatch {
                service: self.service.clone(),
                role: role.to_owned(),
                relationship: relationship.to_owned(),
                route: format!("{route}: access log"),
                expected: "nothing logged".into(),
                actual: describe(&entries),
            });
        }
    }

    /// The lists of one service as one reader sees them, read once until what they may
    /// see changes.
    async fn listing(&mut self, role: &str, relationship: &'static str, who: &Who, service: &str) -> Listing {
        let key = (who.person.id.clone(), service.to_owned());
        if let Some(listing) = self.listings.get(&key) {
            return listing.clone();
        }
        let ids = |body: &Value| -> BTreeSet<String> {
            body["items"]
                .as_array()
                .map(|items| items.iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect())
                .unwrap_or_default()
        };
        let total = |answer: &crate::harness::Answer| -> Option<i64> {
            let html = answer.body.as_str().filter(|_| answer.status == StatusCode::OK)?;
            html.split("id=\"results\" tabindex=\"-1\">").nth(1)?.split(' ').next()?.parse().ok()
        };
        let (list_code, ..) = on_a_list(service);

        let list = who.client.get(&format!("/api/v1/cases?service={service}&limit=200")).await;
        self.logged_nothing(role, relationship, "json: case list").await;
        let work_list = who.client.get(&format!("/api/v1/work-lists/{service}/{list_code}?limit=200")).await;
        self.logged_nothing(role, relationship, "json: work list").await;
        let browse = who.client.get(&format!("/work-lists/{service}/{list_code}?per_page=100")).await;
        self.logged_nothing(role, relationship, "page: work list").await;

        let search = who.client.get(&format!("/work-lists/{service}/{list_code}?text=Matrix&per_page=100")).await;
        let found = match &search.body {
            Value::String(html) if search.status == StatusCode::OK => linked_cases(html),
            _ => BTreeSet::new(),
        };
        self.searched(role, relationship, who, "page: work list search", &found).await;
        // Every matrix case has "Matrix" in its person's name.
        let full_text = who.client.get(&format!("/api/v1/search?q=Matrix&service={service}&limit=200")).await;
        let found_by_full_text: BTreeSet<String> = full_text.body["items"]
            .as_array()
            .map(|items| items.iter().map(|hit| hit["case"].as_str().unwrap().to_owned()).collect())
            .unwrap_or_default();
        self.searched(role, relationship, who, "json: full-text search", &found_by_full_text).await;
        let listing = Listing {
            list_status: list.status.as_u16(),
            listed: ids(&list.body),
            work_list_status: work_list.status.as_u16(),
            on_work_list: ids(&work_list.body),
            browse_total: total(&browse),
            search_status: search.status.as_u16(),
            search_total: total(&search),
            found,
            full_text_status: full_text.status.as_u16(),
            found_by_full_text,
        };
        self.listings.insert(key, listing.clone());
        listing
    }

    /// Holds the access log to the search just answered: one "search" entry for each case it
    /// returned, and nothing else.
    async fn searched(&mut self, role: &str, relationship: &'static str, who: &Who, route: &str, found: &BTreeSet<String>) {
        let entries = self.ledger.since().await;
        let expected: Vec<Entry> =
            found.iter().map(|case| Entry { user: who.person.id.clone(), case: case.clone(), what: "search".into() }).collect();
        let mut logged = entries.clone();
        logged.sort();
        self.report.search_results += found.len() as i64;
        self.report.search_entries += entries.len() as i64;
        if logged != expected {
            self.report.mismatches.push(Mismatch {
                service: self.service.clone(),
                role: role.to_owned(),
                relationship: relationship.to_owned(),
                route: format!("{route}: access log"),
                expected: format!("{} search entries", expected.len()),
                actual: format!("{} entries: {}", entries.len(), describe(&entries)),
            });
        }
    }

    async fn home(&mut self, role: &str, relationship: &'static str, who: &Who) -> Home {
        if let Some(home) = self.homes.get(&who.person.id) {
            return home.clone();
        }
        let answer = who.client.get("/").await;
        let html = answer.body.as_str().unwrap_or_default().to_owned();
        let caseload =
            html.split("My caseload").nth(1).and_then(|rest| rest.split("My tasks").next()).map(linked_cases).unwrap_or_default();
        let mut counts = BTreeMap::new();
        for part in html.split("href=\"/work-lists/").skip(1) {
            let (Some(address), Some(count)) = (part.split('"').next(), part.split("<strong>").nth(1)) else { continue };
            let (Some((service, list)), Some(count)) = (address.split_once('/'), count.split('<').next()) else { continue };
            if let Ok(count) = count.parse() {
                counts.insert((service.to_owned(), list.to_owned()), count);
            }
        }
        self.logged_nothing(role, relationship, "page: home").await;
        let home = Home { status: answer.status.as_u16(), caseload, counts };
        self.homes.insert(who.person.id.clone(), home.clone());
        home
    }

    /// Where the case shows: the case list, the searches, the home page's caseload.
    async fn presence(&mut self, role: &str, relationship: &'static str, who: &Who, case: &CaseFacts) {
        let reads = self.rules.may(&who.person, "case.read", case);
        let listing = self.listing(role, relationship, who, &case.service.clone()).await;
        let actual = Outcome { status: listing.list_status, shown: Some(listing.listed.contains(&case.id)) };
        self.compare(role, relationship, "json: case list", Outcome { status: 200, shown: Some(reads) }, actual);
        let actual = Outcome { status: listing.work_list_status, shown: Some(listing.on_work_list.contains(&case.id)) };
        self.compare(role, relationship, "json: work list", Outcome { status: 200, shown: Some(reads) }, actual);

        let expected = if self.rules.reads_in(&who.person, &case.service) {
            Outcome { status: 200, shown: Some(reads) }
        } else {
            Outcome { status: 404, shown: None }
        };
        let actual = Outcome {
            status: listing.search_status,
            shown: (listing.search_status == 200).then(|| listing.found.contains(&case.id)),
        };
        self.compare(role, relationship, "page: work list search", expected, actual);

        // Anyone who may read some case may search; the search finds only what they may read.
        let expected = if self.rules.reads_anywhere(&who.person) {
            Outcome { status: 200, shown: Some(reads) }
        } else {
            Outcome { status: 403, shown: None }
        };
        let actual = Outcome {
            status: listing.full_text_status,
            shown: (listing.full_text_status == 200).then(|| listing.found_by_full_text.contains(&case.id)),
        };
        self.compare(role, relationship, "json: full-text search", expected, actual);

        let home = self.home(role, relationship, who).await;
        let mine = case.worker.as_deref() == Some(who.person.id.as_str());
        let actual = Outcome { status: home.status, shown: Some(home.caseload.contains(&case.id)) };
        self.compare(role, relationship, "page: home caseload", Outcome { status: 200, shown: Some(mine && reads) }, actual);
    }

    /// The counts of the work lists the matrix's cases are on, from the API and the home page.
    async fn counts(&mut self, role: &str, who: &Who) {
        let services: BTreeSet<String> = self.cases.iter().map(|c| c.service.clone()).collect();
        let answer = who.client.get("/api/v1/work-lists").await;
        self.logged_nothing(role, "counts", "json: work-list counts").await;
        self.homes.remove(&who.person.id);
        let home = self.home(role, "counts", who).await;
        for service in services {
            let (list, ..) = on_a_list(&service);
            let expected = self.rules.reads_in(&who.person, &service).then(|| {
                self.cases.iter().filter(|c| c.service == service && self.rules.may(&who.person, "case.read", c)).count() as i64
            });
            let from_api = answer.body.as_array().and_then(|lists| {
                lists.iter().find(|l| l["service"] == service.as_str() && l["code"] == list).map(|l| l["count"].as_i64().unwrap())
            });
            let on_home = home.counts.get(&(service.clone(), list.to_owned())).copied();
            let listing = self.listing(role, "counts", who, &service).await;
            let show = |count: Option<i64>| count.map_or_else(|| "no such list".to_owned(), |n| format!("{n} cases"));
            self.compare(role, "counts", &format!("json: work-list count ({service}/{list})"), show(expected), show(from_api));
            self.compare(role, "counts", &format!("page: home count ({service}/{list})"), show(expected), show(on_home));
            self.compare(
                role,
                "counts",
                &format!("page: work list total ({service}/{list})"),
                show(expected),
                show(listing.browse_total),
            );
            self.compare(
                role,
                "counts",
                &format!("page: search total ({service}/{list})"),
                show(expected),
                show(listing.search_total),
            );
        }
    }

    /// The reports of each service the matrix's cases are in: refused to non-members (404)
    /// and to members without `reports.read` (403); to the others, the cases behind the
    /// caseload are exactly the open cases they may both report on and read, and listing
    /// them logs no view.
    async fn reports(&mut self, role: &str, who: &Who) {
        let services: BTreeSet<String> = self.cases.iter().map(|c| c.service.clone()).collect();
        for service in services {
            let member = self.rules.roles(&who.person, &service).next().is_some();
            let reports = self.rules.roles(&who.person, &service).any(|r| r.permissions.contains("reports.read"));
            let expected_status = match (member, reports) {
                (false, _) => 404,
                (true, false) => 403,
                (true, true) => 200,
            };
            for report in ["timeliness", "caseload", "referrals", "alerts", "monthly-output"] {
                let answer = who.client.get(&format!("/api/v1/services/{service}/reports/{report}")).await;
                self.logged_nothing(role, "reports", &format!("json: {report} report")).await;
                self.compare(
                    role,
                    "reports",
                    &format!("json: {report} report ({service})"),
                    expected_status,
                    answer.status.as_u16(),
                );
            }
            let index = who.client.get(&format!("/services/{service}/reports")).await;
            self.compare(role, "reports", &format!("page: reports ({service})"), expected_status, index.status.as_u16());
            let export = who.client.download(&format!("/api/v1/services/{service}/reports/caseload/export?format=csv")).await;
            self.compare(role, "reports", &format!("json: caseload export ({service})"), expected_status, export.0.as_u16());

            let behind = who.client.get(&format!("/api/v1/services/{service}/reports/caseload/cases")).await;
            self.logged_nothing(role, "reports", "json: cases behind the caseload").await;
            let listed: BTreeSet<String> = behind
                .body
                .as_array()
                .map(|cases| cases.iter().map(|c| c["case"].as_str().unwrap().to_owned()).collect())
                .unwrap_or_default();
            let expected: BTreeSet<String> = self
                .cases
                .iter()
                .filter(|c| {
                    c.service == service
                        && self.rules.may(&who.person, "reports.read", c)
                        && self.rules.may(&who.person, "case.read", c)
                })
                .map(|c| c.id.clone())
                .collect();
            self.report.reported_cases += listed.len() as i64;
            let show = |status: u16, cases: &BTreeSet<String>| {
                if status == 200 { format!("200, {} cases: {cases:?}", cases.len()) } else { status.to_string() }
            };
            self.compare(
                role,
                "reports",
                &format!("json: cases behind the caseload ({service})"),
                show(expected_status, &expected),
                show(behind.status.as_u16(), &listed),
            );
        }
    }

    /// Everything one reader sees of one case.
    async fn cell(&mut self, role: &str, relationship: &'static str, who: &Who, case: &CaseFacts) {
        for route in &CASE_ROUTES {
            self.case_route(role, relationship, who, case, route).await;
        }
        self.presence(role, relationship, who, case).await;
    }

    /// Breaking glass on the restricted case: granted only where rule 3 allows, with the
    /// service's hours; refused as rule 3 says otherwise. Returns whether it was granted.
    async fn break_glass(&mut self, role: &str, who: &Who, restricted: usize) -> bool {
        let case = self.cases[restricted].clone();
        let rules = self.rules.definition(&case.service).break_glass.as_ref().expect("every reference service has break-glass");
        let (reason, hours) = (rules.reasons[0].code.clone(), rules.hours);
        let expected = if self.rules.may_break_glass(&who.person, &case) {
            201
        } else if self.rules.may(&who.person, "case.read", &case) {
            409
        } else {
            404
        };
        let answer = who
            .client
            .post(
                &format!("/api/v1/cases/{}/break-glass", case.id),
                json!({ "reason": reason, "details": "Checking the matrix" }),
            )
            .await;
        self.compare(role, "break-glass", "json: break-glass", expected, answer.status.as_u16());
        self.account(role, "break-glass", "json: break-glass", who, &case, Logs::Nothing).await;
        if answer.status != StatusCode::CREATED {
            return false;
        }
        let until = self.rules.now + jiff::SignedDuration::from_hours(hours);
        self.compare(
            role,
            "break-glass",
            "json: break-glass window",
            until,
            answer.body["expires_at"].as_str().unwrap_or_default(),
        );
        self.cases[restricted].grants.push((who.person.id.clone(), until));
        // What they may see has changed: read their lists afresh.
        self.listings.retain(|(user, _), _| user != &who.person.id);
        self.homes.remove(&who.person.id);
        true
    }

    fn mine(&mut self, role: &str) {
        self.report.checked.entry(role.to_owned()).or_default();
    }
}

// ---------------------------------------------------------------------------------------
// Setting a service up
// ---------------------------------------------------------------------------------------

async fn make_user(server: &TestServer, name: &str, role: Option<(&str, &str)>) -> Who {
    let roles: Vec<String> = role.iter().map(|(s, r)| format!("{s}:{r}")).collect();
    let client = server.user(name, &roles.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let person = Person {
        id: client.id(),
        roles: role.iter().map(|(s, r)| ((*s).to_owned(), (*r).to_owned())).collect(),
        teams: BTreeSet::new(),
    };
    Who { client, person }
}

fn setup_role(definition: &Definition) -> &str {
    &definition
        .roles
        .iter()
        .find(|r| r.reach == Reach::Service && SETUP_NEEDS.iter().all(|p| r.permissions.contains(*p)))
        .expect("a role that may set cases up")
        .code
}

/// A case opened by `by` and put on its service's matrix work list, with a consent to
/// export on and two documents (one restricted); allocation and restriction come after.
async fn open_case(by: &Client, service: &str, family: &str) -> (CaseFacts, i64) {
    let (_, level, stages) = on_a_list(service);
    let opened = by
        .post(
            "/api/v1/cases",
            json!({ "service": service, "source": "staff", "summary": "Asked for support",
                    "person": { "given_name": "Sam", "family_name": family }, "level": level,
                    "forms": opening_forms(service) }),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{opened:?}");
    let id = opened.body["id"].as_str().unwrap().to_owned();
    let mut version = opened.body["version"].as_i64().unwrap();
    for stage in stages {
        let moved = by.post(&format!("/api/v1/cases/{id}/stage"), json!({ "version": version, "stage": stage })).await;
        assert_eq!(moved.status, StatusCode::OK, "{moved:?}");
        version = moved.body["version"].as_i64().unwrap();
    }
    let consent = by
        .post(
            &format!("/api/v1/cases/{id}/consents"),
            json!({ "kind": "consent", "given_by": "Sam", "relationship": "self", "scope": "The whole record",
                    "with_whom": "Whoever the person asks", "how": "written", "given_on": "2026-03-01" }),
        )
        .await;
    assert_eq!(consent.status, StatusCode::CREATED, "{consent:?}");
    let mut documents = Vec::new();
    for classification in ["normal", "restricted"] {
        let form = Form::new()
            .text("title", format!("A {classification} report"))
            .text("classification", classification)
            .part("file", Part::bytes(PDF.to_vec()).file_name("report.pdf").mime_str("application/pdf").unwrap());
        let uploaded = by.upload(&format!("/api/v1/cases/{id}/documents"), form).await;
        assert_eq!(uploaded.status, StatusCode::CREATED, "{uploaded:?}");
        documents.push(uploaded.body["id"].as_str().unwrap().to_owned());
    }
    let facts = CaseFacts {
        id,
        reference: opened.body["reference"].as_str().unwrap().to_owned(),
        service: service.to_owned(),
        worker: None,
        team: None,
        level: Level::Unrestricted,
        named_users: BTreeSet::new(),
        named_roles: BTreeSet::new(),
        grants: Vec::new(),
        consent: consent.body["id"].as_str().unwrap().to_owned(),
        document: documents[0].clone(),
        restricted_document: documents[1].clone(),
    };
    (facts, version)
}

async fn allocate(
    by: &Client,
    case: &mut CaseFacts,
    version: &mut i64,
    worker: Option<&Person>,
    team: Option<&str>,
) -> StatusCode {
    let answer = by
        .post(
            &format!("/api/v1/cases/{}/allocation", case.id),
            json!({ "version": *version, "worker": worker.map(|w| w.id.clone()), "team": team }),
        )
        .await;
    if answer.status == StatusCode::OK {
        *version = answer.body["version"].as_i64().unwrap();
        case.worker = worker.map(|w| w.id.clone());
        case.team = team.map(str::to_owned);
    }
    answer.status
}

async fn restrict(by: &Client, case: &mut CaseFacts, level: Level, users: &[&Person], roles: &[&str]) {
    let version = by.get(&format!("/api/v1/cases/{}", case.id)).await.body["version"].as_i64().unwrap();
    let name = if level == Level::Restricted { "restricted" } else { "shielded" };
    let users: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    let answer = by
        .request(
            Method::PUT,
            &format!("/api/v1/cases/{}/restriction", case.id),
            Some(json!({ "version": version, "restriction": name, "users": users, "roles": roles })),
            &[],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    case.level = level;
    case.named_users = users.into_iter().collect();
    case.named_roles = roles.iter().map(|r| (*r).to_owned()).collect();
}

async fn matrix_of(definitions: &[Definition], index: usize) -> Report {
    let definition = &definitions[index];
    let elsewhere_definition = &definitions[(index + 1) % definitions.len()];
    let service = definition.service.code.as_str();
    let elsewhere_service = elsewhere_definition.service.code.as_str();
    let server = spawn().await;

    // The people: one user per role, all in one team; someone who sets the cases up; a
    // worker of another team; someone with a role in another service; someone with no role.
    let keeper = make_user(&server, "keeper", Some((service, setup_role(definition)))).await;
    let mut other = make_user(&server, "other", Some((service, setup_role(definition)))).await;
    let elsewhere = make_user(&server, "elsewhere", Some((elsewhere_service, setup_role(elsewhere_definition)))).await;
    let nobody = make_user(&server, "nobody", None).await;
    let mut members = Vec::new();
    for role in &definition.roles {
        members.push((role.code.clone(), make_user(&server, &role.code, Some((service, &role.code))).await));
    }
    let clients: Vec<&Client> = members.iter().map(|(_, who)| &who.client).collect();
    let team = server.team(service, "Matrix team", &clients).await.to_string();
    for (_, who) in &mut members {
        who.person.teams.insert(team.clone());
    }
    let other_team = server.team(service, "Another team", &[&other.client]).await.to_string();
    other.person.teams.insert(other_team.clone());

    let rules = Rules { definitions, now: start_time() };
    let mut allocations = Vec::new();
    let mut cases = Vec::new();

    // Allocated to each role's user (where the role may hold cases at all).
    let mut allocated = BTreeMap::new();
    for (role, who) in &members {
        if !rules.may_carry(&who.person, service) {
            continue;
        }
        let (mut case, mut version) = open_case(&keeper.client, service, &format!("Matrix-{role}")).await;
        let status = allocate(&keeper.client, &mut case, &mut version, Some(&who.person), None).await;
        allocations.push((role.clone(), 200, status.as_u16()));
        allocated.insert(role.clone(), cases.len());
        cases.push(case);
    }
    // Allocated to their team, to no one in it.
    let (mut case, mut version) = open_case(&keeper.client, service, "Matrix-team").await;
    assert_eq!(allocate(&keeper.client, &mut case, &mut version, None, Some(&team)).await, StatusCode::OK);
    let team_case = cases.len();
    cases.push(case);
    // In the service, with another worker in another team. Before that, those who may not
    // hold cases are offered it, and must be refused.
    let (mut case, mut version) = open_case(&keeper.client, service, "Matrix-service").await;
    for (role, who) in &members {
        if !rules.may_carry(&who.person, service) {
            let status = allocate(&keeper.client, &mut case, &mut version, Some(&who.person), None).await;
            allocations.push((role.clone(), 422, status.as_u16()));
        }
    }
    assert_eq!(allocate(&keeper.client, &mut case, &mut version, Some(&other.person), Some(&other_team)).await, StatusCode::OK);
    let service_case = cases.len();
    cases.push(case);
    // In another service.
    let (case, _) = open_case(&elsewhere.client, elsewhere_service, "Matrix-elsewhere").await;
    let other_case = cases.len();
    cases.push(case);
    // Restricted and shielded, in the team, held by the keeper. A restricted case must name
    // a role told of break-glass; the first is named, and nobody else.
    let notify = definition.break_glass.as_ref().map(|b| b.notify_roles[0].clone()).expect("break-glass is defined");
    let (mut case, mut version) = open_case(&keeper.client, service, "Matrix-restricted").await;
    assert_eq!(allocate(&keeper.client, &mut case, &mut version, Some(&keeper.person), Some(&team)).await, StatusCode::OK);
    restrict(&keeper.client, &mut case, Level::Restricted, &[&keeper.person], &[&notify]).await;
    let restricted_case = cases.len();
    cases.push(case);
    let (mut case, mut version) = open_case(&keeper.client, service, "Matrix-shielded").await;
    assert_eq!(allocate(&keeper.client, &mut case, &mut version, Some(&keeper.person), Some(&team)).await, StatusCode::OK);
    restrict(&keeper.client, &mut case, Level::Shielded, &[&keeper.person], &[]).await;
    let shielded_case = cases.len();
    cases.push(case);

    // Every case of the service is on the list the matrix searches (the keeper sees them all).
    let (list, ..) = on_a_list(service);
    let search = keeper.client.get(&format!("/work-lists/{service}/{list}?text=Matrix&per_page=100")).await;
    let on_list = linked_cases(search.body.as_str().unwrap());
    let of_service: BTreeSet<String> = cases.iter().filter(|c| c.service == service).map(|c| c.id.clone()).collect();
    assert_eq!(on_list, of_service, "every case of {service} is on its list {list}");

    let ledger = Ledger::open(&server).await;
    let mut matrix = Matrix {
        server,
        rules,
        service: service.to_owned(),
        ledger,
        cases,
        listings: BTreeMap::new(),
        homes: BTreeMap::new(),
        report: Report::default(),
    };
    for (role, expected, actual) in allocations {
        matrix.compare(&role, "allocated", "json: allocation to them", expected, actual);
    }

    let mut broke_glass = Vec::new();
    for (role, who) in &members {
        matrix.mine(role);
        matrix.counts(role, who).await;
        matrix.reports(role, who).await;
        let mut cells = vec![("team", team_case), ("service", service_case), ("other", other_case)];
        if let Some(case) = allocated.get(role) {
            cells.insert(0, ("allocated", *case));
        }
        cells.extend([("restricted", restricted_case), ("shielded", shielded_case)]);
        for (relationship, case) in cells {
            let case = matrix.cases[case].clone();
            matrix.cell(role, relationship, who, &case).await;
        }
        // Someone with no role at all, on the case this role works on.
        let case = matrix.cases[*allocated.get(role).unwrap_or(&team_case)].clone();
        matrix.cell(role, "none", &nobody, &case).await;
        if matrix.break_glass(role, who, restricted_case).await {
            let case = matrix.cases[restricted_case].clone();
            matrix.cell(role, "break-glass", who, &case).await;
            matrix.counts(role, who).await;
            matrix.reports(role, who).await;
            broke_glass.push((role, who));
        }
    }
    matrix.counts("(no role)", &nobody).await;
    matrix.reports("(no role)", &nobody).await;

    // Once the service's hours are up, every grant has ended (signed in afresh: sessions
    // lapse too).
    let hours = definition.break_glass.as_ref().map(|b| b.hours).unwrap_or_default();
    matrix.server.advance(jiff::SignedDuration::from_hours(hours));
    matrix.rules.now = start_time() + jiff::SignedDuration::from_hours(hours);
    matrix.listings.clear();
    matrix.homes.clear();
    let case = matrix.cases[restricted_case].clone();
    for (role, who) in broke_glass {
        let who = Who { client: matrix.server.sign_in(role).await, person: who.person.clone() };
        matrix.cell(role, "break-glass", &who, &case).await;
        matrix.counts(role, &who).await;
        matrix.reports(role, &who).await;
    }

    matrix.report.growth = matrix.server.count("access_log").await - matrix.ledger.at_start;
    matrix.report.accounted = matrix.ledger.entries;
    matrix.report
}

// ---------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------

fn table(rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> =
        (0..rows[0].len()).map(|i| rows.iter().map(|r| r.get(i).map_or(0, |c| c.chars().count())).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        out.push_str(cells.join(" | ").trim_end());
        out.push('\n');
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_sees_exactly_what_the_service_definitions_allow_on_every_route_and_every_view_is_logged() {
    let definitions = definitions();
    let reports = futures_util::future::join_all((0..definitions.len()).map(|i| matrix_of(&definitions, i))).await;

    let mut summary = vec![{
        let mut header = vec!["service/role".to_owned()];
        header.extend(RELATIONSHIPS.iter().map(|r| (*r).to_owned()));
        header.extend(["counts".to_owned(), "reports".to_owned()]);
        header
    }];
    for (definition, report) in definitions.iter().zip(&reports) {
        for (role, cells) in &report.checked {
            let mut row = vec![format!("{}/{role}", definition.service.code)];
            for column in RELATIONSHIPS.iter().chain(&["counts", "reports"]) {
                row.push(cells.get(column).map_or_else(|| "-".to_owned(), ToString::to_string));
            }
            summary.push(row);
        }
    }
    let checks: usize = reports.iter().flat_map(|r| r.checked.values()).flat_map(|c| c.values()).sum();
    println!("Access matrix: {checks} checks\n{}", table(&summary));
    for (definition, report) in definitions.iter().zip(&reports) {
        println!(
            "{}: {} case views served, {} logged; {} cases found by searches, {} search entries; {} cases behind caseload reports; \
             the access log grew by {}",
            definition.service.code,
            report.views_served,
            report.views_logged,
            report.search_results,
            report.search_entries,
            report.reported_cases,
            report.growth
        );
    }

    let mismatches: Vec<&Mismatch> = reports.iter().flat_map(|r| &r.mismatches).collect();
    let mut rows = vec![["service", "role", "relationship", "route", "expected", "actual"].map(str::to_owned).to_vec()];
    rows.extend(mismatches.iter().map(|m| {
        vec![m.service.clone(), m.role.clone(), m.relationship.clone(), m.route.clone(), m.expected.clone(), m.actual.clone()]
    }));
    assert!(mismatches.is_empty(), "{} mismatches of {checks} checks:\n{}", mismatches.len(), table(&rows));

    for (definition, report) in definitions.iter().zip(&reports) {
        let service = &definition.service.code;
        assert!(report.views_served > 0 && report.search_results > 0, "{service}: the matrix served views and found cases");
        assert!(report.reported_cases > 0, "{service}: some reader's caseload report listed cases");
        assert_eq!(report.views_logged, report.views_served, "{service}: views logged and views served");
        assert_eq!(report.search_entries, report.search_results, "{service}: one entry per case a search returned");
        assert_eq!(report.growth, report.accounted, "{service}: every access-log entry came from an answer of the matrix");
    }
}
