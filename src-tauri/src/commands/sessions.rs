//! Support-session commands.

use crate::desktop::{copy_text, open_link};
use crate::error::IpcResult;
use crate::state::AppState;
use sdesk_core::desk::{
    CloseOutcome, CopyLink, GroupDto, LiveSnapshot, NewSessionForm, OpenLink, SessionDto,
    SessionEdit, SessionListState, UserDto,
};
use tauri::{AppHandle, Runtime, State};

/// The groups for the session form.
#[tauri::command]
pub async fn list_groups(state: State<'_, AppState>) -> IpcResult<Vec<GroupDto>> {
    Ok(state.desk.groups().await?)
}

/// Creates a session code.
#[tauri::command]
pub async fn create_session(
    state: State<'_, AppState>,
    form: NewSessionForm,
) -> IpcResult<SessionDto> {
    Ok(state.desk.create_session(&form).await?)
}

/// Lists sessions in `state`, newest first. (The managed state is named `app` here because the
/// IPC argument is called `state`.)
#[tauri::command]
pub async fn list_sessions(
    app: State<'_, AppState>,
    state: SessionListState,
) -> IpcResult<Vec<SessionDto>> {
    Ok(app.desk.list_sessions(state).await?)
}

/// Closes a session; returns the open sessions afterwards.
#[tauri::command]
pub async fn close_session(state: State<'_, AppState>, code: String) -> IpcResult<Vec<SessionDto>> {
    Ok(state.desk.close_session(&code).await?)
}

/// Opens a link of a session the app knows. The core hands out a parsed, allow-listed
/// `CheckedLink` (or the invitation it composed), and only that type can be opened.
#[tauri::command]
pub async fn open_session_link<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    code: String,
    link: OpenLink,
) -> IpcResult<()> {
    let checked = state.desk.link_for(&code, link.into())?;
    open_link(&app, &checked)
}

/// Copies a link of a session the app knows (the same checked, parsed link as the opener).
#[tauri::command]
pub async fn copy_session_link<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    code: String,
    link: CopyLink,
) -> IpcResult<()> {
    let checked = state.desk.link_for(&code, link.into())?;
    copy_text(&app, checked.as_str())
}

/// Copies the code of a session the app knows (closed or expired too: the code names it).
#[tauri::command]
pub async fn copy_session_code<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    code: String,
) -> IpcResult<()> {
    let known = state.desk.session_code(&code)?;
    copy_text(&app, &known)
}

/// The live state (open sessions, groups, freshness); changes arrive as `live` events.
#[tauri::command]
pub async fn live_snapshot(state: State<'_, AppState>) -> IpcResult<LiveSnapshot> {
    Ok(state.desk.live_snapshot())
}

/// Refreshes the live session list now (the Refresh button); the result arrives as `live`
/// events. Counted against the refresher's request budget like every other refresh.
#[tauri::command]
pub async fn refresh_sessions(state: State<'_, AppState>) -> IpcResult<()> {
    state.desk.refresh_live();
    Ok(())
}

/// Edits a session's description, customer and waiting message; returns it as the API has it.
#[tauri::command]
pub async fn edit_session(
    state: State<'_, AppState>,
    code: String,
    edit: SessionEdit,
) -> IpcResult<SessionDto> {
    Ok(state.desk.edit_session(&code, &edit).await?)
}

/// Assigns a session to a colleague (`u0`: nobody); returns it as the API has it.
#[tauri::command]
pub async fn assign_session(
    state: State<'_, AppState>,
    code: String,
    user_id: String,
) -> IpcResult<SessionDto> {
    Ok(state.desk.assign_session(&code, &user_id).await?)
}

/// Closes several sessions, with a result per session.
#[tauri::command]
pub async fn close_sessions(
    state: State<'_, AppState>,
    codes: Vec<String>,
) -> IpcResult<Vec<CloseOutcome>> {
    Ok(state.desk.close_sessions(&codes).await)
}

/// The colleagues to assign sessions to.
#[tauri::command]
pub async fn list_users(state: State<'_, AppState>) -> IpcResult<Vec<UserDto>> {
    Ok(state.desk.users().await?)
}

/// Copies the invitation of a session as plain text, signed with the supporter's name.
#[tauri::command]
pub async fn copy_invitation_text<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    code: String,
) -> IpcResult<()> {
    let text = state.desk.invitation_text(&code).await?;
    copy_text(&app, &text)
}
