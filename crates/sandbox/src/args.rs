//! Command-line arguments of the sandbox, shared by the `sdesk-sandbox` binary and the CLI's
//! `sdesk sandbox` subcommand (`#[command(flatten)]`).

use crate::config::{Faults, OAuthClient, PutFaults, RateLimitReply, SandboxConfig};
use chrono::{DateTime, Utc};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

/// Flags that configure a sandbox run. All have defaults, so no flag is required.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct SandboxArgs {
    /// Loopback port to listen on (0 = any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Number of connection reports to generate.
    #[arg(long, default_value_t = 2_500)]
    pub records: usize,
    /// The reports end within this many days before now (their density; at least 1).
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..))]
    pub report_days: u32,
    /// Seed of the generated data and tokens.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of pre-existing support sessions.
    #[arg(long, default_value_t = 12)]
    pub sessions: usize,
    /// "Current time" of the generated data (RFC 3339); default: now.
    #[arg(long, value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// Extra redirect URI for the default OAuth app (repeatable; matched exactly).
    #[arg(long = "redirect-uri", value_name = "URI")]
    pub redirect_uris: Vec<String>,
    /// Lifetime of OAuth access tokens in seconds.
    #[arg(long, default_value_t = 86_400)]
    pub token_ttl_secs: u64,
    /// Latency added to every API response, in milliseconds.
    #[arg(long)]
    pub latency_ms: Option<u64>,
    /// Every Nth API request is refused with 403 rate_limit_reached, as TeamViewer answers.
    #[arg(long, value_name = "N")]
    pub rate_limit_every: Option<u32>,
    /// Answer those with 429 instead of TeamViewer's 403.
    #[arg(long)]
    pub rate_limit_429: bool,
    /// Retry-After seconds on those refusals (default: no header, as TeamViewer documents none).
    #[arg(long, value_name = "SECONDS")]
    pub retry_after: Option<u64>,
    /// Every Nth API request is refused with 403 blocked (IP blocked).
    #[arg(long, value_name = "N")]
    pub blocked_every: Option<u32>,
    /// `N:K`: from every Nth API request on, K consecutive 503/500 responses.
    #[arg(long, value_name = "N:K", value_parser = parse_burst)]
    pub error_burst: Option<(u32, u32)>,
    /// Every Nth API request: the connection is aborted mid-body.
    #[arg(long, value_name = "N")]
    pub drop_every: Option<u32>,
    /// OAuth access tokens expire after N API calls (401 token_expired).
    #[arg(long, value_name = "N")]
    pub token_expiry_after: Option<u32>,
    /// POST /sessions fails with the plain-text license-limit 400 after N creations.
    #[arg(long, value_name = "N")]
    pub license_limit_after: Option<u32>,
    /// Report pages name their count reports_remaining instead of records_remaining.
    #[arg(long)]
    pub reports_remaining: bool,
    /// Reports carry the fee as "bill": "12.50" (a string) instead of "fee": 12.5.
    #[arg(long)]
    pub fee_as_bill_string: bool,
    /// Every N seconds (of the sandbox clock) a customer comes online in one open session and
    /// leaves again one to three periods later, drawn from the seed (off by default).
    #[arg(long, value_name = "SECONDS", value_parser = parse_positive_secs)]
    pub customer_arrival_every: Option<u64>,
    /// Each `PUT /reports/connections/{id}` is, with this chance each (percent, drawn from the
    /// seed), rate limited, a 500, or applied with its reply held back 90 s (a client timeout
    /// for a change that happened).
    #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u8).range(0..=33))]
    pub put_faults: Option<u8>,
}

impl Default for SandboxArgs {
    fn default() -> Self {
        Self {
            port: 0,
            records: 2_500,
            report_days: 90,
            seed: 42,
            sessions: 12,
            now: None,
            redirect_uris: Vec::new(),
            token_ttl_secs: 86_400,
            latency_ms: None,
            rate_limit_every: None,
            rate_limit_429: false,
            retry_after: None,
            blocked_every: None,
            error_burst: None,
            drop_every: None,
            token_expiry_after: None,
            license_limit_after: None,
            reports_remaining: false,
            fee_as_bill_string: false,
            customer_arrival_every: None,
            put_faults: None,
        }
    }
}

impl SandboxArgs {
    /// The loopback address to bind: `127.0.0.1:<port>`. Call before [`Self::into_config`].
    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// The configuration these flags describe (the port is not part of it, see
    /// [`Self::socket_addr`]).
    pub fn into_config(self) -> SandboxConfig {
        let mut client = OAuthClient::default();
        client.redirect_uris.extend(self.redirect_uris);
        SandboxConfig {
            seed: self.seed,
            records: self.records,
            report_days: self.report_days,
            sessions: self.sessions,
            now: self.now,
            clients: vec![client],
            access_token_ttl: Duration::from_secs(self.token_ttl_secs),
            faults: Faults {
                latency: self.latency_ms.map(Duration::from_millis),
                rate_limit_every: self.rate_limit_every,
                rate_limit_reply: if self.rate_limit_429 {
                    RateLimitReply::TooManyRequests
                } else {
                    RateLimitReply::Forbidden
                },
                retry_after: self.retry_after,
                blocked_every: self.blocked_every,
                error_burst: self.error_burst,
                drop_every: self.drop_every,
                token_expiry_after_calls: self.token_expiry_after,
                license_limit_after: self.license_limit_after,
                reports_remaining_field: self.reports_remaining,
                fee_as_bill_string: self.fee_as_bill_string,
                put_faults: self.put_faults.map(|percent| PutFaults {
                    seed: self.seed,
                    rate_limit_percent: percent,
                    server_error_percent: percent,
                    lost_reply_percent: percent,
                    lost_reply_delay: Duration::from_secs(90),
                }),
            },
            customer_arrival_every: self.customer_arrival_every.map(Duration::from_secs),
            withheld_records: 0,
        }
    }
}

/// Parses `N:K` for `--error-burst` (both positive).
fn parse_burst(text: &str) -> Result<(u32, u32), String> {
    let (every, length) = text
        .split_once(':')
        .ok_or_else(|| format!("expected N:K, got {text:?}"))?;
    let parse = |part: &str| match part.trim().parse::<u32>() {
        Ok(value) if value > 0 => Ok(value),
        _ => Err(format!("expected a positive integer, got {part:?}")),
    };
    Ok((parse(every)?, parse(length)?))
}

/// Parses `--now` as RFC 3339.
fn parse_positive_secs(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(secs) if secs > 0 => Ok(secs),
        _ => Err(format!(
            "expected a positive number of seconds, got {text:?}"
        )),
    }
}

fn parse_now(text: &str) -> Result<DateTime<Utc>, String> {
    crate::wire::wire_time::parse(text).map_err(|err| format!("not an RFC 3339 timestamp: {err}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: SandboxArgs,
    }

    #[test]
    fn no_flags_give_the_default_config() {
        let args = Cli::try_parse_from(["sdesk-sandbox"]).unwrap().args;
        assert_eq!(
            args,
            SandboxArgs::default(),
            "clap defaults and Default must agree"
        );
        let config = args.into_config();
        let default = SandboxConfig::default();
        assert_eq!(
            (
                config.seed,
                config.records,
                config.report_days,
                config.sessions
            ),
            (
                default.seed,
                default.records,
                default.report_days,
                default.sessions
            ),
            "flag defaults must match SandboxConfig::default"
        );
        assert_eq!(
            config.faults,
            Faults::default(),
            "no fault flag means no fault"
        );
        assert_eq!(
            config.clients,
            vec![OAuthClient::default()],
            "no --redirect-uri keeps the default client as is"
        );
    }

    #[test]
    fn fault_flags_map_onto_faults() {
        let cli = Cli::try_parse_from([
            "sdesk-sandbox",
            "--port",
            "4000",
            "--latency-ms",
            "5",
            "--rate-limit-every",
            "3",
            "--rate-limit-429",
            "--retry-after",
            "2",
            "--blocked-every",
            "11",
            "--error-burst",
            "10:4",
            "--drop-every",
            "7",
            "--token-expiry-after",
            "9",
            "--license-limit-after",
            "1",
            "--reports-remaining",
            "--fee-as-bill-string",
            "--put-faults",
            "10",
            "--redirect-uri",
            "http://127.0.0.1:1/cb",
        ])
        .unwrap();
        assert_eq!(
            cli.args.socket_addr(),
            "127.0.0.1:4000".parse().unwrap(),
            "--port binds loopback"
        );
        let config = cli.args.into_config();
        assert_eq!(
            config.faults,
            Faults {
                latency: Some(Duration::from_millis(5)),
                rate_limit_every: Some(3),
                rate_limit_reply: RateLimitReply::TooManyRequests,
                retry_after: Some(2),
                blocked_every: Some(11),
                error_burst: Some((10, 4)),
                drop_every: Some(7),
                token_expiry_after_calls: Some(9),
                license_limit_after: Some(1),
                reports_remaining_field: true,
                fee_as_bill_string: true,
                put_faults: Some(PutFaults {
                    seed: 42,
                    rate_limit_percent: 10,
                    server_error_percent: 10,
                    lost_reply_percent: 10,
                    lost_reply_delay: Duration::from_secs(90),
                }),
            },
            "each fault flag sets its knob"
        );
        assert!(
            config.clients[0]
                .redirect_uris
                .contains(&"http://127.0.0.1:1/cb".to_owned()),
            "--redirect-uri adds to the default client's URIs"
        );
    }

    #[test]
    fn customer_arrival_flag_sets_the_period() {
        let config = Cli::try_parse_from(["sdesk-sandbox", "--customer-arrival-every", "45"])
            .unwrap()
            .args
            .into_config();
        assert_eq!(
            config.customer_arrival_every,
            Some(Duration::from_secs(45)),
            "--customer-arrival-every is a period in seconds"
        );
        assert_eq!(
            SandboxArgs::default().into_config().customer_arrival_every,
            None,
            "customers stay put unless asked for"
        );
        assert!(
            Cli::try_parse_from(["sdesk-sandbox", "--customer-arrival-every", "0"]).is_err(),
            "a zero period would mean infinitely many arrivals"
        );
    }

    #[test]
    fn malformed_burst_is_rejected() {
        for bad in ["10", "0:3", "3:x", ":"] {
            assert!(
                Cli::try_parse_from(["sdesk-sandbox", "--error-burst", bad]).is_err(),
                "--error-burst {bad:?} is not N:K with positive numbers"
            );
        }
    }
}
