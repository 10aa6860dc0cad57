#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The signed-in session against a mock token endpoint: single-flight refresh, persistence
//! before use, proactive refresh, what signs the user out and what does not.

use chrono::{DateTime, TimeDelta, Utc};
use sdesk_core::auth::{
    api_origin_of, AuthSession, AuthorizationCode, AuthorizationGrant, MemoryStore, OAuthConfig,
    PkceVerifier, RedirectUri, TokenKind, TokenSet, TokenStore,
};
use sdesk_core::client::{build_http, HttpConfig, TokenSource};
use sdesk_core::clock::{Clock, ManualClock};
use sdesk_core::{Error, ErrorKind, Result, Secret};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use url::Url;
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN_PATH: &str = "/api/v1/oauth2/token";
const REVOKE_PATH: &str = "/api/v1/oauth2/revoke";

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn config_for(base: &str) -> OAuthConfig {
    let base = Url::parse(base).unwrap();
    OAuthConfig::for_api(
        &base,
        &base,
        "client-1",
        Some(Secret::new("s3cret")),
        RedirectUri::default(),
    )
    .unwrap()
}

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

fn oauth_tokens(access: &str, refresh: &str, expires_at: DateTime<Utc>) -> TokenSet {
    TokenSet {
        access_token: Secret::new(access),
        refresh_token: Some(Secret::new(refresh)),
        expires_at: Some(expires_at),
        kind: TokenKind::OAuth,
        api_origin: None,
    }
}

/// The origin of a mock server's URI, as a session for it records it.
fn origin(base: &str) -> String {
    api_origin_of(&Url::parse(base).unwrap())
}

struct Fixture {
    session: Arc<AuthSession>,
    store: Arc<MemoryStore>,
    clock: Arc<ManualClock>,
}

fn fixture(base: &str, stored: Option<TokenSet>) -> Fixture {
    // Tokens stored by a session for this API carry its origin.
    let store = Arc::new(match stored {
        Some(t) if t.api_origin.is_none() => MemoryStore::with_tokens(t.for_origin(origin(base))),
        Some(t) => MemoryStore::with_tokens(t),
        None => MemoryStore::new(),
    });
    let clock = Arc::new(ManualClock::new(t0()));
    let session = Arc::new(AuthSession::new(
        store.clone(),
        Some(config_for(base)),
        build_http(&HttpConfig::default()).unwrap(),
        clock.clone(),
    ));
    Fixture {
        session,
        store,
        clock,
    }
}

fn token_response(access: &str, refresh: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "access_token": access, "token_type": "bearer", "expires_in": 86400, "refresh_token": refresh
    }))
}

fn stored_access(store: &MemoryStore) -> Option<String> {
    store
        .load()
        .unwrap()
        .map(|t| t.access_token.expose().to_owned())
}

#[tokio::test]
async fn nothing_stored_means_not_signed_in() {
    let server = server().await;
    let f = fixture(&server.uri(), None);
    assert_eq!(
        f.session.access_token().await.err().map(|e| e.kind()),
        Some(ErrorKind::NotSignedIn),
        "without stored tokens there is nothing to send"
    );
    let status = f.session.status().await.unwrap();
    assert!(!status.signed_in, "status must say signed out");
    assert_eq!(status.kind, None, "no kind when signed out");
}

#[tokio::test]
async fn stored_tokens_are_used_without_network() {
    let server = server().await;
    let f = fixture(
        &server.uri(),
        Some(oauth_tokens("a1", "r1", t0() + TimeDelta::hours(2))),
    );
    assert_eq!(
        f.session.access_token().await.unwrap().expose(),
        "a1",
        "a fresh stored token is used as is"
    );
    let status = f.session.status().await.unwrap();
    assert!(
        status.signed_in && !status.memory_only,
        "tokens from the keyring mean signed in, persisted"
    );
    let json = serde_json::to_value(&status).unwrap();
    assert_eq!(json["signedIn"], true, "the UI DTO is camelCase");
    assert_eq!(
        json["kind"], "oauth",
        "the token kind is serialised in lower case"
    );
    assert!(
        json.get("expiresAt").is_some() && json.get("memoryOnly").is_some(),
        "camelCase fields for the UI"
    );
    assert!(
        !json.to_string().contains("a1"),
        "the status DTO must never carry a token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_401s_share_one_refresh_and_persist_first() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_response("a2", "r2").set_delay(Duration::from_millis(300)))
        .expect(1)
        .mount(&server)
        .await;
    let f = fixture(
        &server.uri(),
        Some(oauth_tokens("a1", "r1", t0() + TimeDelta::hours(2))),
    );
    let rejected = Secret::new("a1");
    let mut handles = Vec::new();
    for _ in 0..5 {
        let session = f.session.clone();
        let rejected = rejected.clone();
        handles.push(tokio::spawn(async move {
            session.refresh_after_unauthorized(&rejected).await
        }));
    }
    for h in handles {
        let token = h.await.unwrap().unwrap();
        assert_eq!(
            token.expose(),
            "a2",
            "every caller gets the one refreshed token"
        );
    }
    assert_eq!(
        stored_access(&f.store).as_deref(),
        Some("a2"),
        "the new token is persisted"
    );
    assert_eq!(
        f.store
            .load()
            .unwrap()
            .unwrap()
            .refresh_token
            .unwrap()
            .expose(),
        "r2",
        "the rotated refresh token is persisted, or the next refresh would fail"
    );
    // The mock's expect(1) is verified when the server is dropped.
}

#[tokio::test]
async fn two_joined_refreshes_make_one_request() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_response("a2", "r2").set_delay(Duration::from_millis(100)))
        .expect(1)
        .mount(&server)
        .await;
    let f = fixture(
        &server.uri(),
        Some(oauth_tokens("a1", "r1", t0() + TimeDelta::hours(2))),
    );
    let rejected = Secret::new("a1");
    let (a, b) = tokio::join!(
        f.session.refresh_after_unauthorized(&rejected),
        f.session.refresh_after_unauthorized(&rejected)
    );
    assert_eq!(
        a.unwrap().expose(),
        "a2",
        "the first caller gets the new token"
    );
    assert_eq!(
        b.unwrap().expose(),
        "a2",
        "the second caller gets the same token without a request"
    );
    assert_eq!(
        stored_access(&f.store).as_deref(),
        Some("a2"),
        "already persisted when returned"
    );
}

#[tokio::test]
async fn refresh_network_error_keeps_the_user_signed_in() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let f = fixture(
        &format!("http://127.0.0.1:{closed}"),
        Some(oauth_tokens("a1", "r1", t0() + TimeDelta::hours(2))),
    );
    let r = f
        .session
        .refresh_after_unauthorized(&Secret::new("a1"))
        .await;
    assert_eq!(
        r.err().map(|e| e.kind()),
        Some(ErrorKind::Network),
        "the network error is reported"
    );
    assert_eq!(
        stored_access(&f.store).as_deref(),
        Some("a1"),
        "a network error must not delete the tokens"
    );
    assert!(
        f.session.status().await.unwrap().signed_in,
        "the user stays signed in"
    );
}

#[tokio::test]
async fn refresh_server_error_keeps_the_user_signed_in() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let f = fixture(
        &server.uri(),
        Some(oauth_tokens("a1", "r1", t0() + TimeDelta::hours(2))),
    );
    let r = f
        .session
        .refresh_after_unauthorized(&Secret::new("a1"))
        .await;
    assert_eq!(
        r.err().map(|e| e.kind()),
        Some(ErrorKind::Server),
        "a 5xx is reported as a server failure"
    );
    assert_eq!(
        stored_access(&f.store).as_deref(),
        Some("a1"),
        "a server failure must not delete the tokens"
    );
}

#[tokio::test]
async fn invalid_grant_on_refresh_clears_the_store() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(serde_json::json!({"error": "invalid_grant"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let f = fixture(
        &server.uri(),
        Some(oauth_tokens("a1", "r1", t0() + TimeDelta::hours(2))),
    );
    let r = f
        .session
        .refresh_after_unauthorized(&Secret::new("a1"))
        .await;
    assert_eq!(
        r.err().map(|e| e.kind()),
        Some(ErrorKind::SessionExpired),
        "a rejected refresh token ends the session"
    );
    assert!(
        f.store.load().unwrap().is_none(),
        "the dead tokens are removed from the store"
    );
    assert!(
        !f.session.status().await.unwrap().signed_in,
        "the session reports signed out"
    );
    assert_eq!(
        f.session.access_token().await.err().map(|e| e.kind()),
        Some(ErrorKind::NotSignedIn),
        "after SessionExpired there is no token to use"
    );
}

#[tokio::test]
async fn proactive_refresh_when_near_expiry() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_response("a2", "r2"))
        .expect(1)
        .mount(&server)
        .await;
    let f = fixture(
        &server.uri(),
        Some(oauth_tokens("a1", "r1", t0() + TimeDelta::hours(1))),
    );
    assert_eq!(
        f.session.access_token().await.unwrap().expose(),
        "a1",
        "an hour before expiry nothing is refreshed"
    );
    f.clock.advance(TimeDelta::minutes(56));
    assert_eq!(
        f.session.access_token().await.unwrap().expose(),
        "a2",
        "within 5 minutes of expiry the token is refreshed first"
    );
    assert_eq!(
        f.session.access_token().await.unwrap().expose(),
        "a2",
        "the refreshed token is reused, not refreshed again"
    );
    let stored = f.store.load().unwrap().unwrap();
    assert_eq!(
        stored.access_token.expose(),
        "a2",
        "the refreshed token is persisted"
    );
    assert_eq!(
        stored.expires_at,
        Some(f.clock.now() + TimeDelta::seconds(86400)),
        "the new expiry is computed from the injected clock"
    );
}

#[tokio::test]
async fn failed_proactive_refresh_uses_the_still_valid_token() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(502))
        .expect(1)
        .mount(&server)
        .await;
    let f = fixture(
        &server.uri(),
        Some(oauth_tokens("a1", "r1", t0() + TimeDelta::minutes(3))),
    );
    assert_eq!(
        f.session.access_token().await.unwrap().expose(),
        "a1",
        "a token with 3 minutes left is better than an error while the server hiccups"
    );
}

#[tokio::test]
async fn tokens_rotated_by_another_process_are_adopted_without_a_request() {
    let server = server().await;
    let f = fixture(
        &server.uri(),
        Some(oauth_tokens("a1", "r1", t0() + TimeDelta::hours(2))),
    );
    assert_eq!(
        f.session.access_token().await.unwrap().expose(),
        "a1",
        "loaded once"
    );
    // The CLI (another process) refreshes and writes the shared keyring entry.
    f.store
        .save(
            &oauth_tokens("a9", "r9", t0() + TimeDelta::hours(24))
                .for_origin(origin(&server.uri())),
        )
        .unwrap();
    let token = f
        .session
        .refresh_after_unauthorized(&Secret::new("a1"))
        .await
        .unwrap();
    assert_eq!(
        token.expose(),
        "a9",
        "the newer stored token is used instead of refreshing with a stale refresh token"
    );
}

#[tokio::test]
async fn script_tokens_are_never_refreshed() {
    let server = server().await;
    let f = fixture(&server.uri(), None);
    f.session
        .sign_in_with_script_token(Secret::new("  1234-script  "))
        .await
        .unwrap();
    assert_eq!(
        f.session.access_token().await.unwrap().expose(),
        "1234-script",
        "the pasted token is trimmed and used"
    );
    assert_eq!(
        f.store.load().unwrap().unwrap().kind,
        TokenKind::Script,
        "the kind is stored with the token"
    );
    let r = f
        .session
        .refresh_after_unauthorized(&Secret::new("1234-script"))
        .await;
    assert_eq!(
        r.err().map(|e| e.kind()),
        Some(ErrorKind::Unauthorized),
        "a rejected script token cannot be refreshed"
    );
    assert!(
        f.store.load().unwrap().is_some(),
        "a 401 alone does not delete a script token"
    );
    assert!(
        f.session
            .sign_in_with_script_token(Secret::new("   "))
            .await
            .is_err(),
        "an empty script token is refused before anything is stored"
    );
}

#[tokio::test]
async fn sign_out_revokes_and_clears() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(REVOKE_PATH))
        .and(header("authorization", "Bearer a1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let f = fixture(
        &server.uri(),
        Some(oauth_tokens("a1", "r1", t0() + TimeDelta::hours(2))),
    );
    f.session.sign_out().await.unwrap();
    assert!(
        f.store.load().unwrap().is_none(),
        "sign-out clears the store"
    );
    assert!(
        !f.session.status().await.unwrap().signed_in,
        "sign-out clears memory"
    );
}

#[tokio::test]
async fn sign_out_still_clears_when_revoke_fails() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(REVOKE_PATH))
        .respond_with(ResponseTemplate::new(500))
        .expect(1)
        .mount(&server)
        .await;
    let f = fixture(
        &server.uri(),
        Some(oauth_tokens("a1", "r1", t0() + TimeDelta::hours(2))),
    );
    f.session.sign_out().await.unwrap();
    assert!(
        f.store.load().unwrap().is_none(),
        "a failed revoke must not keep the user signed in"
    );
}

#[tokio::test]
async fn sign_out_of_a_script_token_does_not_revoke_it() {
    let server = server().await; // any revoke request would hit the failing catch-all
    let f = fixture(
        &server.uri(),
        Some(TokenSet::script(Secret::new("1234-script"))),
    );
    f.session.sign_out().await.unwrap();
    assert!(
        f.store.load().unwrap().is_none(),
        "the script token is forgotten locally"
    );
}

#[tokio::test]
async fn sign_in_with_grant_exchanges_and_stores() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_response("a1", "r1"))
        .expect(1)
        .mount(&server)
        .await;
    let f = fixture(&server.uri(), None);
    let grant = AuthorizationGrant {
        code: AuthorizationCode::new("c"),
        verifier: PkceVerifier::new("v"),
        redirect_uri: RedirectUri::default(),
    };
    f.session.sign_in_with_grant(grant).await.unwrap();
    assert_eq!(
        stored_access(&f.store).as_deref(),
        Some("a1"),
        "the exchanged tokens are stored"
    );
    let status = f.session.status().await.unwrap();
    assert_eq!(status.kind, Some(TokenKind::OAuth), "signed in with OAuth");

    let moved = AuthorizationGrant {
        code: AuthorizationCode::new("c"),
        verifier: PkceVerifier::new("v"),
        redirect_uri: RedirectUri::loopback(1),
    };
    assert_eq!(
        f.session
            .sign_in_with_grant(moved)
            .await
            .err()
            .map(|e| e.kind()),
        Some(ErrorKind::Config),
        "a grant started with another redirect URI cannot be exchanged with this one"
    );
}

/// A store whose saves fail in a chosen way; loads see what the inner store holds.
#[derive(Debug)]
struct FailingSaves {
    inner: MemoryStore,
    unavailable: bool,
    saves: AtomicUsize,
}

impl TokenStore for FailingSaves {
    fn load(&self) -> Result<Option<TokenSet>> {
        self.inner.load()
    }
    fn save(&self, _tokens: &TokenSet) -> Result<()> {
        self.saves.fetch_add(1, Ordering::SeqCst);
        Err(if self.unavailable {
            Error::KeyringUnavailable {
                message: "locked".into(),
            }
        } else {
            Error::Keyring {
                message: "ambiguous".into(),
            }
        })
    }
    fn clear(&self) -> Result<()> {
        self.inner.clear()
    }
    fn load_secret(&self, name: &str) -> Result<Option<Secret>> {
        self.inner.load_secret(name)
    }
    fn save_secret(&self, name: &str, value: &Secret) -> Result<()> {
        self.inner.save_secret(name, value)
    }
    fn delete_secret(&self, name: &str) -> Result<()> {
        self.inner.delete_secret(name)
    }
}

fn session_over(store: Arc<FailingSaves>, base: &str) -> AuthSession {
    AuthSession::new(
        store,
        Some(config_for(base)),
        build_http(&HttpConfig::default()).unwrap(),
        Arc::new(ManualClock::new(t0())),
    )
}

#[tokio::test]
async fn unavailable_keyring_keeps_the_session_in_memory() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_response("a2", "r2"))
        .expect(1)
        .mount(&server)
        .await;
    let store = Arc::new(FailingSaves {
        inner: MemoryStore::new(),
        unavailable: true,
        saves: AtomicUsize::new(0),
    });
    let session = session_over(store.clone(), &server.uri());
    session
        .complete_sign_in(oauth_tokens("a1", "r1", t0() + TimeDelta::hours(2)))
        .await
        .expect("a locked keyring must not block the sign-in");
    let status = session.status().await.unwrap();
    assert!(
        status.signed_in && status.memory_only,
        "the UI must be told the sign-in is memory-only"
    );
    assert_eq!(
        session.access_token().await.unwrap().expose(),
        "a1",
        "the in-memory token is used"
    );
    let refreshed = session
        .refresh_after_unauthorized(&Secret::new("a1"))
        .await
        .unwrap();
    assert_eq!(
        refreshed.expose(),
        "a2",
        "a refresh works in a memory-only session"
    );
    assert_eq!(
        store.saves.load(Ordering::SeqCst),
        2,
        "every new token set was offered to the keyring first"
    );
}

#[tokio::test]
async fn other_store_errors_fail_the_sign_in() {
    let server = server().await;
    let store = Arc::new(FailingSaves {
        inner: MemoryStore::new(),
        unavailable: false,
        saves: AtomicUsize::new(0),
    });
    let session = session_over(store, &server.uri());
    let r = session
        .complete_sign_in(oauth_tokens("a1", "r1", t0() + TimeDelta::hours(2)))
        .await;
    assert_eq!(
        r.err().map(|e| e.kind()),
        Some(ErrorKind::Keyring),
        "a keyring failure other than 'unavailable' is reported"
    );
}

#[tokio::test]
async fn session_without_oauth_config_uses_tokens_until_rejected() {
    let store = Arc::new(MemoryStore::with_tokens(oauth_tokens(
        "a1",
        "r1",
        t0() - TimeDelta::minutes(1),
    )));
    let session = AuthSession::new(
        store,
        None,
        build_http(&HttpConfig::default()).unwrap(),
        Arc::new(ManualClock::new(t0())),
    );
    assert_eq!(
        session.access_token().await.unwrap().expose(),
        "a1",
        "the CLI without OAuth config still tries the stored token"
    );
    assert_eq!(
        session
            .refresh_after_unauthorized(&Secret::new("a1"))
            .await
            .err()
            .map(|e| e.kind()),
        Some(ErrorKind::Unauthorized),
        "without OAuth config a rejected token cannot be refreshed"
    );
}

#[tokio::test]
async fn tokens_of_another_api_origin_are_never_sent_refreshed_or_revoked() {
    // Any request at all would hit the catch-all, whose expect(0) fails the test on drop.
    let server = server().await;
    let teamviewer = "https://webapi.teamviewer.com";
    let f = fixture(
        &server.uri(),
        Some(oauth_tokens("a1", "r1", t0() + TimeDelta::minutes(1)).for_origin(teamviewer)),
    );
    let err = f
        .session
        .access_token()
        .await
        .expect_err("a TeamViewer token must not be handed to a client for another server");
    assert_eq!(
        err.kind(),
        ErrorKind::NotSignedIn,
        "the remedy is to sign in (for this API): {err}"
    );
    let text = err.to_string();
    assert!(
        text.contains(teamviewer) && text.contains(&origin(&server.uri())),
        "the message says where the sign-in belongs and where it was asked for: {text}"
    );
    assert_eq!(
        f.session
            .refresh_after_unauthorized(&Secret::new("a1"))
            .await
            .err()
            .map(|e| e.kind()),
        Some(ErrorKind::NotSignedIn),
        "the refresh token must not go to another origin's token endpoint either"
    );
    let status = f.session.status().await.unwrap();
    assert!(
        !status.signed_in,
        "tokens for another API do not count as signed in here"
    );
    assert_eq!(
        status.api_origin.as_deref(),
        Some(teamviewer),
        "the status names where the stored sign-in belongs"
    );
    f.session.sign_out().await.unwrap();
    assert!(
        f.store.load().unwrap().is_none(),
        "signing out forgets them (without revoking them at the wrong server)"
    );
}

#[tokio::test]
async fn legacy_tokens_without_an_origin_belong_to_teamviewer() {
    let server = server().await;
    let legacy = TokenSet::script(Secret::new("1234-script"));
    assert_eq!(legacy.api_origin, None, "what old versions stored");
    let store = Arc::new(MemoryStore::with_tokens(legacy));
    let http = build_http(&HttpConfig::default()).unwrap();
    let clock = Arc::new(ManualClock::new(t0()));
    let local = AuthSession::new(store.clone(), None, http.clone(), clock.clone())
        .with_api_base(&Url::parse(&server.uri()).unwrap());
    assert_eq!(
        local.access_token().await.err().map(|e| e.kind()),
        Some(ErrorKind::NotSignedIn),
        "an origin-less token must not be sent to a server other than TeamViewer"
    );
    let teamviewer = AuthSession::new(store, None, http, clock);
    assert_eq!(
        teamviewer.api_origin(),
        "https://webapi.teamviewer.com",
        "a session without API base or OAuth config is for TeamViewer"
    );
    assert_eq!(
        teamviewer.access_token().await.unwrap().expose(),
        "1234-script",
        "old TeamViewer sign-ins keep working"
    );
}

#[tokio::test]
async fn new_tokens_are_stored_with_the_session_origin() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_response("a2", "r2"))
        .expect(1)
        .mount(&server)
        .await;
    let f = fixture(
        &server.uri(),
        Some(oauth_tokens("a1", "r1", t0() + TimeDelta::hours(2))),
    );
    f.session
        .refresh_after_unauthorized(&Secret::new("a1"))
        .await
        .unwrap();
    assert_eq!(
        f.store.load().unwrap().unwrap().api_origin,
        Some(origin(&server.uri())),
        "refreshed tokens are stored with the API origin they came from"
    );
    let store = Arc::new(MemoryStore::new());
    let session = AuthSession::new(
        store.clone(),
        None,
        build_http(&HttpConfig::default()).unwrap(),
        Arc::new(ManualClock::new(t0())),
    )
    .with_api_base(&Url::parse("http://127.0.0.1:4567/api/v1/").unwrap());
    session
        .sign_in_with_script_token(Secret::new("1234-script"))
        .await
        .unwrap();
    assert_eq!(
        store.load().unwrap().unwrap().api_origin.as_deref(),
        Some("http://127.0.0.1:4567"),
        "a script token is stored with the origin it was validated against"
    );
}
