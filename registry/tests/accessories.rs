//! An image's accessories travel with it: cosign's signature and attestation tags and OCI 1.1
//! referrers (from the referrers API of a scripted source, and from the tag-schema fallback of
//! a real docker-registry, which has no such API), each copied digest for digest after the
//! image, the destination's fallback index written or merged, once per run; a hostile source
//! gets typed refusals and the image still arrives; what finding them costs an image that has
//! none, counted on a proxy.

use std::collections::HashSet;
use std::sync::Arc;

use uhub_loopback::Reply;
use uhub_registry::manifest::{OCI_INDEX, OCI_MANIFEST};
use uhub_registry::{
    AccessoryKind, CopyOptions, Credentials, Error, ImageRef, Ledger, Outcome, Registry, RetryPolicy, copy_image,
    digest_tag,
};
use uhub_testreg::fake::{self, Scripted};
use uhub_testreg::{Kind, Proxy, Registry as TestRegistry, Target, image};

fn reference(host: &str, repo: &str, tag: &str) -> ImageRef {
    ImageRef::parse(&format!("{host}/{repo}:{tag}")).unwrap()
}

fn anonymous(host: &str) -> Registry {
    let quick = RetryPolicy { attempts: 3, first_pause: std::time::Duration::from_millis(10) };
    Registry::with_retry(host, Credentials::Anonymous, quick).unwrap()
}

const SBOM: &str = "application/vnd.example.sbom.v1+json";

/// An image in `repo:v1` of `t`, signed, attested and with one referrer (pushed with the
/// fallback tag): the image's, the signature's, the attestation's and the referrer's digests.
async fn signed_image(t: &Target, repo: &str) -> [String; 4] {
    let pushed = image::push_image(t, repo, "v1", &[20_000, 3_000], 21).await;
    let signature = image::push_signature(t, repo, &pushed.digest).await;
    let attestation = image::push_attestation(t, repo, &pushed.digest).await;
    let referrer = image::push_referrer(t, repo, &pushed.digest, SBOM, 1).await;
    [pushed.digest, signature.digest, attestation.digest, referrer.digest]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_image_arrives_with_its_signature_attestation_and_referrer_digest_for_digest() {
    let (src, dst) = (TestRegistry::start(), TestRegistry::start());
    let dst_proxy = Proxy::counting(&dst.host());
    let [subject, signature, attestation, referrer] = signed_image(&src.target(), "lib/app").await;
    let stem = digest_tag(&subject).unwrap();
    let (s, d) = (anonymous(&src.host()), anonymous(&dst_proxy.host()));
    let (from, to) = (reference(&src.host(), "lib/app", "v1"), reference(&dst_proxy.host(), "mirror/app", "v1"));

    let report = copy_image(&s, &from, &d, &to, &CopyOptions::default()).await.unwrap();
    assert_eq!(report.accessories_failed, None);
    let found: Vec<(AccessoryKind, Option<String>, String, Outcome)> =
        report.accessories.iter().map(|a| (a.kind, a.tag.clone(), a.digest.clone(), a.outcome)).collect();
    assert_eq!(
        found,
        [
            (AccessoryKind::Signature, Some(format!("{stem}.sig")), signature.clone(), Outcome::Copied),
            (AccessoryKind::Attestation, Some(format!("{stem}.att")), attestation.clone(), Outcome::Copied),
            (AccessoryKind::Referrer, None, referrer.clone(), Outcome::Copied),
        ]
    );
    assert_eq!(report.accessories[2].artifact_type.as_deref(), Some(SBOM));
    // Digest for digest: every manifest and blob of each, and the fallback index as the source
    // wrote it (the destination had none, and the source's lists exactly what was copied).
    for reference in ["v1".to_owned(), format!("{stem}.sig"), format!("{stem}.att"), referrer.clone(), stem.clone()] {
        image::assert_same_image(&src.target(), "lib/app", &dst.target(), "mirror/app", &reference).await;
    }
    let (src_tags, dst_tags) =
        (image::tags(&src.target(), "lib/app").await, image::tags(&dst.target(), "mirror/app").await);
    assert_eq!(src_tags, dst_tags);
    // The image was pushed before any of its accessories: a signature never names a missing subject.
    let puts: Vec<String> = dst_proxy
        .requests_seen()
        .into_iter()
        .filter(|(method, path)| method == "PUT" && path.contains("/manifests/"))
        .map(|(_, path)| path.rsplit('/').next().unwrap().to_owned())
        .collect();
    assert_eq!(puts.first().map(String::as_str), Some("v1"), "{puts:?}");
    assert_eq!(puts.len(), 5, "the image, 3 accessories, the fallback index: {puts:?}");

    // Again: everything is there, nothing is pushed.
    dst_proxy.reset();
    let again = copy_image(&s, &from, &d, &to, &CopyOptions::default()).await.unwrap();
    assert_eq!(again.outcome, Outcome::Unchanged);
    assert!(again.accessories.iter().all(|a| a.outcome == Outcome::Unchanged), "{:?}", again.accessories);
    assert_eq!(again.accessories.len(), 3);
    let counts = dst_proxy.counts();
    assert_eq!(counts.requests("PUT", Kind::Manifest) + counts.requests("PUT", Kind::Upload), 0, "{counts}");

    // Without accessories: the image alone.
    let bare = reference(&dst_proxy.host(), "bare/app", "v1");
    let options = CopyOptions { accessories: false, ..CopyOptions::default() };
    let report = copy_image(&s, &from, &d, &bare, &options).await.unwrap();
    assert!(report.accessories.is_empty());
    assert_eq!(image::tags(&dst.target(), "bare/app").await, ["v1"]);
    assert_eq!(image::head_manifest(&dst.target(), "bare/app", &referrer).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_counts_accessories_and_pushes_nothing() {
    let (src, dst) = (TestRegistry::start(), TestRegistry::start());
    let [_, signature, ..] = signed_image(&src.target(), "app").await;
    let (s, d) = (anonymous(&src.host()), anonymous(&dst.host()));
    let dry = CopyOptions { dry_run: true, ..CopyOptions::default() };
    let report = copy_image(&s, &reference(&src.host(), "app", "v1"), &d, &reference(&dst.host(), "app", "v1"), &dry)
        .await
        .unwrap();
    assert_eq!(report.accessories.len(), 3);
    assert!(
        report.accessories.iter().all(|a| a.outcome == Outcome::WouldCopy && a.bytes > 0),
        "{:?}",
        report.accessories
    );
    assert_eq!(report.accessories[0].digest, signature);
    assert!(image::catalog(&dst.target()).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tags_of_one_signed_image_bring_its_accessories_once() {
    let (src, dst) = (TestRegistry::start(), TestRegistry::start());
    let dst_proxy = Proxy::counting(&dst.host());
    let [subject, ..] = signed_image(&src.target(), "app").await;
    image::tag_manifest(&src.target(), "app", &subject, "latest").await;
    let (s, d) = (anonymous(&src.host()), anonymous(&dst_proxy.host()));
    let options = CopyOptions::default();
    let (from_v1, from_latest) = (reference(&src.host(), "app", "v1"), reference(&src.host(), "app", "latest"));
    let (to_v1, to_latest) = (reference(&dst_proxy.host(), "app", "v1"), reference(&dst_proxy.host(), "app", "latest"));
    let (a, b) = futures::join!(
        copy_image(&s, &from_v1, &d, &to_v1, &options),
        copy_image(&s, &from_latest, &d, &to_latest, &options),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.accessories.len(), b.accessories.len()), (3, 3));
    let copied = a.accessories.iter().chain(&b.accessories).filter(|x| x.outcome == Outcome::Copied).count();
    assert_eq!(copied, 3, "each accessory copied by one of the two: {:?} {:?}", a.accessories, b.accessories);
    // Two tags of the image, three accessories and the fallback index: each pushed once.
    let counts = dst_proxy.counts();
    assert_eq!(counts.requests("PUT", Kind::Manifest), 2 + 3 + 1, "{counts}");
}

/// What a copy costs the source beyond the image, for an image with no accessories.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_without_accessories_costs_four_or_five_requests_or_none_with_a_tag_list() {
    let (src, dst) = (TestRegistry::start(), TestRegistry::start());
    let src_proxy = Proxy::counting(&src.host());
    for n in 0..3 {
        image::push_image(&src.target(), &format!("app{n}"), "v1", &[1_000], n).await;
    }
    let (s, d) = (anonymous(&src_proxy.host()), anonymous(&dst.host()));
    let copy = |n: u64, options: CopyOptions| {
        let (from, to) =
            (reference(&src_proxy.host(), &format!("app{n}"), "v1"), reference(&dst.host(), &format!("app{n}"), "v1"));
        let (s, d) = (&s, &d);
        async move { copy_image(s, &from, d, &to, &options).await.unwrap() }
    };
    // The image alone: the baseline, copied again by a run that looks for accessories.
    copy(0, CopyOptions { accessories: false, ..CopyOptions::default() }).await;
    src_proxy.reset();
    let options = CopyOptions::default();
    let report = copy(0, options.clone()).await;
    assert_eq!((report.outcome, report.accessories.len()), (Outcome::Unchanged, 0));
    let counts = src_proxy.counts();
    // 1 HEAD of the image, 3 of cosign's tags, 1 of the fallback tag, and 1 GET of the
    // referrers API that docker-registry answers 404.
    assert_eq!(counts.requests("HEAD", Kind::Manifest), 5, "{counts}");
    assert_eq!(counts.requests("GET", Kind::Other), 1, "{counts}");
    assert_eq!(counts.total_requests(), 6, "{counts}");

    // The run now knows the registry has no referrers API: 4 HEADs beyond the image's.
    src_proxy.reset();
    copy(1, options.clone()).await;
    let counts = src_proxy.counts();
    assert_eq!(counts.requests("GET", Kind::Other), 0, "{counts}");
    assert_eq!(counts.requests("HEAD", Kind::Manifest), 1 + 4, "{counts}");

    // With the repository's tags listed (a sync file lists them): nothing beyond the image.
    src_proxy.reset();
    let tags: HashSet<String> = ["v1".to_owned()].into();
    let listed = CopyOptions { source_tags: Some(Arc::new(tags)), ..options.clone() };
    copy(2, listed).await;
    let with = src_proxy.counts();
    assert_eq!(with.requests("HEAD", Kind::Manifest), 1, "only the image's: {with}");
    assert_eq!(with.requests("GET", Kind::Other), 0, "{with}");
}

/// The smallest image and a referrer of it (an SBOM with the empty config and one layer).
struct Referred {
    image: String,
    image_digest: String,
    config: Vec<u8>,
    referrer: Vec<u8>,
    referrer_digest: String,
    payload: Vec<u8>,
}

fn referred() -> Referred {
    let (config, image, image_digest) = fake::config_only_image();
    let payload = br#"{"sbom":"scripted"}"#.to_vec();
    let referrer = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","artifactType":"{SBOM}","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{}","size":2}},"layers":[{{"mediaType":"application/json","digest":"{}","size":{}}}],"subject":{{"mediaType":"{OCI_MANIFEST}","digest":"{image_digest}","size":{}}}}}"#,
        uhub_testreg::digest(b"{}"),
        uhub_testreg::digest(&payload),
        payload.len(),
        image.len()
    )
    .into_bytes();
    let referrer_digest = uhub_testreg::digest(&referrer);
    Referred { image, image_digest, config: config.to_vec(), referrer, referrer_digest, payload }
}

fn referrers_list(entries: &[String]) -> Reply {
    let body = format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{}]}}"#, entries.join(","));
    Reply::status(200, body).header("Content-Type", OCI_INDEX)
}

fn entry(digest: &str, size: usize, artifact_type: &str) -> String {
    format!(r#"{{"mediaType":"{OCI_MANIFEST}","digest":"{digest}","size":{size},"artifactType":"{artifact_type}"}}"#)
}

fn scripted(r: &Referred) -> Scripted {
    Scripted::default().manifest("v1", OCI_MANIFEST, r.image.as_bytes()).blob(&r.config).blob(b"{}").blob(&r.payload)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn referrers_from_the_api_arrive_and_the_destination_gets_the_fallback_index() {
    let r = referred();
    let list = entry(&r.referrer_digest, r.referrer.len(), SBOM);
    let source = scripted(&r)
        .manifest(&r.referrer_digest, OCI_MANIFEST, &r.referrer)
        .referrers(&r.image_digest, referrers_list(std::slice::from_ref(&list)))
        .start()
        .await;
    let dst = TestRegistry::start();
    let host = source.addr().to_string();
    let (s, d) = (anonymous(&host), anonymous(&dst.host()));
    let report = copy_image(
        &s,
        &reference(&host, "app", "v1"),
        &d,
        &reference(&dst.host(), "app", "v1"),
        &CopyOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(report.accessories_failed, None);
    assert_eq!(report.accessories.len(), 1);
    let copied = &report.accessories[0];
    assert_eq!((copied.kind, copied.digest.as_str()), (AccessoryKind::Referrer, r.referrer_digest.as_str()));
    assert_eq!((copied.artifact_type.as_deref(), copied.outcome), (Some(SBOM), Outcome::Copied));
    let (_, bytes) = image::get_manifest(&dst.target(), "app", &r.referrer_digest).await.unwrap();
    assert_eq!(bytes, r.referrer);
    // docker-registry has no referrers API: the fallback tag lists the referrer as the source did.
    let (media_type, index) =
        image::get_manifest(&dst.target(), "app", &digest_tag(&r.image_digest).unwrap()).await.unwrap();
    assert_eq!(media_type, OCI_INDEX);
    let index: serde_json::Value = serde_json::from_slice(&index).unwrap();
    assert_eq!(index["manifests"], serde_json::json!([serde_json::from_str::<serde_json::Value>(&list).unwrap()]));
    // The API answered, so the source's fallback tag was never asked for.
    let stem = digest_tag(&r.image_digest).unwrap();
    let asked: Vec<String> = source.requests().into_iter().map(|q| q.path).collect();
    assert!(!asked.iter().any(|p| p.ends_with(&format!("/manifests/{stem}"))), "{asked:?}");
    assert!(asked.iter().any(|p| p.ends_with(&format!("/referrers/{}", r.image_digest))), "{asked:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_destinations_fallback_index_is_merged_never_dropping_what_it_lists() {
    let (src, dst) = (TestRegistry::start(), TestRegistry::start());
    let pushed = image::push_image(&src.target(), "app", "v1", &[2_000], 5).await;
    let ours = image::push_referrer(&src.target(), "app", &pushed.digest, SBOM, 1).await;
    // The destination has the same image with a referrer of its own, in its fallback tag.
    image::push_image(&dst.target(), "app", "v1", &[2_000], 5).await;
    let theirs =
        image::push_referrer(&dst.target(), "app", &pushed.digest, "application/vnd.example.other+json", 2).await;
    let (s, d) = (anonymous(&src.host()), anonymous(&dst.host()));
    let report = copy_image(
        &s,
        &reference(&src.host(), "app", "v1"),
        &d,
        &reference(&dst.host(), "app", "v1"),
        &CopyOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(report.accessories_failed, None);
    let (_, index) = image::get_manifest(&dst.target(), "app", &digest_tag(&pushed.digest).unwrap()).await.unwrap();
    let index: serde_json::Value = serde_json::from_slice(&index).unwrap();
    let listed: Vec<&str> =
        index["manifests"].as_array().unwrap().iter().map(|m| m["digest"].as_str().unwrap()).collect();
    assert_eq!(listed, [theirs.digest.as_str(), ours.digest.as_str()]);
    image::assert_same_image(&src.target(), "app", &dst.target(), "app", &ours.digest).await;
}

/// A source whose referrers are hostile: the image arrives, the accessories are refused with
/// a typed error, and nothing named by the refused list is asked for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_referrers_are_refused_typed_and_the_image_still_arrives() {
    let r = referred();
    let dst = TestRegistry::start();
    let d = anonymous(&dst.host());
    let stem = digest_tag(&r.image_digest).unwrap();

    // A descriptor whose digest is a path, and one whose artifactType would reach a terminal.
    let traversal = entry("sha256:../../../v2/other/manifests/latest", 10, SBOM);
    let escape = entry(&r.referrer_digest, r.referrer.len(), "text/x\\u001b]0;owned\\u0007");
    for (n, (list, typed)) in [(traversal, "invalid digest"), (escape, "artifactType")].into_iter().enumerate() {
        let source = scripted(&r).referrers(&r.image_digest, referrers_list(&[list])).start().await;
        let host = source.addr().to_string();
        let s = anonymous(&host);
        let found = s.find_accessories("app", &r.image_digest, None).await.unwrap_err();
        match (n, &found) {
            (0, Error::InvalidName(_)) | (1, Error::BadManifest { .. }) => {}
            _ => panic!("case {n}: {found:?}"),
        }
        let to = reference(&dst.host(), &format!("hostile{n}/app"), "v1");
        let report = copy_image(&s, &reference(&host, "app", "v1"), &d, &to, &CopyOptions::default()).await.unwrap();
        let failed = report.accessories_failed.clone().unwrap_or_else(|| panic!("case {n}: accepted"));
        assert!(failed.contains(typed) && !failed.contains('\u{1b}'), "case {n}: {failed}");
        assert_eq!(report.outcome, Outcome::Copied);
        assert_eq!(image::tags(&dst.target(), &format!("hostile{n}/app")).await, ["v1"]);
        let asked: Vec<String> = source.requests().into_iter().map(|q| q.path).collect();
        assert!(!asked.iter().any(|p| p.contains("other") || p.contains(&r.referrer_digest)), "{asked:?}");
        assert!(!asked.iter().any(|p| p.ends_with(&stem)), "{asked:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referrers_list_past_the_bound_is_refused_naming_the_image() {
    let r = referred();
    // 100,000 descriptors: larger than a manifest may be, refused before it is all read.
    let one = entry(&r.referrer_digest, r.referrer.len(), SBOM);
    let huge = referrers_list(&vec![one.clone(); 100_000]);
    // 1,001 small ones: within the bytes, past the count.
    let many = referrers_list(&vec![one; uhub_registry::MAX_ACCESSORIES + 1]);
    for (n, list) in [huge, many].into_iter().enumerate() {
        let source = scripted(&r).referrers(&r.image_digest, list).start().await;
        let host = source.addr().to_string();
        let err = anonymous(&host).find_accessories("app", &r.image_digest, None).await.unwrap_err();
        let text = err.to_string();
        match (n, &err) {
            (0, Error::ManifestTooLarge { .. }) => assert!(text.contains(&r.image_digest), "{text}"),
            (1, Error::BadManifest { .. }) => {
                assert!(text.contains("more than 1000 accessories") && text.contains(&r.image_digest), "{text}")
            }
            _ => panic!("case {n}: {err:?}"),
        }
        // Nothing past the list was asked for.
        assert!(!source.requests().iter().any(|q| q.path.contains(&r.referrer_digest)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referrer_whose_bytes_are_not_its_digest_is_not_copied() {
    let r = referred();
    let mut tampered = r.referrer.clone();
    tampered.extend_from_slice(b" ");
    let source = scripted(&r)
        .manifest_as(&r.referrer_digest, OCI_MANIFEST, &tampered)
        .referrers(&r.image_digest, referrers_list(&[entry(&r.referrer_digest, r.referrer.len(), SBOM)]))
        .start()
        .await;
    let dst = TestRegistry::start();
    let host = source.addr().to_string();
    let (s, d) = (anonymous(&host), anonymous(&dst.host()));
    let report = copy_image(
        &s,
        &reference(&host, "app", "v1"),
        &d,
        &reference(&dst.host(), "app", "v1"),
        &CopyOptions::default(),
    )
    .await
    .unwrap();
    let failed = report.accessories_failed.expect("the tampered referrer is refused");
    assert!(failed.contains("referrer") && failed.contains("the bytes served have digest"), "{failed}");
    assert_eq!(image::head_manifest(&dst.target(), "app", "v1").await.as_deref(), Some(r.image_digest.as_str()));
    assert_eq!(image::head_manifest(&dst.target(), "app", &r.referrer_digest).await, None);
    assert_eq!(image::tags(&dst.target(), "app").await, ["v1"], "no fallback index for what did not arrive");
}

#[test]
fn a_ledger_is_shared_by_clones_of_the_options() {
    let options = CopyOptions::default();
    let clone = options.clone();
    assert!(Arc::ptr_eq(&options.ledger, &clone.ledger));
    assert!(options.accessories, "on by default");
    let _: Arc<Ledger> = clone.ledger;
}
