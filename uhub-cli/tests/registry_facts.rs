//! Registry facts in listings: `tag list --size --platforms` and `report --size` against
//! uhub-mock for the API and a real registry (docker-registry on 127.0.0.1, started here) as
//! the UHub registry, holding images pushed with the raw protocol. Expected sizes are counted
//! from what was pushed, independently of the code under test.

mod support;

use serde_json::Value;
use support::{DAY, Uhub, now};
use uhub_mock::{Image, MockHandle, MockUHub, Repo};
use uhub_testreg::image::{get_manifest, push_image, push_index};
use uhub_testreg::{Kind, Proxy, Pushed, Registry, Target};

const TWO: [&str; 2] = ["linux/amd64", "linux/arm64"];

/// Every byte stored for a pushed image: its blobs, its manifest and, for an index, each
/// platform's manifest, as the registry serves them.
async fn stored(t: &Target, repo: &str, pushed: &Pushed) -> u64 {
    let mut manifests = vec![pushed.digest.clone()];
    manifests.extend(pushed.children.iter().map(|(_, d)| d.clone()));
    let mut total = pushed.blob_bytes();
    for digest in manifests {
        total += get_manifest(t, repo, &digest).await.expect("the manifest was pushed").1.len() as u64;
    }
    total
}

async fn mock(repo: Repo) -> MockHandle {
    let mock = MockUHub::builder().repo(repo).start().await.expect("mock starts");
    mock.set_drift(true);
    mock
}

fn row<'a>(rows: &'a Value, tag: &str) -> &'a Value {
    rows.as_array().unwrap().iter().find(|r| r["tag"] == tag).unwrap_or_else(|| panic!("no row {tag}: {rows:#}"))
}

#[tokio::test]
async fn tag_list_shows_each_tags_size_and_platforms_as_pushed() {
    let registry = Registry::start();
    let proxy = Proxy::counting(&registry.host());
    let t = registry.target();
    let index = push_index(&t, "r/app", "v2", &TWO, &[30_000, 5_000], 1).await;
    assert_eq!(push_index(&t, "r/app", "stable", &TWO, &[30_000, 5_000], 1).await.digest, index.digest);
    let single = push_image(&t, "r/app", "v1", &[12_000], 2).await;
    let at = now();
    // `stable` names v2's image on the API (one digest): it is read once.
    let mock = mock(
        Repo::new("r").image(Image::new("app").tag_at("v1", at - 2 * DAY).tag_at("v2", at - DAY).alias("stable", "v2")),
    )
    .await;
    let uhub = Uhub::for_mock(&mock);
    let run = uhub.run(&["--registry", &proxy.host(), "tag", "list", "r/app", "--size", "--platforms"]).await;
    let rows = run.ok_json();

    let v2 = row(&rows, "v2");
    assert_eq!(v2["size"], stored(&t, "r/app", &index).await, "{v2}");
    assert_eq!(v2["platforms"], serde_json::json!(TWO));
    assert_eq!(row(&rows, "stable")["size"], v2["size"], "an alias shows its image's facts");
    let v1 = row(&rows, "v1");
    assert_eq!(v1["size"], stored(&t, "r/app", &single).await, "{v1}");
    assert_eq!(v1["platforms"], serde_json::json!(["linux/amd64"]), "a single image's platform, from its config");
    assert_eq!(v1["digest"], mock_digest(&mock, "v1").await, "the API's fields are still there");
    // v2: the index, two manifests (no config read for an index); v1: a manifest and its config.
    assert_eq!(proxy.counts().requests("GET", Kind::Manifest), 3 + 1, "{}", proxy.counts());

    // Only what was asked for.
    let sized = uhub.run(&["--registry", &proxy.host(), "tag", "list", "r/app", "--size"]).await.ok_json();
    assert!(row(&sized, "v1").get("platforms").is_none() && row(&sized, "v1")["size"].is_u64());
    let table =
        uhub.run(&["--registry", &proxy.host(), "-o", "table", "tag", "list", "r/app", "--size", "--platforms"]).await;
    assert_eq!(table.status, 0, "{table:#?}");
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines[0].split_whitespace().collect::<Vec<_>>(), ["TAG", "PUSHED", "DIGEST", "SIZE", "PLATFORMS"]);
    let v2_line = lines.iter().find(|l| l.starts_with("v2 ")).unwrap();
    assert!(v2_line.ends_with("linux/amd64,linux/arm64"), "{v2_line}");
}

async fn mock_digest(mock: &MockHandle, tag: &str) -> String {
    support::digest_of(mock, "r", "app", tag).await.unwrap()
}

#[tokio::test]
async fn without_the_flags_the_registry_is_never_asked() {
    let registry = Registry::start();
    let proxy = Proxy::counting(&registry.host());
    let mock = mock(Repo::new("r").image(Image::new("app").tags(["v1"]))).await;
    let uhub = Uhub::for_mock(&mock);
    uhub.run(&["--registry", &proxy.host(), "tag", "list", "r/app"]).await.ok_json();
    uhub.run(&["--registry", &proxy.host(), "report"]).await.ok_json();
    assert_eq!(proxy.counts().total_requests(), 0);
}

#[tokio::test]
async fn a_tag_the_registry_lacks_shows_no_facts_and_a_note() {
    let registry = Registry::start();
    let t = registry.target();
    push_image(&t, "r/app", "v1", &[1_000], 3).await;
    // `alias` has v1's digest on the API and is listed first, but the registry lacks it: v1's
    // name is read instead, and both show the facts.
    let mock = mock(Repo::new("r").image(Image::new("app").tags(["gone", "v1"]).alias("alias", "v1"))).await;
    let run = Uhub::for_mock(&mock).run(&["--registry", &registry.host(), "tag", "list", "r/app", "--size"]).await;
    let rows = run.ok_json();
    assert_eq!(support::tags_of(&rows)[0], "alias");
    assert!(row(&rows, "v1")["size"].as_u64().unwrap() > 1_000);
    assert_eq!(row(&rows, "alias")["size"], row(&rows, "v1")["size"]);
    assert!(row(&rows, "gone")["size"].is_null(), "{rows:#}");
    assert!(run.stderr.contains("1 tag(s) not found in the registry"), "{}", run.stderr);
}

#[tokio::test]
async fn a_registry_that_wants_credentials_gets_them_from_uhub_registry_creds() {
    let registry = Registry::start_basic("alice", "s3cret-pass");
    let t = Target::basic(registry.host(), "alice", "s3cret-pass");
    let pushed = push_image(&t, "r/app", "v1", &[2_000], 4).await;
    let mock = mock(Repo::new("r").image(Image::new("app").tags(["v1"]))).await;
    let args = ["--registry", &registry.host(), "tag", "list", "r/app", "--size"];

    let denied = Uhub::for_mock(&mock).run(&args).await;
    assert_eq!(denied.status, 1, "{denied:#?}");
    assert!(denied.stderr.contains("access denied"), "{}", denied.stderr);
    assert!(denied.stderr.contains("set UHUB_REGISTRY_CREDS=USER:PASS"), "{}", denied.stderr);

    let wrong = Uhub::for_mock(&mock).var("UHUB_REGISTRY_CREDS", "alice:nope").run(&args).await;
    assert_eq!(wrong.status, 1);
    assert!(!wrong.stderr.contains("nope"), "the password is never shown: {}", wrong.stderr);

    let bad = Uhub::for_mock(&mock).var("UHUB_REGISTRY_CREDS", "no-colon").run(&args).await;
    assert_eq!(bad.status, 2, "{bad:#?}");
    assert!(bad.stderr.contains("UHUB_REGISTRY_CREDS: credentials must be USER:PASS"), "{}", bad.stderr);

    let run = Uhub::for_mock(&mock).var("UHUB_REGISTRY_CREDS", "alice:s3cret-pass").run(&args).await;
    assert_eq!(row(&run.ok_json(), "v1")["size"], stored(&t, "r/app", &pushed).await);
}

#[tokio::test]
async fn asking_for_facts_without_a_registry_says_what_to_set() {
    let mock = mock(Repo::new("r").image(Image::new("app").tags(["v1"]))).await;
    // A custom base URL has no registry to guess.
    let run = Uhub::for_mock(&mock).run(&["tag", "list", "r/app", "--platforms"]).await;
    assert_eq!(run.status, 2, "{run:#?}");
    assert!(run.stderr.contains("--platforms reads the registry"), "{}", run.stderr);
    assert!(run.stderr.contains("set --registry HOST or UHUB_REGISTRY"), "{}", run.stderr);
    let demo = Uhub::bare().run(&["--demo", "report", "--size"]).await;
    assert_eq!(demo.status, 2, "{demo:#?}");
    assert!(demo.stderr.contains("--size reads the registry, and --demo has none"), "{}", demo.stderr);
    // Nothing listens on port 1 of this machine: the error names the flag to fix.
    let closed = Uhub::for_mock(&mock).run(&["--registry", "127.0.0.1:1", "tag", "list", "r/app", "--size"]).await;
    assert_eq!(closed.status, 1, "{closed:#?}");
    assert!(closed.stderr.contains("Set --registry HOST or UHUB_REGISTRY"), "{}", closed.stderr);
}

#[tokio::test]
async fn report_counts_the_bytes_each_repository_stores_with_shared_blobs_once() {
    let registry = Registry::start();
    let proxy = Proxy::counting(&registry.host());
    let t = registry.target();
    let index = push_index(&t, "r/app", "v2", &TWO, &[20_000, 4_000], 5).await;
    push_index(&t, "r/app", "stable", &TWO, &[20_000, 4_000], 5).await;
    let single = push_image(&t, "r/app", "v1", &[9_000], 6).await;
    // The same image (same seed, same bytes) in another image of the repository: stored once.
    let copy = push_image(&t, "r/web", "v1", &[9_000], 6).await;
    assert_eq!(copy.digest, single.digest);
    let other = push_image(&t, "s/db", "v1", &[7_000], 7).await;
    let at = now();
    let mock = MockUHub::builder()
        .repo(
            Repo::new("r")
                .image(Image::new("app").tag_at("v1", at - 2 * DAY).tag_at("v2", at - DAY).alias("stable", "v2"))
                .image(Image::new("web").tags(["v1"])),
        )
        .repo(Repo::new("s").image(Image::new("db").tags(["v1"])))
        .start()
        .await
        .unwrap();
    let run = Uhub::for_mock(&mock).run(&["--registry", &proxy.host(), "report", "--size"]).await;
    let report = run.ok_json();
    let repo = |name: &str| report.as_array().unwrap().iter().find(|r| r["repo"] == name).unwrap().clone();
    let expected = stored(&t, "r/app", &index).await + stored(&t, "r/app", &single).await;
    assert_eq!(repo("r")["stored_bytes"], expected, "{report:#}");
    assert_eq!(repo("s")["stored_bytes"], stored(&t, "s/db", &other).await);
    // Every tag read but `stable`, whose digest v2 has on the API.
    assert_eq!(proxy.counts().requests("GET", Kind::Manifest), 3 + 1 + 1 + 1, "{}", proxy.counts());

    let plain = Uhub::for_mock(&mock).run(&["report"]).await.ok_json();
    assert!(plain[0].get("stored_bytes").is_none(), "without --size, no field and no registry: {plain:#}");
}

#[tokio::test]
async fn check_indexes_keeps_a_tag_naming_a_platform_of_a_kept_index() {
    // `v2` is a two-platform index; its amd64 manifest is also tagged `v2-amd64`. Keeping the
    // newest tag keeps `v2`; deleting `v2-amd64` would delete a manifest `v2` lists.
    let registry = Registry::start();
    let t = registry.target();
    let index = push_index(&t, "r/app", "v2", &TWO, &[3_000, 500], 7).await;
    let amd64 = &index.children.iter().find(|(p, _)| p == "linux/amd64").unwrap().1;
    uhub_testreg::image::tag_manifest(&t, "r/app", amd64, "v2-amd64").await;
    push_image(&t, "r/app", "v1", &[1_000], 8).await;
    let at = now();
    let mock =
        mock(Repo::new("r").image(
            Image::new("app").tag_at("v1", at - 3 * DAY).tag_at("v2-amd64", at - 2 * DAY).tag_at("v2", at - DAY),
        ))
        .await;
    let uhub = Uhub::for_mock(&mock);
    let prune = ["--registry", &registry.host(), "prune", "r/app", "--keep-last", "1", "--no-keep-latest"];
    let planned = |json: &Value, tag: &str| row(&json["tags"], tag)["action"].as_str().unwrap().to_owned();

    let without = uhub.run(&prune).await.ok_json();
    assert_eq!(planned(&without, "v2-amd64"), "delete", "{without:#}");

    let with = uhub.run(&[&prune[..], &["--check-indexes"]].concat()).await.ok_json();
    assert_eq!(planned(&with, "v2"), "keep");
    assert_eq!(planned(&with, "v2-amd64"), "keep", "{with:#}");
    assert_eq!(row(&with["tags"], "v2-amd64")["reason"], "a platform of r/app:v2, which is kept");
    assert_eq!(planned(&with, "v1"), "delete", "a tag no kept index lists still goes");

    let applied = uhub.run(&[&prune[..], &["--check-indexes", "--apply", "--yes"]].concat()).await;
    assert_eq!(applied.status, 0, "{applied:#?}");
    let removed: Vec<String> = mock.removed_tags().into_iter().map(|r| r.tag).collect();
    assert_eq!(removed, ["v1"]);

    // Without a registry to read, the flag says what to set instead of planning blind.
    let blind = Uhub::for_mock(&mock).run(&["prune", "r/app", "--keep-last", "1", "--check-indexes"]).await;
    assert_eq!(blind.status, 2, "{blind:#?}");
}
