//! Listing whole collections page by page, with bounded concurrency and progress; tag
//! listings checked for consistency before anything is planned from them.

use anyhow::Context as _;
use futures::TryStreamExt;
use uhub_sdk::{Client, ImageSet, RepoSet, RepoType};

use crate::input::refs::ImageRef;
use crate::tag::Tag;
use crate::terminal::progress::Progress;

/// Items per request: the most the listings are known to serve.
pub const PAGE_SIZE: i64 = 100;

/// Whether a repository is private or public, as the listing that found it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Private,
    Public,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Private => "private",
            Kind::Public => "public",
        }
    }
}

/// How many times a listing is taken again when it is not consistent.
const LISTING_ATTEMPTS: usize = 3;

/// Every tag of an image, in the service's order (newest first), from a consistent listing.
///
/// Pages are fetched concurrently by offset, so a push or a deletion during the listing shifts
/// them: a tag can be seen twice (taking a keep slot in a plan) or not at all. The listing is
/// consistent when every page gave the same `TotalCount`, no name was seen twice, and the
/// names number that total; otherwise it is taken again, before any plan is made.
pub async fn tags(
    client: &Client,
    image: &ImageRef,
    concurrency: usize,
    progress: &Progress,
) -> anyhow::Result<Vec<Tag>> {
    let mut attempt = 1;
    loop {
        let listed = list_once(client, image, concurrency, progress, attempt == 1).await?;
        match consistent(listed) {
            Ok(tags) => return Ok(tags),
            Err(why) if attempt < LISTING_ATTEMPTS => {
                progress.println(&format!("the tags of {image} changed while listing ({why}); listing again"));
                attempt += 1;
            }
            Err(why) => anyhow::bail!(
                "the tags of {image} kept changing while listing ({why}, {LISTING_ATTEMPTS} times); \
                 nothing was planned: try again when pushes to it have settled"
            ),
        }
    }
}

/// One pass over the pages: the tags and every `TotalCount` the pages gave.
struct Listed {
    tags: Vec<Tag>,
    totals: Vec<i64>,
}

async fn list_once(
    client: &Client,
    image: &ImageRef,
    concurrency: usize,
    progress: &Progress,
    first: bool,
) -> anyhow::Result<Listed> {
    let mut pages = client
        .get_image_tag(&image.repo, &image.image)
        .into_paginator()
        .page_size(PAGE_SIZE)
        .concurrency(concurrency)
        .pages();
    let mut listed = Listed { tags: Vec::new(), totals: Vec::new() };
    while let Some(page) = pages.try_next().await.with_context(|| format!("listing the tags of {image}"))? {
        if first && listed.totals.is_empty() {
            progress.add_total(page.total.max(0) as u64);
        }
        listed.totals.push(page.total);
        if first {
            progress.advance(page.items.len() as u64);
        }
        listed.tags.extend(page.items.iter().map(Tag::from_set));
    }
    Ok(listed)
}

/// The tags when the listing is consistent; otherwise what disagreed.
fn consistent(listed: Listed) -> Result<Vec<Tag>, String> {
    let mut totals = listed.totals.clone();
    totals.dedup();
    if totals.len() > 1 {
        return Err(format!("the pages gave totals {totals:?}"));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = listed.tags.iter().find(|t| !seen.insert(t.name.as_str())) {
        return Err(format!("{} was listed twice", twice.name));
    }
    let total = totals.first().copied().unwrap_or(0);
    if listed.tags.len() as i64 != total {
        return Err(format!("{} tags listed, the service counts {total}", listed.tags.len()));
    }
    Ok(listed.tags)
}

/// The first `n` tags that `wanted` accepts, in the service's order (newest first): pages are
/// read one after another and reading stops once there are `n`.
pub async fn newest_tags(
    client: &Client,
    image: &ImageRef,
    n: usize,
    wanted: impl Fn(&Tag) -> bool,
    progress: &Progress,
) -> anyhow::Result<Vec<Tag>> {
    let mut pages = client.get_image_tag(&image.repo, &image.image).into_paginator().page_size(PAGE_SIZE).pages();
    let mut tags = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while tags.len() < n {
        let Some(page) = pages.try_next().await.with_context(|| format!("listing the tags of {image}"))? else {
            break;
        };
        progress.set_total(page.total.max(0) as u64);
        progress.advance(page.items.len() as u64);
        let fresh = page.items.iter().map(Tag::from_set).filter(|t| seen.insert(t.name.clone()));
        tags.extend(fresh.filter(|t| wanted(t)));
    }
    tags.truncate(n);
    Ok(tags)
}

/// Every image of a repository, by name.
pub async fn images(client: &Client, repo: &str, concurrency: usize) -> anyhow::Result<Vec<ImageSet>> {
    client
        .get_repo_image(repo)
        .into_paginator()
        .page_size(PAGE_SIZE)
        .concurrency(concurrency)
        .collect_all()
        .await
        .with_context(|| format!("listing the images of {repo}"))
}

/// Every repository, private and public (the API lists only public ones unless asked), by name.
pub async fn repos(client: &Client, concurrency: usize) -> anyhow::Result<Vec<(RepoSet, Kind)>> {
    let list = |kind: RepoType| {
        client.get_repo().repo_type(kind).into_paginator().page_size(PAGE_SIZE).concurrency(concurrency).collect_all()
    };
    let (private, public) =
        futures::try_join!(list(RepoType::Private), list(RepoType::Public)).with_context(|| "listing repositories")?;
    let mut all: Vec<(RepoSet, Kind)> =
        private.into_iter().map(|r| (r, Kind::Private)).chain(public.into_iter().map(|r| (r, Kind::Public))).collect();
    all.sort_by(|a, b| a.0.repo_name.cmp(&b.0.repo_name));
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(name: &str) -> Tag {
        Tag { name: name.into(), pushed: None, update_time: String::new(), digest: None }
    }

    fn listed(names: &[&str], totals: &[i64]) -> Listed {
        Listed { tags: names.iter().map(|n| tag(n)).collect(), totals: totals.to_vec() }
    }

    #[test]
    fn a_listing_is_consistent_only_when_pages_names_and_total_agree() {
        assert_eq!(consistent(listed(&["a", "b", "c"], &[3, 3])).map(|t| t.len()), Ok(3));
        assert_eq!(consistent(listed(&["a", "b", "b"], &[3, 3])).unwrap_err(), "b was listed twice");
        assert_eq!(consistent(listed(&["a", "b", "c"], &[3, 4])).unwrap_err(), "the pages gave totals [3, 4]");
        assert_eq!(consistent(listed(&["a", "b"], &[3])).unwrap_err(), "2 tags listed, the service counts 3");
        assert_eq!(consistent(listed(&[], &[0])).map(|t| t.len()), Ok(0));
    }
}
