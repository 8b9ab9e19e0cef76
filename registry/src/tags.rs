//! A repository's tags (for sync files) and when an image was built, read with bounds: a
//! registry that pages forever or sends a huge page gets an error, not our memory.

use serde::Deserialize;

use crate::manifest::{self, Parsed};
use crate::{Error, Registry};

/// Tags asked for per page.
const PAGE: usize = 1000;
/// The most tags read from one repository.
pub const MAX_TAGS: usize = 100_000;
/// The largest page read.
const MAX_PAGE_BYTES: u64 = 8 << 20;

#[derive(Deserialize)]
struct TagPage {
    #[serde(default)]
    tags: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Created {
    created: Option<String>,
}

impl Registry {
    /// Every tag of `repository`, sorted, read page by page (`?n=&last=`), at most [`MAX_TAGS`].
    pub async fn list_tags(&self, repository: &str) -> Result<Vec<String>, Error> {
        let target = format!("{}/{repository}", self.host());
        let mut tags: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut last: Option<String> = None;
        loop {
            let mut path = format!("/v2/{repository}/tags/list?n={PAGE}");
            if let Some(last) = &last {
                path.push_str(&format!("&last={last}"));
            }
            let body = self
                .retry()
                .run(|| async {
                    let answer = self.request(reqwest::Method::GET, &path, repository, "list tags of", &target).await?;
                    let too_large = || Error::Registry {
                        action: "list tags of",
                        target: target.clone(),
                        message: format!("a page larger than {MAX_PAGE_BYTES} bytes; refused"),
                        status: None,
                        transient: false,
                    };
                    self.read_body(answer, MAX_PAGE_BYTES, "list tags of", &target, too_large).await
                })
                .await?;
            let page: TagPage = serde_json::from_slice(&body).map_err(|e| Error::Registry {
                action: "list tags of",
                target: target.clone(),
                message: format!("the answer is not a tag list: {e}"),
                status: None,
                transient: false,
            })?;
            let page = page.tags.unwrap_or_default();
            let full = page.len() >= PAGE;
            last = page.last().cloned();
            let before = tags.len();
            // A page with nothing new ends the listing, so a registry repeating a page does
            // not loop forever.
            tags.extend(page.into_iter().filter(|t| seen.insert(t.clone())));
            if tags.len() > MAX_TAGS {
                return Err(Error::Registry {
                    action: "list tags of",
                    target,
                    message: format!("more than {MAX_TAGS} tags; refused"),
                    status: None,
                    transient: false,
                });
            }
            if !full || tags.len() == before {
                break;
            }
        }
        tags.sort();
        Ok(tags)
    }

    /// When the image `repository:reference` was built, from its config's `created` (the
    /// first platform's for an index); `None` when the config gives none.
    pub async fn created(&self, repository: &str, reference: &str) -> Result<Option<String>, Error> {
        let target = self.target(repository, reference);
        let top = self.get_manifest(repository, reference).await?;
        let config = match manifest::parse(&top.bytes, &target)? {
            Parsed::Image { config, .. } => config,
            Parsed::Index { children } => {
                let Some(first) = children.iter().find(|c| c.platform.as_ref().is_none_or(|p| !p.is_unknown())) else {
                    return Ok(None);
                };
                let child = self.get_manifest(repository, &first.digest).await?;
                match manifest::parse(&child.bytes, &target)? {
                    Parsed::Image { config, .. } => config,
                    Parsed::Index { .. } => return Ok(None),
                }
            }
        };
        if config.size > crate::registry::MAX_MANIFEST_BYTES {
            return Ok(None);
        }
        let bytes = crate::blob::read_small(self, repository, &config.digest, config.size).await?;
        Ok(serde_json::from_slice::<Created>(&bytes).ok().and_then(|c| c.created))
    }
}
