//! Excel workbooks and JSON lists as tables.
//!
//! A workbook's first sheet is read; its first non-empty row is the header, and a row's
//! "line" is its row number in the sheet. Dates stored as Excel dates become `YYYY-MM-DD`.
//! Before anything is unpacked, the sizes the archive declares are added up and a workbook
//! that would unpack beyond [`MAX_UNPACKED`] is refused (zip bombs). A JSON list is an
//! array of flat objects; a record's "line" is its position in the array.

use std::io::Cursor;

use std::collections::BTreeMap;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

use crate::table::{Limits, MAX_CELLS, MAX_COLUMNS, MAX_ROWS, Table, TableError, finish};

/// The most a workbook may unpack to.
pub const MAX_UNPACKED: u64 = 512 << 20;
/// The most one entry may expand relative to its compressed size.
const MAX_RATIO: u64 = 200;

fn sized_up(bytes: &[u8]) -> Result<(), TableError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| TableError::NotWorkbook(e.to_string()))?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| TableError::NotWorkbook(e.to_string()))?;
        total = total.saturating_add(entry.size());
        if entry.size() > 1 << 20 && entry.size() / entry.compressed_size().max(1) > MAX_RATIO {
            return Err(TableError::WorkbookTooLarge {
                limit: MAX_UNPACKED,
            });
        }
    }
    if total > MAX_UNPACKED {
        return Err(TableError::WorkbookTooLarge {
            limit: MAX_UNPACKED,
        });
    }
    Ok(())
}

fn excel_date(serial: f64) -> String {
    // Excel's day 0 is 1899-12-30 (with the 1900 leap-year bug folded in); 25569 is 1970-01-01.
    let days = serial.floor() as i64 - 25_569;
    let (y, m, d) = athar_model::date::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_date(dt.as_f64()),
        Data::Error(_) => String::new(),
    }
}

/// Read the first sheet of an .xlsx workbook, cell by cell as the sheet's XML holds them:
/// only filled cells take memory, so a sheet that declares (or spreads its cells over) the
/// whole of Excel's grid costs no more than its content. A header reaching beyond
/// [`MAX_COLUMNS`] is refused; filled cells right of the header are formatting and dropped.
pub fn read_workbook(bytes: &[u8]) -> Result<Table, TableError> {
    sized_up(bytes)?;
    let not_workbook = |e: calamine::XlsxError| TableError::NotWorkbook(e.to_string());
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(not_workbook)?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| TableError::NotWorkbook("it has no sheet".into()))?;
    let mut reader = book.worksheet_cells_reader(&sheet).map_err(not_workbook)?;
    // Filled cells by row (1-based line), each with its column.
    let mut filled: BTreeMap<u64, Vec<(usize, String)>> = BTreeMap::new();
    // Rows with a filled cell beyond the columns a list may have.
    let mut too_wide: BTreeMap<u64, usize> = BTreeMap::new();
    let mut count = 0usize;
    while let Some(cell) = reader.next_cell().map_err(not_workbook)? {
        let (row, column) = cell.get_position();
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.trim().is_empty() {
            continue;
        }
        let (line, column) = (u64::from(row) + 1, column as usize);
        if column >= MAX_COLUMNS {
            too_wide.entry(line).or_insert(column + 1);
            continue;
        }
        count += 1;
        if count > MAX_CELLS {
            return Err(TableError::TooManyCells { limit: MAX_CELLS });
        }
        let row = filled.entry(line).or_default();
        row.push((column, text));
        if filled.len() > MAX_ROWS {
            return Err(TableError::TooManyRows { limit: MAX_ROWS });
        }
    }
    let Some((&header_line, header_cells)) = filled.iter().next() else {
        return Err(TableError::Empty);
    };
    if let Some(&column) = too_wide.get(&header_line) {
        return Err(TableError::TooWide {
            column,
            limit: MAX_COLUMNS,
        });
    }
    let width = header_cells.iter().map(|(c, _)| c + 1).max().unwrap_or(0);
    let spread = |cells: &[(usize, String)]| {
        let mut row = vec![String::new(); width];
        for (c, text) in cells {
            if *c < width {
                row[*c].clone_from(text);
            }
        }
        row
    };
    let headers: Vec<String> = spread(header_cells)
        .into_iter()
        .map(|h| h.trim().to_string())
        .collect();
    let rows: Vec<(u64, Vec<String>)> = filled
        .iter()
        .skip(1)
        .map(|(line, cells)| (*line, spread(cells)))
        .collect();
    finish("xlsx", ' ', headers, rows)
}

/// Read a JSON array of flat records.
pub fn read_json(bytes: &[u8]) -> Result<Table, TableError> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|_| TableError::NotJson("it is not UTF-8 text".into()))?;
    let records: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(text)
        .map_err(|e| {
            TableError::NotJson(format!(
                "line {}, column {}: {}",
                e.line(),
                e.column(),
                match e.classify() {
                    serde_json::error::Category::Data => "expected an array of objects",
                    _ => "malformed JSON",
                }
            ))
        })?;
    let mut headers: Vec<String> = Vec::new();
    for record in &records {
        for key in record.keys() {
            if !headers.contains(key) {
                headers.push(key.clone());
            }
        }
    }
    if headers.len() > MAX_COLUMNS {
        return Err(TableError::TooWide {
            column: headers.len(),
            limit: MAX_COLUMNS,
        });
    }
    let mut rows = Vec::new();
    let mut limits = Limits::default();
    for (i, record) in records.iter().enumerate() {
        let mut cells = Vec::with_capacity(headers.len());
        for h in &headers {
            cells.push(match record.get(h) {
                None | Some(serde_json::Value::Null) => String::new(),
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Number(n)) => n.to_string(),
                Some(serde_json::Value::Bool(b)) => b.to_string(),
                Some(_) => {
                    return Err(TableError::Malformed {
                        line: i as u64 + 1,
                        reason: format!(
                            "field {h:?} holds a list or an object; only flat values are read"
                        ),
                    });
                }
            });
        }
        limits.take(&cells)?;
        rows.push((i as u64 + 1, cells));
    }
    finish("json", ' ', headers, rows)
}
