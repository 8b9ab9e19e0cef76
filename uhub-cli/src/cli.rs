//! The command line as clap derives it: global flags, commands, their help and examples.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::input::refs::{ImageRef, Reference, TagArg, Target};

const ABOUT: &str = "Manage UHub container image repositories, images and tags, led by safe tag retention";

const EXAMPLES: &str = "\
Examples:
  uhub --demo tag list web/nginx --newest 5      try it with no account (in-process demo data)
  uhub repo list                                 private and public repositories
  uhub tag list backend/api-server --group-by-digest
  uhub prune backend --keep-last 10 --older-than 30d          print the plan (a dry run)
  uhub prune backend --keep-last 10 --older-than 30d --apply  delete what the plan says
  uhub prune --policy retention.toml --apply --yes -o json     in CI
  uhub wait web/nginx:1.4.2 --timeout 10m && uhub digest web/nginx:1.4.2 --ref
  uhub mirror nginx:1.27 --to uhub.service.ucloud.cn/mirror   copy every platform into UHub

Configuration (flags > environment > ucloud-cli's files): keys from UCLOUD_PUBLIC_KEY and
UCLOUD_PRIVATE_KEY or ~/.ucloud/credential.json; `uhub config show` says where each setting
came from.

Output is a table when stdout is a terminal and JSON otherwise (-o to choose). Progress bars go
to stderr, only on a terminal. Destructive commands ask first; without a terminal they need
--yes.

Exit status:
  0  success
  1  error (the message on stderr names the request id when the service gave one)
  2  usage: bad arguments, or a destructive command without --yes and no terminal to ask on
  3  prune: the plan deletes more than --max-delete allows; nothing was deleted
  4  some deletions (prune, tag delete) or copies (mirror) failed; the report says which; run it
     again to finish
  5  timed out (--timeout, or wait's deadline); a deletion run reports what it did first
  6  some tags changed since the plan (pushed again) and were left alone; nothing failed
  7  declined at the prompt; nothing was changed
  130 interrupted (Ctrl-C, SIGTERM); a deletion run finishes those in flight and reports first";

/// `uhub`: a command-line tool for UHub, the container registry of UCloud, SurferCloud and
/// GenesisAI.
#[derive(Parser, Debug)]
#[command(name = "uhub", version, about = ABOUT, after_long_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// How long a command may take when `--timeout` is not given (see [`Global::limit`]).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// Flags every command accepts, before or after its name. In a command's help they come after
/// its own options, under their own heading.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Profile of ucloud-cli's files to use (default: UCLOUD_PROFILE, else the active one)
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// Provider whose API to call (default: UCLOUD_PROVIDER, the files, else ucloud)
    #[arg(long, global = true, value_enum, conflicts_with = "base_url")]
    pub provider: Option<Provider>,

    /// API base URL, e.g. a proxy or a fake of the service (default: UCLOUD_API_BASE_URL)
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,

    /// Project to act in (default: UCLOUD_PROJECT_ID, else the profile's project_id)
    #[arg(long, global = true, value_name = "PROJECT_ID")]
    pub project: Option<String>,

    /// Output format (default: table on a terminal, json otherwise)
    #[arg(short = 'o', long, global = true, value_enum)]
    pub output: Option<Format>,

    /// Print names only, one per line (for pipes)
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Do not ask before deleting (needed when there is no terminal to ask on)
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,

    /// Print the SDK's tracing (calls, attempts, request ids) on stderr; secrets are never shown
    #[arg(long, global = true)]
    pub debug: bool,

    /// Give up after this long, e.g. 90s, 30m, 2h; 0 for no limit (default 10m; for `wait`, how
    /// long to wait)
    #[arg(long, global = true, value_name = "DURATION", value_parser = crate::time::parse_duration)]
    pub timeout: Option<Duration>,

    /// Most requests in flight at once for listings and deletions
    #[arg(long, global = true, value_name = "N", env = "UHUB_CONCURRENCY", default_value_t = 8,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,

    /// Never draw progress bars
    #[arg(long, global = true)]
    pub no_progress: bool,

    /// Registry host for pinned references (default: the provider's, see `uhub digest --help`)
    #[arg(long, global = true, value_name = "HOST", env = "UHUB_REGISTRY")]
    pub registry: Option<String>,

    /// Send registry credentials to this token realm host although it is another host than
    /// the registry's domain, or plain http (risky: that host gets your password); repeatable
    #[arg(long, global = true, value_name = "HOST[:PORT]")]
    pub allow_credentials_to_realm: Vec<String>,

    /// Run against an in-process fake UHub with demo data: no account, nothing leaves the
    /// machine, and changes last only for this one command
    #[arg(long, global = true, conflicts_with_all = ["base_url", "provider", "profile"])]
    pub demo: bool,
}

impl Global {
    /// The whole command's time limit: `--timeout`, else [`DEFAULT_TIMEOUT`]; `None` for
    /// `--timeout 0`.
    ///
    /// A person at a terminal should not wait on a hung network forever, and every single call
    /// is already bounded (the SDK's attempt timeout and retries), so ten minutes is room for a
    /// listing of tens of thousands of tags, or a prune of a few thousand, with a network that
    /// needs its retries; `wait` in CI waits that long for a push by default. A prune cut off by
    /// the limit ends with status 5, and running it again continues the job; a larger one (or a
    /// CI job with its own deadline) sets `--timeout 2h` or `--timeout 0`.
    pub fn limit(&self) -> Option<Duration> {
        match self.timeout {
            None => Some(DEFAULT_TIMEOUT),
            Some(Duration::ZERO) => None,
            Some(limit) => Some(limit),
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    Ucloud,
    Surfercloud,
    Genesisai,
}

impl Provider {
    pub fn name(self) -> &'static str {
        match self {
            Provider::Ucloud => "ucloud",
            Provider::Surfercloud => "surfercloud",
            Provider::Genesisai => "genesisai",
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Jsonl,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List, create, update and delete repositories
    #[command(subcommand)]
    Repo(RepoCommand),
    /// List and delete images
    #[command(subcommand)]
    Image(ImageCommand),
    /// List and delete tags
    #[command(subcommand)]
    Tag(TagCommand),
    /// Delete old tags by rules; a dry run unless --apply
    #[command(after_long_help = PRUNE_HELP)]
    Prune(PruneArgs),
    /// Wait until a pushed tag is visible (for CI)
    #[command(after_long_help = "Example:\n  uhub wait web/nginx:1.4.2 --timeout 10m\n\n\
        Polls every --interval until the tag is listed (with @sha256:DIGEST, until it has that digest). \
        Exits 0 when it is, 5 when --timeout (default 10m) runs out.")]
    Wait(WaitArgs),
    /// Print a tag's digest, or a pinned reference with --ref
    #[command(after_long_help = DIGEST_HELP)]
    Digest(DigestArgs),
    /// Per repository: images, tags, oldest and newest push, never-pulled images
    #[command(after_long_help = "Examples:\n  uhub report\n  uhub report --policy retention.toml   \
        # adds how many tags a prune would delete")]
    Report(ReportArgs),
    /// Send any action of the API with Key=Value parameters; prints the JSON answer
    #[command(after_long_help = "Examples:\n  uhub api GetImageTag RepoName=web ImageName=nginx Limit=5\n  \
        uhub api GetRepo RepoType=private\n\nParameters are parsed and checked by the SDK's generated parser \
        (errors name the parameter). Actions named Delete... ask for confirmation.")]
    Api(ApiArgs),
    /// Copy images into a registry: every platform (or --platform), only what it lacks, verified
    #[command(after_long_help = MIRROR_HELP)]
    Mirror(MirrorArgs),
    /// Show the configuration in use
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script
    #[command(after_long_help = "Examples:\n  uhub completion bash > /etc/bash_completion.d/uhub\n  \
        uhub completion zsh > \"${fpath[1]}/_uhub\"\n  uhub completion fish > ~/.config/fish/completions/uhub.fish")]
    Completion(CompletionArgs),
}

#[derive(Subcommand, Debug)]
pub enum RepoCommand {
    /// List private and public repositories
    List,
    /// Create a repository (private unless --public)
    Create {
        /// The new repository's name
        name: String,
        /// Anyone may pull from it
        #[arg(long)]
        public: bool,
        /// What the repository holds, shown by `uhub repo list`
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
    },
    /// Change a repository's description or visibility
    Update {
        /// The repository to change
        name: String,
        /// Anyone may pull from it
        #[arg(long, conflicts_with = "private")]
        public: bool,
        /// Only the project's members may pull from it
        #[arg(long)]
        private: bool,
        /// The new description
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
    },
    /// Delete a repository; only empty ones, unless --force deletes its images first
    #[command(after_long_help = "Examples:\n  uhub repo delete old-stuff\n  uhub repo delete old-stuff --force   \
        # lists the images it would delete and asks first")]
    Delete {
        /// The repository to delete
        name: String,
        /// Delete every image (and tag) of the repository first
        #[arg(long)]
        force: bool,
        /// Append JSON lines to this file: each deletion's intent (synced to disk before it is sent) and outcome
        #[arg(long, value_name = "FILE")]
        audit_log: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImageCommand {
    /// List the images of a repository
    List {
        /// The repository whose images to list
        #[arg(value_name = "REPO")]
        repo: String,
        /// Order of the listing
        #[arg(long, value_enum, default_value_t = ImageSort::Name)]
        sort: ImageSort,
        /// Only images that were never pulled
        #[arg(long)]
        never_pulled: bool,
    },
    /// Delete an image with every one of its tags
    Delete {
        /// The image to delete, with every tag
        #[arg(value_name = "REPO/IMAGE")]
        image: ImageRef,
        /// Required: the API deletes every tag of an image when no tag is named
        #[arg(long)]
        all_tags: bool,
        /// Append JSON lines to this file: each deletion's intent (synced to disk before it is sent) and outcome
        #[arg(long, value_name = "FILE")]
        audit_log: Option<PathBuf>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageSort {
    /// Most pulled first
    Pulls,
    /// By name
    Name,
    /// Most recently updated first
    Updated,
}

#[derive(Subcommand, Debug)]
pub enum TagCommand {
    /// List the tags of an image, newest first
    #[command(after_long_help = "Examples:\n  uhub tag list web/nginx --newest 10\n  \
        uhub tag list web/nginx --match '^1\\.2\\.' --sort semver\n  uhub tag list backend/api-server --group-by-digest")]
    List(TagListArgs),
    /// Delete tags (other tags sharing their digest stay)
    #[command(after_long_help = "Examples:\n  uhub tag delete web/nginx:1.0.0 web/nginx:1.0.1\n  \
        uhub tag list web/nginx --match '^pr-' -q | uhub tag delete - --yes")]
    Delete {
        /// REPO/IMAGE:TAG (a HOST/ before it and @sha256:DIGEST after it may be given), or - to
        /// read them from stdin (one per line); with a digest, only while the tag still has it
        #[arg(value_name = "REPO/IMAGE:TAG", required = true)]
        tags: Vec<TagArg>,
        /// Append JSON lines to this file: each deletion's intent (synced to disk before it is sent) and outcome
        #[arg(long, value_name = "FILE")]
        audit_log: Option<PathBuf>,
    },
}

#[derive(Args, Debug)]
pub struct TagListArgs {
    /// The image whose tags to list
    #[arg(value_name = "REPO/IMAGE")]
    pub image: ImageRef,
    /// Only the N most recently pushed (after --match and --exclude)
    #[arg(long, value_name = "N")]
    pub newest: Option<usize>,
    /// Only tags whose name matches this regular expression
    #[arg(long = "match", value_name = "RE", value_parser = crate::input::patterns::flag)]
    pub matching: Option<regex::Regex>,
    /// Leave out tags whose name matches this regular expression
    #[arg(long, value_name = "RE", value_parser = crate::input::patterns::flag)]
    pub exclude: Option<regex::Regex>,
    /// Order: time (newest first), name, or semver (highest first; other names after)
    #[arg(long, value_enum, default_value_t = TagSort::Time)]
    pub sort: TagSort,
    /// One row per digest, listing the tags that are aliases of one image
    #[arg(long)]
    pub group_by_digest: bool,
    /// Show each tag's compressed size, read from the registry (credentials: UHUB_REGISTRY_CREDS
    /// or docker login)
    #[arg(long, conflicts_with = "group_by_digest")]
    pub size: bool,
    /// Show each tag's platforms, read from the registry (as --size)
    #[arg(long, conflicts_with = "group_by_digest")]
    pub platforms: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagSort {
    Time,
    Name,
    Semver,
}

const PRUNE_HELP: &str = "\
A tag is deleted only when every rule given selects it:
  --match RE       only tags whose name matches are considered (others are kept)
  --exclude RE     tags whose name matches are kept
  --keep TAG       this tag is kept (repeatable); `latest` is kept unless --no-keep-latest
  --keep-last N    the N most recently pushed of the considered tags are kept (besides
                   those kept by name)
  --older-than AGE only tags pushed longer ago than AGE are deleted (30d, 12h, 2w)
At least one of --keep-last, --older-than or --match is required, and none may be zero or empty
(--keep-last 0, --older-than 0s, --match ''). Whatever the rules say, a tag is kept when its push
time cannot be read, when its digest is unknown, when a kept tag shares its digest (deleting it
would not free the image, and some registries delete the image), or when it is the newest tag of
its image (unless --dangerously-delete-newest).

Signature, attestation and SBOM tags (sha256-<64 hex>.sig, .att, .sbom) follow the image whose
digest they name: no rule selects them or counts them, they are kept while it is and deleted
after it; one whose image no tag has (an orphan) is always kept, with a note.

With --apply each tag is read again right before it is deleted, and deleted only when its digest
and push time are still the plan's; a tag pushed again meanwhile is left alone and reported
`changed` (exit status 6). --plan-out FILE saves the plan; --plan-in FILE --apply applies exactly
that plan later, in the same project and endpoint (a plan edited by hand is refused, and one
that deletes latest, an image's newest tag or a whole image needs --no-keep-latest or
--dangerously-delete-newest as a fresh plan would). --audit-log FILE gets a JSON line synced to
disk before each deletion (its intent: if it cannot be written, nothing more is deleted) and one
after it (its outcome). Ctrl-C, SIGTERM or --timeout
during --apply start no new deletion, let those in flight finish and still print the report.

Examples:
  uhub prune backend/api-server --keep-last 10
  uhub prune web backend --older-than 30d --exclude '^release-' --max-delete 200
  uhub prune web --match '^pr-' --older-than 7d --apply --yes -o json > report.json
  uhub prune --policy retention.toml --apply --yes

A policy file (TOML) gives rules per REPO/IMAGE pattern; the first matching rule applies, images
no rule matches are left alone. Without REPO arguments every repository is considered:

  max_delete = 500            # optional, like --max-delete

  [[rule]]
  images = [\"web/*\", \"backend/api-server\"]   # * matches any run of characters
  keep_last = 20
  older_than = \"30d\"
  exclude = \"^release-\"
  keep = [\"stable\"]
  keep_latest = true          # the default

  [[rule]]
  images = [\"*\"]
  keep_last = 50

Exit status: 0 done (or planned, or nothing to delete), 3 the plan exceeds --max-delete (nothing
deleted), 4 some deletions failed (the report lists them; running the command again finishes the
job), 5 timed out, 6 some tags changed since the plan and were left alone, 7 declined at the
prompt, 130 interrupted.";

#[derive(Args, Debug)]
pub struct PruneArgs {
    /// Repositories (every image) or single images to prune
    #[arg(value_name = "REPO[/IMAGE]")]
    pub targets: Vec<Target>,
    /// Keep the N most recently pushed tags of each image (besides those kept by name)
    #[arg(long, value_name = "N")]
    pub keep_last: Option<usize>,
    /// Delete only tags pushed longer ago than this (30d, 12h, 2w)
    #[arg(long, value_name = "AGE", value_parser = crate::time::parse_duration)]
    pub older_than: Option<Duration>,
    /// Consider only tags whose name matches this regular expression
    #[arg(long = "match", value_name = "RE", value_parser = crate::input::patterns::flag)]
    pub matching: Option<regex::Regex>,
    /// Keep tags whose name matches this regular expression
    #[arg(long, value_name = "RE", value_parser = crate::input::patterns::flag)]
    pub exclude: Option<regex::Regex>,
    /// Keep this tag (repeatable)
    #[arg(long, value_name = "TAG", value_parser = crate::input::refs::tag_name)]
    pub keep: Vec<String>,
    /// Let `latest` be deleted like any other tag
    #[arg(long)]
    pub no_keep_latest: bool,
    /// Rules per repository/image from a TOML file (see below)
    #[arg(long, value_name = "FILE",
          conflicts_with_all = ["keep_last", "older_than", "matching", "exclude", "keep", "no_keep_latest"])]
    pub policy: Option<PathBuf>,
    /// Delete what the plan says (without it, only the plan is printed)
    #[arg(long)]
    pub apply: bool,
    /// Refuse a plan that deletes more than N tags (exit status 3)
    #[arg(long, value_name = "N")]
    pub max_delete: Option<usize>,
    /// Let the newest tag of an image be deleted too (it is always kept otherwise: an image goes
    /// with its last tag)
    #[arg(long)]
    pub dangerously_delete_newest: bool,
    /// Read each tag's manifest from the registry and keep tags naming a platform's manifest
    /// inside a kept multi-platform index (deleting one would break the index); needs registry
    /// credentials, as tag list --size does
    #[arg(long)]
    pub check_indexes: bool,
    /// Save the plan (digests, push times, reasons) to this JSON file
    #[arg(long, value_name = "FILE")]
    pub plan_out: Option<PathBuf>,
    /// Apply exactly this saved plan (from --plan-out, in the same project and endpoint, unedited)
    /// instead of planning afresh; deleting latest, an image's newest tag or a whole image needs
    /// the same flags as a fresh plan
    #[arg(long, value_name = "FILE",
          conflicts_with_all = ["policy", "keep_last", "older_than", "matching", "exclude", "keep", "plan_out",
                                "check_indexes"])]
    pub plan_in: Option<PathBuf>,
    /// Append JSON lines to this file: each deletion's intent (synced to disk before it is sent) and outcome (time, tag, digest, reason, result, request id)
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct WaitArgs {
    /// The tag to wait for; with @sha256:DIGEST, until the tag has that digest
    #[arg(value_name = "[HOST/]REPO/IMAGE:TAG[@DIGEST]")]
    pub tag: Reference,
    /// Time between two looks
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = crate::time::parse_duration)]
    pub interval: Duration,
}

const DIGEST_HELP: &str = "\
Examples:
  uhub digest web/nginx:1.4.2          sha256:...
  uhub digest web/nginx:1.4.2 --ref    uhub.service.ucloud.cn/web/nginx@sha256:...

The registry host of --ref is --registry, else UHUB_REGISTRY, else the provider's:
  ucloud       uhub.service.ucloud.cn
  surfercloud  uhub.surfercloud.com
  genesisai    uhub.genesissai.com
With a custom --base-url there is no default: set --registry or UHUB_REGISTRY.";

#[derive(Args, Debug)]
pub struct DigestArgs {
    /// The tag; with @sha256:DIGEST, an error unless the tag still has that digest
    #[arg(value_name = "[HOST/]REPO/IMAGE:TAG[@DIGEST]")]
    pub tag: Reference,
    /// Print a pinned reference HOST/REPO/IMAGE@sha256:... instead
    #[arg(long = "ref")]
    pub reference: bool,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Also count the tags this policy would delete
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Also the bytes each repository stores, shared blobs counted once, read from the
    /// registry (credentials: UHUB_REGISTRY_CREDS or docker login)
    #[arg(long)]
    pub size: bool,
}

#[derive(Args, Debug)]
pub struct ApiArgs {
    /// The action's name, e.g. GetImageTag
    pub action: String,
    /// Parameters as Key=Value (wire names, e.g. RepoName=web Limit=5)
    #[arg(value_name = "KEY=VALUE")]
    pub params: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Every setting, its value and where it came from (secrets masked)
    Show,
}

#[derive(Args, Debug)]
pub struct CompletionArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_go_before_or_after_the_command() {
        let before = Cli::try_parse_from(["uhub", "--demo", "-o", "json", "repo", "list"]).unwrap();
        let after = Cli::try_parse_from(["uhub", "repo", "list", "--demo", "-o", "json"]).unwrap();
        assert!(before.global.demo && after.global.demo);
        assert_eq!(after.global.output, Some(Format::Json));
    }

    /// Every argument of every command, with the command's path.
    fn arguments(cmd: &clap::Command, path: &str, out: &mut Vec<(String, clap::Arg)>) {
        for arg in cmd.get_arguments() {
            out.push((path.to_owned(), arg.clone()));
        }
        for sub in cmd.get_subcommands() {
            arguments(sub, &format!("{path} {}", sub.get_name()), out);
        }
    }

    #[test]
    fn every_argument_has_help() {
        let mut all = Vec::new();
        arguments(&Cli::command(), "uhub", &mut all);
        let bare: Vec<String> = all
            .iter()
            .filter(|(_, a)| a.get_help().is_none() && !["help", "version"].contains(&a.get_id().as_str()))
            .map(|(path, a)| format!("{path} {}", a.get_id()))
            .collect();
        assert!(bare.is_empty(), "arguments without help text: {bare:?}");
    }

    #[test]
    fn a_commands_own_options_come_before_the_global_ones() {
        let mut uhub = Cli::command();
        uhub.build();
        let help = uhub.find_subcommand_mut("prune").unwrap().render_long_help().to_string();
        let own = help.find("--keep-last").unwrap();
        let global = help.find("Global options:").unwrap_or_else(|| panic!("no Global options heading:\n{help}"));
        assert!(own < global && global < help.find("--profile").unwrap(), "{help}");
        assert!(help.find("Arguments:").unwrap() < own, "{help}");
    }

    #[test]
    fn the_time_limit_defaults_to_ten_minutes_and_zero_lifts_it() {
        let limit = |args: &[&str]| Cli::try_parse_from(args).unwrap().global.limit();
        assert_eq!(limit(&["uhub", "repo", "list"]), Some(Duration::from_secs(600)));
        assert_eq!(limit(&["uhub", "repo", "list", "--timeout", "90s"]), Some(Duration::from_secs(90)));
        assert_eq!(limit(&["uhub", "repo", "list", "--timeout", "0"]), None);
    }

    #[test]
    fn policy_and_rule_flags_exclude_each_other() {
        let e = Cli::try_parse_from(["uhub", "prune", "web", "--policy", "p.toml", "--keep-last", "3"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn provider_and_base_url_exclude_each_other() {
        let e = Cli::try_parse_from(["uhub", "--provider", "ucloud", "--base-url", "http://x", "repo", "list"])
            .unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::ArgumentConflict);
    }
}

const MIRROR_HELP: &str = "\
Examples:
  uhub mirror nginx:1.27 --to uhub.service.ucloud.cn/mirror --dry-run
  uhub mirror docker.io/library/nginx:1.27 ghcr.io/org/tool:v2 --to uhub.service.ucloud.cn/mirror
  uhub mirror quay.io/prometheus/node-exporter:v1.8.2 --to uhub.service.ucloud.cn/ops/exporter \\
      --platform linux/amd64,linux/arm64
  UHUB_DEST_CREDS=me@example.com:PASSWORD uhub mirror --file sync.toml -o json

SRC is HOST/REPO[:TAG|@DIGEST]; Docker Hub's short names work (nginx:1.27 is
docker.io/library/nginx:1.27). --to HOST/REPO keeps each image's last name (nginx), and
--to HOST/REPO/IMAGE names it. The tag is the source's.

An image whose destination digest already is the source's is left alone after one HEAD on each
side (no GET, so Docker Hub's pull limit is not touched); otherwise only the blobs the
destination lacks are sent, streamed and checked against their digests, and the tag is written
last, so a run cut short is finished by running it again. Each image's accessories (cosign's
sha256-<digest>.sig, .att and .sbom tags, and OCI 1.1 referrers) follow it, verified alike,
unless --no-accessories. When the destination is the UHub
registry (--registry, UHUB_REGISTRY or the provider's) and its repository does not exist, it is
created (private) first, which needs the API keys.

Credentials: --src-creds/--dest-creds USER:PASS, or UHUB_SRC_CREDS/UHUB_DEST_CREDS, else
Docker's config.json (docker login; credential helpers too), else anonymous. They are never
printed.

A sync file chooses tags per source (pattern, newest N, age):
  to = \"uhub.service.ucloud.cn/mirror\"
  [[source]]
  from = \"docker.io/library/nginx\"
  tags = [\"1\\\\.27\\\\..*\", \"stable\"]
  newest = 3

A fleet split across machines: N processes run the same command with --shard 0/N ... N-1/N
(or UHUB_SHARD); each takes the sources whose destination repository's SHA-256 falls to it
(all tags of a repository in one process), so together they copy each image once, miss none,
and never write one repository from two processes.
Kubernetes' Indexed Job: --shard $(JOB_COMPLETION_INDEX)/3; GitLab's parallel:
--shard $((CI_NODE_INDEX - 1))/$CI_NODE_TOTAL.

The report: a summary first (images by result; bytes sent, mounted, skipped; waits), then the
images, failures first, each with a one-line reason. -o json is {\"summary\": {...},
\"images\": [...]}; -o jsonl prints a line per image as it finishes, then {\"summary\": {...}}.

Exit status 4 when some images failed (the others are copied; the report says which).";

#[derive(Args, Debug)]
pub struct MirrorArgs {
    /// Images to copy (HOST/REPO:TAG, or a Docker Hub name such as nginx:1.27)
    #[arg(value_name = "SRC", required_unless_present = "file", conflicts_with = "file")]
    pub sources: Vec<String>,

    /// Where to: HOST/REPO (each image keeps its name) or HOST/REPO/IMAGE
    #[arg(long, value_name = "HOST/REPO[/IMAGE]", required_unless_present = "file")]
    pub to: Option<String>,

    /// A sync file: sources, destinations and which tags to copy (see below)
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Copy only these platforms (the index is rewritten to list only them)
    #[arg(long, value_name = "OS/ARCH[/VARIANT],...", value_delimiter = ',')]
    pub platform: Vec<String>,

    /// Print what would be copied and how many bytes; change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Leave each image's signatures, attestations, SBOMs and OCI referrers behind (by
    /// default they are copied with it)
    #[arg(long)]
    pub no_accessories: bool,

    /// Source registry credentials as USER:PASS (default: Docker's config, else anonymous)
    #[arg(long, value_name = "USER:PASS", env = "UHUB_SRC_CREDS", hide_env_values = true)]
    pub src_creds: Option<String>,

    /// Destination registry credentials as USER:PASS (for UHub: the account's e-mail and the
    /// registry password)
    #[arg(long, value_name = "USER:PASS", env = "UHUB_DEST_CREDS", hide_env_values = true)]
    pub dest_creds: Option<String>,

    /// Images copied at once (blobs in flight per image: --concurrency, at most 8)
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=16))]
    pub images: u16,

    /// Mirror only share K of N (K from 0): the sources whose destination repository's SHA-256
    /// picks K, so N processes given the same sources take each exactly once (e.g. --shard
    /// $JOB_COMPLETION_INDEX/3)
    #[arg(long, value_name = "K/N", env = "UHUB_SHARD", value_parser = crate::mirror::shard::Shard::parse)]
    pub shard: Option<crate::mirror::shard::Shard>,
}
