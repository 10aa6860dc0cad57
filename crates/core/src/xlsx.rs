//! XLSX (Excel) files: one sheet with a bold, frozen header row and an autofilter, rows written
//! in order and streamed to a temporary file (rust_xlsxwriter's constant-memory mode) so that an
//! export of a million rows does not hold the sheet in memory. The file is put in place
//! atomically, like every export ([`crate::fsutil::AtomicFile`]).
//!
//! Values keep their type: text stays text (a value that starts with `=` is a string cell, never
//! a formula, so the CSV's formula guard is not needed), numbers are numbers, money is a number
//! with two decimals (`0.00`) — the cell is an IEEE double by the file format, converted from the
//! exact decimal only here — and times are Excel date-times in UTC (`yyyy-mm-dd hh:mm:ss`).

use crate::error::{Error, Result};
use crate::fsutil::{AtomicFile, FileMode};
use chrono::{DateTime, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// One cell of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum XlsxCell {
    /// Nothing.
    Empty,
    /// Text, written as a string cell (never a formula).
    Text(String),
    /// A whole number.
    Int(i64),
    /// A decimal number as received (the API's `fee`); not finite → empty.
    Number(f64),
    /// Money, shown with two decimals.
    Money(Decimal),
    /// A point in time, written as an Excel date-time in UTC.
    DateTime(DateTime<Utc>),
}

/// Data rows a sheet can hold: Excel's 1,048,576 rows less the header.
pub const MAX_DATA_ROWS: u64 = 1_048_575;

/// Characters a cell can hold (Excel's limit).
pub const MAX_TEXT_CHARS: usize = 32_767;

/// Widest column, in characters, that the automatic widths give.
const MAX_WIDTH: usize = 60;

/// Writes `rows` under `header` as the sheet `sheet` of a new XLSX file at `path`, atomically
/// (a failure leaves an existing file untouched). Returns the number of data rows.
///
/// # Errors
/// [`Error::InvalidInput`] for more than [`MAX_DATA_ROWS`] rows or a text longer than
/// [`MAX_TEXT_CHARS`] (nothing is written: a spreadsheet that silently lost rows or text would
/// be worse than none); [`Error::Io`] when the file cannot be written.
pub fn write_xlsx(
    path: &Path,
    sheet: &str,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<XlsxCell>>,
) -> Result<u64> {
    let mut workbook = Workbook::new();
    let formats = Formats::new();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count() + 2).collect();
    let written = {
        let ws = workbook.add_worksheet_with_constant_memory();
        ws.set_name(sheet).map_err(xlsx_error)?;
        for (col, title) in header.iter().enumerate() {
            ws.write_string_with_format(0, col_index(col)?, *title, &formats.header)
                .map_err(xlsx_error)?;
        }
        let mut written: u64 = 0;
        for row in rows {
            if written == MAX_DATA_ROWS {
                return Err(Error::invalid(
                    "export",
                    format!(
                        "more than {MAX_DATA_ROWS} rows do not fit in one Excel sheet; narrow \
                         the filter or export CSV"
                    ),
                ));
            }
            written += 1;
            let r = u32::try_from(written).map_err(|_| too_many())?;
            for (col, value) in row.iter().enumerate() {
                let width = write_cell(ws, &formats, r, col_index(col)?, value)?;
                if let Some(w) = widths.get_mut(col) {
                    *w = (*w).max(width);
                }
            }
        }
        for (col, width) in widths.iter().enumerate() {
            ws.set_column_width(col_index(col)?, (*width).min(MAX_WIDTH) as f64)
                .map_err(xlsx_error)?;
        }
        if !header.is_empty() {
            ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
            let last_row = u32::try_from(written).map_err(|_| too_many())?;
            ws.autofilter(0, 0, last_row, col_index(header.len() - 1)?)
                .map_err(xlsx_error)?;
        }
        written
    };
    let mut file = AtomicFile::create(path, FileMode::KeepOrPrivate)?;
    workbook.save_to_writer(&mut file).map_err(xlsx_error)?;
    file.commit()?;
    Ok(written)
}

/// The cell formats used.
struct Formats {
    header: Format,
    time: Format,
    money: Format,
}

impl Formats {
    fn new() -> Self {
        Self {
            header: Format::new().set_bold(),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            money: Format::new().set_num_format("0.00"),
        }
    }
}

/// Writes one cell and returns the width it needs, in characters.
fn write_cell(
    ws: &mut Worksheet,
    formats: &Formats,
    row: u32,
    col: u16,
    value: &XlsxCell,
) -> Result<usize> {
    let width = match value {
        XlsxCell::Empty => 0,
        XlsxCell::Text(s) => {
            let chars = s.chars().count();
            if chars > MAX_TEXT_CHARS {
                return Err(Error::invalid(
                    "export",
                    format!(
                        "a text of {chars} characters (row {row}) is longer than an Excel cell \
                         holds ({MAX_TEXT_CHARS}); export CSV instead"
                    ),
                ));
            }
            ws.write_string(row, col, s).map_err(xlsx_error)?;
            s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
        }
        XlsxCell::Int(n) => {
            // Excel's numbers are doubles; every count and duration here is far below 2^53.
            #[allow(clippy::cast_precision_loss)]
            ws.write_number(row, col, *n as f64).map_err(xlsx_error)?;
            n.to_string().len()
        }
        XlsxCell::Number(f) if f.is_finite() => {
            ws.write_number(row, col, *f).map_err(xlsx_error)?;
            f.to_string().len()
        }
        XlsxCell::Number(_) => 0,
        XlsxCell::Money(d) => {
            let value = d.to_f64().ok_or_else(|| {
                Error::invalid("export", format!("the amount {d} is out of Excel's range"))
            })?;
            ws.write_number_with_format(row, col, value, &formats.money)
                .map_err(xlsx_error)?;
            d.round_dp(2).to_string().len()
        }
        XlsxCell::DateTime(t) => {
            ws.write_datetime_with_format(row, col, t.naive_utc(), &formats.time)
                .map_err(xlsx_error)?;
            19
        }
    };
    Ok(width + 2)
}

fn col_index(col: usize) -> Result<u16> {
    // XLSX has 16,384 columns; ours have at most a few dozen.
    u16::try_from(col)
        .ok()
        .filter(|c| *c < 16_384)
        .ok_or_else(|| Error::invalid("export", "too many columns for an Excel sheet"))
}

fn too_many() -> Error {
    Error::invalid("export", "too many rows for one Excel sheet")
}

fn xlsx_error(e: XlsxError) -> Error {
    match e {
        XlsxError::IoError(io) => Error::Io(io),
        other => Error::Io(std::io::Error::other(format!("XLSX: {other}"))),
    }
}
