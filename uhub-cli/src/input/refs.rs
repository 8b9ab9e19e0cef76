//! What the user names on the command line: `REPO/IMAGE`, `REPO/IMAGE:TAG`, `REPO[/IMAGE]`,
//! and full references `[HOST/]REPO/IMAGE:TAG[@sha256:DIGEST]`.
//!
//! The repository is everything before the first `/`; a tag follows the last `:` of the rest; a
//! digest follows an `@`. A first part followed by at least two more that looks like a host (it
//! holds a `.` or a `:`, or is `localhost`, as Docker decides) is a registry host, never a
//! repository: a [`Reference`] keeps it for the command to check against the configured
//! registry, everything else refuses it. (Repository names may hold dots, so `my.repo/nginx`
//! stays a repository and an image; a dotted repository with a nested image, `my.repo/a/b`,
//! is read as a host, as Docker would.) Anything that does not parse is a usage error before any
//! request is sent, and the error says what to type instead.
//!
//! Every name is then checked here, in one place, against the OCI distribution grammar
//! ([`uhub_registry::names`]): a tag is `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`, a repository and an
//! image lower-case components. So an empty or path-like tag (`..`, `a/b`) never reaches a
//! deletion (`DeleteRepoImage` with `TagName=`) nor a registry URL.

use std::fmt;
use std::str::FromStr;

/// An image: `REPO/IMAGE`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageRef {
    pub repo: String,
    pub image: String,
}

/// A tag: `REPO/IMAGE:TAG`, optionally pinned with `@sha256:<64 hex digits>`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagRef {
    pub image: ImageRef,
    pub tag: String,
    /// `sha256:...` when the reference pins one: act only while the tag still has this digest
    /// (delete only if it still matches).
    pub digest: Option<String>,
}

/// A full reference as `docker pull` takes it: an optional registry host, then a tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The registry host, when the reference names one; the command checks it is the
    /// configured provider's (see [`crate::context::Ctx::tag_ref`]).
    pub registry: Option<String>,
    pub tag: TagRef,
}

/// A tag to delete, or `-` for "read them from stdin".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagArg {
    Stdin,
    Tag(Reference),
}

impl FromStr for TagArg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s == "-" { Ok(TagArg::Stdin) } else { s.parse().map(TagArg::Tag) }
    }
}

/// What prune acts on: a whole repository or one image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Repo(String),
    Image(ImageRef),
}

/// Whether `first`, followed by `rest`, is a registry host rather than a repository: it looks
/// like one and `rest` still names a repository and an image.
fn is_host(first: &str, rest: &str) -> bool {
    (first.contains('.') || first.contains(':') || first == "localhost") && rest.contains('/')
}

/// The length of a sha256 digest in hex digits.
const SHA256_HEX: usize = 64;

/// `sha256:` and 64 lower-case hex digits, the only digest the registry gives.
fn digest(text: &str, input: &str) -> Result<String, String> {
    let hex = text.strip_prefix("sha256:").ok_or_else(|| {
        format!("{input:?}: after @ comes a digest, sha256: and {SHA256_HEX} hex digits (see `uhub digest`)")
    })?;
    if hex.len() != SHA256_HEX || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(format!(
            "{input:?}: the digest needs {SHA256_HEX} lower-case hex digits after sha256: (see `uhub digest`)"
        ));
    }
    Ok(text.to_owned())
}

fn checked<'a>(part: &'a str, what: &str, input: &str, example: &str) -> Result<&'a str, String> {
    if part.is_empty() {
        Err(format!("{input:?} has no {what}: expected {example}"))
    } else if part.chars().any(|c| c.is_whitespace() || crate::terminal::sanitize::is_control(c)) {
        Err(format!("{input:?}: the {what} {part:?} contains spaces or control characters"))
    } else if part.contains('@') {
        Err(format!("{input:?}: the {what} {part:?} contains @; a digest goes last, as in {example}@sha256:..."))
    } else {
        Ok(part)
    }
}

/// `part` once [`checked`], and then by the distribution grammar (`check`, one of
/// [`uhub_registry::names`]'s).
fn named<'a>(
    part: &'a str,
    what: &str,
    input: &str,
    example: &str,
    check: fn(&str) -> Result<(), uhub_registry::names::InvalidName>,
) -> Result<&'a str, String> {
    let part = checked(part, what, input, example)?;
    check(part).map_err(|e| format!("{}: {e}; expected {example}", uhub_registry::names::shown(input)))?;
    Ok(part)
}

/// A tag name alone (`--keep TAG`), checked like a reference's tag.
pub fn tag_name(s: &str) -> Result<String, String> {
    named(s, "tag", s, "a tag such as 1.25 or latest", uhub_registry::names::check_tag).map(str::to_owned)
}

/// The repository part (`rest` what follows it), refused when it is a registry host (where a
/// host is not taken).
fn repository<'a>(part: &'a str, rest: &str, input: &str, example: &str) -> Result<&'a str, String> {
    if is_host(part, rest) {
        return Err(format!("{input:?} starts with the registry host {part:?}; leave it out here: expected {example}"));
    }
    named(part, "repository", input, example, uhub_registry::names::check_repository)
}

impl FromStr for ImageRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        const EXAMPLE: &str = "REPO/IMAGE, e.g. web/nginx";
        let Some((repo, image)) = s.split_once('/') else {
            return Err(format!("{s:?} names no image: expected {EXAMPLE}"));
        };
        if image.contains(':') {
            return Err(format!("{s:?} names a tag: expected {EXAMPLE} (no :TAG here)"));
        }
        Ok(ImageRef {
            repo: repository(repo, image, s, EXAMPLE)?.to_owned(),
            image: named(image, "image", s, EXAMPLE, uhub_registry::names::check_repository)?.to_owned(),
        })
    }
}

impl FromStr for TagRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        const EXAMPLE: &str = "REPO/IMAGE:TAG, e.g. web/nginx:1.25";
        let (name, pinned) = match s.split_once('@') {
            Some((name, pinned)) => (name, Some(digest(pinned, s)?)),
            None => (s, None),
        };
        let Some((repo, rest)) = name.split_once('/') else {
            return Err(format!("{s:?} names no image: expected {EXAMPLE}"));
        };
        let Some((image, tag)) = rest.rsplit_once(':').filter(|(_, tag)| !tag.contains('/')) else {
            return Err(format!("{s:?} names no tag: expected {EXAMPLE}"));
        };
        Ok(TagRef {
            image: ImageRef {
                repo: repository(repo, rest, s, EXAMPLE)?.to_owned(),
                image: named(image, "image", s, EXAMPLE, uhub_registry::names::check_repository)?.to_owned(),
            },
            tag: named(tag, "tag", s, EXAMPLE, uhub_registry::names::check_tag)?.to_owned(),
            digest: pinned,
        })
    }
}

impl FromStr for Reference {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once('/') {
            Some((host, rest)) if is_host(host, rest) => {
                if host.chars().any(|c| c.is_whitespace() || crate::terminal::sanitize::is_control(c) || c == '@') {
                    return Err(format!("{s:?}: the registry host {host:?} contains spaces, @ or control characters"));
                }
                Ok(Reference { registry: Some(host.to_owned()), tag: rest.parse()? })
            }
            _ => Ok(Reference { registry: None, tag: s.parse()? }),
        }
    }
}

impl Reference {
    /// The tag, once the registry host (if any) is known to be `expected` (the configured
    /// provider's): another registry's image is not ours to act on.
    pub fn resolve(&self, expected: Result<String, String>) -> Result<TagRef, String> {
        let Some(named) = &self.registry else {
            return Ok(self.tag.clone());
        };
        match expected {
            Ok(host) if host.eq_ignore_ascii_case(named) => Ok(self.tag.clone()),
            Ok(host) => Err(format!(
                "{named} is not the registry of the configured provider ({host}); give {} without a host, \
                 or choose the provider (--provider) or registry (--registry) it belongs to",
                self.tag
            )),
            Err(why) => Err(format!("cannot check the registry host {named}: {why}")),
        }
    }
}

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s.contains('/') {
            return s.parse().map(Target::Image);
        }
        if s.contains(':') {
            return Err(format!("{s:?}: prune takes REPO or REPO/IMAGE, not a tag"));
        }
        let example = "REPO or REPO/IMAGE, e.g. web or web/nginx";
        Ok(Target::Repo(named(s, "repository", s, example, uhub_registry::names::check_repository)?.to_owned()))
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.repo, self.image)
    }
}

impl fmt::Display for TagRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.image, self.tag)?;
        match &self.digest {
            Some(digest) => write!(f, "@{digest}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(s: &str) -> Result<TagRef, String> {
        s.parse()
    }

    #[test]
    fn tags_split_at_the_first_slash_and_the_last_colon() {
        let t = tag("web/nginx:1.25").unwrap();
        assert_eq!((t.image.repo.as_str(), t.image.image.as_str(), t.tag.as_str()), ("web", "nginx", "1.25"));
        assert_eq!(t.to_string(), "web/nginx:1.25");
        let nested = tag("web/tools/curl:8").unwrap();
        assert_eq!((nested.image.image.as_str(), nested.tag.as_str()), ("tools/curl", "8"));
    }

    #[test]
    fn malformed_references_say_what_to_type() {
        assert_eq!(tag("web").unwrap_err(), r#""web" names no image: expected REPO/IMAGE:TAG, e.g. web/nginx:1.25"#);
        assert_eq!(
            tag("web/nginx").unwrap_err(),
            r#""web/nginx" names no tag: expected REPO/IMAGE:TAG, e.g. web/nginx:1.25"#
        );
        assert!(tag("web/nginx:").unwrap_err().contains("has no tag"));
        assert!(tag("/nginx:1").unwrap_err().contains("has no repository"));
        assert!(tag("web/ngi nx:1").unwrap_err().contains("spaces"));
        assert!("web/nginx:1".parse::<ImageRef>().unwrap_err().contains("names a tag"));
    }

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn reference(s: &str) -> Result<Reference, String> {
        s.parse()
    }

    #[test]
    fn a_pinned_digest_is_kept_apart_from_the_tag() {
        let t = tag(&format!("web/nginx:1.0.0@{DIGEST}")).unwrap();
        assert_eq!((t.image.image.as_str(), t.tag.as_str(), t.digest.as_deref()), ("nginx", "1.0.0", Some(DIGEST)));
        assert_eq!(t.to_string(), format!("web/nginx:1.0.0@{DIGEST}"));
        assert_eq!(tag("web/nginx:1.0.0").unwrap().digest, None);
    }

    #[test]
    fn malformed_digests_are_refused() {
        for bad in [
            "web/nginx:1.0.0@sha256",
            "web/nginx:1.0.0@sha256:",
            "web/nginx:1.0.0@sha256:abc",
            "web/nginx:1.0.0@md5:0123456789abcdef0123456789abcdef",
            &format!("web/nginx:1.0.0@{}", DIGEST.to_uppercase()),
            &format!("web/nginx:1.0.0@{DIGEST}0"),
            &format!("web/nginx:1.0.0@{DIGEST}@{DIGEST}"),
            "web/nginx:1.0.0@",
        ] {
            let e = tag(bad).unwrap_err();
            assert!(e.contains("digest"), "{bad:?}: {e}");
        }
        // A digest with no tag names nothing to delete.
        assert!(tag(&format!("web/nginx@{DIGEST}")).unwrap_err().contains("names no tag"));
    }

    #[test]
    fn a_host_is_kept_by_references_and_refused_elsewhere() {
        let r = reference("uhub.service.ucloud.cn/web/nginx:1.0.0").unwrap();
        assert_eq!(r.registry.as_deref(), Some("uhub.service.ucloud.cn"));
        assert_eq!(r.tag, tag("web/nginx:1.0.0").unwrap());
        let local = reference(&format!("localhost:5000/web/nginx:1@{DIGEST}")).unwrap();
        assert_eq!((local.registry.as_deref(), local.tag.digest.as_deref()), (Some("localhost:5000"), Some(DIGEST)));
        assert_eq!(reference("web/tools/curl:8").unwrap().registry, None);

        let e = tag("uhub.service.ucloud.cn/web/nginx:1.0.0").unwrap_err();
        assert!(e.contains("registry host \"uhub.service.ucloud.cn\""), "{e}");
        assert!("uhub.service.ucloud.cn/web/nginx".parse::<ImageRef>().unwrap_err().contains("registry host"));
        // Repository names may hold dots: with only an image after it, it is a repository.
        assert_eq!(
            reference("my.repo/nginx:1").unwrap(),
            Reference { registry: None, tag: tag("my.repo/nginx:1").unwrap() }
        );
        assert_eq!("my.repo/nginx".parse::<ImageRef>().unwrap().repo, "my.repo");
        assert_eq!("localhost".parse::<Target>(), Ok(Target::Repo("localhost".into())));
    }

    #[test]
    fn only_the_configured_registry_is_accepted() {
        let ours = || Ok("uhub.service.ucloud.cn".to_owned());
        let r = reference("uhub.service.ucloud.cn/web/nginx:1").unwrap();
        assert_eq!(r.resolve(ours()).unwrap(), tag("web/nginx:1").unwrap());
        let other = reference("docker.io/web/nginx:1").unwrap().resolve(ours()).unwrap_err();
        assert!(other.contains("docker.io is not the registry of the configured provider (uhub.service.ucloud.cn)"));
        let unknown = r.resolve(Err("no registry host is known".into())).unwrap_err();
        assert!(unknown.contains("cannot check the registry host"), "{unknown}");
        // No host: nothing to check, even when no registry is known.
        assert!(reference("web/nginx:1").unwrap().resolve(Err("none".into())).is_ok());
    }

    #[test]
    fn the_old_misreadings_are_gone() {
        // Once read as image `nginx:1.0.0@sha256` with tag `<hex>`.
        assert!(tag("web/nginx:1.0.0@sha256:0123").is_err());
        // Once read as repository `uhub.service.ucloud.cn`.
        assert!(tag("uhub.service.ucloud.cn/web/nginx:1.0.0").is_err());
        // A colon inside the image path is no tag separator.
        assert!(tag("web/a:b/c").unwrap_err().contains("names no tag"));
    }

    #[test]
    fn prune_targets_are_repositories_or_images() {
        assert_eq!("web".parse::<Target>(), Ok(Target::Repo("web".into())));
        assert_eq!(
            "web/nginx".parse::<Target>(),
            Ok(Target::Image(ImageRef { repo: "web".into(), image: "nginx".into() }))
        );
        assert!("web:1".parse::<Target>().is_err());
    }

    #[test]
    fn names_outside_the_distribution_grammar_are_refused_before_any_request() {
        for bad in [
            "web/nginx:..",
            "web/nginx:.hidden",
            "web/nginx:-x",
            "web/nginx:a%2fb",
            "web/Nginx:1",
            "web/a/../b:1",
            "Web/nginx:1",
        ] {
            let e = tag(bad).unwrap_err();
            assert!(e.contains("invalid"), "{bad:?}: {e}");
        }
        let long = tag(&format!("web/nginx:{}", "a".repeat(129))).unwrap_err();
        assert!(long.contains("invalid tag name"), "{long}");
        assert!(tag_name("").unwrap_err().contains("has no tag"));
        assert!(tag_name("a/b").unwrap_err().contains("invalid tag name \"a/b\""));
        assert_eq!(tag_name("1.25"), Ok("1.25".to_owned()));
        assert!("web/a..b".parse::<ImageRef>().unwrap_err().contains("invalid repository name"));
        assert!("We".parse::<Target>().unwrap_err().contains("invalid repository name"));
    }
}
