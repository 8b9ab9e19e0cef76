//! A fleet mirrored in one command: `uhub mirror --file` against `skopeo sync` between real
//! registries on 127.0.0.1 (uhub-testreg), and the same fleet mirrored cold again and again at
//! several concurrencies, counting the images a run loses.
//!
//! The source holds `UHUB_BENCH_FLEET_REPOS` repositories (24 unless set), each with three
//! images and a `latest` tag naming the newest (two tags of one image), every image built on
//! the same two base layers, as a company's services are. Each tool copies every tag of every
//! repository into a destination of its own, empty, through a counting proxy:
//!
//! - cold: wall time and bytes into the destination, `uhub` ÷ `skopeo` (rounds alternate
//!   which tool goes first); `skopeo sync` mounts nothing across repositories it is not told of,
//!   uhub mounts the base layers it sent to one repository into the others;
//! - re-run: the same command with nothing changed;
//! - races: `UHUB_BENCH_FLEET_RUNS` (10) cold runs at each of `--concurrency` 1, 8 and 32
//!   (`--images` as many, at most 16), each destination read back tag by tag against the
//!   source's digests; an image lost is one whose tag is missing or names another digest.
//!
//! Every destination of the first round is also checked manifest by manifest and blob by blob.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use uhub_testreg::image::{assert_same_image, head_manifest, push_layered, tag_manifest};
use uhub_testreg::{Counts, Kind, Proxy, Registry, Target as Host, install};

use crate::measure::{Row, Target, median, runtime, show};
use crate::mirror::{isolated, timed};

/// Images per repository; a fourth tag, `latest`, names the newest.
const IMAGES: usize = 3;
/// Layers every image shares (a distribution and a runtime), then one of its own.
const BASE: [(usize, u64); 2] = [(3_000_000, 1), (1_000_000, 2)];
const OWN_LAYER: usize = 200_000;
const ROUNDS: usize = 3;
const CONCURRENCIES: [u16; 3] = [1, 8, 32];
/// A fleet copy slower than this is a hang, not a measurement.
const RUN_BOUND: Duration = Duration::from_secs(600);

fn from_env(name: &str, default: usize) -> Result<usize, String> {
    match std::env::var(name) {
        Ok(text) => text.trim().parse().map_err(|_| format!("{name}={text:?} is not a count")),
        Err(_) => Ok(default),
    }
}

/// Every tag of the fleet with the digest it names on the source.
type Fleet = BTreeMap<(String, String), String>;

pub fn run() -> Result<Vec<Row>, String> {
    let repositories = from_env("UHUB_BENCH_FLEET_REPOS", 24)?;
    let runs = from_env("UHUB_BENCH_FLEET_RUNS", 10)?;
    let uhub = crate::cli::binary()?;
    let skopeo = install::skopeo();
    let rt = runtime()?;
    let source = Registry::start();
    let fleet = rt.block_on(seed(&source.target(), repositories));
    let source_proxy = Proxy::counting(&source.host());
    let scratch = tempfile::Builder::new()
        .prefix("uhub-bench-fleet-")
        .tempdir()
        .map_err(|e| format!("cannot make a scratch directory: {e}"))?;
    let sync_toml = scratch.path().join("sync.toml");
    let sync_yaml = scratch.path().join("sync.yaml");
    let names: Vec<String> = (0..repositories).map(repository).collect();
    write_sync_files(&source_proxy.host(), &names, &sync_toml, &sync_yaml)?;

    let tools = ["uhub", "skopeo"];
    let (mut cold, mut rerun): ([Vec<f64>; 2], [Vec<f64>; 2]) = Default::default();
    let mut traffic: [Option<Counts>; 2] = Default::default();
    for round in 0..ROUNDS {
        for k in 0..tools.len() {
            let n = (round + k) % tools.len();
            let destination = Registry::start();
            let proxy = Proxy::counting(&destination.host());
            let home = scratch.path().join(format!("home-{round}-{n}"));
            std::fs::create_dir_all(&home).map_err(|e| format!("cannot make a home directory: {e}"))?;
            let go = || -> Result<f64, String> {
                let mut command = if n == 0 {
                    uhub_command(&uhub, &sync_toml, &proxy.host(), 8)
                } else {
                    skopeo_command(&skopeo, &sync_yaml, &proxy.host())
                };
                let run = timed(isolated(&mut command, &home), tools[n], RUN_BOUND)?;
                if !run.status.success() {
                    return Err(format!("{} failed ({}): {}", tools[n], run.status, tail(&run.stderr)));
                }
                Ok(run.seconds)
            };
            proxy.reset();
            cold[n].push(go()?);
            traffic[n] = Some(proxy.counts());
            let lost = rt.block_on(lost(&fleet, &destination.target()));
            if !lost.is_empty() {
                return Err(format!("{} lost {} of {} tags: {lost:?}", tools[n], lost.len(), fleet.len()));
            }
            if round == 0 {
                rt.block_on(verify(&fleet, &source.target(), &destination.target(), tools[n]))?;
            }
            rerun[n].push(go()?);
        }
    }

    // Races: cold runs of uhub alone at each concurrency, every tag read back.
    let mut lost_images = 0;
    let mut race_seconds = Vec::new();
    let mut failed_runs = Vec::new();
    for concurrency in CONCURRENCIES {
        let mut times = Vec::new();
        for n in 0..runs {
            let destination = Registry::start();
            let home = scratch.path().join(format!("race-{concurrency}-{n}"));
            std::fs::create_dir_all(&home).map_err(|e| format!("cannot make a home directory: {e}"))?;
            let mut command = uhub_command(&uhub, &sync_toml, &destination.host(), concurrency);
            let run = timed(isolated(&mut command, &home), "uhub", RUN_BOUND)?;
            let lost = rt.block_on(lost(&fleet, &destination.target()));
            lost_images += lost.len();
            if !run.status.success() || !lost.is_empty() {
                failed_runs.push(format!(
                    "concurrency {concurrency} run {n}: {} ({} tags lost) {}",
                    run.status,
                    lost.len(),
                    tail(&run.stderr)
                ));
            }
            times.push(run.seconds);
        }
        race_seconds.push((concurrency, median(&times)));
    }

    let uploaded = |counts: &Option<Counts>| counts.as_ref().map_or(0, Counts::total_bytes_in);
    let (uhub_bytes, skopeo_bytes) = (uploaded(&traffic[0]), uploaded(&traffic[1]));
    // Every upload is a POST then a PUT; a mount is a POST alone.
    let mounted = |counts: &Option<Counts>| {
        counts.as_ref().map_or(0, |c| c.requests("POST", Kind::Upload).saturating_sub(c.requests("PUT", Kind::Upload)))
    };
    let what = format!(
        "{repositories} repositories x {} tags ({IMAGES} images + latest), {:.1} MB of distinct blobs, median of {ROUNDS}",
        IMAGES + 1,
        distinct_bytes(repositories) as f64 / 1e6
    );
    let secs = |v: f64| show(Duration::from_secs_f64(v));
    let mb = |b: u64| format!("{:.1} MB", b as f64 / 1e6);
    let mut rows = vec![
        Row::ratio(
            "fleet cold",
            "uhub/skopeo sync",
            median(&cold[0]) / median(&cold[1]),
            Target::AtMost(1.0),
            format!("uhub {}  skopeo {}  {what}", secs(median(&cold[0])), secs(median(&cold[1]))),
        ),
        Row::ratio(
            "fleet re-run",
            "uhub/skopeo sync",
            median(&rerun[0]) / median(&rerun[1]),
            Target::AtMost(0.5),
            format!("uhub {}  skopeo {}  nothing changed", secs(median(&rerun[0])), secs(median(&rerun[1]))),
        ),
        Row::ratio(
            "fleet bytes up",
            "uhub/skopeo sync",
            uhub_bytes as f64 / skopeo_bytes.max(1) as f64,
            Target::AtMost(1.0),
            format!(
                "into the destination, cold: uhub {} ({} blobs mounted)  skopeo {} ({} mounted)",
                mb(uhub_bytes),
                mounted(&traffic[0]),
                mb(skopeo_bytes),
                mounted(&traffic[1])
            ),
        ),
        Row::ratio(
            "fleet races",
            "images lost",
            lost_images as f64,
            Target::AtMost(0.0),
            format!(
                "{runs} cold runs at each --concurrency (median time): {}; {}",
                race_seconds.iter().map(|(c, s)| format!("{c}: {}", secs(*s))).collect::<Vec<_>>().join(", "),
                if failed_runs.is_empty() { "every run exit 0".to_owned() } else { failed_runs.join("; ") }
            ),
        ),
    ];
    for (counts, tool) in traffic.iter().zip(tools) {
        if let Some(counts) = counts {
            rows.push(Row {
                name: "fleet traffic",
                label: format!("{tool} cold: {} requests at the destination", counts.total_requests()),
                ratio: None,
                target: None,
                raw: counts.to_string(),
            });
        }
    }
    Ok(rows)
}

fn repository(r: usize) -> String {
    format!("fleet/app{r:03}")
}

/// Blob bytes of the fleet counted once each: the base layers, and each image's own layer.
fn distinct_bytes(repositories: usize) -> u64 {
    let base: usize = BASE.iter().map(|(size, _)| size).sum();
    (base + repositories * IMAGES * OWN_LAYER) as u64
}

async fn seed(src: &Host, repositories: usize) -> Fleet {
    let mut fleet = Fleet::new();
    for r in 0..repositories {
        let name = repository(r);
        let mut newest = String::new();
        for i in 0..IMAGES {
            let seed = (r * IMAGES + i) as u64 + 100;
            let mut layers = BASE.to_vec();
            layers.push((OWN_LAYER, seed));
            let tag = format!("1.{i}.0");
            newest = push_layered(src, &name, &tag, &layers, seed).await.digest;
            fleet.insert((name.clone(), tag), newest.clone());
        }
        tag_manifest(src, &name, &newest, "latest").await;
        fleet.insert((name, "latest".to_owned()), newest);
    }
    fleet
}

/// The same fleet for both tools: every tag of every repository into `DST/fleet/<image>`.
fn write_sync_files(src: &str, names: &[String], toml: &Path, yaml: &Path) -> Result<(), String> {
    let mut sync = String::from("# every tag of each; the destination is given by --to\n");
    let mut skopeo = format!("{src}:\n  tls-verify: false\n  images:\n");
    for name in names {
        sync.push_str(&format!("\n[[source]]\nfrom = \"{src}/{name}\"\n"));
        skopeo.push_str(&format!("    {name}: []\n"));
    }
    std::fs::write(toml, sync).and_then(|()| std::fs::write(yaml, skopeo)).map_err(|e| format!("cannot write: {e}"))
}

/// `uhub mirror --file`, the destination given by `--to` (the file names none).
fn uhub_command(uhub: &Path, sync: &Path, dst: &str, concurrency: u16) -> Command {
    let mut c = Command::new(uhub);
    c.arg("mirror").arg("--file").arg(sync).args([
        "--to",
        &format!("{dst}/fleet"),
        "--concurrency",
        &concurrency.to_string(),
        "--images",
        &concurrency.min(16).to_string(),
        "--no-progress",
    ]);
    c
}

fn skopeo_command(skopeo: &Path, sync: &Path, dst: &str) -> Command {
    let mut c = Command::new(skopeo);
    c.args([
        "--insecure-policy",
        "sync",
        "--all",
        "--src",
        "yaml",
        "--dest",
        "docker",
        "--dest-tls-verify=false",
        "--src-no-creds",
        "--dest-no-creds",
    ])
    .arg(sync)
    .arg(format!("{dst}/fleet"));
    c
}

/// Tags whose destination copy is missing or names another digest than the source's.
async fn lost(fleet: &Fleet, dst: &Host) -> Vec<String> {
    let mut lost = Vec::new();
    for ((name, tag), digest) in fleet {
        if head_manifest(dst, name, tag).await.as_deref() != Some(digest.as_str()) {
            lost.push(format!("{name}:{tag}"));
        }
    }
    lost
}

/// Every manifest and blob of every tag, against the source's digests; its panic an error.
async fn verify(fleet: &Fleet, src: &Host, dst: &Host, tool: &str) -> Result<(), String> {
    for (name, tag) in fleet.keys() {
        let check = std::panic::AssertUnwindSafe(assert_same_image(src, name, dst, name, tag));
        if let Err(panic) = futures::FutureExt::catch_unwind(check).await {
            let why = panic.downcast_ref::<String>().cloned().unwrap_or_else(|| "the check panicked".to_owned());
            return Err(format!("{tool}'s copy of {name}:{tag}: {why}"));
        }
    }
    Ok(())
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().rev().take(3).collect();
    lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_tools_are_given_every_repository_of_the_fleet() {
        let dir = tempfile::tempdir().unwrap();
        let (toml, yaml) = (dir.path().join("s.toml"), dir.path().join("s.yaml"));
        let names = vec![repository(0), repository(1)];
        write_sync_files("127.0.0.1:5000", &names, &toml, &yaml).unwrap();
        assert_eq!(
            std::fs::read_to_string(&toml).unwrap(),
            "# every tag of each; the destination is given by --to\n\n[[source]]\nfrom = \"127.0.0.1:5000/fleet/app000\"\n\n\
             [[source]]\nfrom = \"127.0.0.1:5000/fleet/app001\"\n"
        );
        assert_eq!(
            std::fs::read_to_string(&yaml).unwrap(),
            "127.0.0.1:5000:\n  tls-verify: false\n  images:\n    fleet/app000: []\n    fleet/app001: []\n"
        );
    }

    #[test]
    fn distinct_bytes_count_the_shared_base_once() {
        assert_eq!(distinct_bytes(2), 4_000_000 + 6 * 200_000);
    }
}
