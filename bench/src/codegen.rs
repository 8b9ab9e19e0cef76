//! Codegen: wall time of generating the SDK from spec/uhub.json, reported without a target.
//! `check` is what `cargo xtask codegen --check` does (read, generate, compare with the files);
//! `generate` is the generator alone on spec text already read.

use std::path::Path;
use std::time::{Duration, Instant};

use uhub_codegen::sync::{self, Mode};

use crate::measure::{Row, interleave, median, show};

const ROUNDS: usize = 7;

pub fn run(root: &Path) -> Result<Vec<Row>, String> {
    let spec = root.join(sync::SPEC);
    let text = std::fs::read_to_string(&spec).map_err(|e| format!("cannot read {}: {e}", spec.display()))?;
    let mut files = 0;
    let check = || -> Result<f64, String> {
        let started = Instant::now();
        sync::sync(root, Mode::Check)?;
        Ok(started.elapsed().as_secs_f64())
    };
    let generate = || -> Result<f64, String> {
        let started = Instant::now();
        files = uhub_codegen::generate(&text).map_err(|e| format!("{} is invalid:\n{e}", sync::SPEC))?.len();
        Ok(started.elapsed().as_secs_f64())
    };
    let (c, g) = interleave(ROUNDS, check, generate)?;
    let secs = |v: &[f64]| show(Duration::from_secs_f64(median(v)));
    Ok(vec![Row {
        name: "codegen",
        label: format!("check = {}", secs(&c)),
        ratio: None,
        target: None,
        raw: format!(
            "generate alone {}  {files} files from {} ({} KiB), median of {ROUNDS} runs each",
            secs(&g),
            sync::SPEC,
            text.len() / 1024
        ),
    }])
}
