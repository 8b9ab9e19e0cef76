//! Where a registry's credentials go: a token realm on another host (127.0.0.2 is another host
//! than 127.0.0.1), plain http to another port, a challenge that changes between requests.
//! Each is refused with a typed error naming the registry, the realm host and the flag, and the
//! realm receives nothing; allowed by name, the credentials go.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uhub_loopback::{Handler, Reply, Server};
use uhub_registry::{Credentials, Error, Registry, RetryPolicy};

const PASSWORD: &str = "realm-Pass-42";
const DIGEST: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

fn quick_retry() -> RetryPolicy {
    RetryPolicy { attempts: 2, first_pause: Duration::from_millis(5) }
}

fn registry(host: &str) -> Registry {
    Registry::with_retry(host, Credentials::parse_pair(&format!("ann:{PASSWORD}")).unwrap(), quick_retry()).unwrap()
}

async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), f).await.expect("test took too long")
}

/// A token service on 127.0.0.2 (another host than the registry's 127.0.0.1): keeps every
/// request head it receives and answers a token.
struct Realm {
    port: u16,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Realm {
    async fn start() -> Realm {
        let listener = tokio::net::TcpListener::bind("127.0.0.2:0").await.expect("bind 127.0.0.2");
        let port = listener.local_addr().unwrap().port();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let kept = heads.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    kept.lock().unwrap().push(String::from_utf8_lossy(&head).into_owned());
                    let body = r#"{"token":"token-from-elsewhere"}"#;
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(reply.as_bytes()).await;
                });
            }
        });
        Realm { port, heads }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.2:{}/token", self.port)
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

/// A registry that wants a Bearer token from `realm(n)` for its nth challenge, and accepts any
/// Bearer token; its own `/token` hands out `own-token` for the right password.
async fn bearer_registry(realm: impl Fn(usize, &str) -> String + Send + Sync + 'static) -> Server {
    let challenges = AtomicUsize::new(0);
    Server::start(Handler::new(move |r| {
        let auth = r.header("authorization").unwrap_or_default().to_owned();
        let host = r.header("host").unwrap_or_default().to_owned();
        if r.path.starts_with("/token") {
            let basic = format!("Basic {}", base64_of(&format!("ann:{PASSWORD}")));
            return if auth == basic { Reply::json(r#"{"token":"own-token"}"#) } else { Reply::status(401, "{}") };
        }
        if auth.starts_with("Bearer ") && r.path.contains("/manifests/") {
            return Reply::status(200, "").header("Docker-Content-Digest", DIGEST);
        }
        let n = challenges.fetch_add(1, Ordering::SeqCst);
        Reply::status(401, r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#)
            .header("WWW-Authenticate", format!(r#"Bearer realm="{}",service="test""#, realm(n, &host)))
    }))
    .await
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn assert_refused(e: &Error, registry_host: &str, realm_host: &str) {
    match e {
        Error::RealmRefused { host, realm_host: named, .. } => {
            assert_eq!((host.as_str(), named.as_str()), (registry_host, realm_host), "{e}");
        }
        other => panic!("expected RealmRefused, got {other:?}"),
    }
    let shown = format!("{e} {e:?}");
    assert!(shown.contains(&format!("--allow-credentials-to-realm {realm_host}")), "{shown}");
    assert!(!shown.contains(PASSWORD), "{shown}");
}

#[tokio::test]
async fn a_realm_on_another_host_gets_no_credentials() {
    bounded(async {
        let realm = Realm::start().await;
        let url = realm.url();
        let server = bearer_registry(move |_, _| url.clone()).await;
        let host = server.addr().to_string();
        let e = registry(&host).head_manifest("lib/app", "1.0").await.unwrap_err();
        assert_refused(&e, &host, &format!("127.0.0.2:{}", realm.port));
        assert!(realm.heads().is_empty(), "the realm was contacted: {:?}", realm.heads());
        assert!(server.requests().iter().all(|r| r.header("authorization").is_none()), "nothing sent to the registry");
        // The blob side (oci-client's requests) is refused the same way, before any request.
        let e = registry(&host).blob_exists("lib/app", DIGEST).await.unwrap_err();
        assert!(matches!(e, Error::RealmRefused { .. }), "{e:?}");
        assert!(realm.heads().is_empty(), "{:?}", realm.heads());
    })
    .await
}

#[tokio::test]
async fn plain_http_to_another_port_of_the_same_host_gets_no_credentials() {
    bounded(async {
        let elsewhere = Server::start(Reply::json(r#"{"token":"t"}"#)).await;
        let url = format!("{}/token", elsewhere.url());
        let server = bearer_registry(move |_, _| url.clone()).await;
        let host = server.addr().to_string();
        let e = registry(&host).head_manifest("lib/app", "1.0").await.unwrap_err();
        assert_refused(&e, &host, &elsewhere.addr().to_string());
        assert_eq!(elsewhere.request_count(), 0);
    })
    .await
}

#[tokio::test]
async fn the_registrys_own_realm_gets_them_and_a_challenge_changed_later_is_checked_again() {
    bounded(async {
        let realm = Realm::start().await;
        let evil = realm.url();
        // The first two challenges (the manifest's 401, then `GET /v2/` for the token) name the
        // registry's own /token; every later one another host.
        let server =
            bearer_registry(move |n, host| if n < 2 { format!("http://{host}/token") } else { evil.clone() }).await;
        let host = server.addr().to_string();
        let registry = registry(&host);
        let head = registry.head_manifest("lib/app", "1.0").await.unwrap().expect("found");
        assert_eq!(head.digest, DIGEST);
        let sent = server.requests();
        assert!(sent.iter().any(|r| r.header("authorization") == Some("Bearer own-token")), "own token used");
        // Another repository needs a new token: the challenge now names another host.
        let e = registry.head_manifest("lib/other", "1.0").await.unwrap_err();
        assert_refused(&e, &host, &format!("127.0.0.2:{}", realm.port));
        let e = registry.blob_exists("lib/third", DIGEST).await.unwrap_err();
        assert!(matches!(e, Error::RealmRefused { .. }), "{e:?}");
        assert!(realm.heads().is_empty(), "the other host got: {:?}", realm.heads());
    })
    .await
}

#[tokio::test]
async fn a_realm_the_user_named_gets_the_credentials() {
    bounded(async {
        let realm = Realm::start().await;
        let url = realm.url();
        let server = bearer_registry(move |_, _| url.clone()).await;
        let host = server.addr().to_string();
        let registry = registry(&host).allow_credentials_to_realm("127.0.0.2");
        let head = registry.head_manifest("lib/app", "1.0").await.unwrap().expect("found");
        assert_eq!(head.digest, DIGEST);
        let heads = realm.heads();
        assert_eq!(heads.len(), 1, "{heads:?}");
        let basic = format!("authorization: basic {}", base64_of(&format!("ann:{PASSWORD}")).to_lowercase());
        assert!(heads[0].to_lowercase().contains(&basic), "{}", heads[0]);
        assert!(heads[0].contains("scope=repository%3Alib%2Fapp%3Apull"), "{}", heads[0]);
        assert!(server.requests().iter().any(|r| r.header("authorization") == Some("Bearer token-from-elsewhere")));
    })
    .await
}

#[tokio::test]
async fn anonymous_pulls_follow_any_realm_since_they_send_nothing_secret() {
    bounded(async {
        let realm = Realm::start().await;
        let url = realm.url();
        let server = bearer_registry(move |_, _| url.clone()).await;
        let anonymous =
            Registry::with_retry(&server.addr().to_string(), Credentials::Anonymous, quick_retry()).unwrap();
        anonymous.head_manifest("lib/app", "1.0").await.unwrap().expect("found");
        let heads = realm.heads();
        assert_eq!(heads.len(), 1);
        assert!(!heads[0].to_lowercase().contains("authorization"), "{}", heads[0]);
    })
    .await
}
