//! Billing cases (issue 10 item 2): a customer's billable connections, merged when they follow
//! each other within the merge window, priced by a [`Rate`]. The rules, with a worked example,
//! are in `docs/billing.md`; this module is their one implementation.

use super::rates::{Rate, Rates};
use super::record::BillingRecord;
use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
// FxHash: one lookup per record for its rate and one for its customer (SipHash was a visible
// share of a year's cases).
use rustc_hash::FxHashMap as HashMap;

/// One billing case: what an invoice line says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BillingCase {
    /// The customer key ([`super::customer_key`]).
    pub customer: String,
    /// The first connection's start.
    pub start: DateTime<Utc>,
    /// The latest end of its connections.
    pub end: DateTime<Utc>,
    /// Its connections' ids, by start (ties by id).
    pub connection_ids: Vec<String>,
    /// Length of the union of the connections' [start, end) intervals, in whole seconds.
    pub billable_seconds: i64,
    /// `max(minimum_minutes, ⌈billable_seconds / 60 / increment⌉ × increment)`.
    pub billable_minutes: i64,
    /// The rate's name.
    pub rate_name: String,
    /// The rate's hourly rate.
    #[serde(with = "rust_decimal::serde::str")]
    pub hourly_rate: Decimal,
    /// The rate's base fee.
    #[serde(with = "rust_decimal::serde::str")]
    pub base_fee: Decimal,
    /// The rate's currency.
    pub currency: String,
    /// `base_fee + billable_minutes × hourly_rate / 60`, rounded half away from zero to cents
    /// (two decimal places, always: `135.00`).
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// The ids of its connections whose `billing_state` is not `Billed` (in case order).
    pub unbilled_ids: Vec<String>,
}

impl BillingCase {
    /// Whether any of its connections is not `Billed` yet (a missing state counts as `Bill`).
    pub fn is_unbilled(&self) -> bool {
        !self.unbilled_ids.is_empty()
    }
}

/// Why a connection in the period is in no case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    /// Its `billing_state` is `DoNotBill`.
    NotBillable,
    /// Shorter than its rate's `free_under_seconds`.
    Free,
    /// Still running: no end.
    Running,
}

/// A connection of the period that is not billed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExcludedConnection {
    /// The connection's id.
    pub id: String,
    /// Its customer key.
    pub customer: String,
    /// Its start.
    pub start: DateTime<Utc>,
    /// Its length in whole seconds (0 while running).
    pub seconds: i64,
    /// Why it is not billed.
    pub reason: ExclusionReason,
}

/// The cases of a period and the connections left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CaseReport {
    /// Sorted by customer, then start.
    pub cases: Vec<BillingCase>,
    /// Sorted by customer, then start, then id.
    pub excluded: Vec<ExcludedConnection>,
}

/// A connection's interval in whole seconds since the epoch: `[start, end)`, sub-second parts
/// dropped; an end before the start counts as the start (length 0).
fn span(r: &BillingRecord, end: DateTime<Utc>) -> (i64, i64) {
    let s = r.start.timestamp();
    (s, end.timestamp().max(s))
}

/// Finds each record's rate once per distinct (groupid, groupname) pair.
struct RateLookup<'a> {
    rates: &'a Rates,
    seen: HashMap<(Option<&'a str>, Option<&'a str>), &'a Rate>,
}

impl<'a> RateLookup<'a> {
    fn new(rates: &'a Rates) -> Self {
        Self {
            rates,
            seen: HashMap::default(),
        }
    }

    fn rate(&mut self, r: &'a BillingRecord) -> &'a Rate {
        let key = (r.groupid.as_deref(), r.groupname.as_deref());
        let rates = self.rates;
        self.seen
            .entry(key)
            .or_insert_with(|| rates.rate_for(key.0, key.1))
    }
}

/// A billable connection as the sort sees it: integers only, so that a year of connections
/// (1,000,000) sorts in cache instead of comparing strings through two pointers each time.
#[derive(Debug, Clone, Copy)]
struct SortKey {
    /// The customer's rank in byte order of the customer keys.
    customer: u32,
    /// The start's nanoseconds within its second.
    nanos: u32,
    /// The start in seconds since the epoch.
    secs: i64,
    /// The record's index in the input.
    index: usize,
}

/// Ranks of the customers of `indices` in byte order of their keys, per index (same order).
fn customer_ranks(records: &[BillingRecord], indices: &[usize]) -> Vec<u32> {
    let mut ids: HashMap<&str, u32> = HashMap::default();
    let mut names: Vec<&str> = Vec::new();
    let mut per_record: Vec<u32> = Vec::with_capacity(indices.len());
    for &i in indices {
        let name = records[i].customer.as_str();
        let id = *ids.entry(name).or_insert_with(|| {
            names.push(name);
            u32::try_from(names.len() - 1).unwrap_or(u32::MAX)
        });
        per_record.push(id);
    }
    let mut order: Vec<u32> = (0..names.len())
        .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
        .collect();
    order.sort_unstable_by_key(|&id| names[id as usize]);
    let mut rank = vec![0u32; names.len()];
    for (r, &id) in order.iter().enumerate() {
        rank[id as usize] = u32::try_from(r).unwrap_or(u32::MAX);
    }
    per_record.iter().map(|&id| rank[id as usize]).collect()
}

/// Builds the cases of `records` (the caller picks the period; any order). Each record is
/// either excluded — `DoNotBill` first, then running (no end), then free (shorter than its
/// own group's `free_under_seconds`) — or billable. A customer's billable connections, sorted
/// by start (ties by id), open a case with the first; the next joins it when it starts at most
/// `merge_within_minutes` after the case's latest end so far, else opens the next case;
/// `merge_within_minutes = 0` never merges. Each case is priced by [`price_case`].
pub fn build_cases(rates: &Rates, records: &[BillingRecord]) -> CaseReport {
    let mut lookup = RateLookup::new(rates);
    let mut billable: Vec<usize> = Vec::with_capacity(records.len());
    let mut excluded = Vec::new();
    for (index, r) in records.iter().enumerate() {
        let (reason, seconds) = if r.is_do_not_bill() {
            let seconds = r.end.map_or(0, |end| {
                let (s, e) = span(r, end);
                e - s
            });
            (ExclusionReason::NotBillable, seconds)
        } else if let Some(end) = r.end {
            let (s, e) = span(r, end);
            if e - s >= i64::from(lookup.rate(r).free_under_seconds) {
                billable.push(index);
                continue;
            }
            (ExclusionReason::Free, e - s)
        } else {
            (ExclusionReason::Running, 0)
        };
        excluded.push(ExcludedConnection {
            id: r.id.clone(),
            customer: r.customer.clone(),
            start: r.start,
            seconds,
            reason,
        });
    }
    excluded.sort_unstable_by(|a, b| {
        (a.customer.as_str(), a.start, a.id.as_str()).cmp(&(
            b.customer.as_str(),
            b.start,
            b.id.as_str(),
        ))
    });

    let ranks = customer_ranks(records, &billable);
    let mut keys: Vec<SortKey> = billable
        .iter()
        .zip(ranks)
        .map(|(&index, customer)| {
            let start = records[index].start;
            SortKey {
                customer,
                nanos: start.timestamp_subsec_nanos(),
                secs: start.timestamp(),
                index,
            }
        })
        .collect();
    drop(billable);
    // Customer, start, then id: the id is read only on a tie.
    keys.sort_unstable_by(|a, b| {
        (a.customer, a.secs, a.nanos)
            .cmp(&(b.customer, b.secs, b.nanos))
            .then_with(|| records[a.index].id.cmp(&records[b.index].id))
    });

    let window = i64::from(rates.merge_within_minutes) * 60;
    let mut cases = Vec::new();
    let mut members: Vec<&BillingRecord> = Vec::new();
    let mut i = 0;
    while i < keys.len() {
        let first = &records[keys[i].index];
        let mut latest_end = span(first, first.end.unwrap_or(first.start)).1;
        members.clear();
        members.push(first);
        let mut j = i + 1;
        while let Some(key) = keys.get(j) {
            let next = &records[key.index];
            if key.customer != keys[i].customer || window == 0 || key.secs > latest_end + window {
                break;
            }
            latest_end = latest_end.max(span(next, next.end.unwrap_or(next.start)).1);
            members.push(next);
            j += 1;
        }
        cases.push(priced(lookup.rate(first), &first.customer, &members));
        i = j;
    }
    CaseReport { cases, excluded }
}

/// One case of exactly `connections` for `customer`, whatever their order (the manual merge
/// and split of the worklist use it): the rate of the first connection by start (ties by id),
/// the union of their intervals, minimum and increment, the amount in cents. Connections are
/// taken as they are: a running one counts from start to start (0 seconds); exclusions are
/// [`build_cases`]'s business. No connections: a case at the Unix epoch with the default rate,
/// 0 minutes and amount 0.00.
pub fn price_case(rates: &Rates, customer: &str, connections: &[&BillingRecord]) -> BillingCase {
    let mut sorted = connections.to_vec();
    sorted.sort_unstable_by(|a, b| (a.start, a.id.as_str()).cmp(&(b.start, b.id.as_str())));
    let rate = sorted.first().map_or(&rates.default, |first| {
        rates.rate_for(first.groupid.as_deref(), first.groupname.as_deref())
    });
    priced(rate, customer, &sorted)
}

/// Prices the case of `connections`, which are sorted by start (ties by id).
fn priced(rate: &Rate, customer: &str, connections: &[&BillingRecord]) -> BillingCase {
    let Some(first) = connections.first() else {
        return BillingCase {
            customer: customer.to_owned(),
            start: DateTime::UNIX_EPOCH,
            end: DateTime::UNIX_EPOCH,
            connection_ids: Vec::new(),
            billable_seconds: 0,
            billable_minutes: 0,
            rate_name: rate.name.clone(),
            hourly_rate: rate.hourly_rate,
            base_fee: rate.base_fee,
            currency: rate.currency.clone(),
            amount: Decimal::new(0, 2),
            unbilled_ids: Vec::new(),
        };
    };
    // Union of the [start, end) intervals: sorted by start, a sweep that extends the current
    // run while the next interval starts inside or at its end.
    let mut billable_seconds = 0;
    let mut run: Option<(i64, i64)> = None;
    let mut end = first.start;
    for c in connections {
        let c_end = c.end.unwrap_or(c.start).max(c.start);
        end = end.max(c_end);
        let (s, e) = span(c, c_end);
        run = match run {
            Some((rs, re)) if s <= re => Some((rs, re.max(e))),
            Some((rs, re)) => {
                billable_seconds += re - rs;
                Some((s, e))
            }
            None => Some((s, e)),
        };
    }
    if let Some((rs, re)) = run {
        billable_seconds += re - rs;
    }

    let step = i64::from(rate.increment_minutes.max(1)) * 60;
    let rounded = (billable_seconds + step - 1) / step * (step / 60);
    let billable_minutes = rounded.max(i64::from(rate.minimum_minutes));
    let amount = rate
        .base_fee
        .saturating_add(
            Decimal::from(billable_minutes).saturating_mul(rate.hourly_rate) / Decimal::from(60),
        )
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    BillingCase {
        customer: customer.to_owned(),
        start: first.start,
        end,
        connection_ids: connections.iter().map(|c| c.id.clone()).collect(),
        billable_seconds,
        billable_minutes,
        rate_name: rate.name.clone(),
        hourly_rate: rate.hourly_rate,
        base_fee: rate.base_fee,
        currency: rate.currency.clone(),
        amount: cents(amount),
        unbilled_ids: connections
            .iter()
            .filter(|c| !c.is_billed())
            .map(|c| c.id.clone())
            .collect(),
    }
}

/// `amount` with exactly two decimal places (`135` → `135.00`); it is already rounded.
fn cents(mut amount: Decimal) -> Decimal {
    amount.rescale(2);
    amount
}
