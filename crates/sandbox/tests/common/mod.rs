//! Helpers shared by the black-box tests: start a sandbox on 127.0.0.1:0 and drive it over HTTP.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, TimeZone, Utc};
use reqwest::{Client, Response, StatusCode};
use sdesk_sandbox::wire::{ErrorBody, TokenResponse};
use sdesk_sandbox::{Sandbox, SandboxConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// The loopback redirect URI of the default client.
pub const LOOPBACK_REDIRECT: &str = "http://127.0.0.1:47813/oauth/callback";
/// The custom-scheme redirect URI of the default client.
pub const CUSTOM_REDIRECT: &str = "dev.supporterdesk:/oauth/callback";

/// The fixed "now" of the tests' data.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 17, 13, 45, 10).unwrap()
}

/// Defaults with a fixed clock.
pub fn config() -> SandboxConfig {
    SandboxConfig {
        now: Some(now()),
        ..SandboxConfig::default()
    }
}

pub async fn start(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("the sandbox binds a free loopback port")
}

/// An HTTP client that doesn't follow redirects (the tests inspect `Location`).
pub fn http() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Absolute URL of `path` (relative to the origin, e.g. `api/v1/ping`).
pub fn url(sandbox: &Sandbox, path: &str) -> String {
    format!("{}{path}", sandbox.base_url())
}

/// `GET api/v1/<path>` with a bearer token.
pub async fn api_get(client: &Client, sandbox: &Sandbox, path: &str, token: &str) -> Response {
    client
        .get(url(sandbox, &format!("api/v1/{path}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// `GET api/v1/<path>` expecting `200` and a JSON body of type `T`.
pub async fn api_json<T: DeserializeOwned>(
    client: &Client,
    sandbox: &Sandbox,
    path: &str,
    token: &str,
) -> T {
    let response = api_get(client, sandbox, path, token).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "GET {path} should succeed"
    );
    response.json().await.unwrap()
}

/// Reads an error response: its status and JSON body.
pub async fn error_of(response: Response) -> (StatusCode, ErrorBody) {
    let status = response.status();
    let body = response
        .json::<ErrorBody>()
        .await
        .expect("error bodies are JSON {error, error_description, error_code}");
    (status, body)
}

/// A PKCE verifier and its S256 challenge.
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

impl Pkce {
    pub fn new(seed: char) -> Self {
        let verifier: String = std::iter::repeat_n(seed, 50).collect();
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Self {
            verifier,
            challenge,
        }
    }
}

/// `GET oauth2/authorize` with the default client and `extra` query pairs.
pub async fn authorize(
    client: &Client,
    sandbox: &Sandbox,
    redirect_uri: &str,
    extra: &[(&str, &str)],
) -> Response {
    let mut query = vec![
        ("response_type", "code"),
        ("client_id", DEFAULT_CLIENT_ID),
        ("redirect_uri", redirect_uri),
    ];
    query.extend_from_slice(extra);
    client
        .get(url(sandbox, "oauth2/authorize"))
        .query(&query)
        .send()
        .await
        .unwrap()
}

/// The hidden `request` field of the consent form.
pub fn request_id(html: &str) -> String {
    let marker = "name=\"request\" value=\"";
    let start = html
        .find(marker)
        .expect("the consent form has a request field")
        + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_owned()
}

/// Posts the consent form like a browser would.
pub async fn decide(client: &Client, sandbox: &Sandbox, request: &str, decision: &str) -> Response {
    client
        .post(url(sandbox, "oauth2/authorize/decision"))
        .form(&[("request", request), ("decision", decision)])
        .send()
        .await
        .unwrap()
}

/// The `Location` header of a redirect.
pub fn location(response: &Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .expect("a redirect carries a Location")
        .to_str()
        .unwrap()
        .to_owned()
}

/// A query parameter of a (possibly custom-scheme) URL, form-decoded.
pub fn query_param(location: &str, name: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// Consent page → Approve → the authorization code from the redirect.
pub async fn approved_code(
    client: &Client,
    sandbox: &Sandbox,
    redirect_uri: &str,
    pkce: Option<&Pkce>,
) -> String {
    let mut extra = vec![("state", "st")];
    if let Some(pkce) = pkce {
        extra.push(("code_challenge", pkce.challenge.as_str()));
        extra.push(("code_challenge_method", "S256"));
    }
    let page = authorize(client, sandbox, redirect_uri, &extra).await;
    assert_eq!(page.status(), StatusCode::OK, "consent page is served");
    let request = request_id(&page.text().await.unwrap());
    let redirect = decide(client, sandbox, &request, "approve").await;
    assert_eq!(redirect.status(), StatusCode::FOUND, "approve redirects");
    query_param(&location(&redirect), "code").expect("approve puts a code in the redirect")
}

/// `POST api/v1/oauth2/token` with a form body (client credentials in the body).
pub async fn token_request(client: &Client, sandbox: &Sandbox, form: &[(&str, &str)]) -> Response {
    let mut body = vec![
        ("client_id", DEFAULT_CLIENT_ID),
        ("client_secret", DEFAULT_CLIENT_SECRET),
    ];
    body.extend_from_slice(form);
    client
        .post(url(sandbox, "api/v1/oauth2/token"))
        .form(&body)
        .send()
        .await
        .unwrap()
}

/// Exchanges a code (with an optional verifier).
pub async fn exchange(
    client: &Client,
    sandbox: &Sandbox,
    code: &str,
    verifier: Option<&str>,
) -> Response {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", LOOPBACK_REDIRECT),
    ];
    if let Some(verifier) = verifier {
        form.push(("code_verifier", verifier));
    }
    token_request(client, sandbox, &form).await
}

/// The whole sign-in: consent, approve, exchange with PKCE.
pub async fn sign_in(client: &Client, sandbox: &Sandbox) -> TokenResponse {
    let pkce = Pkce::new('v');
    let code = approved_code(client, sandbox, LOOPBACK_REDIRECT, Some(&pkce)).await;
    let response = exchange(client, sandbox, &code, Some(&pkce.verifier)).await;
    assert_eq!(response.status(), StatusCode::OK, "code exchange succeeds");
    response.json().await.unwrap()
}

/// Uses a refresh token.
pub async fn refresh(client: &Client, sandbox: &Sandbox, refresh_token: &str) -> Response {
    token_request(
        client,
        sandbox,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}
