//! Caseload: the open cases each worker and team carries now, weighted by level as the
//! service's definition says (`[reports] level_weights`; unlisted levels and no level weigh
//! 1), with how many are high risk (`[reports] high_risk`). Cases not allocated to anyone
//! are counted apart, not under any worker; a team's figures count all its open cases,
//! allocated or not.

use crate::ids::{CaseId, TeamId, UserId};
use crate::report_rules::ReportRules;
use crate::text::Code;
use serde::Serialize;
use std::collections::BTreeMap;

/// An open case as the caseload counts it.
#[derive(Debug, Clone)]
pub struct CaseloadFact {
    pub case: CaseId,
    pub worker: Option<UserId>,
    pub team: Option<TeamId>,
    pub level: Option<Code>,
    /// The case's flags that make a case high risk (others need not be given).
    pub flags: Vec<Code>,
}

impl CaseloadFact {
    pub fn weight(&self, rules: &ReportRules) -> u32 {
        rules.weight(self.level.as_ref())
    }

    pub fn is_high_risk(&self, rules: &ReportRules) -> bool {
        rules.is_high_risk(self.level.as_ref(), self.flags.iter())
    }
}

/// How much a worker, a team or the service carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Load {
    pub cases: u32,
    /// The sum of the cases' weights.
    pub weighted: u32,
    pub high_risk: u32,
}

impl Load {
    fn add(&mut self, fact: &CaseloadFact, rules: &ReportRules) {
        self.cases += 1;
        self.weighted += fact.weight(rules);
        self.high_risk += u32::from(fact.is_high_risk(rules));
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseloadReport {
    /// Every open case counted.
    pub total: Load,
    /// Allocated cases by worker, heaviest weighted load first.
    pub by_worker: Vec<(UserId, Load)>,
    /// By team (`None`: cases with no team), in team order.
    pub by_team: Vec<(Option<TeamId>, Load)>,
    /// The cases no worker holds.
    pub unallocated: Load,
}

/// The caseload of the open cases in `facts` (already narrowed to those the reader may see).
pub fn caseload(rules: &ReportRules, facts: &[CaseloadFact]) -> CaseloadReport {
    let mut total = Load::default();
    let mut unallocated = Load::default();
    let mut workers: BTreeMap<UserId, Load> = BTreeMap::new();
    let mut teams: BTreeMap<Option<TeamId>, Load> = BTreeMap::new();
    for fact in facts {
        total.add(fact, rules);
        teams.entry(fact.team).or_default().add(fact, rules);
        match fact.worker {
            Some(worker) => workers.entry(worker).or_default().add(fact, rules),
            None => unallocated.add(fact, rules),
        }
    }
    let mut by_worker: Vec<(UserId, Load)> = workers.into_iter().collect();
    by_worker.sort_by(|a, b| b.1.weighted.cmp(&a.1.weighted).then(a.0.cmp(&b.0)));
    CaseloadReport { total, by_worker, by_team: teams.into_iter().collect(), unallocated }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report_rules::HighRisk;

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    #[test]
    fn loads_are_weighted_by_level_with_high_risk_counted_and_unallocated_apart() {
        let rules = ReportRules {
            level_weights: [(code("high"), 3), (code("medium"), 2)].into_iter().collect(),
            high_risk: HighRisk { levels: vec![code("high")], flags: vec![code("acct-open")] },
            ..ReportRules::default()
        };
        let (ann, bob) = (UserId::new(), UserId::new());
        let (north, south) = (TeamId::new(), TeamId::new());
        let fact = |worker, team, level: Option<&str>, flags: &[&str]| CaseloadFact {
            case: CaseId::new(),
            worker,
            team,
            level: level.map(code),
            flags: flags.iter().map(|f| code(f)).collect(),
        };
        let facts = [
            fact(Some(ann), Some(north), Some("high"), &[]),    // 3, high risk
            fact(Some(ann), Some(north), Some("medium"), &[]),  // 2
            fact(Some(ann), Some(north), None, &["acct-open"]), // 1, high risk
            fact(Some(bob), Some(south), Some("low"), &[]),     // 1 (unlisted)
            fact(Some(bob), Some(north), Some("medium"), &[]),  // 2
            fact(None, Some(south), Some("high"), &[]),         // 3, high risk, unallocated
        ];
        let report = caseload(&rules, &facts);
        let load = |cases, weighted, high_risk| Load { cases, weighted, high_risk };
        assert_eq!(report.total, load(6, 12, 3));
        assert_eq!(report.by_worker, [(ann, load(3, 6, 2)), (bob, load(2, 3, 0))]);
        assert_eq!(report.unallocated, load(1, 3, 1));
        let mut teams = BTreeMap::new();
        teams.insert(Some(north), load(4, 8, 2));
        teams.insert(Some(south), load(2, 4, 1));
        assert_eq!(report.by_team, teams.into_iter().collect::<Vec<_>>());
    }
}
