#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The archive on SQLite: schema, counts, queries, concurrency, damaged files, pending edits.

mod common;

use common::*;
use sdesk_archive::{Archive, ArchiveQuery, ArchiveUrl, SCHEMA_VERSION};
use sdesk_core::ErrorKind;
use std::path::Path;
use tempfile::TempDir;

fn sqlite_url(dir: &TempDir, name: &str) -> ArchiveUrl {
    ArchiveUrl::Sqlite(dir.path().join(name))
}

fn schema_of(path: &Path) -> Vec<(String, String)> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut s = c
        .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap()
}

#[tokio::test]
async fn migrations_from_empty_and_every_earlier_schema() {
    let dir = TempDir::new().unwrap();
    let mut n = 0;
    check_migrations(&mut || {
        n += 1;
        sqlite_url(&dir, &format!("m{n}.sqlite3"))
    })
    .await;
    // Whatever the starting point, the result is the schema a new archive gets.
    let fresh = sqlite_url(&dir, "fresh.sqlite3");
    drop(Archive::open(&fresh).await.unwrap());
    let ArchiveUrl::Sqlite(fresh) = fresh else {
        unreachable!()
    };
    for i in 1..=n {
        assert_eq!(
            schema_of(&dir.path().join(format!("m{i}.sqlite3"))),
            schema_of(&fresh),
            "a migrated archive has exactly the schema of a new one"
        );
    }
}

#[tokio::test]
async fn default_location_is_created_with_its_directory() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("Supporter Desk").join("data");
    let url = ArchiveUrl::default_in(&data);
    let archive = Archive::open(&url).await.unwrap();
    assert!(data.join(sdesk_archive::DEFAULT_FILE_NAME).is_file());
    assert_eq!(archive.schema_version().await.unwrap(), SCHEMA_VERSION);
}

#[tokio::test]
async fn newer_schema_is_refused() {
    let dir = TempDir::new().unwrap();
    let url = sqlite_url(&dir, "a.sqlite3");
    let archive = Archive::open(&url).await.unwrap();
    archive.upsert(&[typed(&record(1))]).await.unwrap();
    drop(archive);
    let ArchiveUrl::Sqlite(path) = &url else {
        unreachable!()
    };
    rusqlite::Connection::open(path)
        .unwrap()
        .execute(
            "INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
    let err = Archive::open(&url).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config, "{err}");
    assert!(
        err.to_string().contains("newer than this program"),
        "the message says why: {err}"
    );
    let c = rusqlite::Connection::open(path).unwrap();
    let n: i64 = c
        .query_row("SELECT COUNT(*) FROM reports", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1, "the newer archive's data is untouched");
}

#[tokio::test]
async fn upsert_counts_new_updated_unchanged() {
    let dir = TempDir::new().unwrap();
    check_upsert_counts(&sqlite_url(&dir, "a.sqlite3")).await;
}

#[tokio::test]
async fn query_filters_have_the_api_meanings() {
    let dir = TempDir::new().unwrap();
    check_query_filters(&sqlite_url(&dir, "a.sqlite3")).await;
}

#[tokio::test]
async fn newest_first_and_count() {
    let dir = TempDir::new().unwrap();
    check_newest_first_and_count(&sqlite_url(&dir, "a.sqlite3")).await;
}

#[tokio::test]
async fn a_query_is_read_in_parts_in_order() {
    let dir = TempDir::new().unwrap();
    check_query_in_parts(&sqlite_url(&dir, "a.sqlite3")).await;
}

#[tokio::test]
async fn pending_edits_persist() {
    let dir = TempDir::new().unwrap();
    check_pending_edits(&sqlite_url(&dir, "a.sqlite3")).await;
}

#[tokio::test]
async fn sync_resumes_after_a_failed_page() {
    let dir = TempDir::new().unwrap();
    check_resume_after_failure(&sqlite_url(&dir, "a.sqlite3")).await;
}

#[tokio::test]
async fn a_second_sync_takes_over_and_the_first_stops_cleanly() {
    let dir = TempDir::new().unwrap();
    check_takeover(&sqlite_url(&dir, "a.sqlite3")).await;
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused_and_left_unchanged() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("archive.sqlite3");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    let err = Archive::open(&ArchiveUrl::Sqlite(path.clone()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Database, "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("not a readable SQLite database") && msg.contains("archive.sqlite3"),
        "the message names the file and the problem: {msg}"
    );
    assert!(
        msg.contains("left unchanged"),
        "and says nothing was written: {msg}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        garbage,
        "the damaged file is not overwritten"
    );
    assert!(
        !dir.path().join("archive.sqlite3-wal").exists(),
        "no WAL file was created next to it"
    );
}

#[tokio::test]
async fn another_programs_database_is_refused_and_left_unchanged() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("other.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('x');")
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = Archive::open(&ArchiveUrl::Sqlite(path.clone()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config, "{err}");
    assert!(err.to_string().contains("another program"), "{err}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "its file is unchanged"
    );
}

#[tokio::test]
async fn a_damaged_archive_reports_a_clear_error() {
    let dir = TempDir::new().unwrap();
    let url = sqlite_url(&dir, "a.sqlite3");
    let archive = Archive::open(&url).await.unwrap();
    archive
        .upsert(&records(400).iter().map(typed).collect::<Vec<_>>())
        .await
        .unwrap();
    drop(archive);
    let ArchiveUrl::Sqlite(path) = &url else {
        unreachable!()
    };
    // Fold the WAL into the file, then scribble over everything after the first page.
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
        .unwrap();
    let mut bytes = std::fs::read(path).unwrap();
    assert!(bytes.len() > 3 * 4096, "the archive spans several pages");
    for b in &mut bytes[4096..] {
        *b = 0xA5;
    }
    std::fs::write(path, &bytes).unwrap();
    let err = match Archive::open(&url).await {
        Err(e) => e,
        Ok(a) => a.query(&ArchiveQuery::default()).await.unwrap_err(),
    };
    assert!(
        err.to_string().contains("not a readable SQLite database"),
        "a damaged archive is named as such: {err}"
    );
}

#[tokio::test]
async fn two_connections_read_and_write_at_once() {
    let dir = TempDir::new().unwrap();
    let url = sqlite_url(&dir, "shared.sqlite3");
    let app = Archive::open(&url).await.unwrap();
    let cli = Archive::open(&url).await.unwrap();
    let ArchiveUrl::Sqlite(path) = &url else {
        unreachable!()
    };
    let mode: String = rusqlite::Connection::open(path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal", "the archive runs in WAL mode");

    // A writer holds the write lock: readers still read, a second writer waits its turn.
    let mut holder = rusqlite::Connection::open(path).unwrap();
    let tx = holder
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    tx.execute("DELETE FROM pending_edits", []).unwrap();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        app.query(&ArchiveQuery::default()),
    )
    .await
    .expect("a reader is not blocked by a writer (WAL)");
    assert!(read.unwrap().is_empty());
    let writer = {
        let cli = cli.clone();
        tokio::spawn(async move { cli.upsert(&[typed(&record(1))]).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !writer.is_finished(),
        "the second writer waits for the lock"
    );
    tx.commit().unwrap();
    let c = writer
        .await
        .unwrap()
        .expect("and then writes (busy timeout, not an error)");
    assert_eq!(c.new, 1);

    // Both handles writing concurrently.
    let a = {
        let app = app.clone();
        tokio::spawn(async move {
            for i in 0..30 {
                app.upsert(&[typed(&record(100 + i))]).await.unwrap();
            }
        })
    };
    let b = {
        let cli = cli.clone();
        tokio::spawn(async move {
            for i in 0..30 {
                cli.upsert(&[typed(&record(200 + i))]).await.unwrap();
            }
        })
    };
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(app.stats().await.unwrap().records, 61, "no write was lost");
    assert_eq!(
        all_ids(&cli).await.len(),
        61,
        "each sees the other's writes"
    );
}

#[tokio::test]
async fn schema_1_archive_keeps_its_records_in_the_rowid_table_of_schema_2() {
    let dir = TempDir::new().unwrap();
    let url = sqlite_url(&dir, "v1.sqlite3");
    let old = Archive::open_at_schema(&url, 1).await.unwrap();
    let raw: Vec<_> = (0..30).map(record).collect();
    assert_eq!(old.upsert_json(&raw).await.unwrap().new, 30);
    let before = old.query(&ArchiveQuery::default()).await.unwrap();
    drop(old);
    let path = dir.path().join("v1.sqlite3");
    let table_sql = |path: &Path| -> String {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'reports'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert!(table_sql(&path).contains("WITHOUT ROWID"), "schema 1");
    let archive = Archive::open(&url).await.unwrap();
    assert_eq!(archive.schema_version().await.unwrap(), SCHEMA_VERSION);
    assert!(!table_sql(&path).contains("WITHOUT ROWID"), "schema 2");
    assert_eq!(
        archive.query(&ArchiveQuery::default()).await.unwrap(),
        before,
        "every record kept"
    );
    for r in &raw {
        let id = r["id"].as_str().unwrap();
        assert_eq!(archive.raw_record(id).await.unwrap().as_ref(), Some(r));
    }
    let again = archive.upsert_json(&raw).await.unwrap();
    assert_eq!(
        (again.new, again.unchanged),
        (0, 30),
        "ids stay unique: the same records again are unchanged"
    );
    let mut changed = raw[0].clone();
    changed["notes"] = serde_json::json!("edited");
    assert_eq!(archive.upsert_json(&[changed]).await.unwrap().updated, 1);
    assert_eq!(archive.stats().await.unwrap().records, 30);
    // A new archive file gets 16 KiB pages.
    let fresh = sqlite_url(&dir, "new.sqlite3");
    drop(Archive::open(&fresh).await.unwrap());
    let page_size: i64 = rusqlite::Connection::open(dir.path().join("new.sqlite3"))
        .unwrap()
        .pragma_query_value(None, "page_size", |r| r.get(0))
        .unwrap();
    assert_eq!(page_size, 16_384);
}
