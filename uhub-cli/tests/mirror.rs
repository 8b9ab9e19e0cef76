//! `uhub mirror` end to end: the binary between real registries (testreg), with uhub-mock as
//! UHub's API when the destination is "the UHub registry" (`--registry 127.0.0.1:PORT`).

mod support;

use serde_json::Value;
use support::Uhub;
use uhub_loopback::{Handler, Reply, Server};
use uhub_mock::MockUHub;
use uhub_testreg::{Kind, Proxy, Registry, Target, image};

fn rows(json: &Value) -> Vec<(String, String)> {
    json["images"]
        .as_array()
        .unwrap_or_else(|| panic!("no images list: {json}"))
        .iter()
        .map(|r| (r["destination"].as_str().unwrap().to_owned(), r["result"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_platform_is_copied_and_a_rerun_gets_nothing() {
    let (src, dst) = (Registry::start(), Registry::start());
    let proxy = Proxy::counting(&dst.host());
    let pushed =
        image::push_index(&src.target(), "lib/app", "1.0", &["linux/amd64", "linux/arm64"], &[2000, 30_000], 1).await;
    let source = format!("{}/lib/app:1.0", src.host());
    let to = format!("{}/mirror", proxy.host());
    let uhub = Uhub::bare();

    let run = uhub.run(&["mirror", &source, "--to", &to]).await;
    let json = run.ok_json();
    assert_eq!(rows(&json), vec![(format!("{}/mirror/app:1.0", proxy.host()), "copied".to_owned())]);
    let row = &json["images"][0];
    assert_eq!(row["digest"], pushed.digest.as_str());
    assert_eq!(row["platforms"], serde_json::json!(["linux/amd64", "linux/arm64"]));
    assert_eq!(row["bytes"], pushed.blob_bytes());
    assert_eq!(row["blobs_copied"], pushed.blobs.len());
    image::assert_same_image(&src.target(), "lib/app", &dst.target(), "mirror/app", "1.0").await;

    proxy.reset();
    let again = uhub.run(&["mirror", &source, "--to", &to]).await.ok_json();
    assert_eq!(again["images"][0]["result"], "unchanged");
    assert_eq!(again["images"][0]["digest"], pushed.digest.as_str());
    let counts = proxy.counts();
    assert_eq!(counts.requests("GET", Kind::Manifest) + counts.requests("GET", Kind::Blob), 0, "{counts:?}");
    assert_eq!(counts.total_bytes_in(), 0, "{counts:?}");
    // One HEAD and nothing else: not even `GET /v2/` (an open registry is not asked about auth).
    assert_eq!((counts.total_requests(), counts.requests("HEAD", Kind::Manifest)), (1, 1), "{counts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_then_a_platform_subset_with_its_rewritten_index() {
    let (src, dst) = (Registry::start(), Registry::start());
    let pushed = image::push_index(&src.target(), "app", "2", &["linux/amd64", "linux/arm64"], &[5000], 2).await;
    let source = format!("{}/app:2", src.host());
    let to = format!("{}/ops/web", dst.host());
    let uhub = Uhub::bare();

    let dry = uhub.run(&["mirror", &source, "--to", &to, "--dry-run"]).await.ok_json();
    assert_eq!(dry["images"][0]["result"], "would_copy");
    assert_eq!(dry["images"][0]["bytes"], pushed.blob_bytes());
    assert_eq!(image::head_manifest(&dst.target(), "ops/web", "2").await, None, "a dry run pushes nothing");

    let run = uhub.run(&["mirror", &source, "--to", &to, "--platform", "linux/arm64"]).await.ok_json();
    assert_eq!(run["images"][0]["result"], "copied");
    assert_eq!(run["images"][0]["source_digest"], pushed.digest.as_str());
    assert_eq!(run["images"][0]["platforms"], serde_json::json!(["linux/arm64"]));
    let (_, index) = image::get_manifest(&dst.target(), "ops/web", "2").await.unwrap();
    let index: Value = serde_json::from_slice(&index).unwrap();
    let children: Vec<&str> =
        index["manifests"].as_array().unwrap().iter().map(|m| m["digest"].as_str().unwrap()).collect();
    assert_eq!(children, vec![pushed.children[1].1.as_str()]);
    assert_eq!(uhub_testreg::digest(&serde_json::to_vec(&index).unwrap()).len(), 71);

    let missing = uhub.run(&["mirror", &source, "--to", &to, "--platform", "linux/ppc64le"]).await;
    assert_eq!(missing.status, 4, "{missing:#?}");
    let error = missing.json()["images"][0]["error"].as_str().unwrap().to_owned();
    assert!(error.ends_with("has no platform linux/ppc64le; it has linux/amd64, linux/arm64"), "{error}");
}

/// A registry on uhub-loopback whose blobs are the wrong bytes: it fails midway through a copy.
async fn lying_source() -> Server {
    let (config, manifest, digest) = uhub_testreg::fake::config_only_image();
    let manifest = Reply::json(&manifest).header("Content-Type", "application/vnd.oci.image.manifest.v1+json");
    uhub_testreg::fake::source(manifest, digest, |_| vec![b'x'; config.len()]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_failing_midway_leaves_the_others_copied_and_the_report_exact() {
    let (src, dst) = (Registry::start(), Registry::start());
    let first = image::push_image(&src.target(), "a", "1", &[1000], 3).await;
    let last = image::push_image(&src.target(), "c", "1", &[1000], 4).await;
    let liar = lying_source().await;
    let sources = [format!("{}/a:1", src.host()), format!("{}/b:1", liar.addr()), format!("{}/c:1", src.host())];
    let to = format!("{}/m", dst.host());
    let run = Uhub::bare().run(&["mirror", &sources[0], &sources[1], &sources[2], "--to", &to]).await;

    assert_eq!(run.status, 4, "{run:#?}");
    let json = run.json();
    assert_eq!(
        rows(&json),
        // The failure first, then the others in order.
        vec![
            (format!("{to}/b:1"), "failed".to_owned()),
            (format!("{to}/a:1"), "copied".to_owned()),
            (format!("{to}/c:1"), "copied".to_owned()),
        ]
    );
    assert_eq!(json["images"][1]["digest"], first.digest.as_str());
    assert_eq!(json["images"][2]["digest"], last.digest.as_str());
    let error = json["images"][0]["error"].as_str().unwrap();
    assert!(error.contains("the bytes served have digest") && error.contains("nothing was committed"), "{error}");
    assert_eq!(json["images"][0]["digest"], Value::Null);
    assert_eq!(image::head_manifest(&dst.target(), "m/b", "1").await, None);
    image::assert_same_image(&src.target(), "a", &dst.target(), "m/a", "1").await;
    image::assert_same_image(&src.target(), "c", &dst.target(), "m/c", "1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_uhub_repository_is_created_private_first_and_only_once() {
    let (src, uhub_registry) = (Registry::start(), Registry::start());
    let mock = MockUHub::builder().start().await.unwrap();
    image::push_image(&src.target(), "lib/tool", "3", &[1000], 5).await;
    let source = format!("{}/lib/tool:3", src.host());
    let to = format!("{}/newrepo", uhub_registry.host());
    let uhub = Uhub::for_mock(&mock);

    let dry = uhub.run(&["mirror", &source, "--to", &to, "--registry", &uhub_registry.host(), "--dry-run"]).await;
    assert_eq!(dry.status, 0, "{dry:#?}");
    assert!(dry.stderr.contains("would create the private UHub repository newrepo"), "{dry:#?}");
    assert_eq!(mock.requests("CreateRepo"), 0);

    let run = uhub.run(&["mirror", &source, "--to", &to, "--registry", &uhub_registry.host()]).await;
    assert_eq!(run.ok_json()["images"][0]["result"], "copied");
    assert!(run.stderr.contains("created the private UHub repository newrepo"), "{run:#?}");
    assert_eq!(mock.requests("CreateRepo"), 1);
    let repos = support::client(&mock).get_repo().repo_type(uhub_sdk::RepoType::Private).send().await.unwrap();
    assert!(repos.repo_set.iter().any(|r| r.repo_name == "newrepo"), "{repos:?}");
    image::assert_same_image(&src.target(), "lib/tool", &uhub_registry.target(), "newrepo/tool", "3").await;

    let again = uhub.run(&["mirror", &source, "--to", &to, "--registry", &uhub_registry.host()]).await;
    assert_eq!(again.ok_json()["images"][0]["result"], "unchanged");
    assert_eq!(mock.requests("CreateRepo"), 1, "an existing repository is not created again");

    // UHub's own registry without API keys: an error naming them, before any copy.
    let keyless = Uhub::bare().run(&["mirror", &source, "--to", "uhub.service.ucloud.cn/mirror"]).await;
    assert_eq!(keyless.status, 1, "{keyless:#?}");
    assert!(keyless.stderr.contains("UCLOUD_PUBLIC_KEY") && keyless.stdout.is_empty(), "{keyless:#?}");

    // Another registry is not UHub: no API call, so no keys needed.
    let other = Registry::start();
    let plain = Uhub::bare().run(&["mirror", &source, "--to", &format!("{}/x", other.host())]).await;
    assert_eq!(plain.ok_json()["images"][0]["result"], "copied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_from_the_environment_work_and_no_password_is_ever_printed() {
    let private = Registry::start_basic("alice", "s3cret-pass");
    let dst = Registry::start();
    image::push_image(&Target::basic(private.host(), "alice", "s3cret-pass"), "p/app", "1", &[1000], 6).await;
    let source = format!("{}/p/app:1", private.host());
    let to = format!("{}/copy", dst.host());

    let good = Uhub::bare().var("UHUB_SRC_CREDS", "alice:s3cret-pass");
    let run = good.run(&["mirror", &source, "--to", &to, "--debug"]).await;
    assert_eq!(run.ok_json()["images"][0]["result"], "copied");
    assert!(!run.stdout.contains("s3cret") && !run.stderr.contains("s3cret"), "{run:#?}");

    let wrong = Uhub::bare().var("UHUB_SRC_CREDS", "alice:wrong-pass-42");
    let run = wrong.run(&["mirror", &source, "--to", &format!("{}/other", dst.host()), "--debug"]).await;
    assert_eq!(run.status, 4, "{run:#?}");
    assert!(run.json()["images"][0]["error"].as_str().unwrap().contains("access denied"), "{run:#?}");
    assert!(!run.stdout.contains("wrong-pass-42") && !run.stderr.contains("wrong-pass-42"), "{run:#?}");

    let help = Uhub::bare().var("UHUB_DEST_CREDS", "bob:hidden-in-help").run(&["mirror", "--help"]).await;
    assert!(help.stdout.contains("UHUB_DEST_CREDS") && !help.stdout.contains("hidden-in-help"), "{help:#?}");
    let bad = Uhub::bare().run(&["mirror", &source, "--to", &to, "--src-creds", "no-colon-secret"]).await;
    assert_eq!(bad.status, 2, "{bad:#?}");
    assert!(bad.stderr.contains("USER:PASS") && !bad.stderr.contains("no-colon-secret"), "{bad:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_file_copies_the_tags_it_chooses() {
    let (src, dst) = (Registry::start(), Registry::start());
    for (n, tag) in ["1.0", "1.1", "2.0", "latest", "edge"].iter().enumerate() {
        image::push_image(&src.target(), "lib/web", tag, &[500], n as u64).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sync.toml");
    std::fs::write(
        &file,
        format!(
            "to = \"{}/mirror\"\n\n[[source]]\nfrom = \"{}/lib/web\"\ntags = [\"[0-9.]+\", \"latest\"]\nnewest = 2\n",
            dst.host(),
            src.host()
        ),
    )
    .unwrap();
    let uhub = Uhub::bare();
    let run = uhub.run(&["mirror", "--file", file.to_str().unwrap()]).await.ok_json();
    let mut got = rows(&run);
    got.sort();
    let want = |tag: &str| (format!("{}/mirror/web:{tag}", dst.host()), "copied".to_owned());
    assert_eq!(got, vec![want("1.1"), want("2.0"), want("latest")]);
    let again = uhub.run(&["mirror", "--file", file.to_str().unwrap()]).await.ok_json();
    assert!(rows(&again).iter().all(|(_, r)| r == "unchanged"), "{again}");

    // A source whose tags cannot be listed fails alone; the others are copied.
    std::fs::write(
        &file,
        format!(
            "to = \"{}/m2\"\n[[source]]\nfrom = \"{}/lib/absent\"\n[[source]]\nfrom = \"{}/lib/web\"\ntags = [\"edge\"]\n",
            dst.host(),
            src.host(),
            src.host()
        ),
    )
    .unwrap();
    let partial = uhub.run(&["mirror", "--file", file.to_str().unwrap()]).await;
    assert_eq!(partial.status, 4, "{partial:#?}");
    let json = partial.json();
    assert_eq!(
        rows(&json),
        vec![
            (format!("{}/m2", dst.host()), "failed".to_owned()),
            (format!("{}/m2/web:edge", dst.host()), "copied".to_owned())
        ]
    );
    assert_eq!(json["images"][0]["source"], format!("{}/lib/absent", src.host()));
    let error = json["images"][0]["error"].as_str().unwrap();
    assert!(error.starts_with("listing its tags: list tags of") && error.ends_with("not found"), "{error}");

    std::fs::write(&file, "[[source]]\nfrom = \"x.example/a\"\nnewest = \"two\"\n").unwrap();
    let bad = uhub.run(&["mirror", "--file", file.to_str().unwrap()]).await;
    assert_eq!(bad.status, 2, "{bad:#?}");
    assert!(bad.stderr.contains("sync.toml"), "{bad:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_order_reads_build_times_only_for_tags_whose_names_may_be_taken() {
    // Reading a build time costs a manifest and a config GET; Docker Hub counts GETs against
    // its pull limit, so tags the names already rule out must cost nothing.
    let (src, dst) = (Registry::start(), Registry::start());
    for (n, tag) in ["1.0", "1.1", "nightly-1", "nightly-2", "nightly-3"].iter().enumerate() {
        image::push_image(&src.target(), "lib/web", tag, &[300], n as u64).await;
    }
    let proxy = Proxy::counting(&src.host());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sync.toml");
    let sync = format!(
        "to = \"{}/mirror\"\n[[source]]\nfrom = \"{}/lib/web\"\ntags = [\"1\\\\..*\"]\nnewest = 1\norder = \"push\"\n",
        dst.host(),
        proxy.host()
    );
    std::fs::write(&file, sync).unwrap();
    let run = Uhub::bare().run(&["mirror", "--file", file.to_str().unwrap(), "--dry-run"]).await.ok_json();
    assert_eq!(rows(&run).len(), 1, "{run}");
    // Two tags match `1\..*`: one config GET each for their build times, none for the nightlies.
    assert_eq!(proxy.counts().requests("GET", Kind::Blob), 2, "{:?}", proxy.counts());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_finishes_the_image_in_flight_starts_no_other_and_reports() {
    let (src, dst) = (Registry::start(), Registry::start());
    let proxy = Proxy::counting(&src.host());
    for name in ["a", "b", "c"] {
        image::push_image(&src.target(), name, "1", &[1000], 7).await;
    }
    // Each blob GET waits a second, so the signal comes while the first image copies.
    proxy.fail(
        uhub_testreg::FailRule::new("GET", Kind::Blob)
            .times(100)
            .with(uhub_testreg::Failure::Delay(std::time::Duration::from_secs(1))),
    );
    let sources: Vec<String> = ["a", "b", "c"].iter().map(|n| format!("{}/{n}:1", proxy.host())).collect();
    let to = format!("{}/m", dst.host());
    let uhub = Uhub::bare();
    let child = uhub.spawn(&["mirror", &sources[0], &sources[1], &sources[2], "--to", &to, "--images", "1"]);
    let started = std::time::Instant::now();
    while proxy.counts().requests("GET", Kind::Blob) < 1 {
        assert!(started.elapsed() < support::LIMIT, "no blob was asked for");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let out = tokio::time::timeout(support::LIMIT, child.wait_with_output()).await.unwrap().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("2 of 3 images not finished; running the same command again continues"), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rows(&report).into_iter().map(|(_, r)| r).collect::<Vec<_>>(),
        // What the stop left unfinished comes before what finished.
        vec!["not_started", "not_started", "copied"],
        "{report}"
    );
    image::assert_same_image(&src.target(), "a", &dst.target(), "m/a", "1").await;
    assert_eq!(image::head_manifest(&dst.target(), "m/b", "1").await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_byte_progress_bar_is_drawn_on_a_terminal_only() {
    let (src, dst) = (Registry::start(), Registry::start());
    let proxy = Proxy::counting(&src.host());
    image::push_image(&src.target(), "app", "1", &[3_000_000], 8).await;
    // Slow blobs keep the bar on screen for a few ticks.
    proxy.fail(
        uhub_testreg::FailRule::new("GET", Kind::Blob)
            .times(100)
            .with(uhub_testreg::Failure::Delay(std::time::Duration::from_millis(600))),
    );
    let source = format!("{}/app:1", proxy.host());
    let uhub = Uhub::bare();

    let mut term = support::pty::Terminal::start(&uhub, &["mirror", &source, "--to", &format!("{}/t", dst.host())]);
    term.wait_for("MiB").await;
    assert_eq!(term.exit_code().await, 0, "{}", term.text());
    let screen = term.text();
    assert!(screen.contains(&format!("copying {source}")), "{screen}");
    assert!(screen.contains("1 copied (3.0 MB sent), 0 unchanged"), "{screen}");

    let piped = uhub.run(&["mirror", &source, "--to", &format!("{}/p", dst.host())]).await;
    assert_eq!(piped.ok_json()["images"][0]["result"], "copied");
    assert!(!piped.stderr.contains("copying") && !piped.stderr.contains("MiB"), "{piped:#?}");
}

#[tokio::test]
async fn credentials_given_once_are_never_sent_to_a_second_registry() {
    let run = Uhub::bare()
        .var("UHUB_SRC_CREDS", "alice:for-one-registry")
        .run(&["mirror", "127.0.0.1:9/a:1", "docker.io/library/nginx:1", "--to", "127.0.0.1:9/m"])
        .await;
    assert_eq!(run.status, 2, "{run:#?}");
    assert!(
        run.stderr.contains(
            "--src-creds (or UHUB_SRC_CREDS) is for one registry, and these images are on 127.0.0.1:9, docker.io"
        ),
        "{run:#?}"
    );
    assert!(!run.stderr.contains("for-one-registry"), "{run:#?}");
}

#[tokio::test]
async fn the_demo_never_mirrors() {
    let run = Uhub::bare().run(&["--demo", "mirror", "nginx:1.27", "--to", "uhub.service.ucloud.cn/mirror"]).await;
    assert_eq!(run.status, 2, "{run:#?}");
    assert!(run.stderr.contains("run it without --demo") && run.stdout.is_empty(), "{run:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_output_escapes_what_a_hostile_registry_says() {
    // A destination that refuses uploads with terminal escapes in its error: --debug prints the
    // retries, and a registry's words must reach the terminal as text, not as commands.
    let src = Registry::start();
    image::push_image(&src.target(), "a", "1", &[500], 9).await;
    let evil = "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}gone\"}]}";
    let hostile = Server::start(Handler::new(move |request| {
        if request.path == "/v2/" {
            Reply::json("{}")
        } else if request.method == "HEAD" {
            Reply::status(404, "")
        } else {
            Reply::status(503, evil).header("Content-Type", "application/json")
        }
    }))
    .await;
    let source = format!("{}/a:1", src.host());
    let run = Uhub::bare().run(&["mirror", &source, "--to", &format!("{}/m", hostile.addr()), "--debug"]).await;
    assert_eq!(run.status, 4, "{run:#?}");
    assert!(run.stderr.contains("trying again"), "the retries are shown: {}", run.stderr);
    let raw = |c: char| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c);
    assert!(!run.stderr.chars().any(raw), "{:?}", run.stderr);
    assert!(!run.stdout.chars().any(raw), "{:?}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_that_never_answers_is_given_up_at_timeout() {
    // It accepts connections and reads requests but says nothing: without --timeout the copy
    // would wait for the read timeout of every attempt.
    let silent = Server::start(Handler::new(|_| Reply::silent())).await;
    let dst = Registry::start();
    let started = std::time::Instant::now();
    let run = Uhub::bare()
        .run(&["mirror", &format!("{}/a/b:1", silent.addr()), "--to", &format!("{}/m", dst.host()), "--timeout", "2s"])
        .await;
    assert_eq!(run.status, 5, "{run:#?}");
    // --timeout, then the 10 s grace a copy in flight gets, then the report: not the 20 s the
    // command waits for a stopped run to report, nor the read timeouts of three attempts.
    assert!(started.elapsed() < std::time::Duration::from_secs(17), "{:?}", started.elapsed());
    let json = run.json();
    assert_eq!(rows(&json), vec![(format!("{}/m/b:1", dst.host()), "interrupted".to_owned())]);
    assert!(run.stderr.contains("gave up at --timeout"), "{}", run.stderr);
    assert_eq!(image::head_manifest(&dst.target(), "m/b", "1").await, None);
}
