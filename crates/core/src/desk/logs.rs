//! The connection log: loading (resumable, cancellable, with progress), the filtered and
//! sorted view, CSV export, ticket text and editing notes and billing state.
//!
//! The loaded log is an `Arc<Mutex<…>>` so that a CSV export can run on a blocking thread.

use super::archive_area::ArchiveStore;
use super::connection::{lock, Shared};
use super::dto::{
    ExportFormat, ExportOptions, ExportResult, LogPage, LogQuery, LogSummary, LogView,
};
use super::MAX_ROWS_PER_WINDOW;
use crate::client::TeamViewerClient;
use crate::error::{Error, ErrorKind, Result};
use crate::logs::{
    export_csv_to_path, export_xlsx_to_path, ticket_text, FetchProgress, LogRow, LogStore,
    ReportFetch,
};
use crate::models::{ConnectionReport, ReportQuery, ReportUpdate};
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// Records of an archived period read before the rest: the log view's first screen (it shows
/// about 30 rows; the rest of the first window loads with the period).
pub const FIRST_SCREEN_ROWS: usize = 100;

/// The loaded connection log.
#[derive(Debug, Default)]
struct LogState {
    store: LogStore,
    /// The fetch of the last load, for resuming; `None` before the first load and while a run
    /// holds it.
    fetch: Option<ReportFetch>,
    cancel: CancellationToken,
    /// Bumped by every new load and every reset: a run that finds another generation when it
    /// ends was superseded and drops its records.
    generation: u64,
}

/// The connection-log area of the desk.
#[derive(Debug)]
pub(super) struct Logs {
    shared: Arc<Shared>,
    logs: Arc<Mutex<LogState>>,
    /// The connection-log archive (`None`: memory only).
    archive: Option<Arc<dyn ArchiveStore>>,
}

impl Logs {
    pub(super) fn new(shared: Arc<Shared>, archive: Option<Arc<dyn ArchiveStore>>) -> Logs {
        Logs {
            shared,
            logs: Arc::default(),
            archive,
        }
    }

    pub(super) fn has_archive(&self) -> bool {
        self.archive.is_some()
    }

    /// Replaces the loaded log with the archived records matching `query` (no network). A
    /// running load is cancelled; there is nothing to resume afterwards.
    ///
    /// The first screen comes first: the period's [`FIRST_SCREEN_ROWS`] newest records (the
    /// top of the default order) are put in the store and announced through `on_progress`
    /// (`in_view`, with the period's count) before the whole period is read, so a long period
    /// shows its newest rows at once.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for the query; [`Error::Config`] without an archive; the
    /// archive's errors; [`Error::Cancelled`] when a newer load superseded this one.
    pub(super) async fn load_archived_logs(
        &self,
        query: &LogQuery,
        first_screen: bool,
        on_progress: &mut (dyn FnMut(&FetchProgress) + Send),
    ) -> Result<LogSummary> {
        let report_query = query.to_report_query()?;
        let archive = self.archive.as_ref().ok_or_else(|| Error::Config {
            message: "the connection-log archive is not open".to_owned(),
        })?;
        let generation = {
            let mut st = lock(&self.logs);
            st.cancel.cancel();
            st.cancel = CancellationToken::new();
            st.generation += 1;
            st.fetch = None;
            st.generation
        };
        let (mut loaded, count) = if first_screen {
            let first = archive
                .newest_records(&report_query, FIRST_SCREEN_ROWS)
                .await?;
            if first.len() < FIRST_SCREEN_ROWS {
                // The whole period.
                let count = first.len() as u64;
                let mut store = LogStore::new();
                store.push_records(first); // the view is applied once, below
                (store, count)
            } else {
                let total = archive.count(&report_query).await?;
                let shown = first.len() as u64;
                {
                    let mut st = lock(&self.logs);
                    if st.generation != generation {
                        return Err(Error::Cancelled);
                    }
                    st.store.set_records(first);
                }
                on_progress(&FetchProgress {
                    pages: 0,
                    records: shown,
                    records_remaining: total.saturating_sub(shown),
                    complete: false,
                    in_view: shown,
                });
                self.read_archived(archive, &report_query).await?
            }
        } else {
            self.read_archived(archive, &report_query).await?
        };
        let mut st = lock(&self.logs);
        if st.generation != generation {
            return Err(Error::Cancelled);
        }
        let totals = loaded.finish_load_with(st.store.filter(), st.store.sort());
        st.store = loaded;
        Ok(LogSummary {
            totals,
            progress: FetchProgress {
                pages: 0,
                records: count,
                records_remaining: 0,
                complete: true,
                in_view: count,
            },
            incomplete: false,
            error: None,
        })
    }

    /// The archived records of `query` in a new store (not yet the loaded log) and their count:
    /// they go into it part by part as they are read, never all at once as typed records.
    async fn read_archived(
        &self,
        archive: &Arc<dyn ArchiveStore>,
        query: &ReportQuery,
    ) -> Result<(LogStore, u64)> {
        let loading = Arc::new(Mutex::new(LogStore::new()));
        let into = Arc::clone(&loading);
        let count = archive
            .records_in_parts(query, Box::new(move |part| lock(&into).push_records(part)))
            .await?;
        let loaded = std::mem::take(&mut *lock(&loading));
        Ok((loaded, count))
    }

    /// Forgets the loaded log; a running load is cancelled.
    pub(super) fn forget(&self) {
        let mut logs = lock(&self.logs);
        logs.cancel.cancel();
        logs.generation += 1;
        logs.fetch = None;
        logs.store.set_records(Vec::new());
    }

    /// Loads the connection reports matching `query`, replacing what was loaded. Resolves when
    /// paging ends: complete, cancelled ([`super::Desk::cancel_logs`]) or failed; in the last two cases
    /// the records received so far are kept and the summary says `incomplete` with the error.
    /// A newer load cancels this one.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for the query (nothing is requested); [`Error::Cancelled`] when a
    /// newer load or a sign-out superseded this one.
    pub(super) async fn load_logs(
        &self,
        query: &LogQuery,
        on_progress: &mut (dyn FnMut(&FetchProgress) + Send),
    ) -> Result<LogSummary> {
        let report_query = query.to_report_query()?;
        let conn = self.shared.conn();
        let (client, _scope) = self.shared.waits.observe(conn.client()?);
        let (cancel, generation) = {
            let mut st = lock(&self.logs);
            st.cancel.cancel();
            st.cancel = CancellationToken::new();
            st.generation += 1;
            st.fetch = None;
            st.store.set_records(Vec::new());
            (st.cancel.clone(), st.generation)
        };
        let fetch = ReportFetch::new(report_query);
        self.run_fetch(fetch, &client, cancel, generation, true, on_progress)
            .await
    }

    /// Continues the last load from its cursor (after a cancel or an error).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when there is nothing to resume; as [`super::Desk::load_logs`].
    pub(super) async fn resume_logs(
        &self,
        on_progress: &mut (dyn FnMut(&FetchProgress) + Send),
    ) -> Result<LogSummary> {
        let conn = self.shared.conn();
        let (client, _scope) = self.shared.waits.observe(conn.client()?);
        let (fetch, cancel, generation) = {
            let mut st = lock(&self.logs);
            let fetch = st.fetch.take().ok_or_else(|| {
                Error::invalid(
                    "connection log",
                    "there is no interrupted load to resume; load the connection log first",
                )
            })?;
            st.cancel = CancellationToken::new();
            (fetch, st.cancel.clone(), st.generation)
        };
        self.run_fetch(fetch, &client, cancel, generation, false, on_progress)
            .await
    }

    async fn run_fetch(
        &self,
        mut fetch: ReportFetch,
        client: &TeamViewerClient,
        cancel: CancellationToken,
        generation: u64,
        fresh: bool,
        on_progress: &mut (dyn FnMut(&FetchProgress) + Send),
    ) -> Result<LogSummary> {
        let outcome = fetch.run(client, &cancel, on_progress).await;
        let records = fetch.take_records();
        let mut st = lock(&self.logs);
        if st.generation != generation {
            return Err(Error::Cancelled);
        }
        let totals = if fresh {
            st.store.set_records(records)
        } else {
            st.store.extend(records)
        };
        let progress = fetch.progress();
        st.fetch = Some(fetch);
        drop(st);
        if let Err(e) = &outcome {
            tracing::info!(kind = %e.kind(), records = progress.records, "connection log incomplete: {e}");
        }
        Ok(LogSummary {
            totals,
            progress,
            incomplete: !progress.complete,
            error: outcome.err().map(|e| e.report()),
        })
    }

    /// Stops a running load between pages (its partial records are kept).
    pub(super) fn cancel_logs(&self) {
        lock(&self.logs).cancel.cancel();
    }

    /// Filters and sorts the loaded records; returns the totals of the view and its rows from
    /// `offset` (at most `limit`, capped at [`MAX_ROWS_PER_WINDOW`]).
    pub(super) fn apply_log_view(&self, view: &LogView, offset: usize, limit: usize) -> LogPage {
        let logs = &mut lock(&self.logs).store;
        let totals = logs.apply(&view.filter(), view.sort);
        let rows = logs.window_rows(offset, limit.min(MAX_ROWS_PER_WINDOW));
        LogPage {
            totals,
            offset,
            rows,
            unreadable: logs.unreadable().to_vec(),
            choices: logs.choices().clone(),
        }
    }

    /// At most `limit` (capped at [`MAX_ROWS_PER_WINDOW`]) rows of the view from `offset`.
    pub(super) fn log_rows(&self, offset: usize, limit: usize) -> Vec<LogRow> {
        lock(&self.logs)
            .store
            .window_rows(offset, limit.min(MAX_ROWS_PER_WINDOW))
    }

    /// Writes exactly the rows in view, in view order, as CSV or XLSX to `path` (atomically: a failed
    /// export never leaves half a file) on a blocking thread.
    ///
    /// # Errors
    /// File and CSV errors.
    pub(super) async fn export_view(
        &self,
        path: &Path,
        options: ExportOptions,
    ) -> Result<ExportResult> {
        let logs = Arc::clone(&self.logs);
        let target = path.to_path_buf();
        let csv = options.into();
        let rows = tokio::task::spawn_blocking(move || {
            let st = lock(&logs);
            match options.format {
                ExportFormat::Csv => export_csv_to_path(st.store.view(), &target, &csv),
                ExportFormat::Xlsx => export_xlsx_to_path(st.store.view(), &target),
            }
        })
        .await
        .map_err(|e| Error::Io(std::io::Error::other(e)))??;
        Ok(ExportResult {
            path: path.display().to_string(),
            rows,
        })
    }

    /// The ticket text block of a loaded record.
    ///
    /// # Errors
    /// [`Error::NotFound`] when no record with this id is loaded.
    pub(super) fn ticket_text(&self, id: &str) -> Result<String> {
        lock(&self.logs)
            .store
            .get(id)
            .map(|r| ticket_text(&r))
            .ok_or_else(|| not_loaded(id))
    }

    /// Saves notes and billing state of a loaded record at the API (`PUT`), then in the store;
    /// returns the updated row (its `index` is its view position, or the view length when the
    /// update moved it out of the current filter).
    ///
    /// # Errors
    /// [`Error::NotFound`] when no record with this id is loaded (nothing is sent); API errors.
    pub(super) async fn update_log_record(
        &self,
        id: &str,
        notes: &str,
        billing_state: &str,
    ) -> Result<LogRow> {
        if lock(&self.logs).store.get(id).is_none() {
            return Err(not_loaded(id));
        }
        let update = ReportUpdate {
            notes: Some(notes.to_owned()),
            billing_state: Some(billing_state.to_owned()),
        };
        let pending = self.send_update(id, &update).await?;
        let (row, record) = {
            let mut st = lock(&self.logs);
            st.store.update_record(id, &update)?;
            let index = st
                .store
                .view_position(id)
                .unwrap_or_else(|| st.store.view_len());
            let record = st.store.get(id).ok_or_else(|| not_loaded(id))?;
            (LogRow::from_record(index, &record), record)
        };
        if let (false, Some(archive)) = (pending, &self.archive) {
            // The API has the edit; the archive's copy follows. A failure here loses nothing
            // the next sync would not bring back.
            if let Err(e) = archive.save(&[record]).await {
                tracing::warn!(kind = %e.kind(), "edited record not saved in the archive: {e}");
            }
        }
        Ok(row)
    }
}

impl Logs {
    /// Sends `update` of report `id` to the API (`PUT`). When the API cannot be reached
    /// (network error, timeout) and the desk has an archive, the edit is kept there as pending
    /// instead; returns whether it was.
    async fn send_update(&self, id: &str, update: &ReportUpdate) -> Result<bool> {
        let sent = self.shared.conn().client()?.update_report(id, update).await;
        match (sent, &self.archive) {
            (Ok(()), _) => Ok(false),
            // The API could not be reached: the edit is kept in the archive, to be sent later.
            (Err(e), Some(archive))
                if matches!(e.kind(), ErrorKind::Network | ErrorKind::Timeout) =>
            {
                tracing::info!(kind = %e.kind(), "record edit kept as pending in the archive");
                archive.add_pending_edit(id, update).await?;
                Ok(true)
            }
            (Err(e), _) => Err(e),
        }
    }

    /// Writes the notes of `record` (loaded in the log or not; the billing state is left as it
    /// is) by the same path as [`Logs::update_log_record`]: the API first, then the loaded log
    /// and the archive; kept as a pending edit while the API cannot be reached. Returns whether
    /// it was kept as pending.
    ///
    /// # Errors
    /// API errors (network errors only without an archive); the archive's errors for a pending
    /// edit.
    pub(super) async fn write_notes(&self, record: &ConnectionReport, notes: &str) -> Result<bool> {
        let update = ReportUpdate {
            notes: Some(notes.to_owned()),
            billing_state: None,
        };
        let pending = self.send_update(&record.id, &update).await?;
        let loaded = {
            let mut st = lock(&self.logs);
            if st.store.get(&record.id).is_some() {
                st.store.update_record(&record.id, &update)?;
            }
            st.store.get(&record.id)
        };
        if let (false, Some(archive)) = (pending, &self.archive) {
            let mut saved = loaded.unwrap_or_else(|| record.clone());
            saved.notes = Some(notes.to_owned());
            if let Err(e) = archive.save(&[saved]).await {
                tracing::warn!(kind = %e.kind(), "documented record not saved in the archive: {e}");
            }
        }
        Ok(pending)
    }
}

fn not_loaded(id: &str) -> Error {
    Error::NotFound {
        message: format!("connection report {id} is not loaded"),
    }
}
