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
}

/// Where the next request lies at the start of the buffer, found without parsing it in full:
/// the server parses a request only when someone looks at it (the log or a handler function).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Frame {
    /// Length of the head, blank line included.
    head: usize,
    /// Length of the body, from `Content-Length`.
    body: usize,
    /// Whether the client asked for the connection to end after this exchange.
    pub(crate) closes: bool,
}

impl Frame {
    /// Length of the whole request.
    pub(crate) fn len(&self) -> usize {
        self.head + self.body
    }

    /// Parses the request that `bytes` (at least [`Frame::len`] long) starts with. Its
    /// `connection` and `index` are the server's to give.
    pub(crate) fn parse(&self, bytes: &[u8], connection: usize, index: usize) -> Received {
        let head = &bytes[..self.head];
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        let request_line = head.split(|b| *b == b'\n').next().unwrap_or_default().trim_ascii();
        let mut words = request_line.split(|b| *b == b' ').map(text);
        let mut word = || words.next().unwrap_or_default();
        let (method, path, version) = (word(), word(), word());
        let headers = header_lines(head).map(|(k, v)| (text(k).to_ascii_lowercase(), text(v))).collect();
        let body = bytes[self.head..self.len()].to_vec();
        Received { method, path, version, headers, body, connection, index }
    }
}

/// Reads until `buf` starts with a whole request (whatever the client sent beyond it stays
/// after it) and says where it lies; `None` when the client closed the connection first.
pub(crate) async fn next(stream: &mut (impl AsyncRead + Unpin), buf: &mut Vec<u8>) -> io::Result<Option<Frame>> {
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
    let mut frame = Frame { head: head_end + 4, body: 0, closes: false };
    for (name, value) in header_lines(&buf[..frame.head]) {
        if name.eq_ignore_ascii_case(b"content-length") {
            frame.body = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok()).unwrap_or(0);
        } else if name.eq_ignore_ascii_case(b"connection") {
            frame.closes = value.split(|b| *b == b',').any(|t| t.trim_ascii().eq_ignore_ascii_case(b"close"));
        }
    }
    while buf.len() < frame.len() {
        if !fill(stream, buf).await? {
            return Ok(None);
        }
    }
    Ok(Some(frame))
}

/// The header lines of a head as trimmed (name, value) pairs. The request line is skipped (an
/// absolute-form target has a colon too), and so are lines without a colon.
fn header_lines(head: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    head.split(|b| *b == b'\n').skip(1).filter_map(|line| {
        let colon = line.iter().position(|b| *b == b':')?;
        Some((line[..colon].trim_ascii(), line[colon + 1..].trim_ascii()))
    })
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
        while let Some(frame) = next(&mut stream, &mut buf).await.unwrap() {
            out.push(frame.parse(&buf, 7, out.len()));
            buf.drain(..frame.len());
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
        assert_eq!((got[1].connection, got[1].index), (7, 1));
    }

    #[tokio::test]
    async fn a_request_cut_short_is_not_a_request() {
        assert!(read_all(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc").await.is_empty());
        assert!(read_all(b"POST / HTTP/1.1\r\nContent-Le").await.is_empty());
    }
}
