//! `uhub mirror`'s report, built for a fleet of hundreds of images: a summary first (images by
//! result; bytes sent, mounted and skipped; waits), then the images, failures first, each with a
//! one-line reason (a registry's `{"errors":[{"code":..,"message":..}]}` read into
//! `CODE: message`, never its raw JSON, and cut in the table).
//!
//! - table: the summary's lines, then one row per image; stderr's last line names the failures;
//! - `-o json`: one object, `{"summary": {...}, "images": [...]}`;
//! - `-o jsonl`: one line per image as it finishes ([`Reporter::finished`]), then
//!   `{"summary": {...}}` as the last line;
//! - `-q`: the destinations, one per line.

use serde::Serialize;
use uhub_registry::{AccessoryReport, CopyReport, Error as RegistryError, ImageRef, Outcome, Waits};

use crate::cli::Format;
use crate::mirror::shard::Shard;
use crate::terminal::output::{self, Output, Row};

/// The longest reason a table row shows (the JSON keeps the whole one-line reason).
const TABLE_REASON_CHARS: usize = 100;
/// How many failed images the stderr summary names before it says "see above" instead.
const NAMED_FAILURES: usize = 3;

/// One image's line of the report. A field added here appears in JSON at once; the table shows
/// it through [`Line::details`].
#[derive(Serialize, Clone, Debug)]
pub struct Line {
    pub source: String,
    pub destination: String,
    /// `copied`, `unchanged`, `would_copy`, `failed`, `interrupted` (some blobs copied, not
    /// tagged), `not_started` or `refused` (a name the source listed that is not a tag; no
    /// request was made for it).
    pub result: &'static str,
    pub digest: Option<String>,
    /// The source's digest when `--platform` rewrote the index (so the digests differ).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_digest: Option<String>,
    /// The digest the destination's tag had before this copy moved it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced: Option<String>,
    pub platforms: Vec<String>,
    /// Bytes sent (or, in a dry run, that would be).
    pub bytes: u64,
    pub blobs_copied: usize,
    pub blobs_skipped: usize,
    pub blobs_mounted: usize,
    /// Bytes not sent: mounted from another repository of the destination registry.
    pub bytes_mounted: u64,
    /// Bytes not sent: the destination had them (or another job of the run brought them).
    pub bytes_skipped: u64,
    /// The image's signatures, attestations and referrers copied with it (their blobs and
    /// bytes are in the counts above).
    pub accessories: Vec<AccessoryReport>,
    /// Why the image failed, on one line: the registry's error code and message when it sent
    /// some, never its raw JSON.
    pub error: Option<String>,
}

impl Line {
    /// The line of one copy from `from` to `to`.
    pub fn of(from: &ImageRef, to: &ImageRef, result: Result<CopyReport, RegistryError>) -> Line {
        match result {
            Ok(report) => Line {
                result: match (report.outcome, &report.accessories_failed) {
                    // The image is there; its line still fails, so the run says not all arrived.
                    (_, Some(_)) => "failed",
                    (Outcome::Copied, None) => "copied",
                    (Outcome::Unchanged, None) => "unchanged",
                    (Outcome::WouldCopy, None) => "would_copy",
                },
                error: report.accessories_failed.map(|why| {
                    let image = match report.outcome {
                        Outcome::Copied => "was copied",
                        Outcome::Unchanged => "was already there",
                        Outcome::WouldCopy => "would be copied",
                    };
                    reason(&format!("the image {image}, not all its accessories: {why}"))
                }),
                accessories: report.accessories,
                source_digest: report.rewritten.then(|| report.source_digest.clone()),
                replaced: report.replaced.clone(),
                digest: Some(report.digest),
                platforms: report.platforms,
                bytes: report.bytes,
                blobs_copied: report.blobs_copied,
                blobs_skipped: report.blobs_skipped,
                blobs_mounted: report.blobs_mounted,
                bytes_mounted: report.bytes_mounted,
                bytes_skipped: report.bytes_skipped,
                ..Line::blank(from.to_string(), to.to_string(), "copied")
            },
            Err(e @ RegistryError::Interrupted) => Line {
                error: Some(reason(&e.to_string())),
                ..Line::blank(from.to_string(), to.to_string(), "interrupted")
            },
            Err(e) => {
                Line { error: Some(reason(&e.to_string())), ..Line::blank(from.to_string(), to.to_string(), "failed") }
            }
        }
    }

    /// A sync file's source whose tags could not be chosen (listing or reading them failed).
    pub fn unlisted(source: &str, to: &str, error: &str) -> Line {
        Line { error: Some(reason(error)), ..Line::blank(source.to_owned(), to.to_owned(), "failed") }
    }

    /// A name `image`'s registry listed that is not a tag: `why` says which (escaped).
    pub fn refused(image: &str, to: &str, why: String) -> Line {
        Line { error: Some(why), ..Line::blank(image.to_owned(), to.to_owned(), "refused") }
    }

    /// A copy a stop (Ctrl-C, `--timeout`) kept from starting.
    pub fn not_started(from: &ImageRef, to: &ImageRef) -> Line {
        Line::blank(from.to_string(), to.to_string(), "not_started")
    }

    fn blank(source: String, destination: String, result: &'static str) -> Line {
        Line {
            source,
            destination,
            result,
            digest: None,
            source_digest: None,
            replaced: None,
            platforms: Vec::new(),
            bytes: 0,
            blobs_copied: 0,
            blobs_skipped: 0,
            blobs_mounted: 0,
            bytes_mounted: 0,
            bytes_skipped: 0,
            accessories: Vec::new(),
            error: None,
        }
    }

    /// An image the run did not copy as asked (a refused name included): exit status 4.
    pub fn is_failure(&self) -> bool {
        matches!(self.result, "failed" | "refused")
    }

    /// An image a stop left unfinished.
    pub fn is_unfinished(&self) -> bool {
        matches!(self.result, "not_started" | "interrupted")
    }

    /// Where the line goes in the report: failures, then what a stop left, then the rest.
    fn rank(&self) -> u8 {
        if self.is_failure() {
            0
        } else if self.is_unfinished() {
            1
        } else {
            2
        }
    }

    /// The table's DETAIL parts, each short: the reason (without the destination the row
    /// already names), a rewritten index, the digest a tag had.
    fn details(&self) -> Vec<String> {
        let mut details = Vec::new();
        if let Some(e) = &self.error {
            let e = e.replacen(&format!(" {}: ", self.destination), ": ", 1);
            let e = e.replacen(&format!(" {}: ", self.source), ": ", 1);
            details.push(cut(&short_digests(&e), TABLE_REASON_CHARS));
        }
        match self.accessories.len() {
            0 => {}
            1 => details.push("+1 accessory".to_owned()),
            n => details.push(format!("+{n} accessories")),
        }
        if let Some(src) = &self.source_digest {
            details.push(format!("index rewritten for {} (source {})", self.platforms.join(", "), short_digest(src)));
        }
        if let Some(old) = &self.replaced {
            details.push(format!("the tag had {}", short_digest(old)));
        }
        details
    }
}

impl Row for Line {
    fn headers() -> &'static [&'static str] {
        &["SOURCE", "DESTINATION", "RESULT", "DIGEST", "SIZE", "BLOBS", "DETAIL"]
    }

    fn cells(&self) -> Vec<String> {
        let result = self.result.replace('_', " ");
        let digest = self.digest.as_deref().map_or_else(String::new, short_digest);
        let blobs = match self.result {
            "failed" | "refused" | "interrupted" | "not_started" | "unchanged" => String::new(),
            "would_copy" => format!("{} to send, {} present", self.blobs_copied, self.blobs_skipped),
            _ if self.blobs_mounted > 0 => {
                format!("{} sent, {} present, {} mounted", self.blobs_copied, self.blobs_skipped, self.blobs_mounted)
            }
            _ => format!("{} sent, {} present", self.blobs_copied, self.blobs_skipped),
        };
        let size = if blobs.is_empty() { String::new() } else { human_bytes(self.bytes) };
        let detail = self.details().join("; ");
        vec![self.source.clone(), self.destination.clone(), result, digest, size, blobs, detail]
    }

    fn name(&self) -> String {
        self.destination.clone()
    }
}

/// Which share of the sources this process took (`--shard K/N`).
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardTaken {
    /// K, counting from 0.
    pub index: u32,
    /// N.
    pub count: u32,
    /// Sources (arguments, or a sync file's `[[source]]`s) this shard mirrors...
    pub sources: usize,
    /// ...of the ones given to every shard.
    pub sources_total: usize,
}

impl ShardTaken {
    pub fn new(shard: Shard, sources: usize, sources_total: usize) -> ShardTaken {
        ShardTaken { index: shard.index, count: shard.count, sources, sources_total }
    }

    /// `shard 1/3: 4 of 9 sources`.
    pub fn sentence(&self) -> String {
        format!("shard {}/{}: {} of {} sources", self.index, self.count, self.sources, self.sources_total)
    }
}

/// The run in numbers: `-o json`'s `summary`, the table's first lines and `-o jsonl`'s last.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub dry_run: bool,
    /// Absent without `--shard`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardTaken>,
    /// Lines of the report (images, and refused names).
    pub images: usize,
    pub copied: usize,
    pub unchanged: usize,
    pub would_copy: usize,
    pub failed: usize,
    pub refused: usize,
    pub interrupted: usize,
    pub not_started: usize,
    /// Bytes sent (in a dry run: that would be sent).
    pub bytes_copied: u64,
    /// Bytes mounted from another repository of the destination registry instead of sent.
    pub bytes_mounted: u64,
    /// Bytes the destination already had.
    pub bytes_skipped: u64,
    /// Times a registry asked the run to slow down and it waited...
    pub waits: u64,
    /// ...and how long, in milliseconds (overlapping pauses of one host counted once).
    pub waited_ms: u64,
}

impl Summary {
    pub fn of(lines: &[Line], dry_run: bool, shard: Option<ShardTaken>, waits: Waits) -> Summary {
        let count = |r: &str| lines.iter().filter(|l| l.result == r).count();
        Summary {
            dry_run,
            shard,
            images: lines.len(),
            copied: count("copied"),
            unchanged: count("unchanged"),
            would_copy: count("would_copy"),
            failed: count("failed"),
            refused: count("refused"),
            interrupted: count("interrupted"),
            not_started: count("not_started"),
            bytes_copied: lines.iter().map(|l| l.bytes).sum(),
            bytes_mounted: lines.iter().map(|l| l.bytes_mounted).sum(),
            bytes_skipped: lines.iter().map(|l| l.bytes_skipped).sum(),
            waits: waits.count,
            waited_ms: u64::try_from(waits.total.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// The summary for people, a line each: images, bytes, waits (and the shard).
    fn block(&self) -> String {
        let mut images = if self.dry_run {
            vec![format!("{} would be copied", self.would_copy)]
        } else {
            vec![format!("{} copied", self.copied)]
        };
        images.push(format!("{} unchanged", self.unchanged));
        images.extend(self.exceptions());
        let mut block = String::new();
        if let Some(shard) = &self.shard {
            block += &format!("{}\n", shard.sentence());
        }
        let sent = if self.dry_run { "to send" } else { "sent" };
        block += &format!("images: {}\n", images.join(", "));
        block += &format!(
            "bytes: {} {sent}, {} mounted, {} skipped\n",
            human_bytes(self.bytes_copied),
            human_bytes(self.bytes_mounted),
            human_bytes(self.bytes_skipped)
        );
        block += &match self.waits {
            0 => "waits: 0\n".to_owned(),
            n => format!("waits: {n} ({:.1} s)\n", self.waited_ms as f64 / 1000.0),
        };
        block
    }

    fn exceptions(&self) -> Vec<String> {
        [
            (self.failed, "failed"),
            (self.refused, "refused"),
            (self.interrupted, "interrupted"),
            (self.not_started, "not started"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| format!("{n} {word}"))
        .collect()
    }

    /// stderr's closing line: the counts, and the failed images by name (or their count and
    /// where to look when there are many).
    pub fn sentence(&self, lines: &[Line]) -> String {
        let mut parts = Vec::new();
        if self.dry_run {
            parts.push(format!("{} would be copied ({})", self.would_copy, human_bytes(self.bytes_copied)));
        } else {
            let mut bytes = vec![format!("{} sent", human_bytes(self.bytes_copied))];
            if self.bytes_mounted > 0 {
                bytes.push(format!("{} mounted", human_bytes(self.bytes_mounted)));
            }
            parts.push(format!("{} copied ({})", self.copied, bytes.join(", ")));
        }
        parts.push(format!("{} unchanged", self.unchanged));
        parts.extend(self.exceptions());
        let mut sentence = parts.join(", ");
        let failed: Vec<&str> = lines.iter().filter(|l| l.is_failure()).map(|l| l.source.as_str()).collect();
        if failed.len() > NAMED_FAILURES {
            sentence += &format!("; {} not copied, listed first above", failed.len());
        } else if !failed.is_empty() {
            sentence += &format!("; not copied: {}", failed.join(", "));
        }
        sentence
    }
}

/// Prints the report in the chosen format: lines as they finish (JSON lines), the rest at the
/// end.
pub struct Reporter {
    out: Output,
}

impl Reporter {
    pub fn new(out: Output) -> Reporter {
        Reporter { out }
    }

    /// A line is final: with `-o jsonl` it is printed now, so a fleet's progress can be read
    /// (and acted on) while the run goes on.
    pub fn finished(&self, line: &Line) -> anyhow::Result<()> {
        if self.streams() {
            output::emit(&(serde_json::to_string(line)? + "\n"))?;
        }
        Ok(())
    }

    fn streams(&self) -> bool {
        self.out.format == Format::Jsonl && !self.out.quiet
    }

    /// The run is over: the summary and the lines not yet printed, failures first.
    pub fn end(&self, mut lines: Vec<Line>, summary: &Summary) -> anyhow::Result<()> {
        lines.sort_by_key(Line::rank);
        if self.out.quiet {
            return self.out.list(&lines);
        }
        match self.out.format {
            Format::Table => {
                output::emit(&summary.block())?;
                output::emit("\n")?;
                self.out.list(&lines)?;
                output::note(&summary.sentence(&lines));
                Ok(())
            }
            Format::Json => {
                let report = Report { summary, images: &lines };
                output::emit(&(serde_json::to_string_pretty(&report)? + "\n"))
            }
            Format::Jsonl => output::emit(&(serde_json::to_string(&SummaryLine { summary })? + "\n")),
        }
    }
}

/// `-o json`.
#[derive(Serialize)]
struct Report<'a> {
    summary: &'a Summary,
    images: &'a [Line],
}

/// `-o jsonl`'s last line.
#[derive(Serialize)]
struct SummaryLine<'a> {
    summary: &'a Summary,
}

/// `error` on one line with a registry's JSON error body read: `... HTTP 400:
/// {"errors":[{"code":"DIGEST_INVALID","message":"manifest invalid",...}]}` becomes `... HTTP
/// 400: DIGEST_INVALID: manifest invalid`. Text that holds no such body is kept (on one line).
pub fn reason(error: &str) -> String {
    let flat: String = error.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(start) = flat.find("{\"errors\"").or_else(|| flat.find("{ \"errors\"")) else {
        return flat;
    };
    let (before, body) = flat.split_at(start);
    let mut stream = serde_json::Deserializer::from_str(body).into_iter::<serde_json::Value>();
    let (pairs, after) = match stream.next() {
        Some(Ok(value)) => (pairs_of(&value), body[stream.byte_offset()..].trim()),
        // Cut short (the registry side keeps a few hundred characters of a body).
        _ => (first_pair(body), ""),
    };
    if pairs.is_empty() {
        return flat;
    }
    let after = if after.is_empty() || after == "…" { String::new() } else { format!(" {after}") };
    format!("{before}{}{after}", pairs.join("; "))
}

/// The `code: message` pairs of a registry's error body.
fn pairs_of(value: &serde_json::Value) -> Vec<String> {
    value["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let code = e["code"].as_str().unwrap_or("").trim();
            let message = e["message"].as_str().unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ");
            match (code.is_empty(), message.is_empty()) {
                (true, true) => None,
                (false, true) => Some(code.to_owned()),
                (true, false) => Some(message),
                (false, false) => Some(format!("{code}: {message}")),
            }
        })
        .collect()
}

/// The first code and message of a body cut short, when they are whole.
fn first_pair(body: &str) -> Vec<String> {
    let field = |name: &str| {
        let at = body.find(&format!("\"{name}\""))?;
        let rest = body[at + name.len() + 2..].trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
        let end = rest.find('"')?;
        Some(rest[..end].to_owned())
    };
    match (field("code"), field("message")) {
        (Some(code), Some(message)) => vec![format!("{code}: {message}")],
        (Some(code), None) => vec![code],
        _ => Vec::new(),
    }
}

/// At most `max` characters, an ellipsis where it was cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    format!("{}…", text.chars().take(max - 1).collect::<String>())
}

/// `text` with each `sha256:` and 64 hex digits cut to the table's 12 (as the DIGEST column).
fn short_digests(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("sha256:") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let hex = from["sha256:".len()..].bytes().take_while(u8::is_ascii_hexdigit).count();
        let keep = if hex == 64 { "sha256:".len() + 12 } else { "sha256:".len() + hex };
        out.push_str(&from[..keep]);
        rest = &from["sha256:".len() + hex..];
    }
    out.push_str(rest);
    out
}

fn short_digest(digest: &str) -> String {
    digest.get(..19).unwrap_or(digest).to_owned()
}

/// `1.5 MB`: decimal units, as registries and docker show sizes.
pub fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000_000 => format!("{:.1} GB", b as f64 / 1e9),
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{:.1} kB", b as f64 / 1e3),
        b => format!("{b} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(source: &str, result: &'static str, error: Option<&str>) -> Line {
        Line { error: error.map(reason), ..Line::blank(source.into(), format!("dst/{source}"), result) }
    }

    #[test]
    fn sizes_read_as_docker_shows_them() {
        assert_eq!(
            (human_bytes(999), human_bytes(1500), human_bytes(2_345_678)),
            ("999 B".into(), "1.5 kB".into(), "2.3 MB".into())
        );
    }

    #[test]
    fn a_registry_error_body_becomes_code_and_message() {
        let raw = r#"push manifest h:5000/a/b:1: HTTP 400: {"errors":[{"code":"DIGEST_INVALID","message":"manifest invalid","detail":{"long":"x"}}]}"#;
        assert_eq!(reason(raw), "push manifest h:5000/a/b:1: HTTP 400: DIGEST_INVALID: manifest invalid");
        let two = r#"HTTP 400: {"errors":[{"code":"A","message":"one"},{"code":"B","message":"two\nlines"}]} then"#;
        assert_eq!(reason(two), "HTTP 400: A: one; B: two lines then");
        // Cut short by the registry side's 300 characters: the whole pair that is there.
        let cut = r#"HTTP 400: {"errors":[{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:aaaa…"#;
        assert_eq!(reason(cut), "HTTP 400: MANIFEST_BLOB_UNKNOWN: blob unknown to registry");
        assert_eq!(reason("cannot connect:\n refused"), "cannot connect: refused");
        assert_eq!(reason(r#"odd {"errors": 3}"#), r#"odd {"errors": 3}"#);
    }

    #[test]
    fn a_table_row_stays_short_and_failures_come_first() {
        let long =
            format!(r#"push manifest dst/b: HTTP 400: {{"errors":[{{"code":"X","message":"{}"}}]}}"#, "m".repeat(500));
        let lines =
            vec![line("a", "copied", None), line("b", "failed", Some(&long)), line("c", "refused", Some("not a tag"))];
        let detail = lines[1].cells()[6].clone();
        assert!(detail.starts_with("push manifest: HTTP 400: X: mmm") && detail.chars().count() <= 100, "{detail}");
        let digest = format!("GET blob r@sha256:{}: HTTP 400", "ab".repeat(32));
        assert_eq!(short_digests(&digest), "GET blob r@sha256:abababababab: HTTP 400");
        assert_eq!(short_digests("sha256:12 sha256:"), "sha256:12 sha256:");
        let mut sorted = lines.clone();
        sorted.sort_by_key(Line::rank);
        assert_eq!(sorted.iter().map(|l| l.source.as_str()).collect::<Vec<_>>(), ["b", "c", "a"]);
    }

    #[test]
    fn the_summary_names_few_failures_and_counts_many() {
        let few = vec![line("a", "copied", None), line("b", "failed", Some("x"))];
        let summary = Summary::of(&few, false, None, Waits::default());
        assert_eq!((summary.copied, summary.failed, summary.images), (1, 1, 2));
        assert!(summary.sentence(&few).ends_with("1 failed; not copied: b"), "{}", summary.sentence(&few));
        let many: Vec<Line> = (0..5).map(|n| line(&format!("f{n}"), "failed", Some("x"))).collect();
        let text = Summary::of(&many, false, None, Waits::default()).sentence(&many);
        assert!(text.ends_with("5 not copied, listed first above") && !text.contains("f4"), "{text}");
    }

    #[test]
    fn the_json_summary_has_every_count_and_the_shard() {
        let shard = ShardTaken::new(Shard { index: 1, count: 3 }, 4, 9);
        let json = serde_json::to_value(Summary::of(&[], true, Some(shard), Waits::default())).unwrap();
        assert_eq!(json["shard"], serde_json::json!({"index": 1, "count": 3, "sources": 4, "sources_total": 9}));
        for key in [
            "images",
            "copied",
            "unchanged",
            "failed",
            "refused",
            "bytes_copied",
            "bytes_mounted",
            "bytes_skipped",
            "waits",
            "waited_ms",
        ] {
            assert!(json[key].is_u64(), "{key}: {json}");
        }
        assert_eq!(shard.sentence(), "shard 1/3: 4 of 9 sources");
    }
}
