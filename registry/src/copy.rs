//! Copying one image between registries.
//!
//! A HEAD on each side first: equal digests mean nothing to do, with no GET at all (Docker
//! Hub counts GETs against its rate limit, not HEADs). Otherwise the source's manifest is read
//! by digest and kept byte for byte (the same bytes keep the digest), each platform's manifest
//! the destination lacks is read, each blob the destination lacks is mounted (same registry)
//! or streamed and verified, then the platforms' manifests are pushed, the index last and the
//! tag with it. A run cut short leaves finished blobs in place, so the next one resumes.

use std::collections::HashSet;
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use serde::Serialize;

use crate::manifest::{self, Descriptor, Parsed, Platform};
use crate::{Error, ImageRef, Progress, Registry, Silent};

/// How a copy runs.
#[derive(Clone)]
pub struct CopyOptions {
    /// Platforms to keep (`linux/amd64`); empty keeps every one and the index as it is.
    pub platforms: Vec<Platform>,
    /// Find what would be copied and its bytes; push nothing.
    pub dry_run: bool,
    /// Blobs (and platform manifests) in flight at once.
    pub concurrency: usize,
    /// Asked before each blob: once it says stop, no new blob starts (and the copy ends with
    /// [`Error::Interrupted`]); an image whose blobs are all in is still finished.
    pub should_stop: Arc<dyn Fn() -> bool + Send + Sync>,
    pub progress: Arc<dyn Progress>,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            platforms: Vec::new(),
            dry_run: false,
            concurrency: 4,
            should_stop: Arc::new(|| false),
            progress: Arc::new(Silent),
        }
    }
}

/// What became of an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Copied,
    /// The destination's digest already was the source's: nothing was read or sent.
    Unchanged,
    /// A dry run: this much would be copied.
    WouldCopy,
}

/// The report of one image's copy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CopyReport {
    pub source: String,
    pub destination: String,
    pub outcome: Outcome,
    /// The digest the destination's tag has (or would have).
    pub digest: String,
    /// The source's digest; differs from `digest` when `--platform` rewrote the index.
    pub source_digest: String,
    /// Whether the index was rewritten to keep some platforms.
    pub rewritten: bool,
    /// The digest the destination's tag had before, when the copy moved it (or would).
    pub replaced: Option<String>,
    /// The platforms copied (empty for a single-platform image whose config was not read).
    pub platforms: Vec<String>,
    /// Blob bytes sent (or that would be).
    pub bytes: u64,
    pub blobs_copied: usize,
    /// Blobs the destination already had.
    pub blobs_skipped: usize,
    /// Blobs mounted from another repository of the same registry.
    pub blobs_mounted: usize,
    pub manifests_pushed: usize,
}

impl CopyReport {
    fn new(from: &ImageRef, to: &ImageRef, outcome: Outcome, digest: &str) -> CopyReport {
        CopyReport {
            source: from.to_string(),
            destination: to.to_string(),
            outcome,
            digest: digest.to_owned(),
            source_digest: digest.to_owned(),
            rewritten: false,
            replaced: None,
            platforms: Vec::new(),
            bytes: 0,
            blobs_copied: 0,
            blobs_skipped: 0,
            blobs_mounted: 0,
            manifests_pushed: 0,
        }
    }
}

/// Copies `from` (on `src`) to `to` (on `dst`).
pub async fn copy_image(
    src: &Registry,
    from: &ImageRef,
    dst: &Registry,
    to: &ImageRef,
    options: &CopyOptions,
) -> Result<CopyReport, Error> {
    if from.host != src.host() || to.host != dst.host() {
        return Err(Error::Reference(format!(
            "{from} → {to}: the registries given are {} and {}",
            src.host(),
            dst.host()
        )));
    }
    // Both names before either side is asked anything (an ImageRef's fields are public).
    Registry::checked(&from.repository, &from.reference)?;
    Registry::checked(&to.repository, &to.reference)?;
    let stop = || if (options.should_stop)() { Err(Error::Interrupted) } else { Ok(()) };
    stop()?;
    let (src_head, dst_head) = futures::join!(
        src.head_manifest(&from.repository, &from.reference),
        dst.head_manifest(&to.repository, &to.reference)
    );
    let src_head = src_head?.ok_or_else(|| Error::NotFound { action: "HEAD manifest", target: from.to_string() })?;
    let dst_digest = dst_head?.map(|h| h.digest);
    if options.platforms.is_empty() && dst_digest.as_deref() == Some(src_head.digest.as_str()) {
        return Ok(CopyReport::new(from, to, Outcome::Unchanged, &src_head.digest));
    }

    // By digest: the bytes read are the ones the HEAD named, and are checked against it.
    let top = src.get_manifest(&from.repository, &src_head.digest).await?;
    let target = from.to_string();
    let concurrency = options.concurrency.max(1);
    let mut report = CopyReport::new(from, to, Outcome::Copied, &top.digest);
    let (top_bytes, images) = match manifest::parse(&top.bytes, &target)? {
        Parsed::Index { children } => {
            let (bytes, kept) = if options.platforms.is_empty() {
                (top.bytes.to_vec(), children)
            } else {
                manifest::keep_platforms(&top.bytes, &children, &options.platforms, &target)?
            };
            report.digest = manifest::sha256_digest(&bytes);
            report.rewritten = report.digest != top.digest;
            report.platforms = kept
                .iter()
                .filter_map(|c| c.platform.as_ref())
                .filter(|p| !p.is_unknown())
                .map(Platform::to_string)
                .collect();
            if dst_digest.as_deref() == Some(report.digest.as_str()) {
                report.outcome = Outcome::Unchanged;
                return Ok(report);
            }
            let images = children_to_copy(src, from, dst, to, &kept, concurrency).await?;
            (bytes, images)
        }
        parsed @ Parsed::Image { .. } => {
            if !options.platforms.is_empty() {
                let Parsed::Image { config, .. } = &parsed else { unreachable!() };
                let has = src.config_platform_of(&from.repository, config).await?;
                let matches = has
                    .as_deref()
                    .and_then(|p| Platform::parse(p).ok())
                    .is_some_and(|p| options.platforms.iter().all(|w| w.matches(&p)));
                if !matches {
                    let wanted: Vec<String> = options.platforms.iter().map(Platform::to_string).collect();
                    return Err(Error::PlatformMissing {
                        target,
                        missing: wanted.join(", "),
                        available: has.map_or("no platform in its config".into(), |p| {
                            format!("only {p} (a single-platform image)")
                        }),
                    });
                }
                report.platforms = has.into_iter().collect();
            }
            (top.bytes.to_vec(), vec![ChildImage { digest: None, raw: None, parsed }])
        }
    };

    report.replaced = dst_digest.filter(|d| *d != report.digest);

    // Each blob once, whichever platforms share it.
    let mut seen = HashSet::new();
    let blobs: Vec<Descriptor> =
        images.iter().flat_map(|i| i.parsed.blobs()).filter(|b| seen.insert(b.digest.clone())).collect();
    let present: Vec<bool> = futures::stream::iter(blobs.iter().map(|b| dst.blob_exists(&to.repository, &b.digest)))
        .buffered(concurrency)
        .try_collect()
        .await?;
    let missing: Vec<&Descriptor> = blobs.iter().zip(&present).filter(|(_, p)| !**p).map(|(b, _)| b).collect();
    report.blobs_skipped = blobs.len() - missing.len();
    report.bytes = missing.iter().map(|b| b.size).sum();
    if options.dry_run {
        report.outcome = Outcome::WouldCopy;
        report.blobs_copied = missing.len();
        report.manifests_pushed = images.iter().filter(|i| i.raw.is_some()).count() + 1;
        return Ok(report);
    }
    options.progress.planned(report.bytes);

    let same_registry = src.host() == dst.host() && from.repository != to.repository;
    let mounted: Vec<bool> = futures::stream::iter(missing.iter().map(|blob| async {
        stop()?;
        if same_registry && dst.mount_blob(&to.repository, &from.repository, &blob.digest).await? {
            options.progress.copied(blob.size);
            return Ok(true);
        }
        crate::blob::copy(
            src,
            &from.repository,
            dst,
            &to.repository,
            &blob.digest,
            blob.size,
            options.progress.clone(),
        )
        .await?;
        Ok::<bool, Error>(false)
    }))
    .buffer_unordered(concurrency)
    .try_collect()
    .await?;
    report.blobs_mounted = mounted.iter().filter(|m| **m).count();
    report.blobs_copied = mounted.len() - report.blobs_mounted;
    if report.blobs_mounted > 0 {
        report.bytes -= missing.iter().zip(&mounted).filter(|(_, m)| **m).map(|(b, _)| b.size).sum::<u64>();
    }

    // The platforms' manifests by digest, then the index (or the one manifest) by tag.
    // Once its blobs are in, an image is finished even when told to stop: its manifests
    // are small, and a finished image is worth more than a half one.
    for child in images.iter().filter_map(|i| i.raw.as_ref().zip(i.digest.as_ref())) {
        let (raw, digest) = child;
        dst.push_manifest(&to.repository, digest, &raw.bytes, &raw.media_type).await?;
        report.manifests_pushed += 1;
    }
    // A destination named by digest takes the bytes under their own (a rewritten index has
    // a new one); a tag takes them as they are.
    let top_reference = if to.is_digest() { &report.digest } else { &to.reference };
    dst.push_manifest(&to.repository, top_reference, &bytes::Bytes::from(top_bytes), &top.media_type).await?;
    report.manifests_pushed += 1;
    Ok(report)
}

/// One platform's image: its manifest when it must be pushed (`None` when the destination
/// has it, or for a single-platform image whose manifest is the top one).
struct ChildImage {
    digest: Option<String>,
    raw: Option<crate::RawManifest>,
    parsed: Parsed,
}

/// The platforms' manifests the destination lacks, read from the source. One the
/// destination has needs nothing: a registry keeps a manifest only with all its blobs.
async fn children_to_copy(
    src: &Registry,
    from: &ImageRef,
    dst: &Registry,
    to: &ImageRef,
    children: &[Descriptor],
    concurrency: usize,
) -> Result<Vec<ChildImage>, Error> {
    let found: Vec<Option<ChildImage>> = futures::stream::iter(children.iter().map(|child| async move {
        if dst.head_manifest(&to.repository, &child.digest).await?.is_some_and(|h| h.digest == child.digest) {
            return Ok(None);
        }
        let raw = src.get_manifest(&from.repository, &child.digest).await?;
        let parsed = manifest::parse(&raw.bytes, &format!("{from} ({})", child.digest))?;
        if matches!(parsed, Parsed::Index { .. }) {
            return Err(Error::BadManifest {
                target: format!("{from} ({})", child.digest),
                message: "an index inside an index is not copied".into(),
            });
        }
        Ok::<_, Error>(Some(ChildImage { digest: Some(child.digest.clone()), raw: Some(raw), parsed }))
    }))
    .buffered(concurrency)
    .try_collect()
    .await?;
    Ok(found.into_iter().flatten().collect())
}
