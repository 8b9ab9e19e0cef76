//! A registry that is not one: uhub-loopback answering the few requests a copy makes with what
//! a test scripts, such as a manifest whose blobs are served with the wrong bytes, which a real
//! registry never does; an index of thousands of padded children computed on demand; and a
//! destination that takes every manifest and keeps none.

use std::collections::HashMap;
use std::sync::Arc;

use uhub_loopback::{Handler, Reply, Server};

/// A source registry serving `manifest` (announced by HEAD as `manifest_digest`) for any
/// manifest request and `blob(path)` for any blob request; `GET /v2/` answers `{}` and the
/// rest 404.
pub async fn source(
    manifest: Reply,
    manifest_digest: String,
    blob: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static,
) -> Server {
    let manifest = Arc::new(manifest);
    Server::start(Handler::new(move |request| {
        if request.path == "/v2/" {
            Reply::json("{}")
        } else if request.path.contains("/manifests/") && request.method == "HEAD" {
            Reply::status(200, "").header("Docker-Content-Digest", manifest_digest.clone())
        } else if request.path.contains("/manifests/") {
            (*manifest).clone()
        } else if request.path.contains("/blobs/") {
            Reply::status(200, blob(&request.path)).header("Content-Type", "application/octet-stream")
        } else {
            Reply::status(404, "{}")
        }
    }))
    .await
}

const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const MANIFEST_UNKNOWN: &str = r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#;

/// The smallest image: a linux/amd64 config and no layers. Returns the config, the manifest
/// and the manifest's digest, for scripted sources that serve one image.
pub fn config_only_image() -> (&'static [u8], String, String) {
    let config: &'static [u8] = br#"{"architecture":"amd64","os":"linux"}"#;
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[]}}"#,
        crate::digest(config),
        config.len()
    );
    let digest = crate::digest(manifest.as_bytes());
    (config, manifest, digest)
}

/// Child `i` of [`index_source`]'s index: one linux/amd64 image whose config and layer are
/// the same for every child (`sha256:11..`, `sha256:22..`), padded by `padding` bytes of
/// annotation so that holding many is visible.
pub fn padded_child(i: usize, padding: usize) -> Vec<u8> {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{}","size":2}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:{}","size":3}}],"annotations":{{"child":"{i}","padding":"{}"}}}}"#,
        "1".repeat(64),
        "2".repeat(64),
        "x".repeat(padding)
    )
    .into_bytes()
}

/// A source registry where every tag of every repository is an OCI index of `children`
/// [`padded_child`]ren (platforms `linux/amd64/v0`, `linux/amd64/v1`, ...), each computed when
/// asked for, so the server holds none of them; it keeps no log of requests. Returns the
/// server and the index's digest.
pub async fn index_source(children: usize, padding: usize) -> (Server, String) {
    let mut by_digest = HashMap::new();
    let mut entries = Vec::new();
    for i in 0..children {
        let bytes = padded_child(i, padding);
        let digest = crate::digest(&bytes);
        entries.push(format!(
            r#"{{"mediaType":"{OCI_MANIFEST}","digest":"{digest}","size":{},"platform":{{"os":"linux","architecture":"amd64","variant":"v{i}"}}}}"#,
            bytes.len()
        ));
        by_digest.insert(digest, i);
    }
    let index = bytes::Bytes::from(format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{}]}}"#,
        entries.join(",")
    ));
    drop(entries);
    let index_digest = crate::digest(&index);
    let digest = index_digest.clone();
    let server = Server::builder()
        .record(false)
        .start(Handler::new(move |request| {
            let Some((_, reference)) = request.path.rsplit_once("/manifests/") else {
                return if request.path == "/v2/" { Reply::json("{}") } else { Reply::status(404, "{}") };
            };
            let (bytes, media_type, digest) = if !reference.starts_with("sha256:") || reference == digest {
                (index.to_vec(), OCI_INDEX, digest.clone())
            } else if let Some(&i) = by_digest.get(reference) {
                (padded_child(i, padding), OCI_MANIFEST, reference.to_owned())
            } else {
                return Reply::status(404, MANIFEST_UNKNOWN);
            };
            let body = if request.method == "HEAD" { Vec::new() } else { bytes };
            Reply::status(200, body).header("Content-Type", media_type).header("Docker-Content-Digest", digest)
        }))
        .await;
    (server, index_digest)
}

/// A destination registry that has every blob and no manifest, and answers each manifest
/// pushed with the digest of its bytes, keeping nothing (no log of requests either).
pub async fn sink() -> Server {
    Server::builder()
        .record(false)
        .start(Handler::new(|request| match (request.method.as_str(), request.path.as_str()) {
            (_, "/v2/") => Reply::json("{}"),
            ("HEAD", p) if p.contains("/blobs/") => Reply::status(200, ""),
            ("PUT", p) if p.contains("/manifests/") => {
                let repository = p.trim_start_matches("/v2/").split("/manifests/").next().unwrap_or_default();
                Reply::status(201, "")
                    .header("Location", format!("/v2/{repository}/manifests/{}", crate::digest(&request.body)))
            }
            _ => Reply::status(404, MANIFEST_UNKNOWN),
        }))
        .await
}

/// A scripted registry for what docker-registry does not serve, such as the referrers API:
/// manifests by tag or digest (HEAD answers their digest, GET their bytes and media type),
/// blobs by digest, and `GET /v2/<name>/referrers/<digest>` answered as scripted (404 when
/// not). The repository in the path is not looked at; every request is recorded.
#[derive(Clone, Default)]
pub struct Scripted {
    /// reference → (media type, bytes, the digest announced: a test may announce another
    /// than the bytes have).
    manifests: HashMap<String, (String, Vec<u8>, String)>,
    blobs: HashMap<String, Vec<u8>>,
    referrers: HashMap<String, Reply>,
}

impl Scripted {
    /// Serves `bytes` as the manifest `reference` (a tag or a digest) and under its digest.
    pub fn manifest(mut self, reference: &str, media_type: &str, bytes: &[u8]) -> Scripted {
        let digest = crate::digest(bytes);
        let entry = (media_type.to_owned(), bytes.to_vec(), digest.clone());
        self.manifests.insert(digest, entry.clone());
        self.manifests.insert(reference.to_owned(), entry);
        self
    }

    /// Serves `bytes` when asked for the manifest `digest`, whatever they hash to.
    pub fn manifest_as(mut self, digest: &str, media_type: &str, bytes: &[u8]) -> Scripted {
        self.manifests.insert(digest.to_owned(), (media_type.to_owned(), bytes.to_vec(), digest.to_owned()));
        self
    }

    /// Serves `bytes` as the blob of their digest.
    pub fn blob(mut self, bytes: &[u8]) -> Scripted {
        self.blobs.insert(crate::digest(bytes), bytes.to_vec());
        self
    }

    /// Answers the referrers API for `subject` with `reply`.
    pub fn referrers(mut self, subject: &str, reply: Reply) -> Scripted {
        self.referrers.insert(subject.to_owned(), reply);
        self
    }

    pub async fn start(self) -> Server {
        let Scripted { manifests, blobs, referrers } = self;
        Server::start(Handler::new(move |request| {
            if request.path == "/v2/" {
                return Reply::json("{}");
            }
            if let Some((_, reference)) = request.path.rsplit_once("/manifests/") {
                let Some((media_type, bytes, digest)) = manifests.get(reference) else {
                    return Reply::status(404, MANIFEST_UNKNOWN);
                };
                let body = if request.method == "HEAD" { Vec::new() } else { bytes.clone() };
                return Reply::status(200, body)
                    .header("Content-Type", media_type.clone())
                    .header("Docker-Content-Digest", digest.clone());
            }
            if let Some((_, subject)) = request.path.rsplit_once("/referrers/") {
                let subject = subject.split('?').next().unwrap_or(subject);
                return referrers.get(subject).cloned().unwrap_or_else(|| Reply::status(404, "404 page not found"));
            }
            if let Some((_, digest)) = request.path.rsplit_once("/blobs/") {
                return match blobs.get(digest) {
                    Some(bytes) => {
                        let body = if request.method == "HEAD" { Vec::new() } else { bytes.clone() };
                        Reply::status(200, body)
                            .header("Content-Type", "application/octet-stream")
                            .header("Docker-Content-Digest", digest.to_owned())
                    }
                    None => Reply::status(404, r#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}"#),
                };
            }
            Reply::status(404, "{}")
        }))
        .await
    }
}
