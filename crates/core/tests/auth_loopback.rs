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

#[tokio::test]
async fn idle_connections_do_not_delay_the_callback() {
    let listener = LoopbackListener::bind(0).await.unwrap();
    let port = listener.port();
    // Three connections that never send a request (pre-connects, a scanner, a hostile local
    // process). Served one after another with the old 10 s read timeout, they held the
    // browser's callback back for 30 s.
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap(),
        );
    }
    let started = std::time::Instant::now();
    let waiting = tokio::spawn(async move { listener.next_callback().await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let page = http()
        .get(format!(
            "http://127.0.0.1:{port}/oauth/callback?code=c&state=s"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "the browser is answered at once");
    let url = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the callback must not wait for the idle connections")
        .unwrap()
        .unwrap();
    assert!(url.ends_with("/oauth/callback?code=c&state=s"), "{url}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "connections are served concurrently: the callback took {:?} behind 3 idle connections",
        started.elapsed()
    );
    drop(idle);
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_header_timeout() {
    use tokio::io::AsyncReadExt;
    let listener = LoopbackListener::bind(0).await.unwrap();
    let port = listener.port();
    let _waiting = tokio::spawn(async move { listener.next_callback().await });
    let mut silent = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(8), silent.read(&mut buf))
        .await
        .expect("a connection that sends nothing must not be kept open for long");
    assert!(
        matches!(read, Ok(0) | Err(_)),
        "the listener closes it without an answer: {read:?}"
    );
    assert!(
        started.elapsed() >= sdesk_core::auth::LOOPBACK_HEADER_TIMEOUT - Duration::from_millis(200),
        "it is given the header timeout to send its request ({:?})",
        started.elapsed()
    );
}

#[tokio::test]
async fn more_idle_connections_than_the_limit_only_delay_by_the_header_timeout() {
    let listener = LoopbackListener::bind(0).await.unwrap();
    let port = listener.port();
    let mut idle = Vec::new();
    for _ in 0..sdesk_core::auth::LOOPBACK_MAX_CONNECTIONS + 4 {
        idle.push(
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap(),
        );
    }
    let started = std::time::Instant::now();
    let waiting = tokio::spawn(async move { listener.next_callback().await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let page = client
        .get(format!(
            "http://127.0.0.1:{port}/oauth/callback?code=c&state=s"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    tokio::time::timeout(Duration::from_secs(15), waiting)
        .await
        .expect("the callback arrives once the idle connections time out")
        .unwrap()
        .unwrap();
    assert!(
        started.elapsed() < sdesk_core::auth::LOOPBACK_HEADER_TIMEOUT * 3,
        "a flood waits for the header timeout of one batch, not one timeout per connection: {:?}",
        started.elapsed()
    );
    drop(idle);
}

#[tokio::test]
async fn a_stray_request_does_not_cut_off_the_real_callback() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = Arc::new(LoopbackListener::bind(0).await.unwrap());
    let port = listener.port();
    // The real browser connects and sends its request slowly; a forged callback completes
    // first and ends the first wait.
    let mut real = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    real.write_all(b"GET /oauth/callback?code=real&state=s HTTP/1.1\r\n")
        .await
        .unwrap();
    let first = {
        let listener = listener.clone();
        tokio::spawn(async move { listener.next_callback().await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    http()
        .get(format!(
            "http://127.0.0.1:{port}/oauth/callback?code=forged&state=x"
        ))
        .send()
        .await
        .unwrap();
    let forged = first.await.unwrap().unwrap();
    assert!(forged.contains("code=forged"), "{forged}");
    // The caller rejects it and waits again; the real request finishes meanwhile.
    real.write_all(b"Host: 127.0.0.1\r\n\r\n").await.unwrap();
    let url = tokio::time::timeout(Duration::from_secs(2), listener.next_callback())
        .await
        .expect("the connection in progress was kept")
        .unwrap();
    assert!(url.contains("code=real"), "{url}");
    let mut answer = Vec::new();
    real.read_to_end(&mut answer).await.unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "the browser still gets its page"
    );
}
