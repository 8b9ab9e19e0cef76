//! `uhub mirror --file` from a source registry nobody controls: its tag list holds names that
//! are paths, escapes, control characters, a 10,000-character name and an empty one. The
//! destination is a real registry (docker-registry) behind a counting proxy: it must see only
//! requests for the repository it was asked to fill, and everything else it holds must be as
//! it was. And a source that pages its list 100 at a time, whatever is asked, is read to the
//! end.

mod support;

use std::collections::HashMap;
use std::sync::Arc;

use support::Uhub;
use uhub_loopback::{Handler, Reply, Server};
use uhub_testreg::{Proxy, Registry, image};

/// The names the hostile source lists besides its honest tags, and whether the sync file's
/// filter would take them (so the report shows them refused).
fn hostile_names() -> Vec<(String, bool)> {
    vec![
        // Resolved, these reach another tag and another repository of the destination.
        ("2.0.2/../../../nginx/manifests/latest".to_owned(), true),
        ("2.0.9/../../../../other/app/manifests/1".to_owned(), true),
        // Resolved, this is the destination host's API, with its credentials.
        ("1.0/../../../../../../api/v2.0/projects/prod".to_owned(), true),
        ("%2e%2e".to_owned(), true),
        ("x\u{1b}[31m\nred".to_owned(), true),
        ("b".repeat(10_000), true),
        ("2.0.4 ".to_owned(), true),
        // Not taken by the filter: nothing to report, nothing sent.
        (String::new(), false),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_tag_list_changes_nothing_outside_the_repository_asked_for() {
    // The honest images the hostile source serves, as a real registry holds them: one per
    // honest tag, each manifest by tag and by digest.
    let origin = Registry::start();
    let mut manifests = HashMap::new();
    let mut blobs = HashMap::new();
    for (tag, seed) in [("2.0.1", 11), ("2.0.3", 12)] {
        let pushed = image::push_image(&origin.target(), "lib/nginx", tag, &[700], seed).await;
        let (media_type, manifest) = image::get_manifest(&origin.target(), "lib/nginx", tag).await.unwrap();
        for (digest, _) in &pushed.blobs {
            blobs.insert(digest.clone(), image::get_blob(&origin.target(), "lib/nginx", digest).await.unwrap());
        }
        let served = (media_type, manifest, pushed.digest.clone());
        manifests.insert(tag.to_owned(), served.clone());
        manifests.insert(pushed.digest, served);
    }
    let mut listed: Vec<String> = hostile_names().into_iter().map(|(name, _)| name).collect();
    listed.extend(["2.0.1".to_owned(), "2.0.3".to_owned(), "9.9".to_owned()]);
    let list = serde_json::json!({ "name": "lib/nginx", "tags": listed }).to_string();
    let (served, blobs) = (Arc::new(manifests.clone()), Arc::new(blobs));
    let source = Server::start(Handler::new(move |request| {
        let path = request.path.as_str();
        if path == "/v2/" {
            Reply::json("{}")
        } else if path.starts_with("/v2/lib/nginx/tags/list") {
            Reply::json(&list)
        } else if let Some(reference) = path.strip_prefix("/v2/lib/nginx/manifests/") {
            let Some((media_type, manifest, digest)) = served.get(reference) else {
                return Reply::status(404, r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}"#);
            };
            let reply = if request.method == "HEAD" { Reply::status(200, "") } else { Reply::status(200, manifest) };
            reply.header("Content-Type", media_type.clone()).header("Docker-Content-Digest", digest.clone())
        } else if let Some(blob) = path.strip_prefix("/v2/lib/nginx/blobs/").and_then(|d| blobs.get(d)) {
            Reply::status(200, blob).header("Content-Type", "application/octet-stream")
        } else {
            Reply::status(404, "{}")
        }
    }))
    .await;

    // The destination, seeded with a tag of the repository asked for and another repository.
    let dst = Registry::start();
    let latest = image::push_image(&dst.target(), "mirror/nginx", "latest", &[300], 21).await;
    let other = image::push_image(&dst.target(), "other/app", "1", &[300], 22).await;
    let before = (
        image::get_manifest(&dst.target(), "mirror/nginx", "latest").await,
        image::get_manifest(&dst.target(), "other/app", "1").await,
    );
    let proxy = Proxy::counting(&dst.host());

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sync.toml");
    let sync = format!(
        "to = \"{}/mirror\"\n[[source]]\nfrom = \"{}/lib/nginx\"\ntags = ['2\\.0\\..*', '1\\.0.*', '(?s)[^0-9].*']\n",
        proxy.host(),
        source.addr()
    );
    std::fs::write(&file, sync).unwrap();
    let run = Uhub::bare().run(&["mirror", "--file", file.to_str().unwrap()]).await;

    // Some images were not copied: the "some failed" status, and a refused line for each
    // name the filter took, escaped and cut, never a request.
    assert_eq!(run.status, 4, "{run:#?}");
    assert!(!run.stdout.contains('\u{1b}') && !run.stderr.contains('\u{1b}'), "{run:#?}");
    assert!(run.stdout.len() < 20_000, "the 10,000-character name is cut: {} bytes", run.stdout.len());
    let report = run.json();
    let rows = report["images"].as_array().unwrap();
    let refused: Vec<&str> =
        rows.iter().filter(|r| r["result"] == "refused").map(|r| r["error"].as_str().unwrap()).collect();
    let wanted: Vec<String> = hostile_names()
        .into_iter()
        .filter(|(_, taken)| *taken)
        .map(|(name, _)| format!("invalid tag name {}", uhub_registry::names::shown(&name)))
        .collect();
    assert_eq!(refused, wanted, "{report:#}");
    assert!(refused.contains(&r#"invalid tag name "x\u{1b}[31m\u{a}red""#), "{refused:?}");
    assert!(refused.contains(&r#"invalid tag name "2.0.2/../../../nginx/manifests/latest""#), "{refused:?}");
    let copied: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r["result"] != "refused")
        .map(|r| (r["destination"].as_str().unwrap(), r["result"].as_str().unwrap()))
        .collect();
    let to = |tag: &str| format!("{}/mirror/nginx:{tag}", proxy.host());
    assert_eq!(copied, vec![(to("2.0.1").as_str(), "copied"), (to("2.0.3").as_str(), "copied")], "{report:#}");

    // The destination: the honest tags arrived, and nothing else changed.
    for tag in ["2.0.1", "2.0.3"] {
        image::assert_same_image(&origin.target(), "lib/nginx", &dst.target(), "mirror/nginx", tag).await;
    }
    assert_eq!(image::catalog(&dst.target()).await, vec!["mirror/nginx", "other/app"]);
    assert_eq!(image::tags(&dst.target(), "mirror/nginx").await, vec!["2.0.1", "2.0.3", "latest"]);
    assert_eq!(image::tags(&dst.target(), "other/app").await, vec!["1"]);
    let after = (
        image::get_manifest(&dst.target(), "mirror/nginx", "latest").await,
        image::get_manifest(&dst.target(), "other/app", "1").await,
    );
    assert_eq!(after, before, "a tag outside those asked for changed");
    assert_eq!(image::head_manifest(&dst.target(), "mirror/nginx", "latest").await, Some(latest.digest));
    assert_eq!(image::head_manifest(&dst.target(), "other/app", "1").await, Some(other.digest));

    // Every request the destination saw was for the repository asked for (or `GET /v2/`).
    let seen = proxy.requests_seen();
    assert!(!seen.is_empty());
    for (method, path) in &seen {
        assert!(path == "/v2/" || path.starts_with("/v2/mirror/nginx/"), "{method} {path}");
        let plain = path.split('?').next().unwrap();
        assert!(!plain.contains("..") && !plain.contains('%'), "{method} {path}");
    }
    // The source was asked only for its list, its honest tags' manifests and blobs, and their
    // referrers (accessories).
    for request in source.requests() {
        let path = request.path.as_str();
        let honest = path == "/v2/"
            || path.starts_with("/v2/lib/nginx/tags/list")
            || path.starts_with("/v2/lib/nginx/referrers/sha256:")
            || path.starts_with("/v2/lib/nginx/blobs/sha256:")
            || manifests.keys().any(|r| path == format!("/v2/lib/nginx/manifests/{r}"));
        assert!(honest, "{}", request.request_line());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_from_the_command_line_are_checked_before_anything_is_sent() {
    let uhub = Uhub::bare();
    for args in [
        vec!["tag", "delete", "web/nginx:.."],
        vec!["tag", "delete", "web/nginx:a%2fb"],
        vec!["digest", "web/Nginx:1"],
        vec!["prune", "web", "--keep-last", "1", "--keep", "a/b"],
        vec!["mirror", "127.0.0.1:9/a:..", "--to", "127.0.0.1:9/m"],
    ] {
        let run = uhub.run(&args).await;
        assert_eq!(run.status, 2, "{args:?}: {run:#?}");
        assert!(run.stderr.contains("invalid tag") || run.stderr.contains("invalid repository"), "{args:?}: {run:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_paging_by_100_is_read_to_its_last_page() {
    let origin = Registry::start();
    let pushed = image::push_image(&origin.target(), "lib/web", "1.0.0", &[200], 31).await;
    let (media_type, manifest) = image::get_manifest(&origin.target(), "lib/web", "1.0.0").await.unwrap();
    // 1.0.0 ... 1.0.249: sorted as text, the newest version (1.0.249) is on no first page.
    let tags: Vec<String> = (0..250).map(|n| format!("1.0.{n}")).collect();
    let digest = pushed.digest.clone();
    let source = Server::start(Handler::new(move |request| {
        let path = request.path.as_str();
        if path == "/v2/" {
            return Reply::json("{}");
        }
        if path.starts_with("/v2/lib/web/tags/list") {
            // 100 a page whatever `n` says, the next page by `Link` as Quay and GHCR do.
            let page: usize = path.split("page=").nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
            let body = serde_json::json!({ "name": "lib/web", "tags": tags.iter().skip(page * 100).take(100).collect::<Vec<_>>() });
            let reply = Reply::json(body.to_string());
            return if page < 2 {
                reply.header("Link", format!("</v2/lib/web/tags/list?n=100&page={}>; rel=\"next\"", page + 1))
            } else {
                reply
            };
        }
        if path.starts_with("/v2/lib/web/manifests/") {
            let reply = if request.method == "HEAD" { Reply::status(200, "") } else { Reply::status(200, &manifest) };
            return reply.header("Content-Type", media_type.clone()).header("Docker-Content-Digest", digest.clone());
        }
        Reply::status(404, "{}")
    }))
    .await;
    let dst = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sync.toml");
    let write = |rules: &str| {
        let text = format!("to = \"{}/mirror\"\n[[source]]\nfrom = \"{}/lib/web\"\n{rules}", dst.host(), source.addr());
        std::fs::write(&file, text).unwrap();
    };
    write("tags = ['1\\..*']\nnewest = 1\n");
    let uhub = Uhub::bare();
    let newest = uhub.run(&["mirror", "--file", file.to_str().unwrap(), "--dry-run"]).await.ok_json();
    let sources: Vec<&str> =
        newest["images"].as_array().unwrap().iter().map(|r| r["source"].as_str().unwrap()).collect();
    assert_eq!(sources, [format!("{}/lib/web:1.0.249", source.addr())], "{newest:#}");
    write("");
    let every = uhub.run(&["mirror", "--file", file.to_str().unwrap(), "--dry-run"]).await.ok_json();
    assert_eq!(every["images"].as_array().unwrap().len(), 250);
    let pages = source.requests().iter().filter(|r| r.path.starts_with("/v2/lib/web/tags/list")).count();
    assert_eq!(pages, 6, "three pages a run");
}
