#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The API client against hostile servers: endless and huge bodies, bodies that stall, rate
//! limits as TeamViewer sends them (403 `rate_limit_reached`), blocked addresses and expired
//! tokens. The server is a raw TCP listener on 127.0.0.1 writing hand-made HTTP/1.1 answers, so
//! that it can do what no well-behaved mock does, and count what it managed to send.
//!
//! To add a case: start a [`HostileServer`] with a closure from the [`Request`] to a [`Reply`],
//! point [`client`] at it, and assert on the result and on the server's counters.

use async_trait::async_trait;
use hostile::{HostileServer, Reply, Request};
use sdesk_core::client::{
    build_http, parse_api_url, HttpConfig, RetryPolicy, StaticToken, TeamViewerClient, TokenSource,
    WaitNotice, WaitReason, PAGE_BODY_LIMIT,
};
use sdesk_core::logs::ReportPager;
use sdesk_core::models::ReportQuery;
use sdesk_core::{ErrorKind, Result, Secret};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A raw HTTP/1.1 server whose every answer is chosen by the test.
mod hostile {
    use std::net::SocketAddr;
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::task::{JoinHandle, JoinSet};

    /// An endless body stops here anyway, so that a client without a limit fails its test
    /// instead of exhausting the machine.
    const ENDLESS_SAFETY_CAP: u64 = 256 * 1024 * 1024;
    const BLOCK: usize = 64 * 1024;

    /// What the server answers to one request. Every answer closes its connection afterwards
    /// (`Connection: close`), so each request of the client is a new connection.
    #[derive(Debug, Clone)]
    pub enum Reply {
        /// A complete answer with a `Content-Length`.
        Full {
            status: u16,
            headers: Vec<(&'static str, String)>,
            body: Vec<u8>,
        },
        /// A 200 with a chunked body that never ends: chunks until the client goes away.
        EndlessChunked,
        /// `Content-Length: len`, then `len` bytes (the start of a JSON error body, then
        /// padding), written as fast as the client reads them.
        Huge { status: u16, len: u64 },
        /// `Content-Length: len`, only `sent` of the body, then silence with the connection
        /// held open.
        Stall {
            status: u16,
            len: u64,
            sent: Vec<u8>,
        },
        /// Reads the request and never answers.
        Silence,
    }

    impl Reply {
        /// A JSON answer.
        pub fn json(status: u16, body: serde_json::Value) -> Self {
            Self::Full {
                status,
                headers: vec![("Content-Type", "application/json".into())],
                body: body.to_string().into_bytes(),
            }
        }

        /// A TeamViewer error body (`error`, `error_description`, `error_code`).
        pub fn api_error(status: u16, category: &str, description: &str, code: u32) -> Self {
            Self::json(
                status,
                serde_json::json!({
                    "error": category, "error_description": description, "error_code": code
                }),
            )
        }

        /// The same answer with one more header.
        pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
            if let Self::Full { headers, .. } = &mut self {
                headers.push((name, value.to_owned()));
            }
            self
        }
    }

    /// One request as the server read it.
    #[derive(Debug, Clone)]
    pub struct Request {
        /// 0 for the first request the server received.
        pub index: usize,
        /// Request line and headers.
        pub head: String,
    }

    impl Request {
        /// The value of header `name` (case-insensitive).
        pub fn header(&self, name: &str) -> Option<&str> {
            self.head.lines().skip(1).find_map(|line| {
                let (n, v) = line.split_once(':')?;
                n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
            })
        }
    }

    #[derive(Debug, Default)]
    struct Stats {
        requests: AtomicUsize,
        body_bytes: AtomicU64,
        bodies_completed: AtomicUsize,
    }

    type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

    /// The running server; stops (with all its connections) when dropped.
    pub struct HostileServer {
        addr: SocketAddr,
        stats: Arc<Stats>,
        task: JoinHandle<()>,
    }

    impl HostileServer {
        /// Listens on an ephemeral loopback port and answers every request with `handler`.
        pub async fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
            let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
            let addr = listener.local_addr().unwrap();
            let stats = Arc::new(Stats::default());
            let handler: Arc<Handler> = Arc::new(handler);
            let counters = Arc::clone(&stats);
            let task = tokio::spawn(async move {
                // Dropping the set (when the task is aborted) aborts every connection.
                let mut connections = JoinSet::new();
                while let Ok((stream, _)) = listener.accept().await {
                    let handler = Arc::clone(&handler);
                    let stats = Arc::clone(&counters);
                    connections.spawn(serve(stream, handler, stats));
                }
            });
            Self { addr, stats, task }
        }

        /// `http://127.0.0.1:PORT`.
        pub fn uri(&self) -> String {
            format!("http://{}", self.addr)
        }

        /// Requests received so far.
        pub fn requests(&self) -> usize {
            self.stats.requests.load(Ordering::SeqCst)
        }

        /// Body bytes the client accepted from the socket (or the kernel buffered for it).
        pub fn body_bytes(&self) -> u64 {
            self.stats.body_bytes.load(Ordering::SeqCst)
        }

        /// Huge bodies written to their end.
        pub fn bodies_completed(&self) -> usize {
            self.stats.bodies_completed.load(Ordering::SeqCst)
        }
    }

    impl Drop for HostileServer {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    async fn serve(mut stream: TcpStream, handler: Arc<Handler>, stats: Arc<Stats>) {
        let Some(head) = read_head(&mut stream).await else {
            return;
        };
        let index = stats.requests.fetch_add(1, Ordering::SeqCst);
        let reply = handler(&Request { index, head });
        // Errors mean the client went away, which is what several cases provoke.
        let _ = write_reply(&mut stream, reply, &stats).await;
    }

    /// Reads the request line and headers, and a body announced with `Content-Length`.
    async fn read_head(stream: &mut TcpStream) -> Option<String> {
        let mut buf = Vec::new();
        let mut byte = [0u8; 1024];
        let end = loop {
            let n = stream.read(&mut byte).await.ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&byte[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            if buf.len() > 64 * 1024 {
                return None;
            }
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let announced: usize = head
            .lines()
            .find_map(|l| {
                let (n, v) = l.split_once(':')?;
                n.trim()
                    .eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        let mut have = buf.len() - end;
        while have < announced {
            let n = stream.read(&mut byte).await.ok()?;
            if n == 0 {
                break;
            }
            have += n;
        }
        Some(head)
    }

    fn reason(status: u16) -> &'static str {
        match status {
            200 => "OK",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            500 => "Internal Server Error",
            503 => "Service Unavailable",
            _ => "Whatever",
        }
    }

    async fn write_reply(
        stream: &mut TcpStream,
        reply: Reply,
        stats: &Stats,
    ) -> std::io::Result<()> {
        match reply {
            Reply::Full {
                status,
                headers,
                body,
            } => {
                let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
                for (n, v) in headers {
                    out.push_str(&format!("{n}: {v}\r\n"));
                }
                out.push_str(&format!(
                    "Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                ));
                stream.write_all(out.as_bytes()).await?;
                stream.write_all(&body).await?;
                stream.shutdown().await
            }
            Reply::EndlessChunked => {
                stream
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                          Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                    )
                    .await?;
                let mut chunk = format!("{BLOCK:x}\r\n").into_bytes();
                chunk.extend(std::iter::repeat_n(b' ', BLOCK));
                chunk.extend_from_slice(b"\r\n");
                let mut sent = 0u64;
                while sent < ENDLESS_SAFETY_CAP {
                    stream.write_all(&chunk).await?;
                    sent += BLOCK as u64;
                    stats.body_bytes.fetch_add(BLOCK as u64, Ordering::SeqCst);
                }
                Ok(())
            }
            Reply::Huge { status, len } => {
                let head = format!(
                    "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\n\
                     Content-Length: {len}\r\nConnection: close\r\n\r\n",
                    reason(status)
                );
                stream.write_all(head.as_bytes()).await?;
                let start = br#"{"error":"internal_error","error_description":""#;
                let mut block = start.to_vec();
                block.resize(BLOCK, b'x');
                let mut sent = 0u64;
                while sent < len {
                    let n = (len - sent).min(BLOCK as u64) as usize;
                    stream.write_all(&block[..n]).await?;
                    sent += n as u64;
                    stats.body_bytes.fetch_add(n as u64, Ordering::SeqCst);
                    if sent == BLOCK as u64 {
                        block[..start.len()].fill(b'x');
                    }
                }
                stats.bodies_completed.fetch_add(1, Ordering::SeqCst);
                stream.shutdown().await
            }
            Reply::Stall { status, len, sent } => {
                let head = format!(
                    "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\n\
                     Content-Length: {len}\r\n\r\n",
                    reason(status)
                );
                stream.write_all(head.as_bytes()).await?;
                stream.write_all(&sent).await?;
                stream.flush().await?;
                tokio::time::sleep(Duration::from_secs(600)).await;
                Ok(())
            }
            Reply::Silence => {
                tokio::time::sleep(Duration::from_secs(600)).await;
                Ok(())
            }
        }
    }
}

/// Fast retries, so that the cases run in milliseconds: rate limits are waited out for at most
/// 300 ms, a call may take 10 s.
fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(10),
        max_retry_after: Duration::from_secs(5),
        rate_limit_delay: Duration::from_millis(5),
        rate_limit_max_delay: Duration::from_millis(40),
        rate_limit_budget: Duration::from_millis(300),
        call_deadline: Duration::from_secs(10),
    }
}

fn client_with(server: &HostileServer, tokens: Arc<dyn TokenSource>) -> TeamViewerClient {
    TeamViewerClient::new(
        build_http(&HttpConfig::default()).unwrap(),
        parse_api_url(&server.uri()).unwrap(),
        tokens,
    )
    .with_retry(fast_retry())
}

fn client(server: &HostileServer) -> TeamViewerClient {
    client_with(
        server,
        Arc::new(StaticToken::new(Secret::new("script-token"))),
    )
}

/// A client whose waits are recorded.
fn observed(server: &HostileServer) -> (TeamViewerClient, Arc<Mutex<Vec<WaitNotice>>>) {
    let heard: Arc<Mutex<Vec<WaitNotice>>> = Arc::default();
    let sink = Arc::clone(&heard);
    let c = client(server).with_wait_observer(Arc::new(move |n: WaitNotice| {
        sink.lock().unwrap().push(n);
    }));
    (c, heard)
}

/// Runs `f`, failing the test (instead of hanging it) after `limit`.
async fn within<T>(limit: Duration, what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(limit, f)
        .await
        .unwrap_or_else(|_| panic!("{what} took longer than {limit:?}"))
}

fn rate_limit_reached() -> Reply {
    Reply::api_error(
        403,
        "rate_limit_reached",
        "Too many calls to a single function with the same access token",
        5,
    )
}

#[tokio::test]
async fn endless_chunked_report_page_fails_at_the_page_limit() {
    let server = HostileServer::start(|_| Reply::EndlessChunked).await;
    let c = client(&server);
    let started = Instant::now();
    let result = within(
        Duration::from_secs(60),
        "reading an endless report page",
        c.report_page_body(&ReportQuery::default(), None),
    )
    .await;
    let err = result.expect_err("an endless body is no page");
    assert_eq!(
        err.kind(),
        ErrorKind::ResponseTooLarge,
        "an endless page must end at the page limit: {err}"
    );
    assert_eq!(
        server.requests(),
        1,
        "a body over its limit will be over it again: no retry"
    );
    // The kernel's socket buffers hold some more than the client read (up to 32 MiB receive
    // and 4 MiB send buffer here); anything beyond that slack means the client kept reading.
    let slack = 48 * 1024 * 1024;
    assert!(
        server.body_bytes() <= PAGE_BODY_LIMIT + slack,
        "the client stops reading at the limit, so memory stays bounded: {} bytes were sent",
        server.body_bytes()
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "refused quickly, took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn announced_oversized_page_is_refused_before_reading() {
    let server = HostileServer::start(|_| Reply::Huge {
        status: 200,
        len: 4 * PAGE_BODY_LIMIT,
    })
    .await;
    let err = within(
        Duration::from_secs(30),
        "an announced 256 MiB page",
        client(&server).report_page_body(&ReportQuery::default(), None),
    )
    .await
    .expect_err("a page over the limit is refused");
    assert_eq!(err.kind(), ErrorKind::ResponseTooLarge, "{err}");
    assert!(
        server.body_bytes() < 16 * 1024 * 1024,
        "a Content-Length over the limit is refused without reading the body: {} bytes sent",
        server.body_bytes()
    );
}

#[tokio::test]
async fn huge_error_body_is_not_read_in_full_and_maps_by_status() {
    let server = HostileServer::start(|_| Reply::Huge {
        status: 404,
        len: 100_000_000,
    })
    .await;
    let err = within(
        Duration::from_secs(30),
        "a 100 MB error body",
        client(&server).report("r1"),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::NotFound,
        "the status decides, whatever the size of the body: {err}"
    );
    assert_eq!(server.requests(), 1, "a 404 is not retried");
    assert_eq!(
        server.bodies_completed(),
        0,
        "only the start of a 100 MB error body is read ({} bytes were sent)",
        server.body_bytes()
    );
}

#[tokio::test]
async fn huge_server_error_bodies_are_cut_on_every_retry() {
    let server = HostileServer::start(|_| Reply::Huge {
        status: 503,
        len: 100_000_000,
    })
    .await;
    let err = within(
        Duration::from_secs(30),
        "retries of a 100 MB error body",
        client(&server).account(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    assert_eq!(
        server.requests(),
        4,
        "a 503 is still retried up to the attempt limit"
    );
    assert_eq!(
        server.bodies_completed(),
        0,
        "no retry downloads the whole error body ({} bytes were sent in all)",
        server.body_bytes()
    );
}

#[tokio::test]
async fn forbidden_rate_limit_is_retried_then_reported_as_rate_limit() {
    let server = HostileServer::start(|_| rate_limit_reached()).await;
    let (c, heard) = observed(&server);
    let started = Instant::now();
    let err = within(Duration::from_secs(10), "a lasting rate limit", c.users())
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::RateLimited,
        "403 rate_limit_reached is a rate limit, not a missing permission: {err}"
    );
    assert!(
        server.requests() >= 3,
        "a rate-limited GET is retried; {} requests",
        server.requests()
    );
    let heard = heard.lock().unwrap().clone();
    assert_eq!(
        heard.len(),
        server.requests() - 1,
        "every wait is told: {heard:?}"
    );
    assert!(
        heard.iter().all(|n| n.reason == WaitReason::RateLimit),
        "and says it is the rate limit: {heard:?}"
    );
    let waited: Duration = heard.iter().map(|n| n.delay).sum();
    assert!(
        waited <= fast_retry().rate_limit_budget,
        "the waits stay within the rate-limit budget: {waited:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "bounded, took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn forbidden_rate_limit_then_success() {
    let server = HostileServer::start(|r| match r.index {
        0 => rate_limit_reached(),
        _ => Reply::json(
            200,
            serde_json::json!({"users": [{"id": "u1", "name": "Ann"}]}),
        ),
    })
    .await;
    let (c, heard) = observed(&server);
    let users = within(Duration::from_secs(10), "a passing rate limit", c.users())
        .await
        .unwrap();
    assert_eq!(users.len(), 1, "the retry's answer is the result");
    assert_eq!(server.requests(), 2, "one retry after the rate limit");
    let heard = heard.lock().unwrap().clone();
    assert_eq!(heard.len(), 1, "one wait, one notice: {heard:?}");
    assert_eq!(
        (heard[0].reason, heard[0].attempt),
        (WaitReason::RateLimit, 2),
        "the notice says why and which attempt follows"
    );
}

#[tokio::test]
async fn retry_after_zero_does_not_make_the_client_hammer() {
    let server =
        HostileServer::start(|_| rate_limit_reached().with_header("Retry-After", "0")).await;
    let c = client(&server).with_retry(RetryPolicy {
        rate_limit_budget: Duration::from_secs(60),
        ..fast_retry()
    });
    let err = within(Duration::from_secs(10), "Retry-After: 0 forever", c.users())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    assert!(
        server.requests() <= 20,
        "a rate limit that never passes ends after a bounded number of tries, not at the \
         deadline: {} requests",
        server.requests()
    );
}

#[tokio::test]
async fn blocked_address_is_reported_and_not_retried() {
    let server = HostileServer::start(|_| Reply::api_error(403, "blocked", "IP blocked", 9)).await;
    let (c, heard) = observed(&server);
    let err = within(Duration::from_secs(10), "a blocked address", c.account())
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Blocked,
        "a blocked address is neither a missing permission nor a rate limit: {err}"
    );
    assert_eq!(server.requests(), 1, "waiting does not unblock an address");
    assert!(heard.lock().unwrap().is_empty(), "nothing was waited for");
}

#[tokio::test]
async fn stalled_body_times_out_within_the_deadline() {
    let server = HostileServer::start(|_| Reply::Stall {
        status: 200,
        len: 100_000,
        sent: br#"{"records":[{"id":"#.to_vec(),
    })
    .await;
    let c = client(&server).with_retry(RetryPolicy {
        call_deadline: Duration::from_secs(1),
        ..fast_retry()
    });
    let started = Instant::now();
    let err = within(
        Duration::from_secs(20),
        "a stalled report page (the per-attempt timeout alone is 60 s)",
        c.report_page_body(&ReportQuery::default(), None),
    )
    .await
    .expect_err("a stalled body is no page");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(3),
        "the call ends at its 1 s deadline, took {took:?}"
    );
}

#[tokio::test]
async fn silent_server_times_out_within_the_deadline() {
    let server = HostileServer::start(|_| Reply::Silence).await;
    let c = client(&server).with_retry(RetryPolicy {
        call_deadline: Duration::from_secs(1),
        ..fast_retry()
    });
    let started = Instant::now();
    let err = within(
        Duration::from_secs(20),
        "a server that never answers",
        c.ping(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the call ends at its deadline, took {:?}",
        started.elapsed()
    );
}

/// Hands out "old-token" until refreshed, then "new-token"; counts refreshes.
#[derive(Debug, Default)]
struct Rotating {
    refreshes: AtomicUsize,
}

#[async_trait]
impl TokenSource for Rotating {
    async fn access_token(&self) -> Result<Secret> {
        Ok(Secret::new("old-token"))
    }

    async fn refresh_after_unauthorized(&self, rejected: &Secret) -> Result<Secret> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        assert_eq!(
            rejected.expose(),
            "old-token",
            "the token the server rejected is the one to replace"
        );
        Ok(Secret::new("new-token"))
    }
}

/// TeamViewer's answer to an expired token (API document 2023-03, p. 16).
fn token_expired() -> Reply {
    Reply::json(
        401,
        serde_json::json!({"error": "token_expired", "error_code": 1}),
    )
    .with_header("WWW-Authenticate", "Bearer")
}

#[tokio::test]
async fn expired_token_is_refreshed_once_and_the_call_repeated() {
    let server = HostileServer::start(|r: &Request| {
        if r.header("authorization") == Some("Bearer new-token") {
            Reply::json(200, serde_json::json!({"token_valid": true}))
        } else {
            token_expired()
        }
    })
    .await;
    let tokens = Arc::new(Rotating::default());
    let c = client_with(&server, tokens.clone());
    let valid = within(Duration::from_secs(10), "a refresh", c.ping())
        .await
        .unwrap();
    assert!(valid, "the repeated call with the new token succeeds");
    assert_eq!(
        tokens.refreshes.load(Ordering::SeqCst),
        1,
        "token_expired leads to exactly one refresh"
    );
    assert_eq!(server.requests(), 2, "the call is repeated once");
}

#[tokio::test]
async fn token_rejected_after_refresh_is_unauthorized_without_a_loop() {
    let server = HostileServer::start(|_| token_expired()).await;
    let tokens = Arc::new(Rotating::default());
    let c = client_with(&server, tokens.clone());
    let err = within(
        Duration::from_secs(10),
        "a token that stays expired",
        c.ping(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err}");
    assert_eq!(
        tokens.refreshes.load(Ordering::SeqCst),
        1,
        "one refresh only, never a loop"
    );
    assert_eq!(server.requests(), 2, "the first call and its one repeat");
}

#[tokio::test]
async fn an_endless_token_answer_is_refused_at_the_json_limit() {
    use sdesk_core::auth::{refresh, OAuthConfig, RedirectUri};
    use sdesk_core::clock::SystemClock;
    let server = HostileServer::start(|_| Reply::EndlessChunked).await;
    let api = parse_api_url(&server.uri()).unwrap();
    let config =
        OAuthConfig::for_api(&api, &api, "client", None, RedirectUri::loopback(51_823)).unwrap();
    let http = build_http(&HttpConfig::default()).unwrap();
    let err = within(
        Duration::from_secs(30),
        "an endless answer of the token endpoint",
        refresh(&http, &config, &Secret::new("refresh-token"), &SystemClock),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::ResponseTooLarge,
        "a token answer larger than the JSON limit must be refused, not read to the end: {err}"
    );
}
