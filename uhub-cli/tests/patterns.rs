//! Regular expressions the user writes compile within bounds: sync and policy files of many
//! large patterns (`\w{200}`, thousands of times, once 3.9 GB before any request) fail at
//! once naming the file, the line and the key, and the peak memory of the `uhub` process
//! (its rusage, read as it is reaped) stays far below what compiling them all would take.
//! `--match` and `--exclude` are bounded the same way.

use std::process::Command;
use std::time::Duration;

use uhub_testreg::peak;

/// The most a refused file may cost the process: the issue's goal, "a few hundred MB".
const PEAK_BOUND_KIB: i64 = 300 << 10;
/// How long a child may run before the test ends it.
const LIMIT: Duration = Duration::from_secs(60);

/// Runs `uhub` (a clean environment, `home` as HOME, no network) to its end.
fn run(home: &std::path::Path, args: &[&str]) -> peak::Finished {
    let mut uhub = Command::new(env!("CARGO_BIN_EXE_uhub"));
    uhub.env_clear().env("HOME", home).env("NO_COLOR", "1").args(args);
    peak::run(uhub, LIMIT)
}

fn write(home: &std::path::Path, name: &str, text: &str) -> String {
    let path = home.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// A sync file of one source whose `tags` are `n` copies of `pattern`, one a line from line 4.
fn sync_file(pattern: &str, n: usize) -> String {
    let quoted = format!("  \"{}\",\n", pattern.replace('\\', "\\\\"));
    format!("[[source]]\nfrom = \"docker.io/library/nginx\"\ntags = [\n{}]\n", quoted.repeat(n))
}

#[test]
fn a_sync_file_of_thousands_of_large_patterns_fails_at_the_first_naming_its_line() {
    let home = tempfile::tempdir().unwrap();
    let path = write(home.path(), "sync.toml", &sync_file(r"\w{200}", 3_000));
    let run = run(home.path(), &["mirror", "--file", &path, "--dry-run"]);
    eprintln!("sync file of 3,000 \\w{{200}}: exit {}, peak {} KiB", run.status, run.peak_kib);
    assert_eq!(run.status, 2, "{}", run.stderr);
    let says = format!(r#"{path}: [[source]] 1: tags: line 4: "\\w{{200}}" compiles to more than 1 MiB"#);
    assert!(run.stderr.contains(&says), "{}", run.stderr);
    assert!(run.peak_kib < PEAK_BOUND_KIB, "peak {} KiB", run.peak_kib);
}

#[test]
fn a_sync_file_of_many_patterns_each_within_the_bound_ends_at_the_files_budget() {
    let home = tempfile::tempdir().unwrap();
    // Each about 600 KB compiled: 3,000 of them would be near 2 GB.
    let path = write(home.path(), "sync.toml", &sync_file(r"\w{12}", 3_000));
    let run = run(home.path(), &["mirror", "--file", &path, "--dry-run"]);
    eprintln!("sync file of 3,000 \\w{{12}}: exit {}, peak {} KiB", run.status, run.peak_kib);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("{path}: [[source]] 1: tags: line ")), "{}", run.stderr);
    assert!(run.stderr.contains("past 32 MiB compiled together"), "{}", run.stderr);
    assert!(run.peak_kib < PEAK_BOUND_KIB, "peak {} KiB", run.peak_kib);
}

#[test]
fn a_policy_file_of_thousands_of_large_patterns_fails_at_the_first_naming_its_line() {
    let home = tempfile::tempdir().unwrap();
    let rule = "[[rule]]\nimages = [\"*\"]\nmatch = \"\\\\w{200}\"\n";
    let path = write(home.path(), "policy.toml", &rule.repeat(3_000));
    let run = run(home.path(), &["prune", "--policy", &path, "--demo"]);
    eprintln!("policy file of 3,000 \\w{{200}}: exit {}, peak {} KiB", run.status, run.peak_kib);
    assert_eq!(run.status, 2, "{}", run.stderr);
    let says = format!(r#"policy {path}: rule 1: match: line 3: "\\w{{200}}" compiles to more than 1 MiB"#);
    assert!(run.stderr.contains(&says), "{}", run.stderr);
    assert!(run.peak_kib < PEAK_BOUND_KIB, "peak {} KiB", run.peak_kib);
}

#[test]
fn match_and_exclude_flags_are_bounded_as_files_are() {
    let home = tempfile::tempdir().unwrap();
    for flag in ["--match", "--exclude"] {
        let run = run(home.path(), &["--demo", "tag", "list", "web/nginx", flag, r"\w{200}"]);
        assert_eq!(run.status, 2, "{}", run.stderr);
        assert!(run.stderr.contains(r#""\\w{200}" compiles to more than 1 MiB"#), "{}", run.stderr);
        let fine = self::run(home.path(), &["--demo", "tag", "list", "web/nginx", flag, r"[A-Za-z0-9_]{200}"]);
        assert_eq!(fine.status, 0, "{}", fine.stderr);
    }
    let run = run(home.path(), &["--demo", "prune", "web/nginx", "--match", r"\w{200}"]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("compiles to more than 1 MiB"), "{}", run.stderr);
}
