//! OAuth over HTTP: consent page, approve/deny redirects, token exchange with PKCE, refresh
//! rotation, revocation and client authentication.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reqwest::StatusCode;
use sdesk_sandbox::wire::{PingResponse, TokenResponse, WireAccount};
use sdesk_sandbox::{
    SandboxConfig, CONSENT_TITLE, DECISION_PATH, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
};
use std::time::Duration;

#[tokio::test]
async fn consent_page_is_labelled_and_scriptable() {
    let sandbox = start(config()).await;
    let client = http();
    let page = authorize(
        &client,
        &sandbox,
        LOOPBACK_REDIRECT,
        &[("display", "popup")],
    )
    .await;
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "a valid request shows the page"
    );
    let html = page.text().await.unwrap();
    assert!(
        html.contains(CONSENT_TITLE),
        "the page says it is the sandbox"
    );
    assert!(
        html.contains(DEFAULT_CLIENT_ID),
        "the page names the client"
    );
    for needle in [
        "id=\"approve\"",
        "id=\"deny\"",
        "name=\"decision\"",
        &format!("action=\"{DECISION_PATH}\""),
    ] {
        assert!(html.contains(needle), "the consent form contains {needle}");
    }
    assert!(
        !request_id(&html).is_empty(),
        "the form carries a request id"
    );
    assert!(
        html.contains(&format!(
            "<code id=\"sandbox-script-token\">{}</code>",
            sandbox.script_token()
        )),
        "the page shows the sandbox's script token, so the script-token path is no dead end"
    );
    assert!(
        html.contains("Sign in with a script token"),
        "and says where to paste it"
    );
}

#[tokio::test]
async fn revoke_all_hook_ends_every_oauth_sign_in_but_not_the_script_token() {
    let sandbox = start(config()).await;
    let client = http();
    let tokens = sign_in(&client, &sandbox).await;
    let answer = client
        .post(url(&sandbox, "sandbox/revoke-all"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK, "the hook answers 200");
    assert_eq!(
        answer.text().await.unwrap().trim(),
        "1",
        "one sign-in revoked"
    );
    let (status, _) =
        error_of(api_get(&client, &sandbox, "users", &tokens.access_token).await).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the access token is refused"
    );
    let (status, _) = error_of(refresh(&client, &sandbox, &tokens.refresh_token).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "and cannot be refreshed");
    let ping: PingResponse = api_json(&client, &sandbox, "ping", &sandbox.script_token()).await;
    assert!(ping.token_valid, "the script token still works");
}

#[tokio::test]
async fn approve_exchange_and_call_the_api() {
    let sandbox = start(config()).await;
    let client = http();
    let pkce = Pkce::new('a');
    let state = "ä b&c=d/+?#";
    let page = authorize(
        &client,
        &sandbox,
        LOOPBACK_REDIRECT,
        &[
            ("state", state),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let request = request_id(&page.text().await.unwrap());
    let redirect = decide(&client, &sandbox, &request, "approve").await;
    assert_eq!(redirect.status(), StatusCode::FOUND, "approve answers 302");
    let target = location(&redirect);
    assert!(
        target.starts_with(&format!("{LOOPBACK_REDIRECT}?code=")),
        "the redirect goes to the registered URI with a code: {target}"
    );
    assert_eq!(
        query_param(&target, "state").as_deref(),
        Some(state),
        "state is echoed exactly, properly encoded"
    );
    let code = query_param(&target, "code").unwrap();
    let response = exchange(&client, &sandbox, &code, Some(&pkce.verifier)).await;
    assert_eq!(response.status(), StatusCode::OK, "the exchange succeeds");
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("no-store"),
        "token responses must not be cached"
    );
    let tokens: TokenResponse = response.json().await.unwrap();
    assert_eq!(tokens.token_type, "bearer", "token_type as in §1.4");
    assert_eq!(tokens.expires_in, 86_400, "default lifetime 24 h");
    let (digits, rest) = tokens.access_token.split_once('-').unwrap();
    assert!(
        digits.len() == 8 && rest.len() == 20,
        "token looks like 16217394-cOqwKkp8MllCvSYnprfj"
    );
    let ping: PingResponse = api_json(&client, &sandbox, "ping", &tokens.access_token).await;
    assert!(ping.token_valid, "the new token is valid");
    let account: WireAccount = api_json(&client, &sandbox, "account", &tokens.access_token).await;
    assert!(account.userid.starts_with('u'), "account userid is u…");
    let stats = sandbox.stats();
    assert_eq!(
        (stats.authorization_codes, stats.tokens_issued),
        (1, 1),
        "one code and one token pair were issued"
    );
}

#[tokio::test]
async fn custom_scheme_redirect_is_kept_verbatim() {
    let sandbox = start(config()).await;
    let client = http();
    let page = authorize(&client, &sandbox, CUSTOM_REDIRECT, &[("state", "xyz")]).await;
    let request = request_id(&page.text().await.unwrap());
    let target = location(&decide(&client, &sandbox, &request, "approve").await);
    assert!(
        target.starts_with("dev.supporterdesk:/oauth/callback?code="),
        "a custom scheme must not be rewritten by a URL library: {target}"
    );
    assert_eq!(
        query_param(&target, "state").as_deref(),
        Some("xyz"),
        "state echoed"
    );
}

#[tokio::test]
async fn deny_redirects_with_access_denied() {
    let sandbox = start(config()).await;
    let client = http();
    let page = authorize(&client, &sandbox, LOOPBACK_REDIRECT, &[("state", "s1")]).await;
    let request = request_id(&page.text().await.unwrap());
    let redirect = decide(&client, &sandbox, &request, "deny").await;
    assert_eq!(redirect.status(), StatusCode::FOUND, "deny still redirects");
    let target = location(&redirect);
    assert_eq!(
        query_param(&target, "error").as_deref(),
        Some("access_denied"),
        "deny reports access_denied"
    );
    assert_eq!(
        query_param(&target, "state").as_deref(),
        Some("s1"),
        "state echoed"
    );
    assert!(query_param(&target, "code").is_none(), "no code after deny");
    let again = decide(&client, &sandbox, &request, "approve").await;
    assert_eq!(
        again.status(),
        StatusCode::BAD_REQUEST,
        "a consent request is decided only once"
    );
}

#[tokio::test]
async fn bad_authorize_requests_get_an_error_page_not_a_redirect() {
    let sandbox = start(config()).await;
    let client = http();
    let bad = |query: Vec<(&'static str, String)>| {
        let client = client.clone();
        let url = url(&sandbox, "oauth2/authorize");
        async move { client.get(url).query(&query).send().await.unwrap() }
    };
    let base = |redirect: &str, client_id: &str, response_type: &str| {
        vec![
            ("response_type", response_type.to_owned()),
            ("client_id", client_id.to_owned()),
            ("redirect_uri", redirect.to_owned()),
            ("state", "s".to_owned()),
        ]
    };
    let mut plain_pkce = base(LOOPBACK_REDIRECT, DEFAULT_CLIENT_ID, "code");
    plain_pkce.push(("code_challenge", Pkce::new('p').challenge));
    plain_pkce.push(("code_challenge_method", "plain".to_owned()));
    let cases = [
        (
            "redirect_uri with an extra slash",
            base(
                "http://127.0.0.1:47813/oauth/callback/",
                DEFAULT_CLIENT_ID,
                "code",
            ),
        ),
        (
            "redirect_uri on another port",
            base(
                "http://127.0.0.1:47814/oauth/callback",
                DEFAULT_CLIENT_ID,
                "code",
            ),
        ),
        (
            "unknown client_id",
            base(LOOPBACK_REDIRECT, "someone-else", "code"),
        ),
        (
            "response_type token",
            base(LOOPBACK_REDIRECT, DEFAULT_CLIENT_ID, "token"),
        ),
        ("plain PKCE", plain_pkce),
    ];
    for (name, query) in cases {
        let response = bad(query).await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "{name} must be rejected"
        );
        assert!(
            response.headers().get("location").is_none(),
            "{name} must never redirect"
        );
        assert!(
            response.text().await.unwrap().contains("<html"),
            "{name} gets an HTML error page"
        );
    }
}

#[tokio::test]
async fn pkce_mismatch_and_missing_verifier_are_invalid_grant() {
    let sandbox = start(config()).await;
    let client = http();
    let pkce = Pkce::new('m');
    for verifier in [Some(Pkce::new('n').verifier), None] {
        let code = approved_code(&client, &sandbox, LOOPBACK_REDIRECT, Some(&pkce)).await;
        let (status, body) =
            error_of(exchange(&client, &sandbox, &code, verifier.as_deref()).await).await;
        assert_eq!(
            (status, body.error.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_grant"),
            "verifier {verifier:?} does not match the challenge"
        );
    }
}

#[tokio::test]
async fn codes_are_single_use_and_bound_to_the_redirect_uri() {
    let sandbox = start(config()).await;
    let client = http();
    let code = approved_code(&client, &sandbox, LOOPBACK_REDIRECT, None).await;
    let first = exchange(&client, &sandbox, &code, None).await;
    assert_eq!(
        first.status(),
        StatusCode::OK,
        "first use works (no PKCE sent)"
    );
    let (status, body) = error_of(exchange(&client, &sandbox, &code, None).await).await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_grant"),
        "a code can't be used twice"
    );
    let custom_code = approved_code(&client, &sandbox, CUSTOM_REDIRECT, None).await;
    let (status, body) = error_of(exchange(&client, &sandbox, &custom_code, None).await).await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_grant"),
        "redirect_uri at the token endpoint must equal the one at authorize"
    );
}

#[tokio::test]
async fn client_authentication_by_basic_or_body() {
    let sandbox = start(config()).await;
    let client = http();
    let code = approved_code(&client, &sandbox, LOOPBACK_REDIRECT, None).await;
    let basic = client
        .post(url(&sandbox, "api/v1/OAuth2/token"))
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .form(&[("grant_type", "authorization_code"), ("code", &code)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        basic.status(),
        StatusCode::OK,
        "HTTP Basic client auth on the OAuth2-cased path works (redirect_uri may be omitted)"
    );
    let code = approved_code(&client, &sandbox, LOOPBACK_REDIRECT, None).await;
    let wrong = client
        .post(url(&sandbox, "api/v1/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", "not-the-secret"),
        ])
        .send()
        .await
        .unwrap();
    let (status, body) = error_of(wrong).await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_client"),
        "a wrong secret is invalid_client"
    );
    let json = client
        .post(url(&sandbox, "api/v1/oauth2/token"))
        .json(&serde_json::json!({
            "grant_type": 0,
            "code": code,
            "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json.status(),
        StatusCode::OK,
        "a JSON body with grant_type 0 is an authorization-code grant, and a failed client \
         authentication did not consume the code"
    );
}

#[tokio::test]
async fn grant_type_errors() {
    let sandbox = start(config()).await;
    let client = http();
    let (status, body) =
        error_of(token_request(&client, &sandbox, &[("grant_type", "password")]).await).await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::BAD_REQUEST, "unsupported_grant_type"),
        "only authorization_code and refresh_token are supported"
    );
    let (status, body) = error_of(token_request(&client, &sandbox, &[]).await).await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_request"),
        "grant_type is required"
    );
}

#[tokio::test]
async fn refresh_rotates_both_tokens() {
    let sandbox = start(config()).await;
    let client = http();
    let first = sign_in(&client, &sandbox).await;
    let response = refresh(&client, &sandbox, &first.refresh_token).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the refresh token works once"
    );
    let second: TokenResponse = response.json().await.unwrap();
    assert_ne!(
        second.refresh_token, first.refresh_token,
        "every refresh issues a new refresh token"
    );
    let (status, body) = error_of(refresh(&client, &sandbox, &first.refresh_token).await).await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_grant"),
        "the old refresh token is rejected after use"
    );
    let (status, body) =
        error_of(api_get(&client, &sandbox, "account", &first.access_token).await).await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_token"),
        "the old access token died with its refresh token"
    );
    let ping: PingResponse = api_json(&client, &sandbox, "ping", &second.access_token).await;
    assert!(ping.token_valid, "the new access token works");
    assert_eq!(
        sandbox.stats().refreshes,
        1,
        "one successful refresh counted"
    );
}

#[tokio::test]
async fn revoke_kills_access_and_refresh_token() {
    let sandbox = start(config()).await;
    let client = http();
    let tokens = sign_in(&client, &sandbox).await;
    let revoke = |token: String| {
        let request = client
            .post(url(&sandbox, "api/v1/oauth2/revoke"))
            .bearer_auth(token);
        async move { request.send().await.unwrap() }
    };
    assert_eq!(
        revoke(tokens.access_token.clone()).await.status(),
        StatusCode::NO_CONTENT,
        "revoke answers 204"
    );
    let ping: PingResponse = api_json(&client, &sandbox, "ping", &tokens.access_token).await;
    assert!(
        !ping.token_valid,
        "ping reports a revoked token as invalid (200)"
    );
    let (status, body) =
        error_of(api_get(&client, &sandbox, "users", &tokens.access_token).await).await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_token"),
        "a revoked token is refused"
    );
    assert!(body.error_code > 0, "error_code is a number");
    let (status, _) = error_of(refresh(&client, &sandbox, &tokens.refresh_token).await).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the refresh token was revoked too"
    );
    assert_eq!(
        revoke(tokens.access_token).await.status(),
        StatusCode::UNAUTHORIZED,
        "revoking twice is refused"
    );
    assert_eq!(sandbox.stats().revocations, 1, "one revocation counted");
}

#[tokio::test]
async fn access_tokens_expire_after_their_lifetime() {
    let sandbox = start(SandboxConfig {
        access_token_ttl: Duration::ZERO,
        ..config()
    })
    .await;
    let client = http();
    let tokens = sign_in(&client, &sandbox).await;
    assert_eq!(
        tokens.expires_in, 0,
        "expires_in reports the configured lifetime"
    );
    let (status, body) =
        error_of(api_get(&client, &sandbox, "account", &tokens.access_token).await).await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::UNAUTHORIZED, "token_expired"),
        "a token past its lifetime is token_expired, not invalid_token"
    );
    let renewed = refresh(&client, &sandbox, &tokens.refresh_token).await;
    assert_eq!(
        renewed.status(),
        StatusCode::OK,
        "an expired access token can still be refreshed"
    );
}

/// Doc 2023-03 (OAuth): access tokens live one day; the sandbox reports `expires_in` 86400.
#[tokio::test]
async fn access_tokens_live_one_day_by_default() {
    assert_eq!(
        SandboxConfig::default().access_token_ttl,
        Duration::from_secs(86_400),
        "the default lifetime is one day"
    );
    let sandbox = start(config()).await;
    let client = http();
    let first = sign_in(&client, &sandbox).await;
    assert_eq!(first.expires_in, 86_400, "the code exchange says one day");
    let renewed: TokenResponse = refresh(&client, &sandbox, &first.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(renewed.expires_in, 86_400, "so does a refresh");
}

/// Doc 2023-03 (OAuth): an expired token gets `401`, `WWW-Authenticate: Bearer` and
/// `{"error":"token_expired","error_code":1}`, whether it expired by age or (fault knob) by
/// its call budget.
#[tokio::test]
async fn expired_tokens_get_401_bearer_token_expired_code_1() {
    let by_age = start(SandboxConfig {
        access_token_ttl: Duration::ZERO,
        ..config()
    })
    .await;
    let by_calls = start(SandboxConfig {
        faults: sdesk_sandbox::Faults {
            token_expiry_after_calls: Some(1),
            ..sdesk_sandbox::Faults::default()
        },
        ..config()
    })
    .await;
    let client = http();
    for (what, sandbox, calls_first) in [("by age", &by_age, 0), ("by call budget", &by_calls, 1)] {
        let tokens = sign_in(&client, sandbox).await;
        for _ in 0..calls_first {
            let ok = api_get(&client, sandbox, "account", &tokens.access_token).await;
            assert_eq!(
                ok.status(),
                StatusCode::OK,
                "{what}: the budget allows one call"
            );
        }
        let response = api_get(&client, sandbox, "account", &tokens.access_token).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{what}: 401");
        assert_eq!(
            response
                .headers()
                .get(reqwest::header::WWW_AUTHENTICATE)
                .map(|v| v.to_str().unwrap()),
            Some("Bearer"),
            "{what}: exactly `WWW-Authenticate: Bearer`, as documented"
        );
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            (&body["error"], &body["error_code"]),
            (&serde_json::json!("token_expired"), &serde_json::json!(1)),
            "{what}: the documented error and error_code: {body}"
        );
        assert!(
            body["error_description"].is_string(),
            "{what}: error_description is there too: {body}"
        );
    }
}
