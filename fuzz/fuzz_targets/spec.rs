//! Arbitrary text as a spec: parse, validate and lower report errors; whatever they accept
//! must also emit without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(service) = uhub_codegen::load(text) {
        let _ = uhub_codegen::emit::emit(&service, "fuzz/spec.json");
    }
});
