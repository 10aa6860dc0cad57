//! `sdesk-sandbox`: a deterministic loopback simulator of the part of the TeamViewer Web API
//! that Supporter Desk uses, for tests, benchmarks, demos and the app's sandbox mode.
//!
//! It is written from `teamviewer-api.md` and does not depend on the core crate, so it checks
//! the client against the documented API instead of mirroring the client's reading of it.
//!
//! # URL layout (relative to [`Sandbox::base_url`], e.g. `http://127.0.0.1:PORT/`)
//!
//! | Path | What |
//! |---|---|
//! | `GET oauth2/authorize` (also `api/v1/oauth2/authorize`) | consent page (HTML) |
//! | `POST oauth2/authorize/decision` | consent form target: `request=<id>&decision=approve\|deny` → `302` |
//! | `POST api/v1/oauth2/token` | code exchange / refresh (form or JSON; `OAuth2` in any case) |
//! | `POST api/v1/oauth2/revoke` | revoke the bearer access token → `204` |
//! | `GET api/v1/ping`, `account`, `groups`, `users` | small endpoints |
//! | `GET/POST api/v1/sessions`, `GET/PUT/DELETE api/v1/sessions/{code}` | support sessions |
//! | `GET api/v1/reports/connections`, `GET/PUT …/connections/{id}` | connection reports |
//! | `POST sandbox/revoke-all` | test hook: revoke every OAuth sign-in (as an admin would) |
//! | `GET sandbox/join/{code}[-{token}]`, `GET sandbox/webclient?…` | pages behind session links |
//!
//! # Signing in without a browser
//!
//! `GET oauth2/authorize?response_type=code&client_id=…&redirect_uri=…&state=…[&code_challenge=…&code_challenge_method=S256]`
//! returns an HTML page whose form contains `<input type="hidden" name="request" value="ID">`
//! and two submit buttons `name="decision"` with values `approve` (id `approve`) and `deny`
//! (id `deny`). Posting `request=ID&decision=approve` (form-encoded) to
//! [`DECISION_PATH`] answers `302` with `Location: <redirect_uri>?code=…&state=…`; `deny`
//! gives `?error=access_denied&state=…`. A request id is single use and lives 10 minutes.
//! The default OAuth app is [`DEFAULT_CLIENT_ID`] / [`DEFAULT_CLIENT_SECRET`] with the
//! redirect URIs [`DEFAULT_REDIRECT_URIS`].
//!
//! # Example
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use sdesk_sandbox::{Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig::default(), "127.0.0.1:0".parse().unwrap()).await?;
//! let api = sandbox.base_url().join("api/v1/").unwrap();
//! println!("{api} with token {}", sandbox.script_token());
//! sandbox.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod api;
mod args;
mod auth;
mod config;
mod data;
mod desk;
mod error;
mod faults;
mod oauth;
mod pages;
mod paging;
mod params;
mod reports;
mod sessions;
mod state;
mod stats;
pub mod wire;

pub use args::SandboxArgs;
pub use config::{
    Faults, OAuthClient, PutFaults, RateLimitReply, SandboxConfig, DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS,
};
pub use data::{generate_reports, generate_reports_over, REPORT_WINDOW_DAYS};
pub use error::LICENSE_LIMIT_TEXT;
pub use pages::{CONSENT_TITLE, DECISION_PATH};
pub use reports::BILLING_STATES;
pub use stats::Stats;
pub use wire::WireReport;

use axum::extract::Request;
use axum::http::Uri;
use axum::middleware;
use axum::routing::{get, post};
use axum::{Router, ServiceExt};
use chrono::Utc;
use state::{AppState, Shared};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower::Layer;
use url::Url;

/// Records per page of `GET /reports/connections`.
pub const REPORT_PAGE_SIZE: usize = reports::REPORT_PAGE_SIZE;
/// Sessions per page of `GET /sessions`.
pub const SESSION_PAGE_SIZE: usize = desk::SESSION_PAGE_SIZE;

/// How long [`Sandbox::shutdown`] waits for open requests before cutting them off.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running sandbox server. Dropping it stops the server too (without waiting).
#[derive(Debug)]
pub struct Sandbox {
    state: AppState,
    base_url: Url,
    script_token: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Sandbox {
    /// Generates the data of `config` and serves it on `addr` (port 0 picks a free port).
    ///
    /// Must be called inside a Tokio runtime; the server runs as a spawned task.
    pub async fn start(config: SandboxConfig, addr: SocketAddr) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(addr).await?;
        let base_url = origin(listener.local_addr()?)?;
        let now = config.now.unwrap_or_else(Utc::now);
        let (seed, records, days) = (config.seed, config.records, i64::from(config.report_days));
        // Large data sets take a moment to generate; keep the async workers free meanwhile.
        let reports =
            tokio::task::spawn_blocking(move || generate_reports_over(seed, records, now, days))
                .await
                .map_err(std::io::Error::other)?;
        let state: AppState = Arc::new(Shared::new(config, base_url.clone(), now, reports));
        let script_token = state::lock(&state.auth).script_token().to_owned();
        let app = middleware::map_request(normalize_oauth_path).layer(router(state.clone()));
        let (stop, stopped) = oneshot::channel::<()>();
        let server = axum::serve(listener, ServiceExt::<Request>::into_make_service(app))
            .with_graceful_shutdown(async {
                // A dropped sender also means "stop".
                let _ = stopped.await;
            });
        let task = tokio::spawn(async move { server.await });
        tracing::info!(%base_url, "sandbox listening");
        Ok(Sandbox {
            state,
            base_url,
            script_token,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The origin, e.g. `http://127.0.0.1:PORT/`; the API lives under `api/v1/`.
    pub fn base_url(&self) -> Url {
        self.base_url.clone()
    }

    /// A pre-issued script token (deterministic from the seed) that never expires, isn't
    /// affected by `token_expiry_after_calls` and can't be revoked.
    pub fn script_token(&self) -> String {
        self.script_token.clone()
    }

    /// A snapshot of the run's counters.
    pub fn stats(&self) -> Stats {
        self.state.stats.snapshot()
    }

    /// Number of connection reports served (without those still withheld).
    pub fn report_count(&self) -> usize {
        state::read(&self.state.reports).len()
    }

    /// Lets `count` more of the reports withheld by [`SandboxConfig::withheld_records`] into
    /// the API, the oldest withheld first, and returns how many were released (fewer when
    /// fewer were left). They appear at the front of `GET /reports/connections`, ahead of the
    /// cursor of a run in progress, like reports of sessions that just ended.
    pub fn release_records(&self, count: usize) -> usize {
        state::write(&self.state.reports).release(count)
    }

    /// How many successful `PUT /reports/connections/{id}` each report got in this run (a
    /// lost reply counts: its update was applied); reports never updated are absent.
    pub fn report_update_counts(&self) -> std::collections::HashMap<String, u32> {
        state::read(&self.state.reports).update_counts()
    }

    /// The report with this id as the API holds it now (withheld ones too), if any.
    pub fn report(&self, id: &str) -> Option<WireReport> {
        state::read(&self.state.reports).get(id).cloned()
    }

    /// Number of reports still withheld.
    pub fn withheld_records(&self) -> usize {
        state::read(&self.state.reports).withheld()
    }

    /// Stops accepting connections, lets open requests finish (up to 5 s) and returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// `http://<ip>:<port>/`, with `127.0.0.1` for an unspecified bind address.
fn origin(addr: SocketAddr) -> std::io::Result<Url> {
    let ip = match addr.ip() {
        ip if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip => ip,
    };
    let text = format!("http://{}/", SocketAddr::new(ip, addr.port()));
    Url::parse(&text).map_err(|err| std::io::Error::new(std::io::ErrorKind::InvalidInput, err))
}

fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/api/v1/ping", get(api::ping))
        .route("/api/v1/account", get(api::account))
        .route("/api/v1/groups", get(api::groups))
        .route("/api/v1/users", get(api::users))
        .route(
            "/api/v1/sessions",
            get(sessions::list).post(sessions::create),
        )
        .route(
            "/api/v1/sessions/{code}",
            get(sessions::get)
                .put(sessions::update)
                .delete(sessions::delete),
        )
        .route("/api/v1/reports/connections", get(reports::list))
        .route(
            "/api/v1/reports/connections/{id}",
            get(reports::get).put(reports::update),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            faults::inject,
        ));
    let oauth = Router::new()
        .route("/oauth2/authorize", get(oauth::authorize))
        .route("/api/v1/oauth2/authorize", get(oauth::authorize))
        .route(DECISION_PATH, post(oauth::decide))
        .route("/api/v1/oauth2/token", post(oauth::token))
        .route("/api/v1/oauth2/revoke", post(oauth::revoke))
        .route("/sandbox/revoke-all", post(oauth::revoke_all));
    let pages = Router::new()
        .route("/", get(pages::index))
        .route("/sandbox/join/{link}", get(pages::join))
        .route("/sandbox/webclient", get(pages::webclient));
    api.merge(oauth)
        .merge(pages)
        .fallback(api::not_found)
        .with_state(state)
}

/// Lower-cases `/api/v1/OAuth2/…` paths before routing: SW spells them `OAuth2`, clients
/// `oauth2`, and the real routing is evidently case-insensitive (§1.4).
async fn normalize_oauth_path(mut request: Request) -> Request {
    const PREFIX: &str = "/api/v1/oauth2/";
    let path = request.uri().path();
    let is_oauth = path
        .get(..PREFIX.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(PREFIX));
    if is_oauth && path.bytes().any(|b| b.is_ascii_uppercase()) {
        let lowered = match request.uri().query() {
            Some(query) => format!("{}?{query}", path.to_ascii_lowercase()),
            None => path.to_ascii_lowercase(),
        };
        let mut parts = request.uri().clone().into_parts();
        parts.path_and_query = lowered.parse().ok();
        if let Ok(uri) = Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    request
}
