//! Evidence packages made from a real store and checked offline: intact, with a changed
//! byte, an added file, a changed manifest, the wrong key, and without consent.

use athar_app::{OrgId, Scope};
use athar_model::consent::{Answer, Consent, Purpose};
use athar_model::*;
use athar_report::package::{PackageError, verify_package};
use athar_store::evidence::{EvidenceKind, EvidenceVault, NewEvidence};
use athar_store::{Change, ChangeSet, DataDir, SqliteStore, Store};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn create(store: &SqliteStore, body: RecordBody) -> RecordId {
    let id = RecordId::new();
    ok(store.write(ChangeSet {
        author: "test".into(),
        action: "test".into(),
        owner: None,
        changes: vec![Change::Create { id, body }],
    }));
    id
}

struct Case {
    _tmp: tempfile::TempDir,
    store: SqliteStore,
    person: RecordId,
    statement: Vec<u8>,
    key: String,
}

fn case(consent: &[Purpose]) -> Case {
    let tmp = ok(tempfile::tempdir());
    let store = ok(SqliteStore::create(
        &DataDir::new(tmp.path().join("d")),
        "package test pass",
        "test",
    ));
    let source = create(
        &store,
        RecordBody::Source(Source {
            kind: "family-testimony".into(),
            title: "Interview with the mother".into(),
            reliability: Reliability::B,
            credibility: Credibility::new(2).unwrap_or(Credibility::CANNOT_BE_JUDGED),
            ..Default::default()
        }),
    );
    let cite = vec![Citation {
        source,
        locator: None,
    }];
    let person = create(
        &store,
        RecordBody::Person(Person {
            names: vec![PersonName {
                script: Script::Arab,
                full: Some("سامر الحمصي".into()),
                ..Default::default()
            }],
            consent: consent
                .iter()
                .map(|p| Consent {
                    purpose: *p,
                    answer: Answer::Given,
                    date: FuzzyDate::default(),
                    by: Some("the mother".into()),
                })
                .collect(),
            sources: cite.clone(),
            ..Default::default()
        }),
    );
    let arrest = create(
        &store,
        RecordBody::Event(Event {
            kind: "arrest".into(),
            start: ok(FuzzyDate::parse("2019-03")),
            unit: Some("mi-branch-235".into()),
            sources: cite.clone(),
            ..Default::default()
        }),
    );
    create(
        &store,
        RecordBody::Involvement(Involvement {
            event: arrest,
            person,
            role: Role::Victim,
            acts: Vec::new(),
            verification: Verification::Alleged,
            sources: cite,
        }),
    );
    let statement = "شهادة الأم: اعتُقل سامر عند الحاجز في آذار 2019.\n"
        .repeat(5000)
        .into_bytes();
    ok(store.ingest(
        1,
        "test",
        NewEvidence {
            kind: EvidenceKind::Original,
            derived_from: None,
            media_type: "text/plain".into(),
            filename: Some("statement.txt".into()),
            description: None,
            about: vec![person],
        },
        &mut statement.as_slice(),
        1 << 22,
    ));
    let key = ok(store.keyring().default_organisation()).public_key();
    Case {
        _tmp: tmp,
        store,
        person,
        statement,
        key,
    }
}

fn build(case: &Case, purpose: Purpose) -> Result<Vec<u8>, PackageError> {
    let path = case._tmp.path().join(format!("{}.tar", purpose.code()));
    let file = ok(std::fs::File::create(&path));
    Scope::new(&case.store, OrgId::new(1), "test").evidence_package(case.person, purpose, file)?;
    Ok(ok(std::fs::read(&path)))
}

#[test]
fn an_intact_package_verifies_offline_and_records_its_export() {
    let c = case(&[Purpose::Wgeid]);
    let bytes = ok(build(&c, Purpose::Wgeid));
    let report = verify_package(&mut bytes.as_slice(), &c.key);
    assert!(report.ok(), "{:?}", report.problems);
    // Person, event, involvement, source, the statement.
    assert_eq!(report.files, 5);
    assert_eq!(report.purpose, Some(Purpose::Wgeid));
    // The statement travels as its original bytes.
    let found = bytes.windows(200).any(|w| w == &c.statement[..200]);
    assert!(found);
    let head = ok(c.store.audit_head());
    assert_eq!(head.action, "evidence.export");
    let custody = ok(c
        .store
        .audit_about(&ok(c.store.evidence_about(c.person))[0].id.to_string()));
    let actions: Vec<&str> = custody.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["evidence.ingest", "evidence.export"]);
}

#[test]
fn any_changed_byte_added_file_or_wrong_key_is_named() {
    let c = case(&[Purpose::Iiim]);
    let bytes = ok(build(&c, Purpose::Iiim));
    // One byte of the statement.
    let at = bytes
        .windows(200)
        .position(|w| w == &c.statement[..200])
        .unwrap_or_else(|| panic!("statement not found"));
    let mut changed = bytes.clone();
    changed[at + 50] ^= 0x01;
    let report = verify_package(&mut changed.as_slice(), &c.key);
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0].contains("statement.txt has changed"),
        "{:?}",
        report.problems
    );

    // One byte of a record.
    let record_at = bytes
        .windows(9)
        .position(|w| w == b"mi-branch")
        .unwrap_or_else(|| panic!("record not found"));
    let mut changed = bytes.clone();
    changed[record_at] = b'M';
    let report = verify_package(&mut changed.as_slice(), &c.key);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.starts_with("records/event-") && p.contains("has changed")),
        "{:?}",
        report.problems
    );

    // The manifest itself: the signature no longer holds.
    let manifest_at = bytes
        .windows(14)
        .position(|w| w == b"\"created_by\": ")
        .unwrap_or_else(|| panic!("manifest not found"));
    let mut changed = bytes.clone();
    changed[manifest_at + 15] ^= 0x01;
    let report = verify_package(&mut changed.as_slice(), &c.key);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("not signed by this key")),
        "{:?}",
        report.problems
    );

    // Another key.
    let other = case(&[]);
    let report = verify_package(&mut bytes.as_slice(), &other.key);
    assert!(!report.ok());

    // A file slipped in.
    let mut builder = tar::Builder::new(Vec::new());
    let mut archive = tar::Archive::new(bytes.as_slice());
    for entry in ok(archive.entries()) {
        let mut entry = ok(entry);
        let mut header = entry.header().clone();
        let path = ok(entry.path()).into_owned();
        let mut data = Vec::new();
        ok(std::io::Read::read_to_end(&mut entry, &mut data));
        ok(builder.append_data(&mut header, path, data.as_slice()));
    }
    let mut header = tar::Header::new_gnu();
    header.set_size(5);
    ok(builder.append_data(&mut header, "evidence/extra.txt", &b"hello"[..]));
    let added = ok(builder.into_inner());
    let report = verify_package(&mut added.as_slice(), &c.key);
    assert_eq!(
        report.problems,
        vec!["evidence/extra.txt is not in the manifest (added)".to_string()]
    );

    // Not a package at all.
    let report = verify_package(&mut &b"plain text, not a tar archive"[..], &c.key);
    assert!(!report.ok());
}

#[test]
fn no_package_without_the_consent_for_its_purpose() {
    let c = case(&[Purpose::Wgeid]);
    let refused = build(&c, Purpose::NamedPublication);
    assert!(matches!(
        refused,
        Err(PackageError::NoConsent(Purpose::NamedPublication))
    ));
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("publication with the name"), "{message}");
    assert!(!message.contains("سامر"));
}
