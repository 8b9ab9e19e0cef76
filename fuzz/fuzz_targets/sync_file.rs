//! Arbitrary bytes as a `uhub mirror --file` sync file, through the CLI's own reader
//! (`sync_file::parse`: TOML, known keys, sources, tag filters), then each source's filter over
//! a fixed list of tags. Never a panic; a filter takes only tags it has, each once, and only
//! tags its names alone allow (`may_take`, which decides whose build times are read).
//!
//! The CLI is a binary crate, so its modules are included by path, as in policy_file.rs (the
//! sync file reader shares the policy reader's bounded read and near-miss hints).
#![no_main]
#![allow(dead_code)]

use libfuzzer_sys::fuzz_target;

include!("policy_modules.rs");
#[path = "../../uhub-cli/src/mirror/sync_file.rs"]
mod sync_file;
#[path = "../../uhub-cli/src/mirror/version.rs"]
mod version;
#[allow(unused_imports)]
mod mirror {
    pub(crate) use super::sync_file;
    pub(crate) use super::version;
}

use sync_file::TagCandidate;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let Ok(file) = sync_file::parse(text) else { return };
    let now: jiff::Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
    let tags: Vec<TagCandidate> = [
        ("latest", Some(10)),
        ("stable", Some(40)),
        ("1.27.3", Some(5)),
        ("v1.28.0-rc.1", Some(1)),
        ("1.26", None),
        ("edge", Some(400)),
        ("1.27.3", Some(6)),
    ]
    .into_iter()
    .map(|(name, days)| TagCandidate {
        name: name.to_owned(),
        created: days.map(|d: i64| now - jiff::SignedDuration::from_hours(24 * d)),
    })
    .collect();
    for source in &file.sources {
        let chosen = source.tags.select_at(&tags, now);
        let mut seen = std::collections::HashSet::new();
        for name in &chosen {
            assert!(tags.iter().any(|t| &t.name == name), "{name} is not a tag");
            assert!(seen.insert(name), "{name} chosen twice");
            assert!(source.tags.may_take(name), "{name} chosen though its name rules it out");
        }
    }
});
