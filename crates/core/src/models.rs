//! Wire types of the TeamViewer Web API, tolerant of what the real API sends: unknown fields are
//! ignored, optional fields are optional, enums accept strings (any case) or integers, and
//! timestamps parse with or without fractional seconds. They serialise back with the API's own
//! field names (the CLI's `--json` output relies on that).

use crate::error::{Error, Result};
use crate::serde_util::{
    api_time, opt_f64_lenient, opt_string_or_number, opt_timestamp, page_records, str_or_int,
};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// `GET /api/v1/ping`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Ping {
    /// Whether the bearer token is valid.
    #[serde(default)]
    pub token_valid: bool,
}

/// A customer on the other end of a session (`end_customer`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct EndCustomer {
    /// Name, at most 100 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// E-mail, at most 254 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// `GET /api/v1/account`: the signed-in account. Only the fields the app shows are typed.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Account {
    /// `u` + digits.
    pub userid: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// E-mail address.
    #[serde(default)]
    pub email: String,
    /// Company, when the account belongs to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// Whether the e-mail is validated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_validated: Option<bool>,
    /// Preferred language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_language: Option<String>,
}

/// A group (`GET /api/v1/groups`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Group {
    /// `g` + digits.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// The caller's permissions on the group (`all`, `read`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<String>,
}

/// A user of the company (`GET /api/v1/users`), for assignment pickers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct User {
    /// `u` + digits.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// E-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Generates a string-or-int tolerant enum with known names and a catch-all.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal / $num:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this client does not know (kept verbatim, numbers as decimal text).
            Other(String),
        }

        impl $name {
            /// The API's name for the value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(s) => s,
                }
            }

            /// Parses a name (any case) or the numeric code as text.
            pub fn parse(s: &str) -> Self {
                let t = s.trim();
                $( if t.eq_ignore_ascii_case($wire) || t == stringify!($num) { return Self::$variant; } )+
                Self::Other(t.to_owned())
            }

            fn from_int(n: i64) -> Self {
                match n {
                    $( $num => Self::$variant, )+
                    other => Self::Other(other.to_string()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                str_or_int(d, Self::parse, Self::from_int)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// State of a support session. GET answers `"Open"`/`"Closed"`; the POST/PUT schema types it
    /// as an integer whose mapping is unverified, so integers other than the guesses below are
    /// kept as [`SessionState::Other`].
    SessionState {
        /// Open: the code can be used.
        Open = "Open" / 0,
        /// Closed.
        Closed = "Closed" / 1,
        /// Waiting (mentioned by one client).
        Waiting = "Waiting" / 2,
    }
}

wire_enum! {
    /// `support_session_type` of a session (`"Default"`/`"Pilot"` on GET).
    SessionType {
        /// Normal remote support.
        Default = "Default" / 0,
        /// TeamViewer Pilot (AR).
        Pilot = "Pilot" / 1,
    }
}

wire_enum! {
    /// `support_session_type` of a connection report (int 1–3 or the name).
    ReportSessionType {
        /// A remote-control connection by TeamViewer ID.
        RemoteConnection = "RemoteConnection" / 1,
        /// Attended support through a session code.
        RemoteSupportActive = "RemoteSupportActive" / 2,
        /// Attended support through the SDK.
        RemoteSupportActiveSdk = "RemoteSupportActiveSdk" / 3,
    }
}

/// A support session (session code) as the API returns it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct SupportSession {
    /// `s` + digits, usually with dashes (`s119-457-589`).
    pub code: String,
    /// State.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<SessionState>,
    /// Group id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groupid: Option<String>,
    /// Group name (not in every response).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groupname: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Text the customer sees while waiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_message: Option<String>,
    /// The customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_customer: Option<EndCustomer>,
    /// Free data of the integrator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_api: Option<String>,
    /// Assigned supporter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_userid: Option<String>,
    /// When it was assigned.
    #[serde(
        default,
        deserialize_with = "opt_timestamp",
        serialize_with = "api_time::serialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub assigned_at: Option<DateTime<Utc>>,
    /// Link that starts the session in the supporter's TeamViewer client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supporter_link: Option<String>,
    /// Link that starts the session in the browser (WebClient).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webclient_supporter_link: Option<String>,
    /// Link for the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_customer_link: Option<String>,
    /// Creation time.
    #[serde(
        default,
        deserialize_with = "opt_timestamp",
        serialize_with = "api_time::serialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<DateTime<Utc>>,
    /// End of validity.
    #[serde(
        default,
        deserialize_with = "opt_timestamp",
        serialize_with = "api_time::serialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub valid_until: Option<DateTime<Utc>>,
    /// When it was closed.
    #[serde(
        default,
        deserialize_with = "opt_timestamp",
        serialize_with = "api_time::serialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub closed_at: Option<DateTime<Utc>>,
    /// Whether the customer is connected or waiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online: Option<bool>,
    /// Session type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_session_type: Option<SessionType>,
}

impl SupportSession {
    /// Whether the session is open (state `Open`, or no state and not closed).
    pub fn is_open(&self) -> bool {
        match &self.state {
            Some(SessionState::Open) => true,
            Some(_) => false,
            None => self.closed_at.is_none(),
        }
    }

    /// The three links with their labels, in display order, skipping absent ones.
    pub fn links(&self) -> Vec<(SessionLink, &str)> {
        [
            (SessionLink::Supporter, &self.supporter_link),
            (SessionLink::WebClient, &self.webclient_supporter_link),
            (SessionLink::EndCustomer, &self.end_customer_link),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect()
    }

    /// Whether `url` is exactly one of this session's links.
    pub fn has_link(&self, url: &str) -> bool {
        self.links().iter().any(|(_, l)| *l == url)
    }
}

/// Which of a session's three links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionLink {
    /// `supporter_link`: opens the TeamViewer client.
    Supporter,
    /// `webclient_supporter_link`: opens the WebClient in the browser.
    WebClient,
    /// `end_customer_link`: for the customer.
    EndCustomer,
}

impl SessionLink {
    /// English label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Supporter => "Supporter link",
            Self::WebClient => "WebClient supporter link",
            Self::EndCustomer => "End-customer link",
        }
    }
}

/// Where a new session goes: an existing group by id, or a group by name (created on demand by
/// the API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupRef {
    /// `g` + digits.
    Id(String),
    /// A group name.
    Name(String),
}

/// `POST /api/v1/sessions` body. Build it, then [`NewSession::validate`] runs before sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// Target group.
    pub group: GroupRef,
    /// Description, at most 4000 characters.
    pub description: Option<String>,
    /// The customer's name (≤ 100) and e-mail (≤ 254).
    pub end_customer: Option<EndCustomer>,
    /// Text the customer sees while waiting.
    pub waiting_message: Option<String>,
    /// Supporter to assign (`u` + digits); default: the token owner.
    pub assigned_userid: Option<String>,
    /// Free data, at most 4000 characters.
    pub custom_api: Option<String>,
}

impl NewSession {
    /// A session in `group` with nothing else set.
    pub fn new(group: GroupRef) -> Self {
        Self {
            group,
            description: None,
            end_customer: None,
            waiting_message: None,
            assigned_userid: None,
            custom_api: None,
        }
    }

    /// Checks every field against the API's documented limits, naming the first bad field.
    /// Blank optional strings count as absent.
    pub fn validate(&self) -> Result<()> {
        match &self.group {
            GroupRef::Id(id) => check_prefixed_id("group", id, 'g')?,
            GroupRef::Name(name) => {
                if name.trim().is_empty() {
                    return Err(Error::invalid(
                        "group",
                        "choose a group or type a group name",
                    ));
                }
                check_len("group name", name, 255)?;
            }
        }
        if let Some(d) = &self.description {
            check_len("description", d, 4000)?;
        }
        if let Some(c) = &self.end_customer {
            if let Some(n) = &c.name {
                check_len("customer name", n, 100)?;
            }
            if let Some(e) = c.email.as_deref().filter(|e| !e.trim().is_empty()) {
                check_len("customer e-mail", e, 254)?;
                check_email(e)?;
            }
        }
        if let Some(m) = &self.waiting_message {
            check_len("waiting message", m, 4000)?;
        }
        if let Some(u) = &self.assigned_userid {
            check_prefixed_id("assigned user", u, 'u')?;
        }
        if let Some(c) = &self.custom_api {
            check_len("custom data", c, 4000)?;
        }
        Ok(())
    }
}

fn non_blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Serialize for NewSession {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        match &self.group {
            GroupRef::Id(id) => m.serialize_entry("groupid", id.trim())?,
            GroupRef::Name(n) => m.serialize_entry("groupname", n.trim())?,
        }
        if let Some(d) = non_blank(&self.description) {
            m.serialize_entry("description", d)?;
        }
        if let Some(c) = &self.end_customer {
            let c = EndCustomer {
                name: non_blank(&c.name).map(str::to_owned),
                email: non_blank(&c.email).map(str::to_owned),
            };
            if c.name.is_some() || c.email.is_some() {
                m.serialize_entry("end_customer", &c)?;
            }
        }
        if let Some(w) = non_blank(&self.waiting_message) {
            m.serialize_entry("waiting_message", w)?;
        }
        if let Some(u) = non_blank(&self.assigned_userid) {
            m.serialize_entry("assigned_userid", u)?;
        }
        if let Some(c) = non_blank(&self.custom_api) {
            m.serialize_entry("custom_api", c)?;
        }
        m.end()
    }
}

fn check_len(field: &str, value: &str, max: usize) -> Result<()> {
    let n = value.chars().count();
    if n > max {
        return Err(Error::invalid(
            field,
            format!("at most {max} characters are allowed (this has {n})"),
        ));
    }
    Ok(())
}

/// `g123`/`u123`: the prefix letter and one or more ASCII digits.
pub fn check_prefixed_id(field: &str, value: &str, prefix: char) -> Result<()> {
    let v = value.trim();
    let ok = v
        .strip_prefix(prefix)
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("expected '{prefix}' followed by digits, like {prefix}12345678"),
        ))
    }
}

/// A pragmatic e-mail check: one `@`, a non-empty local part, a dotted domain, no whitespace.
pub fn check_email(value: &str) -> Result<()> {
    let v = value.trim();
    let valid = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !v.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(())
    } else {
        Err(Error::invalid(
            "customer e-mail",
            "enter an address like name@example.com",
        ))
    }
}

/// `PUT /api/v1/sessions/{code}` body: only the fields that are set are sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SessionUpdate {
    /// New state; `closed` closes the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// New description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_customer: Option<EndCustomer>,
    /// New waiting message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_message: Option<String>,
    /// Reassign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_userid: Option<String>,
}

impl SessionUpdate {
    /// The body that closes a session: `{"state":"closed"}`.
    pub fn close() -> Self {
        Self {
            state: Some("closed".into()),
            ..Self::default()
        }
    }
}

/// Which sessions `GET /api/v1/sessions` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStateFilter {
    /// Open sessions only.
    #[default]
    Open,
    /// Closed sessions only.
    Closed,
    /// Both (`state=open,closed`: without a `state` the API lists open sessions only).
    All,
}

/// Query of `GET /api/v1/sessions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionQuery {
    /// State filter.
    pub state: SessionStateFilter,
    /// Only sessions of this group.
    pub groupid: Option<String>,
    /// Only sessions assigned to this user.
    pub assigned_userid: Option<String>,
}

impl SessionQuery {
    /// Query pairs; `full_list=true` asks for complete items.
    pub fn to_pairs(&self, offset: Option<&str>) -> Vec<(&'static str, String)> {
        let mut q = vec![("full_list", "true".to_owned())];
        match self.state {
            SessionStateFilter::Open => q.push(("state", "open".into())),
            SessionStateFilter::Closed => q.push(("state", "closed".into())),
            SessionStateFilter::All => q.push(("state", "open,closed".into())),
        }
        if let Some(g) = &self.groupid {
            q.push(("groupid", g.clone()));
        }
        if let Some(u) = &self.assigned_userid {
            q.push(("assigned_userid", u.clone()));
        }
        if let Some(o) = offset {
            q.push(("offset", o.to_owned()));
        }
        q
    }
}

/// One page of `GET /api/v1/sessions`.
#[derive(Debug, Clone, Deserialize)]
pub struct SessionPage {
    /// The sessions.
    #[serde(default)]
    pub sessions: Vec<SupportSession>,
    /// Cursor for the next page (`offset`), absent on the last page.
    #[serde(default)]
    pub next_offset: Option<String>,
    /// How many remain after this page.
    #[serde(default)]
    pub sessions_remaining: Option<u64>,
}

impl SessionPage {
    /// The cursor to follow, or `None` when this was the last page.
    pub fn next(&self) -> Option<&str> {
        let more = self.sessions_remaining.is_none_or(|n| n > 0);
        self.next_offset
            .as_deref()
            .filter(|o| more && !o.is_empty())
    }
}

/// Customer feedback on a connection.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Feedback {
    /// Rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_rating: Option<i64>,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_comment: Option<String>,
}

/// One connection report (`GET /api/v1/reports/connections`).
///
/// Decoding accepts the fee under either of the names TeamViewer's document uses for it: `fee`
/// (its field list, and the OpenAPI spec) or `bill` (its example), as a number or a numeric
/// string; a record with both keeps `fee` unless that is null. It serialises as `fee`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(from = "ReportWire")]
pub struct ConnectionReport {
    /// Report id (uuid).
    pub id: String,
    /// Supporter account id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userid: Option<String>,
    /// Supporter name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// TeamViewer ID of the remote device (string or number on the wire).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deviceid: Option<String>,
    /// Remote device name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub devicename: Option<String>,
    /// Group id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groupid: Option<String>,
    /// Group name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groupname: Option<String>,
    /// Kind of connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_session_type: Option<ReportSessionType>,
    /// Start.
    #[serde(
        serialize_with = "api_time::serialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_date: Option<DateTime<Utc>>,
    /// End.
    #[serde(
        serialize_with = "api_time::serialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_date: Option<DateTime<Utc>>,
    /// Fee ("costs for the connection"); on the wire `fee` or `bill`, a number or a numeric
    /// string such as `"0.00"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee: Option<f64>,
    /// Currency of the fee.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Billing state, kept verbatim. TeamViewer documents `Bill`, `Billed` and `DoNotBill`
    /// ([`BILLING_STATES`]); any other text is kept as it came.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_state: Option<String>,
    /// Notes (editable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Contact id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Session code the connection belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_code: Option<String>,
    /// Session note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_note: Option<String>,
    /// The customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_customer: Option<EndCustomer>,
    /// Customer feedback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback: Option<Feedback>,
    /// Integrator data set when the session code was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_api: Option<String>,
}

/// The billing states TeamViewer documents for reports (doc 2023-03, p48 and p51).
pub const BILLING_STATES: [&str; 3] = ["Bill", "Billed", "DoNotBill"];

/// A [`ConnectionReport`] as it arrives: the same members, plus the fee's second name `bill`.
/// (A serde `alias` would refuse a record that carries both names as a duplicate field.) The
/// conversion names every field on both sides, so a field added to one and not the other does
/// not compile.
#[derive(Deserialize)]
struct ReportWire {
    id: String,
    #[serde(default)]
    userid: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    deviceid: Option<String>,
    #[serde(default)]
    devicename: Option<String>,
    #[serde(default)]
    groupid: Option<String>,
    #[serde(default)]
    groupname: Option<String>,
    #[serde(default)]
    support_session_type: Option<ReportSessionType>,
    #[serde(default, deserialize_with = "opt_timestamp")]
    start_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_timestamp")]
    end_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_f64_lenient")]
    fee: Option<f64>,
    #[serde(default, deserialize_with = "opt_f64_lenient")]
    bill: Option<f64>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    billing_state: Option<String>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    contact_id: Option<String>,
    #[serde(default)]
    session_code: Option<String>,
    #[serde(default)]
    session_note: Option<String>,
    #[serde(default)]
    end_customer: Option<EndCustomer>,
    #[serde(default)]
    feedback: Option<Feedback>,
    #[serde(default)]
    custom_api: Option<String>,
}

impl From<ReportWire> for ConnectionReport {
    fn from(w: ReportWire) -> Self {
        let ReportWire {
            id,
            userid,
            username,
            deviceid,
            devicename,
            groupid,
            groupname,
            support_session_type,
            start_date,
            end_date,
            fee,
            bill,
            currency,
            billing_state,
            notes,
            contact_id,
            session_code,
            session_note,
            end_customer,
            feedback,
            custom_api,
        } = w;
        Self {
            id,
            userid,
            username,
            deviceid,
            devicename,
            groupid,
            groupname,
            support_session_type,
            start_date,
            end_date,
            fee: fee.or(bill),
            currency,
            billing_state,
            notes,
            contact_id,
            session_code,
            session_note,
            end_customer,
            feedback,
            custom_api,
        }
    }
}

impl ConnectionReport {
    /// Duration in whole seconds (end − start), `None` when a date is missing or reversed.
    pub fn duration_seconds(&self) -> Option<i64> {
        match (self.start_date, self.end_date) {
            (Some(s), Some(e)) if e >= s => {
                let (sn, en) = (s.timestamp_subsec_nanos(), e.timestamp_subsec_nanos());
                Some(if sn < 1_000_000_000 && en < 1_000_000_000 {
                    // Whole seconds, less one when the end's fraction is smaller: the same as
                    // chrono's `(e - s).num_seconds()` for e >= s, in a few instructions (the
                    // CSV export and the duration sort compute this for every record).
                    e.timestamp() - s.timestamp() - i64::from(en < sn)
                } else {
                    // A leap second: chrono's arithmetic knows how to count it.
                    (e - s).num_seconds()
                })
            }
            _ => None,
        }
    }
}

/// Server-side filters of `GET /api/v1/reports/connections` (teamviewer-api.md §6.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportQuery {
    /// `username`: the server's notion of user name (ambiguous in the docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `userid`: account id (`u…`) the report belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userid: Option<String>,
    /// `groupid`: only reports to devices in that group; `0` = devices in no group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groupid: Option<String>,
    /// `devicename`: device name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devicename: Option<String>,
    /// `deviceid`: TeamViewer ID of the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deviceid: Option<String>,
    /// `from_date`: reports that start at or after this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_date: Option<DateTime<Utc>>,
    /// `to_date`: reports that end before this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_date: Option<DateTime<Utc>>,
    /// `has_code`: only with (`true`) or without (`false`) a session code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_code: Option<bool>,
    /// `session_code`: only this session code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_code: Option<String>,
    /// `support_session_type`: 1, 2 or 3 (sent as the number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_session_type: Option<u8>,
}

impl ReportQuery {
    /// Checks ids and the date range before anything is sent.
    pub fn validate(&self) -> Result<()> {
        if let Some(u) = &self.userid {
            check_prefixed_id("user id", u, 'u')?;
        }
        if let Some(g) = self.groupid.as_deref().filter(|g| g.trim() != "0") {
            check_prefixed_id("group id", g, 'g')?;
        }
        if let (Some(f), Some(t)) = (self.from_date, self.to_date) {
            if f >= t {
                return Err(Error::invalid("date range", "'from' must be before 'to'"));
            }
        }
        if let Some(t) = self.support_session_type {
            if !(1..=3).contains(&t) {
                return Err(Error::invalid("type", "must be 1, 2 or 3"));
            }
        }
        Ok(())
    }

    /// Query pairs in the API's names, dates as `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn to_pairs(&self, offset_id: Option<&str>) -> Vec<(&'static str, String)> {
        let fmt = |t: &DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let mut q: Vec<(&'static str, String)> = Vec::new();
        let text = [
            ("username", &self.username),
            ("userid", &self.userid),
            ("groupid", &self.groupid),
            ("devicename", &self.devicename),
            ("deviceid", &self.deviceid),
            ("session_code", &self.session_code),
        ];
        for (k, v) in text {
            if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                q.push((k, v.to_owned()));
            }
        }
        if let Some(f) = &self.from_date {
            q.push(("from_date", fmt(f)));
        }
        if let Some(t) = &self.to_date {
            q.push(("to_date", fmt(t)));
        }
        if let Some(h) = self.has_code {
            q.push(("has_code", h.to_string()));
        }
        if let Some(t) = self.support_session_type {
            q.push(("support_session_type", t.to_string()));
        }
        if let Some(o) = offset_id {
            q.push(("offset_id", o.to_owned()));
        }
        q
    }
}

/// One page of connection reports.
///
/// TeamViewer's document calls the count `records_remaining` in its field list and
/// `reports_remaining` in its text; both are accepted (a page naming both must give the same
/// number). The count is `None` when the page has neither.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(try_from = "ReportPageWire")]
pub struct ReportPage {
    /// Records, newest end date first.
    pub records: Vec<ConnectionReport>,
    /// How many records remain after this page (`records_remaining` or `reports_remaining`);
    /// `None` when the server did not say.
    pub records_remaining: Option<u64>,
    /// Id of the last record, to pass back as `offset_id`.
    pub next_offset: Option<String>,
}

/// A [`ReportPage`] as it arrives, with both names of the count.
#[derive(Deserialize)]
struct ReportPageWire {
    #[serde(default, deserialize_with = "page_records")]
    records: Vec<ConnectionReport>,
    #[serde(default)]
    records_remaining: Option<u64>,
    #[serde(default)]
    reports_remaining: Option<u64>,
    #[serde(default)]
    next_offset: Option<String>,
}

impl TryFrom<ReportPageWire> for ReportPage {
    type Error = String;

    fn try_from(w: ReportPageWire) -> std::result::Result<Self, String> {
        let records_remaining = match (w.records_remaining, w.reports_remaining) {
            (Some(a), Some(b)) if a != b => {
                return Err(format!(
                    "the page gives two different counts of the records that remain: \
                     records_remaining {a}, reports_remaining {b}"
                ))
            }
            (a, b) => a.or(b),
        };
        Ok(Self {
            records: w.records,
            records_remaining,
            next_offset: w.next_offset,
        })
    }
}

impl ReportPage {
    /// Decodes a response body of `GET /api/v1/reports/connections` the way the client does
    /// (an [`Error::Decode`] with the start of the body when it is not a page).
    pub fn from_json(body: &[u8]) -> Result<Self> {
        crate::client::decode(body)
    }

    /// Where paging goes after this page: `Ok(Some(cursor))` to request the page after
    /// `cursor` (`offset_id`), `Ok(None)` when this was the last page, and
    /// [`Error::InvalidResponse`] when the page contradicts itself, so that records the server
    /// says exist are never dropped silently. (An empty `next_offset` counts as absent.)
    ///
    /// | records | count (`records_remaining`) | `next_offset` | result |
    /// |---|---|---|---|
    /// | any | 0 | any | last page (a `next_offset` is the last record's id, see below) |
    /// | none | > 0 | any | invalid: more remain, yet none were sent |
    /// | none | absent | any | last page |
    /// | some | > 0 or absent | present | follow `next_offset` |
    /// | some | > 0 | absent | invalid: more remain, but there is no cursor to ask for them |
    /// | some | absent | absent | last page |
    ///
    /// TeamViewer's document defines `next_offset` as the id of the last record returned, so a
    /// last page may well carry one; its count of 0 decides.
    pub fn next_cursor(&self) -> Result<Option<&str>> {
        paging_cursor(
            self.records_remaining,
            !self.records.is_empty(),
            self.next_offset.as_deref(),
        )
    }

    /// [`ReportPage::next_cursor`] without the error: `None` both for the last page and for a
    /// page that contradicts itself. Paging code should use `next_cursor`.
    pub fn next(&self) -> Option<&str> {
        self.next_cursor().ok().flatten()
    }
}

/// TeamViewer's paging rule (§0.1/§6) for a page with `records_remaining`, some records or
/// none, and `next_offset`: the cursor of the next page, `None` after the last page, or an
/// `invalid_response` for a page that contradicts itself. [`ReportPage::next_cursor`] applies
/// it to a decoded page; a reader that has only counted a page's records can apply it too.
///
/// # Errors
/// [`Error::InvalidResponse`] when records remain but the page has none or no cursor.
pub fn paging_cursor(
    records_remaining: Option<u64>,
    has_records: bool,
    next_offset: Option<&str>,
) -> Result<Option<&str>> {
    let cursor = next_offset.filter(|o| !o.is_empty());
    match (records_remaining, has_records, cursor) {
        (Some(0), _, _) | (None, false, _) | (None, true, None) => Ok(None),
        (Some(n), false, _) => Err(Error::InvalidResponse {
            message: format!(
                "the server says {n} more connection reports remain but sent a page without any"
            ),
        }),
        (Some(n), true, None) => Err(Error::InvalidResponse {
            message: format!(
                "the server says {n} more connection reports remain but gave no next_offset to \
                 ask for them"
            ),
        }),
        (_, true, Some(cursor)) => Ok(Some(cursor)),
    }
}

/// `PUT /api/v1/reports/connections/{id}` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportUpdate {
    /// New notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// New billing state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_state: Option<String>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn all_sessions_asks_for_open_and_closed() {
        let q = SessionQuery {
            state: SessionStateFilter::All,
            ..SessionQuery::default()
        };
        assert!(
            q.to_pairs(None)
                .contains(&("state", "open,closed".to_owned())),
            "without a state the API lists open sessions only, so 'all' must name both"
        );
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn session_tolerates_string_and_int_enums_and_unknown_fields() {
        let s: SupportSession = serde_json::from_value(json!({
            "code": "s119-457-589", "state": "open", "support_session_type": 1,
            "created_at": "2024-04-16T20:40:38Z", "valid_until": "2024-04-17T20:40:38.5Z",
            "brand_new_field": {"x": 1}, "end_customer": {"name": "Jon"}
        }))
        .unwrap();
        assert_eq!(
            s.state,
            Some(SessionState::Open),
            "state is case-insensitive"
        );
        assert_eq!(s.support_session_type, Some(SessionType::Pilot));
        assert!(s.is_open());
        let s: SupportSession = serde_json::from_value(json!({"code": "s1", "state": 7})).unwrap();
        assert_eq!(
            s.state,
            Some(SessionState::Other("7".into())),
            "unknown ints are kept"
        );
    }

    #[test]
    fn report_accepts_numeric_deviceid_and_null_fields() {
        let r: ConnectionReport = serde_json::from_value(json!({
            "id": "a", "deviceid": 123456789, "support_session_type": "remotesupportactive",
            "start_date": "2017-02-03T14:10:50Z", "end_date": "2017-02-03T14:20:50.250Z",
            "fee": null, "notes": null
        }))
        .unwrap();
        assert_eq!(r.deviceid.as_deref(), Some("123456789"));
        assert_eq!(
            r.support_session_type,
            Some(ReportSessionType::RemoteSupportActive)
        );
        assert_eq!(r.duration_seconds(), Some(600));
    }

    #[test]
    fn duration_is_chronos_whole_seconds() {
        let at = |s: &str| Some(crate::serde_util::parse_timestamp(s).unwrap());
        let cases = [
            ("2017-02-03T14:10:50Z", "2017-02-03T14:20:50Z"),
            ("2017-02-03T14:10:50.750Z", "2017-02-03T14:10:51.250Z"),
            ("2017-02-03T14:10:50.250Z", "2017-02-03T14:10:51.750Z"),
            ("2017-02-03T14:10:50.5Z", "2017-02-03T14:10:50.5Z"),
            ("2016-12-31T23:59:59.5Z", "2016-12-31T23:59:60.25Z"),
            ("2016-12-31T23:59:60.5Z", "2017-01-01T00:00:01Z"),
            ("1969-12-31T23:59:59.9Z", "1970-01-01T00:00:00.1Z"),
            ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z"),
        ];
        for (start, end) in cases {
            let r = ConnectionReport {
                start_date: at(start),
                end_date: at(end),
                ..serde_json::from_value(json!({"id": "x"})).unwrap()
            };
            let chrono = (r.end_date.unwrap() - r.start_date.unwrap()).num_seconds();
            assert_eq!(r.duration_seconds(), Some(chrono), "{start} .. {end}");
        }
        let reversed = ConnectionReport {
            start_date: at("2017-02-03T14:20:50Z"),
            end_date: at("2017-02-03T14:10:50Z"),
            ..serde_json::from_value(json!({"id": "x"})).unwrap()
        };
        assert_eq!(
            reversed.duration_seconds(),
            None,
            "reversed dates have no duration"
        );
    }

    #[test]
    fn new_session_validation_names_the_field() {
        let mut s = NewSession::new(GroupRef::Id("272032545".into()));
        assert_eq!(
            s.validate().unwrap_err().kind(),
            crate::ErrorKind::InvalidInput
        );
        s.group = GroupRef::Id("g272032545".into());
        s.end_customer = Some(EndCustomer {
            name: Some("Jon".into()),
            email: Some("jon@".into()),
        });
        let e = s.validate().unwrap_err().to_string();
        assert!(
            e.contains("customer e-mail"),
            "the message names the field: {e}"
        );
        s.end_customer = Some(EndCustomer {
            name: Some("x".repeat(101)),
            email: None,
        });
        assert!(
            s.validate().is_err(),
            "names longer than 100 characters are refused"
        );
    }

    #[test]
    fn new_session_body_uses_api_names_and_drops_blanks() {
        let mut s = NewSession::new(GroupRef::Name("Support".into()));
        s.description = Some("  ".into());
        s.end_customer = Some(EndCustomer {
            name: Some("Jörg".into()),
            email: Some(String::new()),
        });
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(
            v,
            json!({"groupname": "Support", "end_customer": {"name": "Jörg"}})
        );
    }

    fn page(v: serde_json::Value) -> ReportPage {
        // Both the borrowing and the owning deserializer, as the client and tests use them.
        let text = v.to_string();
        let a: ReportPage = serde_json::from_str(&text).unwrap();
        let b: ReportPage = serde_json::from_value(v).unwrap();
        assert_eq!(
            (a.records_remaining, &a.next_offset, a.records.len()),
            (b.records_remaining, &b.next_offset, b.records.len()),
            "{text}: both deserializers agree"
        );
        a
    }

    /// What `next_cursor` should give: the cursor, or `Err(())` for invalid_response.
    type Expected = std::result::Result<Option<&'static str>, ()>;

    #[test]
    fn report_page_cursor_follows_the_documented_rules() {
        let one = json!([{"id": "x"}]);
        let none = json!([]);
        // (body, the cursor or Err(()) for invalid_response, why)
        let cases: Vec<(serde_json::Value, Expected, &str)> = vec![
            (
                json!({"records": one, "records_remaining": 5, "next_offset": "x"}),
                Ok(Some("x")),
                "more remain and a cursor: follow it",
            ),
            (
                json!({"records": one, "reports_remaining": 5, "next_offset": "x"}),
                Ok(Some("x")),
                "the document's other name for the count must keep paging too",
            ),
            (
                json!({"records": one, "next_offset": "x"}),
                Ok(Some("x")),
                "no count but a cursor: keep paging",
            ),
            (
                json!({"records": one, "records_remaining": 0}),
                Ok(None),
                "records_remaining 0 ends the paging",
            ),
            (
                json!({"records": one, "reports_remaining": 0, "next_offset": "x"}),
                Ok(None),
                "a count of 0 ends the paging even with a cursor (the last record's id)",
            ),
            (
                json!({"records": one}),
                Ok(None),
                "neither count nor cursor: nothing says more remain",
            ),
            (
                json!({"records": none, "records_remaining": 0}),
                Ok(None),
                "an empty last page",
            ),
            (
                json!({"records": none, "next_offset": "x"}),
                Ok(None),
                "an empty page that claims nothing more is the end",
            ),
            (
                json!({"records": one, "records_remaining": 5}),
                Err(()),
                "more remain without a cursor must not end the paging silently",
            ),
            (
                json!({"records": one, "records_remaining": 5, "next_offset": ""}),
                Err(()),
                "an empty cursor is no cursor",
            ),
            (
                json!({"records": one, "reports_remaining": 5, "next_offset": null}),
                Err(()),
                "a null cursor is no cursor",
            ),
            (
                json!({"records": none, "records_remaining": 5, "next_offset": "x"}),
                Err(()),
                "more remain but none were sent",
            ),
        ];
        for (body, want, why) in cases {
            let p = page(body.clone());
            let got = p.next_cursor().map_err(|e| {
                assert_eq!(
                    e.kind(),
                    crate::ErrorKind::InvalidResponse,
                    "{body}: an inconsistent page is invalid_response: {e}"
                );
            });
            assert_eq!(got, want, "{body}: {why}");
            assert_eq!(p.next(), want.ok().flatten(), "{body}: next() agrees");
        }
    }

    #[test]
    fn report_page_accepts_both_names_of_the_count() {
        assert_eq!(
            page(json!({"reports_remaining": 2500})).records_remaining,
            Some(2500),
            "reports_remaining is the count's name in the document's text"
        );
        assert_eq!(
            page(json!({"records_remaining": 7, "reports_remaining": 7})).records_remaining,
            Some(7),
            "both names with the same number"
        );
        assert_eq!(
            page(json!({"records": []})).records_remaining,
            None,
            "a missing count is not 0"
        );
        let e = ReportPage::from_json(br#"{"records_remaining": 1, "reports_remaining": 2}"#)
            .unwrap_err();
        assert_eq!(
            e.kind(),
            crate::ErrorKind::Decode,
            "two different counts are refused, not guessed: {e}"
        );
        assert!(e.to_string().contains("records_remaining 1"), "{e}");
    }

    fn report(v: serde_json::Value) -> ConnectionReport {
        let text = v.to_string();
        let a: ConnectionReport = serde_json::from_str(&text).unwrap();
        let b: ConnectionReport = serde_json::from_value(v).unwrap();
        assert_eq!(a, b, "{text}: both deserializers agree");
        a
    }

    #[test]
    fn report_fee_is_read_from_fee_or_bill_as_number_or_string() {
        let cases = [
            (
                json!({"id": "a", "bill": "0.00"}),
                Some(0.0),
                "the document's example",
            ),
            (
                json!({"id": "a", "bill": "12.50"}),
                Some(12.5),
                "bill as a string",
            ),
            (json!({"id": "a", "bill": 3}), Some(3.0), "bill as a number"),
            (
                json!({"id": "a", "fee": 4.25}),
                Some(4.25),
                "fee as a number",
            ),
            (
                json!({"id": "a", "fee": "4.25"}),
                Some(4.25),
                "fee as a string",
            ),
            (
                json!({"id": "a", "fee": 1, "bill": "2"}),
                Some(1.0),
                "fee wins over bill",
            ),
            (
                json!({"id": "a", "fee": null, "bill": "2"}),
                Some(2.0),
                "a null fee yields to bill",
            ),
            (json!({"id": "a", "bill": null}), None, "null is no fee"),
            (json!({"id": "a"}), None, "absent"),
        ];
        for (body, want, why) in cases {
            assert_eq!(report(body.clone()).fee, want, "{body}: {why}");
        }
        let e = serde_json::from_value::<ConnectionReport>(json!({"id": "a", "bill": "free"}))
            .unwrap_err();
        assert!(
            e.to_string().contains("invalid number"),
            "a fee that is not a number is refused, not read as 0: {e}"
        );
        let out = serde_json::to_value(report(json!({"id": "a", "bill": "0.00"}))).unwrap();
        assert_eq!(
            out,
            json!({"id": "a", "fee": 0.0}),
            "the fee serialises under its model name"
        );
    }

    #[test]
    fn report_billing_state_is_kept_verbatim() {
        for state in BILLING_STATES
            .iter()
            .copied()
            .chain(["billed", " DoNotBill ", "Pending", ""])
        {
            let r = report(json!({"id": "a", "billing_state": state}));
            assert_eq!(
                r.billing_state.as_deref(),
                Some(state),
                "{state:?}: documented or not, the billing state is kept as sent"
            );
        }
    }

    #[test]
    fn report_round_trips_through_its_own_serialisation() {
        let full = json!({
            "id": "a", "userid": "u1", "username": "Anna", "deviceid": "123",
            "devicename": "PC", "groupid": "g1", "groupname": "G",
            "support_session_type": 2, "start_date": "2024-03-02T10:00:00Z",
            "end_date": "2024-03-02T11:00:00Z", "fee": 1.5, "currency": "EUR",
            "billing_state": "Billed", "notes": "n", "contact_id": "c1",
            "session_code": "s1", "session_note": "sn",
            "end_customer": {"name": "Jon", "email": "jon@example.com"},
            "feedback": {"session_rating": 5, "user_comment": "ok"}, "custom_api": "x"
        });
        let r = report(full);
        let again = report(serde_json::to_value(&r).unwrap());
        assert_eq!(again, r, "every field survives serialise then decode");
        assert!(
            r.end_customer.is_some() && r.feedback.is_some() && r.custom_api.is_some(),
            "nested and late fields are read"
        );
    }
}
