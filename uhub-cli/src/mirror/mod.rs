//! Mirroring, `uhub mirror`'s job on top of `uhub-registry`: sync files (`sync_file`), which
//! pick tags by pattern, version order (`version`) and age.

pub mod sync_file;
pub mod version;
