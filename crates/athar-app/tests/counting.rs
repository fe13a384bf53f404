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
use athar_store::{Change, DataDir, SqliteStore};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

const A: OrgId = OrgId::new(1);

/// The cached facts agree with facts built now from every record.
fn agree(step: &str, scope: &Scope<'_>) {
    let (kept, _) = ok(scope.counting_facts());
    let (fresh, _) = ok(scope.facts());
    let persons: Vec<RecordId> = ok(scope.list_all(RecordKind::Person))
        .into_iter()
        .map(|r| r.id)
        .collect();
    figures::assert_agree(step, &kept, &fresh, &persons);
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
