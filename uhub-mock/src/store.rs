//! The mock's data: projects → repositories → images → tags, and the builders that seed it.
//!
//! Listings are ordered so that paging is stable: repositories and images by name, tags newest
//! first (the order they were pushed, reversed). Times come from a fake clock that starts at
//! 2024-03-01 00:00:00 UTC (08:00 in UTC+8, the zone the service writes times in) and advances one minute per change, so outputs are reproducible.

use std::collections::BTreeMap;

/// The most repositories one project may hold, as the service documents.
pub const MAX_REPOS_PER_PROJECT: usize = 8;

const CLOCK_START: i64 = 1_709_251_200;

/// A repository to seed, with its images.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repo {
    pub(crate) name: String,
    pub(crate) project: Option<String>,
    pub(crate) description: String,
    pub(crate) is_shared: bool,
    pub(crate) is_out_side: bool,
    pub(crate) images: Vec<Image>,
}

impl Repo {
    /// A private, empty repository in the mock's default project.
    pub fn new(name: impl Into<String>) -> Self {
        Repo {
            name: name.into(),
            project: None,
            description: String::new(),
            is_shared: false,
            is_out_side: false,
            images: Vec::new(),
        }
    }

    /// Puts the repository in `project` instead of the default one.
    pub fn in_project(mut self, project: impl Into<String>) -> Self {
        self.project = Some(project.into());
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    /// Makes the repository public (`IsShared` true).
    pub fn public(mut self) -> Self {
        self.is_shared = true;
        self
    }

    /// Marks the repository reachable from outside (`IsOutSide` true).
    pub fn out_side(mut self) -> Self {
        self.is_out_side = true;
        self
    }

    pub fn image(mut self, image: Image) -> Self {
        self.images.push(image);
        self
    }
}

/// An image to seed, with its tags in the order they were pushed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub(crate) name: String,
    pub(crate) pull_count: i64,
    pub(crate) tags: Vec<String>,
}

impl Image {
    pub fn new(name: impl Into<String>) -> Self {
        Image { name: name.into(), pull_count: 0, tags: Vec::new() }
    }

    pub fn pull_count(mut self, count: i64) -> Self {
        self.pull_count = count;
        self
    }

    /// Pushes tags in this order; the last one becomes the latest.
    pub fn tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.tags.extend(names.into_iter().map(Into::into));
        self
    }

    /// Pushes `count` tags named `1.0.0`, `1.0.1`, ... `1.0.99`, `1.1.0`, ...: enough for real
    /// paging without listing names by hand.
    pub fn numbered_tags(mut self, count: usize) -> Self {
        self.tags.extend((0..count).map(|i| format!("1.{}.{}", i / 100, i % 100)));
        self
    }
}

#[derive(Clone, Debug)]
pub(crate) struct StoredRepo {
    pub name: String,
    pub description: String,
    pub is_shared: bool,
    pub is_out_side: bool,
    pub created: i64,
    pub updated: i64,
    pub images: BTreeMap<String, StoredImage>,
}

#[derive(Clone, Debug)]
pub(crate) struct StoredImage {
    pub name: String,
    pub pull_count: i64,
    pub created: i64,
    pub updated: i64,
    /// Oldest first; listings reverse it.
    pub tags: Vec<StoredTag>,
}

#[derive(Clone, Debug)]
pub(crate) struct StoredTag {
    pub name: String,
    pub pushed: i64,
    pub digest: String,
}

impl StoredImage {
    pub fn latest_tag(&self) -> &str {
        self.tags.last().map_or("", |t| t.name.as_str())
    }
}

/// Every project's repositories.
#[derive(Debug)]
pub(crate) struct Store {
    pub projects: BTreeMap<String, BTreeMap<String, StoredRepo>>,
    pub default_project: String,
    clock: i64,
}

impl Store {
    pub fn new(default_project: String) -> Self {
        Store { projects: BTreeMap::new(), default_project, clock: CLOCK_START }
    }

    /// The next time on the fake clock.
    pub fn tick(&mut self) -> i64 {
        self.clock += 60;
        self.clock
    }

    /// The repositories of `project` (the default one when `None`); empty when it has none.
    /// Never creates the project, so reads naming new projects cost no memory.
    pub fn project(&self, project: Option<&str>) -> &BTreeMap<String, StoredRepo> {
        static NONE: BTreeMap<String, StoredRepo> = BTreeMap::new();
        self.projects.get(self.key(project)).unwrap_or(&NONE)
    }

    /// The repositories of `project` to change, if it has any.
    pub fn project_mut(&mut self, project: Option<&str>) -> Option<&mut BTreeMap<String, StoredRepo>> {
        let key = self.key(project).to_owned();
        self.projects.get_mut(&key)
    }

    /// The repositories of `project`, created empty if needed: only for adding a repository.
    pub fn project_or_create(&mut self, project: Option<&str>) -> &mut BTreeMap<String, StoredRepo> {
        let key = self.key(project).to_owned();
        self.projects.entry(key).or_default()
    }

    fn key<'a>(&'a self, project: Option<&'a str>) -> &'a str {
        project.filter(|p| !p.is_empty()).unwrap_or(&self.default_project)
    }

    /// Adds a seeded repository, replacing one of the same name; seeding ignores the quota.
    pub fn seed(&mut self, repo: Repo) {
        let created = self.tick();
        let mut stored = StoredRepo {
            name: repo.name.clone(),
            description: repo.description,
            is_shared: repo.is_shared,
            is_out_side: repo.is_out_side,
            created,
            updated: created,
            images: BTreeMap::new(),
        };
        for image in repo.images {
            let created = self.tick();
            let tags: Vec<StoredTag> = image
                .tags
                .into_iter()
                .enumerate()
                .map(|(i, name)| StoredTag {
                    digest: digest(&repo.name, &image.name, &name),
                    name,
                    pushed: created + 60 * i as i64,
                })
                .collect();
            let updated = tags.last().map_or(created, |t| t.pushed);
            self.clock = self.clock.max(updated);
            stored.images.insert(
                image.name.clone(),
                StoredImage { name: image.name, pull_count: image.pull_count, created, updated, tags },
            );
        }
        stored.updated = stored.images.values().map(|i| i.updated).max().unwrap_or(created);
        self.project_or_create(repo.project.as_deref()).insert(repo.name, stored);
    }
}

/// A made-up but stable content digest, so tags look like the live service's.
fn digest(repo: &str, image: &str, tag: &str) -> String {
    // FNV-1a seeds four rounds of splitmix64: 64 hex digits, stable across runs and platforms.
    let mut seed = 0xcbf2_9ce4_8422_2325_u64;
    for b in repo.bytes().chain([b'/']).chain(image.bytes()).chain([b':']).chain(tag.bytes()) {
        seed = (seed ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut out = String::from("sha256:");
    for _ in 0..4 {
        seed = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out.push_str(&format!("{:016x}", z ^ (z >> 31)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_tags_are_distinct_and_pushed_in_order() {
        let mut store = Store::new("org-test".into());
        store.seed(Repo::new("r").image(Image::new("i").numbered_tags(250)));
        let image = &store.project(None)["r"].images["i"];
        assert_eq!(image.tags.len(), 250);
        assert_eq!(image.latest_tag(), "1.2.49");
        assert!(image.tags.windows(2).all(|w| w[0].pushed < w[1].pushed));
        assert_eq!(image.tags[0].digest.len(), "sha256:".len() + 64);
        assert_ne!(image.tags[0].digest, image.tags[1].digest);
    }
}
