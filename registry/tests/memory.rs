//! A blob's copy holds a few network reads, not the blob: the heap of this test process is
//! counted (the registries are processes of their own) while a 48 MB layer is copied.

#[path = "../../tests/tests/heap/counting.rs"]
mod counting;

use uhub_registry::{CopyOptions, Credentials, ImageRef, Registry, copy_image};
use uhub_testreg::{Registry as TestRegistry, image};

#[global_allocator]
static HEAP: counting::Counting = counting::Counting;

const LAYER: usize = 48 << 20;
/// Room for buffers (hyper's reads, a PUT's window, the TLS-less connection pools), far from
/// the layer's size.
const BOUND: usize = 8 << 20;

#[test]
fn copying_a_large_layer_keeps_the_heap_far_below_its_size() {
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
