//! Copying one image between registries.
//!
//! A HEAD on each side first: equal digests mean nothing to do, with no GET at all (Docker
//! Hub counts GETs against its rate limit, not HEADs). Otherwise the source's manifest is read
//! by digest and kept byte for byte (the same bytes keep the digest). For an index, its
//! platforms' manifests go a few at a time: each one the destination lacks is read, checked,
//! its blobs the destination lacks are mounted (same registry) or streamed and verified, it is
//! pushed by digest and dropped, so memory holds a few manifests however many the index lists.
//! The index (or the one image's manifest) goes last and the tag with it. A run cut short
//! leaves finished blobs and platforms in place, so the next one resumes.

use std::collections::HashMap;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use tokio::sync::{OnceCell, Semaphore};

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
    /// Asked before each platform and each blob: once it says stop, no new one starts (and the
    /// copy ends with [`Error::Interrupted`]); a platform whose blobs are all in is still pushed.
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
    if (options.should_stop)() {
        return Err(Error::Interrupted);
    }
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
    let mut report = CopyReport::new(from, to, Outcome::Copied, &top.digest);
    let copier = Copier::new(src, from, dst, to, options);
    let top_bytes = match manifest::read(&top, &target)? {
        Parsed::Index { children } => {
            let (bytes, kept) = if options.platforms.is_empty() {
                (top.bytes.clone(), children)
            } else {
                let (bytes, kept) = manifest::keep_platforms(&top.bytes, &children, &options.platforms, &target)?;
                (bytes::Bytes::from(bytes), kept)
            };
            report.digest = manifest::sha256_digest(&bytes);
            report.rewritten = report.digest != top.digest;
            // Each platform once, in the index's order (an index may list one several times).
            let mut named = HashSet::new();
            report.platforms = kept
                .iter()
                .filter_map(|c| c.platform.as_ref())
                .filter(|p| !p.is_unknown())
                .map(Platform::to_string)
                .filter(|p| named.insert(p.clone()))
                .collect();
            if dst_digest.as_deref() == Some(report.digest.as_str()) {
                report.outcome = Outcome::Unchanged;
                return Ok(report);
            }
            report.manifests_pushed = copier.children(&kept).await?;
            bytes
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
            copier.blobs_of(&parsed).await?;
            top.bytes.clone()
        }
    };
    report.replaced = dst_digest.filter(|d| *d != report.digest);
    let tally = copier.tally();
    report.bytes = tally.bytes;
    report.blobs_copied = tally.copied;
    report.blobs_skipped = tally.skipped;
    report.blobs_mounted = tally.mounted;
    report.manifests_pushed += 1;
    if options.dry_run {
        report.outcome = Outcome::WouldCopy;
        return Ok(report);
    }
    // A destination named by digest takes the bytes under their own (a rewritten index has
    // a new one); a tag takes them as they are.
    let top_reference = if to.is_digest() { &report.digest } else { &to.reference };
    dst.push_manifest(&to.repository, top_reference, &top_bytes, &top.media_type).await?;
    Ok(report)
}

/// What became of the blobs of one copy so far.
#[derive(Clone, Copy, Default)]
struct Tally {
    /// Blob bytes sent (or that would be); not those mounted.
    bytes: u64,
    copied: usize,
    skipped: usize,
    mounted: usize,
}

/// One image's copy under way: the platforms' manifests and the blobs, each blob once
/// whichever platforms share it, at most `concurrency` blob requests at once.
struct Copier<'a> {
    src: &'a Registry,
    from: &'a ImageRef,
    dst: &'a Registry,
    to: &'a ImageRef,
    options: &'a CopyOptions,
    concurrency: usize,
    /// Blob requests (HEADs, mounts, copies) in flight, across all platforms.
    requests: Semaphore,
    /// Each blob met, done or under way: a platform meeting one another platform is still
    /// copying waits for it, so no manifest is pushed before its blobs are in.
    blobs: Mutex<HashMap<String, Arc<OnceCell<()>>>>,
    tally: Mutex<Tally>,
}

impl<'a> Copier<'a> {
    fn new(
        src: &'a Registry,
        from: &'a ImageRef,
        dst: &'a Registry,
        to: &'a ImageRef,
        options: &'a CopyOptions,
    ) -> Copier<'a> {
        let concurrency = options.concurrency.max(1);
        Copier {
            src,
            from,
            dst,
            to,
            options,
            concurrency,
            requests: Semaphore::new(concurrency),
            blobs: Mutex::new(HashMap::new()),
            tally: Mutex::new(Tally::default()),
        }
    }

    fn tally(&self) -> Tally {
        *self.tally.lock().expect("tally")
    }

    /// The platforms' manifests of an index, a few at a time, each finished (its blobs in,
    /// itself pushed) before the next starts; the number pushed (or that would be).
    async fn children(&self, children: &[Descriptor]) -> Result<usize, Error> {
        futures::stream::iter(children.iter().map(|child| self.child(child)))
            .buffer_unordered(self.concurrency)
            .try_fold(0, |pushed, this| async move { Ok(pushed + usize::from(this)) })
            .await
    }

    /// One platform's manifest: nothing when the destination has it (a registry keeps a
    /// manifest only with all its blobs), else read, checked, its blobs copied and pushed by
    /// digest; whether it was (or would be) pushed.
    async fn child(&self, child: &Descriptor) -> Result<bool, Error> {
        // Once told to stop, no platform starts: an index of thousands would otherwise go on
        // reading and pushing every one whose blobs the destination has.
        if (self.options.should_stop)() {
            return Err(Error::Interrupted);
        }
        let (from, to) = (self.from, self.to);
        if self.dst.head_manifest(&to.repository, &child.digest).await?.is_some_and(|h| h.digest == child.digest) {
            return Ok(false);
        }
        let raw = self.src.get_manifest(&from.repository, &child.digest).await?;
        let target = format!("{from} ({})", child.digest);
        let parsed = manifest::read(&raw, &target)?;
        if matches!(parsed, Parsed::Index { .. }) {
            return Err(Error::BadManifest { target, message: "an index inside an index is not copied".into() });
        }
        self.blobs_of(&parsed).await?;
        if !self.options.dry_run {
            // Once its blobs are in, a platform is finished even when told to stop: its
            // manifest is small, and a finished platform is worth more than a half one.
            self.dst.push_manifest(&to.repository, &child.digest, &raw.bytes, &raw.media_type).await?;
        }
        Ok(true)
    }

    /// Every blob of one image manifest in the destination (or counted, in a dry run).
    async fn blobs_of(&self, parsed: &Parsed) -> Result<(), Error> {
        futures::stream::iter(parsed.blobs().into_iter().map(|blob| self.blob(blob)))
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await
    }

    /// One blob, once per copy: a second platform listing it waits for the first's outcome.
    async fn blob(&self, blob: Descriptor) -> Result<(), Error> {
        let cell = {
            let mut blobs = self.blobs.lock().expect("blobs");
            if blobs.len() >= manifest::MAX_BLOBS_PER_TAG && !blobs.contains_key(&blob.digest) {
                return Err(Error::BadManifest {
                    target: self.from.to_string(),
                    message: format!(
                        "its manifests list more than {} distinct blobs, the most copied for one tag here; refused",
                        manifest::MAX_BLOBS_PER_TAG
                    ),
                });
            }
            blobs.entry(blob.digest.clone()).or_default().clone()
        };
        cell.get_or_try_init(|| self.bring(&blob)).await.map(|_| ())
    }

    /// The blob into the destination unless there: mounted from the source's repository on
    /// the same registry, else streamed and verified.
    async fn bring(&self, blob: &Descriptor) -> Result<(), Error> {
        let (src, from, dst, to, options) = (self.src, self.from, self.dst, self.to, self.options);
        let _turn = self.requests.acquire().await.expect("the semaphore is never closed");
        if dst.blob_exists(&to.repository, &blob.digest).await? {
            self.tally.lock().expect("tally").skipped += 1;
            return Ok(());
        }
        if options.dry_run {
            let mut tally = self.tally.lock().expect("tally");
            tally.copied += 1;
            tally.bytes += blob.size;
            return Ok(());
        }
        if (options.should_stop)() {
            return Err(Error::Interrupted);
        }
        options.progress.planned(blob.size);
        let same_registry = src.host() == dst.host() && from.repository != to.repository;
        if same_registry && dst.mount_blob(&to.repository, &from.repository, &blob.digest).await? {
            options.progress.copied(blob.size);
            self.tally.lock().expect("tally").mounted += 1;
            return Ok(());
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
        let mut tally = self.tally.lock().expect("tally");
        tally.copied += 1;
        tally.bytes += blob.size;
        Ok(())
    }
}
