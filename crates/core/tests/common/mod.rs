//! Helpers shared by the desk's integration tests (`desk_*.rs`, one file per area): a sandbox,
//! fast retries, desk options, a signed-in desk, the consent page played as a browser. Each test
//! crate uses some of them.
// A prelude too: each test crate uses part of these re-exports and helpers.
#![allow(dead_code, unused_imports, clippy::unwrap_used, clippy::expect_used)]

pub use sdesk_core::auth::{MemoryStore, TokenStore, CLIENT_SECRET_NAME};
pub use sdesk_core::client::RetryPolicy;
pub use sdesk_core::desk::{
    ApiWaitEvent, ApiWaitReason, CallbackOutcome, Desk, DeskOptions, ExportFormat, ExportOptions,
    LinkKind, LogQuery, LogView, Mode, NewSessionForm, RedirectMode, SessionListState, Settings,
    SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET,
};
pub use sdesk_core::error::CallbackRejection;
pub use sdesk_core::logs::{Column, ColumnFilter, FetchProgress};
pub use sdesk_core::{Error, ErrorKind, Secret};
pub use sdesk_sandbox::{Faults, OAuthClient, Sandbox, SandboxConfig};
pub use serde_json::json;
pub use std::sync::Arc;
pub use std::time::Duration;
pub use wiremock::matchers::{method, path};
pub use wiremock::{Mock, MockServer, ResponseTemplate};

pub async fn sandbox_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config, ([127, 0, 0, 1], 0).into())
        .await
        .unwrap()
}

pub async fn sandbox() -> Sandbox {
    sandbox_with(SandboxConfig::default()).await
}

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(2),
        rate_limit_delay: Duration::from_millis(5),
        rate_limit_max_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

pub fn options(sb: &Sandbox, settings: Settings) -> DeskOptions {
    let mut o = DeskOptions::new(settings, Arc::new(MemoryStore::new()));
    o.sandbox_origin = Some(sb.base_url());
    o.retry = fast_retry();
    o
}

pub async fn sandbox_desk(sb: &Sandbox) -> Desk {
    Desk::new(options(sb, Settings::default())).await.unwrap()
}

/// Plays the browser: opens the authorize URL, presses a button, returns the redirect target.
pub async fn consent(authorize: &url::Url, decision: &str) -> String {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let html = browser
        .get(authorize.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"request\" value=\"";
    let start = html
        .find(marker)
        .expect("the consent form has a request id")
        + marker.len();
    let request = &html[start..start + html[start..].find('"').unwrap()];
    let resp = browser
        .post(authorize.join(sdesk_sandbox::DECISION_PATH).unwrap())
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

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub async fn signed_in(sb: &Sandbox, settings: Settings) -> Desk {
    let desk = Desk::new(options(sb, settings)).await.unwrap();
    desk.sign_in_with_script_token(Secret::new(sb.script_token()))
        .await
        .unwrap();
    desk
}

/// A desk in TeamViewer mode on the mock `server`, signed in with a script token (`/ping` is
/// mounted here), with fast retries and without the background session list, whose own
/// requests would disturb tests that count what reaches the mock.
pub async fn signed_in_on_mock(server: &MockServer) -> Desk {
    Mock::given(method("GET"))
        .and(path("/api/v1/ping"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "token_valid": true })))
        .mount(server)
        .await;
    let settings = Settings {
        mode: Mode::Teamviewer,
        client_id: "some-client".into(),
        api_url: server.uri(),
        login_url: server.uri(),
        ..Settings::default()
    };
    let mut options = DeskOptions::new(settings, Arc::new(MemoryStore::new()));
    options.retry = fast_retry();
    options.live = None;
    let desk = Desk::new(options).await.unwrap();
    desk.sign_in_with_script_token(Secret::new("script-token"))
        .await
        .unwrap();
    desk
}

/// The error kind with which the desk refuses `kind` link of session `code`, `None` when it gives
/// the link (closed and expired sessions are refused with `invalid_input`).
pub fn link_refusal(desk: &Desk, code: &str, kind: LinkKind) -> Option<ErrorKind> {
    desk.link_for(code, kind).err().map(|e| e.kind())
}
