//! Servers and proxies that echo a call's request back in every spelling they might use: as
//! sent, lower- or upper-cased, URL-encoded once more or twice, as a JSON object or array, as an
//! HTML table or with HTML entities, or only the secret's value with no name. Whichever way
//! the echo comes back (an HTTP error body, a `Message`, a body that is not a response), no
//! signature, private key, security token or proxy password reaches any view of the error:
//! `Display`, `Debug`, `kind()` or the retry's log line.

mod support;

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{Canned, Form as _, Received, Server};
use tracing_subscriber::util::SubscriberInitExt as _;
use uhub_sdk::{Client, Credentials, Endpoint, ErrorKind, RetryPolicy};

const PUBLIC_KEY: &str = "pub-echo";
const PRIVATE_KEY: &str = "Private/Key+echo=must-not-leak";
const TOKEN: &str = "sts-Token/echo+9999";

async fn bounded<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), f).await.expect("test took too long")
}

/// `text` with every byte but the unreserved ones as `%XX`, as a proxy re-encoding a query does.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// One way of echoing the request: its name and what it makes of the received form.
type Echo = (&'static str, fn(&Received) -> String);

fn echoes() -> Vec<Echo> {
    vec![
        ("as sent", |r| r.body_text().into_owned()),
        ("lower-cased", |r| r.body_text().to_lowercase()),
        ("upper-cased", |r| r.body_text().to_uppercase()),
        ("URL-encoded again", |r| encode(&r.body_text())),
        ("URL-encoded twice", |r| encode(&encode(&r.body_text()))),
        ("decoded", |r| r.pairs().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")),
        ("JSON object, lower-case keys", |r| {
            let map: serde_json::Map<String, serde_json::Value> =
                r.pairs().into_iter().map(|(k, v)| (k.to_lowercase(), v.into())).collect();
            serde_json::Value::Object(map).to_string()
        }),
        ("JSON object, snake_case keys", |r| {
            let snake = |k: &str| match k {
                "SecurityToken" => "security_token".to_owned(),
                "PrivateKey" => "private_key".to_owned(),
                k => k.to_lowercase(),
            };
            let map: serde_json::Map<String, serde_json::Value> =
                r.pairs().into_iter().map(|(k, v)| (snake(&k), v.into())).collect();
            serde_json::Value::Object(map).to_string()
        }),
        ("JSON array of pairs", |r| {
            let pairs: Vec<[String; 2]> = r.pairs().into_iter().map(|(k, v)| [k, v]).collect();
            serde_json::to_string(&pairs).unwrap()
        }),
        ("JSON with escaped slashes", |r| {
            let map: serde_json::Map<String, serde_json::Value> =
                r.pairs().into_iter().map(|(k, v)| (k, v.into())).collect();
            serde_json::Value::Object(map).to_string().replace('/', "\\/")
        }),
        ("HTML table", |r| {
            let rows: String =
                r.pairs().iter().map(|(k, v)| format!("<tr><td>{}</td><td>{}</td></tr>", html(k), html(v))).collect();
            format!("<html><body><table>{rows}</table></body></html>")
        }),
        ("HTML entities", |r| {
            r.pairs().iter().map(|(k, v)| format!("{k}&#61;{}", html(v))).collect::<Vec<_>>().join("&amp;")
        }),
        ("values only, no names", |r| {
            let pairs = r.pairs();
            let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
            format!("rejected {} and {} from {PUBLIC_KEY}", value("Signature"), value("SecurityToken"))
        }),
        ("values only, upper-cased and encoded", |r| {
            let pairs = r.pairs();
            let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
            format!("rejected {} and {}", value("Signature").to_uppercase(), encode(&value("SecurityToken")))
        }),
        ("the private key itself", |_| {
            format!("key {PRIVATE_KEY} / {} / {}", encode(PRIVATE_KEY), PRIVATE_KEY.to_lowercase())
        }),
    ]
}

/// How an echo comes back to the client.
#[derive(Clone, Copy, Debug)]
enum Channel {
    /// `502` with the echo as its body.
    HttpStatus,
    /// A UCloud error whose `Message` is the echo.
    Message,
    /// `200` with the echo as a body that is not a response.
    NotAResponse,
}

fn reply(channel: Channel, echo: String) -> Canned {
    match channel {
        Channel::HttpStatus => Canned::status(502, echo),
        Channel::Message => Canned::json(serde_json::json!({"RetCode": 171, "Message": echo}).to_string()),
        Channel::NotAResponse => Canned::status(200, echo),
    }
}

/// Every view of an error a program or a log may show.
fn every_view(e: &uhub_sdk::Error) -> String {
    let message = match e.kind() {
        ErrorKind::Api { message, .. } => message.clone(),
        ErrorKind::HttpStatus { body, .. } => body.clone(),
        ErrorKind::Decode { path, message, body } => format!("{path} {message} {body}"),
        other => panic!("unexpected error kind {other:?} ({e})"),
    };
    format!("{e}\n{e:?}\n{:?}\n{message}\n{:?}", e.kind(), e.request_id())
}

#[tokio::test]
async fn every_echo_of_the_request_shows_no_secret_in_any_view_of_the_error() {
    bounded(async {
        for (name, echo) in echoes() {
            for channel in [Channel::HttpStatus, Channel::Message, Channel::NotAResponse] {
                let signature = Arc::new(Mutex::new(String::new()));
                let seen = signature.clone();
                let server = Server::start(uhub_loopback::Handler::new(move |r| {
                    let sig = r.pairs().into_iter().find(|(k, _)| k == "Signature").map(|(_, v)| v).unwrap_or_default();
                    *seen.lock().unwrap() = sig;
                    reply(channel, echo(r))
                }))
                .await;
                let creds = Credentials::new(PUBLIC_KEY, PRIVATE_KEY).with_security_token(TOKEN);
                let client = Client::builder()
                    .credentials(creds)
                    .endpoint(Endpoint::Custom(server.url()))
                    .retry_policy(RetryPolicy::disabled())
                    .build()
                    .unwrap();
                let e = client.get_repo().await.unwrap_err();
                let shown = every_view(&e);
                let signature = signature.lock().unwrap().clone();
                assert!(signature.len() >= 20, "the server saw the signature");
                for secret in [signature.as_str(), PRIVATE_KEY, TOKEN] {
                    let lower = shown.to_lowercase();
                    for spelled in [secret.to_lowercase(), encode(secret).to_lowercase(), html(secret).to_lowercase()] {
                        assert!(!lower.contains(&spelled), "{name} via {channel:?}: {spelled:?} in\n{shown}");
                    }
                }
                assert!(shown.contains("<redacted>"), "{name} via {channel:?}: nothing masked?\n{shown}");
                if name != "values only, no names" && name != "the private key itself" {
                    // What is not secret stays readable: the echo is still useful.
                    assert!(shown.to_lowercase().contains("getrepo"), "{name} via {channel:?}: {shown}");
                }
            }
        }
    })
    .await
}

#[tokio::test]
async fn the_retry_log_line_shows_the_masked_error() {
    bounded(async {
        let lines = Arc::new(Mutex::new(Vec::<u8>::new()));
        let writer = {
            let lines = lines.clone();
            move || Capture(lines.clone())
        };
        let _guard = tracing_subscriber::fmt().with_writer(writer).with_ansi(false).set_default();
        // Two 502s (retried: GetRepo is idempotent), each echoing the request lower-cased.
        let server =
            Server::start(uhub_loopback::Handler::new(|r| Canned::status(502, r.body_text().to_lowercase()))).await;
        let creds = Credentials::new(PUBLIC_KEY, PRIVATE_KEY).with_security_token(TOKEN);
        let client = Client::builder()
            .credentials(creds)
            .endpoint(Endpoint::Custom(server.url()))
            .retry_policy(
                RetryPolicy::default()
                    .with_max_attempts(2)
                    .with_backoff(Duration::from_millis(1), Duration::from_millis(2)),
            )
            .build()
            .unwrap();
        let e = client.get_repo().await.unwrap_err();
        assert_eq!(server.request_count(), 2);
        let logged = String::from_utf8(lines.lock().unwrap().clone()).unwrap();
        assert!(logged.contains("retrying"), "{logged}");
        let signature = server.requests()[0].pairs().into_iter().find(|(k, _)| k == "Signature").unwrap().1;
        for secret in [signature.as_str(), TOKEN, PRIVATE_KEY] {
            let secret = encode(secret).to_lowercase();
            assert!(!logged.to_lowercase().contains(&secret), "{secret} in {logged}");
            assert!(!every_view(&e).to_lowercase().contains(&secret), "{e:?}");
        }
    })
    .await
}

#[tokio::test]
async fn a_proxy_echoing_its_authorization_shows_neither_the_header_nor_the_password() {
    bounded(async {
        // The loopback server is the proxy: it receives `POST http://…/` with the
        // Proxy-Authorization reqwest sends for the proxy URL's user:password.
        let proxy = Server::start(uhub_loopback::Handler::new(|r| {
            let auth = r.header("proxy-authorization").unwrap_or("none").to_owned();
            Canned::status(
                407,
                format!(
                    "denied: Proxy-Authorization: {auth}; user proxy-user password proxy-Pass-77; {}",
                    auth.to_lowercase()
                ),
            )
        }))
        .await;
        let proxy_url = proxy.url().replace("http://", "http://proxy-user:proxy-Pass-77@");
        let client = Client::builder()
            .keys(PUBLIC_KEY, PRIVATE_KEY)
            .endpoint(Endpoint::Custom("http://uhub.invalid/".to_owned()))
            .proxy(proxy_url)
            .retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap();
        let e = client.get_repo().await.unwrap_err();
        let request = &proxy.requests()[0];
        let basic = request.header("proxy-authorization").expect("reqwest sent the proxy's credentials").to_owned();
        let shown = every_view(&e);
        let token = basic.trim_start_matches("Basic ");
        for secret in ["proxy-Pass-77", token] {
            assert!(!shown.to_lowercase().contains(&secret.to_lowercase()), "{secret} in\n{shown}");
        }
        assert!(shown.contains("407"), "{shown}");
    })
    .await
}

/// A tracing writer into a shared buffer.
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
