#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The sync's pipeline: page N + 2 is requested while page N is still being committed, never
//! more pages ahead than that, a page that cannot be decoded ends the run after exactly the
//! pages before it, and a cancel during the pipeline keeps the committed pages and a run the
//! next sync continues.
//!
//! A commit is held back without any timing: the pager write-locks the archive file from the
//! first request on (the archive's commit then waits in SQLite's busy handler) and lets go at a
//! chosen request.

mod common;

use async_trait::async_trait;
use common::*;
use sdesk_archive::{sync, Archive, ArchiveUrl, SyncOptions};
use sdesk_core::logs::{PageBody, ReportPager};
use sdesk_core::models::{ReportPage, ReportQuery};
use sdesk_core::{ErrorKind, Result};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Mutex;
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;

fn file(dir: &TempDir) -> PathBuf {
    dir.path().join("a.sqlite3")
}

async fn archive(dir: &TempDir) -> Archive {
    Archive::open(&ArchiveUrl::Sqlite(file(dir))).await.unwrap()
}

/// The [`FakeApi`] behind a gate: from its first request until request `release_at`, another
/// connection holds the archive's write lock, so no page can be committed in between. Every
/// request notes how many records were committed when it was made.
struct Gated {
    api: FakeApi,
    file: PathBuf,
    release_at: usize,
    /// Cancelled at request `release_at`, just before the lock is let go.
    cancel_at_release: Option<CancellationToken>,
    lock: Mutex<Option<rusqlite::Connection>>,
    committed_at_request: Mutex<Vec<i64>>,
    /// Deliver decoded pages ([`PageBody::Decoded`], as a pager without JSON does) instead of
    /// the JSON body.
    decoded: bool,
}

impl Gated {
    fn new(api: FakeApi, file: PathBuf, release_at: usize) -> Self {
        Self {
            api,
            file,
            release_at,
            cancel_at_release: None,
            lock: Mutex::new(None),
            committed_at_request: Mutex::new(Vec::new()),
            decoded: false,
        }
    }

    fn committed_at_request(&self) -> Vec<i64> {
        self.committed_at_request.lock().unwrap().clone()
    }

    /// Takes or releases the lock for request `n` and notes the committed records.
    fn gate(&self, n: usize) {
        let mut lock = self.lock.lock().unwrap();
        if n == 1 {
            let c = rusqlite::Connection::open(&self.file).unwrap();
            c.execute_batch("BEGIN IMMEDIATE").unwrap();
            *lock = Some(c);
        }
        let reader = rusqlite::Connection::open(&self.file).unwrap();
        let committed: i64 = reader
            .query_row("SELECT COUNT(*) FROM reports", [], |r| r.get(0))
            .unwrap();
        self.committed_at_request.lock().unwrap().push(committed);
        if n == self.release_at {
            if let Some(cancel) = &self.cancel_at_release {
                cancel.cancel();
            }
            lock.take()
                .expect("the lock is held until now")
                .execute_batch("COMMIT")
                .unwrap();
        }
    }
}

#[async_trait]
impl ReportPager for Gated {
    async fn report_page(
        &self,
        query: &ReportQuery,
        offset_id: Option<&str>,
    ) -> Result<ReportPage> {
        self.api.report_page(query, offset_id).await
    }

    async fn report_page_body(
        &self,
        query: &ReportQuery,
        offset_id: Option<&str>,
    ) -> Result<PageBody> {
        self.gate(self.api.requests().len() + 1);
        if self.decoded {
            return self
                .api
                .report_page(query, offset_id)
                .await
                .map(PageBody::Decoded);
        }
        self.api.report_page_body(query, offset_id).await
    }
}

#[tokio::test]
async fn page_3_is_requested_while_page_1_is_still_being_committed_and_no_further() {
    pages_ahead_of_the_commit(false).await;
}

#[tokio::test]
async fn a_pager_that_delivers_decoded_pages_is_pipelined_the_same_way() {
    pages_ahead_of_the_commit(true).await;
}

async fn pages_ahead_of_the_commit(decoded: bool) {
    let dir = TempDir::new().unwrap();
    let archive = archive(&dir).await;
    // 30 records, 6 pages; page 1's commit cannot complete before request 3.
    let mut api = Gated::new(FakeApi::new(records(30), 5), file(&dir), 3);
    api.decoded = decoded;
    let report = sync_once(&archive, &api).await;
    let committed = api.committed_at_request();
    assert!(
        report.is_ok(),
        "the sync completes once the lock is let go at request 3; it fails if request 3 waits \
         for page 1's commit (committed records at each request: {committed:?}): {report:?}"
    );
    assert_eq!(
        committed[..3],
        [0, 0, 0],
        "pages 2 and 3 were requested before page 1's commit completed"
    );
    assert!(
        committed[3] >= 5,
        "page 4 is requested only once page 1 is committed: at most two pages are on their way \
         ahead of the commit (committed records at each request: {committed:?})"
    );
    assert_exactly(&archive, 30, "after the pipelined sync").await;
    let run = archive.sync_run().await.unwrap().unwrap();
    assert!(!run.is_unfinished(), "the run finished");
    assert_eq!(run.pages, 6);
}

#[tokio::test]
async fn a_page_that_cannot_be_decoded_ends_the_run_after_exactly_the_pages_before_it() {
    let dir = TempDir::new().unwrap();
    let archive = archive(&dir).await;
    // Newest end first, 5 a page: page 1 = records 29–25, page 2 = 24–20, page 3 = 19–15.
    // Record 17 is not a connection report; page 3's paging fields are fine, so the pages after
    // it are requested ahead while it is decoded.
    let api = FakeApi::new(records(30), 5);
    api.records.lock().unwrap()[17]["username"] = json!(["not", "a", "name"]);
    let err = sync_once(&archive, &api).await.unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Decode,
        "page 3's decoding error is the run's error: {err}"
    );
    let mut ids = all_ids(&archive).await;
    ids.sort();
    let expected: Vec<String> = (20..30).map(|i| format!("rec-{i:05}")).collect();
    assert_eq!(
        ids,
        expected,
        "exactly pages 1 and 2 are committed: nothing of page 3 or of the pages read ahead \
         after it ({} requests)",
        api.requests().len()
    );
    let run = archive.sync_run().await.unwrap().unwrap();
    assert!(run.is_unfinished(), "the run is left to be continued");
    assert_eq!(run.pages, 2);
    assert_eq!(
        run.cursor.as_deref(),
        Some("rec-00020"),
        "the run continues after page 2's last record"
    );

    api.records.lock().unwrap()[17]["username"] = json!("Ben Support");
    let before = api.requests().len();
    let report = sync_once(&archive, &api).await.unwrap();
    assert_eq!(
        api.requests()[before].1.as_deref(),
        Some("rec-00020"),
        "the next sync asks for page 3 again"
    );
    assert!(report.resumed);
    assert_eq!(report.new, 20, "pages 3–6 are new, nothing twice");
    assert_exactly(&archive, 30, "after the failed page and the next sync").await;
}

#[tokio::test]
async fn a_cancel_during_the_pipeline_keeps_the_committed_page_and_the_run_continues() {
    let dir = TempDir::new().unwrap();
    let archive = archive(&dir).await;
    // Page 1 is being committed (held by the lock) while pages 2 and 3 are on their way; at
    // request 3 the user cancels, and that request never answers.
    let mut fake = FakeApi::new(records(30), 5);
    fake.hang_at = Some(3);
    let cancel = CancellationToken::new();
    let mut api = Gated::new(fake, file(&dir), 3);
    api.cancel_at_release = Some(cancel.clone());
    let mut committed_pages = Vec::new();
    let result = sync(&archive, &api, &SyncOptions::default(), &cancel, &mut |p| {
        committed_pages.push(p.pages)
    })
    .await;
    let err = result.expect_err("a cancelled sync ends with an error");
    assert_eq!(
        err.kind(),
        ErrorKind::Cancelled,
        "the cancel reaches the request that never answers and the page waiting to be \
         committed: {err}"
    );
    assert_eq!(
        committed_pages,
        vec![1],
        "the commit that had begun completes; page 2, decoded and waiting, is not committed"
    );
    assert_eq!(api.api.requests().len(), 3, "no request after the cancel");
    assert_eq!(archive.stats().await.unwrap().records, 5);
    let run = archive.sync_run().await.unwrap().unwrap();
    assert!(run.is_unfinished());
    assert_eq!(run.pages, 1);

    let api = FakeApi::new(records(30), 5);
    let report = sync_once(&archive, &api).await.unwrap();
    assert_eq!(
        api.requests()[0].1.as_deref(),
        Some("rec-00025"),
        "the next sync continues after page 1"
    );
    assert!(report.resumed);
    assert_eq!(report.new, 25);
    assert_exactly(&archive, 30, "after the cancel and the next sync").await;
}
