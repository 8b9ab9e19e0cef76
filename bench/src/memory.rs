//! Memory: peak resident memory (VmHWM) of a child process streaming 100,000 tags with the
//! paginator's `.items()` (pages of 100) against one streaming 1,000. Each child is this
//! binary run with a hidden subcommand and serves the pages itself on a loopback server.
//!
//! And what a hostile body costs: VmHWM of a child making one call answered by a body just
//! under the 64 MiB limit of `{}` items (22 million of them), served by this process so the
//! child holds only what the client does, ÷ 64 MiB. Before lists were capped while decoded
//! this was about 35.

use std::future::IntoFuture as _;
use std::hint::black_box;
use std::process::Command;

use futures::TryStreamExt;

use crate::measure::{Row, Target, interleave, loopback, median, runtime, sdk_client};
use crate::tags;

/// The hidden subcommand a child runs: `bench-memory-child TAGS`.
pub const CHILD_COMMAND: &str = "bench-memory-child";

/// The hidden subcommand of the hostile-body child: `bench-memory-hostile URL`.
pub const HOSTILE_COMMAND: &str = "bench-memory-hostile";

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
    let hostile = hostile(&exe)?;
    Ok(vec![
        hostile,
        Row::ratio(
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
        ),
    ])
}

/// Peak RSS of a child whose one call is answered by [`hostile_body`], ÷ the body limit.
fn hostile(exe: &std::path::Path) -> Result<Row, String> {
    let body = hostile_body();
    let items = (body.len() - 40) / 3;
    let server = loopback(uhub_loopback::Reply::json(&body))?;
    drop(body);
    let mut peaks = Vec::new();
    for _ in 0..ROUNDS {
        let out = Command::new(exe)
            .args([HOSTILE_COMMAND, &server.url()])
            .output()
            .map_err(|e| format!("cannot start the child: {e}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            return Err(format!("hostile-body child failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
        let kb = stdout.trim().strip_prefix("VmHWM ").and_then(|kb| kb.parse::<f64>().ok());
        peaks.push(kb.ok_or_else(|| format!("child printed {stdout:?}, not \"VmHWM <kB>\""))?);
    }
    let peak = median(&peaks);
    let limit_kb = (uhub_sdk::DEFAULT_MAX_RESPONSE_BYTES / 1024) as f64;
    Ok(Row::ratio(
        "hostile body",
        "peak RSS/64 MiB",
        peak / limit_kb,
        Target::AtMost(2.0),
        format!(
            "{:.1} MiB  VmHWM of a child whose call (no Limit) gets {:.1} million {{}} in TagSet, median of {ROUNDS}",
            peak / 1024.0,
            items as f64 / 1e6
        ),
    ))
}

/// A GetImageTag body of `{}` items filling the default body limit but for a few bytes.
fn hostile_body() -> Vec<u8> {
    let (head, tail) = (&br#"{"RetCode":0,"TotalCount":1,"TagSet":["#[..], &b"{}]}"[..]);
    let items = (uhub_sdk::DEFAULT_MAX_RESPONSE_BYTES - head.len() - tail.len() - 16) / 3;
    let mut body = Vec::with_capacity(uhub_sdk::DEFAULT_MAX_RESPONSE_BYTES);
    body.extend_from_slice(head);
    for _ in 0..items {
        body.extend_from_slice(b"{},");
    }
    body.extend_from_slice(tail);
    body
}

/// The hostile-body child: one call to `url`, which must fail decoding, then `VmHWM <kB>`.
pub fn hostile_child(url: &str) -> Result<(), String> {
    let client = sdk_client(url)?;
    let result = runtime()?.block_on(client.get_image_tag("bench-repo", "bench-image").into_future());
    match result {
        Err(e) if matches!(e.kind(), uhub_sdk::ErrorKind::Decode { .. }) => {}
        other => return Err(format!("expected the list cap to refuse the body, got {other:?}")),
    }
    println!("VmHWM {}", vm_hwm_kb()?);
    Ok(())
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
