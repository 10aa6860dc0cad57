//! Billing report and insight over 1,000,000 archived records (issue 10, item 8, first line:
//! ≤ 200 ms each, release). A program that prints figures (`harness = false`):
//!
//! `cargo bench -p sdesk-archive --bench billing`
//! (`scripts/with-postgres.sh bash -c 'SDESK_BENCH_POSTGRES_URL=$SDESK_TEST_POSTGRES_URL cargo
//! bench -p sdesk-archive --bench billing'` adds PostgreSQL).
//!
//! For each density in `BENCH_REPORT_DAYS` (default `365,1825`: `BENCH_RECORDS` = 1,000,000
//! records over one year, so a year's report reads all of them; and over five years, so it reads
//! a fifth), an archive is filled from the sandbox's generator the first time (untimed; SQLite:
//! the file `BENCH_DIR`/sdesk-billing-<records>-<days>d.sqlite3, default the temp directory,
//! kept for the next run; PostgreSQL: a new database per run) and then, `BENCH_RUNS` (5) times
//! after one warm-up run, for the year up to the generator's "now":
//! - `read`: `Archive::billing_records` of the year;
//! - `insight`: `billing::insight` of those records;
//! - `cases+csv`: `billing::build_cases` (the default rates) and `write_report_csv` of all
//!   cases into memory;
//! - `report` = read + cases + CSV, and `insight total` = read + insight: the figures the
//!   target is about (the whole report / insight from the archive).
//!
//! Medians are printed, with every run's figure.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::print_stdout)]

use chrono::{DateTime, Duration as Days, Utc};
use sdesk_archive::{Archive, ArchiveUrl};
use sdesk_core::billing::{build_cases, insight, write_report_csv, BillingRecord, Rates};
use sdesk_sandbox::generate_reports_over;
use std::path::PathBuf;
use std::time::{Duration, Instant};

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

/// Fills `archive` with `records` generated records over `days` days (untimed setup).
async fn fill(archive: &Archive, records: usize, days: i64) {
    let t = Instant::now();
    let all =
        tokio::task::spawn_blocking(move || generate_reports_over(0x5EED, records, now(), days))
            .await
            .unwrap();
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

async fn sqlite(records: usize, days: i64) -> Archive {
    let dir = std::env::var("BENCH_DIR").map_or_else(|_| std::env::temp_dir(), PathBuf::from);
    let path = dir.join(format!("sdesk-billing-{records}-{days}d.sqlite3"));
    let existed = path.exists();
    let archive = Archive::open(&ArchiveUrl::Sqlite(path.clone()))
        .await
        .unwrap();
    if !existed {
        fill(&archive, records, days).await;
    }
    let stats = archive.stats().await.unwrap();
    assert_eq!(
        stats.records as usize,
        records,
        "{} holds the benchmark's records (delete it to fill it again)",
        path.display()
    );
    println!(
        "SQLite archive {} ({:.0} MiB)",
        path.display(),
        std::fs::metadata(&path).map_or(0, |m| m.len()) as f64 / 1_048_576.0
    );
    archive
}

async fn postgres(server: &str, records: usize, days: i64) -> Archive {
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
    let archive = Archive::open(&url).await.unwrap();
    fill(&archive, records, days).await;
    // What autovacuum would do after the load: fresh planner statistics.
    let (c2, conn2) =
        tokio_postgres::connect(&format!("{origin}/{name}{query}"), tokio_postgres::NoTls)
            .await
            .unwrap();
    tokio::spawn(conn2);
    c2.batch_execute("VACUUM ANALYZE reports").await.unwrap();
    archive
}

struct Figures {
    read: Vec<Duration>,
    insight: Vec<Duration>,
    cases: Vec<Duration>,
}

async fn measure(label: &str, archive: &Archive, runs: usize) {
    let to = now() + Days::days(1);
    let from = to - Days::days(365);
    let rates = Rates::default();
    let mut f = Figures {
        read: Vec::new(),
        insight: Vec::new(),
        cases: Vec::new(),
    };
    let mut summary = String::new();
    for run in 0..=runs {
        let t = Instant::now();
        let records: Vec<BillingRecord> = archive.billing_records(from, to).await.unwrap();
        let read = t.elapsed();
        let t = Instant::now();
        let totals = insight(&records);
        let insight_took = t.elapsed();
        let t = Instant::now();
        let report = build_cases(&rates, &records);
        let mut csv: Vec<u8> = Vec::with_capacity(64 << 20);
        write_report_csv(&report.cases, &mut csv).unwrap();
        let cases = t.elapsed();
        assert_eq!(totals.connections as usize, records.len());
        if run == 0 {
            summary = format!(
                "{} records read, {} customers, {} cases ({} excluded), CSV {:.1} MiB; \
                 warm-up run: read {}, insight {}, cases+csv {}",
                records.len(),
                totals.by_customer.len(),
                report.cases.len(),
                report.excluded.len(),
                csv.len() as f64 / 1_048_576.0,
                ms(read),
                ms(insight_took),
                ms(cases)
            );
            continue;
        }
        f.read.push(read);
        f.insight.push(insight_took);
        f.cases.push(cases);
    }
    println!("{label}: {summary}");
    let list = |v: &[Duration]| v.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(", ");
    let sum =
        |a: &[Duration], b: &[Duration]| a.iter().zip(b).map(|(x, y)| *x + *y).collect::<Vec<_>>();
    let report = sum(&f.read, &f.cases);
    let total = sum(&f.read, &f.insight);
    for (what, v) in [
        ("read", &f.read),
        ("insight", &f.insight),
        ("cases+csv", &f.cases),
    ] {
        println!(
            "  {what:<14} {:>9}  (runs: {})",
            ms(median(v.clone())),
            list(v)
        );
    }
    println!(
        "  {:<14} {:>9}  (runs: {})  target <= 200 ms",
        "REPORT",
        ms(median(report.clone())),
        list(&report)
    );
    println!(
        "  {:<14} {:>9}  (runs: {})  target <= 200 ms",
        "INSIGHT",
        ms(median(total.clone())),
        list(&total)
    );
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let records = env_usize("BENCH_RECORDS", 1_000_000);
    let runs = env_usize("BENCH_RUNS", 5).max(1);
    let densities: Vec<i64> = std::env::var("BENCH_REPORT_DAYS")
        .unwrap_or_else(|_| "365,1825".to_owned())
        .split(',')
        .filter_map(|d| d.trim().parse().ok())
        .filter(|&d| d > 0)
        .collect();
    let pg = std::env::var("SDESK_BENCH_POSTGRES_URL")
        .ok()
        .filter(|u| !u.trim().is_empty());
    println!(
        "billing report and insight of the year up to {} (load average {})",
        now().to_rfc3339(),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    rt.block_on(async {
        for days in densities {
            println!("\n== {records} archived records over {days} days");
            if std::env::var("BENCH_SKIP_SQLITE").is_err() {
                let archive = sqlite(records, days).await;
                measure("SQLite", &archive, runs).await;
            }
            if let Some(server) = pg.as_deref() {
                let archive = postgres(server, records, days).await;
                measure("PostgreSQL", &archive, runs).await;
            }
        }
    });
}
