#![allow(clippy::unwrap_used, clippy::expect_used)]
//! What a fetch keeps when its records are drained page by page (`ReportFetch::run_draining`):
//! only the ids it has seen. Measures the resident memory of those ids for an endless server
//! stopped at the record limit. Ignored by default (it takes seconds and reads /proc):
//! `cargo test -p sdesk-core --test logs_fetch_memory -- --ignored --nocapture` (the sizes do
//! not depend on the profile). Measured: about 92 MiB for 1,000,000 ids of 36 bytes, about
//! 167 MiB for 2,000,000 (the default record limit), the set's growth peaks above that.

mod logs {
    use async_trait::async_trait;
    use sdesk_core::logs::{ReportFetch, ReportPager, DEFAULT_MAX_RECORDS};
    use sdesk_core::models::{ConnectionReport, ReportPage, ReportQuery};
    use sdesk_core::{ErrorKind, Result};
    use std::sync::atomic::{AtomicU64, Ordering};
    use tokio_util::sync::CancellationToken;

    /// Pages of 1,000 bare records with fresh 36-character ids, forever.
    struct Endless(AtomicU64);

    #[async_trait]
    impl ReportPager for Endless {
        async fn report_page(&self, _: &ReportQuery, _: Option<&str>) -> Result<ReportPage> {
            let page = self.0.fetch_add(1, Ordering::Relaxed);
            let records: Vec<ConnectionReport> = (0..1_000u64)
                .map(|i| {
                    let n = page * 1_000 + i;
                    let id = format!("{:08x}-0000-4000-8000-{:012x}", n ^ 0x5a5a_5a5a, n);
                    serde_json::from_value(serde_json::json!({ "id": id })).unwrap()
                })
                .collect();
            Ok(ReportPage {
                next_offset: records.last().map(|r| r.id.clone()),
                records_remaining: Some(1_000_000_000),
                records,
            })
        }
    }

    /// `VmRSS` and `VmHWM` of this process, in KiB.
    fn rss() -> (u64, u64) {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap()
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    #[tokio::test]
    #[ignore = "measurement; run with --ignored --nocapture"]
    async fn memory_kept_by_a_draining_fetch_of_endless_pages() {
        for limit in [1_000_000, DEFAULT_MAX_RECORDS] {
            let before = rss();
            let mut fetch = ReportFetch::new(ReportQuery::default()).with_max_records(limit);
            let pager = Endless(AtomicU64::new(0));
            let err = fetch
                .run_draining(&pager, &CancellationToken::new(), &mut |_| {}, &mut |_| {
                    Ok(())
                })
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::LimitExceeded);
            let after = rss();
            drop(fetch);
            println!(
                "{limit} ids of 36 bytes: resident {:.1} MiB after the run (peak of the process \
                 {:.1} MiB, {:.1} MiB before)",
                (after.0.saturating_sub(before.0)) as f64 / 1024.0,
                after.1 as f64 / 1024.0,
                before.0 as f64 / 1024.0,
            );
        }
    }
}
