//! Compile cost per action: the SDK built from specs of 7 (the real spec), 500 and 2,000
//! actions (synthetic, with the shapes of UCloud's catalogue: products of twenty actions), in
//! debug (non-incremental) and release, in a scratch copy of the workspace outside the
//! repository's target.
//!
//! The time is the one a user waits for: the wall time of the whole `cargo build` after
//! uhub-sdk's `lib.rs` is touched (`CARGO_INCREMENTAL=0`, dependencies already built), not only
//! rustc's. The machine's load (the 1-minute figure of `/proc/loadavg`) is printed before and
//! after each build, since on a shared machine the same build takes twice as long at load 4 as
//! on idle cores. This binary also wraps rustc (`RUSTC_WRAPPER`) to sample the SDK's own rustc's
//! peak resident memory (VmHWM) while it runs, and its time and CPU time (which, unlike the
//! wait, hardly moves with the load: compare builds by it), shown beside the wait.
//!
//! `UHUB_BENCH_COMPILE_SIZES=7,500` measures other sizes, `UHUB_BENCH_COMPILE_RELEASE=0` skips the
//! release builds; `UHUB_BENCH_COMPILE_SPEC=FILE` measures
//! the SDK generated from another spec (a whole catalogue merged by `import-doc`, say) instead.
//! A spec with products is built both ways the generator lays it out: each product a crate of
//! its own (`uhub_codegen::crates`, what a catalogue is generated as; the targets judge it),
//! and every product a module of uhub-sdk, one crate (a report row). With several crates the
//! time is still the whole `cargo build`'s, and the memory the most the rustc processes held
//! at once: each one's peak, summed over those that ran at the same time (an upper bound).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use uhub_codegen::{spec, sync, synth};

use crate::measure::{Row, Target};

/// Set (to a file) when this binary runs as rustc's wrapper; the SDK's compilations append
/// `<seconds> <peak kB> <CPU seconds>` lines to the file.
pub const WRAPPER_ENV: &str = "UHUB_BENCH_RUSTC_PEAK";

/// The workspace's crates the SDK's build needs, by package name and folder.
const LOCAL_CRATES: &[(&str, &str)] = &[("uhub-sdk", "uhub-sdk"), ("uhub-mask", "mask")];

const SIZES: &[usize] = &[7, 500, 2000];
const SECONDS_PER_ACTION: f64 = 0.05;
const MB_PER_ACTION: f64 = 1.5;

pub fn run(root: &Path) -> Result<Vec<Row>, String> {
    let sizes = match std::env::var("UHUB_BENCH_COMPILE_SIZES") {
        Ok(list) => list
            .split(',')
            .map(|n| n.trim().parse().map_err(|_| format!("bad size {n:?}")))
            .collect::<Result<Vec<usize>, _>>()?,
        Err(_) => SIZES.to_vec(),
    };
    let scratch = Scratch::new(root)?;
    let base_text = read(&root.join(sync::SPEC))?;
    let base = spec::parse(&base_text).map_err(|e| format!("{}: {e}", sync::SPEC))?;
    let mut rows = Vec::new();
    let mut smallest: Option<(usize, Build)> = None;
    let specs: Vec<(usize, String)> = match std::env::var_os("UHUB_BENCH_COMPILE_SPEC") {
        Some(path) => {
            let text = read(Path::new(&path))?;
            let spec = spec::parse(&text).map_err(|e| format!("{}: {e}", Path::new(&path).display()))?;
            // Every action the SDK gets: UHub's own and those of the spec's product sections.
            let n = spec.actions.len() + spec.products.iter().map(|p| p.actions.len()).sum::<usize>();
            vec![(n, text)]
        }
        // The real spec at its own size, a synthetic one otherwise.
        None => sizes
            .iter()
            .map(|&n| {
                let text =
                    if n == base.actions.len() { base_text.clone() } else { spec::to_text(&synth::spec(&base, n)) };
                (n, text)
            })
            .collect(),
    };
    // Dependencies first, once per profile, with the small real spec: not measured.
    let release = !matches!(std::env::var("UHUB_BENCH_COMPILE_RELEASE").as_deref(), Ok("0"));
    scratch.generate(&base_text)?;
    scratch.cargo(&["build", "-p", "uhub-sdk"], &[], None)?;
    if release {
        scratch.cargo(&["build", "-p", "uhub-sdk"], &["--release"], None)?;
    }
    for (n, text) in specs {
        let products = spec::parse(&text).is_ok_and(|s| !s.products.is_empty());
        if products {
            let lines = scratch.generate_crates(&text)?;
            let build = scratch.builds(release, lines)?;
            rows.extend(rows_for(n, &build, None, Layout::Crates));
            // The same catalogue as one crate, for comparison only.
            let lines = scratch.generate(&text)?;
            let build = scratch.builds(release, lines)?;
            rows.extend(rows_for(n, &build, None, Layout::OneCrate));
            continue;
        }
        let lines = scratch.generate(&text)?;
        let build = scratch.builds(release, lines)?;
        rows.extend(rows_for(n, &build, smallest.as_ref(), Layout::Sdk));
        if smallest.is_none() {
            smallest = Some((n, build));
        }
    }
    Ok(rows)
}

/// How the measured spec's code was laid out in crates.
#[derive(Clone, Copy, PartialEq)]
enum Layout {
    /// uhub-sdk alone: a spec without products.
    Sdk,
    /// Each product a crate of its own beside uhub-sdk: judged by the targets.
    Crates,
    /// Every product a module of uhub-sdk: reported only.
    OneCrate,
}

struct Build {
    debug: Rustc,
    release: Option<Rustc>,
    lines: usize,
}

/// One build of the SDK crate.
#[derive(Clone)]
struct Rustc {
    /// The wall time of `cargo build`, what a user waits for.
    secs: f64,
    /// The SDK's own rustc within it.
    rustc_secs: f64,
    /// That rustc's CPU time, user and system.
    cpu_secs: f64,
    /// The most the measured rustc processes held at once (see the module's docs).
    peak_kb: u64,
    /// `/proc/loadavg`'s 1-minute load before and after the build.
    load: (String, String),
    /// How many crates were measured, and the largest one's peak.
    crates: usize,
    largest_kb: u64,
}

/// A build's wait, its rustc's share and CPU time, and the load around it:
/// `58.2s (rustc 57.9s, CPU 60.1s, load 1.02 -> 1.87)`.
fn wait(r: &Rustc) -> String {
    let crates = if r.crates > 1 { format!(" in {} crates", r.crates) } else { String::new() };
    format!(
        "{:.1}s (rustc {:.1}s{crates}, CPU {:.1}s, load {} -> {})",
        r.secs, r.rustc_secs, r.cpu_secs, r.load.0, r.load.1
    )
}

fn rows_for(n: usize, b: &Build, smallest: Option<&(usize, Build)>, layout: Layout) -> Vec<Row> {
    let per = |v: f64| v / n as f64;
    let mb = |r: &Rustc| r.peak_kb as f64 / 1024.0;
    let release_mb = |b: &Build| b.release.as_ref().map_or(0.0, mb);
    let release = |f: &dyn Fn(&Rustc) -> String| b.release.as_ref().map_or("not built".to_owned(), f);
    // What each action adds beyond the smallest spec measured: the slope, without the runtime.
    let slope = smallest.filter(|(m, _)| *m < n).map_or(String::new(), |(m, s)| {
        let d = (n - m) as f64;
        format!(
            "; beyond {m} actions {:.3}s and {:.2} MB per action",
            (b.debug.secs - s.debug.secs) / d,
            (mb(&b.debug).max(release_mb(b)) - mb(&s.debug).max(release_mb(s))) / d
        )
    });
    let judged = n >= 100 && layout != Layout::OneCrate;
    let (debug_name, memory_name, layout_note) = match layout {
        Layout::Sdk => ("compile debug", "compile memory", String::new()),
        Layout::Crates => (
            "compile debug",
            "compile memory",
            format!("; uhub-sdk and a crate per product, the largest {:.0} MB", b.debug.largest_kb as f64 / 1024.0),
        ),
        Layout::OneCrate => ("  as one crate", "  as one crate", "; every product a module of uhub-sdk".to_owned()),
    };
    let row = |name, label: &str, ratio: f64, target: f64, raw: String| {
        if judged {
            Row::ratio(name, label, ratio, Target::AtMost(target), raw)
        } else {
            Row::report(name, label, ratio, raw)
        }
    };
    let peak = mb(&b.debug).max(release_mb(b));
    vec![
        row(
            debug_name,
            &format!("s/action at {n}"),
            per(b.debug.secs),
            SECONDS_PER_ACTION,
            format!(
                "cargo build: debug {} release {}  {} generated lines ({:.0}/action){slope}",
                wait(&b.debug),
                release(&wait),
                b.lines,
                b.lines as f64 / n as f64
            ),
        ),
        row(
            memory_name,
            &format!("MB/action at {n}"),
            per(peak),
            MB_PER_ACTION,
            format!(
                "peak rustc RSS debug {:.0} MB release {}{layout_note}",
                mb(&b.debug),
                release(&|r| format!("{:.0} MB", mb(r)))
            ),
        ),
    ]
}

/// A workspace of uhub-sdk alone in the temp folder, kept between runs so that its
/// dependencies are built only once.
struct Scratch {
    dir: PathBuf,
    /// The workspace manifest, with `{members}` where the members go.
    manifest: String,
}

/// Where the product crates go in the scratch workspace.
const PRODUCTS_DIR: &str = "products";

impl Scratch {
    fn new(root: &Path) -> Result<Scratch, String> {
        let dir = std::env::temp_dir().join("uhub-bench-compile");
        let sdk = dir.join("uhub-sdk");
        let _ = fs::remove_dir_all(sdk.join("src"));
        copy_dir(&root.join("uhub-sdk/src"), &sdk.join("src"))?;
        // The workspace manifest without the members and path dependencies the SDK does not need.
        let needed = |l: &str| LOCAL_CRATES.iter().any(|(name, _)| l.starts_with(&format!("{name} ")));
        let manifest: String = read(&root.join("Cargo.toml"))?
            .lines()
            .filter(|l| !l.starts_with("uhub-") || needed(l))
            .map(|l| if l.starts_with("members = ") { "members = [{members}]".to_owned() } else { l.to_owned() })
            .map(|l| format!("{l}\n"))
            .collect();
        for (_, crate_dir) in LOCAL_CRATES {
            let crate_manifest = read(&root.join(crate_dir).join("Cargo.toml"))?;
            let crate_manifest = crate_manifest.split("[dev-dependencies]").next().unwrap_or_default();
            write(&dir.join(crate_dir).join("Cargo.toml"), crate_manifest)?;
        }
        let _ = fs::remove_dir_all(dir.join("mask/src"));
        copy_dir(&root.join("mask/src"), &dir.join("mask/src"))?;
        write(&sdk.join("README.md"), &read(&root.join("uhub-sdk/README.md")).unwrap_or_default())?;
        fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
            .map_err(|e| format!("cannot copy Cargo.lock: {e}"))?;
        let scratch = Scratch { dir, manifest };
        scratch.members(&[])?;
        Ok(scratch)
    }

    /// Writes the workspace manifest: uhub-sdk, what it needs, and the product crates `products`.
    fn members(&self, products: &[String]) -> Result<(), String> {
        let local = LOCAL_CRATES.iter().map(|(_, dir)| format!("{dir:?}"));
        let products = products.iter().map(|p| format!("\"{PRODUCTS_DIR}/{p}\""));
        let members = local.chain(products).collect::<Vec<_>>().join(", ");
        write(&self.dir.join("Cargo.toml"), &self.manifest.replace("{members}", &members))
    }

    /// Lays `spec` out as uhub-sdk (its own product) and a crate per product; returns the line
    /// count of what was generated.
    fn generate_crates(&self, spec: &str) -> Result<usize, String> {
        let crates = uhub_codegen::crates::generate(spec, "spec.json", "../../uhub-sdk")
            .map_err(|e| format!("the spec is invalid:\n{e}"))?;
        let products = self.dir.join(PRODUCTS_DIR);
        let _ = fs::remove_dir_all(&products);
        let own = self.write_generated(&crates.own)?;
        let lines = uhub_codegen::crates::write(&products, &crates.products)?;
        self.members(&crates.names)?;
        Ok(own + lines)
    }

    /// Replaces the SDK's generated modules with the output for `spec`; returns its line count.
    fn generate(&self, spec: &str) -> Result<usize, String> {
        let files = uhub_codegen::generate(spec).map_err(|e| format!("a spec the bench made is invalid:\n{e}"))?;
        let _ = fs::remove_dir_all(self.dir.join(PRODUCTS_DIR));
        self.members(&[])?;
        self.write_generated(&files)
    }

    /// Replaces uhub-sdk's generated modules with `files`; returns their line count.
    fn write_generated(&self, files: &[uhub_codegen::File]) -> Result<usize, String> {
        let out = self.dir.join("uhub-sdk/src/generated");
        let _ = fs::remove_dir_all(&out);
        uhub_codegen::crates::write(&out, files)
    }

    /// The debug build and, if `release`, the release build of what is generated.
    fn builds(&self, release: bool, lines: usize) -> Result<Build, String> {
        let debug = self.build(false)?;
        let release = if release { Some(self.build(true)?) } else { None };
        Ok(Build { debug, release, lines })
    }

    /// Builds the SDK (and the product crates, if any) as a user rebuilds it after an edit (its
    /// dependencies are built): touches uhub-sdk's `lib.rs`, which every product crate depends
    /// on, then times the whole `cargo build` of the workspace.
    fn build(&self, release: bool) -> Result<Rustc, String> {
        let profile: &[&str] = if release { &["--release"] } else { &[] };
        let log = self.dir.join("rustc-peak.txt");
        let _ = fs::remove_file(&log);
        touch(&self.dir.join("uhub-sdk/src/lib.rs"))?;
        let before = load();
        let started = Instant::now();
        self.cargo(&["build", "--workspace"], profile, Some(&log))?;
        let secs = started.elapsed().as_secs_f64();
        let load = (before, load());
        let text = read(&log)?;
        let runs = text.lines().map(RustcRun::parse).collect::<Option<Vec<_>>>().filter(|r| !r.is_empty());
        let Some(runs) = runs else {
            return Err(format!(
                "the rustc wrapper wrote {text:?}, not \"<start> <seconds> <kB> <CPU seconds>\" lines"
            ));
        };
        Ok(Rustc {
            secs,
            rustc_secs: runs.iter().map(|r| r.secs).sum(),
            cpu_secs: runs.iter().map(|r| r.cpu_secs).sum(),
            peak_kb: held_at_once(&runs),
            load,
            crates: runs.len(),
            largest_kb: runs.iter().map(|r| r.peak_kb).max().unwrap_or(0),
        })
    }

    fn cargo(&self, args: &[&str], profile: &[&str], log: Option<&Path>) -> Result<(), String> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let mut command = Command::new(cargo);
        command
            .current_dir(&self.dir)
            .args(args)
            .args(profile)
            .arg("--quiet")
            .env("CARGO_TARGET_DIR", self.dir.join("target"))
            .env("CARGO_INCREMENTAL", "0")
            .env_remove("RUSTFLAGS");
        // Always this wrapper, also for the unmeasured builds of the dependencies: a different
        // wrapper (sccache, say) might make cargo see them as stale and rebuild them in the wait.
        let unmeasured = self.dir.join("rustc-unmeasured.txt");
        let exe = std::env::current_exe().map_err(|e| format!("cannot find the bench binary: {e}"))?;
        command.env("RUSTC_WRAPPER", exe).env(WRAPPER_ENV, log.unwrap_or(&unmeasured));
        let status = command.status().map_err(|e| format!("cannot run cargo: {e}"))?;
        if status.success() { Ok(()) } else { Err(format!("cargo {} failed ({status})", args.join(" "))) }
    }
}

/// One measured rustc, as the wrapper logged it.
struct RustcRun {
    /// When it started, in seconds since the Unix epoch.
    start: f64,
    secs: f64,
    peak_kb: u64,
    cpu_secs: f64,
}

impl RustcRun {
    fn parse(line: &str) -> Option<RustcRun> {
        let mut f = line.split_whitespace().map(str::parse::<f64>);
        let (start, secs, peak, cpu) = (f.next()?.ok()?, f.next()?.ok()?, f.next()?.ok()?, f.next()?.ok()?);
        Some(RustcRun { start, secs, peak_kb: peak as u64, cpu_secs: cpu })
    }
}

/// The most the runs held at once: each run's peak counted for all its life, summed over the
/// runs alive together (an upper bound: their peaks need not coincide).
fn held_at_once(runs: &[RustcRun]) -> u64 {
    let mut events: Vec<(f64, i64)> = Vec::new();
    for r in runs {
        events.push((r.start, r.peak_kb as i64));
        events.push((r.start + r.secs, -(r.peak_kb as i64)));
    }
    // Ends before starts at the same instant.
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut now = 0i64;
    let mut most = 0i64;
    for (_, change) in events {
        now += change;
        most = most.max(now);
    }
    most as u64
}

/// As `RUSTC_WRAPPER`: runs rustc; for the SDK's crate and the product crates (`uhub_*` but the
/// mask), samples its VmHWM and CPU time until it exits and appends
/// `<start> <seconds> <peak kB> <CPU seconds>` to the file in [`WRAPPER_ENV`].
pub fn wrap(log: &Path, rustc: &[String]) -> ExitCode {
    let Some((program, args)) = rustc.split_first() else { return ExitCode::FAILURE };
    let measured = args.windows(2).any(|w| w[0] == "--crate-name" && w[1].starts_with("uhub_") && w[1] != "uhub_mask")
        && !args.iter().any(|a| a == "-" || a.starts_with("--print"));
    let start = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs_f64();
    let started = Instant::now();
    let mut child = match Command::new(program).args(args).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot run {program}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (mut peak, mut cpu) = (0, 0.0);
    let status = loop {
        if measured {
            peak = peak.max(vm_hwm_kb(child.id()).unwrap_or(0));
            cpu = cpu_secs(child.id()).unwrap_or(cpu);
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => {
                eprintln!("cannot wait for rustc: {e}");
                return ExitCode::FAILURE;
            }
        }
    };
    if measured && status.success() {
        let line = format!("{start:.3} {:.3} {peak} {cpu:.2}\n", started.elapsed().as_secs_f64());
        let appended = fs::OpenOptions::new().create(true).append(true).open(log).and_then(|mut f| {
            use std::io::Write as _;
            f.write_all(line.as_bytes())
        });
        if let Err(e) = appended {
            eprintln!("cannot write {}: {e}", log.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::from(status.code().unwrap_or(1).clamp(0, 255) as u8)
}

/// The 1-minute load average, as `/proc/loadavg` prints it.
fn load() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

/// Sets a file's modification time to now, as `touch` does, so cargo rebuilds its crate.
fn touch(path: &Path) -> Result<(), String> {
    fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(std::time::SystemTime::now()))
        .map_err(|e| format!("cannot touch {}: {e}", path.display()))
}

/// The CPU time (user and system, all threads) a process has used so far: fields 14 and 15 of
/// `/proc/PID/stat`, in the kernel's fixed 100 ticks a second. Unlike the wall time, it hardly
/// moves with the machine's load, so two builds can be compared on a shared machine.
fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; the fields after it are plain numbers.
    let mut after_name = stat.rsplit_once(')')?.1.split_whitespace();
    let utime: u64 = after_name.nth(11)?.parse().ok()?;
    let stime: u64 = after_name.next()?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    line.trim().trim_end_matches("kB").trim().parse().ok()
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "generated") {
                continue;
            }
            copy_dir(&path, &to.join(entry.file_name()))?;
        } else {
            fs::copy(&path, to.join(entry.file_name())).map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_held_at_once_sums_the_runs_that_overlap_only() {
        let runs: Vec<RustcRun> = ["100.0 10.0 300 9.0", "105.0 10.0 200 9.0", "110.0 5.0 50 4.0", "120.0 1.0 900 1.0"]
            .iter()
            .map(|l| RustcRun::parse(l).unwrap())
            .collect();
        // 300 + 200 from 105 to 110; at 110 the first ends as the third starts: 200 + 50.
        assert_eq!(held_at_once(&runs[..3]), 500);
        // The last runs alone.
        assert_eq!(held_at_once(&runs), 900);
        assert!(RustcRun::parse("12.5 300 9.0").is_none(), "the old three-field line is refused");
    }
}
