//! The archive's public value types.

use chrono::{DateTime, Utc};
use sdesk_core::models::ReportQuery;
use serde::{Deserialize, Serialize};

/// A local query of the archive. `filter` has the API's meanings (teamviewer-api.md §6.1 and
/// §0.1): `from_date` keeps records that start at or after it, `to_date` records that start
/// before it (both on `start_date`); `userid`, `username`, `groupid`, `devicename`, `deviceid`,
/// `session_code` and `support_session_type` are exact matches, `groupid` `0` means "in no
/// group" and `devicename` `unnamed_device` "without a device name"; `has_code` keeps records
/// with (`true`) or without (`false`) a session code. `text` is a case-insensitive substring of
/// any text field (the log view's text columns plus session note, custom data and feedback
/// comment). Results are sorted by `start_date` (records without one last), then `id`; with
/// `newest_first` by `start_date` descending (records without one still last), then `id`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArchiveQuery {
    /// The API's filters.
    #[serde(flatten)]
    pub filter: ReportQuery,
    /// Free text; blank means no text filter.
    pub text: Option<String>,
    /// At most this many records.
    pub limit: Option<u64>,
    /// Skip this many records of the sorted result first.
    pub offset: u64,
    /// Newest start first (the log view's default order) instead of oldest first.
    pub newest_first: bool,
}

/// New, changed and unchanged records of one write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpsertCounts {
    /// Records the archive did not have.
    pub new: u64,
    /// Records whose content (the full JSON) changed.
    pub updated: u64,
    /// Records received again without a change.
    pub unchanged: u64,
}

impl UpsertCounts {
    /// Adds `other` to these counts.
    pub fn add(&mut self, other: UpsertCounts) {
        self.new += other.new;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }

    /// All records of the write.
    pub fn received(&self) -> u64 {
        self.new + self.updated + self.unchanged
    }
}

/// What the archive holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveStats {
    /// Number of records.
    pub records: u64,
    /// Earliest `start_date`.
    pub first_start: Option<DateTime<Utc>>,
    /// Latest `start_date`.
    pub last_start: Option<DateTime<Utc>>,
    /// When the last sync run finished.
    pub last_sync: Option<DateTime<Utc>>,
}

/// How a sync run chose its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncMode {
    /// The first run of an empty archive (from `since`, or everything the API returns).
    Initial,
    /// From the newest archived `start_date` minus the overlap.
    Incremental,
    /// The whole archived period again (from `since`, or everything the API returns).
    Full,
}

impl SyncMode {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Initial => "initial",
            Self::Incremental => "incremental",
            Self::Full => "full",
        }
    }

    /// Reads a stored name (unknown names are read as incremental).
    pub fn parse(s: &str) -> Self {
        match s {
            "initial" => Self::Initial,
            "full" => Self::Full,
            _ => Self::Incremental,
        }
    }
}

/// The archive's sync state: the current or last run, committed with every page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRun {
    /// Identifies the process that owns the run; a page is only committed by the owner.
    pub run_id: String,
    /// How the window was chosen.
    pub mode: SyncMode,
    /// The query's `from_date` (`None`: everything the API returns).
    pub from_date: Option<DateTime<Utc>>,
    /// The cursor (`offset_id`) of the next page; `None` before the first page and when done.
    pub cursor: Option<String>,
    /// Pages committed in this run.
    pub pages: u64,
    /// When the run started.
    pub started_at: DateTime<Utc>,
    /// When it finished; `None` while it is unfinished (running, killed or cancelled).
    pub finished_at: Option<DateTime<Utc>>,
    /// When the last run that finished did so (kept across runs).
    pub last_finished_at: Option<DateTime<Utc>>,
}

impl SyncRun {
    /// Whether the run still has pages to fetch.
    pub fn is_unfinished(&self) -> bool {
        self.finished_at.is_none()
    }
}

/// A local edit of a report's notes and/or billing state, kept until it is sent (and after,
/// with `sent_at`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingEdit {
    /// Sequence number (edits of one report apply in this order).
    pub edit_id: i64,
    /// The report.
    pub report_id: String,
    /// New notes, when changed.
    pub notes: Option<String>,
    /// New billing state (`Bill`, `Billed`, `DoNotBill`), when changed.
    pub billing_state: Option<String>,
    /// When the edit was made.
    pub created_at: DateTime<Utc>,
    /// When it was sent to TeamViewer; `None` while pending.
    pub sent_at: Option<DateTime<Utc>>,
}

/// The commit of one page: the run that owns it and the cursor of the next page (`None`: this
/// was the last page; the run is finished in the same transaction).
#[derive(Debug, Clone)]
pub(crate) struct PageCommit {
    pub run_id: String,
    pub cursor: Option<String>,
}

/// A bound query parameter, typed per backend.
#[derive(Debug, Clone)]
pub(crate) enum Param {
    Text(String),
    Time(DateTime<Utc>),
    Int(i64),
}
