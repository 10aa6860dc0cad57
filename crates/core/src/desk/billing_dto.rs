//! What the billing area hands the UI: the rates form, the unbilled worklist, the progress and
//! outcome of marking billed, and invoice exports. Money travels as decimal strings (`"90.00"`),
//! never as a JavaScript number: the UI shows them, it does not compute with them.

use crate::billing::{
    money_text, BillingCase, BillingRecord, DroppedOverride, ExcludedConnection, ExclusionReason,
    GroupRate, Rate, Rates,
};
use crate::error::{Error, ErrorReport, Result};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

/// One rate as the form edits it (decimals as typed, normalised to `.` by the UI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RateForm {
    /// Shown on invoice lines.
    pub name: String,
    /// Per hour, a decimal string (`"90.00"`).
    pub hourly_rate: String,
    /// ISO code (`EUR`).
    pub currency: String,
    /// Per case, a decimal string.
    pub base_fee: String,
    /// The least billed per case.
    pub minimum_minutes: u32,
    /// Billable time rounds up to a multiple of this.
    pub increment_minutes: u32,
    /// Shorter connections are not billed.
    pub free_under_seconds: u32,
}

/// A group's rate: by group id or group name (the first that matches wins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GroupRateForm {
    /// Matches the connection's group id.
    pub groupid: Option<String>,
    /// Matches the connection's group name.
    pub groupname: Option<String>,
    /// The rate.
    pub rate: RateForm,
}

/// The charge rates as Settings → Billing edits them (`rates.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RatesForm {
    /// Connections of one customer this close together are one case (0 = never merge).
    pub merge_within_minutes: u32,
    /// The rate without a group match.
    pub default: RateForm,
    /// Overrides by group, first match wins.
    pub groups: Vec<GroupRateForm>,
}

/// The rates for the form, and why the file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RatesView {
    /// The rates in use (the defaults when there is no file or it is invalid).
    pub rates: RatesForm,
    /// The rates file exists and was read.
    pub from_file: bool,
    /// The rates file is invalid (it is left as it is; the defaults are in use until a save).
    pub problem: Option<ErrorReport>,
}

impl From<&Rate> for RateForm {
    fn from(r: &Rate) -> Self {
        Self {
            name: r.name.clone(),
            hourly_rate: money_text(r.hourly_rate),
            currency: r.currency.clone(),
            base_fee: money_text(r.base_fee),
            minimum_minutes: r.minimum_minutes,
            increment_minutes: r.increment_minutes,
            free_under_seconds: r.free_under_seconds,
        }
    }
}

impl From<&Rates> for RatesForm {
    fn from(r: &Rates) -> Self {
        Self {
            merge_within_minutes: r.merge_within_minutes,
            default: RateForm::from(&r.default),
            groups: r
                .groups
                .iter()
                .map(|g| GroupRateForm {
                    groupid: g.groupid.clone(),
                    groupname: g.groupname.clone(),
                    rate: RateForm::from(&g.rate),
                })
                .collect(),
        }
    }
}

fn decimal(field: &str, text: &str) -> Result<Decimal> {
    let value = Decimal::from_str(text.trim()).map_err(|_| {
        Error::invalid(
            field,
            format!("\"{}\" is not a decimal number such as 90.00", text.trim()),
        )
    })?;
    if value.is_sign_negative() {
        return Err(Error::invalid(field, "must not be negative"));
    }
    Ok(value)
}

fn blank_none(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl RateForm {
    fn to_rate(&self, what: &str) -> Result<Rate> {
        Ok(Rate {
            name: self.name.trim().to_owned(),
            hourly_rate: decimal(&format!("{what} hourly rate"), &self.hourly_rate)?,
            currency: self.currency.trim().to_uppercase(),
            base_fee: decimal(&format!("{what} base fee"), &self.base_fee)?,
            minimum_minutes: self.minimum_minutes,
            increment_minutes: self.increment_minutes,
            free_under_seconds: self.free_under_seconds,
        })
    }
}

impl RatesForm {
    /// The rates this form describes, checked by the same rules as `rates.toml` (the error names
    /// the field).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field.
    pub fn to_rates(&self) -> Result<Rates> {
        let mut groups = Vec::with_capacity(self.groups.len());
        for (i, g) in self.groups.iter().enumerate() {
            let what = format!("group rate {}", i + 1);
            let (groupid, groupname) = (blank_none(&g.groupid), blank_none(&g.groupname));
            if groupid.is_none() && groupname.is_none() {
                return Err(Error::invalid(
                    format!("{what} group"),
                    "give a group id or a group name",
                ));
            }
            groups.push(GroupRate {
                groupid,
                groupname,
                rate: g.rate.to_rate(&what)?,
            });
        }
        let rates = Rates {
            merge_within_minutes: self.merge_within_minutes,
            default: self.default.to_rate("default")?,
            groups,
        };
        // The file's own rules (names, currencies, increments) decide what is valid.
        rates.validate()?;
        Ok(rates)
    }
}

/// One case of the worklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct WorklistCase {
    /// The case's first connection id: names the case for selection, merge and split.
    pub key: String,
    /// The customer key.
    pub customer: String,
    /// The first connection's start.
    pub start: DateTime<Utc>,
    /// The latest end.
    pub end: DateTime<Utc>,
    /// Its connections, by start.
    pub connections: Vec<CaseConnection>,
    /// Those not billed yet (what Mark billed sends).
    pub unbilled_ids: Vec<String>,
    /// Length of the union of its connections.
    pub billable_seconds: i64,
    /// Billed minutes after minimum and increment.
    pub billable_minutes: i64,
    /// The rate's name.
    pub rate_name: String,
    /// Per hour.
    pub hourly_rate: String,
    /// Per case.
    pub base_fee: String,
    /// ISO code.
    pub currency: String,
    /// What the case costs (cents, rounded half-up).
    pub amount: String,
    /// Made by a manual merge or split.
    pub manual: bool,
}

/// One connection of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CaseConnection {
    /// The report's id.
    pub id: String,
    /// Its start.
    pub start: DateTime<Utc>,
    /// Its end.
    pub end: Option<DateTime<Utc>>,
    /// Already `Billed`.
    pub billed: bool,
}

impl WorklistCase {
    pub(super) fn new(
        case: &BillingCase,
        manual: bool,
        records: &HashMap<&str, &BillingRecord>,
    ) -> Self {
        let mut connections: Vec<CaseConnection> = case
            .connection_ids
            .iter()
            .filter_map(|id| records.get(id.as_str()))
            .map(|r| CaseConnection {
                id: r.id.clone(),
                start: r.start,
                end: r.end,
                billed: r.is_billed(),
            })
            .collect();
        connections.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
        Self {
            key: case.connection_ids.first().cloned().unwrap_or_default(),
            customer: case.customer.clone(),
            start: case.start,
            end: case.end,
            connections,
            unbilled_ids: case.unbilled_ids.clone(),
            billable_seconds: case.billable_seconds,
            billable_minutes: case.billable_minutes,
            rate_name: case.rate_name.clone(),
            hourly_rate: money_text(case.hourly_rate),
            base_fee: money_text(case.base_fee),
            currency: case.currency.clone(),
            amount: money_text(case.amount),
            manual,
        }
    }
}

/// An amount in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MoneyTotal {
    /// ISO code.
    pub currency: String,
    /// Decimal string.
    pub amount: String,
}

/// Totals per currency (sorted by currency) of `cases`.
pub(super) fn totals<'a>(cases: impl IntoIterator<Item = &'a BillingCase>) -> Vec<MoneyTotal> {
    let mut sums: BTreeMap<&str, Decimal> = BTreeMap::new();
    for c in cases {
        *sums.entry(c.currency.as_str()).or_default() += c.amount;
    }
    sums.into_iter()
        .map(|(currency, amount)| MoneyTotal {
            currency: currency.to_owned(),
            amount: money_text(amount),
        })
        .collect()
}

/// A customer's unbilled cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct WorklistCustomer {
    /// The customer key.
    pub customer: String,
    /// By start.
    pub cases: Vec<WorklistCase>,
    /// Per currency.
    pub totals: Vec<MoneyTotal>,
}

/// Why a connection is not on an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ExcludedReason {
    /// `DoNotBill`.
    NotBillable,
    /// Shorter than its rate's `free_under_seconds`.
    Free,
    /// Still running (no end).
    Running,
}

/// A connection of the period that is not billed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct WorklistExcluded {
    /// The report's id.
    pub id: String,
    /// The customer key.
    pub customer: String,
    /// Its start.
    pub start: DateTime<Utc>,
    /// Its length.
    pub seconds: i64,
    /// Why.
    pub reason: ExcludedReason,
}

impl From<&ExcludedConnection> for WorklistExcluded {
    fn from(e: &ExcludedConnection) -> Self {
        Self {
            id: e.id.clone(),
            customer: e.customer.clone(),
            start: e.start,
            seconds: e.seconds,
            reason: match e.reason {
                ExclusionReason::NotBillable => ExcludedReason::NotBillable,
                ExclusionReason::Free => ExcludedReason::Free,
                ExclusionReason::Running => ExcludedReason::Running,
            },
        }
    }
}

/// The unbilled worklist of a period (event `billing-worklist`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct BillingWorklist {
    /// Start of the period (inclusive).
    pub from: DateTime<Utc>,
    /// End of the period (exclusive).
    pub to: DateTime<Utc>,
    /// The app has an archive to read (false: nothing can be billed from the app).
    pub archive: bool,
    /// Archived connections starting in the period.
    pub connections: u64,
    /// Customers with unbilled cases, by customer key.
    pub customers: Vec<WorklistCustomer>,
    /// Totals of the unbilled cases per currency.
    pub totals: Vec<MoneyTotal>,
    /// Cases of the period that are billed already.
    pub billed_cases: u64,
    /// Every customer with a case in the period, billed or not (for the invoice export).
    pub period_customers: Vec<String>,
    /// Connections of the period that are not billed (free, not billable, running).
    pub excluded: Vec<WorklistExcluded>,
    /// Manual merges and splits that no longer applied and were removed.
    pub dropped: Vec<DroppedOverride>,
    /// The rates file is invalid: the amounts use the default rates.
    pub rates_problem: Option<ErrorReport>,
    /// Reading the archive failed (the worklist is empty because of it).
    pub error: Option<ErrorReport>,
}

/// Progress of marking billed (event `billing-mark-progress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MarkBilledProgress {
    /// Connections handled (marked or failed).
    pub done: u64,
    /// Connections to mark.
    pub total: u64,
    /// Of these, failed.
    pub failed: u64,
}

/// A connection that could not be marked billed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MarkBilledFailure {
    /// The report's id.
    pub id: String,
    /// The customer key.
    pub customer: String,
    /// Why.
    pub error: ErrorReport,
}

/// The outcome of marking billed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MarkBilledResult {
    /// Ids marked `Billed` at TeamViewer and in the archive.
    pub marked: Vec<String>,
    /// Ids that failed (retry them).
    pub failed: Vec<MarkBilledFailure>,
}

/// The invoice file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum InvoiceFormat {
    /// CSV with the report's header (`docs/billing.md`).
    Csv,
    /// An Excel workbook, the same columns.
    Xlsx,
}

/// What an invoice export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct InvoiceExport {
    /// The file.
    pub path: String,
    /// Invoice lines (cases) written.
    pub rows: u64,
}
