//! Wire types of the simulated TeamViewer Web API, written from `teamviewer-api.md`.
//!
//! These are deliberately independent of the core crate's models: the sandbox checks the client
//! against the documented API instead of mirroring the client's own reading of it. They derive
//! both `Serialize` and `Deserialize`, so tests can decode what the server sends with the same
//! types the server used to encode it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

/// Timestamps on the wire: RFC 3339 UTC with `Z`.
///
/// Whole seconds are written without a fraction (`2024-01-02T03:04:05Z`); a timestamp with a
/// sub-second part is written with milliseconds (`2024-01-02T03:04:05.123Z`), which the data
/// generator uses on purpose for some records. Reading accepts any RFC 3339 offset.
pub mod wire_time {
    use super::*;
    use chrono::SecondsFormat;

    /// Formats one timestamp the way the sandbox puts it on the wire.
    pub fn format(at: &DateTime<Utc>) -> String {
        let precision = if at.timestamp_subsec_nanos() == 0 {
            SecondsFormat::Secs
        } else {
            SecondsFormat::Millis
        };
        at.to_rfc3339_opts(precision, true)
    }

    /// Parses an RFC 3339 timestamp (any offset) into UTC.
    pub fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
        DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc))
    }

    /// serde `serialize_with` for a required timestamp.
    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format(at))
    }

    /// serde `deserialize_with` for a required timestamp.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse(&text).map_err(serde::de::Error::custom)
    }

    /// The same rules for an optional timestamp (`None` is written as `null` unless the field
    /// also has `skip_serializing_if`).
    pub mod option {
        use super::*;

        /// serde `serialize_with` for an optional timestamp.
        pub fn serialize<S: Serializer>(
            at: &Option<DateTime<Utc>>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match at {
                Some(at) => serializer.serialize_str(&format(at)),
                None => serializer.serialize_none(),
            }
        }

        /// serde `deserialize_with` for an optional timestamp (absent or `null` is `None`).
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            let text = Option::<String>::deserialize(deserializer)?;
            text.map(|text| parse(&text).map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}

/// The kind of a connection (`support_session_type`), an int on the wire (§6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SupportSessionType {
    /// `1`: a plain remote-control connection by TeamViewer ID.
    RemoteConnection,
    /// `2`: an attended session started from a session code.
    RemoteSupportActive,
    /// `3`: a session-code session through the SDK.
    RemoteSupportActiveSdk,
}

impl SupportSessionType {
    /// The wire integer.
    pub fn as_int(self) -> u8 {
        match self {
            Self::RemoteConnection => 1,
            Self::RemoteSupportActive => 2,
            Self::RemoteSupportActiveSdk => 3,
        }
    }

    /// The API's name for the value (used as a query-parameter alternative to the int).
    pub fn name(self) -> &'static str {
        match self {
            Self::RemoteConnection => "RemoteConnection",
            Self::RemoteSupportActive => "RemoteSupportActive",
            Self::RemoteSupportActiveSdk => "RemoteSupportActiveSdk",
        }
    }

    /// Reads `1`/`2`/`3` or the names, case-insensitively.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::RemoteConnection,
            Self::RemoteSupportActive,
            Self::RemoteSupportActiveSdk,
        ]
        .into_iter()
        .find(|kind| text == kind.as_int().to_string() || text.eq_ignore_ascii_case(kind.name()))
    }
}

impl Serialize for SupportSessionType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.as_int())
    }
}

impl<'de> Deserialize<'de> for SupportSessionType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = match IntOrString::deserialize(deserializer)? {
            IntOrString::Int(value) => value.to_string(),
            IntOrString::Text(text) => text,
        };
        Self::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown support_session_type {text}")))
    }
}

/// A JSON value that may be an integer or a string (enums the API types inconsistently, §4.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntOrString {
    /// A JSON number.
    Int(i64),
    /// A JSON string.
    Text(String),
}

/// A TeamViewer device ID: a JSON number in some records and a string in others (§6.1 notes
/// that clients type it both ways). Compare through [`DeviceId::as_text`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DeviceId {
    /// Sent as a JSON number, e.g. `1234567890`.
    Number(u64),
    /// Sent as a JSON string, e.g. `"1234567890"` or `"d111"`.
    Text(String),
}

impl DeviceId {
    /// The ID as text, which is how the `deviceid` filter compares it.
    pub fn as_text(&self) -> String {
        match self {
            Self::Number(number) => number.to_string(),
            Self::Text(text) => text.clone(),
        }
    }
}

/// The customer of a session: `{name ≤ 100, email ≤ 254}` (§4.2).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EndCustomer {
    /// Display name of the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// E-mail address of the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Customer feedback on a connection (§6.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    /// Rating, 1 (bad) to 5 (good).
    pub session_rating: i32,
    /// Free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_comment: Option<String>,
}

/// One connection report (`GetConnectionResponse`, §6.3).
///
/// Optional fields are either absent (`skip_serializing_if`) or written as `null` (`notes`,
/// `billing_state`, `fee`, `currency`), so a client meets both forms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireReport {
    /// Report id (a UUID), also the paging cursor.
    pub id: Uuid,
    /// Supporter account id, `u…`.
    pub userid: String,
    /// Supporter display name.
    pub username: String,
    /// Remote device id (number or string on the wire).
    pub deviceid: DeviceId,
    /// Remote device name.
    pub devicename: String,
    /// Group of the device, `g…`; absent when the device is in no group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groupid: Option<String>,
    /// Name of that group; absent when the device is in no group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groupname: Option<String>,
    /// Kind of connection, 1/2/3 on the wire.
    pub support_session_type: SupportSessionType,
    /// Start of the connection.
    #[serde(with = "wire_time")]
    pub start_date: DateTime<Utc>,
    /// End of the connection (the sort key).
    #[serde(with = "wire_time")]
    pub end_date: DateTime<Utc>,
    /// Billing amount; `null` when not billed.
    #[serde(default)]
    pub fee: Option<f64>,
    /// Billing currency; `null` when not billed.
    #[serde(default)]
    pub currency: Option<String>,
    /// Billing state, `Bill`, `Billed` or `DoNotBill` (editable with `PUT`); `null` when never
    /// set.
    #[serde(default)]
    pub billing_state: Option<String>,
    /// Supporter notes (editable with `PUT`); `null` when empty.
    #[serde(default)]
    pub notes: Option<String>,
    /// Contact id of the customer, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Session code (`s123-456-789`) for session-code connections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_code: Option<String>,
    /// When that session code was created.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub session_created_at: Option<DateTime<Utc>>,
    /// When that session code expires.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub valid_until: Option<DateTime<Utc>>,
    /// Supporter the session code was assigned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_userid: Option<String>,
    /// When it was assigned.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub assigned_at: Option<DateTime<Utc>>,
    /// The session's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_note: Option<String>,
    /// Integrator data set when the session code was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_api: Option<String>,
    /// Customer of the session code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_customer: Option<EndCustomer>,
    /// Customer feedback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<Feedback>,
}

impl WireReport {
    /// The order the API serves reports in: end date descending, then id ascending, so that
    /// records with equal end dates still have one total order for `offset_id` paging.
    pub fn served_order(a: &WireReport, b: &WireReport) -> std::cmp::Ordering {
        b.end_date.cmp(&a.end_date).then_with(|| a.id.cmp(&b.id))
    }
}

/// `GET /reports/connections` response (`GetAllConnectionsResponse`, §6.3).
///
/// Generic over the record type so the server can serialize borrowed records; decode it as
/// `ReportPage` (owned records).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportPage<R = WireReport> {
    /// Up to 1000 records, newest end date first.
    pub records: Vec<R>,
    /// How many matching records follow this page.
    pub records_remaining: usize,
    /// Id of the last record of this page, to pass back as `offset_id`; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<String>,
}

/// Session state: `"Open"` / `"Closed"` as strings on `GET` (§4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionState {
    /// The code can be used.
    Open,
    /// The code was closed.
    Closed,
}

impl SessionState {
    /// Reads a state as sent by clients: a case-insensitive name, or an int.
    ///
    /// The int mapping is a guess (SW types the enum `0–3` without names): `0` = open,
    /// `1` = closed.
    pub fn from_wire(value: &IntOrString) -> Option<Self> {
        match value {
            IntOrString::Int(0) => Some(Self::Open),
            IntOrString::Int(1) => Some(Self::Closed),
            IntOrString::Int(_) => None,
            IntOrString::Text(text) => Self::parse(text),
        }
    }

    /// Reads `open` / `closed`, case-insensitively.
    pub fn parse(text: &str) -> Option<Self> {
        if text.eq_ignore_ascii_case("open") {
            Some(Self::Open)
        } else if text.eq_ignore_ascii_case("closed") {
            Some(Self::Closed)
        } else {
            None
        }
    }
}

/// The fields that only `GET` returns for a session (`online`, `closed_at`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionLiveness {
    /// Whether the customer is currently connected / waiting.
    pub online: bool,
    /// When the session was closed; `null` while open.
    #[serde(default, with = "wire_time::option")]
    pub closed_at: Option<DateTime<Utc>>,
}

/// A support session (union of `SessionsResponse` and `GetSessionsResponse`, §4.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireSession {
    /// Session code with dashes, `s123-456-789`.
    pub code: String,
    /// `Open` or `Closed`.
    pub state: SessionState,
    /// Group the session belongs to, `g…`.
    pub groupid: String,
    /// Description typed by the supporter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_customer: Option<EndCustomer>,
    /// Text the customer sees while waiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_message: Option<String>,
    /// Integrator data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_api: Option<String>,
    /// Assigned supporter, `u…`; `"u0"` = assigned to nobody (doc 2023-03, p41).
    pub assigned_userid: String,
    /// When the session was assigned; absent while it is assigned to nobody.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub assigned_at: Option<DateTime<Utc>>,
    /// Link for the supporter (opens the TeamViewer client; here a sandbox page).
    pub supporter_link: String,
    /// Link for the supporter's browser session (here a sandbox page).
    pub webclient_supporter_link: String,
    /// Link for the customer (here a sandbox page).
    pub end_customer_link: String,
    /// Creation time.
    #[serde(with = "wire_time")]
    pub created_at: DateTime<Utc>,
    /// Expiry time (creation + 24 h unless given, doc 2023-03 p42).
    #[serde(with = "wire_time")]
    pub valid_until: DateTime<Utc>,
    /// `"Default"` on the wire (GET form).
    pub support_session_type: String,
    /// `online` and `closed_at`: present on `GET`, absent in the `POST` response.
    #[serde(flatten, default)]
    pub liveness: Option<SessionLiveness>,
}

/// `GET /sessions` response (`GetAllSessionsResponse`, §4.4); generic like [`ReportPage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPage<S = WireSession> {
    /// Up to 1,000 sessions, newest `created_at` first.
    pub sessions: Vec<S>,
    /// How many matching sessions follow this page.
    pub sessions_remaining: usize,
    /// Pass back as `offset` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<String>,
}

/// `POST /sessions` and `PUT /sessions/{code}` body (`SessionsPostParameters` /
/// `SessionsPutParameters`, §4.2 and §4.5). Every field is optional here; the handlers decide
/// what is required. Unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SessionRequest {
    /// `^g\d+$`; either this or `groupname` is required on `POST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groupid: Option<String>,
    /// Group by name; created when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groupname: Option<String>,
    /// ≤ 4000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `{name ≤ 100, email ≤ 254}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_customer: Option<EndCustomer>,
    /// Text the customer sees while waiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_message: Option<String>,
    /// `^u\d+$`; defaults to the account's user on `POST`; `u0` = assigned to nobody.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_userid: Option<String>,
    /// ≤ 4000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_api: Option<String>,
    /// Expiry (RFC 3339); defaults to creation + 24 h.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// `PUT` only: `"closed"` (any case) or an int, see [`SessionState::from_wire`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<IntOrString>,
}

/// `{"groups": [...]}` (§5.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupList {
    /// The groups.
    pub groups: Vec<WireGroup>,
}

/// One group (`GetGroupResponse`, §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireGroup {
    /// `g…`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The caller's permissions on the group, e.g. `all` or `read`.
    pub permissions: String,
    /// Owner of the group.
    pub owner: GroupOwner,
    /// Users the group is shared with.
    pub shared_with: Vec<GroupOwner>,
}

/// Owner / share entry of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupOwner {
    /// `u…`.
    pub userid: String,
    /// Display name.
    pub name: String,
}

/// `{"users": [...]}` (§5.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserList {
    /// The users of the company.
    pub users: Vec<WireUser>,
}

/// One user, minimal form (§5.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireUser {
    /// `u…`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
}

/// `GET /account` (`GetAccountResponse`, §3.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireAccount {
    /// `u…`.
    pub userid: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Company name.
    pub company_name: String,
    /// Whether the address was confirmed.
    pub email_validated: bool,
    /// Language code, e.g. `en`.
    pub email_language: String,
    /// The active licence.
    pub license: WireLicense,
}

/// Licence block of the account (§3.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireLicense {
    /// Numeric licence type.
    pub license_type: i32,
    /// Product version.
    pub version: String,
    /// Licence name, e.g. `Corporate`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Free text.
    pub details: String,
    /// Licence UUID.
    #[serde(rename = "teamViewerLicenseId")]
    pub team_viewer_license_id: Uuid,
    /// Whether it is active.
    pub isactive: bool,
}

/// `GET /ping` (§3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PingResponse {
    /// Whether the bearer token is usable.
    pub token_valid: bool,
}

/// `PUT /reports/connections/{id}` body (§6.4). A field that is absent stays unchanged; an
/// explicit `null` clears `notes` but leaves `billing_state` as it is (it can only be set to
/// `Bill`, `Billed` or `DoNotBill`, see [`crate::BILLING_STATES`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReportUpdate {
    /// New notes.
    #[serde(
        default,
        deserialize_with = "present_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub notes: Option<Option<String>>,
    /// New billing state: `Bill`, `Billed` or `DoNotBill`.
    #[serde(
        default,
        deserialize_with = "present_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub billing_state: Option<Option<String>>,
}

/// Tells `"field": null` (`Some(None)`) apart from an absent field (`None`, via `default`).
fn present_or_null<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// Successful token response (§1.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// Bearer token for the API.
    pub access_token: String,
    /// Always `"bearer"`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Rotating refresh token.
    pub refresh_token: String,
}

/// Error body (§7.1): `{error, error_description, error_code}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Category, e.g. `invalid_request`, `invalid_token`, `token_expired`.
    pub error: String,
    /// Human-readable text.
    pub error_description: String,
    /// Numeric code (the sandbox's own numbering; see `ApiError`).
    pub error_code: i32,
}
