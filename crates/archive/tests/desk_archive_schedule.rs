#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The archive's background sync schedule on Tokio's paused clock: the first run about 5 s
//! after launch while signed in with `archive.autoSync` on, then one run per
//! `archive.intervalMinutes` (a changed interval applies), none while auto-sync is off or
//! nobody is signed in, and none once background runs used their daily request budget (a
//! manual sync still runs). Runs are counted by what the API server saw.
//!
//! The API is a small HTTP server on the test's own runtime: a paused clock jumps ahead as soon
//! as every task waits, so a server on another thread (wiremock's) would let the clock jump past
//! a request in flight.

mod common;

use common::*;
use sdesk_archive::{Archive, ArchiveUrl};
use sdesk_core::auth::MemoryStore;
use sdesk_core::desk::{Desk, DeskOptions, Mode, Settings, SYNC_DAILY_BUDGET};
use sdesk_core::models::ReportQuery;
use sdesk_core::secret::Secret;
use sdesk_core::ErrorKind;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::sleep;
use tokio_util::sync::CancellationToken;

const MINUTE: Duration = Duration::from_secs(60);

/// One request the server answered: method, path and the query's `offset_id`.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    offset_id: Option<String>,
}

/// A TeamViewer API serving [`FakeApi`]'s reports over HTTP/1.1 on the current runtime:
/// `GET /api/v1/ping`, `GET /api/v1/reports/connections` (`from_date`, `offset_id`), and
/// `PUT /api/v1/reports/connections/{id}` (204). Every request is logged.
struct Server {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    async fn start(api: FakeApi) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let api = Arc::new(api);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                tokio::spawn(serve(stream, api.clone(), log.clone()));
            }
        });
        Server { base, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Sync runs that reached the server: requests of a first report page (no `offset_id`).
    fn runs(&self) -> usize {
        self.seen()
            .iter()
            .filter(|s| is_reports(s) && s.offset_id.is_none())
            .count()
    }

    /// All `GET /reports/connections` requests.
    fn report_requests(&self) -> usize {
        self.seen().iter().filter(|s| is_reports(s)).count()
    }

    fn puts(&self) -> usize {
        self.seen().iter().filter(|s| s.method == "PUT").count()
    }
}

fn is_reports(s: &Seen) -> bool {
    s.method == "GET" && s.path == "/api/v1/reports/connections"
}

/// Answers one request and closes the connection (`connection: close`): on a paused clock,
/// hyper's reuse of an idle pooled connection stalls the second request on it.
async fn serve(stream: TcpStream, api: Arc<FakeApi>, seen: Arc<Mutex<Vec<Seen>>>) {
    let mut stream = BufReader::new(stream);
    let mut request_line = String::new();
    if stream.read_line(&mut request_line).await.unwrap_or(0) == 0 {
        return;
    }
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap();
            }
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.unwrap();
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| percent_decode(v))
    };
    let offset_id = param("offset_id");
    seen.lock().unwrap().push(Seen {
        method: method.clone(),
        path: path.to_owned(),
        offset_id: offset_id.clone(),
    });
    let (status, json) = match (method.as_str(), path) {
        ("GET", "/api/v1/ping") => ("200 OK", br#"{"token_valid":true}"#.to_vec()),
        ("GET", "/api/v1/reports/connections") => {
            let query = ReportQuery {
                from_date: param("from_date").map(|f| f.parse().unwrap()),
                ..ReportQuery::default()
            };
            ("200 OK", api.body(&query, offset_id.as_deref()))
        }
        ("PUT", p) if p.starts_with("/api/v1/reports/connections/") => {
            ("204 No Content", Vec::new())
        }
        _ => ("404 Not Found", br#"{"error":"not_found"}"#.to_vec()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nconnection: close\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n",
        json.len()
    );
    let out = stream.get_mut();
    let _ = out.write_all(head.as_bytes()).await;
    let _ = out.write_all(&json).await;
    let _ = out.shutdown().await;
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// A desk in TeamViewer mode on `server` with a fresh archive in `dir` and `settings`' archive
/// part, without the live session list (whose requests would mix with the sync's).
async fn desk_on(
    server: &Server,
    archive: &Archive,
    archive_settings: impl FnOnce(&mut Settings),
) -> Desk {
    let mut settings = Settings {
        mode: Mode::Teamviewer,
        client_id: "some-client".into(),
        api_url: server.base.clone(),
        login_url: server.base.clone(),
        ..Settings::default()
    };
    archive_settings(&mut settings);
    let mut options = DeskOptions::new(settings, Arc::new(MemoryStore::new()));
    options.live = None;
    options.archive = Some(Arc::new(archive.clone()) as Arc<dyn sdesk_core::desk::ArchiveStore>);
    Desk::new(options).await.unwrap()
}

async fn sign_in(desk: &Desk) {
    desk.sign_in_with_script_token(Secret::new("script-token"))
        .await
        .unwrap();
}

async fn empty_archive(dir: &TempDir) -> Archive {
    Archive::open(&ArchiveUrl::Sqlite(dir.path().join("archive.sqlite3")))
        .await
        .unwrap()
}

/// Sets `archive.intervalMinutes` / `archive.autoSync` as the settings dialog does.
async fn change_settings(desk: &Desk, change: impl FnOnce(&mut Settings)) {
    let mut settings = desk.settings();
    change(&mut settings);
    desk.apply_settings(settings, None).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn the_first_background_run_comes_5_s_after_launch_then_one_per_interval() {
    let dir = TempDir::new().unwrap();
    let archive = empty_archive(&dir).await;
    let server = Server::start(FakeApi::new(records(30), 100)).await;
    let desk = desk_on(&server, &archive, |_| {}).await;
    sign_in(&desk).await;
    let stop = CancellationToken::new();
    desk.start_archive_schedule(stop.clone());

    sleep(Duration::from_secs(4)).await;
    assert_eq!(server.runs(), 0, "no run before the launch delay of 5 s");
    sleep(Duration::from_secs(2)).await;
    assert_eq!(server.runs(), 1, "the first run about 5 s after launch");
    assert_eq!(
        archive.stats().await.unwrap().records,
        30,
        "the first run archived the history"
    );

    sleep(15 * MINUTE - Duration::from_secs(2)).await;
    assert_eq!(
        server.runs(),
        1,
        "nothing before the 15-minute interval ends"
    );
    sleep(Duration::from_secs(2)).await;
    assert_eq!(
        server.runs(),
        2,
        "the second run one interval after the first"
    );
    sleep(2 * 15 * MINUTE).await;
    assert_eq!(server.runs(), 4, "then exactly one run per interval");
    assert_eq!(
        server.report_requests(),
        4,
        "each run of a small account is one page: {:?}",
        server.seen()
    );
    let status = desk.archive_sync_status();
    assert!(
        status.error.is_none() && status.last_sync.is_some(),
        "the runs ended well: {status:?}"
    );
    stop.cancel();
}

#[tokio::test(start_paused = true)]
async fn a_changed_interval_counts_from_the_last_run_at_once() {
    let dir = TempDir::new().unwrap();
    let archive = empty_archive(&dir).await;
    let server = Server::start(FakeApi::new(records(5), 100)).await;
    let desk = desk_on(&server, &archive, |s| s.archive.interval_minutes = 60).await;
    sign_in(&desk).await;
    let stop = CancellationToken::new();
    desk.start_archive_schedule(stop.clone());
    sleep(Duration::from_secs(6)).await;
    assert_eq!(server.runs(), 1, "the first run after launch");

    // Shorter: the next run is 5 minutes after the last one, not after the 60 planned before.
    change_settings(&desk, |s| s.archive.interval_minutes = 5).await;
    sleep(5 * MINUTE).await;
    assert_eq!(
        server.runs(),
        2,
        "5 minutes after the last run, the new interval applies: {:?}",
        server.seen()
    );
    sleep(3 * 5 * MINUTE).await;
    assert_eq!(
        server.runs(),
        5,
        "then one run every 5 minutes: {:?}",
        server.seen()
    );

    // Longer: nothing until 30 minutes after the last run.
    change_settings(&desk, |s| s.archive.interval_minutes = 30).await;
    sleep(28 * MINUTE).await;
    assert_eq!(
        server.runs(),
        5,
        "a longer interval: no run 5 minutes after the last, nor 28"
    );
    sleep(3 * MINUTE).await;
    assert_eq!(
        server.runs(),
        6,
        "and the next run 30 minutes after the last"
    );
    stop.cancel();
}

#[tokio::test(start_paused = true)]
async fn with_auto_sync_off_there_are_no_background_runs() {
    let dir = TempDir::new().unwrap();
    let archive = empty_archive(&dir).await;
    let server = Server::start(FakeApi::new(records(5), 100)).await;
    let desk = desk_on(&server, &archive, |s| s.archive.auto_sync = false).await;
    sign_in(&desk).await;
    let stop = CancellationToken::new();
    desk.start_archive_schedule(stop.clone());
    sleep(3 * 60 * MINUTE).await;
    assert_eq!(
        server.report_requests(),
        0,
        "auto-sync off: no background run in three hours: {:?}",
        server.seen()
    );
    assert_eq!(archive.stats().await.unwrap().records, 0);

    // The Sync button still works, and switching auto-sync on starts the schedule again.
    desk.sync_archive().await.unwrap();
    assert_eq!(server.runs(), 1, "a manual sync runs with auto-sync off");
    change_settings(&desk, |s| s.archive.auto_sync = true).await;
    sleep(31 * Duration::from_secs(1)).await;
    assert_eq!(
        server.runs(),
        2,
        "switched on: a background run within 30 s, not an interval later"
    );
    stop.cancel();
}

#[tokio::test(start_paused = true)]
async fn while_signed_out_there_are_no_background_runs() {
    let dir = TempDir::new().unwrap();
    let archive = empty_archive(&dir).await;
    let server = Server::start(FakeApi::new(records(5), 100)).await;
    let desk = desk_on(&server, &archive, |_| {}).await;
    let stop = CancellationToken::new();
    desk.start_archive_schedule(stop.clone());
    sleep(3 * 60 * MINUTE).await;
    assert!(
        server.seen().is_empty(),
        "signed out: no request at all in three hours: {:?}",
        server.seen()
    );

    sign_in(&desk).await;
    sleep(Duration::from_secs(31)).await;
    assert_eq!(server.runs(), 1, "a run within 30 s of the sign-in");

    desk.sign_out().await.unwrap();
    let before = server.seen().len();
    sleep(3 * 60 * MINUTE).await;
    assert_eq!(
        server.seen().len(),
        before,
        "signed out again: no more requests: {:?}",
        &server.seen()[before..]
    );
    stop.cancel();
}

#[tokio::test(start_paused = true)]
async fn background_runs_send_a_pending_edit_first_and_exactly_once() {
    let dir = TempDir::new().unwrap();
    let archive = empty_archive(&dir).await;
    archive.upsert_json(&records(3)).await.unwrap();
    archive
        .add_edit(
            "rec-00001",
            &sdesk_core::models::ReportUpdate {
                notes: Some("called back".into()),
                billing_state: Some("Billed".into()),
            },
        )
        .await
        .unwrap();
    let server = Server::start(FakeApi::new(records(3), 100)).await;
    let desk = desk_on(&server, &archive, |_| {}).await;
    sign_in(&desk).await;
    let stop = CancellationToken::new();
    desk.start_archive_schedule(stop.clone());
    sleep(Duration::from_secs(6)).await;
    let seen = server.seen();
    let put = seen.iter().position(|s| s.method == "PUT");
    let get = seen.iter().position(is_reports);
    assert!(
        put.is_some() && put < get,
        "the pending edit goes out before the run reads reports: {seen:?}"
    );
    assert_eq!(
        seen[put.unwrap()].path,
        "/api/v1/reports/connections/rec-00001"
    );
    sleep(3 * 15 * MINUTE).await;
    assert_eq!(server.runs(), 4, "four runs");
    assert_eq!(server.puts(), 1, "the edit was sent once, not by every run");
    assert!(archive.pending_edits().await.unwrap().is_empty());
    assert_eq!(desk.archive_sync_status().pending_edits, 0);
    stop.cancel();
}

#[tokio::test(start_paused = true)]
async fn the_daily_budget_stops_background_runs_but_not_a_manual_sync() {
    let budget = SYNC_DAILY_BUDGET as usize;
    let total = budget + 200;
    let dir = TempDir::new().unwrap();
    let archive = empty_archive(&dir).await;
    // One record per page: the first sync of this history needs more requests than the budget.
    let server = Server::start(FakeApi::new(records(total), 1)).await;
    let desk = desk_on(&server, &archive, |_| {}).await;
    sign_in(&desk).await;
    let stop = CancellationToken::new();
    desk.start_archive_schedule(stop.clone());

    sleep(Duration::from_secs(6)).await;
    assert_eq!(
        server.report_requests(),
        budget,
        "the background run stops at the daily budget of {budget} requests: {:?}",
        desk.archive_sync_status()
    );
    let status = desk.archive_sync_status();
    assert!(status.budget_exhausted, "the status says so: {status:?}");
    assert_eq!(
        status.error.as_ref().map(|e| e.kind),
        Some(ErrorKind::RateLimited),
        "{status:?}"
    );
    assert_eq!(
        archive.stats().await.unwrap().records,
        budget as u64,
        "the pages read before the budget ran out are kept"
    );

    sleep(2 * 15 * MINUTE).await;
    assert_eq!(
        server.report_requests(),
        budget,
        "later background runs send nothing while the budget is used up"
    );

    let status = desk.sync_archive().await.expect("a manual sync still runs");
    assert!(
        server.report_requests() > budget,
        "the manual sync reached the server"
    );
    assert_eq!(
        archive.stats().await.unwrap().records,
        total as u64,
        "and completed the archive: {status:?}"
    );
    assert!(
        !status.budget_exhausted && status.error.is_none(),
        "{status:?}"
    );

    let after_manual = server.report_requests();
    sleep(24 * 60 * MINUTE - 2 * 15 * MINUTE - Duration::from_secs(60)).await;
    assert_eq!(
        server.report_requests(),
        after_manual,
        "no background request until 24 hours after the budget was spent"
    );
    sleep(16 * MINUTE).await;
    assert!(
        server.report_requests() > after_manual,
        "24 hours later background runs go out again"
    );
    let status = desk.archive_sync_status();
    assert!(!status.budget_exhausted, "{status:?}");
    stop.cancel();
}
