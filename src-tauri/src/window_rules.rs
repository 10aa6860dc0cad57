//! The window and start-up rules of the desktop settings: size and position remembered
//! (tauri-plugin-window-state, without the visibility: the window stays hidden until the UI's
//! first paint), start at login (tauri-plugin-autostart, started with [`AUTOSTART_ARG`]),
//! start minimised to the tray, and what closing the window does while customers wait.

use crate::desktop::{show_main_window, MAIN_WINDOW};
use crate::state::AppState;
use crate::waiting::{emit_desktop, emit_notification_state, refresh_tray, DesktopState};
use sdesk_core::desk::{CloseAction, CloseDecision, DesktopEvent, AUTOSTART_ARG};
use std::sync::atomic::Ordering;
use tauri::{AppHandle, Manager, Runtime};

/// The desktop plugins (not on the mock runtime: they touch the user's session).
pub fn plugins<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    use tauri_plugin_window_state::StateFlags;
    builder
        .plugin(tauri_plugin_notification::init())
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(StateFlags::all() - StateFlags::VISIBLE)
                .build(),
        )
        .plugin(
            tauri_plugin_autostart::Builder::new()
                .args([AUTOSTART_ARG])
                .build(),
        )
}

/// Applies the desktop settings after a start or a save: the autostart entry follows "start at
/// login", the window hears how notifications stand, and the tray is redrawn (the language may
/// have changed).
pub fn apply<R: Runtime>(app: &AppHandle<R>) {
    let (Some(state), Some(desktop)) =
        (app.try_state::<AppState>(), app.try_state::<DesktopState>())
    else {
        return;
    };
    if desktop.integration {
        use tauri_plugin_autostart::ManagerExt;
        let want = state.desk.settings().desktop.start_at_login;
        let autolaunch = app.autolaunch();
        let result = match autolaunch.is_enabled() {
            Ok(now) if now == want => Ok(()),
            _ if want => autolaunch.enable(),
            _ => autolaunch.disable(),
        };
        if let Err(e) = result {
            tracing::warn!("could not change the start-at-login entry: {e}");
        }
    }
    emit_notification_state(app);
    refresh_tray(app, true);
}

/// Decides at start whether the window stays hidden: started at login with "start minimised"
/// on, and only when there is a tray icon to bring it back.
pub fn decide_start_hidden<R: Runtime>(app: &AppHandle<R>, tray: bool) {
    let (Some(state), Some(desktop)) =
        (app.try_state::<AppState>(), app.try_state::<DesktopState>())
    else {
        return;
    };
    let hidden = tray
        && state
            .desk
            .settings()
            .desktop
            .start_hidden(std::env::args_os());
    desktop.start_hidden.store(hidden, Ordering::SeqCst);
    if hidden {
        tracing::info!("started at login: the window stays in the tray");
        // Hidden from the start: the live list refreshes at its hidden interval.
        state.desk.set_window_visible(false);
    }
}

/// Whether the window should stay hidden after the UI's first paint.
pub fn starts_hidden<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.try_state::<DesktopState>()
        .is_some_and(|d| d.start_hidden.load(Ordering::SeqCst))
}

/// A close request of the main window: with customers waiting, hide or ask per the setting.
pub fn on_close_requested<R: Runtime>(window: &tauri::Window<R>, api: &tauri::CloseRequestApi) {
    if window.label() != MAIN_WINDOW {
        return;
    }
    let Some(state) = window.try_state::<AppState>() else {
        return;
    };
    let waiting = state.desk.live_snapshot().waiting.len();
    match state.desk.settings().desktop.on_close(waiting) {
        CloseDecision::Close => {}
        CloseDecision::Hide => {
            api.prevent_close();
            hide(window.app_handle());
        }
        CloseDecision::Ask => {
            api.prevent_close();
            emit_desktop(
                window.app_handle(),
                DesktopEvent::CloseRequested {
                    waiting: u32::try_from(waiting).unwrap_or(u32::MAX),
                },
            );
        }
    }
}

/// The user's answer to "customers are waiting" (or the tray's Quit): hide or quit.
pub fn close_with<R: Runtime>(app: &AppHandle<R>, action: CloseAction) {
    match action {
        CloseAction::HideToTray => hide(app),
        CloseAction::Quit => app.exit(0),
        CloseAction::Ask => show_main_window(app),
    }
}

fn hide<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        if let Err(e) = window.hide() {
            tracing::warn!("could not hide the main window: {e}");
        }
        if let Some(state) = app.try_state::<AppState>() {
            state.desk.set_window_visible(false);
        }
    }
}
