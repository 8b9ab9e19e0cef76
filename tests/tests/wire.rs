//! End-to-end wire tests: the SDK against a loopback HTTP/1.1 server started by each test.

mod support;

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use support::{Canned, Form as _, Received, Server};
use uhub_sdk::{Client, ClientBuilder, Credentials, Endpoint, ErrorKind, RepoType, RetryPolicy, TransportKind};

const PUBLIC_KEY: &str = "pub-key-123";
const PRIVATE_KEY: &str = "PRIVATE-key-must-never-leak-9f8e7d";

const OK_TAGS: &str = r#"{"Action":"GetImageTagResponse","RetCode":0,"TotalCount":0,"TagSet":[]}"#;
const OK_REPOS: &str = r#"{"Action":"GetRepoResponse","RetCode":0,"TotalCount":0,"RepoSet":[]}"#;
const OK_IMAGES: &str = r#"{"Action":"GetRepoImageResponse","RetCode":0,"TotalCount":0,"ImageSet":[]}"#;

/// The example from UCloud's GetRepoImage page: CreateTime/UpdateTime as numbers, 9 items, TotalCount 5.
const DOC_GET_REPO_IMAGE: &str = r#"{
  "Action": "GetRepoImageResponse",
  "ImageSet": [
    {"CreateTime": 5, "ImageName": "dCVBnkxg", "LatestTag": "iBvvYGkW", "PullCount": 4, "UpdateTime": 7},
    {"CreateTime": 1, "ImageName": "kmnCQfpn", "LatestTag": "YnDgfWnL", "PullCount": 2, "UpdateTime": 6},
    {"CreateTime": 9, "ImageName": "mKgULnSy", "LatestTag": "YiCTvwOM", "PullCount": 8, "UpdateTime": 3},
    {"CreateTime": 2, "ImageName": "ZaNXWDXq", "LatestTag": "JbMzGIyL", "PullCount": 1, "UpdateTime": 4},
    {"CreateTime": 8, "ImageName": "qLheWpyv", "LatestTag": "mUYSiSnQ", "PullCount": 7, "UpdateTime": 9},
    {"CreateTime": 3, "ImageName": "PhlyLhAs", "LatestTag": "cTdfkOIH", "PullCount": 6, "UpdateTime": 2},
    {"CreateTime": 6, "ImageName": "wWQTLXPe", "LatestTag": "MYiBofTR", "PullCount": 5, "UpdateTime": 1},
    {"CreateTime": 4, "ImageName": "cvSPmHzg", "LatestTag": "aLyaWVnH", "PullCount": 9, "UpdateTime": 8},
    {"CreateTime": 7, "ImageName": "HYNWwLyh", "LatestTag": "FbdTFVMd", "PullCount": 3, "UpdateTime": 5}
  ],
  "RetCode": 0,
  "TotalCount": 5
}"#;

/// The example from UCloud's GetRepo page: RepoSet as plain strings.
const DOC_GET_REPO: &str = r#"{
  "Action": "GetRepoResponse",
  "RepoSet": ["ntmEsbYx", "ORXeSVYD", "kTWhoqJF", "VQuQrvzs", "eBrKDdtn", "WSZBsLaT", "jJdsoIAY", "TLrGdBoh", "hZTgKmGX"],
  "RetCode": 0,
  "TotalCount": 2
}"#;

/// The example from UCloud's GetImageTag page.
const DOC_GET_IMAGE_TAG: &str = r#"{
  "Action": "GetImageTagResponse",
  "RetCode": 0,
  "TagSet": [
    {"TagName": "WAIUkrwN", "UpdateTime": "JuCcdSiy"},
    {"TagName": "cMPKnfJc", "UpdateTime": "uCNRUKaI"}
  ],
  "TotalCount": 3
}"#;

/// Every test is bounded in time.
async fn bounded<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), f).await.expect("test took too long")
}

fn builder(server: &Server) -> ClientBuilder {
    Client::builder()
        .keys(PUBLIC_KEY, PRIVATE_KEY)
        .endpoint(Endpoint::Custom(server.url()))
        .retry_policy(RetryPolicy::disabled())
        .attempt_timeout(Duration::from_secs(5))
}

fn client(server: &Server) -> Client {
    builder(server).build().expect("client builds")
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}

fn only_request(server: &Server) -> Received {
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "expected exactly one request, got {requests:?}");
    requests.into_iter().next().unwrap()
}

/// The form fields as a map, asserting no field was sent twice.
fn form_map(request: &Received) -> BTreeMap<String, String> {
    let pairs = request.pairs();
    let map: BTreeMap<String, String> = pairs.iter().cloned().collect();
    assert_eq!(map.len(), pairs.len(), "duplicate form fields in {pairs:?}");
    map
}

/// Removes the Signature, checks it against `uhub_sdk::runtime::sign` over the rest, returns the rest.
fn check_signature(request: &Received) -> BTreeMap<String, String> {
    let mut map = form_map(request);
    let signature = map.remove("Signature").expect("a Signature field");
    let fields: Vec<(&str, &str)> = map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(signature, uhub_sdk::runtime::sign(&fields, PRIVATE_KEY), "signature over {fields:?}");
    map
}

fn expected(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

// ---------------------------------------------------------------------------------------------
// Request shape

#[tokio::test]
async fn request_is_a_form_post_with_user_agent_and_current_timestamp() {
    bounded(async {
        let server = Server::start(vec![Canned::json(OK_REPOS)]).await;
        let client = builder(&server).user_agent_suffix("my-app/2.0").build().unwrap();
        let before = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis();
        client.get_repo().await.expect("call succeeds");
        let after = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis();

        let r = only_request(&server);
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/");
        assert_eq!(r.header("Content-Type"), Some("application/x-www-form-urlencoded"));
        assert_eq!(r.header("User-Agent"), Some("uhub-sdk/0.1.0 my-app/2.0"));
        let ts: u128 = r.header("U-Timestamp-Ms").expect("U-Timestamp-Ms header").parse().expect("numeric timestamp");
        assert!(before <= ts && ts <= after, "timestamp {ts} not within [{before}, {after}]");
    })
    .await
}

#[tokio::test]
async fn a_user_agent_suffix_that_cannot_be_a_header_is_a_build_error() {
    let server = Server::start(vec![Canned::json(OK_REPOS)]).await;
    let e = builder(&server).user_agent_suffix("line\nbreak").build().unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Config { .. }), "{e}");
    assert!(e.to_string().contains("user_agent_suffix"), "{e}");
}

#[tokio::test]
async fn user_agent_without_suffix_is_the_sdk_name_and_version() {
    bounded(async {
        let server = Server::start(vec![Canned::json(OK_REPOS)]).await;
        client(&server).get_repo().await.unwrap();
        assert_eq!(only_request(&server).header("User-Agent"), Some("uhub-sdk/0.1.0"));
    })
    .await
}

#[tokio::test]
async fn get_repo_sends_exactly_its_fields_with_enum_type_and_default_project() {
    bounded(async {
        let server = Server::start(vec![Canned::json(OK_REPOS)]).await;
        let client = builder(&server).project_id("org-default").build().unwrap();
        client.get_repo().repo_type(RepoType::Private).offset(10).limit(50).await.unwrap();
        let fields = check_signature(&only_request(&server));
        assert_eq!(
            fields,
            expected(&[
                ("Action", "GetRepo"),
                ("PublicKey", PUBLIC_KEY),
                ("ProjectId", "org-default"),
                ("Type", "private"),
                ("Offset", "10"),
                ("Limit", "50"),
            ])
        );
    })
    .await
}

#[tokio::test]
async fn get_repo_with_nothing_set_sends_no_optional_fields_and_no_project() {
    bounded(async {
        let server = Server::start(vec![Canned::json(OK_REPOS)]).await;
        client(&server).get_repo().await.unwrap();
        let fields = check_signature(&only_request(&server));
        assert_eq!(fields, expected(&[("Action", "GetRepo"), ("PublicKey", PUBLIC_KEY)]));
    })
    .await
}

#[tokio::test]
async fn get_repo_image_sends_exactly_its_fields_and_per_call_project_overrides_default() {
    bounded(async {
        let server = Server::start(vec![Canned::json(OK_IMAGES)]).await;
        let client = builder(&server).project_id("org-default").build().unwrap();
        client.get_repo_image("my-repo").project_id("org-other").limit(5).await.unwrap();
        let fields = check_signature(&only_request(&server));
        assert_eq!(
            fields,
            expected(&[
                ("Action", "GetRepoImage"),
                ("PublicKey", PUBLIC_KEY),
                ("ProjectId", "org-other"),
                ("RepoName", "my-repo"),
                ("Limit", "5"),
            ])
        );
    })
    .await
}

#[tokio::test]
async fn get_image_tag_sends_every_field_and_empty_strings_are_sent() {
    bounded(async {
        let server = Server::start(vec![Canned::json(OK_TAGS), Canned::json(OK_TAGS)]).await;
        let client = client(&server);
        client.get_image_tag("repo", "nginx").offset(0).limit(20).tag_name("latest").project_id("org-x").await.unwrap();
        client.get_image_tag("repo", "nginx").tag_name("").await.unwrap();

        let requests = server.requests();
        assert_eq!(requests.len(), 2);
        assert_eq!(
            check_signature(&requests[0]),
            expected(&[
                ("Action", "GetImageTag"),
                ("PublicKey", PUBLIC_KEY),
                ("ProjectId", "org-x"),
                ("RepoName", "repo"),
                ("ImageName", "nginx"),
                ("Offset", "0"),
                ("Limit", "20"),
                ("TagName", "latest"),
            ])
        );
        assert_eq!(
            check_signature(&requests[1]),
            expected(&[
                ("Action", "GetImageTag"),
                ("PublicKey", PUBLIC_KEY),
                ("RepoName", "repo"),
                ("ImageName", "nginx"),
                ("TagName", ""),
            ])
        );
        // The body parses the same way a fake service would read it.
        assert_eq!(requests[1].fields().get("TagName"), Some(""));
        assert_eq!(requests[1].fields().get("Offset"), None);
    })
    .await
}

#[tokio::test]
async fn write_actions_send_exactly_their_fields_with_bools_as_text() {
    bounded(async {
        const OK: &str = r#"{"RetCode":0,"Message":"done"}"#;
        let server = Server::start(vec![Canned::json(OK)]).await;
        let client = client(&server);
        let created = client.create_repo("cache").description("build cache").is_shared(false).await.unwrap();
        assert_eq!(created.message.as_deref(), Some("done"));
        client.create_repo("bare").await.unwrap();
        client.update_repo("cache").is_shared(true).project_id("org-x").await.unwrap();
        client.update_repo("cache").description("").await.unwrap();
        client.delete_repo("cache").await.unwrap();
        client.delete_repo_image("cache", "app").await.unwrap();
        client.delete_repo_image("cache", "app").tag_name("v1").await.unwrap();

        let sent: Vec<_> = server.requests().iter().map(check_signature).collect();
        let with_key = |pairs: &[(&str, &str)]| {
            let mut map = expected(pairs);
            map.insert("PublicKey".into(), PUBLIC_KEY.into());
            map
        };
        let wanted = [
            with_key(&[
                ("Action", "CreateRepo"),
                ("RepoName", "cache"),
                ("Description", "build cache"),
                ("IsShared", "false"),
            ]),
            with_key(&[("Action", "CreateRepo"), ("RepoName", "bare")]),
            with_key(&[("Action", "UpdateRepo"), ("RepoName", "cache"), ("IsShared", "true"), ("ProjectId", "org-x")]),
            with_key(&[("Action", "UpdateRepo"), ("RepoName", "cache"), ("Description", "")]),
            with_key(&[("Action", "DeleteRepo"), ("RepoName", "cache")]),
            with_key(&[("Action", "DeleteRepoImage"), ("RepoName", "cache"), ("ImageName", "app")]),
            with_key(&[("Action", "DeleteRepoImage"), ("RepoName", "cache"), ("ImageName", "app"), ("TagName", "v1")]),
        ];
        assert_eq!(sent, wanted);
    })
    .await
}

#[tokio::test]
async fn write_actions_refuse_empty_required_names_before_sending() {
    bounded(async {
        let server = Server::start(vec![Canned::json(OK_REPOS)]).await;
        let client = client(&server);
        for e in [client.create_repo("").await.unwrap_err(), client.delete_repo_image("r", "").await.unwrap_err()] {
            assert!(matches!(e.kind(), ErrorKind::InvalidRequest { .. }), "{e}");
        }
        assert!(server.requests().is_empty());
    })
    .await
}

#[tokio::test]
async fn signature_matches_a_hand_computed_sha1() {
    use sha1::{Digest, Sha1};
    bounded(async {
        let server = Server::start(vec![Canned::json(OK_TAGS)]).await;
        client(&server).get_image_tag("repo", "nginx").tag_name("v1").await.unwrap();
        let map = form_map(&only_request(&server));
        // Keys sorted by bytes, key+value concatenated, private key appended, SHA-1 in hex.
        let plain = format!("ActionGetImageTagImageNamenginxPublicKey{PUBLIC_KEY}RepoNamerepoTagNamev1{PRIVATE_KEY}");
        let hex: String = Sha1::digest(plain.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(map["Signature"], hex);
    })
    .await
}

#[tokio::test]
async fn signed_request_is_exactly_what_send_posts_and_its_debug_masks_the_secrets() {
    bounded(async {
        let server = Server::start(vec![Canned::json(OK_TAGS)]).await;
        let creds = Credentials::new(PUBLIC_KEY, PRIVATE_KEY).with_security_token("sts-token-secret");
        let client = builder(&server).credentials(creds).project_id("org-1").build().unwrap();
        let call = client.get_image_tag("repo", "nginx").tag_name("v1");
        let dry = call.signed_request().unwrap();
        call.await.unwrap();
        let sent = only_request(&server);
        // Same fields in the same order, same body, same URL and headers (the timestamp aside).
        assert_eq!(dry.fields(), sent.pairs().as_slice());
        assert_eq!(dry.body().as_bytes(), sent.body.as_slice());
        assert_eq!(dry.url(), server.url());
        for (name, value) in dry.headers() {
            if name != "u-timestamp-ms" {
                assert_eq!(sent.header(name), Some(value.as_str()), "{name}");
            }
        }
        let debug = format!("{dry:?}");
        assert!(!debug.contains("sts-token-secret") && !debug.contains(&form_map(&sent)["Signature"]), "{debug}");
        assert!(debug.contains("\"Signature\": \"<redacted>\"") && debug.contains("\"TagName\": \"v1\""), "{debug}");
        let curl = dry.to_curl();
        assert!(curl.starts_with(&format!(
            "curl -X POST '{}' -H 'content-type: application/x-www-form-urlencoded'",
            server.url()
        )));
        assert!(curl.ends_with(&format!("--data-raw '{}'", dry.body())), "{curl}");
        // Refused calls are refused by the dry run too.
        assert!(client.get_image_tag("", "nginx").signed_request().is_err());
    })
    .await
}

#[tokio::test]
async fn awkward_values_round_trip_exactly_and_are_signed_raw() {
    bounded(async {
        let server = Server::start(vec![Canned::json(OK_TAGS)]).await;
        let tricky = "a b+&=%#/?中文🚀 %20+";
        client(&server).get_image_tag("repo one", "img+&=").tag_name(tricky).project_id("项目 #1").await.unwrap();
        let fields = check_signature(&only_request(&server));
        assert_eq!(fields["RepoName"], "repo one");
        assert_eq!(fields["ImageName"], "img+&=");
        assert_eq!(fields["TagName"], tricky);
        assert_eq!(fields["ProjectId"], "项目 #1");
    })
    .await
}

#[tokio::test]
async fn send_and_into_future_both_work() {
    bounded(async {
        let server = Server::start(vec![Canned::json(DOC_GET_IMAGE_TAG)]).await;
        let client = client(&server);
        let a = client.get_image_tag("r", "i").send().await.unwrap();
        let b = client.get_image_tag("r", "i").await.unwrap();
        assert_eq!(a, b);
        assert_eq!(a.tag_set.len(), 2);
        assert_eq!(server.requests().len(), 2);
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Decoding what the service actually sends

#[tokio::test]
async fn documented_get_repo_image_example_decodes() {
    bounded(async {
        let server = Server::start(vec![Canned::json(DOC_GET_REPO_IMAGE)]).await;
        let r = client(&server).get_repo_image("repo").await.unwrap();
        assert_eq!(r.total_count, 5);
        assert_eq!(r.image_set.len(), 9);
        let first = &r.image_set[0];
        assert_eq!(first.image_name, "dCVBnkxg");
        assert_eq!(first.latest_tag, "iBvvYGkW");
        assert_eq!(first.pull_count, 4);
        assert_eq!(first.create_time, "5");
        assert_eq!(first.update_time, "7");
        assert_eq!(first.repo_name, "", "missing field takes its default");
        assert_eq!(r.image_set[8].image_name, "HYNWwLyh");
    })
    .await
}

#[tokio::test]
async fn documented_get_repo_example_with_plain_string_repos_decodes() {
    bounded(async {
        let server = Server::start(vec![Canned::json(DOC_GET_REPO)]).await;
        let r = client(&server).get_repo().await.unwrap();
        assert_eq!(r.total_count, 2);
        let names: Vec<&str> = r.repo_set.iter().map(|x| x.repo_name.as_str()).collect();
        assert_eq!(
            names,
            [
                "ntmEsbYx", "ORXeSVYD", "kTWhoqJF", "VQuQrvzs", "eBrKDdtn", "WSZBsLaT", "jJdsoIAY", "TLrGdBoh",
                "hZTgKmGX"
            ]
        );
        assert!(!r.repo_set[0].is_shared);
        assert_eq!(r.repo_set[0].description, "");
    })
    .await
}

#[tokio::test]
async fn documented_get_image_tag_example_decodes() {
    bounded(async {
        let server = Server::start(vec![Canned::json(DOC_GET_IMAGE_TAG)]).await;
        let r = client(&server).get_image_tag("r", "i").await.unwrap();
        assert_eq!(r.total_count, 3);
        assert_eq!(r.tag_set.len(), 2);
        assert_eq!(r.tag_set[0].tag_name, "WAIUkrwN");
        assert_eq!(r.tag_set[0].update_time, "JuCcdSiy");
        assert_eq!(r.tag_set[1].tag_name, "cMPKnfJc");
        assert_eq!(r.tag_set[1].update_time, "uCNRUKaI");
        assert_eq!(r.tag_set[0].digest, None);
    })
    .await
}

#[tokio::test]
async fn drifted_repo_fields_decode_leniently() {
    bounded(async {
        let body = r#"{"Action":"GetRepoResponse","RetCode":"0","TotalCount":"3","Unknown":{"x":[1,2]},
            "RepoSet":[
              {"RepoName":"a","CreateTime":1700000000,"UpdateTime":"1700000001","Description":null,
               "IsShared":true,"IsOutSide":false,"Extra":"ignored"},
              {"RepoName":"b","IsShared":"true","IsOutSide":"false"},
              {"RepoName":"c","IsShared":"false","IsOutSide":"true","Description":"d"},
              "plain-name"
            ]}"#;
        let server = Server::start(vec![Canned::json(body)]).await;
        let r = client(&server).get_repo().await.unwrap();
        assert_eq!(r.total_count, 3);
        assert_eq!(r.repo_set.len(), 4);
        let a = &r.repo_set[0];
        assert_eq!((a.repo_name.as_str(), a.create_time.raw(), a.update_time.raw()), ("a", "1700000000", "1700000001"));
        assert_eq!(a.description, "", "null takes the default");
        assert!(a.is_shared && !a.is_out_side);
        let b = &r.repo_set[1];
        assert!(b.is_shared && !b.is_out_side);
        assert_eq!(b.create_time, "", "missing takes the default");
        let c = &r.repo_set[2];
        assert!(!c.is_shared && c.is_out_side);
        assert_eq!(c.description, "d");
        assert_eq!(r.repo_set[3].repo_name, "plain-name");
        assert!(!r.repo_set[3].is_shared);
    })
    .await
}

#[tokio::test]
async fn numbers_for_string_fields_and_numeric_strings_for_counts_decode() {
    bounded(async {
        let body = r#"{"RetCode":0,"TotalCount":"7","ImageSet":[
            {"ImageName":12345,"PullCount":"42","CreateTime":1.5e3,"LatestTag":true,"UpdateTime":null}]}"#;
        let server = Server::start(vec![Canned::json(body)]).await;
        let r = client(&server).get_repo_image("repo").await.unwrap();
        assert_eq!(r.total_count, 7);
        let i = &r.image_set[0];
        assert_eq!(i.image_name, "12345");
        assert_eq!(i.pull_count, 42);
        assert!(!i.create_time.is_empty(), "a float for a string field decodes to some text");
        assert_eq!(i.latest_tag, "true");
        assert_eq!(i.update_time, "");
    })
    .await
}

#[tokio::test]
async fn tag_digest_is_optional_and_a_utf8_bom_is_tolerated() {
    bounded(async {
        let mut body = b"\xEF\xBB\xBF".to_vec();
        body.extend_from_slice(
            br#"{"RetCode":0,"TotalCount":2,"TagSet":[
                {"TagName":"v1","UpdateTime":"t1","Digest":"sha256:abc"},
                {"TagName":"v2","UpdateTime":"t2"},
                {"TagName":"v3","UpdateTime":"t3","Digest":null}]}"#,
        );
        let server = Server::start(vec![Canned::status(200, body)]).await;
        let r = client(&server).get_image_tag("r", "i").await.unwrap();
        assert_eq!(r.tag_set[0].digest.as_deref(), Some("sha256:abc"));
        assert_eq!(r.tag_set[1].digest, None);
        assert_eq!(r.tag_set[2].digest, None);
    })
    .await
}

#[tokio::test]
async fn a_ret_code_alone_takes_every_default_but_an_empty_object_is_no_response() {
    bounded(async {
        let server = Server::start(vec![Canned::json(r#"{"RetCode": 0}"#), Canned::json("{}")]).await;
        let r = client(&server).get_image_tag("r", "i").await.unwrap();
        assert_eq!(r.total_count, 0);
        assert!(r.tag_set.is_empty());
        let err = client(&server).get_image_tag("r", "i").await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "GetImageTag: cannot decode response at `.`: RetCode is missing, so this is not a UCloud response; body starts \"{}\""
        );
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Errors

#[tokio::test]
async fn ret_code_is_an_api_error_with_code_message_and_request_id() {
    bounded(async {
        let body = r#"{"Action":"GetImageTagResponse","RetCode":171,"Message":"Signature VerifyAC Error"}"#;
        let server = Server::start(vec![Canned::json(body).header("X-UCLOUD-REQUEST-UUID", "req-abc-123")]).await;
        let err = client(&server).get_image_tag("r", "i").await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Api { code: 171, message: "Signature VerifyAC Error".into() });
        assert_eq!(err.code(), Some(171));
        assert_eq!(err.request_id(), Some("req-abc-123"));
        assert_eq!(err.attempts(), 1);
        let text = err.to_string();
        assert!(!text.contains('\n'), "one line: {text}");
        for part in ["GetImageTag", "171", "Signature VerifyAC Error", "req-abc-123"] {
            assert!(text.contains(part), "{part:?} missing from {text:?}");
        }
    })
    .await
}

#[tokio::test]
async fn http_error_status_with_ucloud_json_body_is_an_api_error() {
    bounded(async {
        let body = r#"{"RetCode":172,"Message":"Missing signature"}"#;
        let server = Server::start(vec![Canned::status(400, body).header("X-UCLOUD-REQUEST-UUID", "rid-400")]).await;
        let err = client(&server).get_repo().await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Api { code: 172, message: "Missing signature".into() });
        assert_eq!(err.request_id(), Some("rid-400"));
    })
    .await
}

#[tokio::test]
async fn retry_after_is_kept_when_a_throttling_status_carries_a_ucloud_error_body() {
    bounded(async {
        let body = r#"{"RetCode":153,"Message":"throttled"}"#;
        let server = Server::start(vec![Canned::status(429, body).header("Retry-After", "3")]).await;
        let e = client(&server).get_repo().await.unwrap_err();
        assert_eq!((e.code(), e.retry_after()), (Some(153), Some(Duration::from_secs(3))));
    })
    .await
}

#[tokio::test]
async fn http_500_with_html_is_an_http_status_error_quoting_the_body_start() {
    bounded(async {
        let html = format!("<html><body>Internal Server Error{}</body></html>", "x".repeat(1000));
        let server = Server::start(vec![Canned::status(500, &html).header("Content-Type", "text/html")]).await;
        let err = client(&server).get_repo().await.unwrap_err();
        match err.kind() {
            ErrorKind::HttpStatus { status, body } => {
                assert_eq!(*status, 500);
                assert!(body.starts_with("<html><body>Internal Server Error"), "{body}");
                assert!(body.len() < 400, "body is bounded: {} bytes", body.len());
            }
            other => panic!("expected HttpStatus, got {other:?}"),
        }
        assert_eq!(err.status(), Some(500));
        assert!(!err.is_retryable());
    })
    .await
}

#[tokio::test]
async fn bad_total_count_is_a_decode_error_naming_the_field() {
    bounded(async {
        let server = Server::start(vec![Canned::json(r#"{"RetCode":0,"TotalCount":"abc","TagSet":[]}"#)]).await;
        let err = client(&server).get_image_tag("r", "i").await.unwrap_err();
        match err.kind() {
            ErrorKind::Decode { path, body, .. } => {
                assert!(path.contains("TotalCount"), "path {path:?}");
                assert!(body.contains("abc"), "body {body:?}");
            }
            other => panic!("expected Decode, got {other:?}"),
        }
    })
    .await
}

#[tokio::test]
async fn object_for_a_nested_string_is_a_decode_error_with_its_full_path() {
    bounded(async {
        let body = r#"{"RetCode":0,"TotalCount":2,"TagSet":[{"TagName":"ok"},{"TagName":{"nested":1}}]}"#;
        let server = Server::start(vec![Canned::json(body)]).await;
        let err = client(&server).get_image_tag("r", "i").await.unwrap_err();
        match err.kind() {
            ErrorKind::Decode { path, .. } => assert_eq!(path, "TagSet[1].TagName"),
            other => panic!("expected Decode, got {other:?}"),
        }
    })
    .await
}

#[tokio::test]
async fn truncated_json_is_a_decode_error() {
    bounded(async {
        let server = Server::start(vec![Canned::json(r#"{"RetCode":0,"TotalCount":2,"TagSet":[{"TagNa"#)]).await;
        let err = client(&server).get_image_tag("r", "i").await.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Decode { .. }), "{err:?}");
    })
    .await
}

async fn too_large(canned: Canned) {
    let server = Server::start(vec![canned]).await;
    let client = builder(&server).max_response_bytes(1000).build().unwrap();
    let err = client.get_repo().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::ResponseTooLarge { limit: 1000 });
}

fn big_body() -> String {
    let names: Vec<String> = (0..200).map(|i| format!("\"repository-{i}\"")).collect();
    format!(r#"{{"RetCode":0,"TotalCount":200,"RepoSet":[{}]}}"#, names.join(","))
}

#[tokio::test]
async fn body_over_the_limit_with_content_length_is_response_too_large() {
    bounded(too_large(Canned::json(big_body()))).await
}

#[tokio::test]
async fn chunked_body_over_the_limit_is_response_too_large() {
    bounded(too_large(Canned::json(big_body()).chunked())).await
}

/// A body with no length, ended by the server closing the connection, comes to the client in
/// one piece when it is small: the limit holds for that piece too.
#[tokio::test]
async fn unframed_body_over_the_limit_is_response_too_large() {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
    bounded(too_large(Canned::raw(format!("{head}{}", big_body())))).await
}

#[tokio::test]
async fn chunked_body_under_the_limit_decodes() {
    bounded(async {
        let server = Server::start(vec![Canned::json(DOC_GET_REPO_IMAGE).chunked()]).await;
        let r = client(&server).get_repo_image("r").await.unwrap();
        assert_eq!(r.image_set.len(), 9);
    })
    .await
}

#[tokio::test]
async fn nothing_listening_is_a_connect_transport_error() {
    bounded(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let client = Client::builder()
            .keys(PUBLIC_KEY, PRIVATE_KEY)
            .endpoint(Endpoint::Custom(format!("http://{addr}")))
            .retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap();
        let err = client.get_repo().await.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Transport { kind: TransportKind::Connect, .. }), "{err:?}");
        assert!(err.is_retryable());
    })
    .await
}

#[tokio::test]
async fn every_attempt_carries_its_own_timestamp_over_the_same_signed_form() {
    bounded(async {
        // The first attempt gets no answer, so the second starts at least one attempt timeout later.
        let server = Server::start(vec![Canned::silent(), Canned::json(OK_TAGS)]).await;
        let client =
            builder(&server).attempt_timeout(Duration::from_millis(100)).retry_policy(fast_retries()).build().unwrap();
        client.get_image_tag("r", "i").await.unwrap();
        let requests = server.requests();
        assert_eq!(requests.len(), 2);
        let stamp = |r: &Received| -> u128 { r.header("U-Timestamp-Ms").unwrap().parse().unwrap() };
        assert!(
            stamp(&requests[1]) >= stamp(&requests[0]) + 100,
            "{} then {}",
            stamp(&requests[0]),
            stamp(&requests[1])
        );
        // The timestamp is a header, outside the signature: each attempt is signed over the
        // same fields, so the signatures agree and both verify.
        assert_eq!(check_signature(&requests[0]), check_signature(&requests[1]));
        assert_eq!(form_map(&requests[0]).get("Signature"), form_map(&requests[1]).get("Signature"));
    })
    .await
}

#[tokio::test]
async fn silent_server_is_a_timeout_transport_error() {
    bounded(async {
        let server = Server::start(vec![Canned::silent()]).await;
        let client = builder(&server).attempt_timeout(Duration::from_millis(200)).build().unwrap();
        let started = std::time::Instant::now();
        let err = client.get_image_tag("r", "i").with_retry_policy(RetryPolicy::disabled()).await.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Transport { kind: TransportKind::Timeout, .. }), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
        assert_eq!(server.requests().len(), 1, "the request did reach the server");
    })
    .await
}

#[tokio::test]
async fn empty_required_name_is_rejected_before_anything_is_sent() {
    bounded(async {
        let server = Server::start(vec![Canned::json(OK_IMAGES)]).await;
        let client = client(&server);
        let err = client.get_repo_image("").await.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidRequest { .. }), "{err:?}");
        assert!(err.to_string().contains("RepoName"), "{err}");
        let err = client.get_image_tag("repo", "").await.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidRequest { .. }), "{err:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(server.requests().is_empty());
        assert_eq!(server.connections(), 0);
    })
    .await
}

#[test]
fn building_without_keys_or_with_a_non_http_endpoint_is_a_config_error() {
    let err = Client::builder().endpoint(Endpoint::Custom("http://127.0.0.1:1".into())).build().unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Config { .. }), "{err:?}");
    let err = Client::builder().keys(PUBLIC_KEY, PRIVATE_KEY).endpoint(Endpoint::Custom("ftp://x".into())).build();
    let err = err.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Config { .. }), "{err:?}");
    assert!(err.to_string().contains("ftp://x"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Retries

#[tokio::test]
async fn idempotent_call_retries_a_503_then_succeeds() {
    bounded(async {
        let server = Server::start(vec![Canned::status(503, "busy"), Canned::json(DOC_GET_IMAGE_TAG)]).await;
        let client = builder(&server).retry_policy(fast_retries()).build().unwrap();
        let r = client.get_image_tag("r", "i").await.expect("second attempt succeeds");
        assert_eq!(r.tag_set.len(), 2);
        let requests = server.requests();
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[0].body, requests[1].body, "a retry resends the same signed form");
    })
    .await
}

#[tokio::test]
async fn ret_code_153_is_retried_until_attempts_run_out() {
    bounded(async {
        let busy = r#"{"RetCode":153,"Message":"busy"}"#;
        let server = Server::start(vec![Canned::json(busy)]).await;
        let client = builder(&server).retry_policy(fast_retries().with_max_attempts(3)).build().unwrap();
        let err = client.get_repo().await.unwrap_err();
        assert_eq!(err.code(), Some(153));
        assert_eq!(err.attempts(), 3);
        assert_eq!(server.requests().len(), 3);
        assert!(err.to_string().contains("after 3 attempts"), "{err}");
    })
    .await
}

#[tokio::test]
async fn ret_code_153_then_success_returns_the_response() {
    bounded(async {
        let server =
            Server::start(vec![Canned::json(r#"{"RetCode":153,"Message":"busy"}"#), Canned::json(DOC_GET_REPO)]).await;
        let client = builder(&server).retry_policy(fast_retries()).build().unwrap();
        let r = client.get_repo().await.unwrap();
        assert_eq!(r.repo_set.len(), 9);
        assert_eq!(server.requests().len(), 2);
    })
    .await
}

#[tokio::test]
async fn ret_code_230_is_not_retried() {
    bounded(async {
        let server = Server::start(vec![Canned::json(r#"{"RetCode":230,"Message":"not found"}"#)]).await;
        let client = builder(&server).retry_policy(fast_retries()).build().unwrap();
        let err = client.get_image_tag("r", "i").await.unwrap_err();
        assert_eq!(err.code(), Some(230));
        assert_eq!(err.attempts(), 1);
        assert_eq!(server.requests().len(), 1);
    })
    .await
}

#[tokio::test]
async fn per_call_disabled_policy_overrides_client_retries() {
    bounded(async {
        let server = Server::start(vec![Canned::status(503, "busy"), Canned::json(OK_TAGS)]).await;
        let client = builder(&server).retry_policy(fast_retries()).build().unwrap();
        let err = client.get_image_tag("r", "i").with_retry_policy(RetryPolicy::disabled()).await.unwrap_err();
        assert_eq!(err.status(), Some(503));
        assert_eq!(server.requests().len(), 1);
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Secrets and connections

#[tokio::test]
async fn debug_and_errors_never_show_the_private_key_or_signature() {
    bounded(async {
        let server = Server::start(vec![Canned::json(r#"{"RetCode":171,"Message":"bad"}"#)]).await;
        let b = builder(&server).user_agent_suffix("x");
        let builder_debug = format!("{b:?}");
        let client = b.build().unwrap();
        let err = client.get_repo().await.unwrap_err();
        let signature = form_map(&only_request(&server))["Signature"].clone();
        let credentials = Credentials::new(PUBLIC_KEY, PRIVATE_KEY).with_security_token("sts-token-secret");
        let texts = [
            builder_debug,
            format!("{client:?}"),
            format!("{client:#?}"),
            format!("{credentials:?}"),
            format!("{err}"),
            format!("{err:?}"),
            format!("{:?}", client.get_repo()),
        ];
        for text in &texts {
            assert!(!text.contains(PRIVATE_KEY), "private key leaked: {text}");
            assert!(!text.contains(&signature), "signature leaked: {text}");
            assert!(!text.contains("sts-token-secret"), "token leaked: {text}");
        }
        assert!(texts[1].contains(PUBLIC_KEY), "the public key is fine to show: {}", texts[1]);
    })
    .await
}

#[tokio::test]
async fn sequential_calls_reuse_one_connection() {
    bounded(async {
        let server = Server::start(vec![Canned::json(OK_REPOS)]).await;
        let client = client(&server);
        client.get_repo().await.unwrap();
        client.clone().get_repo().await.unwrap();
        client.get_repo().send().await.unwrap();
        let requests = server.requests();
        assert_eq!(requests.len(), 3);
        assert_eq!(server.connections(), 1);
        assert!(requests.iter().all(|r| r.connection == 0));
    })
    .await
}

#[tokio::test]
async fn a_response_carries_the_request_id_it_came_with() {
    bounded(async {
        let server = Server::start(vec![
            Canned::json(OK_TAGS).header("X-UCLOUD-REQUEST-UUID", "req-ok-1"),
            Canned::json(OK_TAGS),
        ])
        .await;
        let first = client(&server).get_image_tag("r", "i").await.unwrap();
        assert_eq!(first.request_id(), Some("req-ok-1"));
        let second = client(&server).get_image_tag("r", "i").await.unwrap();
        assert_eq!(second.request_id(), None);
        // Not part of the body: serializing a response leaves it out.
        assert!(!serde_json::to_string(&first).unwrap().contains("req-ok-1"));
    })
    .await
}
