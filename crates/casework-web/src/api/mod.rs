//! The JSON API under `/api/v1`. The OpenAPI document is built from the same route list
//! that mounts the handlers, so it cannot drift from what is served.

pub mod admin;
pub mod audit;
pub mod cases;
pub mod consents;
pub mod disclosures;
pub mod documents;
pub mod exports;
pub mod people;
pub mod referrals;
pub mod reports;
pub mod restrictions;
pub mod retention;
pub mod search;
pub mod session;
pub mod subject_access;
pub mod views;
pub mod work;

use crate::problem::{ApiError, ApiResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use casework_app::App;
use serde::Deserialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Casework API",
        description = "Case management for services that support people through a process with rules, deadlines and sensitive records. \
Every endpoint needs a signed-in user (a session cookie from POST /api/v1/session, or an API token as a Bearer token). \
A case the caller may not see answers 404, as if it did not exist. Changes to a case or task name the version they were based on; \
a stale version answers 409 and changes nothing. Creating requests accept an Idempotency-Key header. Errors are application/problem+json.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&Security),
    security(("session" = []), ("token" = []))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::extract::SESSION_COOKIE))),
        );
        components.add_security_scheme("token", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// Every API route, with its OpenAPI description.
pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session::sign_in, session::sign_out))
        .routes(routes!(session::me))
        .routes(routes!(session::list_tokens, session::create_token))
        .routes(routes!(session::revoke_token))
        .routes(routes!(admin::list_services))
        .routes(routes!(admin::list_teams, admin::create_team))
        .routes(routes!(admin::add_team_member))
        .routes(routes!(admin::list_users, admin::create_user))
        .routes(routes!(admin::get_user))
        .routes(routes!(admin::disable_user))
        .routes(routes!(admin::enable_user))
        .routes(routes!(admin::reset_password))
        .routes(routes!(admin::grant_role))
        .routes(routes!(people::search_people, people::record_person))
        .routes(routes!(people::get_person))
        .routes(routes!(people::relate_person))
        .routes(routes!(people::list_organisations, people::record_organisation))
        .routes(routes!(referrals::list_referrals, referrals::record_referral))
        .routes(routes!(referrals::get_referral))
        .routes(routes!(referrals::add_form))
        .routes(routes!(referrals::hold_meeting))
        .routes(routes!(referrals::get_meeting))
        .routes(routes!(referrals::decide_meeting_item))
        .routes(routes!(referrals::accept_referral))
        .routes(routes!(referrals::reject_referral))
        .routes(routes!(referrals::file_referral))
        .routes(routes!(search::search))
        .routes(routes!(reports::timeliness))
        .routes(routes!(reports::timeliness_cases))
        .routes(routes!(reports::waiting_list))
        .routes(routes!(reports::waiting_list_cases))
        .routes(routes!(reports::caseload))
        .routes(routes!(reports::caseload_cases))
        .routes(routes!(reports::referrals))
        .routes(routes!(reports::referrals_behind))
        .routes(routes!(reports::referrals_cases))
        .routes(routes!(reports::alerts))
        .routes(routes!(reports::monthly_output))
        .routes(routes!(reports::alerts_cases))
        .routes(routes!(exports::export_report))
        .routes(routes!(reports::case_file_audits))
        .routes(routes!(reports::list_rounds, reports::draw_round))
        .routes(routes!(reports::get_round))
        .routes(routes!(reports::get_sampled_case, reports::complete_audit))
        .routes(routes!(cases::list_cases, cases::open_case))
        .routes(routes!(cases::get_case))
        .routes(routes!(cases::work_lists))
        .routes(routes!(cases::work_list))
        .routes(routes!(exports::export_work_list))
        .routes(routes!(cases::case_referral))
        .routes(routes!(cases::allocate))
        .routes(routes!(cases::change_stage))
        .routes(routes!(cases::change_level))
        .routes(routes!(cases::set_flag))
        .routes(routes!(cases::remove_flag))
        .routes(routes!(cases::set_key_date))
        .routes(routes!(cases::link))
        .routes(routes!(cases::close))
        .routes(routes!(cases::reopen))
        .routes(routes!(cases::history))
        .routes(routes!(restrictions::get_restriction, restrictions::set_restriction))
        .routes(routes!(restrictions::break_glass))
        .routes(routes!(audit::access_log))
        .routes(routes!(exports::export_log))
        .routes(routes!(consents::list_consents, consents::record_consent))
        .routes(routes!(consents::withdraw_consent))
        .routes(routes!(retention::list_holds, retention::place_hold))
        .routes(routes!(retention::lift_hold))
        .routes(routes!(retention::disposal_review))
        .routes(routes!(retention::approve))
        .routes(routes!(retention::record_paper_destruction))
        .routes(routes!(retention::destructions))
        .routes(routes!(disclosures::list_disclosures, disclosures::record_disclosure))
        .routes(routes!(subject_access::list_requests, subject_access::record_request))
        .routes(routes!(subject_access::get_request))
        .routes(routes!(subject_access::confirm_identity))
        .routes(routes!(subject_access::extend))
        .routes(routes!(subject_access::export))
        .routes(routes!(subject_access::record_response))
        .routes(routes!(subject_access::refuse))
        .merge(document_routes())
        .routes(routes!(work::list_notes, work::add_note))
        .routes(routes!(work::add_addendum))
        .routes(routes!(work::list_tasks, work::create_task))
        .routes(routes!(work::complete_task))
        .routes(routes!(work::cancel_task))
        .routes(routes!(work::reassign_task))
        .routes(routes!(work::list_decisions, work::record_decision))
        .routes(routes!(work::list_forms, work::submit_form))
        .routes(routes!(work::list_deadlines))
        .routes(routes!(work::extend_deadline))
        .routes(routes!(work::my_alerts))
        .routes(routes!(work::acknowledge_alert))
        .routes(routes!(work::set_reminder))
        .routes(routes!(work::case_alerts))
        .routes(routes!(work::get_plan))
        .routes(routes!(work::add_objective))
        .routes(routes!(work::review_plan))
}

/// The document routes. Uploads read their own body, up to the configured file size (and
/// not a byte past it), instead of the 1 MiB every other request is held to.
fn document_routes() -> OpenApiRouter<App> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(documents::list_documents, documents::upload_document))
        .routes(routes!(documents::add_redacted_copy))
        .routes(routes!(documents::add_scan))
        .layer(axum::extract::DefaultBodyLimit::disable());
    OpenApiRouter::new()
        .merge(uploads)
        .routes(routes!(documents::get_document))
        .routes(routes!(documents::download_document))
        .routes(routes!(documents::record_paper_document))
}

/// Paging for every list: `limit` rows (1 to 200, 25 by default) from `cursor`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Rows per page, 1 to 200 (25 when not given).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl Paging {
    /// How many rows to ask the store for: one more than the page, to learn if there is a next.
    pub fn fetch(&self) -> i64 {
        casework_app::page_size(self.limit) + 1
    }

    /// The position the cursor names, parsed as the list's key type.
    pub fn position<T: std::str::FromStr>(&self) -> ApiResult<Option<T>> {
        let Some(cursor) = &self.cursor else { return Ok(None) };
        URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|raw| raw.parse().ok())
            .map(Some)
            .ok_or_else(|| ApiError::field("cursor", "is not a cursor this list gave out"))
    }

    /// Cuts the fetched rows to a page and makes the cursor for the next one.
    pub fn page<R, T: utoipa::ToSchema>(
        &self,
        mut rows: Vec<R>,
        key: impl Fn(&R) -> String,
        out: impl Fn(R) -> T,
    ) -> views::Page<T> {
        let size = usize::try_from(casework_app::page_size(self.limit)).unwrap_or(25);
        let next_cursor = if rows.len() > size {
            rows.truncate(size);
            rows.last().map(|last| URL_SAFE_NO_PAD.encode(key(last)))
        } else {
            None
        };
        views::Page { items: rows.into_iter().map(out).collect(), next_cursor }
    }
}

/// An id from the path. One that does not parse cannot exist: it is not found.
pub fn path_id<T: std::str::FromStr>(raw: &str, what: &str) -> ApiResult<T> {
    raw.parse().map_err(|_| ApiError::not_found(what))
}

/// Parses an optional id given in a body or query, reporting it under `field`.
pub fn field_id<T: std::str::FromStr>(raw: Option<&str>, field: &str) -> ApiResult<Option<T>> {
    raw.map(|r| r.parse().map_err(|_| ApiError::field(field, "is not a valid id"))).transpose()
}

/// Parses a code (stage, level, flag, reason…) given in a body or query.
pub fn field_code(raw: &str, field: &str) -> ApiResult<casework_domain::text::Code> {
    casework_domain::text::Code::parse(raw).map_err(|e| ApiError::invalid(e.within(field).into()))
}
