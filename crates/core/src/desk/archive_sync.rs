//! Keeping the connection-log archive in step with TeamViewer while the app is open: a sync at
//! start, then every `interval_minutes` (settings, default 15), and on demand (the Sync
//! button); progress and Cancel; the time of the last sync; the edits made offline are sent
//! once the API answers again.
//!
//! One run at a time: a second request while a run is going joins it (it is told the running
//! state, nothing is started twice). Background runs spend at most [`SYNC_DAILY_BUDGET`] report
//! requests in 24 hours (TeamViewer budgets API calls per licence; the live session list has
//! its own 1,800), and they pause while signed out. The state reaches the UI as
//! [`ArchiveSyncStatus`] through [`ArchiveSync::subscribe`].

use super::archive_area::{ArchiveStore, ArchiveSyncCounts};
use super::connection::{lock, Shared};
use super::settings::Settings;
use crate::error::{Error, ErrorKind, ErrorReport, Result};
use crate::live::RequestBudget;
use crate::logs::ReportPager;
use crate::models::{ReportPage, ReportQuery};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Report requests background syncs may send in any 24 hours (a first sync of a long history
/// started by the user is not limited; a background run that would exceed it waits).
pub const SYNC_DAILY_BUDGET: u32 = 1_000;

/// The archive's sync settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default, rename_all = "camelCase")]
pub struct ArchiveSettings {
    /// Sync at start and every `interval_minutes` while the app is open.
    pub auto_sync: bool,
    /// Minutes between background syncs (5 to 1,440).
    pub interval_minutes: u32,
    /// Days an incremental sync reads again before the newest archived start (0 to 30): late
    /// reports and recent edits are caught.
    pub overlap_days: u32,
}

impl Default for ArchiveSettings {
    fn default() -> Self {
        Self {
            auto_sync: true,
            interval_minutes: 15,
            overlap_days: 2,
        }
    }
}

impl ArchiveSettings {
    /// # Errors
    /// [`Error::InvalidInput`] naming the field out of range.
    pub fn validate(&self) -> Result<()> {
        if !(5..=1440).contains(&self.interval_minutes) {
            return Err(Error::invalid(
                "sync interval",
                "must be between 5 and 1440 minutes",
            ));
        }
        if self.overlap_days > 30 {
            return Err(Error::invalid(
                "sync overlap",
                "must be between 0 and 30 days",
            ));
        }
        Ok(())
    }

    /// The overlap as a duration.
    pub fn overlap(&self) -> Duration {
        Duration::from_secs(u64::from(self.overlap_days) * 24 * 60 * 60)
    }
}

/// What the archive's sync is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// No archive (memory only).
    Unavailable,
    /// Waiting for the next run.
    Idle,
    /// A run is going.
    Syncing,
}

/// The archive's sync as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ArchiveSyncStatus {
    /// What it is doing.
    pub state: SyncState,
    /// Records received by the running (or last) run.
    pub received: u64,
    /// Records the server still has for the running run.
    pub remaining: u64,
    /// When the last run finished completely.
    pub last_sync: Option<DateTime<Utc>>,
    /// The last run's counts: new, changed, in the archive.
    pub last_new: u64,
    /// Changed records of the last run.
    pub last_updated: u64,
    /// Records in the archive after the last run.
    pub total: u64,
    /// Why the last run stopped (`cancelled` when the user cancelled), `None` when it ended well.
    pub error: Option<ErrorReport>,
    /// Record edits kept in the archive, not sent to TeamViewer yet.
    pub pending_edits: u64,
    /// Ids of the reports with pending edits (for the log view's marker).
    pub pending_ids: Vec<String>,
    /// Background syncs wait because they used their daily request budget.
    pub budget_exhausted: bool,
}

impl ArchiveSyncStatus {
    fn new(available: bool) -> Self {
        Self {
            state: if available {
                SyncState::Idle
            } else {
                SyncState::Unavailable
            },
            received: 0,
            remaining: 0,
            last_sync: None,
            last_new: 0,
            last_updated: 0,
            total: 0,
            error: None,
            pending_edits: 0,
            pending_ids: Vec::new(),
            budget_exhausted: false,
        }
    }
}

/// Who asked for a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncTrigger {
    /// The user (Sync button, CLI-like use): not limited by the background budget.
    User,
    /// The schedule.
    Background,
}

/// The archive-sync area of the desk.
#[derive(Debug)]
pub(super) struct ArchiveSync {
    shared: Arc<Shared>,
    archive: Option<Arc<dyn ArchiveStore>>,
    status: watch::Sender<ArchiveSyncStatus>,
    inner: Mutex<Inner>,
    /// One run at a time.
    run_lock: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Inner {
    cancel: CancellationToken,
    budget: RequestBudget,
}

/// A pager that counts the requests it sends (and refuses once the budget is used up).
struct Counted<'a> {
    inner: &'a dyn ReportPager,
    budget: Option<&'a Mutex<Inner>>,
}

#[async_trait]
impl ReportPager for Counted<'_> {
    async fn report_page(
        &self,
        query: &ReportQuery,
        offset_id: Option<&str>,
    ) -> Result<ReportPage> {
        if let Some(inner) = self.budget {
            let mut st = lock(inner);
            let now = tokio::time::Instant::now();
            if st.budget.free_at(now).is_some() {
                // The background sync used its daily request budget.
                return Err(Error::RateLimited { retry_after: None });
            }
            st.budget.record(now);
        }
        self.inner.report_page(query, offset_id).await
    }
}

impl ArchiveSync {
    pub(super) fn new(shared: Arc<Shared>, archive: Option<Arc<dyn ArchiveStore>>) -> Self {
        let (status, _) = watch::channel(ArchiveSyncStatus::new(archive.is_some()));
        Self {
            shared,
            archive,
            status,
            inner: Mutex::new(Inner {
                cancel: CancellationToken::new(),
                budget: RequestBudget::daily(SYNC_DAILY_BUDGET),
            }),
            run_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// The current status.
    pub(super) fn status(&self) -> ArchiveSyncStatus {
        self.status.borrow().clone()
    }

    /// Hears every change of the status.
    pub(super) fn subscribe(&self) -> watch::Receiver<ArchiveSyncStatus> {
        self.status.subscribe()
    }

    /// Reads the last sync time and the pending edits from the archive (at launch, offline too).
    pub(super) async fn refresh_from_archive(&self) {
        let Some(archive) = &self.archive else { return };
        let last = archive.last_sync().await.ok().flatten();
        let pending = archive.pending_edits().await.unwrap_or_default();
        self.status.send_modify(|s| {
            s.last_sync = last.or(s.last_sync);
            s.pending_edits = pending.len() as u64;
            s.pending_ids = pending.iter().map(|e| e.report_id.clone()).collect();
        });
    }

    /// Stops a running sync between pages (what was committed stays).
    pub(super) fn cancel(&self) {
        lock(&self.inner).cancel.cancel();
    }

    /// Runs a sync now: first the edits kept while offline are sent (each exactly once: it is
    /// marked sent in the archive right after TeamViewer accepted it), then the archive is
    /// synced. A run already going is joined: this waits for it and returns its status.
    ///
    /// # Errors
    /// [`Error::Config`] without an archive; `not_signed_in`; the API's and the archive's
    /// errors; [`Error::Cancelled`] when cancelled. The status says the same.
    pub(super) async fn sync_now(
        &self,
        settings: &Settings,
        trigger: SyncTrigger,
    ) -> Result<ArchiveSyncStatus> {
        let Some(archive) = self.archive.clone() else {
            return Err(Error::Config {
                message: "the connection-log archive is not open".to_owned(),
            });
        };
        let Ok(_guard) = self.run_lock.try_lock() else {
            // A run is going: wait for it and report its outcome.
            let _done = self.run_lock.lock().await;
            return Ok(self.status());
        };
        let cancel = {
            let mut st = lock(&self.inner);
            st.cancel = CancellationToken::new();
            st.cancel.clone()
        };
        self.status.send_modify(|s| {
            s.state = SyncState::Syncing;
            s.received = 0;
            s.remaining = 0;
            s.error = None;
        });
        let outcome = self.run(&*archive, settings, trigger, &cancel).await;
        let pending = archive.pending_edits().await.unwrap_or_default();
        let last = archive.last_sync().await.ok().flatten();
        self.status.send_modify(|s| {
            s.state = SyncState::Idle;
            s.pending_edits = pending.len() as u64;
            s.pending_ids = pending.iter().map(|e| e.report_id.clone()).collect();
            match &outcome {
                Ok(counts) => {
                    s.last_sync = last.or(Some(Utc::now()));
                    s.last_new = counts.new;
                    s.last_updated = counts.updated;
                    s.total = counts.total;
                    s.error = None;
                    s.budget_exhausted = false;
                }
                Err(e) => {
                    s.error = Some(e.report());
                    s.budget_exhausted =
                        trigger == SyncTrigger::Background && e.kind() == ErrorKind::RateLimited;
                }
            }
        });
        outcome.map(|_| self.status())
    }

    async fn run(
        &self,
        archive: &dyn ArchiveStore,
        settings: &Settings,
        trigger: SyncTrigger,
        cancel: &CancellationToken,
    ) -> Result<ArchiveSyncCounts> {
        let conn = self.shared.conn();
        let client = conn.client()?;
        self.send_pending_edits(archive, client).await?;
        let pager = Counted {
            inner: client,
            budget: (trigger == SyncTrigger::Background).then_some(&self.inner),
        };
        let status = &self.status;
        archive
            .sync(
                &pager,
                settings.archive.overlap(),
                cancel,
                &mut |c: ArchiveSyncCounts| {
                    status.send_modify(|s| {
                        s.received = c.received;
                        s.remaining = c.remaining;
                    });
                },
            )
            .await
    }

    /// Sends the archive's pending edits, oldest first. An edit TeamViewer refuses (not a
    /// network problem) stays pending and the run stops with that error, so it is shown and
    /// nothing is dropped silently.
    async fn send_pending_edits(
        &self,
        archive: &dyn ArchiveStore,
        client: &crate::client::TeamViewerClient,
    ) -> Result<()> {
        for edit in archive.pending_edits().await? {
            client.update_report(&edit.report_id, &edit.update).await?;
            // Marked right after TeamViewer accepted it. Should the app die between the two,
            // the edit is sent once more on the next run: the same values again, which changes
            // nothing at TeamViewer (a PUT of notes and billing state is idempotent).
            archive.mark_edit_sent(edit.edit_id).await?;
            tracing::info!("a pending record edit was sent");
        }
        Ok(())
    }

    /// The background schedule: a sync at start, then every `interval_minutes` after the end
    /// of the last background run, while `auto_sync` is on and someone is signed in. The
    /// settings are read again at least once a minute, so a changed interval counts from the
    /// last run at once (not after the wait planned with the old one). Runs until `stop` is
    /// cancelled.
    pub(super) async fn schedule(self: Arc<Self>, stop: CancellationToken) {
        /// The longest nap between two looks at the settings.
        const RECHECK: Duration = Duration::from_secs(60);
        enum Next {
            /// At this instant (the first run, or another look after a sign-in).
            At(tokio::time::Instant),
            /// One interval (as the settings say now) after this run's end.
            AfterRun(tokio::time::Instant),
        }
        if self.archive.is_none() {
            return;
        }
        self.refresh_from_archive().await;
        // Give the sign-in at launch a moment (a stored token is checked first).
        let mut next = Next::At(tokio::time::Instant::now() + Duration::from_secs(5));
        loop {
            let settings = self.shared.conn().settings.clone();
            let interval =
                Duration::from_secs(u64::from(settings.archive.interval_minutes.max(1)) * 60);
            let due = match next {
                Next::At(at) => at,
                Next::AfterRun(end) => end + interval,
            };
            let now = tokio::time::Instant::now();
            if now < due {
                tokio::select! {
                    () = stop.cancelled() => return,
                    () = tokio::time::sleep((due - now).min(RECHECK)) => {}
                }
                continue;
            }
            let conn = self.shared.conn();
            let s = conn.settings.clone();
            let signed_in = conn
                .session
                .status()
                .await
                .is_ok_and(|state| state.signed_in);
            drop(conn);
            if !s.archive.auto_sync || !signed_in {
                // Check again soon after a sign-in rather than a whole interval later.
                next = Next::At(tokio::time::Instant::now() + Duration::from_secs(30));
                continue;
            }
            match self.sync_now(&s, SyncTrigger::Background).await {
                Ok(_) => {}
                Err(e) => tracing::info!(kind = %e.kind(), "background archive sync stopped: {e}"),
            }
            next = Next::AfterRun(tokio::time::Instant::now());
        }
    }
}
