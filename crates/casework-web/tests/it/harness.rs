//! Starting a server for a test and talking to it as different users.

use casework_app::users::{NewUser, system_actor};
use casework_app::{App, ManualClock, ServiceCatalog, Store};
use casework_domain::ids::{TeamId, UserId};
use casework_domain::text::Code;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use tempfile::TempDir;

pub const PASSWORD: &str = "correct horse battery staple";

/// A running server with its own database and a clock the test controls.
pub struct TestServer {
    pub base: String,
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub dir: TempDir,
    /// The server's database (SQLite or PostgreSQL, as the test run asks).
    pub location: casework_app::Location,
    http: reqwest::Client,
}

/// The answer to a request: status, headers and the body as JSON (Null when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The problem's field names, for validation answers.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|e| e.iter().map(|x| x["field"].as_str().unwrap_or_default().to_owned()).collect())
            .unwrap_or_default()
    }
}

/// How a client proves who it is.
#[derive(Debug, Clone)]
pub enum Credentials {
    Anonymous,
    Cookie(String),
    Token(String),
}

/// A client acting as one user.
#[derive(Debug, Clone)]
pub struct Client {
    pub base: String,
    pub credentials: Credentials,
    pub user: Option<String>,
    http: reqwest::Client,
}

pub fn start_time() -> jiff::Timestamp {
    "2026-03-10T10:00:00Z".parse().unwrap()
}

pub async fn spawn() -> TestServer {
    spawn_with(&[]).await
}

/// A server with the shipped services and the given extra definitions.
pub async fn spawn_with(extra_definitions: &[&str]) -> TestServer {
    spawn_full(extra_definitions, None).await
}

/// A server keeping its documents in `documents` instead of a folder beside its database.
pub async fn spawn_storing_in(documents: casework_app::DocumentStorage) -> TestServer {
    spawn_full(&[], Some(documents)).await
}

async fn spawn_full(extra_definitions: &[&str], documents: Option<casework_app::DocumentStorage>) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let services_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../services");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(services_dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            files.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
    for (i, text) in extra_definitions.iter().enumerate() {
        files.push((format!("extra-{i}.toml"), (*text).to_owned()));
    }
    let catalog = ServiceCatalog::from_texts(files.iter().map(|(n, t)| (n.as_str(), t.as_str()))).unwrap();
    let location = casework_store::testing::fresh_database(dir.path(), "casework.db").await.unwrap();
    let store = Store::open(&location).await.unwrap();
    let clock = Arc::new(ManualClock::new(start_time()));
    let documents =
        documents.unwrap_or_else(|| casework_app::DocumentStorage::local(&dir.path().join("casework-documents")).unwrap());
    let app = App::new(store, catalog, clock.clone()).with_documents(documents);
    app.register_services().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = app.clone();
    tokio::spawn(async move {
        casework_web::serve(served, listener, std::future::pending(), std::time::Duration::from_secs(1)).await.unwrap();
    });
    TestServer { base, app, clock, dir, location, http: reqwest::Client::new() }
}

impl TestServer {
    /// Where this server keeps document files.
    pub fn documents_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("casework-documents")
    }

    /// The names of the files in the document storage.
    pub fn stored_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.documents_dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// A connection of its own to the server's database, for a test to break things with.
    pub async fn raw_connection(&self) -> sqlx::AnyConnection {
        use sqlx::Connection;
        let url = match &self.location {
            casework_app::Location::Sqlite(path) => format!("sqlite://{}", path.display()),
            casework_app::Location::Postgres(url) => url.clone(),
        };
        sqlx::AnyConnection::connect(&url).await.unwrap()
    }

    pub fn anonymous(&self) -> Client {
        Client { base: self.base.clone(), credentials: Credentials::Anonymous, user: None, http: self.http.clone() }
    }

    /// Makes a user with the given roles (`service:role`) and signs them in.
    pub async fn user(&self, username: &str, roles: &[&str]) -> Client {
        self.make_user(username, roles, false).await;
        self.sign_in(username).await
    }

    pub async fn admin(&self, username: &str) -> Client {
        self.make_user(username, &[], true).await;
        self.sign_in(username).await
    }

    pub async fn make_user(&self, username: &str, roles: &[&str], administrator: bool) -> UserId {
        let system = system_actor();
        let new = NewUser::parse(username, &format!("Test {username}"), PASSWORD, administrator).unwrap();
        let account = self.app.create_user(&system, new).await.unwrap();
        for role in roles {
            let (service, role) = role.split_once(':').unwrap();
            self.app.grant_role(&system, account.id, &Code::parse(service).unwrap(), &Code::parse(role).unwrap()).await.unwrap();
        }
        account.id
    }

    pub async fn team(&self, service: &str, name: &str, members: &[&Client]) -> TeamId {
        let system = system_actor();
        let team = self.app.create_team(&system, &Code::parse(service).unwrap(), name).await.unwrap();
        for member in members {
            let id: UserId = member.user.as_deref().unwrap().parse().unwrap();
            self.app.add_team_member(&system, team.id, id).await.unwrap();
        }
        team.id
    }

    pub async fn sign_in(&self, username: &str) -> Client {
        let answer = self.anonymous().post("/api/v1/session", json!({ "username": username, "password": PASSWORD })).await;
        assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
        let cookie = session_cookie(&answer.headers).expect("a session cookie");
        Client {
            base: self.base.clone(),
            credentials: Credentials::Cookie(cookie),
            user: answer.body["user"].as_str().map(str::to_owned),
            http: self.http.clone(),
        }
    }

    /// Rows in a table, read straight from the database.
    pub async fn count(&self, table: &str) -> i64 {
        let mut conn = self.app.store.read().await.unwrap();
        let rows = casework_store::meta::count(&mut conn, table).await.unwrap();
        // The store counts only the tables it lists; anything else would compare as equal forever.
        assert!(rows >= 0, "the store does not count the table {table}");
        rows
    }

    /// The row count of every table but those a refused request may still write to (the
    /// access log of a page shown again, a session, a failed sign-in), to prove a refused
    /// request changed nothing. Read from the schema, so a new table is counted at once.
    pub async fn counts(&self) -> Vec<(String, i64)> {
        let mut conn = self.app.store.read().await.unwrap();
        let mut all = Vec::new();
        for table in casework_store::meta::tables(&mut conn).await.unwrap() {
            if ["access_log", "sessions", "login_failures"].contains(&table.as_str()) {
                continue;
            }
            let rows = casework_store::meta::count(&mut conn, &table).await.unwrap();
            all.push((table, rows));
        }
        all
    }

    /// Makes every write to the access log fail, as a full disk or a broken database would.
    pub async fn refuse_access_log_writes(&self) {
        self.fail_inserts("access_log", "the access log is unavailable").await;
    }

    pub async fn allow_access_log_writes(&self) {
        self.allow_inserts("access_log").await;
    }

    /// Makes every new row of `table` fail with `message`, in the database itself.
    pub async fn fail_inserts(&self, table: &str, message: &str) {
        let mut conn = self.raw_connection().await;
        let statements = match self.location {
            casework_app::Location::Sqlite(_) => vec![format!(
                "CREATE TRIGGER test_fail_{table} BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )],
            casework_app::Location::Postgres(_) => vec![
                format!(
                    "CREATE FUNCTION test_fail_{table}() RETURNS trigger LANGUAGE plpgsql AS \
                     $$ BEGIN RAISE EXCEPTION '{message}'; END $$"
                ),
                format!(
                    "CREATE TRIGGER test_fail_{table} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION test_fail_{table}()"
                ),
            ],
        };
        for statement in statements {
            sqlx::query(&statement).execute(&mut conn).await.unwrap();
        }
    }

    pub async fn allow_inserts(&self, table: &str) {
        let mut conn = self.raw_connection().await;
        let statement = match self.location {
            casework_app::Location::Sqlite(_) => format!("DROP TRIGGER test_fail_{table}"),
            casework_app::Location::Postgres(_) => format!("DROP TRIGGER test_fail_{table} ON {table}"),
        };
        sqlx::query(&statement).execute(&mut conn).await.unwrap();
    }

    /// The kinds of the history events about one record (a user, a team…), oldest first.
    pub async fn events_about(&self, subject_id: &str) -> Vec<String> {
        let mut conn = self.app.store.read().await.unwrap();
        casework_store::events::for_subject(&mut conn, subject_id, 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind.name())
            .collect()
    }

    /// Sends the sign-in page's form with this password; a 303 means signed in.
    pub async fn page_sign_in(&self, username: &str, password: &str) -> StatusCode {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let body = serde_urlencoded::to_string([("username", username), ("password", password)]).unwrap();
        http.post(format!("{}/sign-in", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
    }

    pub fn advance(&self, by: jiff::SignedDuration) {
        self.clock.advance(by);
    }
}

/// The value of the session cookie set by an answer.
pub fn session_cookie(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.strip_prefix("__Host-casework_session=").map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
        })
        .filter(|v| !v.is_empty())
}

impl Client {
    pub fn id(&self) -> String {
        self.user.clone().unwrap()
    }

    pub fn with_token(&self, token: &str) -> Client {
        Client { credentials: Credentials::Token(token.to_owned()), ..self.clone() }
    }

    pub async fn request(&self, method: Method, path: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        match &self.credentials {
            Credentials::Anonymous => {}
            Credentials::Cookie(cookie) => request = request.header("cookie", format!("__Host-casework_session={cookie}")),
            Credentials::Token(token) => request = request.bearer_auth(token),
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Answer { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.request(Method::GET, path, None, &[]).await
    }

    /// Posts JSON and keeps the answer's body as bytes (for downloads such as an export).
    pub async fn post_for_bytes(&self, path: &str, body: Value) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let response = self.authorised(self.http.post(format!("{}{path}", self.base)).json(&body)).send().await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        (status, headers, response.bytes().await.unwrap().to_vec())
    }

    fn authorised(&self, mut request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.credentials {
            Credentials::Anonymous => {}
            Credentials::Cookie(cookie) => request = request.header("cookie", format!("__Host-casework_session={cookie}")),
            Credentials::Token(token) => request = request.bearer_auth(token),
        }
        request
    }

    /// Sends a multipart form (an upload).
    pub async fn upload(&self, path: &str, form: reqwest::multipart::Form) -> Answer {
        let request = self.authorised(self.http.post(format!("{}{path}", self.base))).multipart(form);
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Answer { status, headers, body }
    }

    /// Fetches raw bytes (a download): status, headers and body.
    pub async fn download(&self, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let response = self.authorised(self.http.get(format!("{}{path}", self.base))).send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, response.bytes().await.unwrap().to_vec())
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.request(Method::POST, path, Some(body), &[]).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.request(Method::DELETE, path, None, &[]).await
    }

    /// Opens a case for a new person in a service and returns its record.
    pub async fn open_case(&self, service: &str, family_name: &str) -> Value {
        let answer = self
            .post(
                "/api/v1/cases",
                json!({
                    "service": service,
                    "source": "staff",
                    "summary": "Asked for support",
                    "person": { "given_name": "Sam", "family_name": family_name },
                }),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
        answer.body
    }
}

/// A user in a browser without JavaScript: signed in through the sign-in page, sending forms
/// as our pages do (same origin, with the session's form token).
pub struct PageUser {
    pub base: String,
    pub cookie: String,
    pub csrf: String,
    http: reqwest::Client,
}

impl TestServer {
    /// Signs in through the sign-in page.
    pub async fn page_user(&self, username: &str) -> PageUser {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let body = format!("username={username}&password={}", PASSWORD.replace(' ', "+"));
        let answer = http
            .post(format!("{}/sign-in", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{username} signs in");
        let cookie = format!("__Host-casework_session={}", session_cookie(answer.headers()).unwrap());
        let mut user = PageUser { base: self.base.clone(), cookie, csrf: String::new(), http };
        let (_, home) = user.get("/").await;
        let marker = "name=\"csrf-token\" content=\"";
        let start = home.find(marker).expect("the page carries the form token") + marker.len();
        user.csrf = home[start..].split('"').next().unwrap().to_owned();
        user
    }
}

impl PageUser {
    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let answer = self.http.get(format!("{}{path}", self.base)).header("cookie", &self.cookie).send().await.unwrap();
        (answer.status(), answer.text().await.unwrap())
    }

    /// Sends a form as our pages do; `body` is urlencoded without the token.
    pub async fn post(&self, path: &str, body: &str) -> reqwest::Response {
        let body = if body.is_empty() { format!("csrf={}", self.csrf) } else { format!("{body}&csrf={}", self.csrf) };
        self.post_with(path, &body, &[("sec-fetch-site", "same-origin")]).await
    }

    /// Sends a multipart form as our pages do: the form token first, then `form`'s parts.
    pub async fn post_multipart(&self, path: &str, parts: Vec<(&str, reqwest::multipart::Part)>) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new().text("csrf", self.csrf.clone());
        for (name, part) in parts {
            form = form.part(name.to_owned(), part);
        }
        self.post_multipart_with(path, form, &[("sec-fetch-site", "same-origin")]).await
    }

    /// Sends exactly this multipart form with these headers (and the session cookie).
    pub async fn post_multipart_with(
        &self,
        path: &str,
        form: reqwest::multipart::Form,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self.http.post(format!("{}{path}", self.base)).header("cookie", &self.cookie).multipart(form);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }

    /// Sends exactly this body with these headers (and the session cookie).
    pub async fn post_with(&self, path: &str, body: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &self.cookie)
            .body(body.to_owned());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }
}
