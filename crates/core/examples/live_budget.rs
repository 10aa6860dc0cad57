//! Benchmark (prints figures, asserts nothing): requests the live refresher sends in 24 hours
//! at the default settings, counted by the real sandbox (`Stats::api_requests`).
//!
//! The refresher runs on a paused Tokio clock (24 simulated hours take seconds); each request
//! runs on a second, real-time runtime that also serves the sandbox, through `spawn_blocking`,
//! which stops the paused clock from jumping while a request is in flight. So every request is
//! a real HTTP request answered by the sandbox, and the time between requests is simulated.
//!
//! Run: `cargo run --release -p sdesk-core --example live_budget` (see bench/README.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use chrono::Utc;
use sdesk_core::client::TeamViewerClient;
use sdesk_core::client::{build_http, parse_api_url, HttpConfig, RetryPolicy, StaticToken};
use sdesk_core::clock::TokioClock;
use sdesk_core::live::{LiveConfig, LiveSource, Refresher};
use sdesk_core::models::{Group, SessionPage, SessionQuery, User};
use sdesk_core::{Result, Secret};
use sdesk_sandbox::{Sandbox, SandboxConfig};
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::{Builder, Handle, Runtime};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// The API client, its requests run on the real-time runtime.
#[derive(Debug)]
struct OnRealTime {
    client: TeamViewerClient,
    real: Handle,
}

impl OnRealTime {
    async fn run<T, F>(&self, call: impl FnOnce(TeamViewerClient) -> F + Send + 'static) -> T
    where
        T: Send + 'static,
        F: std::future::Future<Output = T> + Send + 'static,
    {
        let client = self.client.clone();
        let real = self.real.clone();
        tokio::task::spawn_blocking(move || real.block_on(call(client)))
            .await
            .expect("the request task ran")
    }
}

#[async_trait::async_trait]
impl LiveSource for OnRealTime {
    async fn sessions_page(
        &self,
        query: &SessionQuery,
        offset: Option<&str>,
    ) -> Result<SessionPage> {
        let query = query.clone();
        let offset = offset.map(str::to_owned);
        self.run(move |c| async move { c.sessions_page(&query, offset.as_deref()).await })
            .await
    }
    async fn groups(&self) -> Result<Vec<Group>> {
        self.run(|c| async move { c.groups(None).await }).await
    }
    async fn users(&self) -> Result<Vec<User>> {
        self.run(|c| async move { c.users().await }).await
    }
}

struct Scenario {
    name: &'static str,
    visible: bool,
    /// The user presses Refresh this often.
    press_every: Option<Duration>,
    config: LiveConfig,
}

/// Runs one scenario for 24 simulated hours; returns (requests counted by the sandbox,
/// the refresher's own count of the last 24 h).
fn run(real: &Runtime, s: &Scenario) -> (u64, u32) {
    let sandbox = real
        .block_on(Sandbox::start(
            SandboxConfig::default(),
            ([127, 0, 0, 1], 0).into(),
        ))
        .expect("the sandbox starts");
    let api = parse_api_url(sandbox.base_url().as_str()).expect("the sandbox URL parses");
    let http = build_http(&HttpConfig::default()).expect("the HTTP client builds");
    let client = TeamViewerClient::new(
        http,
        api,
        Arc::new(StaticToken::new(Secret::new(sandbox.script_token()))),
    )
    .with_retry(RetryPolicy::none());
    let source = Arc::new(OnRealTime {
        client,
        real: real.handle().clone(),
    });
    let before = sandbox.stats().api_requests;
    let paused = Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("the paused runtime builds");
    let used = paused.block_on(async {
        let clock = Arc::new(TokioClock::new(Utc::now()));
        let refresher = Refresher::new(source, s.config.clone(), clock);
        refresher.set_visible(s.visible);
        refresher.start();
        let end = tokio::time::Instant::now() + DAY;
        match s.press_every {
            Some(every) => {
                while tokio::time::Instant::now() + every <= end {
                    tokio::time::sleep(every).await;
                    refresher.refresh_now();
                }
                tokio::time::sleep_until(end).await;
            }
            None => tokio::time::sleep_until(end).await,
        }
        let (used, _) = refresher.budget_used();
        refresher.stop().await;
        used
    });
    let requests = sandbox.stats().api_requests - before;
    real.block_on(sandbox.shutdown());
    (requests, used)
}

fn main() {
    let real = Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("the real-time runtime builds");
    let fast = LiveConfig {
        visible_every: Duration::from_secs(1),
        hidden_every: Duration::from_secs(1),
        ..LiveConfig::default()
    };
    let scenarios = [
        Scenario {
            name: "visible all day, defaults (30 s)",
            visible: true,
            press_every: None,
            config: LiveConfig::default(),
        },
        Scenario {
            name: "hidden all day, defaults (2 min)",
            visible: false,
            press_every: None,
            config: LiveConfig::default(),
        },
        Scenario {
            name: "visible, defaults, Refresh pressed every 10 s",
            visible: true,
            press_every: Some(Duration::from_secs(10)),
            config: LiveConfig::default(),
        },
        Scenario {
            name: "visible, 1 s interval setting",
            visible: true,
            press_every: None,
            config: fast,
        },
    ];
    println!("requests in 24 simulated hours (budget 1,800)");
    println!(
        "{:<48} {:>16} {:>18}",
        "scenario", "sandbox counted", "refresher counted"
    );
    for s in &scenarios {
        let (requests, used) = run(&real, s);
        println!("{:<48} {:>16} {:>18}", s.name, requests, used);
    }
}
