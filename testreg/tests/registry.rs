//! The crate's own tests: real registries start and stop, images push and read back, basic
//! auth and tokens are demanded, proxies count and fail exactly what they are told.

use std::net::TcpStream;
use std::time::Duration;

use uhub_testreg::image::{self, assert_same_image, head_manifest, push_image, push_index, push_signature};
use uhub_testreg::{FailRule, Failure, Kind, Proxy, Registry, Target};

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().no_proxy().build().unwrap()
}

async fn status(request: reqwest::RequestBuilder) -> u16 {
    request.send().await.unwrap().status().as_u16()
}

fn is_closed(host: &str) -> bool {
    TcpStream::connect_timeout(&host.parse().unwrap(), Duration::from_millis(500)).is_err()
}

#[tokio::test]
async fn a_registry_answers_v2_and_stops_when_dropped() {
    let registry = Registry::start();
    let host = registry.host();
    let pid = registry.pid();
    assert!(host.starts_with("127.0.0.1:"), "{host}");
    assert_eq!(status(client().get(format!("http://{host}/v2/"))).await, 200);
    assert!(registry.storage_dir().is_dir());
    let storage = registry.storage_dir().to_owned();
    drop(registry);
    assert!(is_closed(&host), "something still listens on {host}");
    // Reaped, not a zombie: the process is gone from /proc.
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists(), "process {pid} outlived its Registry");
    assert!(!storage.exists(), "{} outlived its Registry", storage.display());
}

#[tokio::test]
async fn a_pushed_index_heads_to_its_digest_and_its_children_to_theirs() {
    let registry = Registry::start();
    let t = registry.target();
    let pushed = push_index(&t, "app/web", "v1", &["linux/amd64", "linux/arm64/v8"], &[3000, 5000], 1).await;
    assert_eq!(head_manifest(&t, "app/web", "v1").await.as_deref(), Some(pushed.digest.as_str()));
    assert_eq!(head_manifest(&t, "app/web", &pushed.digest).await.as_deref(), Some(pushed.digest.as_str()));
    assert_eq!(pushed.children.len(), 2);
    for (platform, child) in &pushed.children {
        assert_eq!(head_manifest(&t, "app/web", child).await.as_deref(), Some(child.as_str()), "{platform}");
    }
    // Two platforms, each a config and two layers of its own.
    assert_eq!(pushed.blobs.len(), 6);
    let (media_type, index) = image::get_manifest(&t, "app/web", "v1").await.unwrap();
    assert_eq!(media_type, image::OCI_INDEX);
    assert_eq!(uhub_testreg::digest(&index), pushed.digest);
    let index: serde_json::Value = serde_json::from_slice(&index).unwrap();
    assert_eq!(
        index["manifests"][1]["platform"],
        serde_json::json!({"os": "linux", "architecture": "arm64", "variant": "v8"})
    );
    assert_eq!(head_manifest(&t, "app/web", "v2").await, None);
    assert_eq!(head_manifest(&t, "other", "v1").await, None);
}

#[tokio::test]
async fn the_same_seed_pushes_the_same_image_and_assert_same_image_checks_every_blob() {
    let (a, b) = (Registry::start(), Registry::start());
    let pushed_a = push_index(&a.target(), "src/app", "v1", &["linux/amd64", "linux/arm64"], &[2000, 70_000], 9).await;
    let pushed_b = push_index(&b.target(), "dst/app", "v1", &["linux/amd64", "linux/arm64"], &[2000, 70_000], 9).await;
    assert_eq!(pushed_a, pushed_b);
    let signature = push_signature(&a.target(), "src/app", &pushed_a.digest).await;
    let sig_tag = format!("sha256-{}.sig", pushed_a.digest.trim_start_matches("sha256:"));
    assert_eq!(head_manifest(&a.target(), "src/app", &sig_tag).await, Some(signature.digest));
    let checked = assert_same_image(&a.target(), "src/app", &b.target(), "dst/app", "v1").await;
    assert_eq!(checked, 6);
}

#[tokio::test]
#[should_panic(expected = "the destination has no manifest dst/app:v1")]
async fn assert_same_image_names_a_missing_manifest() {
    let (a, b) = (Registry::start(), Registry::start());
    push_image(&a.target(), "src/app", "v1", &[100], 1).await;
    assert_same_image(&a.target(), "src/app", &b.target(), "dst/app", "v1").await;
}

#[tokio::test]
#[should_panic(expected = "manifest v1 differs")]
async fn assert_same_image_names_a_different_manifest() {
    let (a, b) = (Registry::start(), Registry::start());
    push_image(&a.target(), "src/app", "v1", &[100], 1).await;
    push_image(&b.target(), "dst/app", "v1", &[100], 2).await;
    assert_same_image(&a.target(), "src/app", &b.target(), "dst/app", "v1").await;
}

#[tokio::test]
#[should_panic(expected = "the destination has no blob")]
async fn assert_same_image_names_a_missing_blob() {
    let (a, b) = (Registry::start(), Registry::start());
    let pushed = push_image(&a.target(), "src/app", "v1", &[100, 200], 1).await;
    push_image(&b.target(), "dst/app", "v1", &[100, 200], 1).await;
    let layer = &pushed.blobs[2].0;
    let deleted = client().delete(format!("http://{}/v2/dst/app/blobs/{layer}", b.host())).send().await.unwrap();
    assert_eq!(deleted.status(), 202);
    assert_same_image(&a.target(), "src/app", &b.target(), "dst/app", "v1").await;
}

#[tokio::test]
async fn a_basic_registry_refuses_a_wrong_password_and_accepts_the_right_one() {
    let registry = Registry::start_basic("alice", "s3cret-pw");
    let v2 = format!("http://{}/v2/", registry.host());
    assert_eq!(status(client().get(&v2)).await, 401);
    assert_eq!(status(client().get(&v2).basic_auth("alice", Some("wrong"))).await, 401);
    assert_eq!(status(client().get(&v2).basic_auth("alice", Some("s3cret-pw"))).await, 200);
    let t = registry.target();
    assert_eq!(t.basic.as_ref().map(|(u, _)| u.as_str()), Some("alice"));
    assert!(!format!("{t:?}").contains("s3cret"), "{t:?}");
    let pushed = push_image(&t, "private/app", "v1", &[500], 3).await;
    assert_eq!(head_manifest(&t, "private/app", "v1").await, Some(pushed.digest));
}

#[tokio::test]
async fn the_token_proxy_demands_a_token_then_forwards() {
    let registry = Registry::start();
    let proxy = Proxy::token(&registry.host(), "bob", "tok-pw");
    let host = proxy.host();
    let http = client();
    let refused = http.get(format!("http://{host}/v2/app/manifests/v1")).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.headers()["www-authenticate"],
        format!(r#"Bearer realm="http://{host}/token",service="testreg",scope="repository:app:pull,push""#).as_str()
    );
    assert_eq!(status(http.get(format!("http://{host}/token")).basic_auth("bob", Some("wrong"))).await, 401);
    assert_eq!(status(http.get(format!("http://{host}/v2/")).bearer_auth("made-up")).await, 401);
    let answer = http
        .get(format!("http://{host}/token?service=testreg"))
        .basic_auth("bob", Some("tok-pw"))
        .send()
        .await
        .unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
    let token = answer["token"].as_str().unwrap();
    assert_eq!(answer["access_token"], token);
    assert_eq!(status(http.get(format!("http://{host}/v2/")).bearer_auth(token)).await, 200);
    // The helpers follow the challenge with the target's basic credentials.
    let through = Target::basic(host.as_str(), "bob", "tok-pw");
    let pushed = push_image(&through, "app", "v1", &[1000], 4).await;
    assert_eq!(head_manifest(&registry.target(), "app", "v1").await, Some(pushed.digest));
    let counts = proxy.counts();
    assert!(counts.requests("GET", Kind::Token) >= 3, "{counts}");
}

#[tokio::test]
async fn the_counting_proxy_tells_a_get_of_a_manifest_from_a_head() {
    let registry = Registry::start();
    let pushed = push_image(&registry.target(), "app", "v1", &[4000], 5).await;
    let (_, manifest) = image::get_manifest(&registry.target(), "app", "v1").await.unwrap();
    let proxy = Proxy::counting(&registry.host());
    let through = Target::anonymous(proxy.host());
    assert_eq!(head_manifest(&through, "app", "v1").await, Some(pushed.digest.clone()));
    assert_eq!(head_manifest(&through, "app", "v1").await, Some(pushed.digest.clone()));
    assert!(image::get_manifest(&through, "app", "v1").await.is_some());
    let counts = proxy.counts();
    assert_eq!(counts.requests("HEAD", Kind::Manifest), 2, "{counts}");
    assert_eq!(counts.requests("GET", Kind::Manifest), 1, "{counts}");
    assert_eq!(counts.bytes_out("GET", Kind::Manifest), manifest.len() as u64, "{counts}");
    assert_eq!(counts.bytes_out("HEAD", Kind::Manifest), 0, "{counts}");
    assert_eq!(counts.total_requests(), 3, "{counts}");
    // A push through it: its upload bytes are counted in, and Location keeps clients on the proxy.
    proxy.reset();
    let pushed = push_image(&through, "copy", "v1", &[10_000], 6).await;
    let counts = proxy.counts();
    assert_eq!(counts.requests("POST", Kind::Upload), 2, "{counts}");
    assert_eq!(counts.requests("PUT", Kind::Upload), 2, "{counts}");
    assert_eq!(counts.bytes_in("PUT", Kind::Upload), pushed.blob_bytes(), "{counts}");
    assert_eq!(counts.requests("PUT", Kind::Manifest), 1, "{counts}");
    assert_eq!(counts.to_string().matches(',').count() + 1, counts.by.len());
}

#[tokio::test]
async fn a_fail_rule_fails_exactly_the_requests_it_names() {
    let registry = Registry::start();
    let pushed = push_image(&registry.target(), "app", "v1", &[100_000], 7).await;
    let layer = &pushed.blobs[1].0;
    let proxy = Proxy::counting(&registry.host());
    let blob = format!("http://{}/v2/app/blobs/{layer}", proxy.host());
    let manifest = format!("http://{}/v2/app/manifests/v1", proxy.host());
    let http = client();
    // The 2nd and 3rd GET of a blob fail with 503; HEADs and manifests do not count toward it.
    proxy.fail(FailRule::new("GET", Kind::Blob).nth(2).times(2));
    let mut seen = Vec::new();
    for _ in 0..4 {
        assert_eq!(status(http.head(&blob)).await, 200);
        assert_eq!(status(http.get(&manifest).header("accept", image::OCI_MANIFEST)).await, 200);
        seen.push(status(http.get(&blob)).await);
    }
    assert_eq!(seen, [200, 503, 503, 200]);
    assert_eq!(proxy.counts().requests("GET", Kind::Blob), 4);

    // Close: no answer at all, once.
    proxy.clear_failures();
    proxy.fail(FailRule::new("GET", Kind::Blob).with(Failure::Close));
    let closed = http.get(&blob).send().await;
    assert!(closed.is_err(), "{closed:?}");
    assert_eq!(status(http.get(&blob)).await, 200);

    // CutBody: the head and 1000 bytes, then the connection ends.
    proxy.fail(FailRule::new("GET", Kind::Blob).with(Failure::CutBody(1000)));
    let mut response = http.get(&blob).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let mut read = 0;
    let ended = loop {
        match response.chunk().await {
            Ok(Some(chunk)) => read += chunk.len(),
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    assert!(ended.is_err(), "the body ended cleanly after {read} bytes");
    assert_eq!(read, 1000);
    let whole = http.get(&blob).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(uhub_testreg::digest(&whole), *layer);

    // Delay: held, then forwarded; a client that gives up first gets its timeout.
    proxy.fail(FailRule::new("GET", Kind::Blob).times(2).with(Failure::Delay(Duration::from_millis(600))));
    let impatient = http.get(&blob).timeout(Duration::from_millis(150)).send().await;
    assert!(impatient.as_ref().is_err_and(|e| e.is_timeout()), "{impatient:?}");
    let started = std::time::Instant::now();
    assert_eq!(status(http.get(&blob)).await, 200);
    assert!(started.elapsed() >= Duration::from_millis(600));
}

/// Run as a child process by the test below: starts a registry, says where, waits to be killed.
#[test]
fn child_process_holding_a_registry() {
    if std::env::var_os("UHUB_TESTREG_CHILD").is_none() {
        return;
    }
    let registry = Registry::start();
    // The harness prints the test's name on the same line first.
    let files = registry.storage_dir().parent().unwrap().display().to_string();
    println!("\nregistry={} {files}", registry.host());
    std::thread::sleep(Duration::from_secs(60));
}

#[test]
fn a_registry_dies_with_the_test_process_that_started_it() {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_process_holding_a_registry", "--nocapture", "--test-threads=1"])
        .env("UHUB_TESTREG_CHILD", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let host = loop {
        let line = lines.next().expect("the child ended before starting its registry").unwrap();
        if let Some((host, files)) = line.strip_prefix("registry=").and_then(|l| l.split_once(' ')) {
            break (host.to_owned(), files.to_owned());
        }
    };
    let (host, files) = host;
    assert!(!is_closed(&host));
    // SIGKILL: no destructor runs in the child; only the kernel can stop its registry.
    child.kill().unwrap();
    child.wait().unwrap();
    let started = std::time::Instant::now();
    while !is_closed(&host) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the registry on {host} outlived the process that started it"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // A killed process removes nothing: its registry's files are this test's to remove.
    std::fs::remove_dir_all(&files).unwrap();
}

#[test]
fn a_proxy_stops_when_dropped() {
    let registry = Registry::start();
    let proxy = Proxy::counting(&registry.host());
    let host = proxy.host();
    assert!(!is_closed(&host));
    drop(proxy);
    assert!(is_closed(&host), "something still listens on {host}");
}
