//! Arbitrary bytes as a page of a registry's tag list: never a panic; each name in it is
//! either refused by the tag grammar or is a tag (at most 128 characters of
//! `[A-Za-z0-9_.-]`, not starting with `.` or `-`) that makes exactly one path segment of a
//! manifest URL, with nothing resolved, no query and no fragment.
#![no_main]

use libfuzzer_sys::fuzz_target;
use uhub_registry::{names, paths, tags};

fuzz_target!(|bytes: &[u8]| {
    let Ok(page) = tags::parse_page(bytes) else { return };
    let base = paths::base_url("https", "registry.example:5000").expect("a host");
    for name in page {
        match names::check_tag(&name) {
            Ok(()) => {
                assert!(!name.is_empty() && name.len() <= names::MAX_TAG_LEN);
                assert!(!name.starts_with(['.', '-']));
                assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')));
                let url = paths::v2_url(&base, "lib/app", &["manifests", &name]);
                let segments: Vec<&str> = url.path_segments().expect("a path").collect();
                assert_eq!(segments, ["v2", "lib", "app", "manifests", name.as_str()]);
                assert_eq!((url.query(), url.fragment()), (None, None));
            }
            Err(refused) => {
                let shown = refused.to_string();
                assert!(shown.len() < 900 && !shown.chars().any(|c| c.is_control() || !c.is_ascii()), "{shown}");
            }
        }
    }
});
