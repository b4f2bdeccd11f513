//! Casework's domain: the rules of case work as plain data and functions.
//!
//! Nothing here does I/O, reads a clock or knows about HTTP or SQL. Values that can be
//! invalid have a constructor that checks them ("parse, don't validate"), so once a value
//! of one of these types exists it is known to be good.

pub mod access;
pub mod activity;
pub mod alert;
pub mod calendar;
pub mod case;
pub mod case_file_audit;
pub mod caseload;
pub mod consent;
pub mod decision;
pub mod disclosure;
pub mod document;
pub mod form;
pub mod history;
pub mod ids;
pub mod invalid;
pub mod monthly_output;
pub mod note;
pub mod person;
pub mod plan;
pub mod referral;
pub mod report_rules;
pub mod retention;
pub mod search;
pub mod service;
pub mod subject_access;
pub mod table;
pub mod task;
pub mod text;
pub mod time;
pub mod timeliness;
pub mod timer;
pub mod user;
pub mod waiting;

pub use invalid::{FieldError, Invalid};
