//! The mock's data: projects → repositories → images → tags, and the builders that seed it.
//!
//! Listings are ordered so that paging is stable: repositories and images by name, tags newest
//! first (by push time; ties in the order they were pushed, reversed). Times come from a fake
//! clock that starts at 2024-03-01 00:00:00 UTC, 08:00 in UTC+8, the zone the service writes
//! times in (or where [`crate::MockBuilder::clock`] sets it), and advances one minute per
//! change, so outputs are reproducible.
//!
//! Tags may share a digest ([`Image::alias`]): several names for one manifest, as `latest` and
//! `v2.4.0` often are. Deleting a tag by name removes that name only; its aliases stay. This is
//! our model of the service, which does not document what deleting a shared tag does.

use std::collections::{BTreeMap, VecDeque};

use crate::faults::{AppliedChange, Change};

/// The most removals and changes the store remembers for tests (oldest forgotten first).
pub const HISTORY_CAPACITY: usize = 100_000;

/// The most repositories one project may hold, as the service documents.
pub const MAX_REPOS_PER_PROJECT: usize = 8;

/// The most projects the mock holds; `CreateRepo` naming another answers
/// [`Code::StoreFull`](crate::Code::StoreFull). With the other caps, this bounds what requests
/// can make the store hold (about 40 MB at most), so a mock can serve a long CI job.
pub const MAX_PROJECTS: usize = 1_000;

/// The longest `ProjectId` a repository may be created in, in bytes (UCloud's are `org-` and
/// a few characters); longer is a parameter error (`RetCode` 230).
pub const MAX_PROJECT_ID_BYTES: usize = 64;

/// The longest description a repository stores, in bytes; longer is a parameter error
/// (`RetCode` 230). Our choice: the service does not document one.
pub const MAX_DESCRIPTION_BYTES: usize = 4 * 1024;

/// The most images one seeded repository may hold (images are only seeded, never created by
/// requests); seeding more is a mistake in the test and panics naming this cap.
pub const MAX_IMAGES_PER_REPO: usize = 10_000;

/// The most tags one seeded image may hold; seeding more panics naming this cap.
pub const MAX_TAGS_PER_IMAGE: usize = 100_000;

const CLOCK_START: i64 = 1_709_251_200;

/// What the mock sends as the `UpdateTime` of a tag seeded with
/// [`Image::tag_with_unreadable_time`]: a zero date no parser should turn into an instant.
pub const UNREADABLE_TIME: &str = "0000-00-00 00:00:00";

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
    pub(crate) tags: Vec<SeedTag>,
}

/// One tag to seed: its name and what differs from a plain push on the fake clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SeedTag {
    pub name: String,
    /// Unix seconds; `None` pushes it on the fake clock, one minute after the previous tag.
    pub pushed_at: Option<i64>,
    /// An earlier tag of the same image whose digest this one shares.
    pub alias_of: Option<String>,
    pub unreadable_time: bool,
}

impl SeedTag {
    fn named(name: impl Into<String>) -> Self {
        SeedTag { name: name.into(), pushed_at: None, alias_of: None, unreadable_time: false }
    }
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
        self.tags.extend(names.into_iter().map(SeedTag::named));
        self
    }

    /// Pushes a tag at `unix_secs` rather than on the fake clock, so tests can place tags
    /// relative to the real time (say 40 days ago). Listings stay newest first.
    pub fn tag_at(mut self, name: impl Into<String>, unix_secs: i64) -> Self {
        self.tags.push(SeedTag { pushed_at: Some(unix_secs), ..SeedTag::named(name) });
        self
    }

    /// Pushes tag `name` for the same manifest as the tag `of` pushed before it, at the same
    /// time: both have one digest. Deleting either by name leaves the other (our model of the
    /// service).
    pub fn alias(mut self, name: impl Into<String>, of: impl Into<String>) -> Self {
        self.tags.push(SeedTag { alias_of: Some(of.into()), ..SeedTag::named(name) });
        self
    }

    /// Pushes a tag whose `UpdateTime` is sent as [`UNREADABLE_TIME`], for clients that must
    /// cope with a time they cannot read.
    pub fn tag_with_unreadable_time(mut self, name: impl Into<String>) -> Self {
        self.tags.push(SeedTag { unreadable_time: true, ..SeedTag::named(name) });
        self
    }

    /// Pushes `count` tags named `1.0.0`, `1.0.1`, ... `1.0.99`, `1.1.0`, ...: enough for real
    /// paging without listing names by hand.
    pub fn numbered_tags(mut self, count: usize) -> Self {
        self.tags.extend((0..count).map(|i| SeedTag::named(format!("1.{}.{}", i / 100, i % 100))));
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
    /// Sent as [`UNREADABLE_TIME`] instead of `pushed`.
    pub unreadable_time: bool,
}

impl StoredImage {
    pub fn latest_tag(&self) -> &str {
        self.tags.last().map_or("", |t| t.name.as_str())
    }
}

/// A tag a `DeleteRepoImage` request removed, with the digest it had then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemovedTag {
    pub repo: String,
    pub image: String,
    pub tag: String,
    pub digest: String,
}

/// Every project's repositories.
#[derive(Debug)]
pub(crate) struct Store {
    pub projects: BTreeMap<String, BTreeMap<String, StoredRepo>>,
    pub default_project: String,
    clock: i64,
    /// Tags removed by requests, oldest first, bounded by [`HISTORY_CAPACITY`].
    removed: VecDeque<RemovedTag>,
    /// Changes rules made, oldest first, bounded by [`HISTORY_CAPACITY`].
    changes: VecDeque<AppliedChange>,
    repushes: u64,
}

impl Store {
    pub fn new(default_project: String) -> Self {
        Store {
            projects: BTreeMap::new(),
            default_project,
            clock: CLOCK_START,
            removed: VecDeque::new(),
            changes: VecDeque::new(),
            repushes: 0,
        }
    }

    /// Notes that a request removed these tags of `repo/image`.
    pub fn record_removed<'a>(&mut self, repo: &str, image: &str, tags: impl IntoIterator<Item = &'a StoredTag>) {
        for t in tags {
            bounded_push(
                &mut self.removed,
                RemovedTag {
                    repo: repo.to_owned(),
                    image: image.to_owned(),
                    tag: t.name.clone(),
                    digest: t.digest.clone(),
                },
            );
        }
    }

    pub fn removed(&self) -> Vec<RemovedTag> {
        self.removed.iter().cloned().collect()
    }

    pub fn changes(&self) -> Vec<AppliedChange> {
        self.changes.iter().cloned().collect()
    }

    /// Makes another client's change in the default project, and remembers it.
    pub fn apply(&mut self, change: &Change) -> AppliedChange {
        let digest = match change {
            Change::Repush { repo, image, tag } => self.repush(repo, image, tag),
            Change::DeleteTag { repo, image, tag } => {
                let image = self.image_mut(repo, image);
                let before = image.as_ref().map_or(0, |i| i.tags.len());
                let after = image.map_or(0, |i| {
                    i.tags.retain(|t| &t.name != tag);
                    i.tags.len()
                });
                (after < before).then(String::new)
            }
        };
        let applied = AppliedChange {
            change: change.clone(),
            applied: digest.is_some(),
            digest: digest.filter(|d| !d.is_empty()),
        };
        bounded_push(&mut self.changes, applied.clone());
        applied
    }

    /// Pushes an existing tag again: a new digest, pushed after every other tag of its image.
    /// Returns the new digest, or `None` when the tag does not exist.
    pub fn repush(&mut self, repo: &str, image: &str, tag: &str) -> Option<String> {
        self.repushes += 1;
        let (n, tick) = (self.repushes, self.tick());
        let stored = self.image_mut(repo, image)?;
        let at = stored.tags.iter().position(|t| t.name == tag)?;
        let mut t = stored.tags.remove(at);
        let newest = stored.tags.last().map_or(i64::MIN, |t| t.pushed);
        t.pushed = tick.max(newest.saturating_add(60));
        t.digest = digest(repo, image, &format!("{tag}#repush-{n}"));
        t.unreadable_time = false;
        stored.updated = t.pushed;
        let new = t.digest.clone();
        stored.tags.push(t);
        Some(new)
    }

    fn image_mut(&mut self, repo: &str, image: &str) -> Option<&mut StoredImage> {
        self.project_mut(None)?.get_mut(repo)?.images.get_mut(image)
    }

    /// The next time on the fake clock.
    pub fn tick(&mut self) -> i64 {
        self.clock += 60;
        self.clock
    }

    /// Sets the fake clock: the next change happens a minute after `unix_secs`.
    pub fn set_clock(&mut self, unix_secs: i64) {
        self.clock = unix_secs;
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

    /// Whether adding a repository to `project` would need a project past [`MAX_PROJECTS`].
    pub fn project_would_exceed_cap(&self, project: Option<&str>) -> bool {
        !self.projects.contains_key(self.key(project)) && self.projects.len() >= MAX_PROJECTS
    }

    /// Forgets `project` once its last repository is gone, so the cap counts live projects.
    pub fn drop_if_empty(&mut self, project: Option<&str>) {
        let key = self.key(project).to_owned();
        if self.projects.get(&key).is_some_and(BTreeMap::is_empty) {
            self.projects.remove(&key);
        }
    }

    fn key<'a>(&'a self, project: Option<&'a str>) -> &'a str {
        project.filter(|p| !p.is_empty()).unwrap_or(&self.default_project)
    }

    /// Adds a seeded repository, replacing one of the same name; seeding ignores the quota of
    /// repositories, but not the caps on images and tags.
    pub fn seed(&mut self, repo: Repo) {
        assert!(
            repo.images.len() <= MAX_IMAGES_PER_REPO,
            "repository {:?} seeds {} images; the mock holds at most {MAX_IMAGES_PER_REPO} (MAX_IMAGES_PER_REPO)",
            repo.name,
            repo.images.len()
        );
        if let Some(image) = repo.images.iter().find(|i| i.tags.len() > MAX_TAGS_PER_IMAGE) {
            panic!(
                "image {:?} seeds {} tags; the mock holds at most {MAX_TAGS_PER_IMAGE} (MAX_TAGS_PER_IMAGE)",
                image.name,
                image.tags.len()
            );
        }
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
            let tags = seed_tags(&repo.name, &image.name, image.tags, created);
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

fn bounded_push<T>(list: &mut VecDeque<T>, item: T) {
    if list.len() == HISTORY_CAPACITY {
        list.pop_front();
    }
    list.push_back(item);
}

/// The stored tags of a seeded image, oldest first: the fake clock's times unless given, and
/// an alias's digest taken from the tag it names.
fn seed_tags(repo: &str, image: &str, seeds: Vec<SeedTag>, created: i64) -> Vec<StoredTag> {
    let mut tags: Vec<StoredTag> = Vec::with_capacity(seeds.len());
    for (i, seed) in seeds.into_iter().enumerate() {
        let target = seed.alias_of.as_ref().and_then(|of| tags.iter().find(|t| &t.name == of));
        let digest = match (&seed.alias_of, target) {
            (_, Some(t)) => t.digest.clone(),
            (Some(of), None) => digest(repo, image, of),
            (None, None) => digest(repo, image, &seed.name),
        };
        // An alias is pushed with the tag it names, unless given a time of its own.
        let pushed = seed.pushed_at.or(target.map(|t| t.pushed)).unwrap_or(created + 60 * i as i64);
        tags.push(StoredTag { pushed, name: seed.name, digest, unreadable_time: seed.unreadable_time });
    }
    // Stable, so tags pushed in the same second keep their push order.
    tags.sort_by_key(|t| t.pushed);
    tags
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

    #[test]
    fn aliases_share_the_digest_of_the_tag_they_name() {
        let mut store = Store::new("org-test".into());
        store.seed(Repo::new("r").image(Image::new("i").tags(["v1", "v2"]).alias("latest", "v2")));
        let tags = &store.project(None)["r"].images["i"].tags;
        let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["v1", "v2", "latest"]);
        assert_eq!(tags[2].digest, tags[1].digest);
        assert_eq!(tags[2].pushed, tags[1].pushed, "pushed together");
        assert_ne!(tags[0].digest, tags[1].digest);
    }

    #[test]
    fn tags_pushed_at_given_times_are_ordered_by_time() {
        let mut store = Store::new("org-test".into());
        store.seed(
            Repo::new("r")
                .image(Image::new("i").tag_at("new", 2_000_000_000).tag_at("old", 1_000_000_000).tags(["next"])),
        );
        let image = &store.project(None)["r"].images["i"];
        let order: Vec<(&str, i64)> = image.tags.iter().map(|t| (t.name.as_str(), t.pushed)).collect();
        // "next" is the third push on the fake clock: two minutes after the image was created.
        assert_eq!(order, [("old", 1_000_000_000), ("next", image.created + 120), ("new", 2_000_000_000)]);
        assert_eq!(image.updated, 2_000_000_000);
    }

    #[test]
    fn a_repushed_tag_gets_a_new_digest_and_becomes_the_newest() {
        let mut store = Store::new("org-test".into());
        store.seed(Repo::new("r").image(Image::new("i").tags(["v1", "v2"])));
        let old = store.project(None)["r"].images["i"].tags[0].clone();
        let new = store.repush("r", "i", "v1").expect("v1 exists");
        let tags = &store.project(None)["r"].images["i"].tags;
        assert_eq!(tags.last().map(|t| (t.name.as_str(), t.digest.as_str())), Some(("v1", new.as_str())));
        assert_ne!(new, old.digest);
        assert!(tags[1].pushed > tags[0].pushed);
        assert_eq!(store.repush("r", "i", "nope"), None);
        let gone = store.apply(&Change::delete_tag("r", "i", "v2"));
        assert!(gone.applied);
        assert!(!store.apply(&Change::delete_tag("r", "i", "v2")).applied, "nothing left to delete");
        assert_eq!(store.changes().len(), 2);
    }

    #[test]
    fn the_clock_can_be_set() {
        let mut store = Store::new("org-test".into());
        store.set_clock(1_800_000_000);
        assert_eq!(store.tick(), 1_800_000_060);
    }
}
