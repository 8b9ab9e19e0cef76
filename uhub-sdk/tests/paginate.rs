//! Paginator behaviour against a loopback server whose paging rules each test chooses.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::TryStreamExt;
use support::{Pages, Server, client, names, serve};

/// A well-behaved server holding `n` tags.
fn honest(n: usize) -> Arc<Pages> {
    Arc::new(move |offset, limit| (n.to_string(), names(offset.min(n)..(offset + limit).min(n))))
}

async fn list(server: &Server, size: i64, k: usize) -> Result<Vec<String>, uhub_sdk::Error> {
    let items = client(&server.url()).get_image_tag("r", "i").into_paginator().page_size(size).concurrency(k);
    let tags = tokio::time::timeout(Duration::from_secs(20), items.collect_all()).await.expect("listing ends");
    tags.map(|t| t.into_iter().map(|t| t.tag_name).collect())
}

#[tokio::test]
async fn sequential_and_concurrent_yield_every_item_in_server_order() {
    for (total, size) in [(0, 10), (7, 10), (10, 10), (30, 10), (95, 10)] {
        for k in [1, 3, 8] {
            let server = serve(Duration::ZERO, honest(total)).await;
            assert_eq!(list(&server, size, k).await.unwrap(), names(0..total), "total {total} size {size} k {k}");
            let expected_requests =
                (total / size as usize + 1).max(1) - usize::from(total > 0 && total % size as usize == 0);
            assert_eq!(server.request_count(), expected_requests, "total {total} k {k}");
        }
    }
}

#[tokio::test]
async fn concurrency_is_bounded_and_used() {
    let server = serve(Duration::from_millis(20), honest(400)).await;
    assert_eq!(list(&server, 10, 4).await.unwrap(), names(0..400));
    assert_eq!(server.max_in_flight(), 4);
}

#[tokio::test]
async fn pages_stream_reports_totals() {
    let server = serve(Duration::ZERO, honest(25)).await;
    let pages: Vec<_> = client(&server.url())
        .get_image_tag("r", "i")
        .into_paginator()
        .page_size(10)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(), vec![10, 10, 5]);
    assert!(pages.iter().all(|p| p.total == 25));
}

#[tokio::test]
async fn total_far_beyond_delivered_items_stops_at_first_short_page() {
    for k in [1, 4] {
        let pages: Arc<Pages> =
            Arc::new(|offset, limit| ("1000000".into(), names(offset.min(15)..(offset + limit).min(15))));
        let server = serve(Duration::ZERO, pages).await;
        assert_eq!(list(&server, 10, k).await.unwrap(), names(0..15), "k {k}");
    }
}

#[tokio::test]
async fn empty_page_before_total_ends_listing() {
    for k in [1, 4] {
        let pages: Arc<Pages> =
            Arc::new(|offset, limit| ("50".into(), if offset >= 20 { vec![] } else { names(offset..offset + limit) }));
        let server = serve(Duration::ZERO, pages).await;
        assert_eq!(list(&server, 10, k).await.unwrap(), names(0..20), "k {k}");
    }
}

#[tokio::test]
async fn a_page_longer_than_asked_is_refused_while_it_is_decoded() {
    for k in [1, 4] {
        let pages: Arc<Pages> = Arc::new(|offset, limit| ("30".into(), names(offset..(offset + limit + 5).min(30))));
        let server = serve(Duration::ZERO, pages).await;
        let e = list(&server, 10, k).await.unwrap_err();
        match e.kind() {
            uhub_sdk::ErrorKind::Decode { path, message, .. } => {
                assert_eq!(path, "TagSet", "k {k}");
                let expected = "the list holds more than the 10 items the request's Limit allows at line 1";
                assert!(message.starts_with(expected), "k {k}: {message}");
            }
            other => panic!("k {k}: expected a decode error, got {other:?}"),
        }
        assert_eq!(server.request_count(), 1, "k {k}");
    }
}

#[tokio::test]
async fn a_total_that_moves_by_less_than_a_page_is_followed() {
    // Each answer claims one more item (tags being pushed meanwhile); the data ends at 40.
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let pages: Arc<Pages> = Arc::new(move |offset, limit| {
        let n = c.fetch_add(1, Ordering::SeqCst);
        ((100 + n).to_string(), names(offset.min(40)..(offset + limit).min(40)))
    });
    let server = serve(Duration::ZERO, pages).await;
    assert_eq!(list(&server, 10, 1).await.unwrap(), names(0..40));
    assert_eq!(list(&server, 10, 4).await.unwrap(), names(0..40));
}

/// The listing error's offset and reason.
fn listing_error(e: &uhub_sdk::Error) -> (i64, String) {
    assert_eq!(e.action(), Some("GetImageTag"), "{e}");
    match e.kind() {
        uhub_sdk::ErrorKind::Listing { offset, reason } => (*offset, reason.clone()),
        other => panic!("expected a listing error, got {other:?} ({e})"),
    }
}

#[tokio::test]
async fn a_total_that_jumps_by_more_than_a_page_ends_the_listing() {
    for k in [1, 4] {
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        let pages: Arc<Pages> = Arc::new(move |offset, limit| {
            let n = c.fetch_add(1, Ordering::SeqCst);
            ((100 + n * 100).to_string(), names(offset.min(40)..(offset + limit).min(40)))
        });
        let server = serve(Duration::ZERO, pages).await;
        let e = list(&server, 10, k).await.unwrap_err();
        let (offset, reason) = listing_error(&e);
        assert_eq!(offset, 10, "k {k}");
        assert_eq!(reason, "TotalCount went from 100 to 200 between two pages, more than a page of 10 can explain");
        assert_eq!(e.to_string(), format!("GetImageTag: listing ended at offset 10: {reason}"));
    }
}

#[tokio::test]
async fn a_server_that_ignores_offset_ends_the_listing_at_the_second_page() {
    for k in [1, 4] {
        // The same ten tags, whatever the offset: 8,418 requests in 15 s before this check.
        let pages: Arc<Pages> = Arc::new(|_, limit| ("1000".into(), names(0..limit)));
        let server = serve(Duration::ZERO, pages).await;
        let mut items =
            client(&server.url()).get_image_tag("r", "i").into_paginator().page_size(10).concurrency(k).items();
        let mut seen = 0;
        let e = loop {
            match items.try_next().await {
                Ok(Some(_)) => seen += 1,
                Ok(None) => panic!("k {k}: the listing ended without an error"),
                Err(e) => break e,
            }
        };
        assert_eq!(seen, 10, "k {k}: the first page only");
        assert_eq!(listing_error(&e), (10, "the server sent the same page again; it ignores Offset".to_owned()));
        assert!(items.try_next().await.unwrap().is_none(), "the stream ends after its error");
        assert!(server.request_count() <= 2 + k, "k {k}: {} requests", server.request_count());
    }
}

#[tokio::test]
async fn a_total_beyond_max_items_fails_at_the_first_page() {
    for k in [1, 4] {
        // Full pages of new names and a total of 10^15: 33,603 requests in 30 s before the cap.
        let pages: Arc<Pages> = Arc::new(|offset, limit| ("1000000000000000".into(), names(offset..offset + limit)));
        let server = serve(Duration::ZERO, pages).await;
        let e = list(&server, 100, k).await.unwrap_err();
        assert_eq!(
            listing_error(&e),
            (
                0,
                "the listing holds 1000000000000000 items or more, beyond the paginator's cap of 1000000; \
                 raise it with Paginator::max_items if that many are real"
                    .to_owned()
            )
        );
        assert_eq!(server.request_count(), 1, "k {k}");
        // A short page ends the listing whatever its total says: its items are the listing.
        let pages: Arc<Pages> =
            Arc::new(|offset, limit| ("1000000000000000".into(), names(offset.min(15)..(offset + limit).min(15))));
        let server = serve(Duration::ZERO, pages).await;
        assert_eq!(list(&server, 100, k).await.unwrap(), names(0..15), "k {k}");
    }
}

#[tokio::test]
async fn max_items_is_the_most_a_listing_yields() {
    for k in [1, 4] {
        let server = serve(Duration::ZERO, honest(25)).await;
        let listing = || client(&server.url()).get_image_tag("r", "i").into_paginator().page_size(10).concurrency(k);
        assert_eq!(listing().max_items(25).collect_all().await.unwrap().len(), 25);
        let e = listing().max_items(24).collect_all().await.unwrap_err();
        assert!(listing_error(&e).1.contains("beyond the paginator's cap of 24"), "{e}");
        // A total that lies low cannot carry the listing past the cap either.
        let lying: Arc<Pages> = Arc::new(|offset, limit| ("5".into(), names(offset..(offset + limit).min(30))));
        let server = serve(Duration::ZERO, lying).await;
        let items = client(&server.url()).get_image_tag("r", "i").into_paginator().page_size(10).max_items(5);
        assert!(items.collect_all().await.is_err(), "a first page of 10 passes a cap of 5");
    }
}

#[tokio::test]
async fn error_ends_the_stream_after_being_yielded() {
    // A port that was just free: connecting is refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut items = client(&url).get_image_tag("r", "i").into_paginator().concurrency(3).items();
    assert!(items.try_next().await.is_err());
    assert!(futures::StreamExt::next(&mut items).await.is_none());
}

#[tokio::test]
async fn request_limit_and_offset_are_the_defaults_of_the_paginator() {
    let server = serve(Duration::ZERO, honest(25)).await;
    let tags =
        client(&server.url()).get_image_tag("r", "i").offset(5).limit(7).into_paginator().collect_all().await.unwrap();
    assert_eq!(tags.into_iter().map(|t| t.tag_name).collect::<Vec<_>>(), names(5..25));
    assert_eq!(server.request_count(), 3);
}
