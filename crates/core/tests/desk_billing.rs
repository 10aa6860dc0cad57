#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The desk's billing area (issue 10 items 1, 3, 4 in the app) over an in-memory archive of
//! hand-made connections whose cases and amounts are computed by hand below: the unbilled
//! worklist of a period with totals per customer and currency, the rates file (saved, reloaded,
//! an invalid one left alone with the defaults in use), manual merges and splits kept in their
//! file (stale ones dropped with a note), Mark billed against a mocked TeamViewer (a failure
//! listed and retried, the worklist showing the truth after), and the invoice export as CSV
//! and XLSX (read back with calamine).

mod common;

use async_trait::async_trait;
use calamine::{open_workbook, Data, Reader, Xlsx};
use chrono::{DateTime, Utc};
use common::*;
use sdesk_core::auth::MemoryStore;
use sdesk_core::billing::{CaseOverride, DropReason, REPORT_HEADER};
use sdesk_core::desk::{
    last_month, ArchiveStore, ArchiveSyncCounts, BillingWorklist, Desk, DeskOptions,
    ExcludedReason, InvoiceFormat, Mode, RatesForm, Settings, StoredEdit,
};
use sdesk_core::logs::ReportPager;
use sdesk_core::models::{ConnectionReport, ReportQuery, ReportUpdate};
use sdesk_core::secret::Secret;
use sdesk_core::{ErrorKind, Result};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// An archive in memory: enough of `ArchiveStore` for billing (records by period, save).
#[derive(Debug, Default)]
struct MemArchive {
    records: Mutex<Vec<ConnectionReport>>,
}

#[async_trait]
impl ArchiveStore for MemArchive {
    async fn records(&self, query: &ReportQuery) -> Result<Vec<ConnectionReport>> {
        Ok(self
            .records
            .lock()
            .unwrap()
            .iter()
            .filter(|r| {
                r.start_date.is_some_and(|s| {
                    query.from_date.is_none_or(|f| s >= f) && query.to_date.is_none_or(|t| s < t)
                })
            })
            .cloned()
            .collect())
    }
    async fn newest_records(
        &self,
        query: &ReportQuery,
        limit: usize,
    ) -> Result<Vec<ConnectionReport>> {
        Ok(self.records(query).await?.into_iter().take(limit).collect())
    }
    async fn count(&self, query: &ReportQuery) -> Result<u64> {
        Ok(self.records(query).await?.len() as u64)
    }
    async fn save(&self, records: &[ConnectionReport]) -> Result<()> {
        let mut all = self.records.lock().unwrap();
        for r in records {
            all.retain(|x| x.id != r.id);
            all.push(r.clone());
        }
        Ok(())
    }
    async fn add_pending_edit(&self, _: &str, _: &ReportUpdate) -> Result<()> {
        Ok(())
    }
    async fn pending_edits(&self) -> Result<Vec<StoredEdit>> {
        Ok(Vec::new())
    }
    async fn mark_edit_sent(&self, _: i64) -> Result<bool> {
        Ok(false)
    }
    async fn sync(
        &self,
        _: &dyn ReportPager,
        _: Duration,
        _: &CancellationToken,
        _: &mut (dyn FnMut(ArchiveSyncCounts) + Send),
    ) -> Result<ArchiveSyncCounts> {
        Ok(ArchiveSyncCounts::default())
    }
    async fn last_sync(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(None)
    }
}

impl MemArchive {
    fn state_of(&self, id: &str) -> Option<String> {
        self.records
            .lock()
            .unwrap()
            .iter()
            .find(|r| r.id == id)
            .and_then(|r| r.billing_state.clone())
    }
    fn set_state(&self, id: &str, state: &str) {
        for r in self.records.lock().unwrap().iter_mut() {
            if r.id == id {
                r.billing_state = Some(state.to_owned());
            }
        }
    }
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn report(id: &str, start: &str, end: Option<&str>, extra: serde_json::Value) -> ConnectionReport {
    let mut v = json!({ "id": id, "start_date": start, "userid": "u1", "username": "Alex" });
    if let Some(end) = end {
        v["end_date"] = json!(end);
    }
    for (k, val) in extra.as_object().unwrap() {
        v[k] = val.clone();
    }
    serde_json::from_value(v).unwrap()
}

fn alice() -> serde_json::Value {
    json!({ "end_customer": { "name": "Alice", "email": "Alice@Example.com" }, "billing_state": "Bill" })
}

/// November 2026, computed by hand with the default rates (90 EUR/h, minimum 15, increments
/// of 15, free under 60 s, merge within 10 min) and the premium group (120 EUR/h, base fee 5,
/// minimum 30):
/// - alice@example.com: a1 09:00–09:20 and a2 09:25–09:40 on 3 Nov are one case (a2 starts
///   5 min after a1's end): 35 min → 45 billable → 67.50; a3 10 Nov 14:00–14:50: 50 → 60 → 90.00.
/// - Bob Builder (premium group, no state = Bill): b1 10 min → minimum 30 → 5 + 60 = 65.00;
///   b2 30 s is free.
/// - carol@example.com: c1 billed already (a case, not unbilled); c2 DoNotBill.
/// - dave-pc: d1 still running.
/// - outside the period: z1 on 31 Oct, z2 at 1 Dec 00:00 (the end is exclusive).
fn november() -> Vec<ConnectionReport> {
    let premium = json!({ "end_customer": { "name": "Bob Builder" }, "groupid": "g100002", "groupname": "Premium" });
    vec![
        report(
            "a1",
            "2026-11-03T09:00:00Z",
            Some("2026-11-03T09:20:00Z"),
            alice(),
        ),
        report(
            "a2",
            "2026-11-03T09:25:00Z",
            Some("2026-11-03T09:40:00Z"),
            alice(),
        ),
        report(
            "a3",
            "2026-11-10T14:00:00Z",
            Some("2026-11-10T14:50:00Z"),
            alice(),
        ),
        report(
            "b1",
            "2026-11-05T10:00:00Z",
            Some("2026-11-05T10:10:00Z"),
            premium.clone(),
        ),
        report(
            "b2",
            "2026-11-20T08:00:00Z",
            Some("2026-11-20T08:00:30Z"),
            premium,
        ),
        report(
            "c1",
            "2026-11-07T11:00:00Z",
            Some("2026-11-07T12:00:00Z"),
            json!({ "end_customer": { "email": "carol@example.com" }, "billing_state": "Billed" }),
        ),
        report(
            "c2",
            "2026-11-08T11:00:00Z",
            Some("2026-11-08T12:00:00Z"),
            json!({ "end_customer": { "email": "carol@example.com" }, "billing_state": "DoNotBill" }),
        ),
        report(
            "d1",
            "2026-11-12T09:00:00Z",
            None,
            json!({ "devicename": "dave-pc" }),
        ),
        report(
            "z1",
            "2026-10-31T23:59:00Z",
            Some("2026-11-01T00:30:00Z"),
            alice(),
        ),
        report(
            "z2",
            "2026-12-01T00:00:00Z",
            Some("2026-12-01T00:30:00Z"),
            alice(),
        ),
    ]
}

const RATES: &str = r#"merge_within_minutes = 10
[default]
name = "Standard"
hourly_rate = "90.00"
currency = "EUR"
base_fee = "0.00"
minimum_minutes = 15
increment_minutes = 15
free_under_seconds = 60
[[group]]
groupid = "g100002"
name = "Premium"
hourly_rate = "120.00"
currency = "EUR"
base_fee = "5.00"
minimum_minutes = 30
increment_minutes = 15
free_under_seconds = 60
"#;

struct Setup {
    dir: TempDir,
    archive: Arc<MemArchive>,
}

impl Setup {
    fn new() -> Setup {
        let dir = TempDir::new().unwrap();
        std::fs::write(dir.path().join("rates.toml"), RATES).unwrap();
        let archive = Arc::new(MemArchive::default());
        *archive.records.lock().unwrap() = november();
        Setup { dir, archive }
    }
    fn rates_path(&self) -> PathBuf {
        self.dir.path().join("rates.toml")
    }
    fn overrides_path(&self) -> PathBuf {
        self.dir.path().join("data").join("billing-overrides.json")
    }
    fn options(&self, settings: Settings) -> DeskOptions {
        let mut o = DeskOptions::new(settings, Arc::new(MemoryStore::new()));
        o.live = None;
        o.retry = fast_retry();
        o.archive = Some(Arc::clone(&self.archive) as Arc<dyn ArchiveStore>);
        o.rates_path = Some(self.rates_path());
        o.billing_overrides_path = Some(self.overrides_path());
        o
    }
    async fn desk(&self) -> Desk {
        Desk::new(self.options(Settings::default())).await.unwrap()
    }
    /// A desk signed in to a mocked TeamViewer at `server`.
    async fn desk_on(&self, server: &MockServer) -> Desk {
        Mock::given(method("GET"))
            .and(path("/api/v1/ping"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "token_valid": true })))
            .mount(server)
            .await;
        let settings = Settings {
            mode: Mode::Teamviewer,
            client_id: "some-client".into(),
            api_url: server.uri(),
            login_url: server.uri(),
            ..Settings::default()
        };
        let desk = Desk::new(self.options(settings)).await.unwrap();
        desk.sign_in_with_script_token(Secret::new("script-token"))
            .await
            .unwrap();
        desk
    }
}

async fn open_november(desk: &Desk) -> BillingWorklist {
    desk.billing_worklist(
        Some(t("2026-11-01T00:00:00Z")),
        Some(t("2026-12-01T00:00:00Z")),
    )
    .await
    .unwrap()
}

/// A case as `(amount, connection ids)`.
type CaseShape = (String, Vec<String>);

/// `customer: [amount (connection ids)…]` for each customer of the worklist.
fn shape(w: &BillingWorklist) -> Vec<(String, Vec<CaseShape>)> {
    w.customers
        .iter()
        .map(|c| {
            (
                c.customer.clone(),
                c.cases
                    .iter()
                    .map(|k| {
                        (
                            k.amount.clone(),
                            k.connections.iter().map(|x| x.id.clone()).collect(),
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn the_worklist_lists_unbilled_cases_per_customer_with_hand_computed_amounts() {
    let s = Setup::new();
    let desk = s.desk().await;
    let w = open_november(&desk).await;
    assert_eq!(
        shape(&w),
        vec![
            (
                "Bob Builder".to_owned(),
                vec![("65.00".to_owned(), ids(&["b1"]))]
            ),
            (
                "alice@example.com".to_owned(),
                vec![
                    ("67.50".to_owned(), ids(&["a1", "a2"])),
                    ("90.00".to_owned(), ids(&["a3"])),
                ]
            ),
        ],
        "unbilled cases by customer key, then start; carol's billed case is not listed"
    );
    let alice = &w.customers[1];
    assert_eq!(
        (
            alice.totals[0].currency.as_str(),
            alice.totals[0].amount.as_str()
        ),
        ("EUR", "157.50"),
        "a customer's total per currency"
    );
    assert_eq!(w.totals.len(), 1);
    assert_eq!(w.totals[0].amount, "222.50", "the period's unbilled total");
    let case = &alice.cases[0];
    assert_eq!(
        (
            case.billable_seconds,
            case.billable_minutes,
            case.rate_name.as_str(),
            case.hourly_rate.as_str()
        ),
        (35 * 60, 45, "Standard", "90.00")
    );
    assert_eq!(case.unbilled_ids, ids(&["a1", "a2"]));
    assert_eq!(w.billed_cases, 1, "carol's case is billed already");
    assert_eq!(w.connections, 8, "z1 and z2 lie outside the period");
    let mut excluded: Vec<(String, ExcludedReason)> = w
        .excluded
        .iter()
        .map(|e| (e.id.clone(), e.reason))
        .collect();
    excluded.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        excluded,
        vec![
            ("b2".to_owned(), ExcludedReason::Free),
            ("c2".to_owned(), ExcludedReason::NotBillable),
            ("d1".to_owned(), ExcludedReason::Running),
        ]
    );
    assert_eq!(
        w.period_customers,
        ids(&["Bob Builder", "alice@example.com", "carol@example.com"]),
        "every customer with a case may be exported, billed or not"
    );
    assert!(w.archive && w.rates_problem.is_none() && w.error.is_none() && w.dropped.is_empty());
    assert_eq!(
        desk.subscribe_billing().borrow().as_ref(),
        Some(&w),
        "the worklist is the state the UI hears"
    );
}

#[tokio::test]
async fn a_period_must_start_before_it_ends_and_defaults_to_last_month() {
    let s = Setup::new();
    let desk = s.desk().await;
    let err = desk
        .billing_worklist(
            Some(t("2026-12-01T00:00:00Z")),
            Some(t("2026-11-01T00:00:00Z")),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        last_month(t("2026-01-15T10:00:00Z")),
        (t("2025-12-01T00:00:00Z"), t("2026-01-01T00:00:00Z")),
        "January's last month is December of the year before"
    );
    assert_eq!(
        last_month(t("2026-12-01T00:00:00Z")),
        (t("2026-11-01T00:00:00Z"), t("2026-12-01T00:00:00Z"))
    );
    let w = desk.billing_worklist(None, None).await.unwrap();
    assert_eq!(
        (w.from, w.to),
        last_month(Utc::now()),
        "no period given: last month"
    );
}

#[tokio::test]
async fn without_an_archive_the_worklist_says_so() {
    let s = Setup::new();
    let mut o = s.options(Settings::default());
    o.archive = None;
    let desk = Desk::new(o).await.unwrap();
    let w = open_november(&desk).await;
    assert!(!w.archive && w.customers.is_empty(), "{w:?}");
}

fn form(desk: &Desk) -> RatesForm {
    desk.billing_rates().rates
}

#[tokio::test]
async fn saved_rates_go_to_the_file_and_price_the_worklist_again() {
    let s = Setup::new();
    let desk = s.desk().await;
    open_november(&desk).await;
    let mut heard = desk.subscribe_billing();
    heard.borrow_and_update();
    let mut rates = form(&desk);
    assert_eq!(
        rates.default.hourly_rate, "90.00",
        "the file's rates are in use"
    );
    assert_eq!(rates.groups.len(), 1);
    rates.default.hourly_rate = "100".into();
    rates.groups.clear();
    let view = desk.save_billing_rates(&rates).await.unwrap();
    assert!(view.from_file && view.problem.is_none());
    assert_eq!(view.rates.default.hourly_rate, "100.00");
    let saved = sdesk_core::billing::Rates::load(&s.rates_path())
        .unwrap()
        .unwrap();
    assert_eq!(
        saved.default.hourly_rate.to_string(),
        "100",
        "the file holds the new rate"
    );
    assert!(saved.groups.is_empty());
    assert!(heard.has_changed().unwrap(), "a new worklist is published");
    let w = heard.borrow().clone().unwrap();
    // a3: 60 billable minutes at 100/h; b1 now at the default rate: 10 min → minimum 15 → 25.00.
    assert_eq!(
        shape(&w)[0].1,
        vec![("25.00".to_owned(), ids(&["b1"]))],
        "Bob falls back to the default rate"
    );
    assert_eq!(shape(&w)[1].1[1].0, "100.00");
    // A new desk (the next launch) reads the same file.
    drop(desk);
    let again = s.desk().await;
    assert_eq!(form(&again).default.hourly_rate, "100.00");
}

#[tokio::test]
async fn an_invalid_form_names_the_field_and_saves_nothing() {
    let s = Setup::new();
    let desk = s.desk().await;
    let before = std::fs::read_to_string(s.rates_path()).unwrap();
    let mut rates = form(&desk);
    rates.default.hourly_rate = "9x".into();
    let err = desk.save_billing_rates(&rates).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("default hourly rate"), "{err}");
    let mut rates = form(&desk);
    rates.groups[0].groupid = Some(" ".into());
    rates.groups[0].groupname = None;
    let err = desk.save_billing_rates(&rates).await.unwrap_err();
    assert!(err.to_string().contains("group rate 1"), "{err}");
    let mut rates = form(&desk);
    rates.default.currency = "EURO".into();
    assert_eq!(
        desk.save_billing_rates(&rates).await.unwrap_err().kind(),
        ErrorKind::InvalidInput,
        "the file's own rules apply too"
    );
    assert_eq!(
        std::fs::read_to_string(s.rates_path()).unwrap(),
        before,
        "nothing was written"
    );
}

#[tokio::test]
async fn an_invalid_rates_file_is_left_alone_and_the_defaults_are_used_with_a_warning() {
    let s = Setup::new();
    let broken = "merge_within_minutes = 10\n[default]\nhourly_rate = 90.00\n";
    std::fs::write(s.rates_path(), broken).unwrap();
    let desk = s.desk().await;
    let view = desk.billing_rates();
    let problem = view.problem.expect("the problem is reported");
    assert!(
        matches!(problem.kind, ErrorKind::InvalidInput | ErrorKind::Config),
        "{problem:?}"
    );
    assert!(!view.from_file);
    assert_eq!(
        view.rates,
        RatesForm::from(&sdesk_core::billing::Rates::default())
    );
    let w = open_november(&desk).await;
    assert!(
        w.rates_problem.is_some(),
        "the worklist warns that it uses the defaults"
    );
    assert_eq!(
        shape(&w)[0].1[0].0,
        "22.50",
        "Bob at the default rate: minimum 15 min at 90/h"
    );
    assert_eq!(
        std::fs::read_to_string(s.rates_path()).unwrap(),
        broken,
        "the file is left as it is"
    );
}

#[tokio::test]
async fn manual_merges_and_splits_are_kept_priced_and_dropped_when_stale() {
    let s = Setup::new();
    let desk = s.desk().await;
    open_november(&desk).await;
    // Alice's two cases become one: union 35 + 50 min = 85 → 90 billable → 135.00.
    let w = desk
        .change_billing_cases(CaseOverride::Merge {
            first: "a1".into(),
            second: "a3".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        shape(&w)[1].1,
        vec![("135.00".to_owned(), ids(&["a1", "a2", "a3"]))]
    );
    assert!(
        w.customers[1].cases[0].manual,
        "the case is marked as manual"
    );
    assert_eq!(w.customers[1].totals[0].amount, "135.00");
    assert!(s.overrides_path().exists(), "kept in the data directory");
    // Kept across launches.
    drop(desk);
    let desk = s.desk().await;
    assert_eq!(shape(&open_november(&desk).await)[1].1.len(), 1);
    // Cut before a2: [a1] 20 → 30 min 45.00; [a2, a3] 15 + 50 = 65 → 75 min 112.50.
    let w = desk
        .change_billing_cases(CaseOverride::Split {
            before: "a2".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        shape(&w)[1].1,
        vec![
            ("45.00".to_owned(), ids(&["a1"])),
            ("112.50".to_owned(), ids(&["a2", "a3"])),
        ]
    );
    // Changes that do not apply are refused, and nothing is kept.
    let saved = std::fs::read_to_string(s.overrides_path()).unwrap();
    for (change, what) in [
        (
            CaseOverride::Merge {
                first: "a1".into(),
                second: "b1".into(),
            },
            "two customers",
        ),
        (
            CaseOverride::Merge {
                first: "a2".into(),
                second: "a3".into(),
            },
            "one case already",
        ),
        (
            CaseOverride::Split {
                before: "a1".into(),
            },
            "opens its case",
        ),
        (
            CaseOverride::Split {
                before: "nope".into(),
            },
            "unknown",
        ),
        (
            CaseOverride::Split {
                before: "b2".into(),
            },
            "free",
        ),
    ] {
        let err = desk.change_billing_cases(change).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{what}: {err}");
    }
    assert_eq!(std::fs::read_to_string(s.overrides_path()).unwrap(), saved);
    // a2 becomes DoNotBill elsewhere: the split before it no longer applies, it is dropped
    // with a note; the merge still applies to a1 and a3.
    s.archive.set_state("a2", "DoNotBill");
    let w = open_november(&desk).await;
    assert_eq!(w.dropped.len(), 1, "{:?}", w.dropped);
    assert_eq!(w.dropped[0].reason, DropReason::Excluded);
    // The merge still joins a1 and a3: 20 + 50 = 70 min → 75 billable → 112.50.
    assert_eq!(
        shape(&w)[1].1,
        vec![("112.50".to_owned(), ids(&["a1", "a3"]))]
    );
    let w = open_november(&desk).await;
    assert!(
        w.dropped.is_empty(),
        "a dropped change is gone from the file: noted once"
    );
    // Undo: the merge of a1's case is forgotten too.
    let w = desk.reset_billing_case("a1").await.unwrap().unwrap();
    assert_eq!(
        shape(&w)[1].1,
        vec![
            ("45.00".to_owned(), ids(&["a1"])),
            ("90.00".to_owned(), ids(&["a3"])),
        ]
    );
}

#[tokio::test]
async fn mark_billed_sends_each_connection_lists_a_failure_and_a_retry_finishes() {
    let server = MockServer::start().await;
    let s = Setup::new();
    let desk = s.desk_on(&server).await;
    open_november(&desk).await;
    Mock::given(method("PUT"))
        .and(path("/api/v1/reports/connections/a1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/v1/reports/connections/a2"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(
                json!({ "error": "invalid_request", "error_description": "try later" }),
            ),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let mut seen = Vec::new();
    let result = desk
        .mark_billed(&ids(&["a1", "a2"]), &mut |p| seen.push(p))
        .await
        .unwrap();
    assert_eq!(result.marked, ids(&["a1"]));
    assert_eq!(result.failed.len(), 1);
    assert_eq!(
        (
            result.failed[0].id.as_str(),
            result.failed[0].customer.as_str()
        ),
        ("a2", "alice@example.com"),
        "the failure names the connection and its customer"
    );
    let last = seen.last().unwrap();
    assert_eq!((last.done, last.total, last.failed), (2, 2, 1), "{seen:?}");
    assert_eq!(
        s.archive.state_of("a1").as_deref(),
        Some("Billed"),
        "the archive follows"
    );
    assert_eq!(s.archive.state_of("a2").as_deref(), Some("Bill"));
    let w = desk.subscribe_billing().borrow().clone().unwrap();
    let case = &w.customers[1].cases[0];
    assert_eq!(
        case.unbilled_ids,
        ids(&["a2"]),
        "the case stays while a2 is not billed, nothing silently half done"
    );
    // Retry the failed one.
    Mock::given(method("PUT"))
        .and(path("/api/v1/reports/connections/a2"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let retry = desk.mark_billed(&ids(&["a2"]), &mut |_| {}).await.unwrap();
    assert_eq!((retry.marked.len(), retry.failed.len()), (1, 0));
    let w = desk.subscribe_billing().borrow().clone().unwrap();
    assert_eq!(
        shape(&w)[1].1,
        vec![("90.00".to_owned(), ids(&["a3"]))],
        "the marked case is gone from the worklist"
    );
    assert_eq!(w.billed_cases, 2);
    // Ids that are not unbilled connections of the worklist are refused before anything is sent.
    for bad in [ids(&["a1"]), ids(&["c1"]), ids(&["zzz"]), Vec::new()] {
        let err = desk.mark_billed(&bad, &mut |_| {}).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}: {err}");
    }
    // The `expect(1)`s: a1 and a2 were each sent once successfully, never again.
    server.verify().await;
}

fn read_xlsx(path: &Path) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

#[tokio::test]
async fn invoice_lines_export_as_csv_and_xlsx_per_customer() {
    let s = Setup::new();
    let desk = s.desk().await;
    let out = s.dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let csv = out.join("alice.csv");
    assert_eq!(
        desk.export_invoice(&csv, Some("alice@example.com"), InvoiceFormat::Csv)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput,
        "no period opened yet"
    );
    open_november(&desk).await;
    let done = desk
        .export_invoice(&csv, Some("alice@example.com"), InvoiceFormat::Csv)
        .await
        .unwrap();
    assert_eq!(done.rows, 2);
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], REPORT_HEADER.join(","));
    assert_eq!(
        lines[1],
        "alice@example.com,2026-11-03T09:00:00Z,2026-11-03T09:40:00Z,2,2100,45,Standard,90.00,0.00,EUR,67.50,a1 a2"
    );
    assert_eq!(lines.len(), 3);
    // Every customer, billed cases too (carol's), as XLSX.
    let xlsx = out.join("all.xlsx");
    let done = desk
        .export_invoice(&xlsx, None, InvoiceFormat::Xlsx)
        .await
        .unwrap();
    assert_eq!(done.rows, 4);
    let rows = read_xlsx(&xlsx);
    assert_eq!(rows.len(), 5, "header and one line per case");
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    assert_eq!(
        header,
        REPORT_HEADER
            .iter()
            .map(|h| (*h).to_owned())
            .collect::<Vec<_>>()
    );
    let customers: Vec<String> = rows[1..].iter().map(|r| r[0].to_string()).collect();
    assert_eq!(
        customers,
        ids(&[
            "Bob Builder",
            "alice@example.com",
            "alice@example.com",
            "carol@example.com"
        ])
    );
    let amounts: Vec<f64> = rows[1..]
        .iter()
        .map(|r| match &r[10] {
            Data::Float(f) => *f,
            other => panic!("the amount is a number cell: {other:?}"),
        })
        .collect();
    assert_eq!(
        amounts,
        vec![65.0, 67.5, 90.0, 90.0],
        "carol's billed hour at 90/h"
    );
    assert_eq!(rows[2][11].to_string(), "a1 a2");
    let err = desk
        .export_invoice(&out.join("x.csv"), Some("nobody"), InvoiceFormat::Csv)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(!out.join("x.csv").exists(), "no empty file is left");
}

#[tokio::test]
async fn a_run_that_stops_early_lists_every_connection_it_did_not_send() {
    let server = MockServer::start().await;
    let s = Setup::new();
    let desk = s.desk_on(&server).await;
    open_november(&desk).await;
    // No permission to edit reports: no other connection can escape it, the run stops.
    Mock::given(method("PUT"))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(
                json!({ "error": "forbidden", "error_description": "no permission" }),
            ),
        )
        .mount(&server)
        .await;
    let asked = ids(&["a1", "a2", "a3"]);
    let result = desk.mark_billed(&asked, &mut |_| {}).await.unwrap();
    assert!(result.marked.is_empty(), "{result:?}");
    let mut listed: Vec<String> = result.failed.iter().map(|f| f.id.clone()).collect();
    listed.sort();
    assert_eq!(
        listed, asked,
        "every connection asked for is accounted for, the unsent ones too: {result:?}"
    );
    assert!(
        result
            .failed
            .iter()
            .all(|f| f.error.kind == ErrorKind::Forbidden && f.customer == "alice@example.com"),
        "{result:?}"
    );
    let w = desk.subscribe_billing().borrow().clone().unwrap();
    assert_eq!(w.customers[1].cases.len(), 2, "nothing left the worklist");
}

#[tokio::test]
async fn a_billing_state_set_in_the_log_reaches_the_worklist_at_once() {
    let server = MockServer::start().await;
    let s = Setup::new();
    let desk = s.desk_on(&server).await;
    open_november(&desk).await;
    Mock::given(method("PUT"))
        .and(path("/api/v1/reports/connections/a3"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let query = sdesk_core::desk::LogQuery {
        from: Some(t("2026-11-01T00:00:00Z")),
        to: Some(t("2026-12-01T00:00:00Z")),
        ..sdesk_core::desk::LogQuery::default()
    };
    desk.load_archived_logs(&query, false, &mut |_| {})
        .await
        .unwrap();
    desk.update_log_record("a3", "", "Billed").await.unwrap();
    assert_eq!(s.archive.state_of("a3").as_deref(), Some("Billed"));
    let w = desk.subscribe_billing().borrow().clone().unwrap();
    assert_eq!(
        shape(&w)[1].1,
        vec![("67.50".to_owned(), ids(&["a1", "a2"]))],
        "the case billed in the log view left the worklist without a sync"
    );
}
