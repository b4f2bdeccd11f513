//! Write transactions that share a commit: each still commits or rolls back on its own, a
//! commit returns only once its changes are readable, and nothing is left holding the write
//! lock.

use casework_store::{Location, Store};
use std::time::Duration;

async fn store_with_scratch_table(dir: &std::path::Path) -> (Location, Store) {
    let location = casework_store::testing::fresh_database(dir, "writer.db").await.unwrap();
    let store = Store::open(&location).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    sqlx::query("CREATE TABLE scratch (n BIGINT PRIMARY KEY)").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    (location, store)
}

async fn scratch_rows(store: &Store) -> Vec<i64> {
    let mut conn = store.read().await.unwrap();
    sqlx::query_scalar("SELECT n FROM scratch ORDER BY n").fetch_all(&mut *conn).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_transactions_each_commit_or_roll_back_on_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let (_, store) = store_with_scratch_table(dir.path()).await;
    let writers = (0..60_i64).map(|n| {
        let store = store.clone();
        tokio::spawn(async move {
            let mut tx = store.begin().await.unwrap();
            sqlx::query("INSERT INTO scratch (n) VALUES ($1)").bind(n).execute(&mut *tx).await.unwrap();
            match n % 6 {
                // Given up: dropped without a commit.
                0 => drop(tx),
                // A statement that fails, then given up, as a use case does on an error.
                1 => {
                    let duplicate = sqlx::query("INSERT INTO scratch (n) VALUES ($1)").bind(n).execute(&mut *tx).await;
                    assert!(duplicate.is_err());
                    drop(tx);
                }
                _ => {
                    tx.commit().await.unwrap();
                    let mut conn = store.read().await.unwrap();
                    let seen: Option<i64> = sqlx::query_scalar("SELECT n FROM scratch WHERE n = $1")
                        .bind(n)
                        .fetch_optional(&mut *conn)
                        .await
                        .unwrap();
                    assert_eq!(seen, Some(n), "a returned commit is readable at once");
                }
            }
        })
    });
    for writer in writers.collect::<Vec<_>>() {
        writer.await.unwrap();
    }
    let expected: Vec<i64> = (0..60).filter(|n| n % 6 > 1).collect();
    assert_eq!(scratch_rows(&store).await, expected);
    store.close().await;
}

#[tokio::test]
async fn a_transaction_given_up_leaves_the_database_free_for_other_instances() {
    let dir = tempfile::tempdir().unwrap();
    let (location, store) = store_with_scratch_table(dir.path()).await;
    let mut tx = store.begin().await.unwrap();
    sqlx::query("INSERT INTO scratch (n) VALUES (1)").execute(&mut *tx).await.unwrap();
    drop(tx);

    // Another instance on the same database writes while the first stays open and idle.
    let other = Store::open(&location).await.unwrap();
    let written = tokio::time::timeout(Duration::from_secs(20), async {
        let mut tx = other.begin().await.unwrap();
        sqlx::query("INSERT INTO scratch (n) VALUES (2)").execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    })
    .await;
    assert!(written.is_ok(), "the other instance waited for a write lock nobody should hold");
    assert_eq!(scratch_rows(&store).await, vec![2]);

    // And the first instance writes again as usual.
    let mut tx = store.begin().await.unwrap();
    sqlx::query("INSERT INTO scratch (n) VALUES (3)").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(scratch_rows(&other).await, vec![2, 3]);
    other.close().await;
    store.close().await;
}
