//! `uhub tag list|delete`.

use std::collections::HashSet;

use jiff::Timestamp;
use serde::Serialize;

use crate::cli::{TagCommand, TagListArgs, TagSort};
use crate::context::Ctx;
use crate::exit::{self, Status};
use crate::input::refs::{ImageRef, Reference, TagArg, TagRef};
use crate::listing;
use crate::retention::audit::AuditLog;
use crate::retention::delete::{Doomed, Outcome, Tally, delete_tags, reread};
use crate::tag::{Tag, TagRow, short_digest};
use crate::terminal::confirm::{self, Ask, confirm};
use crate::terminal::output::Row;
use crate::{mirror::version, time};

/// The most `tag delete -` reads from stdin: some 150,000 names, far beyond any real list.
const MAX_STDIN_BYTES: u64 = 16 * 1024 * 1024;

pub async fn run(ctx: &Ctx, command: TagCommand) -> anyhow::Result<Status> {
    match command {
        TagCommand::List(args) => list(ctx, args).await,
        TagCommand::Delete { tags, audit_log } => delete(ctx, &tags, audit_log.as_deref()).await,
    }
}

async fn list(ctx: &Ctx, args: TagListArgs) -> anyhow::Result<Status> {
    let wanted = |t: &Tag| {
        args.matching.as_ref().is_none_or(|re| re.is_match(&t.name))
            && args.exclude.as_ref().is_none_or(|re| !re.is_match(&t.name))
    };
    let progress = ctx.progress(format!("listing {}", args.image), "tags");
    // With --newest N, paging stops once N tags are in hand (the service lists newest first).
    let listed = match args.newest {
        Some(n) => listing::newest_tags(&ctx.client, &args.image, n, wanted, &progress).await,
        None => listing::tags(&ctx.client, &args.image, ctx.concurrency, &progress).await,
    };
    progress.finish();
    let mut tags: Vec<Tag> = listed?.into_iter().filter(|t| wanted(t)).collect();
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
    } else if args.size || args.platforms {
        list_with_facts(ctx, &args, &tags, now).await?;
    } else {
        let rows: Vec<TagRow> = tags.iter().map(|t| TagRow::new(&args.image, t, now)).collect();
        ctx.out.list(&rows)?;
    }
    Ok(Status::Ok)
}

/// A tag with what the registry says of it: `size` and `platforms` are present in JSON when
/// asked for, null when the registry does not have the tag.
#[derive(Serialize)]
struct FactsRow {
    #[serde(flatten)]
    row: TagRow,
    /// Compressed bytes: the manifests and distinct blobs (configs, layers) of every platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<Option<u64>>,
    /// `os/arch[/variant]`, sorted.
    #[serde(skip_serializing_if = "Option::is_none")]
    platforms: Option<Option<Vec<String>>>,
}

/// The columns of `tag list` with the facts asked for.
fn facts_headers(size: bool, platforms: bool) -> Vec<&'static str> {
    let mut headers = TagRow::headers().to_vec();
    headers.extend(size.then_some("SIZE"));
    headers.extend(platforms.then_some("PLATFORMS"));
    headers
}

impl Row for FactsRow {
    /// Every column; a row's cells are those of the facts it was given (see [`facts_headers`]).
    fn headers() -> &'static [&'static str] {
        &["TAG", "PUSHED", "DIGEST", "SIZE", "PLATFORMS"]
    }

    fn cells(&self) -> Vec<String> {
        let mut cells = self.row.cells();
        if let Some(size) = self.size {
            cells.push(size.map_or_else(|| "-".to_owned(), crate::registry::facts::human_bytes));
        }
        if let Some(platforms) = &self.platforms {
            cells.push(match platforms {
                Some(p) if !p.is_empty() => p.join(","),
                _ => "-".to_owned(),
            });
        }
        cells
    }

    fn name(&self) -> String {
        self.row.name()
    }
}

/// `tag list --size --platforms`: the listing with the registry's facts of each tag.
async fn list_with_facts(ctx: &Ctx, args: &TagListArgs, tags: &[Tag], now: Timestamp) -> anyhow::Result<()> {
    let flag = if args.size { "--size" } else { "--platforms" };
    let facts = crate::registry::facts::Facts::connect(ctx, flag)?;
    let wanted: Vec<crate::registry::facts::Wanted> =
        tags.iter().map(|tag| crate::registry::facts::Wanted { image: &args.image, tag }).collect();
    let progress = ctx.progress("reading the registry", "images");
    let read = facts.read(&wanted, ctx.concurrency, &progress).await;
    progress.finish();
    let rows: Vec<FactsRow> = tags
        .iter()
        .zip(read?)
        .map(|(tag, facts)| FactsRow {
            row: TagRow::new(&args.image, tag, now),
            size: args.size.then(|| facts.as_ref().map(|f| f.compressed_size)),
            platforms: args.platforms.then(|| facts.as_ref().map(|f| f.platforms.clone())),
        })
        .collect();
    match ctx.out.format {
        // The columns depend on the flags, so the table is drawn here rather than by a Row.
        crate::cli::Format::Table if !ctx.out.quiet => crate::terminal::output::emit(&crate::terminal::output::table(
            &facts_headers(args.size, args.platforms),
            rows.iter().map(FactsRow::cells),
        )),
        _ => ctx.out.list(&rows),
    }
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

async fn delete(ctx: &Ctx, args: &[TagArg], audit_log: Option<&std::path::Path>) -> anyhow::Result<Status> {
    let from_stdin = args.contains(&TagArg::Stdin);
    if from_stdin && args.len() > 1 {
        return Err(exit::usage("give tags as arguments or `-` to read them from stdin, not both"));
    }
    let mut given = Vec::new();
    if from_stdin {
        // Off the runtime and bounded: a stdin that never closes still ends at --timeout or a
        // signal, and one that never ends is an error at the cap.
        let bytes = crate::input::local_file::read_stdin(MAX_STDIN_BYTES)
            .await
            .map_err(|e| exit::usage(format!("stdin: {e}")))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| exit::usage("stdin: not UTF-8 text; give one REPO/IMAGE:TAG a line"))?;
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
    let mut seen = HashSet::new();
    let tags: Vec<TagRef> = given.into_iter().filter(|t| seen.insert(t.clone())).collect();
    if tags.is_empty() {
        // An empty pipeline (`tag list --match ... -q | tag delete -`) has nothing to do: success.
        crate::terminal::output::note("nothing to delete: no REPO/IMAGE:TAG given");
        ctx.out.list::<Outcome>(&[])?;
        return Ok(Status::Ok);
    }
    let question = format!("delete {} tag(s)", tags.len());
    confirm::can_ask(ctx.yes, &question)?;
    let audit = AuditLog::open(audit_log, "tag delete").await?;
    let (doomed, missing) = read_before_deleting(ctx, &tags).await?;
    let items: Vec<String> =
        doomed.iter().map(|d| format!("{}  {}", d.tag, short_digest(d.planned.digest.as_deref()))).collect();
    let repos: HashSet<&str> = doomed.iter().map(|d| d.tag.image.repo.as_str()).collect();
    let type_to_confirm = (doomed.len() > confirm::TYPE_NAME_OVER).then(|| match repos.iter().next() {
        Some(repo) if repos.len() == 1 => (*repo).to_owned(),
        _ => doomed.len().to_string(),
    });
    if !doomed.is_empty() {
        confirm(ctx.yes, Ask { question, items: &items, type_to_confirm }).await?;
    }
    let progress = ctx.progress("deleting", "tags");
    progress.set_total(doomed.len() as u64);
    let deleted = delete_tags(&ctx.client, &doomed, ctx.concurrency, &progress, &audit).await;
    progress.finish();
    for m in &missing {
        m.audit(&audit, None).await;
    }
    // In the order given.
    let mut by_name: std::collections::HashMap<String, Outcome> =
        deleted.into_iter().chain(missing).map(|o| (o.name(), o)).collect();
    let outcomes: Vec<Outcome> =
        tags.iter().filter_map(|t| by_name.remove(&format!("{}:{}", t.image, t.tag))).collect();
    let status = report(ctx, &outcomes)?;
    match audit.failure() {
        Some(error) => Err(error),
        None => Ok(status),
    }
}

/// Reads every tag before the prompt: its digest and push time are what the prompt shows, the
/// report records and the deletion re-checks. Tags that do not exist are reported `gone`, and
/// tags whose pinned digest is not theirs `changed`; neither is asked about or deleted.
async fn read_before_deleting(ctx: &Ctx, tags: &[TagRef]) -> anyhow::Result<(Vec<Doomed>, Vec<Outcome>)> {
    use futures::{StreamExt, TryStreamExt};
    let read: Vec<(TagRef, Option<Tag>)> = futures::stream::iter(tags.iter().cloned())
        .map(|tag| async move {
            let found =
                reread(&ctx.client, &tag).await.map_err(|e| anyhow::Error::new(e).context(format!("reading {tag}")))?;
            Ok::<_, anyhow::Error>((tag, found))
        })
        .buffered(ctx.concurrency.max(1))
        .try_collect()
        .await?;
    let mut doomed = Vec::new();
    let mut missing = Vec::new();
    for (tag, found) in read {
        match found {
            Some(planned) => {
                let d = Doomed { tag, planned, reason: None };
                match crate::retention::delete::pin_mismatch(&d) {
                    Some(changed) => missing.push(changed),
                    None => doomed.push(d),
                }
            }
            None => missing.push(crate::retention::delete::missing(&tag)),
        }
    }
    Ok((doomed, missing))
}

/// Prints the outcomes; the status says what went wrong first (see [`Tally::status`]).
fn report(ctx: &Ctx, outcomes: &[Outcome]) -> anyhow::Result<Status> {
    ctx.out.list(outcomes)?;
    let tally = Tally::of(outcomes);
    let status = tally.status();
    if status == Status::PartialFailure {
        let retry: Vec<String> = outcomes.iter().filter(|o| o.failed()).map(Row::name).collect();
        crate::terminal::output::note(&format!(
            "{} of {} deletion(s) failed; to retry them: uhub tag delete {}",
            retry.len(),
            outcomes.len(),
            retry.join(" ")
        ));
    } else if status != Status::Ok || tally.gone > 0 {
        crate::terminal::output::note(&format!("{} of {} tag(s)", tally.line(), outcomes.len()));
    }
    Ok(status)
}
