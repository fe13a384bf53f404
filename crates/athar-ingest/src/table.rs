//! Reading a delimited text file as a table, whatever produced it.
//!
//! Encodings: UTF-8 with or without a byte-order mark, UTF-16 (little or big endian, with a
//! mark, or without one when every other byte is zero), and Windows-1256 — what Arabic
//! Excel saves as "CSV" — for anything that is not valid UTF-8. The delimiter is the one of
//! `,` `;` tab `|` that splits the header line into the most columns. Quoted fields may hold
//! delimiters and newlines. Empty and duplicate header names are refused, naming them.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1256};

/// Why a file cannot be read as a table. Never holds cell content.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TableError {
    #[error("the file is empty")]
    Empty,
    #[error("line {line}: the file is not valid {encoding} text")]
    Encoding { encoding: String, line: u64 },
    #[error("column {column} has no header")]
    MissingHeader { column: usize },
    #[error("the header {name:?} appears twice (columns {first} and {second})")]
    DuplicateHeader {
        name: String,
        first: usize,
        second: usize,
    },
    #[error("line {line}: {reason}")]
    Malformed { line: u64, reason: String },
    #[error("a cell at line {line} is longer than {limit} characters")]
    CellTooLong { line: u64, limit: usize },
    #[error("not a readable Excel workbook (.xlsx): {0}")]
    NotWorkbook(String),
    #[error("the workbook would unpack to more than {limit} bytes; refused (a zip bomb?)")]
    WorkbookTooLarge { limit: u64 },
    #[error("not a JSON list of records: {0}")]
    NotJson(String),
    #[error("the list has more than {limit} rows; split it into several files")]
    TooManyRows { limit: usize },
    #[error("the list has more than {limit} filled cells; split it into several files")]
    TooManyCells { limit: usize },
    #[error("the header reaches column {column}; a list may have at most {limit} columns")]
    TooWide { column: usize, limit: usize },
}

/// Longest cell accepted: a narrative fits, a 100 MB blob does not.
pub const MAX_CELL_CHARS: usize = 100_000;
/// Most rows one list may have (the largest merged Syrian lists hold about a million).
/// A file is read whole before it is checked, so its shape must not decide the memory
/// it takes: rows, filled cells and columns are all bounded, whatever the bytes.
pub const MAX_ROWS: usize = 2_000_000;
/// Most filled cells one list may have.
pub const MAX_CELLS: usize = 40_000_000;
/// Most columns a list's header may span.
pub const MAX_COLUMNS: usize = 1_024;

/// A table read from a file.
#[derive(Debug, Clone)]
pub struct Table {
    pub encoding: &'static str,
    pub delimiter: char,
    pub headers: Vec<String>,
    /// Each row with the line (1-based, in the file) where it starts.
    pub rows: Vec<(u64, Vec<String>)>,
}

fn decode(bytes: &[u8]) -> Result<(String, &'static Encoding), TableError> {
    if bytes.is_empty() {
        return Err(TableError::Empty);
    }
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            return Err(TableError::Encoding {
                encoding: encoding.name().into(),
                line: 1,
            });
        }
        return Ok((text.into_owned(), encoding));
    }
    // UTF-16 without a mark: ASCII-range text has a zero in every other byte.
    let sample = &bytes[..bytes.len().min(4096)];
    let zeros_even = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let zeros_odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    let half = sample.len() / 2;
    if half > 4 && (zeros_odd * 3 > half || zeros_even * 3 > half) {
        let encoding = if zeros_odd > zeros_even {
            UTF_16LE
        } else {
            UTF_16BE
        };
        let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
        if !had_errors {
            return Ok((text.into_owned(), encoding));
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((text.to_string(), UTF_8)),
        Err(_) => {
            // Not UTF-8: Windows-1256 decodes every byte; that is what Arabic Excel wrote.
            let (text, _, _) = WINDOWS_1256.decode(bytes);
            Ok((text.into_owned(), WINDOWS_1256))
        }
    }
}

fn guess_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or_default();
    [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

/// Counts rows and filled cells as a file is read, so a file of millions of tiny rows is
/// refused at the limit instead of after filling memory.
#[derive(Default)]
pub(crate) struct Limits {
    rows: usize,
    cells: usize,
}

impl Limits {
    /// Count a row that is about to be kept; blank rows cost nothing.
    pub(crate) fn take(&mut self, cells: &[String]) -> Result<(), TableError> {
        let filled = cells.iter().filter(|c| !c.trim().is_empty()).count();
        if filled == 0 {
            return Ok(());
        }
        self.rows += 1;
        self.cells += filled;
        if self.rows > MAX_ROWS {
            return Err(TableError::TooManyRows { limit: MAX_ROWS });
        }
        if self.cells > MAX_CELLS {
            return Err(TableError::TooManyCells { limit: MAX_CELLS });
        }
        Ok(())
    }
}

/// Read a file as a table, by its content: an Excel workbook (.xlsx), a JSON list of
/// records, or delimited text.
pub fn read_any(bytes: &[u8]) -> Result<Table, TableError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return crate::workbook::read_workbook(bytes);
    }
    let start = bytes
        .iter()
        .find(|b| !(b.is_ascii_whitespace() || matches!(b, 0xEF | 0xBB | 0xBF)));
    if start == Some(&b'[') {
        return crate::workbook::read_json(bytes);
    }
    read_table(bytes)
}

/// Check and finish a table: headers named and distinct, cells not too long, empty rows
/// dropped, cells trimmed.
pub(crate) fn finish(
    encoding: &'static str,
    delimiter: char,
    headers: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
) -> Result<Table, TableError> {
    let headers: Vec<String> = headers.into_iter().map(|h| h.trim().to_string()).collect();
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            return Err(TableError::MissingHeader { column: i + 1 });
        }
        if let Some(j) = headers[..i].iter().position(|other| other == h) {
            return Err(TableError::DuplicateHeader {
                name: h.clone(),
                first: j + 1,
                second: i + 1,
            });
        }
    }
    if headers.len() > MAX_COLUMNS {
        return Err(TableError::TooWide {
            column: headers.len(),
            limit: MAX_COLUMNS,
        });
    }
    let mut kept = Vec::new();
    for (line, cells) in rows {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if cells.iter().any(|c| c.chars().count() > MAX_CELL_CHARS) {
            return Err(TableError::CellTooLong {
                line,
                limit: MAX_CELL_CHARS,
            });
        }
        kept.push((
            line,
            cells.into_iter().map(|c| c.trim().to_string()).collect(),
        ));
    }
    Ok(Table {
        encoding,
        delimiter,
        headers,
        rows: kept,
    })
}

/// Read `bytes` as delimited text (see the module documentation).
pub fn read_table(bytes: &[u8]) -> Result<Table, TableError> {
    let (text, encoding) = decode(bytes)?;
    if text.trim().is_empty() {
        return Err(TableError::Empty);
    }
    let delimiter = guess_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| TableError::Malformed {
            line: 1,
            reason: e.to_string(),
        })?
        .iter()
        .map(String::from)
        .collect();
    let mut rows = Vec::new();
    let mut limits = Limits::default();
    // Newlines are counted from the previous record on, not from the start each time.
    let (mut counted_to, mut newlines) = (0usize, 0u64);
    for record in reader.records() {
        let record = record.map_err(|e| TableError::Malformed {
            line: e.position().map_or(0, |p| p.line()),
            reason: match e.kind() {
                csv::ErrorKind::Utf8 { .. } => "not valid text".into(),
                _ => "the row cannot be read (an unclosed quote?)".into(),
            },
        })?;
        // The line where the record's first character is (blank lines before it skipped).
        let line = record.position().map_or(0, |p| {
            let bytes = text.as_bytes();
            let mut at = (p.byte() as usize).min(bytes.len());
            while at < bytes.len() && matches!(bytes[at], b'\n' | b'\r') {
                at += 1;
            }
            if at >= counted_to {
                newlines += bytes[counted_to..at]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count() as u64;
                counted_to = at;
            }
            1 + newlines
        });
        let cells: Vec<String> = record.iter().map(String::from).collect();
        limits.take(&cells)?;
        rows.push((line, cells));
    }
    finish(encoding.name(), delimiter as char, headers, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "الاسم,تاريخ الاعتقال,ملاحظات\nمحمد الأحمد,2019-03,\"سطر أول\nسطر ثانٍ, مع فاصلة\"\n\nسامر,~2018,\n";

    #[test]
    fn every_encoding_arabic_excel_writes_reads_the_same() {
        let utf8 = read_table(SAMPLE.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(utf8.headers, vec!["الاسم", "تاريخ الاعتقال", "ملاحظات"]);
        assert_eq!(utf8.rows.len(), 2);
        assert_eq!(utf8.rows[0].1[2], "سطر أول\nسطر ثانٍ, مع فاصلة");
        // The second row starts on line 4 of the file (the first spans two lines).
        assert_eq!(utf8.rows[1].0, 5);

        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(SAMPLE.as_bytes());
        let (cp1256, _, _) = WINDOWS_1256.encode(SAMPLE);
        let mut utf16le = vec![0xFF, 0xFE];
        utf16le.extend(SAMPLE.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let utf16be: Vec<u8> = SAMPLE
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        for (bytes, encoding) in [
            (bom, "UTF-8"),
            (cp1256.into_owned(), "windows-1256"),
            (utf16le, "UTF-16LE"),
            (utf16be, "UTF-16BE"),
        ] {
            let t = read_table(&bytes).unwrap_or_else(|e| panic!("{encoding}: {e}"));
            assert_eq!(t.encoding, encoding);
            assert_eq!(t.headers, utf8.headers, "{encoding}");
            assert_eq!(t.rows, utf8.rows, "{encoding}");
        }
    }

    #[test]
    fn delimiters_are_found_and_bad_headers_named() {
        let t = read_table("a;b;c\n1;2;3\n".as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.delimiter, t.headers.len()), (';', 3));
        let t = read_table("a\tb\n1\t2\n".as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.delimiter, '\t');
        assert_eq!(
            read_table("name,,date\n".as_bytes()).err(),
            Some(TableError::MissingHeader { column: 2 })
        );
        assert_eq!(
            read_table("name,date,name\n".as_bytes()).err(),
            Some(TableError::DuplicateHeader {
                name: "name".into(),
                first: 1,
                second: 3
            })
        );
        assert_eq!(read_table(b"").err(), Some(TableError::Empty));
        let long = format!("a\n{}\n", "x".repeat(MAX_CELL_CHARS + 1));
        assert!(matches!(
            read_table(long.as_bytes()),
            Err(TableError::CellTooLong { line: 2, .. })
        ));
    }
}
