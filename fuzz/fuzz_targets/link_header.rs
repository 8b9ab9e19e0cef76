//! Arbitrary text as a registry's `Link` header: never a panic; a `next` link found is a
//! piece of the header without spaces or control characters; and the next page it leads to,
//! resolved against the current page, is on the first page's scheme, host and port and at its
//! path (this repository's tag list), whatever the header says.
#![no_main]

use libfuzzer_sys::fuzz_target;
use uhub_registry::{link, paths, tags};

fuzz_target!(|bytes: &[u8]| {
    let Ok(header) = std::str::from_utf8(bytes) else { return };
    let found = link::next(header);
    if let Ok(Some(uri)) = found {
        assert!(!uri.is_empty() && header.contains(uri));
        assert!(!uri.chars().any(|c| c.is_whitespace() || c.is_control()));
    }
    if header.len() > link::MAX_LINK_HEADER {
        assert!(found.is_err());
    }
    let base = paths::base_url("http", "127.0.0.1:5000").expect("a host");
    let first = paths::v2_url(&base, "lib/app", &["tags", "list"]);
    let mut current = first.clone();
    current.set_query(Some("n=100&last=b"));
    if let Ok(Some(next)) = tags::next_page(&current, &first, header) {
        assert_eq!(next.origin(), first.origin(), "{header:?} -> {next}");
        assert_eq!(next.path(), first.path(), "{header:?} -> {next}");
        assert!(next.username().is_empty() && next.password().is_none() && next.fragment().is_none());
    }
});
