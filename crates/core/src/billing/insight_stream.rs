//! [`insight`](super::insight) computed as rows stream in, without a [`BillingRecord`] per
//! connection: the archive hands each row's borrowed fields to an [`InsightBuilder`], which
//! keeps one owned text per distinct key only (a year of a team's connections has ~1,000,000
//! rows but a few thousand users, groups and customers). Same rules as the module
//! [`super::insight`]; [`InsightBuilder::finish`] equals `insight(&records)` of the same rows
//! (tests here and in the archive crate check it on random data).
//!
//! [`BillingRecord`]: super::BillingRecord

use super::insight::{CustomerTotal, DayTotal, GroupTotal, Insight, UserTotal};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rustc_hash::{FxBuildHasher, FxHashMap as HashMap};
use std::borrow::Cow;

/// Owned texts as keys, looked up by `&str` (FxHash: one lookup per row and key).
type TextMap<V> = hashbrown::HashMap<String, V, FxBuildHasher>;

/// One connection's fields as an archive row lends them.
#[derive(Debug, Clone, Copy)]
pub struct InsightRow<'a> {
    /// The report's `id`.
    pub id: &'a str,
    /// Its start.
    pub start: DateTime<Utc>,
    /// Its end (`None` while running).
    pub end: Option<DateTime<Utc>>,
    /// `userid`, `username`, `groupid`, `groupname` as stored.
    pub userid: Option<&'a str>,
    pub username: Option<&'a str>,
    pub groupid: Option<&'a str>,
    pub groupname: Option<&'a str>,
    /// The raw fields of the customer key ([`super::customer_key`]).
    pub email: Option<&'a str>,
    pub name: Option<&'a str>,
    pub devicename: Option<&'a str>,
    pub deviceid: Option<&'a str>,
}

/// Counts of one key; `name` is the latest non-blank name seen, at (`start`, `id`).
#[derive(Debug, Default)]
struct Tally {
    connections: u64,
    seconds: i64,
    /// (name, start, id) of the latest named connection; the strings are reused buffers.
    name: Option<(String, DateTime<Utc>, String)>,
}

impl Tally {
    fn add(&mut self, seconds: i64) {
        self.connections += 1;
        self.seconds += seconds;
    }

    fn name(&mut self, name: Option<&str>, start: DateTime<Utc>, id: &str) {
        let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
            return;
        };
        match &mut self.name {
            None => self.name = Some((name.to_owned(), start, id.to_owned())),
            Some((n, s, i)) => {
                if (start, id) > (*s, i.as_str()) {
                    if n != name {
                        n.clear();
                        n.push_str(name);
                    }
                    *s = start;
                    i.clear();
                    i.push_str(id);
                }
            }
        }
    }

    fn take_name(&mut self) -> Option<String> {
        self.name.take().map(|(n, _, _)| n)
    }
}

/// Tallies per optional text key; the `None` key (missing or blank) kept apart so that a
/// borrowed `&str` looks an owned key up without allocating.
#[derive(Debug, Default)]
struct Keyed {
    some: TextMap<Tally>,
    none: Tally,
}

impl Keyed {
    fn entry(&mut self, key: Option<&str>) -> &mut Tally {
        match key.filter(|v| !v.trim().is_empty()) {
            None => &mut self.none,
            // Copies the key only the first time it is seen.
            Some(k) => self.some.entry_ref(k).or_default(),
        }
    }

    /// (key, tally) pairs, most seconds first, then key ascending (`None` first).
    fn ranked(self) -> Vec<(Option<String>, Tally)> {
        let mut v: Vec<(Option<String>, Tally)> =
            self.some.into_iter().map(|(k, t)| (Some(k), t)).collect();
        if self.none.connections > 0 {
            v.push((None, self.none));
        }
        v.sort_unstable_by(|a, b| b.1.seconds.cmp(&a.1.seconds).then_with(|| a.0.cmp(&b.0)));
        v
    }
}

/// The customer key of the raw fields, borrowed when no lower-casing changes it.
fn customer<'a>(r: &InsightRow<'a>) -> Cow<'a, str> {
    let present = |v: Option<&'a str>| v.map(str::trim).filter(|v| !v.is_empty());
    if let Some(email) = present(r.email) {
        // Lower-casing leaves ASCII text without upper-case letters as it is.
        if email.is_ascii() && !email.bytes().any(|b| b.is_ascii_uppercase()) {
            return Cow::Borrowed(email);
        }
        return Cow::Owned(email.to_lowercase());
    }
    Cow::Borrowed(
        [r.name, r.devicename, r.deviceid]
            .into_iter()
            .find_map(present)
            .unwrap_or_default(),
    )
}

/// Aggregates rows one by one into an [`Insight`].
#[derive(Debug, Default)]
pub struct InsightBuilder {
    connections: u64,
    seconds: i64,
    days: HashMap<NaiveDate, (u64, i64)>,
    /// The day of the last row and its [start, end): rows mostly come in start order.
    last_day: Option<(NaiveDate, DateTime<Utc>, DateTime<Utc>)>,
    users: Keyed,
    groups: Keyed,
    customers: TextMap<(u64, i64)>,
}

impl InsightBuilder {
    /// An empty aggregate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one connection.
    pub fn add(&mut self, r: &InsightRow<'_>) {
        let seconds = r.end.map_or(0, |end| (end - r.start).num_seconds().max(0));
        self.connections += 1;
        self.seconds += seconds;
        let day = match self.last_day {
            Some((day, lo, hi)) if r.start >= lo && r.start < hi => day,
            _ => {
                let day = r.start.date_naive();
                let lo = day.and_time(NaiveTime::MIN).and_utc();
                self.last_day = Some((day, lo, lo + chrono::Duration::days(1)));
                day
            }
        };
        let d = self.days.entry(day).or_default();
        d.0 += 1;
        d.1 += seconds;
        let user = self.users.entry(r.userid);
        user.add(seconds);
        user.name(r.username, r.start, r.id);
        let group = self.groups.entry(r.groupid);
        group.add(seconds);
        group.name(r.groupname, r.start, r.id);
        let c = self.customers.entry_ref(customer(r).as_ref()).or_default();
        c.0 += 1;
        c.1 += seconds;
    }

    /// The aggregates of every row added.
    pub fn finish(self) -> Insight {
        let mut by_day: Vec<DayTotal> = self
            .days
            .into_iter()
            .map(|(date, (connections, seconds))| DayTotal {
                date,
                connections,
                seconds,
            })
            .collect();
        by_day.sort_unstable_by_key(|d| d.date);
        let by_user = self
            .users
            .ranked()
            .into_iter()
            .map(|(userid, mut t)| UserTotal {
                userid,
                username: t.take_name(),
                connections: t.connections,
                seconds: t.seconds,
            })
            .collect();
        let by_group = self
            .groups
            .ranked()
            .into_iter()
            .map(|(groupid, mut t)| GroupTotal {
                groupid,
                groupname: t.take_name(),
                connections: t.connections,
                seconds: t.seconds,
            })
            .collect();
        let mut by_customer: Vec<CustomerTotal> = self
            .customers
            .into_iter()
            .map(|(customer, (connections, seconds))| CustomerTotal {
                customer,
                connections,
                seconds,
            })
            .collect();
        by_customer.sort_unstable_by(|a, b| {
            b.seconds
                .cmp(&a.seconds)
                .then_with(|| a.customer.cmp(&b.customer))
        });
        Insight {
            connections: self.connections,
            seconds: self.seconds,
            by_day,
            by_user,
            by_group,
            by_customer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{customer_key, insight, BillingRecord};
    use super::*;
    use chrono::TimeZone;

    /// A small deterministic generator (xorshift), so that a failure is reproducible.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<'a>(&mut self, v: &[Option<&'a str>]) -> Option<&'a str> {
            v[(self.next() % v.len() as u64) as usize]
        }
    }

    fn row_of(r: &Raw) -> InsightRow<'_> {
        InsightRow {
            id: &r.id,
            start: r.start,
            end: r.end,
            userid: r.f[0].as_deref(),
            username: r.f[1].as_deref(),
            groupid: r.f[2].as_deref(),
            groupname: r.f[3].as_deref(),
            email: r.f[4].as_deref(),
            name: r.f[5].as_deref(),
            devicename: r.f[6].as_deref(),
            deviceid: r.f[7].as_deref(),
        }
    }

    struct Raw {
        id: String,
        start: DateTime<Utc>,
        end: Option<DateTime<Utc>>,
        f: [Option<String>; 8],
    }

    fn random_rows(seed: u64, n: usize) -> Vec<Raw> {
        let mut rng = Rng(seed);
        let base = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let ids = [
            None,
            Some(""),
            Some(" "),
            Some("u1"),
            Some("u2"),
            Some(" u1"),
        ];
        let names = [
            None,
            Some(""),
            Some("  "),
            Some("Jörg"),
            Some("Ann"),
            Some("Bo"),
        ];
        let emails = [
            None,
            Some(""),
            Some("A@x.de"),
            Some("a@x.de"),
            Some(" a@x.de "),
            Some("ÄRGER@m.de"),
            Some("İx@y"),
        ];
        let devs = [None, Some(""), Some("pc-1"), Some("Jörg"), Some("123")];
        (0..n)
            .map(|i| {
                // Few distinct starts: ties on start, decided by id.
                let start = base + chrono::Duration::minutes((rng.next() % 60) as i64 * 97);
                let end = match rng.next() % 5 {
                    0 => None,
                    1 => Some(start - chrono::Duration::seconds(30)),
                    _ => Some(
                        start + chrono::Duration::milliseconds((rng.next() % 9_000_000) as i64),
                    ),
                };
                let f = [
                    rng.pick(&ids),
                    rng.pick(&names),
                    rng.pick(&ids),
                    rng.pick(&names),
                    rng.pick(&emails),
                    rng.pick(&names),
                    rng.pick(&devs),
                    rng.pick(&devs),
                ]
                .map(|v| v.map(str::to_owned));
                Raw {
                    id: format!("id{}", (i * 7919) % n),
                    start,
                    end,
                    f,
                }
            })
            .collect()
    }

    #[test]
    fn the_builder_equals_insight_of_the_records_on_random_rows() {
        for seed in 1..=20u64 {
            let rows = random_rows(
                seed.wrapping_mul(0x9E37_79B9_7F4A_7C15),
                1 + (seed as usize * 97) % 700,
            );
            let records: Vec<BillingRecord> = rows
                .iter()
                .map(|r| BillingRecord {
                    id: r.id.clone(),
                    start: r.start,
                    end: r.end,
                    userid: r.f[0].clone(),
                    username: r.f[1].clone(),
                    groupid: r.f[2].clone(),
                    groupname: r.f[3].clone(),
                    customer: customer_key(
                        r.f[4].as_deref(),
                        r.f[5].as_deref(),
                        r.f[6].as_deref(),
                        r.f[7].as_deref(),
                    ),
                    billing_state: None,
                })
                .collect();
            let mut b = InsightBuilder::new();
            for r in &rows {
                b.add(&row_of(r));
            }
            assert_eq!(
                b.finish(),
                insight(&records),
                "streaming the rows must give exactly billing::insight of their records \
                 (seed {seed}: ties, blanks, running and negative connections included)"
            );
        }
    }

    #[test]
    fn no_rows_is_the_empty_insight() {
        assert_eq!(InsightBuilder::new().finish(), insight(&[]));
    }
}
