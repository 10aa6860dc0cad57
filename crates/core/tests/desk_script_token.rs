#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Script-token sign-in in TeamViewer mode without an OAuth app ("script token only"), and its
//! ping through the desk's retry and `Retry-After` handling.

mod common;

use common::*;
use wiremock::matchers::header;

fn script_only(server: &MockServer) -> Settings {
    Settings {
        mode: Mode::Teamviewer,
        script_token_only: true,
        client_id: String::new(),
        api_url: server.uri(),
        login_url: server.uri(),
        ..Settings::default()
    }
}

#[tokio::test]
async fn teamviewer_mode_with_script_token_only_needs_no_client_id() {
    let server = MockServer::start().await;
    let mut no_method = script_only(&server);
    no_method.script_token_only = false;
    let err = no_method.validate().unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::InvalidInput,
        "a client ID is still needed for OAuth"
    );
    assert!(
        err.to_string().contains("script token only"),
        "the error names the way out: {err}"
    );

    let mut options = DeskOptions::new(script_only(&server), Arc::new(MemoryStore::new()));
    options.live = None;
    let desk = Desk::new(options)
        .await
        .expect("script token only is a valid setting");
    let status = desk.status().await.unwrap();
    assert!(
        !status.sandbox && !status.oauth_configured && !status.signed_in,
        "TeamViewer mode, no browser sign-in offered: {status:?}"
    );
    assert_eq!(
        desk.begin_sign_in().await.unwrap_err().kind(),
        ErrorKind::Config,
        "no OAuth app, no browser sign-in"
    );
}

#[tokio::test]
async fn the_script_token_ping_waits_out_503_and_429_then_signs_in() {
    let server = MockServer::start().await;
    // First a busy server, then a rate limit with Retry-After, then the answer.
    Mock::given(method("GET"))
        .and(path("/api/v1/ping"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/ping"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(json!({"error": "rate_limit_reached", "error_code": 13})),
        )
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/ping"))
        .and(header("authorization", "Bearer script-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "token_valid": true })))
        .with_priority(3)
        .mount(&server)
        .await;
    let mut options = DeskOptions::new(script_only(&server), Arc::new(MemoryStore::new()));
    options.retry = fast_retry();
    options.live = None;
    let desk = Desk::new(options).await.unwrap();
    let waits = Arc::new(std::sync::Mutex::new(Vec::new()));
    {
        let waits = waits.clone();
        desk.set_wait_listener(Some(Arc::new(move |event| {
            waits.lock().unwrap().push(format!("{event:?}"));
        })));
    }
    let status = desk
        .sign_in_with_script_token(Secret::new("script-token"))
        .await
        .expect("a busy, then rate-limited server is waited out, not a failed sign-in");
    assert!(status.signed_in, "signed in: {status:?}");
    let pings = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/api/v1/ping")
        .count();
    assert_eq!(
        pings, 3,
        "503, 429, then 200: the ping went through the client's retry"
    );
    assert!(
        waits
            .lock()
            .unwrap()
            .iter()
            .any(|w| w.contains("RateLimit")),
        "the rate-limit wait was reported like any other call's: {:?}",
        waits.lock().unwrap()
    );
}
