//! The case's "Sharing" section: the disclosures made (with their basis, recipient, who and
//! when, and a clear mark when the consent they relied on was withdrawn), and the form to
//! record a share, referral out, transfer or export. The form is for one kind at a time, so
//! its basis list holds only what could allow that kind: the consents in force today and
//! the statutory bases of the service that allow it.

use super::cases::day;
use super::*;
use casework_domain::consent::{Consent, ConsentKind};
use casework_domain::disclosure::{Basis, DisclosureKind};
use casework_domain::service::ServiceDefinition;

pub(super) struct DisclosureRow {
    pub kind: &'static str,
    pub when: String,
    pub who: String,
    pub recipient: String,
    pub sent_how: String,
    pub summary: String,
    pub basis: String,
    pub reason: String,
    pub export_sha256: String,
    /// "Consent withdrawn on …" when it was.
    pub withdrawn: String,
}

/// What the Sharing section shows.
#[derive(Default)]
pub(super) struct SharingView {
    pub rows: Vec<DisclosureRow>,
    pub may_share: bool,
    /// The kind the form records, and each kind with its label.
    pub kind: &'static str,
    pub kind_noun: &'static str,
    pub kinds: Vec<(&'static str, &'static str)>,
    /// Value and label of each basis that could allow this kind.
    pub bases: Vec<(String, String)>,
    /// Name, label and hint of the recipient's fields; name and label of the text fields.
    pub recipient_fields: [(&'static str, &'static str, &'static str); 3],
    pub text_fields: [(&'static str, &'static str); 2],
}

fn title(kind: DisclosureKind) -> &'static str {
    match kind {
        DisclosureKind::Share => "Share",
        DisclosureKind::ReferralOut => "Referral out",
        DisclosureKind::Transfer => "Transfer",
        DisclosureKind::Export => "Export",
    }
}

fn consent_label(consent: &Consent) -> String {
    format!(
        "Consent given by {} ({}) to share {} with {}",
        consent.given_by, consent.relationship, consent.scope, consent.with_whom
    )
}

/// The section, for the kind of disclosure the form is to record (`share` if none is named).
pub(super) async fn sharing_view(
    app: &App,
    actor: &Actor,
    definition: &ServiceDefinition,
    case: &casework_domain::case::Case,
    consents: &[Consent],
    kind: &str,
) -> Result<SharingView, AppError> {
    let kind = DisclosureKind::parse(kind).unwrap_or(DisclosureKind::Share);
    let stored = app.case_disclosures(actor, case.id).await?;
    let names = app.display_names(&stored.iter().map(|s| s.disclosure.recorded_by).collect::<Vec<_>>()).await?;
    let rows = stored
        .into_iter()
        .map(|s| {
            let d = s.disclosure;
            let basis = match &d.basis {
                Basis::Consent { consent } => {
                    consents.iter().find(|c| &c.id == consent).map_or_else(|| "Consent".to_owned(), consent_label)
                }
                Basis::Statutory { code } => {
                    definition.statutory_basis(code).map_or_else(|| code.to_string(), |b| format!("{} ({})", b.name, b.law))
                }
            };
            DisclosureRow {
                kind: title(d.kind),
                when: uk_time(d.recorded_at),
                who: names.get(&d.recorded_by).cloned().unwrap_or_default(),
                recipient: match &d.recipient.person {
                    Some(person) => format!("{person}, {}", d.recipient.organisation),
                    None => d.recipient.organisation.to_string(),
                },
                sent_how: d.recipient.sent_how.to_string(),
                summary: d.summary.to_string(),
                basis,
                reason: d.reason.to_string(),
                export_sha256: d.export_sha256.unwrap_or_default(),
                withdrawn: s.flag.map(|f| format!("Consent withdrawn on {}", uk_time(f.withdrawn_at))).unwrap_or_default(),
            }
        })
        .collect();
    let today = casework_domain::time::day_of(app.now());
    let mut bases: Vec<(String, String)> = consents
        .iter()
        .filter(|c| c.kind == ConsentKind::Consent && c.in_force(today))
        .map(|c| {
            let until = c.until.map(|u| format!(", until {}", day(u))).unwrap_or_default();
            (format!("consent:{}", c.id), format!("{}{until}", consent_label(c)))
        })
        .collect();
    bases.extend(
        definition
            .statutory_bases
            .iter()
            .filter(|b| b.allows.contains(&kind))
            .map(|b| (format!("statutory:{}", b.code), format!("{} ({})", b.name, b.law))),
    );
    Ok(SharingView {
        rows,
        may_share: actor.may(Permission::CaseShare, case.scope()),
        kind: kind.code(),
        kind_noun: kind.noun(),
        kinds: DisclosureKind::ALL.into_iter().map(|k| (k.code(), k.noun())).collect(),
        bases,
        recipient_fields: [
            ("recipient_organisation", "The organisation that receives it", ""),
            ("recipient_person", "The person there (optional)", ""),
            ("sent_how", "How it is sent", "For example, secure email, post, by hand, download"),
        ],
        text_fields: [("summary", "What is disclosed"), ("reason", "Why, on this basis")],
    })
}
