//! Dates as the log view shows them, so a column filter on a date matches what the cell shows.
//!
//! The grid writes `start_date` in the app language's one date format (`29.11.2026, 14:02`,
//! `29/11/2026, 14:02`) in local time, or in UTC when the supporter switches to it; the CSV and
//! the record detail keep RFC 3339 UTC. The UI sends the format as Intl's own parts
//! ([`TimeDisplay`]); the store renders every record's date with it once (in parallel, cached
//! until the records or the format change), and a filter on a date column is then the same
//! substring search over short texts that every other column filter is.
//!
//! Local time is this computer's time zone (`chrono::Local`): the core runs in the app's own
//! process, next to the webview that formats the cells, so both read the same zone.

use super::columns::Column;
use chrono::{DateTime, Datelike, Local, Offset, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// At most this many parts in a format (Intl writes 9 for a numeric date and time).
const MAX_PARTS: usize = 24;
/// At most this many characters in one literal (Intl writes `", "`, `"/"`, `"."`, `":"`).
const MAX_LITERAL_CHARS: usize = 8;

/// One part of the date-time format the log view shows, named as `Intl.DateTimeFormat`'s
/// `formatToParts` names them. Numbers are written with two digits (the year with four), hours
/// 00–23.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum TimePart {
    /// Day of the month, `01`–`31`.
    Day,
    /// Month, `01`–`12`.
    Month,
    /// Year, `2026`.
    Year,
    /// Hour, `00`–`23`.
    Hour,
    /// Minute, `00`–`59`.
    Minute,
    /// Text between the numbers (`"/"`, `", "`).
    Literal {
        /// The text.
        value: String,
    },
}

/// How the log view shows a date: the parts of its format and the time zone. Column filters on
/// `start_date` and `end_date` match this text (what the cell shows) instead of RFC 3339.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TimeDisplay {
    /// UTC instead of this computer's local time.
    pub utc: bool,
    /// The format, in order. Without a number part (or with more than 24 parts, or a literal
    /// longer than 8 characters) the format is not used: dates then match their RFC 3339 text.
    pub parts: Vec<TimePart>,
}

impl TimeDisplay {
    /// The format `DD.MM.YYYY, hh:mm` (`29.11.2026, 14:02`): `separator` between day, month
    /// and year, `", "` before the time.
    pub fn day_month_year(separator: &str, utc: bool) -> Self {
        let lit = |s: &str| TimePart::Literal {
            value: s.to_owned(),
        };
        Self {
            utc,
            parts: vec![
                TimePart::Day,
                lit(separator),
                TimePart::Month,
                lit(separator),
                TimePart::Year,
                lit(", "),
                TimePart::Hour,
                lit(":"),
                TimePart::Minute,
            ],
        }
    }

    /// Whether the format can be used (see [`TimeDisplay::parts`]).
    pub fn is_usable(&self) -> bool {
        self.parts.len() <= MAX_PARTS
            && self
                .parts
                .iter()
                .any(|p| !matches!(p, TimePart::Literal { .. }))
            && self.parts.iter().all(|p| match p {
                TimePart::Literal { value } => value.chars().count() <= MAX_LITERAL_CHARS,
                _ => true,
            })
    }

    /// Appends `t` as the log view shows it, lowercased (the same writing as the filter's per-record writer).
    pub fn write(&self, t: &DateTime<Utc>, out: &mut Vec<u8>) {
        TimeWriter::new(self).write(t, out);
    }
}

/// Writes dates in one [`TimeDisplay`], lowercased (filters are case-insensitive), converting
/// to local time with a cache of the zone's offset per day, and per quarter hour on a day the
/// offset changes (zones change it at a quarter hour).
pub(crate) struct TimeWriter {
    parts: Vec<TimePart>,
    utc: bool,
    /// UTC offset in seconds by day since the epoch, where the whole day has one.
    days: HashMap<i64, Option<i32>>,
    /// UTC offset by quarter hour, on days the offset changes.
    quarters: HashMap<i64, i32>,
    /// The day asked last and its offset (records come in time order, mostly).
    last: Option<(i64, i32)>,
}

/// Seconds in a quarter hour.
const QUARTER: i64 = 900;
/// Seconds in a day.
const DAY: i64 = 86_400;

/// The offset of this computer's local time from UTC at `secs` since the epoch, in seconds.
fn offset_at(secs: i64) -> Option<i32> {
    DateTime::from_timestamp(secs, 0).map(|at| {
        Local
            .offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc()
    })
}

impl TimeWriter {
    pub(crate) fn new(display: &TimeDisplay) -> Self {
        let parts = display
            .parts
            .iter()
            .map(|p| match p {
                TimePart::Literal { value } => TimePart::Literal {
                    value: value.to_lowercase(),
                },
                other => other.clone(),
            })
            .collect();
        Self {
            parts,
            utc: display.utc,
            days: HashMap::new(),
            quarters: HashMap::new(),
            last: None,
        }
    }

    /// The offset of local time from UTC at `t`, in seconds. Asked of the zone once per day
    /// (at its first and last second: a zone changes its offset at most a few times a year, so
    /// equal ends mean one offset all day) and, on a day it changes, once per quarter hour.
    fn local_offset(&mut self, t: &DateTime<Utc>) -> i32 {
        let secs = t.timestamp();
        let day = secs.div_euclid(DAY);
        if let Some((d, offset)) = self.last {
            if d == day {
                return offset;
            }
        }
        let whole_day = *self.days.entry(day).or_insert_with(|| {
            match (offset_at(day * DAY), offset_at(day * DAY + DAY - 1)) {
                (Some(a), Some(b)) if a == b => Some(a),
                _ => None,
            }
        });
        if let Some(offset) = whole_day {
            self.last = Some((day, offset));
            return offset;
        }
        let quarter = secs.div_euclid(QUARTER);
        if let Some(&offset) = self.quarters.get(&quarter) {
            return offset;
        }
        match (
            offset_at(quarter * QUARTER),
            offset_at(quarter * QUARTER + QUARTER - 1),
        ) {
            (Some(a), Some(b)) if a == b => {
                self.quarters.insert(quarter, a);
                a
            }
            // The offset changes inside this quarter hour: ask for this instant itself.
            _ => offset_at(secs).unwrap_or(0),
        }
    }

    /// Appends `t` in the format, lowercased.
    pub(crate) fn write(&mut self, t: &DateTime<Utc>, out: &mut Vec<u8>) {
        let offset = if self.utc { 0 } else { self.local_offset(t) };
        let shown = t.naive_utc() + chrono::Duration::seconds(i64::from(offset));
        let two = |out: &mut Vec<u8>, v: u32| {
            out.push(b'0' + (v / 10 % 10) as u8);
            out.push(b'0' + (v % 10) as u8);
        };
        for part in &self.parts {
            match part {
                TimePart::Day => two(out, shown.day()),
                TimePart::Month => two(out, shown.month()),
                TimePart::Hour => two(out, shown.hour()),
                TimePart::Minute => two(out, shown.minute()),
                TimePart::Year => match u32::try_from(shown.year()) {
                    Ok(y) if y <= 9999 => {
                        two(out, y / 100);
                        two(out, y % 100);
                    }
                    _ => out.extend_from_slice(shown.year().to_string().as_bytes()),
                },
                TimePart::Literal { value } => out.extend_from_slice(value.as_bytes()),
            }
        }
    }
}

/// Separator after each record's text: never in a search word, so no match spans two records.
pub(crate) const SEP: u8 = 0x1f;

/// Every record's date in one column as the log view shows it (lowercased), by record position:
/// record `i`'s text is `text[ends[i - 1]..ends[i] - 1]` (then [`SEP`]), empty when it has no
/// date.
#[derive(Debug)]
pub(crate) struct TimeTexts {
    pub(crate) column: Column,
    pub(crate) display: TimeDisplay,
    text: Vec<u8>,
    ends: Vec<u32>,
}

impl TimeTexts {
    /// The texts of `records` in `column`, rendered by `threads` threads (each a contiguous
    /// part; the result does not depend on `threads`).
    pub(crate) fn build(
        n: usize,
        date: impl Fn(usize) -> Option<DateTime<Utc>> + Sync,
        column: Column,
        display: &TimeDisplay,
        threads: usize,
    ) -> Self {
        let date = &date;
        let part = |range: std::ops::Range<usize>| {
            let mut writer = TimeWriter::new(display);
            let mut text = Vec::with_capacity(range.len() * 17);
            let mut ends = Vec::with_capacity(range.len());
            for i in range {
                if let Some(t) = date(i) {
                    writer.write(&t, &mut text);
                }
                text.push(SEP);
                ends.push(text.len() as u32);
            }
            (text, ends)
        };
        let pieces: Vec<(Vec<u8>, Vec<u32>)> = if threads <= 1 || n < 2 {
            vec![part(0..n)]
        } else {
            let size = n.div_ceil(threads);
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..n)
                    .step_by(size)
                    .map(|start| {
                        let part = &part;
                        scope.spawn(move || part(start..(start + size).min(n)))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                    })
                    .collect()
            })
        };
        let mut text = Vec::with_capacity(pieces.iter().map(|p| p.0.len()).sum());
        let mut ends = Vec::with_capacity(n);
        for (t, e) in pieces {
            let base = text.len() as u32;
            text.extend_from_slice(&t);
            ends.extend(e.into_iter().map(|end| base + end));
        }
        Self {
            column,
            display: display.clone(),
            text,
            ends,
        }
    }

    /// The text of record `i` (empty when it has no date or is not covered).
    #[inline]
    pub(crate) fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0) as usize
        };
        let end = (self.ends.get(i).copied().unwrap_or(0) as usize).saturating_sub(1);
        self.text.get(start..end).unwrap_or_default()
    }

    /// Number of records covered.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Which records' texts contain every one of `words` (none holding [`SEP`]), found in one
    /// pass per word over all texts together, by `threads` threads (each a contiguous part of
    /// the records; the result does not depend on `threads`).
    pub(crate) fn containing_all(
        &self,
        words: &[memchr::memmem::Finder<'_>],
        threads: usize,
    ) -> Vec<bool> {
        let n = self.ends.len();
        let mut found = vec![false; n];
        if threads <= 1 || n < 2 {
            self.find_in(0, &mut found, words);
            return found;
        }
        let part = n.div_ceil(threads);
        std::thread::scope(|scope| {
            for (k, chunk) in found.chunks_mut(part).enumerate() {
                scope.spawn(move || self.find_in(k * part, chunk, words));
            }
        });
        found
    }

    /// [`TimeTexts::containing_all`] for the records `first..first + out.len()`.
    fn find_in(&self, first: usize, out: &mut [bool], words: &[memchr::memmem::Finder<'_>]) {
        let count = out.len();
        if count == 0 {
            return;
        }
        let start = if first == 0 {
            0
        } else {
            self.ends.get(first - 1).copied().unwrap_or(0) as usize
        };
        let ends = self.ends.get(first..first + count).unwrap_or_default();
        let end = ends.last().copied().unwrap_or(0) as usize;
        let Some(text) = self.text.get(start..end) else {
            return;
        };
        let mut seen = vec![0u16; count];
        for (k, word) in words.iter().enumerate() {
            let len = word.needle().len();
            let mut record = 0usize;
            for at in word.find_iter(text) {
                let at = start + at;
                while record < count && ends[record] as usize <= at {
                    record += 1;
                }
                let Some(&record_end) = ends.get(record) else {
                    break;
                };
                // Once per record and word, and only after every earlier word (AND). A word
                // without the separator cannot span two records; checked all the same.
                if at + len < record_end as usize && usize::from(seen[record]) == k {
                    seen[record] += 1;
                }
            }
        }
        for (flag, seen) in out.iter_mut().zip(seen) {
            *flag = usize::from(seen) == words.len();
        }
    }

    /// Which records' texts equal `value`.
    pub(crate) fn equal_to(&self, value: &[u8]) -> Vec<bool> {
        (0..self.ends.len()).map(|i| self.get(i) == value).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn written(display: &TimeDisplay, t: &str) -> String {
        let mut out = Vec::new();
        display.write(&at(t), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn writes_the_formats_the_app_shows() {
        assert_eq!(
            written(
                &TimeDisplay::day_month_year(".", true),
                "2026-11-29T20:41:34Z"
            ),
            "29.11.2026, 20:41",
            "German, UTC: day first, seconds not shown"
        );
        assert_eq!(
            written(
                &TimeDisplay::day_month_year("/", true),
                "2026-03-05T04:07:59Z"
            ),
            "05/03/2026, 04:07",
            "British English pads day, month, hour and minute"
        );
        let local = TimeDisplay::day_month_year(".", false);
        let t = at("2026-07-01T12:00:00Z");
        let expected = t
            .with_timezone(&Local)
            .format("%d.%m.%Y, %H:%M")
            .to_string();
        assert_eq!(
            written(&local, "2026-07-01T12:00:00Z"),
            expected,
            "local time is this computer's zone, as chrono's Local formats it"
        );
    }

    #[test]
    fn the_offset_cache_gives_what_asking_each_time_gives() {
        // Every quarter hour over two years (DST changes included, in zones that have them),
        // and instants inside a quarter.
        let display = TimeDisplay::day_month_year("/", false);
        let mut writer = TimeWriter::new(&display);
        let start = at("2025-01-01T00:00:00Z").timestamp();
        for k in 0..(2 * 365 * 96) {
            let t = DateTime::from_timestamp(start + k * 900 + (k % 7) * 97, 0).unwrap_or_default();
            let mut out = Vec::new();
            writer.write(&t, &mut out);
            let direct = t
                .with_timezone(&Local)
                .format("%d/%m/%Y, %H:%M")
                .to_string();
            assert_eq!(String::from_utf8(out).unwrap_or_default(), direct, "{t}");
        }
    }

    #[test]
    fn literals_are_lowercased_and_unusable_formats_are_refused() {
        let display = TimeDisplay {
            utc: true,
            parts: vec![
                TimePart::Day,
                TimePart::Literal {
                    value: " UM ".to_owned(),
                },
                TimePart::Hour,
            ],
        };
        assert_eq!(written(&display, "2026-11-29T20:41:34Z"), "29 um 20");
        assert!(display.is_usable());
        assert!(
            !TimeDisplay::default().is_usable(),
            "no parts: RFC 3339 instead"
        );
        let only_text = TimeDisplay {
            utc: true,
            parts: vec![TimePart::Literal {
                value: "x".to_owned(),
            }],
        };
        assert!(!only_text.is_usable(), "a format without a number");
        let long = TimeDisplay {
            utc: true,
            parts: vec![
                TimePart::Day,
                TimePart::Literal {
                    value: "123456789".to_owned(),
                },
            ],
        };
        assert!(!long.is_usable(), "a literal longer than 8 characters");
    }

    #[test]
    fn texts_by_position_do_not_depend_on_threads() {
        let records: Vec<crate::models::ConnectionReport> = (0..1000u32)
            .map(|i| {
                serde_json::from_value(serde_json::json!({
                    "id": format!("r{i}"),
                    "start_date": (i % 9 != 0).then(|| format!("2026-{:02}-{:02}T{:02}:{:02}:00Z", 1 + i % 12, 1 + i % 28, i % 24, i % 60)),
                }))
                .expect("a test record")
            })
            .collect();
        let display = TimeDisplay::day_month_year(".", false);
        let start = |i: usize| records[i].start_date;
        let one = TimeTexts::build(records.len(), start, Column::StartDate, &display, 1);
        assert_eq!(one.len(), records.len());
        assert_eq!(one.get(0), b"", "record 0 has no start date");
        for threads in [2, 3, 8] {
            let many = TimeTexts::build(records.len(), start, Column::StartDate, &display, threads);
            for i in 0..records.len() {
                assert_eq!(many.get(i), one.get(i), "{threads} threads, record {i}");
            }
        }
        assert_eq!(
            one.get(1),
            written(&display, "2026-02-02T01:01:00Z").as_bytes()
        );
        // One search over all texts finds exactly what a search in each record's text finds.
        for typed in [
            vec!["02."],
            vec!["2026", "01:"],
            vec!["1", "0"],
            vec![", 0"],
            vec!["2026, 0", "0"],
            vec!["26."],
            vec!["x"],
        ] {
            let finders: Vec<memchr::memmem::Finder<'_>> = typed
                .iter()
                .map(|w| memchr::memmem::Finder::new(w.as_bytes()))
                .collect();
            for threads in [1, 2, 3, 8] {
                let at_once = one.containing_all(&finders, threads);
                assert_eq!(at_once.len(), records.len());
                for (i, hit) in at_once.iter().enumerate() {
                    let each = finders.iter().all(|f| f.find(one.get(i)).is_some());
                    assert_eq!(*hit, each, "{typed:?}, {threads} threads, record {i}");
                }
            }
        }
        let exact = written(&display, "2026-02-02T01:01:00Z");
        let equal = one.equal_to(exact.as_bytes());
        assert!(equal[1] && !equal[0], "exact value");
    }
}
