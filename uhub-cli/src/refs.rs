//! What the user names on the command line: `REPO/IMAGE`, `REPO/IMAGE:TAG`, `REPO[/IMAGE]`.
//!
//! The repository is everything before the first `/`; a tag follows the last `:` of the rest.
//! Errors say what to type instead.

use std::fmt;
use std::str::FromStr;

/// An image: `REPO/IMAGE`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageRef {
    pub repo: String,
    pub image: String,
}

/// A tag: `REPO/IMAGE:TAG`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagRef {
    pub image: ImageRef,
    pub tag: String,
    /// `@sha256:...` given with the tag: delete only while the tag still has this digest.
    pub digest: Option<String>,
}

/// A tag to delete, or `-` for "read them from stdin".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagArg {
    Stdin,
    Tag(TagRef),
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

fn checked<'a>(part: &'a str, what: &str, input: &str, example: &str) -> Result<&'a str, String> {
    if part.is_empty() {
        Err(format!("{input:?} has no {what}: expected {example}"))
    } else if part.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err(format!("{input:?}: the {what} {part:?} contains spaces or control characters"))
    } else {
        Ok(part)
    }
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
            repo: checked(repo, "repository", s, EXAMPLE)?.to_owned(),
            image: checked(image, "image", s, EXAMPLE)?.to_owned(),
        })
    }
}

impl FromStr for TagRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        const EXAMPLE: &str = "REPO/IMAGE:TAG, e.g. web/nginx:1.25";
        let Some((repo, rest)) = s.split_once('/') else {
            return Err(format!("{s:?} names no image: expected {EXAMPLE}"));
        };
        let Some((image, tag)) = rest.rsplit_once(':') else {
            return Err(format!("{s:?} names no tag: expected {EXAMPLE}"));
        };
        Ok(TagRef {
            image: ImageRef {
                repo: checked(repo, "repository", s, EXAMPLE)?.to_owned(),
                image: checked(image, "image", s, EXAMPLE)?.to_owned(),
            },
            tag: checked(tag, "tag", s, EXAMPLE)?.to_owned(),
            digest: None,
        })
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
        Ok(Target::Repo(checked(s, "repository", s, "REPO or REPO/IMAGE, e.g. web or web/nginx")?.to_owned()))
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.repo, self.image)
    }
}

impl fmt::Display for TagRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.image, self.tag)
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

    #[test]
    fn prune_targets_are_repositories_or_images() {
        assert_eq!("web".parse::<Target>(), Ok(Target::Repo("web".into())));
        assert_eq!(
            "web/nginx".parse::<Target>(),
            Ok(Target::Image(ImageRef { repo: "web".into(), image: "nginx".into() }))
        );
        assert!("web:1".parse::<Target>().is_err());
    }
}
