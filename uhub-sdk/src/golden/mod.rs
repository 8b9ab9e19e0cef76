//! The generator's output for the fixture specs in `codegen/tests/fixtures/`, one module per
//! fixture, compiled with this crate's tests so a generator change that breaks some shape of
//! spec (keyword names, arrays of scalars, nested models, ...) fails here. The example tests
//! inside them run too, and `behaviour` checks a few things compiling alone cannot.
//!
//! The folders are written by `cargo xtask codegen` and checked byte for byte by
//! `codegen/tests/golden.rs`; only this file and `behaviour.rs` are written by hand.

// Nothing outside the tests uses these modules.
#![allow(dead_code, unused_imports)]

mod behaviour;
// Lints the emitter trips on shapes the real spec does not have yet (codegen/src/emit/action.rs):
// `new` initialises a required parameter of a type other than string as `x: x`
// (clippy::redundant_field_names), and an action without parameters leaves `form` unused in
// `encode`. Allowed for these modules only, until the emitter is fixed.
#[allow(clippy::redundant_field_names)]
mod keywords;
#[allow(clippy::redundant_field_names, unused_variables)]
mod scalars;
mod widgets;
