//! Archive benchmarks (a program that prints figures, `harness = false`; run through
//! `scripts/bench-archive.sh`, which builds it in release and starts PostgreSQL when asked).
//!
//! (a) First sync of `BENCH_RECORDS` (100,000) records from the sandbox on loopback into a new
//!     archive, through the real `TeamViewerClient`, against one sequential `curl` fetching the
//!     same pages (the URLs the sync requests, one curl process, bodies to /dev/null). Runs are
//!     interleaved (sync, curl, sync, curl, …) and the medians compared (target ≤ 1.3×). Once
//!     for each per-request latency of the sandbox in `BENCH_LATENCY_MS` (comma-separated,
//!     default `0,20,100`: loopback with no server time, a near server, a far one; the real
//!     API's time per page is not documented).
//! (b) Incremental sync of `BENCH_NEW` (1,000) new records into an archive of
//!     `BENCH_ARCHIVE` (1,000,000): the sandbox generates archive + new records, withholds the
//!     newest `BENCH_NEW` per measurement (`SandboxConfig::withheld_records`); the archive is
//!     filled directly with `Archive::upsert_json` (the sandbox's own JSON of the same
//!     records, untimed setup, its time printed); then `release_records` lets the new ones in
//!     and one `sync` is timed, and the sandbox's count of API requests says how many report
//!     pages it read (targets ≤ 1 s, ≤ 2 requests). Measured with the default overlap (2 days)
//!     and with each overlap in `BENCH_OVERLAPS_MIN` (minutes, comma-separated), for each
//!     density in `BENCH_REPORT_DAYS` (days the archive's records span, comma-separated;
//!     default `90,1825`: the sandbox's dense 90 days, and five years of an office of ~550
//!     sessions a day, `SandboxConfig::report_days`).
//!
//! Backends: SQLite (a file in a temporary directory) always; PostgreSQL too when
//! `SDESK_BENCH_POSTGRES_URL` names a server (a new database per measurement is created
//! there). `BENCH_ONLY=a|b` runs one part; `BENCH_RUNS` (3) the runs of (a).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::print_stdout)]

use chrono::{DateTime, Utc};
use sdesk_archive::{sync, Archive, ArchiveUrl, SyncOptions, SyncReport};
use sdesk_core::client::{build_http, HttpConfig, StaticToken, TeamViewerClient};
use sdesk_core::Secret;
use sdesk_sandbox::{
    generate_reports, generate_reports_over, Sandbox, SandboxConfig, REPORT_PAGE_SIZE,
};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace(['_', ','], "").parse().ok())
        .unwrap_or(default)
}

fn now() -> DateTime<Utc> {
    "2026-11-20T12:00:00Z".parse().unwrap()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn client(sandbox: &Sandbox) -> TeamViewerClient {
    let http = build_http(&HttpConfig::default()).unwrap();
    let token = Arc::new(StaticToken::new(Secret::new(sandbox.script_token())));
    TeamViewerClient::new(http, sandbox.base_url(), token)
}

async fn start(records: usize, withheld: usize, report_days: u32, latency_ms: u64) -> Sandbox {
    let mut config = SandboxConfig {
        records,
        withheld_records: withheld,
        report_days,
        now: Some(now()),
        ..SandboxConfig::default()
    };
    config.faults.latency = (latency_ms > 0).then(|| Duration::from_millis(latency_ms));
    Sandbox::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// A new, empty archive; the temporary directory lives as long as the returned guard.
async fn fresh(backend: Backend, pg: Option<&str>) -> (Archive, Option<tempfile::TempDir>) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = ArchiveUrl::Sqlite(dir.path().join("bench.sqlite3"));
            (Archive::open(&url).await.unwrap(), Some(dir))
        }
        Backend::Postgres => {
            let server = pg.unwrap();
            let (client, conn) = tokio_postgres::connect(server, tokio_postgres::NoTls)
                .await
                .expect("the PostgreSQL server is reachable");
            tokio::spawn(conn);
            let name = format!("sdesk_bench_{}", uuid::Uuid::new_v4().simple());
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            let (base, query) = match server.split_once('?') {
                Some((b, q)) => (b, format!("?{q}")),
                None => (server, String::new()),
            };
            let (origin, _) = base.rsplit_once('/').expect("the URL names a database");
            let url = ArchiveUrl::parse(&format!("{origin}/{name}{query}")).unwrap();
            (Archive::open(&url).await.unwrap(), None)
        }
    }
}

async fn run_sync(
    archive: &Archive,
    pager: &TeamViewerClient,
    options: &SyncOptions,
) -> SyncReport {
    sync(
        archive,
        pager,
        options,
        &CancellationToken::new(),
        &mut |_| {},
    )
    .await
    .unwrap()
}

/// The URLs of every page of an unfiltered listing of `records` (served order), as the sync
/// requests them.
fn page_urls(sandbox: &Sandbox, records: usize) -> Vec<String> {
    let all = generate_reports(SandboxConfig::default().seed, records, now());
    let base = format!("{}api/v1/reports/connections", sandbox.base_url());
    let mut urls = vec![base.clone()];
    let mut at = REPORT_PAGE_SIZE;
    while at < all.len() {
        urls.push(format!("{base}?offset_id={}", all[at - 1].id));
        at += REPORT_PAGE_SIZE;
    }
    urls
}

fn curl(urls: &[String], token: &str) -> Duration {
    let mut cmd = Command::new("curl");
    cmd.args([
        "-sS",
        "--fail",
        "-H",
        &format!("Authorization: Bearer {token}"),
    ]);
    for u in urls {
        cmd.args([u.as_str(), "-o", "/dev/null"]);
    }
    let t = Instant::now();
    let status = cmd.stdout(Stdio::null()).status().expect("curl runs");
    let took = t.elapsed();
    assert!(status.success(), "curl failed");
    took
}

/// CPU time (user + system) of this process so far, from `/proc/self/stat` (Linux, in ticks of
/// 10 ms; `None` elsewhere). The sandbox runs in this process, so a sync's figure includes the
/// sandbox's work for its answers; curl is another process and not counted.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces: the
    // first is field 3 (state), so utime and stime (fields 14 and 15) are at 11 and 12.
    let fields: Vec<&str> = stat
        .get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

async fn first_sync(backends: &[Backend], pg: Option<&str>) {
    let latencies: Vec<u64> = std::env::var("BENCH_LATENCY_MS")
        .unwrap_or_else(|_| "0,20,100".to_owned())
        .split(',')
        .filter_map(|m| m.trim().parse().ok())
        .collect();
    for latency in latencies {
        first_sync_at(backends, pg, latency).await;
    }
}

async fn first_sync_at(backends: &[Backend], pg: Option<&str>, latency_ms: u64) {
    let records = env_usize("BENCH_RECORDS", 100_000);
    let runs = env_usize("BENCH_RUNS", 3).max(1);
    let sandbox = start(records, 0, 90, latency_ms).await;
    let pager = client(&sandbox);
    let urls = page_urls(&sandbox, records);
    let token = sandbox.script_token();
    println!(
        "\n== (a) first sync of {records} records ({} pages) from the sandbox answering each \
         request after {latency_ms} ms, median of {runs}",
        urls.len()
    );
    // Warm-up: one curl and one small sync (connections, page cache of the sandbox's data).
    curl(&urls[..1], &token);
    for &backend in backends {
        let mut syncs = Vec::new();
        let mut cpus = Vec::new();
        let mut curls = Vec::new();
        for _ in 0..runs {
            let (archive, _dir) = fresh(backend, pg).await;
            let before = sandbox.stats().api_requests;
            let (t, cpu) = (Instant::now(), process_cpu());
            let report = run_sync(&archive, &pager, &SyncOptions::default()).await;
            syncs.push(t.elapsed());
            if let (Some(before), Some(after)) = (cpu, process_cpu()) {
                cpus.push(after.saturating_sub(before));
            }
            assert_eq!(
                (report.new, report.total),
                (records as u64, records as u64),
                "every record once"
            );
            let requests = sandbox.stats().api_requests - before;
            assert_eq!(requests as usize, urls.len(), "one request per page");
            curls.push(curl(&urls, &token));
        }
        let (s, c) = (median(syncs.clone()), median(curls.clone()));
        println!(
            "{:<10} sync: {:>10} (runs: {})",
            backend.name(),
            ms(s),
            syncs.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(", ")
        );
        if cpus.len() == syncs.len() {
            println!(
                "{:<10} CPU:  {:>10} (runs: {}; this process: client, archive and sandbox)",
                "",
                ms(median(cpus.clone())),
                cpus.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(", ")
            );
        }
        println!(
            "{:<10} curl: {:>10} (runs: {})",
            "",
            ms(c),
            curls.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(", ")
        );
        println!(
            "{:<10} ratio sync/curl: {:.2}x (target <= 1.3x)",
            "",
            s.as_secs_f64() / c.as_secs_f64()
        );
    }
    sandbox.shutdown().await;
}

async fn incremental(backends: &[Backend], pg: Option<&str>) {
    let densities: Vec<u32> = std::env::var("BENCH_REPORT_DAYS")
        .unwrap_or_else(|_| "90,1825".to_owned())
        .split(',')
        .filter_map(|d| d.trim().parse().ok())
        .filter(|&d| d > 0)
        .collect();
    for days in densities {
        incremental_at(backends, pg, days).await;
    }
}

async fn incremental_at(backends: &[Backend], pg: Option<&str>, days: u32) {
    let size = env_usize("BENCH_ARCHIVE", 1_000_000);
    let new = env_usize("BENCH_NEW", 1_000);
    let overlaps: Vec<Option<u64>> = std::iter::once(None)
        .chain(
            std::env::var("BENCH_OVERLAPS_MIN")
                .unwrap_or_default()
                .split(',')
                .filter_map(|m| m.trim().parse().ok())
                .map(Some),
        )
        .collect();
    let rounds = overlaps.len();
    let total = size + new * rounds;
    println!(
        "\n== (b) incremental sync of {new} new records into an archive of {size} over {days} \
         days (~{} a day; sandbox of {total}, {} withheld at first)",
        size / days as usize,
        new * rounds
    );
    let t = Instant::now();
    let all = tokio::task::spawn_blocking(move || {
        generate_reports_over(SandboxConfig::default().seed, total, now(), i64::from(days))
    })
    .await
    .unwrap();
    println!("setup: generated {total} records in {}", ms(t.elapsed()));
    for &backend in backends {
        let sandbox = start(total, new * rounds, days, 0).await;
        let pager = client(&sandbox);
        let (archive, _dir) = fresh(backend, pg).await;
        let t = Instant::now();
        for chunk in all[new * rounds..].chunks(10_000) {
            let json: Vec<serde_json::Value> = chunk
                .iter()
                .map(|r| serde_json::to_value(r).unwrap())
                .collect();
            archive.upsert_json(&json).await.unwrap();
        }
        let stats = archive.stats().await.unwrap();
        assert_eq!(stats.records as usize, size);
        println!(
            "{:<10} setup: {size} records upserted in {}",
            backend.name(),
            ms(t.elapsed())
        );
        for (round, overlap) in overlaps.iter().enumerate() {
            let mut options = SyncOptions::default();
            if let Some(m) = overlap {
                options.overlap = Duration::from_secs(m * 60);
            }
            assert_eq!(sandbox.release_records(new), new);
            let before = sandbox.stats().api_requests;
            let t = Instant::now();
            let report = run_sync(&archive, &pager, &options).await;
            let took = t.elapsed();
            let requests = sandbox.stats().api_requests - before;
            // A short overlap can miss new records that started before the newest archived
            // start (they ended, and so appeared, later): printed, not asserted.
            let missed = new.saturating_sub(report.new as usize);
            assert!(report.total as usize <= size + new * (round + 1));
            let label = match overlap {
                None => "overlap 2 d (default)".to_owned(),
                Some(m) => format!("overlap {m} min"),
            };
            println!(
                "{:<10} {label}: {}, {requests} report requests, {} new ({missed} missed), {} \
                 unchanged re-read, mode {} from {} (targets <= 1 s, <= 2 requests)",
                backend.name(),
                ms(took),
                report.new,
                report.unchanged,
                report.mode.as_str(),
                report.from_date.map_or("-".to_owned(), |d| d.to_rfc3339()),
            );
        }
        sandbox.shutdown().await;
    }
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let pg = std::env::var("SDESK_BENCH_POSTGRES_URL")
        .ok()
        .filter(|u| !u.trim().is_empty());
    let mut backends = vec![Backend::Sqlite];
    if pg.is_some() {
        backends.push(Backend::Postgres);
    }
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    rt.block_on(async {
        if only.is_empty() || only == "a" {
            first_sync(&backends, pg.as_deref()).await;
        }
        if only.is_empty() || only == "b" {
            incremental(&backends, pg.as_deref()).await;
        }
    });
}
