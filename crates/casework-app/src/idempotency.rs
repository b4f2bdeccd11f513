//! Idempotent creation: a client that retries a creating request with the same key gets
//! the record made the first time, not a second one. The key is remembered in the same
//! transaction as the record it made.

use crate::{AppError, Result};
use casework_domain::access::Actor;
use casework_store::{Connection, Tx};

/// The client's key and a fingerprint of the request it came with.
#[derive(Debug, Clone)]
pub struct Idempotency {
    pub key: String,
    pub fingerprint: String,
}

/// The id of the record made under this key before, if any. The same key with a different
/// request is refused: it is a client bug, and guessing which was meant could lose data.
pub(crate) async fn replayed(conn: &mut Connection, actor: &Actor, idempotency: Option<&Idempotency>) -> Result<Option<String>> {
    let Some(idempotency) = idempotency else { return Ok(None) };
    match casework_store::idempotency::find(conn, actor.user, &idempotency.key).await? {
        Some(remembered) if remembered.fingerprint == idempotency.fingerprint => Ok(Some(remembered.response)),
        Some(_) => Err(AppError::Conflict("this Idempotency-Key was already used for a different request".into())),
        None => Ok(None),
    }
}

/// The answer to a replayed request: the record made the first time. The transaction
/// commits, though it wrote nothing, so the answer waits until what it read is on disk
/// (another write it read may share a commit still to come).
pub(crate) async fn answer_replay<T>(made: Option<T>, tx: Tx, what: &'static str) -> Result<T> {
    let made = made.ok_or(AppError::NotFound(what))?;
    tx.commit().await?;
    Ok(made)
}

pub(crate) async fn remember(
    conn: &mut Connection,
    actor: &Actor,
    idempotency: Option<&Idempotency>,
    id: &str,
    at: jiff::Timestamp,
) -> Result<()> {
    if let Some(idempotency) = idempotency {
        casework_store::idempotency::remember(conn, actor.user, &idempotency.key, &idempotency.fingerprint, id, at).await?;
    }
    Ok(())
}

pub(crate) fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T> {
    raw.parse().map_err(|_| AppError::Internal(format!("remembered id does not parse: {raw}")))
}
