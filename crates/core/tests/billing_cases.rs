#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The billing rules of issue 10 item 2 against hand-computed cases: every expected figure is
//! worked out in the comment beside it, from the rule in docs/billing.md, not from the code.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use sdesk_core::billing::{
    build_cases, customer_key, price_case, BillingCase, BillingRecord, ExclusionReason, GroupRate,
    Rate, Rates,
};
use std::str::FromStr;

/// 2026-11-03 at `hh:mm:ss` UTC.
fn at(time: &str) -> DateTime<Utc> {
    let parts: Vec<u32> = time.split(':').map(|p| p.parse().unwrap()).collect();
    Utc.with_ymd_and_hms(2026, 11, 3, parts[0], parts[1], parts[2])
        .unwrap()
}

/// A connection of `customer` from `start` to `end` (`None`: running), default group, state `Bill`.
fn conn(id: &str, customer: &str, start: &str, end: Option<&str>) -> BillingRecord {
    BillingRecord {
        id: id.into(),
        start: at(start),
        end: end.map(at),
        userid: Some("u1".into()),
        username: Some("Jörg Müller".into()),
        groupid: None,
        groupname: None,
        customer: customer.into(),
        billing_state: Some("Bill".into()),
    }
}

fn in_group(mut r: BillingRecord, groupid: Option<&str>, groupname: Option<&str>) -> BillingRecord {
    r.groupid = groupid.map(Into::into);
    r.groupname = groupname.map(Into::into);
    r
}

fn state(mut r: BillingRecord, state: Option<&str>) -> BillingRecord {
    r.billing_state = state.map(Into::into);
    r
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn rate(
    name: &str,
    hourly: &str,
    currency: &str,
    base: &str,
    min: u32,
    inc: u32,
    free: u32,
) -> Rate {
    Rate {
        name: name.into(),
        hourly_rate: dec(hourly),
        currency: currency.into(),
        base_fee: dec(base),
        minimum_minutes: min,
        increment_minutes: inc,
        free_under_seconds: free,
    }
}

/// The issue's example: merge 10; Standard 90.00 EUR, no base fee, minimum 15, increment 15,
/// free under 60 s; Premium (groupid g100002) 120.00 EUR, base fee 5.00, minimum 30,
/// increment 15, free under 60 s.
fn issue_rates() -> Rates {
    Rates {
        merge_within_minutes: 10,
        default: rate("Standard", "90.00", "EUR", "0.00", 15, 15, 60),
        groups: vec![GroupRate {
            groupid: Some("g100002".into()),
            groupname: None,
            rate: rate("Premium", "120.00", "EUR", "5.00", 30, 15, 60),
        }],
    }
}

/// What one case must be.
struct Expect {
    customer: &'static str,
    ids: &'static [&'static str],
    seconds: i64,
    minutes: i64,
    rate: &'static str,
    currency: &'static str,
    amount: &'static str,
}

fn check(label: &str, cases: &[BillingCase], expected: &[Expect]) {
    let got: Vec<_> = cases
        .iter()
        .map(|c| {
            (
                c.customer.as_str(),
                c.connection_ids
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
                c.billable_seconds,
                c.billable_minutes,
                c.rate_name.as_str(),
                c.currency.as_str(),
                c.amount.to_string(),
            )
        })
        .collect();
    let want: Vec<_> = expected
        .iter()
        .map(|e| {
            (
                e.customer,
                e.ids.to_vec(),
                e.seconds,
                e.minutes,
                e.rate,
                e.currency,
                e.amount.to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got, want,
        "{label}: (customer, ids, billable_seconds, billable_minutes, rate, currency, amount)"
    );
}

#[test]
fn table_of_hand_computed_cases() {
    let std = issue_rates();
    // A second rate table: minutes count one by one, nothing free, cheap rates to hit the cents.
    let fine = |hourly: &str, merge: u32| Rates {
        merge_within_minutes: merge,
        default: rate("Fine", hourly, "EUR", "0.00", 0, 1, 0),
        groups: vec![],
    };
    let table: Vec<(&str, Rates, Vec<BillingRecord>, Vec<Expect>)> = vec![
        (
            // 20 min = 1200 s; ⌈1200 / 60 / 15⌉ = ⌈1.33⌉ = 2 → 30 min; 30 × 90.00 / 60 = 45.00.
            "one connection, increment rounds up",
            std.clone(),
            vec![conn("a", "acme", "09:00:00", Some("09:20:00"))],
            vec![Expect {
                customer: "acme",
                ids: &["a"],
                seconds: 1200,
                minutes: 30,
                rate: "Standard",
                currency: "EUR",
                amount: "45.00",
            }],
        ),
        (
            // 61 s: ⌈61 / 900⌉ = 1 → 15 min = the minimum; 15 × 90 / 60 = 22.50.
            "just above free, billed the minimum",
            std.clone(),
            vec![conn("a", "acme", "09:00:00", Some("09:01:01"))],
            vec![Expect {
                customer: "acme",
                ids: &["a"],
                seconds: 61,
                minutes: 15,
                rate: "Standard",
                currency: "EUR",
                amount: "22.50",
            }],
        ),
        (
            // 09:00–09:10 and 09:15–09:20: the second starts 5 min after the case's end ≤ 10 →
            // one case; union 600 + 300 = 900 s → ⌈900/900⌉ = 1 → 15 min → 22.50.
            "reconnect within the window merges",
            std.clone(),
            vec![
                conn("a", "acme", "09:00:00", Some("09:10:00")),
                conn("b", "acme", "09:15:00", Some("09:20:00")),
            ],
            vec![Expect {
                customer: "acme",
                ids: &["a", "b"],
                seconds: 900,
                minutes: 15,
                rate: "Standard",
                currency: "EUR",
                amount: "22.50",
            }],
        ),
        (
            // Second starts at 09:20:00 = end 09:10 + 10 min exactly: "≤" joins. 600 + 60 = 660 s
            // → ⌈660/900⌉ = 1 → 15 min → 22.50.
            "start exactly at the end of the window merges",
            std.clone(),
            vec![
                conn("a", "acme", "09:00:00", Some("09:10:00")),
                conn("b", "acme", "09:20:00", Some("09:21:00")),
            ],
            vec![Expect {
                customer: "acme",
                ids: &["a", "b"],
                seconds: 660,
                minutes: 15,
                rate: "Standard",
                currency: "EUR",
                amount: "22.50",
            }],
        ),
        (
            // Second starts 09:20:01, one second past the window: two cases of 600 s and 60 s,
            // each 15 min (minimum) → 22.50 each.
            "one second past the window opens a new case",
            std.clone(),
            vec![
                conn("a", "acme", "09:00:00", Some("09:10:00")),
                conn("b", "acme", "09:20:01", Some("09:21:01")),
            ],
            vec![
                Expect {
                    customer: "acme",
                    ids: &["a"],
                    seconds: 600,
                    minutes: 15,
                    rate: "Standard",
                    currency: "EUR",
                    amount: "22.50",
                },
                Expect {
                    customer: "acme",
                    ids: &["b"],
                    seconds: 60,
                    minutes: 15,
                    rate: "Standard",
                    currency: "EUR",
                    amount: "22.50",
                },
            ],
        ),
        (
            // a 09:00–09:30, b 09:10–09:20 inside a, c 09:25–09:40 overlapping a's end: union
            // 09:00–09:40 = 2400 s (not 1800 + 600 + 900 = 3300) → ⌈2400/900⌉ = 3 → 45 min →
            // 45 × 90 / 60 = 67.50.
            "overlapping connections count once",
            std.clone(),
            vec![
                conn("a", "acme", "09:00:00", Some("09:30:00")),
                conn("b", "acme", "09:10:00", Some("09:20:00")),
                conn("c", "acme", "09:25:00", Some("09:40:00")),
            ],
            vec![Expect {
                customer: "acme",
                ids: &["a", "b", "c"],
                seconds: 2400,
                minutes: 45,
                rate: "Standard",
                currency: "EUR",
                amount: "67.50",
            }],
        ),
        (
            // Back to back: 09:00–09:15 and 09:15–09:30 → union 1800 s → 2 × 15 = 30 min → 45.00.
            "back-to-back connections",
            std.clone(),
            vec![
                conn("a", "acme", "09:00:00", Some("09:15:00")),
                conn("b", "acme", "09:15:00", Some("09:30:00")),
            ],
            vec![Expect {
                customer: "acme",
                ids: &["a", "b"],
                seconds: 1800,
                minutes: 30,
                rate: "Standard",
                currency: "EUR",
                amount: "45.00",
            }],
        ),
        (
            // The window compares with the case's latest end so far (10:00 from a), not the
            // last connection's (09:10 from b): c at 10:05 ≤ 10:00 + 10 joins. Union
            // 09:00–10:00 + 10:05–10:06 = 3600 + 60 = 3660 s → ⌈3660/900⌉ = ⌈4.07⌉ = 5 → 75 min
            // → 75 × 90 / 60 = 112.50.
            "merge window from the latest end so far",
            std.clone(),
            vec![
                conn("a", "acme", "09:00:00", Some("10:00:00")),
                conn("b", "acme", "09:05:00", Some("09:10:00")),
                conn("c", "acme", "10:05:00", Some("10:06:00")),
            ],
            vec![Expect {
                customer: "acme",
                ids: &["a", "b", "c"],
                seconds: 3660,
                minutes: 75,
                rate: "Standard",
                currency: "EUR",
                amount: "112.50",
            }],
        ),
        (
            // 59 s < 60: free (excluded); 60 s is not shorter than 60: billed, 15 min → 22.50.
            // The free one is 30 min before, outside any window of the billed one anyway.
            "free under 60 seconds, 60 seconds billed",
            std.clone(),
            vec![
                conn("free", "acme", "08:00:00", Some("08:00:59")),
                conn("paid", "acme", "09:00:00", Some("09:01:00")),
            ],
            vec![Expect {
                customer: "acme",
                ids: &["paid"],
                seconds: 60,
                minutes: 15,
                rate: "Standard",
                currency: "EUR",
                amount: "22.50",
            }],
        ),
        (
            // DoNotBill and running connections are in no case; the Bill one alone: 1200 s →
            // 30 min → 45.00. (The DoNotBill one would otherwise have merged: 5 min gap.)
            "DoNotBill and running left out",
            std.clone(),
            vec![
                state(
                    conn("dnb", "acme", "08:50:00", Some("08:55:00")),
                    Some("DoNotBill"),
                ),
                conn("a", "acme", "09:00:00", Some("09:20:00")),
                conn("run", "acme", "09:25:00", None),
            ],
            vec![Expect {
                customer: "acme",
                ids: &["a"],
                seconds: 1200,
                minutes: 30,
                rate: "Standard",
                currency: "EUR",
                amount: "45.00",
            }],
        ),
        (
            // Premium by groupid: 40 min = 2400 s → ⌈2400/900⌉ = 3 → 45 min ≥ minimum 30;
            // 5.00 + 45 × 120.00 / 60 = 5.00 + 90.00 = 95.00.
            "group by id with base fee",
            std.clone(),
            vec![in_group(
                conn("a", "acme", "09:00:00", Some("09:40:00")),
                Some("g100002"),
                Some("Other"),
            )],
            vec![Expect {
                customer: "acme",
                ids: &["a"],
                seconds: 2400,
                minutes: 45,
                rate: "Premium",
                currency: "EUR",
                amount: "95.00",
            }],
        ),
        (
            // Premium minimum: 10 min → ⌈600/900⌉ = 1 → 15 min < minimum 30 → 30 min;
            // 5.00 + 30 × 120 / 60 = 65.00.
            "group minimum",
            std.clone(),
            vec![in_group(
                conn("a", "acme", "09:00:00", Some("09:10:00")),
                Some("g100002"),
                None,
            )],
            vec![Expect {
                customer: "acme",
                ids: &["a"],
                seconds: 600,
                minutes: 30,
                rate: "Premium",
                currency: "EUR",
                amount: "65.00",
            }],
        ),
        (
            // A case's rate is its first connection's: a (Premium) 09:00–09:10, b (default)
            // 09:12–09:20 joins (2 min gap). Union 600 + 480 = 1080 s → ⌈1.2⌉ = 2 → 30 min ≥ 30;
            // Premium: 5.00 + 30 × 120 / 60 = 65.00.
            "case priced at its first connection's rate",
            std.clone(),
            vec![
                conn("b", "acme", "09:12:00", Some("09:20:00")),
                in_group(
                    conn("a", "acme", "09:00:00", Some("09:10:00")),
                    Some("g100002"),
                    None,
                ),
            ],
            vec![Expect {
                customer: "acme",
                ids: &["a", "b"],
                seconds: 1080,
                minutes: 30,
                rate: "Premium",
                currency: "EUR",
                amount: "65.00",
            }],
        ),
        (
            // Increment 1, minimum 0: 16 min 1 s = 961 s → ⌈961/60⌉ = 17 min;
            // 17 × 90.00 / 60 = 25.50.
            "increment of one minute",
            fine("90.00", 10),
            vec![conn("a", "acme", "09:00:00", Some("09:16:01"))],
            vec![Expect {
                customer: "acme",
                ids: &["a"],
                seconds: 961,
                minutes: 17,
                rate: "Fine",
                currency: "EUR",
                amount: "25.50",
            }],
        ),
        (
            // Exactly half a cent: 1 min × 0.30 / 60 = 0.005 → half-up 0.01 (banker's rounding
            // would give 0.00).
            "half a cent rounds up",
            fine("0.30", 10),
            vec![conn("a", "acme", "09:00:00", Some("09:01:00"))],
            vec![Expect {
                customer: "acme",
                ids: &["a"],
                seconds: 60,
                minutes: 1,
                rate: "Fine",
                currency: "EUR",
                amount: "0.01",
            }],
        ),
        (
            // 0.015: 1 min × 0.90 / 60 = 0.015 → 0.02; 3 min × 0.10 / 60 = 0.005 → 0.01;
            // 1 min × 0.29 / 60 = 0.004833… → 0.00. Three customers so nothing merges.
            "rounding on both sides of half a cent",
            Rates {
                merge_within_minutes: 10,
                default: rate("Fine", "0.29", "EUR", "0.00", 0, 1, 0),
                groups: vec![
                    GroupRate {
                        groupid: Some("n90".into()),
                        groupname: None,
                        rate: rate("N90", "0.90", "EUR", "0.00", 0, 1, 0),
                    },
                    GroupRate {
                        groupid: Some("n10".into()),
                        groupname: None,
                        rate: rate("N10", "0.10", "EUR", "0.00", 0, 1, 0),
                    },
                ],
            },
            vec![
                in_group(
                    conn("a", "a", "09:00:00", Some("09:01:00")),
                    Some("n90"),
                    None,
                ),
                in_group(
                    conn("b", "b", "09:00:00", Some("09:03:00")),
                    Some("n10"),
                    None,
                ),
                conn("c", "c", "09:00:00", Some("09:01:00")),
            ],
            vec![
                Expect {
                    customer: "a",
                    ids: &["a"],
                    seconds: 60,
                    minutes: 1,
                    rate: "N90",
                    currency: "EUR",
                    amount: "0.02",
                },
                Expect {
                    customer: "b",
                    ids: &["b"],
                    seconds: 180,
                    minutes: 3,
                    rate: "N10",
                    currency: "EUR",
                    amount: "0.01",
                },
                Expect {
                    customer: "c",
                    ids: &["c"],
                    seconds: 60,
                    minutes: 1,
                    rate: "Fine",
                    currency: "EUR",
                    amount: "0.00",
                },
            ],
        ),
        (
            // Several currencies: group "Schweiz" by name (matched case-insensitively as
            // "SCHWEIZ") bills CHF 150.00/h, minimum 15: 20 min → 30 min → 75.00 CHF; the other
            // customer the default 20 min → 45.00 EUR. Sorted by customer: "basel" < "berlin".
            "several currencies, group by name ignoring case",
            Rates {
                groups: vec![GroupRate {
                    groupid: None,
                    groupname: Some("Schweiz".into()),
                    rate: rate("Schweiz", "150.00", "CHF", "0.00", 15, 15, 60),
                }],
                ..issue_rates()
            },
            vec![
                conn("e", "berlin", "09:00:00", Some("09:20:00")),
                in_group(
                    conn("c", "basel", "09:00:00", Some("09:20:00")),
                    Some("g9"),
                    Some("SCHWEIZ"),
                ),
            ],
            vec![
                Expect {
                    customer: "basel",
                    ids: &["c"],
                    seconds: 1200,
                    minutes: 30,
                    rate: "Schweiz",
                    currency: "CHF",
                    amount: "75.00",
                },
                Expect {
                    customer: "berlin",
                    ids: &["e"],
                    seconds: 1200,
                    minutes: 30,
                    rate: "Standard",
                    currency: "EUR",
                    amount: "45.00",
                },
            ],
        ),
        (
            // First match wins: groupid g100002 matches the first group (Premium) although its
            // name matches the second ("Cheap"). 20 min → 30 min ≥ 30; 5 + 30 × 120 / 60 = 65.00.
            "first matching group wins",
            Rates {
                groups: vec![
                    issue_rates().groups[0].clone(),
                    GroupRate {
                        groupid: None,
                        groupname: Some("cheap".into()),
                        rate: rate("Cheap", "10.00", "EUR", "0.00", 0, 1, 0),
                    },
                ],
                ..issue_rates()
            },
            vec![in_group(
                conn("a", "acme", "09:00:00", Some("09:20:00")),
                Some("g100002"),
                Some("Cheap"),
            )],
            vec![Expect {
                customer: "acme",
                ids: &["a"],
                seconds: 1200,
                minutes: 30,
                rate: "Premium",
                currency: "EUR",
                amount: "65.00",
            }],
        ),
        (
            // merge_within_minutes = 0 never merges, not even overlapping connections:
            // 09:00–09:20 and 09:10–09:30 → two cases of 1200 s → 30 min → 45.00 each.
            "merge 0 never merges",
            Rates {
                merge_within_minutes: 0,
                ..issue_rates()
            },
            vec![
                conn("a", "acme", "09:00:00", Some("09:20:00")),
                conn("b", "acme", "09:10:00", Some("09:30:00")),
            ],
            vec![
                Expect {
                    customer: "acme",
                    ids: &["a"],
                    seconds: 1200,
                    minutes: 30,
                    rate: "Standard",
                    currency: "EUR",
                    amount: "45.00",
                },
                Expect {
                    customer: "acme",
                    ids: &["b"],
                    seconds: 1200,
                    minutes: 30,
                    rate: "Standard",
                    currency: "EUR",
                    amount: "45.00",
                },
            ],
        ),
        (
            // Key fallbacks (customer_key): "Anna@Example.com" and "anna@example.com" are one
            // customer (e-mail lower-cased) and merge (5 min gap): 600 + 600 = 1200 s → 30 min →
            // 45.00. A name-only customer and a device-only one are separate customers; 10 min
            // each → 15 min → 22.50. Sorted by bytes, upper case first: "PC-7" < "Zoe" <
            // "anna@example.com".
            "customer keys: e-mail lower-cased, then name, then device",
            std.clone(),
            vec![
                conn(
                    "a1",
                    &customer_key(
                        Some("Anna@Example.com"),
                        Some("Anna"),
                        Some("pc-1"),
                        Some("1"),
                    ),
                    "09:00:00",
                    Some("09:10:00"),
                ),
                conn(
                    "a2",
                    &customer_key(Some("anna@example.com"), None, Some("pc-2"), Some("2")),
                    "09:15:00",
                    Some("09:25:00"),
                ),
                conn(
                    "z",
                    &customer_key(None, Some("Zoe"), Some("pc-3"), Some("3")),
                    "09:00:00",
                    Some("09:10:00"),
                ),
                conn(
                    "d",
                    &customer_key(None, None, Some("PC-7"), Some("7")),
                    "09:00:00",
                    Some("09:10:00"),
                ),
            ],
            vec![
                Expect {
                    customer: "PC-7",
                    ids: &["d"],
                    seconds: 600,
                    minutes: 15,
                    rate: "Standard",
                    currency: "EUR",
                    amount: "22.50",
                },
                Expect {
                    customer: "Zoe",
                    ids: &["z"],
                    seconds: 600,
                    minutes: 15,
                    rate: "Standard",
                    currency: "EUR",
                    amount: "22.50",
                },
                Expect {
                    customer: "anna@example.com",
                    ids: &["a1", "a2"],
                    seconds: 1200,
                    minutes: 30,
                    rate: "Standard",
                    currency: "EUR",
                    amount: "45.00",
                },
            ],
        ),
    ];
    for (label, rates, records, expected) in table {
        let report = build_cases(&rates, &records);
        check(label, &report.cases, &expected);
        // Any order of the same records gives the same cases.
        let mut reversed = records.clone();
        reversed.reverse();
        check(
            &format!("{label} (records reversed)"),
            &build_cases(&rates, &reversed).cases,
            &expected,
        );
    }
}

#[test]
fn exclusions_are_listed_with_their_reason() {
    // free_under_seconds is the connection's own rate's: 120 s is billable by default (60) but
    // free in group "slow" (300).
    let rates = Rates {
        groups: vec![GroupRate {
            groupid: Some("slow".into()),
            groupname: None,
            rate: rate("Slow", "60.00", "EUR", "0.00", 0, 1, 300),
        }],
        ..issue_rates()
    };
    let records = vec![
        conn("run", "b", "09:00:00", None),
        state(
            conn("dnb", "a", "09:00:00", Some("09:30:00")),
            Some("DoNotBill"),
        ),
        state(conn("dnb-run", "a", "10:00:00", None), Some("DoNotBill")),
        in_group(
            conn("free-slow", "a", "11:00:00", Some("11:02:00")),
            Some("slow"),
            None,
        ),
        conn("paid-default", "c", "11:00:00", Some("11:02:00")),
        conn("free-default", "c", "08:00:00", Some("08:00:30")),
    ];
    let report = build_cases(&rates, &records);
    let excluded: Vec<_> = report
        .excluded
        .iter()
        .map(|e| (e.id.as_str(), e.customer.as_str(), e.seconds, e.reason))
        .collect();
    assert_eq!(
        excluded,
        vec![
            ("dnb", "a", 1800, ExclusionReason::NotBillable),
            ("dnb-run", "a", 0, ExclusionReason::NotBillable),
            ("free-slow", "a", 120, ExclusionReason::Free),
            ("run", "b", 0, ExclusionReason::Running),
            ("free-default", "c", 30, ExclusionReason::Free),
        ],
        "DoNotBill before running before free, each by customer then start; free by the \
         connection's own group rate"
    );
    assert_eq!(
        report
            .cases
            .iter()
            .map(|c| c.connection_ids.concat())
            .collect::<Vec<_>>(),
        vec!["paid-default"],
        "120 s is billed at the default rate (free under 60)"
    );
}

#[test]
fn unbilled_ids_are_the_connections_not_billed() {
    let rates = issue_rates();
    let records = vec![
        state(
            conn("billed", "acme", "09:00:00", Some("09:10:00")),
            Some("Billed"),
        ),
        state(conn("missing", "acme", "09:12:00", Some("09:20:00")), None),
        state(
            conn("bill", "acme", "09:22:00", Some("09:30:00")),
            Some("Bill"),
        ),
        state(
            conn("done", "zed", "09:00:00", Some("09:10:00")),
            Some("Billed"),
        ),
    ];
    let cases = build_cases(&rates, &records).cases;
    assert_eq!(cases.len(), 2, "acme's three merge; zed has one case");
    assert_eq!(
        cases[0].unbilled_ids,
        vec!["missing", "bill"],
        "a missing state counts as Bill; Billed is not unbilled"
    );
    assert!(
        cases[0].is_unbilled(),
        "a case with any unbilled connection is unbilled"
    );
    assert!(
        cases[1].unbilled_ids.is_empty() && !cases[1].is_unbilled(),
        "a case whose connections are all Billed is billed"
    );
}

#[test]
fn price_case_prices_exactly_the_given_connections() {
    let rates = issue_rates();
    // Far apart (2 h): build_cases makes two cases; a manual merge prices them as one.
    let a = in_group(
        conn("a", "acme", "09:00:00", Some("09:20:00")),
        Some("g100002"),
        None,
    );
    let b = conn("b", "acme", "11:00:00", Some("11:20:00"));
    // Given in reverse: the rate is still a's (first by start): Premium. Union 1200 + 1200 =
    // 2400 s → ⌈2400/900⌉ = 3 → 45 min; 5.00 + 45 × 120 / 60 = 95.00.
    let case = price_case(&rates, "acme", &[&b, &a]);
    assert_eq!(case.connection_ids, vec!["a", "b"], "ids by start");
    assert_eq!(case.billable_seconds, 2400);
    assert_eq!(case.billable_minutes, 45);
    assert_eq!(case.rate_name, "Premium");
    assert_eq!(case.amount.to_string(), "95.00");
    assert_eq!((case.start, case.end), (at("09:00:00"), at("11:20:00")));
    // The same connections through build_cases: two cases, as the rule says.
    assert_eq!(build_cases(&rates, &[a.clone(), b.clone()]).cases.len(), 2);
    // Split: b alone is a default case: 20 min → 30 min → 45.00.
    assert_eq!(
        price_case(&rates, "acme", &[&b]).amount.to_string(),
        "45.00"
    );
    // Nothing: amount 0.00, no ids.
    let empty = price_case(&rates, "acme", &[]);
    assert!(empty.connection_ids.is_empty() && empty.amount.to_string() == "0.00");
}

#[test]
fn amounts_always_have_two_decimal_places() {
    // hourly "90" (no decimals), increment 60: 30 min → ⌈1800/3600⌉ = 1 → 60 min;
    // 60 × 90 / 60 = 90 → written 90.00.
    let rates = Rates {
        merge_within_minutes: 10,
        default: rate("Whole", "90", "EUR", "0", 0, 60, 0),
        groups: vec![],
    };
    let cases = build_cases(&rates, &[conn("a", "acme", "09:00:00", Some("09:30:00"))]).cases;
    assert_eq!(cases[0].amount.to_string(), "90.00", "amounts are in cents");
}

fn arb_records() -> impl Strategy<Value = Vec<BillingRecord>> {
    let one = (
        0..3usize,    // customer
        0..20_000i64, // start, seconds after 09:00
        0..3_000i64,  // length
        0..4usize,    // group
        0..10u8,      // state
        0..1_000u32,  // id
    )
        .prop_map(|(c, s, len, g, st, id)| {
            let start = at("09:00:00") + Duration::seconds(s);
            BillingRecord {
                id: format!("id{id}"),
                start,
                end: (st != 9).then(|| start + Duration::seconds(len)),
                userid: None,
                username: None,
                groupid: [None, Some("g1".to_owned()), Some("g2".to_owned()), None][g].clone(),
                groupname: [None, None, None, Some("Two".to_owned())][g].clone(),
                customer: ["a", "b", "c"][c].to_owned(),
                billing_state: match st {
                    0 => None,
                    1 => Some("Billed".to_owned()),
                    2 => Some("DoNotBill".to_owned()),
                    _ => Some("Bill".to_owned()),
                },
            }
        });
    proptest::collection::vec(one, 0..60)
}

fn arb_rates() -> impl Strategy<Value = Rates> {
    (0..30u32, 0..120u32, 1..30u32, 0..600u32, 0..600u32).prop_map(
        |(merge, min, inc, free1, free2)| Rates {
            merge_within_minutes: merge,
            default: rate("D", "90.00", "EUR", "1.00", min, inc, free1),
            groups: vec![
                GroupRate {
                    groupid: Some("g1".into()),
                    groupname: None,
                    rate: rate("G1", "120.00", "EUR", "0.00", min, inc, free2),
                },
                GroupRate {
                    groupid: Some("g2".into()),
                    groupname: Some("two".into()),
                    rate: rate("G2", "33.33", "CHF", "0.00", 0, inc, 0),
                },
            ],
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every billable connection is in exactly one case and no other connection is; a case's
    /// billable seconds are at most the sum of its connections' lengths and at least the longest.
    #[test]
    fn cases_partition_the_billable_connections(rates in arb_rates(), mut records in arb_records()) {
        // Ids must be unique for "exactly one case" to be checkable.
        records.sort_by(|a, b| a.id.cmp(&b.id));
        records.dedup_by(|a, b| a.id == b.id);
        let report = build_cases(&rates, &records);
        let by_id: std::collections::HashMap<_, _> = records.iter().map(|r| (r.id.as_str(), r)).collect();
        let mut seen = std::collections::HashMap::new();
        for case in &report.cases {
            let mut sum = 0;
            let mut longest = 0;
            for id in &case.connection_ids {
                *seen.entry(id.as_str()).or_insert(0) += 1;
                let r = by_id[id.as_str()];
                prop_assert_eq!(&r.customer, &case.customer, "a case holds one customer's connections");
                sum += r.seconds();
                longest = longest.max(r.seconds());
            }
            prop_assert!(case.billable_seconds <= sum, "union {} > sum {}", case.billable_seconds, sum);
            prop_assert!(case.billable_seconds >= longest, "union {} < longest {}", case.billable_seconds, longest);
            prop_assert!(case.billable_minutes * 60 >= case.billable_seconds, "billed minutes cover the time");
            prop_assert!(case.amount >= Decimal::ZERO && case.amount.scale() == 2);
        }
        for r in &records {
            let excluded = report.excluded.iter().filter(|e| e.id == r.id).count();
            let rate = rates.rate_for(r.groupid.as_deref(), r.groupname.as_deref());
            let billable = !r.is_do_not_bill() && r.end.is_some() && r.seconds() >= i64::from(rate.free_under_seconds);
            let in_cases = seen.get(r.id.as_str()).copied().unwrap_or(0);
            if billable {
                prop_assert_eq!((in_cases, excluded), (1, 0), "billable {} is in exactly one case", r.id);
            } else {
                prop_assert_eq!((in_cases, excluded), (0, 1), "{} is excluded once", r.id);
            }
        }
        // Sorted by customer, then start.
        for w in report.cases.windows(2) {
            prop_assert!((w[0].customer.as_str(), w[0].start) <= (w[1].customer.as_str(), w[1].start));
        }
    }
}
