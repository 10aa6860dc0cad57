//! API error responses: `{error, error_description, error_code}` (§7.1), plus the plain-text
//! license-limit `400` (§4.3).

use crate::wire::ErrorBody;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// Text of the license-limit response; clients look for "license limitations".
pub const LICENSE_LIMIT_TEXT: &str = "The session could not be created due to license \
    limitations: the maximum number of concurrent sessions permitted by your TeamViewer \
    license has been reached.";

/// The error categories the sandbox answers with, each with a fixed HTTP status.
///
/// Statuses follow TeamViewer's API document (2023-03, p111-112): `invalid_request` 400,
/// `invalid_token` and `token_expired` 401, `rate_limit_reached` and `blocked` 403,
/// `internal_error` 500. `not_found` 404 and the OAuth errors (`invalid_client` 401,
/// `invalid_grant`/`unsupported_grant_type` 400, RFC 6749) are not in the document. The numeric
/// `error_code`s are the sandbox's own, except `token_expired` = 1 from the document's example.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    InvalidRequest,
    InvalidToken,
    TokenExpired,
    NotFound,
    RateLimitReached,
    Blocked,
    InternalError,
    InvalidClient,
    InvalidGrant,
    UnsupportedGrantType,
    /// Rendered as plain text, not JSON.
    LicenseLimit,
}

impl ErrorKind {
    fn status(self) -> StatusCode {
        match self {
            Self::InvalidRequest
            | Self::InvalidGrant
            | Self::UnsupportedGrantType
            | Self::LicenseLimit => StatusCode::BAD_REQUEST,
            Self::InvalidToken | Self::TokenExpired | Self::InvalidClient => {
                StatusCode::UNAUTHORIZED
            }
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::RateLimitReached | Self::Blocked => StatusCode::FORBIDDEN,
            Self::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::InvalidRequest | Self::LicenseLimit => "invalid_request",
            Self::InvalidToken => "invalid_token",
            Self::TokenExpired => "token_expired",
            Self::NotFound => "not_found",
            Self::RateLimitReached => "rate_limit_reached",
            Self::Blocked => "blocked",
            Self::InternalError => "internal_error",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnsupportedGrantType => "unsupported_grant_type",
        }
    }

    fn code(self) -> i32 {
        match self {
            // `token_expired` is `error_code` 1 in the document's example (doc 2023-03, OAuth chapter, p10-16).
            Self::InvalidRequest | Self::LicenseLimit | Self::TokenExpired => 1,
            Self::InvalidToken => 2,
            Self::NotFound => 4,
            Self::RateLimitReached => 5,
            Self::InternalError => 6,
            Self::InvalidClient => 7,
            Self::InvalidGrant => 8,
            Self::UnsupportedGrantType => 9,
            Self::Blocked => 10,
        }
    }

    /// `WWW-Authenticate` for the 401s.
    fn challenge(self) -> Option<&'static str> {
        match self {
            Self::InvalidToken => Some("Bearer error=\"invalid_token\""),
            // Exactly `WWW-Authenticate: Bearer` (doc 2023-03, OAuth chapter, p10-16).
            Self::TokenExpired => Some("Bearer"),
            Self::InvalidClient => Some("Basic realm=\"sandbox\""),
            _ => None,
        }
    }
}

/// An error response of the simulated API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) kind: ErrorKind,
    pub(crate) description: String,
}

impl ApiError {
    pub(crate) fn new(kind: ErrorKind, description: impl Into<String>) -> Self {
        Self {
            kind,
            description: description.into(),
        }
    }

    pub(crate) fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidRequest, description)
    }

    pub(crate) fn not_found(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, description)
    }

    pub(crate) fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidGrant, description)
    }

    pub(crate) fn license_limit() -> Self {
        Self::new(ErrorKind::LicenseLimit, LICENSE_LIMIT_TEXT)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.kind.status();
        let mut response = if self.kind == ErrorKind::LicenseLimit {
            (status, self.description).into_response()
        } else {
            let body = ErrorBody {
                error: self.kind.name().to_owned(),
                error_description: self.description,
                error_code: self.kind.code(),
            };
            (status, Json(body)).into_response()
        };
        if let Some(challenge) = self.kind.challenge() {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}
