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
//! A misbehaving server cannot make a listing loop or hang:
//! - the listing ends at the first empty page, or the first page shorter than the page size,
//!   even if `TotalCount` promised more;
//! - items beyond the page size are dropped (the next page asks for them again);
//! - a concurrent listing walks to the `TotalCount` of its first page; a sequential one stops
//!   at whichever `TotalCount` the latest page gives;
//! - an error ends the stream after being yielded once.

use std::pin::Pin;

use futures::stream::{self, Stream, StreamExt, TryStreamExt};

use crate::action::{Page, Paginated};
use crate::call::CallCore;
use crate::error::Error;

/// Page size used when neither the paginator nor the request sets one.
pub const DEFAULT_PAGE_SIZE: i64 = 100;

/// A boxed, sendable stream, as the paginator returns.
pub type BoxStream<T> = Pin<Box<dyn Stream<Item = T> + Send>>;

/// Lists every item of a paginated action; made by a call's `into_paginator`.
#[derive(Debug, Clone)]
#[must_use = "a paginator does nothing until one of its streams is polled"]
pub struct Paginator<R: Paginated> {
    call: CallCore<R>,
    page_size: i64,
    concurrency: usize,
}

impl<R: Paginated> CallCore<R> {
    /// Turns this call into a listing of every page from its offset (0 if unset) onwards.
    /// The request's `Limit`, if set, is the page size.
    pub fn into_paginator(self) -> Paginator<R> {
        let page_size = self.request().limit().filter(|l| *l > 0).unwrap_or(DEFAULT_PAGE_SIZE);
        Paginator { call: self, page_size, concurrency: 1 }
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

    /// Every page, in order, each with the `TotalCount` the service gave for it.
    pub fn pages(self) -> BoxStream<Result<Page<R::Item>, Error>> {
        let start = self.call.request().offset().unwrap_or(0).max(0);
        if self.concurrency == 1 { self.sequential(start) } else { self.concurrent(start) }
    }

    /// Every item, in server order.
    pub fn items(self) -> BoxStream<Result<R::Item, Error>> {
        Box::pin(self.pages().map_ok(|p| stream::iter(p.items.into_iter().map(Ok))).try_flatten())
    }

    /// Every item, collected.
    pub async fn collect_all(self) -> Result<Vec<R::Item>, Error> {
        self.items().try_collect().await
    }

    fn sequential(self, start: i64) -> BoxStream<Result<Page<R::Item>, Error>> {
        let size = self.page_size;
        let call = self.call;
        let next = Some(start);
        Box::pin(stream::unfold(next, move |offset| {
            let call = call.clone();
            async move {
                let offset = offset?;
                match fetch(&call, offset, size).await {
                    Err(e) => Some((Err(e), None)),
                    Ok(page) => {
                        let end = offset + page.items.len() as i64;
                        let more = page.items.len() as i64 == size && end < page.total;
                        if page.items.is_empty() {
                            return None;
                        }
                        Some((Ok(page), more.then_some(end)))
                    }
                }
            }
        }))
    }

    fn concurrent(self, start: i64) -> BoxStream<Result<Page<R::Item>, Error>> {
        let (size, k, call) = (self.page_size, self.concurrency, self.call);
        let first = {
            let call = call.clone();
            async move { fetch(&call, start, size).await }
        };
        Box::pin(
            stream::once(first)
                .map(move |first| {
                    let rest = match &first {
                        Ok(page) if page.items.len() as i64 == size && start + size < page.total => {
                            let (call, total) = (call.clone(), page.total);
                            let offsets = (1..).map(move |i| start + i * size).take_while(move |o| *o < total);
                            stream::iter(offsets)
                                .map(move |offset| {
                                    let call = call.clone();
                                    async move { fetch(&call, offset, size).await }
                                })
                                .buffered(k)
                                .boxed()
                        }
                        _ => stream::empty().boxed(),
                    };
                    stream::once(async { first }).chain(rest)
                })
                .flatten()
                .scan(false, move |done, page| {
                    // Stop after an error, an empty page or a short page: nothing sound follows.
                    if *done {
                        return futures::future::ready(None);
                    }
                    let result = match page {
                        Ok(p) if p.items.is_empty() => None,
                        Ok(p) => {
                            *done = (p.items.len() as i64) < size;
                            Some(Ok(p))
                        }
                        Err(e) => {
                            *done = true;
                            Some(Err(e))
                        }
                    };
                    futures::future::ready(result)
                }),
        )
    }
}

async fn fetch<R: Paginated>(call: &CallCore<R>, offset: i64, size: i64) -> Result<Page<R::Item>, Error> {
    let mut request = call.request().clone();
    request.set_offset(offset);
    request.set_limit(size);
    let mut page = R::into_page(call.with_request(request).send().await?);
    page.items.truncate(size as usize);
    Ok(page)
}
