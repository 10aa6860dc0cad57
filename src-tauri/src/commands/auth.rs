//! Sign-in commands.

use crate::desktop::{emit, open_url};
use crate::error::IpcResult;
use crate::signin::spawn_watch;
use crate::state::AppState;
use sdesk_core::desk::{events, AuthStatus};
use sdesk_core::Secret;
use tauri::{AppHandle, Runtime, State};

/// The sign-in state (never a token).
#[tauri::command]
pub async fn auth_status(state: State<'_, AppState>) -> IpcResult<AuthStatus> {
    Ok(state.desk.status().await?)
}

/// Starts the OAuth sign-in: opens the consent page in the system browser. The result arrives
/// later as `auth-changed` or `sign-in-failed`.
#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> IpcResult<AuthStatus> {
    let start = state.desk.begin_sign_in().await?;
    spawn_watch(&app, start.watch);
    if let Err(e) = open_url(&app, start.authorize_url.as_str()) {
        state.desk.cancel_sign_in();
        return Err(e);
    }
    Ok(state.desk.status().await?)
}

/// Cancels the pending sign-in.
#[tauri::command]
pub async fn cancel_sign_in<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> IpcResult<AuthStatus> {
    state.desk.cancel_sign_in();
    let status = state.desk.status().await?;
    emit(&app, events::AUTH_CHANGED, status.clone());
    Ok(status)
}

/// Signs in with a pasted script token (validated with `GET /ping`, then stored).
#[tauri::command]
pub async fn sign_in_with_script_token<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    token: String,
) -> IpcResult<AuthStatus> {
    let status = state
        .desk
        .sign_in_with_script_token(Secret::new(token))
        .await?;
    emit(&app, events::AUTH_CHANGED, status.clone());
    Ok(status)
}

/// Signs out (revokes an OAuth token, clears the keyring).
#[tauri::command]
pub async fn sign_out<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> IpcResult<AuthStatus> {
    let status = state.desk.sign_out().await?;
    emit(&app, events::AUTH_CHANGED, status.clone());
    Ok(status)
}
