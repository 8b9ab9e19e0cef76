//! Which tags a prune deletes and why: a pure function of one image's tags, the rules and the
//! time, so the plan printed in a dry run is exactly what `--apply` does.
//!
//! A tag is deleted only when every rule given selects it. Whatever the rules say, a tag is kept
//! when its push time cannot be read, when its digest is unknown, when a kept tag shares its
//! digest, or when it is the newest tag of its image (an image goes with its last tag) unless
//! `delete_newest` says otherwise.
//!
//! Accessories (cosign's `sha256-<hex>.sig`, `.att` and `.sbom` tags) are not judged by the
//! rules: they follow their subject, the tags whose digest is `sha256:<hex>`. An accessory is
//! kept while any of its subjects is kept and deleted with them; it takes no place among the
//! newest and no pattern or age selects it on its own. One whose subject digest no tag of the
//! image has (an orphan) is always kept: which image it belonged to can no longer be told.

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
    /// Tags that name a platform's manifest inside a kept index, with that index's tag
    /// (`--check-indexes` reads them from the registry): deleting one would break the index.
    pub platform_of: HashMap<String, String>,
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
    /// Set when the tag is an accessory: it follows its subject.
    pub accessory_of: Option<AccessoryOf>,
}

/// The kinds of accessory tag, by the suffix cosign gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessoryKind {
    /// `.sig`
    Signature,
    /// `.att`
    Attestation,
    /// `.sbom`
    Sbom,
}

impl AccessoryKind {
    fn noun(self) -> &'static str {
        match self {
            AccessoryKind::Signature => "signature",
            AccessoryKind::Attestation => "attestation",
            AccessoryKind::Sbom => "SBOM",
        }
    }
}

/// Whose accessory a tag is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessoryOf {
    pub kind: AccessoryKind,
    /// The subject's digest, read from the accessory's name.
    pub digest: String,
    /// The image's tags with that digest, in the plan's order; empty for an orphan.
    pub tags: Vec<String>,
}

/// The kind and subject digest of an accessory tag: exactly `sha256-` and 64 lowercase hex
/// digits, then `.sig`, `.att` or `.sbom`. Any other name is an ordinary tag.
pub fn accessory(name: &str) -> Option<(AccessoryKind, String)> {
    let rest = name.strip_prefix("sha256-")?;
    let (hex, suffix) = rest.split_at_checked(64)?;
    let kind = match suffix {
        ".sig" => AccessoryKind::Signature,
        ".att" => AccessoryKind::Attestation,
        ".sbom" => AccessoryKind::Sbom,
        _ => return None,
    };
    hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')).then(|| (kind, format!("sha256:{hex}")))
}

/// The plan for one image's tags: in the order given, except that each accessory follows its
/// subject.
pub fn plan(tags: &[Tag], rules: &Rules, now: Timestamp) -> Vec<Decision> {
    let links = Links::of(tags);
    let considered = |t: &Tag| {
        rules.exclude.as_ref().is_none_or(|re| !re.is_match(&t.name))
            && rules.matching.as_ref().is_none_or(|re| re.is_match(&t.name))
    };
    // Tags kept by name do not take places among the newest: `latest` is kept anyway. Nor do
    // accessories, which follow their subject.
    let rank = newest_ranks(tags, |i, t| links.kind[i].is_none() && considered(t) && !rules.keep.contains(&t.name));
    let cutoff = rules.older_than.and_then(|age| crate::time::before(now, age));
    let mut decisions: Vec<Decision> = tags
        .iter()
        .enumerate()
        .map(|(i, tag)| {
            let (action, reason) = match &links.kind[i] {
                Some((kind, digest)) => accessory_verdict(tag, *kind, digest, &links, i, tags, rules),
                None => match rules.platform_of.get(&tag.name) {
                    Some(index) => (Action::Keep, format!("a platform of {index}, which is kept")),
                    None => first_verdict(tag, rank.get(&i).copied(), rules, cutoff, now, considered(tag)),
                },
            };
            let accessory_of = links.kind[i].as_ref().map(|(kind, digest)| AccessoryOf {
                kind: *kind,
                digest: digest.clone(),
                tags: if links.rooted[i] {
                    links.subjects[i].iter().map(|&s| tags[s].name.clone()).collect()
                } else {
                    Vec::new()
                },
            });
            Decision { tag: tag.clone(), action, reason, accessory_of }
        })
        .collect();
    if !rules.delete_newest {
        protect_the_newest(&mut decisions);
    }
    // Each pass only turns deletions into keeps, so this ends; it ends with no tag deleted that
    // shares its digest with a kept one, and no accessory deleted whose subject is kept.
    while protect_shared_digests(&mut decisions) | keep_with_kept_subjects(&mut decisions, &links) {}
    links.order().into_iter().map(|i| decisions[i].clone()).collect()
}

/// Which tags are accessories of which: for each tag its kind and subject digest when it is an
/// accessory, the other tags with that digest, and whether it leads to an ordinary tag
/// (through accessories of accessories, such as the signature of an SBOM).
struct Links {
    kind: Vec<Option<(AccessoryKind, String)>>,
    subjects: Vec<Vec<usize>>,
    rooted: Vec<bool>,
}

impl Links {
    fn of(tags: &[Tag]) -> Links {
        let kind: Vec<_> = tags.iter().map(|t| accessory(&t.name)).collect();
        let mut by_digest: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, t) in tags.iter().enumerate() {
            if let Some(d) = &t.digest {
                by_digest.entry(d.as_str()).or_default().push(i);
            }
        }
        let subjects: Vec<Vec<usize>> = kind
            .iter()
            .enumerate()
            .map(|(i, k)| match k {
                Some((_, digest)) => {
                    by_digest.get(digest.as_str()).into_iter().flatten().copied().filter(|&s| s != i).collect()
                }
                None => Vec::new(),
            })
            .collect();
        // Ordinary tags are roots; an accessory is rooted once a subject is. Accessories that
        // only point at each other (hostile names) stay unrooted: orphans.
        let mut rooted: Vec<bool> = kind.iter().map(Option::is_none).collect();
        let mut grew = true;
        while grew {
            grew = false;
            for i in 0..tags.len() {
                if !rooted[i] && subjects[i].iter().any(|&s| rooted[s]) {
                    rooted[i] = true;
                    grew = true;
                }
            }
        }
        Links { kind, subjects, rooted }
    }

    /// The plan's order: the tags as given, each rooted accessory right after its first
    /// subject (accessories of accessories after theirs).
    fn order(&self) -> Vec<usize> {
        let n = self.kind.len();
        let parent = |i: usize| self.subjects[i].first().copied().filter(|_| self.kind[i].is_some() && self.rooted[i]);
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        for i in 0..n {
            if let Some(p) = parent(i) {
                children[p].push(i);
            }
        }
        let mut order = Vec::with_capacity(n);
        let mut placed = vec![false; n];
        for top in (0..n).filter(|&i| parent(i).is_none()) {
            let mut stack = vec![top];
            while let Some(i) = stack.pop() {
                if std::mem::replace(&mut placed[i], true) {
                    continue;
                }
                order.push(i);
                stack.extend(children[i].iter().rev());
            }
        }
        // A first-subject cycle has no top: place what is left where it was.
        order.extend((0..n).filter(|&i| !placed[i]));
        order
    }
}

/// An accessory's verdict before it meets its subjects' verdicts: kept by the rules that keep
/// (by name, exclude), kept as an orphan, or to be deleted with its subjects.
fn accessory_verdict(
    tag: &Tag,
    kind: AccessoryKind,
    digest: &str,
    links: &Links,
    i: usize,
    tags: &[Tag],
    rules: &Rules,
) -> (Action, String) {
    let noun = kind.noun();
    if rules.keep.contains(&tag.name) {
        return (Action::Keep, "kept by name".to_owned());
    }
    if let Some(re) = rules.exclude.as_ref().filter(|re| re.is_match(&tag.name)) {
        return (Action::Keep, format!("matches exclude {re}"));
    }
    if !links.rooted[i] {
        let digest = crate::tag::short_digest(Some(digest));
        return (Action::Keep, format!("orphan: {noun} of {digest}, which no tag of the image has; left alone"));
    }
    let names: Vec<&str> = links.subjects[i].iter().map(|&s| tags[s].name.as_str()).collect();
    (Action::Delete, format!("{noun} of {}, deleted with it", names.join(", ")))
}

/// Keeps every accessory the plan would delete while one of its subjects is kept; whether
/// anything changed.
fn keep_with_kept_subjects(decisions: &mut [Decision], links: &Links) -> bool {
    let mut changed = false;
    for i in 0..decisions.len() {
        let Some((kind, _)) = &links.kind[i] else { continue };
        if decisions[i].action != Action::Delete {
            continue;
        }
        if let Some(&kept) = links.subjects[i].iter().find(|&&s| decisions[s].action == Action::Keep) {
            let subject = decisions[kept].tag.name.clone();
            decisions[i].action = Action::Keep;
            decisions[i].reason = format!("{} of kept tag {subject}", kind.noun());
            changed = true;
        }
    }
    changed
}

/// Keeps the newest tag of the image (by push time; of several pushed at once, the first in
/// the service's order): deleting every tag deletes the image.
fn protect_the_newest(decisions: &mut [Decision]) {
    let ordinary = |d: &&mut Decision| d.accessory_of.is_none();
    let newest = decisions.iter_mut().filter(ordinary).filter_map(|d| d.tag.pushed).max();
    let Some(first) = decisions.iter_mut().filter(ordinary).find(|d| newest.is_some() && d.tag.pushed == newest) else {
        return;
    };
    if first.action == Action::Delete {
        first.action = Action::Keep;
        first.reason = "the newest tag of the image (always kept; see --dangerously-delete-newest)".to_owned();
    }
}

/// Position by push time (0 = newest) of each considered tag with a readable time; ties keep the
/// service's order.
fn newest_ranks(tags: &[Tag], considered: impl Fn(usize, &Tag) -> bool) -> HashMap<usize, usize> {
    let mut order: Vec<usize> =
        (0..tags.len()).filter(|&i| considered(i, &tags[i]) && tags[i].pushed.is_some()).collect();
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
/// and a registry may remove the image under the kept tag), or whose digest is unknown;
/// whether anything changed.
fn protect_shared_digests(decisions: &mut [Decision]) -> bool {
    let mut changed = false;
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
                changed = true;
            }
            Some(digest) => {
                if let Some(other) = kept.get(digest) {
                    d.action = Action::Keep;
                    d.reason = format!("shares its digest with kept tag {other}");
                    changed = true;
                }
            }
        }
    }
    changed
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

    fn plan_of(tags: &[Tag], rules: Rules) -> Vec<Decision> {
        plan(tags, &rules, Timestamp::from_second(NOW).unwrap())
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

    /// A tag with a real-looking digest, `sha256:` and 64 times `hex`.
    fn image(name: &str, days: i64, hex: char) -> Tag {
        Tag { digest: Some(format!("sha256:{}", hex.to_string().repeat(64))), ..tag(name, days, "") }
    }

    /// The accessory tag of `subject` with `suffix` (`sig`, `att`, `sbom`), pushed `days` ago,
    /// with its own digest `own`.
    fn accessory_of(subject: &Tag, suffix: &str, days: i64, own: char) -> Tag {
        let hex = subject.digest.as_deref().unwrap().strip_prefix("sha256:").unwrap();
        image(&format!("sha256-{hex}.{suffix}"), days, own)
    }

    #[test]
    fn only_the_exact_cosign_shape_is_an_accessory() {
        let hex = "0123456789abcdef".repeat(4);
        assert_eq!(accessory(&format!("sha256-{hex}.sig")), Some((AccessoryKind::Signature, format!("sha256:{hex}"))));
        assert_eq!(accessory(&format!("sha256-{hex}.att")).unwrap().0, AccessoryKind::Attestation);
        assert_eq!(accessory(&format!("sha256-{hex}.sbom")).unwrap().0, AccessoryKind::Sbom);
        for not in [
            format!("sha256-{}.sig", &hex[1..]),
            format!("sha256-{hex}0.sig"),
            format!("sha256-{}.sig", hex.to_uppercase()),
            format!("sha256-{hex}.sig.bak"),
            format!("sha256-{hex}.sign"),
            format!("sha512-{hex}.sig"),
            format!("sha256-{}g.sig", &hex[1..]),
            format!("sha256-{hex}"),
            "sha256-é.sig".to_owned(),
        ] {
            assert_eq!(accessory(&not), None, "{not}");
        }
    }

    #[test]
    fn accessories_take_no_place_among_the_newest_and_go_with_their_subject() {
        let (v3, v2, v1) = (image("v3", 30, 'c'), image("v2", 40, 'b'), image("v1", 50, 'a'));
        // The signatures were pushed after every image: counted, they would be the newest two.
        let tags = vec![
            accessory_of(&v1, "sig", 0, '1'),
            accessory_of(&v3, "sig", 0, '3'),
            v3.clone(),
            v2.clone(),
            v1.clone(),
            accessory_of(&v1, "att", 1, '4'),
        ];
        let plan = run(&tags, Rules { keep_last: Some(2), ..Rules::default() });
        let names: Vec<&str> = plan.iter().map(|(n, _, _)| &n[..n.len().min(10)]).collect();
        // Each accessory right after its subject, in the order given otherwise.
        assert_eq!(names, ["v3", "sha256-ccc", "v2", "v1", "sha256-aaa", "sha256-aaa"]);
        assert_eq!(plan[0], ("v3".into(), Action::Keep, "among the 2 newest".into()));
        assert_eq!(plan[1].1, Action::Keep);
        assert_eq!(plan[1].2, "signature of kept tag v3");
        assert_eq!(plan[2], ("v2".into(), Action::Keep, "among the 2 newest".into()));
        assert_eq!(plan[3], ("v1".into(), Action::Delete, "beyond the 2 newest".into()));
        assert_eq!((plan[4].1, plan[4].2.as_str()), (Action::Delete, "signature of v1, deleted with it"));
        assert_eq!((plan[5].1, plan[5].2.as_str()), (Action::Delete, "attestation of v1, deleted with it"));
        let decided = plan_of(&tags, Rules { keep_last: Some(2), ..Rules::default() });
        let of = decided[4].accessory_of.as_ref().unwrap();
        assert_eq!(
            (of.kind, of.digest.as_str(), of.tags.as_slice()),
            (AccessoryKind::Signature, v1.digest.as_deref().unwrap(), ["v1".to_owned()].as_slice())
        );
        assert!(decided[0].accessory_of.is_none());
    }

    #[test]
    fn no_pattern_or_age_selects_an_accessory_on_its_own() {
        let v2 = image("v2", 1, 'b');
        let old_sig = accessory_of(&v2, "sig", 90, '1');
        let v1 = image("v1", 60, 'a');
        let tags = vec![v2, old_sig, v1.clone(), accessory_of(&v1, "sbom", 0, '2')];
        let rules = Rules { older_than: Some(Duration::from_secs(30 * DAY as u64)), ..Rules::default() };
        let plan = run(&tags, rules.clone());
        assert_eq!((plan[1].1, plan[1].2.as_str()), (Action::Keep, "signature of kept tag v2"), "old, but v2 is kept");
        assert_eq!(
            (plan[3].1, plan[3].2.as_str()),
            (Action::Delete, "SBOM of v1, deleted with it"),
            "new, but v1 goes"
        );
        let matching_signatures = Rules { matching: Some(Regex::new(r"\.sig$").unwrap()), ..rules };
        assert!(deleted(&tags, matching_signatures).is_empty(), "--match '\\.sig$' selects no ordinary tag");
    }

    #[test]
    fn an_accessory_is_kept_while_any_tag_with_its_subject_digest_is_kept() {
        let v1 = image("v1", 60, 'a');
        let stable = Tag { name: "stable".into(), ..v1.clone() };
        let sig = accessory_of(&v1, "sig", 59, '1');
        let tags = vec![image("v2", 1, 'b'), v1.clone(), stable, sig];
        let old = Rules { older_than: Some(Duration::from_secs(30 * DAY as u64)), ..Rules::default() };
        let plan = run(&tags, Rules { keep: vec!["stable".into()], ..old.clone() });
        assert_eq!(plan.iter().filter(|(_, a, _)| *a == Action::Delete).count(), 0, "{plan:?}");
        assert_eq!(plan[2].2, "signature of kept tag v1", "v1 is kept for sharing stable's digest");
        // With both gone, the signature goes with them, listed under the first.
        let plan = plan_of(&tags, old);
        assert_eq!(plan.iter().filter(|d| d.action == Action::Delete).count(), 3);
        assert_eq!(plan[2].reason, "signature of v1, stable, deleted with it");
        assert_eq!(plan[2].accessory_of.as_ref().unwrap().tags, ["v1", "stable"]);
    }

    #[test]
    fn an_orphaned_accessory_is_left_alone() {
        let gone = image("gone", 90, 'f');
        // Pushed last: were it an ordinary tag, it would be the newest, and v2 could go.
        let orphan = accessory_of(&gone, "sig", 0, '1');
        let tags = vec![image("v2", 2, 'b'), image("v1", 60, 'a'), orphan];
        let plan = plan_of(&tags, Rules { older_than: Some(Duration::from_secs(DAY as u64)), ..Rules::default() });
        assert_eq!(plan[2].action, Action::Keep);
        assert_eq!(
            plan[2].reason,
            "orphan: signature of sha256:ffffffffffff, which no tag of the image has; left alone"
        );
        assert!(plan[2].accessory_of.as_ref().unwrap().tags.is_empty());
        assert_eq!(plan[0].reason, "the newest tag of the image (always kept; see --dangerously-delete-newest)");
        assert_eq!(plan[1].action, Action::Delete);
    }

    #[test]
    fn accessories_of_accessories_follow_the_chain() {
        let v1 = image("v1", 60, 'a');
        let sbom = accessory_of(&v1, "sbom", 60, '1');
        let sbom_sig = accessory_of(&sbom, "sig", 60, '2');
        let tags = vec![sbom_sig, image("v2", 1, 'b'), sbom, v1];
        let rules = Rules { older_than: Some(Duration::from_secs(DAY as u64)), ..Rules::default() };
        let plan = plan_of(&tags, rules.clone());
        let order: Vec<&str> = plan.iter().map(|d| &d.tag.name[..d.tag.name.len().min(10)]).collect();
        assert_eq!(order, ["v2", "v1", "sha256-aaa", "sha256-111"]);
        assert!(plan[1..].iter().all(|d| d.action == Action::Delete), "{plan:?}");
        // Kept by name, the SBOM keeps its own signature, whatever happens to v1.
        let sbom_name = plan[2].tag.name.clone();
        let plan = plan_of(&tags, Rules { keep: vec![sbom_name], ..rules });
        assert_eq!((plan[1].action, plan[2].action, plan[3].action), (Action::Delete, Action::Keep, Action::Keep));
        assert_eq!(plan[3].reason, format!("signature of kept tag {}", plan[2].tag.name));
    }

    #[test]
    fn accessories_that_only_name_each_other_are_orphans() {
        let mut a = image("x", 0, '1');
        let mut b = image("y", 0, '2');
        let hex = |c: char| c.to_string().repeat(64);
        a.name = format!("sha256-{}.sig", hex('2'));
        b.name = format!("sha256-{}.sig", hex('1'));
        let rules = Rules { matching: Some(Regex::new(".").unwrap()), delete_newest: true, ..Rules::default() };
        let plan = plan_of(&[a, b], rules);
        assert!(plan.iter().all(|d| d.action == Action::Keep && d.reason.starts_with("orphan")), "{plan:?}");
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
