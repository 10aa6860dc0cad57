//! The desk's insight area: the dashboard ([`crate::billing::dashboard`]) of the period the
//! Insight tab shows, computed from the archive without any network and published as one state
//! ([`InsightState`]) that the shell emits as `insight` to the UI's one store.
//!
//! - The UI asks for its period soon after launch, in the background, so the tab has its
//!   figures before it is first opened; opening it then only paints (item 8: first paint
//!   ≤ 150 ms with 1,000,000 archived).
//! - A newer request supersedes an older one: only the newest period's result is published.
//! - After an archive sync that brought new or changed records, the current period is computed
//!   again (an open-ended period, "last 30 days", up to the new now).
//! - Days and weeks are the computer's local days (the webview shares its zone).

use super::archive_area::ArchiveStore;
use super::archive_sync::{ArchiveSyncStatus, SyncState};
use crate::billing::{dashboard, Dashboard, Rates};
use crate::clock::Clock;
use crate::error::{Error, ErrorReport, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::watch;

/// The period the Insight tab asks for.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InsightPeriod {
    /// Start (inclusive).
    pub from: DateTime<Utc>,
    /// End (exclusive); `None`: up to now (now when computed).
    pub to: Option<DateTime<Utc>>,
}

/// What the Insight tab shows: the period asked for and its dashboard, or why there is none.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InsightState {
    /// The period last asked for (`None` before the first request).
    pub period: Option<InsightPeriod>,
    /// Its figures are being computed (the dashboard shown is the previous one, if any).
    pub computing: bool,
    /// The computer has an archive (without one there is nothing to show).
    pub archive: bool,
    /// The figures of `period` (`None` until computed, or after an error).
    pub dashboard: Option<Dashboard>,
    /// Why the last computation failed.
    pub error: Option<ErrorReport>,
    /// Why the charge rates (`rates.toml`) could not be read: the amounts then use the default
    /// rate.
    pub rates_error: Option<ErrorReport>,
}

/// The insight area of the desk.
#[derive(Debug)]
pub(super) struct Insight {
    archive: Option<Arc<dyn ArchiveStore>>,
    clock: Arc<dyn Clock>,
    /// Where the charge rates are (`rates.toml` beside the settings), for the amounts.
    rates_path: Option<PathBuf>,
    state: watch::Sender<InsightState>,
    /// Bumped by every request; a computation publishes only while it is the newest.
    generation: AtomicU64,
}

impl Insight {
    pub(super) fn new(
        archive: Option<Arc<dyn ArchiveStore>>,
        clock: Arc<dyn Clock>,
        rates_path: Option<PathBuf>,
    ) -> Self {
        let (state, _) = watch::channel(InsightState {
            period: None,
            computing: false,
            archive: archive.is_some(),
            dashboard: None,
            error: None,
            rates_error: None,
        });
        Self {
            archive,
            clock,
            rates_path,
            state,
            generation: AtomicU64::new(0),
        }
    }

    pub(super) fn state(&self) -> InsightState {
        self.state.borrow().clone()
    }

    pub(super) fn subscribe(&self) -> watch::Receiver<InsightState> {
        self.state.subscribe()
    }

    /// Computes the dashboard of `period` and publishes it (unless a newer request came
    /// meanwhile). Returns the state after it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a period that ends before it starts (nothing changes);
    /// archive errors (also published as the state's `error`).
    pub(super) async fn compute(&self, period: InsightPeriod) -> Result<InsightState> {
        if period.to.is_some_and(|to| to < period.from) {
            return Err(Error::invalid("period", "ends before it starts"));
        }
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.state.send_modify(|s| {
            s.period = Some(period);
            s.computing = true;
        });
        let result = self.figures(period).await;
        if self.generation.load(Ordering::SeqCst) != generation {
            // A newer request owns the state now.
            return result.map(|_| self.state());
        }
        self.state.send_modify(|s| {
            s.computing = false;
            match &result {
                Ok((d, rates_error)) => {
                    s.dashboard = d.clone();
                    s.error = None;
                    s.rates_error = rates_error.clone();
                }
                Err(e) => {
                    s.dashboard = None;
                    s.error = Some(e.report());
                }
            }
        });
        result.map(|_| self.state())
    }

    /// The dashboard of `period` (`None` without an archive) and why the rates could not be
    /// read, if so.
    async fn figures(
        &self,
        period: InsightPeriod,
    ) -> Result<(Option<Dashboard>, Option<ErrorReport>)> {
        let Some(archive) = &self.archive else {
            return Ok((None, None));
        };
        let to = period.to.unwrap_or_else(|| self.clock.now());
        let from = period.from.min(to);
        let records = archive.billing_records(from, to).await?;
        let path = self.rates_path.clone();
        // A million records take a CPU for a while: not on the async workers.
        tokio::task::spawn_blocking(move || {
            // The rates the Billing tab keeps beside the settings; without the file the default.
            let (rates, rates_error) = match path.as_deref().map(Rates::load).transpose() {
                Ok(rates) => (rates.flatten().unwrap_or_default(), None),
                Err(e) => {
                    tracing::warn!(kind = %e.kind(), "insight amounts use the default rate: {e}");
                    (Rates::default(), Some(e.report()))
                }
            };
            (
                Some(dashboard(from, to, &chrono::Local, &rates, &records)),
                rates_error,
            )
        })
        .await
        .map_err(|e| Error::Config {
            message: format!("the insight computation failed: {e}"),
        })
    }

    /// Computes the current period again (after a sync that changed the archive, a billing state
    /// changed, rates saved).
    pub(super) async fn recompute(&self) {
        let Some(period) = self.state.borrow().period else {
            return;
        };
        if let Err(e) = self.compute(period).await {
            tracing::warn!(kind = %e.kind(), "insight not recomputed: {e}");
        }
    }

    /// Recomputes after every sync run that ended with new or changed records, until the sync
    /// status channel closes.
    pub(super) async fn follow_syncs(
        self: Arc<Self>,
        mut syncs: watch::Receiver<ArchiveSyncStatus>,
    ) {
        let mut last = syncs.borrow().last_sync;
        while syncs.changed().await.is_ok() {
            let (changed, finished) = {
                let s = syncs.borrow_and_update();
                let finished = s.state == SyncState::Idle && s.last_sync != last;
                last = s.last_sync;
                (s.last_new + s.last_updated > 0, finished)
            };
            if finished && changed {
                self.recompute().await;
            }
        }
    }
}
