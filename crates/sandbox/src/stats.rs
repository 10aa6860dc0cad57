//! Counters of a sandbox run, readable through [`crate::Sandbox::stats`].

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of the counters of a sandbox run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests to `/api/v1/*` routes that fault injection sees (all API routes except the
    /// OAuth token and revoke endpoints), faulted ones included.
    pub api_requests: u64,
    /// Injected faults of any kind (rate limit, blocked, 5xx, dropped connection, license
    /// limit).
    pub faults_injected: u64,
    /// Injected `rate_limit_reached` refusals (`403`, or `429` when so configured).
    pub rate_limited: u64,
    /// Injected `403 blocked` refusals.
    pub blocked: u64,
    /// Injected `500`/`503`s.
    pub server_errors: u64,
    /// Injected aborted responses.
    pub dropped_connections: u64,
    /// License-limit `400`s on `POST /sessions`.
    pub license_limit_hits: u64,
    /// API requests refused with `401` (`invalid_token` or `token_expired`).
    pub rejected_tokens: u64,
    /// Authorization codes issued by the consent page.
    pub authorization_codes: u64,
    /// Access/refresh token pairs issued (code exchanges and refreshes).
    pub tokens_issued: u64,
    /// Successful refresh-token grants.
    pub refreshes: u64,
    /// Successful revocations.
    pub revocations: u64,
    /// Sessions created with `POST /sessions`.
    pub sessions_created: u64,
    /// Successful `PUT /reports/connections/{id}`.
    pub report_updates: u64,
}

/// One counter of [`Counters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counter {
    ApiRequests,
    FaultsInjected,
    RateLimited,
    Blocked,
    ServerErrors,
    DroppedConnections,
    LicenseLimitHits,
    RejectedTokens,
    AuthorizationCodes,
    TokensIssued,
    Refreshes,
    Revocations,
    SessionsCreated,
    ReportUpdates,
}

const COUNTERS: usize = 14;

/// The live, shared counters.
#[derive(Debug, Default)]
pub(crate) struct Counters([AtomicU64; COUNTERS]);

impl Counters {
    /// Adds one and returns the new value.
    pub(crate) fn bump(&self, counter: Counter) -> u64 {
        self.0[counter as usize].fetch_add(1, Ordering::Relaxed) + 1
    }

    fn get(&self, counter: Counter) -> u64 {
        self.0[counter as usize].load(Ordering::Relaxed)
    }

    pub(crate) fn snapshot(&self) -> Stats {
        Stats {
            api_requests: self.get(Counter::ApiRequests),
            faults_injected: self.get(Counter::FaultsInjected),
            rate_limited: self.get(Counter::RateLimited),
            blocked: self.get(Counter::Blocked),
            server_errors: self.get(Counter::ServerErrors),
            dropped_connections: self.get(Counter::DroppedConnections),
            license_limit_hits: self.get(Counter::LicenseLimitHits),
            rejected_tokens: self.get(Counter::RejectedTokens),
            authorization_codes: self.get(Counter::AuthorizationCodes),
            tokens_issued: self.get(Counter::TokensIssued),
            refreshes: self.get(Counter::Refreshes),
            revocations: self.get(Counter::Revocations),
            sessions_created: self.get(Counter::SessionsCreated),
            report_updates: self.get(Counter::ReportUpdates),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_counter_lands_in_its_own_field() {
        let counters = Counters::default();
        assert_eq!(
            counters.bump(Counter::ReportUpdates),
            1,
            "bump returns the new value"
        );
        counters.bump(Counter::ApiRequests);
        counters.bump(Counter::ApiRequests);
        let stats = counters.snapshot();
        assert_eq!(
            (stats.api_requests, stats.report_updates, stats.refreshes),
            (2, 1, 0),
            "snapshot reads each counter into its field"
        );
    }
}
