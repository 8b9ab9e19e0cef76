//! Arbitrary bytes as a retention policy file, through the CLI's own reader (`Policy::from_bytes`:
//! UTF-8, TOML, the YAML/JSON hint, rules, lints), then through the lookups a prune makes.
//!
//! The CLI is a binary crate, so its modules are included by path: this target compiles exactly
//! the files `uhub` does, with no library split of the CLI made only for fuzzing. The included
//! set is the policy reader's closure (policy, refs, rules, tag, time, exit, sanitize); `output`
//! is the one module it does not run (tag.rs's table rows implement its `Row`), so a stand-in
//! with the same trait is given. A new dependency of these modules fails this build loudly.
#![no_main]
#![allow(dead_code)]

use libfuzzer_sys::fuzz_target;

#[path = "../../uhub-cli/src/exit.rs"]
mod exit;
#[path = "../../uhub-cli/src/input/local_file.rs"]
mod local_file;
#[path = "../../uhub-cli/src/input/patterns.rs"]
mod patterns;
#[path = "../../uhub-cli/src/input/refs.rs"]
mod refs;
#[path = "../../uhub-cli/src/tag.rs"]
mod tag;
#[path = "../../uhub-cli/src/time.rs"]
mod time;
#[allow(unused_imports)]
mod input {
    pub(crate) use super::local_file;
    pub(crate) use super::patterns;
    pub(crate) use super::refs;
}
#[path = "../../uhub-cli/src/retention/policy.rs"]
mod policy;
#[path = "../../uhub-cli/src/retention/rules.rs"]
mod rules;
#[allow(unused_imports)]
mod retention {
    pub(crate) use super::policy;
    pub(crate) use super::rules;
}
#[path = "../../uhub-cli/src/terminal/sanitize.rs"]
mod sanitize;
#[allow(unused_imports)]
mod terminal {
    pub(crate) use super::sanitize;
    /// Stand-in for the CLI's output module: only the trait tag.rs implements.
    pub mod output {
        pub trait Row: serde::Serialize {
            fn headers() -> &'static [&'static str];
            fn cells(&self) -> Vec<String>;
            fn name(&self) -> String;
        }
    }
}

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
