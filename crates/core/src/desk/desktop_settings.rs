//! The desktop part of the settings (`desktop` in settings.json): waiting-customer
//! notifications, what closing the window does while customers wait, start at login and start
//! minimised to the tray. The shell applies them (notification and autostart plugins, the
//! close request); the rules live here.

use serde::{Deserialize, Serialize};

/// What closing the main window does while customers are waiting. With nobody waiting the
/// window always closes (and the app quits).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum CloseAction {
    /// Ask in the window: hide to the tray or quit (the default).
    #[default]
    Ask,
    /// Hide the window; the tray icon keeps counting waiting customers.
    HideToTray,
    /// Quit as usual.
    Quit,
}

/// `settings.desktop`. Every field has a default, so a settings file without it still loads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default, rename_all = "camelCase")]
pub struct DesktopSettings {
    /// A desktop notification when a customer starts waiting (default on).
    pub notifications: bool,
    /// Closing the window while customers wait.
    pub close_action: CloseAction,
    /// Start the app when the user logs in (the OS's autostart entry; default off).
    pub start_at_login: bool,
    /// When started at login: stay in the tray instead of showing the window.
    pub start_minimised: bool,
}

impl Default for DesktopSettings {
    fn default() -> Self {
        Self {
            notifications: true,
            close_action: CloseAction::Ask,
            start_at_login: false,
            start_minimised: false,
        }
    }
}

/// The argument the autostart entry starts the app with. Started with it and with
/// [`DesktopSettings::start_minimised`] on, the app stays in the tray (window hidden); started
/// by hand it always shows its window.
pub const AUTOSTART_ARG: &str = "--autostart";

/// What closing the window does, with `waiting` customers waiting now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseDecision {
    /// Let the window close (the app quits).
    Close,
    /// Keep the app running with the window hidden.
    Hide,
    /// Keep the window open and ask the user in it.
    Ask,
}

impl DesktopSettings {
    /// The rule for a close request of the main window: nobody waiting closes; otherwise the
    /// setting decides.
    pub fn on_close(&self, waiting: usize) -> CloseDecision {
        if waiting == 0 {
            return CloseDecision::Close;
        }
        match self.close_action {
            CloseAction::Ask => CloseDecision::Ask,
            CloseAction::HideToTray => CloseDecision::Hide,
            CloseAction::Quit => CloseDecision::Close,
        }
    }

    /// Whether a process started with `args` keeps its window hidden: started by the autostart
    /// entry ([`AUTOSTART_ARG`]) with "start minimised" on.
    pub fn start_hidden<I, S>(&self, args: I) -> bool
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.start_minimised
            && args
                .into_iter()
                .any(|a| a.as_ref() == std::ffi::OsStr::new(AUTOSTART_ARG))
    }
}

/// Whether desktop notifications reach the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum NotificationState {
    /// Switched off in Settings.
    Off,
    /// On; the system has not refused any yet.
    Allowed,
    /// On, but the system refused the permission or could not show one (no notification
    /// service): waiting customers show in the tray and in the list only.
    Blocked {
        /// The system's words, for "Details".
        reason: String,
    },
}

/// What the desktop shell tells the window (event `desktop`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum DesktopEvent {
    /// Show this session's detail (tray entry or notification click).
    FocusSession {
        /// The session's code.
        code: String,
    },
    /// Open the new-session form (tray menu).
    NewSession,
    /// Open the documentation prompt for this connection report (a click on the
    /// end-of-session notification).
    DocumentSession {
        /// The connection report's id.
        id: String,
    },
    /// The window was asked to close while customers wait and the setting says "ask".
    CloseRequested {
        /// How many customers wait.
        waiting: u32,
    },
    /// Notifications changed state (switched, or refused by the system).
    Notifications {
        /// The new state.
        state: NotificationState,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_with_nobody_waiting_always_closes() {
        for close_action in [CloseAction::Ask, CloseAction::HideToTray, CloseAction::Quit] {
            let s = DesktopSettings {
                close_action,
                ..DesktopSettings::default()
            };
            assert_eq!(
                s.on_close(0),
                CloseDecision::Close,
                "{close_action:?}: with nobody waiting there is nothing to keep the app for"
            );
        }
    }

    #[test]
    fn closing_while_customers_wait_follows_the_setting() {
        let with = |close_action| DesktopSettings {
            close_action,
            ..DesktopSettings::default()
        };
        assert_eq!(with(CloseAction::Ask).on_close(2), CloseDecision::Ask);
        assert_eq!(
            with(CloseAction::HideToTray).on_close(1),
            CloseDecision::Hide
        );
        assert_eq!(with(CloseAction::Quit).on_close(1), CloseDecision::Close);
        assert_eq!(
            DesktopSettings::default().on_close(1),
            CloseDecision::Ask,
            "the default asks"
        );
    }

    #[test]
    fn only_an_autostart_with_start_minimised_stays_hidden() {
        let mut s = DesktopSettings::default();
        let login = ["supporter-desk", AUTOSTART_ARG];
        assert!(
            !s.start_hidden(login),
            "start minimised off: the window shows"
        );
        s.start_minimised = true;
        assert!(
            s.start_hidden(login),
            "started at login with the setting on: tray only"
        );
        assert!(
            !s.start_hidden(["supporter-desk", "dev.supporterdesk:/oauth/callback"]),
            "started by hand (or by a deep link) the window always shows"
        );
    }

    #[test]
    fn an_old_settings_file_gets_the_defaults() {
        let s: DesktopSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, DesktopSettings::default(), "missing fields default");
        assert!(s.notifications, "notifications start on");
        let s: DesktopSettings =
            serde_json::from_str(r#"{"closeAction":"hideToTray","startAtLogin":true}"#).unwrap();
        assert_eq!(s.close_action, CloseAction::HideToTray);
        assert!(s.start_at_login && s.notifications);
    }
}
