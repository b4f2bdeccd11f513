//! Sharing a case on a recorded basis: shares, referrals out, transfers and exports.

use super::path_id;
use crate::extract::{CurrentActor, JsonBody};
use crate::problem::ApiResult;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use casework_app::App;
use casework_app::disclosures::Recorded;
use casework_app::store::disclosures::StoredDisclosure;
use casework_domain::disclosure::DisclosureInput;
use casework_domain::ids::CaseId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureIn {
    /// share, referral-out, transfer or export.
    pub kind: String,
    /// The organisation that receives it.
    pub recipient_organisation: String,
    /// The person there, when known.
    pub recipient_person: Option<String>,
    /// How it is sent: secure email, post, by hand, download…
    pub sent_how: String,
    /// What is disclosed.
    pub summary: String,
    /// The basis relied on: `consent:<consent id>` (a consent of this case in force today) or
    /// `statutory:<code>` (a statutory basis of the case's service that allows this kind).
    pub basis: String,
    /// Why it is disclosed on that basis.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecipientOut {
    pub organisation: String,
    pub person: Option<String>,
    pub sent_how: String,
}

/// The flag added when the consent a disclosure relied on was withdrawn.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentWithdrawnOut {
    pub consent: String,
    pub withdrawn_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureOut {
    pub id: String,
    pub case: String,
    pub kind: String,
    pub recipient: RecipientOut,
    pub summary: String,
    /// `consent:<consent id>` or `statutory:<code>`.
    pub basis: String,
    pub reason: String,
    /// For an export, the SHA-256 (hex) of the bundle that was served.
    pub export_sha256: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
    /// Set when the consent it relied on has been withdrawn since.
    pub consent_withdrawn: Option<ConsentWithdrawnOut>,
}

impl From<StoredDisclosure> for DisclosureOut {
    fn from(stored: StoredDisclosure) -> Self {
        let d = stored.disclosure;
        DisclosureOut {
            id: d.id.to_string(),
            case: d.case.to_string(),
            kind: d.kind.code().to_owned(),
            recipient: RecipientOut {
                organisation: d.recipient.organisation.to_string(),
                person: d.recipient.person.map(|p| p.to_string()),
                sent_how: d.recipient.sent_how.to_string(),
            },
            summary: d.summary.to_string(),
            basis: d.basis.to_string(),
            reason: d.reason.to_string(),
            export_sha256: d.export_sha256,
            recorded_by: d.recorded_by.to_string(),
            recorded_at: d.recorded_at.to_string(),
            consent_withdrawn: stored
                .flag
                .map(|f| ConsentWithdrawnOut { consent: f.consent.to_string(), withdrawn_at: f.withdrawn_at.to_string() }),
        }
    }
}

/// An export's bundle: a zip holding case.json, case.html and, under documents/, the files
/// of the documents that may leave the service.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ExportBundle(pub Vec<u8>);

/// Records a share, referral out, transfer or export on its basis. Without a valid basis it
/// is refused (422, the reason under `basis`) and nothing is written. An export answers with
/// the case's bundle itself (a zip holding case.json, case.html and the documents that may
/// leave the service; do-not-disclose and third-party material is counted, never included),
/// logged in the access log before it is sent.
#[utoipa::path(post, path = "/api/v1/cases/{id}/disclosures", tag = "sharing", params(("id" = String, Path)),
    request_body = DisclosureIn,
    responses(
        (status = 201, description = "A share, referral out or transfer, recorded", body = DisclosureOut),
        (status = 200, description = "An export: the bundle, recorded and logged", content_type = "application/zip", body = ExportBundle),
        (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn record_disclosure(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<DisclosureIn>,
) -> ApiResult<Response> {
    let case: CaseId = path_id(&id, "case")?;
    let input = DisclosureInput {
        kind: body.kind,
        recipient_organisation: body.recipient_organisation,
        recipient_person: body.recipient_person,
        sent_how: body.sent_how,
        summary: body.summary,
        basis: body.basis,
        reason: body.reason,
    };
    let Recorded { disclosure, export } = app.record_disclosure(&actor, case, &input).await?;
    Ok(match export {
        Some(file) => download(file),
        None => (StatusCode::CREATED, Json(DisclosureOut::from(StoredDisclosure { disclosure, flag: None }))).into_response(),
    })
}

/// An export's zip as a download.
pub fn download(file: casework_app::disclosures::ExportFile) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", file.file_name)),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        file.bytes,
    )
        .into_response()
}

/// The case's disclosures, newest first, each flagged if the consent it relied on has been
/// withdrawn. Reading them is logged.
#[utoipa::path(get, path = "/api/v1/cases/{id}/disclosures", tag = "sharing", params(("id" = String, Path)),
    responses((status = 200, body = Vec<DisclosureOut>), (status = 404, body = crate::problem::Problem)))]
pub async fn list_disclosures(
    State(app): State<App>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<DisclosureOut>>> {
    let case: CaseId = path_id(&id, "case")?;
    Ok(Json(app.case_disclosures(&actor, case).await?.into_iter().map(Into::into).collect()))
}
