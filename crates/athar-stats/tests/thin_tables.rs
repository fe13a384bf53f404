//! Thin tables are said to be thin before anyone reads their estimate: most capture
//! patterns empty, too few people per pattern, two lists that share only a handful — each
//! with the advice a statistician would give, in English and in Arabic; a table with
//! plenty in every cell passes without such a word.

use athar_stats::mse::{self, CaptureTable, Method};

/// A table from (pattern over the lists, count) pairs.
fn table(lists: usize, cells: &[(usize, u64)]) -> CaptureTable {
    let names: Vec<String> = (0..lists).map(|i| format!("L{}", i + 1)).collect();
    let mut text = names.join(",") + ",count\n";
    for (pattern, count) in cells {
        let row: Vec<String> = (0..lists).map(|j| (pattern >> j & 1).to_string()).collect();
        text += &format!("{},{count}\n", row.join(","));
    }
    CaptureTable::from_csv(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn warnings_of(table: &CaptureTable, method: &Method) -> (Vec<String>, Vec<String>) {
    let estimate = mse::estimate(table, method, 0.95).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(estimate.warnings.len(), estimate.warnings_ar.len());
    (estimate.warnings, estimate.warnings_ar)
}

#[test]
fn eight_lists_of_191_people_are_called_thin() {
    // 191 people on 20 of the 255 patterns: each list alone, and some pairs.
    let mut cells: Vec<(usize, u64)> = (0..8).map(|j| (1 << j, 15)).collect();
    for j in 0..7 {
        cells.push(((1 << j) | (1 << (j + 1)), 8));
    }
    cells.extend([
        (0b1010_0000, 2),
        (0b0000_0101, 3),
        (0b0100_0100, 4),
        (0b1000_0001, 5),
        (0b1001_0000, 1),
    ]);
    let table = table(8, &cells);
    assert_eq!(table.observed(), 191);
    let (en, ar) = warnings_of(&table, &Method::Independence);
    assert!(
        en[0].contains("of the 255 capture patterns of 8 lists are empty")
            && en[0].contains("use fewer lists, merge lists, or stratify less"),
        "{en:?}"
    );
    assert!(
        ar[0].contains("فارغة") && ar[0].contains("ادمج قوائم"),
        "{ar:?}"
    );
}

#[test]
fn few_people_per_pattern_and_small_overlaps_are_said() {
    // Five lists, every pattern present but with one or two people each: 47 people.
    let cells: Vec<(usize, u64)> = (1..32).map(|p| (p, 1 + (p % 2) as u64)).collect();
    let table = table(5, &cells);
    let (en, _) = warnings_of(&table, &Method::Independence);
    assert!(
        en.iter()
            .any(|w| w.contains("capture patterns: fewer than 5 a pattern")),
        "{en:?}"
    );
    // Two lists that share three people.
    let two = table_two(3);
    let (en, ar) = warnings_of(&two, &Method::Chapman(None));
    assert!(en[0].contains("L1 and L2 share only 3 people"), "{en:?}");
    assert!(ar[0].contains("3 أشخاص"), "{ar:?}");
}

fn table_two(both: u64) -> CaptureTable {
    table(2, &[(0b01, 60), (0b10, 40), (0b11, both)])
}

#[test]
fn a_table_with_plenty_in_every_cell_is_not_called_thin() {
    let cells: Vec<(usize, u64)> = vec![
        (0b001, 210),
        (0b010, 140),
        (0b100, 90),
        (0b011, 140),
        (0b101, 90),
        (0b110, 60),
        (0b111, 60),
    ];
    let table = table(3, &cells);
    for method in [Method::Independence, Method::Aic, Method::Chapman(None)] {
        let (en, _) = warnings_of(&table, &method);
        assert!(
            !en.iter()
                .any(|w| w.contains("capture patterns") || w.contains("share only")),
            "{method:?}: {en:?}"
        );
    }
    let (en, _) = warnings_of(&table_two(30), &Method::Chapman(None));
    assert!(!en.iter().any(|w| w.contains("share only")), "{en:?}");
}
