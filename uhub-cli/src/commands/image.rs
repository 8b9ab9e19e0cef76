//! `uhub image list|delete`.

use std::path::Path;

use anyhow::Context as _;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

use crate::cli::{ImageCommand, ImageSort};
use crate::context::Ctx;
use crate::exit::{self, Status};
use crate::input::refs::ImageRef;
use crate::interrupt;
use crate::listing;
use crate::retention::audit::AuditLog;
use crate::tag::Tag;
use crate::terminal::confirm::{self, Ask, confirm};
use crate::terminal::output::Row;
use crate::time;

pub async fn run(ctx: &Ctx, command: ImageCommand) -> anyhow::Result<Status> {
    match command {
        ImageCommand::List { repo, sort, never_pulled } => list(ctx, &repo, sort, never_pulled).await,
        ImageCommand::Delete { image, all_tags, audit_log } => {
            delete(ctx, &image, all_tags, audit_log.as_deref()).await
        }
    }
}

#[derive(Serialize)]
struct ImageRow {
    repo: String,
    image: String,
    pulls: i64,
    latest_tag: String,
    created: Option<String>,
    updated: Option<String>,
    #[serde(skip)]
    updated_at: Option<Timestamp>,
    #[serde(skip)]
    now: Timestamp,
}

impl Row for ImageRow {
    fn headers() -> &'static [&'static str] {
        &["IMAGE", "PULLS", "LATEST TAG", "UPDATED"]
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.image.clone(),
            self.pulls.to_string(),
            self.latest_tag.clone(),
            time::relative_or_dash(self.updated_at, self.now),
        ]
    }

    fn name(&self) -> String {
        format!("{}/{}", self.repo, self.image)
    }
}

async fn list(ctx: &Ctx, repo: &str, sort: ImageSort, never_pulled: bool) -> anyhow::Result<Status> {
    let now = ctx.now();
    let mut rows: Vec<ImageRow> = listing::images(&ctx.client, repo, ctx.concurrency)
        .await?
        .into_iter()
        .filter(|i| !never_pulled || i.pull_count == 0)
        .map(|i| ImageRow {
            repo: repo.to_owned(),
            pulls: i.pull_count,
            created: time::instant(&i.create_time).map(time::rfc3339),
            updated_at: time::image_updated(&i),
            updated: time::image_updated(&i).map(time::rfc3339),
            latest_tag: i.latest_tag,
            image: i.image_name,
            now,
        })
        .collect();
    match sort {
        ImageSort::Name => rows.sort_by(|a, b| a.image.cmp(&b.image)),
        ImageSort::Pulls => rows.sort_by(|a, b| b.pulls.cmp(&a.pulls).then_with(|| a.image.cmp(&b.image))),
        // Newest first; images whose time cannot be read go last.
        ImageSort::Updated => rows.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then_with(|| a.image.cmp(&b.image))),
    }
    ctx.out.list(&rows)?;
    Ok(Status::Ok)
}

/// The API deletes every tag of an image when no tag is named: `--all-tags` says that is meant.
/// The image is looked at before the prompt and again right before deleting; when its tags
/// changed meanwhile (a push), nothing is deleted and the status is 6.
async fn delete(ctx: &Ctx, image: &ImageRef, all_tags: bool, audit_log: Option<&Path>) -> anyhow::Result<Status> {
    if !all_tags {
        return Err(exit::usage(format!(
            "deleting {image} deletes every one of its tags: add --all-tags to mean that \
             (uhub image delete {image} --all-tags), or delete single tags with uhub tag delete {image}:TAG"
        )));
    }
    confirm::can_ask(ctx.yes, &format!("delete image {image}"))?;
    let audit = AuditLog::open(audit_log, "image delete").await?;
    let before = snapshot(ctx, image).await?;
    let count = before.0;
    let ask = Ask {
        question: format!("delete image {image} with all {count} of its tags"),
        items: &[image.to_string()],
        type_to_confirm: (count > confirm::TYPE_NAME_OVER as i64).then(|| image.to_string()),
    };
    confirm(ctx.yes, ask).await?;
    let _deleting = interrupt::Deleting::start();
    let reference = image.to_string();
    if snapshot(ctx, image).await? != before {
        audit.record_whole("delete_image", &reference, "changed", None, None).await;
        let value = json!({ "repo": image.repo, "image": image.image, "deleted": false, "result": "changed",
                            "dry_run": false });
        ctx.out.object(&value, &format!("{image} changed since it was shown (a push?); nothing was deleted"), None)?;
        return Ok(Status::ChangedSincePlan);
    }
    // The record first: an intent that cannot be written means no request.
    audit.intent("delete_image", &reference, None, None, None).await?;
    let deleted = ctx.client.delete_repo_image(&image.repo, &image.image).await;
    let request_id = match &deleted {
        Ok(r) => r.request_id().map(str::to_owned),
        Err(e) => e.request_id().map(str::to_owned),
    };
    let error = deleted.as_ref().err().map(ToString::to_string);
    let result = if deleted.is_ok() { "deleted" } else { "failed" };
    audit.record_whole("delete_image", &reference, result, request_id.as_deref(), error.as_deref()).await;
    deleted.with_context(|| format!("deleting image {image}"))?;
    if let Some(error) = audit.failure() {
        return Err(
            error.context(format!("image {image} was deleted (request id {})", request_id.as_deref().unwrap_or("-")))
        );
    }
    let value = json!({ "repo": image.repo, "image": image.image, "deleted": true, "result": "deleted",
                        "tags_deleted": count, "request_id": request_id, "dry_run": false });
    let human =
        format!("deleted image {image} and its {count} tag(s) (request id {})", request_id.as_deref().unwrap_or("-"));
    ctx.out.object(&value, &human, Some(&reference))?;
    Ok(Status::Ok)
}

/// An image's tag count and newest tag: what must be the same right before deleting it.
async fn snapshot(ctx: &Ctx, image: &ImageRef) -> anyhow::Result<(i64, Option<Tag>)> {
    let page = ctx
        .client
        .get_image_tag(&image.repo, &image.image)
        .limit(1)
        .await
        .with_context(|| format!("looking up {image}"))?;
    Ok((page.total_count, page.tag_set.first().map(Tag::from_set)))
}
