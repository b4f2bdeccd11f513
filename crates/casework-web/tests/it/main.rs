//! The API through real HTTP: a server on 127.0.0.1 with its own SQLite file per test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access_matrix;
mod admin_pages;
mod alerts;
mod audit;
mod auth;
mod case_file_audits;
mod case_pages;
mod cases;
mod consents;
mod deadlines;
mod disclosures;
mod documents;
mod exports;
mod forms;
mod harness;
mod meetings;
mod openapi;
mod pages;
mod permissions;
mod referrals;
mod report_activity;
mod report_flow;
mod reports;
mod restricted;
mod retention;
mod scenarios;
mod search;
mod sixth_service;
mod subject_access;
mod subject_forms;
mod work;
mod work_list_pages;
