#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Where the app may send tokens: the settings refuse plain `http` to another machine before
//! anything is saved, and a sign-in stored for one API origin is never sent to another.

use sdesk_core::auth::{MemoryStore, TokenSet, TokenStore};
use sdesk_core::desk::{Desk, DeskOptions, Mode, Settings};
use sdesk_core::{ErrorKind, Secret};
use std::sync::Arc;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn teamviewer_settings(api: &str) -> Settings {
    Settings {
        mode: Mode::Teamviewer,
        client_id: "client-1".into(),
        api_url: api.into(),
        login_url: api.into(),
        ..Settings::default()
    }
}

/// A server that fails the test (on drop) if it receives any request.
async fn untouchable() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(599))
        .named("no request may reach this server")
        .expect(0)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn settings_with_plain_http_to_another_machine_are_refused_and_not_saved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let mut options = DeskOptions::new(Settings::default(), Arc::new(MemoryStore::new()));
    options.settings_path = Some(path.clone());
    let desk = Desk::new(options).await.unwrap();
    for (field, settings) in [
        (
            "API URL",
            Settings {
                api_url: "http://webapi.teamviewer.com".into(),
                ..teamviewer_settings("https://webapi.teamviewer.com")
            },
        ),
        (
            "login URL",
            Settings {
                login_url: "http://login.teamviewer.com".into(),
                ..teamviewer_settings("https://webapi.teamviewer.com")
            },
        ),
    ] {
        let err = desk
            .apply_settings(settings, None)
            .await
            .expect_err("a token must never travel over plain http to another machine");
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert!(
            err.to_string().starts_with(field) && err.to_string().contains("https"),
            "the error names the field and what to use instead: {err}"
        );
        assert!(
            !path.exists(),
            "a refused URL must not reach the settings file (the next start would use it)"
        );
    }
    desk.apply_settings(teamviewer_settings("http://127.0.0.1:9"), None)
        .await
        .expect("plain http is fine for a server on this machine");
}

#[tokio::test]
async fn a_teamviewer_sign_in_is_not_sent_to_another_api() {
    let server = untouchable().await;
    // What an earlier version stored for TeamViewer (no origin recorded).
    let store = Arc::new(MemoryStore::with_tokens(TokenSet::script(Secret::new(
        "1234-teamviewer-token",
    ))));
    let desk = Desk::new(DeskOptions::new(
        teamviewer_settings(&server.uri()),
        store.clone(),
    ))
    .await
    .unwrap();
    let status = desk.status().await.unwrap();
    assert!(
        !status.signed_in,
        "a TeamViewer sign-in does not count for another API"
    );
    let err = desk
        .groups()
        .await
        .expect_err("nothing may be sent with another origin's token");
    assert_eq!(
        err.kind(),
        ErrorKind::NotSignedIn,
        "the user is asked to sign in again: {err}"
    );
    assert!(
        err.to_string().contains("https://webapi.teamviewer.com"),
        "the message says where the stored sign-in belongs: {err}"
    );
    assert!(
        store.load().unwrap().is_some(),
        "the TeamViewer sign-in itself is kept for when the setting is switched back"
    );
}
