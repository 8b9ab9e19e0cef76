//! Full references on the command line: `[HOST/]REPO/IMAGE:TAG[@sha256:DIGEST]`. A host is
//! accepted when it is the configured registry's; a digest pins the image; anything that does
//! not parse is a usage error (status 2) and no request is sent.

mod support;

use support::{DAY, Uhub, client, now, tag_names};
use uhub_mock::{Image, MockHandle, MockUHub, Repo};

const REGISTRY: &str = "uhub.service.ucloud.cn";

async fn app() -> MockHandle {
    let t = now();
    let image = Image::new("app").tag_at("v1", t - 3 * DAY).tag_at("v2", t - DAY);
    let mock = MockUHub::builder().repo(Repo::new("r").image(image)).start().await.unwrap();
    mock.set_drift(true);
    mock
}

async fn digest_of(mock: &MockHandle, tag: &str) -> String {
    client(mock).get_image_tag("r", "app").tag_name(tag).await.unwrap().tag_set[0].digest.clone().unwrap()
}

fn uhub(mock: &MockHandle) -> Uhub {
    Uhub::for_mock(mock).var("UHUB_REGISTRY", REGISTRY)
}

#[tokio::test]
async fn unparsable_references_are_usage_errors_and_send_nothing() {
    let mock = app().await;
    let uhub = uhub(&mock);
    for (args, says) in [
        (vec!["tag", "delete", "r/app:v1@sha256:0123", "--yes"], "64 lower-case hex digits"),
        (vec!["tag", "delete", "r/app:v1@latest", "--yes"], "after @ comes a digest"),
        (vec!["digest", "docker.io/r/app:v1"], "docker.io is not the registry of the configured provider"),
        (vec!["wait", "ghcr.io/r/app:v1"], "ghcr.io is not the registry"),
        (vec!["tag", "delete", "docker.io/r/app:v1", "--yes"], "docker.io is not the registry"),
        (vec!["tag", "list", "uhub.service.ucloud.cn/r/app"], "registry host"),
    ] {
        let run = uhub.run(&args).await;
        assert_eq!(run.status, 2, "{args:?}: {run:#?}");
        assert!(run.stderr.starts_with("uhub: error: ") && run.stderr.contains(says), "{args:?}: {}", run.stderr);
        assert_eq!(mock.total_requests(), 0, "{args:?} sent a request");
    }
    let stdin = uhub.run_with_stdin(&["tag", "delete", "-", "--yes"], Some("r/app:v2\ndocker.io/r/app:v1\n")).await;
    assert_eq!(stdin.status, 2, "{stdin:#?}");
    assert_eq!(mock.total_requests(), 0);
    assert_eq!(tag_names(&mock, "r", "app").await, ["v2", "v1"]);
}

#[tokio::test]
async fn the_configured_registry_host_is_accepted() {
    let mock = app().await;
    let uhub = uhub(&mock);
    let digest = digest_of(&mock, "v1").await;
    let shown = uhub.run(&["digest", &format!("{REGISTRY}/r/app:v1"), "-q"]).await;
    assert_eq!((shown.status, shown.stdout.trim()), (0, digest.as_str()), "{shown:#?}");

    let deleted = uhub.run(&["tag", "delete", &format!("{REGISTRY}/r/app:v1"), "--yes"]).await;
    assert_eq!(deleted.status, 0, "{deleted:#?}");
    assert_eq!(tag_names(&mock, "r", "app").await, ["v2"]);

    // With a custom base URL and no registry set, a host cannot be checked: refused.
    let unknown = Uhub::for_mock(&mock).run(&["digest", &format!("{REGISTRY}/r/app:v2")]).await;
    assert_eq!(unknown.status, 2, "{unknown:#?}");
    assert!(unknown.stderr.contains("cannot check the registry host"), "{}", unknown.stderr);
}

#[tokio::test]
async fn digest_checks_a_pinned_digest() {
    let mock = app().await;
    let uhub = uhub(&mock);
    let (v1, v2) = (digest_of(&mock, "v1").await, digest_of(&mock, "v2").await);
    let same = uhub.run(&["digest", &format!("r/app:v1@{v1}")]).await.ok_json();
    assert_eq!(same["digest"], v1.as_str());
    let moved = uhub.run(&["digest", &format!("r/app:v1@{v2}")]).await;
    assert_eq!(moved.status, 1, "{moved:#?}");
    assert!(moved.stderr.contains(&format!("r/app:v1 now has the digest {v1}, not the {v2}")), "{}", moved.stderr);
}

#[tokio::test]
async fn wait_with_a_pinned_digest_waits_for_that_image() {
    let mock = app().await;
    let uhub = uhub(&mock);
    let (v1, v2) = (digest_of(&mock, "v1").await, digest_of(&mock, "v2").await);
    let there = uhub.run(&["wait", &format!("r/app:v1@{v1}"), "--timeout", "5s"]).await.ok_json();
    assert_eq!(there["digest"], v1.as_str());
    let other = uhub.run(&["wait", &format!("r/app:v1@{v2}"), "--timeout", "1s", "--interval", "200ms"]).await;
    assert_eq!(other.status, 5, "{other:#?}");
    assert!(other.stderr.contains("not the pinned digest"), "{}", other.stderr);
}

#[tokio::test]
async fn tag_delete_with_a_pinned_digest_deletes_only_while_it_matches() {
    let mock = app().await;
    let uhub = uhub(&mock);
    let (v1, v2) = (digest_of(&mock, "v1").await, digest_of(&mock, "v2").await);
    // The pinned tag has moved: it is left alone and reported, the other tag goes.
    let moved = uhub.run(&["tag", "delete", &format!("r/app:v1@{v2}"), "r/app:v2", "--yes", "-o", "json"]).await;
    assert_eq!(moved.status, 6, "{moved:#?}");
    let report = moved.json();
    let results: Vec<(&str, &str)> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["tag"].as_str().unwrap(), o["result"].as_str().unwrap()))
        .collect();
    assert_eq!(results, [("v1", "changed"), ("v2", "deleted")]);
    assert_eq!(mock.requests("DeleteRepoImage"), 1);
    assert_eq!(tag_names(&mock, "r", "app").await, ["v1"]);
    let same = uhub.run(&["tag", "delete", &format!("r/app:v1@{v1}"), "--yes"]).await;
    assert_eq!(same.status, 0, "{same:#?}");
    assert!(tag_names(&mock, "r", "app").await.is_empty());
}
