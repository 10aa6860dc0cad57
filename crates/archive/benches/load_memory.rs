//! Memory of the app's load path onto the archive (issue 9, item 8): the resident set of a
//! fresh process after it has loaded an archived period of `BENCH_RECORDS` (1,000,000) records
//! into the log store, and the peak on the way. A program that prints figures
//! (`harness = false`):
//!
//! `cargo bench -p sdesk-archive --bench load_memory`
//!
//! The archive (SQLite, `BENCH_DB`, default `/tmp/sdesk-load-memory-<n>.sqlite3`) is filled
//! from the sandbox's generator over `BENCH_DAYS` (90) days the first time, untimed, and kept
//! for the next run. Each way of loading then runs in a process of its own (this program
//! again, with `--child <way>`):
//! - `whole`: every record read as a `Vec<ConnectionReport>` (`Archive::query`), then moved
//!   into the store (`LogStore::set_records`) — the load path before the parts;
//! - `parts`: read and moved into the store 10,000 records at a time as they are read
//!   (`Archive::query_in_parts` into `LogStore::push_records`), as the app loads now.
//!
//! `BENCH_WAYS` (`whole,parts`) picks the ways.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::print_stdout)]

use chrono::{DateTime, Utc};
use sdesk_archive::{Archive, ArchiveQuery, ArchiveUrl};
use sdesk_core::desk::ARCHIVE_READ_PART;
use sdesk_core::logs::LogStore;
use sdesk_sandbox::generate_reports_over;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Instant;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace(['_', ','], "").parse().ok())
        .unwrap_or(default)
}

/// `VmRSS` and `VmHWM` (peak) of this process, in bytes.
fn rss_and_peak() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = |key: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .unwrap_or(0)
            * 1024
    };
    (kib("VmRSS:"), kib("VmHWM:"))
}

fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / 1_048_576.0)
}

fn now() -> DateTime<Utc> {
    "2026-11-20T12:00:00Z".parse().unwrap()
}

async fn prepare(path: &Path, records: usize, days: i64) {
    if path.exists() {
        return;
    }
    let t = Instant::now();
    let archive = Archive::open(&ArchiveUrl::Sqlite(path.to_path_buf()))
        .await
        .unwrap();
    let all = generate_reports_over(0x5EED, records, now(), days);
    for chunk in all.chunks(10_000) {
        let json: Vec<serde_json::Value> = chunk
            .iter()
            .map(|r| serde_json::to_value(r).unwrap())
            .collect();
        archive.upsert_json(&json).await.unwrap();
    }
    println!(
        "setup: {records} records over {days} days archived in {:.1} s",
        t.elapsed().as_secs_f64()
    );
}

async fn child(way: &str, path: PathBuf) {
    let archive = Archive::open(&ArchiveUrl::Sqlite(path)).await.unwrap();
    let query = ArchiveQuery::default();
    let (start, _) = rss_and_peak();
    let t = Instant::now();
    let store = match way {
        "whole" => {
            let records = archive.query(&query).await.unwrap();
            LogStore::from_records(records)
        }
        _ => {
            let loading = Arc::new(Mutex::new(LogStore::new()));
            let into = Arc::clone(&loading);
            archive
                .query_in_parts(&query, ARCHIVE_READ_PART, move |part| {
                    into.lock().unwrap().push_records(part)
                })
                .await
                .unwrap();
            let mut store = std::mem::take(&mut *loading.lock().unwrap());
            store.finish_load();
            store
        }
    };
    let took = t.elapsed();
    let (rss, peak) = rss_and_peak();
    let n = store.len() as u64;
    println!(
        "{way:<6} {n} records loaded in {:.1} s: RSS +{} ({} bytes/record), peak +{} \
         (records and id index: {} bytes/record)",
        took.as_secs_f64(),
        mib(rss.saturating_sub(start)),
        rss.saturating_sub(start) / n.max(1),
        mib(peak.saturating_sub(start)),
        store.record_bytes() as u64 / n.max(1),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let records = env_usize("BENCH_RECORDS", 1_000_000);
    let path = std::env::var("BENCH_DB").map_or_else(
        |_| std::env::temp_dir().join(format!("sdesk-load-memory-{records}.sqlite3")),
        PathBuf::from,
    );
    if let Some(at) = args.iter().position(|a| a == "--child") {
        let way = args.get(at + 1).cloned().unwrap_or_default();
        rt.block_on(child(&way, path));
        return;
    }
    let days = env_usize("BENCH_DAYS", 90) as i64;
    rt.block_on(prepare(&path, records, days));
    let exe = std::env::current_exe().unwrap();
    let ways = std::env::var("BENCH_WAYS").unwrap_or_else(|_| "whole,parts".to_owned());
    for way in ways.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let status = Command::new(&exe)
            .args(["--child", way])
            .env("BENCH_DB", &path)
            .env("BENCH_RECORDS", records.to_string())
            .status()
            .unwrap();
        assert!(status.success(), "the {way} load ran");
    }
}
