//! Every fault knob, observed over HTTP, and the promise that faults have no side effects.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;
use sdesk_sandbox::wire::{PingResponse, ReportPage, SessionPage, TokenResponse};
use sdesk_sandbox::{generate_reports, Faults, RateLimitReply, Sandbox, SandboxConfig};
use std::time::{Duration, Instant};

async fn with_faults(faults: Faults) -> Sandbox {
    start(SandboxConfig {
        records: 1_500,
        faults,
        ..config()
    })
    .await
}

/// Whether an I/O error (the connection) is somewhere in the error's cause chain.
fn caused_by_io(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = err.source();
    while let Some(current) = cause {
        if current.is::<std::io::Error>() {
            return true;
        }
        cause = current.source();
    }
    false
}

async fn ping_status(sandbox: &Sandbox) -> StatusCode {
    api_get(&http(), sandbox, "ping", &sandbox.script_token())
        .await
        .status()
}

/// Doc 2023-03 p9 and p111-112: a rate limit is `403` with `error` `rate_limit_reached` and an
/// `error_description`; no 429 and no `Retry-After` anywhere.
#[tokio::test]
async fn rate_limit_is_a_403_rate_limit_reached_without_retry_after() {
    let sandbox = with_faults(Faults {
        rate_limit_every: Some(3),
        ..Faults::default()
    })
    .await;
    let client = http();
    for n in 1..=2 {
        assert_eq!(
            ping_status(&sandbox).await,
            StatusCode::OK,
            "request {n} passes"
        );
    }
    let limited = api_get(&client, &sandbox, "ping", &sandbox.script_token()).await;
    assert_eq!(
        limited.status(),
        StatusCode::FORBIDDEN,
        "TeamViewer answers a rate limit with 403, not 429"
    );
    assert!(
        limited.headers().get(RETRY_AFTER).is_none(),
        "no Retry-After: TeamViewer documents none"
    );
    let body: serde_json::Value = limited.json().await.unwrap();
    assert_eq!(
        body["error"], "rate_limit_reached",
        "the documented error value: {body}"
    );
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "an error_description explains it: {body}"
    );
    assert!(
        body["error_code"].is_i64(),
        "error_code is a number: {body}"
    );
    let stats = sandbox.stats();
    assert_eq!(
        (
            stats.api_requests,
            stats.rate_limited,
            stats.faults_injected
        ),
        (3, 1, 1),
        "the counters saw three requests and one fault"
    );
}

/// The non-TeamViewer variant, kept as an option: `429` with the same body and, when
/// configured, `Retry-After`.
#[tokio::test]
async fn rate_limit_429_variant_with_retry_after() {
    let sandbox = with_faults(Faults {
        rate_limit_every: Some(1),
        rate_limit_reply: RateLimitReply::TooManyRequests,
        retry_after: Some(7),
        ..Faults::default()
    })
    .await;
    let limited = api_get(&http(), &sandbox, "ping", &sandbox.script_token()).await;
    assert_eq!(
        limited
            .headers()
            .get(RETRY_AFTER)
            .map(|v| v.to_str().unwrap()),
        Some("7"),
        "the configured Retry-After"
    );
    let (status, body) = error_of(limited).await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limit_reached"),
        "429 when asked for"
    );
}

/// Doc 2023-03 p111: `403` "IP blocked", error value `blocked`.
#[tokio::test]
async fn blocked_is_a_403_blocked() {
    let sandbox = with_faults(Faults {
        blocked_every: Some(2),
        ..Faults::default()
    })
    .await;
    let client = http();
    assert_eq!(
        ping_status(&sandbox).await,
        StatusCode::OK,
        "request 1 passes"
    );
    let blocked = api_get(
        &client,
        &sandbox,
        "reports/connections",
        &sandbox.script_token(),
    )
    .await;
    assert!(
        blocked.headers().get(RETRY_AFTER).is_none(),
        "a block says nothing about when to retry"
    );
    let (status, body) = error_of(blocked).await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::FORBIDDEN, "blocked"),
        "every 2nd request is refused as blocked"
    );
    assert!(
        !body.error_description.is_empty(),
        "with an error_description"
    );
    let stats = sandbox.stats();
    assert_eq!(
        (stats.blocked, stats.rate_limited, stats.faults_injected),
        (1, 0, 1),
        "counted as blocked, not as a rate limit"
    );
}

/// Doc 2023-03 p47-48 names the page count `records_remaining` in the field list and
/// `reports_remaining` in the text; the sandbox can send either.
#[tokio::test]
async fn report_pages_can_name_the_count_reports_remaining() {
    let sandbox = with_faults(Faults {
        reports_remaining_field: true,
        ..Faults::default()
    })
    .await;
    let page: serde_json::Value = api_json(
        &http(),
        &sandbox,
        "reports/connections",
        &sandbox.script_token(),
    )
    .await;
    assert_eq!(
        page["reports_remaining"], 500,
        "1,500 records: 1,000 served, the rest counted as reports_remaining: {}",
        page["reports_remaining"]
    );
    assert!(
        page.get("records_remaining").is_none(),
        "and not also as records_remaining"
    );
    assert_eq!(
        page["records"].as_array().map(Vec::len),
        Some(1_000),
        "the records are still under records"
    );
    let plain = with_faults(Faults::default()).await;
    let page: serde_json::Value = api_json(
        &http(),
        &plain,
        "reports/connections",
        &plain.script_token(),
    )
    .await;
    assert_eq!(
        (
            page["records_remaining"].as_u64(),
            page.get("reports_remaining")
        ),
        (Some(500), None),
        "by default the count is records_remaining"
    );
}

/// Doc 2023-03 p50's example writes the fee as `"bill": "0.00"`, a string; the sandbox can
/// send fees that way (in lists and single records).
#[tokio::test]
async fn fees_can_be_written_as_a_bill_string() {
    let sandbox = with_faults(Faults {
        fee_as_bill_string: true,
        ..Faults::default()
    })
    .await;
    let client = http();
    let token = sandbox.script_token();
    let expected = generate_reports(42, 1_500, now());
    let page: serde_json::Value = api_json(&client, &sandbox, "reports/connections", &token).await;
    let records = page["records"].as_array().unwrap();
    for (got, want) in records.iter().zip(&expected) {
        assert!(
            got.get("fee").is_none(),
            "no fee field when it is a bill: {got}"
        );
        match want.fee {
            Some(fee) => assert_eq!(
                got["bill"],
                serde_json::json!(format!("{fee:.2}")),
                "a fee of {fee} is the string with two decimals"
            ),
            None => assert!(got["bill"].is_null(), "no fee is a null bill: {got}"),
        }
    }
    assert!(
        records.iter().any(|r| r["bill"].is_string())
            && records.iter().any(|r| r["bill"].is_null()),
        "the page has billed and unbilled records"
    );
    let billed = expected.iter().find(|r| r.fee.is_some()).unwrap();
    let single: serde_json::Value = api_json(
        &client,
        &sandbox,
        &format!("reports/connections/{}", billed.id),
        &token,
    )
    .await;
    assert!(
        single["bill"].is_string() && single.get("fee").is_none(),
        "GET by id uses the same form: {single}"
    );
}

#[tokio::test]
async fn error_burst_gives_consecutive_5xx() {
    let sandbox = with_faults(Faults {
        error_burst: Some((4, 2)),
        ..Faults::default()
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..9 {
        statuses.push(ping_status(&sandbox).await.as_u16());
    }
    assert_eq!(
        statuses,
        [200, 200, 200, 503, 500, 200, 200, 503, 500],
        "bursts of two (503 then 500) start at requests 4 and 8"
    );
    assert_eq!(sandbox.stats().server_errors, 4, "four 5xx injected");
}

#[tokio::test]
async fn dropped_connection_is_a_transport_error() {
    let sandbox = with_faults(Faults {
        drop_every: Some(2),
        ..Faults::default()
    })
    .await;
    let client = http();
    let fetch = || async {
        let response = client
            .get(url(&sandbox, "api/v1/reports/connections"))
            .bearer_auth(sandbox.script_token())
            .send()
            .await?;
        response.bytes().await
    };
    let first = fetch().await.expect("request 1 is served");
    let err = fetch()
        .await
        .expect_err("request 2 must fail in transport, not yield a body");
    assert!(
        caused_by_io(&err),
        "the failure is a transport (I/O) error while reading the body: {err:?}"
    );
    let retried = fetch()
        .await
        .expect("request 3 is served on a new connection");
    assert_eq!(retried, first, "the retry sees the same page");
    assert!(
        serde_json::from_slice::<ReportPage>(&retried).is_ok(),
        "undropped responses are complete JSON"
    );
    assert_eq!(sandbox.stats().dropped_connections, 1, "one drop counted");
}

#[tokio::test]
async fn access_tokens_expire_after_n_calls() {
    let sandbox = with_faults(Faults {
        token_expiry_after_calls: Some(3),
        ..Faults::default()
    })
    .await;
    let client = http();
    let tokens = sign_in(&client, &sandbox).await;
    for n in 1..=3 {
        let response = api_get(&client, &sandbox, "account", &tokens.access_token).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "call {n} of 3 is allowed"
        );
    }
    let (status, body) =
        error_of(api_get(&client, &sandbox, "account", &tokens.access_token).await).await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::UNAUTHORIZED, "token_expired"),
        "the 4th call finds the token expired"
    );
    let ping: PingResponse = api_json(&client, &sandbox, "ping", &tokens.access_token).await;
    assert!(
        !ping.token_valid,
        "ping reports the expired token as invalid"
    );
    let renewed: TokenResponse = refresh(&client, &sandbox, &tokens.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    let response = api_get(&client, &sandbox, "account", &renewed.access_token).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "refresh yields a working token"
    );
    for _ in 0..5 {
        assert_eq!(
            ping_status(&sandbox).await,
            StatusCode::OK,
            "the script token never expires"
        );
    }
    let ping: PingResponse = api_json(&client, &sandbox, "ping", &sandbox.script_token()).await;
    assert!(ping.token_valid, "the script token stays valid");
}

#[tokio::test]
async fn license_limit_is_a_plain_text_400() {
    let sandbox = with_faults(Faults {
        license_limit_after: Some(2),
        ..Faults::default()
    })
    .await;
    let client = http();
    let create = || {
        client
            .post(url(&sandbox, "api/v1/sessions"))
            .bearer_auth(sandbox.script_token())
            .json(&serde_json::json!({"groupname": "Limit"}))
            .send()
    };
    for n in 1..=2 {
        assert_eq!(
            create().await.unwrap().status(),
            StatusCode::OK,
            "creation {n} is within the licence"
        );
    }
    let refused = create().await.unwrap();
    assert_eq!(
        refused.status(),
        StatusCode::BAD_REQUEST,
        "the third creation is refused"
    );
    let content_type = refused.headers()[CONTENT_TYPE].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("text/plain"),
        "the body is plain text, not JSON: {content_type}"
    );
    let text = refused.text().await.unwrap();
    assert!(
        text.contains("license limitations"),
        "the text names the license limitation: {text}"
    );
    assert!(
        serde_json::from_str::<serde_json::Value>(&text).is_err(),
        "the body is not JSON"
    );
    let stats = sandbox.stats();
    assert_eq!(
        (stats.sessions_created, stats.license_limit_hits),
        (2, 1),
        "two created, one refused"
    );
}

#[tokio::test]
async fn faulted_requests_have_no_side_effects() {
    let sandbox = with_faults(Faults {
        rate_limit_every: Some(2),
        token_expiry_after_calls: Some(2),
        ..Faults::default()
    })
    .await;
    let client = http();
    let tokens = sign_in(&client, &sandbox).await;
    let token = tokens.access_token.as_str();
    // Request 1 passes (call 1 of the token), request 2 is rate limited and must not count.
    let page: SessionPage = api_json(&client, &sandbox, "sessions", token).await;
    let create = client
        .post(url(&sandbox, "api/v1/sessions"))
        .bearer_auth(token)
        .json(&serde_json::json!({"groupname": "Faulted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        create.status(),
        StatusCode::FORBIDDEN,
        "request 2 is rate limited"
    );
    // Request 3 passes as the token's second call, so the faulted one was not counted.
    let again: SessionPage = api_json(&client, &sandbox, "sessions", token).await;
    assert_eq!(
        again, page,
        "the rate-limited POST created nothing and the retried GET sees the same page"
    );
    assert_eq!(
        sandbox.stats().sessions_created,
        0,
        "no session was created"
    );
}

#[tokio::test]
async fn latency_is_added_and_oauth_endpoints_stay_reliable() {
    let sandbox = with_faults(Faults {
        latency: Some(Duration::from_millis(150)),
        rate_limit_every: Some(1),
        ..Faults::default()
    })
    .await;
    let client = http();
    let started = Instant::now();
    let status = ping_status(&sandbox).await;
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "the configured latency is added"
    );
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "every API request is limited"
    );
    let tokens = sign_in(&client, &sandbox).await;
    assert!(
        !tokens.access_token.is_empty(),
        "token exchange is not subject to API faults"
    );
}
