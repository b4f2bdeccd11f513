//! Recording and finding people and organisations. Finding people needs `person.read` in
//! some service; recording them needs `person.write`.

use crate::{App, AppError, Result};
use casework_domain::FieldError;
use casework_domain::access::{Actor, Permission};
use casework_domain::history::{Change, EventKind, Subject};
use casework_domain::ids::{OrganisationId, PersonId};
use casework_domain::person::{NewPerson, Organisation, OrganisationKind, Person, RelationshipKind};
use casework_domain::text::ShortText;
use casework_store::{Connection, people};
use serde_json::json;

pub(crate) fn require_anywhere(actor: &Actor, permission: Permission, what: &'static str) -> Result<()> {
    if actor.services_with(permission).is_empty() { Err(AppError::Forbidden(what)) } else { Ok(()) }
}

impl App {
    /// Records a person, refusing one whose identifier is already recorded (that person
    /// should be found and used instead).
    pub async fn record_person(&self, actor: &Actor, new: NewPerson, idempotency: Option<&crate::Idempotency>) -> Result<Person> {
        require_anywhere(actor, Permission::PersonWrite, "record people")?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if let Some(id) = crate::idempotency::replayed(&mut tx, actor, idempotency).await? {
            return crate::idempotency::answer_replay(
                people::get(&mut tx, crate::idempotency::parse_id(&id)?).await?,
                tx,
                "person",
            )
            .await;
        }
        let id = self.insert_person(&mut tx, actor, &new, now).await?;
        crate::idempotency::remember(&mut tx, actor, idempotency, &id.to_string(), now).await?;
        let person = people::get(&mut tx, id).await?.ok_or(AppError::NotFound("person"))?;
        tx.commit().await?;
        Ok(person)
    }

    /// The part of recording a person shared with opening a case for a new person.
    pub(crate) async fn insert_person(
        &self,
        conn: &mut Connection,
        actor: &Actor,
        new: &NewPerson,
        now: jiff::Timestamp,
    ) -> Result<PersonId> {
        for (i, identifier) in new.identifiers.iter().enumerate() {
            if people::find_by_identifier(conn, identifier).await?.is_some() {
                return Err(FieldError::new(
                    format!("identifiers/{i}/value"),
                    format!("a person with this {} is already recorded", identifier.kind.name()),
                )
                .into());
            }
        }
        let id = PersonId::new();
        people::insert(conn, id, new, actor.user, now).await?;
        let change = Change::new(
            EventKind::PersonRecorded,
            Subject::Person(id),
            json!(null),
            json!({ "given_name": new.given_name, "family_name": new.family_name, "identifiers": new.identifiers }),
        );
        self.record(conn, actor, None, [change], now).await?;
        Ok(id)
    }

    pub async fn get_person(&self, actor: &Actor, id: PersonId) -> Result<Person> {
        require_anywhere(actor, Permission::PersonRead, "see people")?;
        let mut conn = self.store.read().await?;
        people::get(&mut conn, id).await?.ok_or(AppError::NotFound("person"))
    }

    pub async fn search_people(&self, actor: &Actor, name: &str, after: Option<PersonId>, limit: i64) -> Result<Vec<Person>> {
        require_anywhere(actor, Permission::PersonRead, "see people")?;
        if name.trim().chars().count() < 2 {
            return Err(FieldError::new("name", "give at least 2 characters of a name or an identifier").into());
        }
        let mut conn = self.store.read().await?;
        Ok(people::search(&mut conn, name, after, limit).await?)
    }

    /// Records that `related` is the `kind` of `person` (e.g. their carer).
    pub async fn relate_people(
        &self,
        actor: &Actor,
        person: PersonId,
        kind: RelationshipKind,
        related: PersonId,
    ) -> Result<Person> {
        require_anywhere(actor, Permission::PersonWrite, "record people")?;
        if person == related {
            return Err(FieldError::new("person", "a person cannot be related to themselves").into());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        people::get(&mut tx, person).await?.ok_or(AppError::NotFound("person"))?;
        if people::get(&mut tx, related).await?.is_none() {
            return Err(FieldError::new("person", "no such person").into());
        }
        if people::relate(&mut tx, person, kind, related, now).await? {
            let change = Change::new(
                EventKind::PersonRelated,
                Subject::Person(person),
                json!(null),
                json!({ "kind": kind, "person": related }),
            );
            self.record(&mut tx, actor, None, [change], now).await?;
        }
        let updated = people::get(&mut tx, person).await?.ok_or(AppError::NotFound("person"))?;
        tx.commit().await?;
        Ok(updated)
    }

    pub async fn record_organisation(&self, actor: &Actor, name: &str, kind: OrganisationKind) -> Result<Organisation> {
        require_anywhere(actor, Permission::PersonWrite, "record organisations")?;
        let organisation =
            Organisation { id: OrganisationId::new(), name: ShortText::parse(name).map_err(|e| e.within("name"))?, kind };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        people::insert_organisation(&mut tx, &organisation, now).await?;
        let change = Change::new(
            EventKind::OrganisationRecorded,
            Subject::Organisation(organisation.id),
            json!(null),
            json!({ "name": organisation.name, "kind": organisation.kind }),
        );
        self.record(&mut tx, actor, None, [change], now).await?;
        tx.commit().await?;
        Ok(organisation)
    }

    pub async fn list_organisations(
        &self,
        actor: &Actor,
        after: Option<OrganisationId>,
        limit: i64,
    ) -> Result<Vec<Organisation>> {
        require_anywhere(actor, Permission::PersonRead, "see organisations")?;
        let mut conn = self.store.read().await?;
        Ok(people::list_organisations(&mut conn, after, limit).await?)
    }
}
