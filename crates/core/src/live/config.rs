//! Settings of the refresher.

use super::budget::HARD_DAILY_BUDGET;
use crate::models::SessionQuery;
use std::time::Duration;

/// How the [`Refresher`](super::Refresher) polls. `LiveConfig::default()` holds the app's
/// values; every one may be changed, but no setting lets the refresher exceed
/// [`HARD_DAILY_BUDGET`] requests in 24 hours.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// Which sessions to keep (default: open ones; `SessionStateFilter::All` keeps closed ones
    /// too, at the cost of larger pages).
    pub query: SessionQuery,
    /// Interval between refreshes while the window is visible (default 30 s).
    pub visible_every: Duration,
    /// Interval while the window is hidden or minimised (default 2 min).
    pub hidden_every: Duration,
    /// Interval of the group and user lists (default 30 min).
    pub directory_every: Duration,
    /// Wait after the first failed refresh; doubles per further failure (default 30 s).
    pub error_backoff: Duration,
    /// Longest wait after failures (default 15 min).
    pub error_backoff_max: Duration,
    /// Wait after the first rate limit without `Retry-After`; doubles per further one
    /// (default 2 min).
    pub rate_limit_backoff: Duration,
    /// Longest wait after rate limits without `Retry-After` (default 30 min).
    pub rate_limit_backoff_max: Duration,
    /// Longest `Retry-After` honoured as given; a longer one is cut to this (default 1 h).
    pub max_retry_after: Duration,
    /// Requests per 24 hours (default and maximum [`HARD_DAILY_BUDGET`]; higher values are
    /// cut to it).
    pub daily_budget: u32,
    /// Capacity of the event channel (default 1,024).
    pub event_capacity: usize,
}

impl Default for LiveConfig {
    fn default() -> Self {
        Self {
            query: SessionQuery::default(),
            visible_every: Duration::from_secs(30),
            hidden_every: Duration::from_secs(2 * 60),
            directory_every: Duration::from_secs(30 * 60),
            error_backoff: Duration::from_secs(30),
            error_backoff_max: Duration::from_secs(15 * 60),
            rate_limit_backoff: Duration::from_secs(2 * 60),
            rate_limit_backoff_max: Duration::from_secs(30 * 60),
            max_retry_after: Duration::from_secs(60 * 60),
            daily_budget: HARD_DAILY_BUDGET,
            event_capacity: 1_024,
        }
    }
}

/// `base · 2^(n−1)`, at most `max` (`n` ≥ 1 failures in a row).
pub(crate) fn exponential(base: Duration, max: Duration, n: u32) -> Duration {
    base.saturating_mul(1u32 << n.saturating_sub(1).min(20))
        .min(max)
}
