//! Export, then import into a fresh store, gives the same persons back — in every format,
//! for many generated persons and for values built to break a file: formula-like names,
//! quotes, commas, semicolons, right-to-left marks.

use athar_ingest::export::{ExportOptions, Format, export_persons};
use athar_ingest::import::{ImportOptions, import_table};
use athar_ingest::mapping::Mapping;
use athar_ingest::table::read_any;
use athar_model::*;
use athar_store::{Change, ChangeSet, DataDir, SqliteStore, Store};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn store(dir: &std::path::Path) -> SqliteStore {
    ok(SqliteStore::create(
        &DataDir::new(dir.to_path_buf()),
        "round trip test pass",
        "t",
    ))
}

/// What an export says of a person, as a comparable row.
type Seen = (String, String, String, String, String, String);

fn seen(store: &SqliteStore) -> Vec<Seen> {
    let name = |p: &Person, script: Script| {
        p.names
            .iter()
            .find(|n| n.script == script)
            .map(PersonName::display)
            .unwrap_or_default()
    };
    let mut out: Vec<Seen> = ok(store.list(RecordKind::Person, None, 10_000))
        .into_iter()
        .filter_map(|r| match r.body {
            RecordBody::Person(p) => Some((
                name(&p, Script::Arab),
                name(&p, Script::Latn),
                p.names
                    .iter()
                    .find_map(|n| n.mother.clone())
                    .unwrap_or_default(),
                p.birth_date.to_string(),
                format!("{:?}", p.sex),
                format!("{:?}", p.birthplace),
            )),
            _ => None,
        })
        .collect();
    out.sort();
    out
}

const HOSTILE: &[(&str, &str)] = &[
    ("=عمر|' /C calc'!A0", "=HYPERLINK(\"http://evil\")"),
    ("+963 علي", "+1 Ali"),
    ("-عمر", "-Omar"),
    ("@ريم", "@Reem"),
    ("هبة \"الكبرى\"، دمشق", "Hiba \"the elder\", Damascus"),
    ("\u{200F}محمد; أحمد", "Mohammad; Ahmad"),
    ("'سامر", "'Samer"),
];

fn persons(seed: u64) -> Vec<RecordBody> {
    let mut out: Vec<RecordBody> = athar_demo::generate(seed, 25)
        .flatten()
        .filter_map(|(_, body)| match body {
            RecordBody::Person(mut p) => {
                p.sources.clear();
                p.names.truncate(2);
                Some(RecordBody::Person(p))
            }
            _ => None,
        })
        .collect();
    for (ar, la) in HOSTILE {
        out.push(RecordBody::Person(Person {
            names: vec![
                PersonName {
                    script: Script::Arab,
                    full: Some((*ar).into()),
                    ..Default::default()
                },
                PersonName {
                    script: Script::Latn,
                    full: Some((*la).into()),
                    ..Default::default()
                },
            ],
            birth_date: ok(FuzzyDate::parse("~1980")),
            ..Default::default()
        }));
    }
    out
}

#[test]
fn every_format_gives_the_same_persons_back() {
    let mapping = ok(Mapping::parse(
        "[list]\nkey = \"id\"\n[columns]\n\"name_ar\" = \"full_name\"\n\"name_latn\" = \"full_name\"\n\"sex\" = \"sex\"\n\"birth_date\" = \"birth_date\"\n\"mother_name\" = \"mother_name\"\n\"birthplace\" = \"birthplace\"\n\"identifiers\" = \"ignore\"\n\"shredded\" = \"ignore\"\n\"pseudonymised\" = \"ignore\"\n",
        Vocabularies::embedded(),
    ));
    for seed in 0..4 {
        let tmp = ok(tempfile::tempdir());
        let a = store(&tmp.path().join("a"));
        ok(a.write(ChangeSet {
            author: "t".into(),
            action: "t".into(),
            owner: None,
            changes: persons(seed)
                .into_iter()
                .map(|body| Change::Create {
                    id: RecordId::new(),
                    body,
                })
                .collect(),
        }));
        let expected = seen(&a);
        for (i, format) in [Format::Csv, Format::Json, Format::Xlsx]
            .into_iter()
            .enumerate()
        {
            let mut bytes = Vec::new();
            ok(export_persons(
                &a,
                &ExportOptions {
                    format,
                    pseudonymised: false,
                    purpose: None,
                    author: "t".into(),
                    org: 1,
                },
                &mut bytes,
            ));
            let b = store(&tmp.path().join(format!("b{i}")));
            let table = ok(read_any(&bytes));
            let report = ok(import_table(
                &b,
                &table,
                &mapping,
                &ImportOptions {
                    list: "round trip".into(),
                    check: false,
                    strict: true,
                    author: "t".into(),
                    owner: None,
                },
            ));
            assert!(
                report.refused.is_empty(),
                "seed {seed} {format:?}: {:?}",
                report.refused
            );
            let got = seen(&b);
            for (x, y) in expected.iter().zip(&got) {
                assert_eq!(x, y, "seed {seed} {format:?}");
            }
            assert_eq!(expected.len(), got.len(), "seed {seed} {format:?}");
        }
    }
}
