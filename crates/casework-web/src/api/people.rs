//! People and organisations.

use super::views::{OrganisationOut, Page, PersonOut};
use super::{Paging, path_id};
use crate::extract::{CurrentActor, IdempotencyKey, JsonBody};
use crate::problem::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use casework_app::App;
use casework_domain::person::{IdentifierKind, NewPerson, OrganisationKind, RelationshipKind};
use casework_domain::{FieldError, Invalid};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentifierIn {
    /// gmc-number, nhs-number, prison-number or external-reference.
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonIn {
    pub given_name: String,
    pub family_name: String,
    pub known_as: Option<String>,
    /// YYYY-MM-DD.
    pub date_of_birth: Option<String>,
    #[serde(default)]
    pub identifiers: Vec<IdentifierIn>,
}

fn by_name<T: serde::de::DeserializeOwned>(raw: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned())).ok()
}

impl PersonIn {
    /// Checks every field and reports all problems together.
    pub fn parse(&self, today: jiff::civil::Date) -> Result<NewPerson, Invalid> {
        let mut invalid = Invalid::new();
        let mut identifiers = Vec::new();
        for (i, identifier) in self.identifiers.iter().enumerate() {
            match by_name::<IdentifierKind>(&identifier.kind) {
                Some(kind) => identifiers.push((kind, identifier.value.clone())),
                None => invalid.push(FieldError::new(
                    format!("identifiers/{i}/kind"),
                    "use gmc-number, nhs-number, prison-number or external-reference",
                )),
            }
        }
        let parsed = NewPerson::parse(
            &self.given_name,
            &self.family_name,
            self.known_as.as_deref(),
            self.date_of_birth.as_deref(),
            &identifiers,
            today,
        );
        match parsed {
            Ok(person) if invalid.is_empty() => Ok(person),
            Ok(_) => Err(invalid),
            Err(errors) => {
                invalid.errors.extend(errors.errors);
                Err(invalid)
            }
        }
    }
}

/// Records a person. An identifier already recorded is refused: find that person instead.
#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = PersonIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key returns the same person")),
    responses((status = 201, body = PersonOut), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn record_person(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    key: IdempotencyKey,
    JsonBody(body): JsonBody<PersonIn>,
) -> ApiResult<(StatusCode, Json<PersonOut>)> {
    let today = casework_domain::time::day_of(app.now());
    let person = body.parse(today).map_err(ApiError::invalid)?;
    let person = app.record_person(&actor, person, key.with(&body).as_ref()).await?;
    Ok((StatusCode::CREATED, Json(person.into())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonSearch {
    /// The start of a given, family or known-as name, or an identifier in full.
    pub name: String,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Finds people by the start of a name or by an identifier.
#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(PersonSearch),
    responses((status = 200, body = Page<PersonOut>), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn search_people(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Query(search): Query<PersonSearch>,
) -> ApiResult<Json<Page<PersonOut>>> {
    let paging = Paging { limit: search.limit, cursor: search.cursor };
    let rows = app.search_people(&actor, &search.name, paging.position()?, paging.fetch()).await?;
    Ok(Json(paging.page(rows, |p| p.id.to_string(), PersonOut::from)))
}

/// One person.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = PersonOut), (status = 404, body = crate::problem::Problem)))]
pub async fn get_person(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<PersonOut>> {
    Ok(Json(app.get_person(&actor, path_id(&id, "person")?).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationshipIn {
    /// carer, parent, representative, referrer or other.
    pub kind: String,
    /// The related person's id.
    pub person: String,
}

/// Records how another person is related to this one (e.g. their carer).
#[utoipa::path(post, path = "/api/v1/people/{id}/relationships", tag = "people", params(("id" = String, Path)), request_body = RelationshipIn,
    responses((status = 200, body = PersonOut), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn relate_person(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<RelationshipIn>,
) -> ApiResult<Json<PersonOut>> {
    let kind: RelationshipKind =
        by_name(&body.kind).ok_or_else(|| ApiError::field("kind", "use carer, parent, representative, referrer or other"))?;
    let related = body.person.parse().map_err(|_| ApiError::field("person", "is not a valid id"))?;
    Ok(Json(app.relate_people(&actor, path_id(&id, "person")?, kind, related).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationIn {
    pub name: String,
    /// partner-agency, body-complained-about, prison, employer or other.
    pub kind: String,
}

/// Records an organisation.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "people", request_body = OrganisationIn,
    responses((status = 201, body = OrganisationOut), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn record_organisation(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    JsonBody(body): JsonBody<OrganisationIn>,
) -> ApiResult<(StatusCode, Json<OrganisationOut>)> {
    let kind: OrganisationKind = by_name(&body.kind)
        .ok_or_else(|| ApiError::field("kind", "use partner-agency, body-complained-about, prison, employer or other"))?;
    Ok((StatusCode::CREATED, Json(app.record_organisation(&actor, &body.name, kind).await?.into())))
}

/// Organisations, oldest first.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "people", params(Paging),
    responses((status = 200, body = Page<OrganisationOut>), (status = 403, body = crate::problem::Problem)))]
pub async fn list_organisations(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Query(paging): Query<Paging>,
) -> ApiResult<Json<Page<OrganisationOut>>> {
    let rows = app.list_organisations(&actor, paging.position()?, paging.fetch()).await?;
    Ok(Json(paging.page(rows, |o| o.id.to_string(), OrganisationOut::from)))
}
