//! Administration of user accounts, roles and teams. Only administrators may do these,
//! and doing them gives no access to case records by itself.

use crate::auth::hash_password;
use crate::{App, AppError, Result};
use casework_domain::access::Actor;
use casework_domain::history::{Change, EventKind, Subject};
use casework_domain::ids::{TeamId, UserId};
use casework_domain::text::{Code, ShortText};
use casework_domain::user::{Password, RoleGrant, Team, UserAccount, Username};
use casework_domain::{FieldError, Invalid};
use casework_store::users;
use serde_json::json;

/// The account command-line administration acts as.
pub fn system_actor() -> Actor {
    Actor {
        user: UserId::from_uuid(uuid::Uuid::nil()),
        username: "system".into(),
        administrator: true,
        memberships: Vec::new(),
        as_of: jiff::Timestamp::UNIX_EPOCH,
    }
}

/// A checked request for a new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub display_name: ShortText,
    pub password: Password,
    pub administrator: bool,
}

impl NewUser {
    pub fn parse(username: &str, display_name: &str, password: &str, administrator: bool) -> Result<NewUser> {
        let mut invalid = Invalid::new();
        let password = invalid.check("password", Password::parse(password, &[username, display_name]));
        let username = invalid.check("username", Username::parse(username));
        let display_name = invalid.check("display_name", ShortText::parse(display_name));
        match (username, display_name, password) {
            (Some(username), Some(display_name), Some(password)) => {
                Ok(NewUser { username, display_name, password, administrator })
            }
            _ => Err(invalid.into()),
        }
    }
}

fn role_granted(user: UserId, service: &Code, role: &Code) -> Change {
    Change::new(EventKind::RoleGranted, Subject::User(user), json!(null), json!({ "service": service, "role": role }))
}

fn require_administrator(actor: &Actor) -> Result<()> {
    if actor.administrator { Ok(()) } else { Err(AppError::Forbidden("manage users and teams")) }
}

impl App {
    pub async fn create_user(&self, actor: &Actor, new: NewUser) -> Result<UserAccount> {
        self.create_user_with_roles(actor, new, &[]).await
    }

    /// Makes an account that can start work at once: the account and its first roles are
    /// written together, so a refused role leaves no half-made account behind.
    pub async fn create_user_with_roles(&self, actor: &Actor, new: NewUser, roles: &[RoleGrant]) -> Result<UserAccount> {
        require_administrator(actor)?;
        for grant in roles {
            self.check_role_exists(&grant.service, &grant.role)?;
        }
        let hash = hash_password(&new.password).await?;
        let now = self.now();
        let id = UserId::new();
        let mut tx = self.store.begin().await?;
        match users::insert(&mut tx, id, &new.username, &new.display_name, &hash, new.administrator, now).await {
            Err(e) if e.is_unique_violation() => {
                return Err(AppError::Conflict(format!("the username '{}' is taken", new.username)));
            }
            other => other?,
        }
        let mut changes = vec![Change::new(
            EventKind::UserCreated,
            Subject::User(id),
            json!(null),
            json!({ "username": new.username, "display_name": new.display_name, "administrator": new.administrator }),
        )];
        for grant in roles {
            users::grant_role(&mut tx, id, &grant.service, &grant.role, now).await?;
            changes.push(role_granted(id, &grant.service, &grant.role));
        }
        self.record(&mut tx, actor, None, changes, now).await?;
        let account = users::get(&mut tx, id).await?.ok_or(AppError::NotFound("user"))?;
        tx.commit().await?;
        Ok(account)
    }

    fn check_role_exists(&self, service: &Code, role: &Code) -> Result<()> {
        let definition =
            self.services.get(service).ok_or_else(|| FieldError::new("service", format!("there is no service '{service}'")))?;
        if definition.role(role).is_none() {
            return Err(FieldError::new("role", format!("the service '{service}' has no role '{role}'")).into());
        }
        Ok(())
    }

    pub async fn list_users(&self, actor: &Actor, after: Option<&str>, limit: i64) -> Result<Vec<UserAccount>> {
        require_administrator(actor)?;
        let mut conn = self.store.read().await?;
        Ok(users::list(&mut conn, after, limit).await?)
    }

    pub async fn get_user(&self, actor: &Actor, id: UserId) -> Result<UserAccount> {
        require_administrator(actor)?;
        let mut conn = self.store.read().await?;
        users::get(&mut conn, id).await?.ok_or(AppError::NotFound("user"))
    }

    pub async fn find_user(&self, actor: &Actor, username: &str) -> Result<UserAccount> {
        require_administrator(actor)?;
        let mut conn = self.store.read().await?;
        users::get_by_username(&mut conn, &username.trim().to_lowercase()).await?.ok_or(AppError::NotFound("user"))
    }

    /// Disables or re-enables an account; disabling ends its sessions at once.
    pub async fn set_user_disabled(&self, actor: &Actor, id: UserId, disabled: bool) -> Result<UserAccount> {
        require_administrator(actor)?;
        if id == actor.user && disabled {
            return Err(FieldError::new("disabled", "you cannot disable your own account").into());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let before = users::get(&mut tx, id).await?.ok_or(AppError::NotFound("user"))?;
        users::set_disabled(&mut tx, id, disabled).await?;
        let kind = if disabled { EventKind::UserDisabled } else { EventKind::UserEnabled };
        let change =
            Change::new(kind, Subject::User(id), json!({ "disabled": before.disabled }), json!({ "disabled": disabled }));
        self.record(&mut tx, actor, None, [change], now).await?;
        let account = users::get(&mut tx, id).await?.ok_or(AppError::NotFound("user"))?;
        tx.commit().await?;
        Ok(account)
    }

    /// Sets a new password and ends the user's sessions.
    pub async fn reset_password(&self, actor: &Actor, id: UserId, password: &str) -> Result<()> {
        require_administrator(actor)?;
        let account = {
            let mut conn = self.store.read().await?;
            users::get(&mut conn, id).await?.ok_or(AppError::NotFound("user"))?
        };
        let password = Password::parse(password, &[account.username.as_str(), account.display_name.as_str()])
            .map_err(|e| e.within("password"))?;
        let hash = hash_password(&password).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !users::set_password(&mut tx, id, &hash, now).await? {
            return Err(AppError::NotFound("user"));
        }
        self.record(
            &mut tx,
            actor,
            None,
            [Change::new(EventKind::PasswordReset, Subject::User(id), json!(null), json!(null))],
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives a user a role in a service.
    pub async fn grant_role(&self, actor: &Actor, id: UserId, service: &Code, role: &Code) -> Result<UserAccount> {
        require_administrator(actor)?;
        self.check_role_exists(service, role)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        users::get(&mut tx, id).await?.ok_or(AppError::NotFound("user"))?;
        users::grant_role(&mut tx, id, service, role, now).await?;
        self.record(&mut tx, actor, None, [role_granted(id, service, role)], now).await?;
        let account = users::get(&mut tx, id).await?.ok_or(AppError::NotFound("user"))?;
        tx.commit().await?;
        Ok(account)
    }

    /// Takes a role away from a user. Their next request is made with what they still hold,
    /// because every request reads the actor's roles afresh.
    pub async fn revoke_role(&self, actor: &Actor, id: UserId, service: &Code, role: &Code) -> Result<UserAccount> {
        require_administrator(actor)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        users::get(&mut tx, id).await?.ok_or(AppError::NotFound("user"))?;
        if !users::revoke_role(&mut tx, id, service, role).await? {
            return Err(FieldError::new("role", "the user does not hold this role").into());
        }
        let change =
            Change::new(EventKind::RoleRevoked, Subject::User(id), json!({ "service": service, "role": role }), json!(null));
        self.record(&mut tx, actor, None, [change], now).await?;
        let account = users::get(&mut tx, id).await?.ok_or(AppError::NotFound("user"))?;
        tx.commit().await?;
        Ok(account)
    }

    pub async fn create_team(&self, actor: &Actor, service: &Code, name: &str) -> Result<Team> {
        require_administrator(actor)?;
        let name = ShortText::parse(name).map_err(|e| e.within("name"))?;
        if self.services.get(service).is_none() {
            return Err(FieldError::new("service", format!("there is no service '{service}'")).into());
        }
        let team = Team { id: TeamId::new(), service: service.clone(), name };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        match users::insert_team(&mut tx, &team, now).await {
            Err(e) if e.is_unique_violation() => {
                return Err(AppError::Conflict(format!("the service already has a team called '{}'", team.name)));
            }
            other => other?,
        }
        let change = Change::new(
            EventKind::TeamCreated,
            Subject::Team(team.id),
            json!(null),
            json!({ "service": service, "name": team.name }),
        );
        self.record(&mut tx, actor, None, [change], now).await?;
        tx.commit().await?;
        Ok(team)
    }

    /// Teams are listed to every signed-in user: allocation needs them.
    pub async fn list_teams(&self, after: Option<TeamId>, limit: i64) -> Result<Vec<Team>> {
        let mut conn = self.store.read().await?;
        Ok(users::list_teams(&mut conn, after, limit).await?)
    }

    pub async fn add_team_member(&self, actor: &Actor, team: TeamId, user: UserId) -> Result<()> {
        require_administrator(actor)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        users::get_team(&mut tx, team).await?.ok_or(AppError::NotFound("team"))?;
        users::get(&mut tx, user).await?.ok_or(AppError::NotFound("user"))?;
        users::add_team_member(&mut tx, team, user, now).await?;
        let change = Change::new(EventKind::TeamMemberAdded, Subject::Team(team), json!(null), json!({ "user": user }));
        self.record(&mut tx, actor, None, [change], now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_team_member(&self, actor: &Actor, team: TeamId, user: UserId) -> Result<()> {
        require_administrator(actor)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        users::get_team(&mut tx, team).await?.ok_or(AppError::NotFound("team"))?;
        if !users::remove_team_member(&mut tx, team, user).await? {
            return Err(FieldError::new("user", "the user is not a member of this team").into());
        }
        let change = Change::new(EventKind::TeamMemberRemoved, Subject::Team(team), json!({ "user": user }), json!(null));
        self.record(&mut tx, actor, None, [change], now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One team; teams are shown to every signed-in user, like the list.
    pub async fn get_team(&self, id: TeamId) -> Result<Team> {
        let mut conn = self.store.read().await?;
        users::get_team(&mut conn, id).await?.ok_or(AppError::NotFound("team"))
    }

    /// Records the current service definitions in the database (a changed file becomes a
    /// new version) and loads every stored version, so each case follows its own.
    pub async fn register_services(&self) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut current = std::collections::BTreeMap::new();
        for (definition, text, digest) in self.services.files() {
            let version = casework_store::meta::register_definition(&mut tx, definition, text, &digest, now).await?;
            current.insert(definition.code().clone(), version);
        }
        let stored = casework_store::meta::definitions(&mut tx).await?;
        let imported = casework_store::meta::imported_holidays(&mut tx).await?;
        tx.commit().await?;
        let mut all = std::collections::BTreeMap::new();
        for stored in stored {
            let definition = casework_domain::service::ServiceDefinition::from_toml(&stored.text).map_err(|invalid| {
                AppError::Internal(format!(
                    "stored definition of '{}' version {} no longer reads: {invalid}",
                    stored.service, stored.version
                ))
            })?;
            all.insert((definition.code().clone(), stored.version), std::sync::Arc::new(definition));
        }
        self.services.install(all, current, imported);
        Ok(())
    }
}

impl App {
    /// Marks the database with a fact about the installation (e.g. that it is a demo).
    pub async fn mark_demo(&self, key: &str) -> Result<()> {
        let mut tx = self.store.begin().await?;
        casework_store::meta::set(&mut tx, key, "true").await?;
        tx.commit().await?;
        Ok(())
    }
}

impl App {
    /// Imports one-off holidays from published data (GOV.UK's bank-holidays.json), keeping
    /// the dates the rules do not give. They count from the next start of the server.
    pub async fn import_holidays(&self, actor: &Actor, json: &str) -> Result<u64> {
        require_administrator(actor)?;
        let published = casework_domain::calendar::parse_published_holidays(json).map_err(|e| e.within("file"))?;
        let extra: Vec<_> = published
            .into_iter()
            .filter(|(nation, holiday)| {
                !casework_domain::calendar::bank_holidays(*nation, holiday.date.year()).iter().any(|h| h.date == holiday.date)
            })
            .collect();
        let mut tx = self.store.begin().await?;
        let added = casework_store::meta::import_holidays(&mut tx, &extra).await?;
        tx.commit().await?;
        Ok(added)
    }
}

impl App {
    /// The display names of users, for showing who did what on a case record (any signed-in
    /// user may see colleagues' names; nothing else about them).
    pub async fn display_names(&self, ids: &[UserId]) -> Result<std::collections::BTreeMap<UserId, String>> {
        let mut conn = self.store.read().await?;
        let mut names = std::collections::BTreeMap::new();
        for &id in ids {
            if names.contains_key(&id) {
                continue;
            }
            if let Some(user) = users::get(&mut conn, id).await? {
                names.insert(id, user.display_name.to_string());
            }
        }
        Ok(names)
    }
}

impl App {
    /// The people who can hold cases in a service (a role there that reads cases), for
    /// choosing whom to allocate to. Only for those who allocate or decide referrals there.
    pub async fn case_holders(&self, actor: &Actor, service: &Code) -> Result<Vec<(UserId, String)>> {
        let allowed = actor.may_in_service(casework_domain::access::Permission::CaseAllocate, service)
            || actor.may_in_service(casework_domain::access::Permission::ReferralDecide, service);
        if !allowed {
            return Err(AppError::Forbidden("allocate cases in this service"));
        }
        let Some(definition) = self.services.get(service) else { return Err(AppError::NotFound("service")) };
        let mut conn = self.store.read().await?;
        let mut holders = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = users::list(&mut conn, after.as_deref(), 500).await?;
            for account in &page {
                let holds = !account.disabled
                    && account.roles.iter().any(|grant| {
                        &grant.service == service
                            && definition.role(&grant.role).is_some_and(|role| {
                                role.permissions.contains(&casework_domain::access::Permission::CaseRead)
                                    && role.reach != casework_domain::access::Reach::None
                            })
                    });
                if holds {
                    holders.push((account.id, account.display_name.to_string()));
                }
            }
            match page.last() {
                Some(last) if page.len() == 500 => after = Some(last.username.to_string()),
                _ => break,
            }
        }
        Ok(holders)
    }
}
