//! Shared helpers of the archive tests: generated records, a fake API with faults, and checks
//! that run against every backend (SQLite here, PostgreSQL when a server is available).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod pg;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sdesk_archive::{
    sync, Archive, ArchiveQuery, ArchiveUrl, SyncMode, SyncOptions, SyncReport, SCHEMA_VERSION,
};
use sdesk_core::logs::{PageBody, ReportPager};
use sdesk_core::models::{ReportPage, ReportQuery, ReportUpdate};
use sdesk_core::{Error, ErrorKind, Result};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Mutex;
use tokio_util::sync::CancellationToken;

pub fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub fn base() -> DateTime<Utc> {
    t("2025-03-01T08:00:00Z")
}

/// Record `i`: starts `i` hours after [`base`], lasts 30 minutes; every third has a session code
/// with the code-only fields, every fourth is in no group, every fifth has no device name.
pub fn record(i: usize) -> Value {
    let start = base() + Duration::hours(i as i64);
    let end = start + Duration::minutes(30);
    let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut r = json!({
        "id": format!("rec-{i:05}"),
        "userid": if i % 2 == 0 { "u100" } else { "u200" },
        "username": if i % 2 == 0 { "Anna Admin" } else { "Ben Support" },
        "deviceid": format!("d{}", 1000 + i % 7),
        "start_date": fmt(start),
        "end_date": fmt(end),
        "fee": "0.00",
        "currency": "EUR",
        "billing_state": "Bill",
        "support_session_type": if i % 3 == 0 { 2 } else { 1 },
    });
    let o = r.as_object_mut().unwrap();
    if i % 4 != 0 {
        o.insert("groupid".into(), json!(format!("g{}", 10 + i % 2)));
        o.insert("groupname".into(), json!("Customers"));
    }
    if i % 5 != 0 {
        o.insert("devicename".into(), json!(format!("PC-{}", i % 7)));
    }
    if i % 3 == 0 {
        o.insert(
            "session_code".into(),
            json!(format!("s{:03}-000-{i:03}", i % 1000)),
        );
        o.insert("assigned_userid".into(), json!("u100"));
        o.insert(
            "assigned_at".into(),
            json!(fmt(start - Duration::minutes(5))),
        );
        o.insert(
            "session_created_at".into(),
            json!(fmt(start - Duration::minutes(6))),
        );
        o.insert("valid_until".into(), json!(fmt(start + Duration::days(1))));
        o.insert("session_note".into(), json!(format!("note {i}")));
        o.insert("custom_api".into(), json!(format!("ticket-{i}")));
        o.insert(
            "end_customer".into(),
            json!({"name": "Jörg Kunde", "email": "j@example.com"}),
        );
        o.insert(
            "feedback".into(),
            json!({"session_rating": 5, "user_comment": "Sehr GUT"}),
        );
    }
    r
}

pub fn records(n: usize) -> Vec<Value> {
    (0..n).map(record).collect()
}

pub fn typed(v: &Value) -> sdesk_core::models::ConnectionReport {
    serde_json::from_value(v.clone()).unwrap()
}

pub fn ids(reports: &[sdesk_core::models::ConnectionReport]) -> Vec<String> {
    reports.iter().map(|r| r.id.clone()).collect()
}

/// One request of the fake API: its `from_date` and `offset_id`.
pub type Request = (Option<DateTime<Utc>>, Option<String>);

/// A fake `GET /reports/connections`: the records newest end date first, `from_date` on the
/// start, paging by `offset_id`, pages delivered as JSON. Faults: fail the Nth request once;
/// hang forever on the Nth request (a "kill" when the caller drops the future).
#[derive(Debug)]
pub struct FakeApi {
    pub records: Mutex<Vec<Value>>,
    pub page_size: usize,
    pub fail_once_at: Mutex<Option<usize>>,
    pub hang_at: Option<usize>,
    pub hung: tokio::sync::Notify,
    /// The Nth request waits (after notifying `hung`) until `resume` is notified.
    pub pause_at: Option<usize>,
    pub resume: tokio::sync::Notify,
    pub requests: Mutex<Vec<Request>>,
}

impl FakeApi {
    pub fn new(records: Vec<Value>, page_size: usize) -> Self {
        Self {
            records: Mutex::new(records),
            page_size,
            fail_once_at: Mutex::new(None),
            hang_at: None,
            hung: tokio::sync::Notify::new(),
            pause_at: None,
            resume: tokio::sync::Notify::new(),
            requests: Mutex::new(Vec::new()),
        }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// The JSON page for `query` from `offset_id` on (what `GET /reports/connections` answers).
    pub fn body(&self, query: &ReportQuery, offset_id: Option<&str>) -> Vec<u8> {
        let mut all: Vec<Value> = self
            .records
            .lock()
            .unwrap()
            .iter()
            .filter(|r| {
                let start = t(r["start_date"].as_str().unwrap());
                query.from_date.is_none_or(|f| start >= f)
            })
            .cloned()
            .collect();
        all.sort_by(|a, b| {
            b["end_date"]
                .as_str()
                .cmp(&a["end_date"].as_str())
                .then_with(|| a["id"].as_str().cmp(&b["id"].as_str()))
        });
        let begin = match offset_id {
            None => 0,
            Some(o) => all
                .iter()
                .position(|r| r["id"] == o)
                .map_or(all.len(), |p| p + 1),
        };
        let page: Vec<Value> = all[begin..].iter().take(self.page_size).cloned().collect();
        let remaining = all.len() - begin - page.len();
        let mut body = json!({"records": page, "records_remaining": remaining});
        if let Some(last) = page.last() {
            body["next_offset"] = last["id"].clone();
        }
        serde_json::to_vec(&body).unwrap()
    }
}

#[async_trait]
impl ReportPager for FakeApi {
    async fn report_page(
        &self,
        query: &ReportQuery,
        offset_id: Option<&str>,
    ) -> Result<ReportPage> {
        match self.report_page_body(query, offset_id).await? {
            PageBody::Json(b) => ReportPage::from_json(&b),
            PageBody::Decoded(p) => Ok(p),
        }
    }

    async fn report_page_body(
        &self,
        query: &ReportQuery,
        offset_id: Option<&str>,
    ) -> Result<PageBody> {
        let n = {
            let mut r = self.requests.lock().unwrap();
            r.push((query.from_date, offset_id.map(str::to_owned)));
            r.len()
        };
        if self.hang_at == Some(n) {
            self.hung.notify_one();
            std::future::pending::<()>().await;
        }
        if self.pause_at == Some(n) {
            self.hung.notify_one();
            self.resume.notified().await;
        }
        {
            let mut fail = self.fail_once_at.lock().unwrap();
            if *fail == Some(n) {
                *fail = None;
                return Err(Error::Server {
                    status: 503,
                    message: "injected".into(),
                });
            }
        }
        Ok(PageBody::Json(self.body(query, offset_id)))
    }
}

pub fn no_progress() -> impl FnMut(sdesk_archive::SyncProgress) + Send {
    |_| {}
}

/// One sync with `options`, never cancelled, no progress reports.
pub async fn sync_with(
    archive: &Archive,
    api: &dyn ReportPager,
    options: &SyncOptions,
) -> Result<SyncReport> {
    sync(
        archive,
        api,
        options,
        &CancellationToken::new(),
        &mut no_progress(),
    )
    .await
}

/// One sync with the default options, never cancelled, no progress reports.
pub async fn sync_once(archive: &Archive, api: &dyn ReportPager) -> Result<SyncReport> {
    sync_with(archive, api, &SyncOptions::default()).await
}

pub async fn all_ids(archive: &Archive) -> Vec<String> {
    ids(&archive.query(&ArchiveQuery::default()).await.unwrap())
}

/// Asserts that the archive holds exactly records 0..n, once each.
pub async fn assert_exactly(archive: &Archive, n: usize, what: &str) {
    let got = all_ids(archive).await;
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "{what}: no record is stored twice");
    let expected: Vec<String> = (0..n).map(|i| format!("rec-{i:05}")).collect();
    assert_eq!(
        got, expected,
        "{what}: every record, sorted by start, no gaps"
    );
}

// ---- checks shared by the backends ---------------------------------------------------------

/// Upsert counts: new, then unchanged, then one changed + one new.
pub async fn check_upsert_counts(url: &ArchiveUrl) {
    let archive = Archive::open(url).await.unwrap();
    let mut batch: Vec<_> = records(3).iter().map(typed).collect();
    let c = archive.upsert(&batch).await.unwrap();
    assert_eq!(
        (c.new, c.updated, c.unchanged),
        (3, 0, 0),
        "a fresh archive: all new"
    );
    let c = archive.upsert(&batch).await.unwrap();
    assert_eq!(
        (c.new, c.updated, c.unchanged),
        (0, 0, 3),
        "the same records again change nothing"
    );
    batch[1].notes = Some("called back".into());
    batch.push(typed(&record(3)));
    let c = archive.upsert(&batch).await.unwrap();
    assert_eq!(
        (c.new, c.updated, c.unchanged),
        (1, 1, 2),
        "one changed note is an update, one unknown id is new"
    );
    let stored = archive.raw_record("rec-00001").await.unwrap().unwrap();
    assert_eq!(
        stored["notes"], "called back",
        "the update replaced the stored record"
    );
    assert_eq!(archive.stats().await.unwrap().records, 4);
}

/// An archive query with one API filter: `set` fills in a default [`ReportQuery`].
fn filtered(set: impl FnOnce(&mut ReportQuery)) -> ArchiveQuery {
    let mut filter = ReportQuery::default();
    set(&mut filter);
    ArchiveQuery {
        filter,
        ..ArchiveQuery::default()
    }
}

/// A query read in parts hands over the records of the whole query, in its order, in parts of
/// the size asked (the last one shorter), and the count.
pub async fn check_query_in_parts(url: &ArchiveUrl) {
    let archive = Archive::open(url).await.unwrap();
    archive.upsert_json(&records(25)).await.unwrap();
    let query = filtered(|f| f.from_date = Some(base() + Duration::hours(2)));
    let whole = archive.query(&query).await.unwrap();
    assert!(
        whole.len() > 10,
        "the query keeps enough records to need parts"
    );
    let parts = std::sync::Arc::new(Mutex::new(Vec::new()));
    let into = std::sync::Arc::clone(&parts);
    let count = archive
        .query_in_parts(&query, 4, move |part| into.lock().unwrap().push(part))
        .await
        .unwrap();
    let parts = std::mem::take(&mut *parts.lock().unwrap());
    assert_eq!(count as usize, whole.len(), "the count is of every record");
    let sizes: Vec<usize> = parts.iter().map(Vec::len).collect();
    assert!(
        sizes.iter().all(|&n| n == 4) || sizes[..sizes.len() - 1].iter().all(|&n| n == 4),
        "parts of the size asked, only the last shorter: {sizes:?}"
    );
    assert!(sizes.iter().all(|&n| n > 0), "no empty part: {sizes:?}");
    assert_eq!(
        parts.into_iter().flatten().collect::<Vec<_>>(),
        whole,
        "the parts joined are the query's records in its order"
    );
}

/// Query filters with the API's meanings.
pub async fn check_query_filters(url: &ArchiveUrl) {
    let archive = Archive::open(url).await.unwrap();
    archive.upsert_json(&records(24)).await.unwrap();
    let q = |f: ReportQuery| ArchiveQuery {
        filter: f,
        ..ArchiveQuery::default()
    };
    let found = |q: ArchiveQuery| {
        let archive = archive.clone();
        async move { ids(&archive.query(&q).await.unwrap()) }
    };
    let name = |i: usize| format!("rec-{i:05}");

    // from: start >= from (inclusive); to: start < to (exclusive) — both on start_date. Record 5
    // starts exactly at `from`; record 8 starts exactly at `to`.
    let from = base() + Duration::hours(5);
    let to = base() + Duration::hours(8);
    // Record 7 runs 7:00–7:30, across this `to`.
    let got = found(q(ReportQuery {
        from_date: Some(from),
        to_date: Some(base() + Duration::minutes(7 * 60 + 10)),
        ..ReportQuery::default()
    }))
    .await;
    assert_eq!(
        got,
        vec![name(5), name(6), name(7)],
        "to filters on start: record 7 starts before 'to' and ends after it, and is included"
    );
    let got = found(q(ReportQuery {
        from_date: Some(from),
        to_date: Some(to),
        ..ReportQuery::default()
    }))
    .await;
    assert_eq!(
        got,
        vec![name(5), name(6), name(7)],
        "from is inclusive (record 5 starts at it), to is exclusive (record 8 starts at it)"
    );

    let got = found(filtered(|f| f.userid = Some("u200".into()))).await;
    assert_eq!(got.len(), 12, "userid: the odd records");
    assert!(got.iter().all(|id| id.ends_with(['1', '3', '5', '7', '9'])));
    let got = found(filtered(|f| f.username = Some("Anna Admin".into()))).await;
    assert_eq!(got.len(), 12, "username: the even records");
    let got = found(filtered(|f| f.groupid = Some("0".into()))).await;
    assert_eq!(
        got,
        (0..24).step_by(4).map(name).collect::<Vec<_>>(),
        "groupid 0 means devices in no group"
    );
    let got = found(filtered(|f| f.groupid = Some("g11".into()))).await;
    assert_eq!(
        got,
        (0..24)
            .filter(|i| i % 4 != 0 && i % 2 == 1)
            .map(name)
            .collect::<Vec<_>>()
    );
    let got = found(filtered(|f| f.devicename = Some("unnamed_device".into()))).await;
    assert_eq!(
        got,
        (0..24).step_by(5).map(name).collect::<Vec<_>>(),
        "devicename unnamed_device means records without a device name"
    );
    let got = found(filtered(|f| f.devicename = Some("PC-3".into()))).await;
    assert_eq!(got, vec![name(3), name(17)]);
    let got = found(filtered(|f| f.deviceid = Some("d1002".into()))).await;
    assert_eq!(got, vec![name(2), name(9), name(16), name(23)]);
    let got = found(filtered(|f| f.session_code = Some("s009-000-009".into()))).await;
    assert_eq!(got, vec![name(9)]);
    let with_code = found(filtered(|f| f.has_code = Some(true))).await;
    assert_eq!(with_code, (0..24).step_by(3).map(name).collect::<Vec<_>>());
    let without = found(filtered(|f| f.has_code = Some(false))).await;
    assert_eq!(
        with_code.len() + without.len(),
        24,
        "has_code splits the archive"
    );
    let got = found(filtered(|f| f.support_session_type = Some(2))).await;
    assert_eq!(
        got, with_code,
        "type 2 (RemoteSupportActive) = the session-code records"
    );

    let text = |s: &str| ArchiveQuery {
        text: Some(s.into()),
        ..ArchiveQuery::default()
    };
    assert_eq!(
        found(text("  JÖRG kunde ")).await,
        with_code,
        "free text is trimmed and case-insensitive, Unicode included"
    );
    assert_eq!(
        found(text("ticket-12")).await,
        vec![name(12)],
        "custom_api is searched"
    );
    assert_eq!(
        found(text("sehr gut")).await.len(),
        8,
        "feedback comments are searched"
    );
    assert!(found(text("%")).await.is_empty(), "no LIKE wildcards");
    assert_eq!(
        found(text("   ")).await.len(),
        24,
        "blank text filters nothing"
    );

    let page = found(ArchiveQuery {
        limit: Some(5),
        offset: 10,
        ..ArchiveQuery::default()
    })
    .await;
    assert_eq!(
        page,
        (10..15).map(name).collect::<Vec<_>>(),
        "limit and offset window the sorted result"
    );
    let both = found(ArchiveQuery {
        filter: ReportQuery {
            userid: Some("u100".into()),
            has_code: Some(true),
            ..ReportQuery::default()
        },
        text: Some("jörg".into()),
        ..ArchiveQuery::default()
    })
    .await;
    assert_eq!(
        both,
        vec![name(0), name(6), name(12), name(18)],
        "filters combine with AND"
    );

    let bad = archive
        .query(&filtered(|f| f.userid = Some("123".into())))
        .await
        .unwrap_err();
    assert_eq!(
        bad.kind(),
        ErrorKind::InvalidInput,
        "ids are validated like API queries"
    );

    let raw = archive.raw_record("rec-00009").await.unwrap().unwrap();
    assert_eq!(
        raw,
        record(9),
        "the record's full JSON is kept, fields beyond the model too"
    );
    let r = archive
        .query(&filtered(|f| f.session_code = Some("s009-000-009".into())))
        .await
        .unwrap();
    assert_eq!(
        r[0].end_customer.as_ref().and_then(|c| c.name.as_deref()),
        Some("Jörg Kunde"),
        "query results carry every typed field"
    );
}

/// Stats, then pending edits that survive reopening.
/// The log view's first screen: newest start first (a record without a start last, equal starts
/// by id), limited, and the count of the whole filtered period.
pub async fn check_newest_first_and_count(url: &ArchiveUrl) {
    let archive = Archive::open(url).await.unwrap();
    let mut recs = records(10);
    // A twin of record 9 (same start, smaller id) and a record without a start date.
    let mut twin = record(9);
    twin["id"] = json!("rec-00009-a");
    let mut twin_b = record(9);
    twin_b["id"] = json!("rec-00009-0");
    let mut no_start = record(3);
    no_start["id"] = json!("rec-nostart");
    no_start.as_object_mut().unwrap().remove("start_date");
    recs.extend([twin, twin_b, no_start]);
    archive.upsert_json(&recs).await.unwrap();
    let newest = |limit: Option<u64>, filter: ReportQuery| ArchiveQuery {
        filter,
        limit,
        newest_first: true,
        ..ArchiveQuery::default()
    };
    let got = ids(&archive
        .query(&newest(None, ReportQuery::default()))
        .await
        .unwrap());
    let mut want = vec![
        "rec-00009".to_owned(),
        "rec-00009-0".into(),
        "rec-00009-a".into(),
    ];
    want.extend((0..9).rev().map(|i| format!("rec-{i:05}")));
    want.push("rec-nostart".into());
    assert_eq!(
        got, want,
        "newest start first, equal starts by id, a record without a start last"
    );
    let got = ids(&archive
        .query(&newest(Some(4), ReportQuery::default()))
        .await
        .unwrap());
    assert_eq!(got, want[..4].to_vec(), "the limit keeps the newest");
    let period = ReportQuery {
        from_date: Some(base() + Duration::hours(2)),
        to_date: Some(base() + Duration::hours(6)),
        ..ReportQuery::default()
    };
    let got = ids(&archive
        .query(&newest(Some(2), period.clone()))
        .await
        .unwrap());
    assert_eq!(
        got,
        vec!["rec-00005", "rec-00004"],
        "the period's newest two"
    );
    let count = archive.count(&newest(Some(2), period)).await.unwrap();
    assert_eq!(
        count, 4,
        "the count is the whole period's (records 2..6), not the limit's"
    );
    let all = archive.count(&ArchiveQuery::default()).await.unwrap();
    assert_eq!(all, 13, "every record counts, the one without a start too");
}

pub async fn check_pending_edits(url: &ArchiveUrl) {
    let archive = Archive::open(url).await.unwrap();
    let s = archive.stats().await.unwrap();
    assert_eq!((s.records, s.first_start, s.last_sync), (0, None, None));
    archive
        .upsert(&records(3).iter().map(typed).collect::<Vec<_>>())
        .await
        .unwrap();
    let s = archive.stats().await.unwrap();
    assert_eq!(s.records, 3);
    assert_eq!(s.first_start, Some(base()));
    assert_eq!(s.last_start, Some(base() + Duration::hours(2)));

    let a = archive
        .add_edit(
            "rec-00001",
            &ReportUpdate {
                notes: Some("invoice #7".into()),
                billing_state: None,
            },
        )
        .await
        .unwrap();
    let b = archive
        .add_edit(
            "rec-00002",
            &ReportUpdate {
                notes: None,
                billing_state: Some("Billed".into()),
            },
        )
        .await
        .unwrap();
    assert!(b.edit_id > a.edit_id, "edits are numbered in order");
    let refused = archive
        .add_edit(
            "rec-00002",
            &ReportUpdate {
                notes: None,
                billing_state: Some("Paid".into()),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        refused.kind(),
        ErrorKind::InvalidInput,
        "billing states are the API's three"
    );
    drop(archive);

    let archive = Archive::open(url).await.unwrap();
    let pending = archive.pending_edits().await.unwrap();
    assert_eq!(
        pending,
        vec![a.clone(), b.clone()],
        "edits survive closing the archive"
    );
    assert!(archive.mark_edit_sent(a.edit_id).await.unwrap());
    assert!(
        !archive.mark_edit_sent(a.edit_id).await.unwrap(),
        "an edit is marked sent once"
    );
    drop(archive);
    let archive = Archive::open(url).await.unwrap();
    let pending = archive.pending_edits().await.unwrap();
    assert_eq!(pending, vec![b], "only the unsent edit is pending");
    let all = archive.all_edits().await.unwrap();
    assert_eq!(all.len(), 2, "a sent edit is kept, marked");
    assert!(all[0].sent_at.is_some());
}

/// Migrations: from an empty database and from every earlier schema, data kept.
pub async fn check_migrations(fresh: &mut dyn FnMut() -> ArchiveUrl) {
    for from in 0..SCHEMA_VERSION {
        let url = fresh();
        let old = Archive::open_at_schema(&url, from).await.unwrap();
        assert_eq!(
            old.schema_version().await.unwrap(),
            from,
            "set up at schema {from}"
        );
        drop(old);
        let archive = Archive::open(&url).await.unwrap();
        assert_eq!(
            archive.schema_version().await.unwrap(),
            SCHEMA_VERSION,
            "migrated from schema {from} to the current one"
        );
        let c = archive.upsert(&[typed(&record(1))]).await.unwrap();
        assert_eq!(c.new, 1, "the migrated archive stores records");
        drop(archive);
        let again = Archive::open(&url).await.unwrap();
        assert_eq!(
            again.schema_version().await.unwrap(),
            SCHEMA_VERSION,
            "reopening applies nothing twice"
        );
        assert_eq!(all_ids(&again).await, vec!["rec-00001".to_owned()]);
    }
}

/// A sync that fails on page 3 keeps pages 1–2, and the next sync continues from the cursor.
pub async fn check_resume_after_failure(url: &ArchiveUrl) {
    let archive = Archive::open(url).await.unwrap();
    let api = FakeApi::new(records(50), 5);
    *api.fail_once_at.lock().unwrap() = Some(3);
    let err = sync_once(&archive, &api).await.unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Server,
        "the page error is returned: {err}"
    );
    assert_eq!(
        archive.stats().await.unwrap().records,
        10,
        "the two pages before the failure were committed"
    );
    let run = archive.sync_run().await.unwrap().unwrap();
    assert!(run.is_unfinished(), "the run is marked unfinished");
    assert_eq!(run.pages, 2);
    let cursor = run.cursor.clone().unwrap();

    let before = api.requests().len();
    let report = sync_once(&archive, &api).await.unwrap();
    let requests = api.requests();
    assert_eq!(
        requests[before].1.as_deref(),
        Some(cursor.as_str()),
        "the next sync continues at the committed cursor, not from the start"
    );
    assert!(report.resumed);
    assert_eq!(report.new, 40, "exactly the 40 missing records are new");
    assert_eq!(report.total, 50);
    assert_eq!(
        report.mode,
        SyncMode::Incremental,
        "then a normal incremental run follows"
    );
    assert_exactly(&archive, 50, "after the resumed sync").await;
    let run = archive.sync_run().await.unwrap().unwrap();
    assert!(!run.is_unfinished() && run.last_finished_at.is_some());
}

/// Two syncs of one archive at once: the second continues the first one's run, and the first
/// stops at its next commit with an error instead of writing a stale cursor.
pub async fn check_takeover(url: &ArchiveUrl) {
    let first = Archive::open(url).await.unwrap();
    let second = Archive::open(url).await.unwrap();
    let mut slow = FakeApi::new(records(30), 5);
    slow.pause_at = Some(3);
    let slow = std::sync::Arc::new(slow);
    let run = {
        let (first, slow) = (first.clone(), slow.clone());
        tokio::spawn(async move { sync_once(&first, slow.as_ref()).await })
    };
    slow.hung.notified().await;
    // Page 3 is requested ahead of page 2's commit (even page 1's): wait for page 2's commit.
    while second.sync_run().await.unwrap().map_or(0, |r| r.pages) < 2 {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    // The first run waits for page 3; another process syncs the same archive meanwhile.
    let api = FakeApi::new(records(30), 5);
    let report = sync_once(&second, &api).await.unwrap();
    assert!(
        report.resumed,
        "the second sync continued the first one's run"
    );
    assert_eq!(report.new, 20, "from the first run's cursor on");
    slow.resume.notify_one();
    let err = run.await.unwrap().unwrap_err();
    assert!(
        err.to_string().contains("took over"),
        "the first sync stops with a clear error: {err}"
    );
    assert_exactly(&first, 30, "after two overlapping syncs").await;
    let state = first.sync_run().await.unwrap().unwrap();
    assert!(
        !state.is_unfinished(),
        "the finished run is not reopened by the stale one"
    );
}
