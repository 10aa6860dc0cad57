//! The archive as the desk's [`ArchiveStore`]: the app shell opens an [`Archive`] and hands it
//! to `sdesk_core::desk::Desk` (the core cannot depend on this crate, which depends on it).

use crate::{Archive, ArchiveQuery};
use async_trait::async_trait;
use sdesk_core::desk::ArchiveStore;
use sdesk_core::models::{ConnectionReport, ReportQuery, ReportUpdate};
use sdesk_core::Result;

#[async_trait]
impl ArchiveStore for Archive {
    async fn records(&self, query: &ReportQuery) -> Result<Vec<ConnectionReport>> {
        self.query(&ArchiveQuery {
            filter: query.clone(),
            ..ArchiveQuery::default()
        })
        .await
    }

    async fn save(&self, records: &[ConnectionReport]) -> Result<()> {
        self.upsert(records).await.map(|_| ())
    }

    async fn add_pending_edit(&self, report_id: &str, update: &ReportUpdate) -> Result<()> {
        self.add_edit(report_id, update).await.map(|_| ())
    }
}
