//! Restricted and shielded cases and break-glass: each kind of user sees exactly what the
//! restriction allows, on every route that shows a case or something on it, before,
//! during and after break-glass.

use crate::harness::{Client, TestServer, spawn};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The people around a child-survivor case: its worker and supervisor in one team, two
/// focal points (managers, service-wide; the second signs in when needed), an auditor, and two caseworkers it is not
/// allocated to (one of them named on the case).
struct Cast {
    focal: Client,
    worker: Client,
    supervisor: Client,
    auditor: Client,
    outsider: Client,
    named_outsider: Client,
    team: String,
}

async fn cast(server: &TestServer) -> Cast {
    let mut cast = Cast {
        focal: server.user("focal", &["child-survivor:focal-point"]).await,
        worker: server.user("worker", &["child-survivor:caseworker"]).await,
        supervisor: server.user("super", &["child-survivor:supervisor"]).await,
        auditor: server.user("auditor", &["child-survivor:auditor"]).await,
        outsider: server.user("outsider", &["child-survivor:caseworker"]).await,
        named_outsider: server.user("named", &["child-survivor:caseworker"]).await,
        team: String::new(),
    };
    server.make_user("focal2", &["child-survivor:focal-point"], false).await;
    cast.team = server.team("child-survivor", "Case management", &[&cast.worker, &cast.supervisor]).await.to_string();
    cast
}

/// Opens a case allocated to the worker in the team, with a task and a reminder for the
/// supervisor role, then restricts it to the worker, the named outsider and the focal-point role.
async fn restricted_case(cast: &Cast, level: &str, family: &str) -> (String, String, String) {
    let case = cast.focal.open_case("child-survivor", family).await;
    let id = case["id"].as_str().unwrap().to_owned();
    let reference = case["reference"].as_str().unwrap().to_owned();
    let person = case["person"].as_str().unwrap().to_owned();
    let allocated = cast
        .focal
        .post(&format!("/api/v1/cases/{id}/allocation"), json!({ "version": 1, "worker": cast.worker.id(), "team": cast.team }))
        .await;
    assert_eq!(allocated.status, StatusCode::OK, "{allocated:?}");
    // Into follow-up, so the case counts on the service's "Follow-up and monitoring" list.
    for (version, stage) in [(2, "intake-assessment"), (3, "implementation"), (4, "follow-up")] {
        let moved = cast.focal.post(&format!("/api/v1/cases/{id}/stage"), json!({ "version": version, "stage": stage })).await;
        assert_eq!(moved.status, StatusCode::OK, "{moved:?}");
    }
    let task = cast
        .focal
        .post(
            &format!("/api/v1/cases/{id}/tasks"),
            json!({ "title": format!("Review {family}"), "assignee": { "type": "role", "id": "supervisor" } }),
        )
        .await;
    assert_eq!(task.status, StatusCode::CREATED, "{task:?}");
    let reminder = cast
        .focal
        .post(
            &format!("/api/v1/cases/{id}/reminders"),
            json!({ "to": { "type": "role", "id": "supervisor" }, "on": "2026-03-10", "message": format!("Look at {family}") }),
        )
        .await;
    assert_eq!(reminder.status, StatusCode::CREATED, "{reminder:?}");
    let version = cast.focal.get(&format!("/api/v1/cases/{id}")).await.body["version"].as_i64().unwrap();
    let restricted = cast
        .focal
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/cases/{id}/restriction"),
            Some(json!({ "version": version, "restriction": level, "users": [cast.worker.id(), cast.named_outsider.id()], "roles": ["focal-point"] })),
            &[],
        )
        .await;
    assert_eq!(restricted.status, StatusCode::OK, "{restricted:?}");
    assert_eq!(restricted.body["restriction"], level);
    (id, reference, person)
}

fn ids(answer: &Value) -> Vec<String> {
    answer["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
}

/// Everything one user sees of the case, route by route.
#[derive(Debug, PartialEq)]
struct Sight {
    case: StatusCode,
    page: StatusCode,
    history: StatusCode,
    listed: bool,
    by_person: bool,
    counted: bool,
    alert: bool,
    on_home: bool,
}

async fn sight(server: &TestServer, username: &str, id: &str, reference: &str, person: &str, family: &str) -> Sight {
    // Signed in afresh, as after the clock moves on a session would have lapsed.
    let client = server.sign_in(username).await;
    let page_user = server.page_user(username).await;
    let listed = ids(&client.get("/api/v1/cases?service=child-survivor&limit=200").await.body).contains(&id.to_owned());
    let by_person = ids(&client.get(&format!("/api/v1/cases?person={person}")).await.body).contains(&id.to_owned());
    let lists = client.get("/api/v1/work-lists").await;
    let counted = lists.body.as_array().map_or(0, |lists| {
        lists
            .iter()
            .filter(|l| l["service"] == "child-survivor" && l["code"] == "follow-up")
            .map(|l| l["count"].as_i64().unwrap())
            .sum::<i64>()
    });
    let alerts = client.get("/api/v1/alerts").await;
    let alert = alerts.body["items"].as_array().unwrap().iter().any(|a| a["case"] == id);
    let (_, home) = page_user.get("/").await;
    Sight {
        case: client.get(&format!("/api/v1/cases/{id}")).await.status,
        page: page_user.get(&format!("/cases/{id}")).await.0,
        history: client.get(&format!("/api/v1/cases/{id}/history")).await.status,
        listed,
        by_person,
        counted: counted > 0,
        alert,
        on_home: home.contains(reference) || home.contains(&format!("Review {family}")),
    }
}

fn sees(yes: bool) -> Sight {
    Sight {
        case: if yes { StatusCode::OK } else { StatusCode::NOT_FOUND },
        page: if yes { StatusCode::OK } else { StatusCode::NOT_FOUND },
        history: if yes { StatusCode::OK } else { StatusCode::NOT_FOUND },
        listed: yes,
        by_person: yes,
        counted: yes,
        alert: false,
        on_home: false,
    }
}

#[tokio::test]
async fn a_restricted_case_shows_only_to_those_named_and_to_break_glass_until_it_expires() {
    let server = spawn().await;
    let cast = cast(&server).await;
    let (id, reference, person) = restricted_case(&cast, "restricted", "Quinn").await;
    let look = |name: &'static str| {
        let (server, id, reference, person) = (&server, id.clone(), reference.clone(), person.clone());
        async move { sight(server, name, &id, &reference, &person, "Quinn").await }
    };

    // Named in person and allocated; named by role; named by role again.
    assert_eq!(look("worker").await, Sight { on_home: true, ..sees(true) });
    assert_eq!(look("focal").await, sees(true));
    assert_eq!(look("focal2").await, sees(true));
    // Named, but not allocated: naming never grants by itself.
    assert_eq!(look("named").await, sees(false));
    assert_eq!(look("outsider").await, sees(false));
    // The auditor's reach covers it, but they are not named and may not break glass.
    assert_eq!(look("auditor").await, sees(false));
    // The supervisor may break glass: told so (403) and nothing else, not even the task and
    // the reminder addressed to their role.
    let forbidden =
        Sight { case: StatusCode::FORBIDDEN, page: StatusCode::FORBIDDEN, history: StatusCode::FORBIDDEN, ..sees(false) };
    assert_eq!(look("super").await, forbidden);
    let answer = cast.supervisor.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(answer.body["type"], "/problems/break-glass-possible");
    assert!(!answer.body.to_string().contains("Quinn"));
    let page = server.page_user("super").await.get(&format!("/cases/{id}")).await.1;
    assert!(page.contains("This case is restricted") && page.contains("name=\"reason\"") && page.contains("name=\"details\""));
    assert!(!page.contains("Quinn"), "the break-glass page shows nothing of the case");

    // Break-glass refused: no listed reason, no details, a reason of no list; by those who
    // may not; nothing is written.
    let before = server.counts().await;
    let path = format!("/api/v1/cases/{id}/break-glass");
    let refused = cast.supervisor.post(&path, json!({ "reason": "", "details": "" })).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.fields(), ["reason", "details"]);
    let refused = cast.supervisor.post(&path, json!({ "reason": "curiosity", "details": "Wanted to see" })).await;
    assert_eq!(refused.fields(), ["reason"]);
    let refused = cast.supervisor.post(&path, json!({ "reason": "safeguarding-emergency", "details": "  " })).await;
    assert_eq!(refused.fields(), ["details"]);
    for client in [&cast.auditor, &cast.outsider, &cast.named_outsider] {
        let refused = client.post(&path, json!({ "reason": "safeguarding-emergency", "details": "Urgent" })).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{refused:?}");
    }
    let already = cast.worker.post(&path, json!({ "reason": "safeguarding-emergency", "details": "Urgent" })).await;
    assert_eq!(already.status, StatusCode::CONFLICT);
    assert_eq!(server.counts().await, before, "refused break-glass writes nothing");

    // Break-glass: the owner and the managers are alerted at once.
    let granted = cast
        .supervisor
        .post(&path, json!({ "reason": "safeguarding-emergency", "details": "Police called about Rowan tonight" }))
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{granted:?}");
    assert_eq!(granted.body["expires_at"], "2026-03-10T14:00:00Z");
    for manager in ["worker", "focal", "focal2"] {
        let alerts = server.sign_in(manager).await.get("/api/v1/alerts").await;
        let about: Vec<&Value> = alerts.body["items"].as_array().unwrap().iter().filter(|a| a["case"] == id.as_str()).collect();
        assert!(about.iter().any(|a| a["message"].as_str().unwrap().contains("break-glass")), "{manager}: {alerts:?}");
    }
    // While it lasts the supervisor sees the case as if named, with a banner on its page.
    assert_eq!(look("super").await, Sight { alert: true, on_home: true, ..sees(true) });
    let page = server.page_user("super").await.get(&format!("/cases/{id}")).await.1;
    assert!(page.contains("You opened this restricted case by break-glass") && page.contains("14:00"), "{page}");
    // Others are not let in by someone else's break-glass.
    assert_eq!(look("auditor").await, sees(false));

    // Every access-log entry made under it records why; the auditor sees none of it until named.
    let log = server.sign_in("auditor").await.get(&format!("/api/v1/access-log?case={reference}")).await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body["items"].as_array().unwrap().is_empty(), "{log:?}");
    let version = cast.focal.get(&format!("/api/v1/cases/{id}")).await.body["version"].as_i64().unwrap();
    let named = cast
        .focal
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/cases/{id}/restriction"),
            Some(json!({ "version": version, "restriction": "restricted", "users": [cast.worker.id()], "roles": ["focal-point", "auditor"] })),
            &[],
        )
        .await;
    assert_eq!(named.status, StatusCode::OK, "{named:?}");
    let log = server.sign_in("auditor").await.get(&format!("/api/v1/access-log?case={reference}")).await;
    let entries = log.body["items"].as_array().unwrap();
    let by_supervisor: Vec<&Value> = entries.iter().filter(|e| e["username"] == "super").collect();
    assert!(!by_supervisor.is_empty());
    for entry in &by_supervisor {
        assert_eq!(entry["why"], "break-glass: safeguarding-emergency: Police called about Rowan tonight", "{entry}");
    }
    assert!(entries.iter().filter(|e| e["username"] == "worker").all(|e| e["why"].is_null()));

    // After expiry it is gone: back to being told it is restricted.
    server.advance(jiff::SignedDuration::from_hours(4));
    assert_eq!(look("super").await, forbidden);
    assert_eq!(look("worker").await, Sight { alert: true, on_home: true, ..sees(true) });
}

#[tokio::test]
async fn a_shielded_case_does_not_exist_for_anyone_not_named() {
    let server = spawn().await;
    let cast = cast(&server).await;
    let (id, reference, person) = restricted_case(&cast, "shielded", "Marsh").await;
    let look = |name: &'static str| {
        let (server, id, reference, person) = (&server, id.clone(), reference.clone(), person.clone());
        async move { sight(server, name, &id, &reference, &person, "Marsh").await }
    };
    assert_eq!(look("worker").await, Sight { on_home: true, ..sees(true) });
    assert_eq!(look("focal2").await, sees(true));
    for name in ["super", "auditor", "outsider", "named"] {
        assert_eq!(look(name).await, sees(false), "{name}");
    }
    let before = server.counts().await;
    let refused = cast
        .supervisor
        .post(&format!("/api/v1/cases/{id}/break-glass"), json!({ "reason": "safeguarding-emergency", "details": "Urgent" }))
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(server.counts().await, before);
    let log = cast.auditor.get(&format!("/api/v1/access-log?case={reference}")).await;
    assert!(log.body["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn only_restrict_holders_change_a_restriction_and_nobody_is_locked_out_or_given_what_they_cannot_see() {
    let server = spawn().await;
    let cast = cast(&server).await;
    let (id, _, _) = restricted_case(&cast, "restricted", "Quinn").await;
    let path = format!("/api/v1/cases/{id}/restriction");
    let version = cast.focal.get(&path).await.body["version"].as_i64().unwrap();
    let put = |client: &Client, body: Value| {
        let (client, path) = (client.clone(), path.clone());
        async move { client.request(reqwest::Method::PUT, &path, Some(body), &[]).await }
    };
    let before = server.counts().await;
    // The worker sees the case but may not restrict it.
    let refused = put(&cast.worker, json!({ "version": version, "restriction": "none" })).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Locking oneself out, or the case's worker.
    let refused = put(&cast.focal, json!({ "version": version, "restriction": "shielded", "users": [cast.worker.id()] })).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.fields(), ["users"]);
    let refused = put(&cast.focal, json!({ "version": version, "restriction": "restricted", "roles": ["focal-point"] })).await;
    assert_eq!(refused.fields(), ["users"]);
    // A restricted case must let those told of a break-glass open it to review it.
    let refused = put(
        &cast.focal,
        json!({ "version": version, "restriction": "restricted", "users": [cast.worker.id(), cast.focal.id()], "roles": ["auditor"] }),
    )
    .await;
    assert_eq!(refused.fields(), ["roles"]);
    assert!(refused.body.to_string().contains("Case management focal point"), "{}", refused.body);
    // Nonsense: an unknown level, a role the service does not have, a stale version.
    let refused = put(&cast.focal, json!({ "version": version, "restriction": "secret", "users": ["x"] })).await;
    assert_eq!(refused.fields(), ["restriction", "users/0"]);
    let refused =
        put(&cast.focal, json!({ "version": version, "restriction": "restricted", "roles": ["focal-point", "wizard"] })).await;
    assert_eq!(refused.fields(), ["roles"]);
    let stale = put(&cast.focal, json!({ "version": version - 1, "restriction": "none" })).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    // Allocating it, or giving one of its tasks, to someone who could not see it.
    let refused = cast
        .focal
        .post(&format!("/api/v1/cases/{id}/allocation"), json!({ "version": version, "worker": cast.outsider.id() }))
        .await;
    assert_eq!(refused.fields(), ["worker"]);
    let refused = cast
        .focal
        .post(
            &format!("/api/v1/cases/{id}/tasks"),
            json!({ "title": "Visit", "assignee": { "type": "user", "id": cast.supervisor.id() } }),
        )
        .await;
    assert_eq!(refused.fields(), ["assignee"]);
    assert_eq!(server.counts().await, before, "nothing refused was written");

    // Lifting it is recorded with what it was before.
    let lifted = put(&cast.focal, json!({ "version": version, "restriction": "none" })).await;
    assert_eq!(lifted.status, StatusCode::OK, "{lifted:?}");
    assert_eq!(lifted.body, json!({ "restriction": "none", "users": [], "roles": [], "version": version + 1 }));
    let history = cast.focal.get(&format!("/api/v1/cases/{id}/history?limit=200")).await;
    let changes: Vec<&Value> =
        history.body["items"].as_array().unwrap().iter().filter(|e| e["kind"] == "restriction-changed").collect();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[1]["before"]["level"], "restricted");
    assert_eq!(changes[1]["after"]["level"], "none");
    assert_eq!(cast.supervisor.get(&format!("/api/v1/cases/{id}")).await.status, StatusCode::OK);
    // And the task can go to the supervisor now.
    let task = cast
        .focal
        .post(
            &format!("/api/v1/cases/{id}/tasks"),
            json!({ "title": "Visit", "assignee": { "type": "user", "id": cast.supervisor.id() } }),
        )
        .await;
    assert_eq!(task.status, StatusCode::CREATED);
}

#[tokio::test]
async fn the_pages_show_the_restriction_to_its_holders_and_open_a_case_by_break_glass() {
    let server = spawn().await;
    let cast = cast(&server).await;
    let (id, _, _) = restricted_case(&cast, "restricted", "Quinn").await;
    let focal = server.page_user("focal").await;
    let (status, details) = focal.get(&format!("/cases/{id}/details")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(details.contains("govuk-tag--red\">Restricted</strong>"));
    assert!(details.contains("id=\"restriction\"") && details.contains("Save the restriction"));
    assert!(
        details.contains("Test worker") && details.contains("anyone who is case management focal point"),
        "the named users and roles"
    );
    let (_, worker_details) = server.page_user("worker").await.get(&format!("/cases/{id}/details")).await;
    assert!(worker_details.contains(">Restricted</strong>") && !worker_details.contains("Save the restriction"));

    // A change that would lock the focal point out is shown again with the problem.
    let version = cast.focal.get(&format!("/api/v1/cases/{id}")).await.body["version"].as_i64().unwrap();
    let before = server.counts().await;
    let body = format!("version={version}&restriction=shielded&users={}", cast.worker.id());
    let answer = focal.post(&format!("/cases/{id}/restriction"), &body).await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = answer.text().await.unwrap();
    assert!(page.contains("govuk-error-summary") && page.contains("href=\"#restriction-users\""));
    assert_eq!(server.counts().await, before);
    let body = format!("version={version}&restriction=shielded&users={}&roles=focal-point", cast.worker.id());
    let answer = focal.post(&format!("/cases/{id}/restriction"), &body).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert!(focal.get(&format!("/cases/{id}/details")).await.1.contains(">Shielded</strong>"));
    let body = format!("version={}&restriction=restricted&users={}&roles=focal-point", version + 1, cast.worker.id());
    assert_eq!(focal.post(&format!("/cases/{id}/restriction"), &body).await.status(), StatusCode::SEE_OTHER);

    // The supervisor is offered break-glass; without details nothing is written.
    let supervisor = server.page_user("super").await;
    let (status, page) = supervisor.get(&format!("/cases/{id}/tasks")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("The case owner and a manager are told at once"));
    let before = server.counts().await;
    let answer = supervisor.post(&format!("/cases/{id}/break-glass"), "reason=court-order&details=").await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = answer.text().await.unwrap();
    assert!(page.contains("href=\"#break-glass-details\"") && page.contains("value=\"court-order\" checked"));
    assert_eq!(server.counts().await, before);
    let answer = supervisor.post(&format!("/cases/{id}/break-glass"), "reason=court-order&details=Order+served+today").await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let (status, page) = supervisor.get(&format!("/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Break-glass access") && page.contains("A court order or statutory request needs the record"));
    assert!(!page.contains("Save the restriction"), "break-glass does not give the panel to those who may not restrict");
}
