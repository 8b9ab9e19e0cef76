//! `uhub mirror` against the tool users would pick, `skopeo copy --all`, between real
//! registries on 127.0.0.1 (uhub-testreg): a source holding a two-platform image of about
//! 200 MB (random layers, which no transport can compress), and for each tool in each round a
//! destination of its own, empty. Every registry is reached through a counting proxy, so the
//! bytes moved and requests made by each tool are read off the wire, not from the tool.
//!
//! - cold: the whole copy into the empty destination, `uhub` ÷ `skopeo`;
//! - re-run: the same command again with nothing changed (a tool that checks digests first
//!   makes HEAD requests only), `uhub` ÷ `skopeo`.
//!
//! The two tools take turns within each round (their order alternating), the whole process
//! timed from start to exit. Each copy's tag is checked after it, and in the first round every
//! manifest and blob each tool left is checked against the source's digests. `uhub` is the binary beside this program (see `cli`), or `UHUB_BIN`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use uhub_testreg::image::{assert_same_image, head_manifest, push_index};
use uhub_testreg::{Counts, Kind, Proxy, Registry, Target as Host, install};

use crate::measure::{Row, Target, median, runtime, show};

const REPO: &str = "bench/app";
const TAG: &str = "v1";
const PLATFORMS: [&str; 2] = ["linux/amd64", "linux/arm64"];
/// Per platform: about 100 MB in four layers of the sizes real images have.
const LAYERS: [usize; 4] = [60_000_000, 30_000_000, 8_000_000, 2_000_000];
const ROUNDS: usize = 5;
/// A copy slower than this is a hang, not a measurement.
const COPY_BOUND: Duration = Duration::from_secs(300);

pub fn run() -> Result<Vec<Row>, String> {
    let uhub = crate::cli::binary()?;
    let skopeo = install::skopeo();
    let rt = runtime()?;
    let source = Registry::start();
    let pushed = rt.block_on(push_index(&source.target(), REPO, TAG, &PLATFORMS, &LAYERS, 2026));
    let source_proxy = Proxy::counting(&source.host());
    let scratch = tempfile::Builder::new()
        .prefix("uhub-bench-mirror-")
        .tempdir()
        .map_err(|e| format!("cannot make a scratch directory: {e}"))?;
    let tools = [Tool::Uhub(uhub), Tool::Skopeo(skopeo)];
    // Cold, then re-run: each tool's times and its last run's traffic.
    let mut phases: [Phase; 2] = Default::default();
    for round in 0..ROUNDS {
        // A fresh destination and home per tool and round: every cold copy is cold.
        let destinations: Vec<(Registry, Proxy, PathBuf)> = (0..tools.len())
            .map(|n| {
                let registry = Registry::start();
                let proxy = Proxy::counting(&registry.host());
                let home = scratch.path().join(format!("home-{round}-{n}"));
                std::fs::create_dir_all(&home).map(|()| (registry, proxy, home))
            })
            .collect::<Result<_, _>>()
            .map_err(|e| format!("cannot make a home directory: {e}"))?;
        for phase in &mut phases {
            for k in 0..tools.len() {
                let n = (round + k) % tools.len();
                let (registry, proxy, home) = &destinations[n];
                source_proxy.reset();
                proxy.reset();
                let elapsed = tools[n].copy(&source_proxy.host(), &proxy.host(), home)?;
                // Checked on the registry itself, so the check is not counted as the tool's.
                let copied = rt.block_on(head_manifest(&registry.target(), REPO, TAG));
                if copied.as_deref() != Some(pushed.digest.as_str()) {
                    return Err(format!(
                        "{} left {REPO}:{TAG} at {copied:?} on its destination, not {}",
                        tools[n].name(),
                        pushed.digest
                    ));
                }
                let dst = proxy.counts();
                let seen = Traffic { src: source_proxy.counts(), dst };
                phase.times[n].push(elapsed);
                phase.traffic[n] = Some(seen);
            }
        }
        if round == 0 {
            // Once: every manifest and blob each tool left, against the source's digests.
            for ((registry, _, _), tool) in destinations.iter().zip(&tools) {
                verify(&rt, &source.target(), &registry.target())
                    .map_err(|e| format!("{}'s copy: {e}", tool.name()))?;
            }
        }
    }
    let megabytes = pushed.blob_bytes() as f64 / 1e6;
    let what = format!(
        "{megabytes:.0} MB, {} platforms x {} layers, whole process, median of {ROUNDS}",
        PLATFORMS.len(),
        LAYERS.len()
    );
    let secs = |v: f64| show(Duration::from_secs_f64(v));
    let [cold, rerun] = &phases;
    let (uhub_cold, skopeo_cold) = (median(&cold.times[0]), median(&cold.times[1]));
    let (uhub_rerun, skopeo_rerun) = (median(&rerun.times[0]), median(&rerun.times[1]));
    let mut rows = vec![
        Row::ratio(
            "mirror cold",
            "uhub/skopeo",
            uhub_cold / skopeo_cold,
            Target::AtMost(1.0),
            format!("uhub {}  skopeo {}  {what}", secs(uhub_cold), secs(skopeo_cold)),
        ),
        Row::ratio(
            "mirror re-run",
            "uhub/skopeo",
            uhub_rerun / skopeo_rerun,
            Target::AtMost(0.2),
            format!("uhub {}  skopeo {}  nothing changed, {what}", secs(uhub_rerun), secs(skopeo_rerun)),
        ),
    ];
    for (phase, name) in phases.iter().zip(["cold", "re-run"]) {
        for (seen, tool) in phase.traffic.iter().zip(&tools) {
            if let Some(seen) = seen {
                rows.push(seen.row(&format!("{} {name}", tool.name())));
            }
        }
    }
    Ok(rows)
}

/// `assert_same_image`, its panic turned into an error so that the other measures still run.
fn verify(rt: &tokio::runtime::Runtime, src: &Host, dst: &Host) -> Result<usize, String> {
    let check = std::panic::AssertUnwindSafe(|| rt.block_on(assert_same_image(src, REPO, dst, REPO, TAG)));
    std::panic::catch_unwind(check).map_err(|panic| {
        panic.downcast_ref::<String>().cloned().unwrap_or_else(|| "the check of the copy panicked".to_owned())
    })
}

#[derive(Default)]
struct Phase {
    times: [Vec<f64>; 2],
    traffic: [Option<Traffic>; 2],
}

enum Tool {
    Uhub(PathBuf),
    Skopeo(PathBuf),
}

impl Tool {
    fn name(&self) -> &'static str {
        match self {
            Tool::Uhub(_) => "uhub",
            Tool::Skopeo(_) => "skopeo",
        }
    }

    /// Copies `SRC/bench/app:v1` to `DST/bench/app`, all platforms; returns the wall time.
    fn copy(&self, src: &str, dst: &str, home: &Path) -> Result<f64, String> {
        let mut command = match self {
            Tool::Uhub(uhub) => {
                let mut c = Command::new(uhub);
                c.args(["mirror", &format!("{src}/{REPO}:{TAG}"), "--to", &format!("{dst}/{REPO}")]);
                c
            }
            Tool::Skopeo(skopeo) => {
                let mut c = Command::new(skopeo);
                c.args([
                    "--insecure-policy",
                    "copy",
                    "--all",
                    "--src-tls-verify=false",
                    "--dest-tls-verify=false",
                    "--src-no-creds",
                    "--dest-no-creds",
                    &format!("docker://{src}/{REPO}:{TAG}"),
                    &format!("docker://{dst}/{REPO}:{TAG}"),
                ]);
                c
            }
        };
        let run = timed(isolated(&mut command, home), self.name(), COPY_BOUND)?;
        if !run.status.success() {
            return Err(format!("{} failed ({}): {}", self.name(), run.status, run.stderr.trim()));
        }
        Ok(run.seconds)
    }
}

/// Each tool's caches and credentials start empty, and no UHub or proxy settings apply.
pub(crate) fn isolated<'c>(command: &'c mut Command, home: &Path) -> &'c mut Command {
    command
        .env("HOME", home)
        .env("XDG_RUNTIME_DIR", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("DOCKER_CONFIG", home.join(".docker"))
        .env("NO_PROXY", "127.0.0.1")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("UCLOUD_PROFILE")
        .env_remove("UCLOUD_PROJECT_ID")
        .env_remove("UCLOUD_PUBLIC_KEY")
        .env_remove("UCLOUD_PRIVATE_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
}

/// One run of a tool: its wall time from start to exit, its status and what it said on stderr.
pub(crate) struct Run {
    pub seconds: f64,
    pub status: std::process::ExitStatus,
    pub stderr: String,
}

/// Runs `command` to its end, timed; a run past `bound` is a hang, killed and an error.
pub(crate) fn timed(command: &mut Command, name: &str, bound: Duration) -> Result<Run, String> {
    let started = Instant::now();
    let mut child = command.spawn().map_err(|e| format!("cannot run {name}: {e}"))?;
    // Output is small (a report, skopeo's progress lines) but read while it runs, so a full
    // pipe cannot stall the tool.
    let (mut out, mut err) = (child.stdout.take(), child.stderr.take());
    let (status, _stdout, stderr) = std::thread::scope(|scope| {
        let out = scope.spawn(move || read_all(out.as_mut()));
        let err = scope.spawn(move || read_all(err.as_mut()));
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) if started.elapsed() > bound => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(format!("{name} took over {bound:?} and was stopped"));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => break Err(format!("waiting for {name}: {e}")),
            }
        };
        (status, out.join().unwrap_or_default(), err.join().unwrap_or_default())
    });
    let seconds = started.elapsed().as_secs_f64();
    Ok(Run { seconds, status: status?, stderr })
}

fn read_all(stream: Option<&mut impl std::io::Read>) -> String {
    let mut text = String::new();
    if let Some(stream) = stream {
        let _ = stream.read_to_string(&mut text);
    }
    text
}

/// What one run of a tool did on the wire, at the source and at its destination.
struct Traffic {
    src: Counts,
    dst: Counts,
}

impl Traffic {
    /// `uhub cold: 66 requests, 400.1 MB moved` (bytes out of the source plus into the
    /// destination), and each side's counts.
    fn row(&self, run: &str) -> Row {
        let moved = self.src.total_bytes_out() + self.dst.total_bytes_in();
        let gets = self.src.requests("GET", Kind::Manifest) + self.src.requests("GET", Kind::Blob);
        let requests = self.src.total_requests() + self.dst.total_requests();
        Row {
            name: "mirror traffic",
            label: format!("{run}: {requests} requests, {:.1} MB moved", moved as f64 / 1e6),
            ratio: None,
            target: None,
            raw: format!(
                "{gets} GETs of manifests and blobs at the source; source: {}; destination: {}",
                self.src, self.dst
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use uhub_testreg::Tally;

    use super::*;

    fn counts(entries: &[(&str, Kind, u64, u64, u64)]) -> Counts {
        let by = entries
            .iter()
            .map(|&(method, kind, requests, bytes_in, bytes_out)| {
                ((method.to_owned(), kind), Tally { requests, bytes_in, bytes_out })
            })
            .collect();
        Counts { by }
    }

    #[test]
    fn a_traffic_row_adds_bytes_out_of_the_source_and_into_the_destination() {
        let seen = Traffic {
            src: counts(&[("GET", Kind::Manifest, 3, 0, 2253), ("GET", Kind::Blob, 10, 0, 200_000_000)]),
            dst: counts(&[("HEAD", Kind::Blob, 10, 0, 0), ("PUT", Kind::Upload, 10, 200_000_000, 0)]),
        };
        let row = seen.row("uhub cold");
        assert_eq!(row.label, "uhub cold: 33 requests, 400.0 MB moved");
        assert_eq!(
            row.raw,
            "13 GETs of manifests and blobs at the source; source: GET manifest 3 (2253 B out), \
             GET blob 10 (200.0 MB out); destination: HEAD blob 10, PUT upload 10 (200.0 MB in)"
        );
        assert_eq!(row.met(), None);
    }
}
