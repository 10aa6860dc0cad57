#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The desk over the archive (what the app does at launch and when editing a record): the log
//! view opens on the archived period with no network, and an edit made while the API cannot be
//! reached is kept in the archive as pending.

mod common;

use common::*;
use sdesk_archive::{Archive, ArchiveUrl};
use sdesk_core::auth::MemoryStore;
use sdesk_core::desk::{Desk, DeskOptions, LogQuery, LogView, Mode, Settings};
use sdesk_core::secret::Secret;
use sdesk_core::ErrorKind;
use serde_json::json;
use std::sync::Arc;
use tempfile::TempDir;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn archive_with(dir: &TempDir, n: usize) -> Archive {
    let archive = Archive::open(&ArchiveUrl::Sqlite(dir.path().join("archive.sqlite3")))
        .await
        .unwrap();
    archive.upsert_json(&records(n)).await.unwrap();
    archive
}

/// A desk in TeamViewer mode whose API is at `api` (nothing listens there unless a test mounts
/// a mock), with the archive, without the background session list.
async fn desk_on(api: &str, archive: Option<Archive>) -> Desk {
    let settings = Settings {
        mode: Mode::Teamviewer,
        client_id: "some-client".into(),
        api_url: api.into(),
        login_url: api.into(),
        ..Settings::default()
    };
    let mut options = DeskOptions::new(settings, Arc::new(MemoryStore::new()));
    options.live = None;
    options.archive = archive.map(|a| Arc::new(a) as Arc<dyn sdesk_core::desk::ArchiveStore>);
    Desk::new(options).await.unwrap()
}

/// An address where nothing listens (a bound port, released).
fn unreachable_api() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}")
}

#[tokio::test]
async fn launch_offline_shows_the_archived_period() {
    let dir = TempDir::new().unwrap();
    let archive = archive_with(&dir, 48).await;
    let desk = desk_on(&unreachable_api(), Some(archive)).await;
    assert!(desk.has_archive());
    // The second day of the archive: records 24..48 start then.
    let query = LogQuery {
        from: Some(base() + chrono::Duration::hours(24)),
        to: Some(base() + chrono::Duration::hours(48)),
        ..LogQuery::default()
    };
    let summary = desk
        .load_archived_logs(&query, true, &mut |_| ())
        .await
        .unwrap();
    assert_eq!(
        summary.totals.count, 24,
        "the period's archived records are loaded without any network: {summary:?}"
    );
    assert!(
        !summary.incomplete && summary.error.is_none(),
        "{summary:?}"
    );
    let page = desk.apply_log_view(&LogView::default(), 0, 100);
    let mut ids: Vec<_> = page.rows.iter().map(|r| r.id.clone()).collect();
    ids.sort();
    let expected: Vec<_> = (24..48).map(|i| format!("rec-{i:05}")).collect();
    assert_eq!(
        ids, expected,
        "exactly the records of the period are in the log view"
    );
}

#[tokio::test]
async fn a_long_archived_period_shows_its_newest_rows_before_the_rest() {
    let dir = TempDir::new().unwrap();
    let archive = archive_with(&dir, 250).await;
    let desk = desk_on(&unreachable_api(), Some(archive)).await;
    let mut first_screen: Option<(sdesk_core::logs::FetchProgress, Vec<String>, usize)> = None;
    let summary = desk
        .load_archived_logs(&LogQuery::default(), true, &mut |p| {
            // What the view can show at this moment.
            let page = desk.apply_log_view(&LogView::default(), 0, 1000);
            let ids = page.rows.iter().map(|r| r.id.clone()).collect();
            first_screen.get_or_insert((*p, ids, page.totals.total_records));
        })
        .await
        .unwrap();
    let (progress, ids, loaded) = first_screen.expect("a progress report before the whole period");
    assert_eq!(
        (
            progress.in_view,
            progress.records,
            progress.records_remaining,
            progress.complete
        ),
        (100, 100, 150, false),
        "the first screen is announced with the period's count: {progress:?}"
    );
    assert_eq!(loaded, 100, "the store held only the first screen then");
    let newest: Vec<String> = (150..250).rev().map(|i| format!("rec-{i:05}")).collect();
    assert_eq!(
        ids, newest,
        "the first screen is the top of the default order"
    );
    assert_eq!(
        summary.totals.total_records, 250,
        "then the whole period: {summary:?}"
    );
    assert!(
        summary.progress.complete && summary.progress.in_view == 250,
        "{summary:?}"
    );
    let page = desk.apply_log_view(&LogView::default(), 0, 100);
    let top: Vec<String> = page.rows.iter().map(|r| r.id.clone()).collect();
    assert_eq!(
        top, newest,
        "the full load keeps the first screen where it was"
    );
}

#[tokio::test]
async fn a_re_read_under_rows_on_screen_keeps_the_loaded_log_whole_until_it_is_replaced() {
    let dir = TempDir::new().unwrap();
    let archive = archive_with(&dir, 250).await;
    let desk = desk_on(&unreachable_api(), Some(archive)).await;
    desk.load_archived_logs(&LogQuery::default(), true, &mut |_| ())
        .await
        .unwrap();
    // A filter on screen (what a supporter typed) while the archive is read again after a sync.
    let filtered = LogView {
        text: "rec-0024".into(),
        ..LogView::default()
    };
    let before = desk.apply_log_view(&filtered, 0, 100).totals;
    let mut reports = 0;
    let summary = desk
        .load_archived_logs(&LogQuery::default(), false, &mut |_| {
            reports += 1;
        })
        .await
        .unwrap();
    assert_eq!(
        reports, 0,
        "no first screen: nothing replaces the rows on screen early"
    );
    assert_eq!(summary.totals.total_records, 250, "{summary:?}");
    let after = desk.apply_log_view(&filtered, 0, 100).totals;
    assert_eq!(after, before, "the same records, the same view");
}

#[tokio::test]
async fn a_short_archived_period_is_read_once_without_a_first_screen() {
    let dir = TempDir::new().unwrap();
    let archive = archive_with(&dir, 60).await;
    let desk = desk_on(&unreachable_api(), Some(archive)).await;
    let mut reports = 0;
    let summary = desk
        .load_archived_logs(&LogQuery::default(), true, &mut |_| reports += 1)
        .await
        .unwrap();
    assert_eq!(
        reports, 0,
        "fewer records than a screen: nothing to show before the end"
    );
    assert_eq!(summary.totals.total_records, 60, "{summary:?}");
}

#[tokio::test]
async fn without_an_archive_the_archived_load_is_a_clear_error() {
    let desk = desk_on(&unreachable_api(), None).await;
    assert!(!desk.has_archive());
    let err = desk
        .load_archived_logs(&LogQuery::default(), true, &mut |_| ())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config, "{err}");
}

/// A TeamViewer mock that accepts the script token, not pooled: dropping it closes the port
/// (the API goes away).
async fn ping_server() -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/ping"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "token_valid": true })))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn an_edit_while_the_api_is_unreachable_is_kept_as_pending() {
    let dir = TempDir::new().unwrap();
    let archive = archive_with(&dir, 4).await;
    let server = ping_server().await;
    let desk = desk_on(&server.uri(), Some(archive.clone())).await;
    desk.sign_in_with_script_token(Secret::new("script-token"))
        .await
        .unwrap();
    desk.load_archived_logs(&LogQuery::default(), true, &mut |_| ())
        .await
        .unwrap();
    // The API goes away.
    drop(server);
    let row = desk
        .update_log_record("rec-00001", "called back", "Billed")
        .await
        .expect("an edit made offline is kept, not refused");
    assert_eq!(row.notes, "called back", "the loaded record shows the edit");
    assert_eq!(row.billing_state, "Billed");
    let pending = archive.pending_edits().await.unwrap();
    assert_eq!(
        pending.len(),
        1,
        "the edit is pending in the archive: {pending:?}"
    );
    assert_eq!(pending[0].report_id, "rec-00001");
    assert_eq!(pending[0].notes.as_deref(), Some("called back"));
    assert_eq!(pending[0].billing_state.as_deref(), Some("Billed"));
    // It survives a restart: a new archive handle on the same file still lists it.
    drop(desk);
    let reopened = Archive::open(archive.url()).await.unwrap();
    assert_eq!(reopened.pending_edits().await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_edit_kept_as_pending_reaches_the_sync_status_at_once() {
    let dir = TempDir::new().unwrap();
    let archive = archive_with(&dir, 4).await;
    let server = ping_server().await;
    let desk = signed_in_desk(&server, &archive).await;
    desk.load_archived_logs(&LogQuery::default(), true, &mut |_| ())
        .await
        .unwrap();
    let mut status = desk.subscribe_archive_sync();
    status.borrow_and_update();
    drop(server);
    desk.update_log_record("rec-00002", "offline note", "Billed")
        .await
        .unwrap();
    assert!(
        status.has_changed().unwrap(),
        "subscribers (the window's `archive-sync` event) hear of the pending edit"
    );
    let now = desk.archive_sync_status();
    assert_eq!(
        (now.pending_edits, now.pending_ids.as_slice()),
        (1, ["rec-00002".to_owned()].as_slice()),
        "the status names the pending edit for the log view's marker, before any sync: {now:?}"
    );
}

#[tokio::test]
async fn an_edit_the_api_refuses_is_not_kept_as_pending() {
    let dir = TempDir::new().unwrap();
    let archive = archive_with(&dir, 4).await;
    let server = api_with_reports(4, 403).await;
    let desk = signed_in_desk(&server, &archive).await;
    desk.load_archived_logs(&LogQuery::default(), true, &mut |_| ())
        .await
        .unwrap();
    let err = desk
        .update_log_record("rec-00001", "x", "Billed")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden, "{err}");
    assert!(
        archive.pending_edits().await.unwrap().is_empty(),
        "a refused edit is an error for the user, not something to retry later"
    );
}

#[tokio::test]
async fn a_sent_edit_updates_the_archived_record() {
    let dir = TempDir::new().unwrap();
    let archive = archive_with(&dir, 4).await;
    let server = api_with_reports(4, 204).await;
    let desk = signed_in_desk(&server, &archive).await;
    desk.load_archived_logs(&LogQuery::default(), true, &mut |_| ())
        .await
        .unwrap();
    desk.update_log_record("rec-00002", "done", "Billed")
        .await
        .unwrap();
    assert_eq!(puts(&server).await, 1, "the edit went to the API once");
    let raw = archive.raw_record("rec-00002").await.unwrap().unwrap();
    assert_eq!(
        raw["notes"], "done",
        "the archive has the edited record: {raw}"
    );
    assert_eq!(raw["billing_state"], "Billed");
    assert!(archive.pending_edits().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_damaged_file_leaves_the_app_in_memory_and_a_rebuild_moves_it_aside() {
    use sdesk_archive::app::{open_for_app, rebuild, AppArchive};
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("archive.sqlite3");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    let url = ArchiveUrl::Sqlite(path.clone());
    let AppArchive::Unavailable {
        error,
        rebuild: offered,
    } = open_for_app(&url).await
    else {
        panic!("a file that is not a database must not open");
    };
    assert_eq!(error.kind(), ErrorKind::Database, "{error}");
    assert!(offered, "a damaged SQLite file is offered for a rebuild");
    // The app runs with the log in memory only.
    let desk = desk_on(&unreachable_api(), None).await;
    assert!(!desk.has_archive());
    let (archive, moved) = rebuild(&url).await.unwrap();
    let moved = moved.expect("the damaged file was moved");
    assert_eq!(
        std::fs::read(&moved).unwrap(),
        garbage,
        "the damaged file is kept, byte for byte, under its new name"
    );
    assert!(
        moved
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("archive.sqlite3.damaged-"),
        "{moved:?}"
    );
    assert_eq!(
        archive.stats().await.unwrap().records,
        0,
        "a new, empty archive"
    );
}

#[tokio::test]
async fn an_archive_of_a_newer_schema_is_refused_and_not_offered_for_a_rebuild() {
    use sdesk_archive::app::{open_for_app, AppArchive};
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("archive.sqlite3");
    drop(archive_with(&dir, 2).await);
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute(
        "INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01T00:00:00Z')",
        [],
    )
    .unwrap();
    drop(c);
    let before = std::fs::read(&path).unwrap();
    let AppArchive::Unavailable { error, rebuild } =
        open_for_app(&ArchiveUrl::Sqlite(path.clone())).await
    else {
        panic!("an archive of a newer schema must not open");
    };
    assert_eq!(error.kind(), ErrorKind::Config, "{error}");
    assert!(
        !rebuild,
        "a newer archive is never offered for a rebuild that would lose it"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before, "left unchanged");
}

/// A mock API: the script-token ping, a report page with records 0..n, and PUTs of reports
/// answered with `put_status` (each counted).
async fn api_with_reports(n: usize, put_status: u16) -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/ping"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "token_valid": true })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/reports/connections"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"records": records(n), "records_remaining": 0})),
        )
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(wiremock::matchers::path_regex("^/api/v1/reports/connections/.+$"))
        .respond_with(ResponseTemplate::new(put_status).set_body_json(json!({
            "error": "invalid_request", "error_description": "billing state refused", "error_code": 1
        })))
        .mount(&server)
        .await;
    server
}

/// An edit kept in the archive as pending (as an offline edit leaves it).
async fn pending_edit(archive: &Archive, id: &str, notes: Option<&str>, billing: Option<&str>) {
    archive
        .add_edit(
            id,
            &sdesk_core::models::ReportUpdate {
                notes: notes.map(str::to_owned),
                billing_state: billing.map(str::to_owned),
            },
        )
        .await
        .unwrap();
}

async fn puts(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "PUT")
        .count()
}

async fn signed_in_desk(server: &MockServer, archive: &Archive) -> Desk {
    let desk = desk_on(&server.uri(), Some(archive.clone())).await;
    desk.sign_in_with_script_token(Secret::new("script-token"))
        .await
        .unwrap();
    desk
}

#[tokio::test]
async fn a_sync_sends_the_offline_edits_exactly_once_and_reads_what_is_new() {
    let dir = TempDir::new().unwrap();
    let archive = archive_with(&dir, 4).await;
    pending_edit(&archive, "rec-00001", Some("called back"), Some("Billed")).await;
    let server = api_with_reports(6, 204).await;
    let desk = signed_in_desk(&server, &archive).await;
    let status = desk.sync_archive().await.expect("the sync runs");
    assert_eq!(puts(&server).await, 1, "the pending edit is sent");
    assert_eq!(status.pending_edits, 0, "and no longer pending: {status:?}");
    assert_eq!(status.last_new, 2, "records 4 and 5 are new: {status:?}");
    assert_eq!(status.total, 6, "the archive holds all six");
    assert!(status.last_sync.is_some(), "the last sync time is known");
    assert!(status.error.is_none());
    assert_eq!(status.state, sdesk_core::desk::SyncState::Idle);

    desk.sync_archive().await.unwrap();
    assert_eq!(
        puts(&server).await,
        1,
        "a second sync does not send it again"
    );
    // A restart: a new desk on the same file.
    drop(desk);
    let reopened = Archive::open(archive.url()).await.unwrap();
    let desk = signed_in_desk(&server, &reopened).await;
    desk.sync_archive().await.unwrap();
    assert_eq!(puts(&server).await, 1, "nor after a restart");
}

#[tokio::test]
async fn a_pending_edit_the_api_refuses_stays_pending_and_is_reported() {
    let dir = TempDir::new().unwrap();
    let archive = archive_with(&dir, 4).await;
    pending_edit(&archive, "rec-00002", Some("x"), None).await;
    let server = api_with_reports(4, 400).await;
    let desk = signed_in_desk(&server, &archive).await;
    let err = desk
        .sync_archive()
        .await
        .expect_err("a refused edit stops the run with its error");
    let status = desk.archive_sync_status();
    assert_eq!(
        status.error.as_ref().map(|e| e.kind),
        Some(err.kind()),
        "the status carries the error for the UI: {status:?}"
    );
    assert_eq!(status.pending_edits, 1, "the edit is kept, not dropped");
    assert_eq!(
        status.pending_ids,
        ["rec-00002"],
        "and named for the log view's marker"
    );
    assert_eq!(archive.pending_edits().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_sync_while_signed_out_sends_nothing() {
    let dir = TempDir::new().unwrap();
    let archive = archive_with(&dir, 2).await;
    let server = api_with_reports(4, 204).await;
    let desk = desk_on(&server.uri(), Some(archive.clone())).await;
    let err = desk.sync_archive().await.expect_err("signed out");
    assert_eq!(err.kind(), ErrorKind::NotSignedIn);
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "no request leaves without a sign-in"
    );
}

#[tokio::test]
async fn without_an_archive_the_sync_is_unavailable() {
    let desk = desk_on(&unreachable_api(), None).await;
    assert_eq!(
        desk.archive_sync_status().state,
        sdesk_core::desk::SyncState::Unavailable
    );
    assert_eq!(
        desk.sync_archive().await.unwrap_err().kind(),
        ErrorKind::Config
    );
}
