//! A registry that is not one: uhub-loopback answering the few requests a copy makes with what
//! a test scripts, such as a manifest whose blobs are served with the wrong bytes, which a real
//! registry never does.

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
