//! Capture tables: how many people were documented by each combination of lists.
//!
//! A table of t lists has a count for each of the 2^t − 1 non-empty capture patterns; the
//! all-zero pattern (people on no list) is what estimation is for. Patterns are bit masks:
//! bit j set means "on list j", lists numbered in the order of the table's columns.
//!
//! The file format (one row per pattern, `1` = on that list, a last column of counts) is the
//! one published tables use; a pattern left out counts zero.

use std::fmt;
use std::io::Read;

/// At most this many lists: 2^16 cells is already more than any documented study.
pub const MAX_LISTS: usize = 16;

/// Counts by capture pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureTable {
    lists: Vec<String>,
    /// Indexed by pattern; `counts[0]` (nobody's pattern) is always zero.
    counts: Vec<u64>,
}

/// Why a table file cannot be read: the line and column of the first problem.
#[derive(Debug, Clone, PartialEq)]
pub struct TableError {
    /// 1-based line in the file (0 when the problem is the file as a whole).
    pub line: u64,
    /// The column's header, when the problem is in one column.
    pub column: Option<String>,
    pub problem: String,
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}", self.line)?;
            if let Some(column) = &self.column {
                write!(f, ", column {column:?}")?;
            }
            write!(f, ": ")?;
        }
        write!(f, "{}", self.problem)
    }
}

impl std::error::Error for TableError {}

fn problem(line: u64, column: Option<&str>, text: impl Into<String>) -> TableError {
    TableError {
        line,
        column: column.map(str::to_string),
        problem: text.into(),
    }
}

impl CaptureTable {
    /// A table from list names and counts indexed by pattern (length 2^t, entry 0 ignored).
    pub fn new(lists: Vec<String>, mut counts: Vec<u64>) -> Result<Self, TableError> {
        let t = lists.len();
        if !(2..=MAX_LISTS).contains(&t) {
            return Err(problem(
                0,
                None,
                format!("a capture table needs 2 to {MAX_LISTS} lists, not {t}"),
            ));
        }
        if counts.len() != 1 << t {
            return Err(problem(
                0,
                None,
                format!("{} lists need {} pattern counts", t, 1usize << t),
            ));
        }
        counts[0] = 0;
        Ok(Self { lists, counts })
    }

    /// Reads a table: a header of list names and a last column of counts (named `count`,
    /// `n`, `freq` or `frequency`), then one row per capture pattern. Pattern cells are 0 or
    /// 1; counts are whole numbers ≥ 0; a pattern may appear once.
    pub fn from_csv(reader: impl Read) -> Result<Self, TableError> {
        let mut strata = read_tables(reader, None)?;
        Ok(strata.remove(0).1)
    }

    /// Reads a stratified table: the same format with one more column (anywhere) naming the
    /// stratum of each row — a period, a region. Returns one table per stratum, in the order
    /// they first appear; a pattern may appear once per stratum.
    pub fn strata_from_csv(
        reader: impl Read,
        stratum_column: &str,
    ) -> Result<Vec<(String, Self)>, TableError> {
        read_tables(reader, Some(stratum_column))
    }

    /// The list names, in column order.
    pub fn lists(&self) -> &[String] {
        &self.lists
    }

    /// The number of lists.
    pub fn list_count(&self) -> usize {
        self.lists.len()
    }

    /// The count of one capture pattern.
    pub fn count(&self, pattern: usize) -> u64 {
        self.counts.get(pattern).copied().unwrap_or(0)
    }

    /// The non-empty capture patterns, 1 ..= 2^t − 1.
    pub fn patterns(&self) -> impl Iterator<Item = usize> + '_ {
        1..self.counts.len()
    }

    /// Everyone documented at least once.
    pub fn observed(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Everyone on all the lists of `lists` (a bit mask), whatever their other lists.
    pub fn overlap(&self, lists: usize) -> u64 {
        self.patterns()
            .filter(|p| p & lists == lists)
            .map(|p| self.counts[p])
            .sum()
    }

    /// The index of a list by name (exact, then ignoring case).
    pub fn list_index(&self, name: &str) -> Option<usize> {
        self.lists
            .iter()
            .position(|l| l == name)
            .or_else(|| self.lists.iter().position(|l| l.eq_ignore_ascii_case(name)))
    }

    /// The table of two of the lists, everyone else on neither of them dropped.
    pub fn collapse_to(&self, first: usize, second: usize) -> CaptureTable {
        let mut counts = vec![0u64; 4];
        for pattern in self.patterns() {
            let on_first = pattern >> first & 1;
            let on_second = pattern >> second & 1;
            counts[on_first | on_second << 1] += self.counts[pattern];
        }
        counts[0] = 0;
        CaptureTable {
            lists: vec![self.lists[first].clone(), self.lists[second].clone()],
            counts,
        }
    }

    /// The name of a term (a set of lists as a bit mask): the list names joined by ':'.
    pub fn term_name(&self, term: usize) -> String {
        (0..self.lists.len())
            .filter(|j| term >> j & 1 == 1)
            .map(|j| self.lists[j].as_str())
            .collect::<Vec<_>>()
            .join(":")
    }

    /// Parses a term such as `EXH:ABA` into its bit mask.
    pub fn parse_term(&self, text: &str) -> Result<usize, String> {
        let mut term = 0usize;
        for name in text.split(':').map(str::trim) {
            let index = self.list_index(name).ok_or_else(|| {
                format!(
                    "{name:?} is not one of the lists ({})",
                    self.lists.join(", ")
                )
            })?;
            if term >> index & 1 == 1 {
                return Err(format!("{name:?} appears twice in the term {text:?}"));
            }
            term |= 1 << index;
        }
        if term.count_ones() < 2 {
            return Err(format!(
                "{text:?} is a single list: main effects are always in the model; an interaction joins two or more lists with ':'"
            ));
        }
        Ok(term)
    }
}

/// The separator of a table's fields, from its header line: commas, or semicolons (as
/// spreadsheets write CSV where the comma is the decimal mark) or tabs when the header
/// holds those and no comma.
fn separator_of(header: &[u8]) -> u8 {
    let count = |b: u8| header.iter().filter(|c| **c == b).count();
    if count(b',') > 0 {
        b','
    } else if count(b';') > 0 {
        b';'
    } else if count(b'\t') > 0 {
        b'\t'
    } else {
        b','
    }
}

fn read_tables(
    reader: impl Read,
    stratum_column: Option<&str>,
) -> Result<Vec<(String, CaptureTable)>, TableError> {
    let mut reader = std::io::BufReader::new(reader);
    let header = std::io::BufRead::fill_buf(&mut reader)
        .map_err(|e| problem(1, None, format!("the file cannot be read: {e}")))?;
    let first_line = header.split(|b| *b == b'\n').next().unwrap_or_default();
    let separator = separator_of(first_line);
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(separator)
        .from_reader(reader);
    let headers = csv
        .headers()
        .map_err(|e| problem(1, None, format!("the header cannot be read: {e}")))?
        .clone();
    let names: Vec<String> = headers
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let stratum_index = match stratum_column {
        Some(wanted) => Some(names.iter().position(|n| n == wanted).ok_or_else(|| {
            problem(
                1,
                Some(wanted),
                format!("there is no stratum column {wanted:?} in the header"),
            )
        })?),
        None => None,
    };
    // The table's own columns: everything but the stratum.
    let own: Vec<usize> = (0..names.len())
        .filter(|i| Some(*i) != stratum_index)
        .collect();
    let Some((&count_index, list_indices)) = own.split_last() else {
        return Err(problem(1, None, "the file is empty"));
    };
    let count_name = &names[count_index];
    if !matches!(
        count_name.to_lowercase().as_str(),
        "count" | "n" | "freq" | "frequency"
    ) {
        return Err(problem(
            1,
            Some(count_name),
            "the last column must hold the counts and be named count, n, freq or frequency",
        ));
    }
    let list_names: Vec<String> = list_indices.iter().map(|i| names[*i].clone()).collect();
    for (i, name) in list_names.iter().enumerate() {
        if name.is_empty() {
            return Err(problem(
                1,
                None,
                format!("list column {} has no name", i + 1),
            ));
        }
        if list_names[..i].contains(name) {
            return Err(problem(1, Some(name), "this list name appears twice"));
        }
    }
    let t = list_names.len();
    if !(2..=MAX_LISTS).contains(&t) {
        return Err(problem(
            1,
            None,
            format!("a capture table needs 2 to {MAX_LISTS} list columns, this one has {t}"),
        ));
    }
    // Per stratum: counts and the line each pattern was given on.
    let mut strata: Vec<(String, Vec<u64>, Vec<u64>)> = Vec::new();
    for record in csv.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            problem(line, None, format!("the row cannot be read: {e}"))
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != names.len() {
            return Err(problem(
                line,
                None,
                format!(
                    "{} fields where the header has {}",
                    record.len(),
                    names.len()
                ),
            ));
        }
        let mut pattern = 0usize;
        for (j, &column) in list_indices.iter().enumerate() {
            match &record[column] {
                "1" => pattern |= 1 << j,
                "0" => {}
                other => {
                    return Err(problem(
                        line,
                        Some(&names[column]),
                        format!("{other:?} is not 0 or 1"),
                    ));
                }
            }
        }
        let count: u64 = record[count_index].parse().map_err(|_| {
            problem(
                line,
                Some(count_name),
                format!("{:?} is not a whole number of people", &record[count_index]),
            )
        })?;
        let stratum = stratum_index.map_or(String::new(), |i| record[i].to_string());
        if stratum_index.is_some() && stratum.is_empty() {
            return Err(problem(line, stratum_column, "the stratum is empty"));
        }
        let position = match strata.iter().position(|(name, _, _)| *name == stratum) {
            Some(position) => position,
            None => {
                strata.push((stratum, vec![0; 1 << t], vec![0; 1 << t]));
                strata.len() - 1
            }
        };
        let (_, counts, seen_on) = &mut strata[position];
        if pattern == 0 {
            if count > 0 {
                return Err(problem(
                    line,
                    None,
                    "nobody can be counted on no list: the all-zero pattern is what is estimated",
                ));
            }
            continue;
        }
        if seen_on[pattern] > 0 {
            return Err(problem(
                line,
                None,
                format!(
                    "this capture pattern was already given on line {}",
                    seen_on[pattern]
                ),
            ));
        }
        seen_on[pattern] = line;
        counts[pattern] = count;
    }
    if strata.is_empty() {
        return Err(problem(0, None, "the table counts nobody"));
    }
    let mut tables = Vec::with_capacity(strata.len());
    for (name, counts, _) in strata {
        let table = CaptureTable {
            lists: list_names.clone(),
            counts,
        };
        if table.observed() == 0 {
            let which = if name.is_empty() {
                String::new()
            } else {
                format!(" in stratum {name:?}")
            };
            return Err(problem(0, None, format!("the table counts nobody{which}")));
        }
        tables.push((name, table));
    }
    Ok(tables)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_table_and_fills_missing_patterns_with_zero() {
        let table = CaptureTable::from_csv("A,B,C,count\n1,0,0,5\n0,1,0,7\n1,1,1,2\n".as_bytes())
            .expect("a valid table");
        assert_eq!(table.lists(), ["A", "B", "C"]);
        assert_eq!(table.count(0b001), 5);
        assert_eq!(table.count(0b010), 7);
        assert_eq!(table.count(0b111), 2);
        assert_eq!(table.count(0b100), 0);
        assert_eq!(table.observed(), 14);
        assert_eq!(table.overlap(0b011), 2);
        assert_eq!(table.term_name(0b101), "A:C");
        assert_eq!(table.parse_term("c:A"), Ok(0b101));
        assert!(table.parse_term("A").is_err());
        assert!(table.parse_term("A:D").is_err());
    }

    #[test]
    fn refuses_bad_tables_naming_line_and_column() {
        let cases = [
            ("A,B,count\n1,2,5\n", 2, Some("B")),
            ("A,B,count\n1,0,-3\n", 2, Some("count")),
            ("A,B,count\n1,0,3\n1,0,4\n", 3, None),
            ("A,B,count\n0,0,3\n", 2, None),
            ("A,B,total\n1,0,3\n", 1, Some("total")),
            ("A,A,count\n1,0,3\n", 1, Some("A")),
            ("A,B,count\n1,0,3,4\n", 2, None),
        ];
        for (text, line, column) in cases {
            let error = CaptureTable::from_csv(text.as_bytes()).expect_err(text);
            assert_eq!(error.line, line, "{text}: {error}");
            assert_eq!(error.column.as_deref(), column, "{text}: {error}");
        }
        assert!(CaptureTable::from_csv("A,count\n1,3\n".as_bytes()).is_err());
        assert!(CaptureTable::from_csv("A,B,count\n1,0,0\n".as_bytes()).is_err());
    }

    #[test]
    fn reads_tables_separated_by_semicolons_or_tabs() {
        let commas =
            CaptureTable::from_csv("A,B,n\n1,0,5\n0,1,7\n1,1,2\n".as_bytes()).expect("commas");
        for text in [
            "A;B;n\n1;0;5\n0;1;7\n1;1;2\n",
            "A\tB\tn\n1\t0\t5\n0\t1\t7\n1\t1\t2\n",
        ] {
            let table = CaptureTable::from_csv(text.as_bytes()).expect(text);
            assert_eq!(table, commas, "{text}");
        }
        // A bad cell is still named by its line and column.
        let error = CaptureTable::from_csv("A;B;count\n1;2;5\n".as_bytes()).expect_err("2");
        assert_eq!((error.line, error.column.as_deref()), (2, Some("B")));
    }

    #[test]
    fn reads_strata() {
        let text = "period,A,B,count\n2012,1,0,5\n2012,0,1,3\n2012,1,1,2\n2013,1,0,8\n2013,1,1,1\n";
        let strata = CaptureTable::strata_from_csv(text.as_bytes(), "period").expect("valid");
        assert_eq!(strata.len(), 2);
        assert_eq!(strata[0].0, "2012");
        assert_eq!(strata[0].1.observed(), 10);
        assert_eq!(strata[1].1.count(0b01), 8);
        assert_eq!(strata[1].1.lists(), ["A", "B"]);
        let missing =
            CaptureTable::strata_from_csv(text.as_bytes(), "region").expect_err("no column");
        assert_eq!(missing.line, 1);
        // The same pattern twice is fine in two strata, not in one.
        let twice = "period,A,B,count\n2012,1,0,5\n2012,1,0,3\n";
        assert_eq!(
            CaptureTable::strata_from_csv(twice.as_bytes(), "period")
                .expect_err("twice")
                .line,
            3
        );
    }

    #[test]
    fn collapses_to_two_lists() {
        let table =
            CaptureTable::from_csv("A,B,C,count\n1,0,0,5\n0,1,1,7\n1,1,1,2\n0,0,1,9\n".as_bytes())
                .expect("valid");
        let two = table.collapse_to(0, 1);
        assert_eq!(two.lists(), ["A", "B"]);
        assert_eq!((two.count(1), two.count(2), two.count(3)), (5, 7, 2));
        assert_eq!(two.observed(), 14);
    }
}
