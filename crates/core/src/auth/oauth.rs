//! The token endpoint (code exchange, refresh), revocation, and script-token validation.
//!
//! The `oauth2` crate builds and parses the token requests; the HTTP goes through the process's
//! one `reqwest::Client` (see [`crate::client::build_http`]), which never follows redirects. On
//! top of that, the transport below turns any 3xx into [`Error::UnexpectedRedirect`] before the
//! `oauth2` crate sees it: a token endpoint that redirects would otherwise have us re-send the
//! code, the verifier and the client secret to wherever `Location` points.

use super::callback::AuthorizationCode;
use super::config::OAuthConfig;
use super::pending::PkceVerifier;
use super::tokens::TokenSet;
use crate::client::{
    map_status, map_transport, read_error_body, read_limited, BodyError, JSON_BODY_LIMIT,
};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::secret::Secret;
use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AccessToken, AuthType, AuthUrl, ClientId, ClientSecret, EndpointNotSet, EndpointSet,
    RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardRevocableToken, TokenUrl,
};
use serde::{Deserialize, Deserializer, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;
use url::Url;

/// The `oauth2` client with the authorize and token endpoints set.
pub(crate) type TvOAuthClient = oauth2::Client<
    BasicErrorResponse,
    WireTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Builds the `oauth2` client for `config`. The client secret, when configured, travels in the
/// form body (`AuthType::RequestBody`), as TeamViewer's own clients send it.
pub(crate) fn oauth_client(config: &OAuthConfig) -> Result<TvOAuthClient> {
    let redirect =
        RedirectUrl::new(config.redirect_uri.as_str().into_owned()).map_err(|e| Error::Config {
            message: format!("the redirect URI is not a URL: {e}"),
        })?;
    let mut client = oauth2::Client::new(ClientId::new(config.client_id.clone()))
        .set_auth_uri(AuthUrl::from_url(config.authorize_url.clone()))
        .set_token_uri(TokenUrl::from_url(config.token_url.clone()))
        .set_redirect_uri(redirect)
        .set_auth_type(AuthType::RequestBody);
    if let Some(secret) = &config.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose().to_owned()));
    }
    Ok(client)
}

/// Exchanges an authorization code for tokens (`grant_type=authorization_code`), sending
/// `code`, `redirect_uri`, `code_verifier`, `client_id` and, when configured, `client_secret`.
///
/// `config` must be the configuration the sign-in was started with (the `redirect_uri` must be
/// identical to the one in the authorize URL). `http` must come from
/// [`crate::client::build_http`]: a client that follows redirects would follow them before this
/// code could refuse them.
///
/// # Errors
/// [`Error::SessionExpired`] for `invalid_grant` (code used, expired or not ours);
/// [`Error::OAuth`] for other OAuth errors; [`Error::UnexpectedRedirect`] for a 3xx;
/// [`Error::Server`] for a 5xx; [`Error::Api`] for another non-OAuth 4xx; [`Error::Network`] /
/// [`Error::Timeout`]; [`Error::Decode`] for a 200 that is not a token response.
pub async fn exchange_code(
    http: &reqwest::Client,
    config: &OAuthConfig,
    code: AuthorizationCode,
    verifier: PkceVerifier,
    clock: &dyn Clock,
) -> Result<TokenSet> {
    let client = oauth_client(config)?;
    let transport = TokenHttp::new(http);
    let result = client
        .exchange_code(oauth2::AuthorizationCode::new(code.expose().to_owned()))
        .set_pkce_verifier(oauth2::PkceCodeVerifier::new(verifier.expose().to_owned()))
        .request_async(&transport)
        .await;
    match result {
        Ok(resp) => {
            tracing::debug!("authorization code exchanged");
            resp.into_token_set(None, clock)
        }
        Err(e) => Err(map_token_error(e, transport.status())),
    }
}

/// Refreshes tokens (`grant_type=refresh_token`). TeamViewer rotates refresh tokens: the new one
/// replaces the old; when the response carries none, the old one is kept.
///
/// # Errors
/// As [`exchange_code`]; `invalid_grant` ([`Error::SessionExpired`]) means the user must sign in
/// again.
pub async fn refresh(
    http: &reqwest::Client,
    config: &OAuthConfig,
    refresh_token: &Secret,
    clock: &dyn Clock,
) -> Result<TokenSet> {
    let client = oauth_client(config)?;
    let transport = TokenHttp::new(http);
    let token = RefreshToken::new(refresh_token.expose().to_owned());
    let result = client
        .exchange_refresh_token(&token)
        .request_async(&transport)
        .await;
    match result {
        Ok(resp) => {
            tracing::debug!("access token refreshed");
            resp.into_token_set(Some(refresh_token), clock)
        }
        Err(e) => Err(map_token_error(e, transport.status())),
    }
}

/// Revokes `access_token`: `POST {revoke_url}` with `Authorization: Bearer …` and no body.
/// 200 and 204 are success.
///
/// # Errors
/// [`Error::Unauthorized`] (401, for example an already expired token), other status errors,
/// [`Error::Network`], [`Error::Timeout`].
pub async fn revoke(
    http: &reqwest::Client,
    config: &OAuthConfig,
    access_token: &Secret,
) -> Result<()> {
    let resp = http
        .post(config.revoke_url.clone())
        .bearer_auth(access_token.expose())
        .body("")
        .send()
        .await
        .map_err(map_transport)?;
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    let headers = resp.headers().clone();
    let body = read_error_body(resp).await;
    Err(map_status(status, &headers, &body))
}

/// Checks a pasted script token with `GET {api_base}/api/v1/ping` before it is stored. The
/// request goes through [`crate::client::TeamViewerClient`]'s normal GET path, so a busy or
/// rate-limited server (503, 429, ...) is retried like any other read instead of failing the
/// sign-in.
///
/// # Errors
/// [`Error::InvalidInput`] for an API base [`crate::client::parse_api_url`] refuses (nothing is
/// sent); [`Error::Unauthorized`] when the API answers 401 or `token_valid: false`; otherwise
/// the client's usual errors.
pub async fn validate_script_token(
    http: &reqwest::Client,
    api_base: &Url,
    token: &Secret,
) -> Result<()> {
    ping_script_token(crate::client::TeamViewerClient::new(
        http.clone(),
        crate::client::parse_api_url(api_base.as_str())?,
        std::sync::Arc::new(crate::client::StaticToken::new(token.clone())),
    ))
    .await
}

/// As [`validate_script_token`] through `client` (built with a [`crate::client::StaticToken`]
/// of the pasted token), so the caller's retry policy and wait observer apply: the app shows a
/// rate-limit wait during the sign-in like for any other call.
///
/// # Errors
/// As [`validate_script_token`].
pub async fn check_script_token(client: &crate::client::TeamViewerClient) -> Result<()> {
    ping_script_token(client.clone()).await
}

async fn ping_script_token(client: crate::client::TeamViewerClient) -> Result<()> {
    if client.ping().await? {
        Ok(())
    } else {
        Err(Error::Unauthorized {
            message: "TeamViewer reports the token as invalid (token_valid: false)".into(),
        })
    }
}

/// Carries one of our errors through the `oauth2` crate's `RequestTokenError::Request`.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
struct Transport(Error);

/// The HTTP client handed to the `oauth2` crate: our `reqwest::Client` (redirects off) plus the
/// status of the last answer, for error mapping.
struct TokenHttp {
    http: reqwest::Client,
    status: AtomicU16,
}

impl TokenHttp {
    fn new(http: &reqwest::Client) -> Self {
        Self {
            http: http.clone(),
            status: AtomicU16::new(0),
        }
    }

    fn status(&self) -> u16 {
        self.status.load(Ordering::Relaxed)
    }
}

impl<'c> oauth2::AsyncHttpClient<'c> for TokenHttp {
    type Error = Transport;
    type Future = Pin<
        Box<dyn Future<Output = std::result::Result<oauth2::HttpResponse, Transport>> + Send + 'c>,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(send(&self.http, request, &self.status))
    }
}

/// The HTTP transport handed to the `oauth2` crate. Records the status for error mapping, and
/// refuses redirects and 5xx answers itself so that they keep their meaning (and their status).
async fn send(
    http: &reqwest::Client,
    request: oauth2::HttpRequest,
    status_seen: &AtomicU16,
) -> std::result::Result<oauth2::HttpResponse, Transport> {
    let request = reqwest::Request::try_from(request).map_err(|e| {
        Transport(Error::Config {
            message: format!("cannot build the token request: {e}"),
        })
    })?;
    let response = http
        .execute(request)
        .await
        .map_err(|e| Transport(map_transport(e)))?;
    let status = response.status();
    status_seen.store(status.as_u16(), Ordering::Relaxed);
    if status.is_redirection() {
        // Never follow, never parse: see the module comment.
        tracing::warn!(
            status = status.as_u16(),
            "the token endpoint answered with a redirect"
        );
        return Err(Transport(Error::UnexpectedRedirect {
            status: status.as_u16(),
        }));
    }
    let headers = response.headers().clone();
    // A token answer is a few hundred bytes: a hostile or broken endpoint cannot make the
    // client hold more than the ordinary JSON limit.
    let body = read_limited(response, JSON_BODY_LIMIT)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge => Transport(Error::ResponseTooLarge {
                limit: JSON_BODY_LIMIT,
            }),
            BodyError::Transport(e) => Transport(map_transport(e)),
        })?;
    if status.is_server_error() {
        return Err(Transport(Error::Server {
            status: status.as_u16(),
            message: oauth_error_text(&body)
                .unwrap_or_else(|| "the sign-in service failed".to_owned()),
        }));
    }
    let mut builder = oauth2::http::Response::builder().status(status);
    for (name, value) in &headers {
        builder = builder.header(name, value);
    }
    builder.body(body.to_vec()).map_err(|e| {
        Transport(Error::Network {
            message: format!("cannot read the token response: {e}"),
        })
    })
}

/// `error_description` (or `error`) of an OAuth/TeamViewer JSON error body. Only those fields:
/// an arbitrary error page could echo the request, which holds the code and the client secret.
fn oauth_error_text(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Body {
        error: Option<String>,
        error_description: Option<String>,
    }
    let b: Body = serde_json::from_slice(body).ok()?;
    b.error_description
        .filter(|d| !d.is_empty())
        .or(b.error)
        .map(|t| t.chars().take(300).collect())
}

fn map_token_error(e: RequestTokenError<Transport, BasicErrorResponse>, status: u16) -> Error {
    match e {
        RequestTokenError::Request(Transport(inner)) => inner,
        RequestTokenError::ServerResponse(resp) => {
            let message = resp
                .error_description()
                .cloned()
                .unwrap_or_else(|| "the sign-in service refused the request".to_owned());
            match resp.error() {
                BasicErrorResponseType::InvalidGrant => {
                    tracing::info!("the token endpoint answered invalid_grant");
                    Error::SessionExpired
                }
                other => Error::OAuth {
                    error: other.as_ref().to_owned(),
                    message,
                },
            }
        }
        RequestTokenError::Parse(err, _body) if status == 200 => {
            // The body of a 200 from the token endpoint holds tokens, and serde's message can
            // quote a value: report where it failed, never what was there.
            Error::Decode {
                message: format!(
                    "the token response is not valid ({:?} error at `{}`)",
                    err.inner().classify(),
                    err.path()
                ),
                body: "[withheld: may contain credentials]".to_owned(),
            }
        }
        RequestTokenError::Parse(_, _) | RequestTokenError::Other(_) if status >= 400 => {
            Error::Api {
                status,
                error: None,
                code: None,
                message: "the sign-in service refused the request without an OAuth error"
                    .to_owned(),
            }
        }
        RequestTokenError::Parse(_, _) => Error::Decode {
            message: format!("unexpected answer ({status}) from the token endpoint"),
            body: String::new(),
        },
        RequestTokenError::Other(message) => Error::Decode {
            message,
            body: String::new(),
        },
    }
}

/// The token response as TeamViewer sends it, a little more tolerant than the `oauth2` crate's
/// standard one: `token_type` may be missing (it is always bearer), `expires_in` may be a string.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireTokenResponse {
    access_token: AccessToken,
    #[serde(default = "bearer")]
    token_type: BasicTokenType,
    #[serde(default, deserialize_with = "lenient_seconds")]
    expires_in: Option<u64>,
    #[serde(default)]
    refresh_token: Option<RefreshToken>,
}

fn bearer() -> BasicTokenType {
    BasicTokenType::Bearer
}

fn lenient_seconds<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Int(u64),
        Float(f64),
        Text(String),
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        None => None,
        Some(Raw::Int(n)) => Some(n),
        // Truncation is fine: a fraction of a second does not matter for a refresh margin.
        Some(Raw::Float(f)) if f.is_finite() && f >= 0.0 => Some(f as u64),
        Some(Raw::Float(_)) => None,
        Some(Raw::Text(s)) => s.trim().parse().ok(),
    })
}

impl oauth2::TokenResponse for WireTokenResponse {
    type TokenType = BasicTokenType;

    fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }

    fn expires_in(&self) -> Option<Duration> {
        self.expires_in.map(Duration::from_secs)
    }

    fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    fn scopes(&self) -> Option<&Vec<Scope>> {
        None
    }
}

impl WireTokenResponse {
    fn into_token_set(
        self,
        previous_refresh: Option<&Secret>,
        clock: &dyn Clock,
    ) -> Result<TokenSet> {
        let access = self.access_token.secret().trim();
        if access.is_empty() {
            return Err(Error::Decode {
                message: "the token response has an empty access_token".into(),
                body: String::new(),
            });
        }
        if !self.token_type.as_ref().eq_ignore_ascii_case("bearer") {
            return Err(Error::Decode {
                message: format!(
                    "the token response has token_type {:?}, expected bearer",
                    self.token_type.as_ref()
                ),
                body: String::new(),
            });
        }
        let refresh = self
            .refresh_token
            .as_ref()
            .map(|r| Secret::new(r.secret().trim()))
            .filter(|r| !r.is_empty())
            .or_else(|| previous_refresh.cloned());
        Ok(TokenSet::oauth(
            Secret::new(access),
            refresh,
            self.expires_in,
            clock.now(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_response_tolerates_missing_type_and_string_lifetime() {
        let r: WireTokenResponse =
            serde_json::from_str(r#"{"access_token":"a","expires_in":"86400"}"#).unwrap();
        assert_eq!(
            r.expires_in,
            Some(86400),
            "a numeric string lifetime must be understood"
        );
        assert_eq!(
            r.token_type.as_ref(),
            "bearer",
            "a missing token_type means bearer for TeamViewer"
        );
        let r: WireTokenResponse =
            serde_json::from_str(r#"{"access_token":"a","token_type":"Bearer","expires_in":3600}"#)
                .unwrap();
        assert_eq!(r.expires_in, Some(3600), "an integer lifetime must be kept");
    }
}
