//! Subject access requests, worked like a case: recorded with the day received, the
//! person's identity confirmed, the deadline (one calendar month on the service's working
//! days) extended once if need be, and answered with a bundle of everything the service
//! holds about the person, or refused.
//!
//! Everything here needs `person.export` in the request's service through a role that
//! reaches the whole service: a request is about all of a person's cases, whoever they are
//! allocated to. Someone with no role in the service is told a request does not exist;
//! someone with a role but not that permission is refused.
//!
//! The bundle holds every case of the person in the service that the handler may see, each
//! exported as for a disclosure ([`App::case_export`]): notes, forms, decisions, plan,
//! tasks, consents and the documents that may leave the service, with what was withheld
//! counted by why. Before it is returned, each case included gets an access-log entry
//! (`subject-access`) and the request a history event with the bundle's SHA-256, all in one
//! transaction: if that cannot be written, nothing is served.

use crate::disclosures::ExportFile;
use crate::export::{Bundle, CaseExport, day, escape, sha256_hex, when};
use crate::{App, AppError, Result};
use casework_domain::FieldError;
use casework_domain::access::{Actor, Permission};
use casework_domain::calendar::Calendar;
use casework_domain::document::Withheld;
use casework_domain::history::{Change, Event};
use casework_domain::ids::{PersonId, SubjectAccessId, UserId};
use casework_domain::person::Person;
use casework_domain::service::ServiceDefinition;
use casework_domain::subject_access::{
    Export, NewSubjectAccess, Status, SubjectAccessError, SubjectAccessInput, SubjectAccessRequest,
};
use casework_domain::text::Code;
use casework_domain::time::day_of;
use casework_domain::timer::TimeLeft;
use casework_store::cases::CaseQuery;
use casework_store::{Connection, cases, events, people, subject_access};
use jiff::civil::Date;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A request as pages and the API show it: with the person's name and where it stands
/// against its deadline today.
#[derive(Debug, Clone)]
pub struct SubjectAccessView {
    pub request: SubjectAccessRequest,
    pub person_name: String,
    pub service_name: String,
    pub due_on: Option<Date>,
    pub left: Option<TimeLeft>,
}

/// How many closed requests a list shows at most.
const CLOSED_SHOWN: i64 = 200;

impl From<SubjectAccessError> for AppError {
    fn from(error: SubjectAccessError) -> Self {
        match error {
            SubjectAccessError::StaleVersion { .. } | SubjectAccessError::NotNow(_) => AppError::Conflict(error.to_string()),
            SubjectAccessError::Invalid(invalid) => AppError::Invalid(invalid),
        }
    }
}

/// One case's access-log entries as a bundle shows them: when, who by name, what.
struct LoggedLooks {
    reference: String,
    entries: Vec<(jiff::Timestamp, String, String)>,
}

impl App {
    /// The service's definition, if the actor may work its subject access requests: not
    /// found for a service they have no role in, forbidden without `person.export` across it.
    fn subject_access_service(&self, actor: &Actor, service: &Code) -> Result<Arc<ServiceDefinition>> {
        let definition =
            self.services.get(service).filter(|_| actor.is_member_of(service)).ok_or(AppError::NotFound("service"))?;
        if !actor.may_across_service(Permission::PersonExport, service) {
            return Err(AppError::Forbidden("handle subject access requests in this service"));
        }
        Ok(definition.clone())
    }

    /// A request the actor may work on, with the person's name: not found when it is in a
    /// service they have no role in, forbidden without the permission.
    async fn request_for(
        &self,
        conn: &mut Connection,
        actor: &Actor,
        id: SubjectAccessId,
    ) -> Result<(SubjectAccessRequest, String, Arc<ServiceDefinition>)> {
        let (request, name) = subject_access::get(conn, id)
            .await?
            .filter(|(r, _)| actor.is_member_of(&r.service))
            .ok_or(AppError::NotFound("subject access request"))?;
        let definition = self.subject_access_service(actor, &request.service).map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound("subject access request"),
            other => other,
        })?;
        Ok((request, name, definition))
    }

    fn subject_access_view(
        &self,
        request: SubjectAccessRequest,
        person_name: String,
        definition: &ServiceDefinition,
        today: Date,
    ) -> SubjectAccessView {
        let calendar = self.services.calendar(definition);
        SubjectAccessView {
            due_on: request.due_on(&calendar),
            left: request.time_left(&calendar, today),
            request,
            person_name,
            service_name: definition.service.name.clone(),
        }
    }

    /// The service's requests still being worked, soonest due first (those awaiting
    /// identity, whose clock has not started, after them); with `closed`, the completed and
    /// refused ones too, newest first.
    pub async fn subject_access_requests(&self, actor: &Actor, service: &Code, closed: bool) -> Result<Vec<SubjectAccessView>> {
        let definition = self.subject_access_service(actor, service)?;
        let today = day_of(self.now());
        let mut conn = self.store.read().await?;
        let rows = subject_access::for_service(&mut conn, service, closed, CLOSED_SHOWN).await?;
        let mut views: Vec<SubjectAccessView> =
            rows.into_iter().map(|(request, name)| self.subject_access_view(request, name, &definition, today)).collect();
        // A stable sort: those awaiting identity keep the store's oldest-first order after the
        // dated ones, and closed ones its newest-first order after them all.
        views.sort_by_key(|v| match (v.request.status.is_closed(), v.due_on) {
            (false, Some(due)) => (0, Some(due)),
            (false, None) => (1, None),
            (true, _) => (2, None),
        });
        Ok(views)
    }

    pub async fn subject_access(&self, actor: &Actor, id: SubjectAccessId) -> Result<SubjectAccessView> {
        let mut conn = self.store.read().await?;
        let (request, name, definition) = self.request_for(&mut conn, actor, id).await?;
        Ok(self.subject_access_view(request, name, &definition, day_of(self.now())))
    }

    /// The request's history, oldest first.
    pub async fn subject_access_history(&self, actor: &Actor, id: SubjectAccessId) -> Result<Vec<Event>> {
        let mut conn = self.store.read().await?;
        self.request_for(&mut conn, actor, id).await?;
        Ok(events::for_subject(&mut conn, &id.to_string(), 1000).await?)
    }

    /// People a request could be about, found by name, identifier or the reference of one
    /// of their cases that the actor may see; for the form that records a request.
    pub async fn subject_access_people(&self, actor: &Actor, service: &Code, find: &str) -> Result<Vec<Person>> {
        self.subject_access_service(actor, service)?;
        if find.trim().chars().count() < 2 {
            return Err(FieldError::new("find", "give at least 2 characters of a name, an identifier or a case reference").into());
        }
        let by_case = match self.case_by_reference(actor, &find.trim().to_uppercase()).await? {
            Some(case) => Some(self.case_service_person(actor, case).await?),
            None => None,
        };
        let mut conn = self.store.read().await?;
        let mut found = people::search(&mut conn, find, None, 20).await?;
        if let Some(person) = by_case
            && !found.iter().any(|p| p.id == person)
            && let Some(person) = people::get(&mut conn, person).await?
        {
            found.insert(0, person);
        }
        Ok(found)
    }

    /// The person of a case the actor may see.
    async fn case_service_person(&self, actor: &Actor, case: casework_domain::ids::CaseId) -> Result<PersonId> {
        let mut conn = self.store.read().await?;
        Ok(self.visible_case(&mut conn, actor, case).await?.person)
    }

    /// Records a request to the service about `person` (an id), with every problem of the
    /// input named at its field.
    pub async fn record_subject_access(
        &self,
        actor: &Actor,
        service: &Code,
        person: &str,
        input: &SubjectAccessInput,
        idempotency: Option<&crate::Idempotency>,
    ) -> Result<SubjectAccessView> {
        let definition = self.subject_access_service(actor, service)?;
        let now = self.now();
        let today = day_of(now);
        let mut problems = casework_domain::Invalid::new();
        let person: Option<PersonId> = match person.trim() {
            "" => {
                problems.push(FieldError::new("person", "choose the person the request is about"));
                None
            }
            raw => problems.check("person", raw.parse().map_err(|_| FieldError::new("", "is not a person's id"))),
        };
        let new = match NewSubjectAccess::parse(input, today) {
            Ok(new) => Some(new),
            Err(invalid) => {
                problems.errors.extend(invalid.errors);
                None
            }
        };
        let mut tx = self.store.begin().await?;
        if let Some(id) = crate::idempotency::replayed(&mut tx, actor, idempotency).await? {
            drop(tx);
            return self.subject_access(actor, crate::idempotency::parse_id(&id)?).await;
        }
        let person = match person {
            Some(id) => match people::get(&mut tx, id).await? {
                Some(found) => Some(found),
                None => {
                    problems.push(FieldError::new("person", "no such person is recorded"));
                    None
                }
            },
            None => None,
        };
        let (Some(person), Some(new)) = (person, new) else { return Err(problems.into()) };
        if !problems.is_empty() {
            return Err(problems.into());
        }
        let year = new.received_on.year();
        let number = subject_access::next_number(&mut tx, service, year).await?;
        let reference = format!("SAR-{}-{year:04}-{number:04}", definition.service.reference_prefix);
        let calendar = self.services.calendar(&definition);
        let (request, change) = SubjectAccessRequest::record(
            SubjectAccessId::new(),
            reference,
            service.clone(),
            person.id,
            new,
            &calendar,
            actor.user,
            now,
        );
        subject_access::insert(&mut tx, &request).await?;
        self.record(&mut tx, actor, None, [change], now).await?;
        crate::idempotency::remember(&mut tx, actor, idempotency, &request.id.to_string(), now).await?;
        tx.commit().await?;
        let name = format!("{} {}", person.given_name, person.family_name);
        Ok(self.subject_access_view(request, name, &definition, today))
    }

    /// Runs one command on a request the actor may work on, based on the version they saw,
    /// and records its change; a refused command, or a stale version, writes nothing.
    async fn work_on(
        &self,
        actor: &Actor,
        id: SubjectAccessId,
        version: i64,
        command: impl FnOnce(&mut SubjectAccessRequest, &Calendar, Date) -> std::result::Result<Change, SubjectAccessError>,
    ) -> Result<SubjectAccessView> {
        let now = self.now();
        let today = day_of(now);
        let mut tx = self.store.begin().await?;
        let (mut request, name, definition) = self.request_for(&mut tx, actor, id).await?;
        request.check_version(version)?;
        let change = command(&mut request, &self.services.calendar(&definition), today)?;
        if !subject_access::update(&mut tx, &request, version).await? {
            return Err(SubjectAccessError::StaleVersion { seen: version, current: version + 1 }.into());
        }
        request.version += 1;
        self.record(&mut tx, actor, None, [change], now).await?;
        tx.commit().await?;
        Ok(self.subject_access_view(request, name, &definition, today))
    }

    pub async fn confirm_subject_identity(
        &self,
        actor: &Actor,
        id: SubjectAccessId,
        version: i64,
        confirmed_on: &str,
    ) -> Result<SubjectAccessView> {
        self.work_on(actor, id, version, |r, calendar, today| r.confirm_identity(confirmed_on, calendar, today)).await
    }

    pub async fn extend_subject_access(
        &self,
        actor: &Actor,
        id: SubjectAccessId,
        version: i64,
        reason: &str,
    ) -> Result<SubjectAccessView> {
        self.work_on(actor, id, version, |r, calendar, today| r.extend(reason, calendar, today)).await
    }

    /// Records that the response was sent: the latest bundle, unless `bundle_sha256` names another.
    pub async fn record_subject_access_response(
        &self,
        actor: &Actor,
        id: SubjectAccessId,
        version: i64,
        sent_on: &str,
        bundle_sha256: Option<&str>,
    ) -> Result<SubjectAccessView> {
        self.work_on(actor, id, version, |r, calendar, today| r.complete(sent_on, bundle_sha256, calendar, today)).await
    }

    pub async fn refuse_subject_access(
        &self,
        actor: &Actor,
        id: SubjectAccessId,
        version: i64,
        reason: &str,
    ) -> Result<SubjectAccessView> {
        self.work_on(actor, id, version, |r, calendar, today| r.refuse(reason, calendar, today)).await
    }

    /// The bundle answering the request: built on one transaction with an access-log entry
    /// for each case in it and the export in the request's history; nothing is returned
    /// unless all of that is committed.
    pub async fn export_subject_access(&self, actor: &Actor, id: SubjectAccessId) -> Result<ExportFile> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let (mut request, _, definition) = self.request_for(&mut tx, actor, id).await?;
        request.check_exportable()?;
        let person = people::get(&mut tx, request.person).await?.ok_or(AppError::NotFound("person"))?;
        let query = CaseQuery {
            service: Some(request.service.clone()),
            person: Some(request.person),
            limit: i64::from(u32::MAX),
            ..CaseQuery::default()
        };
        let mut found = cases::list(&mut tx, &query, &actor.case_filter(Permission::CaseRead)).await?;
        found.sort_by(|a, b| a.opened_at.cmp(&b.opened_at).then(a.id.cmp(&b.id)));
        let mut exports = Vec::new();
        let mut looks = Vec::new();
        for summary in &found {
            let case = cases::get(&mut tx, summary.id).await?.ok_or(AppError::NotFound("case"))?;
            if request.include_access_log {
                looks.push(self.logged_looks(&mut tx, &case).await?);
            }
            exports.push(self.case_export(&mut tx, actor, case, now).await?);
        }
        let calendar = self.services.calendar(&definition);
        let names = self.display_names(&[actor.user]).await?;
        let prepared_by = names.get(&actor.user).cloned().unwrap_or_else(|| actor.username.clone());
        let bundle = SubjectAccessBundle { request: &request, person: &person, definition: &definition, calendar: &calendar };
        let bytes = bundle.zip(&exports, request.include_access_log.then_some(looks.as_slice()), &prepared_by, now)?;
        let sha256 = sha256_hex(&bytes);
        for export in &exports {
            events::log_access(&mut tx, actor.user, export.case.id, "subject-access", now).await?;
        }
        let cases: Vec<String> = exports.iter().map(|e| e.case.reference.to_string()).collect();
        let summary = json!({
            "case_references": cases,
            "withheld": withheld_total(&exports).into_iter().map(|(why, n)| (why.describe(n), n)).collect::<BTreeMap<_, _>>(),
            "access_log": request.include_access_log,
        });
        let export = Export { sha256, cases: u32::try_from(exports.len()).unwrap_or(u32::MAX), by: actor.user, at: now };
        subject_access::insert_export(&mut tx, request.id, &export).await?;
        let change = request.record_export(export, summary)?;
        self.record(&mut tx, actor, None, [change], now).await?;
        tx.commit().await?;
        Ok(ExportFile { file_name: format!("{}-{}.zip", request.reference, day_of(now)), bytes })
    }

    /// Who has looked at a case and what, oldest first, with each user's name.
    async fn logged_looks(&self, conn: &mut Connection, case: &casework_domain::case::Case) -> Result<LoggedLooks> {
        let entries = events::accesses_of_case(conn, case.id).await?;
        let users: Vec<UserId> = entries.iter().map(|e| e.user).collect();
        let names = self.display_names(&users).await?;
        Ok(LoggedLooks {
            reference: case.reference.to_string(),
            entries: entries
                .into_iter()
                .map(|e| (e.at, names.get(&e.user).cloned().unwrap_or_else(|| "a former user".into()), e.what))
                .collect(),
        })
    }
}

/// What every case of the bundle withheld, added up by why.
fn withheld_total(exports: &[CaseExport]) -> BTreeMap<Withheld, usize> {
    let mut total = BTreeMap::new();
    for export in exports {
        for (why, count) in &export.withheld {
            *total.entry(*why).or_insert(0) += count;
        }
    }
    total
}

/// The front of a subject access bundle: the request, the person, the contents and what was
/// withheld, readable (`index.html`) and machine-readable (`subject-access.json`).
struct SubjectAccessBundle<'a> {
    request: &'a SubjectAccessRequest,
    person: &'a Person,
    definition: &'a ServiceDefinition,
    calendar: &'a Calendar,
}

impl SubjectAccessBundle<'_> {
    fn zip(
        &self,
        exports: &[CaseExport],
        looks: Option<&[LoggedLooks]>,
        prepared_by: &str,
        at: jiff::Timestamp,
    ) -> Result<Vec<u8>> {
        let request = self.request;
        let person = self.person;
        let withheld = withheld_total(exports);
        let due_on = request.due_on(self.calendar);
        let asked_by = request
            .representative
            .as_ref()
            .map_or_else(|| "the person themselves".to_owned(), |r| format!("a representative: {r}"));

        let json = json!({
            "request": {
                "reference": request.reference,
                "service": self.definition.service.name,
                "asked_by": asked_by,
                "representative": request.representative,
                "received_on": request.received_on,
                "identity_confirmed_on": request.identity_confirmed_on,
                "due_on": due_on,
                "details": request.details,
                "include_access_log": request.include_access_log,
            },
            "person": person,
            "prepared": { "by": prepared_by, "at": at },
            "cases": exports.iter().map(|e| json!({
                "reference": e.case.reference,
                "opened_at": e.case.opened_at,
                "record": format!("cases/{}/case.json", e.case.reference),
                "documents": e.documents.len(),
            })).collect::<Vec<_>>(),
            "withheld": withheld.iter().map(|(why, count)| json!({ "why": why, "count": count, "description": why.describe(*count) })).collect::<Vec<_>>(),
            "access_log": looks.map(|looks| looks.iter().map(|l| json!({
                "case": l.reference,
                "entries": l.entries.iter().map(|(at, who, what)| json!({ "at": at, "who": who, "what": what })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>()),
        });
        let json = serde_json::to_vec_pretty(&json).map_err(|e| AppError::Internal(e.to_string()))?;

        let title = format!("Subject access request {}", request.reference);
        let mut html = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>\n\
             <style>body{{font-family:system-ui,sans-serif;max-width:50em;margin:2em auto;padding:0 1em;line-height:1.5}}\
             li{{margin-bottom:.5em}}table{{border-collapse:collapse}}th,td{{text-align:left;padding:.25em .75em .25em 0;\
             border-bottom:1px solid #ccc}}</style>\n</head>\n<body>\n<h1>{t}</h1>\n\
             <p>What {service} holds about {name}, prepared {when} by {by}.</p>\n",
            t = escape(&title),
            service = escape(&self.definition.service.name),
            name = escape(&person.display_name()),
            when = escape(&when(at)),
            by = escape(prepared_by),
        );
        let mut about = vec![
            format!("Person: {}", escape(&person.display_name())),
            format!("Born: {}", person.date_of_birth.map_or_else(|| "not recorded".into(), day)),
            format!("Asked by {}", escape(&asked_by)),
            format!("Received: {}", day(request.received_on)),
            format!("Identity confirmed: {}", request.identity_confirmed_on.map_or_else(|| "not yet".into(), day)),
            format!("Due: {}", due_on.map_or_else(|| "not started".into(), day)),
            format!("Who has looked at the records: {}", if request.include_access_log { "asked for" } else { "not asked for" }),
        ];
        about.extend(request.details.iter().map(|d| format!("What was asked for: {}", escape(d.as_str()))));
        html.push_str("<h2>The request</h2>\n<ul>\n");
        for line in about {
            html.push_str(&format!("<li>{line}</li>\n"));
        }
        html.push_str("</ul>\n<h2>Contents</h2>\n");
        if exports.is_empty() {
            html.push_str("<p>No case about this person is held.</p>\n");
        } else {
            html.push_str("<ul>\n");
            for e in exports {
                let documents = e.documents.len();
                html.push_str(&format!(
                    "<li><a href=\"cases/{r}/case.html\">{r}</a>, opened {opened}: the case record, {documents} document{s}\
                     (machine-readable: <a href=\"cases/{r}/case.json\">case.json</a>)</li>\n",
                    r = escape(e.case.reference.as_str()),
                    opened = escape(&when(e.case.opened_at)),
                    s = if documents == 1 { "" } else { "s" },
                ));
            }
            html.push_str("</ul>\n");
        }
        html.push_str("<h2>What was withheld</h2>\n");
        if withheld.is_empty() {
            html.push_str("<p>Nothing was withheld.</p>\n");
        } else {
            html.push_str(
                "<p>Some information is not included, or is included only in part, because an exemption applies \
                 (for instance, information about or given by other people):</p>\n<ul>\n",
            );
            for (why, count) in &withheld {
                html.push_str(&format!("<li>{}</li>\n", escape(&why.describe(*count))));
            }
            html.push_str("</ul>\n");
        }
        if let Some(looks) = looks {
            html.push_str("<h2>Who has looked at these records</h2>\n");
            for l in looks {
                html.push_str(&format!("<h3>{}</h3>\n", escape(&l.reference)));
                if l.entries.is_empty() {
                    html.push_str("<p>Nobody has looked at this case.</p>\n");
                    continue;
                }
                html.push_str("<table>\n<thead><tr><th scope=\"col\">When</th><th scope=\"col\">Who</th><th scope=\"col\">What</th></tr></thead>\n<tbody>\n");
                for (at, who, what) in &l.entries {
                    html.push_str(&format!(
                        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                        escape(&when(*at)),
                        escape(who),
                        escape(what)
                    ));
                }
                html.push_str("</tbody>\n</table>\n");
            }
        }
        html.push_str("</body>\n</html>\n");

        let mut bundle = Bundle::default();
        bundle.add("index.html", html.into_bytes());
        bundle.add("subject-access.json", json);
        for export in exports {
            bundle.add_folder(&format!("cases/{}", export.case.reference), export.bundle()?);
        }
        bundle.zip(at)
    }
}

/// Status names as pages show them.
pub fn status_words(status: &Status) -> &'static str {
    match status {
        Status::AwaitingIdentity => "Awaiting identity",
        Status::Open => "Open",
        Status::Completed { .. } => "Completed",
        Status::Refused { .. } => "Refused",
    }
}
