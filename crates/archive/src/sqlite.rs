//! The SQLite backend: one connection per [`crate::Archive`], used on blocking threads; WAL and
//! a busy timeout so that the app and the CLI can use the same file at once.

use crate::error::{config, storage, taken_over, unreadable};
use crate::query::{billing_select, upsert_sql, Dialect};
use crate::row::{parse_stored_time, parse_time, sqlite_time, Row};
use crate::types::{ArchiveStats, PageCommit, Param, PendingEdit, SyncMode, SyncRun, UpsertCounts};
use chrono::{DateTime, Utc};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};
use sdesk_core::billing::{customer_key, BillingRecord, Insight, InsightBuilder, InsightRow};
use sdesk_core::{Error, Result};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The schema versions, in order: (version, name, SQL).
pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "archive",
        include_str!("../migrations/sqlite/0001_archive.sql"),
    ),
    (
        2,
        "reports_rowid",
        include_str!("../migrations/sqlite/0002_reports_rowid.sql"),
    ),
    (
        3,
        "billing_index",
        include_str!("../migrations/sqlite/0003_billing_index.sql"),
    ),
];

/// `PRAGMA application_id` of an archive ("SDKA"): marks the file as ours.
const APPLICATION_ID: i32 = 0x5344_4b41;

/// How long a statement waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The page size of a new archive file.
const PAGE_SIZE: i64 = 16_384;

/// The page cache of a connection, in KiB (`PRAGMA cache_size` = -KiB; SQLite's default is 2 MiB).
const CACHE_KIB: i64 = -65_536;

/// An open SQLite archive.
#[derive(Debug, Clone)]
pub(crate) struct Sqlite {
    conn: Arc<Mutex<Connection>>,
    path: Arc<PathBuf>,
}

/// A failure inside a blocking call: SQLite's (described with the path later) or already ours.
pub(crate) enum Fail {
    Sql(rusqlite::Error),
    Core(Error),
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sql(e)
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Self::Core(e)
    }
}

fn describe(path: &Path, fail: Fail) -> Error {
    match fail {
        Fail::Core(e) => e,
        Fail::Sql(e) => match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => unreadable(format!(
                "the archive {} is not a readable SQLite database ({e}); it was left \
                 unchanged: restore it from a backup, or move it away to start a new archive",
                path.display()
            )),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => storage(format!(
                "the archive {} stayed locked by another program for {} s ({e})",
                path.display(),
                BUSY_TIMEOUT.as_secs()
            )),
            _ => storage(format!("archive {}: {e}", path.display())),
        },
    }
}

impl Sqlite {
    /// Opens (creating when missing) and migrates to schema `target`.
    pub async fn open(path: PathBuf, target: i64) -> Result<Self> {
        let shown = path.clone();
        let conn = tokio::task::spawn_blocking(move || {
            open_blocking(&path, target).map_err(|f| describe(&path, f))
        })
        .await
        .map_err(|e| storage(format!("opening the archive {}: {e}", shown.display())))??;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            path: Arc::new(shown),
        })
    }

    async fn call<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> std::result::Result<T, Fail> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        let path = Arc::clone(&self.path);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| storage("the archive connection was poisoned by a panic"))?;
            f(&mut guard).map_err(|fail| describe(&path, fail))
        })
        .await
        .map_err(|e| storage(format!("archive task failed: {e}")))?
    }

    pub async fn schema_version(&self) -> Result<i64> {
        self.call(|c| Ok(current_version(c)?)).await
    }

    pub async fn commit(
        &self,
        rows: Vec<Row>,
        page: Option<PageCommit>,
        now: DateTime<Utc>,
    ) -> Result<UpsertCounts> {
        self.call(move |c| commit(c, &rows, page.as_ref(), now))
            .await
    }

    /// The JSON of the rows of `sql`, handed to `each` in parts of at most `part` rows as
    /// they are read (on the connection's thread).
    pub async fn select_json_parts<F>(
        &self,
        sql: String,
        params: Vec<Param>,
        part: usize,
        mut each: F,
    ) -> Result<u64>
    where
        F: FnMut(Vec<String>) -> Result<()> + Send + 'static,
    {
        let part = part.max(1);
        self.call(move |c| {
            let values: Vec<SqlValue> = params.iter().map(bind).collect();
            let mut stmt = c.prepare(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(values.iter()))?;
            let mut count = 0u64;
            let mut next: Vec<String> = Vec::with_capacity(part);
            while let Some(row) = rows.next()? {
                next.push(row.get(0)?);
                if next.len() == part {
                    count += part as u64;
                    each(std::mem::replace(&mut next, Vec::with_capacity(part)))?;
                }
            }
            if !next.is_empty() {
                count += next.len() as u64;
                each(next)?;
            }
            drop(rows);
            drop(stmt);
            // A whole period went through the page cache: give its memory back rather than
            // keep tens of megabytes for the next query.
            c.execute_batch("PRAGMA shrink_memory")?;
            Ok(count)
        })
        .await
    }

    pub async fn select_json(&self, sql: String, params: Vec<Param>) -> Result<Vec<String>> {
        self.call(move |c| {
            let values: Vec<SqlValue> = params.iter().map(bind).collect();
            let mut stmt = c.prepare(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(values.iter()), |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .await
    }

    pub async fn select_count(&self, sql: String, params: Vec<Param>) -> Result<u64> {
        self.call(move |c| {
            let values: Vec<SqlValue> = params.iter().map(bind).collect();
            let n: i64 = c.query_row(&sql, rusqlite::params_from_iter(values.iter()), |r| {
                r.get(0)
            })?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    /// The billing fields of the records that start in `from` ≤ start < `to`, read from the
    /// typed columns over the start index (no record's JSON is read or decoded).
    pub async fn billing_records(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BillingRecord>> {
        self.call(move |c| {
            let mut out = Vec::new();
            {
                let mut stmt = c.prepare(&billing_select(Dialect::Sqlite))?;
                let mut rows = stmt.query(params![sqlite_time(&from), sqlite_time(&to)])?;
                while let Some(row) = rows.next()? {
                    out.push(billing_record(row)?);
                }
            }
            // A long period went through the page cache: give its memory back.
            c.execute_batch("PRAGMA shrink_memory")?;
            Ok(out)
        })
        .await
    }

    /// [`sdesk_core::billing::insight`] of the records that start in `from` ≤ start < `to`,
    /// aggregated as the rows of the billing read stream by (borrowed texts, no record built).
    pub async fn insight(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Insight> {
        self.call(move |c| {
            let mut acc = InsightBuilder::new();
            {
                let mut stmt = c.prepare(&billing_select(Dialect::Sqlite))?;
                let mut rows = stmt.query(params![sqlite_time(&from), sqlite_time(&to)])?;
                while let Some(row) = rows.next()? {
                    insight_row(row, &mut acc)?;
                }
            }
            c.execute_batch("PRAGMA shrink_memory")?;
            Ok(acc.finish())
        })
        .await
    }

    pub async fn raw_record(&self, id: String) -> Result<Option<String>> {
        self.call(move |c| {
            Ok(c.query_row(
                "SELECT record_json FROM reports WHERE id = ?1",
                [&id],
                |r| r.get(0),
            )
            .optional()?)
        })
        .await
    }

    pub async fn stats(&self) -> Result<ArchiveStats> {
        self.call(|c| {
            let (records, first, last): (i64, Option<String>, Option<String>) = c.query_row(
                "SELECT COUNT(*), MIN(start_date), MAX(start_date) FROM reports",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            Ok(ArchiveStats {
                records: u64::try_from(records).unwrap_or(0),
                first_start: first.as_deref().and_then(parse_time),
                last_start: last.as_deref().and_then(parse_time),
                last_sync: last_sync(c)?,
            })
        })
        .await
    }

    pub async fn last_sync(&self) -> Result<Option<DateTime<Utc>>> {
        self.call(|c| Ok(last_sync(c)?)).await
    }

    pub async fn max_start(&self) -> Result<Option<DateTime<Utc>>> {
        self.call(|c| {
            let t: Option<String> =
                c.query_row("SELECT MAX(start_date) FROM reports", [], |r| r.get(0))?;
            Ok(t.as_deref().and_then(parse_time))
        })
        .await
    }

    pub async fn sync_run(&self) -> Result<Option<SyncRun>> {
        self.call(|c| {
            Ok(c.query_row(
                "SELECT run_id, mode, from_date, cursor, pages, started_at, finished_at, \
                 last_finished_at FROM sync_state WHERE id = 1",
                [],
                |r| {
                    let time = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
                        Ok(r.get::<_, Option<String>>(i)?
                            .as_deref()
                            .and_then(parse_time))
                    };
                    Ok(SyncRun {
                        run_id: r.get(0)?,
                        mode: SyncMode::parse(&r.get::<_, String>(1)?),
                        from_date: time(2)?,
                        cursor: r.get(3)?,
                        pages: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
                        started_at: time(5)?.unwrap_or_default(),
                        finished_at: time(6)?,
                        last_finished_at: time(7)?,
                    })
                },
            )
            .optional()?)
        })
        .await
    }

    pub async fn start_run(&self, run: SyncRun) -> Result<()> {
        self.call(move |c| {
            c.execute(
                "INSERT INTO sync_state (id, run_id, mode, from_date, cursor, pages, started_at, \
                 finished_at) VALUES (1, ?1, ?2, ?3, NULL, 0, ?4, NULL) \
                 ON CONFLICT (id) DO UPDATE SET run_id = excluded.run_id, mode = excluded.mode, \
                 from_date = excluded.from_date, cursor = NULL, pages = 0, \
                 started_at = excluded.started_at, finished_at = NULL",
                params![
                    run.run_id,
                    run.mode.as_str(),
                    run.from_date.as_ref().map(sqlite_time),
                    sqlite_time(&run.started_at)
                ],
            )?;
            Ok(())
        })
        .await
    }

    pub async fn take_over(&self, old: String, new: String) -> Result<()> {
        self.call(move |c| {
            let n = c.execute(
                "UPDATE sync_state SET run_id = ?2 \
                 WHERE id = 1 AND run_id = ?1 AND finished_at IS NULL",
                params![old, new],
            )?;
            if n == 1 {
                Ok(())
            } else {
                Err(taken_over().into())
            }
        })
        .await
    }

    pub async fn add_edit(
        &self,
        report_id: String,
        notes: Option<String>,
        billing_state: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<PendingEdit> {
        self.call(move |c| {
            c.execute(
                "INSERT INTO pending_edits (report_id, notes, billing_state, created_at) \
                 VALUES (?1, ?2, ?3, ?4)",
                params![report_id, notes, billing_state, sqlite_time(&now)],
            )?;
            Ok(PendingEdit {
                edit_id: c.last_insert_rowid(),
                report_id,
                notes,
                billing_state,
                created_at: now,
                sent_at: None,
            })
        })
        .await
    }

    pub async fn edits(&self, unsent_only: bool) -> Result<Vec<PendingEdit>> {
        self.call(move |c| {
            let sql = if unsent_only {
                "SELECT edit_id, report_id, notes, billing_state, created_at, sent_at \
                 FROM pending_edits WHERE sent_at IS NULL ORDER BY edit_id"
            } else {
                "SELECT edit_id, report_id, notes, billing_state, created_at, sent_at \
                 FROM pending_edits ORDER BY edit_id"
            };
            let mut stmt = c.prepare(sql)?;
            let rows = stmt.query_map([], |r| {
                Ok(PendingEdit {
                    edit_id: r.get(0)?,
                    report_id: r.get(1)?,
                    notes: r.get(2)?,
                    billing_state: r.get(3)?,
                    created_at: r
                        .get::<_, String>(4)
                        .map(|s| parse_time(&s).unwrap_or_default())?,
                    sent_at: r
                        .get::<_, Option<String>>(5)?
                        .as_deref()
                        .and_then(parse_time),
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub async fn mark_edit_sent(&self, edit_id: i64, now: DateTime<Utc>) -> Result<bool> {
        self.call(move |c| {
            let n = c.execute(
                "UPDATE pending_edits SET sent_at = ?2 WHERE edit_id = ?1 AND sent_at IS NULL",
                params![edit_id, sqlite_time(&now)],
            )?;
            Ok(n == 1)
        })
        .await
    }
}

/// Text column `i` of `row`, borrowed (`None` for NULL).
fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> std::result::Result<Option<&'r str>, Fail> {
    match row.get_ref(i)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(bytes) => std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|e| Fail::Sql(rusqlite::Error::Utf8Error(i, e))),
        other => Err(Fail::Sql(rusqlite::Error::InvalidColumnType(
            i,
            crate::query::BILLING_COLUMNS[i].to_owned(),
            other.data_type(),
        ))),
    }
}

/// Column `i` (a start or end) of a [`crate::query::billing_select`] row of record `id`.
fn billing_time(
    row: &rusqlite::Row<'_>,
    i: usize,
    id: &str,
) -> std::result::Result<Option<DateTime<Utc>>, Fail> {
    match text(row, i)? {
        None => Ok(None),
        Some(t) => parse_stored_time(t).map(Some).ok_or_else(|| {
            Fail::Core(storage(format!(
                "the archived record {id} has an unreadable {}: {t:?}",
                crate::query::BILLING_COLUMNS[i]
            )))
        }),
    }
}

/// One row of [`crate::query::billing_select`] into the insight aggregate.
fn insight_row(row: &rusqlite::Row<'_>, acc: &mut InsightBuilder) -> std::result::Result<(), Fail> {
    let id = text(row, 0)?.unwrap_or_default();
    let time = |i: usize| billing_time(row, i, id);
    let start = time(1)?
        .ok_or_else(|| Fail::Core(storage(format!("the archived record {id} has no start"))))?;
    acc.add(&InsightRow {
        id,
        start,
        end: time(2)?,
        userid: text(row, 3)?,
        username: text(row, 4)?,
        groupid: text(row, 5)?,
        groupname: text(row, 6)?,
        email: text(row, 7)?,
        name: text(row, 8)?,
        devicename: text(row, 9)?,
        deviceid: text(row, 10)?,
    });
    Ok(())
}

/// One row of [`crate::query::billing_select`] as a [`BillingRecord`].
fn billing_record(row: &rusqlite::Row<'_>) -> std::result::Result<BillingRecord, Fail> {
    let id = text(row, 0)?.unwrap_or_default().to_owned();
    let time = |i: usize| billing_time(row, i, &id);
    // The WHERE clause keeps only rows with a start.
    let start = time(1)?
        .ok_or_else(|| Fail::Core(storage(format!("the archived record {id} has no start"))))?;
    let end = time(2)?;
    let owned = |i: usize| -> std::result::Result<Option<String>, Fail> {
        Ok(text(row, i)?.map(str::to_owned))
    };
    Ok(BillingRecord {
        start,
        end,
        userid: owned(3)?,
        username: owned(4)?,
        groupid: owned(5)?,
        groupname: owned(6)?,
        customer: customer_key(text(row, 7)?, text(row, 8)?, text(row, 9)?, text(row, 10)?),
        billing_state: owned(11)?,
        id,
    })
}

fn bind(p: &Param) -> SqlValue {
    match p {
        Param::Text(s) => SqlValue::Text(s.clone()),
        Param::Time(t) => SqlValue::Text(sqlite_time(t)),
        Param::Int(i) => SqlValue::Integer(*i),
    }
}

fn open_blocking(path: &Path, target: i64) -> std::result::Result<Connection, Fail> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            storage(format!(
                "cannot create the archive's directory {}: {e}",
                dir.display()
            ))
        })?;
    }
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Everything up to the migration only reads, so a file that is not an SQLite database (or
    // is another program's) fails here and is left exactly as it was.
    let app_id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let tables: i64 = conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name <> 'schema_migrations'",
        [],
        |r| r.get(0),
    )?;
    if app_id != APPLICATION_ID && (app_id != 0 || tables > 0) {
        return Err(config(format!(
            "{} is an SQLite database of another program, not a Supporter Desk archive; it was \
             left unchanged",
            path.display()
        ))
        .into());
    }
    // A new file gets 16 KiB pages (SQLite's default is 4 KiB): a record's row is 2-3 KB, and
    // with larger pages a page holds several rows instead of spilling into overflow pages. Only
    // possible before anything is written; an existing archive keeps its page size.
    let pages: i64 = conn.pragma_query_value(None, "page_count", |r| r.get(0))?;
    if pages == 0 {
        conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    }
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(
            path = %path.display(),
            mode,
            "the archive could not switch to WAL; concurrent readers will wait for writers"
        );
    }
    // WAL with synchronous=NORMAL: a killed process loses no committed transaction; a power cut
    // can lose the last ones, but a page and its cursor are one transaction, so the next sync
    // simply fetches that page again.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "cache_size", CACHE_KIB)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrate(&mut conn, path, target)?;
    Ok(conn)
}

fn current_version(c: &Connection) -> rusqlite::Result<i64> {
    let exists: i64 = c.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        [],
        |r| r.get(0),
    )?;
    if exists == 0 {
        return Ok(0);
    }
    c.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )
}

/// Applies the missing migrations up to `target` in one immediate transaction (a second
/// process opening the archive at the same moment waits, then finds them applied).
fn migrate(conn: &mut Connection, path: &Path, target: i64) -> std::result::Result<(), Fail> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY NOT NULL,
             name TEXT NOT NULL,
             applied_at TEXT NOT NULL
         )",
    )?;
    let current = current_version(&tx)?;
    let latest = MIGRATIONS.last().map_or(0, |m| m.0);
    if current > latest {
        return Err(config(format!(
            "the archive {} has schema version {current}, newer than this program's \
             {latest}: update Supporter Desk to use it (it was left unchanged)",
            path.display()
        ))
        .into());
    }
    let now = sqlite_time(&Utc::now());
    for (version, name, sql) in MIGRATIONS {
        if *version > current && *version <= target {
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                params![version, name, now],
            )?;
        }
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.commit()?;
    Ok(())
}

fn commit(
    c: &mut Connection,
    rows: &[Row],
    page: Option<&PageCommit>,
    now: DateTime<Utc>,
) -> std::result::Result<UpsertCounts, Fail> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(page) = page {
        let owner: Option<String> = tx
            .query_row(
                "SELECT run_id FROM sync_state WHERE id = 1 AND finished_at IS NULL",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if owner.as_deref() != Some(page.run_id.as_str()) {
            return Err(taken_over().into());
        }
    }
    let mut counts = UpsertCounts::default();
    let now_text = sqlite_time(&now);
    {
        let mut get = tx.prepare("SELECT record_json FROM reports WHERE id = ?1")?;
        let mut put = tx.prepare(&upsert_sql(Dialect::Sqlite))?;
        for row in rows {
            let old: Option<String> = get.query_row([&row.id], |r| r.get(0)).optional()?;
            match old {
                None => counts.new += 1,
                Some(old) => {
                    let same = row.same_content(&old);
                    if same {
                        counts.unchanged += 1;
                        continue;
                    }
                    counts.updated += 1;
                }
            }
            put_row(&mut put, row, &now_text)?;
        }
    }
    if let Some(page) = page {
        tx.execute(
            "UPDATE sync_state SET cursor = ?1, pages = pages + 1, \
             finished_at = CASE WHEN ?1 IS NULL THEN ?2 END, \
             last_finished_at = CASE WHEN ?1 IS NULL THEN ?2 ELSE last_finished_at END \
             WHERE id = 1 AND run_id = ?3",
            params![page.cursor, now_text, page.run_id],
        )?;
    }
    tx.commit()?;
    Ok(counts)
}

/// Runs `upsert_sql` (prepared as `put`) for `row`. The text columns are bound borrowed (no
/// copy of a record's JSON or strings per insert); only the times are formatted.
fn put_row(put: &mut rusqlite::Statement<'_>, row: &Row, now: &str) -> rusqlite::Result<usize> {
    let time = |v: &Option<DateTime<Utc>>| v.as_ref().map(sqlite_time);
    put.execute(params![
        row.id,
        row.userid,
        row.username,
        row.contact_id,
        row.deviceid,
        row.devicename,
        row.groupid,
        row.groupname,
        row.support_session_type,
        time(&row.start_date),
        time(&row.end_date),
        row.fee,
        row.currency,
        row.billing_state,
        row.notes,
        row.session_code,
        time(&row.session_created_at),
        time(&row.valid_until),
        row.assigned_userid,
        time(&row.assigned_at),
        row.session_note,
        row.custom_api,
        row.end_customer_name,
        row.end_customer_email,
        row.feedback_rating,
        row.feedback_comment,
        row.search_text,
        row.json,
        now,
        now,
    ])
}

/// When the last sync run finished.
fn last_sync(c: &rusqlite::Connection) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let t: Option<String> = c
        .query_row(
            "SELECT last_finished_at FROM sync_state WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(t.as_deref().and_then(parse_time))
}
