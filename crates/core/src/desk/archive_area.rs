//! The desk's view of the connection-log archive: the records kept on disk, read at launch so the
//! log view opens on the archived period at once (offline too), and where record edits are kept
//! (sent ones as the updated record, unsent ones as pending edits).
//!
//! The archive itself is the `sdesk-archive` crate, which depends on this one (its errors are
//! [`crate::Error`] and it pages through [`crate::logs::ReportPager`]), so the core cannot name
//! it. The core defines what the desk needs as the [`ArchiveStore`] trait; the archive crate
//! implements it and the app shell hands an open archive to the desk in
//! [`super::DeskOptions::archive`] (`None`: memory only, as without an archive).

use crate::error::Result;
use crate::models::{ConnectionReport, ReportQuery, ReportUpdate};
use async_trait::async_trait;
use std::fmt::Debug;

/// What the desk needs of the connection-log archive. Implemented by `sdesk_archive::Archive`.
#[async_trait]
pub trait ArchiveStore: Send + Sync + Debug {
    /// The archived records matching `query` (the API's filter meanings: `from_date` ≤ start
    /// < `to_date`), without any network.
    async fn records(&self, query: &ReportQuery) -> Result<Vec<ConnectionReport>>;

    /// Stores `records` (inserted or replaced by id).
    async fn save(&self, records: &[ConnectionReport]) -> Result<()>;

    /// Keeps an edit that could not be sent, durably, to be sent later.
    async fn add_pending_edit(&self, report_id: &str, update: &ReportUpdate) -> Result<()>;
}
