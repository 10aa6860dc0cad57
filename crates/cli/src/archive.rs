//! `sdesk archive …`: the connection-log archive (crate `sdesk-archive`, see docs/archive.md).
//!
//! - `sync` fills the archive from the API (the only subcommand that needs a token);
//! - `export` writes archived reports as the same CSV as `reports export`, offline;
//! - `stats` says what the archive holds.
//!
//! `--database` (env `SDESK_DATABASE_URL`) names the archive; the default is the desktop app's
//! own file. A location is only ever shown through [`ArchiveUrl`]'s `Display`, which hides any
//! password.

use crate::args::{
    ArchiveCommand, ArchiveExportArgs, ArchiveStatsArgs, ArchiveSyncArgs, Cli, DatabaseArg,
};
use crate::run::{cancel_on_ctrl_c, connect, parse_time, report_query, write_reports, Progress};
use crate::term;
use chrono::{DateTime, SecondsFormat, Utc};
use sdesk_archive::{Archive, ArchiveQuery, ArchiveUrl, SyncOptions, SyncProgress};
use sdesk_core::models::ConnectionReport;
use sdesk_core::{Error, Result};
use std::cmp::Ordering;
use std::time::Duration;

/// Runs one `sdesk archive` subcommand.
pub async fn run(cli: &Cli, command: &ArchiveCommand) -> Result<()> {
    match command {
        ArchiveCommand::Sync(args) => Box::pin(sync(cli, args)).await,
        ArchiveCommand::Export(args) => export(args).await,
        ArchiveCommand::Stats(args) => stats(args).await,
    }
}

/// The archive `--database`/`SDESK_DATABASE_URL` names (blank: the default), else the app's.
pub(crate) fn location(arg: &DatabaseArg) -> Result<ArchiveUrl> {
    match arg.database.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(raw) => ArchiveUrl::parse(raw),
        None => ArchiveUrl::default_location(),
    }
}

async fn sync(cli: &Cli, args: &ArchiveSyncArgs) -> Result<()> {
    let options = SyncOptions {
        since: args
            .since
            .as_deref()
            .map(|t| parse_time("--since", t))
            .transpose()?,
        full: args.full,
        overlap: Duration::from_secs(u64::from(args.overlap) * 24 * 60 * 60),
        ..SyncOptions::default()
    };
    // The archive first: an unusable database fails before anything is fetched.
    let archive = Archive::open(&location(&args.database)?).await?;
    let (client, sandbox) = connect(cli).await?;
    let progress = Progress::new("syncing the archive…");
    let mut last = SyncProgress::default();
    let (cancel, ctrl_c) = cancel_on_ctrl_c();
    let outcome = sdesk_archive::sync(&archive, &client, &options, &cancel, &mut |p| {
        last = p;
        progress.set_message(format!(
            "synced {} records ({} new, {} updated, {} pages), {} to go",
            p.received, p.new, p.updated, p.pages, p.records_remaining
        ));
    })
    .await;
    ctrl_c.abort();
    progress.finish();
    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await;
    }
    match outcome {
        Ok(report) => {
            eprintln!(
                "synced: {} new, {} updated, {} total",
                report.new, report.updated, report.total
            );
            Ok(())
        }
        Err(e) => {
            if last.pages > 0 || matches!(e, Error::Cancelled) {
                eprintln!(
                    "sdesk: the sync stopped after {} pages ({} new, {} updated); what was \
                     committed stays, and the next sync continues from there",
                    last.pages, last.new, last.updated
                );
            }
            Err(e)
        }
    }
}

async fn export(args: &ArchiveExportArgs) -> Result<()> {
    let filter = report_query(&args.filter)?;
    let archive = Archive::open(&location(&args.database)?).await?;
    let mut records = archive
        .query(&ArchiveQuery {
            filter,
            ..ArchiveQuery::default()
        })
        .await?;
    records.sort_by(api_order);
    let written = write_reports(&records, args.filter.search.as_deref(), &args.csv)?;
    eprintln!("exported {written} records");
    Ok(())
}

/// The order in which the API delivers reports, so that `archive export` writes the same rows
/// in the same order as `reports export`: end date descending (records without one last), then
/// id ascending.
fn api_order(a: &ConnectionReport, b: &ConnectionReport) -> Ordering {
    match (a.end_date, b.end_date) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
    .then_with(|| a.id.cmp(&b.id))
}

/// `archive stats --json`, in this key order; times are RFC 3339 UTC (`…Z`), `null` when the
/// archive is empty or was never synced.
#[derive(serde::Serialize)]
struct StatsJson {
    records: u64,
    first_start: Option<String>,
    last_start: Option<String>,
    last_sync: Option<String>,
    /// Where the archive is, without a password.
    database: String,
    schema_version: i64,
    pending_edits: usize,
    /// Whether an interrupted sync run waits to be continued.
    unfinished_sync: bool,
}

async fn stats(args: &ArchiveStatsArgs) -> Result<()> {
    let url = location(&args.database)?;
    let archive = Archive::open(&url).await?;
    let stats = archive.stats().await?;
    let schema_version = archive.schema_version().await?;
    let pending_edits = archive.pending_edits().await?.len();
    let unfinished_sync = archive
        .sync_run()
        .await?
        .is_some_and(|run| run.is_unfinished());
    let time = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true));
    if args.json {
        let value = StatsJson {
            records: stats.records,
            first_start: time(stats.first_start),
            last_start: time(stats.last_start),
            last_sync: time(stats.last_sync),
            database: url.to_string(),
            schema_version,
            pending_edits,
            unfinished_sync,
        };
        let text = serde_json::to_string_pretty(&value).map_err(|e| Error::Config {
            message: format!("cannot encode JSON: {e}"),
        })?;
        println!("{}", term::json(&text));
        return Ok(());
    }
    let or = |t: Option<String>, none: &str| t.unwrap_or_else(|| none.to_owned());
    println!("database:       {}", term::line(&url.to_string()));
    println!("records:        {}", stats.records);
    println!("first start:    {}", or(time(stats.first_start), "-"));
    println!("last start:     {}", or(time(stats.last_start), "-"));
    println!("last sync:      {}", or(time(stats.last_sync), "never"));
    if unfinished_sync {
        println!("unfinished:     a sync was interrupted; the next sync continues it");
    }
    println!("pending edits:  {pending_edits}");
    println!("schema version: {schema_version}");
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn report(id: &str, end: Option<&str>) -> ConnectionReport {
        let mut r: ConnectionReport =
            serde_json::from_value(serde_json::json!({ "id": id })).unwrap();
        r.end_date = end.map(|e| e.parse().unwrap());
        r
    }

    #[test]
    fn export_order_is_the_apis() {
        let mut records = [
            report("b", Some("2026-01-01T10:00:00Z")),
            report("n", None),
            report("a", Some("2026-01-01T10:00:00Z")),
            report("c", Some("2026-01-02T10:00:00Z")),
        ];
        records.sort_by(api_order);
        let ids: Vec<_> = records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            ["c", "a", "b", "n"],
            "end date descending, ties by id, no end date last"
        );
    }
}
