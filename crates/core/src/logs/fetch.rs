//! Paged, cancellable, resumable download of connection reports.

use crate::error::{Error, Result};
use crate::models::{ConnectionReport, ReportPage, ReportQuery};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::hash_map::RandomState;
use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use tokio_util::sync::CancellationToken;

/// Something that returns one page of `GET /api/v1/reports/connections`. The API client
/// implements it (with its own retries for transient errors); tests use fakes.
#[async_trait]
pub trait ReportPager: Send + Sync {
    /// The page after the record `offset_id` (the first page when `None`).
    async fn report_page(&self, query: &ReportQuery, offset_id: Option<&str>)
        -> Result<ReportPage>;

    /// The same page, possibly still undecoded. [`ReportFetch`] calls this one.
    ///
    /// The default returns [`ReportPager::report_page`] as [`PageBody::Decoded`]. A pager that
    /// receives JSON (the API client) returns [`PageBody::Json`] instead: the fetch then reads
    /// the paging cursor from the end of the body and sends the request for the next page
    /// while this page is decoded on a blocking thread, so decoding and the server's work
    /// overlap instead of adding up.
    async fn report_page_body(
        &self,
        query: &ReportQuery,
        offset_id: Option<&str>,
    ) -> Result<PageBody> {
        self.report_page(query, offset_id)
            .await
            .map(PageBody::Decoded)
    }
}

/// One page as a [`ReportPager`] received it.
#[derive(Debug, Clone)]
pub enum PageBody {
    /// Already decoded.
    Decoded(ReportPage),
    /// The JSON body of a successful response, decoded by [`ReportFetch`] as
    /// [`ReportPage::from_json`] does.
    Json(Vec<u8>),
}

/// Bodies up to this size are decoded on the fetch's own task: for them, the hand-over to a
/// blocking thread would cost about as much as it saves.
const INLINE_DECODE_MAX: usize = 64 * 1024;

/// Records per page at most (the API's documented page size). Storage reserved ahead of the
/// records is at least this much, and the look-ahead request is skipped when a page of this
/// size could reach the record limit.
const PAGE_RECORDS: usize = 1_000;

/// Default cap on the number of pages one fetch requests: 10,000 pages of 1,000 records is ten
/// million records, far beyond any real account, so reaching it means the server is looping.
pub const DEFAULT_MAX_PAGES: u32 = 10_000;

/// Default cap on the distinct records one fetch receives (over all its runs): twice an
/// account with a million connection reports, which is more than any account we know of. A
/// server that pages on forever with new ids is stopped here instead of when memory runs out:
/// held in memory, a record takes about 950 bytes as the API sends them (measured with the
/// sandbox's records) and about 600 bytes when it is nothing but an id, so the records of a
/// run stay below about 2 GB. Callers that must stay smaller can set a lower limit
/// ([`ReportFetch::with_max_records`]).
pub const DEFAULT_MAX_RECORDS: u64 = 2_000_000;

/// Default cap on the response bytes one fetch receives (over all its runs): 2 GiB, about
/// 1 KiB for each of [`DEFAULT_MAX_RECORDS`] records, or 2 KiB for each record of a
/// million-record account (a report is 300–800 bytes of JSON; the sandbox's average 570). It
/// bounds what the record count cannot: few records with huge fields.
pub const DEFAULT_MAX_BYTES: u64 = 2 << 30;

/// What [`ReportFetch::run_draining`] hands each page's records to.
type RecordSink<'a> = dyn FnMut(Vec<ConnectionReport>) -> Result<()> + Send + 'a;

/// Progress of a fetch, sent after every page (an app event, camelCase JSON).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// Records of this load the log store holds already, so the view can show them before the
    /// load ends: the first screen of an archived period. 0 for a load from TeamViewer, whose
    /// records reach the store when paging ends.
    #[serde(default)]
    pub in_view: u64,
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
/// other, following the server's cursor, until the last page. (With a pager that delivers JSON,
/// the request for the next page is already on its way while a page is decoded; see
/// [`ReportFetch::run`]. Pages are still stored strictly in cursor order.)
///
/// - Every record received is kept, once per `id` (a page that is retried or overlaps the
///   previous one adds no duplicates); or, with [`ReportFetch::run_draining`], handed to the
///   caller page by page, still once per `id`.
/// - The cursor only advances after a page has been stored, so after an error (or a
///   cancellation) calling [`ReportFetch::run`] again continues with the page that was not
///   received, not from the start.
/// - Cancellation is checked between pages and raced against the request in flight, so it takes
///   effect at once; `run` then returns `Err(Error::Cancelled)` with the partial records kept
///   and [`ReportFetch::is_complete`] false. (An error, not `Ok`, so that code which does not
///   handle cancellation explicitly cannot mistake a partial result for a complete one.)
/// - Paging follows [`ReportPage::next_cursor`]: it ends only on a page that says it is the
///   last one. A page that says more records remain but gives no cursor (or no records), and a
///   cursor that was already received in this fetch (A→B→A as much as A→A), end the run with
///   [`Error::InvalidResponse`].
/// - Safety limits, each checked before a request is sent: at most
///   [`ReportFetch::max_pages`] pages (default [`DEFAULT_MAX_PAGES`]),
///   [`ReportFetch::max_records`] distinct records (default [`DEFAULT_MAX_RECORDS`]) and
///   [`ReportFetch::max_bytes`] response bytes (default [`DEFAULT_MAX_BYTES`]). A run that
///   reaches one while the server says there is more ends with [`Error::LimitExceeded`]
///   naming the limit. The page that reached it is stored whole, so a fetch can end up to one
///   page beyond a limit; a run whose last page reaches a limit is still complete.
///
/// Every way a run ends other than [`FetchStatus::Complete`] or
/// [`FetchStatus::AlreadyComplete`] is an error, and after any error the records received so
/// far are kept and the cursor stays at the first page not stored: running again retries that
/// page (after an [`Error::LimitExceeded`], once the limit has been raised with the `with_*`
/// methods).
#[derive(Debug, Clone)]
pub struct ReportFetch {
    query: ReportQuery,
    records: Vec<ConnectionReport>,
    seen: IdSet,
    cursor: Option<String>,
    pages: u32,
    records_remaining: u64,
    complete: bool,
    /// Hashes (with `seen`'s key) of every cursor received, to catch cycles of any length.
    cursors: HashSet<u64, BuildHasherDefault<PassThrough>>,
    /// Response bytes received (of [`PageBody::Json`] pages).
    bytes: u64,
    max_pages: u32,
    max_records: u64,
    max_bytes: u64,
}

impl ReportFetch {
    /// A fetch that has not requested anything yet.
    pub fn new(query: ReportQuery) -> Self {
        Self {
            query,
            records: Vec::new(),
            seen: IdSet::default(),
            cursor: None,
            pages: 0,
            records_remaining: 0,
            complete: false,
            cursors: HashSet::default(),
            bytes: 0,
            max_pages: DEFAULT_MAX_PAGES,
            max_records: DEFAULT_MAX_RECORDS,
            max_bytes: DEFAULT_MAX_BYTES,
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

    /// Sets the cap on distinct records (at least 1), counted over all runs, taken records
    /// included.
    pub fn with_max_records(mut self, max_records: u64) -> Self {
        self.max_records = max_records.max(1);
        self
    }

    /// The cap on distinct records.
    pub fn max_records(&self) -> u64 {
        self.max_records
    }

    /// Sets the cap on response bytes (at least 1), counted over all runs. Only bodies the
    /// pager delivers undecoded ([`PageBody::Json`], as the API client does) are counted.
    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes.max(1);
        self
    }

    /// The cap on response bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Response bytes received so far (over all runs; see [`ReportFetch::with_max_bytes`]).
    pub fn bytes_received(&self) -> u64 {
        self.bytes
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
            in_view: 0,
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
    ///
    /// Pages are still requested one after the other, in cursor order. When the pager delivers
    /// JSON ([`PageBody::Json`]), the request for the next page is sent as soon as its cursor
    /// is known from the end of the current body, while the current page is decoded; that
    /// request is only a look-ahead: its answer is used after the current page has been
    /// decoded and stored, and only if the stored page's cursor is the one it was sent with.
    /// Otherwise (a decode error, a cancellation, a cursor that does not match) it is dropped,
    /// so the stored records and the cursor are exactly those of the sequential order.
    pub async fn run(
        &mut self,
        pager: &dyn ReportPager,
        cancel: &CancellationToken,
        on_progress: &mut (dyn FnMut(&FetchProgress) + Send),
    ) -> Result<FetchStatus> {
        self.run_pages(pager, cancel, on_progress, None).await
    }

    /// [`ReportFetch::run`], but the records are handed to `on_records` page by page instead
    /// of being kept: right after a page is stored (its new records only, in the order
    /// received, before `on_progress` hears of the page), so that a caller writing them out
    /// holds one page at a time rather than the whole download. Everything else is exactly as
    /// in `run`: the limits, the cursor, cycle detection, cancellation, the look-ahead request
    /// and resuming. The fetch still remembers every id, so no record is handed over twice,
    /// within a run or across runs.
    ///
    /// Records received earlier and not yet taken (by an earlier [`ReportFetch::run`]) are
    /// handed over first. A page without new records is not handed over. The records of a page
    /// that ends the run with an error (a cursor that comes back, a page that contradicts
    /// itself) are handed over before the run returns that error, as `run` keeps them.
    ///
    /// An error from `on_records` ends the run with that error. The records it was given are
    /// not handed over again by a later run (their ids are known), and the cursor has already
    /// moved past their page.
    pub async fn run_draining(
        &mut self,
        pager: &dyn ReportPager,
        cancel: &CancellationToken,
        on_progress: &mut (dyn FnMut(&FetchProgress) + Send),
        on_records: &mut (dyn FnMut(Vec<ConnectionReport>) -> Result<()> + Send),
    ) -> Result<FetchStatus> {
        self.run_pages(pager, cancel, on_progress, Some(on_records))
            .await
    }

    /// The loop of [`ReportFetch::run`] and, with `on_records`, of
    /// [`ReportFetch::run_draining`].
    async fn run_pages(
        &mut self,
        pager: &dyn ReportPager,
        cancel: &CancellationToken,
        on_progress: &mut (dyn FnMut(&FetchProgress) + Send),
        mut on_records: Option<&mut RecordSink<'_>>,
    ) -> Result<FetchStatus> {
        if let Some(sink) = on_records.as_deref_mut() {
            self.drain(sink)?;
        }
        if self.complete {
            on_progress(&self.progress());
            return Ok(FetchStatus::AlreadyComplete);
        }
        self.query.validate()?;
        // The request futures borrow the query while `self` is updated.
        let query = self.query.clone();
        // The answer to the look-ahead request: the page after `self.cursor`.
        let mut received: Option<PageBody> = None;
        loop {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            // Also before a look-ahead answer is used: the page it answers is one more request.
            self.check_limits()?;
            let body = match received.take() {
                Some(body) => body,
                None => {
                    let request = pager.report_page_body(&query, self.cursor.as_deref());
                    tokio::select! {
                        biased;
                        () = cancel.cancelled() => return Err(Error::Cancelled),
                        body = request => body?,
                    }
                }
            };
            received = match body {
                PageBody::Decoded(page) => {
                    let ids = PageIds::new(&page.records, &self.seen.key);
                    self.store(page, &ids, on_progress, on_records.as_deref_mut())?;
                    None
                }
                PageBody::Json(bytes) => {
                    self.store_json(
                        bytes,
                        pager,
                        &query,
                        cancel,
                        on_progress,
                        on_records.as_deref_mut(),
                    )
                    .await?
                }
            };
            if self.complete {
                return Ok(FetchStatus::Complete);
            }
        }
    }

    /// Decodes and stores one JSON page. Meanwhile, when the cursor can be read from the body
    /// cheaply, the page after it is requested; its answer is returned when the stored page
    /// really leads to it (and dropped otherwise, unread).
    async fn store_json(
        &mut self,
        bytes: Vec<u8>,
        pager: &dyn ReportPager,
        query: &ReportQuery,
        cancel: &CancellationToken,
        on_progress: &mut (dyn FnMut(&FetchProgress) + Send),
        on_records: Option<&mut RecordSink<'_>>,
    ) -> Result<Option<PageBody>> {
        self.bytes = self.bytes.saturating_add(bytes.len() as u64);
        let look_ahead = page_cursor(&bytes).filter(|next| {
            // No look-ahead where storing this page ends the run anyway (a cursor already
            // received) or may reach a limit.
            !self.cursors.contains(&self.seen.key.cursor_hash(next)) && !self.may_reach_a_limit()
        });
        let decoding = decode_page(bytes, self.seen.key.clone());
        tokio::pin!(decoding);
        let Some(next) = look_ahead else {
            let (page, ids) = tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(Error::Cancelled),
                page = &mut decoding => page?,
            };
            self.store(page, &ids, on_progress, on_records)?;
            return Ok(None);
        };
        let mut request = pager.report_page_body(query, Some(&next));
        let mut answer: Option<Result<PageBody>> = None;
        // The request is polled first so that it goes out before the decoding is awaited.
        let (page, ids) = loop {
            tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(Error::Cancelled),
                body = &mut request, if answer.is_none() => answer = Some(body),
                page = &mut decoding => break page?,
            }
        };
        let follows = matches!(page.next_cursor(), Ok(Some(cursor)) if cursor == next);
        self.store(page, &ids, on_progress, on_records)?;
        if self.complete || !follows {
            return Ok(None);
        }
        let body = match answer {
            Some(body) => body,
            None => tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(Error::Cancelled),
                body = &mut request => body,
            },
        };
        body.map(Some)
    }

    /// The error that ends a run before a request once a limit is reached.
    fn check_limits(&self) -> Result<()> {
        let received = self.seen.len() as u64;
        let (limit, value, sent) = if self.pages >= self.max_pages {
            (
                "page",
                u64::from(self.max_pages),
                format!("{} pages", self.pages),
            )
        } else if received >= self.max_records {
            ("record", self.max_records, format!("{received} records"))
        } else if self.bytes >= self.max_bytes {
            ("byte", self.max_bytes, format!("{} bytes", self.bytes))
        } else {
            return Ok(());
        };
        let remaining = match self.records_remaining {
            0 => String::new(),
            n => format!(" (it says {n} more remain)"),
        };
        Err(Error::LimitExceeded {
            message: format!(
                "the {limit} limit of {value} was reached: the server sent {sent} of connection \
                 reports without reaching the last page{remaining}"
            ),
        })
    }

    /// Whether storing one more page may reach a limit, so that the request after it would
    /// not be sent: then no look-ahead request goes out for it. (For records this assumes at
    /// most [`PAGE_RECORDS`] per page; a larger page is still caught by
    /// [`ReportFetch::check_limits`], at the cost of one unused request.)
    fn may_reach_a_limit(&self) -> bool {
        self.pages.saturating_add(1) >= self.max_pages
            || (self.seen.len() + PAGE_RECORDS) as u64 >= self.max_records
            || self.bytes >= self.max_bytes
    }

    /// [`ReportFetch::absorb`], then (when draining) the page's records to `on_records`, then
    /// the progress event. The records go out even when the page ends the run with an error;
    /// that error wins over one from `on_records`.
    fn store(
        &mut self,
        page: ReportPage,
        ids: &PageIds,
        on_progress: &mut (dyn FnMut(&FetchProgress) + Send),
        on_records: Option<&mut RecordSink<'_>>,
    ) -> Result<()> {
        let stored = self.absorb(page, ids);
        let handed = on_records.map_or(Ok(()), |sink| self.drain(sink));
        stored?;
        handed?;
        on_progress(&self.progress());
        Ok(())
    }

    /// Hands the records held to `sink`, if there are any.
    fn drain(&mut self, sink: &mut RecordSink<'_>) -> Result<()> {
        if self.records.is_empty() {
            return Ok(());
        }
        sink(self.take_records())
    }

    /// Stores a page's new records (`ids` are theirs, see [`PageIds`]), then advances the
    /// cursor. A page that contradicts itself or leads to a cursor already received is an
    /// [`Error::InvalidResponse`]; its records are kept, the cursor stays.
    fn absorb(&mut self, page: ReportPage, ids: &PageIds) -> Result<()> {
        let next = page.next_cursor().map(|c| c.map(str::to_owned));
        self.pages = self.pages.saturating_add(1);
        self.records_remaining = page.records_remaining.unwrap_or(0);
        let incoming = page.records.len();
        if self.records.capacity() - self.records.len() < incoming {
            // Room for the records the server says remain, so that a large fetch does not
            // regrow storage page by page; but never more than the records already held (at
            // least a page) nor beyond the record limit: storage then grows geometrically, as
            // a `Vec` does by itself, and a count the server has not backed with records
            // cannot make the fetch reserve more than that.
            let held = self.records.len().max(PAGE_RECORDS);
            let allowed = self.max_records.saturating_sub(self.seen.len() as u64);
            let ahead = usize::try_from(self.records_remaining.min(allowed))
                .unwrap_or(usize::MAX)
                .min(held);
            self.records.reserve(incoming.saturating_add(ahead));
            self.seen.reserve(incoming.saturating_add(ahead));
        }
        for (i, record) in page.records.into_iter().enumerate() {
            if self.seen.insert_fingerprint(ids.get(i)) {
                self.records.push(record);
            }
        }
        match next? {
            None => {
                self.complete = true;
                self.cursor = None;
                Ok(())
            }
            Some(next) if !self.cursors.insert(self.seen.key.cursor_hash(&next)) => {
                Err(Error::InvalidResponse {
                    message: format!(
                        "the server's paging cursor {} came back after {} pages; stopped to \
                         avoid an endless loop",
                        excerpt(&next),
                        self.pages
                    ),
                })
            }
            Some(next) => {
                self.cursor = Some(next);
                Ok(())
            }
        }
    }
}

/// A cursor for a message: at most 64 characters of it.
fn excerpt(cursor: &str) -> String {
    match cursor.char_indices().nth(64) {
        Some((cut, _)) => format!("{:?}…", &cursor[..cut]),
        None => format!("{cursor:?}"),
    }
}

/// The set of record ids received, as 128-bit keyed fingerprints ([`IdKey::fingerprint`]):
/// the ids themselves are not kept. A fingerprint takes 16 bytes in a hash table, 17 to 36 bytes
/// per id with the table's spare room and control bytes (an exact set of 36-byte ids took about
/// 95), so the 2,000,000 ids of [`DEFAULT_MAX_RECORDS`] hold about 70 MiB (about 104 MiB at
/// the peak, while the table grows for the last time; `examples/fetch_memory.rs` measures it),
/// and a draining fetch against a server that pages on forever stays small.
///
/// Two distinct ids are taken for one only if their fingerprints collide. The fingerprint is
/// a randomly keyed pseudo-random function of the id (the key is secret and new for every
/// fetch), so for `n` ids the chance of any collision at all is at most about `n² / 2¹²⁹`:
/// about 6·10⁻²⁷ for 2,000,000 ids, far below the chance of a memory error flipping a bit in
/// an exact set. A server cannot aim for a collision without the key; and all a collision
/// could do is drop one record, which a hostile server could do anyway by not sending it.
#[derive(Debug, Clone, Default)]
struct IdSet {
    key: IdKey,
    /// The fingerprint of every id received. Their low halves are already keyed hashes, so
    /// the table uses them as they are ([`PassThrough`]).
    fingerprints: HashSet<u128, BuildHasherDefault<PassThrough>>,
}

impl IdSet {
    fn len(&self) -> usize {
        self.fingerprints.len()
    }

    fn reserve(&mut self, additional: usize) {
        self.fingerprints.reserve(additional);
    }

    /// Adds `id`; `false` when it was already there.
    #[cfg(test)]
    fn insert(&mut self, id: &str) -> bool {
        self.insert_fingerprint(self.key.fingerprint(id))
    }

    /// Adds the id whose fingerprint with this set's key ([`IdSet::key`]) is `fingerprint`;
    /// `false` when it was already there.
    fn insert_fingerprint(&mut self, fingerprint: u128) -> bool {
        self.fingerprints.insert(fingerprint)
    }
}

/// The secret key of a fetch's fingerprints and cursor hashes: std's randomly keyed hasher
/// (SipHash-1-3 today), as in a `HashSet<String>`.
#[derive(Debug, Clone, Default)]
struct IdKey(RandomState);

impl IdKey {
    /// 128 bits of the keyed hash for `id`: the low half hashes the id's bytes, the high half
    /// the same bytes followed by a 0xFF byte (the hasher goes on from where the low half
    /// was taken, so the id is read once). No UTF-8 text contains 0xFF, so for two different
    /// ids the four inputs are all different, and the halves of a fingerprint are two
    /// independent outputs of one pseudo-random function.
    fn fingerprint(&self, id: &str) -> u128 {
        let mut hasher = self.0.build_hasher();
        hasher.write(id.as_bytes());
        let low = hasher.finish();
        hasher.write_u8(0xFF);
        let high = hasher.finish();
        (u128::from(high) << 64) | u128::from(low)
    }

    /// A 64-bit keyed hash of a cursor.
    fn cursor_hash(&self, cursor: &str) -> u64 {
        self.0.hash_one(cursor)
    }
}

/// The hasher of tables whose keys are already keyed hashes (cursor hashes, and id
/// fingerprints whose low half is one): hashing them again would only cost time.
#[derive(Debug, Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` and `write_u128` are used (for `u64` and `u128` keys); this keeps
        // any other input well defined.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn write_u128(&mut self, n: u128) {
        // The low half of a fingerprint (see `IdKey::fingerprint`).
        self.0 = n as u64;
    }
}

/// The fingerprints of a page's records' ids, for [`IdSet::insert_fingerprint`]. For a JSON
/// page they are computed right after decoding, on the decoding thread, where the ids are
/// still in the cache; storing the page then only looks the fingerprints up instead of
/// chasing a thousand freshly allocated strings from another core.
struct PageIds(Vec<u128>);

impl PageIds {
    fn new(records: &[ConnectionReport], key: &IdKey) -> Self {
        Self(records.iter().map(|r| key.fingerprint(&r.id)).collect())
    }

    /// The fingerprint of the `i`th id.
    fn get(&self, i: usize) -> u128 {
        self.0[i]
    }
}

/// Decodes a page body and prepares its [`PageIds`]: on a blocking thread when the body is
/// large (so that the fetch's task stays free to drive the look-ahead request), inline when it
/// is small.
/// The body is checked to be UTF-8 there as well.
async fn decode_page(body: Vec<u8>, key: IdKey) -> Result<(ReportPage, PageIds)> {
    let inline = body.len() <= INLINE_DECODE_MAX;
    let decode = move || {
        let text = String::from_utf8(body)
            .map_err(|e| crate::client::not_utf8(e.utf8_error(), e.as_bytes()))?;
        let page: ReportPage = crate::client::decode_text(&text)?;
        let ids = PageIds::new(&page.records, &key);
        Ok((page, ids))
    };
    if inline {
        return decode();
    }
    tokio::task::spawn_blocking(decode)
        .await
        .map_err(|e| Error::Decode {
            message: format!("decoding the page was interrupted: {e}"),
            body: String::new(),
        })?
}

/// The cursor a page body leads to, [`ReportPage::next`], read from the body's top-level
/// members without decoding its records; `None` when that is not possible cheaply (then the
/// page is decoded first and the cursor taken from it).
///
/// The API puts the count (`records_remaining`, or `reports_remaining` as TeamViewer's document
/// also calls it) and `next_offset` next to the `records` array, so the scan reads the
/// top-level members from both ends of the object up to the first array or object value. It
/// follows [`ReportPage::next_cursor`]: a count of 0 ends the paging, a count above 0 or no
/// count at all goes on with a non-empty `next_offset`; an object without an array (so without
/// records) has no next page.
///
/// Reading JSON backwards is unambiguous at the top level: a string ends at a `"` and starts at
/// the nearest `"` before it that is not escaped (inside a JSON string every `"` is escaped).
/// The result is only a guess for the look-ahead request; the fetch compares it with the
/// decoded page's own cursor before using that request's answer.
fn page_cursor(b: &[u8]) -> Option<String> {
    let mut head = PageHead::default();
    // Forward from `{`, member by member, up to a container value (or the end).
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    loop {
        i = skip_ws(b, i);
        match b.get(i)? {
            // The whole object without an array: no records, so no next page.
            b'}' if skip_ws(b, i + 1) == b.len() => return None,
            b'"' => {}
            _ => return None,
        }
        let key_end = string_end(b, i)?;
        let key = &b[i + 1..key_end - 1];
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(b, i + 1);
        if matches!(b.get(i)?, b'[' | b'{') {
            break;
        }
        let value_end = scalar_end(b, i)?;
        head.note(key, &b[i..value_end])?;
        i = skip_ws(b, value_end);
        match b.get(i)? {
            b',' => i += 1,
            // Also the `}` of an object without an array, as above.
            _ => return None,
        }
    }

    // Backward from the closing `}`, member by member, up to a container value.
    let mut j = skip_ws_back(b, b.len());
    if j == 0 || b[j - 1] != b'}' {
        return None;
    }
    j -= 1;
    loop {
        j = skip_ws_back(b, j);
        let value_end = j;
        let value_start = match b.get(j.checked_sub(1)?)? {
            b']' => {
                // An empty array here may be the records: then there is no next page.
                if b.get(skip_ws_back(b, j - 1).checked_sub(1)?) == Some(&b'[') {
                    return None;
                }
                break;
            }
            b'}' => break,
            b'"' => string_start(b, j - 1)?,
            _ => {
                let mut k = j;
                while k > 0 && !matches!(b[k - 1], b',' | b':' | b' ' | b'\t' | b'\n' | b'\r') {
                    k -= 1;
                }
                k
            }
        };
        j = skip_ws_back(b, value_start);
        if j == 0 || b[j - 1] != b':' {
            return None;
        }
        j = skip_ws_back(b, j - 1);
        if j == 0 || b[j - 1] != b'"' {
            return None;
        }
        let key_start = string_start(b, j - 1)?;
        head.note(&b[key_start + 1..j - 1], &b[value_start..value_end])?;
        j = skip_ws_back(b, key_start);
        match b.get(j.checked_sub(1)?)? {
            b',' => j -= 1,
            _ => return None,
        }
    }

    match (head.remaining, head.next_offset) {
        (Some(0), _) | (_, None | Some("")) => None,
        // A count the scan did not see may still sit between two containers; then the guess
        // costs one unused request on the last page.
        (_, Some(next)) => Some(next.to_owned()),
    }
}

/// The paging members [`page_cursor`] found so far.
#[derive(Default)]
struct PageHead<'a> {
    remaining: Option<u64>,
    next_offset: Option<&'a str>,
}

impl<'a> PageHead<'a> {
    /// Takes note of one top-level member; `None` when the value is not one the cursor can be
    /// read from cheaply (an escaped or non-string cursor, a non-integer count, a repeated key,
    /// or both names of the count: the decoded page settles those).
    fn note(&mut self, key: &[u8], value: &'a [u8]) -> Option<()> {
        match key {
            b"records_remaining" | b"reports_remaining" if self.remaining.is_none() => {
                self.remaining = Some(plain_u64(value)?);
            }
            b"next_offset" if self.next_offset.is_none() => {
                let inner = value.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
                if inner.contains(&b'\\') {
                    return None;
                }
                self.next_offset = Some(std::str::from_utf8(inner).ok()?);
            }
            // A second copy of a key: serde refuses the page anyway.
            b"records_remaining" | b"reports_remaining" | b"next_offset" => return None,
            _ => {}
        }
        Some(())
    }
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

/// The first index at or after `i` that is not JSON whitespace.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_ws(b[i]) {
        i += 1;
    }
    i
}

/// The end (exclusive) of the whitespace-free text before `j`.
fn skip_ws_back(b: &[u8], mut j: usize) -> usize {
    while j > 0 && is_ws(b[j - 1]) {
        j -= 1;
    }
    j
}

/// The index after the closing quote of the string that opens at `start`.
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The index of the opening quote of the string whose closing quote is at `end`: the nearest
/// `"` before it that is preceded by an even number of backslashes.
fn string_start(b: &[u8], end: usize) -> Option<usize> {
    let mut k = end;
    while k > 0 {
        k -= 1;
        if b[k] == b'"' {
            let escapes = b[..k].iter().rev().take_while(|&&c| c == b'\\').count();
            if escapes % 2 == 0 {
                return Some(k);
            }
        }
    }
    None
}

/// The end (exclusive) of the string, number or literal that starts at `i`.
fn scalar_end(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i)? == &b'"' {
        return string_end(b, i);
    }
    let mut k = i;
    while k < b.len() && !matches!(b[k], b',' | b'}' | b']') && !is_ws(b[k]) {
        k += 1;
    }
    (k > i).then_some(k)
}

/// A JSON number that is a plain non-negative integer (what serde reads as `u64`).
fn plain_u64(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_set_keeps_each_id_once() {
        let mut set = IdSet::default();
        assert!(set.insert("a") && set.insert("bc") && set.insert(""));
        assert!(!set.insert("a") && !set.insert("bc") && !set.insert(""));
        assert_eq!(set.len(), 3, "each id once");

        let ids: Vec<String> = (0..10_000).map(|i| format!("id-{i}")).collect();
        for id in &ids {
            assert!(set.insert(id), "{id} is new");
        }
        for id in &ids {
            assert!(!set.insert(id), "{id} is known");
        }
        // Ids that are prefixes of others, or differ only by a NUL where the fingerprint's
        // high half appends its separator, are distinct.
        for id in ["id-", "id-10000", "a\0", "a\0\0", "bc\u{ff}", "\0"] {
            assert!(set.insert(id), "{id:?} is a new id");
        }
        assert_eq!(set.len(), 3 + 10_000 + 6);
    }

    #[test]
    fn fingerprints_are_keyed_and_their_halves_differ() {
        let (one, other) = (IdKey::default(), IdKey::default());
        for id in ["", "a", "c0ffee00-0000-4000-8000-000000000001"] {
            let fingerprint = one.fingerprint(id);
            assert_eq!(
                fingerprint,
                one.fingerprint(id),
                "the same id, the same fingerprint"
            );
            assert_ne!(
                fingerprint,
                other.fingerprint(id),
                "another key, another fingerprint"
            );
            assert_ne!(
                fingerprint >> 64,
                fingerprint & u128::from(u64::MAX),
                "two different inputs for the halves"
            );
        }
    }

    #[test]
    fn fingerprints_sharing_a_table_hash_are_distinct() {
        // The table hashes a fingerprint by its low half only; the whole 128 bits decide.
        let mut set = IdSet::default();
        let low = 0x0123_4567_89ab_cdef_u128;
        assert!(set.insert_fingerprint((1 << 64) | low));
        assert!(set.insert_fingerprint((2 << 64) | low));
        assert!(!set.insert_fingerprint((1 << 64) | low));
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn cursor_is_read_from_either_end_of_the_body() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                r#"{"records":[{"id":"a"},{"id":"b"}],"records_remaining":5,"next_offset":"b"}"#,
                Some("b"),
            ),
            (
                "{ \"next_offset\" : \"b\" ,\n \"records_remaining\" : 5 , \"records\" : [ {\"id\":\"b\"} ] }\n",
                Some("b"),
            ),
            (
                r#"{"records_remaining":5,"records":[{"id":"b"}],"next_offset":"b","x":{"y":1}}"#,
                None,
            ),
            (
                r#"{"records_remaining":5,"records":[{"id":"b"}],"x":[1],"next_offset":"b","z":null}"#,
                Some("b"),
            ),
            (
                r#"{"records":[{"id":"a\"],\"next_offset\":\"x"}],"records_remaining":5,"next_offset":"b\\"}"#,
                None,
            ),
            (
                r#"{"records":[{"n":"\\"}],"records_remaining":5,"next_offset":"b"}"#,
                Some("b"),
            ),
            (r#"{"records":[],"records_remaining":5,"next_offset":"b"}"#, None),
            (r#"{"records":[{"id":"b"}],"records_remaining":0,"next_offset":"b"}"#, None),
            (r#"{"records":[{"id":"b"}],"records_remaining":5,"next_offset":""}"#, None),
            (r#"{"records":[{"id":"b"}],"records_remaining":5,"next_offset":null}"#, None),
            (r#"{"records":[{"id":"b"}],"records_remaining":5}"#, None),
            (
                r#"{"records":[{"id":"b"}],"reports_remaining":5,"next_offset":"b"}"#,
                Some("b"),
            ),
            (
                r#"{"next_offset":"b","reports_remaining":5,"records":[{"id":"b"}]}"#,
                Some("b"),
            ),
            (r#"{"records":[{"id":"b"}],"reports_remaining":0,"next_offset":"b"}"#, None),
            (r#"{"records":[{"id":"b"}],"next_offset":"b"}"#, Some("b")),
            (r#"{"records":[{"id":"b"}],"next_offset":"b","records_remaining":null}"#, None),
            (
                r#"{"records":[{"id":"b"}],"records_remaining":5,"reports_remaining":5,"next_offset":"b"}"#,
                None,
            ),
            (r#"{"records":[{"id":"b"}],"records_remaining":5.0,"next_offset":"b"}"#, None),
            (r#"{"records":[{"id":"b"}],"records_remaining":-5,"next_offset":"b"}"#, None),
            (
                r#"{"records":[{"id":"b"}],"next_offset":"a","records_remaining":5,"next_offset":"b"}"#,
                None,
            ),
            (r#"{"records_remaining":5,"next_offset":"b"}"#, None),
            (r#"{"records_remaining":5,"next_offset":"b"} x"#, None),
            (r#"[1,2]"#, None),
            ("", None),
            ("{", None),
            (r#"{"records":[{"id":"b"}],"records_remaining":5,"next_offset":"b""#, None),
        ];
        for (body, want) in cases {
            assert_eq!(
                page_cursor(body.as_bytes()).as_deref(),
                *want,
                "{body}: the look-ahead cursor"
            );
            if let (Some(want), Ok(page)) = (want, ReportPage::from_json(body.as_bytes())) {
                assert_eq!(
                    page.next_cursor().ok().flatten(),
                    Some(*want),
                    "{body}: the scan guesses the cursor the decoded page leads to"
                );
            }
        }
    }
}
