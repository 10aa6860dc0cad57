//! The in-memory connection log: every loaded record plus the current view (the filtered and
//! sorted positions), queried by windows for the virtualised table.
//!
//! Speed comes from work done once per record at load time rather than per query:
//! - one arena `String` holds, per record, the Unicode-lowercased display text of every column
//!   (text columns first, separated by U+001F), so a free-text filter is one substring search in
//!   a contiguous slice and a column filter is a search in a sub-slice; nothing is allocated per
//!   record or per comparison while filtering;
//! - the default order (start date descending — newest first —, then load order) is computed on load;
//! - sorting uses a per-column rank (dense `u32`, computed on the first sort by that column and
//!   cached until the records change) packed with the id's rank into one `u64` key, so a sort is
//!   a `sort_unstable` of integers.

use super::columns::{cell, format_duration, Column, COLUMN_COUNT};
use super::filter::{LogFilter, Sort};
use super::query::{parse_duration_test, search_words, DurationTest};
use super::times::{TimeDisplay, TimeTexts, TimeWriter};
use crate::error::{Error, Result};
use crate::models::{ConnectionReport, ReportUpdate};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;

/// Separator between column texts in the arena; replaced by a space inside values and filters so
/// a match never spans two columns.
const SEP: char = '\u{1f}';
/// Number of text columns; they come first in [`SLOTS`].
const TEXT_SLOTS: usize = 15;
/// Column order inside a record's arena text: text columns (searched by free text) first.
const SLOTS: [Column; COLUMN_COUNT] = [
    Column::Id,
    Column::Userid,
    Column::Username,
    Column::Deviceid,
    Column::Devicename,
    Column::Groupid,
    Column::Groupname,
    Column::SupportSessionType,
    Column::SessionCode,
    Column::EndCustomerName,
    Column::EndCustomerEmail,
    Column::BillingState,
    Column::Currency,
    Column::Notes,
    Column::ContactId,
    Column::StartDate,
    Column::EndDate,
    Column::DurationSeconds,
    Column::Fee,
];
/// Rank of a missing value.
const NONE: u32 = u32::MAX;
/// Largest rank of a present value (ranks use 31 bits of the sort key).
const MAX_RANK: u32 = (1 << 31) - 1;
/// Garbage in the arena (from updated records) above which it is compacted.
const COMPACT_MIN_GARBAGE: usize = 1 << 20;

/// Position of `column` in [`SLOTS`].
const fn slot(column: Column) -> usize {
    match column {
        Column::Id => 0,
        Column::Userid => 1,
        Column::Username => 2,
        Column::Deviceid => 3,
        Column::Devicename => 4,
        Column::Groupid => 5,
        Column::Groupname => 6,
        Column::SupportSessionType => 7,
        Column::SessionCode => 8,
        Column::EndCustomerName => 9,
        Column::EndCustomerEmail => 10,
        Column::BillingState => 11,
        Column::Currency => 12,
        Column::Notes => 13,
        Column::ContactId => 14,
        Column::StartDate => 15,
        Column::EndDate => 16,
        Column::DurationSeconds => 17,
        Column::Fee => 18,
    }
}

/// Totals of the current view.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Records in the view (after filtering).
    pub count: usize,
    /// Records loaded (before filtering).
    pub total_records: usize,
    /// Sum of the durations of the records in the view, in seconds (records without both dates
    /// count as 0).
    pub duration_seconds: i64,
}

/// One row of the view as the UI table shows it: its position in the view and the display text
/// of every column (the same text the CSV holds, before formula escaping).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogRow {
    /// Position in the current view (0-based; `aria-rowindex` is this + 2 with a header row).
    pub index: usize,
    /// Report id.
    pub id: String,
    /// Start, `YYYY-MM-DDTHH:MM:SSZ`.
    pub start_date: String,
    /// End, `YYYY-MM-DDTHH:MM:SSZ`.
    pub end_date: String,
    /// Duration in whole seconds.
    pub duration_seconds: String,
    /// Duration as `h:mm:ss`.
    pub duration: String,
    /// Supporter account id.
    pub userid: String,
    /// Supporter name.
    pub username: String,
    /// Device TeamViewer ID.
    pub deviceid: String,
    /// Device name.
    pub devicename: String,
    /// Group id.
    pub groupid: String,
    /// Group name.
    pub groupname: String,
    /// Connection kind (API name).
    pub support_session_type: String,
    /// Session code.
    pub session_code: String,
    /// Customer name.
    pub end_customer_name: String,
    /// Customer e-mail.
    pub end_customer_email: String,
    /// Billing state.
    pub billing_state: String,
    /// Fee, plain decimal.
    pub fee: String,
    /// Currency.
    pub currency: String,
    /// Notes.
    pub notes: String,
    /// Contact id.
    pub contact_id: String,
}

impl LogRow {
    /// The row of `record` at view position `index`.
    pub fn from_record(index: usize, record: &ConnectionReport) -> Self {
        let text = |c: Column| cell(record, c).display();
        Self {
            index,
            id: record.id.clone(),
            start_date: text(Column::StartDate),
            end_date: text(Column::EndDate),
            duration_seconds: text(Column::DurationSeconds),
            duration: record
                .duration_seconds()
                .map(format_duration)
                .unwrap_or_default(),
            userid: text(Column::Userid),
            username: text(Column::Username),
            deviceid: text(Column::Deviceid),
            devicename: text(Column::Devicename),
            groupid: text(Column::Groupid),
            groupname: text(Column::Groupname),
            support_session_type: text(Column::SupportSessionType),
            session_code: text(Column::SessionCode),
            end_customer_name: text(Column::EndCustomerName),
            end_customer_email: text(Column::EndCustomerEmail),
            billing_state: text(Column::BillingState),
            fee: text(Column::Fee),
            currency: text(Column::Currency),
            notes: text(Column::Notes),
            contact_id: text(Column::ContactId),
        }
    }
}

/// At most this many values per pick list (a list longer than that is not a pick list).
const MAX_CHOICES: usize = 1000;

/// The values the log view's pick lists offer, as displayed (and exported): every distinct value
/// of the loaded records, sorted case-insensitively. An exact-value [`super::ColumnFilter`] with
/// one of them matches exactly those records.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogChoices {
    /// Billing states (`Bill`, `Billed`, `DoNotBill`, or what the API sent).
    pub billing_states: Vec<String>,
    /// Connection types (API names).
    pub types: Vec<String>,
    /// Group names.
    pub groups: Vec<String>,
    /// Supporter names.
    pub users: Vec<String>,
}

/// What is precomputed per record.
#[derive(Debug, Clone)]
struct Meta {
    /// Start of the record's text in the arena.
    hay: usize,
    /// Offsets (relative to `hay`) where each slot's text starts; slot `s` ends one byte (the
    /// separator) before `bounds[s + 1]`.
    bounds: [u32; COLUMN_COUNT + 1],
    /// `start_date`, for the date range.
    start: Option<DateTime<Utc>>,
    /// Duration in seconds.
    duration: Option<i64>,
}

impl Meta {
    fn len(&self) -> usize {
        self.bounds[COLUMN_COUNT] as usize
    }
}

/// A search word's searcher, built once per filter (SIMD where the CPU has it).
type Finder = memchr::memmem::Finder<'static>;

/// Searchers for `words`.
fn finders(words: &[String]) -> Vec<Finder> {
    words
        .iter()
        .map(|w| memchr::memmem::Finder::new(w.as_bytes()).into_owned())
        .collect()
}

/// Whether every finder occurs in `hay`.
fn all_found(finders: &[Finder], hay: &str) -> bool {
    all_found_bytes(finders, hay.as_bytes())
}

/// Whether every finder occurs in `hay`.
fn all_found_bytes(finders: &[Finder], hay: &[u8]) -> bool {
    finders.iter().all(|f| f.find(hay).is_some())
}

/// The date columns whose shown text a filter can match: `start_date` (0) and `end_date` (1).
const DATE_COLUMNS: [Column; 2] = [Column::StartDate, Column::EndDate];

/// How a matcher learns a record's dates as shown.
#[derive(Clone, Copy)]
enum ShownDates<'a> {
    /// The record's dates as the view shows them (lowercased), `start_date` then `end_date`;
    /// empty where not needed (a record filter).
    Texts([&'a [u8]; 2]),
    /// Per column test (by position in [`Matcher::columns`]), which records pass it, found
    /// beforehand over all records at once (the store); and the record's position.
    Found(&'a [Option<Vec<bool>>], usize),
}

/// Whether record `i` passed column test `k` (found beforehand; see [`ShownDates::Found`]).
fn passed(found: &[Option<Vec<bool>>], k: usize, i: usize) -> bool {
    found
        .get(k)
        .and_then(|f| f.as_ref())
        .and_then(|f| f.get(i))
        .copied()
        .unwrap_or(false)
}

/// One compiled column filter.
enum ColumnTest {
    /// Every word occurs in the slot's text.
    Words(usize, Vec<Finder>),
    /// The slot's text equals the value.
    Exact(usize, String),
    /// The duration compares as asked.
    Duration(DurationTest),
    /// Every word occurs in the date as shown (index into [`DATE_COLUMNS`]).
    ShownWords(usize, Vec<Finder>),
    /// The date as shown equals the value.
    ShownExact(usize, String),
}

/// A compiled [`LogFilter`].
struct Matcher {
    /// Words that must each occur somewhere in the text columns.
    words: Vec<Finder>,
    columns: Vec<ColumnTest>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    /// How dates are shown, when a column filter matches a date's shown text.
    times: Option<TimeDisplay>,
    /// Which of [`DATE_COLUMNS`] a test reads as shown.
    shown: [bool; 2],
    /// Column filters that could not be read (and so filter nothing).
    unreadable: Vec<Column>,
}

impl Matcher {
    fn new(filter: &LogFilter) -> Self {
        let mut unreadable = Vec::new();
        let mut columns = Vec::new();
        let times = filter.times.as_ref().filter(|t| t.is_usable());
        let mut shown = [false; 2];
        for c in &filter.columns {
            let value = c.value.trim();
            if value.is_empty() {
                continue;
            }
            let date = DATE_COLUMNS.iter().position(|d| *d == c.column);
            let test = if let (Some(d), Some(_)) = (date, times) {
                shown[d] = true;
                if c.exact {
                    normalize(value).map(|v| ColumnTest::ShownExact(d, v))
                } else {
                    let words: Vec<String> = search_words(&value.replace(SEP, " "));
                    (!words.is_empty()).then(|| ColumnTest::ShownWords(d, finders(&words)))
                }
            } else if c.column == Column::DurationSeconds && !c.exact {
                parse_duration_test(value).map(ColumnTest::Duration)
            } else if c.exact {
                normalize(value).map(|v| ColumnTest::Exact(slot(c.column), v))
            } else {
                let words: Vec<String> = search_words(&value.replace(SEP, " "));
                (!words.is_empty()).then(|| ColumnTest::Words(slot(c.column), finders(&words)))
            };
            match test {
                Some(t) => columns.push(t),
                None => unreadable.push(c.column),
            }
        }
        Self {
            words: finders(
                &filter
                    .text
                    .as_deref()
                    .map(|t| search_words(&t.replace(SEP, " ")))
                    .unwrap_or_default(),
            ),
            columns,
            from: filter.from,
            to: filter.to,
            times: times.cloned(),
            shown,
            unreadable,
        }
    }

    /// The date columns (with the display) whose shown text this filter reads.
    fn shown_columns(&self) -> impl Iterator<Item = (Column, &TimeDisplay)> + '_ {
        DATE_COLUMNS
            .into_iter()
            .zip(self.shown)
            .filter(|(_, used)| *used)
            .filter_map(|(c, _)| self.times.as_ref().map(|t| (c, t)))
    }

    fn is_trivial(&self) -> bool {
        self.words.is_empty() && self.columns.is_empty() && self.from.is_none() && self.to.is_none()
    }

    fn matches(&self, arena: &str, m: &Meta, dates: ShownDates<'_>) -> bool {
        if self.from.is_some() || self.to.is_some() {
            let Some(start) = m.start else {
                return false;
            };
            if self.from.is_some_and(|f| start < f) || self.to.is_some_and(|t| start >= t) {
                return false;
            }
        }
        if !self.words.is_empty() {
            let end = m.hay + m.bounds[TEXT_SLOTS] as usize;
            let Some(hay) = arena.get(m.hay..end) else {
                return false;
            };
            if !all_found(&self.words, hay) {
                return false;
            }
        }
        self.columns.iter().enumerate().all(|(k, test)| match test {
            ColumnTest::Words(s, words) => all_found(words, slot_text(arena, m, *s)),
            ColumnTest::Exact(s, v) => slot_text(arena, m, *s) == v,
            ColumnTest::Duration(d) => m.duration.is_some_and(|secs| d.matches(secs)),
            ColumnTest::ShownWords(d, words) => match dates {
                ShownDates::Texts(texts) => all_found_bytes(words, texts[*d]),
                ShownDates::Found(found, i) => passed(found, k, i),
            },
            ColumnTest::ShownExact(d, v) => match dates {
                ShownDates::Texts(texts) => texts[*d] == v.as_bytes(),
                ShownDates::Found(found, i) => passed(found, k, i),
            },
        })
    }
}

/// A [`LogFilter`] applied to one record at a time, with exactly the matching of
/// [`LogStore::apply`] (the same lowercased column texts, built by the same code), for records
/// that are not loaded into a store: an export that writes pages as they arrive.
pub struct RecordFilter {
    matcher: Matcher,
    /// The lowercased column texts of the record being matched.
    arena: String,
    scratch: String,
    /// Writers of the dates as shown, per [`DATE_COLUMNS`] entry the filter reads, and the
    /// record's texts.
    shown: [Option<TimeWriter>; 2],
    dates: [Vec<u8>; 2],
}

impl fmt::Debug for RecordFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordFilter")
            .field("trivial", &self.matcher.is_trivial())
            .finish_non_exhaustive()
    }
}

impl RecordFilter {
    /// Compiles `filter`.
    pub fn new(filter: &LogFilter) -> Self {
        let matcher = Matcher::new(filter);
        let shown = std::array::from_fn(|d| {
            matcher
                .shown_columns()
                .find(|(c, _)| *c == DATE_COLUMNS[d])
                .map(|(_, display)| TimeWriter::new(display))
        });
        Self {
            matcher,
            arena: String::new(),
            scratch: String::new(),
            shown,
            dates: [Vec::new(), Vec::new()],
        }
    }

    /// Whether every record matches (the filter restricts nothing).
    pub fn is_trivial(&self) -> bool {
        self.matcher.is_trivial()
    }

    /// Whether `record` would be in the view of a [`LogStore`] holding it, with this filter
    /// applied.
    pub fn matches(&mut self, record: &ConnectionReport) -> bool {
        if self.matcher.is_trivial() {
            return true;
        }
        self.arena.clear();
        let meta = index_record(&mut self.arena, &mut self.scratch, record);
        for (d, writer) in self.shown.iter_mut().enumerate() {
            self.dates[d].clear();
            let date = match DATE_COLUMNS[d] {
                Column::StartDate => record.start_date,
                _ => record.end_date,
            };
            if let (Some(writer), Some(t)) = (writer, date) {
                writer.write(&t, &mut self.dates[d]);
            }
        }
        let [start, end] = &self.dates;
        self.matcher
            .matches(&self.arena, &meta, ShownDates::Texts([start, end]))
    }
}

/// Records below which a filter scans on the calling thread only.
const PARALLEL_MIN_RECORDS: usize = 200_000;

/// How many threads scan `records` records: one per core (at most 8) for large logs.
fn scan_threads(records: usize) -> usize {
    if records < PARALLEL_MIN_RECORDS {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// Which of `count` records `keep` accepts (by position), and the sum of `weight` over them.
/// The records are visited in position order, so memory is read front to back; with more
/// than one thread each scans one contiguous part. The result does not depend on `threads`.
fn match_flags(
    count: usize,
    threads: usize,
    keep: impl Fn(usize) -> bool + Sync,
    weight: impl Fn(usize) -> i64 + Sync,
) -> (Vec<bool>, i64) {
    let mut flags = vec![false; count];
    let scan = |start: usize, part: &mut [bool]| {
        let mut sum = 0i64;
        for (k, flag) in part.iter_mut().enumerate() {
            if keep(start + k) {
                *flag = true;
                sum += weight(start + k);
            }
        }
        sum
    };
    if threads <= 1 || count < 2 {
        let sum = scan(0, &mut flags);
        return (flags, sum);
    }
    let part = count.div_ceil(threads);
    let scan = &scan;
    let sum = std::thread::scope(|scope| {
        let handles: Vec<_> = flags
            .chunks_mut(part)
            .enumerate()
            .map(|(n, chunk)| scope.spawn(move || scan(n * part, chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .sum()
    });
    (flags, sum)
}

/// Trimmed, lowercased, separator-free; `None` when blank.
fn normalize(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_lowercase().replace(SEP, " "))
}

/// The lowercased text of slot `s` of a record.
fn slot_text<'a>(arena: &'a str, m: &Meta, s: usize) -> &'a str {
    let start = m.hay + m.bounds[s] as usize;
    let end = (m.hay + m.bounds[s + 1] as usize).saturating_sub(1);
    arena.get(start..end).unwrap_or_default()
}

/// The first 8 bytes as a big-endian number, zero-padded: `a <= b` implies
/// `prefix_key(a) <= prefix_key(b)`.
fn prefix_key(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = bytes.len().min(8);
    buf[..n].copy_from_slice(&bytes[..n]);
    u64::from_be_bytes(buf)
}

/// Appends the record's lowercased column texts to `arena` and returns its metadata.
fn index_record(arena: &mut String, scratch: &mut String, r: &ConnectionReport) -> Meta {
    let hay = arena.len();
    let mut bounds = [0u32; COLUMN_COUNT + 1];
    for (s, column) in SLOTS.into_iter().enumerate() {
        bounds[s] = (arena.len() - hay) as u32;
        scratch.clear();
        cell(r, column).write_display(scratch);
        if scratch.contains(SEP) {
            *scratch = scratch.replace(SEP, " ");
        }
        if scratch.is_ascii() {
            let at = arena.len();
            arena.push_str(scratch);
            arena[at..].make_ascii_lowercase();
        } else {
            arena.push_str(&scratch.to_lowercase());
        }
        arena.push(SEP);
    }
    bounds[COLUMN_COUNT] = (arena.len() - hay) as u32;
    Meta {
        hay,
        bounds,
        start: r.start_date,
        duration: r.duration_seconds(),
    }
}

/// Record positions by id: a hash table of positions whose keys are the records' own ids (an
/// id is not copied into the index; about 6 bytes a record instead of ~90 for a
/// `HashMap<String, u32>`).
#[derive(Default)]
struct IdIndex {
    table: hashbrown::HashTable<u32>,
    hasher: std::collections::hash_map::RandomState,
}

impl IdIndex {
    fn clear(&mut self) {
        self.table.clear();
    }

    fn reserve(&mut self, more: usize, records: &[ConnectionReport]) {
        let hasher = &self.hasher;
        self.table
            .reserve(more, |&i| hasher.hash_one(records[i as usize].id.as_str()));
    }

    /// The position of the record with `id` among `records`.
    fn get(&self, records: &[ConnectionReport], id: &str) -> Option<u32> {
        self.table
            .find(self.hasher.hash_one(id), |&i| records[i as usize].id == id)
            .copied()
    }

    /// Indexes `records[position]` (its id must not be indexed yet).
    fn insert(&mut self, records: &[ConnectionReport], position: u32) {
        let hasher = &self.hasher;
        let id = records[position as usize].id.as_str();
        self.table
            .insert_unique(hasher.hash_one(id), position, |&i| {
                hasher.hash_one(records[i as usize].id.as_str())
            });
    }
}

/// The loaded connection log and its current view. See the module documentation for how queries
/// stay fast at 100,000 records.
///
/// The view is recomputed by [`LogStore::apply`], and re-applied with the last filter and sort
/// whenever the records change ([`LogStore::set_records`], [`LogStore::extend`],
/// [`LogStore::update_record`]).
pub struct LogStore {
    records: Vec<ConnectionReport>,
    meta: Vec<Meta>,
    arena: String,
    /// Bytes of the arena no longer referenced (after updates).
    garbage: usize,
    by_id: IdIndex,
    /// All positions, start date descending (missing last), ties in load order.
    default_order: Vec<u32>,
    /// Per column: dense rank of each record's value (`NONE` when missing), computed lazily.
    ranks: [Option<Vec<u32>>; COLUMN_COUNT],
    /// Record position by id rank (the inverse of `ranks[Id]`), computed with it.
    by_id_rank: Option<Vec<u32>>,
    /// Per column, ascending `[0]` and descending `[1]`: every position in that sort's order,
    /// computed on first use; a large view is sorted by walking it once.
    sorted: [[Option<Vec<u32>>; 2]; COLUMN_COUNT],
    view: Vec<u32>,
    filter: LogFilter,
    sort: Option<Sort>,
    totals: Totals,
    /// Column filters of the current view that could not be read.
    unreadable: Vec<Column>,
    /// The pick lists' values, computed when the records change.
    choices: LogChoices,
    /// Dates as the view shows them, per date column a filter read them in (built on first
    /// use, dropped when the records change).
    shown_dates: Vec<TimeTexts>,
}

impl fmt::Debug for LogStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogStore")
            .field("records", &self.records.len())
            .field("view", &self.view.len())
            .field("filter", &self.filter)
            .field("sort", &self.sort)
            .finish_non_exhaustive()
    }
}

impl Default for LogStore {
    fn default() -> Self {
        Self::new()
    }
}

impl LogStore {
    /// An empty store (empty filter, default order).
    pub fn new() -> Self {
        Self {
            records: Vec::new(),
            meta: Vec::new(),
            arena: String::new(),
            garbage: 0,
            by_id: IdIndex::default(),
            default_order: Vec::new(),
            ranks: std::array::from_fn(|_| None),
            by_id_rank: None,
            sorted: std::array::from_fn(|_| [None, None]),
            view: Vec::new(),
            filter: LogFilter::default(),
            sort: None,
            totals: Totals::default(),
            unreadable: Vec::new(),
            choices: LogChoices::default(),
            shown_dates: Vec::new(),
        }
    }

    /// A store holding `records` (see [`LogStore::set_records`]).
    pub fn from_records(records: Vec<ConnectionReport>) -> Self {
        let mut store = Self::new();
        store.set_records(records);
        store
    }

    /// Replaces every record. Records with an id seen earlier in `records` replace the earlier
    /// one in place (one record per id). The current filter and sort are re-applied.
    pub fn set_records(&mut self, records: Vec<ConnectionReport>) -> Totals {
        self.records.clear();
        self.meta.clear();
        self.arena.clear();
        self.garbage = 0;
        self.by_id.clear();
        self.records.reserve(records.len());
        self.meta.reserve(records.len());
        self.by_id.reserve(records.len(), &self.records);
        self.arena.reserve(records.len() * 160);
        self.ingest(records);
        self.after_load()
    }

    /// Adds records; a record whose id is already loaded replaces the loaded one in place (newer
    /// data wins, never a duplicate). The current filter and sort are re-applied.
    pub fn extend(&mut self, records: Vec<ConnectionReport>) -> Totals {
        self.ingest(records);
        self.after_load()
    }

    fn ingest(&mut self, records: Vec<ConnectionReport>) {
        let mut scratch = String::new();
        for r in records {
            let meta = index_record(&mut self.arena, &mut scratch, &r);
            match self.by_id.get(&self.records, &r.id) {
                Some(i) => {
                    let i = i as usize;
                    self.garbage += self.meta[i].len();
                    self.meta[i] = meta;
                    self.records[i] = r;
                }
                None => {
                    self.meta.push(meta);
                    self.records.push(r);
                    self.by_id
                        .insert(&self.records, self.records.len() as u32 - 1);
                }
            }
        }
    }

    fn after_load(&mut self) -> Totals {
        self.compact_if_needed();
        let mut order: Vec<u32> = (0..self.records.len() as u32).collect();
        // Stable, so ties keep load order; input arriving newest first is already sorted, which
        // the merge sort detects in linear time.
        let records = &self.records;
        order.sort_by(|&a, &b| {
            match (
                records[a as usize].start_date,
                records[b as usize].start_date,
            ) {
                (Some(x), Some(y)) => y.cmp(&x),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
        });
        self.default_order = order;
        self.shown_dates.clear();
        self.ranks = std::array::from_fn(|_| None);
        self.by_id_rank = None;
        self.sorted = std::array::from_fn(|_| [None, None]);
        // Every sort breaks ties by id: ranking the ids now keeps the first click on a column
        // header fast.
        self.ensure_rank(Column::Id);
        self.choices = self.compute_choices();
        self.reapply()
    }

    /// The distinct display values of the pick-list columns over all loaded records (compared
    /// case-insensitively, the first spelling kept), sorted case-insensitively.
    fn compute_choices(&self) -> LogChoices {
        let distinct = |column: Column| -> Vec<String> {
            let s = slot(column);
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for (i, m) in self.meta.iter().enumerate() {
                let key = slot_text(&self.arena, m, s);
                if !key.is_empty() && seen.len() < MAX_CHOICES {
                    seen.entry(key).or_insert(i);
                }
            }
            let mut values: Vec<(&str, String)> = seen
                .into_iter()
                .map(|(key, i)| (key, cell(&self.records[i], column).display()))
                .collect();
            values.sort_unstable_by(|a, b| a.0.cmp(b.0));
            values.into_iter().map(|(_, v)| v).collect()
        };
        LogChoices {
            billing_states: distinct(Column::BillingState),
            types: distinct(Column::SupportSessionType),
            groups: distinct(Column::Groupname),
            users: distinct(Column::Username),
        }
    }

    /// The values the pick lists offer (billing state, type, group, user), from every loaded
    /// record.
    pub fn choices(&self) -> &LogChoices {
        &self.choices
    }

    /// The column filters of the current view that could not be read (they filter nothing), in
    /// the order given.
    pub fn unreadable(&self) -> &[Column] {
        &self.unreadable
    }

    fn compact_if_needed(&mut self) {
        if self.garbage < COMPACT_MIN_GARBAGE || self.garbage * 2 < self.arena.len() {
            return;
        }
        let mut arena = String::with_capacity(self.arena.len() - self.garbage);
        for m in &mut self.meta {
            let at = arena.len();
            arena.push_str(self.arena.get(m.hay..m.hay + m.len()).unwrap_or_default());
            m.hay = at;
        }
        self.arena = arena;
        self.garbage = 0;
    }

    /// Filters and sorts the loaded records into the view and returns its totals. With no sort,
    /// the view is in the default order: start date descending (newest first), records
    /// without a start date last, ties in load order. The filter and sort are remembered and
    /// re-applied when the records change.
    pub fn apply(&mut self, filter: &LogFilter, sort: Option<Sort>) -> Totals {
        self.filter = filter.clone();
        self.sort = sort;
        self.reapply()
    }

    /// Recomputes the view with the remembered filter and sort: the records are tested in
    /// position order (front to back through memory, in parallel for large logs), then the
    /// order of the view (the default order, or the cached order of the sort) is walked once,
    /// keeping the matches.
    fn reapply(&mut self) -> Totals {
        let matcher = Matcher::new(&self.filter);
        self.unreadable.clone_from(&matcher.unreadable);
        let n = self.records.len();
        for (column, display) in matcher.shown_columns() {
            self.ensure_shown_dates(column, display);
        }
        let (flags, duration_seconds) = if matcher.is_trivial() {
            (None, self.meta.iter().filter_map(|m| m.duration).sum())
        } else {
            let (arena, meta) = (self.arena.as_str(), &self.meta);
            // The date tests are answered for every record at once: one search per word over
            // all the shown dates, instead of one per record.
            let texts = |d: usize| {
                self.shown_dates
                    .iter()
                    .find(|t| t.column == DATE_COLUMNS[d])
            };
            let found: Vec<Option<Vec<bool>>> = matcher
                .columns
                .iter()
                .map(|test| match test {
                    ColumnTest::ShownWords(d, words) => {
                        texts(*d).map(|t| t.containing_all(words, scan_threads(n)))
                    }
                    ColumnTest::ShownExact(d, v) => texts(*d).map(|t| t.equal_to(v.as_bytes())),
                    _ => None,
                })
                .collect();
            let (flags, sum) = match_flags(
                n,
                scan_threads(n),
                |i| matcher.matches(arena, &meta[i], ShownDates::Found(&found, i)),
                |i| meta[i].duration.unwrap_or(0),
            );
            (Some(flags), sum)
        };
        let mut view = std::mem::take(&mut self.view);
        view.clear();
        let order: &[u32] = match self.sort {
            Some(sort) => self.sorted_order(sort),
            None => &self.default_order,
        };
        match &flags {
            None => view.extend_from_slice(order),
            Some(flags) => view.extend(order.iter().copied().filter(|&i| flags[i as usize])),
        }
        self.view = view;
        self.totals = Totals {
            count: self.view.len(),
            total_records: n,
            duration_seconds,
        };
        self.totals
    }

    /// Renders every record's date in `column` as `display` shows it, unless that is at hand.
    fn ensure_shown_dates(&mut self, column: Column, display: &TimeDisplay) {
        let n = self.records.len();
        if self
            .shown_dates
            .iter()
            .any(|t| t.column == column && t.display == *display && t.len() == n)
        {
            return;
        }
        self.shown_dates.retain(|t| t.column != column);
        let texts = TimeTexts::build(&self.records, column, display, scan_threads(n));
        self.shown_dates.push(texts);
    }

    /// Every position in the order of `sort`, computed on first use and cached until the
    /// records (or, after an edit, that column) change.
    fn sorted_order(&mut self, sort: Sort) -> &[u32] {
        let slot = usize::from(sort.descending);
        if self.sorted[sort.column.index()][slot].is_none() {
            let mut all: Vec<u32> = (0..self.records.len() as u32).collect();
            self.sort_by_keys(&mut all, sort);
            self.sorted[sort.column.index()][slot] = Some(all);
        }
        self.sorted[sort.column.index()][slot]
            .as_deref()
            .unwrap_or_default()
    }

    /// Sorts `view` (distinct positions) by the sort's key: missing values last, then the
    /// value (descending when asked), then the id.
    fn sort_by_keys(&mut self, view: &mut Vec<u32>, sort: Sort) {
        self.ensure_rank(Column::Id);
        self.ensure_rank(sort.column);
        let (Some(rank), Some(id_rank), Some(by_id_rank)) = (
            self.ranks[sort.column.index()].as_deref(),
            self.ranks[Column::Id.index()].as_deref(),
            self.by_id_rank.as_deref(),
        ) else {
            return;
        };
        // Key: missing flag (bit 63) | directed rank (bits 32..63) | id rank (bits 0..32). The id
        // rank is unique, so the key identifies the record and the order is total.
        let mut keys: Vec<u64> = view
            .iter()
            .map(|&i| {
                let i = i as usize;
                let id = u64::from(id_rank[i]);
                match rank[i] {
                    NONE => (1 << 63) | id,
                    r if sort.descending => (u64::from(MAX_RANK.saturating_sub(r)) << 32) | id,
                    r => (u64::from(r) << 32) | id,
                }
            })
            .collect();
        keys.sort_unstable();
        view.clear();
        view.extend(keys.iter().map(|k| by_id_rank[(k & 0xFFFF_FFFF) as usize]));
    }

    fn ensure_rank(&mut self, column: Column) {
        if self.ranks[column.index()].is_some() {
            return;
        }
        let rank = self.compute_rank(column);
        if column == Column::Id {
            let mut inverse = vec![0u32; rank.len()];
            for (i, &r) in rank.iter().enumerate() {
                if let Some(slot) = inverse.get_mut(r as usize) {
                    *slot = i as u32;
                }
            }
            self.by_id_rank = Some(inverse);
        }
        self.ranks[column.index()] = Some(rank);
    }

    fn compute_rank(&self, column: Column) -> Vec<u32> {
        if column.is_text() && column != Column::Id {
            return self.compute_text_rank(column);
        }
        let n = self.records.len();
        let mut rank = vec![NONE; n];
        // (order-preserving 64-bit key, position): numeric keys are exact; for ids the key is
        // the first 8 bytes, and only equal prefixes fall back to comparing the whole id.
        let mut keyed: Vec<(u64, u32)> = (0..n)
            .filter_map(|i| self.sort_key(column, i).map(|k| (k, i as u32)))
            .collect();
        let is_id = column == Column::Id;
        keyed.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                if is_id {
                    self.records[a.1 as usize]
                        .id
                        .cmp(&self.records[b.1 as usize].id)
                } else {
                    Ordering::Equal
                }
            })
        });
        if is_id {
            // Ids are unique: ranks form a permutation.
            for (pos, &(_, i)) in keyed.iter().enumerate() {
                rank[i as usize] = pos as u32;
            }
            return rank;
        }
        let mut r = 0u32;
        let mut prev: Option<u64> = None;
        for &(k, i) in &keyed {
            if prev.is_some_and(|p| p != k) {
                r += 1;
            }
            rank[i as usize] = r;
            prev = Some(k);
        }
        rank
    }

    /// Ranks of a text column: the distinct lowercased values are collected first (connection
    /// logs repeat supporters, groups, states...), then only those are sorted, by an 8-byte
    /// prefix key with a full comparison on equal prefixes.
    fn compute_text_rank(&self, column: Column) -> Vec<u32> {
        let s = slot(column);
        let n = self.records.len();
        let mut unique_of: HashMap<&str, u32> = HashMap::new();
        let mut uniques: Vec<&str> = Vec::new();
        let mut value_of = vec![NONE; n];
        for (i, m) in self.meta.iter().enumerate() {
            let text = slot_text(&self.arena, m, s);
            if text.trim().is_empty() {
                continue;
            }
            let u = *unique_of.entry(text).or_insert_with(|| {
                uniques.push(text);
                (uniques.len() - 1) as u32
            });
            value_of[i] = u;
        }
        let mut order: Vec<(u64, u32)> = uniques
            .iter()
            .enumerate()
            .map(|(u, t)| (prefix_key(t.as_bytes()), u as u32))
            .collect();
        order.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| uniques[a.1 as usize].cmp(uniques[b.1 as usize]))
        });
        let mut rank_of_unique = vec![0u32; uniques.len()];
        for (r, &(_, u)) in order.iter().enumerate() {
            rank_of_unique[u as usize] = r as u32;
        }
        value_of
            .into_iter()
            .map(|u| match u {
                NONE => NONE,
                u => rank_of_unique[u as usize],
            })
            .collect()
    }

    /// An order-preserving 64-bit key of the record's value in `column`; `None` when missing.
    fn sort_key(&self, column: Column, i: usize) -> Option<u64> {
        let r = &self.records[i];
        let signed = |v: i64| (v as u64) ^ (1 << 63);
        match column {
            Column::Id => Some(prefix_key(r.id.as_bytes())),
            Column::StartDate => r.start_date.map(|t| signed(t.timestamp_micros())),
            Column::EndDate => r.end_date.map(|t| signed(t.timestamp_micros())),
            Column::DurationSeconds => self.meta[i].duration.map(signed),
            Column::Fee => r.fee.filter(|f| f.is_finite()).map(|f| {
                let bits = f.to_bits();
                if bits >> 63 == 1 {
                    !bits
                } else {
                    bits | (1 << 63)
                }
            }),
            text => {
                let s = slot_text(&self.arena, &self.meta[i], slot(text));
                (!s.trim().is_empty()).then(|| prefix_key(s.as_bytes()))
            }
        }
    }

    /// Totals of the current view.
    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// Number of loaded records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no record is loaded.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Number of records in the view.
    pub fn view_len(&self) -> usize {
        self.view.len()
    }

    /// Every loaded record, in load order.
    pub fn records(&self) -> &[ConnectionReport] {
        &self.records
    }

    /// The filter of the current view.
    pub fn filter(&self) -> &LogFilter {
        &self.filter
    }

    /// The sort of the current view (`None`: default order).
    pub fn sort(&self) -> Option<Sort> {
        self.sort
    }

    /// The records of the view, in view order (what an export of "the rows in view" writes).
    pub fn view(&self) -> impl ExactSizeIterator<Item = &ConnectionReport> + '_ {
        self.view.iter().map(|&i| &self.records[i as usize])
    }

    /// At most `limit` records of the view starting at position `offset` (empty past the end).
    pub fn window(&self, offset: usize, limit: usize) -> Vec<&ConnectionReport> {
        self.window_positions(offset, limit)
            .iter()
            .map(|&i| &self.records[i as usize])
            .collect()
    }

    /// Like [`LogStore::window`], as display rows for the UI table; each row carries its view
    /// position in `index`.
    pub fn window_rows(&self, offset: usize, limit: usize) -> Vec<LogRow> {
        self.window_positions(offset, limit)
            .iter()
            .enumerate()
            .map(|(k, &i)| LogRow::from_record(offset + k, &self.records[i as usize]))
            .collect()
    }

    fn window_positions(&self, offset: usize, limit: usize) -> &[u32] {
        let start = offset.min(self.view.len());
        let end = start.saturating_add(limit).min(self.view.len());
        &self.view[start..end]
    }

    /// The loaded record with this id.
    pub fn get(&self, id: &str) -> Option<&ConnectionReport> {
        self.by_id
            .get(&self.records, id)
            .map(|i| &self.records[i as usize])
    }

    /// The position of the record with this id in the current view, if it is in view.
    pub fn view_position(&self, id: &str) -> Option<usize> {
        let i = self.by_id.get(&self.records, id)?;
        self.view.iter().position(|&v| v == i)
    }

    /// Applies an update that the API accepted (`PUT /reports/connections/{id}`): the fields set
    /// in `update` replace the record's notes / billing state. The current filter and sort are
    /// re-applied (the record may leave or move in the view). [`Error::NotFound`] when no record
    /// with this id is loaded.
    pub fn update_record(&mut self, id: &str, update: &ReportUpdate) -> Result<Totals> {
        let Some(i) = self.by_id.get(&self.records, id) else {
            return Err(Error::NotFound {
                message: format!("connection report {id} is not loaded"),
            });
        };
        let i = i as usize;
        let record = &mut self.records[i];
        if let Some(notes) = &update.notes {
            record.notes = Some(notes.clone());
            self.ranks[Column::Notes.index()] = None;
            self.sorted[Column::Notes.index()] = [None, None];
        }
        if let Some(state) = &update.billing_state {
            record.billing_state = Some(state.clone());
            self.ranks[Column::BillingState.index()] = None;
            self.sorted[Column::BillingState.index()] = [None, None];
        }
        let mut scratch = String::new();
        let meta = index_record(&mut self.arena, &mut scratch, &self.records[i]);
        self.garbage += self.meta[i].len();
        self.meta[i] = meta;
        self.compact_if_needed();
        if update.billing_state.is_some() {
            self.choices = self.compute_choices();
        }
        Ok(self.reapply())
    }
}

impl From<Vec<ConnectionReport>> for LogStore {
    fn from(records: Vec<ConnectionReport>) -> Self {
        Self::from_records(records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::ColumnFilter;

    #[test]
    fn a_parallel_scan_flags_exactly_what_the_sequential_one_does() {
        let keep = |i: usize| i % 7 == 0 || i % 11 == 3;
        let weight = |i: usize| i as i64;
        let sequential = match_flags(10_007, 1, keep, weight);
        assert_eq!(
            sequential.0.iter().filter(|&&f| f).count(),
            (0..10_007).filter(|&i| keep(i)).count()
        );
        for threads in [2, 3, 8, 20_000] {
            assert_eq!(
                match_flags(10_007, threads, keep, weight),
                sequential,
                "{threads} threads must flag the same records and sum the same weights"
            );
        }
        assert_eq!(
            match_flags(0, 4, keep, weight),
            (Vec::new(), 0),
            "an empty log"
        );
    }

    /// 600 records with repeated, missing and tied values in every kind of column.
    fn varied_records() -> Vec<ConnectionReport> {
        (0..600u32)
            .map(|i| {
                let start =
                    (i % 13 != 0).then(|| format!("2026-11-{:02}T{:02}:00:00Z", 1 + i % 5, i % 3));
                let name =
                    (i % 6 != 0).then(|| ["Anna", "anna", "Björn", "Zoë", ""][i as usize % 5]);
                let state = ["Billed", "NotBilled", "Disabled"][i as usize % 3];
                let end = (i % 17 != 0)
                    .then(|| format!("2026-11-{:02}T{:02}:30:00Z", 1 + i % 5, 3 + i % 4));
                serde_json::from_value(serde_json::json!({
                    "id": format!("{:08x}", i.wrapping_mul(2_654_435_761) % 1_000_003),
                    "userid": (i % 7 != 0).then(|| format!("u{}", i % 5)),
                    "username": name,
                    "devicename": format!("PC-{}", i % 9),
                    "start_date": start,
                    "end_date": end,
                    "fee": (i % 4 != 0).then(|| f64::from(i % 8) * 2.5),
                    "billing_state": state,
                    "notes": (i % 2 == 0).then(|| format!("note {}", i % 11)),
                }))
                .expect("a test record")
            })
            .collect()
    }

    #[test]
    fn a_sorted_view_walks_the_cached_order_exactly_like_sorting_the_matches() {
        let mut store = LogStore::from_records(varied_records());
        let billed = LogFilter {
            columns: vec![ColumnFilter {
                column: Column::BillingState,
                value: "Billed".to_owned(),
                exact: true,
            }],
            ..LogFilter::default()
        };
        let filters = [
            ("no filter", LogFilter::default()),
            ("a word", LogFilter::text("anna")),
            ("a pick list", billed),
        ];
        for column in Column::ALL {
            for descending in [false, true] {
                let sort = Sort { column, descending };
                for (name, filter) in &filters {
                    store.apply(filter, None);
                    let mut expected = store.view.clone();
                    store.sort_by_keys(&mut expected, sort);
                    store.apply(filter, Some(sort));
                    assert_eq!(
                        store.view,
                        expected,
                        "{column} {}, {name}: the walk over the cached order must give the key \
                         sort's order (ties by id, missing values last)",
                        if descending {
                            "descending"
                        } else {
                            "ascending"
                        }
                    );
                }
            }
        }
    }

    #[test]
    fn slots_are_a_permutation_with_text_first() {
        for (s, c) in SLOTS.into_iter().enumerate() {
            assert_eq!(slot(c), s, "slot() must invert SLOTS for {c}");
            assert_eq!(
                c.is_text(),
                s < TEXT_SLOTS,
                "text columns come first so free text searches one prefix"
            );
        }
    }
}
