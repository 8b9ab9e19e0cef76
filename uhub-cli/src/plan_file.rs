//! `--plan-out FILE` and `--plan-in FILE`: a prune plan saved for review, then applied exactly.
//!
//! The file is JSON: a `format` line that names this layout, when it was made, and every tag of
//! the plan with its digest, push time, action and reason. Applying it deletes exactly its
//! `delete` tags, each only while its digest and push time are still the file's (the re-check of
//! `delete.rs`), whatever the rules would say now.

use std::path::Path;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use crate::exit;
use crate::refs::ImageRef;
use crate::rules::{AccessoryOf, Action, Decision};
use crate::tag::Tag;

/// The layout this version writes and reads.
pub const FORMAT: &str = "uhub-prune-plan/1";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    pub format: String,
    /// RFC 3339, when the plan was made.
    pub created: String,
    pub tags: Vec<PlannedTag>,
}

#[derive(Serialize, Deserialize)]
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

/// Writes the plan; `entries` are each image with one decision.
pub fn write<'a>(path: &Path, entries: impl Iterator<Item = (&'a ImageRef, &'a Decision)>) -> anyhow::Result<()> {
    let file = PlanFile {
        format: FORMAT.to_owned(),
        created: crate::time::rfc3339(jiff::Timestamp::now()),
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
    let text = serde_json::to_string_pretty(&file)? + "\n";
    std::fs::write(path, text).with_context(|| format!("cannot write the plan to {}", path.display()))
}

/// Reads a plan written by [`write()`]; a file that is not one is a usage error.
pub fn read(path: &Path) -> anyhow::Result<Vec<(ImageRef, Decision)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the plan {}", path.display()))?;
    let file: PlanFile = serde_json::from_str(&text)
        .map_err(|e| exit::usage(format!("{} is not a plan written by --plan-out: {e}", path.display())))?;
    if file.format != FORMAT {
        return Err(exit::usage(format!(
            "{}: format {:?} is not {FORMAT:?}; make the plan again with this uhub's --plan-out",
            path.display(),
            file.format
        )));
    }
    file.tags
        .into_iter()
        .map(|t| {
            let pushed = t
                .pushed
                .as_deref()
                .map(|p| p.parse::<jiff::Timestamp>())
                .transpose()
                .map_err(|e| exit::usage(format!("{}: tag {}: pushed: {e}", path.display(), t.tag)))?;
            let tag = Tag { name: t.tag, pushed, update_time: t.update_time, digest: t.digest };
            Ok((
                ImageRef { repo: t.repo, image: t.image },
                Decision { tag, action: t.action, reason: t.reason, accessory_of: t.accessory_of },
            ))
        })
        .collect()
}
