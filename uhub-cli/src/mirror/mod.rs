//! Mirroring, `uhub mirror`'s job on top of `uhub-registry`: sync files (`sync_file`), which
//! pick tags by pattern, version order (`version`) and age; the share of a fleet one process
//! takes (`shard`); the report, summary first and failures first (`report`).

pub mod report;
pub mod shard;
pub mod sync_file;
pub mod version;

#[cfg(test)]
mod examples;
