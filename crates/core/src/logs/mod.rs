//! The connection-log engine: paged fetch with progress, cancellation and resume
//! ([`ReportFetch`]), an in-memory store with filter/sort/window queries ([`LogStore`]), CSV
//! export ([`export_csv`], [`export_csv_to_path`]) and the ticket text block ([`ticket_text`]).
//!
//! Typical flow: run a [`ReportFetch`] with the API client as [`ReportPager`], move its records
//! into a [`LogStore`] (partial results too, marked incomplete by the caller), let the UI call
//! [`LogStore::apply`] and [`LogStore::window_rows`], and export [`LogStore::view`].

mod columns;
mod export;
mod fetch;
mod filter;
mod query;
mod store;
mod table;
mod times;

pub use columns::{column_text, format_duration, format_timestamp, Column};
pub(crate) use export::CsvLines;
pub use export::{
    export_csv, export_csv_to_path, needs_formula_escape, ticket_text, write_file_atomically,
    CsvOptions, CsvWriter, CSV_HEADER, UTF8_BOM,
};
pub use fetch::{
    FetchProgress, FetchStatus, PageBody, ReportFetch, ReportPager, DEFAULT_MAX_BYTES,
    DEFAULT_MAX_PAGES, DEFAULT_MAX_RECORDS,
};
pub use filter::{ColumnFilter, LogFilter, Sort};
pub use query::{parse_duration_test, search_words, DurationTest};
pub use store::{LogChoices, LogRow, LogStore, RecordFilter, Totals};
pub use times::{TimeDisplay, TimePart};
