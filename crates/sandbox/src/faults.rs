//! Fault injection middleware for the API routes (see [`crate::Faults`]).
//!
//! It runs before authentication and before the handler, so a faulted request has no side
//! effect at all: no token call is counted, nothing is created or changed, and a retried `GET`
//! sees exactly the same data.

use crate::config::{Faults, PutFaults, RateLimitReply};
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
    Blocked,
    RateLimit,
    ServerError(StatusCode),
}

impl Fault {
    /// The fault for the `n`th API request (1-based), if any: drop, then blocked, then rate
    /// limit, then burst.
    fn pick(faults: &Faults, n: u64) -> Option<Self> {
        if every(faults.drop_every, n) {
            return Some(Self::Drop);
        }
        if every(faults.blocked_every, n) {
            return Some(Self::Blocked);
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
            Self::Blocked => Counter::Blocked,
            Self::RateLimit => Counter::RateLimited,
            Self::ServerError(_) => Counter::ServerErrors,
        }
    }

    fn response(self, faults: &Faults) -> Response {
        match self {
            Self::Drop => aborted_response(),
            Self::Blocked => ApiError::new(
                ErrorKind::Blocked,
                "requests from this IP address are blocked (simulated)",
            )
            .into_response(),
            Self::RateLimit => {
                // TeamViewer: "too many calls to a single function with the same access token".
                let mut response = ApiError::new(
                    ErrorKind::RateLimitReached,
                    "too many calls to a single function with the same access token \
                     (simulated rate limit)",
                )
                .into_response();
                if faults.rate_limit_reply == RateLimitReply::TooManyRequests {
                    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
                }
                if let Some(seconds) = faults.retry_after {
                    response
                        .headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
                }
                response
            }
            Self::ServerError(status) if status == StatusCode::SERVICE_UNAVAILABLE => {
                unavailable_response()
            }
            Self::ServerError(_) => {
                ApiError::new(ErrorKind::InternalError, "simulated server failure").into_response()
            }
        }
    }
}

/// A `503` as a proxy in front of the API sends it: HTML, not the API's error JSON (the API's
/// own `internal_error` is always `500`; 503 is not among the document's statuses).
fn unavailable_response() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<html><head><title>503 Service Unavailable</title></head>\
         <body><h1>503 Service Unavailable</h1></body></html>",
    )
        .into_response()
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
    let fault = Fault::pick(faults, n).map(PutFault::Other).or_else(|| {
        let put = faults.put_faults.as_ref()?;
        is_report_put(&request).then(|| PutFault::pick(put, n))?
    });
    match fault {
        Some(PutFault::Other(fault)) => {
            state.stats.bump(Counter::FaultsInjected);
            state.stats.bump(fault.counter());
            fault.response(faults)
        }
        Some(PutFault::LostReply(delay)) => {
            // Applied first: the change happens, only its answer is late.
            state.stats.bump(Counter::FaultsInjected);
            let response = next.run(request).await;
            tokio::time::sleep(delay).await;
            response
        }
        None => next.run(request).await,
    }
}

/// A fault of a `PUT /reports/connections/{id}`: one of the shared ones, or a lost reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PutFault {
    Other(Fault),
    LostReply(Duration),
}

impl PutFault {
    /// The draw of the `n`th API request, a report `PUT` (see [`PutFaults`]).
    fn pick(put: &PutFaults, n: u64) -> Option<Self> {
        let roll = splitmix64(put.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15)) % 100;
        let rate_limit = u64::from(put.rate_limit_percent);
        let server = rate_limit + u64::from(put.server_error_percent);
        let lost = server + u64::from(put.lost_reply_percent);
        if roll < rate_limit {
            Some(Self::Other(Fault::RateLimit))
        } else if roll < server {
            Some(Self::Other(Fault::ServerError(
                StatusCode::INTERNAL_SERVER_ERROR,
            )))
        } else if roll < lost {
            Some(Self::LostReply(put.lost_reply_delay))
        } else {
            None
        }
    }
}

/// Whether `request` is `PUT /api/v1/reports/connections/{id}`.
fn is_report_put(request: &Request) -> bool {
    request.method() == axum::http::Method::PUT
        && request
            .uri()
            .path()
            .strip_prefix("/api/v1/reports/connections/")
            .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// SplitMix64: a well-mixed 64-bit hash of `x` (deterministic, no dependency).
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
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
    fn drop_then_blocked_then_rate_limit() {
        let faults = Faults {
            drop_every: Some(6),
            blocked_every: Some(3),
            rate_limit_every: Some(2),
            ..Faults::default()
        };
        assert_eq!(
            picks(&faults, 6),
            vec![
                None,
                Some(Fault::RateLimit),
                Some(Fault::Blocked),
                Some(Fault::RateLimit),
                None,
                Some(Fault::Drop)
            ],
            "3 is blocked rather than nothing, 6 is dropped rather than blocked or limited"
        );
    }

    #[test]
    fn put_faults_follow_their_percentages_and_the_seed() {
        let put = PutFaults {
            seed: 7,
            rate_limit_percent: 10,
            server_error_percent: 20,
            lost_reply_percent: 30,
            lost_reply_delay: Duration::from_millis(5),
        };
        let draws: Vec<_> = (1..=10_000).map(|n| PutFault::pick(&put, n)).collect();
        let count = |f: &dyn Fn(&Option<PutFault>) -> bool| draws.iter().filter(|d| f(d)).count();
        let limited = count(&|d| *d == Some(PutFault::Other(Fault::RateLimit)));
        let failed = count(&|d| matches!(d, Some(PutFault::Other(Fault::ServerError(_)))));
        let lost = count(&|d| matches!(d, Some(PutFault::LostReply(_))));
        for (name, got, percent) in [
            ("rate limit", limited, 10),
            ("500", failed, 20),
            ("lost", lost, 30),
        ] {
            let expected = percent * 100;
            assert!(
                got.abs_diff(expected) < expected / 5,
                "{name}: {got} of 10,000 draws, expected about {expected}"
            );
        }
        let again: Vec<_> = (1..=10_000).map(|n| PutFault::pick(&put, n)).collect();
        assert_eq!(draws, again, "the same seed draws the same faults");
        let other = PutFaults { seed: 8, ..put };
        let other: Vec<_> = (1..=10_000).map(|n| PutFault::pick(&other, n)).collect();
        assert_ne!(draws, other, "another seed draws other faults");
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
