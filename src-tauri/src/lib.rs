//! Supporter Desk desktop shell. It stays thin: every behaviour lives in `sdesk-core`
//! (`sdesk_core::desk`); this crate wires windows, plugins, deep links, events and commands to it.

mod commands;
mod desktop;
mod documentation;
mod error;
mod keyring_probe;
#[cfg(debug_assertions)]
mod offline_switch;
mod options;
#[cfg(target_os = "linux")]
mod renderer;
mod signin;
mod state;
#[cfg(test)]
mod tests;
mod waiting;
mod window_rules;

pub use error::{IpcError, IpcResult};
pub use options::AppOptions;
#[cfg(debug_assertions)]
pub use options::TestHooks;
pub use state::AppState;

use tauri::{App, Manager, Runtime};
use tauri_plugin_deep_link::DeepLinkExt;

/// Wires the app onto any runtime, so that tests build it on Tauri's mock runtime with
/// `tauri::test::mock_builder()`.
///
/// Plugins: single-instance first (when enabled; with its `deep-link` feature it passes a
/// second instance's URL to the deep-link plugin before our callback runs), then log,
/// deep-link, opener, clipboard and dialog. None of their JavaScript APIs is granted to the UI (see the
/// capability in tauri.conf.json): Rust opens, copies and asks for files itself.
pub fn build_app<R: Runtime>(builder: tauri::Builder<R>, options: AppOptions) -> tauri::Builder<R> {
    let builder = if options.single_instance {
        builder.plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            // The URL in argv has already gone to the deep-link plugin (feature `deep-link`),
            // whose `on_open_url` listener below completes the sign-in. Handling argv here too
            // would deliver the callback twice.
            desktop::show_main_window(app);
        }))
    } else {
        builder
    };
    let desktop_integration = options.desktop_integration;
    let builder = if desktop_integration {
        window_rules::plugins(builder)
    } else {
        builder
    };
    builder
        // The logger itself is attached in `setup` (see `install_logger`), so that a log file
        // that cannot be opened degrades to stderr instead of stopping the app.
        .plugin(tauri_plugin_log::Builder::new().skip_logger().build())
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| setup(app, options))
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                window_rules::on_close_requested(window, api);
            }
            if matches!(
                event,
                tauri::WindowEvent::Focused(_) | tauri::WindowEvent::Resized(_)
            ) {
                desktop::window_visibility_changed(window);
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::app::app_ready,
            commands::auth::auth_status,
            commands::auth::sign_in,
            commands::auth::cancel_sign_in,
            commands::auth::sign_in_with_script_token,
            commands::auth::sign_out,
            commands::sessions::list_groups,
            commands::sessions::create_session,
            commands::sessions::list_sessions,
            commands::sessions::close_session,
            commands::sessions::open_session_link,
            commands::sessions::copy_session_link,
            commands::sessions::copy_session_code,
            commands::sessions::live_snapshot,
            commands::sessions::refresh_sessions,
            commands::sessions::edit_session,
            commands::sessions::assign_session,
            commands::sessions::close_sessions,
            commands::sessions::list_users,
            commands::sessions::copy_invitation_text,
            commands::logs::load_logs,
            commands::logs::load_archived_logs,
            commands::logs::archive_sync_status,
            commands::logs::sync_archive,
            commands::logs::cancel_archive_sync,
            commands::logs::archive_problem,
            commands::logs::rebuild_archive,
            commands::logs::cancel_logs,
            commands::logs::resume_logs,
            commands::logs::apply_log_view,
            commands::logs::log_rows,
            commands::logs::export_logs,
            commands::logs::log_ticket_text,
            commands::logs::update_log_record,
            commands::settings::get_settings,
            commands::settings::save_settings,
            commands::desktop::notification_status,
            commands::desktop::close_window,
            commands::documentation::documentation_state,
            commands::documentation::document_session,
            commands::documentation::skip_documentation,
            commands::billing::billing_rates,
            commands::billing::save_billing_rates,
            commands::billing::billing_worklist,
            commands::billing::change_billing_cases,
            commands::billing::reset_billing_case,
            commands::billing::mark_billed,
            commands::billing::cancel_mark_billed,
            commands::billing::export_invoice,
            commands::insight::insight,
            commands::insight::insight_state,
        ])
}

/// Builds the state, then hooks up deep links and the window.
fn setup<R: Runtime>(
    app: &mut App<R>,
    options: AppOptions,
) -> Result<(), Box<dyn std::error::Error>> {
    let started = std::time::Instant::now();
    // Where the start-up's time goes (`SDESK_LOG=debug`): the page loads only after this.
    let step = |what: &str| tracing::debug!(ms = started.elapsed().as_millis(), "setup: {what}");
    let config_dir = match &options.config_dir {
        Some(dir) => dir.clone(),
        None => app.path().app_config_dir()?,
    };
    if options.log_to_file {
        install_logger(app.handle());
    }
    #[cfg(target_os = "linux")]
    if renderer::chose_cpu() {
        tracing::info!("no GPU render node: WebKit paints with its CPU renderer");
    }
    let data_dir = match &options.data_dir {
        Some(dir) => dir.clone(),
        None => app.path().app_data_dir()?,
    };
    step("logger");
    let state = tauri::async_runtime::block_on(AppState::start(&options, &config_dir, &data_dir))?;
    step("state (settings, sandbox, archive, desk)");
    #[cfg(debug_assertions)]
    if let Some(file) = options.test_hooks.sandbox_offline.clone() {
        offline_switch::start(app.handle(), &state, file);
    }
    desktop::forward_waits(app.handle(), &state.desk);
    desktop::forward_live(app.handle(), &state.desk);
    desktop::forward_auth_lost(app.handle(), &state.desk);
    desktop::forward_archive_sync(app.handle(), &state.desk);
    desktop::forward_billing(app.handle(), &state.desk);
    desktop::forward_insight(app.handle(), &state.desk);
    // The archive's background sync lives as long as the app (the runtime ends with it).
    tauri::async_runtime::block_on(async {
        state
            .desk
            .start_archive_schedule(tokio_util::sync::CancellationToken::new());
    });
    app.manage(state);
    #[cfg(debug_assertions)]
    let (notify_log, tray_log) = (
        options.test_hooks.notify_log.clone(),
        options.test_hooks.tray_log.clone(),
    );
    #[cfg(not(debug_assertions))]
    let (notify_log, tray_log) = (None, None);
    app.manage(waiting::DesktopState::new(
        options.desktop_integration,
        notify_log,
        tray_log,
    ));
    step("schedule");
    let tray = waiting::build_tray(app.handle());
    step("tray");
    if options.desktop_integration {
        waiting::on_notification_click(app.handle());
    }
    window_rules::decide_start_hidden(app.handle(), tray);
    if std::env::var_os("SDESK_SANDBOX_SIGN_IN").is_some_and(|v| v == "1") {
        sandbox_sign_in_at_launch(app.handle());
    }
    window_rules::apply(app.handle());
    waiting::forward_waiting(app.handle());
    documentation::forward_documentation(app.handle());
    step("window rules");

    let handle = app.handle().clone();
    if options.register_deep_links {
        // Makes the OS hand `dev.supporterdesk:` URLs to this binary even when the app was not
        // installed through a package (Linux; Windows in development).
        // On a thread of its own: on Linux it writes a .desktop file and runs `xdg-mime` and
        // `update-desktop-database` (16–145 ms measured here), which the page need not wait
        // for; a sign-in's callback cannot come before the page asks for one.
        #[cfg(any(target_os = "linux", all(debug_assertions, windows)))]
        {
            let registrar = app.handle().clone();
            std::thread::spawn(move || {
                if let Err(e) = registrar.deep_link().register_all() {
                    tracing::warn!("could not register the deep-link scheme: {e}");
                }
            });
        }
    }
    let listener = handle.clone();
    app.deep_link().on_open_url(move |event| {
        let urls = event.urls().into_iter().map(String::from).collect();
        signin::handle_urls(&listener, urls);
    });
    // Cold start: the OS started us with the callback URL as the only argument.
    if let Ok(Some(urls)) = app.deep_link().get_current() {
        signin::handle_urls(&handle, urls.into_iter().map(String::from).collect());
    }

    step("deep links");
    desktop::paint_background(&handle);
    if !window_rules::starts_hidden(&handle) {
        desktop::show_window_after(&handle, options.show_fallback);
    }
    tracing::info!(ms = started.elapsed().as_millis(), "set up");
    Ok(())
}

/// `SDESK_SANDBOX_SIGN_IN=1`, sandbox mode only: signs in to the built-in simulator with its own
/// script token at launch, as if the supporter had pasted it (benchmarks and demos that run the
/// app without a browser or WebDriver). Nothing happens in TeamViewer mode.
fn sandbox_sign_in_at_launch<R: Runtime>(app: &tauri::AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(state) = app.try_state::<AppState>() else {
            return;
        };
        let Some(token) = state.sandbox_script_token().await else {
            tracing::warn!("SDESK_SANDBOX_SIGN_IN is set but the app does not run the sandbox");
            return;
        };
        match state
            .desk
            .sign_in_with_script_token(sdesk_core::secret::Secret::new(token))
            .await
        {
            Ok(status) => desktop::emit(&app, sdesk_core::desk::events::AUTH_CHANGED, status),
            Err(e) => tracing::warn!(kind = %e.kind(), "the sandbox sign-in at launch failed: {e}"),
        }
    });
}

/// The log plugin's logger: stderr and `supporter-desk.log` in the app's log directory (Linux
/// `~/.local/share/dev.supporterdesk.desk/logs/`), rotated at 1 MB keeping 3 old files, UTC
/// timestamps. Our crates log at `info` (`SDESK_LOG=debug`, `trace`, `warn`, … changes that),
/// everything else at `warn`. When the file cannot be opened (read-only or full home, a log
/// directory owned by another user) the app logs to stderr only and says why there. The log
/// directory is 0700 and the file 0600 on Unix (see [`prepare_log_file`]). The core
/// never logs tokens, codes, secrets or full callback URLs; neither does this crate. The UI gets
/// no log permission: it has nothing to log that Rust does not see.
fn install_logger<R: Runtime>(app: &tauri::AppHandle<R>) {
    use tauri_plugin_log::{Builder, RotationStrategy, Target, TargetKind, TimezoneStrategy};
    let ours = std::env::var("SDESK_LOG")
        .ok()
        .and_then(|v| v.trim().parse::<log::LevelFilter>().ok())
        .unwrap_or(log::LevelFilter::Info);
    let builder = |to_file: bool| {
        let mut targets = vec![Target::new(TargetKind::Stderr)];
        if to_file {
            targets.push(Target::new(TargetKind::LogDir {
                file_name: Some(LOG_FILE_STEM.into()),
            }));
        }
        let mut b = Builder::new()
            .clear_targets()
            .targets(targets)
            .level(log::LevelFilter::Warn)
            .max_file_size(1_000_000)
            .rotation_strategy(RotationStrategy::KeepSome(3))
            .timezone_strategy(TimezoneStrategy::UseUtc);
        for krate in ["supporter_desk_lib", "sdesk_core", "sdesk_sandbox"] {
            b = b.level_for(krate, ours);
        }
        b
    };
    // The file is created private before the plugin opens it; when that fails it is not used.
    let prepared = app
        .path()
        .app_log_dir()
        .map_err(|e| e.to_string())
        .and_then(|dir| prepare_log_file(&dir));
    let with_file = match prepared {
        Ok(()) => builder(true).split(app).map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    let (logger, file_error) = match with_file {
        Ok((_, level, logger)) => ((level, logger), None),
        Err(e) => match builder(false).split(app) {
            Ok((_, level, logger)) => ((level, logger), Some(e)),
            Err(e) => {
                eprintln!("warning: no logging: {e}");
                return;
            }
        },
    };
    if let Err(e) = tauri_plugin_log::attach_logger(logger.0, logger.1) {
        eprintln!("warning: no logging: {e}");
    } else if let Some(e) = file_error {
        tracing::warn!("no log file, logging to stderr only: {e}");
    }
}

/// The log file's name without `.log` (tauri-plugin-log appends it; rotated files are
/// `supporter-desk_<date>.log`).
const LOG_FILE_STEM: &str = "supporter-desk";

/// Creates the log directory `dir` (0700 on Unix, narrowed to it when wider) and the empty log
/// file in it (0600, narrowed when wider; old rotated files too), so that the plugin, which
/// opens the file with create + append and the process's default mode, finds a private file.
///
/// # Errors
/// A readable reason naming the path, when the directory or file cannot be created or narrowed.
fn prepare_log_file(dir: &std::path::Path) -> Result<(), String> {
    sdesk_core::fsutil::prepare_private_log_file(dir, LOG_FILE_STEM)
        .map(drop)
        .map_err(|e| format!("cannot prepare the log file in {}: {e}", dir.display()))
}

/// Starts the desktop app.
pub fn run() {
    #[cfg(target_os = "linux")]
    renderer::choose();
    let context = tauri::generate_context!();
    if let Err(e) = build_app(tauri::Builder::default(), AppOptions::from_env()).run(context) {
        eprintln!("error: supporter desk failed to start: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
#[cfg(unix)]
mod log_file_tests {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

    fn mode(path: &std::path::Path) -> String {
        format!(
            "{:o}",
            std::fs::metadata(path).unwrap().permissions().mode() & 0o777
        )
    }

    #[test]
    fn the_log_file_the_plugin_opens_is_private() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("logs");
        super::prepare_log_file(&dir).unwrap();
        // What tauri-plugin-log opens for `TargetKind::LogDir { file_name: Some(stem) }`:
        // `dir.join(stem).with_extension("log")`, create + append, default mode.
        let file = dir.join(super::LOG_FILE_STEM).with_extension("log");
        let mut plugin = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o666)
            .open(&file)
            .unwrap();
        plugin.write_all(b"line\n").unwrap();
        assert_eq!(
            mode(&file),
            "600",
            "the plugin must find the file already created owner-only, or it creates it 0644"
        );
        assert_eq!(mode(&dir), "700", "the log directory is owner-only");

        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        super::prepare_log_file(&dir).unwrap();
        assert_eq!(
            (mode(&dir), mode(&file)),
            ("700".to_owned(), "600".to_owned()),
            "a directory and file left wide by an older version are narrowed at start"
        );
        assert_eq!(
            std::fs::read(&file).unwrap(),
            b"line\n",
            "preparing never truncates the log"
        );
    }
}
