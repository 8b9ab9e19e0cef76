//! Tag retention, `uhub prune`'s job: the plan as a pure function of the tags and the rules
//! (`rules`, read from TOML by `policy`), a plan saved and read back (`plan_file`), and the
//! deletions themselves (`delete`), each written to the audit log (`audit`) before it is sent.

pub mod audit;
pub mod delete;
pub mod plan_file;
pub mod policy;
pub mod rules;
