//! The person referred fills in their own form from a link: no account, that form only,
//! once, and it lands on the referral as completed by them.

use crate::harness::spawn;
use reqwest::StatusCode;

async fn anonymous_form(base: &str, path: &str, body: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut request =
        client.post(format!("{base}{path}")).header("content-type", "application/x-www-form-urlencoded").body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_trainee_fills_in_form_e_from_a_link_once_and_the_referral_becomes_valid() {
    let server = spawn().await;
    server.make_user("tpd", &["deanery:training-programme-director"], false).await;
    server.make_user("worker", &["recovery:recovery-practitioner"], false).await;
    let tpd = server.page_user("tpd").await;
    let recorded = tpd
        .post(
            "/referrals",
            "service=deanery&person.given_name=Ann&person.family_name=Lee&source=form&summary=Failed+twice&form.form-2.training_progression=Stalled",
        )
        .await;
    assert_eq!(recorded.status(), StatusCode::SEE_OTHER);
    let referral = recorded.headers()["location"].to_str().unwrap().to_owned();
    let (_, page) = tpd.get(&referral).await;
    assert!(page.contains("It still needs"), "{page}");
    assert!(page.contains("to fill in Form E: examination failure"), "the page offers a link for the trainee's own form");

    let worker = server.page_user("worker").await;
    let before = server.counts().await;
    let refused = worker.post(&format!("{referral}/subject-links"), "form=form-e").await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND, "someone who cannot see the referral cannot make a link for it");
    let wrong_form = tpd.post(&format!("{referral}/subject-links"), "form=form-2").await;
    assert_eq!(wrong_form.status(), StatusCode::BAD_REQUEST, "the trainee does not fill in Form 2");
    let forged = tpd.post_with(&format!("{referral}/subject-links"), "form=form-e", &[("sec-fetch-site", "same-origin")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN, "no form token");
    assert_eq!(server.counts().await, before);

    let made = tpd.post(&format!("{referral}/subject-links"), "form=form-e").await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let html = made.text().await.unwrap();
    let start = html.find("/forms/cwf_").expect("the link is shown once");
    let link = html[start..].split('"').next().unwrap().to_owned();
    let (_, again) = tpd.get(&referral).await;
    assert!(!again.contains(&link), "the secret is not shown again");
    assert!(again.contains("works until"));

    // The trainee, with no account.
    let anonymous = reqwest::Client::new();
    let opened = anonymous.get(format!("{}{link}", server.base)).send().await.unwrap();
    assert_eq!(opened.status(), StatusCode::OK);
    assert_eq!(opened.headers()["cache-control"], "no-store");
    let form = opened.text().await.unwrap();
    assert!(
        form.contains("Which examination") && !form.contains("Ann") && !form.contains("Lee"),
        "the form, and nothing about the referral"
    );
    let before = server.counts().await;
    let cross_site =
        anonymous_form(&server.base, &link, "form.form-e.examination=MRCP", &[("origin", "https://evil.example")]).await;
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    let empty = anonymous_form(&server.base, &link, "form.form-e.examination=", &[]).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.unwrap().contains("href=\"#form-form-e-examination\""));
    assert_eq!(server.counts().await, before, "nothing written for a refused or incomplete form");
    let sent = anonymous_form(&server.base, &link, "form.form-e.examination=MRCP+part+1&form.form-e.attempts=2", &[]).await;
    assert_eq!(sent.status(), StatusCode::OK);
    assert!(sent.text().await.unwrap().contains("Thank you"));
    let used = anonymous.get(format!("{}{link}", server.base)).send().await.unwrap();
    assert_eq!(used.status(), StatusCode::GONE, "a link works once");
    let twice = anonymous_form(&server.base, &link, "form.form-e.examination=Again", &[]).await;
    assert_eq!(twice.status(), StatusCode::GONE);
    let unknown = anonymous.get(format!("{}/forms/cwf_nothing-here", server.base)).send().await.unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let (_, page) = tpd.get(&referral).await;
    assert!(page.contains("The referral has the forms it needs"), "Form E and Form 2 make it valid: {page}");
    assert!(page.contains("Form E: examination failure (by the person)"));
    assert!(page.contains("filled in"));
}

#[tokio::test]
async fn a_link_expires_after_fourteen_days() {
    let server = spawn().await;
    server.make_user("tpd", &["deanery:training-programme-director"], false).await;
    let tpd = server.page_user("tpd").await;
    let recorded = tpd
        .post(
            "/referrals",
            "service=deanery&person.given_name=Bo&person.family_name=Ray&source=form&summary=Exam&form.form-2.communication=Fine",
        )
        .await;
    let referral = recorded.headers()["location"].to_str().unwrap().to_owned();
    let html = tpd.post(&format!("{referral}/subject-links"), "form=form-e").await.text().await.unwrap();
    let start = html.find("/forms/cwf_").unwrap();
    let link = html[start..].split('"').next().unwrap().to_owned();
    server.advance(jiff::SignedDuration::from_hours(14 * 24 + 1));
    let late = reqwest::get(format!("{}{link}", server.base)).await.unwrap();
    assert_eq!(late.status(), StatusCode::GONE);
}
