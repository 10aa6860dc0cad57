//! The TeamViewer Web API client: one `reqwest::Client` (rustls, no redirects, timeouts, a user
//! agent), an injectable base URL, bearer auth from a [`TokenSource`], retries for GETs (with
//! rate-limit waits an observer can report), a deadline per call and a size cap per body.

use crate::error::{Error, Result};
use crate::secret::Secret;
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// The production API origin; `/api/v1/...` lives under it.
pub const DEFAULT_API_URL: &str = "https://webapi.teamviewer.com";

/// Transport settings shared by the API client and the OAuth token calls.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// TCP/TLS connect timeout.
    pub connect_timeout: Duration,
    /// Timeout of one attempt, from connecting until the whole body is read. A call that is
    /// retried is bounded as a whole by [`RetryPolicy::call_deadline`].
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
/// `http://127.0.0.1:PORT`). A trailing `/api/v1` is accepted and removed. Used for
/// `--api-url`/`SDESK_API_URL` and the app's settings.
///
/// # Errors
/// [`Error::InvalidInput`] (field "API URL") as [`parse_service_url`].
pub fn parse_api_url(raw: &str) -> Result<Url> {
    parse_service_url("API URL", raw)
}

/// [`parse_api_url`] for any service origin the app talks to (the API, the login pages), with
/// `field` naming it in errors. Plain `http` is accepted only for a loopback host
/// (`127.0.0.0/8`, `::1`, `localhost`): tokens, codes and the client secret must never cross a
/// network unencrypted. User info (`user:password@`) is refused: it would be sent as
/// credentials.
///
/// # Errors
/// [`Error::InvalidInput`] for anything that is not an `https` URL with a host, or an `http` URL
/// of a loopback host, or that carries user info.
pub fn parse_service_url(field: &str, raw: &str) -> Result<Url> {
    let mut url = Url::parse(raw.trim()).map_err(|e| Error::invalid(field, e.to_string()))?;
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return Err(Error::invalid(field, "must be an https URL with a host"));
    }
    if url.scheme() == "http" && !is_loopback_host(&url) {
        return Err(Error::invalid(
            field,
            "must use https (plain http is allowed only for 127.0.0.1, ::1 and localhost)",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid(
            field,
            "must not contain a user name or password",
        ));
    }
    let path = url.path().trim_end_matches('/').to_owned();
    let path = path.strip_suffix("/api/v1").unwrap_or(&path).to_owned();
    url.set_path(&format!("{path}/"));
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// Whether the URL's host is this machine: `127.0.0.0/8`, `::1` or `localhost`.
pub fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// How a call is retried and how long it may take. Only `GET` is retried; `POST` never is (a
/// session created twice is worse than an error the user can repeat), and neither is `PUT`.
///
/// Two kinds of failure are retried, each with its own schedule:
/// - transient ones (408, 5xx, a connection that fails or a body that breaks off): at most
///   [`max_attempts`](Self::max_attempts) attempts, short backoff;
/// - rate limits (`rate_limit_reached` with any status, TeamViewer answers 403; or 429): waits of
///   seconds growing into minutes, until [`rate_limit_budget`](Self::rate_limit_budget) of
///   waiting is spent. TeamViewer's limits are calls per licence per hour or day, so a short
///   backoff would only spend more calls.
///
/// A server's `Retry-After` replaces the backoff when it is at most
/// [`max_retry_after`](Self::max_retry_after) and fits the remaining budget; otherwise the call
/// fails at once (with [`Error::RateLimited`] carrying it, for a rate limit) instead of freezing
/// the caller.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in total after transient failures, including the first (1 = no retry).
    pub max_attempts: u32,
    /// Backoff before the first retry after a transient failure; doubles per retry, with jitter.
    pub base_delay: Duration,
    /// Upper bound of one such backoff delay.
    pub max_delay: Duration,
    /// Upper bound of a server's `Retry-After` that is honoured.
    pub max_retry_after: Duration,
    /// Wait after the first rate limit without `Retry-After`; doubles per further rate limit,
    /// with jitter.
    pub rate_limit_delay: Duration,
    /// Upper bound of one rate-limit wait without `Retry-After`.
    pub rate_limit_max_delay: Duration,
    /// Total time one call may spend waiting for rate limits to pass (zero: a rate limit fails
    /// at once). This waiting extends the call's deadline.
    pub rate_limit_budget: Duration,
    /// Deadline of one call: all attempts, bodies and waits for transient failures, plus the
    /// rate-limit waits. When it passes, the call fails with [`Error::Timeout`].
    pub call_deadline: Duration,
}

impl Default for RetryPolicy {
    /// 5 attempts with 250 ms·2ⁿ backoff (at most 8 s); rate limits waited out with 10 s·2ⁿ
    /// (at most 5 min per wait, 10 min in total); 2 minutes per call besides the rate-limit
    /// waits.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(5 * 60),
            rate_limit_delay: Duration::from_secs(10),
            rate_limit_max_delay: Duration::from_secs(5 * 60),
            rate_limit_budget: Duration::from_secs(10 * 60),
            call_deadline: Duration::from_secs(2 * 60),
        }
    }
}

impl RetryPolicy {
    /// No retries and no waiting at all (the deadline stays).
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            rate_limit_budget: Duration::ZERO,
            ..Self::default()
        }
    }

    /// Backoff before retry `retry` (0-based) after a transient failure.
    pub fn backoff(&self, retry: u32) -> Duration {
        equal_jitter(self.base_delay, self.max_delay, retry)
    }

    /// Wait before retry `retry` (0-based) after a rate limit without `Retry-After`.
    pub fn rate_limit_backoff(&self, retry: u32) -> Duration {
        equal_jitter(self.rate_limit_delay, self.rate_limit_max_delay, retry)
    }
}

/// Exponential backoff with "equal jitter": half fixed, half random, so that a burst of clients
/// does not retry in lockstep while every wait still grows.
fn equal_jitter(base: Duration, cap: Duration, retry: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << retry.min(16)).min(cap);
    let half = exp / 2;
    let half_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
    let jitter = rand::Rng::gen_range(&mut rand::thread_rng(), 0..=half_ms);
    half + Duration::from_millis(jitter)
}

/// Why a call waits before its next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitReason {
    /// TeamViewer's rate limit was reached (`rate_limit_reached`, or 429).
    RateLimit,
    /// The server failed or timed out (408, 5xx).
    Server {
        /// HTTP status.
        status: u16,
    },
    /// The connection failed, broke off or timed out.
    Network,
}

/// A wait before a retry, as told to a [`WaitObserver`]. Its `Display` is a sentence for the
/// user: "TeamViewer's rate limit was reached; waiting 1 min before attempt 2".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitNotice {
    /// Why.
    pub reason: WaitReason,
    /// How long the call waits now.
    pub delay: Duration,
    /// The attempt that follows the wait (2 for the first retry).
    pub attempt: u32,
}

impl std::fmt::Display for WaitNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.reason {
            WaitReason::RateLimit => f.write_str("TeamViewer's rate limit was reached")?,
            WaitReason::Server { status } => {
                write!(f, "the TeamViewer service failed ({status})")?;
            }
            WaitReason::Network => f.write_str("the connection to TeamViewer failed")?,
        }
        write!(
            f,
            "; waiting {} before attempt {}",
            HumanDuration(self.delay),
            self.attempt
        )
    }
}

/// "250 ms", "12 s", "1 min", "2 min 30 s".
struct HumanDuration(Duration);

impl std::fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.0;
        if d < Duration::from_secs(1) {
            return write!(f, "{} ms", d.as_millis());
        }
        let secs = (d.as_millis() + 500) / 1000;
        match (secs / 60, secs % 60) {
            (0, s) => write!(f, "{s} s"),
            (m, 0) => write!(f, "{m} min"),
            (m, s) => write!(f, "{m} min {s} s"),
        }
    }
}

/// Told about every wait before a retry, so that a user interface can say why nothing happens
/// (see [`TeamViewerClient::with_wait_observer`]). Called on the request's task: keep it quick.
pub type WaitObserver = Arc<dyn Fn(WaitNotice) + Send + Sync>;

/// Largest successful body of a page (`GET /reports/connections`, `GET /sessions`): 1,000
/// records of a few KiB each (notes, descriptions and `custom_api` of up to 4,000 characters)
/// stay far below it.
pub const PAGE_BODY_LIMIT: u64 = 64 * 1024 * 1024;
/// Largest successful body of any other call.
pub const JSON_BODY_LIMIT: u64 = 8 * 1024 * 1024;
/// At most this much of an error body is read; the rest is dropped with the connection, and
/// the status is mapped from what was read.
pub const ERROR_BODY_LIMIT: usize = 1024 * 1024;
/// Most rate-limit waits of one call, whatever their length: a server that answers
/// `Retry-After: 0` again and again is not hammered until the deadline.
const MAX_RATE_LIMIT_WAITS: u32 = 16;
/// An error body that is not complete after this long is mapped from what arrived so far.
const ERROR_BODY_WAIT: Duration = Duration::from_secs(5);

/// The TeamViewer Web API client. Cheap to clone; all clones share one connection pool.
#[derive(Debug, Clone)]
pub struct TeamViewerClient {
    http: reqwest::Client,
    base: Url,
    tokens: Arc<dyn TokenSource>,
    retry: RetryPolicy,
    observer: Observer,
}

/// The optional [`WaitObserver`] (a newtype for `Debug`).
#[derive(Clone, Default)]
struct Observer(Option<WaitObserver>);

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Some(..)" } else { "None" })
    }
}

/// A response with a success (or, where asked for, redirect) status and its whole body.
struct RawResponse {
    status: reqwest::StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

/// One logical request as [`TeamViewerClient::execute`] sends it.
struct Call<'a> {
    method: reqwest::Method,
    url: Url,
    query: &'a [(&'a str, String)],
    body: Option<serde_json::Value>,
    /// A redirect is an answer rather than an error (`POST /sessions`).
    accept_redirect: bool,
    /// Largest successful body accepted.
    limit: u64,
}

/// What one attempt produced.
enum Attempt {
    /// An accepted status and its whole body.
    Done(RawResponse),
    /// Any other status, with at most [`ERROR_BODY_LIMIT`] bytes of its body.
    Refused {
        status: reqwest::StatusCode,
        headers: reqwest::header::HeaderMap,
        body: Vec<u8>,
    },
    /// The request failed, or an accepted body broke off.
    Broken(reqwest::Error),
    /// An accepted body exceeded the call's limit (and was not read further).
    TooLarge,
}

/// What the retry loop does after a failed attempt.
enum Next {
    /// Give up with this error.
    Fail(Error),
    /// Wait, then try again; `error` is the result if the wait does not fit the deadline.
    Wait {
        reason: WaitReason,
        delay: Duration,
        error: Error,
    },
}

impl TeamViewerClient {
    /// A client for the API under `api_base` (an origin from [`parse_api_url`]), authenticating
    /// with `tokens`, using the process-wide `http` client from [`build_http`].
    pub fn new(http: reqwest::Client, api_base: Url, tokens: Arc<dyn TokenSource>) -> Self {
        Self {
            http,
            base: api_base,
            tokens,
            retry: RetryPolicy::default(),
            observer: Observer::default(),
        }
    }

    /// Replaces the retry policy (retries, rate-limit waits, the deadline of a call).
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Tells `observer` about every wait before a retry (rate limit, server error, network),
    /// so that the user learns why a call takes long. Each wait is also logged.
    pub fn with_wait_observer(mut self, observer: WaitObserver) -> Self {
        self.observer = Observer(Some(observer));
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

    /// Sends one logical request: bearer token, one refresh-and-repeat after a 401 (or
    /// `token_expired`), retries of GETs after transient failures and rate limits (see
    /// [`RetryPolicy`]), bodies read up to their limit, everything within the call's deadline;
    /// maps every failure to [`Error`].
    async fn execute(&self, call: Call<'_>) -> Result<RawResponse> {
        let idempotent = call.method == reqwest::Method::GET;
        let mut token = self.tokens.access_token().await?;
        let mut refreshed = false;
        let mut deadline = tokio::time::Instant::now() + self.retry.call_deadline;
        let mut rate_waited = Duration::ZERO;
        let mut failures: u32 = 0;
        let mut rate_limits: u32 = 0;
        let mut attempt: u32 = 1;
        loop {
            let outcome = tokio::time::timeout_at(deadline, self.attempt(&call, &token))
                .await
                .map_err(|_| Error::Timeout)?;
            let next = match outcome {
                Attempt::Done(raw) => return Ok(raw),
                Attempt::TooLarge => return Err(Error::ResponseTooLarge { limit: call.limit }),
                Attempt::Broken(e) if idempotent && is_transient(&e) => {
                    self.transient(map_transport(e), None, WaitReason::Network, failures)
                }
                Attempt::Broken(e) => Next::Fail(map_transport(e)),
                Attempt::Refused {
                    status,
                    headers,
                    body,
                } => match map_status(status, &headers, &body) {
                    Error::Unauthorized { .. } if !refreshed => {
                        refreshed = true;
                        token = self.tokens.refresh_after_unauthorized(&token).await?;
                        attempt += 1;
                        continue;
                    }
                    error @ Error::RateLimited { retry_after } if idempotent => {
                        self.rate_limit(error, retry_after, rate_waited, rate_limits)
                    }
                    error @ (Error::Server { .. } | Error::Api { status: 408, .. })
                        if idempotent =>
                    {
                        let reason = WaitReason::Server {
                            status: status.as_u16(),
                        };
                        self.transient(error, retry_after(&headers), reason, failures)
                    }
                    error => Next::Fail(error),
                },
            };
            let (reason, delay) = match next {
                Next::Fail(error) => return Err(error),
                Next::Wait {
                    reason: WaitReason::RateLimit,
                    delay,
                    ..
                } => {
                    // Rate-limit waits have a budget of their own and extend the deadline.
                    rate_limits += 1;
                    rate_waited += delay;
                    deadline += delay;
                    (WaitReason::RateLimit, delay)
                }
                Next::Wait {
                    reason,
                    delay,
                    error,
                } => {
                    // A retry that could not start before the deadline is not worth the wait.
                    if tokio::time::Instant::now() + delay >= deadline {
                        return Err(error);
                    }
                    failures += 1;
                    (reason, delay)
                }
            };
            attempt += 1;
            self.notify(WaitNotice {
                reason,
                delay,
                attempt,
            });
            tokio::time::sleep(delay).await;
        }
    }

    /// The wait after a transient failure (`error`), or the failure when the attempts are
    /// spent or the server's `Retry-After` is beyond the cap.
    fn transient(
        &self,
        error: Error,
        retry_after: Option<Duration>,
        reason: WaitReason,
        failures: u32,
    ) -> Next {
        if failures.saturating_add(1) >= self.retry.max_attempts {
            return Next::Fail(error);
        }
        let delay = match retry_after {
            Some(d) if d <= self.retry.max_retry_after => d,
            Some(_) => return Next::Fail(error),
            None => self.retry.backoff(failures),
        };
        Next::Wait {
            reason,
            delay,
            error,
        }
    }

    /// The wait after a rate limit, or `error` when it would exceed the rate-limit budget (or
    /// [`MAX_RATE_LIMIT_WAITS`]) or the server's `Retry-After` is beyond the cap.
    fn rate_limit(
        &self,
        error: Error,
        retry_after: Option<Duration>,
        waited: Duration,
        rate_limits: u32,
    ) -> Next {
        if rate_limits >= MAX_RATE_LIMIT_WAITS {
            return Next::Fail(error);
        }
        let delay = match retry_after {
            Some(d) if d <= self.retry.max_retry_after => d,
            Some(_) => return Next::Fail(error),
            None => self.retry.rate_limit_backoff(rate_limits),
        };
        if waited.saturating_add(delay) > self.retry.rate_limit_budget {
            return Next::Fail(error);
        }
        Next::Wait {
            reason: WaitReason::RateLimit,
            delay,
            error,
        }
    }

    /// Logs a wait and tells the observer.
    fn notify(&self, notice: WaitNotice) {
        if notice.reason == WaitReason::RateLimit {
            tracing::warn!(attempt = notice.attempt, delay = ?notice.delay, "{notice}");
        } else {
            tracing::info!(attempt = notice.attempt, delay = ?notice.delay, "{notice}");
        }
        if let Some(observer) = &self.observer.0 {
            observer(notice);
        }
    }

    /// Sends `call` once with `token` and reads the answer: an accepted body up to the call's
    /// limit, an error body up to [`ERROR_BODY_LIMIT`].
    async fn attempt(&self, call: &Call<'_>, token: &Secret) -> Attempt {
        let mut req = self
            .http
            .request(call.method.clone(), call.url.clone())
            .bearer_auth(token.expose())
            .header(reqwest::header::ACCEPT, "application/json");
        if !call.query.is_empty() {
            req = req.query(call.query);
        }
        if let Some(b) = &call.body {
            req = req.json(b);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return Attempt::Broken(e),
        };
        let status = resp.status();
        let headers = resp.headers().clone();
        if status.is_success() || (call.accept_redirect && status.is_redirection()) {
            return match read_limited(resp, call.limit).await {
                Ok(body) => Attempt::Done(RawResponse {
                    status,
                    headers,
                    body,
                }),
                Err(BodyError::TooLarge) => Attempt::TooLarge,
                Err(BodyError::Transport(e)) => Attempt::Broken(e),
            };
        }
        Attempt::Refused {
            status,
            headers,
            body: read_error_body(resp).await,
        }
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
        limit: u64,
    ) -> Result<T> {
        let raw = self
            .execute(Call {
                method: reqwest::Method::GET,
                url: self.url(segments)?,
                query,
                body: None,
                accept_redirect: false,
                limit,
            })
            .await?;
        decode(&raw.body)
    }

    async fn put_json(&self, segments: &[&str], body: serde_json::Value) -> Result<()> {
        self.execute(Call {
            method: reqwest::Method::PUT,
            url: self.url(segments)?,
            query: &[],
            body: Some(body),
            accept_redirect: false,
            limit: JSON_BODY_LIMIT,
        })
        .await
        .map(|_| ())
    }

    /// `GET /ping`: whether the token is valid. A 401 after the token source gave up is
    /// reported as the token source's error.
    pub async fn ping(&self) -> Result<bool> {
        let p: crate::models::Ping = self.get_json(&["ping"], &[], JSON_BODY_LIMIT).await?;
        Ok(p.token_valid)
    }

    /// `GET /account`: the signed-in account.
    pub async fn account(&self) -> Result<crate::models::Account> {
        self.get_json(&["account"], &[], JSON_BODY_LIMIT).await
    }

    /// `GET /groups`, optionally filtered by a partial `name`.
    pub async fn groups(&self, name: Option<&str>) -> Result<Vec<crate::models::Group>> {
        #[derive(serde::Deserialize)]
        struct Groups {
            #[serde(default)]
            groups: Vec<crate::models::Group>,
        }
        let query: Vec<(&str, String)> = name.map(|n| ("name", n.to_owned())).into_iter().collect();
        let g: Groups = self.get_json(&["groups"], &query, JSON_BODY_LIMIT).await?;
        Ok(g.groups)
    }

    /// `GET /users`: the company's users (needs the "view users" permission).
    pub async fn users(&self) -> Result<Vec<crate::models::User>> {
        #[derive(serde::Deserialize)]
        struct Users {
            #[serde(default)]
            users: Vec<crate::models::User>,
        }
        let u: Users = self.get_json(&["users"], &[], JSON_BODY_LIMIT).await?;
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
            .execute(Call {
                method: reqwest::Method::POST,
                url: self.url(&["sessions"])?,
                query: &[],
                body: Some(body),
                accept_redirect: true,
                limit: JSON_BODY_LIMIT,
            })
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

    /// One page of `GET /sessions`: up to 1,000 sessions, the server's page size (the API has
    /// no size parameter), so the body may be as large as a report page.
    pub async fn sessions_page(
        &self,
        query: &crate::models::SessionQuery,
        offset: Option<&str>,
    ) -> Result<crate::models::SessionPage> {
        self.get_json(&["sessions"], &query.to_pairs(offset), PAGE_BODY_LIMIT)
            .await
    }

    /// All pages of `GET /sessions`, in server order (capped at 1,000 pages of up to 1,000
    /// sessions; a cursor that repeats ends the run with an error instead of looping).
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
        self.get_json(&["sessions", code.trim()], &[], JSON_BODY_LIMIT)
            .await
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
        self.get_json(
            &["reports", "connections"],
            &query.to_pairs(offset_id),
            PAGE_BODY_LIMIT,
        )
        .await
    }

    /// `GET /reports/connections/{id}`.
    pub async fn report(&self, id: &str) -> Result<crate::models::ConnectionReport> {
        self.get_json(&["reports", "connections", id], &[], JSON_BODY_LIMIT)
            .await
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

    /// The undecoded body (at most [`PAGE_BODY_LIMIT`]), so that [`crate::logs::ReportFetch`]
    /// can request the next page while this one is decoded.
    async fn report_page_body(
        &self,
        query: &crate::models::ReportQuery,
        offset_id: Option<&str>,
    ) -> Result<crate::logs::PageBody> {
        let query = query.to_pairs(offset_id);
        let raw = self
            .execute(Call {
                method: reqwest::Method::GET,
                url: self.url(&["reports", "connections"])?,
                query: &query,
                body: None,
                accept_redirect: false,
                limit: PAGE_BODY_LIMIT,
            })
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
/// (`Response::chunk` reports a body that broke off as a decode error.)
fn is_transient(e: &reqwest::Error) -> bool {
    e.is_connect() || e.is_timeout() || e.is_request() || e.is_body() || e.is_decode()
}

/// Why a body was not read in full.
pub(crate) enum BodyError {
    /// It is longer than the limit.
    TooLarge,
    /// It broke off or timed out.
    Transport(reqwest::Error),
}

/// Reads a body of at most `limit` bytes, chunk by chunk. A longer one is refused as soon as
/// that is known (from `Content-Length`, or while reading): at most `limit` bytes are ever held,
/// and the rest is dropped with the connection.
pub(crate) async fn read_limited(
    mut resp: reqwest::Response,
    limit: u64,
) -> std::result::Result<Vec<u8>, BodyError> {
    let announced = resp.content_length().unwrap_or(0);
    if announced > limit {
        return Err(BodyError::TooLarge);
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Transport)? {
        if chunk.len() > limit - body.len() {
            return Err(BodyError::TooLarge);
        }
        if body.is_empty() && body.capacity() < chunk.len() {
            // Takes over the buffer when the body arrives in one piece, instead of copying.
            body = Vec::from(chunk);
        } else {
            body.extend_from_slice(&chunk);
        }
    }
    Ok(body)
}

/// Reads the start of an error body: at most [`ERROR_BODY_LIMIT`] bytes, for at most
/// [`ERROR_BODY_WAIT`]. What arrived is returned even when the body is longer, broke off or
/// stalled: the status decides the error, the body only adds the server's words.
pub(crate) async fn read_error_body(mut resp: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    let read = async {
        while body.len() < ERROR_BODY_LIMIT {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    let room = ERROR_BODY_LIMIT - body.len();
                    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                Ok(None) | Err(_) => break,
            }
        }
    };
    // A timeout only ends the reading; what was read stays.
    let _ = tokio::time::timeout(ERROR_BODY_WAIT, read).await;
    body
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
    fn plain_http_is_refused_except_for_loopback() {
        for insecure in [
            "http://webapi.teamviewer.com",
            "http://10.0.0.1:8080",
            "http://127.0.0.1.example.com",
            "http://localhost.example.com",
            "http://[::2]:80",
        ] {
            let err = parse_api_url(insecure).expect_err(insecure);
            assert_eq!(
                err.kind(),
                crate::ErrorKind::InvalidInput,
                "{insecure}: tokens must not travel over plain http to another machine"
            );
            assert!(
                err.to_string().contains("https"),
                "the message tells the user what to use instead: {err}"
            );
        }
        for loopback in [
            "http://127.0.0.1:8080",
            "http://127.5.6.7",
            "http://[::1]:9000/",
            "http://localhost:3000",
            "http://LOCALHOST",
            "https://webapi.teamviewer.com",
        ] {
            assert!(
                parse_api_url(loopback).is_ok(),
                "{loopback}: https anywhere and http on this machine (the sandbox) are allowed"
            );
        }
    }

    #[test]
    fn user_info_is_refused() {
        assert!(
            parse_api_url("https://user:pw@webapi.teamviewer.com").is_err(),
            "credentials in the URL would be sent as basic auth with every request"
        );
        assert_eq!(
            parse_service_url("login URL", "http://example.com")
                .expect_err("plain http")
                .to_string()
                .split(':')
                .next(),
            Some("login URL"),
            "the error names the field it is about"
        );
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

    #[test]
    fn rate_limit_backoff_grows_into_minutes_and_stays_bounded() {
        let p = RetryPolicy::default();
        assert!(
            p.rate_limit_backoff(0) >= p.rate_limit_delay / 2
                && p.rate_limit_backoff(0) <= p.rate_limit_delay,
            "the first rate-limit wait is seconds, not milliseconds"
        );
        for retry in 0..20 {
            assert!(
                p.rate_limit_backoff(retry) <= p.rate_limit_max_delay,
                "retry {retry} exceeds the cap"
            );
        }
        assert!(
            p.rate_limit_backoff(6) >= Duration::from_secs(60),
            "later rate-limit waits reach minutes"
        );
        let total: Duration = (0..5).map(|r| p.rate_limit_backoff(r)).sum();
        assert!(
            total <= p.rate_limit_budget,
            "the default budget allows at least five rate-limit waits"
        );
        assert_eq!(
            RetryPolicy::none().rate_limit_budget,
            Duration::ZERO,
            "no retries means no waiting for rate limits either"
        );
    }

    #[test]
    fn wait_notice_reads_as_a_sentence() {
        let n = WaitNotice {
            reason: WaitReason::RateLimit,
            delay: Duration::from_secs(60),
            attempt: 2,
        };
        assert_eq!(
            n.to_string(),
            "TeamViewer's rate limit was reached; waiting 1 min before attempt 2"
        );
        let n = WaitNotice {
            reason: WaitReason::Server { status: 503 },
            delay: Duration::from_millis(250),
            attempt: 3,
        };
        assert_eq!(
            n.to_string(),
            "the TeamViewer service failed (503); waiting 250 ms before attempt 3"
        );
        let n = WaitNotice {
            reason: WaitReason::Network,
            delay: Duration::from_millis(150_400),
            attempt: 4,
        };
        assert_eq!(
            n.to_string(),
            "the connection to TeamViewer failed; waiting 2 min 30 s before attempt 4"
        );
    }
}
