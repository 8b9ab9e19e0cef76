//! What a run has put into its destinations, shared by all its copies: each blob brought
//! into a repository once, and each repository's blobs offered to the registry's others.
//!
//! docker-registry rewrites a blob's link in a repository each time the blob is uploaded
//! there; two copies of one run uploading the same blob to one repository at once (two tags
//! of one image, two images sharing a layer) let one copy's manifest be checked while the
//! other rewrites the link, and the registry refuses it (`DIGEST_INVALID`,
//! `MANIFEST_BLOB_UNKNOWN`). So a blob (or a platform's manifest) on its way into a
//! repository is waited for by every other copy that needs it there, never sent twice; when
//! the copy bringing it fails, the next one waiting brings it itself.
//!
//! A registry holding a blob in one repository can mount it into another without the bytes
//! travelling again, so the ledger also remembers, per registry, a repository where each blob
//! is: a copy needing a blob another copy of the run is still sending to that registry waits
//! for it and then mounts it.
//!
//! An image's accessories (signatures, attestations, referrers) are brought into a repository
//! once per run too, whichever of the run's images (two tags of one digest) found them; and
//! the ledger remembers which registries have no referrers API, so the run asks each once.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use crate::Error;
use crate::accessories::AccessoryReport;

/// One cell per key: empty until its thing is in, initialised by one caller at a time.
type Cells<K, V> = Mutex<HashMap<K, Arc<OnceCell<V>>>>;
/// (registry, repository, digest).
type InRepository = (String, String, String);

/// The blobs and manifests a run has committed (or is committing) in its destinations.
/// Cloning a [`crate::CopyOptions`] shares it, so every copy made with clones of one options
/// value is one run.
#[derive(Default)]
pub struct Ledger {
    /// (registry, repository, digest): the blob is in that repository.
    blobs: Cells<InRepository, ()>,
    /// (registry, repository, digest): the platform's manifest is in that repository.
    manifests: Cells<InRepository, ()>,
    /// (registry, digest): a repository of that registry holding the blob.
    holders: Cells<(String, String), String>,
    /// (registry, repository, subject digest): the accessories brought for that image.
    accessories: Cells<InRepository, Vec<AccessoryReport>>,
    /// Registries that answered whether they have the referrers API.
    referrers_api: Mutex<HashMap<String, bool>>,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let blobs = self.blobs.lock().expect("ledger").len();
        f.debug_struct("Ledger").field("blobs", &blobs).finish_non_exhaustive()
    }
}

fn cell<K: Eq + std::hash::Hash, V>(map: &Cells<K, V>, key: K) -> Arc<OnceCell<V>> {
    map.lock().expect("ledger").entry(key).or_default().clone()
}

/// Runs `bring` unless another copy of the run already did (or is doing it: then waits for
/// it, and runs `bring` itself if that one fails); whether this call ran it successfully.
async fn once<F, Fut>(cell: &OnceCell<()>, bring: F) -> Result<bool, Error>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(), Error>>,
{
    let mut ran = false;
    cell.get_or_try_init(|| {
        ran = true;
        bring()
    })
    .await?;
    Ok(ran)
}

impl Ledger {
    /// A fresh ledger: a run that has sent nothing yet.
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Brings blob `digest` into `repository` of `registry` with `bring` once per run; `false`
    /// when another copy brought it (this one waited).
    pub(crate) async fn blob<F, Fut>(
        &self,
        registry: &str,
        repository: &str,
        digest: &str,
        bring: F,
    ) -> Result<bool, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(), Error>>,
    {
        let cell = cell(&self.blobs, (registry.to_owned(), repository.to_owned(), digest.to_owned()));
        once(&cell, bring).await
    }

    /// Pushes a platform's manifest `digest` into `repository` of `registry` with `push` once
    /// per run; `false` when another copy pushed it.
    pub(crate) async fn manifest<F, Fut>(
        &self,
        registry: &str,
        repository: &str,
        digest: &str,
        push: F,
    ) -> Result<bool, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(), Error>>,
    {
        let cell = cell(&self.manifests, (registry.to_owned(), repository.to_owned(), digest.to_owned()));
        once(&cell, push).await
    }

    /// Sends blob `digest` to `registry` once per run: `send` puts it into `repository`; a
    /// later (or waiting) caller gets the repository that holds it, to mount from. `Ok(None)`
    /// when this call sent it.
    pub(crate) async fn send_once<F, Fut>(
        &self,
        registry: &str,
        repository: &str,
        digest: &str,
        send: F,
    ) -> Result<Option<String>, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(), Error>>,
    {
        let cell = cell(&self.holders, (registry.to_owned(), digest.to_owned()));
        let mut ran = false;
        let holder = cell
            .get_or_try_init(|| {
                ran = true;
                async {
                    send().await?;
                    Ok::<_, Error>(repository.to_owned())
                }
            })
            .await?;
        Ok((!ran).then(|| holder.clone()))
    }

    /// Brings the accessories of `subject` into `repository` of `registry` with `bring` once
    /// per run: what `bring` reported, and whether this call ran it (`false`: another copy of
    /// the run brought them and this one waited; a failed `bring` is run again by the next).
    pub(crate) async fn accessories<F, Fut>(
        &self,
        registry: &str,
        repository: &str,
        subject: &str,
        bring: F,
    ) -> Result<(Vec<AccessoryReport>, bool), Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<AccessoryReport>, Error>>,
    {
        let cell = cell(&self.accessories, (registry.to_owned(), repository.to_owned(), subject.to_owned()));
        let mut ran = false;
        let reports = cell
            .get_or_try_init(|| {
                ran = true;
                bring()
            })
            .await?;
        Ok((reports.clone(), ran))
    }

    /// Whether `registry` has the referrers API, when the run has asked it.
    pub(crate) fn referrers_api(&self, registry: &str) -> Option<bool> {
        self.referrers_api.lock().expect("ledger").get(registry).copied()
    }

    /// What `registry` answered to the referrers API.
    pub(crate) fn learn_referrers_api(&self, registry: &str, has: bool) {
        self.referrers_api.lock().expect("ledger").insert(registry.to_owned(), has);
    }

    /// Notes that `repository` of `registry` holds blob `digest` (found there), so the run's
    /// other repositories of that registry mount it from there.
    pub(crate) fn holds(&self, registry: &str, repository: &str, digest: &str) {
        let cell = cell(&self.holders, (registry.to_owned(), digest.to_owned()));
        // Already set (or being set by a sender): that holder does as well.
        let _ = cell.set(repository.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_blob_is_brought_once_and_a_failed_bringing_is_taken_over() {
        let ledger = Ledger::new();
        let runs = AtomicUsize::new(0);
        let failing = ledger
            .blob("r", "a", "sha256:1", || async {
                runs.fetch_add(1, Ordering::SeqCst);
                Err(Error::Interrupted)
            })
            .await;
        assert!(matches!(failing, Err(Error::Interrupted)));
        let bring = || async {
            runs.fetch_add(1, Ordering::SeqCst);
            Ok(())
        };
        let (first, second) =
            futures::join!(ledger.blob("r", "a", "sha256:1", bring), ledger.blob("r", "a", "sha256:1", bring));
        assert_eq!((first.unwrap(), second.unwrap()), (true, false));
        // Another repository of the registry brings it too (to be mounted there).
        assert!(ledger.blob("r", "b", "sha256:1", bring).await.unwrap());
        assert_eq!(runs.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_blob_is_sent_to_a_registry_once_and_then_named_for_mounting() {
        let ledger = Ledger::new();
        let sent = ledger.send_once("r", "a", "sha256:1", || async { Ok(()) }).await.unwrap();
        let again = ledger.send_once("r", "b", "sha256:1", || async { panic!("sent twice") }).await.unwrap();
        assert_eq!((sent, again), (None, Some("a".to_owned())));
        ledger.holds("r", "c", "sha256:2");
        let found = ledger.send_once("r", "d", "sha256:2", || async { panic!("sent though held") }).await.unwrap();
        assert_eq!(found.as_deref(), Some("c"));
    }
}
