//! Arbitrary form bodies through every action's generated parser, then through uhub-mock's
//! whole request path (signed, so the parsers and handlers run, not just the signature check).
#![no_main]

use libfuzzer_sys::fuzz_target;
use uhub_mock::{Image, MockUHub, Repo};
use uhub_sdk::runtime::Action;
use uhub_sdk::runtime::Fields;
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

    // A fresh small mock per input keeps runs independent of each other.
    let mock = MockUHub::builder()
        .repo(Repo::new("r").public().image(Image::new("i").tags(["a", "b", "c"])))
        .repo(Repo::new("empty"))
        .build_service();
    let mut fields: Vec<(String, String)> =
        f.iter().filter(|(k, _)| *k != "Signature" && *k != "PublicKey").map(|(k, v)| (k.into(), v.into())).collect();
    fields.push(("PublicKey".into(), uhub_mock::DEMO_PUBLIC_KEY.into()));
    let signature = uhub_sdk::runtime::sign(&fields, uhub_mock::DEMO_PRIVATE_KEY);
    fields.push(("Signature".into(), signature));
    let (status, reply) = mock.answer(fields.into_iter().collect());
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_slice(&reply).expect("the mock answers JSON");
    assert!(json["RetCode"].is_i64());
});
