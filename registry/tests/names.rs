//! Every public method of `Registry` (and `copy_image`) checks the repository, tag and digest
//! it is handed before any request: a name outside the distribution grammar is an
//! `Error::InvalidName`, one escaped line, and the server hears nothing.

use uhub_loopback::{Handler, Reply, Server};
use uhub_registry::names::NameKind;
use uhub_registry::{CopyOptions, Credentials, Error, ImageRef, Registry, copy_image};

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A server that answers everything, so a request that got through would succeed.
async fn listening() -> Server {
    Server::start(Handler::new(|_| Reply::json("{}"))).await
}

fn kind(err: Error) -> NameKind {
    match err {
        Error::InvalidName(invalid) => invalid.kind,
        other => panic!("not a refused name: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_name_is_refused_by_every_method_before_any_request() {
    let server = listening().await;
    let host = server.addr().to_string();
    let r = Registry::new(&host, Credentials::Anonymous).unwrap();
    let tags = ["", "..", "1.0/../../../api/v2.0/projects/prod", "%2e%2e", "a\u{1b}[2J", &"t".repeat(129)];
    for tag in tags {
        assert_eq!(kind(r.head_manifest("app", tag).await.unwrap_err()), NameKind::Reference, "{tag:?}");
        assert_eq!(kind(r.get_manifest("app", tag).await.unwrap_err()), NameKind::Reference, "{tag:?}");
        let body = bytes::Bytes::from_static(b"{}");
        let pushed = r.push_manifest("app", tag, &body, "application/vnd.oci.image.manifest.v1+json").await;
        assert_eq!(kind(pushed.unwrap_err()), NameKind::Reference, "{tag:?}");
        assert_eq!(kind(r.created("app", tag).await.unwrap_err()), NameKind::Reference, "{tag:?}");
        assert_eq!(kind(r.image_facts("app", tag).await.unwrap_err()), NameKind::Reference, "{tag:?}");
    }
    for repository in ["", "App", "a/../b", "a//b", "a?b", "a%2fb", "/etc"] {
        assert_eq!(kind(r.head_manifest(repository, "1").await.unwrap_err()), NameKind::Repository, "{repository:?}");
        assert_eq!(kind(r.list_tags(repository).await.unwrap_err()), NameKind::Repository, "{repository:?}");
        assert_eq!(kind(r.blob_exists(repository, DIGEST).await.unwrap_err()), NameKind::Repository);
        assert_eq!(kind(r.mount_blob("app", repository, DIGEST).await.unwrap_err()), NameKind::Repository);
    }
    for digest in ["sha256:12", "sha256:../../x", "md5:0123", &DIGEST.to_uppercase(), &format!("{DIGEST}/x")] {
        assert_eq!(kind(r.blob_exists("app", digest).await.unwrap_err()), NameKind::Digest, "{digest:?}");
        assert_eq!(kind(r.mount_blob("app", "other", digest).await.unwrap_err()), NameKind::Digest, "{digest:?}");
        assert_eq!(kind(r.get_manifest("app", digest).await.unwrap_err()), NameKind::Reference, "{digest:?}");
    }
    // A reference built by hand (its fields are public) is checked where it is used.
    let from = ImageRef::parse(&format!("{host}/app:1")).unwrap().with_reference("1/../../other/manifests/latest");
    let to = ImageRef::parse(&format!("{host}/mirror/app:1")).unwrap();
    let err = copy_image(&r, &from, &r, &to, &CopyOptions::default()).await.unwrap_err();
    assert_eq!(err.to_string(), r#"invalid tag or digest "1/../../other/manifests/latest""#);
    assert_eq!(
        server.request_count(),
        0,
        "{:?}",
        server.requests().iter().map(|r| r.request_line()).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_name_is_one_escaped_line() {
    let server = listening().await;
    let r = Registry::new(&server.addr().to_string(), Credentials::Anonymous).unwrap();
    let err = r.get_manifest("app", "x\n\u{1b}[31mred\u{202e}").await.unwrap_err().to_string();
    assert_eq!(err, r#"invalid tag or digest "x\u{a}\u{1b}[31mred\u{202e}""#);
    let long = r.get_manifest("app", &"v".repeat(10_000)).await.unwrap_err().to_string();
    assert!(long.len() < 140 && long.ends_with("(9920 more characters)"), "{long}");
    assert_eq!(server.request_count(), 0);
}
