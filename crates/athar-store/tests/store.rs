//! The embedded store against a real SQLCipher file: revisions, references, conflicts,
//! atomicity, the audit chain and tamper detection, that names never reach the disk in
//! plaintext, sealed identifying fields, the blind name index and crypto-shredding.

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
            owner: None,
            action: "test.create".into(),
            changes: vec![Change::Create { id, body }],
        })
        .unwrap_or_else(|e| panic!("write: {e}"));
    id
}

fn one(change: Change) -> ChangeSet {
    ChangeSet {
        author: "test".into(),
        owner: None,
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
        owner: None,
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

/// The ids of the persons a name search finds (at most ten).
fn found_ids(store: &SqliteStore, query: &str) -> Vec<RecordId> {
    store
        .find_persons(query, 10)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|r| r.id)
        .collect()
}

/// One number read behind the store's back, e.g. a count of rows.
fn count(dir: &DataDir, sql: &str) -> i64 {
    raw(dir).query_row(sql, [], |r| r.get(0)).unwrap_or(-1)
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
        // A byte that differs from the one it replaces, whatever that was.
        _ => format!(
            "substr({column}, 1, 2) || (CASE WHEN substr({column}, 3, 1) = x'5a' THEN x'5b' ELSE x'5a' END) || substr({column}, 4)"
        ),
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

/// Every value of every row of every table, as the holder of the file key reads it.
fn every_stored_value(dir: &DataDir) -> Vec<(String, Vec<u8>)> {
    let conn = raw(dir);
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    for table in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table}"))
            .unwrap_or_else(|e| panic!("{e}"));
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap_or_else(|e| panic!("{e}"));
        while let Ok(Some(row)) = rows.next() {
            for i in 0..columns {
                use rusqlite::types::ValueRef;
                let bytes = match row.get_ref(i).unwrap_or(ValueRef::Null) {
                    ValueRef::Text(b) | ValueRef::Blob(b) => b.to_vec(),
                    _ => continue,
                };
                out.push((table.clone(), bytes));
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn sealed_person() -> RecordBody {
    RecordBody::Person(Person {
        names: vec![
            PersonName {
                script: Script::Arab,
                given: Some("عبد الرحمن".into()),
                father: Some("خالد".into()),
                family: Some("الحلبي".into()),
                mother: Some("سعاد".into()),
                ..Default::default()
            },
            PersonName {
                script: Script::Latn,
                given: Some("Abdulrahman".into()),
                family: Some("Al-Halabi".into()),
                ..Default::default()
            },
        ],
        identifiers: vec![Identifier {
            kind: "national-id".into(),
            value: "03010987654".into(),
        }],
        contact: Some("+963 944 123 456".into()),
        notes: Some("brother lives in Gaziantep".into()),
        sex: Sex::Male,
        birth_date: FuzzyDate::parse("1988").unwrap_or_default(),
        ..Default::default()
    })
}

#[test]
fn identifying_fields_are_sealed_inside_the_file_too() {
    let (_tmp, dir, store) = new_store();
    let person = create(&store, sealed_person());
    let event = create(
        &store,
        RecordBody::Event(Event {
            kind: "arrest".into(),
            start: FuzzyDate::parse("2019-03").unwrap_or_default(),
            narrative: Some("taken at the Jdeidet Yabous crossing by Branch 235".into()),
            ..Default::default()
        }),
    );
    // Reading gives everything back.
    let got = store
        .get(RecordKind::Person, person)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.body, sealed_person());
    assert!(!got.shredded);
    let RecordBody::Event(e) = store
        .get(RecordKind::Event, event)
        .unwrap_or_else(|e| panic!("{e}"))
        .body
    else {
        panic!("an event")
    };
    assert_eq!(
        e.narrative.as_deref(),
        Some("taken at the Jdeidet Yabous crossing by Branch 235")
    );

    // Someone holding the file key (a compromised server, say) still reads none of it.
    let values = every_stored_value(&dir);
    assert!(values.iter().any(|(t, _)| t == "revisions"));
    for needle in [
        "عبد الرحمن",
        "الحلبي",
        "خالد",
        "سعاد",
        "Abdulrahman",
        "Halabi",
        "03010987654",
        "944 123",
        "Gaziantep",
        "Jdeidet Yabous",
    ] {
        for (table, value) in &values {
            assert!(
                !contains(value, needle.as_bytes()),
                "{needle} readable in table {table}"
            );
        }
    }
    // What statistics need stays in the clear.
    assert!(
        values
            .iter()
            .any(|(t, v)| t == "revisions" && contains(v, b"\"birth_date\":\"1988\""))
    );
    let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{:?}", report.problems);
}

#[test]
fn persons_are_found_by_any_spelling_of_their_names() {
    let (_tmp, _dir, store) = new_store();
    let wanted = create(&store, sealed_person());
    let other = create(
        &store,
        person("عبد الرحمن الخطيب", "Abd al-Rahman al-Khatib", "1990"),
    );
    let found = |q: &str| found_ids(&store, q);
    // Diacritics, alef forms and the article fold away; every word must match.
    assert_eq!(found("عَبْد الرَّحمن الحلبي"), vec![wanted]);
    assert_eq!(found("حلبي"), vec![wanted]);
    assert_eq!(found("halabi"), vec![wanted]);
    assert_eq!(found("عبد الرحمن"), vec![wanted, other]);
    assert_eq!(found("Khatib Abd"), vec![other]);
    assert!(found("Halabi Khatib").is_empty());
    assert!(found("  ").is_empty());
    assert!(found("نزار").is_empty());

    // A new revision re-indexes the names: the old spelling no longer finds the person.
    store
        .write(one(Change::Update {
            id: other,
            expected_rev: Some(1),
            body: person("عبد الرحمن النجار", "Abd al-Rahman al-Najjar", "1990"),
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(found("Khatib").is_empty());
    assert_eq!(found("najjar"), vec![other]);
    // A deleted person is not found.
    store
        .write(one(Change::Delete {
            kind: RecordKind::Person,
            id: other,
            expected_rev: Some(2),
            reason: "entered twice".into(),
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(found("najjar").is_empty());
    let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{:?}", report.problems);
}

#[test]
fn shredding_destroys_the_identifying_parts_of_every_revision() {
    let (_tmp, dir, store) = new_store();
    let id = create(&store, sealed_person());
    let mut second = sealed_person();
    if let RecordBody::Person(p) = &mut second {
        p.notes = Some("moved to Sednaya in 2015".into());
    }
    store
        .write(one(Change::Update {
            id,
            expected_rev: Some(1),
            body: second,
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        store.shred(RecordKind::Person, id, "test", " "),
        Err(StoreError::Invalid { .. })
    ));
    let written = store
        .shred(
            RecordKind::Person,
            id,
            "test",
            "the family withdrew consent",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(written.revisions, vec![(id, 3)]);

    let now = store
        .get(RecordKind::Person, id)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(now.shredded);
    let RecordBody::Person(p) = &now.body else {
        panic!("a person")
    };
    assert!(p.names.is_empty() && p.identifiers.is_empty() && p.notes.is_none());
    // What statistics need is still there.
    assert_eq!(p.birth_date, FuzzyDate::parse("1988").unwrap_or_default());
    assert_eq!(p.sex, Sex::Male);

    let history = store
        .history(RecordKind::Person, id)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(history.len(), 3);
    assert!(history.iter().all(|r| r.shredded));
    assert_eq!(history[2].op, Operation::Shred);
    assert_eq!(
        history[2].reason.as_deref(),
        Some("the family withdrew consent")
    );
    for r in &history {
        let RecordBody::Person(p) = &r.body else {
            panic!("a person")
        };
        assert!(p.names.is_empty() && p.notes.is_none());
    }
    assert!(
        store
            .find_persons("Halabi", 10)
            .unwrap_or_default()
            .is_empty()
    );
    let head = store.audit_head().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(head.action, "record.shred");

    // No key of the record is left; the chain still verifies.
    let conn = raw(&dir);
    let keys: i64 = conn
        .query_row(
            "SELECT count(*) FROM record_keys WHERE record_id = ?1",
            [id.as_bytes().as_slice()],
            |r| r.get(0),
        )
        .unwrap_or(-1);
    assert_eq!(keys, 0);
    let tags: i64 = conn
        .query_row(
            "SELECT count(*) FROM name_index WHERE record_id = ?1",
            [id.as_bytes().as_slice()],
            |r| r.get(0),
        )
        .unwrap_or(-1);
    assert_eq!(tags, 0);
    let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{:?}", report.problems);

    // A new revision after shredding is sealed under a new key and readable again.
    store
        .write(one(Change::Update {
            id,
            expected_rev: Some(3),
            body: person("مجهول", "Unknown", "1988"),
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    let now = store
        .get(RecordKind::Person, id)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!now.shredded);
    let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{:?}", report.problems);
}

#[test]
fn verify_notices_a_lost_or_damaged_data_key_and_a_changed_sealed_part() {
    // A key destroyed behind the store's back, not by shredding.
    let (_tmp, dir) = populated();
    raw(&dir)
        .execute_batch(
            "DELETE FROM record_keys WHERE record_id = (SELECT min(record_id) FROM record_keys);",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let problem = first_problem(&dir);
    assert!(
        problem.contains("data key is missing although its record was never shredded"),
        "{problem}"
    );

    // A wrapped key changed by one byte.
    let (_tmp, dir) = populated();
    raw(&dir)
        .execute_batch(
            "UPDATE record_keys SET wrapped = substr(wrapped, 1, 30) || (CASE WHEN substr(wrapped, 31, 1) = x'00' THEN x'01' ELSE x'00' END) || substr(wrapped, 32)
             WHERE record_id = (SELECT min(record_id) FROM record_keys);",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let problem = first_problem(&dir);
    assert!(problem.contains("does not open"), "{problem}");

    // One byte of a sealed part: the revision no longer matches its hash.
    let (_tmp, dir) = populated();
    tamper(&dir, "revisions", "sealed", 2);
    let problem = first_problem(&dir);
    assert!(problem.starts_with("revision entry 2:"), "{problem}");
}

/// A store whose index an earlier version wrote (other keys, or none) is indexed again
/// when it is opened, once, and then finds its persons in every spelling.
#[test]
fn an_index_of_an_earlier_version_is_rebuilt_when_the_store_opens() {
    let (_tmp, dir, store) = new_store();
    let wanted = create(&store, sealed_person());
    let gone = create(&store, person("سامر الحلبي", "Samer al-Halabi", "1980"));
    store
        .write(one(Change::Delete {
            kind: RecordKind::Person,
            id: gone,
            expected_rev: Some(1),
            reason: "entered twice".into(),
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    drop(store);
    let conn = raw(&dir);
    conn.execute_batch(
        "DELETE FROM name_index; INSERT INTO name_index (tag, record_id) VALUES (42, x'00');
         DELETE FROM meta WHERE key = 'name_index_version';",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    let store = SqliteStore::open(&dir, PASSPHRASE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found_ids(&store, "Halabi"), vec![wanted]);
    assert_eq!(found_ids(&store, "الحلبي"), vec![wanted]);
    assert_eq!(
        count(&dir, "SELECT count(*) FROM name_index WHERE tag = 42"),
        0
    );
    drop(store);
    // Once: the next opening leaves the index as it is (a row put there stays).
    raw(&dir)
        .execute_batch("INSERT INTO name_index (tag, record_id) VALUES (43, x'00');")
        .unwrap_or_else(|e| panic!("{e}"));
    let _store = SqliteStore::open(&dir, PASSPHRASE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        count(&dir, "SELECT count(*) FROM name_index WHERE tag = 43"),
        1
    );
}

#[test]
fn names_written_in_bulk_mode_are_found_during_and_after_the_load() {
    let (_tmp, dir, store) = new_store();
    store.set_bulk_mode(true).unwrap_or_else(|e| panic!("{e}"));
    let first = create(&store, person("نور الهدى", "Nour al-Huda", "2001"));
    // While loading, the tags wait outside the index and are still searched.
    let found = store
        .find_persons("huda", 5)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found.iter().map(|r| r.id).collect::<Vec<_>>(), vec![first]);
    // Reading opened a connection; the load still writes through its rollback journal.
    let mode: String = raw(&dir)
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap_or_default();
    assert_eq!(mode, "delete");
    // An interrupted load: the store is dropped without leaving bulk mode.
    let second = create(&store, person("نور الدين", "Nour al-Din", "1999"));
    drop(store);
    assert!(count(&dir, "SELECT count(*) FROM name_tags_pending") > 0);
    // Opening again merges what was left.
    let store = SqliteStore::open(&dir, PASSPHRASE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count(&dir, "SELECT count(*) FROM name_tags_pending"), 0);
    let found: Vec<RecordId> = store
        .find_persons("نور", 5)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(found, vec![first, second]);
    let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{:?}", report.problems);
}

#[test]
fn a_bulk_load_while_another_process_has_the_store_open_goes_through_the_log() {
    let (_tmp, dir, store) = new_store();
    // Another process (a running server, say) keeps the store open.
    let other = raw(&dir);
    let entries: i64 = other
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap_or(-1);
    assert!(entries > 0);
    store.set_bulk_mode(true).unwrap_or_else(|e| panic!("{e}"));
    let id = create(&store, person("هالة الزعبي", "Hala al-Zoubi", "1992"));
    store.set_bulk_mode(false).unwrap_or_else(|e| panic!("{e}"));
    let mode: String = other
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap_or_default();
    assert_eq!(mode, "wal");
    assert_eq!(found_ids(&store, "Zoubi"), vec![id]);
    let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{:?}", report.problems);
}

#[test]
fn a_person_renamed_during_a_bulk_load_is_found_by_the_new_name_only() {
    let (_tmp, dir, store) = new_store();
    store.set_bulk_mode(true).unwrap_or_else(|e| panic!("{e}"));
    let found = |q: &str| found_ids(&store, q);
    // Renamed in a later transaction of the load: its waiting tags are replaced.
    let earlier = create(&store, person("سامر العلي", "Samer al-Ali", "1985"));
    store
        .write(one(Change::Update {
            id: earlier,
            expected_rev: Some(1),
            body: person("سامر الحسن", "Samer al-Hassan", "1985"),
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    // Created and renamed in the same transaction: only the second name is indexed.
    let same = RecordId::new();
    store
        .write(ChangeSet {
            author: "test".into(),
            owner: None,
            action: "test".into(),
            changes: vec![
                Change::Create {
                    id: same,
                    body: person("رامي الشامي", "Rami al-Shami", "1990"),
                },
                Change::Update {
                    id: same,
                    expected_rev: Some(1),
                    body: person("رامي الديري", "Rami al-Deiri", "1990"),
                },
            ],
        })
        .unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..2 {
        assert_eq!(found("Hassan"), vec![earlier]);
        assert_eq!(found("سامر"), vec![earlier]);
        assert!(found("Ali").is_empty());
        assert_eq!(found("Deiri"), vec![same]);
        assert!(found("Shami").is_empty());
        assert!(found("الشامي").is_empty());
        // The same answers once the load ends and the tags are merged into the index.
        store.set_bulk_mode(false).unwrap_or_else(|e| panic!("{e}"));
    }
    // Searches confirm every word against the opened names, so stale tags would not show
    // in results: count the index rows against persons written outside a bulk load.
    let hassan = create(&store, person("سامر الحسن", "Samer al-Hassan", "1985"));
    let deiri = create(&store, person("رامي الديري", "Rami al-Deiri", "1990"));
    let conn = raw(&dir);
    let tags = |id: RecordId| -> i64 {
        conn.query_row(
            "SELECT count(*) FROM name_index WHERE record_id = ?1",
            [id.as_bytes().as_slice()],
            |r| r.get(0),
        )
        .unwrap_or(-1)
    };
    assert!(tags(hassan) >= 4, "{}", tags(hassan));
    assert_eq!(tags(earlier), tags(hassan));
    assert_eq!(tags(same), tags(deiri));
    let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{:?}", report.problems);
}

#[test]
fn tags_an_interrupted_load_of_schema_7_left_waiting_are_merged_on_upgrade() {
    let (_tmp, dir, store) = new_store();
    let id = create(&store, person("ليلى المصري", "Layla al-Masri", "1979"));
    drop(store);
    // Put the store back as version 7 left it after an interrupted bulk load: the person's
    // tags waiting one row per tag in `name_index_pending`, not yet in the index.
    let indexed = count(&dir, "SELECT count(*) FROM name_index");
    assert!(indexed >= 4, "{indexed}");
    raw(&dir)
        .execute_batch(
            "DROP TABLE name_tags_pending;
         CREATE TABLE name_index_pending (
             record_id BLOB NOT NULL, tag INTEGER NOT NULL, PRIMARY KEY (record_id, tag)
         ) WITHOUT ROWID;
         INSERT INTO name_index_pending (record_id, tag) SELECT record_id, tag FROM name_index;
         DELETE FROM name_index;
         DROP INDEX audit_by_action;
         DROP TABLE drafts;
         ALTER TABLE heads DROP COLUMN facts;
         DELETE FROM meta WHERE key = 'count_facts_version';
         PRAGMA user_version = 7;",
        )
        .unwrap_or_else(|e| panic!("{e}"));

    let store = SqliteStore::open(&dir, PASSPHRASE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found_ids(&store, "Masri"), vec![id]);
    assert_eq!(count(&dir, "SELECT count(*) FROM name_index"), indexed);
    assert_eq!(count(&dir, "SELECT count(*) FROM name_tags_pending"), 0);
    assert_eq!(
        count(
            &dir,
            "SELECT count(*) FROM sqlite_master WHERE name = 'name_index_pending'"
        ),
        0
    );
}

#[test]
fn a_backup_taken_while_writing_restores_to_a_store_that_verifies() {
    let (tmp, dir, store) = new_store();
    for i in 0..20 {
        create(
            &store,
            person(
                "عبد الرحمن الحلبي",
                &format!("Abdulrahman al-Halabi {i}"),
                "1979",
            ),
        );
    }
    let evidence = store
        .ingest(
            1,
            "test",
            athar_store::evidence::NewEvidence {
                kind: athar_store::evidence::EvidenceKind::Original,
                derived_from: None,
                media_type: "text/plain".into(),
                filename: None,
                description: None,
                about: Vec::new(),
            },
            &mut sample_file(200_000).as_slice(),
            1 << 20,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let store = std::sync::Arc::new(store);
    // Keep writing from another thread while the backup runs.
    let writer = {
        let store = std::sync::Arc::clone(&store);
        std::thread::spawn(move || {
            for _ in 0..30 {
                create(&store, person("فاطمة الزهراء", "Fatima Alzahraa", "1985"));
            }
        })
    };
    let out = tmp.path().join("athar.backup");
    let summary = store
        .backup(&dir.key_file(), &out)
        .unwrap_or_else(|e| panic!("{e}"));
    writer.join().unwrap_or_else(|_| panic!("writer"));
    let bytes = std::fs::read(&out).unwrap_or_default();
    assert_eq!(bytes.len() as u64, summary.bytes);
    assert!(bytes.starts_with(b"ATHAR-BACKUP 2\n"));
    for needle in [
        "الحلبي".as_bytes(),
        b"Halabi",
        b"Fatima",
        b"SQLite format 3",
    ] {
        assert!(!contains(&bytes, needle), "readable in the backup");
    }
    // The live chain records the backup's hash.
    let recorded: (String, String) = raw(&dir)
        .query_row(
            "SELECT action, subject FROM audit WHERE seq = ?1",
            [summary.audit_seq],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or_default();
    let sha: String = athar_crypto::to_hex(&athar_crypto::sha256(&bytes));
    assert_eq!(recorded, ("store.backup".to_string(), sha.clone()));
    assert_eq!(summary.sha256, sha);
    assert!(
        store.backup(&dir.key_file(), &out).is_err(),
        "an existing file is not overwritten"
    );

    // A wrong passphrase or a changed byte restores nothing.
    let target = DataDir::new(tmp.path().join("restored"));
    assert!(matches!(
        SqliteStore::restore(&target, &out, &summary.keys_file, "not the passphrase"),
        Err(StoreError::WrongPassphrase) | Err(StoreError::Database(_))
    ));
    assert!(!target.is_initialised());
    let damaged = tmp.path().join("damaged.backup");
    let mut changed = bytes.clone();
    let at = changed.len() - 5000;
    changed[at] ^= 0x01;
    std::fs::write(&damaged, &changed).unwrap_or_else(|e| panic!("{e}"));
    assert!(SqliteStore::restore(&target, &damaged, &summary.keys_file, PASSPHRASE).is_err());
    assert!(!target.is_initialised());
    let not_a_backup = tmp.path().join("notes.txt");
    std::fs::write(&not_a_backup, "hello").unwrap_or_else(|e| panic!("{e}"));
    let err = SqliteStore::restore(&target, &not_a_backup, &summary.keys_file, PASSPHRASE).err();
    assert!(err.is_some_and(|e| e.to_string().contains("not an Athar backup")));

    let report = SqliteStore::restore(&target, &out, &summary.keys_file, PASSPHRASE)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok());
    let restored = SqliteStore::open(&target, PASSPHRASE).unwrap_or_else(|e| panic!("{e}"));
    let persons = restored.count(RecordKind::Person).unwrap_or(0);
    assert!((20..=50).contains(&persons), "{persons}");
    assert_eq!(
        restored
            .find_persons("halabi", 50)
            .map(|v| v.len())
            .unwrap_or(0),
        20
    );
    assert_eq!(
        restored.audit_head().map(|h| h.action).unwrap_or_default(),
        "store.restore"
    );
    let report = restored
        .verify(&mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{:?}", report.problems);
    // The evidence came along, exact.
    let mut back = Vec::new();
    restored
        .read_evidence(evidence.id, &mut back)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, sample_file(200_000));
    // Restoring over an existing store is refused.
    assert!(matches!(
        SqliteStore::restore(&target, &out, &summary.keys_file, PASSPHRASE),
        Err(StoreError::AlreadyInitialised(_))
    ));
}

fn sample_file(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let phrase = "شهادة عن الاعتقال في فرع فلسطين / testimony about Branch 235. ".as_bytes();
    while out.len() < len {
        out.extend_from_slice(phrase);
    }
    out.truncate(len);
    out
}

#[test]
fn evidence_is_kept_sealed_exact_and_its_custody_recorded() {
    use athar_store::evidence::{Custody, EvidenceKind, NewEvidence};
    let (_tmp, dir, store) = new_store();
    let org = store
        .keyring()
        .default_organisation()
        .map(|o| o.num)
        .unwrap_or(1);
    let data = sample_file(300_000);
    let new = |kind, derived_from| NewEvidence {
        kind,
        derived_from,
        media_type: "text/plain".into(),
        filename: Some("شهادة-أم-أحمد.txt".into()),
        description: Some("given by the mother in Gaziantep, 2024-05".into()),
        about: Vec::new(),
    };
    let item = store
        .ingest(
            org,
            "test",
            new(EvidenceKind::Original, None),
            &mut data.as_slice(),
            1 << 20,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        item.sha256,
        athar_crypto::to_hex(&athar_crypto::sha256(&data))
    );
    assert_eq!(item.size, data.len() as u64);
    let mut back = Vec::new();
    store
        .read_evidence(item.id, &mut back)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, data);
    let listed = store.evidence_of(org).unwrap_or_default();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].filename.as_deref(), Some("شهادة-أم-أحمد.txt"));

    // Nothing readable on disk or in the database: not the content, not the name.
    let file = dir
        .root
        .join("evidence")
        .join(athar_crypto::to_hex(item.id.as_bytes()));
    let sealed = std::fs::read(&file).unwrap_or_default();
    assert!(sealed.len() > data.len());
    assert!(!contains(&sealed, "فرع فلسطين".as_bytes()) && !contains(&sealed, b"Branch 235"));
    for (table, value) in every_stored_value(&dir) {
        assert!(
            !contains(&value, "أم-أحمد".as_bytes()),
            "file name readable in {table}"
        );
        assert!(
            !contains(&value, b"Gaziantep"),
            "description readable in {table}"
        );
    }

    // Copies name their original; too large a file keeps nothing.
    assert!(
        store
            .ingest(
                org,
                "test",
                new(EvidenceKind::Redacted, None),
                &mut &b"x"[..],
                100
            )
            .is_err()
    );
    let copy = store
        .ingest(
            org,
            "test",
            new(EvidenceKind::Transcript, Some(item.id)),
            &mut &b"transcript"[..],
            100,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(copy.derived_from, Some(item.id));
    let files_before = std::fs::read_dir(dir.root.join("evidence"))
        .map(|d| d.count())
        .unwrap_or(0);
    let too_big = store.ingest(
        org,
        "test",
        new(EvidenceKind::Original, None),
        &mut data.as_slice(),
        1000,
    );
    assert!(matches!(too_big, Err(StoreError::TooLarge { limit: 1000 })));
    let files_after = std::fs::read_dir(dir.root.join("evidence"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(files_before, files_after);
    assert_eq!(store.evidence_of(org).unwrap_or_default().len(), 2);

    let entry = store
        .custody("test", item.id, Custody::Download)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(entry.action, "evidence.download");
    let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{:?}", report.problems);

    // One flipped byte in the file is found by verify and refused on reading.
    let mut changed = sealed.clone();
    changed[100_000] ^= 0x20;
    std::fs::write(&file, &changed).unwrap_or_else(|e| panic!("{e}"));
    let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert!(
        problems
            .iter()
            .any(|p| p.contains(&format!("item {}", item.id)) && p.contains("damaged")),
        "{problems:?}"
    );
    assert!(store.read_evidence(item.id, &mut Vec::new()).is_err());
    std::fs::write(&file, &sealed).unwrap_or_else(|e| panic!("{e}"));

    // A changed hash in the table, behind the store's back, is found too.
    raw(&dir)
        .execute_batch(
            "DROP TRIGGER evidence_never_changed;
             UPDATE evidence SET size = size + 1;",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("evidence_never_changed")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("differs from the one recorded at ingest")),
        "{problems:?}"
    );
}

#[test]
fn shredding_reaches_every_data_backup_once_older_keys_files_are_gone() {
    let (tmp, dir, store) = new_store();
    let gone = create(&store, sealed_person());
    let kept = create(&store, person("ريم العلي", "Reem al-Ali", "1990"));
    let first = tmp.path().join("monday.backup");
    let monday = store
        .backup(&dir.key_file(), &first)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(monday.keys >= 2);
    // The data backup holds no key: the keys file does.
    let bytes = std::fs::read(&first).unwrap_or_default();
    assert!(!bytes.is_empty() && monday.keys_file.exists());

    store
        .shred(RecordKind::Person, gone, "test", "the family asked for it")
        .unwrap_or_else(|e| panic!("{e}"));
    let second = tmp.path().join("tuesday.backup");
    let tuesday = store
        .backup(&dir.key_file(), &second)
        .unwrap_or_else(|e| panic!("{e}"));
    // Monday's keys file is destroyed, as the documentation asks after a shredding.
    std::fs::remove_file(&monday.keys_file).unwrap_or_else(|e| panic!("{e}"));

    // Monday's data, restored with Tuesday's keys: the shredded person stays unreadable,
    // and the restored store records the shredding; everyone else is intact.
    let target = DataDir::new(tmp.path().join("restored"));
    let report = SqliteStore::restore(&target, &first, &tuesday.keys_file, PASSPHRASE)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{:?}", report.problems);
    let restored = SqliteStore::open(&target, PASSPHRASE).unwrap_or_else(|e| panic!("{e}"));
    let got = restored
        .get(RecordKind::Person, gone)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(got.shredded);
    let RecordBody::Person(p) = &got.body else {
        panic!("a person")
    };
    assert!(p.names.is_empty() && p.identifiers.is_empty());
    let history = restored
        .history(RecordKind::Person, gone)
        .unwrap_or_default();
    assert!(history.iter().all(|r| r.shredded));
    let other = restored
        .get(RecordKind::Person, kept)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(other.body, person("ريم العلي", "Reem al-Ali", "1990"));
    let report = restored
        .verify(&mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{:?}", report.problems);
    // Nothing in Monday's files can bring the name back: it is in no data backup in the
    // clear, and its key is in no keys file that still exists.
    let target2 = DataDir::new(tmp.path().join("again"));
    assert!(SqliteStore::restore(&target2, &first, &monday.keys_file, PASSPHRASE).is_err());

    // Keys of another store do not fit.
    let (other_tmp, other_dir, other_store) = new_store();
    let foreign = other_tmp.path().join("x.backup");
    let foreign = other_store
        .backup(&other_dir.key_file(), &foreign)
        .unwrap_or_else(|e| panic!("{e}"));
    let target3 = DataDir::new(tmp.path().join("mixed"));
    let err = SqliteStore::restore(&target3, &second, &foreign.keys_file, PASSPHRASE).err();
    assert!(err.is_some_and(|e| e.to_string().contains("another store")));
    assert!(!target3.is_initialised());
}

/// A linkage run is kept as it was found, and a probability changed afterwards is named.
#[test]
fn linkage_runs_are_kept_whole_and_checked_against_the_chain() {
    let (_tmp, dir, store) = new_store();
    let a = create(&store, person("محمد الحلبي", "Mohammad al-Halabi", "1980"));
    let b = create(&store, person("محمد حلبي", "Mohamed Halabi", "1980"));
    let org = store
        .keyring()
        .default_organisation()
        .unwrap_or_else(|e| panic!("{e}"))
        .num;
    assert!(store.latest_linkage_run(org).ok().flatten().is_none());
    let run = store
        .save_linkage_run(NewLinkageRun {
            org,
            actor: "test".into(),
            lists: vec![],
            threshold: 0.9,
            model: "{}".into(),
            summary: "{}".into(),
            members: vec![b, a],
            // Given in the wrong order: kept in canonical order.
            pairs: vec![ScoredPair {
                a: b.max(a),
                b: b.min(a),
                probability: 0.97,
                why: "[]".into(),
            }],
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let latest = store
        .latest_linkage_run(org)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no run"));
    assert_eq!((latest.id, latest.audit_seq), (run.id, run.audit_seq));
    let mut members = vec![a, b];
    members.sort();
    assert_eq!(store.linkage_members(run.id).ok(), Some(members));
    let pairs = store.linkage_pairs(run.id).unwrap_or_default();
    assert_eq!((pairs[0].a, pairs[0].b), (a.min(b), a.max(b)));
    assert!(store.verify(&mut |_| {}).map(|r| r.ok()).unwrap_or(false));
    let head = store.audit_head().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(head.action, "link.run");

    drop(store);
    raw(&dir)
        .execute("UPDATE linkage_pairs SET probability = 0.2", [])
        .unwrap_or_else(|e| panic!("{e}"));
    let store = SqliteStore::open(&dir, PASSPHRASE).unwrap_or_else(|e| panic!("{e}"));
    let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert_eq!(
        (report.problems[0].table, report.problems[0].seq),
        ("linkage", Some(run.id))
    );
}

/// The data version moves with every write, sharing change and deletion — what cached
/// figures depend on — and stands still while records are only read or figures computed.
#[test]
fn the_data_version_moves_with_writes_and_sharing_and_not_with_reads() {
    let (_tmp, _dir, store) = new_store();
    let version = || store.data_version().unwrap_or_else(|e| panic!("{e}"));
    let empty = version();
    let id = create(&store, person("محمد", "Mohammad", "1990"));
    let written = version();
    assert_ne!(empty, written);
    // Reading and auditing reads change nothing counted.
    store
        .get(RecordKind::Person, id)
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .audit("analyst", "stats", None)
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .audit("analyst", "report", Some("pdf ar sha256:00"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(version(), written);
    // Sharing with another organisation changes what it can count.
    let other = store
        .create_organisation("admin", "Partner")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(version(), written, "a new organisation counts nothing yet");
    store
        .set_shares(
            "admin",
            RecordKind::Person,
            id,
            &[Share {
                org: other.num,
                mode: ShareMode::Full,
            }],
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let shared = version();
    assert_ne!(shared, written);
    // A deletion is a revision.
    store
        .write(one(Change::Delete {
            kind: RecordKind::Person,
            id,
            expected_rev: None,
            reason: "duplicate".into(),
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(version(), shared);
}

/// What changed since a mark: each record with a revision after it, once, whatever the
/// revision (creation, edit, deletion), and the mark to ask from next time; nothing named
/// beyond the number asked for at most.
#[test]
fn the_records_changed_since_a_mark_are_each_named_once() {
    let (_tmp, _dir, store) = new_store();
    let marks = || store.data_marks().unwrap_or_else(|e| panic!("{e}"));
    let first = create(&store, person("محمد", "Mohammad", "1990"));
    let at = marks();
    assert_eq!(
        at.to_string(),
        store.data_version().unwrap_or_else(|e| panic!("{e}"))
    );
    let changed_since = |mark: i64, at_most: usize| {
        store
            .changed_since(mark, at_most)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let (last, none) = changed_since(at.revisions, 10).unwrap_or_default();
    assert_eq!((last, none.len()), (at.revisions, 0));
    let second = create(&store, person("أحمد", "Ahmad", "1985"));
    let current = store
        .get(RecordKind::Person, second)
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .write(one(Change::Update {
            id: second,
            expected_rev: Some(current.rev),
            body: person("أحمد", "Ahmed", "1985"),
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .write(one(Change::Delete {
            kind: RecordKind::Person,
            id: first,
            expected_rev: None,
            reason: "duplicate".into(),
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    let (last, changed) = changed_since(at.revisions, 10).unwrap_or_default();
    assert_eq!(
        changed,
        vec![(RecordKind::Person, second), (RecordKind::Person, first)]
    );
    assert_eq!(last, marks().revisions);
    assert!(last > at.revisions);
    // More records than asked for at most: none named, the caller starts afresh.
    assert!(changed_since(at.revisions, 1).is_none());
    assert!(changed_since(at.revisions, 2).is_some());
}

/// Prepared change sets creating one person each, with the given names.
fn prepared_persons(store: &SqliteStore, names: &[(&str, &str)]) -> Vec<(RecordId, Prepared)> {
    names
        .iter()
        .map(|(arabic, latin)| {
            let id = RecordId::new();
            let set = one(Change::Create {
                id,
                body: person(arabic, latin, "1990"),
            });
            let prepared = prepare(set, Vocabularies::embedded(), &store.keyring())
                .unwrap_or_else(|e| panic!("{e}"));
            (id, prepared)
        })
        .collect()
}

fn header() -> WriteHeader {
    WriteHeader {
        author: "test".into(),
        action: "test.stream".into(),
        owner: None,
    }
}

#[test]
fn a_streamed_write_is_one_transaction_with_one_audit_entry() {
    let (_tmp, _dir, store) = new_store();
    let before = store.audit_head().unwrap_or_else(|e| panic!("{e}"));
    let parts = prepared_persons(
        &store,
        &[
            ("ماهر الحلبي", "Maher al-Halabi"),
            ("عمر الحمصي", "Omar al-Homsi"),
        ],
    );
    let ids: Vec<RecordId> = parts.iter().map(|(id, _)| *id).collect();
    let mut parts = parts.into_iter().map(|(_, p)| p);
    let mut asked = 0;
    let written = store
        .write_stream(header(), &mut || {
            asked += 1;
            parts.next().map_or(NextPart::Done, NextPart::Part)
        })
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the stream was not abandoned"));
    assert_eq!(asked, 3);
    assert_eq!(written.revisions, 2);
    assert_eq!(written.audit_seq, before.seq + 1);
    let head = store.audit_head().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(head.seq, written.audit_seq);
    assert_eq!(head.action, "test.stream");
    assert_eq!(found_ids(&store, "Halabi"), vec![ids[0]]);
    assert_eq!(found_ids(&store, "الحمصي"), vec![ids[1]]);
    let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{:?}", report.problems);
}

#[test]
fn an_abandoned_or_failing_stream_writes_nothing() {
    let (_tmp, _dir, store) = new_store();
    let before = store.audit_head().unwrap_or_else(|e| panic!("{e}"));
    let unchanged = |store: &SqliteStore| {
        assert_eq!(store.count(RecordKind::Person).unwrap_or(99), 0);
        assert_eq!(
            store.audit_head().unwrap_or_else(|e| panic!("{e}")).seq,
            before.seq
        );
        assert!(found_ids(store, "Idlibi").is_empty());
    };
    // Abandoned after a part was written.
    let mut parts = prepared_persons(&store, &[("سعيد الإدلبي", "Said al-Idlibi")])
        .into_iter()
        .map(|(_, p)| p);
    let abandoned = store
        .write_stream(header(), &mut || {
            parts.next().map_or(NextPart::Abandon, NextPart::Part)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(abandoned, None);
    unchanged(&store);
    // A later part fails (it updates a record that does not exist): the earlier ones go too.
    let mut parts = prepared_persons(&store, &[("سعيد الإدلبي", "Said al-Idlibi")])
        .into_iter()
        .map(|(_, p)| p)
        .chain(std::iter::once(
            prepare(
                one(Change::Update {
                    id: RecordId::new(),
                    expected_rev: Some(1),
                    body: person("سعيد", "Said", "1990"),
                }),
                Vocabularies::embedded(),
                &store.keyring(),
            )
            .unwrap_or_else(|e| panic!("{e}")),
        ));
    let failed = store.write_stream(header(), &mut || {
        parts.next().map_or(NextPart::Done, NextPart::Part)
    });
    assert!(
        matches!(failed, Err(StoreError::NotFound { .. })),
        "{failed:?}"
    );
    unchanged(&store);
    // A part prepared for another organisation than the stream's.
    let other = store
        .create_organisation("test", "Partner")
        .unwrap_or_else(|e| panic!("{e}"));
    let theirs = prepare(
        ChangeSet {
            owner: Some(other.num),
            ..one(Change::Create {
                id: RecordId::new(),
                body: person("سعيد الإدلبي", "Said al-Idlibi", "1990"),
            })
        },
        Vocabularies::embedded(),
        &store.keyring(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let before = store.audit_head().unwrap_or_else(|e| panic!("{e}"));
    let mut parts = std::iter::once(theirs);
    let refused = store.write_stream(header(), &mut || {
        parts.next().map_or(NextPart::Done, NextPart::Part)
    });
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(store.count(RecordKind::Person).unwrap_or(99), 0);
    assert_eq!(
        store.audit_head().unwrap_or_else(|e| panic!("{e}")).seq,
        before.seq
    );
}

/// Many concurrent readers share at most `READER_LIMIT` connections (each with its own page
/// cache), every read is answered, and the write-ahead log is emptied by `maintain` after
/// the writes and reads end — so neither memory nor the log grows with the load.
#[test]
fn readers_are_bounded_and_the_log_is_emptied() {
    let (_tmp, dir, store) = new_store();
    let ids: Vec<RecordId> = (0..50)
        .map(|i| create(&store, person("محمد", &format!("Mohammad {i}"), "1990")))
        .collect();
    let store = std::sync::Arc::new(store);
    let most = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let threads: Vec<_> = (0..64)
        .map(|t| {
            let (store, ids, most) = (store.clone(), ids.clone(), most.clone());
            std::thread::spawn(move || {
                for round in 0..20 {
                    let id = ids[(t + round) % ids.len()];
                    let got = store
                        .get(RecordKind::Person, id)
                        .unwrap_or_else(|e| panic!("read: {e}"));
                    assert_eq!(got.id, id);
                    most.fetch_max(store.open_readers(), std::sync::atomic::Ordering::SeqCst);
                }
            })
        })
        .collect();
    for t in threads {
        t.join()
            .unwrap_or_else(|_| panic!("a reading thread failed"));
    }
    let most = most.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        (1..=athar_store::sqlite::READER_LIMIT).contains(&most),
        "{most} readers open at once"
    );
    let log = dir.database().with_extension("db-wal");
    let before = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
    assert!(before > 0, "the writes went through the log");
    let done = store.maintain().unwrap_or_else(|e| panic!("maintain: {e}"));
    assert!(done.emptied && done.log_bytes == before, "{done:?}");
    let after = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
    assert_eq!(after, 0, "the log was {before} bytes and is emptied");
    assert_eq!(
        store.get(RecordKind::Person, ids[7]).map(|r| r.id).ok(),
        Some(ids[7])
    );
}

/// A common name's persons, kept in memory after a search, follow every write — an edit
/// that takes the name away, a deletion, new persons, and a write by another handle on
/// the same store (another process) — exactly as the index on disk does.
#[test]
fn a_common_names_kept_persons_follow_every_write() {
    let (_tmp, dir, store) = new_store();
    // Enough persons named محمد that the search keeps their tags in memory.
    let names = ["محمد الحلبي", "محمد العلي", "محمد خليل"];
    let ids: Vec<RecordId> = (0..2_100).map(|_| RecordId::new()).collect();
    store
        .write(ChangeSet {
            author: "test".into(),
            owner: None,
            action: "test.create".into(),
            changes: ids
                .iter()
                .enumerate()
                .map(|(i, id)| Change::Create {
                    id: *id,
                    body: person(names[i % 3], "Mohammad", "1980"),
                })
                .collect(),
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let org = store
        .keyring()
        .default_organisation()
        .unwrap_or_else(|e| panic!("{e}"))
        .num;
    let all = |store: &SqliteStore| -> Vec<RecordId> {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .find_persons_for(org, "محمد", after, 500)
                .unwrap_or_else(|e| panic!("{e}"));
            out.extend(page.items.iter().map(|m| m.record.id));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        out.sort();
        out
    };
    assert_eq!(all(&store).len(), 2_100);
    // An edit takes the name away; a deletion; a new محمد.
    let current = store
        .get(RecordKind::Person, ids[5])
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .write(one(Change::Update {
            id: ids[5],
            expected_rev: Some(current.rev),
            body: person("خالد الحلبي", "Khaled Halabi", "1980"),
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .write(one(Change::Delete {
            kind: RecordKind::Person,
            id: ids[6],
            expected_rev: None,
            reason: "duplicate".into(),
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    let new = create(&store, person("محمد السوري", "Mohammad Souri", "1991"));
    // Another handle on the same store writes one more.
    let other = SqliteStore::open(&dir, PASSPHRASE).unwrap_or_else(|e| panic!("{e}"));
    let from_other = create(&other, person("محمد الشامي", "Mohammad Shami", "1977"));
    let mut expected: Vec<RecordId> = ids
        .iter()
        .copied()
        .filter(|id| *id != ids[5] && *id != ids[6])
        .chain([new, from_other])
        .collect();
    expected.sort();
    assert_eq!(all(&store), expected);
    // A fresh handle, which reads the index from disk, agrees.
    let fresh = SqliteStore::open(&dir, PASSPHRASE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all(&fresh), expected);
}
