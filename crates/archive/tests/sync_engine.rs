#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The sync loop: first and incremental windows against the real client (wiremock), kill and
//! cancel then resume, the server's contradictions, full re-reads, and the sandbox end to end.

mod common;

use common::*;
use sdesk_archive::{sync, Archive, ArchiveUrl, SyncMode, SyncOptions};
use sdesk_core::client::TeamViewerClient;
use sdesk_core::client::{build_http, parse_api_url, HttpConfig, RetryPolicy, StaticToken};
use sdesk_core::{ErrorKind, Secret};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn archive(dir: &TempDir) -> Archive {
    Archive::open(&ArchiveUrl::Sqlite(dir.path().join("a.sqlite3")))
        .await
        .unwrap()
}

fn client(uri: &str) -> TeamViewerClient {
    TeamViewerClient::new(
        build_http(&HttpConfig::default()).unwrap(),
        parse_api_url(uri).unwrap(),
        Arc::new(StaticToken::new(Secret::new("t".to_owned()))),
    )
    .with_retry(RetryPolicy::none())
}

/// A mock server whose every `GET /reports/connections` answers 200 with `page`.
async fn serving(page: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/reports/connections"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&server)
        .await;
    server
}

/// The `from_date` and `offset_id` of every reports request the mock server received.
async fn report_requests(server: &MockServer) -> Vec<(Option<String>, Option<String>)> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/api/v1/reports/connections")
        .map(|r| {
            let get = |k: &str| {
                r.url
                    .query_pairs()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.into_owned())
            };
            (get("from_date"), get("offset_id"))
        })
        .collect()
}

#[tokio::test]
async fn incremental_sync_starts_at_the_newest_start_minus_the_overlap() {
    let server = serving(json!({"records": records(3), "records_remaining": 0})).await;
    let dir = TempDir::new().unwrap();
    let archive = archive(&dir).await;
    let api = client(&server.uri());

    let first = sync_once(&archive, &api).await.unwrap();
    assert_eq!(first.mode, SyncMode::Initial);
    assert_eq!((first.new, first.total), (3, 3));
    assert_eq!(
        report_requests(&server).await,
        vec![(None, None)],
        "the first sync of an empty archive asks for everything the API returns"
    );

    // Newest start: record 2 at base + 2 h; default overlap 2 days.
    let second = sync_once(&archive, &api).await.unwrap();
    assert_eq!(second.mode, SyncMode::Incremental);
    assert_eq!((second.new, second.updated, second.unchanged), (0, 0, 3));
    assert_eq!(
        report_requests(&server).await[1].0.as_deref(),
        Some("2025-02-27T10:00:00Z"),
        "from_date = newest archived start_date (2025-03-01T10:00) minus 2 days"
    );
    let hours = SyncOptions {
        overlap: Duration::from_secs(6 * 3600),
        ..SyncOptions::default()
    };
    sync_with(&archive, &api, &hours).await.unwrap();
    assert_eq!(
        report_requests(&server).await[2].0.as_deref(),
        Some("2025-03-01T04:00:00Z"),
        "the overlap is configurable"
    );
    let since = SyncOptions {
        since: Some(t("2024-01-01T00:00:00Z")),
        ..SyncOptions::default()
    };
    let r = sync_with(&archive, &api, &since).await.unwrap();
    assert_eq!(
        r.mode,
        SyncMode::Full,
        "since on a filled archive re-reads that period"
    );
    assert_eq!(
        report_requests(&server).await[3].0.as_deref(),
        Some("2024-01-01T00:00:00Z")
    );
    let stats = archive.stats().await.unwrap();
    assert!(
        stats.last_sync.is_some(),
        "stats know when the last sync finished"
    );
}

#[tokio::test]
async fn a_count_without_a_cursor_is_an_invalid_response() {
    let server = serving(json!({"records": records(2), "records_remaining": 40})).await;
    let dir = TempDir::new().unwrap();
    let archive = archive(&dir).await;
    let err = sync_once(&archive, &client(&server.uri()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{err}");
    assert!(err.to_string().contains("next_offset"), "{err}");
    assert_eq!(
        archive.stats().await.unwrap().records,
        0,
        "a page that cannot be followed is not committed as if the run were done"
    );
}

#[tokio::test]
async fn a_repeated_cursor_is_an_invalid_response() {
    let server = serving(
        json!({"records": records(2), "records_remaining": 40, "next_offset": "rec-00001"}),
    )
    .await;
    let dir = TempDir::new().unwrap();
    let archive = archive(&dir).await;
    let err = sync_once(&archive, &client(&server.uri()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{err}");
    assert!(err.to_string().contains("second time"), "{err}");
    assert_eq!(
        report_requests(&server).await.len(),
        2,
        "the loop stops at the first repeat instead of paging forever"
    );
}

#[tokio::test]
async fn a_killed_sync_continues_where_it_stopped() {
    let dir = TempDir::new().unwrap();
    let archive = archive(&dir).await;
    let mut api = FakeApi::new(records(40), 4);
    api.hang_at = Some(4);
    {
        let (options, cancel, mut progress) = (
            SyncOptions::default(),
            CancellationToken::new(),
            no_progress(),
        );
        let mut run = std::pin::pin!(sync(&archive, &api, &options, &cancel, &mut progress));
        tokio::select! {
            _ = &mut run => panic!("the sync cannot finish: page 4 never answers"),
            () = api.hung.notified() => {}
        }
        // Page 4 is requested ahead, before page 3 (even page 2) is committed: let page 3's
        // commit land first.
        while archive.sync_run().await.unwrap().map_or(0, |r| r.pages) < 3 {
            tokio::select! {
                _ = &mut run => panic!("the sync cannot finish: page 4 never answers"),
                () = tokio::time::sleep(Duration::from_millis(2)) => {}
            }
        }
        // Dropping the future here is the kill: no cleanup code runs.
    }
    assert_eq!(
        archive.stats().await.unwrap().records,
        12,
        "pages 1–3 were committed"
    );
    let cursor = archive.sync_run().await.unwrap().unwrap().cursor.unwrap();

    let api = FakeApi::new(records(40), 4);
    let report = sync_once(&archive, &api).await.unwrap();
    assert_eq!(
        api.requests()[0].1.as_deref(),
        Some(cursor.as_str()),
        "the next sync asks for page 4, not page 1"
    );
    assert!(report.resumed);
    assert_eq!(
        report.new, 28,
        "only the records the killed run had not committed are new"
    );
    assert_exactly(&archive, 40, "after the kill and the resumed sync").await;
}

#[tokio::test]
async fn a_cancelled_sync_keeps_its_pages_and_resumes() {
    let dir = TempDir::new().unwrap();
    let archive = archive(&dir).await;
    let api = FakeApi::new(records(30), 5);
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    let mut seen = Vec::new();
    let mut requested_at_cancel = 0;
    let err = sync(&archive, &api, &SyncOptions::default(), &cancel, &mut |p| {
        seen.push(p.pages);
        if p.pages == 2 {
            requested_at_cancel = api.requests().len();
            c.cancel();
        }
    })
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert_eq!(
        seen,
        vec![1, 2],
        "cancellation takes effect before the next page"
    );
    assert!(
        (3..=4).contains(&requested_at_cancel),
        "pages 3 and (once page 2 was taken for its commit) 4 are read ahead, no more: \
         {requested_at_cancel} requests when page 2 was committed"
    );
    assert_eq!(
        api.requests().len(),
        requested_at_cancel,
        "no request after the cancel"
    );
    assert_eq!(archive.stats().await.unwrap().records, 10);
    let report = sync_once(&archive, &api).await.unwrap();
    assert!(report.resumed);
    assert_exactly(&archive, 30, "after cancel and resume").await;
}

#[tokio::test]
async fn full_sync_updates_changed_records() {
    let dir = TempDir::new().unwrap();
    let archive = archive(&dir).await;
    let api = FakeApi::new(records(20), 6);
    sync_once(&archive, &api).await.unwrap();
    // Record 0 is older than the incremental window's overlap would reach with a short overlap.
    api.records.lock().unwrap()[0]["notes"] = json!("edited on the web");
    api.records.lock().unwrap()[0]["brand_new_field"] = json!(1);
    let short = SyncOptions {
        overlap: Duration::from_secs(3600),
        ..SyncOptions::default()
    };
    let inc = sync_with(&archive, &api, &short).await.unwrap();
    assert_eq!(
        inc.updated, 0,
        "an incremental sync does not reach back to record 0"
    );
    let full = SyncOptions {
        full: true,
        ..SyncOptions::default()
    };
    let r = sync_with(&archive, &api, &full).await.unwrap();
    assert_eq!(r.mode, SyncMode::Full);
    assert_eq!(
        r.from_date, None,
        "a full sync reads everything the API returns"
    );
    assert_eq!((r.new, r.updated, r.unchanged, r.total), (0, 1, 19, 20));
    let raw = archive.raw_record("rec-00000").await.unwrap().unwrap();
    assert_eq!(raw["notes"], "edited on the web");
    assert_eq!(raw["brand_new_field"], 1, "unknown fields are archived too");
}

#[tokio::test]
async fn sandbox_history_syncs_completely_through_faults() {
    let now: chrono::DateTime<chrono::Utc> = "2026-11-20T12:00:00Z".parse().unwrap();
    let config = sdesk_sandbox::SandboxConfig {
        records: 2_500,
        now: Some(now),
        faults: sdesk_sandbox::Faults {
            drop_every: Some(2),
            error_burst: Some((3, 1)),
            ..sdesk_sandbox::Faults::default()
        },
        ..sdesk_sandbox::SandboxConfig::default()
    };
    let seed = config.seed;
    let sb = sdesk_sandbox::Sandbox::start(config, ([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let api = TeamViewerClient::new(
        build_http(&HttpConfig::default()).unwrap(),
        parse_api_url(sb.base_url().as_str()).unwrap(),
        Arc::new(StaticToken::new(Secret::new(sb.script_token()))),
    )
    .with_retry(RetryPolicy {
        max_attempts: 8,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(1),
        rate_limit_delay: Duration::from_millis(2),
        rate_limit_max_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    });
    let dir = TempDir::new().unwrap();
    let archive = archive(&dir).await;
    let first = sync_once(&archive, &api).await.unwrap();
    assert_eq!(
        (first.new, first.total),
        (2_500, 2_500),
        "every record, once"
    );
    assert!(
        sb.stats().faults_injected > 0,
        "the run went through injected faults"
    );
    let mut expected: Vec<String> = sdesk_sandbox::generate_reports(seed, 2_500, now)
        .into_iter()
        .map(|r| r.id.to_string())
        .collect();
    expected.sort();
    let mut got = all_ids(&archive).await;
    got.sort();
    assert_eq!(
        got, expected,
        "the archive holds exactly the sandbox's records"
    );
    let again = sync_once(&archive, &api).await.unwrap();
    assert_eq!(again.mode, SyncMode::Incremental);
    assert_eq!(
        (again.new, again.updated),
        (0, 0),
        "nothing new, nothing changed"
    );
    assert!(again.unchanged > 0, "the overlap re-read some records");
    assert_eq!(again.total, 2_500);
}
