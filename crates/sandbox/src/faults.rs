//! Fault injection middleware for the API routes (see [`crate::Faults`]).
//!
//! It runs before authentication and before the handler, so a faulted request has no side
//! effect at all: no token call is counted, nothing is created or changed, and a retried `GET`
//! sees exactly the same data.

use crate::config::Faults;
use crate::error::{ApiError, ErrorKind};
use crate::state::AppState;
use crate::stats::Counter;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::stream::{self, StreamExt};
use std::time::Duration;

/// A fault chosen for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Drop,
    RateLimit,
    ServerError(StatusCode),
}

impl Fault {
    /// The fault for the `n`th API request (1-based), if any: drop, then rate limit, then burst.
    fn pick(faults: &Faults, n: u64) -> Option<Self> {
        if every(faults.drop_every, n) {
            return Some(Self::Drop);
        }
        if every(faults.rate_limit_every, n) {
            return Some(Self::RateLimit);
        }
        let (period, length) = faults.error_burst?;
        let (period, length) = (u64::from(period), u64::from(length));
        let offset = n.checked_rem(period)?;
        (n >= period && offset < length).then_some(Self::ServerError(if offset % 2 == 0 {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        }))
    }

    fn counter(self) -> Counter {
        match self {
            Self::Drop => Counter::DroppedConnections,
            Self::RateLimit => Counter::RateLimited,
            Self::ServerError(_) => Counter::ServerErrors,
        }
    }

    fn response(self, retry_after: Option<u64>) -> Response {
        match self {
            Self::Drop => aborted_response(),
            Self::RateLimit => {
                let mut response = ApiError::new(
                    ErrorKind::RateLimitReached,
                    "too many requests (simulated rate limit)",
                )
                .into_response();
                if let Some(seconds) = retry_after {
                    response
                        .headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
                }
                response
            }
            Self::ServerError(status) => {
                let kind = if status == StatusCode::SERVICE_UNAVAILABLE {
                    ErrorKind::Unavailable
                } else {
                    ErrorKind::InternalError
                };
                ApiError::new(kind, "simulated server failure").into_response()
            }
        }
    }
}

/// Whether `n` is a multiple of a positive `period`.
fn every(period: Option<u32>, n: u64) -> bool {
    period.is_some_and(|period| period > 0 && n % u64::from(period) == 0)
}

/// `200` with the start of a JSON body, then a body error: hyper aborts the connection, and
/// the client sees a transport error while reading the body.
fn aborted_response() -> Response {
    let start = stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(
        b"{\"records\":[{\"id\":\"",
    ))]);
    let failure = stream::once(async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "simulated dropped connection",
        ))
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(start.chain(failure)),
    )
        .into_response()
}

/// Middleware: counts the request, waits the configured latency, then either answers with a
/// fault or passes the request on.
pub(crate) async fn inject(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let n = state.stats.bump(Counter::ApiRequests);
    let faults = &state.config.faults;
    if let Some(latency) = faults.latency {
        tokio::time::sleep(latency).await;
    }
    match Fault::pick(faults, n) {
        Some(fault) => {
            state.stats.bump(Counter::FaultsInjected);
            state.stats.bump(fault.counter());
            fault.response(faults.retry_after)
        }
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picks(faults: &Faults, requests: u64) -> Vec<Option<Fault>> {
        (1..=requests).map(|n| Fault::pick(faults, n)).collect()
    }

    #[test]
    fn burst_starts_at_each_multiple_and_alternates_503_500() {
        let faults = Faults {
            error_burst: Some((5, 2)),
            ..Faults::default()
        };
        let unavailable = Some(Fault::ServerError(StatusCode::SERVICE_UNAVAILABLE));
        let internal = Some(Fault::ServerError(StatusCode::INTERNAL_SERVER_ERROR));
        assert_eq!(
            picks(&faults, 11),
            vec![
                None,
                None,
                None,
                None,
                unavailable,
                internal,
                None,
                None,
                None,
                unavailable,
                internal
            ],
            "requests 5-6 and 10-11 fail, 503 first"
        );
    }

    #[test]
    fn drop_wins_over_rate_limit_and_zero_means_off() {
        let faults = Faults {
            drop_every: Some(6),
            rate_limit_every: Some(3),
            error_burst: Some((0, 3)),
            ..Faults::default()
        };
        assert_eq!(
            picks(&faults, 6),
            vec![
                None,
                None,
                Some(Fault::RateLimit),
                None,
                None,
                Some(Fault::Drop)
            ],
            "6 is a multiple of both: the drop wins; a zero burst period is off"
        );
    }
}
