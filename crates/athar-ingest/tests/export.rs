//! Exports: formula cells defused, pseudonymised and consent-filtered exports, audited; the
//! Excel workbook right to left; an export imported into a fresh store gives the same
//! persons back, in every format, for generated persons and for values built to break a
//! file.

use athar_ingest::export::{ExportOptions, Format, escape_formula, export_persons};
use athar_ingest::import::{ImportOptions, import_table};
use athar_ingest::mapping::Mapping;
use athar_ingest::table::read_any;
use athar_model::consent::{Answer, Consent, Purpose};
use athar_model::*;
use athar_store::{Change, ChangeSet, DataDir, SqliteStore, Store};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn store() -> (tempfile::TempDir, SqliteStore) {
    let tmp = ok(tempfile::tempdir());
    let s = ok(SqliteStore::create(
        &DataDir::new(tmp.path().join("d")),
        "export test pass",
        "t",
    ));
    (tmp, s)
}

/// A mapping that names every column an export writes (key `id`).
const EXPORT_MAPPING: &str = "[list]\nkey = \"id\"\n[columns]\n\"name_ar\" = \"full_name\"\n\"name_latn\" = \"full_name\"\n\"sex\" = \"sex\"\n\"birth_date\" = \"birth_date\"\n\"mother_name\" = \"mother_name\"\n\"birthplace\" = \"birthplace\"\n\"identifiers\" = \"identifiers\"\n\"shredded\" = \"ignore\"\n\"pseudonymised\" = \"ignore\"\n";

/// Import an export's bytes into `store`, strictly.
fn import_into(store: &SqliteStore, bytes: &[u8]) -> athar_ingest::import::ImportReport {
    let mapping = ok(Mapping::parse(EXPORT_MAPPING, Vocabularies::embedded()));
    ok(import_table(
        store,
        &ok(read_any(bytes)),
        &mapping,
        &ImportOptions {
            list: "round trip".into(),
            check: false,
            strict: true,
            author: "t".into(),
            owner: None,
            vocabularies: None,
        },
    ))
}

/// A woman whose Latin name is a formula, who consented to anonymised publication, and
/// one who did not.
fn hiba_and_reem(s: &SqliteStore) {
    ok(s.write(ChangeSet {
        author: "t".into(),
        action: "t".into(),
        owner: None,
        changes: vec![
            Change::Create {
                id: RecordId::new(),
                body: person("هبة علي", "=HYPERLINK(\"http://evil\")", "1990", true),
            },
            Change::Create {
                id: RecordId::new(),
                body: person("ريم حسن", "Reem Hasan", "~1985", false),
            },
        ],
    }));
}

fn person(ar: &str, latn: &str, birth: &str, consent: bool) -> RecordBody {
    RecordBody::Person(Person {
        names: vec![
            PersonName {
                script: Script::Arab,
                full: Some(ar.into()),
                ..Default::default()
            },
            PersonName {
                script: Script::Latn,
                full: Some(latn.into()),
                ..Default::default()
            },
        ],
        sex: Sex::Female,
        birth_date: ok(FuzzyDate::parse(birth)),
        consent: if consent {
            vec![Consent {
                purpose: Purpose::AnonymisedPublication,
                answer: Answer::Given,
                date: FuzzyDate::default(),
                by: None,
            }]
        } else {
            Vec::new()
        },
        ..Default::default()
    })
}

/// The bytes of an export by organisation 1, with its report.
fn export_bytes(
    store: &SqliteStore,
    format: Format,
    pseudonymised: bool,
    purpose: Option<Purpose>,
) -> (Vec<u8>, athar_ingest::export::ExportReport) {
    let mut out = Vec::new();
    let report = ok(export_persons(
        store,
        &ExportOptions {
            format,
            table: athar_ingest::export::ExportTable::Persons,
            vocabularies: None,
            pseudonymised,
            purpose,
            author: "t".into(),
            org: 1,
        },
        &mut out,
    ));
    (out, report)
}

/// A text export: the text, the persons written and those left out without consent.
fn export(
    store: &SqliteStore,
    format: Format,
    pseudonymised: bool,
    purpose: Option<Purpose>,
) -> (String, usize, usize) {
    let (out, report) = export_bytes(store, format, pseudonymised, purpose);
    (
        ok(String::from_utf8(out)),
        report.persons,
        report.left_out_without_consent,
    )
}

#[test]
fn formulas_are_defused_and_identifying_parts_stay_home_when_asked() {
    assert_eq!(
        escape_formula("=HYPERLINK(\"http://x\")"),
        "'=HYPERLINK(\"http://x\")"
    );
    assert_eq!(escape_formula("-1+2"), "'-1+2");
    assert_eq!(escape_formula("@cmd"), "'@cmd");
    assert_eq!(escape_formula("محمد"), "محمد");
    let (_tmp, s) = store();
    hiba_and_reem(&s);
    let (csv, n, _) = export(&s, Format::Csv, false, None);
    assert_eq!(n, 2);
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(
        !csv.contains(",=HYPERLINK") && !csv.contains("\"=HYPERLINK"),
        "{csv}"
    );
    assert!(csv.contains("هبة علي"));
    assert_eq!(
        s.audit_head().map(|h| h.action).unwrap_or_default(),
        "export.persons"
    );

    let (csv, n, _) = export(&s, Format::Csv, true, None);
    assert_eq!(n, 2);
    assert!(!csv.contains("هبة") && !csv.contains("Reem"), "{csv}");
    assert!(
        csv.contains("1990") && csv.contains("~1985"),
        "what statistics need stays: {csv}"
    );

    let (json, n, left_out) = export(
        &s,
        Format::Json,
        false,
        Some(Purpose::AnonymisedPublication),
    );
    assert_eq!((n, left_out), (1, 1));
    assert!(json.contains("هبة علي") && !json.contains("ريم"));
}

#[test]
fn an_export_imported_into_a_fresh_store_gives_the_same_persons() {
    let (_tmp, a) = store();
    let people = [
        ("محمد الأحمد", "Mohammad al-Ahmad", "1990-03"),
        ("سامر, \"أبو علي\"", "Samer\nAbu Ali", "~1985"),
        ("هبة", "Heba", "2001/2002"),
    ];
    ok(a.write(ChangeSet {
        author: "t".into(),
        action: "t".into(),
        owner: None,
        changes: people
            .iter()
            .map(|(ar, la, b)| Change::Create {
                id: RecordId::new(),
                body: person(ar, la, b, false),
            })
            .collect(),
    }));
    let (csv, _, _) = export(&a, Format::Csv, false, None);
    let (_tmp2, b) = store();
    let report = import_into(&b, csv.as_bytes());
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(report.created, 3);
    let mut before: Vec<(Vec<PersonName>, FuzzyDate)> = ok(a.list(RecordKind::Person, None, 10))
        .into_iter()
        .filter_map(|r| match r.body {
            RecordBody::Person(p) => Some((p.names, p.birth_date)),
            _ => None,
        })
        .collect();
    let mut after: Vec<(Vec<PersonName>, FuzzyDate)> = ok(b.list(RecordKind::Person, None, 10))
        .into_iter()
        .filter_map(|r| match r.body {
            RecordBody::Person(p) => Some((p.names, p.birth_date)),
            _ => None,
        })
        .collect();
    before.sort_by(|x, y| format!("{x:?}").cmp(&format!("{y:?}")));
    after.sort_by(|x, y| format!("{x:?}").cmp(&format!("{y:?}")));
    assert_eq!(before, after);
}

/// An Excel export: one right-to-left sheet, the header row frozen, every value text — a
/// cell that looks like a formula stays a value — and readable back by the importer.
#[test]
fn an_excel_export_reads_right_to_left_and_runs_nothing() {
    let (_tmp, s) = store();
    hiba_and_reem(&s);
    let (bytes, report) = export_bytes(&s, Format::Xlsx, false, None);
    assert_eq!(report.persons, 2);
    assert!(bytes.starts_with(b"PK\x03\x04"));

    // The sheet's own XML: right to left, header frozen, no formula anywhere.
    let mut zip = ok(zip::ZipArchive::new(std::io::Cursor::new(&bytes)));
    let mut sheet = String::new();
    {
        use std::io::Read;
        let mut entry = ok(zip.by_name("xl/worksheets/sheet1.xml"));
        ok(entry.read_to_string(&mut sheet));
    }
    assert!(sheet.contains("rightToLeft=\"1\""), "{sheet}");
    assert!(sheet.contains("state=\"frozen\""), "{sheet}");
    assert!(!sheet.contains("<f>"), "a formula was written: {sheet}");
    // The second sheet holds the events, right to left too.
    let mut book = String::new();
    {
        use std::io::Read;
        let mut entry = ok(zip.by_name("xl/workbook.xml"));
        ok(entry.read_to_string(&mut book));
    }
    assert!(
        book.contains("name=\"persons\"") && book.contains("name=\"events\""),
        "{book}"
    );
    let mut events = String::new();
    {
        use std::io::Read;
        let mut entry = ok(zip.by_name("xl/worksheets/sheet2.xml"));
        ok(entry.read_to_string(&mut events));
    }
    assert!(events.contains("rightToLeft=\"1\""), "{events}");

    // Read back as the importer reads workbooks: the values as they were.
    let table = ok(read_any(&bytes));
    assert_eq!(table.headers[..3], ["id", "name_ar", "name_latn"]);
    let latin: Vec<&str> = table.rows.iter().map(|(_, r)| r[2].as_str()).collect();
    assert!(latin.contains(&"=HYPERLINK(\"http://evil\")"), "{latin:?}");
    let arabic: Vec<&str> = table.rows.iter().map(|(_, r)| r[1].as_str()).collect();
    assert!(arabic.contains(&"هبة علي"), "{arabic:?}");
}

/// What an export says of a person, as a comparable row.
type Seen = (String, String, String, String, String, String, String);

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
                p.identifiers
                    .iter()
                    .map(|i| format!("{}={}", i.kind, i.value))
                    .collect::<Vec<_>>()
                    .join(" "),
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
    for seed in 0..4 {
        let (_tmp_a, a) = store();
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
        for format in [Format::Csv, Format::Json, Format::Xlsx, Format::Uwazi] {
            let (bytes, _) = export_bytes(&a, format, false, None);
            let (_tmp_b, b) = store();
            let report = if format == Format::Uwazi {
                // Uwazi's format goes back in with the mapping `--suggest` proposes for it.
                let table = ok(read_any(&bytes));
                let text = athar_ingest::suggest::suggest(&table, Vocabularies::embedded());
                assert!(text.contains("format = \"uwazi\""), "{text}");
                let mapping = ok(Mapping::parse(&text, Vocabularies::embedded()));
                ok(import_table(
                    &b,
                    &table,
                    &mapping,
                    &ImportOptions {
                        list: "from uwazi".into(),
                        check: false,
                        strict: true,
                        author: "t".into(),
                        owner: None,
                        vocabularies: None,
                    },
                ))
            } else {
                import_into(&b, &bytes)
            };
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

/// A person with 170 identifiers (a cell of some 34,000 characters, beyond Excel's 32,767)
/// once made the whole organisation's workbook export fail. The cell keeps its beginning
/// and a note; the whole value is on the second sheet in parts that join back exactly.
#[test]
fn a_value_too_long_for_an_excel_cell_is_kept_whole_on_a_second_sheet() {
    use athar_ingest::export::{EXCEL_CELL_CHARS, LONG_CELLS_SHEET};
    let (_tmp, s) = store();
    let mut body = person("سامر الأحمد", "Samer al-Ahmad", "1980", true);
    if let RecordBody::Person(p) = &mut body {
        p.identifiers = (0..170)
            .map(|i| Identifier {
                kind: "national-id".into(),
                value: format!("{i:0>190}"),
            })
            .collect();
    }
    ok(s.write(ChangeSet {
        author: "t".into(),
        action: "t".into(),
        owner: None,
        changes: vec![Change::Create {
            id: RecordId::new(),
            body,
        }],
    }));
    let (csv, _, _) = export(&s, Format::Csv, false, None);
    let full = csv
        .lines()
        .nth(1)
        .and_then(|l| l.split(',').nth(7))
        .unwrap_or_default()
        .to_string();
    assert!(full.chars().count() > EXCEL_CELL_CHARS, "{}", full.len());
    let (bytes, report) = export_bytes(&s, Format::Xlsx, false, None);
    assert_eq!(report.persons, 1);
    let table = ok(read_any(&bytes));
    let cell = &table.rows[0].1[7];
    assert!(cell.chars().count() <= EXCEL_CELL_CHARS);
    assert!(
        cell.contains(LONG_CELLS_SHEET),
        "the cell says where the rest is"
    );
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let mut book: Xlsx<_> = ok(open_workbook_from_rs(std::io::Cursor::new(&bytes)));
    let parts = ok(book.worksheet_range(LONG_CELLS_SHEET));
    let joined: String = parts
        .rows()
        .skip(1)
        .filter(|r| r[1] == "identifiers")
        .map(|r| r[3].to_string())
        .collect();
    assert_eq!(joined, full);
}
