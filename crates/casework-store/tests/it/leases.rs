//! Job leases: one holder at a time, taken over only once expired; each slot of a job claimed once.

use casework_store::{Store, leases};
use jiff::{SignedDuration, Timestamp};

fn at(minutes: i64) -> Timestamp {
    Timestamp::UNIX_EPOCH + SignedDuration::from_mins(1_000_000 + minutes)
}

#[tokio::test]
async fn a_lease_has_one_holder_until_it_expires_or_is_released() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&casework_store::testing::fresh_database(dir.path(), "leases.db").await.unwrap()).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(leases::take(&mut tx, "alerts", "a", at(0), at(5)).await.unwrap(), "a free lease is taken");
    assert!(!leases::take(&mut tx, "alerts", "b", at(1), at(6)).await.unwrap(), "not while another holds it");
    assert!(leases::take(&mut tx, "timers", "b", at(1), at(6)).await.unwrap(), "each job has its own");
    assert!(leases::take(&mut tx, "alerts", "a", at(4), at(9)).await.unwrap(), "the holder renews it");
    assert!(!leases::take(&mut tx, "alerts", "b", at(8), at(13)).await.unwrap(), "renewed, it lasts longer");
    assert!(leases::take(&mut tx, "alerts", "b", at(9), at(14)).await.unwrap(), "expired, another takes it");
    let held = leases::all(&mut tx).await.unwrap();
    assert_eq!(held.len(), 2);
    assert_eq!((held[0].job.as_str(), held[0].holder.as_str(), held[0].taken_at), ("alerts", "b", at(9)));
    assert!(!leases::take(&mut tx, "alerts", "a", at(10), at(15)).await.unwrap());
    assert_eq!(leases::release(&mut tx, "b").await.unwrap(), 2);
    assert!(leases::take(&mut tx, "alerts", "a", at(10), at(15)).await.unwrap(), "released, it is free at once");

    assert!(leases::claim_run(&mut tx, "alerts", 7, "a", at(10)).await.unwrap());
    assert!(!leases::claim_run(&mut tx, "alerts", 7, "b", at(10)).await.unwrap(), "a slot runs once");
    assert!(leases::claim_run(&mut tx, "alerts", 8, "b", at(11)).await.unwrap());
    leases::finish_run(&mut tx, "alerts", 7, "a", at(12), "3 raised").await.unwrap();
    let runs = leases::recent_runs(&mut tx, 10).await.unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!((runs[0].slot, runs[0].finished_at), (8, None));
    assert_eq!((runs[1].slot, runs[1].finished_at, runs[1].outcome.as_deref()), (7, Some(at(12)), Some("3 raised")));
    assert_eq!(leases::forget_old_runs(&mut tx, "alerts", 2).await.unwrap(), 0, "two runs kept");
    assert_eq!(leases::forget_old_runs(&mut tx, "alerts", 1).await.unwrap(), 1, "the older one goes");
    assert_eq!(leases::recent_runs(&mut tx, 10).await.unwrap().len(), 1);
    tx.commit().await.unwrap();
    store.close().await;
}
