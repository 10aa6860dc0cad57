//! The signed-in session: the current tokens, proactive and single-flight refresh, persistence,
//! sign-out. It is the [`TokenSource`] of the API client.

use super::config::OAuthConfig;
use super::oauth::{exchange_code, refresh, revoke};
use super::pending::AuthorizationGrant;
use super::store::TokenStore;
use super::tokens::{api_origin_of, default_api_origin, TokenKind, TokenSet};
use crate::client::TokenSource;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::secret::Secret;
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use url::Url;

/// Refresh an access token this long before it expires, so that a request never starts with a
/// token that dies in flight.
pub const REFRESH_MARGIN: TimeDelta = TimeDelta::minutes(5);

/// What the UI may know about the sign-in: never a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthState {
    /// Whether tokens for this session's API origin are held (tokens stored for another
    /// origin do not count: they are never sent here).
    pub signed_in: bool,
    /// OAuth or script token, when signed in.
    pub kind: Option<TokenKind>,
    /// When the access token expires, when known (it is refreshed before that).
    pub expires_at: Option<DateTime<Utc>>,
    /// The keyring could not store the tokens: the sign-in lasts only until the app quits.
    pub memory_only: bool,
    /// The API origin the stored tokens belong to, when any are stored (also when it is not
    /// this session's origin and `signed_in` is therefore false).
    pub api_origin: Option<String>,
}

/// What the session currently holds.
#[derive(Debug, Clone)]
enum Held {
    /// The store has not been read yet (or reading it failed; it is retried).
    Unloaded,
    /// Known: nobody is signed in.
    SignedOut,
    /// Signed in; `persisted` is false when the keyring refused the tokens.
    SignedIn { tokens: TokenSet, persisted: bool },
}

/// The signed-in session shared by the app's commands and the API client.
///
/// Refresh is single-flight: callers that find the same token rejected wait for one refresh and
/// share its result. New tokens are written to the store before anyone uses them, because
/// TeamViewer rotates refresh tokens: a crash between "used" and "saved" would otherwise leave
/// only a dead refresh token behind. Only `invalid_grant` signs the user out; network and server
/// failures keep the tokens.
///
/// The session belongs to one API origin ([`AuthSession::api_origin`]). Tokens are stored with
/// the origin they were issued for, and tokens of another origin are never handed out, refreshed
/// or revoked: the app and the CLI share one keyring entry, and a token for TeamViewer must not
/// reach a server the user pointed `--api-url` at (nor the other way round).
#[derive(Debug)]
pub struct AuthSession {
    store: Arc<dyn TokenStore>,
    oauth: Option<OAuthConfig>,
    api_origin: String,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    held: Mutex<Held>,
    /// Serialises refresh, sign-in and sign-out. A `tokio` mutex because it is held across the
    /// token request.
    refresh_lock: tokio::sync::Mutex<()>,
    /// The server refused the sign-in in a way a refresh cannot fix and it was forgotten;
    /// cleared by the next sign-in or sign-out.
    rejected: AtomicBool,
}

impl AuthSession {
    /// A session over `store`. `oauth` is needed to refresh OAuth tokens and to revoke on sign-out;
    /// without it, stored OAuth tokens are used until they are rejected. Nothing is read until
    /// the first call.
    ///
    /// The API origin is that of `oauth`'s token endpoint, or TeamViewer's without `oauth`; set
    /// it with [`AuthSession::with_api_base`] when the session serves another API.
    pub fn new(
        store: Arc<dyn TokenStore>,
        oauth: Option<OAuthConfig>,
        http: reqwest::Client,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let api_origin = oauth
            .as_ref()
            .map(|c| api_origin_of(&c.token_url))
            .unwrap_or_else(default_api_origin);
        Self {
            store,
            oauth,
            api_origin,
            http,
            clock,
            held: Mutex::new(Held::Unloaded),
            refresh_lock: tokio::sync::Mutex::new(()),
            rejected: AtomicBool::new(false),
        }
    }

    /// The same session for the API at `api_base` (the base the [`crate::client::TeamViewerClient`]
    /// using this session talks to): only tokens of its origin are used, and new tokens are
    /// stored with it.
    pub fn with_api_base(mut self, api_base: &Url) -> Self {
        self.api_origin = api_origin_of(api_base);
        self
    }

    /// The API origin this session's tokens are for (`https://webapi.teamviewer.com`).
    pub fn api_origin(&self) -> &str {
        &self.api_origin
    }

    /// The OAuth configuration, if any.
    pub fn oauth_config(&self) -> Option<&OAuthConfig> {
        self.oauth.as_ref()
    }

    /// `Ok` when `tokens` may be sent to this session's API origin.
    fn check_origin(&self, tokens: &TokenSet) -> Result<()> {
        let theirs = tokens.origin();
        if theirs == self.api_origin {
            Ok(())
        } else {
            Err(Error::SignedInElsewhere {
                signed_in_to: theirs,
                requested: self.api_origin.clone(),
            })
        }
    }

    /// `Ok` when `endpoint` (a token or revocation URL) has the origin of `tokens`.
    fn check_endpoint(tokens: &TokenSet, endpoint: &Url) -> Result<()> {
        let theirs = tokens.origin();
        let requested = api_origin_of(endpoint);
        if theirs == requested {
            Ok(())
        } else {
            Err(Error::SignedInElsewhere {
                signed_in_to: theirs,
                requested,
            })
        }
    }

    /// The token store.
    pub fn store(&self) -> &Arc<dyn TokenStore> {
        &self.store
    }

    fn held(&self) -> MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs a store operation on a blocking thread: keyring calls are synchronous DBus/OS calls
    /// that may wait for an unlock prompt.
    async fn with_store<T, F>(&self, op: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn TokenStore) -> Result<T> + Send + 'static,
    {
        super::store::on_blocking_thread(&self.store, op).await
    }

    /// The current tokens, reading the store the first time.
    async fn current(&self) -> Result<Option<(TokenSet, bool)>> {
        match self.held().clone() {
            Held::SignedIn { tokens, persisted } => return Ok(Some((tokens, persisted))),
            Held::SignedOut => return Ok(None),
            Held::Unloaded => {}
        }
        let loaded = self.with_store(|s| s.load()).await?;
        let mut held = self.held();
        if matches!(*held, Held::Unloaded) {
            *held = match loaded {
                Some(tokens) => Held::SignedIn {
                    tokens,
                    persisted: true,
                },
                None => Held::SignedOut,
            };
        }
        Ok(match &*held {
            Held::SignedIn { tokens, persisted } => Some((tokens.clone(), *persisted)),
            _ => None,
        })
    }

    /// Saves `tokens`, then holds them. A keyring that is unavailable does not stop the user:
    /// the tokens are held in memory only (and [`AuthState::memory_only`] says so); they are
    /// never written to disk in clear. Other store errors propagate.
    async fn persist_and_hold(&self, tokens: TokenSet) -> Result<()> {
        let tokens = tokens.for_origin(self.api_origin.clone());
        let to_save = tokens.clone();
        let persisted = match self.with_store(move |s| s.save(&to_save)).await {
            Ok(()) => true,
            Err(Error::KeyringUnavailable { message }) => {
                tracing::warn!(%message, "keyring unavailable; keeping the sign-in in memory only");
                false
            }
            Err(e) => return Err(e),
        };
        *self.held() = Held::SignedIn { tokens, persisted };
        self.rejected.store(false, Ordering::SeqCst);
        Ok(())
    }

    /// Forgets the tokens in memory and in the store (store errors are logged, not returned).
    async fn forget(&self) {
        *self.held() = Held::SignedOut;
        if let Err(e) = self.with_store(|s| s.clear()).await {
            tracing::warn!(error = %e, "could not remove the tokens from the keyring");
        }
    }

    /// Refreshes unless the access token is no longer `expected` (then someone else already did,
    /// and the current token is returned). Holds the refresh lock throughout.
    async fn refresh_if_current(&self, expected: &Secret) -> Result<Secret> {
        let _guard = self.refresh_lock.lock().await;
        let (current, persisted) = self.current().await?.ok_or(Error::NotSignedIn)?;
        self.check_origin(&current)?;
        if current.access_token != *expected {
            // Another caller refreshed (or signed in again) while we waited for the lock.
            return Ok(current.access_token);
        }
        if current.kind == TokenKind::Script {
            return Err(Error::Unauthorized {
                message: "the script token was rejected (invalid, deleted or missing a permission)"
                    .into(),
            });
        }
        if persisted {
            // The app and the CLI share the keyring entry: another process may have rotated the
            // tokens already, and our refresh token would then be stale. Best effort.
            if let Ok(Some(stored)) = self.with_store(|s| s.load()).await {
                if stored.access_token != *expected
                    && stored.kind == current.kind
                    && self.check_origin(&stored).is_ok()
                {
                    tracing::debug!("adopting tokens refreshed by another process");
                    let access = stored.access_token.clone();
                    *self.held() = Held::SignedIn {
                        tokens: stored,
                        persisted: true,
                    };
                    return Ok(access);
                }
            }
        }
        let (Some(config), Some(refresh_token)) = (&self.oauth, &current.refresh_token) else {
            return Err(Error::Unauthorized {
                message: "the access token was rejected and cannot be refreshed".into(),
            });
        };
        Self::check_endpoint(&current, &config.token_url)?;
        match refresh(&self.http, config, refresh_token, self.clock.as_ref()).await {
            Ok(new) => {
                let access = new.access_token.clone();
                self.persist_and_hold(new).await?;
                Ok(access)
            }
            Err(Error::SessionExpired) => {
                tracing::info!("the refresh token was rejected; signing out");
                self.forget().await;
                self.rejected.store(true, Ordering::SeqCst);
                Err(Error::SessionExpired)
            }
            Err(e) => {
                tracing::warn!(error = %e, "token refresh failed; keeping the sign-in");
                Err(e)
            }
        }
    }

    /// Signs in with a pasted script token. Does not call the network: validate it first with
    /// [`crate::auth::validate_script_token`] (or a `ping` through the client).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty token; store errors other than an unavailable
    /// keyring (see [`AuthState::memory_only`]).
    pub async fn sign_in_with_script_token(&self, token: Secret) -> Result<()> {
        let token = Secret::new(token.expose().trim());
        if token.is_empty() {
            return Err(Error::invalid("script token", "is empty"));
        }
        let _guard = self.refresh_lock.lock().await;
        self.persist_and_hold(TokenSet::script(token)).await
    }

    /// Signs in with tokens from a code exchange: saves them, then holds them.
    ///
    /// # Errors
    /// Store errors other than an unavailable keyring.
    pub async fn complete_sign_in(&self, tokens: TokenSet) -> Result<()> {
        let _guard = self.refresh_lock.lock().await;
        self.persist_and_hold(tokens).await
    }

    /// Exchanges the grant of an accepted callback ([`crate::auth::SignInFlow::complete`]) and
    /// signs in with the result.
    ///
    /// # Errors
    /// [`Error::Config`] without an OAuth configuration or when the redirect URI changed since
    /// the sign-in started; the errors of [`exchange_code`] and [`Self::complete_sign_in`].
    pub async fn sign_in_with_grant(&self, grant: AuthorizationGrant) -> Result<()> {
        let Some(config) = &self.oauth else {
            return Err(Error::Config {
                message: "no OAuth client is configured".into(),
            });
        };
        if config.redirect_uri != grant.redirect_uri {
            return Err(Error::Config {
                message: "the redirect URI changed while signing in; please sign in again".into(),
            });
        }
        if api_origin_of(&config.token_url) != self.api_origin {
            return Err(Error::Config {
                message: format!(
                    "the OAuth token endpoint is not on the API origin {}",
                    self.api_origin
                ),
            });
        }
        let tokens = exchange_code(
            &self.http,
            config,
            grant.code,
            grant.verifier,
            self.clock.as_ref(),
        )
        .await?;
        self.complete_sign_in(tokens).await
    }

    /// Signs out: revokes an OAuth token (best effort: an unreachable or refusing server does
    /// not stop the sign-out), then clears memory and the store. Script tokens are only
    /// forgotten, not revoked: they belong to the user's TeamViewer console. Tokens of another
    /// API origin are forgotten without revoking (that would send them to this origin).
    ///
    /// # Errors
    /// Only store errors from clearing the keyring (memory is cleared regardless).
    pub async fn sign_out(&self) -> Result<()> {
        let _guard = self.refresh_lock.lock().await;
        let current = self.current().await.ok().flatten();
        if let (Some((tokens, _)), Some(config)) = (current, &self.oauth) {
            let same_origin = Self::check_endpoint(&tokens, &config.revoke_url);
            if let Err(e) = &same_origin {
                tracing::warn!("not revoking: {e}");
            }
            if tokens.kind == TokenKind::OAuth && same_origin.is_ok() {
                match revoke(&self.http, config, &tokens.access_token).await {
                    Ok(()) => tracing::info!("access token revoked"),
                    Err(e) => {
                        tracing::warn!(error = %e, "could not revoke the token; signing out anyway")
                    }
                }
            }
        }
        *self.held() = Held::SignedOut;
        self.rejected.store(false, Ordering::SeqCst);
        self.with_store(|s| s.clear()).await
    }

    /// Forgets a sign-in the API refused in a way a refresh cannot fix (a `401` after the one
    /// refresh, a refused script token): memory and store are cleared, nothing is revoked (the
    /// server no longer accepts the token anyway). Returns whether tokens were held.
    pub async fn forget_rejected(&self) -> bool {
        let _guard = self.refresh_lock.lock().await;
        let held = matches!(*self.held(), Held::SignedIn { .. });
        self.forget().await;
        if held {
            self.rejected.store(true, Ordering::SeqCst);
        }
        held
    }

    /// Whether the sign-in was forgotten because the server refused it (the refresh token was
    /// rejected, or [`AuthSession::forget_rejected`]), and no sign-in or sign-out followed.
    pub fn was_rejected(&self) -> bool {
        self.rejected.load(Ordering::SeqCst)
    }

    /// What the UI may show. Tokens stored for another API origin show as signed out, with
    /// [`AuthState::api_origin`] naming where they belong.
    ///
    /// # Errors
    /// Store errors on the first read (for example [`Error::KeyringUnavailable`]).
    pub async fn status(&self) -> Result<AuthState> {
        Ok(match self.current().await? {
            Some((tokens, persisted)) if self.check_origin(&tokens).is_ok() => AuthState {
                signed_in: true,
                kind: Some(tokens.kind),
                expires_at: tokens.expires_at,
                memory_only: !persisted,
                api_origin: Some(tokens.origin()),
            },
            other => AuthState {
                signed_in: false,
                kind: None,
                expires_at: None,
                memory_only: false,
                api_origin: other.map(|(tokens, _)| tokens.origin()),
            },
        })
    }
}

#[async_trait]
impl TokenSource for AuthSession {
    /// The current access token, refreshed first when it expires within [`REFRESH_MARGIN`].
    /// If that refresh fails for a transient reason while the old token is still valid, the old
    /// token is used.
    async fn access_token(&self) -> Result<Secret> {
        let (tokens, _) = self.current().await?.ok_or(Error::NotSignedIn)?;
        self.check_origin(&tokens)?;
        let now = self.clock.now();
        if !tokens.is_refreshable()
            || self.oauth.is_none()
            || !tokens.expires_within(now, REFRESH_MARGIN)
        {
            return Ok(tokens.access_token);
        }
        match self.refresh_if_current(&tokens.access_token).await {
            Ok(token) => Ok(token),
            Err(Error::SessionExpired) => Err(Error::SessionExpired),
            Err(e) if tokens.expires_at.is_some_and(|at| at > now) => {
                tracing::warn!(error = %e, "proactive refresh failed; using the current token");
                Ok(tokens.access_token)
            }
            Err(e) => Err(e),
        }
    }

    async fn refresh_after_unauthorized(&self, rejected: &Secret) -> Result<Secret> {
        self.refresh_if_current(rejected).await
    }
}
