//! The billing area of the desk (issue 10, items 1, 3 and 4 in the app): the charge rates in
//! `<config dir>/rates.toml`, the unbilled worklist of a period, manual merges and splits
//! (`<data dir>/billing-overrides.json`), marking cases billed at TeamViewer, and invoice
//! exports (CSV and XLSX).
//!
//! The worklist is state in the core: the period last asked for, recomputed from the archive
//! whenever the archive's sync settles, the rates or the overrides change, or cases were marked
//! billed, and handed to the UI as [`BillingWorklist`] through [`Billing::subscribe`] (the shell
//! emits it as `billing-worklist`). Billing reads only the archive, never the API; only Mark
//! billed writes to TeamViewer.

use super::archive_area::ArchiveStore;
use super::archive_sync::{ArchiveSyncStatus, SyncState};
use super::billing_dto::{
    totals, BillingWorklist, InvoiceExport, InvoiceFormat, MarkBilledFailure, MarkBilledProgress,
    MarkBilledResult, RatesForm, RatesView, WorklistCase, WorklistCustomer, WorklistExcluded,
};
use super::connection::{lock, Shared};
use crate::billing::{
    apply_overrides, build_cases, mark_billed, write_report_csv, BillingCase, BillingRecord,
    CaseOverride, MarkProgress, Overrides, Rates, REPORT_HEADER,
};
use crate::error::{Error, ErrorKind, ErrorReport, Result};
use crate::xlsx::{write_xlsx, XlsxCell};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// The default period: the last calendar month (UTC) before `now`.
pub fn last_month(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let first_of = |y: i32, m: u32| {
        Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0)
            .single()
            .unwrap_or(now)
    };
    let to = first_of(now.year(), now.month());
    let (y, m) = if now.month() == 1 {
        (now.year() - 1, 12)
    } else {
        (now.year(), now.month() - 1)
    };
    (first_of(y, m), to)
}

/// What the last computation kept: the period's cases with the overrides applied (billed ones
/// too, for the invoice export), by customer and start.
#[derive(Debug, Default)]
struct Computed {
    /// A period was computed (the export needs one).
    done: bool,
    cases: Vec<BillingCase>,
}

#[derive(Debug)]
struct State {
    rates: Rates,
    rates_problem: Option<ErrorReport>,
    rates_from_file: bool,
    /// The period the UI looks at (`None` until it asks).
    period: Option<(DateTime<Utc>, DateTime<Utc>)>,
    computed: Computed,
    mark_cancel: CancellationToken,
}

/// The billing area.
#[derive(Debug)]
pub(super) struct Billing {
    shared: Arc<Shared>,
    archive: Option<Arc<dyn ArchiveStore>>,
    rates_path: Option<PathBuf>,
    overrides_path: Option<PathBuf>,
    state: Mutex<State>,
    worklist: watch::Sender<Option<BillingWorklist>>,
    /// One computation at a time, so an older one never overwrites a newer one.
    compute_lock: tokio::sync::Mutex<()>,
    /// One mark run at a time.
    mark_lock: tokio::sync::Mutex<()>,
}

impl Billing {
    /// Reads the rates file (defaults with a problem when it is invalid; the file stays as it is).
    pub(super) fn new(
        shared: Arc<Shared>,
        archive: Option<Arc<dyn ArchiveStore>>,
        rates_path: Option<PathBuf>,
        overrides_path: Option<PathBuf>,
    ) -> Self {
        let (rates, rates_problem, rates_from_file) = load_rates(rates_path.as_deref());
        let (worklist, _) = watch::channel(None);
        Self {
            shared,
            archive,
            rates_path,
            overrides_path,
            state: Mutex::new(State {
                rates,
                rates_problem,
                rates_from_file,
                period: None,
                computed: Computed::default(),
                mark_cancel: CancellationToken::new(),
            }),
            worklist,
            compute_lock: tokio::sync::Mutex::new(()),
            mark_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// The rates in use, for the form.
    pub(super) fn rates_view(&self) -> RatesView {
        let st = lock(&self.state);
        RatesView {
            rates: RatesForm::from(&st.rates),
            from_file: st.rates_from_file,
            problem: st.rates_problem.clone(),
        }
    }

    /// The rates in use.
    pub(super) fn rates(&self) -> Rates {
        lock(&self.state).rates.clone()
    }

    /// Checks and saves the rates (atomically) and recomputes the worklist with them.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field (nothing is saved); file errors.
    pub(super) async fn save_rates(&self, form: &RatesForm) -> Result<RatesView> {
        let rates = form.to_rates()?;
        if let Some(path) = &self.rates_path {
            rates.save(path)?;
        }
        {
            let mut st = lock(&self.state);
            st.rates = rates;
            st.rates_problem = None;
            st.rates_from_file = self.rates_path.is_some();
        }
        self.recompute().await;
        Ok(self.rates_view())
    }

    /// The current worklist (`None` before a period was asked for).
    pub(super) fn worklist(&self) -> Option<BillingWorklist> {
        self.worklist.borrow().clone()
    }

    /// Hears every new worklist.
    pub(super) fn subscribe(&self) -> watch::Receiver<Option<BillingWorklist>> {
        self.worklist.subscribe()
    }

    /// Looks at the period `from` ≤ start < `to` (default: the last calendar month) from now
    /// on and returns its worklist.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `from` is not before `to`.
    pub(super) async fn open_period(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<BillingWorklist> {
        let (default_from, default_to) = last_month(self.shared.clock.now());
        let (from, to) = (from.unwrap_or(default_from), to.unwrap_or(default_to));
        if from >= to {
            return Err(Error::invalid("period", "the start must be before the end"));
        }
        lock(&self.state).period = Some((from, to));
        Ok(self.recompute().await.unwrap_or_else(|| empty(from, to)))
    }

    /// The archive's sync changed: once it is idle again, the worklist is read again (new
    /// records, edits sent, billing states changed elsewhere).
    pub(super) async fn watch_archive(
        self: Arc<Self>,
        mut sync: watch::Receiver<ArchiveSyncStatus>,
    ) {
        let mut last: Option<ArchiveSyncStatus> = None;
        while sync.changed().await.is_ok() {
            let now = sync.borrow_and_update().clone();
            if now.state != SyncState::Idle {
                continue;
            }
            let changed = last.as_ref().is_none_or(|l| {
                l.last_sync != now.last_sync
                    || l.pending_ids != now.pending_ids
                    || l.total != now.total
                    || l.last_new != now.last_new
                    || l.last_updated != now.last_updated
            });
            last = Some(now);
            if changed {
                self.recompute().await;
            }
        }
    }

    /// Computes the worklist of the current period and publishes it; `None` without a period.
    pub(super) async fn recompute(&self) -> Option<BillingWorklist> {
        let _one = self.compute_lock.lock().await;
        let (period, rates, rates_problem) = {
            let st = lock(&self.state);
            (st.period, st.rates.clone(), st.rates_problem.clone())
        };
        let (from, to) = period?;
        let mut list = empty(from, to);
        list.rates_problem = rates_problem;
        let Some(archive) = &self.archive else {
            list.archive = false;
            self.publish(&list, Computed::default());
            return Some(list);
        };
        let records = match archive.billing_records(from, to).await {
            Ok(r) => r,
            Err(e) => {
                list.error = Some(e.report());
                self.publish(&list, Computed::default());
                return Some(list);
            }
        };
        let overrides = self.load_overrides();
        let applied = apply_overrides(
            &rates,
            &records,
            build_cases(&rates, &records),
            &overrides.items,
        );
        if !applied.dropped.is_empty() {
            self.forget_overrides(applied.dropped.iter().map(|d| &d.change));
        }
        let cases = applied.report.cases;
        let by_id: HashMap<&str, &BillingRecord> =
            records.iter().map(|r| (r.id.as_str(), r)).collect();
        list.connections = records.len() as u64;
        list.billed_cases = cases.iter().filter(|c| !c.is_unbilled()).count() as u64;
        let mut customers: BTreeMap<&str, Vec<&BillingCase>> = BTreeMap::new();
        let mut period_customers: Vec<String> = Vec::new();
        for c in &cases {
            if period_customers.last() != Some(&c.customer) {
                period_customers.push(c.customer.clone());
            }
            if c.is_unbilled() {
                customers.entry(&c.customer).or_default().push(c);
            }
        }
        period_customers.dedup();
        list.period_customers = period_customers;
        list.totals = totals(cases.iter().filter(|c| c.is_unbilled()));
        list.customers = customers
            .into_iter()
            .map(|(customer, cs)| WorklistCustomer {
                customer: customer.to_owned(),
                cases: cs
                    .iter()
                    .map(|c| {
                        let key = c.connection_ids.first().cloned().unwrap_or_default();
                        WorklistCase::new(c, applied.manual.contains(&key), &by_id)
                    })
                    .collect(),
                totals: totals(cs.iter().copied()),
            })
            .collect();
        list.excluded = applied
            .report
            .excluded
            .iter()
            .map(WorklistExcluded::from)
            .collect();
        list.dropped = applied.dropped;
        self.publish(&list, Computed { done: true, cases });
        Some(list)
    }

    fn publish(&self, list: &BillingWorklist, computed: Computed) {
        {
            let mut st = lock(&self.state);
            // A period changed meanwhile: the newer request publishes its own.
            if st.period != Some((list.from, list.to)) {
                return;
            }
            st.computed = computed;
        }
        self.worklist.send_replace(Some(list.clone()));
    }

    fn load_overrides(&self) -> Overrides {
        let Some(path) = &self.overrides_path else {
            return Overrides::default();
        };
        Overrides::load(path).unwrap_or_else(|e| {
            tracing::warn!("{e}");
            Overrides::default()
        })
    }

    fn forget_overrides<'a>(&self, dropped: impl Iterator<Item = &'a CaseOverride>) {
        let Some(path) = &self.overrides_path else {
            return;
        };
        let dropped: HashSet<&CaseOverride> = dropped.collect();
        let mut overrides = self.load_overrides();
        overrides.items.retain(|o| !dropped.contains(o));
        if let Err(e) = overrides.save(path) {
            tracing::warn!("could not remove billing overrides that no longer apply: {e}");
        }
    }

    /// Adds a manual merge or split and recomputes the worklist.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the change does not apply to the cases shown (unknown
    /// connection, two customers, the same case, a connection that opens its case);
    /// [`Error::Config`] without a place to keep it; file errors.
    pub(super) async fn change_cases(&self, change: CaseOverride) -> Result<BillingWorklist> {
        let Some(path) = &self.overrides_path else {
            return Err(Error::Config {
                message: "the app has no data directory to keep manual merges and splits in"
                    .to_owned(),
            });
        };
        self.check_change(&change)?;
        let mut overrides = Overrides::load(path)?;
        overrides.items.push(change);
        overrides.save(path)?;
        self.recompute()
            .await
            .ok_or_else(|| Error::invalid("period", "open a period first"))
    }

    /// Removes every manual merge and split of the period's cases' connections.
    ///
    /// # Errors
    /// File errors.
    pub(super) async fn reset_cases(&self, key: &str) -> Result<Option<BillingWorklist>> {
        let Some(path) = &self.overrides_path else {
            return Ok(self.worklist());
        };
        let ids: HashSet<String> = {
            let st = lock(&self.state);
            st.computed
                .cases
                .iter()
                .find(|c| c.connection_ids.first().map(String::as_str) == Some(key))
                .map(|c| c.connection_ids.iter().cloned().collect())
                .unwrap_or_default()
        };
        let mut overrides = Overrides::load(path)?;
        overrides.items.retain(|o| match o {
            CaseOverride::Merge { first, second } => !ids.contains(first) && !ids.contains(second),
            CaseOverride::Split { before } => !ids.contains(before),
        });
        overrides.save(path)?;
        Ok(self.recompute().await)
    }

    fn check_change(&self, change: &CaseOverride) -> Result<()> {
        let st = lock(&self.state);
        let case_of = |id: &str| {
            st.computed
                .cases
                .iter()
                .position(|c| c.connection_ids.iter().any(|x| x == id))
                .ok_or_else(|| {
                    Error::invalid(
                        "case",
                        format!("no case of this period holds connection {id}"),
                    )
                })
        };
        match change {
            CaseOverride::Merge { first, second } => {
                let (a, b) = (case_of(first)?, case_of(second)?);
                if a == b {
                    return Err(Error::invalid(
                        "merge",
                        "the two connections are one case already",
                    ));
                }
                if st.computed.cases[a].customer != st.computed.cases[b].customer {
                    return Err(Error::invalid(
                        "merge",
                        "only cases of one customer can be merged",
                    ));
                }
            }
            CaseOverride::Split { before } => {
                let a = case_of(before)?;
                if st.computed.cases[a].connection_ids.first() == Some(before) {
                    return Err(Error::invalid(
                        "split",
                        "this connection opens its case already",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Stops a running Mark billed after the connection being sent.
    pub(super) fn cancel_mark(&self) {
        lock(&self.state).mark_cancel.cancel();
    }

    /// Marks the given connections `Billed` at TeamViewer (one `PUT` each, carrying on past a
    /// failure) and in the archive, then recomputes the worklist. Only connections the worklist
    /// shows as unbilled are sent; any other id is refused before anything is sent.
    ///
    /// # Errors
    /// [`Error::Config`] without an archive; [`Error::InvalidInput`] for an id that is not an
    /// unbilled connection of the worklist, or none; a run already going.
    pub(super) async fn mark_billed(
        &self,
        ids: &[String],
        progress: &mut (dyn FnMut(MarkBilledProgress) + Send),
    ) -> Result<MarkBilledResult> {
        let Some(archive) = self.archive.clone() else {
            return Err(Error::Config {
                message: "the connection-log archive is not open".to_owned(),
            });
        };
        let Ok(_one) = self.mark_lock.try_lock() else {
            return Err(Error::invalid(
                "mark billed",
                "marking billed is already under way",
            ));
        };
        let (customer_of, cancel) = {
            let mut st = lock(&self.state);
            let unbilled: HashMap<&str, &str> = st
                .computed
                .cases
                .iter()
                .flat_map(|c| {
                    c.unbilled_ids
                        .iter()
                        .map(move |id| (id.as_str(), c.customer.as_str()))
                })
                .collect();
            let mut customer_of = HashMap::new();
            for id in ids {
                let Some(customer) = unbilled.get(id.as_str()) else {
                    return Err(Error::invalid(
                        "mark billed",
                        format!("connection {id} is not an unbilled connection of the worklist"),
                    ));
                };
                customer_of.insert(id.clone(), (*customer).to_owned());
            }
            st.mark_cancel = CancellationToken::new();
            (customer_of, st.mark_cancel.clone())
        };
        if customer_of.is_empty() {
            return Err(Error::invalid("mark billed", "select cases to mark billed"));
        }
        let mut unique: Vec<String> = Vec::with_capacity(customer_of.len());
        let mut seen = HashSet::new();
        for id in ids {
            if seen.insert(id.as_str()) {
                unique.push(id.clone());
            }
        }
        let conn = self.shared.conn();
        let client = conn.client()?;
        let outcome = mark_billed(
            client,
            Some(&*archive),
            &unique,
            &cancel,
            &mut |p: MarkProgress| {
                progress(MarkBilledProgress {
                    done: p.done as u64,
                    total: p.total as u64,
                    failed: p.failed as u64,
                });
            },
        )
        .await;
        drop(conn);
        let customer = |id: &str| customer_of.get(id).cloned().unwrap_or_default();
        let mut failed: Vec<MarkBilledFailure> = outcome
            .failed
            .into_iter()
            .map(|f| MarkBilledFailure {
                customer: customer(&f.id),
                error: f.error.report(),
                id: f.id,
            })
            .collect();
        // Nothing silently half done: what was not sent is listed too, to be retried.
        let not_tried = if outcome.cancelled {
            ErrorReport {
                kind: ErrorKind::Cancelled,
                message: "not sent: marking billed was cancelled".to_owned(),
            }
        } else {
            let kind = outcome.stopped_by.unwrap_or(ErrorKind::Cancelled);
            ErrorReport {
                kind,
                message: format!("not sent: the run stopped early ({kind})"),
            }
        };
        failed.extend(outcome.not_tried.iter().map(|id| MarkBilledFailure {
            id: id.clone(),
            customer: customer(id),
            error: not_tried.clone(),
        }));
        failed.extend(outcome.not_billable.iter().map(|id| {
            MarkBilledFailure {
                id: id.clone(),
                customer: customer(id),
                error: Error::invalid(
                    "mark billed",
                    "the archive says this connection must not be billed (DoNotBill)",
                )
                .report(),
            }
        }));
        // Billed already (elsewhere, or by an earlier run that was cut off): marked.
        let mut marked = outcome.marked;
        marked.extend(outcome.already_billed);
        let result = MarkBilledResult { marked, failed };
        self.recompute().await;
        Ok(result)
    }

    /// The save dialog's proposed name for an invoice export of the period shown.
    pub(super) fn invoice_file_name(
        &self,
        customer: Option<&str>,
        format: InvoiceFormat,
    ) -> String {
        let period = lock(&self.state).period;
        let (from, to) = period.unwrap_or_else(|| last_month(self.shared.clock.now()));
        invoice_file_name(from, to, customer, format)
    }

    /// Writes the invoice lines (one per case, billed or not) of the period shown, of one
    /// customer or all, to `path` (atomically).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] before a period was opened or when the customer has no case in
    /// it; file errors.
    pub(super) fn export_invoice(
        &self,
        path: &Path,
        customer: Option<&str>,
        format: InvoiceFormat,
    ) -> Result<InvoiceExport> {
        let cases: Vec<BillingCase> = {
            let st = lock(&self.state);
            if !st.computed.done {
                return Err(Error::invalid("invoice", "open a period first"));
            }
            st.computed
                .cases
                .iter()
                .filter(|c| customer.is_none_or(|k| c.customer == k))
                .cloned()
                .collect()
        };
        if cases.is_empty() {
            return Err(Error::invalid(
                "invoice",
                "there are no cases to export in this period",
            ));
        }
        match format {
            InvoiceFormat::Csv => {
                crate::fsutil::write_file_atomically(path, |out| write_report_csv(&cases, out))?
            }
            InvoiceFormat::Xlsx => {
                write_xlsx(
                    path,
                    "Invoice",
                    &REPORT_HEADER,
                    cases.iter().map(invoice_row),
                )?;
            }
        }
        Ok(InvoiceExport {
            path: path.display().to_string(),
            rows: cases.len() as u64,
        })
    }
}

/// The name the save dialog proposes for an invoice export: `invoice-lines 2026-11-01 to
/// 2026-11-30 alice@example.com.xlsx` (the period's first and last day in UTC, the customer when
/// one is chosen, made safe for any file system: no path separators or control characters, at
/// most 60 characters of it).
pub fn invoice_file_name(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    customer: Option<&str>,
    format: InvoiceFormat,
) -> String {
    let last = to - chrono::Duration::seconds(1);
    let mut name = format!(
        "invoice-lines {} to {}",
        from.format("%Y-%m-%d"),
        last.max(from).format("%Y-%m-%d")
    );
    if let Some(customer) = customer {
        let safe: String = customer
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || matches!(c, '@' | '.' | '-' | '_' | ' ' | '&' | '+') {
                    c
                } else {
                    '_'
                }
            })
            .take(60)
            .collect();
        let safe = safe.trim_matches(|c: char| c == '.' || c.is_whitespace());
        if !safe.is_empty() {
            name.push(' ');
            name.push_str(safe);
        }
    }
    name.push_str(match format {
        InvoiceFormat::Csv => ".csv",
        InvoiceFormat::Xlsx => ".xlsx",
    });
    name
}

/// One case as an XLSX row, in [`REPORT_HEADER`]'s order.
fn invoice_row(c: &BillingCase) -> Vec<XlsxCell> {
    vec![
        XlsxCell::Text(c.customer.clone()),
        XlsxCell::DateTime(c.start),
        XlsxCell::DateTime(c.end),
        XlsxCell::Int(c.connection_ids.len() as i64),
        XlsxCell::Int(c.billable_seconds),
        XlsxCell::Int(c.billable_minutes),
        XlsxCell::Text(c.rate_name.clone()),
        XlsxCell::Money(c.hourly_rate),
        XlsxCell::Money(c.base_fee),
        XlsxCell::Text(c.currency.clone()),
        XlsxCell::Money(c.amount),
        XlsxCell::Text(c.connection_ids.join(" ")),
    ]
}

fn empty(from: DateTime<Utc>, to: DateTime<Utc>) -> BillingWorklist {
    BillingWorklist {
        from,
        to,
        archive: true,
        connections: 0,
        customers: Vec::new(),
        totals: Vec::new(),
        billed_cases: 0,
        period_customers: Vec::new(),
        excluded: Vec::new(),
        dropped: Vec::new(),
        rates_problem: None,
        error: None,
    }
}

/// The rates from the file: the defaults without a file, and the defaults with the problem when
/// it is invalid (the file is left as it is).
fn load_rates(path: Option<&Path>) -> (Rates, Option<ErrorReport>, bool) {
    let Some(path) = path else {
        return (Rates::default(), None, false);
    };
    match Rates::load(path) {
        Ok(Some(rates)) => (rates, None, true),
        Ok(None) => (Rates::default(), None, false),
        Err(e) => {
            tracing::warn!("the rates file is not used: {e}");
            (Rates::default(), Some(e.report()), false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn the_proposed_file_name_names_period_and_customer_safely() {
        let (from, to) = (t("2026-11-01T00:00:00Z"), t("2026-12-01T00:00:00Z"));
        assert_eq!(
            invoice_file_name(from, to, Some("alice@example.com"), InvoiceFormat::Xlsx),
            "invoice-lines 2026-11-01 to 2026-11-30 alice@example.com.xlsx"
        );
        assert_eq!(
            invoice_file_name(from, to, None, InvoiceFormat::Csv),
            "invoice-lines 2026-11-01 to 2026-11-30.csv"
        );
        assert_eq!(
            invoice_file_name(
                from,
                to,
                Some("../../etc/passwd\n\u{7}"),
                InvoiceFormat::Csv
            ),
            "invoice-lines 2026-11-01 to 2026-11-30 _.._etc_passwd__.csv",
            "no path separators or control characters reach the file name"
        );
        assert_eq!(
            invoice_file_name(from, to, Some(" .. "), InvoiceFormat::Csv),
            "invoice-lines 2026-11-01 to 2026-11-30.csv",
            "nothing usable left: no customer part"
        );
    }
}
