//! The sign-in callback URL, parsed into a typed value and rejected by default.
//!
//! This module only answers "is this URL shaped like our callback, and what does it carry?". It
//! does not know the expected `state`; comparing it with the pending sign-in (in constant time,
//! once, within the window) is [`crate::auth::PendingSignIn::accept`]'s job.

use super::config::RedirectUri;
use crate::error::CallbackRejection;
use crate::secret::Secret;
use url::Url;

/// Longest callback URL we look at. Deep links can come from any web page, so the parser bounds
/// its work; a real callback is a few hundred bytes.
pub const MAX_CALLBACK_LEN: usize = 8 * 1024;

/// An OAuth authorization code (single use, minutes-long lifetime). Redacted in `Debug`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizationCode(Secret);

impl AuthorizationCode {
    /// Wraps a code.
    pub fn new(code: impl Into<Secret>) -> Self {
        Self(code.into())
    }

    /// The clear value, for the token request only.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

/// What a well-formed callback carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    /// The user approved: exchange `code`, after checking `state`.
    Code {
        /// The authorization code.
        code: AuthorizationCode,
        /// The echoed CSRF state.
        state: Secret,
    },
    /// The provider reported an error (for example `access_denied` when the user pressed Deny).
    Error {
        /// The OAuth error code.
        error: String,
        /// `error_description`, when sent.
        description: Option<String>,
        /// The echoed CSRF state.
        state: Secret,
    },
}

impl Callback {
    /// The echoed `state` of either variant.
    pub fn state(&self) -> &Secret {
        match self {
            Self::Code { state, .. } | Self::Error { state, .. } => state,
        }
    }
}

/// The callback URL parser.
#[derive(Debug, Clone, Copy)]
pub struct CallbackUrl;

impl CallbackUrl {
    /// Parses `raw` as a callback to `redirect`.
    ///
    /// Accepted: the exact scheme, host, port and path of `redirect` (for the deep link
    /// `scheme:/oauth/callback`, also the empty-authority form `scheme:///oauth/callback`), no
    /// user info, no fragment, exactly one non-empty `state`, and then either exactly one
    /// non-empty `code` or exactly one `error` (never both). Other query parameters are ignored.
    /// Parameter names are compared after percent-decoding, so an encoded duplicate still counts
    /// as a duplicate.
    ///
    /// # Errors
    /// - [`CallbackRejection::Malformed`]: not a URL, too long, or both/duplicate `error`.
    /// - [`CallbackRejection::WrongRedirect`]: another scheme/host/port/path, user info, fragment.
    /// - [`CallbackRejection::StateMismatch`]: `state` missing, empty or repeated.
    /// - [`CallbackRejection::MissingCode`]: `code` missing, empty or repeated.
    pub fn parse(raw: &str, redirect: &RedirectUri) -> Result<Callback, CallbackRejection> {
        if raw.len() > MAX_CALLBACK_LEN {
            return Err(CallbackRejection::Malformed);
        }
        let url = Url::parse(raw).map_err(|_| CallbackRejection::Malformed)?;
        if !redirect.matches(&url) {
            return Err(CallbackRejection::WrongRedirect);
        }

        let mut state = Param::default();
        let mut code = Param::default();
        let mut error = Param::default();
        let mut description = Param::default();
        for (name, value) in url.query_pairs() {
            match name.as_ref() {
                "state" => state.put(value.into_owned()),
                "code" => code.put(value.into_owned()),
                "error" => error.put(value.into_owned()),
                "error_description" => description.put(value.into_owned()),
                _ => {}
            }
        }

        let state = state
            .single_non_empty()
            .ok_or(CallbackRejection::StateMismatch)?;
        if error.count > 0 {
            if error.count > 1 || code.count > 0 {
                return Err(CallbackRejection::Malformed);
            }
            let error = error
                .single_non_empty()
                .ok_or(CallbackRejection::Malformed)?;
            return Ok(Callback::Error {
                error,
                description: description.single_non_empty(),
                state: Secret::new(state),
            });
        }
        let code = code
            .single_non_empty()
            .ok_or(CallbackRejection::MissingCode)?;
        Ok(Callback::Code {
            code: AuthorizationCode::new(code),
            state: Secret::new(state),
        })
    }
}

/// One query parameter: how often it appeared and its first value.
#[derive(Default)]
struct Param {
    count: usize,
    value: Option<String>,
}

impl Param {
    fn put(&mut self, value: String) {
        self.count += 1;
        if self.value.is_none() {
            self.value = Some(value);
        }
    }

    fn single_non_empty(mut self) -> Option<String> {
        if self.count == 1 {
            self.value.take().filter(|v| !v.is_empty())
        } else {
            None
        }
    }
}

impl Drop for Param {
    fn drop(&mut self) {
        // The values may be a code or a state; don't leave them in freed memory.
        if let Some(v) = self.value.as_mut() {
            zeroize::Zeroize::zeroize(v);
        }
    }
}

/// A URL fit for a log line: user info, query and fragment removed (they may carry a code,
/// a state or a token). Unparsable input is cut at the first `?` or `#` and shortened.
pub fn redact_url(raw: &str) -> String {
    const MAX: usize = 200;
    if let Ok(mut url) = Url::parse(raw) {
        if url.cannot_be_a_base() {
            // `scheme:anything` has no structure to keep; its "path" could be anything.
            return format!("{}:[opaque]", shorten(url.scheme(), 40));
        }
        url.set_query(None);
        url.set_fragment(None);
        // Both fail only for URLs that cannot carry user info, which is what we want anyway.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        return shorten(url.as_str(), MAX);
    }
    let head = raw.split(['?', '#']).next().unwrap_or("");
    // Without a parse we cannot tell user info from a path; drop everything up to an `@`.
    let head = head.rsplit('@').next().unwrap_or(head);
    shorten(head, MAX)
}

fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::config::DEFAULT_LOOPBACK_PORT;

    fn deep() -> RedirectUri {
        RedirectUri::default()
    }

    fn loopback() -> RedirectUri {
        RedirectUri::loopback(DEFAULT_LOOPBACK_PORT)
    }

    #[test]
    fn good_callbacks_parse_for_both_redirect_kinds() {
        let cases: &[(&str, RedirectUri, &str)] = &[
            (
                "deep link, one slash",
                deep(),
                "dev.supporterdesk:/oauth/callback?code=abc&state=s1",
            ),
            (
                "deep link, empty authority",
                deep(),
                "dev.supporterdesk:///oauth/callback?state=s1&code=abc",
            ),
            (
                "deep link, upper-case scheme",
                deep(),
                "DEV.SupporterDesk:/oauth/callback?code=abc&state=s1",
            ),
            (
                "deep link, extra params ignored",
                deep(),
                "dev.supporterdesk:/oauth/callback?code=abc&state=s1&scope=x",
            ),
            (
                "loopback",
                loopback(),
                "http://127.0.0.1:47813/oauth/callback?code=abc&state=s1",
            ),
            (
                "loopback, encoded values",
                loopback(),
                "http://127.0.0.1:47813/oauth/callback?code=a%62c&state=s%31",
            ),
        ];
        for (name, redirect, raw) in cases {
            match CallbackUrl::parse(raw, redirect) {
                Ok(Callback::Code { code, state }) => {
                    assert_eq!(
                        code.expose(),
                        "abc",
                        "{name}: the code must be decoded exactly"
                    );
                    assert_eq!(
                        state.expose(),
                        "s1",
                        "{name}: the state must be decoded exactly"
                    );
                }
                other => panic!("{name}: a valid callback must parse as a code, got {other:?}"),
            }
        }
    }

    #[test]
    fn bad_callbacks_are_rejected_with_the_right_reason() {
        use CallbackRejection::*;
        let cases: &[(&str, RedirectUri, &str, CallbackRejection)] = &[
            ("not a URL", deep(), "not a url", Malformed),
            ("empty", deep(), "", Malformed),
            (
                "other scheme",
                deep(),
                "evil.app:/oauth/callback?code=c&state=s",
                WrongRedirect,
            ),
            (
                "https lookalike",
                deep(),
                "https://dev.supporterdesk/oauth/callback?code=c&state=s",
                WrongRedirect,
            ),
            (
                "deep link with host",
                deep(),
                "dev.supporterdesk://oauth/callback?code=c&state=s",
                WrongRedirect,
            ),
            (
                "deep link with host and path",
                deep(),
                "dev.supporterdesk://evil.com/oauth/callback?code=c&state=s",
                WrongRedirect,
            ),
            (
                "deep link with port",
                deep(),
                "dev.supporterdesk://x:1/oauth/callback?code=c&state=s",
                WrongRedirect,
            ),
            (
                "deep link with bare port",
                deep(),
                "dev.supporterdesk://:1/oauth/callback?code=c&state=s",
                Malformed,
            ),
            (
                "deep link userinfo",
                deep(),
                "dev.supporterdesk://user@x/oauth/callback?code=c&state=s",
                WrongRedirect,
            ),
            (
                "other path",
                deep(),
                "dev.supporterdesk:/oauth/other?code=c&state=s",
                WrongRedirect,
            ),
            (
                "trailing slash",
                deep(),
                "dev.supporterdesk:/oauth/callback/?code=c&state=s",
                WrongRedirect,
            ),
            (
                "path case",
                deep(),
                "dev.supporterdesk:/OAuth/Callback?code=c&state=s",
                WrongRedirect,
            ),
            (
                "encoded slash",
                deep(),
                "dev.supporterdesk:/oauth%2Fcallback?code=c&state=s",
                WrongRedirect,
            ),
            (
                "no leading slash",
                deep(),
                "dev.supporterdesk:oauth/callback?code=c&state=s",
                WrongRedirect,
            ),
            (
                "fragment",
                deep(),
                "dev.supporterdesk:/oauth/callback?code=c&state=s#x",
                WrongRedirect,
            ),
            (
                "empty fragment",
                deep(),
                "dev.supporterdesk:/oauth/callback?code=c&state=s#",
                WrongRedirect,
            ),
            (
                "loopback other host",
                loopback(),
                "http://127.0.0.2:47813/oauth/callback?code=c&state=s",
                WrongRedirect,
            ),
            (
                "loopback localhost",
                loopback(),
                "http://localhost:47813/oauth/callback?code=c&state=s",
                WrongRedirect,
            ),
            (
                "loopback other port",
                loopback(),
                "http://127.0.0.1:47814/oauth/callback?code=c&state=s",
                WrongRedirect,
            ),
            (
                "loopback no port",
                loopback(),
                "http://127.0.0.1/oauth/callback?code=c&state=s",
                WrongRedirect,
            ),
            (
                "loopback https",
                loopback(),
                "https://127.0.0.1:47813/oauth/callback?code=c&state=s",
                WrongRedirect,
            ),
            (
                "loopback userinfo",
                loopback(),
                "http://u:p@127.0.0.1:47813/oauth/callback?code=c&state=s",
                WrongRedirect,
            ),
            (
                "loopback other path",
                loopback(),
                "http://127.0.0.1:47813/callback?code=c&state=s",
                WrongRedirect,
            ),
            (
                "deep link URL at loopback",
                loopback(),
                "dev.supporterdesk:/oauth/callback?code=c&state=s",
                WrongRedirect,
            ),
            (
                "missing state",
                deep(),
                "dev.supporterdesk:/oauth/callback?code=c",
                StateMismatch,
            ),
            (
                "no query",
                deep(),
                "dev.supporterdesk:/oauth/callback",
                StateMismatch,
            ),
            (
                "empty state",
                deep(),
                "dev.supporterdesk:/oauth/callback?code=c&state=",
                StateMismatch,
            ),
            (
                "duplicate state",
                deep(),
                "dev.supporterdesk:/oauth/callback?code=c&state=s&state=s",
                StateMismatch,
            ),
            (
                "encoded duplicate state",
                deep(),
                "dev.supporterdesk:/oauth/callback?code=c&state=s&st%61te=t",
                StateMismatch,
            ),
            (
                "missing code",
                deep(),
                "dev.supporterdesk:/oauth/callback?state=s",
                MissingCode,
            ),
            (
                "empty code",
                deep(),
                "dev.supporterdesk:/oauth/callback?code=&state=s",
                MissingCode,
            ),
            (
                "duplicate code",
                deep(),
                "dev.supporterdesk:/oauth/callback?code=a&code=b&state=s",
                MissingCode,
            ),
            (
                "code and error",
                deep(),
                "dev.supporterdesk:/oauth/callback?code=a&error=x&state=s",
                Malformed,
            ),
            (
                "duplicate error",
                deep(),
                "dev.supporterdesk:/oauth/callback?error=a&error=b&state=s",
                Malformed,
            ),
        ];
        for (name, redirect, raw, want) in cases {
            assert_eq!(
                CallbackUrl::parse(raw, redirect).err(),
                Some(*want),
                "{name}: {raw} must be rejected as {want:?}"
            );
        }
        let long = format!(
            "dev.supporterdesk:/oauth/callback?code=c&state=s&pad={}",
            "x".repeat(MAX_CALLBACK_LEN)
        );
        assert_eq!(
            CallbackUrl::parse(&long, &deep()).err(),
            Some(Malformed),
            "an oversized URL must be refused before parsing"
        );
    }

    #[test]
    fn provider_error_is_parsed_with_its_state() {
        let raw = "dev.supporterdesk:/oauth/callback?error=access_denied&error_description=User+said+no&state=s1";
        match CallbackUrl::parse(raw, &deep()) {
            Ok(Callback::Error {
                error,
                description,
                state,
            }) => {
                assert_eq!(
                    error, "access_denied",
                    "the error code must be kept for the Denied check"
                );
                assert_eq!(
                    description.as_deref(),
                    Some("User said no"),
                    "the description is decoded"
                );
                assert_eq!(
                    state.expose(),
                    "s1",
                    "the state is needed to tell a real denial from a forged one"
                );
            }
            other => panic!("an error redirect must parse as Callback::Error, got {other:?}"),
        }
    }

    #[test]
    fn redact_url_strips_query_fragment_and_user_info() {
        let cases = [
            (
                "dev.supporterdesk:/oauth/callback?code=SECRET&state=S",
                "dev.supporterdesk:/oauth/callback",
            ),
            (
                "http://u:SECRET@127.0.0.1:47813/oauth/callback?code=SECRET#SECRET",
                "http://127.0.0.1:47813/oauth/callback",
            ),
            ("garbage?code=SECRET", "garbage"),
            ("garbage#SECRET", "garbage"),
            ("user:SECRET@garbage?x", "user:[opaque]"),
            ("no scheme SECRET@host/path?code=SECRET", "host/path"),
        ];
        for (raw, want) in cases {
            let shown = redact_url(raw);
            assert_eq!(
                shown, want,
                "redact_url({raw}) must keep only scheme, host and path"
            );
            assert!(
                !shown.contains("SECRET"),
                "no code/state/credential may survive redaction"
            );
        }
        assert!(
            redact_url(&format!("x:/{}", "a".repeat(1000)))
                .chars()
                .count()
                <= 201,
            "log lines must stay short even for huge inputs"
        );
    }

    #[test]
    fn debug_of_code_and_callback_shows_no_secret() {
        let cb = CallbackUrl::parse(
            "dev.supporterdesk:/oauth/callback?code=CODE123&state=STATE456",
            &deep(),
        )
        .unwrap();
        let shown = format!("{cb:?} {:?}", AuthorizationCode::new("CODE123"));
        assert!(
            !shown.contains("CODE123") && !shown.contains("STATE456"),
            "Debug must not reveal the code or state: {shown}"
        );
        assert!(
            shown.contains("[redacted]"),
            "Debug should still show that a secret was there"
        );
    }
}
