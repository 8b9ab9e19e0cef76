//! The generator's output for each fixture spec in `codegen/tests/fixtures/`, one module per
//! fixture, in a crate of its own: it compiles against uhub-sdk's public runtime surface exactly
//! as any other crate would, so a generator change that uses something private, or breaks some
//! shape of spec (keyword names, arrays of scalars, nested models, floats and times, ...), fails
//! here. Each module has its own `Client`, `Call` and `Endpoint`. The example tests inside them
//! run with this crate's tests; `tests/behaviour.rs` checks what compiling alone cannot.
//!
//! The folders are written by `cargo xtask codegen` and checked byte for byte by
//! `codegen/tests/golden.rs`; only this file and `tests/` are written by hand.

// Formatted by prettyplease when generated; rustfmt must leave them byte-for-byte alone.
#[rustfmt::skip]
pub mod adversarial;
#[rustfmt::skip]
pub mod imported;
#[rustfmt::skip]
pub mod keywords;
#[rustfmt::skip]
pub mod products;
#[rustfmt::skip]
pub mod scalars;
#[rustfmt::skip]
pub mod widgets;
