//! The UHub code generator: `spec/uhub.json` → the `generated` modules of `uhub-sdk`.
//!
//! The flow is [`spec::parse`] → [`validate::validate`] → [`lower::lower`] → [`emit::emit`];
//! [`sync`] compares or writes the result on disk for `cargo xtask codegen`.

pub mod crates;
pub mod emit;
pub mod import;
pub mod ir;
pub mod lower;
pub mod names;
pub mod products;
pub mod spec;
pub mod sync;
pub mod synth;
pub mod validate;

mod pipeline;

pub use emit::File;
pub use pipeline::{SPEC, SpecError, generate, generate_from, load};
