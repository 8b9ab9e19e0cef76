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
                    if seen.len() > manifest::MAX_BLOBS_PER_TAG {
                        return Err(too_many_blobs(&target));
                    }
                    added += blob.size;
                    blobs.push((blob.digest, blob.size));
                }
            }
            Ok(added)
        };
        let mut listed = Vec::new();
        let platforms = match manifest::read(&top, &target)? {
            Parsed::Index { children } => {
                listed = children.iter().map(|c| c.digest.clone()).collect();
                let mut platforms = HashSet::new();
                // The platforms' manifests a few at a time, each folded into the sums and
                // dropped as it arrives: memory holds a few, however many the index lists.
                let mut answers = futures::stream::iter(children.iter().map(|child| async move {
                    self.get_manifest(repository, &child.digest).await.map(|raw| (child, raw))
                }))
                .buffered(CHILDREN_IN_FLIGHT);
                while let Some((child, raw)) = answers.try_next().await? {
                    size += raw.bytes.len() as u64;
                    let parsed = manifest::read(&raw, &format!("{target} ({})", child.digest))?;
                    size += add(&mut blobs, &parsed)?;
                    if let Some(p) = child.platform.as_ref().filter(|p| !p.is_unknown()) {
                        platforms.insert(p.to_string());
                    }
                }
                let mut platforms: Vec<String> = platforms.into_iter().collect();
                platforms.sort();
                platforms
            }
            parsed @ Parsed::Image { .. } => {
                size += add(&mut blobs, &parsed)?;
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

fn too_many_blobs(target: &str) -> Error {
    Error::BadManifest {
        target: target.to_owned(),
        message: format!(
            "its manifests list more than {} distinct blobs, the most read for one tag here; refused",
            manifest::MAX_BLOBS_PER_TAG
        ),
    }
}
