//! Retention policy files: rules per `REPO/IMAGE` pattern, in TOML, for CI.
//!
//! ```toml
//! max_delete = 500                 # optional, like --max-delete
//!
//! [[rule]]
//! images = ["web/*", "backend/api-server"]
//! keep_last = 20
//! older_than = "30d"
//! match = "^pr-"
//! exclude = "^release-"
//! keep = ["stable"]
//! keep_latest = true               # the default
//! ```
//!
//! The first rule whose pattern matches an image applies; images no rule matches are left
//! alone. Unknown keys are errors, so a typo cannot silently widen a plan. Mistakes that still
//! parse are warned about: a pattern an earlier rule already takes, `match` equal to `exclude`,
//! and (once the images are listed) a pattern that matches no image, with its near misses.
//!
//! The file is read only when it is a regular file of at most [`MAX_POLICY_BYTES`], so a FIFO
//! or `/dev/zero` named by mistake is an error naming the file, never a hang or a heap that
//! grows until the machine gives out.

use std::path::Path;

use regex::Regex;
use serde::Deserialize;

use crate::input::refs::ImageRef;
use crate::retention::rules::Rules;

/// The largest policy file read: far beyond any real policy (a rule is a few hundred bytes).
pub const MAX_POLICY_BYTES: u64 = 1024 * 1024;

/// A parsed policy.
#[derive(Debug)]
pub struct Policy {
    pub max_delete: Option<usize>,
    rules: Vec<PolicyRule>,
    /// Mistakes that do not stop the policy from working, one line each.
    pub warnings: Vec<String>,
    /// The file it was read from, for warnings.
    path: String,
}

#[derive(Debug)]
struct PolicyRule {
    /// The patterns as written, for warnings.
    globs: Vec<String>,
    patterns: Vec<Regex>,
    rules: Rules,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    max_delete: Option<usize>,
    #[serde(default, rename = "rule")]
    rules: Vec<RuleShape>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleShape {
    images: Vec<String>,
    keep_last: Option<usize>,
    older_than: Option<String>,
    /// Spanned: an error about a pattern names its line.
    #[serde(rename = "match")]
    matching: Option<toml::Spanned<String>>,
    exclude: Option<toml::Spanned<String>>,
    #[serde(default)]
    keep: Vec<String>,
    #[serde(default = "yes")]
    keep_latest: bool,
}

fn yes() -> bool {
    true
}

impl Policy {
    /// Reads and parses the file; every problem is a usage error naming the file (status 2),
    /// and the warnings are printed on stderr.
    pub fn load(path: &Path) -> anyhow::Result<Policy> {
        let named = |e: String| crate::exit::usage(format!("policy {}: {e}", path.display()));
        let bytes = read_bounded(path, MAX_POLICY_BYTES).map_err(named)?;
        let mut policy = Policy::from_bytes(&bytes).map_err(named)?;
        policy.path = path.display().to_string();
        for warning in &policy.warnings {
            policy.warn(warning);
        }
        Ok(policy)
    }

    /// A warning on stderr, escaped (as `output::note` does; written here so that this module
    /// needs nothing of the terminal's, and the fuzz target can include it by path).
    fn warn(&self, warning: &str) {
        eprintln!("{}", crate::terminal::sanitize::escape(&format!("warning: policy {}: {warning}", self.path)));
    }

    /// Prints the [`Policy::unmatched`] warnings for `images`, every image of the account.
    pub fn warn_unmatched(&self, images: &[ImageRef]) {
        for warning in self.unmatched(images) {
            self.warn(&warning);
        }
    }

    /// Parses a file's bytes: UTF-8 TOML, with a hint when it is YAML or JSON instead.
    pub fn from_bytes(bytes: &[u8]) -> Result<Policy, String> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| format!("not UTF-8 text (byte {}); a policy file is TOML", e.valid_up_to()))?;
        Policy::parse(text)
    }

    pub fn parse(text: &str) -> Result<Policy, String> {
        let shape: FileShape = toml::from_str(text).map_err(|e| match other_format(text) {
            Some(format) => format!(
                "this looks like {format}, but a policy file is TOML, e.g. [[rule]] images = [\"web/*\"] \
                 keep_last = 20 (see `uhub prune --help`)"
            ),
            None => {
                let message = crate::terminal::sanitize::one_line(&e.to_string());
                match near_key(e.message()) {
                    Some(key) => format!("{message} (did you mean {key}?)"),
                    None => message,
                }
            }
        })?;
        if shape.rules.is_empty() {
            return Err("no [[rule]] tables: add at least one, e.g. [[rule]] images = [\"*\"] keep_last = 20".into());
        }
        let mut warnings = Vec::new();
        // One budget for every pattern of the file: many large ones end at the first past it.
        let mut budget = crate::input::patterns::Budget::for_file();
        let rules: Vec<PolicyRule> = shape
            .rules
            .into_iter()
            .enumerate()
            .map(|(i, r)| rule(i + 1, r, &mut warnings, text, &mut budget))
            .collect::<Result<_, _>>()?;
        warnings.extend(shadowed(&rules));
        Ok(Policy { max_delete: shape.max_delete, rules, warnings, path: String::new() })
    }

    /// The rules for `image`: those of the first rule whose pattern matches it.
    pub fn rules_for(&self, image: &ImageRef) -> Option<&Rules> {
        let name = image.to_string();
        self.rules.iter().find(|r| r.patterns.iter().any(|p| p.is_match(&name))).map(|r| &r.rules)
    }

    /// Warnings for patterns that match none of `images` (every image there is: call it only
    /// when the whole account was listed), each with its near misses: the names it would
    /// match but for case, or a character or two.
    pub fn unmatched(&self, images: &[ImageRef]) -> Vec<String> {
        let names: Vec<String> = images.iter().map(ToString::to_string).collect();
        let mut warnings = Vec::new();
        for (n, rule) in self.rules.iter().enumerate() {
            for (glob, pattern) in rule.globs.iter().zip(&rule.patterns) {
                if names.iter().any(|name| pattern.is_match(name)) {
                    continue;
                }
                let near: Vec<&str> =
                    names.iter().filter(|name| near_miss(glob, pattern, name)).map(String::as_str).take(3).collect();
                let hint = match near.as_slice() {
                    [] => String::new(),
                    near => format!(" (did you mean {}?)", near.join(", ")),
                };
                warnings.push(format!("rule {}: pattern {glob:?} matches no image{hint}", n + 1));
            }
        }
        warnings
    }
}

/// Reads `path` when it is a regular file of at most `cap` bytes (see
/// [`crate::input::local_file::read_regular`], the one bounded reader of named files).
pub fn read_bounded(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    crate::input::local_file::read_regular(path, cap, "a TOML file")
}

/// The format `text` is written in when it is not TOML but JSON or YAML (by the way it
/// starts), so the error can say so instead of quoting a TOML parser's confusion.
pub fn other_format(text: &str) -> Option<&'static str> {
    let body = text.trim_start_matches('\u{feff}').trim_start();
    if (body.starts_with('{') || body.starts_with('[')) && serde_json::from_str::<serde_json::Value>(body).is_ok() {
        return Some("JSON");
    }
    let first = body.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let yaml_key = first.split_once(':').is_some_and(|(key, rest)| {
        !key.is_empty()
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && (rest.is_empty() || rest.starts_with(' '))
    });
    (first == "---" || first.starts_with("- ") || yaml_key).then_some("YAML")
}

fn rule(
    n: usize,
    shape: RuleShape,
    warnings: &mut Vec<String>,
    text: &str,
    budget: &mut crate::input::patterns::Budget,
) -> Result<PolicyRule, String> {
    let at = format!("rule {n}");
    let same = |m: &toml::Spanned<String>| shape.exclude.as_ref().is_some_and(|e| e.get_ref() == m.get_ref());
    if let Some(matching) = shape.matching.as_ref().filter(|m| same(m)) {
        warnings.push(format!(
            "{at}: match and exclude are the same expression ({:?}), so the rule deletes nothing",
            matching.get_ref()
        ));
    }
    if shape.images.is_empty() {
        return Err(format!("{at}: images is empty; name REPO/IMAGE patterns such as \"web/*\""));
    }
    let mut regex = |what: &str, re: Option<toml::Spanned<String>>| {
        re.map(|re| {
            crate::input::patterns::compile(re.get_ref(), budget).map_err(|e| {
                format!("{at}: {what}: line {}: {e}", crate::input::patterns::line_of(text, re.span().start))
            })
        })
        .transpose()
    };
    let mut keep = shape.keep;
    if shape.keep_latest && !keep.iter().any(|k| k == "latest") {
        keep.push("latest".to_owned());
    }
    let rules = Rules {
        keep_last: shape.keep_last,
        older_than: shape
            .older_than
            .map(|age| crate::time::parse_duration(&age).map_err(|e| format!("{at}: older_than {e}")))
            .transpose()?,
        matching: regex("match", shape.matching)?,
        exclude: regex("exclude", shape.exclude)?,
        keep,
        delete_newest: false,
        platform_of: Default::default(),
    };
    if !rules.limit_deletions() {
        return Err(format!("{at}: a rule needs keep_last, older_than or match to limit what it deletes"));
    }
    Ok(PolicyRule { patterns: shape.images.iter().map(|g| glob(g)).collect(), globs: shape.images, rules })
}

/// Warnings for patterns an earlier rule already takes in full: the first matching rule
/// applies, so such a pattern never chooses its rule.
fn shadowed(rules: &[PolicyRule]) -> Vec<String> {
    let mut warnings = Vec::new();
    for (later, rule) in rules.iter().enumerate().skip(1) {
        for glob in &rule.globs {
            let earlier = rules[..later].iter().enumerate().find_map(|(n, r)| {
                r.globs.iter().zip(&r.patterns).find(|(g, p)| covers(g, p, glob)).map(|(g, _)| (n + 1, g))
            });
            if let Some((n, by)) = earlier {
                warnings.push(format!(
                    "rule {}: pattern {glob:?} is shadowed by rule {n}'s {by:?}, which comes first, so rule {} \
                     never applies to it",
                    later + 1,
                    later + 1
                ));
            }
        }
    }
    warnings
}

/// Whether every name `glob` matches is matched by the earlier `by` (with `by_re` its regular
/// expression). Sure answers only: the same pattern; a pattern without wildcards that `by`
/// matches; or `by` a prefix followed by a lone `*` that `glob` starts with.
fn covers(by: &str, by_re: &Regex, glob: &str) -> bool {
    let wild = |g: &str| g.contains(['*', '?']);
    if by == glob || (!wild(glob) && by_re.is_match(glob)) {
        return true;
    }
    match by.strip_suffix('*') {
        Some(prefix) => !wild(prefix) && glob.starts_with(prefix),
        None => false,
    }
}

/// Whether `name` is what `glob` was probably meant to match: it does when case is ignored,
/// or (for a pattern without wildcards) it differs by at most two characters.
fn near_miss(glob: &str, pattern: &Regex, name: &str) -> bool {
    let folded = Regex::new(&format!("(?i){}", pattern.as_str())).is_ok_and(|re| re.is_match(name));
    folded || (!glob.contains(['*', '?']) && edit_distance(glob, name) <= 2)
}

/// For TOML's "unknown field `keep_lats`, expected one of `a`, `b`": the expected key within
/// two characters of the one written, quoted as TOML quotes it.
pub fn near_key(message: &str) -> Option<String> {
    let rest = message.split_once("unknown field `")?.1;
    let (written, rest) = rest.split_once('`')?;
    let expected = rest.split_once("expected")?.1;
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|key| (edit_distance(written, key), key))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, key)| format!("`{key}`"))
}

/// Levenshtein distance by characters (names are short: the quadratic cost is nothing).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// A `REPO/IMAGE` pattern where `*` matches any run of characters and `?` one character.
fn glob(pattern: &str) -> Regex {
    let mut re = String::from("^");
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re).expect("an escaped glob is a valid regular expression")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(s: &str) -> ImageRef {
        s.parse().unwrap()
    }

    #[test]
    fn the_first_matching_rule_applies_and_latest_is_kept_by_default() {
        let policy = Policy::parse(
            r#"
            max_delete = 50
            [[rule]]
            images = ["web/*"]
            keep_last = 3
            older_than = "30d"
            [[rule]]
            images = ["backend/api-?erver", "*"]
            match = "^pr-"
            keep_latest = false
            "#,
        )
        .unwrap();
        assert_eq!(policy.max_delete, Some(50));
        let web = policy.rules_for(&image("web/nginx")).unwrap();
        assert_eq!((web.keep_last, web.keep.as_slice()), (Some(3), ["latest".to_owned()].as_slice()));
        assert_eq!(web.older_than, Some(std::time::Duration::from_secs(30 * 86_400)));
        let api = policy.rules_for(&image("backend/api-server")).unwrap();
        assert!(api.keep.is_empty() && api.matching.is_some());
        assert!(policy.rules_for(&image("other/thing")).is_some());
    }

    #[test]
    fn images_no_rule_matches_get_none() {
        let policy = Policy::parse("[[rule]]\nimages = [\"web/nginx\"]\nkeep_last = 1\n").unwrap();
        assert!(policy.rules_for(&image("web/nginx-old")).is_none());
    }

    #[test]
    fn yaml_and_json_are_told_apart_from_toml() {
        let yaml = Policy::parse("rule:\n  - images: [\"web/*\"]\n    keep_last: 20\n").unwrap_err();
        assert!(yaml.starts_with("this looks like YAML, but a policy file is TOML"), "{yaml}");
        let dashed = Policy::parse("---\nmax_delete: 3\n").unwrap_err();
        assert!(dashed.contains("looks like YAML"), "{dashed}");
        let json = Policy::parse(r#"{"rule": [{"images": ["*"], "keep_last": 3}]}"#).unwrap_err();
        assert!(json.starts_with("this looks like JSON"), "{json}");
        // A TOML mistake is TOML's message, not a guess.
        let toml = Policy::parse("[[rule]]\nimages = [\"*\"\n").unwrap_err();
        assert!(!toml.contains("looks like"), "{toml}");
        assert!(Policy::from_bytes(b"\xff\xfe").unwrap_err().contains("not UTF-8"));
    }

    #[test]
    fn shadowed_patterns_and_match_equal_to_exclude_are_warned_about() {
        let policy = Policy::parse(
            r#"
            [[rule]]
            images = ["web/*"]
            keep_last = 3
            [[rule]]
            images = ["web/nginx", "web/ng*", "backend/*", "webx/*"]
            keep_last = 5
            [[rule]]
            images = ["*"]
            match = "^pr-"
            exclude = "^pr-"
            "#,
        )
        .unwrap();
        assert_eq!(
            policy.warnings,
            [
                "rule 3: match and exclude are the same expression (\"^pr-\"), so the rule deletes nothing",
                "rule 2: pattern \"web/nginx\" is shadowed by rule 1's \"web/*\", which comes first, so rule 2 never \
                 applies to it",
                "rule 2: pattern \"web/ng*\" is shadowed by rule 1's \"web/*\", which comes first, so rule 2 never \
                 applies to it",
            ]
        );
        let clean =
            Policy::parse("[[rule]]\nimages = [\"web/*\"]\nkeep_last = 1\n[[rule]]\nimages = [\"*\"]\nkeep_last = 9\n");
        assert!(clean.unwrap().warnings.is_empty());
    }

    #[test]
    fn patterns_matching_no_image_name_their_near_misses() {
        let policy = Policy::parse(
            "[[rule]]\nimages = [\"Web/Nginx\", \"web/ngnix\", \"web/*\", \"nothing/*\"]\nkeep_last = 1\n",
        )
        .unwrap();
        let images = [image("web/nginx"), image("backend/api")];
        assert_eq!(
            policy.unmatched(&images),
            [
                "rule 1: pattern \"Web/Nginx\" matches no image (did you mean web/nginx?)",
                "rule 1: pattern \"web/ngnix\" matches no image (did you mean web/nginx?)",
                "rule 1: pattern \"nothing/*\" matches no image",
            ]
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
    }

    #[test]
    fn only_regular_files_within_the_cap_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(&path, "x".repeat(100)).unwrap();
        assert_eq!(read_bounded(&path, 100).unwrap().len(), 100);
        assert!(read_bounded(&path, 99).unwrap_err().contains("larger than"));
        assert_eq!(read_bounded(&dir.path().join("missing.toml"), 100).unwrap_err(), "no such file");
        assert!(read_bounded(dir.path(), 100).unwrap_err().starts_with("a directory"));
        // Never opened, so never read: /dev/zero would otherwise fill memory.
        assert!(read_bounded(Path::new("/dev/zero"), 100).unwrap_err().contains("not a regular file"));
    }

    #[test]
    fn mistakes_are_named() {
        let unknown = Policy::parse("[[rule]]\nimages = [\"*\"]\nkeep_lats = 3\n").unwrap_err();
        assert!(unknown.contains("keep_lats"), "{unknown}");
        assert!(unknown.ends_with("(did you mean `keep_last`?)"), "{unknown}");
        let far = Policy::parse("[[rule]]\nimages = [\"*\"]\nretain = 3\n").unwrap_err();
        assert!(!far.contains("did you mean"), "no key is near retain: {far}");
        let unlimited = Policy::parse("[[rule]]\nimages = [\"*\"]\nkeep = [\"v1\"]\n").unwrap_err();
        assert_eq!(unlimited, "rule 1: a rule needs keep_last, older_than or match to limit what it deletes");
        let bad_age = Policy::parse("[[rule]]\nimages = [\"*\"]\nolder_than = \"3mo\"\n").unwrap_err();
        assert!(bad_age.starts_with("rule 1: older_than"), "{bad_age}");
        let bad_re = Policy::parse("[[rule]]\nimages = [\"*\"]\nmatch = \"(\"\n").unwrap_err();
        assert!(bad_re.starts_with("rule 1: match: line 3: \"(\" is not a regular expression"), "{bad_re}");
        assert!(Policy::parse("max_delete = 3\n").unwrap_err().contains("no [[rule]]"));
    }
}
