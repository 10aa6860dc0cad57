//! CSV export (RFC 4180 via the `csv` crate) and the ticket text block.

use super::columns::{
    cell, format_duration, push_timestamp, timestamp_digits, Cell, Column, IntText, COLUMN_COUNT,
};
use crate::error::{Error, Result};
use crate::models::ConnectionReport;
use crate::xlsx::{write_xlsx, XlsxCell};
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
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
    value.as_bytes().first().is_some_and(|&b| starts_formula(b))
}

/// `=`, `+`, `-`, `@`, TAB, CR or NUL.
#[inline]
fn starts_formula(b: u8) -> bool {
    matches!(b, b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\0')
}

/// Whether a `'` goes before byte `b` when it follows a line break, `,` or `;` inside a text
/// value: `=`, `+`, `-`, `@`, TAB, NUL, or a quote (a cell that starts with `""=1+1` reads as
/// `=1+1`). CR is left out: after a line break it is another line break (an empty line),
/// after a separator it starts one, and the line after it is checked in turn.
///
/// Why after `,` and `;` too: quoting a field that holds the other locale's list separator
/// only helps where that field also starts a cell for the other locale. A spreadsheet that
/// splits a `,` file at `;` sees `x,,"a;=1+1",` as the cells `x,,"a` and `=1+1",` — the quotes
/// of a field that does not start a cell are plain characters — so `=1+1` must not follow a
/// `;` either. Likewise a line break inside a quoted field ends the row for such a
/// spreadsheet, so the next line starts a cell.
#[inline]
fn starts_inner_formula(b: u8) -> bool {
    (b != b'\r' && starts_formula(b)) || b == b'"'
}

/// Whether a field holding `b` must be quoted: the delimiter, a quote, a line break, and both
/// list separators `,` and `;` whatever the delimiter is, so that a spreadsheet set to the
/// other locale's separator (German Excel reads `;`) keeps the field together where it starts
/// a cell.
#[inline]
fn needs_quotes(b: u8, delimiter: u8) -> bool {
    matches!(b, b'"' | b'\r' | b'\n' | b',' | b';') || b == delimiter
}

/// Size of the CSV writer's buffer: large enough that a file or pipe sees few, big writes.
const CSV_BUFFER: usize = 256 * 1024;

/// An RFC 4180 writer with the quoting rule of [`needs_quotes`] and CRLF line ends.
struct CsvSink<W: Write> {
    out: BufWriter<W>,
    delimiter: u8,
    scratch: String,
}

impl<W: Write> CsvSink<W> {
    /// Checks `options`, buffers `out` and writes the BOM when it is set: how every CSV file of
    /// the core starts.
    fn open(out: W, options: &CsvOptions) -> Result<Self> {
        options.validate()?;
        let mut sink = CsvSink {
            out: BufWriter::with_capacity(CSV_BUFFER, out),
            delimiter: options.delimiter,
            scratch: String::new(),
        };
        if options.bom {
            sink.out.write_all(&UTF8_BOM)?;
        }
        Ok(sink)
    }

    /// Writes one field, preceded by the delimiter unless it is the first of its line. With
    /// `formula_rule` (text), a `'` goes before the value when [`needs_formula_escape`], and
    /// after every line break (LF, CRLF or a lone CR), `,` or `;` inside it that is followed by
    /// a byte of [`starts_inner_formula`]: wherever a spreadsheet, with either list separator,
    /// could start a cell.
    #[inline]
    fn field(&mut self, first: bool, value: &[u8], formula_rule: bool) -> std::io::Result<()> {
        let out = &mut self.out;
        if !first {
            out.write_all(&[self.delimiter])?;
        }
        let quoted = value.iter().any(|&b| needs_quotes(b, self.delimiter));
        let lead = formula_rule && value.first().is_some_and(|&b| starts_formula(b));
        if !quoted {
            if lead {
                out.write_all(b"'")?;
            }
            return out.write_all(value);
        }
        out.write_all(if lead { b"\"'" } else { b"\"" })?;
        let mut start = 0;
        for (i, &b) in value.iter().enumerate() {
            let cell_starts_next = formula_rule
                && match b {
                    b'\n' | b',' | b';' => true,
                    b'\r' => value.get(i + 1) != Some(&b'\n'),
                    _ => false,
                };
            let insert: &[u8] = match b {
                b'"' => b"\"",
                _ if cell_starts_next
                    && value
                        .get(i + 1)
                        .is_some_and(|&next| starts_inner_formula(next)) =>
                {
                    b"'"
                }
                _ => continue,
            };
            out.write_all(&value[start..=i])?;
            out.write_all(insert)?;
            start = i + 1;
        }
        out.write_all(&value[start..])?;
        out.write_all(b"\"")
    }

    /// Writes the CSV value of one cell: text with the formula rule; generated values
    /// (timestamps, numbers) as they are. Text goes out as it lies in the record; `scratch` is
    /// only used for values that must be formatted first.
    #[inline(always)]
    fn cell(&mut self, first: bool, value: Cell<'_>) -> std::io::Result<()> {
        match value {
            Cell::Empty => self.field(first, b"", false),
            Cell::Text(s) => self.field(first, s.as_bytes(), true),
            Cell::Time(t) => match timestamp_digits(&t) {
                Some(text) => self.field(first, &text, false),
                None => {
                    let mut scratch = std::mem::take(&mut self.scratch);
                    scratch.clear();
                    push_timestamp(&mut scratch, &t);
                    let r = self.field(first, scratch.as_bytes(), false);
                    self.scratch = scratch;
                    r
                }
            },
            Cell::Int(n) => self.field(first, IntText::new(n).as_bytes(), false),
            Cell::Float(_) => {
                let mut scratch = std::mem::take(&mut self.scratch);
                scratch.clear();
                value.write_display(&mut scratch);
                let r = self.field(first, scratch.as_bytes(), false);
                self.scratch = scratch;
                r
            }
        }
    }

    /// Writes one record as one CSV line: [`CsvSink::cell`] of each column in [`Column::ALL`]
    /// order. Written out per column rather than as a loop over `Column::ALL`: with a constant
    /// column, [`cell`] reduces to reading one field, instead of a dispatch per field.
    fn row(&mut self, record: &ConnectionReport) -> std::io::Result<()> {
        // Adding a column means adding a line here.
        const _: () = assert!(COLUMN_COUNT == 19);
        macro_rules! columns {
            ($($i:literal)*) => {
                $( self.cell($i == 0, cell(record, Column::ALL[$i]))?; )*
            };
        }
        columns!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18);
        self.out.write_all(b"\r\n")
    }
}

/// Writes `records` as CSV to `out` and returns the number of data rows written.
///
/// The header is exactly [`CSV_HEADER`] (with the chosen delimiter); timestamps are
/// `YYYY-MM-DDTHH:MM:SSZ` UTC; `support_session_type` is the API's name; the fee a plain
/// decimal; absent values are empty; lines end with CRLF (RFC 4180). A field is quoted when it
/// holds the delimiter, a quote or a line break, and also when it holds `,` or `;` with either
/// delimiter, so a spreadsheet set to the other list separator does not split it. Text fields
/// (see [`Column::is_text`]) that start with `=`, `+`, `-`, `@`, TAB, CR or NUL get a leading
/// `'` (OWASP), and so does every place inside one where a spreadsheet could start a cell: after
/// a line break, `,` or `;` followed by `=`, `+`, `-`, `@`, TAB, NUL or `"` (see
/// `starts_inner_formula`). Generated values (timestamps, numbers such as a negative fee) are
/// never changed. The UTF-8 BOM comes first when [`CsvOptions::bom`] is set.
///
/// The same bytes as a [`CsvWriter`] given the records one by one.
pub fn export_csv<W: Write>(
    records: impl IntoIterator<Item = impl Borrow<ConnectionReport>>,
    out: W,
    options: &CsvOptions,
) -> Result<u64> {
    let mut writer = CsvWriter::new(out, options)?;
    for record in records {
        writer.write_record(record.borrow())?;
    }
    let (_, rows) = writer.finish()?;
    Ok(rows)
}

/// A CSV export written record by record, for records that arrive a page at a time and need
/// not all be held in memory: [`CsvWriter::new`] writes the BOM (when set) and the header,
/// [`CsvWriter::write_record`] one line per record, [`CsvWriter::finish`] flushes. The bytes
/// are exactly those of [`export_csv`] with the same records (see there for the format).
///
/// Output is buffered; a writer dropped without [`CsvWriter::finish`] still hands its buffer to
/// `out` (errors then go unnoticed), so call `finish` to know the export was written.
pub struct CsvWriter<W: Write> {
    sink: CsvSink<W>,
    rows: u64,
}

impl<W: Write> std::fmt::Debug for CsvWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvWriter")
            .field("delimiter", &char::from(self.sink.delimiter))
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl<W: Write> CsvWriter<W> {
    /// Checks `options`, then writes the BOM (when [`CsvOptions::bom`] is set) and the header
    /// line.
    pub fn new(out: W, options: &CsvOptions) -> Result<Self> {
        let mut sink = CsvSink::open(out, options)?;
        for (i, column) in Column::ALL.iter().enumerate() {
            sink.field(i == 0, column.name().as_bytes(), false)?;
        }
        sink.out.write_all(b"\r\n")?;
        Ok(Self { sink, rows: 0 })
    }

    /// Writes one record as one CSV line.
    #[inline]
    pub fn write_record(&mut self, record: &ConnectionReport) -> Result<()> {
        self.sink.row(record)?;
        self.rows += 1;
        Ok(())
    }

    /// Data rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes the rows written so far to `out` (and `out` itself), for output that someone
    /// watches as it is written.
    pub fn flush(&mut self) -> Result<()> {
        self.sink.out.flush()?;
        Ok(())
    }

    /// Flushes everything to `out` (and `out` itself) and returns it with the number of data
    /// rows written.
    pub fn finish(self) -> Result<(W, u64)> {
        let mut out = self.sink.out;
        out.flush()?;
        let out = out.into_inner().map_err(|e| Error::Io(e.into_error()))?;
        Ok((out, self.rows))
    }
}

/// The export's CSV rules for the core's other CSV files (billing's invoice lines): quoting,
/// CRLF line ends and the formula rule of [`export_csv`], for lines of plain fields. A field is
/// `(value, is_text)`; text gets the formula rule, generated values (times, numbers) do not.
pub(crate) struct CsvLines<W: Write> {
    sink: CsvSink<W>,
}

impl<W: Write> CsvLines<W> {
    /// Checks `options` and writes the BOM when it is set.
    pub(crate) fn new(out: W, options: &CsvOptions) -> Result<Self> {
        Ok(Self {
            sink: CsvSink::open(out, options)?,
        })
    }

    /// Writes one line.
    pub(crate) fn line(&mut self, fields: &[(&str, bool)]) -> Result<()> {
        for (i, (value, text)) in fields.iter().enumerate() {
            self.sink.field(i == 0, value.as_bytes(), *text)?;
        }
        self.sink.out.write_all(b"\r\n")?;
        Ok(())
    }

    /// Flushes everything to `out`.
    pub(crate) fn finish(self) -> Result<W> {
        let mut out = self.sink.out;
        out.flush()?;
        out.into_inner().map_err(|e| Error::Io(e.into_error()))
    }
}

/// Exports to a file atomically: the CSV is written to a temporary file in the same directory,
/// flushed to disk, then renamed over `path`. If anything fails, the temporary file is removed
/// and an existing file at `path` is left untouched. Returns the number of data rows.
pub fn export_csv_to_path(
    records: impl IntoIterator<Item = impl Borrow<ConnectionReport>>,
    path: impl AsRef<Path>,
    options: &CsvOptions,
) -> Result<u64> {
    options.validate()?;
    write_file_atomically(path.as_ref(), |out| export_csv(records, out, options))
}

/// The sheet name of the log view's XLSX export.
pub const XLSX_SHEET: &str = "Connections";

/// The XLSX header: the CSV's column names, the two times marked as UTC (Excel date-times carry
/// no time zone).
fn xlsx_header() -> Vec<&'static str> {
    Column::ALL
        .iter()
        .map(|c| match c {
            Column::StartDate => "start_date (UTC)",
            Column::EndDate => "end_date (UTC)",
            other => other.name(),
        })
        .collect()
}

/// One record as XLSX cells, in column order: times as date-times, the duration and fee as
/// numbers, everything else as text.
fn xlsx_row(record: &ConnectionReport) -> Vec<XlsxCell> {
    Column::ALL
        .iter()
        .map(|&column| match cell(record, column) {
            Cell::Empty => XlsxCell::Empty,
            Cell::Text(s) => XlsxCell::Text(s.to_owned()),
            Cell::Time(t) => XlsxCell::DateTime(t),
            Cell::Int(n) => XlsxCell::Int(n),
            Cell::Float(f) => XlsxCell::Number(f),
        })
        .collect()
}

/// Exports `records` as an XLSX file at `path` (atomically, see [`crate::xlsx::write_xlsx`]):
/// one sheet, the CSV's columns in the same order, typed cells. Returns the number of data rows.
pub fn export_xlsx_to_path(
    records: impl IntoIterator<Item = impl Borrow<ConnectionReport>>,
    path: impl AsRef<Path>,
) -> Result<u64> {
    write_xlsx(
        path.as_ref(),
        XLSX_SHEET,
        &xlsx_header(),
        records.into_iter().map(|r| xlsx_row(r.borrow())),
    )
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
