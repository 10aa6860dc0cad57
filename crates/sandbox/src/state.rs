//! The state shared by all request handlers of one sandbox.

use crate::auth::AuthStore;
use crate::config::SandboxConfig;
use crate::data::whole_seconds;
use crate::desk::Desk;
use crate::reports::ReportStore;
use crate::stats::Counters;
use crate::wire::WireReport;
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;
use tokio::time::Instant;
use url::Url;

/// Handler state: an `Arc` so that axum can clone it per request.
pub(crate) type AppState = Arc<Shared>;

/// Everything the handlers share. Locks are never held across an `.await`.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: SandboxConfig,
    /// Origin of the sandbox, ending in `/`.
    pub(crate) base_url: Url,
    pub(crate) clock: SimClock,
    pub(crate) stats: Counters,
    pub(crate) auth: Mutex<AuthStore>,
    /// Lock it with [`Shared::desk`], which first brings the customers up to date.
    desk: Mutex<Desk>,
    pub(crate) reports: RwLock<ReportStore>,
}

impl Shared {
    pub(crate) fn new(
        config: SandboxConfig,
        base_url: Url,
        now: DateTime<Utc>,
        reports: Vec<WireReport>,
    ) -> Self {
        let withheld = config.withheld_records;
        let auth = AuthStore::new(
            config.seed,
            config.access_token_ttl,
            config.faults.token_expiry_after_calls,
        );
        let mut desk = Desk::new(config.seed, config.sessions, now);
        if let Some(every) = config.customer_arrival_every {
            desk.enable_arrivals(config.seed, every, now);
        }
        Self {
            config,
            base_url,
            clock: SimClock::new(now),
            stats: Counters::default(),
            auth: Mutex::new(auth),
            desk: Mutex::new(desk),
            reports: RwLock::new(ReportStore::new(reports, withheld)),
        }
    }
}

impl Shared {
    /// The sessions and groups, with customers' arrivals and departures applied up to the
    /// sandbox clock's present.
    pub(crate) fn desk(&self) -> MutexGuard<'_, Desk> {
        let mut desk = lock(&self.desk);
        desk.advance_arrivals(self.clock.elapsed());
        desk
    }
}

/// The sandbox's notion of "now": the configured start instant advanced by elapsed time, in
/// whole seconds (timestamps of new sessions then fit the generated data's timeline).
///
/// Elapsed time is read from Tokio's clock, which is the real monotonic clock except in tests
/// that pause it (`#[tokio::test(start_paused = true)]`): there the sandbox's time, and so its
/// customers' arrivals, move with `tokio::time::advance` and auto-advance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SimClock {
    base: DateTime<Utc>,
    started: Instant,
}

impl SimClock {
    pub(crate) fn new(base: DateTime<Utc>) -> Self {
        Self {
            base,
            started: Instant::now(),
        }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.elapsed()).unwrap_or_default();
        whole_seconds(self.base + elapsed)
    }

    /// Time since the sandbox started.
    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// Locks a mutex; a panic in another handler must not take the sandbox down with it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Read-locks an `RwLock`, ignoring poisoning like [`lock`].
pub(crate) fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

/// Write-locks an `RwLock`, ignoring poisoning like [`lock`].
pub(crate) fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}
