//! A sign-in in progress: the PKCE verifier and CSRF state between "open the browser" and "the
//! callback arrived". They live in memory only and are never logged.

use super::callback::{redact_url, AuthorizationCode, Callback, CallbackUrl};
use super::config::{OAuthConfig, RedirectUri};
use super::oauth::oauth_client;
use crate::clock::Clock;
use crate::error::{CallbackRejection, Error, Result};
use crate::secret::Secret;
use chrono::{DateTime, TimeDelta, Utc};
use oauth2::{CsrfToken, PkceCodeChallenge};
use std::sync::{Arc, Mutex, MutexGuard};
use subtle::ConstantTimeEq;
use url::Url;

/// How long a started sign-in accepts its callback. Long enough to type a password and pass
/// two-factor, short enough that a stale browser tab cannot complete a sign-in much later.
pub const WINDOW: TimeDelta = TimeDelta::minutes(5);

/// The PKCE code verifier (RFC 7636). Redacted in `Debug`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PkceVerifier(Secret);

impl PkceVerifier {
    /// Wraps a verifier.
    pub fn new(verifier: impl Into<Secret>) -> Self {
        Self(verifier.into())
    }

    /// The clear value, for the token request only.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

/// What an accepted callback yields: everything the code exchange needs.
#[derive(Debug, Clone)]
pub struct AuthorizationGrant {
    /// The single-use authorization code.
    pub code: AuthorizationCode,
    /// The PKCE verifier of the same sign-in.
    pub verifier: PkceVerifier,
    /// The redirect URI the sign-in was started with (the exchange must send the same one).
    pub redirect_uri: RedirectUri,
}

/// One started sign-in.
#[derive(Debug)]
pub struct PendingSignIn {
    verifier: PkceVerifier,
    state: Secret,
    redirect: RedirectUri,
    started_at: DateTime<Utc>,
    consumed: bool,
}

impl PendingSignIn {
    /// Starts a sign-in: a fresh PKCE verifier (S256 challenge) and a fresh random `state`, and
    /// the authorize URL to open in the system browser (`response_type=code`, `client_id`,
    /// `redirect_uri`, `state`, `code_challenge`, `code_challenge_method=S256`, `display=popup`).
    ///
    /// # Errors
    /// [`Error::Config`] when the redirect URI cannot be expressed as a URL.
    pub fn start(config: &OAuthConfig, clock: &dyn Clock) -> Result<(Self, Url)> {
        let client = oauth_client(config)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = client
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge)
            .add_extra_param("display", "popup")
            .url();
        let pending = Self {
            verifier: PkceVerifier::new(verifier.secret().as_str()),
            state: Secret::new(state.secret().as_str()),
            redirect: config.redirect_uri.clone(),
            started_at: clock.now(),
            consumed: false,
        };
        Ok((pending, url))
    }

    /// When the sign-in was started.
    pub fn started_at(&self) -> DateTime<Utc> {
        self.started_at
    }

    /// The redirect URI this sign-in expects its callback on.
    pub fn redirect_uri(&self) -> &RedirectUri {
        &self.redirect
    }

    /// Whether a callback can still be accepted at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        !self.consumed && !self.is_expired(now)
    }

    /// Whether this sign-in is finished (accepted, denied or expired) and can be dropped.
    pub fn is_consumed(&self) -> bool {
        self.consumed
    }

    fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now - self.started_at > WINDOW
    }

    /// Checks a callback URL against this sign-in and returns its code.
    ///
    /// Order and consequences:
    /// 1. Already consumed → [`CallbackRejection::NotPending`].
    /// 2. Older than [`WINDOW`] → [`CallbackRejection::Expired`]; the sign-in is consumed.
    /// 3. Not a well-formed callback ([`CallbackUrl::parse`]) → that rejection; *not* consumed.
    /// 4. `state` differs → [`CallbackRejection::StateMismatch`]; *not* consumed. Anyone can
    ///    make the OS open a deep link to us; if a forged link could consume the pending
    ///    sign-in, an attacker could cancel the user's real sign-in at will.
    /// 5. `state` matches: consumed (used once), then `error=access_denied` →
    ///    [`CallbackRejection::Denied`], another provider error → [`Error::OAuth`], or the code.
    ///
    /// # Errors
    /// [`Error::CallbackRejected`] or [`Error::OAuth`] as above.
    pub fn accept(&mut self, callback_url: &str, now: DateTime<Utc>) -> Result<AuthorizationCode> {
        let reject = |reason: CallbackRejection| {
            // Only the redacted URL: the query holds the code and state.
            tracing::warn!(url = %redact_url(callback_url), %reason, "sign-in callback ignored");
            Error::CallbackRejected { reason }
        };
        if self.consumed {
            return Err(reject(CallbackRejection::NotPending));
        }
        if self.is_expired(now) {
            self.consumed = true;
            return Err(reject(CallbackRejection::Expired));
        }
        let callback = CallbackUrl::parse(callback_url, &self.redirect).map_err(reject)?;
        // Constant-time comparison: the time taken must not tell a forger how many leading
        // characters of the state were right.
        let state_ok: bool = callback
            .state()
            .expose()
            .as_bytes()
            .ct_eq(self.state.expose().as_bytes())
            .into();
        if !state_ok {
            return Err(reject(CallbackRejection::StateMismatch));
        }
        self.consumed = true;
        match callback {
            Callback::Code { code, .. } => Ok(code),
            Callback::Error { error, .. } if error == "access_denied" => {
                Err(reject(CallbackRejection::Denied))
            }
            Callback::Error {
                error, description, ..
            } => {
                let error = printable(&error, 64);
                tracing::warn!(%error, "the provider reported a sign-in error");
                Err(Error::OAuth {
                    error,
                    message: description
                        .map(|d| printable(&d, 300))
                        .unwrap_or_else(|| "the sign-in failed in the browser".to_owned()),
                })
            }
        }
    }

    /// Consumes the sign-in, yielding its verifier (after a successful [`accept`](Self::accept)).
    pub fn into_verifier(self) -> PkceVerifier {
        self.verifier
    }
}

/// Provider-supplied text for a message: printable ASCII only, bounded.
fn printable(s: &str, max: usize) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(max)
        .collect()
}

/// The one place a callback is handled, whichever way it arrived (deep link, cold-start URL,
/// loopback listener): holds at most one pending sign-in.
///
/// The lock is a `std::sync::Mutex` held only for in-memory checks, never across an `.await`:
/// [`complete`](Self::complete) takes the verifier out, and the code exchange runs afterwards.
#[derive(Debug)]
pub struct SignInFlow {
    clock: Arc<dyn Clock>,
    pending: Mutex<Option<PendingSignIn>>,
}

impl SignInFlow {
    /// No sign-in pending.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            pending: Mutex::new(None),
        }
    }

    fn slot(&self) -> MutexGuard<'_, Option<PendingSignIn>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a sign-in and returns the authorize URL to open. A sign-in already pending is
    /// replaced: its state stops being accepted.
    ///
    /// # Errors
    /// As [`PendingSignIn::start`].
    pub fn begin(&self, config: &OAuthConfig) -> Result<Url> {
        let (pending, url) = PendingSignIn::start(config, self.clock.as_ref())?;
        *self.slot() = Some(pending);
        tracing::info!(redirect = %config.redirect_uri, "sign-in started");
        Ok(url)
    }

    /// Cancels the pending sign-in; returns whether one was pending.
    pub fn cancel(&self) -> bool {
        let was = self.slot().take();
        if was.is_some() {
            tracing::info!("sign-in cancelled");
        }
        was.is_some()
    }

    /// Whether a sign-in is pending and still within its window.
    pub fn is_pending(&self) -> bool {
        let now = self.clock.now();
        self.slot().as_ref().is_some_and(|p| p.is_open(now))
    }

    /// Handles a callback URL: see [`PendingSignIn::accept`] for the checks. On success the
    /// pending sign-in is removed and its code and verifier are returned for
    /// [`crate::auth::exchange_code`]. A rejected forgery leaves the pending sign-in in place.
    ///
    /// # Errors
    /// [`Error::CallbackRejected`] (with [`CallbackRejection::NotPending`] when nothing is
    /// pending) or [`Error::OAuth`].
    pub fn complete(&self, callback_url: &str) -> Result<AuthorizationGrant> {
        let now = self.clock.now();
        let mut slot = self.slot();
        let Some(pending) = slot.as_mut() else {
            let url = redact_url(callback_url);
            tracing::warn!(%url, "sign-in callback with no sign-in pending");
            return Err(Error::CallbackRejected {
                reason: CallbackRejection::NotPending,
            });
        };
        let code = match pending.accept(callback_url, now) {
            Ok(code) => code,
            Err(e) => {
                // Expired or finished by the provider: drop it. A rejected forgery keeps it.
                if pending.is_consumed() {
                    *slot = None;
                }
                return Err(e);
            }
        };
        let Some(finished) = slot.take() else {
            return Err(Error::CallbackRejected {
                reason: CallbackRejection::NotPending,
            });
        };
        tracing::info!("sign-in callback accepted");
        let redirect_uri = finished.redirect.clone();
        Ok(AuthorizationGrant {
            code,
            verifier: finished.into_verifier(),
            redirect_uri,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn config(redirect: RedirectUri) -> OAuthConfig {
        let base = Url::parse("https://webapi.teamviewer.com").unwrap();
        let login = Url::parse("https://login.teamviewer.com").unwrap();
        OAuthConfig::for_api(
            &base,
            &login,
            "client-1",
            Some(Secret::new("shh")),
            redirect,
        )
        .unwrap()
    }

    fn started() -> (PendingSignIn, Url) {
        PendingSignIn::start(&config(RedirectUri::default()), &ManualClock::new(t0())).unwrap()
    }

    fn callback(state: &str) -> String {
        let mut u = Url::parse("dev.supporterdesk:/oauth/callback").unwrap();
        u.query_pairs_mut()
            .append_pair("code", "the-code")
            .append_pair("state", state);
        u.into()
    }

    fn rejection(r: Result<AuthorizationCode>) -> Option<CallbackRejection> {
        match r {
            Err(Error::CallbackRejected { reason }) => Some(reason),
            _ => None,
        }
    }

    #[test]
    fn authorize_url_carries_pkce_state_and_redirect() {
        let (p, url) = started();
        let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(
            url.origin().ascii_serialization(),
            "https://login.teamviewer.com",
            "the consent page is on the login origin"
        );
        assert_eq!(url.path(), "/oauth2/authorize", "the consent page path");
        assert_eq!(
            get("response_type"),
            Some("code"),
            "authorization-code flow"
        );
        assert_eq!(
            get("client_id"),
            Some("client-1"),
            "the configured client ID"
        );
        assert_eq!(
            get("redirect_uri"),
            Some("dev.supporterdesk:/oauth/callback"),
            "the registered redirect, verbatim"
        );
        assert_eq!(
            get("state"),
            Some(p.state.expose()),
            "the state we will compare the callback with"
        );
        assert_eq!(
            get("code_challenge_method"),
            Some("S256"),
            "PKCE must use S256, never plain"
        );
        assert_eq!(
            get("display"),
            Some("popup"),
            "TeamViewer's consent page expects display=popup"
        );
        let challenge = oauth2::PkceCodeChallenge::from_code_verifier_sha256(
            &oauth2::PkceCodeVerifier::new(p.verifier.expose().to_owned()),
        );
        assert_eq!(
            get("code_challenge"),
            Some(challenge.as_str()),
            "the challenge must be S256 of our verifier"
        );
        assert!(
            get("client_secret").is_none(),
            "the client secret must never be put in a browser URL"
        );
        assert!(
            p.state.expose().len() >= 22,
            "the state must carry at least 128 bits of randomness"
        );
    }

    #[test]
    fn each_start_uses_fresh_state_and_verifier() {
        let (a, _) = started();
        let (b, _) = started();
        assert_ne!(
            a.state, b.state,
            "a reused state would let an old link complete a new sign-in"
        );
        assert_ne!(a.verifier, b.verifier, "a reused verifier defeats PKCE");
    }

    #[test]
    fn pending_checks_table() {
        enum Step {
            Accept(&'static str, i64),
        }
        struct Case {
            name: &'static str,
            steps: Vec<(Step, Option<CallbackRejection>)>,
        }
        // `{state}` is replaced by the real state; minutes are after the start.
        let good = "dev.supporterdesk:/oauth/callback?code=c&state={state}";
        let cases = vec![
            Case {
                name: "good callback in time",
                steps: vec![(Step::Accept(good, 1), None)],
            },
            Case {
                name: "at the end of the window",
                steps: vec![(Step::Accept(good, 5), None)],
            },
            Case {
                name: "expired",
                steps: vec![(Step::Accept(good, 6), Some(CallbackRejection::Expired))],
            },
            Case {
                name: "expired is consumed",
                steps: vec![
                    (Step::Accept(good, 6), Some(CallbackRejection::Expired)),
                    (Step::Accept(good, 6), Some(CallbackRejection::NotPending)),
                ],
            },
            Case {
                name: "second accept is refused",
                steps: vec![
                    (Step::Accept(good, 1), None),
                    (Step::Accept(good, 1), Some(CallbackRejection::NotPending)),
                ],
            },
            Case {
                name: "mismatched state does not consume",
                steps: vec![
                    (
                        Step::Accept("dev.supporterdesk:/oauth/callback?code=c&state=forged", 1),
                        Some(CallbackRejection::StateMismatch),
                    ),
                    (Step::Accept(good, 2), None),
                ],
            },
            Case {
                name: "state with a suffix is a mismatch",
                steps: vec![(
                    Step::Accept("dev.supporterdesk:/oauth/callback?code=c&state={state}x", 1),
                    Some(CallbackRejection::StateMismatch),
                )],
            },
            Case {
                name: "wrong redirect does not consume",
                steps: vec![
                    (
                        Step::Accept("evil.app:/oauth/callback?code=c&state={state}", 1),
                        Some(CallbackRejection::WrongRedirect),
                    ),
                    (Step::Accept(good, 1), None),
                ],
            },
            Case {
                name: "missing code does not consume",
                steps: vec![
                    (
                        Step::Accept("dev.supporterdesk:/oauth/callback?state={state}", 1),
                        Some(CallbackRejection::MissingCode),
                    ),
                    (Step::Accept(good, 1), None),
                ],
            },
            Case {
                name: "access denied with our state ends the sign-in",
                steps: vec![
                    (
                        Step::Accept(
                            "dev.supporterdesk:/oauth/callback?error=access_denied&state={state}",
                            1,
                        ),
                        Some(CallbackRejection::Denied),
                    ),
                    (Step::Accept(good, 1), Some(CallbackRejection::NotPending)),
                ],
            },
            Case {
                name: "access denied with a forged state is ignored",
                steps: vec![
                    (
                        Step::Accept(
                            "dev.supporterdesk:/oauth/callback?error=access_denied&state=forged",
                            1,
                        ),
                        Some(CallbackRejection::StateMismatch),
                    ),
                    (Step::Accept(good, 1), None),
                ],
            },
        ];
        for case in cases {
            let (mut p, _) = started();
            let state = p.state.expose().to_owned();
            for (i, (Step::Accept(raw, minutes), want)) in case.steps.into_iter().enumerate() {
                let raw = raw.replace("{state}", &state);
                let got = p.accept(&raw, t0() + TimeDelta::minutes(minutes));
                match want {
                    None => assert_eq!(
                        got.as_ref().map(|c| c.expose()).ok(),
                        Some("c"),
                        "{}: step {i} must accept the callback",
                        case.name
                    ),
                    Some(reason) => assert_eq!(
                        rejection(got),
                        Some(reason),
                        "{}: step {i} must be rejected as {reason:?}",
                        case.name
                    ),
                }
            }
        }
    }

    #[test]
    fn other_provider_error_becomes_oauth_error() {
        let (mut p, _) = started();
        let raw = format!(
            "dev.supporterdesk:/oauth/callback?error=server_error&error_description=Try+later&state={}",
            p.state.expose()
        );
        match p.accept(&raw, t0()) {
            Err(Error::OAuth { error, message }) => {
                assert_eq!(error, "server_error", "the provider's error code is kept");
                assert_eq!(message, "Try later", "the provider's description is shown");
            }
            other => panic!(
                "a provider error other than access_denied must be Error::OAuth, got {other:?}"
            ),
        }
        assert!(
            p.is_consumed(),
            "a provider error with our state ends the sign-in"
        );
    }

    #[test]
    fn flow_completes_once_and_survives_forgeries() {
        let clock = Arc::new(ManualClock::new(t0()));
        let flow = SignInFlow::new(clock.clone());
        assert_eq!(
            flow.complete(&callback("x")).err().map(|e| e.kind()),
            Some(crate::ErrorKind::CallbackRejected),
            "a callback with nothing pending must be rejected"
        );
        let url = flow.begin(&config(RedirectUri::default())).unwrap();
        let state = url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned();
        assert!(flow.is_pending(), "begin must leave a sign-in pending");
        assert!(
            flow.complete(&callback("forged")).is_err(),
            "a forged state must be rejected"
        );
        assert!(
            flow.is_pending(),
            "a forged callback must not cancel the real sign-in"
        );
        let grant = flow.complete(&callback(&state)).unwrap();
        assert_eq!(
            grant.code.expose(),
            "the-code",
            "the code of the accepted callback is returned"
        );
        assert!(
            !grant.verifier.expose().is_empty(),
            "the verifier comes with the code"
        );
        assert_eq!(
            grant.redirect_uri,
            RedirectUri::default(),
            "the grant remembers its redirect"
        );
        assert!(!flow.is_pending(), "an accepted callback ends the sign-in");
        assert!(
            flow.complete(&callback(&state)).is_err(),
            "a replayed callback must be rejected"
        );
    }

    #[test]
    fn flow_cancel_and_expiry() {
        let clock = Arc::new(ManualClock::new(t0()));
        let flow = SignInFlow::new(clock.clone());
        let url = flow.begin(&config(RedirectUri::default())).unwrap();
        let state = url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned();
        assert!(flow.cancel(), "cancel reports that a sign-in was pending");
        assert!(!flow.cancel(), "a second cancel finds nothing");
        assert!(
            flow.complete(&callback(&state)).is_err(),
            "a cancelled sign-in accepts nothing"
        );

        let url = flow.begin(&config(RedirectUri::default())).unwrap();
        let state = url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned();
        clock.advance(TimeDelta::minutes(6));
        assert!(
            !flow.is_pending(),
            "a sign-in older than the window is no longer pending"
        );
        match flow.complete(&callback(&state)) {
            Err(Error::CallbackRejected { reason }) => assert_eq!(
                reason,
                CallbackRejection::Expired,
                "late callbacks are Expired"
            ),
            other => panic!("a late callback must be rejected, got {other:?}"),
        }
    }

    #[test]
    fn loopback_flow_accepts_only_its_port() {
        let clock = Arc::new(ManualClock::new(t0()));
        let flow = SignInFlow::new(clock);
        let url = flow.begin(&config(RedirectUri::loopback(47813))).unwrap();
        let state = url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned();
        assert!(
            flow.complete(&format!(
                "http://127.0.0.1:1234/oauth/callback?code=c&state={state}"
            ))
            .is_err(),
            "another port is another redirect URI"
        );
        assert!(
            flow.complete(&format!(
                "http://127.0.0.1:47813/oauth/callback?code=c&state={state}"
            ))
            .is_ok(),
            "the registered loopback URL is accepted"
        );
    }

    #[test]
    fn debug_of_pending_shows_no_secret() {
        let (p, _) = started();
        let shown = format!("{p:?} {:?}", PkceVerifier::new("VERIFIER-1"));
        assert!(
            !shown.contains(p.state.expose()),
            "the state must not appear in Debug: {shown}"
        );
        assert!(
            !shown.contains(p.verifier.expose()),
            "the verifier must not appear in Debug: {shown}"
        );
        assert!(
            !shown.contains("VERIFIER-1"),
            "PkceVerifier's Debug must redact: {shown}"
        );
    }

    proptest! {
        #[test]
        fn parser_and_accept_never_panic(raw in ".{0,300}") {
            let _ = CallbackUrl::parse(&raw, &RedirectUri::default());
            let _ = CallbackUrl::parse(&raw, &RedirectUri::loopback(47813));
            let (mut p, _) = started();
            let _ = p.accept(&raw, t0());
            let _ = redact_url(&raw);
        }

        #[test]
        fn parser_never_panics_on_callback_like_urls(
            query in "[a-z=&%0-9A-F+;#?]{0,80}",
            prefix in prop::sample::select(vec![
                "dev.supporterdesk:/oauth/callback?",
                "dev.supporterdesk:///oauth/callback?",
                "http://127.0.0.1:47813/oauth/callback?",
            ]),
        ) {
            let raw = format!("{prefix}{query}");
            let _ = CallbackUrl::parse(&raw, &RedirectUri::default());
            let _ = CallbackUrl::parse(&raw, &RedirectUri::loopback(47813));
        }

        #[test]
        fn only_the_expected_state_is_accepted(
            use_real in any::<bool>(),
            other_state in "[A-Za-z0-9_-]{0,30}",
            code in "[A-Za-z0-9._~-]{1,20}",
            extra in prop::option::of(("[a-z]{1,8}", "[a-z0-9]{0,8}")),
        ) {
            let (mut p, _) = started();
            let real = p.state.expose().to_owned();
            let state = if use_real { real.clone() } else { other_state };
            let mut u = Url::parse("dev.supporterdesk:/oauth/callback").unwrap();
            {
                let mut q = u.query_pairs_mut();
                q.append_pair("code", &code).append_pair("state", &state);
                if let Some((k, v)) = &extra {
                    if !matches!(k.as_str(), "code" | "state" | "error") {
                        q.append_pair(k, v);
                    }
                }
            }
            let accepted = p.accept(u.as_str(), t0() + TimeDelta::minutes(1));
            prop_assert_eq!(accepted.is_ok(), state == real, "accepted iff the state is the expected one");
            if let Ok(c) = accepted {
                prop_assert_eq!(c.expose(), code.as_str(), "the accepted code is the one sent");
            }
        }
    }
}
