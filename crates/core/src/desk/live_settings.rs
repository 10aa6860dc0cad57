//! How often the live session list refreshes (Settings › Sessions): every 30 s while the window
//! is visible and every 2 minutes while it is hidden or minimised, by default. Whatever the
//! values, the refresher never sends more than [`crate::live::HARD_DAILY_BUDGET`] requests in
//! 24 hours (it slows down and says so).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The live list's refresh intervals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default, rename_all = "camelCase")]
pub struct LiveSettings {
    /// Seconds between refreshes while the window is visible (1 to 3,600; default 30).
    pub visible_seconds: u32,
    /// Seconds between refreshes while it is hidden or minimised (1 to 86,400; default 120).
    pub hidden_seconds: u32,
}

impl Default for LiveSettings {
    fn default() -> Self {
        Self {
            visible_seconds: 30,
            hidden_seconds: 120,
        }
    }
}

impl LiveSettings {
    /// # Errors
    /// [`Error::InvalidInput`] naming the interval out of range.
    pub fn validate(&self) -> Result<()> {
        if !(1..=3_600).contains(&self.visible_seconds) {
            return Err(Error::invalid(
                "refresh interval (visible)",
                "must be between 1 and 3600 seconds",
            ));
        }
        if !(1..=86_400).contains(&self.hidden_seconds) {
            return Err(Error::invalid(
                "refresh interval (hidden)",
                "must be between 1 and 86400 seconds",
            ));
        }
        Ok(())
    }

    /// The interval while visible.
    pub fn visible_every(&self) -> Duration {
        Duration::from_secs(u64::from(self.visible_seconds))
    }

    /// The interval while hidden.
    pub fn hidden_every(&self) -> Duration {
        Duration::from_secs(u64::from(self.hidden_seconds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_30_seconds_visible_and_2_minutes_hidden() {
        let s = LiveSettings::default();
        assert_eq!(s.visible_every(), Duration::from_secs(30));
        assert_eq!(s.hidden_every(), Duration::from_secs(120));
        assert!(s.validate().is_ok());
    }

    #[test]
    fn out_of_range_intervals_are_refused_naming_the_field() {
        for (visible, hidden, field) in [
            (0, 120, "visible"),
            (3_601, 120, "visible"),
            (30, 0, "hidden"),
        ] {
            let err = LiveSettings {
                visible_seconds: visible,
                hidden_seconds: hidden,
            }
            .validate()
            .expect_err("out of range");
            assert!(err.to_string().contains(field), "{visible}/{hidden}: {err}");
        }
    }
}
