//! Invoice lines (issue 10 item 4): one CSV line or JSON object per [`BillingCase`], as
//! `sdesk billing report` writes them and the app's invoice export reuses.

use super::cases::BillingCase;
use crate::error::Result;
use crate::logs::{CsvLines, CsvOptions};
use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};
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
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A money value with at least two decimal places (`90` → `90.00`, `0.125` stays).
pub fn money_text(value: Decimal) -> String {
    let mut v = value;
    if v.scale() < 2 {
        v.rescale(2);
    }
    v.to_string()
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
    for case in cases {
        let start = time_text(&case.start);
        let end = time_text(&case.end);
        let connections = case.connection_ids.len().to_string();
        let seconds = case.billable_seconds.to_string();
        let minutes = case.billable_minutes.to_string();
        let hourly = money_text(case.hourly_rate);
        let base = money_text(case.base_fee);
        let amount = money_text(case.amount);
        let ids = case.connection_ids.join(" ");
        lines.line(&[
            (&case.customer, true),
            (&start, false),
            (&end, false),
            (&connections, false),
            (&seconds, false),
            (&minutes, false),
            (&case.rate_name, true),
            (&hourly, false),
            (&base, false),
            (&case.currency, true),
            (&amount, false),
            (&ids, true),
        ])?;
    }
    let mut out = lines.finish()?;
    out.flush()?;
    Ok(())
}

/// The same rows as [`write_report_csv`] as a JSON array of objects with the
/// [`REPORT_HEADER`] keys: times as `…Z` strings, counts as numbers, money as strings
/// (`"135.00"`), `connection_ids` as an array of strings. Text is as it is (JSON needs no
/// formula guard).
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
                    "connection_ids": case.connection_ids,
                })
            })
            .collect(),
    )
}
