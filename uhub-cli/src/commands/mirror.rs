//! `uhub mirror`: copies images into a registry with uhub-registry's engine, one report row
//! per image. Arguments and sync files become jobs (source, destination, platforms); the
//! UHub repositories the jobs need are created first when the destination is UHub; the jobs
//! run a few at a time, each failure reported and the others carried on. The jobs are one
//! run for the engine (one [`Ledger`]): two jobs needing one blob in one repository send it
//! once (the other waits), two tags of one image are one copy and a tag, and a blob one
//! repository of the destination registry received is mounted into the others. Each image's
//! accessories (signatures, attestations, referrers) go with it and share its line, unless
//! `--no-accessories`; a sync file's tags that are accessories' are not jobs of their own. With
//! `--shard K/N` only the sources whose destination repository falls to shard K are planned
//! ([`crate::mirror::shard`]); the report is [`crate::mirror::report`]'s.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use anyhow::Context as _;
use futures::StreamExt;
use uhub_registry::names::InvalidName;
use uhub_registry::{
    CopyOptions, Credentials, Error as RegistryError, ImageRef, Ledger, Platform, Registry, Waits, is_accessory_tag,
};

use crate::cli::{Global, MirrorArgs};
use crate::context::Ctx;
use crate::exit::{self, Status};
use crate::interrupt;
use crate::mirror::report::{Line, Reporter, ShardTaken, Summary};
use crate::mirror::shard::Shard;
use crate::mirror::sync_file::{self, TagCandidate};
use crate::terminal::output::Output;
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
    let out_for_people = out.for_people();
    let reporter = Reporter::new(out);
    let Planned { jobs, unlisted, concurrency: file_concurrency, shard: taken } = match &args.file {
        Some(path) => jobs_from_file(path, &args, &global.allow_credentials_to_realm).await?,
        None => jobs_from_args(&args)?,
    };
    check_distinct(&jobs)?;
    if let Some(taken) = &taken {
        crate::terminal::output::note(&taken.sentence());
    }
    for line in &unlisted {
        reporter.finished(line)?;
    }
    if jobs.is_empty() {
        crate::terminal::output::note(match &taken {
            Some(taken) if taken.sources == 0 => "nothing to copy: this shard took none of the sources",
            _ => "nothing to copy: no source tag matched",
        });
        let summary = Summary::of(&unlisted, args.dry_run, taken, Waits::default());
        let failed = unlisted.iter().any(Line::is_failure);
        reporter.end(unlisted, &summary)?;
        return Ok(if failed { Status::PartialFailure } else { Status::Ok });
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
    let mut copies = futures::stream::iter(jobs.iter().enumerate().map(|(i, job)| {
        let options =
            CopyOptions { platforms: job.platforms.clone(), source_tags: job.source_tags.clone(), ..options.clone() };
        async move {
            if interrupt::reason().is_some() {
                return (i, Line::not_started(&job.from, &job.to));
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
            (i, Line::of(&job.from, &job.to, result))
        }
    }))
    .buffer_unordered(images);
    let mut lines: Vec<(usize, Line)> = Vec::with_capacity(jobs.len());
    while let Some((i, line)) = copies.next().await {
        reporter.finished(&line)?;
        lines.push((i, line));
    }
    // A copy that waited for a rate limit until the deadline may end before the timer that
    // stops the run has run: it is the deadline all the same.
    if deadline.is_some_and(|deadline| std::time::Instant::now() >= deadline) {
        interrupt::stop(interrupt::Reason::TimedOut);
    }
    progress.finish();
    lines.sort_by_key(|(i, _)| *i);
    let lines: Vec<Line> = unlisted.into_iter().chain(lines.into_iter().map(|(_, line)| line)).collect();
    let summary = Summary::of(&lines, args.dry_run, taken, total_waits([sources, destinations]));
    let failed = lines.iter().filter(|l| l.is_failure()).count();
    let unfinished = lines.iter().filter(|l| l.is_unfinished()).count();
    let total = lines.len();
    reporter.end(lines, &summary)?;
    if out_for_people {
        if let Some(waits) = rate_limit_waits([sources, destinations]) {
            crate::terminal::output::note(&waits);
        }
    }
    // A refused name is an image not copied: the run is not all it was asked to be.
    if let Some(reason) = interrupt::reason() {
        let what = format!("{unfinished} of {total} images not finished; running the same command again continues");
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

/// The jobs the command line names (every one checked, then this shard's kept).
fn jobs_from_args(args: &MirrorArgs) -> anyhow::Result<Planned> {
    let to = args.to.as_deref().ok_or_else(|| exit::usage("name the destination: --to HOST/REPO[/IMAGE]"))?;
    let platforms = platforms(&args.platform)?;
    let jobs = args
        .sources
        .iter()
        .map(|text| {
            let from = ImageRef::parse(text).map_err(|e| exit::usage(e.to_string()))?;
            let to = destination(to, &from)?;
            Ok(Job { from, to, platforms: platforms.clone(), source_tags: None })
        })
        .collect::<anyhow::Result<Vec<Job>>>()?;
    // Before the share is taken, so that every shard refuses a clash alike.
    check_distinct(&jobs)?;
    let (jobs, shard) = take_share(args.shard, jobs, |job| repository_of(&job.to));
    Ok(Planned { jobs, unlisted: Vec::new(), concurrency: None, shard })
}

/// A repository as shards know it: `HOST/REPO`.
fn repository_of(image: &ImageRef) -> String {
    format!("{}/{}", image.host, image.repository)
}

/// The sources (arguments, or a sync file's `[[source]]`s) whose destination repository
/// (`key`) is `shard`'s, all of them without `--shard`; and how many that is of how many.
/// Every source of one destination repository is in one shard, so two processes never write
/// one repository at once (the ledger keeps images of one process apart, not of two); all tags
/// of a source repository go to one destination repository, so they stay together too.
fn take_share<T>(shard: Option<Shard>, sources: Vec<T>, key: impl Fn(&T) -> String) -> (Vec<T>, Option<ShardTaken>) {
    let Some(shard) = shard else {
        return (sources, None);
    };
    let total = sources.len();
    let taken: Vec<T> = sources.into_iter().filter(|s| shard.takes(&key(s))).collect();
    let count = taken.len();
    (taken, Some(ShardTaken::new(shard, count, total)))
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
    /// The share `--shard` took, when given.
    shard: Option<ShardTaken>,
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
        let repository = repository_of(&destination(to, &from).with_context(|| place.clone())?);
        sources.push((place, source, from, to, platforms, repository));
    }
    let src_creds = explicit_creds(args.src_creds.as_deref(), "--src-creds or UHUB_SRC_CREDS")?;
    one_host(src_creds.is_some(), sources.iter().map(|s| &s.2.host), "--src-creds (or UHUB_SRC_CREDS)")?;
    // Every source is checked above, so each shard refuses a broken file alike; only this
    // shard's are listed and copied.
    let (sources, shard) = take_share(args.shard, sources, |s| s.5.clone());
    let mut registries = Registries::new(src_creds, realms);
    let mut planned = Planned { jobs: Vec::new(), unlisted: Vec::new(), concurrency: file.concurrency, shard };
    for (place, source, from, to, platforms, _) in sources {
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
        match ctx.client.create_repo(repo).is_shared(false).await {
            Ok(_) => crate::terminal::output::note(&format!("created the private UHub repository {repo}")),
            // Shards of one fleet (or any other client) may create it between our listing and
            // our request: then it exists, which is all the copies need. Whether the error
            // says so is the service's wording, so the listing decides.
            Err(e) => {
                let now: HashSet<String> = crate::listing::repos(&ctx.client, ctx.concurrency)
                    .await?
                    .into_iter()
                    .map(|(r, _)| r.repo_name)
                    .collect();
                if !now.contains(repo) {
                    return Err(anyhow::Error::new(e).context(format!("creating the UHub repository {repo}")));
                }
                crate::terminal::output::note(&format!("the UHub repository {repo} was created meanwhile; using it"));
            }
        }
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

/// Every wait of the run, a host that is source and destination counted once.
fn total_waits(registries: [&Registries; 2]) -> Waits {
    let by_host: BTreeMap<&String, Waits> =
        registries.iter().flat_map(|r| r.by_host.iter()).map(|(host, registry)| (host, registry.waits())).collect();
    by_host
        .into_values()
        .fold(Waits::default(), |sum, w| Waits { count: sum.count + w.count, total: sum.total + w.total })
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
}
