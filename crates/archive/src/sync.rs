//! Filling the archive from `GET /reports/connections`, page by page.
//!
//! A run has a fixed query window (`from_date`; no `to_date`) and follows the server's cursor.
//! Every page is committed in one transaction together with the run's state in `sync_state`
//! (the cursor of the next page, or "finished"), so whatever was committed survives a crash,
//! a kill or a cancel, and the next [`sync`] continues the interrupted run from its cursor
//! before it starts a new one: no gaps, and no duplicates (records are keyed by `id`).

use crate::row::Row;
use crate::types::{PageCommit, SyncMode, SyncRun, UpsertCounts};
use crate::Archive;
use chrono::{DateTime, TimeDelta, Utc};
use sdesk_core::logs::{PageBody, ReportPager, DEFAULT_MAX_PAGES};
use sdesk_core::models::{ReportPage, ReportQuery};
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

/// A fetched and decoded page: the typed page and each record's JSON.
/// A page as fetched: the typed page (for its paging fields) and the archive rows of its
/// records, built while the page before it is committed.
type Fetched = (ReportPage, Vec<Row>);

/// Requests the page at `cursor` (raced against `cancel`) and decodes it.
async fn fetch(
    pager: &dyn ReportPager,
    query: &ReportQuery,
    cursor: Option<&str>,
    cancel: &CancellationToken,
) -> Result<Fetched> {
    let body = tokio::select! {
        biased;
        () = cancel.cancelled() => return Err(Error::Cancelled),
        body = pager.report_page_body(query, cursor) => body?,
    };
    decode(body).await
}

/// Fetches and commits pages from `cursor` until the last page.
///
/// While a page is committed, the next one is already requested and decoded (its cursor is
/// known before the commit), so the network and the database work at the same time. The
/// order of commits, and what a commit holds, are as without it: page N and the cursor of page
/// N + 1 in one transaction. A failed or cancelled read-ahead is reported after the commit of
/// the page before it, exactly as if it had been requested then.
#[allow(clippy::too_many_arguments)]
async fn run_pages(
    archive: &Archive,
    pager: &dyn ReportPager,
    query: &ReportQuery,
    mut cursor: Option<String>,
    run_id: &str,
    max_pages: u32,
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(SyncProgress) + Send),
    totals: &mut Totals,
) -> Result<()> {
    let mut seen: HashSet<String> = cursor.iter().cloned().collect();
    let mut pages: u32 = 0;
    let max_pages = max_pages.max(1);
    let mut ahead: Option<Result<Fetched>> = None;
    loop {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        if pages >= max_pages {
            return Err(Error::LimitExceeded {
                message: format!(
                    "{max_pages} pages in one sync run; the committed pages are kept and the \
                     next sync continues"
                ),
            });
        }
        let (page, rows) = match ahead.take() {
            Some(fetched) => fetched?,
            None => fetch(pager, query, cursor.as_deref(), cancel).await?,
        };
        pages += 1;
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
        let commit = archive.commit(
            rows,
            Some(PageCommit {
                run_id: run_id.to_owned(),
                cursor: next.clone(),
            }),
        );
        let counts = match next.as_deref() {
            Some(c) if pages < max_pages && !cancel.is_cancelled() => {
                // A failed commit ends the run at once; a failed read-ahead waits its turn.
                let read_ahead = async { Ok(fetch(pager, query, Some(c), cancel).await) };
                let (counts, fetched) = tokio::try_join!(commit, read_ahead)?;
                ahead = Some(fetched);
                counts
            }
            _ => commit.await?,
        };
        totals.counts.add(counts);
        totals.pages += 1;
        progress(SyncProgress {
            pages: totals.pages,
            received: totals.counts.received(),
            new: totals.counts.new,
            updated: totals.counts.updated,
            records_remaining: page.records_remaining.unwrap_or(0),
        });
        match next {
            Some(c) => cursor = Some(c),
            None => return Ok(()),
        }
    }
}

#[derive(Deserialize)]
struct RawPage {
    #[serde(default)]
    records: Option<Vec<serde_json::Value>>,
}

/// The typed page and the rows of its records, each with its JSON as received (the model's
/// serialisation when the pager delivers decoded pages). Decoding and building the rows run on
/// a blocking thread: during a sync that is while the page before is being committed.
async fn decode(body: PageBody) -> Result<Fetched> {
    tokio::task::spawn_blocking(move || {
        let (page, raw) = match body {
            PageBody::Decoded(page) => {
                let raw = page
                    .records
                    .iter()
                    .map(serde_json::to_value)
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|e| invalid(format!("a record cannot be stored: {e}")))?;
                (page, raw)
            }
            PageBody::Json(bytes) => {
                let page = ReportPage::from_json(&bytes)?;
                let raw: RawPage = serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
                    message: e.to_string(),
                    body: String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).into_owned(),
                })?;
                (page, raw.records.unwrap_or_default())
            }
        };
        if raw.len() != page.records.len() {
            return Err(invalid(format!(
                "a page decoded to {} records but holds {}",
                page.records.len(),
                raw.len()
            )));
        }
        let rows = page
            .records
            .iter()
            .zip(raw)
            .map(|(record, raw)| Row::new(record, raw))
            .collect::<Result<Vec<_>>>()?;
        Ok((page, rows))
    })
    .await
    .map_err(|e| invalid(format!("decoding a page failed: {e}")))?
}
