//! The desktop app's behaviour without Tauri: everything the app's commands do, so that each
//! command is a few lines of glue and every behaviour is testable headless against the sandbox.
//!
//! [`Desk`] is a facade over one area per concern, each in its own file over a shared
//! connection (`connection.rs`: the one HTTP client, the token stores, the clock and the current
//! API client and sign-in, replaced as a whole when the settings change):
//!
//! - `signin.rs`: the sign-in state, the browser sign-in and its watcher, script tokens,
//!   sign-out;
//! - `sessions.rs`: groups, creating, listing and closing sessions, the link allow-list;
//!   `session_actions.rs`: a session's detail actions (edit, assign, invitation text), the
//!   colleagues to assign to, and closing several at once (types in `session_dto.rs`);
//! - `logs.rs`: the connection log (load, view, export, edit);
//! - `documentation_area.rs`: end-of-session documentation (the sessions to document after each
//!   archive sync; the setting, texts and notes format are `documentation.rs`);
//! - `settings_area.rs`: applying settings (the file format is `settings.rs`).
//!
//! The facade adds only what crosses areas: a sign-out or a reconnect forgets the account's
//! data in every area. It is configured from [`Settings`]; in sandbox mode it talks to the
//! simulator whose origin the app passes in.
//!
//! Locking: `std::sync::Mutex`es guard small in-memory state and are never held across an
//! `.await` (network calls run on a snapshot of the current connection).

mod archive_area;
mod archive_sync;
mod billing;
mod billing_dto;
mod connection;
mod desktop_settings;
mod documentation;
mod documentation_area;
mod dto;
mod insight;
mod links;
mod live_list;
mod live_settings;
mod logs;
mod progress;
mod session_actions;
mod session_dto;
mod sessions;
mod settings;
mod settings_area;
mod signin;
mod waiting;
mod waits;

pub use archive_area::{ArchiveStore, ArchiveSyncCounts, StoredEdit, ARCHIVE_READ_PART};
pub use archive_sync::{
    ArchiveSettings, ArchiveSyncStatus, SyncState, SyncTrigger, SYNC_DAILY_BUDGET,
};
pub use billing::{invoice_file_name, last_month};
pub use billing_dto::{
    BillingWorklist, CaseConnection, ExcludedReason, GroupRateForm, InvoiceExport, InvoiceFormat,
    MarkBilledFailure, MarkBilledProgress, MarkBilledResult, MoneyTotal, RateForm, RatesForm,
    RatesView, WorklistCase, WorklistCustomer, WorklistExcluded,
};
pub use desktop_settings::{
    CloseAction, CloseDecision, DesktopEvent, DesktopSettings, NotificationState, AUTOSTART_ARG,
};
pub use documentation::{
    documentation_notice, documented_notes, notes_are_empty, DocumentationMode,
    DocumentationNotice, DocumentationSettings, DocumentationState, UndocumentedSession,
    DOCUMENTATION_FILE, MAX_NOTES_CHARS, MAX_TICKET_CHARS,
};
pub use documentation_area::DOCUMENTATION_HORIZON_DAYS;
pub use dto::{
    AccountDto, AppInfo, ArchiveProblem, ArchiveRebuilt, AuthStatus, CopyLink, Delimiter,
    ExportFormat, ExportOptions, ExportResult, GroupDto, LinkKind, LogPage, LogQuery, LogSummary,
    LogView, NewSessionForm, OpenLink, SessionDto, SessionListState, SettingsView,
};
pub use insight::{InsightPeriod, InsightState};
pub use links::{check_link, invitation_mailto, invitation_text, CheckedLink, LinkRefused};
pub use live_list::{LiveSnapshot, LiveUpdate};
pub use live_settings::LiveSettings;
pub use progress::ProgressThrottle;
pub use session_dto::{CloseOutcome, SessionEdit, UserDto, UNASSIGNED};
pub use settings::{Language, Mode, RedirectMode, Settings, SETTINGS_FILE};
pub use waiting::{
    clean_text, tray_model, waiting_notice, TrayEntry, TrayModel, WaitingChange, WaitingNotice,
    WaitingWatch,
};
pub use waits::{
    ApiWait, ApiWaitEvent, ApiWaitListener, ApiWaitOver, ApiWaitReason, MIN_SHOWN_WAIT,
};

pub use signin::{CallbackOutcome, SignInStart, SignInWatch};

use crate::auth::{TokenStore, WINDOW};
use crate::client::{build_http, HttpConfig, RetryPolicy};
use crate::clock::{Clock, SystemClock};
use crate::error::Result;
use crate::live::LiveConfig;
use crate::logs::{FetchProgress, LogRow};
use crate::secret::Secret;
use connection::{lock, Shared};
use settings_area::{Applied, SettingsArea};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
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
    /// Payload [`super::LiveUpdate`]: a change of the live session list (sessions, groups,
    /// freshness), or a whole snapshot after updates were lost.
    pub const LIVE: &str = "live";
    /// Payload [`super::DesktopEvent`]: the tray or a notification asks for a session or the
    /// new-session form, a close while customers wait asks, notifications got blocked.
    pub const DESKTOP: &str = "desktop";
    /// Payload [`super::ArchiveSyncStatus`]: the archive's sync changed (state, progress, last
    /// sync, pending edits).
    pub const ARCHIVE_SYNC: &str = "archive-sync";
    /// Payload [`super::DocumentationState`]: the list of sessions to document changed (after
    /// a sync, a sign-in, a setting, a session documented or skipped).
    pub const DOCUMENTATION: &str = "documentation";
    /// Payload [`super::BillingWorklist`]: the unbilled worklist of the period shown changed
    /// (archive synced, rates, manual merges and splits, cases marked billed).
    pub const BILLING_WORKLIST: &str = "billing-worklist";
    /// Payload [`super::MarkBilledProgress`]: marking cases billed goes on.
    pub const BILLING_MARK_PROGRESS: &str = "billing-mark-progress";
    /// Payload [`super::InsightState`]: the Insight tab's period and figures changed.
    pub const INSIGHT: &str = "insight";
    /// Every event with its payload type, in a fixed order.
    pub const ALL: [(&str, &str); 12] = [
        (AUTH_CHANGED, "AuthStatus"),
        (SIGN_IN_FAILED, "IpcError"),
        (LOGS_PROGRESS, "FetchProgress"),
        (API_WAIT, "ApiWait"),
        (API_WAIT_OVER, "ApiWaitOver"),
        (LIVE, "LiveUpdate"),
        (DESKTOP, "DesktopEvent"),
        (ARCHIVE_SYNC, "ArchiveSyncStatus"),
        (DOCUMENTATION, "DocumentationState"),
        (BILLING_WORKLIST, "BillingWorklist"),
        (BILLING_MARK_PROGRESS, "MarkBilledProgress"),
        (INSIGHT, "InsightState"),
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
    /// [`crate::auth::MemoryStore`] when the keyring is unavailable or in tests.
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
    /// How the live session list polls (the app's defaults: 30 s visible, 2 min hidden, at
    /// most 1,800 requests a day); `None` keeps no list in the background (tests that count
    /// requests).
    pub live: Option<LiveConfig>,
    /// The connection-log archive the shell opened (`None`: the log lives in memory only).
    pub archive: Option<Arc<dyn ArchiveStore>>,
    /// The charge rates file (`<config dir>/rates.toml`; `None`: defaults, not saved).
    pub rates_path: Option<PathBuf>,
    /// The manual merges and splits of billing cases (`<data dir>/billing-overrides.json`;
    /// `None`: none can be made).
    pub billing_overrides_path: Option<PathBuf>,
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
            live: Some(LiveConfig::default()),
            archive: None,
            rates_path: None,
            billing_overrides_path: None,
        }
    }
}
/// The app's state and behaviour, one area per concern. See the module documentation.
#[derive(Debug)]
pub struct Desk {
    shared: Arc<Shared>,
    signin: Arc<signin::SignIn>,
    sessions: sessions::Sessions,
    logs: logs::Logs,
    archive_sync: Arc<archive_sync::ArchiveSync>,
    settings: SettingsArea,
    documentation: Arc<documentation_area::Documentation>,
    billing: Arc<billing::Billing>,
    insight: Arc<insight::Insight>,
}

impl Desk {
    /// Builds the desk for `options.settings` (validated).
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] for invalid settings; [`crate::Error::Config`] when the
    /// HTTP client cannot be built.
    pub async fn new(options: DeskOptions) -> Result<Desk> {
        options.settings.validate()?;
        let http = build_http(&options.http)?;
        let shared = Arc::new(Shared::new(
            http,
            options.retry,
            Arc::clone(&options.clock),
            options.store,
            options.system_locale,
            options.sandbox_origin,
        ));
        let conn = shared.connect(&options.settings, 1).await?;
        shared.replace(conn);
        let signin = Arc::new(signin::SignIn::new(
            Arc::clone(&shared),
            options.sign_in_window,
        ));
        let documentation_path = options
            .settings_path
            .as_deref()
            .and_then(Path::parent)
            .map(|dir| dir.join(DOCUMENTATION_FILE));
        let billing = Arc::new(billing::Billing::new(
            Arc::clone(&shared),
            options.archive.clone(),
            options.rates_path,
            options.billing_overrides_path,
        ));
        let archive_sync = Arc::new(archive_sync::ArchiveSync::new(
            Arc::clone(&shared),
            options.archive.clone(),
        ));
        // The worklist follows the archive: read again whenever a sync settles.
        tokio::spawn(Arc::clone(&billing).watch_archive(archive_sync.subscribe()));
        let insight = Arc::new(insight::Insight::new(
            options.archive.clone(),
            Arc::clone(&options.clock),
            options
                .settings_path
                .as_deref()
                .and_then(Path::parent)
                .map(|dir| dir.join(crate::billing::RATES_FILE)),
        ));
        Ok(Desk {
            insight,
            documentation: Arc::new(documentation_area::Documentation::new(
                Arc::clone(&shared),
                Arc::clone(&signin),
                options.archive.clone(),
                documentation_path,
            )),
            signin,
            sessions: sessions::Sessions::new(Arc::clone(&shared), options.live),
            logs: logs::Logs::new(Arc::clone(&shared), options.archive.clone()),
            archive_sync,
            settings: SettingsArea::new(Arc::clone(&shared), options.settings_path),
            billing,
            shared,
        })
    }

    /// Forgets what belongs to the signed-in account in every area: cached account, known
    /// sessions, loaded log (a running load is cancelled).
    fn reset_account_data(&self) {
        self.signin.forget_account();
        self.sessions.forget();
        self.logs.forget();
        self.documentation.forget();
    }

    // ----- settings -------------------------------------------------------------------------

    /// The current settings.
    pub fn settings(&self) -> Settings {
        self.settings.settings()
    }

    /// The settings for the UI, with whether a client secret is stored.
    pub async fn settings_view(&self) -> SettingsView {
        self.settings.view().await
    }

    /// The language for texts the core writes (the invitation), `Auto` resolved.
    pub fn language(&self) -> Language {
        self.shared.language()
    }

    /// Tells `listener` about the waits before retries of the desk's API calls (sessions,
    /// groups, the connection log) that are worth showing, and when such a call ends; see
    /// [`ApiWait`]. `None` stops it. Applies to calls started afterwards.
    pub fn set_wait_listener(&self, listener: Option<ApiWaitListener>) {
        self.shared.waits.set_listener(listener);
    }

    /// Whether the desk runs against the sandbox.
    pub fn is_sandbox(&self) -> bool {
        self.shared.conn().is_sandbox()
    }

    /// The sandbox origin in use (sandbox mode only).
    pub fn sandbox_origin(&self) -> Option<Url> {
        self.shared.conn().link_origin().cloned()
    }

    /// Tells the desk where the sandbox runs (the app starts it). Takes effect with the next
    /// [`Desk::apply_settings`].
    pub fn set_sandbox_origin(&self, origin: Option<Url>) {
        self.shared.set_sandbox_origin(origin);
    }

    /// Validates and saves the settings (to the settings path, atomically), stores or deletes
    /// the client secret (`Some("")` deletes it), and reconnects when anything but the language
    /// changed: the pending sign-in is cancelled and the account, session list and connection
    /// log of the old connection are dropped.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] for invalid settings (nothing is saved); keyring and file
    /// errors.
    pub async fn apply_settings(
        &self,
        settings: Settings,
        client_secret: Option<Secret>,
    ) -> Result<SettingsView> {
        let live_before = self.settings().live;
        let documentation_before = self.settings().documentation.mode;
        let applied = self.settings.apply(settings, client_secret).await?;
        let documentation_after = self.settings().documentation.mode;
        if applied == Applied::Reconnected {
            // The next `status` starts the list again on the new connection when signed in.
            self.sessions.stop_live().await;
            self.signin.cancel_sign_in();
            self.shared.clear_sign_in_lost();
            self.reset_account_data();
        } else if self.settings().live != live_before && self.sessions.live_running() {
            // New intervals: the list restarts with them, keeping the sign-in and the log.
            self.sessions.restart_live().await;
        }
        if documentation_before != documentation_after || applied == Applied::Reconnected {
            self.documentation
                .mode_changed(documentation_before, documentation_after)
                .await;
        }
        Ok(self.settings_view().await)
    }

    // ----- sign-in ------------------------------------------------------------------------

    /// Notices that the API refused the sign-in in a way a refresh cannot fix, from any path
    /// (the live list in the background, a user action, the log loader), with the kind of the
    /// rejection. The tokens are already forgotten and the live list stops; the app emits
    /// `auth-changed` with [`Desk::status`] (which then says `sign_in_again`).
    pub fn subscribe_auth_lost(&self) -> tokio::sync::broadcast::Receiver<crate::error::ErrorKind> {
        self.shared.subscribe_auth_lost()
    }

    /// Passes `result` on; a rejection of the sign-in that a refresh cannot fix signs out
    /// (see [`Desk::subscribe_auth_lost`]).
    async fn noted<T>(&self, result: Result<T>) -> Result<T> {
        if let Err(e) = &result {
            if self.shared.note_error(e).await {
                self.sessions.stop_live().await;
            }
        }
        result
    }

    /// As [`Desk::noted`] for a log load, whose summary carries the error that stopped it.
    async fn noted_summary(&self, result: Result<LogSummary>) -> Result<LogSummary> {
        if let Ok(LogSummary {
            error: Some(report),
            ..
        }) = &result
        {
            if self.shared.note_error_kind(report.kind).await {
                self.sessions.stop_live().await;
            }
        }
        self.noted(result).await
    }

    /// The sign-in state for the UI (see `SignIn::status`): when signed in, the account is read
    /// once and cached; if that read shows the sign-in has expired, the status says signed out.
    ///
    /// # Errors
    /// Store errors when the tokens are first read.
    pub async fn status(&self) -> Result<AuthStatus> {
        let status = self.signin.status().await?;
        // At launch when already signed in, and when a sign-in turned out rejected.
        self.sessions.sync_live(status.signed_in).await;
        Ok(status)
    }

    /// Starts a browser sign-in: binds the loopback listener first in loopback mode, then
    /// creates the pending sign-in (state + PKCE, in memory only). A sign-in already pending
    /// is replaced.
    ///
    /// # Errors
    /// [`crate::Error::Config`] without an OAuth client or when the loopback port is taken.
    pub async fn begin_sign_in(&self) -> Result<SignInStart> {
        self.signin.begin_sign_in().await
    }

    /// Waits in the background for the end of a sign-in started by [`Desk::begin_sign_in`]:
    /// serves the loopback listener (loopback mode) and enforces the sign-in window. Returns
    /// `None` when the sign-in was finished some other way; otherwise the outcome to report.
    pub async fn watch_sign_in(&self, watch: SignInWatch) -> Option<CallbackOutcome> {
        let outcome = self.signin.watch_sign_in(watch).await;
        if let Some(CallbackOutcome::SignedIn(status)) = &outcome {
            self.signed_in(status.signed_in).await;
        }
        outcome
    }

    /// Handles a sign-in callback URL (deep link or loopback): checks it against the pending
    /// sign-in, exchanges the code and stores the tokens. A callback that is not ours is
    /// ignored and logged without its query.
    pub async fn complete_sign_in(&self, callback_url: &str) -> CallbackOutcome {
        let outcome = self.signin.complete_sign_in(callback_url).await;
        if let CallbackOutcome::SignedIn(status) = &outcome {
            self.signed_in(status.signed_in).await;
        }
        outcome
    }

    /// After a sign-in: the previous account's data is gone and the live list (re)starts.
    async fn signed_in(&self, signed_in: bool) {
        self.sessions.stop_live().await;
        self.reset_account_data();
        self.sessions.sync_live(signed_in).await;
        self.documentation.refresh(false).await;
    }

    /// Cancels the pending browser sign-in. Returns whether one was pending.
    pub fn cancel_sign_in(&self) -> bool {
        self.signin.cancel_sign_in()
    }

    /// Signs in with a pasted script token (validated with `GET /ping` first, then stored).
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] for an empty token, [`crate::Error::Unauthorized`] for a
    /// token the API refuses, transport and store errors.
    pub async fn sign_in_with_script_token(&self, token: Secret) -> Result<AuthStatus> {
        let status = self.signin.sign_in_with_script_token(token).await?;
        self.signed_in(status.signed_in).await;
        Ok(status)
    }

    /// Signs out: revokes an OAuth token (best effort), clears the store, and forgets the
    /// account's sessions and loaded log.
    ///
    /// # Errors
    /// Store errors from clearing the keyring.
    pub async fn sign_out(&self) -> Result<AuthStatus> {
        // Stopped before the token is revoked (no request in flight with it), and again after,
        // in case a status read restarted the list in between.
        self.sessions.stop_live().await;
        let status = self.signin.sign_out().await;
        self.sessions.stop_live().await;
        self.reset_account_data();
        status
    }

    // ----- sessions ----------------------------------------------------------------------

    /// The groups for the session form.
    ///
    /// # Errors
    /// API and transport errors.
    pub async fn groups(&self) -> Result<Vec<GroupDto>> {
        self.noted(self.sessions.groups().await).await
    }

    /// Creates a session code from the form. Never retried.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] for the form (nothing is sent); API errors.
    pub async fn create_session(&self, form: &NewSessionForm) -> Result<SessionDto> {
        self.noted(self.sessions.create_session(form).await).await
    }

    /// The sessions in `state`, newest first (creation time; unknown times last).
    ///
    /// # Errors
    /// API and transport errors.
    pub async fn list_sessions(&self, state: SessionListState) -> Result<Vec<SessionDto>> {
        self.noted(self.sessions.list_sessions(state).await).await
    }

    /// Closes a session and returns the open sessions afterwards.
    ///
    /// # Errors
    /// API and transport errors.
    pub async fn close_session(&self, code: &str) -> Result<Vec<SessionDto>> {
        self.noted(self.sessions.close_session(code).await).await
    }

    /// The link to open or copy for a session, parsed and checked against the allow-list (see
    /// [`check_link`]); the invitation is the `mailto:` the app composes itself.
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] for a session the desk has not seen or a link the API did not
    /// return; [`crate::Error::InvalidInput`] for a link that is not allowed to be opened.
    pub fn link_for(&self, code: &str, kind: LinkKind) -> Result<CheckedLink> {
        self.sessions.link_for(code, kind)
    }

    /// The code of a session this desk knows (any state), for the detail's Copy button: only
    /// a code the API gave is ever copied, never text the UI sent.
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] for a session the desk has not seen.
    pub fn session_code(&self, code: &str) -> Result<String> {
        self.sessions.known_code(code)
    }

    /// Edits a session's description, customer and waiting message (`PUT /sessions/{code}`)
    /// and returns it as the API has it now; the live list refreshes.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] for the edit (nothing is sent) or a closed session; API
    /// errors ([`crate::Error::Forbidden`] without the permission).
    pub async fn edit_session(&self, code: &str, edit: &SessionEdit) -> Result<SessionDto> {
        self.sessions.edit_session(code, edit).await
    }

    /// Assigns a session to a colleague (`u…`, `u0` = nobody) and returns it as the API has
    /// it now; the live list refreshes.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] for a bad user id or a closed session;
    /// [`crate::Error::Forbidden`] when the token may not assign sessions to others.
    pub async fn assign_session(&self, code: &str, user_id: &str) -> Result<SessionDto> {
        self.sessions.assign_session(code, user_id).await
    }

    /// Closes each session in turn (one failure does not stop the others), with a result per
    /// session; the live list refreshes once.
    pub async fn close_sessions(&self, codes: &[String]) -> Vec<CloseOutcome> {
        self.sessions.close_sessions(codes).await
    }

    /// The colleagues to assign sessions to, by name.
    ///
    /// # Errors
    /// [`crate::Error::Forbidden`] when the token may not list users; API errors.
    pub async fn users(&self) -> Result<Vec<UserDto>> {
        self.sessions.users().await
    }

    /// The invitation of an open, valid session as plain text, signed with the signed-in
    /// account's name.
    ///
    /// # Errors
    /// As [`Desk::link_for`] for the end-customer link; store errors reading the sign-in.
    pub async fn invitation_text(&self, code: &str) -> Result<String> {
        let status = self.signin.status().await?;
        let name = status
            .account
            .map(|a| a.name)
            .filter(|n| !n.trim().is_empty());
        self.sessions.invitation_text(code, name.as_deref())
    }

    /// Updates of the live session list from now on (sessions, groups, freshness). A receiver
    /// that lags should read [`Desk::live_snapshot`] instead of applying updates.
    pub fn subscribe_live(&self) -> tokio::sync::broadcast::Receiver<LiveUpdate> {
        self.sessions.subscribe_live()
    }

    /// The whole live state: open sessions newest first, groups, status.
    pub fn live_snapshot(&self) -> LiveSnapshot {
        self.sessions.live_snapshot()
    }

    /// Whether the live list is polling (signed in).
    pub fn live_running(&self) -> bool {
        self.sessions.live_running()
    }

    /// The window became visible (30-s interval) or hidden or minimised (2-min interval).
    pub fn set_window_visible(&self, visible: bool) {
        self.sessions.set_visible(visible);
    }

    /// Refreshes the live list now (the Refresh button); the result arrives as updates.
    pub fn refresh_live(&self) {
        self.sessions.refresh_live();
    }

    // ----- connection log ----------------------------------------------------------------

    /// Loads the connection reports matching `query`, replacing what was loaded. A newer load
    /// cancels this one.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] for the query; [`crate::Error::Cancelled`] when a newer
    /// load or a sign-out superseded this one.
    pub async fn load_logs(
        &self,
        query: &LogQuery,
        on_progress: &mut (dyn FnMut(&FetchProgress) + Send),
    ) -> Result<LogSummary> {
        let result = self.logs.load_logs(query, on_progress).await;
        self.noted_summary(result).await
    }

    /// The archive's sync: state, progress, last sync, pending edits.
    pub fn archive_sync_status(&self) -> ArchiveSyncStatus {
        self.archive_sync.status()
    }

    /// Hears every change of [`Desk::archive_sync_status`].
    pub fn subscribe_archive_sync(&self) -> tokio::sync::watch::Receiver<ArchiveSyncStatus> {
        self.archive_sync.subscribe()
    }

    /// Syncs the archive now (the Sync button): sends the edits kept while offline, then reads
    /// what is new. A run already going is joined, not repeated.
    ///
    /// # Errors
    /// [`crate::Error::Config`] without an archive; `not_signed_in`; API and archive errors;
    /// `cancelled` after [`Desk::cancel_archive_sync`]. The status says the same.
    pub async fn sync_archive(&self) -> Result<ArchiveSyncStatus> {
        let settings = self.settings();
        let outcome = self
            .archive_sync
            .sync_now(&settings, SyncTrigger::User)
            .await;
        // Pages committed before an error count too.
        self.documentation.refresh(true).await;
        outcome
    }

    /// Stops a running archive sync between pages; what was committed stays.
    pub fn cancel_archive_sync(&self) {
        self.archive_sync.cancel();
    }

    /// Starts the archive's background schedule (a sync soon after start, then every
    /// `archive.intervalMinutes` while signed in and `archive.autoSync` is on) on the current
    /// tokio runtime; it ends when `stop` is cancelled. Without an archive it does nothing.
    /// The insight's figures follow the syncs from then on (see [`Desk::insight`]).
    pub fn start_archive_schedule(&self, stop: tokio_util::sync::CancellationToken) {
        let sync = Arc::clone(&self.archive_sync);
        let follow = Arc::clone(&self.insight).follow_syncs(self.archive_sync.subscribe());
        let stop_follow = stop.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = follow => {}
                () = stop_follow.cancelled() => {}
            }
        });
        let mut status = sync.subscribe();
        tokio::spawn(sync.schedule(stop.clone()));
        // After every run (background or not) the documentation list is read again.
        let documentation = Arc::clone(&self.documentation);
        tokio::spawn(async move {
            let mut was_syncing = status.borrow().state == SyncState::Syncing;
            loop {
                tokio::select! {
                    () = stop.cancelled() => return,
                    changed = status.changed() => if changed.is_err() { return },
                }
                let syncing = status.borrow_and_update().state == SyncState::Syncing;
                if was_syncing && !syncing {
                    documentation.refresh(true).await;
                }
                was_syncing = syncing;
            }
        });
    }

    // ----- insight ------------------------------------------------------------------------

    /// Computes the Insight tab's figures for `period` from the archive (no network) and
    /// publishes them (see [`Desk::subscribe_insight`]); a newer request supersedes this one.
    /// After each sync that changed the archive the current period is computed again (once
    /// [`Desk::start_archive_schedule`] runs).
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] for a period that ends before it starts; archive errors.
    pub async fn insight(&self, period: InsightPeriod) -> Result<InsightState> {
        self.insight.compute(period).await
    }

    /// The Insight tab's state now.
    pub fn insight_state(&self) -> InsightState {
        self.insight.state()
    }

    /// Hears every change of [`Desk::insight_state`].
    pub fn subscribe_insight(&self) -> tokio::sync::watch::Receiver<InsightState> {
        self.insight.subscribe()
    }

    /// Loads the archived records matching `query` from the archive, without any network,
    /// replacing what was loaded (the log view at launch, offline too). A running load is
    /// cancelled. With `first_screen` (a view that shows nothing yet: the launch, a Load) the
    /// period's 100 newest replace the loaded log first, announced through `on_progress`;
    /// without it (a re-read under rows on screen) the loaded log stays whole until the new
    /// one replaces it.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] for the query; [`crate::Error::Config`] when the desk has
    /// no archive; the archive's errors (`database`).
    pub async fn load_archived_logs(
        &self,
        query: &LogQuery,
        first_screen: bool,
        on_progress: &mut (dyn FnMut(&FetchProgress) + Send),
    ) -> Result<LogSummary> {
        self.logs
            .load_archived_logs(query, first_screen, on_progress)
            .await
    }

    /// Whether the desk has an archive to read the log from.
    pub fn has_archive(&self) -> bool {
        self.logs.has_archive()
    }

    /// Continues the last load from its cursor (after a cancel or an error).
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] when there is nothing to resume; as [`Desk::load_logs`].
    pub async fn resume_logs(
        &self,
        on_progress: &mut (dyn FnMut(&FetchProgress) + Send),
    ) -> Result<LogSummary> {
        let result = self.logs.resume_logs(on_progress).await;
        self.noted_summary(result).await
    }

    /// Stops a running load between pages (its partial records are kept).
    pub fn cancel_logs(&self) {
        self.logs.cancel_logs();
    }

    /// Filters and sorts the loaded records; returns the totals of the view and its rows from
    /// `offset` (at most `limit`, capped at [`MAX_ROWS_PER_WINDOW`]).
    pub fn apply_log_view(&self, view: &LogView, offset: usize, limit: usize) -> LogPage {
        self.logs.apply_log_view(view, offset, limit)
    }

    /// At most `limit` (capped at [`MAX_ROWS_PER_WINDOW`]) rows of the view from `offset`.
    pub fn log_rows(&self, offset: usize, limit: usize) -> Vec<LogRow> {
        self.logs.log_rows(offset, limit)
    }

    /// Writes exactly the rows in view, in view order, as CSV or XLSX to `path` (atomically).
    ///
    /// # Errors
    /// File and CSV errors.
    pub async fn export_view(&self, path: &Path, options: ExportOptions) -> Result<ExportResult> {
        self.logs.export_view(path, options).await
    }

    /// The ticket text block of a loaded record.
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] when no record with this id is loaded.
    pub fn ticket_text(&self, id: &str) -> Result<String> {
        self.logs.ticket_text(id)
    }

    // ----- end-of-session documentation ------------------------------------------------------

    /// The sessions of the signed-in supporter to document, read again from the archive.
    pub async fn documentation(&self) -> DocumentationState {
        self.documentation.refresh(false).await;
        self.documentation.state()
    }

    /// Hears every change of the documentation list.
    pub fn subscribe_documentation(&self) -> tokio::sync::watch::Receiver<DocumentationState> {
        self.documentation.subscribe()
    }

    /// Hears the sessions that became undocumented in a sync, as the notification to show
    /// (once per sync; none when nothing new).
    pub fn subscribe_documentation_notices(
        &self,
    ) -> tokio::sync::broadcast::Receiver<DocumentationNotice> {
        self.documentation.subscribe_notices()
    }

    /// Documents a listed session: its notes become `notes`, plus `Ticket: …` on a line of its
    /// own when a ticket number is given ([`documented_notes`]), written by the log view's edit
    /// path (API, then the loaded log and the archive; a pending edit while the API cannot be
    /// reached). The session leaves the list.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] for the notes or ticket (nothing is sent);
    /// [`crate::Error::NotFound`] for a session not on the list; API errors (the session stays
    /// listed).
    pub async fn document_session(
        &self,
        id: &str,
        notes: &str,
        ticket: &str,
    ) -> Result<DocumentationState> {
        let text = documented_notes(notes, ticket)?;
        let record = self.documentation.record(id)?;
        let written = self.logs.write_notes(&record, &text).await;
        let pending = self.noted(written).await?;
        if pending {
            self.archive_sync.refresh_from_archive().await;
        }
        self.documentation.documented(id).await;
        Ok(self.documentation.state())
    }

    /// Skips a listed session (the setting "ask" only): it is not asked about again.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] when documentation is required;
    /// [`crate::Error::NotFound`] for a session not on the list.
    pub async fn skip_documentation(&self, id: &str) -> Result<DocumentationState> {
        self.documentation.skip(id).await?;
        Ok(self.documentation.state())
    }

    /// Saves notes and billing state of a loaded record at the API (`PUT`), then in the store
    /// and the archive. When the API cannot be reached (network error, timeout) and the desk has
    /// an archive, the edit is kept there as pending and applied to the loaded record; the
    /// archive-sync status (its pending edits, for the log view's marker) says so at once.
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] when no record with this id is loaded; API errors (network
    /// errors only without an archive); the archive's errors for a pending edit.
    pub async fn update_log_record(
        &self,
        id: &str,
        notes: &str,
        billing_state: &str,
    ) -> Result<LogRow> {
        let result = self.logs.update_log_record(id, notes, billing_state).await;
        if result.is_ok() {
            self.archive_sync.refresh_from_archive().await;
            // A billing state changed in the log: the worklist and the insight's billed and
            // unbilled amounts show it at once.
            self.billing.recompute().await;
            self.insight.recompute().await;
        }
        self.noted(result).await
    }

    // ----- billing ------------------------------------------------------------------------

    /// The charge rates in use for Settings → Billing (the defaults, with the problem, when
    /// `rates.toml` is invalid; the file is left as it is).
    pub fn billing_rates(&self) -> RatesView {
        self.billing.rates_view()
    }

    /// The charge rates in use.
    pub fn rates(&self) -> crate::billing::Rates {
        self.billing.rates()
    }

    /// Checks and saves the charge rates to `rates.toml` (atomically); the worklist is priced
    /// again with them.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the field (nothing is saved); file errors.
    pub async fn save_billing_rates(&self, form: &RatesForm) -> Result<RatesView> {
        let view = self.billing.save_rates(form).await?;
        // The insight prices its billed and unbilled amounts with the rates too.
        self.insight.recompute().await;
        Ok(view)
    }

    /// Shows the unbilled worklist of `from` ≤ start < `to` (each defaults to the last
    /// calendar month) from now on: it is read from the archive now and again after every
    /// sync, rates change, manual change or Mark billed ([`Desk::subscribe_billing`]).
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] when the start is not before the end.
    pub async fn billing_worklist(
        &self,
        from: Option<chrono::DateTime<chrono::Utc>>,
        to: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<BillingWorklist> {
        self.billing.open_period(from, to).await
    }

    /// Hears every new worklist (`None` until a period is opened).
    pub fn subscribe_billing(&self) -> tokio::sync::watch::Receiver<Option<BillingWorklist>> {
        self.billing.subscribe()
    }

    /// Merges or splits cases by hand (kept locally, never sent); returns the new worklist.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] when the change does not apply to the period's cases;
    /// file errors.
    pub async fn change_billing_cases(
        &self,
        change: crate::billing::CaseOverride,
    ) -> Result<BillingWorklist> {
        self.billing.change_cases(change).await
    }

    /// Forgets the manual merges and splits of the case named by `key` (its first connection).
    ///
    /// # Errors
    /// File errors.
    pub async fn reset_billing_case(&self, key: &str) -> Result<Option<BillingWorklist>> {
        self.billing.reset_cases(key).await
    }

    /// Marks connections of the worklist `Billed` at TeamViewer and in the archive (one `PUT`
    /// each; a failure does not stop the others), with progress; the worklist is read again.
    ///
    /// # Errors
    /// [`crate::Error::Config`] without an archive; [`crate::Error::InvalidInput`] for ids that
    /// are not unbilled connections of the worklist (nothing is sent).
    pub async fn mark_billed(
        &self,
        ids: &[String],
        progress: &mut (dyn FnMut(MarkBilledProgress) + Send),
    ) -> Result<MarkBilledResult> {
        let result = self.billing.mark_billed(ids, progress).await;
        // What was marked moves from unbilled to billed in the insight too (the worklist
        // recomputes itself).
        self.insight.recompute().await;
        self.noted(result).await
    }

    /// Stops a running Mark billed; what was sent stays marked.
    pub fn cancel_mark_billed(&self) {
        self.billing.cancel_mark();
    }

    /// The file name the save dialog proposes for an invoice export of the period shown.
    pub fn invoice_file_name(&self, customer: Option<&str>, format: InvoiceFormat) -> String {
        self.billing.invoice_file_name(customer, format)
    }

    /// Writes the invoice lines of the period shown (one per case, billed or not; one customer
    /// or all) as CSV or XLSX to `path`, atomically.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] without cases; file errors.
    pub async fn export_invoice(
        &self,
        path: &Path,
        customer: Option<&str>,
        format: InvoiceFormat,
    ) -> Result<InvoiceExport> {
        self.billing.export_invoice(path, customer, format)
    }
}
