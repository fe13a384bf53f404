//! A person's records that linkage paired, as the person page lists them: after a run
//! over the demo persons and a second list that names some of them again, each repeated
//! record is paired with its first record, scored by the run and counted with it; a
//! reviewer's decision shows with the pair.

use athar_app::{OrgId, Scope};
use athar_model::{MatchDecision, RecordBody, RecordId};
use athar_store::{Change, DataDir, SqliteStore};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_record_named_again_is_paired_with_its_first_record() {
    let tmp = ok(tempfile::tempdir());
    let store = ok(SqliteStore::create(
        &DataDir::new(tmp.path().join("data")),
        "linkage test passphrase",
        "test",
    ));
    let scope = Scope::new(&store, OrgId::new(1), "amal");
    let demo: Vec<(RecordId, RecordBody)> = athar_demo::generate(9, 120).flatten().collect();
    // Five named persons recorded a second time, as another list would.
    let again: Vec<(RecordId, RecordId, RecordBody)> = demo
        .iter()
        .filter(|(_, b)| matches!(b, RecordBody::Person(p) if p.names.len() > 1 && p.birth_date.bounds().is_some()))
        .step_by(7)
        .take(5)
        .map(|(id, b)| (*id, RecordId::new(), b.clone()))
        .collect();
    assert_eq!(again.len(), 5);
    let changes: Vec<Change> = demo
        .into_iter()
        .map(|(id, body)| Change::Create { id, body })
        .chain(again.iter().map(|(_, id, body)| Change::Create {
            id: *id,
            body: body.clone(),
        }))
        .collect();
    ok(scope.write("demo", changes));
    let report = ok(scope.run_linkage(
        &athar_link::stored::RunOptions::default(),
        &athar_link::Silent,
    ));
    assert!(report.pairs_kept >= 5, "{}", report.pairs_kept);
    for (first, second, _) in &again {
        let paired = ok(scope.paired_records(*second));
        assert!(paired.linkage_run);
        let (pair, other) = paired
            .pairs
            .iter()
            .find(|(_, r)| r.id == *first)
            .unwrap_or_else(|| panic!("{second} not paired with {first}: {:?}", paired.pairs));
        assert!(pair.probability > 0.9 && pair.together, "{pair:?}");
        assert!(pair.decision.is_none());
        assert_eq!(other.id, *first);
        // The strongest first.
        assert!(
            paired
                .pairs
                .windows(2)
                .all(|w| w[0].0.probability >= w[1].0.probability)
        );
    }
    // A reviewer says the first pair is two persons: the pair shows the decision and is
    // no longer counted together.
    let (first, second, _) = again[0];
    ok(scope.decide_match((second, first), MatchDecision::Different, None));
    let paired = ok(scope.paired_records(first));
    let (pair, _) = paired
        .pairs
        .iter()
        .find(|(_, r)| r.id == second)
        .unwrap_or_else(|| panic!("{:?}", paired.pairs));
    assert_eq!(
        pair.decision.map(|(_, d)| d),
        Some(MatchDecision::Different)
    );
    assert!(!pair.together);
}
