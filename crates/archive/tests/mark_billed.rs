#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Mark billed (`sdesk_core::billing::mark_billed`) against the TeamViewer simulator with random
//! faults of its `PUT`s, over a real SQLite archive synced from it: no update is lost or sent
//! twice, connections that are already billed (or must not be billed) are never sent, a cancel
//! keeps what was done, and the archive ends up agreeing with the server.

use chrono::{DateTime, Utc};
use sdesk_archive::{sync, Archive, ArchiveUrl, SyncOptions};
use sdesk_core::billing::{mark_billed_with, BillingRecord, MarkOptions, MarkOutcome};
use sdesk_core::client::{
    build_http, parse_api_url, HttpConfig, RetryPolicy, StaticToken, TeamViewerClient,
};
use sdesk_core::desk::ArchiveStore;
use sdesk_core::{ErrorKind, Secret};
use sdesk_sandbox::{Faults, PutFaults, RateLimitReply, Sandbox, SandboxConfig};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;

fn now() -> DateTime<Utc> {
    "2026-11-20T12:00:00Z".parse().unwrap()
}

async fn sandbox(records: usize, put_faults: Option<PutFaults>) -> Sandbox {
    let config = SandboxConfig {
        records,
        report_days: 30,
        now: Some(now()),
        faults: Faults {
            // A rate limit as a generic 429 with Retry-After: waited out, then sent again.
            rate_limit_reply: RateLimitReply::TooManyRequests,
            retry_after: Some(1),
            put_faults,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    };
    Sandbox::start(config, ([127, 0, 0, 1], 0).into())
        .await
        .unwrap()
}

/// A client whose attempts time out after 500 ms (a lost reply is held back 1 s), with quick
/// retries of its `GET`s.
fn client(sb: &Sandbox) -> TeamViewerClient {
    let http = build_http(&HttpConfig {
        request_timeout: Duration::from_millis(500),
        ..HttpConfig::default()
    })
    .unwrap();
    TeamViewerClient::new(
        http,
        parse_api_url(sb.base_url().as_str()).unwrap(),
        Arc::new(StaticToken::new(Secret::new(sb.script_token()))),
    )
    .with_retry(RetryPolicy {
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    })
}

fn options() -> MarkOptions {
    MarkOptions {
        min_interval: Duration::ZERO,
        retry: RetryPolicy {
            rate_limit_delay: Duration::from_millis(5),
            rate_limit_max_delay: Duration::from_millis(50),
            ..RetryPolicy::default()
        },
    }
}

/// An archive holding everything the sandbox serves.
async fn synced(dir: &TempDir, api: &TeamViewerClient) -> Archive {
    let archive = Archive::open(&ArchiveUrl::Sqlite(dir.path().join("a.sqlite3")))
        .await
        .unwrap();
    sync(
        &archive,
        api,
        &SyncOptions::default(),
        &CancellationToken::new(),
        &mut |_| {},
    )
    .await
    .unwrap();
    archive
}

async fn billing_records(archive: &Archive) -> Vec<BillingRecord> {
    let from: DateTime<Utc> = "2000-01-01T00:00:00Z".parse().unwrap();
    let to: DateTime<Utc> = "2100-01-01T00:00:00Z".parse().unwrap();
    let mut records = ArchiveStore::billing_records(archive, from, to)
        .await
        .unwrap();
    records.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
    records
}

/// The ids to mark: neither billed nor `DoNotBill`, ended, at least a minute long (the
/// connections of unbilled cases under the default rates).
fn unbilled(records: &[BillingRecord]) -> Vec<String> {
    records
        .iter()
        .filter(|r| !r.is_billed() && !r.is_do_not_bill() && r.end.is_some() && r.seconds() >= 60)
        .map(|r| r.id.clone())
        .collect()
}

async fn run(
    api: &TeamViewerClient,
    archive: &Archive,
    ids: &[String],
    cancel: &CancellationToken,
) -> MarkOutcome {
    mark_billed_with(
        api,
        Some(archive as &dyn ArchiveStore),
        ids,
        cancel,
        &mut |_| {},
        &options(),
    )
    .await
}

/// The server's state of every report equals the archive's.
async fn assert_archive_agrees(sb: &Sandbox, archive: &Archive) {
    let records = billing_records(archive).await;
    assert_eq!(records.len(), sb.report_count(), "every report is archived");
    for r in &records {
        let server = sb
            .report(&r.id)
            .expect("an archived report is the server's");
        assert_eq!(
            r.billing_state, server.billing_state,
            "{}: the archive's billing state is the server's",
            r.id
        );
    }
}

#[tokio::test]
async fn faults_lose_no_put_and_send_none_twice() {
    let sb = sandbox(
        240,
        Some(PutFaults {
            seed: 11,
            rate_limit_percent: 5,
            server_error_percent: 15,
            lost_reply_percent: 10,
            lost_reply_delay: Duration::from_secs(1),
        }),
    )
    .await;
    let api = client(&sb);
    let dir = TempDir::new().unwrap();
    let archive = synced(&dir, &api).await;
    let records = billing_records(&archive).await;
    let wanted = unbilled(&records);
    let billed: Vec<String> = records
        .iter()
        .filter(|r| r.is_billed())
        .map(|r| r.id.clone())
        .collect();
    let do_not_bill: Vec<String> = records
        .iter()
        .filter(|r| r.is_do_not_bill())
        .map(|r| r.id.clone())
        .collect();
    assert!(
        wanted.len() > 100 && !billed.is_empty() && !do_not_bill.is_empty(),
        "the data has unbilled ({}), billed ({}) and DoNotBill ({}) connections",
        wanted.len(),
        billed.len(),
        do_not_bill.len()
    );
    // Asked for the billed and DoNotBill ones too: the archive keeps them from being sent.
    let mut asked = wanted.clone();
    asked.extend(billed.iter().cloned());
    asked.extend(do_not_bill.iter().cloned());

    let first = run(&api, &archive, &asked, &CancellationToken::new()).await;
    assert_eq!(
        first.already_billed, billed,
        "billed connections are skipped"
    );
    assert_eq!(
        first.not_billable, do_not_bill,
        "DoNotBill connections are skipped"
    );
    assert!(
        !first.failed.is_empty(),
        "with 15 % server errors some connections fail in the first run"
    );
    for f in &first.failed {
        assert_eq!(
            f.error.kind(),
            ErrorKind::Server,
            "{}: only the server errors fail; rate limits are waited out and lost replies read back ({})",
            f.id,
            f.error
        );
    }
    assert_eq!(
        first.marked.len() + first.failed.len(),
        wanted.len(),
        "every unbilled connection is marked or listed as failed"
    );
    let stats = sb.stats();
    assert!(stats.rate_limited > 0, "the run met rate limits");

    let mut retry = first.to_retry();
    let mut rounds = 0;
    while !retry.is_empty() {
        rounds += 1;
        assert!(rounds <= 10, "the failures are retried to the end");
        let again = run(&api, &archive, &retry, &CancellationToken::new()).await;
        assert!(
            again.already_billed.is_empty(),
            "a failed connection was not billed in the archive"
        );
        retry = again.to_retry();
    }

    let counts = sb.report_update_counts();
    for id in &wanted {
        assert_eq!(
            counts.get(id),
            Some(&1),
            "{id}: exactly one successful PUT (lost replies not sent again)"
        );
        assert_eq!(
            sb.report(id).unwrap().billing_state.as_deref(),
            Some("Billed"),
            "{id} ends Billed at the server"
        );
    }
    let wanted: HashSet<&String> = wanted.iter().collect();
    let extra: HashMap<&String, &u32> = counts
        .iter()
        .filter(|(id, _)| !wanted.contains(id))
        .collect();
    assert!(
        extra.is_empty(),
        "no PUT for billed, DoNotBill or free connections: {extra:?}"
    );
    assert_archive_agrees(&sb, &archive).await;
}

#[tokio::test]
async fn a_cancelled_run_keeps_what_it_did_and_a_rerun_sends_only_the_rest() {
    let sb = sandbox(120, None).await;
    let api = client(&sb);
    let dir = TempDir::new().unwrap();
    let archive = synced(&dir, &api).await;
    let wanted = unbilled(&billing_records(&archive).await);
    assert!(wanted.len() > 20, "enough connections to cancel half-way");

    let cancel = CancellationToken::new();
    let mut seen = Vec::new();
    let first = mark_billed_with(
        &api,
        Some(&archive as &dyn ArchiveStore),
        &wanted,
        &cancel,
        &mut |p| {
            seen.push(p);
            if p.done == 10 {
                cancel.cancel();
            }
        },
        &options(),
    )
    .await;
    assert!(first.cancelled, "the run says it was cancelled");
    assert_eq!(first.marked, wanted[..10], "the first ten were marked");
    assert_eq!(
        first.not_tried,
        wanted[10..],
        "the rest is listed as not tried"
    );
    assert_eq!(seen.len(), 10, "progress after each connection");
    assert_eq!(
        (seen[9].done, seen[9].total, seen[9].failed),
        (10, wanted.len(), 0)
    );
    assert_eq!(sb.stats().report_updates, 10, "no PUT after the cancel");

    let second = run(&api, &archive, &wanted, &CancellationToken::new()).await;
    assert_eq!(
        second.already_billed,
        wanted[..10],
        "the archive knows the first ten are billed: they are not sent again"
    );
    assert_eq!(second.marked, wanted[10..], "the re-run marks the rest");
    assert!(second.failed.is_empty() && !second.cancelled);
    let counts = sb.report_update_counts();
    assert!(
        wanted.iter().all(|id| counts.get(id) == Some(&1)) && counts.len() == wanted.len(),
        "one PUT per connection over both runs: {counts:?}"
    );
    assert_archive_agrees(&sb, &archive).await;
}
