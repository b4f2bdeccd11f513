//! The raw commit rate of a database: durable transactions of one small row each, with the
//! settings every write of the store runs under (on SQLite the one writer connection, WAL
//! and `synchronous=FULL`; on PostgreSQL the write lock). A benchmark reports the rate of a
//! real write (adding a note) as a share of this ceiling. The rows go to a scratch table,
//! made for the measurement and dropped after it.

use crate::{Result, Store};
use sqlx::Executor;

/// Makes the scratch table (empty).
pub async fn prepare(store: &Store) -> Result<()> {
    let mut tx = store.begin().await?;
    sqlx::query("DROP TABLE IF EXISTS bench_commit_rate").execute(&mut *tx).await?;
    sqlx::query("CREATE TABLE bench_commit_rate (client BIGINT NOT NULL, n BIGINT NOT NULL, line TEXT NOT NULL)")
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// One transaction of its own: one row inserted, committed. It does not join other writes'
/// batches (see the `writer` module): this measures what one durable commit costs, the
/// ceiling that sharing commits lifts.
pub async fn commit_one(store: &Store, client: i64, n: i64) -> Result<()> {
    let mut conn = store.writer.pool().acquire().await?;
    crate::writer::begin_alone(&mut conn, store.backend).await?;
    let inserted = sqlx::query("INSERT INTO bench_commit_rate (client, n, line) VALUES ($1, $2, $3)")
        .bind(client)
        .bind(n)
        .bind("A short line of text, about the size of a brief contact note.")
        .execute(&mut *conn)
        .await;
    let ended = match inserted {
        Ok(_) => conn.execute("COMMIT").await,
        Err(error) => {
            let _ = conn.execute("ROLLBACK").await;
            return Err(error.into());
        }
    };
    ended?;
    Ok(())
}

/// How many rows the measurement committed, then the scratch table is dropped.
pub async fn finish(store: &Store) -> Result<i64> {
    let mut tx = store.begin().await?;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bench_commit_rate").fetch_one(&mut *tx).await?;
    sqlx::query("DROP TABLE bench_commit_rate").execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(rows)
}
