//! Telling the user why an API call takes long: the client waits before retries (rate limits
//! for seconds to minutes, server and network failures for up to 8 s) and reports each wait
//! through its [`WaitObserver`]; the desk gives every call it makes an observer of its own,
//! turns the notices worth showing into [`ApiWait`]s and, when a call that waited ends (answer
//! or error), says so with [`ApiWaitOver`]. The shell forwards both as events
//! (`api-wait`, `api-wait-over`; docs/ipc.md).

use crate::client::{TeamViewerClient, WaitNotice, WaitObserver, WaitReason};
use crate::clock::Clock;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Server and network waits shorter than this are not shown: they pass before a sentence
/// could be read, and a flickering banner says less than a short pause. Rate-limit waits are
/// always shown (unless they are zero): they are the ones that last minutes.
pub const MIN_SHOWN_WAIT: Duration = Duration::from_secs(2);

/// Why an API call waits (the IPC form of [`WaitReason`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ApiWaitReason {
    /// TeamViewer's limit on API calls was reached (`rate_limit_reached`, or 429).
    RateLimit,
    /// The service failed or timed out (408, 5xx).
    Server,
    /// The connection failed, broke off or timed out.
    Network,
}

/// An API call waits before its next attempt (event `api-wait`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ApiWait {
    /// Which call waits: a number the desk gives each call in this run; `api-wait-over` names
    /// it again when the call ends.
    pub call: u64,
    /// Why.
    pub reason: ApiWaitReason,
    /// The HTTP status of a server failure; `null` otherwise.
    pub status: Option<u16>,
    /// Length of the wait in whole seconds, rounded up (at least 1).
    pub seconds: u32,
    /// The attempt that follows the wait (2 for the first retry).
    pub attempt: u32,
    /// When the wait ends.
    pub until: DateTime<Utc>,
}

impl ApiWait {
    /// The notice as the UI sees it, or `None` when it is not worth showing (see
    /// [`MIN_SHOWN_WAIT`]).
    pub fn from_notice(call: u64, notice: &WaitNotice, now: DateTime<Utc>) -> Option<ApiWait> {
        let shown = match notice.reason {
            WaitReason::RateLimit => !notice.delay.is_zero(),
            WaitReason::Server { .. } | WaitReason::Network => notice.delay >= MIN_SHOWN_WAIT,
        };
        if !shown {
            return None;
        }
        let (reason, status) = match notice.reason {
            WaitReason::RateLimit => (ApiWaitReason::RateLimit, None),
            WaitReason::Server { status } => (ApiWaitReason::Server, Some(status)),
            WaitReason::Network => (ApiWaitReason::Network, None),
        };
        let millis = notice.delay.as_millis();
        let seconds = u32::try_from(millis.div_ceil(1000)).unwrap_or(u32::MAX);
        let until = chrono::Duration::from_std(notice.delay)
            .ok()
            .and_then(|d| now.checked_add_signed(d))
            .unwrap_or(now);
        Some(ApiWait {
            call,
            reason,
            status,
            seconds,
            attempt: notice.attempt,
            until,
        })
    }
}

/// A call that was shown waiting has ended, with an answer or an error (event
/// `api-wait-over`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ApiWaitOver {
    /// The `call` of the [`ApiWait`]s it ends.
    pub call: u64,
}

/// What the desk tells its [`ApiWaitListener`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiWaitEvent {
    /// Emit `api-wait`.
    Waiting(ApiWait),
    /// Emit `api-wait-over`.
    Over(ApiWaitOver),
}

/// Receives the desk's [`ApiWaitEvent`]s (the app forwards them to the window). Called on the
/// request's task: keep it quick.
pub type ApiWaitListener = Arc<dyn Fn(ApiWaitEvent) + Send + Sync>;

/// The desk's part: the listener, the call counter, the clock for `until`.
pub(super) struct Waits {
    listener: Mutex<Option<ApiWaitListener>>,
    next_call: AtomicU64,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Waits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Waits")
            .field("next_call", &self.next_call)
            .finish_non_exhaustive()
    }
}

impl Waits {
    pub(super) fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            listener: Mutex::new(None),
            next_call: AtomicU64::new(1),
            clock,
        }
    }

    pub(super) fn set_listener(&self, listener: Option<ApiWaitListener>) {
        *super::lock(&self.listener) = listener;
    }

    /// `client` with an observer for one call, and the scope that ends the call: dropping it
    /// (the call answered, failed or was cancelled) sends [`ApiWaitEvent::Over`] when a wait
    /// was shown. Without a listener, `client` as it is.
    pub(super) fn observe(&self, client: &TeamViewerClient) -> (TeamViewerClient, CallScope) {
        let Some(listener) = super::lock(&self.listener).clone() else {
            return (client.clone(), CallScope::default());
        };
        let call = self.next_call.fetch_add(1, Ordering::Relaxed);
        let shown = Arc::new(AtomicBool::new(false));
        let observer: WaitObserver = {
            let listener = Arc::clone(&listener);
            let shown = Arc::clone(&shown);
            let clock = Arc::clone(&self.clock);
            Arc::new(move |notice: WaitNotice| {
                if let Some(wait) = ApiWait::from_notice(call, &notice, clock.now()) {
                    shown.store(true, Ordering::SeqCst);
                    listener(ApiWaitEvent::Waiting(wait));
                }
            })
        };
        let scope = CallScope {
            end: Some((call, shown, listener)),
        };
        (client.clone().with_wait_observer(observer), scope)
    }
}

/// One observed call; see [`Waits::observe`].
#[derive(Default)]
pub(super) struct CallScope {
    end: Option<(u64, Arc<AtomicBool>, ApiWaitListener)>,
}

impl Drop for CallScope {
    fn drop(&mut self) {
        if let Some((call, shown, listener)) = self.end.take() {
            if shown.load(Ordering::SeqCst) {
                listener(ApiWaitEvent::Over(ApiWaitOver { call }));
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap()
    }

    fn notice(reason: WaitReason, delay: Duration, attempt: u32) -> WaitNotice {
        WaitNotice {
            reason,
            delay,
            attempt,
        }
    }

    #[test]
    fn a_rate_limit_wait_becomes_an_api_wait_with_its_end() {
        let wait = ApiWait::from_notice(
            7,
            &notice(WaitReason::RateLimit, Duration::from_secs(120), 2),
            now(),
        )
        .expect("a rate-limit wait is always shown");
        assert_eq!(
            wait,
            ApiWait {
                call: 7,
                reason: ApiWaitReason::RateLimit,
                status: None,
                seconds: 120,
                attempt: 2,
                until: Utc.with_ymd_and_hms(2025, 3, 1, 12, 2, 0).unwrap(),
            },
            "reason, length, attempt and end are passed on unchanged"
        );
        let json = serde_json::to_value(&wait).unwrap();
        assert_eq!(
            json["reason"], "rate_limit",
            "the UI branches on snake_case reasons: {json}"
        );
        assert_eq!(
            json["until"], "2025-03-01T12:02:00Z",
            "until is an RFC 3339 instant: {json}"
        );
    }

    #[test]
    fn short_server_and_network_waits_are_not_shown_but_short_rate_limits_are() {
        let short = Duration::from_millis(1_999);
        for reason in [WaitReason::Server { status: 503 }, WaitReason::Network] {
            assert_eq!(
                ApiWait::from_notice(1, &notice(reason, short, 2), now()),
                None,
                "a {reason:?} wait under 2 s passes before it could be read"
            );
        }
        let server = ApiWait::from_notice(
            1,
            &notice(
                WaitReason::Server { status: 503 },
                Duration::from_secs(2),
                3,
            ),
            now(),
        )
        .expect("a 2 s server wait is shown");
        assert_eq!(
            (server.reason, server.status),
            (ApiWaitReason::Server, Some(503)),
            "the status that made it wait goes along"
        );
        let quick_limit = ApiWait::from_notice(
            1,
            &notice(WaitReason::RateLimit, Duration::from_millis(300), 2),
            now(),
        )
        .expect("a rate limit is shown however short");
        assert_eq!(quick_limit.seconds, 1, "seconds are rounded up, never 0");
        assert_eq!(
            ApiWait::from_notice(1, &notice(WaitReason::RateLimit, Duration::ZERO, 2), now()),
            None,
            "a zero wait (Retry-After: 0) has nothing to count down"
        );
    }
}
