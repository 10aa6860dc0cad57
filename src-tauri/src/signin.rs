//! Where sign-in callbacks arrive: OS deep links (while running, via single-instance and the
//! deep-link plugin; at cold start, via `get_current`) and the loopback listener. All of them go
//! to the same core handler, and a deep link never does anything but complete a pending sign-in.

use crate::desktop::{emit, show_main_window};
use crate::error::IpcError;
use crate::state::AppState;
use sdesk_core::desk::{events, CallbackOutcome, SignInWatch};
use tauri::{AppHandle, Manager, Runtime};

/// Handles URLs the OS handed to the app, each on its own task.
pub fn handle_urls<R: Runtime>(app: &AppHandle<R>, urls: Vec<String>) {
    for url in urls {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            handle_callback(&app, &url).await;
        });
    }
}

/// Completes the pending sign-in with `url` and tells the UI. Malformed, forged and stray URLs
/// are ignored (the core logs them without their query). Returns what happened, for tests.
pub async fn handle_callback<R: Runtime>(app: &AppHandle<R>, url: &str) -> CallbackOutcome {
    let Some(state) = app.try_state::<AppState>() else {
        return CallbackOutcome::Ignored(sdesk_core::Error::Config {
            message: "the app is still starting".into(),
        });
    };
    let outcome = state.desk.complete_sign_in(url).await;
    report(app, &state, &outcome).await;
    outcome
}

/// Runs the background part of a sign-in (loopback listener, 5-minute window).
pub fn spawn_watch<R: Runtime>(app: &AppHandle<R>, watch: SignInWatch) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        if let Some(outcome) = state.desk.watch_sign_in(watch).await {
            report(&app, &state, &outcome).await;
        }
    });
}

/// `auth-changed` after a sign-in; `sign-in-failed` (then `auth-changed`) when the sign-in
/// ended without success; nothing for an ignored callback.
async fn report<R: Runtime>(app: &AppHandle<R>, state: &AppState, outcome: &CallbackOutcome) {
    match outcome {
        CallbackOutcome::SignedIn(status) => {
            emit(app, events::AUTH_CHANGED, status.clone());
            show_main_window(app);
        }
        CallbackOutcome::Failed(e) => {
            emit(app, events::SIGN_IN_FAILED, IpcError(e.report()));
            if let Ok(status) = state.desk.status().await {
                emit(app, events::AUTH_CHANGED, status);
            }
        }
        CallbackOutcome::Ignored(_) => {}
    }
}
