//! Retries, timeouts and paginators against uhub-mock's faults.
//!
//! The matrix crosses every fault with an idempotent action (GetImageTag) and a non-idempotent
//! one (CreateRepo) and checks, per cell, the outcome, how many requests the mock received and
//! that the call ended within its deadline.

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use uhub_mock::{Fault, FaultRule, Image, MockHandle, MockUHub, Repo};
use uhub_sdk::{Client, Error, ErrorKind, RetryPolicy, TransportKind};

const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(300);
const DEADLINE: Duration = Duration::from_secs(3);
/// Scheduling slack on a busy machine, beyond the deadline.
const SLACK: Duration = Duration::from_millis(500);
const ATTEMPTS: u32 = 3;

async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(60), f).await.expect("test took too long")
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default().with_max_attempts(ATTEMPTS).with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}

fn client_for(url: String, mock: &MockHandle) -> Client {
    Client::builder()
        .keys(mock.public_key(), mock.private_key())
        .endpoint(uhub_sdk::Endpoint::Custom(url))
        .attempt_timeout(ATTEMPT_TIMEOUT)
        .call_timeout(DEADLINE)
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

/// What a cell expects of the call.
#[derive(Clone, Copy, Debug)]
enum Expect {
    Transport(TransportKind),
    Status(u16),
    Code(i64),
    Decode,
}

impl Expect {
    fn holds(self, e: &Error) -> bool {
        match (self, e.kind()) {
            (Expect::Transport(want), ErrorKind::Transport { kind, .. }) => *kind == want,
            (Expect::Status(want), ErrorKind::HttpStatus { status, .. }) => *status == want,
            (Expect::Code(want), ErrorKind::Api { code, .. }) => *code == want,
            (Expect::Decode, ErrorKind::Decode { .. }) => true,
            _ => false,
        }
    }
}

/// `None` stands for a refused connection: nothing listens at the client's address.
type Cell = (&'static str, Option<Fault>, Expect, u64, u64);

#[tokio::test]
async fn every_fault_against_an_idempotent_and_a_non_idempotent_action() {
    use Expect::*;
    // (name, fault, expected error, GetImageTag requests, CreateRepo requests)
    let cells: Vec<Cell> = vec![
        ("refused connection", None, Transport(TransportKind::Connect), 0, 0),
        ("reset mid-response", Some(Fault::CloseMidResponse), Transport(TransportKind::Io), 3, 1),
        ("HTTP 429", Some(Fault::status(429)), Status(429), 3, 1),
        ("HTTP 500", Some(Fault::status(500)), Status(500), 1, 1),
        ("HTTP 502", Some(Fault::status(502)), Status(502), 3, 1),
        ("HTTP 503", Some(Fault::status(503)), Status(503), 3, 1),
        ("HTTP 504", Some(Fault::status(504)), Status(504), 3, 1),
        ("RetCode 153", Some(Fault::RetCode(153)), Code(153), 3, 1),
        ("RetCode 2001", Some(Fault::RetCode(2001)), Code(2001), 3, 1),
        (
            "slower than the attempt timeout",
            Some(Fault::Latency(ATTEMPT_TIMEOUT * 2)),
            Transport(TransportKind::Timeout),
            3,
            1,
        ),
        ("truncated JSON", Some(Fault::TruncatedJson), Decode, 1, 1),
        ("HTML page", Some(Fault::HtmlPage), Decode, 1, 1),
    ];
    bounded(async {
        let mut failures = Vec::new();
        for (name, fault, expect, tag_requests, create_requests) in cells {
            for (action, want_requests) in [("GetImageTag", tag_requests), ("CreateRepo", create_requests)] {
                let mock = MockUHub::builder().seed_demo().start().await.unwrap();
                let url = match &fault {
                    Some(f) => {
                        mock.inject(FaultRule::new(f.clone()).action(action));
                        mock.base_url().to_owned()
                    }
                    None => {
                        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
                        format!("http://{closed}")
                    }
                };
                let client = client_for(url, &mock);
                let started = Instant::now();
                let result = match action {
                    "GetImageTag" => client.get_image_tag("web", "nginx").send().await.map(drop),
                    _ => client.create_repo("new-repo").send().await.map(drop),
                };
                let elapsed = started.elapsed();
                let requests = mock.requests(action);
                // A refused connection is retried even for CreateRepo: the request never left.
                let want_attempts = if fault.is_none() { ATTEMPTS } else { want_requests as u32 };
                let cell = format!("{name} x {action}");
                match result {
                    Ok(()) => failures.push(format!("{cell}: succeeded")),
                    Err(e) => {
                        if !expect.holds(&e) {
                            failures.push(format!("{cell}: expected {expect:?}, got {e}"));
                        }
                        if e.attempts() != want_attempts {
                            failures.push(format!("{cell}: {} attempts, expected {want_attempts}", e.attempts()));
                        }
                    }
                }
                if requests != want_requests {
                    failures.push(format!("{cell}: the mock received {requests} requests, expected {want_requests}"));
                }
                if elapsed > DEADLINE + SLACK {
                    failures.push(format!("{cell}: took {elapsed:?}, past the {DEADLINE:?} deadline"));
                }
            }
        }
        assert!(failures.is_empty(), "fault matrix cells that do not hold:\n{}", failures.join("\n"));
    })
    .await
}

#[tokio::test]
async fn a_fault_for_the_next_two_calls_is_ridden_out_with_every_attempt_signed() {
    bounded(async {
        let mock = MockUHub::builder().seed_demo().start().await.unwrap();
        mock.inject(FaultRule::new(Fault::status(503)).action("GetImageTag").times(2));
        let client = client_for(mock.base_url().to_owned(), &mock);
        let tags = client.get_image_tag("web", "nginx").await.unwrap();
        assert_eq!(tags.total_count, 320);
        let log = mock.request_log();
        assert_eq!(log.len(), 3);
        assert!(log.iter().all(|r| r.signature_valid), "every attempt is signed afresh and valid");
        assert_eq!(log.iter().map(|r| r.fault.is_some()).collect::<Vec<_>>(), [true, true, false]);
    })
    .await
}

#[tokio::test]
async fn retry_after_is_honoured_within_the_deadline() {
    bounded(async {
        let mock = MockUHub::builder().seed_demo().start().await.unwrap();
        let client = client_for(mock.base_url().to_owned(), &mock);
        mock.inject(FaultRule::new(Fault::Status { status: 429, retry_after: Some(1) }).times(1));
        let started = Instant::now();
        client.get_repo().await.unwrap();
        assert!(started.elapsed() >= Duration::from_secs(1), "waited {:?}", started.elapsed());
        assert_eq!(mock.requests("GetRepo"), 2);

        // A Retry-After past the deadline ends the call at once instead of sleeping past it.
        mock.inject(FaultRule::new(Fault::Status { status: 503, retry_after: Some(30) }).times(1));
        let started = Instant::now();
        let e = client.get_repo().await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(1), "gave up after {:?}", started.elapsed());
        assert_eq!((e.status(), e.retry_after(), e.attempts()), (Some(503), Some(Duration::from_secs(30)), 1));
        assert_eq!(mock.requests("GetRepo"), 3);
    })
    .await
}

#[tokio::test]
async fn retries_can_be_turned_off_per_call() {
    bounded(async {
        let mock = MockUHub::builder().seed_demo().start().await.unwrap();
        let client = client_for(mock.base_url().to_owned(), &mock);
        mock.inject(FaultRule::new(Fault::status(503)).action("GetImageTag"));
        let e = client.get_image_tag("web", "nginx").with_retry_policy(RetryPolicy::disabled()).await.unwrap_err();
        assert_eq!((e.status(), e.attempts(), mock.requests("GetImageTag")), (Some(503), 1, 1));
    })
    .await
}

#[tokio::test]
async fn a_create_cut_off_after_the_write_is_not_sent_again() {
    bounded(async {
        let mock = MockUHub::builder().seed_demo().start().await.unwrap();
        let client = client_for(mock.base_url().to_owned(), &mock);
        mock.inject(FaultRule::new(Fault::CloseMidResponse).action("CreateRepo").times(1));
        let e = client.create_repo("made-once").await.unwrap_err();
        assert_eq!(e.attempts(), 1, "{e}");
        assert_eq!(mock.requests("CreateRepo"), 1);
        // The service made it: a blind retry would have answered "already exists".
        let private = client.get_repo().repo_type(uhub_sdk::RepoType::Private).await.unwrap();
        assert!(private.repo_set.iter().any(|r| r.repo_name == "made-once"));
    })
    .await
}

#[tokio::test]
async fn the_overall_deadline_bounds_a_call_that_keeps_timing_out() {
    bounded(async {
        let mock = MockUHub::builder().seed_demo().start().await.unwrap();
        mock.inject(FaultRule::new(Fault::Latency(Duration::from_secs(5))).action("GetRepo"));
        let client = mock
            .client_builder()
            .attempt_timeout(Duration::from_secs(2))
            .call_timeout(Duration::from_millis(700))
            .retry_policy(fast_retries())
            .build()
            .unwrap();
        let started = Instant::now();
        let e = client.get_repo().await.unwrap_err();
        let elapsed = started.elapsed();
        assert!(matches!(e.kind(), ErrorKind::Transport { kind: TransportKind::Timeout, .. }), "{e}");
        assert!(elapsed >= Duration::from_millis(700) && elapsed < Duration::from_millis(700) + SLACK, "{elapsed:?}");
        assert_eq!(mock.requests("GetRepo"), 1);
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Paginators against the mock

async fn tag_mock(tags: usize) -> (MockHandle, Client) {
    let mock = MockUHub::builder()
        .repo(Repo::new("r").image(Image::new("i").numbered_tags(tags)).image(Image::new("empty")))
        .start()
        .await
        .unwrap();
    let client = mock.client_builder().retry_policy(RetryPolicy::disabled()).build().unwrap();
    (mock, client)
}

async fn names(client: &Client, page_size: i64, k: usize) -> Vec<String> {
    let paginator = client.get_image_tag("r", "i").into_paginator().page_size(page_size).concurrency(k);
    paginator.items().map_ok(|t| t.tag_name).try_collect().await.unwrap()
}

#[tokio::test]
async fn concurrent_listing_is_in_server_order_within_the_in_flight_bound() {
    bounded(async {
        let (mock, client) = tag_mock(1_000).await;
        let expected = names(&client, 1_000, 1).await; // one page: the server's order
        assert_eq!(expected.len(), 1_000);
        assert_eq!(expected[0], "1.9.99");
        mock.inject(FaultRule::new(Fault::Latency(Duration::from_millis(20))).action("GetImageTag"));
        for k in [2, 8] {
            mock.reset_counters();
            assert_eq!(names(&client, 50, k).await, expected, "concurrency {k}");
            assert_eq!(mock.requests("GetImageTag"), 20, "concurrency {k}");
            let peak = mock.max_in_flight();
            assert!(peak <= k, "concurrency {k}: {peak} requests in flight");
            assert!(peak > 1, "concurrency {k}: requests never overlapped");
        }
    })
    .await
}

#[tokio::test]
async fn listing_edge_cases_take_the_fewest_requests() {
    bounded(async {
        let (mock, client) = tag_mock(300).await;
        for k in [1, 4] {
            // A total that is a multiple of the page size: no extra empty page is asked for.
            mock.reset_counters();
            assert_eq!(names(&client, 100, k).await.len(), 300);
            assert_eq!(mock.requests("GetImageTag"), 3, "concurrency {k}");
            // Exactly one page.
            mock.reset_counters();
            assert_eq!(names(&client, 300, k).await.len(), 300);
            assert_eq!(mock.requests("GetImageTag"), 1, "concurrency {k}");
            // Zero items: a filter that matches nothing, and an image without tags.
            mock.reset_counters();
            let none: Vec<_> = client
                .get_image_tag("r", "i")
                .tag_name("nope")
                .into_paginator()
                .concurrency(k)
                .collect_all()
                .await
                .unwrap();
            assert!(none.is_empty());
            let untagged: Vec<_> =
                client.get_image_tag("r", "empty").into_paginator().concurrency(k).collect_all().await.unwrap();
            assert!(untagged.is_empty());
            assert_eq!(mock.requests("GetImageTag"), 2);
        }
    })
    .await
}

#[tokio::test]
async fn listing_survives_drift_and_stops_on_an_error() {
    bounded(async {
        let (mock, client) = tag_mock(250).await;
        mock.set_drift(true); // TotalCount as a string, times as numbers
        let expected: Vec<String> = (0..250).rev().map(|i| format!("1.{}.{}", i / 100, i % 100)).collect();
        assert_eq!(names(&client, 100, 1).await, expected);
        assert_eq!(names(&client, 100, 3).await, expected);

        // A fault on a later page ends the stream with that error after the earlier pages.
        let mut pages = client.get_image_tag("r", "i").into_paginator().page_size(100).pages();
        assert_eq!(pages.try_next().await.unwrap().unwrap().items.len(), 100);
        mock.inject(FaultRule::new(Fault::status(500)).action("GetImageTag"));
        assert_eq!(pages.try_next().await.unwrap_err().status(), Some(500));
        assert!(pages.try_next().await.unwrap().is_none(), "the stream ends after its error");
    })
    .await
}
