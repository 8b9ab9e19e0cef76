//! What the registry knows of one tag: its digest, platforms and compressed size, for
//! listings (`tag list --size --platforms`) and reports.

use std::collections::HashSet;

use futures::{StreamExt, TryStreamExt};
use serde::Deserialize;

use crate::manifest::{self, Parsed};
use crate::{Error, Registry};

/// Platform manifests read at once.
const CHILDREN_IN_FLIGHT: usize = 4;
/// The largest image config read for its platform (real ones are a few KiB).
const MAX_CONFIG_BYTES: u64 = 4 << 20;

/// One tag's facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageFacts {
    /// The digest of the manifest the tag names.
    pub digest: String,
    /// `linux/amd64`, ... (sorted; an index's attestation entries are not platforms).
    pub platforms: Vec<String>,
    /// The bytes stored for the tag: its manifests and its distinct blobs, each counted once.
    pub compressed_size: u64,
    /// The distinct blobs (configs and layers) with their sizes, in the order first met.
    pub blobs: Vec<(String, u64)>,
    /// For an index, the digests of the manifests it lists (its platforms'); none for one image.
    pub children: Vec<String>,
}

#[derive(Deserialize)]
struct ConfigPlatform {
    os: Option<String>,
    architecture: Option<String>,
    variant: Option<String>,
}

impl Registry {
    /// The facts of `repository:reference` (a tag or a digest): one GET for the manifest,
    /// one per platform's manifest, and for a single-platform image one of its config.
    pub async fn image_facts(&self, repository: &str, reference: &str) -> Result<ImageFacts, Error> {
        Registry::checked(repository, reference)?;
        let top = self.get_manifest(repository, reference).await?;
        let target = format!("{}/{repository}:{reference}", self.host());
        let mut size = top.bytes.len() as u64;
        let mut seen = HashSet::new();
        let mut blobs = Vec::new();
        let mut add = |blobs: &mut Vec<(String, u64)>, parsed: &Parsed| {
            let mut added = 0;
            for blob in parsed.blobs() {
                if seen.insert(blob.digest.clone()) {
                    added += blob.size;
                    blobs.push((blob.digest, blob.size));
                }
            }
            added
        };
        let mut listed = Vec::new();
        let platforms = match manifest::parse(&top.bytes, &target)? {
            Parsed::Index { children } => {
                listed = children.iter().map(|c| c.digest.clone()).collect();
                let mut platforms = Vec::new();
                // The platforms' manifests a few at a time, in the index's order.
                let raws: Vec<crate::RawManifest> =
                    futures::stream::iter(children.iter().map(|c| self.get_manifest(repository, &c.digest)))
                        .buffered(CHILDREN_IN_FLIGHT)
                        .try_collect()
                        .await?;
                for (child, raw) in children.iter().zip(raws) {
                    size += raw.bytes.len() as u64;
                    let parsed = manifest::parse(&raw.bytes, &format!("{target} ({})", child.digest))?;
                    size += add(&mut blobs, &parsed);
                    if let Some(p) = child.platform.as_ref().filter(|p| !p.is_unknown()) {
                        platforms.push(p.to_string());
                    }
                }
                platforms.sort();
                platforms.dedup();
                platforms
            }
            parsed @ Parsed::Image { .. } => {
                size += add(&mut blobs, &parsed);
                let Parsed::Image { config, .. } = &parsed else { unreachable!() };
                self.config_platform(repository, &config.digest, config.size, &target).await?.into_iter().collect()
            }
        };
        Ok(ImageFacts { digest: top.digest, platforms, compressed_size: size, blobs, children: listed })
    }

    /// The platform of a single-platform image, from its config.
    pub(crate) async fn config_platform_of(
        &self,
        repository: &str,
        config: &crate::manifest::Descriptor,
    ) -> Result<Option<String>, Error> {
        let target = format!("{}/{repository}@{}", self.host(), config.digest);
        self.config_platform(repository, &config.digest, config.size, &target).await
    }

    /// The platform an image's config names, if any (artifacts have configs without one).
    async fn config_platform(
        &self,
        repository: &str,
        digest: &str,
        size: u64,
        target: &str,
    ) -> Result<Option<String>, Error> {
        if size > MAX_CONFIG_BYTES {
            return Ok(None);
        }
        let bytes = crate::blob::read_small(self, repository, digest, size).await?;
        let Ok(config) = serde_json::from_slice::<ConfigPlatform>(&bytes) else {
            tracing::debug!(target, "image config is not JSON with a platform");
            return Ok(None);
        };
        Ok(match (config.os, config.architecture) {
            (Some(os), Some(arch)) if !os.is_empty() && !arch.is_empty() => {
                let variant = config.variant.filter(|v| !v.is_empty()).map(|v| format!("/{v}")).unwrap_or_default();
                Some(format!("{os}/{arch}{variant}"))
            }
            _ => None,
        })
    }
}
