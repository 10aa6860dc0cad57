//! OAuth 2.0 (§1): the consent page, the decision form, the token endpoint (authorization code
//! with optional PKCE S256, rotating refresh tokens) and revocation.

use crate::api::json_response;
use crate::auth::{bearer, valid_challenge, PendingConsent, TokenPair};
use crate::config::OAuthClient;
use crate::error::{ApiError, ErrorKind};
use crate::pages::{self, Consent};
use crate::params::Params;
use crate::state::{lock, AppState};
use crate::stats::Counter;
use crate::wire::TokenResponse;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use percent_encoding::percent_decode_str;
use url::form_urlencoded;

/// `GET /oauth2/authorize?response_type=code&client_id&redirect_uri&state&code_challenge&code_challenge_method`.
///
/// Problems with the client or redirect URI are shown as a `400` page and never redirected
/// (the redirect target can't be trusted then); so are the other request errors, to keep the
/// simulator simple.
pub(crate) async fn authorize(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::from_query(query.as_deref());
    let consent = match consent_request(&state, &params) {
        Ok(consent) => consent,
        Err(message) => return pages::oauth_error(&message),
    };
    let account = state.desk().directory().account.clone();
    let (client_id, redirect_uri) = (consent.client_id.clone(), consent.redirect_uri.clone());
    let (request_id, script_token) = {
        let mut auth = lock(&state.auth);
        let id = auth.begin_consent(consent);
        (id, auth.script_token().to_owned())
    };
    pages::consent(Consent {
        request_id: &request_id,
        script_token: &script_token,
        client_id: &client_id,
        redirect_uri: &redirect_uri,
        account_name: &account.name,
        account_email: &account.email,
    })
}

/// Validates an authorize request into a pending consent, or explains what is wrong.
fn consent_request(state: &AppState, params: &Params) -> Result<PendingConsent, String> {
    let client_id = params.get("client_id").ok_or("client_id is missing")?;
    let client = find_client(&state.config.clients, client_id)
        .ok_or_else(|| format!("unknown client_id {client_id:?}"))?;
    let redirect_uri = params
        .get("redirect_uri")
        .ok_or("redirect_uri is missing")?;
    if !client.redirect_uris.iter().any(|uri| uri == redirect_uri) {
        return Err(format!(
            "redirect_uri {redirect_uri:?} is not registered for this app (exact match required)"
        ));
    }
    match params.get("response_type") {
        Some("code") => {}
        other => return Err(format!("unsupported response_type {other:?}; only code")),
    }
    let code_challenge = params.get("code_challenge");
    match (code_challenge, params.get("code_challenge_method")) {
        (Some(challenge), Some("S256")) if valid_challenge(challenge) => {}
        (Some(_), Some("S256")) => return Err("code_challenge is not a S256 challenge".into()),
        (Some(_), method) => {
            return Err(format!(
                "code_challenge_method {method:?} is not supported; only S256"
            ))
        }
        (None, Some(_)) => return Err("code_challenge_method without code_challenge".into()),
        (None, None) => {}
    }
    Ok(PendingConsent {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        state: params.get("state").map(str::to_owned),
        code_challenge: code_challenge.map(str::to_owned),
    })
}

fn find_client<'a>(clients: &'a [OAuthClient], client_id: &str) -> Option<&'a OAuthClient> {
    clients.iter().find(|client| client.client_id == client_id)
}

/// `POST /oauth2/authorize/decision` with form fields `request=<id>` and
/// `decision=approve|deny` → `302` to the redirect URI with `code` (or
/// `error=access_denied`) and the echoed `state`.
pub(crate) async fn decide(State(state): State<AppState>, body: Bytes) -> Response {
    let params = Params::from_form(&body);
    let approve = match params.get("decision") {
        Some("approve") => true,
        Some("deny") => false,
        _ => return pages::oauth_error("decision must be approve or deny"),
    };
    let mut auth = lock(&state.auth);
    let Some(consent) = params.get("request").and_then(|id| auth.take_consent(id)) else {
        return pages::oauth_error("unknown, used or expired sign-in request");
    };
    let mut query = form_urlencoded::Serializer::new(String::new());
    if approve {
        let code = auth.issue_code(consent.clone());
        state.stats.bump(Counter::AuthorizationCodes);
        query.append_pair("code", &code);
    } else {
        query.append_pair("error", "access_denied");
    }
    if let Some(client_state) = &consent.state {
        query.append_pair("state", client_state);
    }
    redirect(&consent.redirect_uri, &query.finish())
}

/// `302` to `uri` plus `query`, joined by string concatenation so that custom schemes such as
/// `dev.supporterdesk:/oauth/callback` reach the client unchanged.
fn redirect(uri: &str, query: &str) -> Response {
    let separator = if uri.contains('?') { '&' } else { '?' };
    match HeaderValue::from_str(&format!("{uri}{separator}{query}")) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(_) => pages::oauth_error("the redirect URI can't be used in a Location header"),
    }
}

/// `POST /api/v1/oauth2/token` (form or JSON body; path case-insensitive).
pub(crate) async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let params = if is_json(&headers) {
        Params::from_json(&body)?
    } else {
        Params::from_form(&body)
    };
    let client_id = authenticate_client(&state.config.clients, &headers, &params)?;
    let mut auth = lock(&state.auth);
    let pair = match params.get("grant_type") {
        Some("authorization_code" | "0") => {
            let code = params
                .get("code")
                .ok_or_else(|| ApiError::invalid_request("code is missing"))?;
            auth.redeem_code(
                code,
                &client_id,
                params.get("redirect_uri"),
                params.get("code_verifier"),
            )?
        }
        Some("refresh_token" | "1") => {
            let refresh_token = params
                .get("refresh_token")
                .ok_or_else(|| ApiError::invalid_request("refresh_token is missing"))?;
            let pair = auth.rotate(refresh_token, &client_id)?;
            state.stats.bump(Counter::Refreshes);
            pair
        }
        Some(other) => {
            return Err(ApiError::new(
                ErrorKind::UnsupportedGrantType,
                format!("grant_type {other:?} is not supported"),
            ))
        }
        None => return Err(ApiError::invalid_request("grant_type is missing")),
    };
    state.stats.bump(Counter::TokensIssued);
    let TokenPair {
        access_token,
        refresh_token,
    } = pair;
    let mut response = json_response(&TokenResponse {
        access_token,
        token_type: "bearer".to_owned(),
        expires_in: auth.access_ttl().as_secs(),
        refresh_token,
    });
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().starts_with("application/json"))
}

/// Client authentication: HTTP Basic (`base64(urlencode(id):urlencode(secret))`, RFC 6749
/// §2.3.1, the `oauth2` crate's default) or `client_id`/`client_secret` in the body. Returns
/// the authenticated client id.
fn authenticate_client(
    clients: &[OAuthClient],
    headers: &HeaderMap,
    params: &Params,
) -> Result<String, ApiError> {
    let (client_id, secret) = match basic_credentials(headers) {
        Some(credentials) => credentials,
        None => (
            params.get("client_id").unwrap_or_default().to_owned(),
            params.get("client_secret").unwrap_or_default().to_owned(),
        ),
    };
    match find_client(clients, &client_id) {
        Some(client) if client.client_secret == secret => Ok(client_id),
        _ => Err(ApiError::new(
            ErrorKind::InvalidClient,
            "client authentication failed",
        )),
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |text: &str| -> String {
        percent_decode_str(&text.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    Some((unescape(id), unescape(secret)))
}

/// `POST /sandbox/revoke-all` (a test hook of the simulator): revokes every OAuth sign-in, as
/// removing the app's authorisation in the TeamViewer console would; answers the number of
/// access tokens revoked. The script token stays valid.
pub(crate) async fn revoke_all(State(state): State<AppState>) -> String {
    let revoked = lock(&state.auth).revoke_all();
    format!("{revoked}\n")
}

/// `POST /api/v1/oauth2/revoke` with `Authorization: Bearer <access token>` → `204`; revokes
/// the access token and its refresh token. Unknown tokens get `401 invalid_token`.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let revoked = bearer(&headers).is_some_and(|token| lock(&state.auth).revoke(token));
    if revoked {
        state.stats.bump(Counter::Revocations);
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            ErrorKind::InvalidToken,
            "the access token is missing, unknown or already revoked",
        ))
    }
}
