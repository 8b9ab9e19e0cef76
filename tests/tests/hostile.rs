//! Servers and proxies that misbehave on purpose: bodies that are not UCloud responses, redirects
//! to other hosts, absurd `Retry-After` values, listings that never end, and bodies that echo
//! secrets. Each answer is a typed error or a bounded result, never a panic or a hang, and no
//! secret reaches an error's text.

mod support;

use std::future::Future;
use std::time::{Duration, Instant};

use futures::TryStreamExt as _;
use support::{Canned, Server};
use uhub_sdk::{Client, ClientBuilder, Endpoint, ErrorKind, RetryPolicy};

const PUBLIC_KEY: &str = "pub-hostile";
const PRIVATE_KEY: &str = "private-hostile-must-not-leak";

async fn bounded<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), f).await.expect("test took too long")
}

fn builder(url: &str) -> ClientBuilder {
    Client::builder()
        .keys(PUBLIC_KEY, PRIVATE_KEY)
        .endpoint(Endpoint::Custom(url.to_owned()))
        .retry_policy(RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(5)))
        .attempt_timeout(Duration::from_secs(5))
}

fn decode_message(e: &uhub_sdk::Error) -> String {
    match e.kind() {
        ErrorKind::Decode { message, .. } => message.clone(),
        other => panic!("expected a decode error, got {other:?} ({e})"),
    }
}

/// The three listing actions, each called once against `url`; their results' errors or item counts.
async fn every_listing(url: &str) -> Vec<(&'static str, Result<usize, uhub_sdk::Error>)> {
    let c = builder(url).build().unwrap();
    vec![
        ("GetRepo", c.get_repo().await.map(|r| r.repo_set.len())),
        ("GetRepoImage", c.get_repo_image("r").await.map(|r| r.image_set.len())),
        ("GetImageTag", c.get_image_tag("r", "i").await.map(|r| r.tag_set.len())),
    ]
}

// ---------------------------------------------------------------------------------------------
// 1. Decoding: success only for a real UCloud response

#[tokio::test]
async fn json_without_ret_code_is_no_response_for_any_listing() {
    bounded(async {
        // A gateway that sends the keys in another case: every field would default silently.
        let body = r#"{"retcode":0,"totalcount":3,"reposet":[],"imageset":[],"tagset":[{"tagname":"v1"}]}"#;
        let server = Server::start(vec![Canned::json(body)]).await;
        for (action, result) in every_listing(&server.url()).await {
            let e = result.unwrap_err();
            assert_eq!(e.action(), Some(action));
            assert_eq!(decode_message(&e), "RetCode is missing, so this is not a UCloud response");
            assert!(e.to_string().starts_with(&format!("{action}: cannot decode response")), "{e}");
        }
    })
    .await
}

#[tokio::test]
async fn a_top_level_value_that_is_not_an_object_is_no_response() {
    bounded(async {
        for body in ["[]", "\"x\"", "3", "null", "[{\"RetCode\":0}]"] {
            let server = Server::start(vec![Canned::json(body)]).await;
            for (action, result) in every_listing(&server.url()).await {
                let e = result.unwrap_err();
                assert_eq!(
                    decode_message(&e),
                    "the body is JSON but not an object, so not a UCloud response",
                    "{action} {body}"
                );
            }
        }
    })
    .await
}

#[tokio::test]
async fn null_items_in_a_list_are_skipped_not_defaulted() {
    bounded(async {
        let body = r#"{"RetCode":0,"TotalCount":2,
            "RepoSet":[{"RepoName":"web"},null],
            "ImageSet":[null,{"ImageName":"api"}],
            "TagSet":[{"TagName":"v1"},null,{"TagName":"v2"}]}"#;
        let server = Server::start(vec![Canned::json(body)]).await;
        let c = builder(&server.url()).build().unwrap();
        let repos = c.get_repo().await.unwrap().repo_set;
        assert_eq!(repos.iter().map(|r| r.repo_name.as_str()).collect::<Vec<_>>(), ["web"]);
        let images = c.get_repo_image("r").await.unwrap().image_set;
        assert_eq!(images.iter().map(|i| i.image_name.as_str()).collect::<Vec<_>>(), ["api"]);
        let tags = c.get_image_tag("r", "i").await.unwrap().tag_set;
        assert_eq!(tags.iter().map(|t| t.tag_name.as_str()).collect::<Vec<_>>(), ["v1", "v2"]);
    })
    .await
}

#[tokio::test]
async fn an_error_status_with_a_ucloud_body_keeps_both_the_status_and_the_code() {
    bounded(async {
        let body = r#"{"RetCode":171,"Message":"signature error"}"#;
        let server = Server::start(vec![Canned::status(500, body).header("X-UCLOUD-REQUEST-UUID", "req-9")]).await;
        for (action, result) in every_listing(&server.url()).await {
            let e = result.unwrap_err();
            assert_eq!((e.status(), e.code()), (Some(500), Some(171)), "{action}");
            assert_eq!(
                e.to_string(),
                format!("{action}: UHub error RetCode 171: signature error (HTTP status 500) (request id req-9)")
            );
            // 500 and 171 are both final: one request per call.
            assert_eq!(e.attempts(), 1);
        }
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// 2. Redirects are never followed

#[tokio::test]
async fn redirects_are_refused_and_the_other_host_receives_nothing() {
    bounded(async {
        for status in [301, 302, 303, 307, 308] {
            let elsewhere = Server::start(vec![Canned::json(r#"{"RetCode":0,"TotalCount":0,"TagSet":[]}"#)]).await;
            let location = format!("{}/collect?Signature=leaked&SecurityToken=leaked", elsewhere.url());
            let server = Server::start(vec![Canned::status(status, "").header("Location", &location)]).await;
            let c = builder(&server.url()).build().unwrap();
            // CreateRepo is not idempotent: a followed 307 would create twice, a 303 would GET.
            let e = c.create_repo("r").await.unwrap_err();
            assert_eq!(e.status(), Some(status));
            assert_eq!(e.location(), Some(format!("{}/collect", elsewhere.url()).as_str()));
            assert_eq!(
                e.to_string(),
                format!("CreateRepo: HTTP status {status}, a redirect to {}/collect, not followed", elsewhere.url())
            );
            assert!(!e.is_retryable());
            let e = c.get_image_tag("r", "i").await.unwrap_err();
            assert_eq!((e.status(), e.attempts()), (Some(status), 1), "an idempotent call does not retry it either");
            assert_eq!(elsewhere.requests().len(), 0, "{status}: the other host received the signed form");
            assert_eq!(server.requests().len(), 2);
        }
    })
    .await
}

#[tokio::test]
async fn a_client_of_your_own_that_follows_redirects_still_gets_no_answer_from_elsewhere() {
    bounded(async {
        let elsewhere = Server::start(vec![Canned::json(r#"{"RetCode":0,"TotalCount":0,"TagSet":[]}"#)]).await;
        let server = Server::start(vec![Canned::status(307, "").header("Location", elsewhere.url())]).await;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let follows = reqwest::Client::builder().build().unwrap(); // the default policy follows up to 10
        let c = builder(&server.url()).http_client(follows).build().unwrap();
        let e = c.get_image_tag("r", "i").await.unwrap_err();
        assert_eq!(e.status(), Some(200));
        assert!(e.to_string().contains("reached by a redirect the HTTP client followed"), "{e}");
        assert!(e.to_string().contains("redirect::Policy::none()"), "{e}");
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// 3. Time arithmetic a server cannot break

#[tokio::test]
async fn the_largest_retry_after_with_a_deadline_returns_the_error_without_panicking() {
    bounded(async {
        let server =
            Server::start(vec![Canned::status(503, "busy").header("Retry-After", "18446744073709551615")]).await;
        let c = builder(&server.url()).call_timeout(Duration::from_secs(5)).build().unwrap();
        let started = Instant::now();
        let e = c.get_image_tag("r", "i").await.unwrap_err();
        assert_eq!((e.status(), e.attempts()), (Some(503), 1));
        assert!(started.elapsed() < Duration::from_secs(2));
    })
    .await
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_not_waited_out_without_a_deadline() {
    bounded(async {
        let server = Server::start(vec![Canned::status(429, "slow down").header("Retry-After", "999999")]).await;
        let c = builder(&server.url()).build().unwrap(); // no call deadline: the default
        let started = Instant::now();
        let e = c.get_image_tag("r", "i").await.unwrap_err();
        assert_eq!((e.status(), e.attempts(), e.retry_after()), (Some(429), 1, Some(Duration::from_secs(999_999))));
        assert!(started.elapsed() < Duration::from_secs(2));
        // Within the cap it is waited out.
        let server = Server::start(vec![
            Canned::status(429, "slow down").header("Retry-After", "1"),
            Canned::json(r#"{"RetCode":0,"TotalCount":0,"TagSet":[]}"#),
        ])
        .await;
        let policy = RetryPolicy::default().with_max_retry_after(Duration::from_secs(1));
        let c = builder(&server.url()).retry_policy(policy).build().unwrap();
        let started = Instant::now();
        c.get_image_tag("r", "i").await.unwrap();
        assert!(started.elapsed() >= Duration::from_secs(1));
    })
    .await
}

#[tokio::test]
async fn a_listing_near_the_largest_offset_ends_with_an_error_not_an_overflow() {
    bounded(async {
        // A server that always answers a full page of 2 new tags and a total it never reaches.
        let server = Server::start(uhub_loopback::Handler::new(|request| {
            let offset = uhub_sdk::runtime::Fields::parse(&request.body).get("Offset").unwrap_or_default().to_owned();
            let tags = format!(r#"[{{"TagName":"a{offset}"}},{{"TagName":"b{offset}"}}]"#);
            Canned::json(format!(r#"{{"RetCode":0,"TotalCount":{},"TagSet":{tags}}}"#, i64::MAX))
        }))
        .await;
        let c = builder(&server.url()).build().unwrap();
        for concurrency in [1, 4] {
            let start = i64::MAX - 5;
            let mut items =
                c.get_image_tag("r", "i").offset(start).limit(2).into_paginator().concurrency(concurrency).items();
            let mut seen = 0;
            let error = loop {
                match items.try_next().await {
                    Ok(Some(_)) => seen += 1,
                    Ok(None) => panic!("concurrency {concurrency}: the listing ended without saying why"),
                    Err(e) => break e,
                }
            };
            assert!(seen <= 6, "concurrency {concurrency}: {seen} items");
            assert!(error.to_string().contains("overflows i64"), "{error}");
            assert!(items.try_next().await.unwrap().is_none(), "the stream ends after its error");
        }
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// 4. Secrets in quoted bodies and in URLs

#[tokio::test]
async fn a_server_that_echoes_the_request_does_not_put_secrets_in_errors() {
    bounded(async {
        let echo = format!(
            "<html>bad gateway for Action=GetRepo&PublicKey={PUBLIC_KEY}&SecurityToken=sts-9999&Signature=deadbeefcafe</html>"
        );
        let server = Server::start(vec![Canned::status(502, &echo)]).await;
        let creds = uhub_sdk::Credentials::new(PUBLIC_KEY, PRIVATE_KEY).with_security_token("sts-9999");
        let c = builder(&server.url()).credentials(creds).retry_policy(RetryPolicy::disabled()).build().unwrap();
        let e = c.get_repo().await.unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("sts-9999") && !shown.contains("deadbeefcafe"), "{shown}");
        assert!(shown.contains("Signature=<redacted>") && shown.contains("SecurityToken=<redacted>"), "{shown}");
        let json_echo = r#"{"echo":{"Signature":"deadbeefcafe","SecurityToken":"sts-9999"}}"#;
        let server = Server::start(vec![Canned::json(json_echo)]).await;
        let e = builder(&server.url()).build().unwrap().get_repo().await.unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("sts-9999") && !shown.contains("deadbeefcafe"), "{shown}");
    })
    .await
}

#[tokio::test]
async fn a_base_url_with_a_password_is_refused_at_build_time_without_showing_it() {
    bounded(async {
        let server = Server::start(vec![Canned::json(r#"{"RetCode":0}"#)]).await;
        let with_password = server.url().replace("http://", "http://user:base-pass-123@");
        let e = builder(&with_password).build().unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Config { .. }), "{e:?}");
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("base-pass-123"), "{shown}");
        assert!(shown.contains("ClientBuilder::endpoint") && shown.contains("holds credentials"), "{shown}");
        let bad = builder("ftp://user:base-pass-123@host/").build().unwrap_err();
        assert!(!format!("{bad} {bad:?}").contains("base-pass-123"), "{bad}");
        assert!(bad.to_string().contains("the scheme must be http or https"), "{bad}");
        assert_eq!(server.request_count(), 0, "nothing is sent: DeleteRepo used to run, then report a false redirect");
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// 5. A call's outcome is the service's, whatever the base URL's shape

#[tokio::test]
async fn base_urls_of_every_shape_reach_the_service_or_are_refused_before_sending() {
    bounded(async {
        let ok = r#"{"RetCode":0}"#;
        // Accepted: the reply is the service's, never a false "redirect".
        for (suffix, target) in
            [("", "/"), ("/", "/"), ("/?channel=7", "/?channel=7"), ("/api/v1", "/api/v1"), ("/api/v1/", "/api/v1/")]
        {
            let server = Server::start(vec![Canned::json(ok)]).await;
            let url = format!("{}{suffix}", server.url());
            let c = builder(&url).retry_policy(RetryPolicy::disabled()).build().unwrap();
            c.delete_repo("r").await.unwrap_or_else(|e| panic!("{url}: {e}"));
            let line = server.requests()[0].request_line();
            assert_eq!(line, format!("POST {target} HTTP/1.1"), "{url}");
        }
        // Refused at build time, naming the setting; nothing is sent.
        let server = Server::start(vec![Canned::json(ok)]).await;
        for (url, problem) in [
            (server.url().replace("http://", "http://user:pw@"), "holds credentials"),
            (server.url().replace("http://", "http://user@"), "holds credentials"),
            (format!("{}/#x", server.url()), "holds a fragment"),
            (format!("{}#", server.url()), "holds a fragment"),
        ] {
            let e = builder(&url).build().unwrap_err();
            assert!(matches!(e.kind(), ErrorKind::Config { .. }), "{url}: {e:?}");
            assert!(e.to_string().contains(problem) && e.to_string().contains("ClientBuilder::endpoint"), "{url}: {e}");
            assert!(!e.to_string().contains("pw@"), "{e}");
        }
        assert_eq!(server.request_count(), 0);
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// 6. Server text is masked and kept to one line

#[tokio::test]
async fn an_error_message_quoting_secrets_is_masked_in_every_view() {
    bounded(async {
        let body =
            r#"{"RetCode":171,"Message":"bad sig: SecurityToken=sts-9999&Signature=deadbeefcafe PrivateKey: sk-42"}"#;
        let server = Server::start(vec![Canned::json(body)]).await;
        let e = builder(&server.url()).build().unwrap().get_repo().await.unwrap_err();
        let ErrorKind::Api { message, .. } = e.kind() else { panic!("{e:?}") };
        let shown = format!("{e} {e:?} {message}");
        for secret in ["sts-9999", "deadbeefcafe", "sk-42"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert_eq!(message, "bad sig: SecurityToken=<redacted>&Signature=<redacted> PrivateKey: <redacted>");
    })
    .await
}

#[tokio::test]
async fn server_text_cannot_break_an_error_line_but_debug_keeps_it_exact() {
    bounded(async {
        let message = r"denied\nINFO forged line\r\u001b[2J\u202eevil\u2066";
        let body = format!(r#"{{"RetCode":230,"Message":"{message}"}}"#);
        let server = Server::start(vec![Canned::json(&body)]).await;
        let e = builder(&server.url()).build().unwrap().get_repo().await.unwrap_err();
        let line = e.to_string();
        assert_eq!(
            line,
            "GetRepo: UHub error RetCode 230: denied\\nINFO forged line\\r\\u{1b}[2J\\u{202e}evil\\u{2066}"
        );
        assert!(!line.chars().any(|c| c.is_control() || ('\u{202a}'..='\u{2069}').contains(&c)), "{line:?}");
        let ErrorKind::Api { message, .. } = e.kind() else { panic!("{e:?}") };
        assert_eq!(message, "denied\nINFO forged line\r\u{1b}[2J\u{202e}evil\u{2066}", "kind and Debug stay exact");
        // A quoted body and a decode error's message are server text too.
        let server = Server::start(vec![Canned::status(500, "oops\n\u{1b}]0;title\u{7}")]).await;
        let e = builder(&server.url()).retry_policy(RetryPolicy::disabled()).build().unwrap().get_repo().await;
        let line = e.unwrap_err().to_string();
        assert!(!line.chars().any(char::is_control), "{line:?}");
        let server = Server::start(vec![Canned::json("{\"RetCode\":0,\"TotalCount\":\"1\\n\u{202e}2\"}")]).await;
        let e = builder(&server.url()).build().unwrap().get_repo().await.unwrap_err();
        assert!(!e.to_string().chars().any(|c| c.is_control() || c == '\u{202e}'), "{e}");
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// 7. Waiting is bounded by the caller; what would fail again is not retried

#[tokio::test]
async fn replies_that_are_not_http_are_not_retried() {
    bounded(async {
        let huge_head = format!("HTTP/1.1 200 OK\r\nX-Pad: {}\r\n\r\n", "a".repeat(1 << 20));
        for (what, raw) in [
            ("a malformed status line", "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n".to_owned()),
            ("no HTTP at all", "SSH-2.0-OpenSSH_9.6\r\n".to_owned()),
            ("a head too large", huge_head),
        ] {
            let server = Server::start(vec![Canned::raw(&raw)]).await;
            // GetImageTag is idempotent and the default policy makes 3 attempts.
            let c = builder(&server.url()).build().unwrap();
            let e = c.get_image_tag("r", "i").await.unwrap_err();
            assert!(
                matches!(e.kind(), ErrorKind::Transport { kind: uhub_sdk::TransportKind::Protocol, .. }),
                "{what}: {e:?}"
            );
            assert!(!e.is_retryable(), "{what}");
            assert_eq!((e.attempts(), server.request_count()), (1, 1), "{what}: {e}");
            assert!(e.to_string().starts_with("GetImageTag: unreadable HTTP reply: "), "{what}: {e}");
        }
    })
    .await
}

#[tokio::test]
async fn the_call_deadline_bounds_the_sum_of_retry_after_waits() {
    bounded(async {
        // Each answer asks for 1 s; a deadline of 2.5 s has room for two waits at most.
        let server = Server::start(vec![Canned::status(503, "busy").header("Retry-After", "1")]).await;
        let policy = RetryPolicy::default().with_max_attempts(10);
        let c = builder(&server.url()).retry_policy(policy).call_timeout(Duration::from_millis(2500)).build().unwrap();
        let started = Instant::now();
        let e = c.get_image_tag("r", "i").await.unwrap_err();
        let took = started.elapsed();
        assert_eq!(e.status(), Some(503), "the service's error, not a timeout: {e}");
        assert_eq!((e.attempts(), server.request_count()), (3, 3));
        assert!(
            took < Duration::from_millis(2500),
            "the last wait would pass the deadline, so it is not made: {took:?}"
        );
    })
    .await
}
