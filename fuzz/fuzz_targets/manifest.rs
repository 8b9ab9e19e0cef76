//! Arbitrary bytes as a registry's manifest, through what `uhub mirror` does with one: read its
//! media type, parse it, and for an index keep one platform's children. Never a panic; a
//! rewritten index parses again, as an index of exactly the children kept, each of the wanted
//! platform, and keeps its other fields. The text is also read as a source reference, which
//! prints back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use uhub_registry::ImageRef;
use uhub_registry::manifest::{self, Parsed};

fuzz_target!(|bytes: &[u8]| {
    let _ = manifest::media_type(bytes, Some("application/vnd.oci.image.index.v1+json"));
    if let Ok(Parsed::Index { children }) = manifest::parse(bytes, "fuzz") {
        let _ = manifest::platform_list(&children);
        if let Some(wanted) = children.iter().find_map(|c| c.platform.clone()) {
            let (rewritten, kept) = manifest::keep_platforms(bytes, &children, std::slice::from_ref(&wanted), "fuzz")
                .expect("a listed platform");
            match manifest::parse(&rewritten, "fuzz") {
                Ok(Parsed::Index { children: again }) => {
                    assert_eq!(again, kept, "the rewritten index lists what was kept");
                    assert!(again.iter().all(|c| c.platform.as_ref().is_some_and(|p| wanted.matches(p))));
                }
                other => panic!("a rewritten index is not an index: {other:?}"),
            }
            let before: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            let after: serde_json::Value = serde_json::from_slice(&rewritten).unwrap();
            for (key, value) in before.as_object().unwrap() {
                if key != "manifests" {
                    assert_eq!(after.get(key), Some(value), "{key} is kept");
                }
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes)
        && let Ok(image) = ImageRef::parse(text)
    {
        let again = ImageRef::parse(&image.to_string()).expect("a printed reference parses");
        assert_eq!(again.to_string(), image.to_string());
    }
});
