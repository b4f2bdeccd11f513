//! Case-file audits (see `casework_domain::case_file_audit` for how results are counted).
//!
//! Those holding `audit.conduct` in a service draw rounds and audit the cases drawn; those
//! holding `reports.read` read the rounds and the results. Cases are drawn only from those
//! the drawer may both audit and read, and a round or a report shows only the cases its
//! reader may read. Opening a sampled case to audit it is a view of the case, logged as any.

use crate::{App, AppError, Result};
use casework_domain::FieldError;
use casework_domain::access::{Actor, Permission};
use casework_domain::case_file_audit::{self, AuditReport, CaseFileAudit, MAX_SAMPLE_SIZE};
use casework_domain::form::FormDefinition;
use casework_domain::history::{Change, EventKind, Subject};
use casework_domain::ids::{AuditRoundId, CaseFileAuditId, CaseId, TeamId, UserId};
use casework_domain::report_rules::Exclusion;
use casework_domain::service::ServiceDefinition;
use casework_domain::table::{Cell, Table};
use casework_domain::text::Code;
use casework_domain::timeliness::{Month, Period};
use casework_domain::user::Team;
use casework_store::case_file_audits::{
    self as store, AuditQuery, Candidate, ReportedAudit, Round, RoundSummary, Sample, SampledCase, StoredAudit,
};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The most rounds a list shows.
const ROUNDS_LISTED: i64 = 100;

/// What whoever draws a round asks for.
#[derive(Debug, Clone, Default)]
pub struct DrawRequest {
    /// Only the workers' cases of this team; the whole service when not given.
    pub team: Option<TeamId>,
    /// Cases per worker; the service's default when not given.
    pub sample_size: Option<u32>,
    /// The seed of the draw, to repeat an earlier draw; a random one when not given.
    pub seed: Option<u32>,
}

/// A round with the cases drawn in it that the reader may read.
#[derive(Debug, Clone)]
pub struct RoundView {
    pub service: Code,
    pub service_name: String,
    pub round: RoundSummary,
    pub team_name: Option<String>,
    pub cases: Vec<SampledCase>,
}

/// A sampled case opened for audit: its audits so far (the last counts) and the form.
#[derive(Debug, Clone)]
pub struct SampleAuditView {
    pub service: Code,
    pub service_name: String,
    pub round: RoundSummary,
    pub case: SampledCase,
    pub audits: Vec<StoredAudit>,
    pub form: FormDefinition,
    pub rules: CaseFileAudit,
}

/// A completed audit form as entered: the answers and, for a correction, the audit it corrects.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    pub answers: Map<String, Value>,
    pub corrects: Option<CaseFileAuditId>,
}

/// Which audited cases a reader asks to see listed (all of the period when nothing is given).
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditDrill {
    pub month: Option<Month>,
    pub worker: Option<UserId>,
    /// Passed (true) or failed (false).
    pub result: Option<bool>,
}

/// A case-file audit report with the names a page needs to show it.
#[derive(Debug, Clone)]
pub struct AuditReportView {
    pub service: Code,
    pub service_name: String,
    pub rules: CaseFileAudit,
    pub report: AuditReport,
    pub team: Option<TeamId>,
    pub teams: Vec<Team>,
    pub workers: BTreeMap<UserId, String>,
    /// The title of each question of the rules, in their order.
    pub question_titles: Vec<String>,
    pub drill: AuditDrill,
    /// The audited cases behind the figures, narrowed by `drill`.
    pub audits: Vec<ReportedAudit>,
    /// The cases left out of the draw and the figures, by the flag that excluded them.
    pub excluded: Vec<Exclusion>,
}

impl AuditReportView {
    pub fn team_name(&self, team: Option<TeamId>) -> String {
        match team {
            None => "No team".to_owned(),
            Some(id) => self.teams.iter().find(|t| t.id == id).map_or_else(|| id.to_string(), |t| t.name.to_string()),
        }
    }

    pub fn worker_name(&self, worker: UserId) -> String {
        self.workers.get(&worker).cloned().unwrap_or_else(|| worker.to_string())
    }

    /// The report as plain tables, saying exactly what its page says.
    pub fn tables(&self) -> Vec<Table> {
        let tally_row = |name: String, t: &case_file_audit::AuditTally| {
            vec![Cell::Text(name), t.audited.into(), t.passed.into(), t.failed().into(), t.passing_percent().into()]
        };
        let columns = |first: &'static str| [first, "Audited", "Passed", "Failed", "% passing"];
        let mut by_month = Table::new("Audits by month", &columns("Month"));
        for (month, tally) in &self.report.months {
            by_month.push(tally_row(month.name(), tally));
        }
        by_month.push(tally_row("Total".to_owned(), &self.report.total));
        let mut by_team = Table::new("Audits by team", &columns("Team"));
        for (team, tally) in &self.report.by_team {
            by_team.push(tally_row(self.team_name(*team), tally));
        }
        let mut by_worker = Table::new("Audits by worker", &columns("Worker"));
        for (worker, tally) in &self.report.by_worker {
            by_worker.push(tally_row(self.worker_name(*worker), tally));
        }
        let mut questions = Table::new("Answers by question", &["Question", "Answered", "Fell short", "% fell short"]);
        for (question, title) in self.report.questions.iter().zip(&self.question_titles) {
            questions.push(vec![
                Cell::Text(title.clone()),
                question.answered.into(),
                question.poor.into(),
                question.poor_percent().into(),
            ]);
        }
        let mut cases = Table::new("Audited cases", &["Reference", "Person", "Worker", "Month", "Grade", "Result", "Audited at"]);
        for audit in &self.audits {
            cases.push(vec![
                Cell::Text(audit.reference.clone()),
                Cell::Text(audit.person_name.clone()),
                Cell::Text(audit.worker_name.clone()),
                Cell::Text(audit.fact.month.name()),
                Cell::Text(self.rules.grade_of(&audit.fact.answers).unwrap_or_default().to_owned()),
                Cell::from(if audit.fact.passed { "Passed" } else { "Failed" }),
                Cell::Time(audit.audited_at),
            ]);
        }
        [by_month, by_team, by_worker, questions, cases].into_iter().chain(super::exclusions::table(&self.excluded)).collect()
    }
}

/// Draws up to `size` of each worker's cases at random. The candidates come ordered by
/// worker and case, so the same seed over the same cases draws the same sample.
pub fn draw(candidates: &[Candidate], size: u32, seed: u32) -> Vec<Candidate> {
    let mut rng = StdRng::seed_from_u64(u64::from(seed));
    let mut by_worker: BTreeMap<UserId, Vec<Candidate>> = BTreeMap::new();
    for candidate in candidates {
        by_worker.entry(candidate.worker).or_default().push(*candidate);
    }
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    by_worker.values().flat_map(|cases| cases.choose_multiple(&mut rng, size).copied().collect::<Vec<_>>()).collect()
}

impl App {
    /// The service and its audit rules, if the actor may conduct its audits: not found for
    /// those with no role in it, forbidden for those whose role does not allow it.
    fn auditable(&self, actor: &Actor, service: &Code) -> Result<(Arc<ServiceDefinition>, CaseFileAudit)> {
        self.audit_access(actor, service, &[Permission::AuditConduct], "conduct this service's case-file audits")
    }

    /// The service and its audit rules, if the actor may read its audits (conducting them,
    /// or reading its reports).
    fn audits_readable(&self, actor: &Actor, service: &Code) -> Result<(Arc<ServiceDefinition>, CaseFileAudit)> {
        self.audit_access(
            actor,
            service,
            &[Permission::AuditConduct, Permission::ReportsRead],
            "read this service's case-file audits",
        )
    }

    fn audit_access(
        &self,
        actor: &Actor,
        service: &Code,
        any_of: &[Permission],
        what: &'static str,
    ) -> Result<(Arc<ServiceDefinition>, CaseFileAudit)> {
        let definition = self.services.get(service).ok_or(AppError::NotFound("service"))?;
        if !any_of.iter().any(|p| actor.may_in_service(*p, service)) {
            return Err(if actor.is_member_of(service) { AppError::Forbidden(what) } else { AppError::NotFound("service") });
        }
        let rules = definition.reports.case_file_audit.clone().ok_or(AppError::NotFound("case-file audits of this service"))?;
        Ok((definition.clone(), rules))
    }

    /// Draws a round: up to the sample size of each worker's open cases, at random, among
    /// the cases the actor may audit and read.
    pub async fn draw_audit_round(&self, actor: &Actor, service: &Code, request: &DrawRequest) -> Result<RoundView> {
        let (definition, rules) = self.auditable(actor, service)?;
        let sample_size = request.sample_size.unwrap_or(rules.sample_size);
        if !(1..=MAX_SAMPLE_SIZE).contains(&sample_size) {
            return Err(FieldError::new("sample_size", format!("must be 1 to {MAX_SAMPLE_SIZE} cases per worker")).into());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let teams = casework_store::users::teams_of_service(&mut tx, service).await?;
        if request.team.is_some_and(|wanted| !teams.iter().any(|t| t.id == wanted)) {
            return Err(FieldError::new("team", "is not a team of this service").into());
        }
        let auditing = actor.case_filter(Permission::AuditConduct);
        let reading = actor.case_filter(Permission::CaseRead);
        let candidates =
            store::candidates(&mut tx, service, request.team, &definition.reports.excluded_flags, &[&auditing, &reading]).await?;
        let seed = request.seed.unwrap_or_else(rand::random);
        let round = Round {
            id: AuditRoundId::new(),
            service: service.clone(),
            team: request.team,
            sample_size,
            seed,
            drawn_by: actor.user,
            drawn_at: now,
        };
        let samples: Vec<Sample> = draw(&candidates, sample_size, seed)
            .into_iter()
            .map(|c| Sample { round: round.id, case: c.case, worker: c.worker, team: c.team })
            .collect();
        store::insert_round(&mut tx, &round, &samples).await?;
        let change = Change::new(
            EventKind::AuditRoundDrawn,
            Subject::AuditRound(round.id),
            Value::Null,
            json!({ "service": service, "team": round.team, "sample_size": sample_size, "seed": seed,
                    "cases": samples.iter().map(|s| s.case).collect::<Vec<_>>() }),
        );
        self.record(&mut tx, actor, None, [change], now).await?;
        tx.commit().await?;
        self.audit_round(actor, service, round.id).await
    }

    /// The service's rounds, newest first.
    pub async fn audit_rounds(&self, actor: &Actor, service: &Code) -> Result<Vec<RoundSummary>> {
        self.audits_readable(actor, service)?;
        let mut conn = self.store.read().await?;
        Ok(store::rounds_of_service(&mut conn, service, ROUNDS_LISTED).await?)
    }

    /// A round and the cases drawn in it that the actor may read, each with its audit as it stands.
    pub async fn audit_round(&self, actor: &Actor, service: &Code, id: AuditRoundId) -> Result<RoundView> {
        let (definition, _) = self.audits_readable(actor, service)?;
        let mut conn = self.store.read().await?;
        let round = store::get_round(&mut conn, id).await?.filter(|r| &r.round.service == service);
        let round = round.ok_or(AppError::NotFound("audit round"))?;
        let reading = actor.case_filter(Permission::CaseRead);
        let cases = store::samples_of_round(&mut conn, id, &[&reading]).await?;
        let team_name = match round.round.team {
            Some(team) => casework_store::users::get_team(&mut conn, team).await?.map(|t| t.name.to_string()),
            None => None,
        };
        Ok(RoundView { service: service.clone(), service_name: definition.service.name.clone(), round, team_name, cases })
    }

    /// Opens a sampled case for audit: its audits so far and the audit form. This is a view
    /// of the case and is written to the access log.
    pub async fn open_sampled_case(
        &self,
        actor: &Actor,
        service: &Code,
        round: AuditRoundId,
        case: CaseId,
    ) -> Result<SampleAuditView> {
        let (definition, rules) = self.audits_readable(actor, service)?;
        let form = definition.form(&rules.form).cloned().ok_or(AppError::Internal("the audit form is missing".into()))?;
        let view = self.audit_round(actor, service, round).await?;
        let sampled =
            view.cases.into_iter().find(|c| c.sample.case == case).ok_or(AppError::NotFound("case in this audit round"))?;
        self.log_read(actor, case, Permission::CaseRead, "case-file audit").await?;
        let mut conn = self.store.read().await?;
        let audits = store::audits_of_sample(&mut conn, round, case).await?;
        Ok(SampleAuditView {
            service: service.clone(),
            service_name: definition.service.name.clone(),
            round: view.round,
            case: sampled,
            audits,
            form,
            rules,
        })
    }

    /// Records a completed audit of a sampled case, checked against the audit form (each
    /// problem named by its answer). A case audited already is changed only by a correction
    /// naming the audit it corrects, which then counts in its place.
    pub async fn complete_audit(
        &self,
        actor: &Actor,
        service: &Code,
        round: AuditRoundId,
        case: CaseId,
        entry: &AuditEntry,
    ) -> Result<StoredAudit> {
        let (definition, rules) = self.auditable(actor, service)?;
        let form = definition.form(&rules.form).ok_or(AppError::Internal("the audit form is missing".into()))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let found = store::get_round(&mut tx, round).await?.filter(|r| &r.round.service == service);
        found.ok_or(AppError::NotFound("audit round"))?;
        store::sample(&mut tx, round, case).await?.ok_or(AppError::NotFound("case in this audit round"))?;
        self.case_for(&mut tx, actor, case, Permission::AuditConduct, "audit this case's file").await?;
        form.check_answers(&entry.answers)?;
        let earlier = store::audits_of_sample(&mut tx, round, case).await?;
        let latest = earlier.last();
        match (entry.corrects, latest) {
            (None, None) => {}
            (None, Some(_)) => {
                return Err(AppError::Conflict(
                    "this case's file was audited already in this round; a correction must name the audit it corrects".into(),
                ));
            }
            (Some(corrected), Some(latest)) if corrected == latest.id => {}
            (Some(corrected), _) if earlier.iter().any(|a| a.id == corrected) => {
                return Err(AppError::Conflict("that audit was corrected already; correct the latest one".into()));
            }
            (Some(_), _) => return Err(FieldError::new("corrects", "is not an audit of this case in this round").into()),
        }
        let audit = StoredAudit {
            id: CaseFileAuditId::new(),
            round,
            case,
            form: rules.form.clone(),
            answers: entry.answers.clone(),
            grade: rules.grade_of(&entry.answers).unwrap_or_default().to_owned(),
            passed: rules.passes(&entry.answers),
            corrects: entry.corrects,
            counts_at: earlier.first().map_or(now, |a| a.counts_at),
            audited_by: actor.user,
            audited_at: now,
        };
        store::insert_audit(&mut tx, &audit).await?;
        let summary = |a: &StoredAudit| {
            json!({ "audit": a.id, "round": a.round, "form": a.form, "answers": a.answers, "grade": a.grade,
                    "passed": a.passed, "corrects": a.corrects })
        };
        let change = Change::new(
            EventKind::CaseFileAuditCompleted,
            Subject::CaseFileAudit(audit.id),
            latest.map_or(Value::Null, summary),
            summary(&audit),
        );
        self.record(&mut tx, actor, Some(case), [change], now).await?;
        tx.commit().await?;
        Ok(audit)
    }

    /// The results of the service's case-file audits over the period, by month, team, worker
    /// and question, counting only the cases the actor may see (of one team, if asked), with
    /// the audited cases behind them (narrowed as `drill` asks).
    pub async fn case_file_audit_report(
        &self,
        actor: &Actor,
        service: &Code,
        period: Period,
        team: Option<TeamId>,
        drill: AuditDrill,
    ) -> Result<AuditReportView> {
        let definition = self.reportable(actor, service)?;
        let rules = definition.reports.case_file_audit.clone().ok_or(AppError::NotFound("case-file audits of this service"))?;
        if drill.month.is_some_and(|m| !period.contains(m)) {
            return Err(FieldError::new("month", "must be within the period").into());
        }
        let mut conn = self.store.read().await?;
        let teams = casework_store::users::teams_of_service(&mut conn, service).await?;
        if team.is_some_and(|wanted| !teams.iter().any(|t| t.id == wanted)) {
            return Err(FieldError::new("team", "is not a team of this service").into());
        }
        let reporting = actor.case_filter(Permission::ReportsRead);
        let reading = actor.case_filter(Permission::CaseRead);
        let (from, until) = period.bounds();
        let excluded_flags = definition.reports.excluded_flags.clone();
        let asked = AuditQuery { service: service.clone(), from, until, team, excluded_flags };
        let found = store::for_report(&mut conn, &asked, &[&reporting, &reading]).await?;
        let excluded = self.exclusions(&mut conn, actor, &definition, team, false).await?;
        let workers = found.iter().map(|a| (a.fact.worker, a.worker_name.clone())).collect();
        let facts: Vec<_> = found.iter().map(|a| a.fact.clone()).collect();
        let report = case_file_audit::report(&rules, period, &facts);
        let question_titles = rules.questions.iter().map(|q| case_file_audit::field_title(&definition, &rules.form, q)).collect();
        let audits = found
            .into_iter()
            .filter(|a| drill.month.is_none_or(|m| a.fact.month == m))
            .filter(|a| drill.worker.is_none_or(|w| a.fact.worker == w))
            .filter(|a| drill.result.is_none_or(|r| a.fact.passed == r))
            .collect();
        Ok(AuditReportView {
            service: service.clone(),
            service_name: definition.service.name.clone(),
            rules,
            report,
            team,
            teams,
            workers,
            question_titles,
            drill,
            audits,
            excluded,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_worker_gets_up_to_the_sample_size_and_a_seed_repeats_the_draw() {
        let (ann, bob) = (UserId::new(), UserId::new());
        let mut candidates: Vec<Candidate> = (0..5).map(|_| Candidate { case: CaseId::new(), worker: ann, team: None }).collect();
        candidates.push(Candidate { case: CaseId::new(), worker: bob, team: None });
        let drawn = draw(&candidates, 2, 7);
        assert_eq!(drawn.iter().filter(|c| c.worker == ann).count(), 2);
        assert_eq!(drawn.iter().filter(|c| c.worker == bob).count(), 1, "a worker with fewer cases gives all of them");
        assert_eq!(draw(&candidates, 2, 7), drawn);
    }
}
