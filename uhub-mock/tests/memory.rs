//! The mock's memory stays bounded whatever requests carry.
//!
//! This file holds one test so that its binary runs nothing else: the process's memory is
//! the mock's and this test's client's only.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::demo;
use futures::StreamExt;
use tokio::time::timeout;
use uhub_mock::{LOG_VALUE_MAX_BYTES, MockHandle};

/// How far the process may grow over its baseline, in KiB.
///
/// Before the log and the counters were bounded, each of these requests stayed in memory
/// (the 1 MB `Action` as a counter key, in the log's action and in its fields): this test
/// then measured 18 MB growing to 624 MB. Now nothing of a request outlives it but a record
/// of about 2 KB, so what remains is transient: each request in flight holds its body, its
/// parsed copy and a reply echoing the name (a few MB, 4 in flight, on the client's side as
/// well), plus what the allocator keeps after freeing; this test measured about 20 MB of
/// growth. 64 MiB leaves room for another allocator or scheduling and is a tenth of the
/// unbounded growth.
const BOUND_KIB: u64 = 64 * 1024;

const REQUESTS: usize = 300;
const ACTION_BYTES: usize = 1_000_000;

/// A field of `/proc/self/status` such as `VmRSS`, in KiB.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status is readable");
    let line = status.lines().find(|l| l.starts_with(&format!("{field}:"))).expect("the field is present");
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("a number of kB")
}

/// Sends `body` unsigned and checks the mock's answer: RetCode 170, no signature.
async fn send(http: &reqwest::Client, mock: &MockHandle, body: Bytes) {
    let response = http
        .post(mock.base_url())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("the mock answers");
    assert_eq!(response.status(), 200);
    let json: serde_json::Value = serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON");
    assert_eq!(json["RetCode"], 170);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundreds_of_one_megabyte_actions_leave_memory_bounded() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("skipped: no /proc/self/status on this system");
        return;
    }
    timeout(Duration::from_secs(120), async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mock = demo().await;
        let http = reqwest::Client::new();
        let action = "A".repeat(ACTION_BYTES);
        let body = Bytes::from(format!("Action={action}"));
        // The baseline comes after one such request, so the runtime, the connection and the
        // allocator's pools are already set up.
        send(&http, &mock, body.clone()).await;
        let baseline = status_kib("VmRSS");

        let sends = futures::stream::iter(0..REQUESTS).map(|_| send(&http, &mock, body.clone()));
        sends.buffer_unordered(4).collect::<Vec<()>>().await;

        let (rss, peak) = (status_kib("VmRSS"), status_kib("VmHWM"));
        eprintln!("baseline VmRSS {baseline} KiB; after {REQUESTS} requests VmRSS {rss} KiB, VmHWM {peak} KiB");
        assert!(rss.saturating_sub(baseline) < BOUND_KIB, "grew from {baseline} to {rss} KiB");
        assert!(peak.saturating_sub(baseline) < BOUND_KIB, "peaked at {peak} KiB from {baseline} KiB");

        // Every request was seen, and what was kept of each is small.
        assert_eq!(mock.requests(&action), REQUESTS as u64 + 1);
        assert_eq!(mock.total_requests(), REQUESTS as u64 + 1);
        let log = mock.request_log();
        assert_eq!(log.len(), REQUESTS + 1);
        let expected = format!("{}…[truncated: {ACTION_BYTES} bytes]", &action[..LOG_VALUE_MAX_BYTES]);
        assert!(log.iter().all(|r| r.action == expected && r.field("Action") == Some(expected.as_str())));
    })
    .await
    .expect("the requests finish in time");
}
