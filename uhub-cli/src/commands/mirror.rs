//! `uhub mirror`: copies images into a registry with uhub-registry's engine, one report row
//! per image. Arguments and sync files become jobs (source, destination, platforms); the
//! UHub repositories the jobs need are created first when the destination is UHub; the jobs
//! run a few at a time, each failure reported and the others carried on. The jobs are one
//! run for the engine (one [`Ledger`]): two jobs needing one blob in one repository send it
//! once (the other waits), two tags of one image are one copy and a tag, and a blob one
//! repository of the destination registry received is mounted into the others. Each image's
//! accessories (signatures, attestations, referrers) go with it and share its line, unless
//! `--no-accessories`; a sync file's tags that are accessories' are not jobs of their own.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use anyhow::Context as _;
use futures::StreamExt;
use serde::Serialize;
use uhub_registry::names::InvalidName;
use uhub_registry::{
    AccessoryReport, CopyOptions, CopyReport, Credentials, Error as RegistryError, ImageRef, Ledger, Outcome, Platform,
    Registry, is_accessory_tag,
};

use crate::cli::{Global, MirrorArgs};
use crate::context::Ctx;
use crate::exit::{self, Status};
use crate::interrupt;
use crate::mirror::sync_file::{self, TagCandidate};
use crate::terminal::output::{Output, Row};
use crate::terminal::progress::Progress;

/// Blobs in flight per image, whatever `--concurrency` says: more only splits the bandwidth.
const MAX_BLOBS_IN_FLIGHT: usize = 8;
/// Tags whose creation time is read at once for a sync file's push order or ages.
const TIMES_IN_FLIGHT: usize = 8;

/// One image to copy.
struct Job {
    from: ImageRef,
    to: ImageRef,
    platforms: Vec<Platform>,
    /// The source repository's tags, when a sync file listed them.
    source_tags: Option<Arc<HashSet<String>>>,
}

pub async fn run(global: &Global, args: MirrorArgs) -> anyhow::Result<Status> {
    if global.demo {
        // The demo promises that nothing leaves the machine; a mirror is all registries.
        return Err(exit::usage(
            "uhub mirror copies between real registries, which --demo has none of: run it without --demo",
        ));
    }
    let out = Output::new(global.output, global.quiet);
    let Planned { jobs, unlisted, concurrency: file_concurrency } = match &args.file {
        Some(path) => jobs_from_file(path, &args, &global.allow_credentials_to_realm).await?,
        None => Planned { jobs: jobs_from_args(&args)?, unlisted: Vec::new(), concurrency: None },
    };
    check_distinct(&jobs)?;
    if jobs.is_empty() {
        crate::terminal::output::note("nothing to copy: no source tag matched");
        out.list(&unlisted)?;
        return Ok(if unlisted.is_empty() { Status::Ok } else { Status::PartialFailure });
    }

    let dest_creds = explicit_creds(args.dest_creds.as_deref(), "--dest-creds or UHUB_DEST_CREDS")?;
    let src_creds = explicit_creds(args.src_creds.as_deref(), "--src-creds or UHUB_SRC_CREDS")?;
    one_host(src_creds.is_some(), jobs.iter().map(|j| &j.from.host), "--src-creds (or UHUB_SRC_CREDS)")?;
    one_host(dest_creds.is_some(), jobs.iter().map(|j| &j.to.host), "--dest-creds (or UHUB_DEST_CREDS)")?;
    // A wait for a registry's rate limit ends at --timeout, not after it.
    let deadline = global.limit().map(|limit| std::time::Instant::now() + limit);
    let mut sources = Registries::new(src_creds, &global.allow_credentials_to_realm).until(deadline);
    let mut destinations = Registries::new(dest_creds, &global.allow_credentials_to_realm).until(deadline);
    for job in &jobs {
        sources.add(&job.from.host)?;
        destinations.add(&job.to.host)?;
    }
    ensure_uhub_repositories(global, &jobs, args.dry_run).await?;

    let progress = Progress::bytes(
        Progress::wanted(out.for_people(), global.no_progress) && !args.dry_run,
        if jobs.len() == 1 { format!("copying {}", jobs[0].from) } else { format!("copying {} images", jobs.len()) },
    );
    let options = CopyOptions {
        platforms: Vec::new(),
        dry_run: args.dry_run,
        concurrency: file_concurrency.unwrap_or(usize::from(global.concurrency)).clamp(1, MAX_BLOBS_IN_FLIGHT),
        should_stop: Arc::new(|| interrupt::reason().is_some()),
        progress: Arc::new(Bar(progress.clone())),
        // One for the whole run: every job's options are clones of these.
        ledger: Arc::new(Ledger::new()),
        accessories: !args.no_accessories,
        source_tags: None,
    };
    // While images copy, a stop (Ctrl-C, --timeout) lets those in flight end and report.
    let _reporting = interrupt::Deleting::start();
    let images = usize::from(args.images).max(1);
    let (sources, destinations) = (&sources, &destinations);
    let mut lines: Vec<(usize, Line)> = futures::stream::iter(jobs.iter().enumerate().map(|(i, job)| {
        let options =
            CopyOptions { platforms: job.platforms.clone(), source_tags: job.source_tags.clone(), ..options.clone() };
        async move {
            if interrupt::reason().is_some() {
                return (i, Line::not_started(job));
            }
            let copy = uhub_registry::copy_image(
                sources.get(&job.from.host),
                &job.from,
                destinations.get(&job.to.host),
                &job.to,
                &options,
            );
            // Once told to stop, a copy in flight gets the grace deletions get, then is left
            // (what it committed stays): a registry that stopped answering must not hold the
            // run for its read timeouts.
            let cut = async {
                interrupt::stopped().await;
                tokio::time::sleep(interrupt::GRACE).await;
            };
            let result = tokio::select! {
                result = copy => result,
                () = cut => Err(RegistryError::Interrupted),
            };
            (i, Line::of(job, result))
        }
    }))
    .buffer_unordered(images)
    .collect()
    .await;
    // A copy that waited for a rate limit until the deadline may end before the timer that
    // stops the run has run: it is the deadline all the same.
    if deadline.is_some_and(|deadline| std::time::Instant::now() >= deadline) {
        interrupt::stop(interrupt::Reason::TimedOut);
    }
    progress.finish();
    lines.sort_by_key(|(i, _)| *i);
    let lines: Vec<Line> = unlisted.into_iter().chain(lines.into_iter().map(|(_, line)| line)).collect();
    out.list(&lines)?;
    if out.for_people() {
        crate::terminal::output::note(&summary(&lines, args.dry_run));
        if let Some(waits) = rate_limit_waits([sources, destinations]) {
            crate::terminal::output::note(&waits);
        }
    }
    // A refused name is an image not copied: the run is not all it was asked to be.
    let failed = lines.iter().filter(|l| matches!(l.result, "failed" | "refused")).count();
    if let Some(reason) = interrupt::reason() {
        let unfinished = lines.iter().filter(|l| matches!(l.result, "not_started" | "interrupted")).count();
        let what =
            format!("{unfinished} of {} images not finished; running the same command again continues", lines.len());
        return Err(reason.error(&what));
    }
    Ok(if failed > 0 { Status::PartialFailure } else { Status::Ok })
}

/// `USER:PASS` given on the command line or in the environment, checked without echoing it.
fn explicit_creds(pair: Option<&str>, place: &str) -> anyhow::Result<Option<Credentials>> {
    pair.map(|p| {
        Credentials::parse_pair(p)
            .map_err(|_| exit::usage(format!("{place} must be USER:PASS (a user name, a colon, then the password)")))
    })
    .transpose()
}

/// Credentials given once are for one registry: sent to every host of a mirror spanning
/// several, a private registry's password would reach Docker Hub.
fn one_host<'a>(given: bool, hosts: impl Iterator<Item = &'a String>, flag: &str) -> anyhow::Result<()> {
    let hosts: BTreeSet<&String> = hosts.collect();
    if given && hosts.len() > 1 {
        let names: Vec<&str> = hosts.iter().map(|h| h.as_str()).collect();
        return Err(exit::usage(format!(
            "{flag} is for one registry, and these images are on {}: log in to each with `docker login` \
             (uhub reads Docker's config.json) or run one uhub mirror per registry",
            names.join(", ")
        )));
    }
    Ok(())
}

/// One registry per host, with the credentials given or found for it, and the token realms
/// the user allowed them to go to (`--allow-credentials-to-realm`).
struct Registries {
    explicit: Option<Credentials>,
    allowed_realms: Vec<String>,
    by_host: HashMap<String, Registry>,
    deadline: Option<std::time::Instant>,
}

impl Registries {
    fn new(explicit: Option<Credentials>, allowed_realms: &[String]) -> Registries {
        Registries { explicit, allowed_realms: allowed_realms.to_vec(), by_host: HashMap::new(), deadline: None }
    }

    /// Rate limit waits of these registries end at `deadline`.
    fn until(self, deadline: Option<std::time::Instant>) -> Registries {
        Registries { deadline, ..self }
    }

    fn add(&mut self, host: &str) -> anyhow::Result<()> {
        if !self.by_host.contains_key(host) {
            let credentials = match &self.explicit {
                Some(c) => c.clone(),
                None => Credentials::resolve(host, None)?,
            };
            let registry = self
                .allowed_realms
                .iter()
                .fold(Registry::new(host, credentials)?, |r, realm| r.allow_credentials_to_realm(realm.clone()));
            let registry = match self.deadline {
                Some(deadline) => registry.with_deadline(deadline),
                None => registry,
            };
            self.by_host.insert(host.to_owned(), registry);
        }
        Ok(())
    }

    fn get(&self, host: &str) -> &Registry {
        &self.by_host[host]
    }
}

fn jobs_from_args(args: &MirrorArgs) -> anyhow::Result<Vec<Job>> {
    let to = args.to.as_deref().ok_or_else(|| exit::usage("name the destination: --to HOST/REPO[/IMAGE]"))?;
    let platforms = platforms(&args.platform)?;
    args.sources
        .iter()
        .map(|text| {
            let from = ImageRef::parse(text).map_err(|e| exit::usage(e.to_string()))?;
            let to = destination(to, &from)?;
            Ok(Job { from, to, platforms: platforms.clone(), source_tags: None })
        })
        .collect()
}

fn platforms(texts: &[String]) -> anyhow::Result<Vec<Platform>> {
    texts
        .iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| Platform::parse(t).map_err(|e| exit::usage(e.to_string())))
        .collect()
}

/// Where `from` goes under `--to`: `HOST/REPO` adds the image's own name, `HOST/REPO/IMAGE`
/// (or a deeper path) is the repository itself; the tag (or digest) is the source's.
fn destination(to: &str, from: &ImageRef) -> anyhow::Result<ImageRef> {
    let bad = || {
        exit::usage(format!(
            "--to {to:?}: write HOST/REPO or HOST/REPO/IMAGE, e.g. uhub.service.ucloud.cn/mirror (no tag: the source's is kept)"
        ))
    };
    let to = to.trim().trim_end_matches('/');
    let (host, path) = to.split_once('/').ok_or_else(bad)?;
    if !(host.contains('.') || host.contains(':') || host == "localhost") || path.contains([':', '@']) {
        return Err(bad());
    }
    let repository = if path.contains('/') { path.to_owned() } else { format!("{path}/{}", from.image_name()) };
    let parsed = ImageRef::parse(&format!("{host}/{repository}")).map_err(|_| bad())?;
    Ok(parsed.with_reference(from.reference.clone()))
}

/// Two sources may not land on one destination tag.
fn check_distinct(jobs: &[Job]) -> anyhow::Result<()> {
    let mut seen = HashMap::new();
    for job in jobs {
        if let Some(other) = seen.insert(job.to.to_string(), job.from.to_string()) {
            return Err(exit::usage(format!(
                "{} and {} would both be copied to {}; give them separate --to HOST/REPO/IMAGE",
                other, job.from, job.to
            )));
        }
    }
    Ok(())
}

/// What a sync file asks for: the jobs, the sources whose tags could not be listed (each a
/// failed line of the report; the other sources still run) and the names a source listed that
/// are not tags (each a refused line), and the file's `concurrency`.
struct Planned {
    jobs: Vec<Job>,
    unlisted: Vec<Line>,
    concurrency: Option<usize>,
}

/// The jobs a sync file names: each source's tags listed on its registry and chosen by its
/// filter. Mistakes in the file are usage errors before anything is sent.
async fn jobs_from_file(path: &std::path::Path, args: &MirrorArgs, realms: &[String]) -> anyhow::Result<Planned> {
    let file = sync_file::read(path).map_err(exit::usage)?;
    let mut sources = Vec::new();
    for (n, source) in file.sources.iter().enumerate() {
        let place = format!("{}: [[source]] {}", path.display(), n + 1);
        let from = ImageRef::parse(&source.from).map_err(|e| exit::usage(format!("{place}: from: {e}")))?;
        let to = source.to.as_deref().or(file.to.as_deref()).or(args.to.as_deref()).ok_or_else(|| {
            exit::usage(format!("{place}: no destination; set `to` in the file (or the source), or --to"))
        })?;
        let texts = source.platforms.clone().or(file.platforms.clone()).unwrap_or_else(|| args.platform.clone());
        let platforms = platforms(&texts).with_context(|| place.clone())?;
        destination(to, &from).with_context(|| place.clone())?;
        sources.push((place, source, from, to, platforms));
    }
    let src_creds = explicit_creds(args.src_creds.as_deref(), "--src-creds or UHUB_SRC_CREDS")?;
    one_host(src_creds.is_some(), sources.iter().map(|s| &s.2.host), "--src-creds (or UHUB_SRC_CREDS)")?;
    let mut registries = Registries::new(src_creds, realms);
    let mut planned = Planned { jobs: Vec::new(), unlisted: Vec::new(), concurrency: file.concurrency };
    for (place, source, from, to, platforms) in sources {
        registries.add(&from.host)?;
        let registry = registries.get(&from.host);
        let chosen = async {
            let listed = registry.list_tags(&from.repository).await.context("listing its tags")?;
            // A name the registry listed that is not a tag is never requested; the filter
            // would have taken it, so the report says so.
            let refused: Vec<InvalidName> =
                listed.refused.into_iter().filter(|r| source.tags.may_take(&r.name)).collect();
            let all: Arc<HashSet<String>> = Arc::new(listed.tags.iter().cloned().collect());
            let mut names = listed.tags;
            // Names decide first, so creation times are read only for tags that may be taken.
            // An accessory's tag travels with its image, never as an image of its own: a
            // signature whose image is not mirrored would name a subject the destination lacks.
            let accessories = !args.no_accessories;
            names.retain(|name| source.tags.may_take(name) && !(accessories && is_accessory_tag(name)));
            let candidates = candidates(registry, &from, names, source.tags.needs_times()).await?;
            anyhow::Ok((source.tags.select(&candidates), refused, listed.refused_more, all))
        };
        match chosen.await {
            Ok((tags, refused, refused_more, all)) => {
                let image = format!("{}/{}", from.host, from.repository);
                for name in refused {
                    planned.unlisted.push(Line::refused(&image, to, name.to_string()));
                }
                if refused_more > 0 {
                    let why = format!("{refused_more} more names that are not tags (not shown)");
                    planned.unlisted.push(Line::refused(&image, to, why));
                }
                for tag in tags {
                    let from = from.with_reference(tag);
                    let to = destination(to, &from).with_context(|| place.clone())?;
                    let source_tags = Some(all.clone());
                    planned.jobs.push(Job { from, to, platforms: platforms.clone(), source_tags });
                }
            }
            Err(e) => planned.unlisted.push(Line::unlisted(&source.from, to, &format!("{e:#}"))),
        }
    }
    Ok(planned)
}

/// The tags with their creation times when the filter needs them (a GET of the manifest and
/// the config per tag, so only then).
async fn candidates(
    registry: &Registry,
    from: &ImageRef,
    names: Vec<String>,
    times: bool,
) -> anyhow::Result<Vec<TagCandidate>> {
    if !times {
        return Ok(names.into_iter().map(|name| TagCandidate { name, created: None }).collect());
    }
    let found: Vec<anyhow::Result<TagCandidate>> = futures::stream::iter(names.into_iter().map(|name| async move {
        let created = registry
            .created(&from.repository, &name)
            .await
            .with_context(|| format!("reading when {}/{}:{name} was built", from.host, from.repository))?;
        Ok(TagCandidate { created: created.and_then(|c| c.parse().ok()), name })
    }))
    .buffered(TIMES_IN_FLIGHT)
    .collect()
    .await;
    found.into_iter().collect()
}

/// Whether `host` may be the UHub registry (`--registry`/`UHUB_REGISTRY`, else a provider's
/// host), so the API is asked (the configured provider's host decides).
fn is_uhub(global: &Global, host: &str) -> bool {
    match global.registry.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        Some(chosen) => chosen.trim_end_matches('/') == host,
        None => crate::registry::host::is_provider_host(host),
    }
}

/// Creates (private) the UHub repositories the jobs copy into and that do not exist yet; a
/// dry run only says which it would create.
async fn ensure_uhub_repositories(global: &Global, jobs: &[Job], dry_run: bool) -> anyhow::Result<()> {
    let Some(first) = jobs.iter().find(|j| is_uhub(global, &j.to.host)) else {
        return Ok(());
    };
    let ctx = Ctx::connect(global).await.with_context(|| {
        format!(
            "{} is a UHub registry: its API (keys in UCLOUD_PUBLIC_KEY and UCLOUD_PRIVATE_KEY, or ~/.ucloud) \
             creates the repositories copies go to",
            first.to.host
        )
    })?;
    // The configured provider's registry only: another provider's is another account.
    let Ok(uhub) = ctx.registry_host() else {
        return Ok(());
    };
    let wanted: BTreeSet<&str> = jobs
        .iter()
        .filter(|j| j.to.host == uhub)
        .map(|j| j.to.repository.split('/').next().unwrap_or(&j.to.repository))
        .collect();
    let existing: HashSet<String> =
        crate::listing::repos(&ctx.client, ctx.concurrency).await?.into_iter().map(|(r, _)| r.repo_name).collect();
    for repo in wanted.into_iter().filter(|r| !existing.contains(*r)) {
        if dry_run {
            crate::terminal::output::note(&format!("would create the private UHub repository {repo}"));
            continue;
        }
        ctx.client
            .create_repo(repo)
            .is_shared(false)
            .await
            .with_context(|| format!("creating the UHub repository {repo}"))?;
        crate::terminal::output::note(&format!("created the private UHub repository {repo}"));
    }
    Ok(())
}

/// The engine's progress as a bar in bytes.
struct Bar(Progress);

impl uhub_registry::Progress for Bar {
    fn planned(&self, bytes: u64) {
        self.0.add_total(bytes);
    }
    fn copied(&self, bytes: u64) {
        self.0.advance(bytes);
    }
}

/// One image's line of the report.
#[derive(Serialize)]
struct Line {
    source: String,
    destination: String,
    /// `copied`, `unchanged`, `would_copy`, `failed`, `interrupted` (some blobs copied, not
    /// tagged), `not_started` or `refused` (a name the source listed that is not a tag; no
    /// request was made for it).
    result: &'static str,
    digest: Option<String>,
    /// The source's digest when `--platform` rewrote the index (so the digests differ).
    #[serde(skip_serializing_if = "Option::is_none")]
    source_digest: Option<String>,
    /// The digest the destination's tag had before this copy moved it.
    #[serde(skip_serializing_if = "Option::is_none")]
    replaced: Option<String>,
    platforms: Vec<String>,
    bytes: u64,
    blobs_copied: usize,
    blobs_skipped: usize,
    blobs_mounted: usize,
    /// Bytes not sent: mounted from another repository of the destination registry.
    bytes_mounted: u64,
    /// Bytes not sent: the destination had them (or another job of the run brought them).
    bytes_skipped: u64,
    /// The image's signatures, attestations and referrers copied with it (their blobs and
    /// bytes are in the counts above).
    accessories: Vec<AccessoryReport>,
    error: Option<String>,
}

impl Line {
    fn of(job: &Job, result: Result<CopyReport, RegistryError>) -> Line {
        match result {
            Ok(report) => Line {
                source: job.from.to_string(),
                destination: job.to.to_string(),
                result: match (report.outcome, &report.accessories_failed) {
                    // The image is there; its line still fails, so the run says not all arrived.
                    (_, Some(_)) => "failed",
                    (Outcome::Copied, None) => "copied",
                    (Outcome::Unchanged, None) => "unchanged",
                    (Outcome::WouldCopy, None) => "would_copy",
                },
                source_digest: report.rewritten.then(|| report.source_digest.clone()),
                replaced: report.replaced.clone(),
                digest: Some(report.digest),
                platforms: report.platforms,
                bytes: report.bytes,
                blobs_copied: report.blobs_copied,
                blobs_skipped: report.blobs_skipped,
                blobs_mounted: report.blobs_mounted,
                bytes_mounted: report.bytes_mounted,
                bytes_skipped: report.bytes_skipped,
                error: report.accessories_failed.map(|why| {
                    let image = match report.outcome {
                        Outcome::Copied => "was copied",
                        Outcome::Unchanged => "was already there",
                        Outcome::WouldCopy => "would be copied",
                    };
                    format!("the image {image}, not all its accessories: {why}")
                }),
                accessories: report.accessories,
            },
            Err(e @ RegistryError::Interrupted) => {
                Line { error: Some(e.to_string()), ..Line::empty(job, "interrupted") }
            }
            Err(e) => Line { error: Some(e.to_string()), ..Line::empty(job, "failed") },
        }
    }

    /// A sync file's source whose tags could not be chosen (listing or reading them failed).
    fn unlisted(source: &str, to: &str, error: &str) -> Line {
        Line { error: Some(error.to_owned()), ..Line::blank(source.to_owned(), to.to_owned(), "failed") }
    }

    /// A name `image`'s registry listed that is not a tag: `why` says which (escaped).
    fn refused(image: &str, to: &str, why: String) -> Line {
        Line { error: Some(why), ..Line::blank(image.to_owned(), to.to_owned(), "refused") }
    }

    fn not_started(job: &Job) -> Line {
        Line::empty(job, "not_started")
    }

    fn empty(job: &Job, result: &'static str) -> Line {
        Line::blank(job.from.to_string(), job.to.to_string(), result)
    }

    fn blank(source: String, destination: String, result: &'static str) -> Line {
        Line {
            source,
            destination,
            result,
            digest: None,
            source_digest: None,
            replaced: None,
            platforms: Vec::new(),
            bytes: 0,
            blobs_copied: 0,
            blobs_skipped: 0,
            blobs_mounted: 0,
            bytes_mounted: 0,
            bytes_skipped: 0,
            accessories: Vec::new(),
            error: None,
        }
    }
}

impl Row for Line {
    fn headers() -> &'static [&'static str] {
        &["SOURCE", "DESTINATION", "RESULT", "DIGEST", "SIZE", "BLOBS", "DETAIL"]
    }

    fn cells(&self) -> Vec<String> {
        let result = self.result.replace('_', " ");
        let digest = self.digest.as_deref().map_or_else(String::new, short_digest);
        let blobs = match self.result {
            "failed" | "refused" | "interrupted" | "not_started" | "unchanged" => String::new(),
            "would_copy" => format!("{} to send, {} present", self.blobs_copied, self.blobs_skipped),
            _ if self.blobs_mounted > 0 => {
                format!("{} sent, {} present, {} mounted", self.blobs_copied, self.blobs_skipped, self.blobs_mounted)
            }
            _ => format!("{} sent, {} present", self.blobs_copied, self.blobs_skipped),
        };
        let size = if blobs.is_empty() { String::new() } else { human_bytes(self.bytes) };
        let mut details = Vec::new();
        if let Some(e) = &self.error {
            details.push(e.clone());
        }
        match self.accessories.len() {
            0 => {}
            1 => details.push("+1 accessory".to_owned()),
            n => details.push(format!("+{n} accessories")),
        }
        if let Some(src) = &self.source_digest {
            details.push(format!("index rewritten for {} (source {})", self.platforms.join(", "), short_digest(src)));
        }
        if let Some(old) = &self.replaced {
            details.push(format!("the tag had {}", short_digest(old)));
        }
        let detail = details.join("; ");
        vec![self.source.clone(), self.destination.clone(), result, digest, size, blobs, detail]
    }

    fn name(&self) -> String {
        self.destination.clone()
    }
}

fn short_digest(digest: &str) -> String {
    digest.get(..19).unwrap_or(digest).to_owned()
}

/// `1.5 MB`: decimal units, as registries and docker show sizes.
fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000_000 => format!("{:.1} GB", b as f64 / 1e9),
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{:.1} kB", b as f64 / 1e3),
        b => format!("{b} B"),
    }
}

/// `waited for rate limits: docker.io 3 times (12.0 s)`: how often and how long each
/// registry paused the run (a host that is source and destination counted once).
fn rate_limit_waits(registries: [&Registries; 2]) -> Option<String> {
    let by_host: BTreeSet<(&String, u64, u128)> = registries
        .iter()
        .flat_map(|r| r.by_host.iter())
        .map(|(host, registry)| (host, registry.waits()))
        .filter(|(_, waits)| waits.count > 0)
        .map(|(host, waits)| (host, waits.count, waits.total.as_millis()))
        .collect();
    let each: Vec<String> = by_host
        .into_iter()
        .map(|(host, count, ms)| {
            format!("{host} {count} {} ({:.1} s)", if count == 1 { "time" } else { "times" }, ms as f64 / 1000.0)
        })
        .collect();
    (!each.is_empty()).then(|| format!("waited for rate limits: {}", each.join(", ")))
}

fn summary(lines: &[Line], dry_run: bool) -> String {
    let count = |r: &str| lines.iter().filter(|l| l.result == r).count();
    let bytes: u64 = lines.iter().map(|l| l.bytes).sum();
    let mounted: u64 = lines.iter().map(|l| l.bytes_mounted).sum();
    let mut parts = Vec::new();
    if dry_run {
        parts.push(format!("{} would be copied ({})", count("would_copy"), human_bytes(bytes)));
    } else if mounted > 0 {
        let (sent, mounted) = (human_bytes(bytes), human_bytes(mounted));
        parts.push(format!("{} copied ({sent} sent, {mounted} mounted)", count("copied")));
    } else {
        parts.push(format!("{} copied ({} sent)", count("copied"), human_bytes(bytes)));
    }
    parts.push(format!("{} unchanged", count("unchanged")));
    for (result, word) in
        [("failed", "failed"), ("refused", "refused"), ("interrupted", "interrupted"), ("not_started", "not started")]
    {
        if count(result) > 0 {
            parts.push(format!("{} {word}", count(result)));
        }
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_keeps_the_image_name_or_takes_the_one_given_and_the_source_tag() {
        let from = ImageRef::parse("nginx:1.27").unwrap();
        assert_eq!(
            destination("uhub.service.ucloud.cn/mirror", &from).unwrap().to_string(),
            "uhub.service.ucloud.cn/mirror/nginx:1.27"
        );
        assert_eq!(destination("127.0.0.1:5000/ops/web/", &from).unwrap().to_string(), "127.0.0.1:5000/ops/web:1.27");
        for bad in ["mirror", "mirror/nginx", "uhub.service.ucloud.cn", "h.example/repo:tag"] {
            let err = destination(bad, &from).unwrap_err().to_string();
            assert!(err.contains("HOST/REPO"), "{bad}: {err}");
        }
    }

    #[test]
    fn bad_credentials_name_the_flag_and_never_echo_the_value() {
        let err = explicit_creds(Some("just-a-secret"), "--dest-creds or UHUB_DEST_CREDS").unwrap_err().to_string();
        assert!(err.contains("--dest-creds") && !err.contains("just-a-secret"), "{err}");
    }

    #[test]
    fn sizes_read_as_docker_shows_them() {
        assert_eq!(
            (human_bytes(999), human_bytes(1500), human_bytes(2_345_678)),
            ("999 B".into(), "1.5 kB".into(), "2.3 MB".into())
        );
    }
}
