//! The loopback redirect receiver (RFC 8252 §7.3): a one-purpose HTTP listener on
//! `127.0.0.1:PORT` that hands the callback URL to the same handler as a deep link.

use super::config::CALLBACK_PATH;
use crate::error::{Error, Result};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// Largest request head read from the browser.
const MAX_HEAD: usize = 8 * 1024;
/// How long one connection may take to send its request head. Browsers send it at once; a
/// connection that stays silent (a pre-connect, a port scanner, a hostile local process) is
/// closed after this and must not delay the real callback.
pub const LOOPBACK_HEADER_TIMEOUT: Duration = Duration::from_secs(3);
/// How long answering a request may take (the browser reading our small page).
const WRITE_TIMEOUT: Duration = Duration::from_secs(3);
/// Connections served at the same time; further ones wait in the kernel's backlog until one
/// of these finishes or times out.
pub const LOOPBACK_MAX_CONNECTIONS: usize = 16;

const DONE_PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Supporter Desk</title></head>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>Supporter Desk</h1>\
<p>The sign-in response was handed to Supporter Desk. You can close this tab and return to the app.</p></body></html>";

/// Listens on `127.0.0.1` only (never all interfaces) for the browser's redirect.
///
/// Connections are served concurrently (at most [`LOOPBACK_MAX_CONNECTIONS`], each with
/// [`LOOPBACK_HEADER_TIMEOUT`]), so idle or slow connections cannot hold up the browser's callback.
/// Connections in progress belong to the listener, not to one [`LoopbackListener::next_callback`]
/// call: when a stray request ends one call, the browser's request that arrived alongside it is
/// still answered and returned by the next call.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    port: u16,
    /// Connections being served; each yields the callback URL when it was one.
    serving: tokio::sync::Mutex<JoinSet<Option<String>>>,
}

impl LoopbackListener {
    /// Binds `127.0.0.1:port`. Bind before opening the browser, so that a busy port is reported
    /// before the user signs in. Port 0 picks a free port (tests only: TeamViewer needs the
    /// registered, fixed port).
    ///
    /// # Errors
    /// [`Error::Config`] when the port is taken or cannot be bound.
    pub async fn bind(port: u16) -> Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .await
            .map_err(|e| Error::Config {
                message: format!(
                    "cannot listen on 127.0.0.1:{port} for the sign-in redirect ({e}); \
                     close the program using it or choose another loopback port"
                ),
            })?;
        let port = listener.local_addr().map(|a| a.port()).map_err(Error::Io)?;
        Ok(Self {
            listener,
            port,
            serving: tokio::sync::Mutex::new(JoinSet::new()),
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Waits for a request to `/oauth/callback` and returns its full URL
    /// (`http://127.0.0.1:PORT/oauth/callback?…`) for [`crate::auth::SignInFlow::complete`].
    /// Other paths (a browser's `/favicon.ico`) get a 404 and are skipped. The browser gets a
    /// neutral "return to the app" page either way; the URL is validated by the caller. Cancel
    /// by dropping the future (for example with a timeout or a cancel button); connections in
    /// progress keep being served until the listener is dropped.
    ///
    /// # Errors
    /// [`Error::Network`] when accepting connections fails.
    pub async fn next_callback(&self) -> Result<String> {
        let mut serving = self.serving.lock().await;
        loop {
            let has_room = serving.len() < LOOPBACK_MAX_CONNECTIONS;
            tokio::select! {
                accepted = self.listener.accept(), if has_room => {
                    let (stream, _) = accepted.map_err(|e| Error::Network {
                        message: format!("the sign-in listener failed: {e}"),
                    })?;
                    serving.spawn(serve(stream, self.port));
                }
                Some(done) = serving.join_next() => match done {
                    Ok(Some(url)) => return Ok(url),
                    Ok(None) => {}
                    Err(e) => tracing::debug!(error = %e, "a loopback connection task failed"),
                },
            }
        }
    }
}

/// Serves one connection within the timeouts; the callback URL when it was one.
async fn serve(mut stream: TcpStream, port: u16) -> Option<String> {
    let head = match tokio::time::timeout(LOOPBACK_HEADER_TIMEOUT, read_head(&mut stream)).await {
        Ok(Ok(head)) => head,
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "ignored a broken loopback request");
            return None;
        }
        Err(_) => {
            tracing::debug!("closed a loopback connection that sent no request in time");
            return None;
        }
    };
    let (status, body, url) = match head {
        None => ("431 Request Header Fields Too Large", "", None),
        Some(head) => {
            let text = String::from_utf8_lossy(&head);
            let mut parts = text.lines().next().unwrap_or("").split(' ');
            let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let path = target.split(['?', '#']).next().unwrap_or("");
            if method == "GET" && path == CALLBACK_PATH {
                let url = format!("http://127.0.0.1:{port}{target}");
                ("200 OK", DONE_PAGE, Some(url))
            } else {
                ("404 Not Found", "", None)
            }
        }
    };
    match tokio::time::timeout(WRITE_TIMEOUT, respond(&mut stream, status, body)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::debug!(error = %e, "could not answer a loopback request"),
        Err(_) => tracing::debug!("a loopback client did not read the answer in time"),
    }
    // The callback counts even when the browser went away before reading the page.
    url
}

/// Reads a request head; `None` when it is larger than [`MAX_HEAD`].
async fn read_head(stream: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && !head.windows(2).any(|w| w == b"\n\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
        if head.len() > MAX_HEAD {
            return Ok(None);
        }
    }
    Ok(Some(head))
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    // no-store: the page must not be cached with its URL; no-referrer: nothing on it may send
    // the URL (which holds the code) onwards.
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}
