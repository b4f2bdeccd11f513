//! Administration: services and user accounts.

use super::*;

pub(super) fn routes() -> axum::Router<App> {
    axum::Router::new().route("/admin", get(admin_page))
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    signed_in: Option<SignedIn>,
    /// Name, code, version, reference prefix, roles.
    services: Vec<(String, String, u32, String, String)>,
    /// Username, name, roles, disabled.
    users: Vec<(String, String, String, bool)>,
}

/// Services and user accounts, for administrators only (read-only here; changes go through
/// the API or the command line).
async fn admin_page(State(app): State<App>, session: Session) -> Response {
    let Session { actor, header: name } = session;
    let page = async {
        let accounts = app.list_users(&actor, None, 1000).await?;
        Ok::<_, AppError>(AdminPage {
            signed_in: name.clone(),
            services: app
                .services
                .all()
                .map(|d| {
                    let roles: Vec<&str> = d.roles.iter().map(|r| r.name.as_str()).collect();
                    (
                        d.service.name.clone(),
                        d.code().to_string(),
                        app.services.current_version(d.code()),
                        d.service.reference_prefix.clone(),
                        roles.join(", "),
                    )
                })
                .collect(),
            users: accounts
                .into_iter()
                .filter(|u| u.username.as_str() != "system")
                .map(|u| {
                    let roles: Vec<String> = u.roles.iter().map(|r| format!("{} in {}", r.role, r.service)).collect();
                    let roles = if u.administrator { format!("administrator {}", roles.join(", ")) } else { roles.join(", ") };
                    (u.username.to_string(), u.display_name.to_string(), roles, u.disabled)
                })
                .collect(),
        })
    };
    match page.await {
        Ok(page) => render(&page, StatusCode::OK),
        Err(error) => problem(error, name),
    }
}
