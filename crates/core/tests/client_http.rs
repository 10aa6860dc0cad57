#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The API client against a mock HTTP server: retries, rate limits, deadlines, error mapping,
//! paging, no redirects. (Hostile servers that wiremock cannot imitate: `hostile_server.rs`.)

use sdesk_core::client::{
    build_http, HttpConfig, RetryPolicy, StaticToken, TeamViewerClient, WaitNotice, WaitReason,
    JSON_BODY_LIMIT,
};
use sdesk_core::models::{GroupRef, NewSession, ReportQuery, SessionQuery};
use sdesk_core::{ErrorKind, Secret};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(10),
        max_retry_after: Duration::from_secs(5),
        rate_limit_delay: Duration::from_millis(2),
        rate_limit_max_delay: Duration::from_millis(10),
        rate_limit_budget: Duration::from_secs(5),
        call_deadline: Duration::from_secs(30),
    }
}

fn client(server: &MockServer) -> TeamViewerClient {
    let http = build_http(&HttpConfig::default()).unwrap();
    let base = sdesk_core::client::parse_api_url(&server.uri()).unwrap();
    TeamViewerClient::new(
        http,
        base,
        Arc::new(StaticToken::new(Secret::new("1234-script"))),
    )
    .with_retry(fast_retry())
}

fn session_json(code: &str) -> serde_json::Value {
    serde_json::json!({
        "code": code, "state": "Open", "groupid": "g1",
        "supporter_link": format!("https://get.teamviewer.com/v15/{code}-x"),
        "created_at": "2024-04-16T20:40:38Z"
    })
}

#[tokio::test]
async fn get_retries_5xx_then_succeeds_with_bearer_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/ping"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/ping"))
        .and(header("authorization", "Bearer 1234-script"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"token_valid": true})),
        )
        .expect(1)
        .mount(&server)
        .await;
    assert!(
        client(&server).ping().await.unwrap(),
        "two 503s are transient; the third attempt succeeds"
    );
}

#[tokio::test]
async fn retry_budget_is_bounded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_json(serde_json::json!({
            "error": "internal_error", "error_description": "boom", "error_code": 1
        })))
        .expect(4)
        .mount(&server)
        .await;
    let err = client(&server).account().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    assert!(
        err.to_string().contains("boom"),
        "the server's description is kept: {err}"
    );
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"groups": []})))
        .mount(&server)
        .await;
    let started = Instant::now();
    client(&server).groups(None).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After: 1 means waiting about a second, waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn rate_limit_without_retry_after_backs_off_and_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429))
        .up_to_n_times(3)
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"users": []})))
        .expect(1)
        .mount(&server)
        .await;
    assert!(client(&server).users().await.unwrap().is_empty());
}

#[tokio::test]
async fn retry_after_beyond_the_cap_gives_up_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).users().await.unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::RateLimited,
        "an hour-long Retry-After must not freeze the caller: {err}"
    );
}

#[tokio::test]
async fn post_is_never_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .create_session(&NewSession::new(GroupRef::Name("Support".into())))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    // `expect(1)` is verified when the server drops: a retry would create a second session.
}

#[tokio::test]
async fn post_is_not_retried_after_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(800)))
        .expect(1)
        .mount(&server)
        .await;
    let http = build_http(&HttpConfig {
        request_timeout: Duration::from_millis(200),
        ..HttpConfig::default()
    })
    .unwrap();
    let c = TeamViewerClient::new(
        http,
        sdesk_core::client::parse_api_url(&server.uri()).unwrap(),
        Arc::new(StaticToken::new(Secret::new("t"))),
    )
    .with_retry(fast_retry());
    let err = c
        .create_session(&NewSession::new(GroupRef::Name("Support".into())))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
}

#[tokio::test]
async fn create_session_sends_api_fields_and_reads_links() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions"))
        .and(wiremock::matchers::body_json(serde_json::json!({
            "groupid": "g42", "description": "Printer", "end_customer": {"name": "Ann", "email": "ann@example.com"}
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(session_json("s123-456-789")))
        .expect(1)
        .mount(&server)
        .await;
    let mut new = NewSession::new(GroupRef::Id("g42".into()));
    new.description = Some("Printer".into());
    new.end_customer = Some(sdesk_core::models::EndCustomer {
        name: Some("Ann".into()),
        email: Some("ann@example.com".into()),
    });
    let s = client(&server).create_session(&new).await.unwrap();
    assert_eq!(s.code, "s123-456-789");
    assert!(s.is_open());
    assert_eq!(
        s.links().len(),
        1,
        "only the links the server sent are listed"
    );
}

#[tokio::test]
async fn invalid_session_input_sends_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let err = client(&server)
        .create_session(&NewSession::new(GroupRef::Id("272".into())))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
}

#[tokio::test]
async fn created_session_is_read_back_when_only_a_location_comes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(303).insert_header(
            "Location",
            format!("{}/api/v1/sessions/s111-222-333", server.uri()),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions/s111-222-333"))
        .respond_with(ResponseTemplate::new(200).set_body_json(session_json("s111-222-333")))
        .expect(1)
        .mount(&server)
        .await;
    let s = client(&server)
        .create_session(&NewSession::new(GroupRef::Name("Support".into())))
        .await
        .unwrap();
    assert_eq!(
        s.code, "s111-222-333",
        "the session named by Location is fetched"
    );
}

#[tokio::test]
async fn license_limit_text_becomes_its_own_kind() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_string("Session could not be created due to license limitations"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .create_session(&NewSession::new(GroupRef::Name("Support".into())))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LicenseLimit, "{err}");
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_with_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"userid\": "))
        .mount(&server)
        .await;
    let err = client(&server).account().await.unwrap_err();
    match err {
        sdesk_core::Error::Decode { body, .. } => {
            assert!(
                body.contains("userid"),
                "the raw body is kept for diagnosis: {body}"
            )
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("Location", format!("{}/steal", elsewhere.uri())),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&elsewhere)
        .await;
    let err = client(&server).account().await.unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::UnexpectedRedirect,
        "a redirect would carry the bearer token elsewhere: {err}"
    );
}

#[tokio::test]
async fn script_token_401_is_unauthorized_without_a_loop() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "invalid_token", "error_description": "expired", "error_code": 2
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).account().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err}");
}

#[tokio::test]
async fn session_list_follows_offsets_to_the_end() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions"))
        .and(query_param("offset", "p2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "sessions": [session_json("s3")], "sessions_remaining": 0
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions"))
        .and(query_param("state", "open"))
        .and(query_param("full_list", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "sessions": [session_json("s1"), session_json("s2")], "sessions_remaining": 1, "next_offset": "p2"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let all = client(&server)
        .list_sessions(&SessionQuery::default())
        .await
        .unwrap();
    let codes: Vec<_> = all.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, ["s1", "s2", "s3"], "both pages, in server order");
}

#[tokio::test]
async fn a_repeating_cursor_stops_instead_of_looping() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "sessions": [session_json("s1")], "sessions_remaining": 5, "next_offset": "same"
        })))
        .mount(&server)
        .await;
    let err = client(&server)
        .list_sessions(&SessionQuery::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
}

#[tokio::test]
async fn report_filters_are_sent_with_api_names() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/reports/connections"))
        .and(query_param("userid", "u7"))
        .and(query_param("groupid", "0"))
        .and(query_param("from_date", "2024-01-01T00:00:00Z"))
        .and(query_param("to_date", "2024-02-01T00:00:00Z"))
        .and(query_param("has_code", "true"))
        .and(query_param("support_session_type", "2"))
        .and(query_param("offset_id", "abc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "records": [], "records_remaining": 0
        })))
        .expect(1)
        .mount(&server)
        .await;
    let q = ReportQuery {
        userid: Some("u7".into()),
        groupid: Some("0".into()),
        from_date: Some("2024-01-01T00:00:00Z".parse().unwrap()),
        to_date: Some("2024-02-01T00:00:00Z".parse().unwrap()),
        has_code: Some(true),
        support_session_type: Some(2),
        ..ReportQuery::default()
    };
    q.validate().unwrap();
    let page = client(&server).reports_page(&q, Some("abc")).await.unwrap();
    assert!(page.next().is_none());
}

#[tokio::test]
async fn close_is_a_put_of_state_closed() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/api/v1/sessions/s123-456-789"))
        .and(wiremock::matchers::body_json(
            serde_json::json!({"state": "closed"}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    client(&server).close_session("s123-456-789").await.unwrap();
}

#[tokio::test]
async fn path_segments_are_encoded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/reports/connections/a%2Fb"))
        .respond_with(ResponseTemplate::new(404).set_body_json(serde_json::json!({
            "error": "not_found", "error_description": "no such report", "error_code": 4
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).report("a/b").await.unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::NotFound,
        "an id cannot escape its path segment: {err}"
    );
}

/// TeamViewer's rate-limit answer (API document 2023-03: 403 with `rate_limit_reached`).
fn rate_limited() -> ResponseTemplate {
    ResponseTemplate::new(403).set_body_json(serde_json::json!({
        "error": "rate_limit_reached",
        "error_description": "Too many calls to a single function with the same access token",
        "error_code": 5
    }))
}

#[tokio::test]
async fn rate_limited_post_fails_at_once_as_a_rate_limit() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions"))
        .respond_with(rate_limited())
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .create_session(&NewSession::new(GroupRef::Name("Support".into())))
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::RateLimited,
        "a rate-limited POST is a rate limit, not a missing permission: {err}"
    );
    // `expect(1)`: a POST is never repeated, not even after a rate limit.
}

#[tokio::test]
async fn forbidden_rate_limit_honours_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(rate_limited().insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"users": []})))
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    client(&server).users().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After: 1 on a 403 rate limit means waiting about a second, waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn observer_hears_every_wait_in_order() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(rate_limited())
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"groups": []})))
        .mount(&server)
        .await;
    let heard: Arc<std::sync::Mutex<Vec<WaitNotice>>> = Arc::default();
    let sink = Arc::clone(&heard);
    let c = client(&server).with_wait_observer(Arc::new(move |n: WaitNotice| {
        sink.lock().unwrap().push(n);
    }));
    c.groups(None).await.unwrap();
    let heard = heard.lock().unwrap().clone();
    let reasons: Vec<(WaitReason, u32)> = heard.iter().map(|n| (n.reason, n.attempt)).collect();
    assert_eq!(
        reasons,
        [
            (WaitReason::Server { status: 503 }, 2),
            (WaitReason::RateLimit, 3)
        ],
        "one notice per wait, saying why and which attempt follows: {heard:?}"
    );
    assert!(
        heard[1]
            .to_string()
            .starts_with("TeamViewer's rate limit was reached; waiting"),
        "the notice is a sentence for the user: {}",
        heard[1]
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_deadline_fails_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "4"))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server).with_retry(RetryPolicy {
        call_deadline: Duration::from_secs(1),
        ..fast_retry()
    });
    let started = Instant::now();
    let err = c.account().await.unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Server,
        "the server's own error is reported when its Retry-After does not fit: {err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "waiting past the call's deadline is pointless, waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_session_page_of_1000_long_sessions_is_accepted() {
    // The API has no page-size parameter: a page holds up to 1,000 sessions, each with a
    // description and custom_api of up to 4,000 characters. Such a page is larger than the
    // limit of ordinary answers, and must still be read.
    let long = "x".repeat(4_000);
    let sessions: Vec<serde_json::Value> = (0..1_000)
        .map(|i| {
            let mut s = session_json(&format!("s{i:03}-000-000"));
            s["description"] = serde_json::json!(long);
            s["custom_api"] = serde_json::json!(long);
            s["waiting_message"] = serde_json::json!(long);
            s
        })
        .collect();
    let page = serde_json::json!({"sessions": sessions, "sessions_remaining": 0});
    let body = serde_json::to_vec(&page).unwrap();
    assert!(
        body.len() as u64 > JSON_BODY_LIMIT,
        "the test page ({} bytes) must exceed the ordinary limit to prove anything",
        body.len()
    );
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let all = client(&server)
        .list_sessions(&SessionQuery::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 1_000, "a full page of sessions is read whole");
}

#[tokio::test]
async fn an_oversized_ordinary_answer_is_refused_and_not_retried() {
    let server = MockServer::start().await;
    let body = vec![b' '; JSON_BODY_LIMIT as usize + 1];
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).account().await.unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::ResponseTooLarge,
        "an account answer over 8 MiB is not an account: {err}"
    );
}
