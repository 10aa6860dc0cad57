//! The sessions area's live list: one [`Refresher`] per signed-in connection, started on
//! sign-in and stopped on sign-out, a reconnect or a rejected sign-in, and its events passed on
//! as [`LiveUpdate`]s on a channel of the desk's own (so a subscriber outlives a reconnect).
//! Every session the refresher reports also updates the sessions the desk knows (the link
//! allow-list), so a session closed or expired elsewhere loses its links here too.

use super::connection::{lock, Shared};
use super::dto::{GroupDto, SessionDto};
use crate::error::ErrorKind;
use crate::live::{LiveConfig, LiveEvent, LiveStatus, Refresher};
use crate::models::{SessionState, SupportSession};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

/// The sessions the desk has received from the API in this run, by code.
pub(super) type Known = Arc<Mutex<HashMap<String, SupportSession>>>;

/// Keeps `session` as the latest version of its code, except that a session known to be closed
/// stays closed: closing is final at the API, so an answer that was already on its way when the
/// session was closed (a refresh or list that started before) must not give its links back.
pub(super) fn keep(known: &mut HashMap<String, SupportSession>, mut session: SupportSession) {
    if known
        .get(&session.code)
        .is_some_and(|k| k.state == Some(SessionState::Closed))
    {
        session.state = Some(SessionState::Closed);
    }
    known.insert(session.code.clone(), session);
}

/// A change of the live session list, as the UI receives it (event `live`). Mapped from
/// [`LiveEvent`] with the sessions and groups as DTOs; the user list and unknown groups stay in
/// the core.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveUpdate {
    /// A session appeared in the list (also every session of the first refresh).
    SessionAdded {
        /// The session.
        session: SessionDto,
    },
    /// A listed session changed.
    SessionChanged {
        /// The session as it is now.
        session: SessionDto,
        /// The API names of the fields that differ.
        fields: Vec<String>,
    },
    /// A session left the list: closed (here or elsewhere) or deleted.
    SessionRemoved {
        /// The session as it was last seen.
        session: SessionDto,
    },
    /// A customer opened the session and waits.
    CustomerWaiting {
        /// The session, after the change.
        session: SessionDto,
    },
    /// The customer left.
    CustomerLeft {
        /// The session, after the change.
        session: SessionDto,
    },
    /// The session's `valid_until` has passed: its code no longer works.
    SessionExpired {
        /// The session.
        session: SessionDto,
    },
    /// The group list changed.
    GroupsChanged {
        /// All groups.
        groups: Vec<GroupDto>,
    },
    /// The refresher's state changed.
    Status {
        /// The new state.
        status: LiveStatus,
    },
    /// Replace everything with this (after events were lost).
    Snapshot {
        /// The whole live state.
        snapshot: LiveSnapshot,
    },
}

impl LiveUpdate {
    /// The update for the UI, or `None` for events it does not need (users, unknown groups).
    pub fn from_event(event: &LiveEvent) -> Option<LiveUpdate> {
        let dto = SessionDto::from;
        Some(match event {
            LiveEvent::SessionAdded { session } => LiveUpdate::SessionAdded {
                session: dto(session),
            },
            LiveEvent::SessionChanged { after, fields, .. } => LiveUpdate::SessionChanged {
                session: dto(after),
                fields: fields.clone(),
            },
            LiveEvent::SessionRemoved { session } => LiveUpdate::SessionRemoved {
                session: dto(session),
            },
            LiveEvent::CustomerWaiting { session } => LiveUpdate::CustomerWaiting {
                session: dto(session),
            },
            LiveEvent::CustomerLeft { session } => LiveUpdate::CustomerLeft {
                session: dto(session),
            },
            LiveEvent::SessionExpired { session } => LiveUpdate::SessionExpired {
                session: dto(session),
            },
            LiveEvent::GroupsChanged { groups } => LiveUpdate::GroupsChanged {
                groups: groups.iter().map(GroupDto::from).collect(),
            },
            LiveEvent::Status { status } => LiveUpdate::Status {
                status: status.clone(),
            },
            LiveEvent::UsersChanged { .. } | LiveEvent::UnknownGroup { .. } => return None,
        })
    }
}

/// The whole live state for the UI (command `live_snapshot`, and [`LiveUpdate::Snapshot`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LiveSnapshot {
    /// The open sessions, newest first.
    pub sessions: Vec<SessionDto>,
    /// The customers waiting now: the open sessions whose `online` is true, newest first
    /// (the same rule as [`LiveUpdate::CustomerWaiting`]; see docs/live.md for what `online`
    /// is assumed to mean). A session whose customer goes offline or that is closed leaves it.
    pub waiting: Vec<SessionDto>,
    /// The groups, once loaded.
    pub groups: Option<Vec<GroupDto>>,
    /// How fresh the list is.
    pub status: LiveStatus,
}

/// The sessions (newest first) whose customer waits: open, with `online: true`.
pub(super) fn waiting_customers(sessions: &[SupportSession]) -> Vec<SessionDto> {
    sessions
        .iter()
        .filter(|s| crate::live::is_waiting(s))
        .map(SessionDto::from)
        .collect()
}

/// Sorts newest first (creation time; unknown times last), then by code.
pub(super) fn sort_newest_first(sessions: &mut [SupportSession]) {
    sessions.sort_by(|a, b| {
        b.created_at
            .is_some()
            .cmp(&a.created_at.is_some())
            .then(b.created_at.cmp(&a.created_at))
            .then(a.code.cmp(&b.code))
    });
}

#[derive(Debug)]
struct Running {
    /// The connection the refresher reads through.
    generation: u64,
    refresher: Arc<Refresher>,
    forward: JoinHandle<()>,
}

/// See the module documentation.
#[derive(Debug)]
pub(super) struct LiveList {
    shared: Arc<Shared>,
    /// `None`: no background list (tests that count requests).
    config: Option<LiveConfig>,
    known: Known,
    visible: AtomicBool,
    updates: broadcast::Sender<LiveUpdate>,
    /// Serialises starting and stopping (held across `Refresher::stop().await`).
    gate: tokio::sync::Mutex<()>,
    running: Mutex<Option<Running>>,
    this: Weak<LiveList>,
}

impl LiveList {
    pub(super) fn new(
        shared: Arc<Shared>,
        config: Option<LiveConfig>,
        known: Known,
    ) -> Arc<LiveList> {
        let capacity = config
            .as_ref()
            .map_or(LiveConfig::default().event_capacity, |c| c.event_capacity);
        let (updates, _) = broadcast::channel(capacity.max(1));
        Arc::new_cyclic(|this| LiveList {
            shared,
            config,
            known,
            visible: AtomicBool::new(true),
            updates,
            gate: tokio::sync::Mutex::new(()),
            running: Mutex::new(None),
            this: this.clone(),
        })
    }

    /// Updates from now on; a receiver that lags should read [`LiveList::snapshot`].
    pub(super) fn subscribe(&self) -> broadcast::Receiver<LiveUpdate> {
        self.updates.subscribe()
    }

    fn refresher(&self) -> Option<Arc<Refresher>> {
        lock(&self.running)
            .as_ref()
            .map(|r| Arc::clone(&r.refresher))
    }

    /// Whether a refresher runs.
    pub(super) fn is_running(&self) -> bool {
        self.refresher().is_some_and(|r| r.is_running())
    }

    /// The whole live state.
    pub(super) fn snapshot(&self) -> LiveSnapshot {
        match self.refresher() {
            Some(refresher) => {
                let mut sessions = refresher.sessions();
                sort_newest_first(&mut sessions);
                LiveSnapshot {
                    sessions: sessions.iter().map(SessionDto::from).collect(),
                    waiting: waiting_customers(&sessions),
                    groups: refresher
                        .groups()
                        .map(|groups| groups.iter().map(GroupDto::from).collect()),
                    status: refresher.status(),
                }
            }
            None => LiveSnapshot {
                sessions: Vec::new(),
                waiting: Vec::new(),
                groups: None,
                status: LiveStatus::Stopped,
            },
        }
    }

    /// The window became visible or hidden (also remembered for refreshers started later).
    pub(super) fn set_visible(&self, visible: bool) {
        self.visible.store(visible, Ordering::Relaxed);
        if let Some(refresher) = self.refresher() {
            refresher.set_visible(visible);
        }
    }

    /// The users the refresher has loaded (`None` before, or when the token may not list them).
    pub(super) fn users(&self) -> Option<Vec<crate::models::User>> {
        self.refresher().and_then(|r| r.users())
    }

    /// Refreshes now (after a create or close, or the Refresh button).
    pub(super) fn refresh_now(&self) {
        if let Some(refresher) = self.refresher() {
            refresher.refresh_now();
        }
    }

    /// Reloads the groups now (after a session was created with a new group name).
    pub(super) fn refresh_groups(&self) {
        if let Some(refresher) = self.refresher() {
            refresher.refresh_directory();
        }
    }

    /// Starts polling on the current connection unless it already runs there; a refresher of
    /// an older connection is stopped first.
    pub(super) async fn start(&self) {
        let Some(mut config) = self.config.clone() else {
            return;
        };
        let _gate = self.gate.lock().await;
        let conn = self.shared.conn();
        // The intervals come from the settings; the daily budget holds whatever they say.
        config.visible_every = conn.settings.live.visible_every();
        config.hidden_every = conn.settings.live.hidden_every();
        let current = lock(&self.running)
            .as_ref()
            .map(|r| (r.generation, r.refresher.is_running()));
        if current == Some((conn.generation, true)) {
            return;
        }
        self.stop_running().await;
        let client = match conn.client() {
            Ok(client) => client,
            Err(e) => {
                tracing::warn!(kind = %e.kind(), "the live session list cannot start: {e}");
                return;
            }
        };
        let refresher = Arc::new(Refresher::for_client(
            client,
            config,
            Arc::clone(&self.shared.clock),
        ));
        refresher.set_visible(self.visible.load(Ordering::Relaxed));
        let events = refresher.subscribe();
        let forward = tokio::spawn(forward(
            events,
            Arc::clone(&refresher),
            self.this.clone(),
            Arc::clone(&self.known),
            self.updates.clone(),
        ));
        refresher.start();
        *lock(&self.running) = Some(Running {
            generation: conn.generation,
            refresher,
            forward,
        });
        tracing::info!("the live session list started");
    }

    /// Stops polling (sign-out, reconnect, rejected sign-in): nothing is sent afterwards, and
    /// the UI hears `stopped`.
    pub(super) async fn stop(&self) {
        let _gate = self.gate.lock().await;
        if self.stop_running().await {
            tracing::info!("the live session list stopped");
        }
    }

    async fn stop_running(&self) -> bool {
        let running = lock(&self.running).take();
        let Some(running) = running else {
            return false;
        };
        running.forward.abort();
        running.refresher.stop().await;
        let _ = self.updates.send(LiveUpdate::Status {
            status: LiveStatus::Stopped,
        });
        true
    }

    /// Stops polling when the refresher's failure means the sign-in is gone (a `401` after the
    /// one refresh, or the refresh token rejected): the sign-in is forgotten and the desk's
    /// subscribers hear that it was lost (the app emits `auth-changed`).
    async fn stop_if_signed_out(&self, kind: ErrorKind) {
        if self.shared.note_error_kind(kind).await
            || !self
                .shared
                .conn()
                .session
                .status()
                .await
                .is_ok_and(|s| s.signed_in)
        {
            tracing::info!("the sign-in was rejected; stopping the live session list");
            self.stop().await;
        }
    }
}

/// Passes the refresher's events on as [`LiveUpdate`]s and keeps the known sessions current.
async fn forward(
    mut events: broadcast::Receiver<LiveEvent>,
    refresher: Arc<Refresher>,
    list: Weak<LiveList>,
    known: Known,
    updates: broadcast::Sender<LiveUpdate>,
) {
    loop {
        let event = match events.recv().await {
            Ok(event) => event,
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "the live list fell behind; sending a snapshot");
                let mut known = lock(&known);
                for session in refresher.sessions() {
                    keep(&mut known, session);
                }
                drop(known);
                if let Some(list) = list.upgrade() {
                    let snapshot = list.snapshot();
                    let _ = updates.send(LiveUpdate::Snapshot { snapshot });
                }
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        remember(&known, &event);
        if let LiveEvent::Status {
            status: LiveStatus::Offline { kind, .. },
        } = &event
        {
            if matches!(
                kind,
                ErrorKind::Unauthorized | ErrorKind::SessionExpired | ErrorKind::NotSignedIn
            ) {
                if let Some(list) = list.upgrade() {
                    let kind = *kind;
                    tokio::spawn(async move { list.stop_if_signed_out(kind).await });
                }
            }
        }
        if let Some(update) = LiveUpdate::from_event(&event) {
            // No subscriber is fine.
            let _ = updates.send(update);
        }
    }
}

/// Applies an event to the known sessions: the latest version of every listed session; a
/// session that left the list counts as closed (its links are refused).
fn remember(known: &Known, event: &LiveEvent) {
    let session = match event {
        LiveEvent::SessionAdded { session }
        | LiveEvent::CustomerWaiting { session }
        | LiveEvent::CustomerLeft { session }
        | LiveEvent::SessionExpired { session } => session.clone(),
        LiveEvent::SessionChanged { after, .. } => (**after).clone(),
        LiveEvent::SessionRemoved { session } => {
            let mut closed = session.clone();
            closed.state = Some(SessionState::Closed);
            closed
        }
        _ => return,
    };
    keep(&mut lock(known), session);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_session_stays_closed_when_an_older_answer_lists_it_open() {
        let mut known = HashMap::new();
        let mut closed = session("s1");
        closed.state = Some(SessionState::Closed);
        keep(&mut known, closed);
        keep(&mut known, session("s1"));
        assert_eq!(
            known["s1"].state,
            Some(SessionState::Closed),
            "a refresh that started before the close must not give the session's links back"
        );
        keep(&mut known, session("s2"));
        assert_eq!(
            known["s2"].state,
            Some(SessionState::Open),
            "others are kept as listed"
        );
    }

    fn session(code: &str) -> SupportSession {
        serde_json::from_value(serde_json::json!({"code": code, "state": "Open"}))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_removed_session_is_remembered_as_closed() {
        let known: Known = Arc::default();
        remember(
            &known,
            &LiveEvent::SessionAdded {
                session: session("s1"),
            },
        );
        assert!(lock(&known)["s1"].is_open());
        remember(
            &known,
            &LiveEvent::SessionRemoved {
                session: session("s1"),
            },
        );
        assert!(!lock(&known)["s1"].is_open());
    }

    fn listed(code: &str, state: &str, online: Option<bool>) -> SupportSession {
        serde_json::from_value(serde_json::json!({
            "code": code, "state": state, "online": online,
            "end_customer": {"name": "Jörg Müller"}, "description": "Printer offline",
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn only_open_sessions_with_an_online_customer_are_waiting() {
        let sessions = [
            listed("s1", "Open", Some(true)),
            listed("s2", "Open", Some(false)),
            listed("s3", "Closed", Some(true)),
            listed("s4", "Open", None),
        ];
        let waiting = waiting_customers(&sessions);
        let codes: Vec<&str> = waiting.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(
            codes,
            ["s1"],
            "offline, closed and unknown-online sessions have no waiting customer"
        );
        let json = serde_json::to_value(&waiting[0]).unwrap_or_default();
        let text = json.to_string();
        assert!(
            text.contains("Jörg Müller") && text.contains("Printer offline"),
            "the waiting entry carries the customer's name and the description: {text}"
        );
    }

    #[test]
    fn users_and_unknown_groups_are_not_sent_to_the_ui() {
        assert!(LiveUpdate::from_event(&LiveEvent::UsersChanged { users: vec![] }).is_none());
        let status = LiveUpdate::from_event(&LiveEvent::Status {
            status: LiveStatus::Stopped,
        });
        let json = serde_json::to_value(status).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"type": "status", "status": {"state": "stopped"}})
        );
    }
}
