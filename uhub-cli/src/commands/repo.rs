//! `uhub repo list|create|update|delete`.

use anyhow::Context as _;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

use crate::cli::RepoCommand;
use crate::confirm::confirm;
use crate::context::Ctx;
use crate::exit::{self, Status};
use crate::listing::{self, Kind};
use crate::output::Row;
use crate::time;

pub async fn run(ctx: &Ctx, command: RepoCommand) -> anyhow::Result<Status> {
    match command {
        RepoCommand::List => list(ctx).await,
        RepoCommand::Create { name, public, description } => create(ctx, &name, public, description).await,
        RepoCommand::Update { name, public, private, description } => {
            let shared = if public {
                Some(true)
            } else if private {
                Some(false)
            } else {
                None
            };
            update(ctx, &name, shared, description).await
        }
        RepoCommand::Delete { name, force } => delete(ctx, &name, force).await,
    }
}

#[derive(Serialize)]
struct RepoRow {
    name: String,
    kind: &'static str,
    description: String,
    /// Whether it can be reached from the public internet.
    internet_access: bool,
    created: Option<String>,
    updated: Option<String>,
    #[serde(skip)]
    updated_at: Option<Timestamp>,
    #[serde(skip)]
    now: Timestamp,
}

impl Row for RepoRow {
    fn headers() -> &'static [&'static str] {
        &["NAME", "KIND", "UPDATED", "DESCRIPTION"]
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.kind.to_owned(),
            time::relative_or_dash(self.updated_at, self.now),
            self.description.clone(),
        ]
    }

    fn name(&self) -> String {
        self.name.clone()
    }
}

async fn list(ctx: &Ctx) -> anyhow::Result<Status> {
    let now = ctx.now();
    let rows: Vec<RepoRow> = listing::repos(&ctx.client, ctx.concurrency)
        .await?
        .into_iter()
        .map(|(r, kind)| RepoRow {
            kind: kind.as_str(),
            internet_access: r.is_out_side,
            created: time::instant(&r.create_time).map(time::rfc3339),
            updated_at: time::repo_updated(&r),
            updated: time::repo_updated(&r).map(time::rfc3339),
            description: r.description,
            name: r.repo_name,
            now,
        })
        .collect();
    ctx.out.list(&rows)?;
    Ok(Status::Ok)
}

async fn create(ctx: &Ctx, name: &str, public: bool, description: Option<String>) -> anyhow::Result<Status> {
    let mut call = ctx.client.create_repo(name).is_shared(public);
    if let Some(text) = &description {
        call = call.description(text);
    }
    call.await.with_context(|| format!("creating repository {name}"))?;
    let kind = if public { Kind::Public } else { Kind::Private };
    let value = json!({ "repo": name, "kind": kind.as_str(), "description": description, "created": true });
    ctx.out.object(&value, &format!("created {} repository {name}", kind.as_str()), Some(name))?;
    Ok(Status::Ok)
}

async fn update(ctx: &Ctx, name: &str, shared: Option<bool>, description: Option<String>) -> anyhow::Result<Status> {
    if shared.is_none() && description.is_none() {
        return Err(exit::usage(format!(
            "nothing to change: add --public, --private or --description TEXT, e.g. uhub repo update {name} --private"
        )));
    }
    let mut call = ctx.client.update_repo(name);
    if let Some(s) = shared {
        call = call.is_shared(s);
    }
    if let Some(text) = &description {
        call = call.description(text);
    }
    call.await.with_context(|| format!("updating repository {name}"))?;
    let kind = shared.map(|s| if s { "public" } else { "private" });
    let value = json!({ "repo": name, "kind": kind, "description": description, "updated": true });
    ctx.out.object(&value, &format!("updated repository {name}"), Some(name))?;
    Ok(Status::Ok)
}

/// Only empty repositories can be deleted; `--force` deletes the images first, after a
/// confirmation that lists them.
async fn delete(ctx: &Ctx, name: &str, force: bool) -> anyhow::Result<Status> {
    let images = listing::images(&ctx.client, name, ctx.concurrency).await?;
    let names: Vec<String> = images.iter().map(|i| format!("{name}/{}", i.image_name)).collect();
    if !images.is_empty() && !force {
        anyhow::bail!(
            "repository {name} holds {} image(s) ({}); delete them first, or run `uhub repo delete {name} --force` \
             to delete them with the repository",
            images.len(),
            names.join(", ")
        );
    }
    let question = match images.len() {
        0 => format!("delete the empty repository {name}"),
        n => format!("delete repository {name} and its {n} image(s) with every tag"),
    };
    confirm(ctx.yes, &question, &names)?;
    for image in &images {
        ctx.client
            .delete_repo_image(name, &image.image_name)
            .await
            .with_context(|| format!("deleting image {name}/{}", image.image_name))?;
    }
    ctx.client.delete_repo(name).await.with_context(|| format!("deleting repository {name}"))?;
    let value = json!({ "repo": name, "deleted": true, "images_deleted": names });
    ctx.out.object(
        &value,
        &format!("deleted repository {name} ({} image(s) deleted first)", images.len()),
        Some(name),
    )?;
    Ok(Status::Ok)
}
