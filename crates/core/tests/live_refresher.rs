//! The live refresher's timing rules on Tokio's paused clock, against a scripted source that
//! records when each request arrives: backoff, `Retry-After`, no overlap, stop, visibility,
//! the 1,800/24 h budget, expiry by the clock, and the group refresh a new group triggers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, TimeZone, Utc};
use sdesk_core::clock::TokioClock;
use sdesk_core::live::{LiveConfig, LiveEvent, LiveSource, LiveStatus, Refresher, SlowReason};
use sdesk_core::models::{Group, SessionPage, SessionQuery, SupportSession, User};
use sdesk_core::{Error, Result};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::time::Instant;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 17, 12, 0, 0).unwrap()
}

fn session(code: &str, group: &str, online: bool, valid_for: i64) -> SupportSession {
    let until = t0() + chrono::Duration::seconds(valid_for);
    serde_json::from_value(serde_json::json!({
        "code": code, "state": "Open", "online": online, "groupid": group,
        "created_at": "2024-05-17T11:00:00Z",
        "valid_until": until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }))
    .unwrap()
}

/// What the next `GET /sessions` answers.
#[derive(Debug, Clone, Copy)]
enum Fail {
    Server,
    RateLimited(Option<Duration>),
}

#[derive(Debug, Default)]
struct Fake {
    start: Mutex<Option<Instant>>,
    /// Seconds since the start at which each sessions request arrived.
    calls: Mutex<Vec<f64>>,
    directory_calls: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    completed: AtomicUsize,
    failures: Mutex<VecDeque<Fail>>,
    delay: Mutex<Duration>,
    sessions: Mutex<Vec<SupportSession>>,
    groups: Mutex<Vec<Group>>,
}

impl Fake {
    fn new() -> Arc<Self> {
        let fake = Arc::new(Self::default());
        *fake.start.lock().unwrap() = Some(Instant::now());
        fake
    }
    fn calls(&self) -> Vec<f64> {
        self.calls.lock().unwrap().clone()
    }
    fn gaps(&self) -> Vec<f64> {
        self.calls().windows(2).map(|w| w[1] - w[0]).collect()
    }
}

#[async_trait::async_trait]
impl LiveSource for Fake {
    async fn sessions_page(&self, _: &SessionQuery, _: Option<&str>) -> Result<SessionPage> {
        let start = self.start.lock().unwrap().unwrap();
        self.calls
            .lock()
            .unwrap()
            .push(start.elapsed().as_secs_f64());
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let delay = *self.delay.lock().unwrap();
        // Dropped (cancelled) futures never reach the end.
        struct Leave<'a>(&'a AtomicUsize);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let _leave = Leave(&self.in_flight);
        tokio::time::sleep(delay).await;
        self.completed.fetch_add(1, Ordering::SeqCst);
        match self.failures.lock().unwrap().pop_front() {
            Some(Fail::Server) => Err(Error::Server {
                status: 500,
                message: "boom".into(),
            }),
            Some(Fail::RateLimited(retry_after)) => Err(Error::RateLimited { retry_after }),
            None => Ok(serde_json::from_value(serde_json::json!({
                "sessions": *self.sessions.lock().unwrap(),
            }))
            .unwrap()),
        }
    }

    async fn groups(&self) -> Result<Vec<Group>> {
        self.directory_calls.fetch_add(1, Ordering::SeqCst);
        Ok(self.groups.lock().unwrap().clone())
    }

    async fn users(&self) -> Result<Vec<User>> {
        self.directory_calls.fetch_add(1, Ordering::SeqCst);
        Ok(Vec::new())
    }
}

/// Visible every 30 s, hidden every 2 min; the directory only every 10 hours so that it does
/// not blur request timestamps.
fn config() -> LiveConfig {
    LiveConfig {
        directory_every: Duration::from_secs(10 * 3600),
        ..LiveConfig::default()
    }
}

fn refresher(fake: &Arc<Fake>, config: LiveConfig) -> Refresher {
    Refresher::new(fake.clone(), config, Arc::new(TokioClock::new(t0())))
}

/// Collects every event in the background (the channel would lag over long runs).
fn collect(mut rx: broadcast::Receiver<LiveEvent>) -> Arc<Mutex<Vec<LiveEvent>>> {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(event) => sink.lock().unwrap().push(event),
                Err(broadcast::error::RecvError::Lagged(n)) => panic!("lagged by {n}"),
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    events
}

async fn wait(secs: u64) {
    tokio::time::sleep(Duration::from_secs(secs)).await;
}

fn assert_near(actual: &[f64], expected: &[f64], why: &str) {
    assert_eq!(
        actual.len(),
        expected.len(),
        "{why}: {actual:?} vs {expected:?}"
    );
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() < 0.5, "{why}: {actual:?} vs {expected:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn refreshes_every_30_s_while_visible_and_2_min_while_hidden() {
    let fake = Fake::new();
    let live = refresher(&fake, config());
    live.start();
    wait(95).await;
    assert_near(
        &fake.calls(),
        &[0.0, 30.0, 60.0, 90.0],
        "visible: every 30 s",
    );
    live.set_visible(false);
    wait(400).await;
    assert_near(
        &fake.gaps()[3..],
        &[120.0, 120.0, 120.0],
        "hidden: every 2 minutes, timed from the last refresh",
    );
    let before = fake.calls().len();
    live.set_visible(true);
    wait(1).await;
    assert_eq!(
        fake.calls().len(),
        before + 1,
        "becoming visible refreshes at once when the last refresh is older than 30 s"
    );
}

#[tokio::test(start_paused = true)]
async fn errors_back_off_exponentially_and_reset_after_success() {
    let fake = Fake::new();
    fake.failures
        .lock()
        .unwrap()
        .extend([Fail::Server, Fail::Server, Fail::Server, Fail::Server]);
    let live = refresher(
        &fake,
        LiveConfig {
            error_backoff_max: Duration::from_secs(200),
            ..config()
        },
    );
    let events = collect(live.subscribe());
    live.start();
    wait(30 + 60 + 120 + 200 + 30 + 5).await;
    assert_near(
        &fake.gaps(),
        &[30.0, 60.0, 120.0, 200.0, 30.0],
        "after failures 30 s, 60 s, 120 s, then the 200-s cap; after the success the interval",
    );
    let offline = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            LiveEvent::Status {
                status: LiveStatus::Offline { since, .. },
            } => Some(*since),
            _ => None,
        })
        .collect::<Vec<_>>();
    assert_eq!(offline.len(), 4, "each failure reports offline");
    assert!(
        offline.iter().all(|s| *s == t0()),
        "`since` stays the first failure: {offline:?}"
    );
    assert!(
        matches!(live.status(), LiveStatus::Ok { .. }),
        "ok again after the success: {:?}",
        live.status()
    );
}

#[tokio::test(start_paused = true)]
async fn rate_limits_back_off_longer_and_honour_retry_after() {
    let fake = Fake::new();
    fake.failures.lock().unwrap().extend([
        Fail::RateLimited(None),
        Fail::RateLimited(None),
        Fail::RateLimited(Some(Duration::from_secs(300))),
    ]);
    let live = refresher(&fake, config());
    let events = collect(live.subscribe());
    live.start();
    wait(120 + 240 + 300 + 5).await;
    assert_near(
        &fake.gaps(),
        &[120.0, 240.0, 300.0],
        "rate limits wait 2 min, then 4 min; a Retry-After of 300 s is waited exactly",
    );
    assert!(
        events.lock().unwrap().iter().any(|e| matches!(
            e,
            LiveEvent::Status {
                status: LiveStatus::SlowedDown {
                    reason: SlowReason::RateLimited,
                    ..
                }
            }
        )),
        "a rate limit is reported as slowed down"
    );
    // A manual refresh does not break into a rate-limit wait.
    fake.failures
        .lock()
        .unwrap()
        .push_back(Fail::RateLimited(Some(Duration::from_secs(600))));
    wait(30).await;
    let before = fake.calls().len();
    live.refresh_now();
    wait(300).await;
    assert_eq!(
        fake.calls().len(),
        before,
        "refresh_now waits for the server's Retry-After: {:?}",
        fake.calls()
    );
}

#[tokio::test(start_paused = true)]
async fn a_slow_answer_delays_the_next_refresh_and_requests_never_overlap() {
    let fake = Fake::new();
    *fake.delay.lock().unwrap() = Duration::from_secs(100);
    let live = refresher(&fake, config());
    live.start();
    live.refresh_now(); // asked before the first refresh starts: that refresh answers it
    wait(380).await;
    assert_near(
        &fake.calls(),
        &[0.0, 130.0, 260.0],
        "each refresh starts 30 s after the previous one ended (100 s later)",
    );
    wait(20).await;
    live.refresh_now(); // at 400 s, during the refresh of 390 s to 490 s
    wait(100).await;
    assert_near(
        &fake.calls()[3..],
        &[390.0, 490.0],
        "a manual refresh asked during a refresh runs after it, not beside it",
    );
    assert_eq!(
        fake.max_in_flight.load(Ordering::SeqCst),
        1,
        "never two requests at once"
    );
}

#[tokio::test(start_paused = true)]
async fn stop_cancels_the_request_in_flight_and_sends_nothing_more() {
    let fake = Fake::new();
    fake.sessions
        .lock()
        .unwrap()
        .push(session("s1", "g1", false, 3600));
    let live = refresher(&fake, config());
    let events = collect(live.subscribe());
    assert_eq!(live.status(), LiveStatus::Stopped, "stopped until started");
    wait(100).await;
    assert!(
        fake.calls().is_empty(),
        "nothing is sent before start (signed out)"
    );
    live.start();
    wait(31).await;
    *fake.delay.lock().unwrap() = Duration::from_secs(20);
    wait(34).await; // the third refresh (60 s to 80 s) is in flight now
    assert_eq!(
        fake.in_flight.load(Ordering::SeqCst),
        1,
        "a request is in flight"
    );
    live.stop().await;
    assert_eq!(
        fake.in_flight.load(Ordering::SeqCst),
        0,
        "stop drops the request in flight"
    );
    let completed = fake.completed.load(Ordering::SeqCst);
    let calls = fake.calls().len();
    wait(3600).await;
    assert_eq!(fake.calls().len(), calls, "no request after stop");
    assert_eq!(
        fake.completed.load(Ordering::SeqCst),
        completed,
        "the cancelled request never completes"
    );
    assert!(live.sessions().is_empty(), "sign-out forgets the sessions");
    assert_eq!(
        live.status(),
        LiveStatus::Stopped,
        "the status says stopped"
    );
    assert!(
        events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, LiveEvent::SessionAdded { .. })),
        "it did refresh while started"
    );
    live.start();
    wait(1).await;
    assert_eq!(
        fake.calls().len(),
        calls + 1,
        "signing in again starts again"
    );
}

#[tokio::test(start_paused = true)]
async fn a_one_second_interval_still_sends_at_most_1800_requests_a_day() {
    let fake = Fake::new();
    let live = refresher(
        &fake,
        LiveConfig {
            visible_every: Duration::from_secs(1),
            hidden_every: Duration::from_secs(1),
            daily_budget: 1_000_000,
            event_capacity: 1 << 16,
            ..config()
        },
    );
    let events = collect(live.subscribe());
    live.start();
    // Plus a user who presses "refresh" every 10 s for the first 2 hours.
    for _ in 0..720 {
        live.refresh_now();
        wait(10).await;
    }
    wait(24 * 3600 - 7200).await;
    let calls = fake.calls();
    let directory = fake.directory_calls.load(Ordering::SeqCst);
    let day: Vec<_> = calls.iter().filter(|t| **t < 86_400.0).collect();
    assert!(
        day.len() + directory <= 1_800,
        "at most 1,800 requests in the first 24 h, got {} sessions + {directory} directory",
        day.len()
    );
    assert!(
        day.len() > 1_000,
        "the budget is used, not wasted: {} requests",
        day.len()
    );
    for w in calls.windows(1_801) {
        assert!(
            w[1_800] - w[0] >= 86_400.0,
            "no 24-h window holds more than 1,800 session requests"
        );
    }
    assert!(
        events.lock().unwrap().iter().any(|e| matches!(
            e,
            LiveEvent::Status {
                status: LiveStatus::SlowedDown {
                    reason: SlowReason::Budget,
                    ..
                }
            }
        )),
        "the budget's pace is reported as slowed down"
    );
    let (used, limit) = live.budget_used();
    assert_eq!(limit, 1_800, "settings cannot raise the budget");
    assert!(used <= 1_800, "the counter agrees: {used}");
}

#[tokio::test(start_paused = true)]
async fn expiry_is_reported_by_the_clock_without_a_request() {
    let fake = Fake::new();
    fake.sessions
        .lock()
        .unwrap()
        .push(session("s1", "g1", false, 90));
    let live = refresher(&fake, config());
    let events = collect(live.subscribe());
    live.set_visible(false);
    live.start();
    wait(89).await;
    let expired = |events: &Arc<Mutex<Vec<LiveEvent>>>| {
        events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| matches!(e, LiveEvent::SessionExpired { .. }))
            .count()
    };
    assert_eq!(expired(&events), 0, "not expired before valid_until");
    wait(2).await;
    assert_eq!(expired(&events), 1, "expired at valid_until (90 s)");
    assert_eq!(
        fake.calls(),
        vec![0.0],
        "found by the clock: the hidden interval (2 min) has not passed"
    );
    wait(300).await;
    assert_eq!(
        expired(&events),
        1,
        "reported once, also after later refreshes"
    );
}

#[tokio::test(start_paused = true)]
async fn customers_waiting_and_leaving_are_events() {
    let fake = Fake::new();
    fake.sessions
        .lock()
        .unwrap()
        .push(session("s1", "g1", false, 3600));
    let live = refresher(&fake, config());
    let events = collect(live.subscribe());
    live.start();
    wait(1).await;
    fake.sessions.lock().unwrap()[0].online = Some(true);
    wait(30).await;
    fake.sessions.lock().unwrap()[0].online = Some(false);
    fake.sessions
        .lock()
        .unwrap()
        .push(session("s2", "g1", false, 3600));
    wait(30).await;
    fake.sessions.lock().unwrap().remove(0);
    wait(30).await;
    let kinds: Vec<String> = events
        .lock()
        .unwrap()
        .iter()
        .map(|e| {
            serde_json::to_value(e).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .filter(|kind| kind.starts_with("session_") || kind.starts_with("customer_"))
        .collect();
    assert_eq!(
        kinds,
        [
            "session_added",
            "session_changed",
            "customer_waiting",
            "session_changed",
            "customer_left",
            "session_added",
            "session_removed"
        ],
        "the diff of each refresh, in the server's order"
    );
}

#[tokio::test(start_paused = true)]
async fn the_waiting_list_follows_customers_and_closes() {
    let fake = Fake::new();
    let mut waiting_one = session("s123-456-789", "g1", false, 3600);
    waiting_one.description = Some("Printer offline".into());
    fake.sessions.lock().unwrap().push(waiting_one);
    fake.sessions
        .lock()
        .unwrap()
        .push(session("s2", "g1", false, 3600));
    let live = refresher(&fake, config());
    live.start();
    wait(1).await;
    let codes = |live: &Refresher| -> Vec<String> {
        live.waiting()
            .into_iter()
            .map(|s| s.code)
            .collect::<Vec<_>>()
    };
    assert!(
        codes(&live).is_empty(),
        "nobody waits while all are offline"
    );
    fake.sessions.lock().unwrap()[0].online = Some(true);
    wait(30).await;
    assert_eq!(codes(&live), ["s123-456-789"], "an online customer waits");
    assert_eq!(
        live.waiting()[0].description.as_deref(),
        Some("Printer offline"),
        "the waiting entry carries the session's description"
    );
    fake.sessions.lock().unwrap()[0].online = Some(false);
    fake.sessions.lock().unwrap()[1].online = Some(true);
    wait(30).await;
    assert_eq!(codes(&live), ["s2"], "going offline ends the wait");
    fake.sessions.lock().unwrap().remove(1);
    wait(30).await;
    assert!(
        codes(&live).is_empty(),
        "a session that left the open list (closed) has no waiting customer"
    );
    fake.sessions.lock().unwrap()[0].online = Some(true);
    fake.sessions.lock().unwrap()[0].state = Some(sdesk_core::models::SessionState::Closed);
    wait(30).await;
    assert!(
        codes(&live).is_empty(),
        "a closed session listed with online: true is not waiting"
    );
}

#[tokio::test(start_paused = true)]
async fn a_new_group_in_the_sessions_reloads_the_groups() {
    let fake = Fake::new();
    let group = |id: &str, name: &str| -> Group {
        serde_json::from_value(serde_json::json!({"id": id, "name": name})).unwrap()
    };
    fake.groups.lock().unwrap().push(group("g1", "Support"));
    fake.sessions
        .lock()
        .unwrap()
        .push(session("s1", "g1", false, 3600));
    let live = refresher(&fake, config());
    let events = collect(live.subscribe());
    live.start();
    wait(5).await;
    assert_eq!(
        fake.directory_calls.load(Ordering::SeqCst),
        2,
        "groups and users are loaded once at start"
    );
    fake.groups.lock().unwrap().push(group("g2", "New team"));
    fake.sessions
        .lock()
        .unwrap()
        .push(session("s2", "g2", false, 3600));
    wait(30).await;
    assert_eq!(
        fake.directory_calls.load(Ordering::SeqCst),
        4,
        "an unknown group id triggers a reload long before the 10-hour interval"
    );
    let names: Vec<String> = live.groups().unwrap().into_iter().map(|g| g.name).collect();
    assert_eq!(
        names,
        ["Support", "New team"],
        "the picker can show the new group"
    );
    assert!(
        events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, LiveEvent::UnknownGroup { group } if group == "g2")),
        "the unknown group is an event"
    );
    wait(300).await;
    assert_eq!(
        fake.directory_calls.load(Ordering::SeqCst),
        4,
        "a known group does not reload again"
    );
}
