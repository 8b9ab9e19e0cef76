//! `uhub prune`: plan which tags to delete by rules, print the plan, and with `--apply` carry it
//! out. The plan is computed the same way on every run, so after a partial failure running the
//! command again deletes what is left.

use std::collections::HashMap;

use futures::{StreamExt, TryStreamExt};
use jiff::Timestamp;
use serde::Serialize;

use crate::cli::{Format, PruneArgs};
use crate::confirm::confirm;
use crate::context::Ctx;
use crate::delete::{Outcome, delete_tags};
use crate::exit::{self, Status};
use crate::listing;
use crate::output::{self, Row};
use crate::policy::Policy;
use crate::progress::Progress;
use crate::refs::{ImageRef, TagRef, Target};
use crate::rules::{self, Action, Decision, Rules};
use crate::tag::{Tag, pushed_cell, short_digest};

/// Where the rules come from.
enum Source {
    Flags(Rules),
    Policy(Policy),
}

impl Source {
    fn rules_for(&self, image: &ImageRef) -> Option<&Rules> {
        match self {
            Source::Flags(rules) => Some(rules),
            Source::Policy(policy) => policy.rules_for(image),
        }
    }
}

pub async fn run(ctx: &Ctx, args: PruneArgs) -> anyhow::Result<Status> {
    let source = source(&args)?;
    let max_delete = args.max_delete.or(match &source {
        Source::Policy(p) => p.max_delete,
        Source::Flags(_) => None,
    });
    let images = images(ctx, &args.targets).await?;
    if let (Source::Policy(policy), true) = (&source, args.targets.is_empty()) {
        policy.warn_unmatched(&images);
    }
    let now = ctx.now();
    let entries = plan_all(ctx, &source, &images, now).await?;
    let planned = entries.iter().filter(|e| e.decision.action == Action::Delete).count();

    if let Some(max) = max_delete.filter(|&max| planned > max) {
        print(ctx, &entries, true, now)?;
        return Err(exit::too_many_deletions(format!(
            "the plan deletes {planned} tags, more than --max-delete {max} allows; nothing was deleted \
             (narrow the rules, or raise --max-delete after checking the plan)"
        )));
    }
    if !args.apply || planned == 0 {
        print(ctx, &entries, true, now)?;
        if ctx.out.for_people() {
            let what = if args.apply { "nothing to delete" } else { "dry run: add --apply to delete them" };
            output::note(&format!(
                "plan: delete {planned} of {} tag(s) in {} image(s); {what}",
                entries.len(),
                images.len()
            ));
        }
        return Ok(Status::Ok);
    }
    apply(ctx, entries, planned, now).await
}

fn source(args: &PruneArgs) -> anyhow::Result<Source> {
    if let Some(path) = &args.policy {
        return Ok(Source::Policy(Policy::load(path)?));
    }
    if args.targets.is_empty() {
        return Err(exit::usage(
            "name what to prune, e.g. uhub prune web/nginx --keep-last 10 (or use --policy FILE to prune every repository)",
        ));
    }
    let mut keep = args.keep.clone();
    if !args.no_keep_latest && !keep.iter().any(|k| k == "latest") {
        keep.push("latest".to_owned());
    }
    let rules = Rules {
        keep_last: args.keep_last,
        older_than: args.older_than,
        matching: args.matching.clone(),
        exclude: args.exclude.clone(),
        keep,
    };
    if !rules.limit_deletions() {
        return Err(exit::usage(
            "prune needs a rule that limits what it deletes: --keep-last N, --older-than AGE or --match RE \
             (or --policy FILE)",
        ));
    }
    Ok(Source::Flags(rules))
}

/// The images the targets name (every image of a named repository; of every repository when
/// none is named), each once, in order.
async fn images(ctx: &Ctx, targets: &[Target]) -> anyhow::Result<Vec<ImageRef>> {
    let targets: Vec<Target> = if targets.is_empty() {
        listing::repos(&ctx.client, ctx.concurrency)
            .await?
            .into_iter()
            .map(|(r, _)| Target::Repo(r.repo_name))
            .collect()
    } else {
        targets.to_vec()
    };
    let mut images = Vec::new();
    for target in targets {
        match target {
            Target::Image(image) => images.push(image),
            Target::Repo(repo) => images.extend(
                listing::images(&ctx.client, &repo, ctx.concurrency)
                    .await?
                    .into_iter()
                    .map(|i| ImageRef { repo: repo.clone(), image: i.image_name }),
            ),
        }
    }
    let mut seen = std::collections::HashSet::new();
    images.retain(|i| seen.insert(i.clone()));
    Ok(images)
}

/// One tag in the plan and, once applied, what happened.
struct Entry {
    image: ImageRef,
    decision: Decision,
    outcome: Option<Outcome>,
}

/// Lists the tags of every image that has rules and plans each image. Several images are
/// listed at once, sharing the concurrency.
async fn plan_all(ctx: &Ctx, source: &Source, images: &[ImageRef], now: Timestamp) -> anyhow::Result<Vec<Entry>> {
    let ruled: Vec<(&ImageRef, &Rules)> = images.iter().filter_map(|i| source.rules_for(i).map(|r| (i, r))).collect();
    for skipped in images.iter().filter(|i| source.rules_for(i).is_none()) {
        output::note(&format!("{skipped}: no policy rule matches; left alone"));
    }
    let at_once = ctx.concurrency.min(ruled.len()).max(1);
    let per_image = (ctx.concurrency / at_once).max(1);
    let progress = ctx.progress("listing tags", "tags");
    let listed: Result<Vec<(usize, Vec<Tag>)>, anyhow::Error> = futures::stream::iter(ruled.iter().enumerate())
        .map(|(i, (image, _))| {
            let progress = &progress;
            async move { listing::tags(&ctx.client, image, per_image, progress).await.map(|tags| (i, tags)) }
        })
        .buffer_unordered(at_once)
        .try_collect()
        .await;
    progress.finish();
    let mut listed = listed?;
    listed.sort_by_key(|(i, _)| *i);
    let mut entries = Vec::new();
    for (i, tags) in listed {
        let (image, rules) = ruled[i];
        entries.extend(rules::plan(&tags, rules, now).into_iter().map(|decision| Entry {
            image: image.clone(),
            decision,
            outcome: None,
        }));
    }
    Ok(entries)
}

async fn apply(ctx: &Ctx, mut entries: Vec<Entry>, planned: usize, now: Timestamp) -> anyhow::Result<Status> {
    if ctx.out.for_people() {
        print(ctx, &entries, true, now)?;
    }
    let doomed: Vec<TagRef> = entries
        .iter()
        .filter(|e| e.decision.action == Action::Delete)
        .map(|e| TagRef { image: e.image.clone(), tag: e.decision.tag.name.clone(), digest: None })
        .collect();
    let names: Vec<String> = doomed.iter().map(ToString::to_string).collect();
    let images = doomed.iter().map(|t| &t.image).collect::<std::collections::HashSet<_>>().len();
    confirm(ctx.yes, &format!("delete {planned} tag(s) from {images} image(s)"), &names)?;
    let progress: Progress = ctx.progress("deleting", "tags");
    progress.set_total(doomed.len() as u64);
    let outcomes = delete_tags(&ctx.client, &doomed, ctx.concurrency, &progress).await;
    progress.finish();
    let mut by_tag: HashMap<String, Outcome> = outcomes.into_iter().map(|o| (o.name(), o)).collect();
    for e in &mut entries {
        e.outcome = by_tag.remove(&format!("{}:{}", e.image, e.decision.tag.name));
    }
    let failed = entries.iter().filter(|e| e.outcome.as_ref().is_some_and(Outcome::failed)).count();
    if ctx.out.for_people() {
        let failures: Vec<&Outcome> =
            entries.iter().filter_map(|e| e.outcome.as_ref()).filter(|o| o.failed()).collect();
        if !failures.is_empty() {
            output::emit(&output::table(Outcome::headers(), failures.iter().map(|o| o.cells())))?;
        }
        output::emit(&format!("deleted {} of {planned} tag(s); {failed} failed\n", planned - failed))?;
    } else {
        print(ctx, &entries, false, now)?;
    }
    if failed > 0 {
        output::note(&format!(
            "{failed} deletion(s) failed; run the same command again to finish the job (it plans afresh)"
        ));
        return Ok(Status::PartialFailure);
    }
    Ok(Status::Ok)
}

/// One tag of the report, for JSON and for the plan's table.
#[derive(Serialize)]
struct ReportTag<'a> {
    repo: &'a str,
    image: &'a str,
    tag: &'a str,
    pushed: Option<String>,
    update_time: &'a str,
    digest: Option<&'a str>,
    action: Action,
    reason: &'a str,
    /// `deleted` or `failed` once applied; absent in a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip)]
    source: &'a Tag,
    #[serde(skip)]
    now: Timestamp,
}

impl Row for ReportTag<'_> {
    fn headers() -> &'static [&'static str] {
        &["IMAGE", "TAG", "PUSHED", "DIGEST", "ACTION", "REASON"]
    }

    fn cells(&self) -> Vec<String> {
        let action = match self.action {
            Action::Keep => "keep",
            Action::Delete => "DELETE",
        };
        vec![
            format!("{}/{}", self.repo, self.image),
            self.tag.to_owned(),
            pushed_cell(self.source, self.now),
            short_digest(self.digest),
            action.to_owned(),
            self.reason.to_owned(),
        ]
    }

    fn name(&self) -> String {
        format!("{}/{}:{}", self.repo, self.image, self.tag)
    }
}

#[derive(Serialize)]
struct Summary {
    dry_run: bool,
    images: usize,
    tags: usize,
    keep: usize,
    delete: usize,
    deleted: usize,
    failed: usize,
}

/// The JSON report: the totals, then every tag.
#[derive(Serialize)]
struct Report<'a> {
    summary: Summary,
    tags: Vec<ReportTag<'a>>,
}

/// The last line of the JSON-lines report.
#[derive(Serialize)]
struct SummaryLine {
    summary: Summary,
}

/// The plan (`dry_run`) or the report: a table of every tag, or one JSON document.
fn print(ctx: &Ctx, entries: &[Entry], dry_run: bool, now: Timestamp) -> anyhow::Result<()> {
    let rows: Vec<ReportTag> = entries.iter().map(|e| report_tag(e, now)).collect();
    let count = |f: &dyn Fn(&ReportTag) -> bool| rows.iter().filter(|r| f(r)).count();
    let summary = Summary {
        dry_run,
        images: entries.iter().map(|e| &e.image).collect::<std::collections::HashSet<_>>().len(),
        tags: rows.len(),
        keep: count(&|r| r.action == Action::Keep),
        delete: count(&|r| r.action == Action::Delete),
        deleted: count(&|r| r.result == Some("deleted")),
        failed: count(&|r| r.result == Some("failed")),
    };
    if ctx.out.quiet {
        // Names of what the plan deletes (dry run) or what was deleted.
        let wanted = |r: &&ReportTag| if dry_run { r.action == Action::Delete } else { r.result == Some("deleted") };
        return output::emit(&output::names(rows.iter().filter(wanted).map(|r| r.name()))?);
    }
    match ctx.out.format {
        Format::Table => ctx.out.list(&rows),
        Format::Json => output::emit(&(serde_json::to_string_pretty(&Report { summary, tags: rows })? + "\n")),
        Format::Jsonl => {
            let mut text = String::new();
            for row in &rows {
                text += &(serde_json::to_string(row)? + "\n");
            }
            text += &(serde_json::to_string(&SummaryLine { summary })? + "\n");
            output::emit(&text)
        }
    }
}

fn report_tag(e: &Entry, now: Timestamp) -> ReportTag<'_> {
    let tag = &e.decision.tag;
    ReportTag {
        repo: &e.image.repo,
        image: &e.image.image,
        tag: &tag.name,
        pushed: tag.pushed.map(crate::time::rfc3339),
        update_time: &tag.update_time,
        digest: tag.digest.as_deref(),
        action: e.decision.action,
        reason: &e.decision.reason,
        result: e.outcome.as_ref().map(|o| o.result),
        request_id: e.outcome.as_ref().and_then(|o| o.request_id.as_deref()),
        error: e.outcome.as_ref().and_then(|o| o.error.as_deref()),
        source: tag,
        now,
    }
}
