//! The generator against the shipped service definitions.

use super::*;

fn shipped() -> Vec<Arc<ServiceDefinition>> {
    let services = concat!(env!("CARGO_MANIFEST_DIR"), "/../../services");
    let mut files: Vec<_> = std::fs::read_dir(services)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|text| ServiceDefinition::from_toml(&text).ok())
        .map(Arc::new)
        .collect()
}

/// Staff with made-up ids, as the command makes them through the use cases.
fn staff(definitions: &[Arc<ServiceDefinition>]) -> Vec<ServiceStaff> {
    let mut next = 0_u128;
    let mut id = move || {
        next += 1;
        UserId::from_uuid(Uuid::from_u128(next))
    };
    definitions
        .iter()
        .map(|definition| ServiceStaff {
            definition: definition.clone(),
            version: 1,
            teams: (0..2).map(|t| Team { id: TeamId::from_uuid(Uuid::from_u128(1000 + t)), workers: vec![id(), id()] }).collect(),
            role_users: definition.roles.iter().map(|r| (r.code.clone(), id())).collect(),
        })
        .collect()
}

fn generate(seed: u64, cases: u64) -> Batch {
    let definitions = shipped();
    let now = jiff::Timestamp::from_second(1_790_000_000).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let mut generator = Generator::new(staff(&definitions), seed, now);
    let mut batch = Batch::default();
    for index in 0..cases {
        generator.case(index, &mut batch);
    }
    batch
}

#[test]
fn the_same_seed_makes_the_same_records_and_another_seed_others() {
    let first = generate(7, 40);
    let again = generate(7, 40);
    assert_eq!(format!("{first:?}"), format!("{again:?}"));
    let other = generate(8, 40);
    assert_ne!(format!("{first:?}"), format!("{other:?}"));
}

#[test]
fn every_form_answer_fits_its_form() {
    let definitions = shipped();
    assert_eq!(definitions.len(), 5, "the five shipped services");
    let batch = generate(11, 500);
    let mut checked = 0;
    let attached = batch.forms.iter().map(|s| &s.form).chain(batch.referrals.iter().flat_map(|(r, _)| &r.forms));
    for form in attached {
        let service = definitions.iter().find(|d| d.form(&form.form).is_some()).map(|d| d.form(&form.form));
        let Some(Some(definition)) = service else { continue };
        let checked_answers = definition.check_answers(&form.answers);
        assert!(checked_answers.is_ok(), "{}: {:?} for {:?}", form.form, checked_answers, form.answers);
        checked += 1;
    }
    assert!(checked > 100, "only {checked} forms");
}

#[test]
fn a_case_history_is_in_time_order_and_every_record_belongs_to_a_case_made() {
    let batch = generate(3, 100);
    let cases: std::collections::BTreeSet<CaseId> = batch.cases.iter().map(|(c, _)| c.id).collect();
    assert_eq!(cases.len(), 100);
    assert!(batch.notes.iter().all(|n| cases.contains(&n.case) && n.contact_at <= n.recorded_at));
    assert!(batch.timers.iter().all(|(t, _)| cases.contains(&t.case)));
    let mut last: BTreeMap<CaseId, (Timestamp, EventId)> = BTreeMap::new();
    for event in &batch.events {
        let Some(case) = event.case else { continue };
        if let Some((at, id)) = last.get(&case) {
            assert!(*at <= event.at && *id < event.id, "events of a case out of order");
        }
        last.insert(case, (event.at, event.id));
    }
    // Ten notes a case on average.
    assert!((900..=1200).contains(&batch.notes.len()), "{} notes", batch.notes.len());
    // References are unique.
    let references: std::collections::BTreeSet<&str> = batch.cases.iter().map(|(c, _)| c.reference.as_str()).collect();
    assert_eq!(references.len(), 100);
}
