//! App-level commands.

use crate::desktop::show_main_window;
use crate::error::IpcResult;
use crate::state::AppState;
use sdesk_core::desk::AppInfo;
use sdesk_core::error::ErrorReport;
use tauri::{AppHandle, Runtime, State};

/// Name and versions.
#[tauri::command]
pub async fn app_info() -> IpcResult<AppInfo> {
    Ok(AppInfo::new(env!("CARGO_PKG_VERSION")))
}

/// Called by the UI after its first render: shows the (initially hidden) main window, and
/// returns a problem found at startup (damaged settings file, sandbox failure) to show.
#[tauri::command]
pub async fn app_ready<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> IpcResult<Option<ErrorReport>> {
    // Started at login with "start minimised": the tray shows the window when asked.
    if crate::window_rules::starts_hidden(&app) {
        tracing::info!("the UI is ready; the window stays in the tray (started minimised)");
    } else {
        show_main_window(&app);
    }
    Ok(state.startup_error())
}
