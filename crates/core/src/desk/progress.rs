//! Rate limiting of progress reports, so a fast fetch does not flood the UI with events.

use crate::logs::FetchProgress;
use std::time::{Duration, Instant};

/// Lets a progress report through at most once per interval; the final report of a fetch
/// (`complete`) always passes, so the UI never stops short of 100 %.
#[derive(Debug, Clone)]
pub struct ProgressThrottle {
    interval: Duration,
    last: Option<Instant>,
}

impl ProgressThrottle {
    /// At most one report per `interval`.
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            last: None,
        }
    }

    /// At most 20 reports per second: smooth for a progress bar, cheap for the IPC bridge.
    pub fn per_ui_frame() -> Self {
        Self::new(Duration::from_millis(50))
    }

    /// Whether `progress` should be reported now (and if so, remembers the time).
    pub fn ready(&mut self, progress: &FetchProgress) -> bool {
        let now = Instant::now();
        let due = self
            .last
            .is_none_or(|last| now.duration_since(last) >= self.interval);
        if due || progress.complete {
            self.last = Some(now);
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_passes_the_first_and_the_final_report() {
        let mut t = ProgressThrottle::new(Duration::from_secs(3600));
        let mut p = FetchProgress::default();
        assert!(t.ready(&p), "the first report always passes");
        assert!(
            !t.ready(&p),
            "a second report within the interval is dropped"
        );
        p.complete = true;
        assert!(
            t.ready(&p),
            "the final report passes even within the interval"
        );
        let mut free = ProgressThrottle::new(Duration::ZERO);
        assert!(
            free.ready(&FetchProgress::default()) && free.ready(&FetchProgress::default()),
            "a zero interval lets everything through"
        );
    }
}
