//! CSV export (RFC 4180 via the `csv` crate) and the ticket text block.

use super::columns::{
    cell, format_duration, push_timestamp, timestamp_digits, Cell, Column, IntText, COLUMN_COUNT,
};
use crate::error::{Error, Result};
use crate::models::ConnectionReport;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

pub use crate::fsutil::write_file_atomically;

/// The UTF-8 byte order mark, written first when [`CsvOptions::bom`] is set.
pub const UTF8_BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// The CSV header in column order (comma-separated).
pub const CSV_HEADER: &str = "id,start_date,end_date,duration_seconds,userid,username,deviceid,\
devicename,groupid,groupname,support_session_type,session_code,end_customer_name,\
end_customer_email,billing_state,fee,currency,notes,contact_id";

/// How the CSV file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CsvOptions {
    /// Field delimiter: `b','` (default) or `b';'` (German Excel); `b'\t'` and `b'|'` are also
    /// accepted.
    pub delimiter: u8,
    /// Write the UTF-8 byte order mark first (Excel needs it to read UTF-8).
    pub bom: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self {
            delimiter: b',',
            bom: false,
        }
    }
}

impl CsvOptions {
    /// `;` with a BOM: what Excel with German regional settings opens correctly.
    pub fn excel_semicolon() -> Self {
        Self {
            delimiter: b';',
            bom: true,
        }
    }

    /// Checks the delimiter.
    pub fn validate(&self) -> Result<()> {
        if matches!(self.delimiter, b',' | b';' | b'\t' | b'|') {
            Ok(())
        } else {
            Err(Error::invalid(
                "CSV delimiter",
                "must be a comma, semicolon, tab or vertical bar",
            ))
        }
    }
}

/// Whether a text value would be read as a formula by a spreadsheet (OWASP CSV injection):
/// it starts with `=`, `+`, `-`, `@`, TAB, CR or NUL.
pub fn needs_formula_escape(value: &str) -> bool {
    matches!(
        value.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\0')
    )
}

/// Size of the CSV writer's buffer: large enough that a file or pipe sees few, big writes.
const CSV_BUFFER: usize = 256 * 1024;

/// Writes the CSV value of one cell as one field: text with a leading `'` when
/// [`needs_formula_escape`]; generated values (timestamps, numbers) as they are. Text that
/// needs no escape goes to the CSV writer as it lies in the record; `scratch` is only used for
/// the values that must be composed or formatted first.
#[inline(always)]
fn write_csv_value<W: Write>(
    writer: &mut csv::Writer<W>,
    value: Cell<'_>,
    scratch: &mut String,
) -> csv::Result<()> {
    match value {
        Cell::Empty => writer.write_field(b""),
        Cell::Text(s) if needs_formula_escape(s) => {
            scratch.clear();
            scratch.push('\'');
            scratch.push_str(s);
            writer.write_field(scratch.as_bytes())
        }
        Cell::Text(s) => writer.write_field(s),
        Cell::Time(t) => match timestamp_digits(&t) {
            Some(text) => writer.write_field(text),
            None => {
                scratch.clear();
                push_timestamp(scratch, &t);
                writer.write_field(scratch.as_bytes())
            }
        },
        Cell::Int(n) => writer.write_field(IntText::new(n).as_bytes()),
        Cell::Float(_) => {
            scratch.clear();
            value.write_display(scratch);
            writer.write_field(scratch.as_bytes())
        }
    }
}

/// Writes one record as one CSV row: [`write_csv_value`] of each column in [`Column::ALL`]
/// order. Written out per column rather than as a loop over `Column::ALL`: with a constant
/// column, [`cell`] reduces to reading one field, instead of a dispatch per field.
fn write_row<W: Write>(
    writer: &mut csv::Writer<W>,
    record: &ConnectionReport,
    scratch: &mut String,
) -> csv::Result<()> {
    // Adding a column means adding a line here.
    const _: () = assert!(COLUMN_COUNT == 19);
    macro_rules! columns {
        ($($i:literal)*) => {
            $( write_csv_value(writer, cell(record, Column::ALL[$i]), scratch)?; )*
        };
    }
    columns!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18);
    writer.write_record(None::<&[u8]>)
}

/// Writes `records` as CSV to `out` and returns the number of data rows written.
///
/// The header is exactly [`CSV_HEADER`] (with the chosen delimiter); timestamps are
/// `YYYY-MM-DDTHH:MM:SSZ` UTC; `support_session_type` is the API's name; the fee a plain
/// decimal; absent values are empty; fields are quoted only when necessary (RFC 4180, CRLF line
/// ends); text fields that start with `=`, `+`, `-`, `@`, TAB, CR or NUL get a leading `'`; the
/// UTF-8 BOM comes first when [`CsvOptions::bom`] is set.
pub fn export_csv<'a, W: Write>(
    records: impl IntoIterator<Item = &'a ConnectionReport>,
    mut out: W,
    options: &CsvOptions,
) -> Result<u64> {
    options.validate()?;
    if options.bom {
        out.write_all(&UTF8_BOM)?;
    }
    let mut writer = csv::WriterBuilder::new()
        .delimiter(options.delimiter)
        .quote_style(csv::QuoteStyle::Necessary)
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(CSV_BUFFER)
        .from_writer(out);
    writer.write_record(Column::ALL.iter().map(|c| c.name()))?;
    let mut scratch = String::new();
    let mut rows = 0u64;
    for record in records {
        write_row(&mut writer, record, &mut scratch)?;
        rows += 1;
    }
    writer.flush()?;
    Ok(rows)
}

/// Exports to a file atomically: the CSV is written to a temporary file in the same directory,
/// flushed to disk, then renamed over `path`. If anything fails, the temporary file is removed
/// and an existing file at `path` is left untouched. Returns the number of data rows.
pub fn export_csv_to_path<'a>(
    records: impl IntoIterator<Item = &'a ConnectionReport>,
    path: impl AsRef<Path>,
    options: &CsvOptions,
) -> Result<u64> {
    options.validate()?;
    write_file_atomically(path.as_ref(), |out| export_csv(records, out, options))
}

/// A readable text block describing one connection, for pasting into a ticket: one
/// `Label: value` line per known field (absent fields are left out), the duration as `h:mm:ss`,
/// timestamps in UTC. Multi-line notes are indented under their label.
pub fn ticket_text(record: &ConnectionReport) -> String {
    let mut out = String::new();
    let mut line = |label: &str, value: &str| {
        let value = value.trim_end();
        if value.trim().is_empty() {
            return;
        }
        let mut lines = value.lines();
        let _ = writeln!(out, "{label:<15}{}", lines.next().unwrap_or_default());
        for more in lines {
            let _ = writeln!(out, "{:<15}{more}", "");
        }
    };
    let text = |c: Column| cell(record, c).display();
    let with_id = |name: Column, id: Column| -> String {
        match (text(name), text(id)) {
            (n, i) if n.is_empty() => i,
            (n, i) if i.is_empty() => n,
            (n, i) => format!("{n} ({i})"),
        }
    };
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_default()
    };
    line("Connection:", &record.id);
    line("Start:", &time(record.start_date));
    line("End:", &time(record.end_date));
    line(
        "Duration:",
        &record
            .duration_seconds()
            .map(format_duration)
            .unwrap_or_default(),
    );
    line("Supporter:", &with_id(Column::Username, Column::Userid));
    line("Device:", &with_id(Column::Devicename, Column::Deviceid));
    line("Group:", &with_id(Column::Groupname, Column::Groupid));
    line("Type:", &text(Column::SupportSessionType));
    line("Session code:", &text(Column::SessionCode));
    let customer = match (
        text(Column::EndCustomerName),
        text(Column::EndCustomerEmail),
    ) {
        (n, e) if e.is_empty() => n,
        (n, e) if n.is_empty() => e,
        (n, e) => format!("{n} <{e}>"),
    };
    line("Customer:", &customer);
    line("Contact id:", &text(Column::ContactId));
    let fee = match (text(Column::Fee), text(Column::Currency)) {
        (f, _) if f.is_empty() => String::new(),
        (f, c) => format!("{f} {c}"),
    };
    line("Fee:", &fee);
    line("Billing state:", &text(Column::BillingState));
    line("Notes:", &text(Column::Notes));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_constant_matches_columns() {
        let names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(
            names.join(","),
            CSV_HEADER,
            "the documented header and the column list must not drift apart"
        );
    }

    #[test]
    fn formula_rule_covers_the_owasp_characters() {
        for s in ["=1", "+1", "-1", "@x", "\tx", "\rx", "\0x"] {
            assert!(
                needs_formula_escape(s),
                "{s:?} starts a formula in a spreadsheet"
            );
        }
        for s in ["", "a=1", " =1", "1-2", "'x"] {
            assert!(!needs_formula_escape(s), "{s:?} is plain text");
        }
    }
}
