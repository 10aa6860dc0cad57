//! How the app is started: from the environment for the real app, explicitly in tests.

use sdesk_core::auth::TokenStore;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Startup options of [`crate::build_app`].
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// The token store to use instead of probing the OS keyring (tests inject a
    /// `MemoryStore` so they never touch the real keyring).
    pub token_store: Option<Arc<dyn TokenStore>>,
    /// Where `settings.json` lives; `None`: the app's config directory.
    pub config_dir: Option<PathBuf>,
    /// Where the connection-log archive (`archive.sqlite3`, the file `sdesk archive` uses by
    /// default) lives; `None`: the app's data directory.
    pub data_dir: Option<PathBuf>,
    /// Register the single-instance plugin (never in tests: a second app in the same D-Bus
    /// session would hand its arguments over and exit the test process).
    pub single_instance: bool,
    /// Register the `dev.supporterdesk` scheme with the OS at startup (`register_all`, Linux and
    /// Windows debug builds); `SDESK_NO_REGISTER=1` turns it off.
    pub register_deep_links: bool,
    /// Show the main window after this long even if the UI never calls `app_ready`.
    pub show_fallback: Duration,
    /// Install the logger (stderr and the log file, see `install_logger`). Off in tests: one
    /// process builds many apps, and there is only one global logger.
    pub log_to_file: bool,
    /// The desktop integration: tray icon, notification, window-state and autostart plugins.
    /// Off on the mock runtime (they need a desktop session and change the user's files);
    /// notifications and the tray still reach the test hooks.
    pub desktop_integration: bool,
    /// Debug-only redirections for end-to-end tests.
    #[cfg(debug_assertions)]
    pub test_hooks: TestHooks,
}

/// Debug builds only: instead of launching a browser or TeamViewer, showing a save dialog or
/// touching the clipboard, the app writes to files the E2E harness reads. Compiled out of
/// release builds entirely.
#[cfg(debug_assertions)]
#[derive(Debug, Clone, Default)]
pub struct TestHooks {
    /// `SDESK_TEST_OPEN_LOG`: every URL the app would open is appended here, one per line.
    pub open_log: Option<PathBuf>,
    /// `SDESK_TEST_SAVE_PATH`: the export writes here instead of asking with a dialog.
    pub save_path: Option<PathBuf>,
    /// `SDESK_TEST_CLIPBOARD_LOG`: every text the app would copy is appended here, one per line.
    pub clipboard_log: Option<PathBuf>,
    /// `SDESK_TEST_NOTIFY_LOG`: every waiting-customer notification is appended here
    /// (`title | body | code`) instead of being shown.
    pub notify_log: Option<PathBuf>,
    /// `SDESK_TEST_TRAY_LOG`: every change of the tray is appended here
    /// (`count=N | menu label | …`), besides updating the tray icon.
    pub tray_log: Option<PathBuf>,
    /// `SDESK_TEST_SANDBOX_OFFLINE`: while this file exists the built-in sandbox is off the
    /// network (its port refuses connections); when it is removed the sandbox comes back on the
    /// same port with the same data and script token (see `offline_switch.rs`).
    pub sandbox_offline: Option<PathBuf>,
}

impl AppOptions {
    /// The real app: OS keyring, single instance, deep-link registration unless
    /// `SDESK_NO_REGISTER=1`; in debug builds also `SDESK_CONFIG_DIR` and the test hooks.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let _ = &var;
        Self {
            token_store: None,
            #[cfg(debug_assertions)]
            config_dir: var("SDESK_CONFIG_DIR").map(PathBuf::from),
            #[cfg(not(debug_assertions))]
            config_dir: None,
            #[cfg(debug_assertions)]
            data_dir: var("SDESK_DATA_DIR").map(PathBuf::from),
            #[cfg(not(debug_assertions))]
            data_dir: None,
            single_instance: true,
            register_deep_links: std::env::var("SDESK_NO_REGISTER").as_deref() != Ok("1"),
            show_fallback: Duration::from_secs(3),
            log_to_file: true,
            desktop_integration: true,
            #[cfg(debug_assertions)]
            test_hooks: TestHooks {
                open_log: var("SDESK_TEST_OPEN_LOG").map(PathBuf::from),
                save_path: var("SDESK_TEST_SAVE_PATH").map(PathBuf::from),
                clipboard_log: var("SDESK_TEST_CLIPBOARD_LOG").map(PathBuf::from),
                notify_log: var("SDESK_TEST_NOTIFY_LOG").map(PathBuf::from),
                tray_log: var("SDESK_TEST_TRAY_LOG").map(PathBuf::from),
                sandbox_offline: var("SDESK_TEST_SANDBOX_OFFLINE").map(PathBuf::from),
            },
        }
    }
}
