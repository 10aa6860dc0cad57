//! The PostgreSQL test server (started by `scripts/with-postgres.sh`): where it is, and a fresh
//! database per test. Without SDESK_TEST_POSTGRES_URL the tests say so and pass, unless
//! SDESK_TEST_POSTGRES_REQUIRED=1 (set by the script, and in CI), where a missing URL fails them.
#![allow(dead_code)]

use sdesk_archive::ArchiveUrl;

/// The value of `var`, set by scripts/with-postgres.sh; `None` (the test skips) only when the
/// tests are not required to run.
pub fn server_env(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            assert_ne!(
                std::env::var("SDESK_TEST_POSTGRES_REQUIRED").as_deref(),
                Ok("1"),
                "SDESK_TEST_POSTGRES_REQUIRED=1 but {var} is not set: run the tests through \
                 scripts/with-postgres.sh"
            );
            eprintln!("PostgreSQL tests skipped: {var} is not set");
            None
        }
    }
}

/// The plain (no TLS required) URL of the test server's database `sdesk_test`.
pub fn server_url() -> Option<String> {
    server_env("SDESK_TEST_POSTGRES_URL")
}

/// Creates a new, empty database on the test server (through `server`) and returns its name.
pub async fn create_db(server: &str) -> String {
    let (client, conn) = tokio_postgres::connect(server, tokio_postgres::NoTls)
        .await
        .expect("the test server is reachable");
    tokio::spawn(conn);
    let name = format!("sdesk_test_{}", uuid::Uuid::new_v4().simple());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    name
}

/// `url` with its database replaced by `name` (query parameters kept).
pub fn with_db(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let (origin, _) = base.rsplit_once('/').expect("the URL names a database");
    format!("{origin}/{name}{query}")
}

/// A new, empty database on the test server.
pub async fn fresh_db(server: &str) -> ArchiveUrl {
    let name = create_db(server).await;
    ArchiveUrl::parse(&with_db(server, &name)).unwrap()
}
