//! The `uhub` command line, the whole process timed from start to exit, against `uhub-mock` with
//! 20 ms injected per request:
//!
//! - `uhub tag list` of 10,000 tags in pages of 100 at concurrency 8, ÷ the ideal schedule at
//!   that concurrency: the first page, then the other 99 in rounds of 8;
//! - `uhub prune --keep-last 10 --apply` deleting 1,000 of 1,010 tags at concurrency 8, ÷ the
//!   ideal: the listing's rounds as above, then the deletions in rounds of 8, each deletion two
//!   requests in a row (the re-check of the tag against the plan, then the delete).
//!
//! The `uhub` binary is the one beside this program, built first with the same profile
//! (`cargo build -p uhub-cli`), so the measure is of the current code; `UHUB_BIN` names another
//! binary instead.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use uhub_mock::{Fault, FaultRule, Image, MockHandle, MockUHub, Repo};

use crate::measure::{Row, Target, median, show};

const LATENCY: Duration = Duration::from_millis(20);
const CONCURRENCY: usize = 8;
const PAGE_SIZE: usize = 100;
const LISTED: usize = 10_000;
const PRUNED: usize = 1_000;
const KEPT: usize = 10;
const LIST_ROUNDS: usize = 5;
const PRUNE_ROUNDS: usize = 3;

pub fn run() -> Result<Vec<Row>, String> {
    let uhub = binary()?;
    // The mock serves from its own threads while this one waits on the `uhub` process.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    let mock = rt
        .block_on(
            MockUHub::builder()
                .repo(Repo::new("bench-repo").image(Image::new("bench-image").numbered_tags(LISTED)))
                .fault(FaultRule::new(Fault::Latency(LATENCY)))
                .start(),
        )
        .map_err(|e| format!("cannot start uhub-mock: {e}"))?;
    let home = std::env::temp_dir().join(format!("uhub-bench-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).map_err(|e| format!("cannot make {}: {e}", home.display()))?;
    let bench = Bench { uhub, mock: &mock, home: home.clone() };
    let rows = bench.rows();
    let _ = std::fs::remove_dir_all(&home);
    rows
}

struct Bench<'a> {
    uhub: PathBuf,
    mock: &'a MockHandle,
    home: PathBuf,
}

impl Bench<'_> {
    fn rows(&self) -> Result<Vec<Row>, String> {
        let list_args = ["tag", "list", "bench-repo/bench-image", "-o", "jsonl"];
        self.time(&list_args, LISTED)?; // warms the page cache for the binary
        let listing: Vec<f64> = (0..LIST_ROUNDS).map(|_| self.time(&list_args, LISTED)).collect::<Result<_, _>>()?;
        let mut pruning = Vec::new();
        for _ in 0..PRUNE_ROUNDS {
            self.mock.add_repo(Repo::new("prune-repo").image(Image::new("prune-image").numbered_tags(PRUNED + KEPT)));
            let keep = KEPT.to_string();
            let args = ["prune", "prune-repo/prune-image", "--keep-last", &keep, "--apply", "--yes", "-o", "jsonl"];
            // One line per tag of the plan, and the summary.
            pruning.push(self.time(&args, PRUNED + KEPT + 1)?);
        }
        let (list, prune) = (median(&listing), median(&pruning));
        let list_ideal = ideal_listing(LISTED);
        let prune_ideal = ideal_listing(PRUNED + KEPT) + ideal_deletions(PRUNED);
        let secs = |v: f64| show(Duration::from_secs_f64(v));
        Ok(vec![
            Row::ratio(
                "cli tag list",
                "uhub/ideal",
                list / list_ideal,
                Target::AtMost(1.30),
                format!(
                    "uhub {}  ideal {} = (1 + {} rounds of {CONCURRENCY}) x {}ms  {LISTED} tags, pages of {PAGE_SIZE}, \
                     whole process, median of {LIST_ROUNDS}",
                    secs(list),
                    secs(list_ideal),
                    rounds(LISTED.div_ceil(PAGE_SIZE) - 1),
                    LATENCY.as_millis()
                ),
            ),
            Row::ratio(
                "cli prune",
                "uhub/ideal",
                prune / prune_ideal,
                Target::AtMost(1.30),
                format!(
                    "uhub {}  ideal {} = listing {} + {} rounds of {CONCURRENCY} deletions x (re-check + delete) x {}ms  \
                     {PRUNED} of {} tags deleted, whole process, median of {PRUNE_ROUNDS}",
                    secs(prune),
                    secs(prune_ideal),
                    secs(ideal_listing(PRUNED + KEPT)),
                    rounds(PRUNED),
                    LATENCY.as_millis(),
                    PRUNED + KEPT
                ),
            ),
        ])
    }

    /// Runs `uhub` to the end and returns its wall time; it must succeed and print `lines` lines.
    fn time(&self, args: &[&str], lines: usize) -> Result<f64, String> {
        let started = Instant::now();
        let out = Command::new(&self.uhub)
            .args(["--base-url", self.mock.base_url(), "--concurrency", &CONCURRENCY.to_string()])
            .args(args)
            .env("HOME", &self.home)
            .env("UCLOUD_PUBLIC_KEY", self.mock.public_key())
            .env("UCLOUD_PRIVATE_KEY", self.mock.private_key())
            .env_remove("UCLOUD_PROFILE")
            .env_remove("UCLOUD_PROJECT_ID")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.uhub.display()))?;
        let elapsed = started.elapsed().as_secs_f64();
        if !out.status.success() {
            return Err(format!("uhub {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()));
        }
        let printed = out.stdout.iter().filter(|&&b| b == b'\n').count();
        if printed != lines {
            return Err(format!("uhub {} printed {printed} lines, not {lines}", args.join(" ")));
        }
        Ok(elapsed)
    }
}

/// Rounds of `CONCURRENCY` requests needed for `n` requests.
fn rounds(n: usize) -> usize {
    n.div_ceil(CONCURRENCY)
}

/// The ideal time to list `tags`: the first page alone (it gives the total), then the rest in
/// rounds.
fn ideal_listing(tags: usize) -> f64 {
    let pages = tags.div_ceil(PAGE_SIZE);
    (1 + rounds(pages - 1)) as f64 * LATENCY.as_secs_f64()
}

/// The ideal time to delete `tags`: rounds of `CONCURRENCY`, each tag re-checked (one request)
/// and then deleted (another), one after the other.
fn ideal_deletions(tags: usize) -> f64 {
    (rounds(tags) * 2) as f64 * LATENCY.as_secs_f64()
}

/// `UHUB_BIN`, else the `uhub` beside this program after building it with this program's
/// profile, so the numbers are of the code in the tree.
pub(crate) fn binary() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("UHUB_BIN") {
        return Ok(PathBuf::from(path));
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut build = Command::new(cargo);
    build.current_dir(crate::measure::workspace_root()).args([
        "build",
        "--quiet",
        "--package",
        "uhub-cli",
        "--bin",
        "uhub",
    ]);
    if !cfg!(debug_assertions) {
        build.arg("--release");
    }
    let status = build.status().map_err(|e| format!("cannot run cargo to build uhub: {e}"))?;
    if !status.success() {
        return Err(format!("building uhub failed ({status})"));
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let beside = exe.with_file_name(format!("uhub{}", std::env::consts::EXE_SUFFIX));
    if beside.is_file() {
        Ok(beside)
    } else {
        Err(format!("no uhub at {} after building it; set UHUB_BIN to a uhub binary", beside.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ideal_schedules_count_rounds_of_eight() {
        // 100 pages: the first, then 99 in 13 rounds.
        assert!((ideal_listing(10_000) - 14.0 * 0.020).abs() < 1e-9);
        // 11 pages: 1 + 2 rounds; 1,000 deletions: 125 rounds of a re-check and a delete.
        assert!((ideal_listing(1_010) + ideal_deletions(1_000) - 253.0 * 0.020).abs() < 1e-9);
    }
}
