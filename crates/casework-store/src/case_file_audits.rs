//! Case-file audits: rounds of cases drawn at random, and the audits of their files. All
//! append-only; a correction is a new audit naming the one it corrects.

use crate::cases::push_visibility;
use crate::convert::{Flag, code, instant, json, micros, parse, to_json};
use crate::reports::push_exclusions;
use crate::sql::Sql;
use crate::{Connection, Result};
use casework_domain::access::CaseFilter;
use casework_domain::case_file_audit::AuditFact;
use casework_domain::ids::{AuditRoundId, CaseFileAuditId, CaseId, TeamId, UserId};
use casework_domain::text::Code;
use casework_domain::timeliness::Month;
use jiff::Timestamp;
use serde_json::{Map, Value};

/// A round of audits: who drew which sample, when, and with what seed.
#[derive(Debug, Clone)]
pub struct Round {
    pub id: AuditRoundId,
    pub service: Code,
    /// The team whose workers were sampled, or the whole service.
    pub team: Option<TeamId>,
    pub sample_size: u32,
    /// The seed of the random draw: drawing again with it over the same cases gives the same sample.
    pub seed: u32,
    pub drawn_by: UserId,
    pub drawn_at: Timestamp,
}

/// A round as listed, with the name of who drew it.
#[derive(Debug, Clone)]
pub struct RoundSummary {
    pub round: Round,
    pub drawn_by_name: String,
}

/// A case drawn for audit, with the worker and team it was with when drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub round: AuditRoundId,
    pub case: CaseId,
    pub worker: UserId,
    pub team: Option<TeamId>,
}

/// An open case that may be drawn: its worker and team now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub case: CaseId,
    pub worker: UserId,
    pub team: Option<TeamId>,
}

/// One completed audit of a sampled case's file.
#[derive(Debug, Clone)]
pub struct StoredAudit {
    pub id: CaseFileAuditId,
    pub round: AuditRoundId,
    pub case: CaseId,
    pub form: Code,
    pub answers: Map<String, Value>,
    pub grade: String,
    pub passed: bool,
    pub corrects: Option<CaseFileAuditId>,
    /// When the sampled case was first audited: the instant its result counts at.
    pub counts_at: Timestamp,
    pub audited_by: UserId,
    pub audited_at: Timestamp,
}

/// A sampled case as a round lists it, with its audit as it stands (the latest), if any.
#[derive(Debug, Clone)]
pub struct SampledCase {
    pub sample: Sample,
    pub reference: String,
    pub person_name: String,
    pub worker_name: String,
    pub audit: Option<(CaseFileAuditId, String, bool)>,
}

/// An audit as it counts in a report, with the case it is of.
#[derive(Debug, Clone)]
pub struct ReportedAudit {
    pub fact: AuditFact,
    pub reference: String,
    pub person_name: String,
    pub worker_name: String,
    pub audited_at: Timestamp,
}

/// The open cases of the service (or of one team) with a worker, less those carrying any of
/// `excluded_flags`, among those passing every one of `visible`, by worker and then by id, so a
/// seeded draw over them repeats exactly.
pub async fn candidates(
    conn: &mut Connection,
    service: &Code,
    team: Option<TeamId>,
    excluded_flags: &[Code],
    visible: &[&[CaseFilter]],
) -> Result<Vec<Candidate>> {
    let mut query =
        Sql::new("SELECT c.id, c.worker_id, c.team_id FROM cases c WHERE c.status = 'open' AND c.worker_id IS NOT NULL");
    query.push(" AND c.service = ").push_bind(service.to_string());
    if let Some(team) = team {
        query.push(" AND c.team_id = ").push_bind(team.to_string());
    }
    push_exclusions(&mut query, excluded_flags);
    for filters in visible {
        push_visibility(&mut query, filters);
    }
    query.push(" ORDER BY c.worker_id, c.id");
    let rows: Vec<(String, String, Option<String>)> = query.build_query_as()?.fetch_all(conn).await?;
    rows.into_iter()
        .map(|(case, worker, team)| {
            Ok(Candidate {
                case: parse("case id", &case)?,
                worker: parse("user id", &worker)?,
                team: team.as_deref().map(|t| parse("team id", t)).transpose()?,
            })
        })
        .collect()
}

pub async fn insert_round(conn: &mut Connection, round: &Round, samples: &[Sample]) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_file_audit_rounds (id, service, team_id, sample_size, seed, drawn_by, drawn_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(round.id.to_string())
    .bind(round.service.to_string())
    .bind(round.team.map(|t| t.to_string()))
    .bind(i64::from(round.sample_size))
    .bind(i64::from(round.seed))
    .bind(round.drawn_by.to_string())
    .bind(micros(round.drawn_at))
    .execute(&mut *conn)
    .await?;
    for sample in samples {
        sqlx::query("INSERT INTO case_file_audit_samples (round_id, case_id, worker_id, team_id) VALUES ($1, $2, $3, $4)")
            .bind(sample.round.to_string())
            .bind(sample.case.to_string())
            .bind(sample.worker.to_string())
            .bind(sample.team.map(|t| t.to_string()))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

type RoundRow = (String, String, Option<String>, i64, i64, String, i64, String);

const ROUND_COLUMNS: &str = "r.id, r.service, r.team_id, r.sample_size, r.seed, r.drawn_by, r.drawn_at, u.display_name
     FROM case_file_audit_rounds r JOIN users u ON u.id = r.drawn_by";

fn round((id, service, team, sample_size, seed, drawn_by, drawn_at, name): RoundRow) -> Result<RoundSummary> {
    Ok(RoundSummary {
        round: Round {
            id: parse("round id", &id)?,
            service: code(&service)?,
            team: team.as_deref().map(|t| parse("team id", t)).transpose()?,
            sample_size: parse("sample size", &sample_size.to_string())?,
            seed: parse("seed", &seed.to_string())?,
            drawn_by: parse("user id", &drawn_by)?,
            drawn_at: instant(drawn_at)?,
        },
        drawn_by_name: name,
    })
}

pub async fn get_round(conn: &mut Connection, id: AuditRoundId) -> Result<Option<RoundSummary>> {
    let row: Option<RoundRow> =
        sqlx::query_as(&format!("SELECT {ROUND_COLUMNS} WHERE r.id = $1")).bind(id.to_string()).fetch_optional(conn).await?;
    row.map(round).transpose()
}

/// The service's rounds, newest first, at most `limit`.
pub async fn rounds_of_service(conn: &mut Connection, service: &Code, limit: i64) -> Result<Vec<RoundSummary>> {
    let rows: Vec<RoundRow> =
        sqlx::query_as(&format!("SELECT {ROUND_COLUMNS} WHERE r.service = $1 ORDER BY r.drawn_at DESC, r.id DESC LIMIT $2"))
            .bind(service.to_string())
            .bind(limit)
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(round).collect()
}

/// The cases drawn in a round that pass every one of `visible`, by reference, each with its
/// audit as it stands.
pub async fn samples_of_round(conn: &mut Connection, id: AuditRoundId, visible: &[&[CaseFilter]]) -> Result<Vec<SampledCase>> {
    let mut query = Sql::new(
        "SELECT s.case_id, s.worker_id, s.team_id, c.reference, p.given_name, p.family_name, p.known_as, u.display_name,
            a.id, a.grade, a.passed
         FROM case_file_audit_samples s JOIN cases c ON c.id = s.case_id JOIN people p ON p.id = c.person_id
            JOIN users u ON u.id = s.worker_id
            LEFT JOIN case_file_audits a ON a.round_id = s.round_id AND a.case_id = s.case_id
                AND NOT EXISTS (SELECT 1 FROM case_file_audits later WHERE later.corrects = a.id)
         WHERE s.round_id = ",
    );
    query.push_bind(id.to_string());
    for filters in visible {
        push_visibility(&mut query, filters);
    }
    query.push(" ORDER BY c.reference");
    type Row = (
        String,
        String,
        Option<String>,
        String,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        Option<Flag>,
    );
    let rows: Vec<Row> = query.build_query_as()?.fetch_all(conn).await?;
    rows.into_iter()
        .map(|(case, worker, team, reference, given, family, known_as, worker_name, audit, grade, passed)| {
            let audit = match (audit, grade, passed) {
                (Some(audit), Some(grade), Some(Flag(passed))) => Some((parse("audit id", &audit)?, grade, passed)),
                _ => None,
            };
            Ok(SampledCase {
                sample: Sample {
                    round: id,
                    case: parse("case id", &case)?,
                    worker: parse("user id", &worker)?,
                    team: team.as_deref().map(|t| parse("team id", t)).transpose()?,
                },
                reference,
                person_name: format!("{} {family}", known_as.unwrap_or(given)),
                worker_name,
                audit,
            })
        })
        .collect()
}

/// A case of a round, if it was drawn in it.
pub async fn sample(conn: &mut Connection, round: AuditRoundId, case: CaseId) -> Result<Option<Sample>> {
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT worker_id, team_id FROM case_file_audit_samples WHERE round_id = $1 AND case_id = $2")
            .bind(round.to_string())
            .bind(case.to_string())
            .fetch_optional(conn)
            .await?;
    row.map(|(worker, team)| {
        Ok(Sample {
            round,
            case,
            worker: parse("user id", &worker)?,
            team: team.as_deref().map(|t| parse("team id", t)).transpose()?,
        })
    })
    .transpose()
}

pub async fn insert_audit(conn: &mut Connection, audit: &StoredAudit) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_file_audits (id, round_id, case_id, form, answers, grade, passed, corrects, counts_at,
            audited_by, audited_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(audit.id.to_string())
    .bind(audit.round.to_string())
    .bind(audit.case.to_string())
    .bind(audit.form.to_string())
    .bind(to_json(&audit.answers))
    .bind(&audit.grade)
    .bind(Flag(audit.passed))
    .bind(audit.corrects.map(|c| c.to_string()))
    .bind(micros(audit.counts_at))
    .bind(audit.audited_by.to_string())
    .bind(micros(audit.audited_at))
    .execute(conn)
    .await?;
    Ok(())
}

type AuditRow = (String, String, String, String, String, String, Flag, Option<String>, i64, String, i64);

fn audit(
    (id, round, case, form, answers, grade, Flag(passed), corrects, counts_at, audited_by, audited_at): AuditRow,
) -> Result<StoredAudit> {
    Ok(StoredAudit {
        id: parse("audit id", &id)?,
        round: parse("round id", &round)?,
        case: parse("case id", &case)?,
        form: code(&form)?,
        answers: json(&answers)?,
        grade,
        passed,
        corrects: corrects.as_deref().map(|c| parse("audit id", c)).transpose()?,
        counts_at: instant(counts_at)?,
        audited_by: parse("user id", &audited_by)?,
        audited_at: instant(audited_at)?,
    })
}

/// Every audit of a sampled case, oldest first (the last is the one that counts).
pub async fn audits_of_sample(conn: &mut Connection, round: AuditRoundId, case: CaseId) -> Result<Vec<StoredAudit>> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT id, round_id, case_id, form, answers, grade, passed, corrects, counts_at, audited_by, audited_at
         FROM case_file_audits WHERE round_id = $1 AND case_id = $2 ORDER BY audited_at, id",
    )
    .bind(round.to_string())
    .bind(case.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(audit).collect()
}

/// What a case-file audit report reads: the service's audits counting in a period.
#[derive(Debug, Clone)]
pub struct AuditQuery {
    pub service: Code,
    /// The period's first instant and the first instant after it.
    pub from: Timestamp,
    pub until: Timestamp,
    /// Only the cases that were with this team when drawn.
    pub team: Option<TeamId>,
    /// Cases carrying any of these flags are never counted.
    pub excluded_flags: Vec<Code>,
}

/// The audits as they stand (none corrected later) of the service's sampled cases first
/// audited in the period, on cases that pass every one of `visible`.
pub async fn for_report(conn: &mut Connection, asked: &AuditQuery, visible: &[&[CaseFilter]]) -> Result<Vec<ReportedAudit>> {
    let mut query = Sql::new(
        "SELECT a.id, a.round_id, a.case_id, s.worker_id, s.team_id, a.counts_at, a.passed, a.answers, a.audited_at,
            c.reference, p.given_name, p.family_name, p.known_as, u.display_name
         FROM case_file_audits a JOIN case_file_audit_samples s ON s.round_id = a.round_id AND s.case_id = a.case_id
            JOIN case_file_audit_rounds r ON r.id = a.round_id
            JOIN cases c ON c.id = a.case_id JOIN people p ON p.id = c.person_id JOIN users u ON u.id = s.worker_id
         WHERE NOT EXISTS (SELECT 1 FROM case_file_audits later WHERE later.corrects = a.id) AND r.service = ",
    );
    query.push_bind(asked.service.to_string());
    query.push(" AND a.counts_at >= ").push_bind(micros(asked.from));
    query.push(" AND a.counts_at < ").push_bind(micros(asked.until));
    if let Some(team) = asked.team {
        query.push(" AND s.team_id = ").push_bind(team.to_string());
    }
    push_exclusions(&mut query, &asked.excluded_flags);
    for filters in visible {
        push_visibility(&mut query, filters);
    }
    query.push(" ORDER BY a.counts_at, c.reference");
    type Row =
        (String, String, String, String, Option<String>, i64, Flag, String, i64, String, String, String, Option<String>, String);
    let rows: Vec<Row> = query.build_query_as()?.fetch_all(conn).await?;
    rows.into_iter()
        .map(
            |(
                id,
                round,
                case,
                worker,
                team,
                counts_at,
                Flag(passed),
                answers,
                audited_at,
                reference,
                given,
                family,
                known_as,
                worker_name,
            )| {
                Ok(ReportedAudit {
                    fact: AuditFact {
                        audit: parse("audit id", &id)?,
                        round: parse("round id", &round)?,
                        case: parse("case id", &case)?,
                        worker: parse("user id", &worker)?,
                        team: team.as_deref().map(|t| parse("team id", t)).transpose()?,
                        month: Month::of_instant(instant(counts_at)?),
                        passed,
                        answers: json(&answers)?,
                    },
                    reference,
                    person_name: format!("{} {family}", known_as.unwrap_or(given)),
                    worker_name,
                    audited_at: instant(audited_at)?,
                })
            },
        )
        .collect()
}
