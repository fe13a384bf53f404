//! Lists shaped as organisations keep them, imported with a mapping and no preprocessing,
//! give exactly the figures the list states — in `athar stats`, `athar stats --behind` and
//! the report — and the same figures in any fresh store, whatever order the rows come in.
//!
//! The lists are generated here from a seed, with the figures each one states computed
//! from the same rows by the rules a monitoring group applies (docs/DEFINITIONS.md): a
//! status column in Arabic, parties named without a unit, returns and arrests in the same
//! month at different precisions, `0000-00-00` and `1992-00-00` dates, unnamed victims.

use std::collections::BTreeMap;
use std::path::Path;

mod common;
use common::{athar, json, ok};

/// A small deterministic generator (xorshift), so each seed gives one list.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The figures a list states, counted from its rows.
#[derive(Debug, Default)]
struct Stated {
    arrests: u64,
    after_forced_return: u64,
    returnees: u64,
    disappeared: u64,
    detained: u64,
    died_in_custody: u64,
    dead: u64,
    released: u64,
    women: u64,
    children: u64,
    age_unknown: u64,
    sex_unknown: u64,
    by_party: BTreeMap<String, u64>,
}

const GIVEN: &[&str] = &["محمد", "أحمد", "خالد", "سامر", "ريم", "هبة", "نور", "علي"];
const FAMILY: &[&str] = &["الأحمد", "الحلبي", "الخطيب", "الشامي", "العلي", "النجار"];

/// The returnee list of an NGO: one row per person, the status in one column.
fn status_list(seed: u64, rows: usize) -> (Vec<String>, Stated) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut stated = Stated::default();
    let mut lines = Vec::new();
    for row in 1..=rows {
        let name = match rng.below(20) {
            0 | 1 => format!("مجهول الهوية {row}"),
            2 => String::new(),
            _ => format!(
                "{} {} {}",
                GIVEN[rng.below(GIVEN.len() as u64) as usize],
                GIVEN[rng.below(GIVEN.len() as u64) as usize],
                FAMILY[rng.below(FAMILY.len() as u64) as usize]
            ),
        };
        let sex = match rng.below(10) {
            0 => "",
            1..=4 => "أنثى",
            _ => "ذكر",
        };
        // Born an adult (to the day or the year only), a child, or unknown.
        let (birth, age) = match rng.below(10) {
            0 => ("0000-00-00".to_string(), "unknown"),
            1 | 2 => (format!("{:02}/05/2009", 1 + rng.below(28)), "child"),
            3 => (format!("{}-00-00", 1970 + rng.below(25)), "adult"),
            _ => (
                format!(
                    "19{}-{:02}-{:02}",
                    70 + rng.below(28),
                    1 + rng.below(12),
                    1 + rng.below(28)
                ),
                "adult",
            ),
        };
        let month = 1 + rng.below(9);
        // Returned in a month (to the day, or on a date nobody knows), then arrested the
        // same month or the next, the arrest known only to the month.
        let returned = rng.chance(70);
        let (return_date, host) = if returned {
            let date = if rng.chance(20) {
                "0000-00-00".to_string()
            } else {
                format!("2024-{month:02}-{:02}", 1 + rng.below(28))
            };
            (
                date,
                if rng.chance(50) {
                    "لبنان"
                } else {
                    "تركيا"
                },
            )
        } else {
            (String::new(), "")
        };
        let arrest_month = month + rng.below(2);
        let arrest = format!("{arrest_month:02}/2024");
        let (responsible, party) = match rng.below(5) {
            0 | 1 => ("فرع فلسطين", "assad-government"),
            2 => ("قوات سوريا الديمقراطية", "sdf"),
            3 => ("هيئة تحرير الشام", "hts"),
            _ => ("", "unknown"),
        };
        let fate_month = arrest_month + 2;
        let (fate, fate_date) = match rng.below(6) {
            0 => ("مختفٍ قسرياً", format!("2024-{fate_month:02}")),
            1 => ("معتقل - مكان الاحتجاز معروف", String::new()),
            2 => ("توفي تحت التعذيب", format!("2024-{fate_month:02}-00")),
            3 => ("أفرج عنه", format!("{fate_month:02}/2024")),
            4 => ("متوفى", String::new()),
            _ => ("غير معروف", String::new()),
        };
        // What the list states, by the rules the group counts by.
        stated.arrests += 1;
        if returned {
            stated.returnees += 1;
            stated.after_forced_return += 1;
        }
        match fate {
            "مختفٍ قسرياً" => stated.disappeared += 1,
            "معتقل - مكان الاحتجاز معروف" => stated.detained += 1,
            "توفي تحت التعذيب" => stated.died_in_custody += 1,
            "أفرج عنه" => stated.released += 1,
            // Dead, how not said: neither in custody nor killed.
            "متوفى" => stated.dead += 1,
            // Nothing stated: taken by agents of a party and not seen since is an
            // enforced disappearance; by nobody known, the status is unknown.
            _ if party != "unknown" => stated.disappeared += 1,
            _ => {}
        }
        match (sex, age) {
            ("أنثى", "adult") => stated.women += 1,
            ("", _) => stated.sex_unknown += 1,
            _ => {}
        }
        match age {
            "child" => stated.children += 1,
            "unknown" => stated.age_unknown += 1,
            _ => {}
        }
        *stated.by_party.entry(party.to_string()).or_default() += 1;
        lines.push(format!(
            "{row},{name},{sex},{birth},{return_date},{host},{arrest},{responsible},{fate},{fate_date}"
        ));
    }
    (lines, stated)
}

const STATUS_HEADER: &str =
    "الرقم,الاسم,الجنس,المواليد,تاريخ العودة,العودة من,تاريخ الاعتقال,الجهة,الحالة,تاريخ الحالة";

const STATUS_MAPPING: &str = r#"
[list]
name = "Returnees 2024"
key = "الرقم"
as_of = "2024-12"

[columns]
"الاسم" = "full_name"
"الجنس" = "sex"
"المواليد" = "birth_date"
"تاريخ العودة" = "forced-return.date"
"العودة من" = "forced-return.host_country"
"تاريخ الاعتقال" = "arrest.date"
"الجهة" = "arrest.unit"
"الحالة" = "fate"
"تاريخ الحالة" = "fate.date"

[values."الحالة"]
"مختفٍ قسرياً" = "enforced-disappearance"
"توفي تحت التعذيب" = "death-in-custody"
"معتقل - مكان الاحتجاز معروف" = "stated:detained"
"أفرج عنه" = "release"
"متوفى" = "stated:dead"
"غير معروف" = "none"
"#;

/// A fresh store with `lines` imported under `mapping`; its summary figures.
fn import_into(
    dir: &Path,
    name: &str,
    header: &str,
    lines: &[String],
    mapping: &str,
) -> std::path::PathBuf {
    let data = dir.join(name);
    ok(&athar(&data, &["init"]));
    let list = dir.join(format!("{name}.csv"));
    std::fs::write(&list, format!("{header}\n{}\n", lines.join("\n")))
        .unwrap_or_else(|e| panic!("{e}"));
    let map = dir.join(format!("{name}.toml"));
    std::fs::write(&map, mapping).unwrap_or_else(|e| panic!("{e}"));
    let report = json(&athar(
        &data,
        &[
            "import",
            &list.display().to_string(),
            "--mapping",
            &map.display().to_string(),
            "--json",
        ],
    ));
    assert_eq!(
        report["created"].as_u64(),
        Some(lines.len() as u64),
        "every row is a person: {report}"
    );
    data
}

fn figure(summary: &serde_json::Value, name: &str) -> u64 {
    summary[name]
        .as_u64()
        .unwrap_or_else(|| panic!("no {name} in {summary}"))
}

fn parties(summary: &serde_json::Value) -> BTreeMap<String, u64> {
    summary["arrests_by_party"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|pair| {
            (
                pair[0].as_str().unwrap_or_default().to_string(),
                pair[1].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn a_status_column_list_gives_the_figures_it_states_in_every_view_and_every_store() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (lines, stated) = status_list(2024, 120);
    let data = import_into(tmp.path(), "first", STATUS_HEADER, &lines, STATUS_MAPPING);
    let summary = json(&athar(&data, &["stats", "--json"]));
    for (name, expected) in [
        ("arrests", stated.arrests),
        ("victims", stated.arrests),
        ("arrests_after_forced_return", stated.after_forced_return),
        ("forced_returnees", stated.returnees),
        ("enforced_disappearances", stated.disappeared),
        ("arrests_then_disappeared", stated.disappeared),
        ("detained", stated.detained),
        ("died_in_custody", stated.died_in_custody),
        ("released", stated.released),
        ("dead", stated.dead),
        ("arrests_women", stated.women),
        ("arrests_children", stated.children),
        ("arrests_age_unknown", stated.age_unknown),
        ("arrests_sex_unknown", stated.sex_unknown),
    ] {
        assert_eq!(figure(&summary, name), expected, "{name}: {summary}");
        // The records behind each figure are as many as the figure.
        let behind = json(&athar(&data, &["stats", "--behind", name, "--json"]));
        assert_eq!(behind["count"].as_u64(), Some(expected), "{name} behind");
    }
    assert_eq!(parties(&summary), stated.by_party, "{summary}");
    // The report says the same figures.
    let report_file = tmp.path().join("report.json");
    ok(&athar(
        &data,
        &[
            "report",
            "--format",
            "json",
            "--out",
            &report_file.display().to_string(),
        ],
    ));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report_file).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        report["summary"],
        summary_without_linkage(&summary),
        "report"
    );

    // The same list in two more fresh stores, its rows in another order: the same figures.
    let mut reversed = lines.clone();
    reversed.reverse();
    let mut interleaved: Vec<String> = lines.iter().step_by(2).cloned().collect();
    interleaved.extend(lines.iter().skip(1).step_by(2).cloned());
    for (name, rows) in [("second", reversed), ("third", interleaved)] {
        let other = import_into(tmp.path(), name, STATUS_HEADER, &rows, STATUS_MAPPING);
        let again = json(&athar(&other, &["stats", "--json"]));
        assert_eq!(again, summary, "{name} store");
        let by = json(&athar(
            &other,
            &["stats", "--by", "party,sex,age", "--json"],
        ));
        let first = json(&athar(&data, &["stats", "--by", "party,sex,age", "--json"]));
        assert_eq!(by["cells"], first["cells"], "{name} store, breakdown");
    }
}

/// The summary as a report carries it (the report states no linkage of its own).
fn summary_without_linkage(summary: &serde_json::Value) -> serde_json::Value {
    let mut summary = summary.clone();
    if let Some(map) = summary.as_object_mut() {
        map.remove("linkage");
    }
    summary
}

#[test]
fn any_seed_gives_the_same_figures_in_stores_made_apart() {
    // Stores made apart have different keys, so different record ids: no figure may
    // depend on them. A handful of generated lists, each into two stores.
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for seed in [1u64, 7, 99, 12345] {
        let (lines, _) = status_list(seed, 40);
        let a = import_into(
            tmp.path(),
            &format!("a{seed}"),
            STATUS_HEADER,
            &lines,
            STATUS_MAPPING,
        );
        let mut shuffled = lines.clone();
        shuffled.rotate_left(seed as usize % lines.len());
        let b = import_into(
            tmp.path(),
            &format!("b{seed}"),
            STATUS_HEADER,
            &shuffled,
            STATUS_MAPPING,
        );
        assert_eq!(
            json(&athar(&a, &["stats", "--json"])),
            json(&athar(&b, &["stats", "--json"])),
            "seed {seed}"
        );
    }
}

#[test]
fn a_monitoring_groups_list_names_parties_without_units() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let header = "No.,Name,Date of arrest,Governorate,Party";
    let rows: Vec<String> = [
        "1,Unidentified 1,03/2024,Aleppo,قوات سوريا الديمقراطية",
        "2,Khaled Hamdan,2024-03-00,Idlib,هيئة تحرير الشام",
        "3,Rami Saleh,2024-04,Aleppo,الجيش الوطني",
        "4,Hiba Darwish,0000-00-00,Hasaka,SDF",
        "5,Unidentified 2,2024-05-12 00:00:00,Idlib,HTS",
        "6,Omar Khatib,2024-05,Aleppo,قوات سوريا الديمقراطية",
    ]
    .iter()
    .map(|r| r.to_string())
    .collect();
    let mapping = r#"
[list]
name = "Arrests H1 2024"
key = "No."
[columns]
"Name" = "full_name"
"Date of arrest" = "arrest.date"
"Governorate" = "arrest.place"
"Party" = "arrest.party"
"#;
    let data = import_into(tmp.path(), "group", header, &rows, mapping);
    let summary = json(&athar(&data, &["stats", "--json"]));
    assert_eq!(figure(&summary, "arrests"), 6);
    // Taken by a party and not seen since: enforced disappearances, all six.
    assert_eq!(figure(&summary, "enforced_disappearances"), 6);
    let expected: BTreeMap<String, u64> = [("sdf", 3), ("hts", 2), ("sna", 1)]
        .into_iter()
        .map(|(p, n)| (p.to_string(), n))
        .collect();
    assert_eq!(parties(&summary), expected, "{summary}");
    let by = json(&athar(&data, &["stats", "--by", "governorate", "--json"]));
    let cells: BTreeMap<String, u64> = by["cells"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["key"][0].as_str().unwrap_or_default().to_string(),
                c["victimisations"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(cells.values().sum::<u64>(), 6, "{by}");
    assert_eq!(cells.len(), 3, "Aleppo, Idlib and Hasakeh: {by}");
    // The party column's own words, had they named a unit, still land on the party.
    let unit_mapping = mapping.replace("arrest.party", "arrest.unit");
    let as_units = import_into(tmp.path(), "as-units", header, &rows, &unit_mapping);
    assert_eq!(
        json(&athar(&as_units, &["stats", "--json"])),
        summary,
        "a party in the unit column is the party"
    );
}

#[test]
fn alike_refusals_are_one_line_with_the_terms_a_vocabulary_lacks() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    ok(&athar(&data, &["init"]));
    let mut csv = String::from("No.,Name,Arrested,Unit,Place\n");
    for row in 1..=12 {
        let unit = match row % 3 {
            0 => "Criminal Security Branch 9",
            1 => "Division 25",
            _ => "Palestine Branch",
        };
        csv.push_str(&format!(
            "{row},Person {row},2024-0{},{unit},Nowhere Town {row}\n",
            1 + row % 9
        ));
    }
    let list = tmp.path().join("list.csv");
    std::fs::write(&list, csv).unwrap_or_else(|e| panic!("{e}"));
    let mapping = tmp.path().join("m.toml");
    std::fs::write(
        &mapping,
        "[list]\nname = \"Arrests\"\nkey = \"No.\"\n[columns]\n\"Name\" = \"full_name\"\n\"Arrested\" = \"arrest.date\"\n\"Unit\" = \"arrest.unit\"\n\"Place\" = \"arrest.place\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = athar(
        &data,
        &[
            "import",
            &list.display().to_string(),
            "--mapping",
            &mapping.display().to_string(),
            "--check",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let refused: Vec<&str> = text.lines().filter(|l| l.contains("refused:")).collect();
    assert_eq!(
        refused.len(),
        1,
        "one line for the eight alike refusals: {text}"
    );
    assert!(refused[0].contains("8 rows"), "{text}");
    assert!(
        refused[0].contains("\"Criminal Security Branch 9\" ×4")
            && refused[0].contains("\"Division 25\" ×4"),
        "{text}"
    );
    // The places kept as written are one note, and never quoted.
    let notes: Vec<&str> = text.lines().filter(|l| l.contains("note:")).collect();
    assert_eq!(notes.len(), 1, "{text}");
    assert!(
        notes[0].contains("4 rows") && !notes[0].contains("Nowhere"),
        "{text}"
    );
}

/// A casualty list counts victims nobody named by the number in a row ("two unidentified
/// victims of a car bomb"): each becomes an unnamed person in the row's event, counted
/// like anyone and never invented a name; importing again adds nobody.
#[test]
fn a_row_counting_unnamed_victims_is_that_many_persons() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    ok(&athar(&data, &["init"]));
    let list = tmp.path().join("casualties.csv");
    std::fs::write(
        &list,
        "No.,Name,Victims,Date of death,Cause of death\n\
         1,,2,2015-03-01,car bomb\n\
         2,Unidentified,٣,2015-03-02,air strike\n\
         3,Samer Hasan,1,2015-03-03,shooting\n\
         4,Reem Ali,2,2015-03-04,shooting\n\
         5,,0,2015-03-05,shooting\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mapping = tmp.path().join("casualties.toml");
    std::fs::write(
        &mapping,
        "[list]\nname = \"Casualties\"\nkey = \"No.\"\n[columns]\n\"Name\" = \"full_name\"\n\"Victims\" = \"victims\"\n\"Date of death\" = \"killing.date\"\n\"Cause of death\" = \"killing.cause\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let run = || {
        let out = athar(
            &data,
            &[
                "import",
                &list.display().to_string(),
                "--mapping",
                &mapping.display().to_string(),
                "--json",
            ],
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let report = run();
    assert_eq!(report["persons"].as_u64(), Some(6), "{report}");
    let refused: Vec<u64> = report["refused"]
        .as_array()
        .map(|r| r.iter().filter_map(|i| i["line"].as_u64()).collect())
        .unwrap_or_default();
    assert_eq!(
        refused,
        [5, 6],
        "a named row counts one person; zero is no count: {report}"
    );
    let summary = json(&athar(&data, &["stats", "--json"]));
    assert_eq!(figure(&summary, "persons"), 6, "{summary}");
    assert_eq!(figure(&summary, "killed"), 6, "{summary}");
    let by_cause = json(&athar(&data, &["stats", "--by", "cause", "--json"]));
    let persons_of = |cause: &str| {
        by_cause["cells"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["key"][0] == cause))
            .and_then(|c| c["persons"].as_u64())
            .unwrap_or(0)
    };
    assert_eq!(
        (
            persons_of("explosion"),
            persons_of("air-strike"),
            persons_of("shooting")
        ),
        (2, 3, 1),
        "{by_cause}"
    );
    // Again: the same six persons, nobody added.
    let again = run();
    assert_eq!(again["created"].as_u64(), Some(0), "{again}");
    assert_eq!(
        figure(&json(&athar(&data, &["stats", "--json"])), "persons"),
        6
    );
}

/// The safety brief for a governorate counts what `athar stats` counts for it, figure by
/// figure: arrests after a forced return, the returnees arrested, the incidents.
#[test]
fn the_brief_and_stats_give_the_same_figures_region_by_region() {
    const PLACES: [(&str, &str); 4] = [
        ("حلب", "SY02"),
        ("إدلب", "SY07"),
        ("حماة", "SY05"),
        ("Homs", "SY04"),
    ];
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut rng = Rng(0x5eed_b41e_f00d);
    let mut lines = Vec::new();
    for row in 1..=160 {
        let month = 1 + rng.below(10);
        // Returned (to the day, or in the month), or never abroad; arrested that month or
        // the next in one of four governorates, by a unit, a party, or nobody named.
        let returned = match rng.below(4) {
            0 => String::new(),
            1 => format!("{month:02}/2024"),
            _ => format!("2024-{month:02}-{:02}", 1 + rng.below(28)),
        };
        let arrest = format!("{:02}/2024", month + rng.below(2));
        let place = PLACES[rng.below(4) as usize].0;
        let by = ["فرع فلسطين", "هيئة تحرير الشام", "", "الجيش الوطني"][rng.below(4) as usize];
        let birth = ["2010", "1990-05-01", "0000-00-00"][rng.below(3) as usize];
        lines.push(format!(
            "{row},شخص {row},{birth},{returned},{arrest},{place},{by}"
        ));
    }
    let mapping = r#"
[list]
name = "Arrests by governorate"
key = "الرقم"
[columns]
"الاسم" = "full_name"
"المواليد" = "birth_date"
"تاريخ العودة" = "forced-return.date"
"تاريخ الاعتقال" = "arrest.date"
"مكان الاعتقال" = "arrest.place"
"الجهة" = "arrest.unit"
"#;
    let data = import_into(
        tmp.path(),
        "regions",
        "الرقم,الاسم,المواليد,تاريخ العودة,تاريخ الاعتقال,مكان الاعتقال,الجهة",
        &lines,
        mapping,
    );
    let mut total = 0;
    for (name, pcode) in PLACES {
        let period = ["--from", "2024-01", "--to", "2024-12"];
        let stats = json(&athar(
            &data,
            &[
                &["stats", "--governorate", pcode, "--json"][..],
                &period[..],
            ]
            .concat(),
        ));
        let behind = json(&athar(
            &data,
            &[
                &[
                    "stats",
                    "--behind",
                    "arrests_after_forced_return",
                    "--governorate",
                    pcode,
                    "--json",
                ][..],
                &period[..],
            ]
            .concat(),
        ));
        let out = tmp.path().join(format!("brief-{pcode}.json"));
        ok(&athar(
            &data,
            &[
                &[
                    "brief",
                    "--region",
                    name,
                    "--format",
                    "json",
                    "--out",
                    &out.display().to_string(),
                ][..],
                &period[..],
            ]
            .concat(),
        ));
        let brief: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap_or_default())
                .unwrap_or_else(|e| panic!("{e}"));
        let figures = &brief["figures"];
        let arrests = figure(&stats, "arrests_after_forced_return");
        assert_eq!(
            figures["arrests"].as_u64(),
            Some(arrests),
            "{name}: {figures} / {stats}"
        );
        assert_eq!(
            figures["incidents"].as_u64(),
            Some(arrests),
            "{name}: {figures}"
        );
        assert_eq!(
            figures["returnees"].as_u64(),
            behind["persons"].as_array().map(|p| p.len() as u64),
            "{name}: {figures} / {behind}"
        );
        total += arrests;
        // An arrest by a party with no unit names the party, not "unknown".
        let incidents = brief["incidents"].to_string();
        if lines
            .iter()
            .any(|l| l.contains(name) && l.ends_with("هيئة تحرير الشام"))
        {
            assert!(
                incidents.contains("Hay'at Tahrir al-Sham and the Syrian Salvation Government"),
                "{name}: {incidents}"
            );
        }
    }
    assert!(
        total > 40,
        "the list gives the regions something to count: {total}"
    );
}

/// A return-type column chooses the kind of each row's return: forced returns count as
/// forced, declared voluntary ones as returns, and "after forced return" follows.
#[test]
fn a_return_type_column_chooses_each_returns_kind() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<String> = [
        "1,سامر,2024-03-02,ترحيل,04/2024",
        "2,ريم,2024-03-05,طوعية,04/2024",
        "3,هبة,2024-02-01,ترحيل,",
        "4,نور,2024-02-01,,2024-03",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let data = import_into(
        tmp.path(),
        "return-types",
        "الرقم,الاسم,تاريخ العودة,نوع العودة,تاريخ الاعتقال",
        &lines,
        r#"
[list]
name = "Returns by type"
key = "الرقم"
[columns]
"الاسم" = "full_name"
"تاريخ العودة" = "return.date"
"نوع العودة" = "return.kind"
"تاريخ الاعتقال" = "arrest.date"
[values."نوع العودة"]
"ترحيل" = "forced-return"
"طوعية" = "return"
"#,
    );
    let summary = json(&athar(&data, &["stats", "--json"]));
    assert_eq!(figure(&summary, "returnees"), 4, "{summary}");
    assert_eq!(figure(&summary, "forced_returnees"), 2, "{summary}");
    assert_eq!(figure(&summary, "arrests"), 3, "{summary}");
    assert_eq!(
        figure(&summary, "arrests_after_forced_return"),
        1,
        "{summary}"
    );
    // A value the mapping does not explain is refused before anything is read.
    let bad = tmp.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[columns]\n\"نوع العودة\" = \"return.kind\"\n[values.\"نوع العودة\"]\n\"ترحيل\" = \"deported\"\n\"x\" = \"nothing-of-the-sort\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = athar(
        &data,
        &[
            "import",
            &tmp.path().join("return-types.csv").display().to_string(),
            "--mapping",
            &bad.display().to_string(),
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nothing-of-the-sort"), "{err}");
}
