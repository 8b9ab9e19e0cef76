//! Images built from a seed and pushed with the raw protocol (blob: `POST` an upload, `PUT`
//! it with `?digest=`; manifest: `PUT`), and the checks tests make of what a copy left: a
//! manifest's digest from `HEAD`, and every manifest and blob of an image compared on two
//! registries. Every helper panics, naming the request, when the registry answers otherwise
//! than the protocol says.

use std::collections::HashSet;

use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::layer::{self, digest, layer};
use crate::session::Session;
use crate::{Pushed, Target};

/// An OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// An OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// An OCI image config.
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// A gzipped tar layer.
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// Docker's manifest list and manifest, accepted when reading.
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// The payload type of a cosign signature layer.
pub const COSIGN_PAYLOAD: &str = "application/vnd.dev.cosign.simplesigning.v1+json";

/// Every manifest type the helpers read, for `Accept`.
const ACCEPT_MANIFESTS: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// Pushes a one-platform (linux/amd64) image to `repo:tag`: an OCI manifest, its config and
/// one layer per entry of `layer_sizes` (that many random bytes drawn from `seed`, as a file in
/// a `tar+gzip` layer a little larger). The same arguments push the same digests.
pub async fn push_image(t: &Target, repo: &str, tag: &str, layer_sizes: &[usize], seed: u64) -> Pushed {
    let session = Session::new(t);
    let (digest, _, blobs) = push_platform(&session, repo, tag, "linux/amd64", layer_sizes, seed).await;
    Pushed { digest, children: Vec::new(), blobs }
}

/// Pushes a one-platform (linux/amd64) image to `repo:tag` whose layers are given as
/// `(size, seed)` each: images given one `(size, seed)` at one position share that layer (a fleet's base
/// layers). `seed` draws the config, so two calls with one `seed` but other layers differ
/// only in their layers.
pub async fn push_layered(t: &Target, repo: &str, tag: &str, layers: &[(usize, u64)], seed: u64) -> Pushed {
    let session = Session::new(t);
    let (digest, _, blobs) = push_platform_of(&session, repo, tag, "linux/amd64", layers, seed).await;
    Pushed { digest, children: Vec::new(), blobs }
}

/// Pushes an OCI index to `repo:tag` with one image per platform (`"linux/amd64"`,
/// `"linux/arm64/v8"`), each pushed by digest with layers of `layer_sizes` bytes of its own
/// (the seed is mixed with the platform's position, so no two platforms share a layer).
pub async fn push_index(
    t: &Target,
    repo: &str,
    tag: &str,
    platforms: &[&str],
    layer_sizes: &[usize],
    seed: u64,
) -> Pushed {
    let session = Session::new(t);
    let mut entries = Vec::new();
    let mut children = Vec::new();
    let mut blobs = Vec::new();
    for (n, platform) in platforms.iter().enumerate() {
        let platform_seed = seed ^ (n as u64 + 1).wrapping_mul(0x5851_f42d_4c95_7f2d);
        let (child, size, child_blobs) = push_platform(&session, repo, "", platform, layer_sizes, platform_seed).await;
        entries.push(json!({
            "mediaType": OCI_MANIFEST,
            "digest": child,
            "size": size,
            "platform": platform_json(platform),
        }));
        children.push((platform.to_string(), child));
        for blob in child_blobs {
            if !blobs.contains(&blob) {
                blobs.push(blob);
            }
        }
    }
    let index = json!({ "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries });
    let index = serde_json::to_vec(&index).expect("JSON values serialize");
    let digest = put_manifest(&session, repo, tag, OCI_INDEX, &index).await;
    Pushed { digest, children, blobs }
}

/// Pushes a cosign-style signature of `subject_digest` to the tag `sha256-<hex>.sig`: an OCI
/// manifest whose one layer is the simple-signing payload naming the subject, with a
/// (made-up) signature annotation, as cosign stores it.
pub async fn push_signature(t: &Target, repo: &str, subject_digest: &str) -> Pushed {
    let session = Session::new(t);
    let hex = subject_digest
        .strip_prefix("sha256:")
        .unwrap_or_else(|| panic!("uhub-testreg: a subject digest is sha256:<hex>, not {subject_digest:?}"));
    let tag = format!("sha256-{hex}.sig");
    let payload = json!({
        "critical": {
            "identity": { "docker-reference": format!("{}/{repo}", t.host) },
            "image": { "docker-manifest-digest": subject_digest },
            "type": "cosign container image signature",
        },
        "optional": null,
    });
    let payload = serde_json::to_vec(&payload).expect("JSON values serialize");
    let annotations = json!({ "dev.cosignproject.cosign/signature": "MEUCIQDtestregNotARealSignature" });
    push_cosign_artifact(&session, repo, &tag, payload, COSIGN_PAYLOAD, annotations).await
}

/// Pushes what cosign stores under one of its tags: an OCI manifest whose config lists the one
/// layer (`layer`, of `media_type`, with `annotations`), the layer and the config first.
async fn push_cosign_artifact(
    session: &Session,
    repo: &str,
    tag: &str,
    layer: Vec<u8>,
    media_type: &str,
    annotations: Value,
) -> Pushed {
    let layer_size = layer.len() as u64;
    let layer_digest = push_blob(session, repo, layer).await;
    let config = json!({
        "architecture": "", "os": "", "created": "0001-01-01T00:00:00Z", "config": {},
        "rootfs": { "type": "layers", "diff_ids": [layer_digest] },
    });
    let config = serde_json::to_vec(&config).expect("JSON values serialize");
    let config_size = config.len() as u64;
    let config_digest = push_blob(session, repo, config).await;
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": { "mediaType": OCI_CONFIG, "digest": config_digest, "size": config_size },
        "layers": [{
            "mediaType": media_type,
            "digest": layer_digest,
            "size": layer_size,
            "annotations": annotations,
        }],
    });
    let manifest = serde_json::to_vec(&manifest).expect("JSON values serialize");
    let digest = put_manifest(session, repo, tag, OCI_MANIFEST, &manifest).await;
    Pushed { digest, children: Vec::new(), blobs: vec![(config_digest, config_size), (layer_digest, layer_size)] }
}

/// The payload type of a cosign attestation layer (a DSSE envelope of an in-toto statement).
pub const DSSE_ENVELOPE: &str = "application/vnd.dsse.envelope.v1+json";
/// The empty config of an OCI 1.1 artifact (`{}`).
pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";

/// Pushes a cosign-style attestation of `subject_digest` to the tag `sha256-<hex>.att`: an OCI
/// manifest whose one layer is a DSSE envelope of an in-toto statement naming the subject, as
/// `cosign attest` stores it.
pub async fn push_attestation(t: &Target, repo: &str, subject_digest: &str) -> Pushed {
    let session = Session::new(t);
    let hex = subject_hex(subject_digest);
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{ "name": format!("{}/{repo}", t.host), "digest": { "sha256": hex } }],
        "predicate": { "builder": { "id": "uhub-testreg" } },
    });
    let statement = serde_json::to_vec(&statement).expect("JSON values serialize");
    let envelope = json!({
        "payloadType": "application/vnd.in-toto+json",
        "payload": crate::proxy::base64(&statement),
        "signatures": [{ "keyid": "", "sig": "MEUCIQDtestregNotARealSignature" }],
    });
    let envelope = serde_json::to_vec(&envelope).expect("JSON values serialize");
    let annotations = json!({ "predicateType": "https://slsa.dev/provenance/v0.2" });
    push_cosign_artifact(&session, repo, &format!("sha256-{hex}.att"), envelope, DSSE_ENVELOPE, annotations).await
}

/// Pushes an OCI 1.1 referrer of `subject_digest` (a manifest in `repo`): a manifest with
/// `artifactType`, the empty config and one layer of `seed`-drawn JSON, and `subject` naming
/// the image, pushed by digest; then, as a client does for a registry without the referrers
/// API, the tag-schema fallback `sha256-<hex>`: the image index of the subject's referrers,
/// this one added to what the tag listed. Returns the referrer (the fallback index's digest is
/// [`head_manifest`] of that tag).
pub async fn push_referrer(t: &Target, repo: &str, subject_digest: &str, artifact_type: &str, seed: u64) -> Pushed {
    let session = Session::new(t);
    let hex = subject_hex(subject_digest);
    let (subject_type, subject_bytes) = get_manifest_with(&session, repo, subject_digest)
        .await
        .unwrap_or_else(|| panic!("uhub-testreg: no subject {repo}@{subject_digest} to refer to"));
    let empty = b"{}".to_vec();
    let empty_digest = push_blob(&session, repo, empty).await;
    let payload =
        serde_json::to_vec(&json!({ "artifact": artifact_type, "seed": seed })).expect("JSON values serialize");
    let payload_digest = push_blob(&session, repo, payload.clone()).await;
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": artifact_type,
        "config": { "mediaType": OCI_EMPTY, "digest": empty_digest, "size": 2 },
        "layers": [{ "mediaType": "application/json", "digest": payload_digest, "size": payload.len() }],
        "subject": { "mediaType": subject_type, "digest": subject_digest, "size": subject_bytes.len() },
        "annotations": { "org.opencontainers.image.created": "2024-01-01T00:00:00Z" },
    });
    let manifest = serde_json::to_vec(&manifest).expect("JSON values serialize");
    let digest = put_manifest(&session, repo, &digest(&manifest), OCI_MANIFEST, &manifest).await;
    let fallback = format!("sha256-{hex}");
    let mut entries: Vec<Value> = match get_manifest_with(&session, repo, &fallback).await {
        Some((_, bytes)) => {
            let index: Value = serde_json::from_slice(&bytes).expect("the fallback tag is JSON");
            index["manifests"].as_array().cloned().unwrap_or_default()
        }
        None => Vec::new(),
    };
    entries.push(json!({
        "mediaType": OCI_MANIFEST,
        "digest": digest,
        "size": manifest.len(),
        "artifactType": artifact_type,
        "annotations": { "org.opencontainers.image.created": "2024-01-01T00:00:00Z" },
    }));
    let index = json!({ "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries });
    let index = serde_json::to_vec(&index).expect("JSON values serialize");
    put_manifest(&session, repo, &fallback, OCI_INDEX, &index).await;
    Pushed { digest, children: Vec::new(), blobs: vec![(empty_digest, 2), (payload_digest, payload.len() as u64)] }
}

fn subject_hex(subject_digest: &str) -> &str {
    subject_digest
        .strip_prefix("sha256:")
        .unwrap_or_else(|| panic!("uhub-testreg: a subject digest is sha256:<hex>, not {subject_digest:?}"))
}

/// The digest `HEAD /v2/<repo>/manifests/<reference>` answers (`Docker-Content-Digest`), or
/// `None` for a 404. Panics on any other answer.
pub async fn head_manifest(t: &Target, repo: &str, reference: &str) -> Option<String> {
    let session = Session::new(t);
    let url = session.url(&format!("/v2/{repo}/manifests/{reference}"));
    let response = session.send(Method::HEAD, url.clone(), accept_manifests(), None).await;
    match response.status() {
        StatusCode::OK => Some(
            response
                .headers()
                .get("docker-content-digest")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("uhub-testreg: HEAD {url} answered 200 without Docker-Content-Digest"))
                .to_owned(),
        ),
        StatusCode::NOT_FOUND => None,
        other => panic!("uhub-testreg: HEAD {url} answered {other}"),
    }
}

/// Tags the manifest `repo@digest` as `tag` too (a platform's manifest inside an index, say,
/// as some build pipelines tag them); returns the digest. Panics when the manifest is missing.
pub async fn tag_manifest(t: &Target, repo: &str, digest: &str, tag: &str) -> String {
    let session = Session::new(t);
    let (media_type, bytes) = get_manifest_with(&session, repo, digest)
        .await
        .unwrap_or_else(|| panic!("uhub-testreg: no manifest {repo}@{digest} to tag"));
    put_manifest(&session, repo, tag, &media_type, &bytes).await
}

/// The manifest `repo:reference` as stored: its media type and bytes, or `None` for a 404.
pub async fn get_manifest(t: &Target, repo: &str, reference: &str) -> Option<(String, Vec<u8>)> {
    get_manifest_with(&Session::new(t), repo, reference).await
}

/// The blob `repo@digest` as stored, or `None` for a 404 (small blobs: it is held whole).
pub async fn get_blob(t: &Target, repo: &str, digest: &str) -> Option<Vec<u8>> {
    let session = Session::new(t);
    let url = session.url(&format!("/v2/{repo}/blobs/{digest}"));
    let response = session.send(Method::GET, url.clone(), HeaderMap::new(), None).await;
    match response.status() {
        StatusCode::OK => {}
        StatusCode::NOT_FOUND => return None,
        other => panic!("uhub-testreg: GET {url} answered {other}"),
    }
    Some(response.bytes().await.unwrap_or_else(|e| panic!("uhub-testreg: GET {url}: reading the body: {e}")).to_vec())
}

/// Every repository the registry holds (`GET /v2/_catalog`, up to 1,000), sorted.
pub async fn catalog(t: &Target) -> Vec<String> {
    let session = Session::new(t);
    let url = session.url("/v2/_catalog?n=1000");
    let response = session.send(Method::GET, url.clone(), HeaderMap::new(), None).await;
    assert_eq!(response.status(), StatusCode::OK, "uhub-testreg: GET {url}");
    let body: Value = response.json().await.unwrap_or_else(|e| panic!("uhub-testreg: GET {url}: {e}"));
    let mut names: Vec<String> =
        body["repositories"].as_array().into_iter().flatten().filter_map(|r| r.as_str().map(str::to_owned)).collect();
    names.sort();
    names
}

/// Every tag of `repo` (`GET /v2/<repo>/tags/list?n=1000`), sorted; empty for a 404.
pub async fn tags(t: &Target, repo: &str) -> Vec<String> {
    let session = Session::new(t);
    let url = session.url(&format!("/v2/{repo}/tags/list?n=1000"));
    let response = session.send(Method::GET, url.clone(), HeaderMap::new(), None).await;
    if response.status() == StatusCode::NOT_FOUND {
        return Vec::new();
    }
    assert_eq!(response.status(), StatusCode::OK, "uhub-testreg: GET {url}");
    let body: Value = response.json().await.unwrap_or_else(|e| panic!("uhub-testreg: GET {url}: {e}"));
    let mut names: Vec<String> =
        body["tags"].as_array().into_iter().flatten().filter_map(|r| r.as_str().map(str::to_owned)).collect();
    names.sort();
    names
}

/// Checks that `src_repo:reference` on `src` and `dst_repo:reference` on `dst` are the same
/// image: GETs the manifest (and, for an index, every child manifest) and every blob on BOTH
/// sides, checks the sha256 of each against its digest (and blob sizes against their
/// descriptors), and panics naming the first thing that differs or is missing. Returns how
/// many distinct blobs it checked. Blobs are hashed as they stream, never held whole.
pub async fn assert_same_image(src: &Target, src_repo: &str, dst: &Target, dst_repo: &str, reference: &str) -> usize {
    let (src, dst) = (Session::new(src), Session::new(dst));
    let mut seen = HashSet::new();
    let mut manifests = vec![reference.to_owned()];
    while let Some(reference) = manifests.pop() {
        let (_, src_bytes) = get_manifest_with(&src, src_repo, &reference)
            .await
            .unwrap_or_else(|| panic!("uhub-testreg: the source has no manifest {src_repo}:{reference}"));
        let (_, dst_bytes) = get_manifest_with(&dst, dst_repo, &reference)
            .await
            .unwrap_or_else(|| panic!("uhub-testreg: the destination has no manifest {dst_repo}:{reference}"));
        let (src_digest, dst_digest) = (digest(&src_bytes), digest(&dst_bytes));
        if src_digest != dst_digest {
            panic!(
                "uhub-testreg: manifest {reference} differs: source {src_repo} {src_digest}, destination {dst_repo} {dst_digest}"
            );
        }
        if reference.starts_with("sha256:") && reference != src_digest {
            panic!("uhub-testreg: manifest {reference} hashes to {src_digest} on both sides");
        }
        let manifest: Value = serde_json::from_slice(&src_bytes)
            .unwrap_or_else(|e| panic!("uhub-testreg: manifest {src_repo}:{reference} is not JSON: {e}"));
        for child in manifest["manifests"].as_array().into_iter().flatten() {
            manifests.push(descriptor(child, &reference).0);
        }
        let blobs = manifest.get("config").into_iter().chain(manifest["layers"].as_array().into_iter().flatten());
        for blob in blobs {
            let (blob_digest, size) = descriptor(blob, &reference);
            if seen.insert(blob_digest.clone()) {
                check_blob(&src, src_repo, &blob_digest, size, "source").await;
                check_blob(&dst, dst_repo, &blob_digest, size, "destination").await;
            }
        }
    }
    seen.len()
}

/// Pushes one platform's config, layers and manifest (to `tag`, or by digest when `tag` is
/// empty): its digest, manifest size and blobs.
async fn push_platform(
    session: &Session,
    repo: &str,
    tag: &str,
    platform: &str,
    layer_sizes: &[usize],
    seed: u64,
) -> (String, usize, Vec<(String, u64)>) {
    let layers: Vec<(usize, u64)> = layer_sizes
        .iter()
        .enumerate()
        .map(|(n, &size)| (size, seed.wrapping_add(n as u64).wrapping_mul(0x9e37_79b9)))
        .collect();
    push_platform_of(session, repo, tag, platform, &layers, seed).await
}

/// [`push_platform`] with each layer's `(size, seed)` given.
async fn push_platform_of(
    session: &Session,
    repo: &str,
    tag: &str,
    platform: &str,
    layer_seeds: &[(usize, u64)],
    seed: u64,
) -> (String, usize, Vec<(String, u64)>) {
    let mut layers = Vec::new();
    let mut diff_ids = Vec::new();
    for (n, &(size, layer_seed)) in layer_seeds.iter().enumerate() {
        let layer = layer(&format!("layer-{n}.bin"), size, layer_seed);
        diff_ids.push(layer.diff_id);
        let size = layer.blob.len() as u64;
        let digest = push_blob(session, repo, layer.blob).await;
        layers.push((digest, size));
    }
    let mut config = json!({
        "created": "2024-01-01T00:00:00Z",
        "config": { "Env": ["PATH=/usr/local/bin:/usr/bin:/bin"] },
        "rootfs": { "type": "layers", "diff_ids": diff_ids },
        "history": [{ "created": "2024-01-01T00:00:00Z", "created_by": format!("uhub-testreg seed {seed}") }],
    });
    if let (Some(c), Value::Object(p)) = (config.as_object_mut(), platform_json(platform)) {
        c.extend(p);
    }
    let config = serde_json::to_vec(&config).expect("JSON values serialize");
    let config_size = config.len() as u64;
    let config_digest = push_blob(session, repo, config).await;
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": { "mediaType": OCI_CONFIG, "digest": config_digest, "size": config_size },
        "layers": layers.iter().map(|(d, s)| json!({ "mediaType": OCI_LAYER, "digest": d, "size": s })).collect::<Vec<_>>(),
    });
    let manifest = serde_json::to_vec(&manifest).expect("JSON values serialize");
    let reference = if tag.is_empty() { digest(&manifest) } else { tag.to_owned() };
    let digest = put_manifest(session, repo, &reference, OCI_MANIFEST, &manifest).await;
    let mut blobs = vec![(config_digest, config_size)];
    blobs.extend(layers);
    (digest, manifest.len(), blobs)
}

/// `linux/arm64/v8` as an OCI platform object.
fn platform_json(platform: &str) -> Value {
    let mut parts = platform.split('/');
    let (Some(os), Some(architecture)) = (parts.next(), parts.next()) else {
        panic!("uhub-testreg: a platform is os/arch[/variant], not {platform:?}");
    };
    match parts.next() {
        Some(variant) => json!({ "os": os, "architecture": architecture, "variant": variant }),
        None => json!({ "os": os, "architecture": architecture }),
    }
}

/// Uploads `bytes` as a blob unless the registry has it (HEAD first); returns its digest.
async fn push_blob(session: &Session, repo: &str, bytes: Vec<u8>) -> String {
    let digest = digest(&bytes);
    let url = session.url(&format!("/v2/{repo}/blobs/{digest}"));
    if session.send(Method::HEAD, url, HeaderMap::new(), None).await.status() == StatusCode::OK {
        return digest;
    }
    let start = session.url(&format!("/v2/{repo}/blobs/uploads/"));
    let response = session.send(Method::POST, start.clone(), HeaderMap::new(), None).await;
    if response.status() != StatusCode::ACCEPTED {
        panic!(
            "uhub-testreg: POST {start} answered {}: {}",
            response.status(),
            response.text().await.unwrap_or_default()
        );
    }
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("uhub-testreg: POST {start} answered 202 without Location"))
        .to_owned();
    let mut put = session.url(&location);
    put.query_pairs_mut().append_pair("digest", &digest);
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    let response = session.send(Method::PUT, put.clone(), headers, Some(Bytes::from(bytes))).await;
    if response.status() != StatusCode::CREATED {
        panic!("uhub-testreg: PUT {put} answered {}: {}", response.status(), response.text().await.unwrap_or_default());
    }
    digest
}

/// PUTs a manifest; returns its digest, checked against the registry's.
async fn put_manifest(session: &Session, repo: &str, reference: &str, media_type: &str, bytes: &[u8]) -> String {
    let url = session.url(&format!("/v2/{repo}/manifests/{reference}"));
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_str(media_type).expect("media types are header values"));
    let response = session.send(Method::PUT, url.clone(), headers, Some(Bytes::copy_from_slice(bytes))).await;
    let status = response.status();
    let theirs = response.headers().get("docker-content-digest").and_then(|v| v.to_str().ok()).map(str::to_owned);
    if status != StatusCode::CREATED {
        panic!("uhub-testreg: PUT {url} answered {status}: {}", response.text().await.unwrap_or_default());
    }
    let ours = digest(bytes);
    if theirs.as_deref().is_some_and(|d| d != ours) {
        panic!("uhub-testreg: PUT {url}: the registry says {theirs:?}, the bytes hash to {ours}");
    }
    ours
}

fn accept_manifests() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static(ACCEPT_MANIFESTS));
    headers
}

async fn get_manifest_with(session: &Session, repo: &str, reference: &str) -> Option<(String, Vec<u8>)> {
    let url = session.url(&format!("/v2/{repo}/manifests/{reference}"));
    let response = session.send(Method::GET, url.clone(), accept_manifests(), None).await;
    match response.status() {
        StatusCode::OK => {}
        StatusCode::NOT_FOUND => return None,
        other => panic!("uhub-testreg: GET {url} answered {other}"),
    }
    let media_type = response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let bytes = response.bytes().await.unwrap_or_else(|e| panic!("uhub-testreg: GET {url}: reading the body: {e}"));
    Some((media_type, bytes.to_vec()))
}

/// A descriptor's digest and size, or a panic naming the manifest it is in.
fn descriptor(value: &Value, manifest: &str) -> (String, u64) {
    match (value["digest"].as_str(), value["size"].as_u64()) {
        (Some(d), Some(s)) => (d.to_owned(), s),
        _ => panic!("uhub-testreg: manifest {manifest} has a descriptor without digest or size: {value}"),
    }
}

/// GETs a blob and hashes it as it streams; panics unless its digest and size are right.
async fn check_blob(session: &Session, repo: &str, blob: &str, size: u64, side: &str) {
    let url = session.url(&format!("/v2/{repo}/blobs/{blob}"));
    let mut response = session.send(Method::GET, url.clone(), HeaderMap::new(), None).await;
    if response.status() != StatusCode::OK {
        panic!("uhub-testreg: the {side} has no blob {blob} in {repo}: GET {url} answered {}", response.status());
    }
    let mut hasher = Sha256::new();
    let mut read = 0u64;
    while let Some(chunk) = response.chunk().await.unwrap_or_else(|e| panic!("uhub-testreg: GET {url}: reading: {e}")) {
        hasher.update(&chunk);
        read += chunk.len() as u64;
    }
    let got = format!("sha256:{}", layer::hex(&hasher.finalize()));
    if got != blob || read != size {
        panic!(
            "uhub-testreg: the {side}'s blob {blob} in {repo} is {read} bytes hashing to {got} (descriptor: {size} bytes)"
        );
    }
}
