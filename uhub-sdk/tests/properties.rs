//! Properties over arbitrary inputs: encoding round-trips, signature order-independence, and
//! paginator output equal to the server's items.

mod support;

use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use uhub_sdk::runtime::Action;
use uhub_sdk::runtime::Fields;
use uhub_sdk::runtime::Form;
use uhub_sdk::runtime::sign;
use uhub_sdk::{GetImageTagRequest, GetRepoRequest, RepoType, UpdateRepoRequest};

fn round_trip<R: Action + PartialEq + std::fmt::Debug>(request: &R) {
    let mut form = Form::new();
    // The request encodes its own ProjectId (a common parameter) like any other.
    request.encode(&mut form);
    let parsed = R::from_form(&Fields::parse(form.to_body().as_bytes())).expect("what we send parses");
    assert_eq!(&parsed, request);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn image_tag_requests_round_trip_through_the_form(
        repo in "\\PC+", image in "\\PC+", tag in proptest::option::of("\\PC*"),
        offset in proptest::option::of(any::<i64>()), limit in proptest::option::of(any::<i64>()),
        project in proptest::option::of("\\PC*"),
    ) {
        let mut r = GetImageTagRequest::new(repo, image);
        r.tag_name = tag;
        r.offset = offset;
        r.limit = limit;
        r.project_id = project;
        round_trip(&r);
    }

    #[test]
    fn enum_and_bool_params_round_trip(private in any::<bool>(), shared in proptest::option::of(any::<bool>()), desc in proptest::option::of("\\PC*")) {
        let mut r = GetRepoRequest::new();
        r.repo_type = Some(if private { RepoType::Private } else { RepoType::Public });
        round_trip(&r);
        let mut u = UpdateRepoRequest::new("repo");
        u.is_shared = shared;
        u.description = desc;
        round_trip(&u);
    }

    #[test]
    fn signature_does_not_depend_on_field_order(
        fields in proptest::collection::btree_map("[A-Za-z0-9.]{1,12}", "\\PC*", 0..12),
        key in "\\PC*", seed in any::<u64>(),
    ) {
        let ordered: Vec<(String, String)> = fields.into_iter().collect();
        let mut shuffled = ordered.clone();
        // A deterministic shuffle from the seed: rotate, then reverse every other pair.
        let n = shuffled.len().max(1);
        shuffled.rotate_left(seed as usize % n);
        for pair in shuffled.chunks_mut(2).step_by(2) {
            pair.reverse();
        }
        prop_assert_eq!(sign(&ordered, &key), sign(&shuffled, &key));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn paginator_yields_exactly_the_servers_items_in_order(total in 0usize..300, size in 1i64..60, k in 1usize..9) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let got = rt.block_on(async {
            let pages: Arc<support::Pages> =
                Arc::new(move |offset, limit| (total.to_string(), support::names(offset.min(total)..(offset + limit).min(total))));
            let server = support::serve(Duration::ZERO, pages).await;
            let listing = support::client(&server.url()).get_image_tag("r", "i").into_paginator().page_size(size).concurrency(k);
            tokio::time::timeout(Duration::from_secs(20), listing.collect_all()).await.expect("listing ends").unwrap()
        });
        let names: Vec<String> = got.into_iter().map(|t| t.tag_name).collect();
        prop_assert_eq!(names, support::names(0..total));
    }
}
