//! The mock's store stays bounded whatever signed requests ask it to keep.
//!
//! One test in its own binary, as in memory.rs: the process's memory is this mock's and this
//! test's client's only.

mod common;

use std::future::IntoFuture as _;
use std::time::Duration;

use futures::StreamExt;
use tokio::time::timeout;
use uhub_mock::{MAX_DESCRIPTION_BYTES, MAX_PROJECT_ID_BYTES, MAX_PROJECTS};

/// How far the process may grow over its baseline, in KiB. Before the caps, the 300 requests
/// below grew the mock from 15 MB to 277 MB, linearly; now each is refused and nothing of it
/// stays, and the 1,000 projects the cap allows hold one small repository each.
const BOUND_KIB: u64 = 64 * 1024;

const REQUESTS: usize = 300;
const DESCRIPTION_BYTES: usize = 900_000;

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status is readable");
    let line = status.lines().find(|l| l.starts_with(&format!("{field}:"))).expect("the field is present");
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("a number of kB")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_create_repo_calls_cannot_grow_the_store_without_bound() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("skipped: no /proc/self/status on this system");
        return;
    }
    timeout(Duration::from_secs(120), async {
        let mock = common::demo().await;
        let client = common::client(&mock);
        let huge = "d".repeat(DESCRIPTION_BYTES);
        let create = |project: String, description: &str| {
            client.create_repo("r").project_id(project).description(description.to_owned())
        };
        // Warm up: the runtime, the connection and the allocator's pools.
        let e = create("org-warm".into(), &huge).await.unwrap_err();
        assert_eq!(e.code(), Some(230), "{e}");
        let baseline = status_kib("VmRSS");

        // 300 new projects, each with a 900 KB description: every one refused, naming the cap.
        let refused = futures::stream::iter(0..REQUESTS)
            .map(|i| create(format!("org-{i}"), &huge).into_future())
            .buffer_unordered(4)
            .collect::<Vec<_>>()
            .await;
        for e in refused.into_iter().map(Result::unwrap_err) {
            assert_eq!(e.code(), Some(230), "{e}");
            let expected = format!("Description is {DESCRIPTION_BYTES} bytes; at most {MAX_DESCRIPTION_BYTES}");
            assert!(e.to_string().contains(&expected), "{e}");
        }
        let (rss, peak) = (status_kib("VmRSS"), status_kib("VmHWM"));
        eprintln!("baseline VmRSS {baseline} KiB; after {REQUESTS} refused requests VmRSS {rss} KiB, VmHWM {peak} KiB");
        assert!(rss.saturating_sub(baseline) < BOUND_KIB, "grew from {baseline} to {rss} KiB");

        // Projects up to the cap are made; the next is refused with our code; a long ProjectId too.
        let small = "d".repeat(MAX_DESCRIPTION_BYTES);
        for i in 1..MAX_PROJECTS {
            create(format!("org-p{i}"), &small).await.unwrap_or_else(|e| panic!("project {i}: {e}"));
        }
        let e = create("org-one-too-many".into(), "").await.unwrap_err();
        assert_eq!(e.code(), Some(1607), "{e}");
        assert!(e.to_string().contains(&format!("at most {MAX_PROJECTS} projects")), "{e}");
        let e = create("o".repeat(MAX_PROJECT_ID_BYTES + 1), "").await.unwrap_err();
        assert_eq!(e.code(), Some(230), "{e}");
        // An existing project still takes repositories, and deleting a project's last one frees its place.
        client.create_repo("r2").project_id("org-p1").await.unwrap();
        client.delete_repo("r").project_id("org-p2").await.unwrap();
        create("org-new".into(), "").await.unwrap();

        let rss = status_kib("VmRSS");
        eprintln!("with {MAX_PROJECTS} projects: VmRSS {rss} KiB");
        assert!(rss.saturating_sub(baseline) < BOUND_KIB, "grew from {baseline} to {rss} KiB");
    })
    .await
    .expect("the requests finish in time");
}
