//! A request as the server read it off the wire, and the reading itself.

use std::borrow::Cow;
use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

/// Past this many bytes without the blank line that ends a head, the connection is dropped:
/// a client sending an endless head must not grow a test's memory without bound.
const MAX_HEAD: usize = 1 << 20;

/// How much a single read asks the socket for.
const READ_SIZE: usize = 16 << 10;

/// One request, as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// `POST`, `GET`...
    pub method: String,
    /// The request target as sent: `/` usually, `http://host/` when the client speaks to the
    /// server as to a forward proxy.
    pub path: String,
    /// `HTTP/1.1` usually.
    pub version: String,
    /// Every header in the order sent, names lower-cased, values trimmed.
    pub headers: Vec<(String, String)>,
    /// The body, read by its `Content-Length` (none without one).
    pub body: Vec<u8>,
    /// Which accepted connection (0-based) carried it.
    pub connection: usize,
    /// Its place (0-based) among every request this server received.
    pub index: usize,
}

impl Received {
    /// The first value of a header, whatever the case of `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as text (invalid UTF-8 replaced), for messages and assertions.
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The request line as the client sent it, e.g. `POST / HTTP/1.1`.
    pub fn request_line(&self) -> String {
        format!("{} {} {}", self.method, self.path, self.version)
    }

    /// Whether the client asked for the connection to end after this exchange.
    pub(crate) fn wants_close(&self) -> bool {
        self.header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"))
    }
}

/// Reads the next request from `stream`, using and refilling `buf` (which keeps whatever the
/// client sent beyond it). `None` when the client closed the connection first; `index` is left
/// at 0 for the server to set.
pub(crate) async fn read(
    stream: &mut (impl AsyncRead + Unpin),
    buf: &mut Vec<u8>,
    connection: usize,
) -> io::Result<Option<Received>> {
    let mut scanned: usize = 0;
    let head_end = loop {
        // Blank lines before a request line are allowed (RFC 9112, 2.2).
        let leading = buf.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        buf.drain(..leading);
        scanned = scanned.saturating_sub(leading);
        if let Some(i) = buf[scanned..].windows(4).position(|w| w == b"\r\n\r\n") {
            break scanned + i;
        }
        if buf.len() > MAX_HEAD {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "request head over 1 MiB"));
        }
        scanned = buf.len().saturating_sub(3);
        if !fill(stream, buf).await? {
            return Ok(None);
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]);
    let mut lines = head.split("\r\n");
    let mut start = lines.next().unwrap_or_default().split(' ');
    let mut word = || start.next().unwrap_or_default().to_owned();
    let (method, path, version) = (word(), word(), word());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);

    let body_start = head_end + 4;
    while buf.len() < body_start + length {
        if !fill(stream, buf).await? {
            return Ok(None);
        }
    }
    let body = buf[body_start..body_start + length].to_vec();
    buf.drain(..body_start + length);
    Ok(Some(Received { method, path, version, headers, body, connection, index: 0 }))
}

/// Appends what the socket has; false at end of stream.
async fn fill(stream: &mut (impl AsyncRead + Unpin), buf: &mut Vec<u8>) -> io::Result<bool> {
    buf.reserve(READ_SIZE);
    Ok(stream.read_buf(buf).await? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read_all(wire: &[u8]) -> Vec<Received> {
        let mut stream = wire;
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(r) = read(&mut stream, &mut buf, 7).await.unwrap() {
            out.push(r);
        }
        out
    }

    #[tokio::test]
    async fn reads_pipelined_requests_with_their_bodies() {
        let wire = b"POST /a HTTP/1.1\r\nContent-Length: 3\r\nX-Thing:  Two Words \r\n\r\nabc\
                     \r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n";
        let got = read_all(wire).await;
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].method.as_str(), got[0].path.as_str(), got[0].body.as_slice()), ("POST", "/a", &b"abc"[..]));
        assert_eq!(got[0].headers, [("content-length".into(), "3".into()), ("x-thing".into(), "Two Words".into())]);
        assert_eq!(got[0].header("X-THING"), Some("Two Words"));
        assert_eq!(got[1].request_line(), "GET /b HTTP/1.1");
        assert!(got[1].body.is_empty());
        assert_eq!(got[1].connection, 7);
    }

    #[tokio::test]
    async fn a_request_cut_short_is_not_a_request() {
        assert!(read_all(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc").await.is_empty());
        assert!(read_all(b"POST / HTTP/1.1\r\nContent-Le").await.is_empty());
    }
}
