//! `uhub image list|delete`.

use anyhow::Context as _;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

use crate::cli::{ImageCommand, ImageSort};
use crate::confirm::confirm;
use crate::context::Ctx;
use crate::exit::{self, Status};
use crate::listing;
use crate::output::Row;
use crate::refs::ImageRef;
use crate::time;

pub async fn run(ctx: &Ctx, command: ImageCommand) -> anyhow::Result<Status> {
    match command {
        ImageCommand::List { repo, sort, never_pulled } => list(ctx, &repo, sort, never_pulled).await,
        ImageCommand::Delete { image, all_tags } => delete(ctx, &image, all_tags).await,
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
async fn delete(ctx: &Ctx, image: &ImageRef, all_tags: bool) -> anyhow::Result<Status> {
    if !all_tags {
        return Err(exit::usage(format!(
            "deleting {image} deletes every one of its tags: add --all-tags to mean that \
             (uhub image delete {image} --all-tags), or delete single tags with uhub tag delete {image}:TAG"
        )));
    }
    let count = ctx
        .client
        .get_image_tag(&image.repo, &image.image)
        .limit(1)
        .await
        .with_context(|| format!("looking up {image}"))?
        .total_count;
    confirm(ctx.yes, &format!("delete image {image} with all {count} of its tags"), &[image.to_string()])?;
    ctx.client.delete_repo_image(&image.repo, &image.image).await.with_context(|| format!("deleting image {image}"))?;
    let value = json!({ "repo": image.repo, "image": image.image, "deleted": true, "tags_deleted": count });
    ctx.out.object(&value, &format!("deleted image {image} and its {count} tag(s)"), Some(&image.to_string()))?;
    Ok(Status::Ok)
}
