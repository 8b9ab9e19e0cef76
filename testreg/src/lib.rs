//! Real registries for the workspace's tests and benchmarks: the CNCF Distribution registry
//! (Debian's `docker-registry`) started on 127.0.0.1, HTTP proxies in front of it that count,
//! fail on demand or demand bearer tokens, and images built from a seed and pushed with the
//! raw protocol.
//!
//! ```text
//! Registry::start() -> Registry                     anonymous; killed, reaped, files removed on drop
//! Registry::start_basic(user, password) -> Registry htpasswd (bcrypt) basic auth
//!   .host() -> "127.0.0.1:PORT"   .target() -> Target   .storage_dir() -> &Path   .log() -> String   .pid()
//!
//! Proxy::counting(upstream_host) -> Proxy           forwards everything, counts
//! Proxy::token(upstream_host, user, password)       demands `Bearer` tokens from its own /token
//!   .host()   .counts() -> Counts   .requests_seen() -> Vec<(method, path?query)>   .reset()   .fail(FailRule)   .clear_failures()
//! Counts { by: BTreeMap<(method, Kind), Tally { requests, bytes_in, bytes_out }> }
//!   .get(method, Kind) .requests(..) .bytes_in(..) .bytes_out(..) .total_requests() .total_bytes_in() .total_bytes_out()
//!   Kind = Manifest | Blob | Upload | Tags | Token | Other (Display: "GET blob 3 (1.2 MB out)", ...)
//! FailRule::new("GET", Kind::Blob).nth(2).times(1)       the 2nd matching request since added (default: 1st, once)
//!   .with(Failure::Status(503) | Failure::Close | Failure::CutBody(bytes) | Failure::Delay(duration))
//!   .query_contains("mount=")                           only requests whose query holds that text
//! proxy.rate_limit(every, "1")                          every `every`-th request: 429 with Retry-After: 1, and all for 1 s after
//! proxy.rate_limited() -> u64                           how many it answered 429 so far
//!
//! Target { host, basic: Option<(user, password)> }   Target::anonymous(host), Target::basic(host, u, p)
//! image::push_image(&t, repo, tag, layer_sizes, seed).await -> Pushed          linux/amd64, OCI manifest
//! image::push_layered(&t, repo, tag, &[(size, seed)], seed).await -> Pushed     layers shared by (size, seed, position)
//! image::push_index(&t, repo, tag, platforms, layer_sizes, seed).await -> Pushed   OCI index
//! image::push_signature(&t, repo, subject_digest).await -> Pushed               tag sha256-<hex>.sig
//! image::push_attestation(&t, repo, subject_digest).await -> Pushed             tag sha256-<hex>.att
//! image::push_referrer(&t, repo, subject_digest, artifact_type, seed).await -> Pushed   OCI 1.1 referrer, by
//!   digest, added to the fallback tag sha256-<hex> (an index of the subject's referrers)
//! image::head_manifest(&t, repo, reference).await -> Option<String>             digest from HEAD
//! image::get_manifest(&t, repo, reference).await -> Option<(media type, bytes)>
//! image::get_blob(&t, repo, digest).await -> Option<bytes>   image::catalog(&t).await, image::tags(&t, repo).await -> sorted names
//! image::tag_manifest(&t, repo, digest, tag).await -> String                  the manifest tagged again
//! image::assert_same_image(&src, src_repo, &dst, dst_repo, reference).await -> usize (blobs checked)
//! Pushed { digest, children: Vec<(platform, digest)>, blobs: Vec<(digest, size)> }   .blob_bytes()
//! digest(bytes) -> "sha256:<hex>"
//! fake::source(manifest_reply, digest, |path| blob_bytes).await -> uhub_loopback::Server   scripted source
//! fake::index_source(children, padding).await -> (Server, index digest)       an index of padded children
//! fake::sink().await -> Server                        takes every manifest, has every blob, keeps nothing
//! fake::Scripted::default().manifest(..).blob(..).referrers(digest, reply).start().await -> Server
//!   serves the manifests and blobs given (by tag or digest), and the referrers API as scripted
//! peak::run(Command, limit) -> Finished { status, stdout, stderr, peak_kib }   a child's peak RSS (wait4)
//! install::docker_registry(), install::skopeo() -> PathBuf                     installed if missing
//! ```
//!
//! The image helpers are async (reqwest) and work through a token proxy (they follow the
//! bearer challenge with the target's basic credentials). Registries and proxies are
//! synchronous to start and stop, usable from a test or a bench with or without a runtime:
//! each proxy runs on a thread of its own.
//!
//! **A fresh machine.** The first registry a process starts finds `docker-registry` on `PATH`
//! or runs `install-tools.sh` (beside this crate's manifest; `.ci/run` runs it too) once,
//! under a lock that parallel test binaries share, for at most 10 minutes; if the tool is still
//! missing it panics with the command to run. Tests that need a registry never skip.
//!
//! **Nothing outlives the test process.** Each registry is a child process that gets SIGKILL
//! when the process ends (`PR_SET_PDEATHSIG`, from a thread that lives as long as the process),
//! and is killed and reaped when its [`Registry`] is dropped; a [`Proxy`] stops its thread and
//! closes its connections when dropped.

pub mod fake;
pub mod image;
pub mod install;
mod layer;
pub mod peak;
mod proxy;
mod registry;
mod session;
mod spawn;

pub use layer::digest;
pub use proxy::{Counts, FailRule, Failure, Kind, MAX_SEEN, Proxy, Tally};
pub use registry::Registry;

/// Where the image helpers push and read: a `host:port` spoken to over plain HTTP, with basic
/// credentials (also used to fetch a token when the host demands one).
#[derive(Clone)]
pub struct Target {
    pub host: String,
    pub basic: Option<(String, String)>,
}

impl Target {
    pub fn anonymous(host: impl Into<String>) -> Target {
        Target { host: host.into(), basic: None }
    }

    pub fn basic(host: impl Into<String>, user: &str, password: &str) -> Target {
        Target { host: host.into(), basic: Some((user.to_owned(), password.to_owned())) }
    }
}

impl std::fmt::Debug for Target {
    // Test passwords are not secrets, but the habit is kept: no password in Debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let user = self.basic.as_ref().map(|(user, _)| user.as_str());
        f.debug_struct("Target").field("host", &self.host).field("user", &user).finish_non_exhaustive()
    }
}

/// What a push helper pushed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pushed {
    /// The digest of the manifest (or index) the tag points to.
    pub digest: String,
    /// For an index: each platform (`linux/amd64`) and its manifest's digest.
    pub children: Vec<(String, String)>,
    /// Every blob pushed (configs and layers, each once): digest and size.
    pub blobs: Vec<(String, u64)>,
}

impl Pushed {
    /// The bytes of all blobs.
    pub fn blob_bytes(&self) -> u64 {
        self.blobs.iter().map(|(_, size)| size).sum()
    }
}
