//! The counting facts the store keeps beside each record: after any sequence of creations,
//! updates, deletions, shreddings and sharing changes by two organisations — refused ones
//! included — what each organisation is given to count equals the facts made again from the
//! records it may see, and `verify` finds nothing to report; damaged, missing or stray facts
//! are named by `verify`; a store without them has them made when it opens.

use athar_model::facts::RecordFacts;
use athar_model::*;
use athar_store::*;
use proptest::prelude::*;
use rusqlite::Connection;

const PASSPHRASE: &str = "test passphrase for the counting facts";

fn ok<T, E: std::fmt::Display>(r: std::result::Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn new_store() -> (tempfile::TempDir, DataDir, SqliteStore) {
    let tmp = ok(tempfile::tempdir());
    let dir = DataDir::new(tmp.path().join("data"));
    let store = ok(SqliteStore::create(&dir, PASSPHRASE, "test"));
    (tmp, dir, store)
}

fn raw(dir: &DataDir) -> Connection {
    let key = ok(dir.derive_key(PASSPHRASE));
    let conn = ok(Connection::open(dir.database()));
    ok(conn.execute_batch(athar_store::unlock_statements(&key).as_str()));
    conn
}

fn person(sex: Sex, born: &str) -> RecordBody {
    RecordBody::Person(Person {
        names: vec![PersonName {
            script: Script::Arab,
            full: Some("سامر الحلبي".into()),
            ..Default::default()
        }],
        sex,
        birth_date: FuzzyDate::parse(born).unwrap_or_default(),
        ..Default::default()
    })
}

fn event(kind: &str, year: i32) -> RecordBody {
    RecordBody::Event(Event {
        kind: kind.into(),
        start: FuzzyDate::parse(&year.to_string()).unwrap_or_default(),
        narrative: Some("اعتقل على الحاجز".into()),
        ..Default::default()
    })
}

fn write(store: &SqliteStore, org: i64, changes: Vec<Change>) -> Result<Written> {
    store.write(ChangeSet {
        author: "test".into(),
        owner: Some(org),
        action: "test".into(),
        changes,
    })
}

/// What `org` is given to count, as (id, stored form), in id order.
fn kept_for(store: &SqliteStore, org: i64) -> Vec<(RecordId, Vec<u8>)> {
    let mut out = Vec::new();
    ok(store.count_facts_for(org, &mut |id, facts| {
        out.push((id, facts.encode()));
        Ok(())
    }));
    out.sort();
    out
}

/// The facts made again from every record `org` may see.
fn rebuilt_for(store: &SqliteStore, org: i64) -> Vec<(RecordId, Vec<u8>)> {
    let mut out = Vec::new();
    for kind in [
        RecordKind::Person,
        RecordKind::Event,
        RecordKind::Involvement,
    ] {
        for record in ok(store.list_all_for(org, kind)) {
            if let Some(facts) = RecordFacts::of(&record.body) {
                out.push((record.id, facts.encode()));
            }
        }
    }
    out.sort();
    out
}

/// One step a documenter or an administrator may take; indexes pick among the records
/// written so far, whoever owns them (a change of another's record is refused).
#[derive(Debug, Clone)]
enum Step {
    Person {
        org: usize,
        female: bool,
        born: u16,
    },
    Event {
        org: usize,
        arrest: bool,
        year: u16,
    },
    Involvement {
        org: usize,
        person: usize,
        event: usize,
    },
    Update {
        org: usize,
        record: usize,
        year: u16,
    },
    Delete {
        org: usize,
        record: usize,
    },
    Shred {
        record: usize,
    },
    Share {
        record: usize,
        pseudonymised: bool,
    },
    Unshare {
        record: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..2usize, any::<bool>(), 1950..2010u16).prop_map(|(org, female, born)| Step::Person {
            org,
            female,
            born
        }),
        (0..2usize, any::<bool>(), 2011..2025u16).prop_map(|(org, arrest, year)| Step::Event {
            org,
            arrest,
            year
        }),
        (0..2usize, 0..40usize, 0..40usize)
            .prop_map(|(org, person, event)| { Step::Involvement { org, person, event } }),
        (0..2usize, 0..40usize, 1950..2025u16).prop_map(|(org, record, year)| Step::Update {
            org,
            record,
            year
        }),
        (0..2usize, 0..40usize).prop_map(|(org, record)| Step::Delete { org, record }),
        (0..40usize).prop_map(|record| Step::Shred { record }),
        (0..40usize, any::<bool>()).prop_map(|(record, pseudonymised)| Step::Share {
            record,
            pseudonymised
        }),
        (0..40usize).prop_map(|record| Step::Unshare { record }),
    ]
}

/// Take `step` against the store; refusals are expected and must change nothing.
fn take(
    store: &SqliteStore,
    orgs: [i64; 2],
    written: &mut Vec<(RecordKind, RecordId)>,
    step: &Step,
) {
    let pick = |list: &[(RecordKind, RecordId)], at: usize, kind: Option<RecordKind>| {
        let of_kind: Vec<(RecordKind, RecordId)> = list
            .iter()
            .filter(|(k, _)| kind.is_none_or(|want| *k == want))
            .copied()
            .collect();
        (!of_kind.is_empty()).then(|| of_kind[at % of_kind.len()])
    };
    let current = |kind: RecordKind, id: RecordId| store.get(kind, id).ok();
    match *step {
        Step::Person { org, female, born } => {
            let id = RecordId::new();
            let sex = if female { Sex::Female } else { Sex::Male };
            let body = person(sex, &born.to_string());
            if write(store, orgs[org], vec![Change::Create { id, body }]).is_ok() {
                written.push((RecordKind::Person, id));
            }
        }
        Step::Event { org, arrest, year } => {
            let id = RecordId::new();
            let kind = if arrest { "arrest" } else { "forced-return" };
            let body = event(kind, i32::from(year));
            if write(store, orgs[org], vec![Change::Create { id, body }]).is_ok() {
                written.push((RecordKind::Event, id));
            }
        }
        Step::Involvement { org, person, event } => {
            let (Some((_, p)), Some((_, e))) = (
                pick(written, person, Some(RecordKind::Person)),
                pick(written, event, Some(RecordKind::Event)),
            ) else {
                return;
            };
            let id = RecordId::new();
            let body = RecordBody::Involvement(Involvement::victim(e, p, Vec::new()));
            if write(store, orgs[org], vec![Change::Create { id, body }]).is_ok() {
                written.push((RecordKind::Involvement, id));
            }
        }
        Step::Update { org, record, year } => {
            let Some((kind, id)) = pick(written, record, None) else {
                return;
            };
            let Some(mut now) = current(kind, id) else {
                return;
            };
            let date = FuzzyDate::parse(&year.to_string()).unwrap_or_default();
            match &mut now.body {
                RecordBody::Person(p) => p.birth_date = date,
                RecordBody::Event(e) => e.start = date,
                RecordBody::Involvement(i) => i.verification = Verification::Corroborated,
                _ => {}
            }
            let _ = write(
                store,
                orgs[org],
                vec![Change::Update {
                    id,
                    expected_rev: Some(now.rev),
                    body: now.body,
                }],
            );
        }
        Step::Delete { org, record } => {
            let Some((kind, id)) = pick(written, record, None) else {
                return;
            };
            let _ = write(
                store,
                orgs[org],
                vec![Change::Delete {
                    kind,
                    id,
                    expected_rev: None,
                    reason: "entered twice".into(),
                }],
            );
        }
        Step::Shred { record } => {
            if let Some((kind, id)) = pick(written, record, None) {
                let _ = store.shred(kind, id, "test", "the family asked");
            }
        }
        Step::Share {
            record,
            pseudonymised,
        } => {
            let Some((kind, id)) = pick(written, record, None) else {
                return;
            };
            let Some(now) = current(kind, id) else {
                return;
            };
            let to = if now.owner == orgs[0] {
                orgs[1]
            } else {
                orgs[0]
            };
            let mode = if pseudonymised {
                ShareMode::Pseudonymised
            } else {
                ShareMode::Full
            };
            let _ = store.set_shares("test", kind, id, &[Share { org: to, mode }]);
        }
        Step::Unshare { record } => {
            if let Some((kind, id)) = pick(written, record, None) {
                let _ = store.set_shares("test", kind, id, &[]);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn kept_facts_equal_facts_made_again_after_any_changes(
        steps in proptest::collection::vec(step(), 1..60)
    ) {
        let (_tmp, _dir, store) = new_store();
        let second = ok(store.create_organisation("test", "منظمة ثانية")).num;
        let orgs = [1, second];
        let mut written = Vec::new();
        for step in &steps {
            take(&store, orgs, &mut written, step);
        }
        for org in orgs {
            prop_assert_eq!(kept_for(&store, org), rebuilt_for(&store, org), "organisation {}", org);
        }
        let report = ok(store.verify(&mut |_| {}));
        prop_assert!(report.ok(), "{:?}", report.problems);
    }
}

/// A store with a person, an event and the person's arrest in it.
fn populated() -> (tempfile::TempDir, DataDir, [RecordId; 3]) {
    let (tmp, dir, store) = new_store();
    let written = write_arrest(&store, Sex::Female);
    (tmp, dir, written)
}

/// Writes a person of `sex` born in 1990, an arrest in 2019 and the person's part in it,
/// for organisation 1.
fn write_arrest(store: &SqliteStore, sex: Sex) -> [RecordId; 3] {
    let (p, e, i) = (RecordId::new(), RecordId::new(), RecordId::new());
    ok(write(
        store,
        1,
        vec![
            Change::Create {
                id: p,
                body: person(sex, "1990"),
            },
            Change::Create {
                id: e,
                body: event("arrest", 2019),
            },
            Change::Create {
                id: i,
                body: RecordBody::Involvement(Involvement::victim(e, p, Vec::new())),
            },
        ],
    ));
    [p, e, i]
}

fn problems(dir: &DataDir) -> Vec<String> {
    let store = ok(SqliteStore::open(dir, PASSPHRASE));
    let report = ok(store.verify(&mut |_| {}));
    report.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn verify_names_the_record_whose_counting_facts_are_damaged_missing_or_stray() {
    let (_tmp, dir, [p, e, _]) = populated();
    assert!(problems(&dir).is_empty());
    let id_hex = |id: RecordId| {
        id.as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };

    ok(raw(&dir).execute_batch(&format!(
        "UPDATE heads SET facts = x'01' WHERE id = x'{}'",
        id_hex(e)
    )));
    let found = problems(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains(&e.to_string()) && found[0].contains("differ"),
        "{found:?}"
    );

    ok(raw(&dir).execute_batch(&format!(
        "UPDATE heads SET facts = NULL WHERE id = x'{}'",
        id_hex(p)
    )));
    let found = problems(&dir);
    assert!(
        found
            .iter()
            .any(|f| f.contains(&p.to_string()) && f.contains("missing")),
        "{found:?}"
    );

    let (_tmp2, dir2, [_, e2, _]) = populated();
    ok(raw(&dir2).execute_batch(&format!(
        "UPDATE heads SET deleted = 1 WHERE id = x'{}'",
        id_hex(e2)
    )));
    let found = problems(&dir2);
    let stray = format!("counting facts are kept for {e2}, which is deleted");
    assert!(found.iter().any(|f| f.contains(&stray)), "{found:?}");
}

#[test]
fn damaged_facts_make_counting_fail_with_a_message_not_a_panic() {
    let (_tmp, dir, [_, e, _]) = populated();
    ok(raw(&dir).execute_batch(&format!(
        "UPDATE heads SET facts = x'0102' WHERE id = x'{}'",
        e.as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )));
    let store = ok(SqliteStore::open(&dir, PASSPHRASE));
    let failed = store.count_facts_for(1, &mut |_, _| Ok(()));
    let message = failed.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains(&e.to_string()) && message.contains("athar verify"),
        "{message}"
    );
}

#[test]
fn a_store_without_counting_facts_has_them_made_once_when_it_opens() {
    let (_tmp, dir, ids) = populated();
    ok(raw(&dir).execute_batch(
        "UPDATE heads SET facts = NULL; DELETE FROM meta WHERE key = 'count_facts_version';",
    ));
    let store = ok(SqliteStore::open(&dir, PASSPHRASE));
    let kept: Vec<RecordId> = kept_for(&store, 1).into_iter().map(|(id, _)| id).collect();
    let mut wanted = ids.to_vec();
    wanted.sort();
    assert_eq!(kept, wanted);
    assert_eq!(kept_for(&store, 1), rebuilt_for(&store, 1));
    assert!(ok(store.verify(&mut |_| {})).ok());
}

#[test]
fn facts_kept_in_a_table_of_their_own_move_into_the_heads_unchanged() {
    let (_tmp, dir, _) = populated();
    let (kept_before, before) = {
        let store = ok(SqliteStore::open(&dir, PASSPHRASE));
        (kept_for(&store, 1), rebuilt_for(&store, 1))
    };
    assert_eq!(kept_before.len(), 3);
    // Put the store back as schema 11 left it: the facts in `count_facts`.
    ok(raw(&dir).execute_batch(
        "CREATE TABLE count_facts (
             owner INTEGER NOT NULL, id BLOB NOT NULL, kind INTEGER NOT NULL,
             facts BLOB NOT NULL, PRIMARY KEY (owner, id)
         ) WITHOUT ROWID;
         INSERT INTO count_facts (owner, id, kind, facts)
             SELECT owner, id, kind, facts FROM heads WHERE facts IS NOT NULL;
         ALTER TABLE heads DROP COLUMN facts;
         PRAGMA user_version = 11;",
    ));
    let moved = ok(
        raw(&dir).query_row("SELECT count(*) FROM count_facts", [], |r| {
            r.get::<_, i64>(0)
        }),
    );
    assert_eq!(moved, 3);

    let store = ok(SqliteStore::open(&dir, PASSPHRASE));
    assert_eq!(kept_for(&store, 1), kept_before);
    assert_eq!(kept_before, before);
    assert!(ok(store.verify(&mut |_| {})).ok());
    let tables = ok(raw(&dir).query_row(
        "SELECT count(*) FROM sqlite_master WHERE name = 'count_facts'",
        [],
        |r| r.get::<_, i64>(0),
    ));
    assert_eq!(tables, 0);
}

/// What is kept of organisation `org`'s counting, read whole.
fn read_kept(store: &SqliteStore, org: i64) -> Option<KeptCounts> {
    let mut kept = KeptCounts::default();
    let marks = ok(store.kept_counts(org, &mut kept))?;
    assert_eq!(marks, kept.marks);
    Some(kept)
}

fn keep(store: &SqliteStore, org: i64, kept: &KeptCounts) {
    ok(store.keep_counts(org, kept.marks, &mut |out| out.write_all(&kept.bytes)));
}

/// A reader of kept counting that refuses it at its marks, or (`at_marks` false) takes
/// some of its bytes and then refuses them.
struct Refuses {
    at_marks: bool,
    bytes: usize,
}

impl std::io::Write for Refuses {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.bytes > 0 {
            return Err(std::io::Error::other("not counting facts"));
        }
        self.bytes += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl athar_store::KeptCountsReader for Refuses {
    fn read_at(&mut self, _: DataMarks) -> bool {
        !self.at_marks
    }
}

#[test]
fn counting_kept_reads_back_whole_or_not_at_all_and_verify_names_its_damage() {
    let (_tmp, dir, _) = populated();
    let store = ok(SqliteStore::open(&dir, PASSPHRASE));
    assert_eq!(read_kept(&store, 1), None);
    // Several sealed segments, so that they are put together in order.
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let kept = KeptCounts {
        marks: ok(store.data_marks()),
        bytes,
    };
    keep(&store, 1, &kept);
    assert_eq!(read_kept(&store, 1).as_ref(), Some(&kept));
    assert_eq!(read_kept(&store, 2), None, "another organisation's");
    // A reader that does not want it at its marks is given nothing; one that refuses its
    // bytes gets nothing kept, not an error.
    let mut unwanted = Refuses {
        at_marks: true,
        bytes: 0,
    };
    assert_eq!(ok(store.kept_counts(1, &mut unwanted)), None);
    assert_eq!(unwanted.bytes, 0);
    let mut refusing = Refuses {
        at_marks: false,
        bytes: 0,
    };
    assert_eq!(ok(store.kept_counts(1, &mut refusing)), None);
    assert!(refusing.bytes > 0);
    // Kept again: the new bytes replace the old, parts and all.
    let smaller = KeptCounts {
        marks: kept.marks,
        bytes: b"counted again".to_vec(),
    };
    keep(&store, 1, &smaller);
    assert_eq!(read_kept(&store, 1), Some(smaller.clone()));
    drop(store);
    assert!(problems(&dir).is_empty());

    // A byte changed in the file: not read, and named by verify.
    let file = dir
        .database()
        .parent()
        .map(|d| d.join("counts").join("org-1"))
        .unwrap_or_default();
    let mut changed = ok(std::fs::read(&file));
    let last = changed.len() - 3;
    changed[last] ^= 1;
    ok(std::fs::write(&file, &changed));
    let store = ok(SqliteStore::open(&dir, PASSPHRASE));
    assert_eq!(read_kept(&store, 1), None, "damaged bytes are not read");
    drop(store);
    let found = problems(&dir);
    assert!(
        found.len() == 1 && found[0].contains("organisation 1"),
        "{found:?}"
    );

    // Facts kept at marks the store is no longer at (a restore, then other writes that
    // reach the same marks) are not taken for the store's.
    let store = ok(SqliteStore::open(&dir, PASSPHRASE));
    keep(&store, 1, &smaller);
    assert!(read_kept(&store, 1).is_some());
    let marks = ok(store.data_marks());
    keep(
        &store,
        1,
        &KeptCounts {
            marks: DataMarks {
                revisions: marks.revisions + 1,
                ..marks
            },
            bytes: smaller.bytes.clone(),
        },
    );
    write_arrest(&store, Sex::Male);
    assert!(ok(store.data_marks()).revisions > marks.revisions + 1);
    assert_eq!(
        read_kept(&store, 1),
        None,
        "kept at marks the store reached otherwise"
    );
}
