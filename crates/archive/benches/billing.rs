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
//! - `REPORT` = read + cases + CSV, and `INSIGHT` = read + insight: the figures the
//!   target is about (the whole report / insight from the archive).
//!
//! Medians of the wall and the CPU time (user + system, in 10 ms ticks) are printed, with
//! every run's figures: on a shared machine the wall time follows the load.
//! `BENCH_ONLY=read` times only the read (for a profiler); `BENCH_SKIP_SQLITE=1` measures only
//! PostgreSQL.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::print_stdout)]

use chrono::{DateTime, Duration as Days, Utc};
use sdesk_archive::{Archive, ArchiveUrl};
use sdesk_core::billing::{build_cases, insight, write_report_csv, Rates};
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

/// CPU time (user + system) of this process so far, from `/proc/self/stat` (Linux, ticks of
/// 10 ms; `None` elsewhere): on a machine shared with other work the wall time of a step
/// depends on the load, its CPU time much less.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat
        .get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Runs `step`, returning its result, wall time and CPU time (zero when unknown).
async fn timed<T>(step: impl std::future::Future<Output = T>) -> (T, Duration, Duration) {
    let (t, cpu) = (Instant::now(), process_cpu());
    let out = step.await;
    let wall = t.elapsed();
    let cpu = match (cpu, process_cpu()) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => Duration::ZERO,
    };
    (out, wall, cpu)
}

/// Fills `archive` with `records` generated records over `days` days (untimed setup).
async fn fill(archive: &Archive, records: usize, days: i64) {
    let (t, cpu) = (Instant::now(), process_cpu());
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
    let cpu = match (cpu, process_cpu()) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => Duration::ZERO,
    };
    println!(
        "setup: {records} records over {days} days archived in {:.1} s (CPU {:.1} s, generating \
         included)",
        t.elapsed().as_secs_f64(),
        cpu.as_secs_f64()
    );
}

async fn sqlite(records: usize, days: i64) -> Archive {
    let dir = std::env::var("BENCH_DIR").map_or_else(|_| std::env::temp_dir(), PathBuf::from);
    let path = dir.join(format!("sdesk-billing-{records}-{days}d.sqlite3"));
    let existed = path.exists();
    let t = Instant::now();
    let archive = Archive::open(&ArchiveUrl::Sqlite(path.clone()))
        .await
        .unwrap();
    if existed {
        // Includes any migration the cached file still needed (the billing index of schema 3).
        println!("opened in {}", ms(t.elapsed()));
    }
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

/// Wall and CPU times of one step over the runs.
#[derive(Default)]
struct Step {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

impl Step {
    fn push(&mut self, wall: Duration, cpu: Duration) {
        self.wall.push(wall);
        self.cpu.push(cpu);
    }

    /// The step followed by `other` (run by run).
    fn then(&self, other: &Step) -> Step {
        let add = |a: &[Duration], b: &[Duration]| a.iter().zip(b).map(|(x, y)| *x + *y).collect();
        Step {
            wall: add(&self.wall, &other.wall),
            cpu: add(&self.cpu, &other.cpu),
        }
    }

    fn print(&self, what: &str, target: &str) {
        let list = |v: &[Duration]| v.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(", ");
        println!(
            "  {what:<14} wall {:>9}, CPU {:>9}  (wall: {}; CPU: {}){target}",
            ms(median(self.wall.clone())),
            ms(median(self.cpu.clone())),
            list(&self.wall),
            list(&self.cpu)
        );
    }
}

async fn measure(label: &str, archive: &Archive, runs: usize) {
    let to = now() + Days::days(1);
    let from = to - Days::days(365);
    let rates = Rates::default();
    // BENCH_ONLY=read: only the archive read (for a profiler).
    if std::env::var("BENCH_ONLY").is_ok_and(|o| o == "read") {
        for _ in 0..runs {
            let (n, wall, cpu) =
                timed(async { archive.billing_records(from, to).await.unwrap().len() }).await;
            println!(
                "{label}: read {n} records in {} (CPU {})",
                ms(wall),
                ms(cpu)
            );
        }
        return;
    }
    let (mut read, mut totals, mut cases) = (Step::default(), Step::default(), Step::default());
    let mut streamed = Step::default();
    let mut summary = String::new();
    for run in 0..=runs {
        let (records, r_wall, r_cpu) =
            timed(async { archive.billing_records(from, to).await.unwrap() }).await;
        let (result, i_wall, i_cpu) = timed(async { insight(&records) }).await;
        let ((report, csv), c_wall, c_cpu) = timed(async {
            let report = build_cases(&rates, &records);
            let mut csv: Vec<u8> = Vec::with_capacity(64 << 20);
            write_report_csv(&report.cases, &mut csv).unwrap();
            (report, csv)
        })
        .await;
        assert_eq!(result.connections as usize, records.len());
        let n = records.len();
        drop(records);
        // `Archive::insight`: the same aggregate as the rows stream in (no records kept).
        let (direct, s_wall, s_cpu) =
            timed(async { archive.insight(from, to).await.unwrap() }).await;
        assert_eq!(
            direct, result,
            "Archive::insight equals insight(&billing_records)"
        );
        if run == 0 {
            summary = format!(
                "{} records read, {} customers, {} cases ({} excluded), CSV {:.1} MiB; \
                 warm-up run: read {}, insight {}, cases+csv {}",
                n,
                result.by_customer.len(),
                report.cases.len(),
                report.excluded.len(),
                csv.len() as f64 / 1_048_576.0,
                ms(r_wall),
                ms(i_wall),
                ms(c_wall)
            );
            continue;
        }
        read.push(r_wall, r_cpu);
        totals.push(i_wall, i_cpu);
        cases.push(c_wall, c_cpu);
        streamed.push(s_wall, s_cpu);
    }
    println!("{label}: {summary}");
    read.print("read", "");
    totals.print("insight", "");
    cases.print("cases+csv", "");
    read.then(&cases).print("REPORT", "  target <= 200 ms");
    read.then(&totals).print("INSIGHT", "  target <= 200 ms");
    streamed.print("INSIGHT stream", "  target <= 200 ms (Archive::insight)");
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
