//! Lists out: persons as CSV or JSON, for the organisation's own use or for others.
//!
//! An export holds the records the exporting organisation may see (its own and those
//! shared with it), pseudonymised ones without identifying parts. With `pseudonymised`,
//! no names, identifiers, contacts or notes leave at all; with a consent `purpose`, persons
//! who have not consented to it are left out and counted. Every cell that a spreadsheet
//! would run as a formula (starting with = + - @, a tab or a carriage return) is prefixed
//! with an apostrophe. The export is recorded in the audit chain with its SHA-256.

use athar_model::consent::{Purpose, permits};
use athar_model::sealing::take_identifying;
use athar_model::{PersonName, RecordBody, RecordKind, Script};
use athar_store::{Store, StoreError};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    /// An Excel workbook: one right-to-left sheet, every cell text (never a formula).
    Xlsx,
    /// CSV in Uwazi's import format, for a "Person" template whose properties are named
    /// after these headers (docs/IMPORT.md, "Uwazi").
    Uwazi,
}

/// The headers of an Uwazi export: Uwazi's `title` and the labels of the template's
/// properties (Uwazi names a property by its label in lower case, other characters `_`).
pub const UWAZI_COLUMNS: &[&str] = &[
    "Title",
    "Name in Arabic",
    "Name in Latin letters",
    "Mother's name",
    "Sex",
    "Date of birth",
    "Date of birth as recorded",
    "Place of birth",
    "Identifiers",
    "Athar id",
];

/// A row of the ordinary export (`COLUMNS`) as Uwazi reads it: a title that is never empty,
/// the sex as a select's label, the date of birth as Uwazi's date (the first day it may
/// mean) beside the date as recorded (so nothing is lost), several values joined by `|`.
fn uwazi_row(row: &[String]) -> Vec<String> {
    let cell = |i: usize| row.get(i).cloned().unwrap_or_default();
    let (id, ar, latn, mother, sex, birth, place, ids) = (
        cell(0),
        cell(1),
        cell(2),
        cell(3),
        cell(4),
        cell(5),
        cell(6),
        cell(7),
    );
    let title = [&ar, &latn, &id]
        .into_iter()
        .find(|t| !t.trim().is_empty())
        .cloned()
        .unwrap_or_default();
    let first_day = athar_model::FuzzyDate::parse(&birth)
        .ok()
        .and_then(|d| d.bounds())
        .map(|(lo, _)| {
            let (y, m, d) = athar_model::date::civil_from_days(lo);
            format!("{y:04}-{m:02}-{d:02}")
        })
        .unwrap_or_default();
    let sex = match sex.as_str() {
        "male" => "Male".to_string(),
        "female" => "Female".to_string(),
        _ => String::new(),
    };
    let ids = ids
        .split("; ")
        .filter(|i| !i.is_empty())
        .collect::<Vec<_>>()
        .join("|");
    vec![
        title, ar, latn, mother, sex, first_day, birth, place, ids, id,
    ]
}

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub format: Format,
    /// Leave out every identifying part.
    pub pseudonymised: bool,
    /// Leave out persons who have not consented to this purpose.
    pub purpose: Option<Purpose>,
    pub author: String,
    /// The exporting organisation.
    pub org: i64,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    pub persons: usize,
    /// Persons left out for want of consent to the purpose.
    pub left_out_without_consent: usize,
    pub sha256: String,
    pub audit_seq: i64,
}

const COLUMNS: &[&str] = &[
    "id",
    "name_ar",
    "name_latn",
    "mother_name",
    "sex",
    "birth_date",
    "birthplace",
    "identifiers",
    "shredded",
    "pseudonymised",
];

/// A cell a spreadsheet will show as text, never run.
pub fn escape_formula(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

fn name_of(names: &[PersonName], script: Script) -> String {
    names
        .iter()
        .find(|n| n.script == script)
        .map(PersonName::display)
        .unwrap_or_default()
}

/// The most characters an Excel cell holds.
pub const EXCEL_CELL_CHARS: usize = 32_767;

/// The sheet that holds, in parts, every value too long for one Excel cell.
pub const LONG_CELLS_SHEET: &str = "long-values";

/// How much of a too-long value stays in its own cell, before the note that sends the reader
/// to [`LONG_CELLS_SHEET`].
const LONG_CELL_KEPT: usize = 32_000;

/// The rows as a workbook whose sheet reads right to left, as Arabic lists do. Every cell is
/// written as text, so a value that looks like a formula stays a value. A value longer than
/// an Excel cell holds keeps its beginning in its cell with a note, and is written whole, in
/// parts of at most [`LONG_CELL_KEPT`] characters, on the sheet [`LONG_CELLS_SHEET`] (person
/// id, column, part, text) — valid data never makes an export fail.
fn workbook(rows: &[Vec<String>]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let header = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("persons")?;
    sheet.set_right_to_left(true);
    sheet.set_freeze_panes(1, 0)?;
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &header)?;
    }
    let mut long: Vec<(usize, usize)> = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            if cell.chars().count() > EXCEL_CELL_CHARS {
                let kept: String = cell.chars().take(LONG_CELL_KEPT).collect();
                let note = format!(
                    "{kept} … [continued on sheet {LONG_CELLS_SHEET} / التتمة في ورقة {LONG_CELLS_SHEET}]"
                );
                sheet.write_string(r as u32 + 1, c as u16, &note)?;
                long.push((r, c));
            } else {
                sheet.write_string(r as u32 + 1, c as u16, cell)?;
            }
        }
    }
    sheet.autofit();
    if !long.is_empty() {
        let parts = book.add_worksheet();
        parts.set_name(LONG_CELLS_SHEET)?;
        parts.set_right_to_left(true);
        for (c, name) in ["id", "column", "part", "text"].iter().enumerate() {
            parts.write_string_with_format(0, c as u16, *name, &header)?;
        }
        let mut line = 1u32;
        for (r, c) in long {
            let chars: Vec<char> = rows[r][c].chars().collect();
            for (i, chunk) in chars.chunks(LONG_CELL_KEPT).enumerate() {
                parts.write_string(line, 0, &rows[r][0])?;
                parts.write_string(line, 1, COLUMNS[c])?;
                parts.write_number(line, 2, (i + 1) as f64)?;
                parts.write_string(line, 3, chunk.iter().collect::<String>())?;
                line += 1;
            }
        }
    }
    book.save_to_buffer()
}

/// Write the persons organisation `options.org` may see to `out`.
pub fn export_persons(
    store: &dyn Store,
    options: &ExportOptions,
    out: &mut dyn std::io::Write,
) -> Result<ExportReport, StoreError> {
    let io = |e: std::io::Error| StoreError::Database(format!("writing the export: {e}"));
    let mut hasher = Sha256::new();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut left_out = 0;
    let mut after = None;
    loop {
        let page = store.list_for(options.org, RecordKind::Person, after, 500)?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for record in page {
            let RecordBody::Person(mut p) = record.body else {
                continue;
            };
            if let Some(purpose) = options.purpose
                && !permits(&p.consent, purpose)
            {
                left_out += 1;
                continue;
            }
            let hide = options.pseudonymised || record.pseudonymised;
            if hide {
                let mut body = RecordBody::Person(p);
                take_identifying(&mut body);
                let RecordBody::Person(stripped) = body else {
                    continue;
                };
                p = stripped;
            }
            rows.push(vec![
                record.id.to_string(),
                name_of(&p.names, Script::Arab),
                name_of(&p.names, Script::Latn),
                p.names
                    .iter()
                    .find_map(|n| n.mother.clone())
                    .unwrap_or_default(),
                serde_json::to_value(p.sex)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                p.birth_date.to_string(),
                p.birthplace
                    .as_ref()
                    .map(|b| {
                        b.pcode
                            .clone()
                            .or(b.facility.clone())
                            .or(b.text.clone())
                            .unwrap_or_default()
                    })
                    .unwrap_or_default(),
                p.identifiers
                    .iter()
                    .map(|i| format!("{}:{}", i.kind, i.value))
                    .collect::<Vec<_>>()
                    .join("; "),
                record.shredded.to_string(),
                hide.to_string(),
            ]);
        }
    }
    let bytes = match options.format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(COLUMNS)
                .map_err(|e| StoreError::Database(e.to_string()))?;
            for row in &rows {
                w.write_record(row.iter().map(|c| escape_formula(c)))
                    .map_err(|e| StoreError::Database(e.to_string()))?;
            }
            w.into_inner()
                .map_err(|e| StoreError::Database(e.to_string()))?
        }
        Format::Json => {
            let records: Vec<serde_json::Map<String, serde_json::Value>> = rows
                .iter()
                .map(|row| {
                    COLUMNS
                        .iter()
                        .zip(row)
                        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone())))
                        .collect()
                })
                .collect();
            serde_json::to_vec_pretty(&records).map_err(|e| StoreError::Database(e.to_string()))?
        }
        Format::Xlsx => workbook(&rows).map_err(|e| StoreError::Database(e.to_string()))?,
        Format::Uwazi => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(UWAZI_COLUMNS)
                .map_err(|e| StoreError::Database(e.to_string()))?;
            for row in &rows {
                w.write_record(uwazi_row(row).iter().map(|c| escape_formula(c)))
                    .map_err(|e| StoreError::Database(e.to_string()))?;
            }
            w.into_inner()
                .map_err(|e| StoreError::Database(e.to_string()))?
        }
    };
    hasher.update(&bytes);
    out.write_all(&bytes).map_err(io)?;
    out.flush().map_err(io)?;
    let sha: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let entry = store.audit(
        &options.author,
        "export.persons",
        Some(&format!("{} persons sha256:{sha}", rows.len())),
    )?;
    Ok(ExportReport {
        persons: rows.len(),
        left_out_without_consent: left_out,
        sha256: sha,
        audit_seq: entry.seq,
    })
}
