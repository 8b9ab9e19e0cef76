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
//! alone. Unknown keys are errors, so a typo cannot silently widen a plan.

use std::path::Path;

use anyhow::Context as _;
use regex::Regex;
use serde::Deserialize;

use crate::refs::ImageRef;
use crate::rules::Rules;

/// A parsed policy.
#[derive(Debug)]
pub struct Policy {
    pub max_delete: Option<usize>,
    rules: Vec<PolicyRule>,
}

#[derive(Debug)]
struct PolicyRule {
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
    #[serde(rename = "match")]
    matching: Option<String>,
    exclude: Option<String>,
    #[serde(default)]
    keep: Vec<String>,
    #[serde(default = "yes")]
    keep_latest: bool,
}

fn yes() -> bool {
    true
}

impl Policy {
    pub fn load(path: &Path) -> anyhow::Result<Policy> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read policy {}", path.display()))?;
        Policy::parse(&text).map_err(|e| crate::exit::usage(format!("policy {}: {e}", path.display())))
    }

    pub fn parse(text: &str) -> Result<Policy, String> {
        let shape: FileShape = toml::from_str(text).map_err(|e| one_line(&e.to_string()))?;
        if shape.rules.is_empty() {
            return Err("no [[rule]] tables: add at least one, e.g. [[rule]] images = [\"*\"] keep_last = 20".into());
        }
        let rules = shape.rules.into_iter().enumerate().map(|(i, r)| rule(i + 1, r)).collect::<Result<_, _>>()?;
        Ok(Policy { max_delete: shape.max_delete, rules })
    }

    /// The rules for `image`: those of the first rule whose pattern matches it.
    pub fn rules_for(&self, image: &ImageRef) -> Option<&Rules> {
        let name = image.to_string();
        self.rules.iter().find(|r| r.patterns.iter().any(|p| p.is_match(&name))).map(|r| &r.rules)
    }
}

fn rule(n: usize, shape: RuleShape) -> Result<PolicyRule, String> {
    let at = format!("rule {n}");
    if shape.images.is_empty() {
        return Err(format!("{at}: images is empty; name REPO/IMAGE patterns such as \"web/*\""));
    }
    let regex = |what: &str, re: Option<String>| {
        re.map(|re| {
            Regex::new(&re)
                .map_err(|e| format!("{at}: {what} {re:?} is not a regular expression: {}", one_line(&e.to_string())))
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
    };
    if !rules.limit_deletions() {
        return Err(format!("{at}: a rule needs keep_last, older_than or match to limit what it deletes"));
    }
    Ok(PolicyRule { patterns: shape.images.iter().map(|g| glob(g)).collect(), rules })
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

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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
    fn mistakes_are_named() {
        let unknown = Policy::parse("[[rule]]\nimages = [\"*\"]\nkeep_lats = 3\n").unwrap_err();
        assert!(unknown.contains("keep_lats"), "{unknown}");
        let unlimited = Policy::parse("[[rule]]\nimages = [\"*\"]\nkeep = [\"v1\"]\n").unwrap_err();
        assert_eq!(unlimited, "rule 1: a rule needs keep_last, older_than or match to limit what it deletes");
        let bad_age = Policy::parse("[[rule]]\nimages = [\"*\"]\nolder_than = \"3mo\"\n").unwrap_err();
        assert!(bad_age.starts_with("rule 1: older_than"), "{bad_age}");
        let bad_re = Policy::parse("[[rule]]\nimages = [\"*\"]\nmatch = \"(\"\n").unwrap_err();
        assert!(bad_re.starts_with("rule 1: match \"(\" is not a regular expression"), "{bad_re}");
        assert!(Policy::parse("max_delete = 3\n").unwrap_err().contains("no [[rule]]"));
    }
}
