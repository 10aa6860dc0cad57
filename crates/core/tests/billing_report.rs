#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Invoice lines (issue 10 item 4): the CSV header exactly as the issue writes it, one line per
//! case with UTC `…Z` times and money in cents, the project's formula guard on text, and the
//! JSON rows with the same keys.

use chrono::{TimeZone, Utc};
use sdesk_core::billing::{
    build_cases, report_json, write_report_csv, write_report_csv_with, BillingRecord, Rates,
    REPORT_HEADER,
};
use sdesk_core::logs::CsvOptions;

fn conn(id: &str, customer: &str, h: u32, m: u32, end_h: u32, end_m: u32) -> BillingRecord {
    BillingRecord {
        id: id.into(),
        start: Utc.with_ymd_and_hms(2026, 11, 3, h, m, 0).unwrap(),
        end: Some(Utc.with_ymd_and_hms(2026, 11, 3, end_h, end_m, 0).unwrap()),
        userid: None,
        username: None,
        groupid: None,
        groupname: None,
        customer: customer.into(),
        billing_state: None,
    }
}

#[test]
fn header_is_exactly_the_issues() {
    assert_eq!(
        REPORT_HEADER.join(","),
        "customer,case_start,case_end,connections,billable_seconds,billable_minutes,rate_name,\
         hourly_rate,base_fee,currency,amount,connection_ids"
    );
}

#[test]
fn csv_lines_with_times_money_ids_and_the_formula_guard() {
    // Default rates (Standard 90.00 EUR, min 15, increment 15, merge 10).
    // acme: 09:00–09:10 and 09:15–09:40 merge: 600 + 1500 = 2100 s → ⌈2100/900⌉ = 3 → 45 min
    //       → 45 × 90 / 60 = 67.50.
    // "=cmd|' /C calc'!A0": a formula-looking customer (server text is untrusted): 20 min →
    //       30 min → 45.00; its text gets a leading ' .
    // "Müller, Jörg": the comma quotes the field. 10 min → 15 min → 22.50.
    let records = vec![
        conn("b-2", "acme", 9, 15, 9, 40),
        conn("a-1", "acme", 9, 0, 9, 10),
        conn("x", "=cmd|' /C calc'!A0", 10, 0, 10, 20),
        conn("m", "Müller, Jörg", 11, 0, 11, 10),
    ];
    let cases = build_cases(&Rates::default(), &records).cases;
    let mut out = Vec::new();
    write_report_csv(&cases, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text,
        "customer,case_start,case_end,connections,billable_seconds,billable_minutes,rate_name,hourly_rate,base_fee,currency,amount,connection_ids\r\n\
         '=cmd|' /C calc'!A0,2026-11-03T10:00:00Z,2026-11-03T10:20:00Z,1,1200,30,Standard,90.00,0.00,EUR,45.00,x\r\n\
         \"Müller, Jörg\",2026-11-03T11:00:00Z,2026-11-03T11:10:00Z,1,600,15,Standard,90.00,0.00,EUR,22.50,m\r\n\
         acme,2026-11-03T09:00:00Z,2026-11-03T09:40:00Z,2,2100,45,Standard,90.00,0.00,EUR,67.50,a-1 b-2\r\n",
        "sorted by customer (bytes), then start; ids space-separated in start order"
    );

    // German Excel: `;` and a BOM.
    let mut out = Vec::new();
    write_report_csv_with(&cases[2..], &mut out, &CsvOptions::excel_semicolon()).unwrap();
    assert!(out.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM first");
    assert!(String::from_utf8_lossy(&out)
        .contains("acme;2026-11-03T09:00:00Z;2026-11-03T09:40:00Z;2;2100;45;Standard;90.00;0.00;EUR;67.50;a-1 b-2\r\n"));
}

#[test]
fn an_empty_report_is_the_header_alone() {
    let mut out = Vec::new();
    write_report_csv(&[], &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        format!("{}\r\n", REPORT_HEADER.join(","))
    );
    assert_eq!(report_json(&[]), serde_json::json!([]));
}

#[test]
fn json_rows_have_the_header_keys_and_money_as_strings() {
    let records = vec![
        conn("a-1", "acme", 9, 0, 9, 10),
        conn("b-2", "acme", 9, 15, 9, 40),
    ];
    let cases = build_cases(&Rates::default(), &records).cases;
    let json = report_json(&cases);
    assert_eq!(
        json,
        serde_json::json!([{
            "customer": "acme",
            "case_start": "2026-11-03T09:00:00Z",
            "case_end": "2026-11-03T09:40:00Z",
            "connections": 2,
            "billable_seconds": 2100,
            "billable_minutes": 45,
            "rate_name": "Standard",
            "hourly_rate": "90.00",
            "base_fee": "0.00",
            "currency": "EUR",
            "amount": "67.50",
            "connection_ids": ["a-1", "b-2"],
        }])
    );
    let keys: Vec<&str> = json[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut header = REPORT_HEADER.to_vec();
    header.sort_unstable();
    let mut keys_sorted = keys.clone();
    keys_sorted.sort_unstable();
    assert_eq!(keys_sorted, header, "exactly the CSV header's keys");
}
