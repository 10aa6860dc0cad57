//! The desktop app's behaviour without Tauri: everything the app's commands do, so that each
//! command is a few lines of glue and every behaviour is testable headless against the sandbox.
//!
//! [`Desk`] holds the one HTTP client, the API client, the signed-in session (over an
//! injectable [`TokenStore`]), the pending browser sign-in, the sessions the app has seen (the
//! allow-list for opening links) and the loaded connection log. It is configured from
//! [`Settings`]; in sandbox mode it talks to the simulator whose origin the app passes in.
//!
//! Locking: `std::sync::Mutex`es guard small in-memory state and are never held across an
//! `.await` (network calls run on a snapshot of the current `Connection`: client, sign-in and
//! settings); the loaded log is an `Arc<Mutex<…>>` so that a CSV export can run on a blocking
//! thread.

mod dto;
mod links;
mod progress;
mod settings;
mod waits;

pub use dto::{
    AccountDto, AppInfo, AuthStatus, CopyLink, Delimiter, ExportOptions, ExportResult, GroupDto,
    LinkKind, LogPage, LogQuery, LogSummary, LogView, NewSessionForm, OpenLink, SessionDto,
    SessionListState, SettingsView,
};
pub use links::{check_link, invitation_mailto, CheckedLink, LinkRefused};
pub use progress::ProgressThrottle;
pub use settings::{Language, Mode, RedirectMode, Settings, SETTINGS_FILE};
pub use waits::{
    ApiWait, ApiWaitEvent, ApiWaitListener, ApiWaitOver, ApiWaitReason, MIN_SHOWN_WAIT,
};

use crate::auth::{
    redact_url, validate_script_token, AuthSession, LoopbackListener, MemoryStore, OAuthConfig,
    RedirectUri, SignInFlow, TokenStore, CLIENT_SECRET_NAME, WINDOW,
};
use crate::client::{build_http, parse_api_url, HttpConfig, RetryPolicy, TeamViewerClient};
use crate::clock::{Clock, SystemClock};
use crate::error::{CallbackRejection, Error, Result};
use crate::logs::{export_csv_to_path, ticket_text, FetchProgress, LogRow, LogStore, ReportFetch};
use crate::models::{ReportUpdate, SessionQuery, SupportSession};
use crate::secret::Secret;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::Url;

/// The names of the events the app emits to the UI, with their payload types (TypeScript
/// names from the generated bindings).
pub mod events {
    /// Payload [`super::AuthStatus`]: after a sign-in, sign-out or settings change.
    pub const AUTH_CHANGED: &str = "auth-changed";
    /// Payload `IpcError`: a browser sign-in ended without success (denied, expired, exchange
    /// failed). Forged or stray callbacks are not reported.
    pub const SIGN_IN_FAILED: &str = "sign-in-failed";
    /// Payload [`crate::logs::FetchProgress`]: at most about 20 per second while loading.
    pub const LOGS_PROGRESS: &str = "logs-progress";
    /// Payload [`super::ApiWait`]: an API call waits before its next attempt (rate limit, or a
    /// server or network failure with a wait of at least [`super::MIN_SHOWN_WAIT`]).
    pub const API_WAIT: &str = "api-wait";
    /// Payload [`super::ApiWaitOver`]: a call that was shown waiting has ended (answer or error).
    pub const API_WAIT_OVER: &str = "api-wait-over";
    /// Every event with its payload type, in a fixed order.
    pub const ALL: [(&str, &str); 5] = [
        (AUTH_CHANGED, "AuthStatus"),
        (SIGN_IN_FAILED, "IpcError"),
        (LOGS_PROGRESS, "FetchProgress"),
        (API_WAIT, "ApiWait"),
        (API_WAIT_OVER, "ApiWaitOver"),
    ];
}

/// Client ID of the OAuth app the sandbox registers by default (`sdesk_sandbox::DEFAULT_CLIENT_ID`).
pub const SANDBOX_CLIENT_ID: &str = "sandbox-client";
/// Its secret. Not a secret: the sandbox is a local simulator.
pub const SANDBOX_CLIENT_SECRET: &str = "sandbox-secret";
/// Largest window of rows one [`Desk::log_rows`] call returns.
pub const MAX_ROWS_PER_WINDOW: usize = 2_000;

/// How a [`Desk`] is built.
#[derive(Debug, Clone)]
pub struct DeskOptions {
    /// The settings to start with.
    pub settings: Settings,
    /// Where [`Desk::apply_settings`] saves them (`None`: not saved, for tests).
    pub settings_path: Option<PathBuf>,
    /// Tokens and the client secret in TeamViewer mode: the OS keyring in the app, a
    /// [`MemoryStore`] when the keyring is unavailable or in tests.
    pub store: Arc<dyn TokenStore>,
    /// The running sandbox's origin (`http://127.0.0.1:PORT/`), needed in sandbox mode.
    pub sandbox_origin: Option<Url>,
    /// The system locale (`de_DE.UTF-8`), for [`Language::Auto`].
    pub system_locale: Option<String>,
    /// Time source.
    pub clock: Arc<dyn Clock>,
    /// Transport settings of the one HTTP client.
    pub http: HttpConfig,
    /// Retries of idempotent API calls.
    pub retry: RetryPolicy,
    /// How long a browser sign-in waits for its callback ([`WINDOW`] by default).
    pub sign_in_window: Duration,
}

impl DeskOptions {
    /// Defaults around `settings` and `store`: no sandbox, system clock, default HTTP and retry
    /// settings (whether the keyring works is the store's [`TokenStore::persistent`]).
    pub fn new(settings: Settings, store: Arc<dyn TokenStore>) -> Self {
        Self {
            settings,
            settings_path: None,
            store,
            sandbox_origin: None,
            system_locale: None,
            clock: Arc::new(SystemClock),
            http: HttpConfig::default(),
            retry: RetryPolicy::default(),
            sign_in_window: WINDOW.to_std().unwrap_or(Duration::from_secs(300)),
        }
    }
}

/// What the app does with a sign-in callback that arrived (deep link or loopback).
#[derive(Debug)]
pub enum CallbackOutcome {
    /// Tokens were exchanged and stored: emit `auth-changed`.
    SignedIn(AuthStatus),
    /// Not ours (forged, stray, wrong redirect, nothing pending): logged without its query and
    /// otherwise ignored; a pending sign-in stays pending.
    Ignored(Error),
    /// The sign-in ended unsuccessfully (denied, expired, exchange failed): emit
    /// `sign-in-failed`.
    Failed(Error),
}

/// A started browser sign-in: open `authorize_url`, then run [`Desk::watch_sign_in`] with
/// `watch` in the background.
#[derive(Debug)]
pub struct SignInStart {
    /// The consent page with `state` and the PKCE challenge.
    pub authorize_url: Url,
    /// The loopback listener (loopback mode) and the cancellation of this sign-in.
    pub watch: SignInWatch,
}

/// Background part of one sign-in: see [`Desk::watch_sign_in`].
#[derive(Debug)]
pub struct SignInWatch {
    listener: Option<LoopbackListener>,
    cancel: CancellationToken,
    window: Duration,
}

/// The API side of the current settings. Replaced as a whole when the settings change, so a
/// call in flight keeps using the snapshot it started with.
#[derive(Debug)]
struct Connection {
    generation: u64,
    settings: Settings,
    /// The sandbox origin, in sandbox mode only.
    sandbox_origin: Option<Url>,
    api_base: Option<Url>,
    client: Option<TeamViewerClient>,
    session: Arc<AuthSession>,
}

impl Connection {
    fn client(&self) -> Result<&TeamViewerClient> {
        self.client.as_ref().ok_or_else(sandbox_missing)
    }

    fn api_base(&self) -> Result<&Url> {
        self.api_base.as_ref().ok_or_else(sandbox_missing)
    }

    fn is_sandbox(&self) -> bool {
        self.settings.mode == Mode::Sandbox
    }
}

fn sandbox_missing() -> Error {
    Error::Config {
        message: "the sandbox is not running; restart the app or switch to TeamViewer in the \
                  settings"
            .into(),
    }
}

/// The loaded connection log.
#[derive(Debug, Default)]
struct LogState {
    store: LogStore,
    /// The fetch of the last load, for resuming; `None` before the first load and while a run
    /// holds it.
    fetch: Option<ReportFetch>,
    cancel: CancellationToken,
    /// Bumped by every new load and every reset: a run that finds another generation when it
    /// ends was superseded and drops its records.
    generation: u64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The app's state and behaviour. See the module documentation.
#[derive(Debug)]
pub struct Desk {
    http: reqwest::Client,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
    store: Arc<dyn TokenStore>,
    /// Sandbox tokens stay in memory: the simulator forgets them when the app quits, and they
    /// must never mix with real TeamViewer tokens in the keyring entry the CLI shares.
    sandbox_store: Arc<dyn TokenStore>,
    system_locale: Option<String>,
    settings_path: Option<PathBuf>,
    sign_in_window: Duration,
    sandbox_origin: Mutex<Option<Url>>,
    flow: SignInFlow,
    sign_in_watch: Mutex<CancellationToken>,
    conn: Mutex<Arc<Connection>>,
    account: Mutex<Option<(u64, AccountDto)>>,
    sessions: Mutex<HashMap<String, SupportSession>>,
    logs: Arc<Mutex<LogState>>,
    waits: waits::Waits,
}

impl Desk {
    /// Builds the desk for `options.settings` (validated).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for invalid settings; [`Error::Config`] when the HTTP client
    /// cannot be built.
    pub async fn new(options: DeskOptions) -> Result<Desk> {
        options.settings.validate()?;
        let http = build_http(&options.http)?;
        let sandbox_store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
        let mut desk = Desk {
            http: http.clone(),
            retry: options.retry,
            clock: Arc::clone(&options.clock),
            store: options.store,
            sandbox_store,
            system_locale: options.system_locale,
            settings_path: options.settings_path,
            sign_in_window: options.sign_in_window,
            sandbox_origin: Mutex::new(options.sandbox_origin),
            flow: SignInFlow::new(Arc::clone(&options.clock)),
            sign_in_watch: Mutex::new(CancellationToken::new()),
            conn: Mutex::new(Arc::new(placeholder_connection(&http))),
            account: Mutex::new(None),
            sessions: Mutex::new(HashMap::new()),
            logs: Arc::default(),
            waits: waits::Waits::new(options.clock),
        };
        let conn = desk.connect(&options.settings, 1).await?;
        desk.conn = Mutex::new(Arc::new(conn));
        Ok(desk)
    }

    fn conn(&self) -> Arc<Connection> {
        Arc::clone(&lock(&self.conn))
    }

    /// Builds the API side for `settings`.
    async fn connect(&self, settings: &Settings, generation: u64) -> Result<Connection> {
        let redirect = match settings.redirect_mode {
            RedirectMode::DeepLink => RedirectUri::default(),
            RedirectMode::Loopback => RedirectUri::loopback(settings.loopback_port),
        };
        let (store, api_base, oauth, sandbox_origin) = match settings.mode {
            Mode::Sandbox => {
                let origin = lock(&self.sandbox_origin).clone();
                match origin {
                    Some(origin) => {
                        let base = parse_api_url(origin.as_str())?;
                        let oauth = OAuthConfig::for_api(
                            &base,
                            &base,
                            SANDBOX_CLIENT_ID,
                            Some(Secret::new(SANDBOX_CLIENT_SECRET)),
                            redirect,
                        )?;
                        (
                            Arc::clone(&self.sandbox_store),
                            Some(base),
                            Some(oauth),
                            Some(origin),
                        )
                    }
                    None => (Arc::clone(&self.sandbox_store), None, None, None),
                }
            }
            Mode::Teamviewer => {
                let base = parse_api_url(&settings.api_url)?;
                let login = crate::client::parse_service_url("login URL", &settings.login_url)?;
                let secret = self.client_secret().await;
                let oauth =
                    OAuthConfig::for_api(&base, &login, &settings.client_id, secret, redirect)?;
                (Arc::clone(&self.store), Some(base), Some(oauth), None)
            }
        };
        let session = Arc::new(AuthSession::new(
            store,
            oauth,
            self.http.clone(),
            Arc::clone(&self.clock),
        ));
        let client = api_base.clone().map(|base| {
            TeamViewerClient::new(self.http.clone(), base, session.clone())
                .with_retry(self.retry.clone())
        });
        Ok(Connection {
            generation,
            settings: settings.clone(),
            sandbox_origin,
            api_base,
            client,
            session,
        })
    }

    /// Runs a keyring operation on a blocking thread (Secret Service calls are synchronous).
    async fn with_store<T, F>(&self, op: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn TokenStore) -> Result<T> + Send + 'static,
    {
        crate::auth::on_blocking_thread(&self.store, op).await
    }

    /// The stored client secret; a keyring that cannot be read counts as "none" (logged).
    async fn client_secret(&self) -> Option<Secret> {
        match self.with_store(|s| s.load_secret(CLIENT_SECRET_NAME)).await {
            Ok(secret) => secret,
            Err(e) => {
                tracing::warn!(kind = %e.kind(), "cannot read the client secret: {e}");
                None
            }
        }
    }

    // ----- settings -------------------------------------------------------------------------

    /// The current settings.
    pub fn settings(&self) -> Settings {
        self.conn().settings.clone()
    }

    /// The settings for the UI, with whether a client secret is stored.
    pub async fn settings_view(&self) -> SettingsView {
        SettingsView {
            settings: self.settings(),
            has_client_secret: self.client_secret().await.is_some(),
        }
    }

    /// The language for texts the core writes (the invitation), `Auto` resolved.
    pub fn language(&self) -> Language {
        self.settings()
            .language
            .resolve(self.system_locale.as_deref())
    }

    /// Tells `listener` about the waits before retries of the desk's API calls (sessions,
    /// groups, the connection log) that are worth showing, and when such a call ends; see
    /// [`ApiWait`]. `None` stops it. Applies to calls started afterwards.
    pub fn set_wait_listener(&self, listener: Option<ApiWaitListener>) {
        self.waits.set_listener(listener);
    }

    /// Whether the desk runs against the sandbox.
    pub fn is_sandbox(&self) -> bool {
        self.conn().is_sandbox()
    }

    /// The sandbox origin in use (sandbox mode only).
    pub fn sandbox_origin(&self) -> Option<Url> {
        let conn = self.conn();
        conn.sandbox_origin.clone().filter(|_| conn.is_sandbox())
    }

    /// Tells the desk where the sandbox runs (the app starts it). Takes effect with the next
    /// [`Desk::apply_settings`].
    pub fn set_sandbox_origin(&self, origin: Option<Url>) {
        *lock(&self.sandbox_origin) = origin;
    }

    /// Validates and saves the settings (to the settings path, atomically), stores or deletes
    /// the client secret (`Some("")` deletes it), and reconnects when anything but the language
    /// changed: the pending sign-in is cancelled and the account, session list and connection
    /// log of the old connection are dropped.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for invalid settings (nothing is saved); keyring and file errors.
    pub async fn apply_settings(
        &self,
        settings: Settings,
        client_secret: Option<Secret>,
    ) -> Result<SettingsView> {
        settings.validate()?;
        // https, or http only on this machine: checked before anything is saved, so that a
        // refused URL never ends up in the settings file.
        crate::client::parse_service_url("API URL", &settings.api_url)?;
        crate::client::parse_service_url("login URL", &settings.login_url)?;
        let secret_changed = client_secret.is_some();
        if let Some(secret) = client_secret {
            let secret = Secret::new(secret.expose().trim());
            self.with_store(move |s| {
                if secret.is_empty() {
                    s.delete_secret(CLIENT_SECRET_NAME)
                } else {
                    s.save_secret(CLIENT_SECRET_NAME, &secret)
                }
            })
            .await?;
        }
        if let Some(path) = &self.settings_path {
            settings.save(path)?;
        }
        let settings = settings.normalized();
        let current = self.conn();
        let origin = lock(&self.sandbox_origin).clone();
        let origin_changed = settings.mode == Mode::Sandbox && current.sandbox_origin != origin;
        let same_connection = Settings {
            language: current.settings.language,
            ..settings.clone()
        } == current.settings
            && !secret_changed
            && !origin_changed;
        if same_connection {
            let conn = Connection {
                generation: current.generation,
                settings,
                sandbox_origin: current.sandbox_origin.clone(),
                api_base: current.api_base.clone(),
                client: current.client.clone(),
                session: Arc::clone(&current.session),
            };
            *lock(&self.conn) = Arc::new(conn);
        } else {
            if origin_changed {
                // A new simulator knows none of the old one's tokens.
                let _ = self.sandbox_store.clear();
            }
            let conn = self.connect(&settings, current.generation + 1).await?;
            *lock(&self.conn) = Arc::new(conn);
            self.cancel_sign_in();
            self.reset_account_data();
        }
        Ok(self.settings_view().await)
    }

    /// Forgets what belongs to the signed-in account: cached account, known sessions, loaded
    /// log (a running load is cancelled).
    fn reset_account_data(&self) {
        *lock(&self.account) = None;
        lock(&self.sessions).clear();
        let mut logs = lock(&self.logs);
        logs.cancel.cancel();
        logs.generation += 1;
        logs.fetch = None;
        logs.store.set_records(Vec::new());
    }

    // ----- sign-in ------------------------------------------------------------------------

    /// The sign-in state for the UI. When signed in, the account is read once (`GET /account`,
    /// no retries so that an offline start stays quick) and cached; if that read shows the
    /// sign-in has expired, the status says signed out.
    ///
    /// # Errors
    /// Store errors when the tokens are first read.
    pub async fn status(&self) -> Result<AuthStatus> {
        let conn = self.conn();
        let mut state = conn.session.status().await?;
        let mut account = None;
        if state.signed_in {
            account = self.account(&conn).await;
            if account.is_none() {
                // The read may have found the refresh token rejected (then we are signed out).
                state = conn.session.status().await?;
            }
        }
        // False for a memory store standing in for a keyring that did not work.
        let keyring_available = self
            .with_store(|s| Ok(s.persistent()))
            .await
            .unwrap_or(false);
        Ok(AuthStatus {
            signed_in: state.signed_in,
            kind: state.kind,
            expires_at: state.expires_at,
            // A store that replaced an unavailable keyring saves into memory "successfully".
            memory_only: state.memory_only
                || (state.signed_in && !keyring_available && !conn.is_sandbox()),
            keyring_available,
            sign_in_pending: self.flow.is_pending(),
            sandbox: conn.is_sandbox(),
            oauth_configured: conn.session.oauth_config().is_some(),
            account,
        })
    }

    async fn account(&self, conn: &Connection) -> Option<AccountDto> {
        if let Some((generation, account)) = lock(&self.account).clone() {
            if generation == conn.generation {
                return Some(account);
            }
        }
        let client = conn
            .client
            .as_ref()?
            .clone()
            .with_retry(RetryPolicy::none());
        match client.account().await {
            Ok(account) => {
                let account = AccountDto::from(account);
                *lock(&self.account) = Some((conn.generation, account.clone()));
                Some(account)
            }
            Err(e) => {
                tracing::warn!(kind = %e.kind(), "cannot read the account: {e}");
                None
            }
        }
    }

    /// Starts a browser sign-in: binds the loopback listener first in loopback mode (so a busy
    /// port fails now, not after the user approved), then creates the pending sign-in (state +
    /// PKCE, in memory only). A sign-in already pending is replaced.
    ///
    /// # Errors
    /// [`Error::Config`] without an OAuth client or when the loopback port is taken.
    pub async fn begin_sign_in(&self) -> Result<SignInStart> {
        let conn = self.conn();
        let oauth = conn
            .session
            .oauth_config()
            .cloned()
            .ok_or_else(|| Error::Config {
                message:
                    "no OAuth client is configured: enter the client ID of your TeamViewer app \
                      in the settings, or sign in with a script token"
                        .into(),
            })?;
        // Stop the previous sign-in's watcher first: it may hold the loopback port.
        let cancel = CancellationToken::new();
        std::mem::replace(&mut *lock(&self.sign_in_watch), cancel.clone()).cancel();
        let listener = match oauth.redirect_uri {
            RedirectUri::Loopback { port } => Some(bind_loopback(port).await?),
            RedirectUri::DeepLink(_) => None,
        };
        let authorize_url = self.flow.begin(&oauth)?;
        Ok(SignInStart {
            authorize_url,
            watch: SignInWatch {
                listener,
                cancel,
                window: self.sign_in_window,
            },
        })
    }

    /// Waits in the background for the end of a sign-in started by [`Desk::begin_sign_in`]:
    /// serves the loopback listener (loopback mode) and enforces the sign-in window. Returns
    /// `None` when the sign-in was finished some other way (deep link, cancel, a newer
    /// sign-in, settings change); otherwise the outcome to report (`Failed` with `Expired` when
    /// the window passed).
    pub async fn watch_sign_in(&self, watch: SignInWatch) -> Option<CallbackOutcome> {
        let SignInWatch {
            listener,
            cancel,
            window,
        } = watch;
        let expiry = tokio::time::sleep(window);
        tokio::pin!(expiry);
        loop {
            let next = async {
                match &listener {
                    Some(l) => l.next_callback().await,
                    None => std::future::pending::<Result<String>>().await,
                }
            };
            tokio::select! {
                () = cancel.cancelled() => return None,
                () = &mut expiry => {
                    cancel.cancel();
                    if !self.flow.cancel() {
                        return None;
                    }
                    tracing::info!("sign-in window passed without a callback");
                    return Some(CallbackOutcome::Failed(Error::CallbackRejected {
                        reason: CallbackRejection::Expired,
                    }));
                }
                received = next => match received {
                    Ok(url) => match self.complete_sign_in(&url).await {
                        CallbackOutcome::Ignored(_) => continue,
                        outcome => return Some(outcome),
                    },
                    Err(e) => {
                        self.cancel_sign_in();
                        return Some(CallbackOutcome::Failed(e));
                    }
                },
            }
        }
    }

    /// Handles a sign-in callback URL, from a deep link (running or cold start) or the loopback
    /// listener alike. Checks it against the pending sign-in (exact redirect, constant-time
    /// `state`, once, in time), exchanges the code and stores the tokens. A callback that is
    /// not ours is ignored and logged without its query; it does not end the pending sign-in.
    pub async fn complete_sign_in(&self, callback_url: &str) -> CallbackOutcome {
        let grant = match self.flow.complete(callback_url) {
            Ok(grant) => grant,
            Err(e) => {
                let nothing_pending = matches!(
                    e,
                    Error::CallbackRejected {
                        reason: CallbackRejection::NotPending
                    }
                );
                // Only the redacted URL: the query carries the code and the state.
                let url = redact_url(callback_url);
                if nothing_pending || self.flow.is_pending() {
                    tracing::warn!(%url, "ignored a sign-in callback: {e}");
                    return CallbackOutcome::Ignored(e);
                }
                tracing::warn!(%url, "the sign-in ended: {e}");
                lock(&self.sign_in_watch).cancel();
                return CallbackOutcome::Failed(e);
            }
        };
        lock(&self.sign_in_watch).cancel();
        let conn = self.conn();
        if let Err(e) = conn.session.sign_in_with_grant(grant).await {
            tracing::warn!(kind = %e.kind(), "the code exchange failed: {e}");
            return CallbackOutcome::Failed(e);
        }
        tracing::info!("signed in with TeamViewer");
        *lock(&self.account) = None;
        match self.status().await {
            Ok(status) => CallbackOutcome::SignedIn(status),
            Err(e) => CallbackOutcome::Failed(e),
        }
    }

    /// Cancels the pending browser sign-in (its callback is no longer accepted, the loopback
    /// listener closes). Returns whether one was pending.
    pub fn cancel_sign_in(&self) -> bool {
        lock(&self.sign_in_watch).cancel();
        self.flow.cancel()
    }

    /// Signs in with a pasted script token: validated with `GET /ping` first, then stored (in
    /// the keyring in TeamViewer mode). A pending browser sign-in is cancelled.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty token, [`Error::Unauthorized`] for a token the API
    /// refuses, transport and store errors.
    pub async fn sign_in_with_script_token(&self, token: Secret) -> Result<AuthStatus> {
        let token = Secret::new(token.expose().trim());
        if token.is_empty() {
            return Err(Error::invalid("script token", "is empty"));
        }
        let conn = self.conn();
        validate_script_token(&self.http, conn.api_base()?, &token).await?;
        self.cancel_sign_in();
        conn.session.sign_in_with_script_token(token).await?;
        self.reset_account_data();
        self.status().await
    }

    /// Signs out: revokes an OAuth token (best effort), clears the store, and forgets the
    /// account's sessions and loaded log.
    ///
    /// # Errors
    /// Store errors from clearing the keyring.
    pub async fn sign_out(&self) -> Result<AuthStatus> {
        self.cancel_sign_in();
        let conn = self.conn();
        let cleared = conn.session.sign_out().await;
        self.reset_account_data();
        cleared?;
        self.status().await
    }

    // ----- sessions ----------------------------------------------------------------------

    /// The groups for the session form.
    ///
    /// # Errors
    /// API and transport errors.
    pub async fn groups(&self) -> Result<Vec<GroupDto>> {
        let (client, _scope) = self.waits.observe(self.conn().client()?);
        let groups = client.groups(None).await?;
        Ok(groups
            .into_iter()
            .map(|g| GroupDto {
                id: g.id,
                name: g.name,
            })
            .collect())
    }

    /// Creates a session code from the form. Never retried (a session created twice is worse
    /// than an error the user can repeat).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for the form (nothing is sent); API errors (`license_limit`, ...).
    pub async fn create_session(&self, form: &NewSessionForm) -> Result<SessionDto> {
        let new = form.to_new_session()?;
        let session = self.conn().client()?.create_session(&new).await?;
        let dto = SessionDto::from(&session);
        self.remember(std::iter::once(session));
        Ok(dto)
    }

    /// The sessions in `state`, newest first (creation time; unknown times last).
    ///
    /// # Errors
    /// API and transport errors.
    pub async fn list_sessions(&self, state: SessionListState) -> Result<Vec<SessionDto>> {
        let query = SessionQuery {
            state: state.into(),
            ..SessionQuery::default()
        };
        let (client, scope) = self.waits.observe(self.conn().client()?);
        let mut sessions = client.list_sessions(&query).await?;
        drop(scope);
        sessions.sort_by(|a, b| {
            b.created_at
                .is_some()
                .cmp(&a.created_at.is_some())
                .then(b.created_at.cmp(&a.created_at))
                .then(a.code.cmp(&b.code))
        });
        let dtos = sessions.iter().map(SessionDto::from).collect();
        self.remember(sessions);
        Ok(dtos)
    }

    /// Closes a session and returns the open sessions afterwards.
    ///
    /// # Errors
    /// API and transport errors.
    pub async fn close_session(&self, code: &str) -> Result<Vec<SessionDto>> {
        let code = code.trim();
        if code.is_empty() {
            return Err(Error::invalid("session code", "is empty"));
        }
        self.conn().client()?.close_session(code).await?;
        self.list_sessions(SessionListState::Open).await
    }

    fn remember(&self, sessions: impl IntoIterator<Item = SupportSession>) {
        let mut known = lock(&self.sessions);
        for s in sessions {
            known.insert(s.code.clone(), s);
        }
    }

    /// The link to open or copy for a session, parsed and checked. Only a session this desk
    /// has received from the API (created or listed) is looked up, and its link must pass
    /// [`check_link`]; the invitation is the `mailto:` the app composes itself
    /// ([`invitation_mailto`], with the checked end-customer link, in the UI language), never
    /// a `mailto:` from the server.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a session code the desk has not seen or a link the API did not
    /// return; [`Error::InvalidInput`] for a link that is not allowed to be opened.
    pub fn link_for(&self, code: &str, kind: LinkKind) -> Result<CheckedLink> {
        let conn = self.conn();
        let origin = conn.sandbox_origin.as_ref().filter(|_| conn.is_sandbox());
        let code = code.trim();
        let session = lock(&self.sessions)
            .get(code)
            .cloned()
            .ok_or_else(|| Error::NotFound {
                message: format!(
                    "session {code} is not in the session list; refresh the list and try again"
                ),
            })?;
        let checked = |link: &Option<String>, what: &str| {
            let link = link.as_deref().ok_or_else(|| Error::NotFound {
                message: format!("the API returned no {what} for session {code}"),
            })?;
            check_link(link, origin).map_err(|refused| {
                // Debug formatting: the raw text may hold line breaks meant for the log.
                tracing::warn!(url = ?redact_url(link), %refused, "refused a {what} outside the allow-list");
                Error::invalid(
                    "link",
                    format!(
                        "refusing a {what} that is not an https TeamViewer address ({refused})"
                    ),
                )
            })
        };
        match kind {
            LinkKind::Supporter => checked(&session.supporter_link, "supporter link"),
            LinkKind::WebClient => checked(
                &session.webclient_supporter_link,
                "WebClient supporter link",
            ),
            LinkKind::EndCustomer => checked(&session.end_customer_link, "end-customer link"),
            LinkKind::Invitation => {
                let link = checked(&session.end_customer_link, "end-customer link")?;
                let customer = session.end_customer.as_ref();
                invitation_mailto(
                    self.language(),
                    &session.code,
                    customer.and_then(|c| c.name.as_deref()),
                    customer.and_then(|c| c.email.as_deref()),
                    &link,
                )
                .map_err(|e| Error::invalid("invitation", e.to_string()))
            }
        }
    }

    // ----- connection log ----------------------------------------------------------------

    /// Loads the connection reports matching `query`, replacing what was loaded. Resolves when
    /// paging ends: complete, cancelled ([`Desk::cancel_logs`]) or failed; in the last two cases
    /// the records received so far are kept and the summary says `incomplete` with the error.
    /// A newer load cancels this one.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for the query (nothing is requested); [`Error::Cancelled`] when a
    /// newer load or a sign-out superseded this one.
    pub async fn load_logs(
        &self,
        query: &LogQuery,
        on_progress: &mut (dyn FnMut(&FetchProgress) + Send),
    ) -> Result<LogSummary> {
        let report_query = query.to_report_query()?;
        let conn = self.conn();
        let (client, _scope) = self.waits.observe(conn.client()?);
        let (cancel, generation) = {
            let mut st = lock(&self.logs);
            st.cancel.cancel();
            st.cancel = CancellationToken::new();
            st.generation += 1;
            st.fetch = None;
            st.store.set_records(Vec::new());
            (st.cancel.clone(), st.generation)
        };
        let fetch = ReportFetch::new(report_query);
        self.run_fetch(fetch, &client, cancel, generation, true, on_progress)
            .await
    }

    /// Continues the last load from its cursor (after a cancel or an error).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when there is nothing to resume; as [`Desk::load_logs`].
    pub async fn resume_logs(
        &self,
        on_progress: &mut (dyn FnMut(&FetchProgress) + Send),
    ) -> Result<LogSummary> {
        let conn = self.conn();
        let (client, _scope) = self.waits.observe(conn.client()?);
        let (fetch, cancel, generation) = {
            let mut st = lock(&self.logs);
            let fetch = st.fetch.take().ok_or_else(|| {
                Error::invalid(
                    "connection log",
                    "there is no interrupted load to resume; load the connection log first",
                )
            })?;
            st.cancel = CancellationToken::new();
            (fetch, st.cancel.clone(), st.generation)
        };
        self.run_fetch(fetch, &client, cancel, generation, false, on_progress)
            .await
    }

    async fn run_fetch(
        &self,
        mut fetch: ReportFetch,
        client: &TeamViewerClient,
        cancel: CancellationToken,
        generation: u64,
        fresh: bool,
        on_progress: &mut (dyn FnMut(&FetchProgress) + Send),
    ) -> Result<LogSummary> {
        let outcome = fetch.run(client, &cancel, on_progress).await;
        let records = fetch.take_records();
        let mut st = lock(&self.logs);
        if st.generation != generation {
            return Err(Error::Cancelled);
        }
        let totals = if fresh {
            st.store.set_records(records)
        } else {
            st.store.extend(records)
        };
        let progress = fetch.progress();
        st.fetch = Some(fetch);
        drop(st);
        if let Err(e) = &outcome {
            tracing::info!(kind = %e.kind(), records = progress.records, "connection log incomplete: {e}");
        }
        Ok(LogSummary {
            totals,
            progress,
            incomplete: !progress.complete,
            error: outcome.err().map(|e| e.report()),
        })
    }

    /// Stops a running load between pages (its partial records are kept).
    pub fn cancel_logs(&self) {
        lock(&self.logs).cancel.cancel();
    }

    /// Filters and sorts the loaded records; returns the totals of the view and its rows from
    /// `offset` (at most `limit`, capped at [`MAX_ROWS_PER_WINDOW`]).
    pub fn apply_log_view(&self, view: &LogView, offset: usize, limit: usize) -> LogPage {
        let logs = &mut lock(&self.logs).store;
        let totals = logs.apply(&view.filter(), view.sort);
        let rows = logs.window_rows(offset, limit.min(MAX_ROWS_PER_WINDOW));
        LogPage {
            totals,
            offset,
            rows,
        }
    }

    /// At most `limit` (capped at [`MAX_ROWS_PER_WINDOW`]) rows of the view from `offset`.
    pub fn log_rows(&self, offset: usize, limit: usize) -> Vec<LogRow> {
        lock(&self.logs)
            .store
            .window_rows(offset, limit.min(MAX_ROWS_PER_WINDOW))
    }

    /// Writes exactly the rows in view, in view order, as CSV to `path` (atomically: a failed
    /// export never leaves half a file) on a blocking thread.
    ///
    /// # Errors
    /// File and CSV errors.
    pub async fn export_view(&self, path: &Path, options: ExportOptions) -> Result<ExportResult> {
        let logs = Arc::clone(&self.logs);
        let target = path.to_path_buf();
        let csv = options.into();
        let rows = tokio::task::spawn_blocking(move || {
            let st = lock(&logs);
            export_csv_to_path(st.store.view(), &target, &csv)
        })
        .await
        .map_err(|e| Error::Io(std::io::Error::other(e)))??;
        Ok(ExportResult {
            path: path.display().to_string(),
            rows,
        })
    }

    /// The ticket text block of a loaded record.
    ///
    /// # Errors
    /// [`Error::NotFound`] when no record with this id is loaded.
    pub fn ticket_text(&self, id: &str) -> Result<String> {
        lock(&self.logs)
            .store
            .get(id)
            .map(ticket_text)
            .ok_or_else(|| not_loaded(id))
    }

    /// Saves notes and billing state of a loaded record at the API (`PUT`), then in the store;
    /// returns the updated row (its `index` is its view position, or the view length when the
    /// update moved it out of the current filter).
    ///
    /// # Errors
    /// [`Error::NotFound`] when no record with this id is loaded (nothing is sent); API errors.
    pub async fn update_log_record(
        &self,
        id: &str,
        notes: &str,
        billing_state: &str,
    ) -> Result<LogRow> {
        if lock(&self.logs).store.get(id).is_none() {
            return Err(not_loaded(id));
        }
        let update = ReportUpdate {
            notes: Some(notes.to_owned()),
            billing_state: Some(billing_state.to_owned()),
        };
        self.conn().client()?.update_report(id, &update).await?;
        let mut st = lock(&self.logs);
        st.store.update_record(id, &update)?;
        let index = st
            .store
            .view_position(id)
            .unwrap_or_else(|| st.store.view_len());
        let record = st.store.get(id).ok_or_else(|| not_loaded(id))?;
        Ok(LogRow::from_record(index, record))
    }
}

fn not_loaded(id: &str) -> Error {
    Error::NotFound {
        message: format!("connection report {id} is not loaded"),
    }
}

/// Binds the loopback redirect port, retrying briefly: the previous sign-in's listener may
/// still be closing.
async fn bind_loopback(port: u16) -> Result<LoopbackListener> {
    let mut attempt = 0;
    loop {
        match LoopbackListener::bind(port).await {
            Ok(listener) => return Ok(listener),
            Err(e) if attempt >= 10 => return Err(e),
            Err(_) => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// A connection that answers nothing; replaced in [`Desk::new`] before anyone sees it.
fn placeholder_connection(http: &reqwest::Client) -> Connection {
    Connection {
        generation: 0,
        settings: Settings::default(),
        sandbox_origin: None,
        api_base: None,
        client: None,
        session: Arc::new(AuthSession::new(
            Arc::new(MemoryStore::new()),
            None,
            http.clone(),
            Arc::new(SystemClock),
        )),
    }
}
