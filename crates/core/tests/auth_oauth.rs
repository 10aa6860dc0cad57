#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The OAuth token endpoint, revocation and script-token validation against a mock server:
//! request shape, error mapping, no redirects.

use chrono::{DateTime, TimeDelta, Utc};
use sdesk_core::auth::{
    exchange_code, refresh, revoke, validate_script_token, AuthorizationCode, OAuthConfig,
    PkceVerifier, RedirectUri, SignInFlow, TokenKind,
};
use sdesk_core::client::{build_http, HttpConfig};
use sdesk_core::clock::ManualClock;
use sdesk_core::{Error, ErrorKind, Secret};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use url::Url;
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN_PATH: &str = "/api/v1/oauth2/token";

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn http() -> reqwest::Client {
    build_http(&HttpConfig::default()).unwrap()
}

fn config_for(base: &str, secret: Option<&str>) -> OAuthConfig {
    let base = Url::parse(base).unwrap();
    OAuthConfig::for_api(
        &base,
        &base,
        "client-1",
        secret.map(Secret::new),
        RedirectUri::default(),
    )
    .unwrap()
}

/// Any request that no test mock expects fails the test when the server is dropped.
async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(599))
        .with_priority(u8::MAX)
        .named("unexpected request")
        .expect(0)
        .mount(&server)
        .await;
    server
}

fn token_json(access: &str, refresh: Option<&str>) -> serde_json::Value {
    let mut v = serde_json::json!({
        "access_token": access, "token_type": "bearer", "expires_in": 86400
    });
    if let Some(r) = refresh {
        v["refresh_token"] = serde_json::json!(r);
    }
    v
}

async fn form_of_only_request(server: &MockServer) -> HashMap<String, String> {
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "exactly one token request must be sent");
    url::form_urlencoded::parse(&requests[0].body)
        .into_owned()
        .collect()
}

fn kind_of<T: std::fmt::Debug>(r: Result<T, Error>) -> ErrorKind {
    r.expect_err("the call must fail").kind()
}

#[tokio::test]
async fn code_exchange_sends_pkce_redirect_and_client_credentials() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json(
            "16217394-cOqwKkp8MllCvSYnprfj",
            Some("16217394-refresh"),
        )))
        .expect(1)
        .mount(&server)
        .await;
    let clock = ManualClock::new(t0());
    let tokens = exchange_code(
        &http(),
        &config_for(&server.uri(), Some("s3cret")),
        AuthorizationCode::new("DvOVEpPq"),
        PkceVerifier::new("verifier-0123456789-0123456789-0123456789-abc"),
        &clock,
    )
    .await
    .unwrap();

    assert_eq!(
        tokens.access_token.expose(),
        "16217394-cOqwKkp8MllCvSYnprfj",
        "the access token is taken from the response"
    );
    assert_eq!(
        tokens.refresh_token.as_ref().map(Secret::expose),
        Some("16217394-refresh"),
        "the refresh token is kept"
    );
    assert_eq!(
        tokens.expires_at,
        Some(t0() + TimeDelta::seconds(86400)),
        "expires_in is converted with the injected clock"
    );
    assert_eq!(
        tokens.kind,
        TokenKind::OAuth,
        "a code exchange yields OAuth tokens"
    );

    let form = form_of_only_request(&server).await;
    let get = |k: &str| form.get(k).map(String::as_str);
    assert_eq!(
        get("grant_type"),
        Some("authorization_code"),
        "the grant type as a string, as TeamViewer clients send it"
    );
    assert_eq!(get("code"), Some("DvOVEpPq"), "the code from the callback");
    assert_eq!(
        get("redirect_uri"),
        Some("dev.supporterdesk:/oauth/callback"),
        "the same redirect URI as in the authorize URL"
    );
    assert_eq!(
        get("code_verifier"),
        Some("verifier-0123456789-0123456789-0123456789-abc"),
        "the PKCE verifier completes the S256 challenge"
    );
    assert_eq!(
        get("client_id"),
        Some("client-1"),
        "the client ID identifies the app"
    );
    assert_eq!(
        get("client_secret"),
        Some("s3cret"),
        "TeamViewer expects the secret in the form body"
    );
    let requests = server.received_requests().await.unwrap();
    assert!(
        !requests[0].headers.contains_key("authorization"),
        "with AuthType::RequestBody no Basic header is sent"
    );
}

#[tokio::test]
async fn code_exchange_without_secret_sends_none() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("a", None)))
        .expect(1)
        .mount(&server)
        .await;
    let tokens = exchange_code(
        &http(),
        &config_for(&server.uri(), None),
        AuthorizationCode::new("c"),
        PkceVerifier::new("v"),
        &ManualClock::new(t0()),
    )
    .await
    .unwrap();
    assert!(
        tokens.refresh_token.is_none(),
        "no refresh token was sent, none is invented"
    );
    let form = form_of_only_request(&server).await;
    assert!(
        !form.contains_key("client_secret"),
        "a public client sends no client_secret"
    );
}

#[tokio::test]
async fn invalid_grant_is_session_expired() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": "invalid_grant", "error_description": "code expired", "error_code": 3
        })))
        .expect(1)
        .mount(&server)
        .await;
    let r = exchange_code(
        &http(),
        &config_for(&server.uri(), Some("s")),
        AuthorizationCode::new("c"),
        PkceVerifier::new("v"),
        &ManualClock::new(t0()),
    )
    .await;
    assert_eq!(
        kind_of(r),
        ErrorKind::SessionExpired,
        "invalid_grant means: sign in again"
    );
}

#[tokio::test]
async fn other_oauth_errors_keep_code_and_description() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "invalid_client", "error_description": "wrong client secret"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let r = exchange_code(
        &http(),
        &config_for(&server.uri(), Some("bad")),
        AuthorizationCode::new("c"),
        PkceVerifier::new("v"),
        &ManualClock::new(t0()),
    )
    .await;
    match r {
        Err(Error::OAuth { error, message }) => {
            assert_eq!(
                error, "invalid_client",
                "the OAuth error code is kept for the UI"
            );
            assert_eq!(
                message, "wrong client secret",
                "the server's description is shown"
            );
        }
        other => panic!("a non-invalid_grant OAuth error must be Error::OAuth, got {other:?}"),
    }
}

#[tokio::test]
async fn token_endpoint_redirect_is_refused_and_not_followed() {
    for status in [301, 302, 307, 308] {
        let server = server().await;
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("location", format!("{}/elsewhere", server.uri())),
            )
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(any())
            .and(path("/elsewhere"))
            .respond_with(ResponseTemplate::new(200).set_body_json(token_json("stolen", None)))
            .named("redirect target")
            .expect(0)
            .mount(&server)
            .await;
        let r = exchange_code(
            &http(),
            &config_for(&server.uri(), Some("s3cret")),
            AuthorizationCode::new("c"),
            PkceVerifier::new("v"),
            &ManualClock::new(t0()),
        )
        .await;
        match r {
            Err(Error::UnexpectedRedirect { status: s }) => {
                assert_eq!(s, status, "the redirect status is reported")
            }
            other => panic!("a {status} from the token endpoint must be an error, got {other:?}"),
        }
        let hits = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.url.path() == "/elsewhere")
            .count();
        assert_eq!(
            hits, 0,
            "a {status} must not be followed: it would re-send the code and secret"
        );
    }
}

#[tokio::test]
async fn malformed_token_response_is_decode_and_does_not_quote_tokens() {
    for body in [
        r#"{"access_token": "#,
        r#"{"access_token": 987654321}"#,
        "<html>ok</html>",
    ] {
        let server = server().await;
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .expect(1)
            .mount(&server)
            .await;
        let err = exchange_code(
            &http(),
            &config_for(&server.uri(), None),
            AuthorizationCode::new("c"),
            PkceVerifier::new("v"),
            &ManualClock::new(t0()),
        )
        .await
        .expect_err("a malformed 200 must not be accepted");
        assert_eq!(
            err.kind(),
            ErrorKind::Decode,
            "a malformed 200 is a decode error ({body})"
        );
        let shown = format!("{err:?} {err}");
        assert!(
            !shown.contains("987654321"),
            "a decode error of a token response must not quote values (they may be tokens): {shown}"
        );
    }
}

#[tokio::test]
async fn server_errors_and_odd_statuses_are_mapped() {
    let cases: [(ResponseTemplate, ErrorKind, &str); 3] = [
        (
            ResponseTemplate::new(503).set_body_string("down"),
            ErrorKind::Server,
            "a 5xx is a server failure, not a sign-out",
        ),
        (
            ResponseTemplate::new(400).set_body_string("<html>bad</html>"),
            ErrorKind::Api,
            "a non-OAuth 4xx body is an API refusal",
        ),
        (
            ResponseTemplate::new(200).set_body_raw("{}", "text/plain"),
            ErrorKind::Decode,
            "a 200 that is not JSON is a decode error",
        ),
    ];
    for (template, want, why) in cases {
        let server = server().await;
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(template)
            .expect(1)
            .mount(&server)
            .await;
        let r = refresh(
            &http(),
            &config_for(&server.uri(), None),
            &Secret::new("r"),
            &ManualClock::new(t0()),
        )
        .await;
        assert_eq!(kind_of(r), want, "{why}");
    }
}

#[tokio::test]
async fn connection_refused_is_network_and_slow_server_is_timeout() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let r = refresh(
        &http(),
        &config_for(&format!("http://127.0.0.1:{closed}"), None),
        &Secret::new("r"),
        &ManualClock::new(t0()),
    )
    .await;
    assert_eq!(
        kind_of(r),
        ErrorKind::Network,
        "a refused connection is a network error"
    );

    let server = server().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let impatient = build_http(&HttpConfig {
        request_timeout: Duration::from_millis(200),
        ..HttpConfig::default()
    })
    .unwrap();
    let r = refresh(
        &impatient,
        &config_for(&server.uri(), None),
        &Secret::new("r"),
        &ManualClock::new(t0()),
    )
    .await;
    assert_eq!(
        kind_of(r),
        ErrorKind::Timeout,
        "a request over the timeout is a timeout"
    );
}

#[tokio::test]
async fn refresh_sends_refresh_grant_and_rotates() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(token_json("new-access", Some("new-refresh"))),
        )
        .expect(1)
        .mount(&server)
        .await;
    let clock = ManualClock::new(t0());
    let tokens = refresh(
        &http(),
        &config_for(&server.uri(), Some("s3cret")),
        &Secret::new("old-refresh"),
        &clock,
    )
    .await
    .unwrap();
    assert_eq!(
        tokens.access_token.expose(),
        "new-access",
        "the new access token is used"
    );
    assert_eq!(
        tokens.refresh_token.as_ref().map(Secret::expose),
        Some("new-refresh"),
        "a rotated refresh token replaces the old one"
    );
    let form = form_of_only_request(&server).await;
    let get = |k: &str| form.get(k).map(String::as_str);
    assert_eq!(get("grant_type"), Some("refresh_token"), "refresh grant");
    assert_eq!(
        get("refresh_token"),
        Some("old-refresh"),
        "the current refresh token is sent"
    );
    assert_eq!(get("client_id"), Some("client-1"), "client ID in the body");
    assert_eq!(
        get("client_secret"),
        Some("s3cret"),
        "client secret in the body"
    );
}

#[tokio::test]
async fn refresh_without_new_refresh_token_keeps_the_old_one() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("new-access", None)))
        .expect(1)
        .mount(&server)
        .await;
    let tokens = refresh(
        &http(),
        &config_for(&server.uri(), None),
        &Secret::new("old-refresh"),
        &ManualClock::new(t0()),
    )
    .await
    .unwrap();
    assert_eq!(
        tokens.refresh_token.as_ref().map(Secret::expose),
        Some("old-refresh"),
        "without a rotated refresh token the old one stays usable"
    );
}

#[tokio::test]
async fn revoke_sends_bearer_and_accepts_204_and_200() {
    for status in [204, 200] {
        let server = server().await;
        Mock::given(method("POST"))
            .and(path("/api/v1/oauth2/revoke"))
            .and(header("authorization", "Bearer access-1"))
            .respond_with(ResponseTemplate::new(status))
            .expect(1)
            .mount(&server)
            .await;
        revoke(
            &http(),
            &config_for(&server.uri(), None),
            &Secret::new("access-1"),
        )
        .await
        .unwrap_or_else(|e| panic!("revoke answered {status} must succeed: {e}"));
    }
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/oauth2/revoke"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(serde_json::json!({"error": "invalid_token"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let r = revoke(
        &http(),
        &config_for(&server.uri(), None),
        &Secret::new("expired"),
    )
    .await;
    assert_eq!(
        kind_of(r),
        ErrorKind::Unauthorized,
        "a rejected token cannot be revoked"
    );
}

#[tokio::test]
async fn script_token_validation_uses_ping() {
    let cases = [
        (
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"token_valid": true})),
            None,
        ),
        (
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"token_valid": false})),
            Some(ErrorKind::Unauthorized),
        ),
        (
            ResponseTemplate::new(401).set_body_json(serde_json::json!({"error": "invalid_token"})),
            Some(ErrorKind::Unauthorized),
        ),
        (
            ResponseTemplate::new(200).set_body_string("nope"),
            Some(ErrorKind::Decode),
        ),
    ];
    for (template, want) in cases {
        let server = server().await;
        Mock::given(method("GET"))
            .and(path("/api/v1/ping"))
            .and(header("authorization", "Bearer 1234-script"))
            .respond_with(template)
            .expect(1)
            .mount(&server)
            .await;
        let base = Url::parse(&server.uri()).unwrap();
        let r = validate_script_token(&http(), &base, &Secret::new("1234-script")).await;
        assert_eq!(
            r.err().map(|e| e.kind()),
            want,
            "ping decides whether a pasted token is accepted"
        );
    }
}

#[tokio::test]
async fn script_token_validation_retries_a_busy_or_rate_limited_server() {
    let server = server().await;
    for status in [503, 429] {
        Mock::given(method("GET"))
            .and(path("/api/v1/ping"))
            .respond_with(ResponseTemplate::new(status).insert_header("retry-after", "0"))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/api/v1/ping"))
        .and(header("authorization", "Bearer 1234-script"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"token_valid": true})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let base = Url::parse(&server.uri()).unwrap();
    validate_script_token(&http(), &base, &Secret::new("1234-script"))
        .await
        .expect("a 503 and a 429 are transient: the check is retried like any other read");
}

#[tokio::test]
async fn script_token_validation_refuses_plain_http_to_another_machine() {
    let base = Url::parse("http://webapi.teamviewer.com").unwrap();
    assert_eq!(
        kind_of(validate_script_token(&http(), &base, &Secret::new("1234-script")).await),
        ErrorKind::InvalidInput,
        "the token must not be sent over plain http to a host that is not this machine"
    );
}

#[tokio::test]
async fn sign_in_flow_end_to_end_with_pkce() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("a", Some("r"))))
        .expect(1)
        .mount(&server)
        .await;
    let config = config_for(&server.uri(), None);
    let clock = Arc::new(ManualClock::new(t0()));
    let flow = SignInFlow::new(clock.clone());
    let authorize = flow.begin(&config).unwrap();
    let q: HashMap<String, String> = authorize.query_pairs().into_owned().collect();
    assert_eq!(
        authorize.path(),
        "/oauth2/authorize",
        "the sandbox serves the consent page on its origin"
    );

    // The browser comes back through the deep link.
    let mut callback = Url::parse("dev.supporterdesk:/oauth/callback").unwrap();
    callback
        .query_pairs_mut()
        .append_pair("code", "DvOVEpPq")
        .append_pair("state", &q["state"]);
    clock.advance(TimeDelta::seconds(30));
    let grant = flow.complete(callback.as_str()).unwrap();
    let tokens = exchange_code(&http(), &config, grant.code, grant.verifier, clock.as_ref())
        .await
        .unwrap();
    assert_eq!(
        tokens.access_token.expose(),
        "a",
        "the exchanged token is returned"
    );

    let form = form_of_only_request(&server).await;
    let challenge = oauth2::PkceCodeChallenge::from_code_verifier_sha256(
        &oauth2::PkceCodeVerifier::new(form["code_verifier"].clone()),
    );
    assert_eq!(
        challenge.as_str(),
        q["code_challenge"],
        "the verifier sent to the token endpoint must hash to the challenge in the authorize URL"
    );
    assert_eq!(
        q["redirect_uri"], form["redirect_uri"],
        "both legs must send the same redirect URI"
    );
}
