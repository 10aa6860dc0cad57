//! The mutable company state: groups (which `POST /sessions` may create) and support sessions.

use crate::data::{self, Directory};
use crate::error::ApiError;
use crate::paging;
use crate::params::{parse_instant, Params};
use crate::wire::{
    EndCustomer, SessionLiveness, SessionRequest, SessionState, WireGroup, WireSession,
};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::cmp::Ordering;
use url::{form_urlencoded, Url};

/// Sessions per `GET /sessions` page: "at most 1,000 per request" (doc 2023-03, p40).
pub(crate) const SESSION_PAGE_SIZE: usize = 1_000;
/// `assigned_userid` of a session assigned to nobody (doc 2023-03, p41 and p43).
pub(crate) const UNASSIGNED: &str = "u0";
const MAX_TEXT: usize = 4_000;
const MAX_CUSTOMER_NAME: usize = 100;
const MAX_CUSTOMER_EMAIL: usize = 254;

/// A stored support session. Links are derived from the code and token when serialized, so
/// they always point at the running sandbox's origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SessionRecord {
    pub(crate) code: String,
    pub(crate) service_queue_token: String,
    pub(crate) groupid: String,
    pub(crate) description: Option<String>,
    pub(crate) end_customer: Option<EndCustomer>,
    pub(crate) waiting_message: Option<String>,
    pub(crate) custom_api: Option<String>,
    /// `None`: assigned to nobody (`"u0"` on the wire).
    pub(crate) assigned_userid: Option<String>,
    /// `None` while assigned to nobody.
    pub(crate) assigned_at: Option<DateTime<Utc>>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) valid_until: DateTime<Utc>,
    pub(crate) closed_at: Option<DateTime<Utc>>,
    pub(crate) online: bool,
}

impl SessionRecord {
    /// Newest created first; the code breaks ties.
    pub(crate) fn served_order(a: &Self, b: &Self) -> Ordering {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| a.code.cmp(&b.code))
    }

    fn state(&self) -> SessionState {
        if self.closed_at.is_some() {
            SessionState::Closed
        } else {
            SessionState::Open
        }
    }

    /// The code without dashes, as it appears inside links.
    pub(crate) fn undashed(&self) -> String {
        undash(&self.code)
    }
}

/// Session code without dashes, lower-case, for comparisons (`s123-456-789` = `S123456789`).
pub(crate) fn undash(code: &str) -> String {
    code.chars()
        .filter(|c| *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Filters of `GET /sessions` (doc 2023-03, p40): `state` is `open`, `closed` or both
/// (`open,closed`), open only when not given; `assigned_userid=u0` selects the sessions assigned
/// to nobody.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SessionFilter {
    pub(crate) open: bool,
    pub(crate) closed: bool,
    pub(crate) groupid: Option<String>,
    /// `Some(None)`: `u0`, assigned to nobody.
    pub(crate) assigned_userid: Option<Option<String>>,
}

impl Default for SessionFilter {
    /// No parameters: open sessions only.
    fn default() -> Self {
        Self {
            open: true,
            closed: false,
            groupid: None,
            assigned_userid: None,
        }
    }
}

impl SessionFilter {
    /// Reads `state` (`open`, `closed`, or both comma-separated; case-insensitive), `groupid`
    /// and `assigned_userid`.
    pub(crate) fn from_params(params: &Params) -> Result<Self, ApiError> {
        let mut filter = Self {
            assigned_userid: params
                .get("assigned_userid")
                .map(|id| (id != UNASSIGNED).then(|| id.to_owned())),
            groupid: params.get("groupid").map(str::to_owned),
            ..Self::default()
        };
        if let Some(text) = params.get("state") {
            filter.open = false;
            for part in text.split(',') {
                match SessionState::parse(part.trim()) {
                    Some(SessionState::Open) => filter.open = true,
                    Some(SessionState::Closed) => filter.closed = true,
                    None => {
                        return Err(ApiError::invalid_request(format!(
                            "state must be open, closed or open,closed, got {text:?}"
                        )))
                    }
                }
            }
        }
        Ok(filter)
    }

    /// Whether every session matches (paging then skips counting).
    fn is_all(&self) -> bool {
        self.open && self.closed && self.groupid.is_none() && self.assigned_userid.is_none()
    }

    fn matches(&self, session: &SessionRecord) -> bool {
        let state_ok = match session.state() {
            SessionState::Open => self.open,
            SessionState::Closed => self.closed,
        };
        state_ok
            && self
                .groupid
                .as_ref()
                .is_none_or(|id| *id == session.groupid)
            && self
                .assigned_userid
                .as_ref()
                .is_none_or(|id| *id == session.assigned_userid)
    }
}

/// Groups filter of `GET /groups` (§5.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct GroupFilter {
    /// Case-insensitive substring, or the whole name with `full_name`.
    pub(crate) name: Option<String>,
    pub(crate) full_name: bool,
    /// `true`: only groups shared with the account; `false`: only its own.
    pub(crate) shared: Option<bool>,
}

/// Account, users, groups and sessions of one run.
#[derive(Debug)]
pub(crate) struct Desk {
    directory: Directory,
    /// Always in served order (newest first).
    sessions: Vec<SessionRecord>,
    created_in_run: u32,
    rng: ChaCha8Rng,
    /// Customers coming and going, when the run asks for it.
    arrivals: Option<Arrivals>,
}

/// Most arrival periods applied in one go; when more are pending (a sandbox left alone for a
/// long time with a short period), the older ones are skipped: customers came and went unseen.
const MAX_PENDING_PERIODS: u64 = 10_000;
/// Shortest arrival period: the simulation runs on whole seconds.
const MIN_ARRIVAL_PERIOD: std::time::Duration = std::time::Duration::from_secs(1);

/// The customers' simulation (`customer_arrival_every`): at the end of each period, first the
/// customers whose stay is over leave (`online` = false), then one customer arrives
/// (`online` = true) in an open, unexpired, offline session picked by the seeded generator, and
/// stays one to three periods. The outcome depends only on the seed, the period and the
/// requests made (sessions created or closed), never on when the requests arrive: periods are
/// applied one by one, in order, whenever a request looks at the sessions.
#[derive(Debug)]
struct Arrivals {
    every: std::time::Duration,
    /// The sandbox's start ("now" of the generated data).
    start: DateTime<Utc>,
    /// Periods applied so far.
    done: u64,
    rng: ChaCha8Rng,
    /// `(period, code)`: the customer of `code` leaves at the end of that period.
    leaves: Vec<(u64, String)>,
}

impl Desk {
    pub(crate) fn new(seed: u64, sessions: usize, now: DateTime<Utc>) -> Self {
        let directory = Directory::generate(seed);
        let sessions = data::generate_sessions(seed, sessions, now, &directory);
        Self {
            directory,
            sessions,
            created_in_run: 0,
            rng: data::rng_for(seed, data::Stream::NewSessions),
            arrivals: None,
        }
    }

    /// Turns the customers' simulation on: from `start` on, every `every` (at least 1 s) one
    /// customer arrives. Customers already online at the start leave within three periods.
    pub(crate) fn enable_arrivals(
        &mut self,
        seed: u64,
        every: std::time::Duration,
        start: DateTime<Utc>,
    ) {
        let mut rng = data::rng_for(seed, data::Stream::CustomerArrivals);
        let leaves = self
            .sessions
            .iter()
            .filter(|session| session.online)
            .map(|session| (rng.gen_range(1..=3), session.code.clone()))
            .collect();
        self.arrivals = Some(Arrivals {
            every: every.max(MIN_ARRIVAL_PERIOD),
            start: data::whole_seconds(start),
            done: 0,
            rng,
            leaves,
        });
    }

    /// Applies every arrival period that ended within `elapsed` of the start and was not
    /// applied yet. Does nothing when the simulation is off.
    pub(crate) fn advance_arrivals(&mut self, elapsed: std::time::Duration) {
        let Some(mut arrivals) = self.arrivals.take() else {
            return;
        };
        let periods = u64::try_from(elapsed.as_nanos() / arrivals.every.as_nanos().max(1))
            .unwrap_or(u64::MAX);
        if periods.saturating_sub(arrivals.done) > MAX_PENDING_PERIODS {
            arrivals.done = periods - MAX_PENDING_PERIODS;
        }
        while arrivals.done < periods {
            arrivals.done += 1;
            self.apply_period(&mut arrivals);
        }
        self.arrivals = Some(arrivals);
    }

    /// The end of period `arrivals.done`: departures, then one arrival.
    fn apply_period(&mut self, arrivals: &mut Arrivals) {
        let period = arrivals.done;
        let (leaving, staying): (Vec<_>, Vec<_>) = std::mem::take(&mut arrivals.leaves)
            .into_iter()
            .partition(|(at, _)| *at <= period);
        arrivals.leaves = staying;
        for (_, code) in leaving {
            if let Some(index) = self.position(&code) {
                self.sessions[index].online = false;
            }
        }
        let offset = arrivals
            .every
            .saturating_mul(u32::try_from(period).unwrap_or(u32::MAX));
        let at = Duration::from_std(offset)
            .ok()
            .and_then(|offset| arrivals.start.checked_add_signed(offset))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let candidates: Vec<usize> = self
            .sessions
            .iter()
            .enumerate()
            .filter(|(_, s)| s.closed_at.is_none() && !s.online && s.valid_until > at)
            .map(|(index, _)| index)
            .collect();
        if candidates.is_empty() {
            return;
        }
        let index = candidates[arrivals.rng.gen_range(0..candidates.len())];
        let session = &mut self.sessions[index];
        session.online = true;
        let stay = arrivals.rng.gen_range(1..=3);
        arrivals.leaves.push((period + stay, session.code.clone()));
    }

    pub(crate) fn directory(&self) -> &Directory {
        &self.directory
    }

    pub(crate) fn groups(&self, filter: &GroupFilter) -> Vec<WireGroup> {
        let me = &self.directory.account.userid;
        let needle = filter.name.as_deref().map(str::to_lowercase);
        self.directory
            .groups
            .iter()
            .filter(|group| match &needle {
                Some(needle) if filter.full_name => group.name.to_lowercase() == *needle,
                Some(needle) => group.name.to_lowercase().contains(needle.as_str()),
                None => true,
            })
            .filter(|group| {
                filter
                    .shared
                    .is_none_or(|shared| shared == (group.owner.userid != *me))
            })
            .cloned()
            .collect()
    }

    /// The session as `GET` shows it (`with_liveness`) or as `POST` returns it.
    pub(crate) fn to_wire(
        &self,
        session: &SessionRecord,
        base: &Url,
        with_liveness: bool,
    ) -> WireSession {
        let code = session.undashed();
        let token = &session.service_queue_token;
        // Unassigned: the link carries the account's name (the creator's, as far as we know).
        let supporter = session
            .assigned_userid
            .as_deref()
            .unwrap_or(&self.directory.account.userid);
        let display_name: String =
            form_urlencoded::byte_serialize(self.user_name(supporter).as_bytes()).collect();
        WireSession {
            code: session.code.clone(),
            state: session.state(),
            groupid: session.groupid.clone(),
            description: session.description.clone(),
            end_customer: session.end_customer.clone(),
            waiting_message: session.waiting_message.clone(),
            custom_api: session.custom_api.clone(),
            assigned_userid: session
                .assigned_userid
                .clone()
                .unwrap_or_else(|| UNASSIGNED.to_owned()),
            assigned_at: session.assigned_at,
            supporter_link: format!("{base}sandbox/join/{code}-{token}"),
            webclient_supporter_link: format!(
                "{base}sandbox/webclient?sessioncode={code}&servicequeuetoken={token}&lang=en&displayName={display_name}"
            ),
            end_customer_link: format!("{base}sandbox/join/{code}"),
            created_at: session.created_at,
            valid_until: session.valid_until,
            support_session_type: "Default".to_owned(),
            liveness: with_liveness.then_some(SessionLiveness {
                online: session.online,
                closed_at: session.closed_at,
            }),
        }
    }

    fn user_name<'a>(&'a self, userid: &'a str) -> &'a str {
        self.directory
            .users
            .iter()
            .find(|user| user.id == userid)
            .map_or(userid, |user| user.name.as_str())
    }

    fn position(&self, code: &str) -> Option<usize> {
        let wanted = undash(code);
        self.sessions
            .iter()
            .position(|session| session.undashed() == wanted)
    }

    /// Position of the session with this code, else `404 not_found`.
    fn existing(&self, code: &str) -> Result<usize, ApiError> {
        self.position(code)
            .ok_or_else(|| ApiError::not_found(format!("no session with code {code}")))
    }

    /// The session with this code (dashed or not).
    pub(crate) fn session(&self, code: &str) -> Result<&SessionRecord, ApiError> {
        self.existing(code).map(|index| &self.sessions[index])
    }

    /// A page of sessions after the one whose code is `offset`.
    pub(crate) fn session_page(
        &self,
        filter: &SessionFilter,
        offset: Option<&str>,
    ) -> Result<(Vec<&SessionRecord>, usize), ApiError> {
        let start = match offset {
            Some(code) => self
                .position(code)
                .map(|index| index + 1)
                .ok_or_else(|| ApiError::invalid_request(format!("unknown offset {code:?}")))?,
            None => 0,
        };
        Ok(paging::page(
            &self.sessions,
            start,
            SESSION_PAGE_SIZE,
            filter.is_all(),
            |session| filter.matches(session),
        ))
    }

    /// `POST /sessions`: validates everything before any side effect, then checks the licence
    /// limit, resolves (or creates) the group and stores the new session.
    pub(crate) fn create_session(
        &mut self,
        request: SessionRequest,
        now: DateTime<Utc>,
        license_limit: Option<u32>,
    ) -> Result<SessionRecord, ApiError> {
        self.validate(&request, now)?;
        if request.groupid.is_none() && request.groupname.is_none() {
            return Err(ApiError::invalid_request(
                "either groupid or groupname is required",
            ));
        }
        if license_limit.is_some_and(|limit| self.created_in_run >= limit) {
            return Err(ApiError::license_limit());
        }
        let groupid = self.resolve_group(&request).unwrap_or_default();
        let code = self.fresh_code();
        // Defaults to the creator (the account); `u0` = assigned to nobody (doc p43).
        let assigned_userid = match request.assigned_userid {
            Some(id) if id == UNASSIGNED => None,
            Some(id) => Some(id),
            None => Some(self.directory.account.userid.clone()),
        };
        let valid_until = request.valid_until.as_deref().and_then(parse_instant);
        let record = SessionRecord {
            code,
            service_queue_token: data::alphanumeric(&mut self.rng, 12),
            groupid,
            description: request.description,
            end_customer: request.end_customer,
            waiting_message: request.waiting_message,
            custom_api: request.custom_api,
            assigned_at: assigned_userid.is_some().then_some(now),
            assigned_userid,
            created_at: now,
            valid_until: valid_until.unwrap_or(now + Duration::hours(24)),
            closed_at: None,
            online: false,
        };
        let index = self
            .sessions
            .partition_point(|other| SessionRecord::served_order(other, &record).is_lt());
        self.sessions.insert(index, record.clone());
        self.created_in_run += 1;
        Ok(record)
    }

    /// `PUT /sessions/{code}`: validates, then applies the given fields. `state` may close an
    /// open session; re-opening a closed one is refused (the real API's behaviour is unknown).
    pub(crate) fn update_session(
        &mut self,
        code: &str,
        request: SessionRequest,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let index = self.existing(code)?;
        self.validate(&request, now)?;
        let new_state = request
            .state
            .as_ref()
            .map(|state| {
                SessionState::from_wire(state).ok_or_else(|| {
                    ApiError::invalid_request("state must be \"open\" or \"closed\" (or 0/1)")
                })
            })
            .transpose()?;
        let current = self.sessions[index].state();
        if current == SessionState::Closed && new_state == Some(SessionState::Open) {
            return Err(ApiError::invalid_request(
                "a closed session cannot be reopened",
            ));
        }
        let groupid = self.resolve_group(&request);
        let session = &mut self.sessions[index];
        if let Some(groupid) = groupid {
            session.groupid = groupid;
        }
        if let Some(userid) = request.assigned_userid {
            let userid = (userid != UNASSIGNED).then_some(userid);
            session.assigned_at = userid.is_some().then_some(now);
            session.assigned_userid = userid;
        }
        replace_if_some(&mut session.description, request.description);
        replace_if_some(&mut session.end_customer, request.end_customer);
        replace_if_some(&mut session.waiting_message, request.waiting_message);
        replace_if_some(&mut session.custom_api, request.custom_api);
        if let Some(valid_until) = request.valid_until.as_deref().and_then(parse_instant) {
            session.valid_until = valid_until;
        }
        if current == SessionState::Open && new_state == Some(SessionState::Closed) {
            session.closed_at = Some(now);
            session.online = false;
        }
        Ok(())
    }

    /// `DELETE /sessions/{code}`.
    pub(crate) fn delete_session(&mut self, code: &str) -> Result<(), ApiError> {
        let index = self.existing(code)?;
        self.sessions.remove(index);
        Ok(())
    }

    /// The field rules of §4.2/§4.5 that need no side effect.
    fn validate(&self, request: &SessionRequest, now: DateTime<Utc>) -> Result<(), ApiError> {
        check_length("description", request.description.as_deref(), MAX_TEXT)?;
        check_length("custom_api", request.custom_api.as_deref(), MAX_TEXT)?;
        if let Some(customer) = &request.end_customer {
            check_length(
                "end_customer.name",
                customer.name.as_deref(),
                MAX_CUSTOMER_NAME,
            )?;
            check_length(
                "end_customer.email",
                customer.email.as_deref(),
                MAX_CUSTOMER_EMAIL,
            )?;
            if let Some(email) = customer.email.as_deref() {
                check_email(email)?;
            }
        }
        if let Some(id) = request.groupid.as_deref() {
            check_id("groupid", 'g', id)?;
            if !self.directory.groups.iter().any(|group| group.id == id) {
                return Err(ApiError::invalid_request(format!("unknown groupid {id}")));
            }
        }
        if request
            .groupname
            .as_deref()
            .is_some_and(|name| name.trim().is_empty())
        {
            return Err(ApiError::invalid_request("groupname must not be empty"));
        }
        if let Some(id) = request
            .assigned_userid
            .as_deref()
            .filter(|id| *id != UNASSIGNED)
        {
            check_id("assigned_userid", 'u', id)?;
            if !self.directory.users.iter().any(|user| user.id == id) {
                return Err(ApiError::invalid_request(format!(
                    "unknown assigned_userid {id}"
                )));
            }
        }
        if let Some(text) = request.valid_until.as_deref() {
            match parse_instant(text) {
                Some(valid_until) if valid_until > now => {}
                Some(_) => return Err(ApiError::invalid_request("valid_until is in the past")),
                None => {
                    return Err(ApiError::invalid_request(format!(
                        "valid_until must be an ISO 8601 date, got {text:?}"
                    )))
                }
            }
        }
        Ok(())
    }

    /// The group a request names: `groupid` as is, else `groupname` (matched exactly; created
    /// when unknown, owned by the account). `None` when neither is given.
    fn resolve_group(&mut self, request: &SessionRequest) -> Option<String> {
        if let Some(id) = &request.groupid {
            return Some(id.clone());
        }
        let name = request.groupname.as_ref()?;
        if let Some(group) = self.directory.groups.iter().find(|g| g.name == *name) {
            return Some(group.id.clone());
        }
        let account = &self.directory.account;
        let group = WireGroup {
            id: data::group_id(&mut self.rng),
            name: name.clone(),
            permissions: "all".to_owned(),
            owner: crate::wire::GroupOwner {
                userid: account.userid.clone(),
                name: account.name.clone(),
            },
            shared_with: Vec::new(),
        };
        let id = group.id.clone();
        self.directory.groups.push(group);
        Some(id)
    }

    fn fresh_code(&mut self) -> String {
        loop {
            let code = data::session_code(&mut self.rng);
            if self.position(&code).is_none() {
                return code;
            }
        }
    }
}

fn replace_if_some<T>(field: &mut Option<T>, value: Option<T>) {
    if value.is_some() {
        *field = value;
    }
}

fn check_length(field: &str, value: Option<&str>, max: usize) -> Result<(), ApiError> {
    match value {
        Some(text) if text.chars().count() > max => Err(ApiError::invalid_request(format!(
            "{field} is longer than {max} characters"
        ))),
        _ => Ok(()),
    }
}

/// `^g\d+$` / `^u\d+$`.
fn check_id(field: &str, prefix: char, id: &str) -> Result<(), ApiError> {
    let digits = id.strip_prefix(prefix).unwrap_or_default();
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ApiError::invalid_request(format!(
            "{field} must match ^{prefix}\\d+$, got {id:?}"
        )))
    }
}

/// A plausibility check only: something on both sides of one `@`, no whitespace.
fn check_email(email: &str) -> Result<(), ApiError> {
    let valid = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.chars().any(char::is_whitespace);
    if valid || email.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid_request(format!(
            "end_customer.email is not an e-mail address: {email:?}"
        )))
    }
}
