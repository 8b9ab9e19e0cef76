//! A tag as the CLI works with it: name, push time read once, digest.

use jiff::Timestamp;
use serde::Serialize;
use uhub_sdk::TagSet;

use crate::input::refs::ImageRef;

/// One tag of an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    pub name: String,
    /// `None` when the service's time could not be read.
    pub pushed: Option<Timestamp>,
    /// The time as the service sent it.
    pub update_time: String,
    pub digest: Option<String>,
}

impl Tag {
    pub fn from_set(set: &TagSet) -> Tag {
        Tag {
            name: set.tag_name.clone(),
            pushed: crate::time::pushed_at(set),
            update_time: set.update_time.to_string(),
            digest: set.digest.clone().filter(|d| !d.is_empty()),
        }
    }
}

/// `sha256:` and the first 12 hex digits, as docker shows image ids.
pub fn short_digest(digest: Option<&str>) -> String {
    match digest {
        Some(d) => {
            let (algo, hex) = d.split_once(':').unwrap_or(("", d));
            let hex: String = hex.chars().take(12).collect();
            if algo.is_empty() { hex } else { format!("{algo}:{hex}") }
        }
        None => "-".to_owned(),
    }
}

/// How far ahead of our clock a push time may be before it is flagged (clocks disagree a
/// little; a time further ahead is a wrong clock or wrong data, and it would count as newest).
const FUTURE_SLACK_SECS: i64 = 60;

/// "3 days ago (2024-03-01 08:00 UTC)", or what the service sent when it cannot be read; a time
/// in the future is flagged.
pub fn pushed_cell(tag: &Tag, now: Timestamp) -> String {
    match tag.pushed {
        Some(t) if t.as_second() > now.as_second() + FUTURE_SLACK_SECS => {
            format!("FUTURE: {} ({})", crate::time::relative(t, now), crate::time::absolute(t))
        }
        Some(t) => format!("{} ({})", crate::time::relative(t, now), crate::time::absolute(t)),
        None if tag.update_time.is_empty() => "unknown".to_owned(),
        None => format!("unreadable: {:?}", tag.update_time),
    }
}

/// A tag in JSON output and in tables.
#[derive(Serialize)]
pub struct TagRow {
    pub repo: String,
    pub image: String,
    pub tag: String,
    /// RFC 3339, UTC; null when the service's time could not be read.
    pub pushed: Option<String>,
    /// The time as the service sent it.
    pub update_time: String,
    pub digest: Option<String>,
    #[serde(skip)]
    pub now: Timestamp,
    #[serde(skip)]
    pub source: Tag,
}

impl TagRow {
    pub fn new(image: &ImageRef, tag: &Tag, now: Timestamp) -> TagRow {
        TagRow {
            repo: image.repo.clone(),
            image: image.image.clone(),
            tag: tag.name.clone(),
            pushed: tag.pushed.map(crate::time::rfc3339),
            update_time: tag.update_time.clone(),
            digest: tag.digest.clone(),
            now,
            source: tag.clone(),
        }
    }
}

impl crate::terminal::output::Row for TagRow {
    fn headers() -> &'static [&'static str] {
        &["TAG", "PUSHED", "DIGEST"]
    }

    fn cells(&self) -> Vec<String> {
        vec![self.tag.clone(), pushed_cell(&self.source, self.now), short_digest(self.digest.as_deref())]
    }

    fn name(&self) -> String {
        format!("{}/{}:{}", self.repo, self.image, self.tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_times_in_the_future_are_flagged() {
        let now: Timestamp = "2024-03-31T00:00:00Z".parse().unwrap();
        let at = |t: &str| Tag {
            name: "v1".into(),
            pushed: Some(t.parse().unwrap()),
            update_time: String::new(),
            digest: None,
        };
        assert!(pushed_cell(&at("2024-04-03T00:00:00Z"), now).starts_with("FUTURE: in 3 days ("));
        assert!(pushed_cell(&at("2024-03-31T00:00:30Z"), now).starts_with("just now ("), "clocks disagree a little");
        assert!(pushed_cell(&at("2024-03-28T00:00:00Z"), now).starts_with("3 days ago ("));
    }

    #[test]
    fn short_digests_keep_the_algorithm_and_twelve_digits() {
        assert_eq!(short_digest(Some("sha256:0123456789abcdef0123")), "sha256:0123456789ab");
        assert_eq!(short_digest(Some("abc")), "abc");
        assert_eq!(short_digest(None), "-");
    }
}
