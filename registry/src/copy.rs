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
//!
//! Copies made with clones of one [`CopyOptions`] are one run and share its [`Ledger`]: a blob
//! (or platform manifest) another copy is bringing into the same repository is waited for,
//! not sent again, and a blob the run already put into (or found in) another repository of
//! the destination registry is mounted from there instead of sent (sent when the mount is
//! refused).
//!
//! Then, unless told not to, the image's accessories (cosign's signature, attestation and SBOM
//! tags, OCI 1.1 referrers: see [`crate::accessories`]) follow it, each copied by digest like
//! any image and tagged after, never before the image itself is in: a signature never points
//! at a subject the destination lacks. Referrers the destination does not index itself are
//! added to its fallback tag. An accessory that fails leaves the image copied and says so in
//! [`CopyReport::accessories_failed`].

use std::collections::HashMap;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use tokio::sync::{OnceCell, Semaphore};

use crate::accessories::{Accessory, AccessoryKind, AccessoryReport, FoundAccessories};
use crate::inflight::Ledger;
use crate::manifest::{self, Descriptor, Parsed, Platform};
use crate::outcome::Outcome;
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
    /// What the run has put into its destinations; clones of these options share it, so
    /// copies made with them send each blob once per repository and mount it elsewhere.
    pub ledger: Arc<Ledger>,
    /// Copy each image's accessories with it (on by default).
    pub accessories: bool,
    /// The source repository's tags, when the caller has listed them: cosign's tags are then
    /// looked for there, not asked for one HEAD each.
    pub source_tags: Option<Arc<HashSet<String>>>,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            platforms: Vec::new(),
            dry_run: false,
            concurrency: 4,
            should_stop: Arc::new(|| false),
            progress: Arc::new(Silent),
            ledger: Arc::new(Ledger::new()),
            accessories: true,
            source_tags: None,
        }
    }
}

/// The report of one image's copy. Its counts of blobs, bytes and manifests include its
/// accessories'.
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
    /// Blobs the destination already had (or another copy of the run brought meanwhile).
    pub blobs_skipped: usize,
    /// Their bytes: not sent.
    pub bytes_skipped: u64,
    /// Blobs mounted from another repository of the destination registry (the source's on
    /// the same registry, or one the run already put the blob into).
    pub blobs_mounted: usize,
    /// Their bytes: not sent.
    pub bytes_mounted: u64,
    pub manifests_pushed: usize,
    /// The accessories copied with it (or already there, or that would be copied).
    pub accessories: Vec<AccessoryReport>,
    /// Why not every accessory arrived (the image itself did), on one line.
    pub accessories_failed: Option<String>,
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
            bytes_skipped: 0,
            blobs_mounted: 0,
            bytes_mounted: 0,
            manifests_pushed: 0,
            accessories: Vec::new(),
            accessories_failed: None,
        }
    }
}

/// Copies `from` (on `src`) to `to` (on `dst`), and its accessories after it unless
/// `options.accessories` is off. An error means the image was not copied; an accessory that
/// failed is in [`CopyReport::accessories_failed`] (the image was).
pub async fn copy_image(
    src: &Registry,
    from: &ImageRef,
    dst: &Registry,
    to: &ImageRef,
    options: &CopyOptions,
) -> Result<CopyReport, Error> {
    let mut report = copy_one(src, from, dst, to, options).await?;
    // An index rewritten for some platforms has a digest of its own: what signs the source's
    // does not sign it, and would point at a subject the destination does not have.
    if options.accessories && !report.rewritten {
        carry_accessories(src, from, dst, to, options, &mut report).await;
    }
    Ok(report)
}

/// One image's copy, without its accessories.
async fn copy_one(
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
    report.bytes_skipped = tally.bytes_skipped;
    report.bytes_mounted = tally.bytes_mounted;
    report.manifests_pushed += 1;
    if options.dry_run {
        report.outcome = Outcome::WouldCopy;
        return Ok(report);
    }
    // A destination named by digest takes the bytes under their own (a rewritten index has
    // a new one); a tag takes them as they are.
    let top_reference = if to.is_digest() { &report.digest } else { &to.reference };
    let push =
        || async { dst.push_manifest(&to.repository, top_reference, &top_bytes, &top.media_type).await.map(drop) };
    // Two tags of one image in one run: the first pushes it, the second waits and then tags
    // it (a manifest pushed twice at once is a link rewritten while the other is checked).
    let pushed = options.ledger.manifest(dst.host(), &to.repository, &report.digest, push).await?;
    if !pushed && top_reference != &report.digest {
        push().await?;
    }
    Ok(report)
}

/// The copied image's accessories into the destination, once per run and repository (another
/// copy of the run bringing them is waited for), folded into its report.
async fn carry_accessories(
    src: &Registry,
    from: &ImageRef,
    dst: &Registry,
    to: &ImageRef,
    options: &CopyOptions,
    report: &mut CopyReport,
) {
    // Told to stop once the image is in, they are still looked for (a few HEADs): an image
    // with none is then whole, and one with some says they did not arrive (each copy stops).
    let subject = report.digest.clone();
    let result = if options.dry_run {
        // A dry run commits nothing, so it has nothing to share with the run.
        bring_accessories(src, from, dst, to, options, &subject, report).await.map(|_| None)
    } else {
        let parent = &mut *report;
        let subject = subject.as_str();
        // Moved into the closure whole, so it is called once and the future may keep it.
        let bring = move || {
            let parent = parent;
            bring_accessories(src, from, dst, to, options, subject, parent)
        };
        options.ledger.accessories(dst.host(), &to.repository, subject, bring).await.map(|(reports, ran)| {
            // Brought by another copy of the run: they are there, and this copy sent nothing.
            (!ran).then(|| {
                reports.into_iter().map(|a| AccessoryReport { outcome: Outcome::Unchanged, bytes: 0, ..a }).collect()
            })
        })
    };
    match result {
        Ok(Some(theirs)) => report.accessories = theirs,
        Ok(None) => {}
        Err(e) => report.accessories_failed = Some(e.to_string()),
    }
}

/// Finds the accessories of `subject` in the source and copies each (a few at a time), then
/// makes the destination list the referrers; what arrived goes into `parent` as it does.
async fn bring_accessories(
    src: &Registry,
    from: &ImageRef,
    dst: &Registry,
    to: &ImageRef,
    options: &CopyOptions,
    subject: &str,
    parent: &mut CopyReport,
) -> Result<Vec<AccessoryReport>, Error> {
    let ledger = &options.ledger;
    let ask_api = ledger.referrers_api(src.host()) != Some(false);
    let found = src.accessories_of(&from.repository, subject, options.source_tags.as_deref(), ask_api).await?;
    if ask_api {
        ledger.learn_referrers_api(src.host(), found.referrers_api);
    }
    // An accessory is an image of its own: all of it, whatever --platform says.
    let plain = CopyOptions { platforms: Vec::new(), ..options.clone() };
    let plain = &plain;
    let copies: Vec<(&Accessory, Result<CopyReport, Error>)> = futures::stream::iter(
        found.accessories.iter().map(|a| async move { (a, copy_accessory(src, from, dst, to, a, plain).await) }),
    )
    .buffered(plain.concurrency.max(1))
    .collect()
    .await;
    let mut failures = Vec::new();
    for (accessory, result) in copies {
        match result {
            Ok(copied) => {
                parent.bytes += copied.bytes;
                parent.blobs_copied += copied.blobs_copied;
                parent.blobs_skipped += copied.blobs_skipped;
                parent.bytes_skipped += copied.bytes_skipped;
                parent.blobs_mounted += copied.blobs_mounted;
                parent.bytes_mounted += copied.bytes_mounted;
                parent.manifests_pushed += copied.manifests_pushed;
                parent.accessories.push(AccessoryReport {
                    kind: accessory.kind,
                    tag: accessory.tag.clone(),
                    digest: copied.digest,
                    artifact_type: accessory.artifact_type.clone(),
                    outcome: copied.outcome,
                    bytes: copied.bytes,
                });
            }
            Err(e) => failures.push(format!("{} {}: {e}", kind_word(accessory.kind), name_of(accessory))),
        }
    }
    let referrers: Vec<&Accessory> = found.accessories.iter().filter(|a| a.kind == AccessoryKind::Referrer).collect();
    if failures.is_empty() && !options.dry_run && !referrers.is_empty() {
        if let Err(e) = index_referrers(dst, to, subject, &referrers, &found, ledger).await {
            failures.push(format!("the list of referrers: {e}"));
        }
    }
    let Some(first) = failures.first() else {
        return Ok(parent.accessories.clone());
    };
    let more = if failures.len() > 1 { format!(" (and {} more)", failures.len() - 1) } else { String::new() };
    Err(Error::Registry {
        action: "copy the accessories of",
        target: dst.target(&to.repository, subject),
        message: format!("{first}{more}"),
        status: None,
        transient: false,
    })
}

fn kind_word(kind: AccessoryKind) -> &'static str {
    match kind {
        AccessoryKind::Signature => "signature",
        AccessoryKind::Attestation => "attestation",
        AccessoryKind::Sbom => "SBOM",
        AccessoryKind::Referrer => "referrer",
    }
}

fn name_of(accessory: &Accessory) -> &str {
    accessory.tag.as_deref().or(accessory.digest.as_deref()).unwrap_or_default()
}

/// One accessory, as any image is copied: from its digest when the source named it (else its
/// tag), to its tag (cosign's) or by digest (a referrer).
async fn copy_accessory(
    src: &Registry,
    from: &ImageRef,
    dst: &Registry,
    to: &ImageRef,
    accessory: &Accessory,
    options: &CopyOptions,
) -> Result<CopyReport, Error> {
    let (source, destination) = match (&accessory.tag, &accessory.digest) {
        (Some(tag), Some(digest)) => (from.with_reference(digest), to.with_reference(tag)),
        (Some(tag), None) => (from.with_reference(tag), to.with_reference(tag)),
        (None, Some(digest)) => (from.with_reference(digest), to.with_reference(digest)),
        (None, None) => return Err(Error::Reference("an accessory with neither tag nor digest".into())),
    };
    copy_one(src, &source, dst, &destination, options).await
}

/// Makes the destination list `referrers` of `subject`: its own referrers API does when it
/// has one and lists them all; else its fallback tag `sha256-<hex>` is written (merged).
async fn index_referrers(
    dst: &Registry,
    to: &ImageRef,
    subject: &str,
    referrers: &[&Accessory],
    found: &FoundAccessories,
    ledger: &Ledger,
) -> Result<(), Error> {
    let digests: Vec<&str> = referrers.iter().filter_map(|a| a.digest.as_deref()).collect();
    // A registry that indexes a pushed referrer says so with `OCI-Subject` on the PUT's answer,
    // which oci-client's push does not give back: its referrers API is asked instead, once
    // per image with referrers (and not again in the run once it answered that it has none).
    if ledger.referrers_api(dst.host()) != Some(false) {
        let listed = dst.lists_referrers(&to.repository, subject, &digests).await?;
        ledger.learn_referrers_api(dst.host(), listed.is_some());
        if listed == Some(true) {
            return Ok(());
        }
    }
    dst.write_fallback_index(&to.repository, subject, referrers, found.fallback_index.as_ref()).await.map(drop)
}

/// What became of the blobs of one copy so far.
#[derive(Clone, Copy, Default)]
struct Tally {
    /// Blob bytes sent (or that would be); not those mounted.
    bytes: u64,
    copied: usize,
    skipped: usize,
    bytes_skipped: u64,
    mounted: usize,
    bytes_mounted: u64,
}

impl Tally {
    fn skipped(&mut self, size: u64) {
        self.skipped += 1;
        self.bytes_skipped += size;
    }

    fn mounted(&mut self, size: u64) {
        self.mounted += 1;
        self.bytes_mounted += size;
    }

    fn copied(&mut self, size: u64) {
        self.copied += 1;
        self.bytes += size;
    }
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
        if self.options.dry_run {
            return self.bring_child(child).await;
        }
        // Another copy of the run pushing this platform into the repository is waited for.
        let mut pushed = false;
        let pushed_here = &mut pushed;
        let bring = || async move {
            *pushed_here = self.bring_child(child).await?;
            Ok(())
        };
        self.options.ledger.manifest(self.dst.host(), &self.to.repository, &child.digest, bring).await?;
        Ok(pushed)
    }

    /// The platform's manifest and its blobs into the destination unless it has it; whether
    /// it was (or would be) pushed.
    async fn bring_child(&self, child: &Descriptor) -> Result<bool, Error> {
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
        cell.get_or_try_init(|| self.bring_once(&blob)).await.map(|_| ())
    }

    /// The blob into the destination repository once per run: when another copy of the run
    /// brought it there (this one waited), it counts as present.
    async fn bring_once(&self, blob: &Descriptor) -> Result<(), Error> {
        if self.options.dry_run {
            // A dry run commits nothing, so it has nothing to share with the run.
            return self.bring(blob).await;
        }
        let (dst, to) = (self.dst, self.to);
        let brought = self.options.ledger.blob(dst.host(), &to.repository, &blob.digest, || self.bring(blob)).await?;
        if !brought {
            self.tally.lock().expect("tally").skipped(blob.size);
        }
        Ok(())
    }

    /// The blob into the destination unless there: mounted from the source's repository on
    /// the same registry or from one the run already put it into, else streamed and verified
    /// (once per destination registry: a copy needing a blob another is sending waits for it
    /// and mounts it).
    async fn bring(&self, blob: &Descriptor) -> Result<(), Error> {
        let (src, from, dst, to, options) = (self.src, self.from, self.dst, self.to, self.options);
        let ledger = &options.ledger;
        let _turn = self.requests.acquire().await.expect("the semaphore is never closed");
        if dst.blob_exists(&to.repository, &blob.digest).await? {
            if !options.dry_run {
                ledger.holds(dst.host(), &to.repository, &blob.digest);
            }
            self.tally.lock().expect("tally").skipped(blob.size);
            return Ok(());
        }
        if options.dry_run {
            self.tally.lock().expect("tally").copied(blob.size);
            return Ok(());
        }
        if (options.should_stop)() {
            return Err(Error::Interrupted);
        }
        options.progress.planned(blob.size);
        let same_registry = src.host() == dst.host() && from.repository != to.repository;
        if same_registry && dst.mount_blob(&to.repository, &from.repository, &blob.digest).await? {
            ledger.holds(dst.host(), &to.repository, &blob.digest);
            options.progress.copied(blob.size);
            self.tally.lock().expect("tally").mounted(blob.size);
            return Ok(());
        }
        let send = || self.send(blob);
        let Some(holder) = ledger.send_once(dst.host(), &to.repository, &blob.digest, send).await? else {
            self.tally.lock().expect("tally").copied(blob.size);
            return Ok(());
        };
        // Another repository of the registry has it (from this run): mounted, or sent again
        // when the registry refuses the mount, in whatever way (credentials that may push
        // here may still not read there: the upload then says what is wrong, if anything).
        let mounted =
            holder != to.repository && dst.mount_blob(&to.repository, &holder, &blob.digest).await.is_ok_and(|m| m);
        if mounted {
            options.progress.copied(blob.size);
            self.tally.lock().expect("tally").mounted(blob.size);
            return Ok(());
        }
        self.send(blob).await?;
        self.tally.lock().expect("tally").copied(blob.size);
        Ok(())
    }

    /// The blob's bytes streamed from the source and verified into the destination.
    async fn send(&self, blob: &Descriptor) -> Result<(), Error> {
        crate::blob::copy(
            self.src,
            &self.from.repository,
            self.dst,
            &self.to.repository,
            &blob.digest,
            blob.size,
            self.options.progress.clone(),
        )
        .await
    }
}
