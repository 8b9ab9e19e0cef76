//! Running the `uhub` binary against a uhub-mock the test started, with a home directory of its
//! own (so a developer's ~/.ucloud is never read) and every wait bounded.

#![allow(dead_code)]

pub mod pty;

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use uhub_mock::MockHandle;
use uhub_sdk::{Client, RetryPolicy};

/// No command in these tests should take longer.
pub const LIMIT: Duration = Duration::from_secs(60);

/// Unix seconds now, for placing tags in time.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

pub const DAY: i64 = 86_400;

/// An image `app` with v1 … v5 pushed 60, 50, 40, 20 and 1 days before `t`; `latest` an alias
/// of v5.
pub fn five(t: i64) -> uhub_mock::Image {
    uhub_mock::Image::new("app")
        .tag_at("v1", t - 60 * DAY)
        .tag_at("v2", t - 50 * DAY)
        .tag_at("v3", t - 40 * DAY)
        .tag_at("v4", t - 20 * DAY)
        .tag_at("v5", t - DAY)
        .alias("latest", "v5")
}

/// The cosign-style accessory tag of an image whose digest is `digest`: `sha256-<hex>.<suffix>`.
pub fn accessory(digest: &str, suffix: &str) -> String {
    format!("sha256-{}.{suffix}", digest.strip_prefix("sha256:").expect("a sha256 digest"))
}

/// The accessories [`five_signed`] adds, in the order it returns their names.
pub const SIGNED: [(&str, &str); 4] = [("v1", "sig"), ("v1", "att"), ("v3", "sig"), ("v4", "sig")];

/// A mock (drift on: times as Unix seconds) with `five(t)` as repository `r`, and accessory
/// tags pushed an hour before `t`, after every image: the [`SIGNED`] ones, then a signature of
/// a digest no tag has (an orphan). Returns the mock and the accessories' names in that order.
pub async fn five_signed(t: i64) -> (MockHandle, Vec<String>) {
    let mock = uhub_mock::MockUHub::builder()
        .repo(uhub_mock::Repo::new("r").image(five(t)))
        .start()
        .await
        .expect("mock starts");
    mock.set_drift(true);
    let mut names = Vec::new();
    for (subject, suffix) in SIGNED {
        let digest = digest_of(&mock, "r", "app", subject).await.expect("the subject exists");
        names.push(accessory(&digest, suffix));
    }
    names.push(accessory(&format!("sha256:{}", "0f".repeat(32)), "sig"));
    // The mock's digests follow from the names, so the images keep theirs when seeded again.
    let image = names.iter().fold(five(t), |image, name| image.tag_at(name.as_str(), t - 3600));
    mock.add_repo(uhub_mock::Repo::new("r").image(image));
    (mock, names)
}

/// Variables that could point the binary elsewhere than the test's mock.
const CLEARED: &[&str] = &[
    "UCLOUD_PUBLIC_KEY",
    "UCLOUD_PRIVATE_KEY",
    "UCLOUD_SECURITY_TOKEN",
    "UCLOUD_PROJECT_ID",
    "UCLOUD_API_BASE_URL",
    "UCLOUD_PROVIDER",
    "UCLOUD_TIMEOUT_SECOND",
    "UCLOUD_PROFILE",
    "UCLOUD_SHARED_CONFIG_FILE",
    "UCLOUD_SHARED_CREDENTIAL_FILE",
    "UHUB_REGISTRY",
    "UHUB_REGISTRY_CREDS",
    "DOCKER_CONFIG",
    "UHUB_CONCURRENCY",
    "UHUB_SRC_CREDS",
    "UHUB_DEST_CREDS",
    "UHUB_SHARD",
    "DOCKER_CONFIG",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];

/// What a run of `uhub` left.
#[derive(Debug)]
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:#?}"))
    }

    /// Asserts success and returns stdout as JSON.
    pub fn ok_json(&self) -> Value {
        assert_eq!(self.status, 0, "{self:#?}");
        self.json()
    }
}

/// `uhub` with its environment: a temporary HOME and nothing inherited that configures it.
pub struct Uhub {
    home: tempfile::TempDir,
    vars: Vec<(String, String)>,
    base_url: Option<String>,
}

impl Uhub {
    /// Pointed at `mock` with its key pair in the environment.
    pub fn for_mock(mock: &MockHandle) -> Uhub {
        let mut uhub = Uhub::bare();
        uhub.vars.push(("UCLOUD_PUBLIC_KEY".into(), mock.public_key().into()));
        uhub.vars.push(("UCLOUD_PRIVATE_KEY".into(), mock.private_key().into()));
        uhub.base_url = Some(mock.base_url().to_owned());
        uhub
    }

    /// No keys, no endpoint: only the empty home.
    pub fn bare() -> Uhub {
        Uhub { home: tempfile::tempdir().expect("temp dir"), vars: Vec::new(), base_url: None }
    }

    pub fn var(mut self, name: &str, value: &str) -> Uhub {
        self.vars.push((name.into(), value.into()));
        self
    }

    pub fn home(&self) -> &std::path::Path {
        self.home.path()
    }

    /// The same program, environment and arguments, to run in a pseudo-terminal.
    pub fn pty_command(&self, args: &[&str]) -> portable_pty::CommandBuilder {
        self.pty_with(portable_pty::CommandBuilder::new(env!("CARGO_BIN_EXE_uhub")), args)
    }

    /// As [`Uhub::pty_command`], with stdout redirected to `stdout` (as `uhub ... > file`):
    /// stdin and stderr stay the terminal.
    pub fn pty_command_stdout_to(&self, args: &[&str], stdout: &std::path::Path) -> portable_pty::CommandBuilder {
        let mut sh = portable_pty::CommandBuilder::new("sh");
        sh.args(["-c", r#"out="$1"; shift; exec "$@" > "$out""#, "sh"]);
        sh.arg(stdout);
        sh.arg(env!("CARGO_BIN_EXE_uhub"));
        self.pty_with(sh, args)
    }

    fn pty_with(&self, mut cmd: portable_pty::CommandBuilder, args: &[&str]) -> portable_pty::CommandBuilder {
        for name in CLEARED {
            cmd.env_remove(name);
        }
        cmd.env("HOME", self.home.path());
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        for (name, value) in &self.vars {
            cmd.env(name, value);
        }
        if let Some(url) = &self.base_url {
            cmd.args(["--base-url", url]);
        }
        cmd.args(args);
        cmd
    }

    /// Starts `uhub` with stdin closed and output piped, for a test that signals it.
    pub fn spawn(&self, args: &[&str]) -> tokio::process::Child {
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::null());
        cmd.spawn().expect("uhub starts")
    }

    fn command(&self, args: &[&str]) -> tokio::process::Command {
        self.configured(tokio::process::Command::new(env!("CARGO_BIN_EXE_uhub")), args)
    }

    /// `uhub` run by `sh` after `setup` (e.g. `ulimit -f 0`), stdin closed, output piped.
    pub async fn run_after(&self, setup: &str, args: &[&str]) -> Run {
        let mut sh = tokio::process::Command::new("sh");
        sh.args(["-c", &format!("{setup}; exec \"$@\""), "sh", env!("CARGO_BIN_EXE_uhub")]);
        let mut cmd = self.configured(sh, args);
        cmd.stdin(Stdio::null());
        self.finish(cmd, args, None, false).await
    }

    /// Starts `uhub` with stdin a pipe the caller holds open (and may write to), output piped.
    pub fn spawn_with_stdin(&self, args: &[&str]) -> (tokio::process::Child, tokio::process::ChildStdin) {
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::piped());
        let mut child = cmd.spawn().expect("uhub starts");
        let stdin = child.stdin.take().expect("stdin is piped");
        (child, stdin)
    }

    /// Runs with stdin read from `file` (a device such as `/dev/zero`).
    pub async fn run_with_stdin_from(&self, args: &[&str], file: std::fs::File) -> Run {
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::from(file));
        self.finish(cmd, args, None, false).await
    }

    fn configured(&self, mut cmd: tokio::process::Command, args: &[&str]) -> tokio::process::Command {
        for name in CLEARED {
            cmd.env_remove(name);
        }
        cmd.env("HOME", self.home.path()).env("NO_COLOR", "1").envs(self.vars.iter().cloned());
        if let Some(url) = &self.base_url {
            cmd.args(["--base-url", url]);
        }
        cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
        cmd
    }

    /// Runs with stdin closed (as in CI): output piped, so JSON unless told otherwise.
    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, None).await
    }

    pub async fn run_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_piped(args, stdin, false).await
    }

    /// Runs with stdin a pipe that stays open and silent, as in a CI job whose input nobody
    /// closes: nothing may wait on it.
    pub async fn run_with_stdin_open(&self, args: &[&str]) -> Run {
        self.run_piped(args, Some(""), true).await
    }

    async fn run_piped(&self, args: &[&str], stdin: Option<&str>, keep_open: bool) -> Run {
        let mut cmd = self.command(args);
        cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        self.finish(cmd, args, stdin, keep_open).await
    }

    async fn finish(
        &self,
        mut cmd: tokio::process::Command,
        args: &[&str],
        stdin: Option<&str>,
        keep_open: bool,
    ) -> Run {
        let mut child = cmd.spawn().expect("uhub starts");
        let mut open = None;
        if let Some(text) = stdin {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            pipe.write_all(text.as_bytes()).await.expect("stdin takes the input");
            if keep_open {
                open = Some(pipe);
            }
        }
        let output = tokio::time::timeout(LIMIT, child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("uhub {args:?} ran longer than {LIMIT:?}"))
            .expect("uhub runs");
        drop(open);
        Run {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// A client for checking the mock's state afterwards (no retries: counts stay exact).
pub fn client(mock: &MockHandle) -> Client {
    mock.client_builder().retry_policy(RetryPolicy::disabled()).build().expect("client builds")
}

/// The mock's tags of an image, newest first; empty when the image is gone.
pub async fn tag_names(mock: &MockHandle, repo: &str, image: &str) -> Vec<String> {
    let listing = client(mock).get_image_tag(repo, image).into_paginator().collect_all();
    match tokio::time::timeout(LIMIT, listing).await.expect("listing in time") {
        Ok(tags) => tags.into_iter().map(|t| t.tag_name).collect(),
        Err(e) if e.code() == Some(uhub_mock::Code::ImageNotFound.ret_code()) => Vec::new(),
        Err(e) => panic!("listing {repo}/{image}: {e}"),
    }
}

/// The `tag` field of every element of a JSON array.
pub fn tags_of(json: &Value) -> Vec<String> {
    json.as_array().expect("a JSON array").iter().map(|t| t["tag"].as_str().expect("a tag").to_owned()).collect()
}

/// A tag's digest on the mock now; `None` when it does not exist.
pub async fn digest_of(mock: &MockHandle, repo: &str, image: &str, tag: &str) -> Option<String> {
    let found = client(mock).get_image_tag(repo, image).tag_name(tag).await.ok()?;
    found.tag_set.into_iter().find(|t| t.tag_name == tag).and_then(|t| t.digest)
}

/// A fleet for `uhub mirror` tests, pushed to a real registry: `repositories` repositories
/// (`fleet/app000`, ...), each with images `1.0` and `1.1` and a `latest` tag naming `1.1`.
/// `layers(repository, image, seed)` gives each image's layers (size, seed); `first_seed`
/// keeps two tests' fleets from sharing blobs they do not mean to.
pub async fn seed_fleet(
    src: &uhub_testreg::Target,
    repositories: usize,
    first_seed: u64,
    layers: impl Fn(usize, usize, u64) -> Vec<(usize, u64)>,
) -> std::collections::BTreeMap<String, Vec<(String, uhub_testreg::Pushed)>> {
    use uhub_testreg::image;
    let mut fleet = std::collections::BTreeMap::new();
    for r in 0..repositories {
        let repository = format!("fleet/app{r:03}");
        let mut images = Vec::new();
        for (t, tag) in ["1.0", "1.1"].into_iter().enumerate() {
            let seed = first_seed + (r * 10 + t) as u64;
            images.push((tag.to_owned(), image::push_layered(src, &repository, tag, &layers(r, t, seed), seed).await));
        }
        let newest = images[1].1.clone();
        image::tag_manifest(src, &repository, &newest.digest, "latest").await;
        images.push(("latest".to_owned(), newest));
        fleet.insert(repository, images);
    }
    fleet
}
