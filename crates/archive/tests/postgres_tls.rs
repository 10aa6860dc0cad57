#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The PostgreSQL archive over TLS (`sslmode`, `sslrootcert`), against the test server of
//! `scripts/with-postgres.sh`: TLS on, a throw-away CA (SDESK_TEST_POSTGRES_CA) and an unrelated
//! one (SDESK_TEST_POSTGRES_OTHER_CA), and a user `sdesk_tls` the server accepts only over TLS,
//! so a sync that works as that user went through an encrypted connection. Skipped or failed
//! without the server by the same rule as the other PostgreSQL tests (see `common/pg.rs`).

mod common;

use common::pg::{create_db, server_env, server_url, with_db};
use common::*;
use sdesk_archive::{Archive, ArchiveUrl};
use sdesk_core::{Error, ErrorKind};

/// A password in every URL here: the server trusts the user, so it is never checked, but it must
/// never appear in an error.
const PASSWORD: &str = "pw-never-shown-42";

/// The TLS test server: its `postgres://sdesk_tls@127.0.0.1:PORT` origin (no database or
/// parameters), the CA that signed its certificate and another CA.
struct TlsServer {
    origin: String,
    ca: String,
    other_ca: String,
    plain: String,
}

impl TlsServer {
    fn get() -> Option<Self> {
        let plain = server_url()?;
        let tls = server_env("SDESK_TEST_POSTGRES_TLS_URL")?;
        let ca = server_env("SDESK_TEST_POSTGRES_CA")?;
        let other_ca = server_env("SDESK_TEST_POSTGRES_OTHER_CA")?;
        let base = tls.split_once('?').map_or(tls.as_str(), |(b, _)| b);
        let (origin, _) = base.rsplit_once('/').expect("the URL names a database");
        Some(Self {
            origin: origin.to_owned(),
            ca,
            other_ca,
            plain,
        })
    }

    /// The URL of a new, empty database as `sdesk_tls` (with [`PASSWORD`]) and `params`.
    async fn db(&self, params: &str) -> String {
        let name = create_db(&self.plain).await;
        let origin = self
            .origin
            .replacen("sdesk_tls@", &format!("sdesk_tls:{PASSWORD}@"), 1);
        assert_ne!(origin, self.origin, "the TLS URL's user is sdesk_tls");
        with_db(&format!("{origin}/x?{params}"), &name)
    }

    /// The same server under another host name (not in its certificate), reached through
    /// `hostaddr=127.0.0.1`.
    fn under_another_name(url: &str) -> String {
        let renamed = url.replacen("@127.0.0.1:", "@not-the-certificates-name.invalid:", 1);
        assert_ne!(renamed, url, "the test server's URL names 127.0.0.1");
        format!("{renamed}&hostaddr=127.0.0.1")
    }
}

async fn open(url: &str) -> Result<Archive, Error> {
    Archive::open(&ArchiveUrl::parse(url).unwrap()).await
}

/// A first sync of 25 records into the archive at `url` (which must open) reads them all.
async fn sync_works(url: &str) {
    let archive = open(url)
        .await
        .unwrap_or_else(|e| panic!("the archive at {url} opens: {e}"));
    let report = sync_once(&archive, &FakeApi::new(records(25), 10))
        .await
        .unwrap();
    assert_eq!(report.new, 25, "every record is synced over TLS");
    assert_exactly(&archive, 25, "the synced records, read back over TLS").await;
}

/// Opening fails with a configuration error (the user has to change something) whose message
/// contains every one of `needles` and not the password.
async fn fails_clearly(url: &str, needles: &[&str]) -> Error {
    let err = open(url)
        .await
        .err()
        .unwrap_or_else(|| panic!("the archive at {url} must not open"));
    let text = err.to_string();
    assert_eq!(err.kind(), ErrorKind::Config, "a setting to change: {text}");
    for needle in needles {
        assert!(text.contains(needle), "the message says {needle:?}: {text}");
    }
    assert!(
        !text.contains(PASSWORD),
        "the password is not in the message: {text}"
    );
    let query = url.split_once('?').map_or("", |(_, q)| q);
    assert!(
        !text.contains(&format!("?{query}")),
        "the URL's parameters are not repeated whole: {text}"
    );
    err
}

#[tokio::test]
async fn verify_full_with_the_servers_ca_syncs() {
    let Some(server) = TlsServer::get() else {
        return;
    };
    let url = server
        .db(&format!("sslmode=verify-full&sslrootcert={}", server.ca))
        .await;
    sync_works(&url).await;
}

#[tokio::test]
async fn require_syncs_without_checking_the_certificate() {
    let Some(server) = TlsServer::get() else {
        return;
    };
    sync_works(&server.db("sslmode=require").await).await;
}

#[tokio::test]
async fn prefer_the_default_uses_tls_when_the_server_offers_it() {
    let Some(server) = TlsServer::get() else {
        return;
    };
    // No sslmode: libpq's default, prefer. sdesk_tls is refused without TLS.
    sync_works(&server.db("application_name=tls-test").await).await;
}

#[tokio::test]
async fn verify_full_without_the_ca_fails_with_a_clear_error() {
    let Some(server) = TlsServer::get() else {
        return;
    };
    let url = server.db("sslmode=verify-full").await;
    fails_clearly(
        &url,
        &[
            "not signed by",
            "public certificate authorities",
            "sslrootcert=PATH",
        ],
    )
    .await;
}

#[tokio::test]
async fn verify_full_with_another_ca_fails_with_a_clear_error() {
    let Some(server) = TlsServer::get() else {
        return;
    };
    let url = server
        .db(&format!(
            "sslmode=verify-full&sslrootcert={}",
            server.other_ca
        ))
        .await;
    fails_clearly(&url, &["not signed by", &server.other_ca]).await;
    // require with a CA checks the CA too, as libpq does.
    let url = server
        .db(&format!("sslmode=require&sslrootcert={}", server.other_ca))
        .await;
    fails_clearly(&url, &["not signed by"]).await;
}

#[tokio::test]
async fn verify_full_checks_the_host_name_and_verify_ca_does_not() {
    let Some(server) = TlsServer::get() else {
        return;
    };
    let url = server
        .db(&format!("sslmode=verify-full&sslrootcert={}", server.ca))
        .await;
    fails_clearly(
        &TlsServer::under_another_name(&url),
        &["not issued for the host name", "verify-ca"],
    )
    .await;
    let url = server
        .db(&format!("sslmode=verify-ca&sslrootcert={}", server.ca))
        .await;
    sync_works(&TlsServer::under_another_name(&url)).await;
}

#[tokio::test]
async fn a_server_refusing_a_plain_connection_is_a_clear_error() {
    let Some(server) = TlsServer::get() else {
        return;
    };
    let url = server.db("sslmode=disable").await;
    fails_clearly(
        &url,
        &[
            "refused the connection",
            "no encryption",
            "sslmode=verify-full",
        ],
    )
    .await;
}

/// A server that answers the TLS request with "N" (no TLS), as one without ssl=on does.
#[tokio::test]
async fn a_server_without_tls_is_refused_when_tls_is_required() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = [0u8; 8];
            if socket.read_exact(&mut request).await.is_ok() {
                // SSLRequest: length 8, code 80877103.
                assert_eq!(request, [0, 0, 0, 8, 4, 210, 22, 47], "an SSLRequest first");
                let _ = socket.write_all(b"N").await;
            }
        }
    });
    for mode in ["require", "verify-ca", "verify-full"] {
        let url = format!("postgres://desk:{PASSWORD}@127.0.0.1:{port}/archive?sslmode={mode}");
        fails_clearly(&url, &["does not accept TLS", &format!("sslmode={mode}")]).await;
    }
}

#[tokio::test]
async fn a_unix_socket_needs_no_tls_whatever_the_sslmode() {
    let Some(server) = TlsServer::get() else {
        return;
    };
    let Some(socket) = server_env("SDESK_TEST_POSTGRES_SOCKET") else {
        return;
    };
    let name = create_db(&server.plain).await;
    let (_, port) = server.origin.rsplit_once(':').expect("the URL has a port");
    // As in libpq: no TLS on a Unix socket, so a TLS mode does not fail there.
    let url = format!(
        "postgres://sdesk:{PASSWORD}@/{name}?host={socket}&port={port}&sslmode=verify-full&sslrootcert={}",
        server.other_ca
    );
    sync_works(&url).await;
}

#[tokio::test]
async fn unsupported_tls_parameters_are_refused_by_name() {
    // No server is needed: the URL is refused before any connection.
    for (param, named) in [
        ("sslmode=allow", "sslmode=allow"),
        ("sslcert=/home/desk/client.crt", "sslcert"),
        ("sslrootcert=", "sslrootcert"),
        ("sslcompression=1", "sslcompression"),
    ] {
        let url = format!("postgres://desk:{PASSWORD}@127.0.0.1:1/archive?{param}");
        let err = fails_clearly(&url, &[named]).await;
        assert!(
            !err.to_string().contains("cannot connect"),
            "refused before connecting: {err}"
        );
    }
}
