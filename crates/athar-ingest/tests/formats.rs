//! Workbooks and JSON lists read like delimited text; hostile ones are refused clearly.

use athar_ingest::table::{TableError, read_any};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn an_excel_workbook_reads_with_its_arabic_headers_and_dates() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_right_to_left(true);
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (col, h) in ["الرقم", "الاسم الكامل", "تاريخ الاعتقال", "ملاحظات"]
        .iter()
        .enumerate()
    {
        ok(sheet.write_string(0, col as u16, *h));
    }
    ok(sheet.write_number(1, 0, 1.0));
    ok(sheet.write_string(1, 1, "محمد الأحمد"));
    ok(sheet.write_date_with_format(1, 2, ok(ExcelDateTime::from_ymd(2019, 3, 12)), &date));
    ok(sheet.write_string(1, 3, "سطر\nثانٍ"));
    ok(sheet.write_number(3, 0, 2.0));
    ok(sheet.write_string(3, 1, "سامر"));
    ok(sheet.write_string(3, 2, "~2018"));
    let bytes = ok(book.save_to_buffer());
    let table = ok(read_any(&bytes));
    assert_eq!(table.encoding, "xlsx");
    assert_eq!(
        table.headers,
        vec!["الرقم", "الاسم الكامل", "تاريخ الاعتقال", "ملاحظات"]
    );
    assert_eq!(table.rows.len(), 2, "the empty row 3 is skipped");
    assert_eq!(
        table.rows[0],
        (
            2,
            vec![
                "1".into(),
                "محمد الأحمد".into(),
                "2019-03-12".into(),
                "سطر\nثانٍ".into()
            ]
        )
    );
    assert_eq!(table.rows[1].0, 4);
    assert_eq!(table.rows[1].1[2], "~2018");
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_unpacked() {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    ok(writer.start_file("xl/worksheets/sheet1.xml", options));
    let zeros = vec![b'0'; 1 << 20];
    for _ in 0..20 {
        ok(writer.write_all(&zeros));
    }
    let bytes = ok(writer.finish()).into_inner();
    assert!(bytes.len() < 200_000, "{} bytes", bytes.len());
    assert!(matches!(
        read_any(&bytes),
        Err(TableError::WorkbookTooLarge { .. })
    ));
    // Not a workbook at all, though it starts like one.
    let mut fake = b"PK\x03\x04".to_vec();
    fake.extend_from_slice(&[0u8; 64]);
    assert!(matches!(read_any(&fake), Err(TableError::NotWorkbook(_))));
}

#[test]
fn json_lists_read_flat_records_and_refuse_the_rest_clearly() {
    let table = ok(read_any(
        r#"[{"الاسم": "محمد", "العمر": 34, "ملاحظات": null}, {"الاسم": "هبة", "مكان": "حمص"}]"#
            .as_bytes(),
    ));
    assert_eq!(table.headers, vec!["الاسم", "العمر", "ملاحظات", "مكان"]);
    assert_eq!(table.rows[0].1, vec!["محمد", "34", "", ""]);
    assert_eq!(
        table.rows[1],
        (2, vec!["هبة".into(), "".into(), "".into(), "حمص".into()])
    );
    let nested = read_any(br#"[{"a": 1}, {"a": {"b": 2}}]"#).err();
    assert!(
        matches!(nested, Some(TableError::Malformed { line: 2, .. })),
        "{nested:?}"
    );
    let broken = read_any(br#"[{"a": 1},"#)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(broken.contains("malformed JSON"), "{broken}");
    let wrong = read_any(br#"[1, 2]"#)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(wrong.contains("array of objects"), "{wrong}");
}

/// A workbook of two cells, one at each corner of Excel's grid: its declared dimension is
/// the whole grid (A1:XFD1048576), which a reader that allocates the rectangle cannot hold
/// in memory. Read cell by cell, it is one header and nothing else.
#[test]
fn a_workbook_spread_over_the_whole_grid_costs_only_its_cells() {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    ok(sheet.write_string(0, 0, "الاسم"));
    ok(sheet.write_string(1_048_575, 16_383, "x"));
    let bytes = ok(book.save_to_buffer());
    assert!(bytes.len() < 10_000, "{} bytes", bytes.len());
    let table = ok(read_any(&bytes));
    assert_eq!(table.headers, vec!["الاسم"]);
    assert!(table.rows.is_empty(), "{:?}", table.rows);

    // A header reaching the grid's last column is refused, naming the limit.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    ok(sheet.write_string(0, 0, "الاسم"));
    ok(sheet.write_string(0, 16_383, "x"));
    ok(sheet.write_string(1_048_575, 0, "محمد"));
    let bytes = ok(book.save_to_buffer());
    assert_eq!(
        read_any(&bytes).err(),
        Some(TableError::TooWide {
            column: 16_384,
            limit: athar_ingest::table::MAX_COLUMNS
        })
    );
}

/// Millions of one-character rows (60 MB of text once grew to gigabytes) are refused at
/// the row limit, with a message saying what to do.
#[test]
fn a_flood_of_tiny_rows_is_refused_at_the_row_limit() {
    use athar_ingest::table::MAX_ROWS;
    let mut text = String::with_capacity(2 * (MAX_ROWS + 3));
    text.push_str("a\n");
    for _ in 0..=MAX_ROWS {
        text.push_str("x\n");
    }
    let refused = read_any(text.as_bytes()).err();
    assert_eq!(refused, Some(TableError::TooManyRows { limit: MAX_ROWS }));
    assert!(
        refused
            .map(|e| e.to_string())
            .is_some_and(|m| m.contains("split it"))
    );
    // Blank lines cost nothing: the same number of empty rows reads as an empty list.
    let blank = format!("a\n{}", "\n".repeat(MAX_ROWS + 1));
    assert!(ok(read_any(blank.as_bytes())).rows.is_empty());
}
