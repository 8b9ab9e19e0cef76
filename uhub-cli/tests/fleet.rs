//! `uhub mirror` of a fleet into a real docker-registry, cold, several times: no image lost to
//! a race between jobs of one run, each blob sent once per destination repository, two tags of
//! one image one copy, and layers shared by repositories sent once per registry (mounted into
//! the others). The counting proxy in front of the destination sees every upload and mount.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use support::Uhub;
use uhub_testreg::{FailRule, Failure, Kind, Proxy, Pushed, Registry, Target, image};

/// Blob uploads the destination saw (`PUT .../blobs/uploads/...`, one per blob sent), and
/// mounts (`POST .../blobs/uploads/?mount=`), per repository.
fn uploads_and_mounts(proxy: &Proxy) -> (BTreeMap<String, usize>, BTreeMap<String, usize>) {
    let (mut uploads, mut mounts) = (BTreeMap::new(), BTreeMap::new());
    for (method, path) in proxy.requests_seen() {
        let Some(repository) = path.strip_prefix("/v2/").and_then(|p| p.split_once("/blobs/uploads/")).map(|p| p.0)
        else {
            continue;
        };
        if method == "PUT" {
            *uploads.entry(repository.to_owned()).or_insert(0) += 1;
        } else if method == "POST" && path.contains("mount=") {
            *mounts.entry(repository.to_owned()).or_insert(0) += 1;
        }
    }
    (uploads, mounts)
}

fn rows(json: &Value) -> &Vec<Value> {
    json["images"].as_array().unwrap_or_else(|| panic!("no images list: {json}"))
}

fn sum(json: &Value, field: &str) -> u64 {
    rows(json).iter().map(|r| r[field].as_u64().unwrap_or_else(|| panic!("no {field} in {r}"))).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tags_of_one_image_are_one_copy_every_time() {
    let (src, dst) = (Registry::start(), Registry::start());
    let proxy = Proxy::counting(&dst.host());
    let pushed = image::push_image(&src.target(), "fleet/app004", "1.3.0", &[300_000, 100_000, 50_000, 2_000], 4).await;
    image::tag_manifest(&src.target(), "fleet/app004", &pushed.digest, "latest").await;
    let uhub = Uhub::bare();
    let sources = [format!("{}/fleet/app004:1.3.0", src.host()), format!("{}/fleet/app004:latest", src.host())];

    for n in 0..6 {
        proxy.reset();
        let to = format!("{}/try{n}/app004", proxy.host());
        let run = uhub.run(&["mirror", &sources[0], &sources[1], "--to", &to, "--images", "2"]).await;
        let json = run.ok_json();
        let results: Vec<&str> = rows(&json).iter().map(|r| r["result"].as_str().unwrap()).collect();
        assert_eq!(results, ["copied", "copied"], "run {n}: {json}");
        for tag in ["1.3.0", "latest"] {
            let there = image::head_manifest(&dst.target(), &format!("try{n}/app004"), tag).await;
            assert_eq!(there.as_deref(), Some(pushed.digest.as_str()), "run {n}, {tag}");
        }
        // Each blob sent once: the second tag's copy waited for the first's and found it all.
        let (uploads, mounts) = uploads_and_mounts(&proxy);
        assert_eq!(uploads.get(&format!("try{n}/app004")), Some(&pushed.blobs.len()), "run {n}: {uploads:?}");
        assert!(mounts.is_empty(), "run {n}: {mounts:?}");
        assert_eq!(sum(&json, "bytes"), pushed.blob_bytes(), "run {n}: {json}");
        assert_eq!(sum(&json, "blobs_copied") + sum(&json, "blobs_skipped"), 2 * pushed.blobs.len() as u64);
        let counts = proxy.counts();
        // Two tags, one image: the manifest is pushed once per tag, and no more.
        assert_eq!(counts.requests("PUT", Kind::Manifest), 2, "run {n}: {counts}");
    }
}

/// 12 repositories × 2 images sharing two base layers, each with a third tag (`latest`)
/// naming its newest image.
const REPOSITORIES: usize = 12;
const BASE: [(usize, u64); 2] = [(200_000, 1), (60_000, 2)];

async fn seed_fleet(src: &Target) -> BTreeMap<String, Vec<(String, Pushed)>> {
    support::seed_fleet(src, REPOSITORIES, 1000, |r, t, seed| {
        vec![BASE[0], BASE[1], (20_000, 100 + r as u64), (3_000 + t, seed)]
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_is_mirrored_whole_each_blob_sent_once_and_shared_layers_mounted() {
    let (src, dst) = (Registry::start(), Registry::start());
    let proxy = Proxy::counting(&dst.host());
    let fleet = seed_fleet(&src.target()).await;
    let distinct: BTreeMap<String, u64> =
        fleet.values().flatten().flat_map(|(_, pushed)| pushed.blobs.iter().cloned()).collect();
    let base: BTreeSet<String> = fleet.values().next().unwrap()[0].1.blobs[1..3].iter().map(|b| b.0.clone()).collect();
    let base_bytes: u64 = base.iter().map(|d| distinct[d]).sum();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fleet.toml");
    let uhub = Uhub::bare();

    for (n, (concurrency, images)) in [(8, 16), (1, 16), (8, 4), (2, 16), (8, 16)].into_iter().enumerate() {
        let mut sync = format!("to = \"{}/run{n}\"\n", proxy.host());
        for repository in fleet.keys() {
            sync.push_str(&format!("\n[[source]]\nfrom = \"{}/{repository}\"\n", src.host()));
        }
        std::fs::write(&file, sync).unwrap();
        proxy.reset();
        let (concurrency, images) = (concurrency.to_string(), images.to_string());
        let args = ["--concurrency", &concurrency, "mirror", "--file", file.to_str().unwrap(), "--images", &images];
        let run = uhub.run(&args).await;
        let json = run.ok_json();
        assert_eq!(rows(&json).len(), REPOSITORIES * 3, "run {n}: {json}");
        let failed: Vec<&Value> = rows(&json).iter().filter(|r| r["result"] != "copied").collect();
        assert!(failed.is_empty(), "run {n}: {failed:#?}");

        // The destination matches the source digest for digest.
        for (repository, tags) in &fleet {
            let name = repository.strip_prefix("fleet/").unwrap();
            for (tag, pushed) in tags {
                let there = image::head_manifest(&dst.target(), &format!("run{n}/{name}"), tag).await;
                assert_eq!(there.as_deref(), Some(pushed.digest.as_str()), "run {n}: {repository}:{tag}");
            }
        }
        let first = fleet.keys().next().unwrap();
        image::assert_same_image(&src.target(), first, &dst.target(), &format!("run{n}/app000"), "latest").await;

        // Each blob sent once in the run: no repository got one twice, and the base layers
        // went to one repository and were mounted into the eleven others.
        let (uploads, mounts) = uploads_and_mounts(&proxy);
        let sent: usize = uploads.values().sum();
        assert_eq!(sent, distinct.len(), "run {n}: uploads {uploads:?}, mounts {mounts:?}");
        assert_eq!(mounts.values().sum::<usize>(), (REPOSITORIES - 1) * base.len(), "run {n}: {mounts:?}");
        let counts = proxy.counts();
        assert_eq!(counts.bytes_in("PUT", Kind::Upload), distinct.values().sum::<u64>(), "run {n}: {counts}");
        // The report says the same.
        assert_eq!(sum(&json, "bytes"), distinct.values().sum::<u64>(), "run {n}");
        assert_eq!(sum(&json, "blobs_mounted"), ((REPOSITORIES - 1) * base.len()) as u64, "run {n}");
        assert_eq!(sum(&json, "bytes_mounted"), (REPOSITORIES - 1) as u64 * base_bytes, "run {n}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_mount_is_an_upload_and_no_image_is_lost() {
    // A registry without cross-repository mounts.
    mirror_with_mounts_refused(404).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mount_denied_is_an_upload_too() {
    // Credentials that may push into one repository but not read the other.
    mirror_with_mounts_refused(403).await;
}

/// Three repositories sharing base layers mirrored into a registry answering every `?mount=`
/// with `status`.
async fn mirror_with_mounts_refused(status: u16) {
    let (src, dst) = (Registry::start(), Registry::start());
    let proxy = Proxy::counting(&dst.host());
    proxy.fail(
        FailRule::new("POST", Kind::Upload).query_contains("mount=").times(u64::MAX / 2).with(Failure::Status(status)),
    );
    let mut pushed = Vec::new();
    for r in 0..3u64 {
        let layers = [BASE[0], BASE[1], (10_000, 500 + r)];
        pushed.push(image::push_layered(&src.target(), &format!("fleet/svc{r}"), "1", &layers, 700 + r).await);
    }
    let sources: Vec<String> = (0..3).map(|r| format!("{}/fleet/svc{r}:1", src.host())).collect();
    let to = format!("{}/cold", proxy.host());
    let mut args = vec!["mirror", "--images", "3", "--to", &to];
    args.extend(sources.iter().map(String::as_str));
    let json = Uhub::bare().run(&args).await.ok_json();
    let results: Vec<&str> = rows(&json).iter().map(|r| r["result"].as_str().unwrap()).collect();
    assert_eq!(results, ["copied"; 3], "{json}");
    for (r, image) in pushed.iter().enumerate() {
        image::assert_same_image(&src.target(), &format!("fleet/svc{r}"), &dst.target(), &format!("cold/svc{r}"), "1")
            .await;
        assert_eq!(
            image::head_manifest(&dst.target(), &format!("cold/svc{r}"), "1").await.as_deref(),
            Some(image.digest.as_str())
        );
    }
    // The base layers were offered as mounts to the two later repositories, refused, and sent.
    let (uploads, mounts) = uploads_and_mounts(&proxy);
    assert_eq!(mounts.values().sum::<usize>(), 2 * BASE.len(), "{mounts:?}");
    assert_eq!(uploads.values().sum::<usize>(), pushed.iter().map(|p| p.blobs.len()).sum::<usize>(), "{uploads:?}");
    assert_eq!(sum(&json, "blobs_mounted"), 0, "{json}");
    assert_eq!(sum(&json, "bytes"), pushed.iter().map(Pushed::blob_bytes).sum::<u64>(), "{json}");
}
