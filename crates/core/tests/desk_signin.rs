#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The desk's sign-in area against the TeamViewer simulator: the consent page (deep link and
//! loopback), the watcher, script tokens, the keyring flags.

mod common;

use common::*;

#[test]
fn sandbox_client_constants_match_the_simulator() {
    assert_eq!(
        SANDBOX_CLIENT_ID,
        sdesk_sandbox::DEFAULT_CLIENT_ID,
        "the desk signs in with the sandbox's default OAuth app"
    );
    assert_eq!(
        SANDBOX_CLIENT_SECRET,
        sdesk_sandbox::DEFAULT_CLIENT_SECRET,
        "and its secret"
    );
}

#[tokio::test]
async fn deep_link_sign_in_through_the_consent_page() {
    let sb = sandbox().await;
    let desk = sandbox_desk(&sb).await;
    let before = desk.status().await.unwrap();
    assert!(
        !before.signed_in && before.sandbox && before.oauth_configured,
        "sandbox mode starts signed out with the sandbox OAuth app: {before:?}"
    );

    let start = desk.begin_sign_in().await.unwrap();
    assert!(
        desk.status().await.unwrap().sign_in_pending,
        "begin leaves a sign-in pending"
    );
    let callback = consent(&start.authorize_url, "approve").await;
    assert!(
        callback.starts_with("dev.supporterdesk:/oauth/callback?"),
        "deep-link redirect by default: {}",
        sdesk_core::auth::redact_url(&callback)
    );

    let forged = callback.replace("state=", "state=x");
    assert!(
        matches!(
            desk.complete_sign_in(&forged).await,
            CallbackOutcome::Ignored(Error::CallbackRejected {
                reason: CallbackRejection::StateMismatch
            })
        ),
        "a forged state is ignored"
    );
    assert!(
        matches!(
            desk.complete_sign_in("dev.supporterdesk:not-a-callback")
                .await,
            CallbackOutcome::Ignored(_)
        ),
        "a malformed deep link is ignored"
    );
    assert!(
        desk.status().await.unwrap().sign_in_pending,
        "ignored callbacks must not end the real sign-in"
    );

    let status = match desk.complete_sign_in(&callback).await {
        CallbackOutcome::SignedIn(s) => s,
        other => panic!("the real callback signs in, got {other:?}"),
    };
    assert!(
        status.signed_in && !status.sign_in_pending,
        "signed in: {status:?}"
    );
    assert_eq!(
        status.kind,
        Some(sdesk_core::auth::TokenKind::OAuth),
        "OAuth sign-in"
    );
    assert!(
        !status.memory_only,
        "memoryOnly flags a failing keyring, not sandbox mode (the badge says Sandbox)"
    );
    let account = status.account.clone().expect("the account is read");
    assert!(
        account.userid.starts_with('u'),
        "a TeamViewer user id: {account:?}"
    );
    let json = serde_json::to_string(&status).unwrap();
    let code = callback
        .split("code=")
        .nth(1)
        .unwrap_or("")
        .split('&')
        .next()
        .unwrap_or("");
    assert!(
        !code.is_empty() && !json.contains(code),
        "the status never carries the code: {json}"
    );
    assert!(
        !json.to_lowercase().contains("token\":\"") && !json.contains("access"),
        "the status never carries a token: {json}"
    );

    assert!(
        matches!(
            desk.complete_sign_in(&callback).await,
            CallbackOutcome::Ignored(Error::CallbackRejected {
                reason: CallbackRejection::NotPending
            })
        ),
        "a replayed callback is ignored (nothing pending), not reported as a failure"
    );
    let out = desk.sign_out().await.unwrap();
    assert!(
        !out.signed_in && out.account.is_none(),
        "signed out: {out:?}"
    );
}

#[tokio::test]
async fn deny_ends_the_sign_in_as_a_failure() {
    let sb = sandbox().await;
    let desk = sandbox_desk(&sb).await;
    let start = desk.begin_sign_in().await.unwrap();
    let callback = consent(&start.authorize_url, "deny").await;
    assert!(
        matches!(
            desk.complete_sign_in(&callback).await,
            CallbackOutcome::Failed(Error::CallbackRejected {
                reason: CallbackRejection::Denied
            })
        ),
        "a denial with our state ends the sign-in and is reported"
    );
    assert!(
        !desk.status().await.unwrap().sign_in_pending,
        "nothing is pending after a denial"
    );
}

#[tokio::test]
async fn loopback_sign_in_is_served_by_the_watcher() {
    let port = free_port();
    let sb = sandbox_with(SandboxConfig {
        clients: vec![OAuthClient {
            redirect_uris: vec![format!("http://127.0.0.1:{port}/oauth/callback")],
            ..OAuthClient::default()
        }],
        ..SandboxConfig::default()
    })
    .await;
    let settings = Settings {
        redirect_mode: RedirectMode::Loopback,
        loopback_port: port,
        ..Settings::default()
    };
    let desk = Arc::new(Desk::new(options(&sb, settings)).await.unwrap());
    let start = desk.begin_sign_in().await.unwrap();
    let watcher = {
        let desk = Arc::clone(&desk);
        tokio::spawn(async move { desk.watch_sign_in(start.watch).await })
    };
    let callback = consent(&start.authorize_url, "approve").await;
    assert!(
        callback.starts_with(&format!("http://127.0.0.1:{port}/oauth/callback?")),
        "the loopback redirect"
    );
    // A stray request first: the listener must keep waiting for the real one.
    let stray = reqwest::get(format!(
        "http://127.0.0.1:{port}/oauth/callback?code=x&state=y"
    ))
    .await
    .unwrap();
    assert_eq!(stray.status(), 200, "the listener answers every callback");
    let page = reqwest::get(&callback).await.unwrap();
    assert_eq!(
        page.status(),
        200,
        "the browser gets the 'you can close this tab' page"
    );
    match tokio::time::timeout(Duration::from_secs(10), watcher).await {
        Ok(Ok(Some(CallbackOutcome::SignedIn(s)))) => {
            assert!(s.signed_in, "the loopback callback signed in")
        }
        other => panic!("the watcher must report the sign-in, got {other:?}"),
    }
}

#[tokio::test]
async fn the_watcher_reports_expiry_and_stops_on_cancel() {
    let sb = sandbox().await;
    let mut o = options(&sb, Settings::default());
    o.sign_in_window = Duration::from_millis(150);
    let desk = Desk::new(o).await.unwrap();

    let start = desk.begin_sign_in().await.unwrap();
    match desk.watch_sign_in(start.watch).await {
        Some(CallbackOutcome::Failed(Error::CallbackRejected {
            reason: CallbackRejection::Expired,
        })) => {}
        other => panic!("an unanswered sign-in expires, got {other:?}"),
    }
    assert!(
        !desk.status().await.unwrap().sign_in_pending,
        "an expired sign-in is no longer pending"
    );

    let start = desk.begin_sign_in().await.unwrap();
    assert!(desk.cancel_sign_in(), "a pending sign-in is cancelled");
    assert!(
        desk.watch_sign_in(start.watch).await.is_none(),
        "a cancelled sign-in's watcher ends silently"
    );
}

#[tokio::test]
async fn script_token_is_validated_before_it_is_stored() {
    let sb = sandbox().await;
    let desk = sandbox_desk(&sb).await;
    let bad = desk
        .sign_in_with_script_token(Secret::new("wrong"))
        .await
        .err()
        .map(|e| e.kind());
    assert_eq!(
        bad,
        Some(ErrorKind::Unauthorized),
        "an invalid token is refused by /ping"
    );
    assert_eq!(
        desk.sign_in_with_script_token(Secret::new("  "))
            .await
            .err()
            .map(|e| e.kind()),
        Some(ErrorKind::InvalidInput),
        "an empty token is refused without a request"
    );
    let ok = desk
        .sign_in_with_script_token(Secret::new(sb.script_token()))
        .await
        .unwrap();
    assert!(
        ok.signed_in && ok.kind == Some(sdesk_core::auth::TokenKind::Script),
        "signed in with the script token: {ok:?}"
    );
    assert!(ok.account.is_some(), "the account is shown");
}

#[tokio::test]
async fn memory_only_is_flagged_when_the_keyring_was_unavailable() {
    let sb = sandbox().await;
    let settings = Settings {
        mode: Mode::Teamviewer,
        client_id: "some-client".into(),
        api_url: sb.base_url().to_string(),
        login_url: sb.base_url().to_string(),
        ..Settings::default()
    };
    let mut o = options(&sb, settings);
    o.store = Arc::new(MemoryStore::fallback());
    let desk = Desk::new(o).await.unwrap();
    let status = desk
        .sign_in_with_script_token(Secret::new(sb.script_token()))
        .await
        .unwrap();
    assert!(
        status.memory_only && !status.keyring_available,
        "a sign-in kept in the memory fallback store is flagged: {status:?}"
    );
}
