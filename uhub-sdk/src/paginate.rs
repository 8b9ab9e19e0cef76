//! Lazy listings over offset/limit actions, as `futures` streams.
//!
//! ```no_run
//! # async fn run(client: uhub_sdk::Client) -> Result<(), uhub_sdk::Error> {
//! use futures::TryStreamExt;
//! let mut tags = client.get_image_tag("my-repo", "nginx").into_paginator().concurrency(8).items();
//! while let Some(tag) = tags.try_next().await? {
//!     println!("{}", tag.tag_name);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Items always come in server order. With concurrency 1, each page is requested after the
//! previous one arrives; with concurrency k > 1 the first page gives `TotalCount` and the rest
//! are requested with at most k in flight, so at most about k pages are held in memory.
//!
//! A misbehaving server cannot make a listing loop, hang or grow without end:
//! - the listing ends at the first empty page, or the first page shorter than the page size,
//!   even if `TotalCount` promised more;
//! - a page holds at most the page size: the decoder refuses an item past the request's `Limit`
//!   while it reads the body, so an oversized page is an error, never held in memory;
//! - a page whose body is byte for byte the previous page's ends the listing with
//!   [`ErrorKind::Listing`](crate::ErrorKind::Listing) naming the action and offset (a server
//!   that ignores `Offset` would otherwise be asked forever);
//! - so does a `TotalCount` that differs from the previous page's by more than one page size
//!   (items added or deleted while the listing runs move it by less);
//! - a listing yields at most [`Paginator::max_items`] items ([`DEFAULT_MAX_ITEMS`], 1,000,000,
//!   by default): a full page whose `TotalCount` passes it, or a page that would take the
//!   listing past it, ends the listing with an error that says how to raise it, before the
//!   requests it would take are made;
//! - a concurrent listing walks to the `TotalCount` of its first page; a sequential one stops
//!   at whichever `TotalCount` the latest page gives;
//! - an error ends the stream after being yielded once.
//!
//! Each page is its own call, with its own deadline and retries.

use std::pin::Pin;

use futures::stream::{self, Stream, StreamExt, TryStreamExt};

use crate::action::{Page, Paginated};
use crate::call::CallCore;
use crate::error::Error;

/// Page size used when neither the paginator nor the request sets one.
pub const DEFAULT_PAGE_SIZE: i64 = 100;

/// The most items a listing yields unless [`Paginator::max_items`] says otherwise: far above
/// any real registry's tags or repositories, and a bound on what a server that never stops
/// can cost (10,000 requests of 100).
pub const DEFAULT_MAX_ITEMS: u64 = 1_000_000;

/// A boxed, sendable stream, as the paginator returns.
pub type BoxStream<T> = Pin<Box<dyn Stream<Item = T> + Send>>;

/// Lists every item of a paginated action; made by a call's `into_paginator`.
#[derive(Debug, Clone)]
#[must_use = "a paginator does nothing until one of its streams is polled"]
pub struct Paginator<R: Paginated> {
    call: CallCore<R>,
    page_size: i64,
    concurrency: usize,
    max_items: u64,
}

impl<R: Paginated> CallCore<R> {
    /// Turns this call into a listing of every page from its offset (0 if unset) onwards.
    /// The request's `Limit`, if set, is the page size.
    pub fn into_paginator(self) -> Paginator<R> {
        let page_size = self.request().limit().filter(|l| *l > 0).unwrap_or(DEFAULT_PAGE_SIZE);
        Paginator { call: self, page_size, concurrency: 1, max_items: DEFAULT_MAX_ITEMS }
    }
}

impl<R: Paginated> Paginator<R> {
    /// Items per request (at least 1).
    pub fn page_size(mut self, size: i64) -> Self {
        self.page_size = size.max(1);
        self
    }

    /// Most requests in flight at once (at least 1; 1 means strictly sequential).
    pub fn concurrency(mut self, k: usize) -> Self {
        self.concurrency = k.max(1);
        self
    }

    /// The most items the listing yields (default [`DEFAULT_MAX_ITEMS`]; at least 1). A server
    /// whose `TotalCount` says more, or that sends more, ends the listing with an error.
    pub fn max_items(mut self, items: u64) -> Self {
        self.max_items = items.max(1);
        self
    }

    /// Every page, in order, each with the `TotalCount` the service gave for it.
    pub fn pages(self) -> BoxStream<Result<Page<R::Item>, Error>> {
        let start = self.call.request().offset().unwrap_or(0).max(0);
        let guard = Guard { start, size: self.page_size, max_items: self.max_items, ..Guard::default() };
        let fetched = if self.concurrency == 1 { self.sequential(start) } else { self.concurrent(start) };
        Box::pin(fetched.scan(guard, |guard, fetched| futures::future::ready(guard.check::<R>(fetched))))
    }

    /// Every item, in server order.
    pub fn items(self) -> BoxStream<Result<R::Item, Error>> {
        Box::pin(self.pages().map_ok(|p| stream::iter(p.items.into_iter().map(Ok))).try_flatten())
    }

    /// Every item, collected.
    pub async fn collect_all(self) -> Result<Vec<R::Item>, Error> {
        self.items().try_collect().await
    }

    fn sequential(self, start: i64) -> BoxStream<Result<Fetched<R::Item>, Error>> {
        let size = self.page_size;
        let call = self.call;
        let next = Some(start);
        Box::pin(stream::unfold(next, move |offset| {
            let call = call.clone();
            async move {
                let offset = offset?;
                match fetch(&call, offset, size).await {
                    Err(e) => Some((Err(e), None)),
                    Ok(fetched) => {
                        let page = &fetched.page;
                        let full = page.items.len() as i64 == size;
                        match offset.checked_add(page.items.len() as i64) {
                            Some(end) => {
                                let next = (full && end < page.total).then_some(end);
                                Some((Ok(fetched), next))
                            }
                            // A server that keeps sending full pages cannot walk us past i64::MAX.
                            None if full => Some((Err(overflow::<R>(offset, size)), None)),
                            None => Some((Ok(fetched), None)),
                        }
                    }
                }
            }
        }))
    }

    fn concurrent(self, start: i64) -> BoxStream<Result<Fetched<R::Item>, Error>> {
        let (size, k, call) = (self.page_size, self.concurrency, self.call);
        let first = {
            let call = call.clone();
            async move { fetch(&call, start, size).await }
        };
        Box::pin(
            stream::once(first)
                .map(move |first| {
                    let rest = match &first {
                        Ok(Fetched { page, .. })
                            if page.items.len() as i64 == size && start.saturating_add(size) < page.total =>
                        {
                            let (call, total) = (call.clone(), page.total);
                            // Offsets up to the total; one that would pass i64::MAX ends the
                            // listing with an error instead of wrapping.
                            let offsets = (1..)
                                .map(move |i: i64| i.checked_mul(size).and_then(|step| start.checked_add(step)))
                                .take_while(move |o| o.is_none_or(|o| o < total))
                                .scan(false, |stopped, o| {
                                    if *stopped {
                                        return None;
                                    }
                                    *stopped = o.is_none();
                                    Some(o)
                                });
                            stream::iter(offsets)
                                .map(move |offset| {
                                    let call = call.clone();
                                    async move {
                                        match offset {
                                            Some(offset) => fetch(&call, offset, size).await,
                                            None => Err(overflow::<R>(start, size)),
                                        }
                                    }
                                })
                                .buffered(k)
                                .boxed()
                        }
                        _ => stream::empty().boxed(),
                    };
                    stream::once(async { first }).chain(rest)
                })
                .flatten(),
        )
    }
}

/// A page as fetched: where it starts, and its body's fingerprint.
struct Fetched<T> {
    offset: i64,
    page: Page<T>,
    fingerprint: u64,
}

/// What a listing has seen so far, to end it when a server misbehaves; both modes pass every
/// page through [`Guard::check`] in order.
#[derive(Default)]
struct Guard {
    start: i64,
    size: i64,
    max_items: u64,
    yielded: u64,
    previous: Option<(u64, i64)>,
    done: bool,
}

impl Guard {
    /// The page to yield, or the error that ends the listing, or `None` when it has ended.
    fn check<R: Paginated>(
        &mut self,
        fetched: Result<Fetched<R::Item>, Error>,
    ) -> Option<Result<Page<R::Item>, Error>> {
        if self.done {
            return None;
        }
        let Fetched { offset, page, fingerprint } = match fetched {
            Ok(f) if f.page.items.is_empty() => return None,
            Ok(f) => f,
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        let stop = |guard: &mut Guard, reason: String| {
            guard.done = true;
            Some(Err(Error::listing(R::NAME, offset, reason)))
        };
        // A short page ends the listing anyway, so only a full one's total promises more.
        let full = page.items.len() as i64 >= self.size;
        let promised = if full { u64::try_from(page.total.saturating_sub(self.start)).unwrap_or(0) } else { 0 };
        let count = page.items.len() as u64;
        if promised > self.max_items || self.yielded + count > self.max_items {
            let (max, claim) = (self.max_items, promised.max(self.yielded + count));
            return stop(
                self,
                format!(
                    "the listing holds {claim} items or more, beyond the paginator's cap of {max}; \
                     raise it with Paginator::max_items if that many are real"
                ),
            );
        }
        if let Some((previous, total)) = self.previous {
            if previous == fingerprint {
                return stop(self, "the server sent the same page again; it ignores Offset".to_owned());
            }
            if page.total.abs_diff(total) > self.size.unsigned_abs() {
                return stop(
                    self,
                    format!(
                        "TotalCount went from {total} to {} between two pages, more than a page of {} can explain",
                        page.total, self.size
                    ),
                );
            }
        }
        self.previous = Some((fingerprint, page.total));
        self.yielded += count;
        // Nothing sound follows a short page.
        self.done = (page.items.len() as i64) < self.size;
        Some(Ok(page))
    }
}

/// Why a listing stops before its offsets would overflow.
fn overflow<R: Paginated>(offset: i64, size: i64) -> Error {
    Error::invalid_request(
        R::NAME,
        format!("the listing cannot go on past offset {offset} in pages of {size}: the next offset overflows i64"),
    )
}

async fn fetch<R: Paginated>(call: &CallCore<R>, offset: i64, size: i64) -> Result<Fetched<R::Item>, Error> {
    let mut request = call.request().clone();
    request.set_offset(offset);
    request.set_limit(size);
    // The decoder refuses a page of more than `size` items while reading it (see `decode`).
    let (response, fingerprint) = call.with_request(request).send_fingerprinted().await?;
    Ok(Fetched { offset, page: R::into_page(response), fingerprint })
}
