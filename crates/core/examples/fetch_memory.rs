//! Measurement, not a test: what a fetch keeps when its records are drained page by page
//! (`ReportFetch::run_draining`), which is only the ids it has seen. An endless server (pages
//! of 1,000 bare records with fresh 36-character ids, forever) is stopped at the record limit;
//! the program prints the resident memory the fetch holds then, and the peak while it ran.
//!
//! ```sh
//! cargo run --release -p sdesk-core --example fetch_memory              # 1,000,000 and 2,000,000 ids
//! cargo run --release -p sdesk-core --example fetch_memory -- 500000    # any record limits
//! ```
//!
//! Linux only (it reads `/proc/self/status`); the figures do not depend on the profile, the
//! time does. Results are in `bench/README.md`.

use async_trait::async_trait;
use sdesk_core::logs::{ReportFetch, ReportPager, DEFAULT_MAX_RECORDS};
use sdesk_core::models::{ConnectionReport, ReportPage, ReportQuery};
use sdesk_core::{ErrorKind, Result};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// Pages of 1,000 bare records with fresh 36-character ids, forever.
struct Endless(AtomicU64);

#[async_trait]
impl ReportPager for Endless {
    async fn report_page(&self, _: &ReportQuery, _: Option<&str>) -> Result<ReportPage> {
        let page = self.0.fetch_add(1, Ordering::Relaxed);
        let records = (0..1_000u64)
            .map(|i| {
                let n = page * 1_000 + i;
                let id = format!("{:08x}-0000-4000-8000-{:012x}", n ^ 0x5a5a_5a5a, n);
                serde_json::from_value::<ConnectionReport>(serde_json::json!({ "id": id }))
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| sdesk_core::Error::Decode {
                message: e.to_string(),
                body: String::new(),
            })?;
        Ok(ReportPage {
            next_offset: records.last().map(|r| r.id.clone()),
            records_remaining: Some(1_000_000_000),
            records,
        })
    }
}

type Failure = Box<dyn std::error::Error>;

/// `VmRSS` and `VmHWM` (the peak) of this process, in MiB.
fn rss() -> std::result::Result<(f64, f64), Failure> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let field = |name: &str| -> std::result::Result<f64, Failure> {
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .ok_or_else(|| format!("no {name} in /proc/self/status"))?
            .parse()?;
        Ok(kib as f64 / 1024.0)
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

#[tokio::main]
async fn main() -> std::result::Result<(), Failure> {
    let limits: Vec<u64> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .map(|a| a.replace(['_', ','], "").parse())
        .collect::<std::result::Result<_, _>>()?;
    let limits = if limits.is_empty() {
        vec![1_000_000, DEFAULT_MAX_RECORDS]
    } else {
        limits
    };
    if let [limit] = limits[..] {
        return measure(limit).await;
    }
    // One process per limit: memory freed by a run and kept by the allocator would otherwise
    // be reused by the next one and hide part of its growth.
    let program = std::env::current_exe()?;
    for limit in limits {
        let status = std::process::Command::new(&program)
            .arg(limit.to_string())
            .status()?;
        if !status.success() {
            return Err(format!("the measurement of {limit} ids failed: {status}").into());
        }
    }
    Ok(())
}

/// Runs a draining fetch of `limit` ids and prints what it held.
async fn measure(limit: u64) -> std::result::Result<(), Failure> {
    let before = rss()?;
    let mut fetch = ReportFetch::new(ReportQuery::default()).with_max_records(limit);
    let pager = Endless(AtomicU64::new(0));
    let started = Instant::now();
    let outcome = fetch
        .run_draining(&pager, &CancellationToken::new(), &mut |_| {}, &mut |_| {
            Ok(())
        })
        .await;
    let elapsed = started.elapsed();
    match outcome {
        Err(e) if e.kind() == ErrorKind::LimitExceeded => {}
        other => return Err(format!("expected the record limit, got {other:?}").into()),
    }
    let after = rss()?;
    drop(fetch);
    println!(
        "{limit} ids of 36 bytes: {:.1} MiB resident for the ids after the run \
         ({:.0} bytes per id), peak {:.1} MiB above the start ({:.1} MiB before), {:.2} s",
        after.0 - before.0,
        (after.0 - before.0) * 1024.0 * 1024.0 / limit as f64,
        after.1 - before.0,
        before.0,
        elapsed.as_secs_f64(),
    );
    Ok(())
}
