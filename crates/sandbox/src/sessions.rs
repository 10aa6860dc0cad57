//! Support sessions: `POST/GET /sessions`, `GET/PUT/DELETE /sessions/{code}` (§4).

use crate::api::json_response;
use crate::auth::Authorized;
use crate::desk::SessionFilter;
use crate::error::ApiError;
use crate::params::Params;
use crate::state::AppState;
use crate::stats::Counter;
use crate::wire::{SessionPage, SessionRequest};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

fn session_request(body: &[u8]) -> Result<SessionRequest, ApiError> {
    serde_json::from_slice(body)
        .map_err(|err| ApiError::invalid_request(format!("invalid session body: {err}")))
}

/// `POST /api/v1/sessions` → `200` with the new session (no `online`/`closed_at`).
pub(crate) async fn create(
    State(state): State<AppState>,
    _auth: Authorized,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request = session_request(&body)?;
    let limit = state.config.faults.license_limit_after;
    let mut desk = state.desk();
    let created = desk
        .create_session(request, state.clock.now(), limit)
        .inspect_err(|err| {
            if err.kind == crate::error::ErrorKind::LicenseLimit {
                state.stats.bump(Counter::LicenseLimitHits);
                state.stats.bump(Counter::FaultsInjected);
            }
        })?;
    let wire = desk.to_wire(&created, &state.base_url, false);
    state.stats.bump(Counter::SessionsCreated);
    Ok(json_response(&wire))
}

/// `GET /api/v1/sessions?state&groupid&assigned_userid&full_list&offset`: up to 1,000 per page,
/// newest `created_at` first; `state` is `open` (the default), `closed` or `open,closed`;
/// `assigned_userid=u0` lists the unassigned sessions.
///
/// `full_list` is accepted and ignored: items always carry every field.
pub(crate) async fn list(
    State(state): State<AppState>,
    _auth: Authorized,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::from_query(query.as_deref());
    let filter = SessionFilter::from_params(&params)?;
    let desk = state.desk();
    let (sessions, sessions_remaining) = desk.session_page(&filter, params.get("offset"))?;
    let next_offset = match sessions.last() {
        Some(last) if sessions_remaining > 0 => Some(last.code.clone()),
        _ => None,
    };
    let page = SessionPage {
        sessions: sessions
            .into_iter()
            .map(|session| desk.to_wire(session, &state.base_url, true))
            .collect(),
        sessions_remaining,
        next_offset,
    };
    Ok(json_response(&page))
}

/// `GET /api/v1/sessions/{code}` (dashed or undashed code).
pub(crate) async fn get(
    State(state): State<AppState>,
    _auth: Authorized,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let desk = state.desk();
    let session = desk.session(&code)?;
    Ok(json_response(&desk.to_wire(session, &state.base_url, true)))
}

/// `PUT /api/v1/sessions/{code}` → `204`; `{"state":"closed"}` closes the session.
pub(crate) async fn update(
    State(state): State<AppState>,
    _auth: Authorized,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let request = session_request(&body)?;
    state
        .desk()
        .update_session(&code, request, state.clock.now())?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/sessions/{code}` → `204`.
pub(crate) async fn delete(
    State(state): State<AppState>,
    _auth: Authorized,
    Path(code): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.desk().delete_session(&code)?;
    Ok(StatusCode::NO_CONTENT)
}
