//! The in-memory connection log: every loaded record plus the current view (the filtered and
//! sorted positions), queried by windows for the virtualised table.
//!
//! The records are kept compactly, column by column ([`super::table`]): the repeated columns
//! interned into per-column dictionaries, the rest in one arena; a record is rebuilt only for
//! the window, the record detail, an export or an edit.
//!
//! Speed comes from work done once per dictionary entry or per record at load time rather than
//! per query:
//! - a search word is looked up once in every dictionary entry's lowercased text (one flag per
//!   entry); per record only its ids are looked up, plus one substring search in the search
//!   text of its unique columns (id, session code, notes: lowercased, separated by U+001F) in a
//!   contiguous slice; nothing is allocated per record while filtering;
//! - the default order (start date descending — newest first —, then load order) is computed on load;
//! - sorting uses a per-column rank (dense `u32`; for an interned column one per dictionary
//!   entry, otherwise one per record, computed on the first sort by that column and cached
//!   until the records change) packed with the id's rank into one `u64` key, so a sort is a
//!   `sort_unstable` of integers.
//!
//! Where a column's text is matched: interned columns in [`Matcher::new`] (per entry, through
//! [`super::table::Dict::search`]), the unique columns in [`Table::hay`], and the computed
//! columns (start, end, duration, fee) through their display text, [`Table::push_computed`].

use super::columns::{cell, format_duration, Column, COLUMN_COUNT};
use super::filter::{LogFilter, Sort};
use super::query::{parse_duration_test, search_words, DurationTest};
use super::table::{dict_index, place, Place, Table, DICT_COLUMNS, SEP};
use super::times::{TimeDisplay, TimeTexts};
use crate::error::{Error, Result};
use crate::models::{ConnectionReport, ReportUpdate};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;

/// Rank of a missing value.
const NONE: u32 = u32::MAX;
/// Largest rank of a present value (ranks use 31 bits of the sort key).
const MAX_RANK: u32 = (1 << 31) - 1;

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
fn all_found(finders: &[Finder], hay: &[u8]) -> bool {
    finders.iter().all(|f| f.find(hay).is_some())
}

/// One column filter, read from the user's text (independent of the records).
#[derive(Debug, Clone)]
enum ColumnQuery {
    /// Every word occurs in the column's text.
    Words(Column, Vec<String>),
    /// The column's text equals the value (lowercased).
    Exact(Column, String),
    /// The duration compares as asked.
    Duration(DurationTest),
    /// Every word occurs in the date as shown (a column of [`DATE_COLUMNS`]).
    ShownWords(Column, Vec<String>),
    /// The date as shown equals the value.
    ShownExact(Column, String),
}

/// The date columns whose shown text a filter can match (see [`LogFilter::times`]).
const DATE_COLUMNS: [Column; 2] = [Column::StartDate, Column::EndDate];

/// A [`LogFilter`] read once: lowercased words, parsed comparisons.
#[derive(Debug, Clone, Default)]
struct Query {
    /// Words that must each occur somewhere in the text columns.
    words: Vec<String>,
    columns: Vec<ColumnQuery>,
    from: Option<(i64, u32)>,
    to: Option<(i64, u32)>,
    /// How the view shows dates, when a column filter matches a date as shown.
    times: Option<TimeDisplay>,
    /// Column filters that could not be read (and so filter nothing).
    unreadable: Vec<Column>,
}

/// `(seconds, nanoseconds)` of an instant: ordered as the instants are.
fn time_key(t: DateTime<Utc>) -> (i64, u32) {
    (t.timestamp(), t.timestamp_subsec_nanos())
}

impl Query {
    fn new(filter: &LogFilter) -> Self {
        let mut unreadable = Vec::new();
        let mut columns = Vec::new();
        let times = filter.times.as_ref().filter(|t| t.is_usable());
        for c in &filter.columns {
            let value = c.value.trim();
            if value.is_empty() {
                continue;
            }
            let shown = times.is_some() && DATE_COLUMNS.contains(&c.column);
            let test = if shown && c.exact {
                normalize(value).map(|v| ColumnQuery::ShownExact(c.column, v))
            } else if shown {
                let words: Vec<String> = search_words(&value.replace(SEP, " "));
                (!words.is_empty()).then_some(ColumnQuery::ShownWords(c.column, words))
            } else if c.column == Column::DurationSeconds && !c.exact {
                parse_duration_test(value).map(ColumnQuery::Duration)
            } else if c.exact {
                normalize(value).map(|v| ColumnQuery::Exact(c.column, v))
            } else {
                let words: Vec<String> = search_words(&value.replace(SEP, " "));
                (!words.is_empty()).then_some(ColumnQuery::Words(c.column, words))
            };
            match test {
                Some(t) => columns.push(t),
                None => unreadable.push(c.column),
            }
        }
        Self {
            words: filter
                .text
                .as_deref()
                .map(|t| search_words(&t.replace(SEP, " ")))
                .unwrap_or_default(),
            columns,
            from: filter.from.map(time_key),
            to: filter.to.map(time_key),
            times: times.cloned(),
            unreadable,
        }
    }

    /// The date columns this query matches as shown.
    fn shown_columns(&self) -> impl Iterator<Item = Column> + '_ {
        DATE_COLUMNS.into_iter().filter(|d| {
            self.columns.iter().any(|c| {
                matches!(c, ColumnQuery::ShownWords(x, _) | ColumnQuery::ShownExact(x, _) if x == d)
            })
        })
    }

    fn is_trivial(&self) -> bool {
        self.words.is_empty() && self.columns.is_empty() && self.from.is_none() && self.to.is_none()
    }
}

/// Which entries of interned column `k` pass `test` (indexed by entry id).
fn entry_flags(table: &Table, k: usize, test: impl Fn(&[u8]) -> bool) -> Vec<bool> {
    let dict = table.dict(k);
    (0..dict.len() as u32)
        .map(|e| e != 0 && test(dict.search(e)))
        .collect()
}

/// A free-text word compiled against the records.
struct Word {
    /// Searcher in the unique columns' search text.
    finder: Finder,
    /// The interned columns where some entry contains the word, with the entries that do.
    dicts: Vec<(usize, Vec<bool>)>,
}

/// One column filter compiled against the records.
enum ColumnTest {
    /// Interned column `k`: the entries that pass.
    Entries(usize, Vec<bool>),
    /// Unique column `u`: every word occurs in its search text.
    UniqueWords(usize, Vec<Finder>),
    /// Unique column `u`: its search text equals the value.
    UniqueExact(usize, String),
    /// Computed column: every word occurs in its (lowercased) display text.
    ComputedWords(Column, Vec<Finder>),
    /// Computed column: its (lowercased) display text equals the value.
    ComputedExact(Column, String),
    /// The duration compares as asked.
    Duration(DurationTest),
    /// Which records pass (by position), found beforehand over all of them at once: a date
    /// as shown.
    Passed(Vec<bool>),
}

thread_local! {
    /// The display text of a computed column of the record being matched.
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Runs `f` on the lowercased display text of computed `column` of record `i`.
fn with_computed<R>(table: &Table, i: usize, column: Column, f: impl FnOnce(&[u8]) -> R) -> R {
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        s.clear();
        table.push_computed(i, column, &mut s);
        s.make_ascii_lowercase();
        f(s.as_bytes())
    })
}

/// A [`Query`] compiled against the records of one table.
struct Matcher {
    words: Vec<Word>,
    columns: Vec<ColumnTest>,
    from: Option<(i64, u32)>,
    to: Option<(i64, u32)>,
    trivial: bool,
}

impl Matcher {
    /// Compiles `query` for `table`; `shown` holds the dates as shown that the query reads
    /// (see [`Query::shown_columns`]).
    fn new(query: &Query, table: &Table, shown: &[TimeTexts]) -> Self {
        let threads = scan_threads(table.len());
        let texts = |column: Column| shown.iter().find(|t| t.column == column);
        let words = query
            .words
            .iter()
            .map(|w| {
                let finder = memchr::memmem::Finder::new(w.as_bytes()).into_owned();
                let dicts = (0..DICT_COLUMNS.len())
                    .filter_map(|k| {
                        let flags = table.dict(k).containing(&finder);
                        flags.contains(&true).then_some((k, flags))
                    })
                    .collect();
                Word { finder, dicts }
            })
            .collect();
        let columns = query
            .columns
            .iter()
            .map(|q| match q {
                ColumnQuery::Duration(d) => ColumnTest::Duration(*d),
                // One search per word over all the shown dates at once, not one per record.
                ColumnQuery::ShownWords(column, words) => ColumnTest::Passed(
                    texts(*column)
                        .map(|t| t.containing_all(&finders(words), threads))
                        .unwrap_or_else(|| vec![false; table.len()]),
                ),
                ColumnQuery::ShownExact(column, v) => ColumnTest::Passed(
                    texts(*column)
                        .map(|t| t.equal_to(v.as_bytes()))
                        .unwrap_or_else(|| vec![false; table.len()]),
                ),
                ColumnQuery::Words(column, words) => match place(*column) {
                    Place::Dict(k) => {
                        let dict = table.dict(k);
                        let mut flags = vec![true; dict.len()];
                        for f in finders(words) {
                            for (flag, hit) in flags.iter_mut().zip(dict.containing(&f)) {
                                *flag &= hit;
                            }
                        }
                        ColumnTest::Entries(k, flags)
                    }
                    Place::Unique(u) => ColumnTest::UniqueWords(u, finders(words)),
                    Place::Computed => ColumnTest::ComputedWords(*column, finders(words)),
                },
                ColumnQuery::Exact(column, v) => match place(*column) {
                    Place::Dict(k) => {
                        ColumnTest::Entries(k, entry_flags(table, k, |t| t == v.as_bytes()))
                    }
                    Place::Unique(u) => ColumnTest::UniqueExact(u, v.clone()),
                    Place::Computed => ColumnTest::ComputedExact(*column, v.clone()),
                },
            })
            .collect();
        Self {
            words,
            columns,
            from: query.from,
            to: query.to,
            trivial: query.is_trivial(),
        }
    }

    /// Sets `out[j]` to whether record `start + j` matches, a column at a time over the block
    /// (each interned column's ids read in one tight loop; the unique texts searched only for
    /// the records still in question).
    fn matches_block(&self, table: &Table, start: usize, out: &mut [bool]) {
        out.fill(true);
        if self.from.is_some() || self.to.is_some() {
            for (j, ok) in out.iter_mut().enumerate() {
                *ok = table.start_key(start + j).is_some_and(|s| {
                    self.from.is_none_or(|f| s >= f) && self.to.is_none_or(|t| s < t)
                });
            }
        }
        let mut hit = [false; BLOCK];
        let hit = &mut hit[..out.len()];
        let mut in_hay = [false; BLOCK];
        let in_hay = &mut in_hay[..out.len()];
        for w in &self.words {
            hit.fill(false);
            for (k, flags) in &w.dicts {
                table.ids(*k).or_flags(start, flags, hit);
            }
            if table.blocks_in_order() {
                in_hay.fill(false);
                table.find_in_hays(start, &w.finder, in_hay);
                for ((ok, &found), &there) in out.iter_mut().zip(hit.iter()).zip(in_hay.iter()) {
                    *ok &= found || there;
                }
            } else {
                for (j, (ok, &found)) in out.iter_mut().zip(hit.iter()).enumerate() {
                    if *ok && !found {
                        *ok = w.finder.find(table.hay(start + j)).is_some();
                    }
                }
            }
        }
        for test in &self.columns {
            if let ColumnTest::Entries(k, flags) = test {
                table.ids(*k).and_flags(start, flags, out);
                continue;
            }
            for (j, ok) in out.iter_mut().enumerate() {
                if *ok {
                    *ok = Self::test_one(test, table, start + j);
                }
            }
        }
    }

    /// Whether record `i` passes `test`.
    fn test_one(test: &ColumnTest, table: &Table, i: usize) -> bool {
        match test {
            ColumnTest::Entries(k, flags) => flags[table.ids(*k).get(i) as usize],
            ColumnTest::UniqueWords(u, words) => {
                all_found(words, table.unique_search(i, *u).as_bytes())
            }
            ColumnTest::UniqueExact(u, v) => table.unique_search(i, *u) == v,
            ColumnTest::ComputedWords(c, words) => {
                with_computed(table, i, *c, |t| all_found(words, t))
            }
            ColumnTest::ComputedExact(c, v) => with_computed(table, i, *c, |t| t == v.as_bytes()),
            ColumnTest::Duration(d) => table.duration(i).is_some_and(|secs| d.matches(secs)),
            ColumnTest::Passed(flags) => flags.get(i).copied().unwrap_or(false),
        }
    }
}

/// Records matched together by [`Matcher::matches_block`].
const BLOCK: usize = 1024;

/// The dates of `table` as `query` shows them, for each date column it matches as shown.
fn shown_dates(query: &Query, table: &Table) -> Vec<TimeTexts> {
    let Some(display) = &query.times else {
        return Vec::new();
    };
    query
        .shown_columns()
        .map(|c| TimeTexts::build(table.len(), date_getter(table, c), c, display, 1))
        .collect()
}

/// Record `i`'s date in date column `column`.
fn date_getter(
    table: &Table,
    column: Column,
) -> impl Fn(usize) -> Option<DateTime<Utc>> + Sync + '_ {
    move |i| match column {
        Column::StartDate => table.start_date(i),
        _ => table.end_date(i),
    }
}

/// A [`LogFilter`] applied to one record at a time, with exactly the matching of
/// [`LogStore::apply`] (the record is put in a table of its own and matched by the same code),
/// for records that are not loaded into a store: an export that writes pages as they arrive.
pub struct RecordFilter {
    query: Query,
    table: Table,
}

impl fmt::Debug for RecordFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordFilter")
            .field("trivial", &self.query.is_trivial())
            .finish_non_exhaustive()
    }
}

impl RecordFilter {
    /// Compiles `filter`.
    pub fn new(filter: &LogFilter) -> Self {
        Self {
            query: Query::new(filter),
            table: Table::default(),
        }
    }

    /// Whether every record matches (the filter restricts nothing).
    pub fn is_trivial(&self) -> bool {
        self.query.is_trivial()
    }

    /// Whether `record` would be in the view of a [`LogStore`] holding it, with this filter
    /// applied.
    pub fn matches(&mut self, record: &ConnectionReport) -> bool {
        if self.query.is_trivial() {
            return true;
        }
        self.table.clear();
        self.table.push(record);
        let shown = shown_dates(&self.query, &self.table);
        let mut ok = [false];
        Matcher::new(&self.query, &self.table, &shown).matches_block(&self.table, 0, &mut ok);
        ok[0]
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
/// `keep(start, flags)` sets the flags of the records from `start` on (at most [`BLOCK`] at a
/// time). The records are visited in position order, so memory is read front to back; with
/// more than one thread each scans one contiguous part. The result does not depend on
/// `threads`.
fn match_flags(
    count: usize,
    threads: usize,
    keep: impl Fn(usize, &mut [bool]) + Sync,
    weight: impl Fn(usize) -> i64 + Sync,
) -> (Vec<bool>, i64) {
    let mut flags = vec![false; count];
    let scan = |start: usize, part: &mut [bool]| {
        let mut sum = 0i64;
        for (b, block) in part.chunks_mut(BLOCK).enumerate() {
            let first = start + b * BLOCK;
            keep(first, block);
            for (k, &flag) in block.iter().enumerate() {
                if flag {
                    sum += weight(first + k);
                }
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

/// The first 8 bytes as a big-endian number, zero-padded: `a <= b` implies
/// `prefix_key(a) <= prefix_key(b)`.
fn prefix_key(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = bytes.len().min(8);
    buf[..n].copy_from_slice(&bytes[..n]);
    u64::from_be_bytes(buf)
}

/// Dense ranks of `texts` (lowercased; blank ones are missing: [`NONE`]): equal texts get
/// equal ranks. Sorted by an 8-byte prefix key with a full comparison on equal prefixes.
fn rank_texts(texts: &[&str]) -> Vec<u32> {
    let mut order: Vec<(u64, u32)> = texts
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(u, t)| (prefix_key(t.as_bytes()), u as u32))
        .collect();
    order.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| texts[a.1 as usize].cmp(texts[b.1 as usize]))
    });
    let mut rank = vec![NONE; texts.len()];
    let mut r = 0u32;
    let mut prev: Option<&str> = None;
    for &(_, u) in &order {
        let t = texts[u as usize];
        if prev.is_some_and(|p| p != t) {
            r += 1;
        }
        rank[u as usize] = r;
        prev = Some(t);
    }
    rank
}

/// Record positions by id: a hash table of positions whose keys are the records' own ids (an
/// id is not copied into the index; about 6 bytes a record).
#[derive(Default)]
struct IdIndex {
    table: hashbrown::HashTable<u32>,
    hasher: std::collections::hash_map::RandomState,
}

impl IdIndex {
    fn clear(&mut self) {
        self.table.clear();
    }

    fn reserve(&mut self, more: usize, records: &Table) {
        let hasher = &self.hasher;
        self.table.reserve(more, |&i| {
            hasher.hash_one(records.id_bytes(i as usize).as_ref())
        });
    }

    /// The position of the record with `id`.
    fn get(&self, records: &Table, id: &str) -> Option<u32> {
        self.table
            .find(self.hasher.hash_one(id.as_bytes()), |&i| {
                records.id_bytes(i as usize).as_ref() == id.as_bytes()
            })
            .copied()
    }

    /// Indexes `records[position]` (its id must not be indexed yet).
    fn insert(&mut self, records: &Table, position: u32) {
        let hasher = &self.hasher;
        let id = records.id_bytes(position as usize);
        self.table
            .insert_unique(hasher.hash_one(id.as_ref()), position, |&i| {
                hasher.hash_one(records.id_bytes(i as usize).as_ref())
            });
    }

    fn shrink(&mut self, records: &Table) {
        let hasher = &self.hasher;
        self.table
            .shrink_to_fit(|&i| hasher.hash_one(records.id_bytes(i as usize).as_ref()));
    }
}

/// A column's sort rank.
enum Rank {
    /// One per dictionary entry of an interned column.
    Entries(usize, Vec<u32>),
    /// One per record.
    Records(Vec<u32>),
}

impl Rank {
    #[inline(always)]
    fn get(&self, table: &Table, i: usize) -> u32 {
        match self {
            Rank::Entries(k, ranks) => ranks[table.ids(*k).get(i) as usize],
            Rank::Records(ranks) => ranks[i],
        }
    }
}

/// The loaded connection log and its current view. See the module documentation for how queries
/// stay fast at 1,000,000 records.
///
/// The view is recomputed by [`LogStore::apply`], and re-applied with the last filter and sort
/// whenever the records change ([`LogStore::set_records`], [`LogStore::extend`],
/// [`LogStore::update_record`]).
pub struct LogStore {
    table: Table,
    by_id: IdIndex,
    /// All positions, start date descending (missing last), ties in load order.
    default_order: Vec<u32>,
    /// Per column: the rank of each record's value (`NONE` when missing), computed lazily.
    ranks: [Option<Rank>; COLUMN_COUNT],
    /// Record position by id rank (the inverse of the id ranks), computed with them.
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
    /// use, dropped when the records change; edits do not change dates).
    shown_dates: Vec<TimeTexts>,
}

impl fmt::Debug for LogStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogStore")
            .field("records", &self.table.len())
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
            table: Table::default(),
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
    pub fn from_records(records: impl IntoIterator<Item = ConnectionReport>) -> Self {
        let mut store = Self::new();
        store.set_records(records);
        store
    }

    /// Replaces every record. Records with an id seen earlier in `records` replace the earlier
    /// one in place (one record per id). The current filter and sort are re-applied. The
    /// records are taken one at a time, so an iterator that makes them as it goes never holds
    /// them all at once.
    pub fn set_records(&mut self, records: impl IntoIterator<Item = ConnectionReport>) -> Totals {
        self.clear_records();
        self.ingest(records);
        self.after_load()
    }

    /// Adds records; a record whose id is already loaded replaces the loaded one in place (newer
    /// data wins, never a duplicate). The current filter and sort are re-applied.
    pub fn extend(&mut self, records: impl IntoIterator<Item = ConnectionReport>) -> Totals {
        self.ingest(records);
        self.after_load()
    }

    /// Forgets every record without re-applying the view: the start of a load in parts
    /// ([`LogStore::push_records`] for each part, then [`LogStore::finish_load`]).
    pub fn clear_records(&mut self) {
        self.table.clear();
        self.by_id.clear();
        self.default_order = Vec::new();
        self.ranks = std::array::from_fn(|_| None);
        self.by_id_rank = None;
        self.sorted = std::array::from_fn(|_| [None, None]);
        self.view = Vec::new();
        self.shown_dates.clear();
    }

    /// Adds records as [`LogStore::extend`] does, without re-applying the view (the view is
    /// stale until [`LogStore::finish_load`]): one part of a load in parts.
    pub fn push_records(&mut self, records: impl IntoIterator<Item = ConnectionReport>) {
        self.ingest(records);
    }

    /// Ends a load in parts: the view is re-applied with the current filter and sort.
    pub fn finish_load(&mut self) -> Totals {
        self.after_load()
    }

    /// Ends a load in parts with `filter` and `sort` as the view's (those of the log this
    /// store replaces).
    pub fn finish_load_with(&mut self, filter: &LogFilter, sort: Option<Sort>) -> Totals {
        self.filter = filter.clone();
        self.sort = sort;
        self.after_load()
    }

    /// The heap bytes the loaded records take (table and id index; not the view, orders and
    /// ranks). For measurements.
    pub fn record_bytes(&self) -> usize {
        self.table.heap_bytes() + self.by_id.table.capacity() * 5
    }

    fn ingest(&mut self, records: impl IntoIterator<Item = ConnectionReport>) {
        let records = records.into_iter();
        let more = records.size_hint().0;
        self.table.reserve(more);
        self.by_id.reserve(more, &self.table);
        for r in records {
            match self.by_id.get(&self.table, &r.id) {
                Some(i) => self.table.replace(i as usize, &r),
                None => {
                    self.table.push(&r);
                    self.by_id.insert(&self.table, self.table.len() as u32 - 1);
                }
            }
        }
    }

    fn after_load(&mut self) -> Totals {
        self.table.compact_if_needed();
        self.table.shrink();
        self.by_id.shrink(&self.table);
        let mut order: Vec<u32> = (0..self.table.len() as u32).collect();
        // Stable, so ties keep load order; input arriving newest first is already sorted, which
        // the merge sort detects in linear time.
        let table = &self.table;
        order.sort_by(
            |&a, &b| match (table.start_key(a as usize), table.start_key(b as usize)) {
                (Some(x), Some(y)) => y.cmp(&x),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
        );
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
    /// case-insensitively, the spelling of the first record in load order kept), sorted
    /// case-insensitively.
    fn compute_choices(&self) -> LogChoices {
        let distinct = |column: Column| -> Vec<String> {
            let k = dict_index(column);
            let (dict, ids) = (self.table.dict(k), self.table.ids(k));
            // The first position of every entry in use.
            let mut first = vec![u32::MAX; dict.len()];
            for i in 0..self.table.len() {
                let e = ids.get(i) as usize;
                if first[e] == u32::MAX {
                    first[e] = i as u32;
                }
            }
            let mut used: Vec<(u32, u32)> = first
                .iter()
                .enumerate()
                .filter(|&(e, &p)| e != 0 && p != u32::MAX)
                .map(|(e, &p)| (p, e as u32))
                .collect();
            used.sort_unstable();
            let mut seen: HashMap<&str, u32> = HashMap::new();
            for (_, e) in used {
                let key = dict.search_str(e);
                if !key.is_empty() && seen.len() < MAX_CHOICES {
                    seen.entry(key).or_insert(e);
                }
            }
            let mut values: Vec<(&str, String)> = seen
                .into_iter()
                .map(|(key, e)| (key, dict.original(e).unwrap_or_default().to_owned()))
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
        let query = Query::new(&self.filter);
        self.unreadable.clone_from(&query.unreadable);
        let n = self.table.len();
        if let Some(display) = &query.times {
            for column in query.shown_columns() {
                self.ensure_shown_dates(column, display);
            }
        }
        let table = &self.table;
        let shown = &self.shown_dates;
        let (flags, duration_seconds) = if query.is_trivial() {
            (None, (0..n).filter_map(|i| table.duration(i)).sum())
        } else {
            let matcher = Matcher::new(&query, table, shown);
            debug_assert!(!matcher.trivial);
            let (flags, sum) = match_flags(
                n,
                scan_threads(n),
                |start, block| matcher.matches_block(table, start, block),
                |i| table.duration(i).unwrap_or(0),
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

    /// Renders every record's date in `column` as `display` shows it, unless that is cached.
    fn ensure_shown_dates(&mut self, column: Column, display: &TimeDisplay) {
        let n = self.table.len();
        if self
            .shown_dates
            .iter()
            .any(|t| t.column == column && t.display == *display && t.len() == n)
        {
            return;
        }
        self.shown_dates.retain(|t| t.column != column);
        let texts = TimeTexts::build(
            n,
            date_getter(&self.table, column),
            column,
            display,
            scan_threads(n),
        );
        self.shown_dates.push(texts);
    }

    /// Every position in the order of `sort`, computed on first use and cached until the
    /// records (or, after an edit, that column) change.
    fn sorted_order(&mut self, sort: Sort) -> &[u32] {
        let slot = usize::from(sort.descending);
        if self.sorted[sort.column.index()][slot].is_none() {
            let mut all: Vec<u32> = (0..self.table.len() as u32).collect();
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
        let (Some(rank), Some(Rank::Records(id_rank)), Some(by_id_rank)) = (
            self.ranks[sort.column.index()].as_ref(),
            self.ranks[Column::Id.index()].as_ref(),
            self.by_id_rank.as_deref(),
        ) else {
            return;
        };
        let table = &self.table;
        // Key: missing flag (bit 63) | directed rank (bits 32..63) | id rank (bits 0..32). The id
        // rank is unique, so the key identifies the record and the order is total.
        let mut keys: Vec<u64> = view
            .iter()
            .map(|&i| {
                let i = i as usize;
                let id = u64::from(id_rank[i]);
                match rank.get(table, i) {
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
        if let (Column::Id, Rank::Records(rank)) = (column, &rank) {
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

    fn compute_rank(&self, column: Column) -> Rank {
        match place(column) {
            Place::Dict(k) => {
                let dict = self.table.dict(k);
                let texts: Vec<&str> = (0..dict.len() as u32).map(|e| dict.search_str(e)).collect();
                return Rank::Entries(k, rank_texts(&texts));
            }
            Place::Unique(u) if column != Column::Id => {
                return Rank::Records(self.compute_unique_rank(u));
            }
            _ => {}
        }
        let n = self.table.len();
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
                    self.table
                        .id_bytes(a.1 as usize)
                        .cmp(&self.table.id_bytes(b.1 as usize))
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
            return Rank::Records(rank);
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
        Rank::Records(rank)
    }

    /// Ranks of a unique text column (session code, notes): the distinct lowercased values are
    /// collected first, then only those are ranked.
    fn compute_unique_rank(&self, u: usize) -> Vec<u32> {
        let n = self.table.len();
        let mut unique_of: HashMap<&str, u32> = HashMap::new();
        let mut uniques: Vec<&str> = Vec::new();
        let mut value_of = vec![NONE; n];
        for (i, value) in value_of.iter_mut().enumerate() {
            let text = self.table.unique_search(i, u);
            if text.trim().is_empty() {
                continue;
            }
            *value = *unique_of.entry(text).or_insert_with(|| {
                uniques.push(text);
                (uniques.len() - 1) as u32
            });
        }
        let rank_of_unique = rank_texts(&uniques);
        value_of
            .into_iter()
            .map(|u| match u {
                NONE => NONE,
                u => rank_of_unique[u as usize],
            })
            .collect()
    }

    /// An order-preserving 64-bit key of the record's value in `column` (the id, dates,
    /// duration, fee); `None` when missing.
    fn sort_key(&self, column: Column, i: usize) -> Option<u64> {
        let signed = |v: i64| (v as u64) ^ (1 << 63);
        // As `DateTime::timestamp_micros`.
        let micros = |(s, n): (i64, u32)| s * 1_000_000 + i64::from(n / 1000);
        match column {
            Column::Id => Some(prefix_key(&self.table.id_bytes(i))),
            Column::StartDate => self.table.start_key(i).map(|t| signed(micros(t))),
            Column::EndDate => self.table.end_key(i).map(|t| signed(micros(t))),
            Column::DurationSeconds => self.table.duration(i).map(signed),
            Column::Fee => self.table.fee(i).filter(|f| f.is_finite()).map(|f| {
                let bits = f.to_bits();
                if bits >> 63 == 1 {
                    !bits
                } else {
                    bits | (1 << 63)
                }
            }),
            _ => None,
        }
    }

    /// Totals of the current view.
    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// Number of loaded records.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether no record is loaded.
    pub fn is_empty(&self) -> bool {
        self.table.len() == 0
    }

    /// Number of records in the view.
    pub fn view_len(&self) -> usize {
        self.view.len()
    }

    /// Every loaded record, in load order (each rebuilt as it is reached).
    pub fn records(&self) -> impl ExactSizeIterator<Item = ConnectionReport> + '_ {
        (0..self.table.len()).map(|i| self.table.record(i))
    }

    /// The filter of the current view.
    pub fn filter(&self) -> &LogFilter {
        &self.filter
    }

    /// The sort of the current view (`None`: default order).
    pub fn sort(&self) -> Option<Sort> {
        self.sort
    }

    /// The records of the view, in view order (what an export of "the rows in view" writes),
    /// each rebuilt as it is reached.
    pub fn view(&self) -> impl ExactSizeIterator<Item = ConnectionReport> + '_ {
        self.view.iter().map(|&i| self.table.record(i as usize))
    }

    /// At most `limit` records of the view starting at position `offset` (empty past the end).
    pub fn window(&self, offset: usize, limit: usize) -> Vec<ConnectionReport> {
        self.window_positions(offset, limit)
            .iter()
            .map(|&i| self.table.record(i as usize))
            .collect()
    }

    /// Like [`LogStore::window`], as display rows for the UI table; each row carries its view
    /// position in `index`.
    pub fn window_rows(&self, offset: usize, limit: usize) -> Vec<LogRow> {
        self.window_positions(offset, limit)
            .iter()
            .enumerate()
            .map(|(k, &i)| LogRow::from_record(offset + k, &self.table.record(i as usize)))
            .collect()
    }

    fn window_positions(&self, offset: usize, limit: usize) -> &[u32] {
        let start = offset.min(self.view.len());
        let end = start.saturating_add(limit).min(self.view.len());
        &self.view[start..end]
    }

    /// The loaded record with this id.
    pub fn get(&self, id: &str) -> Option<ConnectionReport> {
        self.by_id
            .get(&self.table, id)
            .map(|i| self.table.record(i as usize))
    }

    /// The position of the record with this id in the current view, if it is in view.
    pub fn view_position(&self, id: &str) -> Option<usize> {
        let i = self.by_id.get(&self.table, id)?;
        self.view.iter().position(|&v| v == i)
    }

    /// Applies an update that the API accepted (`PUT /reports/connections/{id}`): the fields set
    /// in `update` replace the record's notes / billing state. The current filter and sort are
    /// re-applied (the record may leave or move in the view). [`Error::NotFound`] when no record
    /// with this id is loaded.
    pub fn update_record(&mut self, id: &str, update: &ReportUpdate) -> Result<Totals> {
        let Some(i) = self.by_id.get(&self.table, id) else {
            return Err(Error::NotFound {
                message: format!("connection report {id} is not loaded"),
            });
        };
        let i = i as usize;
        if let Some(notes) = &update.notes {
            self.table.set_notes(i, notes);
            self.ranks[Column::Notes.index()] = None;
            self.sorted[Column::Notes.index()] = [None, None];
        }
        if let Some(state) = &update.billing_state {
            self.table.set_billing_state(i, state);
            self.ranks[Column::BillingState.index()] = None;
            self.sorted[Column::BillingState.index()] = [None, None];
        }
        self.table.compact_if_needed();
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
    use crate::logs::table::UNIQUE_COLUMNS;
    use crate::logs::ColumnFilter;

    #[test]
    fn a_parallel_scan_flags_exactly_what_the_sequential_one_does() {
        let one = |i: usize| i % 7 == 0 || i % 11 == 3;
        let keep = |start: usize, block: &mut [bool]| {
            for (k, flag) in block.iter_mut().enumerate() {
                *flag = one(start + k);
            }
        };
        let weight = |i: usize| i as i64;
        let sequential = match_flags(10_007, 1, keep, weight);
        assert_eq!(
            sequential.0.iter().filter(|&&f| f).count(),
            (0..10_007).filter(|&i| one(i)).count()
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
    fn words_are_found_alike_in_blocks_in_order_and_after_replacements() {
        let mut records = varied_records();
        // Texts kept in the blocks' tails that are not searched (not columns of the view), and
        // an original kept beside its search text.
        records[5].session_note = Some("hidden".to_owned());
        records[7].custom_api = Some("{\"hidden\":1}".to_owned());
        records[9].notes = Some("ÄHIDDEN".to_owned());
        let mut fresh = LogStore::from_records(records.clone());
        assert!(
            fresh.table.blocks_in_order(),
            "a fresh load lays the blocks out in order (searched in one pass per block)"
        );
        let mut replaced = LogStore::from_records(records.clone());
        replaced.extend(records.iter().step_by(3).cloned());
        assert!(
            !replaced.table.blocks_in_order(),
            "replaced records' blocks were appended (searched record by record)"
        );
        for text in [
            "anna",
            "note 1",
            "0",
            "a",
            "ö",
            "pc-",
            "zz",
            "anna note",
            "\"4\"",
            "hidden",
            "HIDDEN",
        ] {
            let filter = LogFilter::text(text);
            fresh.apply(&filter, None);
            replaced.apply(&filter, None);
            assert_eq!(
                fresh.view, replaced.view,
                "{text:?}: the same records match either way"
            );
            let naive = (0..records.len())
                .filter(|&i| {
                    search_words(text).iter().all(|w| {
                        Column::ALL
                            .iter()
                            .filter(|c| c.is_text())
                            .any(|&c| cell(&records[i], c).display().to_lowercase().contains(w))
                    })
                })
                .count();
            assert_eq!(fresh.view.len(), naive, "{text:?}: as the obvious search");
        }
    }

    #[test]
    fn every_text_column_is_interned_or_unique_and_the_others_computed() {
        for c in Column::ALL {
            let stored = match place(c) {
                Place::Dict(k) => DICT_COLUMNS[k] == c,
                Place::Unique(u) => UNIQUE_COLUMNS[u] == c,
                Place::Computed => false,
            };
            assert_eq!(
                stored,
                c.is_text(),
                "{c}: text columns are stored (and searched) as text, the others computed"
            );
        }
        assert_eq!(
            DICT_COLUMNS.len() + UNIQUE_COLUMNS.len(),
            Column::ALL.iter().filter(|c| c.is_text()).count(),
            "each text column is stored once"
        );
    }
}
