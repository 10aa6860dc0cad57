//! The archive as the desk's [`ArchiveStore`]: the app shell opens an [`Archive`] and hands it
//! to `sdesk_core::desk::Desk` (the core cannot depend on this crate, which depends on it).

use crate::sync::{sync, SyncOptions};
use crate::{Archive, ArchiveQuery};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sdesk_core::billing::BillingRecord;
use sdesk_core::desk::{ArchiveStore, ArchiveSyncCounts, StoredEdit, ARCHIVE_READ_PART};
use sdesk_core::logs::ReportPager;
use sdesk_core::models::{ConnectionReport, ReportQuery, ReportUpdate};
use sdesk_core::Result;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[async_trait]
impl ArchiveStore for Archive {
    async fn records(&self, query: &ReportQuery) -> Result<Vec<ConnectionReport>> {
        self.query(&ArchiveQuery {
            filter: query.clone(),
            ..ArchiveQuery::default()
        })
        .await
    }

    async fn newest_records(
        &self,
        query: &ReportQuery,
        limit: usize,
    ) -> Result<Vec<ConnectionReport>> {
        self.query(&ArchiveQuery {
            filter: query.clone(),
            limit: Some(u64::try_from(limit).unwrap_or(u64::MAX)),
            newest_first: true,
            ..ArchiveQuery::default()
        })
        .await
    }

    async fn count(&self, query: &ReportQuery) -> Result<u64> {
        Archive::count(
            self,
            &ArchiveQuery {
                filter: query.clone(),
                ..ArchiveQuery::default()
            },
        )
        .await
    }

    async fn records_in_parts(
        &self,
        query: &ReportQuery,
        part: Box<dyn FnMut(Vec<ConnectionReport>) + Send>,
    ) -> Result<u64> {
        let query = ArchiveQuery {
            filter: query.clone(),
            ..ArchiveQuery::default()
        };
        self.query_in_parts(&query, ARCHIVE_READ_PART, part).await
    }

    async fn billing_records(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BillingRecord>> {
        Archive::billing_records(self, from, to).await
    }

    async fn save(&self, records: &[ConnectionReport]) -> Result<()> {
        self.upsert(records).await.map(|_| ())
    }

    async fn add_pending_edit(&self, report_id: &str, update: &ReportUpdate) -> Result<()> {
        self.add_edit(report_id, update).await.map(|_| ())
    }

    async fn pending_edits(&self) -> Result<Vec<StoredEdit>> {
        Ok(Archive::pending_edits(self)
            .await?
            .into_iter()
            .map(|e| StoredEdit {
                edit_id: e.edit_id,
                report_id: e.report_id,
                update: ReportUpdate {
                    notes: e.notes,
                    billing_state: e.billing_state,
                },
                created_at: e.created_at,
            })
            .collect())
    }

    async fn mark_edit_sent(&self, edit_id: i64) -> Result<bool> {
        Archive::mark_edit_sent(self, edit_id).await
    }

    async fn sync(
        &self,
        pager: &dyn ReportPager,
        overlap: Duration,
        cancel: &CancellationToken,
        progress: &mut (dyn FnMut(ArchiveSyncCounts) + Send),
    ) -> Result<ArchiveSyncCounts> {
        let options = SyncOptions {
            overlap,
            ..SyncOptions::default()
        };
        let report = sync(self, pager, &options, cancel, &mut |p| {
            progress(ArchiveSyncCounts {
                received: p.received,
                new: p.new,
                updated: p.updated,
                remaining: p.records_remaining,
                total: 0,
            });
        })
        .await?;
        Ok(ArchiveSyncCounts {
            received: report.new + report.updated + report.unchanged,
            new: report.new,
            updated: report.updated,
            remaining: 0,
            total: report.total,
        })
    }

    async fn last_sync(&self) -> Result<Option<DateTime<Utc>>> {
        // Not `stats`: counting every record (a quarter second at 1,000,000) would hold up the
        // log view's first screen at launch, which waits for the same connection.
        Archive::last_sync(self).await
    }
}
