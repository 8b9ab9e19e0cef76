//! A raw HTTP/1.1 client for the server's own tests: it writes requests by hand and returns
//! the bytes that came back, so tests can assert on the wire. Every wait is bounded.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::future::Future;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use uhub_loopback::Server;

/// The longest any step of a test may take.
pub const LIMIT: Duration = Duration::from_secs(10);

pub async fn bounded<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(LIMIT, f).await.expect("the step took too long")
}

/// `POST /` with `body`; `close` adds `Connection: close`.
pub fn post(body: &str, close: bool) -> Vec<u8> {
    let connection = if close { "Connection: close\r\n" } else { "" };
    format!("POST / HTTP/1.1\r\nHost: loopback\r\n{connection}Content-Length: {}\r\n\r\n{body}", body.len())
        .into_bytes()
}

/// One response as read: its head (up to the blank line, excluded) and its body.
#[derive(Debug)]
pub struct Response {
    pub head: String,
    pub body: Vec<u8>,
}

impl Response {
    pub fn status(&self) -> u16 {
        self.head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status line")
    }
}

pub struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    pub async fn connect(server: &Server) -> Client {
        let stream = bounded(TcpStream::connect(server.addr())).await.expect("connect to the server");
        Client { stream, buf: Vec::new() }
    }

    pub async fn write(&mut self, bytes: &[u8]) {
        bounded(self.stream.write_all(bytes)).await.expect("write the request");
    }

    /// Sends `POST /` and reads a response framed by its `Content-Length`.
    pub async fn call(&mut self, body: &str) -> Response {
        self.write(&post(body, false)).await;
        self.response().await
    }

    /// Reads one response framed by its `Content-Length`.
    pub async fn response(&mut self) -> Response {
        bounded(self.read_response()).await
    }

    async fn read_response(&mut self) -> Response {
        let end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            assert!(
                self.fill().await,
                "the server closed before a whole head: {:?}",
                String::from_utf8_lossy(&self.buf)
            );
        };
        let head = String::from_utf8(self.buf[..end].to_vec()).expect("a UTF-8 head");
        let length: usize = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
            .map_or(0, |v| v.parse().expect("a numeric Content-Length"));
        while self.buf.len() < end + 4 + length {
            assert!(self.fill().await, "the server closed before the whole body");
        }
        let body = self.buf[end + 4..end + 4 + length].to_vec();
        self.buf.drain(..end + 4 + length);
        Response { head, body }
    }

    /// Everything the server sends until it closes the connection.
    pub async fn until_closed(&mut self) -> Vec<u8> {
        bounded(async { while self.fill().await {} }).await;
        std::mem::take(&mut self.buf)
    }

    /// Reads at least `n` bytes (or to the close); returns them.
    pub async fn at_least(&mut self, n: usize) -> Vec<u8> {
        bounded(async { while self.buf.len() < n && self.fill().await {} }).await;
        std::mem::take(&mut self.buf)
    }

    /// Whether anything arrives within `wait`.
    pub async fn hears_within(&mut self, wait: Duration) -> bool {
        let mut byte = [0u8; 1];
        tokio::time::timeout(wait, self.stream.read(&mut byte)).await.is_ok()
    }

    /// Appends what the server sent; false at the close (a reset counts as a close).
    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 16 << 10];
        match self.stream.read(&mut chunk).await {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }
}
