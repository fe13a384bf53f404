//! Every parser of a list takes anything thrown at it — random bytes, random text shaped
//! like CSV or JSON, broken workbooks, random mappings — and answers with a table or a
//! clear error, never a panic; an import of whatever it reads, in check mode, writes
//! nothing. (The same parsers have cargo-fuzz targets in `fuzz/` for longer runs.)

use athar_ingest::import::{ImportOptions, import_table};
use athar_ingest::mapping::Mapping;
use athar_ingest::table::read_any;
use athar_model::Vocabularies;
use athar_store::{DataDir, SqliteStore, Store};
use proptest::prelude::*;

const MAPPING: &str = "[list]\nname = \"Fuzz\"\nkey = \"id\"\n[columns]\n\"id\" = \"ignore\"\n\"name\" = \"full_name\"\n\"born\" = \"birth_date\"\n\"arrested\" = \"arrest.date\"\n\"where\" = \"arrest.place\"\n\"who\" = \"arrest.unit\"\n\"ids\" = \"identifiers\"\n";

/// Text shaped like a list: a header row of known and unknown names, rows of cells mixing
/// Arabic, dates, quotes, delimiters, formulas and control characters.
fn list_text() -> impl Strategy<Value = String> {
    let header = prop::sample::subsequence(
        vec![
            "id", "name", "born", "arrested", "where", "who", "ids", "x", "name",
        ],
        0..9,
    );
    let cell = prop_oneof![
        Just(String::new()),
        "[ء-ي ]{0,12}",
        "[0-9/~\\-]{0,12}",
        "[=+@\\-\"',;\t|:]{0,6}[a-z]{0,4}",
        "\\PC{0,8}",
        Just("حمص".to_string()),
        Just("Branch 235".to_string()),
        Just("national-id:123|passport:".to_string()),
    ];
    let delimiter = prop::sample::select(vec![",", ";", "\t", "|"]);
    (
        header,
        prop::collection::vec(prop::collection::vec(cell, 0..10), 0..12),
        delimiter,
    )
        .prop_map(|(header, rows, d)| {
            let mut text = header.join(d);
            text.push('\n');
            for row in rows {
                let cells: Vec<String> = row
                    .into_iter()
                    .map(|c| {
                        if c.contains(['"', '\n', ',', ';', '\t', '|']) {
                            format!("\"{}\"", c.replace('"', "\"\""))
                        } else {
                            c
                        }
                    })
                    .collect();
                text.push_str(&cells.join(d));
                text.push('\n');
            }
            text
        })
}

fn store() -> (tempfile::TempDir, SqliteStore) {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let s = SqliteStore::create(&DataDir::new(tmp.path().join("d")), "hostile pass", "t")
        .unwrap_or_else(|e| panic!("{e}"));
    (tmp, s)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_are_read_or_refused_never_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_any(&bytes);
        // The same behind the signature of each format.
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend_from_slice(&bytes);
        prop_assert!(read_any(&zip).is_err());
        let mut json = b"[".to_vec();
        json.extend_from_slice(&bytes);
        let _ = read_any(&json);
    }

    #[test]
    fn random_mappings_parse_or_say_why(text in "\\PC{0,200}", columns in prop::collection::vec(("[a-zء-ي ]{1,8}", "[a-z_:.\\-]{0,20}"), 0..6)) {
        let vocab = Vocabularies::embedded();
        let _ = Mapping::parse(&text, vocab);
        let mut toml = String::from("[columns]\n");
        for (column, field) in columns {
            toml.push_str(&format!("\"{column}\" = \"{field}\"\n"));
        }
        if let Err(e) = Mapping::parse(&toml, vocab) {
            prop_assert!(!e.to_string().is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 60, ..ProptestConfig::default() })]

    #[test]
    fn list_shaped_text_imports_in_check_mode_without_writing(text in list_text()) {
        let vocab = Vocabularies::embedded();
        let mapping = Mapping::parse(MAPPING, vocab).unwrap_or_else(|e| panic!("{e}"));
        let Ok(table) = read_any(text.as_bytes()) else { return Ok(()); };
        let (_tmp, s) = store();
        let before = s.audit_head().map(|h| h.seq).unwrap_or(0);
        let report = import_table(&s, &table, &mapping, &ImportOptions {
            list: "fuzz".into(),
            check: true,
            strict: false,
            author: "t".into(),
            owner: None,
            vocabularies: None,
        });
        if let Ok(report) = report {
            prop_assert!(!report.written);
            // Refusals name a line and a column (or what the row lacks, in parentheses).
            for refused in &report.refused {
                prop_assert!(refused.line >= 2);
                prop_assert!(
                    table.headers.contains(&refused.column) || refused.column.starts_with('('),
                    "{:?}", refused
                );
            }
        }
        prop_assert_eq!(s.audit_head().map(|h| h.seq).unwrap_or(0), before);
    }
}
