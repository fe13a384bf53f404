//! The counting facts a server keeps are brought up to date record by record after each
//! write — a new case, edits of a person and of an event, an involvement deleted, two
//! records decided to be one person, a person deleted — and say exactly what facts built
//! afresh from every record say; a change of the organisation's own terms builds them
//! afresh. Whether the organisation holds demo data follows the sources written the same
//! way.

#[path = "../../athar-stats/tests/common/figures.rs"]
mod figures;

use athar_app::counting::FactsCache;
use athar_app::{OrgId, Scope};
use athar_model::{
    Event, FuzzyDate, Involvement, MatchDecision, Person, PersonName, RecordBody, RecordId,
    RecordKind, Script, Sex,
};
use athar_stats::counts::{Facts, Filter};
use athar_store::{Change, DataDir, Share, ShareMode, SqliteStore, Store};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

const A: OrgId = OrgId::new(1);

/// The cached facts agree with facts built now from what the store keeps of each record,
/// and those with facts built from the records themselves.
fn agree(step: &str, scope: &Scope<'_>) {
    let (kept, _) = ok(scope.counting_facts());
    let (fresh, _) = ok(scope.facts());
    let persons: Vec<RecordId> = ok(scope.list_all(RecordKind::Person))
        .into_iter()
        .map(|r| r.id)
        .collect();
    figures::assert_agree(step, &kept, &fresh, &persons);
    figures::assert_agree(
        &format!("{step}, from the records themselves"),
        &fresh,
        &from_records(scope),
        &persons,
    );
}

/// The facts counted from every record the scope may see, read whole.
fn from_records(scope: &Scope<'_>) -> Facts {
    let records = ok(scope.bodies_of(&[
        RecordKind::Person,
        RecordKind::Event,
        RecordKind::Involvement,
    ]));
    let vocab = ok(scope.vocabularies());
    Facts::build_linked(records, &ok(scope.review()).same_person(), &vocab)
}

fn update(scope: &Scope<'_>, kind: RecordKind, id: RecordId, change: impl Fn(&mut RecordBody)) {
    let record = ok(scope.read(kind, id));
    let mut body = record.body;
    change(&mut body);
    ok(scope.write(
        "test",
        vec![Change::Update {
            id,
            expected_rev: Some(record.rev),
            body,
        }],
    ));
}

#[test]
fn the_kept_counting_facts_follow_each_write_as_if_built_afresh() {
    let tmp = ok(tempfile::tempdir());
    let store = ok(SqliteStore::create(
        &DataDir::new(tmp.path().join("data")),
        "counting test passphrase",
        "test",
    ));
    let cache = FactsCache::default();
    let demo_cache = athar_app::reports::DemoCache::default();
    let scope = Scope::new(&store, A, "amal")
        .with_facts_cache(&cache)
        .with_demo_cache(&demo_cache);
    ok(scope.create(
        "test",
        RecordId::new(),
        RecordBody::Source(athar_model::Source {
            kind: "interview".into(),
            title: "مقابلة".into(),
            ..athar_model::Source::default()
        }),
    ));
    assert!(!ok(scope.holds_demo_data()), "a real source only");
    let demo: Vec<Change> = athar_demo::generate(3, 300)
        .flatten()
        .map(|(id, body)| Change::Create { id, body })
        .collect();
    ok(scope.write("demo", demo));
    // The banner's question, answered from the sources written since.
    assert!(ok(scope.holds_demo_data()), "the demo's sources came in");
    agree("built", &scope);
    assert_eq!((cache.builds(), cache.recounts()), (1, 0));

    // A new case: a person arrested in Homs in 2019.
    let (person, event) = (RecordId::new(), RecordId::new());
    ok(scope.write(
        "test",
        vec![
            Change::Create {
                id: person,
                body: RecordBody::Person(Person {
                    names: vec![PersonName {
                        script: Script::Arab,
                        given: Some("سامر".into()),
                        family: Some("الحمصي".into()),
                        ..Default::default()
                    }],
                    sex: Sex::Male,
                    birth_date: ok(FuzzyDate::parse("2003")),
                    ..Person::default()
                }),
            },
            Change::Create {
                id: event,
                body: RecordBody::Event(Event {
                    kind: "arrest".into(),
                    start: ok(FuzzyDate::parse("2019-03")),
                    unit: Some("air-force-intelligence".into()),
                    ..Event::default()
                }),
            },
            Change::Create {
                id: RecordId::new(),
                body: RecordBody::Involvement(Involvement::victim(event, person, Vec::new())),
            },
        ],
    ));
    agree("a new case", &scope);
    assert_eq!((cache.builds(), cache.recounts()), (1, 1));

    let persons = ok(scope.list_all(RecordKind::Person));
    let events = ok(scope.list_all(RecordKind::Event));
    let involvements = ok(scope.list_all(RecordKind::Involvement));

    // A person's sex and birth corrected.
    update(&scope, RecordKind::Person, persons[7].id, |body| {
        if let RecordBody::Person(p) = body {
            p.sex = Sex::Female;
            p.birth_date = FuzzyDate::Unknown;
        }
    });
    agree("a person edited", &scope);

    // An arrest that was a disappearance, and a date that was wrong.
    update(&scope, RecordKind::Event, events[11].id, |body| {
        if let RecordBody::Event(e) = body {
            e.kind = "enforced-disappearance".into();
        }
    });
    update(&scope, RecordKind::Event, events[12].id, |body| {
        if let RecordBody::Event(e) = body {
            e.start = FuzzyDate::Unknown;
        }
    });
    agree("events edited", &scope);

    // An involvement entered by mistake.
    ok(scope.write(
        "test",
        vec![Change::Delete {
            kind: RecordKind::Involvement,
            id: involvements[20].id,
            expected_rev: None,
            reason: "entered twice".into(),
        }],
    ));
    agree("an involvement deleted", &scope);

    // Two records of one person, decided by a reviewer.
    ok(scope.decide_match((persons[30].id, persons[31].id), MatchDecision::Same, None));
    agree("two records one person", &scope);

    // A person deleted.
    ok(scope.write(
        "test",
        vec![Change::Delete {
            kind: RecordKind::Person,
            id: persons[31].id,
            expected_rev: None,
            reason: "a test record".into(),
        }],
    ));
    agree("a person deleted", &scope);
    assert_eq!(
        cache.builds(),
        1,
        "every write counted again, none built afresh"
    );
    assert!(cache.recounts() >= 6);

    // The organisation's own term changes what events count as: built afresh.
    ok(scope.add_term(ok(serde_json::from_value(serde_json::json!({
        "vocabulary": "units",
        "term": {"id": "checkpoint-qutayfah", "en": "Qutayfah checkpoint",
                 "ar": "حاجز القطيفة", "authority": "assad-government", "kind": "checkpoint"}
    })))));
    agree("a term added", &scope);
    assert_eq!(cache.builds(), 2);

    // A list's statuses: as counted when the facts are at hand, else from each record's
    // own journey — the same for records linked to no other.
    let ids: Vec<RecordId> = persons
        .iter()
        .take(60)
        .map(|r| r.id)
        .filter(|id| *id != persons[30].id && *id != persons[31].id)
        .collect();
    let uncached = Scope::new(&store, A, "amal");
    let counted = ok(scope.statuses_of(&ids));
    assert_eq!(counted, ok(uncached.statuses_of(&ids)));
    assert!(counted.iter().any(|s| *s != counted[0]), "{counted:?}");
}

#[test]
fn what_another_organisation_counts_follows_sharing_at_once_and_shredding_leaves_it() {
    let tmp = ok(tempfile::tempdir());
    let store = ok(SqliteStore::create(
        &DataDir::new(tmp.path().join("data")),
        "counting test passphrase",
        "test",
    ));
    let second = OrgId::new(ok(store.create_organisation("test", "منظمة ثانية")).num);
    let owner = Scope::new(&store, A, "amal");
    let demo: Vec<Change> = athar_demo::generate(5, 120)
        .flatten()
        .map(|(id, body)| Change::Create { id, body })
        .collect();
    ok(owner.write("demo", demo));
    let cache = FactsCache::default();
    let other = Scope::new(&store, second, "basel").with_facts_cache(&cache);
    let persons_counted = |scope: &Scope<'_>| {
        let (facts, _) = ok(scope.counting_facts());
        facts.summary(&Filter::default())
    };
    assert_eq!(persons_counted(&other).persons, 0);

    // A journey shared pseudonymised (no names, so no consent needed): counted by the other
    // organisation at once.
    let persons = ok(owner.list_all(RecordKind::Person));
    let shared = persons
        .iter()
        .find(|p| ok(owner.person_involvements(p.id)).len() >= 2)
        .map(|p| p.id)
        .unwrap_or_else(|| panic!("a person with a journey"));
    let outcome = ok(owner.share(
        RecordKind::Person,
        shared,
        &[Share {
            org: second.number(),
            mode: ShareMode::Pseudonymised,
        }],
        true,
    ));
    assert!(
        matches!(outcome, athar_app::sharing::ShareOutcome::Shared { records, .. } if records >= 3),
        "{outcome:?}"
    );
    let seen = persons_counted(&other);
    assert_eq!((seen.persons, seen.victims), (1, 1), "{seen:?}");
    agree("shared", &other);

    // Shredding destroys names, never what counts: the figures stay, kept and rebuilt.
    ok(owner.shred(RecordKind::Person, shared, "the family asked"));
    assert_eq!(persons_counted(&other), seen);
    agree("shredded", &other);
    agree("shredded, the owner", &owner);

    // The sharing withdrawn: gone from the other organisation's counts at once.
    ok(owner.share(RecordKind::Person, shared, &[], true));
    assert_eq!(persons_counted(&other).persons, 0);
    agree("unshared", &other);
}

#[test]
fn a_process_that_starts_opens_the_counting_kept_and_counts_again_only_what_was_written() {
    let tmp = ok(tempfile::tempdir());
    let store = ok(SqliteStore::create(
        &DataDir::new(tmp.path().join("data")),
        "counting test passphrase",
        "test",
    ));
    let owner = Scope::new(&store, A, "amal");
    let demo: Vec<Change> = athar_demo::generate(7, 200)
        .flatten()
        .map(|(id, body)| Change::Create { id, body })
        .collect();
    ok(owner.write("demo", demo));

    // The first process builds the facts from every record and keeps them.
    let first = FactsCache::default();
    let scope = Scope::new(&store, A, "amal").with_facts_cache(&first);
    agree("built", &scope);
    assert_eq!((first.builds(), first.recounts()), (1, 0));
    let mut kept = athar_store::KeptCounts::default();
    let marks = ok(store.kept_counts(A.number(), &mut kept)).unwrap_or_else(|| panic!("kept"));
    assert_eq!(marks, ok(store.data_marks()));

    // A person is edited while no process holds the facts.
    let person = ok(owner.list_all(RecordKind::Person))
        .into_iter()
        .find(|p| ok(owner.person_involvements(p.id)).len() >= 2)
        .map(|p| p.id)
        .unwrap_or_else(|| panic!("a person with a journey"));
    update(&owner, RecordKind::Person, person, |body| {
        if let RecordBody::Person(p) = body {
            p.sex = Sex::Female;
            p.birth_date = FuzzyDate::parse("2012").unwrap_or_default();
        }
    });

    // The next process opens what was kept and counts again only that person.
    let second = FactsCache::default();
    let scope = Scope::new(&store, A, "amal").with_facts_cache(&second);
    agree("opened from what was kept", &scope);
    assert_eq!((second.builds(), second.recounts()), (0, 1));

    // Kept bytes that do not read as facts, or only the first half of them, are counted
    // afresh, never read wrongly.
    let half = &kept.bytes[..kept.bytes.len() / 2];
    for (what, bytes) in [
        ("what was kept does not read", &b"not counting facts"[..]),
        ("what was kept is cut short", half),
    ] {
        let marks = ok(store.data_marks());
        ok(store.keep_counts(A.number(), marks, &mut |out| out.write_all(bytes)));
        let third = FactsCache::default();
        let scope = Scope::new(&store, A, "amal").with_facts_cache(&third);
        agree(what, &scope);
        assert_eq!((third.builds(), third.recounts()), (1, 0), "{what}");
    }

    // A linkage decision after they were kept: counted afresh with the new links, since
    // facts kept are only for the linkage they were counted with.
    let persons = ok(owner.list_all(RecordKind::Person));
    ok(owner.decide_match((persons[3].id, persons[4].id), MatchDecision::Same, None));
    let fourth = FactsCache::default();
    let scope = Scope::new(&store, A, "amal").with_facts_cache(&fourth);
    agree("a decision since", &scope);
}
