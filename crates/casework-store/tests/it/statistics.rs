//! The query planner's statistics: gathered when a database is opened and refreshed once its
//! tables have grown, so that SQLite picks the narrow index (a caseload) over the wide one (a
//! whole service).

use casework_store::{Backend, Store};

/// Adds `count` sign-in failures in one transaction: a table with an index to gather
/// statistics on.
async fn add_failures(store: &Store, count: usize) {
    let mut tx = store.begin().await.unwrap();
    for n in 0..count {
        sqlx::query("INSERT INTO login_failures (username, at) VALUES ($1, $2)")
            .bind(format!("user-{}", n % 50))
            .bind(i64::try_from(n).unwrap())
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

/// The row count SQLite's statistics hold for the failures' index, if it has any.
async fn counted_rows(store: &Store) -> Option<i64> {
    let mut conn = store.read().await.unwrap();
    let gathered: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").fetch_one(&mut *conn).await.unwrap();
    if gathered == 0 {
        return None;
    }
    let stat: Option<String> = sqlx::query_scalar("SELECT stat FROM sqlite_stat1 WHERE idx = 'login_failures_by_name'")
        .fetch_optional(&mut *conn)
        .await
        .unwrap();
    stat.map(|s| s.split(' ').next().unwrap().parse().unwrap())
}

#[tokio::test]
async fn statistics_are_gathered_at_open_and_refreshed_when_tables_grow() {
    let dir = tempfile::tempdir().unwrap();
    let location = casework_store::testing::fresh_database(dir.path(), "statistics.db").await.unwrap();
    let store = Store::open(&location).await.unwrap();
    if store.backend() == Backend::Postgres {
        // PostgreSQL's autovacuum keeps its statistics; refreshing asks nothing of it.
        add_failures(&store, 10).await;
        store.refresh_statistics().await.unwrap();
        store.close().await;
        return;
    }
    add_failures(&store, 2_000).await;
    assert_eq!(counted_rows(&store).await, None, "nothing gathers statistics behind the writer's back");
    store.close().await;

    let store = Store::open(&location).await.unwrap();
    assert_eq!(counted_rows(&store).await, Some(2_000), "opening gathers statistics for a table that has none");

    add_failures(&store, 60_000).await;
    assert_eq!(counted_rows(&store).await, Some(2_000), "statistics stay as they were until refreshed");
    store.refresh_statistics().await.unwrap();
    assert_eq!(counted_rows(&store).await, Some(62_000), "a table that has grown out of its statistics gets new ones");
    store.close().await;
}
