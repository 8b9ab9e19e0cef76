//! `uhub mirror` from and into real docker-registries behind counting proxies that play a
//! registry's rate limit (a 429 with `Retry-After`, and every request answered 429 until then): images are mirrored whole and the waits reported, a wait longer than
//! `--timeout` ends at it with the deadline's exit status, and an anonymous registry is asked
//! `GET /v2/` once per run.

mod support;

use serde_json::Value;
use support::Uhub;
use uhub_testreg::{Proxy, Pushed, Registry, Target, image};

/// Five single-platform images and a two-platform index, each tagged `1`.
async fn seed(src: &Target) -> Vec<(String, Pushed)> {
    let mut images = Vec::new();
    for n in 0..5u64 {
        let repository = format!("rl/app{n}");
        let pushed = image::push_image(src, &repository, "1", &[40_000, 8_000 + n as usize, 1_000], 50 + n).await;
        images.push((repository, pushed));
    }
    let index = image::push_index(src, "rl/multi", "1", &["linux/amd64", "linux/arm64"], &[30_000, 2_000], 90).await;
    images.push(("rl/multi".to_owned(), index));
    images
}

fn rows(json: &Value) -> &Vec<Value> {
    json["images"].as_array().unwrap_or_else(|| panic!("no list of images: {json}"))
}

/// The `GET /v2/` requests a proxy saw.
fn registry_checks(proxy: &Proxy) -> usize {
    proxy.requests_seen().iter().filter(|(method, path)| method == "GET" && path == "/v2/").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_answering_429_to_every_tenth_request_is_mirrored_whole_with_the_waits_reported() {
    let (src, dst) = (Registry::start(), Registry::start());
    let proxy = Proxy::counting(&src.host());
    let images = seed(&src.target()).await;
    proxy.rate_limit(10, "1");
    let sources: Vec<String> =
        images.iter().map(|(repository, _)| format!("{}/{repository}:1", proxy.host())).collect();
    let to = format!("{}/mirror", dst.host());
    let mut args = vec!["-o", "table", "mirror", "--images", "3", "--to", &to];
    args.extend(sources.iter().map(String::as_str));
    let run = Uhub::bare().run(&args).await;
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(proxy.rate_limited() >= 3, "the source answered 429 {} times", proxy.rate_limited());
    for (repository, pushed) in &images {
        let name = repository.replacen("rl/", "mirror/", 1);
        let there = image::head_manifest(&dst.target(), &name, "1").await;
        assert_eq!(there.as_deref(), Some(pushed.digest.as_str()), "{repository}");
        image::assert_same_image(&src.target(), repository, &dst.target(), &name, "1").await;
    }
    let note = run.stderr.lines().find(|l| l.starts_with("waited for rate limits: ")).unwrap_or_else(|| {
        panic!("no waits in the summary:\n{}", run.stderr);
    });
    assert!(note.contains(&format!("{} ", proxy.host())), "{note}");
    assert!(!note.contains(&dst.host()), "the destination never limited: {note}");
    // The summary at the top of the report counts them too, with the time waited.
    let waits = run.stdout.lines().find(|l| l.starts_with("waits: ")).unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(waits != "waits: 0" && waits.ends_with(" s)"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_of_an_hour_ends_at_the_timeout_with_its_exit_status() {
    let (src, dst) = (Registry::start(), Registry::start());
    let proxy = Proxy::counting(&src.host());
    image::push_image(&src.target(), "rl/app", "1", &[10_000], 7).await;
    proxy.rate_limit(1, "3600");
    let from = format!("{}/rl/app:1", proxy.host());
    let to = format!("{}/mirror", dst.host());
    let run = Uhub::bare().run(&["--timeout", "2s", "mirror", &from, "--to", &to]).await;
    // The deadline's status, and the copy ended by the deadline itself, not cut after the
    // grace a stopped copy gets (it would say "interrupted").
    assert_eq!(run.status, 5, "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    let row = &rows(&json)[0];
    assert_eq!(row["result"], "failed", "{json}");
    assert!(row["error"].as_str().is_some_and(|e| e.contains("past the deadline")), "{json}");
    assert_eq!(proxy.rate_limited(), 1, "asked once, then waited until the deadline");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_registry_is_checked_once_per_run() {
    let (src, dst) = (Registry::start(), Registry::start());
    let (src_proxy, dst_proxy) = (Proxy::counting(&src.host()), Proxy::counting(&dst.host()));
    let pushed =
        image::push_index(&src.target(), "rl/multi", "1", &["linux/amd64", "linux/arm64"], &[30_000, 9_000, 2_000], 3)
            .await;
    let from = format!("{}/rl/multi:1", src_proxy.host());
    let to = format!("{}/mirror", dst_proxy.host());
    let json = Uhub::bare().run(&["--concurrency", "8", "mirror", &from, "--to", &to]).await.ok_json();
    assert_eq!(rows(&json)[0]["result"], "copied", "{json}");
    image::assert_same_image(&src.target(), "rl/multi", &dst.target(), "mirror/multi", "1").await;
    assert_eq!(image::head_manifest(&dst.target(), "mirror/multi", "1").await, Some(pushed.digest));
    assert_eq!(registry_checks(&src_proxy), 1, "source: {:?}", src_proxy.requests_seen());
    assert_eq!(registry_checks(&dst_proxy), 1, "destination: {:?}", dst_proxy.requests_seen());
}
