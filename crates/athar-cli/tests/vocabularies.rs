//! An organisation's own vocabulary terms, added at runtime with `athar vocab`, are known
//! to its imports, counts and reports at once; and the fields casualty lists carry —
//! cause of death, civilian or combatant, the age group as stated, occupation, rank, the
//! perpetrator as written — come in from a list and are counted where they are terms.

use std::path::Path;
use std::process::Output;

mod common;
use common::{athar, json, ok};

fn fails(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "should fail: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A returnee list of an organisation working in France, and a casualty list's columns.
const LIST: &str = "\
الرقم,الاسم,البلد المضيف,تاريخ العودة,تاريخ الاعتقال,الجهة,تاريخ الوفاة,سبب الوفاة,الصفة,الفئة العمرية,المهنة,الرتبة,الفاعل كما ورد
1,سامر الأحمد,فرنسا,2024-03-02,2024-03-09,حاجز السبع بحرات,2024-05-01,تحت التعذيب,مدني,,طالب,,عناصر الحاجز
2,ريم الحلبي,فرانسا,2024-04-11,2024-04-20,حاجز السبع بحرات,,,مدني,طفل,,,
3,خالد الخطيب,لبنان,2024-02-01,2024-02-03,الأمن العسكري,2024-02-20,غرق,عسكري,بالغ,,مجند,
4,نور الشامي,تركيا,2024-01-05,,,2024-06-30,قصف جوي,مدني,طفلة,,,
";

const MAPPING: &str = r#"
[list]
name = "Returnees and casualties 2024"
key = "الرقم"

[columns]
"الاسم" = "full_name"
"البلد المضيف" = "forced-return.host_country"
"تاريخ العودة" = "forced-return.date"
"تاريخ الاعتقال" = "arrest.date"
"الجهة" = "arrest.unit"
"تاريخ الوفاة" = "killing.date"
"سبب الوفاة" = "killing.cause"
"الصفة" = "combatant_status"
"الفئة العمرية" = "age_group"
"المهنة" = "occupation"
"الرتبة" = "rank"
"الفاعل كما ورد" = "arrest.actor"

[values."الفئة العمرية"]
"طفلة" = "child"
"#;

fn cell(by: &serde_json::Value, key: &[&str]) -> u64 {
    by["cells"]
        .as_array()
        .and_then(|cells| {
            cells.iter().find(|c| {
                c["key"].as_array().is_some_and(|k| {
                    k.iter()
                        .map(|v| v.as_str())
                        .eq(key.iter().map(|s| Some(*s)))
                })
            })
        })
        .and_then(|c| c["persons"].as_u64())
        .unwrap_or(0)
}

/// The import's report, whether or not it refused rows.
fn import(data: &Path, list: &Path, mapping: &Path, check: bool) -> serde_json::Value {
    let list = list.display().to_string();
    let mapping = mapping.display().to_string();
    let mut args = vec!["import", &list, "--mapping", &mapping, "--json"];
    if check {
        args.push("--check");
    }
    let out = athar(data, &args);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn terms_an_organisation_adds_are_known_to_its_imports_counts_and_reports() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    ok(&athar(&data, &["init"]));
    let list = tmp.path().join("list.csv");
    std::fs::write(&list, LIST).unwrap_or_else(|e| panic!("{e}"));
    let mapping = tmp.path().join("mapping.toml");
    std::fs::write(&mapping, MAPPING).unwrap_or_else(|e| panic!("{e}"));

    // Before the terms exist, the rows naming them are refused, the unknown values shown.
    let before = import(&data, &list, &mapping, true);
    let mut lines: Vec<u64> = before["refused"]
        .as_array()
        .map(|r| r.iter().filter_map(|i| i["line"].as_u64()).collect())
        .unwrap_or_default();
    lines.dedup();
    assert_eq!(
        lines,
        [2, 3, 4],
        "France, the checkpoint and drowning: {before}"
    );
    let text = before.to_string();
    for value in ["فرنسا", "حاجز السبع بحرات", "غرق"] {
        assert!(
            text.contains(value),
            "the unknown value {value} is shown: {text}"
        );
    }

    // The organisation adds them, in both languages, with the spellings its lists use.
    ok(&athar(
        &data,
        &[
            "vocab",
            "add",
            "host-countries",
            "--id",
            "FR",
            "--en",
            "France",
            "--ar",
            "فرنسا",
        ],
    ));
    ok(&athar(
        &data,
        &[
            "vocab",
            "add",
            "units",
            "--id",
            "checkpoint-seven-lakes",
            "--en",
            "Seven Lakes checkpoint",
            "--ar",
            "حاجز السبع بحرات",
            "--authority",
            "assad-government",
            "--kind",
            "checkpoint",
        ],
    ));
    ok(&athar(
        &data,
        &[
            "vocab",
            "add",
            "causes-of-death",
            "--id",
            "drowning",
            "--en",
            "Drowning",
            "--ar",
            "غرق",
        ],
    ));
    // A second spelling is a new revision of the same term; its history shows both.
    ok(&athar(
        &data,
        &[
            "vocab",
            "set",
            "host-countries",
            "--id",
            "FR",
            "--alias-ar",
            "فرانسا",
        ],
    ));
    let history = json(&athar(
        &data,
        &["vocab", "history", "host-countries", "FR", "--json"],
    ));
    assert_eq!(history.as_array().map(Vec::len), Some(2), "{history}");
    // Shared terms keep their meaning, and an added term must make sense.
    let taken = fails(&athar(
        &data,
        &[
            "vocab",
            "add",
            "host-countries",
            "--id",
            "TR",
            "--en",
            "T",
            "--ar",
            "ت",
        ],
    ));
    assert!(taken.contains("already has this id"), "{taken}");
    let dangling = fails(&athar(
        &data,
        &[
            "vocab", "add", "units", "--id", "x", "--en", "X", "--ar", "س", "--parent", "nowhere",
        ],
    ));
    assert!(dangling.contains("term.parent"), "{dangling}");
    let added = json(&athar(&data, &["vocab", "list", "--added", "--json"]));
    assert_eq!(added.as_array().map(Vec::len), Some(3), "{added}");

    // Now every row goes in, and the counts know the new terms.
    let report = import(&data, &list, &mapping, false);
    assert_eq!(report["created"].as_u64(), Some(4), "{report}");
    assert_eq!(report["refused"], serde_json::json!([]), "{report}");
    let by_host = json(&athar(&data, &["stats", "--by", "host-country", "--json"]));
    assert_eq!(cell(&by_host, &["FR"]), 2, "{by_host}");
    let by_party = json(&athar(&data, &["stats", "--by", "unit", "--json"]));
    assert_eq!(
        cell(&by_party, &["checkpoint-seven-lakes"]),
        2,
        "{by_party}"
    );
    let summary = json(&athar(&data, &["stats", "--json"]));
    assert_eq!(
        summary["arrests_by_party"][0],
        serde_json::json!(["assad-government", 3]),
        "the checkpoint's authority is the party: {summary}"
    );

    // Causes of death and civilian status are counted; the stated age group counts where
    // no birth date decides.
    let by_cause = json(&athar(&data, &["stats", "--by", "kind,cause", "--json"]));
    assert_eq!(cell(&by_cause, &["killing", "torture"]), 1, "{by_cause}");
    assert_eq!(cell(&by_cause, &["killing", "drowning"]), 1, "{by_cause}");
    assert_eq!(cell(&by_cause, &["killing", "air-strike"]), 1, "{by_cause}");
    let by_status = json(&athar(
        &data,
        &["stats", "--by", "kind,combatant", "--json"],
    ));
    assert_eq!(cell(&by_status, &["killing", "civilian"]), 2, "{by_status}");
    assert_eq!(
        cell(&by_status, &["killing", "combatant"]),
        1,
        "{by_status}"
    );
    assert_eq!(summary["arrests_children"].as_u64(), Some(1), "{summary}");
    assert_eq!(
        summary["arrests_age_unknown"].as_u64(),
        Some(1),
        "{summary}"
    );

    // The report names the added unit by its label in each language.
    for (lang, label) in [("ar", "حاجز السبع بحرات"), ("en", "Seven Lakes checkpoint")]
    {
        let out = tmp.path().join(format!("report-{lang}.html"));
        ok(&athar(
            &data,
            &[
                "report",
                "--lang",
                lang,
                "--format",
                "html",
                "--out",
                &out.display().to_string(),
            ],
        ));
        let html = std::fs::read_to_string(&out).unwrap_or_default();
        assert!(html.contains(label), "{lang} report names {label}");
    }

    // An export carries each row's list key and, as a second file, the events with their
    // person: the list can be checked against it row by row.
    let persons_csv = tmp.path().join("persons.csv");
    let events_csv = tmp.path().join("events.csv");
    ok(&athar(
        &data,
        &[
            "export",
            "--out",
            &persons_csv.display().to_string(),
            "--events",
            &events_csv.display().to_string(),
        ],
    ));
    let read = |path: &Path| -> Vec<std::collections::HashMap<String, String>> {
        let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{e}"));
        let headers = reader.headers().cloned().unwrap_or_default();
        reader
            .records()
            .map(|r| {
                let r = r.unwrap_or_else(|e| panic!("{e}"));
                headers
                    .iter()
                    .map(str::to_string)
                    .zip(r.iter().map(str::to_string))
                    .collect()
            })
            .collect()
    };
    let persons = read(&persons_csv);
    let events = read(&events_csv);
    for (line, row) in LIST.lines().skip(1).enumerate() {
        let cells: Vec<&str> = row.split(',').collect();
        let key = cells[0];
        let person = persons
            .iter()
            .find(|p| p["list_key"] == key)
            .unwrap_or_else(|| panic!("row {} (key {key}) is in the export", line + 2));
        assert_eq!(person["name_ar"], cells[1]);
        assert_eq!(person["list_name"], "Returnees and casualties 2024");
        assert_eq!(person["occupation"], cells[10]);
        assert_eq!(person["rank"], cells[11]);
        let civilian = if cells[8] == "مدني" {
            "civilian"
        } else {
            "combatant"
        };
        assert_eq!(person["combatant_status"], civilian);
        let kinds: Vec<&str> = events
            .iter()
            .filter(|e| e["list_key"] == key && e["person_id"] == person["id"])
            .map(|e| e["kind"].as_str())
            .collect();
        let mut expected = vec!["forced-return"];
        if !cells[4].is_empty() {
            expected.push("arrest");
        }
        if !cells[6].is_empty() {
            expected.push("killing");
        }
        assert_eq!(kinds, expected, "key {key}, in journey order");
    }
    let death = events
        .iter()
        .find(|e| e["list_key"] == "1" && e["kind"] == "killing")
        .unwrap_or_else(|| panic!("a death"));
    assert_eq!(death["cause"], "torture");
    assert_eq!(death["start"], "2024-05-01");
    let arrest = events
        .iter()
        .find(|e| e["list_key"] == "1" && e["kind"] == "arrest")
        .unwrap_or_else(|| panic!("an arrest"));
    assert_eq!(arrest["actor"], "عناصر الحاجز");
    assert_eq!(arrest["unit"], "checkpoint-seven-lakes");

    // Pseudonymised, the key (which may be an ID number) and the perpetrator stay home.
    let hidden = tmp.path().join("hidden.csv");
    let hidden_events = tmp.path().join("hidden-events.csv");
    ok(&athar(
        &data,
        &[
            "export",
            "--pseudonymised",
            "--out",
            &hidden.display().to_string(),
            "--events",
            &hidden_events.display().to_string(),
        ],
    ));
    assert!(
        read(&hidden)
            .iter()
            .all(|p| p["list_key"].is_empty() && p["occupation"].is_empty())
    );
    let hidden_events = read(&hidden_events);
    assert_eq!(hidden_events.len(), events.len());
    assert!(
        hidden_events
            .iter()
            .all(|e| e["actor"].is_empty() && e["list_key"].is_empty())
    );
}
