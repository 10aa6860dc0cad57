//! End-of-session documentation on the desktop: the list goes to the window as
//! `documentation` events, and the sessions that became undocumented in a sync are announced
//! by one notification (when notifications are on) whose click opens the prompt. The rules and
//! texts are the core's (`Desk::subscribe_documentation*`); this module only shows them.

use crate::desktop::MAIN_WINDOW;
use crate::state::AppState;
use crate::waiting::{notify_text, DesktopState, DOCUMENT_TARGET};
use sdesk_core::desk::events;
use tauri::{AppHandle, Manager, Runtime};

/// Forwards the documentation list and its notifications. Call after the desk and the
/// desktop state are managed.
pub fn forward_documentation<R: Runtime>(app: &AppHandle<R>) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    let mut list = state.desk.subscribe_documentation();
    let mut notices = state.desk.subscribe_documentation_notices();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        while list.changed().await.is_ok() {
            let now = list.borrow_and_update().clone();
            if let Err(e) =
                tauri::Emitter::emit_to(&handle, MAIN_WINDOW, events::DOCUMENTATION, now)
            {
                tracing::warn!("could not send the documentation list to the window: {e}");
            }
        }
    });
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            let notice = match notices.recv().await {
                Ok(notice) => notice,
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return,
            };
            let (Some(state), Some(desktop)) = (
                handle.try_state::<AppState>(),
                handle.try_state::<DesktopState>(),
            ) else {
                continue;
            };
            if state.desk.settings().desktop.notifications {
                notify_text(
                    &handle,
                    &desktop,
                    &notice.title,
                    &notice.body,
                    format!("{DOCUMENT_TARGET}{}", notice.id),
                );
            }
        }
    });
}
