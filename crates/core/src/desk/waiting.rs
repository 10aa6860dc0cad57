//! Waiting customers for the desktop: which customers *started* waiting since the last look at
//! the live list (one notification per arrival), the notification's text, and the tray's count
//! and menu. Text the server sent (customer name, description, even the code) is untrusted:
//! control and bidi-format characters are removed and each part is capped.
//!
//! The first list after a sign-in is the baseline: customers already waiting then are counted
//! in the tray but not announced one by one. They were waiting before the app could know when
//! they came, the window shows them when it opens, and a restart or a new sign-in would
//! otherwise announce the same people again.

use super::dto::SessionDto;
use super::live_list::LiveSnapshot;
use super::settings::Language;
use crate::live::LiveStatus;
use std::collections::HashSet;

/// Longest customer name in a notification or menu entry (characters, before the ellipsis).
pub const MAX_NAME_CHARS: usize = 60;
/// Longest description in a notification.
pub const MAX_DESCRIPTION_CHARS: usize = 80;
/// Longest session code shown (real codes have 12 characters).
pub const MAX_CODE_CHARS: usize = 20;

/// What changed in the waiting set at one look ([`WaitingWatch::update`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WaitingChange {
    /// Customers who started waiting since the last look, newest session first. Empty for the
    /// baseline (the first list after a sign-in).
    pub arrived: Vec<SessionDto>,
    /// Whether the set of waiting sessions differs from the last look (the tray is rebuilt).
    pub changed: bool,
    /// The customers waiting now, newest session first.
    pub waiting: Vec<SessionDto>,
}

/// Follows the live list's waiting customers from snapshot to snapshot. See the module
/// documentation for the baseline rule.
#[derive(Debug, Default)]
pub struct WaitingWatch {
    /// Codes waiting at the last look; `None` until a list has been loaded since the sign-in.
    seen: Option<HashSet<String>>,
    /// What the tray showed last (codes and labels), to tell whether it must be rebuilt.
    shown: Vec<(String, Option<String>, Option<String>)>,
}

impl WaitingWatch {
    /// A watch with no baseline yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Looks at `snapshot`. Signed out (`stopped`) forgets the baseline; before the first list
    /// has loaded nothing is announced; afterwards every code in `waiting` that was not there
    /// at the last look is an arrival (so a customer who leaves and comes back is announced
    /// again, one who keeps waiting only once).
    pub fn update(&mut self, snapshot: &LiveSnapshot) -> WaitingChange {
        let waiting = snapshot.waiting.clone();
        let shown: Vec<_> = waiting
            .iter()
            .map(|s| {
                (
                    s.code.clone(),
                    s.customer_name.clone(),
                    s.description.clone(),
                )
            })
            .collect();
        let changed = shown != self.shown;
        self.shown = shown;
        let now: HashSet<String> = waiting.iter().map(|s| s.code.clone()).collect();
        let arrived = match (&snapshot.status, &self.seen) {
            (LiveStatus::Stopped, _) => {
                self.seen = None;
                return WaitingChange {
                    arrived: Vec::new(),
                    changed,
                    waiting,
                };
            }
            // The first list after the sign-in: the baseline (only a loaded list counts).
            (status, None) => {
                if has_loaded(status) {
                    self.seen = Some(now);
                }
                Vec::new()
            }
            (_, Some(before)) => {
                let arrived = waiting
                    .iter()
                    .filter(|s| !before.contains(&s.code))
                    .cloned()
                    .collect();
                self.seen = Some(now);
                arrived
            }
        };
        WaitingChange {
            arrived,
            changed,
            waiting,
        }
    }
}

/// Whether the live list has been loaded at least once in this sign-in, judged by its status.
fn has_loaded(status: &LiveStatus) -> bool {
    match status {
        LiveStatus::Ok { .. } => true,
        LiveStatus::Offline { last_ok, .. } => last_ok.is_some(),
        LiveStatus::Stopped | LiveStatus::Refreshing { .. } | LiveStatus::SlowedDown { .. } => {
            false
        }
    }
}

/// Server text made safe to show: control characters (line breaks, escapes) and bidi/format
/// characters removed or turned into spaces, whitespace collapsed, trimmed, at most `max`
/// characters (then cut with "…"). `None` when nothing is left.
pub fn clean_text(raw: &str, max: usize) -> Option<String> {
    let mut out = String::new();
    let mut space = false;
    for c in raw.chars() {
        if c.is_control() || c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if is_format(c) {
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    if out.is_empty() {
        return None;
    }
    if out.chars().count() > max {
        let cut: String = out.chars().take(max.saturating_sub(1)).collect();
        return Some(format!("{}…", cut.trim_end()));
    }
    Some(out)
}

/// Invisible format characters that can reorder or hide text (bidi overrides and isolates,
/// zero-width characters, the BOM, soft hyphen).
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

fn name_of(session: &SessionDto) -> Option<String> {
    session
        .customer_name
        .as_deref()
        .and_then(|n| clean_text(n, MAX_NAME_CHARS))
}

fn code_of(session: &SessionDto) -> String {
    clean_text(&session.code, MAX_CODE_CHARS).unwrap_or_else(|| "?".to_owned())
}

/// A desktop notification: title and body, plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingNotice {
    /// "Customer waiting" / "Kunde wartet".
    pub title: String,
    /// "Jörg Müller is waiting — s123-456-789, Printer offline".
    pub body: String,
    /// The session's code as the API sent it (for a click or the tray: focus that session).
    pub code: String,
}

/// The notification for a customer who started waiting, in `language` (`Auto` reads as English;
/// pass a resolved language).
pub fn waiting_notice(language: Language, session: &SessionDto) -> WaitingNotice {
    let name = name_of(session);
    let code = code_of(session);
    let description = session
        .description
        .as_deref()
        .and_then(|d| clean_text(d, MAX_DESCRIPTION_CHARS));
    let who = match (language, name) {
        (Language::De, Some(name)) => format!("{name} wartet"),
        (Language::De, None) => "Ein Kunde wartet".to_owned(),
        (_, Some(name)) => format!("{name} is waiting"),
        (_, None) => "A customer is waiting".to_owned(),
    };
    let body = match description {
        Some(d) => format!("{who} — {code}, {d}"),
        None => format!("{who} — {code}"),
    };
    let title = match language {
        Language::De => "Kunde wartet",
        _ => "Customer waiting",
    };
    WaitingNotice {
        title: title.to_owned(),
        body,
        code: session.code.clone(),
    }
}

/// One entry of the tray menu per waiting customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayEntry {
    /// The session's code as the API sent it (the menu item's id carries it).
    pub code: String,
    /// "Jörg Müller — s123-456-789", or the code alone.
    pub label: String,
}

/// The tray icon's tooltip and menu, in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayModel {
    /// How many customers wait.
    pub count: usize,
    /// Tooltip (and title where the platform shows one): "2 customers waiting".
    pub tooltip: String,
    /// "Show Supporter Desk".
    pub show: String,
    /// "New session".
    pub new_session: String,
    /// The heading above the waiting customers ("Waiting: 2") or "Nobody waiting".
    pub waiting_heading: String,
    /// One per waiting customer, newest session first.
    pub entries: Vec<TrayEntry>,
    /// "Quit".
    pub quit: String,
}

/// The tray for `waiting` in `language` (a resolved language).
pub fn tray_model(language: Language, waiting: &[SessionDto]) -> TrayModel {
    let count = waiting.len();
    let de = language == Language::De;
    let tooltip = match (de, count) {
        (true, 0) => "Supporter Desk — niemand wartet".to_owned(),
        (true, 1) => "Supporter Desk — 1 Kunde wartet".to_owned(),
        (true, n) => format!("Supporter Desk — {n} Kunden warten"),
        (false, 0) => "Supporter Desk — nobody waiting".to_owned(),
        (false, 1) => "Supporter Desk — 1 customer waiting".to_owned(),
        (false, n) => format!("Supporter Desk — {n} customers waiting"),
    };
    let waiting_heading = match (de, count) {
        (true, 0) => "Niemand wartet".to_owned(),
        (true, n) => format!("Wartend: {n}"),
        (false, 0) => "Nobody waiting".to_owned(),
        (false, n) => format!("Waiting: {n}"),
    };
    let entries = waiting
        .iter()
        .map(|s| TrayEntry {
            code: s.code.clone(),
            label: match name_of(s) {
                Some(name) => format!("{name} — {}", code_of(s)),
                None => code_of(s),
            },
        })
        .collect();
    let (show, new_session, quit) = if de {
        ("Supporter Desk zeigen", "Neue Sitzung", "Beenden")
    } else {
        ("Show Supporter Desk", "New session", "Quit")
    };
    TrayModel {
        count,
        tooltip,
        show: show.to_owned(),
        new_session: new_session.to_owned(),
        waiting_heading,
        entries,
        quit: quit.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn session(code: &str, name: Option<&str>, description: Option<&str>) -> SessionDto {
        SessionDto {
            code: code.into(),
            state: Some("Open".into()),
            group_id: None,
            group_name: None,
            description: description.map(Into::into),
            customer_name: name.map(Into::into),
            customer_email: None,
            waiting_message: None,
            created_at: None,
            valid_until: None,
            closed_at: None,
            online: Some(true),
            assigned_user_id: None,
            supporter_link: None,
            web_client_link: None,
            end_customer_link: None,
            is_open: true,
        }
    }

    fn ok() -> LiveStatus {
        LiveStatus::Ok {
            at: Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap(),
        }
    }

    fn snap(status: LiveStatus, waiting: &[&str]) -> LiveSnapshot {
        LiveSnapshot {
            sessions: Vec::new(),
            waiting: waiting.iter().map(|c| session(c, None, None)).collect(),
            groups: None,
            status,
        }
    }

    fn codes(change: &WaitingChange) -> Vec<&str> {
        change.arrived.iter().map(|s| s.code.as_str()).collect()
    }

    #[test]
    fn the_first_loaded_list_is_the_baseline() {
        let mut watch = WaitingWatch::new();
        let c = watch.update(&snap(LiveStatus::Refreshing { manual: false }, &["s1"]));
        assert!(
            c.arrived.is_empty(),
            "a list still refreshing is no baseline and announces nobody"
        );
        let c = watch.update(&snap(ok(), &["s1"]));
        assert!(
            c.arrived.is_empty(),
            "customers already waiting at the first list are not announced: {c:?}"
        );
        assert_eq!(c.waiting.len(), 1, "but they are counted");
        let c = watch.update(&snap(ok(), &["s2", "s1"]));
        assert_eq!(
            codes(&c),
            ["s2"],
            "a customer who came afterwards is announced"
        );
    }

    #[test]
    fn each_arrival_is_announced_once() {
        let mut watch = WaitingWatch::new();
        watch.update(&snap(ok(), &[]));
        assert_eq!(codes(&watch.update(&snap(ok(), &["s1"]))), ["s1"]);
        let again = watch.update(&snap(LiveStatus::Refreshing { manual: false }, &["s1"]));
        assert!(
            again.arrived.is_empty(),
            "still waiting is no news: {again:?}"
        );
        assert!(!again.changed, "the tray stays as it is");
        assert!(watch.update(&snap(ok(), &["s1"])).arrived.is_empty());
        let left = watch.update(&snap(ok(), &[]));
        assert!(
            left.changed && left.arrived.is_empty(),
            "leaving changes the tray"
        );
        assert_eq!(
            codes(&watch.update(&snap(ok(), &["s1"]))),
            ["s1"],
            "coming back is a new arrival"
        );
    }

    #[test]
    fn signing_out_forgets_the_baseline() {
        let mut watch = WaitingWatch::new();
        watch.update(&snap(ok(), &[]));
        let out = watch.update(&snap(LiveStatus::Stopped, &[]));
        assert!(out.arrived.is_empty());
        let c = watch.update(&snap(ok(), &["s1"]));
        assert!(
            c.arrived.is_empty(),
            "the first list after the next sign-in is a baseline again: {c:?}"
        );
        assert!(c.changed, "the tray shows the new count");
    }

    #[test]
    fn an_offline_list_that_was_loaded_is_a_baseline_one_that_never_loaded_is_not() {
        let offline = |last_ok| LiveStatus::Offline {
            since: Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap(),
            last_ok,
            kind: crate::ErrorKind::Network,
            message: "down".into(),
            retry_at: Utc.with_ymd_and_hms(2026, 12, 5, 12, 1, 0).unwrap(),
        };
        let mut watch = WaitingWatch::new();
        watch.update(&snap(offline(None), &[]));
        let c = watch.update(&snap(ok(), &["s1"]));
        assert!(
            c.arrived.is_empty(),
            "the first successful list is the baseline"
        );
        let mut watch = WaitingWatch::new();
        watch.update(&snap(offline(Some(Utc::now())), &[]));
        assert_eq!(codes(&watch.update(&snap(ok(), &["s1"]))), ["s1"]);
    }

    #[test]
    fn a_renamed_customer_rebuilds_the_tray_without_a_new_notification() {
        let mut watch = WaitingWatch::new();
        watch.update(&snap(ok(), &["s1"]));
        let mut renamed = snap(ok(), &["s1"]);
        renamed.waiting[0].customer_name = Some("Jörg".into());
        let c = watch.update(&renamed);
        assert!(c.changed && c.arrived.is_empty(), "{c:?}");
    }

    #[test]
    fn the_notification_names_customer_code_and_description() {
        let s = session("s123-456-789", Some("Jörg Müller"), Some("Printer offline"));
        let en = waiting_notice(Language::En, &s);
        assert_eq!(
            en.body,
            "Jörg Müller is waiting — s123-456-789, Printer offline"
        );
        assert_eq!(en.title, "Customer waiting");
        assert_eq!(en.code, "s123-456-789");
        let de = waiting_notice(Language::De, &s);
        assert_eq!(
            de.body,
            "Jörg Müller wartet — s123-456-789, Printer offline"
        );
        assert_eq!(de.title, "Kunde wartet");
        let bare = session("s1", None, Some("  "));
        assert_eq!(
            waiting_notice(Language::En, &bare).body,
            "A customer is waiting — s1"
        );
        assert_eq!(
            waiting_notice(Language::De, &bare).body,
            "Ein Kunde wartet — s1"
        );
    }

    #[test]
    fn server_text_is_cleaned_and_capped() {
        let s = session(
            "s1\u{1b}[31m",
            Some("Eve\n\u{202E}nimda\u{7}"),
            Some(&"x".repeat(500)),
        );
        let n = waiting_notice(Language::En, &s);
        assert!(
            !n.body.chars().any(|c| c.is_control() || is_format(c)),
            "no control or bidi characters reach the desktop: {:?}",
            n.body
        );
        assert!(
            n.body.starts_with("Eve nimda is waiting — s1 [31m, "),
            "{}",
            n.body
        );
        assert!(
            n.body.ends_with('…'),
            "a long description is cut: {}",
            n.body
        );
        assert!(
            n.body.chars().count() < 140,
            "capped: {}",
            n.body.chars().count()
        );
        let long_name = session("s1", Some(&"N".repeat(300)), None);
        let label = &tray_model(Language::En, &[long_name]).entries[0].label;
        assert_eq!(
            label.chars().count(),
            MAX_NAME_CHARS + " — s1".chars().count()
        );
        assert_eq!(
            clean_text("\u{200B}\n\t", 10),
            None,
            "nothing visible is nothing"
        );
        assert_eq!(clean_text("  a \r\n b  ", 10).as_deref(), Some("a b"));
    }

    #[test]
    fn the_tray_counts_and_lists_waiting_customers() {
        let waiting = [
            session("s2", Some("Jörg Müller"), None),
            session("s1", None, None),
        ];
        let en = tray_model(Language::En, &waiting);
        assert_eq!(en.count, 2);
        assert_eq!(en.tooltip, "Supporter Desk — 2 customers waiting");
        assert_eq!(en.waiting_heading, "Waiting: 2");
        let labels: Vec<_> = en.entries.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["Jörg Müller — s2", "s1"]);
        assert_eq!(en.entries[0].code, "s2", "the entry knows its session");
        let de = tray_model(Language::De, &waiting[..1]);
        assert_eq!(de.tooltip, "Supporter Desk — 1 Kunde wartet");
        assert_eq!(de.quit, "Beenden");
        let none = tray_model(Language::En, &[]);
        assert_eq!(none.tooltip, "Supporter Desk — nobody waiting");
        assert!(none.entries.is_empty());
    }
}
