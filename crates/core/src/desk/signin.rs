//! Sign-in: the sign-in state for the UI, the browser sign-in (deep link or loopback
//! redirect) with its watcher, script tokens and sign-out. What the rest of the desk does on a
//! sign-in or sign-out (the live session list, forgetting the account's data) is the
//! [`super::Desk`] facade's business.

use super::connection::{lock, Connection, Shared};
use super::dto::{AccountDto, AuthStatus};
use crate::auth::{check_script_token, redact_url, LoopbackListener, RedirectUri, SignInFlow};
use crate::client::RetryPolicy;
use crate::error::{CallbackRejection, Error, Result};
use crate::secret::Secret;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::Url;

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

/// A started browser sign-in: open `authorize_url`, then run [`super::Desk::watch_sign_in`] with
/// `watch` in the background.
#[derive(Debug)]
pub struct SignInStart {
    /// The consent page with `state` and the PKCE challenge.
    pub authorize_url: Url,
    /// The loopback listener (loopback mode) and the cancellation of this sign-in.
    pub watch: SignInWatch,
}

/// Background part of one sign-in: see [`super::Desk::watch_sign_in`].
#[derive(Debug)]
pub struct SignInWatch {
    listener: Option<LoopbackListener>,
    cancel: CancellationToken,
    window: Duration,
}

/// The sign-in area of the desk.
#[derive(Debug)]
pub(super) struct SignIn {
    shared: Arc<Shared>,
    flow: SignInFlow,
    /// Cancels the watcher of the current browser sign-in.
    watch: Mutex<CancellationToken>,
    /// The account of the signed-in user, tagged with the connection generation it was read on.
    account: Mutex<Option<(u64, AccountDto)>>,
    /// How long a browser sign-in waits for its callback.
    window: Duration,
}

impl SignIn {
    pub(super) fn new(shared: Arc<Shared>, window: Duration) -> SignIn {
        SignIn {
            flow: crate::auth::SignInFlow::new(Arc::clone(&shared.clock)),
            shared,
            watch: Mutex::new(CancellationToken::new()),
            account: Mutex::new(None),
            window,
        }
    }

    /// Forgets the cached account.
    pub(super) fn forget_account(&self) {
        *lock(&self.account) = None;
    }

    /// The sign-in state for the UI. When signed in, the account is read once (`GET /account`,
    /// no retries so that an offline start stays quick) and cached; if that read shows the
    /// sign-in has expired, the status says signed out.
    ///
    /// # Errors
    /// Store errors when the tokens are first read.
    pub(super) async fn status(&self) -> Result<AuthStatus> {
        let conn = self.shared.conn();
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
            .shared
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
            sign_in_again: !state.signed_in
                && (self.shared.sign_in_lost() || conn.session.was_rejected()),
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
                self.shared.note_error(&e).await;
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
    pub(super) async fn begin_sign_in(&self) -> Result<SignInStart> {
        let conn = self.shared.conn();
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
        std::mem::replace(&mut *lock(&self.watch), cancel.clone()).cancel();
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
                window: self.window,
            },
        })
    }

    /// Waits in the background for the end of a sign-in started by [`super::Desk::begin_sign_in`]:
    /// serves the loopback listener (loopback mode) and enforces the sign-in window. Returns
    /// `None` when the sign-in was finished some other way (deep link, cancel, a newer
    /// sign-in, settings change); otherwise the outcome to report (`Failed` with `Expired` when
    /// the window passed).
    pub(super) async fn watch_sign_in(&self, watch: SignInWatch) -> Option<CallbackOutcome> {
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
    pub(super) async fn complete_sign_in(&self, callback_url: &str) -> CallbackOutcome {
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
                lock(&self.watch).cancel();
                return CallbackOutcome::Failed(e);
            }
        };
        lock(&self.watch).cancel();
        let conn = self.shared.conn();
        if let Err(e) = conn.session.sign_in_with_grant(grant).await {
            tracing::warn!(kind = %e.kind(), "the code exchange failed: {e}");
            return CallbackOutcome::Failed(e);
        }
        tracing::info!("signed in with TeamViewer");
        self.shared.clear_sign_in_lost();
        self.forget_account();
        match self.status().await {
            Ok(status) => CallbackOutcome::SignedIn(status),
            Err(e) => CallbackOutcome::Failed(e),
        }
    }

    /// Cancels the pending browser sign-in (its callback is no longer accepted, the loopback
    /// listener closes). Returns whether one was pending.
    pub(super) fn cancel_sign_in(&self) -> bool {
        lock(&self.watch).cancel();
        self.flow.cancel()
    }

    /// Signs in with a pasted script token: validated with `GET /ping` first, then stored (in
    /// the keyring in TeamViewer mode). A pending browser sign-in is cancelled.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty token, [`Error::Unauthorized`] for a token the API
    /// refuses, transport and store errors.
    pub(super) async fn sign_in_with_script_token(&self, token: Secret) -> Result<AuthStatus> {
        let token = Secret::new(token.expose().trim());
        if token.is_empty() {
            return Err(Error::invalid("script token", "is empty"));
        }
        let conn = self.shared.conn();
        // Through the desk's retry policy and wait reporting: a busy (503) or rate-limited
        // (429, `Retry-After`) server is waited out like for any other read.
        let client = crate::client::TeamViewerClient::new(
            self.shared.http.clone(),
            crate::client::parse_api_url(conn.api_base()?.as_str())?,
            Arc::new(crate::client::StaticToken::new(token.clone())),
        )
        .with_retry(self.shared.retry.clone());
        let (client, _scope) = self.shared.waits.observe(&client);
        check_script_token(&client).await?;
        self.cancel_sign_in();
        conn.session.sign_in_with_script_token(token).await?;
        self.shared.clear_sign_in_lost();
        self.forget_account();
        self.status().await
    }

    /// Signs out: revokes an OAuth token (best effort), clears the store, and forgets the
    /// account's sessions and loaded log.
    ///
    /// # Errors
    /// Store errors from clearing the keyring.
    pub(super) async fn sign_out(&self) -> Result<AuthStatus> {
        self.cancel_sign_in();
        let conn = self.shared.conn();
        let cleared = conn.session.sign_out().await;
        self.shared.clear_sign_in_lost();
        self.forget_account();
        cleared?;
        self.status().await
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
