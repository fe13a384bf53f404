//! The organisation boundary, at the application layer, against a real encrypted store.
//!
//! Organisation A holds three persons — one unshared, one shared pseudonymised with
//! organisation B, one shared in full — each with a journey (an arrest, then an enforced
//! disappearance, then the family's inquiry) and a cited source. For every read a use case
//! makes, B sees exactly what the sharing allows; every write B makes that references one
//! of A's records it may not see is refused exactly as a reference to an id nobody ever
//! used; and nothing B writes about A's persons enters A's journeys, cases or packages.

use athar_app::sharing::ShareOutcome;
use athar_app::{OrgId, Scope};
use athar_model::consent::Purpose;
use athar_model::*;
use athar_store::{Change, DataDir, Share, ShareMode, SqliteStore, Store, StoreError};
use serde_json::{Value, json};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn body<T: serde::de::DeserializeOwned>(value: Value) -> T {
    ok(serde_json::from_value(value))
}

fn person_body(given: &str, family: &str, consent: Value) -> RecordBody {
    RecordBody::Person(body(json!({
        "names": [{"script": "arab", "given": given, "family": family},
                  {"script": "latn", "given": "Ahmad", "family": "Halabi"}],
        "sex": "male",
        "birth_date": "1988",
        "consent": consent,
    })))
}

fn event(value: Value) -> RecordBody {
    RecordBody::Event(body(value))
}

fn victim(person: RecordId, event: RecordId) -> RecordBody {
    RecordBody::Involvement(body(
        json!({"person": person, "event": event, "role": "victim"}),
    ))
}

/// One of A's persons with a complete WGEID case: ids of the person, the arrest, the
/// disappearance, the inquiry and the source.
struct Case {
    person: RecordId,
    arrest: RecordId,
    disappearance: RecordId,
    source: RecordId,
}

fn make_case(a: &Scope<'_>, given: &str) -> Case {
    let consent = json!([
        {"purpose": "wgeid", "answer": "given", "date": "2024-02", "by": "his mother, Fatima"},
        {"purpose": "coalition-sharing", "answer": "given", "date": "2024-02"}
    ]);
    let (person, returned, arrest, disappearance, inquiry, source) = (
        RecordId::new(),
        RecordId::new(),
        RecordId::new(),
        RecordId::new(),
        RecordId::new(),
        RecordId::new(),
    );
    ok(a.write(
        "test",
        vec![
            Change::Create {
                id: source,
                body: RecordBody::Source(body(
                    json!({"kind": "interview", "title": "Interview with the family of A"}),
                )),
            },
            Change::Create {
                id: person,
                body: person_body(given, "الحلبي", consent),
            },
            Change::Create {
                id: returned,
                body: event(json!({"kind": "forced-return", "start": "2019-03", "host_country": "LB"})),
            },
            Change::Create {
                id: arrest,
                body: event(json!({
                    "kind": "arrest", "start": "2019-04-02", "unit": "mi-branch-235", "previous": returned,
                    "place": {"pcode": "SY0401", "text": "checkpoint"},
                    "narrative": "A's account of the arrest",
                    "sources": [{"source": source}]
                })),
            },
            Change::Create {
                id: disappearance,
                body: event(json!({"kind": "enforced-disappearance", "start": "2019-04", "previous": arrest})),
            },
            Change::Create {
                id: inquiry,
                body: event(json!({"kind": "search-inquiry", "start": "2019-06", "previous": disappearance,
                                   "place": {"pcode": "SY01", "text": "Military Police, Qaboun"}})),
            },
            Change::Create {
                id: RecordId::new(),
                body: victim(person, returned),
            },
            Change::Create {
                id: RecordId::new(),
                body: victim(person, arrest),
            },
            Change::Create {
                id: RecordId::new(),
                body: victim(person, disappearance),
            },
        ],
    ));
    Case {
        person,
        arrest,
        disappearance,
        source,
    }
}

struct World {
    _tmp: tempfile::TempDir,
    store: SqliteStore,
    b: OrgId,
    private: Case,
    pseudo: Case,
    full: Case,
}

const A: OrgId = OrgId::new(1);

fn world() -> World {
    let tmp = ok(tempfile::tempdir());
    let store = ok(SqliteStore::create(
        &DataDir::new(tmp.path().join("data")),
        "boundary test passphrase",
        "test",
    ));
    let b = OrgId::new(ok(store.create_organisation("test", "Organisation B")).num);
    let a = Scope::new(&store, A, "a-documenter");
    let private = make_case(&a, "محمد");
    let pseudo = make_case(&a, "محمود");
    let full = make_case(&a, "مصطفى");
    for (case, mode) in [
        (&pseudo, ShareMode::Pseudonymised),
        (&full, ShareMode::Full),
    ] {
        let shares = [Share {
            org: b.number(),
            mode,
        }];
        let outcome = ok(a.share(RecordKind::Person, case.person, &shares, true));
        assert!(
            matches!(outcome, ShareOutcome::Shared { left_out: ref l, .. } if l.is_empty()),
            "{outcome:?}"
        );
        ok(a.share(RecordKind::Source, case.source, &shares, false));
    }
    World {
        _tmp: tmp,
        store,
        b,
        private,
        pseudo,
        full,
    }
}

fn consent_by_of_body(body: &RecordBody) -> Vec<String> {
    match body {
        RecordBody::Person(p) => p.consent.iter().filter_map(|c| c.by.clone()).collect(),
        _ => Vec::new(),
    }
}

fn names_of(record: &athar_store::StoredRecord) -> usize {
    match &record.body {
        RecordBody::Person(p) => p.names.len(),
        _ => 0,
    }
}

#[test]
fn another_organisation_reads_exactly_what_is_shared() {
    let w = world();
    let b = Scope::new(&w.store, w.b, "b-documenter");
    // The unshared person, its events, involvements and source do not exist for B.
    for (kind, id) in [
        (RecordKind::Person, w.private.person),
        (RecordKind::Event, w.private.arrest),
        (RecordKind::Source, w.private.source),
    ] {
        assert!(
            matches!(b.read(kind, id), Err(StoreError::NotFound { .. })),
            "{kind:?}"
        );
        assert!(matches!(
            b.history(kind, id),
            Err(StoreError::NotFound { .. })
        ));
    }
    assert!(matches!(
        b.journey(w.private.person),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        b.event_involvements(w.private.arrest),
        Err(StoreError::NotFound { .. })
    ));
    // Pseudonymised: no names in the record, its history or its journey's narratives.
    let seen = ok(b.read(RecordKind::Person, w.pseudo.person));
    assert!(seen.pseudonymised && names_of(&seen) == 0);
    // Who answered a consent question is free text that can name someone: sealed, and not
    // part of a pseudonymised share; the owner and a full share see it.
    let consent_by = |record: &athar_store::StoredRecord| match &record.body {
        RecordBody::Person(p) => p.consent.iter().filter_map(|c| c.by.clone()).collect(),
        _ => Vec::<String>::new(),
    };
    assert!(consent_by(&seen).is_empty(), "{:?}", consent_by(&seen));
    assert_eq!(
        consent_by(&ok(b.read(RecordKind::Person, w.full.person))),
        ["his mother, Fatima"]
    );
    let raw = ok(w.store.history(RecordKind::Person, w.pseudo.person));
    assert_eq!(consent_by_of_body(&raw[0].body), ["his mother, Fatima"]);
    for revision in ok(b.history(RecordKind::Person, w.pseudo.person)) {
        assert!(matches!(&revision.body, RecordBody::Person(p) if p.names.is_empty()));
    }
    let journey = ok(b.journey(w.pseudo.person));
    assert_eq!(journey.steps.len(), 3);
    assert!(journey.steps.iter().all(|s| s.details.narrative.is_none()));
    // In full: names and narratives.
    let journey = ok(b.journey(w.full.person));
    assert_eq!(names_of(&journey.person), 2);
    assert_eq!(
        journey.steps[1].details.narrative.as_deref(),
        Some("A's account of the arrest")
    );
    // Lists and counts: the two shared persons; name search: the one shared in full.
    assert_eq!(ok(b.count(RecordKind::Person)), 2);
    let listed: Vec<RecordId> = ok(b.list(RecordKind::Person, None, 100))
        .iter()
        .map(|r| r.id)
        .collect();
    assert!(listed.contains(&w.pseudo.person) && listed.contains(&w.full.person));
    let found = ok(b.find_persons("halabi", None, 50));
    assert_eq!(found.total, 1);
    assert_eq!(found.items[0].record.id, w.full.person);
    // A still sees all three.
    let a = Scope::new(&w.store, A, "a");
    assert_eq!(ok(a.find_persons("halabi", None, 50)).total, 3);
}

/// The error a write gets for a reference, as the caller sees it: (field, code, messages).
fn refusal(result: Result<athar_store::Written, StoreError>) -> Vec<(String, String, String)> {
    match result {
        Err(StoreError::Invalid { errors, .. }) => errors
            .into_iter()
            .map(|e| (e.field, e.code, format!("{} | {}", e.message, e.message_ar)))
            .collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_reference_to_an_unshared_record_is_refused_exactly_as_an_unknown_id() {
    let w = world();
    let b = Scope::new(&w.store, w.b, "b-documenter");
    let own_event = RecordId::new();
    let own_person = RecordId::new();
    ok(b.write(
        "test",
        vec![
            Change::Create {
                id: own_event,
                body: event(json!({"kind": "arrest", "start": "2020"})),
            },
            Change::Create {
                id: own_person,
                body: person_body("خالد", "العلي", json!([])),
            },
        ],
    ));
    // A's unshared records, one of them deleted, against ids nobody ever used.
    let a = Scope::new(&w.store, A, "a");
    let deleted = RecordId::new();
    ok(a.write(
        "test",
        vec![Change::Create {
            id: deleted,
            body: person_body("سامر", "الحلبي", json!([])),
        }],
    ));
    ok(a.write(
        "test",
        vec![Change::Delete {
            kind: RecordKind::Person,
            id: deleted,
            expected_rev: None,
            reason: "entered twice".into(),
        }],
    ));
    let writes = |person: RecordId, event_id: RecordId, source: RecordId| {
        vec![
            // An involvement naming the person.
            vec![Change::Create {
                id: RecordId::new(),
                body: victim(person, own_event),
            }],
            // An involvement in the event.
            vec![Change::Create {
                id: RecordId::new(),
                body: victim(own_person, event_id),
            }],
            // An event following it.
            vec![Change::Create {
                id: RecordId::new(),
                body: event(json!({"kind": "detention", "start": "2020", "previous": event_id})),
            }],
            // A citation of the source.
            vec![Change::Create {
                id: RecordId::new(),
                body: event(
                    json!({"kind": "detention", "start": "2020", "sources": [{"source": source}]}),
                ),
            }],
            // A linkage decision about the person.
            vec![Change::Create {
                id: RecordId::new(),
                body: RecordBody::Match(body(
                    json!({"first": own_person, "second": person, "decision": "same"}),
                )),
            }],
        ]
    };
    let unknown = writes(RecordId::new(), RecordId::new(), RecordId::new());
    for (label, hidden) in [
        (
            "unshared",
            writes(w.private.person, w.private.arrest, w.private.source),
        ),
        (
            "deleted",
            writes(deleted, w.private.arrest, w.private.source),
        ),
    ] {
        for (i, (h, u)) in hidden.into_iter().zip(unknown.clone()).enumerate() {
            let before = ok(w.store.audit_head());
            assert_eq!(
                refusal(b.write("test", h)),
                refusal(b.write("test", u)),
                "{label} write {i}"
            );
            assert_eq!(
                ok(w.store.audit_head()).hash,
                before.hash,
                "nothing written"
            );
        }
    }
    // What is shared may be referenced: B documents its own event about A's shared person.
    ok(b.write(
        "test",
        vec![Change::Create {
            id: RecordId::new(),
            body: victim(w.pseudo.person, own_event),
        }],
    ));
}

#[test]
fn nothing_another_organisation_writes_enters_a_case_or_a_journey() {
    let w = world();
    let b = Scope::new(&w.store, w.b, "b-documenter");
    let a = Scope::new(&w.store, A, "a-admin");
    // B records its own release of A's shared persons, with a narrative of its own.
    for case in [&w.pseudo, &w.full] {
        let release = RecordId::new();
        ok(b.write(
            "test",
            vec![
                Change::Create {
                    id: release,
                    body: event(json!({"kind": "release", "start": "2019-05", "unit": "mi-branch-227",
                                       "narrative": "B's narrative", "previous": case.disappearance})),
                },
                Change::Create {
                    id: RecordId::new(),
                    body: victim(case.person, release),
                },
            ],
        ));
    }
    for case in [&w.pseudo, &w.full] {
        // A's journey, status and WGEID case are A's records alone.
        let journey = ok(a.journey(case.person));
        assert_eq!(journey.steps.len(), 3);
        assert!(journey.steps.iter().all(|s| s.event.owner == A.number()));
        assert_eq!(
            journey.status(Vocabularies::embedded()),
            Status::Disappeared
        );
        let made = ok(a.wgeid_case(case.person, Lang::En, "2026-01-01"));
        let text = ok(serde_json::to_string(&made));
        assert!(
            // B's unit by its name or id (a bare "227" may be part of a record id).
            !text.contains("B's narrative")
                && !text.contains("Branch 227")
                && !text.contains("mi-branch-227"),
            "{text}"
        );
        // The signed package carries nothing of B's.
        let dir = ok(tempfile::tempdir());
        let path = dir.path().join("case.tar");
        let summary = ok(a.evidence_package(
            case.person,
            Purpose::Wgeid,
            ok(std::fs::File::create_new(&path)),
        ));
        // Person, three involvements, three events, the source.
        assert_eq!(summary.records, 8);
        let bytes = ok(std::fs::read(&path));
        let needle = b"B's narrative";
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
        // B sees its own release in its view of the person's journey.
        let seen_by_b = ok(b.journey(case.person));
        assert_eq!(seen_by_b.steps.len(), 4);
    }
    // B may not make a case of a person it does not own.
    assert!(matches!(
        b.wgeid_case(w.full.person, Lang::En, "2026-01-01"),
        Err(athar_report::wgeid::CaseError::NotFound(_))
    ));
}

#[test]
fn another_organisations_involvements_neither_block_nor_join_sharing() {
    let w = world();
    let b = Scope::new(&w.store, w.b, "b-documenter");
    let a = Scope::new(&w.store, A, "a-admin");
    // A's event, shared pseudonymised with B; B involves its own non-consenting person.
    let (event_id, witness) = (RecordId::new(), RecordId::new());
    ok(a.write(
        "test",
        vec![Change::Create {
            id: event_id,
            body: event(json!({"kind": "arrest", "start": "2021"})),
        }],
    ));
    ok(a.share(
        RecordKind::Event,
        event_id,
        &[Share {
            org: w.b.number(),
            mode: ShareMode::Pseudonymised,
        }],
        false,
    ));
    let b_involvement = RecordId::new();
    ok(b.write(
        "test",
        vec![
            Change::Create {
                id: witness,
                body: person_body("خالد", "العلي", json!([])),
            },
            Change::Create {
                id: b_involvement,
                body: RecordBody::Involvement(body(
                    json!({"person": witness, "event": event_id, "role": "witness"}),
                )),
            },
        ],
    ));
    // A's full sharing of its own event is A's decision about the persons A documented.
    let outcome = ok(a.share(
        RecordKind::Event,
        event_id,
        &[Share {
            org: w.b.number(),
            mode: ShareMode::Full,
        }],
        false,
    ));
    assert!(
        matches!(outcome, ShareOutcome::Shared { .. }),
        "{outcome:?}"
    );
    // B's involvement in A's person's journey is neither shared by A nor named to A.
    ok(b.write(
        "test",
        vec![Change::Create {
            id: RecordId::new(),
            body: victim(w.full.person, event_id),
        }],
    ));
    match ok(a.share(
        RecordKind::Person,
        w.full.person,
        &[Share {
            org: w.b.number(),
            mode: ShareMode::Full,
        }],
        true,
    )) {
        ShareOutcome::Shared { left_out, records } => {
            assert!(left_out.is_empty(), "{left_out:?}");
            assert_eq!(records, 7);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_name_search_counts_only_what_the_organisation_may_see() {
    let w = world();
    let b = Scope::new(&w.store, w.b, "b-documenter");
    // B documents 600 persons with the same family name as A's three.
    let changes: Vec<Change> = (0..600)
        .map(|i| Change::Create {
            id: RecordId::new(),
            body: person_body(if i % 2 == 0 { "محمد" } else { "علي" }, "الحلبي", json!([])),
        })
        .collect();
    ok(b.write("test", changes));
    let a = Scope::new(&w.store, A, "a");
    let found = ok(a.find_persons("الحلبي", None, 2));
    assert_eq!(found.total, 3, "A's own three, whatever B holds");
    assert_eq!(found.items.len(), 2);
    let rest = ok(a.find_persons("الحلبي", found.next, 2));
    assert_eq!(rest.items.len(), 1);
    assert!(rest.next.is_none(), "the last page says so");
    // B's search sees its 600 and A's one shared in full, past any former cap of 500.
    let all = ok(b.find_persons("الحلبي", None, 50));
    assert_eq!(all.total, 601);
    let mut after = None;
    let mut seen = 0;
    loop {
        let page = ok(b.find_persons("الحلبي", after, 250));
        if page.items.is_empty() {
            break;
        }
        seen += page.items.len();
        after = page.next;
        if after.is_none() {
            break;
        }
    }
    assert_eq!(seen, 601);
}

#[test]
fn counts_reports_briefs_exports_and_linkage_see_only_what_is_shared() {
    use athar_app::reports::{BriefRequest, ReportRequest};
    use athar_stats::counts::{FIGURES, Filter};
    let w = world();
    let b = Scope::new(&w.store, w.b, "b-analyst");
    let a = Scope::new(&w.store, A, "a-analyst");
    let private_ids = [w.private.person, w.private.arrest, w.private.disappearance];
    // Every record behind every headline figure B can count.
    let (facts, _) = ok(b.facts());
    let mut behind_b = Vec::new();
    for figure in FIGURES {
        if let Some(found) = facts.behind(figure, &Filter::default()) {
            behind_b.extend(found.events);
            behind_b.extend(found.persons);
        }
    }
    assert!(behind_b.contains(&w.full.arrest) && behind_b.contains(&w.pseudo.person));
    assert!(
        private_ids.iter().all(|id| !behind_b.contains(id)),
        "an unshared record counted for B"
    );
    let count = |scope: &Scope<'_>| {
        let (facts, _) = ok(scope.facts());
        facts
            .behind("enforced_disappearances", &Filter::default())
            .map_or(0, |f| f.count)
    };
    assert_eq!((count(&a), count(&b)), (3, 2));
    // The periodic report and the safety brief of B count the two shared persons.
    let report = ok(b.report(&ReportRequest::default()));
    let report_text = ok(serde_json::to_string(&report));
    assert!(
        !private_ids
            .iter()
            .any(|id| report_text.contains(&id.to_string()))
    );
    let brief = |scope: &Scope<'_>| {
        ok(scope.brief(&BriefRequest {
            region: "Homs".into(),
            ..Default::default()
        }))
    };
    assert_eq!(brief(&a).figures.returnees, 3);
    assert_eq!(brief(&b).figures.returnees, 2);
    let brief_text = ok(serde_json::to_string(&brief(&b)));
    assert!(
        !private_ids
            .iter()
            .any(|id| brief_text.contains(&id.to_string()))
    );
    // B's export holds the shared persons: the one in full with names, none of A's private.
    let mut out = Vec::new();
    let exported = ok(b.export_persons(
        athar_ingest::export::Format::Json,
        athar_ingest::export::ExportTable::Persons,
        false,
        None,
        &mut out,
    ));
    assert_eq!(exported.persons, 2);
    let text = String::from_utf8_lossy(&out);
    assert!(!text.contains(&w.private.person.to_string()) && !text.contains("محمد"));
    assert!(text.contains("مصطفى") && !text.contains("محمود"), "{text}");
    // A linkage run of B covers only the persons B may see: its own, A's shared in full,
    // and A's pseudonymised one left out for having no name B may read.
    let own = RecordId::new();
    ok(b.write(
        "test",
        vec![Change::Create {
            id: own,
            body: person_body("مصطفى", "الحلبي", json!([])),
        }],
    ));
    assert!(!ok(b.paired_records(own)).linkage_run);
    let report = ok(b.run_linkage(
        &athar_link::stored::RunOptions::default(),
        &athar_link::Silent,
    ));
    assert_eq!((report.members, report.without_names), (2, 1));
    // Its person page lists every pair the run kept (its two members'), with none of A's
    // other persons.
    let paired = ok(b.paired_records(own));
    assert!(paired.linkage_run);
    assert_eq!(paired.pairs.len(), report.pairs_kept);
    assert!(paired.pairs.iter().all(|(_, r)| r.id == w.full.person));
    // Evidence about A's unshared person is refused as about an unknown record.
    let evidence = |about: RecordId| {
        b.ingest_evidence(
            athar_store::evidence::NewEvidence {
                kind: athar_store::evidence::EvidenceKind::Original,
                derived_from: None,
                media_type: "text/plain".into(),
                filename: None,
                description: None,
                about: vec![about],
            },
            &mut &b"a statement"[..],
            1 << 20,
        )
        .map(|_| ())
    };
    let refused = |r: Result<(), StoreError>| match r {
        Err(StoreError::Invalid { errors, .. }) => {
            (errors[0].code.clone(), errors[0].message.clone())
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(
        refused(evidence(w.private.person)),
        refused(evidence(RecordId::new()))
    );
}

#[test]
fn a_stampede_of_cold_counts_builds_the_facts_once() {
    let w = world();
    let cache = athar_app::counting::FactsCache::default();
    let totals: Vec<usize> = std::thread::scope(|threads| {
        let handles: Vec<_> = (0..6)
            .map(|_| {
                threads.spawn(|| {
                    let scope = Scope::new(&w.store, A, "a-analyst").with_facts_cache(&cache);
                    let (facts, _) = ok(scope.counting_facts());
                    facts
                        .behind(
                            "enforced_disappearances",
                            &athar_stats::counts::Filter::default(),
                        )
                        .map_or(0, |b| b.count)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| panic!("a counting thread panicked"))
            })
            .collect()
    });
    assert_eq!(totals, vec![3; 6]);
    assert_eq!(cache.builds(), 1, "six cold requests, one build");
    // A write moves the data version: the next request counts again what it touched, once.
    let a = Scope::new(&w.store, A, "a");
    ok(a.write(
        "test",
        vec![Change::Create {
            id: RecordId::new(),
            body: person_body("سامر", "الحلبي", json!([])),
        }],
    ));
    let scope = Scope::new(&w.store, A, "a").with_facts_cache(&cache);
    ok(scope.counting_facts());
    ok(scope.counting_facts());
    assert_eq!((cache.builds(), cache.recounts()), (1, 1));
}

#[test]
fn an_organisations_own_terms_are_its_own_until_it_shares_them() {
    let w = world();
    let a = Scope::new(&w.store, A, "a-documenter");
    let b = Scope::new(&w.store, w.b, "b-documenter");
    let checkpoint: VocabularyTerm = body(json!({
        "vocabulary": "units",
        "term": {"id": "checkpoint-qutayfah", "en": "Qutayfah checkpoint", "ar": "حاجز القطيفة",
                 "authority": "assad-government", "kind": "checkpoint"}
    }));
    let term = ok(a.add_term(checkpoint.clone()));
    // A knows it at once: its vocabularies, its writes and its counts.
    assert!(
        ok(a.vocabularies())
            .units
            .get("checkpoint-qutayfah")
            .is_some()
    );
    assert_eq!(
        ok(a.vocabularies()).authority_of_unit("checkpoint-qutayfah"),
        Some("assad-government")
    );
    let arrest = json!({"kind": "arrest", "start": "2024-05", "unit": "checkpoint-qutayfah"});
    ok(a.write(
        "test",
        vec![Change::Create {
            id: RecordId::new(),
            body: event(arrest.clone()),
        }],
    ));
    // B does not: the term is unknown to its vocabularies and to what it writes.
    assert!(
        ok(b.vocabularies())
            .units
            .get("checkpoint-qutayfah")
            .is_none()
    );
    let refused = b.write(
        "test",
        vec![Change::Create {
            id: RecordId::new(),
            body: event(arrest.clone()),
        }],
    );
    assert!(
        matches!(&refused, Err(StoreError::Invalid { errors, .. }) if errors[0].field == "unit"),
        "{refused:?}"
    );
    // B may add a term of the same id for itself: the two never meet.
    ok(b.add_term(checkpoint.clone()));
    // A cannot add the id twice, nor take a shared term's id.
    let twice = a.add_term(checkpoint.clone());
    assert!(
        matches!(&twice, Err(StoreError::Invalid { errors, .. }) if errors[0].code == "term.id_taken"),
        "{twice:?}"
    );
    let mut shared_id = checkpoint.clone();
    shared_id.term.id = "mi-branch-235".into();
    let taken = a.add_term(shared_id);
    assert!(
        matches!(&taken, Err(StoreError::Invalid { errors, .. }) if errors[0].code == "term.id_taken"),
        "{taken:?}"
    );
    // A's term changes by revision; its id does not.
    let mut renamed = checkpoint.clone();
    renamed.term.aliases_ar = vec!["حاجز قطيفة".into()];
    let revised = ok(a.update(
        "test",
        term.id,
        Some(term.rev),
        RecordBody::Term(renamed.clone()),
    ));
    assert_eq!(revised.rev, 2);
    assert_eq!(
        ok(a.vocabularies()).units.lookup("حاجز قطيفة")[0].id,
        "checkpoint-qutayfah"
    );
    renamed.term.id = "another-id".into();
    let moved = a.update("test", term.id, Some(2), RecordBody::Term(renamed));
    assert!(
        matches!(&moved, Err(StoreError::Invalid { errors, .. }) if errors[0].code == "term.id_fixed"),
        "{moved:?}"
    );
    // B cannot change A's term.
    let mut hijack = checkpoint;
    hijack.term.en = "Renamed by B".into();
    assert!(
        b.update("test", term.id, Some(2), RecordBody::Term(hijack))
            .is_err()
    );
    assert_eq!(ok(a.added_terms()).len(), 1);
    assert_eq!(ok(b.added_terms()).len(), 1);
}
