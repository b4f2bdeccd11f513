//! The store against a real database of its own: SQLite, or PostgreSQL when the test run
//! names a server (`scripts/with-postgres`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod leases;
mod search;
mod statistics;
mod writer;

/// Each backend has its own DDL, kept one-to-one: a migration written for one backend only
/// would leave the other's schema behind.
#[test]
fn every_migration_exists_for_both_backends() {
    let names = |backend: &str| -> Vec<String> {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
        let mut names: Vec<String> =
            std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    };
    let (sqlite, postgres) = (names("sqlite"), names("postgres"));
    assert!(sqlite.len() >= 11, "{sqlite:?}");
    for name in &sqlite {
        assert!(postgres.contains(name), "{name} has no PostgreSQL form");
    }
    for name in &postgres {
        assert!(sqlite.contains(name), "{name} has no SQLite form");
    }
}
