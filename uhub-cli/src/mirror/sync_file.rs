//! Sync files for `uhub mirror --file sync.toml`: which images to copy where, and which of
//! their tags, as plain data. Nothing here touches a registry: [`read`] parses and checks the
//! file (bounded, like policy files), [`TagFilter::select`] picks tags from what a source has.
//!
//! ```toml
//! to = "uhub.service.ucloud.cn/mirror"       # default destination, as --to: HOST/REPO[/IMAGE]
//! platforms = ["linux/amd64", "linux/arm64"] # default: every platform
//! concurrency = 4                            # optional, as --concurrency
//!
//! [[source]]
//! from = "docker.io/library/nginx"           # HOST/REPO/IMAGE, no tag
//! tags = ["1\\.27\\..*", "stable"]          # regular expressions, each matched against the whole name
//! exclude = [".*-perl"]
//! newest = 3                                 # the 3 highest versions (order = "push": the 3 last pushed)
//! max_age = "90d"                            # or since = "2026-01-01"
//! ```
//!
//! How tags are chosen, in this order: `tags` names the candidates (every tag when absent),
//! `exclude` removes some, `since` or `max_age` keeps those created since then, and `newest`
//! keeps the N newest of what is left. Under `order = "semver"` (the default) only tags that
//! read as versions are ordered, as `tag list --sort semver` reads and orders them
//! ([`crate::mirror::version`]: `1`, `1.27`, `v1.27.3`, `1.27.3-alpine`), so a tag that is not a
//! version (`stable`, `alpine`) never counts among the newest. Under
//! `order = "push"` tags are ordered by creation time, and a tag whose time is unknown is left
//! out, as it is by the age limits. A `tags` entry that is a plain name (letters, digits, `_`
//! and `-` only, such as `stable`) names one tag: it is taken whenever the source has it and
//! no `exclude` matches it, whatever `newest` and the ages say.

use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use regex::Regex;
use serde::Deserialize;

use crate::mirror::version::Version;
use crate::retention::policy::{near_key, other_format, read_bounded};
use crate::terminal::sanitize::one_line;

/// The largest sync file read: thousands of sources.
pub const MAX_SYNC_FILE_BYTES: u64 = 1024 * 1024;

/// A parsed sync file.
#[derive(Clone, Debug)]
pub struct SyncFile {
    /// The destination of sources without their own `to`, as `--to` takes it.
    pub to: Option<String>,
    /// The platforms to copy (`os/arch[/variant]`) for sources without their own; all when `None`.
    pub platforms: Option<Vec<String>>,
    pub concurrency: Option<usize>,
    pub sources: Vec<SyncSource>,
}

/// One `[[source]]`: an image and the tags to copy.
#[derive(Clone, Debug)]
pub struct SyncSource {
    /// `HOST/REPO/IMAGE`, no tag.
    pub from: String,
    /// This source's destination instead of the file's `to`.
    pub to: Option<String>,
    pub tags: TagFilter,
    /// This source's platforms instead of the file's.
    pub platforms: Option<Vec<String>>,
}

/// How tags are ordered for `newest`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    /// By version number; tags that are not versions are never among the newest.
    #[default]
    Semver,
    /// By creation time (the image's, or UHub's push time).
    Push,
}

/// Which tags of a source to copy; the default takes every tag.
#[derive(Clone, Debug)]
pub struct TagFilter {
    /// Whether every tag is a candidate (no `tags` given).
    every: bool,
    /// Candidates: tags one of these matches in full.
    patterns: Vec<Regex>,
    /// The plain names among `tags`: taken whenever present.
    names: Vec<String>,
    /// Tags one of these matches in full are never taken.
    exclude: Vec<Regex>,
    newest: Option<usize>,
    order: Order,
    since: Option<Timestamp>,
    max_age: Option<Duration>,
}

impl Default for TagFilter {
    fn default() -> Self {
        TagFilter {
            every: true,
            patterns: Vec::new(),
            names: Vec::new(),
            exclude: Vec::new(),
            newest: None,
            order: Order::Semver,
            since: None,
            max_age: None,
        }
    }
}

/// A tag a source has, with its creation time when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagCandidate {
    pub name: String,
    pub created: Option<Timestamp>,
}

impl TagFilter {
    /// Whether [`TagFilter::select`] reads creation times (push order or an age limit), so
    /// the caller fetches them only then.
    pub fn needs_times(&self) -> bool {
        self.since.is_some() || self.max_age.is_some() || (self.newest.is_some() && self.order == Order::Push)
    }

    /// Whether `name` can be chosen at all, judging by its name alone: the caller reads
    /// creation times (a manifest and a config GET each, which Docker Hub counts against its
    /// pull limit) only for these.
    pub fn may_take(&self, name: &str) -> bool {
        let whole = |re: &Regex| re.find(name).is_some_and(|m| m.start() == 0 && m.end() == name.len());
        if self.exclude.iter().any(whole) {
            return false;
        }
        self.names.iter().any(|n| n == name) || self.every || self.patterns.iter().any(whole)
    }

    /// The names to copy, in the order given.
    pub fn select(&self, tags: &[TagCandidate]) -> Vec<String> {
        self.select_at(tags, Timestamp::now())
    }

    /// [`TagFilter::select`] with `now` for `max_age`.
    pub fn select_at(&self, tags: &[TagCandidate], now: Timestamp) -> Vec<String> {
        let whole = |re: &Regex, name: &str| re.find(name).is_some_and(|m| m.start() == 0 && m.end() == name.len());
        let allowed = |t: &&TagCandidate| !self.exclude.iter().any(|re| whole(re, &t.name));
        let named = |t: &TagCandidate| self.names.contains(&t.name);
        let cutoff =
            [self.since, self.max_age.and_then(|age| crate::time::before(now, age))].into_iter().flatten().max();
        let mut chosen: Vec<&TagCandidate> = tags
            .iter()
            .filter(allowed)
            .filter(|t| !named(t))
            .filter(|t| self.every || self.patterns.iter().any(|re| whole(re, &t.name)))
            .filter(|t| cutoff.is_none_or(|c| t.created.is_some_and(|created| created >= c)))
            .collect();
        if let Some(n) = self.newest {
            chosen = self.newest_of(chosen, n);
        }
        let mut names: Vec<String> = Vec::new();
        for t in tags.iter().filter(allowed) {
            let take = named(t) || chosen.iter().any(|c| std::ptr::eq(*c, t));
            if take && !names.contains(&t.name) {
                names.push(t.name.clone());
            }
        }
        names
    }

    /// The `n` newest of `tags` by this filter's order (ties by name, so the choice is the
    /// same on every run); tags the order cannot place are left out.
    fn newest_of<'a>(&self, tags: Vec<&'a TagCandidate>, n: usize) -> Vec<&'a TagCandidate> {
        match self.order {
            Order::Semver => {
                // `tag list --sort semver`'s reading and order.
                let mut versions: Vec<&TagCandidate> =
                    tags.into_iter().filter(|t| Version::parse(&t.name).is_some()).collect();
                versions.sort_by(|a, b| crate::mirror::version::descending(&a.name, &b.name));
                versions.truncate(n);
                versions
            }
            Order::Push => {
                let mut timed: Vec<(Timestamp, &TagCandidate)> =
                    tags.into_iter().filter_map(|t| t.created.map(|c| (c, t))).collect();
                timed.sort_by(|(a, x), (b, y)| b.cmp(a).then_with(|| y.name.cmp(&x.name)));
                timed.into_iter().take(n).map(|(_, t)| t).collect()
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    to: Option<String>,
    platforms: Option<Vec<String>>,
    concurrency: Option<usize>,
    #[serde(default, rename = "source")]
    sources: Vec<SourceShape>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceShape {
    from: String,
    to: Option<String>,
    /// Spanned: an error about a pattern names its line.
    #[serde(default)]
    tags: Vec<toml::Spanned<String>>,
    #[serde(default)]
    exclude: Vec<toml::Spanned<String>>,
    newest: Option<usize>,
    order: Option<String>,
    /// A date (`2026-01-01`, UTC midnight) or an instant with its offset, quoted or bare.
    since: Option<toml::Value>,
    max_age: Option<String>,
    platforms: Option<Vec<String>>,
}

/// Reads and checks a sync file. Every error names the file, and where it can the source
/// (`[[source]] 2`) and the key: `sync.toml: [[source]] 2: newest: 0 takes no tag; give 1 or more`.
pub fn read(path: &Path) -> Result<SyncFile, String> {
    let named = |e: String| format!("{}: {e}", path.display());
    let bytes = read_bounded(path, MAX_SYNC_FILE_BYTES).map_err(named)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| named(format!("not UTF-8 text (byte {}); a sync file is TOML", e.valid_up_to())))?;
    parse(text).map_err(named)
}

/// Parses a sync file's text (see the module's documentation).
pub fn parse(text: &str) -> Result<SyncFile, String> {
    let shape: FileShape = toml::from_str(text).map_err(|e| match other_format(text) {
        Some(format) => format!(
            "this looks like {format}, but a sync file is TOML, e.g. [[source]] from = \"docker.io/library/nginx\" \
             tags = [\"stable\"]"
        ),
        None => toml_error(text, &e),
    })?;
    if shape.sources.is_empty() {
        return Err("no [[source]] tables: add one, e.g. [[source]] from = \"docker.io/library/nginx\"".into());
    }
    if shape.concurrency == Some(0) {
        return Err("concurrency: 0 copies nothing; give 1 or more".into());
    }
    let to = shape.to.map(|to| destination("to", to)).transpose()?;
    let platforms = shape.platforms.map(|p| platform_list("platforms", p)).transpose()?;
    // One budget for every pattern of the file: many large ones end at the first past it.
    let mut budget = crate::input::patterns::Budget::for_file();
    let sources = shape
        .sources
        .into_iter()
        .enumerate()
        .map(|(i, s)| source(s, text, &mut budget).map_err(|e| format!("[[source]] {}: {e}", i + 1)))
        .collect::<Result<_, _>>()?;
    Ok(SyncFile { to, platforms, concurrency: shape.concurrency, sources })
}

fn source(shape: SourceShape, text: &str, budget: &mut crate::input::patterns::Budget) -> Result<SyncSource, String> {
    let from = image_name(shape.from)?;
    if shape.since.is_some() && shape.max_age.is_some() {
        return Err("since and max_age are both given: keep one".into());
    }
    if shape.newest == Some(0) {
        return Err("newest: 0 takes no tag; give 1 or more, or leave it out to take every tag".into());
    }
    let order = match shape.order.as_deref() {
        None | Some("semver") => Order::Semver,
        Some("push") => Order::Push,
        Some(other) => return Err(format!("order: {other:?} is not \"semver\" or \"push\"")),
    };
    if shape.order.is_some() && shape.newest.is_none() {
        return Err("order: only orders tags for newest, which is not given".into());
    }
    let mut regex = |key: &str, pattern: &toml::Spanned<String>| {
        if pattern.get_ref().is_empty() {
            return Err(format!("{key}: an empty pattern matches no tag name; leave it out"));
        }
        crate::input::patterns::compile_whole(pattern.get_ref(), budget)
            .map_err(|e| format!("{key}: line {}: {e}", crate::input::patterns::line_of(text, pattern.span().start)))
    };
    let mut patterns = Vec::new();
    let mut names = Vec::new();
    for pattern in &shape.tags {
        let plain = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if !pattern.get_ref().is_empty() && pattern.get_ref().chars().all(plain) {
            // A plain name is a tag asked for by name: one the registry could not hold
            // (`-x`, over 128 characters) is a mistake in the file, not a tag to look for.
            uhub_registry::names::check_tag(pattern.get_ref()).map_err(|e| format!("tags: {e}"))?;
            names.push(pattern.get_ref().clone());
        } else {
            patterns.push(regex("tags", pattern)?);
        }
    }
    // Only plain names: the rules apply to no other tag, so they limit nothing.
    if patterns.is_empty()
        && !names.is_empty()
        && (shape.newest.is_some() || shape.since.is_some() || shape.max_age.is_some())
    {
        return Err(format!(
            "tags names only {}, which are always taken: newest, since and max_age apply to patterns such as \"1\\\\..*\"",
            names.join(", ")
        ));
    }
    let exclude = shape.exclude.iter().map(|p| regex("exclude", p)).collect::<Result<_, _>>()?;
    let since = shape.since.map(since).transpose()?;
    let max_age = shape
        .max_age
        .map(|age| match crate::time::parse_duration(&age) {
            Ok(d) if d.is_zero() => Err("max_age: 0 takes no tag; give an age such as 90d".to_owned()),
            Ok(d) => Ok(d),
            Err(e) => Err(format!("max_age: {e}")),
        })
        .transpose()?;
    Ok(SyncSource {
        from,
        to: shape.to.map(|to| destination("to", to)).transpose()?,
        tags: TagFilter {
            every: shape.tags.is_empty(),
            patterns,
            names,
            exclude,
            newest: shape.newest,
            order,
            since,
            max_age,
        },
        platforms: shape.platforms.map(|p| platform_list("platforms", p)).transpose()?,
    })
}

/// `from`: `HOST/REPO/IMAGE` with a registry host and no tag or digest.
fn image_name(from: String) -> Result<String, String> {
    let example = "e.g. docker.io/library/nginx";
    let (host, path) = from.split_once('/').unwrap_or((&from, ""));
    if from.contains('@') || path.rsplit('/').next().is_some_and(|last| last.contains(':')) {
        return Err(format!(
            "from: {from:?} names a tag or digest; name the image only ({example}) and choose tags with tags"
        ));
    }
    let is_host = host.contains(['.', ':']) || host == "localhost";
    if !is_host || path.is_empty() {
        return Err(format!("from: {from:?} does not start with a registry host; write it in full, {example}"));
    }
    if path.split('/').any(str::is_empty) || from.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("from: {from:?} is not HOST/REPO/IMAGE ({example})"));
    }
    if uhub_registry::names::check_repository(path).is_err() {
        return Err(format!(
            "from: {from:?}: image names are lower-case letters, digits, '.', '_' and '-', separated by '/'"
        ));
    }
    Ok(from)
}

fn destination(key: &str, to: String) -> Result<String, String> {
    if to.is_empty() || to.contains(['@', ' ']) || to.chars().any(char::is_control) || to.split('/').any(str::is_empty)
    {
        return Err(format!("{key}: {to:?} is not a destination; write HOST/REPO or HOST/REPO/IMAGE"));
    }
    Ok(to)
}

/// `os/arch` or `os/arch/variant`, each part lowercase letters, digits and `_`.
fn platform_list(key: &str, platforms: Vec<String>) -> Result<Vec<String>, String> {
    if platforms.is_empty() {
        return Err(format!("{key}: empty; leave it out to copy every platform"));
    }
    for p in &platforms {
        let parts: Vec<&str> = p.split('/').collect();
        let fine =
            |s: &&str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !(2..=3).contains(&parts.len()) || !parts.iter().all(fine) {
            return Err(format!("{key}: {p:?} is not OS/ARCH or OS/ARCH/VARIANT, e.g. linux/amd64, linux/arm64/v8"));
        }
    }
    Ok(platforms)
}

/// `since`: a date (midnight UTC) or an instant with an offset, as a string or a TOML date.
fn since(value: toml::Value) -> Result<Timestamp, String> {
    let text = match value {
        toml::Value::String(s) => s,
        toml::Value::Datetime(d) => d.to_string(),
        other => return Err(format!("since: {other} is not a date; write since = \"2026-01-01\"")),
    };
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    text.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| {
            format!("since: {text:?} is not a date or an instant with its offset; write 2026-01-01 or 2026-01-01T08:00:00+08:00")
        })
}

/// A TOML error as one line, placed: the source it is in, the key, the line, and for an
/// unknown key the one meant.
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = one_line(e.message());
    let hint = near_key(&message).map(|k| format!(" (did you mean {k}?)")).unwrap_or_default();
    // A span that is not a character boundary of the text (it should be) places nothing.
    let Some(before) = e.span().and_then(|s| text.get(..s.start)) else {
        return format!("{message}{hint}");
    };
    let line_no = before.matches('\n').count() + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or("");
    let source = before.lines().filter(|l| l.trim_start().starts_with("[[source]]")).count();
    let mut place = String::new();
    if source > 0 {
        place += &format!("[[source]] {source}: ");
    }
    if let Some((key, _)) = line.split_once('=') {
        let key = key.trim();
        if !key.is_empty() && !key.starts_with('[') {
            place += &format!("{key}: ");
        }
    }
    format!("{place}{message}{hint} (line {line_no})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(name: &str, day: Option<i8>) -> TagCandidate {
        TagCandidate { name: name.into(), created: day.map(|d| format!("2026-03-{d:02}T00:00:00Z").parse().unwrap()) }
    }

    fn filter(source: &str) -> TagFilter {
        let file = parse(&format!("[[source]]\nfrom = \"docker.io/library/nginx\"\n{source}")).unwrap();
        file.sources.into_iter().next().unwrap().tags
    }

    fn now() -> Timestamp {
        "2026-03-31T00:00:00Z".parse().unwrap()
    }

    fn select(source: &str, tags: &[TagCandidate]) -> Vec<String> {
        filter(source).select_at(tags, now())
    }

    fn nginx() -> Vec<TagCandidate> {
        vec![
            tag("stable", Some(20)),
            tag("1.27.3", Some(10)),
            tag("1.27.10", Some(2)),
            tag("1.27.4-alpine", Some(11)),
            tag("1.26.0", Some(28)),
            tag("v1.28.0-rc.1", Some(29)),
            tag("1.27", None),
            tag("mainline", Some(30)),
        ]
    }

    #[test]
    fn may_take_judges_names_as_select_does_and_never_needs_a_time() {
        let rules = "tags = [\"1\\\\.27\\\\..*\", \"stable\"]\nexclude = [\".*-alpine\"]\nnewest = 1\norder = \"push\"";
        let f = filter(rules);
        let untimed: Vec<TagCandidate> = nginx().into_iter().map(|t| TagCandidate { created: None, ..t }).collect();
        let may: Vec<&str> = untimed.iter().filter(|t| f.may_take(&t.name)).map(|t| t.name.as_str()).collect();
        assert_eq!(may, ["stable", "1.27.3", "1.27.10"]);
        // Whatever the times, select takes nothing may_take ruled out.
        for t in select(rules, &nginx()) {
            assert!(may.contains(&t.as_str()), "{t}");
        }
        assert!(filter("").may_take("anything"));
        assert!(!filter("exclude = [\"edge\"]").may_take("edge"));
    }

    #[test]
    fn the_readmes_example_reads_and_chooses_what_it_says() {
        // uhub-cli/README.md, "Sync files".
        let file = parse(
            r#"
to = "uhub.service.ucloud.cn/mirror"         # destination of sources without their own, as --to
platforms = ["linux/amd64", "linux/arm64"]   # leave out to copy every platform
concurrency = 4                              # optional, as --concurrency

[[source]]
from = "docker.io/library/nginx"             # HOST/REPO/IMAGE: the host in full, no tag
tags = ['1\.27\..*', "stable"]               # which tags; leave out for every tag
exclude = ['.*-perl']                        # never these
newest = 3                                   # the 3 highest versions
max_age = "90d"                              # or: since = 2026-01-01

[[source]]
from = "ghcr.io/org/tool"
to = "uhub.service.ucloud.cn/tools/tool"     # this source's own destination
newest = 5
order = "push"                               # the 5 last pushed instead of the 5 highest versions
"#,
        )
        .unwrap();
        assert_eq!(file.to.as_deref(), Some("uhub.service.ucloud.cn/mirror"));
        assert_eq!(file.platforms.as_deref(), Some(["linux/amd64".to_owned(), "linux/arm64".to_owned()].as_slice()));
        assert_eq!(file.concurrency, Some(4));
        let [web, tool] = <[SyncSource; 2]>::try_from(file.sources).unwrap();
        assert_eq!((web.from.as_str(), web.to, web.platforms), ("docker.io/library/nginx", None, None));
        assert_eq!(web.tags.max_age, Some(Duration::from_secs(90 * 86_400)));
        let mut tags = nginx();
        tags.push(tag("1.27.11-perl", Some(30)));
        tags.push(tag("stable-perl", Some(30)));
        tags.push(tag("1.27.0", Some(1)));
        // stable, and the three highest 1.27.x created in the last 90 days, -perl excluded.
        assert_eq!(web.tags.select_at(&tags, now()), ["stable", "1.27.3", "1.27.10", "1.27.4-alpine"]);
        assert!(web.tags.needs_times());
        assert_eq!(tool.to.as_deref(), Some("uhub.service.ucloud.cn/tools/tool"));
        assert_eq!((tool.tags.newest, tool.tags.order), (Some(5), Order::Push));
    }

    #[test]
    fn newest_by_semver_orders_versions_and_never_counts_other_tags() {
        let tags = nginx();
        assert_eq!(select("newest = 2", &tags), ["1.27.10", "v1.28.0-rc.1"]);
        // 1.27 reads as 1.27.0: below 1.27.3, above 1.26.0; -alpine is a pre-release of 1.27.4.
        assert_eq!(select("newest = 5", &tags), ["1.27.3", "1.27.10", "1.27.4-alpine", "v1.28.0-rc.1", "1.27"]);
        assert_eq!(select("tags = [\"1\\\\.27\\\\..*\", \"stable\"]\nnewest = 1", &tags), ["stable", "1.27.10"]);
        let only_words = [tag("stable", Some(1)), tag("mainline", Some(2))];
        assert!(select("newest = 3", &only_words).is_empty(), "no version, so nothing is among the newest");
    }

    #[test]
    fn versions_are_read_and_ordered_as_tag_list_sorts_them() {
        let tags: Vec<TagCandidate> = ["1.0.0-rc.10", "1.0.0", "1.0.0-rc.9", "V2", "1.99.99", "latest", "1.0.0-alpha"]
            .map(|n| tag(n, None))
            .to_vec();
        assert_eq!(select("newest = 3", &tags), ["1.0.0", "V2", "1.99.99"]);
        assert_eq!(
            select("newest = 3\nexclude = ['V2', '1\\.99.*', '1\\.0\\.0']", &tags),
            ["1.0.0-rc.10", "1.0.0-rc.9", "1.0.0-alpha"]
        );
    }

    #[test]
    fn push_order_and_ages_use_creation_times_and_leave_unknown_ones_out() {
        let tags = nginx();
        assert_eq!(select("newest = 2\norder = \"push\"", &tags), ["v1.28.0-rc.1", "mainline"]);
        assert_eq!(select("max_age = \"3d\"", &tags), ["1.26.0", "v1.28.0-rc.1", "mainline"]);
        assert_eq!(select("since = 2026-03-28", &tags), ["1.26.0", "v1.28.0-rc.1", "mainline"]);
        assert_eq!(select("since = \"2026-03-28T00:00:00Z\"", &tags), ["1.26.0", "v1.28.0-rc.1", "mainline"]);
        assert_eq!(select("since = \"2026-03-29T08:00:00+08:00\"", &tags), ["v1.28.0-rc.1", "mainline"]);
        // The age limit first (1.27.10 is older), then the newest of what is left.
        assert_eq!(select("max_age = \"25d\"\nnewest = 2", &tags), ["1.27.4-alpine", "v1.28.0-rc.1"]);
        assert!(filter("newest = 2\norder = \"push\"").needs_times());
        assert!(filter("since = 2026-01-01").needs_times());
        assert!(!filter("newest = 2").needs_times());
        assert!(!filter("tags = [\"stable\"]").needs_times());
    }

    #[test]
    fn patterns_match_whole_names_and_exclude_wins() {
        let tags = nginx();
        assert_eq!(select("tags = [\"1\\\\.27\"]", &tags), ["1.27"], "not 1.27.3: whole names");
        assert_eq!(select("tags = [\"1\\\\.27.*\"]\nexclude = [\".*-alpine\"]", &tags), ["1.27.3", "1.27.10", "1.27"]);
        assert_eq!(select("tags = [\"stable\", \"mainline\"]\nexclude = [\"main.*\"]", &tags), ["stable"]);
        assert_eq!(select("tags = [\"nosuch\"]", &tags), Vec::<String>::new());
        // Plain names (with `-` and `_`) are taken whatever newest says; `.` makes a pattern.
        let named = [tag("stable-perl", None), tag("1.27.3", None), tag("1.27.10", None), tag("1x27x3", None)];
        assert_eq!(select("tags = [\"stable-perl\", \"1.27.3\"]\nnewest = 1", &named), ["stable-perl", "1.27.3"]);
        assert_eq!(select("tags = [\"stable-perl\", \"1.27.*\"]\nnewest = 1", &named), ["stable-perl", "1.27.10"]);
        let twice = [tag("a", None), tag("a", None)];
        assert_eq!(select("", &twice), ["a"], "each name once");
        assert_eq!(TagFilter::default().select_at(&tags, now()).len(), tags.len(), "the default takes every tag");
    }

    #[test]
    fn mistakes_name_the_source_and_the_key() {
        let err = |body: &str| parse(body).unwrap_err();
        let src = |rest: &str| {
            err(&format!("[[source]]\nfrom = \"docker.io/library/nginx\"\n[[source]]\nfrom = \"quay.io/a/b\"\n{rest}"))
        };
        assert_eq!(
            src("newest = 0"),
            "[[source]] 2: newest: 0 takes no tag; give 1 or more, or leave it out to take every tag"
        );
        assert_eq!(
            src("newset = 3"),
            "[[source]] 2: newset: unknown field `newset`, expected one of `from`, `to`, `tags`, `exclude`, `newest`, `order`, `since`, `max_age`, `platforms` (did you mean `newest`?) (line 5)"
        );
        assert!(
            src("newest = \"3\"").starts_with("[[source]] 2: newest: invalid type: string \"3\""),
            "{}",
            src("newest = \"3\"")
        );
        assert_eq!(src("order = \"date\"\nnewest = 1"), "[[source]] 2: order: \"date\" is not \"semver\" or \"push\"");
        assert_eq!(src("order = \"push\""), "[[source]] 2: order: only orders tags for newest, which is not given");
        assert_eq!(
            src("since = 2026-01-01\nmax_age = \"9d\""),
            "[[source]] 2: since and max_age are both given: keep one"
        );
        assert!(src("since = \"yesterday\"").starts_with("[[source]] 2: since: \"yesterday\" is not a date"));
        assert!(src("max_age = \"3mo\"").starts_with("[[source]] 2: max_age: \"3mo\": months and years vary"));
        assert!(src("tags = [\"(\"]").starts_with("[[source]] 2: tags: line 5: \"(\" is not a regular expression"));
        assert!(src("tags = [\"stable\"]\nnewest = 2").contains("newest, since and max_age apply to patterns"));
        assert!(src("platforms = [\"linux\"]").starts_with("[[source]] 2: platforms: \"linux\" is not OS/ARCH"));
        assert!(err("[[source]]\nfrom = \"library/nginx\"").contains("does not start with a registry host"));
        assert!(err("[[source]]\nfrom = \"docker.io/library/nginx:1.27\"").contains("names a tag or digest"));
        assert!(err("[[source]]\nfrom = \"docker.io/library/nginx@sha256:00\"").contains("names a tag or digest"));
        assert!(parse("[[source]]\nfrom = \"127.0.0.1:5000/a/b\"").is_ok(), "a port is not a tag");
        assert!(err("[[source]]\nfrom = \"docker.io/Library/nginx\"").contains("image names are lower-case"));
        assert_eq!(
            err("tos = \"x\"\n[[source]]\nfrom = \"quay.io/a/b\""),
            "tos: unknown field `tos`, expected one of `to`, `platforms`, `concurrency`, `source` (did you mean `to`?) (line 1)"
        );
        assert_eq!(
            err("concurrency = 0\n[[source]]\nfrom = \"quay.io/a/b\""),
            "concurrency: 0 copies nothing; give 1 or more"
        );
        assert!(err("to = \"\"\n[[source]]\nfrom = \"quay.io/a/b\"").starts_with("to: \"\" is not a destination"));
        assert!(err("to = \"x\"").starts_with("no [[source]] tables"));
        assert!(err("source:\n  - from: docker.io/library/nginx\n").starts_with("this looks like YAML"));
    }

    #[test]
    fn errors_near_other_scripts_are_placed_without_panicking() {
        let e = parse("[[source]]\nfrom = \"quay.io/é/b\"\n\"néwest\" = 3\n").unwrap_err();
        assert!(e.starts_with("[[source]] 1: \"néwest\": unknown field `néwest`"), "{e}");
        assert!(e.ends_with("(line 3)"), "{e}");
        for text in ["é", "[[source]]\n\u{1f600} = 1", "[[source]]\nfrom = \"\u{0}\"", "[[source]]]", "=\n"] {
            assert!(parse(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn the_file_is_read_bounded_and_named_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sync.toml");
        std::fs::write(&path, "[[source]]\nfrom = \"quay.io/a/b\"\nnewest = 0\n").unwrap();
        assert_eq!(
            read(&path).unwrap_err(),
            format!(
                "{}: [[source]] 1: newest: 0 takes no tag; give 1 or more, or leave it out to take every tag",
                path.display()
            )
        );
        std::fs::write(&path, b"\xff").unwrap();
        assert!(read(&path).unwrap_err().contains("not UTF-8"));
        assert!(read(Path::new("/dev/zero")).unwrap_err().starts_with("/dev/zero: not a regular file"));
        std::fs::write(&path, "#".repeat(MAX_SYNC_FILE_BYTES as usize + 1)).unwrap();
        assert!(read(&path).unwrap_err().contains("larger than"));
    }
}
