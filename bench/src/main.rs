//! `cargo xtask bench` runs this package in release mode: side-by-side measures of the SDK,
//! each a ratio of two things timed in the same run, in interleaved rounds (the order of the
//! sides rotates each round), with medians. It reports; it fails only when a measure cannot be taken at all.
//!
//! One module per measure; `tags` makes the bodies their loopback server (uhub-loopback) serves.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

mod call;
mod cli;
mod codegen;
mod compile;
mod decode;
mod fleet;
mod listing;
mod measure;
mod memory;
mod mirror;
mod tags;

use measure::Row;

/// The measures, by the names `cargo xtask bench NAME...` selects.
pub const MEASURES: &[&str] = &["call", "decode", "memory", "codegen", "listing", "cli", "mirror", "fleet", "compile"];
/// Measures taken only when named: `compile` builds the SDK six times, for minutes.
const ONLY_WHEN_NAMED: &[&str] = &["compile"];

fn main() -> ExitCode {
    if let Some(log) = std::env::var_os(compile::WRAPPER_ENV) {
        let rustc: Vec<String> = std::env::args().skip(1).collect();
        return compile::wrap(Path::new(&log), &rustc);
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        [memory::CHILD_COMMAND, tags] => memory::child(tags),
        [memory::HOSTILE_COMMAND, url] => memory::hostile_child(url),
        [call::ONE_SIDE_COMMAND, side, calls] => call::one_side(side, calls),
        filter => match filter.iter().find(|m| !MEASURES.contains(m)) {
            Some(unknown) => Err(format!("unknown measure {unknown:?}; the measures are {}", MEASURES.join(", "))),
            None => run(&measure::workspace_root(), filter),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// Takes the selected measures (all when `filter` is empty) and prints the table.
fn run(root: &Path, filter: &[&str]) -> Result<(), String> {
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build: these numbers mean little (use `cargo xtask bench`)");
    }
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = || {
        std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next().map(str::to_owned))
            .unwrap_or_else(|| "?".to_owned())
    };
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    println!(
        "uhub bench: {cores} cores ({cpu}), load {} at start, release build; both sides of each ratio run in \
         the same rounds, interleaved (their order rotates each round); values are medians",
        load()
    );
    let selected = |name: &str| (filter.is_empty() && !ONLY_WHEN_NAMED.contains(&name)) || filter.contains(&name);
    let started = Instant::now();
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    let mut take = |name: &str, measure: &dyn Fn() -> Result<Vec<Row>, String>| {
        if !selected(name) {
            return;
        }
        match measure() {
            Ok(r) => {
                for row in &r {
                    println!("{}", row.render());
                }
                rows.extend(r);
            }
            Err(e) => {
                println!("{name:<16} ERROR: {e}");
                failures.push(name.to_owned());
            }
        }
    };
    take("call", &call::run);
    take("decode", &decode::run);
    take("memory", &memory::run);
    take("codegen", &|| codegen::run(root));
    take("listing", &listing::run);
    take("cli", &cli::run);
    take("mirror", &mirror::run);
    take("fleet", &fleet::run);
    take("compile", &|| compile::run(root));
    let judged: Vec<&Row> = rows.iter().filter(|r| r.target.is_some()).collect();
    let met = judged.iter().filter(|r| r.met() == Some(true)).count();
    let missed: Vec<&str> = judged.iter().filter(|r| r.met() == Some(false)).map(|r| r.name).collect();
    let mut summary = format!("targets met: {met} of {}", judged.len());
    if !missed.is_empty() {
        let _ = write!(summary, " (missed: {})", missed.join(", "));
    }
    println!("{summary}; took {:.0}s; load {} at the end", started.elapsed().as_secs_f64(), load());
    if failures.is_empty() { Ok(()) } else { Err(format!("measures that failed: {}", failures.join(", "))) }
}
