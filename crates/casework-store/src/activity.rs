//! What a service's activity reports are made from: the referrals received, the cases
//! opened, closed and reopened, and the alerts fired in a period, each with what a list of
//! the figures' cases needs to show. Months are placed by the domain (`activity`) from the
//! instants read here.

use crate::cases::push_visibility;
use crate::convert::{code, instant, micros, named, parse};
use crate::sql::Sql;
use crate::{Connection, Result};
use casework_domain::access::CaseFilter;
use casework_domain::activity::{AlertFact, CaseActivity, CaseFact, Fate, ReferralFact};
use casework_domain::ids::{CaseId, EventId, ReferralId, TeamId};
use casework_domain::referral::ReferralSource;
use casework_domain::text::Code;
use jiff::Timestamp;

/// The service, period and team a report asks about.
#[derive(Debug, Clone)]
pub struct ActivityQuery {
    pub service: Code,
    /// The period's first instant and the first instant after it.
    pub from: Timestamp,
    pub until: Timestamp,
    /// Only what concerns this team's cases.
    pub team: Option<TeamId>,
    /// Cases carrying any of these flags, and what concerns them, are left out.
    pub excluded_flags: Vec<Code>,
}

/// Which referrals a reader may count.
#[derive(Debug, Clone, Copy)]
pub struct ReferralVisibility<'a> {
    /// Referrals that led to no case (pending, rejected, kept on file) belong to no team:
    /// they count only for a reader who reports on the whole service.
    pub without_case: bool,
    /// A referral that led to a case counts when the case passes every one of these.
    pub cases: &'a [&'a [CaseFilter]],
}

/// A referral as a report lists it.
#[derive(Debug, Clone)]
pub struct ReportedReferral {
    pub id: ReferralId,
    pub fact: ReferralFact,
    pub person_name: String,
    /// The case opened for it, with its reference.
    pub case: Option<(CaseId, String)>,
}

/// Something that happened to a case, as a report lists it.
#[derive(Debug, Clone)]
pub struct ReportedCaseActivity {
    pub case: CaseId,
    pub reference: String,
    pub person_name: String,
    pub worker_name: Option<String>,
    pub fact: CaseFact,
}

/// An alert as a report lists it.
#[derive(Debug, Clone)]
pub struct ReportedAlert {
    pub id: EventId,
    pub case: CaseId,
    pub reference: String,
    pub person_name: String,
    /// The user's display name, for an alert to one user.
    pub recipient_name: Option<String>,
    pub fact: AlertFact,
}

fn person_name(given: String, family: &str, known_as: Option<String>) -> String {
    format!("{} {family}", known_as.unwrap_or(given))
}

fn push_team(query: &mut Sql<'_>, team: Option<TeamId>) {
    if let Some(team) = team {
        query.push(" AND c.team_id = ").push_bind(team.to_string());
    }
}

/// The service's referrals received in the period that the reader may count.
pub async fn referrals(
    conn: &mut Connection,
    asked: &ActivityQuery,
    visible: ReferralVisibility<'_>,
) -> Result<Vec<ReportedReferral>> {
    let mut query = Sql::new(
        "SELECT r.id, r.source, r.received_at, r.outcome, r.reason, c.id, c.reference, p.given_name, p.family_name, p.known_as
         FROM referrals r JOIN people p ON p.id = r.person_id LEFT JOIN cases c ON c.id = r.case_id
         WHERE r.service = ",
    );
    query.push_bind(asked.service.to_string());
    query.push(" AND r.received_at >= ").push_bind(micros(asked.from));
    query.push(" AND r.received_at < ").push_bind(micros(asked.until));
    push_team(&mut query, asked.team);
    query.push(" AND (");
    if visible.without_case {
        query.push("r.case_id IS NULL OR ");
    }
    query.push("(c.id IS NOT NULL");
    crate::reports::push_exclusions(&mut query, &asked.excluded_flags);
    for filters in visible.cases {
        push_visibility(&mut query, filters);
    }
    query.push(")) ORDER BY r.received_at, r.id");
    type Row = (String, String, i64, String, Option<String>, Option<String>, Option<String>, String, String, Option<String>);
    let rows: Vec<Row> = query.build_query_as()?.fetch_all(conn).await?;
    rows.into_iter()
        .map(|(id, source, received_at, outcome, reason, case, reference, given, family, known_as)| {
            let fate = match (outcome.as_str(), reason) {
                ("accepted", _) => Fate::Accepted,
                ("rejected", Some(reason)) => Fate::Rejected(code(&reason)?),
                ("kept-on-file", _) => Fate::KeptOnFile,
                ("pending", _) => Fate::Pending,
                (other, _) => return Err(crate::StoreError::Corrupt(format!("referral outcome: {other:?}"))),
            };
            Ok(ReportedReferral {
                id: parse("referral id", &id)?,
                fact: ReferralFact { source: named::<ReferralSource>(&source)?, received_at: instant(received_at)?, fate },
                person_name: person_name(given, &family, known_as),
                case: match (case, reference) {
                    (Some(case), Some(reference)) => Some((parse("case id", &case)?, reference)),
                    _ => None,
                },
            })
        })
        .collect()
}

/// The cases of the service opened in the period, and every closing and reopening in it,
/// on cases that pass every one of `visible`, in the order they happened.
pub async fn case_activity(
    conn: &mut Connection,
    asked: &ActivityQuery,
    visible: &[&[CaseFilter]],
) -> Result<Vec<ReportedCaseActivity>> {
    type Row = (String, String, Option<String>, String, String, Option<String>, i64, String, Option<String>);
    let columns = "c.id, c.reference, u.display_name, p.given_name, p.family_name, p.known_as";
    let mut opened = Sql::new(format!(
        "SELECT {columns}, c.opened_at, 'opened', NULL
         FROM cases c JOIN people p ON p.id = c.person_id LEFT JOIN users u ON u.id = c.worker_id
         WHERE c.service = "
    ));
    opened.push_bind(asked.service.to_string());
    opened.push(" AND c.opened_at >= ").push_bind(micros(asked.from));
    opened.push(" AND c.opened_at < ").push_bind(micros(asked.until));
    push_team(&mut opened, asked.team);
    crate::reports::push_exclusions(&mut opened, &asked.excluded_flags);
    for filters in visible {
        push_visibility(&mut opened, filters);
    }
    let openings: Vec<Row> = opened.build_query_as()?.fetch_all(&mut *conn).await?;

    // Closings and reopenings from the moves kept beside the history (`case_moves`), read
    // by service and time rather than through every event of the service's cases.
    let mut changed = Sql::new(format!(
        "SELECT {columns}, m.at, m.kind, m.reason
         FROM case_moves m JOIN cases c ON c.id = m.case_id JOIN people p ON p.id = c.person_id
            LEFT JOIN users u ON u.id = c.worker_id
         WHERE m.service = "
    ));
    changed.push_bind(asked.service.to_string());
    changed.push(" AND m.at >= ").push_bind(micros(asked.from));
    changed.push(" AND m.at < ").push_bind(micros(asked.until));
    changed.push(" AND m.kind IN ('closed', 'reopened')");
    push_team(&mut changed, asked.team);
    crate::reports::push_exclusions(&mut changed, &asked.excluded_flags);
    for filters in visible {
        push_visibility(&mut changed, filters);
    }
    changed.push(" ORDER BY m.at, m.event_id");
    let changes: Vec<Row> = changed.build_query_as()?.fetch_all(conn).await?;

    let mut found = Vec::with_capacity(openings.len() + changes.len());
    for (case, reference, worker_name, given, family, known_as, at, kind, reason) in openings.into_iter().chain(changes) {
        let activity = match (kind.as_str(), reason) {
            ("opened", _) => CaseActivity::Opened,
            ("reopened", _) => CaseActivity::Reopened,
            ("closed", Some(reason)) => CaseActivity::Closed(code(&reason)?),
            // A closing whose event holds no reason cannot be placed under one.
            ("closed", None) => continue,
            (other, _) => return Err(crate::StoreError::Corrupt(format!("case activity {other:?}"))),
        };
        found.push(ReportedCaseActivity {
            case: parse("case id", &case)?,
            reference,
            person_name: person_name(given, &family, known_as),
            worker_name,
            fact: CaseFact { at: instant(at)?, activity },
        });
    }
    found.sort_by(|a, b| (a.fact.at, &a.reference).cmp(&(b.fact.at, &b.reference)));
    Ok(found)
}

/// The alerts about the service's cases that fired in the period, up to `now`, on cases
/// that pass every one of `visible`. Each recipient is keyed `user:<id>` or `role:<code>`.
pub async fn alerts(
    conn: &mut Connection,
    asked: &ActivityQuery,
    now: Timestamp,
    visible: &[&[CaseFilter]],
) -> Result<Vec<ReportedAlert>> {
    let mut query = Sql::new(
        "SELECT a.id, a.case_id, c.reference, a.rule, a.recipient_type, a.recipient, u.display_name, a.fire_at,
            a.acknowledged_at, p.given_name, p.family_name, p.known_as
         FROM alerts a JOIN cases c ON c.id = a.case_id JOIN people p ON p.id = c.person_id
            LEFT JOIN users u ON a.recipient_type = 'user' AND u.id = a.recipient
         WHERE c.service = ",
    );
    query.push_bind(asked.service.to_string());
    query.push(" AND a.fire_at >= ").push_bind(micros(asked.from));
    query.push(" AND a.fire_at < ").push_bind(micros(asked.until));
    query.push(" AND a.fire_at <= ").push_bind(micros(now));
    push_team(&mut query, asked.team);
    crate::reports::push_exclusions(&mut query, &asked.excluded_flags);
    for filters in visible {
        push_visibility(&mut query, filters);
    }
    query.push(" ORDER BY a.fire_at, a.id");
    type Row = (
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        Option<String>,
        i64,
        Option<i64>,
        String,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = query.build_query_as()?.fetch_all(conn).await?;
    rows.into_iter()
        .map(
            |(
                id,
                case,
                reference,
                rule,
                recipient_type,
                recipient,
                recipient_name,
                fire_at,
                acknowledged_at,
                given,
                family,
                known_as,
            )| {
                Ok(ReportedAlert {
                    id: parse("alert id", &id)?,
                    case: parse("case id", &case)?,
                    reference,
                    person_name: person_name(given, &family, known_as),
                    recipient_name,
                    fact: AlertFact {
                        rule: rule.as_deref().map(code).transpose()?,
                        recipient: format!("{recipient_type}:{recipient}"),
                        fire_at: instant(fire_at)?,
                        acknowledged_at: acknowledged_at.map(instant).transpose()?,
                    },
                })
            },
        )
        .collect()
}
