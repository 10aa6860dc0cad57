//! OAuth sign-in, script tokens and token storage.
//!
//! Sign-in sequence (app and CLI alike):
//! 1. [`SignInFlow::begin`] creates a [`PendingSignIn`] (PKCE S256 verifier, random `state`,
//!    both in memory only) and returns the authorize URL to open in the system browser.
//! 2. The browser comes back through the deep link `dev.supporterdesk:/oauth/callback?…` or the
//!    [`LoopbackListener`]; either way the URL goes to [`SignInFlow::complete`], which checks it
//!    ([`CallbackUrl::parse`]: exact redirect, one `state`, one `code`) against the pending
//!    sign-in (constant-time `state`, 5-minute [`WINDOW`], used once).
//! 3. [`AuthSession::sign_in_with_grant`] exchanges the code ([`exchange_code`]) and stores the
//!    tokens in the [`TokenStore`] (the OS keyring via [`KeyringStore`]).
//! 4. The API client asks the session ([`crate::client::TokenSource`]) for a token; the session
//!    refreshes before expiry and once after a 401, single-flight.
//!
//! Nothing here logs a token, code, verifier, state, secret or full callback URL
//! ([`redact_url`] is the only way a callback URL reaches a log).

mod callback;
mod config;
mod loopback;
mod oauth;
mod pending;
mod session;
mod store;
mod tokens;

pub use callback::{redact_url, AuthorizationCode, Callback, CallbackUrl, MAX_CALLBACK_LEN};
pub use config::{
    OAuthConfig, RedirectUri, CALLBACK_PATH, DEFAULT_DEEP_LINK_SCHEME, DEFAULT_LOGIN_URL,
    DEFAULT_LOOPBACK_PORT,
};
pub use loopback::{LoopbackListener, LOOPBACK_HEADER_TIMEOUT, LOOPBACK_MAX_CONNECTIONS};
pub use oauth::{check_script_token, exchange_code, refresh, revoke, validate_script_token};
pub use pending::{AuthorizationGrant, PendingSignIn, PkceVerifier, SignInFlow, WINDOW};
pub use session::{AuthSession, AuthState, REFRESH_MARGIN};
pub(crate) use store::on_blocking_thread;
pub use store::{
    keyring_name, stored_size, KeyringBackend, KeyringFailure, KeyringStore, MemoryStore,
    SystemKeyring, TokenStore, CLIENT_SECRET_NAME, KEYRING_SERVICE, MAX_ENTRY_BYTES,
};
pub use tokens::{api_origin_of, default_api_origin, TokenKind, TokenSet};
