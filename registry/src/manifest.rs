//! Manifests as the engine needs them: what kind, which children (with platforms) or which
//! blobs, read from the raw bytes that are copied unchanged, and an index rewritten to keep
//! some platforms.

use std::fmt;

use bytes::Bytes;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::Error;

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// What a manifest request accepts: the four kinds we copy.
pub const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";
/// The media types we know: an index or list, or one image's manifest. Any other is refused.
const KNOWN: [&str; 4] = [OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST];

/// The most manifests an index may list. Real ones list a handful of platforms (a few dozen
/// with attestations); each listed one costs a request and its bytes, so a registry cannot
/// make a copy or a listing read without end.
pub const MAX_CHILDREN: usize = 10_000;
/// The most blobs (config and layers) one image manifest may list: Docker stops at 127
/// layers; the bound only keeps a registry from making us hold and HEAD without end.
pub const MAX_BLOBS_PER_IMAGE: usize = 10_000;
/// The most distinct blobs one tag's manifests may list together (each once, whichever
/// platforms share it): far above any real image, it bounds what a copy or a listing keeps
/// track of, where children × blobs per child would not.
pub const MAX_BLOBS_PER_TAG: usize = 100_000;

/// A platform as `os/architecture[/variant]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Platform {
    /// Reads `linux/amd64` or `linux/arm64/v8`.
    pub fn parse(text: &str) -> Result<Platform, Error> {
        let parts: Vec<&str> = text.trim().split('/').collect();
        let ok = |s: &&str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        match parts.as_slice() {
            [os, arch] if ok(os) && ok(arch) => {
                Ok(Platform { os: os.to_string(), architecture: arch.to_string(), variant: None })
            }
            [os, arch, v] if ok(os) && ok(arch) && ok(v) => {
                Ok(Platform { os: os.to_string(), architecture: arch.to_string(), variant: Some(v.to_string()) })
            }
            _ => {
                Err(Error::Reference(format!("{text:?} is not a platform; write OS/ARCH[/VARIANT], e.g. linux/amd64")))
            }
        }
    }

    /// Whether an index entry's platform is this one (a wanted platform without a variant
    /// takes every variant).
    pub fn matches(&self, other: &Platform) -> bool {
        self.os == other.os
            && self.architecture == other.architecture
            && (self.variant.is_none() || self.variant == other.variant)
    }

    /// Attestation manifests of buildx sit in the index as `unknown/unknown`.
    pub fn is_unknown(&self) -> bool {
        self.os == "unknown" && self.architecture == "unknown"
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// A content-addressed thing a manifest points to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Descriptor {
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    pub platform: Option<Platform>,
}

/// A manifest's meaning for copying.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// An OCI index or Docker manifest list: manifests by platform.
    Index { children: Vec<Descriptor> },
    /// One image: its config and layers.
    Image { config: Descriptor, layers: Vec<Descriptor> },
}

impl Parsed {
    /// The blobs of an image manifest (config first), none for an index.
    pub fn blobs(&self) -> Vec<Descriptor> {
        match self {
            Parsed::Index { .. } => Vec::new(),
            Parsed::Image { config, layers } => std::iter::once(config.clone()).chain(layers.iter().cloned()).collect(),
        }
    }
}

/// The fields of a manifest body the engine reads.
#[derive(Deserialize)]
struct ManifestShape {
    #[serde(rename = "schemaVersion")]
    schema_version: Option<i64>,
    #[serde(rename = "mediaType")]
    media_type: Option<String>,
    manifests: Option<Vec<RawDescriptor>>,
    config: Option<RawDescriptor>,
    layers: Option<Vec<RawDescriptor>>,
}

#[derive(Deserialize)]
struct RawDescriptor {
    #[serde(rename = "mediaType", default)]
    media_type: String,
    digest: String,
    size: i64,
    platform: Option<RawPlatform>,
}

#[derive(Deserialize)]
struct RawPlatform {
    os: String,
    architecture: String,
    variant: Option<String>,
}

impl RawDescriptor {
    fn checked(self, target: &str) -> Result<Descriptor, Error> {
        crate::names::check_digest(&self.digest).map_err(|e| bad(target, e.to_string()))?;
        // What is copied is verified, and only sha256 is: a sha512 blob would pass unchecked.
        if !self.digest.starts_with("sha256:") {
            return Err(bad(
                target,
                format!(
                    "descriptor {} is not a sha256 digest; only sha256 content is verified and copied",
                    self.digest
                ),
            ));
        }
        let size = u64::try_from(self.size)
            .map_err(|_| bad(target, format!("descriptor {} has size {}", self.digest, self.size)))?;
        let platform = self.platform.map(|p| Platform {
            os: p.os,
            architecture: p.architecture,
            variant: p.variant.filter(|v| !v.is_empty()),
        });
        Ok(Descriptor { media_type: self.media_type, digest: self.digest, size, platform })
    }
}

fn bad(target: &str, message: impl Into<String>) -> Error {
    Error::BadManifest { target: target.to_owned(), message: message.into() }
}

/// The manifest's media type: the body's own, else the answer's Content-Type, else the one
/// its shape says. A generic Content-Type (`application/json`, `text/plain`, ...) says
/// nothing and is passed over; any other is kept as sent, for [`read`] to refuse when it is
/// not one we know.
pub fn media_type(bytes: &[u8], content_type: Option<&str>) -> String {
    let body = serde_json::from_slice::<ManifestShape>(bytes).ok();
    let from_body = body.as_ref().and_then(|m| m.media_type.clone()).filter(|m| !m.is_empty());
    let from_header = content_type
        .map(|c| c.split(';').next().unwrap_or(c).trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && !GENERIC.contains(&c.as_str()));
    let from_shape = || if body.is_some_and(|m| m.manifests.is_some()) { OCI_INDEX } else { OCI_MANIFEST }.to_owned();
    from_body.or(from_header).unwrap_or_else(from_shape)
}

/// Content-Types that say nothing of which manifest a body is.
const GENERIC: [&str; 4] = ["application/json", "text/plain", "application/octet-stream", "binary/octet-stream"];

/// A manifest's bytes, exactly as served, and what they are.
#[derive(Clone, Debug)]
pub struct RawManifest {
    pub bytes: Bytes,
    pub media_type: String,
    pub digest: String,
}

/// Reads a manifest as served: [`parse`], and its media type (the body's, else the
/// Content-Type's, as [`media_type`] found it) one we know and saying what the body is: an
/// index type for a body listing manifests, an image type for one with a config.
pub fn read(raw: &RawManifest, target: &str) -> Result<Parsed, Error> {
    let parsed = parse(&raw.bytes, target)?;
    let media_type = raw.media_type.as_str();
    if !KNOWN.contains(&media_type) {
        return Err(unknown_media_type(target, media_type));
    }
    let says_index = matches!(media_type, OCI_INDEX | DOCKER_LIST);
    match (&parsed, says_index) {
        (Parsed::Index { .. }, false) => {
            Err(bad(target, format!("its media type {media_type} is an image's, but it lists manifests")))
        }
        (Parsed::Image { .. }, true) => {
            Err(bad(target, format!("its media type {media_type} is an index's, but it has a config")))
        }
        _ => Ok(parsed),
    }
}

fn unknown_media_type(target: &str, media_type: &str) -> Error {
    bad(
        target,
        format!(
            "media type {} is not one copied here (OCI image manifest or index, Docker manifest v2 or manifest list)",
            crate::names::shown(media_type)
        ),
    )
}

/// Reads a manifest's bytes; `target` names it in errors.
pub fn parse(bytes: &[u8], target: &str) -> Result<Parsed, Error> {
    // Read as a whole JSON value first: the typed read skips fields it does not know without
    // checking them (invalid UTF-8, lone surrogates), and a manifest that passes here must also
    // pass `keep_platforms`, which rewrites the whole value. Found by the fuzz target `manifest`.
    serde_json::from_slice::<Value>(bytes).map_err(|e| bad(target, format!("not JSON: {e}")))?;
    // Typed from the bytes (not the value): a known field given twice is an error, not the
    // last one silently winning.
    let raw: ManifestShape = serde_json::from_slice(bytes).map_err(|e| bad(target, format!("not a manifest: {e}")))?;
    if raw.schema_version != Some(2) {
        return Err(bad(
            target,
            format!("schema version {:?} is not 2 (Docker schema 1 images cannot be copied)", raw.schema_version),
        ));
    }
    if let Some(media_type) = raw.media_type.as_deref().filter(|m| !KNOWN.contains(m)) {
        return Err(unknown_media_type(target, media_type));
    }
    if raw.manifests.is_some() && (raw.config.is_some() || raw.layers.is_some()) {
        // Which one a registry or a runtime would follow is theirs to choose; skopeo refuses too.
        return Err(bad(
            target,
            "it is both an index (\"manifests\") and an image (\"config\", \"layers\"); refused as ambiguous",
        ));
    }
    if let Some(children) = raw.manifests {
        if children.len() > MAX_CHILDREN {
            return Err(bad(
                target,
                format!("it lists {} manifests, more than the {MAX_CHILDREN} an index may list here", children.len()),
            ));
        }
        let children = children.into_iter().map(|d| d.checked(target)).collect::<Result<Vec<_>, _>>()?;
        return Ok(Parsed::Index { children });
    }
    if let Some(OCI_INDEX | DOCKER_LIST) = raw.media_type.as_deref() {
        return Err(bad(target, "an index without \"manifests\""));
    }
    let config = raw.config.ok_or_else(|| bad(target, "neither \"manifests\" nor \"config\""))?.checked(target)?;
    let layers = raw.layers.unwrap_or_default();
    if layers.len() + 1 > MAX_BLOBS_PER_IMAGE {
        return Err(bad(
            target,
            format!(
                "it lists {} blobs (config and layers), more than the {MAX_BLOBS_PER_IMAGE} an image may have here",
                layers.len() + 1
            ),
        ));
    }
    let layers = layers.into_iter().map(|d| d.checked(target)).collect::<Result<Vec<_>, _>>()?;
    Ok(Parsed::Image { config, layers })
}

/// The platforms of an index's children, as a sorted list for messages.
pub fn platform_list(children: &[Descriptor]) -> String {
    let mut names: Vec<String> = children
        .iter()
        .filter_map(|c| c.platform.as_ref())
        .filter(|p| !p.is_unknown())
        .map(Platform::to_string)
        .collect();
    names.sort();
    names.dedup();
    if names.is_empty() { "no platforms listed".into() } else { names.join(", ") }
}

/// The index `bytes` keeping only the children of the `wanted` platforms: new bytes (so a
/// new digest) in which only the `manifests` list changed, every other byte (fields, numbers,
/// spacing, the kept entries themselves) as served. `children` is `parse`'s reading of the same
/// bytes. Asking for a platform the index lacks is an error naming those it has.
pub fn keep_platforms(
    bytes: &[u8],
    children: &[Descriptor],
    wanted: &[Platform],
    target: &str,
) -> Result<(Vec<u8>, Vec<Descriptor>), Error> {
    for want in wanted {
        if !children.iter().any(|c| c.platform.as_ref().is_some_and(|p| want.matches(p))) {
            return Err(Error::PlatformMissing {
                target: target.to_owned(),
                missing: want.to_string(),
                available: platform_list(children),
            });
        }
    }
    let keep = |child: &Descriptor| child.platform.as_ref().is_some_and(|p| wanted.iter().any(|w| w.matches(p)));
    #[derive(Deserialize)]
    struct Listed<'a> {
        #[serde(borrow)]
        manifests: &'a RawValue,
    }
    let text = std::str::from_utf8(bytes).map_err(|e| bad(target, format!("not UTF-8: {e}")))?;
    let listed: Listed = serde_json::from_str(text).map_err(|e| bad(target, format!("not an index: {e}")))?;
    let entries: Vec<&RawValue> =
        serde_json::from_str(listed.manifests.get()).map_err(|e| bad(target, format!("not an index: {e}")))?;
    if entries.len() != children.len() {
        return Err(bad(target, "its manifests are not the ones read before"));
    }
    let kept_entries: Vec<&str> =
        entries.iter().zip(children).filter(|(_, child)| keep(child)).map(|(entry, _)| entry.get()).collect();
    // The list's place in the text: its slice is borrowed from `text`.
    let start = listed.manifests.get().as_ptr() as usize - text.as_ptr() as usize;
    let end = start + listed.manifests.get().len();
    let rewritten = format!("{}[{}]{}", &text[..start], kept_entries.join(","), &text[end..]);
    let kept: Vec<Descriptor> = children.iter().filter(|c| keep(c)).cloned().collect();
    Ok((rewritten.into_bytes(), kept))
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(n: u8) -> String {
        format!("sha256:{}", hex::encode([n; 32]))
    }

    fn index() -> Vec<u8> {
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","annotations":{{"org.example":"kept"}},"manifests":[
              {{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":10,"platform":{{"os":"linux","architecture":"amd64"}}}},
              {{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":11,"platform":{{"os":"linux","architecture":"arm64","variant":"v8"}}}},
              {{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":12,"platform":{{"os":"unknown","architecture":"unknown"}}}}]}}"#,
            digest(1), digest(2), digest(3)
        )
        .into_bytes()
    }

    #[test]
    fn an_index_keeps_only_the_wanted_platforms_and_the_rest_of_its_fields() {
        let bytes = index();
        let Parsed::Index { children } = parse(&bytes, "t").unwrap() else { panic!("not an index") };
        assert_eq!(platform_list(&children), "linux/amd64, linux/arm64/v8");
        let (new, kept) = keep_platforms(&bytes, &children, &[Platform::parse("linux/arm64").unwrap()], "t").unwrap();
        assert_eq!(kept.iter().map(|d| d.digest.clone()).collect::<Vec<_>>(), vec![digest(2)]);
        let Parsed::Index { children: reparsed } = parse(&new, "t").unwrap() else { panic!() };
        assert_eq!(reparsed, kept);
        let value: Value = serde_json::from_slice(&new).unwrap();
        assert_eq!(value["annotations"]["org.example"], "kept");
        assert_eq!(value["mediaType"], OCI_INDEX);
        assert_ne!(sha256_digest(&new), sha256_digest(&bytes));
    }

    #[test]
    fn a_manifest_with_invalid_text_in_an_unknown_field_is_refused_before_it_is_rewritten() {
        // Bytes the typed read alone would skip: both readers must agree, or an index would
        // parse and then fail to rewrite for --platform with a puzzling error.
        let mut bytes = b"{\"other\": \"".to_vec();
        bytes.extend_from_slice(&[0x8a, 0x91]);
        bytes.extend_from_slice(b"\", ");
        bytes.extend_from_slice(&index()[1..]);
        let err = parse(&bytes, "r/i:1").unwrap_err().to_string();
        assert!(err.contains("not JSON"), "{err}");
        let surrogate = String::from_utf8(index()).unwrap().replacen('{', "{\"other\": \"\\udc00\", ", 1);
        assert!(parse(surrogate.as_bytes(), "r/i:1").unwrap_err().to_string().contains("not JSON"));
    }

    #[test]
    fn a_rewritten_index_keeps_every_byte_but_the_list() {
        // A number no f64 holds exactly, spacing and key order: a rewrite through a JSON value
        // would change them (found by the fuzz target `manifest`).
        let big = "63333333333333333333333333333333333333333333333333333333333333333333333301";
        let text = String::from_utf8(index()).unwrap().replacen('{', &format!("{{ \"z\" : {big},  "), 1);
        let Parsed::Index { children } = parse(text.as_bytes(), "r/i:1").unwrap() else { panic!("an index") };
        let arm = Platform::parse("linux/arm64").unwrap();
        let (bytes, kept) = keep_platforms(text.as_bytes(), &children, &[arm], "r/i:1").unwrap();
        let rewritten = String::from_utf8(bytes).unwrap();
        assert!(rewritten.starts_with(&format!("{{ \"z\" : {big},  ")), "{rewritten}");
        let list = text.find("\"manifests\":").unwrap();
        assert_eq!(rewritten[..list], text[..list]);
        assert_eq!(kept.len(), 1);
        assert!(rewritten.ends_with("}}]}") && rewritten.contains(&digest(2)) && !rewritten.contains(&digest(1)));
    }

    #[test]
    fn a_platform_the_index_lacks_is_an_error_naming_those_it_has() {
        let bytes = index();
        let Parsed::Index { children } = parse(&bytes, "src/app:1").unwrap() else { panic!() };
        let err =
            keep_platforms(&bytes, &children, &[Platform::parse("linux/s390x").unwrap()], "src/app:1").unwrap_err();
        assert_eq!(err.to_string(), "src/app:1 has no platform linux/s390x; it has linux/amd64, linux/arm64/v8");
    }

    #[test]
    fn image_manifests_list_config_then_layers_and_bad_ones_are_typed_errors() {
        let m = format!(
            r#"{{"schemaVersion":2,"mediaType":"{DOCKER_MANIFEST}","config":{{"mediaType":"c","digest":"{}","size":5}},"layers":[{{"mediaType":"l","digest":"{}","size":7}}]}}"#,
            digest(4),
            digest(5)
        );
        let parsed = parse(m.as_bytes(), "t").unwrap();
        assert_eq!(parsed.blobs().iter().map(|d| d.size).collect::<Vec<_>>(), vec![5, 7]);
        assert_eq!(media_type(m.as_bytes(), None), DOCKER_MANIFEST);
        for bad in [
            r#"{"schemaVersion":1,"fsLayers":[]}"#,
            "not json",
            r#"{"schemaVersion":2,"config":{"digest":"sha256:12","size":1}}"#,
        ] {
            assert!(matches!(parse(bad.as_bytes(), "t"), Err(Error::BadManifest { .. })), "{bad}");
        }
        let negative = format!(r#"{{"schemaVersion":2,"config":{{"digest":"{}","size":-1}}}}"#, digest(1));
        assert!(matches!(parse(negative.as_bytes(), "t"), Err(Error::BadManifest { .. })));
        assert!(Platform::parse("linux").is_err() && Platform::parse("linux/arm64/v8/x").is_err());
    }

    fn raw(bytes: &str, media_type: &str) -> RawManifest {
        RawManifest {
            bytes: bytes::Bytes::from(bytes.to_owned()),
            media_type: media_type.to_owned(),
            digest: sha256_digest(bytes.as_bytes()),
        }
    }

    fn message(result: Result<Parsed, Error>) -> String {
        match result {
            Err(Error::BadManifest { message, .. }) => message,
            other => panic!("not refused as a bad manifest: {other:?}"),
        }
    }

    #[test]
    fn a_manifest_both_index_and_image_is_refused_as_ambiguous() {
        let both = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":1}}],"config":{{"mediaType":"c","digest":"{}","size":2}},"layers":[]}}"#,
            digest(1),
            digest(2)
        );
        assert!(message(parse(both.as_bytes(), "t")).contains("ambiguous"));
        let with_layers = both.replace(r#""config":{"mediaType":"c","#, r#""other":{"mediaType":"c","#);
        assert!(message(parse(with_layers.as_bytes(), "t")).contains("ambiguous"));
        for media_type in [OCI_INDEX, OCI_MANIFEST] {
            assert!(message(read(&raw(&both, media_type), "t")).contains("ambiguous"));
        }
    }

    #[test]
    fn a_media_type_we_do_not_know_is_refused_naming_it() {
        let image = format!(r#"{{"schemaVersion":2,"config":{{"mediaType":"c","digest":"{}","size":2}}}}"#, digest(1));
        // From the body.
        let typed = image.replacen('{', r#"{"mediaType":"application/vnd.example.thing+json","#, 1);
        assert!(message(parse(typed.as_bytes(), "t")).contains("application/vnd.example.thing+json"));
        // From the Content-Type, when the body names none; a generic one says nothing.
        let served = media_type(image.as_bytes(), Some("application/vnd.example.other+json; charset=utf-8"));
        assert_eq!(served, "application/vnd.example.other+json");
        assert!(message(read(&raw(&image, &served), "t")).contains("application/vnd.example.other+json"));
        assert_eq!(media_type(image.as_bytes(), Some("application/json")), OCI_MANIFEST);
        assert!(read(&raw(&image, OCI_MANIFEST), "t").is_ok());
        assert!(read(&raw(&image, DOCKER_MANIFEST), "t").is_ok());
        // A media type saying the other kind than the body is.
        assert!(message(read(&raw(&image, OCI_INDEX), "t")).contains("has a config"));
        assert!(
            message(read(&raw(&String::from_utf8(index()).unwrap(), DOCKER_MANIFEST), "t")).contains("lists manifests")
        );
        assert!(read(&raw(&String::from_utf8(index()).unwrap(), DOCKER_LIST), "t").is_ok());
    }

    #[test]
    fn a_descriptor_not_in_sha256_is_refused_as_unverifiable() {
        let sha512 = format!("sha512:{}", "ab".repeat(64));
        let image = format!(r#"{{"schemaVersion":2,"config":{{"mediaType":"c","digest":"{sha512}","size":2}}}}"#);
        let refused = message(parse(image.as_bytes(), "t"));
        assert!(refused.contains(&sha512) && refused.contains("only sha256"), "{refused}");
    }

    #[test]
    fn an_index_over_the_bound_of_children_is_refused_naming_it() {
        let entry = format!(r#"{{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":1}}"#, digest(1));
        let entries = vec![entry; MAX_CHILDREN + 1].join(",");
        let index = format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{entries}]}}"#);
        let refused = message(parse(index.as_bytes(), "t"));
        assert!(refused.contains("10001 manifests") && refused.contains("10000"), "{refused}");
    }
}
