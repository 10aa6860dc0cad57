//! What every area of the desk shares: the one HTTP client, the token stores, the clock, the
//! current [`Connection`] (settings, API client, sign-in) and the reporting of waits.
//!
//! The connection is replaced as a whole when the settings change, so a call in flight keeps
//! using the snapshot it started with. `std::sync::Mutex`es here guard small state and are never
//! held across an `.await`.

use super::settings::{Language, Mode, RedirectMode, Settings};
use super::waits::Waits;
use super::{SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET};
use crate::auth::{
    AuthSession, MemoryStore, OAuthConfig, RedirectUri, TokenStore, CLIENT_SECRET_NAME,
};
use crate::client::{parse_api_url, RetryPolicy, TeamViewerClient};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorKind, Result};
use crate::secret::Secret;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast;
use url::Url;

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The API side of the current settings. Replaced as a whole when the settings change, so a
/// call in flight keeps using the snapshot it started with.
#[derive(Debug)]
pub(super) struct Connection {
    /// Bumped by every reconnect: caches tagged with an older one are stale.
    pub(super) generation: u64,
    pub(super) settings: Settings,
    /// The sandbox origin, in sandbox mode only.
    pub(super) sandbox_origin: Option<Url>,
    pub(super) api_base: Option<Url>,
    pub(super) client: Option<TeamViewerClient>,
    pub(super) session: Arc<AuthSession>,
}

impl Connection {
    pub(super) fn client(&self) -> Result<&TeamViewerClient> {
        self.client.as_ref().ok_or_else(sandbox_missing)
    }

    pub(super) fn api_base(&self) -> Result<&Url> {
        self.api_base.as_ref().ok_or_else(sandbox_missing)
    }

    pub(super) fn is_sandbox(&self) -> bool {
        self.settings.mode == Mode::Sandbox
    }

    /// The sandbox origin when the connection runs against the sandbox (the one extra origin
    /// the link allow-list accepts).
    pub(super) fn link_origin(&self) -> Option<&Url> {
        self.sandbox_origin.as_ref().filter(|_| self.is_sandbox())
    }

    /// The same connection with other settings (a language change does not reconnect).
    pub(super) fn with_settings(&self, settings: Settings) -> Connection {
        Connection {
            generation: self.generation,
            settings,
            sandbox_origin: self.sandbox_origin.clone(),
            api_base: self.api_base.clone(),
            client: self.client.clone(),
            session: Arc::clone(&self.session),
        }
    }
}

fn sandbox_missing() -> Error {
    Error::Config {
        message: "the sandbox is not running; restart the app or switch to TeamViewer in the \
                  settings"
            .into(),
    }
}

/// The state the areas share. Built once by [`super::Desk::new`].
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) http: reqwest::Client,
    pub(super) retry: RetryPolicy,
    pub(super) clock: Arc<dyn Clock>,
    store: Arc<dyn TokenStore>,
    /// Sandbox tokens stay in memory: the simulator forgets them when the app quits, and they
    /// must never mix with real TeamViewer tokens in the keyring entry the CLI shares.
    sandbox_store: Arc<dyn TokenStore>,
    system_locale: Option<String>,
    sandbox_origin: Mutex<Option<Url>>,
    conn: Mutex<Arc<Connection>>,
    pub(super) waits: Waits,
    /// Set when the API refused the sign-in in a way a refresh cannot fix; cleared by a new
    /// sign-in, a sign-out or a reconnect.
    sign_in_lost: AtomicBool,
    /// Tells subscribers (the app, which emits `auth-changed`) that the sign-in was lost.
    auth_lost: broadcast::Sender<ErrorKind>,
}

impl Shared {
    /// Shared state with a connection that answers nothing; [`Shared::connect`] and
    /// [`Shared::replace`] put the real one in before anyone uses it.
    pub(super) fn new(
        http: reqwest::Client,
        retry: RetryPolicy,
        clock: Arc<dyn Clock>,
        store: Arc<dyn TokenStore>,
        system_locale: Option<String>,
        sandbox_origin: Option<Url>,
    ) -> Shared {
        let placeholder = placeholder_connection(&http);
        Shared {
            http,
            retry,
            waits: Waits::new(Arc::clone(&clock)),
            clock,
            store,
            sandbox_store: Arc::new(MemoryStore::new()),
            system_locale,
            sandbox_origin: Mutex::new(sandbox_origin),
            conn: Mutex::new(Arc::new(placeholder)),
            sign_in_lost: AtomicBool::new(false),
            auth_lost: broadcast::channel(16).0,
        }
    }

    /// Whether the API refused the sign-in since the last sign-in, sign-out or reconnect.
    pub(super) fn sign_in_lost(&self) -> bool {
        self.sign_in_lost.load(Ordering::SeqCst)
    }

    /// Forgets that the sign-in was lost (a new sign-in, a sign-out, a reconnect).
    pub(super) fn clear_sign_in_lost(&self) {
        self.sign_in_lost.store(false, Ordering::SeqCst);
    }

    /// Notices of a lost sign-in from now on (the kind of the rejection that ended it).
    pub(super) fn subscribe_auth_lost(&self) -> broadcast::Receiver<ErrorKind> {
        self.auth_lost.subscribe()
    }

    /// Called with the error of any API call (a user action, the log loader, the live list):
    /// when it is a rejection that a refresh cannot fix (`unauthorized` after the client's one
    /// refresh, `session_expired` after `invalid_grant`), the sign-in is forgotten and
    /// subscribers hear about it once. Returns whether the sign-in was lost by this call.
    pub(super) async fn note_error(&self, error: &Error) -> bool {
        self.note_error_kind(error.kind()).await
    }

    /// [`Shared::note_error`] by the error's kind (the live list reports only the kind).
    /// `not_signed_in` counts when the session itself forgot a rejected sign-in (another call
    /// found the refresh token rejected first).
    pub(super) async fn note_error_kind(&self, kind: ErrorKind) -> bool {
        if !matches!(
            kind,
            ErrorKind::Unauthorized | ErrorKind::SessionExpired | ErrorKind::NotSignedIn
        ) {
            return false;
        }
        let conn = self.conn();
        if kind == ErrorKind::Unauthorized {
            // The client refreshes once after a 401; a 401 after that is final.
            conn.session.forget_rejected().await;
        }
        if !conn.session.was_rejected() || self.sign_in_lost.swap(true, Ordering::SeqCst) {
            return false;
        }
        tracing::info!(%kind, "the API refused the sign-in; signed out");
        let _ = self.auth_lost.send(kind);
        true
    }

    /// The current connection (a snapshot).
    pub(super) fn conn(&self) -> Arc<Connection> {
        Arc::clone(&lock(&self.conn))
    }

    /// Makes `conn` the current connection.
    pub(super) fn replace(&self, conn: Connection) {
        *lock(&self.conn) = Arc::new(conn);
    }

    /// The sandbox origin the app passed in (whatever the mode).
    pub(super) fn configured_sandbox_origin(&self) -> Option<Url> {
        lock(&self.sandbox_origin).clone()
    }

    pub(super) fn set_sandbox_origin(&self, origin: Option<Url>) {
        *lock(&self.sandbox_origin) = origin;
    }

    /// Forgets the sandbox's tokens (a new simulator knows none of the old one's).
    pub(super) fn clear_sandbox_tokens(&self) {
        let _ = self.sandbox_store.clear();
    }

    /// The language for texts the core writes, `Auto` resolved.
    pub(super) fn language(&self) -> Language {
        self.conn()
            .settings
            .language
            .resolve(self.system_locale.as_deref())
    }

    /// Builds the API side for `settings`.
    pub(super) async fn connect(&self, settings: &Settings, generation: u64) -> Result<Connection> {
        let redirect = match settings.redirect_mode {
            RedirectMode::DeepLink => RedirectUri::default(),
            RedirectMode::Loopback => RedirectUri::loopback(settings.loopback_port),
        };
        let (store, api_base, oauth, sandbox_origin) = match settings.mode {
            Mode::Sandbox => match self.configured_sandbox_origin() {
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
            },
            Mode::Teamviewer => {
                let base = parse_api_url(&settings.api_url)?;
                let login = crate::client::parse_service_url("login URL", &settings.login_url)?;
                // Script token only: no OAuth app, so nothing to refresh or revoke with.
                let oauth = if settings.script_token_only {
                    None
                } else {
                    let secret = self.client_secret().await;
                    Some(OAuthConfig::for_api(
                        &base,
                        &login,
                        &settings.client_id,
                        secret,
                        redirect,
                    )?)
                };
                (Arc::clone(&self.store), Some(base), oauth, None)
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
    pub(super) async fn with_store<T, F>(&self, op: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn TokenStore) -> Result<T> + Send + 'static,
    {
        crate::auth::on_blocking_thread(&self.store, op).await
    }

    /// The stored client secret; a keyring that cannot be read counts as "none" (logged).
    pub(super) async fn client_secret(&self) -> Option<Secret> {
        match self.with_store(|s| s.load_secret(CLIENT_SECRET_NAME)).await {
            Ok(secret) => secret,
            Err(e) => {
                tracing::warn!(kind = %e.kind(), "cannot read the client secret: {e}");
                None
            }
        }
    }
}

/// A connection that answers nothing; replaced in [`super::Desk::new`] before anyone sees it.
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
