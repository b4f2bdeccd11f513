//! People and organisations.

use crate::convert::{micros, named, parse};
use crate::{Connection, Result, StoreError};
use casework_domain::ids::{OrganisationId, PersonId, UserId};
use casework_domain::person::{
    Identifier, IdentifierKind, NewPerson, Organisation, OrganisationKind, Person, Relationship, RelationshipKind,
};
use casework_domain::text::ShortText;
use jiff::Timestamp;

fn text(raw: &str) -> Result<ShortText> {
    ShortText::parse(raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub async fn insert(conn: &mut Connection, id: PersonId, person: &NewPerson, by: UserId, at: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO people (id, given_name, family_name, known_as, date_of_birth, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.to_string())
    .bind(person.given_name.as_str())
    .bind(person.family_name.as_str())
    .bind(person.known_as.as_ref().map(ShortText::as_str))
    .bind(person.date_of_birth.map(|d| d.to_string()))
    .bind(micros(at))
    .bind(by.to_string())
    .execute(&mut *conn)
    .await?;
    for identifier in &person.identifiers {
        sqlx::query("INSERT INTO person_identifiers (person_id, kind, value) VALUES ($1, $2, $3)")
            .bind(id.to_string())
            .bind(identifier.kind.name())
            .bind(&identifier.value)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The person already recorded with this identifier, if any.
pub async fn find_by_identifier(conn: &mut Connection, identifier: &Identifier) -> Result<Option<PersonId>> {
    let id: Option<String> = sqlx::query_scalar("SELECT person_id FROM person_identifiers WHERE kind = $1 AND value = $2")
        .bind(identifier.kind.name())
        .bind(&identifier.value)
        .fetch_optional(conn)
        .await?;
    id.map(|i| parse("person id", &i)).transpose()
}

type PersonRow = (String, String, String, Option<String>, Option<String>);

pub async fn get(conn: &mut Connection, id: PersonId) -> Result<Option<Person>> {
    let row: Option<PersonRow> =
        sqlx::query_as("SELECT id, given_name, family_name, known_as, date_of_birth FROM people WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    match row {
        Some(row) => Ok(Some(person(conn, row).await?)),
        None => Ok(None),
    }
}

async fn person(conn: &mut Connection, (id, given, family, known_as, dob): PersonRow) -> Result<Person> {
    let identifiers: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, value FROM person_identifiers WHERE person_id = $1 ORDER BY kind")
            .bind(&id)
            .fetch_all(&mut *conn)
            .await?;
    let relationships: Vec<(String, String)> = sqlx::query_as(
        "SELECT kind, related_person_id FROM person_relationships WHERE person_id = $1 ORDER BY kind, related_person_id",
    )
    .bind(&id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Person {
        id: parse("person id", &id)?,
        given_name: text(&given)?,
        family_name: text(&family)?,
        known_as: known_as.as_deref().map(text).transpose()?,
        date_of_birth: dob.as_deref().map(|d| parse("date", d)).transpose()?,
        identifiers: identifiers
            .iter()
            .map(|(kind, value)| Ok(Identifier { kind: named::<IdentifierKind>(kind)?, value: value.clone() }))
            .collect::<Result<_>>()?,
        relationships: relationships
            .iter()
            .map(|(kind, other)| Ok(Relationship { kind: named::<RelationshipKind>(kind)?, person: parse("person id", other)? }))
            .collect::<Result<_>>()?,
    })
}

/// People whose name starts with `name` (given, family or known-as), or whose identifier is
/// `name` exactly; `limit` at a time, in id order after `after`.
pub async fn search(conn: &mut Connection, name: &str, after: Option<PersonId>, limit: i64) -> Result<Vec<Person>> {
    let prefix = format!("{}%", name.trim().to_lowercase().replace(['%', '_'], ""));
    let rows: Vec<PersonRow> = sqlx::query_as(
        "SELECT id, given_name, family_name, known_as, date_of_birth FROM people
         WHERE id > $1 AND (lower(family_name) LIKE $2 OR lower(given_name) LIKE $2 OR lower(known_as) LIKE $2
            OR id IN (SELECT person_id FROM person_identifiers WHERE upper(value) = upper($3)))
         ORDER BY id LIMIT $4",
    )
    .bind(after.map(|a| a.to_string()).unwrap_or_default())
    .bind(prefix)
    .bind(name.trim().replace(' ', ""))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut people = Vec::with_capacity(rows.len());
    for row in rows {
        people.push(person(conn, row).await?);
    }
    Ok(people)
}

pub async fn relate(
    conn: &mut Connection,
    person: PersonId,
    kind: RelationshipKind,
    related: PersonId,
    at: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO person_relationships (person_id, related_person_id, kind, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
    )
    .bind(person.to_string())
    .bind(related.to_string())
    .bind(kind.name())
    .bind(micros(at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_organisation(conn: &mut Connection, organisation: &Organisation, at: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO organisations (id, name, kind, created_at) VALUES ($1, $2, $3, $4)")
        .bind(organisation.id.to_string())
        .bind(organisation.name.as_str())
        .bind(organisation.kind.name())
        .bind(micros(at))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get_organisation(conn: &mut Connection, id: OrganisationId) -> Result<Option<Organisation>> {
    let row: Option<(String, String, String)> = sqlx::query_as("SELECT id, name, kind FROM organisations WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|r| organisation(&r)).transpose()
}

pub async fn list_organisations(conn: &mut Connection, after: Option<OrganisationId>, limit: i64) -> Result<Vec<Organisation>> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, name, kind FROM organisations WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after.map(|a| a.to_string()).unwrap_or_default())
            .bind(limit)
            .fetch_all(conn)
            .await?;
    rows.iter().map(organisation).collect()
}

fn organisation((id, name, kind): &(String, String, String)) -> Result<Organisation> {
    Ok(Organisation { id: parse("organisation id", id)?, name: text(name)?, kind: named::<OrganisationKind>(kind)? })
}
