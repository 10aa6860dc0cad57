#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The real client, sign-in and paging engine against the TeamViewer simulator: the whole
//! OAuth flow through the consent page, refresh under concurrent 401s, and paging through every
//! injected fault with nothing lost or duplicated.

use chrono::{DateTime, Utc};
use sdesk_core::auth::{
    AuthSession, MemoryStore, OAuthConfig, RedirectUri, SignInFlow, TokenStore,
};
use sdesk_core::client::{
    build_http, parse_api_url, HttpConfig, RetryPolicy, StaticToken, TeamViewerClient,
};
use sdesk_core::clock::SystemClock;
use sdesk_core::logs::ReportFetch;
use sdesk_core::models::ReportQuery;
use sdesk_core::{ErrorKind, Secret};
use sdesk_sandbox::{Faults, RateLimitReply, Sandbox, SandboxConfig};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

fn now() -> DateTime<Utc> {
    "2026-11-20T12:00:00Z".parse().unwrap()
}

async fn sandbox(records: usize, faults: Faults) -> Sandbox {
    let config = SandboxConfig {
        records,
        now: Some(now()),
        faults,
        ..SandboxConfig::default()
    };
    Sandbox::start(config, ([127, 0, 0, 1], 0).into())
        .await
        .unwrap()
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 6,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(5),
        rate_limit_delay: Duration::from_millis(5),
        rate_limit_max_delay: Duration::from_millis(40),
        ..RetryPolicy::default()
    }
}

fn script_client(sb: &Sandbox) -> TeamViewerClient {
    TeamViewerClient::new(
        build_http(&HttpConfig::default()).unwrap(),
        parse_api_url(sb.base_url().as_str()).unwrap(),
        Arc::new(StaticToken::new(Secret::new(sb.script_token()))),
    )
    .with_retry(fast_retry())
}

/// Fetches every page and checks the result against the sandbox's own generated data.
async fn assert_complete_fetch(sb: &Sandbox, records: usize, what: &str) {
    let client = script_client(sb);
    let mut fetch = ReportFetch::new(ReportQuery::default());
    let mut last = 0;
    fetch
        .run(&client, &CancellationToken::new(), &mut |p| {
            assert!(p.records >= last, "{what}: progress never goes back");
            last = p.records;
        })
        .await
        .unwrap_or_else(|e| panic!("{what}: the client's retries absorb the faults: {e}"));
    assert!(fetch.is_complete(), "{what}: the run completes");
    let got: Vec<String> = fetch.records().iter().map(|r| r.id.clone()).collect();
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "{what}: no record is duplicated");
    let expected: Vec<String> =
        sdesk_sandbox::generate_reports(SandboxConfig::default().seed, records, now())
            .into_iter()
            .map(|r| r.id.to_string())
            .collect();
    let expected_set: HashSet<&String> = expected.iter().collect();
    assert_eq!(
        unique, expected_set,
        "{what}: every generated record arrives, none lost"
    );
}

#[tokio::test]
async fn paging_survives_rate_limits_with_retry_after() {
    let sb = sandbox(
        2_600,
        Faults {
            rate_limit_every: Some(2),
            // The 429 variant that other servers and proxies send; TeamViewer's own answer (403)
            // is the next test's.
            rate_limit_reply: RateLimitReply::TooManyRequests,
            retry_after: Some(1),
            ..Faults::default()
        },
    )
    .await;
    assert_complete_fetch(&sb, 2_600, "429 + Retry-After").await;
    assert!(sb.stats().rate_limited > 0, "the fault was really injected");
}

#[tokio::test]
async fn paging_survives_rate_limits_without_retry_after_and_5xx_bursts() {
    let sb = sandbox(
        8_100,
        Faults {
            // TeamViewer's own answer: 403 rate_limit_reached, no Retry-After.
            rate_limit_every: Some(4),
            error_burst: Some((5, 2)),
            latency: Some(Duration::from_millis(5)),
            ..Faults::default()
        },
    )
    .await;
    assert_complete_fetch(
        &sb,
        8_100,
        "403 rate_limit_reached without Retry-After, 5xx bursts, latency",
    )
    .await;
    let s = sb.stats();
    assert!(
        s.rate_limited > 0 && s.server_errors > 0,
        "faults were injected: {s:?}"
    );
}

#[tokio::test]
async fn paging_survives_dropped_connections() {
    let sb = sandbox(
        3_000,
        Faults {
            drop_every: Some(2),
            ..Faults::default()
        },
    )
    .await;
    assert_complete_fetch(&sb, 3_000, "dropped connections").await;
    assert!(
        sb.stats().dropped_connections > 0,
        "connections were really dropped"
    );
}

#[tokio::test]
async fn a_run_that_gives_up_resumes_where_it_stopped() {
    // Faults so dense that the bounded retries give up now and then: each new `run` continues
    // from the last cursor, and the union is still exact.
    let sb = sandbox(
        5_000,
        Faults {
            error_burst: Some((3, 2)),
            ..Faults::default()
        },
    )
    .await;
    let client = script_client(&sb).with_retry(RetryPolicy {
        max_attempts: 2,
        ..fast_retry()
    });
    let mut fetch = ReportFetch::new(ReportQuery::default());
    let mut failures = 0;
    while !fetch.is_complete() {
        if fetch
            .run(&client, &CancellationToken::new(), &mut |_| {})
            .await
            .is_err()
        {
            failures += 1;
            assert!(failures < 50, "the run makes progress between failures");
        }
    }
    assert!(
        failures > 0,
        "the faults were dense enough to exhaust the retries"
    );
    let ids: HashSet<&str> = fetch.records().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        fetch.records().len(),
        5_000,
        "nothing lost across {failures} resumed runs"
    );
    assert_eq!(ids.len(), 5_000, "nothing duplicated across resumed runs");
}

/// Plays the browser: opens the authorize URL, presses Approve, returns the redirect target.
async fn approve_in_browser(authorize: &url::Url, decision: &str) -> String {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = browser.get(authorize.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200, "the consent page is shown");
    let html = page.text().await.unwrap();
    assert!(
        html.contains(sdesk_sandbox::CONSENT_TITLE),
        "it is the sandbox consent page"
    );
    let marker = "name=\"request\" value=\"";
    let start = html.find(marker).expect("the form carries a request id") + marker.len();
    let request = &html[start..start + html[start..].find('"').unwrap()];
    let decide = authorize.join(sdesk_sandbox::DECISION_PATH).unwrap();
    let resp = browser
        .post(decide)
        .form(&[("request", request), ("decision", decision)])
        .send()
        .await
        .unwrap();
    assert!(
        resp.status().is_redirection(),
        "the decision redirects back to the app"
    );
    resp.headers()["location"].to_str().unwrap().to_owned()
}

fn oauth_config(sb: &Sandbox) -> OAuthConfig {
    let base = parse_api_url(sb.base_url().as_str()).unwrap();
    OAuthConfig::for_api(
        &base,
        &base,
        "sandbox-client",
        Some(Secret::new("sandbox-secret")),
        RedirectUri::default(),
    )
    .unwrap()
}

#[tokio::test]
async fn full_sign_in_then_concurrent_401s_share_one_refresh_then_sign_out() {
    let sb = sandbox(
        10,
        Faults {
            token_expiry_after_calls: Some(3),
            ..Faults::default()
        },
    )
    .await;
    let config = oauth_config(&sb);
    let http = build_http(&HttpConfig::default()).unwrap();
    let flow = SignInFlow::new(Arc::new(SystemClock));
    let authorize = flow.begin(&config).unwrap();
    let callback = approve_in_browser(&authorize, "approve").await;
    assert!(
        callback.starts_with("dev.supporterdesk:/oauth/callback?"),
        "the sandbox redirects to the deep link"
    );
    let grant = flow.complete(&callback).unwrap();
    let store = Arc::new(MemoryStore::new());
    let session = Arc::new(AuthSession::new(
        store.clone(),
        Some(config),
        http.clone(),
        Arc::new(SystemClock),
    ));
    session.sign_in_with_grant(grant).await.unwrap();
    assert!(
        store.load().unwrap().is_some(),
        "tokens are stored after sign-in"
    );
    let client = TeamViewerClient::new(
        http,
        parse_api_url(sb.base_url().as_str()).unwrap(),
        session.clone(),
    )
    .with_retry(fast_retry());

    // Three calls use up the access token; then two calls at once both get 401.
    for _ in 0..3 {
        client.ping().await.unwrap();
    }
    let (a, b) = tokio::join!(client.account(), client.groups(None));
    a.unwrap();
    b.unwrap();
    assert_eq!(
        sb.stats().refreshes,
        1,
        "two concurrent 401s must lead to exactly one refresh (the refresh token rotates)"
    );

    session.sign_out().await.unwrap();
    assert!(store.load().unwrap().is_none(), "sign-out clears the store");
    assert_eq!(sb.stats().revocations, 1, "sign-out revokes the token");
    let err = client.account().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotSignedIn, "{err}");
}

#[tokio::test]
async fn deny_on_the_consent_page_is_a_clear_rejection() {
    let sb = sandbox(10, Faults::default()).await;
    let flow = SignInFlow::new(Arc::new(SystemClock));
    let authorize = flow.begin(&oauth_config(&sb)).unwrap();
    let callback = approve_in_browser(&authorize, "deny").await;
    let err = flow.complete(&callback).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::SignInDeclined,
        "declining has its own kind: {err}"
    );
    assert!(
        err.to_string().contains("denied"),
        "the message says why: {err}"
    );
}

#[tokio::test]
async fn a_second_use_of_the_same_callback_is_refused() {
    let sb = sandbox(10, Faults::default()).await;
    let flow = SignInFlow::new(Arc::new(SystemClock));
    let authorize = flow.begin(&oauth_config(&sb)).unwrap();
    let callback = approve_in_browser(&authorize, "approve").await;
    flow.complete(&callback).unwrap();
    let err = flow.complete(&callback).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::CallbackRejected,
        "a callback is used once: {err}"
    );
}

#[tokio::test]
async fn session_lifecycle_and_report_notes_round_trip() {
    let sb = sandbox(50, Faults::default()).await;
    let client = script_client(&sb);
    let groups = client.groups(None).await.unwrap();
    assert!(!groups.is_empty(), "the sandbox has groups to pick from");
    let mut new =
        sdesk_core::models::NewSession::new(sdesk_core::models::GroupRef::Id(groups[0].id.clone()));
    new.description = Some("Drucker druckt nicht".into());
    let created = client.create_session(&new).await.unwrap();
    assert_eq!(
        created.links().len(),
        3,
        "a new session has all three links"
    );
    let fetched = client.session(&created.code).await.unwrap();
    assert_eq!(
        fetched.code, created.code,
        "GET by code finds the new session"
    );
    client.close_session(&created.code).await.unwrap();
    assert!(
        !client.session(&created.code).await.unwrap().is_open(),
        "closed after close"
    );

    let page = client
        .reports_page(&ReportQuery::default(), None)
        .await
        .unwrap();
    let id = page.records[0].id.clone();
    let update = sdesk_core::models::ReportUpdate {
        notes: Some("Ticket #4711, \"Drucker\"".into()),
        billing_state: Some("Billed".into()),
    };
    client.update_report(&id, &update).await.unwrap();
    let r = client.report(&id).await.unwrap();
    assert_eq!(r.notes, update.notes, "notes are written back");
    assert_eq!(
        r.billing_state, update.billing_state,
        "billing state is written back"
    );
}
