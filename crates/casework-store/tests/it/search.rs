//! Full-text search: whatever a user types, the query the store sends is one the database accepts.

use casework_domain::access::{CaseFilter, FilterReach};
use casework_domain::ids::UserId;
use casework_domain::search::SearchQuery;
use casework_domain::text::Code;
use casework_store::Store;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const SYSTEM: &str = "00000000-0000-0000-0000-000000000000";

/// A database holding one case with a note and a form, and the filter of someone who may
/// see every case of its service.
async fn one_case() -> (Store, tempfile::TempDir, CaseFilter) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&casework_store::testing::fresh_database(dir.path(), "search.db").await.unwrap()).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    for statement in [
        "INSERT INTO services (code, name, reference_prefix, current_version) VALUES ('test', 'Test', 'TST', 1)",
        "INSERT INTO people (id, given_name, family_name, created_at, created_by)
         VALUES ('01900000-0000-7000-8000-000000000001', 'Maisie', 'Ellis', 0, '00000000-0000-0000-0000-000000000000')",
        "INSERT INTO referrals (id, service, person_id, source, received_at, summary, forms, outcome, recorded_by, recorded_at)
         VALUES ('01900000-0000-7000-8000-000000000002', 'test', '01900000-0000-7000-8000-000000000001', 'staff', 0, 'Help', '[]', 'accepted', '00000000-0000-0000-0000-000000000000', 0)",
        "INSERT INTO cases (id, reference, service, service_version, person_id, referral_id, stage, status, opened_at, updated_at, version)
         VALUES ('01900000-0000-7000-8000-000000000003', 'TST-2026-0001', 'test', 1, '01900000-0000-7000-8000-000000000001', '01900000-0000-7000-8000-000000000002', 'open', 'open', 0, 0, 1)",
        "INSERT INTO notes (id, case_id, kind, body, contact_at, recorded_at, author_id, late_entry)
         VALUES ('01900000-0000-7000-8000-000000000004', '01900000-0000-7000-8000-000000000003', 'phone', 'Her mother mentioned the allotment; \"NEAR\" OR (AND) * body: x', 0, 0,
                 '00000000-0000-0000-0000-000000000000', 0)",
        "INSERT INTO form_submissions (id, case_id, form, answers, completed_by, submitted_by, submitted_at)
         VALUES ('01900000-0000-7000-8000-000000000005', '01900000-0000-7000-8000-000000000003', 'screening', '{\"q1\": \"drinks at the allotment\", \"q2\": 3}', 'worker',
                 '00000000-0000-0000-0000-000000000000', 0)",
    ] {
        sqlx::query(statement).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    let filter = CaseFilter {
        service: Code::parse("test").unwrap(),
        reach: FilterReach::WholeService,
        user: SYSTEM.parse::<UserId>().unwrap(),
        roles: Vec::new(),
        as_of: jiff::Timestamp::UNIX_EPOCH,
    };
    (store, dir, filter)
}

/// Text made mostly of what FTS5 would read as syntax, with ordinary words and any character.
fn fts5_flavoured() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(vec!["\"", "*", " ", "AND", "OR", "NOT", "NEAR", "(", ")", ":", "^", "-", "+", "{", "}", ",", "'"])
            .prop_map(str::to_owned),
        prop::sample::select(vec!["mother", "allot", "allotment", "body", "x", "maisie", "ellis", "q1", "mentioned"])
            .prop_map(str::to_owned),
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..14).prop_map(|pieces| pieces.concat())
}

#[test]
fn whatever_is_typed_the_search_runs_without_error() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (store, _dir, filter) = runtime.block_on(one_case());
    let mut runner = TestRunner::new(Config { cases: 400, failure_persistence: None, ..Config::default() });
    let found = std::cell::Cell::new(0);
    runner
        .run(&prop_oneof![any::<String>(), fts5_flavoured()], |raw| {
            let Ok(query) = SearchQuery::parse(&raw) else { return Ok(()) };
            let answer = runtime.block_on(async {
                let mut conn = store.read().await.unwrap();
                casework_store::search::search(&mut conn, &query, None, std::slice::from_ref(&filter), 10).await
            });
            prop_assert!(answer.is_ok(), "{raw:?} as {} failed: {answer:?}", query.fts5_any());
            found.set(found.get() + answer.unwrap().len());
            Ok(())
        })
        .unwrap();
    assert!(found.get() > 0, "some of the searches found the case, so the searches did run");
}

#[test]
fn form_answers_are_searched_by_their_values_not_their_keys() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (store, _dir, filter) = runtime.block_on(one_case());
    let kinds = |raw: &str| {
        runtime.block_on(async {
            let mut conn = store.read().await.unwrap();
            let query = SearchQuery::parse(raw).unwrap();
            let hits = casework_store::search::search(&mut conn, &query, None, std::slice::from_ref(&filter), 10).await.unwrap();
            hits.iter().map(|h| h.kind.name()).collect::<Vec<_>>()
        })
    };
    assert_eq!(kinds("drinks"), ["form"]);
    assert_eq!(kinds("q1"), Vec::<&str>::new(), "a question's key is not an answer");
    assert_eq!(kinds("3"), Vec::<&str>::new(), "numbers are not indexed");
    assert_eq!(kinds("maisie"), ["person"]);
}
