//! Case intake through the application layer, on a real encrypted store: a draft saved as
//! it is typed, read back only by its author, submitted as the case's records (a person
//! whose journey reads back in order), refused field by field with nothing written, and
//! never written twice.

use athar_app::intake::Submitted;
use athar_app::{OrgId, Scope};
use athar_model::intake::{CaseDraft, EventDraft, NameDraft, SourceDraft};
use athar_model::{RecordKind, Status};
use athar_store::{DataDir, SqliteStore, StoreError};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

const A: OrgId = OrgId::new(1);

fn typed() -> CaseDraft {
    CaseDraft {
        arabic: NameDraft {
            given: "خالد".into(),
            father: "عمر".into(),
            family: "البرهوم".into(),
            ..NameDraft::default()
        },
        latin: NameDraft {
            given: "Khaled".into(),
            family: "Barhoum".into(),
            ..NameDraft::default()
        },
        sex: "male".into(),
        birth_date: "1991".into(),
        events: vec![
            EventDraft {
                kind: "forced-return".into(),
                date: "~03/2019".into(),
                host_country: "LB".into(),
                ..EventDraft::default()
            },
            EventDraft {
                kind: "arrest".into(),
                date: "04/2019".into(),
                place: "دوما".into(),
                unit: "air-force-intelligence".into(),
                ..EventDraft::default()
            },
            EventDraft {
                kind: "enforced-disappearance".into(),
                date: "2019-05".into(),
                ..EventDraft::default()
            },
        ],
        source: SourceDraft {
            kind: "family-testimony".into(),
            title: "مقابلة مع الأخ، بيروت".into(),
            reliability: "B".into(),
            ..SourceDraft::default()
        },
        ..CaseDraft::default()
    }
}

#[test]
fn a_draft_becomes_a_case_once_and_only_its_author_sees_it_before() {
    let tmp = ok(tempfile::tempdir());
    let store = ok(SqliteStore::create(
        &DataDir::new(tmp.path().join("data")),
        "intake test passphrase",
        "test",
    ));
    let amal = Scope::new(&store, A, "amal");
    let sami = Scope::new(&store, A, "sami");
    let persons_before = ok(amal.count(RecordKind::Person));

    // Started, then saved as typed, with a date still wrong.
    let started = ok(amal.start_case_draft());
    assert_eq!(started.rev, 1);
    let mut draft = typed();
    draft.events[1].date = "31/04/2019".into();
    let saved = ok(amal.save_case_draft(started.id, Some(started.rev), &draft));
    assert_eq!(saved.rev, 2);
    assert_eq!(
        ok(amal.case_draft(started.id)).1,
        draft,
        "nothing typed lost"
    );
    // Another author of the same organisation does not see it.
    assert!(matches!(
        sami.case_draft(started.id),
        Err(StoreError::NoDraft { .. })
    ));
    assert!(ok(sami.drafts()).is_empty());

    // Submitted with the wrong date: refused at that field, nothing written, draft kept.
    match ok(amal.submit_case_draft(started.id)) {
        Submitted::Refused(problems) => {
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].field, "events[1].date");
        }
        Submitted::Written(_) => panic!("a day that does not exist was accepted"),
    }
    assert_eq!(ok(amal.count(RecordKind::Person)), persons_before);
    assert_eq!(ok(amal.drafts()).len(), 1);

    // Corrected and submitted: the case is written, the draft gone.
    draft.events[1].date = "30/04/2019".into();
    ok(amal.save_case_draft(started.id, Some(saved.rev), &draft));
    let built = match ok(amal.submit_case_draft(started.id)) {
        Submitted::Written(built) => built,
        Submitted::Refused(problems) => panic!("{problems:?}"),
    };
    assert_eq!(built.person, started.id, "the draft's id is the person's");
    assert_eq!(ok(amal.count(RecordKind::Person)), persons_before + 1);
    assert!(ok(amal.drafts()).is_empty());
    let journey = ok(amal.journey(built.person));
    let kinds: Vec<&str> = journey
        .steps
        .iter()
        .map(|s| s.details.kind.as_str())
        .collect();
    assert_eq!(kinds, ["forced-return", "arrest", "enforced-disappearance"]);
    let vocab = ok(amal.vocabularies());
    assert_eq!(journey.status(&vocab), Status::Disappeared);
    // Submitted again (a double click): no draft, nothing written twice.
    assert!(matches!(
        amal.submit_case_draft(started.id),
        Err(StoreError::NoDraft { .. })
    ));
    assert_eq!(ok(amal.count(RecordKind::Person)), persons_before + 1);
}

#[test]
fn a_case_is_verified_by_a_second_person_and_only_through_the_review() {
    use athar_model::review::{ReviewState, ReviewStep};
    use athar_model::{RecordBody, RecordKind};
    let tmp = ok(tempfile::tempdir());
    let store = ok(SqliteStore::create(
        &DataDir::new(tmp.path().join("data")),
        "review test passphrase",
        "test",
    ));
    let amal = Scope::new(&store, A, "amal");
    let sami = Scope::new(&store, A, "sami");
    let started = ok(amal.start_case_draft());
    ok(amal.save_case_draft(started.id, Some(started.rev), &typed()));
    let Submitted::Written(built) = ok(amal.submit_case_draft(started.id)) else {
        panic!("refused");
    };
    let review_of = |scope: &Scope<'_>| match ok(scope.read(RecordKind::Person, built.person)).body
    {
        RecordBody::Person(p) => p.review,
        _ => None,
    };
    let review = review_of(&amal).unwrap_or_else(|| panic!("an intake case is submitted"));
    assert_eq!(review.state, ReviewState::Submitted);
    assert_eq!(review.submitted_by, "amal");
    assert_eq!(
        ok(sami.cases_to_verify())
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        vec![built.person]
    );
    let verified_only = |scope: &Scope<'_>| {
        let (facts, _) = ok(scope.counting_facts());
        let filter = athar_stats::counts::Filter {
            verified_cases_only: true,
            ..Default::default()
        };
        facts.summary(&filter).victims
    };
    assert_eq!(verified_only(&amal), 0);

    // Not by its author; returned needs a comment; then verified by another person.
    let refused = amal.review_case(built.person, ReviewStep::Verify, None);
    assert!(
        matches!(&refused, Err(StoreError::Invalid { errors, .. }) if errors[0].code == "review.own_case"),
        "{refused:?}"
    );
    let no_comment = sami.review_case(
        built.person,
        ReviewStep::Return {
            comment: String::new(),
        },
        None,
    );
    assert!(matches!(no_comment, Err(StoreError::Invalid { .. })));
    let record = ok(sami.review_case(built.person, ReviewStep::Verify, None));
    let review = review_of(&sami).unwrap_or_else(|| panic!("reviewed"));
    assert_eq!(review.state, ReviewState::Verified);
    assert_eq!(review.reviewed_by.as_deref(), Some("sami"));
    assert_eq!(review.verified_rev, Some(record.rev));
    assert!(ok(sami.cases_to_verify()).is_empty());
    assert_eq!(verified_only(&amal), 1);
    // Each step is in the audit chain.
    let history = ok(amal.history(RecordKind::Person, built.person));
    assert_eq!(history.len(), 2);

    // A plain change cannot forge a review, and a change to a verified case sends it back.
    let RecordBody::Person(mut changed) = record.body.clone() else {
        panic!("a person");
    };
    changed.birth_date = athar_model::FuzzyDate::parse("1992").unwrap_or_default();
    if let Some(r) = changed.review.as_mut() {
        r.reviewed_by = Some("someone".into());
    }
    ok(amal.update(
        "update",
        built.person,
        Some(record.rev),
        RecordBody::Person(changed),
    ));
    let review = review_of(&amal).unwrap_or_else(|| panic!("still in review"));
    assert_eq!(review.state, ReviewState::Submitted);
    assert_eq!(review.submitted_by, "amal");
    assert_eq!(review.reviewed_by, None);
    assert_eq!(verified_only(&amal), 0, "changed since it was verified");

    // A new record cannot enter the review as verified.
    let mut forged = match record.body {
        RecordBody::Person(p) => p,
        _ => panic!("a person"),
    };
    if let Some(r) = forged.review.as_mut() {
        r.state = ReviewState::Verified;
    }
    let id = athar_model::RecordId::new();
    ok(amal.create("create", id, RecordBody::Person(forged)));
    assert_eq!(
        match ok(amal.read(RecordKind::Person, id)).body {
            RecordBody::Person(p) => p.review,
            _ => None,
        },
        None
    );
}
