#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Sign-in truth: a rejection that a refresh cannot fix, noticed by any path (the live list in
//! the background, a user action), signs the desk out, says "sign in again" in the status and
//! tells subscribers once (the app emits `auth-changed` from that notice).

mod common;

use common::*;
use tokio::sync::broadcast::Receiver;

async fn lost(rx: &mut Receiver<ErrorKind>) -> ErrorKind {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("the lost sign-in is reported without any user action")
        .unwrap()
}

#[tokio::test]
async fn a_token_revoked_behind_the_live_list_signs_out_and_says_sign_in_again() {
    let sb = sandbox().await;
    let store = Arc::new(MemoryStore::new());
    store
        .save_secret(CLIENT_SECRET_NAME, &Secret::new(SANDBOX_CLIENT_SECRET))
        .unwrap();
    let settings = Settings {
        mode: Mode::Teamviewer,
        client_id: SANDBOX_CLIENT_ID.into(),
        api_url: sb.base_url().to_string(),
        login_url: sb.base_url().to_string(),
        ..Settings::default()
    };
    let mut options = DeskOptions::new(settings, store.clone());
    options.retry = fast_retry();
    let desk = Desk::new(options).await.unwrap();
    let start = desk.begin_sign_in().await.unwrap();
    let callback = consent(&start.authorize_url, "approve").await;
    assert!(
        matches!(
            desk.complete_sign_in(&callback).await,
            CallbackOutcome::SignedIn(_)
        ),
        "signed in through the consent page"
    );
    assert!(desk.live_running(), "the sign-in starts the live list");
    let mut auth = desk.subscribe_auth_lost();

    // Revoke the access token (and its refresh token) at the server, as an admin would.
    let access = store.load().unwrap().expect("tokens stored").access_token;
    let revoked = reqwest::Client::new()
        .post(sb.base_url().join("api/v1/oauth2/revoke").unwrap())
        .bearer_auth(access.expose())
        .send()
        .await
        .unwrap();
    assert!(
        revoked.status().is_success(),
        "the sandbox revoked the token"
    );

    // Only the background list notices: no user action after this point.
    desk.refresh_live();
    let kind = lost(&mut auth).await;
    assert!(
        matches!(
            kind,
            ErrorKind::Unauthorized | ErrorKind::SessionExpired | ErrorKind::NotSignedIn
        ),
        "the notice names the rejection: {kind:?}"
    );
    let status = desk.status().await.unwrap();
    assert!(
        !status.signed_in && status.sign_in_again && status.account.is_none(),
        "the desk is signed out and asks to sign in again: {status:?}"
    );
    assert!(
        store.load().unwrap().is_none(),
        "the rejected tokens are gone from the store"
    );
    assert!(!desk.live_running(), "no polling while signed out");

    // A new sign-in clears "sign in again".
    let start = desk.begin_sign_in().await.unwrap();
    let callback = consent(&start.authorize_url, "approve").await;
    let status = match desk.complete_sign_in(&callback).await {
        CallbackOutcome::SignedIn(status) => status,
        other => panic!("signed in again: {other:?}"),
    };
    assert!(
        status.signed_in && !status.sign_in_again,
        "signed in again, no stale prompt: {status:?}"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_401_to_a_user_action_signs_out_once() {
    let server = MockServer::start().await;
    let desk = signed_in_on_mock(&server).await;
    let mut auth = desk.subscribe_auth_lost();
    Mock::given(method("GET"))
        .and(path("/api/v1/groups"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "invalid_token", "error_description": "token revoked", "error_code": 1
        })))
        .mount(&server)
        .await;
    let err = desk.groups().await.unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Unauthorized,
        "the action fails: {err}"
    );
    assert_eq!(
        lost(&mut auth).await,
        ErrorKind::Unauthorized,
        "a user action's 401 (script token: no refresh can fix it) is a lost sign-in"
    );
    let status = desk.status().await.unwrap();
    assert!(
        !status.signed_in && status.sign_in_again,
        "signed out, sign in again: {status:?}"
    );
    // A second failing call does not report the loss again.
    let again = desk.groups().await.unwrap_err();
    assert_eq!(
        again.kind(),
        ErrorKind::NotSignedIn,
        "now simply signed out: {again}"
    );
    assert!(
        matches!(
            auth.try_recv(),
            Err(tokio::sync::broadcast::error::TryRecvError::Empty)
        ),
        "the loss is reported once"
    );
    // Signing out clears the prompt.
    let status = desk.sign_out().await.unwrap();
    assert!(!status.sign_in_again, "a sign-out clears it: {status:?}");
}

#[tokio::test]
async fn a_refused_script_token_before_sign_in_is_not_a_lost_sign_in() {
    let sb = sandbox().await;
    let desk = sandbox_desk(&sb).await;
    let mut auth = desk.subscribe_auth_lost();
    let err = desk
        .sign_in_with_script_token(Secret::new("wrong"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err}");
    let status = desk.status().await.unwrap();
    assert!(
        !status.sign_in_again,
        "a wrong token at the sign-in form is a field error, not a lost sign-in: {status:?}"
    );
    assert!(auth.try_recv().is_err(), "nothing reported");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_401_to_the_log_loader_signs_out_too() {
    let server = MockServer::start().await;
    let desk = signed_in_on_mock(&server).await;
    let mut auth = desk.subscribe_auth_lost();
    Mock::given(method("GET"))
        .and(path("/api/v1/reports/connections"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "invalid_token", "error_description": "token revoked", "error_code": 1
        })))
        .mount(&server)
        .await;
    let summary = desk
        .load_logs(&LogQuery::default(), &mut |_: &FetchProgress| {})
        .await;
    let stopped = match summary {
        Ok(summary) => summary.error.map(|e| e.kind),
        Err(e) => Some(e.kind()),
    };
    assert_eq!(
        stopped,
        Some(ErrorKind::Unauthorized),
        "the load stops at the 401"
    );
    assert_eq!(
        lost(&mut auth).await,
        ErrorKind::Unauthorized,
        "the log loader's 401 is a lost sign-in"
    );
    assert!(
        desk.status().await.unwrap().sign_in_again,
        "sign in again after the log loader was refused"
    );
}
