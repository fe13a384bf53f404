//! Lists out: persons as CSV or JSON, for the organisation's own use or for others, with
//! their events as a second file (or, in a workbook, a second sheet) — each person with the
//! list and the key of the row it came from, so an export can be checked against the list
//! row by row.
//!
//! An export holds the records the exporting organisation may see (its own and those
//! shared with it), pseudonymised ones without identifying parts. With `pseudonymised`,
//! no names, identifiers, contacts or notes leave at all; with a consent `purpose`, persons
//! who have not consented to it are left out and counted. Every cell that a spreadsheet
//! would run as a formula (starting with = + - @, a tab or a carriage return) is prefixed
//! with an apostrophe. The export is recorded in the audit chain with its SHA-256.

use athar_model::consent::{Purpose, permits};
use athar_model::sealing::take_identifying;
use std::collections::HashMap;

use athar_model::{PersonName, RecordBody, RecordId, RecordKind, Script, Vocabularies};
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

/// Which table a CSV or JSON export writes: the persons, or their events (one row per
/// person and event). A workbook holds both, on two sheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportTable {
    #[default]
    Persons,
    Events,
}

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub format: Format,
    /// For CSV and JSON: which table.
    pub table: ExportTable,
    /// Leave out every identifying part.
    pub pseudonymised: bool,
    /// Leave out persons who have not consented to this purpose.
    pub purpose: Option<Purpose>,
    pub author: String,
    /// The exporting organisation.
    pub org: i64,
    /// Its vocabularies, for the order of each person's events (None: the shared ones).
    pub vocabularies: Option<std::sync::Arc<Vocabularies>>,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    pub persons: usize,
    /// Rows of events written (a person's part in an event per row).
    pub events: usize,
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
    "list_id",
    "list_name",
    "list_key",
    "unnamed",
    "combatant_status",
    "age_group",
    "occupation",
    "rank",
];

/// The columns of the events table: one row per person and event, in journey order.
pub const EVENT_COLUMNS: &[&str] = &[
    "person_id",
    "list_key",
    "event_id",
    "role",
    "kind",
    "start",
    "end",
    "place",
    "unit",
    "party",
    "host_country",
    "crossing",
    "cause",
    "actor",
    "verification",
    "previous",
    "narrative",
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

/// A sheet of a workbook: its name, its columns and its rows.
type Sheet<'a> = (&'static str, &'static [&'static str], &'a [Vec<String>]);

/// The rows as a workbook whose sheets read right to left, as Arabic lists do: the
/// persons first (the sheet an import reads), then their events. Every cell is written as
/// text, so a value that looks like a formula stays a value. A value longer than an Excel
/// cell holds keeps its beginning in its cell with a note, and is written whole, in parts
/// of at most [`LONG_CELL_KEPT`] characters, on the sheet [`LONG_CELLS_SHEET`] (person id,
/// column — `events.COLUMN` for the events sheet —, part, text): valid data never makes an
/// export fail.
fn workbook(
    persons: &[Vec<String>],
    events: &[Vec<String>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let header = rust_xlsxwriter::Format::new().set_bold();
    // (sheet, row, column) of each value too long for its cell.
    let mut long: Vec<(usize, usize, usize)> = Vec::new();
    let sheets: [Sheet<'_>; 2] = [
        ("persons", COLUMNS, persons),
        ("events", EVENT_COLUMNS, events),
    ];
    for (s, (name, columns, rows)) in sheets.iter().enumerate() {
        let sheet = book.add_worksheet();
        sheet.set_name(*name)?;
        sheet.set_right_to_left(true);
        sheet.set_freeze_panes(1, 0)?;
        for (c, column) in columns.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *column, &header)?;
        }
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
                    long.push((s, r, c));
                } else {
                    sheet.write_string(r as u32 + 1, c as u16, cell)?;
                }
            }
        }
        sheet.autofit();
    }
    if !long.is_empty() {
        let parts = book.add_worksheet();
        parts.set_name(LONG_CELLS_SHEET)?;
        parts.set_right_to_left(true);
        for (c, name) in ["id", "column", "part", "text"].iter().enumerate() {
            parts.write_string_with_format(0, c as u16, *name, &header)?;
        }
        let mut line = 1u32;
        for (s, r, c) in long {
            let (name, columns, rows) = sheets[s];
            let column = if s == 0 {
                columns[c].to_string()
            } else {
                format!("{name}.{}", columns[c])
            };
            let chars: Vec<char> = rows[r][c].chars().collect();
            for (i, chunk) in chars.chunks(LONG_CELL_KEPT).enumerate() {
                parts.write_string(line, 0, &rows[r][0])?;
                parts.write_string(line, 1, &column)?;
                parts.write_number(line, 2, (i + 1) as f64)?;
                parts.write_string(line, 3, chunk.iter().collect::<String>())?;
                line += 1;
            }
        }
    }
    book.save_to_buffer()
}

/// Every record of a kind the organisation may see.
fn all_visible(
    store: &dyn Store,
    org: i64,
    kind: RecordKind,
) -> Result<Vec<athar_store::StoredRecord>, StoreError> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store.list_for(org, kind, after, 500)?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        out.extend(page);
    }
    Ok(out)
}

/// A serde enum's name as written in JSON (`male`, `victim`, `alleged`).
fn name_of_value(value: impl Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

fn place_text(place: Option<&athar_model::PlaceRef>) -> String {
    place
        .map(|b| {
            b.pcode
                .clone()
                .or(b.facility.clone())
                .or(b.text.clone())
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

/// Write the persons organisation `options.org` may see to `out` — or, with
/// [`ExportTable::Events`], their events; a workbook holds both.
pub fn export_persons(
    store: &dyn Store,
    options: &ExportOptions,
    out: &mut dyn std::io::Write,
) -> Result<ExportReport, StoreError> {
    let io = |e: std::io::Error| StoreError::Database(format!("writing the export: {e}"));
    let vocab: &Vocabularies = options
        .vocabularies
        .as_deref()
        .unwrap_or(Vocabularies::embedded());
    let mut hasher = Sha256::new();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut left_out = 0;
    // The lists' names, where the organisation may read them.
    let lists: HashMap<RecordId, String> = all_visible(store, options.org, RecordKind::Source)?
        .into_iter()
        .filter_map(|r| match r.body {
            RecordBody::Source(s) if !r.pseudonymised => Some((r.id, s.title)),
            _ => None,
        })
        .collect();
    // Persons exported: (id, list key shown, identifying parts hidden).
    let mut exported: HashMap<RecordId, (String, bool)> = HashMap::new();
    for record in all_visible(store, options.org, RecordKind::Person)? {
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
        let list = p.sources.first().map(|c| c.source);
        let list_key = p.list_key.clone().unwrap_or_default();
        exported.insert(record.id, (list_key.clone(), hide));
        rows.push(vec![
            record.id.to_string(),
            name_of(&p.names, Script::Arab),
            name_of(&p.names, Script::Latn),
            p.names
                .iter()
                .find_map(|n| n.mother.clone())
                .unwrap_or_default(),
            name_of_value(p.sex),
            p.birth_date.to_string(),
            place_text(p.birthplace.as_ref()),
            p.identifiers
                .iter()
                .map(|i| format!("{}:{}", i.kind, i.value))
                .collect::<Vec<_>>()
                .join("; "),
            record.shredded.to_string(),
            hide.to_string(),
            list.map(|l| l.to_string()).unwrap_or_default(),
            match list.and_then(|l| lists.get(&l)) {
                Some(name) if !hide => name.clone(),
                _ => String::new(),
            },
            list_key,
            p.unnamed.to_string(),
            p.combatant_status.map(name_of_value).unwrap_or_default(),
            p.stated_age_group.map(name_of_value).unwrap_or_default(),
            p.occupation.clone().unwrap_or_default(),
            p.rank.clone().unwrap_or_default(),
        ]);
    }
    let event_rows = if options.format == Format::Xlsx || options.table == ExportTable::Events {
        event_rows(store, options, vocab, &exported)?
    } else {
        Vec::new()
    };
    let table_rows: &[Vec<String>] = match options.table {
        ExportTable::Persons => &rows,
        ExportTable::Events => &event_rows,
    };
    let columns = match options.table {
        ExportTable::Persons => COLUMNS,
        ExportTable::Events => EVENT_COLUMNS,
    };
    let bytes = match options.format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(columns)
                .map_err(|e| StoreError::Database(e.to_string()))?;
            for row in table_rows {
                w.write_record(row.iter().map(|c| escape_formula(c)))
                    .map_err(|e| StoreError::Database(e.to_string()))?;
            }
            w.into_inner()
                .map_err(|e| StoreError::Database(e.to_string()))?
        }
        Format::Json => {
            let records: Vec<serde_json::Map<String, serde_json::Value>> = table_rows
                .iter()
                .map(|row| {
                    columns
                        .iter()
                        .zip(row)
                        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone())))
                        .collect()
                })
                .collect();
            serde_json::to_vec_pretty(&records).map_err(|e| StoreError::Database(e.to_string()))?
        }
        Format::Xlsx => {
            workbook(&rows, &event_rows).map_err(|e| StoreError::Database(e.to_string()))?
        }
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
    let (action, subject) = match (options.format, options.table) {
        (Format::Xlsx, _) => (
            "export.persons",
            format!(
                "{} persons, {} events sha256:{sha}",
                rows.len(),
                event_rows.len()
            ),
        ),
        (_, ExportTable::Events) => (
            "export.events",
            format!(
                "{} events of {} persons sha256:{sha}",
                event_rows.len(),
                rows.len()
            ),
        ),
        _ => (
            "export.persons",
            format!("{} persons sha256:{sha}", rows.len()),
        ),
    };
    let entry = store.audit(&options.author, action, Some(&subject))?;
    Ok(ExportReport {
        persons: rows.len(),
        events: event_rows.len(),
        left_out_without_consent: left_out,
        sha256: sha,
        audit_seq: entry.seq,
    })
}

/// One row per exported person and each event the organisation may see them in, each
/// person's events in journey order (docs/DEFINITIONS.md), persons in export order.
fn event_rows(
    store: &dyn Store,
    options: &ExportOptions,
    vocab: &Vocabularies,
    exported: &HashMap<RecordId, (String, bool)>,
) -> Result<Vec<Vec<String>>, StoreError> {
    let mut events: HashMap<RecordId, (athar_model::Event, bool)> = HashMap::new();
    for r in all_visible(store, options.org, RecordKind::Event)? {
        if let RecordBody::Event(e) = r.body {
            events.insert(r.id, (e, r.pseudonymised));
        }
    }
    // Each person's steps, people in record order (the persons table's order).
    let mut steps: std::collections::BTreeMap<RecordId, Vec<(RecordId, athar_model::Role)>> =
        std::collections::BTreeMap::new();
    for r in all_visible(store, options.org, RecordKind::Involvement)? {
        if let RecordBody::Involvement(i) = r.body
            && exported.contains_key(&i.person)
            && events.contains_key(&i.event)
        {
            steps.entry(i.person).or_default().push((i.event, i.role));
        }
    }
    let mut rows = Vec::new();
    for (person, mut list) in steps {
        list.sort_by_key(|(e, role)| (*e, *role as u8));
        list.dedup();
        let (list_key, hidden) = &exported[&person];
        let journey: Vec<athar_model::status::JourneyStep<'_>> = list
            .iter()
            .map(|(e, role)| athar_model::status::JourneyStep {
                id: *e,
                event: &events[e].0,
                role: *role,
            })
            .collect();
        for step in athar_model::status::journey_order(&journey, vocab) {
            let mut event = step.event.clone();
            if *hidden || events[&step.id].1 {
                let mut body = RecordBody::Event(event);
                take_identifying(&mut body);
                let RecordBody::Event(stripped) = body else {
                    continue;
                };
                event = stripped;
            }
            let date = |d: &athar_model::FuzzyDate| {
                if d.is_unknown() {
                    String::new()
                } else {
                    d.to_string()
                }
            };
            rows.push(vec![
                person.to_string(),
                list_key.clone(),
                step.id.to_string(),
                name_of_value(step.role),
                event.kind.clone(),
                date(&event.start),
                date(&event.end),
                place_text(event.place.as_ref()),
                event.unit.clone().unwrap_or_default(),
                event.party.clone().unwrap_or_default(),
                event.host_country.clone().unwrap_or_default(),
                event.crossing.clone().unwrap_or_default(),
                event.cause.clone().unwrap_or_default(),
                event.actor_as_written.clone().unwrap_or_default(),
                name_of_value(event.verification),
                event.previous.map(|p| p.to_string()).unwrap_or_default(),
                event.narrative.clone().unwrap_or_default(),
            ]);
        }
    }
    Ok(rows)
}
