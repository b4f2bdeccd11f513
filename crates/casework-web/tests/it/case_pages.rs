//! Recording on a case from its pages, as a browser without JavaScript would: every form
//! goes through, shows its problems at the field with nothing written, and is refused
//! without the form token or from another site.

use crate::harness::{PageUser, TestServer, spawn};
use reqwest::StatusCode;

fn location(answer: &reqwest::Response) -> String {
    answer.headers()["location"].to_str().unwrap().to_owned()
}

/// Posts a form that must go through, and returns the page it leads to.
async fn accepted(user: &PageUser, path: &str, body: &str) -> String {
    let answer = user.post(path, body).await;
    let status = answer.status();
    let target = if status == StatusCode::SEE_OTHER { location(&answer) } else { String::new() };
    assert_eq!(status, StatusCode::SEE_OTHER, "{path} {body}: {}", answer.text().await.unwrap());
    let (status, html) = user.get(target.split('#').next().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("govuk-notification-banner--success"), "a confirmation after {path}");
    html
}

/// Posts a form that must be refused with its problems shown, and checks nothing changed.
async fn refused(server: &TestServer, user: &PageUser, path: &str, body: &str, anchor: &str) -> String {
    let before = server.counts().await;
    let answer = user.post(path, body).await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path} {body}");
    let html = answer.text().await.unwrap();
    assert!(html.contains("govuk-error-summary"), "{path}: an error summary");
    assert!(html.contains(&format!("href=\"#{anchor}\"")), "{path}: the error links to #{anchor}: {html}");
    assert!(html.contains(&format!("id=\"{anchor}")), "{path}: the field #{anchor} is on the page");
    assert_eq!(server.counts().await, before, "{path}: nothing written");
    html
}

fn version_in(html: &str) -> String {
    let marker = "name=\"version\" value=\"";
    let start = html.find(marker).expect("a version on the page") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_case_is_worked_from_its_pages_from_first_note_to_closure_and_reopening() {
    let server = spawn().await;
    server.make_user("lead", &["recovery:care-coordinator"], false).await;
    let api = server.sign_in("lead").await;
    let case = api.open_case("recovery", "Paged").await;
    let other = api.open_case("recovery", "Sibling").await;
    let id = case["id"].as_str().unwrap();
    let lead = server.page_user("lead").await;

    // Notes: a contact on an earlier day is a late entry; an addendum leaves the note as it was.
    refused(&server, &lead, &format!("/cases/{id}/notes"), "kind=contact&body=+", "note-body").await;
    let bad_time = refused(
        &server,
        &lead,
        &format!("/cases/{id}/notes"),
        "kind=contact&body=Seen+on+the+wing&contact_at=yesterday",
        "note-contact_at",
    )
    .await;
    assert!(bad_time.contains("Seen on the wing"), "what was typed is kept");
    let html =
        accepted(&lead, &format!("/cases/{id}/notes"), "kind=contact&body=Seen+on+the+wing&contact_at=2026-03-09+15:00").await;
    assert!(html.contains("Seen on the wing") && html.contains("Late entry"));
    let note_marker = "/addenda\"";
    let end = html.find(note_marker).unwrap();
    let note_path = &html[html[..end].rfind("/cases/").unwrap()..end];
    let html = accepted(&lead, &format!("{note_path}/addenda"), "body=He+was+on+the+wing+at+three").await;
    assert!(html.contains("Addendum") && html.contains("He was on the wing at three") && html.contains("Seen on the wing"));

    // Tasks: added, completed, cancelled with a reason; each shown with its status.
    refused(&server, &lead, &format!("/cases/{id}/tasks"), "title=&assignee=role:support-worker", "task-title").await;
    refused(&server, &lead, &format!("/cases/{id}/tasks"), "title=Call+the+wing&assignee=role:nobody", "task-assignee").await;
    refused(&server, &lead, &format!("/cases/{id}/tasks"), "title=Call&assignee=role:support-worker&due_on=soon", "task-due_on")
        .await;
    accepted(&lead, &format!("/cases/{id}/tasks"), "title=Call+the+wing&assignee=role:support-worker&due_on=2026-03-12").await;
    let html = accepted(&lead, &format!("/cases/{id}/tasks"), "title=Book+a+room&assignee=queue:admin").await;
    let tasks: Vec<&str> =
        html.match_indices("/completion\"").map(|(at, _)| &html[html[..at].rfind("/cases/").unwrap()..at]).collect();
    assert_eq!(tasks.len(), 2);
    let (first, second) = (tasks[0].to_owned(), tasks[1].to_owned());
    accepted(&lead, &format!("{first}/completion"), "version=1").await;
    let stale = lead.post(&format!("{first}/completion"), "version=1").await;
    assert_eq!(stale.status(), StatusCode::CONFLICT, "a task changed since the page was shown");
    refused(&server, &lead, &format!("{second}/cancellation"), "version=1&reason=", "cancel-reason").await;
    let html = accepted(&lead, &format!("{second}/cancellation"), "version=1&reason=Not+needed").await;
    assert!(html.contains(">completed<") && html.contains(">cancelled<") && html.contains("Not needed"));

    // A scored form from its schema: a wrong answer is named at its field; a right one is scored.
    let (status, form) = lead.get(&format!("/cases/{id}/forms/new?form=alcohol-screening")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("How often do you have a drink containing alcohol?") && form.contains("inputmode=\"numeric\""));
    let answers: String = (1..=10).map(|q| format!("&form.alcohol-screening.q{q}=2")).collect();
    let before = server.counts().await;
    let wrong =
        lead.post(&format!("/cases/{id}/forms"), &format!("form=alcohol-screening{}", answers.replace("q3=2", "q3=9"))).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = wrong.text().await.unwrap();
    assert!(wrong.contains("href=\"#form-alcohol-screening-q3\""), "{wrong}");
    assert_eq!(server.counts().await, before);
    let missing = lead.post(&format!("/cases/{id}/forms"), "form=alcohol-screening&form.alcohol-screening.q1=1").await;
    assert!(missing.text().await.unwrap().contains("href=\"#form-alcohol-screening-q2\""), "a missing answer is named");
    let html = accepted(
        &lead,
        &format!("/cases/{id}/forms"),
        &format!("form=alcohol-screening&completed_by=recovery-practitioner{answers}"),
    )
    .await;
    assert!(html.contains("Alcohol screening") && html.contains("score 20"), "{html}");

    // The plan: an objective starts it; a review gives every open objective an outcome.
    refused(
        &server,
        &lead,
        &format!("/cases/{id}/plan/objectives"),
        "description=Stay+clean&measure=&target_date=2026-06-01",
        "objective-measure",
    )
    .await;
    let html = accepted(
        &lead,
        &format!("/cases/{id}/plan/objectives"),
        "description=Stay+clean+until+release&measure=Negative+tests&target_date=2026-06-01",
    )
    .await;
    assert!(html.contains("Stay clean until release") && html.contains("Next review"));
    let start = html.find("name=\"outcome.").unwrap() + "name=\"outcome.".len();
    let objective = html[start..].split('"').next().unwrap().to_owned();
    refused(&server, &lead, &format!("/cases/{id}/plan/reviews"), "summary=Going+well", "review-outcomes").await;
    let html =
        accepted(&lead, &format!("/cases/{id}/plan/reviews"), &format!("summary=Going+well&outcome.{objective}=progressing"))
            .await;
    assert!(html.contains("Going well"));

    // A decision with the reason from the body's list.
    refused(&server, &lead, &format!("/cases/{id}/decisions"), "outcome=suitable-for-service&reason=", "decision-reason").await;
    let html =
        accepted(&lead, &format!("/cases/{id}/decisions"), "outcome=suitable-for-service&reason=dars:substance-use-need").await;
    assert!(html.contains("Drug or alcohol use need identified") && html.contains("DARS team"));

    // Case details: stage, level, flag, link; a stale version is refused with nothing written.
    let (_, details) = lead.get(&format!("/cases/{id}/details")).await;
    let version = version_in(&details);
    refused(&server, &lead, &format!("/cases/{id}/stage"), &format!("version={version}&stage=care-plan"), "stage-stage").await;
    accepted(&lead, &format!("/cases/{id}/stage"), &format!("version={version}&stage=initial-assessment")).await;
    let before = server.counts().await;
    let stale = lead.post(&format!("/cases/{id}/level"), &format!("version={version}&level=high-risk")).await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert!(stale.text().await.unwrap().contains("changed"), "the page says the case changed");
    assert_eq!(server.counts().await, before);
    let (_, details) = lead.get(&format!("/cases/{id}/details")).await;
    let html = accepted(&lead, &format!("/cases/{id}/level"), &format!("version={}&level=high-risk", version_in(&details))).await;
    assert!(html.contains("High risk"));
    let html =
        accepted(&lead, &format!("/cases/{id}/flags"), &format!("version={}&flag=clinical-client", version_in(&html))).await;
    assert!(html.contains("Clinical client"));
    let other_reference = other["reference"].as_str().unwrap();
    refused(
        &server,
        &lead,
        &format!("/cases/{id}/links"),
        &format!("version={}&case=NOPE-1&kind=related", version_in(&html)),
        "link-case",
    )
    .await;
    let html = accepted(
        &lead,
        &format!("/cases/{id}/links"),
        &format!("version={}&case={other_reference}&kind=related", version_in(&html)),
    )
    .await;
    assert!(html.contains(other_reference));

    // Closure: the release reason names its steps (the CDT referral because of the flag);
    // closing before they are done is refused and says what is missing.
    assert!(html.contains("Referral to the community drug team (not done yet)"), "the flagged step is shown: {html}");
    assert!(html.contains("not done yet"));
    let before = server.counts().await;
    let early = lead.post(&format!("/cases/{id}/closure"), &format!("version={}&reason=release", version_in(&html))).await;
    assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.text().await.unwrap().contains("href=\"#closure-reason\""));
    assert_eq!(server.counts().await, before);
    let html =
        accepted(&lead, &format!("/cases/{id}/closure"), &format!("version={}&reason=declined-service", version_in(&html))).await;
    assert!(html.contains("Closed on") && html.contains("Declined service"));
    assert!(!html.contains("action=\"/cases/{id}/notes\""), "no note form on a closed case");
    refused(&server, &lead, &format!("/cases/{id}/reopening"), &format!("version={}&why=", version_in(&html)), "reopen-why")
        .await;
    let html =
        accepted(&lead, &format!("/cases/{id}/reopening"), &format!("version={}&why=Asked+to+come+back", version_in(&html)))
            .await;
    assert!(html.contains("Closing the case"), "open again");

    // Every step is in the history, with who did it.
    let (_, history) = lead.get(&format!("/cases/{id}/history")).await;
    for what in [
        "note added",
        "addendum added",
        "task completed",
        "task cancelled",
        "form submitted",
        "stage changed",
        "case closed",
        "case reopened",
    ] {
        assert!(history.contains(what), "history shows {what}: {history}");
    }

    // The printable summary carries what a worker needs on paper.
    let (status, print) = lead.get(&format!("/cases/{id}/print")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(print.contains("Stay clean until release") && print.contains("Seen on the wing") && print.contains("High risk"));
}

#[tokio::test]
async fn case_forms_are_refused_to_roles_and_users_who_may_not_use_them() {
    let server = spawn().await;
    server.make_user("lead", &["recovery:care-coordinator"], false).await;
    server.make_user("peer", &["recovery:recovery-peer"], false).await;
    server.make_user("tpd", &["deanery:training-programme-director"], false).await;
    server.make_user("admin", &["recovery:administrator"], false).await;
    let api = server.sign_in("lead").await;
    let case = api.open_case("recovery", "Guarded").await;
    let id = case["id"].as_str().unwrap();
    let lead = server.page_user("lead").await;
    let (_, details) = lead.get(&format!("/cases/{id}/details")).await;
    let version = version_in(&details);

    for name in ["peer", "tpd"] {
        let user = server.page_user(name).await;
        assert_eq!(user.get(&format!("/cases/{id}")).await.0, StatusCode::NOT_FOUND, "{name} cannot see the case");
        assert_eq!(user.get(&format!("/cases/{id}/print")).await.0, StatusCode::NOT_FOUND);
        let before = server.counts().await;
        let answer = user.post(&format!("/cases/{id}/notes"), "kind=contact&body=Sneaky").await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{name}");
        assert_eq!(server.counts().await, before);
    }
    // The service's administrator may write notes but not close cases or record decisions.
    let admin = server.page_user("admin").await;
    let (_, page) = admin.get(&format!("/cases/{id}/details")).await;
    assert!(!page.contains("action=\"/cases/{id}/closure\"") && page.contains("does not close cases"));
    let (_, record) = admin.get(&format!("/cases/{id}/record")).await;
    assert!(!record.contains("Record a decision"));
    let before = server.counts().await;
    let answer = admin.post(&format!("/cases/{id}/closure"), &format!("version={version}&reason=declined-service")).await;
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    let answer = admin.post(&format!("/cases/{id}/decisions"), "outcome=suitable-for-service&reason=dars:client-choice").await;
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    assert_eq!(server.counts().await, before);
}

/// Every page route that changes something, with a body that would go through.
fn state_changing_routes(
    case: &str,
    note: &str,
    task: &str,
    meeting: &str,
    referral: &str,
    worker: &str,
) -> Vec<(String, String)> {
    [
        ("/sign-out", String::new()),
        (&format!("/cases/{case}/notes") as &str, "kind=contact&body=Forged".to_owned()),
        (&format!("/cases/{case}/notes/{note}/addenda"), "body=Forged".to_owned()),
        (&format!("/cases/{case}/tasks"), "title=Forged&assignee=role:support-worker".to_owned()),
        (&format!("/cases/{case}/tasks/{task}/completion"), "version=1".to_owned()),
        (&format!("/cases/{case}/tasks/{task}/cancellation"), "version=1&reason=Forged".to_owned()),
        (&format!("/cases/{case}/forms"), "form=exit-dataset&form.exit-dataset.exit_reason=Forged".to_owned()),
        (&format!("/cases/{case}/plan/objectives"), "description=Forged&measure=Forged&target_date=2026-06-01".to_owned()),
        (&format!("/cases/{case}/decisions"), "outcome=suitable-for-service&reason=dars:client-choice".to_owned()),
        (&format!("/cases/{case}/stage"), "version=1&stage=initial-assessment".to_owned()),
        (&format!("/cases/{case}/level"), "version=1&level=high-risk".to_owned()),
        (&format!("/cases/{case}/flags"), "version=1&flag=clinical-client".to_owned()),
        (
            &format!("/cases/{case}/consents"),
            "given_by=Jo&relationship=self&scope=All&with_whom=GP&how=written&given_on=2026-03-01".to_owned(),
        ),
        (
            &format!("/cases/{case}/disclosures"),
            "kind=share&basis=statutory:risk-of-serious-harm&recipient_organisation=GP&sent_how=Post&summary=Forged&reason=Forged"
                .to_owned(),
        ),
        (&format!("/cases/{case}/paper-documents"), "title=Forged&location=Cabinet+3&received_on=2026-03-01".to_owned()),
        (&format!("/cases/{case}/closure"), "version=1&reason=declined-service".to_owned()),
        (&format!("/cases/{case}/reopening"), "version=1&why=Forged".to_owned()),
        ("/referrals", "service=recovery&person.given_name=Ann&person.family_name=Lee&source=staff&summary=Forged".to_owned()),
        (&format!("/referrals/{referral}/subject-links"), "form=self-referral-form".to_owned()),
        (&format!("/cases/{case}/allocation"), format!("version=1&worker={worker}")),
        ("/work-lists/recovery/waiting-list/allocation", format!("case={case}&allocate_to={worker}")),
        ("/meetings", "service=deanery&meeting=triage".to_owned()),
        (&format!("/meetings/{meeting}/items/1"), "outcome=file&minute=Forged".to_owned()),
        ("/session/keep-alive", String::new()),
        (&format!("/cases/{case}/restriction"), "version=1&restriction=none".to_owned()),
        (&format!("/cases/{case}/break-glass"), "reason=forged&details=Forged".to_owned()),
        (&format!("/cases/{case}/legal-holds"), "reason=Forged".to_owned()),
        ("/services/recovery/disposal-review", format!("case={case}")),
        (&format!("/services/recovery/disposal-review/paper/{case}"), "destroyed_on=2026-01-05&method=Forged".to_owned()),
    ]
    .into_iter()
    .map(|(path, body)| (path.to_owned(), body))
    .collect()
}

/// The subject access forms, with bodies that would go through for a request about `person`
/// and the request `request` (awaiting identity, version 1), posted in this order.
fn subject_access_routes(person: &str, request: &str) -> Vec<(String, String)> {
    [
        ("/services/recovery/subject-access", format!("person={person}&received_on=2026-03-09")),
        (&format!("/subject-access/{request}/identity"), "version=1&confirmed_on=2026-03-09".to_owned()),
        (&format!("/subject-access/{request}/extension"), "version=2&reason=Forged".to_owned()),
        (&format!("/subject-access/{request}/export"), String::new()),
        (&format!("/subject-access/{request}/response"), "version=2&sent_on=2026-03-10".to_owned()),
        (&format!("/subject-access/{request}/refusal"), "version=3&reason=Forged".to_owned()),
    ]
    .into_iter()
    .map(|(path, body)| (path.to_owned(), body))
    .collect()
}

#[tokio::test]
async fn every_state_changing_page_route_refuses_forms_without_the_token_or_from_another_site() {
    let server = spawn().await;
    let lead_id =
        server.make_user("lead", &["recovery:care-coordinator", "recovery:service-manager", "deanery:deputy-dean"], false).await;
    let api = server.sign_in("lead").await;
    let case = api.open_case("recovery", "Guarded").await;
    let id = case["id"].as_str().unwrap();
    let note = api.post(&format!("/api/v1/cases/{id}/notes"), serde_json::json!({ "kind": "contact", "body": "Real" })).await;
    let task = api
        .post(
            &format!("/api/v1/cases/{id}/tasks"),
            serde_json::json!({ "title": "Real", "assignee": { "type": "role", "id": "support-worker" } }),
        )
        .await;
    let lead = server.page_user("lead").await;
    let held = lead.post("/meetings", "service=deanery&meeting=triage").await;
    assert_eq!(held.status(), StatusCode::SEE_OTHER, "the meeting is held");
    let meeting = location(&held).trim_start_matches("/meetings/").to_owned();
    let request = api
        .post(
            "/api/v1/services/recovery/subject-access-requests",
            serde_json::json!({ "person": case["subject"]["id"], "received_on": "2026-03-09" }),
        )
        .await;
    assert_eq!(request.status, StatusCode::CREATED, "{request:?}");
    let mut routes = state_changing_routes(
        id,
        note.body["id"].as_str().unwrap(),
        task.body["id"].as_str().unwrap(),
        &meeting,
        case["referral"].as_str().unwrap(),
        &lead_id.to_string(),
    );
    routes.extend(subject_access_routes(case["subject"]["id"].as_str().unwrap(), request.body["id"].as_str().unwrap()));
    let before = server.counts().await;
    for (path, body) in &routes {
        let cases = [
            (body.clone(), vec![("sec-fetch-site", "same-origin")], "no token"),
            (format!("{body}&csrf=0123abcd"), vec![("sec-fetch-site", "same-origin")], "a wrong token"),
            (format!("{body}&csrf={}", lead.csrf), vec![("origin", "https://evil.example")], "another site"),
            (format!("{body}&csrf={}", lead.csrf), vec![("sec-fetch-site", "cross-site")], "another site"),
        ];
        for (sent, headers, why) in cases {
            let answer = lead.post_with(path, &sent, &headers).await;
            assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{path} with {why}");
            assert_eq!(server.counts().await, before, "{path} with {why} changed nothing");
        }
    }
    // Uploads are multipart forms: the token is their first part, checked before the file is
    // read, and they are refused the same four ways.
    let document = api
        .upload(
            &format!("/api/v1/cases/{id}/documents"),
            reqwest::multipart::Form::new()
                .text("title", "Real")
                .part("file", reqwest::multipart::Part::bytes(b"Real letter".to_vec()).file_name("letter.txt")),
        )
        .await;
    assert_eq!(document.status, StatusCode::CREATED, "{document:?}");
    let paper = api
        .post(
            &format!("/api/v1/cases/{id}/paper-documents"),
            serde_json::json!({ "title": "Signed form", "location": "Office safe", "received_on": "2026-01-05" }),
        )
        .await;
    assert_eq!(paper.status, StatusCode::CREATED, "{paper:?}");
    let uploads = [
        format!("/cases/{id}/documents"),
        format!("/cases/{id}/documents/{}/redacted-copies", document.body["id"].as_str().unwrap()),
        format!("/cases/{id}/documents/{}/scans", paper.body["id"].as_str().unwrap()),
    ];
    let upload = |token: Option<&str>, token_last: bool| {
        let file = || reqwest::multipart::Part::bytes(b"Forged letter".to_vec()).file_name("forged.txt");
        let form = reqwest::multipart::Form::new();
        match (token, token_last) {
            (Some(token), false) => form.text("csrf", token.to_owned()).text("title", "Forged").part("file", file()),
            (Some(token), true) => form.text("title", "Forged").part("file", file()).text("csrf", token.to_owned()),
            (None, _) => form.text("title", "Forged").part("file", file()),
        }
    };
    let before = server.counts().await;
    let files = server.stored_files();
    for path in &uploads {
        let cases = [
            (upload(None, false), vec![("sec-fetch-site", "same-origin")], "no token"),
            (upload(Some("0123abcd"), false), vec![("sec-fetch-site", "same-origin")], "a wrong token"),
            (upload(Some(&lead.csrf), true), vec![("sec-fetch-site", "same-origin")], "the token after the file"),
            (upload(Some(&lead.csrf), false), vec![("origin", "https://evil.example")], "another site"),
            (upload(Some(&lead.csrf), false), vec![("sec-fetch-site", "cross-site")], "another site"),
        ];
        for (form, headers, why) in cases {
            let answer = lead.post_multipart_with(path, form, &headers).await;
            assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{path} with {why}");
            assert_eq!(server.counts().await, before, "{path} with {why} changed nothing");
            assert_eq!(server.stored_files(), files, "{path} with {why} stored nothing");
        }
    }
    // The same forms with the token from our own pages are not refused: the token was the
    // only thing missing.
    for (path, body) in routes.iter().filter(|(path, _)| path != "/sign-out") {
        let answer = lead.post(path, body).await;
        assert_ne!(answer.status(), StatusCode::FORBIDDEN, "{path} goes through with its token");
    }
    for path in &uploads {
        let answer = lead.post_multipart_with(path, upload(Some(&lead.csrf), false), &[("sec-fetch-site", "same-origin")]).await;
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{path} goes through with its token");
    }
}
