//! Adversarial bodies against the memory bound: the input is a recipe (a head, a piece
//! repeated up to 65,535 times, a tail, the request's Limit and the list cap), so a few bytes
//! make a body of many tiny items, as a hostile server would send. Decoding any of them must
//! grow the heap by no more than three times the body plus a fixed cost per item the caps
//! allow; a panic here is a body that costs more.
//!
//! Input: `repeat` (u16, little-endian), `limit` (u8, 0 for none), `cap` (u8: a list cap of
//! cap × 100 + 1 items), then head, piece and tail separated by 0xFF bytes (never in UTF-8).
#![no_main]

use libfuzzer_sys::fuzz_target;
use uhub_sdk::runtime::{ListLimits, response_within};
use uhub_sdk::*;

#[path = "../../tests/tests/heap/counting.rs"]
mod heap;

use heap::{Counting, peak_growth};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The largest body a recipe makes: a thousand tiny items or more, quick enough for millions of runs
/// (the 64 MiB case is tests/tests/memory_bound.rs's and the bench's).
const MAX_BODY: usize = 4 * 1024;

/// What one allowed item may cost beyond the body's own bytes: the item twice (a list's
/// capacity doubles) and a few dozen bytes for each of its fields read from a number.
fn per_item() -> usize {
    let largest = [size_of::<TagSet>(), size_of::<ImageSet>(), size_of::<RepoSet>()].into_iter().max().unwrap_or(0);
    2 * largest + 16 * 32
}

fn body(data: &[u8]) -> Option<(Vec<u8>, ListLimits, usize)> {
    let (&[r0, r1, limit, cap], rest) = data.split_first_chunk::<4>()?;
    let mut parts = rest.splitn(3, |b| *b == 0xFF);
    let (head, piece, tail) = (parts.next()?, parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let room = MAX_BODY.saturating_sub(head.len() + tail.len());
    let repeat = usize::from(u16::from_le_bytes([r0, r1])).min(room / piece.len().max(1));
    let mut body = Vec::with_capacity(head.len() + piece.len() * repeat + tail.len());
    body.extend_from_slice(head);
    for _ in 0..repeat {
        body.extend_from_slice(piece);
    }
    body.extend_from_slice(tail);
    let total = usize::from(cap) * 100 + 1;
    let limits = ListLimits::new((limit > 0).then_some(i64::from(limit)), total);
    Some((body, limits, total))
}

fuzz_target!(|data: &[u8]| {
    let Some((body, limits, total)) = body(data) else { return };
    let bound = 3 * body.len() + total * per_item() + 64 * 1024;
    macro_rules! check {
        ($t:ty, $name:literal) => {{
            let (grew, _) = peak_growth(|| drop(response_within::<$t>($name, &body, None, limits)));
            assert!(grew <= bound, "{}: {grew} bytes for a body of {} (bound {bound})", $name, body.len());
        }};
    }
    // One decode a run, as the response whose list the body names (the others would only skip
    // it): a run costs one parse, so millions of runs fit in minutes.
    let names = |list: &str| body.windows(list.len()).any(|w| w == list.as_bytes());
    if names("TagSet") {
        check!(GetImageTagResponse, "GetImageTag");
    } else if names("ImageSet") {
        check!(GetRepoImageResponse, "GetRepoImage");
    } else if names("RepoSet") {
        check!(GetRepoResponse, "GetRepo");
    } else if body.len() % 2 == 0 {
        check!(CreateRepoResponse, "CreateRepo");
    } else {
        check!(DeleteRepoImageResponse, "DeleteRepoImage");
    }
});
