//! Settings commands.

use crate::desktop::emit;
use crate::error::IpcResult;
use crate::state::AppState;
use sdesk_core::desk::{events, Settings, SettingsView};
use sdesk_core::Secret;
use tauri::{AppHandle, Runtime, State};

/// The settings (with whether a client secret is stored; never the secret).
#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> IpcResult<SettingsView> {
    Ok(state.desk.settings_view().await)
}

/// Validates and saves the settings; a non-null `clientSecret` goes to the keyring (`""`
/// deletes it). Emits `auth-changed`, since mode and OAuth client change what sign-in means.
#[tauri::command]
pub async fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: Settings,
    client_secret: Option<String>,
) -> IpcResult<SettingsView> {
    let view = state
        .save_settings(settings, client_secret.map(Secret::new))
        .await?;
    emit(&app, events::AUTH_CHANGED, state.desk.status().await?);
    crate::window_rules::apply(&app);
    Ok(view)
}
