//! Disclosures: every share, referral out, transfer and export of a case's information,
//! with who received it, what went, and the basis relied on: a consent on the case that
//! holds today, or a statutory basis of the case's service that allows that kind of
//! disclosure. Without a valid basis nothing is disclosed, and the refusal says what is
//! wrong. A disclosure is never changed; when the consent it relied on is withdrawn, a flag
//! is added beside it.

use crate::consent::{Consent, ConsentKind};
use crate::history::{Change, EventKind, Subject};
use crate::ids::{CaseId, ConsentId, DisclosureId, UserId};
use crate::invalid::{FieldError, Invalid};
use crate::service::ServiceDefinition;
use crate::text::{Code, LongText, ShortText};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// What kind of disclosure it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DisclosureKind {
    /// Information shared with another organisation or person.
    Share,
    /// A referral of the person to another provider.
    ReferralOut,
    /// The case handed over to another organisation (e.g. a receiving prison).
    Transfer,
    /// The case record taken out of Casework as a downloadable bundle.
    Export,
}

impl DisclosureKind {
    pub const ALL: [DisclosureKind; 4] =
        [DisclosureKind::Share, DisclosureKind::ReferralOut, DisclosureKind::Transfer, DisclosureKind::Export];

    /// The name used in the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            DisclosureKind::Share => "share",
            DisclosureKind::ReferralOut => "referral-out",
            DisclosureKind::Transfer => "transfer",
            DisclosureKind::Export => "export",
        }
    }

    /// In words, after "a" or "an".
    pub fn noun(self) -> &'static str {
        match self {
            DisclosureKind::Share => "share",
            DisclosureKind::ReferralOut => "referral out",
            DisclosureKind::Transfer => "transfer",
            DisclosureKind::Export => "export",
        }
    }

    pub fn parse(raw: &str) -> Option<DisclosureKind> {
        DisclosureKind::ALL.into_iter().find(|k| k.code() == raw.trim())
    }
}

/// A statutory basis that allows disclosure without consent, as a service defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatutoryBasis {
    pub code: Code,
    pub name: String,
    /// The law or rule it rests on, named as the service's own documents name it.
    pub law: String,
    /// The kinds of disclosure it allows.
    pub allows: Vec<DisclosureKind>,
}

/// What a disclosure relies on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Basis {
    Consent { consent: ConsentId },
    Statutory { code: Code },
}

impl Basis {
    /// The form the API and the pages use: `consent:<id>` or `statutory:<code>`.
    pub fn parse(raw: &str) -> Option<Basis> {
        let (kind, value) = raw.trim().split_once(':')?;
        match kind {
            "consent" => value.parse().ok().map(|consent| Basis::Consent { consent }),
            "statutory" => Code::parse(value).ok().map(|code| Basis::Statutory { code }),
            _ => None,
        }
    }
}

impl std::fmt::Display for Basis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Basis::Consent { consent } => write!(f, "consent:{consent}"),
            Basis::Statutory { code } => write!(f, "statutory:{code}"),
        }
    }
}

/// Who received it and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipient {
    pub organisation: ShortText,
    pub person: Option<ShortText>,
    /// Secure email, post, by hand, download…
    pub sent_how: ShortText,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disclosure {
    pub id: DisclosureId,
    pub case: CaseId,
    pub kind: DisclosureKind,
    pub recipient: Recipient,
    /// What was disclosed.
    pub summary: LongText,
    pub basis: Basis,
    /// Why it was disclosed on that basis.
    pub reason: LongText,
    /// The SHA-256 (hex) of the bundle, for an export.
    pub export_sha256: Option<String>,
    pub recorded_by: UserId,
    pub recorded_at: Timestamp,
}

/// Added beside a disclosure when the consent it relied on is withdrawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisclosureFlag {
    pub disclosure: DisclosureId,
    pub consent: ConsentId,
    pub withdrawn_at: Timestamp,
}

/// A disclosure as it arrives from a form or the API, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DisclosureInput {
    pub kind: String,
    pub recipient_organisation: String,
    #[serde(default)]
    pub recipient_person: Option<String>,
    pub sent_how: String,
    pub summary: String,
    /// `consent:<id>` or `statutory:<code>`.
    pub basis: String,
    pub reason: String,
}

fn day(date: Date) -> String {
    date.strftime("%-d %B %Y").to_string()
}

const CHOOSE_ANOTHER: &str = "choose a statutory basis or record new consent";

/// Checks that `basis` allows a disclosure of `kind` from `case` today. `consent` is the
/// consent the basis names, as found (whatever case it belongs to), when it names one.
pub fn check_basis(
    basis: &Basis,
    kind: DisclosureKind,
    case: CaseId,
    consent: Option<&Consent>,
    service: &ServiceDefinition,
    today: Date,
) -> Result<(), FieldError> {
    let refuse = |message: String| Err(FieldError::new("basis", message));
    match basis {
        Basis::Consent { .. } => {
            // A consent of another case is refused as if it did not exist: the refusal must not
            // tell someone about a case they were not asked about.
            let Some(consent) = consent.filter(|c| c.case == case) else {
                return refuse("that consent is not recorded on this case; choose one of this case's consents".into());
            };
            let by = &consent.given_by;
            if consent.kind == ConsentKind::Assent {
                return refuse(format!(
                    "{by}'s assent is not consent on its own; choose the consent given beside it or a statutory basis"
                ));
            }
            if let Some(withdrawal) = &consent.withdrawn {
                let on = day(crate::time::day_of(withdrawal.at));
                return refuse(format!("Consent given by {by} was withdrawn on {on}; {CHOOSE_ANOTHER}"));
            }
            if consent.given_on > today {
                return refuse(format!("Consent given by {by} holds only from {}; {CHOOSE_ANOTHER}", day(consent.given_on)));
            }
            if let Some(until) = consent.until.filter(|until| *until < today) {
                return refuse(format!("Consent given by {by} ran out on {}; {CHOOSE_ANOTHER}", day(until)));
            }
            Ok(())
        }
        Basis::Statutory { code } => {
            let Some(found) = service.statutory_basis(code) else {
                return refuse(format!("'{code}' is not a statutory basis of {}", service.service.name));
            };
            if !found.allows.contains(&kind) {
                let allowed: Vec<&str> = found.allows.iter().map(|k| k.noun()).collect();
                return refuse(format!(
                    "{} does not allow a {}, only: {}; choose another basis",
                    found.name,
                    kind.noun(),
                    allowed.join(", ")
                ));
            }
            Ok(())
        }
    }
}

impl Disclosure {
    /// Checks a disclosure, reporting every problem under its field; the basis is checked
    /// only once it names something.
    pub fn new(
        case: CaseId,
        input: &DisclosureInput,
        consent: Option<&Consent>,
        service: &ServiceDefinition,
        by: UserId,
        now: Timestamp,
    ) -> Result<Disclosure, Invalid> {
        let today = crate::time::day_of(now);
        let mut invalid = Invalid::new();
        let kind = DisclosureKind::parse(&input.kind);
        if kind.is_none() {
            invalid.push(FieldError::new("kind", "choose a share, a referral out, a transfer or an export"));
        }
        let organisation = invalid.check("recipient_organisation", ShortText::parse(&input.recipient_organisation));
        let person = match input.recipient_person.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(raw) => invalid.check("recipient_person", ShortText::parse(raw)),
        };
        let sent_how = invalid.check("sent_how", ShortText::parse(&input.sent_how));
        let summary = invalid.check("summary", LongText::parse(&input.summary));
        let reason = invalid.check("reason", LongText::parse(&input.reason));
        let basis = if input.basis.trim().is_empty() {
            invalid.push(FieldError::new(
                "basis",
                "choose the basis for this disclosure: a consent in force on this case, or a statutory basis that allows it",
            ));
            None
        } else {
            match Basis::parse(&input.basis) {
                Some(basis) => Some(basis),
                None => {
                    invalid.push(FieldError::new("basis", "choose a consent of this case or a statutory basis"));
                    None
                }
            }
        };
        if let (Some(basis), Some(kind)) = (&basis, kind)
            && let Err(problem) = check_basis(basis, kind, case, consent, service, today)
        {
            invalid.push(problem);
        }
        let (Some(kind), Some(organisation), Some(sent_how), Some(summary), Some(reason), Some(basis)) =
            (kind, organisation, sent_how, summary, reason, basis)
        else {
            return Err(invalid);
        };
        invalid.into_result()?;
        Ok(Disclosure {
            id: DisclosureId::new(),
            case,
            kind,
            recipient: Recipient { organisation, person, sent_how },
            summary,
            basis,
            reason,
            export_sha256: None,
            recorded_by: by,
            recorded_at: now,
        })
    }

    /// The history event of this disclosure, once complete (an export's checksum included).
    pub fn change(&self) -> Change {
        Change::new(
            EventKind::DisclosureRecorded,
            Subject::Disclosure(self.id),
            Value::Null,
            json!({
                "disclosure": self.id, "kind": self.kind, "recipient": self.recipient, "summary": self.summary,
                "basis": self.basis, "reason": self.reason, "export_sha256": self.export_sha256,
            }),
        )
    }

    /// Does it rely on this consent?
    pub fn relies_on(&self, consent: ConsentId) -> bool {
        self.basis == Basis::Consent { consent }
    }
}

impl DisclosureFlag {
    /// Flags a disclosure whose consent was withdrawn.
    pub fn for_withdrawal(disclosure: DisclosureId, consent: ConsentId, withdrawn_at: Timestamp) -> (DisclosureFlag, Change) {
        let flag = DisclosureFlag { disclosure, consent, withdrawn_at };
        let change = Change::new(
            EventKind::DisclosureFlagged,
            Subject::Disclosure(disclosure),
            json!({ "disclosure": disclosure, "consent": consent, "consent_in_force": true }),
            json!({ "disclosure": disclosure, "consent": consent, "consent_in_force": false, "withdrawn_at": withdrawn_at }),
        );
        (flag, change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{ConsentInput, Withdrawal};

    const SERVICE: &str = r#"
initial_stage = "open"

[service]
code = "demo"
name = "Demo service"
reference_prefix = "DEMO"
closes_cases = false

[[roles]]
code = "worker"
name = "Worker"
permissions = ["case.read", "case.share"]
reach = "allocated"

[[stages]]
code = "open"
name = "Open"

[[statutory_bases]]
code = "consultation"
name = "Statutory consultation"
law = "Some Act, section 1"
allows = ["share", "referral-out"]
"#;

    fn service() -> ServiceDefinition {
        ServiceDefinition::from_toml(SERVICE).unwrap()
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn consent(case: CaseId, kind: &str, until: Option<&str>) -> Consent {
        let input = ConsentInput {
            kind: Some(kind.into()),
            given_by: "Jo Bloggs".into(),
            relationship: "mother".into(),
            scope: "Plan".into(),
            with_whom: "School nurse".into(),
            how: Some("written".into()),
            given_on: "2026-03-02".into(),
            until: until.map(str::to_owned),
        };
        let now: Timestamp = "2026-03-02T10:00:00Z".parse().unwrap();
        Consent::new(case, &input, UserId::new(), now, day("2026-03-02")).unwrap().0
    }

    fn statutory(code: &str) -> Basis {
        Basis::Statutory { code: Code::parse(code).unwrap() }
    }

    fn on_consent(c: &Consent) -> Basis {
        Basis::Consent { consent: c.id }
    }

    fn message(result: Result<(), FieldError>) -> String {
        let error = result.unwrap_err();
        assert_eq!(error.field, "basis");
        error.message
    }

    #[test]
    fn a_consent_in_force_allows_every_kind_from_its_first_day_to_its_last() {
        let case = CaseId::new();
        let c = consent(case, "consent", Some("2026-06-30"));
        for kind in DisclosureKind::ALL {
            for today in ["2026-03-02", "2026-06-30"] {
                assert_eq!(
                    check_basis(&on_consent(&c), kind, case, Some(&c), &service(), day(today)),
                    Ok(()),
                    "{kind:?} {today}"
                );
            }
        }
    }

    #[test]
    fn a_consent_is_refused_the_day_after_it_runs_out_and_before_it_was_given() {
        let case = CaseId::new();
        let c = consent(case, "consent", Some("2026-06-30"));
        let after = message(check_basis(&on_consent(&c), DisclosureKind::Share, case, Some(&c), &service(), day("2026-07-01")));
        assert_eq!(after, "Consent given by Jo Bloggs ran out on 30 June 2026; choose a statutory basis or record new consent");
        let before = message(check_basis(&on_consent(&c), DisclosureKind::Share, case, Some(&c), &service(), day("2026-03-01")));
        assert!(before.starts_with("Consent given by Jo Bloggs holds only from 2 March 2026"), "{before}");
    }

    #[test]
    fn a_withdrawn_consent_is_refused_naming_who_gave_it_and_when_it_was_withdrawn() {
        let case = CaseId::new();
        let mut c = consent(case, "consent", None);
        c.withdrawn = Some(Withdrawal {
            at: "2026-03-03T09:00:00Z".parse().unwrap(),
            by: UserId::new(),
            reason: ShortText::parse("Phoned").unwrap(),
        });
        let refused = message(check_basis(&on_consent(&c), DisclosureKind::Share, case, Some(&c), &service(), day("2026-03-03")));
        assert_eq!(
            refused,
            "Consent given by Jo Bloggs was withdrawn on 3 March 2026; choose a statutory basis or record new consent"
        );
    }

    #[test]
    fn a_childs_assent_alone_is_not_enough() {
        let case = CaseId::new();
        let assent = consent(case, "assent", None);
        let refused =
            message(check_basis(&on_consent(&assent), DisclosureKind::Share, case, Some(&assent), &service(), day("2026-03-10")));
        assert!(refused.contains("assent is not consent on its own"), "{refused}");
    }

    #[test]
    fn a_consent_of_another_case_or_none_at_all_is_refused_alike() {
        let case = CaseId::new();
        let elsewhere = consent(CaseId::new(), "consent", None);
        let other = message(check_basis(
            &on_consent(&elsewhere),
            DisclosureKind::Share,
            case,
            Some(&elsewhere),
            &service(),
            day("2026-03-10"),
        ));
        let missing =
            message(check_basis(&on_consent(&elsewhere), DisclosureKind::Share, case, None, &service(), day("2026-03-10")));
        assert_eq!(other, missing, "another case's consent is not told apart from none");
        assert!(other.contains("not recorded on this case"));
    }

    #[test]
    fn a_statutory_basis_must_be_the_services_and_allow_the_kind() {
        let case = CaseId::new();
        let today = day("2026-03-10");
        assert_eq!(check_basis(&statutory("consultation"), DisclosureKind::Share, case, None, &service(), today), Ok(()));
        assert_eq!(check_basis(&statutory("consultation"), DisclosureKind::ReferralOut, case, None, &service(), today), Ok(()));
        let transfer = message(check_basis(&statutory("consultation"), DisclosureKind::Transfer, case, None, &service(), today));
        assert_eq!(transfer, "Statutory consultation does not allow a transfer, only: share, referral out; choose another basis");
        let unknown = message(check_basis(&statutory("court-order"), DisclosureKind::Share, case, None, &service(), today));
        assert_eq!(unknown, "'court-order' is not a statutory basis of Demo service");
    }

    fn input(basis: &str) -> DisclosureInput {
        DisclosureInput {
            kind: "share".into(),
            recipient_organisation: "School".into(),
            recipient_person: Some("  ".into()),
            sent_how: "Secure email".into(),
            summary: "Safety plan".into(),
            basis: basis.into(),
            reason: "So the school can keep her safe".into(),
        }
    }

    #[test]
    fn a_disclosure_without_a_basis_is_refused_with_every_other_problem() {
        let now: Timestamp = "2026-03-10T10:00:00Z".parse().unwrap();
        let bad = DisclosureInput { kind: "gossip".into(), summary: " ".into(), ..input("") };
        let errors = Disclosure::new(CaseId::new(), &bad, None, &service(), UserId::new(), now).unwrap_err();
        let mut fields: Vec<&str> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["basis", "kind", "summary"]);
        let errors = Disclosure::new(CaseId::new(), &input("maybe"), None, &service(), UserId::new(), now).unwrap_err();
        assert_eq!(errors.errors[0].field, "basis");
    }

    #[test]
    fn a_disclosure_on_a_valid_basis_records_it_and_its_event() {
        let now: Timestamp = "2026-03-10T10:00:00Z".parse().unwrap();
        let case = CaseId::new();
        let c = consent(case, "consent", None);
        let made = Disclosure::new(case, &input(&format!("consent:{}", c.id)), Some(&c), &service(), UserId::new(), now).unwrap();
        assert!(made.relies_on(c.id));
        assert_eq!(made.recipient.person, None);
        assert_eq!(made.change().kind, EventKind::DisclosureRecorded);
        let statutory = Disclosure::new(case, &input("statutory:consultation"), None, &service(), UserId::new(), now).unwrap();
        assert!(!statutory.relies_on(c.id));
        assert_eq!(statutory.basis.to_string(), "statutory:consultation");
    }
}
