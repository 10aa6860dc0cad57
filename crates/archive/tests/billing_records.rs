#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `Archive::billing_records` (the typed-column read behind billing and insight, issue 10) on
//! SQLite and, when SDESK_TEST_POSTGRES_URL names a server (scripts/with-postgres.sh), on
//! PostgreSQL: it returns exactly what `ArchiveStore`'s default (every record of the period
//! decoded from its JSON, then `BillingRecord::from_report`) returns.

mod common;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::pg::{fresh_db, server_url};
use common::{record, t};
use sdesk_archive::{Archive, ArchiveQuery, ArchiveUrl};
use sdesk_core::billing::BillingRecord;
use sdesk_core::desk::{ArchiveStore, ArchiveSyncCounts, StoredEdit};
use sdesk_core::logs::ReportPager;
use sdesk_core::models::{ConnectionReport, ReportQuery, ReportUpdate};
use sdesk_core::Result;
use serde_json::{json, Value};
use std::time::Duration;
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;

/// The archive seen only through `ArchiveStore`'s required methods, so that
/// `billing_records` is the trait's default (derived from `records`).
#[derive(Debug)]
struct DefaultOnly<'a>(&'a Archive);

#[async_trait]
impl ArchiveStore for DefaultOnly<'_> {
    async fn records(&self, query: &ReportQuery) -> Result<Vec<ConnectionReport>> {
        self.0.records(query).await
    }
    async fn newest_records(
        &self,
        query: &ReportQuery,
        limit: usize,
    ) -> Result<Vec<ConnectionReport>> {
        self.0.newest_records(query, limit).await
    }
    async fn count(&self, query: &ReportQuery) -> Result<u64> {
        ArchiveStore::count(self.0, query).await
    }
    async fn save(&self, records: &[ConnectionReport]) -> Result<()> {
        self.0.save(records).await
    }
    async fn add_pending_edit(&self, report_id: &str, update: &ReportUpdate) -> Result<()> {
        self.0.add_pending_edit(report_id, update).await
    }
    async fn pending_edits(&self) -> Result<Vec<StoredEdit>> {
        ArchiveStore::pending_edits(self.0).await
    }
    async fn mark_edit_sent(&self, edit_id: i64) -> Result<bool> {
        ArchiveStore::mark_edit_sent(self.0, edit_id).await
    }
    async fn sync(
        &self,
        pager: &dyn ReportPager,
        overlap: Duration,
        cancel: &CancellationToken,
        progress: &mut (dyn FnMut(ArchiveSyncCounts) + Send),
    ) -> Result<ArchiveSyncCounts> {
        ArchiveStore::sync(self.0, pager, overlap, cancel, progress).await
    }
    async fn last_sync(&self) -> Result<Option<DateTime<Utc>>> {
        ArchiveStore::last_sync(self.0).await
    }
}

fn from() -> DateTime<Utc> {
    t("2025-03-01T00:00:00Z")
}

fn to() -> DateTime<Utc> {
    t("2025-04-01T00:00:00Z")
}

/// A record with `id`, `start` and `end` (either may be absent) and the fields of `extra`.
fn with(id: &str, start: Option<&str>, end: Option<&str>, extra: Value) -> Value {
    let mut r = json!({ "id": id, "userid": "u1", "username": "Anna" });
    let o = r.as_object_mut().unwrap();
    if let Some(s) = start {
        o.insert("start_date".into(), json!(s));
    }
    if let Some(e) = end {
        o.insert("end_date".into(), json!(e));
    }
    for (k, v) in extra.as_object().unwrap() {
        o.insert(k.clone(), v.clone());
    }
    r
}

/// Boundary starts, running connections, and every shape of customer field; the ids say what
/// each one is. `in_period` lists those that start in [from, to).
fn edge_records() -> (Vec<Value>, Vec<&'static str>) {
    let end = Some("2025-03-10T11:00:00Z");
    let at = Some("2025-03-10T10:00:00Z");
    let records = vec![
        with(
            "before-from",
            Some("2025-02-28T23:59:59.999Z"),
            Some("2025-03-01T00:30:00Z"),
            json!({}),
        ),
        with(
            "at-from",
            Some("2025-03-01T00:00:00Z"),
            Some("2025-03-01T00:20:00Z"),
            json!({}),
        ),
        with(
            "just-before-to",
            Some("2025-03-31T23:59:59.999Z"),
            Some("2025-04-01T00:10:00Z"),
            json!({}),
        ),
        with(
            "at-to",
            Some("2025-04-01T00:00:00Z"),
            Some("2025-04-01T00:05:00Z"),
            json!({}),
        ),
        with("no-start", None, end, json!({})),
        with("running", at, None, json!({"billing_state": "Bill"})),
        with(
            "end-before-start",
            at,
            Some("2025-03-10T09:00:00Z"),
            json!({}),
        ),
        with(
            "micros",
            Some("2025-03-10T10:00:00.123456Z"),
            Some("2025-03-10T10:30:00.654321Z"),
            json!({}),
        ),
        with(
            "offset-time",
            Some("2025-03-10T12:00:00+02:00"),
            Some("2025-03-10T12:45:00+02:00"),
            json!({}),
        ),
        with(
            "email-upper",
            at,
            end,
            json!({"end_customer": {"email": "Joerg@Example.COM", "name": "Jörg"},
                   "devicename": "PC-1", "deviceid": "d1", "billing_state": "Billed"}),
        ),
        with(
            "email-unicode",
            at,
            end,
            json!({"end_customer": {"email": "  ÄRGER@Müller.de "}, "billing_state": "DoNotBill"}),
        ),
        with(
            "email-blank",
            at,
            end,
            json!({"end_customer": {"email": "   ", "name": " Jörg Müller "},
                   "devicename": "PC-2"}),
        ),
        with(
            "name-empty",
            at,
            end,
            json!({"end_customer": {"email": "", "name": ""}, "devicename": "PC-3",
                   "deviceid": "d3"}),
        ),
        with(
            "customer-null-fields",
            at,
            end,
            json!({"end_customer": {"email": null, "name": null}, "devicename": "",
                   "deviceid": "d4"}),
        ),
        with(
            "device-only",
            at,
            end,
            json!({"devicename": "Front desk\tPC", "billing_state": "billed"}),
        ),
        with("deviceid-only", at, end, json!({"deviceid": "123456789"})),
        with(
            "nothing",
            at,
            end,
            json!({"userid": null, "username": "", "groupid": "", "groupname": null}),
        ),
        with(
            "grouped",
            at,
            end,
            json!({"groupid": "g100002", "groupname": "Premium", "deviceid": "d5"}),
        ),
    ];
    let in_period = vec![
        "at-from",
        "just-before-to",
        "running",
        "end-before-start",
        "micros",
        "offset-time",
        "email-upper",
        "email-unicode",
        "email-blank",
        "name-empty",
        "customer-null-fields",
        "device-only",
        "deviceid-only",
        "nothing",
        "grouped",
    ];
    (records, in_period)
}

fn by_id(mut v: Vec<BillingRecord>) -> Vec<BillingRecord> {
    v.sort_by(|a, b| a.id.cmp(&b.id));
    v
}

async fn check_same_as_default(url: &ArchiveUrl) {
    let archive = Archive::open(url).await.unwrap();
    let (edges, in_period) = edge_records();
    archive.upsert_json(&edges).await.unwrap();
    // 800 ordinary records, one an hour from 2025-03-01T08:00Z: the last 64 start in April.
    let bulk: Vec<Value> = (0..800).map(record).collect();
    archive.upsert_json(&bulk).await.unwrap();

    let fast = by_id(archive.billing_records(from(), to()).await.unwrap());
    let default = by_id(
        DefaultOnly(&archive)
            .billing_records(from(), to())
            .await
            .unwrap(),
    );
    assert_eq!(
        fast.len(),
        in_period.len() + 736,
        "the edge records starting in [from, to) and the 736 hourly ones before April (744 h of March less 8)"
    );
    for (a, b) in fast.iter().zip(&default) {
        assert_eq!(
            a, b,
            "the typed-column read gives the same record as the default"
        );
    }
    assert_eq!(
        fast, default,
        "exactly the default's records: no more, no fewer"
    );
    for id in &in_period {
        assert!(
            fast.iter().any(|r| r.id == *id),
            "{id} starts in the period"
        );
    }
    for id in ["before-from", "at-to", "no-start"] {
        assert!(
            !fast.iter().any(|r| r.id == id),
            "{id} does not start in [from, to)"
        );
    }
    let get = |id: &str| fast.iter().find(|r| r.id == id).unwrap();
    assert_eq!(get("email-upper").customer, "joerg@example.com");
    assert_eq!(get("email-unicode").customer, "ärger@müller.de");
    assert_eq!(get("email-blank").customer, "Jörg Müller");
    assert_eq!(get("name-empty").customer, "PC-3");
    assert_eq!(get("customer-null-fields").customer, "d4");
    assert_eq!(get("device-only").customer, "Front desk\tPC");
    assert_eq!(get("nothing").customer, "");
    assert_eq!(get("running").end, None);
    assert_eq!(get("offset-time").start, t("2025-03-10T10:00:00Z"));
    assert_eq!(get("micros").start, t("2025-03-10T10:00:00.123456Z"));
    assert_eq!(get("device-only").billing_state.as_deref(), Some("billed"));

    // An empty or reversed period has no records.
    assert!(archive
        .billing_records(to(), to())
        .await
        .unwrap()
        .is_empty());
    assert!(archive
        .billing_records(to(), from())
        .await
        .unwrap()
        .is_empty());
    // The whole archive: every record with a start.
    let all = archive
        .billing_records(t("2000-01-01T00:00:00Z"), t("2100-01-01T00:00:00Z"))
        .await
        .unwrap();
    let with_start = archive
        .query(&ArchiveQuery::default())
        .await
        .unwrap()
        .iter()
        .filter(|r| r.start_date.is_some())
        .count();
    assert_eq!(all.len(), with_start, "every record that has a start");
}

#[tokio::test]
async fn sqlite_billing_records_equal_the_default() {
    let dir = TempDir::new().unwrap();
    check_same_as_default(&ArchiveUrl::Sqlite(dir.path().join("a.sqlite3"))).await;
}

#[tokio::test]
async fn postgres_billing_records_equal_the_default() {
    let Some(server) = server_url() else { return };
    check_same_as_default(&fresh_db(&server).await).await;
}

#[tokio::test]
async fn sqlite_billing_records_never_read_the_json() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("a.sqlite3");
    let archive = Archive::open(&ArchiveUrl::Sqlite(path.clone()))
        .await
        .unwrap();
    archive
        .upsert_json(&(0..10).map(record).collect::<Vec<_>>())
        .await
        .unwrap();
    // Damage one record's stored JSON behind the archive's back.
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute(
        "UPDATE reports SET record_json = 'not json' WHERE id = 'rec-00003'",
        [],
    )
    .unwrap();
    drop(c);
    assert!(
        DefaultOnly(&archive)
            .billing_records(from(), to())
            .await
            .is_err(),
        "the default decodes every record's JSON, and fails on the damaged one"
    );
    let fast = archive.billing_records(from(), to()).await.unwrap();
    assert_eq!(
        fast.len(),
        10,
        "the typed-column read never touches record_json, so it reads all ten"
    );
}
