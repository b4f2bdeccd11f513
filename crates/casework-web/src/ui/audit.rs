//! The access log for auditors: who looked at which case and when, by case reference or by
//! user, on the services they audit; below it, the latest reports and lists exported as files.

use super::*;
use casework_app::audit::AccessLogQuery;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new().route("/audit", get(access_log))
}

#[derive(Debug, Deserialize)]
struct Filters {
    #[serde(default)]
    case: String,
    #[serde(default)]
    user: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    signed_in: Option<SignedIn>,
    case: String,
    user: String,
    searched: bool,
    /// When, who, case id, case reference, what was read, why (by break-glass).
    entries: Vec<(String, String, String, String, String, String)>,
    /// When, who, service, which report or list, filters, format, rows.
    exports: Vec<(String, String, String, String, String, String, i64)>,
}

const SHOWN: i64 = 200;

async fn access_log(
    State(app): State<App>,
    session: Session,
    axum::extract::Query(filters): axum::extract::Query<Filters>,
) -> Response {
    let searched = !filters.case.trim().is_empty() || !filters.user.trim().is_empty();
    let query = AccessLogQuery {
        case_reference: Some(filters.case.clone()),
        username: Some(filters.user.clone()),
        person: None,
        before: None,
        limit: SHOWN,
    };
    let looked = async {
        Ok::<_, AppError>((app.access_log(&session.actor, &query).await?, app.export_log(&session.actor, None, SHOWN).await?))
    };
    match looked.await {
        Ok((entries, exports)) => render(
            &AuditPage {
                signed_in: session.header.clone(),
                case: filters.case,
                user: filters.user,
                searched,
                entries: entries
                    .into_iter()
                    .map(|e| (uk_time(e.at), e.username, e.case.to_string(), e.case_reference, e.what, e.why.unwrap_or_default()))
                    .collect(),
                exports: exports
                    .into_iter()
                    .map(|e| {
                        let r = e.record;
                        (uk_time(r.at), e.username, r.service.to_string(), r.what, r.filters, r.format, r.rows)
                    })
                    .collect(),
            },
            StatusCode::OK,
        ),
        Err(error) => problem(error, session.header.clone()),
    }
}
