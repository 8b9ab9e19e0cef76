//! An image's accessories in its repository: what signs, attests or describes one manifest
//! digest, found the two ways registries keep them, and the destination's record of referrers
//! for registries that do not keep one themselves.
//!
//! - cosign's tags: `sha256-<hex>.sig`, `.att` and `.sbom` beside the image, each a manifest of
//!   its own. Looked up by HEAD (Docker Hub counts manifest GETs, not HEADs; a 404 is "none"),
//!   or in the repository's tag list when the caller already read it.
//! - OCI 1.1 referrers: manifests whose `subject` is the digest, listed by
//!   `GET /v2/<name>/referrers/<digest>` (an image index of descriptors, paged by `Link`).
//!   A registry without that API (a 404, or an answer that is not an image index) keeps the
//!   list in the tag `sha256-<hex>` instead (the spec's tag-schema fallback), which is read.
//!
//! Only the digest asked about is looked at, not the children of an index: `cosign sign
//! IMAGE:TAG` signs the digest the tag names, and looking up every platform would cost a few
//! requests per platform for signatures that are rarely there (`cosign sign --recursive`).
//! Accessories of accessories are not followed either.
//!
//! Everything read is bounded and checked before it names a request: every digest by
//! [`crate::names`] (only sha256, the one we verify), every `artifactType` as a media type,
//! at most [`MAX_ACCESSORIES`] per image, each page within [`crate::MAX_MANIFEST_BYTES`].

use std::collections::HashSet;

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, LINK};
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

use crate::manifest::{OCI_INDEX, OCI_MANIFEST};
use crate::outcome::Outcome;
use crate::{Error, MAX_MANIFEST_BYTES, Registry, names};

/// The most accessories copied with one image: cosign keeps three tags, and an image gathers
/// a signature or attestation per signer and build; past this the source is refused rather
/// than followed, so a registry cannot make one image's copy read without end.
pub const MAX_ACCESSORIES: usize = 1_000;
/// The most pages of one referrers list followed.
pub const MAX_REFERRER_PAGES: usize = 20;
/// The longest `artifactType` taken (RFC 6838 allows 127 characters each side of the `/`).
const MAX_MEDIA_TYPE_LEN: usize = 255;

/// What an accessory is to its image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessoryKind {
    /// cosign's `sha256-<hex>.sig`.
    Signature,
    /// cosign's `sha256-<hex>.att`.
    Attestation,
    /// cosign's `sha256-<hex>.sbom`.
    Sbom,
    /// An OCI 1.1 referrer (a manifest whose `subject` is the image).
    Referrer,
}

const COSIGN_TAGS: [(&str, AccessoryKind); 3] =
    [("sig", AccessoryKind::Signature), ("att", AccessoryKind::Attestation), ("sbom", AccessoryKind::Sbom)];

/// One accessory found in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accessory {
    pub kind: AccessoryKind,
    /// The tag it is kept under (cosign's), `None` for a referrer (kept by digest).
    pub tag: Option<String>,
    /// Its manifest's digest; `None` for a cosign tag found in a tag list (read when copied).
    pub digest: Option<String>,
    /// A referrer's `artifactType`, checked to be a media type.
    pub artifact_type: Option<String>,
    /// A referrer's descriptor as the source listed it, for the destination's fallback index.
    pub(crate) entry: Option<String>,
}

/// What [`Registry::find_accessories`] found for one digest.
#[derive(Clone, Debug, Default)]
pub struct FoundAccessories {
    pub accessories: Vec<Accessory>,
    /// Whether the registry answered the referrers API; `false` when it has none (the
    /// fallback tag was read instead) or was known to have none.
    pub referrers_api: bool,
    /// The source's fallback index (`sha256-<hex>`) as served, when the referrers came from it.
    pub(crate) fallback_index: Option<Bytes>,
}

/// What became of one accessory; it shares its image's line of the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccessoryReport {
    pub kind: AccessoryKind,
    /// The tag written on the destination (cosign's), `None` for a referrer.
    pub tag: Option<String>,
    pub digest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// `unchanged` also when another image of the run brought it.
    pub outcome: Outcome,
    /// Blob bytes sent (or that would be).
    pub bytes: u64,
}

/// `sha256-<hex>`: the fallback tag of a digest, and the stem of cosign's tags. `None` for a
/// digest in another algorithm (whose accessories are not looked for: only sha256 is verified).
pub fn digest_tag(digest: &str) -> Option<String> {
    let hex = digest.strip_prefix("sha256:")?;
    names::check_digest(digest).ok()?;
    Some(format!("sha256-{hex}"))
}

/// Whether `tag` is one accessories are kept under: `sha256-<64 hex>`, alone (referrers'
/// fallback) or with `.sig`, `.att` or `.sbom` (cosign's).
pub fn is_accessory_tag(tag: &str) -> bool {
    let Some(rest) = tag.strip_prefix("sha256-") else {
        return false;
    };
    let (hex, suffix) = rest.split_at(rest.len().min(64));
    hex.len() == 64
        && hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        && matches!(suffix, "" | ".sig" | ".att" | ".sbom")
}

/// A descriptor of a referrers list, as read.
#[derive(Deserialize)]
struct RawEntry {
    #[serde(rename = "mediaType", default)]
    media_type: String,
    digest: String,
    size: i64,
    #[serde(rename = "artifactType")]
    artifact_type: Option<String>,
}

/// A referrers list: an image index whose `manifests` are read one at a time and refused past
/// [`MAX_ACCESSORIES`], so a list of a million entries is never held.
#[derive(Deserialize)]
struct ReferrersIndex {
    #[serde(rename = "schemaVersion")]
    schema_version: Option<i64>,
    #[serde(rename = "mediaType")]
    media_type: Option<String>,
    #[serde(default)]
    manifests: Entries,
}

#[derive(Default)]
struct Entries(Vec<Box<RawValue>>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bounded;
        impl<'de> Visitor<'de> for Bounded {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of descriptors")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = seq.next_element::<Box<RawValue>>()? {
                    if entries.len() == MAX_ACCESSORIES {
                        return Err(de::Error::custom(too_many()));
                    }
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_seq(Bounded)
    }
}

fn too_many() -> String {
    format!("it lists more than {MAX_ACCESSORIES} accessories, the most copied with one image here; refused")
}

fn bad(target: &str, message: impl Into<String>) -> Error {
    Error::BadManifest { target: target.to_owned(), message: message.into() }
}

/// A media type as RFC 6838 writes it (`type/subtype`, restricted name characters), within
/// [`MAX_MEDIA_TYPE_LEN`]: what may be shown and written back.
fn is_media_type(text: &str) -> bool {
    let name = |s: &str| {
        !s.is_empty()
            && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    text.len() <= MAX_MEDIA_TYPE_LEN && text.split_once('/').is_some_and(|(t, s)| name(t) && name(s))
}

/// The referrers a list names, each checked; `target` names the list in errors.
fn read_referrers(bytes: &[u8], subject: &str, target: &str) -> Result<Vec<Accessory>, Error> {
    let index: ReferrersIndex = serde_json::from_slice(bytes).map_err(|e| {
        let text = e.to_string();
        bad(
            target,
            if text.contains("accessories") { text } else { format!("not an image index of referrers: {text}") },
        )
    })?;
    if index.schema_version != Some(2) || index.media_type.as_deref().is_some_and(|m| m != OCI_INDEX) {
        return Err(bad(target, "not an OCI image index (schemaVersion 2, mediaType of an index)"));
    }
    let mut found = Vec::with_capacity(index.manifests.0.len());
    for raw in index.manifests.0 {
        let entry: RawEntry =
            serde_json::from_str(raw.get()).map_err(|e| bad(target, format!("a descriptor that is not one: {e}")))?;
        names::check_digest(&entry.digest)?;
        if !entry.digest.starts_with("sha256:") {
            return Err(bad(
                target,
                format!("referrer {} is not a sha256 digest; only sha256 is verified", entry.digest),
            ));
        }
        if entry.size < 0 {
            return Err(bad(target, format!("referrer {} has size {}", entry.digest, entry.size)));
        }
        if entry.media_type != OCI_MANIFEST && entry.media_type != OCI_INDEX {
            return Err(bad(
                target,
                format!(
                    "referrer {} has media type {}, not an OCI manifest or index",
                    entry.digest,
                    names::shown(&entry.media_type)
                ),
            ));
        }
        if let Some(kind) = entry.artifact_type.as_deref().filter(|k| !is_media_type(k)) {
            return Err(bad(
                target,
                format!(
                    "referrer {} has an artifactType that is not a media type: {}",
                    entry.digest,
                    names::shown(kind)
                ),
            ));
        }
        // A manifest cannot refer to itself (its digest would be in its own bytes): a source
        // saying so is not listing referrers.
        if entry.digest == subject {
            continue;
        }
        found.push(Accessory {
            kind: AccessoryKind::Referrer,
            tag: None,
            digest: Some(entry.digest),
            artifact_type: entry.artifact_type,
            entry: Some(raw.get().to_owned()),
        });
    }
    Ok(found)
}

/// The fallback index listing `entries` (raw descriptors), in order.
fn index_of(entries: &[&str]) -> Bytes {
    Bytes::from(format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{}]}}"#, entries.join(",")))
}

/// How a referrers list answered.
enum Listing {
    /// The registry has no referrers API.
    NoApi,
    Listed(Vec<Accessory>),
}

impl Registry {
    /// The accessories of `repository@digest`: cosign's tags (looked up in `listed_tags` when
    /// given, else by HEAD) and the referrers (the API, else the fallback tag).
    pub async fn find_accessories(
        &self,
        repository: &str,
        digest: &str,
        listed_tags: Option<&HashSet<String>>,
    ) -> Result<FoundAccessories, Error> {
        self.accessories_of(repository, digest, listed_tags, true).await
    }

    /// [`Registry::find_accessories`], asking the referrers API only when `ask_api` (a run
    /// that learnt the registry has none goes straight to the fallback tag).
    pub(crate) async fn accessories_of(
        &self,
        repository: &str,
        digest: &str,
        listed_tags: Option<&HashSet<String>>,
        ask_api: bool,
    ) -> Result<FoundAccessories, Error> {
        Registry::checked(repository, digest)?;
        let Some(stem) = digest_tag(digest) else {
            return Ok(FoundAccessories::default());
        };
        let cosign = futures::future::try_join_all(COSIGN_TAGS.iter().map(|&(suffix, kind)| {
            let tag = format!("{stem}.{suffix}");
            async move { self.cosign_tag(repository, digest, tag, kind, listed_tags).await }
        }));
        let referrers = async {
            if ask_api {
                if let Listing::Listed(found) = self.referrers(repository, digest).await? {
                    return Ok((found, true, None));
                }
            }
            let (found, bytes) = self.fallback_referrers(repository, digest, &stem, listed_tags).await?;
            Ok::<_, Error>((found, false, bytes))
        };
        let (cosign, (referrers, referrers_api, fallback_index)) = futures::try_join!(cosign, referrers)?;
        // A digest listed twice (by a tag and as a referrer, or twice in a list) is one accessory.
        let mut seen = HashSet::new();
        let accessories: Vec<Accessory> = cosign
            .into_iter()
            .flatten()
            .chain(referrers)
            .filter(|a| seen.insert((a.tag.clone(), a.digest.clone())))
            .collect();
        if accessories.len() > MAX_ACCESSORIES {
            return Err(bad(&self.target(repository, digest), too_many()));
        }
        Ok(FoundAccessories { accessories, referrers_api, fallback_index })
    }

    /// cosign's `tag` when the repository has it (and it is not the image itself, which a
    /// source answering every tag alike would say).
    async fn cosign_tag(
        &self,
        repository: &str,
        subject: &str,
        tag: String,
        kind: AccessoryKind,
        listed_tags: Option<&HashSet<String>>,
    ) -> Result<Option<Accessory>, Error> {
        let digest = match listed_tags {
            Some(tags) if !tags.contains(&tag) => return Ok(None),
            Some(_) => None,
            None => match self.head_manifest(repository, &tag).await? {
                None => return Ok(None),
                Some(head) if head.digest == subject => return Ok(None),
                Some(head) => Some(head.digest),
            },
        };
        Ok(Some(Accessory { kind, tag: Some(tag), digest, artifact_type: None, entry: None }))
    }

    /// The referrers API's list for `digest`, every page; [`Listing::NoApi`] for a 404 (or a
    /// 400 or 405, as some registries answer a path they do not know), or a first answer that
    /// is not an image index.
    async fn referrers(&self, repository: &str, digest: &str) -> Result<Listing, Error> {
        let target = format!("{}'s referrers", self.target(repository, digest));
        let first = self.url(repository, &["referrers", digest]);
        let mut next = Some(first.clone());
        let mut seen = HashSet::new();
        let mut found = Vec::new();
        while let Some(url) = next.take() {
            if !seen.insert(url.as_str().to_owned()) {
                return Err(bad(&target, "its pages loop; refused"));
            }
            if seen.len() > MAX_REFERRER_PAGES {
                return Err(bad(&target, format!("more than {MAX_REFERRER_PAGES} pages; refused")));
            }
            let page = self
                .retry()
                .run(|| async {
                    let answer = match self.request(reqwest::Method::GET, &url, repository, "GET", &target).await {
                        Ok(answer) => answer,
                        Err(Error::NotFound { .. }) | Err(Error::Registry { status: Some(400 | 405), .. }) => {
                            return Ok(None);
                        }
                        Err(e) => return Err(e),
                    };
                    let header = |name| answer.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
                    let content_type = header(CONTENT_TYPE).unwrap_or_default();
                    let link = header(LINK);
                    let is_index = content_type.split(';').next().is_some_and(|t| t.trim() == OCI_INDEX);
                    let too_large = || Error::ManifestTooLarge { target: target.clone(), limit: MAX_MANIFEST_BYTES };
                    let body = self.read_body(answer, MAX_MANIFEST_BYTES, "GET", &target, too_large).await?;
                    Ok(Some((is_index, link, body)))
                })
                .await?;
            let Some((is_index, link, body)) = page else {
                return if seen.len() == 1 {
                    Ok(Listing::NoApi)
                } else {
                    Err(bad(&target, "a linked page is missing"))
                };
            };
            if !is_index {
                if seen.len() == 1 {
                    return Ok(Listing::NoApi);
                }
                return Err(bad(&target, "a page that is not an image index"));
            }
            found.extend(read_referrers(&body, digest, &target)?);
            if found.len() > MAX_ACCESSORIES {
                return Err(bad(&target, too_many()));
            }
            next = match link {
                Some(header) => {
                    crate::tags::next_page(&url, &first, &header).map_err(|e| bad(&target, format!("paging: {e}")))?
                }
                None => None,
            };
        }
        Ok(Listing::Listed(found))
    }

    /// The referrers the fallback tag `stem` lists, and its bytes; none when there is no
    /// such tag (known from `listed_tags`, else from a HEAD).
    async fn fallback_referrers(
        &self,
        repository: &str,
        subject: &str,
        stem: &str,
        listed_tags: Option<&HashSet<String>>,
    ) -> Result<(Vec<Accessory>, Option<Bytes>), Error> {
        let reference = match listed_tags {
            Some(tags) if !tags.contains(stem) => return Ok((Vec::new(), None)),
            Some(_) => stem.to_owned(),
            None => match self.head_manifest(repository, stem).await? {
                None => return Ok((Vec::new(), None)),
                Some(head) if head.digest == subject => return Ok((Vec::new(), None)),
                // By digest: the bytes read are checked against what the HEAD named.
                Some(head) => head.digest,
            },
        };
        let raw = self.get_manifest(repository, &reference).await?;
        if raw.digest == subject {
            return Ok((Vec::new(), None));
        }
        let target = self.target(repository, stem);
        if raw.media_type != OCI_INDEX {
            return Err(bad(
                &target,
                format!("the fallback tag of referrers is {}, not an image index", raw.media_type),
            ));
        }
        let found = read_referrers(&raw.bytes, subject, &target)?;
        Ok((found, Some(raw.bytes)))
    }

    /// Whether the destination lists every one of `digests` as a referrer of `subject` by
    /// its own API: `None` when it has no referrers API.
    pub(crate) async fn lists_referrers(
        &self,
        repository: &str,
        subject: &str,
        digests: &[&str],
    ) -> Result<Option<bool>, Error> {
        match self.referrers(repository, subject).await? {
            Listing::NoApi => Ok(None),
            Listing::Listed(found) => {
                let listed: HashSet<&str> = found.iter().filter_map(|a| a.digest.as_deref()).collect();
                Ok(Some(digests.iter().all(|d| listed.contains(d))))
            }
        }
    }

    /// Writes the destination's fallback tag of `subject` so it lists `referrers`: the
    /// source's index as served when the destination has none and it lists exactly these,
    /// else what the destination has with the missing ones added (nothing there is dropped;
    /// an existing tag that is not an index of referrers is left alone, and an error). `false`
    /// when it already listed them all.
    pub(crate) async fn write_fallback_index(
        &self,
        repository: &str,
        subject: &str,
        referrers: &[&Accessory],
        source_index: Option<&Bytes>,
    ) -> Result<bool, Error> {
        let Some(stem) = digest_tag(subject) else {
            return Ok(false);
        };
        let target = self.target(repository, &stem);
        let existing = match self.get_manifest(repository, &stem).await {
            Ok(raw) => Some(raw),
            Err(Error::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        let wanted: Vec<(&str, &str)> =
            referrers.iter().filter_map(|a| Some((a.digest.as_deref()?, a.entry.as_deref()?))).collect();
        let bytes = match existing {
            None => {
                let listed = source_index.map(|b| read_referrers(b, subject, &target)).transpose()?;
                let same = listed.is_some_and(|l| {
                    l.len() == wanted.len() && l.iter().zip(&wanted).all(|(a, w)| a.digest.as_deref() == Some(w.0))
                });
                match source_index {
                    Some(bytes) if same => bytes.clone(),
                    _ => index_of(&wanted.iter().map(|w| w.1).collect::<Vec<_>>()),
                }
            }
            Some(raw) => {
                if raw.media_type != OCI_INDEX {
                    return Err(bad(
                        &target,
                        format!(
                            "the destination's fallback tag is {}, not an image index; left as it is",
                            raw.media_type
                        ),
                    ));
                }
                let have = read_referrers(&raw.bytes, subject, &target)?;
                let have_digests: HashSet<&str> = have.iter().filter_map(|a| a.digest.as_deref()).collect();
                let missing: Vec<&str> = wanted.iter().filter(|w| !have_digests.contains(w.0)).map(|w| w.1).collect();
                if missing.is_empty() {
                    return Ok(false);
                }
                if have.len() + missing.len() > MAX_ACCESSORIES {
                    return Err(bad(&target, too_many()));
                }
                let entries: Vec<&str> = have.iter().filter_map(|a| a.entry.as_deref()).chain(missing).collect();
                index_of(&entries)
            }
        };
        self.push_manifest(repository, &stem, &bytes, OCI_INDEX).await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(n: u8) -> String {
        format!("sha256:{}", hex::encode([n; 32]))
    }

    fn entry(n: u8, artifact_type: &str) -> String {
        format!(r#"{{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":10,"artifactType":"{artifact_type}"}}"#, d(n))
    }

    #[test]
    fn accessory_tags_are_cosigns_and_the_fallbacks_and_nothing_else() {
        let hex = "a".repeat(64);
        for tag in [format!("sha256-{hex}"), format!("sha256-{hex}.sig"), format!("sha256-{hex}.att")] {
            assert!(is_accessory_tag(&tag), "{tag}");
        }
        for tag in
            [format!("sha256-{hex}.other"), format!("sha256-{}", "A".repeat(64)), "sha256-ab.sig".into(), "v1".into()]
        {
            assert!(!is_accessory_tag(&tag), "{tag}");
        }
        assert_eq!(digest_tag(&d(1)), Some(format!("sha256-{}", hex::encode([1; 32]))));
        assert_eq!(digest_tag(&format!("sha512:{}", "ab".repeat(64))), None);
    }

    #[test]
    fn a_referrers_list_is_read_checked_and_bounded() {
        let list = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{}]}}"#,
            entry(2, "application/vnd.example+json")
        );
        let found = read_referrers(list.as_bytes(), &d(1), "t").unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].artifact_type.as_deref(), Some("application/vnd.example+json"));
        assert_eq!(found[0].entry.as_deref(), Some(entry(2, "application/vnd.example+json").as_str()));

        // A digest that is not a name is refused as one; an artifactType with a terminal
        // escape is refused, shown escaped.
        let bad_digest = list.replace(&d(2), "sha256:../../../v2/other/manifests/latest");
        assert!(matches!(read_referrers(bad_digest.as_bytes(), &d(1), "t"), Err(Error::InvalidName(_))));
        let escape = list.replace("application/vnd.example+json", "text/x\\u001b[31m");
        let refused = read_referrers(escape.as_bytes(), &d(1), "t").unwrap_err().to_string();
        assert!(refused.contains("artifactType") && !refused.contains('\u{1b}'), "{refused}");

        let many = vec![entry(2, "a/b"); MAX_ACCESSORIES + 1].join(",");
        let many = format!(r#"{{"schemaVersion":2,"manifests":[{many}]}}"#);
        let refused = read_referrers(many.as_bytes(), &d(1), "app").unwrap_err().to_string();
        assert!(refused.contains("more than 1000 accessories") && refused.contains("app"), "{refused}");
        // The subject listed as its own referrer is passed over.
        let own = list.replace(&d(2), &d(1));
        assert!(read_referrers(own.as_bytes(), &d(1), "t").unwrap().is_empty());
    }

    #[test]
    fn an_index_of_merged_referrers_keeps_each_entry_as_listed() {
        let (a, b) = (entry(2, "a/b"), entry(3, "c/d"));
        let bytes = index_of(&[&a, &b]);
        let found = read_referrers(&bytes, &d(1), "t").unwrap();
        assert_eq!(found.iter().map(|f| f.entry.clone().unwrap()).collect::<Vec<_>>(), vec![a, b]);
    }
}
