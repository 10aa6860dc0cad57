//! Filling the archive from `GET /reports/connections`, page by page.
//!
//! A run has a fixed query window (`from_date`; no `to_date`) and follows the server's cursor.
//! Every page is committed in one transaction together with the run's state in `sync_state`
//! (the cursor of the next page, or "finished"), so whatever was committed survives a crash,
//! a kill or a cancel, and the next [`sync`] continues the interrupted run from its cursor
//! before it starts a new one: no gaps, and no duplicates (records are keyed by `id`).

use crate::pipeline::{self, Pages, ReadyPage};
use crate::types::{PageCommit, SyncMode, SyncRun, UpsertCounts};
use crate::Archive;
use chrono::{DateTime, TimeDelta, Utc};
use sdesk_core::logs::{ReportPager, DEFAULT_MAX_PAGES};
use sdesk_core::models::ReportQuery;
use sdesk_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How far before the newest archived `start_date` an incremental sync starts reading: records
/// that started earlier but ended (and so appeared) later, and edits of recent records, are
/// picked up again.
pub const DEFAULT_OVERLAP: Duration = Duration::from_secs(2 * 24 * 60 * 60);

/// What a [`sync`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOptions {
    /// Read from this instant (`from_date`). The first sync of an empty archive reads
    /// everything the API returns when this is `None`; on a non-empty archive, `since` reads
    /// that period again.
    pub since: Option<DateTime<Utc>>,
    /// Re-read the whole period (from `since`, or everything the API returns) and update
    /// changed records, instead of only the time since the newest archived record.
    pub full: bool,
    /// The overlap of an incremental sync (default [`DEFAULT_OVERLAP`]).
    pub overlap: Duration,
    /// At most this many pages in one run (a server that never stops is an error).
    pub max_pages: u32,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            since: None,
            full: false,
            overlap: DEFAULT_OVERLAP,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }
}

/// Progress after each committed page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncProgress {
    /// Pages committed in this call.
    pub pages: u64,
    /// Records received in this call.
    pub received: u64,
    /// Of these, new to the archive.
    pub new: u64,
    /// Of these, changed.
    pub updated: u64,
    /// The server's count of records after the last page.
    pub records_remaining: u64,
}

/// The result of a [`sync`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    /// Records new to the archive.
    pub new: u64,
    /// Records whose content changed.
    pub updated: u64,
    /// Records received again unchanged.
    pub unchanged: u64,
    /// Pages committed.
    pub pages: u64,
    /// Records in the archive afterwards.
    pub total: u64,
    /// Whether an interrupted run was continued first.
    pub resumed: bool,
    /// How the new run chose its window.
    pub mode: SyncMode,
    /// The new run's `from_date`.
    pub from_date: Option<DateTime<Utc>>,
}

/// Syncs the archive with the API through `pager` (the [`sdesk_core::client::TeamViewerClient`]
/// or a fake): continues an interrupted run first (unless this is a `full` run that covers its
/// window), then runs the window `options` ask for:
///
/// - empty archive: from `since`, or everything the API returns ([`SyncMode::Initial`]);
/// - `full`, or `since` on a non-empty archive: from `since`, or everything
///   ([`SyncMode::Full`]);
/// - otherwise from the newest archived `start_date` minus `overlap`
///   ([`SyncMode::Incremental`]).
///
/// Cancellation is checked between pages and raced against the request in flight; a commit is
/// never interrupted. A cancelled run returns [`Error::Cancelled`]; like any error, it keeps
/// every committed page, and the next call continues the run.
pub async fn sync(
    archive: &Archive,
    pager: &dyn ReportPager,
    options: &SyncOptions,
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(SyncProgress) + Send),
) -> Result<SyncReport> {
    let mut totals = Totals::default();
    let mut resumed = false;
    if let Some(prev) = archive.sync_run().await?.filter(SyncRun::is_unfinished) {
        let covered = options.full
            && options
                .since
                .is_none_or(|s| prev.from_date.is_some_and(|f| s <= f));
        if !covered {
            let run_id = new_run_id();
            archive.take_over(&prev.run_id, &run_id).await?;
            resumed = true;
            tracing::info!(
                mode = prev.mode.as_str(),
                pages = prev.pages,
                "continuing an interrupted archive sync"
            );
            let query = window(prev.from_date);
            run_pages(
                archive,
                pager,
                &query,
                prev.cursor,
                &run_id,
                options.max_pages,
                cancel,
                progress,
                &mut totals,
            )
            .await?;
        }
    }
    let newest = archive.max_start().await?;
    let (mode, from_date) = match newest {
        None => (SyncMode::Initial, options.since),
        Some(_) if options.full || options.since.is_some() => (SyncMode::Full, options.since),
        Some(newest) => {
            let overlap = TimeDelta::from_std(options.overlap).unwrap_or(TimeDelta::MAX);
            let from = newest
                .checked_sub_signed(overlap)
                .unwrap_or(DateTime::<Utc>::MIN_UTC);
            (SyncMode::Incremental, Some(from))
        }
    };
    let run_id = new_run_id();
    archive
        .start_run(SyncRun {
            run_id: run_id.clone(),
            mode,
            from_date,
            cursor: None,
            pages: 0,
            started_at: crate::now(),
            finished_at: None,
            last_finished_at: None,
        })
        .await?;
    run_pages(
        archive,
        pager,
        &window(from_date),
        None,
        &run_id,
        options.max_pages,
        cancel,
        progress,
        &mut totals,
    )
    .await?;
    let total = archive.stats().await?.records;
    Ok(SyncReport {
        new: totals.counts.new,
        updated: totals.counts.updated,
        unchanged: totals.counts.unchanged,
        pages: totals.pages,
        total,
        resumed,
        mode,
        from_date,
    })
}

#[derive(Debug, Default)]
struct Totals {
    counts: UpsertCounts,
    pages: u64,
}

fn window(from_date: Option<DateTime<Utc>>) -> ReportQuery {
    ReportQuery {
        from_date,
        ..ReportQuery::default()
    }
}

fn new_run_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn invalid(message: String) -> Error {
    Error::InvalidResponse { message }
}

/// Fetches and commits pages from `cursor` until the last page.
///
/// The pages come from the [`pipeline`]: while a page is committed, the next one is decoded and
/// the one after it is already requested, so the network, the decoding and the database work
/// at the same time. The order of commits, and what a commit holds, are as without it: page N
/// and the cursor of page N + 1 in one transaction, after the paging rules were checked on the
/// decoded page. A failed or cancelled read-ahead is reported after the commits of the pages
/// before it, exactly as if it had been requested then.
#[allow(clippy::too_many_arguments)]
async fn run_pages(
    archive: &Archive,
    pager: &dyn ReportPager,
    query: &ReportQuery,
    cursor: Option<String>,
    run_id: &str,
    max_pages: u32,
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(SyncProgress) + Send),
    totals: &mut Totals,
) -> Result<()> {
    let max_pages = max_pages.max(1);
    // Ends the fetch and decode stages with the run, or at once on `cancel`.
    let stop = cancel.child_token();
    let (stages, mut pages) = pipeline::start(pager, query, cursor.clone(), max_pages, &stop);
    let commits = async {
        let result = commit_pages(
            archive, &mut pages, cursor, run_id, max_pages, cancel, progress, totals,
        )
        .await;
        stop.cancel();
        result
    };
    let ((), result) = tokio::join!(stages, commits);
    result
}

/// The commit stage of [`run_pages`]: takes the pages in order and commits each after checking
/// the paging rules on it.
#[allow(clippy::too_many_arguments)]
async fn commit_pages(
    archive: &Archive,
    pages: &mut Pages,
    cursor: Option<String>,
    run_id: &str,
    max_pages: u32,
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(SyncProgress) + Send),
    totals: &mut Totals,
) -> Result<()> {
    let mut seen: HashSet<String> = cursor.into_iter().collect();
    let mut committed: u32 = 0;
    loop {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        if committed >= max_pages {
            return Err(Error::LimitExceeded {
                message: format!(
                    "{max_pages} pages in one sync run; the committed pages are kept and the \
                     next sync continues"
                ),
            });
        }
        let ReadyPage {
            page,
            rows,
            requested_next,
            ..
        } = pages.next(cancel).await?;
        // The core's paging rules (TeamViewer's document): a count of 0 ends, a count > 0 needs
        // a cursor, `records_remaining` may be called `reports_remaining`. A contradiction is an
        // `invalid_response` before this page is committed, so the next sync asks for it again.
        let next = page.next_cursor()?.map(str::to_owned);
        if let Some(c) = &next {
            if !seen.insert(c.clone()) {
                return Err(invalid(format!(
                    "the server sent the paging cursor {c} a second time in one run"
                )));
            }
        }
        // The page after this one was requested with the cursor read from the paging fields
        // alone; it must be the page's own (the last page allowed requests none).
        if committed + 1 < max_pages && requested_next != next {
            return Err(invalid(
                "the page's paging fields read differently when decoded in full".to_owned(),
            ));
        }
        let counts = archive
            .commit(
                rows,
                Some(PageCommit {
                    run_id: run_id.to_owned(),
                    cursor: next.clone(),
                }),
            )
            .await?;
        committed += 1;
        totals.counts.add(counts);
        totals.pages += 1;
        progress(SyncProgress {
            pages: totals.pages,
            received: totals.counts.received(),
            new: totals.counts.new,
            updated: totals.counts.updated,
            records_remaining: page.records_remaining.unwrap_or(0),
        });
        if next.is_none() {
            return Ok(());
        }
    }
}
