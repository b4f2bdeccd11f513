//! Remembered answers to creating requests, keyed by user and the client's idempotency key.

use crate::convert::micros;
use crate::{Connection, Result};
use casework_domain::ids::UserId;
use jiff::Timestamp;

/// The request fingerprint and the answer stored under a key.
#[derive(Debug, Clone)]
pub struct Remembered {
    pub fingerprint: String,
    pub response: String,
}

pub async fn find(conn: &mut Connection, user: UserId, key: &str) -> Result<Option<Remembered>> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT fingerprint, response FROM idempotency_keys WHERE user_id = $1 AND key = $2")
            .bind(user.to_string())
            .bind(key)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(fingerprint, response)| Remembered { fingerprint, response }))
}

pub async fn remember(
    conn: &mut Connection,
    user: UserId,
    key: &str,
    fingerprint: &str,
    response: &str,
    at: Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO idempotency_keys (user_id, key, fingerprint, response, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(user.to_string())
        .bind(key)
        .bind(fingerprint)
        .bind(response)
        .bind(micros(at))
        .execute(conn)
        .await?;
    Ok(())
}
