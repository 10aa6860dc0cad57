//! The desk's view of the connection-log archive: the records kept on disk, read at launch so the
//! log view opens on the archived period at once (offline too), and where record edits are kept
//! (sent ones as the updated record, unsent ones as pending edits).
//!
//! The archive itself is the `sdesk-archive` crate, which depends on this one (its errors are
//! [`crate::Error`] and it pages through [`crate::logs::ReportPager`]), so the core cannot name
//! it. The core defines what the desk needs as the [`ArchiveStore`] trait; the archive crate
//! implements it and the app shell hands an open archive to the desk in
//! [`super::DeskOptions::archive`] (`None`: memory only, as without an archive).

use crate::billing::BillingRecord;
use crate::error::Result;
use crate::logs::ReportPager;
use crate::models::{ConnectionReport, ReportQuery, ReportUpdate};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::fmt::Debug;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Counts of one archive sync run (see [`ArchiveStore::sync`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ArchiveSyncCounts {
    /// Records received so far in this run.
    pub received: u64,
    /// Of these, new to the archive.
    pub new: u64,
    /// Of these, whose content changed.
    pub updated: u64,
    /// Records the server still has for this run (its count after the last page).
    pub remaining: u64,
    /// Records in the archive (after the run; 0 while it runs).
    pub total: u64,
}

/// An edit kept in the archive until it is sent to TeamViewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEdit {
    /// The archive's number of the edit (edits of one report apply in this order).
    pub edit_id: i64,
    /// The report.
    pub report_id: String,
    /// The change.
    pub update: ReportUpdate,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// Records per part of [`ArchiveStore::records_in_parts`].
pub const ARCHIVE_READ_PART: usize = 1_000;

/// What the desk needs of the connection-log archive. Implemented by `sdesk_archive::Archive`.
#[async_trait]
pub trait ArchiveStore: Send + Sync + Debug {
    /// The archived records matching `query` (the API's filter meanings: `from_date` ≤ start
    /// < `to_date`), without any network.
    async fn records(&self, query: &ReportQuery) -> Result<Vec<ConnectionReport>>;

    /// At most `limit` of the archived records matching `query`, newest start first (records
    /// without a start last, ties by id): the log view's first screen.
    async fn newest_records(
        &self,
        query: &ReportQuery,
        limit: usize,
    ) -> Result<Vec<ConnectionReport>>;

    /// How many archived records match `query`.
    async fn count(&self, query: &ReportQuery) -> Result<u64>;

    /// The same records as [`ArchiveStore::records`], handed to `part` in parts of at most
    /// [`ARCHIVE_READ_PART`] records as they are read, so that a large period is never held
    /// whole as typed records (1,000,000 of them take over a gigabyte; the log store keeps them
    /// in a fraction of that). Returns how many were handed over. The default reads them all
    /// with [`ArchiveStore::records`] first.
    async fn records_in_parts(
        &self,
        query: &ReportQuery,
        mut part: Box<dyn FnMut(Vec<ConnectionReport>) + Send>,
    ) -> Result<u64> {
        let records = self.records(query).await?;
        let count = records.len() as u64;
        let mut records = records.into_iter();
        loop {
            let next: Vec<ConnectionReport> = records.by_ref().take(ARCHIVE_READ_PART).collect();
            if next.is_empty() {
                return Ok(count);
            }
            part(next);
        }
    }

    /// The billing fields ([`BillingRecord`]) of every archived connection that starts in
    /// `from` ≤ start < `to`, in no particular order: what billing and insight read. The
    /// default derives them from [`ArchiveStore::records`]; an archive reads only the columns
    /// it needs.
    async fn billing_records(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BillingRecord>> {
        let query = ReportQuery {
            from_date: Some(from),
            to_date: Some(to),
            ..ReportQuery::default()
        };
        Ok(self
            .records(&query)
            .await?
            .iter()
            .filter_map(BillingRecord::from_report)
            .filter(|r| r.start >= from && r.start < to)
            .collect())
    }

    /// The archived record with this `id`, if there is one (mark billed reads its state before
    /// sending, and updates it after). The default searches [`ArchiveStore::records`] of the
    /// whole archive; an archive looks the id up.
    async fn record(&self, id: &str) -> Result<Option<ConnectionReport>> {
        Ok(self
            .records(&ReportQuery::default())
            .await?
            .into_iter()
            .find(|r| r.id == id))
    }

    /// Stores `records` (inserted or replaced by id).
    async fn save(&self, records: &[ConnectionReport]) -> Result<()>;

    /// Keeps an edit that could not be sent, durably, to be sent later.
    async fn add_pending_edit(&self, report_id: &str, update: &ReportUpdate) -> Result<()>;

    /// The edits not sent yet, oldest first.
    async fn pending_edits(&self) -> Result<Vec<StoredEdit>>;

    /// Marks an edit as sent (it is no longer pending); `false` when it was not pending.
    async fn mark_edit_sent(&self, edit_id: i64) -> Result<bool>;

    /// Syncs the archive with the API through `pager`: an interrupted run continues, then an
    /// incremental run reads from the newest archived start minus `overlap` (everything on the
    /// first sync). Each page is committed as it arrives; a cancel (checked between pages)
    /// keeps what was committed. `progress` hears the counts after each page.
    async fn sync(
        &self,
        pager: &dyn ReportPager,
        overlap: Duration,
        cancel: &CancellationToken,
        progress: &mut (dyn FnMut(ArchiveSyncCounts) + Send),
    ) -> Result<ArchiveSyncCounts>;

    /// When the last sync run finished (`None` before the first).
    async fn last_sync(&self) -> Result<Option<DateTime<Utc>>>;
}
