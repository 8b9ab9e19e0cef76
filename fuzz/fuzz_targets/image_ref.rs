//! Arbitrary text as every reference the CLI parses (`REPO/IMAGE`, `[HOST/]REPO/IMAGE:TAG[@sha256:...]`,
//! `REPO[/IMAGE]`, `-`): never a panic; what parses has no control character or space in any
//! part, prints back to the same reference, and a digest is sha256 and 64 hex digits.
//!
//! refs.rs is included by path, with the one module it uses (see policy_file.rs for why the CLI
//! has no library to link instead).
#![no_main]
#![allow(dead_code)]

use libfuzzer_sys::fuzz_target;

#[path = "../../uhub-cli/src/input/refs.rs"]
mod refs;
#[allow(unused_imports)]
mod input {
    pub(crate) use super::refs;
}
#[path = "../../uhub-cli/src/terminal/sanitize.rs"]
mod sanitize;
#[allow(unused_imports)]
mod terminal {
    pub(crate) use super::sanitize;
}

use refs::{ImageRef, Reference, TagArg, TagRef, Target};

fn plain(part: &str) -> bool {
    !part.is_empty() && !part.chars().any(|c| c.is_whitespace() || sanitize::is_control(c))
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    if let Ok(image) = text.parse::<ImageRef>() {
        assert!(plain(&image.repo) && plain(&image.image));
        assert_eq!(image.to_string().parse::<ImageRef>().as_ref(), Ok(&image));
    }
    if let Ok(tag) = text.parse::<TagRef>() {
        assert!(plain(&tag.image.repo) && plain(&tag.image.image) && plain(&tag.tag));
        if let Some(digest) = &tag.digest {
            let hex = digest.strip_prefix("sha256:").expect("sha256");
            assert!(hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        }
        assert_eq!(tag.to_string().parse::<TagRef>().as_ref(), Ok(&tag));
    }
    if let Ok(reference) = text.parse::<Reference>() {
        let host = reference.registry.clone();
        let expected = host.clone().ok_or_else(|| "no registry".to_owned());
        assert_eq!(reference.resolve(expected).as_ref(), Ok(&reference.tag));
        if let Some(host) = host {
            let other = format!("not-{host}");
            assert!(reference.resolve(Ok(other)).is_err(), "another registry is refused");
        }
    }
    let _ = text.parse::<Target>();
    let _ = text.parse::<TagArg>();
});
