//! The sessions area's actions on one session's detail and on several sessions: edit, assign
//! to a colleague, close several at once (with a result per session), the colleagues to
//! assign to, and the invitation text to copy. Every change is read back from the API (so the
//! desk's known sessions, and with them the link allow-list, hold the server's truth) and asks
//! the live list for a refresh, so every view shows it.

use super::connection::lock;
use super::dto::SessionDto;
use super::links::invitation_text;
use super::session_dto::{assign_update, CloseOutcome, SessionEdit, UserDto};
use super::sessions::Sessions;
use crate::error::{Error, Result};
use crate::models::{SessionState, SessionUpdate};

impl Sessions {
    /// Edits a session's description, customer and waiting message (`PUT /sessions/{code}`),
    /// then reads it back.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for the edit (nothing is sent) or a session that is not open;
    /// API errors (`forbidden` without the permission to edit it).
    pub(super) async fn edit_session(&self, code: &str, edit: &SessionEdit) -> Result<SessionDto> {
        let update = edit.to_update()?;
        self.update_and_read(code, &update).await
    }

    /// Assigns a session to a colleague (`u…`; `u0` assigns it to nobody), then reads it back.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a user id that is not `u` + digits or a session that is not
    /// open; [`Error::Forbidden`] when the token may not assign sessions to others.
    pub(super) async fn assign_session(&self, code: &str, user_id: &str) -> Result<SessionDto> {
        let update = assign_update(user_id)?;
        self.update_and_read(code, &update).await
    }

    async fn update_and_read(&self, code: &str, update: &SessionUpdate) -> Result<SessionDto> {
        let code = code.trim();
        if code.is_empty() {
            return Err(Error::invalid("session code", "is empty"));
        }
        if lock(&self.known).get(code).is_some_and(|s| !s.is_open()) {
            return Err(Error::invalid(
                "session",
                format!("session {code} is closed and can no longer be changed"),
            ));
        }
        let conn = self.shared.conn();
        let client = conn.client()?;
        client.update_session(code, update).await?;
        let session = client.session(code).await?;
        let dto = SessionDto::from(&session);
        self.remember(std::iter::once(session));
        self.live.refresh_now();
        Ok(dto)
    }

    /// Closes each of `codes` in turn; one failure does not stop the others. Returns a result
    /// per code, in the given order (the failed ones can be passed again to retry).
    pub(super) async fn close_sessions(&self, codes: &[String]) -> Vec<CloseOutcome> {
        let mut outcomes = Vec::with_capacity(codes.len());
        let conn = self.shared.conn();
        let client = conn.client();
        for code in codes {
            let code = code.trim().to_owned();
            let result = match &client {
                Err(e) => Err(e.report()),
                Ok(_) if code.is_empty() => {
                    Err(Error::invalid("session code", "is empty").report())
                }
                Ok(client) => client.close_session(&code).await.map_err(|e| e.report()),
            };
            if result.is_ok() {
                if let Some(session) = lock(&self.known).get_mut(&code) {
                    session.state = Some(SessionState::Closed);
                }
            }
            outcomes.push(CloseOutcome {
                code,
                error: result.err(),
            });
        }
        if outcomes.iter().any(|o| o.error.is_none()) {
            self.live.refresh_now();
        }
        outcomes
    }

    /// The colleagues to assign sessions to: the live list's copy when it has one, else
    /// `GET /users`.
    ///
    /// # Errors
    /// [`Error::Forbidden`] when the token may not list users; API and transport errors.
    pub(super) async fn users(&self) -> Result<Vec<UserDto>> {
        let users = match self.live.users() {
            Some(users) => users,
            None => {
                let (client, _scope) = self.shared.waits.observe(self.shared.conn().client()?);
                client.users().await?
            }
        };
        let mut users: Vec<UserDto> = users.iter().map(UserDto::from).collect();
        users.sort_by_key(|u| u.name.to_lowercase());
        Ok(users)
    }

    /// The invitation as plain text to paste anywhere, with the checked end-customer link,
    /// signed with `supporter` (the signed-in account's name) when known.
    ///
    /// # Errors
    /// As [`Sessions::link_for`] for the end-customer link: a closed, expired or unknown
    /// session, or a link outside the allow-list.
    pub(super) fn invitation_text(&self, code: &str, supporter: Option<&str>) -> Result<String> {
        let link = self.link_for(code, super::dto::LinkKind::EndCustomer)?;
        let session = lock(&self.known).get(code.trim()).cloned();
        let customer = session
            .as_ref()
            .and_then(|s| s.end_customer.as_ref())
            .and_then(|c| c.name.clone());
        Ok(invitation_text(
            self.shared.language(),
            code.trim(),
            customer.as_deref(),
            &link,
            supporter,
        ))
    }
}
