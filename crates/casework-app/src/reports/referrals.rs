//! Referrals and closures: referrals received by source and what became of them, cases
//! opened, closed by reason and reopened, per month (see `casework_domain::activity` for
//! how each is counted), and the referrals and cases behind each figure.
//!
//! Referrals need `referral.read` besides `reports.read`. A referral that led to a case
//! counts when the reader may report on and read that case, so it is its team's; one that
//! led to no case (pending, rejected, kept on file) is no team's and counts only for
//! readers who report on the whole service, and not when one team is asked for.

use crate::{App, AppError, Result};
use casework_domain::access::{Actor, FilterReach, Permission};
use casework_domain::activity::{self, ActivityReport, CaseActivity, CaseFigure, Fate, MonthActivity, ReferralFigure};
use casework_domain::ids::{CaseId, ReferralId, TeamId};
use casework_domain::referral::ReferralSource;
use casework_domain::report_rules::Exclusion;
use casework_domain::table::{Cell, Table};
use casework_domain::text::Code;
use casework_domain::timeliness::{Month, Period};
use casework_domain::user::Team;
use casework_domain::{FieldError, Invalid};
use casework_store::activity::{self as stored, ActivityQuery, ReferralVisibility, ReportedCaseActivity, ReportedReferral};
use jiff::Timestamp;
use std::collections::BTreeMap;

/// How the report counts, as it states it.
pub const REFERRALS_RULE: &str = "Each referral counts once, in the month it was received, under its source and what has \
become of it since: accepted, rejected (by reason), kept on file or still pending. Cases count as opened in the month they \
were opened, and as closed (by reason) or reopened each time that happened, in that month.";

/// A source as the report names it.
pub fn source_label(source: ReferralSource) -> &'static str {
    match source {
        ReferralSource::SelfReferral => "Self-referral",
        ReferralSource::Staff => "Staff",
        ReferralSource::Agency => "Another agency",
        ReferralSource::Form => "Form",
        ReferralSource::Email => "Email",
        ReferralSource::Phone => "Phone",
        ReferralSource::Automatic => "Automatic",
    }
}

/// The names of a definition's codes (reasons, rules, roles), for codes it lists; a code it
/// no longer lists (kept from an earlier version) is shown as itself.
#[derive(Debug, Clone, Default)]
pub struct Named(BTreeMap<Code, String>);

impl Named {
    pub fn of<'a>(names: impl IntoIterator<Item = (&'a Code, &'a String)>) -> Self {
        Named(names.into_iter().map(|(c, n)| (c.clone(), n.clone())).collect())
    }

    pub fn name(&self, code: &Code) -> String {
        self.0.get(code).cloned().unwrap_or_else(|| code.to_string())
    }
}

/// The referrals and closures report with the names a page needs to show it.
#[derive(Debug, Clone)]
pub struct ReferralsView {
    pub service: Code,
    pub service_name: String,
    pub report: ActivityReport,
    pub team: Option<TeamId>,
    pub teams: Vec<Team>,
    pub rejection_names: Named,
    pub closure_names: Named,
    /// The cases left out for carrying an excluded flag.
    pub excluded: Vec<Exclusion>,
}

impl ReferralsView {
    /// The figures as tables, exactly as the page shows them.
    pub fn tables(&self) -> Vec<Table> {
        let report = &self.report;
        let rows = || report.months.iter().map(|m| (m.month.name(), m)).chain([("Whole period".to_owned(), &report.total)]);

        let mut columns = vec!["Month".to_owned(), "Received".to_owned()];
        columns.extend(report.sources.iter().map(|s| source_label(*s).to_owned()));
        let mut by_source = Table { title: "Referrals by source".to_owned(), columns, rows: Vec::new() };
        for (label, m) in rows() {
            let mut row = vec![Cell::from(label), m.referrals.received.into()];
            row.extend(m.referrals.by_source.iter().map(|n| Cell::from(*n)));
            by_source.push(row);
        }

        let mut columns = vec!["Month".to_owned(), "Accepted".to_owned()];
        columns.extend(report.rejection_reasons.iter().map(|r| format!("Rejected: {}", self.rejection_names.name(r))));
        columns.extend(["Kept on file".to_owned(), "Still pending".to_owned()]);
        let mut by_outcome = Table { title: "Referrals by outcome".to_owned(), columns, rows: Vec::new() };
        for (label, m) in rows() {
            let mut row = vec![Cell::from(label), m.referrals.accepted.into()];
            row.extend(m.referrals.rejected.iter().map(|n| Cell::from(*n)));
            row.extend([m.referrals.kept_on_file.into(), m.referrals.pending.into()]);
            by_outcome.push(row);
        }

        let mut columns = vec!["Month".to_owned(), "Opened".to_owned()];
        columns.extend(report.closure_reasons.iter().map(|r| format!("Closed: {}", self.closure_names.name(r))));
        columns.extend(["Closed in all".to_owned(), "Reopened".to_owned()]);
        let mut cases = Table { title: "Cases opened, closed and reopened".to_owned(), columns, rows: Vec::new() };
        for (label, m) in rows() {
            let mut row = vec![Cell::from(label), m.cases.opened.into()];
            row.extend(m.cases.closed.iter().map(|n| Cell::from(*n)));
            row.extend([m.cases.closed_total().into(), m.cases.reopened.into()]);
            cases.push(row);
        }
        [by_source, by_outcome, cases].into_iter().chain(super::exclusions::table(&self.excluded)).collect()
    }

    pub fn month(&self, month: Month) -> Option<&MonthActivity> {
        self.report.months.iter().find(|m| m.month == month)
    }
}

/// Which figure's referrals or cases a reader asks for.
#[derive(Debug, Clone)]
pub struct ActivityQueryOf<F> {
    pub period: Period,
    pub team: Option<TeamId>,
    pub figure: F,
}

/// A referral behind a figure.
#[derive(Debug, Clone)]
pub struct ReferralBehind {
    pub referral: ReferralId,
    pub received_at: Timestamp,
    pub source: ReferralSource,
    pub fate: Fate,
    pub person_name: String,
    pub case: Option<(CaseId, String)>,
}

/// A case behind a figure, with what happened to it and when.
#[derive(Debug, Clone)]
pub struct ActivityCaseBehind {
    pub case: CaseId,
    pub reference: String,
    pub person_name: String,
    pub worker_name: Option<String>,
    pub at: Timestamp,
    pub activity: CaseActivity,
}

impl App {
    /// Checks the reader may see the service's referrals in reports, and the service's teams
    /// (the one asked for must be one of them).
    async fn activity_scope(&self, actor: &Actor, service: &Code, team: Option<TeamId>, referrals: bool) -> Result<Vec<Team>> {
        if referrals && !actor.case_filter(Permission::ReferralRead).iter().any(|f| f.service() == service) {
            return Err(AppError::Forbidden("read this service's referrals"));
        }
        let mut conn = self.store.read().await?;
        let teams = casework_store::users::teams_of_service(&mut conn, service).await?;
        if team.is_some_and(|wanted| !teams.iter().any(|t| t.id == wanted)) {
            return Err(FieldError::new("team", "is not a team of this service").into());
        }
        Ok(teams)
    }

    /// The referrals received and the cases opened, closed and reopened in the period that
    /// the actor may count.
    async fn reported_activity(
        &self,
        actor: &Actor,
        service: &Code,
        period: Period,
        team: Option<TeamId>,
    ) -> Result<(Vec<ReportedReferral>, Vec<ReportedCaseActivity>)> {
        let reporting = actor.case_filter(Permission::ReportsRead);
        let reading = actor.case_filter(Permission::CaseRead);
        let whole_service = reporting.iter().any(|f| f.service() == service && f.reach == FilterReach::WholeService);
        let (from, until) = period.bounds();
        let excluded_flags = self.services.get(service).map(|d| d.reports.excluded_flags.clone()).unwrap_or_default();
        let asked = ActivityQuery { service: service.clone(), from, until, team, excluded_flags };
        let visible: [&[_]; 2] = [&reporting, &reading];
        let mut conn = self.store.read().await?;
        let referrals =
            stored::referrals(&mut conn, &asked, ReferralVisibility { without_case: whole_service, cases: &visible }).await?;
        let cases = stored::case_activity(&mut conn, &asked, &visible).await?;
        Ok((referrals, cases))
    }

    /// Referrals by source and outcome, and cases opened, closed and reopened, per month of
    /// the period, counting only what the actor may see (of one team, if asked).
    pub async fn referrals_report(
        &self,
        actor: &Actor,
        service: &Code,
        period: Period,
        team: Option<TeamId>,
    ) -> Result<ReferralsView> {
        let definition = self.reportable(actor, service)?;
        let teams = self.activity_scope(actor, service, team, true).await?;
        let (referrals, cases) = self.reported_activity(actor, service, period, team).await?;
        let rejection_names = Named::of(definition.rejection_reasons.iter().map(|c| (&c.code, &c.name)));
        let closure_names = Named::of(definition.closure_reasons.iter().map(|c| (&c.code, &c.name)));
        let report = activity::activity(
            period,
            &definition.referrals.sources,
            &definition.rejection_reasons.iter().map(|c| c.code.clone()).collect::<Vec<_>>(),
            &definition.closure_reasons.iter().map(|c| c.code.clone()).collect::<Vec<_>>(),
            &referrals.into_iter().map(|r| r.fact).collect::<Vec<_>>(),
            &cases.into_iter().map(|c| c.fact).collect::<Vec<_>>(),
        );
        let excluded = self.exclusions(&mut *self.store.read().await?, actor, &definition, team, false).await?;
        Ok(ReferralsView {
            service: service.clone(),
            service_name: definition.service.name.clone(),
            report,
            team,
            teams,
            rejection_names,
            closure_names,
            excluded,
        })
    }

    /// The referrals behind one figure of the report: only those the actor may see, exactly
    /// those the figure counts.
    pub async fn referrals_behind(
        &self,
        actor: &Actor,
        service: &Code,
        asked: &ActivityQueryOf<ReferralFigure>,
    ) -> Result<Vec<ReferralBehind>> {
        let definition = self.reportable(actor, service)?;
        let mut problems = Invalid::new();
        if let Some(activity::OutcomeFigure::Rejected(Some(reason))) = &asked.figure.outcome
            && !definition.rejection_reasons.iter().any(|r| &r.code == reason)
        {
            problems.push(FieldError::new("reason", "is not a rejection reason of this service"));
        }
        check_month(asked.period, asked.figure.month, &mut problems);
        problems.into_result()?;
        self.activity_scope(actor, service, asked.team, true).await?;
        let (referrals, _) = self.reported_activity(actor, service, asked.period, asked.team).await?;
        Ok(referrals
            .into_iter()
            .filter(|r| asked.figure.counts(asked.period, &r.fact))
            .map(|r| ReferralBehind {
                referral: r.id,
                received_at: r.fact.received_at,
                source: r.fact.source,
                fate: r.fact.fate,
                person_name: r.person_name,
                case: r.case,
            })
            .collect())
    }

    /// The cases behind one figure of opened, closed or reopened cases.
    pub async fn activity_cases(
        &self,
        actor: &Actor,
        service: &Code,
        asked: &ActivityQueryOf<CaseFigure>,
    ) -> Result<Vec<ActivityCaseBehind>> {
        let definition = self.reportable(actor, service)?;
        let mut problems = Invalid::new();
        if let activity::ActivityFigure::Closed(Some(reason)) = &asked.figure.activity
            && definition.closure_reason(reason).is_none()
        {
            problems.push(FieldError::new("reason", "is not a closure reason of this service"));
        }
        check_month(asked.period, asked.figure.month, &mut problems);
        problems.into_result()?;
        self.activity_scope(actor, service, asked.team, true).await?;
        let (_, cases) = self.reported_activity(actor, service, asked.period, asked.team).await?;
        Ok(cases
            .into_iter()
            .filter(|c| asked.figure.counts(asked.period, &c.fact))
            .map(|c| ActivityCaseBehind {
                case: c.case,
                reference: c.reference,
                person_name: c.person_name,
                worker_name: c.worker_name,
                at: c.fact.at,
                activity: c.fact.activity,
            })
            .collect())
    }
}

pub(super) fn check_month(period: Period, month: Option<Month>, problems: &mut Invalid) {
    if month.is_some_and(|m| !period.contains(m)) {
        problems.push(FieldError::new("month", "must be within the period"));
    }
}
