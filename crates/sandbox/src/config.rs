//! Configuration of a sandbox run: data size, seed, OAuth apps and fault injection.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// Client id of the OAuth app the sandbox registers by default.
pub const DEFAULT_CLIENT_ID: &str = "sandbox-client";
/// Client secret of the default OAuth app.
pub const DEFAULT_CLIENT_SECRET: &str = "sandbox-secret";
/// Redirect URIs registered for the default OAuth app: the app's custom-scheme deep link and
/// the loopback alternative (RFC 8252 §7.1 and §7.3).
pub const DEFAULT_REDIRECT_URIS: [&str; 2] = [
    "dev.supporterdesk:/oauth/callback",
    "http://127.0.0.1:47813/oauth/callback",
];

/// Everything that shapes one sandbox run. Construct with `SandboxConfig::default()` and
/// override fields.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Seed of all generated data and issued tokens (default 42).
    pub seed: u64,
    /// Number of connection reports to generate (default 2,500).
    pub records: usize,
    /// Reports end within this many days before `now` (default 90, at least 1): the density of
    /// the history, e.g. 1,000,000 records over 1,825 days is an office of about 550 sessions
    /// a day over five years.
    pub report_days: u32,
    /// Number of pre-existing support sessions (default 12).
    pub sessions: usize,
    /// "Current time" of the generated data; `None` = the wall clock when the sandbox starts.
    /// Reports end within the `report_days` before it, a few of them today. The sandbox clock then
    /// advances from this instant in real time.
    pub now: Option<DateTime<Utc>>,
    /// Registered OAuth apps; redirect URIs are matched exactly.
    pub clients: Vec<OAuthClient>,
    /// Lifetime of access tokens, reported as `expires_in` (default 86,400 s).
    pub access_token_ttl: Duration,
    /// Fault injection; all off by default.
    pub faults: Faults,
    /// Customers come online and go offline over time: every this long (of the sandbox clock)
    /// one customer of an open, unexpired, offline session comes online, and stays for one to
    /// three such periods; which one and how long is drawn from the seed, so a run is
    /// reproducible. `None` (the default): `online` only changes when a session is closed.
    pub customer_arrival_every: Option<Duration>,
    /// The newest this many of the `records` generated reports (the first in served order) are
    /// withheld: the API does not show them until [`crate::Sandbox::release_records`] lets
    /// them in, as reports of sessions that end after a client's last sync (default 0). They
    /// keep their generated times, so `records` with the same seed and `now` are the same
    /// reports whether withheld or not.
    pub withheld_records: usize,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            records: 2_500,
            report_days: 90,
            sessions: 12,
            now: None,
            clients: vec![OAuthClient::default()],
            access_token_ttl: Duration::from_secs(86_400),
            faults: Faults::default(),
            customer_arrival_every: None,
            withheld_records: 0,
        }
    }
}

/// A registered OAuth app (a confidential client: the secret is required at the token endpoint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClient {
    /// Public identifier sent to `/oauth2/authorize` and the token endpoint.
    pub client_id: String,
    /// Secret sent to the token endpoint (form body or HTTP Basic).
    pub client_secret: String,
    /// Redirect URIs accepted at `/oauth2/authorize`, compared byte for byte.
    pub redirect_uris: Vec<String>,
}

impl Default for OAuthClient {
    fn default() -> Self {
        Self {
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
            redirect_uris: DEFAULT_REDIRECT_URIS.map(str::to_owned).to_vec(),
        }
    }
}

/// How the rate-limit fault ([`Faults::rate_limit_every`]) answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RateLimitReply {
    /// TeamViewer's documented answer: `403` with
    /// `{"error":"rate_limit_reached","error_description":…,"error_code":…}` (doc 2023-03,
    /// p9 and p111-112; the document has no 429 and no `Retry-After`).
    #[default]
    Forbidden,
    /// A generic `429 Too Many Requests` with the same body: not what TeamViewer documents,
    /// kept for clients' (and older tests') 429 path.
    TooManyRequests,
}

/// Fault injection for `/api/v1/*` (except the OAuth token and revoke endpoints, which stay
/// reliable). Request numbers count from 1 over all those API requests of a run, and a faulted
/// request never has a side effect. When two knobs pick the same request, the first in the
/// order drop, blocked, rate limit, error burst wins.
///
/// The last two knobs are not failures but documented wire variants a client must read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Added before every API response (faulted or not).
    pub latency: Option<Duration>,
    /// Every Nth API request is refused with error `rate_limit_reached`; the status is
    /// [`Self::rate_limit_reply`] (TeamViewer's `403` by default).
    pub rate_limit_every: Option<u32>,
    /// The status of those refusals: `403` (default, as TeamViewer documents) or `429`.
    pub rate_limit_reply: RateLimitReply,
    /// Seconds for a `Retry-After` header on those refusals; `None` (the default) = no header,
    /// as TeamViewer documents none.
    pub retry_after: Option<u64>,
    /// Every Nth API request gets `403` with error `blocked` ("IP blocked", doc 2023-03 p111).
    pub blocked_every: Option<u32>,
    /// `(N, K)`: starting at request N, 2N, 3N, … the next K requests fail with 503 and 500
    /// alternately (503 first).
    pub error_burst: Option<(u32, u32)>,
    /// Every Nth API request: `200` headers and the start of a JSON body, then the connection
    /// is aborted, so the client sees a transport (body) error.
    pub drop_every: Option<u32>,
    /// An OAuth access token answers `401 token_expired` after N API calls made with it
    /// (faulted requests don't count). The script token is exempt.
    pub token_expiry_after_calls: Option<u32>,
    /// Once N sessions were created during this run, `POST /sessions` answers `400` with a
    /// plain-text body containing "license limitations".
    pub license_limit_after: Option<u32>,
    /// Report pages name their count `reports_remaining` instead of `records_remaining` (the
    /// document uses both names, p47-48).
    pub reports_remaining_field: bool,
    /// Reports carry the fee as `"bill": "12.50"` (a string with two decimals, `null` when
    /// there is none) instead of `"fee": 12.5`, like the document's example (p50).
    pub fee_as_bill_string: bool,
    /// Random faults of `PUT /reports/connections/{id}` only (see [`PutFaults`]); other
    /// requests are not touched by them.
    pub put_faults: Option<PutFaults>,
}

/// Seeded random faults of `PUT /reports/connections/{id}`: each such request draws one of
/// them (or none) from `seed` and its request number, so a run is reproducible. Percentages
/// are of those PUTs and are applied in this order: rate limit, server error, lost reply.
/// They decide after the other [`Faults`] (a PUT they already faulted is not drawn).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutFaults {
    /// Seed of the draw.
    pub seed: u64,
    /// Refused as a rate limit (as [`Faults::rate_limit_reply`], with
    /// [`Faults::retry_after`]); nothing is changed.
    pub rate_limit_percent: u8,
    /// `500 internal_error`; nothing is changed.
    pub server_error_percent: u8,
    /// The update **is applied**, then the reply is held back for
    /// [`lost_reply_delay`](Self::lost_reply_delay) before the `204` is sent: a client with a
    /// shorter timeout sees a timeout for a change that happened (the case that makes a
    /// careless retry send the change twice).
    pub lost_reply_percent: u8,
    /// How long a lost reply is held back.
    pub lost_reply_delay: Duration,
}
