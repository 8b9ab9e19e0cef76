//! `uhub mirror` brings an image's accessories with it: a signed image mirrored by tag arrives
//! with its cosign signature and attestation and its OCI 1.1 referrer (with the fallback
//! index), digest for digest, on the image's line; `--no-accessories` leaves them; a sync
//! file's accessory tags are not images of their own; an accessory that fails fails its
//! image's line and says the image is there. Real docker-registries (testreg) and a scripted
//! source for the failure.

mod support;

use serde_json::Value;
use support::Uhub;
use uhub_loopback::Reply;
use uhub_registry::digest_tag;
use uhub_testreg::fake::{self, Scripted};
use uhub_testreg::{Registry, Target, image};

/// `repo:v1` signed, attested and with one referrer: the image's digest.
async fn signed(t: &Target, repo: &str) -> String {
    let pushed = image::push_image(t, repo, "v1", &[10_000, 2_000], 3).await;
    image::push_signature(t, repo, &pushed.digest).await;
    image::push_attestation(t, repo, &pushed.digest).await;
    image::push_referrer(t, repo, &pushed.digest, "application/vnd.example.sbom.v1+json", 1).await;
    pushed.digest
}

fn only_row(json: &Value) -> &Value {
    let rows = json["images"].as_array().unwrap_or_else(|| panic!("no list of images: {json}"));
    assert_eq!(rows.len(), 1, "{json}");
    &rows[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_image_arrives_with_its_accessories_and_no_accessories_leaves_them() {
    let (src, dst) = (Registry::start(), Registry::start());
    let digest = signed(&src.target(), "lib/app").await;
    let stem = digest_tag(&digest).unwrap();
    let source = format!("{}/lib/app:v1", src.host());
    let uhub = Uhub::bare();

    let json = uhub.run(&["mirror", &source, "--to", &format!("{}/mirror/app", dst.host())]).await.ok_json();
    let row = only_row(&json);
    assert_eq!(row["result"], "copied", "{row}");
    let kinds: Vec<&str> = row["accessories"].as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["signature", "attestation", "referrer"]);
    assert_eq!(row["accessories"][0]["tag"], format!("{stem}.sig"));
    assert_eq!(row["accessories"][2]["artifact_type"], "application/vnd.example.sbom.v1+json");
    assert_eq!(image::tags(&src.target(), "lib/app").await, image::tags(&dst.target(), "mirror/app").await);
    let referrer = row["accessories"][2]["digest"].as_str().unwrap().to_owned();
    for reference in ["v1".to_owned(), format!("{stem}.sig"), format!("{stem}.att"), referrer.clone(), stem.clone()] {
        image::assert_same_image(&src.target(), "lib/app", &dst.target(), "mirror/app", &reference).await;
    }

    // The table shares the image's line.
    let table = uhub.run(&["-o", "table", "mirror", &source, "--to", &format!("{}/mirror/app", dst.host())]).await;
    assert_eq!(table.status, 0, "{table:#?}");
    assert!(table.stdout.contains("+3 accessories"), "{}", table.stdout);
    let rows = table.stdout.lines().filter(|l| l.contains("/lib/app")).count();
    assert_eq!(rows, 1, "one line for the image and its accessories: {}", table.stdout);

    let bare =
        uhub.run(&["mirror", &source, "--to", &format!("{}/bare/app", dst.host()), "--no-accessories"]).await.ok_json();
    assert_eq!(only_row(&bare)["accessories"], serde_json::json!([]));
    assert_eq!(image::tags(&dst.target(), "bare/app").await, ["v1"]);
    assert_eq!(image::head_manifest(&dst.target(), "bare/app", &referrer).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_files_accessory_tags_travel_with_their_image_not_as_images() {
    let (src, dst) = (Registry::start(), Registry::start());
    let digest = signed(&src.target(), "lib/web").await;
    let stem = digest_tag(&digest).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sync.toml");
    // Every tag matches, cosign's and the fallback's too.
    std::fs::write(
        &file,
        format!("to = \"{}/m\"\n[[source]]\nfrom = \"{}/lib/web\"\ntags = [\".*\"]\n", dst.host(), src.host()),
    )
    .unwrap();
    let uhub = Uhub::bare();
    let json = uhub.run(&["mirror", "--file", file.to_str().unwrap()]).await.ok_json();
    let row = only_row(&json);
    assert_eq!(
        (row["destination"].as_str().unwrap(), row["result"].as_str().unwrap()),
        (format!("{}/m/web:v1", dst.host()).as_str(), "copied")
    );
    assert_eq!(row["accessories"].as_array().unwrap().len(), 3, "{row}");
    assert_eq!(image::tags(&src.target(), "lib/web").await, image::tags(&dst.target(), "m/web").await);

    // Without accessories they are tags like any other, each its own line.
    let json = uhub.run(&["mirror", "--file", file.to_str().unwrap(), "--no-accessories", "--dry-run"]).await.ok_json();
    let mut tags: Vec<String> = json["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["source"].as_str().unwrap().rsplit(':').next().unwrap().to_owned())
        .collect();
    tags.sort();
    assert_eq!(tags, [stem.clone(), format!("{stem}.att"), format!("{stem}.sig"), "v1".to_owned()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accessory_that_fails_fails_its_images_line_which_says_the_image_is_there() {
    let (config, image, image_digest) = fake::config_only_image();
    // A referrer listed by the API whose bytes are not its digest.
    let listed = format!("sha256:{}", "ab".repeat(32));
    let entry =
        format!(r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{listed}","size":10}}"#);
    let list =
        format!(r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{entry}]}}"#);
    let source = Scripted::default()
        .manifest("v1", "application/vnd.oci.image.manifest.v1+json", image.as_bytes())
        .manifest_as(&listed, "application/vnd.oci.image.manifest.v1+json", image.as_bytes())
        .blob(config)
        .referrers(
            &image_digest,
            Reply::status(200, list).header("Content-Type", "application/vnd.oci.image.index.v1+json"),
        )
        .start()
        .await;
    let dst = Registry::start();
    let run = Uhub::bare()
        .run(&["mirror", &format!("{}/app:v1", source.addr()), "--to", &format!("{}/m/app", dst.host())])
        .await;
    assert_eq!(run.status, 4, "{run:#?}");
    let json = run.json();
    let row = only_row(&json);
    assert_eq!(row["result"], "failed");
    assert_eq!(row["digest"], image_digest.as_str());
    let error = row["error"].as_str().unwrap();
    assert!(error.starts_with("the image was copied, not all its accessories:"), "{error}");
    assert!(error.contains(&listed) && error.contains("the bytes served have digest"), "{error}");
    assert_eq!(image::head_manifest(&dst.target(), "m/app", "v1").await.as_deref(), Some(image_digest.as_str()));
}

/// The peak memory of `uhub mirror` from a scripted source whose referrers API answers
/// `referrers` into a sink, and its JSON. The test process holds no large body while the child
/// runs: a child's peak counts the parent's pages it was spawned with.
fn mirror_peak(referrers: Reply) -> (Value, i64) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (config, image, image_digest) = fake::config_only_image();
    let (source, sink) = runtime.block_on(async {
        let source = Scripted::default()
            .manifest("v1", "application/vnd.oci.image.manifest.v1+json", image.as_bytes())
            .blob(config)
            .referrers(&image_digest, referrers)
            .start()
            .await;
        (source, fake::sink().await)
    });
    let home = tempfile::tempdir().unwrap();
    let mut uhub = std::process::Command::new(env!("CARGO_BIN_EXE_uhub"));
    uhub.env_clear().env("HOME", home.path()).env("NO_COLOR", "1").args([
        "mirror",
        &format!("{}/app:v1", source.addr()),
        "--to",
        &format!("{}/m/app", sink.addr()),
    ]);
    let run = uhub_testreg::peak::run(uhub, std::time::Duration::from_secs(60));
    let json = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run:?}"));
    drop(runtime);
    (json, run.peak_kib)
}

#[test]
fn a_referrers_list_without_end_is_refused_within_bounded_memory() {
    const HEAD: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":["#;
    let index = |body: String| {
        Reply::status(200, body).header("Content-Type", "application/vnd.oci.image.index.v1+json").chunked()
    };
    let (empty, empty_kib) = mirror_peak(index(format!("{HEAD}]}}")));
    assert_eq!(only_row(&empty)["result"], "copied", "{empty}");
    // Descriptors of about 500 bytes, sent until the client hangs up (100,000 of them in the
    // first 50 MB), chunked so no length warns of the size.
    let entry = format!(
        r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{}","size":10,"annotations":{{"padding":"{}"}}}},"#,
        "ab".repeat(32),
        "x".repeat(380)
    );
    let (endless, endless_kib) = mirror_peak(index(HEAD.to_owned()).endless(entry));
    let row = only_row(&endless);
    assert_eq!(row["result"], "failed", "{row}");
    let error = row["error"].as_str().unwrap();
    assert!(error.starts_with("the image was copied") && error.contains("larger than 4194304 bytes"), "{error}");
    eprintln!("peak RSS: {empty_kib} KiB with no referrers, {endless_kib} KiB with a list without end");
    assert!(endless_kib - empty_kib < 16 << 10, "the list took {endless_kib} KiB at the peak, none {empty_kib}");
}
