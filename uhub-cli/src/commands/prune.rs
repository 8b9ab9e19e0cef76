//! `uhub prune`: plan which tags to delete by rules, print the plan, and with `--apply` carry it
//! out, each tag re-checked against the plan right before it is deleted. The plan is computed
//! the same way on every run, so after a partial failure running the command again deletes what
//! is left; `--plan-out` saves it and `--plan-in` applies a saved one exactly.

use std::collections::HashMap;

use futures::{StreamExt, TryStreamExt};
use jiff::Timestamp;
use serde::Serialize;

use crate::cli::{Format, PruneArgs};
use crate::context::Ctx;
use crate::exit::{self, Status};
use crate::input::refs::{ImageRef, TagRef, Target};
use crate::listing;
use crate::registry::facts::{Facts, Wanted};
use crate::retention::audit::AuditLog;
use crate::retention::delete::{Deletion, Doomed, Outcome, Tally, delete_tags};
use crate::retention::plan_file::{self, Allow, Place};
use crate::retention::policy::Policy;
use crate::retention::rules::{self, AccessoryOf, Action, Decision, Rules};
use crate::tag::{Tag, pushed_cell, short_digest};
use crate::terminal::confirm::{self, Ask, confirm};
use crate::terminal::output::{self, Row};
use crate::terminal::progress::Progress;

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

    /// How a rule is named to the user: the flag, or the policy file's key.
    fn name(&self, key: &str) -> String {
        match self {
            Source::Flags(_) => format!("--{}", key.replace('_', "-")),
            Source::Policy(_) => format!("the policy's {key}"),
        }
    }
}

pub async fn run(ctx: &Ctx, args: PruneArgs) -> anyhow::Result<Status> {
    let now = ctx.now();
    let (entries, images, max_delete) = match &args.plan_in {
        Some(path) => {
            if !args.targets.is_empty() {
                return Err(exit::usage("--plan-in applies the saved plan as it is: name no REPO with it"));
            }
            // Bound to where it was made, unedited, its names checked, and no bolder than a
            // fresh plan with the same flags.
            let plan = plan_file::read(path, &Place::of(ctx)).await?;
            let allow = Allow { latest: args.no_keep_latest, newest: args.dangerously_delete_newest };
            plan_file::check_guards(path, &plan, allow)?;
            let entries: Vec<Entry> =
                plan.into_iter().map(|(image, decision)| Entry { image, decision, outcome: None }).collect();
            let images = entries.iter().map(|e| &e.image).collect::<std::collections::HashSet<_>>().len();
            (entries, images, args.max_delete)
        }
        None => {
            let source = source(&args)?;
            let max_delete = args.max_delete.or(match &source {
                Source::Policy(p) => p.max_delete,
                Source::Flags(_) => None,
            });
            let images = images(ctx, &args.targets).await?;
            if let (Source::Policy(policy), true) = (&source, args.targets.is_empty()) {
                policy.warn_unmatched(&images);
            }
            // Connected before any listing, so a missing registry login fails first.
            let indexes = if args.check_indexes { Some(Facts::connect(ctx, "--check-indexes")?) } else { None };
            (plan_all(ctx, &source, &images, now, indexes.as_ref()).await?, images.len(), max_delete)
        }
    };
    let planned = entries.iter().filter(|e| e.decision.action == Action::Delete).count();
    if let Some(path) = &args.plan_out {
        // Whole and on disk before anything is deleted: a plan that cannot be saved stops here.
        plan_file::write(path, &Place::of(ctx), entries.iter().map(|e| (&e.image, &e.decision))).await?;
        output::note(&format!("plan written to {} (apply it with --plan-in {0} --apply)", path.display()));
    }

    if let Some(max) = max_delete.filter(|&max| planned > max) {
        print(ctx, &entries, true, now)?;
        return Err(exit::too_many_deletions(format!(
            "the plan deletes {planned} tags, more than --max-delete {max} allows; nothing was deleted \
             (narrow the rules, or raise --max-delete after checking the plan)"
        )));
    }
    if !args.apply || planned == 0 {
        print(ctx, &entries, !args.apply, now)?;
        if ctx.out.for_people() {
            let what = if args.apply { "nothing to delete" } else { "dry run: add --apply to delete them" };
            output::note(&format!("plan: delete {planned} of {} tag(s) in {images} image(s); {what}", entries.len()));
        }
        return Ok(Status::Ok);
    }
    let audit = AuditLog::open(args.audit_log.as_deref(), "prune").await?;
    let status = apply(ctx, entries, planned, now, &audit).await?;
    match audit.failure() {
        Some(error) => Err(error),
        None => Ok(status),
    }
}

fn source(args: &PruneArgs) -> anyhow::Result<Source> {
    if let Some(path) = &args.policy {
        return Ok(Source::Policy(Policy::load(path)?));
    }
    if args.targets.is_empty() {
        return Err(exit::usage(
            "name what to prune, e.g. uhub prune web/nginx --keep-last 10 (or use --policy FILE to prune every \
             repository, or --plan-in FILE to apply a saved plan)",
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
        delete_newest: args.dangerously_delete_newest,
        platform_of: Default::default(),
    };
    if let Some(zero) = rules.zero_values().first() {
        return Err(exit::usage(zero_value_message(&format!("--{}", zero.replace('_', "-")), zero)));
    }
    if !rules.limit_deletions() {
        return Err(exit::usage(
            "prune needs a rule that limits what it deletes: --keep-last N, --older-than AGE or --match RE \
             (or --policy FILE)",
        ));
    }
    Ok(Source::Flags(rules))
}

/// Why a rule's zero or empty value is refused, and what to give instead.
fn zero_value_message(named: &str, key: &str) -> String {
    match key {
        "keep_last" => format!("{named} 0 keeps nothing, so every tag would be deleted: give 1 or more"),
        "older_than" => format!("{named} 0 selects every tag, however new: give an age such as 30d or 12h"),
        _ => format!("{named} '' matches every tag: give a pattern, e.g. '^pr-'"),
    }
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
async fn plan_all(
    ctx: &Ctx,
    source: &Source,
    images: &[ImageRef],
    now: Timestamp,
    indexes: Option<&Facts>,
) -> anyhow::Result<Vec<Entry>> {
    let ruled: Vec<(&ImageRef, &Rules)> = images.iter().filter_map(|i| source.rules_for(i).map(|r| (i, r))).collect();
    for skipped in images.iter().filter(|i| source.rules_for(i).is_none()) {
        output::note(&format!("{skipped}: no policy rule matches; left alone"));
    }
    // Before any listing: a rule that selects every tag is refused whatever the tags are.
    for (image, rules) in &ruled {
        if let Some(zero) = rules.zero_values().first() {
            return Err(exit::usage(format!("{image}: {}", zero_value_message(&source.name(zero), zero))));
        }
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
        if let Some(re) =
            rules.matching.as_ref().filter(|re| tags.len() > 1 && tags.iter().all(|t| re.is_match(&t.name)))
        {
            output::note(&format!(
                "uhub: warning: {} {re} matches every tag of {image}; only the other rules limit what is deleted",
                source.name("match")
            ));
        }
        let mut decisions = rules::plan(&tags, rules, now);
        if let Some(facts) = indexes {
            decisions = keep_platforms_of_kept_indexes(ctx, facts, image, &tags, rules, now, decisions).await?;
        }
        note_orphans(image, &decisions);
        entries.extend(decisions.into_iter().map(|decision| Entry { image: image.clone(), decision, outcome: None }));
    }
    Ok(entries)
}

/// `decisions` planned again with every doomed tag that names a platform's manifest inside a
/// kept index kept (`--check-indexes`): the registry says which manifests each kept tag's index
/// lists, and which manifest each doomed tag names. A tag the registry lacks protects nothing
/// and is not protected. One pass is enough: a platform's manifest lists no manifests.
async fn keep_platforms_of_kept_indexes(
    ctx: &Ctx,
    facts: &Facts,
    image: &ImageRef,
    tags: &[Tag],
    rules: &Rules,
    now: Timestamp,
    decisions: Vec<Decision>,
) -> anyhow::Result<Vec<Decision>> {
    if !decisions.iter().any(|d| d.action == Action::Delete) {
        return Ok(decisions);
    }
    let wanted: Vec<Wanted> = decisions.iter().map(|d| Wanted { image, tag: &d.tag }).collect();
    let progress = ctx.progress(format!("reading {image}'s manifests"), "tags");
    let read = facts.read(&wanted, ctx.concurrency, &progress).await?;
    progress.finish();
    let mut listed_by: HashMap<&str, &str> = HashMap::new();
    for (d, f) in decisions.iter().zip(&read) {
        if let (Action::Keep, Some(f)) = (d.action, f) {
            for child in &f.children {
                listed_by.entry(child.as_str()).or_insert(d.tag.name.as_str());
            }
        }
    }
    let platform_of: HashMap<String, String> = decisions
        .iter()
        .zip(&read)
        .filter(|(d, _)| d.action == Action::Delete)
        .filter_map(|(d, f)| {
            let index = listed_by.get(f.as_ref()?.digest.as_str())?;
            Some((d.tag.name.clone(), format!("{image}:{index}")))
        })
        .collect();
    if platform_of.is_empty() {
        return Ok(decisions);
    }
    Ok(rules::plan(tags, &Rules { platform_of, ..rules.clone() }, now))
}

/// Names the accessories of `image` whose subject no tag has: left alone, but worth a look.
fn note_orphans(image: &ImageRef, decisions: &[Decision]) {
    let orphans: Vec<&str> = decisions
        .iter()
        .filter(|d| d.accessory_of.as_ref().is_some_and(|a| a.tags.is_empty()))
        .map(|d| d.tag.name.as_str())
        .collect();
    if let Some(first) = orphans.first() {
        let more = if orphans.len() > 1 { format!(" and {} more", orphans.len() - 1) } else { String::new() };
        output::note(&format!(
            "{image}: {} orphaned accessory tag(s) left alone (no tag has the digest they were made for): {first}{more}",
            orphans.len()
        ));
    }
}

async fn apply(
    ctx: &Ctx,
    mut entries: Vec<Entry>,
    planned: usize,
    now: Timestamp,
    audit: &AuditLog,
) -> anyhow::Result<Status> {
    if ctx.out.for_people() {
        print(ctx, &entries, true, now)?;
    }
    let doomed: Vec<Doomed> = entries
        .iter()
        .filter(|e| e.decision.action == Action::Delete)
        .map(|e| Doomed {
            tag: TagRef { image: e.image.clone(), tag: e.decision.tag.name.clone(), digest: None },
            planned: e.decision.tag.clone(),
            reason: Some(e.decision.reason.clone()),
        })
        .collect();
    // What and why, on the terminal even when stdout is piped.
    let items: Vec<String> = doomed
        .iter()
        .map(|d| {
            format!("{}  {}  ({})", d.tag, short_digest(d.planned.digest.as_deref()), d.reason.as_deref().unwrap_or(""))
        })
        .collect();
    let images = doomed.iter().map(|t| &t.tag.image).collect::<std::collections::HashSet<_>>().len();
    let repos: std::collections::BTreeSet<&str> = doomed.iter().map(|d| d.tag.image.repo.as_str()).collect();
    let type_to_confirm = (planned > confirm::TYPE_NAME_OVER).then(|| match repos.iter().next() {
        Some(repo) if repos.len() == 1 => (*repo).to_owned(),
        _ => planned.to_string(),
    });
    let question = format!("delete {planned} tag(s) from {images} image(s)");
    confirm(ctx.yes, Ask { question, items: &items, type_to_confirm }).await?;
    let progress: Progress = ctx.progress("deleting", "tags");
    progress.set_total(doomed.len() as u64);
    let subjects = doomed_subjects(&entries, &doomed);
    let outcomes = delete_in_rounds(ctx, &doomed, &subjects, &progress, audit).await;
    progress.finish();
    let tally = Tally::of(&outcomes);
    let mut by_tag: HashMap<String, Outcome> = outcomes.into_iter().map(|o| (o.name(), o)).collect();
    for e in &mut entries {
        e.outcome = by_tag.remove(&format!("{}:{}", e.image, e.decision.tag.name));
    }
    if ctx.out.for_people() {
        let done: Vec<&Outcome> = entries.iter().filter_map(|e| e.outcome.as_ref()).collect();
        output::emit(&output::table(Outcome::headers(), done.iter().map(|o| o.cells())))?;
        output::emit(&format!("{} of {planned} planned deletion(s)\n", tally.line()))?;
    } else {
        print(ctx, &entries, false, now)?;
    }
    let status = tally.status();
    match status {
        Status::PartialFailure => output::note(&format!(
            "{} deletion(s) failed; run the same command again to finish the job (it plans afresh)",
            tally.failed + tally.unknown
        )),
        Status::ChangedSincePlan => output::note(&format!(
            "{} tag(s) changed since the plan and were left alone (exit status 6); run the command again to plan \
             afresh",
            tally.changed
        )),
        Status::Interrupted | Status::TimedOut => output::note(&format!(
            "stopped: {} deletion(s) not started; the report lists what was done; running the same command again \
             continues the job",
            tally.not_started
        )),
        _ => {}
    }
    Ok(status)
}

/// For each doomed tag, the doomed tags it is an accessory of (indices into `doomed`).
fn doomed_subjects(entries: &[Entry], doomed: &[Doomed]) -> Vec<Vec<usize>> {
    let index: HashMap<(&ImageRef, &str), usize> =
        doomed.iter().enumerate().map(|(i, d)| ((&d.tag.image, d.tag.tag.as_str()), i)).collect();
    entries
        .iter()
        .filter(|e| e.decision.action == Action::Delete)
        .map(|e| match &e.decision.accessory_of {
            Some(of) => of.tags.iter().filter_map(|t| index.get(&(&e.image, t.as_str())).copied()).collect(),
            None => Vec::new(),
        })
        .collect()
}

/// Deletes `doomed` in rounds: a tag once every tag it is an accessory of (`subjects`) is
/// deleted, so ordinary tags go first, then their signatures, then signatures of those. When
/// a subject's deletion did not happen (failed, changed since the plan, not started), its
/// accessories stay with it (reported `not_started`): a signature is never taken from an image
/// that is still there.
async fn delete_in_rounds(
    ctx: &Ctx,
    doomed: &[Doomed],
    subjects: &[Vec<usize>],
    progress: &Progress,
    audit: &AuditLog,
) -> Vec<Outcome> {
    // A stop between rounds must still wait for the report, as within one.
    let _deleting = crate::interrupt::Deleting::start();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; doomed.len()];
    while outcomes.iter().any(Option::is_none) {
        let mut ready = Vec::new();
        let mut settled = false;
        for i in 0..doomed.len() {
            if outcomes[i].is_some() || subjects[i].iter().any(|&s| outcomes[s].is_none()) {
                continue;
            }
            let kept: Vec<String> = subjects[i]
                .iter()
                .filter_map(|&s| {
                    outcomes[s].as_ref().filter(|o| !matches!(o.result, Deletion::Deleted | Deletion::Gone))
                })
                .map(|o| format!("{} ({})", o.tag, o.result.as_str()))
                .collect();
            if kept.is_empty() {
                ready.push(i);
            } else {
                let why = format!("left alone: the tag it belongs to was not deleted: {}", kept.join(", "));
                outcomes[i] = Some(left_alone(&doomed[i], why, progress, audit).await);
                settled = true;
            }
        }
        if ready.is_empty() && !settled {
            // What is left waits on itself (accessories naming each other): never deleted.
            for (i, outcome) in outcomes.iter_mut().enumerate().filter(|(_, o)| o.is_none()) {
                let why = "left alone: its subjects are accessories of each other".to_owned();
                *outcome = Some(left_alone(&doomed[i], why, progress, audit).await);
            }
        }
        let batch: Vec<Doomed> = ready.iter().map(|&i| doomed[i].clone()).collect();
        let done = delete_tags(&ctx.client, &batch, ctx.concurrency, progress, audit).await;
        for (i, outcome) in ready.into_iter().zip(done) {
            outcomes[i] = Some(outcome);
        }
    }
    outcomes.into_iter().flatten().collect()
}

async fn left_alone(d: &Doomed, why: String, progress: &Progress, audit: &AuditLog) -> Outcome {
    let outcome = crate::retention::delete::not_started(d, why);
    outcome.audit(audit, d.reason.as_deref()).await;
    progress.advance(1);
    outcome
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
    /// Once applied: `deleted`, `failed`, `changed`, `gone`, `not_started` or `unknown`;
    /// absent in a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<Deletion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    /// For an accessory tag: its kind, its subject's digest and the tags with that digest
    /// (none for an orphan).
    #[serde(skip_serializing_if = "Option::is_none")]
    accessory_of: Option<&'a AccessoryOf>,
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
        // An accessory sits under its subject, its name cut like a digest (JSON and -q have it whole).
        let tag = match self.accessory_of {
            Some(_) => format!("↳ {}", short_accessory(self.tag)),
            None => self.tag.to_owned(),
        };
        vec![
            format!("{}/{}", self.repo, self.image),
            tag,
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

/// `sha256-` and 12 hex digits, then the suffix: `sha256-0123456789ab….sig`.
fn short_accessory(name: &str) -> String {
    match (name.get(..19), name.rsplit_once('.')) {
        (Some(head), Some((_, suffix))) => format!("{head}….{suffix}"),
        _ => name.to_owned(),
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
    changed: usize,
    gone: usize,
    not_started: usize,
    unknown: usize,
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
        deleted: count(&|r| r.result == Some(Deletion::Deleted)),
        failed: count(&|r| r.result == Some(Deletion::Failed)),
        changed: count(&|r| r.result == Some(Deletion::Changed)),
        gone: count(&|r| r.result == Some(Deletion::Gone)),
        not_started: count(&|r| r.result == Some(Deletion::NotStarted)),
        unknown: count(&|r| r.result == Some(Deletion::Unknown)),
    };
    if ctx.out.quiet {
        // Names of what the plan deletes (dry run) or what was deleted.
        let wanted =
            |r: &&ReportTag| if dry_run { r.action == Action::Delete } else { r.result == Some(Deletion::Deleted) };
        let names: String = rows.iter().filter(wanted).map(|r| r.name() + "\n").collect();
        return output::emit(&names);
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
        note: e.outcome.as_ref().and_then(|o| o.note.as_deref()),
        accessory_of: e.decision.accessory_of.as_ref(),
        source: tag,
        now,
    }
}
