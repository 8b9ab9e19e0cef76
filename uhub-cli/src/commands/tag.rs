//! `uhub tag list|delete`.

use std::collections::HashSet;
use std::io::Read as _;

use jiff::Timestamp;
use serde::Serialize;

use crate::cli::{TagCommand, TagListArgs, TagSort};
use crate::confirm::confirm;
use crate::context::Ctx;
use crate::delete::{Outcome, delete_tags};
use crate::exit::{self, Status};
use crate::listing;
use crate::output::Row;
use crate::refs::{ImageRef, Reference, TagArg, TagRef};
use crate::tag::{Tag, TagRow, short_digest};
use crate::{time, version};

pub async fn run(ctx: &Ctx, command: TagCommand) -> anyhow::Result<Status> {
    match command {
        TagCommand::List(args) => list(ctx, args).await,
        TagCommand::Delete { tags } => delete(ctx, &tags).await,
    }
}

async fn list(ctx: &Ctx, args: TagListArgs) -> anyhow::Result<Status> {
    let progress = ctx.progress(format!("listing {}", args.image), "tags");
    let listed = listing::tags(&ctx.client, &args.image, ctx.concurrency, &progress).await;
    progress.finish();
    let mut tags: Vec<Tag> = listed?
        .into_iter()
        .filter(|t| args.matching.as_ref().is_none_or(|re| re.is_match(&t.name)))
        .filter(|t| args.exclude.as_ref().is_none_or(|re| !re.is_match(&t.name)))
        .collect();
    newest_first(&mut tags);
    if let Some(n) = args.newest {
        tags.truncate(n);
    }
    match args.sort {
        TagSort::Time => {}
        TagSort::Name => tags.sort_by(|a, b| a.name.cmp(&b.name)),
        TagSort::Semver => tags.sort_by(|a, b| version::descending(&a.name, &b.name)),
    }
    let now = ctx.now();
    if args.group_by_digest {
        ctx.out.list(&groups(&args.image, &tags, now))?;
    } else {
        let rows: Vec<TagRow> = tags.iter().map(|t| TagRow::new(&args.image, t, now)).collect();
        ctx.out.list(&rows)?;
    }
    Ok(Status::Ok)
}

/// By push time, newest first; tags whose time cannot be read last, in the service's order.
fn newest_first(tags: &mut [Tag]) {
    tags.sort_by(|a, b| match (a.pushed, b.pushed) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
}

/// The tags that are names of one image (one digest).
#[derive(Serialize)]
struct DigestGroup {
    repo: String,
    image: String,
    digest: Option<String>,
    tags: Vec<String>,
    /// The most recent push of any of its tags.
    pushed: Option<String>,
    #[serde(skip)]
    newest: Option<Timestamp>,
    #[serde(skip)]
    now: Timestamp,
}

impl Row for DigestGroup {
    fn headers() -> &'static [&'static str] {
        &["DIGEST", "TAGS", "PUSHED"]
    }

    fn cells(&self) -> Vec<String> {
        vec![short_digest(self.digest.as_deref()), self.tags.join(", "), time::relative_or_dash(self.newest, self.now)]
    }

    fn name(&self) -> String {
        self.digest.clone().unwrap_or_else(|| "-".to_owned())
    }
}

/// Groups in the order their first tag appears; a tag without a digest is a group of its own.
fn groups(image: &ImageRef, tags: &[Tag], now: Timestamp) -> Vec<DigestGroup> {
    let mut groups: Vec<DigestGroup> = Vec::new();
    for tag in tags {
        let existing = tag.digest.as_ref().and_then(|d| groups.iter_mut().find(|g| g.digest.as_ref() == Some(d)));
        match existing {
            Some(group) => {
                group.tags.push(tag.name.clone());
                group.newest = group.newest.max(tag.pushed);
            }
            None => groups.push(DigestGroup {
                repo: image.repo.clone(),
                image: image.image.clone(),
                digest: tag.digest.clone(),
                tags: vec![tag.name.clone()],
                pushed: None,
                newest: tag.pushed,
                now,
            }),
        }
    }
    for g in &mut groups {
        g.pushed = g.newest.map(time::rfc3339);
    }
    groups
}

async fn delete(ctx: &Ctx, args: &[TagArg]) -> anyhow::Result<Status> {
    let from_stdin = args.contains(&TagArg::Stdin);
    if from_stdin && args.len() > 1 {
        return Err(exit::usage("give tags as arguments or `-` to read them from stdin, not both"));
    }
    let mut given = Vec::new();
    if from_stdin {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let reference = line.parse::<Reference>().map_err(|e| exit::usage(format!("stdin: {e}")))?;
            given.push(ctx.tag_ref(&reference)?);
        }
    } else {
        for arg in args {
            if let TagArg::Tag(reference) = arg {
                given.push(ctx.tag_ref(reference)?);
            }
        }
    }
    check_pinned(ctx, &given).await?;
    let mut seen = HashSet::new();
    let tags: Vec<TagRef> = given.into_iter().filter(|t| seen.insert(t.clone())).collect();
    if tags.is_empty() {
        return Err(exit::usage(
            "no tags to delete: give REPO/IMAGE:TAG arguments, or lines of them on stdin with `-`",
        ));
    }
    let names: Vec<String> = tags.iter().map(ToString::to_string).collect();
    confirm(ctx.yes, &format!("delete {} tag(s)", tags.len()), &names)?;
    let progress = ctx.progress("deleting", "tags");
    progress.set_total(tags.len() as u64);
    let outcomes = delete_tags(&ctx.client, &tags, ctx.concurrency, &progress).await;
    progress.finish();
    report(ctx, &outcomes)
}

/// Refuses the whole deletion, before anything is deleted, when a tag given with a digest no
/// longer has it. (A check right before each deletion closes the window that remains.)
async fn check_pinned(ctx: &Ctx, tags: &[TagRef]) -> anyhow::Result<()> {
    for tag in tags.iter().filter(|t| t.digest.is_some()) {
        let answer = ctx
            .client
            .get_image_tag(&tag.image.repo, &tag.image.image)
            .tag_name(&tag.tag)
            .await
            .map_err(|e| anyhow::Error::new(e).context(format!("checking the digest of {tag}")))?;
        let now = answer.tag_set.iter().find(|t| t.tag_name == tag.tag).and_then(|t| t.digest.clone());
        if now != tag.digest {
            anyhow::bail!(
                "{}:{} now has {}, not the pinned digest; nothing was deleted",
                tag.image,
                tag.tag,
                now.as_deref().unwrap_or("no digest")
            );
        }
    }
    Ok(())
}

/// Prints the outcomes; some failing is status 4.
fn report(ctx: &Ctx, outcomes: &[Outcome]) -> anyhow::Result<Status> {
    ctx.out.list(outcomes)?;
    let failed = outcomes.iter().filter(|o| o.failed()).count();
    if failed == 0 {
        return Ok(Status::Ok);
    }
    let retry: Vec<String> = outcomes.iter().filter(|o| o.failed()).map(Row::name).collect();
    crate::output::note(&format!(
        "{failed} of {} deletion(s) failed; to retry them: uhub tag delete {}",
        outcomes.len(),
        retry.join(" ")
    ));
    Ok(Status::PartialFailure)
}
