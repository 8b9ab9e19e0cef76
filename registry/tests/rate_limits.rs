//! Rate limits against scripted registries on 127.0.0.1: a 429 or a spent quota pauses the
//! host for every request about to start (not one request at a time), the registry check
//! included; a `Retry-After` is capped and ends at the registry's deadline; a 503 without one
//! is an ordinary transient failure.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uhub_loopback::{Handler, Received, Reply, Server};
use uhub_registry::{Credentials, Error, MAX_WAIT, Registry, RetryPolicy};

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/// Every test ends well within this, or it hangs.
const BOUND: Duration = Duration::from_secs(30);

fn open_registry(server: &Server) -> Registry {
    let retry = RetryPolicy { attempts: 3, first_pause: Duration::from_millis(10) };
    Registry::with_retry(&server.addr().to_string(), Credentials::Anonymous, retry).unwrap()
}

/// When each request arrived, by its index.
type Arrivals = Arc<Mutex<Vec<Instant>>>;

/// A server answering with `decide`, recording when each request arrived.
async fn timed(decide: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> (Server, Arrivals) {
    let arrivals: Arrivals = Arc::default();
    let seen = arrivals.clone();
    let server = Server::start(Handler::new(move |request| {
        seen.lock().unwrap().push(Instant::now());
        decide(request)
    }))
    .await;
    (server, arrivals)
}

fn manifest_head() -> Reply {
    Reply::status(200, "")
        .header("Docker-Content-Digest", DIGEST)
        .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registry_check_answering_429_once_is_waited_out() {
    let (server, arrivals) = timed(|request| match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/v2/") if request.index == 0 => Reply::status(429, "{}").header("Retry-After", "1"),
        ("GET", "/v2/") => Reply::json("{}"),
        ("POST", _) => Reply::status(201, "").header("Location", format!("/v2/lib/app/blobs/{DIGEST}")),
        _ => Reply::status(404, ""),
    })
    .await;
    let registry = open_registry(&server);
    // A mount is oci-client's: the registry is checked first, with `GET /v2/`.
    let mounted = tokio::time::timeout(BOUND, registry.mount_blob("lib/app", "lib/base", DIGEST)).await.unwrap();
    assert!(mounted.unwrap());
    let lines: Vec<String> = server.requests().iter().map(|r| r.request_line()).collect();
    assert_eq!(lines.iter().filter(|l| l.starts_with("GET /v2/ ")).count(), 2, "{lines:?}");
    let arrivals = arrivals.lock().unwrap();
    assert!(arrivals[1] >= arrivals[0] + Duration::from_secs(1), "asked again before Retry-After: {lines:?}");
    let waits = registry.waits();
    assert_eq!(waits.count, 1);
    assert!(waits.total >= Duration::from_secs(1), "{waits:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spent_quota_pauses_every_request_to_the_host_and_not_those_in_flight() {
    // The first answer says the quota is spent for a second; every answer comes late, so the
    // first four requests are all in flight when it arrives.
    let (server, arrivals) = timed(|request| {
        let reply = manifest_head().delayed(Duration::from_millis(300));
        if request.index == 0 {
            reply.header("RateLimit-Remaining", "0;w=21600").header("RateLimit-Reset", "1")
        } else {
            reply
        }
    })
    .await;
    let registry = open_registry(&server);
    let heads =
        |tags: [&'static str; 4]| futures::future::join_all(tags.map(|tag| registry.head_manifest("lib/app", tag)));
    let first = tokio::time::timeout(BOUND, heads(["a", "b", "c", "d"])).await.unwrap();
    assert!(first.iter().all(|h| h.as_ref().is_ok_and(|h| h.is_some())), "{first:?}");
    assert!(server.max_in_flight() >= 2, "the first requests went out together");
    let then = tokio::time::timeout(BOUND, heads(["e", "f", "g", "h"])).await.unwrap();
    assert!(then.iter().all(|h| h.as_ref().is_ok_and(|h| h.is_some())), "{then:?}");

    let arrivals = arrivals.lock().unwrap();
    assert_eq!(arrivals.len(), 8);
    let paused_from = arrivals[0];
    // None of the later requests started inside the pause (it began when the first answer
    // was read, after it arrived).
    for (n, at) in arrivals[4..].iter().enumerate() {
        assert!(*at >= paused_from + Duration::from_secs(1), "request {} inside the pause", n + 4);
    }
    assert_eq!(registry.waits().count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_of_an_hour_is_capped_and_ends_at_the_deadline() {
    let server = Server::start(Reply::status(429, "").header("Retry-After", "3600")).await;
    let deadline = Instant::now() + Duration::from_secs(1);
    let registry = open_registry(&server).with_deadline(deadline);
    let answer = tokio::time::timeout(BOUND, registry.head_manifest("lib/app", "1.0")).await;
    let err = answer.expect("the wait ends at the deadline").unwrap_err();
    assert!(Instant::now() >= deadline);
    assert!(matches!(err, Error::Registry { status: Some(429), transient: false, .. }), "{err:?}");
    assert!(err.to_string().contains("past the deadline"), "{err}");
    // Asked once: the next attempt would have been after the deadline.
    assert_eq!(server.request_count(), 1);
    let waits = registry.waits();
    assert_eq!(waits.count, 1);
    assert!(waits.total <= MAX_WAIT, "{waits:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_waits_only_when_it_says_how_long() {
    // Without Retry-After: an ordinary transient failure, tried again after a short pause.
    let server = Server::start(Handler::script(vec![Reply::status(503, ""), manifest_head()])).await;
    let registry = open_registry(&server);
    let head = tokio::time::timeout(BOUND, registry.head_manifest("lib/app", "1.0")).await.unwrap();
    assert_eq!(head.unwrap().map(|h| h.digest).as_deref(), Some(DIGEST));
    assert_eq!((server.request_count(), registry.waits().count), (2, 0));

    // With it: a pause of the host, counted.
    let server =
        Server::start(Handler::script(vec![Reply::status(503, "").header("Retry-After", "1"), manifest_head()])).await;
    let registry = open_registry(&server);
    let head = tokio::time::timeout(BOUND, registry.head_manifest("lib/app", "1.0")).await.unwrap();
    assert_eq!(head.unwrap().map(|h| h.digest).as_deref(), Some(DIGEST));
    assert_eq!((server.request_count(), registry.waits().count), (2, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_that_stays_rate_limited_fails_after_its_waits() {
    let server = Server::start(Reply::status(429, "").header("Retry-After", "0")).await;
    let registry = open_registry(&server);
    let err = tokio::time::timeout(BOUND, registry.blob_exists("lib/app", DIGEST)).await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Registry { status: Some(429), transient: false, .. }), "{err:?}");
    // The first request and one after each wait; then no other attempt.
    assert_eq!(server.request_count(), 1 + uhub_registry::MAX_WAITS as usize);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_request_answered_429_is_waited_out() {
    let (server, arrivals) = timed(|request| {
        let host = request.header("host").unwrap_or_default().to_owned();
        let challenge = format!("Bearer realm=\"http://{host}/token\",service=\"test\"");
        match request.path.split('?').next().unwrap_or_default() {
            // The first token request is the third request (after the HEAD and `GET /v2/`).
            "/token" if request.index <= 2 => Reply::status(429, "{}").header("Retry-After", "1"),
            "/token" => Reply::json(r#"{"token":"t-1"}"#),
            _ if request.header("authorization") == Some("Bearer t-1") => manifest_head(),
            _ => Reply::status(401, "{}").header("WWW-Authenticate", challenge),
        }
    })
    .await;
    let registry = open_registry(&server);
    let head = tokio::time::timeout(BOUND, registry.head_manifest("lib/app", "1.0")).await.unwrap();
    assert_eq!(head.unwrap().map(|h| h.digest).as_deref(), Some(DIGEST));
    let lines: Vec<String> = server.requests().iter().map(|r| r.request_line()).collect();
    let tokens: Vec<usize> = (0..lines.len()).filter(|&n| lines[n].contains("/token?")).collect();
    assert_eq!(tokens.len(), 2, "{lines:?}");
    let arrivals = arrivals.lock().unwrap();
    assert!(arrivals[tokens[1]] >= arrivals[tokens[0]] + Duration::from_secs(1), "{lines:?}");
    assert_eq!(registry.waits().count, 1);
}
