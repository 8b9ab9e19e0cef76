//! Arbitrary bytes as a response body of every action: an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use uhub_sdk::runtime::response;
use uhub_sdk::*;

fuzz_target!(|body: &[u8]| {
    let _ = response::<GetRepoResponse>("GetRepo", body, None);
    let _ = response::<GetRepoImageResponse>("GetRepoImage", body, None);
    let _ = response::<GetImageTagResponse>("GetImageTag", body, None);
    let _ = response::<CreateRepoResponse>("CreateRepo", body, None);
    let _ = response::<UpdateRepoResponse>("UpdateRepo", body, None);
    let _ = response::<DeleteRepoResponse>("DeleteRepo", body, None);
    let _ = response::<DeleteRepoImageResponse>("DeleteRepoImage", body, None);
    let _ = uhub_sdk::runtime::envelope(body);
});
