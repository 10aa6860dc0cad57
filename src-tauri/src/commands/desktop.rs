//! Desktop commands: how notifications stand, and the answer to "customers are waiting" when
//! the window was closed.

use crate::error::IpcResult;
use crate::waiting::notification_state;
use sdesk_core::desk::{CloseAction, NotificationState};
use tauri::{AppHandle, Runtime};

/// Whether waiting-customer notifications reach the user (off, allowed, or blocked and why).
#[tauri::command]
pub async fn notification_status<R: Runtime>(app: AppHandle<R>) -> IpcResult<NotificationState> {
    Ok(notification_state(&app))
}

/// Closes the window as the user chose after `closeRequested`: `hideToTray` or `quit`
/// (`ask`: keep it open).
#[tauri::command]
pub async fn close_window<R: Runtime>(app: AppHandle<R>, action: CloseAction) -> IpcResult<()> {
    crate::window_rules::close_with(&app, action);
    Ok(())
}
