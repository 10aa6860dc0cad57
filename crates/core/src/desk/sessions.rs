//! Support sessions: groups, creating, listing and closing sessions, and the link allow-list
//! (only sessions this desk has received from the API, and only links that pass
//! [`check_link`]). Editing, assigning and closing several are in `session_actions.rs`.

use super::connection::{lock, Shared};
use super::dto::{GroupDto, LinkKind, NewSessionForm, SessionDto, SessionListState};
use super::links::{check_link, invitation_mailto, CheckedLink};
use super::live_list::{sort_newest_first, Known, LiveList, LiveSnapshot, LiveUpdate};
use crate::auth::redact_url;
use crate::error::{Error, Result};
use crate::live::LiveConfig;
use crate::models::{SessionQuery, SessionState, SupportSession};
use std::sync::Arc;
use tokio::sync::broadcast;

/// The sessions area of the desk.
#[derive(Debug)]
pub(super) struct Sessions {
    pub(super) shared: Arc<Shared>,
    /// Every session received from the API in this run, by code: the allow-list for links.
    pub(super) known: Known,
    /// The list kept current in the background while signed in.
    pub(super) live: Arc<LiveList>,
}

impl Sessions {
    pub(super) fn new(shared: Arc<Shared>, live: Option<LiveConfig>) -> Sessions {
        let known = Known::default();
        Sessions {
            live: LiveList::new(Arc::clone(&shared), live, Arc::clone(&known)),
            shared,
            known,
        }
    }

    /// Forgets the sessions of the signed-in account.
    pub(super) fn forget(&self) {
        lock(&self.known).clear();
    }

    /// Starts the live list when signed in (unless it runs on this connection already) and
    /// stops it when not.
    pub(super) async fn sync_live(&self, signed_in: bool) {
        if signed_in {
            self.live.start().await;
        } else {
            self.live.stop().await;
        }
    }

    /// Starts the live list again with the current settings (new refresh intervals).
    pub(super) async fn restart_live(&self) {
        self.live.stop().await;
        self.live.start().await;
    }

    /// Stops the live list (sign-out, reconnect).
    pub(super) async fn stop_live(&self) {
        self.live.stop().await;
    }

    /// Whether the live list is polling.
    pub(super) fn live_running(&self) -> bool {
        self.live.is_running()
    }

    /// Live updates from now on.
    pub(super) fn subscribe_live(&self) -> broadcast::Receiver<LiveUpdate> {
        self.live.subscribe()
    }

    /// The whole live state.
    pub(super) fn live_snapshot(&self) -> LiveSnapshot {
        self.live.snapshot()
    }

    /// The window became visible or hidden.
    pub(super) fn set_visible(&self, visible: bool) {
        self.live.set_visible(visible);
    }

    /// Refreshes the live list now.
    pub(super) fn refresh_live(&self) {
        self.live.refresh_now();
    }

    /// The groups for the session form.
    ///
    /// # Errors
    /// API and transport errors.
    pub(super) async fn groups(&self) -> Result<Vec<GroupDto>> {
        let (client, _scope) = self.shared.waits.observe(self.shared.conn().client()?);
        let groups = client.groups(None).await?;
        Ok(groups.iter().map(GroupDto::from).collect())
    }

    /// Creates a session code from the form. Never retried (a session created twice is worse
    /// than an error the user can repeat).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for the form (nothing is sent); API errors (`license_limit`, ...).
    pub(super) async fn create_session(&self, form: &NewSessionForm) -> Result<SessionDto> {
        let new = form.to_new_session()?;
        let session = self.shared.conn().client()?.create_session(&new).await?;
        let dto = SessionDto::from(&session);
        self.remember(std::iter::once(session));
        self.live.refresh_now();
        if form
            .group_name
            .as_deref()
            .is_some_and(|n| !n.trim().is_empty())
        {
            // A group name may have created a group.
            self.live.refresh_groups();
        }
        Ok(dto)
    }

    /// The sessions in `state`, newest first (creation time; unknown times last).
    ///
    /// # Errors
    /// API and transport errors.
    pub(super) async fn list_sessions(&self, state: SessionListState) -> Result<Vec<SessionDto>> {
        let query = SessionQuery {
            state: state.into(),
            ..SessionQuery::default()
        };
        let (client, scope) = self.shared.waits.observe(self.shared.conn().client()?);
        let mut sessions = client.list_sessions(&query).await?;
        drop(scope);
        sort_newest_first(&mut sessions);
        let dtos = sessions.iter().map(SessionDto::from).collect();
        self.remember(sessions);
        Ok(dtos)
    }

    /// Closes a session and returns the open sessions afterwards.
    ///
    /// # Errors
    /// API and transport errors.
    pub(super) async fn close_session(&self, code: &str) -> Result<Vec<SessionDto>> {
        let code = code.trim();
        if code.is_empty() {
            return Err(Error::invalid("session code", "is empty"));
        }
        self.shared.conn().client()?.close_session(code).await?;
        if let Some(session) = lock(&self.known).get_mut(code) {
            session.state = Some(SessionState::Closed);
        }
        self.live.refresh_now();
        self.list_sessions(SessionListState::Open).await
    }

    pub(super) fn remember(&self, sessions: impl IntoIterator<Item = SupportSession>) {
        let mut known = lock(&self.known);
        for s in sessions {
            super::live_list::keep(&mut known, s);
        }
    }

    /// The code of a session this desk has received from the API (in any state: a closed
    /// session's code still names it in a ticket), as the API spelled it.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a session code the desk has not seen.
    pub(super) fn known_code(&self, code: &str) -> Result<String> {
        let code = code.trim();
        lock(&self.known)
            .get(code)
            .map(|s| s.code.clone())
            .ok_or_else(|| Error::NotFound {
                message: format!(
                    "session {code} is not in the session list; refresh the list and try again"
                ),
            })
    }

    /// The link to open or copy for a session, parsed and checked. Only a session this desk
    /// has received from the API (created or listed) is looked up, and its link must pass
    /// [`check_link`]; the invitation is the `mailto:` the app composes itself
    /// ([`invitation_mailto`], with the checked end-customer link, in the UI language), never
    /// a `mailto:` from the server.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a session code the desk has not seen or a link the API did not
    /// return; [`Error::InvalidInput`] for a link that is not allowed to be opened.
    pub(super) fn link_for(&self, code: &str, kind: LinkKind) -> Result<CheckedLink> {
        let conn = self.shared.conn();
        let origin = conn.link_origin();
        let code = code.trim();
        let session = lock(&self.known)
            .get(code)
            .cloned()
            .ok_or_else(|| Error::NotFound {
                message: format!(
                    "session {code} is not in the session list; refresh the list and try again"
                ),
            })?;
        if !session.is_open() {
            return Err(Error::invalid(
                "session",
                format!("session {code} is closed; its links can no longer be used"),
            ));
        }
        let now = self.shared.clock.now();
        if session.valid_until.is_some_and(|until| until <= now) {
            return Err(Error::invalid(
                "session",
                format!("session {code} has expired; its links can no longer be used"),
            ));
        }
        let checked = |link: &Option<String>, what: &str| {
            let link = link.as_deref().ok_or_else(|| Error::NotFound {
                message: format!("the API returned no {what} for session {code}"),
            })?;
            check_link(link, origin).map_err(|refused| {
                // Debug formatting: the raw text may hold line breaks meant for the log.
                tracing::warn!(url = ?redact_url(link), %refused, "refused a {what} outside the allow-list");
                Error::invalid(
                    "link",
                    format!(
                        "refusing a {what} that is not an https TeamViewer address ({refused})"
                    ),
                )
            })
        };
        match kind {
            LinkKind::Supporter => checked(&session.supporter_link, "supporter link"),
            LinkKind::WebClient => checked(
                &session.webclient_supporter_link,
                "WebClient supporter link",
            ),
            LinkKind::EndCustomer => checked(&session.end_customer_link, "end-customer link"),
            LinkKind::Invitation => {
                let link = checked(&session.end_customer_link, "end-customer link")?;
                let customer = session.end_customer.as_ref();
                invitation_mailto(
                    self.shared.language(),
                    &session.code,
                    customer.and_then(|c| c.name.as_deref()),
                    customer.and_then(|c| c.email.as_deref()),
                    &link,
                )
                .map_err(|e| Error::invalid("invitation", e.to_string()))
            }
        }
    }
}
