//! The mock as a service: common RetCodes, signatures, request ids, drift, faults, the log,
//! the binary.

mod common;

use std::time::{Duration, Instant};

use common::{LIMIT, client, demo, post, post_signed};
use serde_json::json;
use tokio::time::timeout;
use uhub_mock::{Code, Fault, FaultRule, LOG_VALUE_MAX_BYTES, MockUHub};
use uhub_sdk::{Credentials, ErrorKind, RetryPolicy};

#[tokio::test]
async fn common_ret_codes_for_malformed_requests() {
    timeout(LIMIT, async {
        let mock = demo().await;
        // (case, fields, signed, RetCode, what the message names)
        type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, bool, i64, &'a str);
        let cases: [Case; 5] = [
            ("no Action", vec![("RepoName", "web")], true, 160, "Missing Action"),
            ("unknown Action", vec![("Action", "DescribeUHostInstance")], true, 161, "DescribeUHostInstance"),
            ("no Signature", vec![("Action", "GetRepo"), ("PublicKey", mock.public_key())], false, 170, "signature"),
            (
                "unknown PublicKey",
                vec![("Action", "GetRepo"), ("PublicKey", "someone-else"), ("Signature", "00")],
                false,
                172,
                "someone-else",
            ),
            ("missing parameter", vec![("Action", "GetRepoImage")], true, 230, "RepoName"),
        ];
        for (name, fields, signed, code, needle) in cases {
            let raw = if signed { post_signed(&mock, &fields).await } else { post(&mock, &fields).await };
            assert_eq!(raw.status, 200, "{name}");
            assert_eq!(raw.json["RetCode"], json!(code), "{name}: {}", raw.json);
            let message = raw.json["Message"].as_str().unwrap();
            assert!(message.contains(needle), "{name}: {message}");
            assert!(raw.request_id.is_some(), "{name}");
        }
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn the_sdk_surfaces_signature_errors_with_code_and_request_id() {
    timeout(LIMIT, async {
        let mock = demo().await;
        let wrong_private = mock
            .client_builder()
            .keys(mock.public_key(), "not-the-private-key")
            .retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap();
        let e = wrong_private.get_repo().await.unwrap_err();
        assert_eq!(e.code(), Some(Code::WrongSignature.ret_code()));
        assert!(e.request_id().unwrap().starts_with("4d6f636b-"), "{e}");
        let record = mock.request_log().pop().unwrap();
        assert!(!record.signature_valid);
        assert_eq!(record.ret_code, Some(171));

        let unknown = mock.client_builder().keys("stranger", "x").build().unwrap();
        assert_eq!(unknown.get_repo().await.unwrap_err().code(), Some(Code::UnknownPublicKey.ret_code()));

        // Tampering with a signed request breaks the signature.
        let mut fields = vec![("Action", "GetRepoImage"), ("RepoName", "web"), ("PublicKey", mock.public_key())];
        let signature = uhub_sdk::runtime::sign(&fields, mock.private_key());
        fields[1].1 = "backend";
        fields.push(("Signature", &signature));
        assert_eq!(post(&mock, &fields).await.json["RetCode"], json!(171));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn request_ids_are_fresh_and_reach_the_sdk_on_success_and_failure() {
    timeout(LIMIT, async {
        let mock = demo().await;
        let a = post_signed(&mock, &[("Action", "GetRepo")]).await.request_id.unwrap();
        let b = post_signed(&mock, &[("Action", "GetRepo")]).await.request_id.unwrap();
        assert_ne!(a, b);
        let e = client(&mock).delete_repo("nope").await.unwrap_err();
        assert_eq!(e.code(), Some(Code::RepoNotFound.ret_code()));
        assert!(e.request_id().is_some());
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn registered_key_pairs_and_projects() {
    timeout(LIMIT, async {
        let mock = MockUHub::builder()
            .key_pair("alice", "alice-secret")
            .key_pair("bob", "bob-secret")
            .default_project("org-team")
            .start()
            .await
            .unwrap();
        assert_eq!(mock.public_key(), "alice");
        let bob = mock.client_builder().keys("bob", "bob-secret").build().unwrap();
        bob.create_repo("shared").await.unwrap();
        // Requests without ProjectId act in the default project, named or not.
        let alice = mock.client_builder().build().unwrap();
        let listed = alice.get_repo().repo_type(uhub_sdk::RepoType::Private).project_id("org-team").await.unwrap();
        assert_eq!(listed.repo_set[0].repo_name, "shared");
        // The demo pair is only accepted when no pair is registered.
        let demo_pair = mock.client_builder().keys(uhub_mock::DEMO_PUBLIC_KEY, uhub_mock::DEMO_PRIVATE_KEY).build();
        assert_eq!(demo_pair.unwrap().get_repo().await.unwrap_err().code(), Some(172));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn documented_mode_serves_the_field_tables_shapes() {
    timeout(LIMIT, async {
        let mock = demo().await;
        let raw = post_signed(&mock, &[("Action", "GetRepo"), ("Limit", "1")]).await;
        assert_eq!(raw.json["Action"], "GetRepoResponse");
        assert_eq!(raw.json["RetCode"], 0);
        assert_eq!(raw.json["TotalCount"], 2);
        let repo = &raw.json["RepoSet"][0];
        assert_eq!(repo["IsShared"], "true", "the tables document the strings true/false");
        assert_eq!(repo["CreateTime"].as_str().unwrap().len(), 19);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn drift_mode_serves_the_examples_shapes_and_the_sdk_decodes_them() {
    timeout(LIMIT, async {
        let mock = demo().await;
        mock.set_drift(true);
        let raw = post_signed(&mock, &[("Action", "GetRepo"), ("Type", "private")]).await;
        assert_eq!(raw.json["TotalCount"], "2");
        assert_eq!(raw.json["RepoSet"], json!(["backend", "ml-models"]));
        let tags = post_signed(&mock, &[("Action", "GetImageTag"), ("RepoName", "web"), ("ImageName", "node")]).await;
        assert!(tags.json["TagSet"][0]["UpdateTime"].is_i64(), "{}", tags.json);
        let images = post_signed(&mock, &[("Action", "GetRepoImage"), ("RepoName", "web")]).await;
        assert!(images.json["ImageSet"][0]["CreateTime"].is_i64(), "{}", images.json);

        let c = client(&mock);
        let repos = c.get_repo().repo_type(uhub_sdk::RepoType::Private).await.unwrap();
        assert_eq!(repos.total_count, 2);
        assert_eq!(repos.repo_set[1].repo_name, "ml-models");
        let tags = c.get_image_tag("web", "node").await.unwrap();
        assert_eq!(tags.total_count, 4);
        assert!(tags.tag_set[0].update_time.raw().parse::<i64>().is_ok(), "{}", tags.tag_set[0].update_time);
        mock.set_drift(false);
        assert_eq!(c.get_repo().await.unwrap().repo_set[0].description, "Build and debugging helpers");
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn faults_apply_per_action_for_the_next_n_calls() {
    timeout(LIMIT, async {
        let mock = demo().await;
        let c = client(&mock);
        mock.inject(FaultRule::new(Fault::status(503)).action("GetRepoImage").times(2));
        mock.inject(FaultRule::new(Fault::RetCode(153)).action("GetRepo").times(1));
        let first = c.get_repo_image("web").await.unwrap_err();
        assert_eq!(first.status(), Some(503));
        assert_eq!(c.get_repo().await.unwrap_err().code(), Some(153));
        assert!(c.get_repo().await.is_ok(), "the RetCode rule ran out");
        assert_eq!(c.get_repo_image("web").await.unwrap_err().status(), Some(503));
        assert!(c.get_repo_image("web").await.is_ok(), "the 503 rule ran out");
        assert_eq!((mock.requests("GetRepoImage"), mock.requests("GetRepo")), (3, 2));

        mock.inject(Fault::Status { status: 429, retry_after: Some(7) });
        let throttled = c.get_repo().await.unwrap_err();
        assert_eq!((throttled.status(), throttled.retry_after()), (Some(429), Some(Duration::from_secs(7))));
        mock.clear_faults();
        assert!(c.get_repo().await.is_ok());
        let faults: Vec<_> = mock.request_log().iter().map(|r| r.fault.clone()).collect();
        assert_eq!(faults[0].as_deref(), Some("HTTP 503"));
        assert_eq!(faults[1].as_deref(), Some("RetCode 153"));
        assert_eq!(faults.last().unwrap(), &None);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn breaking_faults_apply_after_the_write() {
    timeout(LIMIT, async {
        let mock = demo().await;
        let c = client(&mock);
        mock.inject(FaultRule::new(Fault::CloseMidResponse).times(1));
        let cut = c.create_repo("half").await.unwrap_err();
        assert!(matches!(cut.kind(), ErrorKind::Transport { .. }), "{cut}");
        mock.inject(FaultRule::new(Fault::TruncatedJson).times(1));
        let truncated = c.create_repo("truncated").await.unwrap_err();
        assert!(matches!(truncated.kind(), ErrorKind::Decode { .. }), "{truncated}");
        mock.inject(FaultRule::new(Fault::HtmlPage).times(1));
        let html = c.create_repo("html").await.unwrap_err();
        assert!(matches!(html.kind(), ErrorKind::Decode { .. }), "{html}");
        // The first two were made though the client never heard; the HTML page turned the
        // third away before it ran.
        let private = c.get_repo().repo_type(uhub_sdk::RepoType::Private).await.unwrap();
        let names: Vec<_> = private.repo_set.iter().map(|r| r.repo_name.as_str()).collect();
        assert_eq!(names, ["backend", "half", "ml-models", "truncated"]);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn latency_delays_the_answer_and_counts_as_in_flight() {
    timeout(LIMIT, async {
        let mock = demo().await;
        let c = client(&mock);
        mock.inject(Fault::Latency(Duration::from_millis(150)));
        let start = Instant::now();
        let calls = (0..4).map(|_| c.get_repo().send());
        for result in futures::future::join_all(calls).await {
            result.unwrap();
        }
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(150), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(150 * 4), "answers overlap: {elapsed:?}");
        assert_eq!(mock.max_in_flight(), 4);
        mock.reset_counters();
        assert_eq!((mock.total_requests(), mock.max_in_flight(), mock.request_log().len()), (0, 0, 0));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn the_log_records_fields_without_the_signature() {
    timeout(LIMIT, async {
        let mock = demo().await;
        client(&mock).get_image_tag("web", "nginx").tag_name("1.0.0").project_id("org-demo").await.unwrap();
        let record = &mock.request_log()[0];
        assert_eq!(record.action, "GetImageTag");
        assert!(record.signature_valid);
        assert_eq!(record.ret_code, Some(0));
        assert_eq!(record.field("TagName"), Some("1.0.0"));
        assert_eq!(record.field("ProjectId"), Some("org-demo"));
        assert_eq!(record.field("PublicKey"), Some(mock.public_key()));
        assert_eq!(record.field("Signature"), None);
        assert!(!format!("{mock:?}").contains(mock.private_key()));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn spec_actions_are_counted_apart_and_every_other_action_together() {
    timeout(LIMIT, async {
        let mock = demo().await;
        post_signed(&mock, &[("Action", "GetRepo")]).await;
        post_signed(&mock, &[("Action", "GetRepo")]).await;
        post_signed(&mock, &[("Action", "Bogus")]).await;
        post_signed(&mock, &[("Action", "DescribeUHostInstance")]).await;
        post(&mock, &[("RepoName", "web")]).await; // no Action at all
        assert_eq!((mock.requests("GetRepo"), mock.requests("GetImageTag")), (2, 0));
        assert_eq!(mock.requests("Bogus"), 3, "one counter for everything outside the spec");
        assert_eq!(mock.requests("NeverSent"), 3);
        assert_eq!(mock.total_requests(), 5);
        let actions: Vec<_> = mock.request_log().into_iter().map(|r| r.action).collect();
        assert_eq!(actions, ["GetRepo", "GetRepo", "Bogus", "DescribeUHostInstance", ""], "the log keeps the names");
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn the_log_keeps_no_security_token() {
    timeout(LIMIT, async {
        let mock = demo().await;
        let credentials =
            Credentials::new(mock.public_key(), mock.private_key()).with_security_token("sts-secret-token");
        let c = mock.client_builder().credentials(credentials).build().unwrap();
        c.get_repo().await.unwrap();
        let record = &mock.request_log()[0];
        assert!(record.signature_valid, "the token was signed with the rest");
        assert_eq!(record.field("SecurityToken"), None);
        assert_eq!(record.field("Signature"), None);
        assert!(!format!("{:?}", mock.request_log()).contains("sts-secret-token"));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn long_values_are_logged_as_their_start_and_stored_whole() {
    timeout(LIMIT, async {
        let mock = demo().await;
        let c = client(&mock);
        // The longest description the store keeps, four times what the log keeps of a value.
        let description = "d".repeat(uhub_mock::MAX_DESCRIPTION_BYTES);
        c.create_repo("long").description(description.as_str()).await.unwrap();
        let logged = mock.request_log()[0].field("Description").unwrap().to_owned();
        assert_eq!(logged, format!("{}…[truncated: 4096 bytes]", "d".repeat(LOG_VALUE_MAX_BYTES)));
        let stored = c.get_repo().repo_type(uhub_sdk::RepoType::Private).await.unwrap();
        let long = stored.repo_set.iter().find(|r| r.repo_name == "long").unwrap();
        assert_eq!(long.description, description, "only the log is cut");
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    timeout(LIMIT, async {
        let mock = demo().await;
        let addr = mock.addr();
        mock.shutdown().await;
        assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn the_binary_starts_serves_and_stops() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    timeout(LIMIT, async {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_uhub-mock"))
            .args(["--listen", "127.0.0.1:0", "--seed", "demo"])
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the binary runs");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next_line().await.unwrap().expect("it prints its URL");
        let url = first.strip_prefix("uhub-mock listening on ").expect(&first).to_owned();
        let public = lines.next_line().await.unwrap().unwrap();
        assert!(public.contains(uhub_mock::DEMO_PUBLIC_KEY), "{public}");
        let client = uhub_sdk::Client::builder()
            .keys(uhub_mock::DEMO_PUBLIC_KEY, uhub_mock::DEMO_PRIVATE_KEY)
            .endpoint(uhub_sdk::Endpoint::Custom(url))
            .build()
            .unwrap();
        assert_eq!(client.get_image_tag("web", "nginx").await.unwrap().total_count, 320);
        child.kill().await.unwrap();
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn the_binary_rejects_bad_arguments() {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_uhub-mock")).args(["--seed", "lots"]).output();
    let out = timeout(LIMIT, out).await.unwrap().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--seed takes `demo` or `empty`"));
}

#[tokio::test]
async fn the_binary_applies_its_connection_limits() {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
    timeout(LIMIT, async {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_uhub-mock"))
            .args(["--listen", "127.0.0.1:0", "--idle-timeout", "0.3", "--max-connections", "2"])
            .args(["--header-timeout", "5", "--body-deadline", "5"])
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the binary runs");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next_line().await.unwrap().expect("it prints its URL");
        let url = first.strip_prefix("uhub-mock listening on ").expect(&first).to_owned();
        // A connection that never sends a request is closed after the idle timeout.
        let mut quiet = tokio::net::TcpStream::connect(url.trim_start_matches("http://")).await.unwrap();
        let mut byte = [0u8; 1];
        let closed = quiet.read(&mut byte).await;
        assert!(matches!(closed, Ok(0)) || closed.is_err(), "{closed:?}");
        let client = uhub_sdk::Client::builder()
            .keys(uhub_mock::DEMO_PUBLIC_KEY, uhub_mock::DEMO_PRIVATE_KEY)
            .endpoint(uhub_sdk::Endpoint::Custom(url))
            .build()
            .unwrap();
        assert_eq!(client.get_repo().await.unwrap().total_count, 2);
        child.kill().await.unwrap();
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn the_binary_refuses_limits_it_cannot_serve_with() {
    let cases = [
        (["--max-connections", "0"], "--max-connections takes a whole number of at least 1"),
        (["--idle-timeout", "0"], "--idle-timeout takes a number of seconds above 0"),
        (["--body-deadline", "soon"], "--body-deadline takes a number of seconds above 0"),
    ];
    for (args, message) in cases {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_uhub-mock")).args(args).output();
        let out = timeout(LIMIT, out).await.unwrap().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(stderr.contains("--header-timeout SECS"), "the usage follows: {stderr}");
    }
}

#[test]
fn the_service_answers_without_a_server() {
    let service = MockUHub::builder().seed_demo().build_service();
    let mut fields = vec![
        ("Action".to_owned(), "GetImageTag".to_owned()),
        ("RepoName".to_owned(), "web".to_owned()),
        ("ImageName".to_owned(), "node".to_owned()),
        ("PublicKey".to_owned(), uhub_mock::DEMO_PUBLIC_KEY.to_owned()),
    ];
    let signature = uhub_sdk::runtime::sign(&fields, uhub_mock::DEMO_PRIVATE_KEY);
    fields.push(("Signature".to_owned(), signature));
    let (status, body) = service.answer(fields.into_iter().collect());
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((status, json["RetCode"].as_i64(), json["TotalCount"].as_i64()), (200, Some(0), Some(4)));
    let (_, unsigned) = service.answer([("Action", "GetRepo")].into_iter().collect());
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&unsigned).unwrap()["RetCode"], 170);
}
