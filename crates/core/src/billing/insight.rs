//! Where the time goes: connections and their seconds over a period, in total and per UTC day,
//! supporter, group and customer (issue 10, item 5; `sdesk insight` prints it, the Insight tab
//! draws it).
//!
//! The rules, exactly:
//! - every connection handed in counts, whatever its billing state (the caller picks the
//!   period: [`crate::desk::ArchiveStore::billing_records`] gives those with
//!   `from` ≤ start < `to`);
//! - a connection's seconds are end − start in whole seconds ([`BillingRecord::seconds`]: 0
//!   without an end, or when the end is before the start), all counted on the UTC day of its
//!   start, even when it runs past midnight;
//! - `by_user` is keyed by `userid`, `by_group` by `groupid` (a missing or blank id is `null`:
//!   no user, no group); the name shown with a key is the name on that key's latest connection
//!   (latest start, then greatest id) that has a non-blank name, else `null`;
//! - `by_customer` is keyed by the customer key of billing ([`crate::billing::customer_key`]);
//! - `by_day` is in date order (only days with connections); the other lists by seconds
//!   descending, then by key ascending (`null` first).

use super::BillingRecord;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::Hash;

/// The aggregates of a period; serialises to exactly the JSON of issue 10, item 5.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Insight {
    /// Connections in the period.
    pub connections: u64,
    /// Their seconds, summed.
    pub seconds: i64,
    /// Per UTC day of the start, in date order.
    pub by_day: Vec<DayTotal>,
    /// Per supporter, most seconds first.
    pub by_user: Vec<UserTotal>,
    /// Per group, most seconds first.
    pub by_group: Vec<GroupTotal>,
    /// Per customer, most seconds first.
    pub by_customer: Vec<CustomerTotal>,
}

/// One UTC day.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTotal {
    /// `YYYY-MM-DD`.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub date: NaiveDate,
    /// Connections that started that day.
    pub connections: u64,
    /// Their seconds (all of them, also those after midnight).
    pub seconds: i64,
}

/// One supporter.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserTotal {
    /// The account id (`null`: connections without one).
    pub userid: Option<String>,
    /// The name on the latest of these connections that has one.
    pub username: Option<String>,
    /// Connections.
    pub connections: u64,
    /// Their seconds.
    pub seconds: i64,
}

/// One group.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupTotal {
    /// The group id (`null`: devices in no group).
    pub groupid: Option<String>,
    /// The name on the latest of these connections that has one.
    pub groupname: Option<String>,
    /// Connections.
    pub connections: u64,
    /// Their seconds.
    pub seconds: i64,
}

/// One customer.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerTotal {
    /// The customer key (`""`: connections with no customer field at all).
    pub customer: String,
    /// Connections.
    pub connections: u64,
    /// Their seconds.
    pub seconds: i64,
}

/// Counts of one key while aggregating; `name` is the latest non-blank name seen, `at` where.
struct Tally<'a> {
    connections: u64,
    seconds: i64,
    name: Option<(&'a str, DateTime<Utc>, &'a str)>,
}

impl<'a> Tally<'a> {
    fn new() -> Self {
        Tally {
            connections: 0,
            seconds: 0,
            name: None,
        }
    }

    fn add(&mut self, seconds: i64) {
        self.connections += 1;
        self.seconds += seconds;
    }

    /// Keeps `name` when it is non-blank and its connection is later (start, then id).
    fn name(&mut self, name: Option<&'a str>, r: &'a BillingRecord) {
        let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
            return;
        };
        let later = self
            .name
            .is_none_or(|(_, start, id)| (r.start, r.id.as_str()) > (start, id));
        if later {
            self.name = Some((name, r.start, r.id.as_str()));
        }
    }
}

/// An id as a key: a missing or blank one is `None`.
fn key(id: Option<&str>) -> Option<&str> {
    id.filter(|v| !v.trim().is_empty())
}

/// The tallies of `map`, most seconds first, then by key.
fn ranked<K: Ord + Hash + Eq, T>(
    map: HashMap<K, Tally<'_>>,
    mut make: impl FnMut(K, Tally<'_>) -> T,
) -> Vec<T> {
    let mut v: Vec<(K, Tally<'_>)> = map.into_iter().collect();
    v.sort_unstable_by(|a, b| b.1.seconds.cmp(&a.1.seconds).then_with(|| a.0.cmp(&b.0)));
    v.into_iter().map(|(k, t)| make(k, t)).collect()
}

/// The aggregates of `records` (see the module's rules).
pub fn insight(records: &[BillingRecord]) -> Insight {
    let mut days: HashMap<NaiveDate, Tally<'_>> = HashMap::new();
    let mut users: HashMap<Option<&str>, Tally<'_>> = HashMap::new();
    let mut groups: HashMap<Option<&str>, Tally<'_>> = HashMap::new();
    let mut customers: HashMap<&str, Tally<'_>> = HashMap::new();
    let mut total = Tally::new();
    // Records mostly come in start order: the day of the last one is usually the day again.
    let mut last_day: Option<(NaiveDate, DateTime<Utc>, DateTime<Utc>)> = None;
    for r in records {
        let seconds = r.seconds();
        total.add(seconds);
        let day = match last_day {
            Some((day, lo, hi)) if r.start >= lo && r.start < hi => day,
            _ => {
                let day = r.start.date_naive();
                let lo = day.and_time(chrono::NaiveTime::MIN).and_utc();
                last_day = Some((day, lo, lo + chrono::Duration::days(1)));
                day
            }
        };
        days.entry(day).or_insert_with(Tally::new).add(seconds);
        let user = users
            .entry(key(r.userid.as_deref()))
            .or_insert_with(Tally::new);
        user.add(seconds);
        user.name(r.username.as_deref(), r);
        let group = groups
            .entry(key(r.groupid.as_deref()))
            .or_insert_with(Tally::new);
        group.add(seconds);
        group.name(r.groupname.as_deref(), r);
        customers
            .entry(r.customer.as_str())
            .or_insert_with(Tally::new)
            .add(seconds);
    }
    let mut by_day: Vec<DayTotal> = days
        .into_iter()
        .map(|(date, t)| DayTotal {
            date,
            connections: t.connections,
            seconds: t.seconds,
        })
        .collect();
    by_day.sort_unstable_by_key(|d| d.date);
    let name = |t: &Tally<'_>| t.name.map(|(n, _, _)| n.to_owned());
    Insight {
        connections: total.connections,
        seconds: total.seconds,
        by_day,
        by_user: ranked(users, |k, t| UserTotal {
            userid: k.map(str::to_owned),
            username: name(&t),
            connections: t.connections,
            seconds: t.seconds,
        }),
        by_group: ranked(groups, |k, t| GroupTotal {
            groupid: k.map(str::to_owned),
            groupname: name(&t),
            connections: t.connections,
            seconds: t.seconds,
        }),
        by_customer: ranked(customers, |k, t| CustomerTotal {
            customer: k.to_owned(),
            connections: t.connections,
            seconds: t.seconds,
        }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[allow(clippy::too_many_arguments)]
    fn rec(
        id: &str,
        start: &str,
        end: Option<&str>,
        user: (Option<&str>, Option<&str>),
        group: (Option<&str>, Option<&str>),
        customer: &str,
        state: Option<&str>,
    ) -> BillingRecord {
        BillingRecord {
            id: id.into(),
            start: t(start),
            end: end.map(t),
            userid: user.0.map(Into::into),
            username: user.1.map(Into::into),
            groupid: group.0.map(Into::into),
            groupname: group.1.map(Into::into),
            customer: customer.into(),
            billing_state: state.map(Into::into),
        }
    }

    #[test]
    fn hand_computed_period_gives_exactly_item_5s_json() {
        let anna = (Some("u1"), Some("Anna"));
        let ben = (Some("u2"), Some("Ben"));
        let g = (Some("g1"), Some("Kunden"));
        let records = vec![
            // 30 min, Billed: counted like any other.
            rec(
                "a",
                "2026-11-02T09:00:00Z",
                Some("2026-11-02T09:30:00Z"),
                anna,
                g,
                "x@example.com",
                Some("Billed"),
            ),
            // Runs past midnight: all 2 h on its start's day.
            rec(
                "b",
                "2026-11-02T23:00:00Z",
                Some("2026-11-03T01:00:00Z"),
                ben,
                (None, None),
                "x@example.com",
                Some("DoNotBill"),
            ),
            // Running: a connection of 0 seconds.
            rec("c", "2026-11-03T08:00:00Z", None, anna, g, "PC-7", None),
            // 10 min 59.9 s: 659 whole seconds. Anna's later name wins; a blank group id is
            // "no group", and the blank group name does not replace "Kunden".
            rec(
                "d",
                "2026-11-04T10:00:00Z",
                Some("2026-11-04T10:10:59.900Z"),
                (Some("u1"), Some("Anna Schmidt")),
                (Some(" "), Some(" ")),
                "PC-7",
                Some("Bill"),
            ),
        ];
        let got = serde_json::to_value(insight(&records)).unwrap();
        let want = json!({
            "connections": 4,
            "seconds": 1800 + 7200 + 659,
            "by_day": [
                {"date": "2026-11-02", "connections": 2, "seconds": 9000},
                {"date": "2026-11-03", "connections": 1, "seconds": 0},
                {"date": "2026-11-04", "connections": 1, "seconds": 659},
            ],
            "by_user": [
                {"userid": "u2", "username": "Ben", "connections": 1, "seconds": 7200},
                {"userid": "u1", "username": "Anna Schmidt", "connections": 3, "seconds": 2459},
            ],
            "by_group": [
                {"groupid": null, "groupname": null, "connections": 2, "seconds": 7859},
                {"groupid": "g1", "groupname": "Kunden", "connections": 2, "seconds": 1800},
            ],
            "by_customer": [
                {"customer": "x@example.com", "connections": 2, "seconds": 9000},
                {"customer": "PC-7", "connections": 2, "seconds": 659},
            ],
        });
        assert_eq!(
            got, want,
            "the exact keys, values and orders of issue 10, item 5"
        );
    }

    #[test]
    fn ties_are_ordered_by_key_and_nothing_gives_empty_lists() {
        let one = |id: &str, user: &str, customer: &str| {
            rec(
                id,
                "2026-11-02T09:00:00Z",
                Some("2026-11-02T09:01:00Z"),
                (Some(user), None),
                (None, None),
                customer,
                None,
            )
        };
        let got = insight(&[one("1", "u9", "zed"), one("2", "u1", "")]);
        let users: Vec<_> = got.by_user.iter().map(|u| u.userid.as_deref()).collect();
        assert_eq!(users, [Some("u1"), Some("u9")], "equal seconds: by userid");
        let customers: Vec<_> = got
            .by_customer
            .iter()
            .map(|c| c.customer.as_str())
            .collect();
        assert_eq!(customers, ["", "zed"], "equal seconds: by customer key");
        assert_eq!(got.by_user[0].username, None, "no name at all stays null");
        assert_eq!(
            serde_json::to_value(insight(&[])).unwrap(),
            json!({"connections": 0, "seconds": 0, "by_day": [], "by_user": [],
                   "by_group": [], "by_customer": []}),
        );
    }

    // ---- the brute-force comparison ----

    /// The aggregates recomputed the naive way: each key's totals by filtering all records.
    fn naive(records: &[BillingRecord]) -> Insight {
        let secs = |r: &BillingRecord| match r.end {
            Some(end) if end > r.start => (end - r.start).num_seconds(),
            _ => 0,
        };
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
        let id_key = |v: &Option<String>| if blank(v) { None } else { v.clone() };
        let latest_name =
            |rs: &[&BillingRecord], get: &dyn Fn(&BillingRecord) -> Option<String>| {
                rs.iter()
                    .filter(|r| !blank(&get(r)))
                    .max_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)))
                    .and_then(|r| get(r))
            };
        fn distinct<K: Ord + Clone>(keys: impl Iterator<Item = K>) -> Vec<K> {
            let mut v: Vec<K> = keys.collect();
            v.sort();
            v.dedup();
            v
        }
        let by_day = distinct(records.iter().map(|r| r.start.date_naive()))
            .into_iter()
            .map(|date| {
                let rs: Vec<_> = records
                    .iter()
                    .filter(|r| r.start.date_naive() == date)
                    .collect();
                DayTotal {
                    date,
                    connections: rs.len() as u64,
                    seconds: rs.iter().map(|r| secs(r)).sum(),
                }
            })
            .collect();
        let rank = |v: &mut Vec<(Option<String>, i64)>| {
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        };
        let mut users: Vec<(Option<String>, i64)> =
            distinct(records.iter().map(|r| id_key(&r.userid)))
                .into_iter()
                .map(|k| {
                    let s = records
                        .iter()
                        .filter(|r| id_key(&r.userid) == k)
                        .map(secs)
                        .sum();
                    (k, s)
                })
                .collect();
        rank(&mut users);
        let by_user = users
            .into_iter()
            .map(|(k, seconds)| {
                let rs: Vec<_> = records.iter().filter(|r| id_key(&r.userid) == k).collect();
                UserTotal {
                    username: latest_name(&rs, &|r| r.username.clone()),
                    userid: k,
                    connections: rs.len() as u64,
                    seconds,
                }
            })
            .collect();
        let mut groups: Vec<(Option<String>, i64)> =
            distinct(records.iter().map(|r| id_key(&r.groupid)))
                .into_iter()
                .map(|k| {
                    let s = records
                        .iter()
                        .filter(|r| id_key(&r.groupid) == k)
                        .map(secs)
                        .sum();
                    (k, s)
                })
                .collect();
        rank(&mut groups);
        let by_group = groups
            .into_iter()
            .map(|(k, seconds)| {
                let rs: Vec<_> = records.iter().filter(|r| id_key(&r.groupid) == k).collect();
                GroupTotal {
                    groupname: latest_name(&rs, &|r| r.groupname.clone()),
                    groupid: k,
                    connections: rs.len() as u64,
                    seconds,
                }
            })
            .collect();
        let mut customers: Vec<(Option<String>, i64)> =
            distinct(records.iter().map(|r| r.customer.clone()))
                .into_iter()
                .map(|k| {
                    let s = records.iter().filter(|r| r.customer == k).map(secs).sum();
                    (Some(k), s)
                })
                .collect();
        rank(&mut customers);
        let by_customer = customers
            .into_iter()
            .map(|(k, seconds)| {
                let k = k.unwrap_or_default();
                CustomerTotal {
                    connections: records.iter().filter(|r| r.customer == k).count() as u64,
                    customer: k,
                    seconds,
                }
            })
            .collect();
        Insight {
            connections: records.len() as u64,
            seconds: records.iter().map(secs).sum(),
            by_day,
            by_user,
            by_group,
            by_customer,
        }
    }

    fn opt(pool: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
        prop::option::of(prop::sample::select(pool).prop_map(str::to_owned))
    }

    prop_compose! {
        fn record()(
            id in 0u32..40,
            // Three days and a bit, in seconds and milliseconds: midnights and ties happen.
            start_ms in 0i64..(3 * 86_400_000 + 5_000),
            len_ms in prop::option::of(-600_000i64..4 * 3_600_000),
            userid in opt(&["u1", "u2", "u3", "", " "]),
            username in opt(&["Anna", "Ben", "", "  "]),
            groupid in opt(&["g1", "g2", ""]),
            groupname in opt(&["Kunden", "Premium", " "]),
            customer in prop::sample::select(&["", "a@x.de", "PC-1", "PC-2", "Jörg"][..]),
            state in opt(&["Bill", "Billed", "DoNotBill"]),
        ) -> BillingRecord {
            let start = t("2026-10-31T22:00:00Z") + chrono::Duration::milliseconds(start_ms);
            BillingRecord {
                id: format!("r{id}"),
                start,
                end: len_ms.map(|l| start + chrono::Duration::milliseconds(l)),
                userid,
                username,
                groupid,
                groupname,
                customer: customer.to_owned(),
                billing_state: state,
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn insight_equals_the_brute_force_computation(
            records in prop::collection::vec(record(), 0..60)
        ) {
            prop_assert_eq!(insight(&records), naive(&records));
        }
    }
}
