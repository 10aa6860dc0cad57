//! The insight dashboard's figures (issue 10 item 5): everything the Insight tab shows for a
//! period, computed in one pass over the period's [`BillingRecord`]s.
//!
//! - Day and week buckets are **local** calendar days and ISO weeks (Monday to Sunday) of the
//!   time zone passed in — the app passes the computer's zone, which the webview shares — because
//!   that is what a supporter means by "Tuesday"; `sdesk insight` counts UTC days (item 5's JSON).
//!   Every day and week of the period is listed, with zeros where nothing happened, so a chart
//!   shows gaps as gaps. A connection counts on the day its start falls on, with all its seconds.
//! - Per supporter, per group and per customer: the shared aggregates of [`super::insight`]
//!   ([`super::insight()`], item 5's rules: seconds descending, then key); the dashboard keeps the ten customers with
//!   the most time and sums the rest as "others".
//! - Billed vs unbilled amount per currency: the period's cases ([`super::build_cases`]); a case
//!   whose connections are all `Billed` counts as billed, any other as unbilled.
//! - Duration distribution over the connections that ended (a running one has no length yet),
//!   in the buckets of [`DURATION_BUCKETS`], and their average.

use super::{build_cases, insight, BillingRecord, CustomerTotal, GroupTotal, Rates, UserTotal};
use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

/// How many customers the dashboard names; the rest are summed as "others".
pub const TOP_CUSTOMERS: usize = 10;

/// Lower bounds (seconds, inclusive) of the duration buckets: under 5 min, 5–15 min, 15–30 min,
/// 30–60 min, 1–2 h, 2 h and more.
pub const DURATION_BUCKETS: [i64; 6] = [0, 5 * 60, 15 * 60, 30 * 60, 60 * 60, 2 * 60 * 60];

/// Connections and time of one day or week.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PeriodTotal {
    /// The day (`2026-12-05`) or ISO week (`2026-W49`).
    pub key: String,
    /// Its first local day inside the period (`YYYY-MM-DD`).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub first_day: NaiveDate,
    /// Its last local day inside the period (a week cut by the period ends with it).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub last_day: NaiveDate,
    /// Connections that started in it.
    pub connections: u64,
    /// Their seconds.
    pub seconds: i64,
}

/// The customers beyond the top ten, summed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OtherCustomers {
    /// How many customers.
    pub customers: u64,
    /// Their connections.
    pub connections: u64,
    /// Their seconds.
    pub seconds: i64,
}

/// Connections whose length falls in one bucket.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DurationBucket {
    /// Lower bound in seconds (inclusive).
    pub min_seconds: i64,
    /// Upper bound in seconds (exclusive); `None` for the last bucket.
    pub max_seconds: Option<i64>,
    /// Connections.
    pub connections: u64,
}

/// The billed and unbilled amount of the period's cases in one currency (decimal strings).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyAmounts {
    /// The currency (`EUR`).
    pub currency: String,
    /// Sum of the cases whose connections are all `Billed`.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    #[serde(with = "rust_decimal::serde::str")]
    pub billed: Decimal,
    /// Sum of the other cases.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    #[serde(with = "rust_decimal::serde::str")]
    pub unbilled: Decimal,
    /// Billed cases.
    pub billed_cases: u64,
    /// Unbilled cases.
    pub unbilled_cases: u64,
}

/// Everything the Insight tab shows for one period.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    /// The period's start (inclusive).
    pub from: DateTime<Utc>,
    /// The period's end (exclusive).
    pub to: DateTime<Utc>,
    /// Connections that started in the period, whatever their billing state.
    pub connections: u64,
    /// Their seconds (end − start; a running connection counts 0).
    pub seconds: i64,
    /// Connections still running (no end).
    pub running: u64,
    /// Average length of the connections that ended, in whole seconds (rounded down); `None`
    /// when none ended.
    pub average_seconds: Option<i64>,
    /// Every local day of the period, in order.
    pub by_day: Vec<PeriodTotal>,
    /// Every ISO week of the period, in order.
    pub by_week: Vec<PeriodTotal>,
    /// Per supporter, most time first.
    pub by_user: Vec<UserTotal>,
    /// Per group, most time first.
    pub by_group: Vec<GroupTotal>,
    /// The ten customers with the most time.
    pub top_customers: Vec<CustomerTotal>,
    /// The other customers, summed.
    pub other_customers: OtherCustomers,
    /// Billed vs unbilled per currency, by currency code.
    pub amounts: Vec<CurrencyAmounts>,
    /// The duration distribution, in the order of [`DURATION_BUCKETS`].
    pub durations: Vec<DurationBucket>,
}

/// The local days `first..=last` of the period `[from, to)` in `zone` (an empty period still
/// has the day of `from`).
fn local_days<Z: TimeZone>(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    zone: &Z,
) -> (NaiveDate, NaiveDate) {
    let first = from.with_timezone(zone).date_naive();
    let last = if to > from {
        (to - chrono::Duration::nanoseconds(1))
            .with_timezone(zone)
            .date_naive()
    } else {
        first
    };
    (first, last)
}

/// The instant a local day starts in `zone` (the earliest, when a DST change repeats midnight;
/// when midnight is skipped, the first instant after the gap).
fn day_start<Z: TimeZone>(day: NaiveDate, zone: &Z) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    match zone.from_local_datetime(&midnight).earliest() {
        Some(t) => t.with_timezone(&Utc),
        // No zone skips more than a few hours; the first whole hour that exists.
        None => (1..=24)
            .filter_map(|h| {
                zone.from_local_datetime(&(midnight + chrono::Duration::hours(h)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc))
            .next()
            .unwrap_or_else(|| midnight.and_utc()),
    }
}

fn iso_week_key(day: NaiveDate) -> String {
    let w = day.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The day and week buckets of the period, filled from the records.
fn calendar<Z: TimeZone>(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    zone: &Z,
    records: &[BillingRecord],
) -> (Vec<PeriodTotal>, Vec<PeriodTotal>) {
    let (first, last) = local_days(from, to, zone);
    let mut days = Vec::new();
    let mut starts = Vec::new();
    let mut day = first;
    while day <= last {
        days.push(PeriodTotal {
            key: day.format("%Y-%m-%d").to_string(),
            first_day: day,
            last_day: day,
            connections: 0,
            seconds: 0,
        });
        starts.push(day_start(day, zone));
        let Some(next) = day.checked_add_days(Days::new(1)) else {
            break;
        };
        day = next;
    }
    // A record's day: the last day that starts at or before it (the boundaries are sorted).
    for r in records {
        let i = starts.partition_point(|s| *s <= r.start);
        if i == 0 {
            continue; // before the period (the archive answers from ≤ start; kept safe)
        }
        let d = &mut days[i - 1];
        d.connections += 1;
        d.seconds += r.seconds();
    }
    let mut weeks: Vec<PeriodTotal> = Vec::new();
    for d in &days {
        let key = iso_week_key(d.first_day);
        match weeks.last_mut() {
            Some(w) if w.key == key => {
                w.last_day = d.last_day;
                w.connections += d.connections;
                w.seconds += d.seconds;
            }
            _ => weeks.push(PeriodTotal { key, ..d.clone() }),
        }
    }
    (days, weeks)
}

/// The duration distribution and the average over the connections that ended.
fn durations(records: &[BillingRecord]) -> (Vec<DurationBucket>, Option<i64>, u64) {
    let mut counts = [0u64; DURATION_BUCKETS.len()];
    let (mut ended, mut sum, mut running) = (0u64, 0i64, 0u64);
    for r in records {
        if r.end.is_none() {
            running += 1;
            continue;
        }
        let s = r.seconds();
        let i = DURATION_BUCKETS.partition_point(|min| *min <= s).max(1) - 1;
        counts[i] += 1;
        ended += 1;
        sum += s;
    }
    let buckets = DURATION_BUCKETS
        .iter()
        .enumerate()
        .map(|(i, min)| DurationBucket {
            min_seconds: *min,
            max_seconds: DURATION_BUCKETS.get(i + 1).copied(),
            connections: counts[i],
        })
        .collect();
    let average = (ended > 0).then(|| sum / ended as i64);
    (buckets, average, running)
}

/// Billed and unbilled amounts of the period's cases per currency, by currency code.
fn amounts(rates: &Rates, records: &[BillingRecord]) -> Vec<CurrencyAmounts> {
    let mut out: Vec<CurrencyAmounts> = Vec::new();
    for case in build_cases(rates, records).cases {
        let i = match out.binary_search_by(|a| a.currency.as_str().cmp(&case.currency)) {
            Ok(i) => i,
            Err(i) => {
                out.insert(
                    i,
                    CurrencyAmounts {
                        currency: case.currency.clone(),
                        billed: Decimal::ZERO,
                        unbilled: Decimal::ZERO,
                        billed_cases: 0,
                        unbilled_cases: 0,
                    },
                );
                i
            }
        };
        let a = &mut out[i];
        if case.is_unbilled() {
            a.unbilled += case.amount;
            a.unbilled_cases += 1;
        } else {
            a.billed += case.amount;
            a.billed_cases += 1;
        }
    }
    out
}

/// The dashboard of the period `[from, to)` over its records (those outside are ignored), with
/// days and weeks in `zone` and amounts by `rates`.
pub fn dashboard<Z: TimeZone>(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    zone: &Z,
    rates: &Rates,
    records: &[BillingRecord],
) -> Dashboard {
    let inside: Vec<BillingRecord>;
    let records = if records.iter().all(|r| r.start >= from && r.start < to) {
        records
    } else {
        inside = records
            .iter()
            .filter(|r| r.start >= from && r.start < to)
            .cloned()
            .collect();
        &inside
    };
    let (by_day, by_week) = calendar(from, to, zone, records);
    let (durations, average_seconds, running) = durations(records);
    let shared = insight(records);
    let mut by_customer = shared.by_customer;
    let rest = by_customer.split_off(by_customer.len().min(TOP_CUSTOMERS));
    let other_customers = OtherCustomers {
        customers: rest.len() as u64,
        connections: rest.iter().map(|c| c.connections).sum(),
        seconds: rest.iter().map(|c| c.seconds).sum(),
    };
    Dashboard {
        from,
        to,
        connections: shared.connections,
        seconds: shared.seconds,
        running,
        average_seconds,
        by_day,
        by_week,
        by_user: shared.by_user,
        by_group: shared.by_group,
        top_customers: by_customer,
        other_customers,
        amounts: amounts(rates, records),
        durations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|e| panic!("test time {s}: {e}"))
    }

    fn rec(
        id: &str,
        start: &str,
        minutes: Option<i64>,
        user: &str,
        group: &str,
        customer: &str,
    ) -> BillingRecord {
        let start = at(start);
        BillingRecord {
            id: id.into(),
            start,
            end: minutes.map(|m| start + chrono::Duration::minutes(m)),
            userid: Some(format!("u{user}")),
            username: Some(format!("User {user}")),
            groupid: Some(format!("g{group}")),
            groupname: Some(format!("Group {group}")),
            customer: customer.into(),
            billing_state: None,
        }
    }

    fn cet() -> FixedOffset {
        FixedOffset::east_opt(3600).unwrap_or_else(|| unreachable!())
    }

    /// Local days Mon 30 Nov – Mon 7 Dec 2026 in UTC+1.
    fn period() -> (DateTime<Utc>, DateTime<Utc>) {
        (at("2026-11-29T23:00:00Z"), at("2026-12-07T23:00:00Z"))
    }

    fn sample() -> Vec<BillingRecord> {
        vec![
            // 23:30 local on 30 Nov.
            rec("a", "2026-11-30T22:30:00Z", Some(10), "1", "1", "x@y"),
            // 00:10 local on 1 Dec, still 30 Nov in UTC: a local day counts it on 1 Dec.
            rec("b", "2026-11-30T23:10:00Z", Some(20), "2", "1", "x@y"),
            rec("c", "2026-12-07T10:00:00Z", Some(90), "1", "2", "pc-7"),
            rec("d", "2026-12-03T09:00:00Z", None, "2", "2", "pc-7"),
            rec("e", "2026-12-03T12:00:00Z", Some(3), "1", "1", "Jörg"),
        ]
    }

    #[test]
    fn days_are_local_and_every_day_is_listed() {
        let (from, to) = period();
        let d = dashboard(from, to, &cet(), &Rates::default(), &sample());
        let days: Vec<(&str, u64, i64)> = d
            .by_day
            .iter()
            .map(|p| (p.key.as_str(), p.connections, p.seconds))
            .collect();
        assert_eq!(
            days,
            vec![
                ("2026-11-30", 1, 600),
                ("2026-12-01", 1, 1200),
                ("2026-12-02", 0, 0),
                ("2026-12-03", 2, 180),
                ("2026-12-04", 0, 0),
                ("2026-12-05", 0, 0),
                ("2026-12-06", 0, 0),
                ("2026-12-07", 1, 5400),
            ],
            "8 local days in order, empty ones as zeros; b (00:10 local) on 1 Dec; the running d counts 0 s"
        );
        assert_eq!((d.connections, d.seconds, d.running), (5, 7380, 1));
    }

    #[test]
    fn weeks_are_iso_weeks_cut_by_the_period() {
        let (from, to) = period();
        let d = dashboard(from, to, &cet(), &Rates::default(), &sample());
        let weeks: Vec<(&str, String, String, u64, i64)> = d
            .by_week
            .iter()
            .map(|w| {
                (
                    w.key.as_str(),
                    w.first_day.to_string(),
                    w.last_day.to_string(),
                    w.connections,
                    w.seconds,
                )
            })
            .collect();
        assert_eq!(
            weeks,
            vec![
                (
                    "2026-W49",
                    "2026-11-30".into(),
                    "2026-12-06".into(),
                    4,
                    1980
                ),
                (
                    "2026-W50",
                    "2026-12-07".into(),
                    "2026-12-07".into(),
                    1,
                    5400
                ),
            ],
            "Monday 30 Nov starts W49; the period ends on Monday 7 Dec, so W50 has one day"
        );
    }

    #[test]
    fn a_connection_at_local_midnight_opens_the_new_day() {
        let (from, to) = period();
        let r = rec("m", "2026-12-01T23:00:00Z", Some(1), "1", "1", "c");
        let d = dashboard(from, to, &cet(), &Rates::default(), &[r]);
        let day = d
            .by_day
            .iter()
            .find(|p| p.connections == 1)
            .map(|p| p.key.clone());
        assert_eq!(
            day.as_deref(),
            Some("2026-12-02"),
            "00:00 local belongs to the day it opens"
        );
    }

    #[test]
    fn records_outside_the_period_are_ignored() {
        let (from, to) = period();
        let mut records = sample();
        records.push(rec(
            "early",
            "2026-11-29T22:59:59Z",
            Some(5),
            "1",
            "1",
            "x@y",
        ));
        records.push(rec(
            "late",
            "2026-12-07T23:00:00Z",
            Some(5),
            "1",
            "1",
            "x@y",
        ));
        let d = dashboard(from, to, &cet(), &Rates::default(), &records);
        assert_eq!(
            d.connections, 5,
            "from ≤ start < to: both extra records are outside"
        );
        assert_eq!(d.by_day.iter().map(|p| p.connections).sum::<u64>(), 5);
    }

    #[test]
    fn durations_and_average_over_ended_connections() {
        let (from, to) = period();
        let d = dashboard(from, to, &cet(), &Rates::default(), &sample());
        let counts: Vec<(i64, Option<i64>, u64)> = d
            .durations
            .iter()
            .map(|b| (b.min_seconds, b.max_seconds, b.connections))
            .collect();
        assert_eq!(
            counts,
            vec![
                (0, Some(300), 1),    // e: 3 min
                (300, Some(900), 1),  // a: 10 min
                (900, Some(1800), 1), // b: 20 min
                (1800, Some(3600), 0),
                (3600, Some(7200), 1), // c: 90 min
                (7200, None, 0),
            ],
            "each ended connection in one bucket; the running d in none"
        );
        assert_eq!(
            d.average_seconds,
            Some(1845),
            "(600 + 1200 + 5400 + 180) / 4 ended"
        );
    }

    #[test]
    fn bucket_bounds_are_inclusive_below() {
        let (from, to) = period();
        let exact = |secs: i64| {
            let mut r = rec("x", "2026-12-02T10:00:00Z", None, "1", "1", "c");
            r.end = Some(r.start + chrono::Duration::seconds(secs));
            r
        };
        let d = dashboard(
            from,
            to,
            &cet(),
            &Rates::default(),
            &[exact(299), exact(300), exact(7200)],
        );
        let counts: Vec<u64> = d.durations.iter().map(|b| b.connections).collect();
        assert_eq!(
            counts,
            vec![1, 1, 0, 0, 0, 1],
            "299 s < 5 min; 300 s is 5–15 min; 2 h is the last bucket"
        );
    }

    #[test]
    fn no_connection_has_no_average() {
        let (from, to) = period();
        let d = dashboard(from, to, &cet(), &Rates::default(), &[]);
        assert_eq!(
            d.average_seconds, None,
            "nothing ended: no average rather than 0"
        );
        assert_eq!(d.by_day.len(), 8, "the empty period still lists its days");
        assert!(d.durations.iter().all(|b| b.connections == 0));
    }

    #[test]
    fn supporters_and_groups_by_time_then_key() {
        let (from, to) = period();
        let d = dashboard(from, to, &cet(), &Rates::default(), &sample());
        let users: Vec<(Option<&str>, u64, i64)> = d
            .by_user
            .iter()
            .map(|u| (u.userid.as_deref(), u.connections, u.seconds))
            .collect();
        assert_eq!(users, vec![(Some("u1"), 3, 6180), (Some("u2"), 2, 1200)]);
        let groups: Vec<(Option<&str>, u64, i64)> = d
            .by_group
            .iter()
            .map(|g| (g.groupid.as_deref(), g.connections, g.seconds))
            .collect();
        assert_eq!(groups, vec![(Some("g2"), 2, 5400), (Some("g1"), 3, 1980)]);
    }

    #[test]
    fn top_ten_customers_and_the_rest_as_others() {
        let (from, to) = period();
        // Customer k has k minutes; c01 and c02 are the smallest and go to "others".
        let mut records: Vec<BillingRecord> = (1..=12)
            .map(|k| {
                rec(
                    &format!("r{k}"),
                    "2026-12-02T10:00:00Z",
                    Some(k),
                    "1",
                    "1",
                    &format!("c{k:02}"),
                )
            })
            .collect();
        // A tie with c12 (12 min in two connections): the key decides, c12 before c13.
        records.push(rec("t1", "2026-12-02T11:00:00Z", Some(6), "1", "1", "c13"));
        records.push(rec("t2", "2026-12-02T12:00:00Z", Some(6), "1", "1", "c13"));
        let d = dashboard(from, to, &cet(), &Rates::default(), &records);
        let top: Vec<&str> = d
            .top_customers
            .iter()
            .map(|c| c.customer.as_str())
            .collect();
        assert_eq!(
            top,
            vec!["c12", "c13", "c11", "c10", "c09", "c08", "c07", "c06", "c05", "c04"]
        );
        assert_eq!(
            d.other_customers,
            OtherCustomers {
                customers: 3,
                connections: 3,
                seconds: (1 + 2 + 3) * 60
            },
            "c01, c02, c03 summed"
        );
    }

    fn money(text: &str) -> Decimal {
        text.parse()
            .unwrap_or_else(|e| panic!("test amount {text}: {e}"))
    }

    #[test]
    fn amounts_split_billed_and_unbilled_cases_per_currency() {
        let (from, to) = period();
        let mut records = sample();
        // a (x@y, 10 min) is billed; b (x@y, 20 min, 30 min after a ended) is a case of its own.
        records[0].billing_state = Some("Billed".into());
        let rates = Rates::from_toml(
            r#"
            merge_within_minutes = 10
            [default]
            name = "Standard"
            hourly_rate = "90.00"
            currency = "EUR"
            minimum_minutes = 15
            increment_minutes = 15
            free_under_seconds = 60
            [[group]]
            groupid = "g2"
            name = "Premium"
            hourly_rate = "120.00"
            currency = "CHF"
            base_fee = "5.00"
            minimum_minutes = 30
            increment_minutes = 15
            "#,
        )
        .unwrap_or_else(|e| panic!("test rates: {e}"));
        let d = dashboard(from, to, &cet(), &rates, &records);
        let amounts: Vec<(&str, Decimal, u64, Decimal, u64)> = d
            .amounts
            .iter()
            .map(|a| {
                (
                    a.currency.as_str(),
                    a.billed,
                    a.billed_cases,
                    a.unbilled,
                    a.unbilled_cases,
                )
            })
            .collect();
        assert_eq!(
            amounts,
            vec![
                // c: 90 min at 120/h + 5 base; the running d is no case.
                ("CHF", money("0"), 0, money("185.00"), 1),
                // a: 15 min = 22.50 billed; b: 30 min = 45.00 and e: 3 min → 15 min = 22.50 not yet.
                ("EUR", money("22.50"), 1, money("67.50"), 2),
            ],
            "one entry per currency, by code; a case counts as billed only when all its connections are"
        );
    }

    #[test]
    fn a_case_with_one_connection_not_billed_is_unbilled() {
        let (from, to) = period();
        // Two connections 5 minutes apart: one case; only the first is billed.
        let mut first = rec("p", "2026-12-02T10:00:00Z", Some(10), "1", "1", "c");
        first.billing_state = Some("Billed".into());
        let second = rec("q", "2026-12-02T10:15:00Z", Some(10), "1", "1", "c");
        let d = dashboard(from, to, &cet(), &Rates::default(), &[first, second]);
        assert_eq!(d.amounts.len(), 1);
        let a = &d.amounts[0];
        assert_eq!(
            (a.billed_cases, a.unbilled_cases, a.unbilled),
            (0, 1, money("45.00")),
            "20 min of connections → 30 min at 90/h = 45.00, all of it unbilled"
        );
    }
}
