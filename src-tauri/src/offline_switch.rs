//! Debug builds only: the E2E tests' offline switch for the built-in sandbox
//! (`SDESK_TEST_SANDBOX_OFFLINE=<file>`, e2e/50-offline.test.mjs). While the file exists the
//! sandbox is stopped, so its port refuses connections as an unreachable TeamViewer would; when
//! the file is removed it starts again on the same port with the same data and script token
//! (the desk keeps its origin and its sign-in). A file that exists at launch takes the sandbox
//! off before the desk sends anything. The file is looked at every 100 ms.

use crate::state::AppState;
use std::path::PathBuf;
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime};

const POLL: Duration = Duration::from_millis(100);

/// Applies the switch's state at launch (before the background sync and any sign-in start),
/// then follows the file for the rest of the run.
pub fn start<R: Runtime>(app: &AppHandle<R>, state: &AppState, file: PathBuf) {
    let mut offline = file.exists();
    if offline {
        tauri::async_runtime::block_on(apply(state, true));
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(POLL).await;
            let now = file.exists();
            if now == offline {
                continue;
            }
            let Some(state) = app.try_state::<AppState>() else {
                continue;
            };
            apply(&state, now).await;
            offline = now;
        }
    });
}

async fn apply(state: &AppState, offline: bool) {
    match state.set_sandbox_offline(offline).await {
        Ok(true) if offline => tracing::info!("test switch: the sandbox is offline"),
        Ok(true) => tracing::info!("test switch: the sandbox is back"),
        Ok(false) => {}
        Err(e) => tracing::warn!("test switch: {e}"),
    }
}
