// The CLI's policy reader and the modules it needs, included by path from uhub-cli (a binary
// crate), for the targets that read policy or sync files (`include!`d by policy_file.rs and
// sync_file.rs, so both compile exactly the files `uhub` does). `output` is the one module the
// reader does not run (tag.rs's table rows implement its `Row`): a stand-in with the same trait.

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
