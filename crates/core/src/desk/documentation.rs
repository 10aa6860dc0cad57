//! End-of-session documentation: the setting, the texts and the rules (which sessions count as
//! undocumented, how the ticket number joins the notes), and the small state file that keeps
//! the list across restarts. The area that applies them after each archive sync is
//! `documentation_area.rs`; docs/documentation.md describes the behaviour.

use super::settings::Language;
use super::waiting::clean_text;
use crate::error::{Error, Result};
use crate::models::ConnectionReport;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

/// The file of the documentation list, in the app's config directory beside `settings.json`.
pub const DOCUMENTATION_FILE: &str = "documentation.json";
/// The longest ticket number (characters).
pub const MAX_TICKET_CHARS: usize = 100;
/// The longest notes text the prompt writes (characters, ticket line included).
pub const MAX_NOTES_CHARS: usize = 10_000;
/// The largest state file read (a real one holds a few hundred ids).
const MAX_STATE_BYTES: u64 = 4 * 1024 * 1024;

/// Whether the app asks for notes after a session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum DocumentationMode {
    /// Never.
    Off,
    /// A notification per sync and a banner; a session can be skipped.
    #[default]
    Ask,
    /// As `ask`, and a badge "N undocumented" stays in the header until each is documented
    /// (no skipping).
    Required,
}

/// The documentation settings (`documentation` in settings.json).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default, rename_all = "camelCase")]
pub struct DocumentationSettings {
    /// Off, ask (default) or required.
    pub mode: DocumentationMode,
}

/// A session of the signed-in supporter that still needs its notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UndocumentedSession {
    /// The connection report's id.
    pub id: String,
    /// Who it was with: the end customer's name, else the device name, else the device id
    /// (cleaned of control and bidi characters, at most 60 characters; may be empty).
    pub customer: String,
    /// The device name, when the report has one.
    pub devicename: Option<String>,
    /// The session code, when the connection belonged to one.
    pub session_code: Option<String>,
    /// Start of the connection.
    pub start: Option<DateTime<Utc>>,
    /// End of the connection.
    pub end: DateTime<Utc>,
    /// Length in seconds (0 without a start).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seconds: i64,
}

impl UndocumentedSession {
    /// The session of `report`, when it has ended.
    pub fn from_report(report: &ConnectionReport) -> Option<UndocumentedSession> {
        let end = report.end_date?;
        let name = report
            .end_customer
            .as_ref()
            .and_then(|c| c.name.as_deref())
            .filter(|n| !n.trim().is_empty())
            .or(report
                .devicename
                .as_deref()
                .filter(|n| !n.trim().is_empty()))
            .or(report.deviceid.as_deref())
            .unwrap_or("");
        Some(UndocumentedSession {
            id: report.id.clone(),
            customer: clean_text(name, 60).unwrap_or_default(),
            devicename: report.devicename.as_deref().and_then(|d| clean_text(d, 60)),
            session_code: report
                .session_code
                .as_deref()
                .and_then(|c| clean_text(c, 20)),
            start: report.start_date,
            end,
            seconds: report
                .start_date
                .map_or(0, |s| (end - s).num_seconds().max(0)),
        })
    }
}

/// The documentation list as the UI shows it (event `documentation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DocumentationState {
    /// The setting in force.
    pub mode: DocumentationMode,
    /// The sessions to document, oldest end first (empty when off or signed out).
    pub sessions: Vec<UndocumentedSession>,
}

impl DocumentationState {
    /// Nothing to document.
    pub fn empty(mode: DocumentationMode) -> Self {
        Self {
            mode,
            sessions: Vec::new(),
        }
    }
}

/// A desktop notification about sessions that became undocumented in one sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentationNotice {
    /// "Document your session with Jörg Müller" or "Document 3 sessions".
    pub title: String,
    /// The second line: when (one session) or whom (several).
    pub body: String,
    /// The session a click opens (the oldest of them).
    pub id: String,
}

/// Whether a report's notes count as empty: missing, or only white space.
pub fn notes_are_empty(report: &ConnectionReport) -> bool {
    report.notes.as_deref().is_none_or(|n| n.trim().is_empty())
}

/// The notes the prompt writes: the notes (trailing white space removed), then on a line of
/// its own `Ticket: ` and the ticket number when one is given (trimmed). Without notes the
/// ticket line stands alone. Exactly: `notes + "\nTicket: " + ticket`.
///
/// # Errors
/// [`Error::InvalidInput`] when both are empty (nothing would be documented), for a ticket
/// number with a line break or control character or longer than [`MAX_TICKET_CHARS`], and for
/// notes longer than [`MAX_NOTES_CHARS`].
pub fn documented_notes(notes: &str, ticket: &str) -> Result<String> {
    let notes = notes.trim_end();
    let ticket = ticket.trim();
    if ticket.chars().any(char::is_control) {
        return Err(Error::invalid("ticket number", "must be a single line"));
    }
    if ticket.chars().count() > MAX_TICKET_CHARS {
        return Err(Error::invalid(
            "ticket number",
            "must be at most 100 characters",
        ));
    }
    let text = match (notes.trim().is_empty(), ticket.is_empty()) {
        (true, true) => {
            return Err(Error::invalid(
                "notes",
                "write what was done in the session, or give a ticket number",
            ))
        }
        (false, true) => notes.to_owned(),
        (true, false) => format!("Ticket: {ticket}"),
        (false, false) => format!("{notes}\nTicket: {ticket}"),
    };
    if text.chars().count() > MAX_NOTES_CHARS {
        return Err(Error::invalid("notes", "must be at most 10000 characters"));
    }
    Ok(text)
}

/// The notification for sessions that became undocumented in one sync (oldest first), in
/// `language`; `None` for none.
pub fn documentation_notice(
    language: Language,
    sessions: &[UndocumentedSession],
) -> Option<DocumentationNotice> {
    let first = sessions.first()?;
    let de = language == Language::De;
    let (title, body) = if let [one] = sessions {
        let title = match (one.customer.is_empty(), de) {
            (true, true) => "Dokumentieren Sie Ihre Sitzung".to_owned(),
            (true, false) => "Document your session".to_owned(),
            (false, true) => format!("Dokumentieren Sie Ihre Sitzung mit {}", one.customer),
            (false, false) => format!("Document your session with {}", one.customer),
        };
        let minutes = (one.seconds + 59) / 60;
        let body = if de {
            format!(
                "Beendet {} UTC, {minutes} min",
                one.end.format("%d.%m.%Y %H:%M")
            )
        } else {
            format!(
                "Ended {} UTC, {minutes} min",
                one.end.format("%Y-%m-%d %H:%M")
            )
        };
        (title, body)
    } else {
        let n = sessions.len();
        let title = if de {
            format!("{n} Sitzungen dokumentieren")
        } else {
            format!("Document {n} sessions")
        };
        let mut names: Vec<&str> = Vec::new();
        for s in sessions {
            if !s.customer.is_empty() && !names.contains(&s.customer.as_str()) {
                names.push(&s.customer);
            }
        }
        let shown = names.iter().take(3).copied().collect::<Vec<_>>().join(", ");
        let more = names.len().saturating_sub(3);
        let body = match (more, de) {
            (0, true) => format!("Mit {shown}"),
            (0, false) => format!("With {shown}"),
            (m, true) => format!("Mit {shown} und {m} weiteren"),
            (m, false) => format!("With {shown} and {m} more"),
        };
        (title, body)
    };
    Some(DocumentationNotice {
        title,
        body,
        id: first.id.clone(),
    })
}

/// What `documentation.json` keeps: since when documentation is on, whose list it is, the
/// undocumented ids and the skipped ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct DocumentationFile {
    /// Sessions that ended before this instant are never asked about (set when the setting
    /// is first seen on, or switched on).
    pub since: Option<DateTime<Utc>>,
    /// The supporter the lists belong to.
    pub userid: Option<String>,
    /// The undocumented sessions, oldest end first.
    pub undocumented: Vec<String>,
    /// Sessions the supporter chose to skip (ask mode).
    pub skipped: HashSet<String>,
}

impl DocumentationFile {
    /// Reads the file; a missing one is empty. A damaged one is reported and read as empty
    /// (the list is then rebuilt from the archive at the next look).
    pub(super) fn load(path: &Path) -> DocumentationFile {
        match crate::fsutil::read_regular_file(path, MAX_STATE_BYTES) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!("the documentation list is damaged ({e}); it is rebuilt");
                DocumentationFile::default()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => DocumentationFile::default(),
            Err(e) => {
                tracing::warn!("cannot read the documentation list: {e}; it is rebuilt");
                DocumentationFile::default()
            }
        }
    }

    /// Writes the file atomically, owner-only.
    pub(super) fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::fsutil::create_private_dir_all(dir)?;
        }
        crate::fsutil::write_atomically(path, crate::fsutil::FileMode::Private, |out| {
            serde_json::to_writer_pretty(&mut *out, self).map_err(|e| Error::Config {
                message: format!("cannot encode the documentation list: {e}"),
            })?;
            out.write_all(b"\n")?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_ticket_number_goes_on_a_line_of_its_own_after_the_notes() {
        assert_eq!(
            documented_notes("Printer driver reinstalled\n", " 4711 ").unwrap(),
            "Printer driver reinstalled\nTicket: 4711",
            "notes, a line break, `Ticket: ` and the trimmed number"
        );
        assert_eq!(
            documented_notes("Printer driver reinstalled", "  ").unwrap(),
            "Printer driver reinstalled",
            "no ticket line without a ticket number"
        );
        assert_eq!(
            documented_notes("  \n", "INC-12").unwrap(),
            "Ticket: INC-12",
            "a ticket number alone stands without an empty line before it"
        );
    }

    #[test]
    fn nothing_to_write_or_a_bad_ticket_is_refused_with_the_field_named() {
        for (notes, ticket, field) in [
            ("", "", "notes"),
            (" \n ", " ", "notes"),
            ("ok", "47\n11", "ticket number"),
            ("ok", &"9".repeat(101), "ticket number"),
        ] {
            let err = documented_notes(notes, ticket).unwrap_err();
            assert_eq!(
                err.kind(),
                crate::ErrorKind::InvalidInput,
                "{notes:?} {ticket:?}"
            );
            assert!(
                err.to_string().starts_with(field),
                "the message names the field {field}: {err}"
            );
        }
    }

    fn session(id: &str, customer: &str) -> UndocumentedSession {
        UndocumentedSession {
            id: id.into(),
            customer: customer.into(),
            devicename: None,
            session_code: None,
            start: Some("2026-12-05T09:00:00Z".parse().unwrap()),
            end: "2026-12-05T09:14:10Z".parse().unwrap(),
            seconds: 850,
        }
    }

    #[test]
    fn one_session_is_named_several_are_counted() {
        let one = documentation_notice(Language::En, &[session("a", "Jörg Müller")]).unwrap();
        assert_eq!(one.title, "Document your session with Jörg Müller");
        assert_eq!(one.body, "Ended 2026-12-05 09:14 UTC, 15 min");
        assert_eq!(one.id, "a");
        let de = documentation_notice(Language::De, &[session("a", "Jörg Müller")]).unwrap();
        assert_eq!(de.title, "Dokumentieren Sie Ihre Sitzung mit Jörg Müller");
        let three = [
            session("a", "Jörg Müller"),
            session("b", "PC-7"),
            session("c", "Jörg Müller"),
        ];
        let many = documentation_notice(Language::En, &three).unwrap();
        assert_eq!(many.title, "Document 3 sessions");
        assert_eq!(many.body, "With Jörg Müller, PC-7", "each name once");
        assert_eq!(many.id, "a", "a click opens the oldest");
        assert_eq!(
            documentation_notice(Language::De, &three).unwrap().title,
            "3 Sitzungen dokumentieren"
        );
        assert!(documentation_notice(Language::En, &[]).is_none());
    }

    #[test]
    fn the_customer_is_the_end_customer_else_the_device_and_server_text_is_cleaned() {
        let mut report: ConnectionReport = serde_json::from_value(serde_json::json!({
            "id": "r1", "devicename": "PC-7", "deviceid": "123",
            "start_date": "2026-12-05T09:00:00Z", "end_date": "2026-12-05T09:30:00Z",
            "end_customer": {"name": "Jörg\u{202e} Müller\n"}
        }))
        .unwrap();
        let s = UndocumentedSession::from_report(&report).unwrap();
        assert_eq!(
            s.customer, "Jörg Müller",
            "bidi dropped, line break trimmed"
        );
        assert_eq!(s.seconds, 1800);
        report.end_customer = None;
        assert_eq!(
            UndocumentedSession::from_report(&report).unwrap().customer,
            "PC-7"
        );
        report.end_date = None;
        assert!(
            UndocumentedSession::from_report(&report).is_none(),
            "a running session is not documented yet"
        );
    }
}
