#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Black-box tests of `sdesk billing report` against an archive filled with known records:
//! every figure below is worked out by hand from docs/billing.md.

mod common;

use common::*;
use sdesk_archive::{Archive, ArchiveUrl};
use serde_json::json;
use std::path::Path;
use std::process::Output;

/// The issue's example rates (Premium for group g100002).
const ISSUE_RATES: &str = r#"merge_within_minutes = 10
[default]
name = "Standard"
hourly_rate = "90.00"
currency = "EUR"
base_fee = "0.00"
minimum_minutes = 15
increment_minutes = 15
free_under_seconds = 60
[[group]]
groupid = "g100002"
name = "Premium"
hourly_rate = "120.00"
currency = "EUR"
base_fee = "5.00"
minimum_minutes = 30
increment_minutes = 15
free_under_seconds = 60
"#;

/// An archive in `dir` with these records (the API's JSON), period November 2026:
/// - c1, c2: customer Anna@Example.com / anna@example.com (one key), 09:00–09:10 (Bill) and
///   09:15–09:40 (Billed): one case (5 min gap ≤ 10), 600 + 1500 = 2100 s → ⌈2100/900⌉ = 3 →
///   45 min → 45 × 90 / 60 = 67.50; unbilled (c1).
/// - p1: device PC-7 in group g100002, 10:00–10:40, Billed: 2400 s → 45 min; Premium
///   5.00 + 45 × 120 / 60 = 95.00, default rates 45 × 90 / 60 = 67.50; not unbilled.
/// - f1: customer name "=1+2" (a formula), no billing state (counts as Bill), 08:00–08:20:
///   1200 s → 30 min → 45.00.
/// - dnb: DoNotBill; free: 30 s; run: no end. Excluded.
/// - before (31 Oct 23:59:59) and after (1 Dec 00:00:00) are outside the period.
fn archive(dir: &Path) -> String {
    let url = format!("sqlite:{}", dir.join("archive.sqlite3").display());
    let records = vec![
        json!({"id": "c1", "start_date": "2026-11-03T09:00:00Z", "end_date": "2026-11-03T09:10:00Z",
               "end_customer": {"email": "Anna@Example.com", "name": "Anna"}, "billing_state": "Bill"}),
        json!({"id": "c2", "start_date": "2026-11-03T09:15:00Z", "end_date": "2026-11-03T09:40:00Z",
               "end_customer": {"email": "anna@example.com"}, "billing_state": "Billed"}),
        json!({"id": "p1", "start_date": "2026-11-04T10:00:00Z", "end_date": "2026-11-04T10:40:00Z",
               "devicename": "PC-7", "groupid": "g100002", "groupname": "Premium customers",
               "billing_state": "Billed"}),
        json!({"id": "f1", "start_date": "2026-11-05T08:00:00Z", "end_date": "2026-11-05T08:20:00Z",
               "end_customer": {"name": "=1+2"}}),
        json!({"id": "dnb", "start_date": "2026-11-05T09:00:00Z", "end_date": "2026-11-05T10:00:00Z",
               "end_customer": {"name": "Zoe"}, "billing_state": "DoNotBill"}),
        json!({"id": "free", "start_date": "2026-11-05T12:00:00Z", "end_date": "2026-11-05T12:00:30Z",
               "end_customer": {"name": "Zoe"}, "billing_state": "Bill"}),
        json!({"id": "run", "start_date": "2026-11-06T12:00:00Z", "end_customer": {"name": "Zoe"}}),
        json!({"id": "before", "start_date": "2026-10-31T23:59:59Z", "end_date": "2026-11-01T00:30:00Z",
               "end_customer": {"name": "Zoe"}}),
        json!({"id": "after", "start_date": "2026-12-01T00:00:00Z", "end_date": "2026-12-01T00:30:00Z",
               "end_customer": {"name": "Zoe"}}),
    ];
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let archive = Archive::open(&ArchiveUrl::parse(&url).unwrap())
            .await
            .unwrap();
        archive.upsert_json(&records).await.unwrap();
    });
    url
}

/// `sdesk billing report --from 2026-11-01 --to 2026-12-01 --database URL ARGS…`, with the
/// user's config and data directories inside `dir` (never the real ones).
fn report(dir: &Path, url: &str, args: &[&str]) -> Output {
    let config = dir.join("config");
    let data = dir.join("data");
    let mut all = vec![
        "billing",
        "report",
        "--from",
        "2026-11-01",
        "--to",
        "2026-12-01",
        "--database",
        url,
    ];
    all.extend_from_slice(args);
    sdesk(
        &all,
        &[
            ("XDG_CONFIG_HOME", config.to_str().unwrap()),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
        ],
    )
}

fn last_line(o: &Output) -> String {
    stderr(o).trim_end().lines().last().unwrap_or("").to_owned()
}

const HEADER_LINE: &str = "customer,case_start,case_end,connections,billable_seconds,\
billable_minutes,rate_name,hourly_rate,base_fee,currency,amount,connection_ids";

#[test]
fn csv_report_with_a_rates_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = archive(dir.path());
    let rates = dir.path().join("my-rates.toml");
    std::fs::write(&rates, ISSUE_RATES).unwrap();
    let out = dir.path().join("invoice.csv");
    let o = report(
        dir.path(),
        &url,
        &[
            "--rates",
            rates.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        format!(
            "{HEADER_LINE}\r\n\
             '=1+2,2026-11-05T08:00:00Z,2026-11-05T08:20:00Z,1,1200,30,Standard,90.00,0.00,EUR,45.00,f1\r\n\
             PC-7,2026-11-04T10:00:00Z,2026-11-04T10:40:00Z,1,2400,45,Premium,120.00,5.00,EUR,95.00,p1\r\n\
             anna@example.com,2026-11-03T09:00:00Z,2026-11-03T09:40:00Z,2,2100,45,Standard,90.00,0.00,EUR,67.50,c1 c2\r\n"
        ),
        "one line per case, sorted by customer then start; the formula-looking name guarded"
    );
    // 45.00 + 95.00 + 67.50 = 207.50.
    assert_eq!(
        last_line(&o),
        "report: 3 cases (2 unbilled), 4 connections; total 207.50 EUR; excluded: 1 not \
         billable, 1 free, 1 running"
    );
    assert!(
        !stderr(&o).contains("default rates"),
        "the named file is used: {}",
        stderr(&o)
    );
}

#[test]
fn json_unbilled_only_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let url = archive(dir.path());
    let rates = dir.path().join("rates.toml");
    std::fs::write(&rates, ISSUE_RATES).unwrap();
    let o = report(
        dir.path(),
        &url,
        &[
            "--rates",
            rates.to_str().unwrap(),
            "--unbilled-only",
            "--json",
            "--out",
            "-",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        rows,
        json!([
            {"customer": "=1+2", "case_start": "2026-11-05T08:00:00Z", "case_end": "2026-11-05T08:20:00Z",
             "connections": 1, "billable_seconds": 1200, "billable_minutes": 30, "rate_name": "Standard",
             "hourly_rate": "90.00", "base_fee": "0.00", "currency": "EUR", "amount": "45.00",
             "connection_ids": "f1"},
            {"customer": "anna@example.com", "case_start": "2026-11-03T09:00:00Z", "case_end": "2026-11-03T09:40:00Z",
             "connections": 2, "billable_seconds": 2100, "billable_minutes": 45, "rate_name": "Standard",
             "hourly_rate": "90.00", "base_fee": "0.00", "currency": "EUR", "amount": "67.50",
             "connection_ids": "c1 c2"},
        ]),
        "p1 is all Billed and left out; the case of c1 (Bill) and c2 (Billed) stays whole"
    );
    // 45.00 + 67.50 = 112.50.
    assert!(
        last_line(&o).starts_with("report: 2 cases (2 unbilled), 3 connections; total 112.50 EUR"),
        "{}",
        last_line(&o)
    );
}

#[test]
fn rates_from_the_app_config_dir_else_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let url = archive(dir.path());
    // No rates file: the defaults, said on stderr; p1 at Standard: 67.50.
    let o = report(dir.path(), &url, &["--out", "-"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("using the default rates"),
        "{}",
        stderr(&o)
    );
    let (header, rows) = read_csv(&o.stdout, b',');
    assert_eq!(header.join(","), HEADER_LINE);
    assert_eq!(&rows[1][0], "PC-7");
    assert_eq!((&rows[1][6], &rows[1][10]), ("Standard", "67.50"));

    // The app's rates.toml (Tauri's app_config_dir: $XDG_CONFIG_HOME/<identifier>) is used.
    let app_dir = dir
        .path()
        .join("config")
        .join(sdesk_archive::APP_IDENTIFIER);
    std::fs::create_dir_all(&app_dir).unwrap();
    std::fs::write(app_dir.join("rates.toml"), ISSUE_RATES).unwrap();
    let o = report(dir.path(), &url, &["--out", "-"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("rates: {}", app_dir.join("rates.toml").display())),
        "{}",
        stderr(&o)
    );
    let (_, rows) = read_csv(&o.stdout, b',');
    assert_eq!((&rows[1][6], &rows[1][10]), ("Premium", "95.00"));
}

#[test]
fn a_bad_rates_file_is_a_clear_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = archive(dir.path());
    let rates = dir.path().join("rates.toml");
    std::fs::write(
        &rates,
        ISSUE_RATES.replace("hourly_rate = \"120.00\"", "hourly_rate = 120.00"),
    )
    .unwrap();
    let out = dir.path().join("invoice.csv");
    let o = report(
        dir.path(),
        &url,
        &[
            "--rates",
            rates.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "a failure exit: {}", stderr(&o));
    assert_eq!(
        last_line(&o),
        format!(
            "error: invalid_input: {}: group 1 (Premium): hourly_rate must be a decimal string \
             like \"90.00\"",
            rates.display()
        )
    );
    assert!(!out.exists(), "no report is written");
    assert!(o.stdout.is_empty());

    // A --rates file that does not exist is an error too (not the defaults).
    let o = report(
        dir.path(),
        &url,
        &["--rates", "/nonexistent/rates.toml", "--out", "-"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        last_line(&o),
        "error: invalid_input: --rates: /nonexistent/rates.toml does not exist"
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn a_period_that_ends_before_it_starts_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let o = sdesk(
        &[
            "billing",
            "report",
            "--from",
            "2026-12-01",
            "--to",
            "2026-11-01",
            "--database",
            &format!("sqlite:{}", dir.path().join("a.sqlite3").display()),
            "--out",
            "-",
        ],
        &[("XDG_CONFIG_HOME", dir.path().to_str().unwrap())],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        last_line(&o).starts_with("error: invalid_input: --to: must be after --from"),
        "{}",
        last_line(&o)
    );
    assert!(
        !dir.path().join("a.sqlite3").exists(),
        "the archive is not even created"
    );
}
