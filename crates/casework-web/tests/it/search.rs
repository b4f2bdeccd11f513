//! Full-text search over notes (addenda included), form answers and names: words, phrases,
//! prefixes and stems; ranking; what users type never becomes query syntax; only the cases
//! the reader may see are found, and each one returned is in the access log first; a
//! destroyed case is found no more. The page shows snippets escaped, with the match marked.

use crate::harness::{Answer, Client, TestServer, spawn};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Opens a child-survivor case for Sam `family` and writes each note on it; returns its id.
async fn case_with_notes(by: &Client, family: &str, notes: &[&str]) -> String {
    let case = by.open_case("child-survivor", family).await;
    let id = case["id"].as_str().unwrap().to_owned();
    for body in notes {
        let note = by.post(&format!("/api/v1/cases/{id}/notes"), json!({ "kind": "phone", "body": body })).await;
        assert_eq!(note.status, StatusCode::CREATED, "{note:?}");
    }
    id
}

fn query(text: &str) -> String {
    format!("/api/v1/search?q={}", urlencode(text))
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)]).unwrap().trim_start_matches('=').to_owned()
}

/// The case ids an answer found, best first.
fn found(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    answer.body["items"].as_array().unwrap().iter().map(|hit| hit["case"].as_str().unwrap().to_owned()).collect()
}

async fn search(client: &Client, text: &str) -> Vec<String> {
    found(&client.get(&query(text)).await)
}

/// The marked words of a result's snippet.
fn marked(hit: &Value) -> Vec<String> {
    hit["snippet"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|part| part["marked"] == true)
        .map(|part| part["text"].as_str().unwrap().to_lowercase())
        .collect()
}

#[tokio::test]
async fn words_phrases_prefixes_and_stems_find_notes_addenda_form_answers_and_names() {
    let server = spawn().await;
    let focal = server.user("focal", &["child-survivor:focal-point"]).await;
    let both = case_with_notes(&focal, "Ellis", &["Her mother mentioned the allotment again when we spoke."]).await;
    let mother_only = case_with_notes(&focal, "Brook", &["The mother called about school."]).await;
    let allotment_only = case_with_notes(&focal, "Carter", &["Visited the allotment on Saturday."]).await;
    let spread = case_with_notes(
        &focal,
        "Evans",
        &["Mother rang to move the visit to Thursday.", "Sam showed me the vegetables on the family allotment."],
    )
    .await;
    let apart = case_with_notes(&focal, "Foster", &["The mother said the school had mentioned it before."]).await;
    let named = case_with_notes(&focal, "Núñez", &["Met at the youth club."]).await;

    // Words: every one must be found; a case holding one of two is not a match.
    let mut allotment = search(&focal, "allotment").await;
    allotment.sort();
    let mut expected = vec![both.clone(), allotment_only.clone(), spread.clone()];
    expected.sort();
    assert_eq!(allotment, expected);
    // Ranking: the note holding both words comes before a case whose words are in two notes;
    // the cases mentioning only one of the words are not found at all.
    let answer = focal.get(&query("mother allotment")).await;
    assert_eq!(found(&answer), [both.clone(), spread.clone()]);
    assert!(!found(&answer).contains(&mother_only) && !found(&answer).contains(&allotment_only));
    let best = &answer.body["items"][0];
    assert_eq!(best["kind"], "note");
    assert_eq!(best["person_name"], "Sam Ellis");
    assert_eq!(best["service"], "child-survivor");
    assert!(best["reference"].as_str().unwrap().starts_with("CSCM-"), "{best}");
    assert_eq!(marked(best), ["mother", "allotment"]);
    let text: String = best["snippet"].as_array().unwrap().iter().map(|p| p["text"].as_str().unwrap()).collect();
    assert_eq!(text, "Her mother mentioned the allotment again when we spoke.");

    // A phrase needs its words together and in order; the same words apart still match as words.
    assert_eq!(search(&focal, "\"mother mentioned\"").await, [both.as_str()]);
    assert!(search(&focal, "\"mentioned mother\"").await.is_empty());
    let mut words = search(&focal, "mother mentioned").await;
    words.sort();
    let mut expected = vec![both.clone(), apart.clone()];
    expected.sort();
    assert_eq!(words, expected);

    // Prefixes and stems.
    let mut prefixed = search(&focal, "allot*").await;
    prefixed.sort();
    assert_eq!(prefixed, allotment);
    assert!(search(&focal, "allotx*").await.is_empty());
    let mut stemmed = search(&focal, "mentioning").await;
    stemmed.sort();
    assert_eq!(stemmed, expected, "'mentioning' finds 'mentioned'");

    // Names, with their accents or without; a name and a note's word together.
    let answer = focal.get(&query("nunez")).await;
    assert_eq!(found(&answer), [named.as_str()]);
    assert_eq!(answer.body["items"][0]["kind"], "person");
    assert_eq!(search(&focal, "Núñez youth").await, [named.as_str()]);
    assert_eq!(search(&focal, "Ellis allotment").await, [both.as_str()]);

    // Form answers (their values, not the questions) and addenda.
    let form = focal
        .post(
            &format!("/api/v1/cases/{named}/forms"),
            json!({ "form": "referral-form", "answers": { "consent": "Grandparent agreed by phone", "needs": "Counselling" } }),
        )
        .await;
    assert_eq!(form.status, StatusCode::CREATED, "{form:?}");
    let answer = focal.get(&query("counselling")).await;
    assert_eq!(found(&answer), [named.as_str()]);
    assert_eq!(answer.body["items"][0]["kind"], "form");
    assert_eq!(answer.body["items"][0]["record"], form.body["id"]);
    assert!(search(&focal, "needs").await.is_empty(), "a question is not an answer");
    let notes = focal.get(&format!("/api/v1/cases/{carter}/notes", carter = allotment_only)).await;
    let note = notes.body["items"][0]["id"].as_str().unwrap().to_owned();
    let addendum = focal
        .post(
            &format!("/api/v1/cases/{allotment_only}/notes/{note}/addenda"),
            json!({ "body": "Correction: the visit was to the canal towpath." }),
        )
        .await;
    assert_eq!(addendum.status, StatusCode::CREATED, "{addendum:?}");
    let answer = focal.get(&query("towpath")).await;
    assert_eq!(found(&answer), [allotment_only.as_str()]);
    assert_eq!(answer.body["items"][0]["kind"], "note");
    assert_eq!(answer.body["items"][0]["record"], addendum.body["id"]);

    // A limit, and only one service.
    assert_eq!(found(&focal.get(&format!("{}&limit=1", query("allotment"))).await).len(), 1);
    assert_eq!(found(&focal.get(&format!("{}&service=child-survivor", query("allotment"))).await).len(), 3);
    assert!(found(&focal.get(&format!("{}&service=recovery", query("allotment"))).await).is_empty());
}

#[tokio::test]
async fn what_is_typed_is_words_never_query_syntax_and_a_search_of_nothing_names_the_field() {
    let server = spawn().await;
    let focal = server.user("focal", &["child-survivor:focal-point"]).await;
    let both = case_with_notes(&focal, "Ellis", &["Her mother mentioned the allotment; body: x was noted."]).await;
    let other = case_with_notes(&focal, "Brook", &["Talked about the allotment."]).await;

    for (typed, expected) in [
        ("-allotment", vec![&both, &other]),
        ("+mother ^allotment", vec![&both]),
        ("NEAR(mother allotment)", vec![&both]),
        ("mother AND allotment", vec![&both]),
        ("\"allotment", vec![&both, &other]),
        ("\"mother allotment", vec![&both]),
        ("body:x", vec![&both]),
        ("{body}: mother", vec![&both]),
        ("allotment OR 1", vec![]),
        ("mother NOT allotment", vec![&both]),
        ("'; DROP TABLE notes; --", vec![]),
        ("allot* OR \"", vec![&both, &other]),
    ] {
        let mut got = search(&focal, typed).await;
        got.sort();
        let mut expected: Vec<String> = expected.into_iter().cloned().collect();
        expected.sort();
        assert_eq!(got, expected, "{typed:?}");
    }
    let before = server.counts().await;
    for typed in ["", "*", "\"", "- + ^ ( )", "AND OR NOT NEAR", ")", "a b c d e f g h i j k l m"] {
        let answer = focal.get(&query(typed)).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed:?}: {answer:?}");
        assert_eq!(answer.fields(), ["q"], "{typed:?}");
    }
    let missing = focal.get("/api/v1/search").await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.body["errors"], json!([{ "field": "q", "message": "enter a word to search for" }]));
    let unknown = focal.get(&format!("{}&service=nowhere", query("allotment"))).await;
    assert_eq!(unknown.fields(), ["service"]);
    let malformed = focal.get(&format!("{}&service=Not%20a%20code", query("allotment"))).await;
    assert_eq!(malformed.fields(), ["service"]);
    assert_eq!(server.counts().await, before, "a refused search writes nothing");
    assert_eq!(focal.get(&query("\u{0}allotment\u{7}")).await.status, StatusCode::OK);
}

/// The ids of the cases the access log says `user` was shown by searches, in order.
async fn logged_searches(server: &TestServer, user: &str) -> Vec<String> {
    let mut conn = server.app.store.read().await.unwrap();
    sqlx::query_scalar("SELECT case_id FROM access_log WHERE user_id = $1 AND what = 'search' ORDER BY id")
        .bind(user)
        .fetch_all(&mut *conn)
        .await
        .unwrap()
}

/// Searches as `client` and checks that the access log gained one "search" entry for each
/// case returned, and no other; returns the cases found, sorted.
async fn logged_search(server: &TestServer, client: &Client, path: &str) -> Vec<String> {
    let before = logged_searches(server, &client.id()).await.len();
    let mut cases = found(&client.get(path).await);
    let mut logged = logged_searches(server, &client.id()).await.split_off(before);
    cases.sort();
    logged.sort();
    assert_eq!(logged, cases, "{}: one access-log entry per case returned", client.id());
    cases
}

async fn restrict(by: &Client, id: &str, level: &str, users: &[&Client], roles: &[&str]) {
    let version = by.get(&format!("/api/v1/cases/{id}")).await.body["version"].as_i64().unwrap();
    let users: Vec<String> = users.iter().map(|u| u.id()).collect();
    let answer = by
        .request(
            Method::PUT,
            &format!("/api/v1/cases/{id}/restriction"),
            Some(json!({ "version": version, "restriction": level, "users": users, "roles": roles })),
            &[],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
}

#[tokio::test]
async fn only_cases_the_reader_may_see_are_found_and_each_one_found_is_logged_first() {
    let server = spawn().await;
    let focal = server.user("focal", &["child-survivor:focal-point"]).await;
    let worker = server.user("worker", &["child-survivor:caseworker"]).await;
    let supervisor = server.user("super", &["child-survivor:supervisor"]).await;
    let outsider = server.user("outsider", &["child-survivor:caseworker"]).await;
    let admin = server.user("admin", &["child-survivor:admin"]).await;
    let recovery = server.user("recovery", &["recovery:service-manager"]).await;
    let team = server.team("child-survivor", "Case management", &[&worker, &supervisor]).await.to_string();

    let mut cases = Vec::new();
    for family in ["Open", "Restricted", "Shielded", "Unallocated"] {
        let id = case_with_notes(&focal, family, &["Walked to the zebra crossing together."]).await;
        if family != "Unallocated" {
            let allocated = focal
                .post(&format!("/api/v1/cases/{id}/allocation"), json!({ "version": 1, "worker": worker.id(), "team": team }))
                .await;
            assert_eq!(allocated.status, StatusCode::OK, "{allocated:?}");
        }
        cases.push(id);
    }
    let [open, restricted, shielded, unallocated] = [&cases[0], &cases[1], &cases[2], &cases[3]];
    restrict(&focal, restricted, "restricted", &[&worker], &["focal-point"]).await;
    restrict(&focal, shielded, "shielded", &[&worker], &["focal-point"]).await;
    let elsewhere = recovery.open_case("recovery", "Elsewhere").await;
    let elsewhere = elsewhere["id"].as_str().unwrap().to_owned();
    let note = recovery
        .post(&format!("/api/v1/cases/{elsewhere}/notes"), json!({ "kind": "phone", "body": "Zebra crossing by the gate." }))
        .await;
    assert_eq!(note.status, StatusCode::CREATED);

    let sorted = |ids: &[&String]| {
        let mut ids: Vec<String> = ids.iter().map(|id| (*id).clone()).collect();
        ids.sort();
        ids
    };
    assert_eq!(logged_search(&server, &focal, &query("zebra")).await, sorted(&[open, restricted, shielded, unallocated]));
    assert_eq!(logged_search(&server, &worker, &query("zebra")).await, sorted(&[open, restricted, shielded]));
    assert_eq!(logged_search(&server, &supervisor, &query("zebra")).await, sorted(&[open]), "not named on either");
    assert!(logged_search(&server, &outsider, &query("zebra")).await.is_empty(), "allocated to someone else");
    assert_eq!(logged_search(&server, &recovery, &query("zebra")).await, [elsewhere.as_str()]);
    assert!(logged_search(&server, &focal, &format!("{}&service=recovery", query("zebra"))).await.is_empty());

    // Someone who may read no case cannot search; the page says so too.
    let refused = admin.get(&query("zebra")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{refused:?}");
    assert_eq!(server.page_user("admin").await.get("/search?q=zebra").await.0, StatusCode::FORBIDDEN);
    assert!(logged_searches(&server, &admin.id()).await.is_empty());

    // Break-glass opens the restricted case to the supervisor for its hours, search included.
    let granted = supervisor
        .post(
            &format!("/api/v1/cases/{restricted}/break-glass"),
            json!({ "reason": "worker-unavailable", "details": "The worker is away and the school needs an answer" }),
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{granted:?}");
    assert_eq!(logged_search(&server, &supervisor, &query("zebra")).await, sorted(&[open, restricted]));
    server.advance(jiff::SignedDuration::from_hours(5));
    let supervisor = server.sign_in("super").await;
    assert_eq!(logged_search(&server, &supervisor, &query("zebra")).await, sorted(&[open]), "the grant has ended");

    // When the access log cannot be written, nothing is found.
    let focal = server.sign_in("focal").await;
    server.refuse_access_log_writes().await;
    let failed = focal.get(&query("zebra")).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(failed.body.get("items").is_none(), "{failed:?}");
    let (status, page) = server.page_user("focal").await.get("/search?q=zebra").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!page.contains("zebra crossing") && !page.contains("Sam Open"), "{page}");
    server.allow_access_log_writes().await;
    assert_eq!(search(&focal, "zebra").await.len(), 4);
}

#[tokio::test]
async fn a_destroyed_case_is_found_no_more() {
    let server = spawn().await;
    let manager = server.user("manager", &["family-court:service-manager"]).await;
    let mut cases = Vec::new();
    for family in ["Kumquat", "Kept"] {
        let made = manager
            .post(
                "/api/v1/cases",
                json!({ "service": "family-court", "source": "staff", "summary": "Section 7 report",
                        "person": { "given_name": "Robin", "family_name": family, "date_of_birth": "1990-05-01" } }),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{made:?}");
        let id = made.body["id"].as_str().unwrap().to_owned();
        let note = manager
            .post(&format!("/api/v1/cases/{id}/notes"), json!({ "kind": "contact", "body": "Talked about the quince tree." }))
            .await;
        assert_eq!(note.status, StatusCode::CREATED);
        cases.push(id);
    }
    let (destroyed, kept) = (&cases[0], &cases[1]);
    let closed =
        manager.post(&format!("/api/v1/cases/{destroyed}/closure"), json!({ "version": 1, "reason": "final-order" })).await;
    assert_eq!(closed.status, StatusCode::OK, "{closed:?}");
    assert_eq!(search(&manager, "kumquat").await, [destroyed.as_str()], "a closed case is found");

    server.advance(jiff::SignedDuration::from_hours(6 * 24 * 366 + 24));
    let manager = server.sign_in("manager").await;
    let approved = manager.post("/api/v1/services/family-court/disposal-review/approvals", json!({ "cases": [destroyed] })).await;
    assert_eq!(approved.status, StatusCode::OK, "{approved:?}");
    assert_eq!(server.app.run_destruction().await.unwrap(), 1);

    assert!(search(&manager, "kumquat").await.is_empty(), "the name went with the case");
    assert_eq!(search(&manager, "quince").await, [kept.as_str()], "its note went too; the other case's stays");
    let mut conn = server.app.store.read().await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM search_documents WHERE case_id = $1 OR body LIKE '%Kumquat%'")
        .bind(destroyed)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn the_page_searches_shows_snippets_as_text_with_the_match_marked_and_links_to_the_cases() {
    let server = spawn().await;
    let focal = server.user("focal", &["child-survivor:focal-point"]).await;
    server.make_user("admin", &["child-survivor:admin"], false).await;
    let id = case_with_notes(&focal, "Ellis", &["Mother said <script>alert(1)</script> the allotment & garden."]).await;
    let page = server.page_user("focal").await;

    let (status, home) = page.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains("href=\"/search\"") && home.contains("action=\"/search\""),
        "the header and the home page lead to search"
    );
    let (_, admin_home) = server.page_user("admin").await.get("/").await;
    assert!(!admin_home.contains("/search"), "not for someone who may read no case");

    let (status, empty) = page.get("/search").await;
    assert_eq!(status, StatusCode::OK);
    assert!(empty.contains("<label class=\"govuk-label govuk-label--l\" for=\"q\">Search cases</label>"));
    assert!(!empty.contains("id=\"results\""), "no search yet, no results");

    let (status, html) = page.get("/search?q=allot*").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("1 case</h2>"), "{html}");
    assert!(html.contains(&format!("href=\"/cases/{id}\"")));
    assert!(html.contains("<mark>allotment</mark>"), "{html}");
    assert!(html.contains("&#60;script&#62;alert(1)") && !html.contains("<script>alert"), "escaped: {html}");
    assert!(html.contains("value=\"allot*\""), "the search stays in the box");

    let (status, none) = page.get("/search?q=kumquat").await;
    assert_eq!(status, StatusCode::OK);
    assert!(none.contains("No cases match"));

    let (status, refused) = page.get("/search?q=%2A").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("govuk-error-summary") && refused.contains("href=\"#q\">Enter a word to search for"), "{refused}");
    assert!(refused.contains("id=\"q-error\""));
}
