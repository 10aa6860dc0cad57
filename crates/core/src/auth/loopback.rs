//! The loopback redirect receiver (RFC 8252 §7.3): a one-purpose HTTP listener on
//! `127.0.0.1:PORT` that hands the callback URL to the same handler as a deep link.

use super::config::CALLBACK_PATH;
use crate::error::{Error, Result};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Largest request head read from the browser.
const MAX_HEAD: usize = 8 * 1024;
/// How long one connection may take to send its request line.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

const DONE_PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Supporter Desk</title></head>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>Supporter Desk</h1>\
<p>The sign-in response was handed to Supporter Desk. You can close this tab and return to the app.</p></body></html>";

/// Listens on `127.0.0.1` only (never all interfaces) for the browser's redirect.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    port: u16,
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
        Ok(Self { listener, port })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Waits for a request to `/oauth/callback` and returns its full URL
    /// (`http://127.0.0.1:PORT/oauth/callback?…`) for [`crate::auth::SignInFlow::complete`].
    /// Other paths (a browser's `/favicon.ico`) get a 404 and are skipped. The browser gets a
    /// neutral "return to the app" page either way; the URL is validated by the caller. Cancel
    /// by dropping the future (for example with a timeout or a cancel button).
    ///
    /// # Errors
    /// [`Error::Network`] when accepting connections fails.
    pub async fn next_callback(&self) -> Result<String> {
        loop {
            let (stream, _) = self.listener.accept().await.map_err(|e| Error::Network {
                message: format!("the sign-in listener failed: {e}"),
            })?;
            match tokio::time::timeout(READ_TIMEOUT, self.serve(stream)).await {
                Ok(Ok(Some(url))) => return Ok(url),
                Ok(Ok(None)) => {}
                Ok(Err(e)) => tracing::debug!(error = %e, "ignored a broken loopback request"),
                Err(_) => tracing::debug!("ignored a loopback connection that sent nothing"),
            }
        }
    }

    /// Reads one request; answers it; returns the callback URL when it was one.
    async fn serve(&self, mut stream: TcpStream) -> std::io::Result<Option<String>> {
        let mut head = Vec::with_capacity(1024);
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && !head.windows(2).any(|w| w == b"\n\n") {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
            if head.len() > MAX_HEAD {
                respond(&mut stream, "431 Request Header Fields Too Large", "").await?;
                return Ok(None);
            }
        }
        let text = String::from_utf8_lossy(&head);
        let mut parts = text.lines().next().unwrap_or("").split(' ');
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let path = target.split(['?', '#']).next().unwrap_or("");
        if method != "GET" || path != CALLBACK_PATH {
            respond(&mut stream, "404 Not Found", "").await?;
            return Ok(None);
        }
        respond(&mut stream, "200 OK", DONE_PAGE).await?;
        Ok(Some(format!("http://127.0.0.1:{}{target}", self.port)))
    }
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
