//! The page the person referred opens from their link to fill in their own form. No account
//! and no session: the link's secret is the only key, it opens this one form, and the page
//! shows nothing about the referral beyond which service asks.

use super::schema_form::{self, FormView, form_view};
use super::*;
use std::collections::BTreeMap;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new().route("/forms/{secret}", get(open_form).post(fill_in))
}

#[derive(Template)]
#[template(path = "subject_form.html")]
struct SubjectFormPage {
    signed_in: Option<SignedIn>,
    service_name: String,
    form: FormView,
    problems: Vec<(String, String)>,
    done: bool,
}

/// Pages for the person are never indexed and never kept.
fn private(mut response: Response) -> Response {
    response.headers_mut().insert("x-robots-tag", HeaderValue::from_static("noindex, nofollow"));
    response
}

fn link_problem(error: AppError) -> Response {
    let response = match error {
        AppError::Conflict(_) => render(
            &ProblemPage {
                signed_in: None,
                title: "This link no longer works",
                detail: "It has been used or has expired. Ask the person who sent it for a new one.",
            },
            StatusCode::GONE,
        ),
        other => problem(other, None),
    };
    private(response)
}

async fn open_form(State(app): State<App>, Path(secret): Path<String>) -> Response {
    match app.subject_form(&secret).await {
        Ok(request) => private(render(
            &SubjectFormPage {
                signed_in: None,
                service_name: request.service_name,
                form: form_view(&request.form, &BTreeMap::new(), &[]),
                problems: Vec::new(),
                done: false,
            },
            StatusCode::OK,
        )),
        Err(error) => link_problem(error),
    }
}

async fn fill_in(State(app): State<App>, Path(secret): Path<String>, Form(fields): Form<Vec<(String, String)>>) -> Response {
    let values: BTreeMap<String, String> = fields.into_iter().collect();
    let request = match app.subject_form(&secret).await {
        Ok(request) => request,
        Err(error) => return link_problem(error),
    };
    let answers = schema_form::answers(&request.form, &values);
    let page = |problems: Vec<(String, String)>, done: bool| SubjectFormPage {
        signed_in: None,
        service_name: request.service_name.clone(),
        form: form_view(&request.form, &values, &problems),
        problems,
        done,
    };
    match app.complete_subject_form(&secret, answers).await {
        Ok(()) => private(render(&page(Vec::new(), true), StatusCode::OK)),
        Err(AppError::Invalid(invalid)) => {
            let code = request.form.code.to_string();
            let problems = invalid.errors.iter().map(|e| (schema_form::anchor_of(&code, &e.field), e.message.clone())).collect();
            private(render(&page(problems, false), StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(error) => link_problem(error),
    }
}
