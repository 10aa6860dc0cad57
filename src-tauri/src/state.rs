//! The one managed state of the app: the core's [`Desk`] plus what only the shell owns (the
//! sandbox server, the startup notice, the window-shown flag, the debug test hooks).

use crate::keyring_probe::{ProbedKeyring, KEYRING_PROBE_TIMEOUT};
use crate::options::AppOptions;
use sdesk_archive::app::{open_for_app, AppArchive};
use sdesk_archive::ArchiveUrl;
use sdesk_core::auth::TokenStore;
use sdesk_core::desk::{Desk, DeskOptions, Mode, Settings, SettingsView, SETTINGS_FILE};
use sdesk_core::error::ErrorReport;
use sdesk_core::{Error, Result, Secret};
use sdesk_sandbox::{OAuthClient, Sandbox, SandboxConfig};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use url::Url;

/// The running simulator and the loopback port its OAuth app accepts.
#[derive(Debug)]
struct RunningSandbox {
    sandbox: Sandbox,
    loopback_port: u16,
}

/// Managed once with `app.manage`; Tauri wraps it in an `Arc` already.
#[derive(Debug)]
pub struct AppState {
    /// Everything the commands do.
    pub desk: Desk,
    /// A `tokio` mutex: it is held across the sandbox's start.
    sandbox: tokio::sync::Mutex<Option<RunningSandbox>>,
    /// A problem found while starting (damaged settings file, sandbox failure), shown by the
    /// UI once it is ready.
    startup_error: Mutex<Option<ErrorReport>>,
    /// The archive could not be opened at launch (the log lives in memory only): why, and
    /// whether a rebuild (moving the damaged file aside) may be offered.
    pub archive_problem: Option<(ErrorReport, bool)>,
    /// Where the app's archive lives (for a rebuild).
    pub archive_url: ArchiveUrl,
    /// Whether the main window has been shown (by `app_ready` or the fallback timer).
    pub window_shown: AtomicBool,
    /// Debug-only redirections of the browser, clipboard and save dialog (E2E tests).
    #[cfg(debug_assertions)]
    pub test_hooks: crate::options::TestHooks,
    /// Debug-only: the sandbox taken off the network by the offline switch (its port and its
    /// OAuth app's loopback port), to be started again there.
    #[cfg(debug_assertions)]
    parked_sandbox: Mutex<Option<(u16, u16)>>,
}

impl AppState {
    /// Loads the settings (defaults plus a startup notice when the file is damaged), opens the
    /// token store (the OS keyring, or memory when it does not work), starts the sandbox in
    /// sandbox mode, opens the connection-log archive in `data_dir` (memory only when it cannot
    /// be opened; the reason becomes the startup notice), and builds the desk.
    ///
    /// # Errors
    /// Only when the desk itself cannot be built (no HTTP client).
    pub async fn start(
        options: &AppOptions,
        config_dir: &Path,
        data_dir: &Path,
    ) -> Result<AppState> {
        let settings_path = config_dir.join(SETTINGS_FILE);
        let mut startup_error = None;
        let settings = Settings::load(&settings_path).unwrap_or_else(|e| {
            tracing::warn!("{e}");
            startup_error = Some(e.report());
            Settings::default()
        });
        // The keyring is probed on a thread of its own while the window and the page load
        // (keyring_probe.rs); only the first store call waits for it.
        let store: Arc<dyn TokenStore> = match &options.token_store {
            Some(store) => Arc::clone(store),
            None => ProbedKeyring::start(KEYRING_PROBE_TIMEOUT),
        };
        let archive_url = ArchiveUrl::default_in(data_dir);
        // The sandbox (sandbox mode) and the archive start side by side: the page waits for both.
        let (sandbox, opened) = tokio::join!(
            async {
                if settings.mode == Mode::Sandbox {
                    Some(start_sandbox(settings.loopback_port).await)
                } else {
                    None
                }
            },
            open_for_app(&archive_url)
        );
        let sandbox = match sandbox {
            Some(Ok(running)) => Some(running),
            Some(Err(e)) => {
                tracing::error!("{e}");
                startup_error = Some(e.report());
                None
            }
            None => None,
        };
        let (archive, archive_problem) = match opened {
            AppArchive::Open(archive) => (Some(archive), None),
            AppArchive::Unavailable { error, rebuild } => {
                let report = error.report();
                startup_error.get_or_insert_with(|| report.clone());
                (None, Some((report, rebuild)))
            }
        };
        let mut desk_options = DeskOptions::new(settings, store);
        desk_options.archive =
            archive.map(|a| Arc::new(a) as Arc<dyn sdesk_core::desk::ArchiveStore>);
        desk_options.settings_path = Some(settings_path);
        desk_options.rates_path = Some(config_dir.join(sdesk_core::billing::RATES_FILE));
        desk_options.billing_overrides_path =
            Some(data_dir.join(sdesk_core::billing::OVERRIDES_FILE));
        desk_options.sandbox_origin = sandbox.as_ref().map(|s| s.sandbox.base_url());
        desk_options.system_locale = system_locale();
        let desk = Desk::new(desk_options).await?;
        Ok(AppState {
            desk,
            sandbox: tokio::sync::Mutex::new(sandbox),
            startup_error: Mutex::new(startup_error),
            archive_problem,
            archive_url,
            window_shown: AtomicBool::new(false),
            #[cfg(debug_assertions)]
            test_hooks: options.test_hooks.clone(),
            #[cfg(debug_assertions)]
            parked_sandbox: Mutex::new(None),
        })
    }

    /// The running sandbox's script token (sandbox mode only).
    pub async fn sandbox_script_token(&self) -> Option<String> {
        if !self.desk.is_sandbox() {
            return None;
        }
        self.sandbox
            .lock()
            .await
            .as_ref()
            .map(|s| s.sandbox.script_token())
    }

    /// The startup notice, if any (stays until the next start, so a reloaded UI shows it too).
    pub fn startup_error(&self) -> Option<ErrorReport> {
        self.startup_error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Saves new settings. Switching to sandbox mode (or changing the loopback port in it)
    /// starts a simulator whose OAuth app accepts that port first.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for invalid settings; sandbox, keyring and file errors.
    pub async fn save_settings(
        &self,
        settings: Settings,
        client_secret: Option<Secret>,
    ) -> Result<SettingsView> {
        settings.validate()?;
        if settings.mode == Mode::Sandbox {
            let origin = self.ensure_sandbox(settings.loopback_port).await?;
            self.desk.set_sandbox_origin(Some(origin));
        }
        self.desk.apply_settings(settings, client_secret).await
    }

    /// Debug builds only (the offline switch, `offline_switch.rs`): stops the running sandbox
    /// (`offline`), so that its port refuses connections, or starts it again on the same port
    /// (same seed and size, so the same report ids and script token). Returns whether anything
    /// changed.
    ///
    /// # Errors
    /// The sandbox cannot be started again (its port was taken meanwhile).
    #[cfg(debug_assertions)]
    pub async fn set_sandbox_offline(&self, offline: bool) -> Result<bool> {
        let mut slot = self.sandbox.lock().await;
        let parked = |v: Option<(u16, u16)>| {
            let mut p = self
                .parked_sandbox
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match v {
                Some(v) => p.replace(v),
                None => p.take(),
            }
        };
        if offline {
            let Some(running) = slot.take() else {
                return Ok(false);
            };
            let port = running.sandbox.base_url().port().unwrap_or(0);
            parked(Some((port, running.loopback_port)));
            running.sandbox.shutdown().await;
            Ok(true)
        } else {
            let Some((port, loopback_port)) = parked(None) else {
                return Ok(false);
            };
            *slot = Some(start_sandbox_on(loopback_port, port).await?);
            Ok(true)
        }
    }

    /// The running sandbox's origin, (re)started when its OAuth app does not accept
    /// `loopback_port`.
    async fn ensure_sandbox(&self, loopback_port: u16) -> Result<Url> {
        let mut slot = self.sandbox.lock().await;
        if let Some(running) = slot.as_ref() {
            if running.loopback_port == loopback_port {
                return Ok(running.sandbox.base_url());
            }
        }
        if let Some(old) = slot.take() {
            old.sandbox.shutdown().await;
        }
        let running = start_sandbox(loopback_port).await?;
        let origin = running.sandbox.base_url();
        *slot = Some(running);
        Ok(origin)
    }
}

/// How often a simulated customer comes online in sandbox mode.
pub const SANDBOX_CUSTOMER_ARRIVAL_EVERY: std::time::Duration = std::time::Duration::from_secs(90);

/// Starts the simulator on a free loopback port, with its default OAuth app accepting the deep
/// link and the loopback redirect on `loopback_port`.
async fn start_sandbox(loopback_port: u16) -> Result<RunningSandbox> {
    start_sandbox_on(loopback_port, 0).await
}

/// [`start_sandbox`] on loopback port `port` (0: a free one).
async fn start_sandbox_on(loopback_port: u16, port: u16) -> Result<RunningSandbox> {
    let client = OAuthClient {
        redirect_uris: vec![
            sdesk_core::auth::RedirectUri::default().to_string(),
            sdesk_core::auth::RedirectUri::loopback(loopback_port).to_string(),
        ],
        ..OAuthClient::default()
    };
    // `SDESK_SANDBOX_RECORDS` sizes the simulated connection log (E2E tests and benchmarks use
    // 10,000 and 100,000); anything unparsable keeps the default.
    let records = std::env::var("SDESK_SANDBOX_RECORDS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(SandboxConfig::default().records);
    let config = SandboxConfig {
        clients: vec![client],
        records,
        // Customers come online (and leave again) over time, so the live list's `online`
        // column has something to show in sandbox mode (docs/live.md).
        // `SDESK_SANDBOX_ARRIVAL_SECS` changes the period (0 turns arrivals off).
        customer_arrival_every: customer_arrival_every(),
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config, ([127, 0, 0, 1], port).into())
        .await
        .map_err(|e| Error::Config {
            message: format!("the sandbox could not be started: {e}"),
        })?;
    tracing::info!(origin = %sandbox.base_url(), "sandbox mode");
    Ok(RunningSandbox {
        sandbox,
        loopback_port,
    })
}

/// The customer-arrival period of the sandbox: `SDESK_SANDBOX_ARRIVAL_SECS` (0: none), else
/// [`SANDBOX_CUSTOMER_ARRIVAL_EVERY`].
fn customer_arrival_every() -> Option<std::time::Duration> {
    match std::env::var("SDESK_SANDBOX_ARRIVAL_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        Some(0) => None,
        Some(secs) => Some(std::time::Duration::from_secs(secs)),
        None => Some(SANDBOX_CUSTOMER_ARRIVAL_EVERY),
    }
}

/// The user's locale from the usual environment variables (`de_DE.UTF-8`), for "auto".
fn system_locale() -> Option<String> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
}
