//! Any bytes as a list file: CSV in any encoding and delimiter, an Excel workbook, JSON.
//! A table or an error, never a panic; every cell of a table within the length limit.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(table) = athar_ingest::table::read_any(data) {
        for (_, row) in &table.rows {
            for cell in row {
                assert!(cell.chars().count() <= athar_ingest::table::MAX_CELL_CHARS);
            }
        }
    }
});
