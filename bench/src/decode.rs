//! Decoding: a ~5 MiB GetImageTag body of 20,000 tags through the SDK's tolerant decoder
//! against serde_json into a plain strict struct of the same shape.

use std::hint::black_box;
use std::time::{Duration, Instant};

use uhub_sdk::GetImageTagResponse;

use crate::measure::{Row, Target, interleave, median, show};
use crate::tags;

const TAGS: usize = 20_000;
const BYTES: usize = 5 << 20;
const ROUNDS: usize = 7;
const REPEATS: usize = 3;

#[derive(serde::Deserialize)]
#[allow(dead_code)] // read only to be dropped: the point is the decoding
struct Strict {
    #[serde(rename = "RetCode")]
    ret_code: i64,
    #[serde(rename = "Message", default)]
    message: Option<String>,
    #[serde(rename = "TotalCount")]
    total_count: i64,
    #[serde(rename = "TagSet")]
    tag_set: Vec<StrictTag>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct StrictTag {
    #[serde(rename = "TagName")]
    tag_name: String,
    #[serde(rename = "UpdateTime")]
    update_time: String,
    #[serde(rename = "Digest", default)]
    digest: Option<String>,
}

pub fn run() -> Result<Vec<Row>, String> {
    let body = tags::large(TAGS, BYTES);
    let sdk = || -> Result<usize, String> {
        let r = uhub_sdk::runtime::response::<GetImageTagResponse>("GetImageTag", &body, None)
            .map_err(|e| e.to_string())?;
        Ok(r.tag_set.len())
    };
    let strict = || -> Result<usize, String> {
        let r: Strict = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        Ok(r.tag_set.len())
    };
    for (side, n) in [("sdk", sdk()?), ("strict", strict()?)] {
        if n != TAGS {
            return Err(format!("{side} decoded {n} tags, not {TAGS}"));
        }
    }
    let (s, b) = interleave(ROUNDS, || time(&sdk), || time(&strict))?;
    let (s, b) = (median(&s), median(&b));
    Ok(vec![Row::ratio(
        "decode 5 MiB",
        "sdk/serde_json",
        s / b,
        Target::AtMost(1.40),
        format!(
            "sdk {}  strict {}  {:.1} MiB, {TAGS} tags, median of {ROUNDS} rounds x {REPEATS} decodes",
            show(Duration::from_secs_f64(s)),
            show(Duration::from_secs_f64(b)),
            body.len() as f64 / (1 << 20) as f64
        ),
    )])
}

/// The median of `REPEATS` timed decodes, in seconds.
fn time(decode: &dyn Fn() -> Result<usize, String>) -> Result<f64, String> {
    let mut each = Vec::with_capacity(REPEATS);
    for _ in 0..REPEATS {
        let started = Instant::now();
        black_box(decode()?);
        each.push(started.elapsed().as_secs_f64());
    }
    Ok(median(&each))
}
