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
