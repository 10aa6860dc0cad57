//! Connection-log commands.

use crate::desktop::{choose_export_path, copy_text, emit, SaveAs};
use crate::error::IpcResult;
use crate::state::AppState;
use sdesk_core::desk::{
    events, ArchiveProblem, ArchiveRebuilt, ArchiveSyncStatus, ExportOptions, ExportResult,
    LogPage, LogQuery, LogSummary, LogView, ProgressThrottle,
};
use sdesk_core::logs::{FetchProgress, LogRow};
use tauri::{AppHandle, Runtime, State};

/// Loads the connection reports; progress arrives as `logs-progress` (≤ 20 per second).
#[tauri::command]
pub async fn load_logs<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    query: LogQuery,
) -> IpcResult<LogSummary> {
    Ok(state
        .desk
        .load_logs(&query, &mut progress_events(&app))
        .await?)
}

/// Loads the archived records of `query`'s period from the archive, with no network (the log
/// view at launch, offline too). With `firstScreen` the period's newest rows are in the store
/// first: a `logs-progress` event with `inView` says so before the whole period is read.
#[tauri::command]
pub async fn load_archived_logs<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    query: LogQuery,
    first_screen: Option<bool>,
) -> IpcResult<LogSummary> {
    Ok(state
        .desk
        .load_archived_logs(
            &query,
            first_screen.unwrap_or(false),
            &mut progress_events(&app),
        )
        .await?)
}

/// The archive's sync: state, progress, last sync, pending edits (changes also arrive as
/// `archive-sync` events).
#[tauri::command]
pub async fn archive_sync_status(state: State<'_, AppState>) -> IpcResult<ArchiveSyncStatus> {
    Ok(state.desk.archive_sync_status())
}

/// Syncs the archive now (the Sync button); progress arrives as `archive-sync` events.
#[tauri::command]
pub async fn sync_archive(state: State<'_, AppState>) -> IpcResult<ArchiveSyncStatus> {
    Ok(state.desk.sync_archive().await?)
}

/// Stops a running archive sync between pages; what was committed stays.
#[tauri::command]
pub async fn cancel_archive_sync(state: State<'_, AppState>) -> IpcResult<()> {
    state.desk.cancel_archive_sync();
    Ok(())
}

/// Forwards paging progress to the UI as `logs-progress` events, throttled to the UI's pace
/// (the final report always passes).
fn progress_events<R: Runtime>(app: &AppHandle<R>) -> impl FnMut(&FetchProgress) + Send + '_ {
    let mut throttle = ProgressThrottle::per_ui_frame();
    move |p: &FetchProgress| {
        if throttle.ready(p) {
            emit(app, events::LOGS_PROGRESS, *p);
        }
    }
}

/// Stops a running load; its partial rows stay.
#[tauri::command]
pub async fn cancel_logs(state: State<'_, AppState>) -> IpcResult<()> {
    state.desk.cancel_logs();
    Ok(())
}

/// Continues an interrupted load from its last cursor.
#[tauri::command]
pub async fn resume_logs<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> IpcResult<LogSummary> {
    Ok(state.desk.resume_logs(&mut progress_events(&app)).await?)
}

/// Filters and sorts the loaded rows; answers with the totals and the rows from `offset` (the
/// table's first window), so a keystroke costs one round trip.
#[tauri::command]
pub async fn apply_log_view(
    state: State<'_, AppState>,
    view: LogView,
    offset: usize,
    limit: usize,
) -> IpcResult<LogPage> {
    Ok(state.desk.apply_log_view(&view, offset, limit))
}

/// A window of the view for the virtualised table.
#[tauri::command]
pub async fn log_rows(
    state: State<'_, AppState>,
    offset: usize,
    limit: usize,
) -> IpcResult<Vec<LogRow>> {
    Ok(state.desk.log_rows(offset, limit))
}

/// Asks for a file (save dialog) and writes exactly the rows in view as CSV or XLSX; `null`
/// when cancelled.
#[tauri::command]
pub async fn export_logs<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    options: ExportOptions,
) -> IpcResult<Option<ExportResult>> {
    let Some(path) = choose_export_path(&app, SaveAs::log_export(options.format)).await else {
        return Ok(None);
    };
    Ok(Some(state.desk.export_view(&path, options).await?))
}

/// Copies a record's ticket text block to the clipboard.
#[tauri::command]
pub async fn log_ticket_text<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> IpcResult<()> {
    let text = state.desk.ticket_text(&id)?;
    copy_text(&app, &text)
}

/// Saves notes and billing state of a record (API, then the loaded rows).
#[tauri::command]
pub async fn update_log_record(
    state: State<'_, AppState>,
    id: String,
    notes: String,
    billing_state: String,
) -> IpcResult<LogRow> {
    Ok(state
        .desk
        .update_log_record(&id, &notes, &billing_state)
        .await?)
}

/// Why the archive could not be opened at launch, and whether a rebuild is offered (`None`:
/// the archive is open, or the run has none for another reason the startup notice gave).
#[tauri::command]
pub async fn archive_problem(state: State<'_, AppState>) -> IpcResult<Option<ArchiveProblem>> {
    Ok(state
        .archive_problem
        .clone()
        .map(|(error, can_rebuild)| ArchiveProblem { error, can_rebuild }))
}

/// Rebuilds a damaged archive: the file is moved aside (never deleted) as
/// `archive.sqlite3.damaged-…` and a new, empty archive is created; then the app restarts
/// (about a second after answering) so every part uses the new archive and syncs it.
#[tauri::command]
pub async fn rebuild_archive<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> IpcResult<ArchiveRebuilt> {
    if !state.archive_problem.as_ref().is_some_and(|(_, can)| *can) {
        return Err(sdesk_core::Error::invalid(
            "archive",
            "the archive is not damaged; nothing to rebuild",
        )
        .into());
    }
    let (_archive, moved) = sdesk_archive::app::rebuild(&state.archive_url).await?;
    tracing::warn!("the damaged archive was moved aside; the app restarts with a new one");
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
        handle.restart();
    });
    Ok(ArchiveRebuilt {
        moved_to: moved.map(|p| p.display().to_string()),
    })
}
