//! The fleet examples in `examples/fleet/` use the real flags: every `uhub` command line in them
//! parses with the CLI's own parser (variables filled in as Kubernetes or the CI would), its
//! `--shard` names as many shards as the file runs processes, and every sync file in them
//! (alone or in a ConfigMap) reads as one.

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::mirror::shard::Shard;
use crate::mirror::sync_file;

const CRONJOB: &str = include_str!("../../../examples/fleet/kubernetes-cronjob.yaml");
const GITHUB: &str = include_str!("../../../examples/fleet/github-actions.yml");
const GITLAB: &str = include_str!("../../../examples/fleet/gitlab-ci.yml");
const SYNC: &str = include_str!("../../../examples/fleet/sync.toml");

/// What the runner puts in place of each variable for its last process (K = 2 of 3). A
/// variable not listed is left, and fails the test.
const FILLED: [(&str, &str); 4] = [
    ("$(JOB_COMPLETION_INDEX)", "2"),
    ("${{ matrix.shard }}", "2"),
    ("$((CI_NODE_INDEX - 1))", "2"),
    ("$CI_NODE_TOTAL", "3"),
];

/// The `uhub` command lines of an example: shell lines that start with `uhub ` (after YAML's
/// `- ` or `run: `), and YAML `command: [...]` lists that start with "uhub".
fn commands(text: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for line in text.lines() {
        let line = line.trim().trim_start_matches("- ").trim_start_matches("run: ");
        if let Some(list) = line.strip_prefix("command: ") {
            let words: Vec<String> = serde_json::from_str(list).unwrap_or_else(|e| panic!("{list}: {e}"));
            if words.first().map(String::as_str) == Some("uhub") {
                found.push(words.iter().map(|w| fill(w)).collect());
            }
        } else if line.starts_with("uhub ") {
            found.push(shell_words(&fill(line)));
        }
    }
    found
}

fn fill(text: &str) -> String {
    let filled = FILLED.iter().fold(text.to_owned(), |t, (var, value)| t.replace(var, value));
    assert!(!filled.contains('$'), "a variable the test does not know: {text}");
    filled
}

/// Words split at spaces, double quotes grouping (what the examples use).
fn shell_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut quoted) = (Vec::new(), String::new(), false);
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    assert!(!quoted, "an open quote: {line}");
    words.push(word);
    words
}

/// The `--shard` of each `uhub mirror` command in `text`, checked to parse.
fn shards_of(text: &str, file: &str) -> Vec<Shard> {
    let commands = commands(text);
    assert!(!commands.is_empty(), "{file} has no uhub command");
    commands
        .into_iter()
        .map(|words| {
            let cli = Cli::try_parse_from(&words).unwrap_or_else(|e| panic!("{file}: {words:?}: {e}"));
            let Command::Mirror(args) = cli.command else { panic!("{file}: not uhub mirror: {words:?}") };
            let path = args.file.as_ref().unwrap_or_else(|| panic!("{file}: no --file: {words:?}"));
            assert!(path.ends_with("sync.toml"), "{file}: {path:?}");
            args.shard.unwrap_or_else(|| panic!("{file}: no --shard: {words:?}"))
        })
        .collect()
}

/// The number after `key:` on its own line of a YAML file.
fn number(text: &str, key: &str) -> u32 {
    let line = text.lines().find_map(|l| l.trim().strip_prefix(&format!("{key}:"))).expect(key);
    line.trim().parse().unwrap_or_else(|e| panic!("{key}: {line}: {e}"))
}

#[test]
fn the_kubernetes_cronjob_runs_an_indexed_job_of_three_shards() {
    assert_eq!(shards_of(CRONJOB, "kubernetes-cronjob.yaml"), [Shard { index: 2, count: 3 }]);
    assert!(CRONJOB.contains("completionMode: Indexed"));
    assert_eq!((number(CRONJOB, "completions"), number(CRONJOB, "parallelism")), (3, 3));
    assert!(CRONJOB.contains("secretKeyRef") && CRONJOB.contains("name: UHUB_DEST_CREDS"));
    // The ConfigMap's sync.toml (indented under `sync.toml: |`), mounted where --file reads.
    let sync: String = CRONJOB
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("sync.toml: |"))
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with("    "))
        .map(|l| l.strip_prefix("    ").unwrap_or(l).to_owned() + "\n")
        .collect();
    let file = sync_file::parse(&sync).unwrap_or_else(|e| panic!("the ConfigMap's sync.toml: {e}\n{sync}"));
    assert_eq!(file.sources.len(), 3);
    assert!(CRONJOB.contains("mountPath: /etc/uhub") && CRONJOB.contains("/etc/uhub/sync.toml"));
}

#[test]
fn the_ci_examples_run_three_shards() {
    assert_eq!(shards_of(GITHUB, "github-actions.yml"), [Shard { index: 2, count: 3 }]);
    assert!(GITHUB.contains("shard: [0, 1, 2]"));
    assert_eq!(shards_of(GITLAB, "gitlab-ci.yml"), [Shard { index: 2, count: 3 }]);
    assert_eq!(number(GITLAB, "parallel"), 3);
}

#[test]
fn the_example_sync_file_reads() {
    let file = sync_file::parse(SYNC).unwrap_or_else(|e| panic!("examples/fleet/sync.toml: {e}"));
    assert_eq!(file.sources.len(), 5);
}

#[test]
fn a_wrong_flag_in_an_example_would_fail() {
    let words = shell_words("uhub mirror --file sync.toml --shards 0/3");
    assert!(Cli::try_parse_from(&words).is_err());
    let words = shell_words("uhub mirror --file sync.toml --shard 3/3");
    assert!(Cli::try_parse_from(&words).is_err());
}
