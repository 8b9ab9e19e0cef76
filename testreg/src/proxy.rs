//! HTTP proxies in front of a registry, on 127.0.0.1: one that forwards and counts (requests
//! and body bytes per method and kind), fails requests on demand, and, as a token proxy,
//! demands bearer tokens it hands out from its own `/token`. The `Host` header is forwarded as
//! the client sent it, so the registry writes the proxy's address into `Location` headers and
//! clients stay on the proxy, as behind any reverse proxy. Bodies stream through; nothing is
//! held whole.

use std::collections::{BTreeMap, HashSet};
use std::convert::Infallible;
use std::fmt;
use std::future::Future as _;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::thread::JoinHandle;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{AUTHORIZATION, HOST, HeaderName, HeaderValue, WWW_AUTHENTICATE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::sync::oneshot;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type ProxyBody = BoxBody<Bytes, BoxError>;

/// The most requests a proxy remembers by path ([`Proxy::requests_seen`]).
pub const MAX_SEEN: usize = 100_000;

/// What a request is to a registry, from its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `/v2/<name>/manifests/<reference>`
    Manifest,
    /// `/v2/<name>/blobs/<digest>`
    Blob,
    /// `/v2/<name>/blobs/uploads/...`
    Upload,
    /// `/v2/<name>/tags/list`
    Tags,
    /// The token proxy's `/token`
    Token,
    /// Anything else (`/v2/`, catalog)
    Other,
}

impl Kind {
    /// The kind of a request for `path`, and the repository it names (if any).
    pub fn of(path: &str) -> (Kind, Option<&str>) {
        if path == "/token" {
            return (Kind::Token, None);
        }
        let Some(rest) = path.strip_prefix("/v2/") else {
            return (Kind::Other, None);
        };
        for (marker, kind) in
            [("/blobs/uploads", Kind::Upload), ("/manifests/", Kind::Manifest), ("/blobs/", Kind::Blob)]
        {
            if let Some(at) = rest.rfind(marker) {
                return (kind, Some(&rest[..at]));
            }
        }
        match rest.strip_suffix("/tags/list") {
            Some(name) => (Kind::Tags, Some(name)),
            None => (Kind::Other, None),
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Manifest => "manifest",
            Kind::Blob => "blob",
            Kind::Upload => "upload",
            Kind::Tags => "tags",
            Kind::Token => "token",
            Kind::Other => "other",
        })
    }
}

/// The requests of one method and kind, and their body bytes: `bytes_in` from the client
/// (uploads), `bytes_out` to it (downloads), counted as they pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub requests: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

/// What a proxy saw since it started or was [`Proxy::reset`], by method and kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub by: BTreeMap<(String, Kind), Tally>,
}

impl Counts {
    /// The tally of `method` (`"GET"`) on `kind`.
    pub fn get(&self, method: &str, kind: Kind) -> Tally {
        self.by.get(&(method.to_owned(), kind)).copied().unwrap_or_default()
    }

    pub fn requests(&self, method: &str, kind: Kind) -> u64 {
        self.get(method, kind).requests
    }

    pub fn bytes_in(&self, method: &str, kind: Kind) -> u64 {
        self.get(method, kind).bytes_in
    }

    pub fn bytes_out(&self, method: &str, kind: Kind) -> u64 {
        self.get(method, kind).bytes_out
    }

    pub fn total_requests(&self) -> u64 {
        self.by.values().map(|t| t.requests).sum()
    }

    pub fn total_bytes_in(&self) -> u64 {
        self.by.values().map(|t| t.bytes_in).sum()
    }

    pub fn total_bytes_out(&self) -> u64 {
        self.by.values().map(|t| t.bytes_out).sum()
    }
}

impl fmt::Display for Counts {
    /// `GET blob 4 (210.3 MB out), HEAD manifest 2, PUT upload 4 (210.3 MB in)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.by.is_empty() {
            return f.write_str("no requests");
        }
        for (n, ((method, kind), tally)) in self.by.iter().enumerate() {
            if n > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{method} {kind} {}", tally.requests)?;
            match (tally.bytes_in, tally.bytes_out) {
                (0, 0) => {}
                (i, 0) => write!(f, " ({} in)", megabytes(i))?,
                (0, o) => write!(f, " ({} out)", megabytes(o))?,
                (i, o) => write!(f, " ({} in, {} out)", megabytes(i), megabytes(o))?,
            }
        }
        Ok(())
    }
}

fn megabytes(bytes: u64) -> String {
    match bytes {
        b if b >= 100_000 => format!("{:.1} MB", b as f64 / 1e6),
        b => format!("{b} B"),
    }
}

/// How a failing request fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Answered with this status (and a registry-style error body), never forwarded.
    Status(u16),
    /// The connection is closed without an answer, never forwarded.
    Close,
    /// Forwarded; the answer's head and this many bytes of its body are sent, then the
    /// connection is closed.
    CutBody(u64),
    /// Held this long before it is forwarded (a slow or stalled registry; a client's timeout
    /// ends the wait first).
    Delay(std::time::Duration),
}

/// Which requests fail and how: the `nth` (1-based, counted from when the rule was added) and
/// the `times - 1` after it of the requests with this method and kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailRule {
    pub method: String,
    pub kind: Kind,
    pub nth: u64,
    pub times: u64,
    pub failure: Failure,
    /// Only requests whose query holds this text (`mount=`: blob mounts, not uploads).
    pub query: Option<String>,
}

impl FailRule {
    /// The first `method` request on `kind` fails with a 503.
    pub fn new(method: &str, kind: Kind) -> FailRule {
        FailRule { method: method.to_owned(), kind, nth: 1, times: 1, failure: Failure::Status(503), query: None }
    }

    pub fn nth(self, nth: u64) -> FailRule {
        FailRule { nth: nth.max(1), ..self }
    }

    pub fn times(self, times: u64) -> FailRule {
        FailRule { times, ..self }
    }

    pub fn with(self, failure: Failure) -> FailRule {
        FailRule { failure, ..self }
    }

    /// Only requests whose query holds `text` count toward the rule and fail.
    pub fn query_contains(self, text: &str) -> FailRule {
        FailRule { query: Some(text.to_owned()), ..self }
    }
}

struct ActiveRule {
    rule: FailRule,
    seen: u64,
}

/// Every `every`-th request answered 429 with `Retry-After`, and those until then (see
/// [`Proxy::rate_limit`]).
struct RateRule {
    every: u64,
    retry_after: String,
    seen: u64,
    answered: u64,
    /// Until when every request is answered 429: the `Retry-After` of the last one picked.
    closed_until: Option<std::time::Instant>,
}

struct TokenAuth {
    /// `Basic <base64(user:password)>`, what `/token` accepts.
    basic: String,
    issued: Mutex<HashSet<String>>,
    next: AtomicU64,
}

struct State {
    upstream: String,
    host: String,
    auth: Option<TokenAuth>,
    counts: Mutex<BTreeMap<(String, Kind), Tally>>,
    /// Each request's method and path with its query, as received (the first
    /// [`MAX_SEEN`]), so a test can say where a client went.
    seen: Mutex<Vec<(String, String)>>,
    rules: Mutex<Vec<ActiveRule>>,
    rate: Mutex<Option<RateRule>>,
    client: Client<HttpConnector, ProxyBody>,
}

/// A proxy on 127.0.0.1 in front of `upstream`; stopped (its thread joined, its connections
/// closed) when dropped.
pub struct Proxy {
    state: Arc<State>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Proxy {
    /// Forwards everything to `upstream` (`host:port`) and counts it.
    pub fn counting(upstream: &str) -> Proxy {
        Proxy::start(upstream, None)
    }

    /// Forwards only requests with `Authorization: Bearer <a token it issued>`; answers the
    /// others 401 with a `WWW-Authenticate: Bearer realm="http://HOST/token",...` challenge.
    /// `GET /token` with basic `user:password` issues a token; with anything else, 401. The
    /// upstream is reached without the client's `Authorization`.
    pub fn token(upstream: &str, user: &str, password: &str) -> Proxy {
        let auth = TokenAuth {
            basic: format!("Basic {}", base64(format!("{user}:{password}").as_bytes())),
            issued: Mutex::new(HashSet::new()),
            next: AtomicU64::new(1),
        };
        Proxy::start(upstream, Some(auth))
    }

    fn start(upstream: &str, auth: Option<TokenAuth>) -> Proxy {
        let listener =
            std::net::TcpListener::bind(("127.0.0.1", 0)).expect("uhub-testreg: cannot bind a proxy on 127.0.0.1");
        listener.set_nonblocking(true).expect("uhub-testreg: cannot make the proxy's listener non-blocking");
        let host = format!("127.0.0.1:{}", listener.local_addr().expect("a bound listener has an address").port());
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let state = Arc::new(State {
            upstream: upstream.to_owned(),
            host,
            auth,
            counts: Mutex::new(BTreeMap::new()),
            seen: Mutex::new(Vec::new()),
            rules: Mutex::new(Vec::new()),
            rate: Mutex::new(None),
            client: Client::builder(TokioExecutor::new()).build(connector),
        });
        let (stop, stopped) = oneshot::channel();
        let thread = {
            let state = state.clone();
            std::thread::Builder::new()
                .name(format!("uhub-testreg-proxy-{}", state.host))
                .spawn(move || {
                    let runtime = tokio::runtime::Builder::new_multi_thread()
                        .worker_threads(2)
                        .enable_all()
                        .build()
                        .expect("uhub-testreg: cannot build the proxy's runtime");
                    runtime.block_on(serve(listener, state, stopped));
                })
                .expect("uhub-testreg: cannot start the proxy's thread")
        };
        Proxy { state, stop: Some(stop), thread: Some(thread) }
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        self.state.host.clone()
    }

    /// What it saw so far.
    pub fn counts(&self) -> Counts {
        Counts { by: lock(&self.state.counts).clone() }
    }

    /// The method and the path (with its query, as sent on the request line) of each request
    /// seen so far, in order; at most the first [`MAX_SEEN`].
    pub fn requests_seen(&self) -> Vec<(String, String)> {
        lock(&self.state.seen).clone()
    }

    /// Forgets the counts and the requests seen (fail rules stay; see
    /// [`Proxy::clear_failures`]).
    pub fn reset(&self) {
        lock(&self.state.seen).clear();
        lock(&self.state.counts).clear();
    }

    /// Adds a rule; requests count toward it from now on.
    pub fn fail(&self, rule: FailRule) {
        lock(&self.state.rules).push(ActiveRule { rule, seen: 0 });
    }

    /// Drops every fail rule.
    pub fn clear_failures(&self) {
        lock(&self.state.rules).clear();
    }

    /// A registry's rate limit: from now on every `every`-th request, whatever its method and
    /// kind, is answered 429 `TOOMANYREQUESTS` with `Retry-After: <retry_after>` (seconds or an
    /// HTTP date, as given), never forwarded, and so is every request after it until those
    /// seconds have passed (as a registry whose quota is spent does; a date closes nothing);
    /// each is counted like any other request. Replaces an earlier rate limit; `every` 0 ends
    /// it.
    pub fn rate_limit(&self, every: u64, retry_after: &str) {
        *lock(&self.state.rate) = (every > 0).then(|| RateRule {
            every,
            retry_after: retry_after.to_owned(),
            seen: 0,
            answered: 0,
            closed_until: None,
        });
    }

    /// How many requests the rate limit answered 429 so far.
    pub fn rate_limited(&self) -> u64 {
        lock(&self.state.rate).as_ref().map_or(0, |rule| rule.answered)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test thread must not take the proxy's counts down with it.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn serve(listener: std::net::TcpListener, state: Arc<State>, mut stop: oneshot::Receiver<()>) {
    let listener =
        tokio::net::TcpListener::from_std(listener).expect("uhub-testreg: cannot register the proxy's listener");
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let state = state.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| handle(state.clone(), req));
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    // Dropping the set aborts every open connection.
}

/// One request: counted, maybe failed on purpose, checked for a token, forwarded.
async fn handle(state: Arc<State>, req: Request<Incoming>) -> Result<Response<ProxyBody>, BoxError> {
    let method = req.method().as_str().to_owned();
    let (kind, repo) = Kind::of(req.uri().path());
    let repo = repo.map(str::to_owned);
    let key = (method.clone(), kind);
    lock(&state.counts).entry(key.clone()).or_default().requests += 1;
    {
        let mut seen = lock(&state.seen);
        if seen.len() < MAX_SEEN {
            seen.push((method.clone(), req.uri().path_and_query().map_or("/", |p| p.as_str()).to_owned()));
        }
    }
    if let Some(retry_after) = rate_limited(&state) {
        let mut response =
            error_reply(StatusCode::TOO_MANY_REQUESTS, "TOOMANYREQUESTS", "uhub-testreg: rate limited on purpose");
        if let Ok(value) = HeaderValue::from_str(&retry_after) {
            response.headers_mut().insert(hyper::header::RETRY_AFTER, value);
        }
        return Ok(response);
    }
    let mut cut = None;
    match failure_for(&state, &method, kind, req.uri().query().unwrap_or("")) {
        Some(Failure::Close) => return Err("uhub-testreg: connection closed on purpose".into()),
        Some(Failure::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            return Ok(error_reply(status, "UNAVAILABLE", "uhub-testreg: failed on purpose"));
        }
        Some(Failure::CutBody(after)) => cut = Some(after),
        Some(Failure::Delay(pause)) => tokio::time::sleep(pause).await,
        None => {}
    }
    if let Some(auth) = &state.auth {
        if kind == Kind::Token {
            return Ok(issue_token(auth, &req));
        }
        if !bearer_is_valid(auth, &req) {
            return Ok(challenge(&state.host, repo.as_deref()));
        }
    }
    let mut upstream = Request::builder().method(req.method().clone()).uri(format!(
        "http://{}{}",
        state.upstream,
        req.uri().path_and_query().map_or("/", |p| p.as_str())
    ));
    for (name, value) in req.headers() {
        let dropped = is_hop_by_hop(name) || (state.auth.is_some() && name == AUTHORIZATION);
        if !dropped {
            upstream = upstream.header(name, value);
        }
    }
    let body = Metered {
        inner: req.into_body().map_err(BoxError::from).boxed(),
        state: state.clone(),
        key: key.clone(),
        out: false,
        cut: None,
        pause: None,
    };
    let upstream = upstream.body(body.boxed()).map_err(BoxError::from)?;
    let response = match state.client.request(upstream).await {
        Ok(response) => response,
        Err(e) => {
            return Ok(error_reply(
                StatusCode::BAD_GATEWAY,
                "UNAVAILABLE",
                &format!("uhub-testreg: the upstream failed: {e}"),
            ));
        }
    };
    let (mut parts, body) = response.into_parts();
    for name in ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade"] {
        parts.headers.remove(name);
    }
    let body = Metered { inner: body.map_err(BoxError::from).boxed(), state, key, out: true, cut, pause: None };
    Ok(Response::from_parts(parts, body.boxed()))
}

/// The `Retry-After` to answer this request with, when the rate limit picks it.
fn rate_limited(state: &State) -> Option<String> {
    let mut rate = lock(&state.rate);
    let rule = rate.as_mut()?;
    let now = std::time::Instant::now();
    if rule.closed_until.is_some_and(|until| now < until) {
        rule.answered += 1;
        return Some(rule.retry_after.clone());
    }
    rule.seen += 1;
    if rule.seen % rule.every != 0 {
        return None;
    }
    rule.answered += 1;
    rule.closed_until = rule.retry_after.trim().parse().ok().map(|s| now + std::time::Duration::from_secs(s));
    Some(rule.retry_after.clone())
}

/// The failure the rules decide for this request, counting it toward every rule it matches.
fn failure_for(state: &State, method: &str, kind: Kind, query: &str) -> Option<Failure> {
    let mut decided = None;
    for active in lock(&state.rules).iter_mut() {
        let in_query = active.rule.query.as_deref().is_none_or(|text| query.contains(text));
        if active.rule.method.eq_ignore_ascii_case(method) && active.rule.kind == kind && in_query {
            active.seen += 1;
            let rule = &active.rule;
            if decided.is_none() && active.seen >= rule.nth && active.seen < rule.nth + rule.times {
                decided = Some(rule.failure);
            }
        }
    }
    decided
}

fn issue_token(auth: &TokenAuth, req: &Request<Incoming>) -> Response<ProxyBody> {
    let given = req.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    if given != Some(auth.basic.as_str()) {
        return error_reply(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "uhub-testreg: wrong user or password for a token",
        );
    }
    let n = auth.next.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    let token = format!("testreg-{n}-{:016x}", crate::layer::SplitMix::new(nanos ^ n).next_u64());
    lock(&auth.issued).insert(token.clone());
    let body = serde_json::json!({ "token": token, "access_token": token, "expires_in": 300 }).to_string();
    reply(StatusCode::OK, "application/json", body)
}

fn bearer_is_valid(auth: &TokenAuth, req: &Request<Incoming>) -> bool {
    let token = req.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    token.is_some_and(|t| lock(&auth.issued).contains(t))
}

fn challenge(host: &str, repo: Option<&str>) -> Response<ProxyBody> {
    let mut value = format!("Bearer realm=\"http://{host}/token\",service=\"testreg\"");
    if let Some(repo) = repo {
        value.push_str(&format!(",scope=\"repository:{repo}:pull,push\""));
    }
    let mut response = error_reply(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "authentication required");
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(WWW_AUTHENTICATE, value);
    }
    response
}

fn error_reply(status: StatusCode, code: &str, message: &str) -> Response<ProxyBody> {
    let body = serde_json::json!({ "errors": [{ "code": code, "message": message }] }).to_string();
    reply(status, "application/json", body)
}

fn reply(status: StatusCode, content_type: &'static str, body: String) -> Response<ProxyBody> {
    let mut response = Response::new(Full::new(Bytes::from(body)).map_err(|never: Infallible| match never {}).boxed());
    *response.status_mut() = status;
    response.headers_mut().insert(hyper::header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn is_hop_by_hop(name: &HeaderName) -> bool {
    // `Host` is kept (see the module docs); these belong to one connection.
    const HOP: [&str; 7] =
        ["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"];
    name != HOST && HOP.contains(&name.as_str())
}

/// A body that counts its data toward a tally as it passes, and, with `cut`, ends in an
/// error (the connection closed) after that many bytes.
struct Metered {
    inner: ProxyBody,
    state: Arc<State>,
    key: (String, Kind),
    out: bool,
    cut: Option<u64>,
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Body for Metered {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if self.cut == Some(0) {
            // Pending first, so hyper flushes the head and the bytes before it, then the error
            // that closes the connection.
            let pause =
                self.pause.get_or_insert_with(|| Box::pin(tokio::time::sleep(std::time::Duration::from_millis(50))));
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            return Poll::Ready(Some(Err("uhub-testreg: body cut on purpose".into())));
        }
        let frame = match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => frame,
            other => return other,
        };
        let frame = match (frame.into_data(), self.cut) {
            (Ok(mut data), cut) => {
                if let Some(left) = cut {
                    data.truncate(left.min(data.len() as u64) as usize);
                    self.cut = Some(left - data.len() as u64);
                }
                let mut counts = lock(&self.state.counts);
                let tally = counts.entry(self.key.clone()).or_default();
                if self.out {
                    tally.bytes_out += data.len() as u64;
                } else {
                    tally.bytes_in += data.len() as u64;
                }
                Frame::data(data)
            }
            (Err(frame), _) => frame,
        };
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.cut != Some(0) && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Standard base64 with padding (`user:password` for the token check, a DSSE envelope's
/// payload in `image.rs`).
pub(crate) fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_paths() {
        assert_eq!(Kind::of("/v2/"), (Kind::Other, None));
        assert_eq!(Kind::of("/v2/a/b/manifests/v1"), (Kind::Manifest, Some("a/b")));
        assert_eq!(Kind::of("/v2/a/blobs/sha256:00"), (Kind::Blob, Some("a")));
        assert_eq!(Kind::of("/v2/a/blobs/uploads/"), (Kind::Upload, Some("a")));
        assert_eq!(Kind::of("/v2/a/blobs/uploads/123-4"), (Kind::Upload, Some("a")));
        assert_eq!(Kind::of("/v2/a/tags/list"), (Kind::Tags, Some("a")));
        assert_eq!(Kind::of("/token"), (Kind::Token, None));
    }

    #[test]
    fn base64_as_basic_auth_writes_it() {
        assert_eq!(base64(b"Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
    }
}
