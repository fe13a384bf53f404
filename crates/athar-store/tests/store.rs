//! The embedded store against a real SQLCipher file: revisions, references, conflicts,
//! atomicity, the audit chain and tamper detection, and that names never reach the disk
//! in plaintext.

use athar_model::*;
use athar_store::*;
use rusqlite::Connection;

const PASSPHRASE: &str = "test passphrase for the store suite";

fn new_store() -> (tempfile::TempDir, DataDir, SqliteStore) {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dir = DataDir::new(tmp.path().join("data"));
    let store =
        SqliteStore::create(&dir, PASSPHRASE, "test").unwrap_or_else(|e| panic!("create: {e}"));
    (tmp, dir, store)
}

fn person(arabic: &str, latin: &str, birth: &str) -> RecordBody {
    RecordBody::Person(Person {
        names: vec![
            PersonName {
                script: Script::Arab,
                full: Some(arabic.into()),
                ..Default::default()
            },
            PersonName {
                script: Script::Latn,
                full: Some(latin.into()),
                ..Default::default()
            },
        ],
        sex: Sex::Male,
        birth_date: FuzzyDate::parse(birth).unwrap_or_default(),
        ..Default::default()
    })
}

fn create(store: &SqliteStore, body: RecordBody) -> RecordId {
    let id = RecordId::new();
    store
        .write(ChangeSet {
            author: "test".into(),
            action: "test.create".into(),
            changes: vec![Change::Create { id, body }],
        })
        .unwrap_or_else(|e| panic!("write: {e}"));
    id
}

fn one(change: Change) -> ChangeSet {
    ChangeSet {
        author: "test".into(),
        action: "test".into(),
        changes: vec![change],
    }
}

#[test]
fn records_keep_every_revision_and_deletion_needs_a_reason() {
    let (_tmp, _dir, store) = new_store();
    let id = create(&store, person("محمد الأحمد", "Mohammad al-Ahmad", "1990"));
    let updated = person("محمد الأحمد", "Muhammad al-Ahmad", "~1990-03");
    store
        .write(one(Change::Update {
            id,
            expected_rev: Some(1),
            body: updated.clone(),
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    let now = store
        .get(RecordKind::Person, id)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((now.rev, &now.body), (2, &updated));

    let stale = store.write(one(Change::Update {
        id,
        expected_rev: Some(1),
        body: updated.clone(),
    }));
    assert!(
        matches!(
            stale,
            Err(StoreError::Conflict {
                expected: 1,
                actual: 2,
                ..
            })
        ),
        "{stale:?}"
    );

    let no_reason = store.write(one(Change::Delete {
        kind: RecordKind::Person,
        id,
        expected_rev: None,
        reason: " ".into(),
    }));
    assert!(matches!(no_reason, Err(StoreError::Invalid { .. })));
    store
        .write(one(Change::Delete {
            kind: RecordKind::Person,
            id,
            expected_rev: Some(2),
            reason: "duplicate of another record".into(),
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    match store.get(RecordKind::Person, id) {
        Err(StoreError::Deleted {
            rev: 3,
            reason: Some(r),
            ..
        }) => assert_eq!(r, "duplicate of another record"),
        other => panic!("expected deleted, got {other:?}"),
    }
    let history = store
        .history(RecordKind::Person, id)
        .unwrap_or_else(|e| panic!("{e}"));
    let ops: Vec<_> = history.iter().map(|r| (r.rev, r.op)).collect();
    assert_eq!(
        ops,
        [
            (1, Operation::Create),
            (2, Operation::Update),
            (3, Operation::Delete)
        ]
    );
    assert_eq!(
        history[2].body, updated,
        "the deletion keeps the content it deleted"
    );
    assert_eq!(store.count(RecordKind::Person).unwrap_or(99), 0);
    let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.revisions, 3);
}

#[test]
fn invalid_or_dangling_changes_write_nothing() {
    let (_tmp, _dir, store) = new_store();
    let head_before = store.audit_head().unwrap_or_else(|e| panic!("{e}"));
    let good = RecordId::new();
    let event = RecordId::new();
    let result = store.write(ChangeSet {
        author: "test".into(),
        action: "test".into(),
        changes: vec![
            Change::Create {
                id: good,
                body: person("أحمد", "Ahmad", "1985"),
            },
            Change::Create {
                id: event,
                body: RecordBody::Event(Event {
                    kind: "arrest".into(),
                    ..Default::default()
                }),
            },
            Change::Create {
                id: RecordId::new(),
                body: RecordBody::Involvement(Involvement {
                    event,
                    person: RecordId::new(),
                    role: Role::Victim,
                    acts: vec![],
                    verification: Verification::Alleged,
                    sources: vec![],
                }),
            },
        ],
    });
    match result {
        Err(StoreError::Invalid { index: 2, errors }) => {
            assert_eq!(errors[0].field, "person");
            assert_eq!(errors[0].code, "reference.missing");
        }
        other => panic!("expected a dangling reference, got {other:?}"),
    }
    assert!(
        matches!(
            store.get(RecordKind::Person, good),
            Err(StoreError::NotFound { .. })
        ),
        "the valid part was not written either"
    );
    assert_eq!(
        store.audit_head().map(|h| h.seq).ok(),
        Some(head_before.seq)
    );

    let bad_kind = store.write(one(Change::Create {
        id: RecordId::new(),
        body: RecordBody::Event(Event {
            kind: "picnic".into(),
            ..Default::default()
        }),
    }));
    match bad_kind {
        Err(StoreError::Invalid { errors, .. }) => assert_eq!(errors[0].field, "kind"),
        other => panic!("{other:?}"),
    }
    assert!(store.verify(&mut |_| {}).map(|r| r.ok()).unwrap_or(false));
}

#[test]
fn involvements_link_people_and_events_both_ways() {
    let (_tmp, _dir, store) = new_store();
    let p = create(&store, person("خالد", "Khaled", "1980"));
    let e = create(
        &store,
        RecordBody::Event(Event {
            kind: "arrest".into(),
            ..Default::default()
        }),
    );
    let inv = create(
        &store,
        RecordBody::Involvement(Involvement {
            event: e,
            person: p,
            role: Role::Victim,
            acts: vec!["torture".into()],
            verification: Verification::Corroborated,
            sources: vec![],
        }),
    );
    let of_person: Vec<_> = store
        .involvements_of_person(p)
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.id)
        .collect();
    let of_event: Vec<_> = store
        .involvements_of_event(e)
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!((of_person, of_event), (vec![inv], vec![inv]));
    store
        .write(one(Change::Delete {
            kind: RecordKind::Involvement,
            id: inv,
            expected_rev: None,
            reason: "entered twice".into(),
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        store
            .involvements_of_person(p)
            .unwrap_or_default()
            .is_empty()
    );
}

#[test]
fn a_wrong_passphrase_opens_nothing() {
    let (_tmp, dir, store) = new_store();
    drop(store);
    assert!(matches!(
        SqliteStore::open(&dir, "not the passphrase"),
        Err(StoreError::WrongPassphrase)
    ));
    assert!(SqliteStore::open(&dir, PASSPHRASE).is_ok());
}

fn raw(dir: &DataDir) -> Connection {
    let key = dir.derive_key(PASSPHRASE).unwrap_or_else(|e| panic!("{e}"));
    let conn = Connection::open(dir.database()).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch(athar_store::unlock_statements(&key).as_str())
        .unwrap_or_else(|e| panic!("{e}"));
    conn
}

/// Change one byte of one column of one row, behind the store's back.
fn tamper(dir: &DataDir, table: &str, column: &str, seq: i64) {
    let conn = raw(dir);
    let guard = if table == "audit" {
        "audit_append_only"
    } else {
        "revisions_append_only"
    };
    let changed = match column {
        "at" => format!("{column} + 1"),
        "author" | "actor" | "action" => {
            format!("substr({column}, 1, 2) || 'Z' || substr({column}, 4)")
        }
        _ => format!("substr({column}, 1, 2) || x'5a' || substr({column}, 4)"),
    };
    let sql = format!(
        "DROP TRIGGER {guard};
         UPDATE {table} SET {column} = {changed} WHERE seq = {seq};
         CREATE TRIGGER {guard} BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, 'append-only'); END;"
    );
    conn.execute_batch(&sql).unwrap_or_else(|e| panic!("{e}"));
}

fn populated() -> (tempfile::TempDir, DataDir) {
    let (tmp, dir, store) = new_store();
    for (ar, la) in [("سامر", "Samer"), ("رامي", "Rami"), ("هبة", "Heba")] {
        create(&store, person(ar, la, "1992"));
    }
    let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{:?}", report.problems);
    (tmp, dir)
}

fn first_problem(dir: &DataDir) -> String {
    let store = SqliteStore::open(dir, PASSPHRASE).unwrap_or_else(|e| panic!("{e}"));
    let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(!report.ok(), "tampering went unnoticed");
    report.problems[0].to_string()
}

#[test]
fn verify_names_a_changed_revision() {
    for column in ["body", "author", "at", "record_id"] {
        let (_tmp, dir) = populated();
        tamper(&dir, "revisions", column, 2);
        let problem = first_problem(&dir);
        assert!(
            problem.starts_with("revision entry 2:"),
            "{column}: {problem}"
        );
    }
}

#[test]
fn verify_names_a_changed_audit_entry() {
    for column in ["action", "actor", "digest", "hash"] {
        let (_tmp, dir) = populated();
        tamper(&dir, "audit", column, 3);
        let problem = first_problem(&dir);
        assert!(
            problem.starts_with("audit entry 3:") || problem.starts_with("audit entry 4:"),
            "{column}: {problem}"
        );
    }
}

#[test]
fn verify_notices_a_removed_guard_and_a_deleted_entry() {
    let (_tmp, dir) = populated();
    raw(&dir)
        .execute_batch("DROP TRIGGER audit_never_deleted; DELETE FROM audit WHERE seq = 2;")
        .unwrap_or_else(|e| panic!("{e}"));
    let store = SqliteStore::open(&dir, PASSPHRASE).unwrap_or_else(|e| panic!("{e}"));
    let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let text: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert!(
        text.iter().any(|p| p.contains("audit_never_deleted")),
        "{text:?}"
    );
    assert!(
        text.iter().any(|p| p.starts_with("audit entry 3:")),
        "{text:?}"
    );
}

#[test]
fn a_flipped_byte_in_the_file_is_caught_by_page_authentication() {
    let (_tmp, dir) = populated();
    let path = dir.database();
    let mut bytes = std::fs::read(&path).unwrap_or_default();
    assert!(bytes.len() > 8192);
    let middle = bytes.len() - 4096 + 100;
    bytes[middle] ^= 0x01;
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    let store = SqliteStore::open(&dir, PASSPHRASE);
    let detected = match store {
        Err(_) => true,
        Ok(store) => match store.verify(&mut |_| {}) {
            Ok(report) => report.problems.iter().any(|p| p.table == "database"),
            Err(_) => true,
        },
    };
    assert!(detected, "a changed page went unnoticed");
}

#[test]
fn no_name_is_readable_in_the_database_files() {
    let (tmp, dir, store) = new_store();
    let names = [
        ("عبد الرحمن الحلبي", "Abdulrahman al-Halabi"),
        ("فاطمة الزهراء", "Fatima Alzahraa"),
    ];
    for (ar, la) in names {
        create(&store, person(ar, la, "1979"));
    }
    // With the store still open, the write-ahead log holds recent pages: check it too.
    let mut files = vec![];
    for entry in std::fs::read_dir(&dir.root).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.map(|e| e.path()).unwrap_or_default();
        files.push((
            path.display().to_string(),
            std::fs::read(&path).unwrap_or_default(),
        ));
    }
    assert!(
        files
            .iter()
            .any(|(p, b)| p.ends_with("athar.db") && !b.is_empty())
    );
    for (ar, la) in names {
        for needle in [ar.as_bytes(), la.as_bytes(), "الحلبي".as_bytes(), b"Halabi"] {
            for (path, bytes) in &files {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "{ar}/{la} readable in {path}"
                );
            }
        }
    }
    assert!(store.count(RecordKind::Person).unwrap_or(0) == 2);
    drop(tmp);
}
