#![allow(clippy::unwrap_used, clippy::expect_used)]
//! XLSX files: every cell type read back with an independent reader (calamine), the log view's
//! XLSX export (same columns as the CSV, typed cells, server text never a formula), Excel's
//! limits as clear errors, and atomic replacement (a failed export leaves the old file).

use calamine::{open_workbook, Data, Reader, Xlsx};
use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;
use sdesk_core::logs::{export_xlsx_to_path, Column, XLSX_SHEET};
use sdesk_core::models::ConnectionReport;
use sdesk_core::xlsx::{write_xlsx, XlsxCell, MAX_TEXT_CHARS};
use sdesk_core::ErrorKind;
use serde_json::json;
use std::path::Path;
use std::str::FromStr;

fn read_sheet(path: &Path, sheet: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook(path).expect("the file opens as XLSX");
    let range = book
        .worksheet_range(sheet)
        .expect("the sheet exists under its name");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(d: &Data) -> &str {
    match d {
        Data::String(s) => s,
        other => panic!("expected a text cell, got {other:?}"),
    }
}

fn number(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(n) => *n as f64,
        other => panic!("expected a number cell, got {other:?}"),
    }
}

#[test]
fn every_cell_type_reads_back_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cells.xlsx");
    let when = Utc.with_ymd_and_hms(2026, 11, 29, 14, 2, 5).unwrap();
    let rows = vec![vec![
        XlsxCell::Text("Jörg Müller".into()),
        XlsxCell::Int(3_725),
        XlsxCell::Number(12.5),
        XlsxCell::Money(Decimal::from_str("135.05").unwrap()),
        XlsxCell::DateTime(when),
        XlsxCell::Empty,
        XlsxCell::Text("=HYPERLINK(\"http://evil\")".into()),
    ]];
    let n = write_xlsx(
        &path,
        "Invoice",
        &[
            "customer", "seconds", "fee", "amount", "start", "none", "notes",
        ],
        rows,
    )
    .unwrap();
    assert_eq!(n, 1, "one data row written");

    let sheet = read_sheet(&path, "Invoice");
    assert_eq!(sheet.len(), 2, "header and one row");
    assert_eq!(text(&sheet[0][0]), "customer", "the header row comes first");
    let row = &sheet[1];
    assert_eq!(text(&row[0]), "Jörg Müller", "text keeps its Unicode");
    assert_eq!(number(&row[1]), 3_725.0, "a whole number is a number cell");
    assert_eq!(number(&row[2]), 12.5);
    assert_eq!(
        number(&row[3]),
        135.05,
        "money is a number cell (so a spreadsheet can sum it)"
    );
    match &row[4] {
        Data::DateTime(dt) => assert_eq!(
            dt.as_datetime().unwrap(),
            when.naive_utc(),
            "the time is an Excel date-time in UTC"
        ),
        other => panic!("expected a date-time cell, got {other:?}"),
    }
    assert_eq!(row[5], Data::Empty, "an empty cell stays empty");
    assert_eq!(
        text(&row[6]),
        "=HYPERLINK(\"http://evil\")",
        "server text that looks like a formula is stored as text, not as a formula"
    );
}

fn report(v: serde_json::Value) -> ConnectionReport {
    serde_json::from_value(v).unwrap()
}

#[test]
fn log_export_has_the_csv_columns_with_typed_cells() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.xlsx");
    let records = [
        report(json!({
            "id": "r1", "userid": "u1", "username": "Jörg Müller", "deviceid": 987_654_321,
            "devicename": "PC-1", "groupname": "Support", "support_session_type": 2,
            "start_date": "2026-11-29T14:02:00Z", "end_date": "2026-11-29T15:03:01Z",
            "fee": 12.5, "currency": "EUR", "billing_state": "Bill",
            "notes": "line 1\nline 2", "end_customer": {"name": "Anna", "email": "anna@example.com"}
        })),
        report(json!({ "id": "r2" })),
    ];
    let n = export_xlsx_to_path(&records, &path).unwrap();
    assert_eq!(n, 2);

    let sheet = read_sheet(&path, XLSX_SHEET);
    assert_eq!(sheet.len(), 3, "header and two rows");
    let header: Vec<&str> = sheet[0].iter().map(text).collect();
    let expected: Vec<String> = Column::ALL
        .iter()
        .map(|c| match c {
            Column::StartDate | Column::EndDate => format!("{} (UTC)", c.name()),
            other => other.name().to_owned(),
        })
        .collect();
    assert_eq!(
        header, expected,
        "the XLSX has the CSV's columns in the CSV's order; the times say they are UTC"
    );
    let col = |c: Column| Column::ALL.iter().position(|x| *x == c).unwrap();
    let first = &sheet[1];
    assert_eq!(text(&first[col(Column::Id)]), "r1");
    assert_eq!(text(&first[col(Column::Username)]), "Jörg Müller");
    assert_eq!(
        number(&first[col(Column::DurationSeconds)]),
        3_661.0,
        "the duration is a number of seconds"
    );
    assert_eq!(number(&first[col(Column::Fee)]), 12.5);
    assert_eq!(text(&first[col(Column::Notes)]), "line 1\nline 2");
    match &first[col(Column::StartDate)] {
        Data::DateTime(dt) => assert_eq!(
            dt.as_datetime().unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 29, 14, 2, 0)
                .unwrap()
                .naive_utc()
        ),
        other => panic!("the start is a date-time cell, got {other:?}"),
    }
    let second = &sheet[2];
    assert_eq!(text(&second[col(Column::Id)]), "r2");
    assert!(
        second[col(Column::StartDate)..]
            .iter()
            .all(|d| *d == Data::Empty),
        "absent values are empty cells, not zeros or empty strings: {second:?}"
    );
}

#[test]
fn too_long_text_is_a_clear_error_and_keeps_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keep.xlsx");
    std::fs::write(&path, b"the previous export").unwrap();
    let long = "x".repeat(MAX_TEXT_CHARS + 1);
    let err = write_xlsx(&path, "Sheet", &["notes"], vec![vec![XlsxCell::Text(long)]]).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::InvalidInput,
        "a cell Excel cannot hold is the user's input problem, said before anything is written: {err}"
    );
    assert!(
        err.to_string().contains("CSV"),
        "the message says what to do instead: {err}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"the previous export",
        "a failed export leaves the existing file untouched"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "no temporary file is left: {leftovers:?}"
    );
}

#[test]
fn many_rows_stream_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.xlsx");
    let rows = (0..20_000).map(|i| vec![XlsxCell::Int(i), XlsxCell::Text(format!("row {i}"))]);
    let n = write_xlsx(&path, "Rows", &["n", "label"], rows).unwrap();
    assert_eq!(n, 20_000);
    let sheet = read_sheet(&path, "Rows");
    assert_eq!(sheet.len(), 20_001, "every row is in the file");
    assert_eq!(number(&sheet[20_000][0]), 19_999.0, "in the order written");
    assert_eq!(text(&sheet[20_000][1]), "row 19999");
}
