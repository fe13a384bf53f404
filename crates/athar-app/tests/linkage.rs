//! A person's records that linkage paired, as the person page lists them: after a run
//! over the demo persons and a second list that names some of them again, each repeated
//! record is paired with its first record, scored by the run and counted with it; a
//! reviewer's decision shows with the pair.

use athar_app::{OrgId, Scope};
use athar_model::{MatchDecision, RecordBody, RecordId, Sex};
use athar_store::{Change, DataDir, SqliteStore};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// Writes the demo records and the `extra` ones (each: the record it copies, its own id, its
/// body), then runs linkage.
fn write_and_link(
    scope: &Scope<'_>,
    demo: Vec<(RecordId, RecordBody)>,
    extra: &[(RecordId, RecordId, RecordBody)],
) -> athar_link::stored::RunReport {
    let changes: Vec<Change> = demo
        .into_iter()
        .map(|(id, body)| Change::Create { id, body })
        .chain(extra.iter().map(|(_, id, body)| Change::Create {
            id: *id,
            body: body.clone(),
        }))
        .collect();
    ok(scope.write("demo", changes));
    ok(scope.run_linkage(
        &athar_link::stored::RunOptions::default(),
        &athar_link::Silent,
    ))
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
    let report = write_and_link(&scope, demo, &again);
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
    let pair = pair_of(&scope, first, second);
    assert_eq!(
        pair.decision.map(|(_, d)| d),
        Some(MatchDecision::Different)
    );
    assert!(!pair.together);
}

/// Twins recorded as two persons — the same parents, family, birth and places, given names
/// a letter apart (حسن and حسين) — are never counted as one person by a linkage run: their
/// pairs score low, and any that pass the threshold wait in the review queue, marked as
/// looking like brothers or sisters. A person recorded again whole but for the sex scores as
/// one person and waits likewise, marked as of different sexes, until a reviewer decides.
#[test]
fn twins_are_held_for_a_reviewer_never_linked_by_the_run() {
    let tmp = ok(tempfile::tempdir());
    let store = ok(SqliteStore::create(
        &DataDir::new(tmp.path().join("data")),
        "linkage test passphrase",
        "test",
    ));
    let scope = Scope::new(&store, OrgId::new(1), "amal");
    let mut demo: Vec<(RecordId, RecordBody)> = athar_demo::generate(11, 150).flatten().collect();
    // Twins named as twins often are: حسن and حسين (Hasan and Hussein), two names a letter
    // apart, born the same day to the same parents.
    let name_as = |body: &mut RecordBody, arabic: &str, latin: &str| {
        if let RecordBody::Person(p) = body {
            for name in &mut p.names {
                name.given = Some(
                    match name.script {
                        athar_model::Script::Arab => arabic,
                        _ => latin,
                    }
                    .into(),
                );
            }
        }
    };
    let chosen: Vec<usize> = demo
        .iter()
        .enumerate()
        .filter(|(_, (_, b))| {
            let RecordBody::Person(p) = b else {
                return false;
            };
            !p.names.is_empty()
                && p.birth_date.bounds().is_some()
                && p.names.iter().all(|n| {
                    n.given.is_some()
                        && n.father.is_some()
                        && n.family.is_some()
                        && n.full.is_none()
                })
        })
        .map(|(i, _)| i)
        .step_by(5)
        .take(8)
        .collect();
    let mut twins: Vec<(RecordId, RecordId, RecordBody)> = Vec::new();
    for i in chosen {
        let (id, body) = &mut demo[i];
        name_as(body, "حسن", "Hasan");
        let mut twin = body.clone();
        name_as(&mut twin, "حسين", "Hussein");
        twins.push((*id, RecordId::new(), twin));
    }
    assert_eq!(twins.len(), 8);
    // And four persons recorded a second time whole but for their sex: one person, or two;
    // a reviewer decides.
    let other_sex: Vec<(RecordId, RecordId, RecordBody)> = demo
        .iter()
        .filter_map(|(id, b)| {
            let RecordBody::Person(p) = b else {
                return None;
            };
            let sex = match p.sex {
                Sex::Male => Sex::Female,
                Sex::Female => Sex::Male,
                Sex::Unknown => return None,
            };
            let named = !p.names.is_empty() && p.birth_date.bounds().is_some();
            named.then(|| {
                let mut copy = p.clone();
                copy.sex = sex;
                (*id, RecordId::new(), RecordBody::Person(copy))
            })
        })
        .step_by(7)
        .take(4)
        .collect();
    assert_eq!(other_sex.len(), 4);
    let extra: Vec<_> = twins.iter().chain(&other_sex).cloned().collect();
    let report = write_and_link(&scope, demo, &extra);
    let queue = ok(scope.review_queue(1000));
    let mut held = 0;
    // Whether the pair of two records waits in the queue for this reason.
    let queued = |a: &RecordId, b: &RecordId, reason: athar_link::review::QueueReason| {
        queue.iter().any(|q| {
            q.reason == reason && [q.first, q.second].contains(a) && [q.first, q.second].contains(b)
        })
    };
    for (first, second, _) in &twins {
        let paired = ok(scope.paired_records(*second));
        if let Some((pair, _)) = paired.pairs.iter().find(|(_, r)| r.id == *first) {
            assert!(!pair.together, "twins counted as one person: {pair:?}");
            if pair.probability >= 0.9 {
                held += 1;
                assert!(
                    queued(
                        first,
                        second,
                        athar_link::review::QueueReason::SiblingPattern
                    ),
                    "a held pair is in the queue"
                );
            }
        }
    }
    assert_eq!(report.summary.sibling_pattern_held, held);
    // The copies of another sex score as one person and wait in the queue, never linked.
    for (first, second, _) in &other_sex {
        let pair = pair_of(&scope, *second, *first);
        assert!(pair.probability >= 0.9, "{pair:?}");
        assert!(!pair.together, "counted as one person: {pair:?}");
        assert!(
            queued(first, second, athar_link::review::QueueReason::DifferentSex),
            "a pair of different sexes is in the queue"
        );
    }
    assert!(report.summary.different_sex_held >= other_sex.len());
    // A reviewer who knows they are one person says so; then they are counted together.
    let (first, second, _) = &twins[0];
    ok(scope.decide_match((*second, *first), MatchDecision::Same, None));
    assert!(pair_of(&scope, *first, *second).together);
}

/// The pair of `record` with `other` as the person page lists it.
fn pair_of(scope: &Scope<'_>, record: RecordId, other: RecordId) -> athar_link::stored::PairState {
    let paired = ok(scope.paired_records(record));
    let listed = format!("{:?}", paired.pairs);
    paired
        .pairs
        .into_iter()
        .find(|(_, r)| r.id == other)
        .map(|(pair, _)| pair)
        .unwrap_or_else(|| panic!("{listed}"))
}
