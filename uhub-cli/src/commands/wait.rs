//! `uhub wait REPO/IMAGE:TAG`: poll until a pushed tag is listed (for CI).

use std::time::{Duration, Instant};

use serde_json::json;
use uhub_sdk::ErrorKind;

use crate::cli::WaitArgs;
use crate::context::Ctx;
use crate::exit::{self, Status};
use crate::input::refs::TagRef;
use crate::tag::Tag;
use crate::terminal::output;

pub async fn run(ctx: &Ctx, args: WaitArgs, limit: Duration) -> anyhow::Result<Status> {
    let target = &ctx.tag_ref(&args.tag)?;
    let started = Instant::now();
    if ctx.out.for_people() {
        output::note(&format!("waiting for {target} ({})", shown(limit)));
    }
    let mut last = "not listed yet".to_owned();
    loop {
        let remaining = limit.saturating_sub(started.elapsed());
        if remaining.is_zero() {
            return Err(exit::timed_out(format!(
                "{target} did not appear within {} (last answer: {last})",
                crate::time::format_duration(limit)
            )));
        }
        let look = ctx.client.get_image_tag(&target.image.repo, &target.image.image).tag_name(&target.tag).send();
        match tokio::time::timeout(remaining, look).await {
            Err(_) => last = "the last request ran out of time".to_owned(),
            Ok(Ok(response)) => {
                match response.tag_set.iter().find(|t| t.tag_name == target.tag).map(Tag::from_set) {
                    // A pinned digest: the tag is there once it names that image.
                    Some(found) if target.digest.is_none() || found.digest == target.digest => {
                        return found_it(ctx, target, &found, started.elapsed());
                    }
                    Some(found) => {
                        last = format!(
                            "listed with {}, not the pinned digest",
                            found.digest.as_deref().unwrap_or("no digest")
                        );
                    }
                    None => last = "not listed yet".to_owned(),
                }
            }
            Ok(Err(e)) if keeps_waiting(&e) => last = e.to_string(),
            Ok(Err(e)) => return Err(anyhow::Error::new(e).context(format!("looking for {target}"))),
        }
        tokio::time::sleep(args.interval.min(limit.saturating_sub(started.elapsed()))).await;
    }
}

/// "up to 10m", or "no time limit" for `--timeout 0`.
fn shown(limit: Duration) -> String {
    match limit {
        Duration::MAX => "no time limit".to_owned(),
        limit => format!("up to {}", crate::time::format_duration(limit)),
    }
}

/// Whether an error can mean "not pushed yet" (a missing repository or image, a passing
/// outage) rather than a mistake that waiting will not fix (keys, signature, parameters).
fn keeps_waiting(e: &uhub_sdk::Error) -> bool {
    match e.kind() {
        ErrorKind::Api { code, .. } => !matches!(code, 160..=179 | 230),
        ErrorKind::HttpStatus { .. } | ErrorKind::Transport { .. } => e.is_retryable(),
        _ => false,
    }
}

fn found_it(ctx: &Ctx, target: &TagRef, tag: &Tag, waited: Duration) -> anyhow::Result<Status> {
    let value = json!({
        "repo": target.image.repo,
        "image": target.image.image,
        "tag": target.tag,
        "digest": tag.digest,
        "pushed": tag.pushed.map(crate::time::rfc3339),
        "waited_seconds": waited.as_secs_f64(),
    });
    let human = format!(
        "{target} is there ({}) after {:.0}s",
        tag.digest.as_deref().unwrap_or("no digest"),
        waited.as_secs_f64()
    );
    ctx.out.object(&value, &human, Some(&target.to_string()))?;
    Ok(Status::Ok)
}
