//! Paged, cancellable, resumable download of connection reports.

use crate::error::{Error, Result};
use crate::models::{ConnectionReport, ReportPage, ReportQuery};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use tokio_util::sync::CancellationToken;

/// Something that returns one page of `GET /api/v1/reports/connections`. The API client
/// implements it (with its own retries for transient errors); tests use fakes.
#[async_trait]
pub trait ReportPager: Send + Sync {
    /// The page after the record `offset_id` (the first page when `None`).
    async fn report_page(&self, query: &ReportQuery, offset_id: Option<&str>)
        -> Result<ReportPage>;
}

/// Default cap on the number of pages one fetch requests: 10,000 pages of 1,000 records is ten
/// million records, far beyond any real account, so reaching it means the server is looping.
pub const DEFAULT_MAX_PAGES: u32 = 10_000;

/// Progress of a fetch, sent after every page (an app event, camelCase JSON).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FetchProgress {
    /// Pages received so far (over all runs).
    pub pages: u32,
    /// Distinct records received so far (over all runs).
    pub records: u64,
    /// The server's count of records after the last page received (0 when complete).
    pub records_remaining: u64,
    /// Whether the last page has been received.
    pub complete: bool,
}

/// How a [`ReportFetch::run`] ended successfully. Cancellation and failures are errors
/// ([`Error::Cancelled`] and the pager's error); the records received so far are kept in both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FetchStatus {
    /// This run received the last page.
    Complete,
    /// An earlier run had already received the last page; nothing was requested.
    AlreadyComplete,
}

/// One download of the connection reports matching a query: pages are requested one after the
/// other, following the server's cursor, until the last page.
///
/// - Every record received is kept, once per `id` (a page that is retried or overlaps the
///   previous one adds no duplicates).
/// - The cursor only advances after a page has been stored, so after an error (or a
///   cancellation) calling [`ReportFetch::run`] again continues with the page that was not
///   received, not from the start.
/// - Cancellation is checked between pages and raced against the request in flight, so it takes
///   effect at once; `run` then returns `Err(Error::Cancelled)` with the partial records kept
///   and [`ReportFetch::is_complete`] false. (An error, not `Ok`, so that code which does not
///   handle cancellation explicitly cannot mistake a partial result for a complete one.)
/// - At most [`ReportFetch::max_pages`] pages are requested (default [`DEFAULT_MAX_PAGES`]);
///   a server that keeps sending cursors past that, or sends the same cursor twice in a row,
///   ends the run with [`Error::Decode`].
#[derive(Debug, Clone)]
pub struct ReportFetch {
    query: ReportQuery,
    records: Vec<ConnectionReport>,
    seen: HashSet<String>,
    cursor: Option<String>,
    pages: u32,
    records_remaining: u64,
    complete: bool,
    max_pages: u32,
}

impl ReportFetch {
    /// A fetch that has not requested anything yet.
    pub fn new(query: ReportQuery) -> Self {
        Self {
            query,
            records: Vec::new(),
            seen: HashSet::new(),
            cursor: None,
            pages: 0,
            records_remaining: 0,
            complete: false,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }

    /// Sets the page cap (at least 1).
    pub fn with_max_pages(mut self, max_pages: u32) -> Self {
        self.max_pages = max_pages.max(1);
        self
    }

    /// The page cap.
    pub fn max_pages(&self) -> u32 {
        self.max_pages
    }

    /// The query.
    pub fn query(&self) -> &ReportQuery {
        &self.query
    }

    /// The cursor (`offset_id`) the next request will send; `None` before the first page and
    /// after the last.
    pub fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    /// Records received so far (and not taken), in the order received.
    pub fn records(&self) -> &[ConnectionReport] {
        &self.records
    }

    /// Moves the records received so far out of the fetch. The fetch remembers their ids, so a
    /// later run does not deliver them again: after a resume, `take_records` yields only the
    /// new ones.
    pub fn take_records(&mut self) -> Vec<ConnectionReport> {
        std::mem::take(&mut self.records)
    }

    /// Whether the last page has been received.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// Progress so far.
    pub fn progress(&self) -> FetchProgress {
        FetchProgress {
            pages: self.pages,
            records: self.seen.len() as u64,
            records_remaining: if self.complete {
                0
            } else {
                self.records_remaining
            },
            complete: self.complete,
        }
    }

    /// Requests pages until the last one, starting at the stored cursor; `on_progress` is
    /// called after every page received. See the type's documentation for cancellation, errors
    /// and resuming.
    pub async fn run(
        &mut self,
        pager: &dyn ReportPager,
        cancel: &CancellationToken,
        on_progress: &mut (dyn FnMut(&FetchProgress) + Send),
    ) -> Result<FetchStatus> {
        if self.complete {
            on_progress(&self.progress());
            return Ok(FetchStatus::AlreadyComplete);
        }
        self.query.validate()?;
        loop {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            if self.pages >= self.max_pages {
                return Err(Error::Decode {
                    message: format!(
                        "the server sent more than {} pages of connection reports; stopped to \
                         avoid an endless loop ({} records kept)",
                        self.max_pages,
                        self.seen.len()
                    ),
                    body: String::new(),
                });
            }
            let page = {
                let request = pager.report_page(&self.query, self.cursor.as_deref());
                tokio::select! {
                    biased;
                    () = cancel.cancelled() => return Err(Error::Cancelled),
                    page = request => page?,
                }
            };
            self.absorb(page)?;
            on_progress(&self.progress());
            if self.complete {
                return Ok(FetchStatus::Complete);
            }
        }
    }

    /// Stores a page's new records, then advances the cursor.
    fn absorb(&mut self, page: ReportPage) -> Result<()> {
        let next = page.next().map(str::to_owned);
        self.pages = self.pages.saturating_add(1);
        self.records_remaining = page.records_remaining;
        for record in page.records {
            if !self.seen.contains(&record.id) {
                self.seen.insert(record.id.clone());
                self.records.push(record);
            }
        }
        match next {
            None => {
                self.complete = true;
                self.cursor = None;
                Ok(())
            }
            Some(next) if self.cursor.as_deref() == Some(next.as_str()) => Err(Error::Decode {
                message: format!(
                    "the server returned the same paging cursor twice ({next}); stopped to avoid \
                     an endless loop"
                ),
                body: String::new(),
            }),
            Some(next) => {
                self.cursor = Some(next);
                Ok(())
            }
        }
    }
}
