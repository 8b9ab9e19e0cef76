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
mod keywords;
mod scalars;
mod widgets;
