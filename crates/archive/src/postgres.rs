//! The PostgreSQL backend (the team's archive): the same tables and meanings as SQLite, native
//! timestamp types, one connection per [`crate::Archive`].

use crate::error::{config, storage, taken_over};
use crate::query::{billing_select, upsert_sql, Dialect};
use crate::row::Row;
use crate::tls::{explain, split_url, SslMode, TlsSettings};
use crate::types::{ArchiveStats, PageCommit, Param, PendingEdit, SyncMode, SyncRun, UpsertCounts};
use crate::url::short;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use sdesk_core::billing::{customer_key, BillingRecord, Insight, InsightBuilder, InsightRow};
use sdesk_core::{Error, Result};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio_postgres::types::ToSql;
use tokio_postgres::Client;

/// The schema versions, in order: (version, name, SQL).
pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "archive",
        include_str!("../migrations/postgres/0001_archive.sql"),
    ),
    (
        2,
        "reports_rowid",
        include_str!("../migrations/postgres/0002_reports_rowid.sql"),
    ),
    (
        3,
        "billing_index",
        include_str!("../migrations/postgres/0003_billing_index.sql"),
    ),
];

/// Transaction-scoped advisory lock taken by migrations and page commits, so that two
/// processes writing the same archive take turns ("SDKA").
const LOCK_KEY: i64 = 0x5344_4b41;

/// An open PostgreSQL archive.
#[derive(Debug, Clone)]
pub(crate) struct Postgres {
    client: Arc<Mutex<Client>>,
    shown: Arc<String>,
}

type Param2<'a> = &'a (dyn ToSql + Sync);

impl Postgres {
    /// Connects and migrates to schema `target`.
    pub async fn open(url: &str, target: i64) -> Result<Self> {
        let shown = short(url);
        let (driver_url, tls) = split_url(url)?;
        let mut pg: tokio_postgres::Config = driver_url.parse().map_err(|e| {
            // tokio-postgres says "invalid connection string"; its cause names the parameter.
            let cause = std::error::Error::source(&e)
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            config(format!("the archive URL {shown} is not usable: {e}{cause}"))
        })?;
        // PostgreSQL has no TLS on Unix sockets (the socket's permissions protect it); libpq
        // ignores sslmode there, and so does the archive rather than fail a `require`.
        if only_unix_sockets(&pg) {
            pg.ssl_mode(tokio_postgres::config::SslMode::Disable);
        }
        if pg.get_connect_timeout().is_none() {
            pg.connect_timeout(Duration::from_secs(15));
        }
        if pg.get_application_name().is_none() {
            pg.application_name("supporter-desk");
        }
        let connector = tls.connector()?;
        let (mut client, connection) = pg
            .connect(connector)
            .await
            .map_err(|e| connect_error(&shown, &tls, &e))?;
        let task_shown = shown.clone();
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(archive = %task_shown, error = %e, "archive connection ended");
            }
        });
        migrate(&mut client, target)
            .await
            .map_err(|e| describe(&shown, e))?;
        Ok(Self {
            client: Arc::new(Mutex::new(client)),
            shown: Arc::new(shown),
        })
    }

    fn err(&self) -> impl Fn(Fail) -> Error + '_ {
        move |e| describe(&self.shown, e)
    }

    pub async fn schema_version(&self) -> Result<i64> {
        let c = self.client.lock().await;
        current_version(&c).await.map_err(self.err())
    }

    pub async fn commit(
        &self,
        rows: Vec<Row>,
        page: Option<PageCommit>,
        now: DateTime<Utc>,
    ) -> Result<UpsertCounts> {
        let mut c = self.client.lock().await;
        commit(&mut c, &rows, page.as_ref(), now)
            .await
            .map_err(self.err())
    }

    pub async fn select_json(&self, sql: String, params: Vec<Param>) -> Result<Vec<String>> {
        let refs = param_refs(&params);
        let c = self.client.lock().await;
        let rows = c
            .query(&sql, &refs)
            .await
            .map_err(|e| self.err()(e.into()))?;
        rows.iter()
            .map(|r| r.try_get(0).map_err(|e| self.err()(e.into())))
            .collect()
    }

    pub async fn select_count(&self, sql: String, params: Vec<Param>) -> Result<u64> {
        let refs = param_refs(&params);
        let c = self.client.lock().await;
        let row = c
            .query_one(&sql, &refs)
            .await
            .map_err(|e| self.err()(e.into()))?;
        let n: i64 = row.try_get(0).map_err(|e| self.err()(e.into()))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Hands each row of the billing read ([`billing_select`]: the records that start in
    /// `from` ≤ start < `to`, typed columns only, never the JSON) to `each` as it streams in.
    async fn each_billing_row(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        mut each: impl FnMut(&tokio_postgres::Row) -> std::result::Result<(), Fail>,
    ) -> Result<()> {
        let c = self.client.lock().await;
        let go = async {
            let params: [Param2<'_>; 2] = [&from, &to];
            let rows = c
                .query_raw(&billing_select(Dialect::Postgres), params)
                .await?;
            futures::pin_mut!(rows);
            while let Some(row) = rows.try_next().await? {
                each(&row)?;
            }
            Ok::<_, Fail>(())
        };
        go.await.map_err(self.err())
    }

    /// The billing fields of the records that start in `from` ≤ start < `to`, read from the
    /// typed columns and decoded as the rows stream in (no record's JSON is read).
    pub async fn billing_records(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BillingRecord>> {
        let mut out = Vec::new();
        self.each_billing_row(from, to, |row| {
            out.push(billing_record(row)?);
            Ok(())
        })
        .await?;
        Ok(out)
    }

    /// [`sdesk_core::billing::insight`] of the records that start in `from` ≤ start < `to`,
    /// aggregated as the rows of the billing read stream in (borrowed texts, no record built).
    pub async fn insight(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Insight> {
        let mut acc = InsightBuilder::new();
        self.each_billing_row(from, to, |row| {
            let text = |i: usize| row.try_get::<_, Option<&str>>(i);
            acc.add(&InsightRow {
                id: row.try_get(0)?,
                start: row.try_get(1)?,
                end: row.try_get(2)?,
                userid: text(3)?,
                username: text(4)?,
                groupid: text(5)?,
                groupname: text(6)?,
                email: text(7)?,
                name: text(8)?,
                devicename: text(9)?,
                deviceid: text(10)?,
            });
            Ok(())
        })
        .await?;
        Ok(acc.finish())
    }

    pub async fn raw_record(&self, id: String) -> Result<Option<String>> {
        let c = self.client.lock().await;
        let row = c
            .query_opt("SELECT record_json FROM reports WHERE id = $1", &[&id])
            .await
            .map_err(|e| self.err()(e.into()))?;
        Ok(row.map(|r| r.get(0)))
    }

    pub async fn stats(&self) -> Result<ArchiveStats> {
        let c = self.client.lock().await;
        let go = async {
            let r = c
                .query_one(
                    "SELECT COUNT(*)::BIGINT, MIN(start_date), MAX(start_date) FROM reports",
                    &[],
                )
                .await?;
            let last_sync = last_sync(&c).await?;
            Ok::<_, tokio_postgres::Error>(ArchiveStats {
                records: u64::try_from(r.get::<_, i64>(0)).unwrap_or(0),
                first_start: r.get(1),
                last_start: r.get(2),
                last_sync,
            })
        };
        go.await.map_err(|e| self.err()(e.into()))
    }

    pub async fn last_sync(&self) -> Result<Option<DateTime<Utc>>> {
        let c = self.client.lock().await;
        last_sync(&c).await.map_err(|e| self.err()(e.into()))
    }

    pub async fn max_start(&self) -> Result<Option<DateTime<Utc>>> {
        let c = self.client.lock().await;
        let r = c
            .query_one("SELECT MAX(start_date) FROM reports", &[])
            .await
            .map_err(|e| self.err()(e.into()))?;
        Ok(r.get(0))
    }

    pub async fn sync_run(&self) -> Result<Option<SyncRun>> {
        let c = self.client.lock().await;
        let row = c
            .query_opt(
                "SELECT run_id, mode, from_date, cursor, pages, started_at, finished_at, \
                 last_finished_at FROM sync_state WHERE id = 1",
                &[],
            )
            .await
            .map_err(|e| self.err()(e.into()))?;
        Ok(row.map(|r| SyncRun {
            run_id: r.get(0),
            mode: SyncMode::parse(r.get(1)),
            from_date: r.get(2),
            cursor: r.get(3),
            pages: u64::try_from(r.get::<_, i64>(4)).unwrap_or(0),
            started_at: r.get(5),
            finished_at: r.get(6),
            last_finished_at: r.get(7),
        }))
    }

    pub async fn start_run(&self, run: SyncRun) -> Result<()> {
        let c = self.client.lock().await;
        c.execute(
            "INSERT INTO sync_state (id, run_id, mode, from_date, cursor, pages, started_at, \
             finished_at) VALUES (1, $1, $2, $3, NULL, 0, $4, NULL) \
             ON CONFLICT (id) DO UPDATE SET run_id = excluded.run_id, mode = excluded.mode, \
             from_date = excluded.from_date, cursor = NULL, pages = 0, \
             started_at = excluded.started_at, finished_at = NULL",
            &[
                &run.run_id,
                &run.mode.as_str(),
                &run.from_date,
                &run.started_at,
            ],
        )
        .await
        .map_err(|e| self.err()(e.into()))?;
        Ok(())
    }

    pub async fn take_over(&self, old: String, new: String) -> Result<()> {
        let c = self.client.lock().await;
        let n = c
            .execute(
                "UPDATE sync_state SET run_id = $2 \
                 WHERE id = 1 AND run_id = $1 AND finished_at IS NULL",
                &[&old, &new],
            )
            .await
            .map_err(|e| self.err()(e.into()))?;
        if n == 1 {
            Ok(())
        } else {
            Err(taken_over())
        }
    }

    pub async fn add_edit(
        &self,
        report_id: String,
        notes: Option<String>,
        billing_state: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<PendingEdit> {
        let c = self.client.lock().await;
        let r = c
            .query_one(
                "INSERT INTO pending_edits (report_id, notes, billing_state, created_at) \
                 VALUES ($1, $2, $3, $4) RETURNING edit_id",
                &[&report_id, &notes, &billing_state, &now],
            )
            .await
            .map_err(|e| self.err()(e.into()))?;
        Ok(PendingEdit {
            edit_id: r.get(0),
            report_id,
            notes,
            billing_state,
            created_at: now,
            sent_at: None,
        })
    }

    pub async fn edits(&self, unsent_only: bool) -> Result<Vec<PendingEdit>> {
        let sql = if unsent_only {
            "SELECT edit_id, report_id, notes, billing_state, created_at, sent_at \
             FROM pending_edits WHERE sent_at IS NULL ORDER BY edit_id"
        } else {
            "SELECT edit_id, report_id, notes, billing_state, created_at, sent_at \
             FROM pending_edits ORDER BY edit_id"
        };
        let c = self.client.lock().await;
        let rows = c.query(sql, &[]).await.map_err(|e| self.err()(e.into()))?;
        Ok(rows
            .iter()
            .map(|r| PendingEdit {
                edit_id: r.get(0),
                report_id: r.get(1),
                notes: r.get(2),
                billing_state: r.get(3),
                created_at: r.get(4),
                sent_at: r.get(5),
            })
            .collect())
    }

    pub async fn mark_edit_sent(&self, edit_id: i64, now: DateTime<Utc>) -> Result<bool> {
        let c = self.client.lock().await;
        let n = c
            .execute(
                "UPDATE pending_edits SET sent_at = $2 WHERE edit_id = $1 AND sent_at IS NULL",
                &[&edit_id, &now],
            )
            .await
            .map_err(|e| self.err()(e.into()))?;
        Ok(n == 1)
    }
}

/// A failure inside a database call: PostgreSQL's (described with the URL later) or ours.
pub(crate) enum Fail {
    Pg(tokio_postgres::Error),
    Core(Error),
}

impl From<tokio_postgres::Error> for Fail {
    fn from(e: tokio_postgres::Error) -> Self {
        Self::Pg(e)
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Self::Core(e)
    }
}

/// Whether every host of the URL is a Unix socket directory (`host=/run/postgresql`).
fn only_unix_sockets(pg: &tokio_postgres::Config) -> bool {
    #[cfg(unix)]
    {
        let hosts = pg.get_hosts();
        !hosts.is_empty()
            && hosts
                .iter()
                .all(|h| matches!(h, tokio_postgres::config::Host::Unix(_)))
    }
    #[cfg(not(unix))]
    {
        let _ = pg;
        false
    }
}

/// Why a connection could not be made: a TLS problem or a refusal by the server says what to
/// change (kind `config`); a server that cannot be reached is a network error.
fn connect_error(shown: &str, tls: &TlsSettings, e: &tokio_postgres::Error) -> Error {
    if let Some(err) = explain(shown, tls, e) {
        return err;
    }
    if let Some(db) = e.as_db_error() {
        // 28xxx: invalid authorization (pg_hba.conf has no entry, or a wrong password). The
        // server's text is shown as it is; it never holds the password.
        if db.code().code().starts_with("28") {
            let hint = if tls.mode == SslMode::Disable {
                " (the server may accept only TLS connections: use sslmode=verify-full with \
                 sslrootcert, or sslmode=require)"
            } else {
                ""
            };
            return config(format!(
                "the PostgreSQL server of the archive {shown} refused the connection: {}{hint}",
                db.message()
            ));
        }
    }
    Error::Network {
        message: format!("cannot connect to the PostgreSQL archive {shown}: {e}"),
    }
}

fn describe(shown: &str, fail: Fail) -> Error {
    match fail {
        Fail::Core(e) => e,
        Fail::Pg(e) if e.is_closed() => Error::Network {
            message: format!("the connection to the PostgreSQL archive {shown} was lost: {e}"),
        },
        Fail::Pg(e) => match e.as_db_error() {
            Some(db) => storage(format!("PostgreSQL archive {shown}: {db}")),
            None => storage(format!("PostgreSQL archive {shown}: {e}")),
        },
    }
}

async fn current_version(c: &Client) -> std::result::Result<i64, Fail> {
    let exists: bool = c
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
        .await?
        .get(0);
    if !exists {
        return Ok(0);
    }
    Ok(c.query_one(
        "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
        &[],
    )
    .await?
    .get(0))
}

async fn migrate(c: &mut Client, target: i64) -> std::result::Result<(), Fail> {
    let tx = c.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version BIGINT PRIMARY KEY NOT NULL,
             name TEXT NOT NULL,
             applied_at TIMESTAMPTZ NOT NULL
         )",
    )
    .await?;
    let current: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
            &[],
        )
        .await?
        .get(0);
    let latest = MIGRATIONS.last().map_or(0, |m| m.0);
    if current > latest {
        return Err(config(format!(
            "the archive has schema version {current}, newer than this program's {latest}: \
             update Supporter Desk to use it (it was left unchanged)"
        ))
        .into());
    }
    let now = Utc::now();
    for (version, name, sql) in MIGRATIONS {
        if *version > current && *version <= target {
            tx.batch_execute(sql).await?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                &[version, name, &now],
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

async fn commit(
    c: &mut Client,
    rows: &[Row],
    page: Option<&PageCommit>,
    now: DateTime<Utc>,
) -> std::result::Result<UpsertCounts, Fail> {
    let tx = c.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await?;
    if let Some(page) = page {
        let owner: Option<String> = tx
            .query_opt(
                "SELECT run_id FROM sync_state WHERE id = 1 AND finished_at IS NULL",
                &[],
            )
            .await?
            .map(|r| r.get(0));
        if owner.as_deref() != Some(page.run_id.as_str()) {
            return Err(taken_over().into());
        }
    }
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut existing: HashMap<String, String> = HashMap::new();
    for r in tx
        .query(
            "SELECT id, record_json FROM reports WHERE id = ANY($1)",
            &[&ids],
        )
        .await?
    {
        existing.insert(r.get(0), r.get(1));
    }
    let put = tx.prepare(&upsert_sql(Dialect::Postgres)).await?;
    let mut counts = UpsertCounts::default();
    let mut writes: Vec<&Row> = Vec::with_capacity(rows.len());
    for row in rows {
        match existing.get(&row.id) {
            None => counts.new += 1,
            Some(old) if row.same_content(old) => {
                counts.unchanged += 1;
                continue;
            }
            Some(_) => counts.updated += 1,
        }
        writes.push(row);
        existing.insert(row.id.clone(), row.json.clone());
    }
    // All upserts of the page at once: polled together, tokio-postgres pipelines them on the
    // connection (one round trip for the page instead of one per record); the server runs them
    // in the order sent, so a record twice in a page ends as its last copy.
    futures::future::try_join_all(writes.into_iter().map(|row| {
        let put = &put;
        let tx = &tx;
        async move {
            let params: [Param2<'_>; 30] = [
                &row.id,
                &row.userid,
                &row.username,
                &row.contact_id,
                &row.deviceid,
                &row.devicename,
                &row.groupid,
                &row.groupname,
                &row.support_session_type,
                &row.start_date,
                &row.end_date,
                &row.fee,
                &row.currency,
                &row.billing_state,
                &row.notes,
                &row.session_code,
                &row.session_created_at,
                &row.valid_until,
                &row.assigned_userid,
                &row.assigned_at,
                &row.session_note,
                &row.custom_api,
                &row.end_customer_name,
                &row.end_customer_email,
                &row.feedback_rating,
                &row.feedback_comment,
                &row.search_text,
                &row.json,
                &now,
                &now,
            ];
            tx.execute(put, &params).await
        }
    }))
    .await?;
    if let Some(page) = page {
        tx.execute(
            "UPDATE sync_state SET cursor = $1::TEXT, pages = pages + 1, \
             finished_at = CASE WHEN $1::TEXT IS NULL THEN $2::TIMESTAMPTZ END, \
             last_finished_at = CASE WHEN $1::TEXT IS NULL THEN $2::TIMESTAMPTZ \
             ELSE last_finished_at END \
             WHERE id = 1 AND run_id = $3",
            &[&page.cursor, &now, &page.run_id],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(counts)
}

/// One row of [`billing_select`] as a [`BillingRecord`].
fn billing_record(row: &tokio_postgres::Row) -> std::result::Result<BillingRecord, Fail> {
    let text = |i: usize| row.try_get::<_, Option<&str>>(i);
    let owned = |i: usize| Ok::<_, tokio_postgres::Error>(text(i)?.map(str::to_owned));
    Ok(BillingRecord {
        id: row.try_get(0)?,
        start: row.try_get(1)?,
        end: row.try_get(2)?,
        userid: owned(3)?,
        username: owned(4)?,
        groupid: owned(5)?,
        groupname: owned(6)?,
        customer: customer_key(text(7)?, text(8)?, text(9)?, text(10)?),
        billing_state: owned(11)?,
    })
}

/// The parameters of a query as the driver takes them.
fn param_refs(params: &[Param]) -> Vec<Param2<'_>> {
    params
        .iter()
        .map(|p| match p {
            Param::Text(s) => s as Param2<'_>,
            Param::Time(t) => t as Param2<'_>,
            Param::Int(i) => i as Param2<'_>,
        })
        .collect()
}

/// When the last sync run finished.
async fn last_sync(
    c: &tokio_postgres::Client,
) -> std::result::Result<Option<DateTime<Utc>>, tokio_postgres::Error> {
    Ok(
        c.query_opt("SELECT last_finished_at FROM sync_state WHERE id = 1", &[])
            .await?
            .and_then(|r| r.get::<_, Option<DateTime<Utc>>>(0)),
    )
}
