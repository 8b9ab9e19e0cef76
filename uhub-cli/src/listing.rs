//! Listing whole collections page by page, with bounded concurrency and progress.

use anyhow::Context as _;
use futures::TryStreamExt;
use uhub_sdk::{Client, ImageSet, RepoSet, RepoType};

use crate::progress::Progress;
use crate::refs::ImageRef;
use crate::tag::Tag;

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

/// Every tag of an image, in the service's order (newest first).
pub async fn tags(
    client: &Client,
    image: &ImageRef,
    concurrency: usize,
    progress: &Progress,
) -> anyhow::Result<Vec<Tag>> {
    let mut pages = client
        .get_image_tag(&image.repo, &image.image)
        .into_paginator()
        .page_size(PAGE_SIZE)
        .concurrency(concurrency)
        .pages();
    let mut tags = Vec::new();
    while let Some(page) = pages.try_next().await.with_context(|| format!("listing the tags of {image}"))? {
        if tags.is_empty() {
            progress.add_total(page.total.max(0) as u64);
        }
        progress.advance(page.items.len() as u64);
        tags.extend(page.items.iter().map(Tag::from_set));
    }
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
