//! `uhub digest REPO/IMAGE:TAG [--ref]`.

use anyhow::Context as _;
use serde_json::json;

use crate::cli::DigestArgs;
use crate::context::Ctx;
use crate::exit::{self, Status};

pub async fn run(ctx: &Ctx, args: DigestArgs) -> anyhow::Result<Status> {
    let target = &ctx.tag_ref(&args.tag)?;
    let response = ctx
        .client
        .get_image_tag(&target.image.repo, &target.image.image)
        .tag_name(&target.tag)
        .await
        .with_context(|| format!("looking up {target}"))?;
    let Some(found) = response.tag_set.iter().find(|t| t.tag_name == target.tag) else {
        anyhow::bail!("{target} does not exist (see `uhub tag list {}`)", target.image);
    };
    let Some(digest) = found.digest.as_deref().filter(|d| !d.is_empty()) else {
        anyhow::bail!("the service sent no digest for {target}");
    };
    if let Some(pinned) = target.digest.as_deref().filter(|&pinned| pinned != digest) {
        anyhow::bail!(
            "{}:{} now has the digest {digest}, not the {pinned} the reference pins",
            target.image,
            target.tag
        );
    }
    let reference = match args.reference {
        true => Some(format!("{}/{}@{digest}", ctx.registry_host().map_err(exit::usage)?, target.image)),
        false => None,
    };
    let shown = reference.as_deref().unwrap_or(digest);
    let value = json!({
        "repo": target.image.repo,
        "image": target.image.image,
        "tag": target.tag,
        "digest": digest,
        "reference": reference,
    });
    ctx.out.object(&value, shown, Some(shown))?;
    Ok(Status::Ok)
}
