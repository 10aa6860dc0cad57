//! The refresher's request budget: a sliding-window count of requests actually sent.

use std::collections::VecDeque;
use std::time::Duration;
use tokio::time::Instant;

/// The most requests the refresher sends in any 24 hours, whatever its settings: a quarter of
/// TeamViewer's smallest 24-hour allowance (Business, 7,200), one request per 48 s on average.
pub const HARD_DAILY_BUDGET: u32 = 1_800;
/// The budget's window.
pub const BUDGET_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
/// The pace spreads the remaining budget over a quarter of the window (see
/// [`RequestBudget::pace`]).
const SPREAD: u32 = 4;

/// Sliding-window counter of requests sent: at most `limit` in any `window`.
///
/// Two rules use it:
/// - **the wall** ([`RequestBudget::free_at`]): a request is only sent while fewer than
///   `limit` were sent in the last `window`; otherwise it waits until the oldest leaves the
///   window. This is the hard guarantee.
/// - **the pace** ([`RequestBudget::pace`]): background refreshes are spaced at least
///   `window / (4 × remaining)` apart, so that a busy refresher slows down gradually instead
///   of running into the wall and then standing still for hours.
#[derive(Debug, Clone)]
pub struct RequestBudget {
    limit: u32,
    window: Duration,
    sent: VecDeque<Instant>,
}

impl RequestBudget {
    /// At most `limit` (capped at [`HARD_DAILY_BUDGET`], at least 1) requests per 24 hours.
    pub fn daily(limit: u32) -> Self {
        Self {
            limit: limit.clamp(1, HARD_DAILY_BUDGET),
            window: BUDGET_WINDOW,
            sent: VecDeque::new(),
        }
    }

    /// The limit.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    fn prune(&mut self, now: Instant) {
        while let Some(&first) = self.sent.front() {
            if now.saturating_duration_since(first) >= self.window {
                self.sent.pop_front();
            } else {
                break;
            }
        }
    }

    /// Requests sent in the window ending at `now`.
    pub fn used(&mut self, now: Instant) -> u32 {
        self.prune(now);
        u32::try_from(self.sent.len()).unwrap_or(u32::MAX)
    }

    /// `None` when a request may go out at `now`, else the instant from which it may.
    pub fn free_at(&mut self, now: Instant) -> Option<Instant> {
        if self.used(now) < self.limit {
            return None;
        }
        // `used` ≥ limit ≥ 1, so there is a first entry.
        self.sent.front().map(|&first| first + self.window)
    }

    /// Counts a request sent at `now`.
    pub fn record(&mut self, now: Instant) {
        self.prune(now);
        self.sent.push_back(now);
    }

    /// The shortest gap between background refreshes at `now`: the window divided by four
    /// times the requests still available (the whole window when none is). With `u` requests
    /// in the window, `L` the limit and `W` the window, a refresher that always waits this long
    /// settles at `u = 4L/5` in steady state (1,440 of 1,800: one request per minute), and from
    /// zero reaches at most `L·(1 − e⁻⁴)` ≈ 0.98·L within one window even with a 1-second
    /// interval; the wall stays the backstop. 48 s × 1,800 / (4 × remaining): 12 s when the
    /// window is empty, 30 s at 1,080 used, 48 s at 1,350, 6 min at 1,740.
    pub fn pace(&mut self, now: Instant) -> Duration {
        let remaining = self.limit.saturating_sub(self.used(now));
        if remaining == 0 {
            return self.window;
        }
        self.window / SPREAD.saturating_mul(remaining)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn the_wall_holds_the_limit_in_every_window() {
        let start = Instant::now();
        let mut budget = RequestBudget::daily(3);
        for i in 0..3 {
            let at = start + Duration::from_secs(i);
            assert_eq!(budget.free_at(at), None, "request {i} is within the limit");
            budget.record(at);
        }
        let at = start + Duration::from_secs(10);
        assert_eq!(
            budget.free_at(at),
            Some(start + BUDGET_WINDOW),
            "the 4th request waits until the first leaves the 24-hour window"
        );
        assert_eq!(
            budget.free_at(start + BUDGET_WINDOW),
            None,
            "once the first request is 24 h old there is room again"
        );
        assert_eq!(budget.used(start + BUDGET_WINDOW), 2, "the first one left");
    }

    #[test]
    fn settings_cannot_raise_the_hard_limit() {
        assert_eq!(
            RequestBudget::daily(100_000).limit(),
            HARD_DAILY_BUDGET,
            "1,800 per 24 h whatever the settings"
        );
        assert_eq!(
            RequestBudget::daily(0).limit(),
            1,
            "a zero budget would never refresh"
        );
    }

    #[test]
    fn the_pace_grows_as_the_budget_fills() {
        let start = Instant::now();
        let mut budget = RequestBudget::daily(HARD_DAILY_BUDGET);
        assert_eq!(
            budget.pace(start),
            Duration::from_secs(12),
            "an empty window allows one request per 12 s"
        );
        for _ in 0..1_350 {
            budget.record(start);
        }
        assert_eq!(
            budget.pace(start),
            Duration::from_secs(48),
            "at 1,350 used the pace is the budget's average, 48 s"
        );
        for _ in 0..450 {
            budget.record(start);
        }
        assert_eq!(
            budget.pace(start),
            BUDGET_WINDOW,
            "a spent budget stops the pace"
        );
    }
}
