//! The store against a real SQLite database of its own.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod leases;
mod search;
