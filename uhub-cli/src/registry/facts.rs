//! Registry facts in listings: each tag's compressed size and platforms, and the bytes a
//! repository stores, read from the UHub registry itself (the management API knows neither),
//! for `tag list --size --platforms` and `report --size`.
//!
//! Only those flags reach the registry; without them no command does. The registry is the one
//! pinned references use (`--registry`, `UHUB_REGISTRY`, else the provider's), the credentials
//! `UHUB_REGISTRY_CREDS` (`USER:PASS`), else Docker's config for that host, else none. A tag
//! the registry does not have (deleted or pushed since the listing) shows no facts; any other
//! failure ends the command with what to set.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use uhub_registry::{Credentials, Error, ImageFacts, Registry};

use crate::context::Ctx;
use crate::exit;
use crate::input::refs::ImageRef;
use crate::tag::Tag;
use crate::terminal::progress::Progress;

/// The variable holding the registry's credentials as `USER:PASS`.
pub const CREDS_VAR: &str = "UHUB_REGISTRY_CREDS";

/// The configured UHub registry, ready to read facts.
pub struct Facts {
    registry: Registry,
}

/// One image's tag to read: where, and by which name.
pub struct Wanted<'a> {
    pub image: &'a ImageRef,
    pub tag: &'a Tag,
}

impl Facts {
    /// The registry `flag` (`--size`, `--platforms`) needs, or a usage error saying what to set.
    pub fn connect(ctx: &Ctx, flag: &str) -> anyhow::Result<Facts> {
        if ctx.is_demo() {
            return Err(exit::usage(format!(
                "{flag} reads the registry, and --demo has none: run it against your account"
            )));
        }
        let host = ctx.registry_host().map_err(|e| exit::usage(format!("{flag} reads the registry: {e}")))?;
        let explicit = match std::env::var(CREDS_VAR) {
            Ok(pair) => Some(pair),
            Err(std::env::VarError::NotPresent) => None,
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(exit::usage(format!("{CREDS_VAR} is not UTF-8; set it to USER:PASS")));
            }
        };
        let credentials = Credentials::resolve(&host, explicit.as_deref()).map_err(|e| match explicit {
            Some(_) => exit::usage(format!("{CREDS_VAR}: {e}")),
            None => exit::usage(format!("{flag}: credentials for {host}: {e}")),
        })?;
        let registry = Registry::new(&host, credentials).map_err(|e| exit::usage(format!("{flag}: {e}")))?;
        let registry = ctx.allowed_realms.iter().fold(registry, |r, realm| r.allow_credentials_to_realm(realm.clone()));
        Ok(Facts { registry })
    }

    /// The facts of each wanted tag, in order, `concurrency` reads at a time. Tags of one
    /// image sharing a digest are read once. `None` for a tag the registry does not have
    /// (under any of the names of its digest).
    pub async fn read(
        &self,
        wanted: &[Wanted<'_>],
        concurrency: usize,
        progress: &Progress,
    ) -> anyhow::Result<Vec<Option<Arc<ImageFacts>>>> {
        // Tags of one image with one digest (on the API) are a group, read once: by its first
        // name, or the next when the registry lacks that one.
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut group_of: HashMap<(&ImageRef, &str), usize> = HashMap::new();
        for (i, w) in wanted.iter().enumerate() {
            match w.tag.digest.as_deref() {
                Some(digest) => match group_of.get(&(w.image, digest)) {
                    Some(&g) => groups[g].push(i),
                    None => {
                        group_of.insert((w.image, digest), groups.len());
                        groups.push(vec![i]);
                    }
                },
                None => groups.push(vec![i]),
            }
        }
        progress.add_total(groups.len() as u64);
        let read: Vec<(usize, Option<Arc<ImageFacts>>)> = futures::stream::iter(groups.iter().enumerate())
            .map(|(g, members)| async move {
                let mut found = None;
                for &i in members {
                    let w = &wanted[i];
                    let repository = format!("{}/{}", w.image.repo, w.image.image);
                    match self.registry.image_facts(&repository, &w.tag.name).await {
                        Ok(facts) => {
                            found = Some(Arc::new(facts));
                            break;
                        }
                        Err(Error::NotFound { .. }) => continue,
                        Err(e) => return Err(self.explain(e)),
                    }
                }
                progress.advance(1);
                Ok((g, found))
            })
            .buffer_unordered(concurrency.max(1))
            .try_collect()
            .await?;
        let mut facts: Vec<Option<Arc<ImageFacts>>> = vec![None; wanted.len()];
        for (g, found) in read {
            for &i in &groups[g] {
                facts[i] = found.clone();
            }
        }
        let missing = facts.iter().filter(|f| f.is_none()).count();
        if missing > 0 {
            crate::terminal::output::note(&format!(
                "{missing} tag(s) not found in the registry {} (deleted or pushed since the listing?); shown as -",
                self.registry.host()
            ));
        }
        Ok(facts)
    }

    /// The error for a failed read, with what to set when the cause is ours to fix.
    fn explain(&self, e: Error) -> anyhow::Error {
        let host = self.registry.host();
        match &e {
            Error::Denied { .. } => anyhow::anyhow!(
                "{e}: set {CREDS_VAR}=USER:PASS (the account's registry login, as for docker login {host}) or run \
                 docker login {host}"
            ),
            Error::Registry { status: None, .. } => anyhow::anyhow!(
                "{e}: is {host} this account's registry? Set --registry HOST or UHUB_REGISTRY to the one to read"
            ),
            _ => anyhow::Error::new(e),
        }
    }
}

/// The bytes a set of images stores: each distinct blob once, and each distinct image's
/// manifests once.
pub fn stored_bytes<'a>(facts: impl IntoIterator<Item = &'a ImageFacts>) -> u64 {
    let mut blobs: HashSet<&str> = HashSet::new();
    let mut images: HashSet<&str> = HashSet::new();
    let mut total = 0;
    for f in facts {
        if images.insert(&f.digest) {
            let blob_bytes: u64 = f.blobs.iter().map(|(_, size)| size).sum();
            total += f.compressed_size.saturating_sub(blob_bytes);
        }
        for (digest, size) in &f.blobs {
            if blobs.insert(digest) {
                total += size;
            }
        }
    }
    total
}

/// A size as people read it, in powers of 1000 as docker shows them: `532 B`, `1.2 kB`,
/// `45.3 MB`, `187 MB`, `1.07 GB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    match unit {
        0 => format!("{bytes} B"),
        _ if value >= 100.0 => format!("{value:.0} {}", UNITS[unit]),
        _ if value >= 10.0 => format!("{value:.1} {}", UNITS[unit]),
        _ => format!("{value:.2} {}", UNITS[unit]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(digest: &str, manifests: u64, blobs: &[(&str, u64)]) -> ImageFacts {
        let blob_bytes: u64 = blobs.iter().map(|(_, s)| s).sum();
        ImageFacts {
            digest: digest.into(),
            platforms: Vec::new(),
            compressed_size: manifests + blob_bytes,
            blobs: blobs.iter().map(|(d, s)| ((*d).to_owned(), *s)).collect(),
            children: Vec::new(),
        }
    }

    #[test]
    fn stored_bytes_count_each_blob_and_each_image_once() {
        let a = facts("sha256:a", 10, &[("l1", 1000), ("l2", 200)]);
        let b = facts("sha256:b", 20, &[("l1", 1000), ("l3", 30)]);
        assert_eq!(stored_bytes([&a, &b]), 10 + 20 + 1000 + 200 + 30, "l1 shared");
        assert_eq!(stored_bytes([&a, &a, &b]), 1260, "an image named twice (two tags) counts once");
        assert_eq!(stored_bytes([]), 0);
    }

    #[test]
    fn sizes_read_as_docker_shows_them() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_234), "1.23 kB");
        assert_eq!(human_bytes(45_300_000), "45.3 MB");
        assert_eq!(human_bytes(187_499_999), "187 MB");
        assert_eq!(human_bytes(1_070_000_000), "1.07 GB");
        assert_eq!(human_bytes(u64::MAX), "18447 PB");
    }
}
