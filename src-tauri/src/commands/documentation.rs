//! End-of-session documentation commands: the list of sessions to document, documenting one
//! (notes and ticket number, written back with `PUT`), skipping one. Changes also arrive as
//! `documentation` events.

use crate::error::IpcResult;
use crate::state::AppState;
use sdesk_core::desk::DocumentationState;
use tauri::State;

/// The signed-in supporter's sessions to document (read again from the archive).
#[tauri::command]
pub async fn documentation_state(state: State<'_, AppState>) -> IpcResult<DocumentationState> {
    Ok(state.desk.documentation().await)
}

/// Documents a listed session: `notes`, plus `Ticket: …` on a line of its own when `ticket`
/// is given; returns the list afterwards.
#[tauri::command]
pub async fn document_session(
    state: State<'_, AppState>,
    id: String,
    notes: String,
    ticket: String,
) -> IpcResult<DocumentationState> {
    Ok(state.desk.document_session(&id, &notes, &ticket).await?)
}

/// Skips a listed session (setting "ask" only); returns the list afterwards.
#[tauri::command]
pub async fn skip_documentation(
    state: State<'_, AppState>,
    id: String,
) -> IpcResult<DocumentationState> {
    Ok(state.desk.skip_documentation(&id).await?)
}
