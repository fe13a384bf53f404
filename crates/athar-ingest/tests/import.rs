//! Importing a list into a real store: row-level refusals, check mode, strict mode, once
//! only, changed rows as revisions, Windows-1256 files.

use athar_ingest::import::{ImportOptions, ImportReport, import_table, import_table_with_progress};
use athar_ingest::mapping::Mapping;
use athar_ingest::table::read_table;
use athar_model::*;
use athar_store::{DataDir, SqliteStore, Store};

const MAPPING: &str = r#"
[list]
source = "Partner spreadsheet, 2024"
key = "الرقم"

[columns]
"الاسم الكامل" = "full_name"
"Name (Latin)" = "full_name"
"اسم الأم" = "mother_name"
"الجنس" = "sex"
"المواليد" = "birth_date"
"الرقم الوطني" = "identifier:national-id"
"تاريخ العودة" = "return.date"
"العودة من" = "return.host_country"
"تاريخ الاعتقال" = "arrest.date"
"مكان الاعتقال" = "arrest.place"
"الجهة" = "arrest.unit"
"ملاحظات" = "ignore"

[values."الجنس"]
"ذ" = "male"
"#;

const LIST: &str = "الرقم,الاسم الكامل,Name (Latin),اسم الأم,الجنس,المواليد,الرقم الوطني,تاريخ العودة,العودة من,تاريخ الاعتقال,مكان الاعتقال,الجهة,ملاحظات,عمود إضافي
1,محمد أحمد الحلبي,Mohammad Ahmad al-Halabi,فاطمة,ذ,1990,01234567,2019-02,لبنان,2019-03-12,حمص,فرع فلسطين,\"ملاحظة
على سطرين\",x
2,سامر خالد,Samer Khaled,,ذكر,~1985,,2018,تركيا,2018-07,قرية مجهولة,Air Force Intelligence,,
3,رامي يوسف,,,ذكر,1992-13-45,,,,2020,,,,
4,هبة علي,,,أنثى,2001,,,,2021-05,دمشق,الوحدة المجهولة,,
";

fn store() -> (tempfile::TempDir, SqliteStore) {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = SqliteStore::create(
        &DataDir::new(tmp.path().join("d")),
        "import test pass",
        "test",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    (tmp, store)
}

fn options(check: bool, strict: bool) -> ImportOptions {
    ImportOptions {
        list: "Returnees 2024".into(),
        check,
        strict,
        author: "test".into(),
        owner: None,
        vocabularies: None,
    }
}

#[test]
fn good_rows_go_in_once_bad_rows_are_named_and_nothing_else_changes() {
    let (_tmp, store) = store();
    let mapping =
        Mapping::parse(MAPPING, Vocabularies::embedded()).unwrap_or_else(|e| panic!("{e}"));
    let table = read_table(LIST.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let persons = |s: &SqliteStore| s.count(RecordKind::Person).unwrap_or(99);

    // Checking writes nothing and says what would happen.
    let report = import_table(&store, &table, &mapping, &options(true, false))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((report.rows, report.created, report.written), (4, 2, false));
    assert_eq!(persons(&store), 0);
    // Row 3 (line 5): an impossible birth date; row 4 (line 6): an unknown unit. Named by
    // line and column, without the values.
    let refused: Vec<(u64, &str)> = report
        .refused
        .iter()
        .map(|r| (r.line, r.column.as_str()))
        .collect();
    assert_eq!(refused, vec![(5, "المواليد"), (6, "الجهة")]);
    assert!(
        report
            .refused
            .iter()
            .all(|r| !r.reason.contains("1992-13-45") && !r.reason.contains("الوحدة"))
    );
    // The unknown village is kept as written and noted; the extra column is reported.
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.line == 4 && w.column == "مكان الاعتقال")
    );
    assert_eq!(report.unmapped_columns, vec!["عمود إضافي".to_string()]);

    // Strict: one bad row refuses the file.
    let report = import_table(&store, &table, &mapping, &options(false, true))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!report.written);
    assert_eq!(persons(&store), 0);

    // For real: two persons, their events, one audit entry.
    let report = import_table(&store, &table, &mapping, &options(false, false))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.written);
    assert_eq!(persons(&store), 2);
    let found = store.find_persons("الحلبي", 5).unwrap_or_default();
    assert_eq!(found.len(), 1);
    let RecordBody::Person(p) = &found[0].body else {
        panic!("a person")
    };
    assert_eq!(p.sex, Sex::Male);
    assert_eq!(p.names.len(), 2, "Arabic and Latin names both kept");
    assert_eq!(p.names[0].mother.as_deref(), Some("فاطمة"));
    assert_eq!(p.identifiers[0].value, "01234567");
    let involvements = store
        .involvements_of_person(found[0].id)
        .unwrap_or_default();
    assert_eq!(involvements.len(), 2);
    let events: Vec<Event> = involvements
        .iter()
        .filter_map(|i| match &i.body {
            RecordBody::Involvement(inv) => store.get(RecordKind::Event, inv.event).ok(),
            _ => None,
        })
        .filter_map(|e| match e.body {
            RecordBody::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    let arrest = events
        .iter()
        .find(|e| e.kind == "arrest")
        .unwrap_or_else(|| panic!("arrest"));
    assert_eq!(arrest.unit.as_deref(), Some("mi-branch-235"));
    assert!(
        arrest.place.as_ref().is_some_and(|p| p.pcode.is_some()),
        "Homs found in the gazetteer"
    );
    let ret = events
        .iter()
        .find(|e| e.kind == "return")
        .unwrap_or_else(|| panic!("return"));
    assert_eq!(ret.host_country.as_deref(), Some("LB"));

    // Again: nothing new.
    let audit_before = store.audit_head().map(|h| h.seq).unwrap_or(0);
    let report = import_table(&store, &table, &mapping, &options(false, false))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            report.created,
            report.updated,
            report.unchanged,
            report.written
        ),
        (0, 0, 2, false)
    );
    assert_eq!(store.audit_head().map(|h| h.seq).unwrap_or(0), audit_before);

    // A corrected row (same key) becomes a revision, not a new person.
    let corrected = LIST.replace(
        "سامر خالد,Samer Khaled",
        "سامر خالد العمر,Samer Khaled al-Omar",
    );
    let table = read_table(corrected.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let report = import_table(&store, &table, &mapping, &options(false, false))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (0, 1, 1)
    );
    assert_eq!(persons(&store), 2);
    let samer = store.find_persons("omar", 5).unwrap_or_default();
    assert_eq!(samer.len(), 1);
    assert_eq!(samer[0].rev, 2);
    let report = store.verify(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{:?}", report.problems);
}

#[test]
fn a_windows_1256_file_imports_the_same_as_utf8() {
    let (_tmp, store) = store();
    let mapping =
        Mapping::parse(MAPPING, Vocabularies::embedded()).unwrap_or_else(|e| panic!("{e}"));
    let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(LIST);
    let table = read_table(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(table.encoding, "windows-1256");
    let report = import_table(&store, &table, &mapping, &options(false, false))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.created, 2);
    assert_eq!(
        store
            .find_persons("محمد الحلبي", 5)
            .map(|v| v.len())
            .unwrap_or(0),
        1
    );
}

/// A list exported from another organisation's Uwazi: its own columns (Date added,
/// Template, Published …), a thesaurus value `Group::Value`, a date range `from~to`, a
/// multi-select `a|b`, and a name that holds a `|` of its own.
#[test]
fn an_uwazi_export_is_read_with_the_suggested_mapping() {
    let csv = "Title,Date added,Template,Date of arrest,Place of arrest,Perpetrator,Gender,Notes,Geolocation,Documents,Attachments,Published
محمد أحمد الحلبي,2024-05-01,Victim,2019-03-01~2019-03-31,Homs,Military Intelligence::Branch 235,Male,\"first|second\",34.7|36.7,/files/a.pdf,,Published
Samer | Khaled,2024-05-02,Victim,2018-07-12,Damascus,Air Force Intelligence,Male|Female,,,,,Unpublished
";
    let table = read_table(csv.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let vocab = Vocabularies::embedded();
    let suggested = athar_ingest::suggest::suggest(&table, vocab);
    for line in [
        "format = \"uwazi\"",
        "\"Title\" = \"full_name\"",
        "\"Date added\" = \"ignore\"",
        "\"Published\" = \"ignore\"",
        "\"Gender\" = \"sex\"",
    ] {
        assert!(suggested.contains(line), "{line} not in:\n{suggested}");
    }
    // The user names what the guess could not.
    let text = suggested
        .lines()
        .filter(|l| !l.trim_start().starts_with("# \"") && !l.contains("\"Date of arrest\"") && !l.contains("\"Place of arrest\"") && !l.contains("\"Perpetrator\"") && !l.contains("\"Notes\""))
        .collect::<Vec<_>>()
        .join("\n")
        .replace(
            "[columns]",
            "[columns]\n\"Date of arrest\" = \"arrest.date\"\n\"Place of arrest\" = \"arrest.place\"\n\"Perpetrator\" = \"arrest.unit\"\n\"Notes\" = \"notes\"",
        );
    let mapping = Mapping::parse(&text, vocab).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(mapping.uwazi);
    let (_tmp, s) = store();
    let report =
        import_table(&s, &table, &mapping, &options(false, true)).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    let persons: Vec<Person> = s
        .list(RecordKind::Person, None, 10)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter_map(|r| match r.body {
            RecordBody::Person(p) => Some(p),
            _ => None,
        })
        .collect();
    let names: Vec<String> = persons.iter().map(|p| p.names[0].display()).collect();
    assert!(names.contains(&"محمد أحمد الحلبي".to_string()), "{names:?}");
    assert!(
        names.contains(&"Samer | Khaled".to_string()),
        "a name keeps its own |: {names:?}"
    );
    assert!(
        persons.iter().all(|p| p.sex == Sex::Male),
        "the first of Male|Female"
    );
    assert!(
        persons
            .iter()
            .any(|p| p.notes.as_deref() == Some("first|second"))
    );
    let events: Vec<Event> = s
        .list(RecordKind::Event, None, 10)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter_map(|r| match r.body {
            RecordBody::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    let march = events
        .iter()
        .find(|e| e.start.to_string().starts_with("2019"))
        .unwrap_or_else(|| panic!("{events:?}"));
    assert_eq!(
        march.start.bounds(),
        FuzzyDate::parse("2019-03").ok().and_then(|d| d.bounds()),
        "the range 1–31 March 2019: {}",
        march.start
    );
    assert_eq!(
        march.unit.as_deref(),
        Some("mi-branch-235"),
        "the thesaurus value under its group"
    );
    assert_eq!(
        march.place.as_ref().and_then(|p| p.pcode.as_deref()),
        Some("SY04")
    );
    let unknown = Mapping::parse("[list]\nformat = \"kobo\"\n[columns]\n", vocab);
    assert!(unknown.is_err());
}

/// Rows are read and sealed a chunk at a time on every core; what each came to must still
/// be taken in file order, across chunk boundaries: refusals by line, a repeated key
/// refused where it repeats (not where it first appears), every other row written once.
#[test]
fn a_list_of_several_thousand_rows_is_reported_in_file_order() {
    let (_tmp, store) = store();
    let mapping =
        Mapping::parse(MAPPING, Vocabularies::embedded()).unwrap_or_else(|e| panic!("{e}"));
    let mut text = String::from("الرقم,الاسم الكامل,المواليد,تاريخ الاعتقال\n");
    let rows = 5_000;
    for n in 1..=rows {
        // Line n + 1 holds row n. Row 4,500 repeats row 10's key; rows 3,000 and 1,000 have
        // impossible birth dates.
        let key = if n == 4_500 { 10 } else { n };
        let birth = if n == 3_000 || n == 1_000 {
            "1990-13-40".to_string()
        } else {
            format!("{}", 1950 + n % 50)
        };
        text.push_str(&format!(
            "{key},سامر خالد {n},{birth},2019-0{}\n",
            1 + n % 9
        ));
    }
    let table = read_table(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let expected = vec![(1_001, "المواليد"), (3_001, "المواليد"), (4_501, "الرقم")];
    let refused = |report: &ImportReport| -> Vec<(u64, String)> {
        report
            .refused
            .iter()
            .map(|r| (r.line, r.column.clone()))
            .collect()
    };
    let expected: Vec<(u64, String)> = expected
        .into_iter()
        .map(|(line, column)| (line, column.to_string()))
        .collect();

    // Strict: the first refusal (in the first chunk) stops the write, yet every row is
    // still read and each refusal reported; nothing at all is written, not even the list.
    let audit_before = store.audit_head().map(|h| h.seq).unwrap_or(0);
    let strict = import_table(&store, &table, &mapping, &options(false, true))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(refused(&strict), expected);
    assert!(!strict.written);
    assert_eq!(store.count(RecordKind::Person).unwrap_or(99), 0);
    assert_eq!(store.count(RecordKind::Source).unwrap_or(99), 0);
    assert_eq!(store.audit_head().map(|h| h.seq).unwrap_or(0), audit_before);

    let mut seen_progress = Vec::new();
    let report = import_table_with_progress(
        &store,
        &table,
        &mapping,
        &options(false, false),
        &mut |rows| {
            seen_progress.push(rows);
            std::ops::ControlFlow::Continue(())
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(refused(&report), expected);
    // The progress only ever goes forward, and ends at the last row.
    assert!(seen_progress.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(seen_progress.last(), Some(&rows));
    assert!(seen_progress.len() >= 3, "{seen_progress:?}");
    assert_eq!(
        store.audit_head().map(|h| h.seq).unwrap_or(0),
        audit_before + 1
    );
    assert!(report.refused[2].reason.contains("earlier in the file"));
    assert_eq!(report.created, rows - 3);
    assert_eq!(
        store.count(RecordKind::Person).unwrap_or(0),
        (rows - 3) as u64
    );
    // Row 10 is the one kept under its key, not row 4,500.
    assert_eq!(store.find_persons("4500", 5).unwrap_or_default().len(), 0);
    assert_eq!(store.find_persons("10", 5).unwrap_or_default().len(), 1);
    // The same file again writes nothing.
    let again = import_table(&store, &table, &mapping, &options(false, false))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (again.created, again.updated, again.unchanged, again.written),
        (0, 0, rows - 3, false)
    );
}

/// A name's script is that of most of its letters, and a birthplace is a place, never a
/// detention facility of the same name.
#[test]
fn stray_diacritics_keep_a_latin_name_latin_and_a_town_is_not_a_prison() {
    let (_tmp, store) = store();
    let list = "No.,Name,Born in\n1,Mohammad\u{064E} al-Ahmad,Adra\n2,مُحمّد الأحمد,عدرا\n";
    let mapping = "[list]\nkey = \"No.\"\n[columns]\n\"Name\" = \"full_name\"\n\"Born in\" = \"birthplace\"\n";
    let table = read_table(list.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let mapping =
        Mapping::parse(mapping, Vocabularies::embedded()).unwrap_or_else(|e| panic!("{e}"));
    let report = import_table(&store, &table, &mapping, &options(false, true))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.created, 2, "{:?}", report.refused);
    let persons: Vec<Person> = store
        .list(RecordKind::Person, None, 10)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| match r.body {
            RecordBody::Person(p) => Some(p),
            _ => None,
        })
        .collect();
    let scripts: Vec<Script> = persons.iter().map(|p| p.names[0].script).collect();
    assert!(
        scripts.contains(&Script::Latn) && scripts.contains(&Script::Arab),
        "{scripts:?}"
    );
    for p in &persons {
        let place = p.birthplace.clone().unwrap_or_default();
        assert!(
            place.facility.is_none(),
            "a birthplace became a facility: {place:?}"
        );
    }
}
