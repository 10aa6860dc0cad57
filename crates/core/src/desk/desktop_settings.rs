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

/// The argument the autostart entry passes when "start minimised" is on: the app then starts
/// with its window hidden (the tray shows it).
pub const START_MINIMISED_ARG: &str = "--minimised";

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

    /// The arguments of the autostart entry.
    pub fn autostart_args(&self) -> Vec<&'static str> {
        if self.start_minimised {
            vec![START_MINIMISED_ARG]
        } else {
            Vec::new()
        }
    }
}

/// Whether the process was started minimised (its arguments contain [`START_MINIMISED_ARG`]).
pub fn started_minimised<I, S>(args: I) -> bool
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    args.into_iter()
        .any(|a| a.as_ref() == std::ffi::OsStr::new(START_MINIMISED_ARG))
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
    fn start_minimised_travels_as_an_argument() {
        let mut s = DesktopSettings::default();
        assert!(s.autostart_args().is_empty(), "off: a plain start");
        s.start_minimised = true;
        assert!(
            started_minimised(s.autostart_args()),
            "the entry's arguments are recognised at start"
        );
        assert!(!started_minimised([
            "supporter-desk",
            "dev.supporterdesk:/x"
        ]));
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
