#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The archive on PostgreSQL: the same checks as on SQLite, against the server named by
//! SDESK_TEST_POSTGRES_URL (`scripts/with-postgres.sh cargo test -p sdesk-archive` starts a
//! throw-away one). Each test creates its own database `sdesk_test_<uuid>`. Without the URL the
//! tests say so and pass, unless SDESK_TEST_POSTGRES_REQUIRED=1 (set by the script, and in CI),
//! where a missing URL fails them.

mod common;

use common::pg::{fresh_db, server_url};
use common::*;
use sdesk_archive::{Archive, ArchiveUrl, SyncOptions};
use sdesk_core::ErrorKind;

macro_rules! pg_test {
    ($name:ident, |$url:ident| $body:expr) => {
        #[tokio::test]
        async fn $name() {
            let Some(server) = server_url() else { return };
            let $url = fresh_db(&server).await;
            $body
        }
    };
}

pg_test!(upsert_counts_new_updated_unchanged, |url| {
    check_upsert_counts(&url).await
});
pg_test!(query_filters_have_the_api_meanings, |url| {
    check_query_filters(&url).await
});
pg_test!(newest_first_and_count, |url| {
    check_newest_first_and_count(&url).await
});
pg_test!(a_query_is_read_in_parts_in_order, |url| {
    check_query_in_parts(&url).await
});
pg_test!(pending_edits_persist, |url| check_pending_edits(&url).await);
pg_test!(sync_resumes_after_a_failed_page, |url| {
    check_resume_after_failure(&url).await
});

#[tokio::test]
async fn migrations_from_empty_and_every_earlier_schema() {
    let Some(server) = server_url() else { return };
    let mut urls = Vec::new();
    for _ in 0..sdesk_archive::SCHEMA_VERSION {
        urls.push(fresh_db(&server).await);
    }
    let mut next = urls.into_iter();
    check_migrations(&mut || next.next().unwrap()).await;
}

#[tokio::test]
async fn two_handles_sync_and_write_at_once() {
    let Some(server) = server_url() else { return };
    let url = fresh_db(&server).await;
    let (app, cli) = (
        Archive::open(&url).await.unwrap(),
        Archive::open(&url).await.unwrap(),
    );
    let api = FakeApi::new(records(60), 7);
    let writer = {
        let cli = cli.clone();
        tokio::spawn(async move {
            for i in 0..20 {
                cli.upsert(&[typed(&record(60 + i))]).await.unwrap();
            }
        })
    };
    // `full`: whether the writer's first record lands before the sync looks at the archive
    // (an incremental run over the overlap window only) or after (the initial run), every
    // record is read.
    let full = SyncOptions {
        full: true,
        ..SyncOptions::default()
    };
    let report = sync_with(&app, &api, &full).await.unwrap();
    writer.await.unwrap();
    assert_eq!(report.new, 60, "the sync's records are all new");
    assert_exactly(
        &cli,
        80,
        "both writers' records, seen from the other handle",
    )
    .await;
}

pg_test!(
    a_second_sync_takes_over_and_the_first_stops_cleanly,
    |url| check_takeover(&url).await
);

#[tokio::test]
async fn an_unreachable_server_is_a_network_error() {
    let err = Archive::open(
        &ArchiveUrl::parse("postgres://nobody:secret@127.0.0.1:1/none?connect_timeout=2").unwrap(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert!(
        !err.to_string().contains("secret"),
        "the password is not in the message: {err}"
    );
}
