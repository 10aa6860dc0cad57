//! What the refresher tells its subscribers.

use crate::error::ErrorKind;
use crate::models::{Group, SupportSession, User};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One change of the live state, in the order it happened. Sent on a
/// [`tokio::sync::broadcast`] channel (see [`Refresher::subscribe`](super::Refresher::subscribe)):
/// a receiver that falls behind by more than the channel's capacity gets
/// `RecvError::Lagged` and should re-read the whole state
/// ([`Refresher::sessions`](super::Refresher::sessions)) instead of applying events.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A session appeared in the list (also every session of the first refresh).
    SessionAdded {
        /// The session as listed.
        session: SupportSession,
    },
    /// A listed session changed.
    SessionChanged {
        /// The session as it was.
        before: Box<SupportSession>,
        /// The session as it is now.
        after: Box<SupportSession>,
        /// The API names of the fields that differ (`online`, `state`, `assigned_userid`, ...).
        fields: Vec<String>,
    },
    /// A session is no longer in the list (closed while only open ones are listed, deleted,
    /// or dropped by the server).
    SessionRemoved {
        /// The session as it was last seen.
        session: SupportSession,
    },
    /// A session's `online` turned true, or a new session is listed with `online: true`: read
    /// as "the customer has opened the session and waits for the supporter" (an assumption:
    /// TeamViewer's document only says "Online state of the session", see docs/live.md).
    CustomerWaiting {
        /// The session, after the change.
        session: SupportSession,
    },
    /// A listed session's `online` turned false (or disappeared) after being true.
    CustomerLeft {
        /// The session, after the change.
        session: SupportSession,
    },
    /// An open session's `valid_until` has passed (found by the clock, no request needed).
    /// The API keeps such sessions `Open`; their code no longer works.
    SessionExpired {
        /// The session.
        session: SupportSession,
    },
    /// The groups were (re)loaded and differ from the last list.
    GroupsChanged {
        /// All groups.
        groups: Vec<Group>,
    },
    /// The users were (re)loaded and differ from the last list.
    UsersChanged {
        /// All users.
        users: Vec<User>,
    },
    /// A session names a group that is not in the group list; a group refresh follows.
    UnknownGroup {
        /// The session's `groupid` (or `groupname` when it has no id).
        group: String,
    },
    /// The refresher's state changed.
    Status {
        /// The new state.
        status: LiveStatus,
    },
}

/// How fresh the live state is and what the refresher does next.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LiveStatus {
    /// Not polling: signed out, or not started yet. The lists are empty.
    Stopped,
    /// A refresh is under way.
    Refreshing {
        /// Asked for by [`Refresher::refresh_now`](super::Refresher::refresh_now).
        manual: bool,
    },
    /// The last refresh succeeded.
    Ok {
        /// When it finished.
        at: DateTime<Utc>,
    },
    /// The last refresh failed; the lists are as of `last_ok`.
    Offline {
        /// First failure of the current run of failures.
        since: DateTime<Utc>,
        /// Last success, if any.
        last_ok: Option<DateTime<Utc>>,
        /// What failed.
        kind: ErrorKind,
        /// Human-readable description.
        message: String,
        /// When the next attempt is made (exponential backoff).
        retry_at: DateTime<Utc>,
    },
    /// The refresher waits longer than its interval.
    SlowedDown {
        /// Why.
        reason: SlowReason,
        /// When the next request may go out.
        until: DateTime<Utc>,
        /// Requests sent in the last 24 hours (the budget's window).
        used: u32,
        /// The budget.
        budget: u32,
    },
}

/// Why the refresher is [`LiveStatus::SlowedDown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SlowReason {
    /// TeamViewer answered `rate_limit_reached`.
    RateLimited,
    /// The refresher's own request budget (at most 1,800 per 24 hours) makes it space requests.
    Budget,
}
