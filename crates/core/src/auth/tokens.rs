//! The credentials of a signed-in user.

use crate::secret::Secret;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

/// The origin (`scheme://host[:port]`) of an API base, the unit tokens are tied to:
/// `https://webapi.teamviewer.com` for `https://webapi.teamviewer.com/api/v1/`.
pub fn api_origin_of(base: &Url) -> String {
    base.origin().ascii_serialization()
}

/// The origin of [`crate::client::DEFAULT_API_URL`], which tokens stored without an origin (by
/// versions that did not record one) belong to.
pub fn default_api_origin() -> String {
    Url::parse(crate::client::DEFAULT_API_URL)
        .map(|u| api_origin_of(&u))
        .unwrap_or_else(|_| crate::client::DEFAULT_API_URL.to_owned())
}

/// Where a token came from, which decides whether it can be refreshed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TokenKind {
    /// An OAuth access token (expires; refreshable when a refresh token came with it).
    #[serde(rename = "oauth")]
    OAuth,
    /// A TeamViewer script token pasted by the user (long-lived, never refreshed).
    #[serde(rename = "script")]
    Script,
}

/// An access token with what is needed to keep it fresh. Redacted in `Debug`; not serialisable
/// (the keyring store has its own private encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSet {
    /// The bearer token for API calls.
    pub access_token: Secret,
    /// The refresh token (OAuth only; TeamViewer rotates it on every refresh).
    pub refresh_token: Option<Secret>,
    /// When the access token expires, when known.
    pub expires_at: Option<DateTime<Utc>>,
    /// OAuth or script token.
    pub kind: TokenKind,
    /// The API origin the tokens were issued for and may be sent to ([`api_origin_of`]).
    /// `None` means the TeamViewer origin ([`default_api_origin`]): entries written before
    /// origins were recorded. [`crate::auth::AuthSession`] sets it when it stores tokens.
    pub api_origin: Option<String>,
}

impl TokenSet {
    /// A script token: no refresh token, no expiry.
    pub fn script(token: Secret) -> Self {
        Self {
            access_token: token,
            refresh_token: None,
            expires_at: None,
            kind: TokenKind::Script,
            api_origin: None,
        }
    }

    /// OAuth tokens that expire `expires_in` seconds after `now` (an absurd lifetime is treated
    /// as unknown rather than overflowing).
    pub fn oauth(
        access_token: Secret,
        refresh_token: Option<Secret>,
        expires_in: Option<u64>,
        now: DateTime<Utc>,
    ) -> Self {
        let expires_at = expires_in
            .and_then(|s| i64::try_from(s).ok())
            .and_then(TimeDelta::try_seconds)
            .and_then(|d| now.checked_add_signed(d));
        Self {
            access_token,
            refresh_token: refresh_token.filter(|r| !r.is_empty()),
            expires_at,
            kind: TokenKind::OAuth,
            api_origin: None,
        }
    }

    /// Whether the access token expires within `margin` of `now` (or already has). A token
    /// without a known expiry never "expires soon".
    pub fn expires_within(&self, now: DateTime<Utc>, margin: TimeDelta) -> bool {
        self.expires_at.is_some_and(|at| at - now < margin)
    }

    /// The API origin the tokens belong to, with `None` read as the TeamViewer origin.
    pub fn origin(&self) -> String {
        self.api_origin.clone().unwrap_or_else(default_api_origin)
    }

    /// The same tokens, tied to `origin` ([`api_origin_of`]).
    pub fn for_origin(mut self, origin: impl Into<String>) -> Self {
        self.api_origin = Some(origin.into());
        self
    }

    /// Whether the token can be refreshed without the user: an OAuth token with a refresh token.
    pub fn is_refreshable(&self) -> bool {
        self.kind == TokenKind::OAuth && self.refresh_token.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_token_set_shows_no_secret() {
        let t = TokenSet::oauth(
            Secret::new("ACCESS-123"),
            Some(Secret::new("REFRESH-456")),
            Some(86400),
            Utc::now(),
        );
        let shown = format!("{t:?}");
        assert!(
            !shown.contains("ACCESS-123") && !shown.contains("REFRESH-456"),
            "tokens must never appear in Debug output: {shown}"
        );
        assert!(
            shown.contains("[redacted]"),
            "the redaction marker shows a secret was there"
        );
    }

    #[test]
    fn origins_ignore_paths_and_default_to_teamviewer() {
        let base = Url::parse("https://webapi.teamviewer.com/api/v1/").unwrap();
        assert_eq!(
            api_origin_of(&base),
            "https://webapi.teamviewer.com",
            "an origin is scheme, host and port; the path does not matter"
        );
        assert_eq!(
            api_origin_of(&Url::parse("http://127.0.0.1:8080/x").unwrap()),
            "http://127.0.0.1:8080",
            "the port is part of the origin"
        );
        let legacy = TokenSet::script(Secret::new("t"));
        assert_eq!(
            legacy.origin(),
            "https://webapi.teamviewer.com",
            "tokens without a recorded origin belong to TeamViewer"
        );
        assert_eq!(
            legacy.for_origin("http://127.0.0.1:1").origin(),
            "http://127.0.0.1:1",
            "a recorded origin wins"
        );
    }

    #[test]
    fn expiry_is_computed_from_the_injected_now() {
        let now = DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let t = TokenSet::oauth(Secret::new("a"), None, Some(3600), now);
        assert_eq!(
            t.expires_at,
            Some(now + TimeDelta::hours(1)),
            "expires_in must be added to the clock's now, not the wall clock"
        );
        assert!(
            !t.expires_within(now, TimeDelta::minutes(5)),
            "an hour left is not within a 5-minute margin"
        );
        assert!(
            t.expires_within(now + TimeDelta::minutes(56), TimeDelta::minutes(5)),
            "4 minutes left is within a 5-minute margin"
        );
        let huge = TokenSet::oauth(Secret::new("a"), None, Some(u64::MAX), now);
        assert_eq!(
            huge.expires_at, None,
            "an absurd lifetime must not overflow or panic"
        );
    }
}
