//! Compact, column-wise storage of the loaded connection reports (the [`super::LogStore`]'s
//! records).
//!
//! A `ConnectionReport` with its owned `String`s costs over a kilobyte in memory; a log of
//! 1,000,000 records must fit in a few hundred megabytes. So nothing is kept as a struct per
//! record:
//! - the columns whose values repeat (supporter, device, group, type, billing state, currency,
//!   customer, contact) are interned into one [`Dict`] per column: a record keeps a small id per
//!   column ([`Ids`]: one, two or four bytes, widened when the dictionary grows), and each entry
//!   keeps its text once plus its search text (lowercased) when that differs;
//! - dates are seconds since the epoch (`i64`, the nanoseconds in a column allocated only when
//!   a record has any), the fee is hundredths in a `u32` when that gives back the very same
//!   `f64` (otherwise the `f64` is kept aside);
//! - the texts of a record that rarely repeat (id, session code, notes, session note, custom
//!   API data, feedback) are one block of bytes in a shared arena: first the search text of the
//!   id, session code and notes (lowercased, separated by U+001F), then which fields are present
//!   and how the originals differ from their search text (an ASCII text only by upper-case
//!   letters: their positions; otherwise the original itself), then the other texts.
//!
//! [`Table::record`] rebuilds a record exactly as it was pushed (`None` and `""` stay apart).

use super::columns::{push_timestamp, Column, IntText};
use crate::models::{ConnectionReport, EndCustomer, Feedback, ReportSessionType};
use chrono::{DateTime, Utc};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::BuildHasher;

/// Separator between the unique columns' search texts; replaced by a space inside values and
/// filters so a match never spans two columns.
pub(super) const SEP: char = '\u{1f}';
/// The id of a missing value in every dictionary.
pub(super) const MISSING: u32 = 0;
/// A missing date.
const NO_TIME: i64 = i64::MIN;
/// A missing end.
const NO_END: u32 = u32::MAX;
/// An end kept aside (see `Table::far_ends`).
const FAR_END: u32 = u32::MAX - 1;
/// A missing fee.
const NO_FEE: u32 = u32::MAX;
/// A fee kept aside as an `f64` (not a whole number of hundredths).
const EXACT_FEE: u32 = u32::MAX - 1;

/// The interned columns, in the order of [`Table::ids`].
pub(super) const DICT_COLUMNS: [Column; 12] = [
    Column::Userid,
    Column::Username,
    Column::Deviceid,
    Column::Devicename,
    Column::Groupid,
    Column::Groupname,
    Column::SupportSessionType,
    Column::EndCustomerName,
    Column::EndCustomerEmail,
    Column::BillingState,
    Column::Currency,
    Column::ContactId,
];

/// The text columns kept per record in the arena, in the order of their search texts.
#[cfg(test)]
pub(super) const UNIQUE_COLUMNS: [Column; 3] = [Column::Id, Column::SessionCode, Column::Notes];

/// Where a column's value lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// Interned: index into [`DICT_COLUMNS`].
    Dict(usize),
    /// In the record's arena block: index into [`UNIQUE_COLUMNS`].
    Unique(usize),
    /// A date, the duration or the fee: formatted when asked.
    Computed,
}

/// Where `column` is stored.
pub(super) const fn place(column: Column) -> Place {
    match column {
        Column::Userid => Place::Dict(0),
        Column::Username => Place::Dict(1),
        Column::Deviceid => Place::Dict(2),
        Column::Devicename => Place::Dict(3),
        Column::Groupid => Place::Dict(4),
        Column::Groupname => Place::Dict(5),
        Column::SupportSessionType => Place::Dict(6),
        Column::EndCustomerName => Place::Dict(7),
        Column::EndCustomerEmail => Place::Dict(8),
        Column::BillingState => Place::Dict(9),
        Column::Currency => Place::Dict(10),
        Column::ContactId => Place::Dict(11),
        Column::Id => Place::Unique(0),
        Column::SessionCode => Place::Unique(1),
        Column::Notes => Place::Unique(2),
        Column::StartDate | Column::EndDate | Column::DurationSeconds | Column::Fee => {
            Place::Computed
        }
    }
}

/// Appends `text` as search text: separators become spaces, then Unicode lowercase.
pub(super) fn push_search_text(out: &mut Vec<u8>, text: &str) {
    let at = out.len();
    if text.is_ascii() {
        out.extend_from_slice(text.as_bytes());
        for b in &mut out[at..] {
            if *b == SEP as u8 {
                *b = b' ';
            }
        }
        out[at..].make_ascii_lowercase();
    } else {
        let lower = if text.contains(SEP) {
            text.replace(SEP, " ").to_lowercase()
        } else {
            text.to_lowercase()
        };
        out.extend_from_slice(lower.as_bytes());
    }
}

/// One interned column: every distinct text once, with its search text. Entry 0 is the
/// missing value.
pub(super) struct Dict {
    bytes: Vec<u8>,
    /// Entry `e` spans `bytes[ends[e - 1]..ends[e]]` (entry 0: nothing).
    ends: Vec<u32>,
    /// Where entry `e`'s original text ends: the rest of its span, if any, is its search text
    /// (otherwise the original is its own search text).
    splits: Vec<u32>,
    table: hashbrown::HashTable<u32>,
    hasher: std::collections::hash_map::RandomState,
}

impl Default for Dict {
    fn default() -> Self {
        Self {
            bytes: Vec::new(),
            ends: vec![0],
            splits: vec![0],
            table: hashbrown::HashTable::new(),
            hasher: std::collections::hash_map::RandomState::new(),
        }
    }
}

impl Dict {
    /// Number of entries, the missing value included.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.truncate(1);
        self.splits.truncate(1);
        self.table.clear();
    }

    /// Gives spare capacity back and drops the hash table (it is rebuilt by the next
    /// [`Dict::intern`]): a loaded log is searched, not added to, most of the time.
    fn shrink(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.splits.shrink_to_fit();
        self.table = hashbrown::HashTable::new();
    }

    /// Indexes every entry again when the hash table was dropped.
    fn ensure_table(&mut self) {
        let entries = self.ends.len() - 1;
        if self.table.len() == entries {
            return;
        }
        self.table.clear();
        let hasher = &self.hasher;
        let (bytes, ends, splits) = (&self.bytes, &self.ends, &self.splits);
        let hash = |e: u32| hasher.hash_one(original_bytes(bytes, ends, splits, e as usize));
        self.table.reserve(entries, |&e| hash(e));
        for e in 1..=entries as u32 {
            self.table.insert_unique(hash(e), e, |&k| hash(k));
        }
    }

    /// The id of `text` (`None`: [`MISSING`]), added if new.
    pub(super) fn intern(&mut self, text: Option<&str>) -> u32 {
        let Some(text) = text else {
            return MISSING;
        };
        self.ensure_table();
        let hash = self.hasher.hash_one(text.as_bytes());
        let (bytes, ends, splits) = (&self.bytes, &self.ends, &self.splits);
        if let Some(&e) = self.table.find(hash, |&e| {
            e != 0 && original_bytes(bytes, ends, splits, e as usize) == text.as_bytes()
        }) {
            return e;
        }
        let e = self.ends.len() as u32;
        self.bytes.extend_from_slice(text.as_bytes());
        let split = self.bytes.len();
        push_search_text(&mut self.bytes, text);
        if self.bytes[split..] == *text.as_bytes() {
            self.bytes.truncate(split);
        }
        self.splits.push(split as u32);
        self.ends.push(self.bytes.len() as u32);
        let hasher = &self.hasher;
        let (bytes, ends, splits) = (&self.bytes, &self.ends, &self.splits);
        self.table.insert_unique(hash, e, |&k| {
            hasher.hash_one(original_bytes(bytes, ends, splits, k as usize))
        });
        e
    }

    /// The text of entry `e` as it came (`None` for [`MISSING`]).
    pub(super) fn original(&self, e: u32) -> Option<&str> {
        original_of(&self.bytes, &self.ends, &self.splits, e as usize)
    }

    /// The search text of entry `e` (empty for [`MISSING`]).
    pub(super) fn search(&self, e: u32) -> &[u8] {
        let e = e as usize;
        if e == 0 || e >= self.ends.len() {
            return &[];
        }
        let (start, split, end) = (
            self.ends[e - 1] as usize,
            self.splits[e] as usize,
            self.ends[e] as usize,
        );
        if split < end {
            &self.bytes[split..end]
        } else {
            &self.bytes[start..split]
        }
    }

    /// The search text of entry `e` as text.
    pub(super) fn search_str(&self, e: u32) -> &str {
        std::str::from_utf8(self.search(e)).unwrap_or_default()
    }

    /// Which entries' search texts contain `word` (indexed by entry id), found by one pass of
    /// `finder` over all the texts rather than one search per entry.
    pub(super) fn containing(&self, finder: &memchr::memmem::Finder<'_>) -> Vec<bool> {
        let mut flags = vec![false; self.len()];
        let needle = finder.needle().len();
        let mut pos = 0;
        while let Some(hit) = self.bytes.get(pos..).and_then(|rest| finder.find(rest)) {
            let hit = pos + hit;
            // The entry whose span holds the hit's first byte.
            let e = self.ends.partition_point(|&end| end as usize <= hit);
            let Some(&end) = self.ends.get(e) else {
                break;
            };
            let (start, split, end) = (
                self.ends[e - 1] as usize,
                self.splits[e] as usize,
                end as usize,
            );
            let (from, to) = if split < end {
                (split, end)
            } else {
                (start, split)
            };
            if hit >= from && hit + needle <= to {
                flags[e] = true;
                // One hit is enough for the entry.
                pos = end;
            } else if hit < from {
                // In an original that has its own search text after it.
                pos = from;
            } else {
                // Across the end of the entry: search again from the next byte.
                pos = hit + 1;
            }
        }
        flags
    }

    /// The heap bytes held.
    fn heap_bytes(&self) -> usize {
        self.bytes.capacity()
            + 4 * (self.ends.capacity() + self.splits.capacity())
            + self.table.capacity() * 5
    }
}

/// The bytes of entry `e`'s original (empty for [`MISSING`]).
#[inline]
fn original_bytes<'a>(bytes: &'a [u8], ends: &[u32], splits: &[u32], e: usize) -> &'a [u8] {
    if e == 0 || e >= ends.len() {
        return &[];
    }
    bytes
        .get(ends[e - 1] as usize..splits[e] as usize)
        .unwrap_or_default()
}

fn original_of<'a>(bytes: &'a [u8], ends: &[u32], splits: &[u32], e: usize) -> Option<&'a str> {
    if e == 0 || e >= ends.len() {
        return None;
    }
    let start = ends[e - 1] as usize;
    let split = splits[e] as usize;
    bytes
        .get(start..split)
        .and_then(|b| std::str::from_utf8(b).ok())
}

/// Dictionary ids of one column, one per record, as narrow as the dictionary allows.
#[derive(Debug)]
pub(super) enum Ids {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
}

impl Default for Ids {
    fn default() -> Self {
        Ids::U8(Vec::new())
    }
}

impl Ids {
    #[inline(always)]
    pub(super) fn get(&self, i: usize) -> u32 {
        match self {
            Ids::U8(v) => u32::from(v[i]),
            Ids::U16(v) => u32::from(v[i]),
            Ids::U32(v) => v[i],
        }
    }

    /// `hit[j] |= flags[id of record start + j]` over the block.
    pub(super) fn or_flags(&self, start: usize, flags: &[bool], hit: &mut [bool]) {
        let end = start + hit.len();
        let flag = |id: usize| flags.get(id).copied().unwrap_or(false);
        match self {
            Ids::U8(v) => hit
                .iter_mut()
                .zip(&v[start..end])
                .for_each(|(h, &id)| *h |= flag(usize::from(id))),
            Ids::U16(v) => hit
                .iter_mut()
                .zip(&v[start..end])
                .for_each(|(h, &id)| *h |= flag(usize::from(id))),
            Ids::U32(v) => hit
                .iter_mut()
                .zip(&v[start..end])
                .for_each(|(h, &id)| *h |= flag(id as usize)),
        }
    }

    /// `ok[j] &= flags[id of record start + j]` over the block.
    pub(super) fn and_flags(&self, start: usize, flags: &[bool], ok: &mut [bool]) {
        let end = start + ok.len();
        let flag = |id: usize| flags.get(id).copied().unwrap_or(false);
        match self {
            Ids::U8(v) => ok
                .iter_mut()
                .zip(&v[start..end])
                .for_each(|(o, &id)| *o &= flag(usize::from(id))),
            Ids::U16(v) => ok
                .iter_mut()
                .zip(&v[start..end])
                .for_each(|(o, &id)| *o &= flag(usize::from(id))),
            Ids::U32(v) => ok
                .iter_mut()
                .zip(&v[start..end])
                .for_each(|(o, &id)| *o &= flag(id as usize)),
        }
    }

    fn widen(&mut self, id: u32) {
        match self {
            Ids::U8(v) if id > u32::from(u8::MAX) => {
                let wide: Vec<u16> = v.iter().map(|&x| u16::from(x)).collect();
                *self = Ids::U16(wide);
                self.widen(id);
            }
            Ids::U16(v) if id > u32::from(u16::MAX) => {
                *self = Ids::U32(v.iter().map(|&x| u32::from(x)).collect());
            }
            _ => {}
        }
    }

    fn push(&mut self, id: u32) {
        self.widen(id);
        match self {
            Ids::U8(v) => v.push(id as u8),
            Ids::U16(v) => v.push(id as u16),
            Ids::U32(v) => v.push(id),
        }
    }

    fn set(&mut self, i: usize, id: u32) {
        self.widen(id);
        match self {
            Ids::U8(v) => v[i] = id as u8,
            Ids::U16(v) => v[i] = id as u16,
            Ids::U32(v) => v[i] = id,
        }
    }

    fn clear(&mut self) {
        *self = Ids::default();
    }

    fn reserve(&mut self, more: usize) {
        match self {
            Ids::U8(v) => v.reserve(more),
            Ids::U16(v) => v.reserve(more),
            Ids::U32(v) => v.reserve(more),
        }
    }

    fn shrink(&mut self) {
        match self {
            Ids::U8(v) => v.shrink_to_fit(),
            Ids::U16(v) => v.shrink_to_fit(),
            Ids::U32(v) => v.shrink_to_fit(),
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Ids::U8(v) => v.capacity(),
            Ids::U16(v) => 2 * v.capacity(),
            Ids::U32(v) => 4 * v.capacity(),
        }
    }
}

/// Where each record's block starts in the arena: four bytes a record while the arena is under
/// 4 GiB, eight after.
#[derive(Debug)]
enum Offsets {
    U32(Vec<u32>),
    U64(Vec<u64>),
}

impl Default for Offsets {
    fn default() -> Self {
        Offsets::U32(Vec::new())
    }
}

impl Offsets {
    #[inline(always)]
    fn get(&self, i: usize) -> usize {
        match self {
            Offsets::U32(v) => v[i] as usize,
            Offsets::U64(v) => v[i] as usize,
        }
    }

    fn widen(&mut self, at: usize) {
        if let Offsets::U32(v) = self {
            if u32::try_from(at).is_err() {
                *self = Offsets::U64(v.iter().map(|&x| u64::from(x)).collect());
            }
        }
    }

    fn push(&mut self, at: usize) {
        self.widen(at);
        match self {
            Offsets::U32(v) => v.push(at as u32),
            Offsets::U64(v) => v.push(at as u64),
        }
    }

    fn set(&mut self, i: usize, at: usize) {
        self.widen(at);
        match self {
            Offsets::U32(v) => v[i] = at as u32,
            Offsets::U64(v) => v[i] = at as u64,
        }
    }

    fn len(&self) -> usize {
        match self {
            Offsets::U32(v) => v.len(),
            Offsets::U64(v) => v.len(),
        }
    }

    fn clear(&mut self) {
        *self = Offsets::default();
    }

    fn reserve(&mut self, more: usize) {
        match self {
            Offsets::U32(v) => v.reserve(more),
            Offsets::U64(v) => v.reserve(more),
        }
    }

    fn shrink_to_fit(&mut self) {
        match self {
            Offsets::U32(v) => v.shrink_to_fit(),
            Offsets::U64(v) => v.shrink_to_fit(),
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Offsets::U32(v) => 4 * v.capacity(),
            Offsets::U64(v) => 8 * v.capacity(),
        }
    }
}

/// Presence flags of a record's block.
mod flag {
    pub const CODE: u32 = 1;
    pub const NOTES: u32 = 1 << 1;
    pub const SESSION_NOTE: u32 = 1 << 2;
    pub const CUSTOM_API: u32 = 1 << 3;
    pub const FEEDBACK: u32 = 1 << 4;
    pub const RATING: u32 = 1 << 5;
    pub const COMMENT: u32 = 1 << 6;
    pub const CUSTOMER: u32 = 1 << 7;
    /// The original of unique column `u` differs from its search text and follows.
    pub const fn differs(u: usize) -> u32 {
        1 << (8 + u)
    }
    /// The original of unique column `u` is its (ASCII) search text with some letters in
    /// upper case: their positions follow.
    pub const fn cased(u: usize) -> u32 {
        1 << (11 + u)
    }
}

fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a varint at `*at`, advancing it.
#[inline(always)]
fn read_varint(bytes: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    while let Some(&b) = bytes.get(*at) {
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 || shift >= 63 {
            break;
        }
        shift += 7;
    }
    v
}

fn push_text(out: &mut Vec<u8>, text: &str) {
    push_varint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

fn read_text<'a>(bytes: &'a [u8], at: &mut usize) -> &'a str {
    let len = read_varint(bytes, at) as usize;
    let start = *at;
    *at = (start + len).min(bytes.len());
    std::str::from_utf8(&bytes[start..*at]).unwrap_or_default()
}

/// How the original of a unique column is kept.
#[derive(Clone, Copy)]
enum Original<'a> {
    /// It is its search text.
    Same,
    /// Its search text with the letters at these positions (delta-coded varints, `n` of them
    /// in `bytes`) in upper case.
    Cased(usize, &'a [u8]),
    /// Kept as it came.
    Text(&'a str),
}

impl Original<'_> {
    /// The original of `search`.
    fn of<'s>(self, search: &'s str) -> Cow<'s, str>
    where
        Self: 's,
    {
        match self {
            Original::Same => Cow::Borrowed(search),
            Original::Text(t) => Cow::Borrowed(t),
            Original::Cased(n, positions) => {
                let mut bytes = search.as_bytes().to_vec();
                let mut at = 0;
                let mut k = 0usize;
                for _ in 0..n {
                    k += read_varint(positions, &mut at) as usize;
                    if let Some(b) = bytes.get_mut(k) {
                        b.make_ascii_uppercase();
                    }
                }
                Cow::Owned(String::from_utf8(bytes).unwrap_or_default())
            }
        }
    }
}

/// Reads the positions of a [`Original::Cased`] at `*at`.
fn read_cased<'a>(bytes: &'a [u8], at: &mut usize) -> Original<'a> {
    let n = read_varint(bytes, at) as usize;
    let start = *at;
    for _ in 0..n {
        read_varint(bytes, at);
    }
    Original::Cased(n, &bytes[start..*at])
}

/// The decoded block of one record.
struct Block<'a> {
    /// Search texts of the unique columns.
    search: [&'a str; 3],
    flags: u32,
    /// How the originals of the unique columns differ from their search text.
    originals: [Original<'a>; 3],
    session_note: Option<&'a str>,
    custom_api: Option<&'a str>,
    rating: Option<i64>,
    comment: Option<&'a str>,
}

/// The loaded records, column by column.
#[derive(Default)]
pub(super) struct Table {
    /// Per record: start of its block in `arena`.
    at: Offsets,
    arena: Vec<u8>,
    /// Bytes of `arena` no longer referenced (after replacements and edits).
    garbage: usize,
    /// Seconds since the epoch, or [`NO_TIME`].
    start: Vec<i64>,
    /// Seconds from the start to the end, or [`NO_END`] / [`FAR_END`].
    end: Vec<u32>,
    /// Ends (seconds since the epoch) that are not a [`u32`] of seconds after the start.
    far_ends: HashMap<u32, i64>,
    /// Nanoseconds of the dates, allocated once a record has any.
    start_nanos: Option<Vec<u32>>,
    end_nanos: Option<Vec<u32>>,
    /// Hundredths, or [`NO_FEE`] / [`EXACT_FEE`].
    fee: Vec<u32>,
    exact_fees: HashMap<u32, f64>,
    dicts: [Dict; 12],
    ids: [Ids; 12],
    /// The search text of the block being written.
    scratch: Vec<u8>,
}

/// Hundredths that give back exactly `fee`, if any.
fn fee_hundredths(fee: f64) -> Option<u32> {
    let h = (fee * 100.0).round();
    if !(0.0..f64::from(EXACT_FEE)).contains(&h) {
        return None;
    }
    let h = h as u32;
    ((f64::from(h) / 100.0).to_bits() == fee.to_bits()).then_some(h)
}

/// `(seconds, nanoseconds)` of a date.
fn split_time(t: Option<DateTime<Utc>>) -> (i64, u32) {
    t.map_or((NO_TIME, 0), |t| {
        (t.timestamp(), t.timestamp_subsec_nanos())
    })
}

/// The session type back from its interned text (a documented name is its variant; decoding
/// never makes an `Other` with a documented name).
fn session_type(text: &str) -> ReportSessionType {
    for known in [
        ReportSessionType::RemoteConnection,
        ReportSessionType::RemoteSupportActive,
        ReportSessionType::RemoteSupportActiveSdk,
    ] {
        if known.as_str() == text {
            return known;
        }
    }
    ReportSessionType::Other(text.to_owned())
}

impl Table {
    pub(super) fn len(&self) -> usize {
        self.at.len()
    }

    pub(super) fn clear(&mut self) {
        self.at.clear();
        self.arena.clear();
        self.garbage = 0;
        self.start.clear();
        self.end.clear();
        self.far_ends.clear();
        self.start_nanos = None;
        self.end_nanos = None;
        self.fee.clear();
        self.exact_fees.clear();
        for d in &mut self.dicts {
            d.clear();
        }
        for ids in &mut self.ids {
            ids.clear();
        }
    }

    pub(super) fn reserve(&mut self, more: usize) {
        self.at.reserve(more);
        self.start.reserve(more);
        self.end.reserve(more);
        self.fee.reserve(more);
        for ids in &mut self.ids {
            ids.reserve(more);
        }
    }

    /// Gives spare capacity back (after a load).
    pub(super) fn shrink(&mut self) {
        self.at.shrink_to_fit();
        self.arena.shrink_to_fit();
        self.start.shrink_to_fit();
        self.end.shrink_to_fit();
        self.fee.shrink_to_fit();
        for d in &mut self.dicts {
            d.shrink();
        }
        for ids in &mut self.ids {
            ids.shrink();
        }
    }

    /// The heap bytes held (capacities; hash tables estimated).
    pub(super) fn heap_bytes(&self) -> usize {
        self.at.heap_bytes()
            + self.arena.capacity()
            + 8 * self.start.capacity()
            + 4 * self.end.capacity()
            + 16 * self.far_ends.capacity()
            + self.start_nanos.as_ref().map_or(0, |v| 4 * v.capacity())
            + self.end_nanos.as_ref().map_or(0, |v| 4 * v.capacity())
            + 4 * self.fee.capacity()
            + 16 * self.exact_fees.capacity()
            + self.dicts.iter().map(Dict::heap_bytes).sum::<usize>()
            + self.ids.iter().map(Ids::heap_bytes).sum::<usize>()
    }

    /// Appends `r` at position [`Table::len`].
    pub(super) fn push(&mut self, r: &ConnectionReport) {
        let i = self.len();
        self.at.push(0);
        self.start.push(NO_TIME);
        self.end.push(NO_END);
        self.fee.push(NO_FEE);
        for ids in &mut self.ids {
            ids.push(MISSING);
        }
        self.write(i, r);
    }

    /// Replaces the record at position `i` with `r`.
    pub(super) fn replace(&mut self, i: usize, r: &ConnectionReport) {
        self.garbage += self.block_len(i);
        self.write(i, r);
    }

    fn write(&mut self, i: usize, r: &ConnectionReport) {
        let (s, sn) = split_time(r.start_date);
        let (e, en) = split_time(r.end_date);
        self.start[i] = s;
        self.far_ends.remove(&(i as u32));
        self.end[i] = if e == NO_TIME {
            NO_END
        } else {
            match u32::try_from(e.wrapping_sub(s)) {
                Ok(d) if s != NO_TIME && d < FAR_END => d,
                _ => {
                    self.far_ends.insert(i as u32, e);
                    FAR_END
                }
            }
        };
        set_nanos(&mut self.start_nanos, i, self.at.len(), sn);
        set_nanos(&mut self.end_nanos, i, self.at.len(), en);
        self.exact_fees.remove(&(i as u32));
        self.fee[i] = match r.fee {
            None => NO_FEE,
            Some(f) => fee_hundredths(f).unwrap_or_else(|| {
                self.exact_fees.insert(i as u32, f);
                EXACT_FEE
            }),
        };
        let customer = r.end_customer.as_ref();
        let texts: [Option<&str>; 12] = [
            r.userid.as_deref(),
            r.username.as_deref(),
            r.deviceid.as_deref(),
            r.devicename.as_deref(),
            r.groupid.as_deref(),
            r.groupname.as_deref(),
            r.support_session_type
                .as_ref()
                .map(ReportSessionType::as_str),
            customer.and_then(|c| c.name.as_deref()),
            customer.and_then(|c| c.email.as_deref()),
            r.billing_state.as_deref(),
            r.currency.as_deref(),
            r.contact_id.as_deref(),
        ];
        for (k, text) in texts.into_iter().enumerate() {
            let id = self.dicts[k].intern(text);
            self.ids[k].set(i, id);
        }
        self.at.set(i, self.arena.len());
        write_block(&mut self.arena, &mut self.scratch, r);
    }

    /// Sets the notes of record `i`.
    pub(super) fn set_notes(&mut self, i: usize, notes: &str) {
        let mut r = self.record(i);
        r.notes = Some(notes.to_owned());
        self.garbage += self.block_len(i);
        self.at.set(i, self.arena.len());
        write_block(&mut self.arena, &mut self.scratch, &r);
    }

    /// Sets the billing state of record `i`.
    pub(super) fn set_billing_state(&mut self, i: usize, state: &str) {
        let k = dict_index(Column::BillingState);
        let id = self.dicts[k].intern(Some(state));
        self.ids[k].set(i, id);
    }

    fn block_len(&self, i: usize) -> usize {
        let start = self.at.get(i);
        let mut at = start;
        self.skip_block(&mut at);
        at - start
    }

    /// Rewrites the arena without the blocks no longer referenced, once they are a large part.
    pub(super) fn compact_if_needed(&mut self) {
        const MIN_GARBAGE: usize = 1 << 20;
        if self.garbage < MIN_GARBAGE || self.garbage * 2 < self.arena.len() {
            return;
        }
        let mut arena = Vec::with_capacity(self.arena.len() - self.garbage);
        for i in 0..self.len() {
            let start = self.at.get(i);
            let mut end = start;
            self.skip_block(&mut end);
            self.at.set(i, arena.len());
            arena.extend_from_slice(&self.arena[start..end]);
        }
        self.arena = arena;
        self.garbage = 0;
    }

    fn skip_block(&self, at: &mut usize) {
        let hay = read_varint(&self.arena, at) as usize;
        *at += hay;
        let flags = read_varint(&self.arena, at) as u32;
        for u in 0..3 {
            if flags & flag::differs(u) != 0 {
                read_text(&self.arena, at);
            } else if flags & flag::cased(u) != 0 {
                read_cased(&self.arena, at);
            }
        }
        for f in [flag::SESSION_NOTE, flag::CUSTOM_API] {
            if flags & f != 0 {
                read_text(&self.arena, at);
            }
        }
        if flags & flag::RATING != 0 {
            read_varint(&self.arena, at);
        }
        if flags & flag::COMMENT != 0 {
            read_text(&self.arena, at);
        }
    }

    /// The search text of the unique columns of record `i`: id, session code and notes,
    /// lowercased and separated by [`SEP`].
    #[inline(always)]
    pub(super) fn hay(&self, i: usize) -> &[u8] {
        let mut at = self.at.get(i);
        let len = read_varint(&self.arena, &mut at) as usize;
        self.arena.get(at..at + len).unwrap_or_default()
    }

    /// Whether the records' blocks lie in the arena in position order, one after the other (no
    /// record replaced or edited since the load or the last compaction).
    pub(super) fn blocks_in_order(&self) -> bool {
        self.garbage == 0
    }

    /// Sets `found[j]` for the records `start + j` whose unique columns' search text (see
    /// [`Table::hay`]) contains the finder's word, by one search through their blocks instead of
    /// one per record. Only when [`Table::blocks_in_order`].
    pub(super) fn find_in_hays(
        &self,
        start: usize,
        finder: &memchr::memmem::Finder<'_>,
        found: &mut [bool],
    ) {
        let n = found.len();
        if n == 0 {
            return;
        }
        let block_start = |r: usize| {
            if start + r < self.len() {
                self.at.get(start + r)
            } else {
                self.arena.len()
            }
        };
        let to = block_start(n);
        let needle = finder.needle().len();
        let mut pos = block_start(0);
        let mut r = 0;
        while let Some(hit) = self.arena.get(pos..to).and_then(|rest| finder.find(rest)) {
            let hit = pos + hit;
            while r + 1 < n && block_start(r + 1) <= hit {
                r += 1;
            }
            let mut hay = block_start(r);
            let len = read_varint(&self.arena, &mut hay) as usize;
            if hit < hay {
                // In the length before the search text: search on from the next byte.
                pos = hit + 1;
                continue;
            }
            if hit + needle <= hay + len {
                found[r] = true;
            }
            // Found, or past this record's search text: on to the next record.
            pos = block_start(r + 1);
        }
    }

    /// The search text of unique column `u` of record `i`.
    pub(super) fn unique_search(&self, i: usize, u: usize) -> &str {
        let hay = std::str::from_utf8(self.hay(i)).unwrap_or_default();
        hay.split(SEP).nth(u).unwrap_or_default()
    }

    fn block(&self, i: usize) -> Block<'_> {
        let bytes = &self.arena;
        let mut at = self.at.get(i);
        let hay_len = read_varint(bytes, &mut at) as usize;
        let hay = std::str::from_utf8(bytes.get(at..at + hay_len).unwrap_or_default())
            .unwrap_or_default();
        at += hay_len;
        let mut parts = hay.split(SEP);
        let search = [(); 3].map(|()| parts.next().unwrap_or_default());
        let flags = read_varint(bytes, &mut at) as u32;
        let originals = [0, 1, 2].map(|u| {
            if flags & flag::differs(u) != 0 {
                Original::Text(read_text(bytes, &mut at))
            } else if flags & flag::cased(u) != 0 {
                read_cased(bytes, &mut at)
            } else {
                Original::Same
            }
        });
        let mut text_if = |f: u32| (flags & f != 0).then(|| read_text(bytes, &mut at));
        let session_note = text_if(flag::SESSION_NOTE);
        let custom_api = text_if(flag::CUSTOM_API);
        let rating = (flags & flag::RATING != 0).then(|| {
            let z = read_varint(bytes, &mut at);
            ((z >> 1) as i64) ^ -((z & 1) as i64)
        });
        let comment = (flags & flag::COMMENT != 0).then(|| read_text(bytes, &mut at));
        Block {
            search,
            flags,
            originals,
            session_note,
            custom_api,
            rating,
            comment,
        }
    }

    /// The id of record `i`.
    pub(super) fn id(&self, i: usize) -> Cow<'_, str> {
        let b = self.block(i);
        let (original, search) = (b.originals[0], b.search[0]);
        original.of(search)
    }

    /// The id of record `i` as bytes: borrowed when it is its own search text (the usual
    /// case), read without decoding the rest of the block.
    #[inline]
    pub(super) fn id_bytes(&self, i: usize) -> Cow<'_, [u8]> {
        let bytes = &self.arena;
        let mut at = self.at.get(i);
        let hay_len = read_varint(bytes, &mut at) as usize;
        let hay = bytes.get(at..at + hay_len).unwrap_or_default();
        let search = &hay[..memchr::memchr(SEP as u8, hay).unwrap_or(hay.len())];
        at += hay_len;
        let flags = read_varint(bytes, &mut at) as u32;
        if flags & (flag::differs(0) | flag::cased(0)) == 0 {
            Cow::Borrowed(search)
        } else {
            match self.id(i) {
                Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
                Cow::Owned(s) => Cow::Owned(s.into_bytes()),
            }
        }
    }

    /// The dictionary of interned column `k` (see [`DICT_COLUMNS`]).
    pub(super) fn dict(&self, k: usize) -> &Dict {
        &self.dicts[k]
    }

    /// The dictionary ids of interned column `k`.
    pub(super) fn ids(&self, k: usize) -> &Ids {
        &self.ids[k]
    }

    fn time(&self, secs: i64, nanos: &Option<Vec<u32>>, i: usize) -> Option<DateTime<Utc>> {
        if secs == NO_TIME {
            return None;
        }
        let n = nanos.as_ref().map_or(0, |v| v[i]);
        DateTime::from_timestamp(secs, n)
    }

    /// `(seconds, nanoseconds)` of the start of record `i`, `None` when missing.
    #[inline(always)]
    pub(super) fn start_key(&self, i: usize) -> Option<(i64, u32)> {
        let s = self.start[i];
        (s != NO_TIME).then(|| (s, self.start_nanos.as_ref().map_or(0, |v| v[i])))
    }

    /// `(seconds, nanoseconds)` of the end of record `i`, `None` when missing.
    #[inline(always)]
    pub(super) fn end_key(&self, i: usize) -> Option<(i64, u32)> {
        let e = match self.end[i] {
            NO_END => return None,
            FAR_END => *self.far_ends.get(&(i as u32))?,
            d => self.start[i] + i64::from(d),
        };
        Some((e, self.end_nanos.as_ref().map_or(0, |v| v[i])))
    }

    pub(super) fn start_date(&self, i: usize) -> Option<DateTime<Utc>> {
        self.time(self.start[i], &self.start_nanos, i)
    }

    pub(super) fn end_date(&self, i: usize) -> Option<DateTime<Utc>> {
        let (secs, _) = self.end_key(i)?;
        self.time(secs, &self.end_nanos, i)
    }

    /// Duration of record `i` in whole seconds, exactly as
    /// [`ConnectionReport::duration_seconds`].
    #[inline(always)]
    pub(super) fn duration(&self, i: usize) -> Option<i64> {
        let (s, sn) = self.start_key(i)?;
        let (e, en) = self.end_key(i)?;
        if (e, en) < (s, sn) {
            return None;
        }
        if sn < 1_000_000_000 && en < 1_000_000_000 {
            Some(e - s - i64::from(en < sn))
        } else {
            Some((self.end_date(i)? - self.start_date(i)?).num_seconds())
        }
    }

    pub(super) fn fee(&self, i: usize) -> Option<f64> {
        match self.fee[i] {
            NO_FEE => None,
            EXACT_FEE => self.exact_fees.get(&(i as u32)).copied(),
            h => Some(f64::from(h) / 100.0),
        }
    }

    /// Appends the display text of a computed column (dates, duration, fee) of record `i`:
    /// the text shown and exported, which column filters on these columns match.
    pub(super) fn push_computed(&self, i: usize, column: Column, out: &mut String) {
        match column {
            Column::StartDate => {
                if let Some(t) = self.start_date(i) {
                    push_timestamp(out, &t);
                }
            }
            Column::EndDate => {
                if let Some(t) = self.end_date(i) {
                    push_timestamp(out, &t);
                }
            }
            Column::DurationSeconds => {
                if let Some(d) = self.duration(i) {
                    out.push_str(IntText::new(d).as_str());
                }
            }
            Column::Fee => {
                if let Some(f) = self.fee(i).filter(|f| f.is_finite()) {
                    let _ = write!(out, "{f}");
                }
            }
            _ => {}
        }
    }

    /// Record `i`, rebuilt.
    pub(super) fn record(&self, i: usize) -> ConnectionReport {
        let b = self.block(i);
        let unique = |u: usize| -> Option<String> {
            let present = match u {
                0 => true,
                1 => b.flags & flag::CODE != 0,
                _ => b.flags & flag::NOTES != 0,
            };
            present.then(|| b.originals[u].of(b.search[u]).into_owned())
        };
        let text = |k: usize| -> Option<String> {
            self.dicts[k]
                .original(self.ids[k].get(i))
                .map(str::to_owned)
        };
        ConnectionReport {
            id: unique(0).unwrap_or_default(),
            userid: text(0),
            username: text(1),
            deviceid: text(2),
            devicename: text(3),
            groupid: text(4),
            groupname: text(5),
            support_session_type: self.dicts[6].original(self.ids[6].get(i)).map(session_type),
            start_date: self.start_date(i),
            end_date: self.end_date(i),
            fee: self.fee(i),
            currency: text(10),
            billing_state: text(9),
            notes: unique(2),
            contact_id: text(11),
            session_code: unique(1),
            session_note: b.session_note.map(str::to_owned),
            end_customer: (b.flags & flag::CUSTOMER != 0).then(|| EndCustomer {
                name: text(7),
                email: text(8),
            }),
            feedback: (b.flags & flag::FEEDBACK != 0).then(|| Feedback {
                session_rating: b.rating,
                user_comment: b.comment.map(str::to_owned),
            }),
            custom_api: b.custom_api.map(str::to_owned),
        }
    }
}

/// Index of an interned column in [`DICT_COLUMNS`].
pub(super) const fn dict_index(column: Column) -> usize {
    match place(column) {
        Place::Dict(k) => k,
        _ => 0,
    }
}

fn set_nanos(nanos: &mut Option<Vec<u32>>, i: usize, len: usize, n: u32) {
    match nanos {
        Some(v) => {
            v.resize(len, 0);
            v[i] = n;
        }
        None if n != 0 => {
            let mut v = vec![0; len];
            v[i] = n;
            *nanos = Some(v);
        }
        None => {}
    }
}

/// Appends the block of `r` (see the module documentation).
fn write_block(arena: &mut Vec<u8>, hay: &mut Vec<u8>, r: &ConnectionReport) {
    let unique: [Option<&str>; 3] = [
        Some(r.id.as_str()),
        r.session_code.as_deref(),
        r.notes.as_deref(),
    ];
    hay.clear();
    let mut flags = 0u32;
    for (u, text) in unique.iter().enumerate() {
        if u > 0 {
            hay.push(SEP as u8);
        }
        let at = hay.len();
        if let Some(t) = text {
            push_search_text(hay, t);
            if hay[at..] != *t.as_bytes() {
                flags |= if t.is_ascii() && !t.contains(SEP) {
                    flag::cased(u)
                } else {
                    flag::differs(u)
                };
            }
        }
    }
    let set = |flags: &mut u32, f: u32, on: bool| {
        if on {
            *flags |= f;
        }
    };
    set(&mut flags, flag::CODE, r.session_code.is_some());
    set(&mut flags, flag::NOTES, r.notes.is_some());
    set(&mut flags, flag::SESSION_NOTE, r.session_note.is_some());
    set(&mut flags, flag::CUSTOM_API, r.custom_api.is_some());
    set(&mut flags, flag::CUSTOMER, r.end_customer.is_some());
    if let Some(f) = &r.feedback {
        flags |= flag::FEEDBACK;
        set(&mut flags, flag::RATING, f.session_rating.is_some());
        set(&mut flags, flag::COMMENT, f.user_comment.is_some());
    }
    push_varint(arena, hay.len() as u64);
    arena.extend_from_slice(hay);
    push_varint(arena, u64::from(flags));
    for (u, text) in unique.iter().enumerate() {
        let text = text.unwrap_or_default();
        if flags & flag::differs(u) != 0 {
            push_text(arena, text);
        } else if flags & flag::cased(u) != 0 {
            let upper: Vec<usize> = text
                .bytes()
                .enumerate()
                .filter(|(_, b)| b.is_ascii_uppercase())
                .map(|(k, _)| k)
                .collect();
            push_varint(arena, upper.len() as u64);
            let mut last = 0;
            for k in upper {
                push_varint(arena, (k - last) as u64);
                last = k;
            }
        }
    }
    if let Some(t) = &r.session_note {
        push_text(arena, t);
    }
    if let Some(t) = &r.custom_api {
        push_text(arena, t);
    }
    if let Some(f) = &r.feedback {
        if let Some(n) = f.session_rating {
            push_varint(arena, ((n << 1) ^ (n >> 63)) as u64);
        }
        if let Some(t) = &f.user_comment {
            push_text(arena, t);
        }
    }
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("records", &self.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn one_pass_over_a_dictionary_finds_exactly_the_entries_that_contain_the_word(
            texts in proptest::collection::vec("[aAbBäÄ\u{1f} ]{0,5}", 0..40),
            word in "[abä ]{1,3}",
        ) {
            let mut dict = Dict::default();
            for t in &texts {
                dict.intern(Some(t));
            }
            let finder = memchr::memmem::Finder::new(word.as_bytes());
            let naive: Vec<bool> = (0..dict.len() as u32)
                .map(|e| e != 0 && dict.search_str(e).contains(word.as_str()))
                .collect();
            prop_assert_eq!(
                dict.containing(&finder),
                naive,
                "a hit across two entries or in an original with its own search text must not count"
            );
        }
    }

    #[test]
    fn ids_widen_as_the_dictionary_grows() {
        let mut ids = Ids::default();
        ids.push(3);
        ids.push(300);
        ids.push(70_000);
        ids.set(0, 5);
        assert_eq!(
            (ids.get(0), ids.get(1), ids.get(2)),
            (5, 300, 70_000),
            "ids keep their values when the column widens"
        );
        assert!(matches!(ids, Ids::U32(_)), "widened to four bytes");
    }
}
