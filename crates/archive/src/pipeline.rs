//! The stages that feed a sync run's commits: while page N is committed, page N + 1 is decoded
//! and page N + 2 is requested, so a page costs about the longest of the three instead of their
//! sum.
//!
//! - **fetch**: requests a page, reads only its paging fields ([`PageHead`]: the records are
//!   skipped unread by serde, nothing of the body is searched as text) and requests the next
//!   page at once;
//! - **decode**: decodes a page and builds its archive rows on a blocking thread;
//! - **commit**: the caller's ([`crate::sync`]); it takes the pages in order from
//!   [`Pages::next`], checks the paging rules on the decoded page and commits it.
//!
//! At most [`AHEAD`] pages are on their way at once (requested, received or decoded and not yet
//! taken for a commit), so memory does not grow with the run. A failed request or decode travels
//! down the pipeline as an error in its page's place, behind the pages before it, and ends the
//! stages; the stages also end at once when `stop` is cancelled (by the user's cancel, or when
//! the commit stage ends).

use crate::row::Row;
use sdesk_core::logs::{PageBody, ReportPager};
use sdesk_core::models::{paging_cursor, ReportPage, ReportQuery};
use sdesk_core::{Error, Result};
use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

/// Pages requested ahead of the commit: the one being decoded and the one being requested.
pub(crate) const AHEAD: usize = 2;

/// A page ready to be committed: the typed page (for its paging fields), its rows, and the
/// cursor the fetch stage went on with.
#[derive(Debug)]
pub(crate) struct ReadyPage {
    pub page: ReportPage,
    pub rows: Vec<Row>,
    /// The cursor the page after this one was requested with, read from this page's paging
    /// fields; `None` when no request followed (the last page, a cursor seen before in the run,
    /// the run's page limit). The commit stage compares it with the decoded page's own cursor.
    pub requested_next: Option<String>,
    /// Holds this page's place among the [`AHEAD`]; released when the commit stage takes it.
    _slot: OwnedSemaphorePermit,
}

/// A page as received, on its way to the decode stage.
#[derive(Debug)]
struct Received {
    body: PageBody,
    requested_next: Option<String>,
    slot: OwnedSemaphorePermit,
}

/// The commit stage's end of the pipeline.
#[derive(Debug)]
pub(crate) struct Pages {
    rx: mpsc::Receiver<Result<ReadyPage>>,
}

impl Pages {
    /// The next page in cursor order (or the error in its place), raced against `cancel`.
    /// Taking a page frees its place, so the fetch stage may request another one.
    pub async fn next(&mut self, cancel: &CancellationToken) -> Result<ReadyPage> {
        let item = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(Error::Cancelled),
            item = self.rx.recv() => item,
        };
        match item {
            Some(page) => page,
            // The stages only end early when stopped, and `stop` is cancelled with `cancel`
            // or after the commit stage has ended.
            None if cancel.is_cancelled() => Err(Error::Cancelled),
            None => Err(crate::error::storage(
                "the sync's read-ahead ended before the last page",
            )),
        }
    }
}

/// Starts the fetch and decode stages from `cursor` (the first page when `None`): the returned
/// future runs them (it ends when they end, at the latest soon after `stop`), and [`Pages`]
/// hands out their pages. At most `max_pages` pages are requested.
pub(crate) fn start<'a>(
    pager: &'a dyn ReportPager,
    query: &'a ReportQuery,
    cursor: Option<String>,
    max_pages: u32,
    stop: &'a CancellationToken,
) -> (impl Future<Output = ()> + Send + 'a, Pages) {
    // Each channel can hold every page that may be on its way, so a send never waits: the
    // places (`slots`) bound the pipeline.
    let (received_tx, received_rx) = mpsc::channel(AHEAD);
    let (ready_tx, ready_rx) = mpsc::channel(AHEAD);
    let slots = Arc::new(Semaphore::new(AHEAD));
    let stages = async move {
        tokio::join!(
            fetch_stage(pager, query, cursor, max_pages, stop, slots, received_tx),
            decode_stage(received_rx, ready_tx, stop),
        );
    };
    (stages, Pages { rx: ready_rx })
}

/// Requests pages in cursor order, each as soon as it has a place and its cursor is read from
/// the page before; ends after the last page, an error, a cursor seen before in this run, or
/// `max_pages` requests.
async fn fetch_stage(
    pager: &dyn ReportPager,
    query: &ReportQuery,
    mut cursor: Option<String>,
    max_pages: u32,
    stop: &CancellationToken,
    slots: Arc<Semaphore>,
    tx: mpsc::Sender<Result<Received>>,
) {
    let mut seen: HashSet<String> = cursor.iter().cloned().collect();
    for requested in 1..=max_pages.max(1) {
        let slot = tokio::select! {
            biased;
            () = stop.cancelled() => return,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => return,
            },
        };
        let body = tokio::select! {
            biased;
            () = stop.cancelled() => return,
            body = pager.report_page_body(query, cursor.as_deref()) => body,
        };
        let item = body.map(|body| {
            // A cursor that comes back would page forever: the commit stage reports it.
            let requested_next = (requested < max_pages)
                .then(|| next_cursor(&body))
                .flatten()
                .filter(|next| !seen.contains(next));
            Received {
                body,
                requested_next,
                slot,
            }
        });
        let next = item.as_ref().ok().and_then(|r| r.requested_next.clone());
        if tx.send(item).await.is_err() {
            return;
        }
        match next {
            Some(next) => {
                seen.insert(next.clone());
                cursor = Some(next);
            }
            None => return,
        }
    }
}

/// Decodes the pages in the order received, each on a blocking thread; an error is passed on
/// in the page's place and ends the stage.
async fn decode_stage(
    mut rx: mpsc::Receiver<Result<Received>>,
    tx: mpsc::Sender<Result<ReadyPage>>,
    stop: &CancellationToken,
) {
    loop {
        let item = tokio::select! {
            biased;
            () = stop.cancelled() => return,
            item = rx.recv() => item,
        };
        let Some(item) = item else { return };
        let ready = match item {
            Ok(Received {
                body,
                requested_next,
                slot,
            }) => tokio::select! {
                biased;
                () = stop.cancelled() => return,
                decoded = decode(body) => decoded.map(|(page, rows)| ReadyPage {
                    page,
                    rows,
                    requested_next,
                    _slot: slot,
                }),
            },
            Err(e) => Err(e),
        };
        let failed = ready.is_err();
        if tx.send(ready).await.is_err() || failed {
            return;
        }
    }
}

/// The cursor to request next, read from the page's paging fields only: `Some` where
/// [`ReportPage::next_cursor`] follows a cursor (records, a count that is not 0, a non-empty
/// `next_offset`), `None` otherwise — also for a body that is not a page, or a page that
/// contradicts itself, which the decode and commit stages then report.
fn next_cursor(body: &PageBody) -> Option<String> {
    match body {
        PageBody::Decoded(page) => page.next_cursor().ok().flatten().map(str::to_owned),
        PageBody::Json(bytes) => serde_json::from_slice::<PageHead>(bytes).ok()?.next(),
    }
}

/// The paging fields of a page of `GET /reports/connections`, read with serde: the records are
/// counted and skipped unread ([`IgnoredAny`]), as is every other field.
#[derive(Debug, Deserialize)]
struct PageHead {
    #[serde(default, deserialize_with = "count_records")]
    records: usize,
    #[serde(default)]
    records_remaining: Option<u64>,
    #[serde(default)]
    reports_remaining: Option<u64>,
    #[serde(default)]
    next_offset: Option<String>,
}

impl PageHead {
    /// The page's cursor when paging goes on, by core's paging rule (`None` for the last page
    /// and for a page that contradicts itself: the commit stage reports that one from the
    /// decoded page).
    fn next(self) -> Option<String> {
        let remaining = match (self.records_remaining, self.reports_remaining) {
            (Some(a), Some(b)) if a != b => return None,
            (a, b) => a.or(b),
        };
        paging_cursor(remaining, self.records > 0, self.next_offset.as_deref())
            .ok()
            .flatten()
            .map(str::to_owned)
    }
}

/// The number of elements of the `records` array, each skipped without being decoded.
fn count_records<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<usize, D::Error> {
    struct Count;

    impl<'de> Visitor<'de> for Count {
        type Value = usize;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of records")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<usize, A::Error> {
            let mut n = 0;
            while seq.next_element::<IgnoredAny>()?.is_some() {
                n += 1;
            }
            Ok(n)
        }
    }

    d.deserialize_seq(Count)
}

#[derive(Deserialize)]
struct RawPage {
    #[serde(default)]
    records: Option<Vec<serde_json::Value>>,
}

/// The typed page and the rows of its records, each with its JSON as received (the model's
/// serialisation when the pager delivers decoded pages). Decoding and building the rows run on
/// a blocking thread: during a sync that is while the page before is being committed.
async fn decode(body: PageBody) -> Result<(ReportPage, Vec<Row>)> {
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

fn invalid(message: String) -> Error {
    Error::InvalidResponse { message }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn head(json: &str) -> Option<String> {
        next_cursor(&PageBody::Json(json.as_bytes().to_vec()))
    }

    /// The page's own rule, for the same body.
    fn rule(json: &str) -> Option<String> {
        ReportPage::from_json(json.as_bytes())
            .ok()?
            .next_cursor()
            .ok()
            .flatten()
            .map(str::to_owned)
    }

    #[test]
    fn the_paging_fields_give_the_cursor_the_decoded_page_follows() {
        let r =
            r#"{"id":"a","start_date":"2025-01-01T00:00:00Z","notes":"\"next_offset\": \"x\"}"}"#;
        let cases = [
            format!(r#"{{"records":[{r}],"records_remaining":5,"next_offset":"a"}}"#),
            format!(r#"{{"next_offset":"a","reports_remaining":5,"records":[{r},{r}]}}"#),
            format!(r#"{{"records":[{r}],"next_offset":"a"}}"#),
            format!(r#"{{"records":[{r}],"records_remaining":0,"next_offset":"a"}}"#),
            format!(r#"{{"records":[{r}],"records_remaining":3,"next_offset":""}}"#),
            format!(r#"{{"records":[{r}],"records_remaining":3}}"#),
            r#"{"records":[],"records_remaining":3,"next_offset":"a"}"#.to_owned(),
            r#"{"records_remaining":3,"next_offset":"a"}"#.to_owned(),
            format!(
                r#"{{"records":[{r}],"records_remaining":3,"reports_remaining":4,"next_offset":"a"}}"#
            ),
            format!(r#"{{"records":[{r}],"records_remaining":3,"next_offset":"a","x":[{{}}]}}"#),
            "not json".to_owned(),
            format!(r#"{{"records":[{r}],"records_remaining":3,"next_offset":"a""#),
        ];
        for case in cases {
            assert_eq!(
                head(&case),
                rule(&case),
                "reading only the paging fields must give the cursor the decoded page gives: {case}"
            );
        }
        assert_eq!(
            head(&format!(
                r#"{{"records":[{r}],"records_remaining":5,"next_offset":"a"}}"#
            ))
            .as_deref(),
            Some("a"),
            "text inside a record that looks like a paging field is not read"
        );
    }
}
