#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The loopback redirect receiver: it hands the callback URL to the same handler as a deep link.

use chrono::Utc;
use sdesk_core::auth::{LoopbackListener, OAuthConfig, RedirectUri, SignInFlow};
use sdesk_core::clock::ManualClock;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

#[tokio::test]
async fn listener_returns_the_callback_url_and_skips_other_paths() {
    let listener = LoopbackListener::bind(0).await.unwrap();
    let port = listener.port();
    let waiting = tokio::spawn(async move { listener.next_callback().await });

    let favicon = http()
        .get(format!("http://127.0.0.1:{port}/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        favicon.status(),
        404,
        "other paths are answered 404 and ignored"
    );

    let page = http()
        .get(format!(
            "http://127.0.0.1:{port}/oauth/callback?code=abc&state=s%2F1"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.status(),
        200,
        "the browser gets a page telling the user to return to the app"
    );
    assert_eq!(
        page.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "the page with the code in its URL must not be cached"
    );
    let body = page.text().await.unwrap();
    assert!(!body.contains("abc"), "the page must not echo the code");

    let url = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the listener must return after the callback")
        .unwrap()
        .unwrap();
    assert_eq!(
        url,
        format!("http://127.0.0.1:{port}/oauth/callback?code=abc&state=s%2F1"),
        "the URL is returned verbatim, query still encoded, for the shared callback handler"
    );
}

#[tokio::test]
async fn loopback_callback_completes_the_sign_in_flow() {
    let listener = LoopbackListener::bind(0).await.unwrap();
    let port = listener.port();
    let base = Url::parse("http://127.0.0.1:9").unwrap();
    let config =
        OAuthConfig::for_api(&base, &base, "client-1", None, RedirectUri::loopback(port)).unwrap();
    let flow = SignInFlow::new(Arc::new(ManualClock::new(Utc::now())));
    let authorize = flow.begin(&config).unwrap();
    let state = authorize
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();

    let waiting = tokio::spawn(async move { listener.next_callback().await });
    let mut cb = Url::parse(&format!("http://127.0.0.1:{port}/oauth/callback")).unwrap();
    cb.query_pairs_mut()
        .append_pair("code", "c0de")
        .append_pair("state", &state);
    http().get(cb.as_str()).send().await.unwrap();
    let url = waiting.await.unwrap().unwrap();

    let grant = flow
        .complete(&url)
        .expect("the loopback URL must pass the same checks as a deep link");
    assert_eq!(
        grant.code.expose(),
        "c0de",
        "the code from the browser redirect is returned"
    );
}

#[tokio::test]
async fn busy_port_is_a_clear_config_error() {
    let first = LoopbackListener::bind(0).await.unwrap();
    let err = LoopbackListener::bind(first.port())
        .await
        .expect_err("a taken port cannot be bound");
    assert_eq!(
        err.kind(),
        sdesk_core::ErrorKind::Config,
        "a busy port is a configuration problem the user can fix"
    );
    assert!(
        err.to_string().contains("127.0.0.1"),
        "the message names the address: {err}"
    );
}
