//! The TeamViewer Web API client: one `reqwest::Client` (rustls, no redirects, timeouts, a user
//! agent), an injectable base URL, bearer auth from a [`TokenSource`], retries for GETs.

use crate::error::{Error, Result};
use crate::secret::Secret;
use async_trait::async_trait;
use std::time::Duration;
use url::Url;

/// The production API origin; `/api/v1/...` lives under it.
pub const DEFAULT_API_URL: &str = "https://webapi.teamviewer.com";

/// Transport settings shared by the API client and the OAuth token calls.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// TCP/TLS connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout.
    pub request_timeout: Duration,
    /// `User-Agent` header.
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            user_agent: format!("SupporterDesk/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// Builds the one HTTP client of the process. Redirects are disabled: the API never needs them,
/// and following a redirect from the token endpoint could send credentials elsewhere.
pub fn build_http(config: &HttpConfig) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .use_rustls_tls()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(config.connect_timeout)
        .timeout(config.request_timeout)
        .user_agent(config.user_agent.clone())
        .build()
        .map_err(|e| Error::Config {
            message: format!("cannot build the HTTP client: {e}"),
        })
}

/// Where the client gets its bearer token.
#[async_trait]
pub trait TokenSource: Send + Sync + std::fmt::Debug {
    /// A token to use now (refreshed first if it is about to expire).
    async fn access_token(&self) -> Result<Secret>;

    /// Called once after the API answered 401 to `rejected`. Returns a different token to retry
    /// with, or an error (for example [`Error::Unauthorized`] for a script token, or
    /// [`Error::SessionExpired`] when the refresh token was rejected).
    async fn refresh_after_unauthorized(&self, rejected: &Secret) -> Result<Secret>;
}

/// A fixed token (a TeamViewer script token): never refreshed.
#[derive(Debug, Clone)]
pub struct StaticToken(Secret);

impl StaticToken {
    /// Wraps a token.
    pub fn new(token: Secret) -> Self {
        Self(token)
    }
}

#[async_trait]
impl TokenSource for StaticToken {
    async fn access_token(&self) -> Result<Secret> {
        Ok(self.0.clone())
    }

    async fn refresh_after_unauthorized(&self, _rejected: &Secret) -> Result<Secret> {
        Err(Error::Unauthorized {
            message: "the script token is invalid, expired or lacks a permission".into(),
        })
    }
}

/// Parses and normalises an API origin (`https://webapi.teamviewer.com`, or the sandbox's
/// `http://127.0.0.1:PORT`). A trailing `/api/v1` is accepted and removed.
pub fn parse_api_url(raw: &str) -> Result<Url> {
    let mut url = Url::parse(raw.trim()).map_err(|e| Error::invalid("API URL", e.to_string()))?;
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return Err(Error::invalid(
            "API URL",
            "must be an http(s) URL with a host",
        ));
    }
    let path = url.path().trim_end_matches('/').to_owned();
    let path = path.strip_suffix("/api/v1").unwrap_or(&path).to_owned();
    url.set_path(&format!("{path}/"));
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// How transient failures of idempotent requests (GET) are retried. `POST` is never retried:
/// a session created twice is worse than an error the user can repeat.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in total, including the first (1 = no retry).
    pub max_attempts: u32,
    /// Backoff before the first retry; doubles per retry, with jitter.
    pub base_delay: Duration,
    /// Upper bound of one backoff delay.
    pub max_delay: Duration,
    /// Upper bound of a server's `Retry-After` that is honoured; longer values give up instead
    /// of freezing the app.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Exponential backoff with "equal jitter": half fixed, half random, so that a burst of
    /// clients does not retry in lockstep while every wait still grows.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << retry.min(16))
            .min(self.max_delay);
        let half = exp / 2;
        let jitter = rand::Rng::gen_range(&mut rand::thread_rng(), 0..=half.as_millis() as u64);
        half + Duration::from_millis(jitter)
    }
}

/// The TeamViewer Web API client. Cheap to clone; all clones share one connection pool.
#[derive(Debug, Clone)]
pub struct TeamViewerClient {
    http: reqwest::Client,
    base: Url,
    tokens: std::sync::Arc<dyn TokenSource>,
    retry: RetryPolicy,
}

/// A response with a success (or, where asked for, redirect) status and its whole body.
struct RawResponse {
    status: reqwest::StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl TeamViewerClient {
    /// A client for the API under `api_base` (an origin from [`parse_api_url`]), authenticating
    /// with `tokens`, using the process-wide `http` client from [`build_http`].
    pub fn new(
        http: reqwest::Client,
        api_base: Url,
        tokens: std::sync::Arc<dyn TokenSource>,
    ) -> Self {
        Self {
            http,
            base: api_base,
            tokens,
            retry: RetryPolicy::default(),
        }
    }

    /// Replaces the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The API origin.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// The shared HTTP client.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `{base}/api/v1/{segments...}`, each segment percent-encoded.
    fn url(&self, segments: &[&str]) -> Result<Url> {
        let mut url = self.base.clone();
        {
            let mut path = url.path_segments_mut().map_err(|()| Error::Config {
                message: "the API URL cannot be a base".into(),
            })?;
            path.pop_if_empty().extend(["api", "v1"]).extend(segments);
        }
        Ok(url)
    }

    /// Sends one logical request: bearer token, one refresh-and-repeat after a 401, retries of
    /// GETs on 408/429/5xx and transport errors (`Retry-After` honoured up to a cap, else
    /// backoff), and maps every failure to [`Error`].
    async fn execute(
        &self,
        method: reqwest::Method,
        url: Url,
        query: &[(&str, String)],
        body: Option<serde_json::Value>,
        accept_redirect: bool,
    ) -> Result<RawResponse> {
        let idempotent = method == reqwest::Method::GET;
        let mut token = self.tokens.access_token().await?;
        let mut refreshed = false;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let can_retry = idempotent && attempt < self.retry.max_attempts;
            let mut req = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose())
                .header(reqwest::header::ACCEPT, "application/json");
            if !query.is_empty() {
                req = req.query(query);
            }
            if let Some(b) = &body {
                req = req.json(b);
            }
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) if can_retry && is_transient(&e) => {
                    tracing::debug!(attempt, error = %e, "transport error, retrying");
                    tokio::time::sleep(self.retry.backoff(attempt - 1)).await;
                    continue;
                }
                Err(e) => return Err(map_transport(e)),
            };
            let status = resp.status();
            let headers = resp.headers().clone();
            let body_bytes = match resp.bytes().await {
                // Takes over the buffer when the body arrived in one piece, instead of copying.
                Ok(b) => Vec::from(b),
                Err(e) if can_retry => {
                    tracing::debug!(attempt, error = %e, "response body broke off, retrying");
                    tokio::time::sleep(self.retry.backoff(attempt - 1)).await;
                    continue;
                }
                Err(e) => return Err(map_transport(e)),
            };
            if status.is_success() || (accept_redirect && status.is_redirection()) {
                return Ok(RawResponse {
                    status,
                    headers,
                    body: body_bytes,
                });
            }
            if status == reqwest::StatusCode::UNAUTHORIZED && !refreshed {
                refreshed = true;
                token = self.tokens.refresh_after_unauthorized(&token).await?;
                attempt -= 1;
                continue;
            }
            let transient = matches!(status.as_u16(), 408 | 429 | 500..=599);
            if transient && can_retry {
                let delay = match retry_after(&headers) {
                    Some(d) if d <= self.retry.max_retry_after => d,
                    Some(_) => return Err(map_status(status, &headers, &body_bytes)),
                    None => self.retry.backoff(attempt - 1),
                };
                tracing::debug!(attempt, %status, ?delay, "transient status, retrying");
                tokio::time::sleep(delay).await;
                continue;
            }
            return Err(map_status(status, &headers, &body_bytes));
        }
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> Result<T> {
        let raw = self
            .execute(
                reqwest::Method::GET,
                self.url(segments)?,
                query,
                None,
                false,
            )
            .await?;
        decode(&raw.body)
    }

    async fn put_json(&self, segments: &[&str], body: serde_json::Value) -> Result<()> {
        self.execute(
            reqwest::Method::PUT,
            self.url(segments)?,
            &[],
            Some(body),
            false,
        )
        .await
        .map(|_| ())
    }

    /// `GET /ping`: whether the token is valid. A 401 after the token source gave up is
    /// reported as the token source's error.
    pub async fn ping(&self) -> Result<bool> {
        let p: crate::models::Ping = self.get_json(&["ping"], &[]).await?;
        Ok(p.token_valid)
    }

    /// `GET /account`: the signed-in account.
    pub async fn account(&self) -> Result<crate::models::Account> {
        self.get_json(&["account"], &[]).await
    }

    /// `GET /groups`, optionally filtered by a partial `name`.
    pub async fn groups(&self, name: Option<&str>) -> Result<Vec<crate::models::Group>> {
        #[derive(serde::Deserialize)]
        struct Groups {
            #[serde(default)]
            groups: Vec<crate::models::Group>,
        }
        let query: Vec<(&str, String)> = name.map(|n| ("name", n.to_owned())).into_iter().collect();
        let g: Groups = self.get_json(&["groups"], &query).await?;
        Ok(g.groups)
    }

    /// `GET /users`: the company's users (needs the "view users" permission).
    pub async fn users(&self) -> Result<Vec<crate::models::User>> {
        #[derive(serde::Deserialize)]
        struct Users {
            #[serde(default)]
            users: Vec<crate::models::User>,
        }
        let u: Users = self.get_json(&["users"], &[]).await?;
        Ok(u.users)
    }

    /// `POST /sessions`: creates a session code. Validated first; never retried. If the server
    /// answers with a redirect or an empty body and a `Location` naming the session, the session
    /// is read back with `GET /sessions/{code}` (TeamViewer's behaviour here is unverified).
    pub async fn create_session(
        &self,
        new: &crate::models::NewSession,
    ) -> Result<crate::models::SupportSession> {
        new.validate()?;
        let body = serde_json::to_value(new).map_err(|e| Error::Config {
            message: format!("cannot encode the session: {e}"),
        })?;
        let raw = self
            .execute(
                reqwest::Method::POST,
                self.url(&["sessions"])?,
                &[],
                Some(body),
                true,
            )
            .await?;
        if raw.status.is_success() && !raw.body.iter().all(u8::is_ascii_whitespace) {
            return decode(&raw.body);
        }
        let location = raw
            .headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        match session_code_from_location(location) {
            Some(code) => self.session(&code).await,
            None if raw.status.is_redirection() => Err(Error::UnexpectedRedirect {
                status: raw.status.as_u16(),
            }),
            None => Err(Error::Decode {
                message: "the server created a session but returned no session data".into(),
                body: String::new(),
            }),
        }
    }

    /// One page of `GET /sessions`.
    pub async fn sessions_page(
        &self,
        query: &crate::models::SessionQuery,
        offset: Option<&str>,
    ) -> Result<crate::models::SessionPage> {
        self.get_json(&["sessions"], &query.to_pairs(offset)).await
    }

    /// All pages of `GET /sessions`, in server order (capped at 1,000 pages; a cursor that
    /// repeats ends the run with an error instead of looping).
    pub async fn list_sessions(
        &self,
        query: &crate::models::SessionQuery,
    ) -> Result<Vec<crate::models::SupportSession>> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        for _ in 0..MAX_PAGES {
            let page = self.sessions_page(query, cursor.as_deref()).await?;
            all.extend(page.sessions.iter().cloned());
            match page.next() {
                None => return Ok(dedupe_sessions(all)),
                Some(next) if !seen.insert(next.to_owned()) => {
                    return Err(paging_loop());
                }
                Some(next) => cursor = Some(next.to_owned()),
            }
        }
        Err(paging_loop())
    }

    /// `GET /sessions/{code}`.
    pub async fn session(&self, code: &str) -> Result<crate::models::SupportSession> {
        self.get_json(&["sessions", code.trim()], &[]).await
    }

    /// `PUT /sessions/{code}` with the fields that are set.
    pub async fn update_session(
        &self,
        code: &str,
        update: &crate::models::SessionUpdate,
    ) -> Result<()> {
        let body = serde_json::to_value(update).map_err(|e| Error::Config {
            message: format!("cannot encode the update: {e}"),
        })?;
        self.put_json(&["sessions", code.trim()], body).await
    }

    /// Closes a session: `PUT /sessions/{code}` with `{"state":"closed"}`.
    pub async fn close_session(&self, code: &str) -> Result<()> {
        self.update_session(code, &crate::models::SessionUpdate::close())
            .await
    }

    /// One page of `GET /reports/connections` (at most 1,000 records, newest end date first).
    pub async fn reports_page(
        &self,
        query: &crate::models::ReportQuery,
        offset_id: Option<&str>,
    ) -> Result<crate::models::ReportPage> {
        self.get_json(&["reports", "connections"], &query.to_pairs(offset_id))
            .await
    }

    /// `GET /reports/connections/{id}`.
    pub async fn report(&self, id: &str) -> Result<crate::models::ConnectionReport> {
        self.get_json(&["reports", "connections", id], &[]).await
    }

    /// `PUT /reports/connections/{id}` with notes and/or billing state.
    pub async fn update_report(
        &self,
        id: &str,
        update: &crate::models::ReportUpdate,
    ) -> Result<()> {
        let body = serde_json::to_value(update).map_err(|e| Error::Config {
            message: format!("cannot encode the update: {e}"),
        })?;
        self.put_json(&["reports", "connections", id], body).await
    }
}

#[async_trait]
impl crate::logs::ReportPager for TeamViewerClient {
    async fn report_page(
        &self,
        query: &crate::models::ReportQuery,
        offset_id: Option<&str>,
    ) -> Result<crate::models::ReportPage> {
        self.reports_page(query, offset_id).await
    }

    /// The undecoded body, so that [`crate::logs::ReportFetch`] can request the next page
    /// while this one is decoded.
    async fn report_page_body(
        &self,
        query: &crate::models::ReportQuery,
        offset_id: Option<&str>,
    ) -> Result<crate::logs::PageBody> {
        let raw = self
            .execute(
                reqwest::Method::GET,
                self.url(&["reports", "connections"])?,
                &query.to_pairs(offset_id),
                None,
                false,
            )
            .await?;
        Ok(crate::logs::PageBody::Json(raw.body))
    }
}

/// Upper bound of pages one listing follows.
const MAX_PAGES: usize = 1_000;

fn paging_loop() -> Error {
    Error::Decode {
        message: "the server's paging cursor repeats; stopped to avoid an endless loop".into(),
        body: String::new(),
    }
}

fn dedupe_sessions(all: Vec<crate::models::SupportSession>) -> Vec<crate::models::SupportSession> {
    let mut seen = std::collections::HashSet::new();
    all.into_iter()
        .filter(|s| seen.insert(s.code.clone()))
        .collect()
}

/// The session code at the end of a `Location` such as `/api/v1/sessions/s123-456-789`.
fn session_code_from_location(location: &str) -> Option<String> {
    let path = location.split(['?', '#']).next()?;
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    let code_like = last.len() > 1
        && last.starts_with('s')
        && last[1..].bytes().all(|b| b.is_ascii_digit() || b == b'-');
    code_like.then(|| last.to_owned())
}

/// Decodes a JSON body, keeping the start of the body for diagnosis.
///
/// The body is checked to be UTF-8 once, up front, and then parsed as `&str`: parsing bytes
/// would validate every string value separately, which costs far more for a page of thousands
/// of short strings (and a JSON text must be UTF-8 either way).
pub(crate) fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T> {
    decode_text(utf8(body)?)
}

/// The body as text, or [`Error::Decode`] when it is not UTF-8.
pub(crate) fn utf8(body: &[u8]) -> Result<&str> {
    std::str::from_utf8(body).map_err(|e| not_utf8(e, body))
}

/// The [`Error::Decode`] of a body that is not UTF-8.
pub(crate) fn not_utf8(e: std::str::Utf8Error, body: &[u8]) -> Error {
    Error::Decode {
        message: format!("the response is not UTF-8: {e}"),
        body: body_excerpt(body),
    }
}

/// [`decode`] of a body already known to be UTF-8.
pub(crate) fn decode_text<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Decode {
        message: e.to_string(),
        body: body_excerpt(text.as_bytes()),
    })
}

/// At most 512 bytes of a body, lossily decoded.
pub(crate) fn body_excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(512)];
    String::from_utf8_lossy(cut).into_owned()
}

/// Connect failures, timeouts and broken-off responses: worth another try for a GET.
fn is_transient(e: &reqwest::Error) -> bool {
    e.is_connect() || e.is_timeout() || e.is_request() || e.is_body()
}

/// Maps a transport-level failure.
pub(crate) fn map_transport(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        return Error::Timeout;
    }
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message = format!("{message}: {s}");
        source = s.source();
    }
    Error::Network { message }
}

/// `Retry-After` in seconds (HTTP dates are not used by APIs like this one and are ignored).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// The TeamViewer error body.
#[derive(serde::Deserialize)]
struct ApiErrorBody {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    error_code: Option<serde_json::Value>,
}

/// Maps a non-success status and its body (JSON error or plain text) to an [`Error`].
pub(crate) fn map_status(
    status: reqwest::StatusCode,
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
) -> Error {
    let parsed: Option<ApiErrorBody> = serde_json::from_slice(body).ok();
    let (category, description, code) = match parsed {
        Some(b) => (
            b.error,
            b.error_description,
            b.error_code.and_then(|c| match c {
                serde_json::Value::Number(n) => n.as_i64(),
                serde_json::Value::String(s) => s.trim().parse().ok(),
                _ => None,
            }),
        ),
        None => (None, None, None),
    };
    let text = body_excerpt(body).trim().to_owned();
    let message = description
        .clone()
        .or_else(|| category.clone())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| {
            if text.is_empty() || text.starts_with('<') {
                status
                    .canonical_reason()
                    .unwrap_or("unexpected status")
                    .to_owned()
            } else {
                text.clone()
            }
        });
    let category_is = |c: &str| category.as_deref() == Some(c);
    if status.is_redirection() {
        return Error::UnexpectedRedirect {
            status: status.as_u16(),
        };
    }
    // Categories without a fixed status in TeamViewer's API document (2023-03) decide before
    // the status does: a rate limit comes as 403, and is not a missing permission.
    if category_is("blocked") {
        return Error::Blocked {
            message: description
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| "no reason given".to_owned()),
        };
    }
    if category_is("rate_limit_reached") || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return Error::RateLimited {
            retry_after: retry_after(headers),
        };
    }
    if category_is("token_expired") {
        // Whatever the status: the caller refreshes the token once and repeats.
        return Error::Unauthorized { message };
    }
    if status == reqwest::StatusCode::BAD_REQUEST && text.to_lowercase().contains("license limit") {
        return Error::LicenseLimit { message };
    }
    match status.as_u16() {
        401 => Error::Unauthorized { message },
        403 => Error::Forbidden { message },
        404 => Error::NotFound { message },
        500..=599 => Error::Server {
            status: status.as_u16(),
            message,
        },
        _ if category_is("invalid_permission") => Error::Forbidden { message },
        _ if category_is("not_found") => Error::NotFound { message },
        s => Error::Api {
            status: s,
            error: category,
            code,
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_url_is_normalised_to_an_origin() {
        for raw in [
            "https://webapi.teamviewer.com",
            "https://webapi.teamviewer.com/",
            "https://webapi.teamviewer.com/api/v1",
            "https://webapi.teamviewer.com/api/v1/",
        ] {
            assert_eq!(
                parse_api_url(raw).unwrap().as_str(),
                "https://webapi.teamviewer.com/",
                "{raw} names the same API"
            );
        }
        assert!(parse_api_url("ftp://x").is_err(), "only http(s) is an API");
        assert!(parse_api_url("not a url").is_err());
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let p = RetryPolicy::default();
        for retry in 0..20 {
            let d = p.backoff(retry);
            assert!(d <= p.max_delay, "retry {retry}: {d:?} exceeds the cap");
        }
        assert!(
            p.backoff(0) <= p.base_delay,
            "the first retry waits at most the base delay"
        );
        assert!(
            p.backoff(5) >= p.max_delay / 2,
            "later retries wait at least half the cap"
        );
    }

    #[test]
    fn license_limit_plain_text_is_recognised() {
        let e = map_status(
            reqwest::StatusCode::BAD_REQUEST,
            &Default::default(),
            b"Session could not be created due to license limitations.",
        );
        assert_eq!(e.kind(), crate::ErrorKind::LicenseLimit, "{e}");
    }

    #[test]
    fn json_error_body_is_mapped_by_status_and_category() {
        let body = br#"{"error":"invalid_permission","error_description":"no","error_code":7}"#;
        let e = map_status(reqwest::StatusCode::BAD_REQUEST, &Default::default(), body);
        assert_eq!(e.kind(), crate::ErrorKind::Forbidden);
        let body =
            br#"{"error":"invalid_request","error_description":"bad group","error_code":"3"}"#;
        match map_status(reqwest::StatusCode::BAD_REQUEST, &Default::default(), body) {
            Error::Api {
                status,
                error,
                code,
                message,
            } => {
                assert_eq!(
                    (status, error.as_deref(), code),
                    (400, Some("invalid_request"), Some(3))
                );
                assert_eq!(message, "bad group");
            }
            other => panic!("expected Api, got {other:?}"),
        }
    }

    #[test]
    fn location_names_the_created_session() {
        assert_eq!(
            session_code_from_location("https://x/api/v1/sessions/s123-456-789?x=1").as_deref(),
            Some("s123-456-789")
        );
        assert_eq!(session_code_from_location("https://x/elsewhere"), None);
    }

    fn status(code: u16) -> reqwest::StatusCode {
        reqwest::StatusCode::from_u16(code).unwrap()
    }

    #[test]
    fn rate_limit_reached_is_a_rate_limit_whatever_the_status() {
        let body = br#"{"error":"rate_limit_reached","error_description":"Too many calls","error_code":5}"#;
        for code in [403, 400, 429, 503] {
            let e = map_status(status(code), &Default::default(), body);
            assert_eq!(
                e.kind(),
                crate::ErrorKind::RateLimited,
                "TeamViewer answers a rate limit with 403; {code} with rate_limit_reached is one                  too, not a missing permission: {e}"
            );
        }
        let e = map_status(status(429), &Default::default(), b"");
        assert_eq!(
            e.kind(),
            crate::ErrorKind::RateLimited,
            "429 is a rate limit even without a body: {e}"
        );
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, "7".parse().unwrap());
        match map_status(status(403), &headers, body) {
            Error::RateLimited { retry_after } => assert_eq!(
                retry_after,
                Some(Duration::from_secs(7)),
                "the server's Retry-After is kept for the caller"
            ),
            other => panic!("expected RateLimited, got {other:?}"),
        }
    }

    #[test]
    fn blocked_is_its_own_kind() {
        let body = br#"{"error":"blocked","error_description":"IP blocked","error_code":9}"#;
        for code in [403, 400, 429] {
            let e = map_status(status(code), &Default::default(), body);
            assert_eq!(
                e.kind(),
                crate::ErrorKind::Blocked,
                "a blocked address is neither a permission nor a rate limit ({code}): {e}"
            );
            assert!(
                e.to_string().contains("IP blocked"),
                "the server's words: {e}"
            );
        }
    }

    #[test]
    fn forbidden_stays_forbidden_without_a_rate_limit_category() {
        let body = br#"{"error":"invalid_permission","error_description":"no","error_code":7}"#;
        let e = map_status(status(403), &Default::default(), body);
        assert_eq!(
            e.kind(),
            crate::ErrorKind::Forbidden,
            "a real missing permission is still reported as such: {e}"
        );
        let e = map_status(status(403), &Default::default(), b"");
        assert_eq!(e.kind(), crate::ErrorKind::Forbidden, "{e}");
    }

    #[test]
    fn token_expired_is_unauthorized_whatever_the_status() {
        let body = br#"{"error":"token_expired","error_code":1}"#;
        for code in [401, 400, 403] {
            let e = map_status(status(code), &Default::default(), body);
            assert_eq!(
                e.kind(),
                crate::ErrorKind::Unauthorized,
                "an expired token ({code}) must lead to the refresh-and-repeat path: {e}"
            );
        }
    }

    #[test]
    fn truncated_error_body_is_mapped_by_status() {
        let cut = br#"{"error":"internal_error","error_description":"bo"#;
        let e = map_status(status(503), &Default::default(), cut);
        assert_eq!(
            e.kind(),
            crate::ErrorKind::Server,
            "the start of a huge error body still maps by status: {e}"
        );
    }
}
