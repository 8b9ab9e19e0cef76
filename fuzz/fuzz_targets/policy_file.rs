//! Arbitrary bytes as a retention policy file, through the CLI's own reader (`Policy::from_bytes`:
//! UTF-8, TOML, the YAML/JSON hint, rules, lints), then through the lookups a prune makes.
//!
//! The CLI is a binary crate, so its modules are included by path: this target compiles exactly
//! the files `uhub` does, with no library split of the CLI made only for fuzzing. The included
//! set is the policy reader's closure (policy, refs, rules, tag, time, exit, sanitize), listed in
//! policy_modules.rs, which sync_file.rs includes too; `output`
//! is the one module it does not run (tag.rs's table rows implement its `Row`), so a stand-in
//! with the same trait is given. A new dependency of these modules fails this build loudly.
#![no_main]
#![allow(dead_code)]

use libfuzzer_sys::fuzz_target;

include!("policy_modules.rs");

fuzz_target!(|bytes: &[u8]| {
    let Ok(policy) = policy::Policy::from_bytes(bytes) else { return };
    let images: Vec<refs::ImageRef> = ["web/nginx", "Web/Nginx", "backend/api-server", "a/b/c", "x/y"]
        .iter()
        .map(|s| s.parse().expect("a valid image"))
        .collect();
    for image in &images {
        let _ = policy.rules_for(image);
    }
    for warning in policy.warnings.iter().chain(policy.unmatched(&images).iter()) {
        assert!(sanitize::is_clean(&sanitize::escape(warning)), "an escaped warning is one clean line");
    }
});
