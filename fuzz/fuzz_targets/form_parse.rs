//! Arbitrary form bodies through every action's generated parser (what uhub-mock runs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use uhub_sdk::action::Action;
use uhub_sdk::form::Fields;
use uhub_sdk::*;

fuzz_target!(|body: &[u8]| {
    let f = Fields::parse(body);
    let _ = GetRepoRequest::from_form(&f);
    let _ = GetRepoImageRequest::from_form(&f);
    let _ = GetImageTagRequest::from_form(&f);
    let _ = CreateRepoRequest::from_form(&f);
    let _ = UpdateRepoRequest::from_form(&f);
    let _ = DeleteRepoRequest::from_form(&f);
    let _ = DeleteRepoImageRequest::from_form(&f);
});
