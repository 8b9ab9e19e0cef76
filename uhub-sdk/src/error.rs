//! The one error type of the SDK.
//!
//! [`Error`] is small (one box) and its `Display` is a single line that says which action
//! failed, how, and with which request id, so it reads well in logs without walking sources.
//! Text from the server (a `Message`, a quoted body, a request id) is shown with its control
//! characters and Unicode bidirectional controls escaped (`\n`, `\u{1b}`, `\u{202e}`), so a
//! server cannot break a log line in two, move a terminal's cursor or reorder what a reader
//! sees; `Debug` keeps the text exact. Secrets a server echoes are masked in every view (and in
//! [`Error::kind`]), whatever their spelling: by name when the error is made (`Signature=`,
//! `security_token`, `["Signature","…"]`, `signature%3D…`, an HTML cell), and by value before a
//! call returns it (the call's signature, the private key, the security token, the proxy's
//! password, in any case, percent-encoded once or twice, JSON- or HTML-escaped); see
//! [`uhub_mask`].

use std::fmt;

/// How much of a response body errors keep, so a huge HTML page does not flood a log line.
const BODY_START: usize = 200;
/// How much of a body is searched for secrets to mask before its start is kept: enough for any
/// echoed request form, bounded so a huge body costs nothing.
const MASK_WINDOW: usize = 8 * 1024;
/// Names whose values are masked wherever server text shows them (an echoed form, JSON, HTML);
/// case, `_` and `-` do not matter. `Authorization` for a proxy's echo of its own header.
const SECRET_NAMES: &[&str] = &["Signature", "SecurityToken", "PrivateKey", "Authorization"];
/// Auth schemes whose next word is masked (a proxy echoing `Proxy-Authorization: Basic …`).
const SECRET_SCHEMES: &[&str] = &["Basic", "Bearer"];

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The service answered with a non-zero `RetCode` (with an HTTP error status or 200; see
    /// [`Error::status`]).
    Api { code: i64, message: String },
    /// The service answered with an HTTP error status and no UCloud error body, or with a
    /// redirect, which is never followed (see [`Error::location`]).
    HttpStatus { status: u16, body: String },
    /// The request could not be sent or the response not received.
    Transport { kind: TransportKind, detail: String },
    /// The body was not a response of the expected shape.
    Decode { path: String, message: String, body: String },
    /// The body was larger than the client's limit.
    ResponseTooLarge { limit: usize },
    /// The request was refused before anything was sent.
    InvalidRequest { message: String },
    /// A listing was ended because the server's pages could not be trusted to end it (a page
    /// sent twice, a `TotalCount` that jumps) or because it passed the paginator's item cap.
    /// `offset` is where the page that ended it starts.
    Listing { offset: i64, reason: String },
    /// The client is not configured well enough to make calls.
    Config { message: String },
}

/// The kinds of transport failure, which retries treat differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// No connection could be made: the request provably never left.
    Connect,
    /// An attempt or the whole call ran out of time.
    Timeout,
    /// The connection failed after the request may have been sent (reset, closed mid-body).
    Io,
    /// The reply was not HTTP that could be read (a malformed status line or header, a head
    /// too large): deterministic, so never retried.
    Protocol,
}

/// An error from a UHub call or from building a client.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    action: Option<&'static str>,
    kind: ErrorKind,
    request_id: Option<String>,
    /// The HTTP status of an `Api` error that came with one (>= 400).
    http_status: Option<u16>,
    /// Where a redirect pointed, its query string elided.
    location: Option<String>,
    attempts: u32,
    retry_after: Option<std::time::Duration>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    fn new(action: Option<&'static str>, kind: ErrorKind, request_id: Option<&str>) -> Self {
        Error {
            inner: Box::new(Inner {
                action,
                kind,
                // A request id is the server's text too.
                request_id: request_id.map(mask_secrets),
                http_status: None,
                location: None,
                attempts: 1,
                retry_after: None,
                source: None,
            }),
        }
    }

    pub(crate) fn api(action: &'static str, code: i64, message: &str, request_id: Option<&str>) -> Self {
        // Masked once, here, so no view of the error (Display, Debug, kind) shows the secret.
        Self::new(Some(action), ErrorKind::Api { code, message: mask_secrets(message) }, request_id)
    }

    pub(crate) fn listing(action: &'static str, offset: i64, reason: String) -> Self {
        Self::new(Some(action), ErrorKind::Listing { offset, reason: mask_secrets(&reason) }, None)
    }

    pub(crate) fn http_status(action: &'static str, status: u16, body: &[u8], request_id: Option<&str>) -> Self {
        Self::new(Some(action), ErrorKind::HttpStatus { status, body: body_start(body) }, request_id)
    }

    /// A redirect: refused, since following it would send the signed form elsewhere.
    pub(crate) fn redirect(
        action: &'static str,
        status: u16,
        location: Option<String>,
        body: &[u8],
        request_id: Option<&str>,
    ) -> Self {
        let mut e = Self::http_status(action, status, body, request_id);
        e.inner.location = location.map(|l| mask_secrets(&l));
        e
    }

    /// Records the HTTP error status an `Api` error came with.
    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.inner.http_status = Some(status);
        self
    }

    pub(crate) fn transport(
        action: &'static str,
        kind: TransportKind,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        let detail = mask_secrets(&chain(&source));
        let mut e = Self::new(Some(action), ErrorKind::Transport { kind, detail }, None);
        e.inner.source = Some(Box::new(source));
        e
    }

    pub(crate) fn timeout(action: &'static str, detail: String) -> Self {
        Self::new(Some(action), ErrorKind::Transport { kind: TransportKind::Timeout, detail }, None)
    }

    pub(crate) fn decode(
        action: &'static str,
        path: String,
        message: String,
        body: String,
        request_id: Option<&str>,
    ) -> Self {
        // serde's message may quote a value of the body, and a path may be a key of it.
        let kind =
            ErrorKind::Decode { path: mask_secrets(&path), message: mask_secrets(&message), body: mask_secrets(&body) };
        Self::new(Some(action), kind, request_id)
    }

    pub(crate) fn too_large(action: &'static str, limit: usize, request_id: Option<&str>) -> Self {
        Self::new(Some(action), ErrorKind::ResponseTooLarge { limit }, request_id)
    }

    pub(crate) fn invalid_request(action: &'static str, message: String) -> Self {
        Self::new(Some(action), ErrorKind::InvalidRequest { message }, None)
    }

    /// A configuration problem; the message names the setting, variable or file to fix.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(None, ErrorKind::Config { message: message.into() }, None)
    }

    /// The error with every value `mask` knows masked in each text it holds: what the call
    /// alone knows (its signature, the keys it was signed with), applied on the error path only.
    pub(crate) fn mask_values(mut self, mask: &uhub_mask::Mask) -> Self {
        let inner = &mut *self.inner;
        let fix = |text: &mut String| {
            if let std::borrow::Cow::Owned(masked) = mask.apply(text) {
                *text = masked;
            }
        };
        match &mut inner.kind {
            ErrorKind::Api { message, .. } => fix(message),
            ErrorKind::HttpStatus { body, .. } => fix(body),
            ErrorKind::Transport { detail, .. } => fix(detail),
            ErrorKind::Decode { path, message, body } => {
                fix(path);
                fix(message);
                fix(body);
            }
            ErrorKind::InvalidRequest { message } | ErrorKind::Config { message } => fix(message),
            ErrorKind::Listing { reason, .. } => fix(reason),
            ErrorKind::ResponseTooLarge { .. } => {}
        }
        inner.request_id.as_mut().map(fix);
        inner.location.as_mut().map(fix);
        self
    }

    pub(crate) fn with_retry_after(mut self, wait: Option<std::time::Duration>) -> Self {
        self.inner.retry_after = wait;
        self
    }

    /// How long the service asked us to wait (`Retry-After` on HTTP 429 or 503).
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.inner.retry_after
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// The action that failed (`GetImageTag`), or `None` for configuration errors.
    pub fn action(&self) -> Option<&'static str> {
        self.inner.action
    }

    /// The `RetCode` of an API error.
    pub fn code(&self) -> Option<i64> {
        match self.inner.kind {
            ErrorKind::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The HTTP status of an HTTP error, or of an API error that came with an error status.
    pub fn status(&self) -> Option<u16> {
        match self.inner.kind {
            ErrorKind::HttpStatus { status, .. } => Some(status),
            _ => self.inner.http_status,
        }
    }

    /// Where a redirect pointed (query string elided); the SDK never follows one.
    pub fn location(&self) -> Option<&str> {
        self.inner.location.as_deref()
    }

    /// The service's id for the request (`X-UCLOUD-REQUEST-UUID`), to quote to support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// How many attempts were made before giving up.
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Whether trying again later could succeed: connection failures, timeouts (not a reply
    /// that is not HTTP), HTTP
    /// 429/502/503/504, throttling (`RetCode` 153) and server-side codes (`RetCode` ≥ 2000).
    /// Authentication failures (`RetCode` 170–174; 174 is also what a wrong channel key gets)
    /// and redirects are not.
    ///
    /// This says nothing about whether repeating the call is safe; the retry policy also
    /// requires the action to be idempotent, or the request to have never left.
    pub fn is_retryable(&self) -> bool {
        let status_retryable = |s: u16| matches!(s, 429 | 502 | 503 | 504);
        match &self.inner.kind {
            ErrorKind::Api { code, .. } => {
                *code == 153 || *code >= 2000 || self.inner.http_status.is_some_and(status_retryable)
            }
            ErrorKind::HttpStatus { status, .. } => status_retryable(*status),
            ErrorKind::Transport { kind, .. } => *kind != TransportKind::Protocol,
            _ => false,
        }
    }

    pub(crate) fn is_connect(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Transport { kind: TransportKind::Connect, .. })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Every piece goes through the escaping writer, so no text of the server's (nor a path
        // or a URL) can put a control character into the line.
        self.write_line(&mut OneLine(f))
    }
}

impl Error {
    fn write_line(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        if let Some(action) = self.inner.action {
            write!(f, "{action}: ")?;
        }
        match &self.inner.kind {
            ErrorKind::Api { code, message } => {
                write!(f, "UHub error RetCode {code}: {message}")?;
                if let Some(status) = self.inner.http_status {
                    write!(f, " (HTTP status {status})")?;
                }
            }
            ErrorKind::HttpStatus { status, .. } if (300..400).contains(status) => {
                let to = self.inner.location.as_deref().unwrap_or("nowhere named");
                write!(f, "HTTP status {status}, a redirect to {to}, not followed")?
            }
            ErrorKind::HttpStatus { status, .. } if self.inner.location.is_some() => {
                let from = self.inner.location.as_deref().unwrap_or_default();
                write!(
                    f,
                    "HTTP status {status} from {from}, reached by a redirect the HTTP client followed; \
                     build it with reqwest::redirect::Policy::none()"
                )?
            }
            ErrorKind::HttpStatus { status, body } => write!(f, "HTTP status {status}, body starts {body:?}")?,
            ErrorKind::Transport { kind, detail } => {
                let what = match kind {
                    TransportKind::Connect => "could not connect",
                    TransportKind::Timeout => "timed out",
                    TransportKind::Io => "connection failed",
                    TransportKind::Protocol => "unreadable HTTP reply",
                };
                write!(f, "{what}: {detail}")?
            }
            ErrorKind::Decode { path, message, body } => {
                write!(f, "cannot decode response at `{path}`: {message}; body starts {body:?}")?
            }
            ErrorKind::ResponseTooLarge { limit } => write!(f, "response body exceeds the {limit}-byte limit")?,
            ErrorKind::InvalidRequest { message } => write!(f, "invalid request, not sent: {message}")?,
            ErrorKind::Listing { offset, reason } => write!(f, "listing ended at offset {offset}: {reason}")?,
            ErrorKind::Config { message } => write!(f, "configuration error: {message}")?,
        }
        if let Some(id) = &self.inner.request_id {
            write!(f, " (request id {id})")?;
        }
        if self.inner.attempts > 1 {
            write!(f, " after {} attempts", self.inner.attempts)?;
        }
        Ok(())
    }
}

/// A writer that escapes what would break a line or reorder it: control characters (newline,
/// carriage return, ESC, ...) and the Unicode bidirectional controls, as `\n`, `\u{1b}`,
/// `\u{202e}`. Everything else passes as it is.
struct OneLine<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl fmt::Write for OneLine<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut rest = s;
        while let Some(at) = rest.find(needs_escape) {
            self.0.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            write!(self.0, "{}", c.escape_default())?;
            rest = &rest[at + c.len_utf8()..];
        }
        self.0.write_str(rest)
    }
}

/// Whether `c` may not appear raw in a one-line message.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("action", &self.inner.action)
            .field("kind", &self.inner.kind)
            .field("request_id", &self.inner.request_id)
            .field("status", &self.status())
            .field("location", &self.inner.location)
            .field("attempts", &self.inner.attempts)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The first bytes of a body as text, cut on a character boundary, with the values of secrets
/// an echoing proxy or server might show (`Signature=...`, `"SecurityToken": "..."`) masked.
pub(crate) fn body_start(body: &[u8]) -> String {
    let window = String::from_utf8_lossy(&body[..body.len().min(MASK_WINDOW)]);
    let masked = mask_secrets(&window);
    let mut s: String = masked.chars().take(BODY_START).collect();
    if body.len() > BODY_START && s.len() < masked.len() || body.len() > MASK_WINDOW {
        s.push('…');
    }
    s
}

/// `text` with the value after each secret name or auth scheme masked, in any spelling (see
/// [`uhub_mask::Mask`]).
fn mask_secrets(text: &str) -> String {
    static NAMES: std::sync::OnceLock<uhub_mask::Mask> = std::sync::OnceLock::new();
    let mask = NAMES.get_or_init(|| uhub_mask::Mask::by_names(SECRET_NAMES).with_schemes(SECRET_SCHEMES));
    mask.apply(text).into_owned()
}

/// An error and its sources on one line: "a: b: c".
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(next) = cur {
        let text = next.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        cur = next.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_is_one_line_with_code_and_request_id() {
        let e = Error::api("GetRepo", 171, "signature error", Some("req-1")).with_attempts(3);
        assert_eq!(
            e.to_string(),
            "GetRepo: UHub error RetCode 171: signature error (request id req-1) after 3 attempts"
        );
        assert_eq!(e.code(), Some(171));
        assert_eq!(e.request_id(), Some("req-1"));
        assert!(!e.is_retryable());
    }

    #[test]
    fn retryable_codes_and_statuses() {
        assert!(Error::api("A", 153, "", None).is_retryable());
        assert!(Error::api("A", 2001, "", None).is_retryable());
        assert!(!Error::api("A", 230, "", None).is_retryable());
        for s in [429, 502, 503, 504] {
            assert!(Error::http_status("A", s, b"", None).is_retryable(), "{s}");
        }
        assert!(!Error::http_status("A", 500, b"", None).is_retryable());
    }

    #[test]
    fn quoted_bodies_mask_echoed_secrets() {
        let echoed = b"Action=GetRepo&PublicKey=pk&SecurityToken=sts-secret&Signature=0123abcd&Limit=5";
        assert_eq!(
            body_start(echoed),
            "Action=GetRepo&PublicKey=pk&SecurityToken=<redacted>&Signature=<redacted>&Limit=5"
        );
        let json = br#"{"Signature": "0123abcd", "PrivateKey":"sk-1", "private_key": "sk-2", "Other": 1}"#;
        assert_eq!(
            body_start(json),
            r#"{"Signature": "<redacted>", "PrivateKey":"<redacted>", "private_key": "<redacted>", "Other": 1}"#
        );
        // A name alone, or inside another word without a separator, is left as it is.
        assert_eq!(body_start(b"no Signature here"), "no Signature here");
        let e = Error::http_status("GetRepo", 500, echoed, None);
        assert!(!e.to_string().contains("sts-secret") && !e.to_string().contains("0123abcd"), "{e}");
    }

    #[test]
    fn api_errors_keep_their_http_status() {
        let e = Error::api("GetRepo", 171, "signature error", Some("r-1")).with_status(500);
        assert_eq!((e.code(), e.status()), (Some(171), Some(500)));
        assert_eq!(
            e.to_string(),
            "GetRepo: UHub error RetCode 171: signature error (HTTP status 500) (request id r-1)"
        );
        assert!(!e.is_retryable());
        assert!(Error::api("GetRepo", 230, "", None).with_status(503).is_retryable(), "a 503 may pass");
    }

    #[test]
    fn body_start_is_bounded_and_utf8_safe() {
        let body = "é".repeat(300);
        let s = body_start(body.as_bytes());
        assert!(s.ends_with('…'));
        assert!(s.chars().count() <= BODY_START + 1);
    }

    #[test]
    fn display_escapes_every_control_and_bidi_character_of_server_text() {
        let raw = "a\nb\r\tc\u{1b}[0m\u{7f}\u{85}\u{200e}\u{200f}\u{61c}\u{202a}\u{202e}\u{2066}\u{2069}é✓";
        let e = Error::api("GetRepo", 230, raw, Some("id\u{1b}"));
        assert_eq!(
            e.to_string(),
            "GetRepo: UHub error RetCode 230: a\\nb\\r\\tc\\u{1b}[0m\\u{7f}\\u{85}\\u{200e}\\u{200f}\\u{61c}\\u{202a}\\u{202e}\\u{2066}\\u{2069}é✓ (request id id\\u{1b})"
        );
        assert!(format!("{e:?}").contains("a\\nb"), "Debug quotes the exact text");
        assert_eq!(e.kind(), &ErrorKind::Api { code: 230, message: raw.to_owned() });
    }

    #[test]
    fn api_messages_mask_quoted_secrets() {
        let e = Error::api("GetRepo", 171, "sig SecurityToken=tok-1&Signature=abc PrivateKey: sk", None);
        assert_eq!(
            e.kind(),
            &ErrorKind::Api {
                code: 171,
                message: "sig SecurityToken=<redacted>&Signature=<redacted> PrivateKey: <redacted>".into()
            }
        );
        assert!(!format!("{e} {e:?}").contains("tok-1"));
    }

    #[test]
    fn error_is_one_pointer_wide() {
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }
}
