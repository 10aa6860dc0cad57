//! The small API endpoints (ping, account, groups, users) and shared response helpers.

use crate::auth::{check_bearer, Authorized, TokenStatus};
use crate::desk::GroupFilter;
use crate::error::{ApiError, ErrorKind};
use crate::pages;
use crate::params::Params;
use crate::state::AppState;
use crate::wire::{GroupList, PingResponse, UserList};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Serializes a JSON response body; a failure becomes `500 internal_error`.
pub(crate) fn json_response(value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(err) => ApiError::new(
            ErrorKind::InternalError,
            format!("could not encode the response: {err}"),
        )
        .into_response(),
    }
}

/// `GET /api/v1/ping`: always `200`, `{"token_valid": false}` for a missing, unknown, revoked
/// or expired token (the real API may also answer 401; clients must handle both).
pub(crate) async fn ping(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let token_valid = check_bearer(&state, &headers) == TokenStatus::Valid;
    json_response(&PingResponse { token_valid })
}

/// `GET /api/v1/account`.
pub(crate) async fn account(State(state): State<AppState>, _auth: Authorized) -> Response {
    json_response(&state.desk().directory().account)
}

/// `GET /api/v1/groups[?name&shouldMatchFullName&shared]`.
pub(crate) async fn groups(
    State(state): State<AppState>,
    _auth: Authorized,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::from_query(query.as_deref());
    let filter = GroupFilter {
        name: params.get("name").map(str::to_owned),
        full_name: params.flag("shouldMatchFullName")?.unwrap_or(false),
        shared: params.flag("shared")?,
    };
    let groups = state.desk().groups(&filter);
    Ok(json_response(&GroupList { groups }))
}

/// `GET /api/v1/users` (minimal form; `full_list` and filters are ignored).
pub(crate) async fn users(State(state): State<AppState>, _auth: Authorized) -> Response {
    let users = state.desk().directory().users.clone();
    json_response(&UserList { users })
}

/// Anything unrouted: JSON `404 not_found` under `/api/`, an HTML page elsewhere.
pub(crate) async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::not_found(format!("no such endpoint: {}", uri.path())).into_response()
    } else {
        pages::not_found(uri.path())
    }
}
