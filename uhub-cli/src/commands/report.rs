//! `uhub report [--policy FILE] [--size]`: per repository, images, tags, oldest and newest
//! push, never-pulled images, with a policy how many tags a prune would delete, and with
//! `--size` the bytes the registry stores for it (blobs shared by tags and images counted once).

use futures::{StreamExt, TryStreamExt};
use jiff::Timestamp;
use serde::Serialize;
use uhub_sdk::ImageSet;

use crate::cli::ReportArgs;
use crate::context::Ctx;
use crate::exit::Status;
use crate::input::refs::ImageRef;
use crate::listing::{self, Kind};
use crate::registry::facts::{Facts, Wanted};
use crate::retention::policy::Policy;
use crate::retention::rules::{self, Action};
use crate::tag::Tag;
use crate::terminal::output::Row;
use crate::terminal::progress::Progress;
use crate::time;

#[derive(Serialize)]
struct RepoReport {
    repo: String,
    kind: &'static str,
    images: usize,
    tags: usize,
    oldest_push: Option<String>,
    newest_push: Option<String>,
    never_pulled: Vec<String>,
    /// With `--policy`: tags a prune by it would delete now.
    #[serde(skip_serializing_if = "Option::is_none")]
    would_delete: Option<usize>,
    /// With `--size`: bytes stored, each distinct blob and image manifest once.
    #[serde(skip_serializing_if = "Option::is_none")]
    stored_bytes: Option<u64>,
    #[serde(skip)]
    oldest: Option<Timestamp>,
    #[serde(skip)]
    newest: Option<Timestamp>,
    #[serde(skip)]
    now: Timestamp,
}

impl Row for RepoReport {
    fn headers() -> &'static [&'static str] {
        &["REPO", "KIND", "IMAGES", "TAGS", "STORED", "OLDEST PUSH", "NEWEST PUSH", "NEVER PULLED", "WOULD DELETE"]
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.repo.clone(),
            self.kind.to_owned(),
            self.images.to_string(),
            self.tags.to_string(),
            self.stored_bytes.map_or_else(|| "-".to_owned(), crate::registry::facts::human_bytes),
            time::relative_or_dash(self.oldest, self.now),
            time::relative_or_dash(self.newest, self.now),
            if self.never_pulled.is_empty() { "-".to_owned() } else { self.never_pulled.join(", ") },
            self.would_delete.map_or_else(|| "-".to_owned(), |n| n.to_string()),
        ]
    }

    fn name(&self) -> String {
        self.repo.clone()
    }
}

pub async fn run(ctx: &Ctx, args: ReportArgs) -> anyhow::Result<Status> {
    let policy = args.policy.as_deref().map(Policy::load).transpose()?;
    let facts = args.size.then(|| Facts::connect(ctx, "--size")).transpose()?;
    let progress = ctx.progress("reading", "images");
    let reports = gather(ctx, policy.as_ref(), facts.as_ref(), &progress).await;
    progress.finish();
    ctx.out.list(&reports?)?;
    Ok(Status::Ok)
}

async fn gather(
    ctx: &Ctx,
    policy: Option<&Policy>,
    facts: Option<&Facts>,
    progress: &Progress,
) -> anyhow::Result<Vec<RepoReport>> {
    let now = ctx.now();
    let mut reports = Vec::new();
    let mut seen = Vec::new();
    for (repo, kind) in listing::repos(&ctx.client, ctx.concurrency).await? {
        let images = listing::images(&ctx.client, &repo.repo_name, ctx.concurrency).await?;
        progress.add_total(images.len() as u64);
        // Images k at a time, each listed page by page: at most k requests in flight.
        let tagged: Vec<(ImageSet, Vec<Tag>)> = futures::stream::iter(images)
            .map(|image| async {
                let name = ImageRef { repo: repo.repo_name.clone(), image: image.image_name.clone() };
                let tags = listing::tags(&ctx.client, &name, 1, &Progress::new(false, "", "")).await;
                progress.advance(1);
                tags.map(|t| (image, t))
            })
            .buffered(ctx.concurrency)
            .try_collect()
            .await?;
        let names: Vec<ImageRef> = tagged
            .iter()
            .map(|(i, _)| ImageRef { repo: repo.repo_name.clone(), image: i.image_name.clone() })
            .collect();
        let stored = match facts {
            Some(facts) => Some(stored(ctx, facts, &names, &tagged).await?),
            None => None,
        };
        seen.extend(names);
        let mut report = summarise(&repo.repo_name, kind, &tagged, policy, now);
        report.stored_bytes = stored;
        reports.push(report);
    }
    if let Some(policy) = policy {
        policy.warn_unmatched(&seen);
    }
    Ok(reports)
}

/// The bytes a repository stores: every tag's facts read, `--concurrency` at a time, and
/// blobs shared between tags and images counted once.
async fn stored(ctx: &Ctx, facts: &Facts, names: &[ImageRef], tagged: &[(ImageSet, Vec<Tag>)]) -> anyhow::Result<u64> {
    let wanted: Vec<Wanted> = names
        .iter()
        .zip(tagged)
        .flat_map(|(image, (_, tags))| tags.iter().map(move |tag| Wanted { image, tag }))
        .collect();
    let read = facts.read(&wanted, ctx.concurrency, &Progress::new(false, "", "")).await?;
    Ok(crate::registry::facts::stored_bytes(read.iter().flatten().map(|f| f.as_ref())))
}

fn summarise(
    repo: &str,
    kind: Kind,
    images: &[(ImageSet, Vec<Tag>)],
    policy: Option<&Policy>,
    now: Timestamp,
) -> RepoReport {
    let pushes = images.iter().flat_map(|(_, tags)| tags.iter().filter_map(|t| t.pushed));
    let (oldest, newest) = (pushes.clone().min(), pushes.max());
    let would_delete = policy.map(|p| {
        images
            .iter()
            .filter_map(|(image, tags)| {
                let name = ImageRef { repo: repo.to_owned(), image: image.image_name.clone() };
                p.rules_for(&name).map(|rules| rules::plan(tags, rules, now))
            })
            .flatten()
            .filter(|d| d.action == Action::Delete)
            .count()
    });
    RepoReport {
        repo: repo.to_owned(),
        kind: kind.as_str(),
        images: images.len(),
        tags: images.iter().map(|(_, t)| t.len()).sum(),
        oldest_push: oldest.map(time::rfc3339),
        newest_push: newest.map(time::rfc3339),
        never_pulled: images.iter().filter(|(i, _)| i.pull_count == 0).map(|(i, _)| i.image_name.clone()).collect(),
        would_delete,
        stored_bytes: None,
        oldest,
        newest,
        now,
    }
}
