#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Waits before retries of the desk's API calls (the shared connection), as told to the wait
//! listener.

mod common;

use common::*;

/// A desk in TeamViewer mode on `server` (which must answer `/ping`), signed in with a script
/// token, whose listener collects the wait events.
async fn desk_with_wait_listener(
    server: &MockServer,
) -> (Desk, Arc<std::sync::Mutex<Vec<ApiWaitEvent>>>) {
    let desk = signed_in_on_mock(server).await;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    desk.set_wait_listener(Some(Arc::new(move |e| sink.lock().unwrap().push(e))));
    (desk, seen)
}

#[tokio::test]
async fn a_rate_limit_wait_is_told_to_the_listener_and_ended_when_the_answer_arrives() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "error": "rate_limit_reached",
            "error_description": "Too many calls to a single function with the same access token",
            "error_code": 5
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "groups": [{ "id": "g1", "name": "Support" }] })),
        )
        .mount(&server)
        .await;
    let (desk, seen) = desk_with_wait_listener(&server).await;
    let groups = desk.groups().await.unwrap();
    assert_eq!(groups.len(), 1, "the retry after the wait got the groups");
    let events = seen.lock().unwrap().clone();
    let [ApiWaitEvent::Waiting(wait), ApiWaitEvent::Over(over)] = events.as_slice() else {
        panic!("one wait, then its end when the answer arrived, got {events:?}");
    };
    assert_eq!(
        (wait.reason, wait.attempt, wait.status),
        (ApiWaitReason::RateLimit, 2, None),
        "a rate limit before the second attempt: {wait:?}"
    );
    assert!(
        wait.seconds >= 1,
        "a short rate-limit wait still shows a second to count down: {wait:?}"
    );
    assert_eq!(over.call, wait.call, "the end names the call that waited");

    // The next call that waits gets a number of its own.
    seen.lock().unwrap().clear();
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "sessions": [] })))
        .mount(&server)
        .await;
    desk.list_sessions(SessionListState::Open).await.unwrap();
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        &[],
        "a call that did not wait tells nothing"
    );
}

#[tokio::test]
async fn short_server_waits_are_not_shown_and_a_stopped_listener_hears_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "sessions": [] })))
        .mount(&server)
        .await;
    let (desk, seen) = desk_with_wait_listener(&server).await;
    desk.list_sessions(SessionListState::Open).await.unwrap();
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        &[],
        "a 503 retried after milliseconds is below the 2 s worth showing"
    );
    let sessions_requests = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/api/v1/sessions")
        .count();
    assert_eq!(sessions_requests, 2, "the 503 was retried once");
    desk.set_wait_listener(None);
    Mock::given(method("GET"))
        .and(path("/api/v1/groups"))
        .respond_with(ResponseTemplate::new(429))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "groups": [] })))
        .mount(&server)
        .await;
    desk.groups().await.unwrap();
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        &[],
        "after set_wait_listener(None) nothing is told"
    );
}
