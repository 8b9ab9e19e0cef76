//! Listing: 10,000 tags in pages of 100 from `uhub-mock` (the fake UHub) with 20 ms of latency
//! injected per request, by the paginator at concurrency 8 against concurrency 1, and against
//! the ideal schedule (the first page, then the other 99 in rounds of 8).

use std::time::{Duration, Instant};

use uhub_mock::{Fault, FaultRule, Image, MockUHub, Repo};

use crate::measure::{Row, Target, http_client, interleave, median, runtime, show};

const TAGS: usize = 10_000;
const PAGE_SIZE: usize = 100;
const LATENCY: Duration = Duration::from_millis(20);
const CONCURRENCY: usize = 8;
const ROUNDS: usize = 5;

pub fn run() -> Result<Vec<Row>, String> {
    let rt = runtime()?;
    let mock = rt
        .block_on(
            MockUHub::builder()
                .repo(Repo::new("bench-repo").image(Image::new("bench-image").numbered_tags(TAGS)))
                .fault(FaultRule::new(Fault::Latency(LATENCY)).action("GetImageTag"))
                .start(),
        )
        .map_err(|e| format!("cannot start uhub-mock: {e}"))?;
    let client = mock.client_builder().http_client(http_client()?).build().map_err(|e| format!("SDK client: {e}"))?;
    let list = |k: usize| -> Result<f64, String> {
        rt.block_on(async {
            let started = Instant::now();
            let items = client
                .get_image_tag("bench-repo", "bench-image")
                .into_paginator()
                .page_size(PAGE_SIZE as i64)
                .concurrency(k)
                .collect_all()
                .await
                .map_err(|e| e.to_string())?;
            let elapsed = started.elapsed().as_secs_f64();
            if items.len() != TAGS {
                return Err(format!("listed {} tags, not {TAGS}", items.len()));
            }
            Ok(elapsed)
        })
    };
    list(CONCURRENCY)?; // opens the pool's connections
    let (concurrent, sequential) = interleave(ROUNDS, || list(CONCURRENCY), || list(1))?;
    let (c, s) = (median(&concurrent), median(&sequential));
    let pages = TAGS.div_ceil(PAGE_SIZE);
    let rounds_after_first = (pages - 1).div_ceil(CONCURRENCY);
    let ideal = LATENCY.as_secs_f64() * (1 + rounds_after_first) as f64;
    let secs = |v: f64| show(Duration::from_secs_f64(v));
    Ok(vec![
        Row::ratio(
            "listing",
            "concurrent(8)/sequential",
            c / s,
            Target::AtMost(0.15),
            format!(
                "concurrent {}  sequential {}  {TAGS} tags, pages of {PAGE_SIZE}, uhub-mock +{}ms per request, \
                 median of {ROUNDS} rounds",
                secs(c),
                secs(s),
                LATENCY.as_millis()
            ),
        ),
        Row::ratio(
            "listing",
            "concurrent(8)/ideal",
            c / ideal,
            Target::AtMost(1.30),
            format!(
                "concurrent {}  ideal {} = (1 + {rounds_after_first} rounds of {CONCURRENCY}) x {}ms",
                secs(c),
                secs(ideal),
                LATENCY.as_millis()
            ),
        ),
    ])
}
