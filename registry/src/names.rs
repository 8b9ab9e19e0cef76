//! The OCI distribution grammar for the names a registry, a file or a user hands us: tags,
//! repository names and digests. Every name is checked here before it is put into a URL, a
//! request or a deletion, because a name is text somebody else chose: a tag list may hold
//! `1.0/../../other/manifests/latest`, and a URL built from it would reach another repository.
//!
//! The rules are the distribution spec's, kept strict on purpose (no Unicode, no case folding):
//! - a tag is `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`;
//! - a repository is `/`-separated components `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`, at most
//!   255 characters in all;
//! - a digest is `sha256:` and 64, or `sha512:` and 128, lower-case hex digits (the algorithms
//!   whose bytes we can check).

use std::fmt;

/// The longest tag the spec allows.
pub const MAX_TAG_LEN: usize = 128;
/// The longest repository name the spec allows.
pub const MAX_REPOSITORY_LEN: usize = 255;
/// How much of a refused name an error shows; the rest is counted, not printed.
const SHOWN: usize = 80;

/// What kind of name was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Tag,
    Repository,
    Digest,
    /// A tag or a digest.
    Reference,
}

impl NameKind {
    fn as_str(self) -> &'static str {
        match self {
            NameKind::Tag => "tag name",
            NameKind::Repository => "repository name",
            NameKind::Digest => "digest",
            NameKind::Reference => "tag or digest",
        }
    }
}

/// A name that does not follow the grammar. Its Display is one line, `invalid tag name
/// "..."`, with the name escaped (control and non-ASCII characters as `\u{..}`) and cut, so
/// whatever a registry sent cannot reach a terminal raw nor flood it.
#[derive(Clone, PartialEq, Eq)]
pub struct InvalidName {
    pub kind: NameKind,
    /// The name as received, exactly (for tests and for programs; never print it raw).
    pub name: String,
}

impl InvalidName {
    /// The name escaped and cut to a readable length.
    pub fn shown(&self) -> String {
        shown(&self.name)
    }
}

impl fmt::Display for InvalidName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} {}", self.kind.as_str(), self.shown())
    }
}

impl fmt::Debug for InvalidName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InvalidName({self})")
    }
}

impl std::error::Error for InvalidName {}

/// `name` quoted, ASCII-only, at most 80 characters of it, with how many were left out.
pub fn shown(name: &str) -> String {
    let mut out = String::from("\"");
    for (count, c) in name.chars().enumerate() {
        if count == SHOWN {
            let rest = name.chars().count() - SHOWN;
            out.push_str(&format!("\"... ({rest} more characters)"));
            return out;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            _ => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    out.push('"');
    out
}

fn refuse(kind: NameKind, name: &str) -> InvalidName {
    InvalidName { kind, name: name.to_owned() }
}

/// A tag: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
pub fn check_tag(tag: &str) -> Result<(), InvalidName> {
    let mut bytes = tag.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
    let rest_ok = bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if first_ok && rest_ok && tag.len() <= MAX_TAG_LEN { Ok(()) } else { Err(refuse(NameKind::Tag, tag)) }
}

/// A repository name: lower-case components joined by `/`, at most 255 characters.
pub fn check_repository(name: &str) -> Result<(), InvalidName> {
    if !name.is_empty() && name.len() <= MAX_REPOSITORY_LEN && name.split('/').all(is_component) {
        Ok(())
    } else {
        Err(refuse(NameKind::Repository, name))
    }
}

/// One path component: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
fn is_component(part: &str) -> bool {
    let bytes = part.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let mut i = 0;
    loop {
        // A run of lower-case letters and digits.
        let start = i;
        while i < bytes.len() && alnum(bytes[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == bytes.len() {
            return true;
        }
        // One separator: `.`, `_`, `__` or any number of `-`.
        match bytes[i] {
            b'.' => i += 1,
            b'_' => i += if bytes.get(i + 1) == Some(&b'_') { 2 } else { 1 },
            b'-' => {
                while i < bytes.len() && bytes[i] == b'-' {
                    i += 1;
                }
            }
            _ => return false,
        }
    }
}

/// A digest we can verify: `sha256:` + 64 or `sha512:` + 128 lower-case hex digits.
pub fn check_digest(digest: &str) -> Result<(), InvalidName> {
    let hex_of =
        |hex: &str, len: usize| hex.len() == len && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let ok = match digest.split_once(':') {
        Some(("sha256", hex)) => hex_of(hex, 64),
        Some(("sha512", hex)) => hex_of(hex, 128),
        _ => false,
    };
    if ok { Ok(()) } else { Err(refuse(NameKind::Digest, digest)) }
}

/// A manifest reference: a digest when it has the form of one (`algorithm:...`), else a tag.
pub fn check_reference(reference: &str) -> Result<(), InvalidName> {
    let checked = if reference.contains(':') { check_digest(reference) } else { check_tag(reference) };
    checked.map_err(|_| refuse(NameKind::Reference, reference))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_the_spec() {
        for ok in ["latest", "1.27.0", "_x", "v1_2-3.4", "A", "a".repeat(128).as_str()] {
            assert_eq!(check_tag(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            ".hidden",
            "-x",
            "a/b",
            "2.0.2/../../../nginx/manifests/latest",
            "..",
            "a b",
            "a\n",
            "ä",
            "a:b",
            "a%2f",
            "a".repeat(129).as_str(),
        ] {
            assert_eq!(check_tag(bad).unwrap_err().kind, NameKind::Tag, "{bad}");
        }
    }

    #[test]
    fn repositories_are_lower_case_components() {
        for ok in ["library/nginx", "a", "a.b/c__d/e---f", "org/tool/cli", "a0-b_c.d"] {
            assert_eq!(check_repository(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "/a",
            "a/",
            "a//b",
            "A/b",
            "a/../b",
            "a/./b",
            "a___b",
            "a-",
            "-a",
            "a..b",
            "a?b",
            "a%2fb",
            format!("{}/b", "a".repeat(254)).as_str(),
        ] {
            assert!(check_repository(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn digests_have_a_known_algorithm_and_length() {
        let sha256 = format!("sha256:{}", "ab".repeat(32));
        let sha512 = format!("sha512:{}", "0f".repeat(64));
        assert_eq!(check_digest(&sha256), Ok(()));
        assert_eq!(check_digest(&sha512), Ok(()));
        for bad in [
            "sha256:12".to_owned(),
            format!("sha256:{}", "AB".repeat(32)),
            format!("md5:{}", "ab".repeat(16)),
            format!("sha256:{}/../x", "ab".repeat(32)),
            format!("sha512:{}", "ab".repeat(32)),
            "sha256".to_owned(),
        ] {
            assert!(check_digest(&bad).is_err(), "{bad}");
        }
        assert_eq!(check_reference(&sha256), Ok(()));
        assert_eq!(check_reference("v1"), Ok(()));
        assert_eq!(check_reference("sha256:zz").unwrap_err().kind, NameKind::Reference);
    }

    #[test]
    fn a_refused_name_is_shown_escaped_and_cut() {
        let err = check_tag("x\u{1b}[31m\u{202e}\"").unwrap_err();
        assert_eq!(err.to_string(), r#"invalid tag name "x\u{1b}[31m\u{202e}\"""#);
        let long = check_tag(&"b".repeat(1000)).unwrap_err().to_string();
        assert!(long.len() < 140 && long.ends_with("(920 more characters)"), "{long}");
    }
}
