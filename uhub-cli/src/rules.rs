//! Which tags a prune deletes and why: a pure function of one image's tags, the rules and the
//! time, so the plan printed in a dry run is exactly what `--apply` does.
//!
//! A tag is deleted only when every rule given selects it. Whatever the rules say, a tag is kept
//! when its push time cannot be read, when its digest is unknown, when a kept tag shares its
//! digest, or when it is the newest tag of its image (an image goes with its last tag) unless
//! `delete_newest` says otherwise.

use std::collections::HashMap;
use std::time::Duration;

use jiff::Timestamp;
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::tag::Tag;

/// The retention rules for one image.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    /// Keep the N most recently pushed of the tags the patterns consider, besides those kept
    /// by name.
    pub keep_last: Option<usize>,
    /// Delete only tags pushed longer ago than this.
    pub older_than: Option<Duration>,
    /// Consider only tags whose name matches.
    pub matching: Option<Regex>,
    /// Keep tags whose name matches.
    pub exclude: Option<Regex>,
    /// Keep these tags by name (`latest` unless told otherwise).
    pub keep: Vec<String>,
    /// Let the newest tag of the image be deleted too (`--dangerously-delete-newest`).
    pub delete_newest: bool,
}

impl Rules {
    /// Whether the rules limit what is deleted (keep-last, older-than or match): without one,
    /// every tag not kept by name would go, which is never what anyone meant.
    pub fn limit_deletions(&self) -> bool {
        self.keep_last.is_some() || self.older_than.is_some() || self.matching.is_some()
    }

    /// The rules given a value that selects every tag (`keep_last` 0, `older_than` 0, an empty
    /// `match`), by their policy names: each is refused, since none limits anything.
    pub fn zero_values(&self) -> Vec<&'static str> {
        let mut zero = Vec::new();
        if self.keep_last == Some(0) {
            zero.push("keep_last");
        }
        if self.older_than.is_some_and(|age| age.is_zero()) {
            zero.push("older_than");
        }
        if self.matching.as_ref().is_some_and(|re| re.as_str().is_empty()) {
            zero.push("match");
        }
        zero
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Keep,
    Delete,
}

/// What the plan does with one tag, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub tag: Tag,
    pub action: Action,
    pub reason: String,
}

/// The plan for one image's tags (in the order given, which is kept).
pub fn plan(tags: &[Tag], rules: &Rules, now: Timestamp) -> Vec<Decision> {
    let considered = |t: &Tag| {
        rules.exclude.as_ref().is_none_or(|re| !re.is_match(&t.name))
            && rules.matching.as_ref().is_none_or(|re| re.is_match(&t.name))
    };
    // Tags kept by name do not take places among the newest: `latest` is kept anyway.
    let rank = newest_ranks(tags, |t| considered(t) && !rules.keep.contains(&t.name));
    let cutoff = rules.older_than.and_then(|age| crate::time::before(now, age));
    let mut decisions: Vec<Decision> = tags
        .iter()
        .enumerate()
        .map(|(i, tag)| {
            let (action, reason) = first_verdict(tag, rank.get(&i).copied(), rules, cutoff, now, considered(tag));
            Decision { tag: tag.clone(), action, reason }
        })
        .collect();
    if !rules.delete_newest {
        protect_the_newest(&mut decisions);
    }
    protect_shared_digests(&mut decisions);
    decisions
}

/// Keeps the newest tag of the image (by push time; of several pushed at once, the first in
/// the service's order): deleting every tag deletes the image.
fn protect_the_newest(decisions: &mut [Decision]) {
    let newest = decisions.iter().filter_map(|d| d.tag.pushed).max();
    let Some(first) = decisions.iter_mut().find(|d| newest.is_some() && d.tag.pushed == newest) else { return };
    if first.action == Action::Delete {
        first.action = Action::Keep;
        first.reason = "the newest tag of the image (always kept; see --dangerously-delete-newest)".to_owned();
    }
}

/// Position by push time (0 = newest) of each considered tag with a readable time; ties keep the
/// service's order.
fn newest_ranks(tags: &[Tag], considered: impl Fn(&Tag) -> bool) -> HashMap<usize, usize> {
    let mut order: Vec<usize> = (0..tags.len()).filter(|&i| considered(&tags[i]) && tags[i].pushed.is_some()).collect();
    order.sort_by(|&a, &b| tags[b].pushed.cmp(&tags[a].pushed));
    order.into_iter().enumerate().map(|(rank, i)| (i, rank)).collect()
}

fn first_verdict(
    tag: &Tag,
    rank: Option<usize>,
    rules: &Rules,
    cutoff: Option<Timestamp>,
    now: Timestamp,
    considered: bool,
) -> (Action, String) {
    if rules.keep.contains(&tag.name) {
        return (Action::Keep, "kept by name".to_owned());
    }
    if let Some(re) = rules.exclude.as_ref().filter(|re| re.is_match(&tag.name)) {
        return (Action::Keep, format!("matches exclude {re}"));
    }
    if !considered {
        let re = rules.matching.as_ref().map(Regex::as_str).unwrap_or_default();
        return (Action::Keep, format!("does not match {re}"));
    }
    let Some(pushed) = tag.pushed else {
        return (Action::Keep, format!("push time unreadable ({:?})", tag.update_time));
    };
    let mut why_delete = Vec::new();
    if let Some(n) = rules.keep_last {
        let newest = if n == 1 { "the newest".to_owned() } else { format!("the {n} newest") };
        match rank {
            Some(r) if r < n => return (Action::Keep, format!("among {newest}")),
            _ => why_delete.push(format!("beyond {newest}")),
        }
    }
    if let Some(age) = rules.older_than {
        let ago = crate::time::relative(pushed, now);
        let age = crate::time::format_duration(age);
        match cutoff {
            Some(c) if pushed < c => why_delete.push(format!("pushed {ago}, older than {age}")),
            _ => return (Action::Keep, format!("pushed {ago}, not older than {age}")),
        }
    }
    if let Some(re) = &rules.matching {
        why_delete.push(format!("matches {re}"));
    }
    (Action::Delete, why_delete.join("; "))
}

/// Keeps every tag the plan would delete whose digest a kept tag has (deleting it frees nothing,
/// and a registry may remove the image under the kept tag), or whose digest is unknown.
fn protect_shared_digests(decisions: &mut [Decision]) {
    let mut kept: HashMap<String, String> = HashMap::new();
    for d in decisions.iter().filter(|d| d.action == Action::Keep) {
        if let Some(digest) = &d.tag.digest {
            kept.entry(digest.clone()).or_insert_with(|| d.tag.name.clone());
        }
    }
    for d in decisions.iter_mut().filter(|d| d.action == Action::Delete) {
        match &d.tag.digest {
            None => {
                d.action = Action::Keep;
                d.reason = "digest unknown, so aliases cannot be ruled out".to_owned();
            }
            Some(digest) => {
                if let Some(other) = kept.get(digest) {
                    d.action = Action::Keep;
                    d.reason = format!("shares its digest with kept tag {other}");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;
    const DAY: i64 = 86_400;

    /// A tag pushed `days` ago with digest `d-<digest>`.
    fn tag(name: &str, days: i64, digest: &str) -> Tag {
        Tag {
            name: name.into(),
            pushed: Some(Timestamp::from_second(NOW - days * DAY).unwrap()),
            update_time: String::new(),
            digest: Some(format!("d-{digest}")),
        }
    }

    fn run(tags: &[Tag], rules: Rules) -> Vec<(String, Action, String)> {
        plan(tags, &rules, Timestamp::from_second(NOW).unwrap())
            .into_iter()
            .map(|d| (d.tag.name, d.action, d.reason))
            .collect()
    }

    fn deleted(tags: &[Tag], rules: Rules) -> Vec<String> {
        run(tags, rules).into_iter().filter(|(_, a, _)| *a == Action::Delete).map(|(n, _, _)| n).collect()
    }

    fn five() -> Vec<Tag> {
        vec![tag("v5", 1, "5"), tag("v4", 10, "4"), tag("v3", 40, "3"), tag("v2", 50, "2"), tag("v1", 60, "1")]
    }

    #[test]
    fn keep_last_keeps_the_newest_by_push_time() {
        let shuffled = vec![tag("v2", 50, "2"), tag("v5", 1, "5"), tag("v1", 60, "1"), tag("v4", 10, "4")];
        assert_eq!(deleted(&shuffled, Rules { keep_last: Some(2), ..Rules::default() }), ["v2", "v1"]);
    }

    #[test]
    fn tags_kept_by_name_do_not_count_among_the_newest() {
        let tags = vec![tag("latest", 1, "5"), tag("v5", 1, "5"), tag("v4", 10, "4"), tag("v3", 40, "3")];
        let rules = Rules { keep_last: Some(2), keep: vec!["latest".into()], ..Rules::default() };
        assert_eq!(deleted(&tags, rules), ["v3"]);
    }

    #[test]
    fn older_than_deletes_only_tags_pushed_before_the_cutoff() {
        let plan = run(&five(), Rules { older_than: Some(Duration::from_secs(30 * DAY as u64)), ..Rules::default() });
        assert_eq!(plan[1], ("v4".into(), Action::Keep, "pushed 10 days ago, not older than 30d".into()));
        assert_eq!(plan[2], ("v3".into(), Action::Delete, "pushed 40 days ago, older than 30d".into()));
    }

    #[test]
    fn every_rule_given_must_select_a_tag() {
        let rules =
            Rules { keep_last: Some(1), older_than: Some(Duration::from_secs(45 * DAY as u64)), ..Rules::default() };
        assert_eq!(deleted(&five(), rules), ["v2", "v1"]);
        let plan = run(
            &five(),
            Rules { keep_last: Some(1), older_than: Some(Duration::from_secs(45 * DAY as u64)), ..Rules::default() },
        );
        assert_eq!(plan[3].2, "beyond the newest; pushed 50 days ago, older than 45d");
    }

    #[test]
    fn match_exclude_and_keep_narrow_the_plan() {
        let tags = vec![tag("pr-3", 40, "a"), tag("release-1", 40, "b"), tag("pr-2", 41, "c"), tag("main", 1, "d")];
        let rules = Rules {
            matching: Some(Regex::new("^(pr|release)-").unwrap()),
            exclude: Some(Regex::new("^release-").unwrap()),
            keep: vec!["pr-2".into()],
            ..Rules::default()
        };
        let plan = run(&tags, rules);
        assert_eq!(plan[0], ("pr-3".into(), Action::Delete, "matches ^(pr|release)-".into()));
        assert_eq!(plan[1].2, "matches exclude ^release-");
        assert_eq!(plan[2].2, "kept by name");
        assert_eq!(plan[3].2, "does not match ^(pr|release)-");
    }

    #[test]
    fn keep_last_counts_only_the_tags_the_patterns_consider() {
        let tags = vec![tag("main", 1, "m"), tag("pr-3", 2, "3"), tag("pr-2", 3, "2"), tag("pr-1", 4, "1")];
        let rules = Rules { matching: Some(Regex::new("^pr-").unwrap()), keep_last: Some(2), ..Rules::default() };
        assert_eq!(deleted(&tags, rules), ["pr-1"]);
    }

    #[test]
    fn a_tag_sharing_its_digest_with_a_kept_tag_is_kept() {
        let tags = vec![tag("latest", 40, "same"), tag("v2", 40, "same"), tag("v1", 60, "old")];
        let rules = Rules {
            older_than: Some(Duration::from_secs(30 * DAY as u64)),
            keep: vec!["latest".into()],
            ..Rules::default()
        };
        let plan = run(&tags, rules);
        assert_eq!(plan[1], ("v2".into(), Action::Keep, "shares its digest with kept tag latest".into()));
        assert_eq!(plan[2].1, Action::Delete);
    }

    #[test]
    fn tags_whose_time_or_digest_is_unknown_are_kept() {
        let mut unreadable = tag("odd", 90, "x");
        unreadable.pushed = None;
        unreadable.update_time = "0000-00-00 00:00:00".into();
        let mut no_digest = tag("nodigest", 90, "y");
        no_digest.digest = None;
        let plan = run(
            &[unreadable, no_digest, tag("new", 0, "n")],
            Rules { older_than: Some(Duration::from_secs(DAY as u64)), ..Rules::default() },
        );
        assert_eq!(plan[0], ("odd".into(), Action::Keep, r#"push time unreadable ("0000-00-00 00:00:00")"#.into()));
        assert_eq!(plan[1].1, Action::Keep);
        assert!(plan[1].2.starts_with("digest unknown"));
    }

    #[test]
    fn the_newest_tag_is_kept_unless_told_otherwise() {
        let rules = Rules { older_than: Some(Duration::from_secs(DAY as u64)), ..Rules::default() };
        let all_old = vec![tag("v3", 5, "3"), tag("v2", 6, "2"), tag("v1", 7, "1")];
        let plan = run(&all_old, rules.clone());
        assert_eq!(plan[0].1, Action::Keep);
        assert_eq!(plan[0].2, "the newest tag of the image (always kept; see --dangerously-delete-newest)");
        assert_eq!(deleted(&all_old, rules.clone()), ["v2", "v1"]);
        assert_eq!(deleted(&all_old, Rules { delete_newest: true, ..rules }), ["v3", "v2", "v1"]);
    }

    #[test]
    fn zero_values_that_select_everything_are_named() {
        let rules = Rules {
            keep_last: Some(0),
            older_than: Some(Duration::ZERO),
            matching: Some(Regex::new("").unwrap()),
            ..Rules::default()
        };
        assert_eq!(rules.zero_values(), ["keep_last", "older_than", "match"]);
        assert!(Rules { keep_last: Some(1), ..Rules::default() }.zero_values().is_empty());
    }

    #[test]
    fn rules_that_limit_nothing_are_told_apart() {
        assert!(!Rules { keep: vec!["latest".into()], ..Rules::default() }.limit_deletions());
        assert!(Rules { keep_last: Some(0), ..Rules::default() }.limit_deletions());
    }
}
