//! Arbitrary text as an API page: the importer reports problems, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = uhub_codegen::import::import(text);
});
