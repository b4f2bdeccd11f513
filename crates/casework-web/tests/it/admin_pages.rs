//! Administration from the pages: accounts, roles, access and teams, for administrators only.

use crate::harness::{PASSWORD, PageUser, TestServer, spawn};
use reqwest::StatusCode;

/// Where a form's answer sends the browser, after checking it is a 303.
fn redirected_to(answer: &reqwest::Response) -> String {
    assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{answer:?}");
    answer.headers()["location"].to_str().unwrap().to_owned()
}

async fn page(user: &PageUser, path: &str) -> String {
    let (status, html) = user.get(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    html
}

/// The hidden field of a revoke form, which is on the page only while the role is held
/// (the grant select offers every role, held or not).
fn revoke_field(role: &str) -> String {
    format!("name=\"role\" value=\"{role}\"")
}

#[tokio::test]
async fn an_administrator_manages_accounts_roles_and_teams_from_the_pages() {
    let server = spawn().await;
    server.make_user("boss", &[], true).await;
    let boss = server.page_user("boss").await;
    let overview = page(&boss, "/admin").await;
    assert!(overview.contains("href=\"/admin/users/new\"") && overview.contains("href=\"/admin/teams/new\""));

    let events_before = server.count("events").await;
    let added = boss
        .post(
            "/admin/users",
            "username=Ria.Khan&display_name=Ria+Khan&password=a+long+enough+secret&administrator=no&role=recovery%3Arecovery-practitioner",
        )
        .await;
    let location = redirected_to(&added);
    let id = location.strip_prefix("/admin/users/").unwrap().split('?').next().unwrap().to_owned();
    assert_eq!(location, format!("/admin/users/{id}?done=user-created"));
    assert_eq!(server.count("user_roles").await, 1, "the first role came with the account");
    assert_eq!(server.count("events").await, events_before + 2);
    let html = page(&boss, &location).await;
    assert!(html.contains("Ria Khan") && html.contains("ria.khan"));
    assert!(html.contains("govuk-notification-banner--success") && html.contains("The user was added"));
    assert!(html.contains(&revoke_field("recovery:recovery-practitioner")));
    let overview = page(&boss, "/admin").await;
    assert!(overview.contains(&format!("href=\"/admin/users/{id}\">ria.khan</a>")));
    assert!(overview.contains("Recovery practitioner"));
    // A message named in the query is shown only if it is one of ours.
    assert!(!page(&boss, "/admin?done=%3Cb%3Ehello").await.contains("govuk-notification-banner"));

    let granted = boss.post(&format!("/admin/users/{id}/roles"), "role=recovery%3Acare-coordinator").await;
    assert_eq!(redirected_to(&granted), format!("/admin/users/{id}?done=role-granted"));
    let html = page(&boss, &format!("/admin/users/{id}")).await;
    assert!(html.contains(&revoke_field("recovery:care-coordinator")));
    assert!(html.contains("Care coordinator (team leader)"));

    let revoked = boss.post(&format!("/admin/users/{id}/roles/revoke"), "role=recovery%3Acare-coordinator").await;
    assert_eq!(redirected_to(&revoked), format!("/admin/users/{id}?done=role-revoked"));
    let html = page(&boss, &format!("/admin/users/{id}?done=role-revoked")).await;
    assert!(!html.contains(&revoke_field("recovery:care-coordinator")));
    assert!(html.contains(&revoke_field("recovery:recovery-practitioner")), "the other role stays");
    assert!(html.contains("The role was revoked"));
    assert_eq!(server.count("user_roles").await, 1);

    let disabled = boss.post(&format!("/admin/users/{id}/disable"), "").await;
    assert_eq!(redirected_to(&disabled), format!("/admin/users/{id}?done=disabled"));
    let html = page(&boss, &format!("/admin/users/{id}")).await;
    assert!(html.contains(">Disabled</strong>") && html.contains("Enable the account"));
    assert_eq!(server.page_sign_in("ria.khan", "a long enough secret").await, StatusCode::UNAUTHORIZED);
    let enabled = boss.post(&format!("/admin/users/{id}/enable"), "").await;
    assert_eq!(redirected_to(&enabled), format!("/admin/users/{id}?done=enabled"));
    let html = page(&boss, &format!("/admin/users/{id}")).await;
    assert!(html.contains(">Active</strong>") && html.contains("Disable the account"));
    assert_eq!(server.page_sign_in("ria.khan", "a long enough secret").await, StatusCode::SEE_OTHER);

    let reset = boss.post(&format!("/admin/users/{id}/password"), "password=a+brand+new+passphrase").await;
    assert_eq!(redirected_to(&reset), format!("/admin/users/{id}?done=password-reset"));
    assert_eq!(server.page_sign_in("ria.khan", "a long enough secret").await, StatusCode::UNAUTHORIZED, "not the old one");
    assert_eq!(server.page_sign_in("ria.khan", "a brand new passphrase").await, StatusCode::SEE_OTHER, "the new one");

    let created = boss.post("/admin/teams", "service=recovery&name=North+team").await;
    let team_location = redirected_to(&created);
    let team = team_location.strip_prefix("/admin/teams/").unwrap().split('?').next().unwrap().to_owned();
    assert_eq!(team_location, format!("/admin/teams/{team}?done=team-created"));
    let html = page(&boss, &team_location).await;
    assert!(html.contains("North team") && html.contains("No members yet") && html.contains("The team was created"));

    let joined = boss.post(&format!("/admin/teams/{team}/members"), &format!("user={id}")).await;
    assert_eq!(redirected_to(&joined), format!("/admin/teams/{team}?done=member-added"));
    let html = page(&boss, &format!("/admin/teams/{team}")).await;
    assert!(html.contains(&format!("name=\"user\" value=\"{id}\"")), "she is a member, with a form to remove her");
    assert!(page(&boss, &format!("/admin/users/{id}")).await.contains(&format!("href=\"/admin/teams/{team}\">North team</a>")));
    let overview = page(&boss, "/admin").await;
    assert!(overview.contains(&format!("href=\"/admin/teams/{team}\">North team</a>")) && overview.contains("Ria Khan</td>"));

    let left = boss.post(&format!("/admin/teams/{team}/members/remove"), &format!("user={id}")).await;
    assert_eq!(redirected_to(&left), format!("/admin/teams/{team}?done=member-removed"));
    let html = page(&boss, &format!("/admin/teams/{team}")).await;
    assert!(html.contains("No members yet") && !html.contains(&format!("name=\"user\" value=\"{id}\"")));
    assert_eq!(server.count("team_members").await, 0);

    assert_eq!(
        server.events_about(&id).await,
        ["user-created", "role-granted", "role-granted", "role-revoked", "user-disabled", "user-enabled", "password-reset"]
    );
    assert_eq!(server.events_about(&team).await, ["team-created", "team-member-added", "team-member-removed"]);
}

#[tokio::test]
async fn bad_forms_are_explained_beside_their_fields_and_write_nothing() {
    let server = spawn().await;
    server.make_user("boss", &[], true).await;
    let user = server.make_user("sam", &["recovery:support-worker"], false).await;
    let boss = server.page_user("boss").await;
    let team = server.team("recovery", "South team", &[]).await;
    let before = server.counts().await;
    let good_user = "display_name=New+Person&password=a+long+enough+secret&administrator=no";
    let cases = [
        ("/admin/users".to_owned(), format!("username=&{good_user}&role="), "username", "Enter a username"),
        ("/admin/users".to_owned(), format!("username=sam&{good_user}&role="), "username", "That username is already taken"),
        (
            "/admin/users".to_owned(),
            format!("username=new&{good_user}&role=recovery%3Awizard"),
            "role",
            "Select a role from the list",
        ),
        (
            "/admin/users".to_owned(),
            "username=new&display_name=New&password=short&administrator=no&role=".to_owned(),
            "password",
            "at least 12 characters",
        ),
        (
            "/admin/users".to_owned(),
            "username=new&display_name=+&password=a+long+enough+secret&role=".to_owned(),
            "display_name",
            "Enter the user",
        ),
        (format!("/admin/users/{user}/roles"), "role=recovery%3Awizard".to_owned(), "role", "Select a role from the list"),
        (format!("/admin/users/{user}/roles"), "role=".to_owned(), "role", "Select a role to grant"),
        (format!("/admin/users/{user}/roles/revoke"), "role=recovery%3Acare-coordinator".to_owned(), "roles", "does not hold"),
        (format!("/admin/users/{user}/password"), "password=short".to_owned(), "password", "at least 12 characters"),
        (format!("/admin/users/{user}/password"), "password=".to_owned(), "password", "Enter a password"),
        ("/admin/teams".to_owned(), "service=recovery&name=".to_owned(), "name", "Enter a name for the team"),
        ("/admin/teams".to_owned(), "service=nowhere&name=East".to_owned(), "service", "Select the service"),
        ("/admin/teams".to_owned(), "service=recovery&name=South+team".to_owned(), "name", "already has a team"),
        (format!("/admin/teams/{team}/members"), "user=".to_owned(), "user", "Select a user to add"),
        (format!("/admin/teams/{team}/members"), format!("user={}", uuid::Uuid::now_v7()), "user", "Select a user from the list"),
        (format!("/admin/teams/{team}/members"), format!("user={}", uuid::Uuid::nil()), "user", "Select a user from the list"),
        (format!("/admin/teams/{team}/members/remove"), format!("user={user}"), "members", "not a member"),
    ];
    for (path, body, anchor, message) in cases {
        let answer = boss.post(&path, &body).await;
        assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path} {body}");
        let html = answer.text().await.unwrap();
        assert!(html.contains("govuk-error-summary"), "{path} {body}");
        assert!(html.contains(&format!("href=\"#{anchor}\"")), "{path} {body}: the summary links to #{anchor}");
        assert!(html.contains(&format!("id=\"{anchor}\"")), "{path} {body}: there is something at #{anchor}");
        assert!(html.contains(message), "{path} {body}: says {message}");
        assert!(!html.contains("a long enough secret"), "a password is never sent back");
        assert_eq!(server.counts().await, before, "{path} {body} wrote nothing");
    }
    let own = server.app.find_user(&casework_app::users::system_actor(), "boss").await.unwrap().id;
    let refused = boss.post(&format!("/admin/users/{own}/disable"), "").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "an administrator cannot lock themselves out");
    assert!(refused.text().await.unwrap().contains("href=\"#status\""));
    assert_eq!(server.counts().await, before);
}

/// Every administration form, with a body that would change something if it were allowed.
fn every_form(user: &str, team: &str) -> Vec<(String, String)> {
    vec![
        (
            "/admin/users".to_owned(),
            "username=intruder&display_name=Intruder&password=a+long+enough+secret&administrator=yes&role=".to_owned(),
        ),
        (format!("/admin/users/{user}/roles"), "role=recovery%3Aservice-manager".to_owned()),
        (format!("/admin/users/{user}/roles/revoke"), "role=recovery%3Asupport-worker".to_owned()),
        (format!("/admin/users/{user}/disable"), String::new()),
        (format!("/admin/users/{user}/enable"), String::new()),
        (format!("/admin/users/{user}/password"), "password=a+brand+new+passphrase".to_owned()),
        ("/admin/teams".to_owned(), "service=recovery&name=Another+team".to_owned()),
        (format!("/admin/teams/{team}/members"), format!("user={user}")),
        (format!("/admin/teams/{team}/members/remove"), format!("user={user}")),
    ]
}

/// A worker in a team, for the forms to aim at.
async fn sam_and_team(server: &TestServer) -> (String, String) {
    let sam = server.user("sam", &["recovery:support-worker"]).await;
    let team = server.team("recovery", "South team", &[&sam]).await;
    (sam.id(), team.to_string())
}

#[tokio::test]
async fn someone_who_is_not_an_administrator_cannot_see_or_use_administration() {
    let server = spawn().await;
    server.make_user("boss", &[], true).await;
    server.make_user("worker", &["recovery:service-manager"], false).await;
    let (sam, team) = sam_and_team(&server).await;
    let worker = server.page_user("worker").await;
    assert!(!page(&worker, "/").await.contains("href=\"/admin\""), "no Administration link in their header");
    assert!(page(&server.page_user("boss").await, "/").await.contains("href=\"/admin\""));
    for path in
        ["/admin", "/admin/users/new", &format!("/admin/users/{sam}"), "/admin/teams/new", &format!("/admin/teams/{team}")]
    {
        assert_eq!(worker.get(path).await.0, StatusCode::FORBIDDEN, "{path}");
    }
    let before = server.counts().await;
    for (path, body) in every_form(&sam, &team) {
        let answer = worker.post(&path, &body).await;
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{path}");
        assert_eq!(server.counts().await, before, "{path} wrote nothing");
    }
    assert_eq!(server.page_sign_in("sam", PASSWORD).await, StatusCode::SEE_OTHER, "sam's password and access are as they were");
}

#[tokio::test]
async fn administration_forms_without_the_form_token_are_refused() {
    let server = spawn().await;
    server.make_user("boss", &[], true).await;
    let (sam, team) = sam_and_team(&server).await;
    let boss = server.page_user("boss").await;
    let before = server.counts().await;
    for (path, body) in every_form(&sam, &team) {
        let answer = boss.post_with(&path, &body, &[("sec-fetch-site", "same-origin")]).await;
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{path}");
        assert_eq!(server.counts().await, before, "{path} wrote nothing");
        let forged = boss.post_with(&path, &format!("{body}&csrf={}", boss.csrf), &[("sec-fetch-site", "cross-site")]).await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "{path} from another site");
        assert_eq!(server.counts().await, before, "{path} from another site wrote nothing");
    }
    assert_eq!(server.page_sign_in("sam", PASSWORD).await, StatusCode::SEE_OTHER);
}
