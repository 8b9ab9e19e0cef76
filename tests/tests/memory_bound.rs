//! What a body can become: a hostile server's largest body costs a bounded multiple of
//! `max_response_bytes`, measured by counting this test binary's heap (its own allocator, so
//! the numbers are exact and no other test binary pays for the counting).

mod support;

use std::sync::Mutex;
use std::time::Duration;

use support::{Canned, Server};
use uhub_sdk::runtime::{ListLimits, response_within};
use uhub_sdk::{Client, DEFAULT_MAX_LIST_ITEMS, DEFAULT_MAX_RESPONSE_BYTES, Endpoint, ErrorKind, GetImageTagResponse};

#[path = "heap/counting.rs"]
mod heap;

use heap::{Counting, peak_growth};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One measurement at a time: the counters are the process's.
static MEASURING: Mutex<()> = Mutex::new(());

/// A GetImageTag body of `n` empty tags: the attack of 63 MiB that took 2.3 GB (about 35x).
fn empty_tags(n: usize) -> Vec<u8> {
    let mut body = br#"{"RetCode":0,"TotalCount":1,"TagSet":["#.to_vec();
    body.extend(std::iter::repeat_n(&b"{},"[..], n - 1).flatten());
    body.extend_from_slice(b"{}]}");
    body
}

const TWENTY_TWO_MILLION: usize = 22_000_000;
const MIB: usize = 1 << 20;

fn decode_message(e: &uhub_sdk::Error) -> (String, String) {
    match e.kind() {
        ErrorKind::Decode { path, message, .. } => (path.clone(), message.clone()),
        other => panic!("expected a decode error, got {other:?} ({e})"),
    }
}

#[test]
fn twenty_two_million_empty_tags_decode_within_the_page_and_the_list_cap() {
    let _one = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let body = empty_tags(TWENTY_TWO_MILLION);
    assert!(body.len() < DEFAULT_MAX_RESPONSE_BYTES, "the body fits the default limit: {}", body.len());
    // A page of 100: refused at the 101st item, having held 100.
    let (grew, result) = peak_growth(|| {
        response_within::<GetImageTagResponse>("GetImageTag", &body, None, ListLimits::new(Some(100), 100_000))
    });
    let e = result.unwrap_err();
    assert_eq!(decode_message(&e).0, "TagSet");
    assert!(grew < MIB, "a page of 100 grew the heap by {grew} bytes");
    // No Limit: the list cap, 100,000 items, is the most it holds.
    let (grew, result) = peak_growth(|| {
        response_within::<GetImageTagResponse>(
            "GetImageTag",
            &body,
            None,
            ListLimits::new(None, DEFAULT_MAX_LIST_ITEMS),
        )
    });
    let (path, message) = decode_message(&result.unwrap_err());
    assert_eq!(path, "TagSet");
    assert!(message.starts_with("the list holds more than 100000 items, the cap on any one list"), "{message}");
    assert!(grew < body.len() / 2, "the list cap grew the heap by {grew} bytes, body {}", body.len());
}

#[test]
fn a_list_of_long_strings_costs_at_most_the_body_again() {
    let _one = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    // 100,000 tags of 600-byte names: the strings are the body's own bytes, once more.
    let name = "n".repeat(600);
    let tags: Vec<String> = (0..100_000).map(|_| format!(r#"{{"TagName":"{name}","Digest":"{name}"}}"#)).collect();
    let body = format!(r#"{{"RetCode":0,"TotalCount":1,"TagSet":[{}]}}"#, tags.join(","));
    drop(tags);
    let (grew, result) = peak_growth(|| {
        response_within::<GetImageTagResponse>("GetImageTag", body.as_bytes(), None, ListLimits::default())
    });
    assert_eq!(result.unwrap().tag_set.len(), 100_000);
    assert!(grew < body.len() * 3 / 2, "grew {grew} for a body of {}", body.len());
}

/// 100,000 tags (the list cap) whose names and digests fill the rest of the body limit.
fn long_tags() -> Vec<u8> {
    let name = "n".repeat(320);
    let tag = format!(r#"{{"TagName":"{name}","Digest":"{name}"}}"#);
    let mut body = br#"{"RetCode":0,"TotalCount":1,"TagSet":["#.to_vec();
    for i in 0..DEFAULT_MAX_LIST_ITEMS {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(tag.as_bytes());
    }
    body.extend_from_slice(b"]}");
    body
}

#[test]
fn a_call_answered_by_the_worst_bodies_peaks_under_two_and_a_half_times_the_body_limit() {
    let _one = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    for (name, body, limit) in [
        ("22 million {}, Limit 100", empty_tags(TWENTY_TWO_MILLION), Some(100)),
        ("22 million {}, no Limit", empty_tags(TWENTY_TWO_MILLION), None),
        ("100,000 long tags, no Limit", long_tags(), None),
    ] {
        assert!(body.len() < DEFAULT_MAX_RESPONSE_BYTES, "{name}: {} bytes", body.len());
        let server = Server::on_thread(Canned::json(&body)).unwrap();
        drop(body);
        let client = Client::builder()
            .keys("pub", "priv")
            .endpoint(Endpoint::Custom(server.url()))
            .retry_policy(uhub_sdk::RetryPolicy::disabled())
            .attempt_timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let (grew, result) = peak_growth(|| {
            runtime.block_on(async {
                let call = client.get_image_tag("r", "i");
                match limit {
                    Some(l) => call.limit(l).await,
                    None => call.await,
                }
                .map(|r| r.tag_set.len())
            })
        });
        match result {
            Ok(n) => assert_eq!(n, DEFAULT_MAX_LIST_ITEMS, "{name}"),
            Err(e) => assert_eq!(decode_message(&e).0, "TagSet", "{name}"),
        }
        // The body read once (at most its limit), and what the caps let it decode.
        let ratio = grew as f64 / DEFAULT_MAX_RESPONSE_BYTES as f64;
        eprintln!("{name}: peak heap growth {ratio:.2} x max_response_bytes");
        assert!(ratio < 2.5, "{name}: the call grew the heap by {ratio:.2} x max_response_bytes");
    }
}
