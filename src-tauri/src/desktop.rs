//! The shell's side effects: opening URLs, the clipboard, the save dialog, events and the main
//! window. Opening and copying happen only from Rust, after the core's link checks: the web UI
//! has no opener, clipboard or dialog permission.

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use sdesk_core::desk::{events, ApiWaitEvent, CheckedLink, Desk, ExportFormat, LiveUpdate};
use sdesk_core::ErrorKind;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

/// Label of the main window (tauri.conf.json, capability "main").
pub const MAIN_WINDOW: &str = "main";

/// Opens a session link with the OS (TeamViewer hand-off page, WebClient, the mail client for
/// the invitation). Only a [`CheckedLink`] can be opened this way, i.e. a link that passed the
/// core's allow-list ([`sdesk_core::desk::Desk::link_for`]) or the invitation the core composed;
/// the OS gets the parsed URL's serialisation, never the text the API sent.
pub fn open_link<R: Runtime>(app: &AppHandle<R>, link: &CheckedLink) -> IpcResult<()> {
    open_url(app, link.as_str())
}

/// Opens `url` with the OS. Besides [`open_link`], the only caller is the sign-in, with the
/// authorize URL the core built (a parsed `Url`); session links never come here directly.
pub fn open_url<R: Runtime>(app: &AppHandle<R>, url: &str) -> IpcResult<()> {
    #[cfg(debug_assertions)]
    if let Some(log) = &app.state::<AppState>().test_hooks.open_log {
        return append_line(log, url);
    }
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| IpcError::new(ErrorKind::Io, format!("could not open the link: {e}")))
}

/// Puts `text` on the clipboard.
pub fn copy_text<R: Runtime>(app: &AppHandle<R>, text: &str) -> IpcResult<()> {
    #[cfg(debug_assertions)]
    if let Some(log) = &app.state::<AppState>().test_hooks.clipboard_log {
        return append_line(log, &text.replace(['\r', '\n'], "\\n"));
    }
    app.clipboard().write_text(text).map_err(|e| {
        IpcError::new(
            ErrorKind::Io,
            format!("could not copy to the clipboard: {e}"),
        )
    })
}

/// What a save dialog offers: its title, the suggested file name, and the one file type.
#[derive(Debug, Clone, Copy)]
pub struct SaveAs<'a> {
    /// The dialog's title.
    pub title: &'a str,
    /// The suggested file name (with its extension).
    pub file_name: &'a str,
    /// The file type's name in the dialog (`CSV`, `Excel workbook`).
    pub filter: &'a str,
    /// Its extension, without the dot.
    pub extension: &'a str,
}

impl SaveAs<'static> {
    /// The log view's export in `format`.
    pub fn log_export(format: ExportFormat) -> Self {
        match format {
            ExportFormat::Csv => SaveAs {
                title: "Export connection log",
                file_name: "connection-log.csv",
                filter: "CSV",
                extension: "csv",
            },
            ExportFormat::Xlsx => SaveAs {
                title: "Export connection log",
                file_name: "connection-log.xlsx",
                filter: "Excel workbook",
                extension: "xlsx",
            },
        }
    }
}

/// Asks where to save an export; `None` when the user cancels.
pub async fn choose_export_path<R: Runtime>(
    app: &AppHandle<R>,
    save: SaveAs<'_>,
) -> Option<PathBuf> {
    #[cfg(debug_assertions)]
    if let Some(path) = &app.state::<AppState>().test_hooks.save_path {
        return Some(path.clone());
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title(save.title)
        .add_filter(save.filter, &[save.extension])
        .set_file_name(save.file_name)
        .save_file(move |path| {
            let _ = tx.send(path);
        });
    rx.await.ok().flatten().and_then(|p| p.into_path().ok())
}

/// Emits an event to the UI; a failure (no window yet) is only logged.
pub fn emit<R: Runtime, S: Serialize + Clone>(app: &AppHandle<R>, event: &str, payload: S) {
    if let Err(e) = app.emit(event, payload) {
        tracing::warn!(event, "could not emit an event: {e}");
    }
}

/// Forwards the desk's waits before retries to the main window: `api-wait` while an API call
/// waits (rate limit, or a server or network failure worth showing; the core decides which),
/// `api-wait-over` when that call ends.
pub fn forward_waits<R: Runtime>(app: &AppHandle<R>, desk: &Desk) {
    let app = app.clone();
    desk.set_wait_listener(Some(Arc::new(move |event| {
        let sent = match event {
            ApiWaitEvent::Waiting(wait) => app.emit_to(MAIN_WINDOW, events::API_WAIT, wait),
            ApiWaitEvent::Over(over) => app.emit_to(MAIN_WINDOW, events::API_WAIT_OVER, over),
        };
        if let Err(e) = sent {
            tracing::warn!("could not tell the window about a wait: {e}");
        }
    })));
}

/// Forwards the live session list to the main window as `live` events (sessions added,
/// changed, removed or expired, customers waiting, groups, freshness). When this forwarder falls
/// behind it sends the whole state instead (`LiveUpdate::Snapshot`).
pub fn forward_live<R: Runtime>(app: &AppHandle<R>, desk: &Desk) {
    use tokio::sync::broadcast::error::RecvError;
    let mut updates = desk.subscribe_live();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            let update = match updates.recv().await {
                Ok(update) => update,
                Err(RecvError::Lagged(_)) => match app.try_state::<AppState>() {
                    Some(state) => LiveUpdate::Snapshot {
                        snapshot: state.desk.live_snapshot(),
                    },
                    None => continue,
                },
                Err(RecvError::Closed) => return,
            };
            if let Err(e) = app.emit_to(MAIN_WINDOW, events::LIVE, &update) {
                tracing::warn!("could not send a live update to the window: {e}");
            }
        }
    });
}

/// Forwards every change of the archive's sync to the main window as `archive-sync` events.
pub fn forward_archive_sync<R: Runtime>(app: &AppHandle<R>, desk: &Desk) {
    let mut status = desk.subscribe_archive_sync();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while status.changed().await.is_ok() {
            let now = status.borrow_and_update().clone();
            emit(&app, events::ARCHIVE_SYNC, now);
        }
    });
}

/// Forwards every new billing worklist to the UI as `billing-worklist` (after a sync, a rates
/// change, a manual merge or split, Mark billed).
pub fn forward_billing<R: Runtime>(app: &AppHandle<R>, desk: &Desk) {
    let mut worklist = desk.subscribe_billing();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while worklist.changed().await.is_ok() {
            let now = worklist.borrow_and_update().clone();
            if let Some(now) = now {
                emit(&app, events::BILLING_WORKLIST, now);
            }
        }
    });
}

/// Emits `insight` with the Insight tab's state whenever it changes (a period computed, a
/// recomputation after a sync).
pub fn forward_insight<R: Runtime>(app: &AppHandle<R>, desk: &Desk) {
    let mut state = desk.subscribe_insight();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while state.changed().await.is_ok() {
            let now = state.borrow_and_update().clone();
            emit(&app, events::INSIGHT, now);
        }
    });
}

/// Emits `auth-changed` with the desk's status whenever the core notices that the API refused
/// the sign-in for good, whatever noticed it (the live list in the background, a user action,
/// the log loader): the window then shows "Signed out — sign in again".
pub fn forward_auth_lost<R: Runtime>(app: &AppHandle<R>, desk: &Desk) {
    use tokio::sync::broadcast::error::RecvError;
    let mut lost = desk.subscribe_auth_lost();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match lost.recv().await {
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
            let Some(state) = app.try_state::<AppState>() else {
                continue;
            };
            match state.desk.status().await {
                Ok(status) => emit(&app, events::AUTH_CHANGED, status),
                Err(e) => tracing::warn!(kind = %e.kind(), "cannot read the sign-in state: {e}"),
            }
        }
    });
}

/// Tells the live list whether the main window can be seen: visible and not minimised polls
/// every 30 s, hidden or minimised every 2 min. Called on focus and resize events (minimising
/// resizes) and when the window is shown.
pub fn window_visibility_changed<R: Runtime>(window: &tauri::Window<R>) {
    if window.label() != MAIN_WINDOW {
        return;
    }
    let visible = window.is_visible().unwrap_or(true) && !window.is_minimized().unwrap_or(false);
    if let Some(state) = window.try_state::<AppState>() {
        state.desk.set_window_visible(visible);
    }
}

/// Shows and focuses the main window (after the UI's first paint, or by the fallback timer,
/// or when a second instance was started).
pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(state) = app.try_state::<AppState>() {
        state.window_shown.store(true, Ordering::SeqCst);
    }
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        if let Err(e) = window.show() {
            tracing::warn!("could not show the main window: {e}");
        }
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// Paints the hidden window in the theme's background before it is shown, so there is no white
/// flash in dark mode. The UI uses the same colours for its page background.
pub fn paint_background<R: Runtime>(app: &AppHandle<R>) {
    let Some(window) = app.get_webview_window(MAIN_WINDOW) else {
        return;
    };
    let color = match window.theme() {
        Ok(tauri::Theme::Dark) => tauri::window::Color(0x1c, 0x1c, 0x1e, 0xff),
        _ => tauri::window::Color(0xff, 0xff, 0xff, 0xff),
    };
    if let Err(e) = window.set_background_color(Some(color)) {
        tracing::debug!("could not set the window background: {e}");
    }
}

/// Shows the main window after `delay` unless the UI already did (`app_ready`): a UI that fails
/// to load must not leave an invisible app behind.
pub fn show_window_after<R: Runtime>(app: &AppHandle<R>, delay: std::time::Duration) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(delay).await;
        let shown = app
            .try_state::<AppState>()
            .is_some_and(|s| s.window_shown.load(Ordering::SeqCst));
        if !shown {
            tracing::warn!("the UI did not report ready in time; showing the window anyway");
            show_main_window(&app);
        }
    });
}

#[cfg(debug_assertions)]
pub(crate) fn append_line(path: &std::path::Path, line: &str) -> IpcResult<()> {
    use std::io::Write as _;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| writeln!(f, "{line}"))
        .map_err(|e| IpcError::new(ErrorKind::Io, format!("test hook: {e}")))
}
