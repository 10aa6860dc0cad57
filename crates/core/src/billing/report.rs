//! Invoice lines (issue 10 item 4): one CSV line or JSON object per [`BillingCase`], as
//! `sdesk billing report` writes them and the app's invoice export reuses.

use super::cases::BillingCase;
use crate::error::Result;
use crate::logs::{push_timestamp, CsvLines, CsvOptions};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::io::Write;

/// The report's CSV header, in column order (issue 10 item 4, exactly).
pub const REPORT_HEADER: [&str; 12] = [
    "customer",
    "case_start",
    "case_end",
    "connections",
    "billable_seconds",
    "billable_minutes",
    "rate_name",
    "hourly_rate",
    "base_fee",
    "currency",
    "amount",
    "connection_ids",
];

/// `2026-11-03T09:00:00Z`.
fn time_text(t: &DateTime<Utc>) -> String {
    let mut text = String::with_capacity(20);
    push_timestamp(&mut text, t);
    text
}

/// A money value with at least two decimal places (`90` → `90.00`, `0.125` stays).
pub fn money_text(value: Decimal) -> String {
    let mut text = String::new();
    push_money(&mut text, value);
    text
}

fn push_money(out: &mut String, value: Decimal) {
    let mut v = value;
    if v.scale() < 2 {
        v.rescale(2);
    }
    let _ = write!(out, "{v}");
}

/// Writes `cases` as CSV in the order given (the callers pass [`super::build_cases`]'s, sorted by
/// customer then start): the [`REPORT_HEADER`] line, then one line per case. Times are UTC
/// `…Z`, money plain decimals with at least two places (`135.00`), `connection_ids`
/// space-separated. The project's CSV rules apply (see [`crate::logs::export_csv`]): comma
/// separated, CRLF line ends, fields with `,` `;` quotes or line breaks quoted, and text
/// (customer, rate name, currency, ids) that a spreadsheet would read as a formula gets a
/// leading `'`.
pub fn write_report_csv<W: Write>(cases: &[BillingCase], out: W) -> Result<()> {
    write_report_csv_with(cases, out, &CsvOptions::default())
}

/// [`write_report_csv`] with another delimiter or a BOM (German Excel: `;` and a BOM).
pub fn write_report_csv_with<W: Write>(
    cases: &[BillingCase],
    out: W,
    options: &CsvOptions,
) -> Result<()> {
    let mut lines = CsvLines::new(out, options)?;
    let header: Vec<(&str, bool)> = REPORT_HEADER.iter().map(|h| (*h, false)).collect();
    lines.line(&header)?;
    // One buffer per generated column, reused for every line.
    let mut buf: [String; 8] = Default::default();
    for case in cases {
        for b in &mut buf {
            b.clear();
        }
        let [start, end, connections, seconds, minutes, hourly, base, amount] = &mut buf;
        push_timestamp(start, &case.start);
        push_timestamp(end, &case.end);
        let _ = write!(connections, "{}", case.connection_ids.len());
        let _ = write!(seconds, "{}", case.billable_seconds);
        let _ = write!(minutes, "{}", case.billable_minutes);
        push_money(hourly, case.hourly_rate);
        push_money(base, case.base_fee);
        push_money(amount, case.amount);
        let ids = case.connection_ids.join(" ");
        lines.line(&[
            (&case.customer, true),
            (start, false),
            (end, false),
            (connections, false),
            (seconds, false),
            (minutes, false),
            (&case.rate_name, true),
            (hourly, false),
            (base, false),
            (&case.currency, true),
            (amount, false),
            (&ids, true),
        ])?;
    }
    let mut out = lines.finish()?;
    out.flush()?;
    Ok(())
}

/// The same rows as [`write_report_csv`] as a JSON array of objects with the
/// [`REPORT_HEADER`] keys: times as `…Z` strings, counts as numbers, money as strings
/// (`"135.00"`), `connection_ids` space-separated as in the CSV (the same rows, the same values).
/// Text is as it is (JSON needs no formula guard).
pub fn report_json(cases: &[BillingCase]) -> Value {
    Value::Array(
        cases
            .iter()
            .map(|case| {
                json!({
                    "customer": case.customer,
                    "case_start": time_text(&case.start),
                    "case_end": time_text(&case.end),
                    "connections": case.connection_ids.len(),
                    "billable_seconds": case.billable_seconds,
                    "billable_minutes": case.billable_minutes,
                    "rate_name": case.rate_name,
                    "hourly_rate": money_text(case.hourly_rate),
                    "base_fee": money_text(case.base_fee),
                    "currency": case.currency,
                    "amount": money_text(case.amount),
                    "connection_ids": case.connection_ids.join(" "),
                })
            })
            .collect(),
    )
}
