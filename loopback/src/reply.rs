//! What the server sends back: a reply described by a builder, and its bytes on the wire.

use std::fmt::Write as _;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncWrite, AsyncWriteExt};

/// Size of the pieces a chunked body is cut into: small, so that a client meets several chunks
/// even in a short body.
const CHUNK: usize = 100;

/// The largest plain body copied behind the head so both leave in one write.
const COPY_AT_MOST: usize = 64 << 10;

/// About how many bytes an endless body sends per write.
const ENDLESS_WRITE: usize = 16 << 10;

/// One answer to one request.
///
/// By default an HTTP/1.1 reply framed by `Content-Length` (added unless a header sets one),
/// sent as soon as the handler returns, on a connection kept alive afterwards. The methods
/// change the framing, the timing or the ending; [`Reply::raw`] and [`Reply::silent`] leave
/// HTTP aside.
#[derive(Clone, Debug)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Arc<[u8]>,
    chunked: bool,
    delay: Duration,
    ending: Ending,
    mode: Mode,
}

#[derive(Clone, Debug)]
enum Ending {
    /// The whole body, then the connection stays open for the next request.
    Whole,
    /// The head and the first so many bytes of the body as framed on the wire, then a close.
    CutAfter(usize),
    /// The body, then this piece again and again until the client goes away.
    Endless(Arc<[u8]>),
}

#[derive(Clone, Debug)]
enum Mode {
    Http,
    /// Read the request, never answer; the connection stays open until the client closes it.
    Silent,
    /// These bytes exactly, then a close.
    Raw,
}

/// What the connection does once a reply is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum After {
    KeepAlive,
    Close,
}

impl Reply {
    /// A reply with this status and body, and no headers but its `Content-Length`.
    pub fn status(status: u16, body: impl AsRef<[u8]>) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Arc::from(body.as_ref()),
            chunked: false,
            delay: Duration::ZERO,
            ending: Ending::Whole,
            mode: Mode::Http,
        }
    }

    /// `200` with `Content-Type: application/json`.
    pub fn json(body: impl AsRef<[u8]>) -> Self {
        Self::status(200, body).header("Content-Type", "application/json")
    }

    /// A redirect (`301`, `302`, `303`, `307`, `308`...) to `location`, with an empty body.
    pub fn redirect(status: u16, location: impl Into<String>) -> Self {
        Self::status(status, "").header("Location", location)
    }

    /// Reads the request and never answers. The request is recorded and counts as in flight
    /// until the client gives up and closes the connection (or the server stops).
    pub fn silent() -> Self {
        Reply { mode: Mode::Silent, ..Self::status(200, "") }
    }

    /// Sends exactly these bytes, with nothing added, then closes the connection: for replies
    /// no HTTP library would write (a bad status line, a 100 KB header line, a wrong length).
    pub fn raw(bytes: impl AsRef<[u8]>) -> Self {
        Reply { mode: Mode::Raw, ..Self::status(200, bytes) }
    }

    /// Adds a header, in order after those added before. Setting `Content-Length` or
    /// `Transfer-Encoding` yourself replaces the framing the server would add.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends the body with `Transfer-Encoding: chunked`, in chunks of 100 bytes, and no
    /// `Content-Length`.
    pub fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }

    /// Waits this long after the request before answering; the request counts as in flight
    /// meanwhile.
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Sends the head (announcing the whole body) and only the first `bytes` bytes of the body
    /// as framed on the wire (chunk lines included when chunked), then closes the connection.
    pub fn cut_after(mut self, bytes: usize) -> Self {
        self.ending = Ending::CutAfter(bytes);
        self
    }

    /// After the body, sends `piece` again and again (each as one chunk when chunked) until the
    /// client goes away. Unless chunked or given a `Content-Length` header, the head announces
    /// no length, so the body would end only at a close.
    ///
    /// # Panics
    ///
    /// If `piece` is empty: an endless body must make progress.
    pub fn endless(mut self, piece: impl AsRef<[u8]>) -> Self {
        assert!(!piece.as_ref().is_empty(), "an endless body needs a non-empty piece to repeat");
        self.ending = Ending::Endless(Arc::from(piece.as_ref()));
        self
    }

    pub(crate) fn delay(&self) -> Duration {
        self.delay
    }

    pub(crate) fn is_silent(&self) -> bool {
        matches!(self.mode, Mode::Silent)
    }

    /// Writes the reply; tells whether the connection may carry another request.
    pub(crate) async fn write(&self, stream: &mut (impl AsyncWrite + Unpin)) -> io::Result<After> {
        if let Mode::Raw = self.mode {
            stream.write_all(&self.body).await?;
            return Ok(After::Close);
        }
        let mut wire = self.head();
        match &self.ending {
            // A large plain body goes out from where it is, not copied after the head: tests
            // that count a client's memory share this process's heap with the server.
            Ending::Whole if !self.chunked && self.body.len() > COPY_AT_MOST => {
                stream.write_all(&wire).await?;
                stream.write_all(&self.body).await?;
                Ok(self.after_whole())
            }
            Ending::Whole => {
                self.frame(&self.body, &mut wire);
                if self.chunked {
                    wire.extend_from_slice(b"0\r\n\r\n");
                }
                stream.write_all(&wire).await?;
                Ok(self.after_whole())
            }
            Ending::CutAfter(bytes) => {
                let head = wire.len();
                self.frame(&self.body, &mut wire);
                if self.chunked {
                    wire.extend_from_slice(b"0\r\n\r\n");
                }
                wire.truncate(head + bytes);
                stream.write_all(&wire).await?;
                Ok(After::Close)
            }
            Ending::Endless(piece) => {
                self.frame(&self.body, &mut wire);
                stream.write_all(&wire).await?;
                let mut block = Vec::with_capacity(ENDLESS_WRITE + piece.len() + 16);
                while block.len() < ENDLESS_WRITE {
                    self.frame(piece, &mut block);
                }
                // Ends when a write fails: the client has gone.
                loop {
                    if stream.write_all(&block).await.is_err() {
                        return Ok(After::Close);
                    }
                }
            }
        }
    }

    /// Whether the connection stays open after a whole reply: unless it says `Connection: close`.
    fn after_whole(&self) -> After {
        let closes = self
            .header_value("connection")
            .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("close")));
        if closes { After::Close } else { After::KeepAlive }
    }

    /// The status line and headers, with the framing header the reply needs unless one of
    /// the caller's headers already frames it.
    fn head(&self) -> Vec<u8> {
        let mut head = String::with_capacity(128);
        let _ = write!(head, "HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            let _ = write!(head, "{name}: {value}\r\n");
        }
        let framed = self.header_value("content-length").is_some() || self.header_value("transfer-encoding").is_some();
        if !framed {
            if self.chunked {
                head.push_str("Transfer-Encoding: chunked\r\n");
            } else if !matches!(self.ending, Ending::Endless(_)) {
                let _ = write!(head, "Content-Length: {}\r\n", self.body.len());
            }
        }
        head.push_str("\r\n");
        let mut wire = head.into_bytes();
        if self.chunked || self.body.len() <= COPY_AT_MOST || !matches!(self.ending, Ending::Whole) {
            wire.reserve(self.body.len() + self.body.len() / CHUNK * 8 + 8);
        }
        wire
    }

    /// Appends `bytes` as they go on the wire: as they are, or as chunks.
    fn frame(&self, bytes: &[u8], out: &mut Vec<u8>) {
        if !self.chunked {
            out.extend_from_slice(bytes);
            return;
        }
        for piece in bytes.chunks(CHUNK) {
            out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
            out.extend_from_slice(piece);
            out.extend_from_slice(b"\r\n");
        }
    }

    /// The value of the first header called `name`, ignoring case.
    fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The reason phrase of common statuses; clients read the code, so others get a generic one.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Loopback",
    }
}
