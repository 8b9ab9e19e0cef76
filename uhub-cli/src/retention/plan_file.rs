//! `--plan-out FILE` and `--plan-in FILE`: a prune plan saved for review, then applied exactly.
//!
//! The file is JSON: a `format` that names this layout, when it was made, where (the project
//! and the API endpoint, without credentials), a `checksum` (sha256 of the plan's canonical
//! JSON without the checksum), and every tag of the plan with its digest, push time, action and
//! reason. Applying it deletes exactly its `delete` tags, each only while its digest and push
//! time are still the file's (the re-check of `delete.rs`), whatever the rules would say now.
//!
//! A plan is refused before any request when it is not of this format, when its checksum does
//! not match (edited by hand, or cut short), when it was made for another project or endpoint,
//! when a name in it breaks the OCI grammar, or when it deletes what a fresh plan never deletes
//! without a flag: `latest` (`--no-keep-latest`), the newest tag of an image or every tag of
//! one (`--dangerously-delete-newest`), or a tag whose digest is unknown or shared with a tag
//! the plan keeps (never). The checksum catches accidents, not an adversary (anyone can compute
//! a sha256): the guards are what keep an edited plan from doing what a fresh one would not.
//!
//! Writing: the whole file, synced to disk, before anything is deleted; reading: a regular file
//! of at most [`MAX_PLAN_BYTES`], off the async runtime.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::exit;
use crate::input::local_file::{Writable, off_runtime, read_regular};
use crate::input::refs::ImageRef;
use crate::retention::rules::{AccessoryOf, Action, Decision};
use crate::tag::Tag;

/// The layout this version writes and reads.
pub const FORMAT: &str = "uhub-prune-plan/2";

/// The largest plan read: some 80,000 tags, far beyond any real plan; a device or a runaway
/// file named by mistake is refused at this size instead of filling memory.
pub const MAX_PLAN_BYTES: u64 = 32 * 1024 * 1024;

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    pub format: String,
    /// RFC 3339, when the plan was made.
    pub created: String,
    /// The project the plan was made in; null for the account's default project.
    pub project: Option<String>,
    /// The API endpoint it was made against: the base URL without credentials, or `demo`.
    pub endpoint: String,
    /// `sha256:` and the hex digest of this file's canonical JSON (compact, fields in this
    /// order) without the checksum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
    pub tags: Vec<PlannedTag>,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannedTag {
    pub repo: String,
    pub image: String,
    pub tag: String,
    pub digest: Option<String>,
    /// RFC 3339; null when the service's time could not be read.
    pub pushed: Option<String>,
    /// The time as the service sent it: compared, with the digest, right before deleting.
    pub update_time: String,
    pub action: Action,
    pub reason: String,
    /// Set for an accessory: applied, it is deleted only after its subjects are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessory_of: Option<AccessoryOf>,
}

/// Where a plan is made or applied: the project and the endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub project: Option<String>,
    pub endpoint: String,
}

impl Place {
    /// The current configuration's place; `demo` for `--demo`'s in-process service (whose
    /// address changes with every run).
    pub fn of(ctx: &crate::context::Ctx) -> Place {
        let endpoint = if ctx.is_demo() { "demo".to_owned() } else { without_credentials(ctx.client.base_url()) };
        Place { project: ctx.client.project_id().map(str::to_owned), endpoint }
    }
}

/// `base_url` without a `user:password@` part, so a plan never holds a secret.
pub fn without_credentials(base_url: &str) -> String {
    let (scheme, rest) = base_url.split_once("://").unwrap_or(("", base_url));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let path = path.split(['?', '#']).next().unwrap_or("");
    match scheme {
        "" => format!("{host}{path}"),
        s => format!("{s}://{host}{path}"),
    }
}

/// Flags that let a saved plan do what a fresh plan does only with them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Allow {
    /// `--no-keep-latest`: a tag named `latest` may be deleted.
    pub latest: bool,
    /// `--dangerously-delete-newest`: an image's newest tag, and so every tag, may be deleted.
    pub newest: bool,
}

fn checksum(file: &PlanFile) -> anyhow::Result<String> {
    let body = PlanFile { checksum: None, ..file.clone() };
    let bytes = serde_json::to_vec(&body)?;
    Ok(format!("sha256:{}", hex::encode(Sha256::digest(&bytes))))
}

/// Writes the plan, made at `place`, completely and synced to disk (for a regular file): the
/// command deletes nothing until this returned `Ok`. `entries` are each image with one decision.
pub async fn write<'a>(
    path: &Path,
    place: &Place,
    entries: impl Iterator<Item = (&'a ImageRef, &'a Decision)>,
) -> anyhow::Result<()> {
    let mut file = PlanFile {
        format: FORMAT.to_owned(),
        created: crate::time::rfc3339(jiff::Timestamp::now()),
        project: place.project.clone(),
        endpoint: place.endpoint.clone(),
        checksum: None,
        tags: entries
            .map(|(image, d)| PlannedTag {
                repo: image.repo.clone(),
                image: image.image.clone(),
                tag: d.tag.name.clone(),
                digest: d.tag.digest.clone(),
                pushed: d.tag.pushed.map(crate::time::rfc3339),
                update_time: d.tag.update_time.clone(),
                action: d.action,
                reason: d.reason.clone(),
                accessory_of: d.accessory_of.clone(),
            })
            .collect(),
    };
    file.checksum = Some(checksum(&file)?);
    let text = serde_json::to_string_pretty(&file)? + "\n";
    let owned = path.to_owned();
    off_runtime(move || Writable::open(&owned, false)?.write_synced(text.as_bytes()))
        .await
        .with_context(|| format!("cannot write the plan to {}; nothing was deleted", path.display()))
}

/// Reads a plan written by [`write()`] and checks it against `place` and its checksum; a file
/// that is not such a plan, or one from elsewhere, is a usage error saying what differs.
pub async fn read(path: &Path, place: &Place) -> anyhow::Result<Vec<(ImageRef, Decision)>> {
    let shown = path.display().to_string();
    let refuse = |why: String| exit::usage(format!("plan {shown}: {why}"));
    let owned = path.to_owned();
    let bytes = off_runtime(move || read_regular(&owned, MAX_PLAN_BYTES, "a plan written by --plan-out"))
        .await
        .map_err(&refuse)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| refuse(format!("not a plan written by --plan-out (not JSON: {e})")))?;
    match value.get("format").and_then(serde_json::Value::as_str) {
        Some(FORMAT) => {}
        Some(other) => {
            return Err(refuse(format!(
                "format {:?} is not {FORMAT:?} (another uhub's plan); make the plan again with this uhub's --plan-out",
                crate::terminal::sanitize::escape(other)
            )));
        }
        None => return Err(refuse("not a plan written by --plan-out (no \"format\")".to_owned())),
    }
    let file: PlanFile =
        serde_json::from_value(value).map_err(|e| refuse(format!("not a plan written by --plan-out: {e}")))?;
    match &file.checksum {
        None => return Err(refuse("it has no checksum; make the plan again with --plan-out".to_owned())),
        Some(sum) if *sum != checksum(&file)? => {
            return Err(refuse(
                "its checksum does not match its content: it was changed after --plan-out wrote it; make the plan \
                 again (and review it) instead of editing it"
                    .to_owned(),
            ));
        }
        Some(_) => {}
    }
    let made = Place { project: file.project.clone(), endpoint: file.endpoint.clone() };
    if made.project != place.project {
        let name =
            |p: &Option<String>| p.as_deref().map_or("the default project".to_owned(), |p| format!("project {p}"));
        return Err(refuse(format!(
            "it was made for {}, but this configuration uses {}; apply it with --project set as when it was made",
            crate::terminal::sanitize::escape(&name(&made.project)),
            name(&place.project)
        )));
    }
    if made.endpoint != place.endpoint {
        return Err(refuse(format!(
            "it was made against {}, but this configuration uses {}; apply it where it was made",
            crate::terminal::sanitize::escape(&made.endpoint),
            place.endpoint
        )));
    }
    file.tags
        .into_iter()
        .map(|t| {
            check_names(&t).map_err(|e| refuse(format!("{e}; nothing was deleted")))?;
            let pushed = t
                .pushed
                .as_deref()
                .map(|p| p.parse::<jiff::Timestamp>())
                .transpose()
                .map_err(|e| refuse(format!("tag {}: pushed: {e}", t.tag)))?;
            let tag = Tag { name: t.tag, pushed, update_time: t.update_time, digest: t.digest };
            Ok((
                ImageRef { repo: t.repo, image: t.image },
                Decision { tag, action: t.action, reason: t.reason, accessory_of: t.accessory_of },
            ))
        })
        .collect()
}

/// The OCI grammar for a planned tag's names: an empty or path-like name refuses the plan.
fn check_names(t: &PlannedTag) -> Result<(), uhub_registry::InvalidName> {
    use uhub_registry::names;
    names::check_repository(&format!("{}/{}", t.repo, t.image))?;
    names::check_tag(&t.tag)?;
    if let Some(digest) = &t.digest {
        names::check_digest(digest)?;
    }
    Ok(())
}

/// Refuses a saved plan that deletes what a fresh plan would not without `allow`'s flags (see
/// the module's doc); the message names the tags and the flag.
pub fn check_guards(path: &Path, plan: &[(ImageRef, Decision)], allow: Allow) -> anyhow::Result<()> {
    let mut by_image: HashMap<&ImageRef, Vec<&Decision>> = HashMap::new();
    for (image, decision) in plan {
        by_image.entry(image).or_default().push(decision);
    }
    let mut images: Vec<&ImageRef> = by_image.keys().copied().collect();
    images.sort_by_key(|i| (i.repo.as_str(), i.image.as_str()));
    let refuse = |what: String, fix: &str| {
        exit::usage(format!(
            "plan {}: it deletes {what}, which a fresh plan never does{fix}; nothing was deleted",
            path.display()
        ))
    };
    for image in images {
        let decisions = &by_image[image];
        let deleted = |d: &&&Decision| d.action == Action::Delete;
        if let Some(d) = decisions.iter().filter(deleted).find(|d| d.tag.digest.is_none() || d.tag.pushed.is_none()) {
            return Err(refuse(format!("{image}:{} whose digest or push time is unknown", d.tag.name), ""));
        }
        let kept: HashSet<&str> =
            decisions.iter().filter(|d| d.action == Action::Keep).filter_map(|d| d.tag.digest.as_deref()).collect();
        if let Some(d) =
            decisions.iter().filter(deleted).find(|d| d.tag.digest.as_deref().is_some_and(|g| kept.contains(g)))
        {
            return Err(refuse(format!("{image}:{}, whose digest a kept tag shares", d.tag.name), ""));
        }
        if !allow.latest {
            if let Some(d) = decisions.iter().filter(deleted).find(|d| d.tag.name == "latest") {
                return Err(refuse(format!("{image}:{}", d.tag.name), " without --no-keep-latest"));
            }
        }
        if allow.newest {
            continue;
        }
        if decisions.iter().all(|d| d.action == Action::Delete) {
            return Err(refuse(
                format!("every tag of {image}, and so the image"),
                " without --dangerously-delete-newest",
            ));
        }
        let ordinary = || decisions.iter().filter(|d| d.accessory_of.is_none());
        if let Some(newest) = ordinary().filter_map(|d| d.tag.pushed).max() {
            let at_newest = || ordinary().filter(|d| d.tag.pushed == Some(newest));
            if !at_newest().any(|d| d.action == Action::Keep) {
                let d = at_newest().next().expect("the newest time is some tag's");
                return Err(refuse(
                    format!("{image}:{}, the newest tag of the image", d.tag.name),
                    " without --dangerously-delete-newest",
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_lose_their_credentials() {
        assert_eq!(without_credentials("https://u:p@api.example.com/x?k=v"), "https://api.example.com/x");
        assert_eq!(without_credentials("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(without_credentials("https://api.ucloud.cn/"), "https://api.ucloud.cn/");
    }
}
