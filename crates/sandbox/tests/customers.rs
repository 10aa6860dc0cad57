//! Customers come online and go offline over time (`customer_arrival_every`), on Tokio's paused
//! clock: the sandbox's time follows `tokio::time::advance`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reqwest::Client;
use sdesk_sandbox::wire::{SessionPage, WireSession};
use sdesk_sandbox::{Sandbox, SandboxConfig};
use std::collections::BTreeSet;
use std::time::Duration;

const PERIOD: Duration = Duration::from_secs(60);

fn arrivals(seed: u64) -> SandboxConfig {
    SandboxConfig {
        seed,
        records: 10,
        sessions: 30,
        customer_arrival_every: Some(PERIOD),
        ..config()
    }
}

async fn sessions(client: &Client, sandbox: &Sandbox) -> Vec<WireSession> {
    let page: SessionPage = api_json(
        client,
        sandbox,
        "sessions?full_list=true&state=open,closed",
        &sandbox.script_token(),
    )
    .await;
    assert!(page.next_offset.is_none(), "30 sessions fit one page");
    page.sessions
}

fn online(sessions: &[WireSession]) -> BTreeSet<String> {
    sessions
        .iter()
        .filter(|s| s.liveness.as_ref().expect("GET carries online").online)
        .map(|s| s.code.clone())
        .collect()
}

/// The online sets seen after each of `periods` periods (plus the start).
async fn history(config: SandboxConfig, periods: u32) -> Vec<BTreeSet<String>> {
    let sandbox = start(config).await;
    let client = http();
    let mut seen = vec![online(&sessions(&client, &sandbox).await)];
    for _ in 0..periods {
        tokio::time::advance(PERIOD).await;
        let now = sessions(&client, &sandbox).await;
        for session in &now {
            let live = session.liveness.as_ref().unwrap();
            if live.online {
                assert!(
                    live.closed_at.is_none(),
                    "{}: a customer never waits in a closed session",
                    session.code
                );
            }
        }
        seen.push(online(&now));
    }
    sandbox.shutdown().await;
    seen
}

#[tokio::test(start_paused = true)]
async fn customers_arrive_and_leave_with_the_clock() {
    let seen = history(arrivals(7), 12).await;
    let arrived = seen
        .windows(2)
        .filter(|w| w[1].difference(&w[0]).count() > 0)
        .count();
    let left = seen
        .windows(2)
        .filter(|w| w[0].difference(&w[1]).count() > 0)
        .count();
    assert!(
        arrived >= 10,
        "one customer arrives per period while offline sessions remain: {arrived} of 12 periods had an arrival ({seen:?})"
    );
    assert!(
        left >= 3,
        "customers stay one to three periods, so some leave within 12 periods ({seen:?})"
    );
    for w in seen.windows(2) {
        assert!(
            w[1].difference(&w[0]).count() <= 1,
            "at most one customer arrives per period: {:?} -> {:?}",
            w[0],
            w[1]
        );
    }
}

#[tokio::test(start_paused = true)]
async fn arrivals_are_reproducible_from_the_seed() {
    let first = history(arrivals(7), 8).await;
    let again = history(arrivals(7), 8).await;
    assert_eq!(first, again, "the same seed gives the same customers");
    let other = history(arrivals(8), 8).await;
    assert_ne!(first, other, "another seed gives other customers");
}

#[tokio::test(start_paused = true)]
async fn arrivals_do_not_depend_on_when_requests_come() {
    // One look after 8 periods sees what looking after every period saw at the end.
    let stepwise = history(arrivals(7), 8).await;
    let sandbox = start(arrivals(7)).await;
    tokio::time::advance(PERIOD * 8).await;
    let at_once = online(&sessions(&http(), &sandbox).await);
    assert_eq!(
        Some(&at_once),
        stepwise.last(),
        "periods are applied in order whenever the sessions are read"
    );
}

#[tokio::test(start_paused = true)]
async fn without_arrivals_online_only_changes_on_close() {
    let config = SandboxConfig {
        customer_arrival_every: None,
        ..arrivals(7)
    };
    let seen = history(config, 5).await;
    assert!(
        seen.windows(2).all(|w| w[0] == w[1]),
        "customer_arrival_every = None keeps `online` still: {seen:?}"
    );
}
