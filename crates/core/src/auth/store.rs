//! Where tokens and the OAuth client secret are kept: the OS keyring in production, memory in
//! tests and memory-only sessions. Never a file in clear.

use super::tokens::{default_api_origin, TokenKind, TokenSet};
use crate::error::{Error, Result};
use crate::secret::Secret;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use zeroize::{Zeroize, Zeroizing};

/// The keyring service name shared by the app and the CLI, so that `sdesk` finds the sign-in
/// the app stored. It is the app's identifier (`tauri.conf.json`), which must not end in `.app`
/// (macOS bundle names do).
pub const KEYRING_SERVICE: &str = "dev.supporterdesk.desk";

/// The keyring account (secret name) of the OAuth client secret.
pub const CLIENT_SECRET_NAME: &str = "client-secret";

/// The largest value one keyring entry may hold, in bytes. Windows' Credential Manager caps a
/// credential blob at 2560 bytes and keyring stores passwords there as UTF-16, so the limit is
/// checked against the UTF-16 size on every platform (one behaviour everywhere, testable on
/// Linux).
pub const MAX_ENTRY_BYTES: usize = 2560;

const TOKENS: &str = "tokens";
const TOKENS_ACCESS: &str = "tokens.access";
const TOKENS_REFRESH: &str = "tokens.refresh";
const PROBE: &str = "probe";
const FORMAT_VERSION: u8 = 1;

/// Persistent storage of the signed-in user's tokens and of named secrets.
///
/// Implementations are synchronous (keyring APIs are); async callers should run them on a
/// blocking thread, as [`crate::auth::AuthSession`] does.
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The stored tokens; `Ok(None)` when nothing (usable) is stored.
    ///
    /// # Errors
    /// [`Error::KeyringUnavailable`] or [`Error::Keyring`].
    fn load(&self) -> Result<Option<TokenSet>>;

    /// Replaces the stored tokens.
    ///
    /// # Errors
    /// [`Error::KeyringUnavailable`] or [`Error::Keyring`].
    fn save(&self, tokens: &TokenSet) -> Result<()>;

    /// Removes the stored tokens; succeeds when none are stored.
    ///
    /// # Errors
    /// [`Error::KeyringUnavailable`] or [`Error::Keyring`].
    fn clear(&self) -> Result<()>;

    /// A named secret (for example [`CLIENT_SECRET_NAME`]); `Ok(None)` when absent.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a reserved or empty name; keyring errors.
    fn load_secret(&self, name: &str) -> Result<Option<Secret>>;

    /// Stores a named secret.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a reserved or empty name; keyring errors.
    fn save_secret(&self, name: &str, value: &Secret) -> Result<()>;

    /// Deletes a named secret; succeeds when it is absent.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a reserved or empty name; keyring errors.
    fn delete_secret(&self, name: &str) -> Result<()>;

    /// Whether the store persists what it saves (false for a memory store standing in for an
    /// OS keyring that did not work). May block while the store is still being opened.
    fn persistent(&self) -> bool {
        true
    }
}

/// Runs a store operation on a blocking thread: keyring calls are synchronous D-Bus/OS calls
/// that may wait for an unlock prompt (or, at start-up, for the keyring probe).
///
/// # Errors
/// The operation's error, or [`Error::Keyring`] when the blocking task itself failed.
pub(crate) async fn on_blocking_thread<T, F>(store: &Arc<dyn TokenStore>, op: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&dyn TokenStore) -> Result<T> + Send + 'static,
{
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || op(store.as_ref()))
        .await
        .map_err(|e| Error::Keyring {
            message: format!("the keyring task failed: {e}"),
        })?
}

/// Secret names may not collide with the token entries.
fn check_secret_name(name: &str) -> Result<()> {
    if name.trim().is_empty() || name == PROBE || name == TOKENS || name.starts_with("tokens.") {
        return Err(Error::invalid(
            "secret name",
            format!("{name:?} is empty or reserved for the token entries"),
        ));
    }
    Ok(())
}

/// Keeps everything in memory: for tests, and for a session when the keyring is unavailable.
#[derive(Debug, Default)]
pub struct MemoryStore {
    tokens: Mutex<Option<TokenSet>>,
    secrets: Mutex<HashMap<String, Secret>>,
    /// Standing in for an OS keyring that did not work ([`TokenStore::persistent`] is false).
    fallback: bool,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store standing in for an OS keyring that does not work: what it keeps lasts
    /// until the app quits, and [`TokenStore::persistent`] says so.
    pub fn fallback() -> Self {
        Self {
            fallback: true,
            ..Self::default()
        }
    }

    /// A store that already holds `tokens`.
    pub fn with_tokens(tokens: TokenSet) -> Self {
        Self {
            tokens: Mutex::new(Some(tokens)),
            ..Self::default()
        }
    }

    fn tokens(&self) -> MutexGuard<'_, Option<TokenSet>> {
        self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn secrets(&self) -> MutexGuard<'_, HashMap<String, Secret>> {
        self.secrets.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl TokenStore for MemoryStore {
    fn persistent(&self) -> bool {
        !self.fallback
    }

    fn load(&self) -> Result<Option<TokenSet>> {
        Ok(self.tokens().clone())
    }

    fn save(&self, tokens: &TokenSet) -> Result<()> {
        *self.tokens() = Some(tokens.clone());
        Ok(())
    }

    fn clear(&self) -> Result<()> {
        *self.tokens() = None;
        Ok(())
    }

    fn load_secret(&self, name: &str) -> Result<Option<Secret>> {
        check_secret_name(name)?;
        Ok(self.secrets().get(name).cloned())
    }

    fn save_secret(&self, name: &str, value: &Secret) -> Result<()> {
        check_secret_name(name)?;
        self.secrets().insert(name.to_owned(), value.clone());
        Ok(())
    }

    fn delete_secret(&self, name: &str) -> Result<()> {
        check_secret_name(name)?;
        self.secrets().remove(name);
        Ok(())
    }
}

/// Why a keyring backend call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyringFailure {
    /// The keyring cannot be reached or is locked (no Secret Service, locked collection,
    /// access denied). The string is a short reason.
    Unavailable(String),
    /// The keyring answered but the operation failed. The string is a short reason.
    Failed(String),
}

/// The few keyring operations the store needs, so that tests can inject a fake (locked keyring,
/// missing service, size limits) without touching the machine's keyring.
pub trait KeyringBackend: Send + Sync + fmt::Debug {
    /// The value of `service`/`account`; `Ok(None)` when there is no such entry.
    ///
    /// # Errors
    /// A [`KeyringFailure`].
    fn get(
        &self,
        service: &str,
        account: &str,
    ) -> std::result::Result<Option<String>, KeyringFailure>;

    /// Creates or replaces the entry.
    ///
    /// # Errors
    /// A [`KeyringFailure`].
    fn set(
        &self,
        service: &str,
        account: &str,
        value: &str,
    ) -> std::result::Result<(), KeyringFailure>;

    /// Deletes the entry; `Ok(())` when there is none.
    ///
    /// # Errors
    /// A [`KeyringFailure`].
    fn delete(&self, service: &str, account: &str) -> std::result::Result<(), KeyringFailure>;
}

/// The OS keyring through the `keyring` crate (Secret Service on Linux, Keychain on macOS,
/// Credential Manager on Windows; the platform features are enabled explicitly in Cargo.toml,
/// because without them keyring v3 silently uses a mock that stores nothing).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemKeyring;

impl KeyringBackend for SystemKeyring {
    fn get(
        &self,
        service: &str,
        account: &str,
    ) -> std::result::Result<Option<String>, KeyringFailure> {
        let entry = keyring::Entry::new(service, account).map_err(classify)?;
        match entry.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    fn set(
        &self,
        service: &str,
        account: &str,
        value: &str,
    ) -> std::result::Result<(), KeyringFailure> {
        let entry = keyring::Entry::new(service, account).map_err(classify)?;
        entry.set_password(value).map_err(classify)
    }

    fn delete(&self, service: &str, account: &str) -> std::result::Result<(), KeyringFailure> {
        let entry = keyring::Entry::new(service, account).map_err(classify)?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(classify(e)),
        }
    }
}

/// Sorts a keyring error into "cannot reach the keyring" and "the operation failed", with a
/// short reason (the platform's message can be a long DBus dump).
pub(crate) fn classify(e: keyring::Error) -> KeyringFailure {
    match e {
        keyring::Error::NoStorageAccess(inner) | keyring::Error::PlatformFailure(inner) => {
            KeyringFailure::Unavailable(short_reason(&inner.to_string()))
        }
        keyring::Error::NoEntry => KeyringFailure::Failed("no such entry".into()),
        keyring::Error::BadEncoding(_) => {
            KeyringFailure::Failed("the stored value is not text".into())
        }
        keyring::Error::TooLong(what, limit) => KeyringFailure::Failed(format!(
            "{what} is longer than the keyring allows ({limit})"
        )),
        keyring::Error::Invalid(what, why) => {
            KeyringFailure::Failed(short_reason(&format!("{what} is invalid: {why}")))
        }
        keyring::Error::Ambiguous(items) => KeyringFailure::Failed(format!(
            "{} keyring entries match; remove the duplicates in the keyring manager",
            items.len()
        )),
        other => KeyringFailure::Failed(short_reason(&other.to_string())),
    }
}

/// The first line of a platform message, at most 160 characters.
fn short_reason(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    let mut s: String = line.chars().take(160).collect();
    if line.chars().count() > 160 {
        s.push('…');
    }
    if s.is_empty() {
        s = "no reason given".into();
    }
    s
}

/// The platform's name for its keyring, for messages: "Secret Service", "Keychain" or
/// "Credential Manager".
pub fn keyring_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "Keychain"
    } else if cfg!(windows) {
        "Credential Manager"
    } else {
        "Secret Service"
    }
}

/// Tokens and secrets in the OS keyring under one service name.
///
/// Layout (accounts under the service):
/// - `tokens`: compact JSON
///   `{"v":1,"kind":"oauth","api":"https://webapi.teamviewer.com","access":…,"refresh":…,"expiresAt":…}`.
///   `api` is the API origin the tokens belong to; entries without it (written before it was
///   recorded) are read as the TeamViewer origin. Versions that do not know the field ignore it.
/// - When that would exceed [`MAX_ENTRY_BYTES`], `tokens` holds only the metadata
///   (`"split":true`) and the tokens go to `tokens.access` and `tokens.refresh`. The parts are
///   written first and the metadata last, so an interrupted save leaves the previous sign-in
///   readable rather than a half-written one.
/// - Named secrets (e.g. `client-secret`) under their own account.
pub struct KeyringStore {
    service: String,
    backend: Box<dyn KeyringBackend>,
}

impl fmt::Debug for KeyringStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The backend is left out: a test fake (or a future cache) could hold values.
        f.debug_struct("KeyringStore")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

/// The private storage encoding. `TokenSet` has no `Serialize` on purpose; this struct exists
/// only between a keyring read/write and a `TokenSet`, and is zeroed on drop.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    v: u8,
    kind: TokenKind,
    /// The API origin ([`super::tokens::api_origin_of`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    api: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    access: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh: Option<String>,
    /// Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<i64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    split: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    has_refresh: bool,
}

impl Drop for Stored {
    fn drop(&mut self) {
        self.access.zeroize();
        self.refresh.zeroize();
    }
}

/// How many bytes the value takes in the most restrictive backend (UTF-16 on Windows).
pub fn stored_size(value: &str) -> usize {
    value.encode_utf16().count() * 2
}

impl KeyringStore {
    /// The OS keyring under `service` (use [`KEYRING_SERVICE`]). Nothing is accessed until the
    /// first call.
    pub fn new(service: &str) -> Self {
        Self::with_backend(service, Box::new(SystemKeyring))
    }

    /// A store over any backend (tests inject fakes here).
    pub fn with_backend(service: &str, backend: Box<dyn KeyringBackend>) -> Self {
        Self {
            service: service.to_owned(),
            backend,
        }
    }

    /// The service name.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Checks that the keyring works: writes, reads back and deletes a probe entry. For the
    /// app's "keyring unavailable, signed in for this session only" notice.
    ///
    /// # Errors
    /// [`Error::KeyringUnavailable`] when the keyring is unreachable, locked, or does not give
    /// back what was written; [`Error::Keyring`] for other failures.
    pub fn probe(&self) -> Result<()> {
        use rand::Rng;
        let value = format!("probe-{:016x}", rand::thread_rng().gen::<u64>());
        self.set(PROBE, &value)?;
        let read = self.get(PROBE);
        let deleted = self.delete(PROBE);
        match read? {
            Some(v) if v == value => deleted,
            _ => Err(Error::KeyringUnavailable {
                message: format!(
                    "the system keyring ({}) did not return what was written",
                    keyring_name()
                ),
            }),
        }
    }

    fn map(&self, failure: KeyringFailure) -> Error {
        match failure {
            KeyringFailure::Unavailable(reason) => Error::KeyringUnavailable {
                message: format!(
                    "the system keyring ({}) is not available or locked: {reason}",
                    keyring_name()
                ),
            },
            KeyringFailure::Failed(reason) => Error::Keyring { message: reason },
        }
    }

    fn get(&self, account: &str) -> Result<Option<String>> {
        self.backend
            .get(&self.service, account)
            .map_err(|f| self.map(f))
    }

    fn set(&self, account: &str, value: &str) -> Result<()> {
        let size = stored_size(value);
        if size > MAX_ENTRY_BYTES {
            return Err(Error::Keyring {
                message: format!(
                    "a value of {size} bytes does not fit a keyring entry \
                     (at most {MAX_ENTRY_BYTES})"
                ),
            });
        }
        self.backend
            .set(&self.service, account, value)
            .map_err(|f| self.map(f))
    }

    fn delete(&self, account: &str) -> Result<()> {
        self.backend
            .delete(&self.service, account)
            .map_err(|f| self.map(f))
    }

    fn encode(stored: &Stored) -> Result<Zeroizing<String>> {
        serde_json::to_string(stored)
            .map(Zeroizing::new)
            .map_err(|e| Error::Keyring {
                message: format!("cannot encode the tokens: {e}"),
            })
    }
}

impl TokenStore for KeyringStore {
    fn load(&self) -> Result<Option<TokenSet>> {
        let Some(raw) = self.get(TOKENS)?.map(Zeroizing::new) else {
            return Ok(None);
        };
        let stored: Stored = match serde_json::from_str(&raw) {
            Ok(s) => s,
            Err(_) => {
                // Don't quote the parse error: it may contain part of a token.
                let service = &self.service;
                tracing::warn!(%service, "the stored sign-in is unreadable; ignoring it");
                return Ok(None);
            }
        };
        if stored.v != FORMAT_VERSION {
            tracing::warn!(
                version = stored.v,
                "the stored sign-in has an unknown format; ignoring it"
            );
            return Ok(None);
        }
        let (access, refresh) = if stored.split {
            let access = self.get(TOKENS_ACCESS)?.map(Secret::new);
            let refresh = if stored.has_refresh {
                match self.get(TOKENS_REFRESH)? {
                    Some(r) => Some(Secret::new(r)),
                    None => {
                        tracing::warn!("the stored refresh token is missing; ignoring the sign-in");
                        return Ok(None);
                    }
                }
            } else {
                None
            };
            (access, refresh)
        } else {
            (
                stored.access.as_deref().map(Secret::new),
                stored.refresh.as_deref().map(Secret::new),
            )
        };
        let Some(access) = access.filter(|a| !a.is_empty()) else {
            tracing::warn!("the stored access token is missing; ignoring the sign-in");
            return Ok(None);
        };
        Ok(Some(TokenSet {
            access_token: access,
            refresh_token: refresh.filter(|r| !r.is_empty()),
            expires_at: stored
                .expires_at
                .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0)),
            kind: stored.kind,
            // Written before origins were recorded: those were TeamViewer sign-ins.
            api_origin: Some(stored.api.clone().unwrap_or_else(default_api_origin)),
        }))
    }

    fn save(&self, tokens: &TokenSet) -> Result<()> {
        let whole = Stored {
            v: FORMAT_VERSION,
            kind: tokens.kind,
            api: Some(tokens.origin()),
            access: Some(tokens.access_token.expose().to_owned()),
            refresh: tokens.refresh_token.as_ref().map(|r| r.expose().to_owned()),
            expires_at: tokens.expires_at.map(|t| t.timestamp()),
            split: false,
            has_refresh: false,
        };
        let encoded = Self::encode(&whole)?;
        if stored_size(&encoded) <= MAX_ENTRY_BYTES {
            self.set(TOKENS, &encoded)?;
            // Remove parts a previous, larger sign-in may have left behind.
            self.delete(TOKENS_ACCESS)?;
            self.delete(TOKENS_REFRESH)?;
            return Ok(());
        }
        tracing::debug!("tokens exceed one keyring entry; storing them split");
        self.set(TOKENS_ACCESS, tokens.access_token.expose())?;
        match &tokens.refresh_token {
            Some(r) => self.set(TOKENS_REFRESH, r.expose())?,
            None => self.delete(TOKENS_REFRESH)?,
        }
        let meta = Stored {
            v: FORMAT_VERSION,
            kind: tokens.kind,
            api: Some(tokens.origin()),
            access: None,
            refresh: None,
            expires_at: tokens.expires_at.map(|t| t.timestamp()),
            split: true,
            has_refresh: tokens.refresh_token.is_some(),
        };
        self.set(TOKENS, &Self::encode(&meta)?)
    }

    fn clear(&self) -> Result<()> {
        // Metadata first: once it is gone, leftover parts are never read.
        let results = [
            self.delete(TOKENS),
            self.delete(TOKENS_ACCESS),
            self.delete(TOKENS_REFRESH),
        ];
        results.into_iter().collect::<Result<Vec<()>>>().map(|_| ())
    }

    fn load_secret(&self, name: &str) -> Result<Option<Secret>> {
        check_secret_name(name)?;
        Ok(self.get(name)?.map(Secret::new))
    }

    fn save_secret(&self, name: &str, value: &Secret) -> Result<()> {
        check_secret_name(name)?;
        self.set(name, value.expose())
    }

    fn delete_secret(&self, name: &str) -> Result<()> {
        check_secret_name(name)?;
        self.delete(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyring_errors_are_classified_with_short_reasons() {
        #[derive(Debug)]
        struct Dbus;
        impl fmt::Display for Dbus {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(
                    f,
                    "org.freedesktop.DBus.Error.ServiceUnknown: {}\nsecond line",
                    "x".repeat(500)
                )
            }
        }
        impl std::error::Error for Dbus {}

        let locked = classify(keyring::Error::NoStorageAccess(Box::new(Dbus)));
        match locked {
            KeyringFailure::Unavailable(reason) => {
                assert!(
                    reason.chars().count() <= 161,
                    "the reason must be short, not a DBus dump"
                );
                assert!(
                    !reason.contains("second line"),
                    "only the first line is kept"
                );
            }
            other => panic!("NoStorageAccess means the keyring is unavailable, got {other:?}"),
        }
        assert!(
            matches!(
                classify(keyring::Error::PlatformFailure(Box::new(Dbus))),
                KeyringFailure::Unavailable(_)
            ),
            "a platform failure (no Secret Service) is 'unavailable'"
        );
        assert!(
            matches!(
                classify(keyring::Error::BadEncoding(vec![0xff])),
                KeyringFailure::Failed(_)
            ),
            "a bad stored value is a failure, not unavailability"
        );
    }

    #[test]
    fn secret_names_cannot_overwrite_tokens() {
        let store = MemoryStore::new();
        for name in ["tokens", "tokens.access", "probe", ""] {
            assert!(
                store.save_secret(name, &Secret::new("x")).is_err(),
                "{name:?} is reserved for the token entries"
            );
        }
        assert!(
            store
                .save_secret(CLIENT_SECRET_NAME, &Secret::new("x"))
                .is_ok(),
            "the client secret name is allowed"
        );
    }
}
