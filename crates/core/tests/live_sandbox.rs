//! The live refresher against the sandbox, on Tokio's paused clock: customers arrive and
//! leave (the sandbox's `customer_arrival_every`), a session with a new group name reaches the
//! group list, and a rate limit with `Retry-After` is waited out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use sdesk_core::client::{build_http, parse_api_url, HttpConfig, StaticToken, TeamViewerClient};
use sdesk_core::clock::TokioClock;
use sdesk_core::live::{LiveConfig, LiveEvent, LiveStatus, Refresher, SlowReason};
use sdesk_core::models::{GroupRef, NewSession};
use sdesk_core::Secret;
use sdesk_sandbox::{Faults, Sandbox, SandboxConfig};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 17, 13, 45, 10).unwrap()
}

async fn sandbox(config: SandboxConfig) -> Sandbox {
    Sandbox::start(
        SandboxConfig {
            now: Some(now()),
            records: 10,
            ..config
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
}

fn client(sb: &Sandbox) -> TeamViewerClient {
    TeamViewerClient::new(
        build_http(&HttpConfig::default()).unwrap(),
        parse_api_url(sb.base_url().as_str()).unwrap(),
        Arc::new(StaticToken::new(Secret::new(sb.script_token()))),
    )
}

fn collect(mut rx: broadcast::Receiver<LiveEvent>) -> Arc<Mutex<Vec<LiveEvent>>> {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    tokio::spawn(async move {
        while let Ok(event) = rx.recv().await {
            sink.lock().unwrap().push(event);
        }
    });
    events
}

fn count(events: &Mutex<Vec<LiveEvent>>, kind: &str) -> usize {
    events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| serde_json::to_value(e).unwrap()["type"] == kind)
        .count()
}

#[tokio::test(start_paused = true)]
async fn customers_of_the_sandbox_wait_and_leave() {
    let sb = sandbox(SandboxConfig {
        customer_arrival_every: Some(Duration::from_secs(60)),
        ..SandboxConfig::default()
    })
    .await;
    let live = Refresher::for_client(
        &client(&sb),
        LiveConfig::default(),
        Arc::new(TokioClock::new(now())),
    );
    let events = collect(live.subscribe());
    live.start();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let initial_waiting = count(&events, "customer_waiting");
    tokio::time::sleep(Duration::from_secs(10 * 60)).await;
    assert!(
        count(&events, "customer_waiting") >= initial_waiting + 5,
        "one customer arrives per minute in the sandbox: {} waiting events after 10 min",
        count(&events, "customer_waiting")
    );
    assert!(
        count(&events, "customer_left") >= 3,
        "customers stay one to three minutes: {} left",
        count(&events, "customer_left")
    );
    assert!(
        matches!(live.status(), LiveStatus::Ok { .. }),
        "no failure on the way: {:?}",
        live.status()
    );
    live.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_session_with_a_new_group_name_reaches_the_group_list() {
    let sb = sandbox(SandboxConfig::default()).await;
    let api = client(&sb);
    let live = Refresher::for_client(
        &api,
        LiveConfig::default(),
        Arc::new(TokioClock::new(now())),
    );
    let events = collect(live.subscribe());
    live.start();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let has_group = |name: &str| {
        live.groups()
            .unwrap_or_default()
            .iter()
            .any(|g| g.name == name)
    };
    assert!(!has_group("Brand new team"), "not there before it is made");
    api.create_session(&NewSession::new(GroupRef::Name("Brand new team".into())))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(35)).await;
    assert!(
        count(&events, "unknown_group") == 1,
        "the new session's group id is not in the list"
    );
    assert!(
        has_group("Brand new team"),
        "the group picker sees the new group within one refresh, not 30 minutes later"
    );
    live.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_403_rate_limit_with_retry_after_is_waited_out() {
    let sb = sandbox(SandboxConfig {
        faults: Faults {
            rate_limit_every: Some(4),
            retry_after: Some(300),
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let clock = Arc::new(TokioClock::new(now()));
    let live = Refresher::for_client(&client(&sb), LiveConfig::default(), clock);
    let events = collect(live.subscribe());
    live.start();
    // Requests 1-3: sessions, groups, users; request 4 (the refresh at 30 s) is refused.
    tokio::time::sleep(Duration::from_secs(31)).await;
    let slowed: Vec<_> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            LiveEvent::Status {
                status:
                    LiveStatus::SlowedDown {
                        reason: SlowReason::RateLimited,
                        until,
                        ..
                    },
            } => Some(*until),
            _ => None,
        })
        .collect();
    assert_eq!(
        slowed.len(),
        1,
        "TeamViewer's 403 rate_limit_reached is a rate limit"
    );
    let wait = (slowed[0] - now()).num_seconds();
    assert!(
        (329..=331).contains(&wait),
        "the next refresh waits the server's Retry-After (300 s after the refused one at 30 s): {wait}"
    );
    let requests = sb.stats().api_requests;
    tokio::time::sleep(Duration::from_secs(290)).await;
    assert_eq!(
        sb.stats().api_requests,
        requests,
        "nothing before Retry-After ends"
    );
    tokio::time::sleep(Duration::from_secs(20)).await;
    assert!(
        sb.stats().api_requests > requests,
        "refreshing resumes after it"
    );
    live.stop().await;
}
