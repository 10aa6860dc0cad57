//! The IPC types of a session's detail: editing, assigning, closing several at once, the
//! colleagues to assign to, and the invitation text (docs/ipc.md).

use crate::error::{Error, ErrorReport, Result};
use crate::models::{check_email, check_prefixed_id, EndCustomer, SessionUpdate, User};
use serde::{Deserialize, Serialize};

/// `assigned_userid` of a session assigned to nobody (doc 2023-03 p41).
pub const UNASSIGNED: &str = "u0";

/// The editable fields of a session (`PUT /sessions/{code}`). `None` leaves a field as it is;
/// a blank string clears it. The customer's name and e-mail travel together (the API takes
/// `end_customer` as one object): when either is set, both are sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default, rename_all = "camelCase")]
pub struct SessionEdit {
    /// Description (≤ 4000 characters).
    pub description: Option<String>,
    /// The customer's name (≤ 100).
    pub customer_name: Option<String>,
    /// The customer's e-mail (validated when not blank, ≤ 254).
    pub customer_email: Option<String>,
    /// What the customer sees while waiting (≤ 4000).
    pub waiting_message: Option<String>,
}

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref().map(|s| s.trim().to_owned())
}

fn check_len(field: &str, value: Option<&str>, max: usize) -> Result<()> {
    let n = value.map_or(0, |v| v.chars().count());
    if n > max {
        return Err(Error::invalid(
            field,
            format!("at most {max} characters are allowed (this has {n})"),
        ));
    }
    Ok(())
}

impl SessionEdit {
    /// The `PUT` body, validated (nothing is sent for an invalid edit).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the first bad field, or when nothing is to change.
    pub fn to_update(&self) -> Result<SessionUpdate> {
        let description = trimmed(&self.description);
        let name = trimmed(&self.customer_name);
        let email = trimmed(&self.customer_email);
        let waiting = trimmed(&self.waiting_message);
        check_len("description", description.as_deref(), 4000)?;
        check_len("customer name", name.as_deref(), 100)?;
        check_len("customer e-mail", email.as_deref(), 254)?;
        if let Some(e) = email.as_deref().filter(|e| !e.is_empty()) {
            check_email(e)?;
        }
        check_len("waiting message", waiting.as_deref(), 4000)?;
        let end_customer = (name.is_some() || email.is_some()).then(|| EndCustomer {
            name: name.clone(),
            email: email.clone(),
        });
        if description.is_none() && end_customer.is_none() && waiting.is_none() {
            return Err(Error::invalid("session", "nothing to change"));
        }
        Ok(SessionUpdate {
            description,
            end_customer,
            waiting_message: waiting,
            ..SessionUpdate::default()
        })
    }
}

/// The `PUT` body that assigns a session to `user_id` (`u` + digits, or `u0` for nobody).
///
/// # Errors
/// [`Error::InvalidInput`] for anything but a user id.
pub fn assign_update(user_id: &str) -> Result<SessionUpdate> {
    let id = user_id.trim();
    check_prefixed_id("assigned user", id, 'u')?;
    Ok(SessionUpdate {
        assigned_userid: Some(id.to_owned()),
        ..SessionUpdate::default()
    })
}

/// A colleague to assign sessions to (`GET /users`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UserDto {
    /// `u` + digits (what `assigned_userid` holds).
    pub id: String,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: Option<String>,
}

impl From<&User> for UserDto {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.clone(),
            name: u.name.clone(),
            email: u.email.clone(),
        }
    }
}

/// The result of closing one session of several (`close_sessions`): `error` is `None` when it
/// was closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CloseOutcome {
    /// The session code.
    pub code: String,
    /// Why it could not be closed (retry with the failed codes).
    pub error: Option<ErrorReport>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn an_edit_sends_only_what_is_set_and_the_customer_as_one_object() {
        let edit = SessionEdit {
            description: Some("  Drucker  ".into()),
            customer_email: Some("jo@example.com".into()),
            ..SessionEdit::default()
        };
        let body = serde_json::to_value(edit.to_update().unwrap_or_default()).unwrap_or_default();
        assert_eq!(
            body,
            serde_json::json!({"description": "Drucker", "end_customer": {"email": "jo@example.com"}}),
            "trimmed, unset fields absent"
        );
    }

    #[test]
    fn a_bad_edit_names_the_field() {
        let kind_field = |edit: SessionEdit| match edit.to_update() {
            Err(Error::InvalidInput { field, .. }) => field,
            other => format!("{other:?}"),
        };
        assert_eq!(
            kind_field(SessionEdit {
                customer_email: Some("jo@".into()),
                ..SessionEdit::default()
            }),
            "customer e-mail"
        );
        assert_eq!(
            kind_field(SessionEdit {
                customer_name: Some("x".repeat(101)),
                ..SessionEdit::default()
            }),
            "customer name"
        );
        assert_eq!(kind_field(SessionEdit::default()), "session", "empty edit");
        assert_eq!(
            assign_update("bob").err().map(|e| e.kind()),
            Some(ErrorKind::InvalidInput),
            "only u-ids are assigned"
        );
    }
}
