#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Black-box tests of `sdesk archive sync|export|stats` against the sandbox, on SQLite files
//! and (when SDESK_TEST_POSTGRES_URL is set, see scripts/with-postgres.sh) on PostgreSQL.

mod common;

use chrono::{DateTime, SecondsFormat, Utc};
use common::*;
use sdesk_archive::{Archive, ArchiveQuery, ArchiveUrl};
use sdesk_core::models::ConnectionReport;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `sqlite:PATH` of a new archive file in `dir`.
fn db(dir: &tempfile::TempDir) -> (PathBuf, String) {
    let path = dir.path().join("archive.sqlite3");
    let url = format!("sqlite:{}", path.display());
    (path, url)
}

/// The last line `sdesk` wrote to stderr.
fn last_line(o: &Output) -> String {
    stderr(o).trim_end().lines().last().unwrap_or("").to_owned()
}

fn api_requests(running: &Running) -> u64 {
    running.sandbox.as_ref().unwrap().stats().api_requests
}

/// Every archived record, read through the archive crate (sorted by start, then id).
fn archived(url: &str) -> Vec<ConnectionReport> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let archive = Archive::open(&ArchiveUrl::parse(url).unwrap())
            .await
            .unwrap();
        archive.query(&ArchiveQuery::default()).await.unwrap()
    })
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn stats_json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "stats: {}", stderr(o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Environment in which no API and no keyring can be reached and no token is set.
fn offline() -> Vec<(&'static str, &'static str)> {
    vec![
        // Nothing listens on port 1 of this machine.
        ("SDESK_API_URL", "http://127.0.0.1:1"),
        (
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/sdesk-test-bus",
        ),
        (
            "SDESK_KEYRING_SERVICE",
            "dev.supporterdesk.test.cli.offline",
        ),
    ]
}

#[test]
fn a_second_sync_fetches_only_the_overlap_window() {
    let running = Running::start(sdesk_sandbox::SandboxConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let (_, url) = db(&dir);
    let o = running.run(&["archive", "sync", "--database", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        last_line(&o),
        "synced: 2500 new, 0 updated, 2500 total",
        "the first sync archives every sandbox record and ends with the summary line"
    );
    assert_eq!(
        api_requests(&running),
        3,
        "2,500 records are three pages of 1,000"
    );

    let o = running.run(&["archive", "sync", "--database", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(last_line(&o), "synced: 0 new, 0 updated, 2500 total");
    assert_eq!(
        api_requests(&running),
        4,
        "the second sync reads only the 2 days before the newest start: one page, not three"
    );
    let records = archived(&url);
    assert_eq!(records.len(), 2500);
}

#[test]
fn rate_limit_waits_are_announced_during_a_sync() {
    let mut config = sdesk_sandbox::SandboxConfig::default();
    config.faults.rate_limit_every = Some(2);
    config.faults.retry_after = Some(1);
    let running = Running::start(config);
    let dir = tempfile::tempdir().unwrap();
    let (_, url) = db(&dir);
    let o = running.run(&["archive", "sync", "--database", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.lines()
            .any(|l| l.starts_with("sdesk: ") && l.contains("rate limit") && l.contains("waiting")),
        "each wait is announced, as for every API command: {err}"
    );
    assert_eq!(last_line(&o), "synced: 2500 new, 0 updated, 2500 total");
}

#[test]
fn full_sync_updates_records_changed_at_the_api() {
    let running = Running::start(sdesk_sandbox::SandboxConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let (_, url) = db(&dir);
    let o = running.run(&["archive", "sync", "--database", &url]);
    assert!(o.status.success(), "{}", stderr(&o));

    // The oldest record: outside an ordinary sync's overlap window.
    let oldest = archived(&url).into_iter().next().unwrap();
    let sandbox = running.sandbox.as_ref().unwrap();
    let edit = format!(
        "{}api/v1/reports/connections/{}",
        sandbox.base_url(),
        oldest.id
    );
    let token = sandbox.script_token();
    running.rt.block_on(async {
        let resp = reqwest::Client::new()
            .put(edit)
            .bearer_auth(token)
            .json(&serde_json::json!({ "notes": "changed after the first sync" }))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{}", resp.status());
    });

    let o = running.run(&["archive", "sync", "--database", &url]);
    assert_eq!(
        last_line(&o),
        "synced: 0 new, 0 updated, 2500 total",
        "an ordinary sync does not read that far back"
    );
    let o = running.run(&["archive", "sync", "--database", &url, "--full"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        last_line(&o),
        "synced: 0 new, 1 updated, 2500 total",
        "--full reads everything again and counts the one changed record"
    );
    let o = running.run(&["archive", "sync", "--database", &url, "--full"]);
    assert_eq!(
        last_line(&o),
        "synced: 0 new, 0 updated, 2500 total",
        "unchanged records are not counted as updated"
    );
    let o = sdesk(
        &["archive", "export", "--database", &url, "--out", "-"],
        &offline(),
    );
    let (_, rows) = read_csv(&o.stdout, b',');
    let row = rows.iter().find(|r| r[0] == *oldest.id).unwrap();
    assert_eq!(
        &row[17], "changed after the first sync",
        "the export shows the edit"
    );
}

#[test]
fn export_is_the_same_csv_as_reports_export_with_the_same_filters() {
    let running = Running::start(sdesk_sandbox::SandboxConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let (_, url) = db(&dir);
    let o = running.run(&["archive", "sync", "--database", &url]);
    assert!(o.status.success(), "{}", stderr(&o));

    let records = archived(&url);
    let from_record = &records[100];
    let to_record = &records[600];
    let from = rfc3339(from_record.start_date.unwrap());
    let to = rfc3339(to_record.start_date.unwrap());
    let sample = &records[1234];
    let user = sample.userid.clone().unwrap();
    let device = sample.devicename.clone().unwrap();

    // `--flag=value`: the sandbox's adversarial values may start with `-` (a device named
    // "-77+3" would otherwise read as another option).
    let from_arg = format!("--from={from}");
    let to_arg = format!("--to={to}");
    let user_arg = format!("--user-id={user}");
    let device_arg = format!("--device-name={device}");
    let filters: Vec<Vec<&str>> = vec![
        vec![],
        vec![&from_arg, &to_arg],
        vec!["--from", "2026-01-01"],
        vec![&user_arg],
        vec![&device_arg, "--has-code", "true"],
        vec!["--has-code", "false"],
        vec!["--group-id", "0"],
        vec!["--search", "MÜLLER", "--delimiter", ";", "--bom"],
    ];
    for filter in &filters {
        let mut live = vec!["reports", "export", "--out", "-"];
        live.extend(filter);
        let live = running.run(&live);
        assert!(live.status.success(), "{filter:?}: {}", stderr(&live));
        let mut local = vec!["archive", "export", "--database", &url, "--out", "-"];
        local.extend(filter);
        let local = sdesk(&local, &offline());
        assert!(local.status.success(), "{filter:?}: {}", stderr(&local));
        assert!(
            local.stdout.starts_with(HEADER.as_bytes())
                || local.stdout.starts_with(b"\xEF\xBB\xBFid;"),
            "the fixed header first"
        );
        assert!(
            live.stdout == local.stdout,
            "{filter:?}: the archive's CSV is byte for byte the API's ({} and {} bytes)",
            live.stdout.len(),
            local.stdout.len()
        );
        assert_eq!(last_line(&live), last_line(&local), "the same count line");
    }

    // --from inclusive, --to exclusive, both on the start.
    let o = sdesk(
        &[
            "archive",
            "export",
            "--database",
            &url,
            "--from",
            &from,
            "--to",
            &to,
            "--out",
            "-",
        ],
        &offline(),
    );
    let (_, rows) = read_csv(&o.stdout, b',');
    let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    let expected = records
        .iter()
        .filter(|r| {
            let s = r.start_date.unwrap();
            s >= from_record.start_date.unwrap() && s < to_record.start_date.unwrap()
        })
        .count();
    assert_eq!(rows.len(), expected);
    assert!(
        ids.contains(&from_record.id.as_str()),
        "a record starting at --from is in"
    );
    assert!(
        !ids.contains(&to_record.id.as_str()),
        "a record starting at --to is out"
    );
}

#[test]
fn export_and_stats_work_signed_out_and_offline() {
    let running = Running::start(sdesk_sandbox::SandboxConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let (_, url) = db(&dir);
    let o = running.run(&["archive", "sync", "--database", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    drop(running);

    let out = dir.path().join("all.csv");
    let o = sdesk(
        &[
            "archive",
            "export",
            "--database",
            &url,
            "--out",
            out.to_str().unwrap(),
        ],
        &offline(),
    );
    assert!(
        o.status.success(),
        "no token, no keyring, no API: {}",
        stderr(&o)
    );
    assert_eq!(last_line(&o), "exported 2500 records");
    let (header, rows) = read_csv(&std::fs::read(&out).unwrap(), b',');
    assert_eq!(header.join(","), HEADER);
    assert_eq!(rows.len(), 2500);
    let o = sdesk(&["archive", "stats", "--database", &url], &offline());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("records:        2500"),
        "{}",
        stdout(&o)
    );

    let o = sdesk(&["archive", "sync", "--database", &url], &offline());
    assert!(!o.status.success(), "only sync needs the API (and a token)");
    assert!(last_line(&o).starts_with("error: "), "{}", stderr(&o));
}

#[test]
fn stats_json_keys_and_values() {
    let dir = tempfile::tempdir().unwrap();
    let (path, url) = db(&dir);
    let v = stats_json(&sdesk(
        &["archive", "stats", "--database", &url, "--json"],
        &offline(),
    ));
    assert_eq!(
        v,
        serde_json::json!({
            "records": 0,
            "first_start": null,
            "last_start": null,
            "last_sync": null,
            "database": format!("sqlite:{}", path.display()),
            "schema_version": sdesk_archive::SCHEMA_VERSION,
            "pending_edits": 0,
            "unfinished_sync": false,
        }),
        "an empty archive: zero and nulls"
    );

    let running = Running::start(sdesk_sandbox::SandboxConfig::default());
    let before = Utc::now();
    let o = running.run(&["archive", "sync", "--database", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = sdesk(
        &["archive", "stats", "--database", &url, "--json"],
        &offline(),
    );
    let text = stdout(&o);
    let keys: Vec<usize> = [
        "\"records\"",
        "\"first_start\"",
        "\"last_start\"",
        "\"last_sync\"",
    ]
    .iter()
    .map(|k| text.find(k).unwrap())
    .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "documented order");
    let v = stats_json(&o);
    let records = archived(&url);
    let starts: Vec<DateTime<Utc>> = records.iter().filter_map(|r| r.start_date).collect();
    assert_eq!(v["records"], 2500);
    assert_eq!(
        v["first_start"],
        rfc3339(*starts.iter().min().unwrap()),
        "…Z"
    );
    assert_eq!(v["last_start"], rfc3339(*starts.iter().max().unwrap()));
    let last_sync: DateTime<Utc> = v["last_sync"].as_str().unwrap().parse().unwrap();
    assert!(v["last_sync"].as_str().unwrap().ends_with('Z'));
    assert!(
        last_sync >= before && last_sync <= Utc::now(),
        "{last_sync}"
    );
    assert_eq!(v["pending_edits"], 0);
    assert_eq!(v["unfinished_sync"], false);

    let o = sdesk(&["archive", "stats", "--database", &url], &offline());
    let text = stdout(&o);
    for line in [
        format!("database:       sqlite:{}", path.display()),
        "records:        2500".to_owned(),
        format!("last sync:      {}", v["last_sync"].as_str().unwrap()),
    ] {
        assert!(text.contains(&line), "{line:?} in {text}");
    }
}

#[test]
fn database_forms_and_the_environment() {
    let running = Running::start(sdesk_sandbox::SandboxConfig {
        records: 300,
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.db");
    let env_file = dir.path().join("env.db");
    let env_url = format!("sqlite:{}", env_file.display());

    let o = running.run(&["archive", "sync", "--database", plain.to_str().unwrap()]);
    assert!(
        o.status.success(),
        "a plain path is an SQLite file: {}",
        stderr(&o)
    );
    assert!(plain.exists());

    let mut env = running.env();
    env.push(("SDESK_DATABASE_URL", env_url.clone()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let o = sdesk(&["archive", "sync"], &env);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(last_line(&o), "synced: 300 new, 0 updated, 300 total");
    let v = stats_json(&sdesk(&["archive", "stats", "--json"], &env));
    assert_eq!(
        v["database"], env_url,
        "SDESK_DATABASE_URL names the archive"
    );
    assert_eq!(v["records"], 300);
    let v = stats_json(&sdesk(
        &[
            "archive",
            "stats",
            "--json",
            "--database",
            &format!("sqlite:{}", plain.display()),
        ],
        &env,
    ));
    assert_eq!(
        v["database"],
        format!("sqlite:{}", plain.display()),
        "--database wins over the environment"
    );
}

/// Without --database the archive is the desktop app's: `archive.sqlite3` in the data directory
/// Tauri gives the identifier dev.supporterdesk.desk (on Linux `$XDG_DATA_HOME/<identifier>`).
#[cfg(target_os = "linux")]
#[test]
fn the_default_archive_is_the_desktop_apps_file() {
    let running = Running::start(sdesk_sandbox::SandboxConfig {
        records: 50,
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let xdg = dir.path().to_str().unwrap().to_owned();
    let file = dir
        .path()
        .join("dev.supporterdesk.desk")
        .join("archive.sqlite3");
    let mut env = running.env();
    env.push(("XDG_DATA_HOME", xdg));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let o = sdesk(&["archive", "sync"], &env);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(file.exists(), "{} was created", file.display());
    let v = stats_json(&sdesk(&["archive", "stats", "--json"], &env));
    assert_eq!(v["database"], format!("sqlite:{}", file.display()));
    assert_eq!(v["records"], 50);
}

#[test]
fn a_file_that_is_not_an_archive_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    let content = b"these are my notes, not a database\n".repeat(200);
    std::fs::write(&path, &content).unwrap();
    let url = format!("sqlite:{}", path.display());
    for args in [
        vec!["archive", "sync", "--database", &url],
        vec!["archive", "export", "--database", &url, "--out", "-"],
        vec!["archive", "stats", "--database", &url],
        vec!["archive", "stats", "--database", &url, "--json"],
    ] {
        let mut env = offline();
        env.push(("SDESK_TOKEN", "1234-token"));
        let o = sdesk(&args, &env);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = stderr(&o);
        assert!(
            err.starts_with("error: database: ") && err.trim_end().lines().count() == 1,
            "{args:?}: one line with the kind: {err}"
        );
        assert!(err.contains("left unchanged"), "{err}");
        assert!(o.stdout.is_empty(), "{args:?}: nothing on stdout");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            content,
            "{args:?}: the file is untouched"
        );
    }
}

fn spawn_sync(running: &Running, url: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_sdesk"))
        .args(["archive", "sync", "--database", url])
        .env_remove("SDESK_DATABASE_URL")
        .envs(running.env())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn ctrl_c_cancels_between_pages_and_keeps_what_was_committed() {
    let mut config = sdesk_sandbox::SandboxConfig {
        records: 6_000,
        ..Default::default()
    };
    config.faults.latency = Some(Duration::from_millis(250));
    let running = Running::start(config);
    let dir = tempfile::tempdir().unwrap();
    let (_, url) = db(&dir);
    let child = spawn_sync(&running, &url);
    std::thread::sleep(Duration::from_millis(900));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        last_line(&o).starts_with("error: cancelled: "),
        "{}",
        stderr(&o)
    );
    let v = stats_json(&sdesk(
        &["archive", "stats", "--database", &url, "--json"],
        &offline(),
    ));
    let kept = v["records"].as_u64().unwrap();
    assert!(
        kept > 0 && kept < 6_000 && kept % 1_000 == 0,
        "whole pages are kept: {kept}"
    );
    assert_eq!(v["unfinished_sync"], true);
    let o = running.run(&["archive", "sync", "--database", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        last_line(&o).ends_with(" updated, 6000 total"),
        "the next sync continues: {}",
        stderr(&o)
    );
}

/// `PRAGMA integrity_check` and the number of rows and distinct ids of an SQLite archive.
fn check_file(path: &Path) -> (String, i64, i64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'reports'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    if tables == 0 {
        // Killed before the first migration committed: an empty database.
        return (integrity, 0, 0);
    }
    let (rows, ids): (i64, i64) = conn
        .query_row(
            "SELECT count(*), count(DISTINCT id) FROM reports",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    (integrity, rows, ids)
}

/// Records in the archive file right now; 0 while it has no tables (or cannot be read yet).
fn rows_now(path: &Path) -> i64 {
    rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|c| c.query_row("SELECT count(*) FROM reports", [], |r| r.get(0)))
        .unwrap_or(0)
}

/// Waits until the archive holds at least `rows` records (the sync committed that far).
fn wait_for_rows(path: &Path, rows: i64) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = rows_now(path);
        if now >= rows {
            return now;
        }
        assert!(Instant::now() < deadline, "the sync made no progress");
        std::thread::sleep(Duration::from_millis(3));
    }
}

/// SIGKILL `sdesk archive sync` at five points of a first sync of 20,000 records (20 pages):
/// during start-up and migration, right after a page commit, and at different points of a
/// request (the sandbox's latency makes each request last a while); then one more sync
/// completes the archive. Designed to take well under 30 s on an idle machine (the time is the
/// 20 pages themselves).
#[test]
fn killed_syncs_lose_and_duplicate_nothing() {
    const RECORDS: i64 = 20_000;
    let mut config = sdesk_sandbox::SandboxConfig {
        records: RECORDS as usize,
        ..Default::default()
    };
    config.faults.latency = Some(Duration::from_millis(80));
    let running = Running::start(config);
    let dir = tempfile::tempdir().unwrap();
    let (path, url) = db(&dir);
    // (pages to wait for beyond what is archived, then milliseconds before the kill)
    let points = [(0, 40), (1, 0), (2, 30), (1, 60), (2, 5)];
    for (pages, delay) in points {
        let before = rows_now(&path);
        let mut child = spawn_sync(&running, &url);
        if pages > 0 {
            wait_for_rows(&path, before + pages * 1_000);
        }
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap();
        child.wait().unwrap();
        if path.exists() {
            let (integrity, rows, ids) = check_file(&path);
            assert_eq!(
                integrity, "ok",
                "after a kill at {pages} pages + {delay} ms"
            );
            assert_eq!(
                rows, ids,
                "no duplicates after a kill at {pages} pages + {delay} ms"
            );
        }
    }
    let (_, kept, _) = check_file(&path);
    assert!(
        (6_000..RECORDS).contains(&kept),
        "the kills hit the sync in the middle, and each run continued the last: {kept} records"
    );
    let o = running.run(&["archive", "sync", "--database", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        last_line(&o).ends_with(&format!(" {RECORDS} total")),
        "{}",
        stderr(&o)
    );
    let (integrity, rows, ids) = check_file(&path);
    assert_eq!(integrity, "ok");
    assert_eq!((rows, ids), (RECORDS, RECORDS), "every record exactly once");
}

// ----- PostgreSQL --------------------------------------------------------------------------

fn postgres_server() -> Option<String> {
    match std::env::var("SDESK_TEST_POSTGRES_URL") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            assert_ne!(
                std::env::var("SDESK_TEST_POSTGRES_REQUIRED").as_deref(),
                Ok("1"),
                "SDESK_TEST_POSTGRES_REQUIRED=1 but SDESK_TEST_POSTGRES_URL is not set: run the \
                 tests through scripts/with-postgres.sh"
            );
            eprintln!("PostgreSQL tests skipped: SDESK_TEST_POSTGRES_URL is not set");
            None
        }
    }
}

/// A new, empty database on the test server, as a URL with a password in it (the test server
/// trusts loopback connections, so the password is only there to be hidden).
fn fresh_postgres(rt: &tokio::runtime::Runtime, server: &str) -> String {
    let name = format!(
        "sdesk_cli_test_{}_{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default()
    );
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(server, tokio_postgres::NoTls)
            .await
            .expect("the test server is reachable");
        tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
    });
    let (base, query) = match server.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (server, String::new()),
    };
    let (origin, _) = base.rsplit_once('/').unwrap();
    let (scheme, rest) = origin.split_once("://").unwrap();
    let rest = match rest.split_once('@') {
        Some((user, host)) if !user.contains(':') => format!("{user}:s3cret-pw@{host}"),
        _ => rest.to_owned(),
    };
    format!("{scheme}://{rest}/{name}{query}")
}

#[test]
fn sync_export_and_stats_on_postgresql() {
    let Some(server) = postgres_server() else {
        return;
    };
    let running = Running::start(sdesk_sandbox::SandboxConfig::default());
    let url = fresh_postgres(&running.rt, &server);
    let o = running.run(&["archive", "sync", "--database", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(last_line(&o), "synced: 2500 new, 0 updated, 2500 total");
    let before = api_requests(&running);

    let mut env = running.env();
    env.push(("SDESK_DATABASE_URL", url.clone()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let o = sdesk(&["archive", "sync"], &env);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(last_line(&o), "synced: 0 new, 0 updated, 2500 total");
    assert_eq!(
        api_requests(&running) - before,
        1,
        "only the overlap window"
    );

    let o = sdesk(&["archive", "stats", "--json"], &env);
    assert!(
        !stdout(&o).contains("s3cret-pw") && !stderr(&o).contains("s3cret-pw"),
        "the password is never printed"
    );
    let v = stats_json(&o);
    assert_eq!(v["records"], 2500);
    assert!(v["first_start"].as_str().unwrap().ends_with('Z'));
    assert!(v["last_sync"].as_str().unwrap().ends_with('Z'));
    assert!(
        v["database"].as_str().unwrap().contains(":***@"),
        "{}",
        v["database"]
    );
    let o = sdesk(&["archive", "stats"], &env);
    assert!(!stdout(&o).contains("s3cret-pw"), "{}", stdout(&o));

    let live = running.run(&["reports", "export", "--out", "-"]);
    let local = sdesk(
        &["archive", "export", "--database", &url, "--out", "-"],
        &offline(),
    );
    assert!(local.status.success(), "{}", stderr(&local));
    assert!(
        live.stdout == local.stdout,
        "the PostgreSQL archive exports the API's CSV byte for byte"
    );
}
