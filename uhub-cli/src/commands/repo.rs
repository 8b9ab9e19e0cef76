//! `uhub repo list|create|update|delete`.

use anyhow::Context as _;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

use crate::cli::RepoCommand;
use crate::context::Ctx;
use crate::exit::{self, Status};
use crate::interrupt;
use crate::listing::{self, Kind};
use crate::retention::audit::AuditLog;
use crate::terminal::confirm::{self, Ask, confirm};
use crate::terminal::output::Row;
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
        RepoCommand::Delete { name, force, audit_log } => delete(ctx, &name, force, audit_log.as_deref()).await,
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
/// confirmation that lists them and asks for the repository's name to be typed. The images are
/// listed again right before deleting: when they changed, nothing is deleted (status 6).
async fn delete(ctx: &Ctx, name: &str, force: bool, audit_log: Option<&std::path::Path>) -> anyhow::Result<Status> {
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
    confirm::can_ask(ctx.yes, &question)?;
    let audit = AuditLog::open(audit_log, "repo delete").await?;
    confirm(ctx.yes, Ask { question, items: &names, type_to_confirm: Some(name.to_owned()) }).await?;
    let _deleting = interrupt::Deleting::start();
    let again: Vec<String> = listing::images(&ctx.client, name, ctx.concurrency)
        .await?
        .iter()
        .map(|i| format!("{name}/{}", i.image_name))
        .collect();
    if again != names {
        audit.record_whole("delete_repo", name, "changed", None, None).await;
        let value =
            json!({ "repo": name, "deleted": false, "result": "changed", "images_deleted": [], "dry_run": false });
        ctx.out.object(
            &value,
            &format!("the images of {name} changed since they were shown; nothing was deleted"),
            None,
        )?;
        return Ok(Status::ChangedSincePlan);
    }
    let mut deleted = Vec::new();
    for (image, reference) in images.iter().zip(&names) {
        if let Some(reason) = interrupt::reason() {
            let value = json!({ "repo": name, "deleted": false, "images_deleted": deleted, "dry_run": false });
            ctx.out.object(&value, &format!("stopped after deleting {} image(s) of {name}", deleted.len()), None)?;
            return Err(reason.error(&format!(
                "{} of {} image(s) deleted, the repository kept",
                deleted.len(),
                names.len()
            )));
        }
        // The record first: an intent that cannot be written means no request (nor any after).
        audit.intent("delete_image", reference, None, None, None).await.with_context(|| stopped_after(&deleted))?;
        let result = ctx.client.delete_repo_image(name, &image.image_name).await;
        let id = result.as_ref().map_or_else(|e| e.request_id(), |r| r.request_id());
        record(&audit, "delete_image", reference, id, result.as_ref().err()).await;
        result.with_context(|| format!("deleting image {reference}"))?;
        deleted.push(reference.clone());
    }
    audit.intent("delete_repo", name, None, None, None).await.with_context(|| stopped_after(&deleted))?;
    let result = ctx.client.delete_repo(name).await;
    let id = result.as_ref().map_or_else(|e| e.request_id(), |r| r.request_id());
    record(&audit, "delete_repo", name, id, result.as_ref().err()).await;
    let request_id = result.with_context(|| format!("deleting repository {name}"))?.request_id().map(str::to_owned);
    let value = json!({ "repo": name, "deleted": true, "images_deleted": names, "request_id": request_id,
                        "dry_run": false });
    ctx.out.object(
        &value,
        &format!(
            "deleted repository {name} ({} image(s) deleted first; request id {})",
            images.len(),
            request_id.as_deref().unwrap_or("-")
        ),
        Some(name),
    )?;
    Ok(Status::Ok)
}

async fn record(
    audit: &AuditLog,
    action: &str,
    reference: &str,
    request_id: Option<&str>,
    error: Option<&uhub_sdk::Error>,
) {
    let result = if error.is_some() { "failed" } else { "deleted" };
    audit.record_whole(action, reference, result, request_id, error.map(ToString::to_string).as_deref()).await;
}

/// What a run stopped by its audit log had deleted, for the error's context.
fn stopped_after(deleted: &[String]) -> String {
    match deleted {
        [] => "nothing was deleted".to_owned(),
        done => format!("stopped after deleting {} image(s): {}; the repository kept", done.len(), done.join(", ")),
    }
}
