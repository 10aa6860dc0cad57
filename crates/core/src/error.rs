//! The one error type of the core, and the stable [`ErrorKind`] the UI and the CLI branch on.

use serde::Serialize;
use std::time::Duration;

/// Result alias for the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a sign-in callback (deep link or loopback redirect) was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallbackRejection {
    /// The URL could not be parsed at all.
    Malformed,
    /// Scheme, host, port or path differ from the registered redirect URI.
    WrongRedirect,
    /// `state` is missing, repeated or does not match the pending sign-in.
    StateMismatch,
    /// `code` is missing, empty or repeated.
    MissingCode,
    /// No sign-in is pending (never started, cancelled, or already completed).
    NotPending,
    /// The pending sign-in is older than its window.
    Expired,
    /// The provider redirected back with `error=...` (for example the user pressed Deny).
    Denied,
}

impl CallbackRejection {
    fn describe(self) -> &'static str {
        match self {
            Self::Malformed => "the address is not a valid URL",
            Self::WrongRedirect => "the address is not this app's sign-in callback",
            Self::StateMismatch => "the sign-in state does not match",
            Self::MissingCode => "the authorization code is missing",
            Self::NotPending => "no sign-in is in progress",
            Self::Expired => "the sign-in took longer than 5 minutes; please start again",
            Self::Denied => "access was denied in the browser",
        }
    }
}

impl std::fmt::Display for CallbackRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

/// Everything that can go wrong in the core. Variants carry what a person needs to act; never a
/// token, code, verifier or secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No credentials are stored.
    #[error("not signed in")]
    NotSignedIn,
    /// Tokens are stored, but for another API origin: they are never sent anywhere else. Kind
    /// [`ErrorKind::NotSignedIn`] (the remedy is the same: sign in).
    #[error("signed in to {signed_in_to}, not {requested}; sign in again")]
    SignedInElsewhere {
        /// The origin the stored tokens belong to.
        signed_in_to: String,
        /// The origin the request was for.
        requested: String,
    },
    /// The refresh token was rejected (`invalid_grant`): the user has to sign in again.
    #[error("the sign-in has expired or was revoked; please sign in again")]
    SessionExpired,
    /// The API rejected the access token (401) and no refresh could fix it.
    #[error("the access token was rejected: {message}")]
    Unauthorized {
        /// Server's description.
        message: String,
    },
    /// The token lacks a permission (403 / `invalid_permission`).
    #[error("missing permission: {message}")]
    Forbidden {
        /// Server's description.
        message: String,
    },
    /// The resource does not exist (404 / `not_found`).
    #[error("not found: {message}")]
    NotFound {
        /// Server's description.
        message: String,
    },
    /// Rate limited (`rate_limit_reached`, with any status: TeamViewer answers 403; or 429) after
    /// the retry budget was spent.
    #[error("TeamViewer's limit on API calls for this licence has been reached; wait a few minutes and try again")]
    RateLimited {
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// The licence's concurrent-session allowance is used up (400 with "license limitations").
    #[error("the TeamViewer license does not allow more sessions: {message}")]
    LicenseLimit {
        /// Server's text.
        message: String,
    },
    /// TeamViewer blocked requests from this IP address (`blocked`).
    #[error("TeamViewer has blocked requests from this network address: {message}")]
    Blocked {
        /// Server's description.
        message: String,
    },
    /// A response body was larger than the limit for its kind of request.
    #[error("the server's response was larger than {limit} bytes; it was not read")]
    ResponseTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The server's answers contradict themselves (a count of remaining records without a cursor,
    /// a cursor that repeats): the data could be incomplete, so the run stops with this error.
    #[error("the server's answer is inconsistent: {message}")]
    InvalidResponse {
        /// What was inconsistent.
        message: String,
    },
    /// A safety limit of a paging run (pages, records or bytes) was reached before the server said
    /// it was done; what was received so far is kept.
    #[error("stopped at a safety limit: {message}")]
    LimitExceeded {
        /// Which limit, and its value.
        message: String,
    },
    /// Any other 4xx answer from the API.
    #[error("the TeamViewer API refused the request ({status}): {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// The `error` category (`invalid_request`, ...), when the body was JSON.
        error: Option<String>,
        /// The numeric `error_code`, when present.
        code: Option<i64>,
        /// `error_description` or the plain-text body.
        message: String,
    },
    /// A 5xx answer after the retry budget was spent.
    #[error("the TeamViewer service failed ({status}): {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// Server's description.
        message: String,
    },
    /// The connection failed or broke (DNS, refused, reset, truncated body).
    #[error("network error: {message}")]
    Network {
        /// What failed.
        message: String,
    },
    /// The request took longer than the configured timeout.
    #[error("the request timed out")]
    Timeout,
    /// The server answered with a redirect; redirects are never followed (a token endpoint that
    /// redirects could leak credentials).
    #[error("unexpected redirect ({status}) from the server")]
    UnexpectedRedirect {
        /// HTTP status.
        status: u16,
    },
    /// A 2xx body that is not what the API documents.
    #[error("could not read the server's response: {message}")]
    Decode {
        /// The parser's message.
        message: String,
        /// The start of the raw body (at most 512 bytes) for diagnosis.
        body: String,
    },
    /// The OAuth token endpoint refused (other than `invalid_grant`, which is `SessionExpired`).
    #[error("sign-in failed ({error}): {message}")]
    OAuth {
        /// OAuth error code (`invalid_client`, ...).
        error: String,
        /// Description.
        message: String,
    },
    /// The OS keyring (Secret Service, Keychain, Credential Manager) cannot be reached or is locked.
    #[error("the system keyring is unavailable: {message}")]
    KeyringUnavailable {
        /// Readable reason.
        message: String,
    },
    /// The keyring answered but the operation failed.
    #[error("keyring error: {message}")]
    Keyring {
        /// Readable reason.
        message: String,
    },
    /// A sign-in callback was not accepted.
    #[error("sign-in callback rejected: {reason}")]
    CallbackRejected {
        /// Why.
        reason: CallbackRejection,
    },
    /// A form field or argument is invalid; nothing was sent.
    #[error("{field}: {message}")]
    InvalidInput {
        /// The field's name as the user knows it.
        field: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The operation was cancelled by the user; partial results are kept.
    #[error("cancelled")]
    Cancelled,
    /// The configuration is incomplete or inconsistent.
    #[error("configuration error: {message}")]
    Config {
        /// What is wrong.
        message: String,
    },
    /// A file could not be read or written.
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    /// The connection-log archive (SQLite file or PostgreSQL server) failed: a file that is
    /// not a readable database, a damaged one, or a database error while reading or writing.
    #[error("archive database error: {message}")]
    Database {
        /// What failed, naming the archive (never a password).
        message: String,
    },
    /// CSV writing failed.
    #[error("CSV error: {message}")]
    Csv {
        /// What failed.
        message: String,
    },
}

/// The stable, serialisable category of an [`Error`]: the UI and scripts branch on this, never on
/// the message text.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// See [`Error::NotSignedIn`].
    NotSignedIn,
    /// See [`Error::SessionExpired`].
    SessionExpired,
    /// See [`Error::Unauthorized`].
    Unauthorized,
    /// See [`Error::Forbidden`].
    Forbidden,
    /// See [`Error::NotFound`].
    NotFound,
    /// See [`Error::RateLimited`].
    RateLimited,
    /// See [`Error::LicenseLimit`].
    LicenseLimit,
    /// See [`Error::Blocked`].
    Blocked,
    /// See [`Error::ResponseTooLarge`].
    ResponseTooLarge,
    /// See [`Error::InvalidResponse`].
    InvalidResponse,
    /// See [`Error::LimitExceeded`].
    LimitExceeded,
    /// See [`Error::Api`].
    Api,
    /// See [`Error::Server`].
    Server,
    /// See [`Error::Network`].
    Network,
    /// See [`Error::Timeout`].
    Timeout,
    /// See [`Error::UnexpectedRedirect`].
    UnexpectedRedirect,
    /// See [`Error::Decode`].
    Decode,
    /// See [`Error::OAuth`].
    #[serde(rename = "oauth")]
    OAuth,
    /// See [`Error::KeyringUnavailable`].
    KeyringUnavailable,
    /// See [`Error::Keyring`].
    Keyring,
    /// See [`Error::CallbackRejected`].
    CallbackRejected,
    /// [`Error::CallbackRejected`] with [`CallbackRejection::Denied`]: the user declined on the
    /// consent page (`error=access_denied`). Not a failure; the UI says "You declined the
    /// sign-in".
    SignInDeclined,
    /// See [`Error::InvalidInput`].
    InvalidInput,
    /// See [`Error::Cancelled`].
    Cancelled,
    /// See [`Error::Config`].
    Config,
    /// See [`Error::Io`].
    Io,
    /// See [`Error::Csv`].
    Csv,
    /// See [`Error::Database`].
    Database,
}

impl ErrorKind {
    /// The snake_case name, as serialised (`"license_limit"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotSignedIn => "not_signed_in",
            Self::SessionExpired => "session_expired",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::RateLimited => "rate_limited",
            Self::LicenseLimit => "license_limit",
            Self::Blocked => "blocked",
            Self::ResponseTooLarge => "response_too_large",
            Self::InvalidResponse => "invalid_response",
            Self::LimitExceeded => "limit_exceeded",
            Self::Api => "api",
            Self::Server => "server",
            Self::Network => "network",
            Self::Timeout => "timeout",
            Self::UnexpectedRedirect => "unexpected_redirect",
            Self::Decode => "decode",
            Self::OAuth => "oauth",
            Self::KeyringUnavailable => "keyring_unavailable",
            Self::Keyring => "keyring",
            Self::CallbackRejected => "callback_rejected",
            Self::SignInDeclined => "sign_in_declined",
            Self::InvalidInput => "invalid_input",
            Self::Cancelled => "cancelled",
            Self::Config => "config",
            Self::Io => "io",
            Self::Csv => "csv",
            Self::Database => "database",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// The stable category of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotSignedIn | Self::SignedInElsewhere { .. } => ErrorKind::NotSignedIn,
            Self::SessionExpired => ErrorKind::SessionExpired,
            Self::Unauthorized { .. } => ErrorKind::Unauthorized,
            Self::Forbidden { .. } => ErrorKind::Forbidden,
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::RateLimited { .. } => ErrorKind::RateLimited,
            Self::LicenseLimit { .. } => ErrorKind::LicenseLimit,
            Self::Blocked { .. } => ErrorKind::Blocked,
            Self::ResponseTooLarge { .. } => ErrorKind::ResponseTooLarge,
            Self::InvalidResponse { .. } => ErrorKind::InvalidResponse,
            Self::LimitExceeded { .. } => ErrorKind::LimitExceeded,
            Self::Api { .. } => ErrorKind::Api,
            Self::Server { .. } => ErrorKind::Server,
            Self::Network { .. } => ErrorKind::Network,
            Self::Timeout => ErrorKind::Timeout,
            Self::UnexpectedRedirect { .. } => ErrorKind::UnexpectedRedirect,
            Self::Decode { .. } => ErrorKind::Decode,
            Self::OAuth { .. } => ErrorKind::OAuth,
            Self::KeyringUnavailable { .. } => ErrorKind::KeyringUnavailable,
            Self::Keyring { .. } => ErrorKind::Keyring,
            Self::CallbackRejected {
                reason: CallbackRejection::Denied,
            } => ErrorKind::SignInDeclined,
            Self::CallbackRejected { .. } => ErrorKind::CallbackRejected,
            Self::InvalidInput { .. } => ErrorKind::InvalidInput,
            Self::Cancelled => ErrorKind::Cancelled,
            Self::Config { .. } => ErrorKind::Config,
            Self::Io(_) => ErrorKind::Io,
            Self::Csv { .. } => ErrorKind::Csv,
            Self::Database { .. } => ErrorKind::Database,
        }
    }

    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The `{kind, message}` pair that crosses to the UI and the CLI's error line.
    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            kind: self.kind(),
            message: self.to_string(),
        }
    }
}

/// What a user interface receives for an error: a stable `kind` to branch on and a readable
/// message to show.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorReport {
    /// Stable category.
    pub kind: ErrorKind,
    /// Human-readable description (English; the UI may localise by `kind`).
    pub message: String,
}

impl From<csv::Error> for Error {
    fn from(e: csv::Error) -> Self {
        match e.into_kind() {
            csv::ErrorKind::Io(io) => Self::Io(io),
            other => Self::Csv {
                message: format!("{other:?}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_serialises_like_as_str() {
        for kind in [
            ErrorKind::LicenseLimit,
            ErrorKind::KeyringUnavailable,
            ErrorKind::CallbackRejected,
            ErrorKind::SignInDeclined,
            ErrorKind::OAuth,
        ] {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(
                json,
                format!("\"{}\"", kind.as_str()),
                "the UI matches on the serialised kind, so as_str and serde must agree"
            );
        }
    }

    #[test]
    fn declining_on_the_consent_page_has_its_own_kind() {
        let declined = Error::CallbackRejected {
            reason: CallbackRejection::Denied,
        };
        assert_eq!(
            declined.kind(),
            ErrorKind::SignInDeclined,
            "the UI says \"You declined the sign-in\", not a failure"
        );
        assert_eq!(declined.kind().as_str(), "sign_in_declined");
        let expired = Error::CallbackRejected {
            reason: CallbackRejection::Expired,
        };
        assert_eq!(
            expired.kind(),
            ErrorKind::CallbackRejected,
            "other rejections stay"
        );
    }

    #[test]
    fn report_carries_kind_and_message() {
        let r = Error::invalid("customer e-mail", "must contain @").report();
        assert_eq!(r.kind, ErrorKind::InvalidInput);
        assert_eq!(r.message, "customer e-mail: must contain @");
    }
}
