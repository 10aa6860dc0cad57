//! Insight commands: the Insight tab's figures (the core's `Desk::insight`). Changes also
//! arrive as `insight` events (`desktop::forward_insight`), the one feed of the UI's store.

use crate::error::IpcResult;
use crate::state::AppState;
use sdesk_core::desk::{InsightPeriod, InsightState};
use tauri::State;

/// Computes the figures of `period` from the archive and returns them (they are emitted as
/// `insight` too; a newer request supersedes this one).
#[tauri::command]
pub async fn insight(state: State<'_, AppState>, period: InsightPeriod) -> IpcResult<InsightState> {
    Ok(state.desk.insight(period).await?)
}

/// The Insight tab's state now (period, figures, whether they are being computed).
#[tauri::command]
pub async fn insight_state(state: State<'_, AppState>) -> IpcResult<InsightState> {
    Ok(state.desk.insight_state())
}
