//! What reaches a person: tables and JSON (`output`), every text made safe to print
//! (`sanitize`), progress lines (`progress`), prompts (`confirm`) and `--debug` tracing (`trace`).

pub mod confirm;
pub mod output;
pub mod progress;
pub mod sanitize;
pub mod trace;
