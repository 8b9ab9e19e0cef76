//! The copy engine against real registries (testreg): everything copied and verified, re-runs
//! that read nothing, platform filters, resumed copies, the auth flows, and hostile sources.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use uhub_loopback::{Handler, Reply, Server};
use uhub_registry::{
    CopyOptions, Credentials, Error, ImageRef, Outcome, Platform, Progress, Registry, RetryPolicy, copy_image,
};
use uhub_testreg::{FailRule, Failure, Kind, Proxy, Registry as TestRegistry, Target, image};

fn reference(host: &str, repo: &str, tag: &str) -> ImageRef {
    ImageRef::parse(&format!("{host}/{repo}:{tag}")).unwrap()
}

fn quick_retry() -> RetryPolicy {
    RetryPolicy { attempts: 3, first_pause: std::time::Duration::from_millis(10) }
}

fn anonymous(host: &str) -> Registry {
    Registry::with_retry(host, Credentials::Anonymous, quick_retry()).unwrap()
}

#[derive(Default)]
struct Bytes {
    planned: AtomicU64,
    copied: AtomicU64,
}

impl Progress for Bytes {
    fn planned(&self, bytes: u64) {
        self.planned.fetch_add(bytes, Ordering::Relaxed);
    }
    fn copied(&self, bytes: u64) {
        self.copied.fetch_add(bytes, Ordering::Relaxed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_platform_and_blob_is_copied_and_a_rerun_reads_nothing() {
    let (src, dst) = (TestRegistry::start(), TestRegistry::start());
    let (src_proxy, dst_proxy) = (Proxy::counting(&src.host()), Proxy::counting(&dst.host()));
    let pushed =
        image::push_index(&src.target(), "lib/app", "1.0", &["linux/amd64", "linux/arm64/v8"], &[3000, 70_000], 7)
            .await;

    let (from, to) =
        (reference(&src_proxy.host(), "lib/app", "1.0"), reference(&dst_proxy.host(), "mirror/app", "1.0"));
    let (s, d) = (anonymous(&src_proxy.host()), anonymous(&dst_proxy.host()));
    let progress = Arc::new(Bytes::default());
    let options = CopyOptions { progress: progress.clone(), ..CopyOptions::default() };
    let report = copy_image(&s, &from, &d, &to, &options).await.unwrap();

    assert_eq!(report.outcome, Outcome::Copied);
    assert_eq!((report.digest.as_str(), report.rewritten), (pushed.digest.as_str(), false));
    assert_eq!(report.platforms, vec!["linux/amd64", "linux/arm64/v8"]);
    assert_eq!((report.blobs_copied, report.blobs_skipped, report.manifests_pushed), (pushed.blobs.len(), 0, 3));
    assert_eq!(report.bytes, pushed.blob_bytes());
    assert_eq!(progress.planned.load(Ordering::Relaxed), pushed.blob_bytes());
    assert_eq!(progress.copied.load(Ordering::Relaxed), pushed.blob_bytes());
    let checked = image::assert_same_image(&src.target(), "lib/app", &dst.target(), "mirror/app", "1.0").await;
    assert_eq!(checked, pushed.blobs.len());
    // Each blob crossed once each way.
    assert_eq!(src_proxy.counts().requests("GET", Kind::Blob), pushed.blobs.len() as u64);
    assert_eq!(dst_proxy.counts().bytes_in("PUT", Kind::Upload), pushed.blob_bytes());

    src_proxy.reset();
    dst_proxy.reset();
    let again = copy_image(&s, &from, &d, &to, &options).await.unwrap();
    assert_eq!((again.outcome, again.digest.as_str()), (Outcome::Unchanged, pushed.digest.as_str()));
    for proxy in [&src_proxy, &dst_proxy] {
        let counts = proxy.counts();
        assert_eq!(counts.requests("GET", Kind::Manifest) + counts.requests("GET", Kind::Blob), 0, "{counts:?}");
        assert_eq!((counts.total_requests(), counts.requests("HEAD", Kind::Manifest)), (1, 1), "{counts:?}");
        assert_eq!(counts.total_bytes_in(), 0, "{counts:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_filter_pushes_an_index_of_only_those_children() {
    let (src, dst) = (TestRegistry::start(), TestRegistry::start());
    let pushed =
        image::push_index(&src.target(), "app", "2", &["linux/amd64", "linux/arm64", "linux/s390x"], &[1000], 3).await;
    let (s, d) = (anonymous(&src.host()), anonymous(&dst.host()));
    let (from, to) = (reference(&src.host(), "app", "2"), reference(&dst.host(), "app", "2"));
    let wanted = vec![Platform::parse("linux/arm64").unwrap(), Platform::parse("linux/s390x").unwrap()];
    let options = CopyOptions { platforms: wanted.clone(), ..CopyOptions::default() };
    let report = copy_image(&s, &from, &d, &to, &options).await.unwrap();

    assert!(report.rewritten);
    assert_ne!(report.digest, pushed.digest);
    assert_eq!(report.source_digest, pushed.digest);
    assert_eq!(image::head_manifest(&dst.target(), "app", "2").await.as_deref(), Some(report.digest.as_str()));
    let (media_type, bytes) = image::get_manifest(&dst.target(), "app", "2").await.unwrap();
    assert_eq!(media_type, uhub_registry::manifest::OCI_INDEX);
    let index: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let children: Vec<(String, String)> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["platform"]["architecture"].as_str().unwrap().to_owned(), m["digest"].as_str().unwrap().to_owned()))
        .collect();
    let expected: Vec<(String, String)> =
        pushed.children[1..].iter().map(|(p, d)| (p.rsplit('/').next().unwrap().to_owned(), d.clone())).collect();
    assert_eq!(children, expected);
    for (_, digest) in &expected {
        image::assert_same_image(&src.target(), "app", &dst.target(), "app", digest).await;
    }
    assert_eq!(image::head_manifest(&dst.target(), "app", &pushed.children[0].1).await, None, "amd64 was not copied");

    // The same filter again: one GET of the source's index (to rewrite it), nothing pushed.
    let again = copy_image(&s, &from, &d, &to, &options).await.unwrap();
    assert_eq!((again.outcome, again.digest), (Outcome::Unchanged, report.digest));

    let missing = CopyOptions { platforms: vec![Platform::parse("windows/amd64").unwrap()], ..CopyOptions::default() };
    let err = copy_image(&s, &from, &d, &reference(&dst.host(), "app", "3"), &missing).await.unwrap_err();
    assert!(matches!(err, Error::PlatformMissing { .. }), "{err:?}");
    assert!(
        err.to_string().ends_with("has no platform windows/amd64; it has linux/amd64, linux/arm64, linux/s390x"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_copy_resumes_without_sending_finished_blobs_again() {
    let (src, dst) = (TestRegistry::start(), TestRegistry::start());
    let dst_proxy = Proxy::counting(&dst.host());
    let pushed = image::push_image(&src.target(), "app", "1", &[40_000, 50_000, 60_000], 11).await;
    let (s, d) = (anonymous(&src.host()), anonymous(&dst_proxy.host()));
    let (from, to) = (reference(&src.host(), "app", "1"), reference(&dst_proxy.host(), "app", "1"));
    let one_at_a_time = CopyOptions { concurrency: 1, ..CopyOptions::default() };

    // The second blob's upload dies on every attempt: the first blob is in, nothing is tagged.
    dst_proxy.fail(FailRule::new("PUT", Kind::Upload).nth(2).times(3).with(Failure::Close));
    let err = copy_image(&s, &from, &d, &to, &one_at_a_time).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert_eq!(image::head_manifest(&dst.target(), "app", "1").await, None);

    dst_proxy.clear_failures();
    dst_proxy.reset();
    let report = copy_image(&s, &from, &d, &to, &one_at_a_time).await.unwrap();
    assert_eq!((report.blobs_copied, report.blobs_skipped), (pushed.blobs.len() - 1, 1));
    assert_eq!(dst_proxy.counts().requests("PUT", Kind::Upload), pushed.blobs.len() as u64 - 1);
    image::assert_same_image(&src.target(), "app", &dst.target(), "app", "1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transient_failure_is_tried_again() {
    let (src, dst) = (TestRegistry::start(), TestRegistry::start());
    let src_proxy = Proxy::counting(&src.host());
    image::push_image(&src.target(), "app", "1", &[20_000], 5).await;
    src_proxy.fail(FailRule::new("GET", Kind::Blob).with(Failure::CutBody(100)));
    src_proxy.fail(FailRule::new("GET", Kind::Manifest).with(Failure::Status(503)));
    let (s, d) = (anonymous(&src_proxy.host()), anonymous(&dst.host()));
    let report = copy_image(
        &s,
        &reference(&src_proxy.host(), "app", "1"),
        &d,
        &reference(&dst.host(), "app", "1"),
        &CopyOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(report.outcome, Outcome::Copied);
    image::assert_same_image(&src.target(), "app", &dst.target(), "app", "1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_and_bearer_token_sources_work_and_a_wrong_password_is_denied_unprinted() {
    let basic = TestRegistry::start_basic("alice", "wonderland-9");
    let dst = TestRegistry::start();
    let pushed =
        image::push_image(&Target::basic(basic.host(), "alice", "wonderland-9"), "priv/app", "1", &[5000], 1).await;
    let good =
        Registry::with_retry(&basic.host(), Credentials::parse_pair("alice:wonderland-9").unwrap(), quick_retry())
            .unwrap();
    let d = anonymous(&dst.host());
    let report = copy_image(
        &good,
        &reference(&basic.host(), "priv/app", "1"),
        &d,
        &reference(&dst.host(), "basic/app", "1"),
        &CopyOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(report.digest, pushed.digest);
    image::assert_same_image(
        &Target::basic(basic.host(), "alice", "wonderland-9"),
        "priv/app",
        &dst.target(),
        "basic/app",
        "1",
    )
    .await;

    let bad =
        Registry::with_retry(&basic.host(), Credentials::parse_pair("alice:not-the-password").unwrap(), quick_retry())
            .unwrap();
    let err = copy_image(
        &bad,
        &reference(&basic.host(), "priv/app", "1"),
        &d,
        &reference(&dst.host(), "app", "x"),
        &CopyOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Denied { .. }), "{err:?}");
    for shown in [err.to_string(), format!("{err:?}"), format!("{bad:?}")] {
        assert!(!shown.contains("not-the-password"), "{shown}");
    }

    // A token server in front of an open registry: the bearer flow with basic credentials.
    let open = TestRegistry::start();
    let token = Proxy::token(&open.host(), "bob", "builder-7");
    let pushed = image::push_index(
        &Target::basic(token.host(), "bob", "builder-7"),
        "tok/app",
        "1",
        &["linux/amd64", "linux/arm64"],
        &[2000],
        2,
    )
    .await;
    let s =
        Registry::with_retry(&token.host(), Credentials::parse_pair("bob:builder-7").unwrap(), quick_retry()).unwrap();
    let report = copy_image(
        &s,
        &reference(&token.host(), "tok/app", "1"),
        &d,
        &reference(&dst.host(), "token/app", "1"),
        &CopyOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(report.digest, pushed.digest);
    assert!(token.counts().requests("GET", Kind::Token) >= 1);
    image::assert_same_image(&open.target(), "tok/app", &dst.target(), "token/app", "1").await;
    let facts = s.image_facts("tok/app", "1").await.unwrap();
    assert_eq!(facts.platforms, vec!["linux/amd64", "linux/arm64"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blob_served_with_wrong_bytes_is_a_digest_error_and_nothing_is_tagged() {
    let dst = TestRegistry::start();
    let layer = vec![7u8; 4096];
    let layer_digest = uhub_testreg::digest(&layer);
    let config = br#"{"architecture":"amd64","os":"linux"}"#;
    let config_digest = uhub_testreg::digest(config);
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config_digest}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{layer_digest}","size":4096}}]}}"#,
        config.len()
    );
    let digest = uhub_testreg::digest(manifest.as_bytes());
    // The config is served right; the layer has its length but one byte changed.
    let mut wrong = layer.clone();
    wrong[100] = 8;
    let config_path = config_digest.clone();
    let blobs = move |path: &str| if path.ends_with(&config_path) { config.to_vec() } else { wrong.clone() };
    let manifest_reply = Reply::json(&manifest).header("Content-Type", "application/vnd.oci.image.manifest.v1+json");
    let source = uhub_testreg::fake::source(manifest_reply, digest.clone(), blobs).await;
    let host = source.addr().to_string();
    let s = anonymous(&host);
    let d = anonymous(&dst.host());
    let err =
        copy_image(&s, &reference(&host, "app", "1"), &d, &reference(&dst.host(), "app", "1"), &CopyOptions::default())
            .await
            .unwrap_err();
    let Error::DigestMismatch { what: "blob", target, expected, .. } = &err else { panic!("{err:?}") };
    assert_eq!(
        (target.as_str(), expected.as_str()),
        (format!("{host}/app@{layer_digest}").as_str(), layer_digest.as_str())
    );
    assert!(!err.is_transient());
    assert_eq!(image::head_manifest(&dst.target(), "app", "1").await, None, "nothing tagged");
    let session = reqwest::Client::new();
    let url = format!("http://{}/v2/app/blobs/{layer_digest}", dst.host());
    assert_eq!(session.head(url).send().await.unwrap().status(), 404, "the layer was not committed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manifest_over_the_bound_is_refused_whether_announced_or_endless() {
    let dst = TestRegistry::start();
    let d = anonymous(&dst.host());
    let digest = format!("sha256:{}", "0".repeat(64));
    let announced = Reply::json(vec![b' '; 5 << 20]);
    let endless = Reply::json(r#"{"schemaVersion":2,"manifests":["#).endless(r#"{"digest":"x"},"#);
    for reply in [announced, endless] {
        let source = uhub_testreg::fake::source(reply, digest.clone(), |_| Vec::new()).await;
        let host = source.addr().to_string();
        let err = copy_image(
            &anonymous(&host),
            &reference(&host, "big", "1"),
            &d,
            &reference(&dst.host(), "big", "1"),
            &CopyOptions::default(),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, Error::ManifestTooLarge { limit: 4194304, .. }), "{err:?}");
        assert_eq!(err.to_string(), format!("manifest {host}/big@{digest} is larger than 4194304 bytes; refused"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ambiguous_or_unknown_manifest_is_refused_and_nothing_is_tagged() {
    let dst = TestRegistry::start();
    let d = anonymous(&dst.host());
    let blob = format!("sha256:{}", "1".repeat(64));
    let ambiguous = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{blob}","size":2}}],"config":{{"mediaType":"c","digest":"{blob}","size":2}},"layers":[]}}"#
    );
    let image = format!(r#"{{"schemaVersion":2,"config":{{"mediaType":"c","digest":"{blob}","size":2}},"layers":[]}}"#);
    for (body, content_type, says) in [
        (ambiguous.as_str(), "application/vnd.oci.image.index.v1+json", "ambiguous"),
        (
            image.as_str(),
            "application/vnd.example.thing+json",
            r#"media type "application/vnd.example.thing+json" is not one copied here"#,
        ),
    ] {
        let digest = uhub_registry::manifest::sha256_digest(body.as_bytes());
        let reply = Reply::status(200, body).header("Content-Type", content_type);
        let source = uhub_testreg::fake::source(reply, digest, |_| b"{}".to_vec()).await;
        let host = source.addr().to_string();
        let err = copy_image(
            &anonymous(&host),
            &reference(&host, "app", "1"),
            &d,
            &reference(&dst.host(), "app", "1"),
            &CopyOptions::default(),
        )
        .await
        .unwrap_err();
        let Error::BadManifest { message, .. } = &err else { panic!("{err:?}") };
        assert!(message.contains(says), "{message}");
        assert!(!source.requests().iter().any(|r| r.path.contains("/blobs/")), "no blob was read");
        assert_eq!(image::head_manifest(&dst.target(), "app", "1").await, None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_told_to_stop_no_platform_of_an_index_starts() {
    // Every blob is in the destination already, so no blob's turn would ask: each platform
    // must ask before it starts, or an index of thousands goes on to its end.
    let ((source, _), sink) = (uhub_testreg::fake::index_source(20, 10).await, uhub_testreg::fake::sink().await);
    let (src, dst) = (source.addr().to_string(), sink.addr().to_string());
    let asked = Arc::new(AtomicU64::new(0));
    let counter = asked.clone();
    // The first question (before anything is read) says go on, every later one stop.
    let options = CopyOptions {
        should_stop: Arc::new(move || counter.fetch_add(1, Ordering::Relaxed) > 0),
        ..CopyOptions::default()
    };
    let err = copy_image(
        &anonymous(&src),
        &reference(&src, "app", "1"),
        &anonymous(&dst),
        &reference(&dst, "app", "1"),
        &options,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Interrupted), "{err:?}");
    assert_eq!(source.request_count(), 2, "the tag's HEAD and the index's GET, no platform's manifest");
    assert_eq!(sink.request_count(), 1, "the destination's HEAD of the tag, nothing pushed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_counts_the_missing_bytes_and_pushes_nothing() {
    let (src, dst) = (TestRegistry::start(), TestRegistry::start());
    let dst_proxy = Proxy::counting(&dst.host());
    let first = image::push_image(&src.target(), "app", "1", &[10_000, 20_000], 4).await;
    let (s, d) = (anonymous(&src.host()), anonymous(&dst_proxy.host()));
    let dry = CopyOptions { dry_run: true, ..CopyOptions::default() };
    let report =
        copy_image(&s, &reference(&src.host(), "app", "1"), &d, &reference(&dst_proxy.host(), "app", "1"), &dry)
            .await
            .unwrap();
    assert_eq!(
        (report.outcome, report.bytes, report.blobs_copied),
        (Outcome::WouldCopy, first.blob_bytes(), first.blobs.len())
    );
    let counts = dst_proxy.counts();
    assert_eq!(
        counts.requests("PUT", Kind::Manifest)
            + counts.requests("POST", Kind::Upload)
            + counts.requests("PUT", Kind::Upload),
        0,
        "{counts:?}"
    );
    assert_eq!(image::head_manifest(&dst.target(), "app", "1").await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn within_one_registry_blobs_are_mounted_not_copied() {
    let reg = TestRegistry::start();
    let proxy = Proxy::counting(&reg.host());
    let pushed = image::push_image(&reg.target(), "team/a", "1", &[30_000], 9).await;
    let r = anonymous(&proxy.host());
    let report = copy_image(
        &r,
        &reference(&proxy.host(), "team/a", "1"),
        &r,
        &reference(&proxy.host(), "team/b", "1"),
        &CopyOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!((report.blobs_mounted, report.blobs_copied, report.bytes), (pushed.blobs.len(), 0, 0));
    assert_eq!(proxy.counts().requests("GET", Kind::Blob), 0);
    image::assert_same_image(&reg.target(), "team/a", &reg.target(), "team/b", "1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn image_facts_count_shared_blobs_once_and_name_platforms() {
    let reg = TestRegistry::start();
    let index =
        image::push_index(&reg.target(), "app", "multi", &["linux/amd64", "linux/arm64/v8"], &[1000, 2000], 6).await;
    let single = image::push_image(&reg.target(), "app", "single", &[3000], 8).await;
    let r = anonymous(&reg.host());

    let facts = r.image_facts("app", "multi").await.unwrap();
    assert_eq!(facts.digest, index.digest);
    assert_eq!(facts.platforms, vec!["linux/amd64", "linux/arm64/v8"]);
    let mut blobs = facts.blobs.clone();
    let mut expected = index.blobs.clone();
    blobs.sort();
    expected.sort();
    assert_eq!(blobs, expected);
    let mut manifests = image::get_manifest(&reg.target(), "app", "multi").await.unwrap().1.len() as u64;
    for (_, child) in &index.children {
        manifests += image::get_manifest(&reg.target(), "app", child).await.unwrap().1.len() as u64;
    }
    assert_eq!(facts.compressed_size, index.blob_bytes() + manifests);

    let facts = r.image_facts("app", "single").await.unwrap();
    assert_eq!(
        (facts.digest.as_str(), facts.platforms.clone()),
        (single.digest.as_str(), vec!["linux/amd64".to_owned()])
    );
    assert!(matches!(r.image_facts("app", "absent").await, Err(Error::NotFound { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_are_listed_page_by_page_and_created_read_from_the_config() {
    let reg = TestRegistry::start();
    let proxy = Proxy::counting(&reg.host());
    for tag in ["1.0", "1.1", "2.0", "latest"] {
        image::push_image(&reg.target(), "app", tag, &[100], 1).await;
    }
    image::push_index(&reg.target(), "app", "multi", &["linux/amd64"], &[100], 2).await;
    let r = anonymous(&proxy.host());
    assert_eq!(r.list_tags("app").await.unwrap().tags, vec!["1.0", "1.1", "2.0", "latest", "multi"]);
    assert_eq!(proxy.counts().requests("GET", Kind::Tags), 1);
    assert_eq!(r.created("app", "1.0").await.unwrap().as_deref(), Some("2024-01-01T00:00:00Z"));
    assert_eq!(r.created("app", "multi").await.unwrap().as_deref(), Some("2024-01-01T00:00:00Z"));
    assert!(matches!(r.list_tags("absent").await, Err(Error::NotFound { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tag_the_copy_moves_reports_the_digest_it_had() {
    let (src, dst) = (TestRegistry::start(), TestRegistry::start());
    let new = image::push_image(&src.target(), "app", "1", &[100], 1).await;
    let old = image::push_image(&dst.target(), "app", "1", &[100], 2).await;
    let (s, d) = (anonymous(&src.host()), anonymous(&dst.host()));
    let (from, to) = (reference(&src.host(), "app", "1"), reference(&dst.host(), "app", "1"));
    let dry = CopyOptions { dry_run: true, ..CopyOptions::default() };
    let would = copy_image(&s, &from, &d, &to, &dry).await.unwrap();
    assert_eq!(would.replaced.as_deref(), Some(old.digest.as_str()));
    let report = copy_image(&s, &from, &d, &to, &CopyOptions::default()).await.unwrap();
    assert_eq!((report.replaced.as_deref(), report.digest.as_str()), (Some(old.digest.as_str()), new.digest.as_str()));
    let again = copy_image(&s, &from, &d, &to, &CopyOptions::default()).await.unwrap();
    assert_eq!((again.outcome, again.replaced), (Outcome::Unchanged, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destination_storing_another_digest_than_the_bytes_sent_is_an_error() {
    let src = TestRegistry::start();
    let pushed = image::push_image(&src.target(), "app", "1", &[100], 3).await;
    let other = format!("sha256:{}", "0".repeat(64));
    let location = format!("/v2/app/manifests/{other}");
    let liar = Server::start(Handler::new(move |request| match (request.method.as_str(), request.path.as_str()) {
        (_, "/v2/") => Reply::json("{}"),
        ("HEAD", p) if p.contains("/blobs/") => Reply::status(200, ""),
        ("PUT", p) if p.contains("/manifests/") => Reply::status(201, "").header("Location", location.clone()),
        _ => Reply::status(404, r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}"#),
    }))
    .await;
    let host = liar.addr().to_string();
    let err = copy_image(
        &anonymous(&src.host()),
        &reference(&src.host(), "app", "1"),
        &anonymous(&host),
        &reference(&host, "app", "1"),
        &CopyOptions::default(),
    )
    .await
    .unwrap_err();
    let Error::DigestMismatch { what, expected, actual, .. } = &err else { panic!("{err:?}") };
    assert_eq!(
        (*what, expected.as_str(), actual.as_str()),
        ("pushed manifest", pushed.digest.as_str(), other.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_named_by_digest_and_filtered_lands_under_the_new_digest() {
    let (src, dst) = (TestRegistry::start(), TestRegistry::start());
    let pushed = image::push_index(&src.target(), "app", "1", &["linux/amd64", "linux/arm64"], &[100], 4).await;
    let (s, d) = (anonymous(&src.host()), anonymous(&dst.host()));
    let from = ImageRef::parse(&format!("{}/app@{}", src.host(), pushed.digest)).unwrap();
    let to = ImageRef::parse(&format!("{}/app@{}", dst.host(), pushed.digest)).unwrap();
    let options = CopyOptions { platforms: vec![Platform::parse("linux/amd64").unwrap()], ..CopyOptions::default() };
    let report = copy_image(&s, &from, &d, &to, &options).await.unwrap();
    assert!(report.rewritten);
    assert_eq!(
        image::head_manifest(&dst.target(), "app", &report.digest).await.as_deref(),
        Some(report.digest.as_str())
    );
    assert_eq!(image::head_manifest(&dst.target(), "app", &pushed.digest).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tag_list_without_end_or_repeating_itself_ends_bounded() {
    let endless = Server::start(Handler::new(|request| {
        if request.path == "/v2/" {
            Reply::json("{}")
        } else {
            Reply::json(r#"{"name":"a","tags":["#).endless(r#""t","#)
        }
    }))
    .await;
    let host = endless.addr().to_string();
    let err = anonymous(&host).list_tags("a").await.unwrap_err();
    assert!(err.to_string().ends_with("a page larger than 8388608 bytes; refused"), "{err}");

    // A full page served again and again, whatever `last` says: read twice, then ended.
    let page = serde_json::json!({ "name": "a", "tags": (0..1000).map(|n| format!("t{n:04}")).collect::<Vec<_>>() })
        .to_string();
    let repeating =
        Server::start(Handler::new(
            move |request| {
                if request.path == "/v2/" { Reply::json("{}") } else { Reply::json(&page) }
            },
        ))
        .await;
    let host = repeating.addr().to_string();
    let tags = anonymous(&host).list_tags("a").await.unwrap();
    assert_eq!(tags.tags.len(), 1000);
    assert_eq!(repeating.requests().iter().filter(|r| r.path.contains("/tags/list")).count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_and_bearer_token_destinations_take_pushes() {
    let src = TestRegistry::start();
    let pushed = image::push_index(&src.target(), "app", "1", &["linux/amd64", "linux/arm64"], &[3000], 5).await;
    let s = anonymous(&src.host());
    let from = reference(&src.host(), "app", "1");

    let basic = TestRegistry::start_basic("carol", "push-pass-1");
    let d = Registry::with_retry(&basic.host(), Credentials::parse_pair("carol:push-pass-1").unwrap(), quick_retry())
        .unwrap();
    let report =
        copy_image(&s, &from, &d, &reference(&basic.host(), "app", "1"), &CopyOptions::default()).await.unwrap();
    assert_eq!(report.digest, pushed.digest);
    image::assert_same_image(&src.target(), "app", &Target::basic(basic.host(), "carol", "push-pass-1"), "app", "1")
        .await;
    let anonymous_push = copy_image(
        &s,
        &from,
        &anonymous(&basic.host()),
        &reference(&basic.host(), "app", "2"),
        &CopyOptions::default(),
    )
    .await;
    assert!(matches!(anonymous_push, Err(Error::Denied { .. })), "{anonymous_push:?}");

    let open = TestRegistry::start();
    let token = Proxy::token(&open.host(), "dave", "token-pass-2");
    let d = Registry::with_retry(&token.host(), Credentials::parse_pair("dave:token-pass-2").unwrap(), quick_retry())
        .unwrap();
    let report =
        copy_image(&s, &from, &d, &reference(&token.host(), "app", "1"), &CopyOptions::default()).await.unwrap();
    assert_eq!(report.digest, pushed.digest);
    image::assert_same_image(&src.target(), "app", &open.target(), "app", "1").await;
}
