//! Memory: peak resident memory (VmHWM) of a child process streaming 100,000 tags with the
//! paginator's `.items()` (pages of 100) against one streaming 1,000. Each child is this
//! binary run with a hidden subcommand and serves the pages itself on a loopback server.

use std::hint::black_box;
use std::process::Command;

use futures::TryStreamExt;

use crate::measure::{Row, Target, interleave, loopback, median, runtime, sdk_client};
use crate::tags;

/// The hidden subcommand a child runs: `bench-memory-child TAGS`.
pub const CHILD_COMMAND: &str = "bench-memory-child";

const MANY: usize = 100_000;
const FEW: usize = 1_000;
const PAGE_SIZE: i64 = 100;
const ROUNDS: usize = 3;

pub fn run() -> Result<Vec<Row>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let spawn = |tags: usize| -> Result<f64, String> {
        let out = Command::new(&exe)
            .args([CHILD_COMMAND, &tags.to_string()])
            .output()
            .map_err(|e| format!("cannot start the child: {e}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            return Err(format!("child ({tags} tags) failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
        stdout
            .trim()
            .strip_prefix("VmHWM ")
            .and_then(|kb| kb.parse::<f64>().ok())
            .ok_or_else(|| format!("child printed {stdout:?}, not \"VmHWM <kB>\""))
    };
    let (many, few) = interleave(ROUNDS, || spawn(MANY), || spawn(FEW))?;
    let (many, few) = (median(&many), median(&few));
    let mib = |kb: f64| kb / 1024.0;
    Ok(vec![Row::ratio(
        "peak memory",
        "100k tags/1k tags",
        many / few,
        Target::AtMost(1.50),
        format!(
            "100k {:.1} MiB  1k {:.1} MiB  VmHWM of a child streaming .items() in pages of {PAGE_SIZE}, \
             median of {ROUNDS} rounds",
            mib(many),
            mib(few)
        ),
    )])
}

/// The child: streams `tags` tags from its own server and prints `VmHWM <kB>`.
pub fn child(tags: &str) -> Result<(), String> {
    let total: usize = tags.parse().map_err(|_| format!("{CHILD_COMMAND}: {tags:?} is not a number"))?;
    let server = loopback(tags::pages(total))?;
    let client = sdk_client(&server.url())?;
    let count = runtime()?.block_on(async {
        let mut items = client.get_image_tag("bench-repo", "bench-image").into_paginator().page_size(PAGE_SIZE).items();
        let mut count = 0usize;
        while let Some(tag) = items.try_next().await.map_err(|e| e.to_string())? {
            black_box(&tag);
            count += 1;
        }
        Ok::<_, String>(count)
    })?;
    if count != total {
        return Err(format!("streamed {count} tags, not {total}"));
    }
    println!("VmHWM {}", vm_hwm_kb()?);
    Ok(())
}

fn vm_hwm_kb() -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| format!("/proc/self/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmHWM in /proc/self/status".to_owned())
}
