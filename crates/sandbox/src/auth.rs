//! Issued OAuth artefacts (pending consents, codes, access and refresh tokens) and bearer-token
//! checks for the API.

use crate::data::{self, alphanumeric, digits, Stream};
use crate::error::{ApiError, ErrorKind};
use crate::state::{lock, AppState};
use crate::stats::Counter;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Authorization codes and pending consent requests live this long: "the authorization code is
/// valid 10 minutes" (doc 2023-03, OAuth chapter).
pub(crate) const CODE_LIFETIME: Duration = Duration::from_secs(600);

/// A consent page that waits for Approve or Deny.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PendingConsent {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) state: Option<String>,
    pub(crate) code_challenge: Option<String>,
}

#[derive(Debug, Clone)]
struct Timed<T> {
    value: T,
    issued: Instant,
}

impl<T> Timed<T> {
    fn now(value: T) -> Self {
        Self {
            value,
            issued: Instant::now(),
        }
    }

    fn alive(&self, lifetime: Duration) -> bool {
        self.alive_at(lifetime, Instant::now())
    }

    /// Whether it is younger than `lifetime` at `now`.
    fn alive_at(&self, lifetime: Duration, now: Instant) -> bool {
        now.saturating_duration_since(self.issued) < lifetime
    }
}

#[derive(Debug, Clone)]
struct AccessGrant {
    refresh_token: String,
    calls: u32,
}

#[derive(Debug, Clone)]
struct RefreshGrant {
    client_id: String,
    access_token: String,
}

/// A freshly issued token pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenPair {
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
}

/// What a bearer token is worth right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenStatus {
    Valid,
    /// Missing, unknown, revoked or replaced by a refresh.
    Invalid,
    /// Past its lifetime or its call budget; a refresh gives a new one.
    Expired,
}

/// All OAuth state of a run.
#[derive(Debug)]
pub(crate) struct AuthStore {
    script_token: String,
    access_ttl: Duration,
    calls_per_token: Option<u32>,
    consents: HashMap<String, Timed<PendingConsent>>,
    codes: HashMap<String, Timed<PendingConsent>>,
    access: HashMap<String, Timed<AccessGrant>>,
    refresh: HashMap<String, RefreshGrant>,
    rng: ChaCha8Rng,
}

impl AuthStore {
    pub(crate) fn new(seed: u64, access_ttl: Duration, calls_per_token: Option<u32>) -> Self {
        Self {
            script_token: data::script_token(seed),
            access_ttl,
            calls_per_token,
            consents: HashMap::new(),
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            rng: data::rng_for(seed, Stream::Issued),
        }
    }

    pub(crate) fn script_token(&self) -> &str {
        &self.script_token
    }

    pub(crate) fn access_ttl(&self) -> Duration {
        self.access_ttl
    }

    /// Stores a consent request and returns its id (the form's `request` field).
    pub(crate) fn begin_consent(&mut self, consent: PendingConsent) -> String {
        let id = alphanumeric(&mut self.rng, 24);
        self.consents.insert(id.clone(), Timed::now(consent));
        id
    }

    /// Removes and returns a pending consent, unless unknown or older than 10 minutes.
    pub(crate) fn take_consent(&mut self, id: &str) -> Option<PendingConsent> {
        self.consents
            .remove(id)
            .filter(|consent| consent.alive(CODE_LIFETIME))
            .map(|consent| consent.value)
    }

    /// Issues an authorization code for an approved consent.
    pub(crate) fn issue_code(&mut self, consent: PendingConsent) -> String {
        let code = alphanumeric(&mut self.rng, 8);
        self.codes.insert(code.clone(), Timed::now(consent));
        code
    }

    /// Redeems a code: single use (consumed even when a check fails), 10-minute lifetime,
    /// bound to the client, `redirect_uri` must match when given, and the PKCE verifier must
    /// match when a challenge was sent.
    pub(crate) fn redeem_code(
        &mut self,
        code: &str,
        client_id: &str,
        redirect_uri: Option<&str>,
        code_verifier: Option<&str>,
    ) -> Result<TokenPair, ApiError> {
        self.redeem_code_at(code, client_id, redirect_uri, code_verifier, Instant::now())
    }

    /// [`Self::redeem_code`] at a given instant (tests move the clock).
    fn redeem_code_at(
        &mut self,
        code: &str,
        client_id: &str,
        redirect_uri: Option<&str>,
        code_verifier: Option<&str>,
        now: Instant,
    ) -> Result<TokenPair, ApiError> {
        let issued = self
            .codes
            .remove(code)
            .ok_or_else(|| ApiError::invalid_grant("unknown or already used authorization code"))?;
        if !issued.alive_at(CODE_LIFETIME, now) {
            return Err(ApiError::invalid_grant("authorization code expired"));
        }
        let grant = issued.value;
        if grant.client_id != client_id {
            return Err(ApiError::invalid_grant(
                "authorization code was issued to another client",
            ));
        }
        if redirect_uri.is_some_and(|uri| uri != grant.redirect_uri) {
            return Err(ApiError::invalid_grant(
                "redirect_uri differs from the one used at authorize",
            ));
        }
        if let Some(challenge) = &grant.code_challenge {
            let verifier = code_verifier
                .ok_or_else(|| ApiError::invalid_grant("code_verifier is required"))?;
            if !pkce_matches(verifier, challenge) {
                return Err(ApiError::invalid_grant("code_verifier does not match"));
            }
        }
        Ok(self.issue_tokens(client_id))
    }

    /// Rotates a refresh token: the old refresh token and its access token stop working.
    pub(crate) fn rotate(
        &mut self,
        refresh_token: &str,
        client_id: &str,
    ) -> Result<TokenPair, ApiError> {
        match self.refresh.get(refresh_token) {
            Some(grant) if grant.client_id == client_id => {}
            Some(_) => {
                return Err(ApiError::invalid_grant(
                    "refresh token was issued to another client",
                ))
            }
            None => {
                return Err(ApiError::invalid_grant(
                    "unknown or already used refresh token",
                ))
            }
        }
        self.forget(refresh_token);
        Ok(self.issue_tokens(client_id))
    }

    /// Revokes an access token and its refresh token. The script token can't be revoked here
    /// (it is deleted in the console) and reports `true` without effect.
    pub(crate) fn revoke(&mut self, access_token: &str) -> bool {
        if access_token == self.script_token {
            return true;
        }
        match self.access.get(access_token) {
            Some(grant) => {
                let refresh_token = grant.value.refresh_token.clone();
                self.forget(&refresh_token);
                true
            }
            None => false,
        }
    }

    /// Revokes every access and refresh token (not the script token); returns how many access
    /// tokens there were.
    pub(crate) fn revoke_all(&mut self) -> usize {
        let count = self.access.len();
        self.access.clear();
        self.refresh.clear();
        count
    }

    /// Checks a bearer token and, when valid, counts one call against it.
    pub(crate) fn use_token(&mut self, token: Option<&str>) -> TokenStatus {
        let Some(token) = token else {
            return TokenStatus::Invalid;
        };
        if token == self.script_token {
            return TokenStatus::Valid;
        }
        let Some(grant) = self.access.get_mut(token) else {
            return TokenStatus::Invalid;
        };
        let over_budget = self
            .calls_per_token
            .is_some_and(|limit| grant.value.calls >= limit);
        if over_budget || !grant.alive(self.access_ttl) {
            return TokenStatus::Expired;
        }
        grant.value.calls += 1;
        TokenStatus::Valid
    }

    fn issue_tokens(&mut self, client_id: &str) -> TokenPair {
        let pair = TokenPair {
            access_token: self.token(),
            refresh_token: self.token(),
        };
        self.access.insert(
            pair.access_token.clone(),
            Timed::now(AccessGrant {
                refresh_token: pair.refresh_token.clone(),
                calls: 0,
            }),
        );
        self.refresh.insert(
            pair.refresh_token.clone(),
            RefreshGrant {
                client_id: client_id.to_owned(),
                access_token: pair.access_token.clone(),
            },
        );
        pair
    }

    /// Drops a refresh token and the access token issued with it.
    fn forget(&mut self, refresh_token: &str) {
        if let Some(grant) = self.refresh.remove(refresh_token) {
            self.access.remove(&grant.access_token);
        }
    }

    /// `16217394-cOqwKkp8MllCvSYnprfj`: 8 digits, a dash, 20 letters and digits.
    fn token(&mut self) -> String {
        format!(
            "{}-{}",
            digits(&mut self.rng, 8),
            alphanumeric(&mut self.rng, 20)
        )
    }
}

/// RFC 7636: 43–128 characters from `[A-Za-z0-9-._~]`.
fn valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// An S256 challenge: 43 base64url characters (a SHA-256 digest without padding).
pub(crate) fn valid_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `BASE64URL(SHA256(verifier)) == challenge` (S256, the only method the sandbox accepts).
fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    valid_verifier(verifier) && URL_SAFE_NO_PAD.encode(Sha256::digest(verifier)) == challenge
}

/// The token of an `Authorization: Bearer …` header (scheme case-insensitive).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Checks the request's bearer token (counting the call) and records rejections.
pub(crate) fn check_bearer(state: &AppState, headers: &HeaderMap) -> TokenStatus {
    let status = lock(&state.auth).use_token(bearer(headers));
    if status != TokenStatus::Valid {
        state.stats.bump(Counter::RejectedTokens);
    }
    status
}

/// Extractor for API handlers: a usable bearer token, else `401 invalid_token` /
/// `401 token_expired`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Authorized;

impl FromRequestParts<AppState> for Authorized {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match check_bearer(state, &parts.headers) {
            TokenStatus::Valid => Ok(Self),
            TokenStatus::Invalid => Err(ApiError::new(
                ErrorKind::InvalidToken,
                "the access token is missing, unknown or revoked",
            )),
            TokenStatus::Expired => Err(ApiError::new(
                ErrorKind::TokenExpired,
                "the access token has expired",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn consent(challenge: Option<&str>) -> PendingConsent {
        PendingConsent {
            client_id: "c".to_owned(),
            redirect_uri: "app:/cb".to_owned(),
            state: None,
            code_challenge: challenge.map(str::to_owned),
        }
    }

    #[test]
    fn rfc7636_example_verifier_matches_its_challenge() {
        // Appendix B of RFC 7636.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(
            valid_challenge(challenge),
            "the RFC challenge is well formed"
        );
        assert!(
            pkce_matches(verifier, challenge),
            "S256 of the RFC verifier"
        );
        assert!(
            !pkce_matches("x".repeat(43).as_str(), challenge),
            "another verifier does not match"
        );
    }

    #[test]
    fn tokens_expire_after_their_call_budget_and_refresh_rotates() {
        let mut store = AuthStore::new(1, Duration::from_secs(60), Some(2));
        let code = store.issue_code(consent(None));
        let pair = store.redeem_code(&code, "c", None, None).unwrap();
        assert_eq!(
            pair.access_token
                .split_once('-')
                .map(|(n, r)| (n.len(), r.len())),
            Some((8, 20)),
            "token shaped like 16217394-cOqwKkp8MllCvSYnprfj"
        );
        let access = Some(pair.access_token.as_str());
        assert_eq!(store.use_token(access), TokenStatus::Valid, "call 1");
        assert_eq!(store.use_token(access), TokenStatus::Valid, "call 2");
        assert_eq!(
            store.use_token(access),
            TokenStatus::Expired,
            "budget of 2 used up"
        );
        let next = store.rotate(&pair.refresh_token, "c").unwrap();
        assert_eq!(
            store.use_token(access),
            TokenStatus::Invalid,
            "old access token is gone"
        );
        assert!(
            store.rotate(&pair.refresh_token, "c").is_err(),
            "old refresh token is gone"
        );
        assert_eq!(
            store.use_token(Some(&next.access_token)),
            TokenStatus::Valid,
            "the new access token works"
        );
        assert!(
            store.redeem_code(&code, "c", None, None).is_err(),
            "codes are single use"
        );
    }

    /// Doc 2023-03 (OAuth): the authorization code is valid 10 minutes.
    #[test]
    fn authorization_codes_live_ten_minutes() {
        assert_eq!(CODE_LIFETIME, Duration::from_secs(600), "10 minutes");
        let mut store = AuthStore::new(1, Duration::from_secs(60), None);
        let code = store.issue_code(consent(None));
        let issued = store.codes[&code].issued;
        assert!(
            store
                .redeem_code_at(&code, "c", None, None, issued + Duration::from_secs(599))
                .is_ok(),
            "a code is still good after 9:59"
        );
        let code = store.issue_code(consent(None));
        let issued = store.codes[&code].issued;
        let err = store
            .redeem_code_at(&code, "c", None, None, issued + CODE_LIFETIME)
            .expect_err("a code is expired at 10:00");
        assert_eq!(
            err,
            ApiError::invalid_grant("authorization code expired"),
            "an expired code is invalid_grant"
        );
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "bEaReR abc".parse().unwrap());
        assert_eq!(
            bearer(&headers),
            Some("abc"),
            "scheme matched case-insensitively"
        );
        headers.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(
            bearer(&headers),
            None,
            "other schemes are not bearer tokens"
        );
    }
}
