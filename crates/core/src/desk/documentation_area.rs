//! The documentation area of the desk: after each archive sync, the signed-in supporter's
//! sessions that ended since documentation was switched on and still have empty notes become
//! the undocumented list (`documentation` event); the ones that joined it in that sync are
//! announced once (a desktop notification). The list is kept in `documentation.json` beside the
//! settings, so it survives a restart; it is checked against the archive at every look, so a
//! session documented elsewhere (TeamViewer's console, the log view) leaves it by itself.
//!
//! Writing the notes is the facade's: it sends them through the log area's edit path (API
//! first, then the archive; kept as a pending edit while the API cannot be reached).

use super::archive_area::ArchiveStore;
use super::connection::{lock, Shared};
use super::documentation::{
    documentation_notice, notes_are_empty, DocumentationFile, DocumentationMode,
    DocumentationNotice, DocumentationState, UndocumentedSession,
};
use super::signin::SignIn;
use crate::error::{Error, Result};
use crate::models::{ConnectionReport, ReportQuery};
use chrono::Duration;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, watch};

/// How long before `since` a session may have started and still count (it ended after).
const LONGEST_SESSION: Duration = Duration::days(2);
/// Sessions that ended longer ago than this leave the list (and the archive query stays small).
pub const DOCUMENTATION_HORIZON_DAYS: i64 = 90;

#[derive(Debug, Default)]
struct Inner {
    /// The state file as last read or written (`None` before the first look).
    file: Option<DocumentationFile>,
    /// The listed sessions' reports, for writing their notes.
    records: HashMap<String, ConnectionReport>,
}

/// The documentation area.
#[derive(Debug)]
pub(super) struct Documentation {
    shared: Arc<Shared>,
    signin: Arc<SignIn>,
    archive: Option<Arc<dyn ArchiveStore>>,
    /// `documentation.json` (`None`: memory only, for tests).
    path: Option<PathBuf>,
    inner: Mutex<Inner>,
    /// One look at a time (a sync's look and the UI's may overlap).
    run: tokio::sync::Mutex<()>,
    state: watch::Sender<DocumentationState>,
    notices: broadcast::Sender<DocumentationNotice>,
}

impl Documentation {
    pub(super) fn new(
        shared: Arc<Shared>,
        signin: Arc<SignIn>,
        archive: Option<Arc<dyn ArchiveStore>>,
        path: Option<PathBuf>,
    ) -> Self {
        let mode = shared.conn().settings.documentation.mode;
        let (state, _) = watch::channel(DocumentationState::empty(mode));
        let (notices, _) = broadcast::channel(16);
        Self {
            shared,
            signin,
            archive,
            path,
            inner: Mutex::new(Inner::default()),
            run: tokio::sync::Mutex::new(()),
            state,
            notices,
        }
    }

    pub(super) fn state(&self) -> DocumentationState {
        self.state.borrow().clone()
    }

    pub(super) fn subscribe(&self) -> watch::Receiver<DocumentationState> {
        self.state.subscribe()
    }

    pub(super) fn subscribe_notices(&self) -> broadcast::Receiver<DocumentationNotice> {
        self.notices.subscribe()
    }

    fn mode(&self) -> DocumentationMode {
        self.shared.conn().settings.documentation.mode
    }

    /// The state file, read on first use.
    fn file(&self) -> DocumentationFile {
        let mut inner = lock(&self.inner);
        inner
            .file
            .get_or_insert_with(|| {
                self.path
                    .as_deref()
                    .map(DocumentationFile::load)
                    .unwrap_or_default()
            })
            .clone()
    }

    /// Keeps `file` (in memory, and on disk when it changed).
    fn keep(&self, file: DocumentationFile) {
        let mut inner = lock(&self.inner);
        if inner.file.as_ref() == Some(&file) {
            return;
        }
        if let Some(path) = &self.path {
            if let Err(e) = file.save(path) {
                tracing::warn!(kind = %e.kind(), "the documentation list was not saved: {e}");
            }
        }
        inner.file = Some(file);
    }

    fn publish(&self, state: DocumentationState) {
        self.state.send_if_modified(|s| {
            let changed = *s != state;
            *s = state;
            changed
        });
    }

    /// Reads the list again from the archive. With `announce` (after a sync) the sessions that
    /// joined the list are announced once. Nothing is listed while off, signed out or without an
    /// archive; an archive error keeps the list as it was (and is logged).
    pub(super) async fn refresh(&self, announce: bool) {
        let _one = self.run.lock().await;
        let mode = self.mode();
        let Some(archive) = self
            .archive
            .as_ref()
            .filter(|_| mode != DocumentationMode::Off)
        else {
            lock(&self.inner).records.clear();
            self.publish(DocumentationState::empty(mode));
            return;
        };
        let userid = match self.signin.status().await {
            Ok(status) if status.signed_in => status.account.map(|a| a.userid),
            _ => None,
        };
        let Some(userid) = userid else {
            lock(&self.inner).records.clear();
            self.publish(DocumentationState::empty(mode));
            return;
        };
        let now = self.shared.clock.now();
        let mut file = self.file();
        let since = *file.since.get_or_insert(now);
        if file.userid.as_deref() != Some(userid.as_str()) {
            // Another supporter's list is not this one's.
            file.userid = Some(userid.clone());
            file.undocumented.clear();
            file.skipped.clear();
        }
        let horizon = now - Duration::days(DOCUMENTATION_HORIZON_DAYS);
        let from = since.max(horizon);
        let query = ReportQuery {
            userid: Some(userid.clone()),
            from_date: Some(from - LONGEST_SESSION),
            ..ReportQuery::default()
        };
        let (records, pending) = match read(&**archive, &query).await {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(kind = %e.kind(), "the documentation list was not read: {e}");
                return;
            }
        };
        let seen: HashSet<&str> = records.iter().map(|r| r.id.as_str()).collect();
        // A skipped session that left the window is of no more use.
        file.skipped.retain(|id| seen.contains(id.as_str()));
        let mut listed: Vec<(UndocumentedSession, ConnectionReport)> = records
            .iter()
            .filter(|r| r.userid.as_deref() == Some(userid.as_str()))
            .filter(|r| notes_are_empty(r) && !pending.contains(&r.id))
            .filter(|r| !file.skipped.contains(&r.id))
            .filter_map(|r| {
                let s = UndocumentedSession::from_report(r)?;
                (s.end >= from).then(|| (s, r.clone()))
            })
            .collect();
        listed.sort_by(|a, b| a.0.end.cmp(&b.0.end).then_with(|| a.0.id.cmp(&b.0.id)));
        let before: HashSet<String> = file.undocumented.iter().cloned().collect();
        let joined: Vec<UndocumentedSession> = listed
            .iter()
            .filter(|(s, _)| !before.contains(&s.id))
            .map(|(s, _)| s.clone())
            .collect();
        file.undocumented = listed.iter().map(|(s, _)| s.id.clone()).collect();
        self.keep(file);
        let sessions: Vec<UndocumentedSession> = listed.iter().map(|(s, _)| s.clone()).collect();
        lock(&self.inner).records = listed.into_iter().map(|(s, r)| (s.id, r)).collect();
        self.publish(DocumentationState { mode, sessions });
        if announce {
            if let Some(notice) = documentation_notice(self.shared.language(), &joined) {
                // Nobody listening (tests, no shell) is fine.
                let _ = self.notices.send(notice);
            }
        }
    }

    /// The setting changed from `before` to `after`: switched on, the list starts now (sessions
    /// that ended before are not asked about); switched off, it is dropped. Then a new look.
    pub(super) async fn mode_changed(&self, before: DocumentationMode, after: DocumentationMode) {
        if before != after && (before == DocumentationMode::Off || after == DocumentationMode::Off)
        {
            let mut file = self.file();
            file.since = (after != DocumentationMode::Off).then(|| self.shared.clock.now());
            file.undocumented.clear();
            file.skipped.clear();
            self.keep(file);
        }
        self.refresh(false).await;
    }

    /// The report of a listed session, for writing its notes.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the session is not on the list.
    pub(super) fn record(&self, id: &str) -> Result<ConnectionReport> {
        lock(&self.inner)
            .records
            .get(id)
            .cloned()
            .ok_or_else(|| not_listed(id))
    }

    /// A listed session was documented: it leaves the list.
    pub(super) async fn documented(&self, id: &str) {
        let _one = self.run.lock().await;
        self.remove(id, false);
    }

    /// Skips a listed session (ask mode only): it leaves the list for good.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when documentation is required; [`Error::NotFound`] when the
    /// session is not on the list.
    pub(super) async fn skip(&self, id: &str) -> Result<()> {
        // Not between a look's read of the file and its write (the skip would be lost).
        let _one = self.run.lock().await;
        if self.mode() == DocumentationMode::Required {
            return Err(Error::invalid(
                "skip",
                "documentation is required: every session needs its notes",
            ));
        }
        self.record(id)?;
        self.remove(id, true);
        Ok(())
    }

    /// Takes `id` off the list (callers hold `run`).
    fn remove(&self, id: &str, skipped: bool) {
        let mut file = self.file();
        file.undocumented.retain(|x| x != id);
        if skipped {
            file.skipped.insert(id.to_owned());
        }
        self.keep(file);
        lock(&self.inner).records.remove(id);
        let mut state = self.state();
        state.sessions.retain(|s| s.id != id);
        self.publish(state);
    }

    /// Signed out: nothing is listed (the file stays for the next sign-in of the same
    /// supporter).
    pub(super) fn forget(&self) {
        lock(&self.inner).records.clear();
        self.publish(DocumentationState::empty(self.mode()));
    }
}

/// The archived reports of `query` and the ids with notes waiting to be sent (they count as
/// documented).
async fn read(
    archive: &dyn ArchiveStore,
    query: &ReportQuery,
) -> Result<(Vec<ConnectionReport>, HashSet<String>)> {
    let records = archive.records(query).await?;
    let pending = archive
        .pending_edits()
        .await?
        .into_iter()
        .filter(|e| {
            e.update
                .notes
                .as_deref()
                .is_some_and(|n| !n.trim().is_empty())
        })
        .map(|e| e.report_id)
        .collect();
    Ok((records, pending))
}

fn not_listed(id: &str) -> Error {
    Error::NotFound {
        message: format!("connection report {id} is not on the list of sessions to document"),
    }
}
