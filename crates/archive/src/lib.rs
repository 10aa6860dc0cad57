//! Supporter Desk's connection-log archive: every connection report ever synced, keyed by `id`,
//! with all API fields and the record's full JSON, in SQLite (the default, a file in the app's
//! data directory) or PostgreSQL (a team's shared archive). See `docs/archive.md`.
//!
//! - [`Archive`]: open (and migrate) an archive from an [`ArchiveUrl`]; local queries with the
//!   API's filter meanings ([`ArchiveQuery`]); [`ArchiveStats`]; pending local edits.
//! - [`sync()`]: fills the archive from the API page by page, each page committed together with
//!   the cursor, so a killed or cancelled sync continues where it stopped.
//!
//! Errors are [`sdesk_core::Error`], like everywhere else (see `error.rs` for the mapping).

pub mod app;
mod desk_store;
mod error;
mod pipeline;
mod postgres;
mod query;
mod row;
mod sqlite;
pub mod sync;
mod tls;
mod types;
mod url;

pub use sync::{sync, SyncOptions, SyncProgress, SyncReport, DEFAULT_OVERLAP};
pub use types::{ArchiveQuery, ArchiveStats, PendingEdit, SyncMode, SyncRun, UpsertCounts};
pub use url::{ArchiveUrl, APP_IDENTIFIER, DEFAULT_FILE_NAME};

use chrono::{DateTime, SubsecRound, Utc};
use row::Row;
use sdesk_core::billing::BillingRecord;
use sdesk_core::models::{ConnectionReport, ReportUpdate};
use sdesk_core::{Error, Result};
use types::PageCommit;

/// The schema version this build creates and understands.
pub const SCHEMA_VERSION: i64 = 3;

/// An open archive. Cheap to clone (clones share the connection).
#[derive(Debug, Clone)]
pub struct Archive {
    backend: Backend,
    url: ArchiveUrl,
}

#[derive(Debug, Clone)]
enum Backend {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

macro_rules! dispatch {
    ($self:ident, $db:ident => $call:expr) => {
        match &$self.backend {
            Backend::Sqlite($db) => $call.await,
            Backend::Postgres($db) => $call.await,
        }
    };
}

impl Archive {
    /// Opens the archive at `url`, creating it when missing (an SQLite file with its directory;
    /// the tables of an empty PostgreSQL database), and applies the missing migrations. A file
    /// that is not an SQLite database, another program's database or an archive of a newer
    /// schema is refused with an error and left unchanged.
    pub async fn open(url: &ArchiveUrl) -> Result<Archive> {
        Self::open_at_schema(url, SCHEMA_VERSION).await
    }

    /// Opens with migrations applied only up to `version`: for tests of the migrations from
    /// every earlier schema.
    #[doc(hidden)]
    pub async fn open_at_schema(url: &ArchiveUrl, version: i64) -> Result<Archive> {
        let backend = match url {
            ArchiveUrl::Sqlite(path) => {
                Backend::Sqlite(sqlite::Sqlite::open(path.clone(), version).await?)
            }
            ArchiveUrl::Postgres(u) => {
                Backend::Postgres(postgres::Postgres::open(u, version).await?)
            }
        };
        Ok(Archive {
            backend,
            url: url.clone(),
        })
    }

    /// Where the archive is.
    pub fn url(&self) -> &ArchiveUrl {
        &self.url
    }

    /// The schema version of the archive (the highest applied migration).
    pub async fn schema_version(&self) -> Result<i64> {
        dispatch!(self, db => db.schema_version())
    }

    /// Stores `records` (new ones inserted, changed ones replaced) in one transaction and says
    /// how many were new, changed and unchanged. "Changed" compares the whole record.
    pub async fn upsert(&self, records: &[ConnectionReport]) -> Result<UpsertCounts> {
        let rows = records
            .iter()
            .map(Row::from_record)
            .collect::<Result<Vec<_>>>()?;
        self.commit(rows, None).await
    }

    /// Stores records given as the API's JSON (for example an export of raw records), keeping
    /// every field, including those the model does not know. Counts as [`Archive::upsert`].
    pub async fn upsert_json(&self, records: &[serde_json::Value]) -> Result<UpsertCounts> {
        let rows = records
            .iter()
            .map(|raw| {
                let record: ConnectionReport =
                    serde_json::from_value(raw.clone()).map_err(|e| Error::Decode {
                        message: format!("not a connection report: {e}"),
                        body: raw.to_string().chars().take(512).collect(),
                    })?;
                Row::new(&record, raw.clone())
            })
            .collect::<Result<Vec<_>>>()?;
        self.commit(rows, None).await
    }

    pub(crate) async fn commit(
        &self,
        rows: Vec<Row>,
        page: Option<PageCommit>,
    ) -> Result<UpsertCounts> {
        let now = now();
        dispatch!(self, db => db.commit(rows, page, now))
    }

    /// The records matching `query`, sorted by `start_date` (records without one last), then
    /// `id`. Each is read back from its stored JSON, so every field the model knows is set.
    pub async fn query(&self, query: &ArchiveQuery) -> Result<Vec<ConnectionReport>> {
        let (sql, params) = query::select(query, self.dialect())?;
        let json = dispatch!(self, db => db.select_json(sql, params))?;
        // Decoding a period of tens of thousands of records is CPU work: off the async workers.
        // (Split over two cores it did not make the launch onto a 1,000,000-record archive
        // faster: bench/README.md, (iv).)
        tokio::task::spawn_blocking(move || json.iter().map(|j| decode(j)).collect())
            .await
            .map_err(|e| error::storage(format!("decoding archived records failed: {e}")))?
    }

    /// How many archived records match `query`'s filters and text (its limit and offset do not
    /// count).
    pub async fn count(&self, query: &ArchiveQuery) -> Result<u64> {
        let (sql, params) = query::count(query, self.dialect())?;
        dispatch!(self, db => db.select_count(sql, params))
    }

    fn dialect(&self) -> query::Dialect {
        match self.backend {
            Backend::Sqlite(_) => query::Dialect::Sqlite,
            Backend::Postgres(_) => query::Dialect::Postgres,
        }
    }

    /// The records of [`Archive::query`], in the same order, handed to `each` in parts of at
    /// most `part` records as they are read, so that they are never all in memory at once as
    /// typed records; returns how many there were. SQLite reads and decodes part by part on
    /// its connection's thread (other calls on the archive wait until the read ends);
    /// PostgreSQL reads every row's JSON first and decodes it part by part.
    pub async fn query_in_parts<F>(
        &self,
        query: &ArchiveQuery,
        part: usize,
        mut each: F,
    ) -> Result<u64>
    where
        F: FnMut(Vec<ConnectionReport>) + Send + 'static,
    {
        let part = part.max(1);
        match &self.backend {
            Backend::Sqlite(db) => {
                let (sql, params) = query::select(query, query::Dialect::Sqlite)?;
                db.select_json_parts(sql, params, part, move |json| {
                    let records = json.iter().map(|j| decode(j)).collect::<Result<Vec<_>>>()?;
                    each(records);
                    Ok(())
                })
                .await
            }
            Backend::Postgres(db) => {
                let (sql, params) = query::select(query, query::Dialect::Postgres)?;
                let json = db.select_json(sql, params).await?;
                tokio::task::spawn_blocking(move || {
                    for chunk in json.chunks(part) {
                        each(
                            chunk
                                .iter()
                                .map(|j| decode(j))
                                .collect::<Result<Vec<_>>>()?,
                        );
                    }
                    Ok(json.len() as u64)
                })
                .await
                .map_err(|e| error::storage(format!("decoding archived records failed: {e}")))?
            }
        }
    }

    /// The billing fields ([`BillingRecord`]) of every record that starts in `from` ≤ start
    /// < `to`, in no promised order: what billing and insight read. Only the twelve columns
    /// they need are read (over the start index), never a record's JSON; the customer key is
    /// [`sdesk_core::billing::customer_key`] of the stored end-customer and device fields, so
    /// the result equals [`BillingRecord::from_report`] of [`Archive::query`]'s records.
    /// PostgreSQL keeps times to the microsecond, like every time column there.
    pub async fn billing_records(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BillingRecord>> {
        dispatch!(self, db => db.billing_records(from, to))
    }

    /// [`sdesk_core::billing::insight`] of [`Archive::billing_records`]`(from, to)`, computed
    /// as the rows stream in: no [`BillingRecord`] per record, one owned text per distinct
    /// user, group and customer (issue 10, item 8).
    pub async fn insight(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<sdesk_core::billing::Insight> {
        dispatch!(self, db => db.insight(from, to))
    }

    /// The stored JSON of one record, exactly as archived (all fields the API sent).
    pub async fn raw_record(&self, id: &str) -> Result<Option<serde_json::Value>> {
        let json = dispatch!(self, db => db.raw_record(id.to_owned()))?;
        json.map(|j| {
            serde_json::from_str(&j).map_err(|e| Error::Decode {
                message: format!("archived record {id}: {e}"),
                body: String::new(),
            })
        })
        .transpose()
    }

    /// When the last sync run finished (`None` before the first); reads no record.
    pub async fn last_sync(&self) -> Result<Option<DateTime<Utc>>> {
        dispatch!(self, db => db.last_sync())
    }

    /// Number of records, first and last `start_date`, and when the last sync finished.
    pub async fn stats(&self) -> Result<ArchiveStats> {
        dispatch!(self, db => db.stats())
    }

    /// The sync state: the current, interrupted or last run (`None` before the first sync).
    pub async fn sync_run(&self) -> Result<Option<SyncRun>> {
        dispatch!(self, db => db.sync_run())
    }

    pub(crate) async fn max_start(&self) -> Result<Option<DateTime<Utc>>> {
        dispatch!(self, db => db.max_start())
    }

    pub(crate) async fn start_run(&self, run: SyncRun) -> Result<()> {
        dispatch!(self, db => db.start_run(run))
    }

    pub(crate) async fn take_over(&self, old: &str, new: &str) -> Result<()> {
        dispatch!(self, db => db.take_over(old.to_owned(), new.to_owned()))
    }

    /// Stores a local edit of a report's notes and/or billing state, to be sent later. The edit
    /// is durable once this returns; it stays listed by [`Archive::pending_edits`] until
    /// [`Archive::mark_edit_sent`].
    pub async fn add_edit(&self, report_id: &str, update: &ReportUpdate) -> Result<PendingEdit> {
        if report_id.trim().is_empty() {
            return Err(Error::invalid("report", "a report id is required"));
        }
        if update.notes.is_none() && update.billing_state.is_none() {
            return Err(Error::invalid(
                "edit",
                "change the notes or the billing state",
            ));
        }
        if let Some(b) = &update.billing_state {
            if !["Bill", "Billed", "DoNotBill"].contains(&b.as_str()) {
                return Err(Error::invalid(
                    "billing state",
                    "must be Bill, Billed or DoNotBill",
                ));
            }
        }
        let now = now();
        dispatch!(self, db => db.add_edit(
            report_id.to_owned(),
            update.notes.clone(),
            update.billing_state.clone(),
            now
        ))
    }

    /// The edits not sent yet, oldest first.
    pub async fn pending_edits(&self) -> Result<Vec<PendingEdit>> {
        dispatch!(self, db => db.edits(true))
    }

    /// Every edit, sent or not, oldest first.
    pub async fn all_edits(&self) -> Result<Vec<PendingEdit>> {
        dispatch!(self, db => db.edits(false))
    }

    /// Marks an edit as sent; `false` when it does not exist or was already marked.
    pub async fn mark_edit_sent(&self, edit_id: i64) -> Result<bool> {
        let now = now();
        dispatch!(self, db => db.mark_edit_sent(edit_id, now))
    }
}

/// The current time at the precision both backends store (PostgreSQL keeps microseconds), so
/// that a value written and read back compares equal.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

fn decode(json: &str) -> Result<ConnectionReport> {
    serde_json::from_str(json).map_err(|e| Error::Decode {
        message: format!("an archived record cannot be read: {e}"),
        body: json.chars().take(512).collect(),
    })
}
