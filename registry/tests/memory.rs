//! A copy holds a few network reads, not what it copies: the heap of this test process is
//! counted while a 48 MB layer is copied (the registries are processes of their own), and
//! while an index of 300, then 3,000 padded children is copied, dry-run and read for its
//! facts (from a scripted source into a sink, both in this process, holding nothing).

#[path = "../../tests/tests/heap/counting.rs"]
mod counting;

use std::sync::Mutex;

use uhub_registry::{CopyOptions, Credentials, ImageRef, Outcome, Registry, copy_image};
use uhub_testreg::{Registry as TestRegistry, fake, image};

#[global_allocator]
static HEAP: counting::Counting = counting::Counting;

const LAYER: usize = 48 << 20;
/// Room for buffers (hyper's reads, a PUT's window, the TLS-less connection pools), far from
/// the layer's size.
const BOUND: usize = 8 << 20;

#[test]
fn copying_a_large_layer_keeps_the_heap_far_below_its_size() {
    let _one = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (src, dst) = (TestRegistry::start(), TestRegistry::start());
    let pushed = runtime.block_on(image::push_image(&src.target(), "big", "1", &[LAYER], 12));
    let s = Registry::new(&src.host(), Credentials::Anonymous).unwrap();
    let d = Registry::new(&dst.host(), Credentials::Anonymous).unwrap();
    let from = ImageRef::parse(&format!("{}/big:1", src.host())).unwrap();
    let to = ImageRef::parse(&format!("{}/big:1", dst.host())).unwrap();

    let (grew, report) =
        counting::peak_growth(|| runtime.block_on(copy_image(&s, &from, &d, &to, &CopyOptions::default())));
    let report = report.unwrap();
    assert!(report.bytes >= LAYER as u64, "{report:?}");
    assert!(grew < BOUND, "the heap grew by {grew} bytes copying {} bytes", report.bytes);
    runtime.block_on(image::assert_same_image(&src.target(), "big", &dst.target(), "big", "1"));
    assert_eq!(pushed.digest, report.digest);
}

/// One measurement at a time: the counters are the process's.
static MEASURING: Mutex<()> = Mutex::new(());

/// Each child manifest's padding: 3,000 children held at once would be 300 MB.
const PADDING: usize = 100_000;
/// What 3,000 children may cost more than 300: a few children in flight and the index's
/// list of descriptors, far below holding them all.
const CHILDREN_BOUND: usize = 50 << 20;

/// The heap's peak growth while `run` works on an index of `n` children, and its result.
fn peak_with_children<T>(
    n: usize,
    run: impl AsyncFnOnce(&Registry, &ImageRef, &Registry, &ImageRef) -> T,
) -> (usize, T) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let ((source, _), destination) =
        runtime.block_on(async { (fake::index_source(n, PADDING).await, fake::sink().await) });
    let (src, dst) = (source.addr().to_string(), destination.addr().to_string());
    let s = Registry::new(&src, Credentials::Anonymous).unwrap();
    let d = Registry::new(&dst, Credentials::Anonymous).unwrap();
    let from = ImageRef::parse(&format!("{src}/big:1")).unwrap();
    let to = ImageRef::parse(&format!("{dst}/big:1")).unwrap();
    counting::peak_growth(|| runtime.block_on(run(&s, &from, &d, &to)))
}

/// The peaks for 300 and 3,000 children, asserted within [`CHILDREN_BOUND`] of each other.
fn assert_children_do_not_cost_memory<T>(
    what: &str,
    run: impl AsyncFn(&Registry, &ImageRef, &Registry, &ImageRef) -> T,
    check: impl Fn(usize, T),
) {
    let _one = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let (few, result) = peak_with_children(300, &run);
    check(300, result);
    let (many, result) = peak_with_children(3_000, &run);
    check(3_000, result);
    eprintln!("{what}: heap peak growth {} KiB with 300 children, {} KiB with 3,000", few >> 10, many >> 10);
    assert!(
        many.saturating_sub(few) < CHILDREN_BOUND,
        "{what}: 3,000 children grew the heap by {many} bytes, 300 by {few}"
    );
}

#[test]
fn copying_an_index_holds_a_few_children_however_many_it_lists() {
    assert_children_do_not_cost_memory(
        "copy",
        async |s, from, d, to| copy_image(s, from, d, to, &CopyOptions::default()).await,
        |n, report| {
            let report = report.unwrap();
            assert_eq!((report.outcome, report.manifests_pushed, report.blobs_skipped), (Outcome::Copied, n + 1, 2));
        },
    );
}

#[test]
fn a_dry_run_of_an_index_holds_a_few_children_however_many_it_lists() {
    let dry = CopyOptions { dry_run: true, ..CopyOptions::default() };
    assert_children_do_not_cost_memory(
        "dry run",
        async |s, from, d, to| copy_image(s, from, d, to, &dry).await,
        |n, report| {
            let report = report.unwrap();
            assert_eq!((report.outcome, report.manifests_pushed), (Outcome::WouldCopy, n + 1));
        },
    );
}

#[test]
fn the_facts_of_an_index_hold_a_few_children_however_many_it_lists() {
    assert_children_do_not_cost_memory(
        "facts",
        async |s, from, _, _| s.image_facts(&from.repository, &from.reference).await,
        |n, facts| {
            let facts = facts.unwrap();
            assert_eq!((facts.platforms.len(), facts.children.len(), facts.blobs.len()), (n, n, 2));
            assert!(facts.compressed_size > (n * PADDING) as u64, "{}", facts.compressed_size);
        },
    );
}
