//! Ordering tags as versions: `v1.10.0` after `v1.9.2`, `2.0.0-rc.1` before `2.0.0`.
//!
//! Tags are not always semver, so the reading is lenient: an optional `v`, one to four dotted
//! numbers, an optional `-pre-release` and `+build`. Anything else is not a version.

use std::cmp::Ordering;

/// A tag read as a version.
#[derive(Debug, PartialEq, Eq)]
pub struct Version<'a> {
    numbers: Vec<u64>,
    pre: Option<&'a str>,
}

impl<'a> Version<'a> {
    pub fn parse(tag: &'a str) -> Option<Self> {
        let rest = tag.strip_prefix(['v', 'V']).unwrap_or(tag);
        let rest = rest.split_once('+').map_or(rest, |(core, _build)| core);
        let (core, pre) = match rest.split_once('-') {
            Some((core, pre)) if !pre.is_empty() => (core, Some(pre)),
            Some(_) => return None,
            None => (rest, None),
        };
        let numbers: Option<Vec<u64>> = core
            .split('.')
            .map(|n| if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) { None } else { n.parse().ok() })
            .collect();
        let numbers = numbers.filter(|n| (1..=4).contains(&n.len()))?;
        Some(Version { numbers, pre })
    }
}

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        // Missing numbers count as 0 (1.2 == 1.2.0); a pre-release comes before its release.
        let len = self.numbers.len().max(other.numbers.len());
        let at = |v: &Version, i: usize| v.numbers.get(i).copied().unwrap_or(0);
        (0..len).map(|i| at(self, i).cmp(&at(other, i))).find(|o| o.is_ne()).unwrap_or(Ordering::Equal).then_with(
            || match (self.pre, other.pre) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => compare_pre(a, b),
            },
        )
    }
}

impl PartialOrd for Version<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Semver's pre-release order: dot-separated parts, numbers numerically and before words.
fn compare_pre(a: &str, b: &str) -> Ordering {
    let mut a_parts = a.split('.');
    let mut b_parts = b.split('.');
    loop {
        match (a_parts.next(), b_parts.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if o.is_ne() {
                    return o;
                }
            }
        }
    }
}

/// Highest version first; tags that are not versions after them, by name.
pub fn descending(a: &str, b: &str) -> Ordering {
    match (Version::parse(a), Version::parse(b)) {
        (Some(x), Some(y)) => y.cmp(&x).then_with(|| a.cmp(b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_numerically_with_pre_releases_first_and_other_tags_last() {
        let mut tags =
            vec!["latest", "v1.9.2", "1.10.0", "2.0.0-rc.1", "2.0.0", "2.0.0-rc.10", "2.0.0-beta", "main", "1.2"];
        tags.sort_by(|a, b| descending(a, b));
        assert_eq!(
            tags,
            ["2.0.0", "2.0.0-rc.10", "2.0.0-rc.1", "2.0.0-beta", "1.10.0", "v1.9.2", "1.2", "latest", "main"]
        );
    }

    #[test]
    fn what_is_not_a_version() {
        for tag in ["latest", "1.", ".1", "1..2", "1.2.3.4.5", "v", "1.2-", "sha-abc", "24.01a"] {
            assert_eq!(Version::parse(tag), None, "{tag}");
        }
        assert!(Version::parse("24.01").is_some());
        assert!(Version::parse("1.2.3+build.5").is_some());
    }
}
