//! Signing in: passwords (argon2id), browser sessions, API tokens, login throttling, and
//! turning an authenticated user into an [`Actor`] with their roles and teams.
//!
//! Only hashes of session cookies and API tokens are stored, so a copy of the database
//! does not let anyone sign in. A failed sign-in takes the same time whether the user is
//! unknown, disabled or real: the password is always checked against some hash.

use crate::{App, AppError, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use casework_domain::access::{Actor, Membership};
use casework_domain::ids::UserId;
use casework_domain::user::Password;
use casework_store::users;
pub use casework_store::users::ApiToken;
use jiff::{SignedDuration, Timestamp};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// Time-outs and throttling limits.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// A session unused for this long ends.
    pub idle_timeout: SignedDuration,
    /// A session ends this long after sign-in, however busy.
    pub absolute_timeout: SignedDuration,
    /// Failed attempts for one username within `throttle_window` before sign-in is refused.
    pub max_failures: i64,
    pub throttle_window: SignedDuration,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            idle_timeout: SignedDuration::from_mins(30),
            absolute_timeout: SignedDuration::from_hours(12),
            max_failures: 5,
            throttle_window: SignedDuration::from_mins(15),
        }
    }
}

/// argon2id with the OWASP-recommended parameters (19 MiB, 2 passes, 1 lane).
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password off the async threads (it takes tens of milliseconds on purpose).
pub async fn hash_password(password: &Password) -> Result<String> {
    let password = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// A hash of a password nobody has, checked when the user does not exist so that the
/// answer takes as long as for a real user.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        hasher().hash_password(b"decoy password that matches nothing", &salt).map(|h| h.to_string()).unwrap_or_default()
    })
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// A fresh random secret (session cookie or API token), and the hash that is stored.
pub(crate) fn new_secret(prefix: &str) -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = secret_hash(&secret);
    (secret, hash)
}

pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new browser session: the cookie value to hand to the browser.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub user: UserId,
}

/// A new API token: shown once, never again.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewApiToken {
    pub id: String,
    pub name: String,
    pub token: String,
}

impl App {
    /// Checks a username and password and starts a session. Any previous session of the
    /// browser is ended by the caller, so the session id changes at every sign-in.
    pub async fn sign_in(&self, username: &str, password: &str) -> Result<NewSession> {
        decoy_hash(); // computed once, before any timing matters
        let now = self.now();
        let username = username.trim().to_lowercase();
        let since = now.checked_sub(self.auth.throttle_window).unwrap_or(now);
        let credentials = {
            let mut conn = self.store.read().await?;
            if users::login_failures_since(&mut conn, &username, since).await? >= self.auth.max_failures {
                return Err(AppError::TooManyAttempts { minutes: self.auth.throttle_window.as_mins() });
            }
            users::credentials(&mut conn, &username).await?
        };
        let hash = credentials.as_ref().map_or_else(|| decoy_hash().to_owned(), |c| c.password_hash.clone());
        let password_ok = verify_password(password.to_owned(), hash).await;
        let mut tx = self.store.begin().await?;
        match credentials {
            Some(credentials) if password_ok && !credentials.disabled => {
                let (token, hash) = new_secret("");
                users::insert_session(&mut tx, &hash, credentials.id, now).await?;
                users::clear_login_failures(&mut tx, &username).await?;
                tx.commit().await?;
                Ok(NewSession { token, user: credentials.id })
            }
            _ => {
                users::record_login_failure(&mut tx, &username, now).await?;
                tx.commit().await?;
                Err(AppError::Unauthenticated)
            }
        }
    }

    /// The actor behind a session cookie, if the session is still alive.
    pub async fn session_actor(&self, token: &str) -> Result<Option<Actor>> {
        let now = self.now();
        let hash = secret_hash(token);
        let found = {
            let mut conn = self.store.read().await?;
            users::find_session(&mut conn, &hash).await?
        };
        let Some((session, principal)) = found else { return Ok(None) };
        let idle_expired = now.duration_since(session.last_seen_at) > self.auth.idle_timeout;
        let absolute_expired = now.duration_since(session.created_at) > self.auth.absolute_timeout;
        if idle_expired || absolute_expired {
            let mut tx = self.store.begin().await?;
            users::delete_session(&mut tx, &hash).await?;
            tx.commit().await?;
            return Ok(None);
        }
        // Recording every request would make every read a write; a minute's precision is
        // plenty for a 30-minute idle time-out.
        if now.duration_since(session.last_seen_at) > SignedDuration::from_mins(1) {
            let mut tx = self.store.begin().await?;
            users::touch_session(&mut tx, &hash, now).await?;
            tx.commit().await?;
        }
        self.actor_of(principal).await
    }

    pub async fn sign_out(&self, token: &str) -> Result<()> {
        let mut tx = self.store.begin().await?;
        users::delete_session(&mut tx, &secret_hash(token)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The actor behind an API token, if the token is live.
    pub async fn token_actor(&self, token: &str) -> Result<Option<Actor>> {
        let user = {
            let mut conn = self.store.read().await?;
            users::token_user(&mut conn, &secret_hash(token), self.now()).await?
        };
        match user {
            Some(user) => self.actor(user).await,
            None => Ok(None),
        }
    }

    /// Makes an API token for the actor themselves.
    pub async fn create_api_token(&self, actor: &Actor, name: &str, expires_at: Option<Timestamp>) -> Result<NewApiToken> {
        let name = casework_domain::text::ShortText::parse(name).map_err(|e| e.within("name"))?;
        let now = self.now();
        if expires_at.is_some_and(|e| e <= now) {
            return Err(casework_domain::FieldError::new("expires_at", "must be in the future").into());
        }
        let (token, hash) = new_secret("cw_");
        let id = casework_domain::ids::EventId::new().to_string();
        let mut tx = self.store.begin().await?;
        users::insert_token(&mut tx, &id, actor.user, name.as_str(), &hash, now, expires_at).await?;
        let change = casework_domain::history::Change::new(
            casework_domain::history::EventKind::ApiTokenCreated,
            casework_domain::history::Subject::User(actor.user),
            serde_json::Value::Null,
            serde_json::json!({ "token": id, "name": name }),
        );
        self.record(&mut tx, actor, None, [change], now).await?;
        tx.commit().await?;
        Ok(NewApiToken { id, name: name.to_string(), token })
    }

    pub async fn api_tokens(&self, actor: &Actor) -> Result<Vec<users::ApiToken>> {
        let mut conn = self.store.read().await?;
        Ok(users::tokens_of(&mut conn, actor.user).await?)
    }

    pub async fn revoke_api_token(&self, actor: &Actor, id: &str) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !users::revoke_token(&mut tx, actor.user, id, now).await? {
            return Err(AppError::NotFound("API token"));
        }
        let change = casework_domain::history::Change::new(
            casework_domain::history::EventKind::ApiTokenRevoked,
            casework_domain::history::Subject::User(actor.user),
            serde_json::json!({ "token": id }),
            serde_json::Value::Null,
        );
        self.record(&mut tx, actor, None, [change], now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes sessions past their time-outs and sign-in failures past the throttling window.
    /// Expired sessions are refused anyway; this keeps the tables small.
    pub async fn purge_expired_sessions(&self) -> Result<u64> {
        let now = self.now();
        let idle_before = now.checked_sub(self.auth.idle_timeout).unwrap_or(now);
        let started_before = now.checked_sub(self.auth.absolute_timeout).unwrap_or(now);
        let failures_before = now.checked_sub(self.auth.throttle_window).unwrap_or(now);
        let mut tx = self.store.begin().await?;
        let removed = users::delete_expired_sessions(&mut tx, idle_before, started_before).await?;
        users::delete_login_failures_before(&mut tx, failures_before).await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// Loads a user's roles and teams. A disabled or unknown user is no actor.
    pub async fn actor(&self, user: UserId) -> Result<Option<Actor>> {
        let principal = {
            let mut conn = self.store.read().await?;
            users::principal(&mut conn, user).await?
        };
        match principal {
            Some(principal) => self.actor_of(principal).await,
            None => Ok(None),
        }
    }

    async fn actor_of(&self, principal: users::Principal) -> Result<Option<Actor>> {
        if principal.disabled {
            return Ok(None);
        }
        let mut conn = self.store.read().await?;
        let (grants, teams) = users::roles_and_teams_of(&mut conn, principal.user).await?;
        let memberships = grants
            .iter()
            .filter_map(|grant| {
                // A role the current definition no longer has grants nothing.
                let role = self.services.get(&grant.service)?.role(&grant.role)?.clone();
                let teams: BTreeSet<_> = teams.iter().filter(|t| t.service == grant.service).map(|t| t.id).collect();
                Some(Membership { service: grant.service.clone(), role, teams })
            })
            .collect();
        Ok(Some(Actor {
            user: principal.user,
            username: principal.username,
            administrator: principal.administrator,
            memberships,
            as_of: self.now(),
        }))
    }
}
